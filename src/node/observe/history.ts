// The node's latency history: per-minute buckets, for the last hour by default, of
//   - task attempts by task type, on the node that ran them: ok / failed / retried counts,
//     and the distributions of run time and queue wait;
//   - jobs at their home: completed / failed / cancelled counts and submit→done latency.
// `meshnode stats`, the dashboard's charts and /v1/stats read it, merged across the mesh.
//
// Distributions are fixed log-scale bucket histograms (HDR-style), not samples: every node
// and every minute uses the same buckets, so merging is adding counts — exactly what one
// node would have recorded had it seen every sample — and a percentile of any merge is
// within the bucket error (BUCKET_ERROR, under 5 %) of the exact one. Memory is bounded by
// construction: `retentionMinutes` + 1 slots, each with at most `maxTypes` task types (+1 for
// the rest, OTHER_TYPE), each type two fixed arrays.
//
// Pure: the clock is passed in. Recording costs an array index, one Map lookup for the task
// type and a logarithm; nothing is allocated except the first time a type is seen in a slot.

/** Bucket layout: bump LAYOUT_VERSION on any change, as histograms of two layouts do not merge. */
export const LAYOUT_VERSION = 1
/** The smallest value told apart (ms): below it everything shares one bucket. */
export const MIN_MS = 0.1
/** The largest (ms), an hour: above it everything shares one bucket. */
export const MAX_MS = 3_600_000
/** Each bucket is this many times wider than the one before. */
const GROWTH = 1.1
/** The worst relative error of a value read back from its bucket (the geometric middle): √1.1 − 1 ≈ 4.9 %. */
export const BUCKET_ERROR = Math.sqrt(GROWTH) - 1
const LOG_GROWTH = Math.log(GROWTH)
/** Log buckets between MIN_MS and MAX_MS. */
const LOG_BUCKETS = Math.ceil(Math.log(MAX_MS / MIN_MS) / LOG_GROWTH)
/** Underflow (below MIN_MS), the log buckets, overflow (MAX_MS and above). */
export const BUCKETS = LOG_BUCKETS + 2

/** The value a bucket stands for: the geometric middle of its range (its edges for under/overflow). */
const MIDDLE = Float64Array.from({ length: BUCKETS }, (_, i) =>
  i === 0 ? MIN_MS : i === BUCKETS - 1 ? MAX_MS : MIN_MS * GROWTH ** (i - 1) * Math.sqrt(GROWTH))

export function bucketOf (ms: number): number {
  if (!(ms >= MIN_MS)) return 0 // NaN and negatives too
  if (ms >= MAX_MS) return BUCKETS - 1
  const i = 1 + Math.floor(Math.log(ms / MIN_MS) / LOG_GROWTH)
  return i < BUCKETS - 1 ? i : BUCKETS - 2
}

/** A histogram as it travels and is stored: the non-empty buckets only. */
export interface HistogramData {
  /** Bucket indexes, ascending; `counts[i]` samples fell in bucket `buckets[i]`. */
  buckets: number[]
  counts: number[]
  /** Smallest and largest sample (exact; 0 when empty), and their sum (for a mean). */
  min: number
  max: number
  sum: number
}

export interface Percentiles { p50: number, p95: number, p99: number }

export class Histogram {
  readonly counts = new Uint32Array(BUCKETS)
  count = 0
  sum = 0
  min = Infinity
  max = -Infinity

  record (ms: number): void {
    const v = ms > 0 ? ms : 0
    this.counts[bucketOf(v)]!++
    this.count++
    this.sum += v
    if (v < this.min) this.min = v
    if (v > this.max) this.max = v
  }

  /** Adds another histogram's samples (same layout): the same as having recorded them here. */
  add (other: Histogram | HistogramData): void {
    if (other instanceof Histogram) {
      if (other.count === 0) return
      for (let i = 0; i < BUCKETS; i++) this.counts[i]! += other.counts[i]!
      this.count += other.count
    } else {
      const n = Math.min(other.buckets.length, other.counts.length)
      let added = 0
      for (let i = 0; i < n; i++) {
        const b = other.buckets[i]!
        const c = other.counts[i]!
        if (!Number.isInteger(b) || b < 0 || b >= BUCKETS || !(c > 0)) continue
        this.counts[b]! += c
        added += c
      }
      if (added === 0) return
      this.count += added
    }
    this.sum += other.sum
    if (other.min < this.min) this.min = other.min
    if (other.max > this.max) this.max = other.max
  }

