// The job model: what a client submits, how it becomes tasks, and the ids that make re-runs
// deduplicate. A job is a tree of tasks; its roots come from the submission, the rest from
// handlers calling ctx.spawn(). Task ids are deterministic — `<job>/<i>` for the i-th root,
// `<parent>.<k>` for a parent's k-th child — so a task re-run after a crash spawns children
// with the same ids, and every result is recorded once per id.

import { lazyRequire } from '../lazy-require.js'
import { schemaCheck, type Validate } from '../json-schema.js'
import { JOB_LIMITS } from './limits.js'
import { WorkError } from './errors.js'
import type { AttemptFailure } from './core/ladder.js'
import { WorkflowError, parseWorkflow, resolveInputs, type StepRecord, type WorkflowDef } from '../workflow/index.js'

/** The built-in task type that runs a shell command (only on nodes with --allow-commands). */
export const CMD_TYPE = 'cmd'
/** The capability a node started with --allow-commands advertises, and `cmd` tasks require. */
export const COMMANDS_CAPABILITY = 'commands'
/** Every handler a node loads is advertised as this capability plus its name. */
export const HANDLER_CAPABILITY_PREFIX = 'handler:'

/** The reserved type of a workflow's driver task (src/work/workflows.ts): no handler may have it (the job schema refuses `$`). */
export const WORKFLOW_TYPE = '$workflow'

/** What a workflow's driver task carries (its JSON payload): enough to run the workflow again anywhere. */
export interface WorkflowPayload {
  def: WorkflowDef
  inputs: Record<string, unknown>
  /** Steps taken as already done (retry-from): their records are reused, they do not run. */
  reuse?: Record<string, StepRecord>
  /** The workflow this one retries. */
  retryOf?: string
}

export const TASK_DEFAULTS = { attempts: 3, timeoutMs: 60_000, priority: 0 } as const

/** One task as a client writes it (in a job file, the CLI or the library API). */
export interface TaskInput {
  type: string
  payload?: unknown
  /** Capabilities a node must advertise to run this task (besides the handler itself). */
  requires?: string[]
  /** Total tries before the task fails (1 = no retry). */
  attempts?: number
  /** Per-attempt limit; 0 disables it. */
  timeoutMs?: number
  /** Higher runs first. */
  priority?: number
}

/** A submission: the roots of one job, with defaults for its tasks. */
export interface JobInput {
  tasks: TaskInput[]
  /** A label shown by `meshnode jobs`. */
  name?: string
  requires?: string[]
  attempts?: number
  timeoutMs?: number
  priority?: number
  /**
   * Queue the job even when no live node can run some of its tasks yet, and wait this long
   * (ms; 0 = for ever) for one to join; then those tasks fail with NO_CAPABLE_NODE. Without
   * it a submit that no live node can run is refused at once.
   */
  waitForCapableMs?: number
  /**
   * How long the mesh keeps the job once finished, in ms (a job file may say "7d", "12h"):
   * replaces retention.maxAgeMs and retention.resultsMaxAgeMs for this job (see
   * src/consensus/retention.ts). The count limit (retention.maxJobs) still applies.
   */
  keep?: number
  /**
   * Internal (not in the job schema, so never from a client's JSON): the id to register the
   * job under instead of minting one. A schedule's occurrence uses a deterministic id, so the
   * registry can tell a second submit of the same occurrence (src/node/services/schedules.ts).
   */
  jobId?: string
  /** Start the job's tasks this long after it is accepted (ms; submit --delay). */
  delayMs?: number
  /** Start the job's tasks no earlier than this time (ms since the epoch; submit --at). */
  at?: number
  /** A workflow (src/workflow/): the job's one root task is its driver (src/work/workflows.ts). */
  workflow?: WorkflowPayload
}

/** A task as it travels and is stored: everything a node needs to run it. */
export interface Task {
  id: string
  jobId: string
  type: string
  /** JSON text of the payload. */
  payload: string
  /** Every capability needed, the handler's own included. */
  requires: string[]
  maxAttempts: number
  /** Attempts already made. */
  attempts: number
  timeoutMs: number
  priority: number
  /** The job's home node: where its results go. */
  home: string
  /** Its failed attempts so far (the escalation ladder, src/work/core/ladder.ts); absent when none. */
  failures?: AttemptFailure[]
  /** A root task of a delayed job (submit --delay/--at): not run before this (the home's clock, ms). */
  notBefore?: number
}

