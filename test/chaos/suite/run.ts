// The 5-host chaos suite (issue 10): five meshnode hosts in network namespaces (../netns.ts),
// faults drawn from a printed seed (faults.ts) while a workload submits jobs at random hosts
// (workload.ts), then every guarantee checked on the survivors (checker.ts). `runChaos` is
// what test/chaos/suite.test.ts calls; run as a script (`npm run chaos -- --minutes N
// --seed S [--faults a,b]`) it is a soak that exits 1 on a violated guarantee. On failure it
// prints the seed, the command that replays it, and where the nodes' logs are.
import { fileURLToPath } from 'node:url'
import { mulberry32 } from '../../../src/prng.js'
import { waitUntil } from '../../../scripts/cluster-lib.js'
import { canUseNetns, cleanup, startMesh, type NetnsMesh } from '../netns.js'
import { checkJobs, DONE_AFTER_HEAL_MS, LeaderLog, type Violation } from './checker.js'
import { ChaosClient } from './client.js'
import { describePlan, FAULT_KINDS, FaultInjector, parseFaults, planFaults, sleep, type FaultKind } from './faults.js'
import { Workload } from './workload.js'

export const HOSTS = 5

export interface ChaosOptions {
  seed: number
  /** Length of the fault phase (the workload runs through it). */
  minutes: number
  faults: readonly FaultKind[]
  /** Progress lines (default: console.log). */
  say?: (line: string) => void
}

export interface ChaosReport {
  seed: number
  replay: string
  violations: Violation[]
  notes: string[]
  faults: Record<string, number>
  jobs: { submitted: number, acked: number, completed: number, failed: number, cancelled: number, unfinished: number }
  refused: Record<string, number>
  /** The latest any job finished after the final heal, ms. */
  maxAfterHealMs: number
  /** From the final heal until one leader, agreed by every live host, which all see each other alive. */
  convergedAfterMs?: number
  terms: number
  logs: string
  summary: string
}

export function replayCommand (o: Pick<ChaosOptions, 'seed' | 'minutes' | 'faults'>): string {
  return `npm run chaos -- --minutes ${o.minutes} --seed ${o.seed} --faults ${o.faults.join(',')}`
}

