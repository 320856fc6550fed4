// bench/completion: how long after a job's last task finishes does its submitter (the home
// node) know the job is complete? On a 10-node cluster, jobs whose tasks are spread by
// stealing, one after another. Prints figures; never fails on a time.
//
//   node dist/bench/completion.js [--nodes 10] [--jobs 100] [--tasks 200] [--task-ms 5] [--concurrency 4]
//        [--parallel 1] [--build DIR]
//
// --parallel K keeps K jobs running at once at the home (each submitted when one ends): a
// thief then holds tasks of several jobs of one home, as a busy home's thieves do. The
// default, 1, runs the jobs one after another.
//
// --build runs the nodes of another checkout (built: its bin/meshnode.js), with this client,
// for A/B runs. With 100 jobs the p99 is the slowest job but one: p90 and the mean say more
// about a change than a tail set by the scheduler of a shared machine.
//
// Per job: detection latency = the home's finishedAt (completion recorded) − lastTaskAt (the
// latest finishedAt among the task outcomes, stamped by the executing node). Both are this
// machine's clock. The path it covers: the last task's result travels to the home, the
// executor's batches signal back up the Dijkstra–Scholten tree, and the home sees its deficit
// reach zero. Only jobs that ran on more than one node count as "distributed".
//
// Below the table (Linux): how the scheduler treated the nodes' main threads (their event
// loops) over the run — the share of a core they ran, and the share they were runnable but
// waited for a CPU, all nodes and the home. A home that waits for a CPU for most of the run
// answers every message late, the completing one included (BENCHMARKS.md, issue 14, stop 37):
// compare runs, and builds, only at like figures here. Then the five slowest distributed
// jobs (with ~100 jobs the p99 is the second of them: read it against the others) and which
// node led Raft.
import { Command } from 'commander'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { untilFinished } from '../src/node/client/job-wait.js'
import { jobDetail, startBenchCluster } from './lib/mesh-jobs.js'
import { statusAll } from '../scripts/cluster-lib.js'
import { formatMachine, machineInfo, procSchedMs } from './lib/machine.js'
import { freePortBlock } from './lib/ports.js'
import { markdownTable, max, mean, num, quantile } from './lib/stats.js'

const program = new Command('bench/completion')
  .option('--nodes <n>', 'cluster size', '10')
  .option('--jobs <n>', 'jobs, run one after another', '100')
  .option('--tasks <n>', 'tasks per job', '200')
  .option('--task-ms <ms>', 'duration of each task', '5')
  .option('--concurrency <n>', 'slots per node', '4')
  .option('--parallel <n>', 'jobs running at once at the home', '1')
  .option('--base-port <n>', 'first port to try for the cluster', '18500')
  .option('--build <dir>', 'run the nodes of this built checkout (default: this one)')
  .parse()
const opts = program.opts<{ nodes: string, jobs: string, tasks: string, taskMs: string, concurrency: string, parallel: string, basePort: string, build?: string }>()
const N = Number(opts.nodes)

interface JobView { state: string, finishedAt: number, lastTaskAt: number, byNode: Record<string, number> }

async function main (): Promise<void> {
  console.log(formatMachine(machineInfo()))
  const dir = join(tmpdir(), `meshnode-bench-completion-${process.pid}`)
  const basePort = await freePortBlock(Number(opts.basePort), N)
  const bin = opts.build != null ? join(resolve(opts.build), 'bin', 'meshnode.js') : undefined
  if (bin != null) console.log(`Nodes:   ${bin}`)
  const { admin, pids, stop, client } = await startBenchCluster(N, dir, basePort, ['--concurrency', opts.concurrency], bin)
  try {
    const distributed: number[] = []
    const local: number[] = []
    const spread: number[] = []
    const sched0 = pids.map(procSchedMs)
    const t0 = performance.now()
    const runJob = async (): Promise<void> => {
      const tasks = Array.from({ length: Number(opts.tasks) }, () => ({ type: 'sleep', payload: { ms: Number(opts.taskMs) } }))
      const id = (await admin('jobsSubmit', { jobs: [JSON.stringify({ tasks })] })).jobs[0]!.id
      // A long poll: nothing asks the home anything while the job runs (polling every 10 ms
      // cost the home ~9 % of a core, on the path being measured).
      const view: JobView = await untilFinished(async waitMs => jobDetail(await admin('jobGet', { id, results: false, limit: 0, after: '', waitMs })), { minGapMs: 10, timeoutMs: 120_000 })
      if (view.state !== 'completed') throw new Error(`job ${id} ended ${view.state}`)
      const latency = view.finishedAt - view.lastTaskAt
      const nodes = Object.keys(view.byNode).length
      spread.push(nodes)
      if (nodes > 1) distributed.push(latency)
      else local.push(latency)
    }
    let submitted = 0
    const worker = async (): Promise<void> => {
      while (submitted < Number(opts.jobs)) {
        submitted++
        await runJob()
      }
    }
    await Promise.all(Array.from({ length: Math.max(1, Number(opts.parallel)) }, worker))
    const row = (name: string, xs: number[]): string[] => [name, String(xs.length), num(quantile(xs, 0.5)), num(quantile(xs, 0.9)), num(quantile(xs, 0.99)), num(max(xs)), num(mean(xs), 1)]
    console.log(`\n${opts.jobs} jobs × ${opts.tasks} tasks of ${opts.taskMs} ms, ${N} nodes × ${opts.concurrency} slots, submitted to node 1 ${Number(opts.parallel) > 1 ? `${opts.parallel} at a time` : 'one after another'}`)
    console.log(`nodes per job: median ${num(quantile(spread, 0.5))}, max ${num(max(spread))}\n`)
    console.log(markdownTable(['jobs', 'count', 'detection p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'mean ms'], [row('distributed', distributed), row('home only', local), row('all', [...distributed, ...local])]))
    printScheduler(pids, sched0, performance.now() - t0)
    console.log(`slowest distributed jobs, ms: ${[...distributed].sort((a, b) => b - a).slice(0, 5).map(x => num(x)).join(', ')}`)
    await printLeader(dir, client)
  } finally {
    await stop()
  }
}

/**
 * Which node led Raft at the end: a leader's heartbeats and appends to nine peers share the
 * home's CPU when the home leads (since the founding voter cap, only nodes 1–5 can).
 */
async function printLeader (dir: string, client: Parameters<typeof statusAll>[2]): Promise<void> {
  const all = await statusAll(dir, 2_000, client)
  const leader = all[0]?.status?.leader ?? ''
  const i = all.findIndex(x => x.status?.peerId === leader)
  console.log(`Raft leader at the end: ${i >= 0 ? `node ${i + 1}` : 'none known'} (the home is node 1)`)
}

/** What the scheduler did to the nodes' main threads (see the top of this file). */
function printScheduler (pids: number[], sched0: Array<ReturnType<typeof procSchedMs>>, wallMs: number): void {
  const sched1 = pids.map(procSchedMs)
  if (sched0.some(s => s == null) || sched1.some(s => s == null)) return
  const pct = (ms: number): string => `${num(100 * ms / wallMs)} %`
  const run = sched1.map((s, i) => s!.runMs - sched0[i]!.runMs)
  const wait = sched1.map((s, i) => s!.waitMs - sched0[i]!.waitMs)
  const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0)
  console.log(`\nnode main threads over the run (schedstat, share of one core): running ${pct(sum(run))} (home ${pct(run[0]!)}), runnable but waiting for a CPU ${pct(sum(wait))} (home ${pct(wait[0]!)})`)
}

main().catch(err => {
  console.error(err)
  process.exitCode = 1
})
