// The I/O shell around WorkCore (src/work/core.ts): it runs task attempts (src/work/attempt.ts),
// times them, persists every ready() through the WorkStore — one LevelDB batch per turn of the
// event loop — and only then sends what that ready holds, proposes registrations and answers
// submits and inbound requests; it keeps ONE timer at the core's nextDeadline().
//
// It talks to the rest of the node through three narrow interfaces — WorkNet (send a request
// to a peer), Registry (the control log's job registry) and the `peers` view — so the same
// shell runs over libp2p in the node (work.ts) and over an in-memory network in tests
// and benchmarks.

import { finishedView, type ApprovalDecision, type ApprovalRequest, type WorkflowResult } from '../../work/workflows.js'
import type { JobEntry, JobMove } from '../../consensus/control.js'
import type { Rng } from '../../prng.js'
import type { WorkRequest, WorkResponse } from '../../wire/proto/work.js'
import { decodeWorkMsg, decodeWorkReply, encodeWorkMsg, encodeWorkReply, fail } from '../../wire/work-codec.js'
import { abortRun, invoke, isThenable, onAbortOf, settle, signalOf, stoppedByNode, timeOut, type Running } from '../../work/attempt.js'
import { RESULTS_LINGER_MS, WorkCore, type AttemptEnd, type AttemptOutcome, type DrainProgress, type PeerInfo, type Ready, type RunningTaskView, type SubmitAnswer, type SupervisionConfig, type WorkCounters, type WorkNotice } from '../../work/core.js'
import { WorkError } from '../../work/errors.js'
import { FailedWithResult, ON_ABORT, type Handlers, type TaskContext } from '../../work/executors.js'
import { closeHandlers, poolsOf, type HandlerPool } from '../../work/isolation/index.js'
import { isFinal, type JobView } from '../../work/jobs.js'
import { failReply, type WorkReply } from '../../work/messages.js'
import { CMD_TYPE, childTaskId, encodePayload, makeTask, rootTaskId, type JobInput, type Task } from '../../work/spec.js'
import type { JobRecord, TaskOutcome, WorkStore } from '../store/work-store.js'
import type { LatencyHistory } from '../observe/history.js'
import type { JobEvidence } from '../../healing/stuck.js'
import { ConcurrencyController, type ConcurrencyReason } from '../../work/core/concurrency.js'
import { CpuSampler } from './cpu-sample.js'
import { availableParallelism, cpus } from 'node:os'

export type { PeerInfo } from '../../work/core.js'

/** A stuck job's diagnosis as views and listings show it (src/healing/stuck.ts). */
export interface StuckInfo { sinceMs: number, code: string, text: string, peers?: string[], capabilities?: string[] }

export interface WorkNet {
  call: (peer: string, req: WorkRequest) => Promise<WorkResponse>
}

export interface Registry {
  /** Group-committed registration (or final state) of jobs; resolves once applied. */
  register: (entries: Array<[string, JobEntry]>) => Promise<void>
  entry: (jobId: string) => JobEntry | undefined
  /** Declared dead by quorum: never lend it work. */
  isDead: (peer: string) => boolean
  /** Members of the committed configuration, this node included (undefined: not known yet). */
  memberCount?: () => number | undefined
  /** The control log's record of a workflow approval (src/node/services/approvals.ts). */
  approval?: (id: string) => ApprovalDecision | undefined
  /** Ask the mesh for an approval: proposed until the control log has it (idempotent). */
  requestApproval?: (req: ApprovalRequest) => void
}

/**
 * Told of every attempt and every finished job of this home (the node's metrics, see
 * WorkMetrics in src/node/metrics.ts). Called on the per-task path: keep each call cheap.
 */
export interface WorkObserver {
  /** An attempt started after waiting `waitMs` in this node's queue. */
  taskStarted: (type: string, waitMs: number) => void
  /** An attempt ended after `durationMs` of handler time; `outcome` is what the core made of it. */
  taskEnded: (type: string, outcome: AttemptOutcome, durationMs: number) => void
  /** A job of this home reached its final state, durable at `now`. */
  jobFinished: (job: JobRecord, now: number) => void
}

export interface WorkShellOptions {
  self: string
  /** Distinguishes this process's batch ids from the previous run's. */
  incarnation: number
  /** Slots: fixed, or where --concurrency auto starts (see autoConcurrency). */
  concurrency: number
  /** --concurrency auto: the slots follow the CPU and the queue between min and max. */
  autoConcurrency?: AutoConcurrency
  /** Everything this node advertises: user capabilities, handler:<name>, commands. */
  capabilities: readonly string[]
  handlers: Handlers
  allowCommands: boolean
  /** Alive peers, as advertised in heartbeats (asked on every timer, heartbeat and answer). */
  peers: () => PeerInfo[]
  rng: Rng
  now: () => number
  log: { info: (o: object, m: string) => void, warn: (o: object, m: string) => void, debug: (o: object, m: string) => void }
  /** First re-send of an unsignalled batch (default 2 s); doubles up to 5 s. */
  resendAfterMs?: number
  /** Copies of each job's definition in the mesh, the home's included (default 3). */
  replicas?: number
  /** Retry backoff base for failed attempts (default 200 ms). */
  retryBaseMs?: number
  /** The escalation ladder and circuit breakers (supervision.* start options). */
  supervision?: SupervisionConfig
  /** Metrics: told of attempts and finished jobs. */
  observer?: WorkObserver
  /** Where attempts run here and jobs finished here are recorded (`meshnode stats`). */
  history?: LatencyHistory
}

/** One --concurrency auto CPU reading: the bound, and whose CPU it is when known. */
interface SlotsCpu { cpu: number, own?: number, machine?: number }

/**
 * The sampler's readings for the controller. `own` and `machine` only where the machine's
 * counters cover the cores this process may use: with an affinity mask (fewer usable cores
 * than the machine has) `machine - own` is not what others use on this node's cores, and the
 * controller keeps its strict bar without them.
 */
function slotsCpu (sampler: CpuSampler): () => SlotsCpu {
  const whose = availableParallelism() === cpus().length
  return () => {
    const r = sampler.read()
    return whose ? { cpu: r.cpu, own: r.process, machine: r.machine } : { cpu: r.cpu }
  }
}

