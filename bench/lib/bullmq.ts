// BullMQ baseline for the throughput benchmark: the same no-op tasks pushed through BullMQ 5 on
// a private Redis, with workers as separate processes, so meshnode's figures have a well-known
// job queue beside them on the same machine.
//
// Modes:
// - many-jobs: `tasks` independent one-task jobs, added with queue.addBulk in chunks of 1000
//   (each chunk is one MULTI round trip). This is BullMQ's natural shape and its best case.
// - one-job: one job made of `tasks` tasks, done when the last task is. BullMQ's own form of
//   that is a flow: a FlowProducer parent with `tasks` children. The parent only becomes
//   runnable once every child has completed, and each child completion also updates the
//   parent's dependency set, so this is the honest equivalent of a meshnode job with tasks.
//   It is not BullMQ's fast path: FlowProducer.add writes the whole tree in one MULTI (Redis
//   does nothing else while it runs, and no child can start until it has). We measure it
//   anyway rather than substitute many-jobs, and report both. The end of a one-job run is
//   the parent's completion (what a caller waiting for "the job" sees); latency is per child.
//
// Timing: start = Date.now() just before the first add; end = the latest `finishedOn` (the
// parent's in one-job mode). Latency of a task = finishedOn − timestamp as BullMQ records them:
// `timestamp` is set by the producer when it builds the job (just before sending it),
// `finishedOn` by the worker in the call that moves the job to completed, both Date.now() on
// this machine. The workers note both from the job object BullMQ hands to their 'completed'
// listener (one array push per job, no I/O) and send them over IPC after the run. That is
// exact and lets jobs be removed on completion, which measured 5–10 % faster here than
// keeping them for a read-back; QueueEvents would add a reader of the event stream during the
// run, and its default 10 000-entry cap can drop events when 50 000 complete faster than it
// reads. tasks/s = tasks / (end − start).
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { FlowProducer, Queue, type JobsOptions } from 'bullmq'
import type { ToWorker, WorkerConfig, WorkerMessage } from './bullmq-worker.js'
import { machineBusyMs, procCpuMs } from './machine.js'
import { freePortBlock } from './ports.js'
import { quantile, sleep } from './stats.js'

export interface BullmqRun {
  mode: 'one-job' | 'many-jobs'
  tasks: number
  /** Worker processes. */
  workers: number
  /** BullMQ Worker concurrency in each process. */
  concurrency: number
  /** Jobs per addBulk call in many-jobs mode (default 1000). */
  chunk?: number
  /** Give up after this long (default 10 minutes). */
  timeoutMs?: number
  /** Where redis-server may listen (a bench's own port range); a free port chosen by pid otherwise. */
  redisPorts?: { from: number, count: number }
  /** Run this many tasks the same way first, with the same workers, and measure only what follows (MeshRun.warmup). */
  warmup?: number
}

export interface BullmqResult {
  tasksPerSec: number
  p50Ms: number
  p99Ms: number
  /** Start of the first add → last completion (the parent's, in one-job mode). */
  elapsedMs: number
  /** Start of the first add → the last add (or FlowProducer.add) returned. */
  addMs: number
  /** CPU time redis-server used from start to (detected) end, as % of one core. */
  redisCpuPct: number
  /**
   * CPU time used meanwhile by everything that is not this run (other processes on a shared
   * machine), as % of one core: a run with much of it is not a BullMQ figure.
   */
  foreignCpuPct: number
  redisVersion: string
  bullmqVersion: string
}

const REDIS_BIN = 'redis-server'
const QUEUE = 'bench'
const WORKER_JS = fileURLToPath(new URL('./bullmq-worker.js', import.meta.url))

export function bullmqVersion (): string {
  try {
    return String(createRequire(import.meta.url)('bullmq/package.json').version)
  } catch {
    return 'unknown'
  }
}

/** Resolves when something on 127.0.0.1:port answers PING with +PONG. */
async function redisPing (port: number): Promise<boolean> {
  return await new Promise(resolve => {
    const sock = connect({ host: '127.0.0.1', port })
    const done = (ok: boolean): void => { sock.destroy(); resolve(ok) }
    sock.setTimeout(500, () => done(false))
    sock.once('error', () => done(false))
    sock.once('connect', () => sock.write('PING\r\n'))
    sock.once('data', buf => done(buf.toString('latin1').startsWith('+PONG')))
  })
}

async function waitExit (child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode != null || child.signalCode != null) return true
  return await new Promise(resolve => {
    const t = setTimeout(() => resolve(false), timeoutMs)
    child.once('exit', () => { clearTimeout(t); resolve(true) })
  })
}

