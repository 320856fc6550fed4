// The stable JSON of `meshnode status --json`. Scripts and tests depend on this shape: add
// fields freely, never rename or remove one. status-schema.json is its contract.
import type { StatusResponse } from '../../wire/proto/status.js'

export interface PeerJson {
  peerId: string
  name: string
  state: 'alive' | 'suspect' | 'dead' | 'left'
  lastSeenMs: number
  addrs: string[]
  version: string
  load: number
  capabilities: string[]
  role: string
  term: number
  incarnation: number
  connected: boolean
  /** Its heartbeats say it is draining (leaving the mesh). */
  draining: boolean
}

/** A death committed through the log and not cleared by a node.alive: what nodes act on. */
export interface DeadJson {
  peerId: string
  /** The life that was declared dead; the same peer at a newer incarnation is a restart. */
  incarnation: number
  reason: string
  /** Log index of the node.dead entry. */
  index: number
}

export interface StatusJson {
  peerId: string
  name: string
  version: string
  mesh: string
  /** How the node keeps strangers out: mesh-key, loopback-only, or insecure (--insecure). */
  security: string
  addrs: string[]
  uptimeMs: number
  incarnation: number
  role: string
  term: number
  leader: string | null
  commitIndex: number
  appliedIndex: number
  voters: string[]
  learners: string[]
  /** "member" once the node belongs to a cluster; otherwise what formation waits for. */
  formation: string
  /** Process memory: resident set and V8 heap in use. */
  memory: { rssBytes: number, heapUsedBytes: number }
  load: number
  capabilities: string[]
  peers: PeerJson[]
  counters: Record<string, number>
  /** Committed deaths (absent from nodes older than quorum-confirmed death). */
  dead: DeadJson[]
  /**
   * Quorum contact (partition fencing): without it the node refuses submits, neither steals
   * nor lends work, and runs what it holds. `lastContactMs`: since it last had contact (null:
   * never since start). Nodes older than fencing never fence: they show contact.
   */
  quorum: QuorumJson
  /** This node is draining: `meshnode drain` or SIGTERM; it leaves once its work is handed off. */
  draining: boolean
  /** Where the node serves its dashboard, /v1 API and /metrics (`http://HOST:PORT/`); null: off. */
  http: string | null
  /**
   * Circuit breakers this node holds (README "Supervision"): open, half-open, or closed with
   * recent failures. Empty from nodes older than breakers.
   */
  circuits: CircuitJson[]
  /**
   * Memory and disk against the node's limits (resources.*). `pressure` lists those over
   * their limit: the node then takes no new work (no stealing, submits refused with
   * RESOURCE_EXHAUSTED). `writeError`: writes to its store fail now. Absent from older nodes.
   */
  resources?: ResourcesJson
  /** Jobs homed here flagged stuck now (`meshnode jobs --stuck` lists them). Absent from older nodes. */
  stuckJobs?: number
  /**
   * The work slots: `fixed` (--concurrency N: min = max = slots) or `auto`, where `slots`
   * follows the CPU and the queue between `min` and `max`. Absent from older nodes.
   */
  concurrency?: ConcurrencyJson
}

export interface ConcurrencyJson {
  mode: 'auto' | 'fixed'
  /** Tasks the node runs at once now. */
  slots: number
  min: number
  max: number
}

/** The slots, from the work_slots* gauges every node lists among its status counters. */
function concurrencyOf (counters: StatusResponse['counters']): ConcurrencyJson | undefined {
  const get = (name: string): number | undefined => {
    const c = counters.find(x => x.name === name)
    return c == null ? undefined : Number(c.value)
  }
  const slots = get('work_slots')
  if (slots == null || slots < 1) return undefined
  const auto = get('work_slots_auto') === 1
  return { mode: auto ? 'auto' : 'fixed', slots, min: get('work_slots_min') ?? slots, max: get('work_slots_max') ?? slots }
}

export interface CircuitJson {
  /** peer: held at a lender, target a peer id; handler: held where it runs, target a task type. */
  kind: 'peer' | 'handler'
  target: string
  state: 'closed' | 'half-open' | 'open'
  /** Consecutive failures now. */
  failures: number
  /** When it last changed state, ms since the epoch. */
  since: number
  /** Open: when it lets one probe through (ms since the epoch); null otherwise. */
  retryAt: number | null
  reason: string
}

