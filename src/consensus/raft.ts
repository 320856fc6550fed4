// The sans-I/O Raft core of one node, in the manner of etcd-io/raft (raft.go, rawnode.go).
//
// Inputs: step(message), tick(), propose(), proposeConfChange(), transferLeadership(),
// createSnapshot(). Outputs are drained with ready(); the shell then
//   1. persists ready.snapshot, ready.entries (after deleting from ready.truncateFrom),
//      ready.hardState and ready.compaction — before anything that depends on them leaves;
//   2. sends ready.messages;
//   3. restores the state machine from ready.snapshot, then applies ready.committed;
//   4. calls advance(), which marks all of that persisted and applied.
// Only one Ready is outstanding at a time; step() and tick() may be called in between.
// No clock, socket or randomness lives here: ticks are logical and the PRNG is injected.
//
// Roles swap step and tick functions: follower, pre-candidate, candidate, leader. Beyond
// the Raft paper: pre-vote, check-quorum with leader leases, fast log backtracking, flow
// control, snapshots, single-server membership changes (effective when appended), learners,
// leadership transfer — and signed votes: a leader proves its election with a quorum
// certificate, which followers verify against their voter set before following it.
//
// Certificates, in short (details at checkCertificate and voterChangeBlocker):
//  - (pre-)vote grants carry the voter's signature; a bad one is counted, never tallied;
//  - the winner's signed votes form its certificate; it then also gathers signed 'ack's of
//    its leadership from every voter (on heartbeats), and again whenever the voter set
//    changes, so the certificate proves a majority of the voter set in force;
//  - the certificate rides on AppendEntries, heartbeats and snapshots until the follower
//    answers; a follower that lacks it (e.g. after a restart) answers certRequired;
//  - a follower checks it once per term (then caches the leader) and never adopts a higher
//    term from a leader message it could not verify;
//  - every voter change carries a configuration link (ConfLink): the leader's signature over
//    the new voter set with its certificate over the old one. A follower that missed voter
//    changes answers certRequired with the index of the voter set it trusts, and the leader
//    sends the links after it, which the follower checks one by one up to the leader's set;
//    snapshots keep the latest MAX_CONF_CHAIN links, so compaction does not cut it off;
//  - only a node with no configuration at all trusts a leader on its word (its certificate
//    need only prove the voter set it declares), and then pins that voter set;
//  - TimeoutNow carries the leader's signed hand-over; the transferee's vote requests carry
//    it, and voters skip their lease only for a hand-over from the leader they verified.

import { applyConfChange, confState, decodeConfChange, encodeConfChange, majority, sameVoters, voterDistance } from './confchange.js'
import { RaftError } from './errors.js'
import { RaftLog } from './log.js'
import { defaultRaftOptions } from './options.js'
import type { RaftOptions } from './options.js'
import type { Progress } from './progress.js'
import type { Storage } from './storage.js'
import { ProgressTracker } from './tracker.js'
import type {
  AppendMessage,
  AppendResponse,
  ConfChange,
  ConfLink,
  ConfState,
  Entry,
  EntryType,
  HardState,
  HeartbeatMessage,
  HeartbeatResponse,
  Message,
  NodeId,
  ProposeResult,
  QuorumCertificate,
  RaftCounters,
  Ready,
  Role,
  SignedVote,
  Snapshot,
  SnapshotMessage,
  SnapshotResult,
  SoftState,
  TransferProof,
  TransferResult,
  VoteKind,
  VoteRequest,
  VoteResponse
} from './types.js'
import { MAX_CONF_CHAIN, isWellFormedMessage } from './validate.js'
import { ed25519Scheme, signConfLink, signVote, verifyCertificate, verifyConfLink, verifyVote } from './votes.js'
import type { CertificateCheck, SignatureScheme, VoteKeys } from './votes.js'

export interface RaftConfig extends Partial<RaftOptions> {
  /** Persisted state to start from; read only, the shell writes it (see Ready). */
  readonly storage: Storage
  /** This node's id and signing key, and every member's public key. */
  readonly keys: VoteKeys
  /** Uniform floats in [0, 1) for the randomized election timeout (e.g. mulberry32(seed)). */
  readonly random: () => number
  /**
   * The last index the application's state machine had applied when it was (re)started.
   * Default: the snapshot's index, i.e. a state machine restored from the snapshot.
   */
  readonly applied?: number
  readonly signatureScheme?: SignatureScheme
}

/** A read-only view for status pages, tests and the simulator's checkers. */
export interface RaftStatus {
  readonly id: NodeId
  readonly role: Role
  readonly term: number
  readonly vote: NodeId | null
  readonly leader: NodeId | null
  readonly commit: number
  readonly applied: number
  readonly firstIndex: number
  readonly lastIndex: number
  readonly lastTerm: number
  readonly conf: ConfState
  readonly leadTransferee: NodeId | null
  /** Leader only: each member's replication progress. */
  readonly progress?: ReadonlyMap<NodeId, { match: number, next: number, state: string }>
}

/** Signatures gathered in one election, all over the same statement. */
interface Election {
  readonly kind: 'prevote' | 'vote'
  readonly term: number
  readonly lastLogIndex: number
  readonly lastLogTerm: number
  readonly signatures: Map<NodeId, Uint8Array>
}

/** A leader gathering 'ack' signatures for a certificate over its new voter set. */
interface AckRound {
  readonly index: number
  readonly term: number
  readonly voters: readonly NodeId[]
  readonly signatures: Map<NodeId, Uint8Array>
}

/** What the outstanding Ready handed out, so advance() can mark it done. */
/** A configuration and the entry that set it, with that entry's link if it changed the voters. */
interface ConfRecord {
  readonly index: number
  readonly conf: ConfState
  readonly link?: ConfLink
}

/** A voter set this node trusts, and the index of the entry that set it (0: none, pinned). */
interface Anchor {
  readonly voters: readonly NodeId[]
  readonly index: number
}

interface Outstanding {
  readonly lastEntry?: { index: number, term: number }
  readonly snapshotIndex?: number
  readonly appliedTo?: number
}

type LeaderMessage = AppendMessage | HeartbeatMessage | SnapshotMessage

const EMPTY = new Uint8Array()

/** Statement kinds a leader certificate may consist of. */
const LEADERSHIP_KINDS: readonly VoteKind[] = ['vote', 'ack']

export class RaftCore {
  readonly id: NodeId
  readonly counters: RaftCounters = {
    electionsStarted: 0,
    preVotesStarted: 0,
    rejectedMessages: 0,
    rejectedVotes: 0,
    rejectedCertificates: 0,
    certificatesVerified: 0,
    certificateCacheHits: 0,
    certificatesRequested: 0,
    votesIgnoredInLease: 0,
    rejectedTransfers: 0,
    chainsFollowed: 0,
    committedConflicts: 0
  }

  /** Why the last rejected certificate was rejected (for logs and tests). */
  lastCertificateRejection: CertificateCheck | undefined

  private readonly opts: RaftOptions
  private readonly keys: VoteKeys
  private readonly scheme: SignatureScheme
  private readonly random: () => number
  private readonly storage: Storage
  private readonly log: RaftLog
  private readonly tracker: ProgressTracker

  private term = 0
  private vote: NodeId | null = null
  private lead: NodeId | null = null
  private role: Role = 'follower'
  private msgs: Message[] = []
  /**
   * Followers owed an append, sent when the next Ready is drained (flushAppends): true if
   * one must go even without new entries (it carries a commit index or is a probe), false if
   * only to keep the replication window full. A burst of proposals, or of answers that each
   * advance the commit index, between two Readies then costs one append a follower carrying
   * every new entry and the latest commit, not one append per event.
   */
  private readonly appendDue = new Map<NodeId, boolean>()

  private electionElapsed = 0
  private heartbeatElapsed = 0
  private randomizedElectionTimeout = 0
  /** Ticks added to the election timeout and the lease while this node's own loop runs late (stretchElection). */
  private electionStretch = 0
  /**
   * Leader: quiet (see RaftOptions.idleHeartbeatTicks) — it told every follower so with its
   * last heartbeat round and heartbeats every idleHeartbeatTicks. Follower: the last message
   * from its leader was a quiet heartbeat, so its lease and timeout are idleElectionTicks.
   * Never true on either side while anything is in flight: the leader leaves quiet at the
   * first append and its next message (not a quiet heartbeat) ends it at the follower.
   */
  private quiet = false

  private leadTransferee: NodeId | null = null
  /** Index of the latest conf entry a leader appended; a new change waits for its commit. */
  private pendingConfIndex = 0
  /**
   * Configurations by the index of the entry that set them (the first from the snapshot).
   * Configurations take effect when appended, so a truncated suffix must roll them back.
   */
  private confHistory: ConfRecord[]
  /** Configuration links at or before the snapshot (from its metadata), oldest first. */
  private snapChain: readonly ConfLink[] = []
  /**
   * A node with no configuration of its own trusts its first leader's declared voter set
   * (trust on first use); this pins that set, so a later leader must chain from it.
   */
  private pinnedVoters: readonly NodeId[] | null = null
  /** Ticks since we last asked a leader for configuration links (asked at most once per election timeout). */
  private ticksSinceChainRequest = Number.POSITIVE_INFINITY

