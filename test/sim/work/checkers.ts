// The work simulator's invariants (DESIGN.md, Guarantees 1–3), checked after every event:
//
//   never early   a job reported finished `completed` has, on its home's disk, the outcome of
//                 every task of its true tree and of no other task (computed from the seed,
//                 not from the code under test), and its record counts exactly that many;
//   results once  an outcome is never written at the home over one already durable there;
//   no task lost  every task of a live acknowledged job is accounted for: its outcome is
//                 recorded at the home or waits in an outbox, or the task is held (queued,
//                 waiting for a retry, running, or lent in an unsignalled batch) by a live
//                 node — or is on the disk of a node that is down (its restart reads it) —
//                 or, once a node died, an ancestor of it is held to run again. Nothing a
//                 dead node holds or wrote counts;
//   ids           no job id is minted or acknowledged twice; a refused job never finishes;
//   liveness      at the end: once faults stop, every acknowledged job finishes within
//                 LIVENESS_MS of virtual time, and QUIET_MS later no node holds anything of a
//                 finished job.

import type { JobRecord } from '../../../src/work/records.js'
import { jobOfTask } from '../../../src/work/spec.js'
import type { SimJob, SimNode, WorkSim } from './sim.js'
import { childPaths } from './tree.js'

export interface Violation { kind: string, detail: string }

const QUIET_NOTE = 'after every job finished and the mesh stayed calm'

/** A flush is about to land on `n`'s disk. */
export function checkFlush (sim: WorkSim, n: SimNode, batch: ReadonlyArray<{ key: string, text: string | undefined, bucket: string, taskKey: string }>): void {
  for (const w of batch) {
    if (w.bucket !== 'results' || w.text === undefined) continue
    if (n.disk.has(w.key)) sim.violation('results once', `${n.id} records the outcome of ${w.taskKey} a second time`)
    const job = sim.jobs.get(jobOfTask(w.taskKey))
    if (job == null) sim.violation('results once', `${n.id} records an outcome of unknown job ${w.taskKey}`)
    else if (job.home !== n.id) sim.violation('results once', `${n.id} records ${w.taskKey} but the job's home is ${job.home}`)
    else if (!job.ids.has(w.taskKey)) sim.violation('results once', `${n.id} records ${w.taskKey}, which is not a task of the job's tree`)
  }
}

/** `rec` came out of ready().finished at `n`: durable and final. */
export function checkFinished (sim: WorkSim, n: SimNode, job: SimJob, rec: JobRecord): void {
  const size = job.ids.size
  if (n.id !== job.home) sim.violation('never early', `${job.id} reported finished at ${n.id}, its home is ${job.home}`)
  if (job.refused) sim.violation('ids', `${job.id} was refused (NOT_REGISTERED) yet finished ${rec.state}`)
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
    if (!job.ids.has(key.slice('results\u0000'.length))) sim.violation('never early', `${job.id}: outcome on disk for ${key.slice(8)}, not in the tree`)
  }
  const missing = [...job.ids].filter(id => !n.disk.has(`results\u0000${id}`))
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
      if (rec.done > job.ids.size) sim.violation('results once', `${rec.id} at ${n.id} counts ${rec.done} outcomes, its tree has ${job.ids.size}`)
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
  const homeHoldings = home.up ? home.core.holdings() : undefined
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
  for (let r = 0; r < job.roots; r++) stack.push(String(r))
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

/** At the end of the run; `settled`: every acknowledged job finished after faults stopped. */
export function checkEnd (sim: WorkSim, settled: boolean): void {
  if (!settled) {
    const stuck = [...sim.jobs.values()].filter(j => j.acked && j.finished == null)
    for (const j of stuck) {
      const home = sim.byId.get(j.home)!
      const rec = home.up ? home.core.holdings().activeJobs().find(r => r.id === j.id) : undefined
      sim.violation('liveness', `${j.id} (home ${j.home}, tree ${j.ids.size}) not finished ${sim.now - sim.params.faultsUntil} ms after faults stopped; home record: ${rec == null ? 'none' : `${rec.state} done=${rec.done} total=${rec.total}`}; registry: ${sim.registry.get(j.id)?.state ?? 'none'}; DS at home: ${home.up ? home.core.holdings().completionView(j.id) : 'home down'}`)
    }
    for (const n of sim.nodes) if (n.up && n.tickets.size > 0) sim.violation('liveness', `${n.id} never answered ${n.tickets.size} submission(s)`)
    return
  }
  // The registry converges: a job whose final record is on its home's disk is final there too
  // (nodes forget a job's Dijkstra–Scholten state, and refuse stale re-sends, by the registry).
  // (Found here: a failed registration of a final state was never retried, seed 1948; the core
  // now retries it at maintenance and re-proposes unrecorded final states after a restart.)
  // A cancel that raced the job's completion may leave either final state: both are final.
  for (const job of sim.jobs.values()) {
    const text = sim.byId.get(job.home)!.disk.get(`jobs\u0000${job.id}`)
    if (text == null) continue
    const rec = JSON.parse(text) as JobRecord
    if (rec.state !== 'completed' && rec.state !== 'failed' && rec.state !== 'cancelled') continue
    const entry = sim.registry.get(job.id)
    if (entry == null || entry.state === 'running') sim.violation('registry converges', `${job.id} is ${rec.state} on its home's disk but ${entry?.state ?? 'absent'} in the registry ${QUIET_NOTE}`)
  }
  for (const n of sim.nodes) {
    if (!n.up || n.dead) continue
    const h = n.core.holdings()
    for (const [id, st] of h.tasks) {
      const job = sim.jobs.get(jobOfTask(id))
      if (job?.finished != null) sim.violation('quiet', `${n.id} still holds ${id} (${st.state}${st.to != null ? ` to ${st.to}` : ''}) of finished job ${job.id}`)
    }
    for (const id of h.outbox.keys()) {
      const job = sim.jobs.get(jobOfTask(id))
      if (job?.finished != null) sim.violation('quiet', `${n.id} still has ${id} of finished job ${job.id} in its outbox`)
    }
  }
}
