// Limits against abuse, on real libp2p hosts over loopback: one peer's flood of admin, status
// or work requests, or of raft frames, is refused or dropped and counted, while the local operator and every other peer are
// still served. The services read a frozen fake clock, so nothing refills during a test and
// the counts are exact.
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { tcp } from '@libp2p/tcp'
import type { Multiaddr } from '@multiformats/multiaddr'
import { pbStream } from 'it-protobuf-stream'
import { createLibp2p, type Libp2p } from 'libp2p'
import { Registry } from 'prom-client'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Grant } from '../../../src/consensus/control.js'
import type { AccessView } from '../../../src/node/access/policy.js'
import { SubmitQuota } from '../../../src/node/access/quota.js'
import { fetchStatus } from '../../../src/node/client/status.js'
import { createLogger } from '../../../src/node/log.js'
import { createMetrics, statusCounters, type Metrics } from '../../../src/node/metrics.js'
import { AdminService } from '../../../src/node/services/admin.js'
import { StatusService } from '../../../src/node/services/status.js'
import type { Host } from '../../../src/node/transport/host.js'
import { callWith } from '../../../src/node/transport/rpc.js'
import { WorkTransport } from '../../../src/node/transport/work-transport.js'
import { RaftTransport } from '../../../src/node/transport/raft-transport.js'
import type { Message } from '../../../src/consensus/types.js'
import { toWire } from '../../../src/wire/raft-codec.js'
import { RaftMessage } from '../../../src/wire/proto/raft.js'
import { ADMIN_CALL, STATUS_CALL } from '../../../src/wire/calls.js'
import { ADMIN_ANONYMOUS_RATE, ADMIN_GRANTED_RATE, RAFT_FRAME_RATE, RAFT_PROTOCOL, STATUS_RATE, WORK_PROTOCOL } from '../../../src/wire/constants.js'
import { StatusResponse } from '../../../src/wire/proto/status.js'
import { WorkFrame, type WorkResponse } from '../../../src/wire/proto/work.js'
import { workRequest } from '../../../src/wire/work-codec.js'
import { until } from '../../until.js'

