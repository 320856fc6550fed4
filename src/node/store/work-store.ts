// Persistence of the work layer: tasks, job records, results, the results outbox and the
// Dijkstra–Scholten records, in the node's LevelDB. Writes are group-committed: callers
// stage puts and deletes and await flush(); every change staged before a flush lands in one
// atomic LevelDB batch, and the next flush starts once the previous one is written. One
// batch per turn of the event loop is what lets a node record tens of thousands of task
// transitions a second without making any of them less durable.

import type { CompletionRecord, PersistOp } from '../../completion/index.js'
import { recordKey } from '../../completion/index.js'
import { replicaSetIds } from '../../work/core/replicas.js'
import { openReplicaSet } from '../../wire/work-codec.js'
import type { BucketName } from './buckets.js'
import { RecordCodec } from './record-codec.js'
import type { Store } from './store.js'
import { tasksWithEmbedded, type JobRecord, type JobReplica, type LoadedWork, type StoredJob, type StoredTask, type TaskOutcome, type Writable, type WorkWrite } from '../../work/records.js'
import { jobOfTask } from '../../work/spec.js'

export type { StoredTask, StoredJob, TaskOutcome, JobState, JobRecord, LoadedWork, Writable, WorkWrite } from '../../work/records.js'

/** A staged write, already in the form LevelDB's batch takes at the root of the database. */
interface Op { type: 'put' | 'del', key: string, value?: string }

/** Keys and values of a staged write are strings, stored as they are. */
const UTF8 = { keyEncoding: 'utf8', valueEncoding: 'utf8' } as const

/** Jobs forget() deletes per LevelDB batch. */
const FORGET_SLICE = 500

export interface Loaded {
  tasks: StoredTask[]
  outbox: TaskOutcome[]
  /** Job records, each with the root task or outcome it holds inside (StoredJob). */
  jobs: StoredJob[]
  completion: CompletionRecord[]
}

export class WorkStore {
  private staged: Op[] = []
  private writing = false
  private waiters: Array<{ resolve: () => void, reject: (e: Error) => void }> = []
  private readonly subs: Record<Writable, ReturnType<Store['sublevel']>>
  /** Each bucket's key prefix at the root of the database (a sublevel's `!name!`). */
  private readonly prefixes: Record<Writable, string>
  /** The replica set replica() read last, decoded (see there). */
  private openSet?: { key: string, find: (jobId: string) => JobReplica | undefined }
  /** Tasks, outcomes and job records as written: without what their key or this node says (record-codec.ts). */
  private readonly codec: RecordCodec

  /** `self`: this node's peer id, which the records it writes then leave out (RecordCodec). */
  constructor (private readonly store: Store, self?: string) {
    this.codec = new RecordCodec(self)
    this.subs = {
      jobs: store.sublevel('jobs'),
      tasks: store.sublevel('tasks'),
      completion: store.sublevel('completion'),
      results: store.sublevel('results'),
      outbox: store.sublevel('outbox'),
      replicas: store.sublevel('replicas'),
      replicaSets: store.sublevel('replicaSets')
    }
    this.prefixes = Object.fromEntries(Object.entries(this.subs).map(([k, sub]) => [k, sub.prefix])) as Record<Writable, string>
  }

  async load (): Promise<Loaded> {
    const c = this.codec
    return {
      tasks: await this.values('tasks', (k, v) => c.unpackTask(k, v)),
      outbox: await this.values('outbox', (k, v) => c.unpackOutcome(k, v)),
      jobs: await this.values('jobs', (k, v) => c.unpackStoredJob(k, v)),
      completion: await this.values('completion', (_k, v) => v as CompletionRecord)
    }
  }

  /** Everything WorkCore.restore needs: load() with the recorded outcomes of every active job. */
  async loadForCore (): Promise<LoadedWork> {
    const { tasks: own, outbox, jobs, completion } = await this.load()
    const active: LoadedWork['jobs'] = []
    // Active jobs holding their root task inside their records (StoredJob).
    const holding: Array<LoadedWork['jobs'][number] & { task: StoredTask }> = []
    const finished: JobRecord[] = []
    for (const { job, task } of jobs) {
      if (job.state === 'completed' || job.state === 'failed' || job.state === 'cancelled') finished.push(job)
      else {
        const entry = { job, outcomes: await this.bucketResults(job.id, Number.MAX_SAFE_INTEGER, '') }
        active.push(entry)
        if (task !== undefined) holding.push({ ...entry, task })
      }
    }
    const { tasks, inRecord, rewrite } = tasksWithEmbedded(own, holding)
    const replicas: string[] = []
    for await (const k of this.subs.replicas.keys()) replicas.push(k as string)
    const replicaSets: Array<{ key: string, jobIds: string[] }> = []
    for await (const [key, set] of this.subs.replicaSets.iterator()) replicaSets.push({ key: key as string, jobIds: replicaSetIds(set) })
    return { tasks, outbox, jobs: active, finished, completion, replicas, replicaSets, inRecord, rewrite }
  }

