// Keeps a gossip stream open to every connected peer that speaks gossipsub.
//
// Why: gossipsub opens its outbound stream to a peer once, when the peer's identify lists the
// protocol (or when the peer opens a stream to it), and gives up for good when that fails: a
// stream negotiation that times out is only logged, and an inbound stream whose read fails
// (a timeout on a starved peer) removes the peer from gossipsub altogether while the connection
// stays open. The pair then exchanges no heartbeat on that connection for as long as it lasts,
// and each end counts itself connected, so nothing redials it and no relay is turned on for it.
// At 50 processes starting together on two cores ~100 such failures left blocks of pairs that
// never heard each other, and no founder ever saw all 50 (BENCHMARKS.md, issue 14, stop 39).
//
// A third way: the outbound stream ends (the peer reset it, or removed this node after a read
// error and closed its side) and gossipsub keeps it as the peer's stream — it only logs the
// pipe's error —, so every later heartbeat to that peer goes into a stream that is gone, and a
// new one is never opened (at 50 processes, one node was never heard by 29 of the 49 others
// while it heard 46 of them).
//
// check() — run on the membership heartbeat timer, no timer of its own — finds every open
// connection to a peer whose identify listed a gossipsub protocol and to which gossipsub holds
// no outbound stream, or one that is no longer open for writing (that one is dropped first), and
// hands it to gossipsub as its topology does on a new connection (onPeerConnected): the peer is
// added back and its stream opened (with this node's subscriptions), which makes the peer open
// its own in turn. At most once per RETRY_GAP_MS per peer, so an attempt has ended before the next.
// A connection with no outbound stream yet is left alone for its first RETRY_GAP_MS: gossipsub
// opens its streams one peer at a time, and while a mesh forms many are still queued, not given
// up on (a 10-node formation otherwise counted 2–7 "reopened" links per node that were only late).
import type { Connection, PeerId } from '@libp2p/interface'

/** libp2p's limit on an outbound stream's protocol negotiation (PROTOCOL_NEGOTIATION_TIMEOUT): one attempt's longest. */
export const RETRY_GAP_MS = 10_000

/** What this uses of gossipsub (@chainsafe/libp2p-gossipsub's GossipSub). */
export interface GossipRouter {
  multicodecs: string[]
  streamsOutbound: Map<string, { rawStream?: { status?: string, writeStatus?: string } }>
  onPeerConnected: (peerId: PeerId, connection: Connection) => void
}

/** What this uses of the libp2p host. */
export interface LinkHost {
  getConnections: () => Connection[]
  peerStore: { get: (peerId: PeerId) => Promise<{ protocols: string[] }> }
}

export class GossipLinks {
  private readonly tried = new Map<string, number>()
  private checking = false

  constructor (private readonly host: LinkHost, private readonly router: GossipRouter) {}

  /**
   * Reopen missing gossip streams; resolves with how many were handed to gossipsub. `now` paces
   * the retries; `wallNow` (epoch ms, as libp2p's connection timeline) tells a connection's age.
   */
  async check (now: number, wallNow = Date.now()): Promise<number> {
    if (this.checking) return 0
    this.checking = true
    let reopened = 0
    try {
      const open = new Set<string>()
      for (const conn of this.host.getConnections()) {
        if (conn.status !== 'open') continue
        const id = conn.remotePeer.toString()
        open.add(id)
        if (this.writable(id)) continue
        if (!this.router.streamsOutbound.has(id) && wallNow - (conn.timeline?.open ?? -Infinity) < RETRY_GAP_MS) continue
        if (now - (this.tried.get(id) ?? -Infinity) < RETRY_GAP_MS) continue
        let protocols: string[] = []
        try {
          protocols = (await this.host.peerStore.get(conn.remotePeer)).protocols
        } catch {}
        if (!protocols.some(p => this.router.multicodecs.includes(p))) continue
        if (conn.status !== 'open' || this.writable(id)) continue
        this.tried.set(id, now)
        // gossipsub opens no new stream while it holds one for the peer, even a dead one.
        this.router.streamsOutbound.delete(id)
        this.router.onPeerConnected(conn.remotePeer, conn)
        reopened++
      }
      for (const id of this.tried.keys()) if (!open.has(id)) this.tried.delete(id)
    } finally {
      this.checking = false
    }
    return reopened
  }

  /** gossipsub holds an outbound stream to the peer that can still be written (libp2p Stream status). */
  private writable (id: string): boolean {
    const s = this.router.streamsOutbound.get(id)
    if (s == null) return false
    const raw = s.rawStream
    if (raw == null) return true
    return (raw.status == null || raw.status === 'open') && (raw.writeStatus == null || raw.writeStatus === 'ready' || raw.writeStatus === 'writing')
  }
}
