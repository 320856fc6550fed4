// bench/recovery: how fast the mesh gets a lost node's work running again. On a 5-node cluster
// running a job (a fanout of sleep tasks spread over every node by stealing), SIGKILL a busy
// node that is not the job's home — or cut a host off by taking its link down, in network
// namespaces — and time:
//   - node.dead committed (the quorum's verdict; nothing is re-run before it),
//   - requeued: the first lender logs 'peer declared dead: its work is re-run here or given
//     up' (the lent batches are back in its queue, ready to run or be stolen),
//   - running again: the first of the requeued tasks (that log line names them) starts on a
//     live node (from the task start log every node's handler writes: the lender may run it
//     itself or lend it on, so this is where it really runs again); and the first task that
//     was running on the victim when it died starts again,
//   - the job completes (and how much later than the same job without a fault).
// Prints figures; never fails on a time.
//
//   node dist/bench/recovery.js [--kills 20] [--partitions 20] [--home-kills N] [--bullmq]
//
// --home-kills N adds N rounds that SIGKILL the job's home instead. A job lives only at its
// home until re-homing to a replica holder exists (issue 10 item 3): such a job is expected
// to be lost, and the round reports whether it completed within --lost-after.
//
// --partitions needs root (network namespaces, bench/lib/netns.ts); without it the mode is
// skipped and says so. --bullmq measures BullMQ's stalled-job recovery on a local
// redis-server beside (bench/lib/bullmq-stalled.ts).
import { Command } from 'commander'
import type { Libp2p } from 'libp2p'
import { multiaddr } from '@multiformats/multiaddr'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { clusterCaller, down, loadState, restart, statusAll, up, waitUntil, type NodeEntry, type NodeStatus } from '../scripts/cluster-lib.js'
import { unwrap } from '../src/node/client/admin.js'
import { generateMeshKey } from '../src/node/transport/mesh-key.js'
import { callWith } from '../src/node/transport/rpc.js'
import { ADMIN_CALL } from '../src/wire/calls.js'
import type { AdminRequest } from '../src/wire/proto/admin.js'
import { measureStalled, type StalledResult } from './lib/bullmq-stalled.js'
import { formatMachine, loadavg, machineInfo, settle } from './lib/machine.js'
import { jobDetail } from './lib/mesh-jobs.js'
import { netnsCleanup, netnsHosts, netnsUsable, setLink } from './lib/netns.js'
import { firstLogged } from './lib/node-logs.js'
import { freePortBlock } from './lib/ports.js'
import { markdownTable, median, ms, mulberry32, quantile, sleep } from './lib/stats.js'

const program = new Command('bench/recovery')
  .option('--nodes <n>', 'cluster size', '5')
  .option('--kills <n>', 'SIGKILLs of a busy node that is not the job\'s home', '20')
  .option('--partitions <n>', 'hosts cut off by link-down (network namespaces; needs root)', '20')
  .option('--home-kills <n>', 'SIGKILLs of the job\'s home (lost until re-homing exists)', '0')
  .option('--baseline <n>', 'rounds without a fault on each cluster, for the job\'s own duration', '2')
  .option('--tasks <n>', 'sleep tasks per job (a fanout)', '200')
  .option('--task-ms <n>', 'each task sleeps', '150')
  .option('--concurrency <n>', 'task slots per node', '2')
  .option('--fault-after <ms>', 'from the submit to the fault', '1000')
  .option('--lost-after <ms>', 'a job not completed this long after the fault counts as lost', '20000')
  .option('--node-args <flags>', 'extra `meshnode start` flags for every node, e.g. "--probe-after-ms 1000"', '')
  .option('--bullmq', 'also measure BullMQ\'s stalled-job recovery (redis-server), default and tuned stalledInterval')
  .option('--seed <n>', 'which nodes each round uses', '1')
  .parse()
const opts = program.opts<{ nodes: string, kills: string, partitions: string, homeKills: string, baseline: string, tasks: string, taskMs: string, concurrency: string, faultAfter: string, lostAfter: string, nodeArgs: string, bullmq?: boolean, seed: string }>()
const N = Number(opts.nodes)
const rand = mulberry32(Number(opts.seed))
const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!

