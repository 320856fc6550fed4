// Serves /meshnode/admin/1.0.0: cluster configuration reads and writes. Reads answer from
// this node's applied control state; writes are proposed through Raft on the leader. A
// follower forwards a write to the leader it knows, once, so a client may ask any node.
import { peerIdFromString } from '@libp2p/peer-id'
import type { ControlCommand } from '../../consensus/control.js'
import { ADMIN_PROTOCOL, ADMIN_TIMEOUT_MS, MAX_ADMIN_REQUEST_BYTES, MAX_ADMIN_RESPONSE_BYTES } from '../../wire/constants.js'
import { AdminRequest, AdminResponse } from '../../wire/proto/admin.js'
import type { ConsensusService } from './consensus.js'
import type { Counters } from '../counters.js'
import { isMeshError, errorMessage } from '../errors.js'
import type { Host } from '../transport/host.js'
import type { Logger } from '../log.js'
import { callWith, serveOnce } from '../transport/rpc.js'

const WRITES = new Set(['config.set', 'config.delete', 'job.cancel'])
const READS = new Set(['config.get', 'config.list'])
const JOB_OPS = new Set(['jobs.submit', 'job.get', 'jobs.list', 'jobs.register'])

export const ADMIN_CALL = {
  protocol: ADMIN_PROTOCOL,
  request: AdminRequest,
  response: AdminResponse,
  maxResponseBytes: MAX_ADMIN_RESPONSE_BYTES,
  timeoutMs: ADMIN_TIMEOUT_MS
}

function failure (code: string, error: string, leader = ''): AdminResponse {
  return { ok: false, code, error, leader, entries: [], version: 0n, json: '' }
}

export class AdminService {
  /** Set once the work layer exists; job operations answer through it. */
  jobs?: JobsAdmin

  constructor (
    private readonly host: Host,
    private readonly log: Logger,
    private readonly counters: Counters,
    private readonly consensus: ConsensusService
  ) {}

  async start (): Promise<void> {
    await this.host.handle(ADMIN_PROTOCOL, ({ stream }) => {
      serveOnce(stream, { request: AdminRequest, response: AdminResponse, maxRequestBytes: MAX_ADMIN_REQUEST_BYTES, timeoutMs: ADMIN_TIMEOUT_MS }, async req => await this.handle(req))
        .then(() => { this.counters.inc('rpc_served_total') }, (err: any) => {
          this.counters.inc('rpc_rejected_total')
          this.log.debug({ err: err?.message, protocol: ADMIN_PROTOCOL }, 'admin request rejected')
        })
    // Clients pipeline many writes over one connection; each waits for a commit.
    }, { maxInboundStreams: 256, maxOutboundStreams: 256 })
  }

  async stop (): Promise<void> {
    await this.host.unhandle(ADMIN_PROTOCOL)
  }

  async handle (req: AdminRequest): Promise<AdminResponse> {
    if (READS.has(req.op)) return this.read(req)
    if (JOB_OPS.has(req.op)) {
      if (this.jobs == null) return failure('STARTING', 'the node is still starting; retry in a moment')
      return await this.jobs.handle(req)
    }
    if (!WRITES.has(req.op)) return failure('BAD_REQUEST', `unknown admin operation "${req.op}"`)
    if (req.key === '') return failure('BAD_REQUEST', req.op === 'job.cancel' ? 'a job id is required' : 'a config key is required')
    const cmd: ControlCommand = req.op === 'config.set'
      ? { op: 'config.set', key: req.key, value: req.value, ...(req.expectVersion != null ? { expectVersion: Number(req.expectVersion) } : {}) }
      : req.op === 'job.cancel'
        ? { op: 'job.cancel', jobId: req.key }
        : { op: 'config.delete', key: req.key, ...(req.expectVersion != null ? { expectVersion: Number(req.expectVersion) } : {}) }
    try {
      const r = await this.consensus.propose(cmd)
      if (!r.ok) return failure(r.code, r.message)
      return { ok: true, code: '', error: '', leader: this.host.peerId.toString(), entries: [], version: BigInt(r.version ?? 0), json: '' }
    } catch (err) {
      if (isMeshError(err, 'NOT_LEADER') && err.leader != null && !req.forwarded) return await this.forward(req, err.leader)
      const code = isMeshError(err) ? err.code : 'INTERNAL'
      return failure(code, errorMessage(err), isMeshError(err) ? err.leader ?? '' : '')
    }
  }

  private read (req: AdminRequest): AdminResponse {
    const all = [...this.consensus.control.config.entries()]
      .filter(([k]) => req.op === 'config.list' || k === req.key)
      .sort(([a], [b]) => a < b ? -1 : 1)
      .map(([key, v]) => ({ key, value: v.value, version: BigInt(v.version) }))
    if (req.op === 'config.get' && all.length === 0) return failure('NOT_FOUND', `config key "${req.key}" is not set`)
    return { ok: true, code: '', error: '', leader: this.consensus.status()?.leader ?? '', entries: all, version: all[0]?.version ?? 0n, json: '' }
  }

  private async forward (req: AdminRequest, leader: string): Promise<AdminResponse> {
    try {
      return await callWith(this.host, peerIdFromString(leader), { ...req, forwarded: true }, ADMIN_CALL)
    } catch (err) {
      return failure('NOT_LEADER', `not leader (leader is ${leader}), and forwarding failed: ${errorMessage(err)}`, leader)
    }
  }
}

/** The job operations of the admin protocol (src/node/services/jobs-admin.ts). */
export interface JobsAdmin {
  handle: (req: AdminRequest) => Promise<AdminResponse>
}
