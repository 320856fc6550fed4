// What "the CPU allows" means for --concurrency auto (src/work/core/concurrency.ts): one
// number 0..1, the busiest of the three things that bound a CPU-bound task on this node.
//
// - The machine's cores (os.cpus() times): worker-thread and process-isolated handlers and
//   `cmd` tasks run on them, so more slots stop paying once all cores are busy — whoever
//   keeps them busy (another node, another program on the host).
// - This process's CPU over the cores it may use (process.cpuUsage, worker threads included,
//   over availableParallelism): the same bound where the machine counters see more CPUs than
//   the process may use (an affinity mask).
// - The node's event loop (performance.eventLoopUtilization): built-in, library and
//   --handler-isolation none handlers run on it, one at a time however many slots there are;
//   a loop busy all the time cannot take another task, whatever the machine's cores do.
//
// Cost, measured on the bench machine (Node 24, 2 cores): os.cpus() ~90 µs, process.cpuUsage
// ~1 µs, eventLoopUtilization ~0.3 µs; at 10 samples a second under load that is ~0.1 % of a
// core, and an idle node does not sample at all (WorkShell skips it).
import { availableParallelism, cpus } from 'node:os'
import { performance, type EventLoopUtilization } from 'node:perf_hooks'

interface CpuTimes { busy: number, total: number }

function machineTimes (): CpuTimes {
  let busy = 0
  let total = 0
  for (const c of cpus()) {
    const t = c.times
    const all = t.user + t.nice + t.sys + t.idle + t.irq
    total += all
    busy += all - t.idle
  }
  return { busy, total }
}

export interface CpuReading {
  /** The busiest of the three, 0..1. */
  cpu: number
  machine: number
  process: number
  eventLoop: number
}

/** Each read() covers the time since the previous one. */
export class CpuSampler {
  private machine = machineTimes()
  private proc = process.cpuUsage()
  private procAt = performance.now()
  private elu: EventLoopUtilization = performance.eventLoopUtilization()
  private readonly cores = Math.max(1, availableParallelism())

  read (): CpuReading {
    const m = machineTimes()
    const dTotal = m.total - this.machine.total
    const machine = dTotal > 0 ? (m.busy - this.machine.busy) / dTotal : 0
    this.machine = m
    const now = performance.now()
    const used = process.cpuUsage(this.proc)
    this.proc = process.cpuUsage()
    const wall = now - this.procAt
    this.procAt = now
    const proc = wall > 0 ? (used.user + used.system) / 1000 / wall / this.cores : 0
    const elu = performance.eventLoopUtilization()
    const eventLoop = performance.eventLoopUtilization(elu, this.elu).utilization
    this.elu = elu
    const clamp = (v: number): number => Number.isFinite(v) ? Math.max(0, Math.min(1, v)) : 0
    const r = { machine: clamp(machine), process: clamp(proc), eventLoop: clamp(eventLoop) }
    return { cpu: Math.max(r.machine, r.process, r.eventLoop), ...r }
  }
}

/**
 * The handler pool's "is the CPU full" (PoolOptions.cpuFull): whether this process — its event
 * loop and its handler workers — used at least `share` of the cores it may use over the last
 * window of at least `windowMs` (re-read when asked after that long; ~1 µs a read). The
 * node's own CPU, not the machine's: its own threads keeping every core busy says its workers
 * are computing (one is free soon, and another thread only time-slices the cores), while a
 * machine busy with others' work says nothing about what this node's tasks wait on (nor do
 * other nodes on the same host: each reads only its own share, and starts workers as before).
 * Worker threads count in the process's CPU; child processes (--handler-isolation process)
 * do not, so with those this reads full only when the event loop alone fills the cores.
 */
export function processCpuFull (share = PROCESS_FULL_SHARE, windowMs = 100): () => boolean {
  const cores = Math.max(1, availableParallelism())
  let at = performance.now()
  let used = process.cpuUsage()
  let full = false
  return () => {
    const now = performance.now()
    if (now - at < windowMs) return full
    const d = process.cpuUsage(used)
    used = process.cpuUsage()
    full = (d.user + d.system) / 1000 / (now - at) / cores >= share
    at = now
    return full
  }
}

/** At least this share of the cores busy with the node's own threads: no handler worker starts (see processCpuFull). */
export const PROCESS_FULL_SHARE = 0.9
