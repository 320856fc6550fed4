// Outcomes and progress of tasks run here for another home, waiting to be sent there. Pure:
// it decides what goes to which home and when (at once, or after a short linger); the work
// core writes the entries, sends the messages and feeds the answers back.

import { JOB_LIMITS } from '../limits.js'
import type { ProgressReport } from '../messages.js'
import type { TaskOutcome } from '../records.js'
import { MAX_RESEND_MS, PROGRESS_EVERY_MS, RESULTS_LINGER_MS, RESULTS_MAX_LINGER_MS, RESULTS_SHARE } from './types.js'

/**
 * Results batches in flight to one home at most while this node still holds work for it: a
 * batch, and the outcomes beside it (a job's last outcome here among them). The last outcomes
 * (nothing more held for that home) go whatever is in flight: the home may be waiting for them
 * alone to complete a job.
 */
export const MAX_IN_FLIGHT = 2

/** Results that keep failing to reach their home are reported this often (a warning). */
export const UNDELIVERED_WARN_MS = 30_000

export class Outbox {
  /** Outcomes waiting for their home (each written no later than any message carrying it). */
  readonly entries = new Map<string, TaskOutcome>()
  /** Per home: results batches in flight (MAX_IN_FLIGHT, but for the last outcomes). */
  private readonly sendingTo = new Map<string, number>()
  /** Outcomes in a batch in flight: a second batch beside it does not repeat them. */
  private readonly sending = new Set<string>()
  /** Homes with a job's last outcome waiting (see schedule): it goes with the first answer. */
  private readonly urgent = new Set<string>()
  /** Per home: when its lingering results go. */
  private readonly lingerAt = new Map<string, number>()
  private readonly backoff = new Map<string, number>()
  /** Per home whose deliveries fail: since when, and when that was last reported. */
  private readonly failing = new Map<string, { since: number, reportedAt: number }>()
  /** Progress of tasks running here for other homes, not yet sent: the latest value only. */
  private readonly progressOut = new Map<string, { home: string, jobId: string, value: string }>()
  progressAt = Infinity

  get size (): number {
    return this.entries.size
  }

  add (o: TaskOutcome): void {
    this.entries.set(o.taskId, o)
  }

  /**
   * Results go to a home in batches: at once when this node holds no more work for that
   * home (`held`: its tasks queued or running here) or for the outcome's job (`jobHeld`, the
   * same count for that job alone; undefined when no outcome was just added), so the last
   * outcome of a job held here does not linger while this node still works for the home's
   * other jobs (with the per-home count alone it waited up to RESULTS_MAX_LINGER_MS behind
   * them, and the job's completion with it). A job's last outcome goes beside the batches in
   * flight up to MAX_IN_FLIGHT, else with the first answer: one-task jobs stolen in bulk
   * (each outcome its job's last) still share messages, as many as answers come back.
   * Otherwise outcomes go after a linger that lets outcomes of tasks finishing close together
   * share one message, one stream and one LevelDB write at the home. The linger follows the
   * work held: while the outcomes waiting are less than a RESULTS_SHARE part of it, up to
   * RESULTS_MAX_LINGER_MS; once they are that many, RESULTS_LINGER_MS. A thief working
   * through a grant of hundreds of short tasks so sends a few results messages per grant
   * (a fixed 10 ms linger sent one every ~6 outcomes: ~35 messages a second per thief, each
   * a decode, a LevelDB write, a flush and a reply at the home, which all nine thieves fed at
   * once; BENCHMARKS.md, issue 14, stop 33), while one holding a few tasks — a workflow's
   * parallel steps, a job's last tasks — still sends each outcome within RESULTS_LINGER_MS.
   * (Outcomes waiting are counted over every home: with several homes a batch goes sooner,
   * never later.) Returns whether to send now.
   *
   * The last outcomes go even while batches are in flight, in another batch beside them that
   * holds only what those do not (while more is held here, at most MAX_IN_FLIGHT per home;
   * the last outcomes wait for no answer): a batch they finish is signalled with them as a
   * covered signal, which the home applies only once the outcomes of the batches in flight
   * are recorded there too (see WorkCore.sendResults). A home completes a job once it has
   * every outcome (WorkCore.allRecorded), so an outcome that waited for an answer delayed it.
   * (The earlier try repeated the in-flight outcomes in the second batch with plain signals;
   * it broke the work simulator on seeds 3117 and 3458 of 5000: see commit 2d3a4b9.)
   */
  schedule (home: string, held: number, now: number, jobHeld?: number): boolean {
    if (held <= 0) {
      // The last outcome waits for no linger (one may be pending from an earlier outcome,
      // or from the answer to the last batch).
      this.lingerAt.delete(home)
      return true
    }
    // A job's last outcome here: now, in a batch that takes whatever waits for the home, or
    // (MAX_IN_FLIGHT in flight) with the first answer, and no linger.
    if (jobHeld === 0) {
      if (this.inFlight(home) < MAX_IN_FLIGHT) return true
      this.urgent.add(home)
      return false
    }
    if (this.urgent.has(home)) return this.inFlight(home) < MAX_IN_FLIGHT
    // A batch in flight: its answer schedules what waits meanwhile.
    if (this.sendingTo.has(home)) return false
    const waiting = this.entries.size - this.sending.size
    const due = now + (waiting * RESULTS_SHARE >= held ? RESULTS_LINGER_MS : RESULTS_MAX_LINGER_MS)
    const at = this.lingerAt.get(home)
    if (at == null || due < at) this.lingerAt.set(home, due)
    return false
  }

