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

/**
 * Bounds on repeated fields, checked while decoding so a hostile frame cannot balloon memory.
 * bootstrapSet carries a founder's proposed founding set, --expect ids (at most 99, START_OPTIONS
 * in src/node/config.ts): at 16, every heartbeat of a founder of more than 16 nodes was
 * rejected as malformed by every peer, and 25 founders never formed (bench/scale, issue 14).
 * 99 ids are ~5.4 KB, inside MAX_HEARTBEAT_BYTES. `direct` (the members a node hears straight
 * from, src/healing/relay.ts) is 5 bytes a member: a node linked to more than 1 024 lists none.
 */
export const HEARTBEAT_LIMITS = { addrs: 32, capabilities: 64, bootstrapSet: 99, direct: 1024 } as const

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

/**
 * The admin commands again, many at once on one long-lived stream (a call channel,
 * src/node/transport/channel.ts; CallFrame in channel.proto wraps each AdminRequest and
 * AdminResponse). A stream per call cost the client and the node about a millisecond of CPU
 * each (stream negotiation, its close's AbortError and DOMException, yamux and Noise frames),
 * more than a control-log write itself (BENCHMARKS.md, issue 14, stop 45). Clients fall back
 * to ADMIN_PROTOCOL with a node that does not speak this.
 */
export const ADMIN_CHANNEL_PROTOCOL = '/meshnode/admin-channel/1.0.0'

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

/** The internal requests on a call channel, as ADMIN_CHANNEL_PROTOCOL is to ADMIN_PROTOCOL. */
export const INTERNAL_CHANNEL_PROTOCOL = '/meshnode/internal-channel/1.0.0'

/** A forwarded admin request or response, whole, plus the envelope. */
export const MAX_INTERNAL_FRAME_BYTES = MAX_ADMIN_REQUEST_BYTES + 64 * 1024

/**
 * A hop inside a client's admin call: shorter than ADMIN_TIMEOUT_MS so the node the client
 * asked can still answer with a clear error when the hop fails; longer than a proposal's
 * commit timeout (5 s) so a slow commit is not reported as unreachable.
 */
export const INTERNAL_TIMEOUT_MS = 8_000

/**
 * The longest a jobGet waits for its job to finish (its waitMs is cut to this): well inside
 * INTERNAL_TIMEOUT_MS, so a read forwarded to the job's home is answered before its hop
 * times out, however loaded the home.
 */
export const MAX_JOB_WAIT_MS = 5_000

/**
 * A member's latency history (internal `history` request, for `meshnode stats`): a node that
 * does not answer in this time is listed as missing, so one slow peer cannot stall the
 * stats; the whole gathering stays well inside ADMIN_TIMEOUT_MS.
 */
export const HISTORY_TIMEOUT_MS = 3_000

/**
 * The most a history answer may be. Real histories are a few KiB a minute; the worst case of
 * the defaults (an hour of 33 task types with every bucket of both histograms filled) is
 * 2.5–5.5 MiB depending on the counts. A node over it drops its oldest minutes to fit (and
 * says so), rather than the asker refusing its answer whole.
 */
export const MAX_HISTORY_BYTES = 4 * 1024 * 1024

/** Work stealing, batch delivery, completion signals and results between nodes. */
export const WORK_PROTOCOL = '/meshnode/work/1.0.0'

/** A steal grant or a results batch: bounded by the task limits below times the batch caps. */
export const MAX_WORK_FRAME_BYTES = 16 * 1024 * 1024

/** Every work exchange has a deadline; a grant waits for one LevelDB batch on each side. */
export const WORK_TIMEOUT_MS = 10_000

/** Limits on what a job may carry: defined with the work core, which checks them too. */
export { JOB_LIMITS } from '../work/limits.js'

// ----- Limits against abuse: what one peer may ask of a node ------------------------------
// Enforced by src/node/transport/limits.ts. A peer is the connection's authenticated peer id.
// The local operator key (the CLI on the node's host, scripts/cluster, the benchmarks) is
// never rate limited: it already owns the node, and benchmarks pipeline tens of thousands of
// admin requests a second through it. Over a limit a request is refused or dropped, counted
// in rate_limited_total, and logged at most once per peer per RATE_LIMIT_LOG_EVERY_MS.

/** A token bucket: `ratePerSec` sustained, `burst` at once after a quiet spell. */
export interface RateLimit { ratePerSec: number, burst: number }