// The task handler every node loads: notes each start (time, task, node, attempt) in one
// shared file, then sleeps. Lines below PIPE_BUF appended with O_APPEND never interleave.
const HANDLERS = `import { appendFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
export default {
  async recsleep (p, ctx) {
    appendFileSync(p.log, JSON.stringify({ t: Date.now(), task: ctx.taskId, node: ctx.node, attempt: ctx.attempt }) + '\\n')
    await sleep(p.ms, undefined, { signal: ctx.signal })
    return null
  }
}
`

type Mode = 'baseline' | 'kill' | 'home' | 'cut'

interface Round {
  mode: Mode
  victim?: string
  /** From the fault (ms): */
  committed: number
  requeued: number
  /** Tasks requeued by all lenders. */
  requeuedTasks: number
  rerun: number
  /** A requeued task (the lenders' log lines name them) starts again, anywhere but the victim. */
  lentRunning: number
  /** Tasks that had started on the victim. */
  victimStarted: number
  completed: number
  /** Submit → completed. */
  jobMs: number
  /** The whole round, heal included. */
  roundMs: number
}

interface Start { t: number, task: string, node: string, attempt: number }

function starts (file: string): Start[] {
  let text = ''
  try { text = readFileSync(file, 'utf8') } catch { return [] }
  return text.split('\n').filter(l => l.startsWith('{')).flatMap(l => { try { return [JSON.parse(l) as Start] } catch { return [] } })
}

class Bench {
  client!: Libp2p
  readonly startsFile: string
  readonly handlers: string

  constructor (readonly dir: string, readonly label: string) {
    mkdirSync(dir, { recursive: true })
    this.startsFile = join(dir, 'starts.jsonl')
    this.handlers = join(dir, 'handlers.mjs')
    writeFileSync(this.handlers, HANDLERS)
    writeFileSync(this.startsFile, '')
  }

  async start (basePort: number, hosts?: Array<{ netns: string, ip: string }>): Promise<void> {
    const extra = ['--concurrency', opts.concurrency, '--handlers', this.handlers, ...opts.nodeArgs.split(/\s+/).filter(a => a !== '')]
    if (hosts != null) {
      const key = join(this.dir, 'mesh.key')
      writeFileSync(key, generateMeshKey(), { mode: 0o600 })
      extra.push('--mesh-key', key)
    }
    await up(N, { dir: join(this.dir, 'cluster'), basePort, extraArgs: extra, ...(hosts != null ? { hosts } : {}) })
    this.client = await clusterCaller(join(this.dir, 'cluster'))
    await this.healthy()
  }

  get cdir (): string { return join(this.dir, 'cluster') }

  async stop (): Promise<void> {
    try { await this.client?.stop() } catch {}
    await down(this.cdir)
  }

  async status (): Promise<NodeStatus[]> {
    return await statusAll(this.cdir, 1_500, this.client)
  }

  /** Every node answers, sees every other alive, agrees on one leader, and no death stands. */
  async healthy (timeoutMs = 60_000): Promise<NodeStatus[]> {
    let all: NodeStatus[] = []
    await waitUntil(async () => {
      all = await this.status()
      if (all.some(s => s.status == null)) return false
      const leaders = all.filter(s => s.status!.role === 'leader')
      return leaders.length === 1 && all.every(s => s.status!.leader === leaders[0]!.status!.peerId &&
        s.status!.peers.every(p => p.state === 'alive') && (s.status!.dead ?? []).length === 0)
    }, timeoutMs, `${this.label}: a healthy cluster`, 200)
    return all
  }

  async admin<K extends 'jobsSubmit' | 'jobGet'> (node: NodeEntry, name: K, params: any, timeoutMs = 10_000): Promise<any> {
    const res = await callWith(this.client, multiaddr(`/ip4/${node.ip ?? '127.0.0.1'}/tcp/${node.port}`), { [name]: params } as AdminRequest, { ...ADMIN_CALL, timeoutMs })
    return unwrap(res, name)
  }

