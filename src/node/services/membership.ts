// The membership service: the I/O shell around the failure detector. It publishes this
// node's heartbeat, validates and applies peers' heartbeats, feeds connection events and
// probe results into the detector, and keeps what peers advertise (addresses, load, role).
import type { Message, PeerId } from '@libp2p/interface'
import { TopicValidatorResult } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { equals } from 'uint8arrays/equals'
import { performance } from 'node:perf_hooks'
import { FailureDetector, type MemberState, type ProbeOutcome, type Transition } from '../../healing/failure-detector.js'
import { Greeter } from '../../healing/greeting.js'
import { LagAllowance } from '../../healing/lag.js'
import { quietPlan, type FrameLivenessPeer, type OwnVouch } from '../../healing/liveness.js'
import { fullyConnected, peerTag, relayNeeded, relayTo, type RelayMember } from '../../healing/relay.js'
import { decodeHeartbeat, encodeHeartbeat, type Heartbeat } from '../../wire/heartbeat-codec.js'
import { VERSION } from '../../version.js'
import { HEARTBEAT_LIMITS, heartbeatTopic } from '../../wire/constants.js'
import type { PeerStatus } from '../../wire/proto/status.js'
import { parseAddrs } from '../transport/addrs.js'
import { pingPeer, timeoutAfterPoll } from '../transport/ping.js'
import { openConnectionTo } from '../transport/stream-to.js'
import { GossipLinks } from '../transport/gossip-links.js'
import type { Dialer } from '../transport/dialer.js'
import type { Host } from '../transport/host.js'
import type { Logger } from '../log.js'
import type { Metrics } from '../metrics.js'
import type { KnownPeer, Store } from '../store/store.js'

/** What other subsystems contribute to each heartbeat (consensus: role/term/leader; scheduler: load). */
export interface LocalState {
  role: string
  term: bigint
  leader: string
  load: number
  /** Stealable tasks waiting here, and executor slots (the work layer fills these). */
  queued: number
  slots: number
  /** Leaving the mesh (drain): peers push it no work. */
  draining: boolean
  /** What it advertises now (handlers whose circuit is open left out); `capabilities` of the init when absent. */
  capabilities?: readonly string[]
  /** The founding set this node proposes while it belongs to no cluster. */
  bootstrapSet: string[]
  /** How many of bootstrapSet (its lowest ids) found as voters; 0 or absent: all. */
  bootstrapVoters?: number
  /** The hash of the member list it reads its leader's vouches over (src/healing/liveness.ts); 0 or absent: none. */
  vouchMembers?: number
}

export interface MembershipInit {
  mesh: string
  name: string
  capabilities: string[]
  incarnation: bigint
  heartbeatMs: number
  probeAfterMs: number
  deadAfterMs: number
  probeTimeoutMs: number
  startedAt: number
  localState: () => LocalState
  /**
   * Gossip relays: 'when-needed' (the default) forwards heartbeats to gossipsub mesh peers only
   * while some member may lack a direct link (src/healing/relay.ts); 'always' as gossipsub does.
   */
  relay?: 'always' | 'when-needed'
}

/** A peer as this node sees it: the wire's PeerStatus with the age as a plain number. */
export type PeerView = Omit<PeerStatus, 'lastSeenMs' | 'state'> & { state: MemberState, lastSeenMs: number }

/**
 * The period the detector used to be ticked at. The shell no longer ticks on a period: it arms
 * one timer for the detector's next deadline (Membership.arm). Kept as the membership
 * simulator's tick (test/sim/membership), which models the old shell.
 */
export const TICK_MS = 25

/** A peer joining the topic is greeted with a heartbeat at once, at most once per this gap (Greeter)... */
export const GREET_GAP_MS = 20
/** ...and this much more per known peer (Greeter). */
export const GREET_GAP_PER_PEER_MS = 20

/**
 * How long a heartbeat may reuse the addresses the host listed last (Membership.ownAddrs). They
 * are re-read at once when libp2p says they changed ('self:peer:update').
 */
export const ADDRS_REREAD_MS = 10_000

/**
 * Quiet heartbeats: while nothing a node advertises changes (every heartbeat field but `seq` and
 * `uptime_ms`), it heartbeats every QUIET_FACTOR × --heartbeat-ms instead of every interval, and
 * says so (`quiet_ms`), so its peers wait that much longer before they probe it for silence and
 * keep the margin they had. An idle mesh's CPU is the number of heartbeat frames — every node
 * hears every peer's — and halving them took ~0.35 point off a 10-node mesh's idle CPU per node
 * (BENCHMARKS.md, issue 14, stop 30). Any change goes out at the next interval as before, and
 * announce() (a role change, a new incarnation, a greeting) at once.
 */
export const QUIET_FACTOR = 2

/**
 * Whether a periodic heartbeat is due: its content changed, or a quiet interval
 * (QUIET_FACTOR × heartbeatMs) has nearly passed since the last one went out (half an interval
 * of slack: the timer ticks every heartbeatMs, and a late tick must not skip a whole one).
 */
export function heartbeatDue (changed: boolean, sinceLastMs: number, heartbeatMs: number): boolean {
  return changed || sinceLastMs >= (QUIET_FACTOR - 0.5) * heartbeatMs
}

/** How long a leaving node waits for its `leaving` heartbeat to be flushed to peers. */
const LEAVE_FLUSH_MS = 150

/** Frames to peers outside gossip (the Raft transport's streams): see Membership.frames. */
export interface FrameChannel {
  sentAt: (peerId: string) => number | undefined
  canPulse: (peerId: string) => boolean
  pulse: (peerId: string) => void
}

/** What the membership service uses of the node. */
export interface MembershipComponents {
  host: Host
  store: Store
  dialer: Dialer
  log: Logger
  metrics: Metrics
}

