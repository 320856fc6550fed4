// WorkCore.drain: a node leaving the mesh refuses submits, steals no more, and pushes its
// queued tasks to capable live peers as batches they engage for (like steal grants), so the
// Dijkstra–Scholten ledgers stay exact and completion is still detected — never early.
// Several cores joined by an in-memory network that delivers every message; fake clock.
import { describe, expect, it } from 'vitest'
import { mulberry32 } from '../../../src/prng.js'
import { WorkCore, type AttemptEnd, type PeerInfo, type WorkCoreConfig } from '../../../src/work/core.js'
import { WorkError } from '../../../src/work/errors.js'
import type { JobRecord } from '../../../src/work/records.js'
import type { Task } from '../../../src/work/spec.js'
import { FakeRegistry } from './fake-registry.js'

const ECHO = ['handler:echo']


interface Node {
  id: string
  core: WorkCore
  caps: string[]
  /** Tasks started and not yet finished by the test. */
  started: Task[]
  /** Every start, in order. */
  runs: string[]
  finished: JobRecord[]
}

/** A mesh of cores: every message is delivered and answered within `settle`. */
class Mesh {
  readonly reg = new FakeRegistry()
  readonly nodes = new Map<string, Node>()
  now = 1000

  add (id: string, cfg: Partial<WorkCoreConfig> = {}): Node {
    const caps = [...(cfg.capabilities ?? ECHO)]
    const core = WorkCore.create({ self: id, incarnation: 1, concurrency: 2, capabilities: caps, rng: mulberry32(id.charCodeAt(0)), resendAfterMs: 2000, ...cfg }, this.reg, this.now)
    const n: Node = { id, core, caps, started: [], runs: [], finished: [] }
    this.nodes.set(id, n)
    return n
  }

  /** Tells every core who is alive and what it advertises (heartbeats). */
  gossip (): void {
    for (const n of this.nodes.values()) {
      const view: PeerInfo[] = [...this.nodes.values()].filter(p => p !== n && !this.reg.dead.has(p.id)).map(p => ({ peerId: p.id, queued: p.core.stealable, capabilities: p.caps, draining: p.core.isDraining }))
      n.core.peers(view, this.now)
    }
  }

  /** Drains every ready, delivering messages and answers, until nothing moves. */
  settle (): void {
    for (let guard = 0; guard < 100_000; guard++) {
      let moved = false
      for (const n of this.nodes.values()) {
        if (!n.core.hasReady()) continue
        moved = true
        const rd = n.core.ready()
        n.core.advance(rd.seq)
        n.started.push(...rd.start)
        n.runs.push(...rd.start.map(t => t.id))
        n.finished.push(...rd.finished)
        for (const reg of rd.register) {
          for (const [id, e] of reg.entries) this.reg.jobs.set(id, e)
          n.core.registered(reg.id, undefined, this.now)
        }
        for (const m of rd.messages) {
          const to = this.nodes.get(m.to)!
          const rid = guard * 1000 + m.id
          to.core.request(n.id, rid, m.msg, this.now)
          const trd = to.core.ready()
          to.core.advance(trd.seq)
          to.started.push(...trd.start)
          to.runs.push(...trd.start.map(t => t.id))
          to.finished.push(...trd.finished)
          for (const reg of trd.register) {
            for (const [id, e] of reg.entries) this.reg.jobs.set(id, e)
            to.core.registered(reg.id, undefined, this.now)
          }
          // Anything else that ready held (its own messages) is delivered on the next pass.
          if (trd.messages.length > 0) this.pendingOut.push(...trd.messages.map(x => ({ from: to, msg: x })))
          const reply = trd.replies.find(r => r.id === rid)!.reply
          n.core.response(m.id, reply, this.now)
        }
      }
      if (this.pendingOut.length > 0) {
        moved = true
        const out = this.pendingOut
        this.pendingOut = []
        for (const { from, msg } of out) {
          const to = this.nodes.get(msg.to)!
          const rid = 5_000_000 + guard * 1000 + msg.id
          to.core.request(from.id, rid, msg.msg, this.now)
          const trd = to.core.ready()
          to.core.advance(trd.seq)
          to.started.push(...trd.start)
          to.runs.push(...trd.start.map(t => t.id))
          to.finished.push(...trd.finished)
          if (trd.messages.length > 0) this.pendingOut.push(...trd.messages.map(x => ({ from: to, msg: x })))
          from.core.response(msg.id, trd.replies.find(r => r.id === rid)!.reply, this.now)
        }
      }
      if (!moved) return
    }
    throw new Error('the mesh did not settle')
  }

  private pendingOut: Array<{ from: Node, msg: { to: string, id: number, msg: any } }> = []

