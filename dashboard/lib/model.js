// The dashboard's state and how each server-sent event changes it. Pure: no DOM, no
// network, no clock (event times come with the events), so the unit tests run it in Node.

export const FINAL = new Set(['completed', 'failed', 'cancelled'])
/** Event types shown as incidents: the mesh healing itself, and what it heals from. */
export const INCIDENT_TYPES = new Set(['node.dead', 'node.alive', 'member.dead', 'job.rehomed', 'task.failed'])
/** How much the page keeps: latency samples for an hour, the newest incidents and jobs. */
export const WINDOW_MS = 3_600_000
export const MAX_INCIDENTS = 200
export const MAX_JOBS = 500

/** When a job id was minted (its first 9 characters are the time in base 36), or NaN. */
export function jobIdTime (id) {
  return Number.parseInt(String(id).slice(0, 9), 36)
}

export function createModel () {
  return {
    /** This node's peer id, name and mesh; the leader's peer id. */
    self: null,
    name: '',
    mesh: '',
    leader: null,
    /** peerId → {peerId, name, state, load, role, capabilities, lastSeenMs, seenAt, connected, self?} */
    members: new Map(),
    /** id → {id, home, name?, state, createdAt, total?, done, failed, cancelled, finishedAt?} */
    jobs: new Map(),
    /** Newest first: {key, type, at, data}. */
    incidents: [],
    /** Job latencies observed here: id → {at, ms} (at: when it finished, ms: submit → done). */
    latency: new Map()
  }
}

/** Applies GET /v1/members (and GET /v1/status for the mesh name). `now`: when it answered. */
export function applyMembers (m, res, now) {
  if (res == null || res.self == null) return
  m.self = res.self.peerId
  m.name = res.self.name ?? ''
  m.leader = res.leader ?? null
  const seen = new Set()
  const put = (p, extra) => {
    const old = m.members.get(p.peerId) ?? {}
    m.members.set(p.peerId, { ...old, ...p, ...extra })
    seen.add(p.peerId)
  }
  put(res.self, { state: 'alive', self: true, connected: true, lastSeenMs: 0, seenAt: now })
  for (const p of res.members ?? []) put(p, { seenAt: now })
  for (const id of [...m.members.keys()]) if (!seen.has(id)) m.members.delete(id)
  for (const d of res.dead ?? []) {
    const p = m.members.get(d.peerId)
    if (p != null && p.state === 'alive' && !p.self) p.deadCommitted = true
  }
}

/** Merges a job as GET /v1/jobs or /v1/jobs/ID gives it. */
export function applyJob (m, j) {
  if (j == null || typeof j.id !== 'string') return
  const old = m.jobs.get(j.id)
  const next = { done: 0, failed: 0, cancelled: 0, ...old }
  for (const k of ['home', 'name', 'createdAt', 'finishedAt']) if (j[k] != null) next[k] = j[k]
  next.id = j.id
  if (old == null || !FINAL.has(old.state) || FINAL.has(j.state)) next.state = j.state ?? next.state ?? 'running'
  mergeCounts(next, j)
  m.jobs.set(j.id, next)
  if (FINAL.has(next.state) && next.finishedAt != null) sampleLatency(m, next, next.finishedAt)
  trimJobs(m)
}

function mergeCounts (job, c) {
  if (typeof c.total !== 'number') return
  // Counts only grow; a stale answer (an older sample) never moves a bar back.
  if (job.total == null || c.total >= job.total) job.total = c.total
  for (const k of ['done', 'failed', 'cancelled']) if (typeof c[k] === 'number' && c[k] >= (job[k] ?? 0)) job[k] = c[k]
}

function sampleLatency (m, job, at) {
  const created = job.createdAt ?? jobIdTime(job.id)
  if (!Number.isFinite(created) || !Number.isFinite(at)) return
  const old = m.latency.get(job.id)
  if (old != null && old.at <= at) return
  m.latency.set(job.id, { at, ms: Math.max(0, at - created) })
}

