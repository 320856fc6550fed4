// Access control, as a table: every admin command against every kind of caller. A refusal is
// FORBIDDEN naming the missing right, before anything is proposed or submitted; a forwarded
// command (a member authorized its client) is not checked again. Also the grant commands in
// the control state machine, the submit quota and the audit log on a real LevelDB.
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { ControlState, encodeCommand, decodeCommand, type ControlCommand, type Grant } from '../../../src/consensus/control.js'
import { AuditLog } from '../../../src/node/access/audit.js'
import { principalOf, trusted, type Principal } from '../../../src/node/access/policy.js'
import { SubmitQuota } from '../../../src/node/access/quota.js'
import type { MeshError } from '../../../src/node/errors.js'
import { ADMIN_COMMANDS, type AdminContext, type JobsEngine } from '../../../src/node/services/admin-commands.js'
import { dispatch } from '../../../src/node/services/admin.js'
import { Store } from '../../../src/node/store/store.js'
import type { AdminRequest } from '../../../src/wire/proto/admin.js'
import { LAYOUT_VERSION } from '../../../src/node/observe/history.js'
import type { ApprovalRecord, ApprovalRequest } from '../../../src/workflow/approvals.js'
import { tempDir } from '../../temp-dir.js'

const CLIENT = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
const TASK = JSON.stringify({ type: 'echo', payload: 1 })
const CMD_TASK = JSON.stringify({ type: 'cmd', payload: { cmd: 'id' } })
const GATE_REQUEST: ApprovalRequest = { id: 'j1:review', jobId: 'j1', step: 'review', prompt: 'ok?', home: 'self', requestedAt: 1, deadline: 1_000, onTimeout: 'reject' }
/** Pending gates of the fake control state: one names approver keys, one does not. */
const GATES: ApprovalRecord[] = [
  { id: 'j1:deploy', jobId: 'j1', step: 'deploy', prompt: 'ship?', home: 'self', requestedAt: 1, deadline: 1_000, onTimeout: 'reject', approvers: ['nobody-else', 's'], state: 'pending', index: 2 },
  { id: 'j1:ops', jobId: 'j1', step: 'ops', prompt: 'ops?', home: 'self', requestedAt: 1, deadline: 2_000, onTimeout: 'approve', state: 'pending', index: 3 }
]

function grant (role: Grant['role'], commands = false): Grant {
  return { role, commands, index: 1 }
}

/** Every kind of caller, as the node would see it. */
const CALLERS: Record<string, Principal> = {
  anonymous: principalOf('stranger', { localOperators: new Set(['local']), grants: new Map() }),
  submitter: principalOf('s', { localOperators: new Set(), grants: new Map([['s', grant('submitter')]]) }),
  'submitter+commands': principalOf('sc', { localOperators: new Set(), grants: new Map([['sc', grant('submitter', true)]]) }),
  operator: principalOf('o', { localOperators: new Set(), grants: new Map([['o', grant('operator')]]) }),
  'operator+commands': principalOf('oc', { localOperators: new Set(), grants: new Map([['oc', grant('operator', true)]]) }),
  local: principalOf('local', { localOperators: new Set(['local']), grants: new Map() })
}

