// The work simulator's invariants (DESIGN.md, Guarantees 1–3), checked after every event:
//
//   never early   a job reported finished `completed` has, on its home's disk, the outcome of
//                 every task of its true tree and of no other task (computed from the seed,
//                 not from the code under test), and its record counts exactly that many —
//                 per home generation: a re-homed job's record is judged against the tree of
//                 ITS generation (roots `J/i@e`), at the home of that generation;
//   results once  an outcome is never written at the home over one already durable there, nor
//                 at any node but the home of the outcome's generation; a generation finishes
//                 at most once;
//   no task lost  every task of a live acknowledged job is accounted for: its outcome is
//                 recorded at the home or waits in an outbox, or the task is held (queued,
//                 waiting for a retry, running, or lent in an unsignalled batch) by a live
//                 node — or is on the disk of a node that is down (its restart reads it) —
//                 or, once a node died, an ancestor of it is held to run again. Nothing a
//                 dead node holds or wrote counts. A re-homed job's current generation is
//                 walked once its new home applied the move and read the replica (a new home
//                 that applied it and holds no adopted job is a loss);
//   ids           no job id is minted or acknowledged twice; a refused job never finishes;
//   liveness      at the end: once faults stop, every acknowledged job finishes — in the log's
//                 generation, at its last home — within LIVENESS_MS of virtual time (unless
//                 excused: every copy died with its home), the registry holds its final state
//                 in that generation, and QUIET_MS later no live node holds anything of a
//                 finished job, nor any task, outbox entry, completion state or home record
//                 of an older generation of any job.

import type { JobEntry } from '../../../src/consensus/control.js'
import type { JobRecord } from '../../../src/work/records.js'
import { epochOfTask, jobOfTask } from '../../../src/work/spec.js'
import { idsOf, type SimJob, type SimNode, type WorkSim } from './sim.js'
import { childPaths, rootPath } from './tree.js'

export interface Violation { kind: string, detail: string }

const QUIET_NOTE = 'after every job finished and the mesh stayed calm'

/** A flush is about to land on `n`'s disk. */
export function checkFlush (sim: WorkSim, n: SimNode, batch: ReadonlyArray<{ key: string, text: string | undefined, bucket: string, taskKey: string }>): void {
  for (const w of batch) {
    if (w.bucket !== 'results' || w.text === undefined) continue
    if (n.disk.has(w.key)) sim.violation('results once', `${n.id} records the outcome of ${w.taskKey} a second time`)
    const job = sim.jobs.get(jobOfTask(w.taskKey))
    const epoch = epochOfTask(w.taskKey)
    if (job == null) sim.violation('results once', `${n.id} records an outcome of unknown job ${w.taskKey}`)
    else if (epoch > job.epoch) sim.violation('results once', `${n.id} records ${w.taskKey} of generation ${epoch}, the log is at ${job.epoch}`)
    else if (job.homes[epoch] !== n.id) sim.violation('results once', `${n.id} records ${w.taskKey} but the job's home in generation ${epoch} is ${job.homes[epoch] ?? '?'}`)
    else if (!idsOf(job, epoch).has(w.taskKey)) sim.violation('results once', `${n.id} records ${w.taskKey}, which is not a task of the job's tree (generation ${epoch})`)
  }
}

