// The failure detector: decides, from every signal the shell can give it, whether each peer
// is alive, suspect, dead or left. Sans-I/O: the shell feeds heartbeats, connection events,
// probe results and ticks with an explicit `now`, then drains probes to run and state changes.
//
// Why this shape: a missed heartbeat alone is a weak signal on a loaded two-core box, and a
// closed connection alone is ambiguous (libp2p prunes duplicate connections). Either signal
// therefore only triggers a direct probe; a peer is suspect after a failed probe (or silence
// past `probeAfterMs` with the probe not answering) and dead only after a second refused probe
// or a suspect period of `deadAfterMs` with no sign of life.
//
// How a probe failed matters. A refused one (the dial was refused: nothing listens there any
// more) is a process that is gone, and two in a row make it dead at once — a crash
// is caught in ~130 ms. A timed-out one is a process that did not answer in time: gone, cut
// off, or only slow. On a loaded machine (25 processes starting on 2 cores) slowness is the
// common case, and counting timeouts toward the fast rule declared live peers dead, whose
// connections were then closed, which their peers probed in turn: a cascade that kept the
// mesh from forming (BENCHMARKS.md, stop 22). So a timed-out probe only makes a peer suspect;
// it dies after `deadAfterMs` of silence (a cut-off host: no refusal ever comes), and any
// heartbeat or answered probe before that clears it. A heartbeat, a successful probe
// or a fresh connection always restores `alive`, except that `left` yields only to a newer
// incarnation (a restart), never to stale gossip from before the peer stopped. A dead peer is
// still probed, every `deadAfterMs`: if gossip stays broken after a pause or a partition, an
// answered probe is the only way this node learns the peer is back (and withdraws its
// death opinion, src/healing/death-quorum.ts).
//
// A peer whose heartbeats slow down while nothing it advertises changes (quiet heartbeats,
// src/node/services/membership.ts) says by how much (`quietMs`): its silence is judged that
// much later, so it keeps the same margin before a probe as a peer heartbeating at the usual
// interval.
//
// A node whose own event loop runs late stretches its thresholds (stretch(): src/healing/lag.ts):
// both the silence before a probe and a suspect's time before it dies grow by the allowance, so
// a node that cannot read its sockets in time does not call its peers silent. A peer whose own
// loop runs late says so in its heartbeat (`lagMs`, its own allowance): its heartbeats and its
// answers to probes come that much late, so its silence, a probe of it (the shell's timeout:
// probeWaitMs) and its time as a suspect are judged that much later too. Like quietMs it is
// capped at probeAfterMs, so no peer makes this node more lenient than that. At 50 processes on
// two cores every node's loop runs seconds late, the sender's as much as the observer's; the
// observer's allowance alone left ~900 "probe timed out" suspicions of live peers in two minutes
// once the forming rules ended (BENCHMARKS.md, issue 14, stop 43).
//
// What counts as refused is narrow: the peer's address refused a dial (ECONNREFUSED — a
// crashed process's port does so within a millisecond; a disconnect, then a refused redial, is
// the usual crash). A stream or connection reset under the ping says nothing certain at load:
// at 50 processes on two cores every "refusal" of a live peer was one (UnexpectedEOF,
// StreamReset, ECONNRESET), never a closed port, and two made a live peer dead (BENCHMARKS.md,
// issue 14, stops 43 and 44). The shell probes again at once over a fresh stream after a reset
// (a crashed peer's redial is refused then) and reports a second failure as timed out. A probe
// that could not even be sent because this node's own stream limit was reached (a ping stream
// of its own still closing) is `inconclusive`: no outcome, the peer is probed again after the
// gap; a second one in a row counts as timed out, so nothing keeps a silent peer unjudged.
//
// A probe that times out after the peer was heard from again (a heartbeat or another sign of
// life that arrived while the probe was out) says nothing the detector does not know better:
// the peer is not silent. It suspects nobody. A refused probe still counts (a crash right after
// a heartbeat). A leader's vouch that arrives while the probe is out counts too, though it is
// dated back to the start of its window: at 50 processes on two cores a fifth of the
// timed-out suspicions (29 of 146 in twelve holds) were of peers whose silence was already
// below the probe threshold when the probe timed out, and in each of the 15 whose log lines
// could tell, a vouch naming the peer had arrived while the probe was out (BENCHMARKS.md,
// issue 14, stop 53).
//
// While a cluster is forming, a timed-out probe suspects nobody: when the peer says it belongs
// to no cluster yet (its heartbeat's `forming`), or this node does (forming()). A mesh forms
// while every process is starting at once — 50 processes, each compiling and handshaking with
// all the others, on two cores —, and there a probe that times out is a starved process far
// more often than a gone one: the detector suspected and killed starting peers faster than
// they were heard, each death hung up a connection that had to be dialled and handshaken
// again, and a founder's count of the founders it held alive collapsed every time it neared
// the expected number (BENCHMARKS.md, issue 14, stops 36 and 38). Such a peer stays alive and
// is probed again after another probe-after of silence — for FORMING_PATIENCE rounds of
// probe-after + dead-after (60 s with the defaults) of silence, after which a timed-out probe
// suspects it as usual, so a forming peer stopped for good is not shown alive for ever; a
// refused probe still makes it suspect and two make it dead, so a crash is caught as fast as
// ever. Nothing that needs a peer's liveness judged fast depends on a forming peer: it holds no
// vote, no work and no log, and as soon as both ends belong to the cluster the usual rules apply.
//
// A forming peer this node has never reached directly (no connection to it opened, no probe
// answered: `reached`) is not probed for silence, and its patience never runs out. Probing it
// is dialling it: a Noise handshake, outside the dialer's window (src/node/transport/dialer.ts,
// which is dialling it already), aborted at the probe timeout. On 50 processes starting on two
// cores such a handshake does not finish in time — this node's own starvation far more often
// than the peer's absence — and a handshake the starved peer resets reads as a refusal; the
// peer's heartbeats meanwhile come relayed, and the relays are lossy at that load. Bounding the patience there brought the collapse back (BENCHMARKS.md,
// issue 14, stop 40: 1 150–2 300 "probe timed out" suspicions a 50-node run, with a quarter to
// a third of all pairs never connected, and the founders each node held alive falling from
// their peak as the deaths came). What the bound is for — a peer stopped
// for good without closing its connection — needs a connection. A peer never reached that is
// gone stays alive here while the cluster forms (the cluster cannot found without it: founders
// wait for all --expect of them), and once both ends belong to the cluster the usual rules
// apply; nothing waits on a forming peer's liveness meanwhile.

