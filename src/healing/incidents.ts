// The incident log's policy: turns the node's events (src/node/observe/events.ts) into
// incident records — one per thing that went wrong and what the mesh did about it — with a
// cause tag, the nodes and jobs involved, a timeline and a summary in plain words. Pure: no
// clock (every event carries its time), no I/O, no randomness; the recorder
// (src/node/observe/incident-log.ts) feeds it and stores what it returns.
//
// Grouping (one incident per group key; ids are derived from the key only, so the same
// incident recorded on several nodes merges by id — `meshnode incidents --mesh`):
//   dead-<peer>-<incarnation>   node.dead of that life, and everything it caused anywhere:
//                               work.reclaimed (per node), job.rehomed (from it), its return
//                               (node.alive, member.alive in a newer life)
//   drain-<peer>-<incarnation>  a node.dead whose reason is a drain ('drained', 'drain
//                               deadline passed', 'retired'), and what it caused, as above
//   circuit-<kind>-<target>-<node>-<opened ms>   circuit.opened → half-open → closed
//   task-<taskId>               a task's timeouts and escalation steps (task ids are
//                               deterministic, so its steps on several nodes merge)
//   stuck-<jobId>-<opened ms>   job.stuck → job.unstuck (or the job's final state)
//   resource-<node>-<resource>-<opened ms>        resource.pressure over → ok
// <peer>, <node>, <target> are the last 8 characters of a peer id (the prefix is shared).
//
// Cause tags, from the evidence this node has (documented in the README too):
//   death, never back          'unknown' (a crash, a lost host or a long cut look alike)
//   death, back in a new process (its heartbeat's uptime began after it went silent)
//                              'crash'
//   death, back in the same process (uptime older than the silence): it was alive all along;
//                              'network' if some voter or this node could still reach it
//                              (the quorum reason counts fewer voters than the set less the
//                              dead node, or this node never saw it suspect), else 'pause'
//                              (everyone lost it)
//   drain                      'unknown' (an operator's leave, not a fault)
//   circuit, kind handler      'handler'; kind peer: 'network' if the reason says timeout or
//                              unreachable, else 'handler'
//   task                       'poison-task' once it failed for good or hit a cap, else 'handler'
//   stuck                      by its code: held-by-unreachable/partition/results-undelivered
//                              'network', handler-timeouts/circuit-open 'handler', else 'unknown'
//   resource                   'resource'

export type IncidentCause = 'network' | 'crash' | 'pause' | 'resource' | 'handler' | 'poison-task' | 'unknown'
export type IncidentKind = 'death' | 'drain' | 'circuit' | 'task' | 'stuck' | 'resource'
export const INCIDENT_CAUSES: readonly IncidentCause[] = ['network', 'crash', 'pause', 'resource', 'handler', 'poison-task', 'unknown']

/** An event as the EventLog holds it (only what the policy reads). */
export interface IncidentEvent {
  type: string
  /** Milliseconds since the epoch. */
  at: number
  data: Record<string, unknown>
}

export interface TimelineEntry {
  at: number
  type: string
  text: string
  /** The node that saw it (merges keep entries of every node). */
  node: string
}

/** What happened, per node: the facts the summary is written from (merged by key). */
export interface IncidentFacts {
  peer?: string
  incarnation?: number
  reason?: string
  /** Per node that acted: what it re-ran or gave up because of the death. */
  reclaims?: Record<string, { requeued: number, reclaimedBatches: number, abandonedBatches: number, dropped: number }>
  /** job → its new home. */
  rehomed?: Record<string, string>
  /** The dead node's return. */
  back?: { at: number, incarnation: number, restarted?: boolean }
  /** Voters that agreed / the voter count, read from the quorum's reason. */
  voters?: { agree: number, of: number }
  /** This node saw the peer suspect or dead before the death committed. */
  lostHere?: boolean
  /** When this node first saw it suspect or dead (ms): when its silence began, as seen here. */
  silentSince?: number
  circuit?: { kind: string, target: string, node: string, reason: string, failures?: number, halfOpen?: number }
  task?: { jobId: string, taskId: string, type: string, steps: string[], timeouts: number, failures: number, lastError?: string, outcome?: 'failed' | 'capped' | 'job-finished' }
  stuck?: { jobId: string, home: string, code: string, text: string, stuckForMs: number }
  resource?: { node: string, resource: string, value: number, limit: number }
}

export interface Incident {
  id: string
  kind: IncidentKind
  opened: number
  updated: number
  closed?: number
  cause: IncidentCause
  title: string
  nodes: string[]
  jobs: string[]
  timeline: TimelineEntry[]
  state: 'open' | 'resolved'
  /** Plain words: what happened, what the mesh did, what is left for a person. */
  summary: string
  facts: IncidentFacts
  /** Peer id → name, for the summary (names travel with the record). */
  names: Record<string, string>
  /** Timeline entries left out to keep the record bounded. */
  omitted?: number
}

/** A record's timeline keeps at most this many entries (the first ones and the newest). */
export const MAX_TIMELINE = 200
/** Failures of a task kept before it has an incident, so its incident shows them (tasks tracked). */
const EARLY_FAILURE_TASKS = 1_000
const EARLY_FAILURES_PER_TASK = 5
/** Slack when comparing a returning node's process start with when it went silent. */
const START_SLACK_MS = 1_000
/** Without a suspicion seen here, the silence is taken to have begun this long before the death. */
const SILENCE_BEFORE_DEATH_MS = 10_000
/** How long (event time) a reclaim or re-home waits for the death it belongs to. */
const PENDING_MS = 30_000
const DRAIN_REASONS = new Set(['drained', 'drain deadline passed', 'retired'])