async function host (listen = false): Promise<Libp2p> {
  return await createLibp2p({
    privateKey: await generateKeyPair('Ed25519'),
    addresses: { listen: listen ? ['/ip4/127.0.0.1/tcp/0'] : [] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: { allow: ['/ip4/127.0.0.0/ipcidr/8'] }
  })
}

const silent = createLogger('silent')

/** Waits (polling) until `pred` holds; the test's own timeout bounds it. */
/** The services' clock: frozen, so no bucket refills while a test runs. */
const frozen = (): number => 1_000_000

describe('per-peer limits on a node\'s open protocols', () => {
  let server: Libp2p
  let addr: Multiaddr
  let registry: Registry
  let metrics: Metrics
  const clients: Libp2p[] = []
  const operatorKey = generateKeyPair('Ed25519')
  const grantedKey = generateKeyPair('Ed25519')
  const revokedKey = generateKeyPair('Ed25519')
  let access: AccessView & { grants: Map<string, Grant> }

  const counter = (name: string): number => statusCounters(registry).find(([n]) => n === name)?.[1] ?? 0

  /** A client host with `key` (default: a fresh, anonymous one). */
  async function client (key?: Awaited<typeof operatorKey>): Promise<Libp2p> {
    const c = await createLibp2p({
      privateKey: key ?? await generateKeyPair('Ed25519'),
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()]
    })
    clients.push(c)
    return c
  }

  beforeAll(async () => {
    server = await host(true)
    addr = server.getMultiaddrs()[0]!
    registry = new Registry()
    metrics = createMetrics(registry)
    access = {
      localOperators: new Set([peerIdFromPrivateKey(await operatorKey).toString()]),
      grants: new Map<string, Grant>([
        [peerIdFromPrivateKey(await grantedKey).toString(), { role: 'submitter', commands: false, index: 1 }],
        [peerIdFromPrivateKey(await revokedKey).toString(), { role: 'operator', commands: false, index: 2 }]
      ])
    }
    const consensus = {
      status: () => null,
      control: { config: new Map(), jobs: new Map(), grants: access.grants },
      propose: async () => { throw new Error('nothing is proposed in these tests') }
    }
    const components = {
      host: server as unknown as Host,
      log: silent,
      metrics,
      consensus: consensus as any,
      access,
      audit: { local: async () => {} } as any,
      quota: new SubmitQuota(0, () => false),
      now: frozen
    }
    await new AdminService(components).start()
    await new StatusService(components, () => StatusResponse.decode(new Uint8Array(0))).start()
  })

  afterEach(async () => {
    await Promise.all(clients.splice(0).map(async c => { await c.stop() }))
  })

  afterAll(async () => {
    await server?.stop()
  })

  /** Sends `n` whoami requests from `c`, 32 at a time (pipelined); returns the codes answered. */
  async function whoami (c: Libp2p, n: number): Promise<string[]> {
    const codes: string[] = []
    for (let i = 0; i < n; i += 32) {
      const batch = Array.from({ length: Math.min(32, n - i) }, async () => (await callWith(c, addr, { whoAmI: {} }, ADMIN_CALL)).code)
      codes.push(...await Promise.all(batch))
    }
    return codes
  }

  /** Asks for status `n` times in a row from `c`; returns how many were answered. */
  async function statuses (c: Libp2p, n: number): Promise<number> {
    let answered = 0
    for (let i = 0; i < n; i++) {
      await callWith(c, addr, { includePeers: false }, STATUS_CALL).then(() => { answered++ }, () => {})
    }
    return answered
  }

  it('answers an anonymous flood of admin requests with RATE_LIMITED beyond its burst, and counts it', async () => {
    const before = counter('rate_limited_total')
    const codes = await whoami(await client(), ADMIN_ANONYMOUS_RATE.burst + 30)
    expect(codes.filter(c => c === '').length).toBe(ADMIN_ANONYMOUS_RATE.burst)
    expect(codes.filter(c => c === 'RATE_LIMITED').length).toBe(30)
    expect(counter('rate_limited_total') - before).toBe(30)
  })

  it('says what happened and what to do in a RATE_LIMITED answer', async () => {
    const c = await client()
    await whoami(c, ADMIN_ANONYMOUS_RATE.burst)
    const res = await callWith(c, addr, { whoAmI: {} }, ADMIN_CALL)
    expect(res.code).toBe('RATE_LIMITED')
    expect(res.error).toMatch(/more admin requests than this node accepts from one key .*retry in a moment/)
  })

  it('keeps serving the local operator, unlimited, while an anonymous peer floods', async () => {
    const flood = whoami(await client(), 200)
    const local = await whoami(await client(await operatorKey), ADMIN_GRANTED_RATE.burst + 100)
    expect(local.every(c => c === '')).toBe(true)
    expect((await flood).filter(c => c === 'RATE_LIMITED').length).toBe(200 - ADMIN_ANONYMOUS_RATE.burst)
  })

  it('keeps serving another anonymous peer: each key has its own bucket', async () => {
    await whoami(await client(), ADMIN_ANONYMOUS_RATE.burst + 10)
    const other = await whoami(await client(), ADMIN_ANONYMOUS_RATE.burst)
    expect(other.every(c => c === '')).toBe(true)
  })

  it('gives a granted key the larger burst', async () => {
    const codes = await whoami(await client(await grantedKey), ADMIN_GRANTED_RATE.burst + 5)
    expect(codes.filter(c => c === '').length).toBe(ADMIN_GRANTED_RATE.burst)
    expect(codes.filter(c => c === 'RATE_LIMITED').length).toBe(5)
  })

  it('reads a caller\'s rights for each request on its call channel: a grant revoked meanwhile applies to the next call', async () => {
    const c = await client(await revokedKey)
    const before = await callWith(c, addr, { whoAmI: {} }, ADMIN_CALL)
    expect(before.whoAmI?.role).toBe('operator')
    access.grants.delete(peerIdFromPrivateKey(await revokedKey).toString())
    const after = await callWith(c, addr, { whoAmI: {} }, ADMIN_CALL)
    expect(after.whoAmI?.role).toBe('none')
    // Both calls went on the one channel stream the first one opened.
    const channels = c.getConnections().flatMap(conn => conn.streams).filter(st => st.protocol === ADMIN_CALL.channel)
    expect(channels).toHaveLength(1)
  })

  it('aborts status requests beyond a peer\'s burst, counts them, and still answers another client', async () => {
    const before = counter('rate_limited_total')
    expect(await statuses(await client(), STATUS_RATE.burst + 20)).toBe(STATUS_RATE.burst)
    expect(counter('rate_limited_total') - before).toBe(20)
    expect(await statuses(await client(), 10)).toBe(10)
  })

  it('tells a status client that is refused what may have happened and what to do', async () => {
    const c = await client()
    await statuses(c, STATUS_RATE.burst)
    await expect(fetchStatus({ peer: addr.toString() }, c)).rejects.toThrow(new RegExp(`ended the call without an answer.*asking more than ${STATUS_RATE.ratePerSec} a second: if this one polls that fast, slow down`))
  })

  it('never limits the local operator\'s status requests', async () => {
    expect(await statuses(await client(await operatorKey), STATUS_RATE.burst + 20)).toBe(STATUS_RATE.burst + 20)
  })
})

