// Results and Dijkstra–Scholten signals between a thief and the home that lent it work
// (src/work/core/results.ts sendResults/onResults, src/work/core/outbox.ts, CompletionCore.coveredBy):
// the outcomes that finish a lent batch carry its signal, so the home records them and
// settles the batch in one step; the last outcome of a job does not wait behind a results
// message in flight; and nothing is lost when the thief dies before its results arrive.
import { describe, expect, it } from 'vitest'
import { mulberry32 } from '../../../src/prng.js'
import { DEFAULT_RESEND_MS, MAINTAIN_EVERY_MS, RESULTS_LINGER_MS, WorkCore, type AttemptEnd, type PeerInfo, type Ready, type WorkCoreConfig } from '../../../src/work/core.js'
import type { WorkMsg, WorkReply } from '../../../src/work/messages.js'
import type { Task } from '../../../src/work/spec.js'
import { FakeRegistry } from './fake-registry.js'

const ECHO = ['handler:echo']

function makeCore (self: string, registry: FakeRegistry, now: number, cfg: Partial<WorkCoreConfig> = {}): WorkCore {
  return WorkCore.create({ self, incarnation: 1, concurrency: 1, capabilities: ECHO, rng: mulberry32(7), ...cfg }, registry, now)
}

/** ready() then advance(): the writes are durable. */
function persist (core: WorkCore): Ready {
  const rd = core.ready()
  if (rd.seq > 0) core.advance(rd.seq)
  return rd
}

function ok (): AttemptEnd {
  return { ok: true, result: '"done"', children: [], durationMs: 5, stoppedByNode: false }
}

function view (peer: string, core: WorkCore): PeerInfo[] {
  return [{ peerId: peer, queued: core.stealable, capabilities: core.capabilities }]
}

interface Setup { reg: FakeRegistry, a: WorkCore, b: WorkCore, jobId: string, stolen: Task[], running: Task[] }

/**
 * A (the home) holds a job of `tasks` tasks and runs one of them; B steals from A and starts
 * what its slots take. A's own running task is finished at once, so what is left of the job
 * is the batch B holds.
 */
function setup (tasks: number, thiefSlots = 1): Setup {
  const reg = new FakeRegistry()
  const a = makeCore('A', reg, 1000)
  const b = makeCore('B', reg, 1000, { concurrency: thiefSlots })
  const ticket = a.submit([{ tasks: Array.from({ length: tasks }, () => ({ type: 'echo' })) }], 1000)
  for (const r of persist(a).register) for (const [id, e] of r.entries) reg.jobs.set(id, e)
  a.registered(ticket.id, undefined, 1000)
  const first = persist(a).start
  const jobId = ticket.jobs[0]!.id
  b.peers(view('A', a), 1001)
  b.peerAdvertised('A', 1001)
  const ask = persist(b).messages.find(m => m.msg.op === 'steal')!
  a.request('B', 1, ask.msg, 1001)
  const grant = persist(a)
  const reply = grant.replies.find(r => r.id === 1)!.reply
  const stolen = reply.batches.flatMap(x => x.tasks)
  b.response(ask.id, reply, 1001)
  const running = persist(b).start
  // A runs the rest of its share itself.
  let now = 1002
  let queue = [...first]
  while (queue.length > 0) {
    const t = queue.shift()!
    a.taskFinished(t.id, ok(), now++)
    queue.push(...persist(a).start)
  }
  return { reg, a, b, jobId, stolen, running }
}

/** Delivers a request from B to A; returns A's reply and A's ready. */
function deliver (a: WorkCore, msg: WorkMsg, id: number, now: number): { reply: WorkReply, rd: Ready } {
  a.request('B', id, msg, now)
  const rd = persist(a)
  return { reply: rd.replies.find(r => r.id === id)!.reply, rd }
}

function finishedJobs (a: WorkCore, rd: Ready): string[] {
  return [...rd.finished.map(j => j.id), ...persist(a).finished.map(j => j.id)]
}