export function shortId (peer: string): string {
  return peer.length <= 8 ? peer : peer.slice(-8)
}

/** The group of incidents this node knows, fed one event at a time. */
export class IncidentBook {
  private readonly byId = new Map<string, Incident>()
  /** peer → id of its latest death (or drain) incident. */
  private readonly deathOf = new Map<string, string>()
  private readonly circuitOf = new Map<string, string>()
  private readonly stuckOf = new Map<string, string>()
  private readonly resourceOf = new Map<string, string>()
  /** job → open task incidents of it. */
  private readonly tasksOf = new Map<string, Set<string>>()
  private readonly names = new Map<string, string>()
  /** peer → when this node first saw it suspect or dead (cleared when it is alive again). */
  private readonly lostAt = new Map<string, number>()
  private readonly earlyFailures = new Map<string, TimelineEntry[]>()
  /**
   * Reclaims and re-homes naming a peer whose death this node has not recorded yet: a node
   * acts on a committed death before its event log hears of it, so they wait here for the
   * node.dead (at most PENDING_MS of event time, then they get an incident of their own).
   */
  private readonly pending = new Map<string, IncidentEvent[]>()

  /** `self`: this node's peer id (the node of every timeline entry it writes). */
  constructor (private readonly self: string) {}

  /** Incidents recorded earlier (after a restart): their indexes are rebuilt. */
  load (records: Iterable<Incident>): void {
    const sorted = [...records].sort((a, b) => a.opened - b.opened)
    for (const r of sorted) {
      this.byId.set(r.id, r)
      for (const [p, n] of Object.entries(r.names)) this.names.set(p, n)
      const f = r.facts
      if ((r.kind === 'death' || r.kind === 'drain') && f.peer != null) this.deathOf.set(f.peer, r.id)
      if (r.state !== 'open') continue
      if (r.kind === 'circuit' && f.circuit != null) this.circuitOf.set(circuitKey(f.circuit), r.id)
      if (r.kind === 'stuck' && f.stuck != null) this.stuckOf.set(f.stuck.jobId, r.id)
      if (r.kind === 'resource' && f.resource != null) this.resourceOf.set(`${f.resource.node}:${f.resource.resource}`, r.id)
      if (r.kind === 'task' && f.task != null) this.indexTask(f.task.jobId, r.id)
    }
  }

  get (id: string): Incident | undefined {
    return this.byId.get(id)
  }

  /** Every incident, newest first. */
  list (): Incident[] {
    return [...this.byId.values()].sort((a, b) => b.opened - a.opened || (a.id < b.id ? -1 : 1))
  }

  get size (): number {
    return this.byId.size
  }

  /** Forget incidents (retention); their indexes go too. */
  forget (ids: Iterable<string>): void {
    for (const id of ids) {
      const r = this.byId.get(id)
      if (r == null) continue
      this.byId.delete(id)
      for (const m of [this.deathOf, this.circuitOf, this.stuckOf, this.resourceOf]) for (const [k, v] of m) if (v === id) m.delete(k)
      for (const s of this.tasksOf.values()) s.delete(id)
    }
  }

  /**
   * One event; returns the incidents it opened or changed (each once), with whether it is
   * new. Events that are no incident's business change nothing and return [].
   */
  apply (e: IncidentEvent): Array<{ incident: Incident, opened: boolean }> {
    const d = e.data
    // Every node hears two events per job (job.submitted, then its final state) from the
    // registry, and nearly none concerns an incident: those return before the bookkeeping
    // below (a map and a closure per event; ~5 % of a follower's main thread in a run of
    // one-task jobs, BENCHMARKS.md, issue 14, stop 46).
    if (this.pending.size === 0 && !this.concerns(e)) return []
    const name = str(d.name)
    if (name !== '' && str(d.peerId) !== '') this.names.set(str(d.peerId), name)
    const changed = new Map<string, boolean>()
    const touch = (r: Incident, opened = false): void => {
      r.updated = Math.max(r.updated, e.at)
      changed.set(r.id, (changed.get(r.id) ?? false) || opened)
    }
    if (this.pending.size > 0) {
      for (const [peer, list] of this.pending) {
        if (list[0]!.at > e.at - PENDING_MS) continue
        this.pending.delete(peer)
        for (const p of list) this.dispatch(p, touch, true)
      }
    }
    this.dispatch(e, touch)
    const out: Array<{ incident: Incident, opened: boolean }> = []
    for (const [id, opened] of changed) {
      const r = this.byId.get(id)!
      for (const [p, n] of this.names) if (r.nodes.includes(p) || r.facts.peer === p) r.names[p] = n
      refresh(r)
      out.push({ incident: r, opened })
    }
    return out
  }

  /**
   * Whether `e` can change anything here (pending reclaims aside): a type dispatch() acts
   * on, a name to learn, or a finished job with an open task or stuck incident.
   */
  private concerns (e: IncidentEvent): boolean {
    switch (e.type) {
      case 'job.submitted':
        break
      case 'job.completed':
      case 'job.failed':
      case 'job.cancelled': {
        const job = str(e.data.id)
        if (this.tasksOf.has(job) || this.stuckOf.has(job)) return true
        break
      }
      default:
        return true
    }
    return str(e.data.name) !== '' && str(e.data.peerId) !== ''
  }

