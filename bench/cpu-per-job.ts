// bench/cpu-per-job: one-task jobs through one or more builds of meshnode, interleaved round by
// round, reporting tasks/s and the CPU every node process spent per job. On a shared machine
// tasks/s swings with whatever else runs; CPU per job moves much less, and interleaving the
// builds puts them under the same load. This is the A/B driver behind the issue-14 figures in
// BENCHMARKS.md; `bench/throughput` is the one that runs BullMQ beside meshnode.
//
//   node dist/bench/cpu-per-job.js [--builds DIR,DIR...] [--nodes 3] [--jobs 50000]
//        [--rounds 3] [--concurrency 64] [--chunk 1000] [-- extra node flags...]
//
// A build is a checkout with `npm run build` done (its bin/meshnode.js runs; this checkout's
// bench code drives it over the admin protocol). Default: this checkout only.
import { Command } from 'commander'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { formatMachine, loadavg, machineInfo } from './lib/machine.js'
import { runMesh, type NodeMessages } from './lib/mesh-jobs.js'
import { freePortBlock } from './lib/ports.js'
import { markdownTable, mean, num } from './lib/stats.js'

const here = resolve(fileURLToPath(import.meta.url), '../../..')
const program = new Command('bench/cpu-per-job')
  .option('--builds <dirs>', 'checkouts to compare, comma-separated (each built)', here)
  .option('--nodes <n>', 'nodes per cluster', '3')
  .option('--jobs <n>', 'one-task jobs per run', '50000')
  .option('--rounds <n>', 'runs per build, interleaved', '3')
  .option('--concurrency <n>', 'meshnode --concurrency per node', '64')
  .option('--chunk <n>', 'jobs per submit request', '1000')
  .option('--base-port <n>', 'first port tried for a cluster (a free block at or above it)', '18400')
  .option('--count-messages', 'also print the messages each node sent and received per 1 000 jobs, by role (the builds must count them)')
  .argument('[flags...]', 'extra flags for every node (after --)')
  .parse()
const opts = program.opts<{ builds: string, nodes: string, jobs: string, rounds: string, concurrency: string, chunk: string, basePort: string, countMessages?: boolean }>()

async function main (): Promise<void> {
  console.log(formatMachine(machineInfo()))
  const builds = opts.builds.split(',').map(b => resolve(b.trim())).filter(Boolean)
  const nodes = Number(opts.nodes)
  const jobs = Number(opts.jobs)
  const rows: string[][] = []
  const per = new Map<string, { tps: number[], cpu: number[] }>(builds.map(b => [b, { tps: [], cpu: [] }]))
  for (let round = 1; round <= Number(opts.rounds); round++) {
    for (const build of builds) {
      const load = loadavg()
      const r = await runMesh({
        mode: 'many-jobs',
        tasks: jobs,
        nodes,
        concurrency: Number(opts.concurrency),
        chunk: Number(opts.chunk),
        dir: join(tmpdir(), `meshnode-bench-cpu-${process.pid}`),
        basePort: await freePortBlock(Number(opts.basePort), nodes),
        extraArgs: program.args,
        bin: join(build, 'bin', 'meshnode.js'),
        countMessages: opts.countMessages === true
      })
      if (r.messages != null) printMessages(round, build, jobs, r.messages)
      const cpuUs = r.cpuMs * 1000 / jobs
      per.get(build)!.tps.push(r.tasksPerSec)
      per.get(build)!.cpu.push(cpuUs)
      rows.push([String(round), build, num(r.tasksPerSec), num(r.p50Ms), num(r.p99Ms), num(cpuUs), r.cpuByNode.map(c => num(c * 1000 / jobs)).join(' / '), load])
      console.error(`round ${round}, ${build}: ${num(r.tasksPerSec)} tasks/s, ${num(cpuUs)} µs of CPU per job`)
    }
  }
  console.log(`\n${jobs} one-task jobs on ${nodes} node(s), ${opts.chunk} per request, 4 requests in flight, --concurrency ${opts.concurrency}; CPU from /proc, first submit to last job done\n`)
  console.log(markdownTable(['round', 'build', 'tasks/s', 'p50 ms', 'p99 ms', 'CPU µs per job, all nodes', 'per node', 'load average'], rows))
  console.log('')
  for (const [build, v] of per) console.log(`${build}: mean ${num(mean(v.tps))} tasks/s, ${num(mean(v.cpu))} µs of CPU per job`)
}

/** Each node's message counts per 1 000 jobs, one column per node (its role at the end), kinds with any count. */
function printMessages (round: number, build: string, jobs: number, nodes: NodeMessages[]): void {
  const kinds = [...new Set(nodes.flatMap(n => [...n.counts].filter(([, v]) => v > 0).map(([k]) => k)))].sort()
  console.log(`\nround ${round}, ${build}: messages per 1 000 jobs\n`)
  console.log(markdownTable(['what', ...nodes.map((n, i) => `node ${i + 1} (${n.role})`)], kinds.map(k => [k, ...nodes.map(n => num((n.counts.get(k) ?? 0) * 1000 / jobs, 1))])))
}

process.once('SIGINT', () => process.exit(130))
await main()
process.exit(0)
