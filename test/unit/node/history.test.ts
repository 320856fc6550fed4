// The latency history (src/node/observe/history.ts) with a fake clock: percentiles read from
// log buckets stay within the bucket error of the exact ones, histories merge exactly (the
// same as recording everything in one place), minutes past the retention are gone, and memory
// stays bounded however many task types and minutes go by. Also its wire form (stats.ts).
import { describe, expect, it } from 'vitest'
import { mulberry32 } from '../../../src/prng.js'
import { BUCKETS, BUCKET_ERROR, Histogram, LatencyHistory, MAX_MS, MIN_MS, MergedHistory, OTHER_TYPE, bucketOf, summarize, type HistorySnapshot } from '../../../src/node/observe/history.js'
import { historyFromWire, historyToWire } from '../../../src/node/observe/stats.js'
import { History } from '../../../src/wire/proto/internal.js'

const MIN = 60_000
const T0 = 1_764_000_000_000 // a minute boundary
const rng = mulberry32(12345)

/** The exact p-th percentile with the histogram's rank rule: the sample at rank ⌈p/100 · n⌉. */
function exact (sorted: number[], p: number): number {
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1]!
}

function expectClose (estimate: number, truth: number): void {
  // Within the bucket error of the truth; below MIN_MS values share one bucket (absolute error).
  if (truth < MIN_MS) expect(Math.abs(estimate - truth)).toBeLessThanOrEqual(MIN_MS)
  else expect(Math.abs(estimate - truth) / truth).toBeLessThanOrEqual(BUCKET_ERROR + 1e-12)
}

const DISTRIBUTIONS: Record<string, () => number> = {
  'uniform 0–1000 ms': () => rng() * 1000,
  'exponential, mean 20 ms': () => -Math.log(1 - rng()) * 20,
  'log-uniform 0.05 ms – 10 min': () => 0.05 * Math.exp(rng() * Math.log(600_000 / 0.05)),
  'bimodal 2 ms and 3 s': () => rng() < 0.9 ? 2 + rng() : 3000 + rng() * 100,
  'constant 7 ms': () => 7
}

describe('a log-bucket histogram', () => {
  it('has buckets of under 5 % relative error from 0.1 ms to an hour', () => {
    expect(BUCKET_ERROR).toBeLessThan(0.05)
    expect(bucketOf(0)).toBe(0)
    expect(bucketOf(-3)).toBe(0)
    expect(bucketOf(Number.NaN)).toBe(0)
    expect(bucketOf(MIN_MS)).toBe(1)
    expect(bucketOf(MAX_MS)).toBe(BUCKETS - 1)
    expect(bucketOf(MAX_MS * 10)).toBe(BUCKETS - 1)
    expect(bucketOf(MAX_MS * 0.999999)).toBe(BUCKETS - 2)
    for (let v = 0.1; v < MAX_MS; v *= 1.37) expect(bucketOf(v * 1.0001)).toBeGreaterThanOrEqual(bucketOf(v))
  })

  for (const [name, draw] of Object.entries(DISTRIBUTIONS)) {
    it(`reads p50/p95/p99 within the bucket error of the exact ones: ${name}`, () => {
      const h = new Histogram()
      const samples: number[] = []
      for (let i = 0; i < 20_000; i++) {
        const v = draw()
        samples.push(v)
        h.record(v)
      }
      samples.sort((a, b) => a - b)
      for (const p of [50, 95, 99, 99.9, 100]) expectClose(h.percentile(p), exact(samples, p))
      expect(h.count).toBe(samples.length)
      expect(h.min).toBe(samples[0])
      expect(h.max).toBe(samples.at(-1))
    })
  }

  it('reads waits of 0 ms (the wall clock\'s resolution) back as 0, not as the smallest bucket', () => {
    const h = new Histogram()
    for (let i = 0; i < 100; i++) h.record(i < 90 ? 0 : 3)
    expect(h.percentiles()).toMatchObject({ p50: 0 })
    expectClose(h.percentile(95), 3)
  })

  it('has no percentiles when empty', () => {
    expect(new Histogram().percentiles()).toBeUndefined()
    expect(new Histogram().percentile(50)).toBeNaN()
  })

  it('merged is the same as having recorded every sample in one', () => {
    const together = new Histogram()
    const parts = [new Histogram(), new Histogram(), new Histogram()]
    for (let i = 0; i < 5_000; i++) {
      const v = DISTRIBUTIONS['log-uniform 0.05 ms – 10 min']!()
      together.record(v)
      parts[i % 3]!.record(v)
    }
    const merged = new Histogram()
    merged.add(parts[0]!)
    merged.add(parts[1]!.data()) // the sparse wire form merges the same
    merged.add(Histogram.from(parts[2]!.data()))
    expect([...merged.counts]).toEqual([...together.counts])
    expect(merged.count).toBe(together.count)
    expect(merged.min).toBe(together.min)
    expect(merged.max).toBe(together.max)
    expect(merged.sum).toBeCloseTo(together.sum, 3)
    for (const p of [50, 95, 99]) expect(merged.percentile(p)).toBe(together.percentile(p))
  })

  it('ignores bucket indexes and counts that make no sense (a hostile or newer peer)', () => {
    const h = new Histogram()
    h.add({ buckets: [-1, BUCKETS, 1.5, 3], counts: [5, 5, 5, -2], min: 1, max: 2, sum: 3 })
    expect(h.count).toBe(0)
    h.add({ buckets: [3, 4], counts: [2, 1], min: 0.2, max: 0.3, sum: 0.7 })
    expect(h.count).toBe(3)
  })
})

