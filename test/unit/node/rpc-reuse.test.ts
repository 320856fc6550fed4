// callWith between real libp2p hosts over TCP on 127.0.0.1: a caller that names a node by its
// bare address (the CLI, the benches) reuses its open connection instead of opening one, with a
// Noise handshake and identify on both ends, per call; and still reaches a node that restarted
// behind the same address with another identity. A node that ends a call without answering
// (it stops, or it resets the stream) is UNREACHABLE, retryable; one that answers garbage is
// BAD_RESPONSE.
import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import { afterEach, describe, expect, it } from 'vitest'
import { createHost, type Host } from '../../../src/node/transport/host.js'
import { callWith, serveOnce } from '../../../src/node/transport/rpc.js'
import { isMeshError, type MeshError } from '../../../src/node/errors.js'

const ECHO = '/meshnode-test/echo/1.0.0'
const bytesCodec = { encode: (b: Uint8Array) => b, decode: (b: any) => Uint8Array.from(b.subarray()) }
const ECHO_CALL = { protocol: ECHO, request: bytesCodec, response: bytesCodec, maxResponseBytes: 1 << 20, timeoutMs: 10_000 }

const running: Host[] = []
afterEach(async () => {
  await Promise.all(running.splice(0).map(async h => { await h.stop() }))
})

async function start (listen = '/ip4/127.0.0.1/tcp/0'): Promise<{ host: Host, opened: () => number }> {
  const host = await createHost({ privateKey: await generateKeyPair('Ed25519'), listen: [listen], mdns: false })
  await host.start()
  running.push(host)
  let opened = 0
  host.addEventListener('connection:open', () => { opened++ })
  await host.handle(ECHO, async ({ stream }) => {
    await serveOnce(stream, { request: bytesCodec, response: bytesCodec, maxRequestBytes: 1 << 20, timeoutMs: 10_000 }, req => req).catch(() => {})
  })
  return { host, opened: () => opened }
}

describe('callWith to a bare address', () => {
  it('opens one connection for a series of calls (each stream closed, none left over)', async () => {
    const server = await start()
    const client = await start()
    const bare = server.host.getMultiaddrs()[0]!.decapsulateCode(421)
    expect(bare.getPeerId()).toBeNull()
    for (let i = 0; i < 100; i++) {
      const echoed = await callWith(client.host, bare, Uint8Array.of(i), ECHO_CALL)
      expect([...echoed]).toEqual([i])
    }
    expect(server.opened()).toBe(1)
    expect(client.opened()).toBe(1)
  })

  it('reaches a node that restarted behind the same address with another identity', async () => {
    const first = await start()
    const client = await start()
    const bare = first.host.getMultiaddrs()[0]!.decapsulateCode(421)
    expect([...await callWith(client.host, bare, Uint8Array.of(1), ECHO_CALL)]).toEqual([1])
    // Stop the node without the client noticing first, then start another on the same port.
    await first.host.stop()
    const second = await start(bare.toString())
    expect(second.host.peerId.equals(first.host.peerId)).toBe(false)
    expect([...await callWith(client.host, multiaddr(bare.toString()), Uint8Array.of(2), ECHO_CALL)]).toEqual([2])
    expect(second.opened()).toBe(1)
  })
})

describe('callWith to a node that ends the call', () => {
  const SILENT = '/meshnode-test/silent/1.0.0'
  const call = { ...ECHO_CALL, protocol: SILENT }

  async function failure (behave: (stream: any, host: Host) => Promise<void>): Promise<unknown> {
    const server = await start()
    const client = await start()
    await server.host.handle(SILENT, async ({ stream }) => { await behave(stream, server.host).catch(() => {}) })
    return await callWith(client.host, server.host.getMultiaddrs()[0]!, Uint8Array.of(1), call).then(() => 'answered', err => err)
  }

  it('closed without a word: UNREACHABLE, saying the node may be stopping', async () => {
    const err = await failure(async stream => { await stream.close() })
    expect(isMeshError(err, 'UNREACHABLE'), String(err)).toBe(true)
    expect((err as Error).message).toMatch(/ended the call without an answer.*may be stopping or restarting/)
    expect((err as MeshError).unanswered).toBe(true)
  })

  it('reset: UNREACHABLE', async () => {
    const err = await failure(async stream => { stream.abort(new Error('refused')) })
    expect(isMeshError(err, 'UNREACHABLE'), String(err)).toBe(true)
    expect((err as MeshError).unanswered).toBe(true)
  })

  it('the node stops with the call in flight: UNREACHABLE', async () => {
    const err = await failure(async (_stream, host) => { await host.stop() })
    expect(isMeshError(err, 'UNREACHABLE'), String(err)).toBe(true)
  })

  it('an answer that is not one: BAD_RESPONSE', async () => {
    // A length prefix of 2^28 then nothing: over maxResponseBytes.
    const err = await failure(async stream => { await stream.sink([Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x01)]) })
    expect(isMeshError(err, 'BAD_RESPONSE'), String(err)).toBe(true)
    expect((err as MeshError).unanswered).toBeUndefined()
  })
})
