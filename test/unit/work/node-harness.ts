// A test harness for WorkCore without I/O: nodes whose "disk" is the writes of every ready they
// persisted, restarted from it, and the steal and request round trips between them. Fake
// clock, no LevelDB (reclaim.test.ts, charges.test.ts).
import { expect } from 'vitest'
import { mulberry32 } from '../../../src/prng.js'
import { WorkCore, type AttemptEnd, type Ready, type WorkCoreConfig } from '../../../src/work/core.js'
import type { WorkMsg, WorkReply } from '../../../src/work/messages.js'
import type { JobRecord, LoadedWork, StoredTask, TaskOutcome, WorkWrite } from '../../../src/work/records.js'
import type { Task } from '../../../src/work/spec.js'
import type { FakeRegistry } from './fake-registry.js'

export const ECHO = ['handler:echo']


/** One node: its core, and its "disk" (the writes of every ready it persisted). */
export class Node {
  readonly disk = new Map<string, unknown>()
  core: WorkCore
  readonly started: Task[] = []
  /** Every start ever, in order (runAll consumes `started`). */
  readonly history: string[] = []
  readonly aborted: Array<{ taskId: string, reason: string }> = []
  readonly finished: JobRecord[] = []
  constructor (readonly id: string, readonly reg: FakeRegistry, cfg: Partial<WorkCoreConfig> = {}) {
    this.core = WorkCore.create(this.cfg(cfg), reg, 1000)
  }

  cfg (cfg: Partial<WorkCoreConfig> = {}): WorkCoreConfig {
    return { self: this.id, incarnation: 1, concurrency: 1, capabilities: ECHO, rng: mulberry32(this.id.charCodeAt(0)), resendAfterMs: 2000, ...cfg }
  }

  /** ready(), its writes on disk, advance(): returns the ready (messages are the caller's). */
  persist (): Ready {
    const rd = this.core.ready()
    if (rd.seq === 0) return rd
    for (const w of rd.writes) this.write(w)
    this.core.advance(rd.seq)
    this.started.push(...rd.start)
    for (const t of rd.start) this.history.push(t.id)
    this.aborted.push(...rd.abort)
    this.finished.push(...rd.finished)
    for (const reg of rd.register) for (const [id, e] of reg.entries) this.reg.jobs.set(id, e)
    return rd
  }

  private write (w: WorkWrite): void {
    const key = `${w.bucket}\u0000${w.key}`
    if (w.type === 'put') this.disk.set(key, JSON.parse(JSON.stringify(w.value)))
    else this.disk.delete(key)
  }

  bucket<V> (name: string): V[] {
    return [...this.disk.entries()].filter(([k]) => k.startsWith(name + '\u0000')).sort(([a], [b]) => a < b ? -1 : 1).map(([, v]) => v as V)
  }

  /** Restart from disk (a new process: incarnation 2). */
  restart (now: number): void {
    const results = this.bucket<TaskOutcome>('results')
    const all = this.bucket<JobRecord>('jobs')
    const final = (j: JobRecord): boolean => j.state !== 'running' && j.state !== 'registering'
    const loaded: LoadedWork = {
      tasks: this.bucket<StoredTask>('tasks'),
      outbox: this.bucket<TaskOutcome>('outbox'),
      jobs: all.filter(j => !final(j)).map(job => ({ job, outcomes: results.filter(o => o.jobId === job.id) })),
      finished: all.filter(final),
      completion: this.bucket('completion')
    }
    this.core = WorkCore.restore(this.cfg({ incarnation: 2 }), loaded, this.reg, now)
  }

  /** Runs every started task to success until none is left here (answering no message). */
  runAll (now: number): void {
    for (let guard = 0; guard < 10_000; guard++) {
      this.persist()
      const next = this.started.shift()
      if (next == null) {
        // advance() of the ready holding a final state reports the job in the next one.
        if (!this.core.hasReady()) return
        continue
      }
      if (this.core.isRunning(next.id)) this.core.taskFinished(next.id, ok(), now)
    }
  }
}

export function ok (): AttemptEnd {
  return { ok: true, result: '"done"', children: [], durationMs: 5, stoppedByNode: false }
}

/** Submits `n` echo tasks at `home` and registers them; returns the job id. */
export function submit (home: Node, n: number): string {
  const ticket = home.core.submit([{ tasks: Array.from({ length: n }, () => ({ type: 'echo' })) }], 1000)
  home.persist()
  home.core.registered(ticket.id, undefined, 1000)
  home.persist()
  return ticket.jobs[0]!.id
}

/** Delivers a request from `from` to `to` and returns the reply. */
export function call (from: Node, to: Node, msg: WorkMsg, now: number): WorkReply {
  const id = Math.floor(Math.random() * 1e9)
  to.core.request(from.id, id, msg, now)
  const rd = to.persist()
  return rd.replies.find(r => r.id === id)!.reply
}

/** `thief` steals from `victim`; returns the batch ids granted. */
export function steal (thief: Node, victim: Node, now: number): string[] {
  thief.core.peers([{ peerId: victim.id, queued: victim.core.stealable, capabilities: ECHO }], now)
  thief.core.peerAdvertised(victim.id, now)
  const ask = thief.persist().messages.find(m => m.msg.op === 'steal' && m.to === victim.id)
  expect(ask, `${thief.id} asks ${victim.id} for work`).toBeDefined()
  const reply = call(thief, victim, ask!.msg, now)
  thief.core.response(ask!.id, reply, now)
  thief.persist()
  return reply.batches.map(b => b.batchId)
}

export function delegated (n: Node, to: string): string[] {
  return [...n.core.heldTasks.values()].filter(st => st.state === 'delegated' && st.to === to).map(st => st.task.id)
}
