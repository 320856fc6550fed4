// The records of the work layer — tasks held, outcomes, job records — and the write form in
// which the work core hands its changes to the shell. Plain data: the core and the store
// share them, and neither depends on the other's I/O.

import type { CompletionRecord } from '../completion/index.js'
import type { AttemptFailure } from './core/ladder.js'
import type { Task } from './spec.js'

/** A task this node holds: waiting to run here, or lent to a peer in an unsignalled batch. */
export interface StoredTask {
  task: Task
  /** `delegated`: sent to `to` in batch `batchId`, kept so the batch can be re-sent or reclaimed. */
  state: 'queued' | 'delegated'
  batchId?: string
  to?: string
  /**
   * When this node took the task on as queued, or when its retry backoff ended (this node's
   * clock, ms): where its queue wait starts. Absent in records written before it existed.
   */
  queuedAt?: number
  /**
   * Queued: the Dijkstra–Scholten engagement the task is charged to when that is its only
   * one — absent for the root engagement (a task at its job's home). The completion core's
   * record of such a task is not written; restore derives it from this one (src/work/core/charges.ts).
   */
  charge?: string
}

/** The outcome of one task, as recorded at its home (and queued in the outbox elsewhere). */
export interface TaskOutcome {
  jobId: string
  taskId: string
  ok: boolean
  /** JSON text of the result: when ok, and for a failure that keeps one (a command's output and exit code). */
  result?: string
  error?: string
  cancelled?: boolean
  spawned: number
  attempts: number
  node: string
  finishedAt: number
  /** A failed task's every failed attempt (node, attempt, error, at), wherever it ran. */
  failures?: AttemptFailure[]
  /** In the outbox only: the home to deliver it to. */
  home?: string
  /**
   * In the outbox only: the engagement the task was charged to here (StoredTask.charge); its
   * completion record stays implied until the home has the outcome.
   */
  charge?: string
  /** Set at the home: a failed workflow step that continues on failure (the job does not fail for it). */
  tolerated?: boolean
}

export type JobState = 'registering' | 'running' | 'completed' | 'failed' | 'cancelled'

/** A job at its home node. */
export interface JobRecord {
  id: string
  name?: string
  home: string
  state: JobState
  createdAt: number
  /** When the last task's outcome was recorded, and when completion was detected. */
  lastTaskAt?: number
  finishedAt?: number
  /**
   * When this home recorded the latest outcome, by its own clock: for a task run elsewhere,
   * when its result arrived (lastTaskAt is stamped by the node that ran it). Where the
   * completion-detection latency metric starts.
   */
  lastRecordedAt?: number
  roots: number
  /** Tasks known so far: roots plus every child reported spawned. */
  total: number
  /** Tasks with a recorded outcome (ok, failed or cancelled). */
  done: number
  failed: number
  cancelled: number
  /** Outcomes per executing node. */
  byNode: Record<string, number>
  /** The first failure, kept as the job's error. */
  error?: string
  /**
   * The job's failure record: every failed attempt of its failed tasks (the first
   * JOB_FAILURES_KEPT), each with the task, node, attempt, error and time.
   */
  failures?: Array<AttemptFailure & { taskId: string }>
  /** Home generation: 0 where it was submitted, +1 each time it was re-homed after a death. */
  epoch?: number
  /** Earlier homes, oldest first (they were declared dead while it ran). */
  homes?: string[]
  /** Nodes holding a replica of the job's definition (not the home). */
  replicas?: string[]
  /**
   * Submitted to wait for a capable node (waitForCapableMs): until when its tasks that no live
   * node can run wait before they fail with NO_CAPABLE_NODE; 0 = for ever.
   */
  capableBy?: number
  /** Kept this long once finished (submit --keep), instead of the mesh's retention policy. */
  keepMs?: number
  /** Retention deleted the task outcomes (retention.resultsMaxAgeMs); the record is kept. */
  resultsExpired?: boolean
  /** Submitted with --delay/--at: its root tasks start no earlier than this (the home's clock, ms). */
  notBefore?: number
  /** A workflow (its one root task is the driver, src/work/workflows.ts). */
  isWorkflow?: boolean
}

/**
 * A job's definition as replicated to other nodes before its submit is acknowledged: enough
 * to run it again from its roots if its home dies. Root tasks keep their first ids.
 */
