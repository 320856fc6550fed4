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
// What must still hold: the receiver holds the sender's current content (every heartbeat
// whose content changed goes to every peer, and a peer is left out only if it was among the
// recipients of the last heartbeat that went to every peer), and it judges the sender's
// silence as before — the frames are more frequent than the heartbeats they replace, and once
// they stop, the next periodic heartbeat (≤ one quiet interval later) goes to it again, so
// its margin before a probe is what a quiet heartbeat gives (probe-after + quiet_ms).

/** A peer as the rule reads it. */
export interface FrameLivenessPeer {
  peerId: string
  /** It counts authenticated frames as signs of life (its last heartbeat said `frames_alive`). */
  framesAlive: boolean
  /** When this node last sent it an authenticated frame (e.g. a Raft message), or undefined. */
  lastFrameSentAt: number | undefined
}

/**
 * The peers a periodic heartbeat whose content is unchanged may leave out: each counts frames
 * as liveness, was a recipient of the last heartbeat that went to every peer
 * (`fullRecipients`), and was sent a frame by this node within `withinMs` before `now`.
 * Nothing is left out while `settled` is false (a relay may be needed: something changed, a
 * member is suspect or not fully connected), so every heartbeat reaches every peer then.
 */
export function heartbeatSkips (peers: Iterable<FrameLivenessPeer>, fullRecipients: ReadonlySet<string>, now: number, withinMs: number, settled: boolean): Set<string> {
  const skip = new Set<string>()
  if (!settled) return skip
  for (const p of peers) {
    if (!p.framesAlive || !fullRecipients.has(p.peerId) || p.lastFrameSentAt === undefined) continue
    if (now - p.lastFrameSentAt <= withinMs) skip.add(p.peerId)
  }
  return skip
}
