// Approval gates in the control state machine: approval.request and approval.decide, and what
// a job's end and retention do to its gates (src/consensus/control.ts, src/workflow/approvals.ts).
import { describe, expect, it } from 'vitest'
import { ControlState, decodeCommand, encodeCommand, type ControlCommand } from '../../../src/consensus/control.js'
import { approvalId, expiredApprovals, nextDeadline, parseApprovalRequest, type ApprovalRequest } from '../../../src/workflow/approvals.js'

const enc = (c: ControlCommand): Uint8Array => encodeCommand(c)

function gate (jobId = 'j1', step = 'deploy', over: Partial<ApprovalRequest> = {}): ApprovalRequest {
  return { id: approvalId(jobId, step), jobId, step, prompt: 'ship it?', home: 'home-a', requestedAt: 1_000, deadline: 61_000, onTimeout: 'reject', ...over }
}

/** A state with running job j1 (and j2) registered at index 1. */
function withJobs (): ControlState {
  const s = new ControlState()
  s.apply(1, enc({ op: 'jobs.put', jobs: [['j1', { home: 'home-a', createdAt: 1, state: 'running' }], ['j2', { home: 'home-a', createdAt: 1, state: 'running' }]] }))
  return s
}

describe('approval gates: decoding', () => {
  it('accepts a well-formed request and sorts and deduplicates its approvers', () => {
    const cmd = decodeCommand(enc({ op: 'approval.request', ...gate('j1', 'deploy', { approvers: ['b', 'a', 'b'] }) }))
    expect(cmd).toMatchObject({ op: 'approval.request', id: 'j1:deploy', approvers: ['a', 'b'], onTimeout: 'reject' })
  })

  it('refuses an id that is not jobId:step, a deadline before the request, a bad onTimeout, a huge prompt', () => {
    const bad = (over: Record<string, unknown>): void => {
      expect(() => decodeCommand(enc({ op: 'approval.request', ...gate(), ...over } as ControlCommand))).toThrow(/approval\.request/)
    }
    bad({ id: 'other' })
    bad({ deadline: 10 })
    bad({ deadline: 1_000 + 31 * 86_400_000 })
    bad({ onTimeout: 'maybe' })
    bad({ prompt: 'x'.repeat(5_000) })
    bad({ home: '' })
    bad({ approvers: 'alice' })
    bad({ approvers: Array.from({ length: 33 }, (_, i) => `p${i}`) })
  })

  it('refuses a decision without a boolean, or with an oversize comment', () => {
    expect(() => decodeCommand(enc({ op: 'approval.decide', id: 'j1:deploy', approved: 'yes' } as unknown as ControlCommand))).toThrow(/approved/)
    expect(() => decodeCommand(enc({ op: 'approval.decide', id: 'j1:deploy', approved: true, comment: 'c'.repeat(3_000) }))).toThrow(/comment/)
    expect(decodeCommand(enc({ op: 'approval.decide', id: 'j1:deploy', approved: true, comment: '', by: 'p', at: 5 }))).toEqual({ op: 'approval.decide', id: 'j1:deploy', approved: true, by: 'p', at: 5 })
  })

  it('parseApprovalRequest keeps only the known fields', () => {
    expect(parseApprovalRequest({ ...gate(), extra: 1 })).toEqual(gate())
  })
})

