// bench/makespan: 10 000 tasks of 10 ms submitted as one job to one node of a 10-node
// cluster. Makespan = submit → the home records the job complete; ideal = total work /
// total slots (tasks × 10 ms / (nodes × --concurrency)). Prints figures; never fails on time.
//
//   node dist/bench/makespan.js [--nodes 10] [--tasks 10000] [--task-ms 10] [--concurrency 4] [--runs 3] [--build DIR] [--http-base-port P]
//
// --build runs the nodes of another built checkout (its bin/meshnode.js) with this client, so
// two builds are compared by the same bench. "first task done by node" is each node's first
// outcome after the submit, sorted (the home's is usually the first): how long the thieves
// stood idle at the start. "Per node" then splits each run from the outcomes alone (their
// finish times; a task's start is not reported): each node's tasks, its first and last
// outcome, the time it stalled mid-run (STALL_TASKS or more tasks' time between two of its
// outcomes, less the one task that ended the gap: with every slot busy one ends every task-ms /
// slots, so such a gap is a node that ran dry or whose event loop was held), and the end: the
// last outcome anywhere, and the home's completion record after it.
//
// The tasks are the built-in `sleep` handler (a timer, no CPU), so the ideal is reachable in
// principle even with ten nodes sharing two cores: what is measured is how fast idle nodes
// find and steal work, and how little the scheduling itself costs. The ideal is the nominal
// one: a `sleep` timer fires 0.1–0.4 ms late in a lone process and 1–2 ms late on a busy home
// (BENCHMARKS.md, issue 14, stop 49, helper refill26), which is in the makespan.
import { Command } from 'commander'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { untilFinished } from '../src/node/client/job-wait.js'
import { jobDetail, startBenchCluster } from './lib/mesh-jobs.js'
import { formatMachine, machineInfo, procCpuMs } from './lib/machine.js'
import { freePortBlock } from './lib/ports.js'
import { markdownTable, median, num } from './lib/stats.js'

const program = new Command('bench/makespan')
  .option('--nodes <n>', 'cluster size', '10')
  .option('--tasks <n>', 'tasks in the job', '10000')
  .option('--task-ms <ms>', 'duration of each task', '10')
  .option('--concurrency <n>', 'slots per node', '4')
  .option('--base-port <n>', 'first port to try for the cluster', '18600')
  .option('--runs <n>', 'jobs to run, one after another', '3')
  .option('--http-base-port <n>', "node i serves HTTP on this port + i - 1 (default: each node's own default)")
  .option('--build <dir>', 'run the nodes of this built checkout (default: this one)')
  .parse()
const opts = program.opts<{ nodes: string, tasks: string, taskMs: string, concurrency: string, runs: string, basePort: string, httpBasePort?: string, build?: string }>()
const N = Number(opts.nodes)
const TASKS = Number(opts.tasks)
const TASK_MS = Number(opts.taskMs)
const SLOTS = Number(opts.concurrency)

interface Outcome { taskId: string, node: string, finishedAt: number }

/** A gap of this many tasks' time between two outcomes of one node counts as that node stalled. */
const STALL_TASKS = 3

/** One node's share of a run, from its outcomes' finish times (ms after the submit). */
function nodeSpan (finishes: number[]): { tasks: number, first: number, last: number, stalledMs: number, stalls: number } {
  finishes.sort((a, b) => a - b)
  let stalledMs = 0
  let stalls = 0
  for (let i = 1; i < finishes.length; i++) {
    const gap = finishes[i]! - finishes[i - 1]!
    if (gap < STALL_TASKS * TASK_MS) continue
    stalledMs += gap - TASK_MS
    stalls++
  }
  return { tasks: finishes.length, first: finishes[0]!, last: finishes[finishes.length - 1]!, stalledMs, stalls }
}

