// Stuck-job diagnosis (DESIGN.md "Healing": a job that stops progressing is flagged with a
// diagnosis in plain words). At a job's home, a job that has made no progress — no outcome
// recorded, no first attempt started here, no batch lent, no progress reported — for
// `afterMs` is STUCK, and diagnose() says why from the evidence the home has: what the work
// core holds of the job (jobEvidence) and what the node knows of its peers (membership,
// quorum contact, circuit breakers when there are any). StuckTracker keeps which jobs are
// stuck, says when to emit job.stuck / job.unstuck, and which repairs to try.
//
// Pure: no clock (every input takes `now`), no I/O. The shell (src/node/services/stuck-watch.ts)
// gathers the evidence, emits the events and carries out the repairs.
//
// What the home cannot see: a batch it lent to B that B lent on to C is, for the home, held
// by B. So "held by an unreachable node" names B when B is the one not answering; when B
// answers and nothing comes back, the diagnosis says so (`results-undelivered`) and names B,
// whose own log and stuck list say more.

import { canRun } from '../work/spec.js'

export type StuckCode = 'held-by-dead' | 'held-by-unreachable' | 'no-capable-node' | 'handler-timeouts' | 'partition' | 'circuit-open' | 'results-undelivered' | 'unknown'

/** Batches of the job lent from its home to one peer and not signalled yet. */
export interface LentEvidence {
  peer: string
  batches: number
  tasks: number
  /** When the oldest of them was lent (this node's clock); undefined if lent before a restart. */
  lentAt?: number
}

/** Queued tasks of the job at its home, grouped by what they need. */
export interface QueuedEvidence {
  type: string
  requires: readonly string[]
  count: number
}

/** A failed attempt of one of the job's tasks on this node, since the job last progressed. */
export interface AttemptError {
  taskId: string
  type: string
  error: string
  at: number
  /** Killed at its timeout (the attempt's error says "timed out after N ms"). */
  timedOut: boolean
}

export interface RunningEvidence {
  taskId: string
  type: string
  startedAt: number
  timeoutMs: number
}

/** What the work core knows of one job homed here (WorkCore.jobEvidence). */
export interface JobEvidence {
  jobId: string
  createdAt: number
  /** The last progress: outcome recorded, first attempt started here, batch lent, progress reported. */
  lastProgressAt: number
  total: number
  done: number
  queued: QueuedEvidence[]
  /** Capabilities its queued tasks wait for that no live node offers (WorkCore.waitingFor). */
  waitingFor: readonly string[]
  running: RunningEvidence[]
  /** Tasks waiting out a retry backoff. */
  retrying: number
  lent: LentEvidence[]
  recentErrors: AttemptError[]
}

export type PeerState = 'alive' | 'suspect' | 'dead' | 'left'

/** What this node knows of a peer. */
export interface PeerEvidence {
  peerId: string
  name?: string
  /** Membership's view (undefined: not in the view at all). */
  state?: PeerState
  /** ms since it was last heard from (membership). */
  lastSeenMs?: number
  /** The control log committed its death. */
  declaredDead: boolean
  /** Requests to it (re-sends, results, steals) have failed without an answer since then (this node's clock). */
  unansweredSince?: number
  capabilities: readonly string[]
}

/** Breakers that are open (from the circuit-breaker layer, when the node has one). */
export interface CircuitEvidence {
  /** Peers this node does not lend to. */
  openPeers: readonly string[]
  /** Handler types a node does not run: `node` is a peer id (this node's own included). */
  openHandlers: ReadonlyArray<{ node: string, type: string }>
}

export interface NodeEvidence {
  self: string
  capabilities: readonly string[]
  /** Without quorum contact (fenced). */
  fenced: boolean
  /** ms since quorum contact was last had (null: never since start). */
  quorumLastContactMs?: number | null
  peers: readonly PeerEvidence[]
  circuits?: CircuitEvidence
}

export interface Diagnosis {
  code: StuckCode
  text: string
  peers?: string[]
  capabilities?: string[]
}

/**
 * A lent batch's receiver that has not answered for this long is "not answering" (a re-send
 * goes every 2–5 s, so this is several lost in a row), even while membership still calls it
 * alive — a process paused, or a link that carries heartbeats but not streams.
 */
export const UNANSWERED_MS = 10_000
/** Failed attempts of one type at or above this, all timeouts, make `handler-timeouts`. */
export const TIMEOUTS_TO_BLAME = 2

