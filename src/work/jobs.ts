// The job book of a home node: the records of jobs submitted here, their counts, and the
// once-per-task-id recording of outcomes. Active jobs live in memory (with the set of task
// ids already recorded, so a duplicate outcome — a re-run after a crash, a re-sent results
// message — is dropped); finished ones only in LevelDB.
//
// A job record is written twice: when the job is registered (once its replicas are stored)
// and when it finishes. Its counts in between are derived data — every outcome is durable in
// the results bucket — so after a restart they are recomputed from the results instead of
// being rewritten on every outcome. A one-task job's outcome, recorded in the ready that
// finishes the job (the usual case), is written inside its final record instead (StoredJob).
// Pure: it stages writes on the core's write list and reads nothing (the shell loads outcomes).

import type { JobRecord, TaskOutcome } from './records.js'
import type { WorkflowView } from './workflows.js'
import { rootTaskId } from './spec.js'

/** Where the book stages its writes (the work core's write list). */
export interface JobWrites {
  /** `outcome`: a final job record's one outcome, written inside it (see StoredJob). */
  put: (bucket: 'jobs' | 'results', key: string, value: unknown, outcome?: TaskOutcome) => void
  del: (bucket: 'jobs', key: string) => void
}

export interface JobView extends JobRecord {
  /** The job's result: the root task's result (parsed JSON) for a one-task job. */
  result?: unknown
  /** Capabilities its queued tasks wait for: no live node offers them (yet). */
  waitingFor?: string[]
  /** At its home, while it makes no progress (src/healing/stuck.ts): for how long, and why. */
  stuck?: { sinceMs: number, code: string, text: string, peers?: string[], capabilities?: string[] }
  /** A workflow: its steps as they stand, and what it runs (src/work/workflows.ts). */
  workflow?: WorkflowView
}

/** Failed attempts kept in a job's failure record (JobRecord.failures). */
export const JOB_FAILURES_KEPT = 100

export class JobBook {
  private readonly active = new Map<string, JobRecord>()
  /**
   * Per active job: the task ids whose outcomes are recorded — the first one as a string, a Set
   * from the second on (most jobs have one task: no Set of their own; BENCHMARKS.md, issue 14,
   * stop 42). No entry: nothing recorded yet.
   */
  private readonly recorded = new Map<string, string | Set<string>>()
  /** Per job: recorded tasks whose successful outcome spawned children, and how many. */
  private readonly spawners = new Map<string, Map<string, number>>()
  private readonly dirty = new Set<string>()
  /** Final records staged and not yet durable (see finish). */
  private readonly finals = new Map<string, JobRecord>()
  /**
   * One-task jobs' outcomes recorded since the last stage: written inside the final record
   * if the job finishes in the same ready, else in `results` when the ready is staged.
   */
  private readonly deferred = new Map<string, TaskOutcome>()
  duplicates = 0

  constructor (private readonly store: JobWrites) {}

  /** After a restart: active jobs come back with their recorded outcomes (loaded by the shell). */
  restore (jobs: ReadonlyArray<{ job: JobRecord, outcomes: readonly TaskOutcome[] }>): void {
    for (const { job, outcomes } of jobs) {
      if (isFinal(job.state)) continue
      const fresh: JobRecord = { ...job, total: job.roots, done: 0, failed: 0, cancelled: 0, byNode: {} }
      const { error: _drop, failures: _again, ...rest } = fresh
      this.active.set(job.id, rest)
      for (const o of outcomes) this.count(rest, o, o.finishedAt)
    }
  }

  /** `persist` false: not written until persist() or update() (a submission waiting for its replicas). */
  add (job: JobRecord, persist = true): void {
    this.active.set(job.id, job)
    if (persist) this.touch(job.id)
  }

  /** Writes an active job's record at the next stage (not one whose final record is staged). */
  persist (jobId: string): void {
    if (this.active.has(jobId)) this.touch(jobId)
  }

  /** Forget a job whose registration failed: its records are deleted by the caller. */
  remove (jobId: string): void {
    this.active.delete(jobId)
    this.recorded.delete(jobId)
    this.spawners.delete(jobId)
    this.dirty.delete(jobId)
    this.deferred.delete(jobId)
    this.store.del('jobs', jobId)
  }

  get (jobId: string): JobRecord | undefined {
    return this.active.get(jobId)
  }

  activeJobs (): JobRecord[] {
    return [...this.active.values()]
  }

  /** How many jobs are active, without copying them (status reads it often). */
  get activeCount (): number {
    return this.active.size
  }

