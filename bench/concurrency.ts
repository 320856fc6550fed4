// bench/concurrency: --concurrency auto against fixed slot counts, on a mixed workload of two
// halves, alternating:
//
// - I/O-bound: the built-in `sleep`, 20–50 ms on the node's event loop — a task that waits on
//   something else (a network call, a disk, another service) and costs this node ~no CPU.
//   More slots buy throughput linearly until the CPU half saturates the machine.
// - CPU-bound: test/fixtures/spin.mjs `burn` in the node's handler worker threads — a FIXED
//   amount of CPU work (xorshift rounds: --cpu-iterations, default ~3 ms of one idle core of
//   the bench machine, calibrated once: 690 000 rounds/ms, AMD EPYC, Node 24). With more
//   threads than cores such a task takes longer, never less CPU, like real CPU-bound work. (The
//   wall-time `spin` of earlier stops ended after 3 ms of wall time whatever CPU it got, so
//   more threads than cores made the CPU half cheaper and rewarded over-provisioning.)
//
// One job per setting, submitted to node 1 of a fresh cluster (so auto starts from
// --min-concurrency every time); makespan = submit → the home records the job complete. Prints
// figures; never fails on them. The "others %" column is the CPU the rest of the machine used
// during the run (% of a core): a row with much of it measured a neighbour too.
//
//   node dist/bench/concurrency.js [--nodes 1,3] [--settings 1,2,4,8,16,64,auto] [--tasks 4000]
//                                  [--cpu-ms 3 | --cpu-iterations N] [--io-min-ms 20]
//                                  [--io-max-ms 50] [--runs 1] [--bin other/bin/meshnode.js]
//
// --bin runs another build's nodes (e.g. a worktree of main) under this bench and fixture,
// for an A/B on the same workload.
//
// Which setting is best depends on the machine and the mix: fewer slots than the sleeps need
// leave the CPU idle, more than the CPU can feed only add threads and contention. Auto has to
// find that point itself, from the CPU and its queue, while the job runs.
import { Command } from 'commander'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { statusAll, waitUntil } from '../scripts/cluster-lib.js'
import { jobDetail, startBenchCluster } from './lib/mesh-jobs.js'
import { foreignCpu, formatMachine, loadavg, machineInfo, procCpuMs } from './lib/machine.js'
import { freePortBlock } from './lib/ports.js'
import { markdownTable, median, num } from './lib/stats.js'

const program = new Command('bench/concurrency')
  .option('--nodes <list>', 'cluster sizes to run', '1,3')
  .option('--settings <list>', '--concurrency values to compare', '1,2,4,8,16,64,auto')
  .option('--tasks <n>', 'tasks in each job (half I/O, half CPU)', '4000')
  .option('--cpu-ms <ms>', 'CPU work of each CPU-bound task, in ms of one idle core of the bench machine', '3')
  .option('--cpu-iterations <n>', 'CPU work of each CPU-bound task, in xorshift rounds (overrides --cpu-ms)')
  .option('--io-min-ms <ms>', 'shortest I/O-bound task', '20')
  .option('--io-max-ms <ms>', 'longest I/O-bound task', '50')
  .option('--runs <n>', 'jobs per setting (median reported)', '1')
  .option('--base-port <port>', 'first port tried for the clusters', '20500')
  .option('--bin <path>', "another build's bin/meshnode.js to run the nodes with")
  .parse()
const opts = program.opts<{ nodes: string, settings: string, tasks: string, cpuMs: string, cpuIterations?: string, ioMinMs: string, ioMaxMs: string, runs: string, basePort: string, bin?: string }>()
const TASKS = Number(opts.tasks)
/** `burn` rounds per ms of one idle core of the bench machine (AMD EPYC, Node 24; min of 30 runs). */
const ROUNDS_PER_MS = 690_000
const CPU_ITERATIONS = opts.cpuIterations != null ? Number(opts.cpuIterations) : Math.round(Number(opts.cpuMs) * ROUNDS_PER_MS)
const IO_MIN = Number(opts.ioMinMs)
const IO_MAX = Number(opts.ioMaxMs)
const HERE = dirname(fileURLToPath(import.meta.url))
// dist/bench → the repo's test/fixtures (bench runs from dist/, the fixture is plain JS).
const SPIN = resolve(HERE, '../../test/fixtures/spin.mjs')

/** The job: I/O and CPU tasks alternating, the I/O durations spread evenly over their range. */
function tasks (): Array<{ type: string, payload: unknown }> {
  return Array.from({ length: TASKS }, (_, i) => i % 2 === 0
    ? { type: 'sleep', payload: { ms: IO_MIN + ((i / 2) * 7919) % (IO_MAX - IO_MIN + 1) } }
    : { type: 'burn', payload: { iterations: CPU_ITERATIONS } })
}

interface Row { nodes: number, setting: string, makespanMs: number, tasksPerSec: number, cpuPct: number, othersPct: number, slots: string, load: string }

