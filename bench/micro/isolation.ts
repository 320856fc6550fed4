// Handler isolation: what it costs to run a --handlers module's tasks off the node's event
// loop, and what each way buys. Compares in-process calls (--handler-isolation none), a pool
// of worker threads (worker) and a pool of forked child processes (process) on
//   - per-task overhead of an echo-like handler (`same` in test/fixtures/spin.mjs), one and
//     two tasks in flight: wall time and CPU per task (the node's process and its children);
//   - start-up of a worker, and resident memory per worker;
//   - a handler busy-waiting 2 s: the longest stall of the node's event loop meanwhile;
//   - a handler ignoring its abort (a 500 ms timeout on a 10 s busy loop): when the attempt
//     ends, and when its CPU is taken back (the worker killed).
//   node dist/bench/micro/isolation.js [tasks]
import { readdirSync, readFileSync } from 'node:fs'
import os from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadHandlers, type Handlers, type TaskContext } from '../../src/work/executors.js'
import { HandlerPool } from '../../src/work/isolation/index.js'
import { formatMachine, machineInfo } from '../lib/machine.js'

const ROOT = resolve(fileURLToPath(import.meta.url), '../../../..')
const SPIN = join(ROOT, 'test', 'fixtures', 'spin.mjs')
const TASKS = Number(process.argv[2] ?? 20_000)
const PAYLOAD = { i: 0, text: 'x'.repeat(100) }
type Mode = 'none' | 'worker' | 'process'

function context (signal = new AbortController().signal): TaskContext {
  return { taskId: 'J/0', jobId: 'J', attempt: 1, node: 'bench', signal, spawn: () => 'J/0.0', progress: () => {} }
}

/** CPU time (user + system, ms) of this process's children, from /proc. */
function childrenCpuMs (): number {
  const tick = 100 // USER_HZ on Linux
  let ms = 0
  for (const pid of childPids()) {
    try {
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
      ms += (Number(f[11]) + Number(f[12])) * 1000 / tick
    } catch {}
  }
  return ms
}

function childPids (): number[] {
  const out: number[] = []
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue
    try {
      const f = readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1]!.split(' ')
      if (Number(f[1]) === process.pid) out.push(Number(d))
    } catch {}
  }
  return out
}

function rssOf (pid: number): number {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find(l => l.startsWith('VmRSS:'))
    return Number(line?.split(/\s+/)[1] ?? 0) / 1024
  } catch { return 0 }
}

interface Runner {
  run: (type: string, payload: unknown, ctx: TaskContext) => Promise<unknown>
  close: () => Promise<void>
  pool?: HandlerPool
}

async function runner (mode: Mode, size: number): Promise<Runner> {
  if (mode === 'none') {
    const h: Handlers = await loadHandlers([SPIN])
    return { run: async (type, payload, ctx) => await h[type]!(payload, ctx), close: async () => {} }
  }
  const pool = new HandlerPool({ mode, modules: [SPIN], size })
  await pool.start()
  return { run: async (type, payload, ctx) => await pool.run(type, payload, ctx), close: async () => { await pool.close() }, pool }
}

async function overhead (mode: Mode, inFlight: number): Promise<Record<string, unknown>> {
  const r = await runner(mode, inFlight)
  // Warm up: every worker started and its code optimised.
  await Promise.all(Array.from({ length: inFlight * 200 }, async (_, i) => await r.run('same', { ...PAYLOAD, i }, context())))
  const lat: number[] = []
  const elu0 = performance.eventLoopUtilization()
  const cpu0 = process.cpuUsage()
  const ch0 = childrenCpuMs()
  const t0 = performance.now()
  let next = 0
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (next < TASKS) {
      const i = next++
      const s = performance.now()
      await r.run('same', { ...PAYLOAD, i }, context())
      lat.push(performance.now() - s)
    }
  }))
  const wall = performance.now() - t0
  const elu = performance.eventLoopUtilization(elu0)
  const cpu = process.cpuUsage(cpu0)
  const childMs = childrenCpuMs() - ch0
  await r.close()
  lat.sort((a, b) => a - b)
  const us = (ms: number): number => Math.round(ms * 1000 * 10) / 10
  return {
    mode,
    inFlight,
    tasksPerSec: Math.round(TASKS / (wall / 1000)),
    wallUsPerTask: us(wall / TASKS),
    p50Us: us(lat[Math.floor(lat.length * 0.5)]!),
    p99Us: us(lat[Math.floor(lat.length * 0.99)]!),
    // The node's own event loop: what a task costs the thread that runs heartbeats and Raft.
    mainLoopUsPerTask: us(elu.active / TASKS),
    // Every thread and child process: what a task costs the machine.
    cpuUsPerTask: us(((cpu.user + cpu.system) / 1000 + childMs) / TASKS)
  }
}

