// The membership shell's one detector timer (Membership.arm): armed for the detector's next
// deadline, none while nothing is pending, re-armed as heartbeats move the deadline.
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { performance } from 'node:perf_hooks'
import { describe, expect, it, vi } from 'vitest'
import { idleState, onFakeClock, quietMembership } from './membership-fixture.js'
import { RELAY_AFTER_CHANGE_MS, peerTag } from '../../../src/healing/relay.js'
import { encodeHeartbeat, type Heartbeat } from '../../../src/wire/heartbeat-codec.js'
import { heartbeatTopic } from '../../../src/wire/constants.js'

const PROBE_AFTER_MS = 3_000

function membership () {
  const pings: Array<{ peer: string, at: number }> = []
  /** What host.getConnections(peer) answers, for every peer. */
  const connections: unknown[] = []
  const host = {
    peerId: { toString: () => 'self' },
    getMultiaddrs: () => [],
    getConnections: () => connections,
    peerStore: { merge: async () => {} },
    hangUp: async () => {},
    // A probe finds no open connection here, so it dials the peer (pingPeer).
    dial: async (peer: { toString: () => string }) => {
      pings.push({ peer: peer.toString(), at: performance.now() })
      return await new Promise(() => {}) // never answers: the detector waits on it
    },
    services: {
      pubsub: { publish: async () => {} }
    }
  }
  // This node and its peer belong to a cluster that has a leader: a peer of a forming cluster
  // that was never connected to is not probed for silence at all (failure-detector.ts).
  const m = quietMembership(host, { probeAfterMs: PROBE_AFTER_MS, localState: () => ({ ...idleState(), term: 2n, leader: 'leader' }) })
  let seq = 0n
  const heartbeat = (from: ReturnType<typeof peerIdFromPrivateKey>, advertise: Partial<Heartbeat> = {}): void => {
    const hb: Heartbeat = { mesh: 'test', name: 'p', version: '0', addrs: [], incarnation: 1n, seq: ++seq, load: 0, queued: 0, slots: 1, draining: false, capabilities: [], role: 'follower', term: 2n, leader: 'leader', uptimeMs: 0n, leaving: false, bootstrapSet: [], fullyConnected: false, framesAlive: false, direct: [], ...advertise }
    ;(m as any).onMessage({ detail: { type: 'signed', topic: heartbeatTopic('test'), from, data: encodeHeartbeat(hb) } })
  }
  return { m, pings, heartbeat, connections }
}

