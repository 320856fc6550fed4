// The approval gates' node service (src/node/services/approvals.ts) over a real ControlState,
// a fake log and a fake clock: requests are retried until recorded, the leader alone expires
// gates at their deadline, and every decided gate reaches each listener once, including those
// decided before it subscribed or brought in by a snapshot. Also the admin commands that list,
// decide and request gates, and their audit records.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ControlState, encodeCommand, type ApplyResult, type ControlCommand } from '../../../src/consensus/control.js'
import { AuditLog } from '../../../src/node/access/audit.js'
import { principalOf, trusted, type Principal } from '../../../src/node/access/policy.js'
import { ApprovalService, type ApprovalsComponents } from '../../../src/node/services/approvals.js'
import { ADMIN_COMMANDS, type AdminContext } from '../../../src/node/services/admin-commands.js'
import { dispatch } from '../../../src/node/services/admin.js'
import type { AdminRequest, AdminResponse } from '../../../src/wire/proto/admin.js'
import { approvalId, type ApprovalRecord, type ApprovalRequest } from '../../../src/workflow/approvals.js'

const T0 = 1_700_000_000_000

function gate (step: string, over: Partial<ApprovalRequest> = {}): ApprovalRequest {
  return { id: approvalId('j1', step), jobId: 'j1', step, prompt: `${step}?`, home: 'home-a', requestedAt: T0, deadline: T0 + 3_000, onTimeout: 'reject', ...over }
}

/** A one-node "mesh": a real ControlState, proposals applied at once, a role to flip. */
class FakeMesh {
  control = new ControlState()
  role = 'leader'
  proposed: ControlCommand[] = []
  failNext = 0
  readonly onApplied: Array<(cmd: ControlCommand, index: number) => void> = []
  readonly onRoleChange: Array<(role: string, leader: string | null, term: number) => void> = []
  events: Array<{ type: string, data: Record<string, unknown> }> = []
  posted: Array<{ url: string, body: any }> = []

  constructor () {
    this.wire()
    this.apply({ op: 'jobs.put', jobs: [['j1', { home: 'home-a', createdAt: T0, state: 'running' }], ['j2', { home: 'home-a', createdAt: T0, state: 'running' }]] })
  }

  private wire (): void {
    this.control.onApplied = (cmd, index) => { for (const l of this.onApplied) l(cmd, index) }
  }

  apply (cmd: ControlCommand): ApplyResult {
    return this.control.apply(this.control.appliedIndex + 1, encodeCommand(cmd))
  }

  /** A snapshot install: the control state is replaced without onApplied for what it holds. */
  install (from: ControlState): void {
    this.control = ControlState.restore(from.snapshot())
    this.wire()
  }

  setRole (role: string): void {
    this.role = role
    for (const l of this.onRoleChange) l(role, role === 'leader' ? 'self' : 'other', 2)
  }

  components (): ApprovalsComponents {
    const self = this
    return {
      consensus: {
        status: () => ({ role: self.role }) as any,
        get control () { return self.control },
        propose: async cmd => {
          if (self.role !== 'leader') throw Object.assign(new Error('not leader'), { code: 'NOT_LEADER' })
          self.proposed.push(cmd)
          return self.apply(cmd)
        },
        onApplied: this.onApplied,
        onRoleChange: this.onRoleChange
      },
      log: { info: () => {}, warn: () => {}, debug: () => {} },
      events: { emit: (type, data) => { self.events.push({ type, data }); return undefined as any } },
      // The admin path a home's request takes: approvalPropose, as the node's operator.
      admin: async (req: AdminRequest): Promise<AdminResponse> => {
        if (self.failNext > 0) {
          self.failNext--
          return { code: 'NO_QUORUM', error: 'no quorum', leader: '' }
        }
        return await dispatch(req, adminCtx(self, trusted('operator-key')))
      },
      post: async (url, body) => { self.posted.push({ url, body: JSON.parse(body) }) },
      now: () => Date.now()
    }
  }
}

function adminCtx (m: FakeMesh, caller: Principal, forwarded = false): AdminContext {
  return {
    self: 'self',
    consensus: {
      propose: async cmd => { m.proposed.push(cmd); return m.apply(cmd) },
      get control () { return m.control },
      status: () => ({ leader: 'self', role: 'leader' })
    },
    engine: () => undefined,
    forward: async () => { throw new Error('no forwarding here') },
    forwarded,
    caller,
    now: () => Date.now()
  }
}

