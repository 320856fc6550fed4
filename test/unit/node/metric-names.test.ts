// The metric set of a real node, as Prometheus reads it from `GET /metrics`: every family's
// type matches its name's suffix, has a help text and is declared once; the families the
// README and the Grafana dashboard promise exist with their types and labels.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Histogram, Registry } from 'prom-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startNode, type EmbeddedNode } from '../../../src/node/api.js'
import { MAX_TASK_TYPES, WorkMetrics } from '../../../src/node/metrics.js'
import { FastHistogram } from '../../../src/node/metrics-histogram.js'
import { parseExposition, sum, type Family } from '../../fixtures/prom-text.js'

/** This file's port (the metrics helper's range is 27000-27499). */
const PORT = 27401

/** name, type, label names (besides `le`) of the families meshnode promises. */
const FAMILIES: Array<[string, 'counter' | 'gauge' | 'histogram', string[]]> = [
  ['members', 'gauge', ['state']],
  ['suspicions_total', 'counter', []],
  ['deaths_total', 'counter', []],
  ['raft_term', 'gauge', []],
  ['raft_role', 'gauge', ['role']],
  ['raft_commit_index', 'gauge', []],
  ['raft_applied_index', 'gauge', []],
  ['raft_elections_started_total', 'counter', []],
  ['raft_pre_votes_started_total', 'counter', []],
  ['raft_proposal_seconds', 'histogram', []],
  ['tasks_started_total', 'counter', ['type']],
  ['tasks_done_total', 'counter', ['type']],
  ['tasks_failed_total', 'counter', ['type']],
  ['tasks_retried_total', 'counter', ['type']],
  ['tasks_queued', 'gauge', ['type']],
  ['tasks_running', 'gauge', ['type']],
  ['task_duration_seconds', 'histogram', ['type']],
  ['task_queue_wait_seconds', 'histogram', ['type']],
  ['job_duration_seconds', 'histogram', ['state']],
  ['completion_detection_seconds', 'histogram', []],
  ['circuit_state', 'gauge', ['kind', 'target']],
  ['circuit_transitions_total', 'counter', ['kind', 'to']],
  ['task_escalations_total', 'counter', ['step']],
  ['work_steals_sent_total', 'counter', []],
  ['work_steals_granted_total', 'counter', []],
  ['work_steals_refused_total', 'counter', []],
  ['gossip_rejected_total', 'counter', []],
  ['gossip_rejects_total', 'counter', ['reason']],
  ['rpc_rejected_total', 'counter', []],
  ['rpc_rejects_total', 'counter', ['protocol', 'reason']],
  ['eventloop_lag_seconds', 'histogram', []],
  ['process_cpu_seconds_total', 'counter', []],
  ['process_resident_memory_bytes', 'gauge', []],
  ['nodejs_heap_size_used_bytes', 'gauge', []],
  ['nodejs_eventloop_lag_p99_seconds', 'gauge', []],
  ['libp2p_data_transfer_bytes_total', 'counter', ['protocol']]
]

/**
 * Families from libraries (prom-client's process metrics, libp2p's) whose names break the
 * suffix rules; ours never may. A library update that adds one fails this test on purpose.
 */
const LIBRARY_EXCEPTIONS: Record<string, string> = {
  nodejs_active_resources_total: 'prom-client: a gauge named _total',
  nodejs_active_handles_total: 'prom-client: a gauge named _total',
  nodejs_active_requests_total: 'prom-client: a gauge named _total',
  libp2p_protocol_streams_total: 'libp2p: a gauge named _total',
  libp2p_tcp_inbound_connections_total: 'libp2p: a gauge named _total',
  libp2p_tcp_listener_errors_total: 'libp2p: a gauge named _total',
  libp2p_tcp_listener_events_total: 'libp2p: a gauge named _total'
}