  private election: Election | null = null
  /** The leader's proof of its term, attached to messages until each follower acknowledges. */
  private certificate: QuorumCertificate | null = null
  private ackRound: AckRound | null = null
  /** term → leader whose certificate this node verified: signatures are checked once per term. */
  private readonly verifiedLeaders = new Map<number, NodeId>()

  private stepFn: (m: Message) => void
  private tickFn: () => void

  private prevSoft: SoftState
  private prevHard: HardState
  private pendingCompaction: Snapshot | null = null
  private outstanding: Outstanding | null = null

  constructor (config: RaftConfig) {
    const opts: RaftOptions = { ...defaultRaftOptions }
    for (const key of Object.keys(defaultRaftOptions) as Array<keyof RaftOptions>) {
      const v = config[key]
      if (v !== undefined) (opts as unknown as Record<string, unknown>)[key] = v
    }
    if (opts.heartbeatTicks < 1 || opts.electionTicks <= opts.heartbeatTicks) {
      throw new RaftError('INVALID_OPTIONS', 'need 1 ≤ heartbeatTicks < electionTicks')
    }
    if (opts.idleHeartbeatTicks > opts.heartbeatTicks && opts.idleElectionTicks <= opts.idleHeartbeatTicks) {
      throw new RaftError('INVALID_OPTIONS', 'need idleHeartbeatTicks < idleElectionTicks')
    }
    if (opts.maxEntriesPerMessage < 1 || opts.maxInflightMessages < 1 || opts.maxCommittedPerReady < 1) {
      throw new RaftError('INVALID_OPTIONS', 'message, inflight and ready limits must be ≥ 1')
    }
    this.opts = opts
    this.keys = config.keys
    this.id = config.keys.self.id
    this.scheme = config.signatureScheme ?? ed25519Scheme
    this.random = config.random
    this.storage = config.storage
    this.log = new RaftLog(config.storage)
    this.tracker = new ProgressTracker(opts.maxInflightMessages)

    const snap = config.storage.snapshot()
    const base = confState(snap.metadata.confState.voters, snap.metadata.confState.learners)
    this.confHistory = [{ index: snap.metadata.index, conf: base }]
    this.snapChain = snap.metadata.chain ?? []
    this.tracker.setConf(base, this.log.lastIndex())
    // configurations in the persisted log are already in force: they were appended
    for (const e of this.log.slice(this.log.firstIndex(), this.log.lastIndex() + 1) ?? []) {
      if (e.type === 'conf') this.applyConfEntry(e)
    }

    const hs = config.storage.hardState()
    if (hs.commit > this.log.lastIndex()) {
      throw new RaftError('CORRUPT_STATE', `commit ${hs.commit} beyond the last persisted entry ${this.log.lastIndex()}`)
    }
    // a snapshot is committed by definition, even if the hard state lags behind it
    this.log.commitTo(Math.max(hs.commit, this.log.committed))
    const applied = config.applied ?? this.log.applied
    if (applied < this.log.applied || applied > this.log.committed) {
      throw new RaftError('CORRUPT_STATE', `applied ${applied} outside [${this.log.applied}, ${this.log.committed}]`)
    }
    this.log.applied = applied
    this.term = hs.term
    this.vote = hs.vote

    this.stepFn = this.stepFollower
    this.tickFn = this.tickElection
    this.becomeFollower(this.term, null)
    this.prevHard = this.hardState()
    this.prevSoft = this.softState()
  }

  // ---------------------------------------------------------------- public API

  /** Advances logical time by one tick. */
  tick (): void {
    this.ticksSinceChainRequest++
    this.tickFn()
  }

  /** Feeds a message from a peer. Malformed or unauthenticated input is counted and ignored. */
  step (m: Message): void {
    if (!isWellFormedMessage(m, this.id)) {
      this.counters.rejectedMessages++
      return
    }
    if (m.term > this.term) {
      if (m.type === 'vote' || m.type === 'prevote') {
        // the leader lease: while a leader is heard from, a disconnected node that comes back
        // with a higher term must not depose it — unless the leader itself asked (transfer),
        // which only its signature proves: anyone can set the flag
        const transfer = m.transfer && this.transferProven(m)
        if (m.transfer && !transfer) this.counters.rejectedTransfers++
        if (!transfer && this.inLease()) {
          this.counters.votesIgnoredInLease++
          return
        }
      }
      if (m.type === 'prevote') {
        // a pre-vote never changes our term
      } else if (m.type === 'prevoteResp' && !m.reject) {
        // our own term moves only once the pre-vote is won
      } else if (m.type === 'append' || m.type === 'heartbeat' || m.type === 'snapshot') {
        // a higher term is only adopted from a proven leader: otherwise a forged message
        // could push every node's term up and force needless elections
        const accepted = this.acceptLeader(m)
        if (accepted === null) return
        this.followVerified(m, accepted)
      } else if (m.type === 'timeoutNow') {
        return
      } else if (!this.tracker.isMember(m.from)) {
        // only members' answers speak for the cluster's term; anyone else's are noise
        return
      } else {
        this.becomeFollower(m.term, null)
      }
    } else if (m.term < this.term) {
      if ((this.opts.checkQuorum || this.opts.preVote) && (m.type === 'append' || m.type === 'heartbeat')) {
        // a stale leader (e.g. just back from a partition) learns our term and steps down;
        // without this it could be stuck, since its lease keeps it from hearing votes
        this.send({ type: 'appendResp', from: this.id, to: m.from, term: this.term, index: 0, reject: false, rejectHint: 0, hintTerm: 0 })
      } else if (m.type === 'prevote') {
        this.send(this.voteResponse(m, true))
      }
      return
    }

    if (m.type === 'vote' || m.type === 'prevote') {
      this.handleVoteRequest(m)
      return
    }
    this.stepFn(m)
  }

  /** Starts an election now (as if the election timeout had passed). */
  campaign (): void {
    this.hup(null)
  }

  propose (data: Uint8Array): ProposeResult {
    return this.proposeEntry('normal', data)
  }

  /** Proposes a membership change; only one may be uncommitted at a time (§4.1). */
  proposeConfChange (cc: ConfChange): ProposeResult {
    const refused = this.refuseProposal()
    if (refused !== undefined) return refused
    if (this.pendingConfIndex > this.log.committed) {
      return this.proposalError('CONF_CHANGE_PENDING',
        `membership change at index ${this.pendingConfIndex} is not committed yet; retry after it is`)
    }
    const check = applyConfChange(this.tracker.conf, cc)
    if (!check.ok) return this.proposalError('INVALID_CONF_CHANGE', check.reason)
    if (!sameVoters(check.next.voters, this.tracker.conf.voters)) {
      const blocker = this.voterChangeBlocker(check.next, cc)
      if (blocker !== undefined) return this.proposalError('VOTERS_LAGGING', blocker)
    }
    const link = sameVoters(check.next.voters, this.tracker.conf.voters) ? undefined : this.makeLink(check.next.voters)
    const result = this.proposeEntry('conf', encodeConfChange(cc), link)
    if (result.ok) this.pendingConfIndex = result.index
    return result
  }

  /** Hands leadership to a voter: it gets caught up, then told to campaign at once. */
  transferLeadership (to: NodeId): TransferResult {
    if (this.role !== 'leader') return { ok: false, code: 'NOT_LEADER', message: 'only the leader can transfer leadership' }
    if (to === this.id) return { ok: false, code: 'ALREADY_LEADER', message: `${to} is already the leader` }
    if (!this.tracker.isVoter(to)) return { ok: false, code: 'NOT_A_VOTER', message: `${to} is not a voter` }
    if (this.leadTransferee === to) return { ok: true }
    this.abortLeaderTransfer()
    // the transfer must finish within one election timeout, measured from now
    this.electionElapsed = 0
    this.leadTransferee = to
    const pr = this.tracker.progress.get(to)
    if (pr !== undefined && pr.match === this.log.lastIndex()) {
      this.sendTimeoutNow(to)
    } else {
      this.sendAppend(to)
    }
    return { ok: true }
  }