/** One request per case; a command may have several (a cmd job needs more than a plain one). */
const CASES: Array<{ name: string, req: AdminRequest, allowed: string[] }> = [
  { name: 'configSet', req: { configSet: { key: 'k', value: 'v' } }, allowed: ['operator', 'operator+commands', 'local'] },
  { name: 'configDelete', req: { configDelete: { key: 'k' } }, allowed: ['operator', 'operator+commands', 'local'] },
  { name: 'configGet', req: { configGet: { key: 'k' } }, allowed: ['submitter', 'submitter+commands', 'operator', 'operator+commands', 'local'] },
  { name: 'configList', req: { configList: {} }, allowed: ['submitter', 'submitter+commands', 'operator', 'operator+commands', 'local'] },
  { name: 'jobsSubmit', req: { jobsSubmit: { jobs: [TASK] } }, allowed: ['submitter', 'submitter+commands', 'operator', 'operator+commands', 'local'] },
  { name: 'jobsSubmit (cmd)', req: { jobsSubmit: { jobs: [TASK, CMD_TASK] } }, allowed: ['submitter+commands', 'operator+commands', 'local'] },
  { name: 'jobsList', req: { jobsList: { limit: 0, before: '' } }, allowed: ['submitter', 'submitter+commands', 'operator', 'operator+commands', 'local'] },
  { name: 'jobGet', req: { jobGet: { id: 'j1', results: false, limit: 0, after: '' } }, allowed: ['submitter', 'submitter+commands', 'operator', 'operator+commands', 'local'] },
  { name: 'jobCancel', req: { jobCancel: { id: 'j1' } }, allowed: ['operator', 'operator+commands', 'local'] },
  { name: 'grantSet', req: { grantSet: { peerId: CLIENT, role: 'submitter', commands: false } }, allowed: ['operator', 'operator+commands', 'local'] },
  { name: 'grantSet (commands)', req: { grantSet: { peerId: CLIENT, role: 'submitter', commands: true } }, allowed: ['operator+commands', 'local'] },
  { name: 'grantRemove', req: { grantRemove: { peerId: CLIENT } }, allowed: ['operator', 'operator+commands', 'local'] },
  { name: 'grantList', req: { grantList: {} }, allowed: ['operator', 'operator+commands', 'local'] },
  { name: 'whoAmI', req: { whoAmI: {} }, allowed: Object.keys(CALLERS) },
  { name: 'auditList', req: { auditList: { limit: 0, before: '' } }, allowed: ['operator', 'operator+commands', 'local'] },
  { name: 'nodeDrain', req: { nodeDrain: { deadlineMs: 1000 } }, allowed: ['operator', 'operator+commands', 'local'] },
  { name: 'nodeRetire', req: { nodeRetire: { peerId: 'self', incarnation: 1, reason: 'drained' } }, allowed: ['operator', 'operator+commands', 'local'] },
  { name: 'statsGet', req: { statsGet: { sinceMs: 60_000 } }, allowed: ['submitter', 'submitter+commands', 'operator', 'operator+commands', 'local'] },
  { name: 'raftListPeers', req: { raftListPeers: {} }, allowed: ['submitter', 'submitter+commands', 'operator', 'operator+commands', 'local'] },
  { name: 'raftRemovePeer', req: { raftRemovePeer: { peerId: CLIENT } }, allowed: ['operator', 'operator+commands', 'local'] },
  { name: 'retentionStatus', req: { retentionStatus: {} }, allowed: ['submitter', 'submitter+commands', 'operator', 'operator+commands', 'local'] },
  { name: 'incidentsList', req: { incidentsList: { limit: 0, mesh: false } }, allowed: ['submitter', 'submitter+commands', 'operator', 'operator+commands', 'local'] },
  { name: 'incidentGet', req: { incidentGet: { id: 'dead-x-1', mesh: false } }, allowed: ['submitter', 'submitter+commands', 'operator', 'operator+commands', 'local'] },
  { name: 'approvalsList', req: { approvalsList: { all: false } }, allowed: ['submitter', 'submitter+commands', 'operator', 'operator+commands', 'local'] },
  // The gate names the submitter key 's' among its approvers: it may decide this one.
  { name: 'approvalDecide', req: { approvalDecide: { id: 'j1:deploy', approved: true, comment: '' } }, allowed: ['submitter', 'operator', 'operator+commands', 'local'] },
  { name: 'approvalDecide (no approvers named)', req: { approvalDecide: { id: 'j1:ops', approved: false, comment: 'no' } }, allowed: ['operator', 'operator+commands', 'local'] },
  { name: 'approvalPropose', req: { approvalPropose: { request: JSON.stringify(GATE_REQUEST) } }, allowed: ['operator', 'operator+commands', 'local'] },
  { name: 'scheduleAdd', req: { scheduleAdd: { name: 'nightly', cron: '0 9 * * *', tz: '', misfire: '', job: '{"type":"echo"}', paused: false } }, allowed: ['operator', 'operator+commands', 'local'] },
  { name: 'scheduleAdd (shell command)', req: { scheduleAdd: { name: 'nightly', cron: '0 9 * * *', tz: '', misfire: '', job: '{"type":"cmd","payload":{"cmd":"true"}}', paused: false } }, allowed: ['operator+commands', 'local'] },
  { name: 'scheduleList', req: { scheduleList: {} }, allowed: ['submitter', 'submitter+commands', 'operator', 'operator+commands', 'local'] },
  { name: 'scheduleRemove', req: { scheduleRemove: { name: 'nightly' } }, allowed: ['operator', 'operator+commands', 'local'] },
  { name: 'schedulePause', req: { schedulePause: { name: 'nightly', paused: true } }, allowed: ['operator', 'operator+commands', 'local'] }
]

