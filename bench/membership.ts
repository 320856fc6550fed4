// bench/membership: formation time, crash-detection time, false suspicions and idle memory of
// real meshnode processes on loopback. It prints figures; it never passes or fails on time.
//
//   npx tsc -p . && node_modules/.bin/node dist/bench/membership.js --sizes 3,5,10 --kills 20 --steady-seconds 300
//
// For each cluster size N:
//   1. formation: spawn N nodes (scripts/cluster-lib up) and time until every node sees all
//      N-1 others alive. Measured two ways in every run: by polling `statusAll` (each call
//      dials every node from a throwaway libp2p client; its duration is the poll resolution
//      and is reported) and exactly, from the "membership change" lines each node logs with
//      an epoch-ms timestamp. Half the runs only watch the logs (no status clients at all),
//      to show how much the polling itself slows formation on a small machine.
//   2. steady run: no faults for --steady-seconds; suspicions_total and deaths_total summed
//      over all nodes' counters (should stay 0), plus any suspect/dead lines in the logs.
//   3. idle RSS per node process (/proc/<pid>/status VmRSS) right after the steady run.
//   4. crash detection: --kills times, SIGKILL a (seeded) random node; t0 = Date.now() just
//      before the signal. Primary figure: from the survivors' logs, when each marked the
//      victim dead (time - t0); "all" = the last survivor, "first" = the first. Cross-check:
//      tight-loop status polls of the survivors (end of the first call that shows `dead`).
//      Then restart the victim, wait for full convergence, settle, and kill again.
import { Command, Option } from 'commander'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildInfo, formatBuild, sameBuild, type BuildInfo } from './lib/build.js'
import type { ClusterState, NodeEntry, NodeStatus, UpOptions } from '../scripts/cluster-lib.js'
import * as liveClusterLib from '../scripts/cluster-lib.js'
import { importClusterLib, snapshotBuild, type ClusterLib } from './lib/snapshot.js'
import { fetchStatus } from '../src/node/client/status.js'
import { spawn } from 'node:child_process'
import { formatMachine, loadavg, machineInfo, procCpuMs, procMemory } from './lib/machine.js'
import { firstAllAlive, LogTail, membershipChanges, ownPeerId, type LogLine, type MembershipChange } from './lib/node-logs.js'
import { freePortBlock } from './lib/ports.js'
import { SerfCluster, serfVersion } from './lib/serf.js'
import { markdownTable, max, mean, median, ms, mulberry32, num, quantile, sleep, sum, summary } from './lib/stats.js'

interface Options {
  sizes: number[]
  kills: number
  steadySeconds: number
  formationRuns: number
  seed: number
  pollMs: number
  settleMs: number
  basePort: number
  killPoll: 'all' | 'one' | 'none'
  detectTimeoutMs: number
  formationTimeoutMs: number
  rejoinTimeoutMs: number
  nodeArgs: string[]
  keep: boolean
  snapshot: boolean
  serf: boolean
  serfKills: number
}

const list = (v: string): number[] => v.split(',').map(s => {
  const n = Number(s.trim())
  if (!Number.isInteger(n) || n < 2) throw new Error(`cluster sizes must be whole numbers >= 2, got "${s}"`)
  return n
})
const int = (name: string, minimum = 0) => (v: string): number => {
  const n = Number(v)
  if (!Number.isFinite(n) || n < minimum) throw new Error(`--${name} must be a number >= ${minimum}, got "${v}"`)
  return n
}

const program = new Command('bench/membership')
  .description('membership benchmark: formation, crash detection, false suspicions, idle RSS (prints figures, never pass/fail)')
  .option('--sizes <list>', 'cluster sizes, comma-separated', list, [3, 5, 10])
  .option('--kills <n>', 'SIGKILLs per cluster size', int('kills'), 20)
  .option('--steady-seconds <s>', 'fault-free run per size for the false-suspicion count (the issue asks for 300)', int('steady-seconds'), 300)
  .option('--formation-runs <n>', 'formation runs per size and per mode (status polling, log watching)', int('formation-runs', 1), 3)
  .option('--seed <n>', 'seed of the victim choice', int('seed'), 1)
  .option('--poll-ms <ms>', 'pause between statusAll polls while waiting for formation/convergence', int('poll-ms'), 25)
  .option('--settle-ms <ms>', 'pause after a restarted victim has rejoined, before the next kill', int('settle-ms'), 1000)
  .option('--base-port <port>', 'first port to try; size k uses a free block from base+20*k', int('base-port', 1024), 18500)
  .addOption(new Option('--kill-poll <who>', 'which survivors to poll with status during detection (cross-check)').choices(['all', 'one', 'none']).default('all'))
  .option('--detect-timeout-ms <ms>', 'give up on one kill after this long', int('detect-timeout-ms'), 20_000)
  .option('--formation-timeout-ms <ms>', 'give up on one formation after this long', int('formation-timeout-ms'), 60_000)
  .option('--rejoin-timeout-ms <ms>', 'after a restart, wait this long for full convergence before giving up on further kills', int('rejoin-timeout-ms'), 120_000)
  .option('--node-args <args>', 'extra flags for every `meshnode start`, space-separated', (v: string) => v.split(/\s+/).filter(Boolean), [] as string[])
  .option('--keep', 'keep the cluster dirs and node logs under /tmp', false)
  .option('--no-snapshot', 'run the nodes straight from the working tree instead of a frozen copy of bin/ and dist/ (a rebuild mid-run then changes the nodes under test)')
  .option('--serf', 'also measure HashiCorp Serf (LAN profile) on the same sizes, if `serf` is on PATH', false)
  .option('--serf-kills <n>', 'SIGKILLs per size for the Serf comparison', int('serf-kills'), 5)

// ---------------------------------------------------------------------------------------
// scripts/cluster-lib: the working tree's, or (default) a frozen snapshot's, so that rebuilds
// by others during a long run cannot change the nodes under test (see lib/snapshot.ts).

let converged: ClusterLib['converged']
let down: ClusterLib['down']
let isRunning: ClusterLib['isRunning']
let kill: ClusterLib['kill']
let loadState: ClusterLib['loadState']
let restart: ClusterLib['restart']
let statusAll: ClusterLib['statusAll']
let up: ClusterLib['up']
let waitUntil: ClusterLib['waitUntil']
let ROOT: string

