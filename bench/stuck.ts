// bench/stuck: time from a fault to the stuck-job diagnosis at the job's home. Prints
// figures; never fails on a time.
//
//   node dist/bench/stuck.js [--trials 10] [--after-ms 2000]
//
// A local cluster of two nodes without the capability "x", started with --stuck-after-ms,
// plus a third node that offers "x" (the only one). Each trial submits to node 1 a job of
// one long `sleep` task that needs "x", waits until node 3 has taken it (the home lent it:
// the job's last progress), then faults node 3:
//   kill  SIGKILL: it leaves the mesh for good; the diagnosis ends at no-capable-node (once
//         its death is committed and the task is back home, waiting for "x")
//   stop  SIGSTOP: a thief paused while holding lent work; first results-undelivered or
//         held-by-unreachable, then (death committed) no-capable-node
// and reads the home's log for its "job stuck" lines. Reported: fault → first diagnosis,
// fault → the diagnosis naming the capability, and the check lag (stuckForMs at the first
// flag − afterMs: how late after the stall reached afterMs the watch noticed; the stall
// starts at the lend, a moment before the fault). The node is then restarted (kill) or
// continued (stop) and the job cancelled before the next trial.
import { Command } from 'commander'
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { closeSync, copyFileSync, mkdirSync, openSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { BIN, NODE_FLAGS, down, loadState, up, waitUntil } from '../scripts/cluster-lib.js'
import { formatMachine, loadavg, machineInfo } from './lib/machine.js'
import { firstLogged } from './lib/node-logs.js'
import { freePortBlock } from './lib/ports.js'
import { markdownTable, median, ms, quantile } from './lib/stats.js'

const program = new Command('bench/stuck')
  .option('--trials <n>', 'trials per fault', '10')
  .option('--after-ms <ms>', 'stuck.afterMs of every node', '2000')
  .parse()
const opts = program.opts<{ trials: string, afterMs: string }>()
const TRIALS = Number(opts.trials)
const AFTER_MS = Number(opts.afterMs)
const dir = join(tmpdir(), `meshnode-bench-stuck-${process.pid}`)
const run = promisify(execFile)

async function cli (args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [BIN, ...args], { timeout: 30_000 })
  return stdout
}

interface JobView { state: string, waitingFor?: string[], stuck?: { code: string } }

