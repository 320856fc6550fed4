// The control state machine: what the replicated log decides. Membership itself (voters,
// learners) is the Raft core's ConfState; this machine holds the rest of the control plane:
// a versioned key/value cluster configuration, node-dead declarations, and the job registry
// slot the jobs layer fills, and the access grants (which client keys may submit, operate,
// run commands), and the approval gates of workflows (src/workflow/approvals.ts). Every node
// applies the same committed commands in the same
// order, so apply() must be deterministic: no clock, no randomness, no iteration over
// unordered input. Schedules (src/workflow/schedule.ts) live here too: their definitions, the
// last occurrence each fired, and the occurrences fired whose job is not registered yet. A command that fails (a stale compare-and-set) changes nothing and
// returns an error to the proposer; it still occupies its log index on every node.

import { APPROVAL_LIMITS, TIMEOUT_DECIDER, describeDecision, parseApprovalRequest, type ApprovalRecord, type ApprovalRequest } from '../workflow/approvals.js'
import { MAX_CATCH_UP_MS, MISFIRE_POLICIES, checkCron, checkScheduleName, scheduleJobId, type MisfirePolicy } from '../workflow/schedule.js'

export type ControlCommand = (
  /** Set a config key; with expectVersion it is a compare-and-set (0 = must not exist). */
  | { op: 'config.set', key: string, value: string, expectVersion?: number }
  | { op: 'config.delete', key: string, expectVersion?: number }
  /** Grant a client key (its peer id) a role, replacing any grant it had. */
  | { op: 'grant.set', peerId: string, role: GrantRole, commands: boolean }
  | { op: 'grant.remove', peerId: string }
  /** A quorum-confirmed death: the healing layer reclaims the node's delegated work. */
  | { op: 'node.dead', peerId: string, incarnation: number, reason: string }
  /** The node came back with a newer incarnation: it may be given work again. */
  | { op: 'node.alive', peerId: string, incarnation: number }
  /** Register or update a job record (owned by the jobs layer; opaque here). */
  | { op: 'job.put', jobId: string, record: unknown }
  | { op: 'job.delete', jobId: string }
  /** Register jobs or record their final state, many per entry (submits are group-committed). */
  | { op: 'jobs.put', jobs: Array<[string, JobEntry]> }
  /**
   * Retention (src/consensus/retention.ts): forget finished jobs, many per entry. Every node
   * drops them from the registry and deletes what it stores of them; a running job named here
   * is kept. `resultsOnly`: keep the entries, mark their results expired (the home deletes the
   * outcomes and keeps the job record).
   */
  | { op: 'jobs.delete', jobIds: string[], resultsOnly?: boolean }
  /** Cancel a running job: every node drops its queued tasks and aborts running ones. */
  | { op: 'job.cancel', jobId: string }
  /**
   * A workflow gate asks for a decision (src/workflow/approvals.ts). Idempotent by id; refused
   * when the job is not registered or is over. Its job's final state or cancel cancels it.
   */
  | ({ op: 'approval.request' } & ApprovalRequest)
  /** Decide a pending gate: a person (Attribution.by), or its deadline (`timeout`, by the leader). */
  | { op: 'approval.decide', id: string, approved: boolean, comment?: string, timeout?: boolean }
  /**
   * Create or replace a schedule. Replacing keeps what it fired (lastFiredAt: no occurrence
   * fires twice); occurrences count from `createdAt` (the proposer's clock) on.
   */
  | { op: 'schedule.put', name: string, cron: string, tz?: string, job: Record<string, unknown>, paused: boolean, misfire: MisfirePolicy, catchUpMs?: number, createdAt: number }
  /** Forget a schedule. Occurrences it fired whose job is not registered yet still run. */
  | { op: 'schedule.remove', name: string }
  /** Pause or resume; a resume counts occurrences from `time` (the proposer's clock) on. */
  | { op: 'schedule.pause', name: string, paused: boolean, time: number }
  /**
   * The leader fired occurrence `at` of a schedule: `home` submits its job as `jobId`
   * (scheduleJobId). Applies only if `at` is later than the schedule's last fired occurrence
   * — so of two leaders racing for one occurrence exactly one entry applies — or, for an
   * occurrence fired before whose job is not registered, if its home was declared dead since
   * (the occurrence moves to the new home).
   */
  | { op: 'schedule.fired', name: string, at: number, jobId: string, home: string }
) & Attribution

/**
 * Who asked for a command and when (the proposer's clock), for the audit log. Set on the
 * commands a client caused (config, grants, cancel); carried through the log so every node
 * records the same audit entry at the same index. Never used to decide anything.
 */
export interface Attribution {
  by?: string
  at?: number
}

export type GrantRole = 'submitter' | 'operator'
export const GRANT_ROLES: readonly GrantRole[] = ['submitter', 'operator']

/** A committed grant: what a client key may do mesh-wide. */
export interface Grant {
  role: GrantRole
  /** May submit shell-command (`cmd`) tasks. */
  commands: boolean
  /** Log index of the grant, and who made it when (if known). */
  index: number
  by?: string
  at?: number
}

/** The registry's view of a job: where it lives and whether it is over. Task data never goes here. */
export interface JobEntry {
  home: string
  createdAt: number
  state: JobRegistryState
  /** Nodes (not the home) that hold the job's definition: where it is re-homed if the home dies. */
  replicas?: string[]
  /** Home generation: 0 at submit, +1 per re-home. A home's put of an older generation is stale. */
  epoch?: number
  /** Earlier homes, oldest first. */
  homes?: string[]
  /** When the home recorded the final state (its clock, ms): the age retention counts from. */
  finishedAt?: number
  /** Kept this long after finishing (submit --keep), instead of retention.maxAgeMs. */
  keepMs?: number
  /** Set by a results-only jobs.delete: the home no longer has the task outcomes. */
  resultsExpired?: boolean
}

/** A job moved to a new home because its home was declared dead (see ControlState). */
export interface JobMove {
  jobId: string
  from: string
  to: string
  epoch: number
}

