// Greeting newly subscribed peers: the first at once, later ones at least
// 20 ms × known peers apart, none dropped (src/node/services/membership.ts).
import { describe, expect, it, vi } from 'vitest'
import { onFakeClock, quietMembership } from './membership-fixture.js'

function membership (peers: number) {
  const published: number[] = []
  const host = {
    getMultiaddrs: () => [],
    services: { pubsub: { publish: async () => { published.push(Date.now()) } } }
  }
  const m = quietMembership(host)
  for (let i = 0; i < peers; i++) m.detector.heartbeat(`peer-${i}`, 1n, 1n, 0, false)
  const subscribed = (): void => (m as any).onSubscriptionChange({ detail: { peerId: {}, subscriptions: [{ topic: (m as any).topic, subscribe: true }] } })
  return { m, published, subscribed }
}

describe('Membership greetings', () => {
  // The shell reads node:perf_hooks' performance.now, which vitest's 'performance' fake does not
  // reach: on the real clock, a loaded machine let 200 ms pass between two fake 10-ms steps and
  // the burst was greeted twice (a unit-tier failure at load ~100, stop 40).
  onFakeClock()

  it('greets the first newcomer at once and coalesces a burst into one greeting per gap', async () => {
    const { published, subscribed } = membership(10) // gap 200 ms
    vi.advanceTimersByTime(1_000)
    subscribed()
    await vi.advanceTimersByTimeAsync(0)
    expect(published.length).toBe(1)
    for (let i = 0; i < 9; i++) { subscribed(); await vi.advanceTimersByTimeAsync(10) }
    expect(published.length).toBe(1)
    await vi.advanceTimersByTimeAsync(200)
    expect(published.length).toBe(2) // the burst is greeted once, at the end of the gap
    await vi.advanceTimersByTimeAsync(1_000)
    expect(published.length).toBe(2)
  })

  it('ignores other topics and unsubscriptions', async () => {
    const { m, published } = membership(2)
    vi.advanceTimersByTime(1_000)
    ;(m as any).onSubscriptionChange({ detail: { peerId: {}, subscriptions: [{ topic: 'other', subscribe: true }, { topic: (m as any).topic, subscribe: false }] } })
    await vi.advanceTimersByTimeAsync(1_000)
    expect(published.length).toBe(0)
  })
})