  private dispatch (e: IncidentEvent, touch: (r: Incident, opened?: boolean) => void, late = false): void {
    switch (e.type) {
      case 'member.suspect':
      case 'member.dead':
        if (!this.lostAt.has(str(e.data.peerId))) this.lostAt.set(str(e.data.peerId), e.at)
        break
      case 'member.alive':
        this.memberAlive(e, touch)
        break
      case 'node.dead':
        this.nodeDead(e, touch)
        break
      case 'node.alive':
        this.nodeAlive(e, touch)
        break
      case 'work.reclaimed':
        this.reclaimed(e, touch, late)
        break
      case 'job.rehomed':
        this.rehomed(e, touch, late)
        break
      case 'circuit.opened':
      case 'circuit.half-open':
      case 'circuit.closed':
        this.circuit(e, touch)
        break
      case 'task.failed':
        this.taskFailed(e, touch)
        break
      case 'task.timeout':
      case 'task.escalated':
        this.taskStep(e, touch)
        break
      case 'job.stuck':
      case 'job.unstuck':
        this.stuck(e, touch)
        break
      case 'job.completed':
      case 'job.failed':
      case 'job.cancelled':
        this.jobFinished(e, touch)
        break
      case 'resource.pressure':
        this.resource(e, touch)
        break
      case 'drain':
        this.drainPhase(e, touch)
        break
    }
  }

  /** The current (unresolved) death of `peer`; or, for a reclaim or re-home, it waits for one (pending). */
  private currentDeath (peer: string, e: IncidentEvent, late: boolean): Incident | undefined {
    const r = this.deathIncident(peer)
    if (r != null && r.state === 'open') return r
    if (late) return this.orphanDeath(peer, e)
    const list = this.pending.get(peer) ?? []
    list.push(e)
    this.pending.set(peer, list)
    return undefined
  }

  // ----- deaths ---------------------------------------------------------------------------

  private nodeDead (e: IncidentEvent, touch: (r: Incident, opened?: boolean) => void): void {
    const peer = str(e.data.peerId)
    if (peer === '') return
    const incarnation = num(e.data.incarnation)
    const reason = str(e.data.reason)
    const drain = DRAIN_REASONS.has(reason)
    const id = `${drain ? 'drain' : 'dead'}-${shortId(peer)}-${incarnation}`
    let r = this.byId.get(id)
    const opened = r == null
    if (r == null) {
      r = this.open(id, drain ? 'drain' : 'death', e.at, 'unknown')
      r.facts.peer = peer
      r.facts.incarnation = incarnation
      r.facts.reason = reason
      const v = /^(\d+) of (\d+) voters/.exec(reason)
      if (v != null) r.facts.voters = { agree: Number(v[1]), of: Number(v[2]) }
      addTo(r.nodes, peer)
    }
    const lost = this.lostAt.get(peer)
    if (lost != null && lost <= e.at) {
      r.facts.lostHere = true
      r.facts.silentSince = Math.min(r.facts.silentSince ?? lost, lost)
    }
    this.deathOf.set(peer, id)
    // The control log is applied again after a restart: the same death, recorded once.
    if (!opened && r.timeline.some(t => t.type === 'node.dead' && t.node === this.self)) {
      this.replayPending(peer, touch)
      return
    }
    this.line(r, e, peer === this.self
      ? `this node learned it was declared dead (${reason}): it drops the work it held before and rejoins`
      : drain ? `${this.nameOf(peer)} left the mesh (${reason})` : `${this.nameOf(peer)} declared dead: ${reason}`)
    touch(r, opened)
    this.replayPending(peer, touch)
  }

  private replayPending (peer: string, touch: (r: Incident, opened?: boolean) => void): void {
    const list = this.pending.get(peer)
    if (list == null) return
    this.pending.delete(peer)
    for (const p of list) this.dispatch(p, touch, true)
  }

  private nodeAlive (e: IncidentEvent, touch: (r: Incident) => void): void {
    const peer = str(e.data.peerId)
    const r = this.deathIncident(peer)
    if (r == null || r.state === 'resolved') return
    const incarnation = num(e.data.incarnation)
    r.facts.back ??= { at: e.at, incarnation, ...restartOf(e, r) }
    this.line(r, e, `${this.nameOf(peer)} is alive again (incarnation ${incarnation}): its death is cleared`)
    this.resolve(r, e.at)
    touch(r)
  }

  /** A member heard in a newer life than its committed death: the best evidence of how it came back. */
  private memberAlive (e: IncidentEvent, touch: (r: Incident) => void): void {
    const peer = str(e.data.peerId)
    this.lostAt.delete(peer)
    const r = this.deathIncident(peer)
    if (r == null || r.kind !== 'death') return
    // Heard again after its death committed: in whatever life (a paused process is often
    // revived by a probe before it learns of its death), its process's uptime says whether
    // that process is the one that went silent.
    if (e.at < r.opened || e.data.uptimeMs == null) return
    if (r.facts.back != null && r.facts.back.restarted != null) return
    const incarnation = e.data.incarnation != null ? num(e.data.incarnation) : r.facts.incarnation ?? 0
    const how = restartOf(e, r)
    r.facts.back = { at: r.facts.back?.at ?? e.at, incarnation: Math.max(incarnation, r.facts.back?.incarnation ?? 0), ...how }
    this.line(r, e, `${this.nameOf(peer)} is heard again (incarnation ${incarnation}, its process up ${Math.round(num(e.data.uptimeMs) / 1000)} s: ${how.restarted === true ? 'a new process' : 'the same process'})`)
    touch(r)
  }

