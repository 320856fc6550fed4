// Retention: which finished jobs the mesh forgets, and when. Without it the job registry (every
// Raft snapshot carries it whole) and every home's LevelDB grow by one job per submit, forever.
//
// The policy is mesh-wide, in the replicated config (so every leader decides alike):
//   retention.maxAgeMs         a finished job is forgotten this long after it finished (7 d)
//   retention.maxJobs          at most this many finished jobs are kept; the oldest go (100 000)
//   retention.resultsMaxAgeMs  task outcomes are deleted this long after the job finished,
//                              the job record kept and marked `resultsExpired` (off)
// and per job, `keepMs` (submit --keep) replaces both age limits for that job; the count limit
// still applies (it is the operator's bound on the registry). Whichever limit is hit first
// removes a job. Running jobs are never removed.
//
// Sans-I/O and stateless like the healer (src/healing/healer.ts): decideRetention() reads the
// registry, the policy and `now` and says what to forget; the leader-side runner
// (src/node/services/retention.ts) proposes it as `jobs.delete` entries, one at a time, and
// every node applies them (ControlState) and deletes its local records (the work shell).
import type { ConfigValue, JobEntry } from './control.js'
import { MAX_JOBS_PER_DELETE } from './control.js'

export { MAX_JOBS_PER_DELETE }

export interface RetentionPolicy {
  /** Finished jobs older than this (since they finished) go. Infinity: no age limit. */
  maxAgeMs: number
  /** At most this many finished jobs are kept. Infinity: no count limit. */
  maxJobs: number
  /** Results of finished jobs older than this are deleted (records kept). Infinity: off. */
  resultsMaxAgeMs: number
}

/** The config keys, by policy field. */
export const RETENTION_KEYS = {
  maxAgeMs: 'retention.maxAgeMs',
  maxJobs: 'retention.maxJobs',
  resultsMaxAgeMs: 'retention.resultsMaxAgeMs'
} as const satisfies Record<keyof RetentionPolicy, string>

export const defaultRetentionPolicy: Readonly<RetentionPolicy> = {
  // A week: long enough to look at last weekend's failures, short enough to stay small.
  maxAgeMs: 7 * 86_400_000,
  // 100 000 finished entries are ~15 MB of snapshot: shipped whole to a lagging follower.
  maxJobs: 100_000,
  // Results go with their job unless an operator wants them gone sooner.
  resultsMaxAgeMs: Infinity
}

/** Longest a retention duration may be (and a job's --keep): ten years. */
export const MAX_RETENTION_MS = 10 * 365 * 86_400_000

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/**
 * A duration as retention takes it: whole milliseconds ("86400000") or a number with a unit
 * ("500ms", "90s", "15m", "24h", "7d"), from 1 ms to ten years. Throws with a reason.
 */
export function parseRetentionDuration (text: string, what: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim())
  if (m == null) throw new Error(`${what} must be a duration: whole milliseconds (86400000) or a number with a unit (90s, 15m, 24h, 7d), not "${text}"`)
  const ms = Math.round(Number(m[1]) * UNIT_MS[m[2] ?? 'ms']!)
  if (!(ms >= 1 && ms <= MAX_RETENTION_MS)) throw new Error(`${what} must be between 1 ms and 10 years, not "${text}"`)
  return ms
}

/**
 * Validates a value for one of RETENTION_KEYS and returns it as the policy holds it ("off"
 * is Infinity: no limit). Throws with a message naming the key and what it accepts; an
 * unknown `retention.` key is refused too, with the known ones.
 */
export function parseRetentionValue (key: string, value: string): number {
  const field = (Object.keys(RETENTION_KEYS) as Array<keyof RetentionPolicy>).find(k => RETENTION_KEYS[k] === key)
  if (field == null) throw new Error(`unknown retention key "${key}": the keys are ${Object.values(RETENTION_KEYS).join(', ')}`)
  if (value.trim() === 'off') return Infinity
  if (field === 'maxJobs') {
    const n = Number(value.trim())
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new Error(`${key} must be a whole number of finished jobs to keep (0 keeps none), or "off", not "${value}"`)
    return n
  }
  return parseRetentionDuration(value, `${key}`)
}

/** The policy in force: the config's values, defaults for keys unset (or, from an older version, invalid). */
export function retentionPolicy (config: ReadonlyMap<string, Pick<ConfigValue, 'value'>>): RetentionPolicy {
  const out: RetentionPolicy = { ...defaultRetentionPolicy }
  for (const field of Object.keys(RETENTION_KEYS) as Array<keyof RetentionPolicy>) {
    const v = config.get(RETENTION_KEYS[field])
    if (v == null) continue
    try {
      out[field] = parseRetentionValue(RETENTION_KEYS[field], v.value)
    } catch {}
  }
  return out
}

/** What one sweep decided: jobs to forget, and jobs whose results to expire (each bounded). */
export interface RetentionDecision {
  /** Finished jobs to drop from the registry and every store, oldest first. */
  delete: string[]
  /** Finished jobs (not in `delete`) whose results go, records kept. */
  expireResults: string[]
  /** More was due than one decision holds: sweep again as soon as these are applied. */
  more: boolean
}

/** When a finished job's age starts: its finish, or (an entry from before retention) its creation. */
export function finishedTime (e: JobEntry): number {
  return e.finishedAt ?? e.createdAt
}

