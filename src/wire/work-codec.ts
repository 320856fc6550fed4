// Conversions between the work core's messages (src/work/messages.ts) and the work protocol's
// protobuf WorkRequest/WorkResponse, with the checks that keep a peer's malformed task or
// result from ever being run or recorded: a malformed task is dropped here and counted in
// its batch's `rejected`, which the core adds to its rejected-messages counter.

import { deflateRawSync, inflateRawSync } from 'node:zlib'
import { MAX_PROGRESS_BYTES } from '../work/core.js'
import { JOB_LIMITS } from '../work/limits.js'
import type { CoveredSignal, WorkBatch, WorkMsg, WorkReply } from '../work/messages.js'
import type { JobReplica, SealedReplicas, TaskOutcome } from '../work/records.js'
import { isSealedReplicaSet, replicaFromSet } from '../work/core/replicas.js'
import { jobOfTask, rootTaskId, type Task } from '../work/spec.js'
import { FAILURE_ERROR_CHARS, MAX_FAILURES_CARRIED, type AttemptFailure as Failure } from '../work/core/ladder.js'
import { MAX_WORK_FRAME_BYTES } from './constants.js'
import { ReplicaSet, type AttemptFailure, type Batch, type JobReplicaSpec, type TaskResult, type TaskSpec, type WorkRequest, type WorkResponse } from './proto/work.js'

const EMPTY_BYTES = new Uint8Array(0)

/** A request with every field the codec needs, the given ones filled in. */
export function workRequest (op: string, fields: Partial<WorkRequest> = {}): WorkRequest {
  return { op, capabilities: [], want: 0, batches: [], signals: [], results: [], progress: [], replicas: [], covered: [], sealedReplicas: EMPTY_BYTES, replicaIds: [], packedReplicas: EMPTY_BYTES, ...fields }
}

export function toSpec (t: Task): TaskSpec {
  return { id: t.id, jobId: t.jobId, type: t.type, payload: Buffer.from(t.payload), requires: t.requires as string[], maxAttempts: t.maxAttempts, attempts: t.attempts, timeoutMs: t.timeoutMs, priority: t.priority, home: t.home, failures: toFailures(t.failures), ...(t.notBefore != null ? { notBeforeMs: t.notBefore } : {}) }
}

function toFailures (list: readonly Failure[] | undefined): AttemptFailure[] {
  return list == null ? [] : list.map(f => ({ node: f.node, attempt: f.attempt, error: f.error, atMs: BigInt(Math.max(0, Math.floor(f.at))) }))
}

/** A peer's failure list, bounded (count and text) whatever it sent; undefined when empty. */
function fromFailures (list: readonly AttemptFailure[]): Failure[] | undefined {
  if (list.length === 0) return undefined
  return list.slice(-MAX_FAILURES_CARRIED).map(f => ({ node: f.node.slice(0, 128), attempt: f.attempt, error: f.error.slice(0, FAILURE_ERROR_CHARS + 1), at: Number(f.atMs) }))
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
  const failures = fromFailures(s.failures)
  return { id: s.id, jobId: s.jobId, type: s.type, payload, requires: [...s.requires], maxAttempts: s.maxAttempts, attempts: s.attempts, timeoutMs: s.timeoutMs, priority: s.priority, home: s.home, ...(failures != null ? { failures } : {}), ...(s.notBeforeMs != null && Number.isSafeInteger(s.notBeforeMs) ? { notBefore: s.notBeforeMs } : {}) }
}

export function toResult (o: TaskOutcome): TaskResult {
  return { jobId: o.jobId, taskId: o.taskId, ok: o.ok, result: Buffer.from(o.result ?? ''), error: o.error ?? '', spawned: o.spawned, attempts: o.attempts, finishedAtMs: BigInt(o.finishedAt), cancelled: o.cancelled === true, failures: toFailures(o.failures) }
}

export function fromResult (r: TaskResult, from: string): TaskOutcome {
  const result = Buffer.from(r.result).toString('utf8')
  return {
    jobId: r.jobId,
    taskId: r.taskId,
    ok: r.ok,
    ...(r.ok ? { result: result.length <= JOB_LIMITS.payloadBytes ? result : 'null' } : { error: r.error.slice(0, 4096) }),
    // A failure may keep a result too (a command's output and exit code).
    ...(!r.ok && result !== '' && result.length <= JOB_LIMITS.payloadBytes ? { result } : {}),
    ...(r.cancelled ? { cancelled: true } : {}),
    spawned: Math.min(r.spawned, JOB_LIMITS.rootTasks),
    attempts: r.attempts,
    // The executor is the authenticated sender, whatever the message says.
    node: from,
    finishedAt: Number(r.finishedAtMs),
    ...(!r.ok && r.failures.length > 0 ? { failures: fromFailures(r.failures)! } : {})
  }
}