  private reclaimed (e: IncidentEvent, touch: (r: Incident) => void, late: boolean): void {
    const d = e.data
    const peer = str(d.peerId)
    const r = this.currentDeath(peer, e, late)
    if (r == null) return
    const node = str(d.node) !== '' ? str(d.node) : this.self
    const entry = { requeued: num(d.requeued), reclaimedBatches: num(d.reclaimedBatches), abandonedBatches: num(d.abandonedBatches), dropped: num(d.dropped) }
    r.facts.reclaims ??= {}
    const prev = r.facts.reclaims[node]
    r.facts.reclaims[node] = prev == null ? entry : { requeued: prev.requeued + entry.requeued, reclaimedBatches: prev.reclaimedBatches + entry.reclaimedBatches, abandonedBatches: prev.abandonedBatches + entry.abandonedBatches, dropped: prev.dropped + entry.dropped }
    addTo(r.nodes, node)
    for (const j of strs(d.jobs)) addTo(r.jobs, j)
    const parts: string[] = []
    if (entry.requeued > 0) parts.push(`re-runs ${plural(entry.requeued, 'task')} of ${plural(entry.reclaimedBatches, 'batch', 'batches')} it had lent to ${this.nameOf(peer)}`)
    if (entry.dropped > 0 || entry.abandonedBatches > 0) parts.push(`gives up ${plural(entry.dropped, 'task')} of ${plural(entry.abandonedBatches, 'batch', 'batches')} received from it (their lenders re-run them)`)
    this.line(r, e, `${this.nameOf(node)} ${parts.length > 0 ? parts.join('; ') : 'had nothing of it to re-run'}`, node)
    touch(r)
  }

  private rehomed (e: IncidentEvent, touch: (r: Incident) => void, late: boolean): void {
    const from = str(e.data.from)
    const to = str(e.data.to)
    const job = str(e.data.id)
    const r = this.currentDeath(from, e, late)
    if (r == null) return
    r.facts.rehomed ??= {}
    if (r.facts.rehomed[job] === to) return
    r.facts.rehomed[job] = to
    addTo(r.jobs, job)
    addTo(r.nodes, to)
    this.line(r, e, `job ${job} re-homed from ${this.nameOf(from)} to ${this.nameOf(to)}`)
    touch(r)
  }

  private drainPhase (e: IncidentEvent, touch: (r: Incident, opened?: boolean) => void): void {
    // A drain's own phases, as the draining node emits them: grouped with its leave.
    const peer = str(e.data.node) !== '' ? str(e.data.node) : this.self
    const incarnation = num(e.data.incarnation)
    const id = `drain-${shortId(peer)}-${incarnation}`
    let r = this.byId.get(id)
    const opened = r == null
    if (r == null) {
      r = this.open(id, 'drain', e.at, 'unknown')
      r.facts.peer = peer
      r.facts.incarnation = incarnation
      addTo(r.nodes, peer)
      this.deathOf.set(peer, id)
    }
    this.line(r, e, `drain: ${str(e.data.phase)}${str(e.data.summary) !== '' ? ` (${str(e.data.summary)})` : ''}`)
    touch(r, opened)
  }

  private deathIncident (peer: string): Incident | undefined {
    const id = this.deathOf.get(peer)
    return id == null ? undefined : this.byId.get(id)
  }

  /** Work reclaimed or a job moved for a death this node has no record of (pruned, or before it started). */
  private orphanDeath (peer: string, e: IncidentEvent): Incident {
    const id = `dead-${shortId(peer)}-unknown`
    let r = this.byId.get(id)
    if (r == null) {
      r = this.open(id, 'death', e.at, 'unknown')
      r.facts.peer = peer
      addTo(r.nodes, peer)
      this.deathOf.set(peer, id)
    }
    return r
  }

  // ----- circuits -------------------------------------------------------------------------

  private circuit (e: IncidentEvent, touch: (r: Incident, opened?: boolean) => void): void {
    const d = e.data
    const c = { kind: str(d.kind), target: str(d.target), node: str(d.node) !== '' ? str(d.node) : this.self, reason: str(d.reason), ...(d.failures != null ? { failures: num(d.failures) } : {}) }
    const key = circuitKey(c)
    let r = this.circuitOf.get(key) != null ? this.byId.get(this.circuitOf.get(key)!) : undefined
    let opened = false
    if (r == null) {
      if (e.type !== 'circuit.opened') return
      const id = `circuit-${c.kind}-${c.kind === 'peer' ? shortId(c.target) : c.target}-${shortId(c.node)}-${e.at}`
      r = this.open(id, 'circuit', e.at, c.kind === 'handler' || !/time|unreach|dial|connect/i.test(c.reason) ? 'handler' : 'network')
      r.facts.circuit = { ...c, halfOpen: 0 }
      addTo(r.nodes, c.node)
      if (c.kind === 'peer') addTo(r.nodes, c.target)
      this.circuitOf.set(key, r.id)
      opened = true
    }
    const what = c.kind === 'peer' ? `lending to ${this.nameOf(c.target)}` : `handler "${c.target}"`
    if (e.type === 'circuit.opened') {
      if (!opened) r.facts.circuit!.reason = c.reason
      this.line(r, e, `circuit opened on ${this.nameOf(c.node)}: ${what} stopped${c.reason !== '' ? ` (${c.reason})` : ''}${c.failures != null ? ` after ${plural(c.failures, 'failure')}` : ''}`)
    } else if (e.type === 'circuit.half-open') {
      r.facts.circuit!.halfOpen = (r.facts.circuit!.halfOpen ?? 0) + 1
      this.line(r, e, `circuit half-open on ${this.nameOf(c.node)}: ${what} is probed`)
    } else {
      this.line(r, e, `circuit closed on ${this.nameOf(c.node)}: ${what} is healthy again`)
      this.circuitOf.delete(key)
      this.resolve(r, e.at)
    }
    touch(r, opened)
  }