export class Membership {
  readonly detector: FailureDetector
  private readonly topic: string
  private readonly info = new Map<string, Heartbeat>()
  /** When (Date.now()) each peer's heartbeat in `info` arrived: uptimeOf. */
  private readonly infoAt = new Map<string, number>()
  /** Peers remembered on disk (the peers bucket), as last written. */
  private readonly remembered = new Map<string, KnownPeer>()
  private seq = 0n
  /** This process's incarnation; renewed (never lowered) when the cluster declared it dead. */
  private ownIncarnation: bigint
  private heartbeatTimer?: NodeJS.Timeout
  /** When the heartbeat interval last fired (performance.now()): how late the next one is. */
  private heartbeatTickAt = -Infinity
  /**
   * What the debug line of each heartbeat interval (intervalLine) says: when (performance.now())
   * this node last published a heartbeat and sent pulses, and how many pulses since the last line.
   */
  private lastHeartbeatAt = -Infinity
  private lastPulseAt = -Infinity
  private pulsesSinceLine = 0
  /** This node's own lag, from how late its timers fire: the detector's stretch (src/healing/lag.ts). */
  private readonly lag: LagAllowance
  /** One timer, at the detector's next deadline (arm()); `armedAt` is when it fires. */
  private tickTimer?: NodeJS.Timeout
  private armedAt = Infinity
  /** When that timer is due to fire (armedAt, or 1 ms after arming if that was past): how late it fired. */
  private tickDueAt = Infinity
  private readonly greeter = new Greeter(GREET_GAP_MS, GREET_GAP_PER_PEER_MS)
  private greetTimer?: NodeJS.Timeout
  private stopped = false
  private leaving = false
  /** Listeners for state changes, e.g. consensus learning that a voter died. */
  readonly onTransition: Array<(t: Transition) => void> = []
  /** Listeners for every fresh heartbeat, e.g. the work layer learning a peer has work to steal. */
  readonly onHeartbeat: Array<(peerId: string, hb: Heartbeat) => void> = []
  private foundingRevision = 0
  /** When the detector last reported a transition (relayNeeded's "recent change"). */
  private lastChangeAt = -Infinity
  private unhookRelay?: () => void
  /** Reopens gossip streams that gossipsub gave up on (src/node/transport/gossip-links.ts). */
  private links?: GossipLinks
  /** What the last heartbeat said (contentOf) and when it went out: quiet heartbeats. */
  private lastContent = ''
  private lastPublishedAt = -Infinity
  /** The members the last heartbeat listed as heard straight from (`direct`, src/healing/relay.ts). */
  private lastDirect: readonly number[] = []
  /** The author of the gossip message being forwarded (hookRelay), as its tag. */
  private forwarding?: number
  /** Peers a heartbeat came straight from over the connection open now, with their tags (hookDirect). */
  private readonly heardDirect = new Map<string, number>()
  private unhookDirect?: () => void
  /**
   * Frames as liveness (src/healing/liveness.ts): what the last heartbeat that went to every
   * peer said, and who it went to; and the peers the heartbeat being published leaves out
   * (read once by the selectPeersToPublish hook). Heartbeats are published one at a time
   * (`publishing`), so the hook's set always belongs to the publish in flight.
   */
  private lastFullContent = ''
  private fullRecipients = new Set<string>()
  private leaveOut?: Set<string>
  private publishing: Promise<void> = Promise.resolve()
  /**
   * Other authenticated frames to peers (the consensus service sets it, over its Raft transport):
   * when this node last sent a peer one — a peer that counts them as signs of life needs no quiet
   * heartbeat while it gets them —, whether a pulse can reach the peer, and sending one.
   */
  frames?: FrameChannel
  /** The last vouch that named this node: from which leader, when (performance.now()). */
  private selfVouch?: { leader: string, at: number }
  /**
   * When (performance.now()) this node last counted a vouch from its leader, and each peer's
   * last vouch naming it: a suspicion's log line says whether vouches stopped coming or only
   * stopped naming the peer (linkOf).
   */
  private lastVouchAt?: number
  private readonly vouchNamedAt = new Map<string, number>()
  /** The host's addresses as heartbeats advertise them, and when they were read (ownAddrs). */
  private addrs: { at: number, list: string[] } = { at: -Infinity, list: [] }

  private readonly host: Host
  private readonly store: Store
  private readonly dialer: Dialer
  private readonly log: Logger
  private readonly metrics: Metrics

  constructor (components: MembershipComponents, private readonly init: MembershipInit) {
    ({ host: this.host, store: this.store, dialer: this.dialer, log: this.log, metrics: this.metrics } = components)
    this.topic = heartbeatTopic(init.mesh)
    this.ownIncarnation = init.incarnation
    this.detector = new FailureDetector({ probeAfterMs: init.probeAfterMs, deadAfterMs: init.deadAfterMs })
    this.lag = new LagAllowance(init.probeAfterMs)
  }

  async start (): Promise<void> {
    // Remembered peers: dial them again (and see expectMembers).
    for (const [peerId, known] of await this.store.peers.entries()) {
      this.remembered.set(peerId, known)
      this.dialer.know(peerId, known.addrs)
    }
    const pubsub = this.host.services.pubsub as any
    pubsub.topicValidators.set(this.topic, (_from: PeerId, msg: Message) => this.validate(msg))
    pubsub.addEventListener('message', this.onMessage)
    pubsub.addEventListener('subscription-change', this.onSubscriptionChange)
    pubsub.subscribe(this.topic)
    if (this.init.relay !== 'always') this.hookRelay(pubsub)
    this.hookDirect(pubsub)
    this.hookPublish(pubsub)
    if (pubsub.streamsOutbound instanceof Map && typeof pubsub.onPeerConnected === 'function') this.links = new GossipLinks(this.host as any, pubsub)
    this.host.addEventListener('peer:connect', this.onConnect)
    this.host.addEventListener('peer:disconnect', this.onDisconnect)
    this.host.addEventListener('self:peer:update', this.onSelfUpdate)

    this.heartbeatTickAt = performance.now()
    this.heartbeatTimer = setInterval(this.onHeartbeatTimer, this.init.heartbeatMs)
    this.arm()
    void this.publish(false)
  }

  /**
   * The other members of the committed configuration, once consensus has restored it: each
   * one not heard from yet is expected (FailureDetector.expect) at its remembered incarnation,
   * and its remembered addresses go into libp2p's peer store, so that a probe can dial it by
   * peer id — after a restart that store is empty, and a peer that never heartbeats again (it
   * died for good while this node was down) could not even be probed.
   */
  expectMembers (peerIds: readonly string[]): void {
    const self = this.host.peerId.toString()
    const now = performance.now()
    for (const peerId of peerIds) {
      if (peerId === self || this.detector.get(peerId) != null) continue
      const known = this.remembered.get(peerId)
      if (known != null && known.addrs.length > 0) {
        void this.host.peerStore.merge(peerIdFromString(peerId), { multiaddrs: parseAddrs(known.addrs) }).catch(() => {})
      }
      let incarnation = 1n
      try {
        if (known?.incarnation != null) incarnation = BigInt(known.incarnation)
      } catch {}
      this.detector.expect(peerId, incarnation, now)
    }
    this.drain()
  }