  clear (): void {
    if (this.count === 0) return
    this.counts.fill(0)
    this.count = 0
    this.sum = 0
    this.min = Infinity
    this.max = -Infinity
  }

  /**
   * The p-th percentile (0 < p ≤ 100): the value of the sample at rank ⌈p/100 · count⌉,
   * read back as its bucket's middle and kept within the exact min and max (within
   * BUCKET_ERROR of the exact value, or MIN_MS below MIN_MS). NaN if empty.
   */
  percentile (p: number): number {
    if (this.count === 0) return Number.NaN
    const rank = Math.max(1, Math.ceil((p / 100) * this.count))
    let seen = 0
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!
      // Below MIN_MS the smallest sample stands for the bucket: exact when they are all the
      // same (a queue wait of 0 ms, as the wall clock measures it), off by < MIN_MS otherwise.
      if (seen >= rank) return i === 0 ? this.min : Math.min(this.max, Math.max(this.min, MIDDLE[i]!))
    }
    return this.max
  }

  percentiles (): Percentiles | undefined {
    if (this.count === 0) return undefined
    return { p50: this.percentile(50), p95: this.percentile(95), p99: this.percentile(99) }
  }

  data (): HistogramData {
    const buckets: number[] = []
    const counts: number[] = []
    for (let i = 0; i < BUCKETS; i++) {
      if (this.counts[i]! > 0) {
        buckets.push(i)
        counts.push(this.counts[i]!)
      }
    }
    return { buckets, counts, min: this.count > 0 ? this.min : 0, max: this.count > 0 ? this.max : 0, sum: this.sum }
  }

  static from (data: HistogramData): Histogram {
    const h = new Histogram()
    h.add(data)
    return h
  }
}

/** Task types beyond a minute's `maxTypes` are counted together under this name (not a valid type name). */
export const OTHER_TYPE = '(other)'

export type TaskOutcomeKind = 'ok' | 'failed' | 'retried'
export type JobOutcomeKind = 'completed' | 'failed' | 'cancelled'

export interface HistoryOptions {
  /** Minutes kept (default 60, at most 1440). */
  retentionMinutes?: number
  /** Distinct task types kept per minute (default 32); the rest count as OTHER_TYPE. */
  maxTypes?: number
}

export const DEFAULT_RETENTION_MINUTES = 60
export const DEFAULT_MAX_TYPES = 32
const MAX_RETENTION_MINUTES = 1440
const MINUTE_MS = 60_000

class TypeMinute {
  type = ''
  ok = 0
  failed = 0
  retried = 0
  readonly duration = new Histogram()
  readonly wait = new Histogram()

  clear (): void {
    this.ok = 0
    this.failed = 0
    this.retried = 0
    this.duration.clear()
    this.wait.clear()
  }
}

class Slot {
  /** Which minute (ms since the epoch / 60 000) this slot holds; -1 before its first use. */
  minute = -1
  readonly types = new Map<string, TypeMinute>()
  /** TypeMinutes of this slot's earlier minutes, cleared, for reuse. */
  readonly spare: TypeMinute[] = []
  completed = 0
  failed = 0
  cancelled = 0
  readonly latency = new Histogram()

  reset (minute: number): void {
    this.minute = minute
    for (const t of this.types.values()) {
      t.clear()
      this.spare.push(t)
    }
    this.types.clear()
    this.completed = 0
    this.failed = 0
    this.cancelled = 0
    this.latency.clear()
  }
}

/** One task type's minute, as a snapshot carries it. */
export interface TypeSnapshot {
  type: string
  ok: number
  failed: number
  retried: number
  duration: HistogramData
  wait: HistogramData
}

export interface JobsSnapshot {
  completed: number
  failed: number
  cancelled: number
  latency: HistogramData
}

export interface MinuteSnapshot {
  /** The minute's start, ms since the epoch. */
  at: number
  types: TypeSnapshot[]
  jobs: JobsSnapshot
}

/** A node's history over a window: what it sends when the mesh's stats are gathered. */
export interface HistorySnapshot {
  layout: number
  /** When this node's history began (its start): it knows nothing before. */
  startedAt: number
  /** The node's clock when it took the snapshot. */
  now: number
  /** Non-empty minutes, oldest first. */
  minutes: MinuteSnapshot[]
}

export class LatencyHistory {
  readonly retentionMinutes: number
  readonly maxTypes: number
  private readonly slots: Slot[]

