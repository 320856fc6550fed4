// The consensus service: the I/O shell around the Raft core. It persists every Ready to
// LevelDB before sending its messages, applies committed entries to the control state
// machine, resolves proposals, founds the cluster (--expect) and hands leadership over on a
// graceful stop. Healing policy (a dead leader, adding joiners, promoting learners, replacing
// long-dead voters) is the healer's (src/healing/healer.ts), and deaths by quorum are the
// death tally's (src/healing/death-quorum.ts): this shell feeds them the inputs and carries
// out their decisions.
//
// Deaths, for the layers that react to them (reclaim, re-homing): a death is a decision, not
// an observation. Act on `onNodeDead` (a node.dead entry was applied and recorded a death:
// act now) and read `deadPeers()` (ControlState.dead); never on the failure detector. A node
// that learns it was itself declared dead calls `onDeclaredDead` (drop the work held before
// the death), then renews its incarnation; the leader commits node.alive once it hears the
// new one, and `onNodeAlive` fires when that entry applies.
import { peerIdFromString } from '@libp2p/peer-id'
import { performance } from 'node:perf_hooks'
import type { PrivateKey } from '@libp2p/interface'
import { advertiseFounders, campaignAtFounding, decideBootstrap, firstFounder, type BootstrapDecision, type PeerView } from '../../consensus/bootstrap.js'
import { TickClock } from './tick-clock.js'
import { ControlState, encodeCommand, type ApplyResult, type ControlCommand, type JobMove } from '../../consensus/control.js'
import { mulberry32 } from '../../prng.js'
import { defaultRaftOptions } from '../../consensus/options.js'
import { RaftCore } from '../../consensus/raft.js'
import type { ConfState, Entry, Message } from '../../consensus/types.js'
import { decodeConfChange } from '../../consensus/confchange.js'
import type { RaftStatus } from '../../consensus/raft.js'
import type { Transition } from '../../healing/failure-detector.js'
import { raftStretchTicks } from '../../healing/lag.js'
import { VOUCH_GAP_MS, makeVouch, memberList, unvouched, type MemberList, type Vouch } from '../../healing/liveness.js'
import { Healer, defaultHealerOptions, proposeFirst } from '../../healing/healer.js'
import { QuorumContact, type QuorumContactOptions, type QuorumContactView } from '../../healing/quorum-contact.js'
import { DeathTally, OpinionOutbox, declaredDead, needsAlive, type AliveProposal, type DeathProposal, type Opinion } from '../../healing/death-quorum.js'
import type { DeadRecord } from '../../consensus/control.js'
import { sendDeathOpinions } from './internal.js'
import { START_OPTIONS, optionDefault } from '../config.js'
import { MeshError } from '../errors.js'
import type { Host } from '../transport/host.js'
import type { Logger } from '../log.js'
import type { Metrics } from '../metrics.js'
import type { Membership } from './membership.js'
import { RaftStore } from '../store/raft-store.js'
import { RaftTransport } from '../transport/raft-transport.js'
import type { Dialer } from '../transport/dialer.js'
import type { Store } from '../store/store.js'

/**
 * How a proposal ends when the leader that took it lost leadership before it committed: the
 * entry may or may not commit under the next leader. Callers whose command is idempotent
 * (registrations) propose again.
 */
export const LEADERSHIP_CHANGED = 'leadership changed'

export interface ConsensusOptions {
  /** Founders to wait for before bootstrapping (Consul's bootstrap_expect). */
  expect: number
  /** Whether the node was given --peer addresses or remembers peers. */
  hasPeers: boolean
  /** Wall-clock length of one Raft tick. */
  tickMs: number
  /** Election timeout in ticks (randomized up to twice this). */
  electionTicks: number
  /** Leader heartbeat interval in ticks. */
  heartbeatTicks: number
  /** Voters beyond this stay learners. */
  voterCap: number
  /** Compact the log once this many entries follow the last snapshot. */
  snapshotEvery: number
  /** A voter dead this long is replaced by a learner. */
  removeDeadVoterAfterMs: number
  /** How long propose() waits for commit before failing with "no quorum". */
  proposeTimeoutMs: number
  /** When quorum contact counts as lost (src/healing/quorum-contact.ts). */
  quorumContact?: Partial<QuorumContactOptions>
}

export const defaultConsensusOptions: ConsensusOptions = {
  // Start options (--expect, --voter-cap, --snapshot-every) default where they are declared.
  expect: optionDefault(START_OPTIONS.expect),
  hasPeers: false,
  // 30 ms ticks with the Raft core's defaults (10-tick elections, a heartbeat every 3 ticks):
  // 300–600 ms timeouts and three heartbeats per timeout (see src/consensus/options.ts) while
  // anything is being replicated; at rest the leader goes quiet (a heartbeat every 600 ms,
  // followers time out after 1.5–1.8 s). A leader the failure detector sees die is replaced
  // faster than any timeout (onTransition); a silent one (paused, partitioned with its
  // connections open) by that quiet timeout or by the failure detector's silence rule
  // (--probe-after-ms, then probes), whichever fires first.
  tickMs: 30,
  electionTicks: defaultRaftOptions.electionTicks,
  heartbeatTicks: defaultRaftOptions.heartbeatTicks,
  voterCap: optionDefault(START_OPTIONS.voterCap),
  snapshotEvery: optionDefault(START_OPTIONS.snapshotEvery),
  removeDeadVoterAfterMs: defaultHealerOptions.removeDeadVoterAfterMs,
  proposeTimeoutMs: 5_000
}

interface Pending {
  term: number
  resolve: (r: ApplyResult) => void
  reject: (err: Error) => void
  timer: NodeJS.Timeout
}

/** What the consensus service uses of the node. */
export interface ConsensusComponents {
  host: Host
  /** Connects the peers Raft must reach (RaftTransport.connect); without it Raft dials them itself. */
  dialer?: Pick<Dialer, 'want'>
  store: Store
  membership: Membership
  privateKey: PrivateKey
  log: Logger
  metrics: Metrics
  /** This process's incarnation at start (renewed here if the cluster declares the node dead). */
  incarnation: bigint
}

/** A committed death, as `onNodeDead` and `onDeclaredDead` report it. */
export interface CommittedDeath {
  peerId: string
  incarnation: number
  reason: string
  /** Log index of the node.dead entry. */
  index: number
}

