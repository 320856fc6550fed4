// scripts/probe-access: try every meshnode protocol against one node as a host that is NOT a
// member of its cluster, and print a JSON report of what each attempt got. The e2e and chaos
// tests use it to prove that a stranger changes nothing; an operator runs it as a self-check
// (from another host, with the mesh key and no grant, every guarded attempt must be refused).
//
// It does what a hostile peer would, with well-formed messages, so that a refusal is the
// access check's and not the decoder's: admin commands (/meshnode/admin/2.0.0), forwarded
// writes and forged job registrations (/meshnode/internal/1.0.0), a vote request and a
// leader heartbeat at a huge term (/meshnode/raft/1.0.0), a steal and a forged delivery and
// result (/meshnode/work/1.0.0). Gossip heartbeats are not tried: a host with the mesh key may
// join the gossip by design. Whatever an open node accepts is harmless (an `echo` task, the
// shell command `true`, a config key it deletes again), but it is accepted: read the report.
// Only --job aims at something real (a cancel and a forged result): give it a throwaway job.
//
//   node dist/scripts/probe-access.js MULTIADDR [--key FILE] [--mesh-key FILE]... [--job ID]
//
// Exit 0 whenever it prints a report (a refused connection is a report too); 2 on bad usage.
import { Command, CommanderError } from 'commander'
import type { PeerId, Stream } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { pbStream } from 'it-protobuf-stream'
import type { Libp2p } from 'libp2p'
import { loadKeyFile } from '../src/node/store/identity.js'
import { errorMessage } from '../src/node/errors.js'
import { loadMeshKeyFile } from '../src/node/transport/mesh-key.js'
import { callWith, createCaller, deadline } from '../src/node/transport/rpc.js'
import { ADMIN_CALL, INTERNAL_CALL, STATUS_CALL } from '../src/wire/calls.js'
import { MAX_RAFT_FRAME_BYTES, MAX_WORK_FRAME_BYTES, RAFT_PROTOCOL, WORK_PROTOCOL } from '../src/wire/constants.js'
import { AdminRequest } from '../src/wire/proto/admin.js'
import type { InternalRequest } from '../src/wire/proto/internal.js'
import type { StatusResponse } from '../src/wire/proto/status.js'
import { RaftMessage } from '../src/wire/proto/raft.js'
import { WorkFrame } from '../src/wire/proto/work.js'
import { toWire } from '../src/wire/raft-codec.js'
import { workRequest } from '../src/wire/work-codec.js'
import type { Message } from '../src/consensus/types.js'
import { pathToFileURL } from 'node:url'

/**
 * accepted: the node did or served what was asked. refused: it refused the caller (a code
 * such as FORBIDDEN or NOT_A_MEMBER, or a stream it reset at once). unreachable: no
 * connection at all (e.g. a wrong mesh key). error: anything else, with what it said.
 */
export type Outcome = 'accepted' | 'refused' | 'unreachable' | 'error'

export interface Attempt {
  protocol: string
  attempt: string
  outcome: Outcome
  /** Open to anyone connected by design (status, whoami): not counted as a hole. */
  open?: true
  code?: string
  error?: string
  detail?: string
}

export interface ProbeReport {
  target: string
  /** The prober's peer id (its --key, or a throwaway identity). */
  prober: string
  /** The node's peer id, as the connection authenticated it; null when it could not connect. */
  node: string | null
  connected: boolean
  connectError?: string
  attempts: Attempt[]
  /** Guarded attempts (everything but status and whoami) that were not refused. */
  notRefused: string[]
}

export interface ProbeOptions {
  key?: string
  meshKeys?: string[]
  /** A real job id to try to cancel (default: a made-up one). */
  job?: string
  /** How long a raft or work stream is watched for a refusal, and each call's limit. */
  timeoutMs?: number
}

/** Codes by which a node refuses the caller itself, rather than what it asked. */
const REFUSAL_CODES = new Set(['FORBIDDEN', 'NOT_A_MEMBER'])
/** The config key the probe writes, should a node let it: recognisable, and deleted again. */
const PROBE_KEY = 'meshnode-probe-access'
const DEFAULT_TIMEOUT_MS = 3_000
/** Far beyond any real term, still a safe integer (the codec rejects anything larger). */
const HUGE_TERM = 2 ** 50

