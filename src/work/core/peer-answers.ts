// Whether peers answer this node's work requests (batch re-sends, results, signals, steals):
// for each peer that stopped answering, since when. A peer whose heartbeats arrive but whose
// streams do not (a paused process keeps its TCP connections; a one-way cut) shows up here
// before membership suspects it; the stuck-job diagnosis reads it (src/healing/stuck.ts). Pure.

export class PeerAnswers {
  /** Peer → when its first unanswered request since its last answer failed. */
  private readonly failing = new Map<string, number>()

  answered (peer: string): void {
    if (this.failing.size > 0) this.failing.delete(peer)
  }

  unanswered (peer: string, now: number): void {
    if (!this.failing.has(peer)) this.failing.set(peer, now)
  }

  /** When requests to `peer` started failing (undefined: it answers, or was never asked). */
  since (peer: string): number | undefined {
    return this.failing.get(peer)
  }

  forget (peer: string): void {
    this.failing.delete(peer)
  }
}