function useClusterLib (lib: ClusterLib): void {
  ({ converged, down, isRunning, kill, loadState, restart, statusAll, up, waitUntil, ROOT } = lib)
}
useClusterLib(liveClusterLib)

// ---------------------------------------------------------------------------------------
// Cleanup: whatever happens (error, SIGINT, SIGTERM), stop every cluster this run started.
// Every dir that was `up`ed stays in liveDirs until its `down` has finished, and every pid
// spawned is remembered, so an interrupt in the middle of a start or a stop leaves nothing.

const liveDirs = new Set<string>()
const knownPids = new Set<number>()
let currentSerf: SerfCluster | undefined
let rootDir: string | undefined
let keepDirs = false
let aborted = false

function guard (): void {
  if (aborted) throw new Error('interrupted')
}

async function upTracked (n: number, opts: UpOptions & { dir: string }): Promise<ClusterState> {
  guard()
  checkBuild(`starting ${n} node(s) in ${opts.dir}`)
  liveDirs.add(opts.dir)
  const state = await up(n, opts)
  for (const e of state.nodes) knownPids.add(e.pid)
  return state
}

async function restartTracked (index: number, dir: string): Promise<void> {
  guard()
  const e = await restart(index, dir)
  knownPids.add(e.pid)
}

async function downTracked (dir: string): Promise<void> {
  try {
    await down(dir, keepDirs)
  } catch (err: any) {
    console.error(`down ${dir}: ${err?.message ?? err}`)
  } finally {
    liveDirs.delete(dir)
  }
}

/** Stop every cluster (and Serf agents) still up. */
async function stopCurrent (): Promise<void> {
  const serf = currentSerf
  currentSerf = undefined
  if (serf != null) await serf.stopAll().catch(() => {})
  await Promise.all([...liveDirs].map(downTracked))
}

/** Last resort: SIGKILL any node process of ours that is still alive. */
function killStragglers (): void {
  for (const pid of knownPids) {
    if (!isRunning(pid)) continue
    try {
      // Only a process whose command line names our root dir: never a reused pid.
      if (rootDir != null && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(rootDir)) process.kill(pid, 'SIGKILL')
    } catch {}
  }
}

async function cleanup (): Promise<void> {
  await stopCurrent()
  killStragglers()
  if (rootDir != null && !keepDirs) {
    try { rmSync(rootDir, { recursive: true, force: true, maxRetries: 3 }) } catch (err: any) { console.error(`could not remove ${rootDir}: ${err?.message ?? err}`) }
  }
}

function onSignal (sig: NodeJS.Signals): void {
  if (aborted) return
  aborted = true
  console.error(`\n${sig}: stopping the benchmark clusters`)
  void cleanup().finally(() => process.exit(130))
}

// ---------------------------------------------------------------------------------------
// The build under test must not change mid-run (nodes are respawned on every restart).

let startBuild: BuildInfo | undefined
/** The working tree's build at the start (git commit, dirty files), for the report. */
let treeBuild: BuildInfo | undefined
const buildChanges: string[] = []

function checkBuild (where: string): void {
  if (startBuild == null) return
  const now = buildInfo(ROOT)
  if (!sameBuild(startBuild, now)) {
    const msg = `the meshnode build changed before ${where}: now ${formatBuild(now)}`
    if (buildChanges.at(-1) !== msg) {
      buildChanges.push(msg)
      console.log(`WARNING: ${msg}; figures from here on are for a different build than the start`)
    }
    startBuild = now
  }
}

// ---------------------------------------------------------------------------------------
// Helpers

function readAll (tails: LogTail[], into: LogLine[][]): void {
  tails.forEach((t, i) => { into[i]!.push(...t.read()) })
}

function peerIdsOf (lines: LogLine[][]): string[] | undefined {
  const ids = lines.map(ownPeerId)
  return ids.every(id => id != null) ? ids as string[] : undefined
}

function changesByObserver (lines: LogLine[][], ids: string[]): Map<string, MembershipChange[]> {
  return new Map(ids.map((id, i) => [id, membershipChanges(lines[i]!)]))
}

function counterSum (sts: NodeStatus[], name: string): number {
  return sum(sts.map(s => s.status?.counters[name] ?? 0))
}

async function waitConverged (dir: string, n: number, timeoutMs: number, pollMs: number): Promise<NodeStatus[]> {
  let last: NodeStatus[] = []
  await waitUntil(async () => {
    last = await statusAll(dir)
    return last.length === n && last.every(s => s.status != null) && converged(last)
  }, timeoutMs, `${n} nodes to converge`, pollMs)
  return last
}

// ---------------------------------------------------------------------------------------
// 1. Formation

interface FormationResult {
  mode: 'poll' | 'logs'
  /** Spawn to the end of the first statusAll call that saw full membership (poll mode). */
  pollMs?: number
  /** Spawn to the first instant, per the nodes' logs, when all N*(N-1) pairs were alive. */
  logMs?: number
  spawnMs: number
  /** Spawn to each node's "identity" line (process start + module load + store open). */
  identityMs: number[]
  /** Spawn to each node's "meshnode started" line (host listening, services up). */
  startedMs: number[]
  statusCallMs: number[]
  /** The statusAll calls in which every node answered (the ones that bound the resolution). */
  statusCallOkMs: number[]
  polls: number
  /** CPU time (user+sys) each node process had used when formation was observed. */
  cpuMs: number[]
}

