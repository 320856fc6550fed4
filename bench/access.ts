// bench/access: the cost of access control (issue 9). One run, three configurations,
// interleaved round by round (A B C A B C …) so the shared machine's noise spreads over all:
//
//   before  the build before access control (fb1cef3 by default: no mesh key, no
//           authorization), run from its own worktree's bin/meshnode.js
//   now     this build on loopback without a mesh key (authorization on: every admin
//           command checked; the bench signs in with the cluster's operator key)
//   key     this build with --mesh-key on every node (every connection through the
//           ChaCha20 protector); the bench client connects with the key too
//
// Workload: bench/throughput's many-jobs mode (one-task no-op jobs, bench/lib/mesh-jobs.ts)
// on each cluster size of --nodes; then leader failover (bench/lib/failover.ts: SIGKILL of the
// leader → a survivor logs that it leads) on --failover-nodes nodes, --kills per config,
// spread over the rounds too. Prints markdown tables; never fails on a time.
//
//   node dist/bench/access.js [--rounds 3] [--tasks 50000] [--nodes 1,3] [--kills 5]
//        [--failover-nodes 5] [--configs before,now,key] [--before-root ../bench-before]
//        [--concurrency 64] [--chunk 1000] [--settle-seconds 120]
//
// The "before" build: git worktree add --detach ../bench-before fb1cef3; ln -s
// $PWD/node_modules ../bench-before/node_modules; (cd ../bench-before && npm run build).
// Both builds are fingerprinted at the start and checked at the end (bench/lib/build.ts).
import { Command } from 'commander'
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { BIN, ROOT, down, up } from '../scripts/cluster-lib.js'
import { generateMeshKey } from '../src/node/transport/mesh-key.js'
import { buildInfo, formatBuild, sameBuild } from './lib/build.js'
import { agreedFullLeader, measureFailover } from './lib/failover.js'
import { formatMachine, loadavg, machineInfo, settle } from './lib/machine.js'
import { runMesh, type MeshResult } from './lib/mesh-jobs.js'
import { freePortBlock } from './lib/ports.js'
import { markdownTable, max, median, ms, num } from './lib/stats.js'

const program = new Command('bench/access')
  .option('--rounds <n>', 'rounds of every configuration, interleaved', '3')
  .option('--tasks <n>', 'one-task jobs per throughput run', '50000')
  .option('--nodes <list>', 'cluster sizes for throughput', '1,3')
  .option('--kills <n>', 'leader kills per configuration (0: no failover)', '5')
  .option('--failover-nodes <n>', 'cluster size for failover', '5')
  .option('--configs <list>', 'which of before, now, key', 'before,now,key')
  .option('--before-root <dir>', 'checkout of the build before access control, built', join(ROOT, '..', 'bench-before'))
  .option('--concurrency <n>', 'meshnode --concurrency per node', '64')
  .option('--chunk <n>', 'jobs per submit request', '1000')
  .option('--settle-seconds <s>', 'before each run, wait at most this long for a quiet second', '120')
  .parse()
const opts = program.opts<{ rounds: string, tasks: string, nodes: string, kills: string, failoverNodes: string, configs: string, beforeRoot: string, concurrency: string, chunk: string, settleSeconds: string }>()
const list = (s: string): string[] => s.split(',').map(x => x.trim()).filter(Boolean)

interface Config {
  name: 'before' | 'now' | 'key'
  label: string
  bin?: string
  extraArgs: string[]
}

const work = join(tmpdir(), `meshnode-bench-access-${process.pid}`)
const dir = join(work, 'cluster')

