// WorkCore: the work layer of one node as a deterministic state machine, in the manner of
// etcd's raft (see src/consensus/raft.ts, src/completion/core.ts). It holds the queue, the
// job book of jobs homed here, the Dijkstra–Scholten core, both sides of stealing, retries and
// the results outbox; it has no timers, no clock, no randomness of its own, and does no I/O.
// The shell (src/node/services/work-shell.ts) runs executors, persists, sends and fires one timer.
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

import { CompletionCore, ROOT_CHARGES, recordKey, type Reclaimed, type TaskRecord } from '../completion/index.js'
import { impliedBy, withImpliedTasks } from './core/charges.js'
import type { JobEntry, JobMove } from '../consensus/control.js'
import { Breakers, DEFAULT_BREAKER_COOL_DOWN_MS, DEFAULT_BREAKER_FAILURES, type CircuitState } from './core/breakers.js'
import { DEFAULT_LOCAL_ATTEMPTS, DEFAULT_RESTARTS_PER_TYPE_PER_HOUR, RestartCap, avoidedNodes, escalationStep, failuresOn, withFailure, type LadderConfig } from './core/ladder.js'
import { LentBatches } from './core/lender.js'
import { PeerAnswers } from './core/peer-answers.js'
import { Outbox } from './core/outbox.js'
import { HeldReplicas, packReplicaSet, pickHolders, sealedReplicaSet, type ReplicaKey, type Replicating } from './core/replicas.js'
import { Retries } from './core/retries.js'
import { Thief } from './core/thief.js'
import type { AttemptError, JobEvidence, QueuedEvidence } from '../healing/stuck.js'
import {
  BURST, DEFAULT_REPLICAS, DEFAULT_RESEND_MS, type DrainProgress, EMPTY, ORPHAN_REPLICA_MS, REPLICA_SWEEP, REPLICATE_PATIENCE_MS, REPLICATE_RETRY_MS, DEFAULT_RETRY_BASE_MS, MAINTAIN_EVERY_MS, MAX_PROGRESS_BYTES, MAX_RETRY_MS, NO_READY, PREFETCH_PER_SLOT, REQUEUED_IDS_LOGGED, STEAL_MIN_TASK_MS, newReady,
  type AttemptEnd, type AttemptOutcome, type PeerInfo, type Ready, type ReadyList, type RegistryView, type RunningTaskView, type SubmissionTicket, type WorkCoreConfig, type WorkCounters, type WorkEvent
} from './core/types.js'
import { WorkError } from './errors.js'
import { JobBook, isFinal } from './jobs.js'
import { JOB_LIMITS } from './limits.js'
import { okReply, failReply, type BatchSignal, type CoveredSignal, type ProgressReport, type WorkBatch, type WorkMsg, type WorkReply } from './messages.js'
import { ReadyQueue } from './queue.js'
import { WorkflowBook, isStepTask, type ApprovalDecision, type WorkflowView } from './workflows.js'
import type { JobRecord, JobReplica, LoadedWork, SealedReplicas, StoredTask, TaskOutcome, WorkWrite } from './records.js'
import { CMD_TYPE, WORKFLOW_TYPE, canRun, epochOfTask, formatJobId, jobIdTime, jobOfTask, makeTask, rehomedRoots, rootTasks, type JobInput, type Task } from './spec.js'

export * from './core/types.js'

interface RunningTask { task: Task, startedAt: number, progress?: unknown, /** ms it waited in this node's queue */ waitMs: number }

/** What a client is told when it submits at a node near its memory or disk limit (see WorkCore.resourcePressure). */
export const RESOURCE_SUBMIT = 'this node is near its memory or disk limit (`meshnode status` says which), so it takes no new jobs: nothing was accepted. Submit at another node, or free memory or disk here'
/** Failed attempts kept per home job as stuck-job evidence. */
const ERRORS_KEPT = 20

/** What a client is told when it submits at a fenced node (see WorkCore.quorumContact). */
export const FENCED_SUBMIT = 'this node cannot reach a majority of the mesh (a network partition, the mesh down to a minority, or a cluster not formed yet), so it cannot register the job: nothing was accepted. Submit at a node in the majority, or retry once this one is back in contact (`meshnode status` shows "quorum: ok")'
type Pending =
  | { kind: 'steal', to: string, started: number }
  | { kind: 'results', to: string, batch: TaskOutcome[] }
  | { kind: 'signal' | 'deliver' | 'progress', to: string }
  | { kind: 'replicate', to: string, ticket: number, jobs: number }
type PendingRegistration =
  | { kind: 'submit', jobs: Array<{ job: JobRecord, tasks: Task[] }> }
  | { kind: 'reregister', jobIds: string[], entries: Array<[string, JobEntry]> }
  | { kind: 'final', entries: Array<[string, JobEntry]> }

export class WorkCore {
  readonly counters: WorkCounters = { tasksRun: 0, tasksFailed: 0, tasksRetried: 0, stealsSent: 0, stealsGranted: 0, stealsRefused: 0, tasksStolen: 0, tasksLent: 0, batchesResent: 0, resultsSent: 0, orphanedHandlers: 0, rejectedMessages: 0, tasksReclaimed: 0, tasksAbandoned: 0 }
  private readonly jobs: JobBook
  private readonly dscore: CompletionCore
  private readonly caps: Set<string>
  private readonly queue: ReadyQueue<Task>
  private readonly tasks = new Map<string, StoredTask>()
  /** Keys of the completion task records written to disk (the rest are implied: core/charges.ts). */
  private readonly explicitTasks = new Set<string>()
  private readonly running = new Map<string, RunningTask>()
  private readonly lent = new LentBatches()
  private readonly outbox = new Outbox()
  private readonly thief = new Thief()
  private readonly retries = new Retries()
  /** Tasks queued for a retry whose job is in the completion core: never lent (see retry). */
  private readonly pinned = new Set<string>()
  /** At a home: the last progress reported by tasks of its jobs running elsewhere. */
  private readonly remoteProgress = new Map<string, { jobId: string, node: string, value: unknown }>()
  /** Tasks held here (queued or running) per remote home. */
  private readonly workFor = new Map<string, number>()
  /** Tasks held here (queued or running) per job of a remote home (see Outbox.schedule). */
  private readonly workForJob = new Map<string, number>()
  private readonly cancelled = new Set<string>()
  /** Running attempts of abandoned lineages (healing): their end is discarded. */
  private readonly abandonedRuns = new Set<string>()
  /** Tasks taken from the queue while an abandoned attempt of the same id was still ending. */
  private readonly requeueAfterAbandon = new Map<string, Task>()
  /** Home jobs not (yet) in the completion core: their live task ids here. */
  private readonly local = new Map<string, Set<string>>()
  /** Jobs whose wait for a capable node is over (expireCapabilityWaits ran for them). */
  private readonly capableWaitOver = new Set<string>()
  /** Jobs whose last task finished: their final state is staged at the next ready(). */
  private localDone: string[] = []
  /** Home jobs whose completion was detected with outcomes missing: they finish once the cancel is applied here. */
  private readonly awaitingCancel = new Set<string>()
  /** Jobs whose final state went out in ready `seq`: retired at advance(seq). */
  private finishingJobs: Array<{ seq: number, jobIds: string[] }> = []
  private maintainAt: number
  private lastEvaporate: number
  private burstPending = false
  private pending = new Map<number, Pending>()
  private readonly registrations = new Map<number, PendingRegistration>()
  /** Submissions waiting for their replicas to be stored, by ticket. */
  private readonly replicating = new Map<number, Replicating>()
  /** Replicas of other homes' jobs held here. */
  private held: HeldReplicas
  /** Jobs re-homed here whose replica the shell is reading (see adopt). */
  private readonly adopting = new Set<string>()
  /** Registrations of finished or interrupted jobs that failed: proposed again at maintenance. */
  private registerRetry: PendingRegistration[] = []
  private peerView: readonly PeerInfo[] = []
  private rd: Ready = newReady()
  private changed = false
  private seq = 0
  private nextId = 0
  private now: number
  /** Moving average of how long a task attempt takes here, ms (NaN until one has run). */
  private taskMs = NaN
  /** Tasks started since the event loop last turned (see pump). */
  private burst = 0
  private batchSeq = 0
  private stopped = false
  /** No quorum contact (a partition): see quorumContact(). */
  private fenced = false
  /** Near a memory or disk limit: see resourcePressure(). */
  private pressure = false
  /** Home jobs: when each last progressed (stuck-job detection, see jobEvidence). */
  private readonly progressAt = new Map<string, number>()
  /** Home jobs: failed attempts here since they last progressed (at most ERRORS_KEPT each). */
  private readonly attemptErrors = new Map<string, AttemptError[]>()
  /** Which peers answer this node's work requests (stuck-job evidence). */
  private readonly answers = new PeerAnswers()
  /** Leaving the mesh (drain): no submits, no stealing, queued work pushed to peers. */
  private draining = false
  private readonly drained = { handedOff: 0, finished: 0 }
  private jobSeq = 0
  private readonly idPrefix: string
  /** The escalation ladder (src/work/core/ladder.ts). */
  private readonly ladder: LadderConfig
  private readonly restarts: RestartCap
  /** Circuit breakers: per peer (lending to it), per handler type (running it here). */
  private readonly peerBreakers: Breakers
  private readonly handlerBreakers: Breakers
  /** What this node advertises: its capabilities without handlers whose circuit is open. */
  private advertised: readonly string[]
  /** Tasks diverted to peers during a pump (escalated, or their handler's circuit open). */
  private divertTo = new Map<string, Task[]>()
  /**
   * Batches lent from here whose receiver sent a covered signal (see acceptCovered): the
   * outcomes it named, still on their way to the job's home. In memory only; a batch leaves
   * when it is signalled, reclaimed or dropped (releaseLent).
   */
  private readonly coveredOut = new Map<string, string[]>()
  /** Per job: received batches whose covered signal was passed on (see firstCovered). */
  private readonly coveredPassed = new Map<string, Set<string>>()
  /** Batches whose signal their lender took with a results message: not sent again when they settle. */
  private readonly signalledEarly = new Set<string>()
  /** Batches lent whose tasks came back failed from their thief: their signal is no success. */
  private readonly failedBack = new Set<string>()
  /** The node that lent each task held here (escalation hands a task back to it first). */
  private readonly origin = new Map<string, string>()
  private readonly isDead = (peer: string): boolean => this.registry.isDead(peer)
  /** Workflows homed here (src/work/workflows.ts): their drivers and runs. */
  private readonly workflows: WorkflowBook
  /** A workflow spawned step tasks since the last pump (see onResults). */
  private workflowSpawned = false
  private readonly writer = {
    put: (bucket: 'jobs' | 'results', key: string, value: unknown) => { this.put(bucket, key, value) },
    del: (bucket: 'jobs', key: string) => { this.del(bucket, key) }
  }