async function main (): Promise<void> {
  console.log(formatMachine(machineInfo()))
  const dir = join(tmpdir(), `meshnode-bench-makespan-${process.pid}`)
  const basePort = await freePortBlock(Number(opts.basePort), N)
  const bin = opts.build != null ? join(resolve(opts.build), 'bin', 'meshnode.js') : undefined
  if (bin != null) console.log(`nodes: ${bin}`)
  const { admin, pids, stop } = await startBenchCluster(N, dir, basePort, ['--concurrency', String(SLOTS)], bin, opts.httpBasePort != null ? Number(opts.httpBasePort) : undefined)
  try {
    const ideal = TASKS * TASK_MS / (N * SLOTS)
    const rows: string[][] = []
    const firsts: string[] = []
    const spans: string[] = []
    const ratios: number[] = []
    for (let run = 1; run <= Number(opts.runs); run++) {
      const tasks = Array.from({ length: TASKS }, () => ({ type: 'sleep', payload: { ms: TASK_MS } }))
      const cpu0 = pids.map(p => procCpuMs(p) ?? 0)
      const t0 = Date.now()
      const id = (await admin('jobsSubmit', { jobs: [JSON.stringify({ tasks })] })).jobs[0]!.id
      // A long poll: the home is not asked anything while the job runs.
      const view: { state: string, finishedAt?: number } = await untilFinished(async waitMs => jobDetail(await admin('jobGet', { id, results: false, limit: 0, after: '', waitMs })), { minGapMs: 20, timeoutMs: 600_000 })
      if (view.state !== 'completed') throw new Error(`job ended ${view.state}`)
      const makespan = view.finishedAt! - t0
      const cpuPct = pids.reduce((a, p, i) => a + (procCpuMs(p) ?? 0) - cpu0[i]!, 0) / (Date.now() - t0) * 100
      // Outcomes, for the per-node spread and the real task duration.
      const outcomes: Outcome[] = []
      let after = ''
      for (;;) {
        const page = jobDetail(await admin('jobGet', { id, results: true, limit: 10_000, after })) as { results: Outcome[], next?: string }
        outcomes.push(...page.results)
        if (page.next == null) break
        after = page.next
      }
      const byNode = new Map<string, number[]>()
      for (const o of outcomes) {
        const list = byNode.get(o.node)
        if (list == null) byNode.set(o.node, [o.finishedAt - t0])
        else list.push(o.finishedAt - t0)
      }
      const perNode = [...byNode.values()].map(nodeSpan).sort((a, b) => a.first - b.first)
      firsts.push(`run ${run}: ${perNode.map(n => num(n.first)).join(', ')}`)
      const lastDone = Math.max(...perNode.map(n => n.last))
      spans.push(`run ${run} (last outcome ${num(lastDone)} ms, the home's completion record ${num(makespan - lastDone)} ms after it; ` +
        `stalled mid-run: ${num(perNode.reduce((a, n) => a + n.stalledMs, 0))} node-ms in ${perNode.reduce((a, n) => a + n.stalls, 0)} gaps):\n` +
        markdownTable(['node (by first outcome)', 'tasks', 'first done ms', 'last done ms', 'stalled mid-run ms (gaps)'], perNode.map((n, i) => [String(i + 1), String(n.tasks), num(n.first), num(n.last), `${num(n.stalledMs)} (${n.stalls})`])))
      const counts = perNode.map(n => n.tasks).sort((a, b) => a - b)
      const firstDone = Math.min(...outcomes.map(o => o.finishedAt))
      const ratio = makespan / ideal
      ratios.push(ratio)
      rows.push([String(run), num(makespan), num(ideal), num(ratio, 2), `${perNode.length}/${N}`, `${counts[0]}–${counts[counts.length - 1]}`, num(firstDone - t0), num(cpuPct)])
    }
    console.log(`\n${TASKS} tasks × ${TASK_MS} ms, ${N} nodes × ${SLOTS} slots, submitted to node 1 as one job\n`)
    console.log(markdownTable(['run', 'makespan ms', 'ideal ms', 'makespan/ideal', 'nodes used', 'tasks per node (min–max)', 'first task done ms', 'nodes CPU % of a core'], rows))
    console.log(`\nfirst task done by node, ms after the submit (sorted):\n${firsts.join('\n')}`)
    console.log(`\nper node, ms after the submit (stalled mid-run: gaps of ${STALL_TASKS}+ tasks' time between a node's outcomes, less one task; a thief that ran dry, or a loop held):\n\n${spans.join('\n\n')}`)
    console.log(`\nmedian makespan/ideal: ${num(median(ratios), 2)} (target ≤ 1.15)`)
  } finally {
    await stop()
  }
}

main().catch(err => {
  console.error(err)
  process.exitCode = 1
})
