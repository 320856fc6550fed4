// The node's one metrics registry (prom-client). Every module's counters and gauges live in
// it: the shell's own are prom-client metrics that callers bump (`metrics.probes.inc()`); the
// sans-I/O cores keep plain counter objects (they must not import prom-client), which are
// registered here, in one place, and read when the registry collects. `meshnode status`
// lists the registry's own unlabelled counters and gauges (statusCounters); `GET /metrics`
// serves `registry.metrics()` unchanged, with libp2p's metrics (transport/host.ts) and the
// process's (ProcessMetrics) beside ours.
//
// Names: counters end in `_total`, durations in `_seconds`, sizes in `_bytes`; anything else
// is a plain gauge. Status shows every name it lists, so such a name is never renamed or
// removed; labelled families (by task type, reason, state) are new names beside them.
//
// The per-task paths (WorkMetrics, the shell's WorkObserver) do one Map lookup per attempt and
// bump plain numbers; prom-client reads them at collect time, and the two per-task histograms
// are FastHistograms (metrics-histogram.ts) for the same reason.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client'
import gc from 'prom-client/lib/metrics/gc.js'
import heapSizeAndUsed from 'prom-client/lib/metrics/heapSizeAndUsed.js'
import heapSpacesSizeAndUsed from 'prom-client/lib/metrics/heapSpacesSizeAndUsed.js'
import osMemoryHeap from 'prom-client/lib/metrics/osMemoryHeap.js'
import processCpuTotal from 'prom-client/lib/metrics/processCpuTotal.js'
import processHandles from 'prom-client/lib/metrics/processHandles.js'
import processMaxFileDescriptors from 'prom-client/lib/metrics/processMaxFileDescriptors.js'
import processOpenFileDescriptors from 'prom-client/lib/metrics/processOpenFileDescriptors.js'
import processRequests from 'prom-client/lib/metrics/processRequests.js'
import processResources from 'prom-client/lib/metrics/processResources.js'
import processStartTime from 'prom-client/lib/metrics/processStartTime.js'
import version from 'prom-client/lib/metrics/version.js'
import type { RaftCounters } from '../consensus/types.js'
import type { DetectorCounters, MemberState } from '../healing/failure-detector.js'
import type { AttemptOutcome } from '../work/core.js'
import type { JobRecord } from '../work/records.js'
import { EventLoopLag } from './eventloop-lag.js'
import { FastHistogram, type HistogramChild } from './metrics-histogram.js'
import type { WorkObserver } from './services/work-shell.js'
import { Traffic } from './transport/traffic.js'

/** Metrics `meshnode status` lists (ours, unlabelled, synchronous); libp2p's and the process's are not. */
const STATUS = new WeakSet<object>()