function trimJobs (m) {
  if (m.jobs.size <= MAX_JOBS) return
  const ids = [...m.jobs.keys()].sort()
  for (const id of ids.slice(0, ids.length - MAX_JOBS)) m.jobs.delete(id)
}

/**
 * Applies one event ({seq, event, at, data}); returns what changed: `job` (an id), `members`
 * (refetch the member list: a state, the leader or a load changed), `incident`.
 */
export function applyEvent (m, ev) {
  const type = ev?.event
  const d = ev?.data ?? {}
  const out = {}
  if (typeof type !== 'string') return out
  if (INCIDENT_TYPES.has(type)) {
    const key = `${type}|${ev.at}|${d.peerId ?? ''}|${d.id ?? ''}|${d.taskId ?? ''}`
    if (!m.incidents.some(i => i.key === key)) {
      m.incidents.unshift({ key, type, at: ev.at, data: d })
      m.incidents.sort((a, b) => b.at - a.at)
      if (m.incidents.length > MAX_INCIDENTS) m.incidents.length = MAX_INCIDENTS
      out.incident = true
    }
  }
  if (type.startsWith('member.')) {
    const state = type.slice('member.'.length)
    const p = m.members.get(d.peerId)
    if (p != null) {
      p.state = state
      p.seenAt = ev.at
      p.lastSeenMs = 0
    } else if (d.peerId != null) {
      m.members.set(d.peerId, { peerId: d.peerId, name: d.name ?? '', state, load: 0, capabilities: [], seenAt: ev.at, lastSeenMs: 0 })
    }
    out.members = true
  } else if (type === 'leader.changed') {
    m.leader = d.leader === '' ? null : d.leader ?? null
    out.members = true
  } else if (type === 'node.dead' || type === 'node.alive') {
    out.members = true
  } else if (type === 'job.submitted') {
    if (!m.jobs.has(d.id)) applyJob(m, { id: d.id, home: d.home, state: 'running', ...(d.name != null ? { name: d.name } : {}) })
    out.job = d.id
  } else if (type === 'job.progress' || type === 'job.completed' || type === 'job.failed' || type === 'job.cancelled') {
    const state = type === 'job.progress' ? d.state : type.slice('job.'.length)
    const old = m.jobs.get(d.id)
    const job = old ?? { id: d.id, home: d.home, state: 'running', done: 0, failed: 0, cancelled: 0 }
    if (d.home != null) job.home = d.home
    if (!FINAL.has(job.state) && typeof state === 'string') job.state = state
    mergeCounts(job, d)
    // Only an event that itself says final dates the end: a replayed earlier progress event
    // of a job already known to be finished must not.
    if (FINAL.has(state) && FINAL.has(job.state)) {
      if (job.finishedAt == null || ev.at < job.finishedAt) job.finishedAt = ev.at
      sampleLatency(m, job, ev.at)
      out.members = true
    }
    m.jobs.set(d.id, job)
    trimJobs(m)
    out.job = d.id
  } else if (type === 'job.rehomed') {
    const job = m.jobs.get(d.id)
    if (job != null) job.home = d.to
    out.job = d.id
  }
  return out
}

/** Latency samples of the last hour, oldest first, for percentile series. */
export function latencySamples (m, now) {
  const from = now - WINDOW_MS
  const xs = []
  for (const [id, s] of m.latency) {
    if (s.at < from) m.latency.delete(id)
    else xs.push(s)
  }
  return xs.sort((a, b) => a.at - b.at)
}

/** The progress of a job as a fraction 0..1, or null when unknown (counts live at its home). */
export function progressOf (job) {
  if (job.state === 'completed') return 1
  // A finished job's bar is full even where the counts never came (homed elsewhere).
  if (job.total == null || job.total === 0) return FINAL.has(job.state) ? 1 : null
  return Math.min(1, job.done / job.total)
}
