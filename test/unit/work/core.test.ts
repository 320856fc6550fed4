// WorkCore alone, on a fake clock and without LevelDB: time only moves when a test says so,
// every output is drained from ready(), and writes become durable only at advance(). These
// tests pin the core's contract — deadlines instead of timers, persist then send, cancel —
// independently of the shell (test/unit/work/engine.test.ts covers core and shell together).
import { describe, expect, it } from 'vitest'
import type { JobEntry } from '../../../src/consensus/control.js'
import { mulberry32 } from '../../../src/prng.js'
import { DEFAULT_RESEND_MS, MAINTAIN_EVERY_MS, MAX_RESEND_MS, PREFETCH_PER_SLOT, PROGRESS_EVERY_MS, RESULTS_LINGER_MS, RESULTS_MAX_LINGER_MS, RESULTS_SHARE, WorkCore, type AttemptEnd, type PeerInfo, type Ready, type WorkCoreConfig } from '../../../src/work/core.js'
import { okReply, type WorkMsg, type WorkReply } from '../../../src/work/messages.js'
import type { JobInput, Task } from '../../../src/work/spec.js'
import { FakeRegistry } from './fake-registry.js'

const ECHO = ['handler:echo']


function makeCore (self: string, registry: FakeRegistry, now: number, cfg: Partial<WorkCoreConfig> = {}): WorkCore {
  return WorkCore.create({ self, incarnation: 1, concurrency: 1, capabilities: ECHO, rng: mulberry32(7), ...cfg }, registry, now)
}

/** Everything drained so far, with the ready each output came in. */
class Log {
  readonly readies: Ready[] = []
  drain (core: WorkCore): Ready {
    const rd = core.ready()
    if (rd.seq > 0) this.readies.push(rd)
    return rd
  }

  /** ready() then advance(): the writes are durable. */
  persist (core: WorkCore): Ready {
    const rd = this.drain(core)
    if (rd.seq > 0) core.advance(rd.seq)
    return rd
  }
}

function ok (durationMs = 5, children: Task[] = []): AttemptEnd {
  return { ok: true, result: '"done"', children, durationMs, stoppedByNode: false }
}

function failed (error: string): AttemptEnd {
  return { ok: false, error, children: [], durationMs: 5, stoppedByNode: false }
}

/** Submits and registers a job; returns its id and the tasks started along the way. */
function submitRegistered (core: WorkCore, log: Log, registry: FakeRegistry, input: JobInput, now: number): { jobId: string, started: Task[] } {
  const ticket = core.submit([input], now)
  const rd = log.persist(core)
  expect(rd.start).toEqual([])
  for (const reg of rd.register) for (const [id, e] of reg.entries) registry.jobs.set(id, e)
  core.registered(ticket.id, undefined, now)
  const after = log.persist(core)
  expect(after.submitted).toEqual([{ id: ticket.id, jobs: ticket.jobs }])
  return { jobId: ticket.jobs[0]!.id, started: after.start }
}

