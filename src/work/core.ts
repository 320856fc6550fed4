// WorkCore: the work layer of one node as a deterministic state machine, in the manner of
// etcd's raft (see src/consensus/raft.ts, src/completion/core.ts). It holds the queue, the
// job book of jobs homed here, the Dijkstra–Scholten core, both sides of stealing, retries and
// the results outbox; it has no timers, no clock, no randomness of its own, and does no I/O.
// The shell (src/node/services/work-shell.ts) runs executors, persists, sends and fires one timer.
//
// ## Where the code is
//
// One state, one class, assembled in layers (TypeScript has no partial classes): each file
// under src/work/core/ holds one concern and extends the one below it, and calls down; the
// few calls up (a finished task schedules its result, a pump lends and steals) are abstract
// in the bottom layer.
//   core/state.ts       the state every layer reads, and the primitives that build a ready
//   core/execution.ts   running tasks here: slots, attempts, retries, escalation, diverts,
//                       workflow steps, capability waits
//   core/results.ts     outcomes and signals on their way to homes, and a home receiving them
//   core/stealing.ts    both sides of stealing: grants, lent batches received, drain pushes
//   core/submission.ts  jobs homed here: submit, replicas, registration, cancel
//   core/healing.ts     deaths, re-homing, fencing and resource pressure
//   core.ts (this file) the contract below it: restore, queries, ready/advance, deadlines,
//                       tick, requests and answers, maintenance, stop
//
// ## Contract
//
// Inputs (each takes `now`, the wall clock in ms, and may change state):
//   submit(inputs, now)            → a SubmissionTicket (or throws a WorkError: STOPPING,
//                                    NO_QUORUM, NO_CAPABLE_NODE, BAD_JOB). Its jobs are staged and their
//                                    registration is emitted; the answer comes later as
//                                    ready().submitted[{ id }].
//   registered(id, error, now)     the control log applied (or refused) ready().register[{ id }].
//                                  For a submission, its tasks are queued only now; on an
//                                  error everything it staged is undone (NOT_REGISTERED).
//   request(from, id, msg, now)    an inbound request from a peer; its reply is emitted in
//                                  ready().replies[{ id }].
//   response(id, reply | Error, now)  the answer to ready().messages[{ id }] (or why none came).
//   taskFinished(taskId, done, now)   an attempt started from ready().start ended.
//   taskProgress(taskId, value, now)  a running handler reported progress.
//   handlerOrphaned(taskId)        an attempt ended while its handler kept running.
//   cancel(jobId, now)             the control log applied a cancel.
//   declaredDead(now)              the control log declared this node dead: give up lent work
//   peerDead(peer, now)            the control log committed a peer's death: batches lent to it
//                                  are queued again here, work whose lineage leads through it
//                                  is given up (running attempts aborted), calls to it fail.
//                                  Deaths it was not told of are found through the registry.
//   peers(view, now) / peerAdvertised(peer, now)   what peers advertise (heartbeats).
//   quorumContact(has, now)        whether the node reaches a majority (consensus decides):
//                                  without it the node is fenced (see quorumContact).
//   tick(now)                      time passed and the event loop turned; fires every deadline
//                                  due (retry backoff, result linger, progress, steal retry,
//                                  maintenance with batch re-sends, and the end of a burst).
//   drain(now)                     the node is leaving: it refuses submits (DRAINING), stops
//                                  stealing, grants thieves all it holds and pushes its queued
//                                  tasks to capable live peers as batches they engage for
//                                  (like a steal grant: the Dijkstra–Scholten ledger stays
//                                  exact); running tasks finish here. drainProgress() says
//                                  what is left; `done` when nothing is held, lent, engaged,
//                                  owed to a home or homed here.
//   stop(now)                      the node is stopping: running attempts are aborted.
// nextDeadline() is the earliest time tick() has something to do (Infinity if nothing): the
// shell keeps ONE timer at it. A deadline <= now (the end of a burst) means "at the next
// turn of the event loop".
//
// Output, drained with ready() (cheap when nothing changed; hasReady() says whether it would
// return anything):
//   writes      ordered WorkStore writes.
//   messages    requests to peers { to, id, msg }      ┐ only once the writes of this ready
//   replies     answers to inbound requests { id, reply } │ and every earlier one are durable:
//   register    control-log entries to propose { id } │ PERSIST, THEN SEND.
//   submitted   submission answers { id, jobs | error }┘ (an accepted one may be answered at
//               once: its writes were durable before its registration was proposed)
//   start       tasks to run now (they do not wait for the writes: a task runs at least once)
//   abort       running attempts to abort { taskId, reason }
//   finished    jobs whose final state is durable (completed, failed, cancelled): report them
//   events      log lines
// advance(seq) tells the core that the writes of every ready up to `seq` are durable: jobs
// finished in them become visible (they appear in a later ready().finished and their final
// state is emitted for registration). The shell calls it after each flush.
//
// A job's diffusing computation starts lazily: while all of a job's tasks are still at its
// home, the home alone knows the job is done when its last task finishes, and nothing about
// it is written to the Dijkstra–Scholten core. The first time the job lends a batch, the home
// starts it in the core with every task it still holds — exactly the state the core would
// have reached, since until then every task was charged to the root alone.
//
// A task's life: queued (here, or lent to a thief in a batch) → running in a slot → finished.
// A finished task's outcome goes to its job's home; only when the home has it durably does the
// task count as finished for completion detection, so when the home sees its job complete it
// already holds every result. Outcomes for another home go through the outbox: an entry is
// written in the same ready as (or before) the results message carrying it, so by the rule
// above it is durable before it leaves.