export type JobRegistryState = 'running' | 'completed' | 'failed' | 'cancelled'
const REGISTRY_STATE_LIST: readonly JobRegistryState[] = ['running', 'completed', 'failed', 'cancelled']
const REGISTRY_STATES = new Set<string>(REGISTRY_STATE_LIST)

/** Registrations in one jobs.put entry; bounded so one entry stays well under a raft frame. */
export const MAX_JOBS_PER_PUT = 10_000
/** Job ids one jobs.delete may name: like a put, one entry stays well under a raft frame. */
export const MAX_JOBS_PER_DELETE = 10_000
/** Replica holders one registry entry may name. */
export const MAX_REPLICAS = 8

export interface ConfigValue { value: string, version: number, index: number }
export interface DeadRecord { incarnation: number, reason: string, index: number }

export type ApplyResult =
  | { ok: true, version?: number }
  | { ok: false, code: 'VERSION_MISMATCH' | 'BAD_COMMAND' | 'NOT_FOUND' | 'JOB_FINISHED' | 'ALREADY_DECIDED', message: string }

/** A schedule as the control log holds it (schedule.put, .pause, .fired). */
export interface ScheduleRecord {
  cron: string
  tz?: string
  /** The job each occurrence submits: a JobInput, or `{workflow, inputs}`, as JSON. */
  job: Record<string, unknown>
  paused: boolean
  misfire: MisfirePolicy
  catchUpMs?: number
  /** When it was first created (proposer's clock). */
  createdAt: number
  /** Occurrences after this count: the create, the last replace or the last resume. */
  since: number
  /** The last occurrence fired, its job and the home that was to submit it. */
  lastFiredAt?: number
  lastJobId?: string
  lastHome?: string
  /** Occurrences fired so far. */
  fired: number
  /** Log index of the last put, and who made it when (if known). */
  index: number
  by?: string
  at?: number
}

/** An occurrence fired whose job is not registered yet: its home is to submit it. */
export interface PendingOccurrence {
  schedule: string
  at: number
  home: string
  /** Times it moved to another home (its home was declared dead before registering it). */
  moves: number
  /** The job to submit, kept here once its schedule is removed (until then, the schedule's). */
  job?: Record<string, unknown>
}

/** The most bytes a schedule's job definition may take. */
export const MAX_SCHEDULE_JOB_BYTES = 64 * 1024

/** Limits that keep the replicated state small: it is snapshotted and shipped whole. */
export const CONTROL_LIMITS = { keyBytes: 256, valueBytes: 64 * 1024, jobRecordBytes: 64 * 1024 } as const

const COMMAND_VERSION = 1

export function encodeCommand (cmd: ControlCommand): Uint8Array {
  const body = cmd.op === 'jobs.put' ? compactJobsPut(cmd) : cmd
  return new TextEncoder().encode(JSON.stringify({ v: COMMAND_VERSION, ...body }))
}

/**
 * jobs.put is the bulk of the log (a registration and a final state per job), and every row
 * named its home and replica holders by peer id — 52 characters each, three per row, ~270 bytes
 * a row. Stop 24 wrote it compactly: the entry names each peer once in `peers`, and a row was
 * `[id, createdAt, state, home, replicas, epoch, finishedAt, keepMs]` (state an index into
 * REGISTRY_STATE_LIST, home and replicas indexes into `peers`; ~80 bytes a row).
 *
 * Since stop 33 the rows go in groups: a submit request's registrations (or a batch of its
 * final states) share state, home, replica holders, epoch, keep and creation time, so a group
 * says those once, `[state, home, replicas, epoch, keepMs, createdAt, ids, finishedAt]`
 * (absent fields null; `finishedAt` a list beside `ids`, or null), and each job is its id
 * (and finish time) in a list. A node parses a few tokens per job instead of a nested array,
 * builds no row object, and the group's entries share one replica list. Consecutive jobs that
 * agree form a group, so the encoding is deterministic and a job order is kept. decodeCommand
 * reads all three forms: logs and snapshots written before hold the others.
 */
function compactJobsPut (cmd: Extract<ControlCommand, { op: 'jobs.put' }>): Record<string, unknown> {
  const peers: string[] = []
  const ix = new Map<string, number>()
  const ref = (p: string): number => {
    let i = ix.get(p)
    if (i === undefined) { i = peers.length; peers.push(p); ix.set(p, i) }
    return i
  }
  const groups: unknown[][] = []
  let prev: JobEntry | undefined
  let ids: string[] = []
  let finished: number[] | null = null
  for (const [id, e] of cmd.jobs) {
    if (prev === undefined || !sameGroup(prev, e)) {
      prev = e
      ids = []
      finished = e.finishedAt !== undefined ? [] : null
      groups.push([REGISTRY_STATE_LIST.indexOf(e.state), ref(e.home), e.replicas?.map(ref) ?? null, e.epoch ?? null, e.keepMs ?? null, e.createdAt, ids, finished])
    }
    ids.push(id)
    if (finished !== null) finished.push(e.finishedAt!)
  }
  const { jobs, ...rest } = cmd
  return { ...rest, peers, groups }
}

/** Whether two entries may share a group: all but the id and the finish time agree (and both have one or neither). */
function sameGroup (a: JobEntry, b: JobEntry): boolean {
  if (a.state !== b.state || a.home !== b.home || a.createdAt !== b.createdAt || a.epoch !== b.epoch || a.keepMs !== b.keepMs) return false
  if ((a.finishedAt === undefined) !== (b.finishedAt === undefined)) return false
  const ra = a.replicas
  const rb = b.replicas
  if (ra === rb) return true
  if (ra === undefined || rb === undefined || ra.length !== rb.length) return false
  for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return false
  return true
}

/**
 * Reads the groups of a jobs.put (see compactJobsPut), validating as the row forms are: a
 * group's shared fields once, each job's id and finish time. Entries of a group share its
 * replica list (nothing changes a list in place: a move builds a new one).
 */
