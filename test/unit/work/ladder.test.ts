// The escalation ladder (src/work/core/ladder.ts) and how the work core climbs it, on a fake
// clock: retry here → run on another capable node → fail with every attempt's error; the
// restart cap per task type per hour; the handler breaker taking a failing type off what a
// node offers; the peer breaker refusing a thief whose delegated tasks keep failing.
import { describe, expect, it } from 'vitest'
import { mulberry32 } from '../../../src/prng.js'
import { MAINTAIN_EVERY_MS, WorkCore, type AttemptEnd, type PeerInfo, type Ready, type WorkCoreConfig, type WorkNotice } from '../../../src/work/core.js'
import { RestartCap, avoidedNodes, escalationStep, withFailure, type AttemptFailure } from '../../../src/work/core/ladder.js'
import type { WorkMsg } from '../../../src/work/messages.js'
import type { JobInput, Task } from '../../../src/work/spec.js'
import { FakeRegistry } from './fake-registry.js'
import { outcomeWritten } from './writes.js'

const ECHO = ['handler:echo']
const T0 = 1_000_000

function makeCore (self: string, registry: FakeRegistry, cfg: Partial<WorkCoreConfig> = {}): WorkCore {
  return WorkCore.create({ self, incarnation: 1, concurrency: 1, capabilities: ECHO, rng: mulberry32(7), retryBaseMs: 10, ...cfg }, registry, T0)
}

/** Drains and makes durable; collects notices. */
class Log {
  readonly notices: WorkNotice[] = []
  readonly writes: Ready['writes'] = []
  persist (core: WorkCore): Ready {
    const rd = core.ready()
    if (rd.seq > 0) core.advance(rd.seq)
    this.notices.push(...rd.notices)
    this.writes.push(...rd.writes)
    return rd
  }

  steps (): string[] {
    return this.notices.filter(n => n.type === 'task.escalated').map(n => n.data.step as string)
  }
}

function ok (): AttemptEnd {
  return { ok: true, result: '"done"', children: [], durationMs: 5, stoppedByNode: false }
}

function failed (error: string): AttemptEnd {
  return { ok: false, error, children: [], durationMs: 5, stoppedByNode: false }
}

function submit (core: WorkCore, log: Log, registry: FakeRegistry, input: JobInput, now = T0): { jobId: string, started: Task[] } {
  const ticket = core.submit([input], now)
  const rd = log.persist(core)
  for (const reg of rd.register) for (const [id, e] of reg.entries) registry.jobs.set(id, e)
  core.registered(ticket.id, undefined, now)
  return { jobId: ticket.jobs[0]!.id, started: log.persist(core).start }
}

/** Runs the clock forward until the core starts something or sends a message (at most `ms`). */
function until (core: WorkCore, log: Log, from: number, ms = 5_000): { now: number, rd: Ready } {
  let now = from
  for (;;) {
    now = Math.min(Math.max(core.nextDeadline(), now + 1), from + ms)
    core.tick(now)
    const rd = log.persist(core)
    if (rd.start.length > 0 || rd.messages.some(m => m.msg.op === 'deliver') || now >= from + ms) return { now, rd }
  }
}

function peer (id: string, capabilities = ECHO, queued = 0): PeerInfo {
  return { peerId: id, queued, capabilities }
}