/**
 * A job id: time first, so ids sort by submission; then a prefix random per minting process
 * (or per work core) and a counter, which keeps ids minted in the same millisecond apart and
 * in order. Pure: the caller brings the clock, the prefix and the counter.
 */
export function formatJobId (now: number, prefix: string, counter: number): string {
  return `${now.toString(36).padStart(9, '0')}-${prefix}${counter.toString(36).padStart(4, '0')}`
}

/** When a job id was minted (its first 9 characters are the time in base 36), or NaN. */
export function jobIdTime (jobId: string): number {
  return Number.parseInt(jobId.slice(0, 9), 36)
}

/**
 * A root task's id. A job re-homed after its home died runs again from its roots in a new
 * home generation (`epoch`): its task ids carry the generation (`<job>/<index>@<epoch>`), so
 * they can never be confused with the ids of the lost run, whose stragglers may still be
 * around (an outbox, a lagging peer). Within a generation ids are deterministic, so a re-run
 * of lent work deduplicates.
 */
export function rootTaskId (jobId: string, index: number, epoch = 0): string {
  return epoch === 0 ? `${jobId}/${index}` : `${jobId}/${index}@${epoch}`
}

/** The home generation a task id belongs to (0 for the first home). */
export function epochOfTask (taskId: string): number {
  const slash = taskId.indexOf('/')
  const at = taskId.indexOf('@', slash)
  if (slash < 0 || at < 0) return 0
  const dot = taskId.indexOf('.', at)
  const n = Number(taskId.slice(at + 1, dot < 0 ? undefined : dot))
  return Number.isSafeInteger(n) && n > 0 ? n : 0
}

export function childTaskId (parentId: string, index: number): string {
  return `${parentId}.${index}`
}

/** The job a task id belongs to: ids are `<job>/<rest>`. */
export function jobOfTask (taskId: string): string {
  const slash = taskId.indexOf('/')
  return slash < 0 ? '' : taskId.slice(0, slash)
}

/** The capability that stands for being able to run tasks of `type`. */
export function capabilityOf (type: string): string {
  return type === CMD_TYPE ? COMMANDS_CAPABILITY : HANDLER_CAPABILITY_PREFIX + type
}

/** True when a node advertising `have` may run a task that needs `requires`. */
export function canRun (have: ReadonlySet<string> | readonly string[], requires: readonly string[]): boolean {
  // Called per task when granting, queueing and viewing jobs: allocate nothing. Most tasks
  // require nothing, and a node advertises a handful of capabilities, so a scan of the list
  // beats building a Set of it for every call.
  if (requires.length === 0) return true
  if (have instanceof Set) {
    for (const r of requires) if (!have.has(r)) return false
    return true
  }
  for (const r of requires) if (!(have as readonly string[]).includes(r)) return false
  return true
}

/** The longest a job may wait for a capable node to join (waitForCapableMs). */
export const MAX_CAPABLE_WAIT_MS = 30 * 24 * 3600_000


/**
 * Validates a submission (from JSON: anything may be wrong) against the job schema
 * (schemas/job.schema.json) and returns it. Throws WorkError('BAD_JOB') listing every problem
 * at once, each with its place (`tasks[2].attempts`) and, for a misspelt field, the field
 * meant; nothing is written before this passes.
 */