function readGroups (peers: unknown, groups: unknown): Array<[string, JobEntry]> {
  if (!Array.isArray(peers) || peers.length > MAX_JOBS_PER_PUT * (1 + MAX_REPLICAS) || !peers.every(p => typeof p === 'string' && p.length > 0 && p.length <= CONTROL_LIMITS.keyBytes)) throw new Error('jobs.put: "peers" must list peer ids')
  if (!Array.isArray(groups) || groups.length === 0 || groups.length > MAX_JOBS_PER_PUT) throw new Error(`jobs.put: "groups" must list 1 to ${MAX_JOBS_PER_PUT} groups`)
  const peer = (i: unknown): string | undefined => Number.isSafeInteger(i) ? peers[i as number] : undefined
  const count = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) >= 0
  const jobs: Array<[string, JobEntry]> = []
  for (const g of groups) {
    if (!Array.isArray(g) || g.length !== 8) throw new Error('jobs.put: a group must be [state, home, replicas, epoch, keepMs, createdAt, ids, finishedAt]')
    const [st, h, reps, epoch, keepMs, createdAt, ids, finished] = g
    const state = Number.isSafeInteger(st) ? REGISTRY_STATE_LIST[st] : undefined
    const home = peer(h)
    if (state === undefined || home === undefined || !count(createdAt)) throw new Error('jobs.put: bad group (state, home or createdAt)')
    let replicas: string[] | undefined
    if (reps !== null) {
      if (!Array.isArray(reps) || reps.length > MAX_REPLICAS) throw new Error('jobs.put: bad replicas in a group')
      replicas = reps.map(peer) as string[]
      if (replicas.includes(undefined as unknown as string)) throw new Error('jobs.put: bad replicas in a group')
    }
    if (epoch !== null && !count(epoch)) throw new Error('jobs.put: bad epoch in a group')
    if (keepMs !== null && !count(keepMs)) throw new Error('jobs.put: bad keepMs in a group')
    if (!Array.isArray(ids) || ids.length === 0 || jobs.length + ids.length > MAX_JOBS_PER_PUT) throw new Error(`jobs.put: "jobs" must list 1 to ${MAX_JOBS_PER_PUT} jobs`)
    if (finished !== null && (!Array.isArray(finished) || finished.length !== ids.length)) throw new Error('jobs.put: a group\'s finish times must match its ids')
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]
      if (typeof id !== 'string' || id.length === 0 || id.length > CONTROL_LIMITS.keyBytes) throw new Error('jobs.put: a job id must be a non-empty string')
      const entry: JobEntry = { home, createdAt: createdAt as number, state }
      if (replicas !== undefined) entry.replicas = replicas
      if (epoch !== null) entry.epoch = epoch as number
      if (finished !== null) {
        const at = finished[i]
        if (!count(at)) throw new Error(`jobs.put: bad finishedAt for job ${id}`)
        entry.finishedAt = at as number
      }
      if (keepMs !== null) entry.keepMs = keepMs as number
      jobs.push([id, entry])
    }
  }
  return jobs
}

/** Parse and validate; throws with a reason for anything that is not a valid command. */
export function decodeCommand (data: Uint8Array): ControlCommand {
  let raw: any
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(data))
  } catch (err) {
    throw new Error(`control command is not JSON: ${(err as Error).message}`)
  }
  if (raw == null || typeof raw !== 'object' || raw.v !== COMMAND_VERSION) throw new Error(`unsupported control command version ${String(raw?.v)}`)
  const str = (k: string, max: number = CONTROL_LIMITS.keyBytes): string => {
    const v = raw[k]
    if (typeof v !== 'string' || v.length === 0 || Buffer.byteLength(v) > max) throw new Error(`control command ${String(raw.op)}: "${k}" must be a non-empty string of at most ${max} bytes`)
    return v
  }
  const int = (k: string, optional = false): number | undefined => {
    const v = raw[k]
    if (v === undefined && optional) return undefined
    if (!Number.isSafeInteger(v) || v < 0) throw new Error(`control command ${String(raw.op)}: "${k}" must be a whole number`)
    return v
  }
  const cmd = decodeOp(raw, str, int)
  // schedule.fired's `at` is the occurrence, not an attribution; it is never client-caused.
  if (cmd.op === 'schedule.fired') return cmd
  const by = raw.by
  const at = raw.at
  if (by !== undefined && (typeof by !== 'string' || by.length > CONTROL_LIMITS.keyBytes)) throw new Error(`control command ${String(raw.op)}: "by" must be a string`)
  if (at !== undefined && (!Number.isSafeInteger(at) || at < 0)) throw new Error(`control command ${String(raw.op)}: "at" must be a whole number`)
  return { ...cmd, ...(by !== undefined ? { by } : {}), ...(at !== undefined ? { at } : {}) }
}

/**
 * Reads one row of a stop-24 compact jobs.put (see compactJobsPut) back into the long form, which
 * decodeOp then validates as it always has; a row that does not fit yields undefined fields
 * and fails there.
 */
function compactRowReader (peers: unknown): (row: unknown) => [unknown, any] {
  if (!Array.isArray(peers) || peers.length > MAX_JOBS_PER_PUT * (1 + MAX_REPLICAS) || !peers.every(p => typeof p === 'string')) throw new Error('jobs.put: "peers" must list peer ids')
  const peer = (i: unknown): unknown => Number.isSafeInteger(i) ? peers[i as number] : undefined
  return row => {
    if (!Array.isArray(row)) return [undefined, undefined]
    const [id, createdAt, state, home, replicas, epoch, finishedAt, keepMs] = row
    const e: Record<string, unknown> = { home: peer(home), createdAt, state: Number.isSafeInteger(state) ? REGISTRY_STATE_LIST[state] : undefined }
    if (replicas != null) e.replicas = Array.isArray(replicas) ? replicas.map(peer) : replicas
    // Absent fields are null (or dropped from the end of the row).
    if (epoch != null) e.epoch = epoch
    if (finishedAt != null) e.finishedAt = finishedAt
    if (keepMs != null) e.keepMs = keepMs
    return [id, e]
  }
}

type Str = (k: string, max?: number) => string
type Int = (k: string, optional?: boolean) => number | undefined

