// The escalation ladder of a failing task, pure: what becomes of a failed attempt.
//
//   retry-here   it failed here fewer than `localAttempts` times: retried here after a backoff
//   other-node   it failed here `localAttempts` times: it runs on another capable node (it
//                carries the nodes it failed on; this node starts it again only when no
//                other live capable node exists)
//   failed       its attempts are used up: it fails, with every attempt's error kept
//   capped       this node restarted tasks of its type `restartsPerTypePerHour` times in the
//                last hour: it fails at once ("restart cap reached")
//
// A task carries its failed attempts (node, attempt, error, at) wherever it goes, so the
// node that finally fails it reports them all to the job's home.

/** One failed attempt of a task. */
export interface AttemptFailure {
  node: string
  /** 1-based attempt number. */
  attempt: number
  error: string
  /** When it failed, by the clock of the node that ran it (ms since the epoch). */
  at: number
}

export type EscalationStep = 'retry-here' | 'other-node' | 'failed' | 'capped'

export const DEFAULT_LOCAL_ATTEMPTS = 2
/**
 * Restarts (retries after a failure) per task type per hour per node. Not the seeds' 3: a
 * queue runs thousands of tasks of one type, and three transient failures an hour would
 * then fail every further task of that type on its first error. 100 still bounds what a
 * poison type costs a node (its tasks then fail on their first attempt), and the handler
 * breaker stops a type that fails every call long before.
 */
export const DEFAULT_RESTARTS_PER_TYPE_PER_HOUR = 100
export const HOUR_MS = 3_600_000
/** An attempt's error kept in a task's failure list is cut to this many characters. */
export const FAILURE_ERROR_CHARS = 500
/** At most this many failures are carried with a task (the first ones and the last ones). */
export const MAX_FAILURES_CARRIED = 16

export interface LadderConfig {
  localAttempts: number
  /** 0 = no cap. */
  restartsPerTypePerHour: number
}

/** The failure list with one more failed attempt, bounded. */
export function withFailure (failures: readonly AttemptFailure[] | undefined, f: AttemptFailure): AttemptFailure[] {
  const rec: AttemptFailure = { ...f, error: f.error.length > FAILURE_ERROR_CHARS ? `${f.error.slice(0, FAILURE_ERROR_CHARS)}…` : f.error }
  const list = [...(failures ?? []), rec]
  if (list.length <= MAX_FAILURES_CARRIED) return list
  const half = MAX_FAILURES_CARRIED / 2
  return [...list.slice(0, half), ...list.slice(list.length - half)]
}

/** How many of the failures happened on `node`. */
export function failuresOn (failures: readonly AttemptFailure[] | undefined, node: string): number {
  if (failures == null) return 0
  let n = 0
  for (const f of failures) if (f.node === node) n++
  return n
}

/** The nodes a task avoids: those it failed on `localAttempts` times or more. */
export function avoidedNodes (failures: readonly AttemptFailure[] | undefined, localAttempts: number): Set<string> {
  const count = new Map<string, number>()
  for (const f of failures ?? []) count.set(f.node, (count.get(f.node) ?? 0) + 1)
  const out = new Set<string>()
  for (const [node, n] of count) if (n >= localAttempts) out.add(node)
  return out
}

/**
 * The step for an attempt that just failed on `self`: `failures` already holds it, and
 * `attempts` counts it. `capReached` says the type's restart cap is used up here.
 */
export function escalationStep (failures: readonly AttemptFailure[], attempts: number, maxAttempts: number, self: string, cfg: LadderConfig, capReached: boolean): EscalationStep {
  if (attempts >= maxAttempts) return 'failed'
  if (capReached) return 'capped'
  return failuresOn(failures, self) >= Math.max(1, cfg.localAttempts) ? 'other-node' : 'retry-here'
}

/** Restarts per task type in a sliding hour (timestamps, at most `limit` per type). */
export class RestartCap {
  private readonly byType = new Map<string, number[]>()

  constructor (private readonly limit: number, private readonly windowMs = HOUR_MS) {}

  /** Whether a restart of `type` at `now` would exceed the cap. */
  reached (type: string, now: number): boolean {
    if (this.limit <= 0) return false
    const times = this.byType.get(type)
    if (times == null) return false
    this.prune(type, times, now)
    return times.length >= this.limit
  }

  /** A restart of `type` happened at `now`. */
  record (type: string, now: number): void {
    if (this.limit <= 0) return
    let times = this.byType.get(type)
    if (times != null) this.prune(type, times, now)
    if (times == null || times.length === 0) {
      times = []
      this.byType.set(type, times)
    }
    times.push(now)
    if (times.length > this.limit) times.splice(0, times.length - this.limit)
  }

  /** Restarts of `type` in the window ending at `now`. */
  count (type: string, now: number): number {
    const times = this.byType.get(type)
    if (times == null) return 0
    this.prune(type, times, now)
    return times.length
  }

  private prune (type: string, times: number[], now: number): void {
    let i = 0
    while (i < times.length && now - times[i]! >= this.windowMs) i++
    if (i > 0) times.splice(0, i)
    if (times.length === 0) this.byType.delete(type)
  }
}