interface Fake { ctx: AdminContext, proposed: ControlCommand[], submitted: number }

function fake (caller: Principal, forwarded = false): Fake {
  const f: Fake = { proposed: [], submitted: 0, ctx: undefined as any }
  const engine: JobsEngine = {
    submit: async inputs => {
      f.submitted += inputs.length
      return inputs.map((_, i) => ({ id: `j${i}`, home: 'self', roots: 1 })) as any
    },
    job: async () => ({ id: 'j1' }) as any,
    jobs: { whenFinished: async (id: string) => await engine.job(id) },
    jobRecord: async () => undefined,
    jobRecords: async (ids: readonly string[]) => ids.map(() => undefined),
    results: async () => [],
    runningTasks: () => []
  }
  f.ctx = {
    self: 'self',
    consensus: {
      propose: async cmd => { f.proposed.push(cmd); return { ok: true, version: 1 } },
      control: {
        config: new Map([['k', { value: 'v', version: 1, index: 1 }]]),
        jobs: new Map([['j1', { home: 'self', createdAt: 1, state: 'running' }]]),
        grants: new Map(),
        approval: id => GATES.find(g => g.id === id),
        approvals: () => [...GATES]
      },
      status: () => ({ leader: 'self', role: 'leader', conf: { voters: ['self', CLIENT], learners: [] } }),
      // Recorded with the proposals: a refused caller changes nothing, membership included.
      removeMember: async peerId => {
        f.proposed.push({ op: 'grant.remove', peerId, by: 'removeMember' })
        return { index: 9, conf: { voters: ['self'], learners: [] } }
      }
    },
    engine: () => engine,
    forward: async () => { throw new Error('no forwarding here') },
    forwarded,
    caller,
    now: () => 5,
    drain: () => ({ state: 'draining', startedAt: 0, deadlineAt: 1000, elapsedMs: 0, queued: 0, running: 0, lent: 0, engaged: 0, outbox: 0, homeJobs: 0, inFlight: 0, handedOff: 0, finished: 0, clean: false, declaredDead: false, leadershipTransferred: false, leftRaft: false, summary: '' }),
    incarnation: () => 1,
    stats: { self: 'self', members: () => ['self'], local: (_from, now) => ({ layout: LAYOUT_VERSION, startedAt: 0, now, minutes: [] }), fetch: async () => { throw new Error('no peers here') }, retentionMinutes: 60, now: () => 5 },
    audit: { list: async () => ({ entries: [], next: '' }), local: async () => {} } as unknown as AuditLog,
    incidents: { list: () => [], get: id => ({ id }) as any, peers: () => [] }
  }
  return f
}

describe('who may run each admin command', () => {
  it('covers every command of the table', () => {
    const covered = new Set(CASES.map(c => c.name.split(' ')[0]))
    expect([...covered].sort()).toEqual(Object.keys(ADMIN_COMMANDS).sort())
  })

  for (const c of CASES) {
    for (const [who, principal] of Object.entries(CALLERS)) {
      const allowed = c.allowed.includes(who)
      it(`${c.name} by ${who}: ${allowed ? 'allowed' : 'FORBIDDEN'}`, async () => {
        const f = fake(principal)
        const res = await dispatch(c.req, f.ctx)
        if (allowed) {
          expect(res.code, res.error).toBe('')
          return
        }
        expect(res.code).toBe('FORBIDDEN')
        expect(res.error).toContain(principal.peerId)
        expect(res.error).toMatch(/needs (a submitter or operator grant|an operator grant|a grant with --commands)/)
        expect(res.error).toContain('meshnode operator add')
        // Nothing happened.
        expect(f.proposed).toEqual([])
        expect(f.submitted).toBe(0)
      })
    }
  }

  it('does not check a forwarded command again: the member that forwarded it did', async () => {
    const f = fake(trusted('client-of-a-follower'), true)
    const res = await dispatch({ configSet: { key: 'k', value: 'v' } }, f.ctx)
    expect(res.code).toBe('')
    expect(f.proposed).toEqual([{ op: 'config.set', key: 'k', value: 'v', by: 'client-of-a-follower', at: 5 }])
  })

  it('attributes every change it proposes to the caller', async () => {
    for (const req of [{ configSet: { key: 'k', value: 'v' } }, { configDelete: { key: 'k' } }, { jobCancel: { id: 'j1' } }, { grantSet: { peerId: CLIENT, role: 'operator', commands: false } }, { grantRemove: { peerId: CLIENT } }] as AdminRequest[]) {
      const f = fake(CALLERS.operator!)
      expect((await dispatch(req, f.ctx)).code).toBe('')
      expect(f.proposed[0]).toMatchObject({ by: 'o', at: 5 })
    }
  })

  it('refuses a grant of an unknown role or to something that is not a peer id', async () => {
    expect((await dispatch({ grantSet: { peerId: CLIENT, role: 'admin', commands: false } }, fake(CALLERS.local!).ctx)).code).toBe('BAD_REQUEST')
    const res = await dispatch({ grantSet: { peerId: 'not-a-peer-id', role: 'submitter', commands: false } }, fake(CALLERS.local!).ctx)
    expect(res.code).toBe('BAD_REQUEST')
    expect(res.error).toContain('keygen --client')
  })

  it('tells a caller who it is and what it may do', async () => {
    const res = await dispatch({ whoAmI: {} }, fake(CALLERS['submitter+commands']!).ctx)
    expect(res.whoAmI).toEqual({ peerId: 'sc', role: 'submitter', rights: ['read', 'submit', 'commands'] })
    expect((await dispatch({ whoAmI: {} }, fake(CALLERS.anonymous!).ctx)).whoAmI).toEqual({ peerId: 'stranger', role: 'none', rights: [] })
  })
})