export type MemberState = 'alive' | 'suspect' | 'dead' | 'left'

/** Rounds of probe-after + dead-after a forming peer may stay silent unsuspected (see formingPatience). */
export const FORMING_PATIENCE = 10

/**
 * How a probe ended: answered; refused (the peer's address refused the dial: no process
 * there); timed out / failed in a way that says nothing certain (the process may be slow, the
 * host cut off, a stream reset at load); or inconclusive (it never reached the peer: this
 * node's own stream limit). `true`/`false` are accepted as answered and refused.
 */
export type ProbeOutcome = 'answered' | 'refused' | 'timed-out' | 'inconclusive'

export interface FailureDetectorOptions {
  /** Silence after which a peer is probed directly (several heartbeat intervals). */
  probeAfterMs: number
  /** Minimum gap between two probes of one peer, so a flapping link is not hammered. */
  probeIntervalMs: number
  /** A suspect with no sign of life for this long is dead even if probes never answer. */
  deadAfterMs: number
}

/**
 * probeAfterMs and deadAfterMs have no default here: they are node options (--probe-after-ms,
 * --dead-after-ms; START_OPTIONS in src/node/config.ts, with the heartbeat interval they are
 * tuned against), so the caller always gives them and there is no second default to drift.
 */
export const defaultFailureDetectorOptions: Pick<FailureDetectorOptions, 'probeIntervalMs'> = {
  probeIntervalMs: 100
}

export type FailureDetectorInit = Pick<FailureDetectorOptions, 'probeAfterMs' | 'deadAfterMs'> & Partial<FailureDetectorOptions>

