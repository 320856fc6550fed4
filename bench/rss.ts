// bench/rss: a node's resident memory and start-up CPU, for one or more builds side by side
// (A/B interleaved in the same run, so load hits every build alike). It prints figures; it never
// passes or fails on them.
//
//   node dist/bench/rss.js --bins bin/meshnode.js,/work/wt/x-before/bin/meshnode.js \
//     --modes lone,mesh,burst --rounds 2 --base-port 20200
//
// Modes (each round runs every mode for every build before the next round):
// - lone:  one node alone; start-up CPU = user+sys CPU of the process when its log says
//          "meshnode started"; RSS (VmRSS, and its anonymous / file-backed parts) after --idle-s.
// - mesh:  a fresh --nodes node cluster (scripts/cluster-lib up); start-up CPU of each process
//          as above; RSS of each node --idle-s after the last one started.
// - burst: one node (--concurrency 4), --burst-jobs one-task echo jobs submitted as
//          bench/lib/mesh-jobs.ts does (1000 per request, 4 requests in flight), then idle:
//          RSS and heap in use (`status`) sampled every 10 s for --burst-idle-s.
// RSS is read from /proc/<pid>/status; CPU from /proc/<pid>/stat.
import { Command } from 'commander'
import { readFileSync, mkdtempSync, rmSync } from 'node:fs'
import { spawn } from 'node:child_process'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { NODE_FLAGS, down, shebangFlags, statusAll, up, waitUntil } from '../scripts/cluster-lib.js'
import { startBenchCluster } from './lib/mesh-jobs.js'
import { loadavg, procCpuMs } from './lib/machine.js'
import { mean, median, sleep } from './lib/stats.js'

interface Mem { rss: number, anon: number, file: number }