async function formationRun (n: number, dir: string, basePort: number, mode: 'poll' | 'logs', opts: Options): Promise<{ result: FormationResult, state: ClusterState }> {
  const extraArgs = ['--mesh', `bench-${process.pid}`, ...opts.nodeArgs]
  const t0 = Date.now()
  const state = await upTracked(n, { dir, basePort, extraArgs })
  const spawnMs = Date.now() - t0
  const tails = state.nodes.map(e => new LogTail(e.log, 0))
  const lines: LogLine[][] = state.nodes.map(() => [])
  const statusCallMs: number[] = []
  const statusCallOkMs: number[] = []
  let pollMs: number | undefined
  let logAt: number | undefined
  let polls = 0
  const deadline = t0 + opts.formationTimeoutMs
  for (;;) {
    if (Date.now() > deadline) throw new Error(`formation of ${n} nodes (${mode} mode) timed out after ${opts.formationTimeoutMs} ms; logs in ${dir}`)
    if (mode === 'poll') {
      const s = Date.now()
      const sts = await statusAll(dir)
      const e = Date.now()
      statusCallMs.push(e - s)
      if (sts.every(x => x.status != null)) statusCallOkMs.push(e - s)
      polls++
      if (sts.every(x => x.status != null) && converged(sts)) { pollMs = e - t0; break }
      await sleep(opts.pollMs)
    } else {
      readAll(tails, lines)
      const ids = peerIdsOf(lines)
      if (ids != null) {
        logAt = firstAllAlive(changesByObserver(lines, ids), ids)
        if (logAt != null) break
      }
      await sleep(10)
    }
  }
  const cpuMs = state.nodes.map(e => procCpuMs(e.pid) ?? NaN)
  if (mode === 'logs') {
    // Nothing asked a node anything until now; confirm through the status protocol too.
    await waitConverged(dir, n, opts.formationTimeoutMs, opts.pollMs)
  }
  readAll(tails, lines)
  const ids = peerIdsOf(lines)
  if (ids != null) logAt ??= firstAllAlive(changesByObserver(lines, ids), ids)
  const at = (msg: RegExp) => lines.map(ls => (ls.find(l => msg.test(l.msg))?.time ?? NaN) - t0)
  return {
    state,
    result: {
      mode,
      pollMs,
      logMs: logAt == null ? undefined : logAt - t0,
      spawnMs,
      identityMs: at(/identity/),
      startedMs: at(/^meshnode started$/),
      statusCallMs,
      statusCallOkMs,
      polls,
      cpuMs
    }
  }
}

// ---------------------------------------------------------------------------------------
// 3. Crash detection

interface PollOutcome {
  index: number
  /** t0 to the end of the first status call that reported the victim dead. */
  seenMs?: number
  /** t0 to the start of the last call that still did not (the transition is after it). */
  lastNotDeadStartMs?: number
  callMs: number[]
  errors: number
}

async function pollUntilDead (e: NodeEntry, victim: string, t0: number, deadline: number, stop: { done: boolean }): Promise<PollOutcome> {
  const out: PollOutcome = { index: e.index, callMs: [], errors: 0 }
  while (!stop.done && Date.now() < deadline) {
    const s = Date.now()
    try {
      const st = await fetchStatus({ dataDir: e.dataDir, timeoutMs: 2_000 })
      const end = Date.now()
      out.callMs.push(end - s)
      if (st.peers.find(p => p.peerId === victim)?.state === 'dead') {
        out.seenMs = end - t0
        return out
      }
      out.lastNotDeadStartMs = s - t0
    } catch {
      out.errors++
      await sleep(10)
    }
  }
  return out
}

interface KillResult {
  victim: number
  /** Time the synchronous part of kill() took (loadState + the signal). */
  signalMs: number
  /** Per survivor: t0 to its "membership change ... to: dead" line; undefined = never. */
  logDeadMs: Array<number | undefined>
  logSuspectFirstMs?: number
  deadReasons: string[]
  suspectReasons: string[]
  polls: PollOutcome[]
  /** Survivors whose log time is after their poll time (should never happen). */
  inconsistencies: number
  /** suspect/dead transitions about peers other than the victim, seen by survivors. */
  collateral: string[]
  rejoinMs: number
}

async function killOnce (dir: string, victimIndex: number, peerIds: Map<number, string>, rng: () => number, opts: Options): Promise<KillResult> {
  const state = loadState(dir)
  const victimId = peerIds.get(victimIndex)!
  const survivors = state.nodes.filter(e => e.index !== victimIndex)
  const tails = survivors.map(e => LogTail.atEnd(e.log))
  const lines: LogLine[][] = survivors.map(() => [])
  let polled: NodeEntry[] = []
  if (opts.killPoll === 'all') polled = survivors
  else if (opts.killPoll === 'one') polled = [survivors[Math.floor(rng() * survivors.length)]!]

  const t0 = Date.now()
  const killed = kill(victimIndex, 'SIGKILL', dir) // the signal is sent synchronously in this call
  const signalMs = Date.now() - t0
  const deadline = t0 + opts.detectTimeoutMs
  const stop = { done: false }
  const pollers = Promise.all(polled.map(async e => await pollUntilDead(e, victimId, t0, deadline, stop)))

  const deadTime = (ls: LogLine[]): MembershipChange | undefined =>
    membershipChanges(ls).find(c => c.peer === victimId && c.to === 'dead' && c.time >= t0)
  while (Date.now() < deadline) {
    readAll(tails, lines)
    if (lines.every(ls => deadTime(ls) != null)) break
    await sleep(10)
  }
  const polls = await pollers
  stop.done = true
  await killed

  checkBuild(`restarting node-${victimIndex} in ${dir}`)
  const tR = Date.now()
  await restartTracked(victimIndex, dir)
  let rejoinMs = NaN
  try {
    await waitConverged(dir, state.nodes.length, opts.rejoinTimeoutMs, opts.pollMs)
    rejoinMs = Date.now() - tR
  } catch {}
  await sleep(opts.settleMs)
  readAll(tails, lines)

  const deads = lines.map(deadTime)
  const suspects = lines.map(ls => membershipChanges(ls).find(c => c.peer === victimId && c.to === 'suspect' && c.time >= t0))
  const logDeadMs = deads.map(d => d == null ? undefined : d.time - t0)
  let inconsistencies = 0
  for (const p of polls) {
    const i = survivors.findIndex(e => e.index === p.index)
    const logMs = logDeadMs[i]
    if (p.seenMs != null && logMs != null && logMs > p.seenMs + 1) inconsistencies++
  }
  const names = new Map([...peerIds].map(([i, id]) => [id, `node-${i}`]))
  const collateral: string[] = []
  lines.forEach((ls, i) => {
    for (const c of membershipChanges(ls)) {
      if (c.peer !== victimId && (c.to === 'suspect' || c.to === 'dead')) {
        collateral.push(`node-${survivors[i]!.index} saw ${names.get(c.peer) ?? c.peer} ${c.to} (${c.reason}) at t0+${c.time - t0} ms`)
      }
    }
  })
  const suspectTimes = suspects.filter(s => s != null).map(s => s!.time - t0)
  return {
    victim: victimIndex,
    signalMs,
    logDeadMs,
    logSuspectFirstMs: suspectTimes.length > 0 ? Math.min(...suspectTimes) : undefined,
    deadReasons: deads.filter(d => d != null).map(d => d!.reason),
    suspectReasons: suspects.filter(s => s != null).map(s => s!.reason),
    polls,
    inconsistencies,
    collateral,
    rejoinMs
  }
}