  /**
   * The application made a snapshot of its state machine at `index` (≤ applied). The core
   * records it and hands it back as ready().compaction for the shell to persist; entries up
   * to `index` are then dropped, and followers that need them get this snapshot instead.
   */
  createSnapshot (index: number, data: Uint8Array): SnapshotResult {
    if (!Number.isSafeInteger(index) || index > this.log.applied) {
      return { ok: false, code: 'NOT_APPLIED', message: `index ${index} is beyond applied ${this.log.applied}` }
    }
    const newest = Math.max(this.log.snapshot().metadata.index, this.pendingCompaction?.metadata.index ?? 0)
    if (index <= newest) {
      return { ok: false, code: 'OUT_OF_DATE', message: `a snapshot at ${newest} already covers ${index}` }
    }
    const term = this.log.term(index)
    if (term === undefined) {
      return { ok: false, code: 'OUT_OF_DATE', message: `entry ${index} is no longer in the log` }
    }
    const chain = this.chainLinks().filter((l) => l.index <= index).slice(-MAX_CONF_CHAIN)
    const snapshot: Snapshot = {
      metadata: { index, term, confState: this.confAt(index), ...(chain.length > 0 ? { chain } : {}) },
      data
    }
    this.pendingCompaction = snapshot
    // history before the snapshot can never be rolled back to (it is committed)
    this.confHistory = [{ index, conf: this.confAt(index) }, ...this.confHistory.filter((h) => h.index > index)]
    this.snapChain = chain
    return { ok: true, snapshot }
  }

  /**
   * The shell's failure detector saw this node's leader die (its connection closed and direct
   * probes were refused): a far stronger signal than silence. Drop the lease, so this node
   * grants (pre-)votes again, and campaign within 1..maxTicks random ticks instead of a whole
   * election timeout. A wrong verdict costs nothing: the pre-vote fails while the other
   * followers still hear the leader, and its next heartbeat restores it here.
   */
  leaderLost (maxTicks = 3): void {
    if (this.role !== 'follower' || this.lead === null) return
    this.lead = null
    this.quiet = false
    const wait = 1 + Math.floor(this.random() * maxTicks)
    this.electionElapsed = Math.max(this.electionElapsed, this.electionTimeout() - wait)
  }

  /**
   * This node's event loop runs late, or its leader's does (the shell measures its own and
   * reads its leader's from the leader's heartbeats: src/healing/lag.ts, raftStretchTicks): its
   * election timeout, its lease (which also decides whether it grants a pre-vote) and, as
   * leader, its check-quorum period last `ticks` more until the next call (0: as configured).
   * Late timers make a tick last longer, but what a node waits for — a heartbeat, a round of
   * (pre-)vote answers, acknowledgements — waits on the peers' loops and on reading the frames
   * as well: at 50 processes on 2 cores (load ~95) followers timed out on a live leader every
   * few seconds and pre-vote rounds ended before their answers were read (BENCHMARKS.md, issue
   * 14, stop 42). Safety never rests on timeouts; a crashed leader is still dropped at once
   * (leaderLost), and a node at rest is never stretched.
   */
  stretchElection (ticks: number): void {
    this.electionStretch = Number.isSafeInteger(ticks) && ticks > 0 ? ticks : 0
  }

  /**
   * A follower that knows no leader waits `ticks` longer than its election timeout before it
   * campaigns, this once (the next timeout is drawn afresh): a founder that leaves the first
   * campaign to another founder (src/consensus/bootstrap.ts firstFounder).
   */
  postponeElection (ticks: number): void {
    if (this.role !== 'follower' || this.lead !== null || !Number.isSafeInteger(ticks) || ticks <= 0) return
    this.randomizedElectionTimeout += ticks
  }

  /**
   * Whether this node is in contact with a quorum, as far as the core can tell: a leader
   * (check-quorum makes one that a majority stopped answering step down within two election
   * timeouts), or a follower or learner that heard from its verified leader within the last
   * election timeout (its lease). A pre-candidate, a candidate, or a follower that knows no
   * leader has none. The shell fences the work layer on it (src/healing/quorum-contact.ts).
   */
  hasQuorumContact (): boolean {
    if (this.role === 'leader') return true
    return this.role === 'follower' && this.lead !== null && this.electionElapsed < this.leaseTicks()
  }

  /** The leader this node follows (itself as leader), null if it knows none: status().leader without building the status. */
  leaderId (): NodeId | null {
    return this.lead
  }

  /** Leader: whether it is quiet (heartbeats every idleHeartbeatTicks); for tests and status. */
  isQuiet (): boolean {
    return this.quiet
  }

  /** The transport could not reach `id`: stop streaming optimistically, probe instead. */
  reportUnreachable (id: NodeId): void {
    const pr = this.tracker.progress.get(id)
    if (this.role === 'leader' && pr !== undefined && pr.state === 'replicate') pr.becomeProbe()
  }

  /** The transport finished (or failed) sending a snapshot to `id`. */
  reportSnapshot (id: NodeId, ok: boolean): void {
    const pr = this.tracker.progress.get(id)
    if (this.role !== 'leader' || pr === undefined || pr.state !== 'snapshot') return
    if (!ok) pr.pendingSnapshot = 0
    // wait for the follower's answer before probing further
    pr.becomeProbe()
    pr.probeSent = ok
  }

  hasReady (): boolean {
    if (this.outstanding !== null) return false
    this.flushAppends()
    return (
      this.msgs.length > 0 ||
      this.log.unstable.entries.length > 0 ||
      this.log.hasPendingSnapshot() ||
      this.pendingCompaction !== null ||
      !sameHardState(this.hardState(), this.prevHard) ||
      !sameSoftState(this.softState(), this.prevSoft) ||
      this.log.nextCommittedEntries(1).length > 0)
  }

  /** Drains what must be persisted, sent and applied; see the top of this file for the order. */
  ready (): Ready {
    if (this.outstanding !== null) throw new RaftError('READY_OUTSTANDING', 'call advance() before the next ready()')
    this.flushAppends()
    const entries = this.log.unstableEntries()
    const snapshot = this.log.unstable.snapshot
    const committed = this.log.nextCommittedEntries(this.opts.maxCommittedPerReady)
    const hs = this.hardState()
    const ss = this.softState()
    const first = entries[0]
    const last = entries[entries.length - 1]
    const lastCommitted = committed[committed.length - 1]
    const rd: Ready = {
      entries,
      messages: this.msgs,
      committed,
      ...(sameHardState(hs, this.prevHard) ? {} : { hardState: hs }),
      ...(sameSoftState(ss, this.prevSoft) ? {} : { softState: ss }),
      ...(first !== undefined && first.index <= this.storage.lastIndex() ? { truncateFrom: first.index } : {}),
      ...(snapshot === undefined ? {} : { snapshot }),
      ...(this.pendingCompaction === null ? {} : { compaction: this.pendingCompaction })
    }
    this.msgs = []
    this.pendingCompaction = null
    this.prevHard = hs
    this.prevSoft = ss
    this.outstanding = {
      ...(last === undefined ? {} : { lastEntry: { index: last.index, term: last.term } }),
      ...(snapshot === undefined ? {} : { snapshotIndex: snapshot.metadata.index }),
      ...(lastCommitted === undefined ? {} : { appliedTo: lastCommitted.index })
    }
    return rd
  }

  /** The last Ready was persisted, sent and applied. */
  advance (): void {
    const o = this.outstanding
    if (o === null) throw new RaftError('NO_READY', 'advance() without an outstanding ready()')
    if (o.snapshotIndex !== undefined) {
      this.log.stableSnapTo(o.snapshotIndex)
      this.log.appliedTo(o.snapshotIndex)
    }
    if (o.lastEntry !== undefined) this.log.stableTo(o.lastEntry.index, o.lastEntry.term)
    if (o.appliedTo !== undefined) this.log.appliedTo(o.appliedTo)
    this.outstanding = null
  }

  status (): RaftStatus {
    const base = {
      id: this.id,
      role: this.role,
      term: this.term,
      vote: this.vote,
      leader: this.lead,
      commit: this.log.committed,
      applied: this.log.applied,
      firstIndex: this.log.firstIndex(),
      lastIndex: this.log.lastIndex(),
      lastTerm: this.log.lastTerm(),
      conf: this.tracker.conf,
      leadTransferee: this.leadTransferee
    }
    if (this.role !== 'leader') return base
    const progress = new Map<NodeId, { match: number, next: number, state: string }>()
    for (const [id, pr] of this.tracker.progress) progress.set(id, { match: pr.match, next: pr.next, state: pr.state })
    return { ...base, progress }
  }

  /** The certificate this node presents as leader (null unless leader). */
  leaderCertificate (): QuorumCertificate | null {
    return this.certificate
  }

  // ---------------------------------------------------------------- roles

  private becomeFollower (term: number, lead: NodeId | null): void {
    this.reset(term)
    this.stepFn = this.stepFollower
    this.tickFn = this.tickElection
    this.lead = lead
    this.role = 'follower'
  }

  private becomePreCandidate (): void {
    // a pre-candidate keeps its term and vote: it only asks whether it could win
    this.tracker.resetVotes()
    this.election = null
    this.stepFn = this.stepCandidate
    this.tickFn = this.tickElection
    this.lead = null
    this.role = 'pre-candidate'
    this.counters.preVotesStarted++
  }

  private becomeCandidate (): void {
    this.reset(this.term + 1)
    this.stepFn = this.stepCandidate
    this.tickFn = this.tickElection
    this.vote = this.id
    this.role = 'candidate'
    this.counters.electionsStarted++
  }