describe('the latency history', () => {
  it('keeps task attempts by type and minute, with outcomes, run time and queue wait', () => {
    const hist = new LatencyHistory(T0)
    hist.recordTask('resize', 'ok', 12, 3, T0 + 1_000)
    hist.recordTask('resize', 'failed', 40, 5, T0 + 2_000)
    hist.recordTask('resize', 'retried', 8, Number.NaN, T0 + 3_000)
    hist.recordTask('upload', 'ok', 100, 0, T0 + MIN + 5)
    hist.recordJob('completed', 250, T0 + MIN + 10)
    const snap = hist.snapshot(0, T0 + 2 * MIN)
    expect(snap.minutes.map(m => m.at)).toEqual([T0, T0 + MIN])
    const resize = snap.minutes[0]!.types[0]!
    expect(resize).toMatchObject({ type: 'resize', ok: 1, failed: 1, retried: 1 })
    expect(resize.duration.counts.reduce((a, b) => a + b)).toBe(3)
    expect(resize.wait.counts.reduce((a, b) => a + b)).toBe(2) // an unknown wait is not a sample
    expect(snap.minutes[1]!.jobs).toMatchObject({ completed: 1, failed: 0, cancelled: 0 })
  })

  it('forgets minutes older than its retention, and reuses their slots', () => {
    const hist = new LatencyHistory(T0, { retentionMinutes: 5 })
    for (let m = 0; m < 12; m++) hist.recordTask('t', 'ok', 1, 1, T0 + m * MIN)
    const now = T0 + 11 * MIN + 30_000
    const snap = hist.snapshot(0, now)
    // The last 5 minutes reach back into minute 6.
    expect(snap.minutes.map(m => (m.at - T0) / MIN)).toEqual([6, 7, 8, 9, 10, 11])
    // A window asks for less.
    expect(hist.snapshot(now - 2 * MIN, now).minutes.map(m => (m.at - T0) / MIN)).toEqual([9, 10, 11])
    // Time passing alone expires them, with no new recording.
    expect(hist.snapshot(0, now + 4 * MIN).minutes.map(m => (m.at - T0) / MIN)).toEqual([10, 11])
    expect(hist.snapshot(0, now + 10 * MIN).minutes).toEqual([])
  })

  it('covers the whole of its retention: an attempt 59 min 50 s ago is in the last hour', () => {
    const hist = new LatencyHistory(T0)
    const now = T0 + 2 * 60 * MIN + 30_000
    hist.recordTask('old', 'ok', 1, 1, now - 60 * MIN + 10_000)
    hist.recordTask('new', 'ok', 1, 1, now)
    expect(hist.snapshot(now - 60 * MIN, now).minutes.flatMap(m => m.types.map(t => t.type))).toEqual(['old', 'new'])
  })

  it('stays within its memory bound however many types and minutes go by', () => {
    const hist = new LatencyHistory(T0, { retentionMinutes: 10, maxTypes: 4 })
    for (let m = 0; m < 100; m++) {
      for (let t = 0; t < 50; t++) hist.recordTask(`type-${(m * 7 + t) % 1000}`, 'ok', t, t, T0 + m * MIN + t)
    }
    const f = hist.footprint()
    expect(f.slots).toBe(11)
    expect(f.typeMinutes).toBeLessThanOrEqual(11 * (4 + 1))
    const snap = hist.snapshot(0, T0 + 99 * MIN)
    for (const m of snap.minutes) {
      expect(m.types.length).toBeLessThanOrEqual(5)
      // Every attempt is still counted: types beyond the cap together, as OTHER_TYPE.
      expect(m.types.reduce((n, t) => n + t.ok, 0)).toBe(50)
      expect(m.types.find(t => t.type === OTHER_TYPE)?.ok).toBe(46)
    }
  })

  it('merges nodes and minutes exactly: the same summary as one node recording everything', () => {
    const one = new LatencyHistory(T0)
    const nodes = [new LatencyHistory(T0), new LatencyHistory(T0 + 30_000), new LatencyHistory(T0)]
    const draw = DISTRIBUTIONS['exponential, mean 20 ms']!
    for (let i = 0; i < 3_000; i++) {
      const at = T0 + Math.floor(rng() * 5 * MIN)
      const type = ['a', 'b', 'c'][i % 3]!
      const outcome = i % 17 === 0 ? 'failed' : 'ok'
      const d = draw()
      const w = draw() / 4
      one.recordTask(type, outcome, d, w, at)
      nodes[i % 3]!.recordTask(type, outcome, d, w, at)
      if (i % 10 === 0) {
        one.recordJob('completed', d * 10, at)
        nodes[(i + 1) % 3]!.recordJob('completed', d * 10, at)
      }
    }
    const now = T0 + 5 * MIN + 1
    const all = new MergedHistory().add(one.snapshot(0, now))
    const merged = new MergedHistory()
    for (const n of nodes) merged.add(historyFromWire(History.decode(History.encode(historyToWire(n.snapshot(0, now))))))
    const a = summarize(all, now - 10 * MIN, now)
    const b = summarize(merged, now - 10 * MIN, now)
    expect(b.types).toEqual(a.types)
    expect(b.jobs).toEqual(a.jobs)
    expect(b.minutes).toEqual(a.minutes)
    expect(b.types.map(t => t.count)).toEqual([1000, 1000, 1000])
    expect(b.jobs.count).toBe(300)
  })

  it('summarizes throughput over the part of the window the nodes were up, and every minute for charts', () => {
    const hist = new LatencyHistory(T0 + 5 * MIN)
    for (let i = 0; i < 120; i++) hist.recordTask('t', 'ok', 5, 1, T0 + 5 * MIN + i * 1000)
    const now = T0 + 7 * MIN
    const s = summarize(new MergedHistory().add(hist.snapshot(now - 60 * MIN, now)), now - 60 * MIN, now)
    expect(s.since).toBe(T0 + 5 * MIN)
    expect(s.windowMs).toBe(2 * MIN)
    expect(s.types[0]!.perSec).toBeCloseTo(1, 6)
    expect(s.types[0]!.duration).toEqual({ p50: 5, p95: 5, p99: 5 })
    expect(s.minutes.length).toBe(61)
    expect(s.minutes.filter(m => m.tasks > 0).map(m => m.tasks)).toEqual([60, 60])
    expect(s.minutes[0]).toEqual({ at: now - 60 * MIN, tasks: 0, jobs: 0 })
  })
})