describe('WorkCore: submit and registration', () => {
  it('queues a job\'s tasks only once its registration is applied', () => {
    const reg = new FakeRegistry()
    const core = makeCore('A', reg, 1000)
    const log = new Log()
    const ticket = core.submit([{ tasks: [{ type: 'echo' }] }], 1000)
    const rd = log.drain(core)
    expect(rd.register).toHaveLength(1)
    expect(rd.register[0]!.id).toBe(ticket.id)
    // A one-task job: its root task is written inside its record (StoredJob), not under its own key.
    expect(rd.writes.map(w => `${w.type} ${w.bucket}`)).toEqual(['put jobs'])
    expect(rd.writes[0]!.task?.task.id).toBe(`${ticket.jobs[0]!.id}/0`)
    expect(rd.start).toEqual([])
    expect(rd.submitted).toEqual([])
    core.registered(ticket.id, undefined, 1001)
    const next = log.drain(core)
    expect(next.start.map(t => t.id)).toEqual([`${ticket.jobs[0]!.id}/0`])
    expect(next.submitted).toEqual([{ id: ticket.id, jobs: ticket.jobs }])
  })

  it('undoes everything a submission staged when its registration fails (NOT_REGISTERED)', () => {
    const core = makeCore('A', new FakeRegistry(), 1000)
    const log = new Log()
    const ticket = core.submit([{ tasks: [{ type: 'echo' }, { type: 'echo' }] }], 1000)
    const staged = log.persist(core).writes
    core.registered(ticket.id, new Error('no quorum'), 1001)
    const rd = log.persist(core)
    expect(rd.submitted).toHaveLength(1)
    expect(rd.submitted[0]!.error).toMatchObject({ code: 'NOT_REGISTERED' })
    // Every key put by the submission is deleted again, and nothing started.
    const put = staged.filter(w => w.type === 'put').map(w => `${w.bucket}/${w.key}`).sort()
    const deleted = rd.writes.filter(w => w.type === 'del').map(w => `${w.bucket}/${w.key}`).sort()
    expect(deleted).toEqual(put)
    expect(rd.start).toEqual([])
    expect(core.stats()).toMatchObject({ queued: 0, activeJobs: 0 })
  })

  it('refuses a job no live node can run, staging nothing', () => {
    const core = makeCore('A', new FakeRegistry(), 1000)
    new Log().persist(core)
    expect(() => core.submit([{ tasks: [{ type: 'echo' }, { type: 'nosuch' }] }], 1000)).toThrow(expect.objectContaining({ code: 'NO_CAPABLE_NODE' }))
    expect(core.hasReady()).toBe(false)
    expect(core.stats()).toMatchObject({ queued: 0, activeJobs: 0 })
  })

  it('queues a job told to wait for a capable node, says what it waits for, and fails those tasks at its deadline', () => {
    const reg = new FakeRegistry()
    const core = makeCore('A', reg, 1000)
    const log = new Log()
    const input: JobInput = { tasks: [{ type: 'echo' }, { type: 'gpu-job', requires: ['gpu'] }], waitForCapableMs: 60_000 }
    const { jobId, started } = submitRegistered(core, log, reg, input, 1000)
    expect(started.map(t => t.type)).toEqual(['echo'])
    expect(core.activeJob(jobId)?.capableBy).toBe(61_000)
    expect(core.waitingFor(jobId)).toEqual(['gpu', 'handler:gpu-job'])
    core.taskFinished(started[0]!.id, ok(), 1002)
    log.persist(core)
    // A node that could run it appears, then leaves again before taking it: still waiting.
    core.peers([{ peerId: 'G', queued: 0, capabilities: ['gpu', 'handler:gpu-job'] }], 2000)
    expect(core.waitingFor(jobId)).toEqual([])
    core.peers([], 3000)
    core.tick(60_999)
    log.persist(core)
    expect(core.activeJob(jobId)?.state).toBe('running')
    core.tick(61_000 + MAINTAIN_EVERY_MS)
    const rd = log.persist(core)
    const final = rd.writes.find(w => w.bucket === 'jobs' && w.key === jobId && (w.value as { state: string }).state === 'failed')
    expect((final?.value as { error?: string } | undefined)?.error).toMatch(/NO_CAPABLE_NODE: .*needs gpu/)
  })

  it('reports a job finished only after advance() of the ready holding its final state', () => {
    const reg = new FakeRegistry()
    const core = makeCore('A', reg, 1000)
    const log = new Log()
    const { jobId, started } = submitRegistered(core, log, reg, { tasks: [{ type: 'echo' }] }, 1000)
    core.taskFinished(started[0]!.id, ok(), 1002)
    const rd = log.drain(core)
    expect(rd.writes.some(w => w.bucket === 'jobs' && w.key === jobId && (w.value as { state: string }).state === 'completed')).toBe(true)
    expect(rd.finished).toEqual([])
    expect(core.ready().finished).toEqual([])
    // Readers see the job as it was until its final record is durable.
    expect(core.activeJob(jobId)?.state).toBe('running')
    core.advance(rd.seq)
    expect(core.activeJob(jobId)).toBeUndefined()
    const after = log.drain(core)
    expect(after.finished.map(j => [j.id, j.state])).toEqual([[jobId, 'completed']])
    expect(after.register[0]!.entries).toEqual([[jobId, expect.objectContaining({ state: 'completed' })]])
  })
})