async function footprint (mode: Exclude<Mode, 'none'>, workers: number): Promise<Record<string, unknown>> {
  const rss0 = process.memoryUsage().rss / 2 ** 20
  const t0 = performance.now()
  const pool = new HandlerPool({ mode, modules: [SPIN], size: workers })
  await pool.start()
  const firstMs = performance.now() - t0
  const t1 = performance.now()
  // All workers busy at once: the pool starts the rest.
  const holding = Array.from({ length: workers }, () => new AbortController())
  const held = holding.map(async c => await pool.run('hold', { mb: 0 }, context(c.signal)).catch(() => {}))
  await new Promise(resolve => setTimeout(resolve, 50))
  while (pool.counters.started < workers) await new Promise(resolve => setTimeout(resolve, 10))
  const allMs = performance.now() - t1
  await new Promise(resolve => setTimeout(resolve, 500))
  const mine = process.memoryUsage().rss / 2 ** 20 - rss0
  const kids = childPids().reduce((sum, pid) => sum + rssOf(pid), 0)
  for (const c of holding) c.abort(new Error('done'))
  await Promise.all(held)
  await pool.close()
  return { mode, workers, firstReadyMs: Math.round(firstMs), startRestMs: Math.round(allMs), rssPerWorkerMiB: Math.round((mine + kids) / workers * 10) / 10 }
}

async function stall (mode: Mode): Promise<Record<string, unknown>> {
  const r = await runner(mode, 1)
  // A 10 ms ticker stands for heartbeats: the longest gap between two ticks is the stall.
  let last = performance.now()
  let maxGap = 0
  const ticker = setInterval(() => {
    const now = performance.now()
    maxGap = Math.max(maxGap, now - last)
    last = now
  }, 10)
  const t0 = performance.now()
  await r.run('spin', { ms: 2000 }, context())
  const took = performance.now() - t0
  await new Promise(resolve => setTimeout(resolve, 50))
  clearInterval(ticker)
  await r.close()
  return { mode, taskMs: Math.round(took), eventLoopMaxGapMs: Math.round(maxGap) }
}

async function stubborn (mode: Mode): Promise<Record<string, unknown>> {
  const r = await runner(mode, 1)
  const c = new AbortController()
  const spinMs = mode === 'none' ? 3_000 : 10_000
  const t0 = performance.now()
  const timer = setTimeout(() => { c.abort(new Error('timed out after 500 ms')) }, 500)
  const ended = await r.run('spin', { ms: spinMs }, context(c.signal)).then(() => 'returned', () => 'failed')
  const endMs = performance.now() - t0
  clearTimeout(timer)
  let killedMs: number | undefined
  if (r.pool != null) {
    while (r.pool.counters.killed === 0 && performance.now() - t0 < 15_000) await new Promise(resolve => setTimeout(resolve, 5))
    killedMs = performance.now() - t0
  }
  await r.close()
  return { mode, spinMs, attempt: ended, attemptEndedMs: Math.round(endMs), cpuBackMs: Math.round(killedMs ?? endMs) }
}

console.log(formatMachine(machineInfo()))
console.log(`tasks: ${TASKS}, load average ${os.loadavg().map(l => l.toFixed(1)).join(' ')}`)
for (const inFlight of [1, 2]) for (const mode of ['none', 'worker', 'process'] as const) console.log(JSON.stringify(await overhead(mode, inFlight)))
for (const mode of ['worker', 'process'] as const) console.log(JSON.stringify(await footprint(mode, 4)))
for (const mode of ['none', 'worker', 'process'] as const) console.log(JSON.stringify(await stall(mode)))
for (const mode of ['none', 'worker', 'process'] as const) console.log(JSON.stringify(await stubborn(mode)))