describe('escalation ladder (pure)', () => {
  const cfg = { localAttempts: 2, restartsPerTypePerHour: 100 }
  const f = (node: string, attempt: number): AttemptFailure => ({ node, attempt, error: 'x', at: T0 })

  it('retries here, then elsewhere, then fails; capped when the type\'s restarts are used up', () => {
    expect(escalationStep([f('A', 1)], 1, 4, 'A', cfg, false)).toBe('retry-here')
    expect(escalationStep([f('A', 1), f('A', 2)], 2, 4, 'A', cfg, false)).toBe('other-node')
    expect(escalationStep([f('A', 1), f('A', 2), f('B', 3)], 3, 4, 'B', cfg, false)).toBe('retry-here')
    expect(escalationStep([f('A', 1), f('A', 2), f('B', 3), f('B', 4)], 4, 4, 'B', cfg, false)).toBe('failed')
    expect(escalationStep([f('A', 1)], 1, 4, 'A', cfg, true)).toBe('capped')
    // Used up wins over capped: its reason is its own error.
    expect(escalationStep([f('A', 1)], 1, 1, 'A', cfg, true)).toBe('failed')
  })

  it('avoids the nodes a task failed on localAttempts times', () => {
    expect([...avoidedNodes([f('A', 1), f('A', 2), f('B', 3)], 2)]).toEqual(['A'])
    expect([...avoidedNodes(undefined, 2)]).toEqual([])
  })

  it('bounds what a task carries: error text and count', () => {
    let list: AttemptFailure[] = []
    for (let i = 1; i <= 40; i++) list = withFailure(list, { node: 'A', attempt: i, error: 'e'.repeat(2_000), at: T0 })
    expect(list).toHaveLength(16)
    expect(list[0]!.attempt).toBe(1)
    expect(list.at(-1)!.attempt).toBe(40)
    expect(list[0]!.error.length).toBeLessThanOrEqual(501)
  })

  it('caps restarts per type in a sliding hour', () => {
    const cap = new RestartCap(3)
    for (let i = 0; i < 3; i++) {
      expect(cap.reached('poison', T0 + i)).toBe(false)
      cap.record('poison', T0 + i)
    }
    expect(cap.reached('poison', T0 + 10)).toBe(true)
    expect(cap.reached('other', T0 + 10)).toBe(false)
    expect(cap.reached('poison', T0 + 3_600_000)).toBe(false)
    expect(cap.count('poison', T0 + 3_600_001)).toBe(1)
    expect(new RestartCap(0).reached('poison', T0)).toBe(false)
  })
})

describe('WorkCore: the escalation ladder', () => {
  it('retries a failing task here, then hands it to another capable node with the node it failed on', () => {
    const reg = new FakeRegistry()
    const a = makeCore('A', reg)
    const log = new Log()
    a.peers([peer('B'), peer('C', ['gpu'])], T0)
    const { started } = submit(a, log, reg, { tasks: [{ type: 'echo', attempts: 4 }] })
    const id = started[0]!.id
    a.taskFinished(id, failed('boom 1'), T0 + 5)
    log.persist(a)
    expect(log.steps()).toEqual(['retry-here'])
    const again = until(a, log, T0 + 5)
    expect(again.rd.start.map(t => t.id)).toEqual([id])
    a.taskFinished(id, failed('boom 2'), again.now)
    log.persist(a)
    expect(log.steps()).toEqual(['retry-here', 'other-node'])
    expect(log.notices.at(-1)!.data).toMatchObject({ jobId: started[0]!.jobId, taskId: id, type: 'echo', node: 'A', step: 'other-node', attempt: 2, error: 'boom 2', avoid: ['A'] })
    // After the backoff it is not started here: it goes to B (C cannot run it).
    const moved = until(a, log, again.now)
    expect(moved.rd.start).toEqual([])
    const deliver = moved.rd.messages.find(m => m.msg.op === 'deliver')!
    expect(deliver.to).toBe('B')
    const task = (deliver.msg as Extract<WorkMsg, { op: 'deliver' }>).batches[0]!.tasks[0]!
    expect(task.attempts).toBe(2)
    expect(task.failures?.map(f => [f.node, f.attempt, f.error])).toEqual([['A', 1, 'boom 1'], ['A', 2, 'boom 2']])
  })

  it('runs it here after all when no other live capable node exists, and fails it with every attempt\'s error', () => {
    const reg = new FakeRegistry()
    const a = makeCore('A', reg)
    const log = new Log()
    a.peers([peer('C', ['gpu'])], T0)
    const { jobId, started } = submit(a, log, reg, { tasks: [{ type: 'echo', attempts: 3 }] })
    const id = started[0]!.id
    let now = T0 + 5
    for (let i = 1; i <= 3; i++) {
      if (i > 1) {
        const r = until(a, log, now)
        expect(r.rd.start.map(t => t.id)).toEqual([id])
        now = r.now
      }
      a.taskFinished(id, failed(`boom ${i}`), now)
      log.persist(a)
    }
    expect(log.steps()).toEqual(['retry-here', 'other-node', 'failed'])
    const outcome = outcomeWritten(log.writes, id) as unknown as { ok: boolean, error: string, attempts: number, failures: AttemptFailure[] }
    expect(outcome).toMatchObject({ ok: false, error: 'boom 3', attempts: 3 })
    expect(outcome.failures.map(f => [f.node, f.attempt, f.error])).toEqual([['A', 1, 'boom 1'], ['A', 2, 'boom 2'], ['A', 3, 'boom 3']])
    // The job's failure record keeps them, with the task.
    const job = log.writes.filter(w => w.bucket === 'jobs' && w.key === jobId).at(-1)!.value as { state: string, failures: Array<AttemptFailure & { taskId: string }> }
    expect(job.state).toBe('failed')
    expect(job.failures.map(f => [f.taskId, f.node, f.attempt])).toEqual([[id, 'A', 1], [id, 'A', 2], [id, 'A', 3]])
  })

  it('fails a failing task at once past the restart cap of its type ("restart cap reached")', () => {
    const reg = new FakeRegistry()
    const a = makeCore('A', reg, { concurrency: 2, supervision: { restartsPerTypePerHour: 1 } })
    const log = new Log()
    const { started } = submit(a, log, reg, { tasks: [{ type: 'echo', attempts: 5 }, { type: 'echo', attempts: 5 }] })
    expect(started).toHaveLength(2)
    a.taskFinished(started[0]!.id, failed('boom'), T0 + 1)
    a.taskFinished(started[1]!.id, failed('boom'), T0 + 2)
    const rd = log.persist(a)
    expect(log.steps()).toEqual(['retry-here', 'capped'])
    const outcome = outcomeWritten(rd.writes, started[1]!.id) as unknown as { ok: boolean, error: string, failures: AttemptFailure[] }
    expect(outcome.ok).toBe(false)
    expect(outcome.error).toMatch(/^restart cap reached: 1 restarts of "echo" tasks on A in the last hour/)
    expect(outcome.failures).toEqual([expect.objectContaining({ node: 'A', attempt: 1, error: 'boom' })])
  })
})