export async function probe (target: string, opts: ProbeOptions = {}): Promise<ProbeReport> {
  const ma = multiaddr(target)
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const key = opts.key != null ? await loadKeyFile(opts.key) : undefined
  const meshKeys = opts.meshKeys != null && opts.meshKeys.length > 0 ? await Promise.all(opts.meshKeys.map(async f => (await loadMeshKeyFile(f)).psk)) : undefined
  const host = await createCaller({ ...(key != null ? { key } : {}), ...(meshKeys != null ? { meshKeys } : {}) })
  const report: ProbeReport = { target, prober: host.peerId.toString(), node: null, connected: false, attempts: [], notRefused: [] }
  try {
    // The connection's check comes first: a status call says what a refused one means
    // (wrong or missing mesh key) as the CLI would, and names the node to aim streams at.
    let status: StatusResponse
    try {
      status = await callWith(host, ma, { includePeers: false }, { ...STATUS_CALL, timeoutMs })
    } catch (err) {
      report.connectError = errorMessage(err)
      // Nothing gets past a refused connection; every attempt would fail the same way.
      for (const [protocol, attempt] of PLAN) report.attempts.push({ protocol, attempt, outcome: 'unreachable', error: report.connectError })
      return report
    }
    // Who Noise proved the node is, not who its status says it is: the streams below go there.
    const node = host.getConnections()[0]?.remotePeer ?? peerIdFromString(status.peerId)
    report.connected = true
    report.node = node.toString()
    report.attempts.push({ protocol: STATUS_CALL.protocol, attempt: 'status', outcome: 'accepted', open: true, detail: `term ${String(status.term)}, role ${status.role}` })
    await runAll(host, node, opts.job, timeoutMs, report.attempts)
  } finally {
    await host.stop()
  }
  report.notRefused = report.attempts.filter(a => a.open !== true && a.outcome !== 'refused' && a.outcome !== 'unreachable').map(a => `${a.protocol} ${a.attempt}`)
  return report
}

/** Every attempt, by protocol and name, in the order they run. */
const PLAN: Array<[string, string]> = [
  [STATUS_CALL.protocol, 'status'],
  [ADMIN_CALL.channel!, 'whoAmI'],
  [ADMIN_CALL.channel!, 'configSet'],
  [ADMIN_CALL.channel!, 'configDelete'],
  [ADMIN_CALL.channel!, 'jobsSubmit'],
  [ADMIN_CALL.channel!, 'jobsSubmit cmd'],
  [ADMIN_CALL.channel!, 'jobCancel'],
  [ADMIN_CALL.channel!, 'grantSet self operator --commands'],
  [ADMIN_CALL.channel!, 'auditList'],
  [ADMIN_CALL.channel!, 'configList'],
  [ADMIN_CALL.protocol, 'configSet (stream per call)'],
  [INTERNAL_CALL.channel!, 'toLeader configSet'],
  [INTERNAL_CALL.channel!, 'registerJobs forged'],
  [INTERNAL_CALL.protocol, 'toLeader configSet (stream per call)'],
  [RAFT_PROTOCOL, 'vote request at a huge term'],
  [RAFT_PROTOCOL, 'leader heartbeat at a huge term'],
  [WORK_PROTOCOL, 'steal'],
  [WORK_PROTOCOL, 'deliver forged task'],
  [WORK_PROTOCOL, 'results forged']
]