import { CompletionCore, recordKey, type TaskRecord } from '../completion/index.js'
import { impliedBy, withImpliedTasks } from './core/charges.js'
import type { JobEntry } from '../consensus/control.js'
import { type CircuitState } from './core/breakers.js'
import { HeldReplicas } from './core/replicas.js'
import type { JobEvidence, QueuedEvidence } from '../healing/stuck.js'
import { type DrainProgress, REPLICA_SWEEP, MAINTAIN_EVERY_MS, NO_READY, newReady, type PeerInfo, type Ready, type RegistryView, type RunningTaskView, type WorkCoreConfig } from './core/types.js'
import { isFinal } from './jobs.js'
import { okReply, failReply, type WorkBatch, type WorkMsg, type WorkReply } from './messages.js'
import { isStepTask, type ApprovalDecision, type WorkflowView } from './workflows.js'
import type { JobRecord, LoadedWork, StoredTask, TaskOutcome } from './records.js'
import { WORKFLOW_TYPE, jobOfTask, type Task } from './spec.js'
import { Healing } from './core/healing.js'
import { LiveTasks } from './core/live-tasks.js'
import { entryOf } from './core/entries.js'

export * from './core/types.js'

export class WorkCore extends Healing {
  private constructor (cfg: WorkCoreConfig, registry: RegistryView, now: number, completion: CompletionCore) {
    super(cfg, registry, now, completion)
  }

  /** A core with nothing loaded (a fresh data dir). */
  static create (cfg: WorkCoreConfig, registry: RegistryView, now: number): WorkCore {
    return WorkCore.restore(cfg, { tasks: [], outbox: [], jobs: [], completion: [], replicas: [] }, registry, now)
  }

  /**
   * A core from what the shell loaded from LevelDB. Jobs whose registration was interrupted
   * are registered again (emitted in the first ready).
   */
  static restore (cfg: WorkCoreConfig, loaded: LoadedWork, registry: RegistryView, now: number): WorkCore {
    const { records, explicit } = withImpliedTasks(loaded.completion, loaded.tasks, loaded.outbox)
    const core = new WorkCore(cfg, registry, now, CompletionCore.restore(cfg.self, records))
    for (const key of explicit) core.explicitTasks.add(key)
    core.loadFrom(loaded)
    return core
  }

