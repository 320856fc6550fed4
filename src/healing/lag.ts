// Back-pressure from this node's own lag (pure): a node whose event loop runs late stretches
// its own failure-detector thresholds instead of suspecting its peers.
//
// Why: every silence the failure detector judges is measured on this node's event loop. When
// the loop runs late — its own work, or the CPU taken by other processes (50 node processes on
// two cores) — a peer's heartbeat may sit unread in a socket while a deadline timer fires late
// and counts the wait as the peer's silence, and a probe's answer may sit there while its
// timeout fires. At 50 processes on two cores the nodes' event loops ran 0.6 s late on average
// and up to 3.5 s (eventloop_lag_seconds, BENCHMARKS.md, issue 14, stop 33): thousands of probes
// timed out against live peers, each suspicion turned gossip relays on everywhere and sent
// every heartbeat to every peer again (src/healing/relay.ts, liveness.ts), which added load —
// a loop that kept the mesh from settling.
//
// The rule: the shell reports how late each of its timers fired (observe); the allowance is
// LAG_FACTOR × the largest lateness seen within the last LAG_WINDOW_MS (two half windows), 0
// while that stays under LAG_FLOOR_MS (a node at rest sees a few milliseconds: its timings stay
// exactly as configured), and never more than `capMs`. The detector adds it to the silence
// before a probe and to a suspect's time before it is dead, and the shell to a probe's timeout.
// LAG_FACTOR 2: this node's lateness delays both when it reads a peer's frames and — on a shared
// machine — the peer's answer.
//
// Raft waits too (raftStretchTicks): a follower's election timeout and lease — the lease also
// decides whether it grants a pre-vote — grow by the larger of this node's allowance and its
// leader's announced lag (the leader's heartbeat's lag_ms, as the failure detector honours it:
// at most probeAfterMs). A leader whose loop runs late sends its Raft heartbeats late: at 50
// processes on two cores the first leader's loop ran up to 2.7 s late in its first 70 s while
// it advertised 3 s, and voters whose own loops ran nearly on time (allowances 0.3 and 1.1 s)
// timed it out after 0.6–1.7 s, pre-voted each other and elected a second leader
// (BENCHMARKS.md, issue 14, stops 50 and 51). A leader stretches its check-quorum period by its
// own allowance alone.
//
// What still holds: a crashed peer is found by its closed connection and two refused probes,
// which no allowance delays (a crashed leader is dropped at once: RaftCore.leaderLost); a
// silent host (SIGSTOP, a cut link) is still probed, suspected and declared dead, at most
// 2 × capMs later than on an idle node (the allowance only ever delays a probe or a death by at
// most capMs each), and a silent leader is replaced at most capMs later; quorum-confirmed death
// is untouched. A peer's lag only ever delays, never speeds, a probe, a death or an election,
// and a node at rest advertises none (below LAG_FLOOR_MS): its peers' timings stay as
// configured.

/** How long a lateness sample counts (two halves: the allowance falls back within this after the lag ends). */
export const LAG_WINDOW_MS = 30_000
/** Lateness below this is no lag: the thresholds stay as configured. */
export const LAG_FLOOR_MS = 100
/** How many times the observed lateness the thresholds are stretched by. */
export const LAG_FACTOR = 2

export class LagAllowance {
  /** The largest lateness in the current half window, and in the one before it. */
  private current = 0
  private previous = 0
  private halfStart = -Infinity

  constructor (private readonly capMs: number) {}

  /** A timer that was due at `now - lateMs` fired at `now`. */
  observe (lateMs: number, now: number): void {
    this.rotate(now)
    if (lateMs > this.current) this.current = lateMs
  }

  /** How much longer than configured a silence must last before it counts, now. */
  allowance (now: number): number {
    this.rotate(now)
    const peak = Math.max(this.current, this.previous)
    if (peak < LAG_FLOOR_MS) return 0
    return Math.min(this.capMs, Math.round(LAG_FACTOR * peak))
  }

  private rotate (now: number): void {
    const half = LAG_WINDOW_MS / 2
    if (now - this.halfStart < half) return
    // A whole window with no sample forgets both halves.
    this.previous = now - this.halfStart < 2 * half ? this.current : 0
    this.current = 0
    this.halfStart = this.halfStart === -Infinity ? now : this.halfStart + half * Math.floor((now - this.halfStart) / half)
  }
}

/** What a node's failure detector knows of lag: its own allowance, and each peer's announced lag as it honours it. */
export interface LagView {
  readonly allowance: number
  lagOf: (peerId: string) => number
}

/**
 * How many ticks longer than configured a node's Raft election timeout and lease last (what the
 * consensus shell passes RaftCore.stretchElection before every tick): this node's own allowance
 * or its leader's announced lag (as its failure detector honours it, already at most
 * probeAfterMs), the larger — not their sum: a silent leader is replaced at most capMs later than
 * on an idle mesh. A leader (`leader` is `self`) and a node that knows no leader use their own
 * allowance alone; 0 for both at rest.
 */
export function raftStretchTicks (view: LagView, self: string, leader: string | null, tickMs: number): number {
  const leaderLag = leader === null || leader === self ? 0 : view.lagOf(leader)
  return Math.ceil(Math.max(0, view.allowance, leaderLag) / tickMs)
}
