// The work engine of one node: its queue, executor slots, the Dijkstra–Scholten core, the
// steal protocol's both sides, and (for jobs submitted here) the job book. It talks to the
// rest of the node through three narrow interfaces — WorkNet (send a request to a peer),
// Registry (the control log's job registry) and PeerSource (what peers advertise) — so the
// same engine runs over libp2p in the node and over an in-memory network in tests.
//
// The rule everywhere is the core's: persist, then send. Every state change is staged on
// the WorkStore and group-committed; grants, signals, results and submit acknowledgements
// leave only after the batch holding them is written.
//
// A job's diffusing computation starts lazily: while all of a job's tasks are still at its
// home, the home alone knows the job is done when its last task finishes, and nothing about
// it is written to the Dijkstra–Scholten core. The first time the job lends a batch, the
// home starts it in the core with every task it still holds — exactly the state the core
// would have reached, since until then every task was charged to the root alone. Most jobs
// on a lightly loaded mesh never leave home, and pay nothing for detection.
//
// A task's life: queued (here, or lent to a thief in a batch) → running in a slot →
// finished. A finished task's outcome goes to its job's home; only when the home has it
// durably does the task count as finished for completion detection, so when the home sees
// its job complete it already holds every result.

import { CompletionCore } from '../completion/index.js'
import type { JobEntry } from '../consensus/control.js'
import type { Rng } from '../prng.js'
import { TrailTable, serviceQuality } from '../pheromone/index.js'
import { JOB_LIMITS } from '../wire/constants.js'
import type { Batch, TaskResult, WorkRequest, WorkResponse } from '../wire/proto/work.js'
import { abortRun, invoke, isThenable, race, signalOf, stoppedByNode, type Running } from './attempt.js'
import { fail, fromResult, fromSpec, toResult, toSpec, workRequest } from './codec.js'
import { WorkError } from './errors.js'
import type { Handlers, TaskContext } from './executors.js'
import { JobBook, isFinal, type JobView } from './jobs.js'
import { ReadyQueue } from './queue.js'
import { CMD_TYPE, canRun, childTaskId, jobOfTask, encodePayload, makeTask, newJobId, rootTasks, type JobInput, type Task } from './spec.js'
import type { JobRecord, StoredTask, TaskOutcome, WorkStore } from './store.js'

export interface WorkNet {
  call: (peer: string, req: WorkRequest) => Promise<WorkResponse>
}

export interface Registry {
  /** Group-committed registration (or final state) of jobs; resolves once applied. */
  register: (entries: Array<[string, JobEntry]>) => Promise<void>
  entry: (jobId: string) => JobEntry | undefined
  /** Declared dead by quorum: never lend it work. */
  isDead: (peer: string) => boolean
}

export interface PeerInfo {
  peerId: string
  /** Stealable tasks it advertised. */
  queued: number
  capabilities: readonly string[]
}

export interface EngineOptions {
  self: string
  /** Distinguishes this process's batch ids from the previous run's. */
  incarnation: number
  concurrency: number
  /** Everything this node advertises: user capabilities, handler:<name>, commands. */
  capabilities: readonly string[]
  handlers: Handlers
  allowCommands: boolean
  /** Alive peers, as advertised in heartbeats. */
  peers: () => PeerInfo[]
  rng: Rng
  now: () => number
  log: { info: (o: object, m: string) => void, warn: (o: object, m: string) => void, debug: (o: object, m: string) => void }
  /** First re-send of an unsignalled batch (default 2 s); doubles up to MAX_RESEND_MS. */
  resendAfterMs?: number
  /** Retry backoff base for failed attempts. */
  retryBaseMs?: number
}

interface Lent {
  jobId: string
  to: string
  taskIds: string[]
  sentAt: number
  resendAfter: number
}

export interface EngineCounters {
  tasksRun: number
  tasksFailed: number
  tasksRetried: number
  stealsSent: number
  stealsGranted: number
  tasksStolen: number
  tasksLent: number
  batchesResent: number
  resultsSent: number
  orphanedHandlers: number
  rejectedMessages: number
}

/**
 * Re-sends of an unsignalled batch back off up to this. A re-send is how a lost grant, a lost
 * signal, or a batch a thief lost in a crash is recovered, so its interval bounds how long
 * such a loss can hold a job back; it costs one message per lent batch per interval.
 */
const MAX_RESEND_MS = 5_000
/** Remote progress reports go to the home at most this often, and are at most this large. */
const PROGRESS_EVERY_MS = 500
const MAX_PROGRESS_BYTES = 1024
/** Tasks quicker than this on average are not lent (see lendable). */
const STEAL_MIN_TASK_MS = 0.5
/** Tasks started back to back before the event loop gets a turn (see pump). */
const BURST = 512
/** Longest an outcome waits for others bound to the same home (see scheduleResults). */
const RESULTS_LINGER_MS = 10
/** How long an empty steal answer rules a victim out (unless a heartbeat says otherwise). */
const EMPTY_HINT_MS = 100
/** A thief keeps this many tasks per slot queued, stealing again when it drops below. */
const PREFETCH_PER_SLOT = 2

