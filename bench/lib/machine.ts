// What the benchmark ran on, printed at the top of every report so figures can be compared.
import { readFileSync } from 'node:fs'
import os from 'node:os'

export interface MachineInfo {
  cpuModel: string
  cores: number
  availableParallelism: number
  totalMemGiB: number
  node: string
  kernel: string
  date: string
}

export function machineInfo (): MachineInfo {
  let cpuModel = os.cpus()[0]?.model ?? 'unknown'
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find(l => l.startsWith('model name'))
    if (line != null) cpuModel = line.split(':').slice(1).join(':').trim()
  } catch {}
  return {
    cpuModel,
    cores: os.cpus().length,
    availableParallelism: os.availableParallelism(),
    totalMemGiB: os.totalmem() / 2 ** 30,
    node: process.version,
    kernel: `${os.type()} ${os.release()} ${os.arch()}`,
    date: new Date().toISOString()
  }
}

export function formatMachine (m: MachineInfo): string {
  return [
    `CPU:     ${m.cpuModel}`,
    `Cores:   ${m.cores} (available parallelism ${m.availableParallelism})`,
    `Memory:  ${m.totalMemGiB.toFixed(1)} GiB`,
    `Node:    ${m.node}`,
    `Kernel:  ${m.kernel}`,
    `Date:    ${m.date}`
  ].join('\n')
}

/** The 1/5/15-minute load averages: a noisy neighbour shows up here. */
export function loadavg (): string {
  return os.loadavg().map(v => v.toFixed(2)).join(' / ')
}

/**
 * A process's main thread (a node's event loop) as Linux's scheduler saw it, from
 * /proc/<pid>/schedstat: ms on a CPU, and ms runnable but waiting in a run queue for one. The
 * second is what a loaded machine costs a node beyond its own work: on ten nodes sharing two
 * cores with other benches it was most of a busy home's wall time (BENCHMARKS.md, issue 14,
 * stop 37). Undefined off Linux or without schedstats.
 */
export function procSchedMs (pid: number): { runMs: number, waitMs: number } | undefined {
  try {
    const [run, wait] = readFileSync(`/proc/${pid}/schedstat`, 'utf8').trim().split(' ').map(Number)
    if (!Number.isFinite(run) || !Number.isFinite(wait)) return undefined
    return { runMs: run! / 1e6, waitMs: wait! / 1e6 }
  } catch {
    return undefined
  }
}

/** VmRSS and VmHWM (peak RSS) of a process, in MiB, from /proc/<pid>/status. */
export function procMemory (pid: number): { rssMiB: number, hwmMiB: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = (key: string): number => {
      const m = new RegExp(`^${key}:\\s+(\\d+)\\s+kB`, 'm').exec(text)
      return m == null ? NaN : Number(m[1])
    }
    return { rssMiB: kb('VmRSS') / 1024, hwmMiB: kb('VmHWM') / 1024 }
  } catch {
    return undefined
  }
}

/**
 * Voluntary context switches of a process's main thread so far (/proc/<pid>/status): each is
 * the event loop going to sleep, so their rate is its wake-ups (timers fired, sockets read).
 */
export function procWakeups (pid: number): number | undefined {
  try {
    const m = /^voluntary_ctxt_switches:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m == null ? undefined : Number(m[1])
  } catch {
    return undefined
  }
}

/** CPU time (user + system) a process has used so far, in ms, from /proc/<pid>/stat. */
export function procCpuMs (pid: number, clockTicks = 100): number | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name (field 2) may contain spaces; the fields after it are space-separated.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) * 1000 / clockTicks
  } catch {
    return undefined
  }
}

/** Busy CPU time of the whole machine so far, in ms, from the first line of /proc/stat. */
export function machineBusyMs (clockTicks = 100): number {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number)
    // user nice system idle iowait irq softirq steal: everything but idle and iowait.
    const busy = (f[0] ?? 0) + (f[1] ?? 0) + (f[2] ?? 0) + (f[5] ?? 0) + (f[6] ?? 0) + (f[7] ?? 0)
    return busy * 1000 / clockTicks
  } catch {
    return NaN
  }
}

/**
 * The machine is shared (tests and clusters of other sessions run on the same 2 cores), and a
 * benchmark that saturates both cores loses half its figure when anything else runs. The
 * load average lags by a minute, and CPU pressure stays near 0 while a neighbour has a core to
 * itself, so look at busy time directly: wait for a 1 s window in which the machine was busy
 * below `limitPct` % of a core, for up to `maxMs`. Returns what it saw, for the log.
 */
export async function settle (limitPct = 10, maxMs = 120_000): Promise<string> {
  const deadline = Date.now() + maxMs
  let pct = NaN
  do {
    const a = machineBusyMs()
    await new Promise(resolve => setTimeout(resolve, 1_000))
    pct = (machineBusyMs() - a) / 10
  } while (Number.isFinite(pct) && pct >= limitPct && Date.now() < deadline)
  return `machine busy ${Math.round(pct)} % of a core, load ${loadavg()}`
}

/**
 * Starts measuring how much CPU the rest of the machine uses while a run's own processes
 * (`pids`, this process included) work; the returned function gives it as % of one core over
 * the time since. A figure measured while others used a lot is a figure of the neighbour too.
 */
export function foreignCpu (pids: readonly number[]): () => number {
  const all = [process.pid, ...pids]
  const ours = (): number => all.reduce((a, p) => a + (procCpuMs(p) ?? 0), 0)
  const m0 = machineBusyMs()
  const o0 = ours()
  const t0 = Date.now()
  return () => Math.max(0, (machineBusyMs() - m0) - (ours() - o0)) / Math.max(1, Date.now() - t0) * 100
}