describe('results carry the signals of the batches they finish', () => {
  it('the last outcome of a batch goes home at once with the batch\'s signal; the home completes the job on that one message', () => {
    const { a, b, jobId, stolen, running } = setup(6)
    expect(stolen).toHaveLength(2)
    let now = 1100
    // The first of the two: it lingers (B holds more for A), then goes without a signal.
    b.taskFinished(running[0]!.id, ok(), now)
    const next = persist(b)
    expect(next.messages).toEqual([])
    expect(next.start).toHaveLength(1)
    b.tick(now + RESULTS_LINGER_MS)
    const first = persist(b).messages.filter(m => m.msg.op === 'results')
    expect(first).toHaveLength(1)
    expect((first[0]!.msg as Extract<WorkMsg, { op: 'results' }>).signals).toBeUndefined()
    const r1 = deliver(a, first[0]!.msg, 101, now)
    expect(r1.reply.signalled).toBeUndefined()
    b.response(first[0]!.id, r1.reply, now)
    persist(b)
    // The last: at once, with the batch's signal.
    now += 10
    b.taskFinished(next.start[0]!.id, ok(), now)
    const last = persist(b).messages.filter(m => m.msg.op === 'results')
    expect(last).toHaveLength(1)
    const msg = last[0]!.msg as Extract<WorkMsg, { op: 'results' }>
    expect(msg.results.map(r => r.taskId)).toEqual([next.start[0]!.id])
    expect(msg.signals).toEqual([{ jobId, batchId: expect.stringMatching(/^A:1\./) }])
    const { reply, rd } = deliver(a, msg, 102, now)
    expect(reply.signalled).toHaveLength(1)
    // The home recorded every outcome and settled the batch: the job is complete.
    expect(finishedJobs(a, rd)).toEqual([jobId])
    b.response(last[0]!.id, reply, now)
    const after = persist(b)
    // B does not signal the batch again: the home has its signal.
    expect(after.messages.filter(m => m.msg.op === 'signal')).toEqual([])
    expect(b.outboxEntries.size).toBe(0)
  })

  /**
   * B finishes its whole batch while its first results message is in flight; returns that
   * message and the one that went beside it with the rest.
   */
  function lastBeside (a: WorkCore, b: WorkCore, running: Task[], now: number): { inFlight: { id: number, msg: WorkMsg }, beside: { id: number, msg: WorkMsg }, now: number } {
    // First outcome: lingers (B holds more), then goes; its answer is held back.
    b.taskFinished(running[0]!.id, ok(), now)
    const queue = [running[1]!, ...persist(b).start]
    b.tick(now + RESULTS_LINGER_MS)
    const inFlight = persist(b).messages.filter(m => m.msg.op === 'results')
    expect(inFlight).toHaveLength(1)
    // B finishes everything else while that message is in flight: only the last one goes,
    // at once, beside it.
    now += 20
    const beside: Array<{ id: number, msg: WorkMsg }> = []
    while (queue.length > 0) {
      const t = queue.shift()!
      b.taskFinished(t.id, ok(), now++)
      const rd = persist(b)
      queue.push(...rd.start)
      const sent = rd.messages.filter(m => m.msg.op === 'results')
      if (queue.length > 0) expect(sent).toEqual([])
      beside.push(...sent)
    }
    expect(beside).toHaveLength(1)
    return { inFlight: inFlight[0]!, beside: beside[0]!, now }
  }

  it('the last outcome goes at once beside a results message in flight, with a covered signal the home applies once it has both', () => {
    const { a, b, jobId, stolen, running } = setup(8, 2)
    expect(stolen.length).toBeGreaterThanOrEqual(3)
    const { inFlight, beside, now } = lastBeside(a, b, running, 1100)
    const first = inFlight.msg as Extract<WorkMsg, { op: 'results' }>
    const msg = beside.msg as Extract<WorkMsg, { op: 'results' }>
    // The second batch does not repeat the first; together they hold the whole batch.
    expect([...msg.results, ...first.results].map(r => r.taskId).sort()).toEqual(stolen.map(t => t.id).sort())
    expect(msg.signals).toBeUndefined()
    expect(msg.covered).toEqual([{ jobId, batchId: expect.any(String), covers: first.results.map(r => r.taskId).sort() }])
    // In order: the home records the first, then the second with the covered signal.
    const r1 = deliver(a, first, 500, now)
    expect(finishedJobs(a, r1.rd)).toEqual([])
    const { reply, rd } = deliver(a, msg, 501, now)
    expect(reply.signalled).toEqual([msg.covered![0]!.batchId])
    expect(finishedJobs(a, rd)).toEqual([jobId])
    b.response(inFlight.id, r1.reply, now)
    b.response(beside.id, reply, now)
    const after = persist(b)
    // B does not signal the batch again: the home took its covered signal.
    expect(after.messages.filter(m => m.msg.op === 'signal' || m.msg.op === 'results')).toEqual([])
    expect(b.outboxEntries.size).toBe(0)
    expect(b.counters.resultsSent).toBe(stolen.length)
  })

  it('a covered signal that arrives before the outcomes it covers is not taken; the home completes the job once it has every outcome, and the thief\'s signal after it changes nothing', () => {
    const { a, b, jobId, stolen, running } = setup(8, 2)
    const { inFlight, beside, now } = lastBeside(a, b, running, 1100)
    const msg = beside.msg as Extract<WorkMsg, { op: 'results' }>
    expect(msg.covered).toHaveLength(1)
    // Out of order: the second batch first. Its outcomes are recorded, its signal is not taken.
    const r2 = deliver(a, msg, 600, now)
    expect(r2.reply.signalled).toBeUndefined()
    expect(finishedJobs(a, r2.rd)).toEqual([])
    b.response(beside.id, r2.reply, now)
    persist(b)
    // The first batch brings the last outcomes: every task of the job is recorded, so the home
    // completes it without waiting for the batch's signal (WorkCore.allRecorded).
    const r1 = deliver(a, inFlight.msg, 601, now)
    expect(finishedJobs(a, r1.rd)).toEqual([jobId])
    b.response(inFlight.id, r1.reply, now)
    const signal = persist(b).messages.filter(m => m.msg.op === 'signal')
    expect(signal).toHaveLength(1)
    const { rd } = deliver(a, signal[0]!.msg, 602, now)
    expect(finishedJobs(a, rd)).toEqual([])
    expect(a.activeJob(jobId)).toBeUndefined()
    expect(b.outboxEntries.size).toBe(0)
    expect(b.counters.resultsSent).toBe(stolen.length)
  })

  it('a covered signal is not taken when the batch in flight is lost; the outcomes go again and the batch is signalled after them', () => {
    const { a, b, jobId, running } = setup(8, 2)
    const { inFlight, beside, now: at } = lastBeside(a, b, running, 1100)
    let now = at
    const r2 = deliver(a, beside.msg, 700, now)
    expect(r2.reply.signalled).toBeUndefined()
    b.response(beside.id, r2.reply, now)
    persist(b)
    b.response(inFlight.id, new Error('lost'), now)
    persist(b)
    for (let i = 0; i < 20 && b.outboxEntries.size > 0; i++) {
      now += MAINTAIN_EVERY_MS
      b.tick(now)
      for (const m of persist(b).messages) {
        if (m.msg.op !== 'results') continue
        const { reply } = deliver(a, m.msg, 710 + i, now)
        b.response(m.id, reply, now)
      }
    }
    expect(b.outboxEntries.size).toBe(0)
    expect(a.activeJob(jobId)).toBeUndefined()
  })

  it('a home that ignores the signals in a results message (an older version) still gets the signal, on its own', () => {
    // (This home completes the job on the last outcomes already: see allRecorded.)
    const { a, b, jobId, running } = setup(3)
    let now = 1100
    let queue = [...running]
    let last: { id: number, msg: WorkMsg } | undefined
    while (queue.length > 0) {
      b.taskFinished(queue.shift()!.id, ok(), now)
      const rd = persist(b)
      queue.push(...rd.start)
      b.tick(now + RESULTS_LINGER_MS)
      const msgs = [...rd.messages, ...persist(b).messages].filter(m => m.msg.op === 'results')
      for (const m of msgs) {
        const msg = m.msg as Extract<WorkMsg, { op: 'results' }>
        if (msg.signals != null) last = m
        const { reply } = deliver(a, { op: 'results', results: msg.results }, 100 + m.id, now)
        expect(reply.signalled).toBeUndefined()
        b.response(m.id, reply, now)
      }
      now += 10
    }
    expect(last).toBeDefined()
    expect(a.activeJob(jobId)).toBeUndefined()
    expect(persist(a).finished.map(j => j.id)).toEqual([jobId])
    const signal = persist(b).messages.filter(m => m.msg.op === 'signal')
    expect(signal).toHaveLength(1)
    const { rd } = deliver(a, signal[0]!.msg, 900, now)
    expect(finishedJobs(a, rd)).toEqual([])
  })

  it('a signal is not taken when its results message fails: the thief signals after the results arrive', () => {
    const { a, b, jobId, stolen, running } = setup(3)
    expect(stolen).toHaveLength(1)
    let now = 1100
    b.taskFinished(running[0]!.id, ok(), now)
    const sent = persist(b).messages.filter(m => m.msg.op === 'results')
    expect(sent).toHaveLength(1)
    expect((sent[0]!.msg as Extract<WorkMsg, { op: 'results' }>).signals).toHaveLength(1)
    b.response(sent[0]!.id, new Error('lost'), now)
    persist(b)
    expect(b.outboxEntries.size).toBe(1)
    // Maintenance sends the results again (with the signal); this time they arrive.
    for (let i = 0; i < 20 && b.outboxEntries.size > 0; i++) {
      now += MAINTAIN_EVERY_MS
      b.tick(now)
      for (const m of persist(b).messages) {
        if (m.msg.op !== 'results') continue
        const { reply } = deliver(a, m.msg, 200 + i, now)
        b.response(m.id, reply, now)
      }
    }
    expect(b.outboxEntries.size).toBe(0)
    expect(a.activeJob(jobId)).toBeUndefined()
  })
})

