// Death by quorum: the policy that turns failure-detector opinions into `node.dead` and
// `node.alive` proposals. Sans-I/O: the shell (src/node/services/consensus.ts) feeds opinions
// and the clock in, sends what `OpinionOutbox` says to the leader, and proposes what
// `DeathTally` decides.
//
// Why a quorum: one node's detector only says what *its* links see. A node with a bad link
// would, alone, get a healthy peer declared dead and its work re-run. So every node reports
// which members its own detector holds dead (an "opinion" about one incarnation of a peer);
// the leader tallies the opinions of voters (its own detector counts as one) and proposes
// `node.dead(peer, incarnation)` once a majority of the current voter set agrees. Nodes act on
// the committed record only.
//
// Opinions are state, not events: a voter always sends its whole current set, which replaces
// the set the leader held for it, so a peer the voter sees alive again is withdrawn by the next
// send. A voter resends while its set is not empty, so a set the leader holds expires after
// `opinionTtlMs` unless refreshed (a voter that went quiet stops counting), and a new leader
// (which starts with an empty tally) hears everyone again within one resend, or at once: a
// voter sends as soon as it sees the leader change.
//
// Opinions are "dead", not "suspect": the detector's dead already takes two refused probes (a
// crash: the closed connection plus a refused probe ~100 ms later, ~130 ms on loopback), so it
// costs little against the 1 s target, and a suspect (one lost probe) is too weak a signal to
// put a node's work up for re-running even with a majority.
import type { NodeId } from '../consensus/types.js'

/** One voter's claim that one incarnation of a peer is unreachable. */
export interface Opinion {
  readonly peerId: NodeId
  readonly incarnation: number
  readonly reason: string
}

export interface DeathQuorumOptions {
  /** A voter's opinions count this long after they were last sent; 3 resends' worth. */
  opinionTtlMs: number
  /** How often a voter repeats a non-empty opinion set: keeps it fresh at the leader. */
  resendMs: number
  /** A proposed death or return not committed after this long is proposed again (the entry may have been lost with a leader). */
  reproposeMs: number
}

export const defaultDeathQuorumOptions: DeathQuorumOptions = {
  opinionTtlMs: 3_000,
  resendMs: 1_000,
  reproposeMs: 2_000
}

/** What a member sends the leader: its opinions, and its own incarnation while it needs node.alive (else 0). */
export interface OpinionSet {
  readonly opinions: readonly Opinion[]
  readonly aliveIncarnation: number
}

/** What the tally proposes. */
export interface DeathProposal {
  readonly op: 'node.dead'
  readonly peerId: NodeId
  readonly incarnation: number
  readonly reason: string
}

export interface AliveProposal {
  readonly op: 'node.alive'
  readonly peerId: NodeId
  readonly incarnation: number
}

/** The leader's view that the tally reads. */
export interface TallyInput {
  readonly now: number
  readonly self: NodeId
  readonly voters: readonly NodeId[]
  readonly learners: readonly NodeId[]
  /** The committed dead set (ControlState.dead). */
  readonly dead: ReadonlyMap<NodeId, { readonly incarnation: number }>
  /**
   * The newest incarnation the leader knows of each peer (its detector): an opinion about an
   * older one is stale (the peer restarted since), and a peer alive at an incarnation newer
   * than its dead record is proposed alive.
   */
  readonly known: ReadonlyMap<NodeId, { readonly incarnation: number, readonly alive: boolean }>
}

/** The majority of a voter set: what Raft needs to commit, and what a death needs here. */
export function majority (voters: number): number {
  return Math.floor(voters / 2) + 1
}

/**
 * The leader's tally of opinions, per voter. Built from scratch by each leader (a node that
 * stops leading calls `reset`): opinions are re-sent to whoever leads, so nothing of it needs
 * to survive a leadership change.
 */
