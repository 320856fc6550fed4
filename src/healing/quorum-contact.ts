// Quorum contact: whether this node can still reach a majority of the mesh, the input of
// partition fencing (DESIGN.md "Healing": a node without quorum contact finishes what it
// holds but does not steal across the cut, reassign, or accept jobs it cannot register).
// Sans-I/O: the consensus shell feeds it the Raft core's verdict on every tick, with the
// clock.
//
// The Raft core's verdict (RaftCore.hasQuorumContact) is exact but drops for the length of
// every ordinary election: a follower whose leader crashed has none until the next leader's
// first heartbeat, a few hundred milliseconds later. Fencing on that would refuse submits a
// moment before they could have been registered, so contact is LOST only after the core has
// had none for `lostAfterMs` (longer than an election that goes well, far shorter than the
// 5 s a submit used to wait before failing), and regained at the core's first contact. A
// node that has not had contact since it started is given `startGraceMs` to find its
// leader (the time a registration waits for one, src/node/services/registrar.ts), so a
// submit right after a restart waits for the cluster as before instead of being refused.

export interface QuorumContactOptions {
  /** No contact for this long (ms) means lost. */
  lostAfterMs: number
  /** From start until first contact, lost only after this long (ms). */
  startGraceMs: number
}

export const defaultQuorumContactOptions: QuorumContactOptions = {
  // Elections here take 300–600 ms of timeout plus a round trip (src/consensus/options.ts);
  // a failure detector that sees the leader die starts one sooner still.
  lostAfterMs: 1_000,
  startGraceMs: 5_000
}

/** What `status` shows and the work layer is told. */
export interface QuorumContactView {
  contact: boolean
  /** ms since the core last had contact; 0 while it has it, null if never since start. */
  lastContactMs: number | null
}

export class QuorumContact {
  private readonly opts: QuorumContactOptions
  private lastContactAt: number | null = null
  /** Past this time without new contact, contact is lost. */
  private lostAt: number
  private current = true

  constructor (startedAt: number, opts: Partial<QuorumContactOptions> = {}) {
    this.opts = { ...defaultQuorumContactOptions, ...opts }
    this.lostAt = startedAt + this.opts.startGraceMs
  }

  /** Whether the node counts as in contact (as of the last observe). */
  get contact (): boolean {
    return this.current
  }

  /**
   * The core's verdict at `now` (false while the node belongs to no cluster). Returns true
   * when the node's contact changed: tell the work layer.
   */
  observe (coreHasContact: boolean, now: number): boolean {
    if (coreHasContact) {
      this.lastContactAt = now
      this.lostAt = now + this.opts.lostAfterMs
    }
    const next = now < this.lostAt
    if (next === this.current) return false
    this.current = next
    return true
  }

  view (now: number): QuorumContactView {
    const at = this.lastContactAt
    return { contact: this.current, lastContactMs: at == null ? null : Math.max(0, Math.round(now - at)) }
  }
}