export interface ResourcesJson {
  rssBytes: number
  /** 0: no memory limit. */
  maxRssBytes: number
  /** null: the data dir's free space could not be read. */
  freeDiskBytes: number | null
  /** 0: no disk limit. */
  minFreeDiskBytes: number
  pressure: Array<'memory' | 'disk'>
  writeError: string | null
}

/** Quorum contact, and how many voters this node reaches of how many. */
export interface QuorumJson {
  contact: boolean
  lastContactMs: number | null
  /** Voters this node reaches: itself (if a voter) and the voters alive in its failure detector. */
  reachableVoters: number
  /** Voters in the configuration this node knows; 0 outside a cluster. */
  voters: number
  /** A majority of `voters`; 0 outside a cluster. */
  needed: number
}

const STATES = new Set(['alive', 'suspect', 'dead', 'left'])

/** Voters this node reaches (itself, and voters alive in its view) out of the voter set. */
export function votersReachable (self: string, voters: readonly string[], peers: ReadonlyArray<{ peerId: string, state: string }>): { reachableVoters: number, voters: number, needed: number } {
  const alive = new Set(peers.filter(p => p.state === 'alive').map(p => p.peerId))
  const reachableVoters = voters.filter(v => v === self || alive.has(v)).length
  return { reachableVoters, voters: voters.length, needed: voters.length === 0 ? 0 : Math.floor(voters.length / 2) + 1 }
}

export function statusToJson (s: StatusResponse): StatusJson {
  return {
    peerId: s.peerId,
    name: s.name,
    version: s.version,
    mesh: s.mesh,
    security: s.security === '' ? 'unknown' : s.security,
    addrs: s.addrs,
    uptimeMs: Number(s.uptimeMs),
    incarnation: Number(s.incarnation),
    role: s.role,
    term: Number(s.term),
    leader: s.leader === '' ? null : s.leader,
    commitIndex: Number(s.commitIndex),
    appliedIndex: Number(s.appliedIndex),
    voters: s.voters,
    learners: s.learners,
    formation: s.formation,
    memory: { rssBytes: Number(s.rssBytes), heapUsedBytes: Number(s.heapUsedBytes) },
    load: s.load,
    capabilities: s.capabilities,
    peers: s.peers
      .map(p => ({
        peerId: p.peerId,
        name: p.name,
        state: (STATES.has(p.state) ? p.state : 'dead') as PeerJson['state'],
        lastSeenMs: Number(p.lastSeenMs),
        addrs: p.addrs,
        version: p.version,
        load: p.load,
        capabilities: p.capabilities,
        role: p.role,
        term: Number(p.term),
        incarnation: Number(p.incarnation),
        connected: p.connected,
        draining: p.draining
      }))
      .sort((a, b) => a.name.localeCompare(b.name) || a.peerId.localeCompare(b.peerId)),
    counters: Object.fromEntries(s.counters.map(c => [c.name, Number(c.value)])),
    dead: s.dead
      .map(d => ({ peerId: d.peerId, incarnation: Number(d.incarnation), reason: d.reason, index: Number(d.index) }))
      .sort((a, b) => a.index - b.index),
    quorum: { contact: s.quorum !== 'lost', lastContactMs: s.quorumLastContactMs == null ? null : Number(s.quorumLastContactMs), ...votersReachable(s.peerId, s.voters, s.peers) },
    draining: s.draining,
    http: s.http === '' ? null : `http://${s.http}/`,
    circuits: (s.circuits ?? []).map(c => ({
      kind: c.kind === 'handler' ? 'handler' as const : 'peer' as const,
      target: c.target,
      state: c.state === 'open' || c.state === 'half-open' ? c.state : 'closed' as const,
      failures: c.failures,
      since: Number(c.sinceMs),
      retryAt: c.retryAtMs > 0n ? Number(c.retryAtMs) : null,
      reason: c.reason
    })),
    ...(s.resources != null
      ? {
          resources: {
            rssBytes: Number(s.resources.rssBytes),
            maxRssBytes: Number(s.resources.maxRssBytes),
            freeDiskBytes: s.resources.freeDiskBytes == null ? null : Number(s.resources.freeDiskBytes),
            minFreeDiskBytes: Number(s.resources.minFreeDiskBytes),
            pressure: s.resources.pressure.filter((r): r is 'memory' | 'disk' => r === 'memory' || r === 'disk'),
            writeError: s.resources.writeError ?? null
          }
        }
      : {}),
    ...(s.stuckJobs != null ? { stuckJobs: s.stuckJobs } : {}),
    ...withConcurrency(s.counters)
  }
}

