// A pool of handler workers for one node: at most `size` workers (the node's --concurrency),
// started when a task needs one, each loading the handler modules once and running one task
// at a time. A task's ctx crosses the boundary (spawn, progress, signal); an aborted task
// (timeout, cancel, shutdown) that has not finished ABORT_GRACE_MS later has its worker
// killed — a synchronous loop included — and the pool starts a fresh one for the next task.
// A worker that dies mid-task (uncaught error, process.exit, out of memory) fails that
// attempt and is replaced the same way.
//
// A worker starts only when it pays (workersToStart): each costs ~75 ms of CPU, and more
// under load, before its first task, while a busy one is often free in a few ms — and none
// starts while the node's own threads keep every core busy (PoolOptions.cpuFull), where
// another thread only time-slices the cores.
import { fork, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { WorkError } from '../errors.js'
import type { TaskContext } from '../executors.js'
import type { FromWorker, ToWorker } from './protocol.js'

/** Where handlers run: worker threads, child processes, or the node's own event loop. */
export type IsolationMode = 'worker' | 'process' | 'none'
export const ISOLATION_MODES: readonly IsolationMode[] = ['worker', 'process', 'none']

/**
 * How long an aborted task's worker may take to return before it is killed. A handler that
 * honours its signal returns within milliseconds; one that does not is killed this soon
 * after its timeout, so its CPU is back and its slot's next task gets a fresh worker.
 */
export const ABORT_GRACE_MS = 250

export interface PoolOptions {
  mode: Exclude<IsolationMode, 'none'>
  /** Handler modules every worker loads (absolute paths or as --handlers gave them). */
  modules: readonly string[]
  /** Most workers alive at once, not counting killed ones on their way out. */
  size: number
  abortGraceMs?: number
  /**
   * Whether the node's own threads keep every core it may use busy now (the node passes its
   * process CPU, see cpu-sample.ts processCpuFull). While they do, a queued task waits for a
   * busy worker (up to START_WAIT_MAX_MS) rather than starting one: the workers are computing,
   * so one is free soon, and another thread adds no CPU — its start-up (~75 ms of CPU, more
   * under load) is taken from the running tasks. Absent: never full.
   */
  cpuFull?: () => boolean
  /** Told when a worker is killed or dies; for the log. */
  onWorkerExit?: (info: { reason: 'killed' | 'crashed', taskId?: string, detail: string }) => void
}

export interface PoolCounters {
  /** Workers started, the first included. */
  started: number
  /** Workers killed because an aborted task would not return. */
  killed: number
  /** Workers that died by themselves. */
  crashed: number
}

/** One worker thread or child process, seen through the same few calls. */
interface Endpoint {
  send: (msg: ToWorker) => void
  kill: () => void
  /** Whether it keeps the node's process alive: while it runs a task, not while idle. */
  hold: (busy: boolean) => void
}

interface Job {
  id: number
  /** When it was queued (performance.now()). */
  queuedAt: number
  type: string
  payload: unknown
  ctx: TaskContext
  resolve: (value: unknown) => void
  reject: (err: Error) => void
  /** A spawn the node refused after the worker accepted it: the attempt fails with it. */
  spawnError?: Error
  onAbort?: () => void
}

class HandlerWorker {
  job?: Job
  /** Out of the pool: aborted past its grace, crashed, or the pool closed. */
  retired = false
  exited = false
  /** It has loaded the modules (until then it costs CPU and runs nothing). */
  loaded = false
  graceTimer?: NodeJS.Timeout
  /** When it was started, then when its task was sent (performance.now()). */
  since = 0
  constructor (readonly endpoint: Endpoint, readonly ready: Promise<string[]>) {}
}

/** What the pool knows when it decides whether to start workers for its queue. */
export interface StartState {
  /** Tasks queued (none of them running yet). */
  queued: number
  /** Workers running a task, and workers starting (each takes the queue's head when ready). */
  busy: number
  starting: number
  /** What a start costs, ms (spawn to ready, a running mean), and a task's run, ms (unknown until one ends). */
  startMs: number
  runMs?: number
  /**
   * The waiting queued tasks have done since the last start, summed over the tasks that have
   * no worker starting for them (task-ms): the rent paid instead of a start.
   */
  owed: number
  /** The node's own threads keep every core busy (PoolOptions.cpuFull)... */
  cpuFull?: boolean
  /** ...and the queue's head has waited this long, ms. */
  headWaitMs?: number
}

/**
 * How many workers should be starting now (at least `starting`; the pool caps it at its
 * size), what is still owed after those starts, and in how long to look again (Infinity: not
 * until something changes — a task queued or done, a worker ready).
 *
 * Rent or buy (the ski-rental rule): a start costs `startMs` (spawn to ready, measured: the
 * ~75 ms of CPU it takes, and more under load), waiting costs the waiting tasks' time — and
 * their slots, held meanwhile. Keep waiting for the busy workers while the waiting done since
 * the last start is less than a start; buy one (a start) when it reaches it. So a task alone
 * in the queue gets a worker after `startMs` at most, a queue of ten after a tenth of it, and
 * a short burst that the busy workers clear in a few ms starts none. Two more reasons start
 * one at once: nothing is busy or starting (nothing would serve the queue), or by the
 * estimate a task will wait a start's cost anyway — the tasks ahead of it, spread over the
 * busy workers, run `runMs` each, so the task at place i (from 0) waits about
 * (⌊i / busy⌋ + 1) × runMs: long tasks do not wait to reach the pool's size.
 * No more start at once than are busy (at least one): a worker serves many short tasks, so
 * the count at most doubles per start's time, and stops where the queue stays short.
 *
 * While the node's own threads keep every core busy (`cpuFull`) and a worker is busy, none
 * starts and no rent is owed: the waiting costs no throughput (the cores are doing the node's
 * work either way), and a start would take its CPU from the running tasks. The queue waits
 * for the busy workers — until its head has waited START_WAIT_MAX_MS (a busy worker stuck on
 * something that is not CPU, say), then the rules above decide again.
 */
export function workersToStart (s: StartState): { want: number, owed: number, recheckInMs: number } {
  if (s.queued <= s.starting) return { want: s.starting, owed: 0, recheckInMs: Infinity }
  const waited = s.headWaitMs ?? 0
  if (s.cpuFull === true && s.busy > 0 && waited < START_WAIT_MAX_MS) {
    return { want: s.starting, owed: 0, recheckInMs: Math.min(CPU_LOOK_MS, START_WAIT_MAX_MS - waited) }
  }
  let estimated = 0
  if (s.busy === 0) estimated = s.queued
  else if (s.runMs != null && s.runMs > 0) estimated = Math.max(0, s.queued - s.busy * Math.max(0, Math.ceil(s.startMs / s.runMs) - 1))
  // (The epsilon: rent integrated up to the moment it was due may fall short by a rounding.)
  const rented = s.starting + Math.floor(s.owed / s.startMs + 1e-9)
  const want = Math.max(s.starting, Math.min(Math.max(estimated, rented), s.queued, Math.max(1, s.busy)))
  const owed = Math.max(0, s.owed - (want - s.starting) * s.startMs)
  const waiting = s.queued - want
  // When the rent reaches a start again (or, held back by the cap, when those starting are ready).
  const recheckInMs = waiting === 0 ? Infinity : owed >= s.startMs ? s.startMs : (s.startMs - owed) / waiting
  return { want, owed, recheckInMs }
}

/** A start's cost before one is measured, ms (the first worker's start measures it). */
const START_MS_GUESS = 75
/** No task waits alone longer than this for a start, whatever starts have cost (or while the CPU is full). */
const START_WAIT_MAX_MS = 1000
/** While the CPU is full, how soon the pool looks again (a task ending looks sooner). */
const CPU_LOOK_MS = 100
/** Weight of the newest observation in the running means. */
const MEAN_WEIGHT = 0.2

export class HandlerPool {
  readonly counters: PoolCounters = { started: 0, killed: 0, crashed: 0 }
  private readonly idle: HandlerWorker[] = []
  private readonly live = new Set<HandlerWorker>()
  private readonly dying = new Set<HandlerWorker>()
  private readonly queue: Job[] = []
  private nextId = 0
  private closed = false
  private readonly graceMs: number
  /** Running means: spawn to ready, and a task's run in a worker (ms). */
  private startMs = START_MS_GUESS
  private startsSeen = 0
  private runMs?: number
  /** Waiting done by queued tasks with no worker coming, since the last start (task-ms), and how many of them there were at the last pump. */
  private owed = 0
  private owedAt = 0
  private uncovered = 0
  /** Armed while queued tasks have no worker coming: when their waiting will pay for a start. */
  private startTimer?: NodeJS.Timeout
  private startTimerAt = Infinity

  constructor (private readonly opts: PoolOptions) {
    this.graceMs = opts.abortGraceMs ?? ABORT_GRACE_MS
  }

  /** Workers alive and in the pool (busy or idle). */
  get size (): number {
    return this.live.size
  }

  /** Workers started but not yet ready (each costs ~75 ms of CPU before its first task). */
  get starting (): number {
    let n = 0
    for (const w of this.live) if (!w.loaded) n++
    return n
  }

  /**
   * Starts one worker and waits until it has loaded the modules: the handler names it
   * reports, or the loading error (a WorkError BAD_HANDLERS) so a node fails at start.
   * That worker stays in the pool; the others start when tasks need them.
   */
  async start (): Promise<string[]> {
    const w = this.spawnWorker()
    try {
      return await w.ready
    } catch (err) {
      this.retire(w)
      throw err
    }
  }

  /** Runs `type` in a worker; settles with its result (parsed JSON) or its error. */
  async run (type: string, payload: unknown, ctx: TaskContext): Promise<unknown> {
    if (this.closed) throw new WorkError('STOPPING', 'node is stopping')
    return await new Promise((resolve, reject) => {
      const job: Job = { id: ++this.nextId, queuedAt: performance.now(), type, payload, ctx, resolve, reject }
      const signal = ctx.signal
      if (signal.aborted) {
        reject(reasonOf(signal))
        return
      }
      this.queue.push(job)
      this.pump()
      // A queued job's abort just removes it; a running one's goes to its worker (onAbort).
      signal.addEventListener('abort', () => {
        const i = this.queue.indexOf(job)
        if (i >= 0) {
          this.queue.splice(i, 1)
          reject(reasonOf(signal))
        } else job.onAbort?.()
      }, { once: true })
    })
  }

  /** Kills every worker; running and queued tasks fail with STOPPING. */
  async close (): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.disarm()
    const stopping = new WorkError('STOPPING', 'node is stopping')
    for (const job of this.queue.splice(0)) job.reject(stopping)
    const all = [...this.live, ...this.dying]
    const exits = all.map(async w => { await waitExit(w) })
    for (const w of all) {
      w.job?.reject(stopping)
      w.job = undefined
      this.retire(w)
    }
    await Promise.all(exits)
  }

  // ----- workers ----------------------------------------------------------------------------

  /** Idle workers take the queue's head; then workers start when they pay (workersToStart). */
  private pump (): void {
    if (this.closed) return
    while (this.queue.length > 0 && this.idle.length > 0) this.assign(this.idle.pop()!, this.queue.shift()!)
    const now = performance.now()
    this.owed += (now - this.owedAt) * this.uncovered
    this.owedAt = now
    this.uncovered = 0
    if (this.queue.length === 0 || this.live.size >= this.opts.size) {
      this.owed = 0
      this.disarm()
      return
    }
    const starting = this.starting
    const { want, owed, recheckInMs } = workersToStart({
      queued: this.queue.length,
      busy: this.live.size - starting,
      starting,
      startMs: Math.min(this.startMs, START_WAIT_MAX_MS),
      ...(this.runMs != null ? { runMs: this.runMs } : {}),
      owed: this.owed,
      cpuFull: this.opts.cpuFull?.() ?? false,
      headWaitMs: now - this.queue[0]!.queuedAt
    })
    this.owed = owed
    for (let n = starting; n < want && this.live.size < this.opts.size; n++) this.spawnWorker()
    this.uncovered = Math.max(0, this.queue.length - this.starting)
    if (this.live.size >= this.opts.size || recheckInMs === Infinity) this.disarm()
    else this.arm(now + recheckInMs, now)
  }

  private arm (at: number, now: number): void {
    if (this.startTimer != null && this.startTimerAt <= at) return
    this.disarm()
    this.startTimerAt = at
    this.startTimer = setTimeout(() => {
      this.startTimer = undefined
      this.startTimerAt = Infinity
      this.pump()
    }, Math.max(1, Math.ceil(at - now)))
  }

  private disarm (): void {
    clearTimeout(this.startTimer)
    this.startTimer = undefined
    this.startTimerAt = Infinity
  }

  private assign (w: HandlerWorker, job: Job): void {
    w.job = job
    w.since = performance.now()
    w.endpoint.hold(true)
    job.onAbort = () => {
      const reason = reasonOf(job.ctx.signal)
      w.endpoint.send({ t: 'abort', id: job.id, reason: reason.message })
      // The attempt ends now (its race rejects); the worker gets its grace out of the pool,
      // so the slot's next task does not wait for it.
      job.reject(reason)
      this.live.delete(w)
      this.dying.add(w)
      w.graceTimer = setTimeout(() => {
        if (w.job !== job) return
        this.counters.killed++
        this.opts.onWorkerExit?.({ reason: 'killed', taskId: job.ctx.taskId, detail: `did not return ${this.graceMs} ms after: ${reason.message}` })
        w.job = undefined
        this.retire(w)
      }, this.graceMs)
      w.graceTimer.unref?.()
      this.pump()
    }
    w.endpoint.send({ t: 'run', id: job.id, type: job.type, payload: job.payload, ctx: { taskId: job.ctx.taskId, jobId: job.ctx.jobId, attempt: job.ctx.attempt, node: job.ctx.node } })
  }

  private spawnWorker (): HandlerWorker {
    this.counters.started++
    let onReady!: (names: string[]) => void
    let onLoadError!: (err: Error) => void
    const ready = new Promise<string[]>((resolve, reject) => { onReady = resolve; onLoadError = reject })
    // Nobody may be waiting for a later worker's readiness; its failure reaches its task.
    ready.catch(() => {})
    const w: HandlerWorker = new HandlerWorker(startEndpoint(this.opts.mode, msg => { this.message(w, msg, onReady, onLoadError) }, detail => {
      onLoadError(new WorkError('BAD_HANDLERS', `the handler worker exited before loading the modules: ${detail}`))
      this.exited(w, detail)
    }), ready)
    this.live.add(w)
    w.since = performance.now()
    w.endpoint.send({ t: 'init', modules: this.opts.modules })
    return w
  }

  private message (w: HandlerWorker, msg: FromWorker, onReady: (names: string[]) => void, onLoadError: (err: Error) => void): void {
    if (msg.t === 'ready') {
      w.loaded = true
      this.startMs = this.startsSeen++ === 0 ? performance.now() - w.since : mean(this.startMs, performance.now() - w.since)
      onReady(msg.names)
      // Ready: it takes the queue's head, or waits idle.
      this.release(w)
      return
    }
    if (msg.t === 'loadError') {
      const err = new WorkError('BAD_HANDLERS', msg.message)
      onLoadError(err)
      // The task it was started for fails with it (one start per task, not a loop of them).
      ;(w.job ?? this.queue.shift())?.reject(err)
      w.job = undefined
      this.retire(w)
      return
    }
    const job = w.job
    if (job == null || job.id !== msg.id) return
    if (msg.t === 'progress') {
      if (!job.ctx.signal.aborted) job.ctx.progress(msg.value)
    } else if (msg.t === 'spawn') {
      try {
        job.ctx.spawn(msg.type, JSON.parse(msg.payload), msg.options)
      } catch (err) {
        job.spawnError ??= err instanceof Error ? err : new Error(String(err))
      }
    } else if (msg.t === 'done') {
      w.job = undefined
      this.runMs = this.runMs == null ? performance.now() - w.since : mean(this.runMs, performance.now() - w.since)
      clearTimeout(w.graceTimer)
      if (msg.ok && job.spawnError != null) job.reject(job.spawnError)
      else if (msg.ok) job.resolve(JSON.parse(msg.result))
      else job.reject(Object.assign(new Error(msg.error.message), { name: msg.error.name }))
      if (this.dying.has(w)) {
        // It returned within its grace: back to work if there is room, else let it go.
        this.dying.delete(w)
        if (!this.closed && this.live.size < this.opts.size) this.live.add(w)
        else {
          this.retire(w)
          return
        }
      }
      this.release(w)
    }
  }

  private release (w: HandlerWorker): void {
    if (w.retired) return
    w.endpoint.hold(false)
    this.idle.push(w)
    this.pump()
  }

  private retire (w: HandlerWorker): void {
    if (w.retired) return
    w.retired = true
    clearTimeout(w.graceTimer)
    this.live.delete(w)
    this.dying.delete(w)
    const i = this.idle.indexOf(w)
    if (i >= 0) this.idle.splice(i, 1)
    if (!w.exited) {
      // Held until it is gone, so whoever waits for its exit (close) gets it.
      w.endpoint.hold(true)
      w.endpoint.kill()
    }
    this.pump()
  }

  private exited (w: HandlerWorker, detail: string): void {
    w.exited = true
    const job = w.job
    w.job = undefined
    if (!w.retired) {
      this.counters.crashed++
      this.opts.onWorkerExit?.({ reason: 'crashed', ...(job != null ? { taskId: job.ctx.taskId } : {}), detail })
      job?.reject(new Error(`the handler worker died while running the task: ${detail}`))
      // One that died before it loaded fails the task it was started for, as a load error does.
      if (job == null && !w.loaded) this.queue.shift()?.reject(new WorkError('BAD_HANDLERS', `the handler worker exited before loading the modules: ${detail}`))
    }
    this.retire(w)
    exitWaiters.get(w)?.()
  }
}