/** The shell's own counters: callers bump them through the typed object (`metrics.probes.inc()`). */
const NODE_COUNTERS = {
  gossipRejected: { name: 'gossip_rejected_total', help: 'Heartbeats refused by gossip validation, for any reason' },
  gossipOversize: { name: 'gossip_oversize_total', help: 'Heartbeats refused for exceeding the size limit' },
  gossipMalformed: { name: 'gossip_malformed_total', help: 'Heartbeats refused as undecodable or invalid' },
  gossipWrongMesh: { name: 'gossip_wrong_mesh_total', help: 'Heartbeats refused for naming another mesh' },
  gossipForgedSender: { name: 'gossip_forged_sender_total', help: 'Unsigned gossip messages dropped (StrictSign bypassed)' },
  rpcRejected: { name: 'rpc_rejected_total', help: 'Status and admin requests that were refused or failed' },
  rpcServed: { name: 'rpc_served_total', help: 'Status and admin requests answered' },
  heartbeatsSent: { name: 'heartbeats_sent_total', help: 'Heartbeats this node published' },
  heartbeatsReceived: { name: 'heartbeats_received_total', help: 'Valid heartbeats received from peers' },
  pulsesSent: { name: 'pulses_sent_total', help: 'Pulses sent: a bare sign of life to a member instead of a quiet heartbeat (healing/liveness.ts)' },
  pulsesReceived: { name: 'pulses_received_total', help: 'Pulses received from members and counted as signs of life' },
  vouchesSent: { name: 'vouches_sent_total', help: 'Vouches sent as leader: the members it heard lately, on a Raft frame to a follower (healing/liveness.ts)' },
  vouchesReceived: { name: 'vouches_received_total', help: 'Vouches counted: from the leader this node follows, over its own member list' },
  membersVouched: { name: 'members_vouched_total', help: 'Members named in counted vouches (each a sign of life for that member)' },
  vouchesIgnored: { name: 'vouches_ignored_total', help: 'Vouches not counted: from a node this one does not follow, or over another member list' },
  vouchesRejected: { name: 'vouches_rejected_total', help: 'Vouches refused as malformed or oversize' },
  pulsesVouched: { name: 'pulses_vouched_total', help: 'Pulses not sent (nor a quiet heartbeat) because the leader vouches for this node to the peer' },
  heartbeatsLeftOut: { name: 'heartbeats_left_out_total', help: 'Quiet heartbeats not sent to a peer that counts frames as signs of life: it was just sent a Raft frame, or gets a pulse instead (healing/liveness.ts)' },
  gossipRelaysSkipped: { name: 'gossip_relays_skipped_total', help: 'Fresh heartbeats not forwarded to gossip mesh peers: every member was directly connected (healing/relay.ts)' },
  gossipRelaysUnneeded: { name: 'gossip_relays_unneeded_total', help: 'Relayed heartbeat copies not sent to a mesh peer whose last heartbeat says it hears their author directly (healing/relay.ts)' },
  gossipLinksReopened: { name: 'gossip_links_reopened_total', help: 'Gossip streams reopened to connected peers that gossipsub had given up on (transport/gossip-links.ts)' },
  dialsTimedOut: { name: 'dials_timed_out_total', help: 'Dials aborted unconnected at their time limit (transport/dialer.ts): the handshake CPU both ends spent on them was wasted' },
  probes: { name: 'probes_total', help: 'Direct probes (libp2p ping) of silent or disconnected peers' },
  probesFailed: { name: 'probes_failed_total', help: 'Probe pings that got no answer (a probe retried after a reset counts each ping)' },
  probesRetried: { name: 'probes_retried_total', help: 'Probes tried a second time at once because the first ping\'s stream or connection was reset (a reset is not a refusal)' },
  raftSent: { name: 'raft_sent_total', help: 'Raft messages sent' },
  raftReceived: { name: 'raft_received_total', help: 'Raft messages received and decoded' },
  raftDropped: { name: 'raft_dropped_total', help: 'Raft messages dropped before sending (queue full, stream lost)' },
  raftRejected: { name: 'raft_rejected_total', help: 'Raft frames refused (malformed, oversize, wrong sender)' },
  workServed: { name: 'work_served_total', help: 'Work protocol requests answered' },
  workRejected: { name: 'work_rejected_total', help: 'Work protocol requests refused' },
  strangersRefused: { name: 'strangers_refused_total', help: 'Raft, work and internal streams or requests refused because the peer is not a member' },
  adminForbidden: { name: 'admin_forbidden_total', help: 'Admin commands refused for lack of a right (FORBIDDEN) or over a quota' },
  rateLimited: { name: 'rate_limited_total', help: 'Requests, streams and raft frames refused or dropped because one peer sent more than its limit (any protocol)' },
  deathOpinionsSent: { name: 'death_opinions_sent_total', help: 'Opinion sets (members this node holds dead) sent to the leader' },
  deathOpinionsReceived: { name: 'death_opinions_received_total', help: 'Opinion sets received from voters while leading' },
  deathsProposed: { name: 'deaths_proposed_total', help: 'node.dead entries this node proposed as leader (a majority of voters agreed)' },
  deathsCommitted: { name: 'deaths_committed_total', help: 'node.dead entries applied here (quorum-confirmed deaths)' },
  alivesCommitted: { name: 'alives_committed_total', help: 'node.alive entries applied here that cleared a death' },
  declaredDead: { name: 'declared_dead_total', help: 'Times this node learned it had been declared dead and rejoined with a new incarnation' }
} as const