/**
 * One sweep over the registry. Pure: the same registry, policy and `now` give the same
 * answer. `limit` bounds each list (the runner cuts them into jobs.delete entries of at most
 * MAX_JOBS_PER_DELETE). O(n log limit) in the registry's size: the count limit keeps only the
 * oldest candidates it can delete in a heap, never sorting the whole registry.
 *
 * The registry is read twice only when the count limit is exceeded: a first pass counts the
 * finished jobs (and gathers the aged and the results due, which are rare), and only a registry
 * over `maxJobs` is read again for its oldest. A leader under load sweeps every few seconds a
 * registry near its bound (100 000 entries by default) that is mostly under it; offering every
 * finished job to a heap of `limit` (100 000) there cost the leader ~20 % of its main thread
 * in a 3-node one-task run (BENCHMARKS.md, issue 14, stop 40). `jobs` is iterated up to twice.
 */
export function decideRetention (jobs: ReadonlyMap<string, unknown>, policy: RetentionPolicy, now: number, limit = MAX_JOBS_PER_DELETE): RetentionDecision {
  const batch = Math.max(1, limit)
  const aged = new MaxHeap(batch)
  let finished = 0
  let expiredByAge = 0
  // Candidates for results expiry: the oldest, with room for those the count limit deletes.
  const results = new MaxHeap(2 * batch)
  let resultsDue = 0
  for (const [id, raw] of jobs) {
    const e = finishedEntry(raw)
    if (e === undefined) continue
    finished++
    const t = finishedTime(e)
    const age = now - t
    if (agedOut(e, age, policy)) {
      expiredByAge++
      aged.offer(t, id)
      continue
    }
    if (e.keepMs == null && e.resultsExpired !== true && age >= policy.resultsMaxAgeMs) {
      resultsDue++
      results.offer(t, id)
    }
  }
  const del = aged.drain().map(([, id]) => id)
  const kept = finished - expiredByAge
  const overCount = Number.isFinite(policy.maxJobs) ? Math.max(0, kept - policy.maxJobs) : 0
  const room = batch - del.length
  const take = Math.min(overCount, room)
  // The count limit: the `take` oldest finished jobs not aged out (a second pass, only when due).
  let byCount: Array<[number, string]> = []
  if (take > 0) {
    const oldest = new MaxHeap(take)
    for (const [id, raw] of jobs) {
      const e = finishedEntry(raw)
      if (e === undefined) continue
      const t = finishedTime(e)
      if (!agedOut(e, now - t, policy)) oldest.offer(t, id)
    }
    byCount = oldest.drain()
  }
  for (const [, id] of byCount) del.push(id)
  const deleting = new Set(byCount.map(([, id]) => id))
  const expire = results.drain().filter(([, id]) => !deleting.has(id)).slice(0, batch).map(([, id]) => id)
  const more = expiredByAge > batch || overCount > byCount.length || resultsDue - deleting.size > expire.length
  return { delete: del, expireResults: expire, more }
}

/** A registry entry of a finished job (undefined: running, or not an entry). */
function finishedEntry (raw: unknown): JobEntry | undefined {
  const e = raw as JobEntry
  return e == null || typeof e !== 'object' || e.state === 'running' ? undefined : e
}

/** Whether a finished job `age` ms old is past its age limit (its own keepMs, else the policy's). */
function agedOut (e: JobEntry, age: number, policy: RetentionPolicy): boolean {
  return age >= (e.keepMs ?? policy.maxAgeMs)
}

/** Counts for `meshnode retention`. */
export function retentionCounts (jobs: Iterable<[string, unknown]>): { running: number, finished: number, resultsExpired: number } {
  let running = 0
  let finished = 0
  let resultsExpired = 0
  for (const [, raw] of jobs) {
    const e = raw as JobEntry
    if (e?.state === 'running') running++
    else if (e != null) {
      finished++
      if (e.resultsExpired === true) resultsExpired++
    }
  }
  return { running, finished, resultsExpired }
}

function byAge (a: [number, string], b: [number, string]): number {
  return a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0)
}

/** A bounded max-heap by (time, id): what remains are the `cap` oldest offered. */
class MaxHeap {
  private readonly items: Array<[number, string]> = []
  constructor (private readonly cap: number) {}

  offer (t: number, id: string): void {
    const it: [number, string] = [t, id]
    if (this.items.length < this.cap) {
      this.items.push(it)
      this.up(this.items.length - 1)
    } else if (byAge(it, this.items[0]!) < 0) {
      this.items[0] = it
      this.down(0)
    }
  }

  /** Everything kept, oldest first. */
  drain (): Array<[number, string]> {
    return this.items.splice(0).sort(byAge)
  }

  private up (i: number): void {
    const a = this.items
    while (i > 0) {
      const p = (i - 1) >> 1
      if (byAge(a[i]!, a[p]!) <= 0) break
      ;[a[i], a[p]] = [a[p]!, a[i]!]
      i = p
    }
  }

  private down (i: number): void {
    const a = this.items
    for (;;) {
      const l = 2 * i + 1
      const r = l + 1
      let m = i
      if (l < a.length && byAge(a[l]!, a[m]!) > 0) m = l
      if (r < a.length && byAge(a[r]!, a[m]!) > 0) m = r
      if (m === i) return
      ;[a[i], a[m]] = [a[m]!, a[i]!]
      i = m
    }
  }
}
