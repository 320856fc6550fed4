import { describe, expect, it } from 'vitest'
import { RecordCodec } from '../../../src/node/store/record-codec.js'
import type { JobRecord, StoredTask, TaskOutcome } from '../../../src/work/records.js'

const SELF = '12D3KooWLxdgA9p5TuJenX9STCg8TNL6E4Fpz4p2zjdNC2Bn2NCY'
const OTHER = '12D3KooWQjfD7MC1ri7MmMZE2iMdLeSbvuEK67f7ZzbdSx2YT6dA'
const JOB = '0mx3cu43f-685a2ad70001'
const TASK = `${JOB}/0`

const codec = new RecordCodec(SELF)
/** Through JSON and back, as the store writes and reads a value. */
const disk = (v: unknown): any => JSON.parse(JSON.stringify(v))

function task (over: Partial<StoredTask['task']> = {}, st: Partial<StoredTask> = {}): StoredTask {
  return { task: { id: TASK, jobId: JOB, type: 'echo', payload: 'null', requires: ['handler:echo'], maxAttempts: 3, attempts: 0, timeoutMs: 60_000, priority: 0, home: SELF, ...over }, state: 'queued', queuedAt: 1_796_048_386_107, ...st }
}

function outcome (over: Partial<TaskOutcome> = {}): TaskOutcome {
  return { jobId: JOB, taskId: TASK, ok: true, result: 'null', spawned: 0, attempts: 1, node: SELF, finishedAt: 1_796_048_386_178, ...over }
}

function job (over: Partial<JobRecord> = {}): JobRecord {
  return { id: JOB, home: SELF, state: 'completed', createdAt: 1_796_048_386_107, finishedAt: 1_796_048_386_180, roots: 1, total: 1, done: 1, failed: 0, cancelled: 0, byNode: { [SELF]: 1 }, ...over }
}

