// bench/retention: what job retention saves. A one-node mesh in this process (the same node
// `meshnode start` runs) takes N one-task `echo` jobs, submitted 1000 per request with up to
// 4 requests in flight (as `meshnode submit` batches arrive), twice:
//   - without retention (retention.maxAgeMs and retention.maxJobs "off": every job kept),
//   - with retention (retention.maxJobs, default 10 000: the oldest finished jobs go as the
//     leader's sweep commits jobs.delete batches, and the home deletes their records).
// After each run it waits until every job has finished (and, with retention, until the
// sweep and the home's deletions have caught up), then prints:
//   - the registry: bytes of the encoded control state (what every Raft snapshot carries and
//     a lagging follower is sent whole) and the entries it holds,
//   - LevelDB on disk (the data dir's db/), as is and after a full compaction,
//   - throughput (jobs/s from the first submit to the last job finished) and peak RSS.
// Prints figures and the machine; never fails on a time.
//
//   node dist/bench/retention.js [--jobs 1000000] [--keep 10000] [--port 29600]
import { Command } from 'commander'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { resolveConfig } from '../src/node/config.js'
import { MeshNode } from '../src/node/node.js'
import type { JobEntry } from '../src/consensus/control.js'
import { formatMachine, machineInfo } from './lib/machine.js'
import { markdownTable } from './lib/stats.js'

const program = new Command('bench/retention')
  .option('--jobs <n>', 'one-task jobs per run', '1000000')
  .option('--keep <n>', 'retention.maxJobs in the run with retention', '10000')
  .option('--chunk <n>', 'jobs per submit request', '1000')
  .option('--in-flight <n>', 'submit requests in flight', '4')
  .option('--port <n>', 'the node listens here (loopback)', '29600')
  .option('--only <which>', 'run only "without" or "with"')
  .parse()
const opts = program.opts<{ jobs: string, keep: string, chunk: string, inFlight: string, port: string, only?: string }>()
const JOBS = Number(opts.jobs)
const KEEP = Number(opts.keep)
const CHUNK = Number(opts.chunk)
const IN_FLIGHT = Number(opts.inFlight)

interface RunResult {
  label: string
  submitS: number
  jobsPerSec: number
  registryEntries: number
  controlBytes: number
  deleted: number
  dbBytes: number
  dbCompactedBytes: number
  rssMiB: number
  settleS: number
}

function du (dir: string): number {
  return Number(execFileSync('du', ['-sb', dir], { encoding: 'utf8' }).split(/\s+/)[0])
}

async function waitFor (cond: () => boolean, what: string, timeoutMs = 30 * 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 250))
  }
}

async function run (label: string, retention: Record<string, string>): Promise<RunResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'meshnode-bench-retention-'))
  const config = resolveConfig({ flags: { dataDir, listen: [`/ip4/127.0.0.1/tcp/${opts.port}`], logLevel: 'warn', http: 'off', expect: 1, concurrency: 4 }, env: {} })
  const node = await MeshNode.start(config)
  const c = (node as any).c
  let peakRss = 0
  const rssTimer = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss) }, 500)
  try {
    await waitFor(() => c.consensus.status()?.role === 'leader', 'the node to lead')
    for (const [key, value] of Object.entries(retention)) {
      const r = await c.consensus.propose({ op: 'config.set', key, value })
      if (!r.ok) throw new Error(`config set ${key}: ${r.message}`)
    }
    const control = () => c.consensus.control
    const engine = c.work.engine
    const t0 = Date.now()
    let next = 0
    const worker = async (): Promise<void> => {
      while (next < JOBS) {
        const n = Math.min(CHUNK, JOBS - next)
        next += n
        await engine.submit(Array.from({ length: n }, (_, i) => ({ tasks: [{ type: 'echo', payload: i }] })))
      }
    }
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker))
    const submitS = (Date.now() - t0) / 1000
    process.stderr.write(`${label}: ${JOBS} jobs submitted in ${submitS.toFixed(1)} s\n`)
    const running = (): number => { let n = 0; for (const e of control().jobs.values()) if ((e as JobEntry).state === 'running') n++; return n }
    await waitFor(() => running() === 0, 'every job to finish')
    const t1 = Date.now()
    const jobsPerSec = JOBS / ((t1 - t0) / 1000)
    if (retention['retention.maxJobs'] !== 'off') {
      await waitFor(() => control().jobs.size <= KEEP, 'retention to catch up')
      // The home deletes its records off the apply path: wait for them too.
      await waitFor(() => engine.forgotten.jobs >= control().retention.deleted, 'the home to delete its records')
      await engine.forgetJobs([], false)
    }
    const settleS = (Date.now() - t1) / 1000
    const controlBytes = control().snapshot().byteLength
    const registryEntries = control().jobs.size
    const deleted = control().retention.deleted
    await node.stop()
    const dbDir = join(dataDir, 'db')
    const dbBytes = du(dbDir)
    // Reopen and compact everything: what deletions give back once LevelDB has merged them.
    const { Store } = await import('../src/node/store/store.js')
    const store = await Store.open(dataDir)
    await (store.db as any).compactRange('\x00', '\xff', { keyEncoding: 'utf8' })
    await store.close()
    const dbCompactedBytes = du(dbDir)
    return { label, submitS, jobsPerSec, registryEntries, controlBytes, deleted, dbBytes, dbCompactedBytes, rssMiB: peakRss / 2 ** 20, settleS }
  } finally {
    clearInterval(rssTimer)
    await node.stop().catch(() => {})
    rmSync(dataDir, { recursive: true, force: true })
  }
}

const MB = (b: number): string => (b / 1e6).toFixed(1) + ' MB'

console.log(formatMachine(machineInfo()))
console.log(`\n${JOBS} one-task jobs, ${CHUNK} per request, ${IN_FLIGHT} requests in flight, one node in process\n`)
const results: RunResult[] = []
if (opts.only !== 'with') results.push(await run('without retention', { 'retention.maxAgeMs': 'off', 'retention.maxJobs': 'off' }))
if (opts.only !== 'without') results.push(await run(`with retention (maxJobs ${KEEP})`, { 'retention.maxJobs': String(KEEP) }))
console.log(markdownTable(
  ['run', 'registry entries', 'control state (snapshot)', 'jobs deleted', 'LevelDB on disk', 'LevelDB compacted', 'jobs/s', 'settle', 'peak RSS'],
  results.map(r => [r.label, String(r.registryEntries), MB(r.controlBytes), String(r.deleted), MB(r.dbBytes), MB(r.dbCompactedBytes), Math.round(r.jobsPerSec).toString(), `${r.settleS.toFixed(1)} s`, `${Math.round(r.rssMiB)} MiB`])
))