// ---------------------------------------------------------------------------------------
// Baseline: what one process costs before there is any mesh to form.

interface Baseline {
  bareNodeRssMiB?: number
  single: Array<{ startedMs: number, cpuMs: number, rssMiB: number }>
}

async function baseline (opts: Options): Promise<Baseline> {
  const out: Baseline = { single: [] }
  const bare = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1e6)'], { stdio: 'ignore' })
  await sleep(1_000)
  out.bareNodeRssMiB = bare.pid == null ? undefined : procMemory(bare.pid)?.rssMiB
  bare.kill('SIGKILL')
  const basePort = await freePortBlock(opts.basePort + 20 * opts.sizes.length, 1)
  for (let r = 1; r <= 3; r++) {
    const dir = join(rootDir!, `single-run${r}`)
    const t0 = Date.now()
    const state = await upTracked(1, { dir, basePort, extraArgs: ['--mesh', `bench-${process.pid}`, ...opts.nodeArgs] })
    const tail = new LogTail(state.nodes[0]!.log, 0)
    const lines: LogLine[] = []
    let started: number | undefined
    let cpuMs = NaN
    while (started == null && Date.now() - t0 < 30_000) {
      lines.push(...tail.read())
      started = lines.find(l => l.msg === 'meshnode started')?.time
      if (started != null) cpuMs = procCpuMs(state.nodes[0]!.pid) ?? NaN
      else await sleep(5)
    }
    await sleep(2_000)
    const rssMiB = procMemory(state.nodes[0]!.pid)?.rssMiB ?? NaN
    out.single.push({ startedMs: (started ?? NaN) - t0, cpuMs, rssMiB })
    await stopCurrent()
  }
  return out
}

// ---------------------------------------------------------------------------------------
// Serf comparison (optional)

interface SerfReport {
  n: number
  version: string
  /** Spawn of the first agent until every agent logged a join of every other. */
  formationMs?: number
  kills: Array<{ victim: number, allMs?: number, firstMs?: number, pollMs?: number, rejoinMs: number }>
  rssMiB: number[]
  error?: string
}

async function runSerf (n: number, k: number, version: string, opts: Options): Promise<SerfReport> {
  const report: SerfReport = { n, version, kills: [], rssMiB: [] }
  const rng = mulberry32(opts.seed + 1000 * n)
  const basePort = await freePortBlock(opts.basePort + 500 + 40 * k, 2 * n)
  const cluster = new SerfCluster(n, join(rootDir!, `serf-n${n}`), basePort, 'lan')
  currentSerf = cluster
  console.log(`
=== Serf ${version}, N = ${n}, LAN profile (ports ${basePort}..${basePort + 2 * n - 1}) ===`)
  try {
    const t0 = Date.now()
    guard()
    await cluster.startAll()
    await waitUntil(async () => await cluster.converged(), 60_000, `${n} serf agents to converge`, 50)
    const names = cluster.agents.map(a => a.name)
    const joinedAt = cluster.agents.map(a => max(names.filter(nm => nm !== a.name).map(nm => a.events.find(e => e.kind === 'join' && e.member === nm)?.time ?? NaN)))
    report.formationMs = max(joinedAt) - t0
    console.log(`serf formation (first agent spawned -> every agent logged every join): ${ms(report.formationMs)}`)
    await sleep(2_000)
    report.rssMiB = cluster.agents.map(a => procMemory(cluster.pid(a.index) ?? -1)?.rssMiB ?? NaN)
    console.log(`serf agent RSS: mean ${num(mean(report.rssMiB), 1)} MiB, max ${num(max(report.rssMiB), 1)} MiB`)
    for (let i = 0; i < opts.serfKills; i++) {
      const victim = 1 + Math.floor(rng() * n)
      const vname = cluster.agent(victim).name
      const survivors = cluster.agents.filter(a => a.index !== victim)
      const watcher = survivors[0]!
      const tk = Date.now()
      cluster.kill(victim, 'SIGKILL')
      const deadline = tk + 60_000
      let pollMs: number | undefined
      const failedAt = (a: typeof survivors[number]) => a.events.find(e => e.kind === 'failed' && e.member === vname && e.time >= tk)?.time
      while (Date.now() < deadline) {
        if (pollMs == null) {
          try {
            const ms2 = await cluster.members(watcher.index)
            if (ms2.find(m => m.name === vname)?.status === 'failed') pollMs = Date.now() - tk
          } catch {}
        } else {
          await sleep(10)
        }
        if (pollMs != null && survivors.every(a => failedAt(a) != null)) break
      }
      const times = survivors.map(failedAt).filter(v => v != null).map(v => v! - tk)
      await cluster.waitExit(victim)
      const tr = Date.now()
      guard()
      cluster.start(victim, watcher.index)
      await waitUntil(async () => await cluster.converged(), 60_000, 'serf rejoin', 100)
      const r = { victim, allMs: times.length === survivors.length ? max(times) : undefined, firstMs: times.length > 0 ? Math.min(...times) : undefined, pollMs, rejoinMs: Date.now() - tr }
      report.kills.push(r)
      console.log(`serf kill ${i + 1}/${opts.serfKills} ${vname}: all survivors failed ${ms(r.allMs)} (first ${ms(r.firstMs)}); \`serf members\` poll of ${watcher.name}: ${ms(pollMs)}; rejoin ${ms(r.rejoinMs)}`)
      await sleep(opts.settleMs)
    }
  } catch (err: any) {
    report.error = String(err?.stack ?? err)
    console.log(`ERROR in the Serf run for N = ${n}: ${report.error}`)
  } finally {
    await stopCurrent()
  }
  return report
}

// ---------------------------------------------------------------------------------------
// Per-size driver

interface SizeReport {
  n: number
  formations: FormationResult[]
  steady?: {
    seconds: number
    counters: Record<string, { total: number, delta: number }>
    logTransitions: string[]
    allRunning: boolean
    /** Mean RSS over the nodes, sampled at the start of the steady run and every 60 s. */
    rssSamples: Array<{ atS: number, meanMiB: number }>
    /** CPU used by each node during the steady run, as % of one core. */
    cpuPct: number[]
  }
  rss?: { rssMiB: number[], hwmMiB: number[] }
  statusOverhead?: { statusAllMs: number[], fetchOneMs: number[] }
  kills: KillResult[]
  error?: string
}