  private loadFrom (loaded: LoadedWork): void {
    this.jobs.restore(loaded.jobs)
    // A workflow's recorded step tasks count in its total again (held ones: makeRunnable).
    for (const { job, outcomes } of loaded.jobs) {
      if (job.isWorkflow === true) this.jobs.addTotal(job.id, outcomes.filter(o => isStepTask(job.id, o.taskId)).length)
    }
    // Workflow drivers and delayed roots: made runnable once everything else is loaded.
    const restarted: Task[] = []
    // A restart starts every job's stall clock afresh (stuck-job detection): the time the
    // node was down is not the job's.
    for (const job of this.jobs.activeJobs()) this.progressAt.set(job.id, this.now)
    this.held = new HeldReplicas(loaded.replicas ?? [], loaded.replicaSets ?? [])
    // The completion core's ledger is the truth about unsignalled batches: a batch whose tasks
    // came back here (stolen back) must still be re-sent so its thief signals it again, and
    // re-run whole if the thief is declared dead.
    for (const jobId of this.dscore.jobIds()) {
      for (const e of this.dscore.ledger(jobId)) this.lent.add(e.batchId, { jobId, to: e.to, taskIds: [...e.taskIds], sentAt: 0, resendAfter: 0 })
    }
    for (const st of loaded.tasks) {
      this.tasks.set(st.task.id, st)
      this.countWork(st, +1)
      if (st.state === 'queued') {
        if (st.task.type === WORKFLOW_TYPE || (st.task.notBefore ?? 0) > this.now) restarted.push(st.task)
        else this.queue.push(st.task)
      } else if (st.batchId != null && st.to != null && !this.lent.batches.has(st.batchId)) this.lent.restoreTask(st.batchId, st.task.jobId, st.to, st.task.id)
    }
    // Tasks held only inside their job's record, and records holding a stale copy (StoredJob).
    if (loaded.inRecord != null) for (const id of loaded.inRecord) this.inRecord.set(jobOfTask(id), id)
    if (loaded.rewrite != null) for (const jobId of loaded.rewrite) this.jobs.persist(jobId)
    for (const o of loaded.outbox) this.outbox.add(o)
    // Active home jobs the completion core does not know never left home: rebuild their live sets.
    const inCore = new Set(this.dscore.jobIds())
    for (const job of this.jobs.activeJobs()) if (!inCore.has(job.id)) this.local.set(job.id, new LiveTasks())
    for (const st of loaded.tasks) if (st.state === 'queued') this.local.get(st.task.jobId)?.add(st.task.id)
    for (const [jobId, live] of this.local) if (live.size === 0) this.localDone.push(jobId)
    if (restarted.length > 0) {
      const outcomes = new Map(loaded.jobs.map(j => [j.job.id, j.outcomes]))
      for (const t of restarted) this.makeRunnable(t, outcomes.get(t.jobId))
    }
    // Jobs whose registration was interrupted: register again (a put is idempotent).
    const unregistered = this.jobs.activeJobs().filter(j => j.state === 'registering')
    if (unregistered.length > 0) {
      const id = ++this.nextId
      const entries: Array<[string, JobEntry]> = unregistered.map(j => [j.id, entryOf(j, 'running')])
      this.registrations.set(id, { kind: 'reregister', jobIds: unregistered.map(j => j.id), entries })
      this.out('register', { id, entries })
    }
    // Jobs final on disk whose final state may not have reached the registry (the node died
    // between writing it and proposing it, or the proposal failed): propose it again. A
    // registry entry that is already final needs nothing; a put of a final state is idempotent.
    const unrecorded: Array<[string, JobEntry]> = []
    for (const job of loaded.finished ?? []) {
      const entry = this.registry.entry(job.id)
      if (entry != null && entry.state !== 'running') continue
      unrecorded.push([job.id, entryOf(job, job.state as JobEntry['state'])])
    }
    if (unrecorded.length > 0) this.registerFinal(unrecorded)
    if (loaded.tasks.length + loaded.outbox.length > 0) this.event('info', 'resumed work from disk', { tasks: loaded.tasks.length, outbox: loaded.outbox.length, jobs: this.jobs.activeJobs().length })
    for (const home of this.outbox.retryAll()) this.sendResults(home)
    this.changed = true
    // Deaths committed while this node was down (or in a snapshot it installed), and the
    // jobs they moved: work of an older home generation goes, jobs moved here are adopted.
    this.sweepDeaths()
    this.sweepMoves()
    this.pump()
  }

  get self (): string {
    return this.cfg.self
  }

  get load (): number {
    return this.running.size / Math.max(1, this.cfg.concurrency)
  }

  /** What this node advertises (heartbeats, steal requests): handlers whose circuit is open left out. */
  get capabilities (): readonly string[] {
    return this.advertised
  }

  /** The circuit breakers this node holds that are not plainly closed (status, metrics). */
  circuits (): Array<{ kind: 'peer' | 'handler', target: string, state: CircuitState, failures: number, since: number, retryAt?: number, reason: string }> {
    return [
      ...this.peerBreakers.list().map(c => ({ kind: 'peer' as const, ...c })),
      ...this.handlerBreakers.list().map(c => ({ kind: 'handler' as const, ...c }))
    ]
  }

  get duplicates (): number {
    return this.jobs.duplicates
  }

  get isStopped (): boolean {
    return this.stopped
  }

  /** Without quorum contact: refusing submits, neither stealing nor lending (quorumContact). */
  get isFenced (): boolean {
    return this.fenced
  }

  get isDraining (): boolean {
    return this.draining
  }