describe('RecordCodec', () => {
  it('writes a one-task job\'s task, outcome and record without ids, this node or defaults, and reads them back whole', () => {
    const t = task()
    const packed = JSON.stringify(codec.packTask(TASK, t))
    expect(packed).toBe('{"task":{"type":"echo"},"state":"queued","queuedAt":1796048386107}')
    expect(codec.unpackTask(TASK, JSON.parse(packed))).toEqual(t)

    const o = outcome()
    const po = JSON.stringify(codec.packOutcome(TASK, o))
    expect(po).not.toContain(SELF)
    expect(po).not.toContain(JOB)
    expect(codec.unpackOutcome(TASK, JSON.parse(po))).toEqual(o)

    const j = job()
    const pj = JSON.stringify(codec.packJob(JOB, j))
    expect(pj).not.toContain(SELF)
    expect(pj).not.toContain(JOB)
    expect(codec.unpackJob(JOB, JSON.parse(pj))).toEqual(j)
    // ~1 270 bytes before this codec (stop 31's count), a third of it now.
    expect(packed.length + po.length + pj.length).toBeLessThan(300)
  })

  it('keeps every field that differs from what the key, the node or the defaults say', () => {
    // Required<>: a field added to these records fails to compile here until it is set, and
    // then this round trip fails if the codec drops it (packTask and packOutcome list fields).
    const full: Required<StoredTask['task']> = { id: `${JOB}/0.3`, jobId: 'other-job', type: 'cmd', payload: '{"argv":["true"]}', requires: ['commands', 'gpu'], maxAttempts: 5, attempts: 2, timeoutMs: 1_000, priority: 7, home: OTHER, failures: [{ node: OTHER, attempt: 1, error: 'boom', at: 5 }], notBefore: 9 }
    const st: Required<StoredTask> = { task: full, state: 'delegated', batchId: 'b1', to: OTHER, queuedAt: 3, charge: 'c1' }
    expect(codec.unpackTask(TASK, disk(codec.packTask(TASK, st)))).toEqual(st)

    const o: Required<TaskOutcome> = { taskId: `${JOB}/1`, jobId: 'other-job', ok: false, result: '{"code":1}', error: 'no', cancelled: true, spawned: 4, attempts: 3, node: OTHER, finishedAt: 7, failures: [{ node: OTHER, attempt: 3, error: 'no', at: 6 }], home: OTHER, charge: 'c2', tolerated: true }
    expect(codec.unpackOutcome(TASK, disk(codec.packOutcome(TASK, o)))).toEqual(o)

    const j: Required<JobRecord> = {
      id: 'x', name: 'n', home: OTHER, state: 'failed', createdAt: 1, lastTaskAt: 2, finishedAt: 3, lastRecordedAt: 4, roots: 2, total: 9, done: 3, failed: 1, cancelled: 2,
      byNode: { [SELF]: 2, [OTHER]: 4 }, error: 'e', failures: [{ taskId: TASK, node: OTHER, attempt: 1, error: 'e', at: 2 }], epoch: 1, homes: [OTHER], replicas: [OTHER],
      capableBy: 5, keepMs: 6, resultsExpired: true, notBefore: 7, isWorkflow: true
    }
    expect(codec.unpackJob(JOB, disk(codec.packJob(JOB, j)))).toEqual(j)
  })

  it('reads back a job record and what it holds inside, for every field and every way its times relate', () => {
    const full: Required<JobRecord> = {
      id: 'x"y', name: 'n\u2028"\\', home: OTHER, state: 'failed', createdAt: 1, lastTaskAt: 2, finishedAt: 3, lastRecordedAt: 4, roots: 2, total: 9, done: 3, failed: 1, cancelled: 2,
      byNode: { [SELF]: 2, [OTHER]: 4 }, error: 'e\n', failures: [{ taskId: TASK, node: OTHER, attempt: 1, error: 'e', at: 2 }], epoch: 1, homes: [OTHER], replicas: [OTHER],
      capableBy: 5, keepMs: 6, resultsExpired: true, notBefore: 7, isWorkflow: false
    }
    const records: JobRecord[] = [job(), job({ byNode: {} }), job({ state: 'running', finishedAt: undefined, done: 0 }), job({ lastTaskAt: 9, lastRecordedAt: 9, finishedAt: 9 }), job({ lastTaskAt: 8, lastRecordedAt: 9, finishedAt: 9 }), full]
    for (const j of records) {
      expect(codec.unpackJob(JOB, disk(codec.packJob(JOB, j)))).toEqual(j)
      for (const t of [task({}, { queuedAt: j.createdAt }), task({}, { queuedAt: 77 })]) {
        expect(codec.unpackStoredJob(JOB, disk(codec.packStoredJob(JOB, j, t, undefined)))).toEqual({ job: j, task: t })
      }
      for (const o of [outcome({ finishedAt: j.finishedAt ?? 5 }), outcome({ finishedAt: 77 })]) {
        expect(codec.unpackStoredJob(JOB, disk(codec.packStoredJob(JOB, j, undefined, o)))).toEqual({ job: j, outcome: o })
        expect(codec.unpackJob(JOB, disk(codec.packStoredJob(JOB, j, undefined, o)))).toEqual(j)
      }
    }
    // A root task held without a queue time keeps none.
    const { queuedAt: _q, ...unqueued } = task()
    expect(codec.unpackStoredJob(JOB, disk(codec.packStoredJob(JOB, job(), unqueued, undefined)))).toEqual({ job: job(), task: unqueued })
  })

  it('says a finished one-task job\'s end time once (schema 5)', () => {
    const at = 1_796_048_386_180
    const j = job({ lastTaskAt: at, finishedAt: at, lastRecordedAt: at })
    const o = outcome({ finishedAt: at })
    const text = JSON.stringify(codec.packStoredJob(JOB, j, undefined, o))
    expect(text.split(String(at)).length - 1).toBe(1)
    expect(codec.unpackStoredJob(JOB, JSON.parse(text))).toEqual({ job: j, outcome: o })
    // A record written before (schema 4: every time said) reads the same.
    const old = { ...(codec.packJob(JOB, job()) as object), lastTaskAt: at, finishedAt: at, lastRecordedAt: at, rootId: TASK, rootOutcome: codec.packOutcome(TASK, o) }
    delete (old as any).at
    expect(codec.unpackStoredJob(JOB, disk(old))).toEqual({ job: j, outcome: o })
  })

  it('reads records written before it (every field present) as they were written', () => {
    const old = { t: task({ home: OTHER }), o: outcome({ node: OTHER }), j: job({ byNode: {} }) }
    expect(codec.unpackTask(TASK, disk(old.t))).toEqual(old.t)
    expect(codec.unpackOutcome(TASK, disk(old.o))).toEqual(old.o)
    expect(codec.unpackJob(JOB, disk(old.j))).toEqual(old.j)
  })

  it('leaves this node in place when it does not know its id, and says so when a record needs it', () => {
    const anon = new RecordCodec()
    const t = task()
    expect(JSON.stringify(anon.packTask(TASK, t))).toContain(SELF)
    expect(anon.unpackTask(TASK, disk(anon.packTask(TASK, t)))).toEqual(t)
    expect(() => anon.unpackTask(TASK, disk(codec.packTask(TASK, t)))).toThrow(/without one/)
  })
})
