// bench/membership-sim: membership at 10 to 1000 nodes in the deterministic simulator
// (test/sim/membership/sim.ts): N nodes running the real FailureDetector over a model of
// gossipsub as host.ts configures it and of the dialer. Every time printed is SIMULATED time
// (a property of the protocol, not of this machine); only the last column is this machine's
// CPU time for the simulation itself.
//
//   npm run bench:membership-sim -- --sizes 10,100,250,500,1000 --seed 1
//   npm run bench:membership-sim -- --sizes 100,250 --variants configured,factor25,meshpub,greet250
//
// For each N: all nodes start at seeded times within --spread-ms, knowing 3 bootstrap peers;
//   join      = from the last node's start until every node sees every other alive;
//   the join's own traffic (from the first start until it converged): heartbeat copies received
//   per node per second, duplicates per distinct heartbeat, relayed copies held back (relayTo);
//   then --settle-ms of quiet (the join's greetings leave the message caches) and a
//   --steady-ms window in which traffic is counted per node per second: gossip frames and
//   bytes sent (heartbeats incl. forwards, IHAVE, IWANT, GRAFT/PRUNE, subscriptions,
//   probes), duplicates received per distinct heartbeat, mesh size and connections;
//   crash     = one seeded node is killed (its connections close) and the time until every
//   survivor holds it dead is printed.
// Variants (what-ifs for issue 14 — not what the node runs unless named "configured"):
//   configured  gossipsub as host.ts builds it (HEARTBEAT_MESH: floodPublish, D 2, IHAVE to Dlazy=2),
//               relaying only while needed (src/healing/relay.ts, --gossip-relay when-needed)
//   relayalways every fresh heartbeat relayed to the mesh (--gossip-relay always, before stop 25)
//   relaymesh   while relaying, every mesh peer gets the copy, also one that lists the author as
//               heard straight from (no relayTo; before stop 54)
//   factor25    gossipFactor 0.25, the library default (IHAVE to a quarter of the non-mesh
//               peers) — meshnode's setting before this bench
//   meshpub     floodPublish off: a node publishes to its mesh (D) only
//   greet250    membership greets a new subscriber at most once per 250 ms (not max(20, 20 × peers))
import { Command } from 'commander'
import { CATEGORIES, GOSSIPSUB_AS_CONFIGURED, defaultSimConfig, runScenario, type MembershipSimConfig } from '../test/sim/membership/sim.js'
import { formatMachine, loadavg, machineInfo } from './lib/machine.js'
import { markdownTable } from './lib/stats.js'

const VARIANTS: Record<string, (c: MembershipSimConfig) => MembershipSimConfig> = {
  configured: c => c,
  relayalways: c => ({ ...c, relay: 'always' }),
  relaymesh: c => ({ ...c, directRelays: false }),
  factor25: c => ({ ...c, gossip: { ...c.gossip, gossipFactor: 0.25 } }),
  meshpub: c => ({ ...c, gossip: { ...c.gossip, floodPublish: false } }),
  greet250: c => ({ ...c, greetGapMs: 250, greetGapPerPeerMs: 0 })
}

const program = new Command()
  .option('--sizes <list>', 'node counts', '10,100,250,500,1000')
  .option('--seed <n>', 'seed', '1')
  .option('--variants <list>', `any of ${Object.keys(VARIANTS).join(', ')}`, 'configured')
  .option('--spread-ms <ms>', 'nodes start within this window', '2000')
  .option('--limit-ms <ms>', 'give up on convergence (join, crash) after this long', '10000')
  .option('--settle-ms <ms>', 'quiet time after convergence before measuring', '5000')
  .option('--steady-ms <ms>', 'traffic window', '3000')
  .option('--allow-listed', 'every dialer allow-listed (loopback): no inbound connection cap')
  .parse()
const o = program.opts<{ sizes: string, seed: string, variants: string, limitMs: string, spreadMs: string, settleMs: string, steadyMs: string, allowListed?: boolean }>()

