// The mesh's stats (admin statsGet, `meshnode stats`, /v1/stats): every member's latency
// history (history.ts) over a window, gathered over the internal protocol, merged and
// summarized — per task type and for jobs, with a per-minute series for charts. A member
// that does not answer in time (or keeps another bucket layout) is listed as missing; the
// rest is still answered. Also here: the history's wire form (internal.proto's History) and
// the stable JSON of the answer, which the CLI's --json and the HTTP API both print.
import type { MeshStats, Percentiles as WirePercentiles } from '../../wire/proto/admin.js'
import { History, type HistogramData as WireHistogram } from '../../wire/proto/internal.js'
import { MAX_HISTORY_BYTES } from '../../wire/constants.js'
import { errorMessage } from '../errors.js'
import { LAYOUT_VERSION, MergedHistory, summarize, type HistogramData, type HistorySnapshot, type Percentiles } from './history.js'

const MINUTE_MS = 60_000

/** Where the mesh's histories come from (the node, or fakes in a test). */
export interface StatsSources {
  self: string
  /** Members of the committed configuration (this node included); empty outside a cluster. */
  members: () => readonly string[]
  /** This node's history from `from` (ms since the epoch). */
  local: (from: number, now: number) => HistorySnapshot
  /** A member's history, over the internal protocol; rejects if it does not answer. */
  fetch: (peer: string, from: number) => Promise<HistorySnapshot>
  /** How many minutes this node keeps (the window's cap). */
  retentionMinutes: number
  now: () => number
}

/** The mesh's stats over the last `sinceMs` (0 = all the history kept). Never throws for a missing member. */
export async function meshStats (sinceMs: number, src: StatsSources): Promise<MeshStats> {
  const now = src.now()
  const kept = src.retentionMinutes * MINUTE_MS
  const span = sinceMs > 0 ? Math.min(sinceMs, kept) : kept
  const from = now - span
  const members = [...new Set([src.self, ...src.members()])]
  const answers = await Promise.all(members.map(async peer => {
    try {
      const snap = peer === src.self ? src.local(from, now) : await src.fetch(peer, from)
      if (snap.layout !== LAYOUT_VERSION) return { peer, error: `it keeps histograms in bucket layout ${snap.layout}, this node in ${LAYOUT_VERSION} (mixed versions): upgrade it` }
      return { peer, snap }
    } catch (err) {
      return { peer, error: errorMessage(err) }
    }
  }))
  const merged = new MergedHistory()
  const answered: string[] = []
  const missing: Array<{ peerId: string, error: string }> = []
  for (const a of answers) {
    if (a.snap != null) {
      merged.add(a.snap, from)
      answered.push(a.peer)
    } else {
      missing.push({ peerId: a.peer, error: a.error ?? 'no answer' })
    }
  }
  const s = summarize(merged, from, now)
  return {
    since: s.since,
    until: s.until,
    windowMs: s.windowMs,
    types: s.types.map(t => ({ type: t.type, count: t.count, ok: t.ok, failed: t.failed, retried: t.retried, perSec: t.perSec, ...opt('duration', t.duration), ...opt('queueWait', t.queueWait) })),
    jobs: { count: s.jobs.count, completed: s.jobs.completed, failed: s.jobs.failed, cancelled: s.jobs.cancelled, ...opt('latency', s.jobs.latency) },
    minutes: s.minutes.map(m => ({ at: m.at, tasks: m.tasks, jobs: m.jobs, ...opt('duration', m.duration), ...opt('latency', m.latency) })),
    asked: members.length,
    answered,
    missing,
    retentionMinutes: src.retentionMinutes
  }
}

function opt<K extends string> (key: K, p: Percentiles | undefined): { [k in K]?: WirePercentiles } {
  return (p == null ? {} : { [key]: { p50: p.p50, p95: p.p95, p99: p.p99 } }) as { [k in K]?: WirePercentiles }
}

// ----- the stable JSON ----------------------------------------------------------------------