/** Why a family's type does not fit its name, or undefined. */
function suffixProblem (f: Family): string | undefined {
  if (f.name.endsWith('_total') !== (f.type === 'counter')) return `${f.type} ${f.name}: only counters end in _total, and every counter does`
  if (f.name.endsWith('_seconds') && f.type !== 'histogram' && !(f.type === 'gauge' && /second/i.test(f.help))) return `${f.type} ${f.name}: _seconds is a histogram, or a gauge whose help says seconds`
  if (f.name.endsWith('_bytes') && f.type !== 'gauge') return `${f.type} ${f.name}: _bytes is a gauge`
  if (f.type === 'histogram' && !/_(seconds|bytes)$/.test(f.name)) return `histogram ${f.name}: a histogram measures _seconds or _bytes`
  return undefined
}

describe('metric names and types of a started node', () => {
  let node: EmbeddedNode
  let dir: string
  let families: Map<string, Family>

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'meshnode-metric-names-'))
    node = await startNode({
      dataDir: dir,
      listen: [`/ip4/127.0.0.1/tcp/${PORT}`],
      logLevel: 'error',
      handlers: { boom: () => { throw new Error('boom') } }
    })
    // Labelled families show series only once something happened: an ok task, a retried then failed one.
    await node.run({ tasks: [{ type: 'echo', payload: 1 }, { type: 'boom', attempts: 2 }] })
    families = parseExposition(await node.metrics())
  })

  afterAll(async () => {
    await node?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('declares every family once, with a help text', () => {
    expect(families.size).toBeGreaterThan(FAMILIES.length)
    for (const f of families.values()) {
      expect(f.type, f.name).not.toBe('untyped')
      expect(f.help.trim(), f.name).not.toBe('')
    }
  })

  it('gives every family the type its suffix says: _total counter, _seconds histogram (or a gauge in seconds), _bytes gauge', () => {
    const problems = [...families.values()].filter(f => !(f.name in LIBRARY_EXCEPTIONS)).map(suffixProblem).filter(p => p != null)
    expect(problems).toEqual([])
  })

  it('keeps library exceptions to libraries: no meshnode family needs one', () => {
    for (const name of Object.keys(LIBRARY_EXCEPTIONS)) expect(name).toMatch(/^(nodejs|process|libp2p)_/)
  })

  it.each(FAMILIES)('has %s as a %s labelled by %j', (name, type, labels) => {
    const f = families.get(name)
    expect(f, `${name} is missing`).toBeDefined()
    expect(f!.type).toBe(type)
    for (const s of f!.samples) expect(Object.keys(s.labels).filter(l => l !== 'le').sort(), s.name).toEqual([...labels].sort())
  })

  it('counts the job\'s tasks by type: one echo done, one boom retried then failed', () => {
    expect(sum(families, 'tasks_done_total', { type: 'echo' })).toBe(1)
    expect(sum(families, 'tasks_retried_total', { type: 'boom' })).toBe(1)
    expect(sum(families, 'tasks_failed_total', { type: 'boom' })).toBe(1)
    expect(sum(families, 'tasks_started_total', { type: 'boom' })).toBe(2)
    expect(sum(families, 'task_duration_seconds', { type: 'boom' }, 'task_duration_seconds_count')).toBe(2)
    expect(sum(families, 'task_queue_wait_seconds', { type: 'echo' }, 'task_queue_wait_seconds_count')).toBe(1)
    expect(sum(families, 'job_duration_seconds', { state: 'failed' }, 'job_duration_seconds_count')).toBe(1)
    expect(sum(families, 'completion_detection_seconds', {}, 'completion_detection_seconds_count')).toBe(1)
  })

  it('shows this lone node as the alive leader', () => {
    expect(sum(families, 'members', { state: 'alive' })).toBe(1)
    expect(sum(families, 'raft_role', { role: 'leader' })).toBe(1)
    expect(sum(families, 'raft_role')).toBe(1)
    expect(sum(families, 'raft_term')).toBeGreaterThan(0)
    expect(sum(families, 'raft_proposal_seconds', {}, 'raft_proposal_seconds_count')).toBeGreaterThan(0)
  })

  it('lists in status only meshnode\'s unlabelled counters and gauges, all integers', () => {
    const counters = node.status().counters
    const names = counters.map(c => c.name)
    expect(new Set(names).size).toBe(names.length)
    expect(names.filter(n => /^(nodejs|process|libp2p)_/.test(n))).toEqual([])
    expect(names).not.toContain('tasks_done_total')
    expect(names).toContain('raft_elections_started_total')
    expect(names).toContain('work_steals_refused_total')
    expect(names.length).toBeLessThan(90)
  })
})

