// Quiet heartbeats (Membership.publish, heartbeatDue): while nothing a node advertises changes,
// its heartbeats go out every QUIET_FACTOR x --heartbeat-ms and each says how much later than
// usual the next may come (quiet_ms); a change goes out at the next interval, announce() at once.
import { describe, expect, it, vi } from 'vitest'
import { QUIET_FACTOR, contentOf, heartbeatDue } from '../../../src/node/services/membership.js'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { peerTag } from '../../../src/healing/relay.js'
import { heartbeatTopic } from '../../../src/wire/constants.js'
import { fakeHost, idleState, onFakeClock, quietMembership } from './membership-fixture.js'

describe('quiet heartbeats', () => {
  onFakeClock()

  it('are due on a change, or once a quiet interval has nearly passed', () => {
    expect(heartbeatDue(true, 0, 1000)).toBe(true)
    expect(heartbeatDue(false, 1000, 1000)).toBe(false)
    expect(heartbeatDue(false, 1499, 1000)).toBe(false)
    // a timer tick that comes a little early still sends the quiet one
    expect(heartbeatDue(false, 1500, 1000)).toBe(true)
    expect(heartbeatDue(false, QUIET_FACTOR * 1000, 1000)).toBe(true)
  })

  it('content leaves out only seq and uptime', async () => {
    const host = fakeHost(() => ['/ip4/127.0.0.1/tcp/1/p2p/self'])
    const m = quietMembership(host, { relay: 'always' })
    await m.start()
    await vi.advanceTimersByTimeAsync(10)
    const first = host.published[0]!
    expect(contentOf({ ...first, seq: 99n, uptimeMs: 12345n })).toBe(contentOf(first))
    for (const change of [{ queued: 3 }, { load: 0.5 }, { role: 'leader' }, { term: 2n }, { draining: true }, { bootstrapSet: ['x'] }, { fullyConnected: !first.fullyConnected }]) {
      expect(contentOf({ ...first, ...change })).not.toBe(contentOf(first))
    }
    m.stop()
  })

  it('an idle node heartbeats every 2 intervals, a change goes out at the next interval, and announce() at once', async () => {
    const host = fakeHost(() => ['/ip4/127.0.0.1/tcp/1/p2p/self'])
    let state = idleState()
    const m = quietMembership(host, { relay: 'always', heartbeatMs: 1000, localState: () => state })
    const count = (): number => host.published.length
    await m.start()
    await vi.advanceTimersByTimeAsync(10)
    expect(count()).toBe(1)
    await vi.advanceTimersByTimeAsync(6000)
    // t = 0, 2, 4, 6 s: one every 2 intervals while nothing changes
    expect(host.published).toHaveLength(4)
    expect(host.published.every(h => h.quietMs === 1000)).toBe(true)
    expect(host.published.map(h => h.seq)).toEqual([1n, 2n, 3n, 4n])

    // work queued here: the next tick (7 s) says so, and so does every tick while it changes
    state = { ...state, queued: 5 }
    await vi.advanceTimersByTimeAsync(1000)
    expect(count()).toBe(5)
    expect(host.published.at(-1)!.queued).toBe(5)
    state = { ...state, queued: 2 }
    await vi.advanceTimersByTimeAsync(1000)
    expect(count()).toBe(6)
    // unchanged again: quiet (nothing at 9 s, one at 10 s)
    await vi.advanceTimersByTimeAsync(1000)
    expect(count()).toBe(6)
    await vi.advanceTimersByTimeAsync(1000)
    expect(count()).toBe(7)

    // announce() (a role change): at once, whatever the interval
    state = { ...state, role: 'leader' }
    m.announce()
    await vi.advanceTimersByTimeAsync(0)
    expect(count()).toBe(8)
    expect(host.published.at(-1)!.role).toBe('leader')
    m.stop()
  })

  it('lists the peers a heartbeat came straight from while connected, and heartbeats at the next interval when one is lost', async () => {
    const host = fakeHost(() => ['/ip4/127.0.0.1/tcp/1/p2p/self'])
    const [p1, p2, p3] = await Promise.all([0, 1, 2].map(async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519'))))
    const open = new Map([[p1!.toString(), 'open'], [p2!.toString(), 'open'], [p3!.toString(), 'open']])
    Object.assign(host, { getConnections: (peer: { toString: () => string }) => open.has(peer.toString()) ? [{ status: open.get(peer.toString()) }] : [] })
    const pubsub = (host as any).services.pubsub
    pubsub.handleReceivedMessage = async () => {}
    const tag = (p: typeof p1): number => peerTag(p!.toMultihash().bytes)
    const m = quietMembership(host, { relay: 'always', heartbeatMs: 1000 })
    await m.start()
    const topic = heartbeatTopic('test')
    // p1's and p2's heartbeats come straight from them; p3 only relays p1's (it is connected, but
    // its own heartbeats do not reach this node yet); another topic's messages do not count
    await pubsub.handleReceivedMessage(p1, { topic, from: p1!.toMultihash().bytes })
    await pubsub.handleReceivedMessage(p2, { topic, from: p2!.toMultihash().bytes })
    await pubsub.handleReceivedMessage(p3, { topic, from: p1!.toMultihash().bytes })
    await pubsub.handleReceivedMessage(p3, { topic: 'other', from: p3!.toMultihash().bytes })
    await vi.advanceTimersByTimeAsync(2010)
    expect(host.published.at(-1)!.direct).toEqual([tag(p1), tag(p2)])
    const count = host.published.length
    await vi.advanceTimersByTimeAsync(1000)
    // a new link is no news (its relays go on until the next quiet heartbeat)...
    await pubsub.handleReceivedMessage(p3, { topic, from: p3!.toMultihash().bytes })
    // ...but a lost one is: peers would hold back relays it now needs
    open.set(p2!.toString(), 'closed')
    host.dispatchEvent(new CustomEvent('peer:disconnect', { detail: p2 }))
    await vi.advanceTimersByTimeAsync(1000)
    expect(host.published).toHaveLength(count + 1)
    expect(host.published.at(-1)!.direct).toEqual([tag(p1), tag(p3)])
    expect(contentOf(host.published.at(-1)!)).toBe(contentOf(host.published[0]!))
    await vi.advanceTimersByTimeAsync(1000)
    expect(host.published).toHaveLength(count + 1) // quiet again
    // back, but not listed until a heartbeat comes straight from it again
    open.set(p2!.toString(), 'open')
    expect((m as any).directTags()).toEqual([tag(p1), tag(p3)])
    await pubsub.handleReceivedMessage(p2, { topic, from: p2!.toMultihash().bytes })
    expect((m as any).directTags()).toEqual([tag(p1), tag(p3), tag(p2)])
    // a member it suspects is not heard, whatever its connection looks like: no longer listed
    const detector = (m as any).detector
    const get = detector.get.bind(detector)
    vi.spyOn(detector, 'get').mockImplementation((id: unknown) => id === p1!.toString() ? { state: 'suspect' } : get(id))
    const before = host.published.length
    await vi.advanceTimersByTimeAsync(1000)
    expect(host.published).toHaveLength(before + 1)
    expect(host.published.at(-1)!.direct).toEqual([tag(p3), tag(p2)])
    m.stop()
  })
})