export interface Member {
  peerId: string
  state: MemberState
  /** Restart counter of the peer; orders heartbeats across restarts. */
  incarnation: bigint
  /** Heartbeat sequence within the incarnation. */
  seq: bigint
  /** Last sign of life (heartbeat, probe success, new connection), on the caller's clock. */
  lastHeardAt: number
  /**
   * When the last sign of life arrived: `lastHeardAt`, except after a leader's vouch, which is
   * dated back to the start of its window (signOfLife). A probe judges by this whether the
   * peer was heard from while it was out.
   */
  lastArrivedAt: number
  /** When `state` last changed. */
  stateSince: number
  connected: boolean
  probing: boolean
  lastProbeAt: number
  /** Probe failures (refused or timed out) since the last sign of life. */
  failedProbes: number
  /** Refused probes since the last sign of life: two make the peer dead at once. */
  refusedProbes: number
  /** Inconclusive probes in a row (no other outcome, no sign of life between): the second counts as timed out. */
  inconclusiveProbes: number
  /**
   * How much later than usual the peer said its next heartbeat may come while nothing it
   * advertises changes (its quiet heartbeats); silence is judged that much later. At most
   * probeAfterMs.
   */
  quietMs: number
  /**
   * How late the peer said its own event loop runs (its heartbeat's lag_ms): its silence, a
   * probe of it and its time as a suspect are judged that much later. At most probeAfterMs.
   */
  lagMs: number
  /** Its last heartbeat said it belongs to no cluster yet: timed-out probes do not suspect it. */
  forming: boolean
  /** This node has reached it directly (a connection opened, a probe answered): its forming patience runs. */
  reached: boolean
}

export interface Transition {
  peerId: string
  from: MemberState | 'unknown'
  to: MemberState
  reason: string
}

export interface DetectorReady {
  /** Peers the shell must probe now; it reports back with `probeResult`. */
  probes: string[]
  transitions: Transition[]
}

export interface DetectorCounters {
  suspicions: number
  refutedSuspicions: number
  deaths: number
  staleHeartbeats: number
  /** Timed-out probes of live peers that suspected nobody because the cluster was forming. */
  formingTimeouts: number
  /** Timed-out probes that suspected nobody because the peer was heard from while the probe was out. */
  heardTimeouts: number
  /** Probes that gave no outcome (inconclusive: this node's own stream limit), to be run again after the gap. */
  inconclusiveProbes: number
}

export class FailureDetector {
  private readonly opts: FailureDetectorOptions
  private readonly members = new Map<string, Member>()
  private probes: string[] = []
  private transitions: Transition[] = []
  readonly counters: DetectorCounters = { suspicions: 0, refutedSuspicions: 0, deaths: 0, staleHeartbeats: 0, formingTimeouts: 0, heardTimeouts: 0, inconclusiveProbes: 0 }
  /** How much longer than configured silences must last now (this node's own lag: stretch()). */
  private allowanceMs = 0
  /** This node belongs to no cluster yet (forming()). */
  private selfForming = false

  constructor (opts: FailureDetectorInit) {
    this.opts = { ...defaultFailureDetectorOptions, ...opts }
  }

  /**
   * A heartbeat signed by `peerId`. Returns false when it is stale (older than what we hold),
   * so the shell can skip updating the peer's advertised info. `forming`: the peer says it
   * belongs to no cluster yet. `lagMs`: how late the peer says its own event loop runs.
   */
  heartbeat (peerId: string, incarnation: bigint, seq: bigint, now: number, leaving = false, quietMs = 0, forming = false, lagMs = 0): boolean {
    let m = this.members.get(peerId)
    if (m == null) {
      this.add(peerId, incarnation, seq, now, leaving ? 'left' : 'alive')
      const added = this.members.get(peerId)!
      added.quietMs = this.quiet(quietMs)
      added.lagMs = this.quiet(lagMs)
      added.forming = forming
      return true
    }
    const newer = incarnation > m.incarnation || (incarnation === m.incarnation && seq > m.seq)
    if (!newer) {
      this.counters.staleHeartbeats++
      return false
    }
    // After a leave only a restart (new incarnation) brings the peer back.
    if (m.state === 'left' && incarnation === m.incarnation) {
      this.counters.staleHeartbeats++
      return false
    }
    m.incarnation = incarnation
    m.seq = seq
    m.quietMs = this.quiet(quietMs)
    m.lagMs = this.quiet(lagMs)
    m.forming = forming
    this.heard(m, now)
    if (leaving) {
      this.change(m, 'left', now, 'leave announced')
    } else if (m.state !== 'alive') {
      this.change(m, 'alive', now, 'heartbeat')
    }
    return true
  }

