// Frames as liveness in the membership shell (src/healing/liveness.ts): a quiet heartbeat
// leaves out a peer this node just sent a Raft frame, if that peer counts frames as signs of
// life and got the content the heartbeat repeats; any change goes to everyone; and a frame
// received (heardFrom) keeps a peer from being probed for silence.
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { performance } from 'node:perf_hooks'
import { describe, expect, it, vi } from 'vitest'
import { onFakeClock, idleState, quietMembership } from './membership-fixture.js'
import { RELAY_AFTER_CHANGE_MS } from '../../../src/healing/relay.js'
import { decodeHeartbeat, encodeHeartbeat, type Heartbeat } from '../../../src/wire/heartbeat-codec.js'
import { heartbeatTopic } from '../../../src/wire/constants.js'

const TOPIC = heartbeatTopic('test')

async function setup () {
  const a = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
  const b = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
  const topicPeers = new Set([a.toString(), b.toString()])
  /** Each heartbeat this node published, with the peers gossipsub sent it to. */
  const sent: Array<{ to: string[], hb: Heartbeat }> = []
  const pubsub = {
    topicValidators: new Map(),
    addEventListener () {},
    removeEventListener () {},
    subscribe () {},
    selectPeersToForward: () => new Set<string>(),
    emitGossip: () => {},
    selectPeersToPublish (_topic: string) { return { tosend: new Set(topicPeers), tosendCount: {} } },
    // As gossipsub: the message is built and signed (an await) before the recipients are picked.
    async publish (topic: string, data: Uint8Array) {
      await Promise.resolve()
      const { tosend } = pubsub.selectPeersToPublish(topic)
      const v = decodeHeartbeat(data, 'test')
      if (v.ok) sent.push({ to: [...tosend].sort(), hb: v.heartbeat })
      return { recipients: [...tosend].map(id => ({ toString: () => id })) }
    }
  }
  const host = Object.assign(new EventTarget(), {
    peerId: { toString: () => 'self' },
    getMultiaddrs: () => [],
    getConnections: () => [{ status: 'open' }],
    peerStore: { merge: async () => {} },
    hangUp: async () => {},
    services: { pubsub }
  })
  let state = idleState()
  /** What the shell logged at warn (suspicions, deaths). */
  const warned: Array<Record<string, unknown>> = []
  const log = { debug () {}, info () {}, trace () {}, isLevelEnabled () { return true }, warn (o: Record<string, unknown>) { warned.push(o) } }
  const m = quietMembership(host, { heartbeatMs: 1000, localState: () => state }, { log })
  const framesTo = new Map<string, number>()
  m.frames = { sentAt: peer => framesTo.get(peer), canPulse: () => false, pulse: () => { throw new Error('no pulses here') } }
  let seq = 0n
  const heartbeat = (from: typeof a, framesAlive: boolean, incarnation = 1n, extra: Partial<Heartbeat> = {}): void => {
    const hb: Heartbeat = { mesh: 'test', name: 'p', version: '0', addrs: [], incarnation, seq: ++seq, load: 0, queued: 0, slots: 1, draining: false, capabilities: [], role: 'follower', term: 0n, leader: '', uptimeMs: 0n, leaving: false, bootstrapSet: [], fullyConnected: true, framesAlive, quietMs: 1000, direct: [], ...extra }
    ;(m as any).onMessage({ detail: { type: 'signed', topic: TOPIC, from, data: encodeHeartbeat(hb) } })
  }
  return { a: a.toString(), b: b.toString(), aId: a, bId: b, m, sent, framesTo, heartbeat, topicPeers, warned, setState: (s: typeof state) => { state = s } }
}