describe('grants in the control state machine', () => {
  it('sets, replaces and removes grants, and keeps them across a snapshot', () => {
    const s = new ControlState()
    expect(s.apply(1, encodeCommand({ op: 'grant.set', peerId: 'p', role: 'submitter', commands: false, by: 'o', at: 7 }))).toEqual({ ok: true })
    expect(s.grants.get('p')).toEqual({ role: 'submitter', commands: false, index: 1, by: 'o', at: 7 })
    s.apply(2, encodeCommand({ op: 'grant.set', peerId: 'p', role: 'operator', commands: true }))
    expect(s.grants.get('p')).toEqual({ role: 'operator', commands: true, index: 2 })
    const copy = ControlState.restore(s.snapshot())
    expect([...copy.grants]).toEqual([...s.grants])
    expect(s.apply(3, encodeCommand({ op: 'grant.remove', peerId: 'p' }))).toEqual({ ok: true })
    expect(s.grants.size).toBe(0)
    expect(s.apply(4, encodeCommand({ op: 'grant.remove', peerId: 'p' }))).toMatchObject({ ok: false, code: 'NOT_FOUND' })
  })

  it('restores a snapshot written before grants existed', () => {
    const old = new TextEncoder().encode(JSON.stringify({ v: 1, appliedIndex: 3, config: [], dead: [], jobs: [] }))
    expect(ControlState.restore(old).grants.size).toBe(0)
  })

  it('refuses malformed grant commands', () => {
    const bad = (o: object): Uint8Array => new TextEncoder().encode(JSON.stringify({ v: 1, ...o }))
    expect(() => decodeCommand(bad({ op: 'grant.set', peerId: 'p', role: 'root', commands: false }))).toThrow(/role/)
    expect(() => decodeCommand(bad({ op: 'grant.set', peerId: 'p', role: 'operator' }))).toThrow(/commands/)
    expect(() => decodeCommand(bad({ op: 'grant.set', peerId: '', role: 'operator', commands: false }))).toThrow(/peerId/)
    expect(() => decodeCommand(bad({ op: 'config.set', key: 'k', value: 'v', by: 5 }))).toThrow(/by/)
    expect(() => decodeCommand(bad({ op: 'config.set', key: 'k', value: 'v', at: -1 }))).toThrow(/at/)
  })
})

describe('the submit quota', () => {
  it('caps unfinished jobs per granted caller, forgets finished ones, and never caps the local CLI', () => {
    const running = new Set<string>()
    const q = new SubmitQuota(3, id => running.has(id))
    const s = CALLERS.submitter!
    q.admit(s, 2)
    q.submitted(s, ['a', 'b'])
    for (const id of ['a', 'b']) running.add(id)
    q.admit(s, 1)
    q.submitted(s, ['c'])
    running.add('c')
    const err = (() => { try { q.admit(s, 1) } catch (e) { return e as MeshError } })()
    expect(err?.code).toBe('TOO_MANY_PENDING')
    expect(err?.message).toContain('--max-pending-jobs')
    // Another caller has its own count.
    q.admit(CALLERS.operator!, 3)
    running.delete('a')
    q.admit(s, 1)
    for (let i = 0; i < 10; i++) q.admit(CALLERS.local!, 100)
    expect(() => { new SubmitQuota(0, () => true).admit(s, 1_000_000) }).not.toThrow()
  })
})

