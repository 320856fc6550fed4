// The vocabulary of the Raft core: log entries, persisted state, configurations, the messages
// peers exchange, and what ready() hands to the shell. Everything here is plain data (numbers,
// strings, Uint8Array) so the wire layer can map it onto protobuf without knowing the core.

/** A node's identity; in production the libp2p PeerId string. */
export type NodeId = string

/** `conf` entries carry an encoded ConfChange (see confchange.ts); `normal` ones carry data. */
export type EntryType = 'normal' | 'conf'

export interface Entry {
  readonly index: number
  readonly term: number
  readonly type: EntryType
  /**
   * Opaque to the core. A new leader appends an empty `normal` entry to commit its term;
   * the application skips empty entries.
   */
  readonly data: Uint8Array
  /**
   * On a `conf` entry that changes the voter set: the proposing leader's proof of the change,
   * so that nodes that missed it can later verify the new voter set (see ConfLink).
   */
  readonly link?: ConfLink
}

/**
 * One link of the chain of configurations: "entry `index` of `term` sets the voter set to
 * `voters`", signed by the leader that appended it, with that leader's certificate for `term`,
 * which proves a majority of the voter set *before* the change. A node that trusts the old
 * voter set can check the certificate and the signature, and then trust the new set; link by
 * link it follows the voter set from the last one it knew to the current leader's.
 */
export interface ConfLink {
  readonly index: number
  readonly term: number
  /** The voter set after the change, sorted. */
  readonly voters: readonly NodeId[]
  /** The leader's certificate for `term` over the previous voter set; its candidateId signs. */
  readonly certificate: QuorumCertificate
  /** The leader's signature over (index, term, voters); see encodeConfLink in votes.ts. */
  readonly signature: Uint8Array
}

/** What must be on disk before any message that depends on it is sent. */
export interface HardState {
  readonly term: number
  /** Whom this node voted for in `term`; null if nobody. */
  readonly vote: NodeId | null
  readonly commit: number
}

/** A configuration: voters decide elections and commits, learners only replicate. */
export interface ConfState {
  /** Sorted, distinct. */
  readonly voters: readonly NodeId[]
  /** Sorted, distinct, disjoint from voters. */
  readonly learners: readonly NodeId[]
}

export type ConfChangeType =
  /** Make a node a voter straight away (prefer addLearner then promote once caught up). */
  | 'addVoter'
  /** Add a non-voting member that replicates the log. */
  | 'addLearner'
  /** Turn a learner into a voter. */
  | 'promote'
  /** Remove a voter or learner. */
  | 'remove'

export interface ConfChange {
  readonly type: ConfChangeType
  readonly nodeId: NodeId
}

export interface SnapshotMetadata {
  /** The last entry the snapshot covers. */
  readonly index: number
  readonly term: number
  /** The configuration in force at `index`. */
  readonly confState: ConfState
  /**
   * The latest links of the configuration chain at or before `index` (at most
   * MAX_CONF_CHAIN), kept so that compaction does not cut a lagging voter off.
   */
  readonly chain?: readonly ConfLink[]
}

export interface Snapshot {
  readonly metadata: SnapshotMetadata
  /** The application's state machine at `metadata.index`; opaque to the core. */
  readonly data: Uint8Array
}

export type Role = 'follower' | 'pre-candidate' | 'candidate' | 'leader'

/** Volatile state the shell may want to surface (status, metrics); never persisted. */
export interface SoftState {
  readonly role: Role
  readonly leader: NodeId | null
  readonly term: number
}

/** The kinds of statement a node signs (see votes.ts). */
export type VoteKind =
  /** "I would vote for this candidate in this term" — a pre-vote, changes nothing. */
  | 'prevote'
  /** "I vote for this candidate in this term" — at most one per voter and term. */
  | 'vote'
  /**
   * "I follow this node as the verified leader of this term". A leader collects these when
   * its voter set changes, so its certificate stays checkable against the new voter set.
   */
  | 'ack'
  /**
   * "I, leader of this term, hand leadership to this candidate": signed by the leader on
   * TimeoutNow and carried by the transferee's vote requests, so voters may skip their lease.
   */
  | 'transfer'

export interface SignedVote {
  readonly voterId: NodeId
  readonly signature: Uint8Array
}

/**
 * Proof that a majority of a voter set backed `candidateId` in `term`. Every signature is
 * over the same statement: (kind, term, candidateId, lastLogIndex, lastLogTerm, voterId).
 */
