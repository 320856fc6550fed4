// The mesh key protector between real libp2p hosts over TCP on 127.0.0.1: who connects, who
// is refused and how, and a key rotation rolling through.
import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { isMeshError } from '../../../src/node/errors.js'
import { createLogger } from '../../../src/node/log.js'
import { Dialer } from '../../../src/node/transport/dialer.js'
import { createHost, type Host } from '../../../src/node/transport/host.js'
import { meshKeyMismatchIn, meshKeyProtector, mismatchLogger, parseMeshKey, generateMeshKey, type MeshKeyMismatch } from '../../../src/node/transport/mesh-key.js'
import { callWith, serveOnce } from '../../../src/node/transport/rpc.js'

const ECHO = '/meshnode-test/echo/1.0.0'
const bytesCodec = { encode: (b: Uint8Array) => b, decode: (b: any) => Uint8Array.from(b.subarray()) }
const ECHO_CALL = { protocol: ECHO, request: bytesCodec, response: bytesCodec, maxResponseBytes: 4 << 20, timeoutMs: 10_000 }

const newKey = (): Uint8Array => parseMeshKey(generateMeshKey(), 'test')
const OLD = newKey()
const NEW = newKey()
const OTHER = newKey()

interface TestHost { host: Host, addr: Multiaddr, mismatches: MeshKeyMismatch[] }
const running: Host[] = []

afterEach(async () => {
  await Promise.all(running.splice(0).map(async h => { await h.stop() }))
})

async function start (meshKeys?: Uint8Array[]): Promise<TestHost> {
  const mismatches: MeshKeyMismatch[] = []
  const host = await createHost({
    privateKey: await generateKeyPair('Ed25519'),
    listen: ['/ip4/127.0.0.1/tcp/0'],
    mdns: false,
    meshKeys,
    onMeshKeyMismatch: info => { mismatches.push(info) }
  })
  await host.start()
  running.push(host)
  await host.handle(ECHO, async ({ stream }) => {
    await serveOnce(stream, { request: bytesCodec, response: bytesCodec, maxRequestBytes: 4 << 20, timeoutMs: 10_000 }, req => req).catch(() => {})
  })
  return { host, addr: host.getMultiaddrs()[0]!, mismatches }
}

/** One request and reply of 1 MiB: many TCP chunks through both ciphers. */
async function roundTrip (from: TestHost, to: TestHost): Promise<void> {
  const payload = Uint8Array.from({ length: 1 << 20 }, (_, i) => (i * 7) & 0xff)
  const echoed = await callWith(from.host, to.addr, payload, ECHO_CALL)
  expect(Buffer.from(echoed).equals(Buffer.from(payload))).toBe(true)
  await from.host.services.ping.ping(to.addr)
}

async function dialError (from: TestHost, to: TestHost): Promise<unknown> {
  try {
    await from.host.dial(to.addr, { signal: AbortSignal.timeout(15_000) })
  } catch (err) {
    return err
  }
  throw new Error(`${from.host.peerId.toString()} connected to ${to.addr.toString()}`)
}

async function connects (a: TestHost, b: TestHost): Promise<boolean> {
  try {
    await a.host.dial(b.addr, { signal: AbortSignal.timeout(10_000) })
    await a.host.services.ping.ping(b.addr)
    return true
  } catch {
    return false
  } finally {
    await a.host.hangUp(b.host.peerId).catch(() => {})
  }
}

