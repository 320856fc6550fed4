// Partition fencing in WorkCore alone (fake clock, no LevelDB): a node the consensus layer
// says has no quorum contact refuses submits at once, neither steals nor lends, and runs
// everything it holds; with contact back it steals again.
import { describe, expect, it } from 'vitest'
import { mulberry32 } from '../../../src/prng.js'
import { MAINTAIN_EVERY_MS, WorkCore, type AttemptEnd, type PeerInfo, type Ready, type WorkCoreConfig } from '../../../src/work/core.js'
import { WorkError } from '../../../src/work/errors.js'
import type { JobInput, Task } from '../../../src/work/spec.js'
import { FakeRegistry } from './fake-registry.js'

const ECHO = ['handler:echo']


function makeCore (self: string, registry: FakeRegistry, cfg: Partial<WorkCoreConfig> = {}): WorkCore {
  return WorkCore.create({ self, incarnation: 1, concurrency: 1, capabilities: ECHO, rng: mulberry32(7), ...cfg }, registry, 1000)
}

/** ready() then advance(): the writes are durable. */
function persist (core: WorkCore): Ready {
  const rd = core.ready()
  if (rd.seq > 0) core.advance(rd.seq)
  return rd
}

const ok: AttemptEnd = { ok: true, result: '"done"', children: [], durationMs: 5, stoppedByNode: false }
const tasks = (n: number): JobInput => ({ tasks: Array.from({ length: n }, () => ({ type: 'echo' })) })

function submitRegistered (core: WorkCore, registry: FakeRegistry, input: JobInput, now: number): { jobId: string, started: Task[] } {
  const ticket = core.submit([input], now)
  for (const reg of persist(core).register) for (const [id, e] of reg.entries) registry.jobs.set(id, e)
  core.registered(ticket.id, undefined, now)
  return { jobId: ticket.jobs[0]!.id, started: persist(core).start }
}

function view (peer: string, core: WorkCore): PeerInfo[] {
  return [{ peerId: peer, queued: core.stealable, capabilities: core.capabilities }]
}

function steals (rd: Ready): string[] {
  return rd.messages.filter(m => m.msg.op === 'steal').map(m => m.to)
}

describe('WorkCore fenced (no quorum contact)', () => {
  it('refuses a submit at once with NO_QUORUM, staging and proposing nothing', () => {
    const reg = new FakeRegistry()
    const core = makeCore('A', reg)
    core.quorumContact(false, 1000)
    expect(core.isFenced).toBe(true)
    let err: unknown
    try { core.submit([tasks(1)], 1001) } catch (e) { err = e }
    expect(err).toBeInstanceOf(WorkError)
    expect((err as WorkError).code).toBe('NO_QUORUM')
    expect((err as WorkError).message).toMatch(/cannot reach a majority.*nothing was accepted.*Submit at a node in the majority/)
    const rd = persist(core)
    expect(rd.writes).toEqual([])
    expect(rd.register).toEqual([])
    expect(core.activeJobs()).toEqual([])
  })

  it('accepts submits again once contact is back', () => {
    const reg = new FakeRegistry()
    const core = makeCore('A', reg)
    core.quorumContact(false, 1000)
    core.quorumContact(true, 1001)
    expect(core.isFenced).toBe(false)
    const { started } = submitRegistered(core, reg, tasks(1), 1002)
    expect(started).toHaveLength(1)
  })

  it('keeps running the tasks it holds to the end of the job', () => {
    const reg = new FakeRegistry()
    const core = makeCore('A', reg)
    const { jobId, started } = submitRegistered(core, reg, tasks(3), 1000)
    core.quorumContact(false, 1001)
    let running = started
    let now = 1002
    for (let i = 0; i < 3; i++) {
      expect(running).toHaveLength(1)
      core.taskFinished(running[0]!.id, ok, now++)
      running = persist(core).start
    }
    persist(core)
    expect(reg.jobs.get(jobId)?.state).toBe('running')
    expect(core.stats()).toMatchObject({ queued: 0, running: 0 })
    expect(core.counters.tasksRun).toBe(3)
  })

  it('steals from no one, however loaded its peers, and steals again once contact is back', () => {
    const reg = new FakeRegistry()
    const a = makeCore('A', reg)
    const b = makeCore('B', reg)
    submitRegistered(a, reg, tasks(40), 1000)
    expect(a.stealable).toBeGreaterThan(0)
    b.quorumContact(false, 1000)
    b.peers(view('A', a), 1001)
    b.peerAdvertised('A', 1001)
    expect(steals(persist(b))).toEqual([])
    for (let t = 1001; t <= 1001 + 4 * MAINTAIN_EVERY_MS; t += 100) b.tick(t)
    expect(steals(persist(b))).toEqual([])
    expect(b.counters.stealsSent).toBe(0)
    b.quorumContact(true, 3500)
    expect(steals(persist(b))).toEqual(['A'])
  })

  it('lends nothing: advertises no stealable work and answers a steal with an empty grant', () => {
    const reg = new FakeRegistry()
    const a = makeCore('A', reg)
    submitRegistered(a, reg, tasks(40), 1000)
    a.quorumContact(false, 1001)
    expect(a.stealable).toBe(0)
    a.request('B', 1, { op: 'steal', capabilities: ECHO, want: 10 }, 1002)
    const rd = persist(a)
    expect(rd.replies).toEqual([{ id: 1, reply: expect.objectContaining({ ok: true, batches: [], remaining: 0 }) }])
    expect(rd.writes.filter(w => w.bucket === 'tasks')).toEqual([])
    expect(a.counters.stealsGranted).toBe(0)
    a.quorumContact(true, 1003)
    expect(a.stealable).toBeGreaterThan(0)
  })

  it('sends the results of work it was lent home, and re-sends what it lent, while fenced', () => {
    const reg = new FakeRegistry()
    const a = makeCore('A', reg)
    const b = makeCore('B', reg)
    submitRegistered(a, reg, tasks(40), 1000)
    b.peers(view('A', a), 1001)
    b.peerAdvertised('A', 1001)
    const ask = persist(b).messages.find(m => m.msg.op === 'steal')!
    a.request('B', 1, ask.msg, 1001)
    const reply = persist(a).replies[0]!.reply
    b.response(ask.id, reply, 1001)
    const started = persist(b).start
    expect(started.length).toBeGreaterThan(0)
    a.quorumContact(false, 1002)
    b.quorumContact(false, 1002)
    b.taskFinished(started[0]!.id, ok, 1003)
    persist(b)
    b.tick(1100)
    expect(persist(b).messages.filter(m => m.msg.op === 'results').map(m => m.to)).toEqual(['A'])
    let resent = false
    for (let t = 1000 + MAINTAIN_EVERY_MS; t <= 6000 && !resent; t += MAINTAIN_EVERY_MS) {
      a.tick(t)
      resent = persist(a).messages.some(m => m.msg.op === 'deliver' && m.to === 'B')
    }
    expect(resent).toBe(true)
  })
})
