// What a home tells others about its jobs: the registry entry the control log holds, and
// the replica a holder stores.

import type { JobEntry } from '../../consensus/control.js'
import type { JobRecord, JobReplica } from '../records.js'
import { type Task } from '../spec.js'

/** A home's job record as a registry entry. */
export function entryOf (job: JobRecord, state: JobEntry['state']): JobEntry {
  // Field by field (twice per job: its registration and its final state).
  const e: JobEntry = { home: job.home, createdAt: job.createdAt, state }
  if (job.replicas != null && job.replicas.length > 0) e.replicas = job.replicas
  if (job.epoch != null && job.epoch > 0) e.epoch = job.epoch
  // What retention reads: when the job finished, and how long its submitter wants it kept.
  if (state !== 'running' && job.finishedAt != null) e.finishedAt = Math.floor(job.finishedAt)
  if (job.keepMs != null) e.keepMs = job.keepMs
  return e
}

/** What a holder stores of a submitted job (the replicate message's definition). */
export function replicaOf (job: JobRecord, tasks: Task[]): JobReplica {
  // Field by field, in the order the spreads gave.
  const r = { id: job.id } as JobReplica
  if (job.name != null) r.name = job.name
  r.home = job.home
  r.createdAt = job.createdAt
  if (job.keepMs != null) r.keepMs = job.keepMs
  r.tasks = tasks
  return r
}

