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
