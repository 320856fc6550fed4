// Keeps the node connected: dials bootstrap addresses and every peer it has ever met (from
// LevelDB and from heartbeats) until a connection exists, with per-target exponential backoff
// so a dead peer costs one refused dial every few seconds, and a restarted one is found again.
import type { PeerId } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { parseAddrs } from './addrs.js'
import type { Host } from './host.js'
import { isMeshKeyMismatch } from './mesh-key.js'
import { openConnectionTo } from './stream-to.js'
import type { Logger } from '../log.js'

/** First retry comes quickly: at cluster start most peers are seconds from listening. */
export const BACKOFF_MIN_MS = 50
export const BACKOFF_MAX_MS = 3_000
/**
 * A peer that refused our mesh key refuses it until an operator changes a key file and
 * restarts a node, and the restarted node dials us itself; retrying every few seconds would
 * only make both ends refuse (and report) over and over.
 */
const KEY_MISMATCH_BACKOFF_MS = 30_000
/**
 * A dial not connected and upgraded (TCP, pnet, Noise, Yamux) by then is aborted — that much
 * later while this node's event loop, or the peer's, runs late (Dialer.stretch): a handshake
 * takes turns of both loops, and one aborted half done wasted the CPU both ends spent on it.
 */
export const DIAL_TIMEOUT_MS = 5_000
/**
 * The fewest dials a node keeps in flight once its dials time out (Dialer's window). A dial is
 * a TCP connect and a Noise handshake whose CPU both ends pay, aborted after DIAL_TIMEOUT_MS.
 * 50 founders on 2 cores each started all ~49 dials at once: the handshakes shared a starved
 * CPU, none finished in time, most were aborted half done (one node's listener logged ~2 800
 * EPIPE upgrade failures in 3 minutes), the CPU they had cost was wasted and spent again at the
 * next attempt, and nodes held 1–12 connections of 49 after 3 minutes (BENCHMARKS.md, issue 14,
 * stop 40). A fixed cap of four fixed that but slowed a 10-node formation, whose dials never
 * time out, by ~3 s (same section). So the window is congestion control, as TCP's: it starts
 * at INITIAL_DIAL_WINDOW; one more for each dial that connects (slow start: it doubles each
 * time a window's dials connect); halved when one times out (once per window: dials started
 * before the cut say nothing about the new window).
 */
export const MIN_DIAL_WINDOW = 1
/**
 * The dials a node starts before any has connected. It started unlimited (stops 40–55), and 50
 * founders started ~2 450 dials at once: in the first 20 s 1 942 were aborted half done and 249
 * connected (a probe of every dial's outcome, BENCHMARKS.md, issue 14, stop 55 §7); the window
 * came down only as those timed out, 5 s at a time. Eight holds a 10-node founder back by one
 * dial at most (it yields to the peers above its own address, so it has at most nine to dial
 * at first; the ninth starts when one settles), and slow start opens it as dials connect.
 * Measured (stop 56 §2): it halved the aborted dials of a 50-process start and shortened
 * neither formation nor the storm, and the first election came later in those runs (54–84 s
 * against 48–60 s) — not settled; to measure against Infinity before building on it.
 */
export const INITIAL_DIAL_WINDOW = 8
/** The shortest wait between two rounds (a burst of events makes one round, not many). */
export const ROUND_MS = 50
/**
 * How long a node waits before dialing a bootstrap address that sorts after its own listen
 * address (see Dialer.start). The peer there dials us itself; this wait is only the fallback
 * for a peer that cannot reach us. So it must outlast that peer's own way to us: a refused
 * dial (we were not listening yet) waits up to BACKOFF_MAX_MS before its retry, and the retry's
 * handshake and identify take another 1–2 s when ten nodes start at once on two cores. At 2 s
 * (shorter than the peer's backoff alone) a 10-node start dialled ~10 of its 45 pairs from both
 * ends, each a second Noise handshake, identify and gossipsub stream at both ends in the
 * CPU-bound formation, and the second connection stayed open (BENCHMARKS.md, issue 14, stop 35).
 */
export const YIELD_MS = BACKOFF_MAX_MS + 2_000

/** An address as both ends write it: without the /p2p/<id> suffix. */
function bare (ma: Multiaddr): string {
  return ma.decapsulateCode(421).toString()
}