function decodeOp (raw: any, str: Str, int: Int): ControlCommand {
  switch (raw.op) {
    case 'config.set': {
      const value = raw.value
      if (typeof value !== 'string' || Buffer.byteLength(value) > CONTROL_LIMITS.valueBytes) throw new Error(`config.set: "value" must be a string of at most ${CONTROL_LIMITS.valueBytes} bytes`)
      return withOptional({ op: 'config.set', key: str('key'), value }, 'expectVersion', int('expectVersion', true))
    }
    case 'config.delete':
      return withOptional({ op: 'config.delete', key: str('key') }, 'expectVersion', int('expectVersion', true))
    case 'grant.set': {
      if (!GRANT_ROLES.includes(raw.role)) throw new Error(`grant.set: "role" must be one of ${GRANT_ROLES.join(', ')}`)
      if (typeof raw.commands !== 'boolean') throw new Error('grant.set: "commands" must be true or false')
      return { op: 'grant.set', peerId: str('peerId'), role: raw.role, commands: raw.commands }
    }
    case 'grant.remove':
      return { op: 'grant.remove', peerId: str('peerId') }
    case 'node.dead':
      return { op: 'node.dead', peerId: str('peerId'), incarnation: int('incarnation')!, reason: typeof raw.reason === 'string' ? raw.reason.slice(0, 512) : '' }
    case 'node.alive':
      return { op: 'node.alive', peerId: str('peerId'), incarnation: int('incarnation')! }
    case 'job.put':
      if (Buffer.byteLength(JSON.stringify(raw.record ?? null)) > CONTROL_LIMITS.jobRecordBytes) throw new Error('job.put: record too large')
      return { op: 'job.put', jobId: str('jobId'), record: raw.record ?? null }
    case 'job.delete':
      return { op: 'job.delete', jobId: str('jobId') }
    case 'job.cancel':
      return { op: 'job.cancel', jobId: str('jobId') }
    case 'jobs.put': {
      if (raw.groups !== undefined) return { op: 'jobs.put', jobs: readGroups(raw.peers, raw.groups) }
      const list = raw.rows !== undefined ? raw.rows : raw.jobs
      if (!Array.isArray(list) || list.length === 0 || list.length > MAX_JOBS_PER_PUT) throw new Error(`jobs.put: "jobs" must list 1 to ${MAX_JOBS_PER_PUT} jobs`)
      const row = raw.rows !== undefined ? compactRowReader(raw.peers) : undefined
      const jobs: Array<[string, JobEntry]> = list.map((pair: unknown) => {
        const [id, e] = row != null ? row(pair) : Array.isArray(pair) ? pair : []
        if (typeof id !== 'string' || id.length === 0 || id.length > CONTROL_LIMITS.keyBytes) throw new Error('jobs.put: a job id must be a non-empty string')
        if (e == null || typeof e.home !== 'string' || !Number.isSafeInteger(e.createdAt) || !REGISTRY_STATES.has(e.state)) throw new Error(`jobs.put: bad entry for job ${id}`)
        const entry: JobEntry = { home: e.home, createdAt: e.createdAt, state: e.state }
        if (e.replicas !== undefined) {
          if (!Array.isArray(e.replicas) || e.replicas.length > MAX_REPLICAS || !e.replicas.every((r: unknown) => typeof r === 'string' && r.length > 0 && r.length <= CONTROL_LIMITS.keyBytes)) throw new Error(`jobs.put: bad replicas for job ${id}`)
          entry.replicas = e.replicas
        }
        if (e.epoch !== undefined) {
          if (!Number.isSafeInteger(e.epoch) || e.epoch < 0) throw new Error(`jobs.put: bad epoch for job ${id}`)
          entry.epoch = e.epoch
        }
        for (const k of ['finishedAt', 'keepMs'] as const) {
          if (e[k] === undefined) continue
          if (!Number.isSafeInteger(e[k]) || e[k] < 0) throw new Error(`jobs.put: bad ${k} for job ${id}`)
          entry[k] = e[k]
        }
        return [id, entry]
      })
      return { op: 'jobs.put', jobs }
    }
    case 'approval.request':
      return { op: 'approval.request', ...parseApprovalRequest(raw) }
    case 'approval.decide': {
      if (typeof raw.approved !== 'boolean') throw new Error('approval.decide: "approved" must be true or false')
      if (raw.timeout !== undefined && typeof raw.timeout !== 'boolean') throw new Error('approval.decide: "timeout" must be true or false')
      if (raw.comment !== undefined && (typeof raw.comment !== 'string' || Buffer.byteLength(raw.comment) > APPROVAL_LIMITS.commentBytes)) throw new Error(`approval.decide: "comment" must be a string of at most ${APPROVAL_LIMITS.commentBytes} bytes`)
      return { op: 'approval.decide', id: str('id', 2 * APPROVAL_LIMITS.nameBytes + 1), approved: raw.approved, ...(raw.comment !== undefined && raw.comment !== '' ? { comment: raw.comment } : {}), ...(raw.timeout === true ? { timeout: true } : {}) }
    }
    case 'jobs.delete': {
      if (!Array.isArray(raw.jobIds) || raw.jobIds.length === 0 || raw.jobIds.length > MAX_JOBS_PER_DELETE) throw new Error(`jobs.delete: "jobIds" must list 1 to ${MAX_JOBS_PER_DELETE} job ids`)
      if (!raw.jobIds.every((id: unknown) => typeof id === 'string' && id.length > 0 && id.length <= CONTROL_LIMITS.keyBytes)) throw new Error('jobs.delete: a job id must be a non-empty string')
      if (raw.resultsOnly !== undefined && typeof raw.resultsOnly !== 'boolean') throw new Error('jobs.delete: "resultsOnly" must be true or false')
      return { op: 'jobs.delete', jobIds: [...raw.jobIds], ...(raw.resultsOnly === true ? { resultsOnly: true } : {}) }
    }
    case 'schedule.put':
    case 'schedule.remove':
    case 'schedule.pause':
    case 'schedule.fired':
      return decodeScheduleOp(raw, str, int)
    default:
      throw new Error(`unknown control command "${String(raw.op)}"`)
  }
}