  // ----- tasks ----------------------------------------------------------------------------

  private taskFailed (e: IncidentEvent, touch: (r: Incident) => void): void {
    const d = e.data
    const taskId = str(d.taskId)
    const entry: TimelineEntry = { at: e.at, type: e.type, text: `attempt failed on ${this.nameOf(str(d.node) || this.self)}: ${str(d.error).slice(0, 200)}`, node: this.self }
    const r = this.byId.get(`task-${taskId}`)
    if (r == null) {
      // Not an incident yet (most failures are retried and pass); kept in case it becomes one.
      const list = this.earlyFailures.get(taskId) ?? []
      if (list.length < EARLY_FAILURES_PER_TASK) list.push(entry)
      this.earlyFailures.delete(taskId)
      this.earlyFailures.set(taskId, list)
      if (this.earlyFailures.size > EARLY_FAILURE_TASKS) this.earlyFailures.delete(this.earlyFailures.keys().next().value!)
      return
    }
    r.facts.task!.failures++
    r.facts.task!.lastError = str(d.error).slice(0, 500)
    push(r, entry)
    touch(r)
  }

  private taskStep (e: IncidentEvent, touch: (r: Incident, opened?: boolean) => void): void {
    const d = e.data
    const taskId = str(d.taskId)
    if (taskId === '') return
    const id = `task-${taskId}`
    let r = this.byId.get(id)
    const opened = r == null
    const jobId = str(d.jobId)
    const node = str(d.node) !== '' ? str(d.node) : this.self
    if (r == null) {
      r = this.open(id, 'task', e.at, 'handler')
      r.facts.task = { jobId, taskId, type: str(d.type), steps: [], timeouts: 0, failures: 0 }
      if (jobId !== '') addTo(r.jobs, jobId)
      const early = this.earlyFailures.get(taskId) ?? []
      this.earlyFailures.delete(taskId)
      for (const f of early) push(r, f)
      r.facts.task.failures += early.length
      if (early.length > 0) r.opened = Math.min(r.opened, early[0]!.at)
      this.indexTask(jobId, id)
    }
    const t = r.facts.task!
    addTo(r.nodes, node)
    if (e.type === 'task.timeout') {
      t.timeouts++
      this.line(r, e, `attempt killed on ${this.nameOf(node)} at its timeout (${num(d.timeoutMs)} ms)`)
    } else {
      const step = str(d.step)
      t.steps.push(step)
      if (str(d.error) !== '') t.lastError = str(d.error).slice(0, 500)
      const text = step === 'retry-here'
        ? `retried on ${this.nameOf(node)} (attempt ${num(d.attempt)})`
        : step === 'other-node'
          ? `moved to another capable node (attempt ${num(d.attempt)})`
          : step === 'capped'
            ? 'not restarted again: the cap on restarts was reached'
            : 'failed for good: every attempt failed'
      this.line(r, e, `${text}${str(d.error) !== '' ? `: ${str(d.error).slice(0, 200)}` : ''}`)
      if (step === 'failed' || step === 'capped') {
        t.outcome = step
        r.cause = 'poison-task'
        this.resolve(r, e.at)
        this.tasksOf.get(jobId)?.delete(id)
      }
    }
    touch(r, opened)
  }

  private indexTask (jobId: string, id: string): void {
    let s = this.tasksOf.get(jobId)
    if (s == null) this.tasksOf.set(jobId, s = new Set())
    s.add(id)
  }

  private jobFinished (e: IncidentEvent, touch: (r: Incident) => void): void {
    const job = str(e.data.id)
    for (const id of this.tasksOf.get(job) ?? []) {
      const r = this.byId.get(id)
      if (r == null || r.state !== 'open') continue
      r.facts.task!.outcome ??= 'job-finished'
      this.line(r, e, `job ${job} ${str(e.data.state) || e.type.slice(4)}`)
      this.resolve(r, e.at)
      touch(r)
    }
    this.tasksOf.delete(job)
    const s = this.stuckOf.get(job)
    if (s != null) {
      const r = this.byId.get(s)!
      this.line(r, e, `job ${job} ${str(e.data.state) || e.type.slice(4)}`)
      this.resolve(r, e.at)
      this.stuckOf.delete(job)
      touch(r)
    }
  }

  // ----- stuck jobs, resources ------------------------------------------------------------

  private stuck (e: IncidentEvent, touch: (r: Incident, opened?: boolean) => void): void {
    const d = e.data
    const job = str(d.id)
    const openId = this.stuckOf.get(job)
    let r = openId != null ? this.byId.get(openId) : undefined
    if (e.type === 'job.unstuck') {
      if (r == null) return
      this.line(r, e, `job ${job} progresses again`)
      this.resolve(r, e.at)
      this.stuckOf.delete(job)
      touch(r)
      return
    }
    const opened = r == null
    const code = str(d.code)
    if (r == null) {
      r = this.open(`stuck-${job}-${e.at}`, 'stuck', e.at, STUCK_CAUSE[code] ?? 'unknown')
      addTo(r.jobs, job)
      this.stuckOf.set(job, r.id)
    }
    r.facts.stuck = { jobId: job, home: str(d.home), code, text: str(d.text), stuckForMs: num(d.stuckForMs) }
    r.cause = STUCK_CAUSE[code] ?? 'unknown'
    if (str(d.home) !== '') addTo(r.nodes, str(d.home))
    for (const p of strs(d.peers)) addTo(r.nodes, p)
    this.line(r, e, `job ${job} stuck for ${Math.round(num(d.stuckForMs) / 1000)} s: ${str(d.text) || code}`)
    touch(r, opened)
  }