/** `rec` came out of ready().finished at `n`: durable and final. */
export function checkFinished (sim: WorkSim, n: SimNode, job: SimJob, rec: JobRecord): void {
  const epoch = rec.epoch ?? 0
  const ids = idsOf(job, epoch)
  const size = ids.size
  if (n.id !== job.homes[epoch]) sim.violation('never early', `${job.id} reported finished at ${n.id} in generation ${epoch}, its home then is ${job.homes[epoch] ?? '?'}`)
  if (job.refused) {
    // A registration reported failed may have been applied all the same (ambiguous): the home
    // drops the job, but the registry names it, so a replica holder runs it once the home dies.
    if (epoch > 0) sim.notice('refused job re-homed', `${job.id} was refused (NOT_REGISTERED) yet, its registration applied all the same, was re-homed and finished ${rec.state} at ${n.id}`)
    else sim.violation('ids', `${job.id} was refused (NOT_REGISTERED) yet finished ${rec.state}`)
  }
  if (rec.state === 'cancelled') {
    if (!job.cancelRequested) sim.violation('never early', `${job.id} finished cancelled but nobody cancelled it`)
    if (rec.done > size) sim.violation('results once', `${job.id} counts ${rec.done} outcomes, its tree has ${size} tasks`)
    return
  }
  if (rec.state !== 'completed') {
    sim.violation('never early', `${job.id} finished ${rec.state} (${rec.error ?? ''}); no task fails on its last attempt in this simulation`)
    return
  }
  const prefix = `results\u0000${job.id}/`
  let onDisk = 0
  for (const key of n.disk.keys()) {
    if (!key.startsWith(prefix)) continue
    onDisk++
    if (!ids.has(key.slice('results\u0000'.length))) sim.violation('never early', `${job.id}: outcome on disk for ${key.slice(8)}, not in the tree of generation ${epoch}`)
  }
  const missing = [...ids].filter(id => !n.disk.has(`results\u0000${id}`))
  if (missing.length > 0 && job.cancelRequested) sim.violation('never early', `cancelled job reported completed: ${job.id} (registry: ${sim.registry.get(job.id)?.state ?? 'none'}) finished completed at its home with ${missing.length} of ${size} tasks never run (e.g. ${missing.slice(0, 3).join(', ')})`)
  else if (missing.length > 0) sim.violation('never early', `${job.id} reported completed with ${missing.length} of ${size} outcomes not on its home's disk (e.g. ${missing.slice(0, 3).join(', ')})`)
  if (onDisk !== size) sim.violation('never early', `${job.id} completed with ${onDisk} outcomes on disk, tree has ${size}`)
  if (rec.done !== size || rec.total !== size) sim.violation('never early', `${job.id} completed with done=${rec.done} total=${rec.total}, tree has ${size}`)
}

/** After every event. */
export function checkStep (sim: WorkSim): void {
  for (const n of sim.nodes) {
    if (!n.up) continue
    for (const rec of n.core.holdings().activeJobs()) {
      const job = sim.jobs.get(rec.id)
      if (job == null) continue
      const size = idsOf(job, rec.epoch ?? 0).size
      if (rec.done > size) sim.violation('results once', `${rec.id} at ${n.id} counts ${rec.done} outcomes, its tree has ${size}`)
    }
  }
  for (const job of sim.jobs.values()) {
    if (!job.acked || job.finished != null || job.cancelRequested) continue
    const lost = lostTask(sim, job)
    if (lost != null) sim.violation('no task lost', `${job.id}: task ${lost} is nowhere (no outcome recorded or in an outbox, not held by any node)`)
  }
}