describe('what a job\'s completion waits for is flushed at once (Ready.flushNow)', () => {
  it('the thief\'s last outcomes and the home\'s final state are flagged; outcomes that linger, a task that starts and a batch answered are not', () => {
    const { a, b, jobId, running } = setup(6)
    let now = 1100
    b.taskFinished(running[0]!.id, ok(), now)
    const next = persist(b)
    expect(next.start).toHaveLength(1)
    expect(next.flushNow).toBe(false)
    // B holds more for A: the first outcome lingers, and goes in a batch nothing waits on.
    b.tick(now + RESULTS_LINGER_MS)
    const lingered = persist(b)
    expect(lingered.messages.filter(m => m.msg.op === 'results')).toHaveLength(1)
    expect(lingered.flushNow).toBe(false)
    const r1 = deliver(a, lingered.messages[0]!.msg, 101, now)
    expect(r1.rd.flushNow).toBe(false)
    b.response(lingered.messages[0]!.id, r1.reply, now)
    expect(persist(b).flushNow).toBe(false)
    // The last outcome B holds for A: A may be waiting for it alone.
    now += 10
    b.taskFinished(next.start[0]!.id, ok(), now)
    const last = persist(b)
    expect(last.messages.filter(m => m.msg.op === 'results')).toHaveLength(1)
    expect(last.flushNow).toBe(true)
    // The ready in which A stages the job's final state.
    const { rd } = deliver(a, last.messages[0]!.msg, 102, now)
    expect(rd.flushNow).toBe(true)
    expect(finishedJobs(a, rd)).toEqual([jobId])
    expect(persist(a).flushNow).toBe(false)
  })
})