/** The schedule.* commands, validated as strictly as the CLI and the admin handler do. */
function decodeScheduleOp (raw: any, str: Str, int: Int): ControlCommand {
  const op = String(raw.op)
  const fail = (err: unknown): never => { throw new Error(`${op}: ${(err as Error).message}`) }
  let name = ''
  try { name = checkScheduleName(raw.name) } catch (err) { fail(err) }
  switch (op) {
    case 'schedule.put': {
      const tz = raw.tz === undefined ? undefined : raw.tz
      try { checkCron({ name, cron: raw.cron, ...(tz !== undefined ? { tz } : {}) }) } catch (err) { fail(err) }
      if (!MISFIRE_POLICIES.includes(raw.misfire)) throw new Error(`${op}: "misfire" must be one of ${MISFIRE_POLICIES.join(', ')}`)
      if (typeof raw.paused !== 'boolean') throw new Error(`${op}: "paused" must be true or false`)
      const job = raw.job
      if (job == null || typeof job !== 'object' || Array.isArray(job)) throw new Error(`${op}: "job" must be a JSON object`)
      if (Buffer.byteLength(JSON.stringify(job)) > MAX_SCHEDULE_JOB_BYTES) throw new Error(`${op}: "job" is over ${MAX_SCHEDULE_JOB_BYTES} bytes`)
      const catchUpMs = int('catchUpMs', true)
      if (catchUpMs !== undefined && (catchUpMs < 1 || catchUpMs > MAX_CATCH_UP_MS)) throw new Error(`${op}: "catchUpMs" must be between 1 and ${MAX_CATCH_UP_MS}`)
      return {
        op, name, cron: raw.cron.trim(), ...(tz !== undefined ? { tz } : {}), job, paused: raw.paused, misfire: raw.misfire,
        ...(catchUpMs !== undefined ? { catchUpMs } : {}), createdAt: int('createdAt')!
      }
    }
    case 'schedule.remove':
      return { op, name }
    case 'schedule.pause':
      if (typeof raw.paused !== 'boolean') throw new Error(`${op}: "paused" must be true or false`)
      return { op, name, paused: raw.paused, time: int('time')! }
    default: {
      const at = int('at')!
      const jobId = str('jobId')
      // Never trust the proposer: the id is the one the occurrence has.
      if (jobId !== scheduleJobId(name, at)) throw new Error(`${op}: job id ${jobId} is not occurrence ${at} of schedule ${name}`)
      return { op: 'schedule.fired', name, at, jobId, home: str('home') }
    }
  }
}

/**
 * `{ ...cur, ...entry }` field by field (a put's fields win; those it leaves out stay): every
 * job's final state is merged into its registration on every node, where applying the registry
 * was 7–12 % of a node's CPU on one-task jobs (stop 32); one object, no spread's generic copy.
 */
function mergeEntry (cur: JobEntry, entry: JobEntry): JobEntry {
  const next: JobEntry = { home: entry.home, createdAt: entry.createdAt, state: entry.state }
  const replicas = entry.replicas ?? cur.replicas
  if (replicas !== undefined) next.replicas = replicas
  const epoch = entry.epoch ?? cur.epoch
  if (epoch !== undefined) next.epoch = epoch
  const homes = entry.homes ?? cur.homes
  if (homes !== undefined) next.homes = homes
  const finishedAt = entry.finishedAt ?? cur.finishedAt
  if (finishedAt !== undefined) next.finishedAt = finishedAt
  const keepMs = entry.keepMs ?? cur.keepMs
  if (keepMs !== undefined) next.keepMs = keepMs
  const expired = entry.resultsExpired ?? cur.resultsExpired
  if (expired !== undefined) next.resultsExpired = expired
  return next
}

function withOptional<T extends object, K extends string, V> (obj: T, key: K, value: V | undefined): T {
  return value === undefined ? obj : { ...obj, [key]: value }
}

export class ControlState {
  readonly config = new Map<string, ConfigValue>()
  readonly dead = new Map<string, DeadRecord>()
  /**
   * Per peer, the newest incarnation a committed `node.alive` vouched for: a `node.dead` about
   * an older one (proposed before the peer came back, committed after) is stale and ignored.
   */
  readonly alive = new Map<string, number>()
  readonly jobs = new Map<string, unknown>()
  /** Client peer id -> what it may do. */
  readonly grants = new Map<string, Grant>()
  /**
   * Nodes a committed membership change removed from the Raft configuration (a drain, remove-peer,
   * a long-dead voter), by the index of that change; forgotten when the node is added again.
   * The leader re-adds such a node when it comes back, as it adds a joiner (src/healing/healer.ts).
   */
  readonly removed = new Map<string, number>()
  /** Approval gates by id (src/workflow/approvals.ts), decided ones too, until retention forgets their job. */
  private readonly gates = new Map<string, ApprovalRecord>()
  /** Job id -> its gates' ids: derived from `gates` (rebuilt on restore, never snapshotted). */
  private readonly gatesByJob = new Map<string, Set<string>>()
  /** Schedules by name (src/workflow/schedule.ts). */
  readonly schedules = new Map<string, ScheduleRecord>()
  /** Occurrences fired whose job is not registered yet, by job id: their homes submit them. */
  readonly occurrences = new Map<string, PendingOccurrence>()
  /** What retention did so far, mesh-wide: jobs forgotten, jobs whose results expired. */
  readonly retention = { deleted: 0, resultsExpired: 0 }
  /** Index of the last applied entry (including failed and empty ones). */
  appliedIndex = 0
  /** Told of every command applied successfully (e.g. the work layer reacting to a cancel). */
  onApplied?: (cmd: ControlCommand, index: number) => void
  /**
   * Told of the jobs a command re-homed (a node.dead of their home, or a registration that
   * arrived after its home's death), before onApplied of that command.
   */
  onJobsMoved?: (moves: JobMove[], index: number) => void
  private moves: JobMove[] = []