  constructor (readonly startedAt: number, opts: HistoryOptions = {}) {
    this.retentionMinutes = Math.max(1, Math.min(MAX_RETENTION_MINUTES, Math.floor(opts.retentionMinutes ?? DEFAULT_RETENTION_MINUTES)))
    this.maxTypes = Math.max(1, Math.floor(opts.maxTypes ?? DEFAULT_MAX_TYPES))
    // One slot more than the retention: the window of the last `retentionMinutes` minutes
    // spans that many + 1 minute buckets (the oldest one partly).
    this.slots = Array.from({ length: this.retentionMinutes + 1 }, () => new Slot())
  }

  /** An attempt of a task of `type` ended on this node, after `durationMs` running and `waitMs` queued (NaN: unknown). */
  recordTask (type: string, outcome: TaskOutcomeKind, durationMs: number, waitMs: number, now: number): void {
    const slot = this.slotAt(now)
    let t = slot.types.get(type)
    if (t == null) t = this.addType(slot, type)
    if (outcome === 'ok') t.ok++
    else if (outcome === 'failed') t.failed++
    else t.retried++
    t.duration.record(durationMs)
    if (waitMs === waitMs) t.wait.record(waitMs)
  }

  /** A job homed here became final, `latencyMs` after it was submitted. */
  recordJob (outcome: JobOutcomeKind, latencyMs: number, now: number): void {
    const slot = this.slotAt(now)
    if (outcome === 'completed') slot.completed++
    else if (outcome === 'failed') slot.failed++
    else slot.cancelled++
    slot.latency.record(latencyMs)
  }

  /**
   * The minutes that start at or after `from` (ms since the epoch; older ones are gone
   * anyway), oldest first, empty ones left out.
   */
  snapshot (from: number, now: number): HistorySnapshot {
    const current = Math.floor(now / MINUTE_MS)
    const first = Math.max(Math.floor(from / MINUTE_MS), current - this.retentionMinutes)
    const minutes: MinuteSnapshot[] = []
    for (const slot of this.slots) {
      if (slot.minute < first || slot.minute > current) continue
      const types: TypeSnapshot[] = []
      for (const t of slot.types.values()) {
        types.push({ type: t.type, ok: t.ok, failed: t.failed, retried: t.retried, duration: t.duration.data(), wait: t.wait.data() })
      }
      const jobs = { completed: slot.completed, failed: slot.failed, cancelled: slot.cancelled, latency: slot.latency.data() }
      if (types.length === 0 && slot.latency.count === 0) continue
      minutes.push({ at: slot.minute * MINUTE_MS, types: types.sort((a, b) => a.type < b.type ? -1 : a.type > b.type ? 1 : 0), jobs })
    }
    minutes.sort((a, b) => a.at - b.at)
    return { layout: LAYOUT_VERSION, startedAt: this.startedAt, now, minutes }
  }

  /** What the history holds: slots, task-type minutes allocated, histograms, and about how many bytes. */
  footprint (): { slots: number, typeMinutes: number, histograms: number, bytes: number } {
    let typeMinutes = 0
    for (const s of this.slots) typeMinutes += s.types.size + s.spare.length
    const histograms = this.slots.length + 2 * typeMinutes
    return { slots: this.slots.length, typeMinutes, histograms, bytes: histograms * (BUCKETS * 4 + 64) + typeMinutes * 64 }
  }

  private slotAt (now: number): Slot {
    const minute = Math.floor(now / MINUTE_MS)
    const n = this.slots.length
    const slot = this.slots[((minute % n) + n) % n]!
    if (slot.minute !== minute) slot.reset(minute)
    return slot
  }

  private addType (slot: Slot, type: string): TypeMinute {
    if (slot.types.size >= this.maxTypes) {
      const other = slot.types.get(OTHER_TYPE)
      if (other != null) return other
      type = OTHER_TYPE
    }
    const t = slot.spare.pop() ?? new TypeMinute()
    t.type = type
    slot.types.set(type, t)
    return t
  }
}

// ----- merging and summaries --------------------------------------------------------------

interface TypeTotals { ok: number, failed: number, retried: number, duration: Histogram, wait: Histogram }
interface MinuteTotals { tasks: number, duration: Histogram, jobs: number, latency: Histogram }

/** Several nodes' snapshots added together, by minute and by task type. */
export class MergedHistory {
  readonly types = new Map<string, TypeTotals>()
  readonly jobs = { completed: 0, failed: 0, cancelled: 0, latency: new Histogram() }
  /** Per minute start (ms): every task type's attempts and every job together. */
  readonly minutes = new Map<number, MinuteTotals>()
  /** The earliest start among the merged nodes. */
  startedAt = Infinity

