// bench/failover: leader failover time on a 5-node local cluster, elections during a steady
// run, and proposals committed per second. Prints figures; never fails on a time.
//
//   node dist/bench/failover.js [--nodes 5] [--kills 20] [--steady-seconds 300]
//                               [--propose-seconds 10] [--concurrency 32]
//
// Failover time = SIGKILL of the leader → the first surviving node logs that it became leader
// (exact, from the nodes' JSON logs); "reported" = until a status poll of a survivor shows a
// new leader (what a client sees; includes poll granularity). See bench/lib/failover.ts.
import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import { Command } from 'commander'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { clusterCaller, down, loadState, up, type NodeStatus } from '../scripts/cluster-lib.js'
import { ADMIN_CALL } from '../src/wire/calls.js'
import { createClientHost } from '../src/node/transport/host.js'
import { callWith } from '../src/node/transport/rpc.js'
import { pickLocalAddr } from '../src/node/transport/addrs.js'
import { agreedFullLeader, measureFailover, roleChanges } from './lib/failover.js'
import { formatMachine, loadavg, machineInfo } from './lib/machine.js'
import { freePortBlock } from './lib/ports.js'
import { markdownTable, max, median, ms, quantile, sleep } from './lib/stats.js'
import { runWriters } from './lib/writers.js'

const program = new Command('bench/failover')
  .option('--nodes <n>', 'cluster size', '5')
  .option('--kills <n>', 'leader kills', '20')
  .option('--steady-seconds <s>', 'fault-free run for counting elections', '300')
  .option('--propose-seconds <s>', 'how long to measure proposal throughput', '10')
  .option('--concurrency <n>', 'concurrent proposals in flight', '32')
  .parse()
const opts = program.opts<{ nodes: string, kills: string, steadySeconds: string, proposeSeconds: string, concurrency: string }>()
const N = Number(opts.nodes)
const dir = join(tmpdir(), `meshnode-bench-failover-${process.pid}`)

/** One leader that all N nodes answer for and agree on, with every peer alive. */
async function agreedLeader (): Promise<NodeStatus> {
  return await agreedFullLeader(dir, N)
}

async function main (): Promise<void> {
  const machine = machineInfo()
  console.log(formatMachine(machine))
  const basePort = await freePortBlock(18900, N)
  await up(N, { dir, basePort })
  const stop = async (): Promise<void> => { await down(dir) }
  process.once('SIGINT', () => { void stop().then(() => process.exit(130)) })
  try {
    await agreedLeader()
    // --- failover
    const kills = await measureFailover(dir, N, Number(opts.kills), (k, r) => {
      console.log(`kill ${k}: node-${r.victim} (term ${r.oldTerm}) → new leader after ${ms(r.exactMs)} (status poll ${ms(r.reportedMs)}); load ${loadavg()}`)
    })
    const exact = kills.map(r => r.exactMs)
    const reported = kills.map(r => r.reportedMs)

    // --- proposals per second, through the admin RPC of the leader with one client host
    const leader = await agreedLeader()
    const client = await clusterCaller(dir)
    const target = multiaddr(pickLocalAddr(leader.status!.addrs)!)
    const seconds = Number(opts.proposeSeconds)
    const { committed, failed, latencies } = await runWriters(Number(opts.concurrency), seconds, async (w, i) =>
      (await callWith(client, target, { configSet: { key: `bench/${w}`, value: String(i) } }, ADMIN_CALL)).code === '')
    await client.stop()
    const rate = committed / seconds
    console.log(`proposals: ${committed} committed in ${seconds} s = ${rate.toFixed(0)}/s with ${opts.concurrency} in flight (${failed} failed); latency p50 ${ms(median(latencies), 1)} p99 ${ms(quantile(latencies, 0.99), 1)}`)

    // --- steady run: no faults, count elections
    const steady = Number(opts.steadySeconds)
    const before = await agreedLeader()
    const tStart = Date.now()
    console.log(`steady run: ${steady} s without faults (load ${loadavg()})`)
    await sleep(steady * 1_000)
    const after = await agreedLeader()
    const st = loadState(dir)
    const elections = st.nodes.flatMap(n => roleChanges(n.log)).filter(c => c.time >= tStart && (c.role === 'candidate' || c.role === 'pre-candidate')).length
    console.log(`steady run: ${elections} campaigns started, term ${before.status!.term} → ${after.status!.term}, leader ${before.status!.name} → ${after.status!.name}`)

    console.log('\n' + markdownTable(
      ['figure', 'value', 'target'],
      [
        ['failover p50 (exact, from logs)', ms(median(exact)), '< 400 ms'],
        ['failover max (exact)', ms(max(exact)), '< 800 ms'],
        ['failover p50 / max (status poll)', `${ms(median(reported))} / ${ms(max(reported))}`, ''],
        [`elections in ${steady} s steady`, String(elections), '0'],
        ['proposals committed/s', rate.toFixed(0), ''],
        ['proposal latency p50 / p99', `${ms(median(latencies), 1)} / ${ms(quantile(latencies, 0.99), 1)}`, '']
      ]))
    console.log(`\n${opts.kills} kills of the leader on ${N} nodes; ${machine.cpuModel}, ${machine.cores} cores, node ${process.version}`)
  } finally {
    await stop()
  }
}

await main()
process.exit(0)
