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
//   workflows     (./workflow-dag.ts computes how each step must end) a step task never starts
//                 before every step it needs ended at the home of its generation; no step that
//                 must not run is spawned; a step's outcome carries the output of its true
//                 payload; a finished workflow ends completed or failed as it must, and its
//                 driver's result agrees with the expected steps and with a fresh WorkflowRun
//                 over the outcomes its home recorded; a retry re-ran exactly its plan's steps
//                 and reused the others' outputs; no step task due at a live home is missing.

import type { JobEntry } from '../../../src/consensus/control.js'
import type { JobRecord, StoredTask, TaskOutcome } from '../../../src/work/records.js'
import { epochOfTask, jobOfTask, rootTaskId } from '../../../src/work/spec.js'
import { WorkflowRun, type WorkflowAction, type WorkflowSummary } from '../../../src/workflow/index.js'
import type { Holdings } from './core-adapter.js'
import { idsOf, workflowResultAt, type SimJob, type SimNode, type WorkSim } from './sim.js'
import { childPaths, rootPath } from './tree.js'
import { canonical, stepKeyOf } from './workflow-dag.js'

export interface Violation { kind: string, detail: string }

const QUIET_NOTE = 'after every job finished and the mesh stayed calm'

/** A flush is about to land on `n`'s disk. */
export function checkFlush (sim: WorkSim, n: SimNode, batch: ReadonlyArray<{ key: string, text: string | undefined, bucket: string, taskKey: string }>): void {
  for (const w of batch) {
    if (w.text !== undefined && (w.bucket === 'tasks' || w.bucket === 'results')) checkWorkflowWrite(sim, n, w.bucket, w.taskKey, w.text)
    if (w.text === undefined) continue
    // An outcome: under `results`, or inside a (final) job record (StoredJob).
    let taskId: string
    if (w.bucket === 'results') taskId = w.taskKey
    else if (w.bucket === 'jobs' && w.text.includes('"rootOutcome"')) taskId = (JSON.parse(w.text) as { rootOutcome: TaskOutcome }).rootOutcome.taskId
    else continue
    if (n.outcomeOnDisk(taskId)) sim.violation('results once', `${n.id} records the outcome of ${taskId} a second time`)
    const job = sim.jobs.get(jobOfTask(taskId))
    const epoch = epochOfTask(taskId)
    if (job == null) sim.violation('results once', `${n.id} records an outcome of unknown job ${taskId}`)
    else if (epoch > job.epoch) sim.violation('results once', `${n.id} records ${taskId} of generation ${epoch}, the log is at ${job.epoch}`)
    else if (job.homes[epoch] !== n.id) sim.violation('results once', `${n.id} records ${taskId} but the job's home in generation ${epoch} is ${job.homes[epoch] ?? '?'}`)
    else if (!idsOf(job, epoch).has(taskId)) sim.violation('results once', `${n.id} records ${taskId}, which is not a task of the job's tree (generation ${epoch})`)
  }
}

/**
 * A workflow job's task or outcome lands on `n`'s disk: a task is one of the run's true tree
 * (no step is spawned that must not run: skipped, or reused by a retry), and a step's outcome
 * ends as the step must (ok or failed for good) with the output its handler gives for its
 * id and its payload — so its payload carried its needs' true outputs.
 */
function checkWorkflowWrite (sim: WorkSim, n: SimNode, bucket: 'tasks' | 'results', taskId: string, text: string): void {
  const job = sim.jobs.get(jobOfTask(taskId))
  if (job?.wf == null) return
  const epoch = epochOfTask(taskId)
  if (bucket === 'tasks') {
    if (epoch <= job.epoch && !idsOf(job, epoch).has(taskId)) sim.violation('workflow spawns', `${n.id} holds ${taskId}, not a task of the workflow's run (generation ${epoch}: a step that must not run${job.wf.spec.reuse != null ? ', or one the retry reuses' : ''})`)
    return
  }
  const key = stepKeyOf(job.id, taskId)
  if (key == null) return
  const o = JSON.parse(text) as TaskOutcome
  if (o.cancelled === true) return
  const t = job.wf.truth.byKey.get(key)?.tasks.find(x => x.key === key)
  if (t == null) return
  if (o.ok !== t.ok) sim.violation('workflow output', `${n.id} records ${taskId} ${o.ok ? 'ok' : `failed (${o.error ?? ''})`}; the step's task must ${t.ok ? 'succeed' : 'fail for good'}`)
  else if (o.ok && canonical(o.result == null ? null : JSON.parse(o.result)) !== canonical(t.output)) sim.violation('workflow output', `${n.id} records ${taskId} with output ${o.result ?? 'none'}; its handler gives ${JSON.stringify(t.output)} for its true payload ${t.payload}`)
}