describe('WorkCore: deadlines instead of timers', () => {
  it('turns a failed attempt\'s retry backoff into a deadline (200 ms × 2^attempt, jittered)', () => {
    const reg = new FakeRegistry()
    const core = makeCore('A', reg, 1000)
    const log = new Log()
    const { started } = submitRegistered(core, log, reg, { tasks: [{ type: 'echo', attempts: 3 }] }, 1000)
    const id = started[0]!.id
    core.taskFinished(id, failed('boom'), 1000)
    expect(log.persist(core).start).toEqual([])
    const first = core.nextDeadline()
    expect(first - 1000).toBeGreaterThanOrEqual(100)
    expect(first - 1000).toBeLessThan(200)
    core.tick(first - 1)
    expect(log.persist(core).start).toEqual([])
    core.tick(first)
    const again = log.persist(core).start
    expect(again.map(t => [t.id, t.attempts])).toEqual([[id, 1]])
    core.taskFinished(id, failed('boom again'), first)
    log.persist(core)
    const second = core.nextDeadline()
    expect(second - first).toBeGreaterThanOrEqual(200)
    expect(second - first).toBeLessThan(400)
  })

  it('keeps maintenance as a deadline every 500 ms while it holds work', () => {
    const reg = new FakeRegistry()
    const core = makeCore('A', reg, 1000)
    const log = new Log()
    submitRegistered(core, log, reg, { tasks: [{ type: 'echo' }] }, 1000)
    expect(core.nextDeadline()).toBe(1000 + MAINTAIN_EVERY_MS)
    core.tick(1000 + MAINTAIN_EVERY_MS)
    expect(core.nextDeadline()).toBe(1000 + 2 * MAINTAIN_EVERY_MS)
  })

  it('sets no maintenance deadline while it holds nothing, and one 500 ms after work arrives', () => {
    const reg = new FakeRegistry()
    const core = makeCore('A', reg, 1000)
    const log = new Log()
    core.tick(1000 + MAINTAIN_EVERY_MS)
    expect(core.nextDeadline()).toBe(Infinity)
    const { jobId, started } = submitRegistered(core, log, reg, { tasks: [{ type: 'echo' }] }, 9_000)
    expect(core.nextDeadline()).toBe(9_000 + MAINTAIN_EVERY_MS)
    core.taskFinished(started[0]!.id, ok(), 9_002)
    core.advance(log.drain(core).seq)
    log.drain(core)
    expect(core.activeJob(jobId)).toBeUndefined()
    // The finished job's bookkeeping goes at the next maintenance; then nothing is due.
    core.tick(9_000 + MAINTAIN_EVERY_MS)
    log.drain(core)
    expect(core.nextDeadline()).toBe(Infinity)
  })

  it('ends a burst of 512 starts at the next tick', () => {
    const reg = new FakeRegistry()
    const core = makeCore('A', reg, 1000, { concurrency: 1000 })
    const log = new Log()
    const { started } = submitRegistered(core, log, reg, { tasks: Array.from({ length: 600 }, () => ({ type: 'echo' })) }, 1000)
    expect(started).toHaveLength(512)
    expect(core.nextDeadline()).toBeLessThanOrEqual(1000)
    core.tick(1000)
    expect(log.persist(core).start).toHaveLength(88)
  })
})

/** A home A and a thief B joined by hand: messages are delivered by the test. */
function pair (concurrency = 1): { reg: FakeRegistry, a: WorkCore, b: WorkCore, log: Log } {
  const reg = new FakeRegistry()
  const a = makeCore('A', reg, 1000, { concurrency })
  const b = makeCore('B', reg, 1000, { concurrency })
  return { reg, a, b, log: new Log() }
}

function view (peer: string, core: WorkCore): PeerInfo[] {
  return [{ peerId: peer, queued: core.stealable, capabilities: core.capabilities }]
}

/** B steals from A: returns A's ready holding the grant and B's ready after receiving it. */
function steal (a: WorkCore, b: WorkCore, log: Log, now: number): { grant: Ready, received: Ready, reply: WorkReply } {
  b.peers(view('A', a), now)
  b.peerAdvertised('A', now)
  const ask = log.persist(b).messages.find(m => m.msg.op === 'steal')!
  expect(ask.to).toBe('A')
  a.request('B', 1, ask.msg, now)
  const grant = log.drain(a)
  const reply = grant.replies.find(r => r.id === 1)!.reply
  a.advance(grant.seq)
  b.response(ask.id, reply, now)
  return { grant, received: log.persist(b), reply }
}