async function main (): Promise<void> {
  const machine = machineInfo()
  console.log(formatMachine(machine))
  const basePort = await freePortBlock(19640, 3)
  await up(2, { dir, basePort, extraArgs: ['--http', 'off', '--stuck-after-ms', String(AFTER_MS)] })
  const state = loadState(dir)
  const node1 = state.nodes[0]!.dataDir
  const homeLog = state.nodes[0]!.log
  const xDir = join(dir, 'node-x')
  mkdirSync(xDir, { recursive: true, mode: 0o700 })
  copyFileSync(join(node1, 'operator.key'), join(xDir, 'operator.key'))
  let x: ChildProcess | undefined
  const startX = (): void => {
    const fd = openSync(join(dir, 'node-x.log'), 'a')
    x = spawn(process.execPath, [...NODE_FLAGS, BIN, 'start', '--data-dir', xDir, '--listen', `/ip4/127.0.0.1/tcp/${basePort + 2}`, '--peer', `/ip4/127.0.0.1/tcp/${basePort}`,
      '--name', 'node-x', '--capabilities', 'x', '--http', 'off', '--stuck-after-ms', String(AFTER_MS)], { stdio: ['ignore', fd, fd] })
    closeSync(fd)
  }
  const stop = async (): Promise<void> => {
    x?.kill('SIGCONT')
    x?.kill('SIGKILL')
    await down(dir)
  }
  process.once('SIGINT', () => { void stop().then(() => process.exit(130)) })
  startX()
  const rows: Array<{ fault: string, first: number[], capability: number[], lag: number[], codes: Map<string, number> }> = []
  try {
    for (const fault of ['kill', 'stop'] as const) {
      const r = { fault, first: [] as number[], capability: [] as number[], lag: [] as number[], codes: new Map<string, number>() }
      rows.push(r)
      for (let t = 1; t <= TRIALS; t++) {
        // node-x is a live member again, with no committed death of it left.
        await waitUntil(async () => {
          try {
            const s = JSON.parse(await cli(['status', '--json', '--data-dir', node1])) as { peers: Array<{ name: string, state: string }>, dead: unknown[], voters: string[], learners: string[] }
            return s.voters.length + s.learners.length === 3 && s.peers.some(p => p.name === 'node-x' && p.state === 'alive') && s.dead.length === 0
          } catch { return false }
        }, 60_000, 'node-x alive and no committed death', 200)
        const id = (JSON.parse(await cli(['submit', 'sleep', '{"ms":600000}', '--requires', 'x', '--queue-until-capable', '--capable-timeout', '1h', '--json', '--data-dir', node1])) as { id: string }).id
        await waitUntil(async () => {
          const v = JSON.parse(await cli(['job', id, '--json', '--data-dir', node1])) as JobView
          return v.waitingFor == null
        }, 30_000, 'node-x to take the task', 50)
        const t0 = Date.now()
        x!.kill(fault === 'kill' ? 'SIGKILL' : 'SIGSTOP')
        await waitUntil(() => firstLogged([homeLog], 'job stuck', t0, j => j.job === id && j.code === 'no-capable-node') > 0, 60_000, 'the no-capable-node diagnosis', 100)
        const firstAt = firstLogged([homeLog], 'job stuck', t0, j => j.job === id)
        const capAt = firstLogged([homeLog], 'job stuck', t0, j => j.job === id && j.code === 'no-capable-node')
        let firstCode = ''
        let stuckFor = NaN
        firstLogged([homeLog], 'job stuck', t0, j => {
          if (j.job === id && j.time === firstAt) {
            firstCode = String(j.code)
            stuckFor = Number(j.stuckForMs)
          }
          return false
        })
        r.first.push(firstAt - t0)
        r.capability.push(capAt - t0)
        r.lag.push(stuckFor - AFTER_MS)
        r.codes.set(firstCode, (r.codes.get(firstCode) ?? 0) + 1)
        console.log(`${fault} ${t}: first diagnosis ${ms(firstAt - t0)} (${firstCode}, stalled ${ms(stuckFor)}), no-capable-node ${ms(capAt - t0)}; load ${loadavg()}`)
        await cli(['cancel', id, '--data-dir', node1]).catch(() => '')
        if (fault === 'kill') startX()
        else x!.kill('SIGCONT')
      }
    }
    console.log('\n' + markdownTable(
      ['fault', 'figure', 'p50', 'p99', 'n'],
      rows.flatMap(r => [
        [r.fault, 'fault → first stuck diagnosis at the home', ms(median(r.first)), ms(quantile(r.first, 0.99)), String(r.first.length)],
        [r.fault, 'fault → no-capable-node naming "x"', ms(median(r.capability)), ms(quantile(r.capability, 0.99)), String(r.capability.length)],
        [r.fault, 'check lag: stall at first flag − afterMs', ms(median(r.lag)), ms(quantile(r.lag, 0.99)), String(r.lag.length)]
      ])))
    for (const r of rows) console.log(`${r.fault}: first diagnosis codes ${[...r.codes].map(([c, n]) => `${c} ×${n}`).join(', ')}`)
    console.log(`\nstuck.afterMs ${AFTER_MS} ms (checks every ${Math.min(5_000, Math.max(250, Math.floor(AFTER_MS / 4)))} ms); ${TRIALS} trials per fault; 3 nodes; ${machine.cpuModel}, ${machine.cores} cores, node ${process.version}`)
  } finally {
    await stop()
  }
}

await main()
process.exit(0)