describe('the audit log', () => {
  it('records committed changes idempotently and local decisions, newest first, paged, pruned', async () => {
    const store = await Store.open(tempDir('audit'))
    try {
      const log = new AuditLog(store, '12D3KooWNode', 5)
      await log.applied(10, { op: 'config.set', key: 'color', value: 'blue', by: 'alice', at: 1_000 })
      await log.applied(10, { op: 'config.set', key: 'color', value: 'blue', by: 'alice', at: 1_000 })
      await log.applied(11, { op: 'jobs.put', jobs: [] })
      await log.local({ at: 2_000, who: 'mallory', action: 'configSet', target: '', outcome: 'FORBIDDEN', detail: 'no grant' })
      await log.applied(12, { op: 'grant.set', peerId: 'bob', role: 'operator', commands: true, by: 'alice', at: 3_000 })
      const page = await log.list(2)
      expect(page.entries.map(e => [e.action, e.who, e.outcome])).toEqual([['grant.set', 'alice', 'ok'], ['configSet', 'mallory', 'FORBIDDEN']])
      expect(page.entries[0]!.detail).toContain('role operator with commands')
      expect(page.entries[1]!.node).toBe('12D3KooWNode')
      const rest = await log.list(10, page.next)
      expect(rest.entries.map(e => [e.action, e.target])).toEqual([['config.set', 'color']])
      expect(rest.next).toBe('')
      for (let i = 0; i < 10; i++) await log.local({ at: 4_000 + i, who: 'x', action: 'jobsSubmit', target: `j${i}`, outcome: 'ok', detail: '' })
      await log.prune()
      const kept = await log.list(100)
      expect(kept.entries).toHaveLength(5)
      expect(kept.entries[0]!.target).toBe('j9')
    } finally {
      await store.close()
    }
  })

  it('prunes from a kept count: once a tenth of the retention has been added, never holding more than that beyond it', async () => {
    const store = await Store.open(tempDir('audit'))
    try {
      const log = new AuditLog(store, '12D3KooWNode', 100)
      const db = (log as unknown as { db: { keys: (...a: unknown[]) => unknown } }).db
      let walks = 0
      const keys = db.keys.bind(db)
      db.keys = (...a: unknown[]) => { walks++; return keys(...a) }
      for (let i = 0; i < 300; i++) {
        await log.local({ at: 7_000 + i, who: 'x', action: 'jobsSubmit', target: `j${i}`, outcome: 'ok', detail: '' })
        const held = (await log.list(1_000)).entries.length
        expect(held).toBeLessThanOrEqual(111)
      }
      // the first put counts; then one walk per 10 records beyond 100 (20 of them), not one a put
      expect(walks).toBeGreaterThanOrEqual(15)
      expect(walks).toBeLessThanOrEqual(25)
      const kept = await log.list(1_000)
      expect(kept.entries.length).toBeGreaterThanOrEqual(100)
      expect(kept.entries[0]!.target).toBe('j299')
    } finally {
      await store.close()
    }
  })

  it('writes the records of one turn (a Ready\'s applied entries) in one batch, each put resolving once written', async () => {
    const store = await Store.open(tempDir('audit'))
    try {
      const log = new AuditLog(store, '12D3KooWNode')
      const db = (log as unknown as { db: { batch: (ops: unknown[]) => Promise<void>, put: unknown } }).db
      const batches: number[] = []
      const batch = db.batch.bind(db)
      db.batch = async (ops: unknown[]) => { batches.push(ops.length); await batch(ops) }
      db.put = async () => { throw new Error('no single puts') }
      await Promise.all(Array.from({ length: 40 }, async (_, i) => { await log.applied(100 + i, { op: 'config.set', key: `k${i}`, value: 'v', by: 'alice', at: 5_000 + i }) }))
      await log.applied(200, { op: 'config.delete', key: 'k0', by: 'alice', at: 6_000 })
      expect(batches).toEqual([40, 1])
      const all = await log.list(100)
      expect(all.entries).toHaveLength(41)
      expect(all.entries[0]!.action).toBe('config.delete')
    } finally {
      await store.close()
    }
  })
})

