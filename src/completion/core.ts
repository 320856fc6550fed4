// The sans-I/O Dijkstra–Scholten core of one node, for all the jobs it takes part in.
//
// Inputs are method calls (task events from the executor, batches and signals from peers,
// death verdicts from the healing layer); outputs are drained with ready(). The shell writes
// ready().persist atomically, then sends ready().signals, then reports ready().completed —
// the order etcd's raft uses, so a crash never leaves a peer knowing more than the disk.
//
// Liveness under message loss rests on one rule: a sender re-sends every ledger entry that
// stays unsignalled for a while. A receiver engages with a batch it has never seen, ignores
// one it is still working on, and answers one it already finished with the signal again;
// so a lost batch, a lost signal, or a signal lost in a crash between persist and send all
// heal the same way. Delegated batches must likewise be sent only after the ledger entry is
// persisted.

import { CompletionError } from './errors.js'
import { JobState, ledgerEntry } from './job.js'
import type { JobEffects } from './job.js'
import { jobRecords, rebuildJobs, recordId, recordKey, recordOf } from './records.js'
import { ROOT_ENGAGEMENT } from './types.js'
import type {
  Abandoned,
  BatchId,
  BatchReceipt,
  CompletionRecord,
  JobId,
  LedgerEntry,
  LocalTaskView,
  NodeId,
  PeerDeadReport,
  PersistOp,
  Ready,
  Reclaimed,
  RecordKind,
  Signal,
  SignalReceipt,
  TaskId
} from './types.js'

interface DirtyKey {
  kind: RecordKind
  jobId: JobId
  id: string
}

export class CompletionCore {
  /** This node's id: batches and signals from it to itself are refused. */
  readonly self: NodeId
  private readonly jobs = new Map<JobId, JobState>()
  private readonly dirty = new Map<string, DirtyKey>()
  private signals: Signal[] = []
  private completed: JobId[] = []

  constructor (self: NodeId) {
    checkId(self, 'node id')
    this.self = self
  }

  /**
   * Rebuilds a node's core from every record it persisted (any order). Detection carries on
   * where it stopped: restored tasks are pending (nothing runs across a restart) and must be
   * scheduled again, and jobs already detected complete are reported again by the next
   * ready(), because the crash may have come between persisting and reporting them.
   */
  static restore (self: NodeId, records: Iterable<unknown>): CompletionCore {
    const core = new CompletionCore(self)
    for (const [jobId, job] of rebuildJobs(records, (id) => core.effects(id))) core.jobs.set(jobId, job)
    for (const job of core.jobs.values()) {
      // Records are written after every settle, so this is a no-op unless the state was
      // written by something less careful; it keeps the core self-healing either way.
      for (const batchId of [...job.engagements.keys()]) job.settle(batchId)
      job.checkCompletion()
      if (job.completed && !core.completed.includes(job.jobId)) core.completed.push(job.jobId)
    }
    return core
  }

  // ----- inputs from the executor ---------------------------------------------------------

  /**
   * At the home node: the job's diffusing computation starts with these tasks. `stored`: root
   * tasks whose record the caller keeps itself (the work layer's queued task record names the
   * root charge: src/work/core/charges.ts); ready() reports no task record for them. A home
   * whose 10 000-task job first left home built 10 000 such records, all dropped as implied,
   * while the first steal waited and every other thief's steal queued behind it
   * (BENCHMARKS.md, issue 14, stop 40).
   */
  startJob (jobId: JobId, rootTaskIds: readonly TaskId[], stored?: (taskId: TaskId) => boolean): void {
    checkId(jobId, 'job id')
    for (const taskId of rootTaskIds) checkId(taskId, 'task id')
    const existing = this.jobs.get(jobId)
    if (existing !== undefined && (existing.home || existing.completed)) {
      throw new CompletionError('JOB_ALREADY_STARTED', `job ${jobId} was already started on this node; after a restart restore its state instead of starting it again`)
    }
    this.job(jobId).start(rootTaskIds, stored)
  }

  /**
   * A local task spawned a child; the child inherits its parent's engagements. Call it for
   * every child before taskFinished(parent). Returns false when the parent is not local —
   * its lineage was abandoned — and the child must be discarded, not run.
   */
  taskSpawned (jobId: JobId, parentTaskId: TaskId, childTaskId: TaskId): boolean {
    checkId(childTaskId, 'task id')
    const job = this.jobs.get(jobId)
    const parent = job?.tasks.get(parentTaskId)
    if (job === undefined || parent === undefined) return false
    job.addTask(childTaskId, parent.charges)
    return true
  }