function withConcurrency (counters: StatusResponse['counters']): { concurrency?: ConcurrencyJson } {
  const c = concurrencyOf(counters)
  return c != null ? { concurrency: c } : {}
}

/** "slots 12 (auto, 2–64)" or "slots 4 (fixed)". */
export function formatSlots (c: ConcurrencyJson): string {
  return c.mode === 'auto' ? `slots ${c.slots} (auto, ${c.min}–${c.max})` : `slots ${c.slots} (fixed)`
}

/** The resources line of `status`: what is over its limit, and what that means. */
function formatResources (r: ResourcesJson): string[] {
  const mib = (b: number): string => `${(b / 1048576).toFixed(0)} MiB`
  const out: string[] = []
  if (r.pressure.length > 0) {
    const what = r.pressure.map(p => p === 'memory' ? `memory ${mib(r.rssBytes)} over its limit ${mib(r.maxRssBytes)}` : `free disk ${mib(r.freeDiskBytes ?? 0)} under its minimum ${mib(r.minFreeDiskBytes)}`)
    out.push(`  RESOURCE PRESSURE: ${what.join('; ')}: taking no new work (no stealing, submits refused)`)
  }
  if (r.writeError != null) out.push(`  STORE WRITES FAILING: ${r.writeError}: submits refused until writes succeed`)
  return out
}

/**
 * The human summary printed by `meshnode status` without --json. `dataDir`: the data dir the
 * client named, for the recovery command it prints when the quorum is lost.
 */
export function formatStatus (s: StatusJson, dataDir?: string): string {
  const counts = { alive: 0, suspect: 0, dead: 0, left: 0 }
  for (const p of s.peers) counts[p.state]++
  const lines = [
    `${s.name}  ${s.peerId}${s.draining ? '  DRAINING' : ''}`,
    `  mesh ${s.mesh}${s.security === 'mesh-key' ? '' : s.security === 'insecure' ? ' (INSECURE: no mesh key, open to the network)' : ` (${s.security})`}, meshnode ${s.version}, up ${formatDuration(s.uptimeMs)}, incarnation ${s.incarnation}`,
    `  role ${s.role}, term ${s.term}, leader ${nameOf(s, s.leader)}, commit ${s.commitIndex}, applied ${s.appliedIndex}`,
    `  voters ${s.voters.map(v => nameOf(s, v)).join(', ') || '(none)'}; learners ${s.learners.map(v => nameOf(s, v)).join(', ') || '(none)'}`,
    ...(s.formation === 'member' ? [] : [`  cluster: ${s.formation}`]),
    `  quorum: ${formatQuorum(s.quorum, dataDir)}`,
    `  listening on ${s.addrs.join(', ') || '(nothing)'}`,
    `  dashboard and HTTP API: ${s.http ?? 'off'}`,
    `  memory: ${(s.memory.rssBytes / 1048576).toFixed(0)} MiB resident, ${(s.memory.heapUsedBytes / 1048576).toFixed(0)} MiB heap in use` +
      `${s.resources != null && s.resources.maxRssBytes > 0 ? ` (limit ${(s.resources.maxRssBytes / 1048576).toFixed(0)} MiB)` : ''}${s.resources?.freeDiskBytes != null ? `; disk: ${(s.resources.freeDiskBytes / 1048576).toFixed(0)} MiB free${s.resources.minFreeDiskBytes > 0 ? ` (minimum ${(s.resources.minFreeDiskBytes / 1048576).toFixed(0)} MiB)` : ''}` : ''}`,
    ...(s.resources != null ? formatResources(s.resources) : []),
    `  peers: ${counts.alive} alive, ${counts.suspect} suspect, ${counts.dead} dead, ${counts.left} left`,
    ...(s.dead.length > 0 ? [`  declared dead (committed): ${s.dead.map(d => `${nameOf(s, d.peerId)} incarnation ${d.incarnation}`).join(', ')}`] : []),
    ...((s.stuckJobs ?? 0) > 0 ? [`  STUCK JOBS: ${s.stuckJobs} homed here make no progress (\`meshnode jobs --stuck\` says why)`] : []),
    `  work: ${s.counters.work_running ?? 0} running, ${s.counters.work_queued ?? 0} queued, ${s.counters.work_active_jobs ?? 0} active jobs homed here; ${s.counters.work_tasks_run_total ?? 0} tasks run` +
      `${s.concurrency != null ? `; ${formatSlots(s.concurrency)}` : ''}` +
      `${s.capabilities.length > 0 ? `; offers ${s.capabilities.join(', ')}` : ''}`
  ]
  if (s.peers.length > 0) {
    const w = Math.max(4, ...s.peers.map(p => p.name.length))
    lines.push('', `  ${'NAME'.padEnd(w)}  STATE    LAST SEEN  PEER ID`)
    for (const p of s.peers) {
      lines.push(`  ${(p.name || '?').padEnd(w)}  ${p.state.padEnd(7)}  ${formatDuration(p.lastSeenMs).padStart(9)}  ${p.peerId}${p.draining && p.state === 'alive' ? '  (draining)' : ''}`)
    }
  }
  const circuits = s.circuits ?? []
  if (circuits.length > 0) {
    lines.push('', '  circuit breakers:')
    for (const c of circuits) {
      const target = c.kind === 'peer' ? `peer ${nameOf(s, c.target)}` : `handler ${c.target}`
      const retry = c.state === 'open' && c.retryAt != null ? `, probe in ${formatDuration(Math.max(0, c.retryAt - Date.now()))}` : ''
      lines.push(`    ${target}: ${c.state.toUpperCase()}${c.failures > 0 ? ` (${c.failures} consecutive failures${retry})` : retry} — ${c.reason}`)
    }
  }
  const rejected = Object.entries(s.counters).filter(([k, v]) => k.includes('rejected') && v > 0)
  if (rejected.length > 0) lines.push('', `  rejected input: ${rejected.map(([k, v]) => `${k}=${v}`).join(', ')}`)
  return lines.join('\n')
}

