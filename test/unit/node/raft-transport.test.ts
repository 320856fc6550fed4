// The raft transport over real hosts built as the daemon builds them (createHost, libp2p's
// Prometheus metrics wired in): after the peer hangs up, what is sent next reaches it on a
// fresh stream, and nothing sent after the hang-up is lost. (Writes used to go to the closed
// stream: the first vanished, and the second failed, dropping the queue, or, with the metrics,
// never settled, so the peer heard nothing more at all: src/node/transport/raft-transport.ts
// says why.)
import { generateKeyPair } from '@libp2p/crypto/keys'
import { Registry } from 'prom-client'
import { afterEach, describe, expect, it } from 'vitest'
import type { Message } from '../../../src/consensus/types.js'
import { createLogger } from '../../../src/node/log.js'
import { createMetrics } from '../../../src/node/metrics.js'
import { createHost, type Host } from '../../../src/node/transport/host.js'
import { RaftTransport } from '../../../src/node/transport/raft-transport.js'
import { MessageType, RaftMessage } from '../../../src/wire/proto/raft.js'
import { pbStream } from 'it-protobuf-stream'
import { RAFT_PROTOCOL } from '../../../src/wire/constants.js'
import { MAX_VOUCH_BYTES, memberList, type Vouch } from '../../../src/healing/liveness.js'
import { until } from '../../until.js'

const silent = createLogger('silent')

async function node (): Promise<{ host: Host, registry: Registry }> {
  const registry = new Registry()
  const host = await createHost({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, registry })
  await host.start()
  return { host, registry }
}

/** Waits (polling) until `pred` holds, or fails saying what it waited for. */

describe('the raft transport after the peer hangs up', () => {
  const stops: Array<() => Promise<void>> = []
  afterEach(async () => { for (const stop of stops.splice(0).reverse()) await stop() })

  it('delivers messages sent back to back once the old stream is closed', async () => {
    const a = await node()
    const b = await node()
    const delivered: Message[] = []
    const sender = new RaftTransport(a.host, silent, createMetrics(a.registry), () => {})
    const receiver = new RaftTransport(b.host, silent, createMetrics(b.registry), msg => { delivered.push(msg) })
    await sender.start()
    await receiver.start()
    stops.push(async () => { await a.host.stop() }, async () => { await b.host.stop() }, async () => { await sender.stop() }, async () => { await receiver.stop() })
    const from = a.host.peerId.toString()
    const to = b.host.peerId.toString()
    const heartbeat = (commit: number): Message => ({ type: 'heartbeat', from, to, term: 1, commit })

    await a.host.dial(b.host.getMultiaddrs()[0]!)
    sender.send(heartbeat(1))
    await until('the first heartbeat', () => delivered.length === 1)

    // What the others do to a node they declare dead (MembershipService): its streams close
    // under the sender, which has not written since.
    await b.host.hangUp(a.host.peerId)
    await until('the sender to see the connection closed', () => a.host.getConnections(b.host.peerId).length === 0)

    // The second is queued while the first is being written: two writes in a row.
    sender.send(heartbeat(2))
    sender.send(heartbeat(3))
    await until('both heartbeats sent after the hang-up', () => delivered.some(m => m.type === 'heartbeat' && m.commit === 3))
    expect(delivered.map(m => m.type === 'heartbeat' ? m.commit : -1)).toEqual([1, 2, 3])
  })
})

/** A sender and a receiver on two unconnected hosts, stopped by `stops`; the sender asks `connect` for connections. */
async function unconnectedPair (stops: Array<() => Promise<void>>, connect: (peer: string) => boolean) {
  const a = await node()
  const b = await node()
  const delivered: Message[] = []
  const sender = new RaftTransport(a.host, silent, createMetrics(a.registry), () => {})
  sender.connect = connect
  const receiver = new RaftTransport(b.host, silent, createMetrics(b.registry), msg => { delivered.push(msg) })
  await sender.start()
  await receiver.start()
  stops.push(async () => { await a.host.stop() }, async () => { await b.host.stop() }, async () => { await sender.stop() }, async () => { await receiver.stop() })
  const heartbeat = (commit: number): Message => ({ type: 'heartbeat', from: a.host.peerId.toString(), to: b.host.peerId.toString(), term: 1, commit })
  return { a, b, sender, delivered, heartbeat }
}