  /** Apply one committed normal entry. Empty data is a leader's no-op and only advances. */
  apply (index: number, data: Uint8Array): ApplyResult {
    if (index <= this.appliedIndex) return { ok: false, code: 'BAD_COMMAND', message: `entry ${index} already applied` }
    this.appliedIndex = index
    if (data.byteLength === 0) return { ok: true }
    let cmd: ControlCommand
    try {
      cmd = decodeCommand(data)
    } catch (err) {
      return { ok: false, code: 'BAD_COMMAND', message: (err as Error).message }
    }
    const result = this.execute(index, cmd)
    if (this.moves.length > 0) {
      const moves = this.moves
      this.moves = []
      this.onJobsMoved?.(moves, index)
    }
    if (result.ok) this.onApplied?.(cmd, index)
    return result
  }

  private execute (index: number, cmd: ControlCommand): ApplyResult {
    switch (cmd.op) {
      case 'config.set':
      case 'config.delete': {
        const cur = this.config.get(cmd.key)
        const version = cur?.version ?? 0
        if (cmd.expectVersion !== undefined && cmd.expectVersion !== version) {
          return { ok: false, code: 'VERSION_MISMATCH', message: `config "${cmd.key}" is at version ${version}, not ${cmd.expectVersion}` }
        }
        if (cmd.op === 'config.delete') {
          this.config.delete(cmd.key)
          return { ok: true, version: 0 }
        }
        this.config.set(cmd.key, { value: cmd.value, version: version + 1, index })
        return { ok: true, version: version + 1 }
      }
      case 'grant.set':
        this.grants.set(cmd.peerId, { role: cmd.role, commands: cmd.commands, index, ...(cmd.by !== undefined ? { by: cmd.by } : {}), ...(cmd.at !== undefined ? { at: cmd.at } : {}) })
        return { ok: true }
      case 'grant.remove':
        if (!this.grants.delete(cmd.peerId)) return { ok: false, code: 'NOT_FOUND', message: `${cmd.peerId} has no grant` }
        return { ok: true }
      case 'node.dead': {
        const cur = this.dead.get(cmd.peerId)
        // A declaration about an older incarnation than one already declared, or than one
        // already vouched alive, is stale.
        if (cmd.incarnation < (this.alive.get(cmd.peerId) ?? 0)) return { ok: true }
        if (cur == null || cmd.incarnation > cur.incarnation) {
          this.dead.set(cmd.peerId, { incarnation: cmd.incarnation, reason: cmd.reason, index })
          // Its running jobs move to a replica holder (each job on its own, so the order of
          // this map — which differs after a snapshot restore — does not matter).
          for (const [id, e] of this.jobs) this.moveIfHomeDead(id, e as JobEntry)
        }
        return { ok: true }
      }
      case 'node.alive': {
        const cur = this.dead.get(cmd.peerId)
        if (cur != null && cmd.incarnation > cur.incarnation) this.dead.delete(cmd.peerId)
        if (cmd.incarnation > (this.alive.get(cmd.peerId) ?? 0)) this.alive.set(cmd.peerId, cmd.incarnation)
        return { ok: true }
      }
      case 'job.put':
        this.jobs.set(cmd.jobId, cmd.record)
        return { ok: true }
      case 'job.delete':
        this.jobs.delete(cmd.jobId)
        this.dropGates(cmd.jobId)
        return { ok: true }
      case 'jobs.put':
        for (const [id, entry] of cmd.jobs) {
          const cur = this.jobs.get(id) as JobEntry | undefined
          if (cur != null) {
            // A final state is final: a late 'running' re-registration never revives a job.
            if (cur.state !== 'running' && entry.state === 'running') continue
            // A home of an older generation (declared dead, the job re-homed since) is stale.
            if ((entry.epoch ?? 0) < (cur.epoch ?? 0)) continue
            // Two homes claiming one generation of one job id (only deterministic ids can:
            // a schedule's occurrence submitted by a home declared dead, then by the next):
            // the first registered keeps it.
            if (entry.home !== cur.home && (entry.epoch ?? 0) === (cur.epoch ?? 0)) continue
          } else {
            // A scheduled occurrence is registered by the home its fired entry names now,
            // never by a home it moved away from.
            // (Sizes first: a registration of 1 000 jobs asks these maps 1 000 times, and
            // they are almost always empty.)
            const occ = this.occurrences.size > 0 ? this.occurrences.get(id) : undefined
            if (occ != null && occ.home !== entry.home) continue
          }
          if (this.occurrences.size > 0) this.occurrences.delete(id)
          const next: JobEntry = cur == null ? entry : mergeEntry(cur, entry)
          this.jobs.set(id, next)
          // A job over: its gates still waiting will never be needed.
          if (next.state !== 'running') this.cancelGates(id, index, { decidedAt: next.finishedAt, comment: `job ${next.state}` })
          // Registered after its home's death was committed: move it now.
          this.moveIfHomeDead(id, next)
        }
        return { ok: true }
      case 'jobs.delete':
        for (const id of cmd.jobIds) {
          const cur = this.jobs.get(id) as JobEntry | undefined
          // Only finished jobs: a job still running (or revived by nothing) is never forgotten.
          if (cur == null || cur.state === 'running') continue
          if (cmd.resultsOnly === true) {
            if (cur.resultsExpired === true) continue
            this.jobs.set(id, { ...cur, resultsExpired: true })
            this.retention.resultsExpired++
          } else {
            this.jobs.delete(id)
            this.dropGates(id)
            this.retention.deleted++
          }
        }
        return { ok: true }
      case 'job.cancel': {
        const cur = this.jobs.get(cmd.jobId) as JobEntry | undefined
        if (cur == null) return { ok: false, code: 'NOT_FOUND', message: `no job ${cmd.jobId}` }
        if (cur.state !== 'running') return { ok: false, code: 'JOB_FINISHED', message: `job ${cmd.jobId} is already ${cur.state}` }
        this.jobs.set(cmd.jobId, { ...cur, state: 'cancelled' })
        this.cancelGates(cmd.jobId, index, { decidedAt: cmd.at, by: cmd.by, comment: 'job cancelled' })
        return { ok: true }
      }
      case 'approval.request': {
        // Idempotent: a home that asks again (a retry, a restart, a new home) changes nothing.
        if (this.gates.has(cmd.id)) return { ok: true }
        const job = this.jobs.get(cmd.jobId) as JobEntry | undefined
        if (job == null) return { ok: false, code: 'NOT_FOUND', message: `no job ${cmd.jobId} in the mesh's registry: an approval gate needs a running workflow` }
        if (job.state !== 'running') return { ok: false, code: 'JOB_FINISHED', message: `job ${cmd.jobId} is already ${job.state}: its gates need no approval` }
        const { op: _op, by: _by, at: _at, ...req } = cmd
        this.gates.set(cmd.id, { ...req, state: 'pending', index })
        this.indexGate(cmd.jobId, cmd.id)
        return { ok: true }
      }
      case 'approval.decide': {
        const cur = this.gates.get(cmd.id)
        if (cur == null) return { ok: false, code: 'NOT_FOUND', message: `no approval ${cmd.id}: \`meshnode approvals\` lists pending ones` }
        if (cur.state !== 'pending') return { ok: false, code: 'ALREADY_DECIDED', message: `approval ${cmd.id} was already ${describeDecision(cur)}` }
        this.gates.set(cmd.id, {
          ...cur,
          state: cmd.approved ? 'approved' : 'rejected',
          decidedIndex: index,
          ...(cmd.at !== undefined ? { decidedAt: cmd.at } : {}),
          ...(cmd.timeout === true ? { by: TIMEOUT_DECIDER } : cmd.by !== undefined ? { by: cmd.by } : {}),
          ...(cmd.comment !== undefined ? { comment: cmd.comment } : {})
        })
        return { ok: true }
      }
      case 'schedule.put': {
        const cur = this.schedules.get(cmd.name)
        const rec: ScheduleRecord = {
          cron: cmd.cron,
          ...(cmd.tz !== undefined ? { tz: cmd.tz } : {}),
          job: cmd.job,
          paused: cmd.paused,
          misfire: cmd.misfire,
          ...(cmd.catchUpMs !== undefined ? { catchUpMs: cmd.catchUpMs } : {}),
          createdAt: cur?.createdAt ?? cmd.createdAt,
          since: cmd.createdAt,
          ...(cur?.lastFiredAt !== undefined ? { lastFiredAt: cur.lastFiredAt, lastJobId: cur.lastJobId!, lastHome: cur.lastHome! } : {}),
          fired: cur?.fired ?? 0,
          index,
          ...(cmd.by !== undefined ? { by: cmd.by } : {}),
          ...(cmd.at !== undefined ? { at: cmd.at } : {})
        }
        this.schedules.set(cmd.name, rec)
        return { ok: true }
      }
      case 'schedule.remove': {
        const cur = this.schedules.get(cmd.name)
        if (cur == null) return { ok: false, code: 'NOT_FOUND', message: `no schedule "${cmd.name}"` }
        this.schedules.delete(cmd.name)
        // A fired occurrence is owed its run: it keeps the job its home is to submit.
        for (const [id, occ] of this.occurrences) if (occ.schedule === cmd.name && occ.job == null) this.occurrences.set(id, { ...occ, job: cur.job })
        return { ok: true }
      }
      case 'schedule.pause': {
        const cur = this.schedules.get(cmd.name)
        if (cur == null) return { ok: false, code: 'NOT_FOUND', message: `no schedule "${cmd.name}"` }
        // Resuming counts occurrences from now on: none missed while paused is fired.
        const resumed = cur.paused && !cmd.paused
        this.schedules.set(cmd.name, { ...cur, paused: cmd.paused, ...(resumed ? { since: Math.max(cur.since, cmd.time) } : {}) })
        return { ok: true }
      }
      case 'schedule.fired':
        return this.fire(cmd)
    }
  }