/** --concurrency auto (src/work/core/concurrency.ts). */
export interface AutoConcurrency {
  min: number
  max: number
  /** How often the CPU is sampled and the slots decided (default CONCURRENCY_TICK_MS). */
  tickMs?: number
  /** The CPU reading 0..1 (tests); CpuSampler (machine, process, event loop) otherwise. */
  cpu?: () => number
}

/**
 * How often --concurrency auto samples and decides. A probe is a step, a tick to settle and
 * a measurement of at least two ticks and 40 ended attempts: with tasks of tens of ms on a
 * few slots that is ~0.4 s, so a burst reaches 8x its starting slots in about 1.5 s.
 */
export const CONCURRENCY_TICK_MS = 100

/** The slots as status and heartbeats show them. */
export interface SlotsView {
  auto: boolean
  /** Slots now. */
  slots: number
  min: number
  max: number
  /** What --concurrency auto last decided (absent when fixed). */
  reason?: ConcurrencyReason
}

/** The job book as callers see it: active jobs in memory, and a listener per finished job. */
export class ShellJobs {
  /** Told once per job when its final state is durable. */
  readonly onFinished: Array<(job: JobRecord) => void> = []
  /** Callers of whenFinished, by job: each told true when it finishes, false when the engine stops. */
  private readonly waiters = new Map<string, Set<(finished: boolean) => void>>()
  constructor (private readonly shell: WorkShell) {}

  /**
   * The job's view once its final state is durable here, or (`timeoutMs`) as it stands when
   * that time has passed or the engine stops first; undefined if no job of that id is homed
   * here. What a client's long poll waits on (jobGet's waitMs) and the library's `wait`.
   */
  async whenFinished (jobId: string, timeoutMs = Infinity): Promise<JobView | undefined> {
    // Listen before reading, so a job that finishes in between is not missed. A final state
    // read while the job is still active is not durable yet: wait for the notice.
    let tell!: (finished: boolean) => void
    const told = new Promise<boolean>(resolve => { tell = resolve })
    let set = this.waiters.get(jobId)
    if (set == null) this.waiters.set(jobId, set = new Set())
    set.add(tell)
    const timer = timeoutMs < Infinity ? setTimeout(tell, Math.max(0, timeoutMs), false) : undefined
    try {
      const view = await this.shell.job(jobId)
      if (view == null) return undefined
      if (isFinal(view.state) && this.get(jobId) == null) return view
      if (this.shell.stopping) return view
      await told
      return await this.shell.job(jobId) ?? view
    } finally {
      clearTimeout(timer)
      set.delete(tell)
      if (set.size === 0 && this.waiters.get(jobId) === set) this.waiters.delete(jobId)
    }
  }

  /** The shell drained a durable final state (or stops: every waiter is let go). */
  finished (jobId: string | undefined): void {
    if (this.waiters.size === 0) return
    if (jobId == null) {
      for (const set of this.waiters.values()) for (const tell of set) tell(false)
      return
    }
    const set = this.waiters.get(jobId)
    if (set != null) for (const tell of set) tell(true)
  }

  get (jobId: string): JobRecord | undefined {
    return this.shell.started ? this.shell.core.activeJob(jobId) : undefined
  }

  activeJobs (): JobRecord[] {
    return this.shell.started ? this.shell.core.activeJobs() : []
  }

  get duplicates (): number {
    return this.shell.started ? this.shell.core.duplicates : 0
  }
}

/** What a committed death made this node do with the work it shared with the dead peer. */
export interface WorkReclaimed {
  peerId: string
  /** Batches lent to it, come back here and queued again, and how many tasks they hold. */
  reclaimedBatches: number
  requeued: number
  /** Batches received from it, given up (their lender re-runs them), and their tasks dropped. */
  abandonedBatches: number
  dropped: number
  jobs: string[]
}

export class WorkShell {
  readonly jobs: ShellJobs
  /** Told of every attempt that failed on this node (the event stream's task.failed). */
  readonly onTaskFailed: Array<(task: Task, error: string) => void> = []
  /** Told of every attempt killed here at its timeout (the event stream's task.timeout). */
  readonly onTaskTimeout: Array<(task: Task) => void> = []
  /** Told when a committed death made this node re-run or give up work (the event stream's work.reclaimed). */
  readonly onWorkReclaimed: Array<(r: WorkReclaimed) => void> = []
  /** Told of the core's structured events (task.escalated, circuit.*): the event log, metrics. */
  readonly onNotice: Array<(n: WorkNotice) => void> = []
  /** Told after every drive of the core (its state may have changed: e.g. `stealable`). */
  readonly onDriven: Array<() => void> = []
  private _core?: WorkCore
  private readonly running = new Map<string, Running>()
  private readonly replies = new Map<number, (r: WorkReply) => void>()
  private readonly submits = new Map<number, { resolve: (jobs: JobRecord[]) => void, reject: (e: Error) => void }>()
  /** Readies whose messages, replies, registrations and answers wait for the next flush. */
  private held: Ready[] = []
  private lastSeq = 0
  private commitScheduled = false
  /** Flushes (commit()) started and not yet ended. */
  private flushing = 0
  /** A flush commitNow() asked for while one was in flight: it starts as that one ends. */
  private flushNowAfter = false
  private lazyCommit?: NodeJS.Timeout
  private inboundSeq = 0
  private driving = false
  private again = false
  private timer?: NodeJS.Timeout
  private immediate?: NodeJS.Immediate
  private armedAt = Infinity
  /** The attempts' timeout timer (timeAttempt) and when it fires. */
  private timeoutTimer?: NodeJS.Timeout
  private timeoutAt = Infinity
  private stopped = false
  private closed = false
  private readonly end: AttemptEnd = { ok: false, children: [], durationMs: 0, stoppedByNode: false }
  private slotsControl?: ConcurrencyController
  private slotsTimer?: NodeJS.Timeout
  private slotsRead?: () => SlotsCpu
  private slotsTickAt = 0
  /** Attempts ended since the last concurrency tick. */
  private ended = 0
  /** The handler-worker pools (their workers starting: a level warming up). */
  private pools: HandlerPool[] = []