describe('a job\'s last outcome on a thief goes at once, though the thief holds other jobs of the same home', () => {
  it('B ends the last task it holds of one job while it holds another job\'s: the outcome goes at once, flagged flushNow, and the home completes the job on it', () => {
    const reg = new FakeRegistry()
    const a = makeCore('A', reg, 1000)
    const b = makeCore('B', reg, 1000)
    const ticket = a.submit([{ tasks: Array.from({ length: 40 }, () => ({ type: 'echo' })) }, { tasks: Array.from({ length: 2 }, () => ({ type: 'echo' })) }], 1000)
    for (const r of persist(a).register) for (const [id, e] of r.entries) reg.jobs.set(id, e)
    a.registered(ticket.id, undefined, 1000)
    const first = persist(a).start
    const [long, short] = ticket.jobs.map(j => j.id)
    b.peers(view('A', a), 1001)
    b.peerAdvertised('A', 1001)
    const ask = persist(b).messages.find(m => m.msg.op === 'steal')!
    a.request('B', 1, ask.msg, 1001)
    const reply = persist(a).replies.find(r => r.id === 1)!.reply
    // B holds both tasks of the short job and two of the long one (A runs the long one's first).
    expect(reply.batches.map(x => [x.jobId, x.tasks.length])).toEqual([[short, 2], [long, 2]])
    expect(first.map(t => t.jobId)).toEqual([long])
    b.response(ask.id, reply, 1001)
    const queue = persist(b).start
    const now = 1100
    let shortLeft = 2
    let sent: Ready | undefined
    while (shortLeft > 0) {
      const t = queue.shift()!
      b.taskFinished(t.id, ok(), now)
      const rd = persist(b)
      queue.push(...rd.start)
      if (t.jobId === short) shortLeft--
      const results = rd.messages.filter(m => m.msg.op === 'results')
      // Until the short job's last outcome, B's outcomes linger: it holds more for A.
      if (shortLeft > 0) expect(results).toEqual([])
      else sent = rd
    }
    // Its last outcome goes at once — not after a linger behind the long job's tasks B still
    // holds — with the short job's other outcome, flagged to be flushed at once.
    expect(b.outboxEntries.size).toBeGreaterThan(0)
    const results = sent!.messages.filter(m => m.msg.op === 'results')
    expect(results).toHaveLength(1)
    const msg = results[0]!.msg as Extract<WorkMsg, { op: 'results' }>
    expect(msg.results.filter(r => r.jobId === short)).toHaveLength(2)
    expect(sent!.flushNow).toBe(true)
    // The home completes the short job on that one message.
    const { rd } = deliver(a, msg, 102, now)
    expect(finishedJobs(a, rd)).toEqual([short])
  })
})

