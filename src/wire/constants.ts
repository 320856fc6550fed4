// Protocol ids, topic names and size limits in one place, each with the reason for its value.

/** Read-only node status over a libp2p stream. Bump the version on an incompatible change. */
export const STATUS_PROTOCOL = '/meshnode/status/1.0.0'

/** Heartbeat topic: versioned and scoped by mesh name so two meshes on one LAN never mix. */
export function heartbeatTopic (mesh: string): string {
  return `/meshnode/${mesh}/heartbeat/1`
}

/** A heartbeat is a few hundred bytes; 16 KiB leaves room for many addresses, no more. */
export const MAX_HEARTBEAT_BYTES = 16 * 1024

/** A status reply lists every peer; 4 MiB holds thousands of peers and bounds a lying server. */
export const MAX_STATUS_FRAME_BYTES = 4 * 1024 * 1024

/** A status request is tiny; anything large is an attack or a bug. */
export const MAX_STATUS_REQUEST_BYTES = 1024

/** Every stream read has a deadline so a stalled peer cannot pin a handler. */
export const STATUS_TIMEOUT_MS = 5_000

/** Bounds on repeated fields, checked while decoding so a hostile frame cannot balloon memory. */
export const HEARTBEAT_LIMITS = { addrs: 32, capabilities: 64, bootstrapSet: 16 } as const

/** Mesh names become part of topic names; keep them to a safe alphabet. */
export const MESH_NAME_PATTERN = /^[A-Za-z0-9._-]{1,64}$/

/** Raft messages between nodes: one stream per direction, frames of length-prefixed protobuf. */
export const RAFT_PROTOCOL = '/meshnode/raft/1.0.0'

/**
 * The control log carries small commands (membership, config, job registrations); 4 MiB per
 * frame bounds a batch of entries or a snapshot of the control state machine.
 */
export const MAX_RAFT_FRAME_BYTES = 4 * 1024 * 1024

/** The leader batches at most this many entries per append; more in one frame is hostile. */
export const MAX_RAFT_ENTRIES_PER_MESSAGE = 4096

/**
 * Client commands (config, submit, cancel, jobs), typed: one oneof field per command
 * (admin.proto). 2.0.0: 1.0.0 carried a string op and a JSON body; the two do not mix.
 */
export const ADMIN_PROTOCOL = '/meshnode/admin/2.0.0'

/** An admin request carries a config value or a job submission (--file jobs of thousands of tasks). */
export const MAX_ADMIN_REQUEST_BYTES = 8 * 1024 * 1024

/** A config listing may be large; 8 MiB bounds it. */
export const MAX_ADMIN_RESPONSE_BYTES = 8 * 1024 * 1024

/** Writes wait for a commit; give the client longer than the proposal timeout. */
export const ADMIN_TIMEOUT_MS = 10_000

/**
 * Node-to-node requests only members may make: a write forwarded to the leader, job
 * registrations to the leader, a job read forwarded to the job's home (internal.proto).
 */
export const INTERNAL_PROTOCOL = '/meshnode/internal/1.0.0'

/** A forwarded admin request or response, whole, plus the envelope. */
export const MAX_INTERNAL_FRAME_BYTES = MAX_ADMIN_REQUEST_BYTES + 64 * 1024

/**
 * A hop inside a client's admin call: shorter than ADMIN_TIMEOUT_MS so the node the client
 * asked can still answer with a clear error when the hop fails; longer than a proposal's
 * commit timeout (5 s) so a slow commit is not reported as unreachable.
 */
export const INTERNAL_TIMEOUT_MS = 8_000

/** Work stealing, batch delivery, completion signals and results between nodes. */
export const WORK_PROTOCOL = '/meshnode/work/1.0.0'

/** A steal grant or a results batch: bounded by the task limits below times the batch caps. */
export const MAX_WORK_FRAME_BYTES = 16 * 1024 * 1024

/** Every work exchange has a deadline; a grant waits for one LevelDB batch on each side. */
export const WORK_TIMEOUT_MS = 10_000

/** Limits on what a job may carry: defined with the work core, which checks them too. */
export { JOB_LIMITS } from '../work/limits.js'
