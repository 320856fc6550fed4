// Serves /meshnode/admin/2.0.0: one typed command per stream, and /meshnode/admin-channel/1.0.0:
// many on one stream (src/node/transport/channel.ts); both dispatch through the command table
// (admin-commands.ts). Every command is authorized first: the caller is the
// connection's authenticated peer id, and it must hold the right the table says the command
// needs (src/node/access/policy.ts); a refusal is FORBIDDEN, recorded in the audit log, and
// changes nothing. Reads answer from this node; a write that reaches a follower is
// forwarded to the leader over the internal protocol, once, so a client may ask any node.
// Every failure goes back with its code unchanged. Before any of that, a caller other than the
// local operator is held to a request rate per key (granted or anonymous): over it the answer
// is RATE_LIMITED and nothing runs.
import { ADMIN_ANONYMOUS_RATE, ADMIN_CHANNEL_PROTOCOL, ADMIN_GRANTED_RATE, ADMIN_MAX_STREAMS, ADMIN_PROTOCOL, CHANNEL_MAX_STREAMS, ADMIN_TIMEOUT_MS, MAX_ADMIN_REQUEST_BYTES } from '../../wire/constants.js'
import { AdminRequest, AdminResponse, type DrainStatus } from '../../wire/proto/admin.js'
import { AdminResponseWire } from '../../wire/admin-codec.js'
import { CodedError } from '../../errors.js'
import { ADMIN_COMMANDS, commandOf, type AdminContext, type CommandTable, type IncidentSource } from './admin-commands.js'
import type { ConsensusService } from './consensus.js'
import { countReject, type Metrics } from '../metrics.js'
import { MeshError, errorMessage, isMeshError } from '../errors.js'
import type { Host } from '../transport/host.js'
import type { Logger } from '../log.js'
import { serveOnce } from '../transport/rpc.js'
import { serveChannel } from '../transport/channel.js'
import { fetchHistory, forwardCommand } from './internal.js'
import type { LatencyHistory } from '../observe/history.js'
import type { StatsSources } from '../observe/stats.js'
import type { IncidentLog } from '../observe/incident-log.js'
import type { WorkService } from './work.js'
import type { Membership } from './membership.js'
import { check, principalOf, type AccessView, type Principal } from '../access/policy.js'
import type { AuditLog } from '../access/audit.js'
import type { SubmitQuota } from '../access/quota.js'
import { RateGuard } from '../transport/limits.js'

export function failure (code: string, error: string, leader = ''): AdminResponse {
  return { code, error, leader }
}

/**
 * Run one request through the table. Never throws: every failure is a response with a code,
 * the thrown error's own when it has one.
 */
export async function dispatch (req: AdminRequest, ctx: AdminContext, table: CommandTable = ADMIN_COMMANDS): Promise<AdminResponse> {
  const name = commandOf(req)
  if (name == null) return failure('BAD_REQUEST', 'the request carries no command this node knows: an empty request, or a client newer than this node (upgrade the node)')
  const cmd = table[name]
  try {
    // A forwarded command was authorized by the member that forwarded it.
    if (cmd.needs !== 'none' && !ctx.forwarded) check(ctx.caller, cmd.needs, cmd.what)
    const result = await cmd.handler(req[name] as never, ctx)
    return { code: '', error: '', leader: ctx.consensus.status()?.leader ?? '', [name]: result }
  } catch (err) {
    if (cmd.kind === 'write' && !ctx.forwarded && isMeshError(err, 'NOT_LEADER') && err.leader != null) {
      try {
        return await ctx.forward(err.leader, 'leader', req, ctx.caller.peerId)
      } catch (e) {
        return failure('NOT_LEADER', `not leader (leader is ${err.leader}), and forwarding failed: ${errorMessage(e)}`, err.leader)
      }
    }
    const code = err instanceof CodedError ? err.code : 'INTERNAL'
    return failure(code, errorMessage(err), isMeshError(err) ? err.leader ?? '' : '')
  }
}