export function parseJobInput (raw: unknown): JobInput {
  if (raw == null || typeof raw !== 'object' || Array.isArray(raw)) throw new WorkError('BAD_JOB', 'a job must be a JSON object with a "tasks" array (or a single task with a "type")')
  if ('workflow' in raw) return parseWorkflowJob(raw as Record<string, unknown>)
  const problems = checkJob(raw)
  const obj = raw as Record<string, unknown>
  // A single task is accepted as shorthand for a one-task job.
  const tasksRaw = (obj.tasks ?? [obj]) as Array<Record<string, unknown>>
  if (problems.length === 0) tasksRaw.forEach((t, i) => { if (t.type === CMD_TYPE) problems.push(...commandPayloadProblems(t.payload, obj.tasks != null ? `tasks[${i}].payload` : 'payload')) })
  if (problems.length > 0) throw new WorkError('BAD_JOB', problems.length === 1 ? problems[0]! : `${problems.length} problems: ${problems.join('; ')}`)
  // Built field by field: spreads of objects made by Object.fromEntries cost ~3 KB of garbage
  // per one-task job, the largest allocation of a busy home (issue 14, stop 31).
  const tasks = tasksRaw.map(t => {
    const task: TaskInput = { type: t.type as string }
    if (t.payload !== undefined) task.payload = t.payload
    if (t.requires !== undefined) task.requires = t.requires as string[]
    if (t.attempts !== undefined) task.attempts = t.attempts as number
    if (t.timeoutMs !== undefined) task.timeoutMs = t.timeoutMs as number
    if (t.priority !== undefined) task.priority = t.priority as number
    return task
  })
  const input: JobInput = { tasks }
  if (typeof obj.name === 'string') input.name = obj.name
  if (obj.requires !== undefined) input.requires = obj.requires as string[]
  if (obj.attempts !== undefined) input.attempts = obj.attempts as number
  if (obj.timeoutMs !== undefined) input.timeoutMs = obj.timeoutMs as number
  if (obj.priority !== undefined) input.priority = obj.priority as number
  if (obj.waitForCapableMs !== undefined) input.waitForCapableMs = obj.waitForCapableMs as number
  const keep = parseKeep(obj.keep)
  if (keep !== undefined) input.keep = keep
  const start = parseStart(obj)
  if (start.delayMs !== undefined) input.delayMs = start.delayMs
  if (start.at !== undefined) input.at = start.at
  return input
}

/** The fields a workflow submission may have besides its definition. */
const WORKFLOW_JOB_FIELDS = new Set(['$schema', 'workflow', 'inputs', 'name', 'keep', 'delay', 'at', 'waitForCapableMs', 'reuse', 'retryOf'])

/**
 * A workflow submission: `{"workflow": <definition>, "inputs"?: {...}, "name"?, "keep"?,
 * "delay"?, "at"?, "waitForCapableMs"?}` (plus `reuse` and `retryOf`, which `meshnode workflow
 * retry` fills in). The definition is validated whole (src/workflow/), the inputs against its
 * declared ones; nothing is written before both pass.
 */
function parseWorkflowJob (obj: Record<string, unknown>): JobInput {
  const unknown = Object.keys(obj).filter(k => !WORKFLOW_JOB_FIELDS.has(k))
  if (unknown.length > 0) throw new WorkError('BAD_JOB', `a workflow submission has no field ${unknown.map(k => JSON.stringify(k)).join(', ')} (it takes: ${[...WORKFLOW_JOB_FIELDS].filter(k => k !== '$schema').join(', ')})`)
  const given = obj.inputs ?? {}
  if (given == null || typeof given !== 'object' || Array.isArray(given)) throw new WorkError('BAD_JOB', 'a workflow\'s "inputs" must be an object of name: value')
  let def: WorkflowDef
  let inputs: Record<string, unknown>
  try {
    def = parseWorkflow(obj.workflow)
    inputs = resolveInputs(def, given as Record<string, unknown>)
  } catch (err) {
    // One code for every bad submission, whatever part of it is wrong.
    if (err instanceof WorkflowError) throw new WorkError('BAD_JOB', err.message, { cause: err })
    throw err
  }
  if (obj.name !== undefined && (typeof obj.name !== 'string' || obj.name.length > 200)) throw new WorkError('BAD_JOB', '"name" must be a string of at most 200 characters')
  if (obj.retryOf !== undefined && (typeof obj.retryOf !== 'string' || obj.retryOf.length > 256)) throw new WorkError('BAD_JOB', '"retryOf" must be a job id')
  const reuse = obj.reuse === undefined ? undefined : parseReuse(obj.reuse, def.steps)
  const wait = obj.waitForCapableMs
  if (wait !== undefined && (!Number.isSafeInteger(wait) || (wait as number) < 0 || (wait as number) > MAX_CAPABLE_WAIT_MS)) throw new WorkError('BAD_JOB', `"waitForCapableMs" must be a whole number of ms from 0 to ${MAX_CAPABLE_WAIT_MS}`)
  const workflow: WorkflowPayload = { def, inputs, ...(reuse != null ? { reuse } : {}), ...(typeof obj.retryOf === 'string' ? { retryOf: obj.retryOf } : {}) }
  const name = typeof obj.name === 'string' ? obj.name : def.name
  return { tasks: [], workflow, ...(name != null ? { name } : {}), ...dropUndefined({ waitForCapableMs: wait as number | undefined, keep: parseKeep(obj.keep) }), ...parseStart(obj) }
}