/** The failure detector's counters. Membership transitions are counted here, once. */
const DETECTOR_COUNTERS: ReadonlyArray<{ name: string, help: string, field: keyof DetectorCounters }> = [
  { name: 'suspicions_total', help: 'Peers that became suspect', field: 'suspicions' },
  { name: 'refuted_suspicions_total', help: 'Suspect peers that proved alive', field: 'refutedSuspicions' },
  { name: 'deaths_total', help: 'Peers the failure detector declared dead', field: 'deaths' },
  { name: 'stale_heartbeats_total', help: 'Heartbeats older than one already held (replayed or reordered gossip)', field: 'staleHeartbeats' },
  { name: 'forming_probe_timeouts_total', help: 'Timed-out probes that suspected no peer because it or this node belonged to no cluster yet', field: 'formingTimeouts' },
  { name: 'heard_probe_timeouts_total', help: 'Timed-out probes that suspected no peer because it was heard from while the probe was out', field: 'heardTimeouts' },
  { name: 'inconclusive_probes_total', help: 'Probes that gave no outcome (this node\'s own ping stream limit reached) and were run again after the gap', field: 'inconclusiveProbes' }
]

/** The Raft core's counters of refused input. */
const RAFT_COUNTERS: ReadonlyArray<{ name: string, help: string, field: keyof RaftCounters }> = [
  { name: 'raft_elections_started_total', help: 'Elections this node started as a candidate (each a new term)', field: 'electionsStarted' },
  { name: 'raft_pre_votes_started_total', help: 'Pre-vote rounds this node started (asking whether it could win an election)', field: 'preVotesStarted' },
  { name: 'raft_rejected_messages_total', help: 'Raft messages the core refused (malformed or misaddressed)', field: 'rejectedMessages' },
  { name: 'raft_rejected_votes_total', help: 'Vote, pre-vote or ack signatures that did not verify', field: 'rejectedVotes' },
  { name: 'raft_rejected_certificates_total', help: 'Leader certificates that failed verification', field: 'rejectedCertificates' },
  { name: 'raft_certificates_verified_total', help: 'Leader certificates verified with signature checks', field: 'certificatesVerified' },
  { name: 'raft_votes_ignored_in_lease_total', help: 'Vote requests ignored while a leader is heard', field: 'votesIgnoredInLease' },
  { name: 'raft_committed_conflicts_total', help: 'Leader messages that contradicted the committed log (faulty peer or bug)', field: 'committedConflicts' },
  { name: 'raft_certificate_cache_hits_total', help: 'Leader messages accepted from the per-term certificate cache', field: 'certificateCacheHits' },
  { name: 'raft_certificates_requested_total', help: 'Leader messages answered with certRequired', field: 'certificatesRequested' },
  { name: 'raft_rejected_transfers_total', help: 'Transfer vote requests without a verifiable leader hand-over (handled as ordinary requests)', field: 'rejectedTransfers' },
  { name: 'raft_chains_followed_total', help: 'Leader certificates accepted through a chain of configuration links', field: 'chainsFollowed' }
]

/** Buckets of control-log proposals: a commit round trip on loopback is ~1 ms, a slow disk or WAN ~100 ms. */
const PROPOSAL_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

/**
 * The typed metrics object: one prom-client counter per shell counter, and the shell's
 * labelled and timed metrics.
 */
export type Metrics = { readonly [K in keyof typeof NODE_COUNTERS]: Counter } & {
  /** Control-log proposals at the leader, from propose to applied (consensus service). */
  readonly raftProposal: Histogram
  /** Heartbeats refused, by reason (oversize, malformed, wrong_mesh, forged_sender). */
  readonly gossipRejects: Counter<'reason'>
  /** Requests, streams and frames refused, by protocol (status, admin, internal, raft, work) and reason. */
  readonly rpcRejects: Counter<'protocol' | 'reason'>
  /** Schedule occurrences this node fired as leader (schedule.fired applied), by schedule. */
  readonly scheduleFired: Counter<'schedule'>
  /** How much the failure detector's thresholds are stretched now for this node's own lag (src/healing/lag.ts). */
  readonly lagAllowance: Gauge
  /** Messages between nodes by protocol and kind, and socket writes (transport/traffic.ts). */
  readonly traffic: Traffic
}

/** Counts one refusal in rpc_rejects_total; `protocol` is a short name or a protocol id. */
export function countReject (metrics: Metrics, protocol: string, reason: string): void {
  metrics.rpcRejects.labels(shortProtocol(protocol), reason).inc()
}

