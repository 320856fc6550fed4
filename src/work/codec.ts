// Conversions between the engine's records and the work protocol's messages, with the
// checks that keep a peer's malformed task or result from ever being run or recorded.

import { JOB_LIMITS } from '../wire/constants.js'
import type { TaskResult, TaskSpec, WorkRequest, WorkResponse } from '../wire/proto/work.js'
import { jobOfTask, type Task } from './spec.js'
import type { TaskOutcome } from './store.js'

/** A request with every field the codec needs, the given ones filled in. */
export function workRequest (op: string, fields: Partial<WorkRequest> = {}): WorkRequest {
  return { op, capabilities: [], want: 0, batches: [], signals: [], results: [], progress: [], ...fields }
}

export function toSpec (t: Task): TaskSpec {
  return { id: t.id, jobId: t.jobId, type: t.type, payload: Buffer.from(t.payload), requires: t.requires, maxAttempts: t.maxAttempts, attempts: t.attempts, timeoutMs: t.timeoutMs, priority: t.priority, home: t.home }
}

/** A task from a peer, checked: a malformed one is dropped (and counted), never run. */
export function fromSpec (s: TaskSpec): Task | undefined {
  if (s.id === '' || s.jobId === '' || s.type === '' || s.home === '' || jobOfTask(s.id) !== s.jobId) return undefined
  if (s.payload.byteLength > JOB_LIMITS.payloadBytes || s.requires.length > JOB_LIMITS.requires || s.maxAttempts < 1) return undefined
  const payload = Buffer.from(s.payload).toString('utf8')
  try {
    JSON.parse(payload)
  } catch {
    return undefined
  }
  return { id: s.id, jobId: s.jobId, type: s.type, payload, requires: [...s.requires], maxAttempts: s.maxAttempts, attempts: s.attempts, timeoutMs: s.timeoutMs, priority: s.priority, home: s.home }
}

export function toResult (o: TaskOutcome): TaskResult {
  return { jobId: o.jobId, taskId: o.taskId, ok: o.ok, result: Buffer.from(o.result ?? ''), error: o.error ?? '', spawned: o.spawned, attempts: o.attempts, finishedAtMs: BigInt(o.finishedAt), cancelled: o.cancelled === true }
}

export function fromResult (r: TaskResult, from: string): TaskOutcome {
  const result = Buffer.from(r.result).toString('utf8')
  return {
    jobId: r.jobId,
    taskId: r.taskId,
    ok: r.ok,
    ...(r.ok ? { result: result.length <= JOB_LIMITS.payloadBytes ? result : 'null' } : { error: r.error.slice(0, 4096) }),
    ...(r.cancelled ? { cancelled: true } : {}),
    spawned: Math.min(r.spawned, JOB_LIMITS.rootTasks),
    attempts: r.attempts,
    // The executor is the authenticated sender, whatever the message says.
    node: from,
    finishedAt: Number(r.finishedAtMs)
  }
}

export function fail (error: string): WorkResponse {
  return { ok: false, error, batches: [], remaining: 0, accepted: 0 }
}