function parseReuse (raw: unknown, steps: Record<string, unknown>): Record<string, StepRecord> {
  if (raw == null || typeof raw !== 'object' || Array.isArray(raw)) throw new WorkError('BAD_JOB', '"reuse" must be an object of step name: {outcome, output?}')
  const out: Record<string, StepRecord> = {}
  for (const [name, rec] of Object.entries(raw as Record<string, unknown>)) {
    if (!Object.hasOwn(steps, name)) throw new WorkError('BAD_JOB', `"reuse" names step "${name}", which the workflow does not have`)
    const r = rec as Record<string, unknown> | null
    if (r == null || typeof r !== 'object' || (r.outcome !== 'success' && r.outcome !== 'skipped')) throw new WorkError('BAD_JOB', `"reuse.${name}" must be {"outcome": "success" | "skipped", "output"?: ...}`)
    out[name] = { outcome: r.outcome, ...(r.output !== undefined ? { output: r.output } : {}), reused: true }
  }
  return out
}

/**
 * The shell commands a job would run: its `cmd` tasks, or a workflow's `cmd` steps (their
 * text before expressions are resolved). Submitting any needs the right to run commands.
 */
export function shellCommandsOf (job: JobInput): string[] {
  if (job.workflow != null) {
    const out: string[] = []
    for (const s of Object.values(job.workflow.def.steps)) {
      if (s.cmd != null) out.push(s.cmd)
      else if (s.type === CMD_TYPE) out.push(JSON.stringify((s.with as { cmd?: unknown } | undefined)?.cmd ?? null))
    }
    return out
  }
  return job.tasks.filter(t => t.type === CMD_TYPE).map(t => String((t.payload as { cmd?: unknown } | null)?.cmd))
}

/** Longest a job may be delayed (submit --delay / --at). */
export const MAX_DELAY_MS = 30 * 86_400_000

/** A job's "delay" and "at" (both optional, not both). */
function parseStart (obj: Record<string, unknown>): Pick<JobInput, 'delayMs' | 'at'> {
  if (obj.delay !== undefined && obj.at !== undefined) throw new WorkError('BAD_JOB', 'a job takes "delay" or "at", not both')
  if (obj.delay !== undefined) {
    const ms = parseDuration(obj.delay)
    if (ms == null || ms > MAX_DELAY_MS) throw new WorkError('BAD_JOB', `job "delay" must be ms or a duration such as "30s", "2h" (at most 30 days), not ${JSON.stringify(obj.delay)}`)
    return { delayMs: ms }
  }
  if (obj.at !== undefined) {
    const at = typeof obj.at === 'number' ? obj.at : typeof obj.at === 'string' ? Date.parse(obj.at) : NaN
    if (!Number.isSafeInteger(at) || at < 0) throw new WorkError('BAD_JOB', `job "at" must be ms since the epoch or an ISO 8601 time such as "2026-12-01T09:00:00Z", not ${JSON.stringify(obj.at)}`)
    return { at }
  }
  return {}
}

/** Whole ms from a number or a duration text ("250ms", "30s", "5m", "2h", "7d"); undefined if neither. */
export function parseDuration (v: unknown): number | undefined {
  let ms = NaN
  if (typeof v === 'number') ms = v
  else if (typeof v === 'string') {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(v.trim())
    if (m != null) ms = Math.round(Number(m[1]) * KEEP_UNIT_MS[m[2] ?? 'ms']!)
  }
  return Number.isSafeInteger(ms) && ms >= 0 ? ms : undefined
}

/** Longest a job may ask to be kept: ten years (src/consensus/retention.ts MAX_RETENTION_MS). */
const MAX_KEEP_MS = 10 * 365 * 86_400_000
const KEEP_UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/** A job's "keep": whole milliseconds, or a duration text such as "90s", "12h", "7d". */
export function parseKeep (v: unknown): number | undefined {
  if (v === undefined) return undefined
  let ms = NaN
  if (typeof v === 'number') ms = v
  else if (typeof v === 'string') {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(v.trim())
    if (m != null) ms = Math.round(Number(m[1]) * KEEP_UNIT_MS[m[2] ?? 'ms']!)
  }
  if (!Number.isSafeInteger(ms) || ms < 1 || ms > MAX_KEEP_MS) throw new WorkError('BAD_JOB', `job "keep" must be how long to keep the job once finished: whole milliseconds or a duration such as "90s", "12h", "7d" (at most 10 years), not ${JSON.stringify(v)}`)
  return ms
}

