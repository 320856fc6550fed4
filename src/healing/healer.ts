// The healer: the policy that turns what the failure detector and Raft report into healing
// decisions. Sans-I/O and stateless: the shell (src/node/services/consensus.ts) gathers the inputs —
// detector transitions, the Raft status, the membership view, the committed dead set and
// `now` on the detector's clock — and carries the decisions out. Keeping the rules here lets
// unit tests drive them on a fake clock. Quorum-confirmed `node.dead` / `node.alive` live
// beside it in death-quorum.ts (a stateful tally of voters' opinions, which this stateless
// policy cannot hold); the shell runs both on the leader.
//
// Rules today:
//  - a follower whose leader the detector declares dead drops it at once (`leaderLost`),
//    which is far faster than an election timeout;
//  - the leader, every `reviewEveryTicks` ticks and not while transferring leadership,
//    reviews the membership: remove a voter dead or left for over `removeDeadVoterAfterMs`,
//    add alive peers that advertise no cluster as learners — and, the same way, nodes a
//    committed change removed from this cluster (a drain, remove-peer, a long-dead voter)
//    once they come back in a life not declared dead and not draining — and promote the most
//    caught-up alive learner while voters are below `voterCap`.
import type { ConfChange, NodeId, Role } from '../consensus/types.js'
import type { MemberState, Transition } from './failure-detector.js'

export interface HealerOptions {
  /** Voters beyond this stay learners: more voters make every commit wait on more acks. */
  voterCap: number
  /** A voter dead or left this long is replaced by a learner; shorter would churn on restarts. */
  removeDeadVoterAfterMs: number
  /** Ticks between membership reviews: one change needs a few ticks to commit anyway. */
  reviewEveryTicks: number
}

export const defaultHealerOptions: HealerOptions = {
  voterCap: 5,
  removeDeadVoterAfterMs: 60_000,
  reviewEveryTicks: 10
}

/** What the healer reads of the Raft core's status (a subset of RaftStatus). */
export interface RaftView {
  readonly role: Role
  readonly leader: NodeId | null
  readonly commit: number
  readonly conf: { readonly voters: readonly NodeId[], readonly learners: readonly NodeId[] }
  readonly leadTransferee: NodeId | null
  /** Leader only: how far each member's log matches the leader's. */
  readonly progress?: ReadonlyMap<NodeId, { readonly match: number }>
}

/** One peer as the membership table sees it. */
export interface PeerInput {
  readonly peerId: NodeId
  readonly state: MemberState
  /** Last sign of life, on the same clock as `ReviewInput.now`. */
  readonly lastHeardAt: number
  /** Whether its last heartbeat advertised a cluster (term > 0); undefined before any heartbeat. */
  readonly advertisesCluster?: boolean
  /** The life its heartbeats announce (0 or absent: unknown). */
  readonly incarnation?: number
  /** Its heartbeats say it is draining: leaving for good, never to be added again. */
  readonly draining?: boolean
}

export interface ReviewInput {
  /** The detector's clock (ms). */
  readonly now: number
  readonly raft: RaftView
  readonly peers: readonly PeerInput[]
  /** Deaths committed through the log (ControlState.dead); the node.dead rules are in death-quorum.ts. */
  readonly dead: ReadonlyMap<NodeId, { readonly incarnation: number }>
  /** Nodes a committed membership change removed from this cluster (ControlState.removed). */
  readonly removed?: ReadonlyMap<NodeId, number>
}

/** Drop the current leader and campaign soon: the detector saw it die. */
export interface LeaderLost {
  readonly type: 'leaderLost'
  readonly leader: NodeId
}

/**
 * A membership change with the reason to log. The changes of one review are alternatives,
 * best first: Raft takes one change at a time, so the shell proposes them in order and stops
 * at the first the core accepts (it refuses while a change is pending or voters lag).
 */
export interface ConfChangeDecision {
  readonly type: 'confChange'
  readonly change: ConfChange
  readonly reason: string
}

// Quorum-confirmed deaths are DeathTally's decisions (death-quorum.ts), not the healer's.
export type HealingDecision = LeaderLost | ConfChangeDecision

export class Healer {
  readonly opts: HealerOptions

  constructor (readonly self: NodeId, opts: Partial<HealerOptions> = {}) {
    this.opts = { ...defaultHealerOptions, ...opts }
  }

