// Named errors with stable codes. Callers compare by `code`; every message says what happened
// and what to do about it, because it is printed to the operator as-is.

import { CodedError } from '../errors.js'
import type { AdminCode } from '../wire/codes.js'

// Defined beside CodedError so that src/wire can use it without importing src/node.
export { errorMessage } from '../errors.js'

export type MeshErrorCode =
  | 'USAGE'
  | 'BAD_CONFIG'
  | 'DATA_DIR_UNUSABLE'
  | 'DATA_DIR_LOCKED'
  | 'STORE_CORRUPT'
  | 'IDENTITY_CORRUPT'
  | 'PORT_IN_USE'
  | 'LISTEN_FAILED'
  /** Listening beyond loopback without a mesh key (and without --insecure). */
  | 'INSECURE'
  | 'BAD_MESH_KEY'
  | 'MESH_KEY_MISMATCH'
  | 'NODE_NOT_RUNNING'
  | 'UNREACHABLE'
  | 'BAD_RESPONSE'
  /** A mesh key file that is missing, unreadable or not in the key file format. */
  | 'BAD_MESH_KEY'
  /** A connection refused because the two ends share no mesh key (or one has none). */
  | 'MESH_KEY_MISMATCH'
  /** A key file that already exists, written without --force. */
  | 'KEY_FILE_EXISTS'
  /** A key file that could not be written (no such directory, no permission, disk full). */
  | 'KEY_FILE_UNWRITABLE'
  /** recover --force-new-cluster refused: a majority of the old voters still answers. */
  | 'QUORUM_REACHABLE'
  /** recover --force-new-cluster refused: some old members still run (stop them first). */
  | 'MEMBERS_RUNNING'
  /** An HTTP API request with a bearer token that does not verify (malformed, expired, another mesh). */
  | 'UNAUTHORIZED'
  /** Input the user gave a command is invalid (a job file, a payload): exit 2, without the usage. */
  | 'BAD_INPUT'
  /** Every code an admin response may carry, passed through from the server unchanged. */
  | AdminCode

export class MeshError extends CodedError<MeshErrorCode> {
  /** For NOT_LEADER: the leader the node believes in, so a client can redirect. */
  readonly leader?: string | null
  /**
   * For UNREACHABLE: the node took the call, then closed or reset its stream (or the
   * connection closed) before any answer — it may be stopping, restarting, or refusing a
   * client over its rate — rather than never being reached.
   */
  readonly unanswered?: boolean

  constructor (code: MeshErrorCode, message: string, options?: { cause?: unknown, leader?: string | null, unanswered?: boolean }) {
    super('MeshError', code, message, options)
    if (options?.leader !== undefined) this.leader = options.leader
    if (options?.unanswered === true) this.unanswered = true
  }
}

/** Exit code for a usage error (unknown flag, bad value), as getopt-style tools do. */
export const EXIT_USAGE = 2

/** Exit code when the node refused the client's key the right it needed (FORBIDDEN). */
export const EXIT_FORBIDDEN = 3

/**
 * Exit code when the node could not reach a quorum (NO_QUORUM, NOT_REGISTERED): nothing was
 * committed through the control log — a submit accepted nothing — so a script may retry
 * later or at a node on the majority side of a partition.
 */
export const EXIT_NO_QUORUM = 4

/** Exit code when what was asked for does not exist (NOT_FOUND: a job id, a config key). */
export const EXIT_NOT_FOUND = 6

/**
 * Exit code when no node answered, or the one that did cannot serve now: not running,
 * unreachable, starting, stopping or draining. Retry later or ask another node.
 */
export const EXIT_UNAVAILABLE = 7

/**
 * Exit code when the node is out of a resource (RESOURCE_EXHAUSTED): near its memory or disk
 * limit it takes no new jobs, or a write to its disk failed; nothing was accepted. Submit at
 * another node, or free memory or disk on this one.
 */
export const EXIT_RESOURCE_EXHAUSTED = 8

/**
 * The CLI's exit codes, one table (README "Exit codes" lists the same, checked by a test).
 * 5 (a drain past its deadline) and 130 (forced exit) come from `drain`/`start` themselves.
 */
export const EXIT_CODES: ReadonlyArray<{ exit: number, codes: readonly string[], meaning: string }> = [
  { exit: 0, codes: [], meaning: 'success' },
  { exit: 1, codes: [], meaning: 'the job failed or was cancelled (submit --wait), or the node refused or failed the request for another reason' },
  { exit: EXIT_USAGE, codes: ['USAGE', 'BAD_INPUT', 'BAD_CONFIG', 'INSECURE', 'BAD_MESH_KEY'], meaning: 'usage or input error: unknown command or flag, bad value, bad job file, bad config file' },
  { exit: EXIT_FORBIDDEN, codes: ['FORBIDDEN', 'UNAUTHORIZED'], meaning: 'the client\'s key lacks the right the command needs' },
  { exit: EXIT_NO_QUORUM, codes: ['NO_QUORUM', 'NOT_REGISTERED'], meaning: 'no quorum: nothing was committed (a submit accepted nothing); retry later or on the majority side' },
  { exit: 5, codes: [], meaning: '`drain` (and `start` after a SIGTERM drain) whose deadline passed: the node retired anyway' },
  { exit: EXIT_NOT_FOUND, codes: ['NOT_FOUND'], meaning: 'no such job, config key, incident, approval or schedule' },
  { exit: EXIT_UNAVAILABLE, codes: ['NODE_NOT_RUNNING', 'UNREACHABLE', 'STARTING', 'STOPPING', 'DRAINING', 'MESH_KEY_MISMATCH'], meaning: 'no node answered, or it cannot serve now (starting, stopping, draining)' },
  { exit: EXIT_RESOURCE_EXHAUSTED, codes: ['RESOURCE_EXHAUSTED'], meaning: 'the node is near its memory or disk limit, or could not write to its disk: nothing was accepted; submit elsewhere or free memory or disk' },
  { exit: 130, codes: [], meaning: '`start` stopped by a second signal' }
]

/** The exit code for an error that ended a command. */
export function exitCodeOf (err: unknown): number {
  const code = (err as { code?: unknown } | null)?.code
  if (typeof code !== 'string') return 1
  return EXIT_CODES.find(e => e.codes.includes(code))?.exit ?? 1
}

export function isMeshError (err: unknown, code?: MeshErrorCode): err is MeshError {
  return err instanceof MeshError && (code == null || err.code === code)
}
