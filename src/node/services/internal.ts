// Serves /meshnode/internal/1.0.0: what nodes ask each other on a client's behalf — a write
// forwarded to the leader, a batch of job registrations for the leader to propose, a job
// read forwarded to the job's home, a voter's death opinions for the leader's tally
// (src/healing/death-quorum.ts), this node's latency history for the mesh's stats
// (src/node/observe/stats.ts). Only members may use it: the caller is the connection's
// authenticated peer id, and it must be a voter or learner of this node's committed
// configuration. Anyone else is refused with NOT_A_MEMBER, counted in rpc_rejected_total,
// and nothing happens. A node not yet in a cluster has no members and refuses everyone.
// Every peer, member or not, is held to INTERNAL_RATE first: over it the answer is
// RATE_LIMITED and nothing runs (the forwarding member passes the code on to its client).
import { peerIdFromString } from '@libp2p/peer-id'
import { MAX_JOBS_PER_PUT, MAX_REPLICAS, decodeCommand, type JobEntry, type JobRegistryState } from '../../consensus/control.js'
import { CodedError } from '../../errors.js'
import { HISTORY_CALL, INTERNAL_CALL } from '../../wire/calls.js'
import { CHANNEL_MAX_STREAMS, INTERNAL_CHANNEL_PROTOCOL, INTERNAL_MAX_STREAMS, INTERNAL_PROTOCOL, INTERNAL_RATE, INTERNAL_TIMEOUT_MS, MAX_INTERNAL_FRAME_BYTES } from '../../wire/constants.js'
import { AdminRequest, type AdminResponse } from '../../wire/proto/admin.js'
import { AdminResponseWire } from '../../wire/admin-codec.js'
import { InternalRequest, InternalResponse, type ForwardedCommand, type History, type JobRegistration } from '../../wire/proto/internal.js'
import { historyFromWire } from '../observe/stats.js'
import type { HistorySnapshot } from '../observe/history.js'
import type { Opinion } from '../../healing/death-quorum.js'
import { ADMIN_COMMANDS, commandOf } from './admin-commands.js'
import { countReject, type Metrics } from '../metrics.js'
import { MeshError, errorMessage } from '../errors.js'
import type { Host } from '../transport/host.js'
import type { Logger } from '../log.js'
import { callWith, serveOnce } from '../transport/rpc.js'
import { serveChannel } from '../transport/channel.js'
import { RateGuard } from '../transport/limits.js'
import type { Standing } from './consensus.js'

const REGISTRY_STATES = new Set<string>(['running', 'completed', 'failed', 'cancelled'])

export interface InternalDeps {
  /** The committed configuration, or undefined while this node is in no cluster. */
  membershipOf: (peer: string) => Standing
  /** Run a forwarded admin command here for `caller`, marked as forwarded (never forwarded again). */
  admin: (req: AdminRequest, caller: string) => Promise<AdminResponse>
  /**
   * Propose registrations as they are (on the leader); throws a coded error if it cannot.
   * `encoded`: the batch's jobs.put as it came, validated, proposed without encoding it again.
   */
  register: (jobs: Array<[string, JobEntry]>, encoded?: Uint8Array) => Promise<void>
  /**
   * A member's whole opinion set for the leader's death tally, and its own incarnation if it
   * claims to be alive in a newer life than its committed death (0 otherwise); throws
   * NOT_LEADER elsewhere.
   */
  deathOpinions: (from: string, opinions: Opinion[], aliveIncarnation: number) => void
  /** This node's latency history from `from` (ms since the epoch), in its wire form, size-capped. */
  history?: (from: number) => History
}

/** At most this many opinions in one set: a mesh has far fewer members. */
const MAX_OPINIONS = 1_000

/** What the internal protocol's service uses of the node. */
export interface InternalComponents {
  host: Host
  log: Logger
  metrics: Metrics
  /** The clock the rate limit reads; default Date.now. */
  now?: () => number
}

export class InternalService {
  private readonly host: Host
  private readonly log: Logger
  private readonly metrics: Metrics
  private readonly guard: RateGuard

  constructor (components: InternalComponents, private readonly deps: InternalDeps) {
    ({ host: this.host, log: this.log, metrics: this.metrics } = components)
    this.guard = new RateGuard(INTERNAL_RATE, INTERNAL_PROTOCOL, this.metrics, this.log, components.now)
  }

