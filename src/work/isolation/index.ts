// Handler isolation: --handlers modules run off the node's event loop, so a handler stuck in
// a synchronous loop cannot stall heartbeats, Raft or RPCs (a busy loop of 8 s made peers
// declare its node dead), and a task that outlives its timeout is really killed.
//
// Worker threads by default, child processes on request (--handler-isolation process), the
// event loop itself with `none`. Measured with bench/micro/isolation.ts (BENCHMARKS.md,
// "Handler isolation"), 2 cores: both cost about the same per task — 30–40 µs of the node's
// event loop and 30–50 µs of CPU for an echo, against ~1 µs in-process — and both isolate
// what the issue is about: the node's loop stalls < 100 ms during a 2 s busy loop (2 s
// in-process), and a handler ignoring its abort is killed ~250 ms after its timeout (never,
// in-process). They differ in weight: a thread costs ~8 MiB, a process ~49 MiB, and the pool
// has --concurrency of them (one per CPU by default). A thread also survives its handler's
// process.exit() and a JS heap out of memory (ERR_WORKER_OUT_OF_MEMORY ends the worker, not
// the node). What only a process contains: a native addon's crash, changes to process-wide
// state (cwd, env, signal handlers), and memory the node's RSS should not carry — so
// `process` is there for handlers that need it. Library-API handlers are closures, which
// cannot move to another thread: they stay in-process (that is the opt-out for trusted quick
// handlers), like the built-ins echo, sleep and fanout.
import { loadHandlers, type Handler, type Handlers } from '../executors.js'
import { HandlerPool, type IsolationMode, type PoolOptions } from './pool.js'

export { ABORT_GRACE_MS, HandlerPool, ISOLATION_MODES, workerScript } from './pool.js'
export type { IsolationMode, PoolCounters, PoolOptions } from './pool.js'

/** Marks a handler that stands for a pool's worker: its pool, to close it and read counters. */
const POOL = Symbol('meshnode.handlerPool')

type PooledHandler = Handler & { [POOL]: HandlerPool }

export interface LoadOptions {
  isolation: IsolationMode
  /** Pool size: the node's --concurrency. */
  size: number
  cpuFull?: PoolOptions['cpuFull']
  onWorkerExit?: PoolOptions['onWorkerExit']
}

/**
 * Loads --handlers modules. With isolation `none` they are imported here and run on the
 * node's event loop; otherwise one worker loads them now (a bad module fails the node's start
 * as before) and each handler becomes a stand-in that runs the task in the pool.
 */
export async function loadIsolatedHandlers (paths: readonly string[], opts: LoadOptions): Promise<Handlers> {
  if (opts.isolation === 'none' || paths.length === 0) return await loadHandlers(paths)
  const pool = new HandlerPool({ mode: opts.isolation, modules: paths, size: opts.size, ...(opts.cpuFull != null ? { cpuFull: opts.cpuFull } : {}), ...(opts.onWorkerExit != null ? { onWorkerExit: opts.onWorkerExit } : {}) })
  const names = await pool.start()
  const out: Handlers = {}
  for (const name of names) {
    const stand: Handler = async (payload, ctx) => await pool.run(name, payload, ctx)
    out[name] = Object.assign(stand, { [POOL]: pool })
  }
  return out
}

/** Whether a handler runs in a pool's worker (so it can be killed, and is never orphaned). */
export function isIsolated (handler: Handler | undefined): boolean {
  return handler != null && (handler as Partial<PooledHandler>)[POOL] != null
}

/** The pools behind a node's handlers (one at most today). */
export function poolsOf (handlers: Handlers): HandlerPool[] {
  return [...new Set(Object.values(handlers).filter(isIsolated).map(h => (h as PooledHandler)[POOL]))]
}

/** Stops the workers behind `handlers`; their running tasks fail as stopped by the node. */
export async function closeHandlers (handlers: Handlers): Promise<void> {
  await Promise.all(poolsOf(handlers).map(async p => { await p.close() }))
}