function lostTask (sim: WorkSim, job: SimJob): string | undefined {
  const home = sim.byId.get(job.home)!
  // Its home died and the log has not moved it (yet, or ever: no replica holder is left): the
  // end says whether that was right.
  if (home.dead) return undefined
  const homeHoldings = home.up ? home.core.holdings() : undefined
  if (job.epoch > 0) {
    // Re-homed: until the new home applied the move and read the replica, the job lives in
    // the log and the replica on its disk. Down, it adopts the job when it restarts.
    if (homeHoldings == null || home.stopping != null || home.adopting.has(job.id) || (home.control.jobs.get(job.id) as JobEntry | undefined)?.epoch !== job.epoch) return undefined
    if (!homeHoldings.activeJobs().some(r => r.id === job.id)) {
      return home.read(`replicas\u0000${job.id}`) == null ? `(the whole job: re-homed to ${home.id}, which holds no replica of it)` : `(the whole job: re-homed to ${home.id}, which has not adopted it)`
    }
  }
  // A dead node (down for good, or a zombie about to be) accounts for nothing: what it
  // holds, ran or has in its outbox must be accounted for by the living.
  const all = sim.nodes.filter(n => !n.dead).map(n => ({ n, h: n.up ? n.core.holdings() : undefined }))
  const recorded = (id: string): boolean => {
    if (homeHoldings != null ? homeHoldings.isRecorded(job.id, id) : home.disk.has(`results\u0000${id}`)) return true
    for (const { n, h } of all) {
      if (h != null ? h.outbox.has(id) : n.disk.has(`outbox\u0000${id}`)) return true
    }
    return false
  }
  const held = (id: string): boolean => {
    for (const { n, h } of all) {
      if (h != null ? h.tasks.has(id) || h.running.has(id) : n.disk.has(`tasks\u0000${id}`)) return true
    }
    return false
  }
  // Once a node died, a task whose outcome is recorded may run again — reclaimed by the
  // lender of the dead node, re-queued or lent afresh — and its children may have died with
  // that node: while a living node holds the task (queued, running, or lent in a batch its
  // receiver may not have run yet), the re-run re-creates its subtree, so the walk stops there.
  // (Looser than without deaths; liveness and "never early" at the end still prove that
  // nothing was lost.)
  const stack: string[] = []
  for (let r = 0; r < job.roots; r++) stack.push(rootPath(r, job.epoch))
  while (stack.length > 0) {
    const path = stack.pop()!
    const id = `${job.id}/${path}`
    if (recorded(id)) {
      if (sim.stats.deaths > 0 && held(id)) continue
      for (const c of childPaths(job.shape, path)) stack.push(c)
      continue
    }
    if (!held(id)) return id
  }
  return undefined
}

/**
 * Why an acknowledged job need not finish (undefined: it must). Its home died for good and the
 * log could not move it — no replica holder is left alive (all declared dead, or the submit
 * found no peer to hold one) or it was cancelled first — or it was cancelled after a move, so
 * the new home never adopted it: the registry's final state is all there is.
 */
export function excused (sim: WorkSim, job: SimJob): string | undefined {
  const entry = sim.registry.get(job.id)
  if (entry == null) return undefined
  const home = sim.byId.get(job.home)!
  if (home.dead) {
    if (entry.state !== 'running') return `its home ${home.id} died and it is ${entry.state} in the registry`
    const left = (entry.replicas ?? []).filter(r => !sim.byId.get(r)!.dead)
    if (left.length === 0) return `its home ${home.id} died and no replica holder is left (${(entry.replicas ?? []).join(',') || 'none'})`
    return undefined
  }
  if (job.cancelRequested && entry.state === 'cancelled' && job.epoch > 0 && !(home.up && home.core.holdings().activeJobs().some(r => r.id === job.id))) return 'cancelled before its new home adopted it'
  return undefined
}