describe('the work protocol\'s cap on requests in flight per peer', () => {
  let server: Libp2p
  let peer: Libp2p
  let transport: WorkTransport
  let registry: Registry
  /** Requests the handler holds; each resolves when released. */
  const held: Array<() => void> = []

  beforeAll(async () => {
    server = await host(true)
    peer = await host()
    registry = new Registry()
    const handle = async (): Promise<WorkResponse> => {
      await new Promise<void>(resolve => { held.push(resolve) })
      return { ok: true, error: '', batches: [], remaining: 0, accepted: 1, abandoned: [], signalled: [] }
    }
    transport = new WorkTransport(server as unknown as Host, silent, createMetrics(registry), handle, () => true, 3)
    await transport.start()
  })

  afterAll(async () => {
    await transport?.stop()
    await peer?.stop()
    await server?.stop()
  })

  it('refuses requests beyond the cap at once, counts them, and serves again once some finish', async () => {
    const stream = await peer.dialProtocol(server.getMultiaddrs()[0]!, WORK_PROTOCOL)
    const pb = pbStream(stream)
    for (let id = 1n; id <= 5n; id++) await pb.write({ id, request: workRequest('deliver') }, WorkFrame)
    // The two over the cap come back first, refused, while three are still being handled.
    const refused = [await pb.read(WorkFrame), await pb.read(WorkFrame)]
    expect(refused.map(f => f.id).sort()).toEqual([4n, 5n])
    expect(refused.every(f => f.response?.ok === false && f.response.error.startsWith('RATE_LIMITED'))).toBe(true)
    expect(statusCounters(registry).find(([n]) => n === 'rate_limited_total')?.[1]).toBe(2)
    expect(held.length).toBe(3)
    held.splice(0).forEach(release => { release() })
    const served = [await pb.read(WorkFrame), await pb.read(WorkFrame), await pb.read(WorkFrame)]
    expect(served.map(f => f.id).sort()).toEqual([1n, 2n, 3n])
    expect(served.every(f => f.response?.ok === true)).toBe(true)
    // Below the cap again: the next request is handled.
    await pb.write({ id: 6n, request: workRequest('deliver') }, WorkFrame)
    await until('the held frame', () => held.length === 1)
    held.splice(0).forEach(release => { release() })
    expect((await pb.read(WorkFrame)).id).toBe(6n)
    await stream.close()
  })
})

describe('the raft transport\'s per-peer frame rate', () => {
  it('drops and counts frames beyond a peer\'s burst, and delivers those within it', async () => {
    const server = await host(true)
    const peer = await host()
    const registry = new Registry()
    const delivered: Message[] = []
    const transport = new RaftTransport(server as unknown as Host, silent, createMetrics(registry), msg => { delivered.push(msg) }, () => true, frozen)
    await transport.start()
    try {
      const from = peer.peerId.toString()
      const to = server.peerId.toString()
      const extra = 25
      const frames = Array.from({ length: RAFT_FRAME_RATE.burst + extra }, (_, i) => toWire({ type: 'heartbeat', from, to, term: 1, commit: i }))
      const pb = pbStream(await peer.dialProtocol(server.getMultiaddrs()[0]!, RAFT_PROTOCOL))
      await pb.writeV(frames, RaftMessage)
      const counter = (name: string): number => statusCounters(registry).find(([n]) => n === name)?.[1] ?? 0
      await until('every frame delivered or limited', () => delivered.length + counter('rate_limited_total') === frames.length)
      expect(delivered.length).toBe(RAFT_FRAME_RATE.burst)
      expect(counter('rate_limited_total')).toBe(extra)
      // The first burst got through in order; the flood's tail was dropped.
      expect(delivered.at(-1)).toMatchObject({ type: 'heartbeat', commit: RAFT_FRAME_RATE.burst - 1 })
    } finally {
      await transport.stop()
      await peer.stop()
      await server.stop()
    }
  })
})