  /** Where a drain stands (meaningful once drain() was called; see DrainProgress). */
  drainProgress (): DrainProgress {
    let queued = 0
    for (const st of this.tasks.values()) if (st.state === 'queued' && !this.running.has(st.task.id)) queued++
    let engaged = 0
    for (const jobId of this.dscore.jobIds()) {
      for (const e of this.dscore.engagements(jobId)) if (e.from !== this.cfg.self) engaged++
    }
    let inFlight = this.registrations.size + this.registerRetry.length
    for (const p of this.pending.values()) if (p.kind !== 'steal' && p.kind !== 'progress') inFlight++
    const homeJobs = this.jobs.activeCount
    const running = this.running.size
    const lent = this.lent.size
    const outbox = this.outbox.size
    const done = queued + running + lent + engaged + outbox + homeJobs + inFlight === 0 && this.localDone.length === 0 && this.finishingJobs.length === 0
    return { done, queued, running, lent, engaged, outbox, homeJobs, inFlight, handedOff: this.drained.handedOff, finished: this.drained.finished }
  }

  stats (): { queued: number, running: number, lent: number, outbox: number, activeJobs: number, replicas: number } {
    return { queued: this.queue.size, running: this.running.size, lent: this.lent.size, outbox: this.outbox.size, activeJobs: this.jobs.activeCount, replicas: this.held.size }
  }

  /** An active job of this home (not yet finished and retired), or undefined. */
  activeJob (jobId: string): JobRecord | undefined {
    return this.jobs.get(jobId)
  }

  activeJobs (): JobRecord[] {
    return this.jobs.activeJobs()
  }

  /**
   * Tasks of a job running on this node, with their last reported progress, and — at the
   * job's home — the tasks running elsewhere that reported progress.
   */
  runningTasks (jobId?: string): RunningTaskView[] {
    const out: RunningTaskView[] = []
    for (const r of this.running.values()) {
      if (jobId != null && r.task.jobId !== jobId) continue
      out.push({ taskId: r.task.id, node: this.cfg.self, type: r.task.type, startedAt: r.startedAt, ...(r.progress !== undefined ? { progress: r.progress } : {}) })
    }
    for (const [taskId, p] of this.remoteProgress) {
      if (jobId == null || p.jobId === jobId) out.push({ taskId, node: p.node, progress: p.value })
    }
    return out
  }

  /** Whether the task is running here (started and not finished). */
  isRunning (taskId: string): boolean {
    return this.running.has(taskId)
  }

  /**
   * Tasks this node holds, by id: queued (or waiting out a retry backoff), or lent in an
   * unsignalled batch. Read-only, for invariant checkers (the simulator).
   */
  get heldTasks (): ReadonlyMap<string, StoredTask> {
    return this.tasks
  }

  /** Outcomes waiting to be sent to their home, by task id. Read-only, for checkers. */
  get outboxEntries (): ReadonlyMap<string, TaskOutcome> {
    return this.outbox.entries
  }

  /** At a home: whether this task's outcome is recorded (in memory; durable once advanced). */
  isRecorded (jobId: string, taskId: string): boolean {
    return this.jobs.isRecorded(jobId, taskId)
  }

  /** The Dijkstra–Scholten core, read-only use (tests, the simulator's invariant checks). */
  get completion (): CompletionCore {
    return this.dscore
  }

  hasReady (): boolean {
    return this.changed || this.localDone.length > 0 || this.dscore.hasReady() || this.jobs.hasDirty
  }

  /** Drains what changed since the last call (see the contract at the top). */
  ready (): Ready {
    if (!this.hasReady()) return NO_READY
    if (this.dscore.hasReady()) {
      const cr = this.dscore.ready()
      for (const op of cr.persist) {
        const key = recordKey(op.kind, op.jobId, op.id)
        if (op.kind === 'task') {
          // A queued task's record here says its single charge: the completion record is
          // implied, and written only when it is not (see core/charges.ts).
          if (op.record == null) {
            if (this.explicitTasks.delete(key)) this.del('completion', key)
          } else if (this.explicitTasks.has(key) || !impliedBy(this.tasks.get(op.id), this.outbox.entries.get(op.id), op.jobId, (op.record as TaskRecord).charges)) {
            this.explicitTasks.add(key)
            this.put('completion', key, op.record)
          }
          continue
        }
        if (op.record == null) this.del('completion', key)
        else this.put('completion', key, op.record)
      }
      if (cr.signals.length > 0) this.sendSignals(cr.signals)
      for (const id of cr.completed) this.localDone.push(id)
    }
    const seq = ++this.seq
    if (this.localDone.length > 0) {
      // Completion detected, and every result is written in this ready or an earlier one:
      // stage the final state with them; the job is shown finished once it is durable.
      const done = this.localDone
      this.localDone = []
      let finished: string[] | undefined
      for (let i = 0; i < done.length; i++) {
        // A cancel this home missed (it was down when it was applied) ends the job cancelled:
        // peers that applied it dropped their share of its tasks without outcomes.
        if (this.registry.entry(done[i]!)?.state === 'cancelled') this.jobs.setState(done[i]!, 'cancelled')
        const job = this.jobs.get(done[i]!)
        if (job != null && job.state !== 'cancelled' && job.done < job.total) {
          // Outcomes are missing: peers dropped tasks for a cancel this home has not applied
          // yet (followers apply the log at their own pace). Completed it is not; it finishes
          // cancelled once the cancel is applied here (cancel(), or maintenance finding it).
          this.awaitingCancel.add(done[i]!)
          continue
        }
        if (this.jobs.finish(done[i]!, this.now) == null) continue
        if (finished == null) finished = []
        finished.push(done[i]!)
      }
      if (finished != null) {
        this.finishingJobs.push({ seq, jobIds: finished })
        this.rd.flushNow = true
      }
    }
    this.jobs.stage()
    const rd = this.rd
    rd.seq = seq
    this.rd = newReady()
    this.changed = false
    return rd
  }

