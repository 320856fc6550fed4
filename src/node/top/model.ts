// What `meshnode top` shows, as state built from a node's HTTP API: one snapshot of
// /v1/status, /v1/members and /v1/jobs?state=running, then every /v1/events event folded in.
// The model is pure — the clock is passed to every call — so tests drive it with a fake
// clock and a list of events; the terminal view (view.ts) and the plain lines (plain.ts)
// only render what view() returns.
import type { JobSummary } from '../client/jobs-json.js'
import type { PeerJson, StatusJson } from '../client/status-json.js'

/** Tasks/s and failures/s are averaged over this sliding window. */
export const RATE_WINDOW_MS = 10_000
/** Recent failures kept, newest first. */
export const MAX_FAILURES = 50
/** The event types listed as failures. */
export const FAILURE_EVENTS = new Set(['task.failed', 'job.failed', 'member.dead', 'node.dead', 'job.rehomed'])

/** One /v1/events event, as its `data:` line carries it. */
export interface TopEvent {
  seq: number
  event: string
  at: number
  data: Record<string, unknown>
}

/** The /v1/members answer (the fields top reads). */
export interface MembersJson {
  self: { peerId: string, name: string, role: string, load: number, capabilities: string[], draining: boolean }
  leader: string | null
  voters: string[]
  learners: string[]
  members: PeerJson[]
  dead: Array<{ peerId: string, reason: string }>
}

/** Counts in a sliding time window: add(now, n), then rate(now) per second. */
export class RateWindow {
  private readonly samples: Array<{ at: number, n: number }> = []
  private sum = 0

  constructor (private readonly windowMs = RATE_WINDOW_MS) {}

  add (now: number, n: number): void {
    if (n <= 0) return
    this.samples.push({ at: now, n })
    this.sum += n
    this.prune(now)
  }

  /**
   * Per second over the window, or over the time since `since` (when watching began) while
   * that is shorter — at least one second — so the first seconds are not diluted.
   */
  rate (now: number, since = Number.NEGATIVE_INFINITY): number {
    this.prune(now)
    const span = Math.max(1_000, Math.min(this.windowMs, now - since))
    return this.sum / (span / 1000)
  }

  private prune (now: number): void {
    while (this.samples.length > 0 && this.samples[0]!.at <= now - this.windowMs) this.sum -= this.samples.shift()!.n
  }
}

export interface NodeRow {
  peerId: string
  name: string
  state: string
  role: string
  load: number
  capabilities: string[]
  /** ms since its last heartbeat, as of `seenAt` (local clock); self: 0. */
  lastSeenMs: number
  seenAt: number
  self: boolean
  draining: boolean
  /** A committed death (node.dead) not yet cleared. */
  dead: boolean
}

export interface JobRow {
  id: string
  name?: string
  home: string
  state: string
  total?: number
  /** Tasks with an outcome — ok, failed or cancelled (as a job record counts them). */
  done: number
  failed: number
  cancelled: number
  /** The counts are known (from /v1/jobs or a progress event, or 0 after job.submitted). */
  counted: boolean
  /** When it started (node clock), for the order: newest first. */
  since: number
  /** When top learnt of it (local clock). */
  addedAt: number
}

export interface FailureRow {
  at: number
  type: string
  text: string
}

export type Connection = 'connecting' | 'live' | 'reconnecting'

export interface TopView {
  mesh: string
  self: { peerId: string, name: string, role: string }
  leader: string | null
  term: number
  counts: { alive: number, suspect: number, dead: number, left: number }
  nodes: Array<NodeRow & { lastSeenNowMs: number }>
  jobs: JobRow[]
  tasksPerSec: number
  failuresPerSec: number
  jobsFinished: { completed: number, failed: number, cancelled: number }
  failures: FailureRow[]
  connection: Connection
  reason: string
  lastEventAt: number | null
}

