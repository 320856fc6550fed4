// What one retention sweep costs the leader's main thread: decideRetention (the pure policy,
// src/consensus/retention.ts) over a registry of N finished jobs, under and over the count
// limit, for one or more builds (each built checkout's dist/src), interleaved so that load
// drifts alike. A leader sweeps every 5 s while entries are applied, so under load this is a
// cost it pays every few seconds with a registry at or near retention.maxJobs.
//   node dist/bench/micro/retention-sweep.js [--builds DIR,DIR] [--jobs 100000] [--rounds 5]
import { Command } from 'commander'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { formatMachine, machineInfo } from '../lib/machine.js'
import { markdownTable } from '../lib/stats.js'

const program = new Command('bench/micro/retention-sweep')
  .option('--builds <dirs>', 'built checkouts to compare, comma-separated', resolve(import.meta.dirname, '../../..'))
  .option('--jobs <n>', 'finished jobs in the registry', '100000')
  .option('--rounds <n>', 'timed sweeps per build and case, interleaved', '5')
  .parse()
const opts = program.opts<{ builds: string, jobs: string, rounds: string }>()
const n = Number(opts.jobs)
const rounds = Number(opts.rounds)

type Decide = (jobs: ReadonlyMap<string, unknown>, policy: { maxAgeMs: number, maxJobs: number, resultsMaxAgeMs: number }, now: number, limit?: number) => { delete: string[] }
const builds: Array<{ dir: string, decide: Decide }> = []
for (const dir of opts.builds.split(',')) {
  const mod = await import(pathToFileURL(join(dir, 'dist/src/consensus/retention.js')).href) as { decideRetention: Decide }
  builds.push({ dir, decide: mod.decideRetention })
}

const T0 = 1_700_000_000_000
const registry = new Map<string, unknown>()
for (let i = 0; i < n; i++) registry.set(`job-${i.toString(36).padStart(8, '0')}`, { home: 'h', createdAt: T0 + i, state: 'completed', finishedAt: T0 + i + 5 })
const cases = [
  { name: `under the limit (maxJobs ${n})`, policy: { maxAgeMs: 7 * 86_400_000, maxJobs: n, resultsMaxAgeMs: Infinity } },
  { name: `over by 1 000 (maxJobs ${n - 1000})`, policy: { maxAgeMs: 7 * 86_400_000, maxJobs: n - 1000, resultsMaxAgeMs: Infinity } }
]
// The runner's limit: batch 10 000 × 10 batches per scan (src/node/services/retention.ts).
const limit = 100_000

console.log(formatMachine(machineInfo()))
const ms = new Map<string, number[]>()
for (let r = 0; r < rounds + 1; r++) {
  for (const c of cases) {
    for (const b of builds) {
      const t = process.hrtime.bigint()
      const d = b.decide(registry, c.policy, T0 + 60_000, limit)
      const el = Number(process.hrtime.bigint() - t) / 1e6
      if (r === 0) continue // the first round warms each build's code up
      const key = `${c.name}\t${b.dir}\t${d.delete.length}`
      ms.set(key, [...(ms.get(key) ?? []), el])
    }
  }
}
const rows = [...ms].map(([key, v]) => {
  const [c, dir, deleted] = key.split('\t')
  const sorted = [...v].sort((a, b) => a - b)
  return [c!, dir!, deleted!, sorted[sorted.length >> 1]!.toFixed(1), sorted[0]!.toFixed(1), sorted[sorted.length - 1]!.toFixed(1)]
})
console.log(`\ndecideRetention over ${n} finished jobs, limit ${limit}, ${rounds} sweeps per build and case (median / min / max ms)\n`)
console.log(markdownTable(['case', 'build', 'deleted', 'median ms', 'min', 'max'], rows))