describe('mesh key protector', () => {
  it('lets two hosts with the same key connect, and a protocol round-trips both ways', async () => {
    const a = await start([OLD])
    const b = await start([OLD])
    await roundTrip(a, b)
    await roundTrip(b, a)
    expect(a.mismatches).toEqual([])
    expect(b.mismatches).toEqual([])
  })

  it('refuses hosts with different keys promptly, on both sides, with MESH_KEY_MISMATCH', async () => {
    const a = await start([OLD])
    const b = await start([OTHER])
    // Refused at the hello, not by the 5 s handshake timeout: that would be UNREACHABLE.
    const err = await dialError(a, b)
    const refusal = meshKeyMismatchIn(err)
    expect(refusal).toBeDefined()
    expect(isMeshError(refusal, 'MESH_KEY_MISMATCH')).toBe(true)
    expect(refusal!.message).toContain(`refused the connection to ${b.addr.toString()}`)
    expect(refusal!.message).toContain('different mesh key')
    await vi.waitFor(() => { expect(b.mismatches).toHaveLength(1) })
    expect(a.mismatches).toHaveLength(1)
    expect(a.mismatches[0]).toMatchObject({ direction: 'outbound', reason: 'different-key' })
    expect(b.mismatches[0]).toMatchObject({ direction: 'inbound', reason: 'different-key' })
    expect(b.mismatches[0]!.message).toMatch(/^refused the connection from \/ip4\/127\.0\.0\.1\/tcp\/\d+: the peer uses a different mesh key/)
    expect(a.host.getConnections()).toEqual([])
    expect(b.host.getConnections()).toEqual([])
  })

  it('says "wrong mesh key" when a call cannot connect for its key', async () => {
    const a = await start([OLD])
    const b = await start([OTHER])
    const err = await callWith(a.host, b.addr, new Uint8Array(1), ECHO_CALL).catch(e => e)
    expect(isMeshError(err, 'UNREACHABLE')).toBe(true)
    expect(err.message).toContain(`cannot reach meshnode at ${b.addr.toString()}: wrong mesh key`)
    expect(err.message).not.toContain('Is it running?')
  })

  it('does not let a key-less host connect to a keyed one', async () => {
    const keyless = await start()
    const keyed = await start([OLD])
    const err = await dialError(keyless, keyed)
    expect(err).toBeDefined()
    // The keyed side recognises a host without a key by its first bytes.
    await vi.waitFor(() => { expect(keyed.mismatches).toHaveLength(1) })
    expect(keyed.mismatches[0]).toMatchObject({ direction: 'inbound', reason: 'no-key' })
    expect(keyless.host.getConnections()).toEqual([])
  })

  it('tells a key-less caller that the node it cannot reach most likely needs a mesh key', async () => {
    const keyless = await start()
    const keyed = await start([OLD])
    // The keyed node's hello garbles negotiation differently each time; try a few.
    for (let i = 0; i < 4; i++) {
      const err = await callWith(keyless.host, keyed.addr, new Uint8Array(1), ECHO_CALL).catch(e => e)
      expect(isMeshError(err, 'UNREACHABLE')).toBe(true)
      expect(err.message).toContain(`cannot reach meshnode at ${keyed.addr.toString()}`)
      expect(err.message).toContain('requires a mesh key: connect with --mesh-key FILE')
      expect(err.message).not.toContain('Is it running?')
    }
  })

  it('does not let a keyed host connect to a key-less one', async () => {
    const keyed = await start([OLD])
    const keyless = await start()
    const err = await dialError(keyed, keyless)
    expect(err).toBeDefined()
    expect(keyed.host.getConnections()).toEqual([])
    expect(keyless.host.getConnections()).toEqual([])
  })

  it('connects [new, old] with [old] both ways during a rotation', async () => {
    const a = await start([NEW, OLD])
    const b = await start([OLD])
    await roundTrip(a, b)
    await a.host.hangUp(b.host.peerId)
    await vi.waitFor(() => { expect(b.host.getConnections(a.host.peerId)).toEqual([]) })
    await roundTrip(b, a)
    expect(b.host.getConnections(a.host.peerId)[0]?.direction).toBe('outbound')
  })

  it('connects [new, old] with [new], and [old, new] with [new, old]', async () => {
    const a = await start([NEW, OLD])
    const c = await start([NEW])
    const d = await start([OLD, NEW])
    await roundTrip(a, c)
    await roundTrip(c, a)
    await roundTrip(d, a)
    await roundTrip(c, d)
  })

  it('refuses [old] and [new] once a rotation has dropped the old key', async () => {
    const b = await start([OLD])
    const c = await start([NEW])
    expect(await connects(b, c)).toBe(false)
    expect(await connects(c, b)).toBe(false)
    expect(b.mismatches.length).toBeGreaterThan(0)
    expect(c.mismatches.length).toBeGreaterThan(0)
  })

  it('refuses a set of keys that is empty, too long or not 32-byte keys', () => {
    expect(() => meshKeyProtector({ keys: [] })).toThrow(/at least one key/)
    expect(() => meshKeyProtector({ keys: [newKey(), newKey(), newKey(), newKey(), newKey()] })).toThrow(/at most 4 mesh keys/)
    expect(() => meshKeyProtector({ keys: [new Uint8Array(16)] })).toThrow(/32 bytes/)
  })
})

describe('dialer and a wrong key', () => {
  it('backs off instead of redialing a peer that refuses our key', async () => {
    const a = await start([OLD])
    const b = await start([OTHER])
    const log = createLogger('silent')
    const dialer = new Dialer({ host: a.host, log }, [b.addr.toString()])
    dialer.start()
    try {
      await new Promise(resolve => setTimeout(resolve, 2_500))
    } finally {
      dialer.stop()
    }
    // Without the long backoff this would be about a dozen attempts (50 ms doubling to 3 s).
    expect(a.mismatches).toHaveLength(1)
    await vi.waitFor(() => { expect(b.mismatches).toHaveLength(1) })
  })
})

describe('mismatchLogger', () => {
  const info = (addr: string): MeshKeyMismatch => ({ remoteAddr: multiaddr(addr), direction: 'inbound', reason: 'different-key', message: `refused ${addr}` })

  it('writes one line per host per interval, whatever the port, and counts the rest', () => {
    let now = 0
    const lines: string[] = []
    const report = mismatchLogger(line => { lines.push(line) }, { intervalMs: 60_000, now: () => now })
    report(info('/ip4/10.0.0.1/tcp/1000'))
    report(info('/ip4/10.0.0.1/tcp/1001'))
    report(info('/ip4/10.0.0.1/tcp/1002'))
    report(info('/ip4/10.0.0.2/tcp/1000'))
    expect(lines).toEqual(['refused /ip4/10.0.0.1/tcp/1000', 'refused /ip4/10.0.0.2/tcp/1000'])
    now = 60_000
    report(info('/ip4/10.0.0.1/tcp/1003'))
    expect(lines[2]).toBe('refused /ip4/10.0.0.1/tcp/1003 (2 more refused from this host since the last report)')
  })

  it('forgets the stalest host beyond its limit', () => {
    const lines: string[] = []
    const report = mismatchLogger(line => { lines.push(line) }, { now: () => 0, maxHosts: 2 })
    report(info('/ip4/10.0.0.1/tcp/1'))
    report(info('/ip4/10.0.0.2/tcp/1'))
    report(info('/ip4/10.0.0.3/tcp/1'))
    report(info('/ip4/10.0.0.1/tcp/1'))
    expect(lines).toHaveLength(4)
  })
})