/** Ticks between checks that this voter's death opinions are due at the leader (~90 ms). */
const OPINION_TICKS = 3
/** While the core is quiet, the shell wakes once per this many ticks and runs them together (TickClock). */
const QUIET_TICK_BATCH = 5

export class ConsensusService {
  core: RaftCore | null = null
  control = new ControlState()
  private raftStore!: RaftStore
  private readonly transport: RaftTransport
  /** The committed configuration's member list as vouches index it, for the conf it was made from. */
  private vouchList?: { conf: ConfState, list: MemberList }
  /** Leader: the vouch it last made (one for every follower), and when. */
  private lastVouch?: { at: number, list: MemberList, vouch: Vouch }
  private readonly pending = new Map<number, Pending>()
  private readonly clock: TickClock
  private ticks = 0
  private processing = false
  private dirty = false
  private stopped = false
  private bootstrap: BootstrapDecision = { action: 'wait', proposal: [], why: 'starting' }
  private lastBootstrapLog = ''
  /** Membership.revision when the founding check last ran (-1: run it at the next tick). */
  private bootstrapSeen = -1
  /** advertisedFounders' answer and the membership revision it was computed at. */
  private founders: string[] = []
  private foundersSeen = -1
  private foundersOf: readonly string[] = []
  /**
   * This process, the first founder, founded the cluster just now, in this term: until a leader
   * is known or the term moves, it checks on every tick whether to campaign at once
   * (campaignAtFounding). The other founders never set it.
   */
  private foundedIn?: number
  /**
   * The founding set is being written: no second decision meanwhile. Heartbeats go on changing
   * the revision while the write is in flight, and each tick then founded again — two or three
   * "founding the cluster" writes of the same set on most nodes of a 10-node start.
   */
  private founding = false
  private readonly opts: ConsensusOptions
  private readonly healer: Healer
  /** Leader only: the voters' death opinions (reset whenever this node stops leading). */
  private readonly tally = new DeathTally()
  /** What this node's detector holds dead, for the leader. */
  private readonly outbox = new OpinionOutbox()
  private readonly deadReasons = new Map<string, string>()
  /** The leader an opinion set is on its way to (one at a time per leader). */
  private sendingTo: string | null = null
  private wasLeader = false
  private isRetiring = false
  private retiredNotified = false
  private incarnation: number
  private rejoining = false
  /** Whether this node reaches a majority: what fences the work layer (see quorumContact). */
  private contact = new QuorumContact(performance.now())

  private readonly host: Host
  private readonly metrics: Metrics
  private readonly store: Store
  private readonly membership: Membership
  private readonly dialer?: Pick<Dialer, 'want'>
  /** The leader and term last asked for first (leadsUnheard), so the ask is logged once. */
  private wantedLeader = ''
  private readonly privateKey: PrivateKey
  private readonly log: Logger

  constructor (components: ConsensusComponents, opts: Partial<ConsensusOptions> = {}) {
    const { host, log, metrics } = components
    ;({ host: this.host, store: this.store, membership: this.membership, privateKey: this.privateKey, log: this.log } = components)
    this.metrics = metrics
    this.incarnation = Number(components.incarnation)
    this.opts = { ...defaultConsensusOptions, ...opts }
    this.healer = new Healer(host.peerId.toString(), { voterCap: this.opts.voterCap, removeDeadVoterAfterMs: this.opts.removeDeadVoterAfterMs })
    // A node in a cluster hears raft only from its members; a node in none (a joiner, a
    // founder) cannot tell yet, and the mesh key is what keeps strangers out then.
    // A frame from an admitted member, checked to come from its connection's authenticated peer,
    // is a sign of life for the failure detector, and frames sent count as this node's
    // (src/healing/liveness.ts): a settled leader and its followers need no quiet heartbeats,
    // and other members get a pulse on the same stream instead.
    this.transport = new RaftTransport(host, log, metrics, msg => {
      this.membership.heardFrom(msg.from)
      this.deliver(msg)
    }, peer => this.membershipOf(peer) !== 'stranger')
    this.membership.frames = {
      sentAt: peer => this.transport.lastSentTo(peer),
      // Both members: the peer's transport admits this node's stream (members only). And a
      // stream to it open now: a pulse queued behind a stream being opened waited up to 12 s at
      // load and was dropped when the open timed out, while the heartbeat it stood for had left
      // the peer out. A follower whose leader's vouch went stale had to pulse all 49 peers of a
      // 50-process mesh at once, opened 49 streams, and 15 peers suspected it within seconds
      // (BENCHMARKS.md, issue 14, stop 45). Without one, the heartbeat goes to the peer this time
      // and the stream is opened for the next (warm).
      canPulse: peer => {
        if (this.membershipOf(this.selfId) !== 'member' || this.membershipOf(peer) !== 'member') return false
        if (this.transport.ready(peer)) return true
        this.transport.warm(peer)
        return false
      },
      pulse: peer => { this.transport.pulse(peer) }
    }
    this.transport.onPulse = peer => { this.membership.heardFrom(peer) }
    const dialer = this.dialer = components.dialer
    if (dialer != null) this.transport.connect = peer => dialer.want(peer)
    // Vouches (src/healing/liveness.ts): as leader, for the members it hears, to followers that
    // count them; as follower, counted only from the leader it follows.
    this.transport.vouchFor = peer => this.vouchFor(peer)
    this.transport.followed = () => {
      const st = this.core?.status()
      return st == null ? undefined : { leader: st.role === 'leader' ? null : st.leader, list: this.memberList(st.conf) }
    }
    this.transport.onVouched = (leader, members) => { this.membership.vouched(leader, members) }
    this.clock = new TickClock(this.opts.tickMs, QUIET_TICK_BATCH, () => this.core?.isQuiet() === true, () => { this.tick() })
  }

  get selfId (): string {
    return this.host.peerId.toString()
  }

