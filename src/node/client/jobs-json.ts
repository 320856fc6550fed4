// The stable JSON of jobs, as `meshnode jobs --json` / `job --json` print it and the HTTP
// API (/v1/jobs) answers: one conversion from the admin protocol's messages serves both, so
// the two can never disagree. Add fields freely; never rename or remove one.
import type { JobDetail, JobSummary as WireSummary, RetentionInfo } from '../../wire/proto/admin.js'
import type { JobRecord } from '../store/work-store.js'
import type { WorkflowView } from '../../work/workflows.js'

/** A stuck job's diagnosis (src/healing/stuck.ts): no progress for `sinceMs`, and why. */
export interface StuckJson { sinceMs: number, code: string, text: string, peers?: string[], capabilities?: string[] }

export interface JobSummary { id: string, home: string, state: string, createdAt: number, name?: string, total?: number, done?: number, failed?: number, finishedAt?: number, stuck?: StuckJson }

/** What only a job's home knows: absent when the home was declared dead after the job finished. */
type HomeCounts = 'roots' | 'total' | 'done' | 'failed' | 'cancelled' | 'byNode'

export interface JobDetails extends Omit<JobRecord, HomeCounts>, Partial<Pick<JobRecord, HomeCounts>> {
  /**
   * The job finished before its home was declared dead: this view is the registry's (state,
   * times, homes); its counts, results and error were kept only at that home and are gone.
   */
  homeDead?: true
  result?: unknown
  stuck?: StuckJson
  waitingFor?: string[]
  running?: Array<{ taskId: string, node: string, type?: string, progress?: unknown }>
  results?: Array<{ taskId: string, ok: boolean, result?: unknown, error?: string, node: string }>
  next?: string
  /** A workflow: its steps, definition and inputs (src/work/workflows.ts). */
  workflow?: WorkflowView
}

/** A listed job: counts only for jobs homed on the node asked. */
export function summaryJson (j: WireSummary): JobSummary {
  return {
    id: j.id,
    home: j.home,
    state: j.state,
    createdAt: Number(j.createdAt),
    ...(j.name != null ? { name: j.name } : {}),
    ...(j.total != null ? { total: j.total, done: j.done ?? 0, failed: j.failed ?? 0 } : {}),
    ...(j.finishedAt != null ? { finishedAt: Number(j.finishedAt) } : {}),
    ...(j.stuck != null ? { stuck: stuckJson(j.stuck) } : {})
  }
}

function stuckJson (s: { sinceMs: number, code: string, text: string, peers: string[], capabilities: string[] }): StuckJson {
  return { sinceMs: Number(s.sinceMs), code: s.code, text: s.text, ...(s.peers.length > 0 ? { peers: [...s.peers] } : {}), ...(s.capabilities.length > 0 ? { capabilities: [...s.capabilities] } : {}) }
}

/** A job's view, then the page of results and the next cursor. */
export function detailJson (d: JobDetail): JobDetails {
  return {
    ...JSON.parse(d.view),
    ...(d.results !== '' ? { results: JSON.parse(d.results) } : {}),
    ...(d.next !== '' ? { next: d.next } : {})
  }
}

/** `meshnode retention --json`: the policy in force (null = no limit) and the registry's counts. */
export interface RetentionJson {
  maxAgeMs: number | null
  maxJobs: number | null
  resultsMaxAgeMs: number | null
  /** Keys not set in the config: their default is in force. */
  defaults: string[]
  running: number
  finished: number
  resultsExpired: number
  deletedTotal: number
  resultsExpiredTotal: number
}

export function retentionJson (r: RetentionInfo): RetentionJson {
  return {
    maxAgeMs: r.maxAgeMs ?? null,
    maxJobs: r.maxJobs ?? null,
    resultsMaxAgeMs: r.resultsMaxAgeMs ?? null,
    defaults: [...r.defaults],
    running: r.running,
    finished: r.finished,
    resultsExpired: r.resultsExpired,
    deletedTotal: r.deletedTotal,
    resultsExpiredTotal: r.resultsExpiredTotal
  }
}