export async function runChaos (opts: ChaosOptions): Promise<ChaosReport> {
  const t0 = Date.now()
  const say = (line: string): void => (opts.say ?? console.log)(`[chaos ${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${line}`)
  const phaseMs = Math.round(opts.minutes * 60_000)
  const plan = planFaults(opts.seed, phaseMs, opts.faults)
  const replay = replayCommand(opts)
  say(`seed ${opts.seed}, ${opts.minutes} min of faults (${opts.faults.join(',')}); replay: ${replay}`)
  say(`plan:\n${describePlan(plan)}`)

  const hosts = Array.from({ length: HOSTS }, (_, k) => k + 1)
  let mesh: NetnsMesh | undefined
  let client: ChaosClient | undefined
  let poller: Promise<void> | undefined
  let polling = false
  try {
    mesh = await startMesh({ nodes: HOSTS, client: true, operatorKey: true, extraArgs: ['--concurrency', '2'] })
    const m = mesh
    say(`mesh of ${HOSTS} formed; logs in ${m.dataDir}`)
    client = await ChaosClient.open(m)
    const c = client
    const ids = new Map<number, string>()
    for (const i of hosts) {
      const s = await c.status(i, 5_000)
      if (s == null) throw new Error(`h${i} does not answer the chaos client`)
      ids.set(i, s.peerId)
    }
    const hostOf = (peerId: string): number | undefined => [...ids].find(([, id]) => id === peerId)?.[0]
    const name = (peerId: string): string => { const h = hostOf(peerId); return h != null ? `h${h}` : `…${peerId.slice(-8)}` }

    // Leader observations: every responsive host's status once a second, through the run.
    const leaders = new LeaderLog()
    let leaderHost: number | undefined
    let leaderTerm = 0
    let injector: FaultInjector | undefined
    const pollOnce = async (): Promise<void> => {
      const targets = injector?.responsive() ?? hosts
      await Promise.all(targets.map(async i => {
        const s = await c.status(i)
        if (s == null) return
        leaders.add(s.term, s.leader, `h${i}'s status`)
        if (s.role === 'leader') leaders.add(s.term, s.peerId, `h${i}'s status`)
        for (const p of s.peers) if (p.role === 'leader') leaders.add(p.term, p.peerId, `h${i}'s peer table`)
        if (s.role === 'leader' && s.term >= leaderTerm) { leaderTerm = s.term; leaderHost = i }
      }))
    }
    polling = true
    poller = (async () => { while (polling) { await pollOnce(); await sleep(1_000) } })()

    const wrng = mulberry32((opts.seed ^ 0x9e3779b9) >>> 0)
    let workload: Workload | undefined
    injector = new FaultInjector(m, hosts, { leader: () => leaderHost, home: () => workload?.recentHome() }, say)
    const inj = injector
    workload = new Workload({ rng: wrng, client: c, targets: () => inj.responsive(), hostOf, say })
    workload.start()
    const phaseEnd = Date.now() + phaseMs
    for (const f of plan) {
      await sleep(f.gapMs)
      if (Date.now() > phaseEnd + 10_000) break
      await inj.run(f)
    }
    await inj.healAll()
    const finalHealAt = Date.now()
    await workload.stop()
    say(`final heal; ${workload.acked.length} of ${workload.submitted} submits acknowledged; waiting up to ${DONE_AFTER_HEAL_MS / 1000} s for every job`)

    // Convergence: one leader that every live host names, all seeing each other alive.
    const live = hosts.filter(i => i !== inj.dead)
    let convergedAfterMs: number | undefined
    const converging = waitUntil(async () => {
      const ss = await Promise.all(live.map(async i => await c.status(i)))
      if (ss.some(s => s == null)) return false
      const ok = ss.filter(s => s!.role === 'leader').length === 1 && ss.every(s => s!.leader != null && s!.leader === ss[0]!.leader) &&
        ss.every(s => live.every(j => ids.get(j) === s!.peerId || s!.peers.find(p => p.peerId === ids.get(j))?.state === 'alive'))
      if (ok) convergedAfterMs = Date.now() - finalHealAt
      return ok
    }, DONE_AFTER_HEAL_MS, 'the mesh to converge', 500).catch(() => {})

    const checked = await checkJobs({ acked: workload.acked, finalHealAt, dead: inj.dead, hosts: live, client: c, hostOf, name, say, t0 })
    await converging
    polling = false
    await poller
    for (const i of hosts) leaders.addLog(m.logOf(i), ids.get(i)!, `h${i}`)

    const violations = [...leaders.violations(name), ...checked.violations]
    if (convergedAfterMs == null) violations.push({ text: `the mesh did not converge (one leader named by every live host, all alive to each other) within ${DONE_AFTER_HEAL_MS / 1000} s of the final heal` })
    const count = (state: string): number => checked.finals.filter(f => f.state === state).length
    const faults: Record<string, number> = {}
    for (const r of inj.records) faults[r.kind] = (faults[r.kind] ?? 0) + 1
    const jobs = {
      submitted: workload.submitted,
      acked: workload.acked.length,
      completed: count('completed'),
      failed: count('failed'),
      cancelled: count('cancelled'),
      unfinished: checked.finals.filter(f => !['completed', 'failed', 'cancelled'].includes(f.state ?? '')).length
    }
    const kinds: Record<string, number> = {}
    for (const j of workload.acked) kinds[j.kind] = (kinds[j.kind] ?? 0) + 1
    const refused = Object.fromEntries(workload.refused)
    const deadHome = violations.filter(v => v.deadHome === true)
    const lines = [
      `seed ${opts.seed}: ${violations.length === 0 ? 'every guarantee held' : `${violations.length} VIOLATION${violations.length === 1 ? '' : 'S'}`}`,
      `faults injected: ${inj.records.length} (${Object.entries(faults).map(([k, n]) => `${k} ${n}`).join(', ')})${inj.dead != null ? `; h${inj.dead} killed for good` : ''}`,
      `jobs: ${jobs.submitted} submitted, ${jobs.acked} acknowledged: ${jobs.completed} completed, ${jobs.failed} failed, ${jobs.cancelled} cancelled, ${jobs.unfinished} unfinished`,
      `acknowledged by kind: ${Object.entries(kinds).map(([k, n]) => `${k} ${n}`).join(', ')}`,
      `submits refused: ${Object.keys(refused).length === 0 ? 'none' : Object.entries(refused).map(([k, n]) => `${k} ${n}`).join(', ')}`,
      `max time to done after the final heal: ${(checked.maxAfterHealMs / 1000).toFixed(1)} s; converged after ${convergedAfterMs == null ? 'never' : `${(convergedAfterMs / 1000).toFixed(1)} s`}; ${leaders.terms()} terms seen, one leader each${leaders.violations(name).length > 0 ? ' — NOT' : ''}`,
      ...checked.notes.map(n => `note: ${n}`),
      ...violations.map(v => `VIOLATION: ${v.text}`),
      ...(deadHome.length > 0 ? [`${deadHome.length} of the violations are jobs homed on h${inj.dead}, killed for good: each should have moved to a replica holder once that death committed (check that a majority of voters held it dead: grep "declared dead" in the survivors' logs)`] : []),
      ...(violations.length > 0 ? [`replay: ${replay}`, `node logs: ${m.dataDir}/h*.log`] : [])
    ]
    const summary = lines.join('\n')
    say(`summary\n${summary}`)
    return { seed: opts.seed, replay, violations, notes: checked.notes, faults, jobs, refused, maxAfterHealMs: checked.maxAfterHealMs, convergedAfterMs, terms: leaders.terms(), logs: m.dataDir, summary }
  } finally {
    polling = false
    await poller?.catch(() => {})
    await client?.stop().catch(() => {})
    mesh?.stop()
    cleanup()
  }
}