  /** Announce a graceful stop so peers mark us `left` rather than dead. */
  async leave (): Promise<void> {
    this.leaving = true
    clearInterval(this.heartbeatTimer)
    await this.publish(true)
  }

  /** A graceful stop starts here: peers hear `leaving` while everything still runs. */
  async beforeStop (): Promise<void> {
    await this.leave()
    // Give gossipsub a moment to flush the leaving heartbeat before the host goes.
    await new Promise(resolve => setTimeout(resolve, LEAVE_FLUSH_MS))
  }

  stop (): void {
    this.stopped = true
    clearInterval(this.heartbeatTimer)
    clearTimeout(this.tickTimer)
    this.armedAt = Infinity
    clearTimeout(this.greetTimer)
    const pubsub = this.host.services.pubsub as any
    pubsub.removeEventListener('message', this.onMessage)
    pubsub.removeEventListener('subscription-change', this.onSubscriptionChange)
    pubsub.topicValidators.delete(this.topic)
    this.unhookRelay?.()
    this.unhookDirect?.()
    this.host.removeEventListener('peer:connect', this.onConnect)
    this.host.removeEventListener('peer:disconnect', this.onDisconnect)
    this.host.removeEventListener('self:peer:update', this.onSelfUpdate)
  }

  view (): PeerView[] {
    const now = performance.now()
    return this.detector.all().map(m => {
      const hb = this.info.get(m.peerId)
      return {
        peerId: m.peerId,
        name: hb?.name ?? '',
        state: m.state,
        lastSeenMs: Math.max(0, Math.round(now - m.lastHeardAt)),
        addrs: hb?.addrs ?? [],
        version: hb?.version ?? '',
        load: hb?.load ?? 0,
        capabilities: hb?.capabilities ?? [],
        role: hb?.role ?? '',
        term: hb?.term ?? 0n,
        incarnation: m.incarnation,
        connected: this.isConnected(m.peerId),
        draining: hb?.draining ?? false
      }
    })
  }

  /**
   * Changes whenever what cluster formation decides on may have changed: a member added or
   * changing state, or a peer's heartbeat advertising another term or founding set. The
   * founding check runs on every Raft tick while a node has no cluster; it recomputes only
   * when this moved (issue 14: view() on every tick was 6.7 % of a waiting node's CPU at 25).
   */
  get revision (): number {
    return this.foundingRevision
  }

  /** The last heartbeat a peer sent (what it advertises: term, role, load, founding set). */
  heartbeatOf (peerId: string): Heartbeat | undefined {
    return this.info.get(peerId)
  }

  /**
   * How long the peer's process has run now, in the life its last heartbeat was from: that
   * heartbeat's uptime plus the wall-clock time since it arrived. A quiet heartbeat may be left
   * out for a long time (src/healing/liveness.ts), so the heartbeat's own figure can be minutes
   * old; a new process heartbeats at once with a new incarnation, which replaces it.
   */
  uptimeOf (peerId: string): number | undefined {
    const hb = this.info.get(peerId)
    const at = this.infoAt.get(peerId)
    return hb == null || at == null ? undefined : Number(hb.uptimeMs) + Math.max(0, Date.now() - at)
  }

  /** The incarnation this node's heartbeats carry. */
  get incarnation (): bigint {
    return this.ownIncarnation
  }

  /**
   * Start a new life: after the cluster declared this node dead, it heartbeats with a newer
   * (persisted) incarnation so peers and the leader see a restart, not the dead node; the
   * leader then commits node.alive. Announced at once.
   */
  renewIncarnation (incarnation: bigint): void {
    if (incarnation <= this.ownIncarnation) return
    this.ownIncarnation = incarnation
    this.announce()
  }

  /** Publish a heartbeat now, e.g. after a role change, instead of at the next interval. */
  announce (): void {
    // Once leaving, a role change during shutdown must not advertise this node as back.
    if (this.leaving) return
    void this.publish(false)
  }

  /**
   * Another authenticated frame came from the peer (a Raft message from a member): a sign of
   * life for the failure detector, as a heartbeat is (src/healing/liveness.ts). Only pushes
   * deadlines later, so the detector's timer stays as it is.
   */
  heardFrom (peerId: string): void {
    if (this.stopped) return
    this.detector.signOfLife(peerId, performance.now())
  }

  /**
   * The leader this node follows vouched for `members` (src/healing/liveness.ts readVouch has
   * judged the vouch): a sign of life for each — dated --heartbeat-ms ago, the earliest the
   * leader may have heard it, so a member that falls silent is probed no later than if this
   * node had heard the leader's frames from it itself; and when this node is among them, the
   * leader is vouching for it to its other followers too (quietPlan).
   */
  vouched (leader: string, members: readonly string[]): void {
    if (this.stopped) return
    const now = performance.now()
    const self = this.host.peerId.toString()
    this.lastVouchAt = now
    for (const peerId of members) {
      if (peerId === self) this.selfVouch = { leader, at: now }
      else {
        this.detector.signOfLife(peerId, now - this.init.heartbeatMs, now)
        this.vouchNamedAt.set(peerId, now)
      }
    }
  }

  /** The heartbeat interval (--heartbeat-ms): how recent a frame must be to count as current. */
  get heartbeatMs (): number {
    return this.init.heartbeatMs
  }

  /**
   * Publishes a heartbeat. A `periodic` one (the interval timer's) is skipped while its content
   * is what the last one said and a quiet interval has not passed (heartbeatDue); when it goes
   * out with that content, it leaves out the peers that get frames from this node anyway or a
   * pulse instead (quietPlan). One at a time: see `leaveOut`.
   */
  private async publish (leaving: boolean, periodic = false): Promise<void> {
    const next = this.publishing.then(async () => { await this.publishNow(leaving, periodic) })
    this.publishing = next.catch(() => {})
    await next
  }

