// deploy/ holds a sample Prometheus configuration (with its rules) and a Grafana dashboard.
// Every metric their PromQL uses must exist in a real node's registry, or a panel or an
// alert silently shows nothing: this reads every expression, takes the metric names out and
// looks each up in what a started node serves at /metrics.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startNode, type EmbeddedNode } from '../../../src/node/api.js'
import { parseExposition, type Family } from '../../fixtures/prom-text.js'

/** This file's port (the metrics helper's range is 27000-27499). */
const PORT = 27402
const DEPLOY = join(dirname(fileURLToPath(import.meta.url)), '../../../deploy')

/** PromQL words that are not metric names: aggregations, modifiers, set operators. */
const PROMQL_WORDS = new Set(['sum', 'min', 'max', 'avg', 'count', 'stddev', 'stdvar', 'topk', 'bottomk', 'quantile', 'count_values', 'group', 'limitk', 'limit_ratio',
  'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'offset', 'bool', 'and', 'or', 'unless', 'inf', 'nan', 'atan2'])
/** Series Prometheus makes itself for every target. */
const PROMETHEUS_SERIES = new Set(['up', 'scrape_duration_seconds', 'scrape_samples_scraped'])

/** The metric names a PromQL expression (or a Grafana variable query) selects. */
function metricNames (expr: string): string[] {
  const names = new Set<string>()
  // Grafana's variable queries: label_values(metric, label).
  for (const m of expr.matchAll(/label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*,/g)) names.add(m[1]!)
  const e = expr
    .replace(/label_values\([^)]*\)/g, ' ')
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, ' ')
    .replace(/\$\{?[a-zA-Z_]\w*(?::\w+)?\}?/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
  for (const m of e.matchAll(/(?<![\w.:])([a-zA-Z_:][a-zA-Z0-9_:]*)(?![\w:])(?!\s*\()/g)) {
    const name = m[1]!
    if (!PROMQL_WORDS.has(name.toLowerCase())) names.add(name)
  }
  return [...names]
}

/** Every PromQL text in the Grafana dashboard: panel targets and variable queries. */
function grafanaExpressions (dashboard: unknown): string[] {
  const out: string[] = []
  const walk = (v: unknown, key = ''): void => {
    if (Array.isArray(v)) for (const x of v) walk(x, key)
    else if (v != null && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, k)
    else if (typeof v === 'string' && (key === 'expr' || key === 'definition' || key === 'query') && /[a-z_]/.test(v) && v !== 'prometheus') out.push(v)
  }
  walk(dashboard)
  return out
}

/** `expr:` lines of a Prometheus rules file (this one keeps each expression on one line). */
function ruleExpressions (yaml: string): string[] {
  return [...yaml.matchAll(/^\s*expr:\s*(.+)$/gm)].map(m => m[1]!.trim())
}

/** The rule files deploy/prometheus.yml loads. */
function ruleFiles (yaml: string): string[] {
  const block = /^rule_files:\n((?:\s+- .+\n)+)/m.exec(yaml)?.[1] ?? ''
  return [...block.matchAll(/- (.+)/g)].map(m => m[1]!.trim())
}

/** Whether `name` is a family of the registry, or a histogram's _bucket/_sum/_count series. */
function exists (families: Map<string, Family>, name: string): boolean {
  if (families.has(name)) return true
  const m = /^(.+)_(bucket|sum|count)$/.exec(name)
  return m != null && families.get(m[1]!)?.type === 'histogram'
}

describe('metric names in PromQL', () => {
  it('finds the metrics and only the metrics in an expression', () => {
    expect(metricNames('histogram_quantile(0.99, sum by (le, type) (rate(task_duration_seconds_bucket{instance=~"$instance",type=~"$type"}[$__rate_interval])))')).toEqual(['task_duration_seconds_bucket'])
    expect(metricNames('sum(raft_role{role="leader"}) == 0 or max(members{state="dead"}) > 0')).toEqual(['raft_role', 'members'])
    expect(metricNames('label_values(members, instance)')).toEqual(['members'])
    expect(metricNames('rate(process_cpu_seconds_total[5m]) * 1e3')).toEqual(['process_cpu_seconds_total'])
  })
})

describe('deploy/ uses only metrics a node has', () => {
  let node: EmbeddedNode
  let dir: string
  let families: Map<string, Family>

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'meshnode-deploy-metrics-'))
    node = await startNode({ dataDir: dir, listen: [`/ip4/127.0.0.1/tcp/${PORT}`], logLevel: 'error' })
    families = parseExposition(await node.metrics())
  })

  afterAll(async () => {
    await node?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('every metric of the Grafana dashboard exists', () => {
    const dashboard = JSON.parse(readFileSync(join(DEPLOY, 'grafana-dashboard.json'), 'utf8'))
    const exprs = grafanaExpressions(dashboard)
    const names = new Set(exprs.flatMap(metricNames))
    // Sanity: the extraction found the dashboard's metrics, not nothing.
    expect(names.size).toBeGreaterThan(25)
    expect([...names].filter(n => !exists(families, n))).toEqual([])
  })

  it('every panel has a query, and the dashboard covers what the issue asks for', () => {
    const dashboard = JSON.parse(readFileSync(join(DEPLOY, 'grafana-dashboard.json'), 'utf8')) as { panels: Array<{ type: string, title: string, targets?: Array<{ expr: string }> }> }
    const panels = dashboard.panels.filter(p => p.type !== 'row')
    for (const p of panels) expect(p.targets?.length ?? 0, p.title).toBeGreaterThan(0)
    const used = new Set(panels.flatMap(p => p.targets!.flatMap(t => metricNames(t.expr))))
    for (const name of ['members', 'raft_role', 'raft_term', 'raft_commit_index', 'tasks_done_total', 'task_duration_seconds_bucket', 'task_queue_wait_seconds_bucket',
      'work_steals_granted_total', 'work_steals_refused_total', 'job_duration_seconds_bucket', 'completion_detection_seconds_bucket', 'gossip_rejects_total', 'rpc_rejects_total',
      'process_resident_memory_bytes', 'process_cpu_seconds_total', 'eventloop_lag_seconds_bucket']) {
      expect(used, name).toContain(name)
    }
    const quantiles = panels.filter(p => p.targets!.some(t => t.expr.startsWith('histogram_quantile(0.95')))
    expect(quantiles.map(p => p.title)).toEqual(expect.arrayContaining([expect.stringMatching(/Task duration/), expect.stringMatching(/Queue wait/), expect.stringMatching(/Job latency/)]))
  })

  it('every metric of the Prometheus configuration and its rules exists', () => {
    const config = readFileSync(join(DEPLOY, 'prometheus.yml'), 'utf8')
    expect(config).toMatch(/targets: \['127\.0\.0\.1:7421', '127\.0\.0\.1:7422', '127\.0\.0\.1:7423'\]/)
    const files = ruleFiles(config)
    expect(files.length).toBeGreaterThan(0)
    const exprs = ruleExpressions(config)
    for (const f of files) {
      expect(existsSync(join(DEPLOY, f)), f).toBe(true)
      exprs.push(...ruleExpressions(readFileSync(join(DEPLOY, f), 'utf8')))
    }
    expect(exprs.length).toBeGreaterThan(3)
    const names = new Set(exprs.flatMap(metricNames))
    expect([...names].filter(n => !exists(families, n) && !PROMETHEUS_SERIES.has(n))).toEqual([])
  })
})