  async start (): Promise<void> {
    this.contact = new QuorumContact(performance.now(), this.opts.quorumContact)
    this.raftStore = await RaftStore.open(this.store)
    const snap = this.raftStore.mirror.snapshot()
    this.restoreControl(snap.data)
    if (!this.raftStore.isEmpty) this.createCore()
    // A restarted node expects every other member of the restored configuration: one that
    // died for good while this node was down is then probed and held dead like any other.
    const conf = this.core?.status().conf
    if (conf != null) this.membership.expectMembers([...conf.voters, ...conf.learners])
    await this.transport.start()
    const dialer = this.dialer
    this.membership.onTransition.push(t => { this.onTransition(t) })
    this.membership.onHeartbeat.push((peerId, hb) => {
      // A dead-recorded peer heartbeating with a newer incarnation (a restart, or a node that
      // learnt of its death): the leader clears the record with node.alive at once.
      const rec = this.control.dead.get(peerId)
      if (rec != null && Number(hb.incarnation) > rec.incarnation) this.decideDeaths()
      // A leader this node has not heard over Raft: connect to it first (leadsUnheard).
      if (dialer != null && leadsUnheard(peerId, hb, () => this.core?.status())) {
        if (this.wantedLeader !== `${peerId}/${hb.term}`) {
          this.wantedLeader = `${peerId}/${hb.term}`
          this.log.debug({ leader: peerId, term: Number(hb.term), connected: this.membership.isConnected(peerId) }, 'connecting first to a leader not heard over Raft')
        }
        dialer.want(peerId)
      }
    })
    this.clock.start()
  }