/** Says why a stuck job is stuck, from the evidence alone. */
export function diagnose (job: JobEvidence, node: NodeEvidence, now: number): Diagnosis {
  const peers = new Map(node.peers.map(p => [p.peerId, p]))
  const stalled = fmtMs(now - job.lastProgressAt)

  if (node.fenced) {
    const since = node.quorumLastContactMs == null ? 'since it started' : `for ${fmtMs(node.quorumLastContactMs)}`
    return {
      code: 'partition',
      text: `this node (the job's home) has had no contact with a majority of the mesh ${since}: it is fenced, so it neither lends nor takes work and cannot learn of deaths; the job waits for the partition to heal (no progress for ${stalled})`
    }
  }

  const lentTo = (pred: (p: PeerEvidence | undefined) => boolean): LentEvidence[] => job.lent.filter(l => pred(peers.get(l.peer)))

  const dead = lentTo(p => p?.declaredDead === true)
  if (dead.length > 0) {
    return {
      code: 'held-by-dead',
      text: `${countTasks(dead)} held by ${names(dead, peers)}, declared dead by the mesh but not yet taken back here; they are re-run here once this node applies the death (no progress for ${stalled})`,
      peers: dead.map(l => l.peer)
    }
  }

  const unreachable = lentTo(p => p == null || p.state !== 'alive' || (p.unansweredSince != null && now - p.unansweredSince >= UNANSWERED_MS))
  if (unreachable.length > 0) {
    const parts = unreachable.map(l => `${l.tasks} task${l.tasks === 1 ? '' : 's'} on ${nameOf(l.peer, peers)} (${howUnreachable(peers.get(l.peer), now)})`)
    return {
      code: 'held-by-unreachable',
      text: `tasks are held by a node that does not answer: ${parts.join('; ')}. They run again elsewhere only once the mesh declares it dead (a majority must agree); meanwhile this home re-sends them and probes it (no progress for ${stalled})`,
      peers: unreachable.map(l => l.peer)
    }
  }

  if (job.waitingFor.length > 0) {
    const waiting = job.queued.filter(q => q.requires.some(r => job.waitingFor.includes(r))).reduce((n, q) => n + q.count, 0)
    return {
      code: 'no-capable-node',
      text: `${waiting > 0 ? `${waiting} queued task${waiting === 1 ? '' : 's'} need` : 'queued tasks need'} ${job.waitingFor.join(', ')}, which no live node offers; start a node with ${job.waitingFor.length === 1 ? 'it' : 'them'} (--capabilities, or --handlers for handler:NAME) or cancel the job (no progress for ${stalled})`,
      capabilities: [...job.waitingFor]
    }
  }

  if (node.circuits != null && job.queued.length > 0) {
    const blocked = circuitBlocked(job.queued, node)
    if (blocked != null) {
      return {
        code: 'circuit-open',
        text: `${blocked.tasks} queued task${blocked.tasks === 1 ? '' : 's'} can run only on ${blocked.nodes.map(n => nameOf(n, peers)).join(', ')}, and every one of those has its circuit open (its work kept failing); they wait for a breaker to half-open after its cool-down (no progress for ${stalled})`,
        peers: blocked.nodes
      }
    }
  }

  const since = job.recentErrors.filter(e => e.at >= job.lastProgressAt)
  const timeouts = since.filter(e => e.timedOut)
  if (timeouts.length >= TIMEOUTS_TO_BLAME && timeouts.length * 2 >= since.length) {
    const types = [...new Set(timeouts.map(e => e.type))]
    const last = timeouts[timeouts.length - 1]!
    return {
      code: 'handler-timeouts',
      text: `attempts keep timing out: ${timeouts.length} of the last ${since.length} failed attempt${since.length === 1 ? '' : 's'} of ${types.map(t => `"${t}"`).join(', ')} hit their timeout (last: task ${last.taskId}, "${last.error}"); the handler hangs or needs a longer --timeout (no progress for ${stalled})`
    }
  }

  const answering = job.lent
  if (answering.length > 0) {
    return {
      code: 'results-undelivered',
      text: `${countTasks(answering)} lent to ${names(answering, peers)}, which answer${answering.length === 1 ? 's' : ''} this node, yet no outcome of them has arrived here (lent ${lentAge(answering, now)}): they are still running there or on nodes they passed them to, or their results cannot reach this node (look for "results still not delivered" in ${answering.length === 1 ? 'its' : 'their'} log) (no progress for ${stalled})`,
      peers: answering.map(l => l.peer)
    }
  }

  const queued = job.queued.reduce((n, q) => n + q.count, 0)
  const parts = [`${job.done}/${job.total} tasks done`, `${queued} queued here${job.retrying > 0 ? ` (${job.retrying} of them waiting to retry)` : ''}`, `${job.running.length} running here`, `${job.lent.reduce((n, l) => n + l.tasks, 0)} lent out`]
  let extra = ''
  if (job.running.length > 0) {
    const oldest = job.running.reduce((a, b) => a.startedAt <= b.startedAt ? a : b)
    extra = `; the oldest running task (${oldest.taskId}, "${oldest.type}") started ${fmtMs(now - oldest.startedAt)} ago${oldest.timeoutMs > 0 ? ` and times out at ${fmtMs(oldest.timeoutMs)}` : ' and has no timeout'}, reporting no progress`
  } else if (since.length > 0) {
    extra = `; ${since.length} attempt${since.length === 1 ? '' : 's'} failed meanwhile (last: "${since[since.length - 1]!.error}")`
  }
  return { code: 'unknown', text: `no progress for ${stalled} and no known cause: ${parts.join(', ')}${extra}` }
}

