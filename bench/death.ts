// bench/death: how long a SIGKILLed node takes to be declared dead by quorum (node.dead
// committed) on a local cluster, and how long a restart takes to clear it (node.alive).
// Prints figures; never fails on a time.
//
//   node dist/bench/death.js [--nodes 5] [--kills 20] [--seed 1]
//
// Each round SIGKILLs a seeded-random node (every fourth round the leader), and reads from the
// survivors' JSON logs: the first "membership change → dead" (detection), the first
// "raft role change → leader" (only when the leader was killed) and the first
// "node declared dead (committed)" (commit, applied on the leader). Then it restarts the node
// and waits until every node's status shows no committed death (node.alive applied).
import { Command } from 'commander'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { agreedLeader as agreedLeaderOf, down, kill, loadState, restart, statusAll, up, waitUntil, type NodeStatus } from '../scripts/cluster-lib.js'
import { formatMachine, loadavg, machineInfo } from './lib/machine.js'
import { firstLogged } from './lib/node-logs.js'
import { freePortBlock } from './lib/ports.js'
import { markdownTable, max, median, ms, mulberry32, quantile } from './lib/stats.js'

const program = new Command('bench/death')
  .option('--nodes <n>', 'cluster size', '5')
  .option('--kills <n>', 'SIGKILLs', '20')
  .option('--seed <n>', 'which node each round kills', '1')
  .parse()
const opts = program.opts<{ nodes: string, kills: string, seed: string }>()
const N = Number(opts.nodes)
const dir = join(tmpdir(), `meshnode-bench-death-${process.pid}`)

/** Ms from t0 until a line with `msg` (that `match` accepts) appears in any of `logs`; NaN if none. */
function firstLine (logs: string[], msg: string, t0: number, match: (j: any) => boolean = () => true): number {
  return firstLogged(logs, msg, t0, match) - t0
}

async function agreedLeader (): Promise<NodeStatus> {
  return await agreedLeaderOf(dir, { nodes: N, allAlive: true, timeoutMs: 30_000, everyMs: 50 })
}

async function main (): Promise<void> {
  const machine = machineInfo()
  console.log(formatMachine(machine))
  const rand = mulberry32(Number(opts.seed))
  const basePort = await freePortBlock(19620, N)
  await up(N, { dir, basePort })
  const stop = async (): Promise<void> => { await down(dir) }
  process.once('SIGINT', () => { void stop().then(() => process.exit(130)) })
  const commitAll: number[] = []
  const commitFollower: number[] = []
  const commitLeader: number[] = []
  const detect: number[] = []
  const alive: number[] = []
  try {
    for (let k = 1; k <= Number(opts.kills); k++) {
      const leader = await agreedLeader()
      // Every committed death of the previous round is cleared before the next kill.
      await waitUntil(async () => (await statusAll(dir)).every(s => (s.status?.dead ?? []).length === 0), 30_000, 'no committed deaths', 100)
      const all = await statusAll(dir)
      // Every fourth round kills the leader, so both cases are measured whatever the seed.
      const victim = k % 4 === 0 ? all.find(s => s.entry.index === leader.entry.index)! : all[Math.floor(rand() * all.length)]!
      const peerId = victim.status!.peerId
      const wasLeader = victim.entry.index === leader.entry.index
      const survivors = loadState(dir).nodes.filter(n => n.index !== victim.entry.index).map(n => n.log)
      const t0 = Date.now()
      await kill(victim.entry.index, 'SIGKILL', dir)
      await waitUntil(async () => (await statusAll(dir, 1_000)).filter(s => s.entry.index !== victim.entry.index).some(s => s.status?.dead?.some(d => d.peerId === peerId) === true),
        15_000, `node.dead for node-${victim.entry.index}`, 50)
      const committed = firstLine(survivors, 'node declared dead (committed)', t0, j => j.peer === peerId)
      const detected = firstLine(survivors, 'membership change', t0, j => j.peer === peerId && j.to === 'dead')
      const elected = wasLeader ? firstLine(survivors, 'raft role change', t0, j => j.role === 'leader') : NaN
      commitAll.push(committed)
      ;(wasLeader ? commitLeader : commitFollower).push(committed)
      detect.push(detected)
      console.log(`kill ${k}: node-${victim.entry.index}${wasLeader ? ' (leader)' : ''} → detected dead ${ms(detected)}${wasLeader ? `, new leader ${ms(elected)}` : ''}, node.dead committed ${ms(committed)}; load ${loadavg()}`)
      const t1 = Date.now()
      await restart(victim.entry.index, dir)
      await waitUntil(async () => {
        const now = await statusAll(dir, 1_000)
        return now.every(s => s.status != null && (s.status.dead ?? []).length === 0)
      }, 30_000, 'node.alive after the restart', 50)
      const cleared = firstLine(loadState(dir).nodes.map(n => n.log), 'node alive again (committed)', t1, j => j.peer === peerId)
      alive.push(cleared)
      console.log(`         restart → node.alive committed ${ms(cleared)} (includes the process start)`)
    }
    console.log('\n' + markdownTable(
      ['figure', 'p50', 'p99 (= max at 20)', 'n'],
      [
        ['SIGKILL → node.dead committed, any node', ms(median(commitAll)), ms(quantile(commitAll, 0.99)), String(commitAll.length)],
        ['… a follower killed', ms(median(commitFollower)), ms(max(commitFollower)), String(commitFollower.length)],
        ['… the leader killed (includes the election)', ms(median(commitLeader)), ms(max(commitLeader)), String(commitLeader.length)],
        ['SIGKILL → first survivor detects dead', ms(median(detect)), ms(quantile(detect, 0.99)), String(detect.length)],
        ['restart → node.alive committed', ms(median(alive)), ms(quantile(alive, 0.99)), String(alive.length)]
      ]))
    console.log(`\n${opts.kills} SIGKILLs (a seeded-random node, the leader every fourth; seed ${opts.seed}) on ${N} nodes; target < 1 s; ${machine.cpuModel}, ${machine.cores} cores, node ${process.version}`)
  } finally {
    await stop()
  }
}

await main()
process.exit(0)