  private becomeLeader (): void {
    const election = this.election
    this.reset(this.term)
    this.stepFn = this.stepLeader
    this.tickFn = this.tickHeartbeat
    this.lead = this.id
    this.role = 'leader'
    this.tracker.progress.get(this.id)?.becomeReplicate()
    if (election !== null) {
      this.certificate = this.buildCertificate('vote', election, this.tracker.conf.voters)
      // The voters that granted this term's vote were heard within this election: they count
      // for the first check-quorum, one election timeout from now. Otherwise a majority had to
      // answer the first append within that timeout — each checking the certificate's
      // signatures and, at formation, opening its Raft stream first —, and on a loaded host a
      // leader of ten nodes stepped down 0.3 s after winning, costing a second election
      // (BENCHMARKS.md, issue 14, stop 37). A leader cut off from then on still steps down at
      // the second check, within two election timeouts as hasQuorumContact says.
      for (const id of election.signatures.keys()) {
        const pr = this.tracker.progress.get(id)
        if (pr !== undefined) pr.recentActive = true
      }
    }
    this.verifiedLeaders.set(this.term, this.id)
    // commit an entry of our own term at once: it commits everything before it (§5.4.2) and,
    // until it commits, no membership change may start (the single-server change fix, §4.1)
    this.appendEntries([{ index: this.log.lastIndex() + 1, term: this.term, type: 'normal', data: EMPTY }])
    this.pendingConfIndex = this.log.lastIndex()
    // the votes are a majority; acknowledgements from every voter make a sturdier proof
    this.startAckRound()
  }

  private reset (term: number): void {
    if (this.term !== term) {
      this.term = term
      this.vote = null
    }
    this.lead = null
    this.electionElapsed = 0
    this.heartbeatElapsed = 0
    this.randomizedElectionTimeout = this.opts.electionTicks + Math.floor(this.random() * this.opts.electionTicks)
    this.quiet = false
    this.leadTransferee = null
    this.tracker.resetVotes()
    this.tracker.resetProgress(this.id, this.log.lastIndex())
    this.election = null
    this.certificate = null
    this.ackRound = null
    this.pendingConfIndex = 0
    this.appendDue.clear()
  }

  /** We heard from a leader within an election timeout: it is presumed alive. */
  private inLease (): boolean {
    return this.opts.checkQuorum && this.lead !== null && this.electionElapsed < this.leaseTicks()
  }

  /**
   * How long a leader counts as heard from: electionTicks, or idleElectionTicks after a quiet
   * heartbeat (the leader promised its next one within idleHeartbeatTicks). Also a leader's
   * check-quorum period. Raft's safety never rests on it (terms and quorums do); it bounds
   * how long a silent leader keeps followers from voting and a cut-off leader keeps leading.
   */
  private leaseTicks (): number {
    return (this.quiet ? this.opts.idleElectionTicks : this.opts.electionTicks) + this.electionStretch
  }

  /** A follower's election timeout: the randomized one, lengthened after a quiet heartbeat. */
  private electionTimeout (): number {
    return (this.quiet
      ? this.randomizedElectionTimeout - this.opts.electionTicks + this.opts.idleElectionTicks
      : this.randomizedElectionTimeout) + this.electionStretch
  }

  /** Voters may campaign; learners and removed nodes never do, nor a node restoring a snapshot. */
  private promotable (): boolean {
    return this.tracker.isVoter(this.id) && !this.log.hasPendingSnapshot()
  }

  // ---------------------------------------------------------------- ticks

  private tickElection (): void {
    this.electionElapsed++
    if (this.promotable() && this.electionElapsed >= this.electionTimeout()) {
      this.electionElapsed = 0
      this.hup(null)
    }
  }

  private tickHeartbeat (): void {
    this.electionElapsed++
    this.heartbeatElapsed++
    const settled = this.settled()
    if (!settled) this.quiet = false
    if (this.electionElapsed >= this.leaseTicks()) {
      this.electionElapsed = 0
      if (this.opts.checkQuorum) {
        if (!this.tracker.quorumActive(this.id)) {
          // cut off from a majority: another leader may already exist, so stop acting as one
          this.becomeFollower(this.term, null)
          return
        }
        this.tracker.resetRecentActive(this.id)
      }
      // a transfer that did not finish within an election timeout has failed
      this.abortLeaderTransfer()
    }
    for (const [id, pr] of this.tracker.progress) {
      if (pr.state === 'snapshot' && ++pr.snapshotTicks >= this.opts.snapshotRetryTicks) {
        pr.becomeProbe()
        this.sendAppend(id)
      }
    }
    if (this.heartbeatElapsed >= (this.quiet ? this.opts.idleHeartbeatTicks : this.opts.heartbeatTicks)) {
      this.heartbeatElapsed = 0
      // the first round after settling already says quiet: it carries the final commit index,
      // and the followers must know to wait longer before the leader's next heartbeat is late
      if (settled && this.opts.idleHeartbeatTicks > this.opts.heartbeatTicks) this.quiet = true
      this.bcastHeartbeat()
    }
  }

  /**
   * Leader: nothing is in flight, so heartbeats can be rare. Every member holds the whole log
   * (in replicate state, no message unacknowledged), all of it is committed, every follower
   * verified our certificate, no acknowledgement round and no leadership transfer is open.
   * The commit index reaches the followers on the first quiet heartbeat round.
   */
  private settled (): boolean {
    if (this.leadTransferee !== null || this.ackRound !== null) return false
    const last = this.log.lastIndex()
    if (this.log.committed !== last) return false
    for (const [id, pr] of this.tracker.progress) {
      if (id === this.id) continue
      if (pr.state !== 'replicate' || pr.match !== last || pr.inflights.count() > 0 || !pr.certAcked) return false
    }
    return true
  }

  // ---------------------------------------------------------------- elections

  /** Campaigns; `transfer` is the old leader's signed hand-over when it asked us to. */
  private hup (transfer: TransferProof | null): void {
    if (this.role === 'leader' || !this.promotable()) return
    // a transfer skips the pre-vote: the old leader asked, there is no partition to detect
    if (this.opts.preVote && transfer === null) this.startCampaign('prevote', null)
    else this.startCampaign('vote', transfer)
  }

  private startCampaign (kind: 'prevote' | 'vote', transfer: TransferProof | null): void {
    let term: number
    if (kind === 'prevote') {
      this.becomePreCandidate()
      term = this.term + 1
    } else {
      this.becomeCandidate()
      term = this.term
    }
    const election: Election = {
      kind,
      term,
      lastLogIndex: this.log.lastIndex(),
      lastLogTerm: this.log.lastTerm(),
      signatures: new Map()
    }
    this.election = election
    election.signatures.set(this.id, this.sign(kind, term, this.id, election.lastLogIndex, election.lastLogTerm))
    this.tracker.recordVote(this.id, true)
    if (this.checkElection()) return
    for (const voter of this.tracker.conf.voters) {
      if (voter === this.id) continue
      this.send({
        type: kind,
        from: this.id,
        to: voter,
        term,
        lastLogIndex: election.lastLogIndex,
        lastLogTerm: election.lastLogTerm,
        transfer: transfer !== null,
        ...(transfer === null ? {} : { transferProof: transfer })
      })
    }
  }

  /** Acts on the tally; true if the election is decided. */
  private checkElection (): boolean {
    const { result } = this.tracker.tally()
    if (result === 'won') {
      if (this.role === 'pre-candidate') {
        this.startCampaign('vote', null)
      } else {
        this.becomeLeader()
        this.bcastAppend()
      }
      return true
    }
    if (result === 'lost') {
      this.becomeFollower(this.term, null)
      return true
    }
    return false
  }

  private handleVoteRequest (m: VoteRequest): void {
    const canVote = this.vote === m.from ||
      (this.vote === null && this.lead === null) ||
      // a pre-vote for a future term promises nothing about this one
      (m.type === 'prevote' && m.term > this.term)
    if (canVote && this.log.isUpToDate(m.lastLogIndex, m.lastLogTerm)) {
      this.send(this.voteResponse(m, false))
      if (m.type === 'vote') {
        // granting a vote resets the timer, so we do not compete with the candidate we chose
        this.electionElapsed = 0
        this.vote = m.from
      }
    } else {
      this.send(this.voteResponse(m, true))
    }
  }

  private voteResponse (m: VoteRequest, reject: boolean): VoteResponse {
    const type = m.type === 'vote' ? 'voteResp' : 'prevoteResp'
    const base = { type, from: this.id, to: m.from, lastLogIndex: m.lastLogIndex, lastLogTerm: m.lastLogTerm } as const
    if (reject) return { ...base, term: this.term, reject: true }
    const signature = this.sign(m.type, m.term, m.from, m.lastLogIndex, m.lastLogTerm)
    return { ...base, term: m.term, reject: false, signature }
  }

