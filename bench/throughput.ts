// bench/throughput: 50 000 no-op tasks through meshnode — as one job, and as 50 000 one-task
// jobs — on 1 node and on 3 nodes, with BullMQ on a private Redis beside it in the same run
// and the same worker count (one BullMQ worker process per meshnode node). Prints tasks/s
// end to end and submit→done latency p50/p99 for both. Never fails on a time.
//
//   node dist/bench/throughput.js [--tasks 50000] [--nodes 1,3] [--modes one-job,many-jobs]
//        [--concurrency 64] [--bullmq-concurrency 100] [--no-bullmq] [--chunk 1000] [--scrape-ms 1000]
//        [--warmup 0] [--spread]
//
// --warmup N runs N tasks the same way first, on the same nodes and the same BullMQ workers,
// and measures only the --tasks that follow: long-lived workers whose JIT has compiled the hot
// path, where the default measures fresh processes (stop 36 found ~1 s of compilation in a
// fresh node's 50 000 jobs).
//
// --spread also runs many-jobs on each multi-node mesh with the submit requests sent to the
// nodes in turn (each node the home of a share, as producers submitting to their own host's
// node would), beside the default where node 1 is the home of every job.
//
// How each side is driven and timed is in bench/lib/mesh-jobs.ts and bench/lib/bullmq.ts.
// The machine is shared: before each run we wait (up to 2 min) for a quiet second.
import { Command } from 'commander'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bullmqVersion, runBullmq, type BullmqResult } from './lib/bullmq.js'
import { formatMachine, machineInfo, settle } from './lib/machine.js'
import { runMesh, type MeshResult, type MeshRun } from './lib/mesh-jobs.js'
import { freePortBlock } from './lib/ports.js'
import { markdownTable, num } from './lib/stats.js'

const program = new Command('bench/throughput')
  .option('--tasks <n>', 'tasks per run', '50000')
  .option('--nodes <list>', 'cluster sizes (= BullMQ worker processes)', '1,3')
  .option('--modes <list>', 'one-job and/or many-jobs', 'one-job,many-jobs')
  .option('--concurrency <n>', 'meshnode --concurrency per node (a number or auto)', '64')
  .option('--bullmq-concurrency <n>', 'BullMQ Worker concurrency per process', '100')
  .option('--chunk <n>', 'jobs per submit request / addBulk call (many-jobs)', '1000')
  .option('--no-bullmq', 'skip BullMQ')
  .option('--spread', 'also run many-jobs on more than one node with the submits spread over the nodes')
  .option('--warmup <n>', 'tasks run first on the same processes, not measured (both systems)', '0')
  .option('--scrape-ms <ms>', 'also run meshnode with every node\'s /metrics scraped this often (the cost of metrics), beside the run without')
  .option('--base-port <port>', 'first port tried for the clusters (redis-server: one of the 10 from base + 90)', '18400')
  .parse()
const opts = program.opts<{ tasks: string, nodes: string, modes: string, concurrency: string, bullmqConcurrency: string, chunk: string, bullmq: boolean, scrapeMs?: string, basePort: string, warmup: string, spread?: boolean }>()
const list = (s: string): string[] => s.split(',').map(x => x.trim()).filter(Boolean)