export class TopModel {
  mesh = ''
  self = { peerId: '', name: '', role: 'none' }
  leader: string | null = null
  term = 0
  readonly nodes = new Map<string, NodeRow>()
  readonly jobs = new Map<string, JobRow>()
  readonly failures: FailureRow[] = []
  readonly jobsFinished = { completed: 0, failed: 0, cancelled: 0 }
  connection: Connection = 'connecting'
  reason = ''
  lastEventAt: number | null = null
  /** When the live stream first opened: rates average over at most the time since. */
  liveSince: number | null = null
  private readonly tasks = new RateWindow()
  private readonly taskFailures = new RateWindow()

  /** /v1/status: the header, this node's row and (for load and last-seen) every peer's. */
  status (s: StatusJson, now: number): void {
    this.mesh = s.mesh
    this.self = { peerId: s.peerId, name: s.name, role: s.role }
    this.leader = s.leader
    this.term = s.term
    this.setNodes({ peerId: s.peerId, name: s.name, role: s.role, load: s.load, capabilities: s.capabilities, draining: s.draining }, s.peers, s.dead.map(d => d.peerId), now)
  }

  /** /v1/members: the node table. */
  members (m: MembersJson, now: number): void {
    this.self = { peerId: m.self.peerId, name: m.self.name, role: m.self.role }
    this.leader = m.leader
    this.setNodes(m.self, m.members, m.dead.map(d => d.peerId), now)
  }

  /**
   * /v1/jobs?state=running, asked at `askedAt`: the running jobs (with counts only for those
   * homed at the node asked). `complete`: the listing had no `next` page, so a job it lacks
   * that was known before it was asked has finished unseen (an event lost to a reconnection).
   */
  runningJobs (list: JobSummary[], askedAt: number, complete = true): void {
    const listed = new Set<string>()
    for (const j of list) {
      if (j.state !== 'running') continue
      listed.add(j.id)
      const row = this.jobs.get(j.id)
      const counted = j.total != null
      if (row == null) {
        this.jobs.set(j.id, { id: j.id, ...(j.name != null ? { name: j.name } : {}), home: j.home, state: j.state, ...(counted ? { total: j.total } : {}), done: j.done ?? 0, failed: j.failed ?? 0, cancelled: 0, counted, since: j.createdAt, addedAt: askedAt })
        continue
      }
      row.home = j.home
      if (j.name != null) row.name = j.name
      // Progress events may be newer than the listing: counts never go back.
      if (counted && (!row.counted || (j.done ?? 0) >= row.done)) {
        row.total = j.total
        row.done = j.done ?? 0
        row.failed = j.failed ?? 0
        row.counted = true
      }
    }
    if (complete) for (const [id, row] of this.jobs) if (!listed.has(id) && row.addedAt < askedAt) this.jobs.delete(id)
  }

  /**
   * GET /v1/jobs/ID of a running job homed elsewhere (whose progress events only its home
   * streams): its counts, and what they add to tasks/s since the last look.
   */
  jobDetail (d: { id: string, home: string, state: string, name?: string, total: number, done: number, failed: number, cancelled: number }, now: number): void {
    const row = this.jobs.get(d.id)
    if (row == null) return
    if (d.state !== 'running') {
      this.jobs.delete(d.id)
      return
    }
    if (row.counted) this.tasks.add(now, Math.max(0, d.done - row.done))
    Object.assign(row, { home: d.home, total: d.total, done: d.done, failed: d.failed, cancelled: d.cancelled, counted: true }, d.name != null ? { name: d.name } : {})
  }

  /** The stream opened (live) or dropped (reconnecting, with why). */
  connectionState (c: Connection, now: number, reason = ''): void {
    this.connection = c
    this.reason = reason
    if (c === 'live' && this.liveSince == null) this.liveSince = now
  }