describe('Membership detector timer', () => {
  onFakeClock()

  it('arms no timer while nothing is pending', () => {
    const { m } = membership()
    ;(m as any).drain()
    expect(vi.getTimerCount()).toBe(0)
  })

  it('arms one timer at probeAfterMs after a heartbeat, and re-arms it as heartbeats arrive', async () => {
    const { pings, heartbeat } = membership()
    const peer = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    heartbeat(peer)
    expect(vi.getTimerCount()).toBe(1)
    // Heartbeats every second for a minute: never probed; the timer wakes about once per
    // probeAfterMs, not every 25 ms.
    for (let i = 0; i < 60; i++) {
      await vi.advanceTimersByTimeAsync(1_000)
      heartbeat(peer)
      expect(vi.getTimerCount()).toBe(1)
    }
    expect(pings).toEqual([])
    // Silence: probed probeAfterMs after the last heartbeat, to the millisecond.
    const last = performance.now()
    await vi.advanceTimersByTimeAsync(PROBE_AFTER_MS + 10)
    expect(pings.map(p => p.at - last)).toEqual([PROBE_AFTER_MS])
    // The probe is outstanding (it never answers here): no detector timer until its result,
    // only the probe's own timeout (timeoutAfterPoll).
    expect(vi.getTimerCount()).toBe(1)
  })

  it('probes a silent peer later while its own timers fire late (healing/lag.ts), at the configured time again once the lag is over', async () => {
    const { m, pings, heartbeat } = membership()
    const peer = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    // performance.now() runs `stall` ms ahead of the timers: each timer then fires that late.
    let stall = 0
    vi.spyOn(performance, 'now').mockImplementation(() => Date.now() + stall)
    heartbeat(peer)
    await vi.advanceTimersByTimeAsync(1_000)
    heartbeat(peer)
    stall = 2_000 // the loop stalls 2 s: the timer armed for 3 s after the first heartbeat fires that late
    await vi.advanceTimersByTimeAsync(2_000)
    expect(m.detector.allowance).toBe(PROBE_AFTER_MS) // 2 × 2 s, capped at probe-after
    heartbeat(peer)
    const last = performance.now()
    await vi.advanceTimersByTimeAsync(2 * PROBE_AFTER_MS + 10)
    expect(pings.map(p => p.at - last)).toEqual([2 * PROBE_AFTER_MS])
    // No lag for a while (each heartbeat re-arms the timer, which fires on time): configured again.
    const { pings: pings2, heartbeat: heartbeat2, m: m2 } = membership()
    heartbeat2(peer)
    ;(m2 as any).lagged(1_000, performance.now())
    expect(m2.detector.allowance).toBe(2_000)
    for (let i = 0; i < 40; i++) {
      await vi.advanceTimersByTimeAsync(1_000)
      heartbeat2(peer)
    }
    expect(m2.detector.allowance).toBe(0)
    const last2 = performance.now()
    await vi.advanceTimersByTimeAsync(PROBE_AFTER_MS + 10)
    expect(pings2.map(p => p.at - last2)).toEqual([PROBE_AFTER_MS])
  })

  it('wakes about once per probeAfterMs on an idle mesh, not every 25 ms', async () => {
    const { m, heartbeat } = membership()
    const peers = await Promise.all([1, 2, 3].map(async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519'))))
    let ticks = 0
    const detector = m.detector
    const orig = detector.tick.bind(detector)
    detector.tick = (now: number) => { ticks++; orig(now) }
    for (let i = 0; i < 60; i++) {
      for (const p of peers) heartbeat(p)
      await vi.advanceTimersByTimeAsync(1_000)
    }
    // 60 s: the old 25 ms tick ran 2 400 times.
    expect(ticks).toBeLessThanOrEqual(60 / ((PROBE_AFTER_MS - 1_000) / 1_000) + 2)
  })

  it('stop() clears the timer', async () => {
    const { m, heartbeat } = membership()
    heartbeat(peerIdFromPrivateKey(await generateKeyPair('Ed25519')))
    expect(vi.getTimerCount()).toBe(1)
    ;(m as any).host.services.pubsub.removeEventListener = () => {}
    ;(m as any).host.services.pubsub.topicValidators = new Map()
    ;(m as any).host.removeEventListener = () => {}
    m.stop()
    expect(vi.getTimerCount()).toBe(0)
  })
})

describe('Membership.revision (what the founding check waits on)', () => {
  it('moves on a new member, a state change and a new term or founding set; not on a routine heartbeat', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] })
    vi.spyOn(performance, 'now').mockImplementation(() => Date.now())
    try {
      const { m, heartbeat } = membership()
      const peer = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
      const r0 = m.revision
      heartbeat(peer)
      const r1 = m.revision
      expect(r1).toBeGreaterThan(r0) // a member added
      for (let i = 0; i < 5; i++) {
        vi.advanceTimersByTime(1000)
        heartbeat(peer, { load: i }) // load, seq: nothing founding reads
      }
      expect(m.revision).toBe(r1)
      heartbeat(peer, { bootstrapSet: ['a', 'b'] })
      const r2 = m.revision
      expect(r2).toBeGreaterThan(r1)
      heartbeat(peer, { bootstrapSet: ['a', 'b'] })
      expect(m.revision).toBe(r2)
      heartbeat(peer, { bootstrapSet: ['a', 'b'], term: 1n })
      const r3 = m.revision
      expect(r3).toBeGreaterThan(r2)
      // leaving: a state change, though term and founding set stay
      heartbeat(peer, { bootstrapSet: ['a', 'b'], term: 1n, leaving: true })
      expect(m.detector.get(peer.toString())?.state).toBe('left')
      expect(m.revision).toBeGreaterThan(r3)
    } finally {
      vi.restoreAllMocks()
      vi.useRealTimers()
    }
  })
})

