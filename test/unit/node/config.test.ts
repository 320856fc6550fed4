import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { availableParallelism } from 'node:os'
import { DEFAULT_PORT, defaultConfig, defaultMaxConcurrency, resolveConfig, slotConfig } from '../../../src/node/config.js'
import type { MeshError } from '../../../src/node/errors.js'
import { tempDir } from '../../temp-dir.js'

function configFile (content: unknown): string {
  const dir = tempDir('config')
  const file = join(dir, 'meshnode.json')
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content))
  return file
}

describe('config resolution', () => {
  it('uses documented defaults when nothing is given', () => {
    const c = resolveConfig({ env: {} })
    // Closed by default: no mesh key, so loopback only.
    expect(c.listen).toEqual([`/ip4/127.0.0.1/tcp/${DEFAULT_PORT}`])
    expect(c.meshKey).toEqual([])
    expect(c.insecure).toBe(false)
    expect(c.mesh).toBe('default')
    expect(c.dataDir).toBe(defaultConfig().dataDir)
    expect(c.peers).toEqual([])
  })

  it('listens on every interface by default only with a mesh key or --insecure', () => {
    expect(resolveConfig({ env: {}, flags: { meshKey: ['/tmp/mesh.key'] } }).listen).toEqual([`/ip4/0.0.0.0/tcp/${DEFAULT_PORT}`])
    expect(resolveConfig({ env: { MESHNODE_INSECURE: 'true' } }).listen).toEqual([`/ip4/0.0.0.0/tcp/${DEFAULT_PORT}`])
    expect(resolveConfig({ env: {}, flags: { listen: ['/ip4/127.0.0.1/tcp/9000', '/ip6/::1/tcp/9000'] } }).listen).toHaveLength(2)
  })

  it('refuses a non-loopback listen address without a mesh key, naming the fix', () => {
    for (const listen of ['/ip4/0.0.0.0/tcp/7420', '/ip4/10.0.0.5/tcp/7420', '/ip6/::/tcp/7420', '/dns4/example.com/tcp/7420']) {
      expect(() => resolveConfig({ env: {}, flags: { listen: [listen] } }), listen).toThrow(/without a mesh key.*meshnode keygen.*--insecure/)
    }
    expect(() => resolveConfig({ env: {}, flags: { listen: ['/ip4/0.0.0.0/tcp/7420'], insecure: true } })).not.toThrow()
    expect(() => resolveConfig({ env: { MESHNODE_MESH_KEY_FILE: '/tmp/k' }, flags: { listen: ['/ip4/0.0.0.0/tcp/7420'] } })).not.toThrow()
    try {
      resolveConfig({ env: {}, flags: { listen: ['/ip4/0.0.0.0/tcp/7420'] } })
    } catch (err) {
      expect((err as MeshError).code).toBe('INSECURE')
    }
  })

  it('ranks flags over env over config file over defaults', () => {
    const file = configFile({ name: 'from-file', mesh: 'filemesh', heartbeatMs: 300, capabilities: ['gpu'] })
    const env = { MESHNODE_NAME: 'from-env', MESHNODE_MESH: 'envmesh' }
    const c = resolveConfig({ flags: { name: 'from-flag' }, env, configFile: file })
    expect(c.name).toBe('from-flag')
    expect(c.mesh).toBe('envmesh')
    expect(c.heartbeatMs).toBe(300)
    expect(c.capabilities).toEqual(['gpu'])
    expect(c.logLevel).toBe('info')
  })

  it('reads the config file named by MESHNODE_CONFIG', () => {
    const file = configFile({ mesh: 'viaenv' })
    expect(resolveConfig({ env: { MESHNODE_CONFIG: file } }).mesh).toBe('viaenv')
  })

  it('splits comma-separated env lists', () => {
    const c = resolveConfig({ env: { MESHNODE_PEERS: '/ip4/127.0.0.1/tcp/1, /ip4/127.0.0.1/tcp/2', MESHNODE_CAPABILITIES: 'gpu,python' } })
    expect(c.peers).toEqual(['/ip4/127.0.0.1/tcp/1', '/ip4/127.0.0.1/tcp/2'])
    expect(c.capabilities).toEqual(['gpu', 'python'])
  })

  it('rejects a bad flag value as a usage error naming the flag', () => {
    expect(() => resolveConfig({ flags: { heartbeatMs: 'fast' } })).toThrow(/--heartbeat-ms "fast": expected a whole number/)
    expect(() => resolveConfig({ flags: { listen: ['not-an-addr'] } })).toThrow(/--listen.*not an address/)
    try {
      resolveConfig({ flags: { mesh: 'has space' } })
      expect.unreachable()
    } catch (err: any) {
      expect(err.code).toBe('USAGE')
    }
  })

  it('rejects a bad env value naming the variable', () => {
    expect(() => resolveConfig({ env: { MESHNODE_MDNS: 'maybe' } })).toThrow(/MESHNODE_MDNS/)
    expect(() => resolveConfig({ env: { MESHNODE_HEARTBEAT_MS: '5' } })).toThrow(/between 20 and 60000/)
  })

  it('rejects an unknown key, bad JSON or a missing file in the config file', () => {
    expect(() => resolveConfig({ configFile: configFile({ lisen: [] }) })).toThrow(/unknown option "lisen"/)
    expect(() => resolveConfig({ configFile: configFile('{ nope') })).toThrow(/not valid JSON/)
    expect(() => resolveConfig({ configFile: '/nonexistent/meshnode.json' })).toThrow(/cannot read config file/)
    expect(() => resolveConfig({ configFile: configFile([1, 2]) })).toThrow(/JSON object/)
  })

  it('--concurrency: auto by default, between one per CPU and 16 per CPU (at least 64)', () => {
    const cpus = availableParallelism()
    const c = resolveConfig({ env: {} })
    expect(c.concurrency).toBe('auto')
    expect(c.minConcurrency).toBe(cpus)
    expect(c.maxConcurrency).toBe(Math.max(64, 16 * cpus))
    expect(slotConfig(c)).toEqual({ auto: true, min: cpus, max: Math.max(64, 16 * cpus) })
    expect(defaultMaxConcurrency(2)).toBe(64)
    expect(defaultMaxConcurrency(8)).toBe(128)
    expect(defaultMaxConcurrency(1000)).toBe(4096)
  })

  it('--concurrency: a number fixes the slots from every source; auto from every source', () => {
    expect(slotConfig(resolveConfig({ flags: { concurrency: '8' } }))).toEqual({ auto: false, min: 8, max: 8 })
    expect(resolveConfig({ env: { MESHNODE_CONCURRENCY: '3' } }).concurrency).toBe(3)
    expect(resolveConfig({ configFile: configFile({ concurrency: 5 }) }).concurrency).toBe(5)
    expect(resolveConfig({ configFile: configFile({ concurrency: 'auto' }), env: {} }).concurrency).toBe('auto')
    expect(resolveConfig({ env: { MESHNODE_CONCURRENCY: 'AUTO' } }).concurrency).toBe('auto')
    // A flag over the file, auto over a number.
    expect(resolveConfig({ configFile: configFile({ concurrency: 5 }), flags: { concurrency: 'auto' } }).concurrency).toBe('auto')
    const c = resolveConfig({ env: { MESHNODE_MIN_CONCURRENCY: '2', MESHNODE_MAX_CONCURRENCY: '12' } })
    expect(slotConfig(c)).toEqual({ auto: true, min: 2, max: 12 })
    expect(resolveConfig({ configFile: configFile({ minConcurrency: 4, maxConcurrency: 6 }) })).toMatchObject({ minConcurrency: 4, maxConcurrency: 6 })
  })

  it('--concurrency: bad values are usage errors naming the flag', () => {
    const code = (f: () => unknown): string | undefined => {
      try {
        f()
      } catch (err) {
        return (err as MeshError).code
      }
      return undefined
    }
    expect(() => resolveConfig({ flags: { concurrency: 'lots' } })).toThrow(/invalid --concurrency "lots": expected "auto" or a whole number/)
    expect(() => resolveConfig({ flags: { concurrency: '0' } })).toThrow(/--concurrency.*between 1 and 4096/)
    expect(() => resolveConfig({ flags: { concurrency: '-2' } })).toThrow(/expected "auto" or a whole number/)
    expect(() => resolveConfig({ flags: { minConcurrency: 'x' } })).toThrow(/invalid --min-concurrency "x": expected a whole number/)
    expect(() => resolveConfig({ flags: { maxConcurrency: '0' } })).toThrow(/--max-concurrency.*between 1 and 4096/)
    expect(() => resolveConfig({ flags: { minConcurrency: '8', maxConcurrency: '4' } })).toThrow(/invalid --min-concurrency 8: it is above --max-concurrency 4/)
    expect(code(() => resolveConfig({ flags: { minConcurrency: '8', maxConcurrency: '4' } }))).toBe('USAGE')
    expect(code(() => resolveConfig({ configFile: configFile({ minConcurrency: 8, maxConcurrency: 4 }) }))).toBe('BAD_CONFIG')
    expect(() => resolveConfig({ env: { MESHNODE_MIN_CONCURRENCY: '9' }, flags: { maxConcurrency: '3' } })).toThrow(/MESHNODE_MIN_CONCURRENCY 9: it is above --max-concurrency 3/)
    expect(code(() => resolveConfig({ flags: { concurrency: 'lots' } }))).toBe('USAGE')
    expect(code(() => resolveConfig({ env: { MESHNODE_CONCURRENCY: 'lots' } }))).toBe('BAD_CONFIG')
  })

  it('--concurrency: a bound left at its default gives way to the one set', () => {
    expect(resolveConfig({ flags: { maxConcurrency: '1' } })).toMatchObject({ minConcurrency: 1, maxConcurrency: 1 })
    const big = defaultMaxConcurrency(availableParallelism()) + 1
    expect(resolveConfig({ flags: { minConcurrency: String(big) } })).toMatchObject({ minConcurrency: big, maxConcurrency: big })
  })
})