describe('the history on the wire', () => {
  it('round-trips through internal.proto', () => {
    const hist = new LatencyHistory(T0)
    hist.recordTask('x', 'ok', 3.25, 0.5, T0)
    hist.recordJob('failed', 999, T0 + 1)
    const snap = hist.snapshot(0, T0 + 10)
    expect(historyFromWire(History.decode(History.encode(historyToWire(snap))))).toEqual(snap)
  })

  it('drops the oldest minutes, and says so, rather than exceed the size cap', () => {
    const hist = new LatencyHistory(T0, { maxTypes: 32 })
    for (let m = 0; m < 60; m++) {
      for (let t = 0; t < 32; t++) for (let v = 0.1; v < MAX_MS; v *= 1.1) hist.recordTask(`t${t}`, 'ok', v, v, T0 + m * MIN)
    }
    const snap: HistorySnapshot = hist.snapshot(0, T0 + 59 * MIN)
    const full = History.encode(historyToWire(snap, Infinity)).byteLength
    const capped = historyToWire(snap, full / 2)
    expect(capped.truncated).toBe(true)
    expect(History.encode(capped).byteLength).toBeLessThanOrEqual(full / 2)
    expect(capped.minutes.at(-1)!.at).toBe(T0 + 59 * MIN)
    // The worst case of the defaults (an hour, 32 types, every bucket filled) fits the default cap.
    expect(historyToWire(snap).truncated).toBe(false)
  })
})
