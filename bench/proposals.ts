// bench/proposals: writes committed per second through a consensus log, meshnode beside etcd on
// this machine in the same run. meshnode: config writes (`configSet`, one control-log entry
// each) through the admin RPC of the Raft leader; etcd: puts through its v3 JSON gateway
// (`POST /v3/kv/put`) to its leader. Same cluster size, the same closed loop of writers from one
// client process (bench/lib/writers.ts), the same wall time. Prints writes/s, latency p50/p99 and
// the CPU the whole cluster spent per write; never fails on a figure.
//
//   node dist/bench/proposals.js [--nodes 3] [--seconds 10] [--concurrency 32] [--rounds 1]
//                                [--base-port 19600] [--no-etcd] [--build DIR]
//
// Both systems persist before they acknowledge: meshnode one LevelDB batch per Raft Ready on
// every node (synced), etcd its WAL (fsync) — so the disk is the same. The clients differ: one
// libp2p channel stream carrying every meshnode call (Noise, yamux), one keep-alive HTTP/1.1
// request per etcd put.
import { multiaddr } from '@multiformats/multiaddr'
import { Command, InvalidArgumentError } from 'commander'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { clusterCaller, down, loadState, up } from '../scripts/cluster-lib.js'
import { pickLocalAddr } from '../src/node/transport/addrs.js'
import { callWith } from '../src/node/transport/rpc.js'
import { ADMIN_CALL } from '../src/wire/calls.js'
import { agreedFullLeader } from './lib/failover.js'
import { formatMachine, loadavg, machineInfo, procCpuMs } from './lib/machine.js'
import { freePortBlock } from './lib/ports.js'
import { markdownTable, median, num, quantile, sleep } from './lib/stats.js'
import { runWriters, type WriterRun } from './lib/writers.js'

