// Errors of the work layer, with stable codes the admin RPC and CLI pass through unchanged.
import { CodedError } from '../errors.js'

export type WorkErrorCode =
  /** A submission that is not a valid job (field, type or shape). */
  | 'BAD_JOB'
  | 'PAYLOAD_TOO_LARGE'
  /** No live node advertises what a task needs (handler, --allow-commands or a capability). */
  | 'NO_CAPABLE_NODE'
  | 'NOT_FOUND'
  | 'JOB_FINISHED'
  /** The job was written but its registration in the control log failed; nothing is left behind. */
  | 'NOT_REGISTERED'
  /** This node has no quorum contact (a partition): it cannot register a job, so it refuses it at once. */
  | 'NO_QUORUM'
  | 'STOPPING'
  /** The node is draining (meshnode drain, SIGTERM): it accepts no new jobs. */
  | 'DRAINING'
  | 'BAD_HANDLERS'
  /**
   * The node is near its memory or disk limit and takes no new jobs, or it could not write
   * to its disk (LevelDB failed: disk full, I/O error). Nothing was accepted.
   */
  | 'RESOURCE_EXHAUSTED'

export class WorkError extends CodedError<WorkErrorCode> {
  constructor (code: WorkErrorCode, message: string, options?: { cause?: unknown }) {
    super('WorkError', code, message, options)
  }
}