const STEADY_COUNTERS = ['suspicions_total', 'deaths_total', 'refuted_suspicions_total', 'probes_total', 'probes_failed_total', 'heartbeats_sent_total', 'heartbeats_received_total']

async function runSize (n: number, k: number, opts: Options, rng: () => number): Promise<SizeReport> {
  const report: SizeReport = { n, formations: [], kills: [] }
  const basePort = await freePortBlock(opts.basePort + 20 * k, n)
  console.log(`\n=== N = ${n}  (ports ${basePort}..${basePort + n - 1}, load avg ${loadavg()}) ===`)
  try {
    // 1. Formation: log-watch runs first (no status clients), then polled runs; the last
    //    polled cluster stays up for the rest.
    const modes: Array<'poll' | 'logs'> = [...Array(opts.formationRuns).fill('logs'), ...Array(opts.formationRuns).fill('poll')]
    let state: ClusterState | undefined
    for (let r = 0; r < modes.length; r++) {
      const mode = modes[r]!
      const dir = join(rootDir!, `n${n}-run${r + 1}`)
      const { result, state: st } = await formationRun(n, dir, basePort, mode, opts)
      report.formations.push(result)
      console.log(`formation ${r + 1}/${modes.length} [${mode}]: ` +
        `log ${ms(result.logMs)}` + (mode === 'poll' ? `, poll ${ms(result.pollMs)} (${result.polls} statusAll calls; those where all ${n} answered: p50 ${ms(median(result.statusCallOkMs))} max ${ms(max(result.statusCallOkMs))})` : '') +
        `; spawn ${ms(result.spawnMs)}, identity line max ${ms(max(result.identityMs))}, "meshnode started" median ${ms(median(result.startedMs))} max ${ms(max(result.startedMs))}; CPU per node ${ms(mean(result.cpuMs))} (sum ${ms(sum(result.cpuMs))})`)
      if (r < modes.length - 1) {
        await stopCurrent()
      } else {
        state = st
      }
    }
    const dir = state!.dir
    await waitConverged(dir, n, 30_000, opts.pollMs)

    // 2. Steady run.
    const base = await statusAll(dir)
    const tails = state!.nodes.map(e => LogTail.atEnd(e.log))
    const lines: LogLine[][] = state!.nodes.map(() => [])
    const tS = Date.now()
    console.log(`steady run: ${opts.steadySeconds} s without faults (load avg ${loadavg()})`)
    let allRunning = true
    let nextReport = tS + 60_000
    const meanRss = (): number => mean(loadState(dir).nodes.map(e => procMemory(e.pid)?.rssMiB ?? NaN))
    const rssSamples = [{ atS: 0, meanMiB: meanRss() }]
    const steadyPids = loadState(dir).nodes.map(e => e.pid)
    const cpu0 = steadyPids.map(pid => procCpuMs(pid) ?? NaN)
    while (Date.now() - tS < opts.steadySeconds * 1000) {
      await sleep(Math.min(1_000, opts.steadySeconds * 1000 - (Date.now() - tS)))
      readAll(tails, lines)
      if (!loadState(dir).nodes.every(e => procMemory(e.pid) != null)) allRunning = false
      if (Date.now() >= nextReport) {
        nextReport += 60_000
        const bad = lines.flatMap(ls => membershipChanges(ls).filter(c => c.to === 'suspect' || c.to === 'dead')).length
        const atS = Math.round((Date.now() - tS) / 1000)
        rssSamples.push({ atS, meanMiB: meanRss() })
        console.log(`  ${atS} s: suspect/dead transitions in logs so far: ${bad}; mean node RSS ${num(rssSamples.at(-1)!.meanMiB, 1)} MiB; load avg ${loadavg()}`)
      }
    }
    const seconds = (Date.now() - tS) / 1000
    const cpuPct = steadyPids.map((pid, i) => ((procCpuMs(pid) ?? NaN) - cpu0[i]!) / (seconds * 1000) * 100)
    const after = await statusAll(dir)
    readAll(tails, lines)
    const ids = peerIdsOf(lines)
    const names = new Map((ids ?? []).map((id, i) => [id, `node-${i + 1}`]))
    const logTransitions = lines.flatMap((ls, i) => membershipChanges(ls)
      .filter(c => c.to === 'suspect' || c.to === 'dead')
      .map(c => `node-${i + 1} saw ${names.get(c.peer) ?? c.peer} ${c.to} (${c.reason}) at +${((c.time - tS) / 1000).toFixed(1)} s`))
    const counters: Record<string, { total: number, delta: number }> = {}
    for (const c of STEADY_COUNTERS) counters[c] = { total: counterSum(after, c), delta: counterSum(after, c) - counterSum(base, c) }
    report.steady = { seconds, counters, logTransitions, allRunning: allRunning && after.every(s => s.status != null), rssSamples, cpuPct }
    console.log(`steady run done (${seconds.toFixed(0)} s): ` + STEADY_COUNTERS.map(c => `${c} ${counters[c]!.delta} (since start ${counters[c]!.total})`).join(', '))
    console.log(`idle CPU per node during the steady run: mean ${num(mean(cpuPct), 1)} % of a core, max ${num(max(cpuPct), 1)} %; all ${n} nodes together ${num(sum(cpuPct) / 100, 2)} of ${availableParallelism()} cores`)
    for (const t of logTransitions) console.log(`  ${t}`)

    // 3. Idle RSS, before anything else touches the nodes.
    const mem = loadState(dir).nodes.map(e => procMemory(e.pid)).filter(m => m != null)
    report.rss = { rssMiB: mem.map(m => m!.rssMiB), hwmMiB: mem.map(m => m!.hwmMiB) }
    console.log(`idle RSS per node: mean ${num(mean(report.rss.rssMiB), 1)} MiB, max ${num(max(report.rss.rssMiB), 1)} MiB (peak VmHWM max ${num(max(report.rss.hwmMiB), 1)} MiB)`)

    // Poll overhead on the formed, idle cluster.
    const statusAllMs: number[] = []
    const fetchOneMs: number[] = []
    for (let i = 0; i < 10; i++) {
      let s = Date.now()
      await statusAll(dir)
      statusAllMs.push(Date.now() - s)
      s = Date.now()
      await fetchStatus({ dataDir: state!.nodes[0]!.dataDir, timeoutMs: 2_000 })
      fetchOneMs.push(Date.now() - s)
    }
    report.statusOverhead = { statusAllMs, fetchOneMs }
    console.log(`status poll cost on the idle cluster: statusAll (${n} clients) p50 ${ms(median(statusAllMs))} max ${ms(max(statusAllMs))}; one fetchStatus p50 ${ms(median(fetchOneMs))} max ${ms(max(fetchOneMs))}`)

    // 4. Crash detection.
    const conv = await waitConverged(dir, n, 30_000, opts.pollMs)
    const peerIds = new Map(conv.map(s => [s.entry.index, s.status!.peerId]))
    console.log(`crash detection: ${opts.kills} SIGKILLs, status polls of ${opts.killPoll === 'all' ? 'all survivors' : opts.killPoll === 'one' ? 'one survivor' : 'no survivor'} as cross-check (load avg ${loadavg()})`)
    for (let i = 0; i < opts.kills; i++) {
      const victim = 1 + Math.floor(rng() * n)
      const r = await killOnce(dir, victim, peerIds, rng, opts)
      report.kills.push(r)
      const logAll = r.logDeadMs.some(v => v == null) ? undefined : Math.max(...r.logDeadMs as number[])
      const logFirst = Math.min(...r.logDeadMs.filter(v => v != null) as number[])
      const pollSeen = r.polls.map(p => p.seenMs).filter(v => v != null) as number[]
      const pollCalls = r.polls.flatMap(p => p.callMs)
      console.log(`kill ${String(i + 1).padStart(2)}/${opts.kills} node-${victim}: all survivors dead ${ms(logAll)} (first ${ms(logFirst)}, first suspect ${ms(r.logSuspectFirstMs)})` +
        (r.polls.length > 0 ? `; poll: all ${ms(pollSeen.length === r.polls.length ? max(pollSeen) : undefined)} first ${ms(Math.min(...pollSeen))}, call p50 ${ms(median(pollCalls))}` : '') +
        `; rejoin ${ms(r.rejoinMs)}` +
        (r.logDeadMs.some(v => v == null) ? `  [${r.logDeadMs.filter(v => v == null).length} survivor(s) never logged dead]` : '') +
        (r.inconsistencies > 0 ? `  [${r.inconsistencies} log>poll inconsistencies]` : '') +
        (r.collateral.length > 0 ? `  [${r.collateral.length} collateral: ${r.collateral.slice(0, 4).join('; ')}${r.collateral.length > 4 ? '; ...' : ''}]` : ''))
      if (!Number.isFinite(r.rejoinMs)) {
        console.log(`  the cluster did not re-converge within ${opts.rejoinTimeoutMs} ms after restarting node-${victim} (load avg ${loadavg()}); no further kills for N = ${n}`)
        report.error = `no re-convergence within ${opts.rejoinTimeoutMs} ms after kill ${i + 1}`
        break
      }
    }
  } catch (err: any) {
    report.error = String(err?.stack ?? err)
    console.log(`ERROR for N = ${n}: ${report.error}`)
  } finally {
    await stopCurrent()
  }
  return report
}