  /** Hand leadership to a caught-up voter so a rolling restart costs no election timeout. */
  async transferLeadership (timeoutMs = 1_000): Promise<boolean> {
    const core = this.core
    if (core == null || core.status().role !== 'leader') return false
    const st = core.status()
    const target = [...(st.progress ?? new Map()).entries()]
      .filter(([id]) => id !== this.selfId && st.conf.voters.includes(id) && this.isAlive(id) && this.membership.heartbeatOf(id)?.draining !== true)
      .sort((a, b) => b[1].match - a[1].match)[0]
    if (target == null) return false
    const r = core.transferLeadership(target[0])
    if (!r.ok) return false
    this.log.info({ to: target[0] }, 'transferring leadership before stopping')
    this.kick()
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline && this.core?.status().role === 'leader') {
      await new Promise(resolve => setTimeout(resolve, 10))
    }
    return this.core?.status().role !== 'leader'
  }

  /**
   * Leader only: remove a voter or learner from the configuration (a single-server change) and
   * wait until it commits. Retries while another change is pending or voters lag behind the
   * last one, up to the propose timeout. The leader is never removed here: hand leadership
   * over first (transferLeadership), then ask the new leader.
   */
  async removeMember (peerId: string): Promise<{ index: number, conf: ConfState }> {
    const deadline = Date.now() + this.opts.proposeTimeoutMs
    for (;;) {
      const core = this.core
      if (core == null || this.stopped) throw new MeshError('NO_QUORUM', 'this node is not part of a cluster')
      const st = core.status()
      if (st.role === 'leader' && peerId === this.selfId) throw new MeshError('BAD_REQUEST', 'the leader cannot remove itself: hand leadership over first')
      const r = core.proposeConfChange({ type: 'remove', nodeId: peerId })
      if (r.ok) {
        this.log.info({ node: peerId, index: r.index }, 'membership change proposed: remove')
        await this.waitCommitted(r.index, r.term)
        return { index: r.index, conf: this.core?.status().conf ?? { voters: [], learners: [] } }
      }
      if (r.code === 'NOT_LEADER' || r.code === 'TRANSFER_IN_PROGRESS' || r.code === 'NOT_MEMBER') {
        throw new MeshError('NOT_LEADER', `not leader (leader is ${r.leader ?? 'unknown'})`, { leader: r.leader === this.selfId ? null : r.leader })
      }
      if (r.code === 'INVALID_CONF_CHANGE') throw new MeshError('BAD_REQUEST', `cannot remove ${peerId}: ${r.message}`)
      // CONF_CHANGE_PENDING, VOTERS_LAGGING: the last change has to settle first.
      if (Date.now() > deadline) throw new MeshError('NO_QUORUM', `cannot remove ${peerId} yet: ${r.message}`)
      this.kick()
      await new Promise(resolve => setTimeout(resolve, 50))
    }
  }

  /** Waits until the entry proposed at `index` in `term` commits (NO_QUORUM after the propose timeout). */
  private async waitCommitted (index: number, term: number): Promise<void> {
    const result = new Promise<ApplyResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(index)
        reject(new MeshError('NO_QUORUM', `no quorum: entry ${index} not committed within ${this.opts.proposeTimeoutMs} ms (a majority of the voters must acknowledge it)`))
      }, this.opts.proposeTimeoutMs)
      this.pending.set(index, { term, resolve, reject, timer })
    })
    this.kick()
    await result
  }

  /**
   * The node is retiring (a drain proposes its own node.dead): when that death applies, the
   * work layer still gives up what others lent it (onDeclaredDead), but the node does not
   * renew its incarnation to rejoin — it is leaving for good.
   */
  retiring (): void {
    this.isRetiring = true
  }

  /** Before anything stops: hand leadership over while the other nodes can still take it. */
  async beforeStop (): Promise<void> {
    await this.transferLeadership().catch(() => {})
  }

  async stop (): Promise<void> {
    this.stopped = true
    this.clock.stop()
    for (const [, p] of this.pending) {
      clearTimeout(p.timer)
      p.reject(new MeshError('NO_QUORUM', 'node is stopping'))
    }
    this.pending.clear()
    await this.transport.stop()
    // Let an in-flight persist finish before the store closes.
    while (this.processing) await new Promise(resolve => setTimeout(resolve, 5))
  }

  /**
   * Propose a control command; resolves once committed and applied. `encoded`: the command's
   * bytes when the caller has them already (encodeCommand's, or a forwarded batch decodeCommand
   * accepted), so a registration batch is not encoded again.
   */
  async propose (cmd: ControlCommand, encoded?: Uint8Array): Promise<ApplyResult> {
    const core = this.core
    if (core == null) throw new MeshError('NO_QUORUM', 'this node is not part of a cluster yet')
    const t0 = performance.now()
    const r = core.propose(encoded ?? encodeCommand(cmd))
    if (!r.ok) {
      // No leader known (an election under way, or no majority reachable): nothing can commit
      // now, which is what NO_QUORUM says, with the same words wherever it happens.
      if (r.code === 'NOT_LEADER' && r.leader == null) throw new MeshError('NO_QUORUM', 'no quorum: no leader is known (an election is under way or no majority of voters is reachable); nothing was written — retry shortly, see meshnode status')
      if (r.code === 'NOT_LEADER') throw new MeshError('NOT_LEADER', `not leader (leader is ${r.leader})`, { leader: r.leader })
      throw new MeshError('NO_QUORUM', r.message)
    }
    const result = new Promise<ApplyResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(r.index)
        reject(new MeshError('NO_QUORUM', `no quorum: entry ${r.index} not committed within ${this.opts.proposeTimeoutMs} ms`))
      }, this.opts.proposeTimeoutMs)
      this.pending.set(r.index, { term: r.term, resolve, reject, timer })
    })
    this.kick()
    const applied = await result
    this.metrics.raftProposal.observe((performance.now() - t0) / 1000)
    return applied
  }

  /**
   * Quorum contact, for partition fencing: whether this node is a leader confirmed by
   * check-quorum or follows a leader it heard from within an election timeout, with a grace
   * for ordinary elections (src/healing/quorum-contact.ts). Without it the node cannot commit
   * anything, so the work layer refuses submits and neither steals nor lends.
   */
  quorumContact (): QuorumContactView {
    return this.contact.view(performance.now())
  }

  /** Quorum contact was lost (false) or regained (true); checked every tick. */
  readonly onQuorumContact: Array<(contact: boolean) => void> = []

  private observeContact (): void {
    if (!this.contact.observe(this.core?.hasQuorumContact() ?? false, performance.now())) return
    const view = this.quorumContact()
    if (view.contact) this.log.info({ role: this.core?.status().role }, 'quorum contact regained: accepting submits and stealing again')
    else this.log.warn({ role: this.core?.status().role ?? 'none', lastContactMs: view.lastContactMs }, 'quorum contact lost: no leader heard and no majority reached; refusing submits, not stealing or lending, running the work held here')
    for (const l of this.onQuorumContact) {
      try { l(view.contact) } catch (err: any) { this.log.error({ err: err?.message }, 'a quorum contact listener failed') }
    }
  }

  /** "member" once in a cluster, else what formation is waiting for. */
  formation (): string {
    if (this.core != null) return 'member'
    const b = this.bootstrap
    return b.action === 'wait' ? `waiting: ${b.why}` : b.action === 'join' ? 'joining: waiting for the leader to add this node' : 'founding'
  }

  status (): RaftStatus | null {
    return this.core?.status() ?? null
  }

  /**
   * Whether `peer` belongs to this node's configuration (a voter or a learner, including a
   * joiner the leader has added), or 'no-cluster' while this node belongs to none. Members
   * are who the raft, work and internal protocols serve.
   */
  membershipOf (peer: string): Standing {
    return membershipIn(this.core?.status().conf, peer)
  }


  /** What the heartbeat advertises. */
  localState (): { role: string, term: bigint, leader: string, bootstrapSet: string[], bootstrapVoters: number, vouchMembers: number } {
    const st = this.core?.status()
    if (st == null) {
      const b = this.bootstrap
      return { role: 'none', term: 0n, leader: '', bootstrapSet: b.action === 'wait' ? b.proposal : [], bootstrapVoters: b.action === 'wait' ? b.proposalVoters ?? 0 : 0, vouchMembers: 0 }
    }
    const learner = st.conf.learners.includes(this.selfId)
    const member = learner || st.conf.voters.includes(this.selfId)
    const founders = this.advertisedFounders()
    const foundingVoters = founders.length > 0 && this.raftStore.foundingVoters < founders.length ? this.raftStore.foundingVoters : 0
    return { role: learner ? 'learner' : st.role, term: BigInt(st.term), leader: st.leader ?? '', bootstrapSet: founders, bootstrapVoters: foundingVoters, vouchMembers: member ? this.memberList(st.conf).hash : 0 }
  }

  /** The member list vouches index, made once per committed configuration. */
  private memberList (conf: ConfState): MemberList {
    if (this.vouchList?.conf !== conf) this.vouchList = { conf, list: memberList([...conf.voters, ...conf.learners]) }
    return this.vouchList.list
  }

  /**
   * Leader: the vouch a frame to `peer` carries, if the peer counts vouches over this node's
   * member list (its heartbeat says so). Made at most once per VOUCH_GAP_MS / 2 for all
   * followers: the transport asks for each follower within one Raft heartbeat round.
   */
  private vouchFor (peer: string): Vouch | undefined {
    const now = performance.now()
    let last = this.lastVouch
    if (last == null || now - last.at >= VOUCH_GAP_MS / 2) {
      const st = this.core?.status()
      if (st == null || st.role !== 'leader') {
        this.lastVouch = undefined
        return undefined
      }
      const list = this.memberList(st.conf)
      const prev = last
      last = this.lastVouch = { at: now, list, vouch: makeVouch(list, this.selfId, p => this.transport.lastHeardFrom(p), now, this.membership.heartbeatMs) }
      if (prev != null && prev.list === list && this.log.isLevelEnabled('debug')) this.logUnvouched(prev.vouch, last.vouch, list, now)
    }
    return this.membership.heartbeatOf(peer)?.vouchMembers === last.list.hash ? last.vouch : undefined
  }

  /**
   * At debug: the members the last vouch named and this one does not (nothing heard from them
   * within --heartbeat-ms), with how long ago the leader last heard each. Their peers that
   * count vouches stop hearing of them now and probe them --probe-after-ms later.
   */
  private logUnvouched (prev: Vouch, next: Vouch, list: MemberList, now: number): void {
    const ids = unvouched(prev, next, list)
    if (ids.length === 0) return
    const dropped = ids.map(peer => {
      const at = this.transport.lastHeardFrom(peer)
      return { peer, heardAgoMs: at === undefined ? undefined : Math.round(now - at) }
    })
    this.log.debug({ dropped }, 'vouch no longer names members')
  }

  /**
   * The founding set while a founder may still need it (advertiseFounders), recomputed only
   * when the membership view moved: every heartbeat asks.
   */
  private advertisedFounders (): string[] {
    const revision = this.membership.revision
    const founders = this.raftStore.founders
    if (revision !== this.foundersSeen || founders !== this.foundersOf) {
      this.foundersSeen = revision
      this.foundersOf = founders
      this.founders = advertiseFounders(this.selfId, founders, this.peerViews())
    }
    return this.founders
  }

  /** Each known peer as the founding rules see it: alive, clustered, its advertised set. */
  private peerViews (): PeerView[] {
    return this.membership.detector.all().map(m => {
      const hb = this.membership.heartbeatOf(m.peerId)
      return { id: m.peerId, alive: m.state === 'alive', clustered: (hb?.term ?? 0n) > 0n, bootstrapSet: hb?.bootstrapSet ?? [], bootstrapVoters: hb?.bootstrapVoters ?? 0 }
    })
  }

  private createCore (): void {
    const seed = this.privateKey.raw.subarray(0, 32)
    this.core = new RaftCore({
      storage: this.raftStore.mirror,
      keys: {
        self: { id: this.selfId, privateKey: seed },
        publicKeyOf: publicKeyOf
      },
      // Seeded per process: election jitter must differ between nodes and restarts.
      random: mulberry32((Date.now() ^ process.pid ^ seed[0]! << 16) >>> 0),
      electionTicks: this.opts.electionTicks,
      heartbeatTicks: this.opts.heartbeatTicks
    })
    this.kick()
  }

  private deliver (msg: Message): void {
    if (this.stopped) return
    if ((msg.type === 'prevote' || msg.type === 'vote' || msg.type === 'prevoteResp' || msg.type === 'voteResp') && this.log.isLevelEnabled('debug')) {
      // Rare once a leader holds; what an election that does not end is read from (debug).
      const st = this.core?.status()
      this.log.debug({ type: msg.type, from: msg.from, term: msg.term, reject: 'reject' in msg ? msg.reject : undefined, lastIndex: msg.lastLogIndex, lastTerm: msg.lastLogTerm, core: st == null ? null : { role: st.role, term: st.term, leader: st.leader, vote: st.vote, lastIndex: st.lastIndex, lastTerm: st.lastTerm } }, 'raft vote message in')
    }
    if (this.core == null) {
      // A fresh node learns the cluster from its leader's first append or snapshot.
      if (msg.type !== 'append' && msg.type !== 'snapshot' && msg.type !== 'heartbeat') return
      this.createCore()
    }
    this.core!.step(msg)
    this.kick()
  }

  private tick (): void {
    if (this.stopped) return
    this.ticks++
    this.observeContact()
    if (this.core == null) {
      this.considerBootstrap()
      return
    }
    if (this.foundedIn !== undefined) this.considerFoundingCampaign(this.core)
    // This node's lag or its leader's, as its failure detector allows for them (src/healing/lag.ts), in ticks.
    const detector = this.membership.detector
    const lead = this.core.leaderId()
    this.core.stretchElection(raftStretchTicks(detector, this.selfId, lead, this.opts.tickMs))
    this.core.tick()
    if (lead !== null && lead !== this.selfId && this.core.leaderId() === null && this.log.isLevelEnabled('debug')) {
      // Rare: a follower timed its leader out. How long it waited for it is read from here (debug).
      this.log.debug({ leader: lead, role: this.core.status().role, allowanceMs: detector.allowance, leaderLagMs: detector.lagOf(lead) }, 'raft leader timed out')
    }
    if (this.healer.reviewDue(this.ticks)) this.manageMembership()
    if (this.ticks % OPINION_TICKS === 0) this.flushOpinions()
    this.kick()
  }

  /** Run the persist → send → apply → advance loop until the core has nothing more. */
  private kick (): void {
    this.clock.wake()
    this.dirty = true
    if (this.processing) return
    void this.processReady()
  }

  private async processReady (): Promise<void> {
    this.processing = true
    try {
      while (this.dirty && !this.stopped) {
        this.dirty = false
        const core = this.core
        if (core == null) break
        while (core.hasReady()) {
          const rd = core.ready()
          await this.raftStore.save(rd)
          for (const m of rd.messages) this.transport.send(m)
          // Debug only: every Ready passes here (a registration burst makes thousands a second).
          if (this.log.isLevelEnabled('debug')) {
            const asks = rd.messages.filter(m => m.type === 'prevote' || m.type === 'vote')
            if (asks.length > 0) this.log.debug({ type: asks[0]!.type, term: asks[0]!.term, to: asks.length }, 'raft campaign round sent')
          }
          if (rd.snapshot != null) {
            this.restoreControl(rd.snapshot.data)
            this.log.info({ index: rd.snapshot.metadata.index, term: rd.snapshot.metadata.term }, 'installed a snapshot from the leader')
          }
          for (const e of rd.committed) this.apply(e)
          core.advance()
          if (rd.softState != null) this.onSoftState(rd.softState.role, rd.softState.leader, rd.softState.term)
          this.maybeCompact(core)
        }
      }
    } catch (err: any) {
      // A failed write means we cannot keep Raft's promises: stop participating.
      this.log.fatal({ err: err?.message }, 'consensus persistence failed; stopping consensus')
      this.stopped = true
      this.clock.stop()
    } finally {
      this.processing = false
    }
  }

  /** Listeners for applied control commands; they survive snapshot installs. */
  readonly onApplied: Array<(cmd: ControlCommand, index: number) => void> = []
  /** Jobs the control state moved to new homes (their home was declared dead), before onApplied of that entry. */
  readonly onJobsMoved: Array<(moves: JobMove[], index: number) => void> = []
  /** Told after a snapshot replaced the control state (no onApplied for what it brought). */
  readonly onRestored: Array<() => void> = []
  /** Told when this node's role, leader or term changes (Raft soft state). */
  readonly onRoleChange: Array<(role: string, leader: string | null, term: number) => void> = []
  /**
   * A node.dead was applied and recorded a death (or a snapshot brought one in): act now
   * (reclaim what was lent to it, abandon work whose lineage leads through it). Fires on
   * every node, the dead one included, and again for old deaths while a restarted node
   * replays its log: make reactions idempotent (by peer and incarnation).
   */
  readonly onNodeDead: Array<(d: CommittedDeath) => void> = []
  /** A node.alive was applied: the peer is back with a newer incarnation and may be given work. */
  readonly onNodeAlive: Array<(peerId: string, incarnation: number) => void> = []
  /**
   * This node learnt that the cluster declared it dead (in its current incarnation): the rest
   * of the mesh is re-running what it held, so it must drop every piece of work it held
   * before the death. Called once per death, before the incarnation is renewed.
   */
  readonly onDeclaredDead: Array<(d: CommittedDeath) => void> = []

  /**
   * The job's registry entry once this node has applied it, or undefined if it has not within
   * `timeoutMs`. A client that submits at one node and at once asks another about the job
   * (a long poll, jobGet's waitMs) waits here for the registration instead of being told there
   * is no such job. The entry is looked at after every applied command, and once more at the
   * deadline (a snapshot install applies no command).
   */
  async whenJobRegistered (jobId: string, timeoutMs: number): Promise<unknown> {
    const now = this.control.jobs.get(jobId)
    if (now != null || timeoutMs <= 0) return now
    return await new Promise(resolve => {
      const done = (): void => {
        clearTimeout(timer)
        const i = this.onApplied.indexOf(listener)
        if (i >= 0) this.onApplied.splice(i, 1)
        resolve(this.control.jobs.get(jobId))
      }
      const listener = (): void => { if (this.control.jobs.has(jobId)) done() }
      const timer = setTimeout(done, timeoutMs)
      this.onApplied.push(listener)
    })
  }

  /** The committed dead set: the only deaths anything may act on. */
  deadPeers (): ReadonlyMap<string, DeadRecord> {
    return this.control.dead
  }

  /** The incarnation this node lives in now (renewed after a declared death). */
  get currentIncarnation (): number {
    return this.incarnation
  }

  private restoreControl (data: Uint8Array): void {
    const before = this.control.dead
    this.control = ControlState.restore(data)
    this.control.onApplied = (cmd, index) => {
      this.onControlApplied(cmd, index)
      for (const l of this.onApplied) l(cmd, index)
    }
    this.control.onJobsMoved = (moves, index) => {
      for (const l of this.onJobsMoved) {
        try { l(moves, index) } catch (err: any) { this.log.error({ err: err?.message }, 'an onJobsMoved listener failed') }
      }
    }
    // Deaths that arrived inside a snapshot never pass through onApplied.
    for (const [peerId, rec] of this.control.dead) {
      const old = before.get(peerId)
      if (old == null || old.incarnation < rec.incarnation) this.emitDeath({ peerId, ...rec })
    }
    this.checkDeclaredDead()
    for (const l of this.onRestored) {
      try { l() } catch (err: any) { this.log.error({ err: err?.message }, 'an onRestored listener failed') }
    }
  }

  private onControlApplied (cmd: ControlCommand, index: number): void {
    if (cmd.op === 'node.dead') {
      const rec = this.control.dead.get(cmd.peerId)
      // A stale declaration (an older incarnation than one recorded) changes nothing.
      if (rec?.index !== index) return
      this.metrics.deathsCommitted.inc()
      this.log.warn({ peer: cmd.peerId, incarnation: cmd.incarnation, reason: cmd.reason, index }, 'node declared dead (committed)')
      this.emitDeath({ peerId: cmd.peerId, ...rec })
      this.checkDeclaredDead()
    } else if (cmd.op === 'node.alive') {
      this.metrics.alivesCommitted.inc()
      this.log.info({ peer: cmd.peerId, incarnation: cmd.incarnation, index }, 'node alive again (committed)')
      for (const l of this.onNodeAlive) {
        try { l(cmd.peerId, cmd.incarnation) } catch (err: any) { this.log.error({ err: err?.message }, 'a node.alive listener failed') }
      }
    }
  }

  private emitDeath (d: CommittedDeath): void {
    for (const l of this.onNodeDead) {
      try { l(d) } catch (err: any) { this.log.error({ err: err?.message }, 'a node.dead listener failed') }
    }
  }

  /**
   * If the committed dead set names this node in its current life, it was paused or cut off
   * long enough for a majority to give up on it: drop its pre-death work, renew the
   * incarnation (persisted, so a restart never reuses it) and heartbeat it; the leader
   * commits node.alive when it hears the new incarnation.
   */
  private checkDeclaredDead (): void {
    if (this.rejoining || !declaredDead(this.selfId, this.incarnation, this.control.dead)) return
    const rec = this.control.dead.get(this.selfId)!
    if (this.isRetiring) {
      if (this.retiredNotified) return
      this.retiredNotified = true
      this.log.info({ incarnation: this.incarnation, reason: rec.reason, index: rec.index }, 'this node retired (node.dead committed): it does not rejoin')
      for (const l of this.onDeclaredDead) {
        try { l({ peerId: this.selfId, ...rec }) } catch (err: any) { this.log.error({ err: err?.message }, 'an onDeclaredDead listener failed') }
      }
      return
    }
    this.rejoining = true
    this.metrics.declaredDead.inc()
    this.log.warn({ incarnation: this.incarnation, reason: rec.reason, index: rec.index }, 'this node was declared dead by the cluster: abandoning the work it held and rejoining with a new incarnation')
    for (const l of this.onDeclaredDead) {
      try { l({ peerId: this.selfId, ...rec }) } catch (err: any) { this.log.error({ err: err?.message }, 'an onDeclaredDead listener failed') }
    }
    this.store.nextIncarnation().then(next => {
      this.incarnation = Number(next)
      this.membership.renewIncarnation(next)
      this.log.info({ incarnation: this.incarnation }, 'rejoining with a new incarnation')
    }, (err: any) => {
      this.log.error({ err: err?.message }, 'cannot persist a new incarnation; still declared dead')
    }).finally(() => {
      this.rejoining = false
      this.flushOpinions()
    })
  }

  private apply (e: Entry): void {
    let result: ApplyResult = { ok: true }
    if (e.type === 'normal' && e.index > this.control.appliedIndex) {
      result = this.control.apply(e.index, e.data)
    } else if (e.type === 'conf') {
      const cc = decodeConfChange(e.data)
      if (cc != null) {
        this.control.confApplied(e.index, cc)
        this.log.info({ change: cc.type, node: cc.nodeId, index: e.index }, 'membership change committed')
      }
    }
    const p = this.pending.get(e.index)
    if (p == null) return
    this.pending.delete(e.index)
    clearTimeout(p.timer)
    if (p.term === e.term) p.resolve(result)
    else p.reject(new MeshError('NO_QUORUM', `${LEADERSHIP_CHANGED} before entry ${e.index} committed; retry`))
  }

  private maybeCompact (core: RaftCore): void {
    const st = core.status()
    if (st.applied - (st.firstIndex - 1) < this.opts.snapshotEvery) return
    const r = core.createSnapshot(st.applied, this.control.snapshot())
    if (r.ok) {
      this.log.info({ index: st.applied }, 'compacted the raft log')
      this.kick()
    }
  }

  private onSoftState (role: string, leader: string | null, term: number): void {
    // Entries proposed here may still commit under a new leader: their waiters resolve if
    // they do (same term at that index) and time out or fail otherwise.
    this.log.info({ role, leader, term }, 'raft role change')
    for (const l of this.onRoleChange) {
      try { l(role, leader, term) } catch (err: any) { this.log.error({ err: err?.message }, 'an onRoleChange listener failed') }
    }
    this.membership.announce()
    const leading = role === 'leader'
    // A tally belongs to one leadership: the next leader rebuilds it from fresh opinions.
    if (this.wasLeader && !leading) this.tally.reset()
    this.wasLeader = leading
    this.flushOpinions()
  }

  private considerBootstrap (): void {
    // The decision is a function of the members, their states and what their heartbeats
    // advertise: nothing to do until one of them changed (Membership.revision).
    const revision = this.membership.revision
    if (revision === this.bootstrapSeen || this.founding) return
    this.bootstrapSeen = revision
    const peers = this.peerViews()
    const decision = decideBootstrap({ self: this.selfId, expect: this.opts.expect, voterCap: this.opts.voterCap, hasPeers: this.opts.hasPeers || peers.length > 0, peers })
    const prev = this.bootstrap
    this.bootstrap = decision
    const summary = decision.action === 'wait' ? `wait: ${decision.why}` : decision.action
    if (summary !== this.lastBootstrapLog) {
      this.lastBootstrapLog = summary
      this.log.info({ decision: summary }, 'cluster formation')
    }
    if (decision.action === 'wait' && (prev.action !== 'wait' || prev.proposal.join() !== decision.proposal.join() || prev.proposalVoters !== decision.proposalVoters)) this.membership.announce()
    if (decision.action === 'found') {
      this.log.info({ voters: decision.voters, learners: decision.learners.length }, 'founding the cluster')
      const voters = decision.voters
      this.founding = true
      this.raftStore.bootstrap(voters, decision.learners).then(() => {
        if (this.core != null) return
        this.createCore()
        const core = this.core!
        // The first founder campaigns as soon as a majority has founded (considerFoundingCampaign);
        // the others give it an election timeout more before they campaign themselves: founders
        // found up to a few hundred ms apart on a loaded host, and timeouts that fire meanwhile
        // split the first vote (BENCHMARKS.md, issue 14, stop 37).
        if (firstFounder(voters) === this.selfId) this.foundedIn = core.status().term
        else core.postponeElection(this.opts.electionTicks)
        // The other founders found as soon as they hear it (decideBootstrap: a clustered peer
        // advertising a set with them in it), not at its next periodic heartbeat (up to
        // --heartbeat-ms, and 2 × that when quiet).
        this.membership.announce()
      }, err => {
        this.log.error({ err: err?.message }, 'bootstrap failed')
        this.founding = false
        this.bootstrapSeen = -1
      })
      this.bootstrap = { action: 'wait', proposal: [], why: 'founding' }
    }
  }

  /**
   * Just founded: the founder that sorts first campaigns as soon as a majority of the founders is
   * seen founded (campaignAtFounding) rather than at its election timeout. Given up once any node
   * has campaigned (the role or term moved) or a leader is known: the timeouts then run as usual.
   */
  private considerFoundingCampaign (core: RaftCore): void {
    const st = core.status()
    if (st.role !== 'follower' || st.leader != null || st.term !== this.foundedIn) {
      this.foundedIn = undefined
      return
    }
    // A late founder (the others founded, and may have elected, without it) leaves it to them.
    const term = BigInt(st.term)
    for (const id of this.raftStore.founders) {
      const hb = this.membership.heartbeatOf(id)
      if (hb != null && (hb.term > term || hb.leader !== '')) {
        this.foundedIn = undefined
        return
      }
    }
    // Only the founding voters count: the learners among the founders never vote.
    const voters = this.raftStore.founders.slice(0, this.raftStore.foundingVoters)
    if (!campaignAtFounding(this.selfId, voters, this.peerViews())) return
    this.foundedIn = undefined
    this.log.info({ term: st.term }, 'campaigning at founding: a majority of the founders has founded')
    core.campaign()
    this.kick()
  }

  /** Leader only: the healer's membership review (add joiners, promote learners, replace long-dead voters). */
  private manageMembership (): void {
    const core = this.core
    if (core == null) return
    const decisions = this.healer.review({
      now: performance.now(),
      raft: core.status(),
      peers: this.membership.detector.all().map(m => ({
        peerId: m.peerId,
        state: m.state,
        lastHeardAt: m.lastHeardAt,
        advertisesCluster: this.advertisesCluster(m.peerId),
        incarnation: Number(m.incarnation),
        draining: this.membership.heartbeatOf(m.peerId)?.draining === true
      })),
      dead: this.control.dead,
      removed: this.control.removed
    })
    this.decideDeaths()
    proposeFirst(decisions, d => {
      const r = core.proposeConfChange(d.change)
      if (r.ok) {
        this.log.info({ change: d.change.type, node: d.change.nodeId, why: d.reason }, 'membership change proposed')
        this.kick()
      }
      return r.ok
    })
  }

  private onTransition (t: Transition): void {
    if (t.to === 'dead') this.deadReasons.set(t.peerId, t.reason)
    const core = this.core
    for (const d of this.healer.transition(t, core?.status() ?? null)) {
      if (d.type !== 'leaderLost' || core == null) continue
      // The failure detector (closed connection + refused probes) is far faster than an
      // election timeout: drop the dead leader's lease and campaign after a short random
      // delay so the survivors do not all split the vote.
      core.leaderLost()
      this.kick()
    }
    // After leaderLost: opinions never go to a leader this node just saw die.
    if (t.to === 'dead' || t.from === 'dead') this.flushOpinions()
  }

  /**
   * The members this node's detector holds dead, minus deaths already committed at that
   * incarnation (nothing left to decide), sent to the leader when due (or tallied here when
   * this node leads).
   */
  private flushOpinions (): void {
    const core = this.core
    if (core == null || this.stopped) return
    // Retries a renewal whose incarnation could not be persisted.
    this.checkDeclaredDead()
    const dead = this.control.dead
    const mine: Opinion[] = this.membership.detector.all()
      .filter(m => m.state === 'dead' && m.peerId !== this.selfId && this.membershipOf(m.peerId) === 'member')
      .map(m => ({ peerId: m.peerId, incarnation: Number(m.incarnation), reason: this.deadReasons.get(m.peerId) ?? 'unreachable' }))
      .filter(o => (dead.get(o.peerId)?.incarnation ?? -1) < o.incarnation)
    // While a committed death names an older life of this node, it claims its current one.
    this.outbox.update(mine, !this.rejoining && needsAlive(this.selfId, this.incarnation, dead) ? this.incarnation : 0)
    const st = core.status()
    if (st.role === 'leader') {
      this.decideDeaths()
      return
    }
    const leader = st.leader
    // A leader this node holds dead cannot tally; the next one gets the set as soon as it leads.
    if (leader == null || leader === this.sendingTo || this.membership.detector.get(leader)?.state === 'dead') return
    const now = performance.now()
    const set = this.outbox.due(leader, now)
    if (set == null) return
    this.sendingTo = leader
    this.outbox.sent(leader, set, now)
    sendDeathOpinions(this.host, leader, set.opinions, set.aliveIncarnation).then(res => {
      if (res.code !== '') throw new Error(`${res.code}: ${res.error}`)
      this.metrics.deathOpinionsSent.inc()
    }).catch((err: any) => {
      this.outbox.failed()
      this.log.debug({ leader, err: err?.message }, 'could not send death opinions to the leader')
    }).finally(() => {
      if (this.sendingTo === leader) this.sendingTo = null
    })
  }

  /** Leader: a member's whole opinion set, and its own incarnation if it claims a newer life (the internal protocol's deathOpinions). */
  deathOpinions (from: string, opinions: Opinion[], aliveIncarnation = 0): void {
    const st = this.core?.status()
    if (st?.role !== 'leader') throw new MeshError('NOT_LEADER', 'death opinions go to the leader', { leader: st?.leader ?? null })
    this.metrics.deathOpinionsReceived.inc()
    const now = performance.now()
    this.tally.report(from, opinions, now)
    if (aliveIncarnation > 0) this.tally.claimAlive(from, aliveIncarnation, now)
    this.decideDeaths()
  }

  /** Leader: propose what the tally decides (node.dead with a majority, node.alive for a newer life). */
  private decideDeaths (): void {
    const core = this.core
    if (core == null || this.stopped) return
    const st = core.status()
    if (st.role !== 'leader' || st.leadTransferee != null) return
    const now = performance.now()
    this.tally.report(this.selfId, this.outbox.opinions, now)
    const known = new Map<string, { incarnation: number, alive: boolean }>()
    for (const m of this.membership.detector.all()) known.set(m.peerId, { incarnation: Number(m.incarnation), alive: m.state === 'alive' })
    // The leader's own life: a leader that was declared dead and renewed clears its own record.
    known.set(this.selfId, { incarnation: this.incarnation, alive: !this.rejoining })
    const proposals = this.tally.decide({ now, self: this.selfId, voters: st.conf.voters, learners: st.conf.learners, dead: this.control.dead, known })
    for (const p of proposals) this.proposeHealing(p)
  }

  private proposeHealing (p: DeathProposal | AliveProposal): void {
    const cmd: ControlCommand = p.op === 'node.dead'
      ? { op: 'node.dead', peerId: p.peerId, incarnation: p.incarnation, reason: p.reason }
      : { op: 'node.alive', peerId: p.peerId, incarnation: p.incarnation }
    if (p.op === 'node.dead') this.metrics.deathsProposed.inc()
    this.log.info({ op: p.op, peer: p.peerId, incarnation: p.incarnation, ...(p.op === 'node.dead' ? { why: p.reason } : {}) }, 'proposing a healing command')
    this.propose(cmd).catch((err: any) => {
      // The tally proposes it again after reproposeMs if it is still not committed.
      this.log.info({ op: p.op, peer: p.peerId, err: err?.message }, 'healing command not committed')
    })
  }

  /** Whether a peer's last heartbeat advertised a cluster; undefined before any heartbeat. */
  private advertisesCluster (peerId: string): boolean | undefined {
    const hb = this.membership.heartbeatOf(peerId)
    return hb == null ? undefined : hb.term !== 0n
  }

  private isAlive (id: string): boolean {
    return this.membership.detector.get(id)?.state === 'alive'
  }
}