  private handleVoteResponse (m: VoteResponse): void {
    const election = this.election
    if (election === null) return
    const expected = this.role === 'pre-candidate' ? 'prevoteResp' : 'voteResp'
    if (m.type !== expected) return
    if (!m.reject) {
      // a grant signed for an earlier campaign does not count in this one
      if (m.term !== election.term || m.lastLogIndex !== election.lastLogIndex || m.lastLogTerm !== election.lastLogTerm) return
      if (!this.tracker.isVoter(m.from)) return
      if (!this.verifySigned(election.kind, election.term, this.id, election.lastLogIndex, election.lastLogTerm, m.from, m.signature)) {
        this.counters.rejectedVotes++
        return
      }
      election.signatures.set(m.from, m.signature as Uint8Array)
    }
    this.tracker.recordVote(m.from, !m.reject)
    this.checkElection()
  }

  // ---------------------------------------------------------------- signatures

  private sign (kind: VoteKind, term: number, candidateId: NodeId, lastLogIndex: number, lastLogTerm: number): Uint8Array {
    return signVote({ kind, term, candidateId, lastLogIndex, lastLogTerm, voterId: this.id }, this.keys.self.privateKey, this.scheme)
  }

  private verifySigned (
    kind: VoteKind, term: number, candidateId: NodeId, lastLogIndex: number, lastLogTerm: number,
    voterId: NodeId, signature: Uint8Array | undefined
  ): boolean {
    const key = this.keys.publicKeyOf(voterId)
    if (signature === undefined || key === undefined) return false
    return verifyVote({ kind, term, candidateId, lastLogIndex, lastLogTerm, voterId }, signature, key, this.scheme)
  }

  private buildCertificate (
    kind: VoteKind,
    statement: { term: number, lastLogIndex: number, lastLogTerm: number, signatures: ReadonlyMap<NodeId, Uint8Array> },
    voters: readonly NodeId[]
  ): QuorumCertificate {
    const votes: SignedVote[] = []
    for (const voterId of voters) {
      const signature = statement.signatures.get(voterId)
      if (signature !== undefined) votes.push({ voterId, signature })
    }
    return {
      kind,
      term: statement.term,
      candidateId: this.id,
      lastLogIndex: statement.lastLogIndex,
      lastLogTerm: statement.lastLogTerm,
      voters: [...voters],
      votes
    }
  }

  private keyMap (ids: readonly NodeId[]): Map<NodeId, Uint8Array | undefined> {
    return new Map(ids.map((id) => [id, this.keys.publicKeyOf(id)]))
  }

  /**
   * Is `from` the proven leader of `term`? Judged against a voter set V this node trusts —
   * its own configuration, or (if that was set by an entry not yet known to be committed)
   * the latest committed one:
   *  1. the signers that are in V must be a majority of V (others are ignored: the leader may
   *     hold signatures of members we have not heard of yet);
   *  2. failing that, the certificate must be a majority of the voter set it declares, and
   *     that set must be one single-server change from V: any majority of it overlaps any
   *     majority of V, so it still takes honest voters who backed `from` and nobody else;
   *  3. in both, if we are one of the voters and would grant `from` a vote in `term` (no vote
   *     for another, no live leader, its log at least as new as ours), our own vote counts:
   *     accepting `from` records it as our vote for the term, as granting would;
   *  4. failing all that, V may be several voter changes old (we were away while they
   *     happened). The leader then sends the chain of configuration links after V (see
   *     ConfLink and walkChain): each link is proven by a certificate over the voter set
   *     before it, so we follow it link by link from V to the leader's voter set, and judge
   *     the certificate there by 1–3.
   * A node with no configuration at all (a brand-new joiner, or one that holds only the
   * founding entries of term 1 and is not among the founders) has nothing to check against:
   * it trusts the first leader whose certificate proves a majority of the voter set it declares
   * (trust on first use, as a fresh joiner must) and pins that set; every later leader must
   * chain from it or from the configuration the log has since given it.
   * What is left: a node that missed more voter changes than a leader keeps links for
   * (MAX_CONF_CHAIN, once compacted away) cannot verify later leaders. It stays a follower
   * without a leader (each refusal counted in rejectedCertificates, the reason in
   * lastCertificateRejection) until it is removed and added again with fresh state.
   */
  private checkCertificate (
    cert: QuorumCertificate, term: number, from: NodeId, chain: readonly ConfLink[] | undefined
  ): { check: CertificateCheck, selfVote: boolean, tofu: boolean, anchor: number } {
    const anchors = this.anchors()
    if (anchors === null) {
      const check = verifyCertificate(cert, this.keyMap(cert.voters), { term, candidateId: from, kinds: LEADERSHIP_KINDS }, this.scheme)
      return { check, selfVote: false, tofu: true, anchor: 0 }
    }
    let first: { check: CertificateCheck, selfVote: boolean } | undefined
    for (const anchor of anchors) {
      const r = this.checkAgainst(cert, term, from, anchor.voters)
      if (r.check.ok) return { ...r, tofu: false, anchor: anchor.index }
      first ??= r
    }
    if (chain !== undefined && chain.length > 0) {
      for (const anchor of anchors) {
        const tip = this.walkChain(anchor, chain)
        if (tip.index === anchor.index) continue
        const r = this.checkAgainst(cert, term, from, tip.voters)
        if (r.check.ok) {
          this.counters.chainsFollowed++
          return { ...r, tofu: false, anchor: anchor.index }
        }
      }
    }
    const oldest = Math.min(...anchors.map((a) => a.index))
    return { check: first?.check ?? { ok: false, reason: 'MALFORMED', message: 'no voter set to check against' }, selfVote: false, tofu: false, anchor: oldest }
  }

  /** Rules 1–3 of checkCertificate against the trusted voter set `own`. */
  private checkAgainst (cert: QuorumCertificate, term: number, from: NodeId, own: readonly NodeId[]): { check: CertificateCheck, selfVote: boolean } {
    const expect = { term, candidateId: from, kinds: LEADERSHIP_KINDS }
    const signed = new Set(cert.votes.map((v) => v.voterId))
    // the same conditions as granting a vote request, lease included
    const canSelfVote = !signed.has(this.id) && !this.inLease() &&
      (term > this.term || this.vote === null || this.vote === from) &&
      this.log.isUpToDate(cert.lastLogIndex, cert.lastLogTerm)
    const attempts: Array<{ voters: readonly NodeId[], selfVote: boolean }> = [{ voters: own, selfVote: false }]
    if (canSelfVote && own.includes(this.id)) attempts.push({ voters: own, selfVote: true })
    if (voterDistance(cert.voters, own) === 1) {
      attempts.push({ voters: cert.voters, selfVote: false })
      if (canSelfVote && cert.voters.includes(this.id)) attempts.push({ voters: cert.voters, selfVote: true })
    }
    let first: CertificateCheck | undefined
    for (const attempt of attempts) {
      const set = new Set(attempt.voters)
      const votes = cert.votes.filter((v) => set.has(v.voterId))
      if (attempt.selfVote) {
        votes.push({ voterId: this.id, signature: this.sign(cert.kind, term, from, cert.lastLogIndex, cert.lastLogTerm) })
      }
      const check = verifyCertificate({ ...cert, votes }, this.keyMap(attempt.voters), expect, this.scheme)
      if (check.ok) return { check, selfVote: attempt.selfVote }
      first ??= check
      // only a shortfall of signers is worth another reading; anything else is a bad certificate
      if (check.reason !== 'TOO_FEW_SIGNERS') break
    }
    return { check: first ?? { ok: false, reason: 'MALFORMED', message: 'no voter set to check against' }, selfVote: false }
  }

  /**
   * The voter sets this node trusts, newest first: its configuration and, if the entry that
   * set it is not known to be committed (it may yet be overwritten), the latest committed one.
   * Null for a node with no configuration of its own and nothing pinned (trust on first use).
   */
  private anchors (): Anchor[] | null {
    const latest = this.confHistory[this.confHistory.length - 1]
    if (latest === undefined || this.hasNoConfiguration()) {
      return this.pinnedVoters === null ? null : [{ voters: this.pinnedVoters, index: 0 }]
    }
    const out: Anchor[] = [{ voters: latest.conf.voters, index: latest.index }]
    if (latest.index > this.log.committed) {
      let committed: ConfRecord | undefined
      for (const h of this.confHistory) if (h.index <= this.log.committed) committed = h
      if (committed !== undefined && !sameVoters(committed.conf.voters, latest.conf.voters)) {
        out.push({ voters: committed.conf.voters, index: committed.index })
      }
    }
    return out
  }

  /**
   * True for a node that has no voter set of its own to defend: none at all, or only the
   * founding entries of term 1 (a joiner that was replaying them when it restarted) while it
   * is not among the founders (a snapshot of those entries alone changes nothing). Any
   * configuration a leader appended, or a snapshot of one, counts.
   */
  private hasNoConfiguration (): boolean {
    if (this.tracker.conf.voters.length === 0) return true
    if (this.tracker.isMember(this.id)) return false
    return this.confHistory.every((h) => h.index === 0 || (this.log.term(h.index) ?? 0) <= 1)
  }

