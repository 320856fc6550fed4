// The per-peer token bucket, on a fake clock: a burst, then the sustained rate; one peer's
// flood never touches another's bucket; memory stays bounded however many peers come by.
import { Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { createLogger } from '../../../src/node/log.js'
import { createMetrics, statusCounters } from '../../../src/node/metrics.js'
import { PeerLimiter, RateGuard } from '../../../src/node/transport/limits.js'

function clock (start = 1_000_000): { now: () => number, advance: (ms: number) => void } {
  let t = start
  return { now: () => t, advance: ms => { t += ms } }
}

/** How many of `n` takes in a row succeed. */
function takes (l: PeerLimiter, peer: string, n: number): number {
  let ok = 0
  for (let i = 0; i < n; i++) if (l.take(peer)) ok++
  return ok
}

describe('PeerLimiter', () => {
  it('lets a new peer take a whole burst at once, and no more', () => {
    const c = clock()
    const l = new PeerLimiter({ ratePerSec: 10, burst: 20, now: c.now })
    expect(takes(l, 'a', 25)).toBe(20)
  })

  it('refills at the rate, up to the burst', () => {
    const c = clock()
    const l = new PeerLimiter({ ratePerSec: 10, burst: 20, now: c.now })
    takes(l, 'a', 20)
    c.advance(500)
    expect(takes(l, 'a', 10)).toBe(5)
    c.advance(60_000)
    expect(takes(l, 'a', 30)).toBe(20)
  })

  it('sustains exactly the rate for a peer that keeps asking', () => {
    const c = clock()
    const l = new PeerLimiter({ ratePerSec: 100, burst: 1, now: c.now })
    let ok = 0
    for (let ms = 0; ms < 10_000; ms++) {
      if (l.take('a')) ok++
      c.advance(1)
    }
    expect(ok).toBe(1000)
  })

  it('takes nothing from a refused peer, so it recovers at the full rate', () => {
    const c = clock()
    const l = new PeerLimiter({ ratePerSec: 10, burst: 10, now: c.now })
    takes(l, 'a', 10)
    expect(takes(l, 'a', 1000)).toBe(0)
    c.advance(100)
    expect(l.take('a')).toBe(true)
  })

  it('takes n tokens at once, and refuses more than the burst', () => {
    const c = clock()
    const l = new PeerLimiter({ ratePerSec: 10, burst: 10, now: c.now })
    expect(l.take('a', 11)).toBe(false)
    expect(l.take('a', 7)).toBe(true)
    expect(l.take('a', 4)).toBe(false)
    expect(l.take('a', 3)).toBe(true)
  })

  it('keeps each peer\'s bucket apart: one peer\'s flood leaves another served', () => {
    const c = clock()
    const l = new PeerLimiter({ ratePerSec: 10, burst: 10, now: c.now })
    expect(takes(l, 'flood', 10_000)).toBe(10)
    expect(takes(l, 'calm', 10)).toBe(10)
  })

  it('refills nothing when the clock goes back', () => {
    const c = clock()
    const l = new PeerLimiter({ ratePerSec: 10, burst: 10, now: c.now })
    takes(l, 'a', 10)
    c.advance(-5_000)
    expect(l.take('a')).toBe(false)
    c.advance(5_100)
    expect(takes(l, 'a', 10)).toBe(1)
  })

  it('forgets a peer once its bucket would be full again', () => {
    const c = clock()
    const l = new PeerLimiter({ ratePerSec: 10, burst: 20, now: c.now })
    l.take('a')
    l.take('b')
    expect(l.size).toBe(2)
    c.advance(2_000) // 20 tokens at 10/s: both full again
    l.take('c')
    expect(l.size).toBe(1)
  })

  it('keeps a peer that is still paying off its burst', () => {
    const c = clock()
    const l = new PeerLimiter({ ratePerSec: 10, burst: 20, now: c.now })
    takes(l, 'a', 20)
    c.advance(1_000)
    l.take('b')
    expect(l.size).toBe(2)
    expect(takes(l, 'a', 20)).toBe(10)
  })

  it('tracks at most maxPeers, forgetting the idlest first', () => {
    const c = clock()
    const l = new PeerLimiter({ ratePerSec: 1, burst: 2, now: c.now, maxPeers: 3 })
    for (const p of ['a', 'b', 'c']) { takes(l, p, 2); c.advance(1) }
    takes(l, 'a', 1) // a is now the most recent; b is the idlest
    c.advance(1)
    takes(l, 'd', 2)
    expect(l.size).toBe(3)
    // b was forgotten (a fresh, full bucket); a and c are still empty.
    expect(l.take('a')).toBe(false)
    expect(l.take('c')).toBe(false)
    expect(l.take('b')).toBe(true)
  })

  it('holds a rate that does not divide a second exactly, over a long run', () => {
    const c = clock()
    const l = new PeerLimiter({ ratePerSec: 3, burst: 2, now: c.now })
    let ok = 0
    for (let ms = 0; ms < 3_600_000; ms += 7) {
      if (l.take('a')) ok++
      c.advance(7)
    }
    // An hour at 3/s, plus the one extra token of the initial burst.
    expect(ok).toBe(3 * 3600 + 1)
  })

  it('stays bounded under a flood of fresh peer ids', () => {
    const c = clock()
    const l = new PeerLimiter({ ratePerSec: 1, burst: 1, now: c.now, maxPeers: 1000 })
    for (let i = 0; i < 100_000; i++) l.take(`p${i}`)
    expect(l.size).toBe(1000)
  })

  it('refuses a limit that could never admit anything', () => {
    expect(() => new PeerLimiter({ ratePerSec: 0, burst: 10 })).toThrow(RangeError)
    expect(() => new PeerLimiter({ ratePerSec: 10, burst: 0 })).toThrow(RangeError)
  })
})

describe('RateGuard', () => {
  it('counts every refusal in rate_limited_total and logs once a minute per peer', () => {
    const c = clock()
    const registry = new Registry()
    const metrics = createMetrics(registry)
    const lines: string[] = []
    const log = { warn: (o: { peer: string }) => { lines.push(o.peer) } } as unknown as ReturnType<typeof createLogger>
    const g = new RateGuard({ ratePerSec: 1, burst: 2 }, '/test/1', metrics, log, c.now)
    let served = 0
    for (let i = 0; i < 100; i++) if (g.admit('flood')) served++
    for (let i = 0; i < 10; i++) if (g.admit('other')) served++
    expect(served).toBe(4)
    expect(statusCounters(registry).find(([n]) => n === 'rate_limited_total')?.[1]).toBe(98 + 8)
    expect(lines).toEqual(['flood', 'other'])
    c.advance(60_000)
    g.admit('flood'); g.admit('flood'); g.admit('flood')
    expect(lines).toEqual(['flood', 'other', 'flood'])
  })
})
