// Call channels (src/node/transport/channel.ts) between real libp2p hosts over TCP on 127.0.0.1:
// many calls on one stream, answered by id in any order; a node that speaks no channel is
// called the old way; bad frames end the channel and are reported; a caller that hangs up
// still gets what it asked answered first; the in-flight cap holds; a channel that fails
// fails its calls with the per-call protocol's errors, and the next call opens a new one.
import { generateKeyPair } from '@libp2p/crypto/keys'
import * as lp from 'it-length-prefixed'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createHost, type Host } from '../../../src/node/transport/host.js'
import { callWith, serveOnce } from '../../../src/node/transport/rpc.js'
import { serveChannel } from '../../../src/node/transport/channel.js'
import { CallFrame } from '../../../src/wire/proto/channel.js'
import { isMeshError, type MeshError } from '../../../src/node/errors.js'

const ONCE = '/meshnode-test/echo/1.0.0'
const CHANNEL = '/meshnode-test/echo-channel/1.0.0'
const bytesCodec = { encode: (b: Uint8Array) => b, decode: (b: any) => Uint8Array.from(b instanceof Uint8Array ? b : b.subarray()) }
const CALL = { protocol: ONCE, channel: CHANNEL, request: bytesCodec, response: bytesCodec, maxResponseBytes: 1 << 20, timeoutMs: 10_000 }

const running: Host[] = []
afterEach(async () => {
  await Promise.all(running.splice(0).map(async h => { await h.stop() }))
})

interface Server {
  host: Host
  /** Streams opened per protocol. */
  streams: Map<string, number>
  /** What serveChannel threw, per channel stream that ended with an error. */
  failures: unknown[]
  /** Channel streams that ended without error. */
  closed: number
}

type Handler = (req: Uint8Array) => Promise<Uint8Array>

const echo: Handler = async req => req

async function start (opts: { channel?: boolean, handle?: Handler, maxInFlight?: number, idleTimeoutMs?: number, perConnection?: boolean } = {}): Promise<Server> {
  const host = await createHost({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false })
  await host.start()
  running.push(host)
  const s: Server = { host, streams: new Map(), failures: [], closed: 0 }
  const count = (p: string): void => { s.streams.set(p, (s.streams.get(p) ?? 0) + 1) }
  const handle = opts.handle ?? echo
  await host.handle(ONCE, async ({ stream }) => {
    count(ONCE)
    await serveOnce(stream, { request: bytesCodec, response: bytesCodec, maxRequestBytes: 1 << 20, timeoutMs: 10_000 }, handle).catch(() => {})
  })
  if (opts.channel !== false) {
    await host.handle(CHANNEL, ({ stream, connection }) => {
      count(CHANNEL)
      serveChannel(stream, { request: bytesCodec, response: bytesCodec, maxRequestBytes: 1 << 16, ...(opts.perConnection === true ? { connection } : {}), ...(opts.maxInFlight != null ? { maxInFlight: opts.maxInFlight } : {}), ...(opts.idleTimeoutMs != null ? { idleTimeoutMs: opts.idleTimeoutMs } : {}) }, handle)
        .then(() => { s.closed++ }, err => { s.failures.push(err) })
    })
  }
  return s
}

async function client (): Promise<Host> {
  const host = await createHost({ privateKey: await generateKeyPair('Ed25519'), listen: [], mdns: false })
  await host.start()
  running.push(host)
  return host
}

const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

async function until (cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await sleep(10)
  if (!cond()) throw new Error(`timed out waiting for ${what}`)
}