  /** One round: submit at `home`, fault `victim` (unless baseline), wait for the job, heal. */
  async round (mode: Mode, home: NodeEntry, victim: NodeEntry | undefined, victimPeer: string | undefined): Promise<Round> {
    writeFileSync(this.startsFile, '') // this round's starts only
    const job = { type: 'fanout', payload: { n: Number(opts.tasks), type: 'recsleep', payload: { ms: Number(opts.taskMs), log: this.startsFile } } }
    const tSubmit = Date.now()
    const res = await this.admin(home, 'jobsSubmit', { jobs: [JSON.stringify(job)] })
    const id = res.jobs[0]!.id as string
    let t0 = NaN
    if (victim != null) {
      await sleep(Math.max(0, tSubmit + Number(opts.faultAfter) - Date.now()))
      t0 = Date.now()
      if (mode === 'cut') setLink(victim.index, false)
      else process.kill(victim.pid, 'SIGKILL')
    }
    // Wait for completion; a home killed for good cannot be asked, so ask another node then.
    const asker = mode === 'home' ? loadState(this.cdir).nodes.find(n => n.index !== home.index)! : home
    let finishedAt = NaN
    const deadline = (Number.isFinite(t0) ? t0 : tSubmit) + Number(opts.lostAfter)
    while (Date.now() < deadline) {
      const view = await this.admin(asker, 'jobGet', { id, results: false, limit: 0, after: '' }, 2_000).then(d => jobDetail(d), () => undefined)
      if (view?.state === 'completed') { finishedAt = Number(view.finishedAt); break }
      if (view?.state === 'failed' || view?.state === 'cancelled') break
      await sleep(100)
    }
    const r: Round = { mode, victim: victim?.name, committed: NaN, requeued: NaN, requeuedTasks: 0, rerun: NaN, victimStarted: 0, completed: finishedAt - t0, jobMs: finishedAt - tSubmit, roundMs: NaN, lentRunning: NaN }
    if (victim != null) {
      const survivors = loadState(this.cdir).nodes.filter(n => n.index !== victim.index).map(n => n.log)
      // The commit is logged by every node applying it; the first is the leader's.
      r.committed = firstLogged(survivors, 'node declared dead (committed)', t0, j => j.peer === victimPeer) - t0
      r.requeued = firstLogged(survivors, 'peer declared dead: its work is re-run here or given up', t0, j => j.peer === victimPeer) - t0
      // Each requeued task, with when its lender requeued it: a start before that is no re-run
      // (the victim may have lent it on, and that thief ran it until the death was committed).
      const requeuedAt = new Map<string, number>()
      for (const log of survivors) {
        for (const line of readFileSync(log, 'utf8').split('\n')) {
          if (!line.includes('"peer declared dead: its work is re-run here or given up"')) continue
          try {
            const j = JSON.parse(line)
            if (j.time < t0 || j.peer !== victimPeer) continue
            r.requeuedTasks += Number(j.requeued ?? 0)
            for (const id of j.requeuedIds ?? []) if (!(requeuedAt.get(id)! <= j.time)) requeuedAt.set(id, j.time)
          } catch {}
        }
      }
      const all = starts(this.startsFile)
      const lent = all.filter(s => s.node !== victimPeer && s.t >= (requeuedAt.get(s.task) ?? Infinity)).map(s => s.t)
      r.lentRunning = lent.length > 0 ? Math.min(...lent) - t0 : NaN
      const onVictim = new Set(all.filter(s => s.node === victimPeer && s.t < t0).map(s => s.task))
      r.victimStarted = onVictim.size
      const again = all.filter(s => s.t >= t0 && s.node !== victimPeer && onVictim.has(s.task)).map(s => s.t)
      r.rerun = again.length > 0 ? Math.min(...again) - t0 : NaN
      // Heal: the killed node starts again; the cut host gets its link back (it learns it was
      // declared dead, gives up what it held and rejoins with a new incarnation).
      if (mode === 'cut') setLink(victim.index, true)
      else await restart(victim.index, this.cdir)
    }
    await this.healthy()
    r.roundMs = Date.now() - tSubmit
    if (mode === 'home' && !Number.isFinite(finishedAt)) {
      // The restarted home resumes the job from its disk (restarts are survived): let it end
      // before the next round, so that round runs on a quiet cluster.
      await waitUntil(async () => ['completed', 'failed', 'cancelled'].includes((await this.admin(home, 'jobGet', { id, results: false, limit: 0, after: '' }, 2_000).then(d => jobDetail(d), () => undefined))?.state), 60_000, 'the resumed job', 200).catch(() => {})
    }
    return r
  }
}