describe('WorkCore: a thief asks again before its queue runs dry', () => {
  /** B (4 slots) steals from A; A's grant reaches B `latencyMs` later. Returns what B holds. */
  function slowGrant (latencyMs: number): { a: WorkCore, b: WorkCore, log: Log, started: Task[], queued: number } {
    const reg = new FakeRegistry()
    const a = makeCore('A', reg, 1000)
    const b = makeCore('B', reg, 1000, { concurrency: 4 })
    const log = new Log()
    submitRegistered(a, log, reg, { tasks: Array.from({ length: 4000 }, () => ({ type: 'echo' })) }, 1000)
    b.peers(view('A', a), 1001)
    b.peerAdvertised('A', 1001)
    const ask = log.persist(b).messages.find(m => m.msg.op === 'steal')!
    a.request('B', 1, ask.msg, 1001)
    const grant = log.persist(a)
    const reply = grant.replies.find(r => r.id === 1)!.reply
    b.peers(view('A', a), 1001 + latencyMs)
    b.response(ask.id, reply, 1001 + latencyMs)
    const rd = log.persist(b)
    const got = reply.batches.reduce((n, x) => n + x.tasks.length, 0)
    return { a, b, log, started: rd.start, queued: got - rd.start.length }
  }

  /** B's tasks end one by one (10 ms each); returns how many were still queued when B asked again. */
  function queuedAtNextSteal (b: WorkCore, log: Log, started: Task[], queued: number, from: number): number | undefined {
    const running = [...started]
    let now = from
    while (running.length > 0) {
      now += 10
      b.taskFinished(running.shift()!.id, ok(10), now)
      queued = Math.max(0, queued - 1)
      const rd = log.persist(b)
      running.push(...rd.start)
      if (rd.messages.some(m => m.msg.op === 'steal')) return queued
    }
    return undefined
  }

  it('asks again while its queue still holds what the last grant took to come, not only a few tasks per slot', () => {
    const { b, log, started, queued } = slowGrant(100)
    expect(started).toHaveLength(4)
    expect(queued).toBeGreaterThan(4 * 10)
    // The grant took 100 ms, ten rounds of its 10 ms tasks: B asks with ~40 still queued.
    const left = queuedAtNextSteal(b, log, started, queued, 1101)
    expect(left).toBeDefined()
    expect(left!).toBeGreaterThanOrEqual(4 * 10 - 1)
    expect(left!).toBeLessThan(4 * 10)
  })

  it('with grants that come at once, asks when a few tasks per slot remain, as before', () => {
    const { b, log, started, queued } = slowGrant(0)
    const left = queuedAtNextSteal(b, log, started, queued, 1001)
    expect(left).toBe(4 * PREFETCH_PER_SLOT - 1)
  })
})