async function runSetting (nodes: number, setting: string): Promise<Row> {
  const dir = join(tmpdir(), `meshnode-bench-concurrency-${process.pid}-${nodes}-${setting}`)
  const basePort = await freePortBlock(Number(opts.basePort), nodes, 5, 19)
  const { admin, client, pids, stop } = await startBenchCluster(nodes, dir, basePort, ['--concurrency', setting, '--handlers', SPIN, '--http', 'off'], opts.bin)
  try {
    const makespans: number[] = []
    let cpuPct = 0
    let othersPct = 0
    const peak = new Map<number, number>()
    const last = new Map<number, number>()
    for (let run = 1; run <= Number(opts.runs); run++) {
      const cpu0 = pids.map(p => procCpuMs(p) ?? 0)
      const others = foreignCpu(pids)
      const t0 = Date.now()
      const id = (await admin('jobsSubmit', { jobs: [JSON.stringify({ tasks: tasks() })] })).jobs[0]!.id
      let view: { state: string, finishedAt?: number } = { state: 'running' }
      let polls = 0
      await waitUntil(async () => {
        view = jobDetail(await admin('jobGet', { id, results: false, limit: 0, after: '' }))
        // Every ~250 ms, what slots each node runs (auto moves them).
        if (++polls % 12 === 0) {
          for (const s of await statusAll(dir, 2_000, client)) {
            const v = Number(s.status?.counters.work_slots ?? 0)
            peak.set(s.entry.index, Math.max(peak.get(s.entry.index) ?? 0, v))
            last.set(s.entry.index, v)
          }
        }
        return view.state !== 'running'
      }, 900_000, 'the job to finish', 20)
      if (view.state !== 'completed') throw new Error(`job ended ${view.state}`)
      const makespan = view.finishedAt! - t0
      makespans.push(makespan)
      cpuPct = pids.reduce((a, p, i) => a + (procCpuMs(p) ?? 0) - cpu0[i]!, 0) / (Date.now() - t0) * 100
      othersPct = others()
    }
    const m = median(makespans)
    const slots = setting === 'auto' ? [...peak.keys()].sort().map(k => `${last.get(k)}/${peak.get(k)}`).join(' ') : setting
    return { nodes, setting, makespanMs: m, tasksPerSec: TASKS / m * 1000, cpuPct, othersPct, slots, load: loadavg() }
  } finally {
    await stop()
  }
}

async function main (): Promise<void> {
  console.log(formatMachine(machineInfo()))
  console.log(`${TASKS} tasks per job: half sleep ${IO_MIN}–${IO_MAX} ms (built-in, event loop), half burn ${CPU_ITERATIONS} rounds (~${num(CPU_ITERATIONS / ROUNDS_PER_MS, 1)} ms of CPU, worker threads); one job per setting on a fresh cluster${opts.bin != null ? `; nodes: ${opts.bin}` : ''}`)
  const rows: Row[] = []
  for (const nodes of opts.nodes.split(',').map(Number)) {
    for (const setting of opts.settings.split(',')) {
      const row = await runSetting(nodes, setting)
      rows.push(row)
      console.log(`nodes ${nodes} concurrency ${setting}: makespan ${num(row.makespanMs)} ms, ${num(row.tasksPerSec)} tasks/s, CPU ${num(row.cpuPct)} % of a core (others ${num(row.othersPct)} %), slots ${row.slots}, load ${row.load}`)
    }
  }
  const table: string[][] = []
  for (const nodes of [...new Set(rows.map(r => r.nodes))]) {
    const mine = rows.filter(r => r.nodes === nodes)
    const fixed = mine.filter(r => r.setting !== 'auto')
    const best = fixed.reduce((a, b) => b.makespanMs < a.makespanMs ? b : a, fixed[0]!)
    for (const r of mine) {
      table.push([String(nodes), r.setting, num(r.makespanMs), num(r.tasksPerSec), best != null ? num(r.makespanMs / best.makespanMs, 2) : '', num(r.cpuPct), num(r.othersPct), r.slots, r.load])
    }
  }
  console.log('\n' + markdownTable(['nodes', '--concurrency', 'makespan ms', 'tasks/s', 'vs best fixed', 'nodes CPU % of a core', 'others %', 'slots (auto: last/peak per node)', 'load average'], table))
  for (const nodes of [...new Set(rows.map(r => r.nodes))]) {
    const mine = rows.filter(r => r.nodes === nodes)
    const fixed = mine.filter(r => r.setting !== 'auto')
    const auto = mine.find(r => r.setting === 'auto')
    if (auto == null || fixed.length === 0) continue
    const best = fixed.reduce((a, b) => b.makespanMs < a.makespanMs ? b : a)
    const ratio = auto.makespanMs / best.makespanMs
    console.log(`${nodes} node(s): auto ${num(auto.makespanMs)} ms vs best fixed (${best.setting}) ${num(best.makespanMs)} ms: ${num(ratio, 3)}x — target: ≤ 1.05x`)
  }
}

main().then(() => process.exit(0), err => {
  console.error(err)
  process.exit(1)
})