/** What the admin service uses of the node. */
export interface AdminComponents {
  host: Host
  log: Logger
  metrics: Metrics
  consensus: ConsensusService
  /** The membership table (names, addresses, liveness) for raft list-peers. */
  membership?: Membership
  /** This node's configuration: its name, for listings. */
  config?: { name: string }
  work?: WorkService
  access: AccessView
  audit: AuditLog
  quota: SubmitQuota
  /** This node's latency history (statsGet gathers every member's). */
  history?: LatencyHistory
  /** This node's incident log (incidentsList, incidentGet). */
  incidents?: Pick<IncidentLog, 'list' | 'get'>
  /** The clock the rate limits read; default Date.now. */
  now?: () => number
}

/** What a request acts on, for the audit log: a key, a job id or a peer id. */
function targetOf (req: AdminRequest): string {
  const p = Object.values(req).find(v => v != null) as { key?: string, id?: string, peerId?: string } | undefined
  return p?.key ?? p?.id ?? p?.peerId ?? ''
}

/** Refusals worth an audit record: someone tried something they may not do. */
const AUDITED_REFUSALS = new Set(['FORBIDDEN', 'TOO_MANY_PENDING'])

export class AdminService {
  /** The work layer; job commands answer STARTING while there is none. */
  private readonly work?: WorkService

  private readonly host: Host
  private readonly log: Logger
  private readonly metrics: Metrics
  private readonly consensus: ConsensusService
  private readonly membership?: Membership
  private readonly selfName?: string
  private readonly access: AccessView
  private readonly audit: AuditLog
  private readonly quota: SubmitQuota
  /** The node's drain (MeshNode sets it once the node exists); nodeDrain answers STARTING until then. */
  drainer?: (deadlineMs: number) => DrainStatus
  /** Per-key request rates: a granted key's, and a tighter one for keys with no grant. */
  private readonly limits: { granted: RateGuard, none: RateGuard }
  private readonly stats?: StatsSources
  private readonly incidents?: IncidentSource

  constructor (components: AdminComponents) {
    ({ host: this.host, log: this.log, metrics: this.metrics, consensus: this.consensus, membership: this.membership, work: this.work, access: this.access, audit: this.audit, quota: this.quota } = components)
    this.selfName = components.config?.name
    const now = components.now ?? Date.now
    this.limits = {
      granted: new RateGuard(ADMIN_GRANTED_RATE, ADMIN_PROTOCOL, this.metrics, this.log, now),
      none: new RateGuard(ADMIN_ANONYMOUS_RATE, ADMIN_PROTOCOL, this.metrics, this.log, now)
    }
    const history = components.history
    if (history != null) {
      const consensus = this.consensus
      this.stats = {
        self: this.host.peerId.toString(),
        members: () => {
          const conf = consensus.status()?.conf
          return conf == null ? [] : [...conf.voters, ...conf.learners]
        },
        local: (from, at) => history.snapshot(from, at),
        fetch: async (peer, from) => {
          if (consensus.control.dead.has(peer)) throw new MeshError('UNREACHABLE', 'declared dead by the mesh')
          return await fetchHistory(this.host, peer, from)
        },
        retentionMinutes: history.retentionMinutes,
        now: Date.now
      }
    }
    const incidents = components.incidents
    if (incidents != null) {
      const consensus = this.consensus
      const self = this.host.peerId.toString()
      this.incidents = {
        list: (since, limit) => incidents.list(since, limit),
        get: id => incidents.get(id),
        peers: () => {
          const conf = consensus.status()?.conf
          return conf == null ? [] : [...conf.voters, ...conf.learners].filter(p => p !== self && !consensus.control.dead.has(p))
        }
      }
    }
  }

