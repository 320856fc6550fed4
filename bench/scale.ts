// bench/scale: how many meshnode processes one machine holds, and what each costs. For each
// cluster size (default 10, 25, 50) it starts that many real node processes on loopback and
// reports formation time and per-node idle CPU and RSS; the largest size is then held for
// --minutes (default 10) with no faults, and the run reports false suspicions and local deaths
// and Raft elections (campaigns started) from the node logs over the hold — status counters
// read at its ends miss the nodes that do not answer in time — and how far the term moved — the issue's target is 0 and 0. It prints figures; it
// never passes or fails on them.
//
//   npm run bench:scale -- --sizes 10,25,50 --minutes 10 --base-port 20000
//   npm run bench:scale -- --sizes 10 --minutes 0 --build ../base   (another checkout's nodes)
//
// Formation: from just before spawning the N processes until every node's own log shows all
// N-1 peers alive (the same log-based measure as bench/membership, no status polling meanwhile).
// Beside it, "leader known": until every node's log names the same Raft leader (the cluster
// founded, elected, and every follower verified the leader), with how many leaders were
// elected by then (1: the first election stood); CPU per node is read at both points. A leader
// not named by every node within LEADER_WAIT_MS of formation is read from the whole logs after
// the idle window (or the hold), without CPU: at 50 processes that is the usual case. Beside
// formation, whether it was bound by CPU or by waiting: the cores the nodes used from spawn to
// formation, the machine's idle share and what everything else used, and each node's CPU at
// its "meshnode started" line (its start; the rest is connections and heartbeats).
// Idle CPU: user+sys time of each node process over --idle-seconds, starting --settle-seconds
// after formation, the Raft leader's apart from the followers', with each node's main-thread
// wake-ups a second (voluntary context switches) over the same window. Messages: what each node sent per second in that window, by kind (gossip
// heartbeats, pulses, Raft frames; from every node's status counters at its start and end).
// RSS: VmRSS at the end of that window. The nodes run from a frozen copy of
// bin/ and dist/ (as bench/membership), so a rebuild during a long hold changes nothing.
import { Command } from 'commander'
import { mkdtempSync, rmSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { ClusterState, NodeStatus } from '../scripts/cluster-lib.js'
import { buildInfo, formatBuild } from './lib/build.js'
import { foreignCpu, formatMachine, loadavg, machineBusyMs, machineInfo, procCpuMs, procMemory, procWakeups } from './lib/machine.js'
import { countLogged, firstAllAlive, firstLeaderAgreed, leaderAgreedInLogs, LogTail, membershipChanges, ownPeerId, type LogLine, type LoggedEvents } from './lib/node-logs.js'
import { freePortBlock } from './lib/ports.js'
import { importClusterLib, snapshotBuild, type ClusterLib } from './lib/snapshot.js'
import { markdownTable, max, mean, median, ms, num, sleep, sum } from './lib/stats.js'

interface Options {
  sizes: number[]
  minutes: number
  holdSize?: number
  settleSeconds: number
  idleSeconds: number
  sampleSeconds: number
  basePort: number
  formationTimeoutMs: number
  nodeArgs: string[]
  keep: boolean
  build?: string
}

const list = (v: string): number[] => v.split(',').map(s => {
  const n = Number(s.trim())
  if (!Number.isInteger(n) || n < 2) throw new Error(`cluster sizes must be whole numbers >= 2, got "${s}"`)
  return n
})
const num0 = (name: string, minimum = 0) => (v: string): number => {
  const n = Number(v)
  if (!Number.isFinite(n) || n < minimum) throw new Error(`--${name} must be a number >= ${minimum}, got "${v}"`)
  return n
}

const program = new Command('bench/scale')
  .description('scale benchmark: formation, idle CPU and RSS per node at 10/25/50 nodes; the largest held for --minutes, counting false suspicions and elections (prints figures, never pass/fail)')
  .option('--sizes <list>', 'cluster sizes, comma-separated', list, [10, 25, 50])
  .option('--minutes <m>', 'how long the largest size is held without faults (0: not held)', num0('minutes'), 10)
  .option('--hold-size <n>', 'which size to hold (default: the largest)', num0('hold-size', 2))
  .option('--settle-seconds <s>', 'pause after formation before the idle window', num0('settle-seconds'), 15)
  .option('--idle-seconds <s>', 'idle CPU measuring window per size', num0('idle-seconds', 1), 30)
  .option('--sample-seconds <s>', 'CPU/RSS sample interval during the hold', num0('sample-seconds', 5), 60)
  .option('--base-port <port>', 'first port to try for the nodes (a free block of 2N ports from here: N for libp2p, then N for HTTP)', num0('base-port', 1024), 20000)
  .option('--formation-timeout-ms <ms>', 'give up on a formation after this long', num0('formation-timeout-ms'), 180_000)
  .option('--node-args <args>', 'extra flags for every `meshnode start`, space-separated', (v: string) => v.split(/\s+/).filter(Boolean), [] as string[])
  .option('--keep', 'keep the cluster dirs and node logs under /tmp', false)
  .option('--build <dir>', 'run the nodes of this built checkout (its bin/ and dist/; default: this one), for A/B runs with one bench')

let lib: ClusterLib
const liveDirs = new Set<string>()
let aborted = false

async function cleanup (): Promise<void> {
  for (const dir of [...liveDirs]) {
    try { await lib.down(dir, true) } catch {}
    liveDirs.delete(dir)
  }
}
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (aborted) return
    aborted = true
    console.error(`\n${sig}: stopping every node this run started`)
    void cleanup().finally(() => process.exit(130))
  })
}