  constructor (private readonly store: WorkStore, private readonly net: WorkNet, private readonly registry: Registry, private readonly opts: WorkShellOptions) {
    this.jobs = new ShellJobs(this)
    const history = opts.history
    if (history != null) {
      // At the job's home, once its final state is durable: submit→done latency.
      this.jobs.onFinished.push(job => {
        if (job.state !== 'completed' && job.state !== 'failed' && job.state !== 'cancelled') return
        const now = this.opts.now()
        history.recordJob(job.state, (job.finishedAt ?? now) - job.createdAt, now)
      })
    }
  }

  get started (): boolean {
    return this._core != null
  }

  /** stop() was called: nothing new starts, and nobody is kept waiting. */
  get stopping (): boolean {
    return this.stopped
  }

  get core (): WorkCore {
    if (this._core == null) throw new WorkError('STOPPING', 'the work engine is not started')
    return this._core
  }

  // ----- lifecycle --------------------------------------------------------------------------

  async start (): Promise<void> {
    const loaded = await this.store.loadForCore()
    const auto = this.opts.autoConcurrency
    if (auto != null) this.slotsControl = new ConcurrencyController({ min: auto.min, max: auto.max })
    this._core = WorkCore.restore({
      self: this.opts.self,
      incarnation: this.opts.incarnation,
      concurrency: this.slotsControl?.target ?? this.opts.concurrency,
      capabilities: this.opts.capabilities,
      rng: this.opts.rng,
      ...(this.opts.resendAfterMs != null ? { resendAfterMs: this.opts.resendAfterMs } : {}),
      ...(this.opts.replicas != null ? { replicas: this.opts.replicas } : {}),
      ...(this.opts.retryBaseMs != null ? { retryBaseMs: this.opts.retryBaseMs } : {}),
      ...(this.opts.supervision != null ? { supervision: this.opts.supervision } : {})
    }, loaded, {
      entry: id => this.registry.entry(id),
      isDead: peer => this.registry.isDead(peer),
      ...(this.registry.memberCount != null ? { memberCount: () => this.registry.memberCount!() } : {}),
      ...(this.registry.approval != null ? { approval: (id: string) => this.registry.approval!(id) } : {})
    }, this.opts.now())
    this.refreshPeers()
    this.drive()
    if (this.slotsControl != null) {
      const hook = auto?.cpu
      const read = hook != null ? () => ({ cpu: hook() }) : slotsCpu(new CpuSampler())
      this.slotsRead = read
      this.pools = poolsOf(this.opts.handlers)
      this.resumeSlots()
    }
  }

  /** Starts the --concurrency auto ticks (paused while the node idles at its minimum). */
  private resumeSlots (): void {
    const read = this.slotsRead
    if (read == null || this.slotsTimer != null || this.stopped) return
    this.slotsTickAt = performance.now()
    this.ended = 0
    this.slotsTimer = setInterval(() => { this.slotsTick(read) }, this.opts.autoConcurrency?.tickMs ?? CONCURRENCY_TICK_MS)
    this.slotsTimer.unref?.()
  }

  /** One --concurrency auto decision: sample, ask the controller, tell the core. */
  private slotsTick (cpu: () => SlotsCpu): void {
    const core = this._core
    const control = this.slotsControl
    if (core == null || control == null || this.stopped) return
    const t = performance.now()
    const elapsedMs = Math.max(1, t - this.slotsTickAt)
    this.slotsTickAt = t
    const use = core.slotUse
    const completed = this.ended
    this.ended = 0
    // An idle node does not sample (the controller ignores the CPU without queued work).
    const busy = use.running > 0 || use.queued > 0
    const before = core.concurrency
    const reading = busy ? cpu() : { cpu: 0 }
    // Handler workers still starting: a new level warming up (the controller waits for them
    // before it measures the level).
    let warming = 0
    for (const p of this.pools) warming += p.starting
    const next = control.tick({ ...reading, queued: use.queued, running: use.running, completed, elapsedMs, warming })
    if (!busy && next <= control.limits.min) {
      // Idle at the minimum: nothing to decide until a task starts (startTask resumes), and an
      // idle node should not wake ten times a second for it (issue 14's idle cost).
      clearInterval(this.slotsTimer)
      this.slotsTimer = undefined
    }
    if (next === before) return
    this.opts.log.debug({ from: before, to: next, reason: control.reason, running: use.running, queued: use.queued }, 'concurrency changed')
    core.setConcurrency(next, this.opts.now())
    this.drive()
  }

  /** The slots now, and how they are chosen. */
  get slots (): SlotsView {
    const auto = this.opts.autoConcurrency
    const slots = this._core?.concurrency ?? this.slotsControl?.target ?? (auto != null ? auto.min : this.opts.concurrency)
    if (auto == null) return { auto: false, slots, min: slots, max: slots }
    return { auto: true, slots, min: auto.min, max: auto.max, ...(this.slotsControl != null ? { reason: this.slotsControl.reason } : {}) }
  }

  async stop (): Promise<void> {
    if (this._core == null || this.stopped) return
    this.stopped = true
    this.jobs.finished(undefined)
    clearInterval(this.slotsTimer)
    this.slotsTimer = undefined
    this.disarm()
    clearTimeout(this.timeoutTimer)
    this.timeoutTimer = undefined
    clearTimeout(this.writeRetry)
    clearTimeout(this.lazyCommit)
    this.lazyCommit = undefined
    this.core.stop(this.opts.now())
    this.drive()
    // Running tasks stay in the store as queued: they run again after a restart.
    await this.commit().catch(() => {})
    // Their handlers were aborted above; workers of isolated handlers are killed now.
    await closeHandlers(this.opts.handlers)
    this.closed = true
    for (const resolve of this.replies.values()) resolve(failReply('node is stopping'))
    this.replies.clear()
    for (const s of this.submits.values()) s.reject(new WorkError('STOPPING', 'node is stopping'))
    this.submits.clear()
  }

  // ----- what the node advertises -----------------------------------------------------------

  get load (): number {
    return this._core?.load ?? 0
  }

  get stealable (): number {
    return this._core?.stealable ?? 0
  }