interface Target {
  key: string
  peerId?: string
  addrs: Multiaddr[]
  nextAt: number
  backoff: number
  dialing: boolean
  /** Bootstrap addresses are dialed forever; learned peers until they leave. */
  active: boolean
  /** The addresses last given to know(), as given (a heartbeat with the same ones changes nothing). */
  addrsKey?: string
  /**
   * A peer learnt by heartbeat that is also a bootstrap address: that target speaks for it.
   * While it yields or dials for the first time, this one does not dial: the peer's heartbeat
   * often arrives, relayed, before its own dial to us has finished, and dialling it then made
   * a second connection to a peer we were yielding to, or a second dial of one we were dialling.
   */
  twin?: Target
  /** A service waits for a connection to it (want()): dialled first, until connected. */
  wanted?: boolean
}

export class Dialer {
  private readonly targets = new Map<string, Target>()
  /** One timer, for the next round that has something to do (arm()); `armedAt` is when it fires. */
  private timer?: NodeJS.Timeout
  private armedAt = Infinity
  private lastRound = -Infinity
  private started = false
  private stopped = false
  private selfId?: string
  /** The last round left due targets undialled for want of room in the window. */
  private waiting = false
  /** Dials started and not settled. */
  private inFlight = 0
  /** How many may be (INITIAL_DIAL_WINDOW, MIN_DIAL_WINDOW). */
  private window = INITIAL_DIAL_WINDOW
  /** Dials started so far, and how many had been when the window was last halved: those do not halve it again. */
  private dialsStarted = 0
  private dialsAtCut = 0
  /** The timeouts of the dials in flight (cleared by stop()). */
  private readonly dialTimers = new Set<NodeJS.Timeout>()
  /** Targets in the order a round dials them (dialOrder), rebuilt when a target is added. */
  private order?: Target[]
  /**
   * How much longer than DIAL_TIMEOUT_MS a dial to `peerId` (undefined: a bootstrap address
   * whose peer is not known yet) may take now: this node's lag allowance and the peer's
   * announced lag, as a probe's timeout stretches (src/healing/lag.ts). Set by the node; 0 without.
   */
  stretch?: (peerId: string | undefined) => number

  private readonly host: Host
  private readonly log: Logger
  private readonly timeouts?: { inc: () => void }

  /**
   * @param founding the node starts a new cluster with others (--expect > 1): its bootstrap
   *   peers list it too, so it may yield to them (start()). A node joining a running cluster
   *   must not: the members it names do not know it and would never dial it.
   */
  constructor (components: { host: Host, log: Logger, metrics?: { dialsTimedOut: { inc: () => void } } }, bootstrap: string[], private readonly founding = false) {
    ({ host: this.host, log: this.log } = components)
    this.timeouts = components.metrics?.dialsTimedOut
    for (const a of bootstrap) {
      const ma = multiaddr(a)
      const pid = ma.getPeerId() ?? undefined
      this.targets.set(pid ?? a, { key: pid ?? a, peerId: pid, addrs: [ma], nextAt: 0, backoff: BACKOFF_MIN_MS, dialing: false, active: true })
    }
    // From now, not only from start(): between the host starting to listen and the dialer
    // starting (every other service starts in between), founders that are up already dial in,
    // and their identify says which bootstrap address they are.
    this.host.addEventListener('peer:identify', this.onIdentify)
  }

  /** A peer met through gossip or remembered from disk; dial it if not connected. */
  know (peerId: string, addrs: string[]): void {
    if (peerId === this.self) return
    // Every heartbeat of every peer comes here (membership): one already known, active and at
    // the same addresses changes nothing, so it costs no parsing and no dial round (at 50
    // nodes, 49 heartbeats a second each armed a round over every target).
    const key = addrs.join(' ')
    const known = this.targets.get(peerId)
    if (known != null && known.active && known.addrsKey === key) return
    const parsed = parseAddrs(addrs)
    this.learn(peerId, parsed)
    const twin = this.bootstrapOf(peerId, parsed)
    const t = known
    if (t == null) {
      this.targets.set(peerId, { key: peerId, peerId, addrs: parsed, addrsKey: key, nextAt: 0, backoff: BACKOFF_MIN_MS, dialing: false, active: true, twin })
      this.order = undefined
    } else {
      if (parsed.length > 0) { t.addrs = parsed; this.order = undefined }
      t.addrsKey = key
      t.active = true
      t.twin = twin
    }
    this.soon()
  }

  private get self (): string {
    this.selfId ??= this.host.peerId.toString()
    return this.selfId
  }

