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
//
// Pulses between followers still grow with N: each follower sends one to every other follower
// every quiet interval, N − 2 each way. A settled leader already hears every follower every
// 600 ms, so it *vouches* for them instead: at most every VOUCH_GAP_MS, one of its Raft frames
// to a follower carries a Vouch (raft.proto: a bitmap over the sorted member list of the
// committed configuration and a 32-bit hash of that list, ~17 bytes at 50 members) naming the
// members it heard an authenticated frame from within --heartbeat-ms (makeVouch). The transport
// takes it off the frame after the frame was checked and delivered; the Raft core never sees it.
// A follower counts a vouch only from the leader it currently follows and only over a member
// list that hashes like its own (readVouch), and takes it as a sign of life for each member
// named, dated --heartbeat-ms before it arrived, the earliest the leader may have heard the
// member (signOfLife: it only delays a silence probe; it clears no suspicion, death or
// departure). A follower X then sends a follower P neither a pulse nor the heartbeat (quietPlan's
// `vouched`) when the mesh is settled, P says it counts vouches over X's own member list and
// follows X's leader (heartbeat fields vouch_members, leader), and X itself was named in a vouch
// from that leader within the window: the leader hears X, so it is vouching for X to P as well.
// Otherwise (no leader, a new one, a stale vouch, P on an older version or another list) pulses
// and heartbeats go as before.
//
// What still holds: a silent follower stops being vouched for within --heartbeat-ms (the leader
// no longer hears it), and its peers' probe-after runs from the last vouch's date, no later than
// from the last frame the leader had from it; a silent or dead leader stops sending frames
// (followers elect as before) and vouches, so within the window followers pulse each other
// again; a crash still closes connections; quorum-confirmed death and the detector's states are
// unchanged. A link cut between two followers that both still reach the leader no longer shows
// as silence between them: libp2p's connection monitor (a ping per connection a minute) closes
// such a connection, and the close gets the peer probed. A lying member gains nothing: only the
// followed leader's vouches count, and a leader can already keep any member alive by refusing
// to commit its death (src/healing/death-quorum.ts) — a vouch only postpones a follower's own
// probe of a member the leader says it hears.

/** A peer as the rule reads it. */
export interface FrameLivenessPeer {
  peerId: string
  /** It counts authenticated frames as signs of life (its last heartbeat said `frames_alive`). */
  framesAlive: boolean
  /** When this node last sent it an authenticated frame (e.g. a Raft message), or undefined. */
  lastFrameSentAt: number | undefined
  /** A pulse can reach it (both are members of the cluster: its transport admits members only). */
  pulsable: boolean
  /** The leader it follows, as its last heartbeat said ('' or undefined: none). */
  leader?: string
  /** The member-list hash it reads vouches over (heartbeat `vouch_members`); 0 or undefined: it does not count vouches. */
  vouchMembers?: number
}

/** This node's side of vouching, as the rule reads it (undefined: it follows no leader). */
export interface OwnVouch {
  /** The leader this node follows. */
  leader: string
  /** The hash of this node's member list (memberList), 0 when it has none. */
  members: number
  /** When a vouch from that leader last named this node (performance.now()), or undefined. */
  vouchedAt: number | undefined
}

/** What a periodic heartbeat whose content is unchanged does per peer. */
export interface QuietPlan {
  /** Peers the gossip heartbeat leaves out. */
  leaveOut: Set<string>
  /** Of those, the ones to send a pulse instead (no other frame went to them lately). */
  pulse: Set<string>
  /** Of those, the ones that need no pulse either: the leader vouches for this node to them. */
  vouched: Set<string>
}

/**
 * The peers a periodic heartbeat whose content is unchanged may leave out: each counts frames
 * as liveness, and was a recipient of the last heartbeat that went to every peer
 * (`fullRecipients`). One this node sent a frame within `withinMs` before `now` needs nothing
 * more; the others get a pulse instead (a bare frame on a direct stream, far cheaper to send
 * and to receive than a signed gossip message) if it is `pulsable`, and the gossip heartbeat
 * otherwise. Nothing is left out while `settled` is false (a relay may be needed: something
 * changed, a member is suspect or not fully connected), so every heartbeat reaches every peer
 * then, directly or relayed. A peer the leader vouches for this node to (`own`: see
 * vouchedTo) needs neither pulse nor heartbeat.
 */