const flush = async (): Promise<void> => { for (let i = 0; i < 5; i++) await Promise.resolve() }

beforeEach(() => {
  vi.useFakeTimers()
  vi.setSystemTime(T0)
})

afterEach(() => {
  vi.useRealTimers()
})

describe('approval service: requests', () => {
  it('proposes a request through the admin table and stops once it is recorded', async () => {
    const m = new FakeMesh()
    const s = new ApprovalService(m.components())
    await s.start()
    s.request(gate('deploy'))
    await flush()
    expect(m.proposed).toEqual([{ op: 'approval.request', ...gate('deploy') }])
    expect(s.get('j1:deploy')).toMatchObject({ state: 'pending' })
    await vi.advanceTimersByTimeAsync(10_000)
    expect(m.proposed.filter(c => c.op === 'approval.request')).toHaveLength(1)
  })

  it('retries with backoff while the mesh cannot commit (no quorum, a leader change)', async () => {
    const m = new FakeMesh()
    m.failNext = 3
    const s = new ApprovalService(m.components(), { retryBaseMs: 100 })
    await s.start()
    s.request(gate('deploy'))
    await flush()
    expect(s.get('j1:deploy')).toBeUndefined()
    // 100, then 200, then 400 ms.
    await vi.advanceTimersByTimeAsync(299)
    expect(s.get('j1:deploy')).toBeUndefined()
    await vi.advanceTimersByTimeAsync(401)
    expect(s.get('j1:deploy')).toMatchObject({ state: 'pending' })
  })

  it('is idempotent: asking again for a gate recorded or being asked for proposes nothing more', async () => {
    const m = new FakeMesh()
    m.failNext = 1
    const s = new ApprovalService(m.components(), { retryBaseMs: 100 })
    await s.start()
    s.request(gate('deploy'))
    s.request(gate('deploy'))
    await vi.advanceTimersByTimeAsync(1_000)
    s.request(gate('deploy', { prompt: 'changed' }))
    await vi.advanceTimersByTimeAsync(1_000)
    expect(m.proposed.filter(c => c.op === 'approval.request')).toHaveLength(1)
    expect(s.get('j1:deploy')?.prompt).toBe('deploy?')
  })

  it('gives up on a finished job at once, and on an unknown job after the grace, writing nothing', async () => {
    const m = new FakeMesh()
    m.apply({ op: 'jobs.put', jobs: [['j2', { home: 'home-a', createdAt: T0, state: 'completed' }]] })
    const s = new ApprovalService(m.components(), { retryBaseMs: 100, notFoundGraceMs: 1_000 })
    await s.start()
    s.request({ ...gate('x'), id: 'j2:x', jobId: 'j2' })
    s.request({ ...gate('x'), id: 'nope:x', jobId: 'nope' })
    await vi.advanceTimersByTimeAsync(60_000)
    // The leader refused both before proposing: nothing reached the log.
    expect(m.proposed).toEqual([])
    expect(s.list()).toEqual([])
  })
})