describe('frames as liveness in the membership shell', () => {
  onFakeClock()

  it('leaves a peer that gets frames out of quiet heartbeats, until the frames stop or something changes', async () => {
    const t = await setup()
    await t.m.start()
    t.heartbeat(t.aId, true) // a counts frames
    t.heartbeat(t.bId, false) // b is an older node
    // Settle: no recent change, everyone connected and saying so; peers keep heartbeating.
    let ticks = 0
    const tickPeers = async (ms: number, frames: boolean): Promise<void> => {
      for (let i = 0; i < ms / 200; i++) {
        await vi.advanceTimersByTimeAsync(200)
        const now = performance.now()
        if (frames) { t.framesTo.set(t.a, now); t.framesTo.set(t.b, now) }
        if (++ticks % 10 === 0) { t.heartbeat(t.aId, true); t.heartbeat(t.bId, false) }
      }
    }
    await tickPeers(RELAY_AFTER_CHANGE_MS + 3000, true)
    const both = [t.a, t.b].sort()
    // Settled, with frames to both: quiet heartbeats go to b only (a counts the frames).
    t.sent.length = 0
    await tickPeers(6000, true)
    expect(t.sent.length).toBeGreaterThanOrEqual(2)
    for (const s of t.sent) expect(s.to).toEqual([t.b])
    // A change goes to everyone at the next interval, frames or not.
    t.sent.length = 0
    t.setState({ ...idleState(), queued: 3 })
    await tickPeers(1000, true)
    expect(t.sent.map(s => s.to)).toEqual([both])
    // ...and the next quiet one, repeating it, leaves a out again.
    await tickPeers(2000, true)
    expect(t.sent.at(-1)!.to).toEqual([t.b])
    // The frames stop: the next quiet heartbeat goes to a again.
    t.sent.length = 0
    await tickPeers(4000, false)
    expect(t.sent.length).toBeGreaterThanOrEqual(1)
    for (const s of t.sent) expect(s.to).toEqual(both)
    t.m.stop()
  })

  it('leaves nobody out while a relay may be needed, nor a peer that missed the content', async () => {
    const t = await setup()
    await t.m.start()
    t.heartbeat(t.aId, true)
    t.heartbeat(t.bId, true)
    const frames = (): void => { const now = performance.now(); t.framesTo.set(t.a, now); t.framesTo.set(t.b, now) }
    for (let i = 0; i < 40; i++) {
      await vi.advanceTimersByTimeAsync(200)
      frames()
      if (i % 10 === 9) { t.heartbeat(t.aId, true); t.heartbeat(t.bId, true) }
    }
    t.sent.length = 0
    // A new member joins: a change (relays needed for RELAY_AFTER_CHANGE_MS), and it was not
    // among the recipients of the last full heartbeat.
    const c = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    t.topicPeers.add(c.toString())
    t.heartbeat(c, true)
    for (let i = 0; i < 20; i++) {
      await vi.advanceTimersByTimeAsync(200)
      frames()
      t.framesTo.set(c.toString(), performance.now())
    }
    expect(t.sent.length).toBeGreaterThanOrEqual(1)
    for (const s of t.sent) expect(s.to).toEqual([t.a, t.b, c.toString()].sort())
    t.m.stop()
  })

  it('sends a pulse instead of a quiet heartbeat to a peer that counts frames and got no other frame', async () => {
    const t = await setup()
    const pulses: Array<{ to: string, at: number }> = []
    t.m.frames = { ...t.m.frames!, canPulse: () => true, pulse: peer => { pulses.push({ to: peer, at: performance.now() }) } }
    await t.m.start()
    t.heartbeat(t.aId, true)
    t.heartbeat(t.bId, false)
    for (let i = 0; i < (RELAY_AFTER_CHANGE_MS + 9000) / 200; i++) {
      await vi.advanceTimersByTimeAsync(200)
      if (i % 10 === 9) { t.heartbeat(t.aId, true); t.heartbeat(t.bId, false) }
    }
    // The last 8 s: a quiet interval is 2 s, so 4 heartbeats, each to b only, and a pulse to a with each.
    const from = performance.now() - 8000
    const recent = t.sent.filter((_s, i) => i >= t.sent.length - 4)
    for (const s of recent) expect(s.to).toEqual([t.b])
    const recentPulses = pulses.filter(p => p.at > from)
    expect(recentPulses.length).toBe(4)
    for (const p of recentPulses) expect(p.to).toBe(t.a)
    // A change: the heartbeat goes to both, and no pulse with it.
    const before = pulses.length
    t.setState({ ...idleState(), queued: 1 })
    await vi.advanceTimersByTimeAsync(1000)
    expect(t.sent.at(-1)!.to).toEqual([t.a, t.b].sort())
    expect(pulses.length).toBe(before)
    t.m.stop()
  })

  it('asks for a pulse channel only for a peer no frame covers, and heartbeats it while there is none', async () => {
    const t = await setup()
    const asked: string[] = []
    let ready = false
    const pulses: string[] = []
    t.m.frames = { ...t.m.frames!, canPulse: peer => { asked.push(peer); return ready }, pulse: peer => { pulses.push(peer) } }
    await t.m.start()
    const tick = async (ms: number, frames: boolean): Promise<void> => {
      for (let i = 0; i < ms / 200; i++) {
        await vi.advanceTimersByTimeAsync(200)
        if (frames) t.framesTo.set(t.a, performance.now())
        if (i % 10 === 9) { t.heartbeat(t.aId, true); t.heartbeat(t.bId, false) }
      }
    }
    t.heartbeat(t.aId, true)
    t.heartbeat(t.bId, false)
    await tick(RELAY_AFTER_CHANGE_MS + 3000, true)
    // Frames to a cover it: its pulse channel is never asked for (asking may open a stream).
    asked.length = 0
    t.sent.length = 0
    await tick(4000, true)
    expect(asked).toEqual([])
    for (const s of t.sent) expect(s.to).toEqual([t.b])
    // The frames stop and no stream is open yet: a gets the heartbeat, no pulse.
    t.sent.length = 0
    await tick(4000, false)
    expect(asked.length).toBeGreaterThanOrEqual(1)
    expect(pulses).toEqual([])
    for (const s of t.sent) expect(s.to).toEqual([t.a, t.b].sort())
    // Once the stream is open, a pulse stands for it.
    ready = true
    t.sent.length = 0
    await tick(4000, false)
    expect(pulses.length).toBeGreaterThanOrEqual(1)
    for (const s of t.sent) expect(s.to).toEqual([t.b])
    t.m.stop()
  })

  it('sends the heartbeat again to a peer whose connection closed or that restarted, until one reached it', async () => {
    const t = await setup()
    const pulses: string[] = []
    t.m.frames = { ...t.m.frames!, canPulse: () => true, pulse: peer => { pulses.push(peer) } }
    await t.m.start()
    let aIncarnation = 1n
    const beat = (): void => { t.heartbeat(t.aId, true, aIncarnation); t.heartbeat(t.bId, true) }
    beat()
    const run = async (ms: number): Promise<void> => {
      for (let i = 0; i < ms / 200; i++) {
        await vi.advanceTimersByTimeAsync(200)
        if (i % 10 === 9) beat()
      }
    }
    await run(RELAY_AFTER_CHANGE_MS + 5000)
    expect(t.sent.at(-1)!.to).toEqual([]) // settled: pulses to both, the heartbeat to nobody
    // a's connection closes and opens again (no restart): the next quiet heartbeat goes to it,
    // and the one after that to nobody again.
    ;(t.m as any).onDisconnect({ detail: t.aId })
    ;(t.m as any).onConnect({ detail: t.aId })
    t.sent.length = 0
    pulses.length = 0
    await run(RELAY_AFTER_CHANGE_MS + 5000)
    expect(t.sent.some(s => s.to.includes(t.a))).toBe(true)
    expect(t.sent.at(-1)!.to).toEqual([])
    // a restarts (a new incarnation): the same.
    aIncarnation = 2n
    beat()
    t.sent.length = 0
    await run(RELAY_AFTER_CHANGE_MS + 5000)
    expect(t.sent.some(s => s.to.includes(t.a))).toBe(true)
    expect(t.sent.at(-1)!.to).toEqual([])
    t.m.stop()
  })

  it('a frame received keeps a live peer from being probed for silence', async () => {
    const t = await setup()
    await t.m.start()
    t.heartbeat(t.aId, true)
    for (let i = 0; i < 30; i++) {
      await vi.advanceTimersByTimeAsync(600)
      t.m.heardFrom(t.a)
    }
    const member = t.m.detector.get(t.a)!
    expect(member.state).toBe('alive')
    expect(member.lastHeardAt).toBe(performance.now())
    expect(member.probing).toBe(false)
    // Its uptime as of now, not as its one heartbeat said 18 s ago (the incident log's evidence).
    expect(t.m.heartbeatOf(t.a)!.uptimeMs).toBe(0n)
    expect(t.m.uptimeOf(t.a)).toBe(30 * 600)
    expect(t.m.uptimeOf('someone-else')).toBeUndefined()
    t.m.stop()
  })

  it('a follower its leader vouches for sends a fellow follower no pulse at rest; pulses come back when the vouches stop', async () => {
    // a leads; this node ('self') and b follow it over the same member list.
    const t = await setup()
    const H = 0xabcdef
    t.setState({ ...idleState(), leader: t.a, vouchMembers: H })
    const pulses: Array<{ to: string, at: number }> = []
    const framesTo = t.framesTo
    t.m.frames = { ...t.m.frames!, canPulse: () => true, pulse: peer => { pulses.push({ to: peer, at: performance.now() }) } }
    await t.m.start()
    let vouching = true
    let bVouched = true
    const beat = (): void => {
      t.heartbeat(t.aId, true, 1n, { role: 'leader', leader: t.a, vouchMembers: H })
      t.heartbeat(t.bId, true, 1n, { leader: t.a, vouchMembers: H })
    }
    beat()
    const run = async (ms: number): Promise<void> => {
      for (let i = 0; i < ms / 200; i++) {
        await vi.advanceTimersByTimeAsync(200)
        if (i % 3 === 2) {
          framesTo.set(t.a, performance.now()) // this node answers the leader's Raft heartbeats
          t.m.heardFrom(t.a)
          if (vouching) t.m.vouched(t.a, bVouched ? ['self', t.b] : ['self'])
        }
      }
    }
    await run(RELAY_AFTER_CHANGE_MS + 9000)
    // Settled: the last 8 s sent b nothing (no pulse, no heartbeat), and the leader gets frames.
    const from = performance.now() - 8000
    expect(pulses.filter(p => p.at > from)).toEqual([])
    expect(t.sent.at(-1)!.to).toEqual([])
    // b counts as alive through the vouches alone: never probed.
    expect(t.m.detector.get(t.b)!.state).toBe('alive')
    expect(t.m.detector.get(t.b)!.probing).toBe(false)
    // The leader stops vouching (it went silent, or another leads): b gets pulses again within a quiet interval and the window.
    vouching = false
    const stoppedAt = performance.now()
    await run(4000)
    const back = pulses.filter(p => p.at > stoppedAt && p.to === t.b)
    expect(back.length).toBeGreaterThan(0)
    expect(back[0]!.at - stoppedAt).toBeLessThanOrEqual(1000 + 2000)
    t.m.stop()
  })

  it('a peer the leader stops vouching for (it went silent) is probed probe-after + its quiet interval after the window of the last vouch naming it', async () => {
    const t = await setup()
    const H = 0xabcdef
    // A formed cluster (term 1): while it forms, a timed-out probe suspects nobody.
    t.setState({ ...idleState(), term: 1n, leader: t.a, vouchMembers: H })
    const probed: Array<{ peer: string, at: number }> = []
    const probe = (t.m as any).probe.bind(t.m)
    ;(t.m as any).probe = async (peer: string) => { probed.push({ peer, at: performance.now() }); await probe(peer) }
    await t.m.start()
    t.heartbeat(t.aId, true, 1n, { role: 'leader', term: 1n, leader: t.a, vouchMembers: H })
    t.heartbeat(t.bId, true, 1n, { term: 1n, leader: t.a, vouchMembers: H })
    let lastNamingB = 0
    for (let i = 0; i < 20; i++) {
      await vi.advanceTimersByTimeAsync(600)
      t.m.heardFrom(t.a)
      t.m.vouched(t.a, ['self', t.b])
      lastNamingB = performance.now()
    }
    // b goes silent: the leader's vouches no longer name it; nothing else comes from b.
    for (let i = 0; i < 8; i++) {
      await vi.advanceTimersByTimeAsync(600)
      t.m.heardFrom(t.a)
      t.m.vouched(t.a, ['self'])
    }
    const b = t.m.detector.get(t.b)!
    // Dated --heartbeat-ms before it came: the leader heard b at some time in that window.
    expect(b.lastHeardAt).toBe(lastNamingB - 1000)
    expect(probed.find(p => p.peer === t.b)?.at).toBe(lastNamingB - 1000 + 3000 + 1000)
    // The suspicion's line (its probe timed out: no answer here) says vouches kept coming, every
    // 600 ms, but had stopped naming b since lastNamingB (probed 1 s dating + 3 s + 1 s quiet
    // after it, the probe's 500 ms on top).
    const line = t.warned.find(w => w.peer === t.b && w.to === 'suspect')!
    expect(line.vouchAgoMs).toBeLessThanOrEqual(600)
    expect(line.vouchNamedAgoMs).toBeGreaterThanOrEqual(3000)
    // A vouch clears no suspicion.
    ;(t.m.detector as any).probeResult(t.b, 'timed-out', performance.now())
    t.m.vouched(t.a, ['self', t.b])
    expect(t.m.detector.get(t.b)!.state).toBe('suspect')
    t.m.stop()
  })
})