/** Queued tasks whose every capable node has an open circuit (for them), or undefined. */
function circuitBlocked (queued: readonly QueuedEvidence[], node: NodeEvidence): { tasks: number, nodes: string[] } | undefined {
  const c = node.circuits!
  const openPeers = new Set(c.openPeers)
  const openHandler = new Set(c.openHandlers.map(h => `${h.node}\u0000${h.type}`))
  const nodes = [{ peerId: node.self, capabilities: node.capabilities }, ...node.peers.filter(p => p.state === 'alive' && !p.declaredDead)]
  let tasks = 0
  const blockedNodes = new Set<string>()
  for (const q of queued) {
    const capable = nodes.filter(n => canRun(n.capabilities, q.requires))
    if (capable.length === 0) continue
    const blocked = capable.every(n => openHandler.has(`${n.peerId}\u0000${q.type}`) || (n.peerId !== node.self && openPeers.has(n.peerId)))
    if (!blocked) return undefined
    tasks += q.count
    for (const n of capable) blockedNodes.add(n.peerId)
  }
  return tasks > 0 ? { tasks, nodes: [...blockedNodes].sort() } : undefined
}

function howUnreachable (p: PeerEvidence | undefined, now: number): string {
  if (p == null || p.state == null) return 'not in this node\'s membership view'
  const heard = p.lastSeenMs != null ? `, last heard ${fmtMs(p.lastSeenMs)} ago` : ''
  if (p.state === 'left') return 'it left the mesh'
  if (p.state !== 'alive') return `${p.state}${heard}`
  return `alive by heartbeat, but has not answered requests for ${fmtMs(now - p.unansweredSince!)}`
}

function countTasks (lent: readonly LentEvidence[]): string {
  const n = lent.reduce((s, l) => s + l.tasks, 0)
  return `${n} task${n === 1 ? '' : 's'}`
}

function names (lent: readonly LentEvidence[], peers: ReadonlyMap<string, PeerEvidence>): string {
  return lent.map(l => nameOf(l.peer, peers)).join(', ')
}

function nameOf (peer: string, peers: ReadonlyMap<string, PeerEvidence>): string {
  const name = peers.get(peer)?.name
  return name != null && name !== '' ? `${name} (${shortId(peer)})` : shortId(peer)
}

function lentAge (lent: readonly LentEvidence[], now: number): string {
  const at = lent.map(l => l.lentAt).filter((t): t is number => t != null)
  return at.length === 0 ? 'before this node restarted' : `${fmtMs(now - Math.min(...at))} ago`
}

function shortId (peer: string): string {
  return peer.length > 16 ? `…${peer.slice(-8)}` : peer
}

/** A duration as people read it: 850ms, 12s, 1m12s, 2h05m. */
export function fmtMs (ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) ms = 0
  if (ms < 1_000) return `${Math.round(ms)}ms`
  const s = Math.floor(ms / 1_000)
  if (s < 60) return `${s}s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`
  const h = Math.floor(m / 60)
  return `${h}h${String(m % 60).padStart(2, '0')}m`
}

