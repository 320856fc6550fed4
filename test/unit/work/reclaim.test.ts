// WorkCore.peerDead: what a node does once the control log commits a peer's death (DESIGN.md,
// "Dijkstra–Scholten with fault tolerance"). Lenders queue again what they lent the dead node,
// holders give up what came through it, calls to it fail, and whatever it still says later —
// results, signals, re-sent batches — is deduplicated or ignored. Fake clock, no LevelDB.
import { describe, expect, it } from 'vitest'
import type { WorkReply } from '../../../src/work/messages.js'
import type { StoredTask, TaskOutcome } from '../../../src/work/records.js'
import { ECHO, Node, call, delegated, ok, steal, submit } from './node-harness.js'
import { FakeRegistry } from './fake-registry.js'

describe('WorkCore.peerDead: the lender re-runs what it lent', () => {
  it('queues every task of a dead thief\'s unsignalled batch again, persisted, and completes the job here', () => {
    const reg = new FakeRegistry()
    const a = new Node('A', reg)
    const b = new Node('B', reg, { concurrency: 2 })
    const jobId = submit(a, 20)
    steal(b, a, 1001)
    const lent = delegated(a, 'B')
    expect(lent.length).toBeGreaterThan(0)
    reg.dead.add('B')
    a.core.peerDead('B', 1100)
    const rd = a.persist()
    // The reclaimed tasks are written back as queued in the ready that re-queues them.
    const requeued = rd.writes.filter(w => w.bucket === 'tasks' && w.type === 'put' && (w.value as StoredTask).state === 'queued').map(w => w.key)
    expect(requeued.sort()).toEqual([...lent].sort())
    expect(delegated(a, 'B')).toEqual([])
    expect(a.core.stats().lent).toBe(0)
    expect(a.core.counters.tasksReclaimed).toBe(lent.length)
    a.runAll(1200)
    expect(a.finished.map(j => [j.id, j.state, j.done])).toEqual([[jobId, 'completed', 20]])
  })

  it('fails a call still waiting for the dead peer\'s answer at once, and steals from it no more', () => {
    const reg = new FakeRegistry()
    const a = new Node('A', reg)
    const b = new Node('B', reg, { concurrency: 4 })
    submit(a, 40)
    b.core.peers([{ peerId: 'A', queued: a.core.stealable, capabilities: ECHO }], 1001)
    b.core.peerAdvertised('A', 1001)
    const ask = b.persist().messages.find(m => m.msg.op === 'steal')!
    reg.dead.add('A')
    b.core.peerDead('A', 1002)
    b.persist()
    // The answer that comes after all is dropped: the call was already failed.
    const reply = call(b, a, ask.msg, 1003)
    b.core.response(ask.id, reply, 1003)
    b.persist()
    expect(b.core.heldTasks.size).toBe(0)
    // No new steal goes to a dead peer, however much it advertises.
    b.core.peers([{ peerId: 'A', queued: 40, capabilities: ECHO }], 1004)
    b.core.peerAdvertised('A', 1004)
    expect(b.persist().messages.filter(m => m.msg.op === 'steal')).toEqual([])
  })

  it('after a restart, re-runs what it lent a peer whose death was committed meanwhile', () => {
    const reg = new FakeRegistry()
    const a = new Node('A', reg)
    const b = new Node('B', reg, { concurrency: 2 })
    const jobId = submit(a, 20)
    steal(b, a, 1001)
    const lent = delegated(a, 'B')
    expect(lent.length).toBeGreaterThan(0)
    reg.dead.add('B')
    a.restart(5000)
    a.persist()
    expect(delegated(a, 'B')).toEqual([])
    a.runAll(5100)
    expect(a.finished.map(j => [j.id, j.state, j.done])).toEqual([[jobId, 'completed', 20]])
  })

  it('re-runs what it lent a thief that was declared dead and came back while the lender was down, when the thief answers a re-send that it gave the batch up', () => {
    const reg = new FakeRegistry()
    const a = new Node('A', reg)
    const b = new Node('B', reg, { concurrency: 2 })
    const jobId = submit(a, 20)
    const batches = steal(b, a, 1001)
    const lent = delegated(a, 'B')
    expect(lent.length).toBeGreaterThan(0)
    // A is down. B is declared dead (A never applies it), drops its pre-death work, and is
    // alive again (a new incarnation) before A comes back.
    b.core.declaredDead(1100)
    b.persist()
    a.restart(5000)
    a.persist()
    // A sees B alive: nothing to reclaim by death, so the batch waits, and A re-sends it.
    expect(delegated(a, 'B').sort()).toEqual([...lent].sort())
    let now = 5000
    let reply: WorkReply | undefined
    for (let i = 0; i < 20 && reply == null; i++) {
      now += 1000
      a.core.tick(now)
      const resend = a.persist().messages.find(m => m.msg.op === 'deliver' && m.to === 'B')
      if (resend == null) continue
      reply = call(a, b, resend.msg, now)
      a.core.response(resend.id, reply, now)
    }
    expect(reply?.abandoned).toEqual(batches)
    // B ran none of it again; A runs it and completes the job with every task once.
    expect(b.started.filter(t => t.jobId === jobId && !lent.includes(t.id))).toEqual([])
    a.persist()
    expect(delegated(a, 'B')).toEqual([])
    a.runAll(now + 100)
    expect(a.finished.map(j => [j.id, j.state, j.done])).toEqual([[jobId, 'completed', 20]])
  })

  it('finds a committed death it was not told of at its next maintenance (a snapshot install)', () => {
    const reg = new FakeRegistry()
    const a = new Node('A', reg)
    const b = new Node('B', reg, { concurrency: 2 })
    submit(a, 20)
    steal(b, a, 1001)
    reg.dead.add('B')
    a.core.tick(a.core.maintenanceAt)
    a.persist()
    expect(delegated(a, 'B')).toEqual([])
    expect(a.core.counters.tasksReclaimed).toBeGreaterThan(0)
  })
})