  private constructor (private readonly cfg: WorkCoreConfig, private readonly registry: RegistryView, now: number, completion: CompletionCore) {
    this.caps = new Set(cfg.capabilities)
    this.queue = new ReadyQueue<Task>(this.caps)
    this.jobs = new JobBook(this.writer)
    this.dscore = completion
    this.now = now
    this.lastEvaporate = now
    this.maintainAt = now + MAINTAIN_EVERY_MS
    this.idPrefix = Math.floor(cfg.rng() * 0x100000000).toString(16).padStart(8, '0')
    this.held = new HeldReplicas()
    const sv = cfg.supervision ?? {}
    this.ladder = { localAttempts: sv.localAttempts ?? DEFAULT_LOCAL_ATTEMPTS, restartsPerTypePerHour: sv.restartsPerTypePerHour ?? DEFAULT_RESTARTS_PER_TYPE_PER_HOUR }
    this.restarts = new RestartCap(this.ladder.restartsPerTypePerHour)
    const breaker = { failures: sv.breakerFailures ?? DEFAULT_BREAKER_FAILURES, coolDownMs: sv.breakerCoolDownMs ?? DEFAULT_BREAKER_COOL_DOWN_MS }
    this.peerBreakers = new Breakers(breaker)
    this.handlerBreakers = new Breakers(breaker)
    this.advertised = cfg.capabilities
    this.workflows = new WorkflowBook({
      self: cfg.self,
      now: () => this.now,
      known: (jobId, taskId) => this.tasks.has(taskId) || this.running.has(taskId) || this.jobs.isRecorded(jobId, taskId),
      spawn: (driver, task) => { this.spawnStep(driver, task) },
      finish: (driver, ok, summary) => {
        // The result carries what the workflow ran (for `workflow retry`): it stays at home.
        this.workflows.drop(driver.jobId)
        if (!this.tasks.has(driver.id)) return
        const error = ok ? undefined : `workflow failed: ${summary.failed.map(s => `step ${s}${summary.steps[s]?.error != null ? ` (${summary.steps[s]!.error!.slice(0, 200)})` : ''}`).join('; ')}`
        this.finishTask(driver, ok, JSON.stringify(summary), error, false, 0)
        if (error != null) this.jobs.setError(driver.jobId, error)
      },
      requestApproval: req => { this.out('approvals', req) },
      approval: id => this.registry.approval?.(id),
      notice: (type, data) => { this.notice(type, data) }
    })
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
    for (const o of loaded.outbox) this.outbox.add(o)
    // Active home jobs the completion core does not know never left home: rebuild their live sets.
    const inCore = new Set(this.dscore.jobIds())
    for (const job of this.jobs.activeJobs()) if (!inCore.has(job.id)) this.local.set(job.id, new Set())
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

  // ----- queries ----------------------------------------------------------------------------

  get self (): string {
    return this.cfg.self
  }

  get load (): number {
    return this.running.size / Math.max(1, this.cfg.concurrency)
  }

  /**
   * Queued tasks beyond what this node keeps for itself (a few per slot, as a thief does):
   * what a thief may get. A node holding only its own prefetch advertises nothing, so thieves
   * do not churn small queues back and forth (and heartbeats do not flap) at the end of a job.
   * Tasks this node cannot run itself are all stealable.
   */
  get stealable (): number {
    if (this.fenced) return 0
    // A draining node keeps nothing for itself (retries pinned here are never granted).
    if (this.draining) return Math.max(0, this.queue.size - this.pinned.size)
    if (!this.lendable) return this.queue.size - this.queue.runnable
    const keep = Math.min(this.queue.runnable, Math.max(0, this.cfg.concurrency * PREFETCH_PER_SLOT - this.running.size))
    return Math.max(0, this.queue.size - keep)
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

  /** Queued tasks below which this node steals, and which it keeps for itself (Thief.lowWater). */
  private get lowWater (): number {
    return this.thief.lowWater(this.cfg.concurrency, this.taskMs)
  }

  /**
   * Whether lending runnable work pays: moving a task (persisting it on both sides, a batch,
   * a result message, detection bookkeeping) costs a few hundred microseconds of CPU across
   * the mesh, so tasks that run faster than that are better run where they are. Until this
   * node has timed a task, it assumes they are worth lending.
   */
  private get lendable (): boolean {
    return !(this.taskMs < STEAL_MIN_TASK_MS)
  }

  // ----- output -----------------------------------------------------------------------------

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

  /** Emits the final states of finished jobs for the registry (retried until it takes them). */
  private registerFinal (entries: Array<[string, JobEntry]>): void {
    const id = ++this.nextId
    this.registrations.set(id, { kind: 'final', entries })
    this.out('register', { id, entries })
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

  /** Trails fade with the time elapsed: brought up to now before they are read, and at maintenance. */
  private evaporate (now: number): void {
    if (now <= this.lastEvaporate) return
    this.thief.evaporate(now - this.lastEvaporate)
    this.lastEvaporate = now
  }

  // ----- inputs: time -----------------------------------------------------------------------

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

  // ----- inputs: home side ------------------------------------------------------------------

  /**
   * Submits jobs with this node as home: stages them and emits their registration. Throws
   * (staging nothing) when no live node can run a task. The answer — the jobs, or
   * NOT_REGISTERED — comes in ready().submitted once registered() was called.
   */
  submit (inputs: readonly JobInput[], now: number): SubmissionTicket {
    this.now = now
    if (this.stopped) throw new WorkError('STOPPING', 'node is stopping')
    if (this.draining) throw new WorkError('DRAINING', 'this node is draining (it is leaving the mesh) and accepts no new jobs: submit to another node')
    if (this.fenced) throw new WorkError('NO_QUORUM', FENCED_SUBMIT)
    if (this.pressure) throw new WorkError('RESOURCE_EXHAUSTED', RESOURCE_SUBMIT)
    const capable = this.capabilityCheck()
    const prepared = inputs.map(input => {
      const id = input.jobId ?? this.newJobId(now)
      const tasks = rootTasks(id, this.cfg.self, input)
      // A job told to wait for a capable node is queued even if none is live now.
      const wait = input.waitForCapableMs
      if (wait == null) capable(input.workflow != null ? workflowProbes(id, this.cfg.self, input) : tasks)
      const notBefore = input.delayMs != null ? now + input.delayMs : input.at
      if (notBefore != null && notBefore > now) for (const t of tasks) t.notBefore = notBefore
      // Field by field, not with conditional spreads: each spread is a call and a temporary
      // object per job on the submit path (BENCHMARKS.md, issue 14, stop 42).
      const job: JobRecord = { id, home: this.cfg.self, state: 'registering', createdAt: now, roots: tasks.length, total: tasks.length, done: 0, failed: 0, cancelled: 0, byNode: {} }
      if (input.name != null) job.name = input.name
      if (wait != null) job.capableBy = wait === 0 ? 0 : now + wait
      if (input.keep != null) job.keepMs = input.keep
      if (notBefore != null && notBefore > now) job.notBefore = notBefore
      if (input.workflow != null) job.isWorkflow = true
      return { job, tasks }
    })
    // Held in memory only until its replicas are stored: the job record and its tasks are
    // written once, with the holders, in the ready that proposes the registration (see
    // registerSubmission). Nothing the replicate message depends on is on this node's disk,
    // and a crash before that write leaves only orphan replicas, which their holders drop.
    for (const { job, tasks } of prepared) {
      this.jobs.add(job, false)
      const live = new Set<string>()
      for (const t of tasks) {
        live.add(t.id)
        this.holdTask(t, false)
      }
      this.local.set(job.id, live)
    }
    const id = ++this.nextId
    this.registrations.set(id, { kind: 'submit', jobs: prepared })
    // Replicas first: the registry entry names their holders, and the submit is answered
    // only once it is registered, so an acknowledged job is durable on every holder.
    const want = this.replicaTarget()
    if (want === 0) {
      this.registerSubmission(id, [])
    } else {
      const replicas: JobReplica[] = prepared.map(({ job, tasks }) => replicaOf(job, tasks))
      const r: Replicating = { replicas, want, holders: [], tried: new Set(), asking: 0, patience: now + REPLICATE_PATIENCE_MS, retry: [], retryAt: Infinity }
      this.replicating.set(id, r)
      this.askHolders(id, r)
    }
    this.changed = true
    return { id, jobs: prepared.map(p => p.job) }
  }

  /**
   * Holders a submission wants: `--replicas` − 1, but no more than the other members of the
   * mesh (a mesh of one keeps no copy and waits for nobody).
   */
  private replicaTarget (): number {
    const want = Math.max(1, this.cfg.replicas ?? DEFAULT_REPLICAS) - 1
    const members = this.registry.memberCount?.()
    return members == null ? want : Math.max(0, Math.min(want, members - 1))
  }

  /**
   * Asks fresh live peers for the slots still open; with none left, the peers that failed are
   * asked again shortly (one that just met this node may not know it is a member yet), and a
   * slot no peer can fill waits for one to appear — both until the submit's patience runs
   * out. Then the jobs are registered with the holders they got.
   */
  private askHolders (ticket: number, r: Replicating): void {
    const open = r.want - r.holders.length - r.asking - r.retry.length
    if (open > 0) {
      for (const to of pickHolders(this.peerView, this.cfg.self, this.isDead, r.tried, open, this.cfg.rng)) {
        r.tried.add(to)
        r.asking++
        this.send(to, { op: 'replicate', jobs: r.replicas }, { kind: 'replicate', to, ticket, jobs: r.replicas.length })
      }
    }
    if (r.holders.length >= r.want || (r.asking === 0 && this.now >= r.patience)) {
      if (r.asking > 0) return
      this.replicating.delete(ticket)
      if (r.holders.length < r.want) this.event('info', 'fewer job replicas than configured: not enough live peers stored them', { holders: r.holders.length, wanted: r.want, jobs: r.replicas.length })
      this.registerSubmission(ticket, r.holders)
      return
    }
    if (r.asking + r.holders.length < r.want && r.retryAt === Infinity) r.retryAt = this.now + REPLICATE_RETRY_MS
  }

  /** Retries due: failed holders are asked again, open slots looked for again. */
  private retryReplicas (now: number): void {
    for (const [ticket, r] of [...this.replicating]) {
      if (r.retryAt > now) continue
      r.retryAt = Infinity
      const again = r.retry
      r.retry = []
      // A failed peer becomes a candidate again (unless it was declared dead meanwhile).
      for (const to of again) r.tried.delete(to)
      this.askHolders(ticket, r)
    }
  }

  /** The earliest replicate retry due (Infinity if none). */
  private get replicaRetryAt (): number {
    let d = Infinity
    if (this.replicating.size > 0) for (const r of this.replicating.values()) if (r.retryAt < d) d = r.retryAt
    return d
  }

  /** A submission's replicas are stored (on `holders`): register its jobs. */
  private registerSubmission (id: number, holders: string[]): void {
    const reg = this.registrations.get(id)
    if (reg?.kind !== 'submit') return
    for (const { job, tasks } of reg.jobs) {
      if (holders.length > 0) this.jobs.update(job.id, { replicas: holders })
      else this.jobs.persist(job.id)
      for (const t of tasks) {
        const st = this.tasks.get(t.id)
        if (st != null) this.put('tasks', t.id, st)
      }
    }
    this.out('register', { id, entries: reg.jobs.map(({ job }) => [job.id, entryOf(job, 'running')]) })
  }

  /** A holder answered (or failed to). */
  private onReplicateAnswer (ticket: number, to: string, err: Error | undefined): void {
    const r = this.replicating.get(ticket)
    if (r == null) return
    r.asking--
    if (err == null) r.holders.push(to)
    else {
      this.event('debug', 'a peer did not store job replicas; asking another', { peer: to, err: err.message })
      if (this.now < r.patience && !this.isDead(to)) r.retry.push(to)
    }
    this.askHolders(ticket, r)
  }

  /** The control log applied registration `id` (error: it could not). */
  registered (id: number, error: Error | undefined, now: number): void {
    this.now = now
    const reg = this.registrations.get(id)
    if (reg == null) return
    this.registrations.delete(id)
    if (reg.kind === 'final') {
      if (error != null) {
        // The registry must learn that the job is over, or every node keeps its completion
        // state and listings show it running: retry at the next maintenance.
        this.event('warn', 'could not record finished jobs in the registry; will retry', { err: error.message, jobs: reg.entries.length })
        this.registerRetry.push(reg)
      }
      return
    }
    if (reg.kind === 'reregister') {
      if (error != null) {
        this.event('warn', 'could not re-register interrupted jobs; will retry', { err: error.message })
        this.registerRetry.push(reg)
        return
      }
      for (const j of reg.jobIds) this.jobs.setState(j, 'running')
      return
    }
    if (error != null) {
      for (const { job, tasks } of reg.jobs) {
        this.local.delete(job.id)
        for (const t of tasks) this.dropTask(t.id)
        this.jobs.remove(job.id)
      }
      // A proposal reported failed may have committed all the same (it timed out): the
      // registry would then name a running job nobody runs — until its home dies and a
      // replica holder runs the job the client was told was not accepted. Record it failed
      // (retried like any final state; a late 'running' never revives a final one).
      this.registerFinal(reg.jobs.map(({ job }) => [job.id, entryOf(job, 'failed')]))
      // A write that failed here (disk full) is the node's fault, not the control log's: say so.
      const refusal = error instanceof WorkError && error.code === 'RESOURCE_EXHAUSTED'
        ? new WorkError('RESOURCE_EXHAUSTED', `the job could not be written to this node's disk, so it was not accepted: ${error.message}`, { cause: error })
        : new WorkError('NOT_REGISTERED', `the job could not be registered in the control log, so it was not accepted: ${error.message}`, { cause: error })
      this.out('submitted', { id, error: refusal })
      return
    }
    for (const { job, tasks } of reg.jobs) {
      this.jobs.setState(job.id, 'running')
      for (const t of tasks) {
        // Runnable only now that it is registered: its queue wait starts here.
        const st = this.tasks.get(t.id)
        if (st != null) st.queuedAt = this.now
        this.makeRunnable(t)
      }
    }
    this.out('submitted', { id, jobs: reg.jobs.map(p => p.job) })
    this.pump()
  }

  /** The control log applied a cancel: drop this job's queued tasks, abort running ones. */
  cancel (jobId: string, now: number): void {
    this.now = now
    if (this.cancelled.has(jobId)) return
    this.cancelled.add(jobId)
    this.changed = true
    this.jobs.setState(jobId, 'cancelled')
    if (this.awaitingCancel.delete(jobId)) this.localDone.push(jobId)
    for (const t of this.queue.drop(t => t.jobId === jobId)) this.finishCancelled(t)
    for (const t of this.retries.dropJob(jobId)) if (this.tasks.has(t.id)) this.finishCancelled(t)
    // A workflow's driver is in neither: it ends with its run.
    const driver = this.workflows.drop(jobId)
    if (driver != null && this.tasks.has(driver.id)) this.finishCancelled(driver)
    for (const r of this.running.values()) if (r.task.jobId === jobId) this.out('abort', { taskId: r.task.id, reason: 'cancelled' })
  }

  // ----- inputs: healing --------------------------------------------------------------------

  /**
   * The control log committed `peer`'s death (never call it on a mere suspicion): every
   * batch lent to it comes back here and is queued again; work here whose lineage leads
   * through it is given up (its lender re-runs it), running attempts of it are aborted;
   * requests to it fail now. Idempotent: the core also looks for committed deaths it was not
   * told of (on restore and at maintenance), through RegistryView.isDead.
   */
  peerDead (peer: string, now: number): void {
    this.now = now
    if (peer === this.cfg.self || this.stopped) return
    this.changed = true
    this.thief.advertised(peer)
    this.peerBreakers.forget(peer)
    for (const [id, p] of [...this.pending]) {
      if (p.to === peer) this.response(id, new Error(`${peer} was declared dead`), now)
    }
    if (this.remoteProgress.size > 0) for (const [taskId, p] of this.remoteProgress) if (p.node === peer) this.remoteProgress.delete(taskId)
    const report = this.dscore.peerDead(peer)
    let dropped = 0
    let droppedBatches = 0
    for (const a of report.abandoned) {
      dropped += a.droppedTasks.length
      this.abandonTasks(a.droppedTasks)
      for (const e of a.droppedBatches) {
        droppedBatches++
        this.releaseLent(e.batchId)
      }
    }
    const { requeued, requeuedIds } = this.rerun(report.reclaimed)
    this.counters.tasksAbandoned += dropped
    if (report.reclaimed.length + report.abandoned.length > 0) {
      const jobs = [...new Set([...report.reclaimed.map(r => r.jobId), ...report.abandoned.map(a => a.jobId)])].slice(0, REQUEUED_IDS_LOGGED)
      this.event('info', 'peer declared dead: its work is re-run here or given up', { peer, reclaimedBatches: report.reclaimed.length, requeued, abandonedBatches: report.abandoned.length, dropped, droppedBatches, requeuedIds, jobs }, 'work.reclaimed')
    }
    this.pump()
  }

  /**
   * A thief answered a re-send: it gave these batches up before — it was declared dead after
   * taking them (and dropped its pre-death work), or their lender was. Normally every lender
   * re-runs its batches when it applies that death; one that was down when the death
   * committed, and saw the thief alive again (a new incarnation) when it came back, never
   * does — the batch would wait for a signal forever. So the lender re-runs it now, as on a
   * death: the thief holds none of it any more, and results stay once (deduplicated by task
   * id at the home).
   */
  private onAbandoned (peer: string, batchIds: readonly string[]): void {
    const reclaimed: Reclaimed[] = []
    for (const batchId of batchIds) {
      const lent = this.lent.batches.get(batchId)
      if (lent == null || lent.to !== peer) continue
      const r = this.dscore.reclaim(lent.jobId, batchId)
      if (r != null) reclaimed.push(r)
    }
    if (reclaimed.length === 0) return
    this.changed = true
    const { requeued, requeuedIds } = this.rerun(reclaimed)
    this.event('info', 'a thief had given up batches lent to it: they run here again', { peer, reclaimedBatches: reclaimed.length, requeued, requeuedIds })
    this.pump()
  }

  /**
   * Reclaimed batches: their tasks are queued here again (counted). Returns how many, and
   * which (the first REQUEUED_IDS_LOGGED), for the log line: how the recovery bench tells
   * when a dead node's lent work runs again, wherever it runs.
   */
  private rerun (reclaimed: readonly Reclaimed[]): { requeued: number, requeuedIds: string[] } {
    let requeued = 0
    const requeuedIds: string[] = []
    for (const r of reclaimed) {
      const fresh = new Set(r.newTasks)
      const lent = this.lent.signalled(r.batchId)
      for (const id of lent?.taskIds ?? r.newTasks) {
        const st = this.tasks.get(id)
        if (fresh.has(id)) {
          if (st == null) {
            // Cannot happen while delegated records are kept (see dropTask); say so if it does.
            this.event('warn', 'a reclaimed task has no record here; it cannot be re-run', { task: id, batch: r.batchId })
            continue
          }
          requeued++
          if (requeuedIds.length < REQUEUED_IDS_LOGGED) requeuedIds.push(id)
          if (this.cancelled.has(st.task.jobId) || this.registry.entry(st.task.jobId)?.state === 'cancelled') {
            this.finishCancelled(st.task)
            continue
          }
          this.holdTask(st.task)
          // At the front: these tasks already waited their turn once (bench/recovery: at the
          // back they waited ~2 s behind the rest of the job's queue before running again).
          this.queue.pushFront(st.task)
        } else if (st?.state === 'delegated' && st.batchId === r.batchId) {
          // Its lineage here is gone too (or it is held here again under another batch).
          this.dropTask(id)
        }
      }
    }
    this.counters.tasksReclaimed += requeued
    return { requeued, requeuedIds }
  }

  /**
   * The control log declared THIS node dead (it was paused or cut off long enough): every
   * lender has re-run, or will, what it lent here, so the work that reached this node from
   * others is given up — queued tasks dropped, running attempts aborted, and batches lent
   * onward for it dropped too. Jobs homed here that the same entry moved to a replica holder
   * go (sweepMoves); the others (no replica) are kept: nobody else holds them. Every node
   * that took a batch of them from this one gives that batch up on the same death (its
   * lineage leads through a dead node, whose lender re-runs it), and for a job homed here
   * that lender is this node: so those batches come back here and run again, as a lender
   * reclaims from a dead thief (late results of the first run are recorded once, by task
   * id). Then the node rejoins with a new incarnation (the membership layer's part).
   */
  declaredDead (now: number): void {
    this.now = now
    if (this.stopped) return
    this.changed = true
    let dropped = 0
    let batches = 0
    for (const jobId of this.dscore.jobIds()) {
      for (const e of this.dscore.engagements(jobId)) {
        if (e.from === this.cfg.self) continue
        const a = this.dscore.abandonBatch(jobId, e.batchId)
        if (a === undefined) continue
        batches++
        dropped += a.droppedTasks.length
        this.abandonTasks(a.droppedTasks)
        for (const lent of a.droppedBatches) this.releaseLent(lent.batchId)
      }
    }
    this.counters.tasksAbandoned += dropped
    // What is left in the ledger was lent for jobs homed here (the rest was dropped above).
    const reclaimed: Reclaimed[] = []
    for (const jobId of this.dscore.jobIds()) {
      for (const e of [...this.dscore.ledger(jobId)]) {
        const r = this.dscore.reclaim(jobId, e.batchId)
        if (r !== undefined) reclaimed.push(r)
      }
    }
    const { requeued } = this.rerun(reclaimed)
    this.event('warn', 'this node was declared dead: the work others lent it is given up (they re-run it), and what it lent for its own jobs runs here again', { batches, dropped, reclaimedBatches: reclaimed.length, requeued })
    // Its jobs with replicas were moved to other homes by the same entry: everything of
    // theirs (the work just queued again included) goes.
    this.sweepMoves()
    this.pump()
  }

  /**
   * The control log moved jobs to new homes (their home was declared dead): work of their
   * earlier home generations is given up everywhere — queued and running tasks, batches lent
   * and engaged in, outcomes owed to the dead home — and a job moved here is adopted from the
   * replica this node holds (the shell reads it: ready().adopt, then adopt()).
   */
  jobsMoved (moves: readonly JobMove[], now: number): void {
    this.now = now
    if (this.stopped || moves.length === 0) return
    this.changed = true
    const generation = new Map<string, number>()
    for (const m of moves) generation.set(m.jobId, m.epoch)
    this.dropOlderGenerations(generation, true)
    let here = 0
    for (const m of moves) {
      if (m.to !== this.cfg.self) continue
      here++
      this.requestAdopt(m.jobId)
    }
    this.event('info', 'jobs re-homed after their home was declared dead', { jobs: moves.length, from: [...new Set(moves.map(m => m.from))], toHere: here })
    this.pump()
  }

  /**
   * A job re-homed here, with the replica this node stored (undefined if it has none): it
   * becomes a job of this home and runs again from its roots, in the registry's generation.
   * `finishedHere`: the shell found this generation's final record on disk (the registry has
   * not recorded it yet), so the job is not run twice.
   */
  adopt (jobId: string, replica: JobReplica | undefined, now: number, finishedHere = false): void {
    this.now = now
    this.adopting.delete(jobId)
    // Finished here already (its final state on its way to the registry): nothing to run.
    if (this.stopped || finishedHere) return
    // Adopted here in this generation already (and over, or lost with a restart): not again.
    if (replica?.adoptedEpoch != null && replica.adoptedEpoch >= (this.registry.entry(jobId)?.epoch ?? 0)) return
    const entry = this.registry.entry(jobId)
    // Moved on again, over, or already adopted.
    if (entry == null || entry.home !== this.cfg.self || entry.state !== 'running' || this.jobs.get(jobId) != null) return
    if (replica == null || replica.tasks.length === 0) {
      this.event('warn', 'a job was re-homed here, but this node has no replica of it: it cannot run', { job: jobId })
      return
    }
    const epoch = entry.epoch ?? 0
    this.dropOlderGenerations(new Map([[jobId, epoch]]), true)
    const tasks = rehomedRoots(replica.tasks, this.cfg.self, epoch)
    const job: JobRecord = {
      id: jobId,
      ...(replica.name != null ? { name: replica.name } : {}),
      home: this.cfg.self,
      state: 'running',
      createdAt: replica.createdAt,
      roots: tasks.length,
      total: tasks.length,
      done: 0,
      failed: 0,
      cancelled: 0,
      byNode: {},
      epoch,
      homes: [...(entry.homes ?? [])],
      replicas: [...(entry.replicas ?? [])],
      ...(replica.keepMs != null ? { keepMs: replica.keepMs } : {}),
      ...(tasks[0]?.notBefore != null ? { notBefore: tasks[0].notBefore } : {}),
      ...(tasks[0]?.type === WORKFLOW_TYPE ? { isWorkflow: true } : {})
    }
    this.jobs.add(job)
    // Re-homed: its stall clock starts here and now (stuck-job detection).
    this.progressAt.set(jobId, now)
    // The replica stays until the job is over (checkReplica): if this node is declared dead
    // and the job moves on, and later no other holder is left, the control log moves it back
    // here (ControlState.moveIfHomeDead) and this copy is what runs it again. It records the
    // generation adopted, written in the same ready as the job: a restart or a maintenance
    // sweep before the registry has the final state must not adopt it again in that one.
    this.put('replicas', jobId, { ...replica, adoptedEpoch: epoch })
    this.dropReplica(this.held.own(jobId))
    this.local.set(jobId, new Set(tasks.map(t => t.id)))
    for (const t of tasks) this.holdTask(t)
    for (const t of tasks) this.makeRunnable(t)
    this.event('info', 'adopted a job whose home was declared dead: running it again from its roots', { job: jobId, epoch, from: job.homes?.at(-1), tasks: tasks.length })
    this.pump()
  }

  private requestAdopt (jobId: string): void {
    if (this.adopting.has(jobId) || this.jobs.get(jobId) != null) return
    if (!this.held.has(jobId)) {
      this.event('warn', 'a job was re-homed here, but this node holds no replica of it', { job: jobId })
      return
    }
    this.adopting.add(jobId)
    const set = this.held.setOf(jobId)
    this.out('adopt', set != null ? { jobId, set } : { jobId })
  }

  /**
   * Gives up everything of the given jobs that belongs to a home generation older than the
   * one given: such work can only reach a dead home, and the new home runs the job again.
   * `moved`: the move to that generation is being applied now (or the job adopted), so every
   * piece of completion state held here is older — even one with no task to tell its
   * generation by (a thief's closed or open engagements only).
   */
  private dropOlderGenerations (generation: ReadonlyMap<string, number>, moved = false): void {
    const stale = (jobId: string, taskId: string): boolean => {
      const g = generation.get(jobId)
      return g != null && epochOfTask(taskId) < g
    }
    let dropped = 0
    for (const [jobId, g] of generation) {
      const job = this.jobs.get(jobId)
      if (job != null && (job.epoch ?? 0) < g) {
        // This node was the job's home and was declared dead: the job lives elsewhere now.
        this.jobs.remove(jobId)
        this.workflows.drop(jobId)
        this.local.delete(jobId)
        this.localDone = this.localDone.filter(id => id !== jobId)
        this.awaitingCancel.delete(jobId)
      }
      // The completion core only ever holds one generation of a job (receive refuses the
      // others); it is the old one if any of its tasks is, and always when the move is being
      // applied: until then receive() took only older generations, and a new generation's
      // tasks exist only once its home adopted the job. (Kept, a thief's engagements of the
      // lost run made the new home's restart take the job's tasks for that run's, and drop
      // them: the job never finished.)
      const ledger = this.dscore.ledger(jobId)
      const sample = ledger[0]?.taskIds[0] ?? this.dscore.localTasks(jobId)[0]?.taskId
      if (moved || (sample != null && epochOfTask(sample) < g)) {
        this.dscore.forget(jobId)
        for (const e of ledger) this.releaseLent(e.batchId)
      }
      if (this.remoteProgress.size > 0) for (const [taskId, p] of this.remoteProgress) if (p.jobId === jobId && stale(jobId, taskId)) this.remoteProgress.delete(taskId)
    }
    const gone: string[] = []
    for (const [id, st] of this.tasks) if (stale(st.task.jobId, id)) gone.push(id)
    for (const [id, r] of this.running) if (stale(r.task.jobId, id) && !this.tasks.has(id)) gone.push(id)
    dropped += gone.length
    this.abandonTasks(gone)
    for (const id of gone) if (this.tasks.get(id)?.state === 'delegated') this.dropTask(id)
    for (const o of [...this.outbox.entries.values()]) {
      if (!stale(o.jobId, o.taskId)) continue
      this.outbox.drop(o.taskId)
      this.del('outbox', o.taskId)
    }
    this.counters.tasksAbandoned += dropped
  }

  /**
   * Moves this node may have missed (it was down, or installed a snapshot): work of a home
   * generation older than the registry's goes, and jobs the registry moved here are adopted.
   */
  private sweepMoves (): void {
    const generation = new Map<string, number>()
    const check = (jobId: string, epoch: number): void => {
      const e = this.registry.entry(jobId)
      if (e != null && (e.epoch ?? 0) > epoch) generation.set(jobId, e.epoch ?? 0)
    }
    for (const job of this.jobs.activeJobs()) check(job.id, job.epoch ?? 0)
    for (const [id, st] of this.tasks) check(st.task.jobId, epochOfTask(id))
    for (const o of this.outbox.entries.values()) check(o.jobId, epochOfTask(o.taskId))
    if (generation.size > 0) this.dropOlderGenerations(generation)
    for (const id of this.held.slice(this.held.size)) this.checkReplica(id)
  }

  /**
   * Retention forgot these finished jobs (a committed jobs.delete): replicas held for them
   * go now instead of at a later maintenance. Their records and outcomes at the home are the
   * shell's to delete (they are on disk, not here); a job still active here is not touched.
   */
  forget (jobIds: readonly string[], now: number): void {
    this.now = now
    for (const id of jobIds) {
      if (this.held.has(id)) {
        this.dropReplica(this.held.delete(id))
        this.changed = true
      }
      if (this.activeJob(id) == null) this.cancelled.delete(id)
    }
  }

  /** A replica held here: adopt its job if it was moved here, delete it once it is of no use. */
  private checkReplica (jobId: string): void {
    const e = this.registry.entry(jobId)
    const useless = e == null ? this.now - jobIdTime(jobId) > ORPHAN_REPLICA_MS : isFinal(e.state)
    if (useless) {
      this.dropReplica(this.held.delete(jobId))
    } else if (e?.home === this.cfg.self && e.state === 'running') {
      this.requestAdopt(jobId)
    }
  }

  /** Drops tasks whose lineage was abandoned: unqueued, their retries and running attempts ended. */
  private abandonTasks (ids: readonly string[]): void {
    if (ids.length === 0) return
    const gone = new Set(ids)
    this.queue.drop(t => gone.has(t.id))
    this.retries.drop(gone)
    for (const id of ids) {
      if (this.running.has(id)) {
        this.abandonedRuns.add(id)
        this.out('abort', { taskId: id, reason: 'abandoned' })
      }
      if (this.tasks.get(id)?.state === 'queued') this.dropTask(id)
    }
  }

  /** Committed deaths this node was not told of: act on every dead peer it still deals with. */
  private sweepDeaths (): void {
    let dead: Set<string> | undefined
    for (const lent of this.lent.batches.values()) {
      if (this.registry.isDead(lent.to)) (dead ??= new Set()).add(lent.to)
    }
    for (const jobId of this.dscore.jobIds()) {
      for (const e of this.dscore.engagements(jobId)) if (this.registry.isDead(e.from)) (dead ??= new Set()).add(e.from)
    }
    if (dead != null) for (const peer of dead) this.peerDead(peer, this.now)
  }

  /**
   * Whether this node reaches a majority of the mesh (consensus decides: a leader confirmed by
   * check-quorum, or a leader heard within an election timeout; src/healing/quorum-contact.ts).
   * Without it the node is FENCED, on the minority side of a partition as far as it can tell:
   *  - submit() throws NO_QUORUM at once: the job could not be registered in the control log,
   *    and the client is better told now, to submit elsewhere, than after a timeout;
   *  - the thief stays idle: peers across the cut do not answer, and work taken from a peer
   *    on this side would only move within the minority;
   *  - it lends nothing (no grant, nothing advertised as stealable): a thief that still
   *    reaches a fenced node straddles the cut or shares the minority, and the majority is
   *    about to declare this node dead, whereupon every holder of work that came through it
   *    abandons that work (Dijkstra–Scholten lineage) — a batch lent now would be run for
   *    nothing. Work is re-assigned only on deaths the control log committed (peerDead),
   *    which a fenced node cannot learn of; so it reassigns nothing either;
   *  - everything it holds runs on: queued and running tasks, retries, results sent to their
   *    homes (retried until the cut heals), re-sends of batches already lent.
   * On regained contact stealing resumes at once.
   */
  quorumContact (has: boolean, now: number): void {
    this.now = now
    if (this.fenced === !has || this.stopped) return
    this.fenced = !has
    this.changed = true
    if (has) this.pump()
  }

  /**
   * Whether this node is near its memory or disk limit (the node's resource monitor decides).
   * Under pressure it takes no new work — submits are refused (RESOURCE_EXHAUSTED) and the
   * thief stays idle — while everything it holds runs on and it still lends to thieves
   * (which only relieves it). Pushes from a draining peer are still taken: refusing a batch
   * would leave it in its lender's ledger for ever.
   */
  resourcePressure (on: boolean, now: number): void {
    this.now = now
    if (this.pressure === on || this.stopped) return
    this.pressure = on
    this.changed = true
    if (!on) this.pump()
  }

  get underPressure (): boolean {
    return this.pressure
  }

  /**
   * Changes the slots at run time (--concurrency auto, src/work/core/concurrency.ts). More
   * slots start queued tasks at once; fewer stop nothing that runs: new tasks start only
   * once the running ones fall under the new count. Prefetch, stealing and load follow it.
   */
  setConcurrency (slots: number, now: number): void {
    this.now = now
    if (!Number.isSafeInteger(slots) || slots < 1 || slots === this.cfg.concurrency) return
    this.cfg.concurrency = slots
    this.pump()
  }

  get concurrency (): number {
    return this.cfg.concurrency
  }

  /** Tasks running here, and runnable ones waiting for a slot (the concurrency controller's sample). */
  get slotUse (): { running: number, queued: number } {
    return { running: this.running.size, queued: this.queue.runnable }
  }

  /**
   * Re-sends now every batch lent to `peer` and not signalled (the stuck-job repair for a
   * peer that does not answer): a lost grant, batch or signal is recovered this way, and a
   * peer that answers again signals what it finished. Returns how many batches went.
   */
  resendTo (peer: string, now: number): number {
    this.now = now
    if (this.stopped || this.registry.isDead(peer)) return 0
    const batches: WorkBatch[] = []
    for (const [batchId, lent] of this.lent.dueFor(peer, now)) {
      const tasks: Task[] = []
      for (const id of lent.taskIds) {
        const t = this.tasks.get(id)?.task
        if (t != null) tasks.push(t)
      }
      batches.push({ jobId: lent.jobId, batchId, tasks })
    }
    if (batches.length === 0) return 0
    this.counters.batchesResent += batches.length
    this.send(peer, { op: 'deliver', batches }, { kind: 'deliver', to: peer })
    return batches.length
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

  /** A home job made progress now (stuck-job detection). */
  private progressed (jobId: string): void {
    if (this.jobs.get(jobId) != null) this.progressAt.set(jobId, this.now)
  }

  // ----- inputs: peers ----------------------------------------------------------------------

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
  response (id: number, res: WorkReply | Error, now: number): void {
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

  // ----- inputs: attempts -------------------------------------------------------------------

  /** An attempt started from ready().start ended; says what became of it (for metrics). */
  taskFinished (taskId: string, end: AttemptEnd, now: number): AttemptOutcome {
    this.now = now
    const run = this.running.get(taskId)
    if (run == null) return 'dropped'
    const { task } = run
    this.running.delete(taskId)
    const ms = end.durationMs
    this.taskMs = Number.isNaN(this.taskMs) ? ms : this.taskMs * 0.95 + ms * 0.05
    if (this.stopped) return 'dropped'
    this.changed = true
    if (this.abandonedRuns.size > 0 && this.abandonedRuns.delete(taskId)) {
      // Its lineage leads through a dead node, whose lender re-runs it: nothing of it stays.
      const again = this.requeueAfterAbandon.get(taskId)
      if (again != null) {
        this.requeueAfterAbandon.delete(taskId)
        this.queue.push(again)
      }
      this.pump()
      return 'dropped'
    }
    let outcome: AttemptOutcome
    if (this.cancelled.has(task.jobId)) {
      this.finishCancelled(task)
      outcome = 'cancelled'
    } else if (end.ok) {
      const children = end.children
      for (let i = 0; i < children.length; i++) {
        const child = children[i]!
        // A parent run again (reclaimed from a dead thief) spawns children this node may
        // already hold: lent out again (its thief runs it), or queued or running here (one
        // copy; the completion core adds the parent's lineage to it). Queued a second time,
        // it ran twice, or a steal handed over a running task (TASK_NOT_PENDING).
        const held = this.tasks.get(child.id)
        if (held?.state === 'delegated') continue
        const live = this.local.get(task.jobId)
        if (live != null) live.add(child.id)
        else if (!this.dscore.taskSpawned(task.jobId, task.id, child.id)) continue
        if (held != null || this.running.has(child.id)) continue
        // A child inherits its parent's charges (src/completion/job.ts).
        this.holdTask(child, true, this.tasks.get(task.id)?.charge)
        this.queue.push(child)
      }
      this.finishTask(task, true, end.result, undefined, false, children.length)
      this.handlerOutcome(task.type, undefined)
      outcome = 'done'
    } else if (!end.stoppedByNode) {
      this.handlerOutcome(task.type, end.error ?? 'failed')
      outcome = this.escalate(task, end.error ?? 'failed', end.result)
    } else {
      this.counters.tasksFailed++
      this.finishTask({ ...task, attempts: task.attempts + 1 }, false, end.result, end.error ?? 'failed', false, 0)
      outcome = 'failed'
    }
    this.pump()
    return outcome
  }

  /** How long a running task waited in this node's queue before its attempt started, ms. */
  queueWaitMs (taskId: string): number {
    return this.running.get(taskId)?.waitMs ?? 0
  }

  /**
   * Tasks queued here (waiting for a slot or a thief) and running here, by type, added into
   * the maps given; for metrics, at collect time: O(tasks held).
   */
  countByType (queued: Map<string, number>, running: Map<string, number>): void {
    this.queue.forEach(t => { queued.set(t.type, (queued.get(t.type) ?? 0) + 1) })
    for (const r of this.running.values()) running.set(r.task.type, (running.get(r.task.type) ?? 0) + 1)
  }

  /** A running handler reported progress (any JSON; reports over 1 KiB are dropped). */
  taskProgress (taskId: string, value: unknown, now: number): void {
    this.now = now
    const run = this.running.get(taskId)
    if (run == null) return
    run.progress = value
    const task = run.task
    if (task.home === this.cfg.self) {
      this.progressed(task.jobId)
      return
    }
    let text: string
    try {
      text = JSON.stringify(value ?? null)
    } catch {
      return
    }
    if (text === undefined || text.length > MAX_PROGRESS_BYTES) return
    this.outbox.progress(task.id, task.home, task.jobId, text, now)
  }

  /** An attempt ended while its handler kept running (it ignored its abort signal). */
  handlerOrphaned (_taskId: string): void {
    this.counters.orphanedHandlers++
  }

  /**
   * The node is leaving the mesh: submits are refused (DRAINING), it steals no more, thieves
   * get all it holds, and its queued tasks are pushed to capable live peers — as batches
   * they engage for, exactly like steal grants, so the sender's ledger says what is still
   * out and a death of the receiver re-runs it here. Tasks no live peer can run, and retries
   * the completion core counts as running here, run here. Running tasks finish here.
   * Idempotent; the shell watches drainProgress() and decides when to leave.
   */
  drain (now: number): void {
    this.now = now
    if (this.stopped || this.draining) return
    this.draining = true
    this.changed = true
    this.event('info', 'draining: no new jobs or steals; queued work goes to peers', { queued: this.queue.size, running: this.running.size, lent: this.lent.size })
    this.pump()
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

  // ----- inbound requests -------------------------------------------------------------------

  private onSteal (from: string, capabilities: readonly string[], want: number): WorkReply {
    if (this.registry.isDead(from)) {
      this.counters.stealsRefused++
      return failReply('you were declared dead; rejoin with a new incarnation')
    }
    // Fenced: lend nothing (see quorumContact); an empty grant rules this node out until its next heartbeat.
    if (this.fenced) {
      this.counters.stealsRefused++
      return okReply({ remaining: 0 })
    }
    // A thief whose circuit is open here gets nothing; half-open, one task (its probe).
    const probe = this.peerBreakers.anyOpen && this.peerBreakers.state(from) !== 'closed'
    if (probe && !this.peerBreakers.allow(from, this.now)) {
      this.counters.stealsRefused++
      return okReply({ remaining: 0 })
    }
    // Half of what this node will not start itself right away; all of it when this node
    // cannot run any of it (tasks waiting here for a capable thief).
    const spare = this.stealable
    const n = Math.min(probe ? 1 : want, JOB_LIMITS.batchTasks, this.queue.runnable === 0 || !this.lendable || this.draining ? spare : Math.ceil(spare / 2))
    if (n <= 0) {
      this.counters.stealsRefused++
      return okReply({ remaining: spare })
    }
    let taken = this.queue.steal(new Set(capabilities), n, !this.lendable)
    // Tasks that failed on the thief (escalated away from it) stay.
    if (taken.some(t => t.failures != null)) {
      const back = taken.filter(t => t.failures != null && avoidedNodes(t.failures, this.ladder.localAttempts).has(from))
      if (back.length > 0) {
        for (const t of back) this.queue.push(t)
        taken = taken.filter(t => !back.includes(t))
        if (taken.length === 0) {
          this.counters.stealsRefused++
          return okReply({ remaining: this.stealable })
        }
      }
    }
    if (this.pinned.size > 0) {
      // Retries of attempts the completion core counts as running here stay here.
      const keep = taken.filter(t => this.pinned.has(t.id))
      if (keep.length > 0) {
        for (const t of keep) this.queue.push(t)
        taken = taken.filter(t => !this.pinned.has(t.id))
        if (taken.length === 0) {
          this.counters.stealsRefused++
          return okReply({ remaining: this.stealable })
        }
      }
    }
    const batches = this.lend(from, taken)
    this.counters.stealsGranted++
    this.counters.tasksLent += taken.length
    if (this.draining) this.drained.handedOff += taken.length
    return okReply({ batches, remaining: this.stealable })
  }

  /** Delegates queued tasks to `to`, one batch per job; sent after the writes are durable. */
  private lend (to: string, taken: Task[]): WorkBatch[] {
    const byJob = new Map<string, Task[]>()
    for (const t of taken) {
      const list = byJob.get(t.jobId)
      if (list == null) byJob.set(t.jobId, [t])
      else list.push(t)
    }
    const batches: WorkBatch[] = []
    for (const [jobId, list] of byJob) {
      const batchId = `${this.cfg.self}:${this.cfg.incarnation}.${++this.batchSeq}`
      const ids = list.map(t => t.id)
      this.startInCore(jobId)
      this.dscore.delegate(jobId, batchId, to, ids)
      for (const t of list) {
        this.countWork(this.tasks.get(t.id), -1)
        const st: StoredTask = { task: t, state: 'delegated', batchId, to }
        this.tasks.set(t.id, st)
        this.put('tasks', t.id, st)
      }
      this.lent.add(batchId, { jobId, to, taskIds: ids, sentAt: this.now, resendAfter: this.cfg.resendAfterMs ?? DEFAULT_RESEND_MS })
      this.progressed(jobId)
      batches.push({ jobId, batchId, tasks: list })
    }
    return batches
  }

  /**
   * Draining: hands queued tasks to live, non-draining peers that can run them, spread evenly
   * (each peer gets its share of what it can run, at most a batch limit per job and push),
   * and sends them as `deliver` batches (re-sent until signalled, like every lent batch).
   */
  private pushQueued (): void {
    const peers: Array<{ peerId: string, caps: Set<string> }> = []
    for (const p of this.peerView) {
      if (p.peerId === this.cfg.self || p.draining === true || this.registry.isDead(p.peerId)) continue
      if (!this.peerBreakers.wouldAllow(p.peerId, this.now)) continue
      peers.push({ peerId: p.peerId, caps: new Set(p.capabilities) })
    }
    if (peers.length === 0) return
    // Rotate the starting peer so that pushes of a few tasks at a time spread too.
    const first = this.batchSeq % peers.length
    let progress = true
    while (progress && this.queue.size > 0) {
      progress = false
      const share = Math.max(1, Math.ceil(this.queue.size / peers.length))
      for (let i = 0; i < peers.length; i++) {
        const peer = peers[(first + i) % peers.length]!
        let taken = this.queue.steal(peer.caps, Math.min(share, JOB_LIMITS.batchTasks))
        if (this.pinned.size > 0) {
          const keep = taken.filter(t => this.pinned.has(t.id))
          for (const t of keep) this.queue.push(t)
          if (keep.length > 0) taken = taken.filter(t => !this.pinned.has(t.id))
        }
        if (taken.length === 0) continue
        progress = true
        const batches = this.lend(peer.peerId, taken)
        this.counters.tasksLent += taken.length
        this.drained.handedOff += taken.length
        this.send(peer.peerId, { op: 'deliver', batches }, { kind: 'deliver', to: peer.peerId })
      }
    }
  }

  /**
   * Engages with received batches (`pushed`: delivered by the sender, not a steal grant);
   * returns how many tasks are new here. Ids of batches given up here before go into `abandoned`.
   */
  private receive (from: string, batches: readonly WorkBatch[], pushed = false, abandoned?: string[]): number {
    // A dead node's batches (a re-send, or a grant answered late) are re-run by its lender.
    if (this.registry.isDead(from)) return 0
    let fresh = 0
    for (const b of batches) {
      if (b.rejected != null && b.rejected > 0) this.counters.rejectedMessages += b.rejected
      const tasks: Task[] = []
      const entry = this.registry.entry(b.jobId)
      // Only the registry's home generation of a job: an older one's work can reach only a
      // dead home; a newer one means this node has not applied the move yet (the lender
      // re-sends the batch, and it is taken then).
      const generation = entry?.epoch ?? 0
      let otherGeneration = false
      for (const t of b.tasks) {
        if (t.jobId !== b.jobId || jobOfTask(t.id) !== b.jobId) {
          this.counters.rejectedMessages++
          continue
        }
        if (epochOfTask(t.id) !== generation) {
          otherGeneration = true
          continue
        }
        tasks.push(t)
      }
      if (otherGeneration) continue
      // A job the registry knows is over cannot have an unsignalled batch: a stale re-send.
      if (entry != null && isFinal(entry.state) && entry.state !== 'cancelled') continue
      let receipt
      try {
        receipt = this.dscore.receiveBatch(b.jobId, b.batchId, from, tasks.map(t => t.id))
      } catch {
        this.counters.rejectedMessages++
        continue
      }
      if (receipt.status === 'ignored') abandoned?.push(b.batchId)
      if (receipt.status !== 'engaged') continue
      const isNew = new Set(receipt.newTasks)
      for (const t of tasks) {
        if (!isNew.has(t.id)) continue
        fresh++
        // Pushed back by the node it was lent to (not stolen back from it): it could not run it.
        if (pushed && this.lent.size > 0) this.handedBack(from, t)
        this.origin.set(t.id, from)
        if (this.cancelled.has(t.jobId) || entry?.state === 'cancelled') {
          this.finishCancelled(t)
          continue
        }
        this.holdTask(t, true, b.batchId)
        this.queue.push(t)
      }
    }
    this.counters.tasksStolen += fresh
    return fresh
  }

  /**
   * A task this node lent to `from` came back from it: it failed there (escalated away), or
   * was handed back unrun (its handler's circuit is open there). It counts against `from`'s
   * circuit, and that batch's signal is no success — unless the task failed on other nodes
   * too (a poison task, not the peer's fault) or `from` is draining (it hands everything on).
   */
  private handedBack (from: string, t: Task): void {
    const st = this.tasks.get(t.id)
    if (st?.state !== 'delegated' || st.to !== from || st.batchId == null) return
    if (t.failures != null && t.failures.some(f => f.node !== from)) return
    if (this.peerView.some(p => p.peerId === from && p.draining === true)) return
    this.failedBack.add(st.batchId)
    const last = t.failures?.[t.failures.length - 1]
    this.peerOutcome(from, last != null ? `task ${t.id} came back failed: ${last.error}` : `task ${t.id} came back unrun (its handler's circuit is open there)`)
  }

  private onSignals (from: string, signals: readonly BatchSignal[], covered?: readonly CoveredSignal[]): WorkReply {
    const accepted = this.acceptSignals(from, signals)
    if (covered == null || covered.length === 0) return okReply({ accepted: accepted.length })
    const early = this.acceptCovered(from, covered)
    return okReply({ accepted: accepted.length + early.length, ...(early.length > 0 ? { signalled: early } : {}) })
  }

  /** Applies signals from `from`; returns the batches they settled. */
  private acceptSignals (from: string, signals: readonly BatchSignal[]): string[] {
    const accepted: string[] = []
    let relent: Map<string, string> | undefined
    for (const s of signals) {
      // The home of the job, known from the lent batch (before it is released below).
      const home = this.lent.size > 0 ? this.homeOfLent(s.batchId) : undefined
      if (this.dscore.receiveSignal(s.jobId, s.batchId, from) !== 'accepted') continue
      accepted.push(s.batchId)
      // A batch whose tasks all ended well there (none came back failed) is a success.
      if (!this.failedBack.delete(s.batchId) && this.lent.batches.get(s.batchId)?.to === from) this.peerOutcome(from, undefined)
      this.releaseLent(s.batchId)
      if (home != null && home !== this.cfg.self) (relent ??= new Map()).set(s.jobId, home)
    }
    if (relent != null) for (const [jobId, home] of relent) this.signalCovered(jobId, home)
    return accepted
  }

  /** The home of the job of a batch lent from here (undefined when not known). */
  private homeOfLent (batchId: string): string | undefined {
    const lent = this.lent.batches.get(batchId)
    if (lent == null) return undefined
    for (const id of lent.taskIds) {
      const t = this.tasks.get(id)?.task
      if (t != null) return t.home
    }
    return undefined
  }

  /**
   * Covered signals from `from` for batches lent to it from here, the home of their jobs:
   * each settles its batch only if every task it covers has its outcome recorded here (the
   * batch's other outcomes were delivered, or came in the same message), so a covered signal
   * never settles a batch before its work is recorded. One that does not hold yet is not
   * taken: the sender signals again once its own results are answered. Returns the batches
   * settled.
   */
  private acceptCovered (from: string, covered: readonly CoveredSignal[]): string[] {
    const ok: BatchSignal[] = []
    let relent: Map<string, string> | undefined
    for (const c of covered) {
      if (this.jobs.get(c.jobId) == null) {
        // Not the job's home: a batch lent from here whose receiver vouches for it, but for
        // outcomes on their way to the home. Noted (in memory), and passed on towards the
        // home with the batches it finishes here; the batch stays lent until signalled.
        const lent = this.lent.batches.get(c.batchId)
        if (lent == null || lent.to !== from || lent.jobId !== c.jobId) continue
        const home = this.homeOfLent(c.batchId)
        if (home == null || home === this.cfg.self) continue
        this.coveredOut.set(c.batchId, c.covers)
        ;(relent ??= new Map()).set(c.jobId, home)
        continue
      }
      if (c.covers.every(t => jobOfTask(t) === c.jobId && this.jobs.isRecorded(c.jobId, t))) ok.push(c)
    }
    if (relent != null) for (const [jobId, home] of relent) this.signalCovered(jobId, home)
    return ok.length > 0 ? this.acceptSignals(from, ok) : []
  }

  /**
   * Outcomes from `from` for jobs homed here, and the signals of batches lent to `from` that
   * they finish: applied after the outcomes are recorded (in the same ready, so durable
   * together), so no signal settles a batch before its work is recorded here.
   */
  private onResults (from: string, results: readonly TaskOutcome[], rejected: number, signals?: readonly BatchSignal[], covered?: readonly CoveredSignal[]): WorkReply {
    this.counters.rejectedMessages += rejected
    for (const r of results) {
      if (jobOfTask(r.taskId) !== r.jobId) {
        this.counters.rejectedMessages++
        continue
      }
      // Unknown jobs are acknowledged too (so the sender stops), just not recorded; so are
      // outcomes of an earlier home generation (this home runs the job again).
      const job = this.jobs.get(r.jobId)
      if (job != null && epochOfTask(r.taskId) !== (job.epoch ?? 0)) continue
      this.remoteProgress.delete(r.taskId)
      // The thief is working through the batch that holds this task: no need to re-send it
      // yet (a re-send carries every task of the batch again; see LentBatches.heard).
      if (this.lent.size > 0) this.lent.heard(r.taskId, from, this.now)
      const wf = job?.isWorkflow === true
      if (wf && this.workflows.tolerated(r)) r.tolerated = true
      const recorded = this.jobs.record(r, this.now)
      if (recorded && wf) this.workflows.outcome(r)
      if (recorded && job!.done === job!.total) this.allRecorded(r.jobId)
      if (recorded && r.cancelled !== true) {
        // Outcomes of work run elsewhere feed that node's circuit (a task that also failed on
        // other nodes is a poison task, not that node's fault).
        if (r.ok) this.peerOutcome(r.node, undefined)
        else if (r.failures == null || r.failures.every(f => f.node === r.node)) this.peerOutcome(r.node, r.error ?? 'failed')
      }
    }
    // Step tasks a workflow spawned for these outcomes run now, not at the next pump.
    if (this.workflowSpawned) {
      this.workflowSpawned = false
      this.pump()
    }
    let signalled = signals != null && signals.length > 0 ? this.acceptSignals(from, signals) : undefined
    if (covered != null && covered.length > 0) {
      const early = this.acceptCovered(from, covered)
      if (early.length > 0) signalled = signalled != null ? [...signalled, ...early] : early
    }
    return okReply({ accepted: results.length, ...(signalled != null && signalled.length > 0 ? { signalled } : {}) })
  }

  private onProgress (from: string, progress: readonly ProgressReport[]): WorkReply {
    let accepted = 0
    for (const p of progress) {
      if (this.jobs.get(p.jobId) == null || jobOfTask(p.taskId) !== p.jobId || p.value.length > MAX_PROGRESS_BYTES) continue
      if (this.jobs.isRecorded(p.jobId, p.taskId)) continue
      let value: unknown
      try {
        value = JSON.parse(p.value)
      } catch {
        this.counters.rejectedMessages++
        continue
      }
      this.remoteProgress.set(p.taskId, { jobId: p.jobId, node: from, value })
      this.progressed(p.jobId)
      accepted++
    }
    return okReply({ accepted })
  }

  /** Stores job definitions for their home (answered once written: persist, then reply). */
  private onReplicate (from: string, jobs: readonly JobReplica[], rejected: number): WorkReply {
    this.counters.rejectedMessages += rejected
    const accepted: JobReplica[] = []
    for (const j of jobs) {
      if (j.home !== from) {
        this.counters.rejectedMessages++
        continue
      }
      accepted.push(j)
    }
    // One value for the whole message (see HeldReplicas); a re-sent message writes it again.
    const key = accepted[0]?.id
    if (key != null && this.held.addSet(key, accepted.map(j => j.id))) this.put('replicaSets', key, packReplicaSet(from, accepted))
    return okReply({ accepted: accepted.length })
  }

  /**
   * Stores a replicate message's definitions as they came (sealed: see SealedReplicaSet), one
   * value under its first job id like a decoded set (not again for a re-sent message).
   */
  private onSealedReplicas (from: string, sealed: SealedReplicas): WorkReply {
    const key = sealed.ids[0]!
    if (this.held.addSet(key, sealed.ids)) this.put('replicaSets', key, sealedReplicaSet(from, sealed))
    return okReply({ accepted: sealed.ids.length })
  }

  /** Deletes a replica's stored value, or its set's once empty (HeldReplicas.delete/own). */
  private dropReplica (k: ReplicaKey | undefined): void {
    if (k != null) this.del(k.bucket, k.key)
  }

  // ----- running tasks ----------------------------------------------------------------------

  private pump (): void {
    if (this.stopped) return
    // Draining: what a live peer can run goes to peers; only the rest runs here.
    if (this.draining && this.queue.size > 0) this.pushQueued()
    const burstMax = this.cfg.burst ?? BURST
    while (this.running.size < this.cfg.concurrency) {
      // Quick tasks finish in microtasks and start the next ones in microtasks: without a
      // break the event loop would never turn, and heartbeats, RPCs and commits would wait
      // for the whole queue. Every BURST tasks, the rest waits for the next tick.
      if (this.burst >= burstMax) {
        this.burstPending = true
        break
      }
      const task = this.queue.take()
      if (task == null) break
      this.burst++
      this.startTask(task)
    }
    if (this.divertTo.size > 0) this.flushDiverted()
    // Prefetch: ask for more while the tasks queued here outlast a steal's answer, so slots never wait on one.
    if (this.queue.runnable < this.lowWater) this.maybeSteal()
  }

  private startTask (task: Task): void {
    this.changed = true
    if (this.abandonedRuns.size > 0 && this.abandonedRuns.has(task.id)) {
      // Queued again (reclaimed) while its abandoned attempt is still ending: one attempt
      // of a task id at a time, so it waits for that one's end.
      this.requeueAfterAbandon.set(task.id, task)
      return
    }
    if ((task.failures != null || this.handlerBreakers.anyOpen) && this.diverts(task)) return
    if (!this.local.has(task.jobId) && !this.dscore.taskStarted(task.jobId, task.id)) {
      // Its lineage was abandoned (healing) or it is already finished: nothing to run.
      this.dropTask(task.id)
      return
    }
    this.running.set(task.id, { task, startedAt: this.now, waitMs: this.now - (this.tasks.get(task.id)?.queuedAt ?? this.now) })
    // A first attempt is progress; a retry is not (a task that keeps failing is how jobs stick).
    if (task.attempts === 0 && task.home === this.cfg.self) this.progressed(task.jobId)
    this.counters.tasksRun++
    this.out('start', task)
  }

  /**
   * A failed attempt climbs the escalation ladder (src/work/core/ladder.ts): retried here,
   * then run on another capable node (see divert), then failed with every attempt's error;
   * past the type's restart cap it fails at once. Each step is a `task.escalated` notice.
   */
  private escalate (task: Task, error: string, result: string | undefined): AttemptOutcome {
    const attempt = task.attempts + 1
    const failures = withFailure(task.failures, { node: this.cfg.self, attempt, error, at: this.now })
    const capReached = this.restarts.reached(task.type, this.now)
    const step = escalationStep(failures, attempt, task.maxAttempts, this.cfg.self, this.ladder, capReached)
    const avoid = step === 'other-node' ? [...avoidedNodes(failures, this.ladder.localAttempts)] : undefined
    this.notice('task.escalated', { jobId: task.jobId, taskId: task.id, type: task.type, node: this.cfg.self, step, attempt, maxAttempts: task.maxAttempts, error: error.slice(0, 1_000), ...(avoid != null ? { avoid } : {}) })
    if (step === 'failed' || step === 'capped') {
      this.counters.tasksFailed++
      const why = step === 'capped'
        ? `restart cap reached: ${this.restarts.count(task.type, this.now)} restarts of "${task.type}" tasks on ${this.cfg.self} in the last hour (supervision.restartsPerTypePerHour = ${this.ladder.restartsPerTypePerHour}); its error: ${error}`
        : error
      this.finishTask({ ...task, attempts: attempt, failures }, false, result, why, false, 0)
      return 'failed'
    }
    this.restarts.record(task.type, this.now)
    if (step === 'other-node') this.event('info', 'task failed here too often; it runs on another capable node', { task: task.id, type: task.type, attempt, avoid })
    this.retry({ ...task, failures }, error)
    return 'retried'
  }

  /** An attempt of a handler type ended here: ok (error undefined) or failed. Feeds its breaker. */
  private handlerOutcome (type: string, error: string | undefined): void {
    if (error == null) this.handlerBreakers.success(type, this.now)
    else this.handlerBreakers.failure(type, this.now, error.slice(0, 200))
    if (this.handlerBreakers.changed) this.flushCircuits()
  }

  /** What a peer did with work lent to it: ok (error undefined) or failed. Feeds its breaker. */
  private peerOutcome (peer: string, error: string | undefined): void {
    if (peer === this.cfg.self) return
    if (error == null) this.peerBreakers.success(peer, this.now)
    else this.peerBreakers.failure(peer, this.now, error.slice(0, 200))
    if (this.peerBreakers.changed) this.flushCircuits()
  }

  /** Circuit transitions become notices and log lines; a handler's changes what this node advertises. */
  private flushCircuits (): void {
    for (const [kind, b] of [['peer', this.peerBreakers], ['handler', this.handlerBreakers]] as const) {
      const ts = b.transitions()
      if (ts.length === 0) continue
      for (const t of ts) {
        const type = t.to === 'open' ? 'circuit.opened' : t.to === 'half-open' ? 'circuit.half-open' : 'circuit.closed'
        this.notice(type, { kind, target: t.target, node: this.cfg.self, reason: t.reason, failures: t.failures, from: t.from })
        this.event(t.to === 'open' ? 'warn' : 'info', kind === 'peer' ? `circuit to peer ${t.to}` : `circuit of handler ${t.to}`, { kind, target: t.target, reason: t.reason })
      }
      if (kind === 'handler') {
        const open = new Set(b.openTargets().filter(t => b.state(t) === 'open').map(t => `handler:${t}`))
        this.advertised = open.size === 0 ? this.cfg.capabilities : this.cfg.capabilities.filter(c => !open.has(c))
      }
    }
  }

  /**
   * Whether a task taken from the queue goes to a peer instead of starting here: it failed
   * here `localAttempts` times (escalated), or its handler's circuit is open here. It goes
   * to a live capable peer it has not failed on (the node that lent it first); with none, it
   * runs here. A half-open handler lets one task through here as its probe.
   */
  private diverts (task: Task): boolean {
    const escalated = task.failures != null && failuresOn(task.failures, this.cfg.self) >= this.ladder.localAttempts
    const handlerOpen = this.handlerBreakers.anyOpen && this.handlerBreakers.state(task.type) !== 'closed'
    if (!escalated && !handlerOpen) return false
    if (!escalated && this.handlerBreakers.allow(task.type, this.now)) return false
    // Fenced (no quorum contact) it lends nothing: it runs what it holds.
    if (this.fenced) return false
    const peer = this.pickPeer(task)
    if (peer == null) return false
    if (!this.local.has(task.jobId)) {
      // Its failed attempt still counts as running in the completion core: pending again.
      if (!this.dscore.taskStopped(task.jobId, task.id)) return false
      this.pinned.delete(task.id)
    }
    this.divert(peer, task)
    return true
  }

  /** Hands a task to `peer` at the end of this pump (flushDiverted), as a batch it engages for. */
  private divert (peer: string, task: Task): void {
    this.peerBreakers.allow(peer, this.now)
    const list = this.divertTo.get(peer)
    if (list == null) this.divertTo.set(peer, [task])
    else list.push(task)
  }

  /** A live, non-draining peer that can run the task, that it has not failed on and whose circuit is not open. */
  private pickPeer (task: Task): string | undefined {
    const n = this.peerView.length
    if (n === 0) return undefined
    const avoid = avoidedNodes(task.failures, this.ladder.localAttempts)
    const origin = this.origin.get(task.id)
    let best: string | undefined
    let bestQueued = Infinity
    const first = this.batchSeq % n
    for (let i = 0; i < n; i++) {
      const p = this.peerView[(first + i) % n]!
      if (p.peerId === this.cfg.self || p.draining === true || avoid.has(p.peerId) || this.registry.isDead(p.peerId)) continue
      if (!canRun(p.capabilities, task.requires) || !this.peerBreakers.wouldAllow(p.peerId, this.now)) continue
      if (p.peerId === origin) return origin
      if (p.queued < bestQueued) {
        best = p.peerId
        bestQueued = p.queued
      }
    }
    return best
  }

  /** Sends the tasks diverted in this pump to their peers, as batches they engage for. */
  private flushDiverted (): void {
    if (this.divertTo.size === 0) return
    const all = this.divertTo
    this.divertTo = new Map()
    for (const [peer, tasks] of all) {
      for (let i = 0; i < tasks.length; i += JOB_LIMITS.batchTasks) {
        const chunk = tasks.slice(i, i + JOB_LIMITS.batchTasks)
        const batches = this.lend(peer, chunk)
        this.counters.tasksLent += chunk.length
        this.send(peer, { op: 'deliver', batches }, { kind: 'deliver', to: peer })
      }
      this.event('debug', 'tasks handed to a peer (escalated, their handler circuit open here, or workflow steps for a peer that can take them now)', { peer, tasks: tasks.length })
    }
  }

  private notice (type: string, data: Record<string, unknown>): void {
    this.out('notices', { type, data })
  }

  private retry (task: Task, error: string): void {
    this.counters.tasksRetried++
    if (task.home === this.cfg.self && this.jobs.get(task.jobId) != null) {
      const list = this.attemptErrors.get(task.jobId) ?? []
      list.push({ taskId: task.id, type: task.type, error: error.slice(0, 300), at: this.now, timedOut: /^timed out after \d+ ms/.test(error) })
      if (list.length > ERRORS_KEPT) list.shift()
      this.attemptErrors.set(task.jobId, list)
    }
    const next: Task = { ...task, attempts: task.attempts + 1 }
    this.holdTask(next)
    const base = this.cfg.retryBaseMs ?? DEFAULT_RETRY_BASE_MS
    const delay = Math.min(MAX_RETRY_MS, base * 2 ** task.attempts) * (0.5 + this.cfg.rng() / 2)
    this.event('debug', 'task failed; retrying', { task: task.id, attempt: next.attempts, error, delay: Math.round(delay) })
    this.retries.add(next, this.now + delay)
    // The completion core still counts the attempt as running (it only learns of finished
    // tasks): such a task must not be lent, it runs here again.
    if (!this.local.has(task.jobId)) this.pinned.add(task.id)
  }

  /** Records the outcome at home (directly here, or via the outbox) and retires the task. */
  private finishTask (task: Task, ok: boolean, result: string | undefined, error: string | undefined, cancelled: boolean, spawned: number): void {
    // Field by field, in the order the spreads gave (one per task on the hot path).
    const outcome: TaskOutcome = { jobId: task.jobId, taskId: task.id, ok } as TaskOutcome
    if (result !== undefined) outcome.result = result
    if (error !== undefined) outcome.error = error
    if (cancelled) outcome.cancelled = true
    outcome.spawned = spawned
    outcome.attempts = task.attempts + (ok ? 1 : 0)
    outcome.node = this.cfg.self
    outcome.finishedAt = this.now
    if (!ok && !cancelled && task.failures != null && task.failures.length > 0) outcome.failures = task.failures
    const charge = this.tasks.get(task.id)?.charge
    this.dropTask(task.id)
    if (this.draining) this.drained.finished++
    if (task.home === this.cfg.self || cancelled) {
      // Cancelled work elsewhere needs no result at home: the job's state already says why.
      if (task.home === this.cfg.self) {
        const wf = this.jobs.get(task.jobId)?.isWorkflow === true
        if (wf && this.workflows.tolerated(outcome)) outcome.tolerated = true
        if (this.jobs.record(outcome, this.now) && wf) this.workflows.outcome(outcome)
      }
      this.localFinished(task.jobId, task.id)
      if (task.home === this.cfg.self) this.allRecorded(task.jobId)
      return
    }
    outcome.home = task.home
    if (charge != null) outcome.charge = charge
    this.outbox.add(outcome)
    this.put('outbox', task.id, outcome)
    this.scheduleResults(task.home, task.jobId)
  }

  private finishCancelled (task: Task): void {
    this.finishTask(task, false, undefined, 'cancelled', true, 0)
  }

  /**
   * A job that left home is complete once its home has recorded the outcome of every task of
   * its tree (JobBook.allRecorded) and holds none of its tasks: the signals still on their way
   * (a batch's lender signals it once its results are answered; a re-lent batch's signal goes
   * up a chain of lenders) can only say what the outcomes already prove. So the home does
   * not wait for them: it finishes the job now, its final record durable with the last
   * outcomes, and the ledger it still holds goes once that is durable (advance). Workflows
   * (their home spawns steps as outcomes arrive) and cancelled jobs wait for the signals.
   */
  private allRecorded (jobId: string): void {
    if (this.local.has(jobId) || !this.dscore.isHome(jobId)) return
    const job = this.jobs.get(jobId)
    if (job == null || job.state !== 'running' || job.isWorkflow === true || this.cancelled.has(jobId) || this.awaitingCancel.has(jobId)) return
    if (!this.jobs.allRecorded(jobId) || this.dscore.localTasks(jobId).length > 0) return
    this.localDone.push(jobId)
  }

  /** A task finished here with its outcome recorded: tell whichever tracks its job. */
  private localFinished (jobId: string, taskId: string): void {
    const live = this.local.get(jobId)
    if (live == null) {
      this.dscore.taskFinished(jobId, taskId)
      return
    }
    live.delete(taskId)
    if (live.size === 0) {
      this.local.delete(jobId)
      this.localDone.push(jobId)
    }
  }

  /** The job leaves home for the first time: hand every task it has here to the core. */
  private startInCore (jobId: string): void {
    const live = this.local.get(jobId)
    if (live == null) return
    this.local.delete(jobId)
    // Their queued task records here name the root charge: no completion record of their own.
    this.dscore.startJob(jobId, [...live], id => impliedBy(this.tasks.get(id), this.outbox.entries.get(id), jobId, ROOT_CHARGES))
    for (const id of this.running.keys()) if (live.has(id)) this.dscore.taskStarted(jobId, id)
  }

  // ----- results to the home ----------------------------------------------------------------

  /** `jobId`: the job of an outcome just added (its last here goes at once: Outbox.schedule). */
  private scheduleResults (home: string, jobId?: string): void {
    const jobHeld = jobId != null ? this.workForJob.get(jobId) ?? 0 : undefined
    if (this.outbox.schedule(home, this.workFor.get(home) ?? 0, this.now, jobHeld)) this.sendResults(home, jobHeld === 0)
  }

  /**
   * Sends the outcomes waiting for `home`, with the signals of
   * the batches `home` lent here that they finish: the home records the outcomes, then
   * settles those batches, in one step — the signal does not wait for the results' answer,
   * a LevelDB batch here and a message of its own (the last outcome of a job reaches its
   * home, and the home detects completion, one message after the task finished).
   */
  private sendResults (home: string, jobLast = false): void {
    // A dead home's results wait here: they are of no use to it (re-homing decides their fate).
    if (this.stopped || this.registry.isDead(home)) return
    const last = !this.workFor.has(home)
    // The last outcomes held here for the home, or for one of its jobs.
    const urgent = last || jobLast || this.outbox.hasUrgent(home)
    const batch = this.outbox.take(home, last)
    if (batch == null) return
    // The home may be waiting for these outcomes alone to complete a job.
    if (urgent) this.rd.flushNow = true
    let signals: BatchSignal[] | undefined
    let covered: CoveredSignal[] | undefined
    let byJob: Map<string, Set<string>> | undefined
    for (const o of batch) {
      byJob ??= new Map()
      let ids = byJob.get(o.jobId)
      if (ids == null) byJob.set(o.jobId, ids = new Set())
      ids.add(o.taskId)
    }
    if (byJob != null) {
      for (const [jobId, ids] of byJob) {
        // A batch lent by the home whose outcomes are all in this message is signalled with
        // them (CompletionCore.coveredBy). One whose other outcomes are in a batch in flight,
        // or whose re-lent parts their receivers vouched for, is signalled now as well,
        // covered by the outcomes still on their way: the home applies it once it has
        // recorded them. Batches from other lenders go to them covered the same way; they
        // pass it on towards the home.
        for (const q of this.dscore.quiescentWith(jobId, undefined, t => ids.has(t) || this.inFlightTo(t, home), b => this.coveredOut.has(b))) {
          // The home sees the outcomes in this message; another lender needs them named.
          const covers = this.coversOf(q, q.from !== home ? () => true : t => !ids.has(t))
          if (covers == null) continue
          if (q.from !== home) this.passCovered(q.from, { jobId, batchId: q.batchId, covers })
          else if (covers.length === 0) (signals ??= []).push({ jobId, batchId: q.batchId })
          else (covered ??= []).push({ jobId, batchId: q.batchId, covers })
        }
      }
    }
    this.send(home, { op: 'results', results: batch, ...(signals != null ? { signals } : {}), ...(covered != null ? { covered } : {}) }, { kind: 'results', to: home, batch })
  }

  /** Whether the outcome of `taskId` is in a results batch in flight to `home`. */
  private inFlightTo (taskId: string, home: string): boolean {
    return this.outbox.isSending(taskId) && this.outbox.entries.get(taskId)?.home === home
  }

  /**
   * The outcomes a covered signal for `q` must name: its tasks that `keep` selects, and what
   * the receivers of its outgoing batches named for theirs; undefined when too many to send.
   */
  private coversOf (q: { tasks: string[], outgoing: string[] }, keep: (taskId: string) => boolean): string[] | undefined {
    const covers = q.tasks.filter(keep)
    for (const b of q.outgoing) covers.push(...this.coveredOut.get(b)!)
    return covers.length <= JOB_LIMITS.results ? covers : undefined
  }

  /** A covered signal to a lender that is not the job's home (it passes it on). */
  private passCovered (to: string, c: CoveredSignal): void {
    if (this.registry.isDead(to) || !this.firstCovered(c.jobId, c.batchId)) return
    this.send(to, { op: 'signal', signals: [], covered: [c] }, { kind: 'signal', to })
  }

  /**
   * Whether no covered signal for this received batch was passed on before: each goes once
   * (lending can go back and forth between two nodes, and each pass would trigger the next);
   * if the home does not take it, the plain signals follow as always.
   */
  private firstCovered (jobId: string, batchId: string): boolean {
    let set = this.coveredPassed.get(jobId)
    if (set == null) this.coveredPassed.set(jobId, set = new Set())
    if (set.has(batchId)) return false
    set.add(batchId)
    return true
  }

  /**
   * A batch lent from here was signalled, or its receiver vouched for it with a covered
   * signal: the batches it was charged to may now be finished but for outcomes on their way
   * to the job's home (the re-lent part of a batch often finishes last). Their signal goes
   * now, covered by those outcomes, instead of after the answers to the results in flight
   * (and, up a chain of lenders, after each one's own results and signal).
   */
  private signalCovered (jobId: string, home: string): void {
    if (home === this.cfg.self || this.registry.isDead(home)) return
    if (this.outbox.inFlight(home) === 0 && this.coveredOut.size === 0) return
    let covered: CoveredSignal[] | undefined
    for (const q of this.dscore.quiescentWith(jobId, undefined, t => this.inFlightTo(t, home), b => this.coveredOut.has(b))) {
      const covers = this.coversOf(q, () => true)
      if (covers == null) continue
      if (q.from !== home) this.passCovered(q.from, { jobId, batchId: q.batchId, covers })
      else if (this.firstCovered(jobId, q.batchId)) (covered ??= []).push({ jobId, batchId: q.batchId, covers })
    }
    if (covered != null) this.send(home, { op: 'signal', signals: [], covered }, { kind: 'signal', to: home })
  }

  private onResultsAnswer (home: string, batch: TaskOutcome[], reply: WorkReply | undefined, err: Error | undefined): void {
    if (err == null) {
      // Batches whose signal the home took with these outcomes: not signalled again when
      // they settle here below.
      if (reply?.signalled != null) for (const b of reply.signalled) this.signalledEarly.add(b)
      const gone = this.outbox.delivered(home, batch)
      this.counters.resultsSent += gone.length
      for (const o of gone) {
        this.del('outbox', o.taskId)
        this.dscore.taskFinished(o.jobId, o.taskId)
      }
    } else {
      const { backoff, failingForMs } = this.outbox.failed(home, batch, this.now)
      this.event('debug', 'results not delivered; will retry', { home, err: err.message, backoff })
      // A home that is alive (not declared dead) yet takes no results holds its jobs up.
      if (failingForMs > 0) this.event('warn', 'results still not delivered to their home; retrying', { home, failingForMs, waiting: this.outbox.size, err: err.message })
    }
    // More may have been written meanwhile; maintenance retries after failures.
    if (!this.outbox.backingOff(home)) this.scheduleResults(home)
  }

  private sendProgress (): void {
    for (const [home, progress] of this.outbox.takeProgress()) this.send(home, { op: 'progress', progress }, { kind: 'progress', to: home })
  }

  private sendSignals (signals: ReadonlyArray<{ to: string, jobId: string, batchId: string }>): void {
    const byPeer = new Map<string, BatchSignal[]>()
    for (const s of signals) {
      // Already delivered with the outcomes that finished the batch (see sendResults).
      if (this.signalledEarly.size > 0 && this.signalledEarly.delete(s.batchId)) continue
      const list = byPeer.get(s.to) ?? []
      list.push({ jobId: s.jobId, batchId: s.batchId })
      byPeer.set(s.to, list)
    }
    for (const [peer, list] of byPeer) {
      // Its own lender re-runs what it lent here: a signal would reach no one.
      if (this.registry.isDead(peer)) continue
      this.send(peer, { op: 'signal', signals: list }, { kind: 'signal', to: peer })
    }
  }

  // ----- stealing (thief side) --------------------------------------------------------------

  private maybeSteal (): void {
    if (this.stopped || this.fenced || this.draining || this.pressure) return
    // (Maintenance evaporates every MAINTAIN_EVERY_MS while it runs; after a quiet spell the
    // first steal catches the trails up.)
    if (this.now - this.lastEvaporate >= MAINTAIN_EVERY_MS) this.evaporate(this.now)
    const plan = this.thief.plan(this.peerView, this.cfg.self, this.isDead, this.cfg.concurrency, this.now, this.cfg.rng, this.taskMs, this.queue.runnable)
    if (plan == null) return
    this.counters.stealsSent++
    this.send(plan.victim, { op: 'steal', capabilities: this.advertised, want: plan.want }, { kind: 'steal', to: plan.victim, started: this.now })
  }

  private onStealAnswer (victim: string, started: number, res: WorkReply | undefined, err: Error | undefined): void {
    if (res != null) {
      const got = this.receive(victim, res.batches)
      this.thief.answered(victim, got, res.remaining, this.now - started, this.now)
    } else {
      this.thief.failed(victim, this.now)
      this.event('debug', 'steal failed', { victim, err: err?.message })
    }
    this.pump()
  }

  // ----- maintenance ------------------------------------------------------------------------

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

  // ----- helpers ----------------------------------------------------------------------------

  private dropOutcomesOfFinishedJobs (home: string): void {
    for (const o of [...this.outbox.entries.values()]) {
      if (o.home !== home) continue
      const e = this.registry.entry(o.jobId)
      if (e == null || !isFinal(e.state)) continue
      this.outbox.drop(o.taskId)
      this.del('outbox', o.taskId)
    }
  }

  /**
   * The capabilities that queued tasks of a job homed here wait for: those no live node
   * advertises (or, for a task whose needs no single node covers, its whole list).
   */
  waitingFor (jobId: string): string[] {
    // Every view of a live job asks (a client polling a job of 10 000 tasks asks many times
    // a second). A queued task waits either in the queue or out its retry backoff; when every
    // task in the queue can run here and none is backing off, nothing waits for a capability.
    if (this.queue.runnable === this.queue.size && this.retries.size === 0) return []
    // Otherwise walk them, allocating nothing per task: tasks that need only their handler
    // share one requirement list, judged once while the lists repeat; and forEach allocates no
    // iterator result per task as for…of over a Map does.
    const nodes = [this.cfg.capabilities, ...this.peerView.map(p => p.capabilities)]
    const missing = new Set<string>()
    let judged: readonly string[] | undefined
    let runnable = false
    this.tasks.forEach(st => {
      if (st.state !== 'queued' || st.task.jobId !== jobId) return
      const req = st.task.requires
      if (req !== judged) {
        judged = req
        runnable = nodes.some(n => canRun(n, req))
      }
      if (runnable) return
      const absent = req.filter(r => !nodes.some(n => n.includes(r)))
      for (const r of absent.length > 0 ? absent : req) missing.add(r)
    })
    return [...missing].sort()
  }

  /**
   * Jobs that waited for a capable node past their deadline: their queued tasks that no live
   * node can run fail with NO_CAPABLE_NODE (as a submit without waiting would have).
   */
  private expireCapabilityWaits (now: number): void {
    if (this.capableWaitOver.size > 1_000) for (const id of this.capableWaitOver) if (this.jobs.get(id) == null) this.capableWaitOver.delete(id)
    for (const job of this.jobs.activeJobs()) {
      if (job.capableBy == null || job.capableBy === 0 || now < job.capableBy || job.state !== 'running' || this.capableWaitOver.has(job.id)) continue
      const nodes = [this.cfg.capabilities, ...this.peerView.map(p => p.capabilities)]
      const stuck = new Set<string>()
      for (const st of this.tasks.values()) {
        if (st.state === 'queued' && st.task.jobId === job.id && !nodes.some(n => canRun(n, st.task.requires))) stuck.add(st.task.id)
      }
      const dropped = this.queue.drop(t => stuck.has(t.id))
      for (const t of dropped) {
        this.counters.tasksFailed++
        this.finishTask({ ...t, attempts: t.attempts + 1 }, false, undefined, `NO_CAPABLE_NODE: no live node could run it within the job's waitForCapableMs: it needs ${t.requires.join(', ')}`, false, 0)
      }
      // Past its deadline a job is like any other: tasks wait for a capable node that leaves.
      this.capableWaitOver.add(job.id)
    }
  }

  /** A checker for one submit: every distinct requirement is checked once against live nodes. */
  private capabilityCheck (): (tasks: readonly Task[]) => void {
    const nodes = [{ peerId: this.cfg.self, capabilities: this.cfg.capabilities }, ...this.peerView]
    const seen = new Set<string>()
    // Tasks that need only their handler share one requirement list: skip those by identity.
    const seenLists = new Set<readonly string[]>()
    return tasks => {
      for (const t of tasks) {
        if (seenLists.has(t.requires)) continue
        seenLists.add(t.requires)
        const key = t.requires.join(',')
        if (seen.has(key)) continue
        seen.add(key)
        if (nodes.some(n => canRun(n.capabilities, t.requires))) continue
        const missing = t.requires.filter(r => !nodes.some(n => n.capabilities.includes(r)))
        throw new WorkError('NO_CAPABLE_NODE', `no live node can run task ${t.id} (type "${t.type}"): it needs ${t.requires.join(', ')}${missing.length > 0 ? `, and no node advertises ${missing.join(', ')}` : ', which no single node has'}. ` +
          (t.type === CMD_TYPE ? 'Start a node with --allow-commands.' : 'Load the handler with --handlers, or start a node with the capability (--capabilities).'))
      }
    }
  }

  /** Time first, so ids sort by submission; then a per-core random prefix and a counter. */
  private newJobId (now: number): string {
    this.jobSeq = (this.jobSeq + 1) % 0x100000
    return formatJobId(now, this.idPrefix, this.jobSeq)
  }

  private send (to: string, msg: WorkMsg, p: Pending): void {
    const id = ++this.nextId
    this.pending.set(id, p)
    this.out('messages', { to, id, msg })
    this.changed = true
  }

  /** Appends to a list of the ready being built (its first item replaces the shared EMPTY). */
  private out<K extends ReadyList> (list: K, item: Ready[K][number]): void {
    const rd = this.rd
    const items = rd[list] as unknown[]
    if (items === (EMPTY as unknown as unknown[])) (rd as unknown as Record<ReadyList, unknown[]>)[list] = [item]
    else items.push(item)
    this.changed = true
  }

  private event (level: WorkEvent['level'], msg: string, fields: Record<string, unknown>, tag?: WorkEvent['tag']): void {
    this.out('events', tag == null ? { level, msg, fields } : { level, msg, fields, tag })
    this.changed = true
  }

  private put (bucket: WorkWrite['bucket'], key: string, value: unknown): void {
    this.out('writes', { type: 'put', bucket, key, value })
    this.changed = true
  }

  private del (bucket: WorkWrite['bucket'], key: string): void {
    this.out('writes', { type: 'del', bucket, key })
    this.changed = true
  }

  /**
   * A root task of a job homed here may run: queued, or — for a delayed job — waiting for its
   * start time like a retry waits out its backoff; a workflow's driver starts its run instead
   * (`recorded`: the job's outcomes so far, after a restart).
   */
  private makeRunnable (t: Task, recorded?: readonly TaskOutcome[]): void {
    if (t.type === WORKFLOW_TYPE) {
      // Cancelled while this node was down (or before its cancel was durable here): the run
      // is not rebuilt — it would spawn steps of a cancelled job — and the driver ends now.
      if (this.cancelled.has(t.jobId) || this.registry.entry(t.jobId)?.state === 'cancelled') {
        this.cancel(t.jobId, this.now)
        if (this.tasks.has(t.id)) this.finishCancelled(t)
        return
      }
      // Step tasks a restart finds held here count in the total again (see isStepTask).
      this.jobs.addTotal(t.jobId, this.workflows.start(t, recorded))
      this.workflowSpawned = false
      return
    }
    if (t.notBefore != null && t.notBefore > this.now) this.retries.add(t, t.notBefore)
    else this.queue.push(t)
  }

  /** A workflow's step task: a child of its driver, held and queued here like a spawned child. */
  private spawnStep (driver: Task, task: Task): void {
    if (this.cancelled.has(driver.jobId)) return
    const live = this.local.get(driver.jobId)
    if (live != null) live.add(task.id)
    else if (!this.dscore.taskSpawned(driver.jobId, driver.id, task.id)) return
    this.holdTask(task, true, this.tasks.get(driver.id)?.charge)
    this.jobs.addTotal(driver.jobId, 1)
    this.workflowSpawned = true
    this.changed = true
    // A step nobody would take from here soon — this node cannot run it, or its slots are
    // full — goes at once to a capable peer (an idle one, for the second) instead of waiting
    // in the queue for a steal: a steal comes only after a heartbeat or a retry says there is
    // work, tens of ms that would sit between every two steps of a workflow.
    if (!this.fenced && !this.draining) {
      const here = canRun(this.advertised, task.requires)
      if (!here || this.running.size + this.queue.size >= this.cfg.concurrency) {
        const peer = this.stepPeer(task, here)
        if (peer != null) {
          this.divert(peer, task)
          return
        }
      }
    }
    this.queue.push(task)
  }

  /**
   * The capable peer a new workflow step goes to: the least loaded by what it advertised
   * queued plus what this burst already handed it. When this node could run the step later
   * (`here`), only a peer with less than this node's slot count, or than this node has queued,
   * takes it: a wide matrix spreads evenly over the mesh instead of landing whole on the first
   * idle peer or waiting at the home for steals.
   */
  private stepPeer (task: Task, here: boolean): string | undefined {
    let best: string | undefined
    let bestLoad = Infinity
    for (const p of this.peerView) {
      if (p.peerId === this.cfg.self || p.draining === true || this.registry.isDead(p.peerId)) continue
      if (!canRun(p.capabilities, task.requires) || !this.peerBreakers.wouldAllow(p.peerId, this.now)) continue
      const load = p.queued + (this.divertTo.get(p.peerId)?.length ?? 0)
      if (load < bestLoad) {
        best = p.peerId
        bestLoad = load
      }
    }
    return best != null && (!here || bestLoad < Math.max(this.cfg.concurrency, this.queue.size)) ? best : undefined
  }

  /**
   * `persist` false: the caller writes the record later (a submission, once its replicas are
   * stored). `charge`: the engagement a received task is charged to (see StoredTask.charge);
   * a task held here again keeps the one it had.
   */
  private holdTask (t: Task, persist = true, charge = this.tasks.get(t.id)?.charge): void {
    const st: StoredTask = charge != null ? { task: t, state: 'queued', queuedAt: this.now, charge } : { task: t, state: 'queued', queuedAt: this.now }
    this.countWork(this.tasks.get(t.id), -1)
    this.tasks.set(t.id, st)
    this.countWork(st, +1)
    if (persist) this.put('tasks', t.id, st)
  }

  private dropTask (id: string): void {
    if (this.pinned.size > 0) this.pinned.delete(id)
    if (this.origin.size > 0) this.origin.delete(id)
    const st = this.tasks.get(id)
    this.countWork(st, -1)
    // A task lent earlier and come back here (stolen back) keeps its delegated record while
    // that first batch is unsignalled: it is what a re-send carries and a reclaim re-runs.
    const lentIn = st != null ? this.lent.holding(id) : undefined
    if (st != null && lentIn != null) {
      if (st.state === 'delegated' && st.batchId === lentIn.batchId) return
      const back: StoredTask = { task: st.task, state: 'delegated', batchId: lentIn.batchId, to: lentIn.to }
      this.tasks.set(id, back)
      this.put('tasks', id, back)
      return
    }
    this.tasks.delete(id)
    this.del('tasks', id)
  }

  /** A lent batch is over (signalled, reclaimed or dropped): its delegated records go. */
  private releaseLent (batchId: string): void {
    if (this.coveredOut.size > 0) this.coveredOut.delete(batchId)
    const lent = this.lent.signalled(batchId)
    if (lent == null) return
    for (const id of lent.taskIds) {
      const st = this.tasks.get(id)
      // Held here again (stolen back, or reclaimed): the live record stays.
      if (st == null || st.state !== 'delegated' || st.batchId !== batchId) continue
      this.dropTask(id)
    }
  }

  /** Keeps `workFor` and `workForJob`: tasks held here (queued or running) per remote home and per job of one. */
  private countWork (st: StoredTask | undefined, by: number): void {
    if (st?.state !== 'queued' || st.task.home === this.cfg.self) return
    addCount(this.workFor, st.task.home, by)
    addCount(this.workForJob, st.task.jobId, by)
  }
}

/** Adds `by` to a count kept per key; a count that reaches 0 leaves the map. */
function addCount (counts: Map<string, number>, key: string, by: number): void {
  const n = (counts.get(key) ?? 0) + by
  if (n > 0) counts.set(key, n)
  else counts.delete(key)
}

/** A home's job record as a registry entry. */
function entryOf (job: JobRecord, state: JobEntry['state']): JobEntry {
  // Field by field (twice per job: its registration and its final state).
  const e: JobEntry = { home: job.home, createdAt: job.createdAt, state }
  if (job.replicas != null && job.replicas.length > 0) e.replicas = job.replicas
  if (job.epoch != null && job.epoch > 0) e.epoch = job.epoch
  // What retention reads: when the job finished, and how long its submitter wants it kept.
  if (state !== 'running' && job.finishedAt != null) e.finishedAt = Math.floor(job.finishedAt)
  if (job.keepMs != null) e.keepMs = job.keepMs
  return e
}

/** What a holder stores of a submitted job (the replicate message's definition). */
function replicaOf (job: JobRecord, tasks: Task[]): JobReplica {
  // Field by field, in the order the spreads gave.
  const r = { id: job.id } as JobReplica
  if (job.name != null) r.name = job.name
  r.home = job.home
  r.createdAt = job.createdAt
  if (job.keepMs != null) r.keepMs = job.keepMs
  r.tasks = tasks
  return r
}

/**
 * Tasks standing for a workflow's task steps, for the capability check at submit: every
 * step's handler (or `cmd`) and requirements, as they will be asked for when it runs.
 */
function workflowProbes (jobId: string, home: string, input: JobInput): Task[] {
  const def = input.workflow!.def
  const d = def.defaults ?? {}
  const out: Task[] = []
  for (const [name, step] of Object.entries(def.steps)) {
    if (step.approval != null) continue
    const type = step.cmd != null ? CMD_TYPE : step.type
    if (type == null) continue
    out.push(makeTask(`${jobId}/step:${name}`, jobId, home, { type, ...(step.requires != null ? { requires: step.requires } : {}) }, d.requires != null ? { requires: d.requires } : {}))
  }
  return out
}