describe('nothing is lost when a thief dies with results not yet delivered', () => {
  it('the lender re-runs the batch, and every outcome is recorded once', () => {
    const { reg, a, b, jobId, stolen, running } = setup(5)
    let now = 1100
    // B finishes one task; its outcome lingers in B's outbox, never sent: B dies.
    b.taskFinished(running[0]!.id, ok(), now)
    persist(b)
    expect(b.outboxEntries.size).toBe(1)
    reg.dead.add('B')
    a.peerDead('B', now)
    let rd = persist(a)
    let queue = [...rd.start]
    const ran: string[] = []
    while (queue.length > 0) {
      const t = queue.shift()!
      ran.push(t.id)
      a.taskFinished(t.id, ok(), ++now)
      rd = persist(a)
      queue.push(...rd.start)
    }
    expect(ran.sort()).toEqual(stolen.map(t => t.id).sort())
    const job = a.activeJob(jobId)
    // Finished (retired at advance) with every task's outcome recorded exactly once.
    expect(job).toBeUndefined()
  })
})

describe('a lender does not re-send a batch whose thief is sending its outcomes', () => {
  it('each outcome from the thief starts the re-send interval over', () => {
    const { a, b, running } = setup(40)
    let now = 1100
    let queue = [...running]
    let resends = 0
    // B sends an outcome every 500 ms for 6 s: longer than the 2 s re-send interval.
    for (let i = 0; i < 12 && queue.length > 0; i++) {
      b.taskFinished(queue.shift()!.id, ok(), now)
      queue.push(...persist(b).start)
      b.tick(now + RESULTS_LINGER_MS)
      for (const m of persist(b).messages) {
        if (m.msg.op !== 'results') continue
        const { reply } = deliver(a, m.msg, 300 + i, now)
        b.response(m.id, reply, now)
        persist(b)
      }
      now += MAINTAIN_EVERY_MS
      a.tick(now)
      resends += persist(a).messages.filter(m => m.msg.op === 'deliver').length
    }
    expect(resends).toBe(0)
    // Silent for the re-send interval: the batch goes again.
    for (let t = now; t <= now + DEFAULT_RESEND_MS + MAINTAIN_EVERY_MS; t += MAINTAIN_EVERY_MS) {
      a.tick(t)
      resends += persist(a).messages.filter(m => m.msg.op === 'deliver').length
    }
    expect(resends).toBe(1)
  })
})

