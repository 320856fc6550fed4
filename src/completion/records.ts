// Converts a job's in-memory state to persisted records and back. Engagements persist only
// who to signal; which tasks and batches keep them open is rebuilt from the charges on task
// and batch records, so there is one source of truth on disk and no counter to drift.

import { CompletionError } from './errors.js'
import { JobState, newEngagement } from './job.js'
import type { JobEffects } from './job.js'
import { ROOT_ENGAGEMENT } from './types.js'
import type { CompletionRecord, JobId, RecordKind } from './types.js'

/** A stable string key for (kind, jobId, id), unambiguous for any id contents. */
export function recordKey (kind: RecordKind, jobId: JobId, id: string): string {
  // Length-prefixing the job id keeps the key unambiguous whatever the ids contain; this
  // runs several times per task, so it avoids JSON.stringify.
  return `${kind}:${jobId.length}:${jobId}:${id}`
}

/** The id part of a record's key. */
export function recordId (record: CompletionRecord): string {
  switch (record.kind) {
    case 'job': return ''
    case 'task': return record.taskId
    case 'engagement':
    case 'batch':
    case 'closed': return record.batchId
  }
}

/** The current record at (kind, id) of a job, or null when it no longer exists. */
export function recordOf (job: JobState | undefined, kind: RecordKind, id: string): CompletionRecord | null {
  if (job === undefined) return null
  const jobId = job.jobId
  switch (kind) {
    case 'job':
      return { kind, jobId, home: job.home, completed: job.completed }
    case 'engagement': {
      const engagement = job.engagements.get(id)
      return engagement === undefined ? null : { kind, jobId, batchId: id, from: engagement.from }
    }
    case 'task': {
      const task = job.tasks.get(id)
      return task === undefined ? null : { kind, jobId, taskId: id, charges: [...task.charges].sort() }
    }
    case 'batch': {
      const entry = job.ledger.get(id)
      return entry === undefined
        ? null
        : { kind, jobId, batchId: id, to: entry.to, taskIds: [...entry.taskIds], charges: [...entry.charges].sort() }
    }
    case 'closed': {
      const closed = job.closed.get(id)
      return closed === undefined ? null : { kind, jobId, batchId: id, from: closed.from, outcome: closed.outcome }
    }
  }
}

/** Every record of a job, in a deterministic order. */
export function jobRecords (job: JobState): CompletionRecord[] {
  const out: CompletionRecord[] = []
  const push = (kind: RecordKind, ids: Iterable<string>): void => {
    for (const id of [...ids].sort()) {
      const record = recordOf(job, kind, id)
      if (record !== null) out.push(record)
    }
  }
  push('job', [''])
  push('engagement', job.engagements.keys())
  push('task', job.tasks.keys())
  push('batch', job.ledger.keys())
  push('closed', job.closed.keys())
  return out
}

/**
 * Rebuilds jobs from records in any order. Records are written in atomic batches, so an
 * inconsistency means corruption or a bug, and it is reported rather than papered over.
 */
