// The work core's state and the primitives every layer uses to build a ready (see
// src/work/core.ts: the contract, and how the layers stack). Sans-I/O like the rest: no
// timers, clock or randomness of its own; `now` comes with every input.

import { CompletionCore } from '../../completion/index.js'
import type { JobEntry } from '../../consensus/control.js'
import { Breakers, DEFAULT_BREAKER_COOL_DOWN_MS, DEFAULT_BREAKER_FAILURES } from './breakers.js'
import { DEFAULT_LOCAL_ATTEMPTS, DEFAULT_RESTARTS_PER_TYPE_PER_HOUR, RestartCap, type LadderConfig } from './ladder.js'
import { LentBatches } from './lender.js'
import { LiveTasks } from './live-tasks.js'
import { PeerAnswers } from './peer-answers.js'
import { Outbox } from './outbox.js'
import { HeldReplicas, type Replicating } from './replicas.js'
import { Retries } from './retries.js'
import { Thief } from './thief.js'
import type { AttemptError } from '../../healing/stuck.js'
import { EMPTY, MAINTAIN_EVERY_MS, STEAL_MIN_TASK_MS, newReady, type PeerInfo, type Ready, type ReadyList, type RegistryView, type WorkCoreConfig, type WorkCounters, type WorkEvent } from './types.js'
import { JobBook } from '../jobs.js'
import { type WorkBatch, type WorkMsg, type WorkReply } from '../messages.js'
import { ReadyQueue } from '../queue.js'
import { WorkflowBook } from '../workflows.js'
import type { JobRecord, StoredTask, TaskOutcome, WorkWrite } from '../records.js'
import { formatJobId, type Task } from '../spec.js'

export interface RunningTask { task: Task, startedAt: number, progress?: unknown, /** ms it waited in this node's queue */ waitMs: number }

export type Pending =
  | { kind: 'steal', to: string, started: number }
  | { kind: 'results', to: string, batch: TaskOutcome[] }
  | { kind: 'signal' | 'deliver' | 'progress', to: string }
  | { kind: 'replicate', to: string, ticket: number, jobs: number }

export type PendingRegistration =
  | { kind: 'submit', jobs: Array<{ job: JobRecord, tasks: Task[] }> }
  | { kind: 'reregister', jobIds: string[], entries: Array<[string, JobEntry]> }
  | { kind: 'final', entries: Array<[string, JobEntry]> }

/** Adds `by` to a count kept per key; a count that reaches 0 leaves the map. */
function addCount (counts: Map<string, number>, key: string, by: number): void {
  const n = (counts.get(key) ?? 0) + by
  if (n > 0) counts.set(key, n)
  else counts.delete(key)
}