export function toBatch (b: WorkBatch): Batch {
  return { jobId: b.jobId, batchId: b.batchId, tasks: b.tasks.map(toSpec) }
}

export function fromBatch (b: Batch): WorkBatch {
  const tasks: Task[] = []
  let rejected = 0
  for (const spec of b.tasks) {
    const t = fromSpec(spec)
    if (t == null) rejected++
    else tasks.push(t)
  }
  return { jobId: b.jobId, batchId: b.batchId, tasks, ...(rejected > 0 ? { rejected } : {}) }
}

/**
 * A job's definition for a replicate message, without what the message already says: the
 * replica's home is its sender, and a root task's job id, home and (the job's i-th root id)
 * id are left empty for fromReplica to fill in — about half the bytes of a one-task job's
 * replica, encoded once and decoded by every holder (BENCHMARKS.md, issue 14, stop 25).
 *
 * A job of several roots that differ only in their payloads (the usual wide job: one handler,
 * one set of limits) is written in the compact form: the fields its roots share once
 * (`shared`), then each root's payload. A 10 000-task job was 10 000 TaskSpecs, ~410 KB and
 * 13–40 ms of the home's main thread to encode before its first replica could leave
 * (BENCHMARKS.md, issue 14, stop 49).
 */
export function toReplica (r: JobReplica): JobReplicaSpec {
  const spec: JobReplicaSpec = { jobId: r.id, name: r.name ?? '', home: '', createdAtMs: BigInt(Math.max(0, Math.floor(r.createdAt))), tasks: [], payloads: [] }
  if (r.keepMs != null) spec.keepMs = r.keepMs
  if (r.tasks.length > 1 && rootsShareAllButPayload(r)) {
    const shared = toSpec(r.tasks[0]!)
    shared.id = ''
    shared.jobId = ''
    shared.home = ''
    shared.payload = EMPTY_BYTES
    spec.shared = shared
    spec.payloads = r.tasks.map(t => t.payload)
    return spec
  }
  spec.tasks = r.tasks.map((t, i) => {
    const s = toSpec(t)
    if (s.id === rootTaskId(r.id, i)) s.id = ''
    if (s.jobId === r.id) s.jobId = ''
    if (s.home === r.home) s.home = ''
    return s
  })
  return spec
}

/** Every root task has its implied id, job id and home, and the first's other fields but its payload. */
function rootsShareAllButPayload (r: JobReplica): boolean {
  const first = r.tasks[0]!
  if (first.failures != null) return false
  for (let i = 0; i < r.tasks.length; i++) {
    const t = r.tasks[i]!
    if (t.id !== rootTaskId(r.id, i) || t.jobId !== r.id || t.home !== r.home || t.failures != null) return false
    if (t.type !== first.type || t.maxAttempts !== first.maxAttempts || t.attempts !== first.attempts || t.timeoutMs !== first.timeoutMs || t.priority !== first.priority || t.notBefore !== first.notBefore) return false
    if (t.requires !== first.requires && !sameList(t.requires, first.requires)) return false
  }
  return true
}