  get draining (): boolean {
    return this._core?.isDraining ?? false
  }

  // ----- drain ------------------------------------------------------------------------------

  /**
   * The node is leaving the mesh: refuse submits, steal no more, push queued work to peers
   * (see WorkCore.drain). Idempotent. drainProgress() says when everything is handed off.
   */
  drain (): void {
    if (this._core == null || this.stopped) return
    this.refreshPeers()
    this.core.drain(this.opts.now())
    this.drive()
  }

  drainProgress (): DrainProgress | undefined {
    return this._core?.drainProgress()
  }

  /** What this node advertises: its capabilities, less handlers whose circuit is open here. */
  get capabilities (): readonly string[] {
    return this._core?.capabilities ?? this.opts.capabilities
  }

  /** Circuit breakers held here that are not plainly closed (status, metrics). */
  circuits (): ReturnType<WorkCore['circuits']> {
    return this._core?.circuits() ?? []
  }

  /** Zeros until started, so status can be served at any time. */
  get counters (): WorkCounters {
    return this._core?.counters ?? { ...NO_COUNTERS }
  }

  stats (): { queued: number, running: number, lent: number, outbox: number, activeJobs: number, replicas: number } {
    return this._core?.stats() ?? { queued: 0, running: 0, lent: 0, outbox: 0, activeJobs: 0, replicas: 0 }
  }

  /** Tasks queued and running here by type, added into the maps (metrics, at collect time). */
  countByType (queued: Map<string, number>, running: Map<string, number>): void {
    this._core?.countByType(queued, running)
  }

  runningTasks (jobId?: string): RunningTaskView[] {
    return this._core?.runningTasks(jobId) ?? []
  }

  // ----- submit, cancel, inspect ------------------------------------------------------------

  /**
   * Submits jobs with this node as home. Resolves once every job is durable here and
   * registered in the control log; on failure nothing is left behind.
   */
  async submit (inputs: readonly JobInput[]): Promise<JobRecord[]> {
    if (this.stopped) throw new WorkError(this._core?.isDraining === true ? 'DRAINING' : 'STOPPING', this._core?.isDraining === true ? 'this node has drained and is leaving the mesh: submit to another node' : 'node is stopping')
    if (this.writeFailure != null) throw new WorkError('RESOURCE_EXHAUSTED', `this node cannot write to its disk (${this.writeFailure.error}), so it takes no new jobs: nothing was accepted. Submit at another node, or free disk space here (\`meshnode status\` says when writes succeed again)`)
    this.refreshPeers()
    const ticket = this.core.submit(inputs, this.opts.now())
    const answer = new Promise<JobRecord[]>((resolve, reject) => { this.submits.set(ticket.id, { resolve, reject }) })
    this.drive()
    return await answer
  }

  /** A job's record at this home (no result), live or finished. */
  async jobRecord (jobId: string): Promise<JobRecord | undefined> {
    return this.core.activeJob(jobId) ?? await this.store.job(jobId)
  }

  /**
   * The records of `ids` at this home, in order (undefined where it has none): the live ones
   * from memory, the others in one store read — a listing of 10 000 jobs read them one get
   * at a time (BENCHMARKS.md, issue 14, stop 46).
   */
  async jobRecords (ids: readonly string[]): Promise<Array<JobRecord | undefined>> {
    const out = ids.map(id => this.core.activeJob(id))
    const missing: number[] = []
    for (let i = 0; i < out.length; i++) if (out[i] == null) missing.push(i)
    const read = await this.store.jobsMany(missing.map(i => ids[i]!))
    for (let k = 0; k < missing.length; k++) out[missing[k]!] = read[k]
    return out
  }

  /** A job of this home, live or finished, with its result when it has one root. */
  async job (jobId: string): Promise<JobView | undefined> {
    const live = this.core.activeJob(jobId)
    // Read from disk with what it holds inside: a one-task job's outcome (StoredJob).
    const stored = live == null ? await this.store.storedJob(jobId) : undefined
    const rec = live ?? stored?.job
    if (rec == null) return undefined
    const view: JobView = { ...rec, byNode: { ...rec.byNode } }
    if (rec.roots === 1 && isFinal(rec.state)) {
      const rootId = rootTaskId(jobId, 0, rec.epoch ?? 0)
      const root = stored?.outcome?.taskId === rootId ? stored.outcome : await this.store.result(rootId)
      if (root?.result != null) view.result = JSON.parse(root.result)
      if (rec.isWorkflow === true && view.result != null) {
        // A workflow's result is its steps' records; what it ran goes in `workflow`.
        const { workflow: _ran, ...summary } = view.result as WorkflowResult
        view.workflow = finishedView(view.result as WorkflowResult)
        view.result = summary
      }
    } else if (rec.isWorkflow === true) {
      const wf = this.core.workflowView(jobId)
      if (wf != null) view.workflow = wf
    }
    if (!isFinal(rec.state)) {
      const waiting = this.core.waitingFor(jobId)
      if (waiting.length > 0) view.waitingFor = waiting
      const stuck = this.stuckOf?.(jobId)
      if (stuck != null) view.stuck = stuck
    }
    return view
  }

  /** Recorded task outcomes of a job of this home, in task id order. */
  async results (jobId: string, limit: number, after = ''): Promise<TaskOutcome[]> {
    return await this.store.jobResults(jobId, limit, after)
  }

  /** The control log decided (or cancelled) a workflow approval. */
  approvalDecided (d: ApprovalDecision): void {
    if (this._core == null || this.stopped) return
    this.core.approvalDecided(d, this.opts.now())
    this.drive()
  }

  /** The control log applied a cancel: drop this job's queued tasks, abort running ones. */
  cancelJob (jobId: string): void {
    if (this._core == null) return
    this.core.cancel(jobId, this.opts.now())
    this.drive()
  }

  /**
   * The control log committed `peer`'s death: what was lent to it runs again here, work that
   * came through it is given up. Only for committed deaths, never for a local suspicion.
   */
  peerDead (peer: string): void {
    if (this._core == null || this.stopped) return
    this.core.peerDead(peer, this.opts.now())
    this.drive()
  }

