// Quiet heartbeats (Membership.publish, heartbeatDue): while nothing a node advertises changes,
// its heartbeats go out every QUIET_FACTOR x --heartbeat-ms and each says how much later than
// usual the next may come (quiet_ms); a change goes out at the next interval, announce() at once.
import { describe, expect, it, vi } from 'vitest'
import { QUIET_FACTOR, contentOf, heartbeatDue } from '../../../src/node/services/membership.js'
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
})