  /** A local task began executing: it can no longer be delegated. Returns false if not local. */
  taskStarted (jobId: JobId, taskId: TaskId): boolean {
    const task = this.jobs.get(jobId)?.tasks.get(taskId)
    if (task === undefined) return false
    // Volatile: not persisted, since after a restart nothing is running.
    task.running = true
    return true
  }

  /**
   * A local task's attempt ended without finishing it (it failed and will run again): it is
   * pending again, so it may be delegated. Returns false if it is not a local task.
   */
  taskStopped (jobId: JobId, taskId: TaskId): boolean {
    const task = this.jobs.get(jobId)?.tasks.get(taskId)
    if (task === undefined) return false
    task.running = false
    return true
  }

  /**
   * A local task finished (its children already reported). Returns false if it was not a
   * local task: a duplicate report, or its lineage was abandoned meanwhile.
   */
  taskFinished (jobId: JobId, taskId: TaskId): boolean {
    return this.jobs.get(jobId)?.finishTask(taskId) ?? false
  }

  /**
   * Local pending tasks leave for `toNode` as batch `batchId` (a steal grant or a push).
   * The returned ledger entry stays until the receiver signals or is declared dead. Send
   * the batch only after the ready() that follows has been persisted.
   */
  delegate (jobId: JobId, batchId: BatchId, toNode: NodeId, taskIds: readonly TaskId[]): LedgerEntry {
    checkId(batchId, 'batch id')
    checkId(toNode, 'node id')
    const job = this.jobs.get(jobId)
    if (toNode === this.self) throw new CompletionError('INVALID_BATCH', `batch ${batchId} of job ${jobId} is addressed to this node itself; run the tasks locally instead`)
    if (taskIds.length === 0) throw new CompletionError('INVALID_BATCH', `batch ${batchId} of job ${jobId} has no tasks; only delegate when there is work to hand over`)
    if (new Set(taskIds).size !== taskIds.length) throw new CompletionError('INVALID_BATCH', `batch ${batchId} of job ${jobId} lists a task twice`)
    if (job !== undefined && (job.ledger.has(batchId) || job.engagements.has(batchId) || job.closed.has(batchId))) {
      throw new CompletionError('DUPLICATE_BATCH_ID', `batch id ${batchId} is already known for job ${jobId}; mint batch ids that are unique across the mesh`)
    }
    for (const taskId of taskIds) {
      const task = job?.tasks.get(taskId)
      if (task === undefined || task.running) {
        throw new CompletionError('TASK_NOT_PENDING', `task ${taskId} of job ${jobId} is not a pending task on this node (${task === undefined ? 'not here' : 'already running'}); only queued tasks can be handed over`)
      }
    }
    // job is defined: taskIds is non-empty and each task was found in it.
    return (job as JobState).delegate(batchId, toNode, taskIds)
  }

  // ----- inputs from peers ----------------------------------------------------------------

  /** A peer handed this node a batch. Idempotent by batch id; see BatchReceipt. */
  receiveBatch (jobId: JobId, batchId: BatchId, fromNode: NodeId, taskIds: readonly TaskId[]): BatchReceipt {
    if (!isId(jobId) || !isId(batchId) || !isId(fromNode) || !taskIds.every(isId)) return { status: 'rejected', newTasks: [] }
    if (fromNode === this.self) return { status: 'rejected', newTasks: [] }
    const known = this.jobs.get(jobId)
    if (known?.ledger.has(batchId) === true) return { status: 'rejected', newTasks: [] }
    if (known?.engagements.has(batchId) === true) return { status: 'duplicate', newTasks: [] }
    const closed = known?.closed.get(batchId)
    if (closed !== undefined) {
      if (closed.outcome === 'abandoned') return { status: 'ignored', newTasks: [] }
      // Finished before: the sender is probably re-sending because our signal was lost.
      this.signals.push({ to: closed.from, jobId, batchId })
      return { status: 'resignalled', newTasks: [] }
    }
    const newTasks = this.job(jobId).engage(batchId, fromNode, [...new Set(taskIds)])
    return { status: 'engaged', newTasks }
  }

  /** The receiver of one of this node's batches signalled. Idempotent by batch id. */
  receiveSignal (jobId: JobId, batchId: BatchId, fromNode: NodeId): SignalReceipt {
    const job = this.jobs.get(jobId)
    const entry = job?.ledger.get(batchId)
    if (job === undefined || entry === undefined) return 'unknown'
    // Only the receiver can vouch for the batch; anything else would allow early completion.
    if (entry.to !== fromNode) return 'rejected'
    job.settleOutgoing(batchId)
    return 'accepted'
  }

