// The base of every named error in meshnode (in the manner of Lodestar's LodestarError):
// a stable `code` to compare by, a `name` per module, and a message that says what happened
// and what to do. Each module declares its own code union and subclass.

export class CodedError<Code extends string> extends Error {
  readonly code: Code

  constructor (name: string, code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = name
    this.code = code
  }
}

/** The message of anything thrown, for logs and error details. */
export function errorMessage (err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