describe('approval service: expiry', () => {
  it('on the leader, decides a gate at its deadline as its onTimeout says, by "timeout"', async () => {
    const m = new FakeMesh()
    const s = new ApprovalService(m.components())
    await s.start()
    m.apply({ op: 'approval.request', ...gate('a', { deadline: T0 + 3_000, onTimeout: 'approve' }) })
    m.apply({ op: 'approval.request', ...gate('b', { deadline: T0 + 5_000, onTimeout: 'reject' }) })
    await vi.advanceTimersByTimeAsync(2_999)
    expect(m.proposed).toEqual([])
    await vi.advanceTimersByTimeAsync(1)
    expect(m.proposed).toEqual([{ op: 'approval.decide', id: 'j1:a', approved: true, timeout: true, by: 'timeout', at: T0 + 3_000 }])
    expect(s.get('j1:a')).toMatchObject({ state: 'approved', by: 'timeout', decidedAt: T0 + 3_000 })
    await vi.advanceTimersByTimeAsync(2_000)
    expect(s.get('j1:b')).toMatchObject({ state: 'rejected', by: 'timeout' })
    expect(m.proposed).toHaveLength(2)
  })

  it('does nothing on a follower; a new leader expires what is overdue at once', async () => {
    const m = new FakeMesh()
    m.role = 'follower'
    const s = new ApprovalService(m.components())
    await s.start()
    m.apply({ op: 'approval.request', ...gate('a') })
    await vi.advanceTimersByTimeAsync(60_000)
    expect(m.proposed).toEqual([])
    expect(s.get('j1:a')?.state).toBe('pending')
    m.setRole('leader')
    await vi.advanceTimersByTimeAsync(0)
    expect(s.get('j1:a')).toMatchObject({ state: 'rejected', by: 'timeout' })
  })

  it('leaves a gate someone decided before its deadline alone', async () => {
    const m = new FakeMesh()
    const s = new ApprovalService(m.components())
    await s.start()
    m.apply({ op: 'approval.request', ...gate('a') })
    m.apply({ op: 'approval.decide', id: 'j1:a', approved: true, by: 'alice', at: T0 + 1 })
    await vi.advanceTimersByTimeAsync(10_000)
    expect(m.proposed).toEqual([])
    expect(s.get('j1:a')).toMatchObject({ state: 'approved', by: 'alice' })
  })

  it('tries again soon after a failed expiry proposal (leadership lost mid-way)', async () => {
    const m = new FakeMesh()
    const c = m.components()
    let fail = true
    const propose = c.consensus.propose
    c.consensus.propose = async cmd => { if (fail) throw new Error('no quorum'); return await propose(cmd) }
    const s = new ApprovalService(c, { expiryRetryMs: 500 })
    await s.start()
    m.apply({ op: 'approval.request', ...gate('a') })
    await vi.advanceTimersByTimeAsync(3_000)
    expect(s.get('j1:a')?.state).toBe('pending')
    fail = false
    await vi.advanceTimersByTimeAsync(500)
    expect(s.get('j1:a')?.state).toBe('rejected')
  })
})

describe('approval service: onDecided', () => {
  it('tells a listener of each decision once as it applies, cancellations by the job\'s end included', async () => {
    const m = new FakeMesh()
    const s = new ApprovalService(m.components())
    const heard: string[] = []
    s.onDecided(r => { heard.push(`${r.id} ${r.state}`) })
    await s.start()
    for (const step of ['a', 'b']) m.apply({ op: 'approval.request', ...gate(step) })
    m.apply({ op: 'approval.request', ...gate('c', { }), id: 'j2:c', jobId: 'j2' })
    m.apply({ op: 'approval.decide', id: 'j1:a', approved: false, by: 'bob', at: T0 })
    m.apply({ op: 'approval.decide', id: 'j1:a', approved: true, by: 'bob', at: T0 })
    m.apply({ op: 'job.cancel', jobId: 'j1' })
    m.apply({ op: 'jobs.put', jobs: [['j2', { home: 'home-a', createdAt: T0, state: 'completed', finishedAt: T0 }]] })
    expect(heard).toEqual(['j1:a rejected', 'j1:b cancelled', 'j2:c cancelled'])
  })

  it('tells a listener that subscribes later, and a restarted service, of every gate already decided', async () => {
    const m = new FakeMesh()
    m.apply({ op: 'approval.request', ...gate('a') })
    m.apply({ op: 'approval.request', ...gate('b') })
    m.apply({ op: 'approval.decide', id: 'j1:a', approved: true, by: 'alice', at: T0 })
    const s = new ApprovalService(m.components())
    const early: ApprovalRecord[] = []
    s.onDecided(r => { early.push(r) })
    await s.start()
    expect(early.map(r => r.id)).toEqual(['j1:a'])
    const late: ApprovalRecord[] = []
    s.onDecided(r => { late.push(r) })
    expect(late.map(r => r.id)).toEqual(['j1:a'])
    m.apply({ op: 'approval.decide', id: 'j1:b', approved: false, by: 'alice', at: T0 })
    expect(early.map(r => r.id)).toEqual(['j1:a', 'j1:b'])
    expect(late.map(r => r.id)).toEqual(['j1:a', 'j1:b'])
  })

  it('tells listeners of decisions a snapshot install brought, at the next applied entry', async () => {
    const m = new FakeMesh()
    m.apply({ op: 'approval.request', ...gate('a') })
    const s = new ApprovalService(m.components())
    const heard: string[] = []
    s.onDecided(r => { heard.push(r.id) })
    await s.start()
    const leaderState = ControlState.restore(m.control.snapshot())
    leaderState.apply(leaderState.appliedIndex + 1, encodeCommand({ op: 'approval.decide', id: 'j1:a', approved: true, by: 'x', at: T0 }))
    m.install(leaderState)
    m.apply({ op: 'config.set', key: 'k', value: 'v' })
    expect(heard).toEqual(['j1:a'])
  })

  it('keeps calling the other listeners when one throws', async () => {
    const m = new FakeMesh()
    const s = new ApprovalService(m.components())
    const heard: string[] = []
    s.onDecided(() => { throw new Error('boom') })
    s.onDecided(r => { heard.push(r.id) })
    await s.start()
    m.apply({ op: 'approval.request', ...gate('a') })
    m.apply({ op: 'approval.decide', id: 'j1:a', approved: true, by: 'x', at: T0 })
    expect(heard).toEqual(['j1:a'])
  })
})