export class WorkEngine {
  readonly jobs: JobBook
  readonly counters: EngineCounters = { tasksRun: 0, tasksFailed: 0, tasksRetried: 0, stealsSent: 0, stealsGranted: 0, tasksStolen: 0, tasksLent: 0, batchesResent: 0, resultsSent: 0, orphanedHandlers: 0, rejectedMessages: 0 }
  private core!: CompletionCore
  private readonly caps: Set<string>
  private readonly queue: ReadyQueue<Task>
  private readonly tasks = new Map<string, StoredTask>()
  private readonly running = new Map<string, Running>()
  private readonly retryTimers = new Map<string, NodeJS.Timeout>()
  private readonly lent = new Map<string, Lent>()
  /** Outcomes waiting for their home: persisted ones may be sent. */
  private readonly outbox = new Map<string, TaskOutcome>()
  private readonly outboxDurable = new Set<string>()
  private readonly sendingTo = new Set<string>()
  private readonly lingering = new Map<string, NodeJS.Timeout>()
  /** Progress of tasks running here for other homes, not yet sent. */
  private readonly progressOut = new Map<string, { home: string, jobId: string, value: string }>()
  private progressTimer?: NodeJS.Timeout
  /** At a home: the last progress reported by tasks of its jobs running elsewhere. */
  private readonly remoteProgress = new Map<string, { jobId: string, node: string, value: unknown }>()
  /** Tasks held here (queued or running) per remote home. */
  private readonly workFor = new Map<string, number>()
  private readonly homeBackoff = new Map<string, number>()
  private readonly cancelled = new Set<string>()
  /** Home jobs not (yet) in the completion core: their live task ids here. */
  private readonly local = new Map<string, Set<string>>()
  /** Local jobs whose last task finished: complete at the next commit. */
  private localDone: string[] = []
  private readonly trails = new TrailTable()
  /** What a victim told us it still holds, fresher than its last heartbeat. */
  private readonly hints = new Map<string, { queued: number, at: number }>()
  private afterCommit: Array<() => void> = []
  private commitScheduled = false
  private pumpScheduled = false
  /** Moving average of how long a task attempt takes here, ms (NaN until one has run). */
  private taskMs = NaN
  /** Tasks started since the event loop last turned (see pump). */
  private burst = 0
  private stealing = false
  private batchSeq = 0
  private stopped = false
  private maintainTimer?: NodeJS.Timeout
  private stealRetry?: NodeJS.Timeout
  private lastEvaporate: number

  constructor (private readonly store: WorkStore, private readonly net: WorkNet, private readonly registry: Registry, private readonly opts: EngineOptions) {
    this.caps = new Set(opts.capabilities)
    this.queue = new ReadyQueue<Task>(this.caps)
    this.jobs = new JobBook(store)
    this.lastEvaporate = opts.now()
  }

  // ----- lifecycle ------------------------------------------------------------------------

  async start (): Promise<void> {
    const loaded = await this.store.load()
    this.core = CompletionCore.restore(this.opts.self, loaded.completion)
    await this.jobs.restore(loaded.jobs)
    const now = this.opts.now()
    for (const st of loaded.tasks) {
      this.tasks.set(st.task.id, st)
      if (st.state === 'queued') this.queue.push(st.task)
      else if (st.batchId != null && st.to != null) {
        const lent = this.lent.get(st.batchId) ?? { jobId: st.task.jobId, to: st.to, taskIds: [], sentAt: 0, resendAfter: 0 }
        lent.taskIds.push(st.task.id)
        this.lent.set(st.batchId, lent)
      }
    }
    for (const o of loaded.outbox) {
      this.outbox.set(o.taskId, o)
      this.outboxDurable.add(o.taskId)
    }
    // Active home jobs the core does not know never left home: rebuild their live sets.
    const inCore = new Set(this.core.jobIds())
    for (const job of this.jobs.activeJobs()) {
      if (inCore.has(job.id)) continue
      this.local.set(job.id, new Set())
    }
    for (const st of loaded.tasks) if (st.state === 'queued') this.local.get(st.task.jobId)?.add(st.task.id)
    for (const [jobId, live] of this.local) if (live.size === 0) this.localDone.push(jobId)
    // Jobs whose registration was interrupted: register again (a put is idempotent).
    const unregistered = this.jobs.activeJobs().filter(j => j.state === 'registering')
    if (unregistered.length > 0) {
      void this.registry.register(unregistered.map(j => [j.id, { home: j.home, createdAt: j.createdAt, state: 'running' }]))
        .then(() => { for (const j of unregistered) this.jobs.setState(j.id, 'running'); this.requestCommit() })
        .catch(err => this.opts.log.warn({ err: (err as Error).message }, 'could not re-register interrupted jobs; will retry'))
    }
    if (loaded.tasks.length + loaded.outbox.length > 0) this.opts.log.info({ tasks: loaded.tasks.length, outbox: loaded.outbox.length, jobs: this.jobs.activeJobs().length, at: now }, 'resumed work from disk')
    this.maintainTimer = setInterval(() => { this.maintain() }, 500)
    this.maintainTimer.unref?.()
    this.requestCommit()
    this.pump()
  }

  async stop (): Promise<void> {
    this.stopped = true
    clearInterval(this.maintainTimer)
    clearTimeout(this.stealRetry)
    for (const t of this.lingering.values()) clearTimeout(t)
    clearTimeout(this.progressTimer)
    for (const t of this.retryTimers.values()) clearTimeout(t)
    for (const r of this.running.values()) abortRun(r, new WorkError('STOPPING', 'node is stopping'))
    // Running tasks stay in the store as queued: they run again after a restart.
    await this.commit().catch(() => {})
  }