  /** In memory only: a registered job is 'registering' on disk until it finishes (see start()). */
  setState (jobId: string, state: JobRecord['state']): void {
    const job = this.active.get(jobId)
    if (job == null || isFinal(job.state)) return
    job.state = state
  }

  /** Changes fields of an active job's record (written at the next stage). */
  update (jobId: string, fields: Pick<Partial<JobRecord>, 'replicas'>): void {
    const job = this.active.get(jobId)
    if (job == null) return
    if (fields.replicas !== undefined) job.replicas = fields.replicas
    this.touch(jobId)
  }

  /** A workflow failed: its error names the steps (not the first failed task id). */
  setError (jobId: string, error: string): void {
    const job = this.active.get(jobId)
    if (job != null) job.error = error
  }

  /** A workflow spawned step tasks (its driver's outcome counts none: they count as they are spawned). */
  addTotal (jobId: string, n: number): void {
    const job = this.active.get(jobId)
    if (job != null) job.total += n
  }

  /** Whether an outcome of this task is already recorded. */
  isRecorded (jobId: string, taskId: string): boolean {
    return holds(this.recorded.get(jobId), taskId)
  }

  /**
   * Whether the outcome of every task of the job's tree is recorded: the roots, and each
   * child of a recorded outcome that spawned children (ids are derived, `<parent>.<index>`),
   * and no other task. Then nothing of the job can still run anywhere that would change its
   * record, whatever the Dijkstra–Scholten signals still on their way say (see
   * WorkCore.allRecorded). O(1) until done reaches total, then one pass over the recorded ids.
   */
  allRecorded (jobId: string): boolean {
    const job = this.active.get(jobId)
    if (job == null || job.done !== job.total || this.finals.has(jobId)) return false
    // done === total and every recorded id is one of the tree's: the recorded set is the tree.
    const seen = this.recorded.get(jobId)
    if (seen == null) return true
    const spawners = this.spawners.get(jobId)
    if (typeof seen === 'string') return inTree(seen, job.roots, spawners)
    for (const id of seen) if (!inTree(id, job.roots, spawners)) return false
    return true
  }

  /** Records a task outcome once, at `now` (this home's clock); returns false for a duplicate or an unknown job. */
  record (o: TaskOutcome, now: number): boolean {
    const job = this.active.get(o.jobId)
    if (job == null) return false
    if (holds(this.recorded.get(o.jobId), o.taskId)) {
      this.duplicates++
      this.lostSubtree(job, o)
      return false
    }
    // A one-task job's outcome — its root's, first recorded, spawning nothing — waits for the
    // stage: its job most likely finishes in this ready, and then it goes inside the final
    // record. Not a child's (a child's outcome may come before its parent's while the total
    // still says one task).
    if (job.total === 1 && job.done === 0 && o.spawned === 0 && job.isWorkflow !== true && o.taskId === rootTaskId(job.id, 0, job.epoch ?? 0)) {
      const before = this.deferred.get(o.jobId)
      if (before !== undefined) this.store.put('results', before.taskId, before)
      this.deferred.set(o.jobId, o)
    } else this.store.put('results', o.taskId, o)
    this.count(job, o, now)
    return true
  }

  /**
   * A task is run again only when the node that held it was declared dead (its lender re-runs
   * the batch), and that death took the work that descended from it too: its holders gave it
   * up. If the first run had succeeded and spawned children, the re-run is what re-creates
   * them (same ids; those already finished are deduplicated). A re-run that fails for good
   * cannot: the children that had not finished are gone, and the job, with every outcome
   * recorded, would complete without them. So the failed re-run replaces the first outcome
   * (keeping its count of children, so totals stay exact across a restart) and fails the job.
   */
  private lostSubtree (job: JobRecord, o: TaskOutcome): void {
    if (o.ok || o.cancelled === true) return
    const spawned = this.spawners.get(job.id)?.get(o.taskId)
    if (spawned == null || spawned === 0) return
    const rerun: TaskOutcome = { ...o, spawned, error: `run again after the node holding it was declared dead, to re-create its ${spawned} subtasks lost with that node, and failed: ${o.error ?? 'unknown error'}` }
    this.store.put('results', o.taskId, rerun)
    this.spawners.get(job.id)!.delete(o.taskId)
    job.failed++
    job.error ??= `task ${o.taskId} failed: ${rerun.error!}`
    if (o.failures != null && (job.failures?.length ?? 0) < JOB_FAILURES_KEPT) {
      const list = job.failures ?? (job.failures = [])
      for (const f of o.failures) if (list.length < JOB_FAILURES_KEPT) list.push({ taskId: o.taskId, ...f })
    }
    this.touch(job.id)
  }

