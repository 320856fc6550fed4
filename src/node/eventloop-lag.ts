// The node's one event-loop lag sampler, and the metrics read from it.
//
// Node's native `monitorEventLoopDelay` is a libuv timer that fires every LAG_SAMPLE_MS and
// records, in C++ without entering JavaScript, how long it really was since its last firing
// (an HdrHistogram, 3 significant digits). Both families that report event-loop lag are read
// from it when the registry collects (a scrape, `meshnode metrics`), and it is reset then:
//
// - `eventloop_lag_seconds` (histogram, ours): how late each sample fired — the interval
//   minus LAG_SAMPLE_MS, 0 if early — cumulative since the node started;
// - `nodejs_eventloop_lag_{min,max,mean,stddev,p50,p90,p99}_seconds` (gauges, prom-client's
//   names and meaning): those statistics of the intervals themselves (LAG_SAMPLE_MS plus the
//   lag, so ~0.100 at rest) since the previous collect; a collect with no new sample keeps
//   the last values. `nodejs_eventloop_lag_seconds`: how long a setImmediate queued by the
//   previous collect waited (prom-client's, unchanged).
//
// Until stop 26 each had a sampler of its own at this rate (prom-client's native monitor, and
// a JavaScript setInterval for the histogram). The two mostly shared a wake-up (libuv re-arms
// both from the loop time once a turn runs late past both): ~50 → ~47 wake-ups a second of an
// idle node in a 10-node mesh, and no JavaScript per sample (BENCHMARKS.md, stop 26).
import { monitorEventLoopDelay, type ELDHistogram } from 'node:perf_hooks'
import { Gauge, type Registry } from 'prom-client'
import { FastHistogram, type HistogramChild } from './metrics-histogram.js'

/** The sampler's period. */
export const LAG_SAMPLE_MS = 100
const LAG_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]

/** What countAtOrBelow reads of a native histogram. */
export type RankedHistogram = Pick<ELDHistogram, 'count' | 'min' | 'max' | 'percentile'>

/**
 * How many recorded values are ≤ `limit` (ns), at the histogram's precision: the largest rank
 * k whose value (`percentile(100 k / count)`, the k-th smallest) is ≤ limit, by bisection.
 * `atLeast`: a count already known to be ≤ limit (the previous, lower bucket's).
 */
export function countAtOrBelow (h: RankedHistogram, limit: number, atLeast = 0): number {
  const n = h.count
  if (n === 0 || h.min > limit) return 0
  if (h.max <= limit) return n
  let lo = atLeast // rank lo's value is ≤ limit (or lo is 0)
  let hi = n // rank hi's value is > limit
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2)
    if (h.percentile(100 * mid / n) <= limit) lo = mid
    else hi = mid
  }
  return lo
}

type Stat = 'min' | 'max' | 'mean' | 'stddev' | 'p50' | 'p90' | 'p99'
const STATS: Array<[Stat, string, 'min' | 'max' | 'average']> = [
  ['min', 'The shortest', 'min'],
  ['max', 'The longest', 'max'],
  ['mean', 'The mean', 'average'],
  ['stddev', 'The standard deviation of the', 'average'],
  ['p50', 'The 50th percentile of the', 'average'],
  ['p90', 'The 90th percentile of the', 'average'],
  ['p99', 'The 99th percentile of the', 'average']
]

export class EventLoopLag {
  private readonly monitor: ELDHistogram
  private readonly lag: HistogramChild
  private readonly stats: Record<Stat, number> = { min: 0, max: 0, mean: 0, stddev: 0, p50: 0, p90: 0, p99: 0 }
  private drained = false

  constructor (registry: Registry, monitor = monitorEventLoopDelay({ resolution: LAG_SAMPLE_MS })) {
    this.monitor = monitor
    this.lag = new FastHistogram({
      name: 'eventloop_lag_seconds',
      help: `Event-loop lag: how late a ${LAG_SAMPLE_MS} ms timer fired (seconds), sampled every ${LAG_SAMPLE_MS} ms (read from the native sampler at each scrape)`,
      buckets: LAG_BUCKETS,
      registers: [registry],
      collect: () => { this.drain() }
    }).child()
    const self = this
    new Gauge({
      name: 'nodejs_eventloop_lag_seconds',
      help: 'Lag of event loop in seconds: how long a setImmediate queued by the previous scrape waited.',
      registers: [registry],
      aggregator: 'average',
      collect () {
        const start = performance.now()
        setImmediate(() => { this.set((performance.now() - start) / 1000) })
      }
    })
    for (const [stat, what, aggregator] of STATS) {
      new Gauge({
        name: `nodejs_eventloop_lag_${stat}_seconds`,
        help: `${what} interval between two ${LAG_SAMPLE_MS} ms event-loop samples since the previous scrape, in seconds (${LAG_SAMPLE_MS / 1000} plus the lag)`,
        registers: [registry],
        aggregator,
        collect () { self.drain(); this.set(self.stats[stat]) }
      })
    }
  }

  start (): void {
    this.monitor.enable()
  }

  stop (): void {
    this.monitor.disable()
  }

  /** Moves the samples since the last drain into the metrics; once per collect (all its reads run in one turn). */
  drain (): void {
    if (this.drained) return
    this.drained = true
    queueMicrotask(() => { this.drained = false })
    const h = this.monitor
    const n = h.count
    if (n === 0) return
    const period = LAG_SAMPLE_MS * 1e6
    let below = 0
    for (let i = 0; i < LAG_BUCKETS.length; i++) {
      const atOrBelow = countAtOrBelow(h, period + LAG_BUCKETS[i]! * 1e9, below)
      this.lag.counts[i]! += atOrBelow - below
      below = atOrBelow
    }
    this.lag.counts[LAG_BUCKETS.length]! += n - below
    this.lag.count += n
    this.lag.sum += Math.max(0, h.mean - period) * n / 1e9
    const s = this.stats
    s.min = h.min / 1e9
    s.max = h.max / 1e9
    s.mean = h.mean / 1e9
    s.stddev = h.stddev / 1e9
    s.p50 = h.percentile(50) / 1e9
    s.p90 = h.percentile(90) / 1e9
    s.p99 = h.percentile(99) / 1e9
    h.reset()
  }
}