function line (k: number, r: Round): string {
  const what = r.mode === 'baseline' ? 'no fault' : r.mode === 'kill' ? `SIGKILL ${r.victim}` : r.mode === 'home' ? `SIGKILL ${r.victim} (the job's home)` : `cut ${r.victim}`
  const done = Number.isFinite(r.completed) || r.mode === 'baseline' ? `job completed ${r.mode === 'baseline' ? ms(r.jobMs) + ' after the submit' : ms(r.completed)}` : `job NOT completed within ${opts.lostAfter} ms (lost)`
  if (r.mode === 'baseline') return `${k}: ${what} → ${done}; load ${loadavg()}`
  return `${k}: ${what} → node.dead committed ${ms(r.committed)}, requeued ${ms(r.requeued)} (${r.requeuedTasks} tasks), one running again ${ms(r.lentRunning)}, a task interrupted on the victim (${r.victimStarted} had started there) re-run elsewhere ${ms(r.rerun)}, ${done}; round ${(r.roundMs / 1000).toFixed(1)} s, load ${loadavg()}`
}

function rows (label: string, rs: Round[], baselineMs: number): string[][] {
  const f = (pick: (r: Round) => number): number[] => rs.map(pick).filter(Number.isFinite)
  const row = (what: string, xs: number[]): string[] => [`${label}: ${what}`, ms(median(xs)), ms(quantile(xs, 0.99)), `${xs.length}/${rs.length}`]
  return [
    row('fault → node.dead committed', f(r => r.committed)),
    row('fault → lent work requeued (first lender)', f(r => r.requeued)),
    row('fault → a requeued task running again', f(r => r.lentRunning)),
    row('fault → a task interrupted on the victim re-run', f(r => r.rerun)),
    row('fault → job completed', f(r => r.completed)),
    row(`job duration − fault-free (${ms(baselineMs)})`, f(r => r.jobMs - baselineMs))
  ]
}