  /**
   * Folds one event in. `replay`: it came in the backlog a new stream starts with (it
   * happened before top was watching), so it adds to the lists but not to the rates.
   */
  event (e: TopEvent, now: number, replay = false): void {
    const d = e.data
    const str = (k: string): string => typeof d[k] === 'string' ? d[k] : d[k] == null ? '' : String(d[k])
    const num = (k: string): number => typeof d[k] === 'number' && Number.isFinite(d[k]) ? d[k] : 0
    this.lastEventAt = e.at
    const type = e.event
    if (type.startsWith('member.')) {
      const state = type.slice('member.'.length)
      const row = this.nodes.get(str('peerId'))
      if (row != null) {
        row.state = state
        if (state === 'alive') row.lastSeenMs = 0
        row.seenAt = now
      } else if (str('peerId') !== '') {
        this.nodes.set(str('peerId'), { peerId: str('peerId'), name: str('name'), state, role: 'none', load: 0, capabilities: [], lastSeenMs: 0, seenAt: now, self: false, draining: false, dead: false })
      }
    } else if (type === 'leader.changed') {
      this.leader = str('leader') === '' ? null : str('leader')
      this.term = num('term')
      if (str('role') !== '') this.self.role = str('role')
      const me = this.nodes.get(this.self.peerId)
      if (me != null && str('role') !== '') me.role = str('role')
    } else if (type === 'node.dead' || type === 'node.alive') {
      const row = this.nodes.get(str('peerId'))
      if (row != null) row.dead = type === 'node.dead'
    } else if (type === 'job.submitted') {
      if (!this.jobs.has(str('id'))) this.jobs.set(str('id'), { id: str('id'), home: str('home'), state: 'running', done: 0, failed: 0, cancelled: 0, counted: true, since: e.at, addedAt: now, ...(str('name') !== '' ? { name: str('name') } : {}) })
    } else if (type === 'job.progress') {
      const id = str('id')
      let row = this.jobs.get(id)
      if (row == null) {
        // A job finished (job.completed seen first) is not brought back by a late progress.
        if (str('state') !== 'running') return
        row = { id, home: str('home'), state: 'running', done: 0, failed: 0, cancelled: 0, counted: false, since: e.at, addedAt: now }
        this.jobs.set(id, row)
      }
      // Tasks/s counts the outcomes recorded between two samples of a job (`done` counts
      // every outcome: ok, failed, cancelled); a job first seen mid-way sets the baseline.
      if (row.counted && !replay) this.tasks.add(now, Math.max(0, num('done') - row.done))
      row.total = num('total')
      row.done = num('done')
      row.failed = num('failed')
      row.cancelled = num('cancelled')
      row.home = str('home') || row.home
      row.counted = true
    } else if (type === 'job.completed' || type === 'job.failed' || type === 'job.cancelled') {
      this.jobs.delete(str('id'))
      if (!replay) this.jobsFinished[type.slice('job.'.length) as keyof TopModel['jobsFinished']]++
    } else if (type === 'job.rehomed') {
      const row = this.jobs.get(str('id'))
      if (row != null) row.home = str('to')
    } else if (type === 'task.failed') {
      if (!replay) this.taskFailures.add(now, 1)
    }
    if (FAILURE_EVENTS.has(type)) {
      this.failures.unshift({ at: e.at, type, text: describeEvent(e, id => this.nameOf(id)) })
      this.failures.sort((a, b) => b.at - a.at)
      if (this.failures.length > MAX_FAILURES) this.failures.length = MAX_FAILURES
    }
  }

  /** A peer's name when it is known, else its id's tail. */
  nameOf (peerId: string): string {
    if (peerId === '') return '-'
    const n = this.nodes.get(peerId)?.name
    return n != null && n !== '' ? n : shortId(peerId)
  }