describe('the raft transport with a dialer (connect)', () => {
  const stops: Array<() => Promise<void>> = []
  afterEach(async () => { for (const stop of stops.splice(0).reverse()) await stop() })

  it('does not dial a peer it has no connection to: it asks the dialer, drops the frame, and sends once the connection is open', async () => {
    const asked: string[] = []
    const { a, b, sender, delivered, heartbeat } = await unconnectedPair(stops, peer => { asked.push(peer); return true })
    sender.send(heartbeat(1))
    await until('the dialer asked for the peer', () => asked.length === 1)
    await new Promise(resolve => setTimeout(resolve, 200))
    expect(asked).toEqual([b.host.peerId.toString()])
    expect(a.host.getConnections(b.host.peerId)).toHaveLength(0)

    await a.host.dial(b.host.getMultiaddrs()[0]!)
    sender.send(heartbeat(2))
    await until('the heartbeat sent on the connection', () => delivered.length === 1)
    expect(delivered.map(m => m.type === 'heartbeat' ? m.commit : -1)).toEqual([2])
  })

  it('dials the peer itself when the dialer has no address for it', async () => {
    const { a, b, sender, delivered, heartbeat } = await unconnectedPair(stops, () => false)
    await a.host.peerStore.merge(b.host.peerId, { multiaddrs: b.host.getMultiaddrs() })
    sender.send(heartbeat(1))
    await until('the heartbeat sent on a connection of its own', () => delivered.length === 1)
  })
})

describe('pulses on the raft stream (src/healing/liveness.ts)', () => {
  const stops: Array<() => Promise<void>> = []
  afterEach(async () => { for (const stop of stops.splice(0).reverse()) await stop() })

  /** A sender and a receiver on two hosts, not connected; what the receiver delivers and hears as pulses. */
  async function pair (): Promise<{ a: Awaited<ReturnType<typeof node>>, b: Awaited<ReturnType<typeof node>>, delivered: Message[], pulses: string[], sender: RaftTransport }> {
    const a = await node()
    const b = await node()
    const delivered: Message[] = []
    const pulses: string[] = []
    const sender = new RaftTransport(a.host, silent, createMetrics(a.registry), () => {})
    const receiver = new RaftTransport(b.host, silent, createMetrics(b.registry), msg => { delivered.push(msg) })
    receiver.onPulse = peer => { pulses.push(peer) }
    await sender.start()
    await receiver.start()
    stops.push(async () => { await a.host.stop() }, async () => { await b.host.stop() }, async () => { await sender.stop() }, async () => { await receiver.stop() })
    return { a, b, delivered, pulses, sender }
  }

  it('reach the peer as a sign of life from the sender, never as a Raft message, between Raft messages', async () => {
    const { a, b, delivered, pulses, sender } = await pair()
    const from = a.host.peerId.toString()
    const to = b.host.peerId.toString()
    await a.host.dial(b.host.getMultiaddrs()[0]!)
    expect(sender.lastSentTo(to)).toBeUndefined()
    sender.pulse(to)
    sender.send({ type: 'heartbeat', from, to, term: 1, commit: 1 })
    sender.pulse(to)
    await until('two pulses and the heartbeat', () => pulses.length === 2 && delivered.length === 1)
    expect(pulses).toEqual([from, from])
    expect(delivered.map(m => m.type)).toEqual(['heartbeat'])
    expect(sender.lastSentTo(to)).toBeGreaterThan(0)
    expect(await counter(a.registry, 'pulses_sent_total')).toBe(2)
    expect(await counter(a.registry, 'raft_sent_total')).toBe(1)
    expect(await counter(b.registry, 'pulses_received_total')).toBe(2)
  })

  it('is ready for a pulse only with its stream open: warm opens it, sending nothing, and never dials', async () => {
    const { a, b, delivered, pulses, sender } = await pair()
    const to = b.host.peerId.toString()
    // No connection: warm neither dials nor asks for one.
    let asked = 0
    sender.connect = () => { asked++; return true }
    sender.warm(to)
    expect(sender.ready(to)).toBe(false)
    expect(a.host.getConnections(b.host.peerId)).toHaveLength(0)
    expect(asked).toBe(0)
    await a.host.dial(b.host.getMultiaddrs()[0]!)
    expect(sender.ready(to)).toBe(false)
    sender.warm(to)
    await until('the stream open', () => sender.ready(to))
    expect(sender.lastSentTo(to)).toBeUndefined()
    expect(await counter(a.registry, 'pulses_sent_total')).toBe(0)
    sender.pulse(to)
    await until('the pulse', () => pulses.length === 1)
    expect(delivered).toHaveLength(0)
    expect(asked).toBe(0)
  })

  it('drops a pulse that speaks for another peer or is addressed to another, and counts it', async () => {
    const a = await node()
    const b = await node()
    const pulses: string[] = []
    const receiver = new RaftTransport(b.host, silent, createMetrics(b.registry), () => {})
    receiver.onPulse = peer => { pulses.push(peer) }
    await receiver.start()
    stops.push(async () => { await a.host.stop() }, async () => { await b.host.stop() }, async () => { await receiver.stop() })
    const self = a.host.peerId.toString()
    const to = b.host.peerId.toString()
    const other = (await node())
    stops.push(async () => { await other.host.stop() })
    const stranger = other.host.peerId.toString()
    const stream = await a.host.dialProtocol(b.host.getMultiaddrs()[0]!, RAFT_PROTOCOL)
    const pb = pbStream(stream)
    const frame = (from: string, dest: string): RaftMessage => ({ type: MessageType.PULSE, from, to: dest, term: 0, prevIndex: 0, prevTerm: 0, entries: [], commit: 0, index: 0, reject: false, rejectHint: 0, hintTerm: 0, certRequired: false, lastLogIndex: 0, lastLogTerm: 0, transfer: false, chain: [], quiet: false })
    await pb.write(frame(stranger, to), RaftMessage)
    await pb.write(frame(self, stranger), RaftMessage)
    await pb.write(frame(self, to), RaftMessage)
    await until('the good pulse', () => pulses.length === 1)
    expect(pulses).toEqual([self])
    expect(await counter(b.registry, 'raft_rejected_total')).toBe(2)
    expect(await counter(b.registry, 'pulses_received_total')).toBe(1)
  })
})

