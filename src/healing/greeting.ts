// When to greet a peer that just subscribed to the heartbeat topic. Publishing a heartbeat at
// once lets the peer learn this node without waiting up to a heartbeat interval; at most one
// publish per `gapMs` keeps a node that meets many peers at once (a cluster starting) from
// flooding the topic. A subscription that arrives within the gap is not dropped but deferred
// to the gap's end, once for all of them: the publish that started the gap may have gone out
// before the new peer could receive it — at start-up, to nobody — and dropping the greeting
// then left the peer without this node's heartbeat for a whole interval (the membership
// simulator showed every node that met its bootstrap peers within 20 ms of starting heard
// by nobody for a second). Pure: the shell passes `now` and owns the timer.

export class Greeter {
  private lastPublish = -Infinity
  private deferred = false

  /**
   * `gapMs` at least between publishes, and `perPeerMs` more per peer known: a greeting is
   * flood-published to every peer, so at formation (every node greeting every newcomer) N
   * nodes sent ~N² copies within seconds, and 25 processes on 2 cores starved each other's
   * event loops until probes timed out (bench/scale). With the per-peer gap each node sends
   * at most ~1/perPeerMs copies per ms, whatever N.
   */
  constructor (private readonly gapMs: number, private readonly perPeerMs = 0) {}

  /** A heartbeat went out (periodic, announced or a greeting). */
  published (now: number): void {
    this.lastPublish = now
    this.deferred = false
  }

  /**
   * A peer subscribed. Returns 0 to greet now, a delay in ms to greet later (call `due` then),
   * or null when a greeting is already pending.
   */
  subscribed (now: number, peers = 0): number | null {
    if (this.deferred) return null
    const wait = this.lastPublish + Math.max(this.gapMs, this.perPeerMs * peers) - now
    if (wait <= 0) return 0
    this.deferred = true
    return wait
  }

  /** The deferred greeting's time came: true if it is still owed (nothing was published since). */
  due (): boolean {
    const owed = this.deferred
    this.deferred = false
    return owed
  }
}
