// How the work store writes a task, a task outcome and a job record: as the JSON of the
// record with what the record's key or the node itself already says left out. A one-task
// job's three records were ~1 270 bytes a job, most of it its ids and the home's 52-character
// peer id said again in every record; JSON.stringify of them and LevelDB's copy of the bytes
// were ~20 % of a busy home's main thread (BENCHMARKS.md, issue 14, stop 31).
//
// Left out on write, filled in on read:
// - the record's own id (the key), and a task's or outcome's job id (the key's `<job>/` part);
// - this node's peer id where a record names it (a task's home, an outcome's node, a job's
//   home; a job's `byNode` count for this node is keyed '' instead);
// - fields at the value every new task, outcome and job starts with (FORMAT_DEFAULTS);
// - (schema 5) a finished job's three end times when they are one time, as `at`; the
//   finishedAt of an outcome inside a job record when it is the record's; the queuedAt of a
//   task inside a job record when it is the record's createdAt. A one-task job's final record
//   said the same 13-digit time four times (BENCHMARKS.md, issue 14, stop 48).
//
// A field present in a value always wins, so records written before this codec (every field
// present) read as they were written. The defaults below are part of the on-disk format: a
// later change of a task default (TASK_DEFAULTS) must not change them.
import { capabilityOf, jobOfTask } from '../../work/spec.js'
import type { JobRecord, StoredJob, StoredTask, TaskOutcome } from '../../work/records.js'

/** On-disk defaults. Never change: records written without these fields read them back. */
const FORMAT_DEFAULTS = { maxAttempts: 3, attempts: 0, timeoutMs: 60_000, priority: 0, payload: 'null', outcomeAttempts: 1 } as const

/** A finished job whose three end times are one (written once, as `at`). */
function oneEndTime (j: JobRecord): boolean {
  return j.finishedAt !== undefined && j.lastTaskAt === j.finishedAt && j.lastRecordedAt === j.finishedAt
}

/** A job's byNode key that stands for this node. */
const SELF_KEY = ''

export class RecordCodec {
  /** `self`: this node's peer id; without one nothing is left out for being this node. */
  constructor (private readonly self?: string) {}

  packTask (key: string, st: StoredTask): unknown {
    const t = st.task
    const task: Record<string, unknown> = { type: t.type }
    if (t.id !== key) task.id = t.id
    if (t.jobId !== jobOfTask(key)) task.jobId = t.jobId
    if (t.payload !== FORMAT_DEFAULTS.payload) task.payload = t.payload
    if (!(t.requires.length === 1 && t.requires[0] === capabilityOf(t.type))) task.requires = t.requires
    if (t.maxAttempts !== FORMAT_DEFAULTS.maxAttempts) task.maxAttempts = t.maxAttempts
    if (t.attempts !== FORMAT_DEFAULTS.attempts) task.attempts = t.attempts
    if (t.timeoutMs !== FORMAT_DEFAULTS.timeoutMs) task.timeoutMs = t.timeoutMs
    if (t.priority !== FORMAT_DEFAULTS.priority) task.priority = t.priority
    if (!this.isSelf(t.home)) task.home = t.home
    if (t.failures !== undefined) task.failures = t.failures
    if (t.notBefore !== undefined) task.notBefore = t.notBefore
    // Field by field rather than a spread: copying with a spread or a rest pattern was ~2 % of
    // a busy home's main thread. The round-trip test of a record with every field set
    // (record-codec.test.ts, Required<...>) fails when a record gains a field these leave out.
    const out: Record<string, unknown> = { task, state: st.state }
    if (st.batchId !== undefined) out.batchId = st.batchId
    if (st.to !== undefined) out.to = st.to
    if (st.queuedAt !== undefined) out.queuedAt = st.queuedAt
    if (st.charge !== undefined) out.charge = st.charge
    return out
  }

  unpackTask (key: string, v: any): StoredTask {
    const t = v.task
    v.task = {
      id: t.id ?? key,
      jobId: t.jobId ?? jobOfTask(key),
      type: t.type,
      payload: t.payload ?? FORMAT_DEFAULTS.payload,
      requires: t.requires ?? [capabilityOf(t.type)],
      maxAttempts: t.maxAttempts ?? FORMAT_DEFAULTS.maxAttempts,
      attempts: t.attempts ?? FORMAT_DEFAULTS.attempts,
      timeoutMs: t.timeoutMs ?? FORMAT_DEFAULTS.timeoutMs,
      priority: t.priority ?? FORMAT_DEFAULTS.priority,
      home: t.home ?? this.selfOr(key),
      ...(t.failures !== undefined ? { failures: t.failures } : {}),
      ...(t.notBefore !== undefined ? { notBefore: t.notBefore } : {})
    }
    return v as StoredTask
  }

  packOutcome (key: string, o: TaskOutcome): unknown {
    // Field by field, as in packTask.
    const out: Record<string, unknown> = { ok: o.ok }
    if (o.result !== undefined) out.result = o.result
    if (o.error !== undefined) out.error = o.error
    if (o.cancelled !== undefined) out.cancelled = o.cancelled
    if (o.taskId !== key) out.taskId = o.taskId
    if (o.jobId !== jobOfTask(key)) out.jobId = o.jobId
    if (o.spawned !== 0) out.spawned = o.spawned
    if (o.attempts !== FORMAT_DEFAULTS.outcomeAttempts) out.attempts = o.attempts
    if (!this.isSelf(o.node)) out.node = o.node
    out.finishedAt = o.finishedAt
    if (o.failures !== undefined) out.failures = o.failures
    if (o.home !== undefined) out.home = o.home
    if (o.charge !== undefined) out.charge = o.charge
    if (o.tolerated !== undefined) out.tolerated = o.tolerated
    return out
  }