function positive (name: string) {
  return (v: string): number => {
    const n = Number(v)
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a positive integer`)
    return n
  }
}

const program = new Command('bench/proposals')
  .description('consensus writes committed per second: meshnode config writes through the Raft leader beside etcd puts, same cluster size, same client loop (prints figures, never pass/fail)')
  .option('--nodes <n>', 'cluster size (both systems)', positive('--nodes'), 3)
  .option('--seconds <s>', 'how long each measurement writes', positive('--seconds'), 10)
  .option('--concurrency <n>', 'writes in flight (closed loop, one client process)', positive('--concurrency'), 32)
  .option('--rounds <n>', 'measurements per system, alternating meshnode and etcd', positive('--rounds'), 1)
  .option('--base-port <n>', 'first port to try for either cluster', positive('--base-port'), 19600)
  .option('--no-etcd', 'measure meshnode only')
  .option('--build <dir>', 'run the meshnode nodes of this built checkout (default: this one)')
  .parse()
const opts = program.opts<{ nodes: number, seconds: number, concurrency: number, rounds: number, basePort: number, etcd: boolean, build?: string }>()

interface Measured { system: string, round: number, run: WriterRun, clusterCpuMs: number, clientCpuMs: number, load: string, raft?: RaftSent }

/** Raft messages the cluster sent over a measurement, by type (raft.write: the stream writes carrying them). */
type RaftSent = Map<string, number>

/** The cluster's Raft messages sent so far, from every node's /metrics (messages_sent_total{kind="raft.*"}). */
async function raftSent (httpPorts: number[]): Promise<RaftSent> {
  const sent: RaftSent = new Map()
  for (const port of httpPorts) {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()
    for (const m of text.matchAll(/^messages_sent_total\{kind="raft\.([a-zA-Z]+)"\} (\d+)/gm)) {
      sent.set(m[1]!, (sent.get(m[1]!) ?? 0) + Number(m[2]))
    }
  }
  return sent
}

function raftPerWrite (m: Measured): string {
  if (m.raft == null) return ''
  const per = (k: string): string => num((m.raft!.get(k) ?? 0) / m.run.committed, 2)
  return `; Raft messages a write: append ${per('append')}, appendResp ${per('appendResp')}, heartbeat ${per('heartbeat')}, stream writes ${per('write')}`
}

/** CPU of the cluster's processes and of this client process over `body`. */
async function measure (system: string, round: number, pids: () => number[], body: () => Promise<WriterRun>): Promise<Measured> {
  const cpu = (): number => pids().reduce((a, pid) => a + (procCpuMs(pid) ?? NaN), 0)
  const c0 = cpu()
  const u0 = process.cpuUsage()
  const run = await body()
  const u = process.cpuUsage(u0)
  return { system, round, run, clusterCpuMs: cpu() - c0, clientCpuMs: (u.user + u.system) / 1000, load: loadavg() }
}

async function measureMeshnode (round: number, dir: string): Promise<Measured> {
  // the nodes' libp2p ports, then their HTTP ports (for /metrics)
  const basePort = await freePortBlock(opts.basePort, 2 * opts.nodes)
  const httpPorts = Array.from({ length: opts.nodes }, (_, i) => basePort + opts.nodes + i)
  const bin = opts.build != null ? join(opts.build, 'bin', 'meshnode.js') : undefined
  await up(opts.nodes, { dir, basePort, httpBasePort: httpPorts[0], ...(bin != null ? { bin } : {}) })
  try {
    const leader = await agreedFullLeader(dir, opts.nodes)
    const client = await clusterCaller(dir)
    try {
      const target = multiaddr(pickLocalAddr(leader.status!.addrs)!)
      // One unmeasured second: the client's connection and the nodes' hot paths warm up.
      const write = async (w: number, i: number): Promise<boolean> =>
        (await callWith(client, target, { configSet: { key: `bench/${w}`, value: String(i) } }, ADMIN_CALL)).code === ''
      await runWriters(opts.concurrency, 1, write)
      const before = await raftSent(httpPorts)
      const m = await measure('meshnode', round, () => loadState(dir).nodes.map(n => n.pid), async () => await runWriters(opts.concurrency, opts.seconds, write))
      const after = await raftSent(httpPorts)
      m.raft = new Map([...after].map(([k, n]) => [k, n - (before.get(k) ?? 0)]))
      return m
    } finally {
      await client.stop()
    }
  } finally {
    await down(dir)
  }
}

/** An etcd cluster of `n` members on loopback, each with its own data dir under `dir`. */
async function startEtcd (n: number, dir: string): Promise<{ procs: ChildProcess[], clientUrls: string[] }> {
  const basePort = await freePortBlock(opts.basePort, 2 * n)
  const peer = (i: number): string => `http://127.0.0.1:${basePort + 2 * i + 1}`
  const clientUrls = Array.from({ length: n }, (_, i) => `http://127.0.0.1:${basePort + 2 * i}`)
  const cluster = Array.from({ length: n }, (_, i) => `e${i}=${peer(i)}`).join(',')
  mkdirSync(dir, { recursive: true })
  const procs = clientUrls.map((url, i) => spawn('etcd', [
    '--name', `e${i}`, '--data-dir', join(dir, `e${i}`),
    '--listen-client-urls', url, '--advertise-client-urls', url,
    '--listen-peer-urls', peer(i), '--initial-advertise-peer-urls', peer(i),
    '--initial-cluster', cluster, '--initial-cluster-state', 'new', '--initial-cluster-token', `bench-${process.pid}`,
    '--logger', 'zap', '--log-level', 'error'
  ], { stdio: ['ignore', 'ignore', 'inherit'] }))
  for (const p of procs) p.once('error', e => { console.error(`etcd: ${e.message} (is etcd-server installed?)`) })
  return { procs, clientUrls }
}

async function etcdPost (url: string, path: string, body: unknown): Promise<any> {
  const res = await fetch(`${url}${path}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } })
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`)
  return await res.json()
}

/** The client URL of the member that leads, once every member answers and names the same leader. */
async function etcdLeader (clientUrls: string[], timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const st = await Promise.all(clientUrls.map(async u => await etcdPost(u, '/v3/maintenance/status', {}).catch(() => null)))
    if (st.every(s => s?.leader != null && s.leader === st[0].leader && s.leader !== '0')) {
      const i = st.findIndex(s => s.header?.member_id === s.leader)
      if (i >= 0) return clientUrls[i]!
    }
    await sleep(100)
  }
  throw new Error(`etcd elected no leader within ${timeoutMs} ms`)
}