describe('WorkCore: persist, then send', () => {
  it('emits a steal grant in the same ready as the writes that delegate its tasks', () => {
    const { reg, a, b, log } = pair()
    submitRegistered(a, log, reg, { tasks: Array.from({ length: 20 }, () => ({ type: 'echo' })) }, 1000)
    const { grant, reply } = steal(a, b, log, 1001)
    const lent = reply.batches.flatMap(x => x.tasks.map(t => t.id))
    expect(lent.length).toBeGreaterThan(0)
    const delegated = grant.writes.filter(w => w.bucket === 'tasks' && w.type === 'put' && (w.value as { state: string }).state === 'delegated').map(w => w.key)
    expect(delegated.sort()).toEqual([...lent].sort())
    // No earlier ready carried the reply.
    expect(log.readies.filter(r => r.replies.length > 0)).toEqual([grant])
  })

  it('lingers up to 10 ms before sending results home while holding more work for it, and not when done', () => {
    const { reg, a, b, log } = pair()
    submitRegistered(a, log, reg, { tasks: Array.from({ length: 40 }, () => ({ type: 'echo' })) }, 1000)
    const { received } = steal(a, b, log, 1001)
    const running = received.start
    expect(running).toHaveLength(1)
    b.taskFinished(running[0]!.id, ok(), 1002)
    const rd = log.persist(b)
    expect(rd.messages.filter(m => m.msg.op === 'results')).toEqual([])
    expect(rd.writes.some(w => w.bucket === 'outbox' && w.type === 'put')).toBe(true)
    expect(b.nextDeadline()).toBe(1002 + RESULTS_LINGER_MS)
    b.tick(1002 + RESULTS_LINGER_MS)
    const sent = log.persist(b).messages.filter(m => m.msg.op === 'results')
    expect(sent).toHaveLength(1)
    expect(sent[0]!.to).toBe('A')
  })

  it('lingers up to RESULTS_MAX_LINGER_MS while its outcomes are a small part of the work it holds for the home', () => {
    const { reg, a, b, log } = pair()
    submitRegistered(a, log, reg, { tasks: Array.from({ length: 400 }, () => ({ type: 'echo' })) }, 1000)
    const { received, reply } = steal(a, b, log, 1001)
    const got = reply.batches.flatMap(x => x.tasks).length
    expect(got).toBeGreaterThan(4 * RESULTS_SHARE)
    let t = 1002
    let running = received.start
    // Outcomes of a few tasks, fewer than a RESULTS_SHARE part of the grant: no message yet.
    for (let i = 0; i < 3; i++, t++) {
      b.taskFinished(running[0]!.id, ok(), t)
      const rd = log.persist(b)
      expect(rd.messages.filter(m => m.msg.op === 'results')).toEqual([])
      running = rd.start
    }
    expect(b.nextDeadline()).toBe(1002 + RESULTS_MAX_LINGER_MS)
    b.tick(1002 + RESULTS_LINGER_MS)
    expect(log.persist(b).messages.filter(m => m.msg.op === 'results')).toEqual([])
    b.tick(1002 + RESULTS_MAX_LINGER_MS)
    const sent = log.persist(b).messages.filter(m => m.msg.op === 'results')
    expect(sent).toHaveLength(1)
    expect((sent[0]!.msg as { results: unknown[] }).results).toHaveLength(3)
  })

  it('keeps retrying results a live home does not take, and warns every 30 s while it does not', () => {
    const { reg, a, b, log } = pair()
    submitRegistered(a, log, reg, { tasks: Array.from({ length: 40 }, () => ({ type: 'echo' })) }, 1000)
    const { received } = steal(a, b, log, 1001)
    b.taskFinished(received.start[0]!.id, ok(), 1002)
    let now = 1002
    const warnings: number[] = []
    let sends = 0
    while (now < 1002 + 65_000) {
      const rd = log.persist(b)
      for (const e of rd.events) if (e.level === 'warn' && e.msg.startsWith('results still not delivered')) warnings.push(e.fields.failingForMs as number)
      for (const m of rd.messages) {
        if (m.msg.op !== 'results') continue
        sends++
        b.response(m.id, new Error('A did not answer'), now)
      }
      now = Math.min(b.nextDeadline(), now + 1000)
      b.tick(now)
    }
    expect(sends).toBeGreaterThan(10)
    expect(warnings).toHaveLength(2)
    expect(warnings[0]).toBeGreaterThanOrEqual(30_000)
    expect(warnings[1]).toBeGreaterThanOrEqual(60_000)
    // Once the home answers, the entry leaves the outbox.
    for (let i = 0; i < 20 && b.outboxEntries.size > 0; i++) {
      const rd = log.persist(b)
      for (const m of rd.messages) if (m.msg.op === 'results') b.response(m.id, okReply({ accepted: 1 }), now)
      now += 1000
      b.tick(now)
    }
    expect(b.outboxEntries.size).toBe(0)
  })

  it('sends a remote task\'s progress to its home at most every 500 ms', () => {
    const { reg, a, b, log } = pair()
    submitRegistered(a, log, reg, { tasks: Array.from({ length: 40 }, () => ({ type: 'echo' })) }, 1000)
    const { received } = steal(a, b, log, 1001)
    const id = received.start[0]!.id
    b.taskProgress(id, { step: 1 }, 1010)
    b.taskProgress(id, { step: 2 }, 1020)
    expect(log.persist(b).messages.filter(m => m.msg.op === 'progress')).toEqual([])
    expect(b.nextDeadline()).toBeLessThanOrEqual(1010 + PROGRESS_EVERY_MS)
    b.tick(1010 + PROGRESS_EVERY_MS - 1)
    expect(log.persist(b).messages.filter(m => m.msg.op === 'progress')).toEqual([])
    expect(b.nextDeadline()).toBe(1010 + PROGRESS_EVERY_MS)
    b.tick(1010 + PROGRESS_EVERY_MS)
    const sent = log.persist(b).messages.filter(m => m.msg.op === 'progress')
    expect(sent.map(m => m.msg)).toEqual([{ op: 'progress', progress: [{ jobId: expect.any(String), taskId: id, value: '{"step":2}' }] } satisfies WorkMsg])
  })

  it('re-sends an unsignalled batch after 2 s, then backs off to at most 5 s', () => {
    const { reg, a, b, log } = pair()
    submitRegistered(a, log, reg, { tasks: Array.from({ length: 40 }, () => ({ type: 'echo' })) }, 1000)
    steal(a, b, log, 1000)
    const resends: number[] = []
    for (let t = 1000 + MAINTAIN_EVERY_MS; t <= 1000 + 20_000; t += MAINTAIN_EVERY_MS) {
      a.tick(t)
      if (log.persist(a).messages.some(m => m.msg.op === 'deliver' && m.to === 'B')) resends.push(t - 1000)
    }
    expect(resends[0]).toBe(DEFAULT_RESEND_MS)
    const gaps = resends.slice(1).map((t, i) => t - resends[i]!)
    expect(gaps[0]).toBe(2 * DEFAULT_RESEND_MS)
    expect(Math.max(...gaps)).toBe(MAX_RESEND_MS)
  })
})