function cpuWindow (pids: number[]): () => number[] {
  const t0 = Date.now()
  const c0 = pids.map(pid => procCpuMs(pid) ?? NaN)
  return () => {
    const secs = (Date.now() - t0) / 1000
    return pids.map((pid, i) => ((procCpuMs(pid) ?? NaN) - c0[i]!) / (secs * 1000) * 100)
  }
}

/** Main-thread wake-ups per second of each process from now until the returned function is called. */
function wakeupWindow (pids: number[]): () => number[] {
  const t0 = Date.now()
  const w0 = pids.map(pid => procWakeups(pid) ?? NaN)
  return () => {
    const secs = (Date.now() - t0) / 1000
    return pids.map((pid, i) => ((procWakeups(pid) ?? NaN) - w0[i]!) / secs)
  }
}

/** The Raft leader's index among the nodes (by their status at the window's end), or -1. */
function leaderIndex (sts: NodeStatus[]): number {
  return sts.findIndex(s => s.status?.role === 'leader')
}

/** "leader X, followers mean Y" of a per-node figure. */
function byRole (values: number[], leader: number, digits: number): string {
  const followers = values.filter((_, i) => i !== leader)
  return `leader ${leader < 0 ? '?' : num(values[leader]!, digits)}, followers mean ${num(mean(followers), digits)}`
}

const rssOf = (pids: number[]): number[] => pids.map(pid => procMemory(pid)?.rssMiB ?? NaN)
const counter = (sts: NodeStatus[], name: string): number => sum(sts.map(s => s.status?.counters[name] ?? 0))
/** The nodes (by index, as statusAll lists them) that answered both status calls. */
const answeredBoth = (before: NodeStatus[], after: NodeStatus[]): number[] =>
  after.flatMap((s, i) => s.status != null && before[i]?.status != null ? [i] : [])
/**
 * How much `name` grew between the two calls, over the nodes that answered both: a node that
 * answered only one of them (a loaded node times out) would otherwise add or take away its
 * whole counter (the 50-node idle window, in the connection storm, read -1.12 heartbeats a second).
 */
const delta = (before: NodeStatus[], after: NodeStatus[], name: string): number =>
  sum(answeredBoth(before, after).map(i => (after[i]!.status!.counters[name] ?? 0) - (before[i]!.status!.counters[name] ?? 0)))
const terms = (sts: NodeStatus[]): number[] => sts.map(s => Number((s.status as any)?.term ?? NaN)).filter(Number.isFinite)

interface SizeResult {
  n: number
  formationMs: number
  startCpuMs: number[]
  leader: LeaderKnown
  idleCpuPct: number[]
  rssMiB: number[]
  load: string
  /** What each node sent per second in the idle window, mean over the nodes (LIVENESS_COUNTERS). */
  sentPerSec: Record<string, number>
  hold?: HoldResult
}