describe('approval gates: apply', () => {
  it('records a request as pending, at its log index', () => {
    const s = withJobs()
    expect(s.apply(2, enc({ op: 'approval.request', ...gate() }))).toEqual({ ok: true })
    expect(s.approval('j1:deploy')).toEqual({ ...gate(), state: 'pending', index: 2 })
    expect(s.approvals({ pending: true }).map(a => a.id)).toEqual(['j1:deploy'])
    expect(s.approvals({ jobId: 'j1' }).map(a => a.id)).toEqual(['j1:deploy'])
    expect(s.approvals({ jobId: 'j2' })).toEqual([])
    expect(s.approvals({ jobId: 'j2', pending: true })).toEqual([])
  })

  it('is idempotent by id: a second request (another prompt, a later time) changes nothing and is ok', () => {
    const s = withJobs()
    s.apply(2, enc({ op: 'approval.request', ...gate() }))
    expect(s.apply(3, enc({ op: 'approval.request', ...gate('j1', 'deploy', { prompt: 'again', requestedAt: 5_000, deadline: 9_000 }) }))).toEqual({ ok: true })
    expect(s.approval('j1:deploy')).toMatchObject({ prompt: 'ship it?', deadline: 61_000, index: 2 })
  })

  it('refuses a request for a job not in the registry, or one that is over, and records nothing', () => {
    const s = withJobs()
    expect(s.apply(2, enc({ op: 'approval.request', ...gate('nope') }))).toMatchObject({ ok: false, code: 'NOT_FOUND', message: expect.stringContaining('no job nope') })
    s.apply(3, enc({ op: 'jobs.put', jobs: [['j2', { home: 'home-a', createdAt: 1, state: 'completed' }]] }))
    expect(s.apply(4, enc({ op: 'approval.request', ...gate('j2') }))).toMatchObject({ ok: false, code: 'JOB_FINISHED' })
    expect(s.approvals()).toEqual([])
  })

  it('decides a pending gate once, with who, when and the comment; a second decision is ALREADY_DECIDED and changes nothing', () => {
    const s = withJobs()
    s.apply(2, enc({ op: 'approval.request', ...gate() }))
    expect(s.apply(3, enc({ op: 'approval.decide', id: 'j1:deploy', approved: true, comment: 'lgtm', by: 'alice', at: 2_000 }))).toEqual({ ok: true })
    expect(s.approval('j1:deploy')).toMatchObject({ state: 'approved', by: 'alice', decidedAt: 2_000, comment: 'lgtm', decidedIndex: 3 })
    const again = s.apply(4, enc({ op: 'approval.decide', id: 'j1:deploy', approved: false, by: 'bob', at: 3_000 }))
    expect(again).toMatchObject({ ok: false, code: 'ALREADY_DECIDED' })
    expect((again as { message: string }).message).toContain('approved by alice at 1970-01-01T00:00:02.000Z')
    expect(s.approval('j1:deploy')).toMatchObject({ state: 'approved', by: 'alice' })
  })

  it('answers NOT_FOUND for a decision on an unknown gate, naming the command that lists them', () => {
    const s = withJobs()
    expect(s.apply(2, enc({ op: 'approval.decide', id: 'j9:x', approved: true, by: 'a', at: 1 }))).toEqual({ ok: false, code: 'NOT_FOUND', message: 'no approval j9:x: `meshnode approvals` lists pending ones' })
  })

  it('records a timeout decision as by "timeout", whatever the proposer put in by', () => {
    const s = withJobs()
    s.apply(2, enc({ op: 'approval.request', ...gate() }))
    s.apply(3, enc({ op: 'approval.decide', id: 'j1:deploy', approved: false, timeout: true, by: 'leader-x', at: 61_000 }))
    expect(s.approval('j1:deploy')).toMatchObject({ state: 'rejected', by: 'timeout', decidedAt: 61_000 })
  })

  it('cancels the pending gates of a job whose final state is registered, and leaves decided ones as they are', () => {
    const s = withJobs()
    s.apply(2, enc({ op: 'approval.request', ...gate('j1', 'a') }))
    s.apply(3, enc({ op: 'approval.request', ...gate('j1', 'b') }))
    s.apply(4, enc({ op: 'approval.request', ...gate('j2', 'a') }))
    s.apply(5, enc({ op: 'approval.decide', id: 'j1:a', approved: true, by: 'p', at: 2 }))
    s.apply(6, enc({ op: 'jobs.put', jobs: [['j1', { home: 'home-a', createdAt: 1, state: 'failed', finishedAt: 7_000 }]] }))
    expect(s.approval('j1:a')).toMatchObject({ state: 'approved' })
    expect(s.approval('j1:b')).toMatchObject({ state: 'cancelled', decidedIndex: 6, decidedAt: 7_000, comment: 'job failed' })
    expect(s.approval('j2:a')).toMatchObject({ state: 'pending' })
    // A cancelled gate cannot be decided afterwards.
    expect(s.apply(7, enc({ op: 'approval.decide', id: 'j1:b', approved: true, by: 'p', at: 3 }))).toMatchObject({ ok: false, code: 'ALREADY_DECIDED' })
  })

  it('cancels the pending gates of a cancelled job, attributed to who cancelled it', () => {
    const s = withJobs()
    s.apply(2, enc({ op: 'approval.request', ...gate() }))
    s.apply(3, enc({ op: 'job.cancel', jobId: 'j1', by: 'op-key', at: 4_000 }))
    expect(s.approval('j1:deploy')).toMatchObject({ state: 'cancelled', by: 'op-key', decidedAt: 4_000, decidedIndex: 3, comment: 'job cancelled' })
  })

  it('drops a job\'s gates when retention forgets the job, but not when only its results expire', () => {
    const s = withJobs()
    s.apply(2, enc({ op: 'approval.request', ...gate() }))
    s.apply(3, enc({ op: 'jobs.put', jobs: [['j1', { home: 'home-a', createdAt: 1, state: 'completed' }]] }))
    s.apply(4, enc({ op: 'jobs.delete', jobIds: ['j1'], resultsOnly: true }))
    expect(s.approval('j1:deploy')).toBeDefined()
    s.apply(5, enc({ op: 'jobs.delete', jobIds: ['j1'] }))
    expect(s.approval('j1:deploy')).toBeUndefined()
    expect(s.approvals()).toEqual([])
  })

  it('snapshots gates deterministically and restores them, indexes included', () => {
    const s = withJobs()
    s.apply(2, enc({ op: 'approval.request', ...gate('j2', 'b') }))
    s.apply(3, enc({ op: 'approval.request', ...gate('j1', 'a', { approvers: ['x'] }) }))
    s.apply(4, enc({ op: 'approval.decide', id: 'j2:b', approved: false, by: 'p', at: 9 }))
    const copy = ControlState.restore(s.snapshot())
    expect(copy.snapshot()).toEqual(s.snapshot())
    expect(copy.approvals()).toEqual(s.approvals())
    // The per-job index is rebuilt: a cancel after the restore reaches the gate.
    copy.apply(5, enc({ op: 'job.cancel', jobId: 'j1' }))
    expect(copy.approval('j1:a')).toMatchObject({ state: 'cancelled' })
  })

  it('restores a snapshot from before approval gates (no approvals field)', () => {
    const s = withJobs()
    const raw = JSON.parse(new TextDecoder().decode(s.snapshot()))
    delete raw.approvals
    const copy = ControlState.restore(new TextEncoder().encode(JSON.stringify(raw)))
    expect(copy.approvals()).toEqual([])
    expect(copy.apply(2, enc({ op: 'approval.request', ...gate() }))).toEqual({ ok: true })
  })

  it('tells onApplied of a successful request and decision, and not of a refused one', () => {
    const s = withJobs()
    const seen: string[] = []
    s.onApplied = cmd => { seen.push(cmd.op) }
    s.apply(2, enc({ op: 'approval.request', ...gate() }))
    s.apply(3, enc({ op: 'approval.decide', id: 'j1:deploy', approved: true, by: 'p', at: 1 }))
    s.apply(4, enc({ op: 'approval.decide', id: 'j1:deploy', approved: true, by: 'p', at: 1 }))
    expect(seen).toEqual(['approval.request', 'approval.decide'])
  })
})

describe('approval gates: deadlines', () => {
  it('finds the earliest pending deadline, and the gates due at a time, earliest first', () => {
    const recs = [
      { ...gate('a', 's', { deadline: 50 }), state: 'pending' as const, index: 1 },
      { ...gate('b', 's', { deadline: 20 }), state: 'approved' as const, index: 2 },
      { ...gate('c', 's', { deadline: 30 }), state: 'pending' as const, index: 3 }
    ]
    expect(nextDeadline(recs)).toBe(30)
    expect(nextDeadline([])).toBeUndefined()
    expect(expiredApprovals(recs, 49).map(r => r.id)).toEqual(['c:s'])
    expect(expiredApprovals(recs, 50).map(r => r.id)).toEqual(['c:s', 'a:s'])
  })
})