export async function stopChild (child: ChildProcess, graceful: () => void, graceMs: number): Promise<void> {
  if (child.exitCode != null || child.signalCode != null) return
  try { graceful() } catch {}
  if (await waitExit(child, graceMs)) return
  child.kill('SIGKILL')
  await waitExit(child, 5_000)
}

/** Everything one run started, so it can be torn down from any point (and on process exit). */
export class Resources {
  dir = mkdtempSync(join(tmpdir(), 'meshnode-bench-bullmq-'))
  redis?: ChildProcess
  workers: WorkerProc[] = []
  closers: Array<() => Promise<void>> = []
  // If the benchmark process exits without reaching `finally` (process.exit from a SIGINT
  // handler), still take redis and the workers down: 'exit' handlers may only be synchronous.
  private readonly onExit = (): void => {
    for (const c of [...this.workers.map(w => w.child), this.redis]) if (c != null && c.exitCode == null && c.signalCode == null) c.kill('SIGKILL')
    try { rmSync(this.dir, { recursive: true, force: true }) } catch {}
  }

  constructor () { process.once('exit', this.onExit) }

  async release (): Promise<void> {
    for (const close of this.closers.reverse()) await close().catch(() => {})
    await Promise.all(this.workers.map(async w => await stopChild(w.child, () => w.send({ type: 'stop' }), 3_000)))
    if (this.redis != null) { const r = this.redis; await stopChild(r, () => r.kill('SIGTERM'), 3_000) }
    rmSync(this.dir, { recursive: true, force: true })
    process.removeListener('exit', this.onExit)
  }
}