describe('approval service: events and the webhook', () => {
  it('emits approval.requested and approval.decided as the entries apply', async () => {
    const m = new FakeMesh()
    const s = new ApprovalService(m.components())
    await s.start()
    m.apply({ op: 'approval.request', ...gate('a', { approvers: ['k1'] }) })
    m.apply({ op: 'approval.decide', id: 'j1:a', approved: true, by: 'k1', at: T0 + 5, comment: 'fine' })
    expect(m.events).toEqual([
      { type: 'approval.requested', data: { id: 'j1:a', job: 'j1', step: 'a', prompt: 'a?', home: 'home-a', deadline: T0 + 3_000, onTimeout: 'reject', approvers: ['k1'] } },
      { type: 'approval.decided', data: { id: 'j1:a', job: 'j1', step: 'a', state: 'approved', by: 'k1', comment: 'fine', decidedAt: T0 + 5 } }
    ])
  })

  it('POSTs a new gate to approvals.webhook from the leader only, once', async () => {
    const m = new FakeMesh()
    m.apply({ op: 'config.set', key: 'approvals.webhook', value: 'http://hooks.example/approvals' })
    const s = new ApprovalService(m.components())
    await s.start()
    m.apply({ op: 'approval.request', ...gate('a') })
    m.apply({ op: 'approval.request', ...gate('a') })
    m.role = 'follower'
    m.apply({ op: 'approval.request', ...gate('b') })
    await flush()
    expect(m.posted).toEqual([{ url: 'http://hooks.example/approvals', body: { id: 'j1:a', job: 'j1', step: 'a', prompt: 'a?', deadline: T0 + 3_000 } }])
  })
})

