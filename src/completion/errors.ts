// Named errors of the completion core. They signal a caller bug or corrupt persisted state,
// never a network condition: untrusted input (duplicate, stray or forged batches and signals)
// is answered with a receipt status instead, so a peer can never crash a node through it.

import { CodedError } from '../errors.js'

export type CompletionErrorCode =
  /** startJob on a job this node already started (restore instead of starting again). */
  | 'JOB_ALREADY_STARTED'
  /** An id was empty or not a string. */
  | 'INVALID_ID'
  /** delegate with no tasks, to itself, or listing a task twice. */
  | 'INVALID_BATCH'
  /** delegate reused a batch id this node already knows for the job. */
  | 'DUPLICATE_BATCH_ID'
  /** delegate named a task that is not a local pending task of the job. */
  | 'TASK_NOT_PENDING'
  /** restore met a record that is malformed or refers to something missing. */
  | 'CORRUPT_STATE'

export class CompletionError extends CodedError<CompletionErrorCode> {
  static readonly NAME = 'CompletionError'

  constructor (code: CompletionErrorCode, message: string) {
    super(CompletionError.NAME, code, message)
  }
}