  private async publishNow (leaving: boolean, periodic: boolean): Promise<void> {
    if (this.stopped) return
    const local = this.init.localState()
    const now = performance.now()
    // What this heartbeat tells peers about this node, its own detector holds for itself: while
    // its cluster is forming, timed-out probes suspect nobody (src/healing/failure-detector.ts).
    this.detector.forming(forming(local.term, local.leader))
    const hb: Heartbeat = {
      mesh: this.init.mesh,
      name: this.init.name,
      version: VERSION,
      addrs: this.ownAddrs(now),
      incarnation: this.ownIncarnation,
      seq: 0n,
      load: local.load,
      queued: local.queued,
      slots: local.slots,
      draining: local.draining,
      capabilities: local.capabilities != null ? [...local.capabilities] : this.init.capabilities,
      role: local.role,
      term: local.term,
      leader: local.leader,
      uptimeMs: BigInt(Date.now() - this.init.startedAt),
      leaving,
      bootstrapSet: local.bootstrapSet,
      bootstrapVoters: local.bootstrapVoters != null && local.bootstrapVoters !== 0 ? local.bootstrapVoters : undefined,
      fullyConnected: fullyConnected(this.relayMembers()),
      quietMs: (QUIET_FACTOR - 1) * this.init.heartbeatMs,
      lagMs: this.detector.allowance !== 0 ? this.detector.allowance : undefined,
      framesAlive: true,
      vouchMembers: local.vouchMembers != null && local.vouchMembers !== 0 ? local.vouchMembers : undefined,
      direct: this.directTags()
    }
    const content = contentOf(hb)
    // A member newly heard straight from can wait for the next quiet heartbeat (until then its
    // relays still come); one no longer heard so cannot: peers hold its relays back from here.
    const unlinked = this.lastDirect.some(t => !hb.direct.includes(t))
    if (periodic && !heartbeatDue(content !== this.lastContent || unlinked, now - this.lastPublishedAt, this.init.heartbeatMs)) return
    this.lastContent = content
    this.lastPublishedAt = now
    this.lastDirect = hb.direct
    hb.seq = ++this.seq
    this.greeter.published(now)
    const plan = periodic && content === this.lastFullContent
      ? quietPlan(this.frameLivenessPeers(), this.fullRecipients, now, this.init.heartbeatMs, !this.relayNeeded(), this.ownVouch(local))
      : undefined
    const leaveOut = plan?.leaveOut
    this.leaveOut = leaveOut != null && leaveOut.size > 0 ? leaveOut : undefined
    for (const peer of plan?.pulse ?? []) this.frames?.pulse(peer)
    if (plan != null && plan.pulse.size > 0) { this.lastPulseAt = now; this.pulsesSinceLine += plan.pulse.size }
    if (plan != null && plan.vouched.size > 0) this.metrics.pulsesVouched.inc(plan.vouched.size)
    try {
      const recipients = (await this.host.services.pubsub.publish(this.topic, encodeHeartbeat(hb)))?.recipients ?? []
      this.metrics.heartbeatsSent.inc()
      this.lastHeartbeatAt = now
      if (this.leaveOut == null && leaveOut != null && leaveOut.size > 0) {
        // Those it went to have the content too (a peer that reconnected, say).
        this.metrics.heartbeatsLeftOut.inc(leaveOut.size)
        for (const p of recipients) this.fullRecipients.add(p.toString())
      } else if (leaveOut == null || leaveOut.size === 0) {
        this.lastFullContent = content
        this.fullRecipients = new Set(recipients.map(p => p.toString()))
      }
    } catch (err: any) {
      this.log.debug({ err: err?.message }, 'heartbeat publish failed')
    } finally {
      this.leaveOut = undefined
    }
  }

  /**
   * The members whose heartbeats reach this node straight from them (src/healing/relay.ts): one
   * of their heartbeats came from them, not relayed, and the connection it came over is still
   * open. Not a member it suspects or holds dead: it is not hearing that one, whatever the
   * connection looks like (half open, a stream gossipsub gave up on), so relays of its
   * heartbeats are welcome. None past HEARTBEAT_LIMITS.direct.
   */
  private directTags (): number[] {
    const tags: number[] = []
    for (const [id, tag] of this.heardDirect) {
      const state = this.detector.get(id)?.state
      if (state === 'suspect' || state === 'dead' || !this.isConnected(id)) continue
      tags.push(tag)
    }
    return tags.length <= HEARTBEAT_LIMITS.direct ? tags : []
  }

  /**
   * Notes each peer whose heartbeat arrives straight from it (directTags), duplicates included:
   * gossipsub drops a copy it has seen before validating it, so only its receive path sees them
   * all. A connection being open is not enough: the peer publishes to this node only once it
   * has this node's subscription, which on a loaded host comes seconds after the connection —
   * listed meanwhile, relays this node still needed would have been held back.
   */
  private hookDirect (pubsub: any): void {
    const receive = pubsub.handleReceivedMessage
    if (typeof receive !== 'function') return
    pubsub.handleReceivedMessage = (from: PeerId, msg: { topic?: string, from?: Uint8Array }, ...rest: unknown[]): unknown => {
      if (msg?.topic === this.topic && msg.from != null && !this.heardDirect.has(from.toString()) && equals(msg.from, from.toMultihash().bytes)) {
        this.heardDirect.set(from.toString(), peerTag(msg.from))
      }
      return receive.call(pubsub, from, msg, ...rest)
    }
    this.unhookDirect = () => { pubsub.handleReceivedMessage = receive }
  }

  /** The live members as the frames-as-liveness rule reads them (src/healing/liveness.ts). */
  private * frameLivenessPeers (): Generator<FrameLivenessPeer> {
    const frames = this.frames
    if (frames == null) return
    for (const m of this.detector.all()) {
      if (m.state !== 'alive') continue
      const hb = this.info.get(m.peerId)
      const peerId = m.peerId
      // Read only for a peer that neither a frame nor a vouch covers (quietPlan): asking may open a stream.
      yield { peerId, framesAlive: hb?.framesAlive === true, lastFrameSentAt: frames.sentAt(peerId), get pulsable () { return frames.canPulse(peerId) }, leader: hb?.leader, vouchMembers: hb?.vouchMembers }
    }
  }

  /** This node's side of vouching (quietPlan): the leader it follows, its list, when that leader last vouched for it. */
  private ownVouch (local: LocalState): OwnVouch | undefined {
    if (local.leader === '' || local.leader === this.host.peerId.toString() || local.vouchMembers == null || local.vouchMembers === 0) return undefined
    const v = this.selfVouch
    return { leader: local.leader, members: local.vouchMembers, vouchedAt: v != null && v.leader === local.leader ? v.at : undefined }
  }

