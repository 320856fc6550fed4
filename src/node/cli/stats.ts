// `meshnode stats`: the mesh's task and job latencies over a window (admin statsGet, which
// the node answers from every member's latency history: src/node/observe/stats.ts) — per
// task type the tasks, failures, throughput and p50/p95/p99 of run time and queue wait; then
// jobs; then which nodes answered.
import type { Command } from 'commander'
import { statsJson, type PercentilesJson, type StatsJson } from '../observe/stats.js'
import { withTarget, type Admin, type CliOutput, type TargetOptions } from './target.js'
import { MAX_SINCE_MS, parseDuration, table } from './table.js'

/** The default window of `meshnode stats`: what the nodes keep by default. */
const DEFAULT_SINCE = '1h'

export function addStatsCommand (program: Command, admin: Admin, io: CliOutput): void {
  withTarget(program.command('stats'))
    .description('task and job latencies across the mesh: p50/p95/p99 per task type, throughput, failures')
    .option('--since <duration>', `the window: 30s, 15m, 1h, 2d, ... (default ${DEFAULT_SINCE}; nodes keep an hour)`, DEFAULT_SINCE)
    .action(async (opts: TargetOptions & { since: string }) => {
      const sinceMs = parseDuration(opts.since, '--since', MAX_SINCE_MS)
      const stats = statsJson(await admin(opts, 'statsGet', { sinceMs }))
      io.out(opts.json === true ? JSON.stringify(stats, null, 2) + '\n' : formatStats(stats, sinceMs))
    })
}

export function formatStats (s: StatsJson, askedMs: number): string {
  const lines: string[] = []
  const kept = s.retentionMinutes * 60_000
  lines.push(`${new Date(s.since).toISOString()} to ${new Date(s.until).toISOString()} (${span(s.windowMs)})` +
    (askedMs > kept ? `; nodes keep ${span(kept)} of history` : ''))
  lines.push('')
  if (s.types.length === 0) {
    lines.push('no tasks finished in this window')
  } else {
    const rows = s.types.map(t => [
      t.type, String(t.count), String(t.failed), rate(t.perSec),
      ...three(t.durationMs), ...three(t.queueWaitMs)
    ])
    lines.push(table([['TYPE', 'TASKS', 'FAILED', 'TASKS/S', 'P50', 'P95', 'P99', 'WAIT P50', 'WAIT P95', 'WAIT P99'], ...rows]).trimEnd())
    const retried = s.types.reduce((n, t) => n + t.retried, 0)
    if (retried > 0) lines.push(`(${retried} failed attempt${retried === 1 ? '' : 's'} retried, not counted as tasks)`)
  }
  lines.push('')
  const j = s.jobs
  lines.push(`jobs: ${j.count} finished (${j.completed} completed, ${j.failed} failed, ${j.cancelled} cancelled)` +
    (j.latencyMs != null ? `, submit to done p50 ${ms(j.latencyMs.p50)}, p95 ${ms(j.latencyMs.p95)}, p99 ${ms(j.latencyMs.p99)}` : ''))
  lines.push(`nodes answered ${s.nodes.answered.length} of ${s.nodes.asked}`)
  for (const m of s.nodes.missing) lines.push(`  missing ${m.peerId}: ${m.error}`)
  return lines.join('\n') + '\n'
}

function three (p: PercentilesJson | null): string[] {
  return p == null ? ['-', '-', '-'] : [ms(p.p50), ms(p.p95), ms(p.p99)]
}

/** A latency for people: 0.12ms, 12.3ms, 1.23s, 2.5m. */
export function ms (v: number): string {
  if (v < 1) return `${v.toFixed(2)}ms`
  if (v < 1_000) return `${v < 100 ? v.toFixed(1) : Math.round(v)}ms`
  if (v < 60_000) return `${(v / 1000).toFixed(2)}s`
  return `${(v / 60_000).toFixed(1)}m`
}

function rate (perSec: number): string {
  return perSec >= 100 ? String(Math.round(perSec)) : perSec >= 1 ? perSec.toFixed(1) : perSec.toFixed(3)
}

function span (v: number): string {
  if (v < 60_000) return `${Math.round(v / 1000)}s`
  if (v < 3_600_000) return `${Math.round(v / 60_000)}m`
  return `${(v / 3_600_000).toFixed(v % 3_600_000 === 0 ? 0 : 1)}h`
}