/** "/meshnode/work/1.0.0" → "work": the label stays short and bounded. */
function shortProtocol (protocol: string): string {
  return /^\/meshnode\/([a-z-]+)\//.exec(protocol)?.[1] ?? protocol
}

/** Where the cores' counter objects are found; read lazily, as a core may not exist yet. */
export interface CoreCounterSources {
  /** The failure detector's counters. */
  detector?: () => DetectorCounters | undefined
  /** The Raft core's counters; undefined while this node belongs to no cluster. */
  raft?: () => RaftCounters | undefined
  /** The wire counts the host's connections bump (given to createHost too); a fresh one if none. */
  traffic?: Traffic
}

/**
 * Creates the node's metrics in `registry` and registers the cores' counter objects beside
 * them. Registration order is the order `meshnode status` lists them in.
 */
export function createMetrics (registry: Registry, cores: CoreCounterSources = {}): Metrics {
  const counters = Object.fromEntries(Object.entries(NODE_COUNTERS).map(([key, { name, help }]) =>
    [key, status(new Counter({ name, help, registers: [registry] }))]))
  for (const { name, help, field } of DETECTOR_COUNTERS) coreCounter(registry, name, help, () => cores.detector?.()?.[field])
  for (const { name, help, field } of RAFT_COUNTERS) coreCounter(registry, name, help, () => cores.raft?.()?.[field])
  const traffic = cores.traffic ?? new Traffic()
  registerTraffic(registry, traffic)
  return {
    traffic,
    ...counters,
    raftProposal: new Histogram({ name: 'raft_proposal_seconds', help: 'Control-log proposals at the leader, from propose to applied here (seconds)', buckets: PROPOSAL_BUCKETS, registers: [registry] }),
    gossipRejects: new Counter({ name: 'gossip_rejects_total', help: 'Heartbeats refused by gossip validation, by reason (the per-reason counters above, labelled)', labelNames: ['reason'], registers: [registry] }),
    rpcRejects: new Counter({ name: 'rpc_rejects_total', help: 'Requests, streams and frames refused, by protocol and reason (stranger, rate_limited, forbidden, malformed, misaddressed, failed)', labelNames: ['protocol', 'reason'], registers: [registry] }),
    scheduleFired: new Counter({ name: 'schedule_fired_total', help: 'Schedule occurrences this node fired as leader (one schedule.fired entry applied each; sum over nodes = occurrences fired), by schedule', labelNames: ['schedule'], registers: [registry] }),
    // In status as whole seconds (statusCounters rounds); /metrics has the fraction.
    lagAllowance: status(new Gauge({ name: 'lag_allowance_seconds', help: 'How many seconds later than configured this node probes a silent peer and declares a suspect dead, for its own event-loop lag (healing/lag.ts; 0 at rest)', registers: [registry] }))
  } as unknown as Metrics
}

/** The traffic counts as labelled counters, read at collect. */
function registerTraffic (registry: Registry, traffic: Traffic): void {
  const byKind = (name: string, help: string, counts: Map<string, number>): void => {
    new Counter({
      name,
      help,
      labelNames: ['kind'],
      registers: [registry],
      collect () {
        this.reset()
        for (const [kind, n] of counts) this.labels(kind).inc(n)
      }
    })
  }
  byKind('messages_sent_total', 'Messages this node sent to other nodes, by protocol and kind: raft.<type>, raft.write (stream writes carrying them), work.<op> requests, work.response (transport/traffic.ts)', traffic.sent)
  byKind('messages_received_total', 'Messages this node received from other nodes, by protocol and kind (as messages_sent_total; internal.<request> for the internal protocol)', traffic.received)
  new Counter({
    name: 'socket_writes_total',
    help: 'Outbound Noise frames, socket writes and bytes on this node\'s connections, to members and to others (clients), counted once each connection\'s remote peer is known',
    labelNames: ['peers', 'what'],
    registers: [registry],
    collect () {
      this.reset()
      const t = traffic.socketTotals()
      for (const [peers, c] of [['members', t.members], ['others', t.others]] as const) {
        this.labels(peers, 'frames').inc(c.frames)
        this.labels(peers, 'writes').inc(c.writes)
        this.labels(peers, 'bytes').inc(c.bytes)
      }
    }
  })
}