  private resource (e: IncidentEvent, touch: (r: Incident, opened?: boolean) => void): void {
    const d = e.data
    const node = str(d.node) !== '' ? str(d.node) : this.self
    const res = { node, resource: str(d.resource), value: num(d.value), limit: num(d.limit) }
    const key = `${node}:${res.resource}`
    const openId = this.resourceOf.get(key)
    let r = openId != null ? this.byId.get(openId) : undefined
    if (str(d.state) === 'ok') {
      if (r == null) return
      r.facts.resource = res
      this.line(r, e, `${res.resource} on ${this.nameOf(node)} back under its limit (${amount(res.value)} of ${amount(res.limit)})`)
      this.resolve(r, e.at)
      this.resourceOf.delete(key)
      touch(r)
      return
    }
    const opened = r == null
    if (r == null) {
      r = this.open(`resource-${shortId(node)}-${res.resource}-${e.at}`, 'resource', e.at, 'resource')
      addTo(r.nodes, node)
      this.resourceOf.set(key, r.id)
    }
    r.facts.resource = res
    this.line(r, e, `${res.resource} on ${this.nameOf(node)} over its limit (${amount(res.value)} of ${amount(res.limit)}): it stops taking new work`)
    touch(r, opened)
  }

  // ----- helpers --------------------------------------------------------------------------

  private open (id: string, kind: IncidentKind, at: number, cause: IncidentCause): Incident {
    const r: Incident = { id, kind, opened: at, updated: at, cause, title: '', nodes: [], jobs: [], timeline: [], state: 'open', summary: '', facts: {}, names: {} }
    this.byId.set(id, r)
    return r
  }

  private resolve (r: Incident, at: number): void {
    r.state = 'resolved'
    r.closed = at
  }

  private line (r: Incident, e: IncidentEvent, text: string, node = this.self): void {
    push(r, { at: e.at, type: e.type, text, node })
  }

  private nameOf (peer: string): string {
    return this.names.get(peer) ?? shortId(peer)
  }
}

const STUCK_CAUSE: Record<string, IncidentCause> = {
  'held-by-unreachable': 'network',
  partition: 'network',
  'results-undelivered': 'network',
  'handler-timeouts': 'handler',
  'circuit-open': 'handler'
}

function circuitKey (c: { kind: string, target: string, node: string }): string {
  return `${c.kind}:${c.target}:${c.node}`
}

/**
 * Whether a returning node restarted: its heartbeat's uptime (`uptimeMs` on the event) says
 * when its process began; a process begun after it went silent is a new one. Without an
 * uptime, nothing is concluded.
 */
function restartOf (e: IncidentEvent, r: Incident): { restarted?: boolean } {
  if (e.data.uptimeMs == null) return {}
  const start = e.at - num(e.data.uptimeMs)
  const silentFrom = r.facts.silentSince ?? r.opened - SILENCE_BEFORE_DEATH_MS
  return { restarted: start > silentFrom - START_SLACK_MS }
}

/** Events every node sees alike (from the control log): one timeline entry, whichever node wrote it. */
const MESH_WIDE = new Set(['node.dead', 'node.alive', 'job.rehomed'])

function push (r: Incident, entry: TimelineEntry): void {
  const key = (t: TimelineEntry): string => MESH_WIDE.has(t.type) ? `${t.type}|${t.text}` : `${t.at}|${t.type}|${t.node}|${t.text}`
  const k = key(entry)
  if (r.timeline.some(t => key(t) === k)) return
  r.timeline.push(entry)
  if (r.timeline.length > 1 && entry.at < r.timeline[r.timeline.length - 2]!.at) r.timeline.sort((a, b) => a.at - b.at)
  if (r.timeline.length > MAX_TIMELINE) {
    // Keep how it began and the newest: the middle of a long incident repeats itself.
    r.timeline.splice(10, r.timeline.length - MAX_TIMELINE)
    r.omitted = (r.omitted ?? 0) + 1
  }
}

/** Recompute what is derived from the facts: cause (deaths), title, summary. */
export function refresh (r: Incident): void {
  const f = r.facts
  const name = (p: string): string => r.names[p] ?? shortId(p)
  if (r.kind === 'death' && f.back?.restarted != null) {
    // The dead node is in the voter set but never votes on its own death.
    const reachable = f.voters != null ? f.voters.agree < f.voters.of - 1 : false
    r.cause = f.back.restarted ? 'crash' : (reachable || f.lostHere !== true ? 'network' : 'pause')
  }
  r.title = titleOf(r, name)
  r.summary = summaryOf(r, name)
}