// ---------------------------------------------------------------------------------------
// Report

function countBy (xs: string[]): string {
  const m = new Map<string, number>()
  for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1)
  return [...m].map(([k, v]) => `${k} ×${v}`).join(', ') || 'none'
}

function printReport (reports: SizeReport[], base: Baseline | undefined, serf: SerfReport[], opts: Options): void {
  console.log('\n==================== SUMMARY ====================')
  if (base != null) {
    console.log(`\nbaseline: bare Node ${process.version} process (setInterval only) RSS ${num(base.bareNodeRssMiB, 1)} MiB`)
    console.log(`baseline: one meshnode alone, spawn -> "meshnode started": ${base.single.map(s => ms(s.startedMs)).join(', ')}; CPU used by then ${base.single.map(s => ms(s.cpuMs)).join(', ')}; idle RSS after 2 s ${base.single.map(s => `${num(s.rssMiB, 1)} MiB`).join(', ')}`)
  }
  const rows: string[][] = []
  for (const r of reports) {
    console.log(`\n--- N = ${r.n} ---`)
    if (r.error != null) console.log(`(incomplete: ${r.error.split('\n')[0]})`)
    const pollF = r.formations.filter(f => f.mode === 'poll')
    const logF = r.formations.filter(f => f.mode === 'logs')
    const pollMs = pollF.map(f => f.pollMs).filter(v => v != null) as number[]
    const logMsPolled = pollF.map(f => f.logMs).filter(v => v != null) as number[]
    const logMsQuiet = logF.map(f => f.logMs).filter(v => v != null) as number[]
    const calls = pollF.flatMap(f => f.statusCallOkMs)
    console.log(`formation, status polling (every ${opts.pollMs} ms + call time):   poll-observed p50 ${ms(median(pollMs))} max ${ms(max(pollMs))}; exact (logs) in the same runs p50 ${ms(median(logMsPolled))} max ${ms(max(logMsPolled))}`)
    console.log(`  statusAll calls during formation in which all ${r.n} nodes answered: p50 ${ms(median(calls))} max ${ms(max(calls))} -> poll resolution ≈ ${opts.pollMs} ms pause + one call ≈ ${ms(opts.pollMs + median(calls))}`)
    console.log(`formation, log watching only (no status clients):  exact (logs) p50 ${ms(median(logMsQuiet))} max ${ms(max(logMsQuiet))}`)
    const allF = r.formations
    console.log(`  where the time goes (all runs, from spawn): spawn() returns p50 ${ms(median(allF.map(f => f.spawnMs)))}; ` +
      `last node's identity line p50 ${ms(median(allF.map(f => max(f.identityMs))))}; last "meshnode started" p50 ${ms(median(allF.map(f => max(f.startedMs))))}; ` +
      `full membership (logs) p50 ${ms(median(allF.map(f => f.logMs ?? NaN).filter(Number.isFinite)))}`)
    const afterStarted = allF.map(f => (f.logMs ?? NaN) - max(f.startedMs)).filter(Number.isFinite)
    console.log(`  full membership after the last node logged "meshnode started": p50 ${ms(median(afterStarted))} max ${ms(max(afterStarted))}`)
    const cpu = logF.flatMap(f => f.cpuMs).filter(Number.isFinite)
    console.log(`  CPU time per node process until formation (log-watch runs): mean ${ms(mean(cpu))}; ${r.n} nodes x mean / ${availableParallelism()} cores = ${ms(r.n * mean(cpu) / availableParallelism())} (lower bound for formation-from-spawn if start-up is CPU-bound)`)
    if (r.steady != null) {
      const c = r.steady.counters
      console.log(`steady ${r.steady.seconds.toFixed(0)} s: suspicions_total ${c.suspicions_total!.delta}, deaths_total ${c.deaths_total!.delta}, refuted ${c.refuted_suspicions_total!.delta}, probes ${c.probes_total!.delta} (failed ${c.probes_failed_total!.delta}); ` +
        `since process start incl. formation: suspicions ${c.suspicions_total!.total}, deaths ${c.deaths_total!.total}; nodes all up: ${r.steady.allRunning}; suspect/dead log lines: ${r.steady.logTransitions.length}`)
    }
    if (r.steady != null) console.log(`idle CPU per node during the steady run: mean ${num(mean(r.steady.cpuPct), 1)} % of a core, max ${num(max(r.steady.cpuPct), 1)} %; the ${r.n} nodes together use ${num(sum(r.steady.cpuPct) / 100, 2)} of ${availableParallelism()} cores`)
    if (r.steady != null) console.log(`mean node RSS during the steady run: ${r.steady.rssSamples.map(x => `${x.atS} s ${num(x.meanMiB, 1)}`).join(', ')} MiB`)
    if (r.rss != null) console.log(`idle RSS: mean ${num(mean(r.rss.rssMiB), 1)} MiB, max ${num(max(r.rss.rssMiB), 1)} MiB; peak (VmHWM) max ${num(max(r.rss.hwmMiB), 1)} MiB`)
    if (r.statusOverhead != null) console.log(`status cost, idle cluster: statusAll p50 ${ms(median(r.statusOverhead.statusAllMs))}, one fetchStatus p50 ${ms(median(r.statusOverhead.fetchOneMs))}`)

    const ks = r.kills
    const complete = ks.filter(k => k.logDeadMs.every(v => v != null))
    const allDead = complete.map(k => Math.max(...k.logDeadMs as number[]))
    const firstDead = ks.map(k => k.logDeadMs.filter(v => v != null) as number[]).filter(v => v.length > 0).map(v => Math.min(...v))
    const perSurvivor = ks.flatMap(k => k.logDeadMs.filter(v => v != null) as number[])
    const firstSuspect = ks.map(k => k.logSuspectFirstMs).filter(v => v != null) as number[]
    const pollAll = ks.filter(k => k.polls.length > 0 && k.polls.every(p => p.seenMs != null)).map(k => max(k.polls.map(p => p.seenMs!)))
    const pollCalls = ks.flatMap(k => k.polls.flatMap(p => p.callMs))
    if (ks.length > 0) {
      console.log(`crash detection over ${ks.length} kills (${complete.length} where every survivor logged dead${ks.length - complete.length > 0 ? `; ${ks.length - complete.length} timed out after ${opts.detectTimeoutMs} ms` : ''}):`)
      console.log(`  all survivors see dead (logs):  ${summary(allDead)}`)
      console.log(`  first survivor sees dead:       ${summary(firstDead)}`)
      console.log(`  every survivor, pooled:         ${summary(perSurvivor)}`)
      console.log(`  first suspect:                  ${summary(firstSuspect)}`)
      console.log(`  poll cross-check (all seen):    ${summary(pollAll)}   (status call p50 ${ms(median(pollCalls))}, max ${ms(max(pollCalls))}: poll figures are late by up to one call)`)
      console.log(`  reasons: suspect: ${countBy(ks.flatMap(k => k.suspectReasons))}; dead: ${countBy(ks.flatMap(k => k.deadReasons))}`)
      const rejoins = ks.map(k => k.rejoinMs).filter(Number.isFinite)
      console.log(`  kill() signal send: max ${ms(max(ks.map(k => k.signalMs)))}; restart until full re-convergence: p50 ${ms(median(rejoins))} max ${ms(max(rejoins))}${rejoins.length < ks.length ? ` (${ks.length - rejoins.length} never re-converged)` : ''}`)
      console.log(`  log later than poll (should be 0): ${sum(ks.map(k => k.inconsistencies))}; collateral suspect/dead of non-victims: ${sum(ks.map(k => k.collateral.length))}`)
      if (allDead.length < 100) console.log(`  note: nearest-rank p99 of ${allDead.length} samples is sample #${Math.ceil(0.99 * allDead.length)} in ascending order, i.e. the maximum`)
    }
    rows.push([
      String(r.n),
      `${ms(median(logMsQuiet))} / ${ms(max(logMsQuiet))}`,
      `${ms(median(pollMs))} / ${ms(max(pollMs))}`,
      `${ms(median(allDead))} / ${ms(quantile(allDead, 0.99))} / ${ms(max(allDead))}`,
      `${ms(median(firstDead))} / ${ms(max(firstDead))}`,
      `${ms(median(pollAll))} / ${ms(max(pollAll))}`,
      r.steady == null ? 'n/a' : `${r.steady.counters.suspicions_total!.delta} / ${r.steady.counters.deaths_total!.delta} (${r.steady.seconds.toFixed(0)} s)`,
      r.rss == null ? 'n/a' : `${num(mean(r.rss.rssMiB), 1)} / ${num(max(r.rss.rssMiB), 1)}`,
      r.steady == null ? 'n/a' : `${num(mean(r.steady.cpuPct), 1)} %`
    ])
  }
  console.log('\n==================== BENCHMARKS.md ====================\n')
  console.log(markdownTable(
    ['N', 'formation p50 / max (logs, unpolled)', 'formation p50 / max (statusAll poll)', 'detection p50 / p99 / max (all survivors)', 'detection p50 / max (first survivor)', 'detection p50 / max (poll cross-check)', 'false suspicions / deaths (steady)', 'idle RSS mean / max (MiB)', 'idle CPU per node (% of a core)'],
    rows
  ))
  const n = reports.map(r => r.kills.length)
  console.log(`\nFormation: ${opts.formationRuns} runs per mode; "logs" = first instant at which every node's own log shows all N-1 peers alive, time from just before spawning the processes (includes Node start-up and module loading); ` +
    `"statusAll poll" = end of the first \`statusAll\` call that saw full membership, polled every ${opts.pollMs} ms plus the call time, with the polling load on the same cores. ` +
    `Detection: SIGKILL of a seeded-random node (seed ${opts.seed}), ${n.join('/')} kills per size; time from just before the signal to the survivors' "membership change → dead" log lines (epoch ms). ` +
    `p99 is nearest-rank: with ≤ 100 samples it is the maximum. Poll cross-check: tight-loop \`meshnode status\` (throwaway libp2p client per call) of the survivors, end of the first call that showed dead.`)
  console.log('Targets (for reference, not checked): 10-node formation < 1.5 s, detection p50 < 300 ms, p99 < 500 ms, idle RSS < 100 MB, 0 false suspicions in 5 min.')
  if (serf.length > 0) {
    console.log(`\nComparison with HashiCorp Serf ${serf[0]!.version} (LAN profile: 1 s probe interval, suspicion multiplier 4), same machine, same loopback, ${opts.serfKills} SIGKILLs per size:\n`)
    console.log(markdownTable(
      ['N', 'meshnode detection p50 / max (all survivors)', 'Serf detection p50 / max (all survivors)', 'Serf first survivor p50', 'meshnode formation p50 (logs)', 'Serf formation', 'meshnode RSS mean', 'Serf agent RSS mean'],
      serf.map(s => {
        const m = reports.find(r => r.n === s.n)
        const mAll = (m?.kills ?? []).filter(k => k.logDeadMs.every(v => v != null)).map(k => Math.max(...k.logDeadMs as number[]))
        const sAll = s.kills.map(k => k.allMs).filter(v => v != null) as number[]
        const sFirst = s.kills.map(k => k.firstMs).filter(v => v != null) as number[]
        const mForm = (m?.formations ?? []).filter(f => f.mode === 'logs').map(f => f.logMs).filter(v => v != null) as number[]
        return [String(s.n), `${ms(median(mAll))} / ${ms(max(mAll))}`, `${ms(median(sAll))} / ${ms(max(sAll))}`, ms(median(sFirst)), ms(median(mForm)), ms(s.formationMs),
          m?.rss == null ? 'n/a' : `${num(mean(m.rss.rssMiB), 1)} MiB`, `${num(mean(s.rssMiB), 1)} MiB`]
      })
    ))
    console.log('\nSerf figures: time from just before SIGKILL to each survivor\'s "EventMemberFailed" log line, timestamped on arrival through a pipe (Serf\'s own log clock has 1 s resolution).')
  }
}

