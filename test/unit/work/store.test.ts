import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { CompletionRecord, PersistOp } from '../../../src/completion/index.js'
import { Store } from '../../../src/node/store/store.js'
import { formatJobId } from '../../../src/work/spec.js'
import { WorkStore, type JobRecord, type StoredTask, type TaskOutcome } from '../../../src/node/store/work-store.js'
import { decodeWorkMsg, encodeWorkMsg } from '../../../src/wire/work-codec.js'
import { sealedReplicaSet } from '../../../src/work/core/replicas.js'
import type { JobReplica } from '../../../src/work/records.js'

let dir: string
let store: Store
let work: WorkStore

/** The node these stores belong to: the home of the records below, which the codec leaves out. */
const SELF = 'h'

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mn-workstore-'))
  store = await Store.open(dir)
  work = new WorkStore(store, SELF)
})

afterEach(async () => {
  await store.close()
  await rm(dir, { recursive: true, force: true })
})

/** Reopens the database, so a test sees what reached disk rather than anything in memory. */
async function reopen (): Promise<WorkStore> {
  await store.close()
  store = await Store.open(dir)
  work = new WorkStore(store, SELF)
  return work
}

/**
 * Awaits a flush, failing with a clear message if it never settles. A lost flush waiter hangs
 * forever; this guard turns that into a failure instead of a 60 s test timeout. It is a hang
 * detector, not a speed check: a healthy flush settles in milliseconds.
 */