const kb = (b: number): string => (b / 1024).toFixed(1)
const f1 = (x: number): string => x.toFixed(1)
const ms = (x: number | null): string => x === null ? 'never' : `${x}`

console.log('# membership in the deterministic simulator')
console.log(formatMachine(machineInfo()))
console.log(`load average at start: ${loadavg()}`)
console.log(`seed ${o.seed}, start spread ${o.spreadMs} ms, give up after ${o.limitMs} ms, settle ${o.settleMs} ms, steady window ${o.steadyMs} ms, allow-listed ${o.allowListed === true}`)
console.log(`gossipsub as configured: ${JSON.stringify(GOSSIPSUB_AS_CONFIGURED)}`)

const rows: string[][] = []
const breakdown: string[][] = []
for (const variant of o.variants.split(',')) {
  const mk = VARIANTS[variant]
  if (mk === undefined) throw new Error(`unknown variant ${variant}`)
  for (const n of o.sizes.split(',').map(Number)) {
    const cfg = mk(defaultSimConfig({ seed: Number(o.seed), nodes: n, startSpreadMs: Number(o.spreadMs), allowListed: o.allowListed === true }))
    const cpu0 = process.cpuUsage()
    const { sim, result: r } = runScenario(cfg, { limitMs: Number(o.limitMs), settleMs: Number(o.settleMs), steadyMs: Number(o.steadyMs), crash: true })
    const cpu = process.cpuUsage(cpu0)
    const s = r.steady
    const j = r.join
    const msgCat = CATEGORIES.indexOf('heartbeat')
    const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0)
    rows.push([
      variant, `${n}`, ms(r.joinConvergenceMs), ms(r.crashDetectionMs),
      f1(sum(s.txMsgs)), kb(sum(s.txBytes)), f1(sum(s.rxMsgs)), kb(sum(s.rxBytes)),
      s.duplicatesPerMessage.toFixed(2),
      f1(j.rxMsgs[msgCat]!), kb(sum(j.rxBytes)), j.duplicatesPerMessage.toFixed(2), f1(j.relaysUnneededPerNodePerSecond),
      `${s.meshSize.min}/${f1(s.meshSize.mean)}/${s.meshSize.max}`,
      `${s.connections.min}/${f1(s.connections.mean)}/${s.connections.max}`,
      f1(s.refusedDialsPerNodePerSecond),
      `${r.falseSuspicions}`,
      ((cpu.user + cpu.system) / 1e6).toFixed(1)
    ])
    breakdown.push([variant, `${n}`, ...CATEGORIES.map((_, c) => `${f1(s.txMsgs[c]!)} / ${kb(s.txBytes[c]!)}`)])
    console.log(`${variant} N=${n}: join ${ms(r.joinConvergenceMs)} ms, crash seen by all ${ms(r.crashDetectionMs)} ms (simulated); ` +
      `sent ${f1(sum(s.txMsgs))} frames/s, ${kb(sum(s.txBytes))} KiB/s per node; heartbeat frame ${sim.sizes.message} B; ` +
      `sim CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s; load ${loadavg()}`)
  }
}
console.log()
console.log('Simulated times in ms; traffic per node per second in the steady window (mean over live nodes); "join:" columns over the join, from the first start until it converged.')
console.log(markdownTable(['variant', 'N', 'join ms', 'crash seen by all ms', 'sent frames/s', 'sent KiB/s', 'recv frames/s', 'recv KiB/s', 'dup per msg', 'join: heartbeat copies recv/s', 'join: recv KiB/s', 'join: dup per msg', 'join: relays held back/s', 'mesh min/mean/max', 'conns min/mean/max', 'refused dials/s', 'false susp.', 'sim CPU s'], rows))
console.log()
console.log('Sent per node per second by kind (frames / KiB):')
console.log(markdownTable(['variant', 'N', ...CATEGORIES], breakdown))
console.log(`load average at end: ${loadavg()}`)