/** Where the node-level gauges read their values, at collect time. */
export interface NodeGaugeSources {
  /** The failure detector's members (this node not among them). */
  members: () => Iterable<{ state: MemberState }> | undefined
  /** Raft's view; undefined while this node belongs to no cluster. */
  raft: () => { role: string, term: number, commit: number, applied: number } | undefined
  /** The work slots (--concurrency): now, and the bounds auto moves them in (min = max when fixed). */
  slots?: () => { auto: boolean, slots: number, min: number, max: number } | undefined
}

const MEMBER_STATES: readonly MemberState[] = ['alive', 'suspect', 'dead', 'left']
const RAFT_ROLES = ['leader', 'follower', 'candidate', 'pre-candidate', 'learner', 'none'] as const

/**
 * Gauges of the node's state, read when the registry collects: membership by state (this
 * node counted alive), raft term, role (1 for the current one), commit and applied index.
 */
export function registerNodeGauges (registry: Registry, src: NodeGaugeSources): void {
  new Gauge({
    name: 'members',
    help: 'Members of the mesh by state, as this node sees them (itself counted alive)',
    labelNames: ['state'],
    registers: [registry],
    collect () {
      const n = { alive: 1, suspect: 0, dead: 0, left: 0 }
      for (const m of src.members() ?? []) n[m.state]++
      for (const state of MEMBER_STATES) this.labels(state).set(n[state])
    }
  })
  new Gauge({
    name: 'raft_role',
    help: 'Raft role of this node: 1 for its current role, 0 for the others (none: in no cluster yet)',
    labelNames: ['role'],
    registers: [registry],
    collect () {
      const role = src.raft()?.role ?? 'none'
      for (const r of RAFT_ROLES) this.labels(r).set(r === role ? 1 : 0)
    }
  })
  const raftGauge = (name: string, help: string, read: (r: NonNullable<ReturnType<NodeGaugeSources['raft']>>) => number): void => {
    new Gauge({ name, help, registers: [registry], collect () { const r = src.raft(); this.set(r == null ? 0 : read(r)) } })
  }
  raftGauge('raft_term', 'Current raft term of this node', r => r.term)
  raftGauge('raft_commit_index', 'Highest control-log index this node knows committed', r => r.commit)
  raftGauge('raft_applied_index', 'Highest control-log index applied to this node\'s state', r => r.applied)
  if (src.slots != null) {
    const read = src.slots
    const slotGauge = (name: string, help: string, pick: (s: NonNullable<ReturnType<typeof read>>) => number): void => {
      status(new Gauge({ name, help, registers: [registry], collect () { const s = read(); if (s != null) this.set(pick(s)) } }))
    }
    slotGauge('work_slots', 'Tasks this node runs at once now (--concurrency; with auto, what it adapted to)', s => s.slots)
    slotGauge('work_slots_min', 'The fewest slots --concurrency auto goes to (= work_slots when fixed)', s => s.min)
    slotGauge('work_slots_max', 'The most slots --concurrency auto goes to (= work_slots when fixed)', s => s.max)
    slotGauge('work_slots_auto', '1 when --concurrency is auto, 0 when fixed', s => s.auto ? 1 : 0)
  }
}

/** Distinct task types given their own label value; later ones are counted as "other". */
export const MAX_TASK_TYPES = 100
const OTHER_TYPE = 'other'

/** Task attempts: a no-op runs in microseconds, a build shard in minutes. */
const TASK_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600]
/** Jobs and completion detection: milliseconds on loopback up to hours for long jobs. */
const JOB_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 14400]

interface TypeStats {
  started: number
  done: number
  failed: number
  retried: number
  duration: HistogramChild
  wait: HistogramChild
}

/**
 * The work layer's metrics, fed by the WorkShell as a WorkObserver: per task type (the first
 * MAX_TASK_TYPES types seen, then "other") attempts started, done, failed for good and
 * retried, attempt duration and queue wait; per job of this home, submit→final state and
 * completion-detection latency. Each observation is a Map lookup and a few additions.
 */
