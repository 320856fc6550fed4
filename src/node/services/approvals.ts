// The approval gates' node service (src/workflow/approvals.ts; the records live in the control
// log, src/consensus/control.ts). Three jobs:
// - `request(req)`: a workflow's home asks for a gate. Proposed through the admin command table
//   as this node's operator (approvalPropose), so a follower's request is forwarded to the
//   leader like any write; retried with backoff, across leader changes, until the gate is in
//   the control state or the log refuses it for good (its job is over or unknown).
// - `onDecided(cb)`: every decided or cancelled gate, once per listener: those already decided
//   when it subscribes (a restarted home learns what it missed), then each as its entry
//   applies. Every node hears every gate: a job re-homed since it asked learns it too.
// - expiry: on the leader only, one timer at the earliest pending deadline proposes
//   `approval.decide` with `timeout: true` and what the gate said to do. It reads only the
//   replicated state and the clock, so a new leader picks up where the last one stopped, and a
//   gate expires even when the home that asked is dead. The deadline is the home's clock and
//   the check the leader's: a skew between them moves the expiry by as much.
// It also emits `approval.requested` / `approval.decided` events on every node, and (leader
// only, best effort, never blocking) POSTs a new gate to the `approvals.webhook` config URL.
import type { ControlCommand } from '../../consensus/control.js'
import type { AdminRequest, AdminResponse } from '../../wire/proto/admin.js'
import { TIMEOUT_DECIDER, expiredApprovals, nextDeadline, type ApprovalRecord, type ApprovalRequest } from '../../workflow/approvals.js'
import { errorMessage } from '../errors.js'
import type { Logger } from '../log.js'
import type { EventLog } from '../observe/events.js'
import type { ConsensusService } from './consensus.js'

export interface ApprovalsOptions {
  /** First retry of a request that could not be proposed (no leader, no quorum); doubles per try. */
  retryBaseMs: number
  retryMaxMs: number
  /** How long a request refused as NOT_FOUND is retried: the leader may not have applied the job's registration yet. */
  notFoundGraceMs: number
  /** Longest single wait of the expiry timer: it re-reads the state at least this often. */
  maxTimerMs: number
  /** After a failed expiry proposal (lost leadership, no quorum), the leader tries again this soon. */
  expiryRetryMs: number
  /** A webhook POST gives up after this long. */
  webhookTimeoutMs: number
}

export const defaultApprovalsOptions: ApprovalsOptions = {
  retryBaseMs: 200,
  // A gate waits for a person: seconds of delay in asking are nothing, a flood of retries is.
  retryMaxMs: 5_000,
  notFoundGraceMs: 5_000,
  maxTimerMs: 60_000,
  expiryRetryMs: 1_000,
  webhookTimeoutMs: 5_000
}

/** The config key holding the URL a new gate is POSTed to (optional). */
export const APPROVALS_WEBHOOK_KEY = 'approvals.webhook'

/** Refusals that no retry changes. NOT_FOUND is retried for notFoundGraceMs first. */
const FINAL_REFUSALS = new Set(['JOB_FINISHED', 'BAD_REQUEST', 'BAD_COMMAND', 'FORBIDDEN'])

export type ApprovalListener = (rec: ApprovalRecord) => void

/** What the work shell uses: ask for gates, hear their decisions, read them. */
export type Approvals = Pick<ApprovalService, 'request' | 'onDecided' | 'get' | 'list'>

export interface ApprovalsComponents {
  consensus: Pick<ConsensusService, 'status' | 'control' | 'propose' | 'onApplied' | 'onRoleChange'>
  log: Pick<Logger, 'info' | 'warn' | 'debug'>
  events?: Pick<EventLog, 'emit'>
  /** Runs an admin command as this node's operator (the dispatcher forwards writes to the leader). */
  admin: (req: AdminRequest) => Promise<AdminResponse>
  /** POSTs a JSON body; default: fetch. */
  post?: (url: string, body: string, signal: AbortSignal) => Promise<void>
  now?: () => number
}

export class ApprovalService {
  private readonly opts: ApprovalsOptions
  private readonly listeners = new Set<ApprovalListener>()
  /** Ids of decided gates told to the listeners (forgotten with their record). */
  private readonly delivered = new Set<string>()
  /** Requests being pushed to the log, by id. */
  private readonly requesting = new Set<string>()
  private readonly sleeps = new Set<{ timer: NodeJS.Timeout, resolve: () => void }>()
  private started = false
  private stopped = false
  /** The control state last read: a snapshot install replaces it, and its decisions never pass through onApplied. */
  private seen: unknown
  private expiryTimer?: NodeJS.Timeout
  private expiring = false
  private readonly now: () => number