  /**
   * Leaves the peers in `leaveOut` out of the heartbeat being published (frames as liveness).
   * gossipsub's publish picks its recipients here after building and signing the message; the
   * set is consumed by the first selection, so nothing else is ever left out.
   */
  private hookPublish (pubsub: any): void {
    const select = pubsub.selectPeersToPublish
    if (typeof select !== 'function') return
    pubsub.selectPeersToPublish = (topic: string, ...rest: unknown[]): { tosend: Set<string> } => {
      const picked = select.call(pubsub, topic, ...rest)
      const leaveOut = this.leaveOut
      if (topic !== this.topic || leaveOut == null) return picked
      this.leaveOut = undefined
      for (const id of leaveOut) picked.tosend.delete(id)
      return picked
    }
    const unhookRelay = this.unhookRelay
    this.unhookRelay = () => {
      unhookRelay?.()
      pubsub.selectPeersToPublish = select
    }
  }

  /**
   * The host's addresses for a heartbeat. libp2p builds them afresh on every call (each
   * listener's addresses, verification and expiry filters, a new Multiaddr with /p2p/ per
   * address, then the strings): ~1.6 % of an idle node's main-thread CPU at 10 nodes when read
   * for every heartbeat (BENCHMARKS.md, issue 14, stop 30). They change when a transport starts
   * or stops listening, which libp2p announces with 'self:peer:update' (onSelfUpdate drops the
   * copy); otherwise they are re-read every ADDRS_REREAD_MS, and never kept while empty.
   */
  private ownAddrs (now: number): string[] {
    if (now - this.addrs.at >= ADDRS_REREAD_MS || this.addrs.list.length === 0) {
      this.addrs = { at: now, list: this.host.getMultiaddrs().map(a => a.toString()) }
    }
    return this.addrs.list
  }

  private readonly onSelfUpdate = (): void => {
    this.addrs = { at: -Infinity, list: [] }
  }

  /** Heartbeats validate() decoded, by their bytes: gossipsub delivers the same message object next. */
  private readonly validated = new WeakMap<Uint8Array, Heartbeat>()

  /** Gossip validation: runs before a message is delivered or forwarded. */
  private validate (msg: Message): TopicValidatorResult {
    const verdict = decodeHeartbeat(msg.data, this.init.mesh)
    if (verdict.ok) {
      this.validated.set(msg.data, verdict.heartbeat)
      return TopicValidatorResult.Accept
    }
    const m = this.metrics
    m.gossipRejected.inc()
    const byReason = verdict.reason === 'oversize' ? m.gossipOversize : verdict.reason === 'wrong-mesh' ? m.gossipWrongMesh : m.gossipMalformed
    byReason.inc()
    m.gossipRejects.labels(verdict.reason === 'oversize' ? 'oversize' : verdict.reason === 'wrong-mesh' ? 'wrong_mesh' : 'malformed').inc()
    this.log.warn({ from: msg.type === 'signed' ? msg.from.toString() : 'unsigned', reason: verdict.reason, detail: verdict.detail }, 'rejected heartbeat')
    return TopicValidatorResult.Reject
  }

  private readonly onMessage = (evt: CustomEvent<Message>): void => {
    const msg = evt.detail
    if (msg.topic !== this.topic) return
    if (msg.type !== 'signed') {
      // StrictSign makes this unreachable unless a peer bypassed validation; never trust it.
      this.metrics.gossipForgedSender.inc()
      this.metrics.gossipRejects.labels('forged_sender').inc()
      return
    }
    let hb = this.validated.get(msg.data)
    if (hb === undefined) {
      const verdict = decodeHeartbeat(msg.data, this.init.mesh)
      if (!verdict.ok) return
      hb = verdict.heartbeat
    }
    const peerId = msg.from.toString()
    if (peerId === this.host.peerId.toString()) return
    this.metrics.heartbeatsReceived.inc()
    const fresh = this.detector.heartbeat(peerId, hb.incarnation, hb.seq, performance.now(), hb.leaving, hb.quietMs ?? 0, forming(hb.term, hb.leader), hb.lagMs ?? 0)
    // Its connection may have opened before the detector knew it (the first heartbeat comes over
    // it): it counts as reached, as if the connection had opened now.
    if (this.detector.get(peerId)?.reached === false && this.isConnected(peerId)) this.detector.connected(peerId, performance.now())
    if (!fresh) return
    this.heartbeatAt.set(peerId, performance.now())
    const prev = this.info.get(peerId)
    // A new life of the peer knows nothing this node said before.
    if (prev != null && prev.incarnation !== hb.incarnation) this.fullRecipients.delete(peerId)
    this.info.set(peerId, hb)
    this.infoAt.set(peerId, Date.now())
    if (prev == null || prev.term !== hb.term || prev.bootstrapSet.join() !== hb.bootstrapSet.join() || prev.bootstrapVoters !== hb.bootstrapVoters) this.foundingRevision++
    if (hb.leaving) {
      this.dialer.forgetUntilSeen(peerId)
    } else {
      this.dialer.know(peerId, hb.addrs)
    }
    if (prev == null || prev.name !== hb.name || prev.addrs.join() !== hb.addrs.join() || prev.incarnation !== hb.incarnation) {
      // Probes dial by PeerId, so the peer store must know addresses learned through gossip.
      void this.host.peerStore.merge(msg.from, { multiaddrs: parseAddrs(hb.addrs) }).catch(() => {})
      const known = { peerId, name: hb.name, addrs: hb.addrs, lastSeen: Date.now(), incarnation: hb.incarnation.toString() }
      this.remembered.set(peerId, known)
      void this.store.peers.put(peerId, known)
        .catch(err => this.log.warn({ err: err?.message }, 'could not remember peer'))
    }
    for (const listener of this.onHeartbeat) listener(peerId, hb)
    this.drain()
  }