  /** Jobs whose final state is staged and not yet known durable: the shell flushes for them at once. */
  get finishing (): boolean {
    return this.finishingJobs.length > 0
  }

  /**
   * The writes of every ready up to `seq` are durable: jobs finished in them are retired
   * (reported in ready().finished, their final state emitted for registration).
   */
  advance (seq: number): void {
    if (this.finishingJobs.length === 0 || this.finishingJobs[0]!.seq > seq) return
    const entries: Array<[string, JobEntry]> = []
    let n = 0
    for (; n < this.finishingJobs.length && this.finishingJobs[n]!.seq <= seq; n++) {
      for (const id of this.finishingJobs[n]!.jobIds) {
        const job = this.jobs.retire(id)
        if (job == null) continue
        entries.push([id, entryOf(job, job.state as JobEntry['state'])])
        this.progressAt.delete(id)
        this.attemptErrors.delete(id)
        if (this.remoteProgress.size > 0) for (const [taskId, p] of this.remoteProgress) if (p.jobId === id) this.remoteProgress.delete(taskId)
        // Finished with every outcome recorded before its signals came (allRecorded): the
        // batches still lent are over (nothing of them is re-sent or re-run), and the batches
        // received back from thieves are signalled now — everything of the job is finished —
        // so their senders settle them instead of waiting for the registry.
        const open = this.dscore.engagements(id)
        if (open.length > 0) this.sendSignals(open.map(e => ({ to: e.from, jobId: id, batchId: e.batchId })))
        for (const e of this.dscore.ledger(id)) this.releaseLent(e.batchId)
        this.dscore.forget(id)
        this.out('finished', job)
      }
    }
    this.finishingJobs = n === this.finishingJobs.length ? [] : this.finishingJobs.slice(n)
    if (entries.length > 0) this.registerFinal(entries)
    this.changed = true
  }

  /**
   * The earliest time tick() has work: retry backoff, result linger, progress, steal retry,
   * maintenance, or (<= now) the end of a burst.
   */
  nextDeadline (): number {
    if (this.stopped) return Infinity
    this.wakeMaintenance()
    let d = this.maintainAt
    if (this.burstPending && this.now < d) d = this.now
    if (this.outbox.progressAt < d) d = this.outbox.progressAt
    if (this.thief.retryAt < d) d = this.thief.retryAt
    const retry = this.retries.next
    if (retry < d) d = retry
    const linger = this.outbox.nextLinger
    if (linger < d) d = linger
    const replicate = this.replicaRetryAt
    if (replicate < d) d = replicate
    return d
  }

  /** When maintenance is next due (Infinity while the core holds nothing it looks at: see quiet). */
  get maintenanceAt (): number {
    this.wakeMaintenance()
    return this.maintainAt
  }

  /**
   * Whether maintenance has nothing to look at: no job, task, lent or received batch, outcome
   * to deliver, replica held, registration to retry or circuit not closed. An idle node's
   * maintenance every MAINTAIN_EVERY_MS found nothing to do and was 2 of its ~16 timer fires
   * a second on a 10-node mesh at rest (BENCHMARKS.md, issue 14, stop 38). Everything it
   * would find arrives through an input that leaves one of these non-empty; trails fade by
   * the time elapsed (evaporate), so skipping maintenance loses none of their decay.
   */
  private get quiet (): boolean {
    return this.tasks.size === 0 && this.dscore.jobCount === 0 && this.jobs.activeCount === 0 && this.lent.size === 0 &&
      this.outbox.size === 0 && this.held.size === 0 && this.registerRetry.length === 0 && this.failedBack.size === 0 &&
      this.signalledEarly.size === 0 && this.coveredPassed.size === 0 &&
      !this.peerBreakers.anyOpen && !this.handlerBreakers.anyOpen && !this.peerBreakers.changed && !this.handlerBreakers.changed
  }