  constructor (private readonly c: ApprovalsComponents, opts: Partial<ApprovalsOptions> = {}) {
    this.opts = { ...defaultApprovalsOptions, ...opts }
    this.now = c.now ?? Date.now
  }

  async start (): Promise<void> {
    this.started = true
    this.c.consensus.onApplied.push((cmd, index) => { if (!this.stopped) this.applied(cmd, index) })
    this.c.consensus.onRoleChange.push(() => { if (!this.stopped) this.schedule() })
    this.sync()
    this.schedule()
  }

  async stop (): Promise<void> {
    this.stopped = true
    clearTimeout(this.expiryTimer)
    for (const s of this.sleeps) {
      clearTimeout(s.timer)
      s.resolve()
    }
    this.sleeps.clear()
  }

  /**
   * Ask the mesh for a gate; returns at once. Idempotent: a gate already recorded (or being
   * asked for) is left as it is. The decision arrives through onDecided.
   */
  request (req: ApprovalRequest): void {
    if (this.stopped || this.requesting.has(req.id) || this.get(req.id) != null) return
    this.requesting.add(req.id)
    void this.push(req).finally(() => { this.requesting.delete(req.id) })
  }

  /**
   * Told of every decided (approved, rejected, cancelled) gate once: at once for those already
   * decided (once the service has started), then as each decision applies. Returns the unsubscribe.
   */
  onDecided (cb: ApprovalListener): () => void {
    this.listeners.add(cb)
    if (this.started) {
      for (const r of this.c.consensus.control.approvals()) if (r.state !== 'pending') this.tell(cb, r)
    }
    return () => { this.listeners.delete(cb) }
  }

  get (id: string): ApprovalRecord | undefined {
    return this.c.consensus.control.approval(id)
  }

  list (opts: { pending?: boolean, jobId?: string } = {}): ApprovalRecord[] {
    return this.c.consensus.control.approvals(opts)
  }

  /** The expiry pass, on the leader (exposed for tests): decides every gate past its deadline. */
  async expire (): Promise<void> {
    if (this.expiring || this.stopped) return
    this.expiring = true
    let retry = false
    try {
      for (const g of expiredApprovals(this.list({ pending: true }), this.now())) {
        if (this.stopped || this.c.consensus.status()?.role !== 'leader') return
        try {
          const r = await this.c.consensus.propose({ op: 'approval.decide', id: g.id, approved: g.onTimeout === 'approve', timeout: true, by: TIMEOUT_DECIDER, at: this.now() })
          // ALREADY_DECIDED: someone decided it while the proposal was on its way; fine.
          if (r.ok) this.c.log.info({ approval: g.id, outcome: g.onTimeout }, 'approval gate expired')
        } catch (err) {
          this.c.log.warn({ approval: g.id, err: errorMessage(err) }, 'could not commit an approval gate\'s expiry; will retry')
          retry = true
          break
        }
      }
    } finally {
      this.expiring = false
      this.schedule(retry ? this.opts.expiryRetryMs : undefined)
    }
  }

  /** Arms the expiry timer at the earliest pending deadline (leader only). */
  private schedule (inMs?: number): void {
    clearTimeout(this.expiryTimer)
    this.expiryTimer = undefined
    if (this.stopped || !this.started || this.expiring || this.c.consensus.status()?.role !== 'leader') return
    const next = nextDeadline(this.list({ pending: true }))
    if (next === undefined) return
    const delay = Math.min(Math.max(inMs ?? next - this.now(), 0), this.opts.maxTimerMs)
    this.expiryTimer = setTimeout(() => { void this.expire() }, delay)
    this.expiryTimer.unref?.()
  }