describe('WorkCore: cancel', () => {
  it('drops queued tasks, aborts running ones, and ends the job cancelled', () => {
    const reg = new FakeRegistry()
    const core = makeCore('A', reg, 1000, { concurrency: 2 })
    const log = new Log()
    const { jobId, started } = submitRegistered(core, log, reg, { tasks: Array.from({ length: 10 }, () => ({ type: 'echo' })) }, 1000)
    expect(started).toHaveLength(2)
    core.cancel(jobId, 1005)
    const rd = log.persist(core)
    expect(rd.abort.map(a => a.reason)).toEqual(['cancelled', 'cancelled'])
    expect(rd.abort.map(a => a.taskId).sort()).toEqual(started.map(t => t.id).sort())
    expect(core.stats().queued).toBe(0)
    for (const t of started) core.taskFinished(t.id, failed('job cancelled'), 1006)
    const end = log.persist(core)
    log.persist(core)
    const finished = [...end.finished, ...log.readies.flatMap(r => r.finished)]
    expect(finished.find(j => j.id === jobId)).toMatchObject({ state: 'cancelled', cancelled: 10 })
  })
})

describe('WorkCore: cancel, applied at each node\'s own pace', () => {
  // Found by the work simulator once each node applied the control log with its own lag: a
  // thief applied a cancel first and dropped its share of the job without outcomes, its
  // signal reached the home, and the home — not there yet in the log — reported the job
  // COMPLETED with tasks never run.
  it('a home that has not applied a cancel yet does not call its job completed when a thief dropped cancelled tasks', () => {
    const regA = new FakeRegistry()
    const regB = new FakeRegistry()
    const a = makeCore('A', regA, 1000)
    const b = makeCore('B', regB, 1000)
    const log = new Log()
    const { jobId, started } = submitRegistered(a, log, regA, { tasks: Array.from({ length: 6 }, () => ({ type: 'echo' })) }, 1000)
    for (const [id, e] of regA.jobs) regB.jobs.set(id, e)
    const { received } = steal(a, b, log, 1001)
    expect(received.start.length).toBeGreaterThan(0)
    // B applies the cancel; A, further behind in the log, has not yet.
    regB.jobs.set(jobId, { ...regB.jobs.get(jobId)!, state: 'cancelled' })
    const mark = log.readies.length
    b.cancel(jobId, 1002)
    log.persist(b)
    for (const t of received.start) b.taskFinished(t.id, failed('job cancelled'), 1003)
    log.persist(b)
    log.persist(b)
    const signals = log.readies.slice(mark).flatMap(r => r.messages).filter(m => m.to === 'A' && m.msg.op === 'signal')
    expect(signals.length).toBeGreaterThan(0)
    let n = 100
    for (const m of signals) a.request('B', ++n, m.msg, 1004)
    // A runs the tasks it kept to their end.
    const finished: Array<{ id: string, state: string }> = []
    let pending = [...started, ...log.persist(a).start]
    for (let t = 1005; pending.length > 0; t++) {
      const task = pending.shift()!
      a.taskFinished(task.id, ok(), t)
      const rd = log.persist(a)
      pending.push(...rd.start)
      finished.push(...rd.finished)
    }
    finished.push(...log.persist(a).finished, ...log.persist(a).finished)
    expect(finished.filter(j => j.id === jobId)).toEqual([])
    // A applies the cancel: the job ends cancelled.
    regA.jobs.set(jobId, { ...regA.jobs.get(jobId)!, state: 'cancelled' })
    a.cancel(jobId, 2000)
    finished.push(...log.persist(a).finished, ...log.persist(a).finished)
    expect(finished.filter(j => j.id === jobId).map(j => j.state)).toEqual(['cancelled'])
  })
})

describe('WorkCore: determinism', () => {
  it('replays the same outputs from the same seed and inputs', () => {
    const run = (): string => {
      const { reg, a, b, log } = pair(2)
      submitRegistered(a, log, reg, { tasks: Array.from({ length: 30 }, (_, i) => ({ type: 'echo', payload: i, attempts: 2 })) }, 1000)
      steal(a, b, log, 1001)
      let now = 1001
      for (let round = 0; round < 50; round++) {
        now += 7
        for (const [core, name] of [[a, 'A'], [b, 'B']] as const) {
          core.tick(now)
          for (const t of core.runningTasks().map(r => r.taskId)) core.taskFinished(t, round % 3 === 0 ? failed('flaky') : ok(1), now)
          const rd = log.persist(core)
          const other = name === 'A' ? b : a
          for (const m of rd.messages) {
            other.request(name, m.id, m.msg, now)
            const ord = log.persist(other)
            const reply = ord.replies.find(r => r.id === m.id)
            if (reply != null) core.response(m.id, reply.reply, now)
          }
        }
      }
      return JSON.stringify(log.readies)
    }
    expect(run()).toBe(run())
  })
})

