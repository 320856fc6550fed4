// Stuck-job diagnosis from constructed evidence, on a fake clock: each code, its priority,
// and the tracker's flag / unflag / repair decisions.
import { describe, expect, it } from 'vitest'
import { StuckTracker, REPAIR_EVERY_MS, UNANSWERED_MS, diagnose, fmtMs, type JobEvidence, type NodeEvidence, type PeerEvidence } from '../../../src/healing/stuck.js'

const T0 = 1_000_000
const NOW = T0 + 90_000

function job (over: Partial<JobEvidence> = {}): JobEvidence {
  return { jobId: 'j1', createdAt: T0, lastProgressAt: T0, total: 10, done: 4, queued: [], waitingFor: [], running: [], retrying: 0, lent: [], recentErrors: [], ...over }
}

function peer (peerId: string, over: Partial<PeerEvidence> = {}): PeerEvidence {
  return { peerId, name: peerId.toUpperCase(), state: 'alive', lastSeenMs: 500, declaredDead: false, capabilities: ['handler:work'], ...over }
}

function node (over: Partial<NodeEvidence> = {}): NodeEvidence {
  return { self: 'home', capabilities: ['handler:work'], fenced: false, quorumLastContactMs: 0, peers: [peer('b'), peer('c')], ...over }
}