  async start (): Promise<void> {
    // The requests, many at once on one stream (a call channel: a follower's forwarded writes
    // and registration batches). Membership and the rate are checked per request, in handle().
    // The channel first: a caller that finds the per-call protocol here finds the channel too
    // (one that asked between the two would call the old way for a minute).
    await this.host.handle(INTERNAL_CHANNEL_PROTOCOL, ({ stream, connection }) => {
      const from = connection.remotePeer.toString()
      serveChannel(stream, { request: InternalRequest, response: InternalResponse, maxRequestBytes: MAX_INTERNAL_FRAME_BYTES, connection }, async req => await this.handle(from, req), res => {
        if (res.code !== 'NOT_A_MEMBER' && res.code !== 'RATE_LIMITED') this.metrics.rpcServed.inc()
      }).catch((err: any) => {
        this.metrics.rpcRejected.inc()
        countReject(this.metrics, 'internal', 'failed')
        this.log.debug({ err: err?.message, protocol: INTERNAL_CHANNEL_PROTOCOL, from }, 'internal channel rejected')
      })
    }, { maxInboundStreams: CHANNEL_MAX_STREAMS, maxOutboundStreams: CHANNEL_MAX_STREAMS })
    await this.host.handle(INTERNAL_PROTOCOL, ({ stream, connection }) => {
      const from = connection.remotePeer.toString()
      let refused = false
      serveOnce(stream, { request: InternalRequest, response: InternalResponse, maxRequestBytes: MAX_INTERNAL_FRAME_BYTES, timeoutMs: INTERNAL_TIMEOUT_MS }, async req => {
        const res = await this.handle(from, req)
        refused = res.code === 'NOT_A_MEMBER' || res.code === 'RATE_LIMITED'
        return res
      }).then(() => { if (!refused) this.metrics.rpcServed.inc() }, (err: any) => {
        this.metrics.rpcRejected.inc()
        countReject(this.metrics, 'internal', 'failed')
        this.log.debug({ err: err?.message, protocol: INTERNAL_PROTOCOL, from }, 'internal request rejected')
      })
    }, { maxInboundStreams: INTERNAL_MAX_STREAMS, maxOutboundStreams: INTERNAL_MAX_STREAMS })
  }

  async stop (): Promise<void> {
    await this.host.unhandle(INTERNAL_PROTOCOL)
    await this.host.unhandle(INTERNAL_CHANNEL_PROTOCOL)
  }

  /** Answer one request from `from` (the connection's authenticated peer id). */
  async handle (from: string, req: InternalRequest): Promise<InternalResponse> {
    if (!this.guard.admit(from)) {
      return answer('RATE_LIMITED', `${from} sent more internal requests than this node accepts from one peer (${INTERNAL_RATE.ratePerSec} a second); retry in a moment`)
    }
    const standing = this.deps.membershipOf(from)
    if (standing !== 'member') {
      this.metrics.rpcRejected.inc()
      this.metrics.strangersRefused.inc()
      countReject(this.metrics, 'internal', 'stranger')
      this.log.debug({ from, protocol: INTERNAL_PROTOCOL }, 'internal request from a non-member refused')
      return answer('NOT_A_MEMBER', standing === 'no-cluster'
        ? 'this node is not part of a cluster yet, so it serves no internal requests'
        : `${from} is not a member of this cluster; the internal protocol is for member nodes (clients use the admin protocol)`)
    }
    this.metrics.traffic.receive(internalKind(req))
    try {
      if (req.toLeader != null) return await this.forwarded(from, req.toLeader, 'write')
      if (req.toHome != null) return await this.forwarded(from, req.toHome, 'read')
      if (req.registerJobs != null) {
        const reg = req.registerJobs
        if (reg.command != null && reg.command.byteLength > 0) await this.deps.register(compactRegistrations(reg.command), reg.command)
        else await this.deps.register(registrations(reg.jobs))
        return answer('', '') // registered
      }
      if (req.deathOpinions != null) {
        this.deps.deathOpinions(from, opinions(req.deathOpinions.opinions), req.deathOpinions.aliveIncarnation)
        return answer('', '')
      }
      if (req.history != null) {
        if (this.deps.history == null) return answer('STARTING', 'this node keeps no latency history yet')
        return { ...answer('', ''), history: this.deps.history(req.history.from) }
      }
      return answer('BAD_REQUEST', 'the request carries nothing this node knows (a newer node? upgrade this one)')
    } catch (err) {
      return answer(err instanceof CodedError ? err.code : 'INTERNAL', errorMessage(err), (err as any)?.leader ?? '')
    }
  }

  /** A forwarded admin command: only writes go to the leader, only reads to a job's home. */
  private async forwarded (from: string, fwd: ForwardedCommand, kind: 'read' | 'write'): Promise<InternalResponse> {
    let req: AdminRequest
    try {
      req = AdminRequest.decode(fwd.request)
    } catch (err) {
      return answer('BAD_REQUEST', `the forwarded command is not a valid AdminRequest: ${errorMessage(err)}`)
    }
    const name = commandOf(req)
    if (name == null || ADMIN_COMMANDS[name].kind !== kind) return answer('BAD_REQUEST', `only ${kind} commands are forwarded this way`)
    // The member authorized its client; the client's id is kept for the audit log.
    const res = await this.deps.admin(req, fwd.caller !== '' ? fwd.caller : from)
    return { code: '', error: '', leader: '', response: AdminResponseWire.encode(res) }
  }
}