  private count (job: JobRecord, o: TaskOutcome, recordedAt: number): void {
    const seen = this.recorded.get(job.id)
    if (seen == null) this.recorded.set(job.id, o.taskId)
    else if (typeof seen !== 'string') seen.add(o.taskId)
    else if (seen !== o.taskId) this.recorded.set(job.id, new Set([seen, o.taskId]))
    if (o.ok && o.spawned > 0) {
      let m = this.spawners.get(job.id)
      if (m == null) this.spawners.set(job.id, m = new Map())
      m.set(o.taskId, o.spawned)
    }
    job.done++
    job.total += o.spawned
    if (o.cancelled === true) job.cancelled++
    else if (!o.ok && o.tolerated !== true) {
      job.failed++
      job.error ??= `task ${o.taskId} failed: ${o.error ?? 'unknown error'}`
      if (o.failures != null && o.failures.length > 0 && (job.failures?.length ?? 0) < JOB_FAILURES_KEPT) {
        const list = job.failures ?? (job.failures = [])
        for (const f of o.failures) if (list.length < JOB_FAILURES_KEPT) list.push({ taskId: o.taskId, ...f })
      }
    }
    job.byNode[o.node] = (job.byNode[o.node] ?? 0) + 1
    job.lastTaskAt = Math.max(job.lastTaskAt ?? 0, o.finishedAt)
    job.lastRecordedAt = Math.max(job.lastRecordedAt ?? 0, recordedAt)
  }

  /**
   * Completion detected: stages the job's final record and returns it. The book keeps
   * showing the job as it was until retire(), once that record is durable: a reader who sees
   * a job final can read all of its results.
   */
  finish (jobId: string, now: number): JobRecord | undefined {
    const job = this.active.get(jobId)
    if (job == null || this.finals.has(jobId)) return undefined
    const state = job.state === 'cancelled' ? 'cancelled' : job.failed > 0 ? 'failed' : 'completed'
    // A spread, not Object.assign onto {}: V8 clones a spread source's shape at once, ~5× faster
    // for a job record (BENCHMARKS.md, issue 14, stop 48).
    const final: JobRecord = { ...job, byNode: { ...job.byNode }, state, finishedAt: now }
    this.finals.set(jobId, final)
    this.dirty.delete(jobId)
    const outcome = this.deferred.get(jobId)
    if (outcome !== undefined) this.deferred.delete(jobId)
    this.store.put('jobs', jobId, final, outcome)
    return final
  }

  /** Once a finished job is durable: drop it from memory; returns its final record. */
  retire (jobId: string): JobRecord | undefined {
    const final = this.finals.get(jobId)
    if (final == null) return undefined
    this.finals.delete(jobId)
    this.active.delete(jobId)
    this.recorded.delete(jobId)
    this.spawners.delete(jobId)
    return final
  }

  get hasDirty (): boolean {
    return this.dirty.size > 0 || this.deferred.size > 0
  }

  /** Stage every changed record, and the outcomes no final record took; called by the core in ready(). */
  stage (): void {
    if (this.deferred.size > 0) {
      for (const o of this.deferred.values()) this.store.put('results', o.taskId, o)
      this.deferred.clear()
    }
    for (const id of this.dirty) {
      const job = this.active.get(id)
      if (job != null) this.store.put('jobs', id, job)
    }
    this.dirty.clear()
  }

  /** Its final record staged, an active job's record is never written again (it would overwrite that). */
  private touch (jobId: string): void {
    if (!this.finals.has(jobId)) this.dirty.add(jobId)
  }
}

export function isFinal (state: string): boolean {
  return state === 'completed' || state === 'failed' || state === 'cancelled'
}

/** Whether a job's recorded ids (JobBook.recorded) hold `taskId`. */
function holds (seen: string | Set<string> | undefined, taskId: string): boolean {
  return seen != null && (typeof seen === 'string' ? seen === taskId : seen.has(taskId))
}

/**
 * Whether a recorded task id is one of the job's tree: a root (`<job>/<i>`, maybe `@<epoch>`)
 * below `roots`, or a child (`<parent>.<i>`) of a recorded outcome that spawned more than `i`.
 */
function inTree (id: string, roots: number, spawners: ReadonlyMap<string, number> | undefined): boolean {
  const slash = id.indexOf('/')
  const dot = id.lastIndexOf('.')
  if (dot < slash) {
    const at = id.indexOf('@', slash)
    const index = Number(id.slice(slash + 1, at < 0 ? undefined : at))
    return index < roots
  }
  return (spawners?.get(id.slice(0, dot)) ?? 0) > Number(id.slice(dot + 1))
}
