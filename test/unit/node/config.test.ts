import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DEFAULT_PORT, defaultConfig, resolveConfig } from '../../../src/node/config.js'
import type { MeshError } from '../../../src/node/errors.js'

function configFile (content: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'mn-config-'))
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
})
