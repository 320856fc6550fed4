// What the work core tells the stuck-job watch (jobEvidence), the repair it offers (resendTo),
// and resource pressure (no new work): WorkCore alone, fake clock, no LevelDB.
import { describe, expect, it } from 'vitest'
import { mulberry32 } from '../../../src/prng.js'
import { WorkCore, type AttemptEnd, type PeerInfo, type Ready, type WorkCoreConfig } from '../../../src/work/core.js'
import { WorkError } from '../../../src/work/errors.js'
import type { JobInput, Task } from '../../../src/work/spec.js'
import { FakeRegistry } from './fake-registry.js'

const ECHO = ['handler:echo']

function makeCore (self: string, registry: FakeRegistry, cfg: Partial<WorkCoreConfig> = {}): WorkCore {
  return WorkCore.create({ self, incarnation: 1, concurrency: 1, capabilities: ECHO, rng: mulberry32(7), ...cfg }, registry, 1000)
}

function persist (core: WorkCore): Ready {
  const rd = core.ready()
  if (rd.seq > 0) core.advance(rd.seq)
  return rd
}

const failed = (error: string): AttemptEnd => ({ ok: false, error, children: [], durationMs: 5, stoppedByNode: false })
const tasks = (n: number, over: Record<string, unknown> = {}): JobInput => ({ tasks: Array.from({ length: n }, () => ({ type: 'echo', ...over })) })

function submitRegistered (core: WorkCore, registry: FakeRegistry, input: JobInput, now: number): { jobId: string, started: Task[] } {
  const ticket = core.submit([input], now)
  for (const reg of persist(core).register) for (const [id, e] of reg.entries) registry.jobs.set(id, e)
  core.registered(ticket.id, undefined, now)
  return { jobId: ticket.jobs[0]!.id, started: persist(core).start }
}

function view (peer: string, core: WorkCore): PeerInfo[] {
  return [{ peerId: peer, queued: core.stealable, capabilities: core.capabilities }]
}

/** B steals from A; returns the batch B got. */
function steal (a: WorkCore, b: WorkCore, now: number): Task[] {
  b.peers(view('A', a), now)
  b.peerAdvertised('A', now)
  const ask = persist(b).messages.find(m => m.msg.op === 'steal')!
  a.request('B', 1, ask.msg, now)
  const reply = persist(a).replies[0]!.reply
  b.response(ask.id, reply, now)
  return persist(b).start
}