export interface QuorumCertificate {
  readonly kind: VoteKind
  readonly term: number
  readonly candidateId: NodeId
  readonly lastLogIndex: number
  readonly lastLogTerm: number
  /**
   * The voter set the certificate claims a majority of (the leader's configuration when it
   * collected the signatures). A follower trusts it only if it is within one single-server
   * change of a voter set it trusts (its own, or one reached through configuration links);
   * see RaftCore.checkCertificate for the rule.
   */
  readonly voters: readonly NodeId[]
  readonly votes: readonly SignedVote[]
}

interface MessageBase {
  readonly from: NodeId
  readonly to: NodeId
  readonly term: number
}

/** AppendEntries. An empty `entries` still carries the commit index and probes the log. */
export interface AppendMessage extends MessageBase {
  readonly type: 'append'
  readonly prevIndex: number
  readonly prevTerm: number
  readonly entries: readonly Entry[]
  readonly commit: number
  /** Attached until the follower has acknowledged this leader in this term. */
  readonly certificate?: QuorumCertificate
  /** Configuration links after the follower's known voter set (it answered certRequired). */
  readonly chain?: readonly ConfLink[]
}

export interface AppendResponse extends MessageBase {
  readonly type: 'appendResp'
  /** On success the last index known to match; on rejection the rejected prevIndex. */
  readonly index: number
  readonly reject: boolean
  /** On rejection: the follower's guess of the last index that may match (fast backtracking). */
  readonly rejectHint: number
  /** On rejection: the follower's term at rejectHint. */
  readonly hintTerm: number
  /** The follower could not verify the sender as leader of `term`; resend the certificate. */
  readonly certRequired?: boolean
  /**
   * With certRequired, when the certificate did not verify against the follower's voter set:
   * the index of the configuration it trusts, so the leader sends the chain of links after it.
   */
  readonly confIndex?: number
}

export interface HeartbeatMessage extends MessageBase {
  readonly type: 'heartbeat'
  /** min(follower's match, leader's commit): a follower never commits what it may not hold. */
  readonly commit: number
  readonly certificate?: QuorumCertificate
  readonly chain?: readonly ConfLink[]
  /** Present while the leader gathers acknowledgements for a new certificate. */
  readonly ackRequest?: { readonly index: number, readonly term: number }
  /**
   * The leader is quiet (nothing to replicate): its next heartbeat may be idleHeartbeatTicks
   * away, so the follower waits idleElectionTicks before it campaigns. Any other message of
   * the leader's ends this.
   */
  readonly quiet?: boolean
}

export interface HeartbeatResponse extends MessageBase {
  readonly type: 'heartbeatResp'
  readonly certRequired?: boolean
  /** As in AppendResponse. */
  readonly confIndex?: number
  /** Signed 'ack' answering the heartbeat's ackRequest. */
  readonly ack?: { readonly index: number, readonly term: number, readonly signature: Uint8Array }
}

export interface SnapshotMessage extends MessageBase {
  readonly type: 'snapshot'
  readonly snapshot: Snapshot
  readonly certificate?: QuorumCertificate
  readonly chain?: readonly ConfLink[]
}

/** RequestVote or its pre-vote twin; `term` is the term the candidate would hold. */
export interface VoteRequest extends MessageBase {
  readonly type: 'vote' | 'prevote'
  readonly lastLogIndex: number
  readonly lastLogTerm: number
  /**
   * Set when the old leader asked for this election (TimeoutNow). It bypasses leader leases
   * only with a `transferProof` that verifies; otherwise it is an ordinary request.
   */
  readonly transfer: boolean
  /** The old leader's signed hand-over, copied from its TimeoutNow. */
  readonly transferProof?: TransferProof
}

/**
 * A leader's signed hand-over of leadership: a 'transfer' statement (votes.ts) with term =
 * the leader's term, candidateId = the transferee, voterId = the leader, and the leader's log
 * position. Usable only to campaign for term + 1, and only by the transferee: voters check it
 * against the leader they verified for `term`.
 */
export interface TransferProof {
  readonly term: number
  readonly lastLogIndex: number
  readonly lastLogTerm: number
  readonly signature: Uint8Array
}

export interface VoteResponse extends MessageBase {
  readonly type: 'voteResp' | 'prevoteResp'
  readonly reject: boolean
  /** Echo of the request's log position, so a grant from an earlier campaign is recognised. */
  readonly lastLogIndex: number
  readonly lastLogTerm: number
  /** The voter's signature over the vote; present on grants only. */
  readonly signature?: Uint8Array
}

/** Sent by a leader to a caught-up voter it hands leadership to: campaign now. */
export interface TimeoutNowMessage extends MessageBase {
  readonly type: 'timeoutNow'
  /** The leader's signed hand-over, for the transferee's vote requests. */
  readonly transferProof?: TransferProof
}