/** A private redis-server on a free port: one of `ports` (a bench's own range) when given. */
export async function startRedis (res: Resources, ports?: { from: number, count: number }): Promise<number> {
  const port = ports != null ? await freePortBlock(ports.from, 1, 1, ports.count) : await freePortBlock(16379 + (process.pid % 50) * 20, 1)
  const log = openSync(join(res.dir, 'redis.log'), 'a')
  // No persistence at all: a queue benchmark must not pay for RDB snapshots or an AOF fsync,
  // and meshnode's figures are compared against BullMQ, not against a disk.
  const child = spawn(REDIS_BIN, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', res.dir, '--daemonize', 'no'],
    { stdio: ['ignore', log, log] })
  closeSync(log)
  res.redis = child
  const spawnError = new Promise<never>((_resolve, reject) => child.once('error', err => reject(new Error(`cannot start ${REDIS_BIN}: ${err.message} (apt-get install redis-server)`))))
  spawnError.catch(() => {})
  const deadline = Date.now() + 10_000
  for (;;) {
    if (await Promise.race([redisPing(port), spawnError])) return port
    if (child.exitCode != null) throw new Error(`redis-server exited with ${child.exitCode}: ${readFileSync(join(res.dir, 'redis.log'), 'utf8').slice(-500)}`)
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer within 10 s`)
    await sleep(20)
  }
}

/** CPU ms used so far by the machine as a whole, by redis-server, and by the rest of this run. */
function cpuSample (res: Resources): { machine: number, redis: number, ours: number } {
  const redis = procCpuMs(res.redis?.pid ?? -1) ?? NaN
  const pids = [process.pid, ...res.workers.map(w => w.child.pid ?? -1)]
  const ours = pids.reduce((a, pid) => a + (procCpuMs(pid) ?? NaN), redis)
  return { machine: machineBusyMs(), redis, ours }
}

type Count = Extract<WorkerMessage, { type: 'count' }>

/** One worker process and its IPC channel (answers arrive in the order polls were sent). */
class WorkerProc {
  readonly child: ChildProcess
  readonly ready: Promise<void>
  private readonly waiting: Array<{ resolve: (c: Count) => void, reject: (e: Error) => void }> = []
  private failure?: Error

  constructor (readonly index: number, cfg: WorkerConfig) {
    // process.execPath: the same Node 24 that runs the benchmark, not whatever `node` is on PATH.
    this.child = spawn(process.execPath, [WORKER_JS, JSON.stringify(cfg)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    this.ready = new Promise<void>((resolve, reject) => {
      const fail = (err: Error): void => {
        this.failure ??= err
        reject(err)
        for (const w of this.waiting.splice(0)) w.reject(err)
      }
      this.child.on('message', (m: WorkerMessage) => {
        if (m.type === 'ready') resolve()
        else if (m.type === 'count') this.waiting.shift()?.resolve(m)
        else if (m.type === 'error') fail(new Error(`bullmq worker ${index}: ${m.message}`))
      })
      this.child.once('error', fail)
      this.child.once('exit', (code, sig) => fail(new Error(`bullmq worker ${index} exited (${code ?? sig})`)))
    })
    this.ready.catch(() => {})
  }

  send (m: ToWorker): void {
    if (this.child.connected) this.child.send(m)
  }

  async poll (latencies: boolean): Promise<Count> {
    if (this.failure != null) throw this.failure
    return await new Promise<Count>((resolve, reject) => {
      this.waiting.push({ resolve, reject })
      this.send({ type: 'poll', latencies })
    })
  }
}

async function startWorkers (res: Resources, port: number, n: number, concurrency: number, parentName?: string): Promise<void> {
  for (let i = 1; i <= n; i++) res.workers.push(new WorkerProc(i, { queue: QUEUE, port, concurrency, parentName }))
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_resolve, reject) => { timer = setTimeout(() => reject(new Error('bullmq workers not ready within 20 s')), 20_000) })
  try {
    await Promise.race([Promise.all(res.workers.map(async w => await w.ready)), timeout])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Asks the workers every 10 ms how many jobs they have completed until the total is `want`
 * (a few tiny IPC messages; Redis is not touched).
 */
async function waitCompleted (workers: WorkerProc[], want: number, deadline: number): Promise<void> {
  for (;;) {
    const counts = await Promise.all(workers.map(async w => await w.poll(false)))
    const done = counts.reduce((a, c) => a + c.completed, 0)
    if (done >= want) return
    if (Date.now() > deadline) throw new Error(`only ${done} of ${want} BullMQ jobs completed before the deadline`)
    await sleep(10)
  }
}

const PARENT = 'job'

export async function runBullmq (run: BullmqRun): Promise<BullmqResult> {
  const { mode, tasks, workers, concurrency } = run
  const chunk = run.chunk ?? 1_000
  const res = new Resources()
  try {
    const port = await startRedis(res, run.redisPorts)
    const connection = { host: '127.0.0.1', port }
    const queue = new Queue(QUEUE, { connection })
    res.closers.push(async () => { await queue.close() })
    await queue.waitUntilReady()
    const info = await (await queue.client).info()
    const redisVersion = /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown'
    const flow = mode === 'one-job' ? new FlowProducer({ connection }) : undefined
    if (flow != null) {
      res.closers.push(async () => { await flow.close() })
      await flow.waitUntilReady()
    }
    await startWorkers(res, port, workers, concurrency, flow != null ? PARENT : undefined)

    // Removed on completion (see the top of the file); kept on failure, though a no-op
    // cannot fail. One attempt: retries would only add bookkeeping.
    const opts: JobsOptions = { attempts: 1, removeOnComplete: true, removeOnFail: false }
    const add = async (count: number): Promise<void> => {
      if (flow == null) {
        for (let i = 0; i < count; i += chunk) {
          const n = Math.min(chunk, count - i)
          await queue.addBulk(Array.from({ length: n }, (_, k) => ({ name: 'task', data: { i: i + k }, opts })))
        }
      } else {
        await flow.add({
          name: PARENT,
          queueName: QUEUE,
          opts,
          children: Array.from({ length: count }, (_, i) => ({ name: 'task', queueName: QUEUE, data: { i }, opts }))
        })
      }
    }
    const deadline = Date.now() + (run.timeoutMs ?? 600_000)
    if ((run.warmup ?? 0) > 0) {
      await add(run.warmup!)
      await waitCompleted(res.workers, run.warmup! + (flow != null ? 1 : 0), deadline)
      for (const w of res.workers) w.send({ type: 'reset' })
    }
    const cpu0 = cpuSample(res)
    const start = Date.now()
    await add(tasks)
    const addMs = Date.now() - start
    await waitCompleted(res.workers, tasks + (flow != null ? 1 : 0), deadline)
    const cpu1 = cpuSample(res)
    const wallMs = Date.now() - start
    const counts = await Promise.all(res.workers.map(async w => await w.poll(true)))

    const latencies = counts.flatMap(c => c.latencies ?? [])
    if (latencies.length !== tasks) throw new Error(`${latencies.length} task latencies reported for ${tasks} tasks`)
    const end = flow != null
      ? counts.find(c => c.parentFinishedOn != null)?.parentFinishedOn ?? NaN
      : Math.max(...counts.map(c => c.lastFinishedOn))
    const elapsedMs = end - start
    return {
      tasksPerSec: tasks / (elapsedMs / 1_000),
      p50Ms: quantile(latencies, 0.5),
      p99Ms: quantile(latencies, 0.99),
      elapsedMs,
      addMs,
      redisCpuPct: (cpu1.redis - cpu0.redis) / wallMs * 100,
      foreignCpuPct: Math.max(0, (cpu1.machine - cpu0.machine) - (cpu1.ours - cpu0.ours)) / wallMs * 100,
      redisVersion,
      bullmqVersion: bullmqVersion()
    }
  } finally {
    await res.release()
  }
}
