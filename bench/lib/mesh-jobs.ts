// The meshnode side of the throughput benchmark: a fresh local cluster (scripts/cluster's
// library), no-op `echo` tasks submitted to node 1 through the admin protocol, exactly as
// `meshnode submit` sends them, and exact timings read back from the home's job records.
//
// Modes, matching bench/lib/bullmq.ts:
// - many-jobs: `tasks` one-task jobs, submitted in requests of `chunk` jobs (BullMQ's
//   addBulk chunks), up to 4 requests in flight. Each request is acknowledged once its jobs
//   are durable and registered in the control log.
// - one-job: one job whose `tasks` roots are the tasks; done when the whole job is.
// - spread (many-jobs on several nodes): the requests go to the nodes in turn, so each node is
//   the home of a share of the jobs — producers on every host submitting to their own node,
//   where the default has every job homed on node 1 (one process doing every home's work).
//
// Timing: start = Date.now() just before the first request. A task's latency = its outcome's
// finishedAt (the executor's clock, recorded in its result) − the send time of the request
// that carried it; a job is done when its home records completion (finishedAt of the job),
// which for one-job mode includes Dijkstra–Scholten detection. All clocks are this machine's.
// tasks/s = tasks / (last job finishedAt − start).
import type { Libp2p } from 'libp2p'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { clusterCaller, down, loadState, statusAll, up, waitUntil } from '../../scripts/cluster-lib.js'
import { unwrap } from '../../src/node/client/admin.js'
import { callWith } from '../../src/node/transport/rpc.js'
import { ADMIN_CALL, type AdminCommandName, type AdminParams, type AdminResult } from '../../src/wire/calls.js'
import type { AdminRequest, JobDetail } from '../../src/wire/proto/admin.js'
import { defaultRetentionPolicy, RETENTION_KEYS } from '../../src/consensus/retention.js'
import { procCpuMs } from './machine.js'
import { quantile } from './stats.js'

export interface MeshRun {
  mode: 'one-job' | 'many-jobs'
  tasks: number
  nodes: number
  /** --concurrency of every node. */
  concurrency: number | 'auto'
  dir: string
  basePort: number
  /** Jobs per submit request in many-jobs mode (default 1000). */
  chunk?: number
  /** Extra flags for every node (e.g. --mesh-key FILE). */
  extraArgs?: string[]
  /** The bin/meshnode.js to run (cluster-lib's UpOptions.bin; default this checkout's). */
  bin?: string
  /** Scrape every node's GET /metrics this often during the run (the cost of being watched). */
  scrapeMs?: number
  /**
   * Run this many tasks the same way first, on the same nodes, and measure only what follows:
   * a figure for nodes whose JIT has warmed up (long-lived workers), beside a fresh node's.
   */
  warmup?: number
  /** Read every node's message counts (GET /metrics: messages_*_total, socket_writes_total) before and after the run. */
  countMessages?: boolean
  /** many-jobs: send the submit requests to the nodes in turn instead of all to node 1. */
  spread?: boolean
}

/** One node's message counts over a run (after − before), with its role at the end. */
export interface NodeMessages {
  /** home (node 1, where every job is submitted), and leader or follower. */
  role: string
  /** "sent raft.append", "received work.replicate", "socket members writes", ... → count. */
  counts: Map<string, number>
}

export interface MeshResult {
  tasksPerSec: number
  p50Ms: number
  p99Ms: number
  elapsedMs: number
  /** Start → the last submit acknowledged. */
  submitMs: number
  /** Tasks per node. */
  byNode: number[]
  /** CPU time of all node processes over the run, ms. */
  cpuMs: number
  /** Each node's CPU time during the run (submit to last job done), in node order. */
  cpuByNode: number[]
  /** Scrapes of /metrics answered during the run (scrapeMs), and their mean size in bytes. */
  scrapes?: { count: number, meanBytes: number }
  /** Per node, in node order (countMessages). */
  messages?: NodeMessages[]
}

/** The families countMessages reads. */
const MESSAGE_FAMILIES = /^(messages_sent_total|messages_received_total|socket_writes_total)\{([^}]*)\} (\S+)$/

/** Every node's message counts now, in node order. */
async function messageCounts (dir: string): Promise<Array<Map<string, number>>> {
  return await Promise.all(loadState(dir).nodes.map(async n => {
    const url = `http://${JSON.parse(readFileSync(join(n.dataDir, 'node.json'), 'utf8')).http as string}/metrics`
    const counts = new Map<string, number>()
    for (const line of (await (await fetch(url)).text()).split('\n')) {
      const m = MESSAGE_FAMILIES.exec(line)
      if (m == null) continue
      const labels = [...m[2]!.matchAll(/="([^"]*)"/g)].map(l => l[1]).join(' ')
      counts.set(`${m[1] === 'messages_sent_total' ? 'sent' : m[1] === 'messages_received_total' ? 'received' : 'socket'} ${labels}`, Number(m[3]))
    }
    return counts
  }))
}