/** At the end of the run; `settled`: every acknowledged job finished after faults stopped. */
export function checkEnd (sim: WorkSim, settled: boolean): void {
  if (!settled) {
    const stuck = [...sim.jobs.values()].filter(j => j.acked && j.finished == null && excused(sim, j) == null)
    for (const j of stuck) {
      const home = sim.byId.get(j.home)!
      const rec = home.up ? home.core.holdings().activeJobs().find(r => r.id === j.id) : undefined
      const entry = sim.registry.get(j.id)
      sim.violation('liveness', `${j.id} (home ${j.home}${home.dead ? ' DEAD' : ''}, generation ${j.epoch}, homes ${j.homes.join('>')}, tree ${j.ids.size}) not finished ${sim.now - sim.params.faultsUntil} ms after faults stopped; home record: ${rec == null ? 'none' : `${rec.state} done=${rec.done} total=${rec.total}`}; registry: ${entry == null ? 'none' : JSON.stringify(entry)}; DS at home: ${home.up ? home.core.holdings().completionView(j.id) : 'home down'}`)
    }
    for (const n of sim.nodes) if (n.up && n.tickets.size > 0) sim.violation('liveness', `${n.id} never answered ${n.tickets.size} submission(s)`)
    return
  }
  // The registry converges: a job whose final record is on its (final) home's disk is final
  // there too, in that home's generation (nodes forget a job's Dijkstra–Scholten state, and
  // refuse stale re-sends, by the registry).
  // (Found here: a failed registration of a final state was never retried, seed 1948; the core
  // now retries it at maintenance and re-proposes unrecorded final states after a restart.)
  // A cancel that raced the job's completion may leave either final state: both are final.
  for (const job of sim.jobs.values()) {
    const home = sim.byId.get(job.home)!
    if (home.dead) continue
    const text = home.disk.get(`jobs\u0000${job.id}`)
    if (text == null) continue
    const rec = JSON.parse(text) as JobRecord
    if (rec.state !== 'completed' && rec.state !== 'failed' && rec.state !== 'cancelled') continue
    const entry = sim.registry.get(job.id)
    if (entry == null || entry.state === 'running') sim.violation('registry converges', `${job.id} is ${rec.state} on its home's disk but ${entry?.state ?? 'absent'} in the registry ${QUIET_NOTE}`)
    else if ((entry.epoch ?? 0) !== (rec.epoch ?? 0) || entry.home !== home.id) sim.violation('registry converges', `${job.id} is ${rec.state} in generation ${rec.epoch ?? 0} at ${home.id}; the registry says generation ${entry.epoch ?? 0} at ${entry.home}`)
  }
  const old = (id: string): SimJob | undefined => {
    const job = sim.jobs.get(jobOfTask(id))
    return job != null && epochOfTask(id) < job.epoch ? job : undefined
  }
  for (const n of sim.nodes) {
    if (!n.up || n.dead) continue
    const h = n.core.holdings()
    for (const [id, st] of h.tasks) {
      const job = sim.jobs.get(jobOfTask(id))
      if (job?.finished != null) sim.violation('quiet', `${n.id} still holds ${id} (${st.state}${st.to != null ? ` to ${st.to}` : ''}) of finished job ${job.id}`)
      else if (old(id) != null) sim.violation('quiet', `${n.id} still holds ${id} (${st.state}${st.to != null ? ` to ${st.to}` : ''}) of an older generation of ${job!.id} (now ${job!.epoch} at ${job!.home})`)
    }
    for (const id of h.outbox.keys()) {
      const job = sim.jobs.get(jobOfTask(id))
      if (job?.finished != null) sim.violation('quiet', `${n.id} still has ${id} of finished job ${job.id} in its outbox`)
      else if (old(id) != null) sim.violation('quiet', `${n.id} still has ${id} of an older generation of ${job!.id} in its outbox`)
    }
    for (const key of n.disk.keys()) {
      const [bucket, id] = key.split('\u0000') as [string, string]
      if ((bucket === 'tasks' || bucket === 'outbox') && old(id) != null) sim.violation('quiet', `${n.id} still has ${id} of an older generation in its ${bucket} bucket on disk`)
    }
    for (const { jobId, sample } of h.completionJobs()) {
      if (sample != null && old(sample) != null) sim.violation('quiet', `${n.id} still has Dijkstra–Scholten state of an older generation of ${jobId} (e.g. ${sample})`)
    }
    for (const rec of h.activeJobs()) {
      const job = sim.jobs.get(rec.id)
      if (job != null && (rec.epoch ?? 0) < job.epoch) sim.violation('quiet', `${n.id} still runs generation ${rec.epoch ?? 0} of ${rec.id} as its home (now ${job.epoch} at ${job.home})`)
    }
  }
}