describe('approval admin commands', () => {
  const NAMED = 'named-approver-key'
  const viewer = principalOf('viewer', { localOperators: new Set(), grants: new Map([['viewer', { role: 'submitter', commands: false, index: 1 }]]) })
  const stranger = principalOf(NAMED, { localOperators: new Set(), grants: new Map() })
  const operator = principalOf('op', { localOperators: new Set(), grants: new Map([['op', { role: 'operator', commands: false, index: 1 }]]) })

  function meshWithGates (): FakeMesh {
    const m = new FakeMesh()
    m.apply({ op: 'approval.request', ...gate('late', { deadline: T0 + 9_000 }) })
    m.apply({ op: 'approval.request', ...gate('soon', { deadline: T0 + 1_000, approvers: [NAMED] }) })
    m.apply({ op: 'approval.request', ...gate('done') })
    m.apply({ op: 'approval.decide', id: 'j1:done', approved: true, by: 'op', at: T0 })
    m.proposed = []
    return m
  }

  it('lists pending gates earliest deadline first, and every gate with all', async () => {
    const m = meshWithGates()
    const res = await dispatch({ approvalsList: { all: false } }, adminCtx(m, viewer))
    expect(res.approvalsList?.approvals.map(a => a.id)).toEqual(['j1:soon', 'j1:late'])
    expect(res.approvalsList?.now).toBe(T0)
    const all = await dispatch({ approvalsList: { all: true } }, adminCtx(m, viewer))
    expect(all.approvalsList?.approvals.map(a => `${a.id} ${a.state}`)).toEqual(['j1:soon pending', 'j1:done approved', 'j1:late pending'])
  })

  it('lets a key named among the approvers decide, even with no grant, attributed to it with the comment', async () => {
    const m = meshWithGates()
    const res = await dispatch({ approvalDecide: { id: 'j1:soon', approved: true, comment: 'go' } }, adminCtx(m, stranger))
    expect(res.code, res.error).toBe('')
    expect(res.approvalDecide).toMatchObject({ id: 'j1:soon', state: 'approved', by: NAMED, comment: 'go' })
    expect(m.proposed).toEqual([{ op: 'approval.decide', id: 'j1:soon', approved: true, comment: 'go', by: NAMED, at: T0 }])
  })

  it('refuses a key that is neither an operator nor named, naming both ways in, and proposes nothing', async () => {
    const m = meshWithGates()
    const res = await dispatch({ approvalDecide: { id: 'j1:late', approved: true, comment: '' } }, adminCtx(m, viewer))
    expect(res.code).toBe('FORBIDDEN')
    expect(res.error).toContain('needs an operator grant, or a key named among its approvers')
    expect((await dispatch({ approvalDecide: { id: 'j1:late', approved: true, comment: '' } }, adminCtx(m, stranger))).code).toBe('FORBIDDEN')
    expect(m.proposed).toEqual([])
  })

  it('answers an unknown id with NOT_FOUND and what lists gates; a key that may not read learns only FORBIDDEN', async () => {
    const m = meshWithGates()
    const res = await dispatch({ approvalDecide: { id: 'j9:x', approved: true, comment: '' } }, adminCtx(m, operator))
    expect(res).toMatchObject({ code: 'NOT_FOUND', error: 'no approval j9:x: `meshnode approvals` lists pending ones' })
    expect((await dispatch({ approvalDecide: { id: 'j9:x', approved: true, comment: '' } }, adminCtx(m, stranger))).code).toBe('FORBIDDEN')
    expect(m.proposed).toEqual([])
  })

  it('answers a decided gate with ALREADY_DECIDED, saying how, by whom and when', async () => {
    const m = meshWithGates()
    const res = await dispatch({ approvalDecide: { id: 'j1:done', approved: false, comment: '' } }, adminCtx(m, operator))
    expect(res.code).toBe('ALREADY_DECIDED')
    expect(res.error).toBe(`approval j1:done was already approved by op at ${new Date(T0).toISOString()}`)
    expect(m.proposed).toEqual([])
  })

  it('refuses a request for a missing job on the leader: a clear error, nothing written', async () => {
    const m = meshWithGates()
    const req = { ...gate('x'), id: 'ghost:x', jobId: 'ghost' }
    const res = await dispatch({ approvalPropose: { request: JSON.stringify(req) } }, adminCtx(m, trusted('op')))
    expect(res).toMatchObject({ code: 'NOT_FOUND', error: "no job ghost in the mesh's registry: an approval gate needs a running workflow" })
    expect(m.proposed).toEqual([])
    const bad = await dispatch({ approvalPropose: { request: '{"id":1}' } }, adminCtx(m, trusted('op')))
    expect(bad.code).toBe('BAD_REQUEST')
  })

  it('says whether a request created the gate', async () => {
    const m = meshWithGates()
    const first = await dispatch({ approvalPropose: { request: JSON.stringify(gate('new')) } }, adminCtx(m, trusted('op')))
    expect(first.approvalPropose).toEqual({ created: true })
    const again = await dispatch({ approvalPropose: { request: JSON.stringify(gate('new')) } }, adminCtx(m, trusted('op')))
    expect(again.approvalPropose).toEqual({ created: false })
  })

  it('refuses an approvals.webhook that is not an http(s) URL', async () => {
    const m = meshWithGates()
    const res = await dispatch({ configSet: { key: 'approvals.webhook', value: 'ftp://x' } }, adminCtx(m, operator))
    expect(res).toMatchObject({ code: 'BAD_REQUEST', error: 'approvals.webhook must be an http:// or https:// URL, not "ftp://x"' })
    expect((await dispatch({ configSet: { key: 'approvals.webhook', value: 'https://hooks.example/a' } }, adminCtx(m, operator))).code).toBe('')
  })

  it('has every approval command in the table', () => {
    expect(Object.keys(ADMIN_COMMANDS)).toEqual(expect.arrayContaining(['approvalsList', 'approvalDecide', 'approvalPropose']))
  })

  it('audits every decision, a person\'s with the comment and a deadline\'s as by timeout', () => {
    const person = AuditLog.fromCommand(7, { op: 'approval.decide', id: 'j1:a', approved: true, comment: 'ship it', by: 'alice', at: T0 })
    expect(person?.record).toMatchObject({ who: 'alice', action: 'approval.decide', target: 'j1:a', outcome: 'ok', detail: 'approved; comment "ship it"; log index 7' })
    const timeout = AuditLog.fromCommand(8, { op: 'approval.decide', id: 'j1:b', approved: false, timeout: true, by: 'timeout', at: T0 })
    expect(timeout?.record).toMatchObject({ who: 'timeout', action: 'approval.decide', target: 'j1:b', detail: 'rejected at its deadline; log index 8' })
  })
})
