import { Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import type { RaftCounters } from '../../../src/consensus/types.js'
import { FailureDetector } from '../../../src/healing/failure-detector.js'
import { createMetrics, registerEntries, statusCounters, type CoreCounterSources } from '../../../src/node/metrics.js'
import { WorkService } from '../../../src/node/services/work.js'

const NAME = /^[a-z_]+(_total|_seconds|_bytes)?$/

/** Every counter `meshnode status --json` listed before the registry: none may disappear. */
const STATUS_NAMES_BEFORE_THE_REGISTRY = [
  'gossip_rejected_total', 'gossip_oversize_total', 'gossip_malformed_total', 'gossip_wrong_mesh_total',
  'gossip_forged_sender_total', 'rpc_rejected_total', 'rpc_served_total', 'heartbeats_sent_total',
  'heartbeats_received_total', 'probes_total', 'probes_failed_total', 'suspicions_total',
  'refuted_suspicions_total', 'deaths_total', 'raft_sent_total', 'raft_received_total', 'raft_dropped_total',
  'raft_rejected_total', 'work_served_total', 'work_rejected_total',
  'raft_rejected_messages_total', 'raft_rejected_votes_total', 'raft_rejected_certificates_total',
  'raft_certificates_verified_total', 'raft_votes_ignored_in_lease_total', 'raft_committed_conflicts_total',
  'work_tasks_run_total', 'work_tasks_failed_total', 'work_tasks_retried_total', 'work_steals_sent_total',
  'work_steals_granted_total', 'work_tasks_stolen_total', 'work_tasks_lent_total', 'work_batches_resent_total',
  'work_results_sent_total', 'work_orphaned_handlers_total', 'work_rejected_messages_total',
  'work_duplicate_results_total', 'work_queued', 'work_running', 'work_lent_batches', 'work_outbox', 'work_active_jobs'
]

/** Any field of the fake work engine reads as 0, so the real counterEntries() names are used. */
const zeros: any = new Proxy({}, { get: () => 0 })
const workEntries = (): Array<[string, number]> =>
  WorkService.prototype.counterEntries.call({ engine: { counters: zeros, stats: () => zeros, jobs: zeros } } as unknown as WorkService)

function nodeRegistry (cores: CoreCounterSources = {}): { registry: Registry, metrics: ReturnType<typeof createMetrics> } {
  const registry = new Registry()
  const metrics = createMetrics(registry, cores)
  registerEntries(registry, workEntries)
  return { registry, metrics }
}

function valueOf (registry: Registry, name: string): number | undefined {
  return statusCounters(registry).find(([n]) => n === name)?.[1]
}

describe('metrics registry', () => {
  it('names every metric by the conventions: snake case ending in _total, _seconds, _bytes or a plain gauge', () => {
    const { registry } = nodeRegistry()
    const metrics = registry.getMetricsAsArray() as unknown as Array<{ name: string, type: string }>
    expect(metrics.length).toBeGreaterThan(0)
    for (const m of metrics) {
      expect(m.name).toMatch(NAME)
      // A counter's name says so, and only a counter's name does.
      expect(m.name.endsWith('_total'), m.name).toBe(m.type === 'counter')
    }
  })

  it('registers every name once', () => {
    const { registry } = nodeRegistry()
    const names = registry.getMetricsAsArray().map(m => (m as unknown as { name: string }).name)
    expect(new Set(names).size).toBe(names.length)
  })

  it('gives status whole numbers: a fractional status gauge is rounded, so the answer can carry it', () => {
    // The status answer's counters are uint64 (BigInt): a lag gauge of 2.058 once made every
    // status request fail while it was set (chaos suite: 18-29 s of "no status" after the final heal).
    const { registry } = nodeRegistry()
    registerEntries(registry, () => [['fractional_gauge', 2.058]])
    expect(valueOf(registry, 'fractional_gauge')).toBe(2)
    for (const [name, value] of statusCounters(registry)) expect(() => BigInt(value), name).not.toThrow()
  })

  it('refuses a second metric with a name already taken', () => {
    const { registry } = nodeRegistry()
    expect(() => { registerEntries(registry, () => [['probes_total', 1]]) }).toThrow(/already been registered/)
  })

  it('keeps every counter name status reported before the registry', () => {
    const { registry } = nodeRegistry()
    const names = statusCounters(registry).map(([n]) => n)
    expect(names).toEqual(expect.arrayContaining(STATUS_NAMES_BEFORE_THE_REGISTRY))
  })

  it('lists in status the registry\'s unlabelled counters and gauges, with the values prom-client reports', async () => {
    const fd = new FailureDetector({ probeAfterMs: 1_000, probeIntervalMs: 100, deadAfterMs: 2_000 })
    const raft = { rejectedVotes: 2 } as unknown as RaftCounters
    const { registry, metrics } = nodeRegistry({ detector: () => fd.counters, raft: () => raft })
    metrics.heartbeatsSent.inc(3)
    fd.heartbeat('a', 1n, 1n, 0)
    fd.heartbeat('a', 1n, 1n, 10) // stale
    const asJson = await registry.getMetricsAsJSON()
    // Histograms and labelled families (raft_proposal_seconds, rpc_rejects_total, ...) are not status lines.
    const unlabelled = asJson.filter(m => ['counter', 'gauge'].includes(String(m.type)) && m.values.length > 0 && m.values.every(v => Object.keys(v.labels).length === 0))
    const fromPromClient = unlabelled.map(m => [m.name, m.values[0]!.value])
    expect(statusCounters(registry)).toEqual(fromPromClient)
    expect(valueOf(registry, 'heartbeats_sent_total')).toBe(3)
    expect(valueOf(registry, 'stale_heartbeats_total')).toBe(1)
    expect(valueOf(registry, 'raft_rejected_votes_total')).toBe(2)
  })

  it('shows a counter increment in the next status snapshot', () => {
    const { registry, metrics } = nodeRegistry()
    expect(valueOf(registry, 'probes_failed_total')).toBe(0)
    metrics.probesFailed.inc()
    expect(valueOf(registry, 'probes_failed_total')).toBe(1)
  })

  it('reads a core\'s counter object at collect time, as zero before the core exists', () => {
    let raft: RaftCounters | undefined
    const { registry } = nodeRegistry({ raft: () => raft })
    expect(valueOf(registry, 'raft_rejected_certificates_total')).toBe(0)
    raft = { rejectedCertificates: 4 } as unknown as RaftCounters
    expect(valueOf(registry, 'raft_rejected_certificates_total')).toBe(4)
    raft.rejectedCertificates++
    expect(valueOf(registry, 'raft_rejected_certificates_total')).toBe(5)
  })

  it('counts a suspicion once, where the failure detector decides it', () => {
    const fd = new FailureDetector({ probeAfterMs: 1_000, probeIntervalMs: 100, deadAfterMs: 2_000 })
    const { registry } = nodeRegistry({ detector: () => fd.counters })
    fd.heartbeat('a', 1n, 1n, 0)
    fd.tick(1_001)
    expect(fd.ready().probes).toEqual(['a'])
    fd.probeResult('a', false, 1_010)
    expect(fd.get('a')?.state).toBe('suspect')
    expect(valueOf(registry, 'suspicions_total')).toBe(1)
  })

  it('reads a service\'s entries as counters (_total) and gauges (the rest)', async () => {
    let queued = 0
    let run = 0
    const registry = new Registry()
    registerEntries(registry, () => [['work_tasks_run_total', run], ['work_queued', queued]])
    run = 7
    queued = 3
    expect(statusCounters(registry)).toEqual([['work_tasks_run_total', 7], ['work_queued', 3]])
    queued = 1
    expect(valueOf(registry, 'work_queued')).toBe(1)
    const types = (await registry.getMetricsAsJSON()).map(m => [m.name, m.type])
    expect(types).toEqual([['work_tasks_run_total', 'counter'], ['work_queued', 'gauge']])
  })

  it('serves the Prometheus text exposition a /metrics endpoint will return', async () => {
    const fd = new FailureDetector({ probeAfterMs: 1_000, probeIntervalMs: 100, deadAfterMs: 2_000 })
    const { registry, metrics } = nodeRegistry({ detector: () => fd.counters })
    metrics.probes.inc()
    const text = await registry.metrics()
    expect(text).toContain('# TYPE probes_total counter\nprobes_total 1')
    expect(text).toContain('# TYPE suspicions_total counter')
    expect(text).toContain('# TYPE work_queued gauge')
  })
})
