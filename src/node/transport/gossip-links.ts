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
// check() — run on the membership heartbeat timer, no timer of its own — finds every open
// connection to a peer whose identify listed a gossipsub protocol and to which gossipsub holds
// no outbound stream, and hands it to gossipsub as its topology does on a new connection
// (onPeerConnected): the peer is added back and its stream opened, which makes the peer open
// its own in turn. At most once per RETRY_GAP_MS per peer, so an attempt has ended before the next.
import type { Connection, PeerId } from '@libp2p/interface'

/** libp2p's limit on an outbound stream's protocol negotiation (PROTOCOL_NEGOTIATION_TIMEOUT): one attempt's longest. */
export const RETRY_GAP_MS = 10_000

/** What this uses of gossipsub (@chainsafe/libp2p-gossipsub's GossipSub). */
export interface GossipRouter {
  multicodecs: string[]
  streamsOutbound: Map<string, unknown>
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

  /** Reopen missing gossip streams; resolves with how many were handed to gossipsub. */
  async check (now: number): Promise<number> {
    if (this.checking) return 0
    this.checking = true
    let reopened = 0
    try {
      const open = new Set<string>()
      for (const conn of this.host.getConnections()) {
        if (conn.status !== 'open') continue
        const id = conn.remotePeer.toString()
        open.add(id)
        if (this.router.streamsOutbound.has(id)) continue
        if (now - (this.tried.get(id) ?? -Infinity) < RETRY_GAP_MS) continue
        let protocols: string[] = []
        try {
          protocols = (await this.host.peerStore.get(conn.remotePeer)).protocols
        } catch {}
        if (!protocols.some(p => this.router.multicodecs.includes(p))) continue
        if (conn.status !== 'open' || this.router.streamsOutbound.has(id)) continue
        this.tried.set(id, now)
        this.router.onPeerConnected(conn.remotePeer, conn)
        reopened++
      }
      for (const id of this.tried.keys()) if (!open.has(id)) this.tried.delete(id)
    } finally {
      this.checking = false
    }
    return reopened
  }
}