function procMem (pid: number): Mem | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+)\\s+kB`, 'm').exec(text)?.[1] ?? NaN) / 1024
    return { rss: kb('VmRSS'), anon: kb('RssAnon'), file: kb('RssFile') }
  } catch {
    return undefined
  }
}

const f1 = (n: number): string => n.toFixed(1)

/**
 * Where a process's resident anonymous memory lies, from /proc/<pid>/smaps: the brk heap
 * (glibc's main malloc arena), then anonymous mappings grouped by size and permissions, largest
 * resident total first (64 MiB groups of rw-p + ---p are glibc thread arenas; 256 KiB ones V8
 * heap pages; 8 MiB ones thread stacks).
 */
function anonMap (pid: number): string {
  let text = ''
  try { text = readFileSync(`/proc/${pid}/smaps`, 'utf8') } catch { return '' }
  const groups = new Map<string, { kb: number, n: number }>()
  let key: string | undefined
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line)
    if (m != null) {
      const size = (parseInt(m[2]!, 16) - parseInt(m[1]!, 16)) / 1024
      key = m[4] === '[heap]' ? 'brk heap' : m[4] !== '' ? undefined : `${size >= 1024 ? `${Math.round(size / 1024)} MiB` : `${size} KiB`} ${m[3]}`
    } else if (key != null && line.startsWith('Rss:')) {
      const g = groups.get(key) ?? { kb: 0, n: 0 }
      g.kb += Number(line.split(/\s+/)[1])
      g.n++
      groups.set(key, g)
    }
  }
  return 'anon RSS by mapping: ' + [...groups].filter(([, g]) => g.kb >= 1024).sort((a, b) => b[1].kb - a[1].kb).slice(0, 6).map(([k, g]) => `${f1(g.kb / 1024)} MiB in ${g.n} x ${k}`).join(', ')
}

async function startupCpu (pid: number, log: string, timeoutMs = 60_000): Promise<number> {
  const t0 = Date.now()
  for (;;) {
    let text = ''
    try { text = readFileSync(log, 'utf8') } catch {}
    if (text.includes('"msg":"meshnode started')) return procCpuMs(pid) ?? NaN
    if (Date.now() - t0 > timeoutMs) throw new Error(`no "meshnode started" in ${log} within ${timeoutMs} ms`)
    await sleep(10)
  }
}

async function lone (bin: string, port: number, idleS: number): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'rss-lone-'))
  const log = join(dir, 'node.log')
  const { openSync, closeSync } = await import('node:fs')
  const fd = openSync(log, 'a')
  const child = spawn(process.execPath, [...(shebangFlags(bin) ?? NODE_FLAGS), bin, 'start', '--data-dir', join(dir, 'n'), '--listen', `/ip4/127.0.0.1/tcp/${port}`, '--http', `127.0.0.1:${port + 100}`], { stdio: ['ignore', fd, fd] })
  closeSync(fd)
  try {
    const cpu = await startupCpu(child.pid!, log)
    await sleep(idleS * 1000)
    const m = procMem(child.pid!)!
    return `start-up CPU ${cpu} ms; RSS after ${idleS} s ${f1(m.rss)} MiB (anon ${f1(m.anon)}, file ${f1(m.file)}); ${anonMap(child.pid!)}; load ${loadavg()}`
  } finally {
    child.kill('SIGKILL')
    await sleep(300)
    rmSync(dir, { recursive: true, force: true })
  }
}

async function mesh (bin: string, nodes: number, basePort: number, idleS: number): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'rss-mesh-'))
  try {
    const state = await up(nodes, { dir, basePort, bin, httpBasePort: basePort + 100 })
    const cpus = await Promise.all(state.nodes.map(async n => await startupCpu(n.pid, n.log)))
    await sleep(idleS * 1000)
    const mems = state.nodes.map(n => procMem(n.pid)!)
    const map = anonMap(state.nodes[0]!.pid)
    const alive = (await statusAll(dir, 3_000)).map(s => s.status?.peers.filter(p => p.state === 'alive').length ?? -1)
    const rss = mems.map(m => m.rss)
    return `start-up CPU per process mean ${f1(mean(cpus))} ms (max ${Math.max(...cpus)}); RSS after ${idleS} s mean ${f1(mean(rss))} / median ${f1(median(rss))} / max ${f1(Math.max(...rss))} MiB (anon mean ${f1(mean(mems.map(m => m.anon)))}, file mean ${f1(mean(mems.map(m => m.file)))}); alive peers seen ${alive.join(',')}; node 1 ${map}; load ${loadavg()}`
  } finally {
    await down(dir)
  }
}

async function burst (bin: string, basePort: number, jobs: number, idleS: number): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'rss-burst-'))
  const c = await startBenchCluster(1, dir, basePort, ['--concurrency', '4', '--http', `127.0.0.1:${basePort + 100}`], bin)
  try {
    const pid = c.pids[0]!
    const before = procMem(pid)!
    const cpu0 = procCpuMs(pid) ?? NaN
    const t0 = Date.now()
    let next = 0
    const worker = async (): Promise<void> => {
      while (next < jobs) {
        const n = Math.min(1000, jobs - next)
        next += n
        await c.admin('jobsSubmit', { jobs: Array.from({ length: n }, () => JSON.stringify({ type: 'echo' })) })
      }
    }
    await Promise.all(Array.from({ length: 4 }, worker))
    const heap = async (): Promise<number> => Number((await statusAll(dir, 5_000, c.client))[0]?.status?.memory?.heapUsedBytes ?? NaN) / 2 ** 20
    await waitUntil(async () => Number((await statusAll(dir, 5_000, c.client))[0]?.status?.counters.work_active_jobs ?? 1) === 0, 600_000, 'every job to finish', 50)
    const cpuPerJobUs = ((procCpuMs(pid) ?? NaN) - cpu0) * 1000 / jobs
    const jobsPerS = jobs * 1000 / (Date.now() - t0)
    const samples: string[] = []
    for (let t = 0; t <= idleS; t += 10) {
      if (t > 0) await sleep(10_000)
      const m = procMem(pid)!
      samples.push(`${t}s ${f1(m.rss)}/${f1(m.anon)}/${f1(await heap())}`)
    }
    return `burst ${Math.round(jobsPerS)} jobs/s, node CPU ${Math.round(cpuPerJobUs)} us per job; before burst RSS ${f1(before.rss)} MiB; after ${jobs} jobs, idle (rss/anon/heapUsed MiB): ${samples.join('  ')}; ${anonMap(pid)}; load ${loadavg()}`
  } finally {
    await c.stop()
  }
}

const program = new Command('rss')
  .option('--bins <list>', 'comma-separated bin/meshnode.js paths to compare', 'bin/meshnode.js')
  .option('--modes <list>', 'lone,mesh,burst', 'lone,mesh')
  .option('--rounds <n>', 'rounds (each runs every mode for every build)', '1')
  .option('--nodes <n>', 'mesh size', '10')
  .option('--idle-s <s>', 'idle seconds before RSS is read', '30')
  .option('--burst-jobs <n>', 'jobs in the burst', '20000')
  .option('--burst-idle-s <s>', 'idle seconds watched after the burst', '60')
  .option('--base-port <port>', 'first port (HTTP ports are +100)', '20200')
  .parse()
const o = program.opts()
const bins = String(o.bins).split(',').map(b => resolve(b))
const modes = String(o.modes).split(',')
const basePort = Number(o.basePort)
console.log(`bench/rss: ${bins.map(b => `${b} (node flags ${(shebangFlags(b) ?? NODE_FLAGS).join(' ')})`).join(', ')}; load ${loadavg()}`)
for (let r = 1; r <= Number(o.rounds); r++) {
  for (const mode of modes) {
    for (const bin of bins) {
      let line: string
      if (mode === 'lone') line = await lone(bin, basePort, Number(o.idleS))
      else if (mode === 'mesh') line = await mesh(bin, Number(o.nodes), basePort, Number(o.idleS))
      else if (mode === 'burst') line = await burst(bin, basePort, Number(o.burstJobs), Number(o.burstIdleS))
      else throw new Error(`unknown mode ${mode}`)
      console.log(`round ${r} ${mode} ${bin}: ${line}`)
    }
  }
}