describe('WorkCore.peerDead: work lent and stolen back', () => {
  it('re-runs a task that came back from the dead thief and finished here, since its first batch is reclaimed whole', () => {
    const reg = new FakeRegistry()
    const a = new Node('A', reg, { concurrency: 1 })
    const b = new Node('B', reg, { concurrency: 1 })
    const jobId = submit(a, 12)
    steal(b, a, 1001)
    const lent = delegated(a, 'B')
    expect(lent.length).toBeGreaterThan(2)
    // A runs out of its own work, then steals back part of what it lent.
    a.runAll(1002)
    expect(a.core.stats().queued).toBe(0)
    const back = steal(a, b, 1003)
    expect(back.length).toBe(1)
    const returned = a.started.map(t => t.id).filter(id => lent.includes(id))
    expect(returned.length).toBeGreaterThan(0)
    a.runAll(1004)
    // Finished here, yet still part of the unsignalled batch lent to B: its record is kept.
    for (const id of returned) expect(a.core.heldTasks.get(id)?.state).toBe('delegated')
    reg.dead.add('B')
    a.core.peerDead('B', 1100)
    const rd = a.persist()
    expect(rd.events.filter(e => e.level === 'warn')).toEqual([])
    expect(a.core.counters.tasksReclaimed).toBe(lent.length)
    a.runAll(1200)
    expect(a.finished.map(j => [j.id, j.state, j.done])).toEqual([[jobId, 'completed', 12]])
    expect(a.core.heldTasks.size).toBe(0)
  })
})

describe('WorkCore.peerDead: one attempt of a task id at a time', () => {
  it('runs a reclaimed task again only once the abandoned attempt of the same task has ended', () => {
    const reg = new FakeRegistry()
    const a = new Node('A', reg, { concurrency: 3 })
    const b = new Node('B', reg, { concurrency: 1 })
    const jobId = submit(a, 16)
    steal(b, a, 1001)
    const lent = delegated(a, 'B')
    a.runAll(1002)
    a.started.length = 0
    steal(a, b, 1003)
    // The task stolen back is running here, charged to B's batch, and it is also in the
    // batch A lent B: B's death abandons the one and reclaims the other.
    const running = a.started.map(t => t.id).filter(id => a.core.isRunning(id))
    expect(running.length).toBeGreaterThan(0)
    for (const id of running) expect(lent).toContain(id)
    a.started.length = 0
    reg.dead.add('B')
    a.core.peerDead('B', 1100)
    const rd = a.persist()
    expect(rd.abort).toEqual(running.map(taskId => ({ taskId, reason: 'abandoned' })))
    // Reclaimed, yet not started while its abandoned attempt is still ending.
    const startedEarly = (): string[] => a.started.map(t => t.id).filter(id => running.includes(id))
    for (let i = 0; i < 5; i++) {
      const next = a.started.find(t => !running.includes(t.id) && a.core.isRunning(t.id))
      if (next != null) a.core.taskFinished(next.id, ok(), 1100 + i)
      a.persist()
    }
    expect(startedEarly()).toEqual([])
    for (const id of running) a.core.taskFinished(id, { ok: false, error: 'task abandoned', children: [], durationMs: 1, stoppedByNode: false }, 1110)
    const from = a.history.length
    a.runAll(1200)
    // Then each runs once more, and the job completes with every task once.
    expect(a.history.slice(from).filter(id => running.includes(id)).sort()).toEqual([...running].sort())
    expect(a.finished.map(j => [j.id, j.state, j.done])).toEqual([[jobId, 'completed', 16]])
  })
})