  /**
   * Batches received from `from` that will be quiescent once the local tasks in `finishing`
   * finish: no outgoing batch charged to them and every task still charged to them among
   * `finishing`. Their signals may travel to `from` in the same message as those tasks'
   * outcomes, when `from` records the outcomes before it applies the signals (a results
   * message to the job's home that is also the lender): the signal then never arrives
   * before the work it stands for is recorded. The engagements stay open here until the
   * tasks are reported finished (taskFinished), as for any signal.
   */
  coveredBy (jobId: JobId, from: NodeId, finishing: ReadonlySet<TaskId>): BatchId[] {
    return this.quiescentWith(jobId, from, (t) => finishing.has(t)).filter((q) => q.tasks.length > 0).map((q) => q.batchId)
  }

  /**
   * Batches received (from `from`, or from anyone when `from` is undefined) whose every task
   * still charged to them passes `finished` (the caller's "its outcome is on its way") and
   * every outgoing batch charged to them passes `outgoingDone` (none passes by default), and
   * that still wait for something; with those tasks and outgoing batches. A signal for one
   * of them may go before they are settled here only to a sender that checks the work they
   * stand for is recorded first (see coveredBy, and the work core's covered signals).
   */
  quiescentWith (jobId: JobId, from: NodeId | undefined, finished: (taskId: TaskId) => boolean, outgoingDone?: (batchId: BatchId) => boolean): Array<{ batchId: BatchId, from: NodeId, tasks: TaskId[], outgoing: BatchId[] }> {
    const job = this.jobs.get(jobId)
    if (job === undefined) return []
    const out: Array<{ batchId: BatchId, from: NodeId, tasks: TaskId[], outgoing: BatchId[] }> = []
    for (const e of job.engagements.values()) {
      if (e.from === null || (from !== undefined && e.from !== from)) continue
      if (e.tasks.size === 0 && e.outgoing.size === 0) continue
      if (e.outgoing.size > 0 && outgoingDone === undefined) continue
      let all = true
      for (const b of e.outgoing) {
        if (!(outgoingDone as (batchId: BatchId) => boolean)(b)) {
          all = false
          break
        }
      }
      if (!all) continue
      for (const t of e.tasks) {
        if (!finished(t)) {
          all = false
          break
        }
      }
      if (all) out.push({ batchId: e.batchId, from: e.from, tasks: [...e.tasks], outgoing: [...e.outgoing] })
    }
    return out
  }

  // ----- inputs from the healing layer -----------------------------------------------------

  /**
   * The receiver of outgoing batch `batchId` was declared dead: its tasks come back as local
   * pending tasks, charged to the engagements the batch was charged to. Returns undefined
   * when the batch is no longer in the ledger (already signalled or reclaimed).
   */
  reclaim (jobId: JobId, batchId: BatchId): Reclaimed | undefined {
    const job = this.jobs.get(jobId)
    const entry = job?.ledger.get(batchId)
    if (job === undefined || entry === undefined) return undefined
    const newTasks = job.reclaim(batchId) ?? []
    return { jobId, batchId, to: entry.to, newTasks }
  }

  /**
   * The sender of received batch `batchId` was declared dead: the work descending from it
   * here is given up without a signal, because that sender's own sender reclaims and re-runs
   * the batch. Later deliveries of it are ignored. Returns undefined when not engaged in it.
   */
  abandonBatch (jobId: JobId, batchId: BatchId): Abandoned | undefined {
    if (batchId === ROOT_ENGAGEMENT) return undefined
    const result = this.jobs.get(jobId)?.abandon(batchId)
    return result === undefined ? undefined : { jobId, batchId, ...result }
  }

  /**
   * `node` was declared dead by quorum: reclaim every batch sent to it and abandon every
   * batch received from it, in every job. Idempotent, so the shell can replay death
   * verdicts from its log after a restart.
   */
  peerDead (node: NodeId): PeerDeadReport {
    const report: PeerDeadReport = { reclaimed: [], abandoned: [] }
    for (const job of this.jobs.values()) {
      // Abandon first: outgoing batches charged only to abandoned work are then dropped
      // instead of reclaimed and re-run for nobody.
      for (const engagement of [...job.engagements.values()]) {
        if (engagement.from !== node) continue
        const abandoned = this.abandonBatch(job.jobId, engagement.batchId)
        if (abandoned !== undefined) report.abandoned.push(abandoned)
      }
      for (const entry of [...job.ledger.values()]) {
        if (entry.to !== node) continue
        const reclaimed = this.reclaim(job.jobId, entry.batchId)
        if (reclaimed !== undefined) report.reclaimed.push(reclaimed)
      }
    }
    return report
  }