/** Ask member `to` to run an admin command; resolves with its answer, code and all, unchanged. */
export async function forwardCommand (host: Host, to: string, via: 'leader' | 'home', req: AdminRequest, caller: string): Promise<AdminResponse> {
  const fwd = { request: AdminRequest.encode(req), caller }
  const res = await callWith(host, peerIdFromString(to), via === 'leader' ? { toLeader: fwd } : { toHome: fwd }, INTERNAL_CALL)
  if (res.code !== '') return { code: res.code, error: res.error, leader: res.leader }
  return AdminResponseWire.decode(res.response)
}

/** Ask member `to` for its latency history from `from`; rejects if it refuses or does not answer in HISTORY_TIMEOUT_MS. */
export async function fetchHistory (host: Host, to: string, from: number): Promise<HistorySnapshot> {
  const res = await callWith(host, peerIdFromString(to), { history: { from } }, HISTORY_CALL)
  if (res.code !== '') throw new MeshError(res.code as MeshError['code'], res.error)
  if (res.history == null) throw new MeshError('INTERNAL', 'the answer carried no history')
  return historyFromWire(res.history)
}

/** Send a batch of registrations (a jobs.put, encoded) to the leader; throws with the leader's code if it refuses. */
export async function registerAt (host: Host, leader: string, command: Uint8Array): Promise<InternalResponse> {
  return await callWith(host, peerIdFromString(leader), {
    registerJobs: { jobs: [], command }
  }, INTERNAL_CALL)
}

/** Send this voter's whole death-opinion set to the leader; throws if it cannot be delivered. */
export async function sendDeathOpinions (host: Host, leader: string, set: readonly Opinion[], aliveIncarnation = 0): Promise<InternalResponse> {
  return await callWith(host, peerIdFromString(leader), {
    deathOpinions: { opinions: set.map(o => ({ peerId: o.peerId, incarnation: o.incarnation, reason: o.reason })), aliveIncarnation }
  }, INTERNAL_CALL)
}

function opinions (list: Array<{ peerId: string, incarnation: number, reason: string }>): Opinion[] {
  if (list.length > MAX_OPINIONS) throw new MeshError('BAD_REQUEST', `an opinion set holds at most ${MAX_OPINIONS} peers, not ${list.length}`)
  return list.map(o => {
    if (o.peerId === '' || !Number.isSafeInteger(o.incarnation) || o.incarnation < 0) throw new MeshError('BAD_REQUEST', 'a death opinion needs a peer id and a whole-number incarnation')
    return { peerId: o.peerId, incarnation: o.incarnation, reason: o.reason.slice(0, 200) }
  })
}

/** A forwarded batch in the compact form: a jobs.put command, validated as the log validates it. */
function compactRegistrations (command: Uint8Array): Array<[string, JobEntry]> {
  let cmd
  try {
    cmd = decodeCommand(command)
  } catch (err) {
    throw new MeshError('BAD_REQUEST', `registration batch: ${errorMessage(err)}`)
  }
  // Only registrations, and nothing attributed to a client: the forwarding member speaks for itself.
  if (cmd.op !== 'jobs.put' || cmd.by !== undefined || cmd.at !== undefined) throw new MeshError('BAD_REQUEST', `registration batch: a ${cmd.op} command is not a registration`)
  return cmd.jobs
}

function registrations (jobs: JobRegistration[]): Array<[string, JobEntry]> {
  if (jobs.length === 0 || jobs.length > MAX_JOBS_PER_PUT) throw new MeshError('BAD_REQUEST', `a registration batch holds 1 to ${MAX_JOBS_PER_PUT} jobs, not ${jobs.length}`)
  return jobs.map(j => {
    if (j.id === '' || j.home === '' || !REGISTRY_STATES.has(j.state)) throw new MeshError('BAD_REQUEST', `registration of "${j.id}" is incomplete or has an unknown state "${j.state}"`)
    if (j.replicas.length > MAX_REPLICAS) throw new MeshError('BAD_REQUEST', `registration of "${j.id}" names ${j.replicas.length} replica holders; at most ${MAX_REPLICAS}`)
    return [j.id, { home: j.home, createdAt: j.createdAt, state: j.state as JobRegistryState, ...(j.replicas.length > 0 ? { replicas: j.replicas } : {}), ...(j.epoch > 0 ? { epoch: j.epoch } : {}), ...(j.finishedAt != null ? { finishedAt: j.finishedAt } : {}), ...(j.keepMs != null ? { keepMs: j.keepMs } : {}) }]
  })
}

/** An internal request's name in the traffic counts (each is a stream of its own). */
function internalKind (req: InternalRequest): string {
  if (req.toLeader != null) return 'internal.toLeader'
  if (req.toHome != null) return 'internal.toHome'
  if (req.registerJobs != null) return 'internal.registerJobs'
  if (req.deathOpinions != null) return 'internal.deathOpinions'
  if (req.history != null) return 'internal.history'
  return 'internal.other'
}

function answer (code: string, error: string, leader = ''): InternalResponse {
  return { code, error, leader, response: new Uint8Array(0) }
}