export function rebuildJobs (records: Iterable<unknown>, effectsFor: (jobId: JobId) => JobEffects): Map<JobId, JobState> {
  const byKind: Record<RecordKind, CompletionRecord[]> = { job: [], engagement: [], task: [], batch: [], closed: [] }
  for (const raw of records) {
    const record = parseRecord(raw)
    byKind[record.kind].push(record)
  }
  const jobs = new Map<JobId, JobState>()
  const jobFor = (record: CompletionRecord): JobState => {
    const job = jobs.get(record.jobId)
    if (job === undefined) corrupt(`a ${record.kind} record of job ${record.jobId} has no job record`)
    return job
  }
  for (const record of byKind.job) {
    if (record.kind !== 'job') continue
    if (jobs.has(record.jobId)) corrupt(`job ${record.jobId} has two job records`)
    const job = new JobState(record.jobId, effectsFor(record.jobId))
    job.home = record.home
    job.completed = record.completed
    jobs.set(record.jobId, job)
  }
  for (const record of byKind.engagement) {
    if (record.kind !== 'engagement') continue
    const job = jobFor(record)
    if ((record.batchId === ROOT_ENGAGEMENT) !== (record.from === null)) {
      corrupt(`engagement ${record.batchId} of job ${record.jobId}: only the root engagement has no sender`)
    }
    job.engagements.set(record.batchId, newEngagement(record.batchId, record.from))
  }
  for (const record of byKind.task) {
    if (record.kind !== 'task') continue
    const job = jobFor(record)
    const charges = new Set(record.charges)
    for (const charge of charges) {
      const engagement = job.engagements.get(charge)
      if (engagement === undefined) corrupt(`task ${record.taskId} of job ${record.jobId} is charged to unknown engagement ${charge}`)
      engagement.tasks.add(record.taskId)
    }
    if (charges.size === 0) corrupt(`task ${record.taskId} of job ${record.jobId} has no charge`)
    // Nothing runs across a restart: every restored task is pending until started again.
    job.tasks.set(record.taskId, { charges, running: false })
  }
  for (const record of byKind.batch) {
    if (record.kind !== 'batch') continue
    const job = jobFor(record)
    const charges = new Set(record.charges)
    for (const charge of charges) {
      const engagement = job.engagements.get(charge)
      if (engagement === undefined) corrupt(`batch ${record.batchId} of job ${record.jobId} is charged to unknown engagement ${charge}`)
      engagement.outgoing.add(record.batchId)
    }
    if (charges.size === 0) corrupt(`batch ${record.batchId} of job ${record.jobId} has no charge`)
    job.ledger.set(record.batchId, { batchId: record.batchId, to: record.to, taskIds: [...record.taskIds], charges })
  }
  for (const record of byKind.closed) {
    if (record.kind !== 'closed') continue
    jobFor(record).closed.set(record.batchId, { from: record.from, outcome: record.outcome })
  }
  return jobs
}

function parseRecord (raw: unknown): CompletionRecord {
  if (typeof raw !== 'object' || raw === null) corrupt('a record is not an object')
  const r = raw as Record<string, unknown>
  const str = (field: string): string => {
    const v = r[field]
    if (typeof v !== 'string') corrupt(`${String(r.kind)} record: ${field} is not a string`)
    return v
  }
  const bool = (field: string): boolean => {
    const v = r[field]
    if (typeof v !== 'boolean') corrupt(`${String(r.kind)} record: ${field} is not a boolean`)
    return v
  }
  const strs = (field: string): string[] => {
    const v = r[field]
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) corrupt(`${String(r.kind)} record: ${field} is not a string list`)
    return [...(v as string[])]
  }
  const jobId = str('jobId')
  switch (r.kind) {
    case 'job':
      return { kind: 'job', jobId, home: bool('home'), completed: bool('completed') }
    case 'engagement':
      return { kind: 'engagement', jobId, batchId: str('batchId'), from: r.from === null ? null : str('from') }
    case 'task':
      return { kind: 'task', jobId, taskId: str('taskId'), charges: strs('charges') }
    case 'batch':
      return { kind: 'batch', jobId, batchId: str('batchId'), to: str('to'), taskIds: strs('taskIds'), charges: strs('charges') }
    case 'closed': {
      const outcome = str('outcome')
      if (outcome !== 'signalled' && outcome !== 'abandoned') corrupt(`closed record: unknown outcome ${outcome}`)
      return { kind: 'closed', jobId, batchId: str('batchId'), from: str('from'), outcome }
    }
    default:
      corrupt(`unknown record kind ${String(r.kind)}`)
  }
}

function corrupt (detail: string): never {
  throw new CompletionError('CORRUPT_STATE', `completion state is corrupt: ${detail}; restore from a consistent copy or drop the job's records`)
}