/**
 * Fetches every node's /metrics every `everyMs` (as a Prometheus server would) until the
 * returned function is called; it resolves with the count and mean size of the answers.
 */
function scrapeAll (dir: string, everyMs: number): () => Promise<{ count: number, meanBytes: number }> {
  const urls = loadState(dir).nodes.map(n => `http://${JSON.parse(readFileSync(join(n.dataDir, 'node.json'), 'utf8')).http as string}/metrics`)
  let count = 0
  let bytes = 0
  let inFlight: Promise<unknown> = Promise.resolve()
  const scrape = (): void => {
    inFlight = Promise.all(urls.map(async u => {
      const body = await (await fetch(u)).text()
      count++
      bytes += body.length
    })).catch(() => {})
  }
  scrape()
  const timer = setInterval(scrape, everyMs)
  return async () => {
    clearInterval(timer)
    await inFlight
    return { count, meanBytes: count === 0 ? 0 : Math.round(bytes / count) }
  }
}

/** Submit requests in flight at once in many-jobs mode. */
const IN_FLIGHT = 4

export type Admin = <K extends AdminCommandName>(name: K, params: AdminParams<K>) => Promise<AdminResult<K>>

/** A job's detail as one object, as `meshnode job --json` prints it. */
export function jobDetail<T = any> (d: JobDetail): T {
  return { ...JSON.parse(d.view), ...(d.results !== '' ? { results: JSON.parse(d.results) } : {}), ...(d.next !== '' ? { next: d.next } : {}) }
}

export interface BenchCluster {
  dir: string
  client: Libp2p
  /** An admin call to node 1 (the home of every job the benches submit). */
  admin: Admin
  /** Admin calls to each node, in node order (admins[0] is admin). */
  admins: Admin[]
  pids: number[]
  stop: () => Promise<void>
}

/** A fresh local cluster with a leader, and one client host to talk to it. */
export async function startBenchCluster (nodes: number, dir: string, basePort: number, extraArgs: string[], bin?: string, httpBasePort?: number): Promise<BenchCluster> {
  await up(nodes, { dir, basePort, extraArgs: [...extraArgs, '--log-level', 'warn'], bin, ...(httpBasePort != null ? { httpBasePort } : {}) })
  const client = await clusterCaller(dir)
  const stop = async (): Promise<void> => {
    await client.stop()
    await down(dir)
  }
  try {
    const state = loadState(dir)
    const admins = state.nodes.map((n): Admin => {
      const addr = multiaddr(`/ip4/127.0.0.1/tcp/${n.port}`)
      return async (name, params) => unwrap(await callWith(client, addr, { [name]: params } as AdminRequest, { ...ADMIN_CALL, timeoutMs: 120_000 }), name)
    })
    const admin = admins[0]!
    // Wait for a leader everywhere, so the first registration does not include an election.
    await waitUntil(async () => (await statusAll(dir, 2_000, client)).every(s => (s.status?.leader ?? '') !== ''), 60_000, 'a leader')
    return { dir, client, admin, admins, pids: state.nodes.map(n => n.pid), stop }
  } catch (err) {
    await stop()
    throw err
  }
}

/**
 * Submits `count` no-op tasks as one job (one-job, to the first node) or as one-task jobs,
 * IN_FLIGHT requests at a time, each request to the next of `admins` in turn.
 */
async function submitAll (admins: Admin[], mode: MeshRun['mode'], count: number, chunk = 1000): Promise<{ sent: Map<string, number>, start: number, submitMs: number }> {
  const sent = new Map<string, number>()
  const start = Date.now()
  if (mode === 'one-job') {
    const tasks = Array.from({ length: count }, () => ({ type: 'echo' }))
    const res = await admins[0]!('jobsSubmit', { jobs: [JSON.stringify({ tasks })] })
    sent.set(res.jobs[0]!.id, start)
  } else {
    let next = 0
    let request = 0
    const worker = async (): Promise<void> => {
      while (next < count) {
        const n = Math.min(chunk, count - next)
        next += n
        const t = Date.now()
        const admin = admins[request++ % admins.length]!
        const res = await admin('jobsSubmit', { jobs: Array.from({ length: n }, () => JSON.stringify({ type: 'echo' })) })
        for (const j of res.jobs) sent.set(j.id, t)
      }
    }
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker))
  }
  return { sent, start, submitMs: Date.now() - start }
}

/** Done when the home (node 1), or with `every` each node, has no active job left. */
async function untilIdle (dir: string, client: Libp2p, every = false): Promise<void> {
  await waitUntil(async () => {
    const homes = (await statusAll(dir, 2_000, client)).filter(x => every || x.entry.index === 1)
    return homes.length > 0 && homes.every(x => x.status != null && Number(x.status.counters.work_active_jobs ?? 1) === 0)
  }, 600_000, 'every job to finish', 20)
}