export interface JobReplica {
  id: string
  name?: string
  home: string
  createdAt: number
  keepMs?: number
  tasks: Task[]
  /** The home generation this node adopted the job in, once it has (never adopted twice in one). */
  adoptedEpoch?: number
}

/**
 * The job definitions of one replicate message as a holder receives them: still encoded (a
 * protobuf ReplicaSet, base64), with their job ids beside. The holder stores them unread; only
 * a job re-homed to it is decoded (src/wire/work-codec.ts openReplicaSet), and checked then.
 */
export interface SealedReplicas {
  ids: string[]
  body: string
  /** The body is raw-deflated (a home since stop 49: WorkRequest.packed_replicas). */
  deflated?: boolean
}

/** The LevelDB buckets the work layer writes. */
export type Writable = 'jobs' | 'tasks' | 'completion' | 'results' | 'outbox' | 'replicas' | 'replicaSets'

/**
 * One staged write, in order: a put then a del of one key in the same batch ends deleted.
 * `value` is JSON-encoded by the store.
 */
export interface WorkWrite {
  type: 'put' | 'del'
  bucket: Writable
  key: string
  value?: unknown
  /**
   * A job record's put only: its root task, written inside the record instead of under its own
   * key, while it is the job's only task and held here queued (see StoredJob).
   */
  task?: StoredTask
  /** A final job record's put only: its one task's outcome, written inside it instead of in `results`. */
  outcome?: TaskOutcome
}

/**
 * A job record as stored, with what a one-task job keeps inside it (BENCHMARKS.md, issue 14,
 * stop 47): from its registration its root task, as long as that is held here and never
 * written under its own key; once final, its one outcome. A one-task job then costs two
 * LevelDB writes at its home (the record at registration, the final record with the outcome)
 * instead of five (record, task; outcome, the task's delete, final record).
 *
 * Read back: a task inside an active job's record is held (queued) unless the `tasks` bucket
 * has a newer record of it or its outcome is recorded; an outcome inside a final record is
 * one of the job's results like those in `results`.
 */
export interface StoredJob {
  job: JobRecord
  task?: StoredTask
  outcome?: TaskOutcome
}

/**
 * The tasks restore holds, from the `tasks` bucket and from the records of active jobs: a
 * task inside its job's record counts unless `tasks` has it (then the bucket's record is the
 * newer one, and the job's record is to be rewritten without it: `rewrite`) or its outcome is
 * recorded (its record's copy was superseded when it finished). `inRecord`: the ids of the
 * tasks held only inside their job records.
 */
export function tasksWithEmbedded (tasks: readonly StoredTask[], jobs: ReadonlyArray<{ job: JobRecord, outcomes: readonly TaskOutcome[], task?: StoredTask }>): { tasks: StoredTask[], inRecord: string[], rewrite: string[] } {
  const out = tasks.slice()
  const inRecord: string[] = []
  const rewrite: string[] = []
  let own: Set<string> | undefined
  for (const { job, outcomes, task } of jobs) {
    if (task == null) continue
    const id = task.task.id
    own ??= new Set(tasks.map(t => t.task.id))
    if (own.has(id)) rewrite.push(job.id)
    else if (!outcomes.some(o => o.taskId === id)) {
      out.push(task)
      inRecord.push(id)
    }
  }
  return { tasks: out, inRecord, rewrite }
}

/** What the shell loaded from LevelDB for WorkCore.restore: the core does no reads. */
export interface LoadedWork {
  tasks: StoredTask[]
  outbox: TaskOutcome[]
  /** Active (not final) jobs of this home, each with the outcomes already recorded. */
  jobs: Array<{ job: JobRecord, outcomes: TaskOutcome[] }>
  /** Final jobs of this home, so a final state the registry never took is proposed again. */
  finished?: JobRecord[]
  completion: CompletionRecord[]
  /** Ids of the job replicas held here for other homes under their own keys (the definitions are read on demand). */
  replicas?: string[]
  /** Replica sets held here (one per replicate message): their keys and job ids. */
  replicaSets?: Array<{ key: string, jobIds: string[] }>
  /** Ids of the tasks (among `tasks`) held only inside their job records (StoredJob). */
  inRecord?: string[]
  /** Active jobs whose records hold a task the `tasks` bucket has too: rewritten without it. */
  rewrite?: string[]
}