interface Args { minutes: number, seed: number, faults: FaultKind[] }

export function parseArgs (argv: string[]): Args {
  const args: Args = { minutes: 2, seed: (Date.now() ^ (process.pid << 16)) >>> 0, faults: [...FAULT_KINDS] }
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k]!
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined]
    const value = (): string => {
      const v = inline ?? argv[++k]
      if (v == null) throw new Error(`${flag} needs a value`)
      return v
    }
    if (flag === '--minutes') args.minutes = Number(value())
    else if (flag === '--seed') args.seed = Number(value()) >>> 0
    else if (flag === '--faults') args.faults = parseFaults(value())
    else if (flag === '--help' || flag === '-h') {
      console.log(`usage: npm run chaos -- [--minutes N] [--seed S] [--faults ${FAULT_KINDS.join(',')}]`)
      process.exit(0)
    } else throw new Error(`unknown argument ${a}`)
  }
  if (!(args.minutes > 0)) throw new Error('--minutes must be a positive number')
  return args
}

async function main (): Promise<void> {
  let args: Args
  try {
    args = parseArgs(process.argv.slice(2))
  } catch (err) {
    console.error(`chaos: ${(err as Error).message}`)
    process.exit(2)
  }
  if (Number(process.versions.node.split('.')[0]) < 22) {
    // The nodes run on this same node binary: an older one fails each of them at start.
    console.error(`chaos: needs Node.js >= 22 (this is ${process.version}); run it as npm run chaos`)
    process.exit(2)
  }
  if (!canUseNetns()) {
    console.error('chaos: needs root and iproute2 (ip netns)')
    process.exit(2)
  }
  // Namespaces and nodes go whatever ends the run: an error, Ctrl-C, a kill.
  process.on('exit', cleanup)
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => { cleanup(); process.exit(130) })
  let report: ChaosReport
  try {
    report = await runChaos(args)
  } catch (err) {
    console.error(`chaos: the run failed: ${(err as Error).stack ?? String(err)}\nseed ${args.seed}; replay: ${replayCommand(args)}`)
    process.exit(1)
  }
  process.exit(report.violations.length === 0 ? 0 : 1)
}

if (process.argv[1] != null && fileURLToPath(import.meta.url) === process.argv[1]) await main()