  // ----- what the node advertises ---------------------------------------------------------

  get load (): number {
    return this.running.size / Math.max(1, this.opts.concurrency)
  }

  /**
   * Queued tasks beyond what this node keeps for itself (a few per slot, as a thief does):
   * what a thief may get. A node holding only its own prefetch advertises nothing, so thieves
   * do not churn small queues back and forth (and heartbeats do not flap) at the end of a job.
   * Tasks this node cannot run itself are all stealable.
   */
  get stealable (): number {
    if (!this.lendable) return this.queue.size - this.queue.runnable
    const keep = Math.min(this.queue.runnable, Math.max(0, this.opts.concurrency * PREFETCH_PER_SLOT - this.running.size))
    return Math.max(0, this.queue.size - keep)
  }

  get capabilities (): readonly string[] {
    return this.opts.capabilities
  }

  stats (): { queued: number, running: number, lent: number, outbox: number, activeJobs: number } {
    return { queued: this.queue.size, running: this.running.size, lent: this.lent.size, outbox: this.outbox.size, activeJobs: this.jobs.activeJobs().length }
  }

  // ----- submit, cancel, inspect (home side) ----------------------------------------------

  /**
   * Submits jobs with this node as home. Resolves once every job is durable here and
   * registered in the control log; on failure nothing is left behind.
   */
  async submit (inputs: readonly JobInput[]): Promise<JobRecord[]> {
    if (this.stopped) throw new WorkError('STOPPING', 'node is stopping')
    const now = this.opts.now()
    const capable = this.capabilityCheck()
    const prepared = inputs.map(input => {
      const id = newJobId(now)
      const tasks = rootTasks(id, this.opts.self, input)
      capable(tasks)
      const job: JobRecord = { id, home: this.opts.self, state: 'registering', createdAt: now, roots: tasks.length, total: tasks.length, done: 0, failed: 0, cancelled: 0, byNode: {}, ...(input.name != null ? { name: input.name } : {}) }
      return { job, tasks }
    })
    for (const { job, tasks } of prepared) {
      this.jobs.add(job)
      this.local.set(job.id, new Set(tasks.map(t => t.id)))
      for (const t of tasks) this.holdTask(t)
    }
    await this.commit()
    try {
      await this.registry.register(prepared.map(({ job }) => [job.id, { home: job.home, createdAt: job.createdAt, state: 'running' }]))
    } catch (err) {
      for (const { job, tasks } of prepared) {
        this.local.delete(job.id)
        for (const t of tasks) this.dropTask(t.id)
        this.jobs.remove(job.id)
      }
      await this.commit()
      throw new WorkError('NOT_REGISTERED', `the job could not be registered in the control log, so it was not accepted: ${(err as Error).message}`, { cause: err })
    }
    for (const { job, tasks } of prepared) {
      this.jobs.setState(job.id, 'running')
      for (const t of tasks) this.queue.push(t)
    }
    this.requestCommit()
    this.pump()
    return prepared.map(p => p.job)
  }

  /** A job's record at this home (no result), live or finished. */
  async jobRecord (jobId: string): Promise<JobRecord | undefined> {
    return this.jobs.get(jobId) ?? await this.store.job(jobId)
  }

  /** A job of this home, live or finished, with its result when it has one root. */
  async job (jobId: string): Promise<JobView | undefined> {
    const rec = await this.jobRecord(jobId)
    if (rec == null) return undefined
    const view: JobView = { ...rec, byNode: { ...rec.byNode } }
    if (rec.roots === 1 && isFinal(rec.state)) {
      const root = await this.store.result(`${jobId}/0`)
      if (root?.ok === true && root.result != null) view.result = JSON.parse(root.result)
    }
    return view
  }