  /**
   * Follows configuration links from a trusted voter set: a link counts if it is newer than
   * what we trust (higher index, no lower term), changes the voter set by at most one node,
   * and verifies against the voter set we trust so far (its certificate proves its leader in
   * its term by a majority of that set, and that leader signed it). Links that do not are
   * skipped (they may predate what we trust); returns the last voter set reached.
   */
  private walkChain (anchor: Anchor, chain: readonly ConfLink[]): Anchor {
    let voters = anchor.voters
    let index = anchor.index
    let term = anchor.index === 0 ? 0 : (this.log.term(anchor.index) ?? 0)
    for (const link of [...chain].sort((a, b) => a.index - b.index)) {
      if (link.index <= index || link.term < term || voterDistance(voters, link.voters) > 1) continue
      const check = verifyConfLink(link, this.keyMap(voters), this.keys.publicKeyOf(link.certificate.candidateId), this.scheme)
      if (!check.ok) continue
      voters = link.voters
      index = link.index
      term = link.term
    }
    return { voters, index }
  }

  /** Every configuration link this node holds, oldest first (snapshot's, then the log's). */
  private chainLinks (): ConfLink[] {
    const out = [...this.snapChain]
    const after = out[out.length - 1]?.index ?? 0
    for (const h of this.confHistory) {
      if (h.link !== undefined && h.index > after) out.push(h.link)
    }
    return out
  }

  /** As leader: the link for the voter change we are about to append at lastIndex + 1. */
  private makeLink (voters: readonly NodeId[]): ConfLink | undefined {
    const certificate = this.certificate
    if (certificate === null) return undefined
    const index = this.log.lastIndex() + 1
    const sorted = [...voters].sort()
    const signature = signConfLink({ index, term: this.term, leaderId: this.id, voters: sorted }, this.keys.self.privateKey, this.scheme)
    return { index, term: this.term, voters: sorted, certificate, signature }
  }

  /**
   * Gate for every message a leader sends. Verifies the certificate once per term; without
   * one, asks the sender for it. Answers carry the sender's term so a real leader reads them,
   * but change nothing here. Returns null to drop the message, else whether accepting the
   * leader casts our vote for it (see checkCertificate); the caller records that vote once
   * it is in the leader's term.
   */
  private acceptLeader (m: LeaderMessage): { selfVote: boolean } | null {
    const known = this.verifiedLeaders.get(m.term)
    if (known !== undefined) {
      if (known === m.from) {
        this.counters.certificateCacheHits++
        return { selfVote: false }
      }
      // a term has one leader; a second claimant is lying
      this.counters.rejectedCertificates++
      return null
    }
    if (m.certificate === undefined) {
      this.counters.certificatesRequested++
      this.requestCertificate(m)
      return null
    }
    const { check, selfVote, tofu, anchor } = this.checkCertificate(m.certificate, m.term, m.from, m.chain)
    if (!check.ok) {
      this.counters.rejectedCertificates++
      this.lastCertificateRejection = check
      // too few of our voters signed: perhaps we missed voter changes; ask for the chain
      // from the voter set we trust. A message that brought one gets no answer, and we ask
      // at most once per election timeout, so a node that cannot catch up costs little
      if (!tofu && m.chain === undefined && (check.reason === 'TOO_FEW_SIGNERS' || check.reason === 'NON_VOTER_SIGNER') &&
        this.ticksSinceChainRequest >= this.opts.electionTicks) {
        this.ticksSinceChainRequest = 0
        this.requestCertificate(m, anchor)
      }
      return null
    }
    if (tofu) this.pinnedVoters = [...m.certificate.voters]
    this.counters.certificatesVerified++
    this.verifiedLeaders.set(m.term, m.from)
    for (const t of this.verifiedLeaders.keys()) {
      if (t < Math.min(this.term, m.term)) this.verifiedLeaders.delete(t)
    }
    return { selfVote }
  }

  /** Asks a would-be leader for its certificate (and, with `confIndex`, the chain after it). */
  private requestCertificate (m: LeaderMessage, confIndex?: number): void {
    const extra = confIndex === undefined ? {} : { confIndex }
    if (m.type === 'heartbeat') {
      this.send({ type: 'heartbeatResp', from: this.id, to: m.from, term: m.term, certRequired: true, ...extra })
    } else {
      this.send({ type: 'appendResp', from: this.id, to: m.from, term: m.term, index: 0, reject: true, rejectHint: 0, hintTerm: 0, certRequired: true, ...extra })
    }
  }

  /** Follows the verified leader of the current term, recording our vote if accepting it cast one. */
  private followVerified (m: LeaderMessage, accepted: { selfVote: boolean }): void {
    if (this.role !== 'follower' || this.term !== m.term) this.becomeFollower(m.term, m.from)
    this.lead = m.from
    if (accepted.selfVote && this.vote === null) this.vote = m.from
  }

  // ---------------------------------------------------------------- followers and candidates

  private stepFollower (m: Message): void {
    switch (m.type) {
      case 'append':
      case 'heartbeat':
      case 'snapshot': {
        const accepted = this.acceptLeader(m)
        if (accepted === null) return
        this.electionElapsed = 0
        this.followVerified(m, accepted)
        // only a quiet heartbeat lengthens the lease; any other message ends it
        this.quiet = m.type === 'heartbeat' && m.quiet === true
        this.handleLeaderMessage(m)
        return
      }
      case 'timeoutNow':
        // only our verified leader may make us campaign out of turn; its signed hand-over is
        // what lets the voters skip their lease (an old leader sends none: plain campaign)
        if (m.from === this.lead) this.hup(m.transferProof ?? null)
        return
      default:
        // answers meant for a role we no longer hold
    }
  }

  private stepCandidate (m: Message): void {
    switch (m.type) {
      case 'append':
      case 'heartbeat':
      case 'snapshot': {
        // someone proved they won this term: follow them
        const accepted = this.acceptLeader(m)
        if (accepted === null) return
        this.followVerified(m, accepted)
        this.quiet = m.type === 'heartbeat' && m.quiet === true
        this.handleLeaderMessage(m)
        return
      }
      case 'voteResp':
      case 'prevoteResp':
        this.handleVoteResponse(m)
        return
      default:
    }
  }

  private handleLeaderMessage (m: LeaderMessage): void {
    if (m.type === 'append') this.handleAppend(m)
    else if (m.type === 'heartbeat') this.handleHeartbeat(m)
    else this.handleSnapshot(m)
  }

  private handleAppend (m: AppendMessage): void {
    if (m.prevIndex < this.log.committed) {
      this.sendAppendResponse(m.from, this.log.committed)
      return
    }
    if (this.log.matchTerm(m.prevIndex, m.prevTerm)) {
      const lastNew = m.prevIndex + m.entries.length
      const conflict = this.log.findConflict(m.entries)
      if (conflict !== 0) {
        if (conflict <= this.log.committed) {
          this.counters.committedConflicts++
          return
        }
        this.appendEntries(m.entries.slice(conflict - m.prevIndex - 1))
      }
      this.log.commitTo(Math.min(m.commit, lastNew))
      this.sendAppendResponse(m.from, lastNew)
      return
    }
    // tell the leader where our log may match, a term at a time (etcd's fast backtracking)
    const hint = this.log.findConflictByTerm(Math.min(m.prevIndex, this.log.lastIndex()), m.prevTerm)
    this.send({
      type: 'appendResp',
      from: this.id,
      to: m.from,
      term: this.term,
      index: m.prevIndex,
      reject: true,
      rejectHint: hint.index,
      hintTerm: hint.term
    })
  }

  private sendAppendResponse (to: NodeId, index: number): void {
    this.send({ type: 'appendResp', from: this.id, to, term: this.term, index, reject: false, rejectHint: 0, hintTerm: 0 })
  }

  private handleHeartbeat (m: HeartbeatMessage): void {
    if (m.commit > this.log.lastIndex()) {
      // the leader thinks we hold entries we do not: never commit blindly
      this.counters.committedConflicts++
    } else {
      this.log.commitTo(m.commit)
    }
    const resp: HeartbeatResponse = m.ackRequest === undefined
      ? { type: 'heartbeatResp', from: this.id, to: m.from, term: this.term }
      : {
          type: 'heartbeatResp',
          from: this.id,
          to: m.from,
          term: this.term,
          ack: {
            index: m.ackRequest.index,
            term: m.ackRequest.term,
            signature: this.sign('ack', this.term, m.from, m.ackRequest.index, m.ackRequest.term)
          }
        }
    this.send(resp)
  }

  private handleSnapshot (m: SnapshotMessage): void {
    if (this.restore(m.snapshot)) {
      this.sendAppendResponse(m.from, this.log.lastIndex())
    } else {
      this.sendAppendResponse(m.from, this.log.committed)
    }
  }