export class WorkMetrics implements WorkObserver {
  /** Type → its stats; types beyond the cap are not kept (they share `other`). */
  private readonly byType = new Map<string, TypeStats>()
  /** Label value → stats, at most MAX_TASK_TYPES + 1 entries: what collect reports. */
  private readonly byLabel = new Map<string, TypeStats>()
  private readonly duration: FastHistogram
  private readonly wait: FastHistogram
  private readonly jobDuration: FastHistogram
  private readonly completion: FastHistogram
  private readonly jobState = new Map<string, HistogramChild>()
  private readonly completionChild: HistogramChild

  /** `countByType` fills queued and running tasks by type (WorkCore.countByType), at collect. */
  constructor (registry: Registry, countByType: (queued: Map<string, number>, running: Map<string, number>) => void = () => {}) {
    const stats = this.byLabel
    const counter = (name: string, help: string, field: 'started' | 'done' | 'failed' | 'retried'): void => {
      new Counter({
        name,
        help,
        labelNames: ['type'],
        registers: [registry],
        collect () {
          this.reset()
          for (const [label, s] of stats) if (s[field] > 0) this.labels(label).inc(s[field])
        }
      })
    }
    counter('tasks_started_total', 'Task attempts started on this node, by task type', 'started')
    counter('tasks_done_total', 'Task attempts that succeeded on this node, by task type (one per task unless a task was re-run after a death)', 'done')
    counter('tasks_failed_total', 'Tasks that failed for good on this node (no attempts left), by task type', 'failed')
    counter('tasks_retried_total', 'Failed task attempts queued again for a retry, by task type', 'retried')
    const byType = (name: string, help: string, pick: (q: Map<string, number>, r: Map<string, number>) => Map<string, number>): void => {
      const label = (t: string): string => this.labelOf(t)
      new Gauge({
        name,
        help,
        labelNames: ['type'],
        registers: [registry],
        collect () {
          const queued = new Map<string, number>()
          const running = new Map<string, number>()
          countByType(queued, running)
          this.reset()
          const sums = new Map<string, number>()
          for (const [t, n] of pick(queued, running)) sums.set(label(t), (sums.get(label(t)) ?? 0) + n)
          // A type seen before reads 0 rather than vanishing from the series.
          for (const l of stats.keys()) if (!sums.has(l)) sums.set(l, 0)
          for (const [l, n] of sums) this.labels(l).set(n)
        }
      })
    }
    byType('tasks_queued', 'Tasks queued on this node (waiting for a slot or a thief), by task type', q => q)
    byType('tasks_running', 'Task attempts running on this node, by task type', (_q, r) => r)
    this.duration = new FastHistogram({ name: 'task_duration_seconds', help: 'Task attempt run time on this node (handler start to end, any outcome), by task type', labelName: 'type', buckets: TASK_BUCKETS, registers: [registry] })
    this.wait = new FastHistogram({ name: 'task_queue_wait_seconds', help: 'Time a task waited in this node\'s queue before its attempt started (from becoming runnable here: registered at submit, spawned, stolen, reclaimed, or its retry backoff over), by task type', labelName: 'type', buckets: TASK_BUCKETS, registers: [registry] })
    this.jobDuration = new FastHistogram({ name: 'job_duration_seconds', help: 'Jobs of this home, from submit to final state durable here, by final state', labelName: 'state', buckets: JOB_BUCKETS, registers: [registry] })
    this.completion = new FastHistogram({ name: 'completion_detection_seconds', help: 'Completion detection at the home: from recording the job\'s last task outcome here (its finish here, or its result\'s arrival from the node that ran it) to the job\'s final state being durable', buckets: JOB_BUCKETS, registers: [registry] })
    this.completionChild = this.completion.child()
  }

  taskStarted (type: string, waitMs: number): void {
    const s = this.stats(type)
    s.started++
    s.wait.observe(waitMs / 1000)
  }

  taskEnded (type: string, outcome: AttemptOutcome, durationMs: number): void {
    const s = this.stats(type)
    s.duration.observe(durationMs / 1000)
    if (outcome === 'done') s.done++
    else if (outcome === 'retried') s.retried++
    else if (outcome === 'failed') s.failed++
  }

  jobFinished (job: JobRecord, now: number): void {
    let child = this.jobState.get(job.state)
    if (child == null) {
      child = this.jobDuration.child(job.state)
      this.jobState.set(job.state, child)
    }
    child.observe(Math.max(0, now - job.createdAt) / 1000)
    // A cancelled job's end is the cancel, not the detection of its last task.
    // From when this home recorded the last outcome (its clock; a remote task's result arrival).
    const from = job.lastRecordedAt ?? job.lastTaskAt
    if (job.state !== 'cancelled' && from != null && from > 0) this.completionChild.observe(Math.max(0, now - from) / 1000)
  }