/**
 * A step task starts on `n`: every step it needs has its outcome recorded at the home of the
 * task's generation — durable on its disk, for a start anywhere else (the home lends a step
 * only after the flush that holds it and the outcomes that freed it); in its memory will do for
 * a start at the home itself, which starts tasks before the flush — an approval it needs is
 * decided in that home's registry, and a need that was skipped, or an approval, was decided
 * only once its own needs were. And the step is one that must run.
 */
export function checkStepStart (sim: WorkSim, n: SimNode, job: SimJob, taskId: string, key: string): void {
  const truth = job.wf!.truth
  const step = truth.byKey.get(key)
  const epoch = epochOfTask(taskId)
  if (step == null) {
    sim.violation('workflow spawns', `${n.id} starts ${taskId}, a step task that must not run (${job.wf!.spec.reuse != null ? 'skipped, or reused by this retry' : 'its step is skipped'})`)
    return
  }
  const durable = n.id !== job.homes[epoch]
  for (const j of step.needs) {
    const why = unsettled(sim, job, epoch, j, durable)
    if (why != null) sim.violation('workflow order', `${n.id} starts ${taskId} (step ${step.name}) before its need ${truth.steps[j]!.name} ended at the home of generation ${epoch}: ${why}`)
  }
}

/**
 * Why step `j` of the job has not ended at its home of generation `epoch` (undefined: it has):
 * by what that home holds in memory (`holdings`, or its own if it is up) or, `durable` or down,
 * on its disk.
 */
function unsettled (sim: WorkSim, job: SimJob, epoch: number, j: number, durable: boolean, holdings?: Holdings): string | undefined {
  const s = job.wf!.truth.steps[j]!
  if (s.reused) return undefined
  const home = sim.byId.get(job.homes[epoch] ?? '')
  if (home == null) return `no home of generation ${epoch}`
  // A step is decided once its needs are (an approval decided first waits for them too).
  if (s.record.outcome === 'skipped' || s.kind === 'approval') {
    for (const k of s.needs) {
      const why = unsettled(sim, job, epoch, k, durable, holdings)
      if (why != null) return why
    }
    if (s.kind === 'approval' && s.record.outcome !== 'skipped' && !home.approvals.has(`${job.id}:${s.name}`)) return `approval ${s.name} not decided in ${home.id}'s registry`
    return undefined
  }
  const h = durable ? undefined : holdings ?? (home.up ? home.core.holdings() : undefined)
  const driver = rootTaskId(job.id, 0, epoch)
  for (const t of s.tasks) {
    const id = `${driver}.${t.key}`
    // On its disk will always do: a home that learns in one batch of log entries that a peer
    // died (it re-runs what it lent there at once) and that it was itself declared dead (the
    // job leaves its memory) starts the step, then drops it — its needs were durable there.
    if (!((h?.isRecorded(job.id, id) ?? false) || home.disk.has(`results\u0000${id}`))) return `${id} not recorded at ${home.id}${h == null ? ' (on its disk)' : ''}`
  }
  return undefined
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
  if (job.wf != null) {
    // A workflow fails when a step fails (not tolerated): it is judged like a completed job
    // otherwise — every step that must run ran, once, and nothing else.
    const want = job.wf.truth.ok ? 'completed' : 'failed'
    if (rec.state !== want) sim.violation('workflow', `${job.id} finished ${rec.state} (${rec.error ?? ''}); it must end ${want}${job.wf.truth.failed.length > 0 ? ` (steps that fail: ${job.wf.truth.failed.join(', ')})` : ''}`)
    checkWorkflowResult(sim, n, job, epoch)
  } else if (rec.state !== 'completed') {
    sim.violation('never early', `${job.id} finished ${rec.state} (${rec.error ?? ''}); no task fails on its last attempt in this simulation`)
    return
  }
  const recorded = n.outcomesOnDisk(job.id)
  const onDisk = recorded.length
  for (const id of recorded) {
    if (!ids.has(id)) sim.violation('never early', `${job.id}: outcome on disk for ${id}, not in the tree of generation ${epoch}`)
  }
  const have = new Set(recorded)
  const missing = [...ids].filter(id => !have.has(id))
  if (missing.length > 0 && job.cancelRequested) sim.violation('never early', `cancelled job reported completed: ${job.id} (registry: ${sim.registry.get(job.id)?.state ?? 'none'}) finished completed at its home with ${missing.length} of ${size} tasks never run (e.g. ${missing.slice(0, 3).join(', ')})`)
  else if (missing.length > 0) sim.violation('never early', `${job.id} reported completed with ${missing.length} of ${size} outcomes not on its home's disk (e.g. ${missing.slice(0, 3).join(', ')})`)
  if (onDisk !== size) sim.violation('never early', `${job.id} completed with ${onDisk} outcomes on disk, tree has ${size}`)
  if (rec.done !== size || rec.total !== size) sim.violation('never early', `${job.id} completed with done=${rec.done} total=${rec.total}, tree has ${size}`)
}