/**
 * The messages an idle node sends to keep its peers' view of it alive, by kind: gossip
 * heartbeats, pulses (and the peers a quiet heartbeat left out), Raft frames. Their rates
 * against N say which part of the idle cost grows with the mesh.
 */
const LIVENESS_COUNTERS = ['heartbeats_sent_total', 'heartbeats_left_out_total', 'pulses_sent_total', 'raft_sent_total']

/** Per node per second, mean over the nodes, of each counter's growth between two status rounds. */
function ratesPerNode (before: NodeStatus[], after: NodeStatus[], seconds: number, names: string[]): Record<string, number> {
  const n = answeredBoth(before, after).length
  return Object.fromEntries(names.map(k => [k, n === 0 ? NaN : delta(before, after, k) / n / seconds]))
}

const formatRates = (r: Record<string, number>): string =>
  `heartbeats ${num(r.heartbeats_sent_total ?? NaN, 2)} (each left out for ${num((r.heartbeats_left_out_total ?? NaN) / (r.heartbeats_sent_total ?? NaN), 1)} peers), pulses ${num(r.pulses_sent_total ?? NaN, 1)}, Raft frames ${num(r.raft_sent_total ?? NaN, 1)}`

interface HoldResult {
  minutes: number
  suspicions: number
  deaths: number
  electionsStarted: number
  termBefore: number
  termAfter: number
  allUp: boolean
  /** Timed-out probes that suspected nobody: the peer was heard from (or vouched for) while the probe was out. */
  heardTimeouts: number
  /** Dials aborted at their time limit, all nodes together, by the hold's start and by its end (handshakes wasted). */
  dialsTimedOut: [number, number]
  /** Relayed heartbeat copies held back from peers that hear their author directly (healing/relay.ts), by the hold's start and by its end. */
  relaysUnneeded: [number, number]
  /** The same window from the node logs, which every node writes however loaded it is. */
  logged: LoggedEvents
  cpuPct: number[]
  rssStartMiB: number
  rssEndMiB: number
  loads: string[]
}

/** How long after formation the bench waits for every node to name the same leader. */
const LEADER_WAIT_MS = 30_000

/**
 * Whether a formation was bound by CPU or by waiting: over spawn → formation, what share of the
 * cores the nodes used, how idle the machine was and what the rest of it used; and each node's
 * CPU at its own "meshnode started" line (its start, the rest being connections and heartbeats).
 * Nodes that use every core the whole time form no sooner for a shorter timer or backoff.
 */
interface FormationWindow {
  nodeCores: number
  idlePct: number
  foreignPct: number
  startedCpuMs: number[]
}

/**
 * When every node named the same leader, from spawn (NaN: not yet). `late`: not within
 * LEADER_WAIT_MS of formation, so read again from the whole logs after the idle window (and the
 * hold); CPU is then not sampled (NaN). At 50 processes the last follower names the leader
 * during the connection storm, a minute or more after formation.
 */
interface LeaderKnown {
  ms: number
  cpuMs: number[]
  term: number
  elected: number
  late?: boolean
}

/** `leader` read again from the nodes' whole logs, if it was not known within LEADER_WAIT_MS. */
function leaderFromLogs (leader: LeaderKnown, logs: readonly string[], spawnedAt: number): LeaderKnown {
  if (leader.late !== true || !Number.isNaN(leader.ms)) return leader
  const agreed = leaderAgreedInLogs(logs)
  return agreed == null ? leader : { ...leader, ms: agreed.time - spawnedAt, term: agreed.term, elected: agreed.elected }
}

function formatLeaderKnown (l: LeaderKnown): string {
  const what = `(term ${l.term}, ${l.elected} leader(s) elected by then)`
  if (l.late !== true) return `${ms(l.ms)} from spawn to every node's log naming the same leader ${what}; CPU per node by then mean ${ms(mean(l.cpuMs))}`
  if (Number.isNaN(l.ms)) return `not within ${LEADER_WAIT_MS / 1000} s of formation (the bench reads the logs again later)`
  return `${ms(l.ms)} from spawn to every node's log naming the same leader ${what}, read from the logs afterwards (not within ${LEADER_WAIT_MS / 1000} s of formation, so CPU not sampled)`
}