export abstract class CoreState {
  readonly counters: WorkCounters = { tasksRun: 0, tasksFailed: 0, tasksRetried: 0, stealsSent: 0, stealsGranted: 0, stealsRefused: 0, tasksStolen: 0, tasksLent: 0, batchesResent: 0, resultsSent: 0, orphanedHandlers: 0, rejectedMessages: 0, tasksReclaimed: 0, tasksAbandoned: 0 }
  protected readonly jobs: JobBook
  protected readonly dscore: CompletionCore
  private readonly caps: Set<string>
  protected readonly queue: ReadyQueue<Task>
  protected readonly tasks = new Map<string, StoredTask>()
  /** Keys of the completion task records written to disk (the rest are implied: core/charges.ts). */
  protected readonly explicitTasks = new Set<string>()
  /**
   * Per home job: its root task, while that is held here only inside the job's record (a
   * one-task job from its registration, see StoredJob). Every write of the record carries it
   * (the writer below); a write of the task under its own key takes it out of the record.
   */
  protected readonly inRecord = new Map<string, string>()
  protected readonly running = new Map<string, RunningTask>()
  protected readonly lent = new LentBatches()
  protected readonly outbox = new Outbox()
  protected readonly thief = new Thief()
  protected readonly retries = new Retries()
  /** Tasks queued for a retry whose job is in the completion core: never lent (see retry). */
  protected readonly pinned = new Set<string>()
  /** At a home: the last progress reported by tasks of its jobs running elsewhere. */
  protected readonly remoteProgress = new Map<string, { jobId: string, node: string, value: unknown }>()
  /** Tasks held here (queued or running) per remote home. */
  protected readonly workFor = new Map<string, number>()
  /** Tasks held here (queued or running) per job of a remote home (see Outbox.schedule). */
  protected readonly workForJob = new Map<string, number>()
  protected readonly cancelled = new Set<string>()
  /** Running attempts of abandoned lineages (healing): their end is discarded. */
  protected readonly abandonedRuns = new Set<string>()
  /** Tasks taken from the queue while an abandoned attempt of the same id was still ending. */
  protected readonly requeueAfterAbandon = new Map<string, Task>()
  /** Home jobs not (yet) in the completion core: their live task ids here. */
  protected readonly local = new Map<string, LiveTasks>()
  /** Jobs whose wait for a capable node is over (expireCapabilityWaits ran for them). */
  protected readonly capableWaitOver = new Set<string>()
  /** Jobs whose last task finished: their final state is staged at the next ready(). */
  protected localDone: string[] = []
  /** Home jobs whose completion was detected with outcomes missing: they finish once the cancel is applied here. */
  protected readonly awaitingCancel = new Set<string>()
  /** Jobs whose final state went out in ready `seq`: retired at advance(seq). */
  protected finishingJobs: Array<{ seq: number, jobIds: string[] }> = []
  protected maintainAt: number
  protected lastEvaporate: number
  protected burstPending = false
  protected pending = new Map<number, Pending>()
  protected readonly registrations = new Map<number, PendingRegistration>()
  /** Submissions waiting for their replicas to be stored, by ticket. */
  protected readonly replicating = new Map<number, Replicating>()
  /** Replicas of other homes' jobs held here. */
  protected held: HeldReplicas
  /** Jobs re-homed here whose replica the shell is reading (see adopt). */
  protected readonly adopting = new Set<string>()
  /** Registrations of finished or interrupted jobs that failed: proposed again at maintenance. */
  protected registerRetry: PendingRegistration[] = []
  protected peerView: readonly PeerInfo[] = []
  protected rd: Ready = newReady()
  protected changed = false
  protected seq = 0
  protected nextId = 0
  protected now: number
  /** Moving average of how long a task attempt takes here, ms (NaN until one has run). */
  protected taskMs = NaN
  /** Tasks started since the event loop last turned (see pump). */
  protected burst = 0
  protected batchSeq = 0
  protected stopped = false
  /** No quorum contact (a partition): see quorumContact(). */
  protected fenced = false
  /** Near a memory or disk limit: see resourcePressure(). */
  protected pressure = false
  /** Home jobs: when each last progressed (stuck-job detection, see jobEvidence). */
  protected readonly progressAt = new Map<string, number>()
  /** Home jobs: failed attempts here since they last progressed (at most ERRORS_KEPT each). */
  protected readonly attemptErrors = new Map<string, AttemptError[]>()
  /** Which peers answer this node's work requests (stuck-job evidence). */
  protected readonly answers = new PeerAnswers()
  /** Leaving the mesh (drain): no submits, no stealing, queued work pushed to peers. */
  protected draining = false
  protected readonly drained = { handedOff: 0, finished: 0 }
  private jobSeq = 0
  private readonly idPrefix: string
  /** The escalation ladder (src/work/core/ladder.ts). */
  protected readonly ladder: LadderConfig
  protected readonly restarts: RestartCap
  /** Circuit breakers: per peer (lending to it), per handler type (running it here). */
  protected readonly peerBreakers: Breakers
  protected readonly handlerBreakers: Breakers
  /** What this node advertises: its capabilities without handlers whose circuit is open. */
  protected advertised: readonly string[]
  /** Tasks diverted to peers during a pump (escalated, or their handler's circuit open). */
  protected divertTo = new Map<string, Task[]>()
  /**
   * Batches lent from here whose receiver sent a covered signal (see acceptCovered): the
   * outcomes it named, still on their way to the job's home. In memory only; a batch leaves
   * when it is signalled, reclaimed or dropped (releaseLent).
   */
  protected readonly coveredOut = new Map<string, string[]>()
  /** Per job: received batches whose covered signal was passed on (see firstCovered). */
  protected readonly coveredPassed = new Map<string, Set<string>>()
  /** Batches whose signal their lender took with a results message: not sent again when they settle. */
  protected readonly signalledEarly = new Set<string>()
  /** Batches lent whose tasks came back failed from their thief: their signal is no success. */
  protected readonly failedBack = new Set<string>()
  /** The node that lent each task held here (escalation hands a task back to it first). */
  protected readonly origin = new Map<string, string>()
  protected readonly isDead = (peer: string): boolean => this.registry.isDead(peer)
  /** Workflows homed here (src/work/workflows.ts): their drivers and runs. */
  protected readonly workflows: WorkflowBook
  /** A workflow spawned step tasks since the last pump (see onResults). */
  protected workflowSpawned = false
  private readonly writer = {
    put: (bucket: 'jobs' | 'results', key: string, value: unknown, outcome?: TaskOutcome) => {
      if (bucket === 'results') return this.put(bucket, key, value)
      const taskId = this.inRecord.size > 0 ? this.inRecord.get(key) : undefined
      const task = taskId !== undefined ? this.tasks.get(taskId) : undefined
      if (task === undefined && outcome === undefined) return this.put(bucket, key, value)
      const w: WorkWrite = { type: 'put', bucket, key, value }
      if (task !== undefined) w.task = task
      if (outcome !== undefined) w.outcome = outcome
      this.out('writes', w)
    },
    del: (bucket: 'jobs', key: string) => { this.del(bucket, key) }
  }