  /** A job definition held here for another home (see WorkCore's re-homing): under its own key, or in replica set `set`. */
  async replica (jobId: string, set?: string): Promise<JobReplica | undefined> {
    if (set == null) return await this.subs.replicas.get(jobId) as JobReplica | undefined
    // The last set read stays open: a dead home's submit is re-homed whole, and each of its
    // jobs is read from the same set (decoding it per job would be quadratic in its size).
    if (this.openSet?.key !== set) {
      const find = openReplicaSet(await this.subs.replicaSets.get(set))
      this.openSet = { key: set, find }
    }
    return this.openSet.find(jobId)
  }

  /** A write to the open replica set's key closes it. */
  private touched (bucket: Writable, key: string): void {
    if (bucket === 'replicaSets' && this.openSet?.key === key) this.openSet = undefined
  }

  // Writes are staged in order and applied in order, so a put then a del of one key in the
  // same batch ends deleted. Values are JSON-encoded here (tasks, outcomes and job records
  // through the codec) and written at the root with the bucket's prefix: byte for byte what
  // the bucket's sublevel writes, without its per-op cost.
  put (bucket: Writable, key: string, value: unknown): void {
    this.touched(bucket, key)
    this.staged.push({ type: 'put', key: this.prefixes[bucket] + key, value: this.encode(bucket, key, value) })
  }

  private encode (bucket: Writable, key: string, value: unknown, w?: WorkWrite): string {
    switch (bucket) {
      case 'tasks': return JSON.stringify(this.codec.packTask(key, value as StoredTask))
      case 'results':
      case 'outbox': return JSON.stringify(this.codec.packOutcome(key, value as TaskOutcome))
      case 'jobs': return JSON.stringify(w?.task !== undefined || w?.outcome !== undefined ? this.codec.packStoredJob(key, value as JobRecord, w.task, w.outcome) : this.codec.packJob(key, value as JobRecord))
      default: return JSON.stringify(value)
    }
  }

  del (bucket: Writable, key: string): void {
    this.touched(bucket, key)
    this.staged.push({ type: 'del', key: this.prefixes[bucket] + key })
  }

  /** Stage a completion core's persist ops (the work core maps them itself, to the same keys). */
  completion (ops: readonly PersistOp[]): void {
    for (const op of ops) {
      const key = recordKey(op.kind, op.jobId, op.id)
      if (op.record == null) this.del('completion', key)
      else this.put('completion', key, op.record)
    }
  }

  /** Stage the work core's writes (ready().writes), in order. */
  apply (writes: readonly WorkWrite[]): void {
    for (let i = 0; i < writes.length; i++) {
      const w = writes[i]!
      this.touched(w.bucket, w.key)
      if (w.type === 'put') this.staged.push({ type: 'put', key: this.prefixes[w.bucket] + w.key, value: this.encode(w.bucket, w.key, w.value, w) })
      else this.staged.push({ type: 'del', key: this.prefixes[w.bucket] + w.key })
    }
  }

  get pending (): number {
    return this.staged.length
  }