async function main (): Promise<void> {
  const machine = machineInfo()
  console.log(formatMachine(machine))
  const rounds = Number(opts.rounds)
  const tasks = Number(opts.tasks)
  const sizes = list(opts.nodes).map(Number)
  const kills = Number(opts.kills)
  const fN = Number(opts.failoverNodes)
  const beforeRoot = resolve(opts.beforeRoot)
  const beforeBin = join(beforeRoot, 'bin', 'meshnode.js')

  mkdirSync(work, { recursive: true })
  const keyFile = join(work, 'mesh.key')
  writeFileSync(keyFile, generateMeshKey(), { mode: 0o600 })

  const all: Config[] = [
    { name: 'before', label: 'before (no access control)', bin: beforeBin, extraArgs: [] },
    { name: 'now', label: 'now, no mesh key (authorization on)', extraArgs: [] },
    { name: 'key', label: 'now, with mesh key', extraArgs: ['--mesh-key', keyFile] }
  ]
  const configs = list(opts.configs).map(n => {
    const c = all.find(x => x.name === n)
    if (c == null) throw new Error(`unknown config ${n}; use before, now, key`)
    return c
  })
  if (configs.some(c => c.name === 'before') && !existsSync(join(beforeRoot, 'dist', 'meshnode.mjs')) && !existsSync(join(beforeRoot, 'dist', 'src'))) {
    throw new Error(`no build in ${beforeRoot}: see the header of bench/access.ts`)
  }
  const builds = { now: buildInfo(ROOT), before: buildInfo(beforeRoot) }
  console.log(`now:    ${BIN}\n        ${formatBuild(builds.now)}`)
  if (configs.some(c => c.name === 'before')) console.log(`before: ${beforeBin}\n        ${formatBuild(builds.before)}`)
  console.log(`${rounds} rounds; ${tasks} one-task jobs per throughput run on ${sizes.join(' and ')} node(s), --concurrency ${opts.concurrency}; ${kills} leader kills per config on ${fN} nodes\n`)

  // --- throughput, interleaved
  const results = new Map<string, MeshResult[]>()
  const failures: string[] = []
  const key = (c: Config, n: number): string => `${c.name}/${n}`
  for (let r = 1; r <= rounds; r++) {
    for (const n of sizes) {
      for (const c of configs) {
        // A run that fails (on this loaded machine: a submit refused because leadership moved
        // under it, NOT_REGISTERED) is reported and retried once, not fatal to the whole run.
        let m: MeshResult | undefined
        let quiet = ''
        for (let attempt = 1; attempt <= 2 && m == null; attempt++) {
          quiet = await settle(10, Number(opts.settleSeconds) * 1000)
          const basePort = await freePortBlock(18500, n)
          try {
            m = await runMesh({ mode: 'many-jobs', tasks, nodes: n, concurrency: Number(opts.concurrency), dir, basePort, chunk: Number(opts.chunk), extraArgs: c.extraArgs, bin: c.bin })
          } catch (err) {
            failures.push(`round ${r}, ${n} node(s), ${c.name}, attempt ${attempt}: ${(err as Error).message}`)
            console.log(`round ${r}, ${n} node(s), ${c.name}: FAILED (attempt ${attempt}): ${(err as Error).message}`)
          }
        }
        if (m == null) continue
        results.set(key(c, n), [...(results.get(key(c, n)) ?? []), m])
        console.log(`round ${r}, ${n} node(s), ${c.name}: ${num(m.tasksPerSec)} tasks/s, p50 ${ms(m.p50Ms)}, p99 ${ms(m.p99Ms)}, node CPU ${num(1000 * m.cpuMs / tasks, 1)} µs/job (before: ${quiet}; after: load ${loadavg()})`)
      }
    }
  }

  // --- failover, the kills of each config spread over the rounds
  const failover = new Map<string, { exact: number[], reported: number[] }>()
  if (kills > 0) {
    const perRound = Array.from({ length: rounds }, (_, i) => Math.floor(kills / rounds) + (i < kills % rounds ? 1 : 0))
    for (let r = 1; r <= rounds; r++) {
      if (perRound[r - 1] === 0) continue
      for (const c of configs) {
        const quiet = await settle(10, Number(opts.settleSeconds) * 1000)
        const basePort = await freePortBlock(18900, fN)
        // Info-level logs: the exact failover time is read from the "raft role change" lines.
        await up(fN, { dir, basePort, extraArgs: c.extraArgs, bin: c.bin })
        try {
          await agreedFullLeader(dir, fN)
          const ks = await measureFailover(dir, fN, perRound[r - 1]!).catch((err: Error) => {
            failures.push(`round ${r} failover, ${c.name}: ${err.message}`)
            return []
          })
          const f = failover.get(c.name) ?? { exact: [], reported: [] }
          f.exact.push(...ks.map(k => k.exactMs))
          f.reported.push(...ks.map(k => k.reportedMs))
          failover.set(c.name, f)
          console.log(`round ${r} failover, ${c.name}: ${ks.map(k => ms(k.exactMs)).join(', ')} (status poll ${ks.map(k => ms(k.reportedMs)).join(', ')}) (before: ${quiet})`)
        } finally {
          await down(dir)
        }
      }
    }
  }

  // --- report
  const now = buildInfo(ROOT)
  const before = buildInfo(beforeRoot)
  if (!sameBuild(now, builds.now) || (configs.some(c => c.name === 'before') && !sameBuild(before, builds.before))) {
    console.log('\nWARNING: a build changed during the run; the figures mix builds.')
  }
  const medianOf = (c: Config, n: number, f: (m: MeshResult) => number): number => median((results.get(key(c, n)) ?? []).map(f))
  const base = configs.find(c => c.name === 'before')
  const cost = (c: Config, n: number, f: (m: MeshResult) => number, higherIsBetter: boolean): string => {
    if (base == null || c === base) return '–'
    const b = medianOf(base, n, f)
    const x = medianOf(c, n, f)
    const pct = higherIsBetter ? (b - x) / b * 100 : (x - b) / b * 100
    return `${pct >= 0 ? '+' : ''}${num(pct, 1)} %`
  }
  const rows: string[][] = []
  for (const n of sizes) {
    for (const c of configs) {
      const rs = results.get(key(c, n)) ?? []
      const tps = (m: MeshResult): number => m.tasksPerSec
      const cpu = (m: MeshResult): number => 1000 * m.cpuMs / tasks
      rows.push([
        c.label, String(n),
        `**${num(medianOf(c, n, tps))}** (${rs.map(m => num(m.tasksPerSec)).join(', ')})`,
        `${num(medianOf(c, n, m => m.p99Ms))} (${rs.map(m => num(m.p99Ms)).join(', ')})`,
        cost(c, n, tps, true),
        `${num(medianOf(c, n, cpu), 1)} (${rs.map(m => num(cpu(m), 1)).join(', ')})`,
        cost(c, n, cpu, false)
      ])
    }
  }
  console.log(`\nThroughput: ${tasks} one-task jobs per run, median of ${rounds} interleaved rounds (each round in brackets)\n`)
  console.log(markdownTable(['config', 'nodes', 'tasks/s median (rounds)', 'p99 ms median (rounds)', 'throughput cost vs before', 'node CPU µs/job median (rounds)', 'CPU cost vs before'], rows))
  if (kills > 0) {
    console.log(`\nFailover: SIGKILL of the leader → a survivor logs "leader" (exact), ${fN} nodes, ${kills} kills per config\n`)
    console.log(markdownTable(['config', 'kills', 'p50', 'max', 'status poll p50 / max'], configs.map(c => {
      const f = failover.get(c.name) ?? { exact: [], reported: [] }
      return [c.label, String(f.exact.length), ms(median(f.exact)), ms(max(f.exact)), `${ms(median(f.reported))} / ${ms(max(f.reported))}`]
    })))
  }
  if (failures.length > 0) console.log(`\nFailed runs (not in the figures):\n${failures.map(f => `- ${f}`).join('\n')}`)
  console.log(`\nload at the end: ${loadavg()}`)
}

process.once('SIGINT', () => { void down(dir).finally(() => process.exit(130)) })
try {
  await main()
} finally {
  await down(dir).catch(() => {})
  rmSync(work, { recursive: true, force: true })
}
process.exit(0)