  view (now: number): TopView {
    const counts = { alive: 0, suspect: 0, dead: 0, left: 0 }
    const nodes = [...this.nodes.values()]
      // An alive peer's heartbeats come every second or so: what the last status said is
      // the better figure. A silent one's silence grows while top watches.
      .map(n => ({ ...n, lastSeenNowMs: n.self ? 0 : n.state === 'alive' ? n.lastSeenMs : n.lastSeenMs + Math.max(0, now - n.seenAt) }))
      .sort((a, b) => a.name.localeCompare(b.name) || a.peerId.localeCompare(b.peerId))
    for (const n of nodes) if (n.state in counts) counts[n.state as keyof typeof counts]++
    const since = this.liveSince ?? now
    return {
      mesh: this.mesh,
      self: { ...this.self },
      leader: this.leader,
      term: this.term,
      counts,
      nodes,
      jobs: [...this.jobs.values()].sort((a, b) => b.since - a.since || (a.id < b.id ? 1 : -1)).map(j => ({ ...j })),
      tasksPerSec: this.tasks.rate(now, since),
      failuresPerSec: this.taskFailures.rate(now, since),
      jobsFinished: { ...this.jobsFinished },
      failures: [...this.failures],
      connection: this.connection,
      reason: this.reason,
      lastEventAt: this.lastEventAt
    }
  }

  private setNodes (self: { peerId: string, name: string, role: string, load: number, capabilities: string[], draining: boolean }, peers: PeerJson[], dead: string[], now: number): void {
    const keep = new Set<string>([self.peerId])
    const deadSet = new Set(dead)
    this.nodes.set(self.peerId, { peerId: self.peerId, name: self.name, state: 'alive', role: self.role, load: self.load, capabilities: [...self.capabilities], lastSeenMs: 0, seenAt: now, self: true, draining: self.draining, dead: false })
    for (const p of peers) {
      keep.add(p.peerId)
      this.nodes.set(p.peerId, { peerId: p.peerId, name: p.name, state: p.state, role: p.role, load: p.load, capabilities: [...p.capabilities], lastSeenMs: p.lastSeenMs, seenAt: now, self: false, draining: p.draining, dead: deadSet.has(p.peerId) })
    }
    for (const id of this.nodes.keys()) if (!keep.has(id)) this.nodes.delete(id)
  }
}

export function shortId (peerId: string): string {
  return peerId.length > 10 ? `…${peerId.slice(-6)}` : peerId
}

/** A one-line description of an event's data, with peer ids as names where known. */
export function describeEvent (e: TopEvent, name: (peerId: string) => string = shortId): string {
  const d = e.data
  const s = (k: string): string => typeof d[k] === 'string' ? d[k] : d[k] == null ? '' : String(d[k])
  switch (true) {
    case e.event.startsWith('member.'):
      return `${s('name') !== '' ? s('name') : name(s('peerId'))} ${s('from')} -> ${e.event.slice('member.'.length)}${s('reason') !== '' ? `: ${s('reason')}` : ''}`
    case e.event === 'leader.changed':
      return `leader ${s('leader') === '' ? 'none' : name(s('leader'))} term ${s('term')}${s('role') !== '' ? ` (this node: ${s('role')})` : ''}`
    case e.event === 'node.dead':
      return `${s('name') !== '' ? s('name') : name(s('peerId'))} incarnation ${s('incarnation')}${s('reason') !== '' ? `: ${s('reason')}` : ''}`
    case e.event === 'node.alive':
      return `${name(s('peerId'))} incarnation ${s('incarnation')}`
    case e.event === 'job.rehomed':
      return `${s('id')} from ${name(s('from'))} to ${name(s('to'))}`
    case e.event === 'job.progress':
      return `${s('id')} ${s('done')}/${s('total')} done, ${s('failed')} failed${s('cancelled') !== '0' && s('cancelled') !== '' ? `, ${s('cancelled')} cancelled` : ''} home ${name(s('home'))}`
    case e.event.startsWith('job.'):
      return `${s('id')} home ${name(s('home'))}`
    case e.event === 'task.failed':
      return `${s('jobId')} task ${s('taskId')} (${s('type')}) on ${name(s('node'))}: ${s('error').replace(/\s+/g, ' ')}`
    default:
      return JSON.stringify(d)
  }
}