export class DeathTally {
  readonly opts: DeathQuorumOptions
  private readonly byVoter = new Map<NodeId, { opinions: readonly Opinion[], at: number }>()
  /** (peer, incarnation) → when its node.dead was proposed; likewise node.alive. */
  private readonly proposedDead = new Map<string, number>()
  private readonly proposedAlive = new Map<string, number>()
  /** Members' own claims to live at a newer incarnation (authenticated: a node speaks for itself). */
  private readonly aliveClaims = new Map<NodeId, { incarnation: number, at: number }>()
  readonly counters = { opinionsReceived: 0, deathsProposed: 0, alivesProposed: 0 }

  constructor (opts: Partial<DeathQuorumOptions> = {}) {
    this.opts = { ...defaultDeathQuorumOptions, ...opts }
  }

  /** `from`'s whole current opinion set (it replaces the previous one; empty withdraws all). */
  report (from: NodeId, opinions: readonly Opinion[], now: number): void {
    this.counters.opinionsReceived++
    if (opinions.length === 0) this.byVoter.delete(from)
    else this.byVoter.set(from, { opinions: [...opinions], at: now })
  }

  /**
   * `from` says it lives at `incarnation` (it restarted, or renewed its incarnation after
   * learning it was declared dead). Counts like a heartbeat at that incarnation for the
   * node.alive rule, so a record clears even when gossip lags.
   */
  claimAlive (from: NodeId, incarnation: number, now: number): void {
    const cur = this.aliveClaims.get(from)
    if (cur == null || incarnation >= cur.incarnation) this.aliveClaims.set(from, { incarnation, at: now })
  }

  /** Forget everything: this node stopped leading. */
  reset (): void {
    this.aliveClaims.clear()
    this.byVoter.clear()
    this.proposedDead.clear()
    this.proposedAlive.clear()
  }

  /** How many voters currently hold `peerId`@`incarnation` dead (for status and tests). */
  agreeing (peerId: NodeId, incarnation: number, input: Pick<TallyInput, 'now' | 'voters'>): NodeId[] {
    return input.voters.filter(v => this.fresh(v, input.now)?.some(o => o.peerId === peerId && o.incarnation === incarnation) === true)
  }

  /**
   * What to propose now: `node.dead` for each (member, incarnation) a majority of voters holds
   * dead, and `node.alive` for each dead-recorded peer the leader sees alive at a newer
   * incarnation. Each is proposed once, and again only after `reproposeMs` if still not committed.
   */
  decide (input: TallyInput): Array<DeathProposal | AliveProposal> {
    const { now, voters, learners, dead, known } = input
    const out: Array<DeathProposal | AliveProposal> = []
    const members = new Set([...voters, ...learners])
    // Candidates: every (peer, incarnation) some fresh voter opinion names.
    const candidates = new Map<string, Opinion>()
    for (const v of voters) {
      for (const o of this.fresh(v, now) ?? []) {
        const key = `${o.peerId}@${o.incarnation}`
        if (!candidates.has(key)) candidates.set(key, o)
      }
    }
    for (const [key, o] of candidates) {
      if (o.peerId === input.self || !members.has(o.peerId)) continue
      const rec = dead.get(o.peerId)
      if (rec != null && rec.incarnation >= o.incarnation) continue // already declared
      const k = known.get(o.peerId)
      if (k != null && k.incarnation > o.incarnation) continue // stale: it restarted since
      const agree = this.agreeing(o.peerId, o.incarnation, input)
      if (agree.length < majority(voters.length)) continue
      if (!this.due(this.proposedDead, key, now)) continue
      this.proposedDead.set(key, now)
      this.counters.deathsProposed++
      out.push({ op: 'node.dead', peerId: o.peerId, incarnation: o.incarnation, reason: `${agree.length} of ${voters.length} voters hold it dead (${o.reason})` })
    }
    for (const [peerId, rec] of [...dead.entries()].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)) {
      const k = known.get(peerId)
      const claim = this.aliveClaims.get(peerId)
      const fresh = claim != null && now - claim.at <= this.opts.opinionTtlMs ? claim.incarnation : 0
      const incarnation = Math.max(k?.alive === true ? k.incarnation : 0, fresh)
      if (incarnation <= rec.incarnation) continue
      const key = `${peerId}@${incarnation}`
      if (!this.due(this.proposedAlive, key, now)) continue
      this.proposedAlive.set(key, now)
      this.counters.alivesProposed++
      out.push({ op: 'node.alive', peerId, incarnation })
    }
    this.prune(now)
    return out
  }

  private fresh (voter: NodeId, now: number): readonly Opinion[] | undefined {
    const e = this.byVoter.get(voter)
    if (e == null) return undefined
    if (now - e.at > this.opts.opinionTtlMs) {
      this.byVoter.delete(voter)
      return undefined
    }
    return e.opinions
  }

  private due (proposed: Map<string, number>, key: string, now: number): boolean {
    const at = proposed.get(key)
    return at == null || now - at >= this.opts.reproposeMs
  }

  private prune (now: number): void {
    for (const m of [this.proposedDead, this.proposedAlive]) {
      for (const [k, at] of m) if (now - at > 10 * this.opts.reproposeMs) m.delete(k)
    }
    for (const [k, c] of this.aliveClaims) if (now - c.at > this.opts.opinionTtlMs) this.aliveClaims.delete(k)
  }
}