  /**
   * Maintenance sleeps (maintainAt Infinity) while quiet and is due MAINTAIN_EVERY_MS after
   * the core stops being quiet, as it would be had it just run: asked wherever the deadline is
   * read (the shell after every drive, tick).
   */
  private wakeMaintenance (): void {
    if (this.maintainAt === Infinity && !this.stopped && !this.quiet) this.maintainAt = this.now + MAINTAIN_EVERY_MS
  }

  /** Time passed and the event loop turned: fire what is due. */
  tick (now: number): void {
    this.now = now
    if (this.stopped) return
    this.burst = 0
    this.burstPending = false
    for (const task of this.retries.due(now)) {
      // The task may have been cancelled or reclaimed meanwhile.
      const st = this.tasks.get(task.id)
      if (st?.state !== 'queued') continue
      // Its queue wait starts now: the backoff is not waiting for a slot.
      st.queuedAt = now
      this.queue.push(task)
      this.changed = true
    }
    for (const home of this.outbox.dueLingers(now)) this.sendResults(home)
    if (this.replicating.size > 0) this.retryReplicas(now)
    if (this.outbox.progressAt <= now) this.sendProgress()
    if (this.thief.retryAt <= now) {
      this.thief.retryAt = Infinity
      if (this.queue.runnable < this.lowWater) this.maybeSteal()
    }
    this.wakeMaintenance()
    if (this.maintainAt <= now) {
      this.maintain()
      this.maintainAt = this.quiet ? Infinity : now + MAINTAIN_EVERY_MS
    }
    this.pump()
  }

  /** The control log decided (or cancelled) a workflow approval: a workflow homed here moves on. */
  approvalDecided (d: ApprovalDecision, now: number): void {
    this.now = now
    if (!this.workflows.has(d.jobId)) return
    this.workflows.approvalDecided(d)
    this.changed = true
    if (this.workflowSpawned) {
      this.workflowSpawned = false
      this.pump()
    }
  }

  /** A workflow running here: its steps as they stand (`meshnode job ID`). */
  workflowView (jobId: string): WorkflowView | undefined {
    return this.workflows.view(jobId)
  }

  /**
   * Stuck-job evidence (src/healing/stuck.ts) for the running jobs homed here that have not
   * progressed since `stalledBefore`: what is queued, running, retrying and lent, and the
   * failed attempts since. Read-only; one pass over what this node holds.
   */
  jobEvidence (stalledBefore: number): JobEvidence[] {
    const out = new Map<string, JobEvidence>()
    for (const job of this.jobs.activeJobs()) {
      if (job.state !== 'running') continue
      // Waiting for a person (an approval) or for its start time is not being stuck.
      if (job.isWorkflow === true && this.workflows.waitingForApproval(job.id)) continue
      const last = Math.max(job.createdAt, job.notBefore ?? 0, job.lastRecordedAt ?? 0, this.progressAt.get(job.id) ?? 0)
      if (last >= stalledBefore) continue
      out.set(job.id, { jobId: job.id, createdAt: job.createdAt, lastProgressAt: last, total: job.total, done: job.done, queued: [], waitingFor: [], running: [], retrying: 0, lent: [], recentErrors: [...(this.attemptErrors.get(job.id) ?? [])] })
    }
    if (out.size === 0) return []
    const queued = new Map<string, QueuedEvidence>()
    for (const st of this.tasks.values()) {
      const ev = out.get(st.task.jobId)
      if (ev == null || st.state !== 'queued' || this.running.has(st.task.id) || st.task.type === WORKFLOW_TYPE) continue
      const key = `${st.task.jobId}\u0000${st.task.type}\u0000${st.task.requires.join(',')}`
      let q = queued.get(key)
      if (q == null) {
        q = { type: st.task.type, requires: st.task.requires, count: 0 }
        queued.set(key, q)
        ev.queued.push(q)
      }
      q.count++
    }
    for (const r of this.running.values()) out.get(r.task.jobId)?.running.push({ taskId: r.task.id, type: r.task.type, startedAt: r.startedAt, timeoutMs: r.task.timeoutMs })
    for (const lent of this.lent.batches.values()) {
      const ev = out.get(lent.jobId)
      if (ev == null) continue
      let l = ev.lent.find(x => x.peer === lent.to)
      if (l == null) {
        l = { peer: lent.to, batches: 0, tasks: 0 }
        ev.lent.push(l)
      }
      l.batches++
      l.tasks += lent.taskIds.length
      if (lent.lentAt != null) l.lentAt = Math.min(l.lentAt ?? Infinity, lent.lentAt)
    }
    for (const ev of out.values()) {
      // Tasks waiting out a backoff count as queued too (they are, in the store).
      ev.retrying = this.retries.countJob(ev.jobId)
      ev.waitingFor = this.waitingFor(ev.jobId)
    }
    return [...out.values()]
  }