  /** One gate by id (`${jobId}:${step}`). */
  approval (id: string): ApprovalRecord | undefined {
    return this.gates.get(id)
  }

  /** Gates sorted by id; `pending`: only those still waiting. */
  approvals (opts: { pending?: boolean, jobId?: string } = {}): ApprovalRecord[] {
    // Asked for every finished job on every node (src/node/services/approvals.ts); almost
    // none has a gate, so that answer allocates and sorts nothing.
    const byJob = opts.jobId !== undefined ? this.gatesByJob.get(opts.jobId) : undefined
    if (opts.jobId !== undefined && byJob === undefined) return []
    const ids = byJob !== undefined ? [...byJob] : [...this.gates.keys()]
    const out: ApprovalRecord[] = []
    for (const id of ids.sort()) {
      const r = this.gates.get(id)!
      if (opts.pending !== true || r.state === 'pending') out.push(r)
    }
    return out
  }

  private indexGate (jobId: string, id: string): void {
    let ids = this.gatesByJob.get(jobId)
    if (ids == null) this.gatesByJob.set(jobId, ids = new Set())
    ids.add(id)
  }

  /** The job is over: its pending gates are cancelled (the same on every node: it reads only this state). */
  private cancelGates (jobId: string, index: number, how: { decidedAt?: number, by?: string, comment: string }): void {
    if (this.gatesByJob.size === 0) return
    for (const id of this.gatesByJob.get(jobId) ?? []) {
      const g = this.gates.get(id)!
      if (g.state !== 'pending') continue
      this.gates.set(id, { ...g, state: 'cancelled', decidedIndex: index, comment: how.comment, ...(how.decidedAt !== undefined ? { decidedAt: how.decidedAt } : {}), ...(how.by !== undefined ? { by: how.by } : {}) })
    }
  }

  /** Retention forgot the job: its gates go with it. */
  private dropGates (jobId: string): void {
    for (const id of this.gatesByJob.get(jobId) ?? []) this.gates.delete(id)
    this.gatesByJob.delete(jobId)
  }