async function main (): Promise<void> {
  const machine = machineInfo()
  console.log(formatMachine(machine))
  const tasks = Number(opts.tasks)
  const warmup = Number(opts.warmup)
  if (!Number.isSafeInteger(warmup) || warmup < 0) throw new Error(`--warmup must be a whole number >= 0, got "${opts.warmup}"`)
  const rows: string[][] = []
  const summary: string[] = []
  let redisVersion = ''
  for (const mode of list(opts.modes)) {
    if (mode !== 'one-job' && mode !== 'many-jobs') throw new Error(`unknown mode ${mode}`)
    for (const nodes of list(opts.nodes).map(Number)) {
      console.error(`meshnode ${mode} on ${nodes} node(s) (${await settle(10)})`)
      const dir = join(tmpdir(), `meshnode-bench-throughput-${process.pid}`)
      const basePort = await freePortBlock(Number(opts.basePort), nodes)
      const run: Omit<MeshRun, 'basePort'> = { mode, tasks, nodes, concurrency: opts.concurrency === 'auto' ? 'auto' : Number(opts.concurrency), dir, chunk: Number(opts.chunk), warmup }
      const m: MeshResult = await runMesh({ ...run, basePort })
      rows.push(['meshnode', mode, String(nodes), num(m.tasksPerSec), num(m.p50Ms), num(m.p99Ms), num(m.elapsedMs), m.byNode.join('/')])
      let spread: MeshResult | undefined
      if (opts.spread === true && mode === 'many-jobs' && nodes > 1) {
        console.error(`meshnode ${mode} on ${nodes} node(s), submits spread over the nodes (${await settle(10)})`)
        spread = await runMesh({ ...run, basePort: await freePortBlock(Number(opts.basePort), nodes), spread: true })
        rows.push(['meshnode, submits spread', mode, String(nodes), num(spread.tasksPerSec), num(spread.p50Ms), num(spread.p99Ms), num(spread.elapsedMs), spread.byNode.join('/')])
      }
      if (opts.scrapeMs != null) {
        console.error(`meshnode ${mode} on ${nodes} node(s), /metrics scraped every ${opts.scrapeMs} ms (${await settle(10)})`)
        const s = await runMesh({ mode, tasks, nodes, concurrency: Number(opts.concurrency), dir, basePort: await freePortBlock(Number(opts.basePort), nodes), chunk: Number(opts.chunk), scrapeMs: Number(opts.scrapeMs), warmup })
        rows.push([`meshnode, scraped every ${opts.scrapeMs} ms`, mode, String(nodes), num(s.tasksPerSec), num(s.p50Ms), num(s.p99Ms), num(s.elapsedMs), s.byNode.join('/')])
        summary.push(`${mode}, ${nodes} node(s): scraping /metrics every ${opts.scrapeMs} ms (${s.scrapes?.count ?? 0} scrapes of ~${num((s.scrapes?.meanBytes ?? 0) / 1024)} KiB) changed tasks/s by ${num((s.tasksPerSec / m.tasksPerSec - 1) * 100, 1)} % (target: less than 3 % lower)`)
      }
      if (!opts.bullmq) continue
      console.error(`BullMQ ${mode} with ${nodes} worker(s) (${await settle(10)})`)
      let b: BullmqResult
      try {
        b = await runBullmq({ mode, tasks, workers: nodes, concurrency: Number(opts.bullmqConcurrency), chunk: Number(opts.chunk), redisPorts: { from: Number(opts.basePort) + 90, count: 10 }, warmup })
      } catch (err) {
        console.error(`BullMQ run failed (is redis-server installed?): ${(err as Error).message}`)
        continue
      }
      redisVersion = b.redisVersion
      rows.push(['BullMQ', mode, String(nodes), num(b.tasksPerSec), num(b.p50Ms), num(b.p99Ms), num(b.elapsedMs), '-'])
      summary.push(`${mode}, ${nodes} node(s): meshnode ${num(m.tasksPerSec / b.tasksPerSec, 1)}× BullMQ's tasks/s; meshnode p99 ${num(m.p99Ms)} ms vs BullMQ p50 ${num(b.p50Ms)} ms (${m.p99Ms < b.p50Ms ? 'below' : 'not below'})`)
      if (spread != null) summary.push(`${mode}, ${nodes} node(s), submits spread: meshnode ${num(spread.tasksPerSec / b.tasksPerSec, 1)}× BullMQ's tasks/s; meshnode p99 ${num(spread.p99Ms)} ms vs BullMQ p50 ${num(b.p50Ms)} ms (${spread.p99Ms < b.p50Ms ? 'below' : 'not below'})`)
    }
  }
  console.log(`\n${tasks} no-op tasks per run${warmup > 0 ? `, measured after ${warmup} run the same way on the same processes (warm)` : ' on fresh processes'}; meshnode --concurrency ${opts.concurrency} per node` +
    (opts.bullmq ? `; BullMQ ${bullmqVersion()} on Redis ${redisVersion || '?'} (no persistence), Worker concurrency ${opts.bullmqConcurrency} per process` : '') + '\n')
  console.log(markdownTable(['system', 'mode', 'nodes / workers', 'tasks/s', 'p50 ms', 'p99 ms', 'elapsed ms', 'tasks per node'], rows))
  if (summary.length > 0) console.log('\n' + summary.join('\n'))
}

process.once('SIGINT', () => process.exit(130))
await main()
process.exit(0)