// ---------------------------------------------------------------------------------------

async function main (): Promise<void> {
  program.parse(process.argv.slice(2), { from: 'user' })
  const opts = program.opts() as Options
  keepDirs = opts.keep
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  rootDir = mkdtempSync(join(tmpdir(), 'meshnode-bench-'))

  console.log('# meshnode membership benchmark\n')
  console.log(formatMachine(machineInfo()))
  treeBuild = buildInfo(ROOT)
  if (opts.snapshot) {
    const snap = join(rootDir, 'build')
    snapshotBuild(ROOT, snap)
    useClusterLib(await importClusterLib(snap))
    startBuild = buildInfo(ROOT)
    console.log(`Build:   ${formatBuild(treeBuild)}`)
    console.log(`         frozen for this run: nodes run from a copy in ${snap} (${Object.entries(startBuild.parts).map(([k, v]) => `${k} ${v}`).join(', ')})`)
  } else {
    startBuild = treeBuild
    console.log(`Build:   ${formatBuild(startBuild)} (from the working tree: a rebuild during the run is detected and reported)`)
  }
  console.log(`Load avg at start: ${loadavg()} (1/5/15 min)`)
  console.log(`Options: sizes ${opts.sizes.join(',')}, kills ${opts.kills}, steady ${opts.steadySeconds} s, formation runs ${opts.formationRuns} per mode, seed ${opts.seed}, poll ${opts.pollMs} ms, settle ${opts.settleMs} ms, kill-poll ${opts.killPoll}${opts.nodeArgs.length > 0 ? `, node args ${opts.nodeArgs.join(' ')}` : ''}`)
  console.log(`Cluster dirs under ${rootDir}${opts.keep ? ' (kept)' : ''}`)

  const rng = mulberry32(opts.seed)
  const reports: SizeReport[] = []
  const serfReports: SerfReport[] = []
  let base: Baseline | undefined
  const t = Date.now()
  try {
    base = await baseline(opts)
    console.log(`\nbaseline: bare Node RSS ${num(base.bareNodeRssMiB, 1)} MiB; one meshnode alone: spawn -> started ${base.single.map(s => ms(s.startedMs)).join(', ')}, CPU ${base.single.map(s => ms(s.cpuMs)).join(', ')}, RSS ${base.single.map(s => num(s.rssMiB, 1)).join(', ')} MiB`)
    for (let k = 0; k < opts.sizes.length; k++) reports.push(await runSize(opts.sizes[k]!, k, opts, rng))
    if (opts.serf) {
      const version = serfVersion()
      if (version == null) {
        console.log('\n--serf: no `serf` on PATH; skipping the Serf comparison (apt-get install serf)')
      } else {
        for (let k = 0; k < opts.sizes.length; k++) serfReports.push(await runSerf(opts.sizes[k]!, k, version, opts))
      }
    }
  } finally {
    await cleanup()
    if (!aborted) {
      printReport(reports, base, serfReports, opts)
      if (buildChanges.length > 0) {
        console.log(`\nWARNING: the meshnode build changed ${buildChanges.length} time(s) during this run, so figures mix builds:`)
        for (const c of buildChanges) console.log(`  - ${c}`)
      } else {
        console.log(`\nBuild unchanged throughout the run: ${formatBuild(treeBuild!)}${opts.snapshot ? ' (nodes ran from a frozen copy)' : ''}`)
      }
      console.log(`\nLoad avg at end: ${loadavg()}; total bench time ${((Date.now() - t) / 1000).toFixed(0)} s`)
    }
  }
}

try {
  await main()
  process.exit(0)
} catch (err: any) {
  if (!aborted) console.error(err?.stack ?? err)
  await cleanup()
  process.exit(aborted ? 130 : 1)
}