// ----- which jobs are stuck ---------------------------------------------------------------------

export interface StuckState extends Diagnosis {
  /** When the job last progressed (the stall began). */
  since: number
  /** When it was flagged. */
  flaggedAt: number
}

/** A job.stuck event to emit: flagged, or its diagnosis changed. */
export interface StuckReport { jobId: string, state: StuckState, stuckForMs: number, repairs: string[] }

/** What to do for a stuck job: re-send its batches to these peers now, and probe them. */
export interface Repair { resendTo: string[], probe: string[] }

/** Least time between two repairs aimed at one peer (re-sends back off to 5 s anyway). */
export const REPAIR_EVERY_MS = 10_000

export class StuckTracker {
  private readonly stuck = new Map<string, StuckState>()
  private readonly repairedAt = new Map<string, number>()

  constructor (private afterMs: number) {}

  setAfterMs (ms: number): void {
    this.afterMs = ms
  }

  get (jobId: string): StuckState | undefined {
    return this.stuck.get(jobId)
  }

  /** Jobs flagged now, by id. */
  all (): ReadonlyMap<string, StuckState> {
    return this.stuck
  }

  /**
   * One check of every active job homed here. Returns the jobs newly stuck or whose
   * diagnosis changed (emit job.stuck), those no longer stuck (emit job.unstuck: progress,
   * or the job is over), and the repairs to try now.
   */
  check (jobs: readonly JobEvidence[], node: NodeEvidence, now: number): { stuck: Array<StuckReport & { repair?: Repair }>, unstuck: string[] } {
    const out: { stuck: Array<StuckReport & { repair?: Repair }>, unstuck: string[] } = { stuck: [], unstuck: [] }
    const seen = new Set<string>()
    for (const job of jobs) {
      seen.add(job.jobId)
      const stalled = now - job.lastProgressAt
      const was = this.stuck.get(job.jobId)
      if (this.afterMs <= 0 || stalled < this.afterMs) {
        if (was != null) {
          this.stuck.delete(job.jobId)
          out.unstuck.push(job.jobId)
        }
        continue
      }
      const d = diagnose(job, node, now)
      const state: StuckState = { ...d, since: job.lastProgressAt, flaggedAt: was?.since === job.lastProgressAt ? was.flaggedAt : now }
      this.stuck.set(job.jobId, state)
      const repair = this.repairFor(d, node, now)
      const changed = was == null || was.code !== d.code || was.since !== state.since || !sameList(was.peers, d.peers) || !sameList(was.capabilities, d.capabilities)
      if (changed || repair != null) out.stuck.push({ jobId: job.jobId, state, stuckForMs: stalled, repairs: [], ...(repair != null ? { repair } : {}) })
    }
    for (const id of [...this.stuck.keys()]) {
      if (seen.has(id)) continue
      this.stuck.delete(id)
      out.unstuck.push(id)
    }
    return out
  }

  /**
   * Self-repair where the mesh can do it without breaking "results once": tasks held by a
   * peer that does not answer are re-sent to it now (a lost batch or signal is recovered
   * that way) and the peer is probed, so the failure detector — and through a majority, the
   * control log — decides about it sooner. Lent work of a peer not declared dead is never
   * re-run here (DESIGN.md "Healing"); a peer already declared dead is reclaimed by the core.
   */
  private repairFor (d: Diagnosis, node: NodeEvidence, now: number): Repair | undefined {
    if ((d.code !== 'held-by-unreachable' && d.code !== 'results-undelivered') || d.peers == null) return undefined
    const due = d.peers.filter(p => now - (this.repairedAt.get(p) ?? -Infinity) >= REPAIR_EVERY_MS)
    if (due.length === 0) return undefined
    for (const p of due) this.repairedAt.set(p, now)
    if (this.repairedAt.size > 1_000) for (const [p, at] of this.repairedAt) if (now - at >= REPAIR_EVERY_MS) this.repairedAt.delete(p)
    const alive = new Set(node.peers.filter(p => !p.declaredDead).map(p => p.peerId))
    return { resendTo: due, probe: d.code === 'held-by-unreachable' ? due.filter(p => alive.has(p)) : [] }
  }
}

function sameList (a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (a == null || b == null) return a == null && b == null
  return a.length === b.length && a.every((x, i) => x === b[i])
}