  /** Recorded task outcomes of a job of this home, in task id order. */
  async results (jobId: string, limit: number, after = ''): Promise<TaskOutcome[]> {
    return await this.store.jobResults(jobId, limit, after)
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

  /**
   * Tasks of a job running on this node, with their last reported progress, and — at the
   * job's home — the tasks running elsewhere that reported progress.
   */
  runningTasks (jobId?: string): Array<{ taskId: string, node: string, type?: string, startedAt?: number, progress?: unknown }> {
    const here = [...this.running.values()]
      .filter(r => jobId == null || r.task.jobId === jobId)
      .map(r => ({ taskId: r.task.id, node: this.opts.self, type: r.task.type, startedAt: r.startedAt, ...(r.progress !== undefined ? { progress: r.progress } : {}) }))
    const elsewhere = [...this.remoteProgress.entries()]
      .filter(([, p]) => jobId == null || p.jobId === jobId)
      .map(([taskId, p]) => ({ taskId, node: p.node, progress: p.value }))
    return [...here, ...elsewhere]
  }

  /** Progress of a task whose home is elsewhere: sent in batches, the latest value only. */
  private queueProgress (task: Task, value: unknown): void {
    let text: string
    try {
      text = JSON.stringify(value ?? null)
    } catch {
      return
    }
    if (text === undefined || text.length > MAX_PROGRESS_BYTES) return
    this.progressOut.set(task.id, { home: task.home, jobId: task.jobId, value: text })
    this.progressTimer ??= setTimeout(() => {
      this.progressTimer = undefined
      const byHome = new Map<string, Array<{ jobId: string, taskId: string, value: Uint8Array }>>()
      for (const [taskId, p] of this.progressOut) {
        const list = byHome.get(p.home) ?? []
        list.push({ jobId: p.jobId, taskId, value: Buffer.from(p.value) })
        byHome.set(p.home, list)
      }
      this.progressOut.clear()
      // Best effort: a lost progress report is replaced by the next one or by the result.
      for (const [home, progress] of byHome) this.net.call(home, workRequest('progress', { progress })).catch(() => {})
    }, PROGRESS_EVERY_MS)
  }

  private onProgress (from: string, req: WorkRequest): WorkResponse {
    let accepted = 0
    for (const p of req.progress) {
      if (this.jobs.get(p.jobId) == null || jobOfTask(p.taskId) !== p.jobId || p.value.byteLength > MAX_PROGRESS_BYTES) continue
      if (this.jobs.isRecorded(p.jobId, p.taskId)) continue
      let value: unknown
      try {
        value = JSON.parse(Buffer.from(p.value).toString('utf8'))
      } catch {
        this.counters.rejectedMessages++
        continue
      }
      this.remoteProgress.set(p.taskId, { jobId: p.jobId, node: from, value })
      accepted++
    }
    return { ok: true, error: '', batches: [], remaining: 0, accepted }
  }

  /** The control log applied a cancel: drop this job's queued tasks, abort running ones. */
  cancelJob (jobId: string): void {
    if (this.cancelled.has(jobId)) return
    this.cancelled.add(jobId)
    this.jobs.setState(jobId, 'cancelled')
    for (const t of this.queue.drop(t => t.jobId === jobId)) this.finishCancelled(t)
    for (const [id, timer] of [...this.retryTimers]) {
      const st = this.tasks.get(id)
      if (st?.task.jobId !== jobId) continue
      clearTimeout(timer)
      this.retryTimers.delete(id)
      this.finishCancelled(st.task)
    }
    for (const r of this.running.values()) if (r.task.jobId === jobId) abortRun(r, new Error('job cancelled'))
    this.requestCommit()
  }

  // ----- inbound requests from peers ------------------------------------------------------

  async handle (from: string, req: WorkRequest): Promise<WorkResponse> {
    if (this.stopped) return fail('node is stopping')
    switch (req.op) {
      case 'steal': return await this.onSteal(from, req)
      case 'deliver': return await this.onDeliver(from, req.batches)
      case 'signal': return await this.onSignals(from, req)
      case 'results': return await this.onResults(from, req.results)
      case 'progress': return this.onProgress(from, req)
      default:
        this.counters.rejectedMessages++
        return fail(`unknown work operation "${req.op}"`)
    }
  }

  private async onSteal (from: string, req: WorkRequest): Promise<WorkResponse> {
    if (this.registry.isDead(from)) return fail('you were declared dead; rejoin with a new incarnation')
    // Half of what this node will not start itself right away; all of it when this node
    // cannot run any of it (tasks waiting here for a capable thief).
    const spare = this.stealable
    const n = Math.min(req.want, JOB_LIMITS.batchTasks, this.queue.runnable === 0 || !this.lendable ? spare : Math.ceil(spare / 2))
    if (n <= 0) return { ok: true, error: '', batches: [], remaining: this.stealable, accepted: 0 }
    const taken = this.queue.steal(new Set(req.capabilities), n, !this.lendable)
    const batches = this.lend(from, taken)
    await this.commit()
    this.counters.stealsGranted++
    this.counters.tasksLent += taken.length
    return { ok: true, error: '', batches, remaining: this.stealable, accepted: 0 }
  }

  /** Delegates queued tasks to `to`, one batch per job; the caller commits before sending. */
  private lend (to: string, taken: Task[]): Batch[] {
    const byJob = new Map<string, Task[]>()
    for (const t of taken) {
      const list = byJob.get(t.jobId) ?? []
      list.push(t)
      byJob.set(t.jobId, list)
    }
    const now = this.opts.now()
    const batches: Batch[] = []
    for (const [jobId, list] of byJob) {
      const batchId = `${this.opts.self}:${this.opts.incarnation}.${++this.batchSeq}`
      const ids = list.map(t => t.id)
      this.startInCore(jobId)
      this.core.delegate(jobId, batchId, to, ids)
      for (const t of list) {
        this.countWork(this.tasks.get(t.id), -1)
        const st: StoredTask = { task: t, state: 'delegated', batchId, to }
        this.tasks.set(t.id, st)
        this.store.put('tasks', t.id, st)
      }
      this.lent.set(batchId, { jobId, to, taskIds: ids, sentAt: now, resendAfter: this.opts.resendAfterMs ?? 2_000 })
      batches.push({ jobId, batchId, tasks: list.map(toSpec) })
    }
    return batches
  }

  private async onDeliver (from: string, batches: Batch[]): Promise<WorkResponse> {
    const accepted = this.receive(from, batches)
    await this.commit()
    this.pump()
    return { ok: true, error: '', batches: [], remaining: 0, accepted }
  }

  /** Engages with received batches; returns how many tasks are new here. */
  private receive (from: string, batches: Batch[]): number {
    let fresh = 0
    for (const b of batches) {
      const tasks: Task[] = []
      for (const spec of b.tasks) {
        const t = fromSpec(spec)
        if (t == null || t.jobId !== b.jobId) {
          this.counters.rejectedMessages++
          continue
        }
        tasks.push(t)
      }
      const entry = this.registry.entry(b.jobId)
      // A job the registry knows is over cannot have an unsignalled batch: a stale re-send.
      if (entry != null && isFinal(entry.state) && entry.state !== 'cancelled') continue
      let receipt
      try {
        receipt = this.core.receiveBatch(b.jobId, b.batchId, from, tasks.map(t => t.id))
      } catch {
        this.counters.rejectedMessages++
        continue
      }
      if (receipt.status !== 'engaged') continue
      const fresh_ = new Set(receipt.newTasks)
      for (const t of tasks) {
        if (!fresh_.has(t.id)) continue
        fresh++
        if (this.cancelled.has(t.jobId) || entry?.state === 'cancelled') {
          this.finishCancelled(t)
          continue
        }
        this.holdTask(t)
        this.queue.push(t)
      }
    }
    this.counters.tasksStolen += fresh
    return fresh
  }

  private async onSignals (from: string, req: WorkRequest): Promise<WorkResponse> {
    let accepted = 0
    for (const s of req.signals) {
      const lent = this.lent.get(s.batchId)
      if (this.core.receiveSignal(s.jobId, s.batchId, from) !== 'accepted') continue
      accepted++
      if (lent != null) {
        for (const id of lent.taskIds) this.dropTask(id)
        this.lent.delete(s.batchId)
      }
    }
    await this.commit()
    return { ok: true, error: '', batches: [], remaining: 0, accepted }
  }

  private async onResults (from: string, results: TaskResult[]): Promise<WorkResponse> {
    let accepted = 0
    for (const r of results) {
      if (jobOfTask(r.taskId) !== r.jobId) {
        this.counters.rejectedMessages++
        continue
      }
      // Unknown jobs are acknowledged too (so the sender stops), just not recorded.
      this.remoteProgress.delete(r.taskId)
      if (this.jobs.record(fromResult(r, from))) accepted++
    }
    await this.commit()
    return { ok: true, error: '', batches: [], remaining: 0, accepted: results.length }
  }

  // ----- running tasks --------------------------------------------------------------------

  private pump (): void {
    if (this.stopped) return
    while (this.running.size < this.opts.concurrency) {
      // Quick tasks finish in microtasks and start the next ones in microtasks: without a
      // break the event loop would never turn, and heartbeats, RPCs and commits would wait
      // for the whole queue. Every BURST tasks, the rest waits for the next turn.
      if (this.burst >= BURST) {
        if (!this.pumpScheduled) {
          this.pumpScheduled = true
          setImmediate(() => {
            this.pumpScheduled = false
            this.burst = 0
            this.pump()
          })
        }
        break
      }
      const task = this.queue.take()
      if (task == null) break
      this.burst++
      this.startTask(task)
    }
    // Prefetch: ask for more while a few tasks per slot remain, so slots never wait on a steal.
    if (this.queue.runnable < this.opts.concurrency * PREFETCH_PER_SLOT) this.maybeSteal()
  }

  private startTask (task: Task): void {
    if (!this.local.has(task.jobId) && !this.core.taskStarted(task.jobId, task.id)) {
      // Its lineage was abandoned (healing) or it is already finished: nothing to run.
      this.dropTask(task.id)
      return
    }
    const run: Running = { task, startedAt: this.opts.now(), t0: performance.now() }
    this.running.set(task.id, run)
    const children: Task[] = []
    const ctx: TaskContext = {
      taskId: task.id,
      jobId: task.jobId,
      attempt: task.attempts + 1,
      node: this.opts.self,
      get signal () { return signalOf(run) },
      spawn: (type, payload, options = {}) => {
        const id = childTaskId(task.id, children.length)
        children.push(makeTask(id, task.jobId, task.home, { ...options, type, payload }))
        return id
      },
      progress: value => {
        run.progress = value
        if (task.home !== this.opts.self) this.queueProgress(task, value)
      }
    }
    this.counters.tasksRun++
    const ok = (result: unknown): void => {
      let encoded: string
      try {
        encoded = encodePayload(result, `result of ${task.id}`)
      } catch (err) {
        this.taskDone(run, { ok: false, error: errText(err) }, [])
        return
      }
      this.taskDone(run, { ok: true, result: encoded }, children)
    }
    const failed = (err: unknown): void => { this.taskDone(run, { ok: false, error: errText(err) }, []) }
    let work: unknown
    try {
      work = invoke(task, ctx, run, this.opts.handlers, this.opts.allowCommands)
    } catch (err) {
      queueMicrotask(() => { failed(err) })
      return
    }
    // A synchronous handler needs no timer and no race: it already finished.
    if (!isThenable(work)) queueMicrotask(() => { ok(work) })
    else race(run, work, () => { this.counters.orphanedHandlers++ }).then(ok, failed)
  }

  private taskDone (run: Running, outcome: { ok: boolean, result?: string, error?: string }, children: Task[]): void {
    const { task } = run
    this.running.delete(task.id)
    const ms = performance.now() - run.t0
    this.taskMs = Number.isNaN(this.taskMs) ? ms : this.taskMs * 0.95 + ms * 0.05
    if (this.stopped) return
    if (this.cancelled.has(task.jobId)) {
      this.finishCancelled(task)
    } else if (outcome.ok) {
      for (const child of children) {
        const live = this.local.get(task.jobId)
        if (live != null) live.add(child.id)
        else if (!this.core.taskSpawned(task.jobId, task.id, child.id)) continue
        this.holdTask(child)
        this.queue.push(child)
      }
      this.finishTask(task, { ok: true, result: outcome.result }, children.length)
    } else if (task.attempts + 1 < task.maxAttempts && !stoppedByNode(run)) {
      this.retry(task, outcome.error ?? 'failed')
    } else {
      this.counters.tasksFailed++
      this.finishTask({ ...task, attempts: task.attempts + 1 }, { ok: false, error: outcome.error ?? 'failed' }, 0)
    }
    this.requestCommit()
    this.pump()
  }

  private retry (task: Task, error: string): void {
    this.counters.tasksRetried++
    const next: Task = { ...task, attempts: task.attempts + 1 }
    this.holdTask(next)
    const base = this.opts.retryBaseMs ?? 200
    const delay = Math.min(30_000, base * 2 ** task.attempts) * (0.5 + this.opts.rng() / 2)
    this.opts.log.debug({ task: task.id, attempt: next.attempts, error, delay: Math.round(delay) }, 'task failed; retrying')
    const timer = setTimeout(() => {
      this.retryTimers.delete(task.id)
      if (this.stopped) return
      // The task may have been cancelled or reclaimed meanwhile.
      if (this.tasks.get(task.id)?.state !== 'queued') return
      this.queue.push(next)
      this.pump()
    }, delay)
    this.retryTimers.set(task.id, timer)
  }

  /** Records the outcome at home (directly here, or via the outbox) and retires the task. */
  private finishTask (task: Task, result: { ok: boolean, result?: string, error?: string, cancelled?: boolean }, spawned: number): void {
    const outcome: TaskOutcome = {
      jobId: task.jobId,
      taskId: task.id,
      ok: result.ok,
      ...(result.result !== undefined ? { result: result.result } : {}),
      ...(result.error !== undefined ? { error: result.error } : {}),
      ...(result.cancelled === true ? { cancelled: true } : {}),
      spawned,
      attempts: task.attempts + (result.ok ? 1 : 0),
      node: this.opts.self,
      finishedAt: this.opts.now()
    }
    this.dropTask(task.id)
    if (task.home === this.opts.self || result.cancelled === true) {
      // Cancelled work elsewhere needs no result at home: the job's state already says why.
      if (task.home === this.opts.self) this.jobs.record(outcome)
      this.localFinished(task.jobId, task.id)
      return
    }
    const queued = { ...outcome, home: task.home }
    this.outbox.set(task.id, queued)
    this.store.put('outbox', task.id, queued)
    this.afterCommit.push(() => {
      this.outboxDurable.add(task.id)
      this.scheduleResults(task.home)
    })
  }

  /** A task finished here with its outcome recorded: tell whichever tracks its job. */
  private localFinished (jobId: string, taskId: string): void {
    const live = this.local.get(jobId)
    if (live == null) {
      this.core.taskFinished(jobId, taskId)
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
    this.core.startJob(jobId, [...live])
    for (const id of live) if (this.running.has(id)) this.core.taskStarted(jobId, id)
  }

  private finishCancelled (task: Task): void {
    this.finishTask(task, { ok: false, error: 'cancelled', cancelled: true }, 0)
  }

  // ----- results to the home --------------------------------------------------------------

  /**
   * Results go to a home in batches: at once when this node holds no more work for that
   * home (so the last outcome of a job never waits), otherwise after a short linger that
   * lets outcomes of tasks finishing close together share one message, one stream and one
   * LevelDB write at the home.
   */
  private scheduleResults (home: string): void {
    if (this.sendingTo.has(home) || this.lingering.has(home)) return
    if (!this.workFor.has(home)) {
      this.sendResults(home)
      return
    }
    this.lingering.set(home, setTimeout(() => {
      this.lingering.delete(home)
      this.sendResults(home)
    }, RESULTS_LINGER_MS))
  }

  private sendResults (home: string): void {
    if (this.sendingTo.has(home) || this.stopped) return
    const batch: TaskOutcome[] = []
    for (const id of this.outboxDurable) {
      const o = this.outbox.get(id)
      if (o == null || o.jobId === '' || o.home !== home) continue
      batch.push(o)
      if (batch.length >= JOB_LIMITS.results) break
    }
    if (batch.length === 0) return
    this.sendingTo.add(home)
    this.net.call(home, workRequest('results', { results: batch.map(toResult) })).then(res => {
      if (!res.ok) throw new Error(res.error)
      this.homeBackoff.delete(home)
      this.counters.resultsSent += batch.length
      for (const o of batch) {
        this.outbox.delete(o.taskId)
        this.outboxDurable.delete(o.taskId)
        this.store.del('outbox', o.taskId)
        this.core.taskFinished(o.jobId, o.taskId)
      }
      this.requestCommit()
    }).catch(err => {
      const backoff = Math.min(5_000, (this.homeBackoff.get(home) ?? 100) * 2)
      this.homeBackoff.set(home, backoff)
      this.opts.log.debug({ home, err: errText(err), backoff }, 'results not delivered; will retry')
    }).finally(() => {
      this.sendingTo.delete(home)
      // More may have become durable meanwhile; the maintenance tick retries after failures.
      if (!this.homeBackoff.has(home)) this.scheduleResults(home)
    })
  }

  // ----- stealing (thief side) ------------------------------------------------------------

  private maybeSteal (): void {
    if (this.stealing || this.stopped) return
    const peers = this.opts.peers()
    const candidates = peers
      .filter(p => p.peerId !== this.opts.self && !this.registry.isDead(p.peerId))
      .map(p => ({ peer: p.peerId, heuristic: this.hint(p.peerId, p.queued) }))
      .filter(c => c.heuristic > 0)
    if (candidates.length === 0) {
      // Peers that advertise work but just answered empty: look again shortly.
      if (this.stealRetry == null && peers.some(p => p.queued > 0)) {
        this.stealRetry = setTimeout(() => {
          this.stealRetry = undefined
          if (this.queue.runnable < this.opts.concurrency * PREFETCH_PER_SLOT) this.maybeSteal()
        }, EMPTY_HINT_MS)
      }
      return
    }
    const victim = this.trails.choose(candidates, this.opts.rng)
    if (victim == null) return
    // Ask for a fair share of what the victim advertises (it grants at most half its spare
    // queue), and never less than a few tasks per slot so small queues still move.
    const advertised = candidates.find(c => c.peer === victim)?.heuristic ?? 0
    const want = Math.min(JOB_LIMITS.batchTasks, Math.max(this.opts.concurrency * PREFETCH_PER_SLOT * 2, Math.ceil(advertised / (peers.length + 1))))
    this.stealing = true
    this.counters.stealsSent++
    const started = this.opts.now()
    this.net.call(victim, workRequest('steal', { capabilities: [...this.caps], want })).then(async res => {
      if (!res.ok) throw new Error(res.error)
      const got = this.receive(victim, res.batches)
      // An empty grant (nothing this node may run, or the victim drained meanwhile) rules the
      // victim out until its next heartbeat, so a thief never spins on it.
      this.hints.set(victim, { queued: got > 0 ? res.remaining : 0, at: this.opts.now() })
      if (got > 0) this.trails.deposit(victim, serviceQuality({ tasks: got, latencyMs: this.opts.now() - started }))
      else this.trails.penalize(victim)
      await this.commit()
    }).catch(err => {
      this.hints.set(victim, { queued: 0, at: this.opts.now() })
      this.trails.penalize(victim)
      this.opts.log.debug({ victim, err: errText(err) }, 'steal failed')
    }).finally(() => {
      this.stealing = false
      this.pump()
    })
  }

  /**
   * How much a peer holds, as far as this node knows: what its last answer said, for a
   * short while, else what its last heartbeat advertised. An empty answer is not trusted
   * for long: heartbeats are a second apart, and a thief that waited for the next one after
   * every empty grant would idle through the end of every job.
   */
  private hint (peer: string, advertised: number): number {
    const h = this.hints.get(peer)
    if (h == null) return advertised
    if (h.queued === 0 && this.opts.now() - h.at > EMPTY_HINT_MS) {
      this.hints.delete(peer)
      return advertised
    }
    return h.queued
  }

  /** A fresh heartbeat replaces what the last grant told us about that peer. */
  peerAdvertised (peerId: string): void {
    this.hints.delete(peerId)
    if (this.queue.runnable < this.opts.concurrency * PREFETCH_PER_SLOT) this.maybeSteal()
  }

  // ----- persistence ----------------------------------------------------------------------

  private holdTask (t: Task): void {
    const st: StoredTask = { task: t, state: 'queued' }
    this.countWork(this.tasks.get(t.id), -1)
    this.tasks.set(t.id, st)
    this.countWork(st, +1)
    this.store.put('tasks', t.id, st)
  }

  private dropTask (id: string): void {
    this.countWork(this.tasks.get(id), -1)
    this.tasks.delete(id)
    this.store.del('tasks', id)
  }

  /** Keeps `workFor`: tasks held here (queued or running) per remote home. */
  private countWork (st: StoredTask | undefined, by: number): void {
    if (st?.state !== 'queued' || st.task.home === this.opts.self) return
    const n = (this.workFor.get(st.task.home) ?? 0) + by
    if (n > 0) this.workFor.set(st.task.home, n)
    else this.workFor.delete(st.task.home)
  }

  private requestCommit (): void {
    if (this.commitScheduled) return
    this.commitScheduled = true
    setImmediate(() => {
      this.commitScheduled = false
      this.commit().catch(err => this.opts.log.warn({ err: errText(err) }, 'work commit failed'))
    })
  }

  /** Persist everything staged, then send signals, report completions and run callbacks. */
  private async commit (): Promise<void> {
    const rd = this.core.ready()
    this.store.completion(rd.persist)
    this.jobs.stage()
    const callbacks = this.afterCommit
    this.afterCommit = []
    const completed = this.localDone.length > 0 ? [...rd.completed, ...this.localDone] : rd.completed
    this.localDone = []
    await this.store.flush()
    this.sendSignals(rd.signals)
    for (const cb of callbacks) cb()
    if (completed.length > 0) await this.finishJobs(completed)
  }

  /**
   * Completion detected, and every result is durable (it was written no later than the
   * batch just flushed): record the final state, and only once that is durable too, show it
   * and tell the registry. A reader who sees a job final can read all of its results.
   */
  private async finishJobs (jobIds: readonly string[]): Promise<void> {
    const now = this.opts.now()
    const finished = jobIds.filter(id => this.jobs.finish(id, now) != null)
    if (finished.length === 0) return
    this.jobs.stage()
    await this.store.flush()
    this.retire(finished)
  }

  /** Finished jobs are durable: record their final state in the registry, then forget them. */
  private retire (jobIds: string[]): void {
    const entries: Array<[string, JobEntry]> = []
    for (const id of jobIds) {
      const job = this.jobs.get(id)
      if (job == null) continue
      entries.push([id, { home: job.home, createdAt: job.createdAt, state: job.state as JobEntry['state'] }])
      for (const [taskId, p] of this.remoteProgress) if (p.jobId === id) this.remoteProgress.delete(taskId)
      this.jobs.retire(id)
      this.core.forget(id)
    }
    this.requestCommit()
    if (entries.length > 0) {
      this.registry.register(entries).catch(err => this.opts.log.warn({ err: errText(err), jobs: entries.length }, 'could not record finished jobs in the registry'))
    }
  }

  private sendSignals (signals: ReadonlyArray<{ to: string, jobId: string, batchId: string }>): void {
    const byPeer = new Map<string, Array<{ jobId: string, batchId: string }>>()
    for (const s of signals) {
      const list = byPeer.get(s.to) ?? []
      list.push({ jobId: s.jobId, batchId: s.batchId })
      byPeer.set(s.to, list)
    }
    for (const [peer, list] of byPeer) {
      // A lost signal is recovered when the sender re-sends the batch (it is answered again).
      this.net.call(peer, workRequest('signal', { signals: list }))
        .catch(err => this.opts.log.debug({ peer, err: errText(err) }, 'signal not delivered; the batch re-send will recover it'))
    }
  }

  // ----- maintenance ----------------------------------------------------------------------

  private maintain (): void {
    if (this.stopped) return
    const now = this.opts.now()
    this.trails.evaporate(now - this.lastEvaporate)
    this.lastEvaporate = now
    // Re-send batches that stay unsignalled: recovers lost grants, lost signals, and
    // batches a thief lost in a crash before persisting them.
    const byPeer = new Map<string, Batch[]>()
    for (const [batchId, lent] of this.lent) {
      if (now - lent.sentAt < lent.resendAfter) continue
      lent.sentAt = now
      lent.resendAfter = Math.min(MAX_RESEND_MS, lent.resendAfter * 2)
      const tasks = lent.taskIds.map(id => this.tasks.get(id)?.task).filter((t): t is Task => t != null)
      const list = byPeer.get(lent.to) ?? []
      list.push({ jobId: lent.jobId, batchId, tasks: tasks.map(toSpec) })
      byPeer.set(lent.to, list)
    }
    for (const [peer, batches] of byPeer) {
      this.counters.batchesResent += batches.length
      this.net.call(peer, workRequest('deliver', { batches }))
        .catch(err => this.opts.log.debug({ peer, err: errText(err) }, 'batch re-send failed'))
    }
    // Results whose home was unreachable.
    const homes = new Set<string>()
    for (const id of this.outboxDurable) {
      const o = this.outbox.get(id)
      if (o?.home != null) homes.add(o.home)
    }
    for (const home of homes) {
      this.homeBackoff.delete(home)
      this.sendResults(home)
    }
    // Cancels this node missed (a snapshot install, a restart), and state of jobs that are over.
    for (const jobId of this.core.jobIds()) {
      const entry = this.registry.entry(jobId)
      if (entry?.state === 'cancelled') this.cancelJob(jobId)
      else if (entry != null && isFinal(entry.state) && !this.core.isHome(jobId) && this.core.localTasks(jobId).length === 0 && this.core.ledger(jobId).length === 0) {
        this.core.forget(jobId)
        this.requestCommit()
      }
    }
    this.pump()
  }

  /** A checker for one submit: every distinct requirement is checked once against live nodes. */
  private capabilityCheck (): (tasks: readonly Task[]) => void {
    const nodes = [{ peerId: this.opts.self, capabilities: this.opts.capabilities }, ...this.opts.peers()]
    const seen = new Set<string>()
    // Tasks that need only their handler share one requirement list: skip those by identity.
    const seenLists = new Set<readonly string[]>()
    return tasks => { for (const t of tasks) {
      if (seenLists.has(t.requires)) continue
      seenLists.add(t.requires)
      const key = t.requires.join(',')
      if (seen.has(key)) continue
      seen.add(key)
      if (nodes.some(n => canRun(n.capabilities, t.requires))) continue
      const missing = t.requires.filter(r => !nodes.some(n => n.capabilities.includes(r)))
      throw new WorkError('NO_CAPABLE_NODE', `no live node can run task ${t.id} (type "${t.type}"): it needs ${t.requires.join(', ')}${missing.length > 0 ? `, and no node advertises ${missing.join(', ')}` : ', which no single node has'}. ` +
        (t.type === CMD_TYPE ? 'Start a node with --allow-commands.' : 'Load the handler with --handlers, or start a node with the capability (--capabilities).'))
    } }
  }
}

// ----- helpers ----------------------------------------------------------------------------

function errText (err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