  /**
   * Drops every record of a job: once its completion (or cancellation) is durably recorded
   * elsewhere. A batch of a forgotten job that arrives later starts fresh state, so the shell
   * must refuse work for jobs its registry knows are finished.
   */
  forget (jobId: JobId): void {
    const job = this.jobs.get(jobId)
    if (job === undefined) return
    for (const record of jobRecords(job)) this.markDirty(record.kind, jobId, recordId(record))
    this.jobs.delete(jobId)
    this.signals = this.signals.filter((s) => s.jobId !== jobId)
    this.completed = this.completed.filter((id) => id !== jobId)
  }

  // ----- outputs --------------------------------------------------------------------------

  hasReady (): boolean {
    return this.dirty.size > 0 || this.signals.length > 0 || this.completed.length > 0
  }

  /** Drains what changed since the last call. Persist, then send, then report. */
  ready (): Ready {
    const persist: PersistOp[] = []
    for (const key of this.dirty.values()) {
      persist.push({ ...key, record: recordOf(this.jobs.get(key.jobId), key.kind, key.id) })
    }
    // Several re-deliveries of one finished batch between two drains need one answer only.
    const seen = new Set<string>()
    const signals = this.signals.filter((s) => {
      const key = JSON.stringify([s.jobId, s.batchId])
      if (seen.has(key)) return false
      seen.add(key)
      return true
    })
    const out: Ready = { persist, signals, completed: this.completed }
    this.dirty.clear()
    this.signals = []
    this.completed = []
    return out
  }

  // ----- queries --------------------------------------------------------------------------

  /** Unsignalled outgoing batches of a job: what to re-send, and to re-run if a receiver dies. */
  ledger (jobId: JobId): LedgerEntry[] {
    const job = this.jobs.get(jobId)
    return job === undefined ? [] : [...job.ledger.values()].map((entry) => ledgerEntry(jobId, entry))
  }

  /** Number of unsignalled outgoing batches of a job at this node. */
  deficit (jobId: JobId): number {
    return this.jobs.get(jobId)?.ledger.size ?? 0
  }

  /** Local live tasks of a job: after a restore, all of them must be scheduled again. */
  localTasks (jobId: JobId): LocalTaskView[] {
    const job = this.jobs.get(jobId)
    if (job === undefined) return []
    return [...job.tasks].map(([taskId, task]) => ({ taskId, running: task.running }))
  }

  /** Received batches this node is still working on (not yet signalled), with their senders. */
  engagements (jobId: JobId): Array<{ batchId: BatchId, from: NodeId }> {
    const job = this.jobs.get(jobId)
    if (job === undefined) return []
    const out: Array<{ batchId: BatchId, from: NodeId }> = []
    for (const e of job.engagements.values()) if (e.from !== null) out.push({ batchId: e.batchId, from: e.from })
    return out
  }

  jobIds (): JobId[] {
    return [...this.jobs.keys()]
  }

  /** How many jobs this node takes part in (without copying their ids). */
  get jobCount (): number {
    return this.jobs.size
  }

  isHome (jobId: JobId): boolean {
    return this.jobs.get(jobId)?.home ?? false
  }

  isCompleted (jobId: JobId): boolean {
    return this.jobs.get(jobId)?.completed ?? false
  }

  /** All records of a job (or of every job): a full snapshot, in a deterministic order. */
  snapshot (jobId?: JobId): CompletionRecord[] {
    if (jobId !== undefined) {
      const job = this.jobs.get(jobId)
      return job === undefined ? [] : jobRecords(job)
    }
    return [...this.jobs.keys()].sort().flatMap((id) => jobRecords(this.jobs.get(id) as JobState))
  }

  /** Same as snapshot(): the whole core as plain JSON, for CompletionCore.restore. */
  toJSON (): CompletionRecord[] {
    return this.snapshot()
  }

  // ----- internals ------------------------------------------------------------------------

  private job (jobId: JobId): JobState {
    let job = this.jobs.get(jobId)
    if (job === undefined) {
      job = new JobState(jobId, this.effects(jobId))
      this.jobs.set(jobId, job)
      this.markDirty('job', jobId, '')
    }
    return job
  }

  private effects (jobId: JobId): JobEffects {
    return {
      touch: (kind, id) => this.markDirty(kind, jobId, id),
      signal: (to, batchId) => this.signals.push({ to, jobId, batchId }),
      complete: () => this.completed.push(jobId)
    }
  }

  private markDirty (kind: RecordKind, jobId: JobId, id: string): void {
    this.dirty.set(recordKey(kind, jobId, id), { kind, jobId, id })
  }
}

function isId (value: unknown): value is string {
  return typeof value === 'string' && value.length > 0
}

function checkId (value: unknown, what: string): void {
  if (!isId(value)) throw new CompletionError('INVALID_ID', `a ${what} must be a non-empty string, got ${JSON.stringify(value)}`)
}