describe('FastHistogram', () => {
  it('reports the series and values prom-client\'s Histogram reports for the same observations', async () => {
    const buckets = [0.001, 0.01, 0.1, 1]
    const registry = new Registry()
    const ours = new FastHistogram({ name: 'ours_seconds', help: 'h', labelName: 'type', buckets, registers: [registry] })
    const theirs = new Histogram({ name: 'theirs_seconds', help: 'h', labelNames: ['type'], buckets, registers: [registry] })
    const a = ours.child('a')
    const b = ours.child('b')
    for (const [type, v] of [['a', 0.0005], ['a', 0.001], ['a', 0.5], ['b', 3], ['b', 0.05], ['a', 0]] as const) {
      (type === 'a' ? a : b).observe(v)
      theirs.labels(type).observe(v)
    }
    const text = parseExposition(await registry.metrics())
    const norm = (f: Family, prefix: string): string[] => f.samples.map(s => `${s.name.replace(prefix, 'x')} ${JSON.stringify(Object.entries(s.labels).sort())} ${s.value}`).sort()
    expect(norm(text.get('ours_seconds')!, 'ours_seconds')).toEqual(norm(text.get('theirs_seconds')!, 'theirs_seconds'))
  })

  it('reports an unlabelled histogram with zero buckets before any observation, as prom-client does', async () => {
    const registry = new Registry()
    new FastHistogram({ name: 'ours_seconds', help: 'h', buckets: [1], registers: [registry] })
    const f = parseExposition(await registry.metrics()).get('ours_seconds')!
    expect(f.samples.map(s => `${s.name}${JSON.stringify(s.labels)} ${s.value}`)).toEqual([
      'ours_seconds_bucket{"le":"1"} 0', 'ours_seconds_bucket{"le":"+Inf"} 0', 'ours_seconds_sum{} 0', 'ours_seconds_count{} 0'
    ])
  })
})

describe('WorkMetrics', () => {
  it('labels the first task types by name and every later one as "other"', async () => {
    const registry = new Registry()
    const work = new WorkMetrics(registry)
    for (let i = 0; i < MAX_TASK_TYPES + 5; i++) work.taskEnded(`t${i}`, 'done', 1)
    work.taskEnded('t0', 'done', 1)
    const f = parseExposition(await registry.metrics())
    const types = f.get('tasks_done_total')!.samples.map(s => s.labels.type)
    expect(types).toHaveLength(MAX_TASK_TYPES + 1)
    expect(sum(f, 'tasks_done_total', { type: 'other' })).toBe(5)
    expect(sum(f, 'tasks_done_total', { type: 't0' })).toBe(2)
    expect(sum(f, 'tasks_done_total')).toBe(MAX_TASK_TYPES + 6)
  })

  it('times a job from its submit and completion detection from its last task\'s record, at the home', async () => {
    const registry = new Registry()
    const work = new WorkMetrics(registry)
    const job = { id: 'j', home: 'h', state: 'completed' as const, createdAt: 1_000, lastTaskAt: 3_000, finishedAt: 3_010, roots: 1, total: 1, done: 1, failed: 0, cancelled: 0, byNode: {} }
    work.jobFinished(job, 3_020)
    work.jobFinished({ ...job, state: 'cancelled' }, 5_000)
    const f = parseExposition(await registry.metrics())
    expect(sum(f, 'job_duration_seconds', { state: 'completed' }, 'job_duration_seconds_sum')).toBeCloseTo(2.02)
    expect(sum(f, 'job_duration_seconds', { state: 'cancelled' }, 'job_duration_seconds_count')).toBe(1)
    // A cancelled job's end is its cancel: no completion-detection sample.
    expect(sum(f, 'completion_detection_seconds', {}, 'completion_detection_seconds_count')).toBe(1)
    expect(sum(f, 'completion_detection_seconds', {}, 'completion_detection_seconds_sum')).toBeCloseTo(0.02)
  })
})