  /**
   * A member of the committed configuration this node has not heard from since it started
   * (it restarted, and the peer may have died meanwhile — for good). Without this the peer
   * stays unknown: never probed, never held dead, so its death never reaches a quorum when
   * enough voters restarted after it went, and jobs homed on it are never moved. It starts
   * as alive as of now, at the incarnation last remembered, and is treated like any peer:
   * silence past probeAfterMs gets it probed, two refused probes make it dead (a peer that
   * never answers at all dies after deadAfterMs as a suspect).
   */
  expect (peerId: string, incarnation: bigint, now: number): void {
    if (this.members.has(peerId)) return
    this.add(peerId, incarnation, 0n, now, 'alive', 'a member not heard from yet')
  }

  /**
   * Another authenticated frame from the peer (a Raft message from a member: its connection is
   * Noise-authenticated): a sign of life like a heartbeat for a live peer, so it keeps the peer
   * from being probed for silence (src/healing/liveness.ts). It clears nothing: a suspect, dead
   * or departed peer is judged by heartbeats and probes as before. `at` may lie in the past (a
   * leader's vouch says only that it heard the peer within a window): it never moves the last
   * sign of life back. `arrivedAt` (default `at`) is when the sign came: one that came while a
   * probe of the peer was out means the peer was heard from then, even when it is dated before
   * the probe left (probeResult) — a vouch names only peers its leader heard within the last
   * --heartbeat-ms, and the probe went out after seconds of silence: that silence was this
   * node's view, not the peer's. A peer that really fell silent is named by no vouch a window
   * after its last frame, so its next probe suspects it as before.
   */
  signOfLife (peerId: string, at: number, arrivedAt = at): void {
    const m = this.members.get(peerId)
    if (m == null || m.state !== 'alive') return
    if (at >= m.lastHeardAt) this.heard(m, at)
    if (arrivedAt > m.lastArrivedAt) m.lastArrivedAt = arrivedAt
  }

  /** A connection to the peer opened: it is reachable right now. */
  connected (peerId: string, now: number): void {
    const m = this.members.get(peerId)
    if (m == null) return
    m.connected = true
    m.reached = true
    if (m.state === 'suspect') {
      this.heard(m, now)
      this.change(m, 'alive', now, 'reconnected')
    } else if (m.state === 'alive') {
      this.heard(m, now)
    }
  }

  /** The last connection to the peer closed: probe at once rather than wait for silence. */
  disconnected (peerId: string, now: number): void {
    const m = this.members.get(peerId)
    if (m == null) return
    m.connected = false
    m.reached = true
    if (m.state === 'alive' || m.state === 'suspect') this.requestProbe(m, now, true)
  }

  /**
   * The outcome of a probe requested by `ready()`. An answer restores the peer. A failure makes
   * a live peer suspect; a second refusal (no answer in between) makes it dead at once; a
   * timed-out probe never does — a suspect that only times out dies in tick(), after
   * `deadAfterMs` of silence. While the cluster is forming (the peer or this node belongs to
   * none yet) a timed-out probe leaves a live peer alive — one this node never reached directly
   * always, one it reached while silent for less than its patience (formingPatience): it is
   * probed again after another probeAfterMs of silence. A timed-out probe of a live peer heard
   * from after it was sent (`sentAt`; by default when ready() asked for the probe, if it did)
   * leaves it alive. An inconclusive probe changes nothing but that the peer is probed again
   * after the gap; the second in a row is taken as timed out.
   */
  probeResult (peerId: string, outcome: ProbeOutcome | boolean, now: number, sentAt?: number): void {
    const m = this.members.get(peerId)
    if (m == null) return
    let result: ProbeOutcome = outcome === true ? 'answered' : outcome === false ? 'refused' : outcome
    const sent = sentAt ?? (m.probing ? m.lastProbeAt : Infinity)
    m.probing = false
    if (result === 'inconclusive') {
      if (m.inconclusiveProbes === 0) {
        m.inconclusiveProbes++
        this.counters.inconclusiveProbes++
        return
      }
      result = 'timed-out'
    }
    m.inconclusiveProbes = 0
    if (m.state === 'left') return
    if (m.state === 'dead') {
      if (result === 'answered') {
        this.heard(m, now)
        this.change(m, 'alive', now, 'probe answered')
      }
      return
    }
    if (result === 'answered') {
      this.heard(m, now)
      m.reached = true
      if (m.state === 'suspect') this.change(m, 'alive', now, 'probe answered')
      return
    }
    if (m.state === 'alive' && result === 'timed-out' && m.lastArrivedAt > sent) {
      // Heard from while the probe was out: not silent, whatever became of the probe.
      this.counters.heardTimeouts++
      return
    }
    m.failedProbes++
    if (result === 'refused') m.refusedProbes++
    if (m.state === 'alive' && result === 'timed-out' && this.formingWith(m) && (!m.reached || now - m.lastHeardAt < this.formingPatience())) {
      this.counters.formingTimeouts++
      return
    }
    if (m.state === 'alive') {
      this.change(m, 'suspect', now, result === 'refused' ? 'probe refused' : 'probe timed out')
    } else if (m.refusedProbes >= 2) {
      this.change(m, 'dead', now, 'second probe refused')
    }
  }