async function formation (n: number, dir: string, opts: Options): Promise<{ state: ClusterState, spawnedAt: number, ms: number, cpuMs: number[], leader: LeaderKnown, window: FormationWindow }> {
  // Node i listens on basePort+i-1 and serves HTTP (/metrics) on basePort+n+i-1: left to
  // --http's default, every node asked for 7421 and only one node's /metrics could be read.
  const basePort = await freePortBlock(opts.basePort, 2 * n)
  const t0 = Date.now()
  const busy0 = machineBusyMs()
  liveDirs.add(dir)
  const state = await lib.up(n, { dir, basePort, httpBasePort: basePort + n, extraArgs: ['--mesh', `scale-${process.pid}`, ...opts.nodeArgs] })
  const tails = state.nodes.map(e => new LogTail(e.log, 0))
  const lines: LogLine[][] = state.nodes.map(() => [])
  const cpuNow = (): number[] => state.nodes.map(e => procCpuMs(e.pid) ?? NaN)
  const foreign = foreignCpu(state.nodes.map(e => e.pid))
  const startedCpuMs = state.nodes.map(() => NaN)
  let alive: { ms: number, cpuMs: number[], window: FormationWindow } | undefined
  for (;;) {
    if (aborted) throw new Error('interrupted')
    const waited = Date.now() - t0
    if (alive != null && waited - alive.ms > LEADER_WAIT_MS) {
      return { state, spawnedAt: t0, ...alive, leader: { ms: NaN, cpuMs: alive.cpuMs.map(() => NaN), term: NaN, elected: NaN, late: true } }
    }
    if (waited > opts.formationTimeoutMs) throw new Error(`formation of ${n} nodes timed out after ${opts.formationTimeoutMs} ms; logs in ${dir}`)
    tails.forEach((t, i) => {
      const fresh = t.read()
      if (Number.isNaN(startedCpuMs[i]) && fresh.some(l => l.msg === 'meshnode started')) startedCpuMs[i] = procCpuMs(state.nodes[i]!.pid) ?? NaN
      lines[i]!.push(...fresh)
    })
    const ids = lines.map(ownPeerId)
    if (ids.every(id => id != null)) {
      if (alive == null) {
        const at = firstAllAlive(new Map(ids.map((id, i) => [id!, membershipChanges(lines[i]!)])), ids as string[])
        if (at != null) {
          const cpuMs = cpuNow()
          const wallMs = Date.now() - t0
          const cores = availableParallelism()
          alive = { ms: at - t0, cpuMs, window: { nodeCores: sum(cpuMs) / wallMs, idlePct: Math.max(0, 100 * (1 - (machineBusyMs() - busy0) / (cores * wallMs))), foreignPct: foreign(), startedCpuMs } }
        }
      }
      const agreed = alive == null ? undefined : firstLeaderAgreed(lines)
      if (alive != null && agreed != null) {
        return { state, spawnedAt: t0, ...alive, leader: { ms: agreed.time - t0, cpuMs: cpuNow(), term: agreed.term, elected: agreed.elected } }
      }
    }
    await sleep(20)
  }
}

async function hold (dir: string, pids: number[], logs: string[], opts: Options): Promise<HoldResult> {
  const before = await lib.statusAll(dir, 10_000)
  const from = Date.now()
  const rssStart = mean(rssOf(pids))
  const cpu = cpuWindow(pids)
  const loads: string[] = []
  const end = Date.now() + opts.minutes * 60_000
  while (Date.now() < end) {
    if (aborted) throw new Error('interrupted')
    await sleep(Math.min(opts.sampleSeconds * 1000, Math.max(0, end - Date.now())))
    const up = pids.filter(pid => lib.isRunning(pid)).length
    loads.push(loadavg())
    console.log(`  hold ${((opts.minutes * 60_000 - (end - Date.now())) / 60_000).toFixed(1)} min: ${up}/${pids.length} up, RSS mean ${num(mean(rssOf(pids)), 1)} MiB, load ${loadavg()}`)
  }
  const cpuPct = cpu()
  const to = Date.now()
  const after = await lib.statusAll(dir, 10_000)
  return {
    minutes: opts.minutes,
    suspicions: delta(before, after, 'suspicions_total'),
    deaths: delta(before, after, 'deaths_total'),
    electionsStarted: delta(before, after, 'raft_elections_started_total'),
    termBefore: max(terms(before)),
    termAfter: max(terms(after)),
    allUp: after.every(s => s.status != null),
    heardTimeouts: delta(before, after, 'heard_probe_timeouts_total'),
    dialsTimedOut: [counter(before, 'dials_timed_out_total'), counter(after, 'dials_timed_out_total')],
    relaysUnneeded: [counter(before, 'gossip_relays_unneeded_total'), counter(after, 'gossip_relays_unneeded_total')],
    logged: countLogged(logs, from, to),
    cpuPct,
    rssStartMiB: rssStart,
    rssEndMiB: mean(rssOf(pids)),
    loads
  }
}