describe('WorkCore.peerDead: holders give up work that came through the dead node', () => {
  it('drops queued tasks and aborts running ones whose batch came from it, and discards their end', () => {
    const reg = new FakeRegistry()
    const a = new Node('A', reg)
    const b = new Node('B', reg, { concurrency: 1 })
    const c = new Node('C', reg, { concurrency: 1 })
    // Enough that B's first steal (an eighth of its fair share) leaves B some to lend on.
    const jobId = submit(a, 400)
    steal(b, a, 1001)
    steal(c, b, 1002)
    const atC = [...c.core.heldTasks.keys()]
    expect(atC.length).toBeGreaterThan(1)
    const running = c.started.map(t => t.id).filter(id => c.core.isRunning(id))
    expect(running).toHaveLength(1)
    reg.dead.add('B')
    c.core.peerDead('B', 1100)
    const rd = c.persist()
    expect(rd.abort).toEqual([{ taskId: running[0], reason: 'abandoned' }])
    expect(c.core.heldTasks.size).toBe(0)
    expect(rd.writes.filter(w => w.bucket === 'tasks' && w.type === 'del').map(w => w.key).sort()).toEqual([...atC].sort())
    expect(c.core.counters.tasksAbandoned).toBe(atC.length)
    // The aborted attempt ends: no outcome, no retry, nothing queued.
    c.core.taskFinished(running[0]!, { ok: false, error: 'task abandoned', children: [], durationMs: 1, stoppedByNode: false }, 1101)
    const after = c.persist()
    expect(after.writes.filter(w => w.bucket === 'outbox' || w.bucket === 'tasks')).toEqual([])
    expect(c.core.outboxEntries.size).toBe(0)
    expect(c.core.stats().queued).toBe(0)
    // A re-send of the abandoned batch by the dead node is refused.
    a.core.peerDead('B', 1100)
    a.runAll(1200)
    expect(a.finished.map(j => [j.id, j.state, j.done])).toEqual([[jobId, 'completed', 400]])
  })

  it('refuses batches a dead node sends later (a re-send or a late grant)', () => {
    const reg = new FakeRegistry()
    const a = new Node('A', reg)
    const b = new Node('B', reg, { concurrency: 1 })
    const c = new Node('C', reg, { concurrency: 1 })
    submit(a, 60)
    steal(b, a, 1001)
    reg.dead.add('B')
    // B, paused through its death, re-sends what it lends to C.
    const tasks = [...b.core.heldTasks.values()].slice(0, 2).map(st => st.task)
    const reply = call(b, c, { op: 'deliver', batches: [{ jobId: tasks[0]!.jobId, batchId: 'B:1.99', tasks }] }, 1100)
    expect(reply).toMatchObject({ ok: true, accepted: 0 })
    expect(c.core.heldTasks.size).toBe(0)
  })
})