  /**
   * A service needs a connection to `peerId` and waits for it rather than dialling itself (Raft:
   * src/node/transport/raft-transport.ts). Its target goes first in every round until it is
   * connected, inside the same window and at its own backoff: a second handshake outside the
   * window is what starved a loaded mesh. False if there is no target with an address for the
   * peer (the caller then dials it itself).
   */
  want (peerId: string): boolean {
    const t = this.targetOf(peerId)
    if (t == null || !t.active || t.addrs.length === 0) return false
    // Its bootstrap twin, while it speaks for the peer, goes first too: otherwise the twin waits
    // its turn in a full window while the wanted target waits for the twin.
    const twin = this.speaksFor(t)
    if (!t.wanted || (twin != null && !twin.wanted)) {
      t.wanted = true
      if (twin != null) twin.wanted = true
      this.order = undefined
      this.soon()
    }
    return true
  }

  /** The target that dials `peerId`: learnt by heartbeat, or a bootstrap address known to be it. */
  private targetOf (peerId: string): Target | undefined {
    const t = this.targets.get(peerId)
    if (t != null && t.addrs.length > 0) return t
    for (const b of this.targets.values()) if (b.peerId === peerId && b.addrs.length > 0) return b
    return t
  }

  /** The peer left gracefully: stop dialing it; it will dial us when it returns. */
  forgetUntilSeen (peerId: string): void {
    const t = this.targets.get(peerId)
    if (t != null) t.active = false
  }

  /**
   * Two nodes given each other's address both dialled at start and both connections stayed:
   * every pair of a local cluster held two TCP connections, each with its own Noise handshake
   * at formation (the formation CPU of a 10-node cluster on 2 cores), Yamux session, keepalive
   * and buffers. A bootstrap address names no PeerId, so a node cannot see that the peer it is
   * about to dial already dialled it. Two things stop that:
   *  - the peer's identify (and later its heartbeats) lists its listen addresses: a bootstrap
   *    target whose address is among them gets the peer's PeerId, and round() then skips it
   *    while a connection to that peer exists, whichever side opened it. Identify is watched
   *    from construction, not from start(): every other service starts in between, and
   *    founders already up dial in meanwhile; start() also reads what the peer store learnt
   *    of peers connected before the listener was added;
   *  - of two founders (they list each other), the one whose own address sorts first gives
   *    the other YIELD_MS to dial it before dialling itself (both compare the same two
   *    strings, so exactly one of them yields). If the other is not up, the dial is only that
   *    late. Not on a restart: peers remembered on disk (know() before start) are dialled by
   *    PeerId at once, and the cluster exists already.
   * Tried and not kept (issue 14, formation): every founder dialling every other once at
   * start and leaving one that refused to dial it when it starts. Whoever starts second then
   * connects the pair at once, but on 10 processes starting on 2 cores a handshake takes
   * long enough that two starts often overlap it: 66–80 inbound sockets on the node ports
   * instead of 49–56 (45 pairs), and no formation time gained — formation there is bound by
   * CPU, not by these waits (BENCHMARKS.md).
   */
  start (): void {
    const own = this.host.getMultiaddrs().map(bare).sort()[0]
    const restarting = [...this.targets.values()].some(t => t.key === t.peerId)
    if (this.founding && !restarting && own != null) {
      const at = Date.now() + YIELD_MS
      for (const t of this.targets.values()) {
        if (t.peerId == null && t.addrs.length === 1 && own < bare(t.addrs[0]!)) t.nextAt = at
      }
    }
    this.host.addEventListener('peer:disconnect', this.onDisconnect)
    this.started = true
    const peerStore = (this.host as any).peerStore
    const early = peerStore == null ? [] : this.host.getConnections().map(c => c.remotePeer)
    if (early.length === 0) this.round()
    else void this.learnConnected(peerStore, early).finally(() => { if (this.started) this.round() })
  }

  /** Bootstrap targets that are peers connected before start(): known by their identify in the peer store. */
  private async learnConnected (peerStore: any, early: PeerId[]): Promise<void> {
    const peers = new Map<string, PeerId>()
    for (const pid of early) peers.set(pid.toString(), pid)
    await Promise.all([...peers.values()].map(async pid => {
      try {
        const p = await peerStore.get(pid)
        this.learn(pid.toString(), p.addresses.map((a: { multiaddr: Multiaddr }) => a.multiaddr))
      } catch {}
    }))
  }

  stop (): void {
    this.started = false
    this.stopped = true
    clearTimeout(this.timer)
    this.timer = undefined
    this.armedAt = Infinity
    for (const t of this.dialTimers) clearTimeout(t)
    this.dialTimers.clear()
    this.host.removeEventListener('peer:identify', this.onIdentify)
    this.host.removeEventListener('peer:disconnect', this.onDisconnect)
  }

  /** A peer's last connection closed: if it is a target, dial it again (at its backoff). */
  private readonly onDisconnect = (): void => { this.soon() }