  /** The control log moved jobs to new homes: old generations' work goes, moves here are adopted. */
  jobsMoved (moves: readonly JobMove[]): void {
    if (this._core == null || this.stopped) return
    this.core.jobsMoved(moves, this.opts.now())
    this.drive()
  }

  /** Reads a re-homed job's replica (once durable) and hands it to the core. */
  private adopt (jobId: string, set: string | undefined): void {
    this.store.flush().then(async () => await Promise.all([this.store.replica(jobId, set), this.store.job(jobId)])).then(([replica, record]) => {
      if (this.closed) return
      const generation = this.registry.entry(jobId)?.epoch ?? 0
      const finishedHere = record != null && isFinal(record.state) && (record.epoch ?? 0) >= generation
      this.core.adopt(jobId, replica, this.opts.now(), finishedHere)
      this.drive()
    }, err => {
      this.opts.log.warn({ err: errText(err), job: jobId }, 'could not read the replica of a job re-homed here')
      if (this.closed) return
      this.core.adopt(jobId, undefined, this.opts.now())
      this.drive()
    })
  }

  /** The control log declared this node dead: give up the work others lent it. */
  declaredDead (): void {
    if (this._core == null || this.stopped) return
    this.core.declaredDead(this.opts.now())
    this.drive()
  }

  /**
   * The control log applied a jobs.delete (retention): forget these finished jobs here — the
   * home's record and outcomes, replicas held. Asynchronous (apply is never held up by disk
   * reads), serialized, idempotent; a job still active in the core is left alone (its final
   * state registers it again and the next sweep takes it).
   */
  forgetJobs (jobIds: readonly string[], resultsOnly: boolean): Promise<void> {
    if (this._core == null || this.stopped) return this.forgetting
    if (!resultsOnly) {
      this.core.forget(jobIds, this.opts.now())
      this.drive()
    }
    this.forgetting = this.forgetting.then(async () => {
      if (this.closed) return
      const r = await this.store.forget(jobIds, resultsOnly, id => this._core?.activeJob(id) != null)
      this.forgotten.jobs += resultsOnly ? 0 : r.jobs
      this.forgotten.results += r.results
      if (r.jobs + r.results > 0) this.opts.log.debug({ jobs: r.jobs, results: r.results, resultsOnly }, 'retention: deleted local records')
    }).catch(err => { this.opts.log.warn({ err: errText(err), jobs: jobIds.length }, 'retention: could not delete local records of forgotten jobs') })
    return this.forgetting
  }

  /** What retention deleted from this node's store since it started. */
  readonly forgotten = { jobs: 0, results: 0 }
  private forgetting: Promise<void> = Promise.resolve()

  // ----- stuck jobs and resource pressure ---------------------------------------------------

  /** What a job's view shows when it is stuck (set by the node's stuck-job watch). */
  stuckOf?: (jobId: string) => StuckInfo | undefined
  /** Every job homed here flagged stuck now (set by the node's stuck-job watch). */
  stuckJobs?: () => Array<[string, StuckInfo]>

  /** Stuck-job evidence for the running jobs homed here stalled since before `stalledBefore`. */
  stuckEvidence (stalledBefore: number): JobEvidence[] {
    if (this._core == null || this.stopped) return []
    this.refreshPeers()
    return this.core.jobEvidence(stalledBefore)
  }

  /** Re-sends now what is lent to `peer` (a stuck-job repair); returns the batches sent. */
  resendTo (peer: string): number {
    if (this._core == null || this.stopped) return 0
    const n = this.core.resendTo(peer, this.opts.now())
    this.drive()
    return n
  }

  unansweredSince (peer: string): number | undefined {
    return this._core?.unansweredSince(peer)
  }

  get isFenced (): boolean {
    return this._core?.isFenced ?? false
  }

  /** The node's resource monitor: near a memory or disk limit, take no new work. */
  resourcePressure (on: boolean): void {
    if (this._core == null || this.stopped) return
    this.core.resourcePressure(on, this.opts.now())
    this.drive()
  }

  get underPressure (): boolean {
    return this._core?.underPressure ?? false
  }

  /**
   * The last failed write to the store, while writes fail (cleared by the next one that
   * succeeds): submits are refused meanwhile (RESOURCE_EXHAUSTED), and what failed is
   * written again before anything newer (WorkStore keeps it), so disk never falls behind
   * memory for good and nothing that depends on it was sent.
   */
  writeFailure?: { at: number, error: string }
  private writeRetry?: NodeJS.Timeout

  /** Consensus says whether this node reaches a majority; without it the core is fenced. */
  quorumContact (has: boolean): void {
    if (this._core == null || this.stopped) return
    this.core.quorumContact(has, this.opts.now())
    this.drive()
  }

  /** A fresh heartbeat replaces what the last grant told us about that peer. */
  peerAdvertised (peerId: string): void {
    if (this._core == null || this.stopped) return
    this.refreshPeers()
    this.core.peerAdvertised(peerId, this.opts.now())
    this.drive()
  }

  /** An inbound request from a peer: answered once what it changed is durable. */
  async handle (from: string, req: WorkRequest): Promise<WorkResponse> {
    if (this._core == null || this.stopped) return fail('node is stopping')
    const id = ++this.inboundSeq
    const reply = new Promise<WorkReply>(resolve => { this.replies.set(id, resolve) })
    this.core.request(from, id, decodeWorkMsg(req, from), this.opts.now())
    this.drive()
    return encodeWorkReply(await reply)
  }

  // ----- driving the core -------------------------------------------------------------------

