// What crosses the wire between nodes, counted by protocol and kind: Raft messages by type and
// the stream writes that carry them, work frames by operation, internal requests by kind, and
// below them the Noise frames and socket writes of every connection. A one-task job on three
// nodes costs its non-home nodes more in libp2p's stream machinery than in meshnode's own code
// (BENCHMARKS.md, issue 14, stop 43): that cost goes per message, and these counts say how many
// messages a job costs. Plain numbers bumped on the send and receive paths, read into the
// registry when it collects (metrics.ts: messages_sent_total, messages_received_total,
// socket_writes_total).

/** One connection's outbound Noise frames, socket writes and bytes (coalesce.ts bumps them). */
export interface SocketCounts {
  frames: number
  writes: number
  bytes: number
  /** The connection's writes ended (coalesce's end): its counts are folded into the totals. */
  closed?: boolean
}

/** Connections counted between two sweeps of the closed ones (connected()). */
const SWEEP_EVERY = 64

function add (to: SocketCounts, c: SocketCounts): void {
  to.frames += c.frames
  to.writes += c.writes
  to.bytes += c.bytes
}

export class Traffic {
  /** "protocol.kind" → messages sent. */
  readonly sent = new Map<string, number>()
  /** "protocol.kind" → messages received. */
  readonly received = new Map<string, number>()
  /**
   * Remote peer → its open connections' socket counts (those whose handshake finished). A
   * closed connection's counts are folded into `closedTotals` and dropped, so a daemon that
   * serves a new client peer id per CLI call holds only its open connections here.
   */
  private readonly sockets = new Map<string, SocketCounts[]>()
  private readonly closedTotals = { members: this.socket(), others: this.socket() }
  private sinceSweep = 0
  /** Whether a peer is a member: socket counts are reported for members and for the others apart. */
  isMember: (peer: string) => boolean = () => true

  send (what: string, n = 1): void {
    this.sent.set(what, (this.sent.get(what) ?? 0) + n)
  }

  receive (what: string, n = 1): void {
    this.received.set(what, (this.received.get(what) ?? 0) + n)
  }

  /** A new connection's counts, before its handshake (whose frames they count too). */
  socket (): SocketCounts {
    return { frames: 0, writes: 0, bytes: 0 }
  }

  /** The connection whose counts these are now knows its remote peer. */
  connected (peer: string, counts: SocketCounts): void {
    if (++this.sinceSweep >= SWEEP_EVERY) this.sweep()
    const list = this.sockets.get(peer)
    if (list == null) this.sockets.set(peer, [counts])
    else list.push(counts)
  }

  /** Socket counts summed over members' connections and over the others' (clients, strangers). */
  socketTotals (): { members: SocketCounts, others: SocketCounts } {
    this.sweep()
    const members = this.socket()
    const others = this.socket()
    add(members, this.closedTotals.members)
    add(others, this.closedTotals.others)
    for (const [peer, list] of this.sockets) {
      const to = this.isMember(peer) ? members : others
      for (const c of list) add(to, c)
    }
    return { members, others }
  }

  /** Open connections tracked (for tests): closed ones are folded away at the next sweep. */
  get tracked (): number {
    let n = 0
    for (const list of this.sockets.values()) n += list.length
    return n
  }

  /** Folds closed connections' counts into the totals (by the peer's standing then) and drops them. */
  private sweep (): void {
    this.sinceSweep = 0
    for (const [peer, list] of this.sockets) {
      if (!list.some(c => c.closed === true)) continue
      const to = this.isMember(peer) ? this.closedTotals.members : this.closedTotals.others
      const open = list.filter(c => {
        if (c.closed !== true) return true
        add(to, c)
        return false
      })
      if (open.length === 0) this.sockets.delete(peer)
      else this.sockets.set(peer, open)
    }
  }
}
