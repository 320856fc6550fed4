// Tunables of the Raft core, each with why its default is what it is. Ticks are logical: the
// shell decides how long one lasts. meshnode's node shell ticks every 30 ms (`tickMs` in
// src/node/services/consensus.ts) and runs with these defaults: elections time out after
// 300–600 ms and a leader heartbeats every 90 ms, three heartbeats per timeout — while there
// is something to replicate. A leader with nothing in flight goes quiet: a heartbeat every
// 600 ms, and its followers time out after 1.5 s (+ jitter) instead (idle* below).

export interface RaftOptions {
  /**
   * Ticks without hearing from a leader before a follower campaigns; the actual timeout is
   * drawn from [electionTicks, 2 × electionTicks) so that candidates rarely collide. Also the
   * check-quorum period and the length of a follower's leader lease.
   */
  electionTicks: number
  /**
   * Ticks between leader heartbeats; must be well below electionTicks. Three per election
   * timeout survive a lost heartbeat, without a leader of ten nodes sending 300 messages a
   * second as one per tick would.
   */
  heartbeatTicks: number
  /**
   * Ticks between heartbeats of a quiet leader: one whose every follower holds and has been
   * told all of its log (nothing to append, commit or acknowledge). Each quiet heartbeat says
   * so (`quiet`), and a follower that got one waits idleElectionTicks instead of electionTicks.
   * At rest this cuts a leader of ten nodes from ~200 Raft frames a second to ~30; any
   * proposal is sent at once and brings the busy rate back. ≤ heartbeatTicks: never quiet.
   */
  idleHeartbeatTicks: number
  /**
   * While its leader is quiet, a follower's lease and election timeout (plus the same jitter
   * as electionTicks) and the quiet leader's check-quorum period. Must exceed
   * idleHeartbeatTicks with room for a lost heartbeat. A CRASHED quiet leader is still
   * replaced as fast as before: the failure detector sees the closed connection and refused
   * probes and the followers drop it at once (RaftCore.leaderLost). What this lengthens is
   * only how long a SILENT quiet leader (paused, or cut off by a partition with its
   * connections open) goes unnoticed by Raft alone: 1.5–1.8 s instead of 0.3–0.6 s; the
   * failure detector declares such a leader dead too (probe-after + dead-after), whichever
   * comes first.
   */
  idleElectionTicks: number
  /** Campaign with a pre-vote round first, so a node that cannot win never bumps terms. */
  preVote: boolean
  /**
   * A leader that has not heard from a majority within electionTicks steps down, and
   * followers ignore vote requests while their leader is alive (the lease that keeps a
   * rejoining node from disrupting a healthy leader).
   */
  checkQuorum: boolean
  /** Entries per AppendEntries; the control log's entries are small, so count is the bound. */
  maxEntriesPerMessage: number
  /** Unacknowledged AppendEntries per follower in replicate state (flow control). */
  maxInflightMessages: number
  /** Committed entries handed out per Ready, so one Ready never gets huge after a restart. */
  maxCommittedPerReady: number
  /** Leader ticks before a snapshot that got no answer is sent again (it may have been lost). */
  snapshotRetryTicks: number
}

export const defaultRaftOptions: RaftOptions = {
  electionTicks: 10,
  heartbeatTicks: 3,
  idleHeartbeatTicks: 20,
  idleElectionTicks: 50,
  preVote: true,
  checkQuorum: true,
  maxEntriesPerMessage: 64,
  maxInflightMessages: 32,
  maxCommittedPerReady: 1024,
  snapshotRetryTicks: 20
}