  /**
   * Rounds run when one has something to do, not every 50 ms: at the earliest `nextAt` of a
   * target that is not connected, and after an event that may have made one dialable (a
   * peer learnt or reactivated, a connection closed, a dial settled). A target whose peer is
   * connected has no deadline: its `peer:disconnect` brings the next round. On an idle, fully
   * connected mesh the dialer arms no timer at all. Rounds stay at least ROUND_MS apart, as
   * with the old fixed period, so a burst of heartbeats or disconnects costs one round.
   */
  private soon (): void {
    if (!this.started) return
    this.armAt(Math.max(Date.now(), this.lastRound + ROUND_MS))
  }

  private armAt (at: number): void {
    if (!this.started || at >= this.armedAt) return
    clearTimeout(this.timer)
    this.armedAt = at
    this.timer = setTimeout(this.onTimer, Math.max(0, at - Date.now()))
    this.timer.unref()
  }

  private readonly onTimer = (): void => {
    this.timer = undefined
    this.armedAt = Infinity
    if (this.started) this.round()
  }

  private readonly onIdentify = (evt: CustomEvent<{ peerId: PeerId, listenAddrs: Multiaddr[] }>): void => {
    if (this.stopped) return
    this.learn(evt.detail.peerId.toString(), evt.detail.listenAddrs)
  }

  /** Bootstrap targets at one of `addrs` are `peerId`: dialled only while it is not connected. */
  private learn (peerId: string, addrs: Multiaddr[]): void {
    if (addrs.length === 0) return
    let listed: Set<string> | undefined
    for (const t of this.targets.values()) {
      if (t.peerId != null) continue
      listed ??= new Set(addrs.map(bare))
      if (t.addrs.some(a => listed!.has(bare(a)))) t.peerId = peerId
    }
  }

  /**
   * The bootstrap target that learnt (learn()) it is `peerId` and dials one of `addrs`, if any.
   * A peer that moved away from its bootstrap address has no twin: the bootstrap target keeps
   * dialling the old address, and must not hold back the dials of the new one.
   */
  private bootstrapOf (peerId: string, addrs: Multiaddr[]): Target | undefined {
    const listed = new Set(addrs.map(bare))
    for (const t of this.targets.values()) {
      if (t.key !== peerId && t.peerId === peerId && t.addrs.some(a => listed.has(bare(a)))) return t
    }
    return undefined
  }

  private round (): void {
    const now = Date.now()
    this.lastRound = now
    // The earliest later round a waiting target needs (Infinity: none, events will tell).
    let next = Infinity
    const due: Target[] = []
    for (const t of this.dialOrder()) {
      if (!t.active || t.dialing || t.addrs.length === 0) continue
      if (t.peerId != null && this.connected(t.peerId)) {
        t.backoff = BACKOFF_MIN_MS
        if (t.wanted === true) { t.wanted = false; this.order = undefined }
        continue
      }
      if (now < t.nextAt) {
        next = Math.min(next, t.nextAt)
        continue
      }
      // Its bootstrap twin dials this peer (when it is due, in this round or a later one): its
      // settling arms the next round, its wait ends one. Only until the twin's address has
      // failed once: the heartbeat may name addresses the bootstrap one is not (a peer reached
      // by another route), and a twin that keeps failing would otherwise hold this peer back for
      // good. Held back even while the twin is due and not dialled yet: the longest-waiting
      // order below would often put this target, learnt earlier, before its twin.
      const twin = this.speaksFor(t)
      if (twin != null) {
        if (!twin.dialing && now < twin.nextAt) next = Math.min(next, twin.nextAt)
        continue
      }
      due.push(t)
    }
    // More are due than the window has room for: those that have waited longest go first
    // (wanted ones before all; the sort is stable, so ties keep the ring's order). In the ring's
    // order alone, the targets a round had just dialled were the first ones due again when
    // their backoff ended — the rounds run then — and took every place while the others waited:
    // a few dead or overloaded peers at the top of the ring kept the rest from being dialled.
    this.waiting = due.length > this.window - this.inFlight
    if (this.waiting) due.sort((a, b) => Number(b.wanted === true) - Number(a.wanted === true) || a.nextAt - b.nextAt)
    for (const t of due) {
      // The rest wait for a dial to settle: its finally arms the next round.
      if (this.inFlight >= this.window) break
      t.dialing = true
      this.inFlight++
      const target = t.addrs.length === 1 ? t.addrs[0]! : t.addrs
      // Past a connection libp2p still lists for the peer after it closed: a dial by an address
      // with the peer id would otherwise be handed that connection back.
      const force = t.peerId != null && this.listed(t.peerId)
      const seq = ++this.dialsStarted
      const abort = new AbortController()
      const timeoutMs = DIAL_TIMEOUT_MS + Math.max(0, this.stretch?.(t.peerId) ?? 0)
      const timer = setTimeout(() => abort.abort(new Error(`dial timed out after ${timeoutMs} ms`)), timeoutMs)
      this.dialTimers.add(timer)
      this.host.dial(target, { signal: abort.signal, force }).then(conn => {
        t.peerId ??= conn.remotePeer.toString()
        t.backoff = BACKOFF_MIN_MS
        t.nextAt = Date.now() + BACKOFF_MIN_MS
        this.window += 1
      }, err => {
        if (abort.signal.aborted) {
          this.timeouts?.inc()
          this.timedOut(seq)
        }
        const wrongKey = isMeshKeyMismatch(err)
        t.nextAt = Date.now() + (wrongKey ? KEY_MISMATCH_BACKOFF_MS : t.backoff)
        t.backoff = Math.min(BACKOFF_MAX_MS, t.backoff * 2)
        // The protector reports a refusal (rate-limited); a line per attempt here is noise.
        // A dial a service waits for (want) is worth a line at debug: few, and they hold Raft up.
        if (t.wanted === true) this.log.debug({ target: t.key, err: String(err?.message ?? err), wrongKey }, 'wanted dial failed')
        else this.log.trace({ target: t.key, err: String(err?.message ?? err), wrongKey }, 'dial failed')
      }).finally(() => {
        clearTimeout(timer)
        this.dialTimers.delete(timer)
        t.dialing = false
        this.inFlight--
        // Dialled again (failed) or checked again (connected) at its nextAt; at once if others
        // are due and waited for this place.
        this.armAt(Math.max(this.waiting ? Date.now() : t.nextAt, this.lastRound + ROUND_MS))
      })
    }
    if (next !== Infinity) this.armAt(Math.max(next, now + ROUND_MS))
  }

