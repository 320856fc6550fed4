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