  /** Installs a leader's snapshot; false if we already have everything it covers. */
  private restore (s: Snapshot): boolean {
    const { index, term } = s.metadata
    if (index <= this.log.committed) return false
    if (this.log.matchTerm(index, term)) {
      // our log already holds the snapshot's last entry, hence everything before it
      this.log.commitTo(index)
      return false
    }
    this.log.restore(s)
    const conf = confState(s.metadata.confState.voters, s.metadata.confState.learners)
    this.confHistory = [{ index, conf }]
    this.snapChain = s.metadata.chain ?? []
    this.setConf(conf)
    // a compaction we were preparing is older than what we just received
    this.pendingCompaction = null
    return true
  }

  // ---------------------------------------------------------------- leader

  private stepLeader (m: Message): void {
    switch (m.type) {
      case 'appendResp': {
        const pr = this.tracker.progress.get(m.from)
        if (pr !== undefined) this.handleAppendResponse(m, pr)
        break
      }
      case 'heartbeatResp': {
        const pr = this.tracker.progress.get(m.from)
        if (pr !== undefined) this.handleHeartbeatResponse(m, pr)
        break
      }
      case 'append':
      case 'heartbeat':
      case 'snapshot':
        // another node claims the term we won
        this.counters.rejectedCertificates++
        return
      default:
        return
    }
    if (this.role === 'leader' && this.removedAndCommitted()) this.stepDownAfterRemoval()
  }

  private handleAppendResponse (m: AppendResponse, pr: Progress): void {
    if (m.certRequired === true) {
      this.resendCertificate(m.from, pr, m.confIndex)
      return
    }
    pr.recentActive = true
    pr.certAcked = true
    pr.chainFrom = null
    if (m.reject) {
      let nextProbe = m.rejectHint
      if (m.hintTerm > 0) {
        // skip every entry of ours whose term is newer than the follower's at the hint
        nextProbe = this.log.findConflictByTerm(Math.min(m.rejectHint, this.log.lastIndex()), m.hintTerm).index
      }
      if (pr.maybeDecrTo(m.index, nextProbe)) {
        if (pr.state === 'replicate') pr.becomeProbe()
        this.sendAppend(m.from)
      }
      return
    }
    const wasPaused = pr.isPaused()
    if (!pr.maybeUpdate(m.index)) return
    if (pr.state === 'probe') {
      pr.becomeReplicate()
    } else if (pr.state === 'snapshot' && pr.match >= pr.pendingSnapshot) {
      pr.becomeProbe()
      pr.becomeReplicate()
    } else if (pr.state === 'replicate') {
      pr.inflights.freeLE(m.index)
    }
    if (this.maybeCommit()) {
      this.bcastAppend()
    } else if (wasPaused) {
      this.sendAppend(m.from)
    }
    // keep the window full while there is more to send
    this.appendOwed(m.from, false)
    if (m.from === this.leadTransferee && pr.match === this.log.lastIndex()) this.sendTimeoutNow(m.from)
  }

  private handleHeartbeatResponse (m: HeartbeatResponse, pr: Progress): void {
    if (m.certRequired === true) {
      this.resendCertificate(m.from, pr, m.confIndex)
      return
    }
    pr.recentActive = true
    pr.certAcked = true
    pr.chainFrom = null
    pr.probeSent = false
    if (m.ack !== undefined) this.handleAck(m.from, m.ack)
    // a heartbeat answer frees a slot, so a window full of lost messages cannot stall us
    if (pr.state === 'replicate' && pr.inflights.full()) pr.inflights.freeFirstOne()
    if (pr.match < this.log.lastIndex() || pr.state === 'probe') this.sendAppend(m.from)
  }

  /**
   * The follower dropped our last message for want of a certificate: start over with one,
   * and with the configuration links after `confIndex` if it named the voter set it trusts.
   */
  private resendCertificate (id: NodeId, pr: Progress, confIndex: number | undefined): void {
    pr.certAcked = false
    if (confIndex !== undefined) pr.chainFrom = confIndex
    pr.becomeProbe()
    this.sendAppend(id)
  }

  private handleAck (from: NodeId, ack: { index: number, term: number, signature: Uint8Array }): void {
    const round = this.ackRound
    if (round === null || ack.index !== round.index || ack.term !== round.term) return
    if (!round.voters.includes(from)) return
    if (!this.verifySigned('ack', this.term, this.id, round.index, round.term, from, ack.signature)) {
      this.counters.rejectedVotes++
      return
    }
    round.signatures.set(from, ack.signature)
    this.maybeFinishAckRound()
  }

  /**
   * Adopts the acknowledgements as our certificate once they are a majority of the round's
   * voters and say more than the certificate we hold. The round stays open until every voter
   * has answered: the more voters sign, the more followers with a slightly different voter
   * set (one that missed a change, say) can still check the certificate.
   */
  private maybeFinishAckRound (): void {
    const round = this.ackRound
    if (round === null) return
    let signers = 0
    for (const id of round.voters) if (round.signatures.has(id)) signers++
    if (signers < majority(round.voters.length)) return
    const current = this.certificate
    if (current === null || !sameVoters(current.voters, round.voters) || current.votes.length < signers) {
      this.certificate = this.buildCertificate(
        'ack',
        { term: this.term, lastLogIndex: round.index, lastLogTerm: round.term, signatures: round.signatures },
        round.voters)
    }
    if (signers === round.voters.length) this.ackRound = null
  }

  /**
   * Gathers acknowledgements of our leadership from the current voters (carried on
   * heartbeats). Started on election, where the votes are only a majority, and whenever the
   * voter set changes, since the certificate then proves a majority of the old set only:
   * followers already following us need nothing, but one that restarts (and forgets us) may
   * no longer be able to check it.
   */
  private startAckRound (): void {
    const voters = this.tracker.conf.voters
    const round: AckRound = { index: this.log.lastIndex(), term: this.log.lastTerm(), voters: [...voters], signatures: new Map() }
    if (voters.includes(this.id)) round.signatures.set(this.id, this.sign('ack', this.term, this.id, round.index, round.term))
    this.ackRound = round
    this.maybeFinishAckRound()
  }

  /** Does our certificate prove a majority of the voter set now in force? */
  private certificateCoversVoters (): boolean {
    return this.certificate !== null && sameVoters(this.certificate.voters, this.tracker.conf.voters)
  }

  /** Index of the latest entry that changed the voter set (the history's base if none did). */
  private latestVoterChangeIndex (): number {
    const h = this.confHistory
    for (let i = h.length - 1; i > 0; i--) {
      const cur = h[i]
      const prev = h[i - 1]
      if (cur !== undefined && prev !== undefined && !sameVoters(cur.conf.voters, prev.conf.voters)) return cur.index
    }
    return h[0]?.index ?? 0
  }

  /**
   * Why a voter change must wait, if it must. The change's configuration link needs our
   * certificate to cover the voter set in force, so the acknowledgements of the last change
   * must be in. A follower checks leader certificates against its own voter set directly when
   * they are at most one change apart; for a change that adds a voter, every voter of the new
   * set must hold the previous voter change, so the common case needs no chain. A removal
   * only waits for voters we hear from: healing must be able to remove dead voters one after
   * another; a dead voter that comes back after several changes follows the chain of links.
   */
  private voterChangeBlocker (next: ConfState, cc: ConfChange): string | undefined {
    if (!this.certificateCoversVoters()) {
      return 'the voters have not yet acknowledged the previous voter change; retry shortly'
    }
    const adds = cc.type === 'addVoter' || cc.type === 'promote'
    const since = this.latestVoterChangeIndex()
    for (const id of next.voters) {
      if (id === this.id) continue
      const pr = this.tracker.progress.get(id)
      // a node new to the configuration knows no voter set yet and follows whoever proves one
      if (pr === undefined) continue
      if ((adds || pr.recentActive) && pr.match < since) {
        const hint = id === cc.nodeId ? 'catch it up as a learner first' : adds ? 'or remove it first' : 'retry once it has'
        return `${id} has not caught up with the voter change at index ${since}; ${hint}`
      }
    }
    return undefined
  }

  private proposeEntry (type: EntryType, data: Uint8Array, link?: ConfLink): ProposeResult {
    const refused = this.refuseProposal()
    if (refused !== undefined) return refused
    const index = this.log.lastIndex() + 1
    this.appendEntries([{ index, term: this.term, type, data, ...(link === undefined ? {} : { link }) }])
    this.bcastAppend()
    return { ok: true, index, term: this.term }
  }

  private refuseProposal (): ProposeResult | undefined {
    if (this.role !== 'leader') {
      return this.proposalError('NOT_LEADER',
        this.lead === null ? 'no leader is known yet; retry shortly' : `not the leader; retry at ${this.lead}`)
    }
    if (this.leadTransferee !== null) {
      return this.proposalError('TRANSFER_IN_PROGRESS', `leadership is moving to ${this.leadTransferee}; retry there`)
    }
    if (!this.tracker.isVoter(this.id)) {
      return this.proposalError('NOT_MEMBER', 'this leader was removed from the configuration and is stepping down')
    }
    return undefined
  }

  private proposalError (code: Extract<ProposeResult, { ok: false }>['code'], message: string): ProposeResult {
    return { ok: false, code, message, leader: this.role === 'leader' ? this.id : this.lead }
  }

