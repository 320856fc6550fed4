// Which Dijkstra–Scholten task records need no write of their own.
//
// The completion core persists, for every live task at a node, the engagements it is charged
// to (src/completion/records.ts). Nearly every task has exactly one charge, and the work
// layer already writes a record of the same task in the same batch: the queued task
// (StoredTask) while it waits or runs, then — on a node that is not the job's home — its
// outcome in the outbox until the home has it. So those records carry the single charge
// (`charge`, absent for the root engagement at the job's home) and the completion record is
// not written; restore derives it from them. A task with more than one charge, or with
// neither record here, keeps its explicit completion record, as before.
//
// That drops the put and the delete of nearly every completion task record — at a job's
// home, the 10 000 records a large job's first lend used to write at once, in the flush its
// first steal grants waited for; on a thief, two of the six writes of every task it runs.
//
// The rule holds across a crash because the records move together: a queued task or outbox
// record is written in the same batch as the completion change that charges it, and every
// change that ends the task here or moves it on (delegation, a local finish, the home's
// answer, abandonment) rewrites or deletes those records in that batch too.

import { ROOT_ENGAGEMENT, recordKey, type CompletionRecord } from '../../completion/index.js'
import type { StoredTask, TaskOutcome } from '../records.js'

/**
 * Whether a completion task record with `charges` is implied by the task's records here: `st`,
 * its task record when queued, or else `sent`, its outcome waiting in the outbox.
 */
export function impliedBy (st: StoredTask | undefined, sent: TaskOutcome | undefined, jobId: string, charges: readonly string[]): boolean {
  if (charges.length !== 1) return false
  if (st?.state === 'queued') return st.task.jobId === jobId && (st.charge ?? ROOT_ENGAGEMENT) === charges[0]
  return sent != null && sent.jobId === jobId && (sent.charge ?? ROOT_ENGAGEMENT) === charges[0]
}

/**
 * The completion records to restore from: those on disk, plus one derived from every queued
 * task, or else outcome in the outbox, of a job the completion core tracks here that has none
 * of its own. `explicit` is the keys of the task records on disk (a finished task's record is
 * deleted only if it is there). A charge naming an engagement that has no record is not
 * derived: that lineage is over here.
 */
export function withImpliedTasks (completion: readonly CompletionRecord[], tasks: readonly StoredTask[], outbox: readonly TaskOutcome[]): { records: CompletionRecord[], explicit: Set<string> } {
  const jobs = new Set<string>()
  const engagements = new Set<string>()
  const explicit = new Set<string>()
  for (const r of completion) {
    if (r.kind === 'job') jobs.add(r.jobId)
    else if (r.kind === 'engagement') engagements.add(recordKey('engagement', r.jobId, r.batchId))
    else if (r.kind === 'task') explicit.add(recordKey('task', r.jobId, r.taskId))
  }
  const records = [...completion]
  const derived = new Set<string>()
  const derive = (jobId: string, taskId: string, charge = ROOT_ENGAGEMENT): void => {
    const key = recordKey('task', jobId, taskId)
    if (!jobs.has(jobId) || explicit.has(key) || derived.has(key) || !engagements.has(recordKey('engagement', jobId, charge))) return
    derived.add(key)
    records.push({ kind: 'task', jobId, taskId, charges: [charge] })
  }
  const queued = new Set<string>()
  for (const st of tasks) {
    if (st.state !== 'queued') continue
    queued.add(st.task.id)
    derive(st.task.jobId, st.task.id, st.charge)
  }
  // An outcome waiting for its home stands for its task where no queued task record does.
  for (const o of outbox) if (!queued.has(o.taskId)) derive(o.jobId, o.taskId, o.charge)
  return { records, explicit }
}