function titleOf (r: Incident, name: (p: string) => string): string {
  const f = r.facts
  switch (r.kind) {
    case 'death': return `${name(f.peer ?? '')} declared dead${f.back != null ? ' (came back)' : ''}`
    case 'drain': return `${name(f.peer ?? '')} drained and left the mesh`
    case 'circuit': return `circuit ${r.state === 'open' ? 'open' : 'was open'}: ${f.circuit?.kind === 'peer' ? `lending to ${name(f.circuit.target)}` : `handler "${f.circuit?.target ?? ''}"`} on ${name(f.circuit?.node ?? '')}`
    case 'task': return `task ${f.task?.taskId ?? ''} (${f.task?.type ?? ''}) of job ${f.task?.jobId ?? ''}: ${f.task?.outcome === 'failed' ? 'failed every attempt' : f.task?.outcome === 'capped' ? 'restarts capped' : f.task?.timeouts != null && f.task.timeouts > 0 ? `${plural(f.task.timeouts, 'timeout')}` : 'escalated'}`
    case 'stuck': return `job ${f.stuck?.jobId ?? ''} stuck: ${f.stuck?.code ?? 'unknown'}`
    case 'resource': return `${f.resource?.resource ?? 'resource'} over its limit on ${name(f.resource?.node ?? '')}`
  }
}