  private readonly onSubscriptionChange = (evt: CustomEvent<{ peerId: PeerId, subscriptions: Array<{ topic: string, subscribe: boolean }> }>): void => {
    // A peer just joined our topic: greet it now instead of at the next interval, which
    // shaves up to one heartbeat period off formation. Rate-limited by the peers known, never
    // dropped (Greeter).
    if (!evt.detail.subscriptions.some(s => s.topic === this.topic && s.subscribe)) return
    if (this.stopped || this.leaving) return
    const wait = this.greeter.subscribed(performance.now(), this.detector.all().length)
    if (wait === 0) void this.publish(false)
    else if (wait !== null) this.greetTimer = setTimeout(() => { if (this.greeter.due() && !this.leaving) void this.publish(false) }, wait)
  }

  private readonly onConnect = (evt: CustomEvent<PeerId>): void => {
    this.log.debug({ peer: evt.detail.toString() }, 'peer connected')
    this.detector.connected(evt.detail.toString(), performance.now())
    this.drain()
  }

  private readonly onDisconnect = (evt: CustomEvent<PeerId>): void => {
    if (this.stopped) return
    this.log.debug({ peer: evt.detail.toString() }, 'peer disconnected')
    // What was on its way to it may be lost with the connection: it gets heartbeats again
    // until one has reached it (frames as liveness).
    this.fullRecipients.delete(evt.detail.toString())
    // A heartbeat must come straight from it over the next connection before it is listed again.
    if (!this.isConnected(evt.detail.toString())) this.heardDirect.delete(evt.detail.toString())
    this.detector.disconnected(evt.detail.toString(), performance.now())
    this.drain()
  }

  private readonly onHeartbeatTimer = (): void => {
    const now = performance.now()
    const late = now - this.heartbeatTickAt - this.init.heartbeatMs
    this.lagged(late, now)
    if (this.log.isLevelEnabled('debug')) this.intervalLine(late, now)
    this.heartbeatTickAt = now
    void this.publish(false, true)
    this.links?.check(now).then(n => { if (n > 0) this.metrics.gossipLinksReopened.inc(n) }, err => { this.log.debug({ err: err?.message }, 'gossip link check failed') })
  }

  /**
   * At debug, one line a heartbeat interval: how late its timer fired, and when this node last
   * published a heartbeat and sent pulses. A voter at 50 processes went silent to ten peers with
   * no line in its own log for 4 minutes (BENCHMARKS.md, issue 14, stop 45, helper scale22):
   * these lines say whether its loop ran at all, and whether it sent anything while it did.
   */
  private intervalLine (late: number, now: number): void {
    const ago = (at: number): number | undefined => at === -Infinity ? undefined : Math.round(now - at)
    this.log.debug({ lateMs: Math.round(late), allowanceMs: this.detector.allowance, heartbeatAgoMs: ago(this.lastHeartbeatAt), seq: Number(this.seq), pulseAgoMs: ago(this.lastPulseAt), pulses: this.pulsesSinceLine, leftOut: this.leaveOut?.size ?? 0 }, 'heartbeat interval')
    this.pulsesSinceLine = 0
  }

  private readonly tick = (): void => {
    const now = performance.now()
    const late = now - this.tickDueAt
    this.tickTimer = undefined
    this.armedAt = Infinity
    if (this.stopped) return
    this.lagged(late, now)
    this.detector.tick(now)
    this.drain()
  }

  /**
   * One of this node's timers fired `late` ms after it was due: the detector's thresholds and
   * the probe timeout stretch by what the lag rule allows now (src/healing/lag.ts).
   */
  private lagged (late: number, now: number): void {
    this.lag.observe(late, now)
    const allowance = this.lag.allowance(now)
    if (allowance === this.detector.allowance) return
    this.detector.stretch(allowance)
    this.metrics.lagAllowance.set(allowance / 1000)
  }

  /** After every input: run what the detector asks for, then keep its timer at its next deadline. */
  private drain (): void {
    const { probes, transitions } = this.detector.ready()
    for (const t of transitions) this.applyTransition(t)
    for (const peerId of probes) void this.probe(peerId)
    this.arm()
  }

  /**
   * Keeps one timer at the detector's next deadline instead of ticking every 25 ms: an idle
   * mesh whose peers all heartbeat wakes this node about once per probeAfterMs, not 40 times a
   * second. A timer already set for an earlier time is kept: most inputs (a heartbeat) only
   * push deadlines later, and a timer that fires early finds nothing due, and is set again for
   * the deadline as it is then. A later-moving deadline therefore costs no timer churn. Probes
   * run at their deadline (to the millisecond) instead of up to one 25 ms tick after it.
   */
  private arm (): void {
    if (this.stopped) return
    const at = this.detector.nextDeadline()
    if (at >= this.armedAt) return
    clearTimeout(this.tickTimer)
    this.tickTimer = undefined
    this.armedAt = at
    if (at === Infinity) return
    // At least 1 ms: a timer may fire a fraction of a millisecond before the deadline on
    // performance.now(), and must then wait again rather than spin.
    const now = performance.now()
    const wait = Math.max(1, Math.ceil(at - now))
    this.tickDueAt = now + wait
    this.tickTimer = setTimeout(this.tick, wait)
  }

  private applyTransition (t: Transition): void {
    this.foundingRevision++
    this.lastChangeAt = performance.now()
    // Suspicions, deaths and refutations are counted by the detector (metrics.ts reads them).
    if (t.to === 'dead' || t.to === 'suspect') {
      // How it was judged: the silence, this node's own lag allowance and the peer's announced lag.
      const m = this.detector.get(t.peerId)
      const now = performance.now()
      const silentMs = m != null ? Math.round(now - m.lastHeardAt) : undefined
      this.log.warn({ peer: t.peerId, name: this.info.get(t.peerId)?.name, from: t.from, to: t.to, reason: t.reason, probeErr: this.probeErrors.get(t.peerId), silentMs, allowanceMs: this.detector.allowance, peerLagMs: m?.lagMs, ...this.linkOf(t.peerId, now) }, 'membership change')
    } else {
      this.log.info({ peer: t.peerId, name: this.info.get(t.peerId)?.name, from: t.from, to: t.to, reason: t.reason }, 'membership change')
    }
    // A peer declared dead may still hold a connection that went silent (a cut link gives no
    // close): drop it, so that when the peer is reachable again the dialer opens a fresh one
    // and gossip starts over on it. Chaos runs showed two hosts that had declared each other
    // dead still connected afterwards, Raft flowing between them, but no heartbeat arriving
    // to revive either one for over 30 s.
    if (t.to === 'dead') void this.host.hangUp(peerIdFromString(t.peerId)).catch(() => {})
    for (const fn of this.onTransition) fn(t)
  }

