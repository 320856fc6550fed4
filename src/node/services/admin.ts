// Serves /meshnode/admin/2.0.0: one typed command per stream, dispatched through the command
// table (admin-commands.ts). Reads answer from this node; a write that reaches a follower is
// forwarded to the leader over the internal protocol, once, so a client may ask any node.
// Every failure goes back with its code unchanged.
import { ADMIN_PROTOCOL, ADMIN_TIMEOUT_MS, MAX_ADMIN_REQUEST_BYTES } from '../../wire/constants.js'
import { AdminRequest, AdminResponse } from '../../wire/proto/admin.js'
import { CodedError } from '../../errors.js'
import { ADMIN_COMMANDS, commandOf, type AdminContext, type CommandTable } from './admin-commands.js'
import type { ConsensusService } from './consensus.js'
import type { Metrics } from '../metrics.js'
import { errorMessage, isMeshError } from '../errors.js'
import type { Host } from '../transport/host.js'
import type { Logger } from '../log.js'
import { serveOnce } from '../transport/rpc.js'
import { forwardCommand } from './internal.js'
import type { WorkService } from './work.js'

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
    const result = await cmd.handler(req[name] as never, ctx)
    return { code: '', error: '', leader: ctx.consensus.status()?.leader ?? '', [name]: result }
  } catch (err) {
    if (cmd.kind === 'write' && !ctx.forwarded && isMeshError(err, 'NOT_LEADER') && err.leader != null) {
      try {
        return await ctx.forward(err.leader, 'leader', req)
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
  work?: WorkService
}

export class AdminService {
  /** The work layer; job commands answer STARTING while there is none. */
  private readonly work?: WorkService

  private readonly host: Host
  private readonly log: Logger
  private readonly metrics: Metrics
  private readonly consensus: ConsensusService

  constructor (components: AdminComponents) {
    ({ host: this.host, log: this.log, metrics: this.metrics, consensus: this.consensus, work: this.work } = components)
  }

  async start (): Promise<void> {
    await this.host.handle(ADMIN_PROTOCOL, ({ stream }) => {
      serveOnce(stream, { request: AdminRequest, response: AdminResponse, maxRequestBytes: MAX_ADMIN_REQUEST_BYTES, timeoutMs: ADMIN_TIMEOUT_MS }, async req => await this.handle(req))
        .then(() => { this.metrics.rpcServed.inc() }, (err: any) => {
          this.metrics.rpcRejected.inc()
          this.log.debug({ err: err?.message, protocol: ADMIN_PROTOCOL }, 'admin request rejected')
        })
    // Clients pipeline many writes over one connection; each waits for a commit.
    }, { maxInboundStreams: 256, maxOutboundStreams: 256 })
  }

  async stop (): Promise<void> {
    await this.host.unhandle(ADMIN_PROTOCOL)
  }

  /** A request from a client, or (`forwarded`) one another member sent over the internal protocol. */
  async handle (req: AdminRequest, forwarded = false): Promise<AdminResponse> {
    return await dispatch(req, this.context(forwarded))
  }

  private context (forwarded: boolean): AdminContext {
    return {
      self: this.host.peerId.toString(),
      consensus: this.consensus,
      engine: () => this.work?.engine,
      forward: async (to, via, req) => await forwardCommand(this.host, to, via, req),
      forwarded
    }
  }
}