  protected constructor (protected readonly cfg: WorkCoreConfig, protected readonly registry: RegistryView, now: number, completion: CompletionCore) {
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

  /** Queued tasks below which this node steals, and which it keeps for itself (Thief.lowWater). */
  protected get lowWater (): number {
    return this.thief.lowWater(this.cfg.concurrency, this.taskMs)
  }

  /**
   * Whether lending runnable work pays: moving a task (persisting it on both sides, a batch,
   * a result message, detection bookkeeping) costs a few hundred microseconds of CPU across
   * the mesh, so tasks that run faster than that are better run where they are. Until this
   * node has timed a task, it assumes they are worth lending.
   */
  protected get lendable (): boolean {
    return !(this.taskMs < STEAL_MIN_TASK_MS)
  }

  /** A home job made progress now (stuck-job detection). */
  protected progressed (jobId: string): void {
    if (this.jobs.get(jobId) != null) this.progressAt.set(jobId, this.now)
  }

  protected notice (type: string, data: Record<string, unknown>): void {
    this.out('notices', { type, data })
  }

  /** Time first, so ids sort by submission; then a per-core random prefix and a counter. */
  protected newJobId (now: number): string {
    this.jobSeq = (this.jobSeq + 1) % 0x100000
    return formatJobId(now, this.idPrefix, this.jobSeq)
  }

  protected send (to: string, msg: WorkMsg, p: Pending): void {
    const id = ++this.nextId
    this.pending.set(id, p)
    this.out('messages', { to, id, msg })
    this.changed = true
  }

  /** Appends to a list of the ready being built (its first item replaces the shared EMPTY). */
  protected out<K extends ReadyList> (list: K, item: Ready[K][number]): void {
    const rd = this.rd
    const items = rd[list] as unknown[]
    if (items === (EMPTY as unknown as unknown[])) (rd as unknown as Record<ReadyList, unknown[]>)[list] = [item]
    else items.push(item)
    this.changed = true
  }

  protected event (level: WorkEvent['level'], msg: string, fields: Record<string, unknown>, tag?: WorkEvent['tag']): void {
    this.out('events', tag == null ? { level, msg, fields } : { level, msg, fields, tag })
    this.changed = true
  }

  protected put (bucket: WorkWrite['bucket'], key: string, value: unknown): void {
    this.out('writes', { type: 'put', bucket, key, value })
    this.changed = true
    if (bucket === 'tasks' && this.inRecord.size > 0) {
      // Written under its own key now (lent, retried, re-held): the job's record, rewritten
      // in the same ready, no longer holds it.
      const jobId = (value as StoredTask).task.jobId
      if (this.inRecord.get(jobId) === key) {
        this.inRecord.delete(jobId)
        this.jobs.persist(jobId)
      }
    }
  }

  protected del (bucket: WorkWrite['bucket'], key: string): void {
    this.out('writes', { type: 'del', bucket, key })
    this.changed = true
  }

  /**
   * `persist` false: the caller writes the record later (a submission, once its replicas are
   * stored). `charge`: the engagement a received task is charged to (see StoredTask.charge);
   * a task held here again keeps the one it had.
   */
  protected holdTask (t: Task, persist = true, charge?: string): void {
    // One lookup of the task's present record, for its charge and its count (a map lookup of
    // a fresh id is its first hash: a per-task cost on the submit path).
    const prev = this.tasks.get(t.id)
    charge ??= prev?.charge
    const st: StoredTask = charge != null ? { task: t, state: 'queued', queuedAt: this.now, charge } : { task: t, state: 'queued', queuedAt: this.now }
    this.countWork(prev, -1)
    this.tasks.set(t.id, st)
    this.countWork(st, +1)
    if (persist) this.put('tasks', t.id, st)
  }

  /**
   * `finished`: its outcome is recorded at this home in the same ready (finishTask), which
   * supersedes a copy of the task inside its job's record; any other drop of such a task
   * rewrites the record without it.
   */
  protected dropTask (id: string, finished = false): void {
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
    if (st != null && this.inRecord.size > 0 && this.inRecord.get(st.task.jobId) === id) {
      // Never written under its own key: nothing to delete there.
      this.inRecord.delete(st.task.jobId)
      if (!finished) this.jobs.persist(st.task.jobId)
      return
    }
    this.del('tasks', id)
  }

  /** A lent batch is over (signalled, reclaimed or dropped): its delegated records go. */
  protected releaseLent (batchId: string): void {
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
  protected countWork (st: StoredTask | undefined, by: number): void {
    if (st?.state !== 'queued' || st.task.home === this.cfg.self) return
    addCount(this.workFor, st.task.home, by)
    addCount(this.workForJob, st.task.jobId, by)
  }

  // The few calls up the layers, implemented above: cancel (submission.ts), response
  // (core.ts), lend / pushQueued / maybeSteal (stealing.ts), finishTask / spawnStep
  // (execution.ts), scheduleResults (results.ts).
  abstract cancel (jobId: string, now: number): void
  abstract response (id: number, res: WorkReply | Error, now: number): void
  protected abstract lend (to: string, taken: Task[]): WorkBatch[]
  protected abstract pushQueued (): void
  protected abstract finishTask (task: Task, ok: boolean, result: string | undefined, error: string | undefined, cancelled: boolean, spawned: number): void
  protected abstract scheduleResults (home: string, jobId?: string): void
  protected abstract maybeSteal (): void
  protected abstract spawnStep (driver: Task, task: Task): void
}