describe('Membership relays gossip only while needed (healing/relay.ts)', () => {
  it('sends IHAVE for heartbeats only while a relay is needed; other topics as gossipsub does', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] })
    vi.spyOn(performance, 'now').mockImplementation(() => Date.now())
    try {
      const { m, heartbeat, connections } = membership()
      const emitted: Array<Map<string, Set<string>>> = []
      const pubsub = { selectPeersToForward: (_topic: string) => new Set<string>(), emitGossip: (byTopic: Map<string, Set<string>>) => { emitted.push(byTopic) } }
      const original = pubsub.emitGossip
      ;(m as any).hookRelay(pubsub)
      const topic = heartbeatTopic('test')
      const gossipTo = (): string[] => {
        pubsub.emitGossip(new Map([[topic, new Set(['c'])], ['another-topic', new Set(['d'])]]))
        return [...emitted.at(-1)!.keys()]
      }
      const peer = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
      heartbeat(peer, { fullyConnected: true })
      expect(gossipTo()).toEqual([topic, 'another-topic']) // a member just added: a change
      vi.advanceTimersByTime(RELAY_AFTER_CHANGE_MS)
      heartbeat(peer, { fullyConnected: true })
      expect(gossipTo()).toEqual([topic, 'another-topic']) // no connection to it from here
      connections.push({ status: 'open' })
      expect(gossipTo()).toEqual(['another-topic']) // settled: no IHAVE for heartbeats
      heartbeat(peer, { fullyConnected: false })
      expect(gossipTo()).toEqual([topic, 'another-topic']) // it lacks a link
      ;(m as any).unhookRelay()
      expect(pubsub.emitGossip).toBe(original)
    } finally {
      vi.restoreAllMocks()
      vi.useRealTimers()
    }
  })

  it('forwards heartbeats to mesh peers until every member is connected and says so, and again after a change', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] })
    vi.spyOn(performance, 'now').mockImplementation(() => Date.now())
    try {
      const { m, heartbeat, connections } = membership()
      const mesh = new Set(['a', 'b'])
      const pubsub = { selectPeersToForward: (_topic: string) => mesh }
      ;(m as any).hookRelay(pubsub)
      const topic = heartbeatTopic('test')
      const forwardsTo = (): Set<string> => pubsub.selectPeersToForward(topic)
      const peer = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
      heartbeat(peer, { fullyConnected: true })
      expect(forwardsTo()).toBe(mesh) // a member just added: a change
      vi.advanceTimersByTime(RELAY_AFTER_CHANGE_MS)
      heartbeat(peer, { fullyConnected: true })
      expect(forwardsTo()).toBe(mesh) // no connection to it from here
      connections.push({ status: 'closed' })
      expect(forwardsTo()).toBe(mesh) // only one that closed, still listed by libp2p: not connected
      connections.push({ status: 'open' })
      expect(forwardsTo().size).toBe(0) // connected, and it says it is fully connected
      expect(pubsub.selectPeersToForward('another-topic')).toBe(mesh)
      heartbeat(peer, { fullyConnected: false })
      expect(forwardsTo()).toBe(mesh) // it lacks a link: relay for it
      heartbeat(peer, { fullyConnected: true })
      expect(forwardsTo().size).toBe(0)
      const other = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
      heartbeat(other, { fullyConnected: true })
      expect(forwardsTo()).toBe(mesh) // a new member: a change
      ;(m as any).unhookRelay()
      vi.advanceTimersByTime(RELAY_AFTER_CHANGE_MS)
      expect(forwardsTo()).toBe(mesh)
    } finally {
      vi.restoreAllMocks()
      vi.useRealTimers()
    }
  })

  it('while relaying, forwards a heartbeat only to the mesh peers that do not say they hear its author directly', async () => {
    const { m, heartbeat } = membership()
    const [author, other, a, b] = await Promise.all([0, 1, 2, 3].map(async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519'))))
    const topic = heartbeatTopic('test')
    const mesh = [a!.toString(), b!.toString(), 'never-heard']
    const sent: string[][] = []
    const pubsub = {
      selectPeersToForward: (_topic: string) => new Set(mesh),
      // gossipsub's: picks the peers (through the hooked selectPeersToForward) and sends
      forwardMessage (this: any, _id: string, raw: { from: Uint8Array, topic: string }, from: string) { sent.push([...this.selectPeersToForward(raw.topic, from)]) }
    }
    const original = pubsub.forwardMessage
    ;(m as any).hookRelay(pubsub)
    const forward = (by: typeof author): string[] => {
      pubsub.forwardMessage('id', { from: by!.toMultihash().bytes, topic }, 'source')
      return sent.at(-1)!
    }
    // a lists the author among the members it hears directly; b lists someone else
    heartbeat(a!, { direct: [peerTag(author!.toMultihash().bytes)] })
    heartbeat(b!, { direct: [12345] })
    // relays are on (members just added): the author's heartbeat goes to b and to the peer never heard, not to a
    expect(forward(author)).toEqual([b!.toString(), 'never-heard'])
    expect(forward(other)).toEqual(mesh)
    // a lost its link to the author: its next heartbeat no longer lists it
    heartbeat(a!, { direct: [] })
    expect(forward(author)).toEqual(mesh)
    // not forwarding a message (nothing says whose): every mesh peer
    heartbeat(a!, { direct: [peerTag(author!.toMultihash().bytes)] })
    expect([...pubsub.selectPeersToForward(topic)]).toEqual(mesh)
    ;(m as any).unhookRelay()
    expect(pubsub.forwardMessage).toBe(original)
  })
})