  /** Finishes one started task at each node that has one (a turn of everyone's slots). */
  step (): boolean {
    let any = false
    this.now += 5
    for (const n of this.nodes.values()) {
      const batch = n.started.splice(0, n.started.length)
      for (const t of batch) {
        if (!n.core.isRunning(t.id)) continue
        any = true
        n.core.taskFinished(t.id, ok(), this.now)
      }
      n.core.tick(this.now)
    }
    this.gossip()
    this.settle()
    return any
  }

  /** Runs until nothing is left to run (and results, signals and finals have moved). */
  runAll (): void {
    for (let i = 0; i < 10_000; i++) {
      if (!this.step()) {
        // Linger timers (results, 10 ms) and maintenance: let time pass once more.
        this.now += 600
        for (const n of this.nodes.values()) n.core.tick(this.now)
        this.settle()
        if ([...this.nodes.values()].every(n => n.started.every(t => !n.core.isRunning(t.id)))) {
          if (!this.step()) return
        }
      }
    }
    throw new Error('runAll did not end')
  }
}

function ok (): AttemptEnd {
  return { ok: true, result: '"done"', children: [], durationMs: 5, stoppedByNode: false }
}

function submit (mesh: Mesh, home: Node, n: number): string {
  const ticket = home.core.submit([{ tasks: Array.from({ length: n }, () => ({ type: 'echo' })) }], mesh.now)
  mesh.settle()
  return ticket.jobs[0]!.id
}

function held (n: Node): number {
  return [...n.core.heldTasks.values()].filter(st => st.state === 'queued').length
}