  /** Results batches in flight to `home`. */
  inFlight (home: string): number {
    return this.sendingTo.get(home) ?? 0
  }

  /** Whether a job's last outcome held here waits for `home` (see schedule). */
  hasUrgent (home: string): boolean {
    return this.urgent.has(home)
  }

  /** Whether this outcome is in a batch in flight. */
  isSending (taskId: string): boolean {
    return this.sending.has(taskId)
  }

  /** An outcome that will never be delivered (its home generation is over). */
  drop (taskId: string): void {
    this.entries.delete(taskId)
  }

  /**
   * The next batch for `home` (marked in flight): the outcomes waiting that no batch in
   * flight holds; undefined if there are none, or if MAX_IN_FLIGHT batches are in flight and
   * these are not the `last` outcomes for that home (nothing more is held for it here).
   */
  take (home: string, last = false): TaskOutcome[] | undefined {
    const n = this.inFlight(home)
    if (n >= MAX_IN_FLIGHT && !last) return undefined
    const batch: TaskOutcome[] = []
    for (const o of this.entries.values()) {
      if (o.jobId === '' || o.home !== home || (n > 0 && this.sending.has(o.taskId))) continue
      batch.push(o)
      if (batch.length >= JOB_LIMITS.results) break
    }
    this.urgent.delete(home)
    if (batch.length === 0) return undefined
    // What waited for a linger goes now; the outcomes that follow set their own.
    this.lingerAt.delete(home)
    this.sendingTo.set(home, n + 1)
    for (const o of batch) this.sending.add(o.taskId)
    return batch
  }

  private landed (home: string, batch: readonly TaskOutcome[]): void {
    const n = this.inFlight(home) - 1
    if (n > 0) this.sendingTo.set(home, n)
    else this.sendingTo.delete(home)
    for (const o of batch) this.sending.delete(o.taskId)
  }

  /** The home has the batch: its entries leave the outbox. Returns those that were still waiting. */
  delivered (home: string, batch: readonly TaskOutcome[]): TaskOutcome[] {
    this.landed(home, batch)
    this.backoff.delete(home)
    this.failing.delete(home)
    const gone: TaskOutcome[] = []
    for (const o of batch) if (this.entries.get(o.taskId) === o && this.entries.delete(o.taskId)) gone.push(o)
    return gone
  }

  /**
   * The batch did not arrive: maintenance tries again. Returns the backoff noted, and how
   * long deliveries to this home have been failing when that is worth a warning (every
   * UNDELIVERED_WARN_MS while they keep failing), else 0.
   */
  failed (home: string, batch: readonly TaskOutcome[], now: number): { backoff: number, failingForMs: number } {
    this.landed(home, batch)
    const b = Math.min(MAX_RESEND_MS, (this.backoff.get(home) ?? 100) * 2)
    this.backoff.set(home, b)
    let f = this.failing.get(home)
    if (f == null) {
      f = { since: now, reportedAt: now }
      this.failing.set(home, f)
    }
    if (now - f.reportedAt < UNDELIVERED_WARN_MS) return { backoff: b, failingForMs: 0 }
    f.reportedAt = now
    return { backoff: b, failingForMs: now - f.since }
  }

  backingOff (home: string): boolean {
    return this.backoff.has(home)
  }

  /** Maintenance: every home with waiting outcomes, backoffs cleared. */
  retryAll (): string[] {
    const homes = new Set<string>()
    for (const o of this.entries.values()) if (o.home != null) homes.add(o.home)
    for (const h of homes) this.backoff.delete(h)
    return [...homes]
  }

  /** Homes whose linger is over. */
  dueLingers (now: number): string[] {
    const out: string[] = []
    for (const [home, at] of this.lingerAt) {
      if (at > now) continue
      this.lingerAt.delete(home)
      out.push(home)
    }
    return out
  }

  get nextLinger (): number {
    if (this.lingerAt.size === 0) return Infinity
    let d = Infinity
    for (const at of this.lingerAt.values()) if (at < d) d = at
    return d
  }

  /** Progress of a task run for another home: sent with the next report, at most every 500 ms. */
  progress (taskId: string, home: string, jobId: string, value: string, now: number): void {
    this.progressOut.set(taskId, { home, jobId, value })
    if (this.progressAt === Infinity) this.progressAt = now + PROGRESS_EVERY_MS
  }

  /** The reports to send now, per home. */
  takeProgress (): Map<string, ProgressReport[]> {
    this.progressAt = Infinity
    const byHome = new Map<string, ProgressReport[]>()
    for (const [taskId, p] of this.progressOut) {
      const list = byHome.get(p.home) ?? []
      list.push({ jobId: p.jobId, taskId, value: p.value })
      byHome.set(p.home, list)
    }
    this.progressOut.clear()
    return byHome
  }
}