  /**
   * This node's event loop runs late (src/healing/lag.ts): a peer is probed for silence, a
   * suspect dies, and a peer whose last probe timed out is probed again, `ms` later than
   * configured until the next call (a refused probe's follow-up is not delayed). A shorter allowance moves
   * deadlines earlier: the shell asks nextDeadline() again after each call.
   */
  stretch (ms: number): void {
    this.allowanceMs = Math.max(0, ms)
  }

  /**
   * Whether this node belongs to no cluster yet: until it does, timed-out probes suspect no
   * peer (see the top of this file). The shell says so with every heartbeat it publishes.
   */
  forming (self: boolean): void {
    this.selfForming = self
  }

  /** The allowance stretch() set. */
  get allowance (): number {
    return this.allowanceMs
  }

  /** Advance time: silent peers get probed, long-silent suspects die. */
  tick (now: number): void {
    const probeAfterMs = this.opts.probeAfterMs + this.allowanceMs
    const deadAfterMs = this.opts.deadAfterMs + this.allowanceMs
    for (const m of this.members.values()) {
      const silentFor = now - m.lastHeardAt
      if (m.state === 'alive') {
        if (silentFor >= probeAfterMs + m.quietMs + m.lagMs && !this.unreachedForming(m)) this.requestProbe(m, now, false)
      } else if (m.state === 'suspect') {
        if (silentFor >= deadAfterMs + m.lagMs && now - m.stateSince >= deadAfterMs + m.lagMs) {
          this.change(m, 'dead', now, 'no sign of life while suspect')
        } else {
          // Confirm (or refute) the suspicion with a second probe.
          this.requestProbe(m, now, false)
        }
      } else if (m.state === 'dead' && now - m.lastProbeAt >= deadAfterMs) {
        this.requestProbe(m, now, false)
      }
    }
  }

  /**
   * The earliest `now` at which tick() has something to do (a probe to request, a suspect to
   * declare dead), or Infinity when nothing is pending: the shell arms one timer for it instead
   * of ticking on a fixed period. Mirrors tick() case by case. Every other input (heartbeat,
   * connection event, probe result) can only move a deadline, so the shell asks again after
   * each one. A peer being probed has no deadline of its own while alive or dead: its probe
   * result is the next event.
   */
  nextDeadline (): number {
    let next = Infinity
    const probeAfterMs = this.opts.probeAfterMs + this.allowanceMs
    const deadAfterMs = this.opts.deadAfterMs + this.allowanceMs
    for (const m of this.members.values()) {
      let at = Infinity
      if (m.state === 'alive') {
        if (!m.probing && !this.unreachedForming(m)) at = Math.max(m.lastHeardAt + probeAfterMs + m.quietMs + m.lagMs, m.lastProbeAt + this.probeGap(m))
      } else if (m.state === 'suspect') {
        at = Math.max(m.lastHeardAt, m.stateSince) + deadAfterMs + m.lagMs
        if (!m.probing) at = Math.min(at, m.lastProbeAt + this.probeGap(m))
      } else if (m.state === 'dead') {
        if (!m.probing) at = m.lastProbeAt + deadAfterMs
      }
      if (at < next) next = at
    }
    return next
  }

  ready (): DetectorReady {
    const out = { probes: this.probes, transitions: this.transitions }
    this.probes = []
    this.transitions = []
    return out
  }

  get (peerId: string): Readonly<Member> | undefined {
    return this.members.get(peerId)
  }

  /**
   * How late `peerId` said its own event loop runs, as this detector honours it (its last
   * heartbeat's lag_ms, at most probeAfterMs); 0 for a peer it does not hold alive or suspect.
   * The consensus shell stretches a follower's Raft election timeout by its leader's (lag.ts).
   */
  lagOf (peerId: string): number {
    const m = this.members.get(peerId)
    return m != null && (m.state === 'alive' || m.state === 'suspect') ? m.lagMs : 0
  }