describe('call channels', () => {
  it('carries many calls at once on one stream, each answered with its own result, in any order', async () => {
    // Later requests answer first: ids, not order, match answers to calls.
    const server = await start({ handle: async req => { await sleep(50 - req[0]!); return Uint8Array.of(req[0]! * 2) } })
    const c = await client()
    const addr = server.host.getMultiaddrs()[0]!
    const answers = await Promise.all(Array.from({ length: 40 }, async (_, i) => [...await callWith(c, addr, Uint8Array.of(i), CALL)]))
    expect(answers).toEqual(Array.from({ length: 40 }, (_, i) => [i * 2]))
    // And a series afterwards reuses the same stream.
    for (let i = 0; i < 20; i++) expect([...await callWith(c, addr, Uint8Array.of(i), CALL)]).toEqual([i * 2])
    expect(server.streams.get(CHANNEL)).toBe(1)
    expect(server.streams.get(ONCE)).toBeUndefined()
  })

  it('calls a node without the channel protocol the old way, and remembers it', async () => {
    const server = await start({ channel: false })
    const c = await client()
    const addr = server.host.getMultiaddrs()[0]!
    for (let i = 0; i < 5; i++) expect([...await callWith(c, addr, Uint8Array.of(i), CALL)]).toEqual([i])
    expect(server.streams.get(ONCE)).toBe(5)
    // The first call asked for the channel once; none after.
    const outbound = c.getConnections().flatMap(conn => conn.streams).filter(st => st.protocol === CHANNEL)
    expect(outbound).toHaveLength(0)
  })

  it('asks a node without the channel again after a minute: one upgraded in place is then called on a channel', async () => {
    const server = await start({ channel: false })
    const c = await client()
    const addr = server.host.getMultiaddrs()[0]!
    expect([...await callWith(c, addr, Uint8Array.of(1), CALL)]).toEqual([1])
    // The node learns the channel protocol (an upgrade, or its start finishing).
    await server.host.handle(CHANNEL, ({ stream }) => {
      server.streams.set(CHANNEL, (server.streams.get(CHANNEL) ?? 0) + 1)
      serveChannel(stream, { request: bytesCodec, response: bytesCodec, maxRequestBytes: 1 << 16 }, echo).catch(() => {})
    })
    expect([...await callWith(c, addr, Uint8Array.of(2), CALL)]).toEqual([2])
    expect(server.streams.get(CHANNEL)).toBeUndefined()
    const real = performance.now.bind(performance)
    const later = vi.spyOn(performance, 'now').mockImplementation(() => real() + 61_000)
    try {
      expect([...await callWith(c, addr, Uint8Array.of(3), CALL)]).toEqual([3])
    } finally {
      later.mockRestore()
    }
    expect(server.streams.get(CHANNEL)).toBe(1)
    expect(server.streams.get(ONCE)).toBe(2)
  })

  it('ends a channel that sends an oversize frame, reports it, and handles nothing of it', async () => {
    let handled = 0
    const server = await start({ handle: async req => { handled++; return req } })
    const c = await client()
    const stream = await c.dialProtocol(server.host.getMultiaddrs()[0]!, CHANNEL)
    const big = CallFrame.encode({ id: 1, body: new Uint8Array(1 << 17) })
    const data = lp.encode.single(big).subarray()
    stream.sink((async function * () { yield data })()).catch(() => {})
    await until(() => server.failures.length === 1, 'the channel to fail')
    expect(handled).toBe(0)
    expect(String(server.failures[0])).toMatch(/length|InvalidDataLength/i)
  })

  it('ends a channel whose frame is not a CallFrame', async () => {
    let handled = 0
    const server = await start({ handle: async req => { handled++; return req } })
    const c = await client()
    const stream = await c.dialProtocol(server.host.getMultiaddrs()[0]!, CHANNEL)
    // Field 1 with wire type 7: no protobuf message reads that.
    const data = lp.encode.single(Uint8Array.of(0x0f, 0xff, 0xff)).subarray()
    stream.sink((async function * () { yield data })()).catch(() => {})
    await until(() => server.failures.length === 1, 'the channel to fail')
    expect(handled).toBe(0)
  })

  it('answers what a caller asked before it hung up, then closes', async () => {
    const server = await start({ handle: async req => { await sleep(100); return req } })
    const c = await client()
    const stream = await c.dialProtocol(server.host.getMultiaddrs()[0]!, CHANNEL)
    const frames = [1, 2, 3].map(id => lp.encode.single(CallFrame.encode({ id, body: Uint8Array.of(id) })).subarray())
    const answers: number[] = []
    await Promise.all([
      // Write three requests, then close the write side at once.
      stream.sink((async function * () { yield * frames })()),
      (async () => {
        for await (const msg of lp.decode(stream.source)) answers.push(CallFrame.decode(msg.subarray()).id)
      })()
    ])
    expect(answers.sort()).toEqual([1, 2, 3])
    await until(() => server.closed === 1, 'the channel to close')
    expect(server.failures).toEqual([])
  })

  it('handles no more than its in-flight cap at once, and every call is answered', async () => {
    let now = 0
    let most = 0
    const server = await start({ maxInFlight: 4, handle: async req => { most = Math.max(most, ++now); await sleep(20); now--; return req } })
    const c = await client()
    const addr = server.host.getMultiaddrs()[0]!
    const answers = await Promise.all(Array.from({ length: 30 }, async (_, i) => (await callWith(c, addr, Uint8Array.of(i), CALL))[0]))
    expect(answers).toEqual(Array.from({ length: 30 }, (_, i) => i))
    expect(most).toBe(4)
  })

  it('holds its in-flight cap over all the channel streams of one connection', async () => {
    let now = 0
    let most = 0
    const server = await start({ maxInFlight: 4, perConnection: true, handle: async req => { most = Math.max(most, ++now); await sleep(30); now--; return req } })
    const c = await client()
    const addr = server.host.getMultiaddrs()[0]!
    // Three raw channel streams on the one connection, six requests each.
    const answered = await Promise.all([0, 1, 2].map(async s => {
      const stream = await c.dialProtocol(addr, CHANNEL)
      const frames = Array.from({ length: 6 }, (_, i) => lp.encode.single(CallFrame.encode({ id: s * 10 + i, body: Uint8Array.of(i) })).subarray())
      const ids: number[] = []
      await Promise.all([
        stream.sink((async function * () { yield * frames })()),
        (async () => { for await (const msg of lp.decode(stream.source)) ids.push(CallFrame.decode(msg.subarray()).id) })()
      ])
      return ids.length
    }))
    expect(answered).toEqual([6, 6, 6])
    expect(c.getConnections()).toHaveLength(1)
    expect(most).toBe(4)
  })

  it('fails the calls in flight as unanswered when the node stops, and the next call opens a new channel', async () => {
    const server = await start({ handle: async req => { if (req[0] === 9) await sleep(60_000); return req } })
    const c = await client()
    const addr = server.host.getMultiaddrs()[0]!
    expect([...await callWith(c, addr, Uint8Array.of(1), CALL)]).toEqual([1])
    const stuck = callWith(c, addr, Uint8Array.of(9), CALL).then(() => 'answered', err => err)
    await sleep(100)
    // The node's end of every stream goes away (as when it stops).
    for (const conn of server.host.getConnections()) await conn.close()
    const err = await stuck
    expect(isMeshError(err, 'UNREACHABLE'), String(err)).toBe(true)
    expect((err as MeshError).unanswered).toBe(true)
    expect([...await callWith(c, addr, Uint8Array.of(2), CALL)]).toEqual([2])
    expect(server.streams.get(CHANNEL)).toBe(2)
  })

  it('fails a call with no answer in time as the per-call protocol does, and serves later calls', async () => {
    const server = await start({ handle: async req => { if (req[0] === 9) await sleep(2_000); return req } })
    const c = await client()
    const addr = server.host.getMultiaddrs()[0]!
    const err = await callWith(c, addr, Uint8Array.of(9), { ...CALL, timeoutMs: 300 }).then(() => 'answered', e => e)
    expect(isMeshError(err, 'BAD_RESPONSE'), String(err)).toBe(true)
    expect((err as Error).message).toMatch(/no answer within 300 ms/)
    expect([...await callWith(c, addr, Uint8Array.of(3), CALL)]).toEqual([3])
  })

  it('is closed by the node after its idle time, and the caller opens another', async () => {
    const server = await start({ idleTimeoutMs: 200 })
    const c = await client()
    const addr = server.host.getMultiaddrs()[0]!
    expect([...await callWith(c, addr, Uint8Array.of(1), CALL)]).toEqual([1])
    await until(() => server.closed === 1, 'the idle channel to close')
    await sleep(50)
    expect([...await callWith(c, addr, Uint8Array.of(2), CALL)]).toEqual([2])
    expect(server.streams.get(CHANNEL)).toBe(2)
    expect(server.failures).toEqual([])
  })
})