  /** Appends to our log; as leader, also counts our own copy toward commitment. */
  private appendEntries (ents: readonly Entry[]): void {
    const first = ents[0]
    if (first === undefined) return
    // configurations take effect when appended, so entries we overwrite take theirs along
    if (first.index <= this.log.lastIndex()) this.rollbackConf(first.index)
    this.log.append(ents)
    for (const e of ents) if (e.type === 'conf') this.applyConfEntry(e)
    if (this.role === 'leader') {
      // something to replicate: busy heartbeats again from the next tick (the entries
      // themselves go out at once, bcastAppend)
      this.quiet = false
      this.tracker.progress.get(this.id)?.maybeUpdate(this.log.lastIndex())
      this.maybeCommit()
    }
  }

  private maybeCommit (): boolean {
    return this.log.maybeCommit(this.tracker.committedIndex(), this.term)
  }

  private bcastAppend (): void {
    for (const id of this.tracker.progress.keys()) {
      if (id !== this.id) this.sendAppend(id)
    }
  }

  private bcastHeartbeat (): void {
    const round = this.ackRound
    for (const [id, pr] of this.tracker.progress) {
      if (id === this.id) continue
      const wantsAck = round !== null && round.voters.includes(id) && !round.signatures.has(id)
      this.send({
        type: 'heartbeat',
        from: this.id,
        to: id,
        term: this.term,
        // never tell a follower to commit beyond what it is known to hold
        commit: Math.min(pr.match, this.log.committed),
        ...this.certificateFor(pr),
        ...(wantsAck ? { ackRequest: { index: round.index, term: round.term } } : {}),
        ...(this.quiet ? { quiet: true } : {})
      })
    }
  }

  private certificateFor (pr: Progress): { certificate?: QuorumCertificate, chain?: ConfLink[] } {
    if (pr.certAcked || this.certificate === null) return {}
    const from = pr.chainFrom
    if (from === null) return { certificate: this.certificate }
    // the links right after the follower's voter set, once per request (they may be many
    // bytes); a follower that missed more than MAX_CONF_CHAIN voter changes cannot catch up
    pr.chainFrom = null
    const chain = this.chainLinks().filter((l) => l.index > from).slice(0, MAX_CONF_CHAIN)
    return chain.length === 0 ? { certificate: this.certificate } : { certificate: this.certificate, chain }
  }

  /** `to` is owed an append, even one without entries; it goes out with the next Ready. */
  private sendAppend (to: NodeId): void {
    this.appendOwed(to, true)
  }

  private appendOwed (to: NodeId, evenIfEmpty: boolean): void {
    if (evenIfEmpty || !this.appendDue.has(to)) this.appendDue.set(to, evenIfEmpty)
  }

  /** Sends the appends owed (appendDue), as many as each follower's window takes. */
  private flushAppends (): void {
    if (this.appendDue.size === 0) return
    if (this.role === 'leader') {
      for (const [to, evenIfEmpty] of this.appendDue) {
        if (to === this.id) continue
        if (this.maybeSendAppend(to, evenIfEmpty)) {
          while (this.maybeSendAppend(to, false)) { /* fill the window */ }
        }
      }
    }
    this.appendDue.clear()
  }

  /** Sends the entries `to` needs next (or a snapshot); false if nothing was sent. */
  private maybeSendAppend (to: NodeId, sendIfEmpty: boolean): boolean {
    const pr = this.tracker.progress.get(to)
    if (pr === undefined || pr.isPaused()) return false
    const prevIndex = pr.next - 1
    const prevTerm = this.log.term(prevIndex)
    const entries = prevTerm === undefined ? undefined : this.log.entriesFrom(pr.next, this.opts.maxEntriesPerMessage)
    if (prevTerm === undefined || entries === undefined) return this.sendSnapshot(to, pr)
    if (entries.length === 0 && !sendIfEmpty) return false
    this.send({
      type: 'append',
      from: this.id,
      to,
      term: this.term,
      prevIndex,
      prevTerm,
      entries,
      commit: this.log.committed,
      ...this.certificateFor(pr)
    })
    pr.sentEntries(entries.length, prevIndex + entries.length)
    return true
  }

  /** The entries `to` needs were compacted: send the snapshot that replaced them. */
  private sendSnapshot (to: NodeId, pr: Progress): boolean {
    // a snapshot is big; only send it to a follower we know is there to receive it
    if (!pr.recentActive) return false
    const snapshot = this.log.snapshot()
    pr.becomeSnapshot(snapshot.metadata.index)
    this.send({ type: 'snapshot', from: this.id, to, term: this.term, snapshot, ...this.certificateFor(pr) })
    return true
  }

  private sendTimeoutNow (to: NodeId): void {
    const lastLogIndex = this.log.lastIndex()
    const lastLogTerm = this.log.lastTerm()
    const transferProof: TransferProof = {
      term: this.term,
      lastLogIndex,
      lastLogTerm,
      signature: this.sign('transfer', this.term, to, lastLogIndex, lastLogTerm)
    }
    this.send({ type: 'timeoutNow', from: this.id, to, term: this.term, transferProof })
  }

  /**
   * Does the vote request carry a hand-over signed by the leader we verified for the term
   * before its own? The proof names the candidate and that term, so it cannot be used by
   * another node, nor again once a later term began; and the candidate's log must be at
   * least where the leader's was when it handed over.
   */
  private transferProven (m: VoteRequest): boolean {
    const proof = m.transferProof
    if (proof === undefined || proof.term + 1 !== m.term) return false
    const leader = this.verifiedLeaders.get(proof.term)
    if (leader === undefined || leader === m.from) return false
    if (m.lastLogTerm < proof.lastLogTerm || (m.lastLogTerm === proof.lastLogTerm && m.lastLogIndex < proof.lastLogIndex)) return false
    return this.verifySigned('transfer', proof.term, m.from, proof.lastLogIndex, proof.lastLogTerm, leader, proof.signature)
  }

  private abortLeaderTransfer (): void {
    this.leadTransferee = null
  }

  /** A leader that removed itself leads until the removal commits, then leaves (§4.2.2). */
  private removedAndCommitted (): boolean {
    const latest = this.confHistory[this.confHistory.length - 1]
    return !this.tracker.isVoter(this.id) && latest !== undefined && this.log.committed >= latest.index
  }

  private stepDownAfterRemoval (): void {
    // hand over to the most caught-up voter rather than wait for an election timeout
    let best: NodeId | null = null
    let bestMatch = -1
    for (const id of this.tracker.conf.voters) {
      const match = this.tracker.progress.get(id)?.match ?? 0
      if (match > bestMatch) {
        best = id
        bestMatch = match
      }
    }
    if (best !== null && bestMatch === this.log.lastIndex()) this.sendTimeoutNow(best)
    this.becomeFollower(this.term, null)
  }

  // ---------------------------------------------------------------- configuration

  private applyConfEntry (e: Entry): void {
    const cc = decodeConfChange(e.data)
    if (cc === undefined) return
    const check = applyConfChange(this.tracker.conf, cc)
    // a refused change is a no-op on every node alike (see applyConfChange)
    if (!check.ok) return
    this.confHistory.push({ index: e.index, conf: check.next, ...(e.link === undefined ? {} : { link: e.link }) })
    this.setConf(check.next)
  }

  private rollbackConf (fromIndex: number): void {
    let changed = false
    while (this.confHistory.length > 1 && (this.confHistory[this.confHistory.length - 1]?.index ?? 0) >= fromIndex) {
      this.confHistory.pop()
      changed = true
    }
    const latest = this.confHistory[this.confHistory.length - 1]
    if (changed && latest !== undefined) this.setConf(latest.conf)
  }

  private setConf (conf: ConfState): void {
    this.tracker.setConf(conf, this.log.lastIndex())
    if (this.role !== 'leader') return
    if (this.leadTransferee !== null && !this.tracker.isVoter(this.leadTransferee)) this.abortLeaderTransfer()
    if (this.ackRound === null ? !this.certificateCoversVoters() : !sameVoters(this.ackRound.voters, conf.voters)) {
      this.startAckRound()
    }
    // fewer voters may mean a smaller majority already holds more entries
    this.maybeCommit()
  }

  /** The configuration in force at `index` (which must not be below the oldest history entry). */
  private confAt (index: number): ConfState {
    let conf: ConfState = this.confHistory[0]?.conf ?? this.tracker.conf
    for (const h of this.confHistory) {
      if (h.index <= index) conf = h.conf
    }
    return conf
  }

  // ---------------------------------------------------------------- plumbing

  private send (m: Message): void {
    this.msgs.push(m)
  }

  private hardState (): HardState {
    return { term: this.term, vote: this.vote, commit: this.log.committed }
  }

  private softState (): SoftState {
    return { role: this.role, leader: this.lead, term: this.term }
  }
}

function sameHardState (a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit
}

function sameSoftState (a: SoftState, b: SoftState): boolean {
  return a.role === b.role && a.leader === b.leader && a.term === b.term
}