  /** When requests to `peer` started going unanswered (undefined: it answers). */
  unansweredSince (peer: string): number | undefined {
    return this.answers.since(peer)
  }

  /** Alive peers as advertised in heartbeats (replaces the previous view). */
  peers (view: readonly PeerInfo[], now: number): void {
    this.now = now
    this.peerView = view
  }

  /** A fresh heartbeat replaces what the last grant told us about that peer. */
  peerAdvertised (peerId: string, now: number): void {
    this.now = now
    this.thief.advertised(peerId)
    if (this.queue.runnable < this.lowWater) this.maybeSteal()
  }

  /** An inbound request; its reply goes out in ready().replies with this id. */
  request (from: string, id: number, msg: WorkMsg, now: number): void {
    this.now = now
    this.changed = true
    let reply: WorkReply
    if (this.stopped) reply = failReply('node is stopping')
    else {
      switch (msg.op) {
        case 'steal': reply = this.onSteal(from, msg.capabilities, msg.want); break
        case 'deliver': {
          const abandoned: string[] = []
          reply = okReply({ accepted: this.receive(from, msg.batches, true, abandoned), ...(abandoned.length > 0 ? { abandoned } : {}) })
          this.pump()
          break
        }
        case 'signal': reply = this.onSignals(from, msg.signals, msg.covered); break
        case 'results': reply = this.onResults(from, msg.results, msg.rejected ?? 0, msg.signals, msg.covered); break
        case 'progress': reply = this.onProgress(from, msg.progress); break
        case 'replicate': reply = msg.sealed != null ? this.onSealedReplicas(from, msg.sealed) : this.onReplicate(from, msg.jobs, msg.rejected ?? 0); break
        default:
          this.counters.rejectedMessages++
          reply = failReply(`unknown work operation "${msg.op === 'unknown' ? msg.name : (msg as { op: string }).op}"`)
      }
    }
    this.out('replies', { id, reply })
  }

  /** The answer to ready().messages[{ id }], or the error that stands for it. */
  override response (id: number, res: WorkReply | Error, now: number): void {
    this.now = now
    const p = this.pending.get(id)
    if (p == null) return
    this.pending.delete(id)
    // A stopping node changes nothing more (its store is about to close).
    if (this.stopped) return
    const err = res instanceof Error ? res : res.ok ? undefined : new Error(res.error)
    if (res instanceof Error) this.answers.unanswered(p.to, now)
    else this.answers.answered(p.to)
    switch (p.kind) {
      case 'steal': this.onStealAnswer(p.to, p.started, err == null ? res as WorkReply : undefined, err); break
      case 'results': this.onResultsAnswer(p.to, p.batch, err == null ? res as WorkReply : undefined, err); break
      case 'signal':
        // A lost signal is recovered when the sender re-sends the batch (it is answered again).
        if (err != null) this.event('debug', 'signal not delivered; the batch re-send will recover it', { peer: p.to, err: err.message })
        // Covered signals the lender took: not sent again when their batches settle here.
        else if ((res as WorkReply).signalled != null) for (const b of (res as WorkReply).signalled!) this.signalledEarly.add(b)
        break
      case 'deliver':
        if (err != null) this.event('debug', 'batch re-send failed', { peer: p.to, err: err.message })
        else if ((res as WorkReply).abandoned != null) this.onAbandoned(p.to, (res as WorkReply).abandoned!)
        break
      case 'progress': break // best effort: replaced by the next report or by the result
      case 'replicate': {
        const short = err == null && (res as WorkReply).accepted < p.jobs ? new Error(`stored ${(res as WorkReply).accepted} of ${p.jobs} job replicas`) : undefined
        this.onReplicateAnswer(p.ticket, p.to, err ?? short)
        break
      }
    }
  }