async function measureEtcd (round: number, dir: string): Promise<Measured> {
  const { procs, clientUrls } = await startEtcd(opts.nodes, dir)
  try {
    const leader = await etcdLeader(clientUrls)
    const b64 = (s: string): string => Buffer.from(s).toString('base64')
    const write = async (w: number, i: number): Promise<boolean> =>
      (await etcdPost(leader, '/v3/kv/put', { key: b64(`bench/${w}`), value: b64(String(i)) }))?.header != null
    await runWriters(opts.concurrency, 1, write)
    return await measure('etcd', round, () => procs.map(p => p.pid ?? -1), async () => await runWriters(opts.concurrency, opts.seconds, write))
  } finally {
    await Promise.all(procs.map(async p => await new Promise<void>(resolve => {
      if (p.exitCode != null || p.signalCode != null) { resolve(); return }
      p.once('exit', () => { resolve() })
      p.kill('SIGTERM')
    })))
    rmSync(dir, { recursive: true, force: true })
  }
}

async function main (): Promise<void> {
  console.log(formatMachine(machineInfo()))
  console.log(`${opts.nodes} nodes each, ${opts.concurrency} writes in flight from one client, ${opts.seconds} s per measurement${opts.build != null ? `, meshnode from ${opts.build}` : ''}`)
  let etcd = opts.etcd
  if (etcd && spawnSync('etcd', ['--version']).error != null) {
    console.log('etcd not found (Debian: apt-get install etcd-server): measuring meshnode alone')
    etcd = false
  }
  const results: Measured[] = []
  const dir = join(tmpdir(), `meshnode-bench-proposals-${process.pid}`)
  let stopping = false
  process.once('SIGINT', () => { stopping = true; void down(join(dir, 'meshnode')).then(() => process.exit(130)) })
  try {
    for (let round = 1; round <= opts.rounds && !stopping; round++) {
      // Alternate which system goes first, so neither always meets the machine as the other left it.
      const order = round % 2 === 1 ? ['meshnode', 'etcd'] : ['etcd', 'meshnode']
      for (const system of order) {
        if (system === 'etcd' && !etcd) continue
        const m = system === 'meshnode' ? await measureMeshnode(round, join(dir, 'meshnode')) : await measureEtcd(round, join(dir, 'etcd'))
        results.push(m)
        const r = m.run
        console.log(`${m.system} round ${round}: ${r.committed} committed in ${num(r.elapsedMs / 1000, 1)} s = ${num(r.committed * 1000 / r.elapsedMs)}/s (${r.failed} failed); latency p50 ${num(median(r.latencies), 1)} p99 ${num(quantile(r.latencies, 0.99), 1)} ms; cluster CPU ${num(m.clusterCpuMs / r.committed * 1000)} µs a write, client ${num(m.clientCpuMs / r.committed * 1000)} µs${raftPerWrite(m)}; load ${m.load}`)
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  console.log('\n' + markdownTable(
    ['system', 'round', 'writes/s', 'p50 ms', 'p99 ms', 'cluster CPU µs a write', 'client CPU µs a write', 'failed', 'load (1/5/15)'],
    results.map(m => [m.system, String(m.round), num(m.run.committed * 1000 / m.run.elapsedMs), num(median(m.run.latencies), 1), num(quantile(m.run.latencies, 0.99), 1),
      num(m.clusterCpuMs / m.run.committed * 1000), num(m.clientCpuMs / m.run.committed * 1000), String(m.run.failed), m.load])))
}

await main()
process.exit(0)
