// The work protocol as the work core sees it: plain values, no protobuf. src/wire/work-codec.ts
// converts these to and from the wire's WorkRequest/WorkResponse (and drops, counting them,
// tasks a peer sent malformed), so the core and the simulator never touch bytes.

import type { Task } from './spec.js'
import type { JobReplica, SealedReplicas, TaskOutcome } from './records.js'

/** A batch of one job's tasks lent from one node to another (a steal grant or a re-send). */
export interface WorkBatch {
  jobId: string
  batchId: string
  tasks: Task[]
  /** Tasks of this batch the codec dropped as malformed (counted as rejected by the core). */
  rejected?: number
}

export interface BatchSignal {
  jobId: string
  batchId: string
}

/**
 * A batch's signal sent before every outcome it stands for is known to be at the home: the
 * home applies it only if each task in `covers` has its outcome recorded there (the rest of
 * the batch's outcomes are recorded already, or travel in the same results message).
 */
export interface CoveredSignal extends BatchSignal {
  covers: string[]
}

export interface ProgressReport {
  jobId: string
  taskId: string
  /** JSON text, at most MAX_PROGRESS_BYTES bytes. */
  value: string
}

/** A request between two nodes' work cores. */
export type WorkMsg =
  | { op: 'steal', capabilities: readonly string[], want: number }
  | { op: 'deliver', batches: WorkBatch[] }
  | { op: 'signal', signals: BatchSignal[], covered?: CoveredSignal[] }
  /**
   * Outcomes for their home; `node` is set by the receiver to the authenticated sender.
   * `signals`: batches the home lent the sender that these outcomes finish (applied after
   * the outcomes are recorded; see CompletionCore.coveredBy). `covered`: signals of batches
   * whose other outcomes are on their way in another message (see CoveredSignal).
   */
  | { op: 'results', results: TaskOutcome[], rejected?: number, signals?: BatchSignal[], covered?: CoveredSignal[] }
  | { op: 'progress', progress: ProgressReport[] }
  /**
   * Job definitions to keep durably for their home (answered once they are written). A home
   * sends `jobs`; a holder receives them `sealed` (still encoded, stored as they came) or, from
   * a node before stop 26, decoded in `jobs`.
   */
  | { op: 'replicate', jobs: JobReplica[], sealed?: SealedReplicas, rejected?: number }
  /** An operation this version does not know (rejected and counted). */
  | { op: 'unknown', name: string }

/** The answer to a WorkMsg. */
export interface WorkReply {
  ok: boolean
  error: string
  batches: WorkBatch[]
  /** Steal: stealable tasks the victim still holds. */
  remaining: number
  accepted: number
  /** Deliver: batches the receiver gave up before (see WorkResponse.abandoned). */
  abandoned?: string[]
  /** Results: the batches of its `signals` the receiver accepted (their signal is delivered). */
  signalled?: string[]
}

export function okReply (fields: Partial<WorkReply> = {}): WorkReply {
  return { ok: true, error: '', batches: [], remaining: 0, accepted: 0, ...fields }
}

export function failReply (error: string): WorkReply {
  return { ok: false, error, batches: [], remaining: 0, accepted: 0 }
}