describe('stuck-job diagnosis', () => {
  it('blames a partition first when the home has no quorum contact', () => {
    const d = diagnose(job({ lent: [{ peer: 'b', batches: 1, tasks: 3, lentAt: T0 }] }), node({ fenced: true, quorumLastContactMs: 45_000 }), NOW)
    expect(d.code).toBe('partition')
    expect(d.text).toContain('no contact with a majority of the mesh for 45s')
  })

  it('names tasks held by a peer the control log declared dead but not yet reclaimed', () => {
    const d = diagnose(job({ lent: [{ peer: 'b', batches: 2, tasks: 5, lentAt: T0 }] }), node({ peers: [peer('b', { declaredDead: true, state: 'dead' }), peer('c')] }), NOW)
    expect(d.code).toBe('held-by-dead')
    expect(d.peers).toEqual(['b'])
    expect(d.text).toContain('5 tasks held by B')
  })

  it('names a suspect peer holding lent tasks and how long it has been silent', () => {
    const d = diagnose(job({ lent: [{ peer: 'b', batches: 1, tasks: 3, lentAt: T0 }] }), node({ peers: [peer('b', { state: 'suspect', lastSeenMs: 72_000 }), peer('c')] }), NOW)
    expect(d.code).toBe('held-by-unreachable')
    expect(d.peers).toEqual(['b'])
    expect(d.text).toContain('3 tasks on B (b) (suspect, last heard 1m12s ago)')
  })

  it('counts a peer alive by heartbeat that has not answered requests for long as unreachable', () => {
    const ev = job({ lent: [{ peer: 'b', batches: 1, tasks: 2, lentAt: T0 }] })
    const silent = node({ peers: [peer('b', { unansweredSince: NOW - UNANSWERED_MS - 20_000 })] })
    const d = diagnose(ev, silent, NOW)
    expect(d.code).toBe('held-by-unreachable')
    expect(d.text).toContain('has not answered requests for 30s')
    // A peer that failed to answer only just now is not blamed yet.
    expect(diagnose(ev, node({ peers: [peer('b', { unansweredSince: NOW - 1_000 })] }), NOW).code).toBe('results-undelivered')
  })

  it('counts a lent-to peer missing from the membership view as unreachable', () => {
    const d = diagnose(job({ lent: [{ peer: 'gone', batches: 1, tasks: 1 }] }), node(), NOW)
    expect(d.code).toBe('held-by-unreachable')
    expect(d.text).toContain('not in this node\'s membership view')
  })

  it('names the capability no live node offers', () => {
    const d = diagnose(job({ queued: [{ type: 'render', requires: ['handler:render', 'gpu'], count: 7 }], waitingFor: ['gpu'] }), node(), NOW)
    expect(d.code).toBe('no-capable-node')
    expect(d.capabilities).toEqual(['gpu'])
    expect(d.text).toContain('7 queued tasks need gpu, which no live node offers')
  })

  it('says circuit-open when every capable node has its circuit open', () => {
    const ev = job({ queued: [{ type: 'work', requires: ['handler:work'], count: 4 }] })
    const circuits = { openPeers: ['b', 'c'], openHandlers: [{ node: 'home', type: 'work' }] }
    const d = diagnose(ev, node({ circuits }), NOW)
    expect(d.code).toBe('circuit-open')
    expect(d.peers).toEqual(['b', 'c', 'home'])
    // One capable node with a closed circuit is enough to run them: not circuit-open.
    expect(diagnose(ev, node({ circuits: { openPeers: ['b'], openHandlers: [{ node: 'home', type: 'work' }] } }), NOW).code).not.toBe('circuit-open')
    // Without breaker input the code never appears.
    expect(diagnose(ev, node(), NOW).code).toBe('unknown')
  })

  it('blames a handler whose attempts keep timing out', () => {
    const errors = [1, 2, 3].map(i => ({ taskId: `t${i}`, type: 'slow', error: 'timed out after 5000 ms', at: T0 + i * 6_000, timedOut: true }))
    const d = diagnose(job({ recentErrors: errors, retrying: 1 }), node(), NOW)
    expect(d.code).toBe('handler-timeouts')
    expect(d.text).toContain('3 of the last 3 failed attempts of "slow" hit their timeout')
  })

  it('does not blame timeouts that happened before the job last progressed', () => {
    const errors = [1, 2].map(i => ({ taskId: `t${i}`, type: 'slow', error: 'timed out after 5000 ms', at: T0 - i, timedOut: true }))
    expect(diagnose(job({ recentErrors: errors }), node(), NOW).code).toBe('unknown')
  })

  it('says results-undelivered when tasks lent to a peer that answers never come back', () => {
    const d = diagnose(job({ lent: [{ peer: 'b', batches: 1, tasks: 6, lentAt: T0 }] }), node(), NOW)
    expect(d.code).toBe('results-undelivered')
    expect(d.peers).toEqual(['b'])
    expect(d.text).toContain('6 tasks lent to B (b), which answers this node')
    expect(d.text).toContain('lent 1m30s ago')
  })

  it('falls back to unknown with the counts, naming the oldest silent running task', () => {
    const d = diagnose(job({ queued: [{ type: 'work', requires: ['handler:work'], count: 2 }], running: [{ taskId: 'tX', type: 'work', startedAt: T0 + 1_000, timeoutMs: 600_000 }] }), node(), NOW)
    expect(d.code).toBe('unknown')
    expect(d.text).toContain('4/10 tasks done, 2 queued here, 1 running here, 0 lent out')
    expect(d.text).toContain('the oldest running task (tX, "work") started 1m29s ago and times out at 10m00s')
  })

  it('orders causes: dead before unreachable before capability', () => {
    const ev = job({ lent: [{ peer: 'b', batches: 1, tasks: 1, lentAt: T0 }, { peer: 'c', batches: 1, tasks: 1, lentAt: T0 }], waitingFor: ['gpu'] })
    expect(diagnose(ev, node({ peers: [peer('b', { declaredDead: true }), peer('c', { state: 'suspect' })] }), NOW).code).toBe('held-by-dead')
    expect(diagnose(ev, node({ peers: [peer('b'), peer('c', { state: 'suspect' })] }), NOW).code).toBe('held-by-unreachable')
    expect(diagnose({ ...ev, lent: [] }, node(), NOW).code).toBe('no-capable-node')
  })

  it('formats durations as people read them', () => {
    expect(fmtMs(850)).toBe('850ms')
    expect(fmtMs(12_400)).toBe('12s')
    expect(fmtMs(72_000)).toBe('1m12s')
    expect(fmtMs(2 * 3_600_000 + 5 * 60_000)).toBe('2h05m')
  })
})