  /** schedule.fired: a new occurrence (monotone), or a pending one moving off a dead home. */
  private fire (cmd: Extract<ControlCommand, { op: 'schedule.fired' }>): ApplyResult {
    const s = this.schedules.get(cmd.name)
    const pending = this.occurrences.get(cmd.jobId)
    if (pending != null && pending.schedule === cmd.name && pending.at === cmd.at) {
      // Fired before, job not registered: it moves only off a home declared dead (even
      // after its schedule was removed: a fired occurrence is owed its run).
      if (pending.home === cmd.home || !this.dead.has(pending.home)) return { ok: false, code: 'VERSION_MISMATCH', message: `occurrence ${cmd.at} of schedule "${cmd.name}" is already with ${pending.home}, which is not declared dead` }
      this.occurrences.set(cmd.jobId, { ...pending, home: cmd.home, moves: pending.moves + 1 })
      if (s?.lastJobId === cmd.jobId) this.schedules.set(cmd.name, { ...s, lastHome: cmd.home })
      return { ok: true }
    }
    if (s == null) return { ok: false, code: 'NOT_FOUND', message: `no schedule "${cmd.name}"` }
    if (cmd.at <= (s.lastFiredAt ?? -1)) return { ok: false, code: 'VERSION_MISMATCH', message: `occurrence ${cmd.at} of schedule "${cmd.name}" was already fired` }
    if (s.paused) return { ok: false, code: 'VERSION_MISMATCH', message: `schedule "${cmd.name}" is paused` }
    if (cmd.at <= s.since) return { ok: false, code: 'VERSION_MISMATCH', message: `occurrence ${cmd.at} of schedule "${cmd.name}" is before it was created, replaced or resumed` }
    // A job id taken already (a hash collision with another schedule, or a job minted with
    // the same id): never run this occurrence under someone else's id.
    if (this.jobs.has(cmd.jobId) || pending != null) return { ok: false, code: 'VERSION_MISMATCH', message: `job id ${cmd.jobId} is taken` }
    this.schedules.set(cmd.name, { ...s, lastFiredAt: cmd.at, lastJobId: cmd.jobId, lastHome: cmd.home, fired: s.fired + 1 })
    this.occurrences.set(cmd.jobId, { schedule: cmd.name, at: cmd.at, home: cmd.home, moves: 0 })
    return { ok: true }
  }

  /**
   * A running job whose home is declared dead goes to the first replica holder not declared
   * dead, in a new home generation — a holder that was its home before only when no other is
   * left. With no replica left (a mesh of one at submit, or more nodes lost than the guarantee
   * covers) it stays where it is: the home may come back.
   * Deterministic: it reads only this state.
   */
  private moveIfHomeDead (id: string, e: JobEntry | undefined): void {
    if (this.dead.size === 0 || e == null || typeof e !== 'object' || e.state !== 'running' || !this.dead.has(e.home)) return
    const epoch = (e.epoch ?? 0) + 1
    const homes = [...(e.homes ?? []), e.home]
    // A holder that has not been home yet; else one that was home and is alive again (its
    // death cleared by node.alive): it kept its copy (a holder keeps it until the job is over)
    // and runs the job again in the new generation. homes[0] is the submit's home, no holder.
    const to = (e.replicas ?? []).find(r => !this.dead.has(r) && !homes.includes(r)) ??
      homes.slice(1).find(h => h !== e.home && !this.dead.has(h))
    if (to == null) return
    this.jobs.set(id, { ...e, home: to, epoch, homes, replicas: (e.replicas ?? []).filter(r => r !== to) })
    this.moves.push({ jobId: id, from: e.home, to, epoch })
  }

  /**
   * A committed membership change (a Raft `conf` entry): record removals, forget re-additions.
   * Conf entries do not advance appliedIndex (they are the core's); replaying one is harmless.
   */
  confApplied (index: number, change: { type: string, nodeId: string }): void {
    if (change.type === 'remove') this.removed.set(change.nodeId, index)
    else this.removed.delete(change.nodeId)
  }

  /** Deterministic bytes: maps are written as key-sorted arrays. */
  snapshot (): Uint8Array {
    const sorted = <V>(m: Map<string, V>): Array<[string, V]> => [...m.entries()].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)
    return new TextEncoder().encode(JSON.stringify({
      v: COMMAND_VERSION,
      appliedIndex: this.appliedIndex,
      config: sorted(this.config),
      dead: sorted(this.dead),
      alive: sorted(this.alive),
      jobs: sorted(this.jobs),
      grants: sorted(this.grants),
      removed: sorted(this.removed),
      retention: this.retention,
      approvals: sorted(this.gates),
      schedules: sorted(this.schedules),
      occurrences: sorted(this.occurrences)
    }))
  }

  static restore (data: Uint8Array): ControlState {
    const s = new ControlState()
    if (data.byteLength === 0) return s
    const raw = JSON.parse(new TextDecoder().decode(data))
    if (raw?.v !== COMMAND_VERSION) throw new Error(`unsupported control snapshot version ${String(raw?.v)}`)
    s.appliedIndex = raw.appliedIndex
    for (const [k, v] of raw.config) s.config.set(k, v)
    for (const [k, v] of raw.dead) s.dead.set(k, v)
    // Snapshots from before node.alive was recorded have no alive map.
    for (const [k, v] of raw.alive ?? []) s.alive.set(k, v)
    for (const [k, v] of raw.jobs) s.jobs.set(k, v)
    // Snapshots from before access control have no grants.
    for (const [k, v] of raw.grants ?? []) s.grants.set(k, v)
    // Snapshots from before membership operations have no removed map.
    for (const [k, v] of raw.removed ?? []) s.removed.set(k, v)
    // Snapshots from before retention have no counters.
    s.retention.deleted = raw.retention?.deleted ?? 0
    s.retention.resultsExpired = raw.retention?.resultsExpired ?? 0
    // Snapshots from before approval gates have none.
    for (const [k, v] of raw.approvals ?? []) {
      s.gates.set(k, v)
      s.indexGate(v.jobId, k)
    }
    // Snapshots from before schedules have none.
    for (const [k, v] of raw.schedules ?? []) s.schedules.set(k, v)
    for (const [k, v] of raw.occurrences ?? []) s.occurrences.set(k, v)
    return s
  }
}