async function main (): Promise<void> {
  program.parse(process.argv.slice(2), { from: 'user' })
  const o = program.opts()
  const opts: Options = { ...o, sizes: o.sizes, minutes: o.minutes, holdSize: o.holdSize, nodeArgs: o.nodeArgs } as Options
  const holdSize = opts.holdSize ?? Math.max(...opts.sizes)
  const root = opts.build != null ? resolve(opts.build) : new URL('../..', import.meta.url).pathname
  const runDir = mkdtempSync(join(tmpdir(), 'meshnode-scale-'))
  snapshotBuild(root, join(runDir, 'build'))
  lib = await importClusterLib(join(runDir, 'build'))

  console.log('# meshnode scale benchmark\n')
  console.log(formatMachine(machineInfo()))
  console.log(`Build:   ${formatBuild(buildInfo(root))}${opts.build != null ? ` from ${root}` : ''} (nodes run from a frozen copy in ${runDir}/build)`)
  console.log(`Load avg at start: ${loadavg()}`)
  console.log(`Options: sizes ${opts.sizes.join(',')}, hold ${holdSize} nodes for ${opts.minutes} min, settle ${opts.settleSeconds} s, idle window ${opts.idleSeconds} s${opts.nodeArgs.length > 0 ? `, node args ${opts.nodeArgs.join(' ')}` : ''}\n`)

  const results: SizeResult[] = []
  const started = Date.now()
  try {
    for (const n of opts.sizes) {
      const dir = join(runDir, `n${n}`)
      console.log(`=== N = ${n} (load avg ${loadavg()}) ===`)
      const f = await formation(n, dir, opts)
      console.log(`formation: ${ms(f.ms)} from spawn to every node's log showing all ${n - 1} peers alive; CPU per node by then mean ${ms(mean(f.cpuMs))} (${n} × mean / ${availableParallelism()} cores = ${ms(n * mean(f.cpuMs) / availableParallelism())})`)
      console.log(`formation window (spawn → formation): the nodes used ${num(f.window.nodeCores, 2)} of ${availableParallelism()} cores, the machine was idle ${num(f.window.idlePct, 1)} % of the time, everything else used ${num(f.window.foreignPct, 0)} % of a core; CPU per node at its "meshnode started" mean ${ms(mean(f.window.startedCpuMs))}, from there to formation ${ms(mean(f.cpuMs) - mean(f.window.startedCpuMs))}`)
      console.log(`leader known: ${formatLeaderKnown(f.leader)}`)
      await sleep(opts.settleSeconds * 1000)
      const pids = f.state.nodes.map(e => e.pid)
      const load = loadavg()
      // The status calls fall outside the CPU window: they cost the nodes too.
      const sentBefore = await lib.statusAll(dir, 10_000)
      const window = cpuWindow(pids)
      const wakeups = wakeupWindow(pids)
      const t0 = Date.now()
      await sleep(opts.idleSeconds * 1000)
      const idleCpuPct = window()
      const wakeupsPerSec = wakeups()
      const sentAfter = await lib.statusAll(dir, 10_000)
      const sentPerSec = ratesPerNode(sentBefore, sentAfter, (Date.now() - t0) / 1000, LIVENESS_COUNTERS)
      const leader = leaderIndex(sentAfter)
      const rssMiB = rssOf(pids)
      console.log(`idle CPU per node over ${opts.idleSeconds} s: mean ${num(mean(idleCpuPct), 2)} %, max ${num(max(idleCpuPct), 2)} % of a core (all ${n}: ${num(sum(idleCpuPct) / 100, 2)} of ${availableParallelism()} cores); RSS mean ${num(mean(rssMiB), 1)} MiB, max ${num(max(rssMiB), 1)} MiB; load ${load} → ${loadavg()}`)
      console.log(`idle CPU by role: ${byRole(idleCpuPct, leader, 2)} %; main-thread wake-ups per second: mean ${num(mean(wakeupsPerSec), 1)}, ${byRole(wakeupsPerSec, leader, 1)}`)
      console.log(`sent per node per second while idle: ${formatRates(sentPerSec)}`)
      const logs = f.state.nodes.map(e => e.log)
      const r: SizeResult = { n, formationMs: f.ms, startCpuMs: f.cpuMs, leader: leaderFromLogs(f.leader, logs, f.spawnedAt), idleCpuPct, rssMiB, load, sentPerSec }
      if (r.leader !== f.leader) console.log(`leader known: ${formatLeaderKnown(r.leader)}`)
      if (n === holdSize && opts.minutes > 0) {
        console.log(`holding ${n} nodes for ${opts.minutes} min without faults`)
        r.hold = await hold(dir, pids, logs, opts)
        if (Number.isNaN(r.leader.ms)) {
          r.leader = leaderFromLogs(r.leader, logs, f.spawnedAt)
          console.log(`leader known: ${formatLeaderKnown(r.leader)}`)
        }
        const h = r.hold
        const l = h.logged
        console.log(`hold, from the node logs: ${l.suspicions} suspicions, ${l.deaths} local deaths, ${l.campaigns} campaigns, ${l.leaders} leaders elected`)
        console.log(`hold, from status (nodes that answered): suspicions_total +${h.suspicions} (timed-out probes that suspected nobody, the peer heard from meanwhile: +${h.heardTimeouts}), deaths_total +${h.deaths}, elections started +${h.electionsStarted}, term ${h.termBefore} → ${h.termAfter}; all answering status at the end: ${h.allUp}; CPU per node mean ${num(mean(h.cpuPct), 2)} %, max ${num(max(h.cpuPct), 2)} %; RSS mean ${num(h.rssStartMiB, 1)} → ${num(h.rssEndMiB, 1)} MiB; dials timed out (all nodes) ${h.dialsTimedOut[0]} by the hold's start, ${h.dialsTimedOut[1]} by its end; relayed copies held back from peers that hear the author directly ${h.relaysUnneeded[0]} by the hold's start, ${h.relaysUnneeded[1]} by its end`)
      }
      results.push(r)
      await lib.down(dir, opts.keep)
      liveDirs.delete(dir)
    }
  } finally {
    await cleanup()
  }

  console.log('\n==================== BENCHMARKS.md ====================\n')
  console.log(markdownTable(
    ['N', 'formation (logs)', 'start-up CPU per node (mean)', 'leader known (logs; term, leaders elected)', 'CPU per node until leader known (mean)', 'idle CPU per node mean / max (% of a core)', 'idle RSS mean / max (MiB)', 'sent per node per s while idle', 'load avg (1/5/15) during idle window', 'held', 'false suspicions / local deaths (logs)', 'elections (campaigns, logs; term moved)'],
    results.map(r => [
      String(r.n),
      ms(r.formationMs),
      ms(mean(r.startCpuMs)),
      `${ms(r.leader.ms)} (term ${r.leader.term}, ${r.leader.elected})`,
      ms(mean(r.leader.cpuMs)),
      `${num(mean(r.idleCpuPct), 2)} / ${num(max(r.idleCpuPct), 2)}`,
      `${num(mean(r.rssMiB), 1)} / ${num(max(r.rssMiB), 1)}`,
      formatRates(r.sentPerSec),
      r.load,
      r.hold == null ? '—' : `${r.hold.minutes} min`,
      r.hold == null ? '—' : `${r.hold.logged.suspicions} / ${r.hold.logged.deaths}`,
      r.hold == null ? '—' : `${r.hold.logged.campaigns}; ${r.hold.termBefore} → ${r.hold.termAfter}`
    ])))
  console.log(`\nLoad avg at end: ${loadavg()}; total bench time ${ms(Date.now() - started)}; median formation ${ms(median(results.map(r => r.formationMs)))}`)
  if (!opts.keep) rmSync(runDir, { recursive: true, force: true })
}

await main()