describe('a re-lent part of a batch is vouched for up the chain of lenders', () => {
  /** Delivers `msg` from `from` to `to`; returns the reply and `to`'s ready. */
  function send (to: WorkCore, from: string, msg: WorkMsg, id: number, now: number): { reply: WorkReply, rd: Ready } {
    to.request(from, id, msg, now)
    const rd = persist(to)
    return { reply: rd.replies.find(r => r.id === id)!.reply, rd }
  }

  it('the thief of a thief sends its lender a covered signal with its last outcomes; the home completes the job on those outcomes, before any signal of the chain, and the signals that follow change nothing', () => {
    const { reg, a, b, jobId, stolen, running } = setup(10, 1)
    expect(stolen.length).toBeGreaterThanOrEqual(3)
    const c = makeCore('C', reg, 1000)
    // C steals from B part of what B stole from A.
    c.peers(view('B', b), 1001)
    c.peerAdvertised('B', 1001)
    const ask = persist(c).messages.find(m => m.msg.op === 'steal')!
    const grant = send(b, 'C', ask.msg, 1, 1001)
    const relent = grant.reply.batches.flatMap(x => x.tasks)
    expect(relent.length).toBeGreaterThan(0)
    c.response(ask.id, grant.reply, 1001)
    const cRunning = persist(c).start
    // B runs what it kept; its outcomes reach A and are answered.
    let now = 1100
    let id = 10
    const queue = [...running]
    while (queue.length > 0) {
      b.taskFinished(queue.shift()!.id, ok(), now)
      const rd = persist(b)
      queue.push(...rd.start)
      b.tick(now + RESULTS_LINGER_MS)
      for (const m of [...rd.messages, ...persist(b).messages]) {
        if (m.msg.op !== 'results') continue
        const { reply } = send(a, 'B', m.msg, ++id, now)
        b.response(m.id, reply, now)
        persist(b)
      }
      now += 10
    }
    expect(b.outboxEntries.size).toBe(0)
    expect(a.activeJob(jobId)).toBeDefined()
    // C finishes the re-lent part: its outcomes go to A, a covered signal to B.
    const cq = [...cRunning]
    const fromC: Array<{ id: number, to: string, msg: WorkMsg }> = []
    while (cq.length > 0) {
      c.taskFinished(cq.shift()!.id, ok(), now++)
      const rd = persist(c)
      cq.push(...rd.start)
      fromC.push(...rd.messages)
    }
    const results = fromC.filter(m => m.msg.op === 'results')
    const vouch = fromC.filter(m => m.msg.op === 'signal')
    expect(vouch).toHaveLength(1)
    expect(vouch[0]!.to).toBe('B')
    expect((vouch[0]!.msg as Extract<WorkMsg, { op: 'signal' }>).covered![0]!.covers.sort()).toEqual(relent.map(t => t.id).sort())
    // A records C's outcomes (the answers are held back): every task of the job is recorded,
    // so A completes it now, with B's batch still unsignalled (WorkCore.allRecorded).
    const answers: Array<{ id: number, reply: WorkReply }> = []
    const finished: string[] = []
    for (const m of results) {
      const r = send(a, 'C', m.msg, ++id, now)
      answers.push({ id: m.id, reply: r.reply })
      finished.push(...finishedJobs(a, r.rd))
    }
    expect(finished).toEqual([jobId])
    expect(a.activeJob(jobId)).toBeUndefined()
    // B passes the covered signal on to A; A, done with the job, takes nothing.
    const atB = send(b, 'C', vouch[0]!.msg, ++id, now)
    expect(atB.reply.signalled).toBeUndefined()
    const onward = atB.rd.messages.filter(m => m.msg.op === 'signal')
    expect(onward).toHaveLength(1)
    expect(onward[0]!.to).toBe('A')
    const atA = send(a, 'B', onward[0]!.msg, ++id, now)
    expect(atA.reply.signalled).toBeUndefined()
    expect(finishedJobs(a, atA.rd)).toEqual([])
    b.response(onward[0]!.id, atA.reply, now)
    persist(b)
    // Then the answers arrive and the plain signals follow up the chain; A finishes nothing again.
    for (const r of answers) c.response(r.id, r.reply, now)
    const plain = persist(c).messages.filter(m => m.msg.op === 'signal')
    expect(plain).toHaveLength(1)
    const toB = send(b, 'C', plain[0]!.msg, ++id, now)
    expect(toB.reply.accepted).toBe(1)
    const toA = toB.rd.messages.filter(m => m.to === 'A')
    expect(toA).toHaveLength(1)
    expect(finishedJobs(a, send(a, 'B', toA[0]!.msg, ++id, now).rd)).toEqual([])
    expect(c.outboxEntries.size).toBe(0)
  })

  it('a covered signal passed on before the home has the outcomes it covers is not taken; the outcomes complete the job when they arrive', () => {
    const { reg, a, b, jobId, running } = setup(10, 1)
    const c = makeCore('C', reg, 1000)
    c.peers(view('B', b), 1001)
    c.peerAdvertised('B', 1001)
    const ask = persist(c).messages.find(m => m.msg.op === 'steal')!
    const grant = send(b, 'C', ask.msg, 1, 1001)
    c.response(ask.id, grant.reply, 1001)
    const cRunning = persist(c).start
    let now = 1100
    let id = 10
    const queue = [...running]
    while (queue.length > 0) {
      b.taskFinished(queue.shift()!.id, ok(), now)
      const rd = persist(b)
      queue.push(...rd.start)
      b.tick(now + RESULTS_LINGER_MS)
      for (const m of [...rd.messages, ...persist(b).messages]) {
        if (m.msg.op !== 'results') continue
        b.response(m.id, send(a, 'B', m.msg, ++id, now).reply, now)
        persist(b)
      }
      now += 10
    }
    const cq = [...cRunning]
    const fromC: Array<{ id: number, to: string, msg: WorkMsg }> = []
    while (cq.length > 0) {
      c.taskFinished(cq.shift()!.id, ok(), now++)
      const rd = persist(c)
      cq.push(...rd.start)
      fromC.push(...rd.messages)
    }
    // The covered signal overtakes C's outcomes: A does not take it.
    const vouch = fromC.filter(m => m.msg.op === 'signal')
    const atB = send(b, 'C', vouch[0]!.msg, ++id, now)
    const onward = atB.rd.messages.filter(m => m.msg.op === 'signal')
    const early = send(a, 'B', onward[0]!.msg, ++id, now)
    expect(early.reply.signalled).toBeUndefined()
    b.response(onward[0]!.id, early.reply, now)
    persist(b)
    expect(a.activeJob(jobId)).toBeDefined()
    const finished: string[] = []
    for (const m of fromC.filter(m => m.msg.op === 'results')) {
      const r = send(a, 'C', m.msg, ++id, now)
      finished.push(...finishedJobs(a, r.rd))
      c.response(m.id, r.reply, now)
    }
    expect(finished).toEqual([jobId])
    const plain = persist(c).messages.filter(m => m.msg.op === 'signal')
    const fromB = send(b, 'C', plain[0]!.msg, ++id, now).rd.messages.filter(m => m.msg.op === 'signal' && m.to === 'A')
    expect(fromB).toHaveLength(1)
    const { rd } = send(a, 'B', fromB[0]!.msg, ++id, now)
    expect(finishedJobs(a, rd)).toEqual([])
  })
})