/**
 * A member's side: what to send the leader and when. `update` takes the detector's current
 * dead set and, while a committed death names an older life of this node, its current
 * incarnation (the claim that clears the record); `due` says whether to send now: the set
 * changed, the leader changed, or a non-empty set is due for its refresh.
 */
export class OpinionOutbox {
  readonly opts: DeathQuorumOptions
  private current: OpinionSet = { opinions: [], aliveIncarnation: 0 }
  private sentKey: string | null = null
  private sentTo: NodeId | null = null
  private sentAt = -Infinity

  constructor (opts: Partial<DeathQuorumOptions> = {}) {
    this.opts = { ...defaultDeathQuorumOptions, ...opts }
  }

  /** The peers this node's detector holds dead now (members only; never itself). */
  update (opinions: readonly Opinion[], aliveIncarnation = 0): void {
    const sorted = [...opinions].sort((a, b) => a.peerId < b.peerId ? -1 : a.peerId > b.peerId ? 1 : a.incarnation - b.incarnation)
    this.current = { opinions: sorted, aliveIncarnation }
  }

  get opinions (): readonly Opinion[] {
    return this.current.opinions
  }

  /** What to send to `leader` now, or null if nothing is due. Call `sent` once it went out. */
  due (leader: NodeId | null, now: number): OpinionSet | null {
    if (leader == null) return null
    const worth = this.current.opinions.length > 0 || this.current.aliveIncarnation > 0
    // A new leader starts with an empty tally: an empty set tells it nothing.
    if (leader !== this.sentTo) return worth ? this.current : null
    if (keyOf(this.current) !== this.sentKey) return this.current
    if (worth && now - this.sentAt >= this.opts.resendMs) return this.current
    return null
  }

  /** `set` reached (or was handed to the transport for) `leader` at `now`. */
  sent (leader: NodeId, set: OpinionSet, now: number): void {
    this.sentTo = leader
    this.sentKey = keyOf(set)
    this.sentAt = now
  }

  /** The send failed: try again at the next `due`. */
  failed (): void {
    this.sentKey = null
    this.sentTo = null
  }
}

function keyOf (set: OpinionSet): string {
  return `${set.opinions.map(o => `${o.peerId}@${o.incarnation}`).join(',')}|${set.aliveIncarnation}`
}

/**
 * Whether a committed dead record names this node in its current life: the record's
 * incarnation is this node's own or later. A restarted node has a newer incarnation than the
 * record of its previous life, and is not dead.
 */
export function declaredDead (self: NodeId, incarnation: number, dead: ReadonlyMap<NodeId, { readonly incarnation: number }>): boolean {
  const rec = dead.get(self)
  return rec != null && rec.incarnation >= incarnation
}

/** Whether this node still carries a dead record of an earlier life that a `node.alive` must clear. */
export function needsAlive (self: NodeId, incarnation: number, dead: ReadonlyMap<NodeId, { readonly incarnation: number }>): boolean {
  const rec = dead.get(self)
  return rec != null && rec.incarnation < incarnation
}