async function runAll (host: Libp2p, node: PeerId, job: string | undefined, timeoutMs: number, out: Attempt[]): Promise<void> {
  const self = host.peerId.toString()
  const to = node.toString()
  // Admin and internal calls go on the node's call channel (one stream, many calls), as every
  // client's do; the "(stream per call)" attempts use the protocol older clients speak.
  const admin = async (attempt: string, req: AdminRequest, perCall = false): Promise<Attempt> =>
    await rpc(perCall ? ADMIN_CALL.protocol : ADMIN_CALL.channel!, attempt, async () => {
      const res = await callWith(host, node, req, { ...ADMIN_CALL, channel: perCall ? undefined : ADMIN_CALL.channel, timeoutMs })
      // An accepted submission names its job, so that the cancel below aims at it.
      return { ...res, detail: res.jobsSubmit?.jobs[0]?.id ?? (res.whoAmI != null ? `role ${res.whoAmI.role}, rights [${res.whoAmI.rights.join(', ')}]` : undefined) }
    })
  const internal = async (attempt: string, req: InternalRequest, perCall = false): Promise<Attempt> =>
    await rpc(perCall ? INTERNAL_CALL.protocol : INTERNAL_CALL.channel!, attempt, async () => await callWith(host, node, req, { ...INTERNAL_CALL, channel: perCall ? undefined : INTERNAL_CALL.channel, timeoutMs }))

  out.push({ ...await admin('whoAmI', { whoAmI: {} }), open: true })

  out.push(await admin('configSet', { configSet: { key: PROBE_KEY, value: self } }))
  out.push(await admin('configDelete', { configDelete: { key: PROBE_KEY } }))
  const plain = await admin('jobsSubmit', { jobsSubmit: { jobs: [JSON.stringify({ name: 'probe-access', tasks: [{ type: 'echo', payload: { probe: self } }] })] } })
  out.push(plain)
  out.push(await admin('jobsSubmit cmd', { jobsSubmit: { jobs: [JSON.stringify({ name: 'probe-access', tasks: [{ type: 'cmd', payload: { cmd: 'true' } }] })] } }))
  out.push(await admin('jobCancel', { jobCancel: { id: job ?? (plain.outcome === 'accepted' ? plain.detail : undefined) ?? 'probe-access-no-such-job' } }))
  out.push(await admin('grantSet self operator --commands', { grantSet: { peerId: self, role: 'operator', commands: true } }))
  out.push(await admin('auditList', { auditList: { limit: 1, before: '' } }))
  out.push(await admin('configList', { configList: {} }))
  out.push(await admin('configSet (stream per call)', { configSet: { key: PROBE_KEY, value: self } }, true))

  out.push(await internal('toLeader configSet', { toLeader: { request: AdminRequest.encode({ configSet: { key: PROBE_KEY, value: self } }), caller: '' } }))
  out.push(await internal('registerJobs forged', { registerJobs: { jobs: [{ id: `probe-forged-${Date.now()}`, home: self, createdAt: Date.now(), state: 'running', replicas: [], epoch: 0 }] } }))
  out.push(await internal('toLeader configSet (stream per call)', { toLeader: { request: AdminRequest.encode({ configSet: { key: PROBE_KEY, value: self } }), caller: '' } }, true))

  out.push(await raft(host, node, 'vote request at a huge term', { type: 'vote', from: self, to, term: HUGE_TERM, lastLogIndex: HUGE_TERM, lastLogTerm: HUGE_TERM, transfer: false }, timeoutMs))
  out.push(await raft(host, node, 'leader heartbeat at a huge term', { type: 'heartbeat', from: self, to, term: HUGE_TERM, commit: 0 }, timeoutMs))

  const jobId = `probe-forged-${Date.now()}`
  out.push(await work(host, node, 'steal', workRequest('steal', { capabilities: ['cmd'], want: 100 }), timeoutMs))
  out.push(await work(host, node, 'deliver forged task', workRequest('deliver', {
    batches: [{ jobId, batchId: `${self}:1.1`, tasks: [{ id: `${jobId}/0`, jobId, type: 'echo', payload: new TextEncoder().encode('{}'), requires: [], maxAttempts: 1, attempts: 0, timeoutMs: 0, priority: 0, home: self, failures: [] }] }]
  }), timeoutMs))
  // A result for the job given (a real one, as a forger would aim at), else a made-up one.
  const resultJob = job ?? jobId
  out.push(await work(host, node, 'results forged', workRequest('results', {
    results: [{ jobId: resultJob, taskId: `${resultJob}/0`, ok: true, result: new TextEncoder().encode('"forged"'), error: '', spawned: 0, attempts: 1, finishedAtMs: BigInt(Date.now()), cancelled: false, failures: [] }]
  }), timeoutMs))

  // A node that let a stranger in has written the probe's key; leave nothing behind.
  if (out.some(a => a.attempt.includes('configSet') && a.outcome === 'accepted')) {
    await callWith(host, node, { configDelete: { key: PROBE_KEY } }, { ...ADMIN_CALL, timeoutMs }).catch(() => {})
  }
}

/** One request/response call, classified by the code it answered with. */
async function rpc (protocol: string, attempt: string, fn: () => Promise<{ code: string, error: string, detail?: string }>): Promise<Attempt> {
  try {
    const res = await fn()
    if (res.code === '') return { protocol, attempt, outcome: 'accepted', ...(res.detail != null ? { detail: res.detail } : {}) }
    return { protocol, attempt, outcome: REFUSAL_CODES.has(res.code) ? 'refused' : 'error', code: res.code, error: res.error }
  } catch (err) {
    return { protocol, attempt, outcome: 'error', error: errorMessage(err) }
  }
}

/**
 * Raft streams carry frames one way and nothing answers on them, so a refusal is the node
 * resetting the stream; one it keeps open for `timeoutMs` took the frame.
 */