  /**
   * What this node held of its link to a peer it suspects, for the log line: whether a gossip
   * heartbeat or only other signs of life stopped (ms since the last heartbeat), how long ago
   * this node counted a vouch from its leader and one that named the peer (a quiet peer's
   * liveness may rest on those alone), whether a connection was open (and since when), whether
   * gossipsub had a stream each way, and whether heartbeats went to every peer (no relay
   * needed: a quiet heartbeat may be left out).
   */
  private linkOf (peerId: string, now: number): Record<string, unknown> {
    const pubsub = this.host.services.pubsub as any
    let conns: Array<{ status: string, timeline?: { open?: number } }> = []
    try { conns = this.host.getConnections(peerIdFromString(peerId)) } catch {}
    const open = conns.filter(c => c.status === 'open')
    const hbAt = this.heartbeatAt.get(peerId)
    const named = this.vouchNamedAt.get(peerId)
    return {
      hbAgoMs: hbAt === undefined ? undefined : Math.round(now - hbAt),
      vouchAgoMs: this.lastVouchAt === undefined ? undefined : Math.round(now - this.lastVouchAt),
      vouchNamedAgoMs: named === undefined ? undefined : Math.round(now - named),
      conns: open.length,
      connAgeMs: open.length > 0 ? Date.now() - Math.min(...open.map(c => c.timeline?.open ?? Date.now())) : undefined,
      gossipOut: pubsub?.streamsOutbound?.has?.(peerId),
      gossipIn: pubsub?.streamsInbound?.has?.(peerId),
      relay: this.relayNeeded()
    }
  }

  /** When (performance.now()) each peer's last fresh gossip heartbeat arrived: linkOf. */
  private readonly heartbeatAt = new Map<string, number>()

  /** The members as the relay rule (src/healing/relay.ts) reads them. */
  private * relayMembers (): Generator<RelayMember> {
    for (const m of this.detector.all()) {
      yield { state: m.state, connected: m.state === 'alive' && this.isConnected(m.peerId), fullyConnected: this.info.get(m.peerId)?.fullyConnected === true }
    }
  }

  /** Should gossip be forwarded to mesh peers now (src/healing/relay.ts)? */
  relayNeeded (): boolean {
    return relayNeeded(this.relayMembers(), performance.now() - this.lastChangeAt)
  }

  /**
   * gossipsub repairs delivery two ways, and both are relays: it forwards every new message to
   * its mesh peers (selectPeersToForward, called after the 'message' event, so this sees the
   * heartbeat just applied), and on each of its own heartbeats it sends IHAVE, the ids of the
   * messages of the last few seconds, to Dlazy non-mesh peers (emitGossip). While no relay is
   * needed (every member alive here is connected and says it is fully connected, none
   * suspected, no recent change) every heartbeat already reaches every member straight from
   * its author, so both are skipped for the heartbeat topic: a settled 10-node mesh sent ~2
   * IHAVE frames a second per node (BENCHMARKS.md, issue 14, stop 27), each answered by no
   * IWANT. The mesh (GRAFT/PRUNE) and flood publishing go on, so both resume with the first
   * message or gossip heartbeat after a change.
   */
  private hookRelay (pubsub: any): void {
    const select = pubsub.selectPeersToForward
    const forward = pubsub.forwardMessage
    const emit = pubsub.emitGossip
    if (typeof select !== 'function') return
    pubsub.selectPeersToForward = (topic: string, ...rest: unknown[]): Set<string> => {
      if (topic !== this.topic) return select.call(pubsub, topic, ...rest)
      if (!this.relayNeeded()) {
        this.metrics.gossipRelaysSkipped.inc()
        return new Set()
      }
      const peers: Set<string> = select.call(pubsub, topic, ...rest)
      const author = this.forwarding
      if (author === undefined) return peers
      // Only to the peers that do not hear the author straight from it (relayTo).
      for (const peer of peers) {
        if (!relayTo(author, this.info.get(peer)?.direct)) {
          peers.delete(peer)
          this.metrics.gossipRelaysUnneeded.inc()
        }
      }
      return peers
    }
    if (typeof forward === 'function') {
      // selectPeersToForward is not told whose message it forwards; forwardMessage is, and calls it.
      pubsub.forwardMessage = (msgId: string, raw: { from?: Uint8Array }, ...rest: unknown[]): unknown => {
        this.forwarding = raw?.from != null ? peerTag(raw.from) : undefined
        try {
          return forward.call(pubsub, msgId, raw, ...rest)
        } finally {
          this.forwarding = undefined
        }
      }
    }
    if (typeof emit === 'function') {
      pubsub.emitGossip = (peersByTopic: Map<string, Set<string>>): unknown => {
        if (peersByTopic.has(this.topic) && !this.relayNeeded()) {
          peersByTopic = new Map(peersByTopic)
          peersByTopic.delete(this.topic)
        }
        return emit.call(pubsub, peersByTopic)
      }
    }
    this.unhookRelay = () => {
      pubsub.selectPeersToForward = select
      if (typeof forward === 'function') pubsub.forwardMessage = forward
      if (typeof emit === 'function') pubsub.emitGossip = emit
    }
  }

  /**
   * Probe a peer now (the stuck-job watch asks this of a peer that holds work and does not
   * answer): the result feeds the failure detector like any probe, so a peer that is gone is
   * suspected — and through a majority, declared dead — sooner.
   */
  probeNow (peerId: string): void {
    if (this.stopped) return
    void this.probe(peerId)
  }

  /**
   * One probe as the detector sees it. A stream or connection reset under the ping says
   * nothing certain at load (a crashed process's port refuses the next dial instead), so it is
   * tried again at once over a fresh stream — on a new connection if the old one closed, whose
   * dial a crashed peer refuses — and a second failure that is not a refusal counts as timed
   * out. Our own stream limit reached is inconclusive (probeFailure).
   */
  private async probe (peerId: string): Promise<void> {
    this.metrics.probes.inc()
    const sentAt = performance.now()
    const signal = timeoutAfterPoll(this.detector.probeWaitMs(peerId, this.init.probeTimeoutMs))
    let outcome = await this.ping(peerId, signal)
    if (outcome === 'reset' && !signal.aborted && !this.stopped) {
      this.metrics.probesRetried.inc()
      outcome = await this.ping(peerId, signal)
      if (outcome === 'reset' || outcome === 'inconclusive') outcome = 'timed-out'
    }
    if (this.stopped) return
    if (outcome === 'answered') this.probeErrors.delete(peerId)
    this.detector.probeResult(peerId, outcome === 'reset' ? 'timed-out' : outcome, performance.now(), sentAt)
    this.drain()
  }

