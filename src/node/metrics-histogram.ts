// A histogram for the per-task paths (task duration and queue wait, observed once per task
// attempt at tens of thousands a second). prom-client's own Histogram hashes its labels, builds
// an object and looks a bucket up by a numeric key on every observe (~180 ns, measured);
// this one keeps a Float64Array of bucket counts per label value and a child the caller holds,
// so an observation is a short loop and two additions, with no allocation. It registers in a
// prom-client Registry as a custom metric (the registry reads `name`, `help`, `type` and
// `get()`) and reports the same series and values as prom-client's Histogram would:
// test/unit/node/metric-names.test.ts compares both on the same observations.
import type { Registry } from 'prom-client'

/** One reported value, in the shape prom-client's Registry prints (`metricName` for the series). */
export interface SeriesValue { labels: Record<string, string | number>, value: number, metricName: string }

/** One label value's buckets: hold it (e.g. in a Map by task type) and call observe(). */
export class HistogramChild {
  /** counts[i] observations ≤ bounds[i] and > bounds[i-1]; the last slot is +Inf. */
  readonly counts: Float64Array
  sum = 0
  count = 0

  constructor (private readonly bounds: readonly number[], readonly labels: Record<string, string>) {
    this.counts = new Float64Array(bounds.length + 1)
  }

  observe (value: number): void {
    if (!Number.isFinite(value)) return
    const b = this.bounds
    let i = 0
    while (i < b.length && value > b[i]!) i++
    this.counts[i]!++
    this.sum += value
    this.count++
  }

  reset (): void {
    this.counts.fill(0)
    this.sum = 0
    this.count = 0
  }
}

export interface FastHistogramOptions {
  name: string
  help: string
  /** Upper bounds, ascending (+Inf is implied). */
  buckets: readonly number[]
  /** The one label children are told apart by; none: a single unlabelled child. */
  labelName?: string
  registers?: Registry[]
  /** Called at the start of every read (get()), to bring the counts up to date. */
  collect?: () => void
}

export class FastHistogram {
  readonly name: string
  readonly help: string
  readonly type = 'histogram' as const
  readonly aggregator = 'sum' as const
  private readonly bounds: readonly number[]
  private readonly labelName: string | undefined
  private readonly children = new Map<string, HistogramChild>()
  private readonly collect: (() => void) | undefined

  constructor (opts: FastHistogramOptions) {
    this.name = opts.name
    this.help = opts.help
    this.bounds = [...opts.buckets]
    this.labelName = opts.labelName
    this.collect = opts.collect
    for (let i = 1; i < this.bounds.length; i++) {
      if (!(this.bounds[i]! > this.bounds[i - 1]!)) throw new Error(`${opts.name}: buckets must ascend`)
    }
    // A prom-client Registry takes any object with name, help, type and get().
    for (const r of opts.registers ?? []) r.registerMetric(this as never)
  }

  /** The child for one label value (created once; keep it). Unlabelled: call with no argument. */
  child (labelValue = ''): HistogramChild {
    let c = this.children.get(labelValue)
    if (c == null) {
      c = new HistogramChild(this.bounds, this.labelName == null ? {} : { [this.labelName]: labelValue })
      this.children.set(labelValue, c)
    }
    return c
  }

  observe (value: number): void {
    this.child().observe(value)
  }

  reset (): void {
    for (const c of this.children.values()) c.reset()
  }

  /** The values as prom-client's Histogram reports them: _bucket (cumulative, with le), _sum, _count. */
  get (): { name: string, help: string, type: 'histogram', values: SeriesValue[], aggregator: 'sum' } {
    this.collect?.()
    const values: SeriesValue[] = []
    const children = this.labelName == null ? [this.child()] : [...this.children.values()]
    for (const c of children) {
      let acc = 0
      for (let i = 0; i <= this.bounds.length; i++) {
        acc += c.counts[i]!
        values.push({ labels: { ...c.labels, le: i < this.bounds.length ? this.bounds[i]! : '+Inf' }, value: acc, metricName: `${this.name}_bucket` })
      }
      values.push({ labels: { ...c.labels }, value: c.sum, metricName: `${this.name}_sum` })
      values.push({ labels: { ...c.labels }, value: c.count, metricName: `${this.name}_count` })
    }
    return { name: this.name, help: this.help, type: 'histogram', values, aggregator: 'sum' }
  }
}