  unpackOutcome (key: string, v: any): TaskOutcome {
    v.taskId ??= key
    v.jobId ??= jobOfTask(key)
    v.spawned ??= 0
    v.attempts ??= FORMAT_DEFAULTS.outcomeAttempts
    v.node ??= this.selfOr(key)
    return v as TaskOutcome
  }

  /**
   * A job record with what a one-task job keeps inside it (StoredJob): its root task or its
   * outcome, each packed against the task's id (`rootId`), which their own keys would have been.
   */
  packStoredJob (key: string, j: JobRecord, task: StoredTask | undefined, outcome: TaskOutcome | undefined): unknown {
    const out = this.packJob(key, j) as Record<string, unknown>
    const id = task?.task.id ?? outcome!.taskId
    out.rootId = id
    if (task !== undefined) out.rootTask = this.packRootTask(id, j, task)
    // Packed against its own id (which it then writes when that is not rootId).
    if (outcome !== undefined) out.rootOutcome = this.packRootOutcome(id, j, outcome)
    return out
  }

  private packRootTask (id: string, j: JobRecord, task: StoredTask): unknown {
    const t = this.packTask(id, task) as Record<string, unknown>
    // Left out: the record's createdAt; none at all: null.
    if (t.queuedAt === j.createdAt) delete t.queuedAt
    else if (t.queuedAt === undefined) t.queuedAt = null
    return t
  }

  private packRootOutcome (id: string, j: JobRecord, outcome: TaskOutcome): unknown {
    const o = this.packOutcome(id, outcome) as Record<string, unknown>
    if (j.finishedAt !== undefined && o.finishedAt === j.finishedAt) delete o.finishedAt
    return o
  }

  /** A stored job record and what it holds inside (packStoredJob). */
  unpackStoredJob (key: string, v: any): StoredJob {
    if (v.rootId === undefined) return { job: this.jobFields(key, v) }
    const { rootId, rootTask, rootOutcome, ...rest } = v
    const out: StoredJob = { job: this.jobFields(key, rest) }
    if (rootTask !== undefined) {
      if (rootTask.queuedAt === null) delete rootTask.queuedAt
      else rootTask.queuedAt ??= out.job.createdAt
      out.task = this.unpackTask(rootId, rootTask)
    }
    if (rootOutcome !== undefined) {
      rootOutcome.finishedAt ??= out.job.finishedAt
      out.outcome = this.unpackOutcome(rootId, rootOutcome)
    }
    return out
  }

  packJob (key: string, j: JobRecord): unknown {
    // Field by field, as in packTask.
    const out: Record<string, unknown> = { state: j.state, createdAt: j.createdAt, roots: j.roots, total: j.total }
    if (j.id !== key) out.id = j.id
    if (!this.isSelf(j.home)) out.home = j.home
    if (j.done !== 0) out.done = j.done
    if (j.failed !== 0) out.failed = j.failed
    if (j.cancelled !== 0) out.cancelled = j.cancelled
    let nodes: Record<string, number> | undefined
    for (const peer in j.byNode) {
      nodes ??= {}
      nodes[this.isSelf(peer) ? SELF_KEY : peer] = j.byNode[peer]!
    }
    if (nodes !== undefined) out.byNode = nodes
    if (j.name !== undefined) out.name = j.name
    if (oneEndTime(j)) {
      out.at = j.finishedAt
    } else {
      if (j.lastTaskAt !== undefined) out.lastTaskAt = j.lastTaskAt
      if (j.finishedAt !== undefined) out.finishedAt = j.finishedAt
      if (j.lastRecordedAt !== undefined) out.lastRecordedAt = j.lastRecordedAt
    }
    if (j.error !== undefined) out.error = j.error
    if (j.failures !== undefined) out.failures = j.failures
    if (j.epoch !== undefined) out.epoch = j.epoch
    if (j.homes !== undefined) out.homes = j.homes
    if (j.replicas !== undefined) out.replicas = j.replicas
    if (j.capableBy !== undefined) out.capableBy = j.capableBy
    if (j.keepMs !== undefined) out.keepMs = j.keepMs
    if (j.resultsExpired !== undefined) out.resultsExpired = j.resultsExpired
    if (j.notBefore !== undefined) out.notBefore = j.notBefore
    if (j.isWorkflow !== undefined) out.isWorkflow = j.isWorkflow
    return out
  }

  /** A stored job record, without what it holds inside (left undecoded; unpackStoredJob reads it). */
  unpackJob (key: string, v: any): JobRecord {
    if (v.rootId === undefined) return this.jobFields(key, v)
    const { rootId: _id, rootTask: _task, rootOutcome: _outcome, ...rest } = v
    return this.jobFields(key, rest)
  }

  private jobFields (key: string, v: any): JobRecord {
    if (v.at !== undefined) {
      v.lastTaskAt ??= v.at
      v.finishedAt ??= v.at
      v.lastRecordedAt ??= v.at
      delete v.at
    }
    v.id ??= key
    v.home ??= this.selfOr(key)
    v.done ??= 0
    v.failed ??= 0
    v.cancelled ??= 0
    const byNode: Record<string, number> = {}
    for (const peer in v.byNode) byNode[peer === SELF_KEY ? this.selfOr(key) : peer] = v.byNode[peer]
    v.byNode = byNode
    return v as JobRecord
  }

  private isSelf (peer: string | undefined): boolean {
    return this.self !== undefined && peer === this.self
  }

  /** This node's id, for a field left out because it named this node. */
  private selfOr (key: string): string {
    if (this.self === undefined) throw new Error(`record ${key} leaves out this node's id, and the store was opened without one`)
    return this.self
  }
}
