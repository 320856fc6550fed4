// The node's one metrics registry (prom-client). Every module's counters and gauges live in
// it: the shell's own are prom-client metrics that callers bump (`metrics.probes.inc()`); the
// sans-I/O cores keep plain counter objects (they must not import prom-client), which are
// registered here, in one place, and read when the registry collects. `meshnode status`
// lists the registry's values (statusCounters), and a later /metrics endpoint serves
// `registry.metrics()` unchanged.
//
// Names: counters end in `_total`, durations in `_seconds`, sizes in `_bytes`; anything else
// is a plain gauge. Status shows every name, so a name is never renamed or removed.
import { Counter, Gauge, type Registry } from 'prom-client'
import type { RaftCounters } from '../consensus/types.js'
import type { DetectorCounters } from '../healing/failure-detector.js'

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
  probes: { name: 'probes_total', help: 'Direct probes (libp2p ping) of silent or disconnected peers' },
  probesFailed: { name: 'probes_failed_total', help: 'Probes that got no answer in time' },
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
  { name: 'stale_heartbeats_total', help: 'Heartbeats older than one already held (replayed or reordered gossip)', field: 'staleHeartbeats' }
]

/** The Raft core's counters of refused input. */
const RAFT_COUNTERS: ReadonlyArray<{ name: string, help: string, field: keyof RaftCounters }> = [
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

/** The typed metrics object: one prom-client counter per shell counter. */
export type Metrics = { readonly [K in keyof typeof NODE_COUNTERS]: Counter }

/** Where the cores' counter objects are found; read lazily, as a core may not exist yet. */
export interface CoreCounterSources {
  /** The failure detector's counters. */
  detector?: () => DetectorCounters | undefined
  /** The Raft core's counters; undefined while this node belongs to no cluster. */
  raft?: () => RaftCounters | undefined
}

/**
 * Creates the node's metrics in `registry` and registers the cores' counter objects beside
 * them. Registration order is the order `meshnode status` lists them in.
 */
export function createMetrics (registry: Registry, cores: CoreCounterSources = {}): Metrics {
  const metrics = Object.fromEntries(Object.entries(NODE_COUNTERS).map(([key, { name, help }]) =>
    [key, new Counter({ name, help, registers: [registry] })])) as unknown as Metrics
  for (const { name, help, field } of DETECTOR_COUNTERS) coreCounter(registry, name, help, () => cores.detector?.()?.[field])
  for (const { name, help, field } of RAFT_COUNTERS) coreCounter(registry, name, help, () => cores.raft?.()?.[field])
  return metrics
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
    else new Gauge({ name, help, registers: [registry], collect () { this.set(read(name) ?? 0) } })
  }
}

/**
 * The registry's unlabelled counters and gauges as `[name, value]`, read synchronously for
 * the status snapshot (which the embedding API returns synchronously). prom-client only
 * offers an async read (`get()`, which awaits a collect that may be async); ours are all
 * synchronous, so this runs each collect and reads the values the same way `get()` does.
 * test/unit/node/metrics.test.ts checks the result against prom-client's own async read.
 */
export function statusCounters (registry: Registry): Array<[string, number]> {
  const out: Array<[string, number]> = []
  for (const metric of registry.getMetricsAsArray()) {
    if (!(metric instanceof Counter) && !(metric instanceof Gauge)) continue
    const m = metric as unknown as SyncReadable
    if (m.collect?.call(metric) instanceof Promise) continue
    const unlabelled = Object.values(m.hashMap ?? {}).find(v => Object.keys(v.labels ?? {}).length === 0)
    if (unlabelled != null) out.push([m.name, unlabelled.value])
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
  new Counter({
    name,
    help,
    registers: [registry],
    collect () {
      this.reset()
      const v = read() ?? 0
      if (v > 0) this.inc(v)
    }
  })
}