const checkJob = schemaCheck(lazyRequire<Validate>('job-validate', 'to check job files'))

/** Turns a validated input into the job's root tasks; throws if a payload is too large. */
export function rootTasks (jobId: string, home: string, job: JobInput): Task[] {
  if (job.workflow != null) return [workflowDriver(jobId, home, job.workflow)]
  return job.tasks.map((t, i) => makeTask(rootTaskId(jobId, i), jobId, home, t, job))
}

/** A workflow's one root task: it carries the definition, never runs on a handler, never leaves home. */
function workflowDriver (jobId: string, home: string, wf: WorkflowPayload): Task {
  return { id: rootTaskId(jobId, 0), jobId, type: WORKFLOW_TYPE, payload: encodePayload(wf, `workflow ${jobId}`), requires: [], maxAttempts: 1, attempts: 0, timeoutMs: 0, priority: 0, home }
}

/** A job's root tasks (as first submitted) for a new home generation, never attempted. */
export function rehomedRoots (roots: readonly Task[], home: string, epoch: number): Task[] {
  return roots.map((t, i) => ({ ...t, id: rootTaskId(t.jobId, i, epoch), home, attempts: 0 }))
}

export function makeTask (id: string, jobId: string, home: string, t: TaskInput, defaults: Omit<JobInput, 'tasks'> = {}): Task {
  const payload = encodePayload(t.payload, `task ${id}`)
  const requires = requirementsOf(t.type, defaults.requires, t.requires)
  if (requires.length > JOB_LIMITS.requires) throw new WorkError('BAD_JOB', `task ${id} requires ${requires.length} capabilities; at most ${JOB_LIMITS.requires}`)
  return {
    id,
    jobId,
    type: t.type,
    payload,
    requires,
    maxAttempts: t.attempts ?? defaults.attempts ?? TASK_DEFAULTS.attempts,
    attempts: 0,
    timeoutMs: t.timeoutMs ?? defaults.timeoutMs ?? TASK_DEFAULTS.timeoutMs,
    priority: t.priority ?? defaults.priority ?? TASK_DEFAULTS.priority,
    home
  }
}

/** Shared, frozen requirement lists for tasks that only need their handler (the usual case). */
const BARE_REQUIREMENTS = new Map<string, readonly string[]>()

function requirementsOf (type: string, jobLevel: readonly string[] | undefined, own: readonly string[] | undefined): string[] {
  if ((jobLevel == null || jobLevel.length === 0) && (own == null || own.length === 0)) {
    let bare = BARE_REQUIREMENTS.get(type)
    if (bare == null) {
      bare = Object.freeze([capabilityOf(type)])
      if (BARE_REQUIREMENTS.size < 1024) BARE_REQUIREMENTS.set(type, bare)
    }
    return bare as string[]
  }
  return [...new Set([capabilityOf(type), ...(jobLevel ?? []), ...(own ?? [])])].sort()
}

/** JSON text of a payload or result, within the size limit. `undefined` becomes null. */
export function encodePayload (value: unknown, what: string): string {
  let text: string
  try {
    text = JSON.stringify(value ?? null)
  } catch (err) {
    throw new WorkError('BAD_JOB', `${what}: the payload is not JSON-serialisable (${(err as Error).message})`)
  }
  if (text === undefined) throw new WorkError('BAD_JOB', `${what}: the payload is not JSON-serialisable`)
  if (Buffer.byteLength(text) > JOB_LIMITS.payloadBytes) {
    throw new WorkError('PAYLOAD_TOO_LARGE', `${what}: the payload is ${Buffer.byteLength(text)} bytes; the limit is ${JOB_LIMITS.payloadBytes}. Store large inputs elsewhere and pass a reference.`)
  }
  return text
}

function commandPayloadProblems (payload: unknown, where: string): string[] {
  const p = payload as Record<string, unknown> | null
  if (p == null || typeof p !== 'object' || typeof p.cmd !== 'string' || p.cmd.trim() === '') {
    return [`${where}: a "cmd" task needs a payload {"cmd": "shell command", "cwd"?: "dir", "env"?: {...}}`]
  }
  return []
}

function dropUndefined<T extends object> (obj: T): T {
  const out: Record<string, unknown> = {}
  for (const k in obj) {
    const v = obj[k]
    if (v !== undefined) out[k] = v
  }
  return out as T
}