async function main (): Promise<void> {
  const machine = machineInfo()
  console.log(formatMachine(machine))
  const root = join(tmpdir(), `meshnode-bench-recovery-${process.pid}`)
  const results: Round[] = []
  let baselineMs = NaN
  let netnsBaselineMs = NaN
  const baseline = async (b: Bench, nodes: () => NodeEntry[]): Promise<number> => {
    const base: number[] = []
    for (let k = 1; k <= Number(opts.baseline); k++) {
      const r = await b.round('baseline', pick(nodes()), undefined, undefined)
      base.push(r.jobMs)
      console.log(`${b.label} ${line(k, r)}`)
    }
    return median(base)
  }
  const started = Date.now()
  const benches: Bench[] = []
  const cleanup = async (): Promise<void> => {
    for (const b of benches) await b.stop().catch(() => {})
    if (Number(opts.partitions) > 0 && netnsUsable()) netnsCleanup()
    rmSync(root, { recursive: true, force: true })
  }
  process.once('SIGINT', () => { void cleanup().then(() => process.exit(130)) })
  console.log(`job: fanout of ${opts.tasks} × sleep ${opts.taskMs} ms on ${N} nodes × ${opts.concurrency} slots; fault ${opts.faultAfter} ms after the submit${opts.nodeArgs !== '' ? `; nodes started with ${opts.nodeArgs}` : ''}`)
  console.log(`before: ${await settle(30, 60_000)}`)
  try {
    // --- loopback: baseline, kills of a busy non-home node, kills of the home
    const kills = Number(opts.kills)
    const homeKills = Number(opts.homeKills)
    if (kills + homeKills + Number(opts.baseline) > 0) {
      const b = new Bench(join(root, 'loopback'), 'loopback')
      benches.push(b)
      await b.start(await freePortBlock(7500, N))
      const nodes = (): NodeEntry[] => loadState(b.cdir).nodes
      const peerOf = async (e: NodeEntry): Promise<string> => (await b.status()).find(s => s.entry.index === e.index)!.status!.peerId
      baselineMs = await baseline(b, nodes)
      const plan: Array<'kill' | 'home'> = [...Array(kills).fill('kill'), ...Array(homeKills).fill('home')]
      let k = 0
      for (const mode of plan) {
        const home = pick(nodes())
        const victim = mode === 'home' ? home : pick(nodes().filter(n => n.index !== home.index))
        const r = await b.round(mode, home, victim, await peerOf(victim))
        results.push(r)
        console.log(`loopback ${line(++k, r)}`)
      }
      await b.stop()
    }

    // --- network namespaces: a host cut off
    const parts = Number(opts.partitions)
    if (parts > 0 && !netnsUsable()) console.log('partitions: skipped (network namespaces need root and iproute2)')
    else if (parts > 0) {
      const b = new Bench(join(root, 'netns'), 'netns')
      benches.push(b)
      await b.start(7520, netnsHosts(N))
      const nodes = (): NodeEntry[] => loadState(b.cdir).nodes
      const peerOf = async (e: NodeEntry): Promise<string> => (await b.status()).find(s => s.entry.index === e.index)!.status!.peerId
      netnsBaselineMs = await baseline(b, nodes)
      for (let k = 1; k <= parts; k++) {
        const home = pick(nodes())
        const victim = pick(nodes().filter(n => n.index !== home.index))
        const r = await b.round('cut', home, victim, await peerOf(victim))
        results.push(r)
        console.log(`netns ${line(k, r)}`)
      }
      await b.stop()
      netnsCleanup()
    }

    let stalled: StalledResult[] = []
    if (opts.bullmq === true) {
      stalled = await measureStalled({ basePort: 7580, log: (s) => console.log(s) })
    }

    const body: string[][] = []
    const kill = results.filter(r => r.mode === 'kill')
    const home = results.filter(r => r.mode === 'home')
    const cut = results.filter(r => r.mode === 'cut')
    if (kill.length > 0) body.push(...rows('SIGKILL', kill, baselineMs))
    if (cut.length > 0) body.push(...rows('link cut', cut, netnsBaselineMs))
    if (home.length > 0) body.push([`SIGKILL of the job's home: jobs completed within ${opts.lostAfter} ms`, '', '', `${home.filter(r => Number.isFinite(r.completed)).length}/${home.length}`])
    console.log('\n' + markdownTable(['figure (p99 = max at 20)', 'p50', 'p99', 'n'], body))
    if (stalled.length > 0) {
      console.log('\n' + markdownTable(['BullMQ, worker SIGKILLed mid-job', 'kill → job active again: p50', 'max', 'n'],
        stalled.map(s => [s.label, ms(median(s.recoveredMs)), ms(Math.max(...s.recoveredMs)), `${s.recoveredMs.length}/${s.kills}`])))
    }
    console.log('\nFor scale (their documented defaults; BullMQ measured above when --bullmq): BullMQ re-runs a dead worker\'s job once its lock has expired (lockDuration 30 s, renewed every 15 s: 15–30 s after the death) and a live worker\'s stalled checks (every stalledInterval, 30 s) have seen it twice without a lock: about 30–75 s. Nomad marks a client down after its heartbeat TTL plus grace (min_heartbeat_ttl 10 s + heartbeat_grace 10 s; the TTL grows with the cluster) and only then reschedules its allocations: ≥ 20 s. Kubernetes marks a node NotReady after node-monitor-grace-period (40 s; 50 s since 1.32) and evicts its pods after the default 300 s toleration for unreachable: ~5–6 min.')
    console.log(`targets: < 1 s for a kill, < 2 s for a partition. ${machine.cpuModel}, ${machine.cores} cores, node ${process.version}; whole run ${((Date.now() - started) / 1000).toFixed(0)} s`)
  } finally {
    await cleanup()
  }
}

await main()
process.exit(0)