  /** Drains the core: starts, aborts and reports at once; holds what must wait for the flush. */
  private drive (): void {
    if (this.driving) {
      this.again = true
      return
    }
    const core = this._core
    if (core == null) return
    this.driving = true
    try {
      do {
        this.again = false
        if (!core.hasReady()) break
        const rd = core.ready()
        if (rd.writes.length > 0) this.store.apply(rd.writes)
        this.lastSeq = rd.seq
        // Most readies hold a write or two and a task to start: skip the empty lists quickly.
        if (rd.events.length > 0) {
          for (const e of rd.events) {
            this.opts.log[e.level](e.fields, e.msg)
            if (e.tag === 'work.reclaimed') this.reclaimed(e.fields)
          }
        }
        if (rd.notices.length > 0) for (const n of rd.notices) for (const l of this.onNotice) l(n)
        if (rd.finished.length > 0) {
          const observer = this.opts.observer
          const now = observer != null ? this.opts.now() : 0
          for (const job of rd.finished) {
            observer?.jobFinished(job, now)
            for (const l of this.jobs.onFinished) l(job)
            this.jobs.finished(job.id)
          }
        }
        if (rd.adopt.length > 0) for (const a of rd.adopt) this.adopt(a.jobId, a.set)
        if (rd.approvals.length > 0) {
          for (const a of rd.approvals) {
            if (this.registry.requestApproval != null) this.registry.requestApproval(a)
            else this.opts.log.warn({ job: a.jobId, step: a.step }, 'a workflow asked for an approval, but this node cannot propose approvals')
          }
        }
        if (rd.abort.length > 0) {
          for (const a of rd.abort) {
            const run = this.running.get(a.taskId)
            if (run != null) abortRun(run, abortReason(a.reason))
          }
        }
        // An accepted submission's writes were durable before its registration was proposed:
        // answer it at once. A refused one waits for its undo to be durable, like the rest.
        let refused = false
        if (rd.submitted.length > 0) {
          for (const s of rd.submitted) {
            if (s.error != null) refused = true
            else this.answerSubmit(s)
          }
        }
        const hold = rd.messages.length > 0 || rd.replies.length > 0 || rd.register.length > 0 || refused
        if (hold) this.held.push(rd)
        // A ready with nothing to write or send needs no flush of its own: the next one covers
        // its seq when advance() is called. One whose writes nothing waits for — no message,
        // reply or registration held for them, no job's final state — is flushed with the
        // next one that does, or LAZY_FLUSH_MS later (see there). One a job's completion waits
        // for (a job's last outcomes for their home, a job's final state) is flushed now.
        if (rd.flushNow) this.commitNow()
        else if (hold || core.finishing) this.requestCommit()
        else if (rd.writes.length > 0) this.requestLazyCommit()
        const start = rd.start
        const observer = this.opts.observer
        for (let i = 0; i < start.length; i++) {
          const task = start[i]!
          if (observer != null) observer.taskStarted(task.type, core.queueWaitMs(task.id))
          this.startTask(task)
        }
      } while (this.again)
    } finally {
      this.driving = false
    }
    this.arm()
    for (let i = 0; i < this.onDriven.length; i++) this.onDriven[i]!()
  }

  /** Flush within LAZY_FLUSH_MS, or with the next commit that something waits for. */
  private requestLazyCommit (): void {
    if (this.commitScheduled || this.lazyCommit != null || this.closed) return
    this.lazyCommit = setTimeout(this.lazyCommitDue, LAZY_FLUSH_MS)
  }

  private readonly lazyCommitDue = (): void => {
    this.lazyCommit = undefined
    this.requestCommit()
  }

  private requestCommit (): void {
    this.cancelLazyCommit()
    if (this.commitScheduled || this.closed) return
    this.commitScheduled = true
    setImmediate(() => {
      this.commitScheduled = false
      this.commit().catch(this.commitFailed)
    })
  }

  /**
   * Flush now rather than at the end of this turn of the event loop (Ready.flushNow): the
   * write goes to LevelDB's thread while this turn's other callbacks run, instead of after
   * them. Under load a turn took up to tens of ms before the commit started, with a job's
   * last outcome waiting (BENCHMARKS.md, issue 14, stop 32). Readies drained after this one in
   * the same turn go with the next flush, as before.
   */
  private commitNow (): void {
    this.cancelLazyCommit()
    if (this.closed) return
    // A flush in flight: this one starts the moment it ends, with everything staged by then
    // (group commit). Started beside it instead, a busy home wrote and advanced once per job —
    // one-task jobs on one node cost 38 → 44 µs each (BENCHMARKS.md, issue 14, stop 33).
    if (this.flushing > 0) { this.flushNowAfter = true; return }
    this.commit().catch(this.commitFailed)
  }

  private cancelLazyCommit (): void {
    if (this.lazyCommit == null) return
    clearTimeout(this.lazyCommit)
    this.lazyCommit = undefined
  }

  private readonly commitFailed = (err: unknown): void => {
    // A failed write was logged once when writes started failing (see commit).
    if (this.writeFailure?.error === errText(err)) this.opts.log.debug({ err: errText(err) }, 'work commit failed')
    else this.opts.log.warn({ err: errText(err) }, 'work commit failed')
  }

  /** Persist everything drained so far, tell the core, then send what waited for it. */
  private async commit (): Promise<void> {
    if (this.closed) return
    const upTo = this.lastSeq
    const held = this.held
    this.held = []
    this.flushing++
    try {
      await this.store.flush()
    } catch (err) {
      // Nothing that depended on these writes may leave: fail it instead. The writes stay
      // staged (WorkStore) and go first in the next flush; the core is not advanced, so no
      // job they finish is reported before they are durable.
      const text = errText(err)
      if (this.writeFailure == null) this.opts.log.warn({ err: text }, 'cannot write to the store: submits are refused until writes succeed again')
      this.writeFailure = { at: this.opts.now(), error: text }
      // Try again on our own: the failed writes wait in the store, and with submits refused
      // nothing else may come along to flush them once space is freed.
      if (this.writeRetry == null && !this.closed) {
        this.writeRetry = setTimeout(() => {
          this.writeRetry = undefined
          this.requestCommit()
        }, WRITE_RETRY_MS)
        this.writeRetry.unref?.()
      }
      const failure = new WorkError('RESOURCE_EXHAUSTED', `could not write to this node's store: ${text}`, { cause: err })
      for (const rd of held) this.abandon(rd, failure)
      throw err
    } finally {
      this.flushing--
      if (this.flushNowAfter && this.flushing === 0) {
        this.flushNowAfter = false
        // after this flush's own advance and sends (a microtask later), as a flush of its own
        queueMicrotask(() => { this.commitNow() })
      }
    }
    if (this.writeFailure != null) {
      this.opts.log.info({ failedSince: this.writeFailure.at }, 'writes to the store succeed again')
      this.writeFailure = undefined
    }
    this.core.advance(upTo)
    for (const rd of held) this.send(rd)
    this.drive()
  }