/**
 * A workflow finished (not cancelled) at `n`, its home of generation `epoch`: its driver's
 * result (what `meshnode job` shows, and what a retry is built from) agrees with
 *   - the steps as they must end (./workflow-dag.ts: outcome, output, reused), and
 *   - a fresh WorkflowRun fed the outcomes recorded on the home's disk and the approvals
 *     decided, in any order: the same summary, field for field;
 * it carries what was submitted; and a retry re-ran exactly what its plan said and took the
 * other steps' outputs from the run it retried.
 */
function checkWorkflowResult (sim: WorkSim, n: SimNode, job: SimJob, epoch: number): void {
  const wf = job.wf!
  const truth = wf.truth
  const result = workflowResultAt(n, job.id, epoch)
  if (result == null) {
    sim.violation('workflow', `${job.id} finished at ${n.id} with no result of its driver ${rootTaskId(job.id, 0, epoch)} on disk`)
    return
  }
  const bad = (what: string): void => { sim.violation('workflow result', `${job.id} (generation ${epoch}): ${what}`) }
  for (const s of truth.steps) {
    const r = result.steps[s.name]
    if (r == null) { bad(`no record of step ${s.name}`); continue }
    if (r.outcome !== s.record.outcome) bad(`step ${s.name} ended ${r.outcome}${r.error != null ? ` (${r.error})` : ''}; it must end ${s.record.outcome}`)
    else if (canonical(r.output) !== canonical(s.record.output)) bad(`step ${s.name} has output ${JSON.stringify(r.output)}; it must be ${JSON.stringify(s.record.output)}`)
    if ((r.reused === true) !== s.reused) bad(`step ${s.name} is ${r.reused === true ? '' : 'not '}marked reused`)
  }
  if (result.ok !== truth.ok || canonical(result.failed) !== canonical(truth.failed) || canonical(result.skipped) !== canonical(truth.skipped)) bad(`ok=${String(result.ok)} failed=${result.failed.join(',')} skipped=${result.skipped.join(',')}; must be ok=${String(truth.ok)} failed=${truth.failed.join(',')} skipped=${truth.skipped.join(',')}`)
  const submitted = { def: wf.spec.def, inputs: wf.spec.inputs, ...(wf.spec.reuse != null ? { reuse: wf.spec.reuse } : {}), ...(wf.spec.retryOf != null ? { retryOf: wf.spec.retryOf } : {}) }
  if (canonical(result.workflow) !== canonical(submitted)) bad('its result does not carry the workflow as submitted')

  // The engine again, from scratch, over what the home recorded.
  const run = new WorkflowRun(wf.spec.def, wf.spec.inputs, job.id, wf.spec.reuse)
  let summary: WorkflowSummary | undefined
  const take = (actions: WorkflowAction[]): void => { for (const a of actions) if (a.kind === 'done') summary = a.summary }
  take(run.start())
  const prefix = `results\u0000${rootTaskId(job.id, 0, epoch)}.`
  for (const [key, text] of n.disk) {
    if (!key.startsWith(prefix) || key.includes('.', prefix.length)) continue
    const o = JSON.parse(text) as TaskOutcome
    take(run.taskEnded(key.slice(prefix.length), o.ok, o.result, o.error))
  }
  for (const s of truth.steps) {
    const d = sim.approvals.get(`${job.id}:${s.name}`)
    if (d != null && (d.state === 'approved' || d.state === 'rejected')) take(run.approvalDecided(s.name, d.state === 'approved', d.by ?? 'unknown', d.comment))
  }
  if (summary == null) bad('a fresh run over the outcomes recorded at its home is not done')
  else {
    const { workflow: _w, ...mine } = result
    if (canonical(mine) !== canonical(summary)) bad(`its result differs from a fresh run over the recorded outcomes:\n  result: ${canonical(mine)}\n  fresh:  ${canonical(summary)}`)
  }

  const retry = wf.retry
  if (retry != null) {
    const rerun = new Set(retry.rerun)
    for (const s of truth.steps) {
      const r = result.steps[s.name]
      if (r == null) continue
      if (rerun.has(s.name)) {
        if (r.reused === true) bad(`retry: step ${s.name} is to run again (plan: ${retry.rerun.join(',')}) but was reused`)
      } else {
        if (r.reused !== true) bad(`retry: step ${s.name} is to be reused (plan re-runs ${retry.rerun.join(',')}) but was not`)
        if (canonical(r.output) !== canonical(retry.previous[s.name]?.output)) bad(`retry: reused step ${s.name} has output ${JSON.stringify(r.output)}, the retried run ${retry.jobId} had ${JSON.stringify(retry.previous[s.name]?.output)}`)
      }
    }
  }
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
    if (homeHoldings != null ? homeHoldings.isRecorded(job.id, id) : home.outcomeOnDisk(id)) return true
    for (const { n, h } of all) {
      if (h != null ? h.outbox.has(id) : n.disk.has(`outbox\u0000${id}`)) return true
    }
    return false
  }
  const held = (id: string): boolean => {
    for (const { n, h } of all) {
      if (h != null ? h.tasks.has(id) || h.running.has(id) : n.holdsOnDisk(id)) return true
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
  if (job.wf != null) {
    const lost = lostStep(sim, job, homeHoldings, recorded, held, stack)
    if (lost != null) return lost
  } else for (let r = 0; r < job.roots; r++) stack.push(rootPath(r, job.epoch))
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
 * A workflow's driver and step tasks, for lostTask: the driver is recorded or held (at its
 * home); every step task is recorded (then its subtree is walked: pushed on `stack`) or held
 * somewhere — once it must exist: the workflow finished, or its home runs the workflow (up,
 * its run live) and every need of the step has ended there (the home spawns a step in the same
 * step that records the outcome or applies the decision freeing it). A home that is down
 * spawns what is missing when it restarts (from its disk and the registry).
 */
function lostStep (sim: WorkSim, job: SimJob, homeHoldings: Holdings | undefined, recorded: (id: string) => boolean, held: (id: string) => boolean, stack: string[]): string | undefined {
  const driver = rootTaskId(job.id, 0, job.epoch)
  const over = recorded(driver)
  if (!over && !held(driver)) return `${driver} (the workflow's driver)`
  const live = homeHoldings?.workflowView(job.id) != null
  for (const s of job.wf!.truth.steps) {
    if (s.tasks.length === 0) continue
    let due: boolean | undefined
    for (const t of s.tasks) {
      const id = `${driver}.${t.key}`
      if (recorded(id)) {
        if (sim.stats.deaths > 0 && held(id)) continue
        if (t.ok) for (const c of childPaths(job.shape, id.slice(job.id.length + 1))) stack.push(c)
        continue
      }
      if (held(id)) continue
      due ??= over || (live && s.needs.every(j => unsettled(sim, job, job.epoch, j, false, homeHoldings) == null))
      if (due) return `${id} (step ${s.name}${over ? ', the workflow finished' : ', its needs ended at the home'})`
    }
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
      if (bucket === 'jobs') {
        const inside = (JSON.parse(n.disk.get(key)!) as { rootTask?: StoredTask }).rootTask?.task.id
        if (inside != null && n.holdsOnDisk(inside) && old(inside) != null) sim.violation('quiet', `${n.id} still has ${inside} of an older generation inside its job record on disk`)
      }
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
