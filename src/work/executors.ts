// Executors: what actually runs a task. Handlers are plain functions `(payload, ctx) =>
// result`: the built-ins below, those given in code (library API), and --handlers modules —
// which the node runs in a pool of workers (isolation/; loadHandlers here is the in-process
// import the workers and --handler-isolation none use); `cmd` tasks are shell commands, run
// only on nodes started with --allow-commands. All get a per-attempt timeout and an abort
// signal (cancel, timeout, shutdown). An in-process handler that ignores the signal cannot be
// killed: its attempt is failed and its slot freed, and it is counted; a pooled one's worker
// is killed.

import { spawn as spawnProcess } from 'node:child_process'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import { JOB_LIMITS } from './limits.js'
import { WorkError } from './errors.js'
import { CMD_TYPE, type TaskInput } from './spec.js'

/** What a handler gets besides its payload. */
export interface TaskContext {
  readonly taskId: string
  readonly jobId: string
  /** 1 for the first try. */
  readonly attempt: number
  /** The PeerId of the node running it. */
  readonly node: string
  /** Aborted on timeout, cancel or shutdown: stop work and return or throw. */
  readonly signal: AbortSignal
  /**
   * Add a child task to the job's tree; returns its id. Children are committed only when this
   * task succeeds, so a failed attempt leaves none behind and a retry spawns the same ids.
   */
  spawn: (type: string, payload?: unknown, options?: Omit<TaskInput, 'type' | 'payload'>) => string
  /** Report progress (a number 0..1 or any small JSON value); shown by `meshnode job`. */
  progress: (value: unknown) => void
  /**
   * The engine's own contexts only (not for handlers): call `fn` once when the attempt is
   * aborted — what `signal` tells, without making one (the built-in sleep's per-task cost).
   */
  readonly [ON_ABORT]?: (fn: (reason: Error) => void) => void
}

/** Key of TaskContext's abort callback (the engine's contexts have it; others may not). */
export const ON_ABORT: unique symbol = Symbol('meshnode.onAbort')

export type Handler = (payload: any, ctx: TaskContext) => unknown
export type Handlers = Record<string, Handler>

/**
 * Built-in handlers, on every node: `echo` returns its payload; `sleep` waits
 * `{ms}` (honouring abort) and returns `{slept: ms}`; `fanout` spawns `{n}` children of
 * `{type}` with `{payload}` — the way to build a wide job from one submission.
 */
export const BUILTIN_HANDLERS: Handlers = {
  echo: (payload: unknown) => payload,
  sleep: (payload: { ms?: unknown }, ctx: TaskContext) => {
    const ms = Number(payload?.ms ?? 0)
    if (!Number.isFinite(ms) || ms < 0) return Promise.reject(new Error('sleep needs {"ms": non-negative number}'))
    if (ctx[ON_ABORT] == null) return sleep(ms, undefined, { signal: ctx.signal }).then(() => ({ slept: ms }))
    // One timer and one callback: the AbortSignal and its listener cost more than the timer
    // (BENCHMARKS.md, issue 14, stop 44).
    return new Promise((resolve, reject) => {
      const timer = setTimeout(resolve, ms, { slept: ms })
      ctx[ON_ABORT]!(reason => {
        clearTimeout(timer)
        reject(reason)
      })
    })
  },
  fanout: (payload: { n?: unknown, type?: unknown, payload?: unknown }, ctx: TaskContext) => {
    const n = Number(payload?.n)
    if (!Number.isSafeInteger(n) || n < 0 || n > JOB_LIMITS.rootTasks) throw new Error(`fanout needs {"n": 0..${JOB_LIMITS.rootTasks}, "type": "handler", "payload"?: any}`)
    if (typeof payload.type !== 'string') throw new Error('fanout needs a child "type"')
    for (let i = 0; i < n; i++) ctx.spawn(payload.type, payload.payload)
    return { spawned: n }
  }
}

