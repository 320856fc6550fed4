// Name-based increments, `counters.inc('rpc_served_total')`, for callers not yet moved to the
// typed metrics object (metrics.ts: `metrics.rpcServed.inc()`). Both land in the one registry;
// this adapter goes once its last caller has moved.
import type { Counter } from 'prom-client'
import { metricName, type Metrics, type NodeCounterName } from './metrics.js'

export type CounterName = NodeCounterName

export class Counters {
  private readonly byName: ReadonlyMap<string, Counter>

  constructor (metrics: Metrics) {
    this.byName = new Map(Object.values(metrics).map(c => [metricName(c), c]))
  }

  inc (name: CounterName, by = 1): void {
    this.byName.get(name)?.inc(by)
  }
}