  /** The node is stopping: abort every running attempt; nothing more is started or sent. */
  stop (now: number): void {
    this.now = now
    if (this.stopped) return
    this.stopped = true
    this.changed = true
    // Running tasks stay in the store as queued: they run again after a restart.
    for (const r of this.running.values()) this.out('abort', { taskId: r.task.id, reason: 'stopping' })
  }

  private maintain (): void {
    const now = this.now
    this.peerBreakers.tick(now)
    this.handlerBreakers.tick(now)
    if (this.peerBreakers.changed || this.handlerBreakers.changed) this.flushCircuits()
    // Batches with tasks handed back that will never be signalled (their thief died).
    if (this.failedBack.size > 0) for (const b of this.failedBack) if (!this.lent.batches.has(b)) this.failedBack.delete(b)
    // Early signals are matched within the answer that carried them; what is left is stale.
    if (this.signalledEarly.size > 0) this.signalledEarly.clear()
    this.expireCapabilityWaits(now)
    if (this.registerRetry.length > 0) {
      for (const reg of this.registerRetry) {
        if (reg.kind === 'submit') continue
        const id = ++this.nextId
        this.registrations.set(id, reg)
        this.out('register', { id, entries: reg.entries })
      }
      this.registerRetry = []
    }
    this.evaporate(now)
    // Re-send batches that stay unsignalled: recovers lost grants, lost signals, and
    // batches a thief lost in a crash before persisting them.
    const byPeer = new Map<string, WorkBatch[]>()
    for (const [batchId, lent] of this.lent.due(now)) {
      const tasks: Task[] = []
      for (const id of lent.taskIds) {
        const t = this.tasks.get(id)?.task
        if (t != null) tasks.push(t)
      }
      const list = byPeer.get(lent.to) ?? []
      list.push({ jobId: lent.jobId, batchId, tasks })
      byPeer.set(lent.to, list)
    }
    for (const [peer, batches] of byPeer) {
      this.counters.batchesResent += batches.length
      this.send(peer, { op: 'deliver', batches }, { kind: 'deliver', to: peer })
    }
    // Results whose home was unreachable; those owed to a dead home for a job the registry
    // says is over go (nobody will ever take them: a completed job's home had them all).
    for (const home of this.outbox.retryAll()) {
      if (this.registry.isDead(home)) this.dropOutcomesOfFinishedJobs(home)
      else this.sendResults(home)
    }
    // Replicas of jobs that are over (or never registered) go; missed re-homes are found.
    for (const id of this.held.slice(REPLICA_SWEEP)) this.checkReplica(id)
    // Deaths this node missed (a snapshot install, a restart).
    this.sweepDeaths()
    // Cancels this node missed (a snapshot install, a restart), and state of jobs that are over.
    // (A home job that never left home and missed its cancel runs to its end and finishes
    // cancelled: see ready(). Checking every active job here would cost a registry lookup
    // per job every 500 ms.)
    for (const jobId of this.dscore.jobIds()) {
      const entry = this.registry.entry(jobId)
      if (entry?.state === 'cancelled') this.cancel(jobId, now)
      else if (entry != null && isFinal(entry.state) && (!this.dscore.isHome(jobId) || this.jobs.get(jobId) == null) && this.dscore.localTasks(jobId).length === 0) {
        const ledger = this.dscore.ledger(jobId)
        // A batch lent from here may stay unsignalled past its job's completion when its
        // receiver vouched for it with a covered signal that was passed on to the home (see
        // acceptCovered) and its plain signal was lost: a job that ended (completed or failed)
        // was detected complete at its home with every outcome recorded, so there is nothing
        // left to re-run, and the batch goes. So do the batches of a job its home finished
        // with every outcome recorded before their signals came (allRecorded): at the nodes
        // that lent them, and at the home itself if it stopped before releasing its own.
        // (Cancelled jobs are handled above.)
        this.dscore.forget(jobId)
        for (const e of ledger) this.releaseLent(e.batchId)
      }
    }
    if (this.coveredPassed.size > 0) for (const jobId of [...this.coveredPassed.keys()]) if (this.dscore.deficit(jobId) === 0 && this.dscore.engagements(jobId).length === 0) this.coveredPassed.delete(jobId)
  }

  private dropOutcomesOfFinishedJobs (home: string): void {
    for (const o of [...this.outbox.entries.values()]) {
      if (o.home !== home) continue
      const e = this.registry.entry(o.jobId)
      if (e == null || !isFinal(e.state)) continue
      this.outbox.drop(o.taskId)
      this.del('outbox', o.taskId)
    }
  }
}