  async start (): Promise<void> {
    // The commands, many at once on one stream (a call channel). The caller's rights are read
    // for each request, not once per stream: a grant changed while the channel is open applies
    // at once. The channel first: a caller that finds the per-call protocol here finds the
    // channel too (one that asked between the two would call the old way for a minute).
    await this.host.handle(ADMIN_CHANNEL_PROTOCOL, ({ stream, connection }) => {
      const caller = connection.remotePeer.toString()
      serveChannel(stream, { request: AdminRequest, response: AdminResponseWire, maxRequestBytes: MAX_ADMIN_REQUEST_BYTES, connection }, async req => await this.handle(req, principalOf(caller, this.access)), () => { this.metrics.rpcServed.inc() })
        .catch((err: any) => {
          this.metrics.rpcRejected.inc()
          countReject(this.metrics, 'admin', 'failed')
          this.log.debug({ err: err?.message, protocol: ADMIN_CHANNEL_PROTOCOL }, 'admin channel rejected')
        })
    }, { maxInboundStreams: CHANNEL_MAX_STREAMS, maxOutboundStreams: CHANNEL_MAX_STREAMS })
    await this.host.handle(ADMIN_PROTOCOL, ({ stream, connection }) => {
      const caller = connection.remotePeer.toString()
      serveOnce(stream, { request: AdminRequest, response: AdminResponseWire, maxRequestBytes: MAX_ADMIN_REQUEST_BYTES, timeoutMs: ADMIN_TIMEOUT_MS }, async req => await this.handle(req, principalOf(caller, this.access)))
        .then(() => { this.metrics.rpcServed.inc() }, (err: any) => {
          this.metrics.rpcRejected.inc()
          countReject(this.metrics, 'admin', 'failed')
          this.log.debug({ err: err?.message, protocol: ADMIN_PROTOCOL }, 'admin request rejected')
        })
    }, { maxInboundStreams: ADMIN_MAX_STREAMS, maxOutboundStreams: ADMIN_MAX_STREAMS })
  }

  async stop (): Promise<void> {
    await this.host.unhandle(ADMIN_PROTOCOL)
    await this.host.unhandle(ADMIN_CHANNEL_PROTOCOL)
  }

  /**
   * A request from `caller`, or (`forwarded`) one another member sent over the internal
   * protocol after authorizing its client itself.
   */
  async handle (req: AdminRequest, caller: Principal, forwarded = false): Promise<AdminResponse> {
    // A forwarded request was counted against its client where it came in; the local operator
    // owns the node and is never limited (benchmarks pipeline through it).
    if (!forwarded && caller.kind !== 'local' && !this.limits[caller.kind].admit(caller.peerId)) {
      return failure('RATE_LIMITED', `${caller.peerId} sent more admin requests than this node accepts from one key ` +
        `(${caller.kind === 'granted' ? ADMIN_GRANTED_RATE.ratePerSec : ADMIN_ANONYMOUS_RATE.ratePerSec} a second); slow down and retry in a moment`)
    }
    const res = await dispatch(req, this.context(caller, forwarded))
    if (!forwarded && AUDITED_REFUSALS.has(res.code)) {
      this.metrics.adminForbidden.inc()
      countReject(this.metrics, 'admin', 'forbidden')
      this.log.info({ caller: caller.peerId, command: commandOf(req), code: res.code }, 'admin command refused')
      await this.audit.local({ at: Date.now(), who: caller.peerId, action: commandOf(req) ?? 'unknown', target: targetOf(req), outcome: res.code, detail: res.error.replace(/ \(an operator can run:.*$/, '').slice(0, 512) })
        .catch((err: unknown) => { this.log.warn({ err: errorMessage(err) }, 'cannot write the audit log') })
    }
    return res
  }

  private context (caller: Principal, forwarded: boolean): AdminContext {
    const consensus = this.consensus
    return {
      self: this.host.peerId.toString(),
      consensus: {
        propose: async cmd => await consensus.propose(cmd),
        // A snapshot install replaces the control state: read it when asked.
        get control () { return consensus.control },
        status: () => consensus.status(),
        removeMember: async peerId => await consensus.removeMember(peerId),
        transferLeadership: async () => await consensus.transferLeadership(2_000)
      },
      ...(this.membership != null ? { peers: () => this.membership!.view() } : {}),
      ...(this.selfName != null ? { selfName: this.selfName } : {}),
      engine: () => this.work?.engine,
      forward: async (to, via, req, onBehalfOf) => await forwardCommand(this.host, to, via, req, onBehalfOf),
      forwarded,
      caller,
      now: Date.now,
      audit: this.audit,
      quota: this.quota,
      ...(this.drainer != null ? { drain: this.drainer } : {}),
      ...(this.stats != null ? { stats: this.stats } : {}),
      ...(this.incidents != null ? { incidents: this.incidents } : {}),
      incarnation: () => this.consensus.currentIncarnation
    }
  }
}
