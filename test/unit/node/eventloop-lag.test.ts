// The node's one event-loop lag sampler (src/node/eventloop-lag.ts): the histogram's buckets
// are counted from the native histogram's ranks, both families read one sampler, and the
// process metrics register every prom-client default but its own lag monitor.
import { createHistogram, type ELDHistogram, type RecordableHistogram } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { Registry, collectDefaultMetrics } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { EventLoopLag, LAG_SAMPLE_MS, countAtOrBelow } from '../../../src/node/eventloop-lag.js'
import { PROCESS_DEFAULTS, ProcessMetrics } from '../../../src/node/metrics.js'
import { parseExposition, sum } from '../../fixtures/prom-text.js'

const MS = 1e6
const PERIOD = LAG_SAMPLE_MS * MS

/** A histogram to record into by hand, in the shape EventLoopLag reads. */
function manual (): RecordableHistogram & ELDHistogram {
  return Object.assign(createHistogram(), { enable: () => true, disable: () => true, [Symbol.dispose]: () => {} })
}

async function scrape (registry: Registry): Promise<(family: string, match?: Record<string, string>, sample?: string) => number> {
  const families = parseExposition(await registry.metrics())
  return (family, match = {}, sample = family) => sum(families, family, match, sample)
}

describe('countAtOrBelow', () => {
  it('counts the recorded values at or below each limit, as a scan of them does', () => {
    const h = createHistogram()
    const values: number[] = []
    let seed = 7
    for (let i = 0; i < 500; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      const v = 2 ** (10 + seed % 20)
      values.push(v)
      h.record(v)
    }
    let below = 0
    // Limits between the values: the histogram keeps 3 significant digits, so a value reads
    // as the top of its sub-bucket (2^k reads as a little more than 2^k).
    for (let e = 8; e <= 31; e++) {
      const limit = 1.5 * 2 ** e
      below = countAtOrBelow(h, limit, below)
      expect(below, `≤ 1.5 × 2^${e}`).toBe(values.filter(v => v <= limit).length)
    }
  })

  it('is 0 for an empty histogram and all for a limit above the maximum', () => {
    const h = createHistogram()
    expect(countAtOrBelow(h, 1e9)).toBe(0)
    h.record(5)
    h.record(7)
    expect(countAtOrBelow(h, 1e9)).toBe(2)
    expect(countAtOrBelow(h, 1)).toBe(0)
  })
})

describe('EventLoopLag', () => {
  it('fills eventloop_lag_seconds (lateness, cumulative) and the nodejs_eventloop_lag_* gauges (intervals, since the last scrape) from one histogram', async () => {
    const registry = new Registry()
    const h = manual()
    const lag = new EventLoopLag(registry, h)
    lag.start()
    for (let i = 0; i < 5; i++) h.record(PERIOD + 0.5 * MS)
    for (let i = 0; i < 3; i++) h.record(PERIOD + 30 * MS)
    for (let i = 0; i < 2; i++) h.record(PERIOD + 700 * MS)
    let read = await scrape(registry)
    const bucket = (le: string): number => read('eventloop_lag_seconds', { le }, 'eventloop_lag_seconds_bucket')
    expect(bucket('0.001')).toBe(5)
    expect(bucket('0.025')).toBe(5)
    expect(bucket('0.05')).toBe(8)
    expect(bucket('0.5')).toBe(8)
    expect(bucket('1')).toBe(10)
    expect(bucket('+Inf')).toBe(10)
    expect(read('eventloop_lag_seconds', {}, 'eventloop_lag_seconds_count')).toBe(10)
    expect(read('eventloop_lag_seconds', {}, 'eventloop_lag_seconds_sum')).toBeCloseTo(5 * 0.0005 + 3 * 0.03 + 2 * 0.7, 2)
    expect(read('nodejs_eventloop_lag_min_seconds')).toBeCloseTo(0.1005, 3)
    expect(read('nodejs_eventloop_lag_max_seconds')).toBeCloseTo(0.8, 2)
    expect(read('nodejs_eventloop_lag_p50_seconds')).toBeCloseTo(0.1005, 3)
    expect(h.count).toBe(0)

    // No sample since: the histogram stays, the gauges keep the last interval's values.
    read = await scrape(registry)
    expect(read('eventloop_lag_seconds', {}, 'eventloop_lag_seconds_count')).toBe(10)
    expect(read('nodejs_eventloop_lag_max_seconds')).toBeCloseTo(0.8, 2)

    // New samples add to the histogram; the gauges describe them alone.
    h.record(PERIOD + 3 * MS)
    read = await scrape(registry)
    expect(bucket('0.001')).toBe(5)
    expect(bucket('0.005')).toBe(6)
    expect(read('eventloop_lag_seconds', {}, 'eventloop_lag_seconds_count')).toBe(11)
    expect(read('nodejs_eventloop_lag_max_seconds')).toBeCloseTo(0.103, 3)
    expect(read('nodejs_eventloop_lag_min_seconds')).toBeCloseTo(0.103, 3)
    lag.stop()
  })

  it('sees a blocked loop with the native sampler: a 300 ms block makes a sample over 100 ms late', async () => {
    const registry = new Registry()
    const lag = new EventLoopLag(registry)
    lag.start()
    try {
      await sleep(3 * LAG_SAMPLE_MS)
      const until = performance.now() + 3 * LAG_SAMPLE_MS
      while (performance.now() < until) { /* block the loop */ }
      await sleep(2 * LAG_SAMPLE_MS)
      const read = await scrape(registry)
      const count = read('eventloop_lag_seconds', {}, 'eventloop_lag_seconds_count')
      expect(count).toBeGreaterThan(0)
      expect(read('eventloop_lag_seconds', { le: '0.1' }, 'eventloop_lag_seconds_bucket')).toBeLessThan(count)
      expect(read('nodejs_eventloop_lag_max_seconds')).toBeGreaterThan(0.2)
    } finally {
      lag.stop()
    }
  })
})

describe('ProcessMetrics', () => {
  it('registers every prom-client default but its event-loop lag monitor', () => {
    expect(Object.keys(PROCESS_DEFAULTS).sort()).toEqual(collectDefaultMetrics.metricsList.filter(m => m !== 'eventLoopLag').sort())
  })

  it('serves the families collectDefaultMetrics would, the lag gauges included', async () => {
    const ours = new Registry()
    const metrics = new ProcessMetrics(ours)
    const theirs = new Registry()
    collectDefaultMetrics({ register: theirs, eventLoopMonitoringPrecision: LAG_SAMPLE_MS })
    const names = (text: string): string[] => [...parseExposition(text).keys()].sort()
    const mine = names(await ours.metrics())
    expect(mine.filter(n => n !== 'eventloop_lag_seconds')).toEqual(names(await theirs.metrics()))
    expect(mine).toContain('eventloop_lag_seconds')
    metrics.stop()
  })
})