/**
 * Admin requests from a granted (remote) client key. A script submitting one job per request
 * in a tight loop stays under it; a runaway one cannot keep the leader busy proposing.
 */
export const ADMIN_GRANTED_RATE: RateLimit = { ratePerSec: 500, burst: 1000 }

/** Admin requests from a key with no grant: it may only ask whoami, so a human's pace will do. */
export const ADMIN_ANONYMOUS_RATE: RateLimit = { ratePerSec: 20, burst: 40 }

/**
 * Status requests (any caller but the local operator). scripts/cluster polls every node every
 * 50–100 ms from one client host (10–20/s), well under it; a status snapshot lists every peer
 * and every counter, so a flood costs real CPU.
 */
export const STATUS_RATE: RateLimit = { ratePerSec: 50, burst: 100 }

/**
 * Internal requests from one peer. Followers forward every client write and every batch of
 * job registrations to the leader through it, so this is sized for a busy follower with
 * clients pipelining writes through it, not for a human (bench/throughput's 3-node run
 * needs a few dozen a second; clients writing config in a loop can need thousands).
 */
export const INTERNAL_RATE: RateLimit = { ratePerSec: 5_000, burst: 10_000 }

/**
 * Raft frames from one peer. Appends are batched per flush: under bench/throughput (3 nodes,
 * 50 000 one-task jobs) each peer sent about 100 frames a second. A dropped frame is
 * retransmitted, as Raft tolerates loss, so the limit only has to stop a flood, with a wide
 * margin for bigger clusters and busier logs.
 */
export const RAFT_FRAME_RATE: RateLimit = { ratePerSec: 5_000, burst: 10_000 }

/**
 * Work requests from one peer being handled at once (each waits for one LevelDB flush). Member
 * traffic is not rate limited, as throughput is the point of the mesh (tens of thousands of
 * tasks a second); this bounds the queue a member can build up instead. A healthy peer has a
 * few dozen in flight; beyond this the request is refused at once and the requester's normal
 * retry (batch re-send, results re-send, next steal) recovers.
 */
export const MAX_WORK_IN_FLIGHT_PER_PEER = 4_096

/**
 * Peers whose buckets a limiter keeps. Beyond it the idlest is forgotten, so a flood of fresh
 * peer ids cannot grow memory; a bucket is ~100 bytes, so this is about 1 MiB per limiter.
 */
export const MAX_LIMITED_PEERS = 10_000

/** One log line per limited peer per minute: a flood must not become a flood of log lines. */
export const RATE_LIMIT_LOG_EVERY_MS = 60_000

// Concurrent inbound streams per connection and protocol (libp2p `maxInboundStreams`; a stream
// over it is reset by libp2p before our handler runs). Connection counts are bounded by the
// connection manager (src/node/transport/host.ts: maxConnections, inboundConnectionThreshold).

/** Status is one cheap request per stream; a client has no reason to ask more than a few at once. */
export const STATUS_MAX_STREAMS = 8

/** Clients pipeline many writes over one connection; each waits for a commit. */
export const ADMIN_MAX_STREAMS = 256

/** Every follower forwards its clients' writes and registrations through here, pipelined. */
export const INTERNAL_MAX_STREAMS = 256

/**
 * Calls a connection's channel streams of one protocol may have being handled at once: as many
 * as it may have streams of the per-call protocol, so channels give a client no more than it
 * had. Beyond it the server reads no more frames until one is answered (the muxer's window
 * then holds the client back).
 */
export const CHANNEL_MAX_IN_FLIGHT = 256

/**
 * Channel streams of one protocol per connection: a client host keeps one per node and size
 * limit (internal calls and history reads differ), and a closing one may overlap a new one.
 */
export const CHANNEL_MAX_STREAMS = 16

/**
 * A client closes a channel it has not used for this long; the next call opens a new one
 * (one stream negotiation). A server closes a channel that sent nothing and waits for nothing
 * for CHANNEL_SERVER_IDLE_MS, well after any live client would have.
 */
export const CHANNEL_CLIENT_IDLE_MS = 10_000
export const CHANNEL_SERVER_IDLE_MS = 5 * 60_000

/** One long-lived stream per direction; a few spare cover a reconnect racing the old stream. */
export const RAFT_MAX_STREAMS = 4

/** One long-lived stream per direction, many requests in flight on it; spare for reconnects. */
export const WORK_MAX_STREAMS = 64