describe('WorkCore stuck-job evidence', () => {
  it('reports nothing for a job that progressed since the cut-off', () => {
    const reg = new FakeRegistry()
    const a = makeCore('A', reg)
    submitRegistered(a, reg, tasks(3), 1000)
    expect(a.jobEvidence(1000)).toEqual([])
    expect(a.jobEvidence(1001).map(e => e.lastProgressAt)).toEqual([1000])
  })

  it('counts a first attempt as progress but not a retry, and keeps the retry errors', () => {
    const reg = new FakeRegistry()
    const a = makeCore('A', reg, { retryBaseMs: 10 })
    const { jobId, started } = submitRegistered(a, reg, tasks(1, { attempts: 5 }), 1000)
    a.taskFinished(started[0]!.id, failed('timed out after 5000 ms'), 6000)
    persist(a)
    a.tick(7000)
    expect(persist(a).start).toHaveLength(1)
    const [ev] = a.jobEvidence(10_000)
    expect(ev!.jobId).toBe(jobId)
    expect(ev!.lastProgressAt).toBe(1000)
    expect(ev!.recentErrors).toEqual([expect.objectContaining({ type: 'echo', error: 'timed out after 5000 ms', at: 6000, timedOut: true })])
    expect(ev!.running).toHaveLength(1)
  })

  it('reports batches lent to a thief, with when they were lent', () => {
    const reg = new FakeRegistry()
    const a = makeCore('A', reg)
    const b = makeCore('B', reg)
    submitRegistered(a, reg, tasks(40), 1000)
    const got = steal(a, b, 1500)
    expect(got.length).toBeGreaterThan(0)
    const [ev] = a.jobEvidence(5000)
    expect(ev!.lastProgressAt).toBe(1500)
    expect(ev!.lent).toHaveLength(1)
    expect(ev!.lent[0]).toMatchObject({ peer: 'B', batches: 1, lentAt: 1500 })
    expect(ev!.lent[0]!.tasks).toBeGreaterThan(0)
    expect(ev!.queued.reduce((n, q) => n + q.count, 0) + ev!.lent[0]!.tasks + ev!.running.length).toBe(40)
  })

  it('reports the capability its queued tasks wait for once no live node offers it', () => {
    const reg = new FakeRegistry()
    const a = makeCore('A', reg)
    a.peers([{ peerId: 'G', queued: 0, capabilities: ['handler:echo', 'gpu'] }], 1000)
    const { jobId } = submitRegistered(a, reg, tasks(2, { requires: ['gpu'] }), 1000)
    // The capable node leaves the mesh.
    a.peers([], 2000)
    const [ev] = a.jobEvidence(3000)
    expect(ev!.jobId).toBe(jobId)
    expect(ev!.waitingFor).toEqual(['gpu'])
    expect(ev!.queued).toEqual([{ type: 'echo', requires: ['gpu', 'handler:echo'], count: 2 }])
  })

  it('remembers since when a peer has not answered, and forgets it once it answers', () => {
    const reg = new FakeRegistry()
    const a = makeCore('A', reg)
    const b = makeCore('B', reg)
    submitRegistered(a, reg, tasks(40), 1000)
    steal(a, b, 1000)
    expect(a.resendTo('B', 2000)).toBe(1)
    const resend = persist(a).messages.find(m => m.msg.op === 'deliver' && m.to === 'B')!
    a.response(resend.id, new Error('stream reset'), 2100)
    expect(a.unansweredSince('B')).toBe(2100)
    expect(a.resendTo('B', 3000)).toBe(1)
    const again = persist(a).messages.find(m => m.msg.op === 'deliver' && m.to === 'B')!
    a.response(again.id, { ok: true, error: '', accepted: 0, remaining: 0, batches: [] } as never, 3100)
    expect(a.unansweredSince('B')).toBeUndefined()
  })

  it('re-sends nothing to a peer declared dead (its batches are reclaimed instead)', () => {
    const reg = new FakeRegistry()
    const a = makeCore('A', reg)
    const b = makeCore('B', reg)
    submitRegistered(a, reg, tasks(40), 1000)
    steal(a, b, 1000)
    reg.dead.add('B')
    expect(a.resendTo('B', 2000)).toBe(0)
  })
})

describe('WorkCore under resource pressure', () => {
  it('refuses submits with RESOURCE_EXHAUSTED, staging nothing', () => {
    const reg = new FakeRegistry()
    const a = makeCore('A', reg)
    a.resourcePressure(true, 1000)
    let err: unknown
    try { a.submit([tasks(1)], 1001) } catch (e) { err = e }
    expect((err as WorkError).code).toBe('RESOURCE_EXHAUSTED')
    expect((err as WorkError).message).toMatch(/near its memory or disk limit.*nothing was accepted/)
    expect(persist(a).writes).toEqual([])
    a.resourcePressure(false, 1002)
    expect(submitRegistered(a, reg, tasks(1), 1003).started).toHaveLength(1)
  })

  it('steals nothing while under pressure, and again once relieved', () => {
    const reg = new FakeRegistry()
    const a = makeCore('A', reg)
    const b = makeCore('B', reg)
    submitRegistered(a, reg, tasks(40), 1000)
    b.resourcePressure(true, 1000)
    b.peers(view('A', a), 1001)
    b.peerAdvertised('A', 1001)
    expect(persist(b).messages.filter(m => m.msg.op === 'steal')).toEqual([])
    b.resourcePressure(false, 1002)
    expect(persist(b).messages.filter(m => m.msg.op === 'steal').map(m => m.to)).toEqual(['A'])
  })

  it('still lends to thieves while under pressure (that only relieves it)', () => {
    const reg = new FakeRegistry()
    const a = makeCore('A', reg)
    const b = makeCore('B', reg)
    submitRegistered(a, reg, tasks(40), 1000)
    a.resourcePressure(true, 1000)
    expect(steal(a, b, 1001).length).toBeGreaterThan(0)
  })
})