async function raft (host: Libp2p, node: PeerId, attempt: string, msg: Message, timeoutMs: number): Promise<Attempt> {
  return await watchStream(host, node, RAFT_PROTOCOL, attempt, timeoutMs, async (stream, signal) => {
    const pb = pbStream(stream, { maxDataLength: MAX_RAFT_FRAME_BYTES })
    await pb.write(toWire(msg), RaftMessage, { signal })
    await pb.read(RaftMessage, { signal })
    return 'the node answered on a one-way raft stream'
  })
}

/** A work request on its own stream: the node answers it, or resets the stream. */
async function work (host: Libp2p, node: PeerId, attempt: string, request: ReturnType<typeof workRequest>, timeoutMs: number): Promise<Attempt> {
  return await watchStream(host, node, WORK_PROTOCOL, attempt, timeoutMs, async (stream, signal) => {
    const pb = pbStream(stream, { maxDataLength: MAX_WORK_FRAME_BYTES })
    await pb.write({ id: 1n, request }, WorkFrame, { signal })
    const res = (await pb.read(WorkFrame, { signal })).response
    return `answered ok=${String(res?.ok)} accepted=${res?.accepted ?? 0} batches=${res?.batches.length ?? 0}${res?.error != null && res.error !== '' ? ` error=${res.error}` : ''}`
  })
}

async function watchStream (host: Libp2p, node: PeerId, protocol: string, attempt: string, timeoutMs: number, exchange: (stream: Stream, signal: AbortSignal) => Promise<string>): Promise<Attempt> {
  let stream: Stream
  try {
    stream = await host.dialProtocol(node, protocol, { signal: AbortSignal.timeout(timeoutMs) })
  } catch (err) {
    return { protocol, attempt, outcome: 'error', error: `cannot open a stream: ${errorMessage(err)}` }
  }
  const { signal, clear } = deadline(timeoutMs)
  try {
    const detail = await exchange(stream, signal)
    return { protocol, attempt, outcome: 'accepted', detail }
  } catch (err) {
    if (signal.aborted) return { protocol, attempt, outcome: 'accepted', detail: `the node kept the stream open for ${timeoutMs} ms without refusing it` }
    return { protocol, attempt, outcome: 'refused', error: errorMessage(err) }
  } finally {
    clear()
    stream.abort(new Error('probe done'))
  }
}

async function main (argv: string[]): Promise<number> {
  const program = new Command('probe-access')
    .description('try every meshnode protocol against one node as a non-member and print what each attempt got (JSON)')
    .argument('<multiaddr>', 'the node to probe, e.g. /ip4/10.0.0.5/tcp/7420')
    .option('--key <file>', 'act as this client key (meshnode keygen --client); default: a throwaway identity')
    .option('--mesh-key <file>', 'connect through this mesh key (repeatable: the first is used)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--job <id>', 'a real job id to try to cancel and forge a result for')
    .option('--timeout-ms <ms>', 'per attempt; also how long a raft or work stream is watched for a refusal', String(DEFAULT_TIMEOUT_MS))
    .addHelpText('after', '\nExit 0 whenever a report is printed. "notRefused" lists the guarded attempts the node did not refuse: empty for a stranger.')
    .exitOverride()
    .showHelpAfterError(true)
  try {
    program.parse(argv, { from: 'user' })
  } catch (err) {
    return err instanceof CommanderError && (err.code === 'commander.helpDisplayed' || err.code === 'commander.help') ? 0 : 2
  }
  const opts = program.opts<{ key?: string, meshKey?: string[], job?: string, timeoutMs: string }>()
  const timeoutMs = Number(opts.timeoutMs)
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
    console.error(`probe-access: --timeout-ms must be a positive whole number, not "${opts.timeoutMs}"`)
    return 2
  }
  try {
    multiaddr(program.args[0]!)
  } catch (err) {
    console.error(`probe-access: ${program.args[0]} is not a multiaddr (${errorMessage(err)})`)
    return 2
  }
  try {
    const report = await probe(program.args[0]!, { ...(opts.key != null ? { key: opts.key } : {}), ...(opts.meshKey != null ? { meshKeys: opts.meshKey } : {}), ...(opts.job != null ? { job: opts.job } : {}), timeoutMs })
    console.log(JSON.stringify(report, null, 2))
  } catch (err) {
    // A key file that cannot be read: still a report, so a script reading stdout sees why.
    console.log(JSON.stringify({ target: program.args[0], error: errorMessage(err) }, null, 2))
  }
  return 0
}

// Run as a script only: tests may import probe() without exiting.
if (process.argv[1] != null && import.meta.url === pathToFileURL(process.argv[1]).href) process.exit(await main(process.argv.slice(2)))