  private applied (cmd: ControlCommand, index: number): void {
    if (this.c.consensus.control !== this.seen) this.sync()
    const control = this.c.consensus.control
    switch (cmd.op) {
      case 'approval.request': {
        const r = control.approval(cmd.id)
        if (r?.index !== index) return
        this.c.events?.emit('approval.requested', { id: r.id, job: r.jobId, step: r.step, prompt: r.prompt, home: r.home, deadline: r.deadline, onTimeout: r.onTimeout, ...(r.approvers != null ? { approvers: r.approvers } : {}) })
        if (this.c.consensus.status()?.role === 'leader') this.webhook(r)
        this.schedule()
        return
      }
      case 'approval.decide':
        this.decided(control.approval(cmd.id), index)
        this.schedule()
        return
      case 'job.cancel':
        for (const r of control.approvals({ jobId: cmd.jobId })) this.decided(r, index)
        this.schedule()
        return
      case 'jobs.put':
        for (const [id, e] of cmd.jobs) {
          if (e.state === 'running') continue
          for (const r of control.approvals({ jobId: id })) this.decided(r, index)
        }
        return
      case 'jobs.delete':
      case 'job.delete':
        for (const id of this.delivered) if (control.approval(id) == null) this.delivered.delete(id)
    }
  }

  /** A gate that this entry decided or cancelled: the event, then the listeners. */
  private decided (r: ApprovalRecord | undefined, index: number): void {
    if (r == null || r.state === 'pending' || r.decidedIndex !== index) return
    this.c.events?.emit('approval.decided', { id: r.id, job: r.jobId, step: r.step, state: r.state, ...(r.by != null ? { by: r.by } : {}), ...(r.comment != null ? { comment: r.comment } : {}), ...(r.decidedAt != null ? { decidedAt: r.decidedAt } : {}) })
    this.deliver(r)
  }

  /** Start, or a snapshot install: every decided gate not told yet is told now. */
  private sync (): void {
    this.seen = this.c.consensus.control
    for (const r of this.c.consensus.control.approvals()) if (r.state !== 'pending') this.deliver(r)
    this.schedule()
  }

  private deliver (r: ApprovalRecord): void {
    if (this.delivered.has(r.id)) return
    this.delivered.add(r.id)
    for (const cb of this.listeners) this.tell(cb, r)
  }

  private tell (cb: ApprovalListener, r: ApprovalRecord): void {
    try {
      cb(r)
    } catch (err) {
      this.c.log.warn({ approval: r.id, err: errorMessage(err) }, 'an approval listener failed')
    }
  }

  private async push (req: ApprovalRequest): Promise<void> {
    let delay = this.opts.retryBaseMs
    const notFoundUntil = this.now() + this.opts.notFoundGraceMs
    while (!this.stopped && this.get(req.id) == null) {
      let code = 'INTERNAL'
      let error = ''
      try {
        const res = await this.c.admin({ approvalPropose: { request: JSON.stringify(req) } })
        if (res.code === '') return
        ;({ code, error } = res)
      } catch (err) {
        error = errorMessage(err)
      }
      if (FINAL_REFUSALS.has(code) || (code === 'NOT_FOUND' && this.now() >= notFoundUntil)) {
        this.c.log.warn({ approval: req.id, code, err: error }, 'approval gate refused by the mesh; not asking again')
        return
      }
      this.c.log.debug({ approval: req.id, code, err: error, retryInMs: delay }, 'approval gate not recorded yet; will retry')
      await this.sleep(delay)
      delay = Math.min(delay * 2, this.opts.retryMaxMs)
    }
  }

  private async sleep (ms: number): Promise<void> {
    await new Promise<void>(resolve => {
      const s = { timer: setTimeout(() => { this.sleeps.delete(s); resolve() }, ms), resolve }
      s.timer.unref?.()
      this.sleeps.add(s)
    })
  }

  /** Best effort, once per gate on the leader that applied its request: never awaited, never retried. */
  private webhook (r: ApprovalRecord): void {
    const url = this.c.consensus.control.config.get(APPROVALS_WEBHOOK_KEY)?.value
    if (url == null || url === '') return
    const body = JSON.stringify({ id: r.id, job: r.jobId, step: r.step, prompt: r.prompt, deadline: r.deadline, ...(r.approvers != null ? { approvers: r.approvers } : {}) })
    const post = this.c.post ?? postJson
    post(url, body, AbortSignal.timeout(this.opts.webhookTimeoutMs)).then(
      () => { this.c.log.debug({ approval: r.id, url }, 'approval webhook sent') },
      (err: unknown) => { this.c.log.warn({ approval: r.id, url, err: errorMessage(err) }, 'approval webhook failed') }
    )
  }
}

async function postJson (url: string, body: string, signal: AbortSignal): Promise<void> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal })
  if (!res.ok) throw new Error(`HTTP ${res.status}`)
}