async function tasksRunByNode (dir: string, client: Libp2p): Promise<Map<string, number>> {
  const ran = new Map<string, number>()
  for (const s of await statusAll(dir, 2_000, client)) {
    if (s.status != null) ran.set(s.status.peerId, Number(s.status.counters.work_tasks_run_total ?? 0))
  }
  return ran
}

export async function runMesh (run: MeshRun): Promise<MeshResult> {
  const { admin, admins, client, pids, stop } = await startBenchCluster(run.nodes, run.dir, run.basePort, ['--concurrency', String(run.concurrency), ...(run.extraArgs ?? [])], run.bin)
  const stopScraping = run.scrapeMs != null ? scrapeAll(run.dir, run.scrapeMs) : undefined
  try {
    const warmup = run.warmup ?? 0
    // The leader forgets the oldest finished jobs past retention.maxJobs (100 000 by default),
    // and their outcomes with them: a longer run keeps them all until it has read them.
    if (warmup + run.tasks > defaultRetentionPolicy.maxJobs) {
      await admin('configSet', { key: RETENTION_KEYS.maxJobs, value: String(warmup + run.tasks) })
    }
    const spread = run.spread === true && run.mode === 'many-jobs'
    const homes = spread ? admins : [admin]
    if (warmup > 0) {
      await submitAll(homes, run.mode, warmup, run.chunk)
      await untilIdle(run.dir, client, spread)
    }
    const ranBefore = warmup > 0 ? await tasksRunByNode(run.dir, client) : new Map<string, number>()
    const counts0 = run.countMessages === true ? await messageCounts(run.dir) : undefined
    const cpu0 = pids.map(p => procCpuMs(p) ?? 0)
    const { sent, start, submitMs } = await submitAll(homes, run.mode, run.tasks, run.chunk)
    await untilIdle(run.dir, client, spread)
    const cpuByNode = pids.map((p, i) => (procCpuMs(p) ?? 0) - cpu0[i]!)
    let messages: NodeMessages[] | undefined
    if (counts0 != null) {
      const counts1 = await messageCounts(run.dir)
      const statuses = await statusAll(run.dir, 2_000, client)
      messages = counts1.map((c, i) => {
        const st = statuses.find(x => x.entry.index === i + 1)?.status
        const role = `${i === 0 ? 'home ' : ''}${st?.role ?? '?'}`
        return { role, counts: new Map([...c].map(([k, v]) => [k, v - (counts0[i]!.get(k) ?? 0)])) }
      })
    }
    const cpuMs = cpuByNode.reduce((a, b) => a + b, 0)

    const latencies: number[] = []
    let end = 0
    const byNode = new Map<string, number>()
    if (run.mode === 'one-job') {
      const [id, t] = [...sent][0]!
      let after = ''
      for (;;) {
        const view = jobDetail(await admin('jobGet', { id, results: true, limit: 10_000, after })) as { finishedAt: number, state: string, results: Array<{ taskId: string, finishedAt: number, node: string }>, next?: string }
        if (view.state !== 'completed') throw new Error(`job ended ${view.state}`)
        end = view.finishedAt
        for (const r of view.results) {
          latencies.push(r.finishedAt - t)
          byNode.set(r.node, (byNode.get(r.node) ?? 0) + 1)
        }
        if (view.next == null) break
        after = view.next
      }
    } else {
      // Each job's finish time as its home's record holds it: from node 1, or with the jobs
      // spread from every node (a node's listing has the counts and times of its own jobs).
      const read = new Set<string>()
      for (const home of homes) {
        let before = ''
        for (;;) {
          const page = await home('jobsList', { limit: 10_000, before })
          for (const j of page.jobs) {
            const t = sent.get(j.id)
            if (t == null || read.has(j.id) || (spread && j.total == null)) continue
            if (j.state !== 'completed' || j.finishedAt == null) throw new Error(`job ${j.id} ended ${j.state}`)
            read.add(j.id)
            latencies.push(Number(j.finishedAt) - t)
            end = Math.max(end, Number(j.finishedAt))
          }
          if (page.next === '') break
          before = page.next
        }
      }
      for (const [peer, n] of await tasksRunByNode(run.dir, client)) byNode.set(peer, n - (ranBefore.get(peer) ?? 0))
    }
    if (latencies.length !== run.tasks) throw new Error(`expected ${run.tasks} outcomes, read ${latencies.length}`)
    const elapsedMs = end - start
    const scrapes = await stopScraping?.()
    return {
      tasksPerSec: run.tasks / (elapsedMs / 1000),
      p50Ms: quantile(latencies, 0.5),
      p99Ms: quantile(latencies, 0.99),
      elapsedMs,
      submitMs,
      byNode: [...byNode.values()].sort((a, b) => b - a),
      cpuMs,
      cpuByNode,
      ...(scrapes != null ? { scrapes } : {}),
      ...(messages != null ? { messages } : {})
    }
  } finally {
    await stopScraping?.()
    await stop()
  }
}