/** Loads handler modules: a default-exported object of functions, or named function exports. */
export async function loadHandlers (paths: readonly string[]): Promise<Handlers> {
  const out: Handlers = {}
  for (const path of paths) {
    let mod: Record<string, unknown>
    try {
      mod = await import(pathToFileURL(resolve(path)).href)
    } catch (err) {
      throw new WorkError('BAD_HANDLERS', `cannot load handlers from ${path}: ${(err as Error).message}`, { cause: err })
    }
    const source = (mod.default != null && typeof mod.default === 'object') ? mod.default as Record<string, unknown> : mod
    let found = 0
    for (const [name, fn] of Object.entries(source)) {
      if (name === 'default' || typeof fn !== 'function') continue
      if (name === CMD_TYPE) throw new WorkError('BAD_HANDLERS', `${path}: "${CMD_TYPE}" is reserved for shell-command tasks; rename the handler`)
      if (!/^[A-Za-z0-9_.:-]{1,128}$/.test(name)) throw new WorkError('BAD_HANDLERS', `${path}: handler name "${name}" has characters outside A-Z a-z 0-9 _ . : -`)
      out[name] = fn as Handler
      found++
    }
    if (found === 0) throw new WorkError('BAD_HANDLERS', `${path} exports no handler functions (export default { name: async (payload, ctx) => result })`)
  }
  return out
}

export interface CommandPayload {
  cmd: string
  cwd?: string
  env?: Record<string, string>
}

export interface CommandResult {
  /** The exit code; null when a signal ended it. */
  code: number | null
  /** The signal that ended it, when one did. */
  signal?: string
  stdout: string
  stderr: string
  /** Set when stdout or stderr went over the limit and was cut (JOB_LIMITS.outputBytes each). */
  truncated?: boolean
}

/**
 * A task failure that still has a result to keep: a command that exited non-zero keeps its
 * output and exit code (the task's outcome carries both the error and this result).
 */
export class FailedWithResult extends Error {
  constructor (message: string, readonly result: unknown) {
    super(message)
  }
}

/**
 * Runs `sh -c cmd`; resolves with the output on exit 0; on another exit code or a signal
 * rejects with FailedWithResult (the same output and the code), and on abort with the reason.
 */
export async function runCommand (payload: CommandPayload, signal: AbortSignal): Promise<CommandResult> {
  if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('aborted')
  return await new Promise((resolvePromise, reject) => {
    const child = spawnProcess('/bin/sh', ['-c', payload.cmd], {
      cwd: payload.cwd,
      env: { ...process.env, ...(payload.env ?? {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so an abort reaches what the shell started, not only the shell
      // (otherwise `sleep 30` outlives the kill and holds the output pipes open).
      detached: true
    })
    const out = new Capped(JOB_LIMITS.outputBytes)
    const err = new Capped(JOB_LIMITS.outputBytes)
    child.stdout.on('data', (b: Buffer) => { out.push(b) })
    child.stderr.on('data', (b: Buffer) => { err.push(b) })
    let killTimer: NodeJS.Timeout | undefined
    const killGroup = (sig: NodeJS.Signals): void => {
      try {
        if (child.pid != null) process.kill(-child.pid, sig)
      } catch {
        child.kill(sig)
      }
    }
    const onAbort = (): void => {
      killGroup('SIGTERM')
      killTimer = setTimeout(() => { killGroup('SIGKILL') }, 2_000)
    }
    signal.addEventListener('abort', onAbort, { once: true })
    child.on('error', e => {
      signal.removeEventListener('abort', onAbort)
      reject(new Error(`cannot run command: ${e.message}`))
    })
    child.on('close', (code, sig) => {
      signal.removeEventListener('abort', onAbort)
      clearTimeout(killTimer)
      const truncated = out.truncated || err.truncated
      const result: CommandResult = { code, ...(sig != null ? { signal: sig } : {}), stdout: out.text(), stderr: err.text(), ...(truncated ? { truncated } : {}) }
      if (signal.aborted) reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'))
      else if (code === 0) resolvePromise(result)
      else reject(new FailedWithResult(`command exited with ${sig != null ? `signal ${sig}` : `code ${String(code)}`}${result.stderr !== '' ? `: ${result.stderr.trim().slice(-500)}` : ''}`, result))
    })
  })
}

/** Keeps the first `max` bytes of a stream and notes that the rest was cut. */
class Capped {
  private readonly parts: Buffer[] = []
  private size = 0
  private cut = false
  constructor (private readonly max: number) {}

  push (b: Buffer): void {
    if (this.size >= this.max) {
      this.cut = true
      return
    }
    const take = b.subarray(0, this.max - this.size)
    if (take.length < b.length) this.cut = true
    this.parts.push(take)
    this.size += take.length
  }

  get truncated (): boolean {
    return this.cut
  }

  text (): string {
    return Buffer.concat(this.parts).toString('utf8') + (this.cut ? '\n[output truncated]' : '')
  }
}