  /** The bootstrap twin that dials `t`'s peer in its place: until the twin's address has failed once (round()). */
  private speaksFor (t: Target): Target | undefined {
    return t.twin != null && t.twin.active && t.twin.backoff === BACKOFF_MIN_MS ? t.twin : undefined
  }

  /**
   * The `seq`-th dial timed out: this node's handshakes do not finish in time with as many in
   * flight, so halve the window (MIN_DIAL_WINDOW) — once for all the dials started before it was
   * last halved, which ran under the old one.
   */
  private timedOut (seq: number): void {
    if (seq <= this.dialsAtCut) return
    this.window = Math.max(MIN_DIAL_WINDOW, Math.floor(Math.min(this.window, this.inFlight) / 2))
    this.dialsAtCut = this.dialsStarted
    this.log.debug({ window: this.window }, 'dials timed out: fewer in flight')
  }

  /** How many dials may be in flight now (for tests and status). */
  get dialWindow (): number {
    return this.window
  }

  /**
   * Targets from the address just below this node's own downwards, round the ring: founders
   * list the same bootstrap addresses in the same order, and dialled in that order (a few at a
   * time, once the window is cut) every node's first dials all went to the first address.
   */
  private dialOrder (): Target[] {
    if (this.order != null) return this.order
    const own = this.host.getMultiaddrs().map(bare).sort()[0] ?? ''
    const at = (t: Target): string => t.addrs.length > 0 ? bare(t.addrs[0]!) : t.key
    const all = [...this.targets.values()].sort((a, b) => at(a) < at(b) ? 1 : at(a) > at(b) ? -1 : 0)
    const ring = [...all.filter(t => at(t) < own), ...all.filter(t => at(t) >= own)]
    const order = [...ring.filter(t => t.wanted === true), ...ring.filter(t => t.wanted !== true)]
    if (own !== '') this.order = order // not listening yet: ordered again next round
    return order
  }

  /** Parsed PeerIds: the check runs for every target every round, and parsing is not free. */
  private readonly parsed = new Map<string, PeerId | null>()

  private pid (peerId: string): PeerId | null {
    let pid = this.parsed.get(peerId)
    if (pid === undefined) {
      try { pid = peerIdFromString(peerId) } catch { pid = null }
      this.parsed.set(peerId, pid)
    }
    return pid
  }

  /** Connected: a connection to the peer that is open. */
  private connected (peerId: string): boolean {
    const pid = this.pid(peerId)
    return pid != null && openConnectionTo(this.host, pid) != null
  }

  /** Some connection to the peer is listed (open or not). */
  private listed (peerId: string): boolean {
    const pid = this.pid(peerId)
    return pid != null && this.host.getConnections(pid).length > 0
  }
}
