// Shapes shared by the Dijkstra–Scholten core, its persistence records and its callers.
// Ids are opaque strings chosen outside the core: task ids are derived from the parent id
// and spawn index (so re-runs deduplicate), batch ids are minted by the delegating shell and
// must be unique across the mesh for a job (a random UUID or `${peerId}:${persistedSeq}`).

export type JobId = string
export type TaskId = string
export type BatchId = string
export type NodeId = string

/**
 * Engagement key of the tasks a home node created itself with `startJob`. Received batches
 * are keyed by their batch id, and the core rejects the empty string as a batch id, so the
 * two can never collide.
 */
export const ROOT_ENGAGEMENT: BatchId = ''

/** The charges of a task the home node started a job with: the root engagement alone. */
export const ROOT_CHARGES: readonly BatchId[] = [ROOT_ENGAGEMENT]

/** Tell `to` (the sender of batch `batchId`) that everything descending from it finished. */
export interface Signal {
  to: NodeId
  jobId: JobId
  batchId: BatchId
}

/** An unsignalled outgoing batch: exactly what must be re-run if `to` is declared dead. */
export interface LedgerEntry {
  jobId: JobId
  batchId: BatchId
  to: NodeId
  taskIds: readonly TaskId[]
}

/** A task this node currently holds for a job; `running` is volatile (false after restore). */
export interface LocalTaskView {
  taskId: TaskId
  running: boolean
}

// ---------------------------------------------------------------------------------------
// Persistence. The state is a set of small records, one per key, so each input rewrites only
// what it touched (a LevelDB put or del per op) instead of a whole job snapshot.

export type RecordKind = 'job' | 'engagement' | 'task' | 'batch' | 'closed'

/** One per job this node takes part in. `home` marks the root of the diffusing computation. */
export interface JobRecord {
  kind: 'job'
  jobId: JobId
  home: boolean
  completed: boolean
}

/** A live engagement: a received batch not yet signalled (or the root pseudo-batch). */
export interface EngagementRecord {
  kind: 'engagement'
  jobId: JobId
  batchId: BatchId
  /** The node to signal; null only for the root engagement. */
  from: NodeId | null
}

/** A local live task and the engagements it keeps open (usually one). */
export interface TaskRecord {
  kind: 'task'
  jobId: JobId
  taskId: TaskId
  charges: BatchId[]
}

/** A ledger entry: an outgoing batch not yet signalled, and the engagements it keeps open. */
export interface BatchRecord {
  kind: 'batch'
  jobId: JobId
  batchId: BatchId
  to: NodeId
  taskIds: TaskId[]
  charges: BatchId[]
}

/**
 * A received batch that is finished with: signalled (a re-delivery is answered with the
 * signal again, which is how a lost signal is recovered) or abandoned because its sender
 * was declared dead (a re-delivery is ignored).
 */
export interface ClosedRecord {
  kind: 'closed'
  jobId: JobId
  batchId: BatchId
  from: NodeId
  outcome: 'signalled' | 'abandoned'
}

export type CompletionRecord = JobRecord | EngagementRecord | TaskRecord | BatchRecord | ClosedRecord

/**
 * A put (record set) or delete (record null) of the record at (kind, jobId, id). `id` is
 * '' for the job record, the batch id for engagement/batch/closed, the task id for task.
 */
export interface PersistOp {
  kind: RecordKind
  jobId: JobId
  id: string
  record: CompletionRecord | null
}

/** What the shell must do after feeding inputs: persist first, then send, then report. */
export interface Ready {
  /** Changed records, to write in one atomic batch before anything below leaves the node. */
  persist: PersistOp[]
  /** Signals to send to the senders of finished batches. */
  signals: Signal[]
  /** Jobs this (home) node detected as complete; also re-emitted after restore until forgotten. */
  completed: JobId[]
}

// ---------------------------------------------------------------------------------------
// Results of inputs, for the shell's bookkeeping and metrics.

/**
 * `engaged`: a new batch, `newTasks` must be scheduled. `duplicate`: already engaged in it.
 * `resignalled`: it was already finished, the signal is emitted again. `ignored`: it was
 * abandoned (its sender is dead). `rejected`: it came from this node itself, or reuses the id
 * of one of this node's own outgoing batches.
 */
export type BatchReceipt =
  | { status: 'engaged'; newTasks: TaskId[] }
  | { status: 'duplicate' | 'resignalled' | 'ignored' | 'rejected'; newTasks: [] }

/**
 * `accepted`: the ledger entry is settled. `unknown`: no such entry (a duplicate, or the batch
 * was reclaimed or dropped). `rejected`: the signal did not come from the batch's receiver.
 */
export type SignalReceipt = 'accepted' | 'unknown' | 'rejected'

/** An outgoing batch taken back from a dead receiver. */
export interface Reclaimed {
  jobId: JobId
  batchId: BatchId
  to: NodeId
  /** The batch's tasks that are local pending tasks again and must be scheduled. */
  newTasks: TaskId[]
}

/** A received batch given up because its sender is dead; its holder re-runs the work. */
export interface Abandoned {
  jobId: JobId
  batchId: BatchId
  from: NodeId
  /** Local tasks that belonged only to this batch and were dropped: stop and discard them. */
  droppedTasks: TaskId[]
  /** Outgoing batches charged only to this batch, removed from the ledger (may be cancelled). */
  droppedBatches: LedgerEntry[]
}

/** Everything `peerDead` did across jobs. */
export interface PeerDeadReport {
  reclaimed: Reclaimed[]
  abandoned: Abandoned[]
}