/**
 * The quorum line: "ok"; or, when this node reaches fewer voters than a majority,
 * "quorum lost (k of n voters reachable)" with what to run; or why the node is fenced
 * otherwise, e.g. "lost (no leader heard for 3.2s) …".
 */
export function formatQuorum (q: Pick<QuorumJson, 'contact' | 'lastContactMs'> & Partial<QuorumJson>, dataDir?: string): string {
  if (q.contact) return 'ok'
  const since = q.lastContactMs == null ? 'no leader heard since start' : `no leader heard for ${formatDuration(q.lastContactMs)}`
  const fenced = 'refusing submits, not stealing; running the work it holds'
  if (q.voters != null && q.voters > 0 && q.reachableVoters != null && q.needed != null && q.reachableVoters < q.needed) {
    return `quorum lost (${q.reachableVoters} of ${q.voters} voters reachable, ${q.needed} needed; ${since}): ${fenced}.\n` +
      '    Start the missing voters again. If they are gone for good, stop this node and run:\n' +
      `      meshnode operator raft recover --force-new-cluster --data-dir ${dataDir ?? 'DIR'} --yes-i-know\n` +
      '    then start it: it leads alone with its jobs, config and grants (README: Recovering from a lost quorum)'
  }
  return `lost (${since}): ${fenced}`
}

/** A peer's name with a short id, e.g. "node-2 (…yjP5Gx)", for readable summaries. */
function nameOf (s: StatusJson, id: string | null): string {
  if (id == null) return '(none)'
  const name = id === s.peerId ? s.name : s.peers.find(p => p.peerId === id)?.name
  const short = `…${id.slice(-6)}`
  return name != null && name !== '' ? `${name} (${short})` : short
}

export function formatDuration (ms: number): string {
  if (ms < 1_000) return `${ms}ms`
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)}s`
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)}m${Math.floor((ms % 60_000) / 1_000)}s`
  return `${Math.floor(ms / 3_600_000)}h${Math.floor((ms % 3_600_000) / 60_000)}m`
}