  all (): Array<Readonly<Member>> {
    return [...this.members.values()]
  }

  /** Drop a peer entirely (e.g. left long ago); a later heartbeat re-adds it. */
  forget (peerId: string): void {
    this.members.delete(peerId)
  }

  private add (peerId: string, incarnation: bigint, seq: bigint, now: number, state: MemberState, reason?: string): void {
    const m: Member = {
      peerId,
      state,
      incarnation,
      seq,
      lastHeardAt: now,
      lastArrivedAt: now,
      stateSince: now,
      connected: false,
      probing: false,
      lastProbeAt: -Infinity,
      failedProbes: 0,
      refusedProbes: 0,
      inconclusiveProbes: 0,
      quietMs: 0,
      lagMs: 0,
      forming: false,
      reached: false
    }
    this.members.set(peerId, m)
    this.transitions.push({ peerId, from: 'unknown', to: state, reason: reason ?? (state === 'left' ? 'leave announced' : 'first heartbeat') })
  }

  /**
   * How long a probe of `peerId` may wait for its answer, given `timeoutMs` configured: longer by
   * this node's allowance (its own loop may read the answer late) and by the peer's announced
   * lag (it may send it late).
   */
  probeWaitMs (peerId: string, timeoutMs: number): number {
    return timeoutMs + this.allowanceMs + (this.members.get(peerId)?.lagMs ?? 0)
  }

  /** A peer's announced quiet interval (or lag), as this detector honours it: no more than probeAfterMs. */
  private quiet (ms: number): number {
    return Math.min(Math.max(0, ms), this.opts.probeAfterMs)
  }

  private heard (m: Member, now: number): void {
    m.lastHeardAt = now
    if (now > m.lastArrivedAt) m.lastArrivedAt = now
    m.failedProbes = 0
    m.refusedProbes = 0
    m.inconclusiveProbes = 0
  }

  /**
   * The least time between two probes of a peer: probeIntervalMs, stretched by the allowance
   * unless the last probe was refused (a crash's second refusal, which makes it dead, is never
   * delayed). A live peer whose probes only timed out while the cluster is forming is asked
   * again after another probeAfterMs (stretched), not every probeIntervalMs: it stays alive
   * meanwhile, and a starved peer is not sent a probe it cannot answer ten times a second.
   */
  private probeGap (m: Member): number {
    if (m.refusedProbes > 0) return this.opts.probeIntervalMs
    if (m.state === 'alive' && m.failedProbes > 0 && this.formingWith(m)) return this.opts.probeAfterMs + this.allowanceMs
    return this.opts.probeIntervalMs + this.allowanceMs
  }

  /**
   * How long a forming peer may stay silent before a timed-out probe suspects it after all:
   * FORMING_PATIENCE rounds of probe-after and dead-after (60 s with the defaults), stretched.
   * A starved process is heard again well within it; a forming peer stopped for good without
   * closing its connection (SIGSTOP, a cut cable) is not shown alive for ever.
   */
  private formingPatience (): number {
    return FORMING_PATIENCE * (this.opts.probeAfterMs + this.opts.deadAfterMs) + this.allowanceMs
  }

  /** A forming peer this node never reached directly: not probed for silence (see the top of this file). */
  private unreachedForming (m: Member): boolean {
    return !m.reached && this.formingWith(m)
  }

  /** The cluster is forming as far as `m` and this node go: either belongs to none yet. */
  private formingWith (m: Member): boolean {
    return m.forming || this.selfForming
  }

  private requestProbe (m: Member, now: number, urgent: boolean): void {
    if (m.probing) return
    if (!urgent && now - m.lastProbeAt < this.probeGap(m)) return
    m.probing = true
    m.lastProbeAt = now
    this.probes.push(m.peerId)
  }

  private change (m: Member, to: MemberState, now: number, reason: string): void {
    const from = m.state
    if (from === to) return
    if (to === 'suspect') this.counters.suspicions++
    if (to === 'dead') this.counters.deaths++
    if (from === 'suspect' && to === 'alive') this.counters.refutedSuspicions++
    m.state = to
    m.stateSince = now
    if (to !== 'alive' && to !== 'suspect') m.probing = false
    this.transitions.push({ peerId: m.peerId, from, to, reason })
  }
}
