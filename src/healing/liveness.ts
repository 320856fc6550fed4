// Frames as liveness: which peers a quiet heartbeat may leave out (pure).
//
// Every node hears every peer's heartbeat (every 2 s while quiet, src/node/services/
// membership.ts), and a settled Raft leader also exchanges a frame with each follower every
// 600 ms (its quiet heartbeat and the follower's answer). Between a leader and its followers
// the gossip heartbeat therefore says nothing the Raft frames do not: a frame that arrived on
// a Noise-authenticated connection from a member is as much a sign of life as its signed
// heartbeat. A receiver that counts such frames (it says so: heartbeat field `frames_alive`)
// needs no quiet heartbeat from a peer that sends it frames anyway, and the leader — which
// heard 2 × (N − 1) more frames a second than any follower — sends and hears N − 1 fewer.
//
// Between two followers no Raft frame flows. There a quiet heartbeat is replaced by a *pulse*:
// a bare frame (from, to) on the long-lived Raft stream between the two members, which the
// receiver's transport checks like any Raft frame (sent by the connection's authenticated peer,
// addressed to it, a member) and hands to the failure detector, never to the Raft core. A gossip
// heartbeat costs its sender a signature, an RPC per peer and gossipsub's bookkeeping, and each
// receiver a decode, a validation (the sender's PeerId rebuilt, the bytes-to-sign encoded),
// gossipsub's seen-cache, scoring and events, the heartbeat's own decode and the relay decision;
// a pulse is one small protobuf frame each way.
//
// What must still hold: the receiver holds the sender's current content (every heartbeat
// whose content changed goes to every peer, and a peer is left out only if it was among the
// recipients of the last heartbeat that went to every peer), and it judges the sender's
// silence as before — a pulse goes out when the heartbeat would have, Raft frames more often,
// and once those stop the next periodic heartbeat (≤ one quiet interval later) carries a pulse
// or the heartbeat again, so its margin before a probe is what a quiet heartbeat gives
// (probe-after + quiet_ms). A silent host (SIGSTOP, a cut link) sends neither, a crashed one's
// connection closes: both are found as before.

/** A peer as the rule reads it. */
export interface FrameLivenessPeer {
  peerId: string
  /** It counts authenticated frames as signs of life (its last heartbeat said `frames_alive`). */
  framesAlive: boolean
  /** When this node last sent it an authenticated frame (e.g. a Raft message), or undefined. */
  lastFrameSentAt: number | undefined
  /** A pulse can reach it (both are members of the cluster: its transport admits members only). */
  pulsable: boolean
}

/** What a periodic heartbeat whose content is unchanged does per peer. */
export interface QuietPlan {
  /** Peers the gossip heartbeat leaves out. */
  leaveOut: Set<string>
  /** Of those, the ones to send a pulse instead (no other frame went to them lately). */
  pulse: Set<string>
}

/**
 * The peers a periodic heartbeat whose content is unchanged may leave out: each counts frames
 * as liveness, and was a recipient of the last heartbeat that went to every peer
 * (`fullRecipients`). One this node sent a frame within `withinMs` before `now` needs nothing
 * more; the others get a pulse instead (a bare frame on a direct stream, far cheaper to send
 * and to receive than a signed gossip message) if it is `pulsable`, and the gossip heartbeat
 * otherwise. Nothing is left out while `settled` is false (a relay may be needed: something
 * changed, a member is suspect or not fully connected), so every heartbeat reaches every peer
 * then, directly or relayed.
 */
export function quietPlan (peers: Iterable<FrameLivenessPeer>, fullRecipients: ReadonlySet<string>, now: number, withinMs: number, settled: boolean): QuietPlan {
  const plan: QuietPlan = { leaveOut: new Set(), pulse: new Set() }
  if (!settled) return plan
  for (const p of peers) {
    if (!p.framesAlive || !fullRecipients.has(p.peerId)) continue
    if (p.lastFrameSentAt !== undefined && now - p.lastFrameSentAt <= withinMs) {
      plan.leaveOut.add(p.peerId)
    } else if (p.pulsable) {
      plan.leaveOut.add(p.peerId)
      plan.pulse.add(p.peerId)
    }
  }
  return plan
}