  private labelOf (type: string): string {
    return this.byType.has(type) || this.byType.size < MAX_TASK_TYPES ? type : OTHER_TYPE
  }

  private stats (type: string): TypeStats {
    const s = this.byType.get(type)
    return s ?? this.add(type)
  }

  private add (type: string): TypeStats {
    const label = this.byType.size < MAX_TASK_TYPES ? type : OTHER_TYPE
    let s = this.byLabel.get(label)
    if (s == null) {
      s = { started: 0, done: 0, failed: 0, retried: 0, duration: this.duration.child(label), wait: this.wait.child(label) }
      this.byLabel.set(label, s)
    }
    if (label !== OTHER_TYPE) this.byType.set(type, s)
    return s
  }
}

/**
 * prom-client's default metrics, each registered as `collectDefaultMetrics` would, but for its
 * event-loop lag gauges: those come from the node's one lag sampler (eventloop-lag.ts) instead
 * of a second native timer. test/unit/node/eventloop-lag.test.ts checks this list against
 * prom-client's own, so an update that adds a default fails there.
 */
export const PROCESS_DEFAULTS = { processCpuTotal, processStartTime, osMemoryHeap, processOpenFileDescriptors, processMaxFileDescriptors, processResources, processHandles, processRequests, heapSizeAndUsed, heapSpacesSizeAndUsed, version, gc }

/**
 * The process's metrics: prom-client's defaults (process_cpu_*_seconds_total,
 * process_resident_memory_bytes, nodejs_heap_*_bytes, nodejs_gc_duration_seconds, ...) and the
 * event-loop lag families (`eventloop_lag_seconds`, `nodejs_eventloop_lag_*_seconds`), all read
 * from one native sampler that runs while the node does (EventLoopLag).
 */
export class ProcessMetrics {
  private readonly lag: EventLoopLag

  constructor (registry: Registry) {
    for (const register of Object.values(PROCESS_DEFAULTS)) register(registry, {})
    this.lag = new EventLoopLag(registry)
  }

  start (): void {
    this.lag.start()
  }

  stop (): void {
    this.lag.stop()
  }
}

/**
 * Registers counters and gauges a service reports as `[name, value]` entries (the work
 * service's `counterEntries()`): names ending in `_total` become counters, others gauges.
 * The names are taken once, now; values are read whenever the registry collects.
 */
export function registerEntries (registry: Registry, entries: () => Array<[string, number]>): void {
  // A collect reads the metrics in registration order: take the service's entries once per
  // pass (when its first metric is read), not once per metric; a status poll during a
  // 50 000-job run otherwise built them 17 times. The cache lives for this turn at most.
  const names = entries().map(([n]) => n)
  let cached: Map<string, number> | undefined
  const read = (name: string): number | undefined => {
    if (cached == null || name === names[0]) {
      if (cached == null) queueMicrotask(() => { cached = undefined })
      cached = new Map(entries())
    }
    return cached.get(name)
  }
  for (const name of names) {
    const help = `${name.replace(/_/g, ' ')} (reported by the service)`
    if (name.endsWith('_total')) coreCounter(registry, name, help, () => read(name))
    else status(new Gauge({ name, help, registers: [registry], collect () { this.set(read(name) ?? 0) } }))
  }
}

/**
 * The registry's own unlabelled counters and gauges (those created here as status metrics;
 * not libp2p's, the process's, nor the labelled families) as `[name, value]`, read
 * synchronously for the status snapshot (which the embedding API returns synchronously). prom-client only
 * offers an async read (`get()`, which awaits a collect that may be async); ours are all
 * synchronous, so this runs each collect and reads the values the same way `get()` does.
 * test/unit/node/metrics.test.ts checks the result against prom-client's own async read.
 */
