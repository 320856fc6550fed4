// Named errors of the Raft core. They are thrown only for caller bugs or corrupt persisted
// state; anything a peer sends is checked and, if bad, refused and counted (RaftCounters).

import { CodedError } from '../errors.js'

export type RaftErrorCode =
  /** ready() was called again before advance() acknowledged the previous Ready. */
  | 'READY_OUTSTANDING'
  /** advance() was called without a Ready outstanding. */
  | 'NO_READY'
  /** Options out of range (e.g. heartbeatTicks ≥ electionTicks). */
  | 'INVALID_OPTIONS'
  /** Storage contradicts itself (e.g. commit index beyond the last entry). */
  | 'CORRUPT_STATE'

export class RaftError extends CodedError<RaftErrorCode> {
  static readonly NAME = 'RaftError'

  constructor (code: RaftErrorCode, message: string) {
    super(RaftError.NAME, code, message)
  }
}