describe('WorkCore.drain', () => {
  it('refuses new submits with DRAINING', () => {
    const mesh = new Mesh()
    const a = mesh.add('A')
    a.core.drain(mesh.now)
    let err: unknown
    try {
      a.core.submit([{ tasks: [{ type: 'echo' }] }], mesh.now)
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(WorkError)
    expect((err as WorkError).code).toBe('DRAINING')
  })

  it('pushes its queued tasks to live peers as batches they engage for, and the job completes at home with every task once', () => {
    const mesh = new Mesh()
    const a = mesh.add('A')
    const b = mesh.add('B')
    const c = mesh.add('C')
    mesh.gossip()
    // B holds work of A's job: stolen from A.
    const jobId = submit(mesh, a, 60)
    mesh.gossip()
    b.core.peerAdvertised('A', mesh.now)
    mesh.settle()
    const atB = held(b)
    expect(atB).toBeGreaterThan(2)
    b.core.drain(mesh.now)
    const rd = b.core.ready()
    b.core.advance(rd.seq)
    const pushes = rd.messages.filter(m => m.msg.op === 'deliver')
    expect(pushes.length).toBeGreaterThan(0)
    // To both live peers, and every queued task but what was already running at B.
    expect(new Set(pushes.map(p => p.to))).toEqual(new Set(['A', 'C']))
    const pushed = pushes.flatMap(p => (p.msg as any).batches.flatMap((x: any) => x.tasks.map((t: Task) => t.id)))
    expect(pushed.length).toBe(atB - b.core.stats().running)
    expect(b.core.counters.tasksLent).toBeGreaterThanOrEqual(pushed.length)
    // Deliver them (the network) and run everything.
    for (const m of rd.messages) {
      const to = mesh.nodes.get(m.to)!
      to.core.request('B', 99_000 + m.id, m.msg, mesh.now)
      const trd = to.core.ready()
      to.core.advance(trd.seq)
      to.started.push(...trd.start)
      to.runs.push(...trd.start.map(t => t.id))
      b.core.response(m.id, trd.replies.find(r => r.id === 99_000 + m.id)!.reply, mesh.now)
    }
    b.started.push(...rd.start)
    // The receivers engaged with B as parent: B is not done until they signal.
    expect(b.core.drainProgress()).toMatchObject({ done: false })
    expect(b.core.drainProgress().lent).toBeGreaterThan(0)
    mesh.gossip()
    mesh.runAll()
    expect(a.finished.map(j => [j.id, j.state, j.done])).toEqual([[jobId, 'completed', 60]])
    const all = [...a.runs, ...b.runs, ...c.runs].filter(id => id.startsWith(jobId))
    expect(all).toHaveLength(60)
    expect(new Set(all).size).toBe(60)
    // B started nothing new after the drain began (only what was running goes on).
    expect(b.runs.filter(id => pushed.includes(id))).toEqual([])
    expect(b.core.drainProgress()).toMatchObject({ done: true, queued: 0, running: 0, lent: 0, engaged: 0, outbox: 0, homeJobs: 0, inFlight: 0 })
    expect(b.core.drainProgress().handedOff).toBe(pushed.length)
  })

  it('does not report completion early: the home waits for the tasks a draining thief pushed on', () => {
    const mesh = new Mesh()
    const a = mesh.add('A', { concurrency: 1 })
    const b = mesh.add('B', { concurrency: 1 })
    const c = mesh.add('C', { concurrency: 1 })
    mesh.gossip()
    const jobId = submit(mesh, a, 30)
    mesh.gossip()
    b.core.peerAdvertised('A', mesh.now)
    mesh.settle()
    b.core.drain(mesh.now)
    mesh.gossip()
    mesh.settle()
    expect(held(c)).toBeGreaterThan(0)
    // A and B finish everything they hold; C holds its pushed tasks unfinished.
    for (let i = 0; i < 200; i++) {
      mesh.now += 5
      for (const n of [a, b]) {
        for (const t of n.started.splice(0)) if (n.core.isRunning(t.id)) n.core.taskFinished(t.id, ok(), mesh.now)
        n.core.tick(mesh.now)
      }
      mesh.settle()
    }
    mesh.now += 1000
    a.core.tick(mesh.now)
    mesh.settle()
    expect(a.finished).toEqual([])
    expect(b.core.drainProgress().done).toBe(false)
    mesh.runAll()
    expect(a.finished.map(j => [j.id, j.state, j.done])).toEqual([[jobId, 'completed', 30]])
    expect(b.core.drainProgress().done).toBe(true)
  })

  it('steals no more, and gives a thief everything it holds', () => {
    const mesh = new Mesh()
    const a = mesh.add('A', { concurrency: 1 })
    submit(mesh, a, 40)
    a.core.drain(mesh.now)
    // No live peer to push to yet: it holds its queue, all of it stealable.
    expect(a.core.stealable).toBe(held(a) - a.core.stats().running)
    const b = mesh.add('B', { concurrency: 1 })
    b.core.peers([{ peerId: 'A', queued: a.core.stealable, capabilities: ECHO, draining: true }], mesh.now)
    b.core.peerAdvertised('A', mesh.now)
    const ask = b.core.ready().messages.find(m => m.msg.op === 'steal')!
    a.core.request('B', 1, { ...ask.msg, want: 1000 } as any, mesh.now)
    const reply = a.core.ready().replies[0]!.reply
    expect(reply.batches.flatMap(x => x.tasks)).toHaveLength(39)
    // A draining node asks no one for work, however much it is advertised.
    a.core.peers([{ peerId: 'B', queued: 100, capabilities: ECHO }], mesh.now)
    a.core.peerAdvertised('B', mesh.now)
    expect(a.core.ready().messages.filter(m => m.msg.op === 'steal')).toEqual([])
  })

  it('pushes to no draining, dead or incapable peer, and runs here what no live peer can run', () => {
    const mesh = new Mesh()
    const a = mesh.add('A', { concurrency: 1 })
    const b = mesh.add('B', { concurrency: 1 })
    const c = mesh.add('C', { concurrency: 1 })
    const d = mesh.add('D', { concurrency: 1, capabilities: ['handler:other'] })
    submit(mesh, a, 10)
    b.core.drain(mesh.now)
    mesh.reg.dead.add('C')
    mesh.gossip()
    a.core.peers([{ peerId: 'B', queued: 0, capabilities: ECHO, draining: true }, { peerId: 'C', queued: 0, capabilities: ECHO }, { peerId: 'D', queued: 0, capabilities: ['handler:other'] }], mesh.now)
    a.core.drain(mesh.now)
    const rd = a.core.ready()
    expect(rd.messages.filter(m => m.msg.op === 'deliver')).toEqual([])
    void c
    void d
    // It runs its own work to the end, and is then done.
    a.core.advance(rd.seq)
    a.started.push(...rd.start)
    mesh.nodes.delete('B')
    mesh.nodes.delete('C')
    mesh.nodes.delete('D')
    mesh.runAll()
    expect(a.finished.map(j => [j.state, j.done])).toEqual([['completed', 10]])
    expect(a.core.drainProgress().done).toBe(true)
  })

  it('counts the jobs homed here as unfinished until they complete', () => {
    const mesh = new Mesh()
    const a = mesh.add('A', { concurrency: 1 })
    const b = mesh.add('B', { concurrency: 1 })
    mesh.gossip()
    const jobId = submit(mesh, a, 8)
    a.core.drain(mesh.now)
    mesh.settle()
    // Its queue went to B; its job still lives here.
    expect(held(b)).toBeGreaterThan(0)
    expect(a.core.drainProgress()).toMatchObject({ done: false, homeJobs: 1 })
    mesh.runAll()
    expect(a.finished.map(j => [j.id, j.state, j.done])).toEqual([[jobId, 'completed', 8]])
    expect(a.core.drainProgress()).toMatchObject({ done: true, homeJobs: 0 })
  })
})
