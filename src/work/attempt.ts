// One attempt at running a task: calling its executor, racing an asynchronous handler
// against its timeout and aborts, and the abort signal handed to handlers (created only when
// a handler asks for it, since most never do). The engine decides what an outcome means.
// A handler from an isolated --handlers module (isolation/) runs in a worker the pool kills
// when it outlives its abort, so such an attempt never leaves an orphan behind.

import { WorkError } from './errors.js'
import { runCommand, type CommandPayload, type Handlers, type TaskContext } from './executors.js'
import { isIsolated } from './isolation/index.js'
import { CMD_TYPE, type Task } from './spec.js'

export interface Running {
  task: Task
  startedAt: number
  progress?: unknown
  /** performance.now() at start, for the task-duration average. */
  t0: number
  /**
   * A synchronous handler's own running time, measured around the call. Its result is
   * delivered in a microtask, after whatever else the event loop runs first (other tasks'
   * completions, a store flush); timing it to then would charge that to the task, and a burst
   * of sub-millisecond tasks would look slow enough to lend.
   */
  syncMs?: number
  /** How long the task waited in this node's queue before this attempt (the latency history's queue wait). */
  waitMs?: number
  /** Created only when the handler asks for ctx.signal (most never do). */
  controller?: AbortController
  /** Set when the attempt was aborted at its timeout (the event stream's task.timeout). */
  timedOut?: boolean
  /** Set once the attempt is aborted (timeout, cancel, shutdown). */
  abortReason?: Error
  /** Ends a pending attempt early; set while an asynchronous handler runs. */
  onAbort?: (reason: Error) => void
  /** A built-in handler's abort callback (onAbortOf): what the signal would do, without one. */
  aborted?: (reason: Error) => void
  /** Runs in a handler worker, which is killed if it outlives its abort: never an orphan. */
  isolated?: boolean
}

/** Calls the task's executor; may throw, return a value, or return a promise. */
export function invoke (task: Task, ctx: TaskContext, run: Running, handlers: Handlers, allowCommands: boolean): unknown {
  const payload = JSON.parse(task.payload)
  if (task.type === CMD_TYPE) {
    if (!allowCommands) throw new Error('this node does not run shell commands (start it with --allow-commands)')
    return runCommand(payload as CommandPayload, signalOf(run))
  }
  const handler = handlers[task.type]
  if (handler == null) throw new Error(`no handler "${task.type}" on this node`)
  if (isIsolated(handler)) run.isolated = true
  return handler(payload, ctx)
}

/**
 * Hands the handler's outcome to `ok` or `failed` once, or `failed` the abort (timeout, cancel,
 * shutdown) when that comes first. `onOrphan` is told when an attempt ends while its
 * in-process handler is still running (it ignored its abort signal and cannot be stopped); an
 * isolated one is killed instead. The callbacks are called straight from the handler's
 * settlement — no promise of its own per attempt — and an abort's a microtask after it, so
 * the caller never sees an attempt end inside the call that aborted it. The timeout is not
 * kept here: the caller times its attempts with one timer (timeOut), not one per attempt.
 */
export function settle (run: Running, work: PromiseLike<unknown>, onOrphan: () => void, ok: (value: unknown) => void, failed: (err: unknown) => void): void {
  let settled = false
  let ended = false
  run.onAbort = reason => {
    if (ended) return
    ended = true
    run.onAbort = undefined
    if (!settled && run.isolated !== true) onOrphan()
    queueMicrotask(() => { failed(reason) })
  }
  work.then(value => {
    settled = true
    if (ended) return
    ended = true
    run.onAbort = undefined
    ok(value)
  }, err => {
    settled = true
    if (ended) return
    ended = true
    run.onAbort = undefined
    failed(err)
  })
  if (run.abortReason != null) run.onAbort(run.abortReason)
}

/** The attempt ran past its task's timeoutMs: abort it as timed out. */
export function timeOut (run: Running): void {
  if (run.abortReason == null) run.timedOut = true
  abortRun(run, new Error(`timed out after ${run.task.timeoutMs} ms`))
}

/** Whether the attempt was stopped by its node (shutdown): such an attempt is not a failure. */
export function stoppedByNode (run: Running): boolean {
  return run.abortReason instanceof WorkError
}

export function isThenable (x: unknown): x is PromiseLike<unknown> {
  return x != null && typeof (x as PromiseLike<unknown>).then === 'function'
}

export function signalOf (run: Running): AbortSignal {
  if (run.controller == null) {
    run.controller = new AbortController()
    if (run.abortReason != null) run.controller.abort(run.abortReason)
  }
  return run.controller.signal
}

/** Aborts an attempt once: its signal (if a handler took it) and its pending race. */
export function abortRun (run: Running, reason: Error): void {
  if (run.abortReason != null) return
  run.abortReason = reason
  run.controller?.abort(reason)
  run.aborted?.(reason)
  run.onAbort?.(reason)
}

/**
 * Calls `fn` once when the attempt is aborted (at once if it already was): for the built-in
 * handlers, which need no AbortSignal — making one and listening on it is an EventTarget and
 * two listener calls per attempt (BENCHMARKS.md, issue 14, stop 44). One callback an attempt.
 */
export function onAbortOf (run: Running, fn: (reason: Error) => void): void {
  if (run.abortReason != null) fn(run.abortReason)
  else run.aborted = fn
}