export interface PercentilesJson { p50: number, p95: number, p99: number }

/** `meshnode stats --json` and GET /v1/stats. Durations in ms (3 decimals); null = no samples. */
export interface StatsJson {
  since: number
  until: number
  windowMs: number
  retentionMinutes: number
  types: Array<{ type: string, count: number, ok: number, failed: number, retried: number, perSec: number, durationMs: PercentilesJson | null, queueWaitMs: PercentilesJson | null }>
  jobs: { count: number, completed: number, failed: number, cancelled: number, latencyMs: PercentilesJson | null }
  minutes: Array<{ at: number, tasks: number, durationMs: PercentilesJson | null, jobs: number, latencyMs: PercentilesJson | null }>
  nodes: { asked: number, answered: string[], missing: Array<{ peerId: string, error: string }> }
}

export function statsJson (s: MeshStats): StatsJson {
  return {
    since: s.since,
    until: s.until,
    windowMs: s.windowMs,
    retentionMinutes: s.retentionMinutes,
    types: s.types.map(t => ({ type: t.type, count: t.count, ok: t.ok, failed: t.failed, retried: t.retried, perSec: round(t.perSec), durationMs: pj(t.duration), queueWaitMs: pj(t.queueWait) })),
    jobs: { count: s.jobs?.count ?? 0, completed: s.jobs?.completed ?? 0, failed: s.jobs?.failed ?? 0, cancelled: s.jobs?.cancelled ?? 0, latencyMs: pj(s.jobs?.latency) },
    minutes: s.minutes.map(m => ({ at: m.at, tasks: m.tasks, durationMs: pj(m.duration), jobs: m.jobs, latencyMs: pj(m.latency) })),
    nodes: { asked: s.asked, answered: [...s.answered], missing: s.missing.map(m => ({ peerId: m.peerId, error: m.error })) }
  }
}

function pj (p: WirePercentiles | undefined): PercentilesJson | null {
  return p == null ? null : { p50: round(p.p50), p95: round(p.p95), p99: round(p.p99) }
}

function round (v: number): number {
  return Math.round(v * 1000) / 1000
}

// ----- the history's wire form ----------------------------------------------------------------

/**
 * A snapshot as internal.proto's History, at most `maxBytes` encoded: beyond it the oldest
 * minutes are left out (`truncated`), so an answer always fits the asker's frame limit.
 */
export function historyToWire (snap: HistorySnapshot, maxBytes = MAX_HISTORY_BYTES): History {
  const wire: History = {
    layout: snap.layout,
    startedAt: snap.startedAt,
    now: snap.now,
    truncated: false,
    minutes: snap.minutes.map(m => ({
      at: m.at,
      types: m.types.map(t => ({ type: t.type, ok: t.ok, failed: t.failed, retried: t.retried, duration: t.duration, wait: t.wait })),
      completed: m.jobs.completed,
      failed: m.jobs.failed,
      cancelled: m.jobs.cancelled,
      latency: m.jobs.latency
    }))
  }
  while (wire.minutes.length > 0 && History.encode(wire).byteLength > maxBytes) {
    wire.minutes = wire.minutes.slice(Math.ceil(wire.minutes.length / 4))
    wire.truncated = true
  }
  return wire
}

export function historyFromWire (h: History): HistorySnapshot {
  return {
    layout: h.layout,
    startedAt: h.startedAt,
    now: h.now,
    minutes: h.minutes.map(m => ({
      at: m.at,
      types: m.types.map(t => ({ type: t.type, ok: t.ok, failed: t.failed, retried: t.retried, duration: histogram(t.duration), wait: histogram(t.wait) })),
      jobs: { completed: m.completed, failed: m.failed, cancelled: m.cancelled, latency: histogram(m.latency) }
    }))
  }
}

function histogram (h: WireHistogram | undefined): HistogramData {
  return h == null ? { buckets: [], counts: [], min: 0, max: 0, sum: 0 } : h
}