function summaryOf (r: Incident, name: (p: string) => string): string {
  const f = r.facts
  const out: string[] = []
  switch (r.kind) {
    case 'death':
    case 'drain': {
      const who = name(f.peer ?? '')
      if (r.kind === 'drain') out.push(`${who} left the mesh at ${clock(r.opened)} (${f.reason ?? 'drained'}).`)
      else out.push(`${who} was declared dead at ${clock(r.opened)}${f.voters != null ? ` (${f.voters.agree} of ${f.voters.of} voters could not reach it)` : f.reason != null && f.reason !== '' ? ` (${f.reason})` : ''}.`)
      const reclaims = Object.entries(f.reclaims ?? {})
      const rerunBy = reclaims.filter(([, c]) => c.requeued > 0)
      const rerun = rerunBy.reduce((n, [, c]) => n + c.requeued, 0)
      const dropped = reclaims.reduce((n, [, c]) => n + c.dropped, 0)
      const moved = Object.entries(f.rehomed ?? {})
      const did: string[] = []
      if (rerun > 0) did.push(`${rerunBy.length === 1 ? name(rerunBy[0]![0]) : `${rerunBy.length} nodes`} re-ran ${plural(rerun, 'task')} it held`)
      if (dropped > 0) did.push(`${plural(dropped, 'task')} that came from it ${dropped === 1 ? 'was' : 'were'} given up for their lenders to re-run`)
      if (moved.length > 0) {
        const homes = [...new Set(moved.map(([, to]) => to))]
        did.push(`${plural(moved.length, 'job')} moved to ${homes.map(name).join(', ')}`)
      }
      if (did.length > 0) out.push(cap(did.join('; ')) + '.')
      else out.push(reclaims.length > 0 ? 'It held no work that had to be re-run.' : 'No node in this view recorded re-running its work (each node records what it re-ran; `meshnode incident ID` and --mesh gather them).')
      if (f.back != null) {
        const how = f.back.restarted === true ? ' after a restart (a new process: likely a crash)' : f.back.restarted === false ? ` in the same process (it was ${r.cause === 'pause' ? 'paused' : 'cut off'}, not down)` : ''
        out.push(`${who} came back at ${clock(f.back.at)}${how}. Nothing is left for you.`)
      } else if (r.kind === 'drain') {
        out.push('Nothing is left for you.')
      } else {
        out.push(`${who} has not come back: check the host; if it is gone for good, \`meshnode operator raft remove-peer ${f.peer ?? ''}\`.`)
      }
      break
    }
    case 'circuit': {
      const c = f.circuit!
      const what = c.kind === 'peer' ? `lending work to ${name(c.target)}` : `offering handler "${c.target}"`
      out.push(`${name(c.node)} stopped ${what} at ${clock(r.opened)}${c.failures != null ? ` after ${plural(c.failures, 'failure')}` : ''}${c.reason !== '' ? ` (${c.reason})` : ''}.`)
      if (r.state === 'resolved') out.push(`Probed healthy and closed at ${clock(r.closed ?? r.updated)}. Nothing is left for you.`)
      else out.push(`${(c.halfOpen ?? 0) > 0 ? `Probed ${plural(c.halfOpen ?? 0, 'time')} so far; ` : ''}the mesh probes it again after a cool-down. If it stays open, look at ${c.kind === 'peer' ? `${name(c.target)}'s handlers and logs` : `the "${c.target}" handler on ${name(c.node)}`}.`)
      break
    }
    case 'task': {
      const t = f.task!
      out.push(`Task ${t.taskId} (${t.type}) of job ${t.jobId} ${t.timeouts > 0 ? `timed out ${plural(t.timeouts, 'time')}` : 'failed'}${t.failures > 0 ? ` (${plural(t.failures, 'failed attempt')} seen)` : ''}.`)
      const moved = t.steps.filter(s => s === 'other-node').length
      const retried = t.steps.filter(s => s === 'retry-here').length
      if (retried + moved > 0) out.push(`The mesh retried it ${plural(retried, 'time')} in place and moved it ${plural(moved, 'time')} to another node.`)
      if (t.outcome === 'failed' || t.outcome === 'capped') out.push(`It ${t.outcome === 'capped' ? 'hit the cap on restarts' : 'failed every attempt'}${t.lastError != null ? `; last error: ${t.lastError}` : ''}. Left for you: fix the handler or the task's input, then resubmit.`)
      else if (t.outcome === 'job-finished') out.push('Its job has finished. Nothing is left for you.')
      else out.push('The mesh is still trying it.')
      break
    }
    case 'stuck': {
      const s = f.stuck!
      out.push(`Job ${s.jobId} made no progress for ${Math.round(s.stuckForMs / 1000)} s: ${s.text || s.code}.`)
      out.push(r.state === 'resolved' ? `It moved again at ${clock(r.closed ?? r.updated)}. Nothing is left for you.` : 'Left for you: see `meshnode job ' + s.jobId + '` for the diagnosis.')
      break
    }
    case 'resource': {
      const x = f.resource!
      out.push(`${name(x.node)} reached its ${x.resource} limit at ${clock(r.opened)} (${amount(x.value)} of ${amount(x.limit)}) and stopped taking new work.`)
      out.push(r.state === 'resolved' ? `Back under the limit at ${clock(r.closed ?? r.updated)}. Nothing is left for you.` : `Left for you: free ${x.resource} on ${name(x.node)} or raise its limit.`)
      break
    }
  }
  if (r.omitted != null) out.push(`(The timeline leaves out entries from the middle: it is capped at ${MAX_TIMELINE}.)`)
  return out.join(' ')
}

/**
 * The same incident as several nodes recorded it, as one: timelines and facts united (each
 * node's reclaims kept by node), the earliest opening, the latest update; resolved if any
 * copy is (a return or a close is seen by some nodes before others).
 */
export function mergeIncidents (copies: readonly Incident[]): Incident {
  const [first, ...rest] = copies
  const m: Incident = structuredClone(first!)
  for (const c of rest) {
    m.opened = Math.min(m.opened, c.opened)
    m.updated = Math.max(m.updated, c.updated)
    for (const n of c.nodes) addTo(m.nodes, n)
    for (const j of c.jobs) addTo(m.jobs, j)
    Object.assign(m.names, c.names)
    for (const t of c.timeline) push(m, t)
    if (c.state === 'resolved') {
      m.state = 'resolved'
      m.closed = Math.min(m.closed ?? Infinity, c.closed ?? c.updated)
    }
    const f = m.facts
    const g = c.facts
    if (g.reclaims != null) f.reclaims = { ...g.reclaims, ...f.reclaims }
    if (g.rehomed != null) f.rehomed = { ...g.rehomed, ...f.rehomed }
    if (g.lostHere === true) f.lostHere = true
    if (g.silentSince != null) f.silentSince = Math.min(f.silentSince ?? g.silentSince, g.silentSince)
    if (g.back != null && (f.back == null || (f.back.restarted == null && g.back.restarted != null))) f.back = g.back
    if (g.task != null && f.task != null) {
      f.task.steps = f.task.steps.length >= g.task.steps.length ? f.task.steps : g.task.steps
      f.task.timeouts = Math.max(f.task.timeouts, g.task.timeouts)
      f.task.failures = Math.max(f.task.failures, g.task.failures)
      f.task.outcome ??= g.task.outcome
      f.task.lastError ??= g.task.lastError
    }
    if (c.cause !== 'unknown' && m.cause === 'unknown') m.cause = c.cause
    if (c.cause === 'poison-task') m.cause = 'poison-task'
  }
  refresh(m)
  return m
}

/** Incidents from several nodes, merged by id, newest first. */
export function mergeById (lists: ReadonlyArray<readonly Incident[]>): Incident[] {
  const by = new Map<string, Incident[]>()
  for (const l of lists) for (const r of l) by.set(r.id, [...(by.get(r.id) ?? []), r])
  return [...by.values()].map(c => c.length === 1 ? c[0]! : mergeIncidents(c)).sort((a, b) => b.opened - a.opened || (a.id < b.id ? -1 : 1))
}

/**
 * Retention: the ids to delete so that none is older than `maxAgeMs` (by its last update)
 * and at most `max` remain (the oldest opened go first).
 */
export function toPrune (records: ReadonlyArray<Pick<Incident, 'id' | 'opened' | 'updated'>>, now: number, maxAgeMs: number, max: number): string[] {
  const out: string[] = []
  const kept: Array<Pick<Incident, 'id' | 'opened' | 'updated'>> = []
  for (const r of records) {
    if (now - r.updated > maxAgeMs) out.push(r.id)
    else kept.push(r)
  }
  if (kept.length > max) {
    kept.sort((a, b) => a.opened - b.opened || (a.id < b.id ? -1 : 1))
    for (const r of kept.slice(0, kept.length - max)) out.push(r.id)
  }
  return out
}

/** Counts by cause and open incidents (the metrics). */
export function countIncidents (records: Iterable<Incident>): { open: number, byCause: Record<IncidentCause, number> } {
  const byCause = Object.fromEntries(INCIDENT_CAUSES.map(c => [c, 0])) as Record<IncidentCause, number>
  let open = 0
  for (const r of records) {
    byCause[r.cause]++
    if (r.state === 'open') open++
  }
  return { open, byCause }
}

function clock (at: number): string {
  return new Date(at).toISOString().slice(11, 19)
}

function amount (v: number): string {
  if (v >= 1 << 30) return `${(v / (1 << 30)).toFixed(1)} GiB`
  if (v >= 1 << 20) return `${Math.round(v / (1 << 20))} MiB`
  return String(v)
}

function plural (n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`
}

function cap (s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1)
}

function addTo (list: string[], v: string): void {
  if (v !== '' && !list.includes(v)) list.push(v)
}

function str (v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'bigint' ? String(v) : ''
}

function num (v: unknown): number {
  const n = typeof v === 'bigint' ? Number(v) : Number(v)
  return Number.isFinite(n) ? n : 0
}

function strs (v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []
}
