// Feeds the event log (events.ts) from the node's own hooks: membership transitions, Raft
// role changes, applied control commands (job registrations and final states, deaths,
// moves), task failures, and — only while someone follows the stream — the progress of the
// jobs homed here, sampled every PROGRESS_MS and sent only when it changed.
import type { ControlCommand, JobEntry } from '../../consensus/control.js'
import type { ConsensusService } from '../services/consensus.js'
import type { Membership } from '../services/membership.js'
import type { WorkShell } from '../services/work-shell.js'
import type { EventLog } from './events.js'

/** How often the progress of jobs homed here is sampled while a stream is open. */
export const PROGRESS_MS = 200

export interface Watched {
  membership: Pick<Membership, 'onTransition' | 'view'> & Partial<Pick<Membership, 'heartbeatOf' | 'uptimeOf'>>
  consensus: Pick<ConsensusService, 'onApplied' | 'onJobsMoved' | 'onNodeDead' | 'onNodeAlive' | 'onRoleChange'>
  engine: Pick<WorkShell, 'onTaskFailed' | 'onNotice' | 'jobs'> & Partial<Pick<WorkShell, 'onTaskTimeout' | 'onWorkReclaimed'>>
  self: string
}

/** Starts watching; returns the function that stops the progress sampler. */
export function watchMesh (w: Watched, events: EventLog): () => void {
  const nameOf = (peerId: string): string | undefined => w.membership.view().find(p => p.peerId === peerId)?.name || undefined

  w.membership.onTransition.push(t => {
    // The life it is heard in and how long its process has run: how the incident log tells a
    // restart (a crash) from a pause or a cut (src/healing/incidents.ts).
    const hb = t.to === 'alive' ? w.membership.heartbeatOf?.(t.peerId) : undefined
    // Its uptime as of now (uptimeOf): the heartbeat may be older than the silence it ends.
    const uptimeMs = hb != null ? (w.membership.uptimeOf?.(t.peerId) ?? Number(hb.uptimeMs)) : undefined
    events.emit(`member.${t.to}`, { peerId: t.peerId, name: nameOf(t.peerId), from: t.from, reason: t.reason, ...(hb != null ? { incarnation: Number(hb.incarnation), uptimeMs } : {}) })
  })

  let leader: string | null = null
  w.consensus.onRoleChange.push((role, newLeader, term) => {
    if (newLeader === leader) return
    leader = newLeader
    events.emit('leader.changed', { leader: newLeader ?? '', term, role })
  })

  w.consensus.onApplied.push((cmd: ControlCommand) => {
    if (cmd.op !== 'jobs.put') return
    for (const [id, e] of cmd.jobs as Array<[string, JobEntry]>) {
      if (e.state === 'running') events.emit('job.submitted', { id, home: e.home })
      else events.emit(`job.${e.state}`, { id, home: e.home, state: e.state })
    }
  })
  w.consensus.onJobsMoved.push(moves => {
    for (const m of moves) events.emit('job.rehomed', { id: m.jobId, from: m.from, to: m.to, epoch: m.epoch })
  })
  w.consensus.onNodeDead.push(d => { events.emit('node.dead', { peerId: d.peerId, name: nameOf(d.peerId), incarnation: d.incarnation, reason: d.reason }) })
  w.consensus.onNodeAlive.push((peerId, incarnation) => { events.emit('node.alive', { peerId, incarnation }) })

  // The work core's supervision events (task.escalated, circuit.opened|half-open|closed).
  w.engine.onNotice.push(n => { events.emit(n.type, n.data) })
  w.engine.onTaskFailed.push((task, error) => {
    events.emit('task.failed', { jobId: task.jobId, taskId: task.id, type: task.type, error: error.slice(0, 1_000), node: w.self })
  })

  w.engine.onTaskTimeout?.push(task => {
    events.emit('task.timeout', { jobId: task.jobId, taskId: task.id, type: task.type, node: w.self, timeoutMs: task.timeoutMs })
  })
  w.engine.onWorkReclaimed?.push(r => {
    events.emit('work.reclaimed', { peerId: r.peerId, name: nameOf(r.peerId), node: w.self, reclaimedBatches: r.reclaimedBatches, requeued: r.requeued, abandonedBatches: r.abandonedBatches, dropped: r.dropped, jobs: r.jobs })
  })

  // Progress: the jobs homed here, while anyone listens. A finished job's last counts come
  // from its final record, at once, so a progress bar reaches 100 % without waiting for the
  // registry's commit.
  const last = new Map<string, string>()
  const progress = (j: { id: string, total: number, done: number, failed: number, cancelled: number, state: string }): void => {
    const key = `${j.total}/${j.done}/${j.failed}/${j.cancelled}/${j.state}`
    if (last.get(j.id) === key) return
    last.set(j.id, key)
    events.emit('job.progress', { id: j.id, home: w.self, state: j.state, total: j.total, done: j.done, failed: j.failed, cancelled: j.cancelled })
  }
  w.engine.jobs.onFinished.push(j => {
    if (events.listening) progress(j)
    last.delete(j.id)
  })
  // The sampler runs only while someone listens: a timer every PROGRESS_MS that found nobody
  // listening woke every idle node 5 times a second for nothing (BENCHMARKS.md, issue 14, stop 31).
  let timer: NodeJS.Timeout | undefined
  let stopped = false
  const sample = (listening: boolean): void => {
    clearInterval(timer)
    timer = undefined
    last.clear()
    if (!listening || stopped) return
    timer = setInterval(() => { for (const j of w.engine.jobs.activeJobs()) progress(j) }, PROGRESS_MS)
    timer.unref()
  }
  events.onListening.push(sample)
  if (events.listening) sample(true)
  return () => {
    stopped = true
    clearInterval(timer)
    timer = undefined
    const i = events.onListening.indexOf(sample)
    if (i >= 0) events.onListening.splice(i, 1)
  }
}
