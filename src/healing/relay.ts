// When gossip relays are needed. Pure: the membership shell (src/node/services/membership.ts)
// and the membership simulator (test/sim/membership) share it.
//
// Heartbeats are flood-published: the author sends each one straight to every connected
// subscriber. gossipsub's mesh relays (each receiver forwarding a new message to its D mesh
// peers) only matter for a member that has no working direct link to the author — during
// formation (not yet dialled), after a join, while a link is cut, after a partition heals.
// In a settled, fully connected mesh every relayed copy is a duplicate its receiver decrypts,
// decodes and drops: at 10 idle nodes, relays at D 2 were ~a quarter of a node's CPU
// (BENCHMARKS.md, issue 14: D 0 gave 3.2–3.3 % of a core per node against 4.3 %).
//
// So a node relays only while it has a reason to think someone needs it:
//   - it suspects a member, or holds one alive without a connection to it;
//   - a member it holds alive does not say, in its last heartbeat, that it is connected to
//     every member it holds alive and suspects none (`fully_connected`; a node of an older
//     version never says so, and keeps everyone relaying);
//   - its view changed in the last RELAY_AFTER_CHANGE_MS (a member added, suspected, dead,
//     alive again, left): the news of a change travels by heartbeat, and a member that has
//     not heard it yet may still count on relays (a healed partition: a member alive again
//     here may still be dead, and not dialled, at a third node).
// Members held dead or left do not count (a crashed member would otherwise keep relays on
// until it is removed). The same rule gates gossipsub's lazy repair, IHAVE (the ids of recent
// messages, sent on each gossip heartbeat to a few non-mesh peers): at rest every IHAVE listed
// only ids its receiver already had. The mesh itself (GRAFT/PRUNE) and IWANT answers run as
// before, so relays resume at once with the first message after a change, and IHAVE with the
// next gossip heartbeat, with no mesh to rebuild.

/** How long after a change in its view a node keeps relaying (about five heartbeats). */
export const RELAY_AFTER_CHANGE_MS = 5_000

export interface RelayMember {
  state: 'alive' | 'suspect' | 'dead' | 'left'
  /** This node holds a connection to it. */
  connected: boolean
  /** Its last heartbeat said `fully_connected`. */
  fullyConnected: boolean
}

/** What this node's heartbeat says: it reaches every member it holds alive, and suspects none. */
export function fullyConnected (members: Iterable<RelayMember>): boolean {
  for (const m of members) {
    if (m.state === 'suspect') return false
    if (m.state === 'alive' && !m.connected) return false
  }
  return true
}

/** Should this node forward gossip to its mesh peers now? */
export function relayNeeded (members: Iterable<RelayMember>, msSinceChange: number): boolean {
  if (msSinceChange < RELAY_AFTER_CHANGE_MS) return true
  for (const m of members) {
    if (m.state === 'suspect') return true
    if (m.state === 'alive' && (!m.connected || !m.fullyConnected)) return true
  }
  return false
}

// While relays are on, they go only where they may be needed. A receiver that gets an author's
// heartbeats straight from it (flood publishing reaches every subscriber the author is
// connected to) gains nothing from a relayed copy: a duplicate it decrypts, decodes and drops.
// So each heartbeat lists the members a heartbeat came straight from, over a connection still
// open, that its sender does not suspect (`direct`, as 32-bit tags: peerTag; the membership
// shell keeps it), and a node forwards an author's heartbeat to a mesh peer only if that peer's
// last heartbeat does not list the author. Before, relays went to every mesh peer as soon as
// one member was not fully connected: during a 50-process formation, every heartbeat arrived
// about three times at every node until the 1 225 connections were made, minutes later
// (BENCHMARKS.md, issue 14, stops 53–54). An open connection alone is not listed: its peer
// publishes to this node only once it has this node's subscription, seconds later on a loaded
// host. A peer with no list (an older node; one linked to more members than a heartbeat may
// list, HEARTBEAT_LIMITS in src/wire/constants.ts; not heard yet) gets every relay as before. A
// node that stops hearing a member it listed heartbeats at the next interval, not the next
// quiet one, so a relay it now needs is held back about as long as relays already were for a
// mesh that believed itself settled.

/**
 * A member's tag in `direct`: the last 4 bytes of its PeerId's multihash (an Ed25519 key's
 * last bytes; a SHA-256 digest's for other key types) — free to compute from the `from` bytes
 * of a gossip message. Two members whose tags collide only cost a peer that lists one of them
 * the other's relays; a peer can only hold back relays to itself.
 */
export function peerTag (multihash: Uint8Array): number {
  const n = multihash.byteLength
  if (n < 4) return 0
  return ((multihash[n - 4]! << 24) | (multihash[n - 3]! << 16) | (multihash[n - 2]! << 8) | multihash[n - 1]!) >>> 0
}

/** Should a heartbeat by the author tagged `author` be relayed to a peer whose last heartbeat listed `direct`? */
export function relayTo (author: number, direct: readonly number[] | undefined): boolean {
  return direct == null || direct.length === 0 || !direct.includes(author)
}