  /** Adds the minutes of `snap` that start at or after `from`. */
  add (snap: HistorySnapshot, from = -Infinity): this {
    if (snap.startedAt < this.startedAt) this.startedAt = snap.startedAt
    const first = Math.floor(from / MINUTE_MS) * MINUTE_MS
    for (const m of snap.minutes) {
      if (m.at < first) continue
      let minute = this.minutes.get(m.at)
      if (minute == null) this.minutes.set(m.at, minute = { tasks: 0, duration: new Histogram(), jobs: 0, latency: new Histogram() })
      for (const t of m.types) {
        let tot = this.types.get(t.type)
        if (tot == null) this.types.set(t.type, tot = { ok: 0, failed: 0, retried: 0, duration: new Histogram(), wait: new Histogram() })
        tot.ok += t.ok
        tot.failed += t.failed
        tot.retried += t.retried
        tot.duration.add(t.duration)
        tot.wait.add(t.wait)
        minute.tasks += t.ok + t.failed
        minute.duration.add(t.duration)
      }
      this.jobs.completed += m.jobs.completed
      this.jobs.failed += m.jobs.failed
      this.jobs.cancelled += m.jobs.cancelled
      this.jobs.latency.add(m.jobs.latency)
      minute.jobs += m.jobs.completed + m.jobs.failed + m.jobs.cancelled
      minute.latency.add(m.jobs.latency)
    }
    return this
  }
}

/** One task type over the window. Percentiles in ms; undefined when there were no samples. */
export interface TypeSummary {
  type: string
  /** Tasks finished (ok + failed); retried attempts are counted apart. */
  count: number
  ok: number
  failed: number
  retried: number
  /** Tasks finished per second over the window. */
  perSec: number
  duration?: Percentiles
  queueWait?: Percentiles
}

export interface JobsSummary {
  count: number
  completed: number
  failed: number
  cancelled: number
  latency?: Percentiles
}

/** One minute, for charts: tasks finished, jobs finished, and their percentiles. */
export interface MinuteSummary {
  at: number
  tasks: number
  duration?: Percentiles
  jobs: number
  latency?: Percentiles
}

export interface HistorySummary {
  /** The window: from the start of its first minute (or the earliest node start, if later) to `until`. */
  since: number
  until: number
  windowMs: number
  types: TypeSummary[]
  jobs: JobsSummary
  /** Every minute of the window, oldest first, empty ones included (a chart's x axis). */
  minutes: MinuteSummary[]
}

/**
 * The merged history over [from, until]: per-type totals, throughput and percentiles, jobs,
 * and a series per minute. Throughput is over the part of the window the nodes were up.
 */
export function summarize (merged: MergedHistory, from: number, until: number): HistorySummary {
  const firstMinute = Math.floor(from / MINUTE_MS) * MINUTE_MS
  const since = Math.min(until, Math.max(firstMinute, Number.isFinite(merged.startedAt) ? merged.startedAt : firstMinute))
  const windowMs = Math.max(1, until - since)
  const types: TypeSummary[] = [...merged.types.entries()]
    .sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)
    .map(([type, t]) => {
      const count = t.ok + t.failed
      return {
        type,
        count,
        ok: t.ok,
        failed: t.failed,
        retried: t.retried,
        perSec: count / (windowMs / 1000),
        ...optional('duration', t.duration.percentiles()),
        ...optional('queueWait', t.wait.percentiles())
      }
    })
  const j = merged.jobs
  const jobs: JobsSummary = { count: j.completed + j.failed + j.cancelled, completed: j.completed, failed: j.failed, cancelled: j.cancelled, ...optional('latency', j.latency.percentiles()) }
  const minutes: MinuteSummary[] = []
  for (let at = firstMinute; at <= until; at += MINUTE_MS) {
    const m = merged.minutes.get(at)
    minutes.push(m == null
      ? { at, tasks: 0, jobs: 0 }
      : { at, tasks: m.tasks, ...optional('duration', m.duration.percentiles()), jobs: m.jobs, ...optional('latency', m.latency.percentiles()) })
  }
  return { since, until, windowMs, types, jobs, minutes }
}

function optional<K extends string> (key: K, value: Percentiles | undefined): { [k in K]?: Percentiles } {
  return (value == null ? {} : { [key]: value }) as { [k in K]?: Percentiles }
}