function mean (old: number, sample: number): number {
  return old + MEAN_WEIGHT * (sample - old)
}

const exitWaiters = new WeakMap<HandlerWorker, () => void>()

async function waitExit (w: HandlerWorker): Promise<void> {
  if (w.exited) return
  await new Promise<void>(resolve => { exitWaiters.set(w, resolve) })
}

function reasonOf (signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('aborted')
}

/** Starts a worker thread or a child process running worker.ts. */
function startEndpoint (mode: 'worker' | 'process', onMessage: (msg: FromWorker) => void, onExit: (detail: string) => void): Endpoint {
  const script = workerScript()
  if (mode === 'worker') {
    const worker = new Worker(script)
    let error = ''
    worker.on('message', onMessage)
    worker.on('error', err => { error = err.message })
    worker.on('exit', code => { onExit(error !== '' ? error : `exit code ${code}`) })
    return {
      send: msg => { worker.postMessage(msg) },
      kill: () => { void worker.terminate() },
      hold: busy => { if (busy) worker.ref(); else worker.unref() }
    }
  }
  const child: ChildProcess = fork(script, [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  child.on('message', msg => { onMessage(msg as FromWorker) })
  child.on('error', () => {})
  child.on('exit', (code, signal) => { onExit(signal != null ? `signal ${signal}` : `exit code ${String(code)}`) })
  const channel = child.channel as { ref?: () => void, unref?: () => void } | undefined
  return {
    send: msg => { if (child.connected) child.send(msg) },
    kill: () => { child.kill('SIGKILL') },
    hold: busy => {
      if (busy) {
        child.ref()
        channel?.ref?.()
      } else {
        child.unref()
        channel?.unref?.()
      }
    }
  }
}

/**
 * The worker's script: beside this file once compiled (dist/src/work/isolation/worker.js),
 * the separate bundle entry next to the CLI bundle (dist/meshnode-worker.mjs, see
 * scripts/bundle.mjs), or — when this module runs from its TypeScript source, as in the unit
 * tests — the compiled one in dist/ (so `npm run build` first).
 */
export function workerScript (): string {
  const here = fileURLToPath(import.meta.url)
  const candidates = [
    new URL('./meshnode-worker.mjs', import.meta.url),
    new URL('./worker.js', import.meta.url),
    ...(here.endsWith('.ts') ? [new URL('../../../dist/src/work/isolation/worker.js', import.meta.url)] : [])
  ].map(u => fileURLToPath(u))
  const found = candidates.find(p => existsSync(p))
  if (found == null) throw new WorkError('BAD_HANDLERS', `cannot find the handler worker script (looked for ${candidates.join(', ')}); run npm run build`)
  return found
}