async function settles<T> (p: Promise<T>, what = 'flush()'): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const hang = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} never resolved`)), 5_000)
  })
  try {
    return await Promise.race([p, hang])
  } finally {
    clearTimeout(timer)
  }
}

function storedTask (id: string): StoredTask {
  const jobId = id.slice(0, id.indexOf('/'))
  return {
    state: 'queued',
    task: { id, jobId, type: 'echo', payload: 'null', requires: ['handler:echo'], maxAttempts: 3, attempts: 0, timeoutMs: 60_000, priority: 0, home: 'h' }
  }
}

function outcome (taskId: string): TaskOutcome {
  return { jobId: taskId.slice(0, taskId.indexOf('/')), taskId, ok: true, result: JSON.stringify(taskId), spawned: 0, attempts: 1, node: 'n', finishedAt: 1 }
}

function jobRecord (id: string, createdAt = 1): JobRecord {
  return { id, home: 'h', state: 'running', createdAt, roots: 1, total: 1, done: 0, failed: 0, cancelled: 0, byNode: {} }
}

describe('WorkStore staging and flush', () => {
  it('writes nothing until flush, then persists puts and deletes', async () => {
    work.put('tasks', 'J/0', storedTask('J/0'))
    work.put('tasks', 'J/1', storedTask('J/1'))
    work.put('jobs', 'J', jobRecord('J'))
    work.put('outbox', 'J/0', outcome('J/0'))
    work.del('tasks', 'J/1')
    expect(work.pending).toBeGreaterThan(0)
    expect(await work.job('J')).toBeUndefined()

    await settles(work.flush())
    expect(work.pending).toBe(0)

    const loaded = await (await reopen()).load()
    expect(loaded.tasks).toEqual([storedTask('J/0')])
    expect(loaded.jobs).toEqual([{ job: jobRecord('J') }])
    expect(loaded.outbox).toEqual([outcome('J/0')])
    expect(loaded.completion).toEqual([])
  })

  it('reads what a store that left nothing out wrote (records before the codec, or no node id)', async () => {
    const old = new WorkStore(store)
    old.put('tasks', 'J/0', storedTask('J/0'))
    old.put('jobs', 'J', { ...jobRecord('J'), byNode: { n: 1, h: 2 } })
    old.put('outbox', 'J/0', outcome('J/0'))
    old.put('results', 'J/0', outcome('J/0'))
    await settles(old.flush())
    const w = await reopen()
    expect(await w.load()).toEqual({ tasks: [storedTask('J/0')], outbox: [outcome('J/0')], jobs: [{ job: { ...jobRecord('J'), byNode: { n: 1, h: 2 } } }], completion: [] })
    expect(await w.result('J/0')).toEqual(outcome('J/0'))
    expect(await w.jobResults('J', 10)).toEqual([outcome('J/0')])
    expect(await w.listJobs(10)).toEqual([{ ...jobRecord('J'), byNode: { n: 1, h: 2 } }])
  })

  it('reads many job records in one call, in the order asked, undefined where there is none', async () => {
    const work = new WorkStore(store)
    work.put('jobs', 'J1', jobRecord('J1', 1))
    work.put('jobs', 'J2', jobRecord('J2', 2))
    await settles(work.flush())
    expect(await work.jobsMany(['J2', 'nope', 'J1'])).toEqual([jobRecord('J2', 2), undefined, jobRecord('J1', 1)])
    expect(await work.jobsMany([])).toEqual([])
  })

  it('writes records without what their key and this node say, and reads them back whole', async () => {
    work.put('tasks', 'J/0', storedTask('J/0'))
    work.put('jobs', 'J', { ...jobRecord('J'), byNode: { n: 1, h: 2 } })
    work.put('results', 'J/0', { ...outcome('J/0'), node: SELF })
    await settles(work.flush())
    const raw: string[] = []
    for await (const v of store.db.values({ valueEncoding: 'utf8' } as any)) raw.push(v as string)
    expect(raw.filter(v => v.includes('"J/0"') || v.includes('"home":"h"') || v.includes('"node":"h"'))).toEqual([])
    const w = await reopen()
    expect((await w.load()).tasks).toEqual([storedTask('J/0')])
    expect(await w.job('J')).toEqual({ ...jobRecord('J'), byNode: { n: 1, h: 2 } })
    expect(await w.result('J/0')).toEqual({ ...outcome('J/0'), node: SELF })
  })

  it('keeps a one-task job\'s root task inside its record, and reads it back as held until its outcome is recorded', async () => {
    const job = { ...jobRecord('J'), state: 'running' as const }
    work.apply([{ type: 'put', bucket: 'jobs', key: 'J', value: job, task: storedTask('J/0') }])
    await settles(work.flush())
    // One value: no key of its own.
    const keys: string[] = []
    for await (const k of store.db.keys({ keyEncoding: 'utf8' } as any)) keys.push(k as string)
    expect(keys.filter(k => k.includes('J/0'))).toEqual([])
    let w = await reopen()
    expect(await w.job('J')).toEqual(job)
    expect((await w.load()).jobs).toEqual([{ job, task: storedTask('J/0') }])
    const core = await w.loadForCore()
    expect(core.tasks).toEqual([storedTask('J/0')])
    expect(core.inRecord).toEqual(['J/0'])
    expect(core.jobs).toEqual([{ job, outcomes: [] }])
    // Its outcome recorded (in results, the job still running): no longer held.
    w.put('results', 'J/0', outcome('J/0'))
    await settles(w.flush())
    w = await reopen()
    expect((await w.loadForCore()).tasks).toEqual([])
    // A newer record of it under its own key wins, and the job's record is to be rewritten.
    w.del('results', 'J/0')
    w.put('tasks', 'J/0', { ...storedTask('J/0'), state: 'delegated', batchId: 'b', to: 'p' })
    await settles(w.flush())
    const again = await (await reopen()).loadForCore()
    expect(again.tasks).toEqual([{ ...storedTask('J/0'), state: 'delegated', batchId: 'b', to: 'p' }])
    expect(again).toMatchObject({ inRecord: [], rewrite: ['J'] })
  })

  it('reads a one-task job\'s outcome from inside its final record like one in results, and forgets it with the record', async () => {
    const final = { ...jobRecord('J'), state: 'completed' as const, done: 1, finishedAt: 5 }
    work.put('results', 'K/0', outcome('K/0'))
    work.put('jobs', 'K', { ...jobRecord('K'), state: 'completed' as const })
    work.apply([{ type: 'put', bucket: 'jobs', key: 'J', value: final, outcome: outcome('J/0') }])
    await settles(work.flush())
    const w = await reopen()
    expect(await w.job('J')).toEqual(final)
    expect(await w.listJobs(10)).toEqual([{ ...jobRecord('K'), state: 'completed' }, final])
    expect(await w.result('J/0')).toEqual(outcome('J/0'))
    expect(await w.result('J/1')).toBeUndefined()
    expect(await w.jobResults('J', 10)).toEqual([outcome('J/0')])
    expect(await w.jobResults('J', 10, 'J/0')).toEqual([])
    expect(await w.jobResults('K', 10)).toEqual([outcome('K/0')])
    const loaded = await w.loadForCore()
    expect(loaded.finished).toEqual([final, { ...jobRecord('K'), state: 'completed' }])
    expect(loaded.tasks).toEqual([])
    // Results only: the record stays, without the outcome.
    expect(await w.forget(['J'], true)).toEqual({ jobs: 1, results: 1 })
    expect(await w.result('J/0')).toBeUndefined()
    expect(await w.job('J')).toEqual({ ...final, resultsExpired: true })
    expect(await w.forget(['J'], false)).toEqual({ jobs: 1, results: 0 })
    expect(await w.job('J')).toBeUndefined()
  })

  it('deletes what an earlier flush wrote', async () => {
    work.put('tasks', 'J/0', storedTask('J/0'))
    await settles(work.flush())
    work.del('tasks', 'J/0')
    await settles(work.flush())
    expect((await work.load()).tasks).toEqual([])
  })

  it('resolves a flush with nothing staged', async () => {
    await settles(work.flush())
    expect(await work.load()).toEqual({ tasks: [], outbox: [], jobs: [], completion: [] })
  })

  it('keeps the latest staged change for a key', async () => {
    work.put('jobs', 'A', jobRecord('A', 1))
    work.put('jobs', 'A', jobRecord('A', 2))
    work.put('jobs', 'B', jobRecord('B'))
    work.del('jobs', 'B')
    work.del('jobs', 'C')
    work.put('jobs', 'C', jobRecord('C'))
    // All in one batch: the last change staged for a key decides what is on disk.
    await settles(work.flush())
    expect((await work.job('A'))?.createdAt).toBe(2)
    expect(await work.job('B')).toBeUndefined()
    expect(await work.job('C')).toEqual(jobRecord('C'))
  })

  it('keeps the same key in different buckets apart', async () => {
    work.put('tasks', 'J/0', storedTask('J/0'))
    work.put('outbox', 'J/0', outcome('J/0'))
    work.del('outbox', 'J/0')
    await settles(work.flush())
    const loaded = await work.load()
    expect(loaded.tasks).toHaveLength(1)
    expect(loaded.outbox).toHaveLength(0)
  })

  it('resolves many concurrent flushes and lands every staged write, in few batches', async () => {
    const batch = vi.spyOn(store.db, 'batch')
    const flushes: Array<Promise<void>> = []
    for (let i = 0; i < 200; i++) {
      work.put('results', `J/${i}`, outcome(`J/${i}`))
      flushes.push(work.flush())
    }
    await settles(Promise.all(flushes), 'one of 200 concurrent flushes')
    expect((await work.jobResults('J', 1000)).length).toBe(200)
    // Group commit: the first flush writes one batch; everything staged while it is in
    // flight goes in the next. Not one batch per flush.
    expect(batch.mock.calls.length).toBeLessThanOrEqual(2)
  })

  it('makes a flush wait for writes staged while an earlier batch was in flight', async () => {
    work.put('jobs', 'A', jobRecord('A'))
    const first = work.flush()
    work.put('jobs', 'B', jobRecord('B'))
    const second = work.flush()
    await settles(second)
    // Resolving the second flush promises B is on disk, not merely that the first batch is.
    expect(await work.job('B')).toEqual(jobRecord('B'))
    await settles(first)
  })

  it('flushes an empty store twice in a row, then still writes what is staged next', async () => {
    // Regression: an empty flush finishes its drain synchronously; a flush after it must not
    // find the finished drain still marked as writing and wait on it forever.
    await settles(work.flush())
    await settles(work.flush())
    work.put('jobs', 'A', jobRecord('A'))
    await settles(work.flush())
    expect(await (await reopen()).job('A')).toEqual(jobRecord('A'))
  })

  it('resolves two flushes issued together on an empty store', async () => {
    // The same synchronous drain, but the second flush comes before the microtask that
    // clears `writing`: its waiter must not be stranded.
    await settles(Promise.all([work.flush(), work.flush()]), 'the second of two concurrent empty flushes')
  })

  it('writes a put staged between two flushes issued together on an empty store', async () => {
    const first = work.flush()
    work.put('jobs', 'A', jobRecord('A'))
    await settles(Promise.all([first, work.flush()]), 'a flush issued right after an empty one')
    expect(await work.job('A')).toEqual(jobRecord('A'))
  })

  it('keeps working after a failed batch, rejecting only the flushes that were in it', async () => {
    // The store writes a chained batch: its write() fails once.
    const real = store.db.batch.bind(store.db) as () => any
    const batch = vi.spyOn(store.db, 'batch').mockImplementationOnce((() => {
      const b = real()
      b.write = async () => {
        await b.close()
        throw new Error('disk full')
      }
      return b
    }) as any)
    work.put('jobs', 'A', jobRecord('A'))
    await expect(settles(work.flush())).rejects.toThrow('disk full')
    batch.mockRestore()
    work.put('jobs', 'B', jobRecord('B'))
    await settles(work.flush())
    expect(await work.job('B')).toEqual(jobRecord('B'))
  })
})

describe('WorkStore.completion', () => {
  it('maps the core persist ops to puts and deletes of completion records', async () => {
    const task: CompletionRecord = { kind: 'task', jobId: 'J', taskId: 'J/0', charges: ['b1'] }
    const job: CompletionRecord = { kind: 'job', jobId: 'J', home: true, completed: false }
    const other: CompletionRecord = { kind: 'task', jobId: 'J', taskId: 'J/1', charges: [] }
    const ops: PersistOp[] = [
      { kind: 'job', jobId: 'J', id: '', record: job },
      { kind: 'task', jobId: 'J', id: 'J/0', record: task },
      { kind: 'task', jobId: 'J', id: 'J/1', record: other }
    ]
    work.completion(ops)
    await settles(work.flush())
    expect(await work.load().then(l => l.completion)).toHaveLength(3)

    work.completion([{ kind: 'task', jobId: 'J', id: 'J/1', record: null }])
    await settles(work.flush())
    const loaded = (await (await reopen()).load()).completion
    expect(loaded).toHaveLength(2)
    expect(loaded).toEqual(expect.arrayContaining([job, task]))
  })
})

describe('WorkStore queries', () => {
  it('pages a job\'s results in task id order', async () => {
    const ids = ['J/0', 'J/1', 'J/1.0', 'J/1.1', 'J/10', 'J/2']
    for (const id of [...ids].reverse()) work.put('results', id, outcome(id))
    await settles(work.flush())

    expect((await work.jobResults('J', 100)).map(r => r.taskId)).toEqual(ids)
    const page1 = await work.jobResults('J', 4)
    expect(page1.map(r => r.taskId)).toEqual(ids.slice(0, 4))
    const page2 = await work.jobResults('J', 4, page1.at(-1)!.taskId)
    expect(page2.map(r => r.taskId)).toEqual(ids.slice(4))
    expect(await work.jobResults('J', 4, page2.at(-1)!.taskId)).toEqual([])
  })

  it('does not return results of a job whose id shares a prefix', async () => {
    // 'J-x/…' sorts before 'J/', 'J0/…' and 'J1/…' after 'J/…': none may leak into J's range.
    for (const id of ['I/9', 'J-x/0', 'J/0', 'J/1', 'J0/0', 'J1/0', 'J1/5', 'K/0']) work.put('results', id, outcome(id))
    await settles(work.flush())
    expect((await work.jobResults('J', 100)).map(r => r.taskId)).toEqual(['J/0', 'J/1'])
    expect((await work.jobResults('J1', 100)).map(r => r.taskId)).toEqual(['J1/0', 'J1/5'])
    expect(await work.jobResults('J', 100, 'J/1')).toEqual([])
  })

  it('returns one result by task id', async () => {
    work.put('results', 'J/3', outcome('J/3'))
    await settles(work.flush())
    expect(await work.result('J/3')).toEqual(outcome('J/3'))
    expect(await work.result('J/4')).toBeUndefined()
  })

  it('lists jobs newest first, and pages with before', async () => {
    const ids = [1000, 2000, 3000, 4000].map((t, i) => formatJobId(t, '0a1b2c3d', i))
    // Stage in a scrambled order: the listing order comes from the ids, not from insertion.
    for (const i of [2, 0, 3, 1]) work.put('jobs', ids[i]!, jobRecord(ids[i]!, i))
    await settles(work.flush())

    const newest = [...ids].reverse()
    expect((await work.listJobs(10)).map(j => j.id)).toEqual(newest)
    const page1 = await work.listJobs(2)
    expect(page1.map(j => j.id)).toEqual(newest.slice(0, 2))
    expect((await work.listJobs(2, page1.at(-1)!.id)).map(j => j.id)).toEqual(newest.slice(2))
  })

  it('gets one job record by id', async () => {
    work.put('jobs', 'J', jobRecord('J'))
    await settles(work.flush())
    expect(await work.job('J')).toEqual(jobRecord('J'))
    expect(await work.job('nope')).toBeUndefined()
  })
})

describe('WorkStore.forget (retention)', () => {
  async function stored (): Promise<void> {
    for (const id of ['J', 'K', 'L']) work.put('jobs', id, { ...jobRecord(id), state: 'completed', finishedAt: 5 })
    for (const id of ['J/0', 'J/1', 'J/1.0', 'J0/0', 'K/0', 'L/0']) work.put('results', id, outcome(id))
    work.put('replicas', 'R', { id: 'R', home: 'other', createdAt: 1, tasks: [] })
    await settles(work.flush())
  }

  it('deletes a job\'s record, every outcome and a replica held, and nothing of other jobs', async () => {
    await stored()
    expect(await settles(work.forget(['J', 'R', 'unknown'], false), 'forget()')).toEqual({ jobs: 1, results: 3 })
    const w = await reopen()
    expect(await w.job('J')).toBeUndefined()
    expect(await w.jobResults('J', 100)).toEqual([])
    expect(await w.replica('R')).toBeUndefined()
    expect((await w.jobResults('J0', 100)).map(r => r.taskId)).toEqual(['J0/0'])
    expect(await w.job('K')).toMatchObject({ state: 'completed' })
  })

  it('results only: deletes the outcomes and keeps the record, marked resultsExpired', async () => {
    await stored()
    await settles(work.forget(['K'], true), 'forget()')
    const w = await reopen()
    expect(await w.jobResults('K', 100)).toEqual([])
    expect(await w.job('K')).toMatchObject({ state: 'completed', resultsExpired: true })
  })

  it('is idempotent, and leaves alone the jobs it is told to skip', async () => {
    await stored()
    await settles(work.forget(['J', 'L'], false, id => id === 'L'), 'forget()')
    expect(await settles(work.forget(['J'], false), 'forget()')).toEqual({ jobs: 0, results: 0 })
    const w = await reopen()
    expect(await w.job('L')).toBeDefined()
    expect(await w.jobResults('L', 10)).toHaveLength(1)
  })
})

describe('WorkStore replica sets', () => {
  const HOME = '12D3KooWexampleHomeOfTheReplicas'
  const replica = (i: number): JobReplica => {
    const id = formatJobId(1_795_000_000_000, 'abcd1234', i)
    return { id, home: HOME, createdAt: 1_795_000_000_000, tasks: [{ id: `${id}/0`, jobId: id, type: 'echo', payload: `{"i":${i}}`, requires: [], maxAttempts: 3, attempts: 0, timeoutMs: 0, priority: 0, home: HOME }] }
  }
  /** A set as a holder stores it: the replicate message received, sealed, stored unread. */
  const sealedSet = (jobs: JobReplica[]): unknown => {
    const msg = decodeWorkMsg(encodeWorkMsg({ op: 'replicate', jobs }), HOME)
    if (msg.op !== 'replicate' || msg.sealed == null) throw new Error('not sealed')
    return sealedReplicaSet(HOME, msg.sealed)
  }

  it('reads each job of a sealed set from disk, and lists the set\'s ids on load', async () => {
    const jobs = [1, 2, 3].map(replica)
    work.put('replicaSets', jobs[0]!.id, sealedSet(jobs))
    await work.flush()
    const w = await reopen()
    expect((await w.loadForCore()).replicaSets).toEqual([{ key: jobs[0]!.id, jobIds: jobs.map(j => j.id) }])
    for (const j of jobs) expect(await w.replica(j.id, jobs[0]!.id)).toEqual(j)
    expect(await w.replica(replica(9).id, jobs[0]!.id)).toBeUndefined()
  })

  it('a write to the set it read last is seen by the next read', async () => {
    const first = [1, 2].map(replica)
    work.put('replicaSets', 'S', sealedSet(first))
    await work.flush()
    expect(await work.replica(first[1]!.id, 'S')).toEqual(first[1])
    const second = [1, 2].map(i => ({ ...replica(i), createdAt: 7 }))
    work.put('replicaSets', 'S', sealedSet(second))
    await work.flush()
    expect(await work.replica(second[1]!.id, 'S')).toEqual(second[1])
    work.apply([{ type: 'del', bucket: 'replicaSets', key: 'S' }])
    await work.flush()
    expect(await work.replica(second[1]!.id, 'S')).toBeUndefined()
  })
})