describe('WorkCore: the final state reaches the registry', () => {
  /** Runs a one-task job to completion and returns its id and the final-state registration. */
  function finishOne (core: WorkCore, log: Log, reg: FakeRegistry, now: number): { jobId: string, final: { id: number, entries: Array<[string, JobEntry]> } } {
    const { jobId, started } = submitRegistered(core, log, reg, { tasks: [{ type: 'echo' }] }, now)
    core.taskFinished(started[0]!.id, ok(), now + 1)
    let final: { id: number, entries: Array<[string, JobEntry]> } | undefined
    for (let i = 0; i < 4 && final == null; i++) final = log.persist(core).register.find(r => r.entries.some(([id, e]) => id === jobId && e.state === 'completed'))
    expect(final).toBeDefined()
    return { jobId, final: final! }
  }

  it('proposes a finished job\'s final state again at the next maintenance when the proposal failed', () => {
    const reg = new FakeRegistry()
    const core = makeCore('A', reg, 1000)
    const log = new Log()
    const { jobId, final } = finishOne(core, log, reg, 1000)
    core.registered(final.id, new Error('no quorum'), 1010)
    expect(log.persist(core).register).toEqual([])
    core.tick(1000 + MAINTAIN_EVERY_MS + 20)
    const again = log.persist(core).register
    expect(again).toHaveLength(1)
    expect(again[0]!.entries).toEqual(final.entries)
    expect(again[0]!.id).not.toBe(final.id)
    // Once it is taken, nothing more is proposed.
    for (const [id, e] of again[0]!.entries) reg.jobs.set(id, e)
    core.registered(again[0]!.id, undefined, 1000 + MAINTAIN_EVERY_MS + 30)
    core.tick(1000 + 2 * MAINTAIN_EVERY_MS + 40)
    expect(log.persist(core).register).toEqual([])
    expect(reg.jobs.get(jobId)?.state).toBe('completed')
  })

  it('after a restart, proposes the final state of a job the registry still shows running', () => {
    const reg = new FakeRegistry()
    const core = makeCore('A', reg, 1000)
    const log = new Log()
    const { jobId } = finishOne(core, log, reg, 1000)
    expect(reg.jobs.get(jobId)?.state).toBe('running')
    const record = log.readies.flatMap(r => r.writes).filter(w => w.type === 'put' && w.bucket === 'jobs' && w.key === jobId).pop()!
    const restarted = WorkCore.restore({ self: 'A', incarnation: 2, concurrency: 1, capabilities: ECHO, rng: mulberry32(8) },
      { tasks: [], outbox: [], jobs: [], finished: [record.value as any], completion: [] }, reg, 5000)
    const rd = new Log().persist(restarted)
    expect(rd.register.flatMap(r => r.entries)).toEqual([[jobId, expect.objectContaining({ state: 'completed', home: 'A' })]])
  })

  it('after a restart, leaves a final state the registry already holds alone', () => {
    const reg = new FakeRegistry()
    const core = makeCore('A', reg, 1000)
    const log = new Log()
    const { jobId, final } = finishOne(core, log, reg, 1000)
    for (const [id, e] of final.entries) reg.jobs.set(id, e)
    const record = log.readies.flatMap(r => r.writes).filter(w => w.type === 'put' && w.bucket === 'jobs' && w.key === jobId).pop()!
    const restarted = WorkCore.restore({ self: 'A', incarnation: 2, concurrency: 1, capabilities: ECHO, rng: mulberry32(8) },
      { tasks: [], outbox: [], jobs: [], finished: [record.value as any], completion: [] }, reg, 5000)
    expect(new Log().persist(restarted).register).toEqual([])
  })
})