export function statusCounters (registry: Registry): Array<[string, number]> {
  const out: Array<[string, number]> = []
  for (const metric of registry.getMetricsAsArray()) {
    if (!STATUS.has(metric)) continue
    if (!(metric instanceof Counter) && !(metric instanceof Gauge)) continue
    const m = metric as unknown as SyncReadable
    if (m.collect?.call(metric) instanceof Promise) continue
    const unlabelled = Object.values(m.hashMap ?? {}).find(v => Object.keys(v.labels ?? {}).length === 0)
    // The status answer carries whole numbers (uint64): a fraction is rounded here rather than
    // failing the whole answer when it is converted (BigInt(2.5) throws).
    if (unlabelled != null) out.push([m.name, Math.round(unlabelled.value)])
  }
  return out
}

/** What statusCounters reads of a prom-client counter or gauge (as its async `get()` does). */
interface SyncReadable {
  name: string
  collect?: () => unknown
  hashMap?: Record<string, { value: number, labels?: Record<string, unknown> }>
}

/** A counter kept as a plain number elsewhere (a core's counter object), read at collect time. */
function coreCounter (registry: Registry, name: string, help: string, read: () => number | undefined): void {
  status(new Counter({
    name,
    help,
    registers: [registry],
    collect () {
      this.reset()
      const v = read() ?? 0
      if (v > 0) this.inc(v)
    }
  }))
}

/** Marks a metric for `meshnode status`. */
function status<T extends object> (metric: T): T {
  STATUS.add(metric)
  return metric
}

/** What the incident log's metrics read and bump (src/node/observe/incident-log.ts). */
export interface IncidentMetrics {
  /** Bumped once per incident opened here, by the cause it was first tagged with. */
  opened: (cause: string) => void
}

/**
 * `incidents_total{cause}` (incidents this node opened, by their first cause tag; every cause
 * present from the start at 0, so a rate query has a series) and `incidents_open` (read at
 * collect time from the log).
 */
export function registerIncidentMetrics (registry: Registry, causes: readonly string[], open: () => number): IncidentMetrics {
  const total = new Counter({ name: 'incidents_total', help: 'Incidents this node opened (deaths, reclaims, circuits, escalations, stuck jobs, resources), by the cause first tagged', labelNames: ['cause'], registers: [registry] })
  for (const c of causes) total.labels(c).inc(0)
  status(new Gauge({ name: 'incidents_open', help: 'Incidents in this node\'s log that are still open', registers: [registry], collect () { this.set(open()) } }))
  return { opened: cause => { total.labels(cause).inc() } }
}

const CIRCUIT_STATE_VALUE = { closed: 0, 'half-open': 1, open: 2 } as const

/**
 * Supervision (README "Supervision"): the circuit breakers this node holds, read at collect
 * time, and the counts of circuit transitions and escalation steps, fed from the work core's
 * notices (WorkShell.onNotice). Targets are peers and task types: bounded by the mesh.
 */
export class SupervisionMetrics {
  private readonly transitions: Counter
  private readonly escalations: Counter

  constructor (registry: Registry, circuits: () => ReadonlyArray<{ kind: string, target: string, state: keyof typeof CIRCUIT_STATE_VALUE }>) {
    new Gauge({
      name: 'circuit_state',
      help: 'Circuit breakers held on this node: 0 closed, 1 half-open, 2 open; kind peer (target a peer id, at a lender) or handler (target a task type)',
      labelNames: ['kind', 'target'],
      registers: [registry],
      collect () {
        this.reset()
        for (const c of circuits()) this.labels(c.kind, c.target).set(CIRCUIT_STATE_VALUE[c.state])
      }
    })
    this.transitions = new Counter({ name: 'circuit_transitions_total', help: 'Circuit breaker transitions on this node, by kind (peer, handler) and the state entered (open, half-open, closed)', labelNames: ['kind', 'to'], registers: [registry] })
    this.escalations = new Counter({ name: 'task_escalations_total', help: 'Escalation steps of failed task attempts on this node: retry-here, other-node, failed, capped', labelNames: ['step'], registers: [registry] })
  }

  /** A work-core notice (task.escalated, circuit.*). */
  notice (n: { type: string, data: Record<string, unknown> }): void {
    if (n.type === 'task.escalated') this.escalations.labels(String(n.data.step)).inc()
    else if (n.type.startsWith('circuit.')) this.transitions.labels(String(n.data.kind), n.type === 'circuit.opened' ? 'open' : n.type.slice('circuit.'.length)).inc()
  }
}