function sameList (a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/**
 * A replica from its home, checked like a batch: every root task must be well formed, of
 * this job and homed at the sender, or the replica is dropped whole (a job re-run from a
 * partial definition would silently lose tasks). Empty ids and homes are the implied ones
 * (toReplica); a replica that names them in full (a node before stop 25) reads the same, and
 * so does the compact form (`shared` and `payloads`, stop 49).
 */
export function fromReplica (r: JobReplicaSpec, from: string): JobReplica | undefined {
  const shared = r.shared
  const roots = shared != null ? r.payloads.length : r.tasks.length
  if (r.jobId === '' || (r.home !== '' && r.home !== from) || roots === 0 || roots > JOB_LIMITS.rootTasks) return undefined
  if (shared != null && (r.tasks.length > 0 || (shared.home !== '' && shared.home !== from))) return undefined
  const tasks: Task[] = []
  for (let i = 0; i < roots; i++) {
    const spec = shared != null ? { ...shared, id: rootTaskId(r.jobId, i), jobId: r.jobId, home: from, payload: Buffer.from(r.payloads[i]!) } : r.tasks[i]!
    const t = fromSpec(spec.id !== '' && spec.jobId !== '' && spec.home !== ''
      ? spec
      : { ...spec, id: spec.id !== '' ? spec.id : rootTaskId(r.jobId, i), jobId: spec.jobId !== '' ? spec.jobId : r.jobId, home: spec.home !== '' ? spec.home : from })
    if (t == null || t.jobId !== r.jobId || t.home !== from) return undefined
    tasks.push(t)
  }
  return { id: r.jobId, ...(r.name !== '' ? { name: r.name } : {}), home: from, createdAt: Number(r.createdAtMs), ...(r.keepMs != null && Number.isSafeInteger(r.keepMs) ? { keepMs: r.keepMs } : {}), tasks }
}

function toCovered (list: readonly CoveredSignal[] | undefined): Partial<WorkRequest> {
  return list != null && list.length > 0 ? { covered: list.map(c => ({ jobId: c.jobId, batchId: c.batchId, covers: c.covers })) } : {}
}

/** A peer's covered signals, each bounded like a results batch (a longer one is dropped: it cannot be applied). */
function fromCovered (list: readonly CoveredSignal[]): { covered?: CoveredSignal[] } {
  if (list.length === 0) return {}
  const covered = list.filter(c => c.covers.length <= JOB_LIMITS.results).map(c => ({ jobId: c.jobId, batchId: c.batchId, covers: c.covers }))
  return covered.length > 0 ? { covered } : {}
}

/**
 * A replicate message goes to every holder with the same job list (WorkCore.askHolders): its
 * WorkRequest is built once per list, so the transport, which encodes a request object once
 * (WorkTransport.call), sends the same bytes to every holder. A 1 000-job submit's replicas are
 * ~250 KB to encode, the largest message a home builds.
 *
 * Since stop 49 the encoded set travels deflated (`packed_replicas`, level 1), and holders
 * store it so: a submit's definitions repeat their handler, limits and payload shapes job
 * after job. A 10 000-task job's set is ~756 bytes instead of 410 KB (547 KB as stored),
 * which went through each holder's Noise session, yamux window, store and flush before the
 * job could be registered; a 1 000 one-task-job submit's 74 KB is 5.5 KB. Building and
 * deflating the set costs the home 2.7–4.3 ms for those two (BENCHMARKS.md, issue 14, stop
 * 49). A holder built before stop 49 reads no set in it and stores nothing (it answers 0
 * accepted): the home asks another peer, and registers the jobs
 * with the holders it got (README, "Upgrade the nodes of a mesh together").
 */
const replicateRequests = new WeakMap<readonly JobReplica[], WorkRequest>()

/** The core's request as a protobuf WorkRequest. */
export function encodeWorkMsg (msg: WorkMsg): WorkRequest {
  if (msg.op === 'replicate') {
    let req = replicateRequests.get(msg.jobs)
    if (req == null) {
      req = workRequest('replicate', { packedReplicas: deflateRawSync(ReplicaSet.encode({ replicas: msg.jobs.map(toReplica) }), { level: 1 }), replicaIds: msg.jobs.map(j => j.id) })
      replicateRequests.set(msg.jobs, req)
    }
    return req
  }
  switch (msg.op) {
    case 'steal': return workRequest('steal', { capabilities: [...msg.capabilities], want: msg.want })
    case 'deliver': return workRequest('deliver', { batches: msg.batches.map(toBatch) })
    case 'signal': return workRequest('signal', { signals: msg.signals.map(s => ({ jobId: s.jobId, batchId: s.batchId })), ...toCovered(msg.covered) })
    case 'results': return workRequest('results', { results: msg.results.map(toResult), ...(msg.signals != null && msg.signals.length > 0 ? { signals: msg.signals.map(s => ({ jobId: s.jobId, batchId: s.batchId })) } : {}), ...toCovered(msg.covered) })
    case 'progress': return workRequest('progress', { progress: msg.progress.map(p => ({ jobId: p.jobId, taskId: p.taskId, value: Buffer.from(p.value) })) })
    case 'unknown': return workRequest(msg.name)
  }
}

/** A peer's WorkRequest for the core; `from` is the authenticated sender. */
export function decodeWorkMsg (req: WorkRequest, from: string): WorkMsg {
  switch (req.op) {
    case 'steal': return { op: 'steal', capabilities: req.capabilities, want: req.want }
    case 'deliver': return { op: 'deliver', batches: req.batches.map(fromBatch) }
    case 'signal': return { op: 'signal', signals: req.signals, ...fromCovered(req.covered) }
    case 'results': return { op: 'results', results: req.results.map(r => fromResult(r, from)), ...(req.signals.length > 0 ? { signals: req.signals } : {}), ...fromCovered(req.covered) }
    case 'progress': return {
      op: 'progress',
      // Oversize reports are dropped here, as the core would.
      progress: req.progress.filter(p => p.value.byteLength <= MAX_PROGRESS_BYTES).map(p => ({ jobId: p.jobId, taskId: p.taskId, value: Buffer.from(p.value).toString('utf8') }))
    }
    case 'replicate': {
      // Sealed (stop 26 on; deflated, stop 49 on): stored as it came, checked when a job of it is re-homed here.
      if (req.replicaIds.length > 0 || req.sealedReplicas.byteLength > 0 || req.packedReplicas.byteLength > 0) {
        const sealed = sealedFrom(req)
        return sealed != null ? { op: 'replicate', jobs: [], sealed } : { op: 'replicate', jobs: [], rejected: Math.max(1, req.replicaIds.length) }
      }
      const jobs: JobReplica[] = []
      for (const r of req.replicas) {
        const job = fromReplica(r, from)
        if (job != null) jobs.push(job)
      }
      const rejected = req.replicas.length - jobs.length
      return { op: 'replicate', jobs, ...(rejected > 0 ? { rejected } : {}) }
    }
    default: return { op: 'unknown', name: req.op }
  }
}

/** Longest job id a sealed replica set may name (ids are ~25 characters; a custom one is bounded too). */
const MAX_SEALED_ID_CHARS = 256

/**
 * A sealed replicate message's ids and bytes, if they can be stored: 1 to `jobsPerSubmit` ids,
 * none empty or oversized, and one body (sealed, or deflated: packed). What the body holds is checked only when a job of it
 * is re-homed here (readReplicaSet): a home that sent a malformed definition loses its own
 * job's copy, exactly as if the holder had refused it, and nobody else's.
 */
function sealedFrom (req: WorkRequest): SealedReplicas | undefined {
  const ids = req.replicaIds
  const deflated = req.packedReplicas.byteLength > 0
  const body = deflated ? req.packedReplicas : req.sealedReplicas
  if (ids.length === 0 || ids.length > JOB_LIMITS.jobsPerSubmit || body.byteLength === 0 || (deflated && req.sealedReplicas.byteLength > 0)) return undefined
  for (const id of ids) if (id === '' || id.length > MAX_SEALED_ID_CHARS) return undefined
  const sealed: SealedReplicas = { ids, body: Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('base64') }
  if (deflated) sealed.deflated = true
  return sealed
}

/**
 * The most a deflated replica set may inflate to: four work frames. Its home encoded it from one
 * submit request (an admin request is at most 8 MiB), so a real set is far below; a larger
 * one is not read (its jobs read as having no replica here), rather than filling memory.
 */
const MAX_INFLATED_REPLICAS = 4 * MAX_WORK_FRAME_BYTES

/**
 * A stored replica set, opened once for the reads of its jobs: a sealed one is decoded here
 * (once: a dead home's whole submit is re-homed at once, and each of its jobs is read from the
 * same set), and each job checked by fromReplica as a decoded replicate message always was;
 * the decoded forms (stop 25's packed sets, older arrays) are read as they are. A job not in
 * the set, or whose definition fails the checks, reads as undefined: the node has no replica
 * of it.
 */
export function openReplicaSet (value: unknown): (jobId: string) => JobReplica | undefined {
  if (!isSealedReplicaSet(value)) return jobId => replicaFromSet(value, jobId)
  let specs: JobReplicaSpec[]
  try {
    const bytes = Buffer.from(value.sealed, 'base64')
    specs = ReplicaSet.decode(value.deflated === true ? inflateRawSync(bytes, { maxOutputLength: MAX_INFLATED_REPLICAS }) : bytes, { limits: { replicas: JOB_LIMITS.jobsPerSubmit } }).replicas
  } catch {
    return () => undefined
  }
  const byId = new Map<string, JobReplicaSpec>()
  for (const spec of specs) if (!byId.has(spec.jobId)) byId.set(spec.jobId, spec)
  const named = new Set(value.ids)
  return jobId => {
    const spec = named.has(jobId) ? byId.get(jobId) : undefined
    return spec != null ? fromReplica(spec, value.home) : undefined
  }
}

/** One job's definition out of a stored replica set of any form (openReplicaSet, read once). */
export function readReplicaSet (value: unknown, jobId: string): JobReplica | undefined {
  return openReplicaSet(value)(jobId)
}

export function encodeWorkReply (r: WorkReply): WorkResponse {
  return { ok: r.ok, error: r.error, batches: r.batches.map(toBatch), remaining: r.remaining, accepted: r.accepted, abandoned: r.abandoned ?? [], signalled: r.signalled ?? [] }
}

export function decodeWorkReply (r: WorkResponse): WorkReply {
  return { ok: r.ok, error: r.error, batches: r.batches.map(fromBatch), remaining: r.remaining, accepted: r.accepted, ...(r.abandoned.length > 0 ? { abandoned: r.abandoned } : {}), ...(r.signalled.length > 0 ? { signalled: r.signalled } : {}) }
}

export function fail (error: string): WorkResponse {
  return { ok: false, error, batches: [], remaining: 0, accepted: 0, abandoned: [], signalled: [] }
}