  /** A detector transition; `raft` is null while this node belongs to no cluster. */
  transition (t: Transition, raft: RaftView | null): HealingDecision[] {
    if (raft == null || t.to !== 'dead') return []
    // A leader never drops itself; a graceful leaver ('left') hands leadership over first.
    if (raft.leader === t.peerId && raft.role !== 'leader') return [{ type: 'leaderLost', leader: t.peerId }]
    return []
  }

  /** Whether the periodic review runs at this tick. */
  reviewDue (tick: number): boolean {
    return tick % this.opts.reviewEveryTicks === 0
  }

  /** The periodic review. Leader only, and not while leadership is being handed over. */
  review (input: ReviewInput): HealingDecision[] {
    const { raft } = input
    if (raft.role !== 'leader' || raft.leadTransferee != null) return []
    return [
      ...this.removeLongDeadVoters(input),
      ...this.addJoiners(input),
      ...this.promoteLearner(input)
    ]
  }

  /** 1. A voter dead or left for long is removed; its slot goes to a learner. */
  private removeLongDeadVoters ({ raft, peers, now }: ReviewInput): ConfChangeDecision[] {
    const out: ConfChangeDecision[] = []
    for (const id of raft.conf.voters) {
      if (id === this.self) continue
      const p = peers.find(v => v.peerId === id)
      if (p == null || (p.state !== 'dead' && p.state !== 'left')) continue
      const silentMs = silenceMs(p, now)
      if (silentMs > this.opts.removeDeadVoterAfterMs) {
        out.push({ type: 'confChange', change: { type: 'remove', nodeId: id }, reason: `${p.state} for ${silentMs} ms` })
      }
    }
    return out
  }

  /**
   * 2. Alive peers that advertise no cluster join as learners; so do former members (removed
   * by a committed change) that come back, unless draining or declared dead in this life. A
   * peer of another cluster is left alone: it advertises a cluster and was never removed here.
   */
  private addJoiners ({ raft, peers, dead, removed }: ReviewInput): ConfChangeDecision[] {
    const members = new Set([...raft.conf.voters, ...raft.conf.learners])
    const out: ConfChangeDecision[] = []
    for (const p of peers) {
      if (p.state !== 'alive' || members.has(p.peerId) || p.draining === true) continue
      if (p.advertisesCluster === false) {
        out.push({ type: 'confChange', change: { type: 'addLearner', nodeId: p.peerId }, reason: 'new node' })
        continue
      }
      if (p.advertisesCluster !== true || removed?.has(p.peerId) !== true) continue
      const rec = dead.get(p.peerId)
      if (rec != null && (p.incarnation ?? 0) <= rec.incarnation) continue
      out.push({ type: 'confChange', change: { type: 'addLearner', nodeId: p.peerId }, reason: 'removed earlier; back' })
    }
    return out
  }

  /** 3. The most caught-up alive learner is promoted while voters are below the cap. */
  private promoteLearner ({ raft, peers }: ReviewInput): ConfChangeDecision[] {
    if (raft.conf.voters.length >= this.opts.voterCap) return []
    const alive = new Set(peers.filter(p => p.state === 'alive').map(p => p.peerId))
    const best = raft.conf.learners
      .filter(id => alive.has(id))
      .map(id => ({ id, match: raft.progress?.get(id)?.match ?? 0 }))
      .filter(l => l.match >= raft.commit)
      .sort((a, b) => b.match - a.match)[0]
    if (best == null) return []
    return [{ type: 'confChange', change: { type: 'promote', nodeId: best.id }, reason: 'caught up; voters below the cap' }]
  }
}

/**
 * Carries out the one-change-at-a-time rule: proposes the review's membership changes in
 * order and returns the first that `propose` accepted (undefined if none was).
 */
export function proposeFirst (decisions: readonly HealingDecision[], propose: (d: ConfChangeDecision) => boolean): ConfChangeDecision | undefined {
  for (const d of decisions) {
    if (d.type === 'confChange' && propose(d)) return d
  }
  return undefined
}

/** Milliseconds since the peer's last sign of life, as the membership view reports it. */
function silenceMs (p: PeerInput, now: number): number {
  return Math.max(0, Math.round(now - p.lastHeardAt))
}