describe('WorkCore.peerDead: what the dead node says late is deduplicated or ignored', () => {
  it('records a late result once and the re-run\'s result not again; the job completes once with every task', () => {
    const reg = new FakeRegistry()
    const a = new Node('A', reg)
    const b = new Node('B', reg, { concurrency: 1 })
    const jobId = submit(a, 20)
    steal(b, a, 1001)
    // B finishes one task; its result is in B's outbox, not yet sent.
    const first = b.started[0]!
    b.core.taskFinished(first.id, ok(), 1002)
    b.persist()
    b.core.tick(1002 + 20)
    const results = b.persist().messages.find(m => m.msg.op === 'results')!
    expect(results).toBeDefined()
    reg.dead.add('B')
    a.core.peerDead('B', 1100)
    a.persist()
    // B's result arrives after the death: recorded (it is a true result), once.
    expect(call(b, a, results.msg, 1101)).toMatchObject({ ok: true })
    expect(a.core.isRecorded(jobId, first.id)).toBe(true)
    a.runAll(1200)
    const [job] = a.finished
    expect(job).toMatchObject({ id: jobId, state: 'completed', done: 20, total: 20 })
    expect(a.core.duplicates).toBe(1)
    expect(a.bucket<TaskOutcome>('results').filter(o => o.taskId === first.id)).toHaveLength(1)
  })

  it('ignores a late signal for a reclaimed batch, keeping the re-queued tasks', () => {
    const reg = new FakeRegistry()
    const a = new Node('A', reg)
    const b = new Node('B', reg, { concurrency: 2 })
    submit(a, 20)
    const [batchId] = steal(b, a, 1001)
    const lent = delegated(a, 'B')
    reg.dead.add('B')
    a.core.peerDead('B', 1100)
    a.persist()
    const reply = call(b, a, { op: 'signal', signals: [{ jobId: a.core.activeJobs()[0]!.id, batchId: batchId! }] }, 1101)
    expect(reply).toMatchObject({ ok: true, accepted: 0 })
    for (const id of lent) expect(a.core.heldTasks.get(id)?.state).toBe('queued')
  })

  it('is idempotent: a second peerDead for the same peer does nothing', () => {
    const reg = new FakeRegistry()
    const a = new Node('A', reg)
    const b = new Node('B', reg, { concurrency: 2 })
    submit(a, 20)
    steal(b, a, 1001)
    reg.dead.add('B')
    a.core.peerDead('B', 1100)
    a.persist()
    const queued = a.core.stats().queued
    const reclaimed = a.core.counters.tasksReclaimed
    a.core.peerDead('B', 1101)
    const rd = a.persist()
    expect(rd.writes.filter(w => w.bucket === 'tasks')).toEqual([])
    expect(a.core.stats().queued).toBe(queued)
    expect(a.core.counters.tasksReclaimed).toBe(reclaimed)
  })
})

describe('WorkCore.declaredDead: a node told it was declared dead gives up what others lent it', () => {
  it('drops the queued tasks and aborts the running ones of every batch it received, keeps its own jobs, and the lender completes', () => {
    const reg = new FakeRegistry()
    const a = new Node('A', reg)
    const b = new Node('B', reg, { concurrency: 2 })
    const jobA = submit(a, 20)
    steal(b, a, 1001)
    const own = submit(b, 3)
    const lent = delegated(a, 'B')
    expect(lent.length).toBeGreaterThan(0)
    const running = b.started.filter(t => t.jobId === jobA).map(t => t.id)
    expect(running.length).toBeGreaterThan(0)
    b.core.declaredDead(1100)
    b.persist()
    // Nothing of A's job is left at B; what ran is aborted as abandoned.
    expect([...b.core.heldTasks.values()].filter(st => st.task.jobId === jobA)).toEqual([])
    expect(b.aborted.filter(x => running.includes(x.taskId)).map(x => x.reason)).toEqual(running.map(() => 'abandoned'))
    expect(b.core.counters.tasksAbandoned).toBeGreaterThan(0)
    // The aborted attempts end (whatever they return is discarded); B's own job still completes.
    b.started.splice(0, b.started.length, ...b.started.filter(t => t.jobId === own))
    for (const id of running) b.core.taskFinished(id, ok(), 1150)
    b.runAll(1200)
    expect(b.finished.map(j => j.id)).toContain(own)
    // A re-runs what it lent and completes its job; B sends nothing more for it.
    reg.dead.add('B')
    a.core.peerDead('B', 1300)
    a.persist()
    a.runAll(1400)
    expect(a.finished.map(j => [j.id, j.state, j.done])).toEqual([[jobA, 'completed', 20]])
  })

  it('runs again what it lent for its own jobs, which its thieves give up on the same death, and completes them (a partition healed)', () => {
    const reg = new FakeRegistry()
    const a = new Node('A', reg)
    const b = new Node('B', reg)
    const jobA = submit(a, 20)
    steal(b, a, 1001)
    const lent = delegated(a, 'B')
    expect(lent.length).toBeGreaterThan(0)
    // A was cut off; the majority declared it dead. B, the thief, gives up A's batch.
    reg.dead.add('A')
    b.core.peerDead('A', 1100)
    b.persist()
    expect([...b.core.heldTasks.values()].filter(st => st.task.jobId === jobA)).toEqual([])
    // The cut heals; A learns of its death and takes back what it lent B.
    a.core.declaredDead(1200)
    a.persist()
    expect(delegated(a, 'B')).toEqual([])
    expect(a.core.counters.tasksReclaimed).toBe(lent.length)
    a.runAll(1300)
    expect(a.finished.map(j => [j.id, j.state, j.done])).toEqual([[jobA, 'completed', 20]])
    // Nothing is re-sent to B for that batch any more.
    reg.dead.delete('A')
    a.core.tick(1300 + 30_000)
    expect(a.persist().messages.filter(m => m.msg.op === 'deliver')).toEqual([])
  })
})