describe('the stuck tracker', () => {
  it('flags a job only once it has made no progress for afterMs, and once', () => {
    const t = new StuckTracker(60_000)
    const ev = job({ waitingFor: ['gpu'], queued: [{ type: 'x', requires: ['gpu'], count: 1 }] })
    expect(t.check([ev], node(), T0 + 59_999).stuck).toEqual([])
    const first = t.check([ev], node(), T0 + 60_000)
    expect(first.stuck.map(s => [s.jobId, s.state.code, s.stuckForMs])).toEqual([['j1', 'no-capable-node', 60_000]])
    expect(t.get('j1')?.flaggedAt).toBe(T0 + 60_000)
    // Same diagnosis later: nothing new to emit.
    expect(t.check([ev], node(), T0 + 70_000).stuck).toEqual([])
    expect(t.get('j1')?.flaggedAt).toBe(T0 + 60_000)
  })

  it('reports a changed diagnosis again', () => {
    const t = new StuckTracker(1_000)
    t.check([job({ waitingFor: ['gpu'] })], node(), T0 + 2_000)
    const again = t.check([job({ lent: [{ peer: 'b', batches: 1, tasks: 1, lentAt: T0 }] })], node({ peers: [peer('b', { declaredDead: true })] }), T0 + 3_000)
    expect(again.stuck.map(s => s.state.code)).toEqual(['held-by-dead'])
  })

  it('unflags a job that progresses again, and one that is over', () => {
    const t = new StuckTracker(1_000)
    t.check([job(), job({ jobId: 'j2' })], node(), T0 + 5_000)
    expect([...t.all().keys()]).toEqual(['j1', 'j2'])
    const r = t.check([job({ lastProgressAt: T0 + 4_500 })], node(), T0 + 5_100)
    expect(r.unstuck.sort()).toEqual(['j1', 'j2'])
    expect(t.all().size).toBe(0)
  })

  it('is off with afterMs 0', () => {
    const t = new StuckTracker(0)
    expect(t.check([job()], node(), NOW).stuck).toEqual([])
  })

  it('asks to re-send to and probe a silent holder, at most once per REPAIR_EVERY_MS', () => {
    const t = new StuckTracker(1_000)
    const ev = job({ lent: [{ peer: 'b', batches: 1, tasks: 3, lentAt: T0 }] })
    const silent = node({ peers: [peer('b', { state: 'suspect' })] })
    const first = t.check([ev], silent, T0 + 2_000)
    expect(first.stuck[0]!.repair).toEqual({ resendTo: ['b'], probe: ['b'] })
    expect(t.check([ev], silent, T0 + 2_000 + REPAIR_EVERY_MS - 1).stuck).toEqual([])
    expect(t.check([ev], silent, T0 + 2_000 + REPAIR_EVERY_MS).stuck[0]!.repair).toEqual({ resendTo: ['b'], probe: ['b'] })
  })

  it('only re-sends (never probes, never re-runs) for a holder that answers', () => {
    const t = new StuckTracker(1_000)
    const r = t.check([job({ lent: [{ peer: 'b', batches: 1, tasks: 3, lentAt: T0 }] })], node(), T0 + 2_000)
    expect(r.stuck[0]!.state.code).toBe('results-undelivered')
    expect(r.stuck[0]!.repair).toEqual({ resendTo: ['b'], probe: [] })
  })

  it('asks for no repair for a dead holder (the core reclaims) or a missing capability', () => {
    const t = new StuckTracker(1_000)
    const r = t.check([job({ lent: [{ peer: 'b', batches: 1, tasks: 1, lentAt: T0 }] }), job({ jobId: 'j2', waitingFor: ['gpu'] })], node({ peers: [peer('b', { declaredDead: true })] }), T0 + 2_000)
    expect(r.stuck.map(s => s.repair)).toEqual([undefined, undefined])
  })
})