function publicKeyOf (id: string): Uint8Array | undefined {
  try {
    const pid = peerIdFromString(id)
    return pid.type === 'Ed25519' ? pid.publicKey.raw : undefined
  } catch {
    return undefined
  }
}

/** Where a peer stands with a node: see ConsensusService.membershipOf. */
export type Standing = 'member' | 'stranger' | 'no-cluster'

/** A peer's standing in configuration `conf` (undefined: this node is in no cluster). */
export function membershipIn (conf: { voters: readonly string[], learners: readonly string[] } | undefined, peer: string): Standing {
  // A joiner's core exists from the leader's first message on, with an empty configuration
  // until the leader's snapshot or log arrives: it does not know its cluster yet either.
  if (conf == null || conf.voters.length === 0) return 'no-cluster'
  return conf.voters.includes(peer) || conf.learners.includes(peer) ? 'member' : 'stranger'
}

/**
 * Whether the heartbeat is `peerId`'s own word that it leads a term this node has no leader
 * for (a later term, or ours with none known here): then this node asks its dialer to connect
 * to it before any other peer. A learner hears its leader only over Raft, and Raft goes only
 * over a direct connection; the leader's messages to a peer it holds no connection to are
 * dropped while its dialer connects it, one dial at a time at load. At 50 processes on two
 * cores, 25 of 45 learners still had no connection to the leader 100 s after the election,
 * never named it, and stayed under the forming rules; each one that did name it had connected
 * to the leader a few seconds before (BENCHMARKS.md, issue 14, stop 45). Asking costs at most
 * one dial, which the full mesh makes anyway; `want` is a no-op once connected. The claim is
 * signed by its sender (gossip's StrictSign) but proven only by the leader's certificate,
 * which Raft checks over the connection as before. `own` is read only for such a claim.
 */
export function leadsUnheard (peerId: string, hb: { role: string, term: bigint, leader: string }, own: () => { term: number, leader: string | null } | undefined): boolean {
  if (hb.role !== 'leader' || hb.leader !== peerId) return false
  const st = own()
  const term = BigInt(st?.term ?? 0)
  return hb.term > term || (hb.term === term && (st?.leader ?? null) === null)
}