describe('WorkCore: what the node\'s metrics read', () => {
  it('times a task\'s queue wait from its registration, not its submit', () => {
    const reg = new FakeRegistry()
    const core = makeCore('A', reg, 1000)
    const log = new Log()
    const ticket = core.submit([{ tasks: [{ type: 'echo' }, { type: 'echo' }] }], 1000)
    for (const r of log.persist(core).register) for (const [id, e] of r.entries) reg.jobs.set(id, e)
    core.registered(ticket.id, undefined, 1010)
    const [first] = log.persist(core).start
    expect(core.queueWaitMs(first!.id)).toBe(0)
    // One slot: the second task waits until the first is done.
    core.taskFinished(first!.id, ok(), 1050)
    const [second] = log.persist(core).start
    expect(second).toBeDefined()
    expect(core.queueWaitMs(second!.id)).toBe(40)
  })

  it('says what became of each attempt: retried, then failed for good; done', () => {
    const reg = new FakeRegistry()
    const core = makeCore('A', reg, 1000, { retryBaseMs: 10 })
    const log = new Log()
    const { started } = submitRegistered(core, log, reg, { tasks: [{ type: 'echo', attempts: 2 }] }, 1000)
    const id = started[0]!.id
    expect(core.taskFinished(id, failed('boom'), 1001)).toBe('retried')
    log.persist(core)
    core.tick(1100)
    const again = log.persist(core).start
    expect(again.map(t => t.id)).toEqual([id])
    // The backoff is not queue wait: it is measured from when the retry became due.
    expect(core.queueWaitMs(id)).toBe(0)
    expect(core.taskFinished(id, failed('boom'), 1101)).toBe('failed')
    expect(core.taskFinished(id, ok(), 1102)).toBe('dropped')
    const next = submitRegistered(core, log, reg, { tasks: [{ type: 'echo' }] }, 1200)
    expect(core.taskFinished(next.started[0]!.id, ok(), 1201)).toBe('done')
  })

  it('counts queued and running tasks by type on demand', () => {
    const reg = new FakeRegistry()
    const core = makeCore('A', reg, 1000, { capabilities: ['handler:echo', 'handler:sleep'] })
    const log = new Log()
    submitRegistered(core, log, reg, { tasks: [{ type: 'echo' }, { type: 'sleep' }, { type: 'sleep' }] }, 1000)
    const queued = new Map<string, number>()
    const running = new Map<string, number>()
    core.countByType(queued, running)
    expect(Object.fromEntries(running)).toEqual({ echo: 1 })
    expect(Object.fromEntries(queued)).toEqual({ sleep: 2 })
  })

  it('stamps when the home recorded a remote task\'s outcome, by the home\'s clock, beside when it finished', () => {
    const { reg, a, b, log } = pair()
    const { jobId } = submitRegistered(a, log, reg, { tasks: Array.from({ length: 40 }, () => ({ type: 'echo' })) }, 1000)
    const { received } = steal(a, b, log, 1001)
    b.taskFinished(received.start[0]!.id, ok(), 1002)
    log.persist(b)
    b.tick(1002 + RESULTS_LINGER_MS)
    const sent = log.persist(b).messages.find(m => m.msg.op === 'results')!
    a.request('B', 7, sent.msg, 1100)
    log.persist(a)
    expect(a.activeJob(jobId)).toMatchObject({ lastTaskAt: 1002, lastRecordedAt: 1100 })
  })

  it('counts a steal request answered with nothing as refused', () => {
    const core = makeCore('A', new FakeRegistry(), 1000)
    new Log().persist(core)
    core.request('B', 1, { op: 'steal', capabilities: ECHO, want: 4 }, 1000)
    expect(core.counters.stealsRefused).toBe(1)
    expect(core.counters.stealsGranted).toBe(0)
  })
})

describe('WorkCore: delayed jobs (submit --delay / --at)', () => {
  it('starts a delayed job\'s tasks at their start time, not before, and survives a restart', () => {
    const reg = new FakeRegistry()
    const core = makeCore('A', reg, 1000)
    const log = new Log()
    const { jobId, started } = submitRegistered(core, log, reg, { tasks: [{ type: 'echo' }], delayMs: 30_000 }, 1000)
    expect(started).toEqual([])
    expect(core.activeJob(jobId)?.notBefore).toBe(31_000)
    expect(core.nextDeadline()).toBeLessThanOrEqual(31_000)
    core.tick(30_999)
    expect(log.persist(core).start).toEqual([])
    core.tick(31_000)
    const rd = log.persist(core)
    expect(rd.start.map(t => t.id)).toEqual([`${jobId}/0`])
  })

  it('a delayed job is not flagged stuck while it waits for its start time', () => {
    const reg = new FakeRegistry()
    const core = makeCore('A', reg, 1000)
    const log = new Log()
    const { jobId } = submitRegistered(core, log, reg, { tasks: [{ type: 'echo' }], at: 600_000 }, 1000)
    // Stalled before 200 000: a job created at 1000 would be, were it not waiting to start.
    expect(core.jobEvidence(200_000).map(e => e.jobId)).not.toContain(jobId)
  })
})