describe('WorkCore: circuit breakers', () => {
  it('takes a handler that fails every call off what it offers, hands its queued tasks to a capable peer, and probes it after the cool-down', () => {
    const reg = new FakeRegistry()
    const a = makeCore('A', reg, { supervision: { breakerFailures: 2, breakerCoolDownMs: 10_000 } })
    const log = new Log()
    a.peers([peer('B')], T0)
    const { started } = submit(a, log, reg, { tasks: Array.from({ length: 6 }, () => ({ type: 'echo', attempts: 1 })) })
    let now = T0 + 1
    a.taskFinished(started[0]!.id, failed('broken'), now)
    let rd = log.persist(a)
    expect(a.capabilities).toEqual(['handler:echo'])
    const second = rd.start[0]!
    a.taskFinished(second.id, failed('broken'), ++now)
    rd = log.persist(a)
    expect(log.notices.filter(n => n.type.startsWith('circuit.'))).toEqual([{ type: 'circuit.opened', data: expect.objectContaining({ kind: 'handler', target: 'echo', node: 'A', failures: 2 }) }])
    expect(a.capabilities).toEqual([])
    expect(a.circuits()).toEqual([expect.objectContaining({ kind: 'handler', target: 'echo', state: 'open' })])
    // The 4 queued echo tasks go to B rather than start here.
    expect(rd.start).toEqual([])
    const delivered = rd.messages.filter(m => m.msg.op === 'deliver' && m.to === 'B').flatMap(m => (m.msg as Extract<WorkMsg, { op: 'deliver' }>).batches.flatMap(b => b.tasks))
    expect(delivered).toHaveLength(4)
    // After the cool-down (at maintenance) it is half-open; the next echo task here is its probe.
    now += 10_000 + MAINTAIN_EVERY_MS
    a.tick(now)
    log.persist(a)
    expect(a.circuits()[0]!.state).toBe('half-open')
    expect(a.capabilities).toEqual(['handler:echo'])
    const probe = submit(a, log, reg, { tasks: [{ type: 'echo' }, { type: 'echo' }] }, now)
    expect(probe.started).toHaveLength(1)
    a.taskFinished(probe.started[0]!.id, ok(), now + 1)
    rd = log.persist(a)
    expect(a.circuits()[0]!.state).toBe('closed')
    expect(log.notices.filter(n => n.type.startsWith('circuit.')).map(n => n.type)).toEqual(['circuit.opened', 'circuit.half-open', 'circuit.closed'])
    expect(rd.start).toHaveLength(1)
  })

  it('opens a peer\'s circuit at the home when its results keep failing, and refuses its steals until the cool-down', () => {
    const reg = new FakeRegistry()
    const a = makeCore('A', reg, { supervision: { breakerFailures: 3, breakerCoolDownMs: 10_000 } })
    const log = new Log()
    const { jobId } = submit(a, log, reg, { tasks: Array.from({ length: 20 }, () => ({ type: 'echo', attempts: 1 })) })
    a.peers([peer('B')], T0)
    a.request('B', 1, { op: 'steal', capabilities: ECHO, want: 4 }, T0)
    let rd = log.persist(a)
    const grant = rd.replies[0]!.reply.batches.flatMap(b => b.tasks)
    expect(grant.length).toBeGreaterThan(2)
    const results = grant.slice(0, 3).map(t => ({ jobId, taskId: t.id, ok: false, error: 'handler crashed', spawned: 0, attempts: 1, node: 'B', finishedAt: T0 + 5, failures: [{ node: 'B', attempt: 1, error: 'handler crashed', at: T0 + 5 }] }))
    a.request('B', 2, { op: 'results', results }, T0 + 10)
    rd = log.persist(a)
    expect(log.notices.filter(n => n.type === 'circuit.opened')).toEqual([{ type: 'circuit.opened', data: expect.objectContaining({ kind: 'peer', target: 'B', node: 'A' }) }])
    a.request('B', 3, { op: 'steal', capabilities: ECHO, want: 4 }, T0 + 20)
    rd = log.persist(a)
    expect(rd.replies[0]!.reply).toMatchObject({ ok: true, batches: [], remaining: 0 })
    // Half-open after the cool-down: one task, its probe.
    a.tick(T0 + 10_020 + MAINTAIN_EVERY_MS)
    log.persist(a)
    a.request('B', 4, { op: 'steal', capabilities: ECHO, want: 4 }, T0 + 10_600)
    rd = log.persist(a)
    expect(rd.replies[0]!.reply.batches.flatMap(b => b.tasks)).toHaveLength(1)
    a.request('B', 5, { op: 'steal', capabilities: ECHO, want: 4 }, T0 + 10_601)
    expect(log.persist(a).replies[0]!.reply.batches).toEqual([])
  })

  it('does not count a poison task (failed on other nodes too) against the peer that ran it last', () => {
    const reg = new FakeRegistry()
    const a = makeCore('A', reg, { supervision: { breakerFailures: 1 } })
    const log = new Log()
    const { jobId } = submit(a, log, reg, { tasks: Array.from({ length: 4 }, () => ({ type: 'echo', attempts: 3 })) })
    a.request('B', 1, { op: 'steal', capabilities: ECHO, want: 1 }, T0)
    const t = log.persist(a).replies[0]!.reply.batches[0]!.tasks[0]!
    const failures = [{ node: 'A', attempt: 1, error: 'x', at: T0 }, { node: 'A', attempt: 2, error: 'x', at: T0 }, { node: 'B', attempt: 3, error: 'x', at: T0 }]
    a.request('B', 2, { op: 'results', results: [{ jobId, taskId: t.id, ok: false, error: 'x', spawned: 0, attempts: 3, node: 'B', finishedAt: T0, failures }] }, T0 + 1)
    log.persist(a)
    expect(a.circuits()).toEqual([])
  })
})