  private send (rd: Ready): void {
    for (const m of rd.messages) {
      if (this.stopped) {
        this.core.response(m.id, new Error('node is stopping'), this.opts.now())
        continue
      }
      this.net.call(m.to, encodeWorkMsg(m.msg)).then(res => { this.answer(m.id, decodeWorkReply(res)) }, err => { this.answer(m.id, err instanceof Error ? err : new Error(String(err))) })
    }
    for (const r of rd.replies) {
      const resolve = this.replies.get(r.id)
      this.replies.delete(r.id)
      resolve?.(r.reply)
    }
    for (const reg of rd.register) {
      this.registry.register(reg.entries).then(() => { this.registered(reg.id, undefined) }, err => { this.registered(reg.id, err instanceof Error ? err : new Error(String(err))) })
    }
    for (const s of rd.submitted) if (s.error != null) this.answerSubmit(s)
  }

  private answerSubmit (s: SubmitAnswer): void {
    const waiter = this.submits.get(s.id)
    this.submits.delete(s.id)
    if (waiter == null) return
    if (s.error != null) waiter.reject(s.error)
    else waiter.resolve(s.jobs ?? [])
  }

  private abandon (rd: Ready, err: Error): void {
    for (const m of rd.messages) this.core.response(m.id, err, this.opts.now())
    for (const r of rd.replies) {
      this.replies.get(r.id)?.(failReply(`could not persist: ${err.message}`))
      this.replies.delete(r.id)
    }
    for (const reg of rd.register) this.core.registered(reg.id, err, this.opts.now())
    for (const s of rd.submitted) {
      if (s.error == null) continue
      this.submits.get(s.id)?.reject(err)
      this.submits.delete(s.id)
    }
  }

  private answer (id: number, res: WorkReply | Error): void {
    if (this.closed) return
    this.refreshPeers()
    this.core.response(id, res, this.opts.now())
    this.drive()
  }

  private registered (id: number, err: Error | undefined): void {
    if (this.closed) return
    this.core.registered(id, err, this.opts.now())
    this.drive()
  }

  private refreshPeers (): void {
    this._core?.peers(this.opts.peers(), this.opts.now())
  }

  // ----- the one timer ----------------------------------------------------------------------

  /**
   * Keeps one timer at the core's next deadline. A timer already set for an earlier time is
   * kept (firing early is harmless: tick() does what is due and the timer is set again); a
   * deadline already past fires at the next turn of the event loop (the end of a burst).
   */
  private arm (): void {
    if (this.stopped || this._core == null) return
    const d = this._core.nextDeadline()
    if (d >= this.armedAt) return
    this.disarm()
    if (d === Infinity) return
    this.armedAt = d
    const delay = d - this.opts.now()
    if (delay <= 0) {
      this.immediate = setImmediate(this.onTimer)
      return
    }
    this.timer = setTimeout(this.onTimer, delay)
    // Only maintenance pending: do not keep the process alive for it.
    if (d >= this._core.maintenanceAt) this.timer.unref?.()
  }

  private disarm (): void {
    if (this.timer != null) clearTimeout(this.timer)
    if (this.immediate != null) clearImmediate(this.immediate)
    this.timer = undefined
    this.immediate = undefined
    this.armedAt = Infinity
  }

  private readonly onTimer = (): void => {
    this.timer = undefined
    this.immediate = undefined
    this.armedAt = Infinity
    if (this.stopped) return
    this.refreshPeers()
    this.core.tick(this.opts.now())
    this.drive()
  }

  // ----- running tasks ----------------------------------------------------------------------

  private startTask (task: Task): void {
    if (this.slotsRead != null && this.slotsTimer == null) this.resumeSlots()
    const startedAt = this.opts.now()
    const run: Running = { task, startedAt, t0: performance.now(), waitMs: Number.NaN }
    if (this.opts.history != null) {
      const queued = this._core?.queueWaitMs(task.id)
      if (queued != null) run.waitMs = queued
    }
    this.running.set(task.id, run)
    const children: Task[] = []
    const ctx = new RunContext(run, this.opts.self, {
      spawn: (type, payload, options = {}) => {
        // Who may run shell commands is checked when a job is submitted (the submitter's
        // `commands` right); a handler passing a type through (fanout) must not bypass that.
        if (type === CMD_TYPE) throw new WorkError('BAD_JOB', 'a handler cannot spawn shell-command ("cmd") tasks: submit them as tasks of a job, where the right to run commands is checked')
        const id = childTaskId(task.id, children.length)
        children.push(makeTask(id, task.jobId, task.home, { ...options, type, payload }))
        return id
      },
      progress: value => {
        run.progress = value
        if (this.stopped) return
        this.core.taskProgress(task.id, value, this.opts.now())
        this.drive()
      }
    })
    const ok = (result: unknown): void => {
      let encoded: string
      try {
        encoded = encodePayload(result, `result of ${task.id}`)
      } catch (err) {
        this.taskDone(run, false, undefined, errText(err), NO_CHILDREN)
        return
      }
      this.taskDone(run, true, encoded, undefined, children)
    }
    const failed = (err: unknown): void => {
      // A failure with a result (a command's output and exit code) keeps it beside the error.
      let kept: string | undefined
      if (err instanceof FailedWithResult) {
        try {
          kept = encodePayload(err.result, `result of ${task.id}`)
        } catch {}
      }
      this.taskDone(run, false, kept, errText(err), NO_CHILDREN)
    }
    let work: unknown
    try {
      work = invoke(task, ctx, run, this.opts.handlers, this.opts.allowCommands)
    } catch (err) {
      queueMicrotask(() => { failed(err) })
      return
    }
    // A synchronous handler needs no timer and no race: it already finished.
    if (!isThenable(work)) {
      run.syncMs = performance.now() - run.t0
      queueMicrotask(() => { ok(work) })
    }
    else {
      settle(run, work, () => { this._core?.handlerOrphaned(task.id) }, ok, failed)
      if (task.timeoutMs > 0 && run.abortReason == null) this.timeAttempt(run.t0 + task.timeoutMs)
    }
  }

