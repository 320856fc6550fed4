// The error a workflow definition or its inputs raise at submit: every problem at once, each
// naming the step and the field, so a user fixes a file in one pass.
import { CodedError } from '../errors.js'

export type WorkflowErrorCode =
  /** A definition, a file or the inputs given to it are not valid; nothing was written. */
  | 'BAD_WORKFLOW'

export class WorkflowError extends CodedError<WorkflowErrorCode> {
  /** Each problem on its own (the message joins them). */
  readonly problems: string[]

  constructor (problems: string[] | string, options?: { cause?: unknown }) {
    const list = typeof problems === 'string' ? [problems] : problems
    super('WorkflowError', 'BAD_WORKFLOW', list.length === 1 ? list[0]! : `${list.length} problems: ${list.join('; ')}`, options)
    this.problems = list
  }
}
