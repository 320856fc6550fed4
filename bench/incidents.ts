// bench/incidents: how long from a fault to its incident record on a survivor — a SIGKILLed
// node (a crash) or a SIGSTOPped one (a pause) — on a local cluster. Prints figures; never
// fails on a time.
//
//   node dist/bench/incidents.js [--nodes 3] [--trials 10] [--fault kill|stop|both] [--seed 1]
//
// Node 1 is the survivor watched: the bench follows its event stream (/v1/events, types
// node.dead and incident.*) and, each trial, faults a seeded-random other node, then notes
// when node 1 applied the death (node.dead) and when its incident log opened the record
// (incident.opened for dead-<peer>-<life>; the record is written to LevelDB right then).
// Event times are node 1's clock, the fault time the bench's: both this machine's. Then the
// node is restarted (kill) or resumed (stop) and the next trial waits until no death stands.
import { Command } from 'commander'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { down, kill, loadState, restart, statusAll, up, waitUntil } from '../scripts/cluster-lib.js'
import { formatMachine, loadavg, machineInfo } from './lib/machine.js'
import { freePortBlock } from './lib/ports.js'
import { markdownTable, ms, mulberry32, quantile } from './lib/stats.js'

const program = new Command('bench/incidents')
  .option('--nodes <n>', 'cluster size', '3')
  .option('--trials <n>', 'faults of each kind', '10')
  .option('--fault <kind>', 'kill (SIGKILL, then restart), stop (SIGSTOP, then SIGCONT) or both', 'both')
  .option('--seed <n>', 'which node each trial faults', '1')
  .parse()
const opts = program.opts<{ nodes: string, trials: string, fault: string, seed: string }>()
const N = Number(opts.nodes)
const dir = join(tmpdir(), `meshnode-bench-incidents-${process.pid}`)

interface Seen { type: string, at: number, data: Record<string, unknown> }

/** Follows a node's event stream; `seen` holds every event received so far. */
function follow (url: string, types: string): { seen: Seen[], close: () => void } {
  const seen: Seen[] = []
  const ctl = new AbortController()
  void (async () => {
    for (;;) {
      try {
        const res = await fetch(`${url}/v1/events?types=${types}&since=0`, { signal: ctl.signal })
        const reader = res.body!.getReader()
        const dec = new TextDecoder()
        let buf = ''
        for (;;) {
          const { value, done } = await reader.read()
          if (done) break
          buf += dec.decode(value, { stream: true })
          let i: number
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const frame = buf.slice(0, i)
            buf = buf.slice(i + 2)
            const data = frame.split('\n').find(l => l.startsWith('data: '))
            if (data == null) continue
            const j = JSON.parse(data.slice(6)) as { event: string, at: number, data: Record<string, unknown> }
            seen.push({ type: j.event, at: j.at, data: j.data })
          }
        }
      } catch {
        if (ctl.signal.aborted) return
      }
      await new Promise(resolve => setTimeout(resolve, 200))
    }
  })()
  return { seen, close: () => { ctl.abort() } }
}

async function main (): Promise<void> {
  const machine = machineInfo()
  console.log(formatMachine(machine))
  const rand = mulberry32(Number(opts.seed))
  const basePort = await freePortBlock(19480, N, 5)
  const httpBasePort = await freePortBlock(19490, N, 3)
  await up(N, { dir, basePort, httpBasePort })
  const stream = follow(`http://127.0.0.1:${httpBasePort}`, 'node.dead,incident.opened')
  const kinds = opts.fault === 'both' ? ['kill', 'stop'] : [opts.fault]
  const figures: Record<string, { dead: number[], record: number[] }> = {}
  try {
    for (const fault of kinds) {
      const f: { dead: number[], record: number[] } = figures[fault] = { dead: [], record: [] }
      for (let k = 1; k <= Number(opts.trials); k++) {
        await waitUntil(async () => {
          const all = await statusAll(dir, 1_000)
          return all.every(s => s.status != null && (s.status.dead ?? []).length === 0 && s.status.peers.filter(p => p.state === 'alive').length === N - 1)
        }, 60_000, 'every node alive, no death standing', 100)
        const all = await statusAll(dir)
        const others = all.filter(s => s.entry.index !== 1)
        const victim = others[Math.floor(rand() * others.length)]!
        const peerId = victim.status!.peerId
        const from = stream.seen.length
        const t0 = Date.now()
        if (fault === 'kill') await kill(victim.entry.index, 'SIGKILL', dir)
        else process.kill(victim.entry.pid, 'SIGSTOP')
        let opened: Seen | undefined
        await waitUntil(() => {
          opened = stream.seen.slice(from).find(e => e.type === 'incident.opened' && String(e.data.id).startsWith(`dead-${peerId.slice(-8)}-`))
          return opened != null
        }, 30_000, `the incident for node-${victim.entry.index}`, 10)
        const dead = stream.seen.slice(from).find(e => e.type === 'node.dead' && e.data.peerId === peerId)
        f.dead.push((dead?.at ?? NaN) - t0)
        f.record.push(opened!.at - t0)
        console.log(`${fault} ${k}: node-${victim.entry.index} → node.dead applied on node-1 ${ms(f.dead.at(-1))}, incident recorded ${ms(f.record.at(-1))} (${String(opened!.data.id)}); load ${loadavg()}`)
        if (fault === 'kill') await restart(victim.entry.index, dir)
        else process.kill(loadState(dir).nodes.find(n => n.index === victim.entry.index)!.pid, 'SIGCONT')
      }
    }
    console.log('\n' + markdownTable(
      ['fault → on a survivor (node 1)', 'p50', 'p99', 'n'],
      kinds.flatMap(k => [
        [`${k === 'kill' ? 'SIGKILL' : 'SIGSTOP'} → incident recorded`, ms(quantile(figures[k]!.record, 0.5)), ms(quantile(figures[k]!.record, 0.99)), String(figures[k]!.record.length)],
        [`${k === 'kill' ? 'SIGKILL' : 'SIGSTOP'} → node.dead applied (for reference)`, ms(quantile(figures[k]!.dead, 0.5)), ms(quantile(figures[k]!.dead, 0.99)), String(figures[k]!.dead.length)]
      ])))
    console.log(`\n${opts.trials} faults of each kind (a seeded-random node other than node 1; seed ${opts.seed}) on ${N} nodes; ${machine.cpuModel}, ${machine.cores} cores, node ${process.version}`)
  } finally {
    stream.close()
    await down(dir)
  }
}

await main()
process.exit(0)