  // ----- attempt timeouts: one timer for all ------------------------------------------------

  /**
   * Keeps one timer at (or before) the earliest timeout of the attempts running here. It was
   * a timer per attempt, set and cleared around every task (BENCHMARKS.md, issue 14, stop 44);
   * now an attempt that ends leaves the timer as it is — firing early only finds nothing due.
   */
  private timeAttempt (deadline: number): void {
    if (deadline >= this.timeoutAt || this.stopped) return
    clearTimeout(this.timeoutTimer)
    this.timeoutAt = deadline
    this.timeoutTimer = setTimeout(this.timeoutsDue, Math.max(0, deadline - performance.now()))
    // Running handlers hold the process as they need; a timeout alone does not.
    this.timeoutTimer.unref?.()
  }

  private readonly timeoutsDue = (): void => {
    this.timeoutTimer = undefined
    this.timeoutAt = Infinity
    if (this.stopped) return
    const t = performance.now()
    let next = Infinity
    for (const run of this.running.values()) {
      const ms = run.task.timeoutMs
      if (ms <= 0 || run.onAbort == null) continue
      const deadline = run.t0 + ms
      if (deadline <= t) timeOut(run)
      else if (deadline < next) next = deadline
    }
    if (next < Infinity) this.timeAttempt(next)
  }

  private reclaimed (f: Record<string, unknown>): void {
    const n = (v: unknown): number => typeof v === 'number' ? v : 0
    const r: WorkReclaimed = {
      peerId: String(f.peer ?? ''),
      reclaimedBatches: n(f.reclaimedBatches),
      requeued: n(f.requeued),
      abandonedBatches: n(f.abandonedBatches),
      dropped: n(f.dropped),
      jobs: Array.isArray(f.jobs) ? f.jobs as string[] : []
    }
    for (const l of this.onWorkReclaimed) l(r)
  }

  private taskDone (run: Running, ok: boolean, result: string | undefined, error: string | undefined, children: readonly Task[]): void {
    this.running.delete(run.task.id)
    if (this.closed) return
    this.ended++
    if (!ok) {
      for (const l of this.onTaskFailed) l(run.task, error ?? '')
      if (run.timedOut === true) for (const l of this.onTaskTimeout) l(run.task)
    }
    // One object for every attempt's end: the core reads it and keeps none of it but values.
    const end = this.end
    end.ok = ok
    end.result = result
    end.error = error
    end.children = children
    const durationMs = run.syncMs ?? performance.now() - run.t0
    end.durationMs = durationMs
    end.stoppedByNode = stoppedByNode(run)
    const now = this.opts.now()
    const outcome = this.core.taskFinished(run.task.id, end, now)
    this.opts.observer?.taskEnded(run.task.type, outcome, durationMs)
    // On the node that ran it: the attempt's run time and queue wait, by task type.
    if (outcome === 'done' || outcome === 'failed' || outcome === 'retried') this.opts.history?.recordTask(run.task.type, outcome === 'done' ? 'ok' : outcome, durationMs, run.waitMs ?? Number.NaN, now)
    end.children = NO_CHILDREN
    this.drive()
  }
}

const NO_CHILDREN: readonly Task[] = Object.freeze([])
/**
 * How long writes that nothing waits for may stay staged (a task that ended here with no
 * message to send, an outcome recorded with no reply held): they go with the next flush that
 * something waits for, or after this. A node running a few slots ended each task in a flush of
 * its own — a round trip through libuv's thread pool and a wake-up of the event loop per task,
 * most of such a node's CPU per task (BENCHMARKS.md, issue 14, stop 29). A crash loses at most
 * this much of them, which costs re-runs, never a result: a task runs again until its outcome
 * is durable, and nothing is sent or answered before the writes it depends on are durable.
 * As long as a thief's results linger when they are a share of the work it holds for their
 * home (RESULTS_LINGER_MS), so near a grant's end its ended tasks are flushed with the message
 * that carries their outcomes; while outcomes linger longer (RESULTS_MAX_LINGER_MS) they are
 * flushed this often all the same, so the longer linger widens no crash window.
 */
const LAZY_FLUSH_MS = RESULTS_LINGER_MS
/** After a failed write, the store is tried again this often until a write succeeds. */
const WRITE_RETRY_MS = 1_000
const NO_COUNTERS: WorkCounters = { tasksRun: 0, tasksFailed: 0, tasksRetried: 0, stealsSent: 0, stealsGranted: 0, stealsRefused: 0, tasksStolen: 0, tasksLent: 0, batchesResent: 0, resultsSent: 0, orphanedHandlers: 0, rejectedMessages: 0, tasksReclaimed: 0, tasksAbandoned: 0 }

function errText (err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/** What an aborted handler is told. */
function abortReason (reason: 'cancelled' | 'stopping' | 'abandoned'): Error {
  switch (reason) {
    case 'stopping': return new WorkError('STOPPING', 'node is stopping')
    case 'abandoned': return new Error('task abandoned: the node it came through was declared dead, and its lender runs it again')
    case 'cancelled': return new Error('job cancelled')
  }
}

/**
 * What a handler gets as its TaskContext. A class rather than an object literal: the literal's
 * `signal` getter (the AbortSignal is made only when a handler reads it) was defined on every
 * context through a runtime call that also turned the object into a slow dictionary-mode one
 * (perf with jitdump, one-task jobs, issue 14, stop 31). `spawn` and `progress` stay own
 * functions, so a handler may destructure them.
 */
class RunContext implements TaskContext {
  readonly taskId: string
  readonly jobId: string
  readonly attempt: number
  readonly spawn: TaskContext['spawn']
  readonly progress: TaskContext['progress']
  readonly #run: Running

  constructor (run: Running, readonly node: string, fns: Pick<TaskContext, 'spawn' | 'progress'>) {
    this.#run = run
    this.taskId = run.task.id
    this.jobId = run.task.jobId
    this.attempt = run.task.attempts + 1
    this.spawn = fns.spawn
    this.progress = fns.progress
  }

  get signal (): AbortSignal {
    return signalOf(this.#run)
  }

  [ON_ABORT] (fn: (reason: Error) => void): void {
    onAbortOf(this.#run, fn)
  }
}