export function quietPlan (peers: Iterable<FrameLivenessPeer>, fullRecipients: ReadonlySet<string>, now: number, withinMs: number, settled: boolean, own?: OwnVouch): QuietPlan {
  const plan: QuietPlan = { leaveOut: new Set(), pulse: new Set(), vouched: new Set() }
  if (!settled) return plan
  const vouching = own != null && own.members !== 0 && own.vouchedAt !== undefined && now - own.vouchedAt <= withinMs
  for (const p of peers) {
    if (!p.framesAlive || !fullRecipients.has(p.peerId)) continue
    if (p.lastFrameSentAt !== undefined && now - p.lastFrameSentAt <= withinMs) {
      plan.leaveOut.add(p.peerId)
    } else if (vouching && vouchedTo(p, own)) {
      plan.leaveOut.add(p.peerId)
      plan.vouched.add(p.peerId)
    } else if (p.pulsable) {
      plan.leaveOut.add(p.peerId)
      plan.pulse.add(p.peerId)
    }
  }
  return plan
}

/**
 * Whether the leader this node follows vouches for it to `p` (given that it named this node in
 * a vouch lately): `p` is another follower of the same leader, reading vouches over the same
 * member list.
 */
function vouchedTo (p: FrameLivenessPeer, own: OwnVouch): boolean {
  return p.peerId !== own.leader && p.leader === own.leader && p.vouchMembers === own.members
}

/** How often, at most, a leader's frames to one follower carry a vouch. */
export const VOUCH_GAP_MS = 500
/** The longest bitmap a vouch may carry (4 096 members); a longer one is rejected unread. */
export const MAX_VOUCH_BYTES = 512

/** A leader's vouch as on the wire (raft.proto Vouch). */
export interface Vouch {
  /** memberList(...).hash of the list `heard` indexes. */
  members: number
  /** Bit i (byte i >> 3, bit i & 7): member i of the sorted list was heard lately. */
  heard: Uint8Array
}

/** The committed configuration's members, sorted, as vouches index them. */
export interface MemberList {
  ids: readonly string[]
  /** 32-bit FNV-1a of the ids joined by newlines; never 0 (0 means "no list"). */
  hash: number
}

export function memberList (ids: Iterable<string>): MemberList {
  const sorted = [...new Set(ids)].sort()
  let h = 0x811c9dc5
  const text = sorted.join('\n')
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return { ids: sorted, hash: h === 0 ? 1 : h }
}

/**
 * The leader's vouch: each member other than itself whose last authenticated frame reached it
 * (`heardAt`, performance.now()) within `withinMs` before `now`.
 */
export function makeVouch (list: MemberList, self: string, heardAt: (peer: string) => number | undefined, now: number, withinMs: number): Vouch {
  const heard = new Uint8Array((list.ids.length + 7) >> 3)
  list.ids.forEach((id, i) => {
    if (id === self) return
    const at = heardAt(id)
    if (at !== undefined && now - at <= withinMs) heard[i >> 3] = (heard[i >> 3] ?? 0) | (1 << (i & 7))
  })
  return { members: list.hash, heard }
}

/** The members `prev` named and `next` (over the same list) does not: dropped from the leader's vouch. */
export function unvouched (prev: Vouch, next: Vouch, list: MemberList): string[] {
  const dropped: string[] = []
  if (prev.members !== list.hash || next.members !== list.hash) return dropped
  list.ids.forEach((id, i) => {
    const bit = 1 << (i & 7)
    if (((prev.heard[i >> 3] ?? 0) & bit) !== 0 && ((next.heard[i >> 3] ?? 0) & bit) === 0) dropped.push(id)
  })
  return dropped
}

export type VouchReading =
  | { ok: true, vouched: string[] }
  /** not-leader: not from the leader this node follows; other-list: over another member list (both ignored). malformed, oversize: rejected. */
  | { ok: false, reason: 'not-leader' | 'other-list' | 'malformed' | 'oversize' }

/**
 * The members a vouch names, if this node counts it: it came from `leader`, the leader this node
 * currently follows, over a member list that hashes like `list`, and its bitmap is exactly as
 * long as that list needs with no bit set past its end.
 */
export function readVouch (from: string, leader: string | null | undefined, vouch: Vouch, list: MemberList): VouchReading {
  if (vouch.heard.length > MAX_VOUCH_BYTES) return { ok: false, reason: 'oversize' }
  if (leader == null || leader === '' || from !== leader) return { ok: false, reason: 'not-leader' }
  if (vouch.members !== list.hash) return { ok: false, reason: 'other-list' }
  const n = list.ids.length
  if (vouch.heard.length !== (n + 7) >> 3) return { ok: false, reason: 'malformed' }
  if ((n & 7) !== 0 && ((vouch.heard[n >> 3] ?? 0) >> (n & 7)) !== 0) return { ok: false, reason: 'malformed' }
  const vouched: string[] = []
  list.ids.forEach((id, i) => {
    if (((vouch.heard[i >> 3] ?? 0) & (1 << (i & 7))) !== 0) vouched.push(id)
  })
  return { ok: true, vouched }
}