export type Message =
  | AppendMessage
  | AppendResponse
  | HeartbeatMessage
  | HeartbeatResponse
  | SnapshotMessage
  | VoteRequest
  | VoteResponse
  | TimeoutNowMessage

export type MessageType = Message['type']

/**
 * Everything the core produced since the last advance(). The shell handles it in this order:
 *   1. persist `snapshot` (if any, replacing the log), then delete entries from `truncateFrom`,
 *      append `entries`, write `hardState`, and persist `compaction` — atomically if it can;
 *   2. send `messages`;
 *   3. restore the state machine from `snapshot` (if any), then apply `committed` in order;
 *   4. call advance().
 */
export interface Ready {
  readonly softState?: SoftState
  readonly hardState?: HardState
  /** Entries to append to the persisted log. */
  readonly entries: readonly Entry[]
  /** Set when entries[0] overwrites persisted entries: delete from this index on first. */
  readonly truncateFrom?: number
  /** A snapshot received from the leader: persist it and restore the state machine from it. */
  readonly snapshot?: Snapshot
  /**
   * A snapshot the application asked for (createSnapshot): persist it and discard entries up
   * to its index. The state machine already holds it, so it is not applied.
   */
  readonly compaction?: Snapshot
  readonly messages: readonly Message[]
  /** Committed entries to apply, in order; persisted before they are applied (step 1). */
  readonly committed: readonly Entry[]
}

export type ProposalErrorCode =
  /** This node is not the leader; retry at `leader` if known. */
  | 'NOT_LEADER'
  /** Leadership is being handed over; retry shortly at the new leader. */
  | 'TRANSFER_IN_PROGRESS'
  /** The leader was removed from the configuration and is about to step down. */
  | 'NOT_MEMBER'
  /** Another membership change is not yet committed; retry after it is. */
  | 'CONF_CHANGE_PENDING'
  /** The change makes no sense for the current configuration (message says why). */
  | 'INVALID_CONF_CHANGE'
  /**
   * A voter change would leave a live voter two voter changes behind (it would then need the
   * chain of configuration links to check leader certificates), or the last one is not yet
   * acknowledged (its link needs the certificate over the voter set in force); retry later.
   */
  | 'VOTERS_LAGGING'

export type ProposeResult =
  | { readonly ok: true, readonly index: number, readonly term: number }
  | {
    readonly ok: false
    readonly code: ProposalErrorCode
    readonly message: string
    /** The leader this node believes in, so the caller can redirect; null if unknown. */
    readonly leader: NodeId | null
  }

export type TransferErrorCode =
  | 'NOT_LEADER'
  /** The target is not a voter in the current configuration. */
  | 'NOT_A_VOTER'
  /** The target is this node. */
  | 'ALREADY_LEADER'

export type TransferResult =
  | { readonly ok: true }
  | { readonly ok: false, readonly code: TransferErrorCode, readonly message: string }

export type SnapshotErrorCode =
  /** The index is beyond what the application has applied. */
  | 'NOT_APPLIED'
  /** A snapshot at or beyond the index already exists. */
  | 'OUT_OF_DATE'

export type SnapshotResult =
  | { readonly ok: true, readonly snapshot: Snapshot }
  | { readonly ok: false, readonly code: SnapshotErrorCode, readonly message: string }

/**
 * Counts of untrusted input the core refused. Every rejection leaves state unchanged; the
 * shell exports these as metrics.
 */
export interface RaftCounters {
  /** Elections this node started as a candidate (each one a new term). */
  electionsStarted: number
  /** Pre-vote rounds this node started (asking whether it could win, term unchanged). */
  preVotesStarted: number
  /** Messages that were malformed or addressed to another node. */
  rejectedMessages: number
  /** Vote, pre-vote or ack signatures that did not verify. */
  rejectedVotes: number
  /** Leader certificates that failed verification. */
  rejectedCertificates: number
  /** Certificates verified with signature checks (cache misses). */
  certificatesVerified: number
  /** Leader messages accepted from the per-term cache without re-verifying. */
  certificateCacheHits: number
  /** Leader messages without a certificate from an unverified sender (answered certRequired). */
  certificatesRequested: number
  /** (Pre-)vote requests ignored because this node still hears from a leader. */
  votesIgnoredInLease: number
  /**
   * Vote requests marked `transfer` whose proof was missing, forged, replayed from another
   * term or not checkable here (no verified leader for its term); they were handled as
   * ordinary vote requests, lease included.
   */
  rejectedTransfers: number
  /** Certificates accepted only through a chain of configuration links (a lagging node caught up). */
  chainsFollowed: number
  /**
   * Leader messages that contradicted this node's committed log. Raft makes this impossible
   * between correct nodes; a non-zero value means a faulty or malicious peer (or a bug).
   */
  committedConflicts: number
}