  /** One ping of `peerId` and how it ended. */
  private async ping (peerId: string, signal: AbortSignal): Promise<ProbeOutcome | 'reset'> {
    try {
      // Through an open connection (pingPeer): libp2p's own ping, dialling by peer id, could be
      // handed a listed connection that had closed, and call a live peer refused.
      await pingPeer(this.host, peerIdFromString(peerId), { signal })
      return 'answered'
    } catch (err: any) {
      const outcome = probeFailure(err)
      this.metrics.probesFailed.inc()
      this.log.debug({ peer: peerId, err: err?.message, name: err?.name, code: err?.code, outcome }, 'probe failed')
      this.probeErrors.set(peerId, String(err?.code ?? err?.name ?? err?.message))
      return outcome
    }
  }

  /** How each peer's last failed probe failed (an error code or name), until one is answered: logged with a suspicion. */
  private readonly probeErrors = new Map<string, string>()

  /**
   * view() asks this for every peer, and the founding check calls view() on every Raft tick:
   * parsing each PeerId every time was ~4 % of a node's CPU in a 25-node profile (issue 14).
   */
  private readonly parsedIds = new Map<string, PeerId | null>()

  isConnected (peerId: string): boolean {
    let pid = this.parsedIds.get(peerId)
    if (pid === undefined) {
      try { pid = peerIdFromString(peerId) } catch { pid = null }
      if (this.parsedIds.size > 10_000) this.parsedIds.clear()
      this.parsedIds.set(peerId, pid)
    }
    // An open one: libp2p may still list a connection that closed, and counting it had this
    // node report itself fully connected (no gossip relays) while it could reach nobody on it.
    return pid != null && openConnectionTo(this.host, pid) != null
  }
}

/**
 * Whether a node whose heartbeat says `term` and `leader` is forming a cluster, as the failure
 * detector reads it: term 0, it belongs to none yet (it founds one, or waits to join one); or
 * term 1 with no leader, its cluster is founded but has never elected a leader (the first
 * election moves the term to 2, so this never comes back). At 50 processes on two cores the
 * founders' usual rules began with the founding, while the mesh was as starved as before it:
 * 3 400 suspicions and 1 860 local deaths in the minute after founding, each death hanging up a
 * connection the first election needed, and no leader elected (BENCHMARKS.md, issue 14, stop 41).
 */
export function forming (term: bigint, leader: string): boolean {
  return term === 0n || (term <= 1n && leader === '')
}

/** Error codes and message fragments that mean the peer's address refused the dial: no process listens there. */
const REFUSED_CODES = new Set(['ECONNREFUSED'])
const REFUSED_TEXT = /ECONNREFUSED/
/** Error codes, names and message fragments of a stream or connection reset under the ping. */
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ERR_UNEXPECTED_EOF', 'ERR_STREAM_RESET', 'ERR_CONNECTION_CLOSED'])
const RESET_NAMES = new Set(['UnexpectedEOFError', 'StreamResetError', 'ConnectionClosedError'])
const RESET_TEXT = /ECONNRESET|EPIPE/
/** This node's own limit of outbound ping streams per connection was reached: the ping never went. */
const OWN_LIMIT_NAMES = new Set(['TooManyOutboundProtocolStreamsError'])
const OWN_LIMIT_TEXT = /Too many outbound protocol streams/
const NONE = new Set<string>()

/**
 * How a failed ping failed. Refused: the dial was refused — measured on loopback, a killed
 * process gives `connect ECONNREFUSED` (code ECONNREFUSED) within a millisecond. Reset: the
 * connection or stream ended under the ping (UnexpectedEOFError, StreamResetError, ECONNRESET,
 * a closed connection): what a ping in flight to a process that just died gets, but at 50
 * processes on two cores every such failure came from a live peer (BENCHMARKS.md, issue 14,
 * stop 43), so the probe tries once more (Membership.probe). Inconclusive: our own stream limit
 * (a ping stream of ours, or libp2p's connection monitor's, still open): the peer was never
 * asked. Anything else (our timeout, a SIGSTOPped or cut-off host, an error that proves
 * nothing) is timed out: it makes the peer suspect, and dead only after --dead-after-ms of
 * silence. A refusal anywhere in the error's causes wins over a reset.
 */
export function probeFailure (err: any): ProbeOutcome | 'reset' {
  const seen = new Set<any>()
  const find = (e: any, codes: Set<string>, names: Set<string>, text: RegExp): boolean => {
    if (e == null || typeof e !== 'object' || seen.has(e)) return false
    seen.add(e)
    if (codes.has(e.code) || names.has(e.name)) return true
    if (typeof e.message === 'string' && text.test(e.message)) return true
    if (Array.isArray(e.errors) && e.errors.some((x: any) => find(x, codes, names, text))) return true
    return find(e.cause, codes, names, text)
  }
  const has = (codes: Set<string>, names: Set<string>, text: RegExp): boolean => {
    seen.clear()
    return find(err, codes, names, text)
  }
  if (has(REFUSED_CODES, NONE, REFUSED_TEXT)) return 'refused'
  if (has(RESET_CODES, RESET_NAMES, RESET_TEXT)) return 'reset'
  if (has(NONE, OWN_LIMIT_NAMES, OWN_LIMIT_TEXT)) return 'inconclusive'
  return 'timed-out'
}

/** A heartbeat's content for quiet heartbeats: every field but seq and uptime_ms (which always move) and lag_ms (a peer that gets no heartbeat hears frames). */
export function contentOf (hb: Heartbeat): string {
  return JSON.stringify([hb.addrs, String(hb.incarnation), hb.load, hb.queued, hb.slots, hb.draining, hb.capabilities, hb.role, String(hb.term), hb.leader, hb.leaving, hb.bootstrapSet, hb.bootstrapVoters, hb.fullyConnected, hb.name, hb.version, hb.framesAlive, hb.vouchMembers])
}