  /** Resolves once everything staged before the call is written. */
  async flush (): Promise<void> {
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }))
    this.kick()
    await done
  }

  /**
   * One drain loop at a time. `writing` is set before the loop starts and cleared after it
   * ends (a microtask later, even when there was nothing to write), and a waiter that came
   * in between starts the next loop, so no flush is ever stranded.
   */
  private kick (): void {
    if (this.writing) return
    this.writing = true
    void this.drain().finally(() => {
      this.writing = false
      if (this.waiters.length > 0) this.kick()
    })
  }

  /** A task's recorded outcome: in `results`, or inside its job's final record (StoredJob). */
  async result (taskId: string): Promise<TaskOutcome | undefined> {
    const v = await this.subs.results.get(taskId)
    if (v != null) return this.codec.unpackOutcome(taskId, v)
    const o = (await this.storedJob(jobOfTask(taskId)))?.outcome
    return o?.taskId === taskId ? o : undefined
  }

  /** Outcomes of a job's tasks in id order, from `after` (exclusive), at most `limit`. */
  async jobResults (jobId: string, limit: number, after = ''): Promise<TaskOutcome[]> {
    const out = await this.bucketResults(jobId, limit, after)
    // One inside its final record (a one-task job's), in id order with the others.
    const o = (await this.storedJob(jobId))?.outcome
    if (o === undefined || o.taskId <= after || out.some(r => r.taskId === o.taskId)) return out
    const at = out.findIndex(r => r.taskId > o.taskId)
    if (at < 0) out.push(o)
    else out.splice(at, 0, o)
    return out.length > limit ? out.slice(0, limit) : out
  }

  /** The outcomes of a job in `results` only. */
  private async bucketResults (jobId: string, limit: number, after: string): Promise<TaskOutcome[]> {
    const out: TaskOutcome[] = []
    const gt = after === '' ? `${jobId}/` : after
    for await (const [k, v] of this.subs.results.iterator({ gt, lt: `${jobId}/\uffff`, limit })) out.push(this.codec.unpackOutcome(k as string, v))
    return out
  }

  async job (jobId: string): Promise<JobRecord | undefined> {
    return (await this.storedJob(jobId))?.job
  }

  /** A job record with what it holds inside (StoredJob). */
  async storedJob (jobId: string): Promise<StoredJob | undefined> {
    const v = await this.subs.jobs.get(jobId)
    return v == null ? undefined : this.codec.unpackStoredJob(jobId, v)
  }

  /** The job records of `ids` in order (undefined where there is none), in one read. */
  async jobsMany (ids: readonly string[]): Promise<Array<JobRecord | undefined>> {
    if (ids.length === 0) return []
    const values = await this.subs.jobs.getMany(ids as string[])
    return values.map((v, i) => v == null ? undefined : this.codec.unpackJob(ids[i]!, v))
  }

  /** Job records of this home, newest first (ids sort by submission time), from before `before`. */
  async listJobs (limit: number, before = ''): Promise<JobRecord[]> {
    const out: JobRecord[] = []
    const range = before === '' ? { reverse: true, limit } : { reverse: true, limit, lt: before }
    for await (const [k, v] of this.subs.jobs.iterator(range)) out.push(this.codec.unpackJob(k as string, v))
    return out
  }

  /**
   * Retention: delete what this node stores of finished jobs — their outcomes, and unless
   * `resultsOnly` their records and any replica held; with `resultsOnly` the record stays,
   * marked `resultsExpired`. Idempotent (a job not stored here costs a lookup). Staged and
   * flushed in slices so a batch of thousands never holds the event loop for long.
   */
  async forget (jobIds: readonly string[], resultsOnly: boolean, skip: (jobId: string) => boolean = () => false): Promise<{ jobs: number, results: number }> {
    let jobs = 0
    let results = 0
    for (let i = 0; i < jobIds.length; i += FORGET_SLICE) {
      for (const id of jobIds.slice(i, i + FORGET_SLICE)) {
        if (skip(id)) continue
        for await (const k of this.subs.results.keys({ gt: `${id}/`, lt: `${id}/\uffff` })) {
          this.del('results', k as string)
          results++
        }
        const stored = await this.storedJob(id)
        if (stored == null) {
          // Not the home: a replica is all it may hold (the work core deletes those it knows of).
          if (!resultsOnly) this.del('replicas', id)
          continue
        }
        const rec = stored.job
        jobs++
        // An outcome inside the record goes with it (put() writes the record alone).
        if (stored.outcome !== undefined) results++
        if (resultsOnly) this.put('jobs', id, { ...rec, resultsExpired: true })
        else {
          this.del('jobs', id)
          this.del('replicas', id)
        }
      }
      await this.flush()
    }
    return { jobs, results }
  }

  private async drain (): Promise<void> {
    while (this.waiters.length > 0) {
      const ops = this.staged
      const waiters = this.waiters
      this.staged = []
      this.waiters = []
      try {
        if (ops.length > 0) await this.write(ops)
        for (const w of waiters) w.resolve()
      } catch (err) {
        // Kept, ahead of anything staged since, for the next flush: memory already holds
        // what these writes say, so dropping them would let a later batch build on state the
        // disk never got. Until they land, every flush fails (nothing new is acknowledged).
        this.staged = this.staged.length === 0 ? ops : ops.concat(this.staged)
        for (const w of waiters) w.reject(err as Error)
      }
    }
  }

  /**
   * One atomic LevelDB batch, built op by op (a chained batch): the array form cost ~1.6 µs of
   * CPU per op against ~1.0 (abstract-level copies and checks every op object, and
   * classic-level then reads its type, key and value back through N-API property lookups),
   * and a busy home then wrote ~5 ops a job (BENCHMARKS.md, issue 14, stop 31; a one-task job is 2 since stop 47).
   */
  private async write (ops: readonly Op[]): Promise<void> {
    const batch = this.store.db.batch()
    try {
      for (let i = 0; i < ops.length; i++) {
        const op = ops[i]!
        if (op.type === 'put') batch.put(op.key, op.value, UTF8)
        else batch.del(op.key, UTF8)
      }
    } catch (err) {
      await batch.close()
      throw err
    }
    await batch.write()
  }

  private async values<V> (bucket: BucketName & Writable, read: (key: string, value: unknown) => V): Promise<V[]> {
    const out: V[] = []
    for await (const [k, v] of this.subs[bucket].iterator()) out.push(read(k as string, v))
    return out
  }
}