describe('vouches on the raft stream (src/healing/liveness.ts)', () => {
  const stops: Array<() => Promise<void>> = []
  afterEach(async () => { for (const stop of stops.splice(0).reverse()) await stop() })

  async function pair () {
    const a = await node()
    const b = await node()
    const delivered: Message[] = []
    const vouched: Array<{ leader: string, members: string[] }> = []
    const sender = new RaftTransport(a.host, silent, createMetrics(a.registry), () => {})
    const receiver = new RaftTransport(b.host, silent, createMetrics(b.registry), msg => { delivered.push(msg) })
    receiver.onVouched = (leader, members) => { vouched.push({ leader, members }) }
    await sender.start()
    await receiver.start()
    stops.push(async () => { await a.host.stop() }, async () => { await b.host.stop() }, async () => { await sender.stop() }, async () => { await receiver.stop() })
    const from = a.host.peerId.toString()
    const to = b.host.peerId.toString()
    const list = memberList([from, to, 'x-member'])
    await a.host.dial(b.host.getMultiaddrs()[0]!)
    return { a, b, from, to, list, sender, receiver, delivered, vouched }
  }

  it('a frame to a follower carries the leader\'s vouch at most every VOUCH_GAP_MS; the follower of that leader reads it, the core never sees it', async () => {
    const t = await pair()
    const asked: string[] = []
    const vouch: Vouch = { members: t.list.hash, heard: new Uint8Array([0]) }
    t.list.ids.forEach((id, i) => { if (id !== t.from) vouch.heard[0] = vouch.heard[0]! | (1 << i) })
    t.sender.vouchFor = peer => { asked.push(peer); return vouch }
    t.receiver.followed = () => ({ leader: t.from, list: t.list })
    t.sender.pulse(t.to) // a pulse never carries one
    t.sender.send({ type: 'heartbeat', from: t.from, to: t.to, term: 1, commit: 1 })
    await until('the first heartbeat', () => t.delivered.length === 1)
    t.sender.send({ type: 'heartbeat', from: t.from, to: t.to, term: 1, commit: 2 })
    await until('the second heartbeat', () => t.delivered.length === 2)
    expect(asked).toEqual([t.to])
    expect(t.vouched).toEqual([{ leader: t.from, members: [t.to, 'x-member'].sort() }])
    expect(t.delivered.map(m => m.type)).toEqual(['heartbeat', 'heartbeat'])
    expect(t.receiver.lastHeardFrom(t.from)).toBeGreaterThan(0)
    expect(await counter(t.a.registry, 'vouches_sent_total')).toBe(1)
    expect(await counter(t.b.registry, 'vouches_received_total')).toBe(1)
    expect(await counter(t.b.registry, 'members_vouched_total')).toBe(2)
  })

  it('ignores a vouch from a node it does not follow, or over another member list, and counts it', async () => {
    const t = await pair()
    t.sender.vouchFor = () => ({ members: t.list.hash, heard: new Uint8Array([0b110]) })
    let followed: { leader: string | null, list: typeof t.list } | undefined = { leader: 'someone-else', list: t.list }
    t.receiver.followed = () => followed
    const beat = async (commit: number): Promise<void> => {
      t.sender.send({ type: 'heartbeat', from: t.from, to: t.to, term: 1, commit })
      await until(`heartbeat ${commit}`, () => t.delivered.length === commit)
      await new Promise(resolve => setTimeout(resolve, 520)) // past VOUCH_GAP_MS
    }
    await beat(1)
    followed = { leader: null, list: t.list } // this node leads
    await beat(2)
    followed = { leader: t.from, list: memberList([t.from, t.to]) }
    await beat(3)
    followed = undefined // in no cluster
    await beat(4)
    expect(t.vouched).toEqual([])
    expect(await counter(t.b.registry, 'vouches_ignored_total')).toBe(4)
    expect(await counter(t.b.registry, 'vouches_received_total')).toBe(0)
  })

  it('rejects a malformed or oversize vouch with a counter, delivers the frame, and the stream goes on; a throwing reader breaks nothing', async () => {
    const t = await pair()
    t.receiver.followed = () => ({ leader: t.from, list: t.list })
    const stream = await t.a.host.dialProtocol(t.b.host.getMultiaddrs()[0]!, RAFT_PROTOCOL)
    const pb = pbStream(stream)
    const frame = (commit: number, vouch?: Vouch): RaftMessage => ({ type: MessageType.HEARTBEAT, from: t.from, to: t.to, term: 1, prevIndex: 0, prevTerm: 0, entries: [], commit, index: 0, reject: false, rejectHint: 0, hintTerm: 0, certRequired: false, lastLogIndex: 0, lastLogTerm: 0, transfer: false, chain: [], quiet: false, vouch })
    await pb.write(frame(1, { members: t.list.hash, heard: new Uint8Array(2) }), RaftMessage) // 3 members: 1 byte
    await pb.write(frame(2, { members: t.list.hash, heard: new Uint8Array([0b1000]) }), RaftMessage) // bit 3 of 3
    await pb.write(frame(3, { members: t.list.hash, heard: new Uint8Array(MAX_VOUCH_BYTES + 1) }), RaftMessage)
    await until('three frames', () => t.delivered.length === 3)
    t.receiver.onVouched = () => { throw new Error('reader failed') }
    await pb.write(frame(4, { members: t.list.hash, heard: new Uint8Array([0b010]) }), RaftMessage)
    await until('the fourth frame', () => t.delivered.length === 4)
    t.receiver.onVouched = (leader, members) => { t.vouched.push({ leader, members }) }
    await pb.write(frame(5, { members: t.list.hash, heard: new Uint8Array([0b100]) }), RaftMessage)
    await until('the fifth frame', () => t.delivered.length === 5)
    expect(t.vouched.length).toBe(1)
    expect(t.vouched[0]!.members).toEqual([t.list.ids[2]])
    expect(await counter(t.b.registry, 'vouches_rejected_total')).toBe(3)
    expect(await counter(t.b.registry, 'vouches_received_total')).toBe(2)
  })
})

async function counter (registry: Registry, name: string): Promise<number> {
  const m = registry.getSingleMetric(name)
  return m == null ? NaN : ((await m.get()).values[0]?.value ?? 0)
}

