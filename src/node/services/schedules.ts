// The schedule runner: fires each occurrence of the schedules in the control log exactly once,
// from the leader, and has the job of each submitted by the node the occurrence names.
//
// - The leader (only it) wakes at the earliest next occurrence (re-checking at least every
//   second), asks src/workflow/schedule.ts which occurrences are due under each schedule's
//   misfire policy, and proposes one `schedule.fired {name, at, jobId, home: itself}` per
//   occurrence, oldest first. The control state applies a fired entry only if `at` is later
//   than the schedule's last fired occurrence, so two leaders racing over one occurrence (a
//   deposed one and its successor) commit it once; a new leader reads the last fired
//   occurrence from the log and carries on from there.
// - The home named in an applied fired entry submits the job under the occurrence's
//   deterministic id (scheduleJobId) through the WorkShell, as an admin submit does. Until a
//   registration of that id applies, the control state keeps the occurrence pending; this
//   runner submits every pending occurrence naming this node that neither the registry nor
//   this node's job store holds — right after the apply, and again after a restart.
// - A pending occurrence whose home is declared dead (node.dead committed) before registering
//   its job is moved by the leader to itself with another fired entry for the same occurrence,
//   which the control state accepts only while that home is dead and the job unregistered;
//   and it registers the job only from the home the occurrence names now.
// - A job that cannot be submitted for good (not a valid job, no node can run it) is recorded
//   failed in the registry under the occurrence's id: the occurrence is over, with a reason in
//   the log. A passing refusal (no quorum, draining, out of memory) is retried.
import type { JobEntry, PendingOccurrence, ScheduleRecord } from '../../consensus/control.js'
import { MAX_SCHEDULE_JOB_BYTES } from '../../consensus/control.js'
import type { AdminParams, AdminResult } from '../../wire/calls.js'
import { CMD_TYPE, parseJobInput, type JobInput } from '../../work/spec.js'
import {
  DEFAULT_CATCH_UP_MS, DEFAULT_MISFIRE, MAX_CATCH_UP_MS, MISFIRE_POLICIES, checkCron, checkScheduleName,
  dueOccurrences, nextOccurrence, scheduleJobId, type CronSpec, type MisfirePolicy
} from '../../workflow/schedule.js'
import { errorMessage } from '../errors.js'
import type { Logger } from '../log.js'
import type { Metrics } from '../metrics.js'
import type { EventLog } from '../observe/events.js'
import type { ConsensusService } from './consensus.js'
import type { WorkShell } from './work-shell.js'

export interface SchedulesOptions {
  /** The leader re-checks at least this often (it also wakes at each next occurrence). */
  checkEveryMs: number
  /** A submit refused for a passing reason is tried again after this long. */
  retryMs: number
}

export const defaultSchedulesOptions: SchedulesOptions = {
  // Cheap (one cron evaluation per schedule), and bounds how late an occurrence is fired when
  // a timer was set before a schedule changed.
  checkEveryMs: 1_000,
  retryMs: 2_000
}

export interface SchedulesComponents {
  self: string
  consensus: Pick<ConsensusService, 'status' | 'control' | 'propose' | 'onApplied' | 'onRestored' | 'onRoleChange'>
  engine: Pick<WorkShell, 'submit' | 'jobRecord'>
  /** Registers entries in the job registry (the work layer's registrar). */
  register: (entries: Array<[string, JobEntry]>) => Promise<void>
  log: Pick<Logger, 'info' | 'warn' | 'debug'>
  metrics?: Pick<Metrics, 'scheduleFired'>
  events?: Pick<EventLog, 'emit'>
  now?: () => number
}

/** Refusals that no retry fixes: the occurrence is recorded failed. */
const PERMANENT = new Set(['BAD_JOB', 'PAYLOAD_TOO_LARGE', 'NO_CAPABLE_NODE'])

export class ScheduleService {
  private timer?: NodeJS.Timeout
  private stopped = false
  private busy = false
  private again = false
  private readonly inFlight = new Set<string>()
  private readonly retryAt = new Map<string, number>()
  private readonly opts: SchedulesOptions
  private readonly now: () => number

  constructor (private readonly c: SchedulesComponents, opts: Partial<SchedulesOptions> = {}) {
    this.opts = { ...defaultSchedulesOptions, ...opts }
    this.now = c.now ?? Date.now
  }

  async start (): Promise<void> {
    this.c.consensus.onApplied.push(cmd => {
      // A schedule changed, or an occurrence was handed to this node: look now.
      if (cmd.op.startsWith('schedule.') && !this.stopped) this.arm(cmd.op === 'schedule.fired' && cmd.home === this.c.self ? 0 : 10)
    })
    // What a sleeping runner (see quiet) would not hear of by an applied schedule.* entry: a
    // snapshot brings schedules and occurrences without one, and a new leader takes on firing.
    this.c.consensus.onRestored.push(() => { this.arm(10) })
    this.c.consensus.onRoleChange.push(role => { if (role === 'leader') this.arm(10) })
    this.arm(0)
  }

  async stop (): Promise<void> {
    this.stopped = true
    clearTimeout(this.timer)
  }

  private arm (delayMs: number): void {
    if (this.stopped) return
    clearTimeout(this.timer)
    this.timer = setTimeout(() => { void this.run() }, Math.max(0, delayMs))
    this.timer.unref?.()
  }

  /** One pass: fire what is due (leader), move occurrences off dead homes (leader), submit ours. Exposed for tests. */
  async run (): Promise<void> {
    if (this.busy) {
      this.again = true
      return
    }
    this.busy = true
    try {
      do {
        this.again = false
        if (this.isLeader()) {
          await this.fireDue()
          await this.moveOffDead()
        }
        await this.submitOurs()
      } while (this.again && !this.stopped)
    } catch (err) {
      this.c.log.warn({ err: errorMessage(err) }, 'schedules: a pass failed; trying again shortly')
    } finally {
      this.busy = false
      if (this.quiet()) clearTimeout(this.timer)
      else this.arm(this.delay())
    }
  }

  /**
   * Nothing to look at until the control log changes: no schedule, no pending occurrence, no
   * submit in flight or waiting for a retry. The runner then sets no timer (a re-check every
   * checkEveryMs was one of an idle node's ~16 timer fires a second: BENCHMARKS.md, issue 14,
   * stop 38) and wakes on what can end that: a schedule.* entry applied, a snapshot installed,
   * this node elected leader.
   */
  private quiet (): boolean {
    const control = this.c.consensus.control
    return control.schedules.size === 0 && control.occurrences.size === 0 && this.inFlight.size === 0 && this.retryAt.size === 0
  }

  private isLeader (): boolean {
    return this.c.consensus.status()?.role === 'leader'
  }

  /** Until the earliest next occurrence (leader), at most checkEveryMs. */
  private delay (): number {
    let d = this.opts.checkEveryMs
    if (!this.isLeader()) return d
    const now = this.now()
    for (const [name, s] of this.c.consensus.control.schedules) {
      if (s.paused) continue
      const next = nextOccurrence(cronOf(name, s), Math.max(now, s.since))
      if (next != null) d = Math.min(d, next - now)
    }
    return Math.max(0, d)
  }

  private async fireDue (): Promise<void> {
    const now = this.now()
    const schedules = [...this.c.consensus.control.schedules.entries()].sort(([a], [b]) => a < b ? -1 : 1)
    for (const [name, s] of schedules) {
      if (s.paused) continue
      const since = Math.max(s.since, s.lastFiredAt ?? -Infinity)
      const due = dueOccurrences(cronOf(name, s), since, now, { misfire: s.misfire, ...(s.catchUpMs != null ? { catchUpMs: s.catchUpMs } : {}) })
      for (const at of due) {
        if (this.stopped || !this.isLeader()) return
        const jobId = scheduleJobId(name, at)
        const r = await this.c.consensus.propose({ op: 'schedule.fired', name, at, jobId, home: this.c.self })
        if (!r.ok) {
          // Fired already (by the leader before this one), removed, paused meanwhile.
          this.c.log.debug({ schedule: name, at, why: r.message }, 'schedules: occurrence not fired')
          continue
        }
        this.c.metrics?.scheduleFired.labels(name).inc()
        this.c.events?.emit('schedule.fired', { name, at, jobId, home: this.c.self, lateMs: this.now() - at })
        this.c.log.info({ schedule: name, at: new Date(at).toISOString(), jobId }, 'schedule fired')
      }
    }
  }

  /** Occurrences whose home was declared dead before registering their job: this leader takes them. */
  private async moveOffDead (): Promise<void> {
    const control = this.c.consensus.control
    const stranded: Array<[string, PendingOccurrence]> = [...control.occurrences.entries()]
      .filter(([jobId, o]) => o.home !== this.c.self && control.dead.has(o.home) && !control.jobs.has(jobId))
    for (const [jobId, o] of stranded) {
      if (this.stopped || !this.isLeader()) return
      const r = await this.c.consensus.propose({ op: 'schedule.fired', name: o.schedule, at: o.at, jobId, home: this.c.self })
      if (r.ok) {
        this.c.events?.emit('schedule.moved', { name: o.schedule, at: o.at, jobId, from: o.home, to: this.c.self })
        this.c.log.warn({ schedule: o.schedule, jobId, from: o.home }, 'schedules: occurrence taken over from a home declared dead before it registered the job')
      }
    }
  }

  /** Submits every pending occurrence naming this node that is not registered or held here. */
  private async submitOurs (): Promise<void> {
    // After a restart, only once caught up with the log: an occurrence that looks pending in
    // an old state may have been registered, or moved elsewhere, since.
    const st = this.c.consensus.status()
    if (st == null || st.leader == null || st.applied < st.commit) return
    const control = this.c.consensus.control
    const now = this.now()
    for (const [jobId, o] of [...control.occurrences.entries()]) {
      if (o.home !== this.c.self || this.inFlight.has(jobId) || control.jobs.has(jobId)) continue
      if ((this.retryAt.get(jobId) ?? 0) > now) continue
      // Held here already (submitted before a restart): the work core registers it itself.
      if (await this.c.engine.jobRecord(jobId) != null) continue
      this.inFlight.add(jobId)
      void this.submit(jobId, o).finally(() => { this.inFlight.delete(jobId) })
    }
    for (const id of this.retryAt.keys()) if (!control.occurrences.has(id)) this.retryAt.delete(id)
  }

  private async submit (jobId: string, o: PendingOccurrence): Promise<void> {
    const job = o.job ?? this.c.consensus.control.schedules.get(o.schedule)?.job
    try {
      if (job == null) return
      const input = scheduledInput(job, jobId, o.schedule)
      await this.c.engine.submit([input])
      this.retryAt.delete(jobId)
      this.c.log.info({ schedule: o.schedule, jobId }, 'schedules: occurrence submitted')
    } catch (err) {
      const code = (err as { code?: unknown }).code
      if (typeof code === 'string' && PERMANENT.has(code)) {
        this.c.log.warn({ schedule: o.schedule, jobId, err: errorMessage(err) }, 'schedules: the occurrence\'s job cannot run; recording it failed')
        this.c.events?.emit('schedule.failed', { name: o.schedule, at: o.at, jobId, code, error: errorMessage(err) })
        const now = this.now()
        await this.c.register([[jobId, { home: this.c.self, createdAt: now, state: 'failed', finishedAt: now }]]).catch((e: unknown) => {
          this.retryAt.set(jobId, this.now() + this.opts.retryMs)
          this.c.log.warn({ jobId, err: errorMessage(e) }, 'schedules: could not record a failed occurrence; will retry')
        })
        return
      }
      this.retryAt.set(jobId, this.now() + this.opts.retryMs)
      this.c.log.warn({ schedule: o.schedule, jobId, err: errorMessage(err) }, 'schedules: could not submit an occurrence\'s job; will retry')
    }
  }
}

/** The cron part of a schedule record. */
export function cronOf (name: string, s: Pick<ScheduleRecord, 'cron' | 'tz'>): CronSpec {
  return { name, cron: s.cron, ...(s.tz != null ? { tz: s.tz } : {}) }
}

/**
 * The job an occurrence submits: the schedule's job, under the occurrence's id, labelled with
 * the schedule's name unless it has a name. A workflow (`{workflow, inputs}`) needs the
 * workflow engine, which plugs in here.
 */
export function scheduledInput (job: Record<string, unknown>, jobId: string, schedule: string): JobInput {
  const input = parseJobInput(job)
  return { ...input, name: input.name ?? schedule, jobId }
}

/** A scheduleAdd request's schedule, validated (throws with the reason). */
export function scheduleSpec (p: AdminParams<'scheduleAdd'>): { name: string, cron: string, tz?: string, misfire: MisfirePolicy, catchUpMs?: number } {
  const name = checkScheduleName(p.name)
  const tz = p.tz === '' ? undefined : p.tz
  const cron = p.cron.trim()
  checkCron({ name, cron, ...(tz != null ? { tz } : {}) })
  const misfire = (p.misfire === '' ? DEFAULT_MISFIRE : p.misfire) as MisfirePolicy
  if (!MISFIRE_POLICIES.includes(misfire)) throw new Error(`unknown misfire policy "${p.misfire}": use ${MISFIRE_POLICIES.join(', ')}`)
  const catchUpMs = p.catchUpMs == null ? undefined : Number(p.catchUpMs)
  if (catchUpMs != null && !(Number.isSafeInteger(catchUpMs) && catchUpMs >= 1 && catchUpMs <= MAX_CATCH_UP_MS)) throw new Error(`catch-up must be between 1 ms and 30 days, not ${p.catchUpMs}`)
  return { name, cron, ...(tz != null ? { tz } : {}), misfire, ...(catchUpMs != null ? { catchUpMs } : {}) }
}

/** A schedule's job as JSON text: a valid job, or a workflow object kept as it is. */
export function checkScheduleJob (text: string): Record<string, unknown> {
  if (text === '') throw new Error('a schedule needs a job: tasks, a --file job.json, or a workflow')
  if (Buffer.byteLength(text) > MAX_SCHEDULE_JOB_BYTES) throw new Error(`the job is ${Buffer.byteLength(text)} bytes; a schedule's job may take at most ${MAX_SCHEDULE_JOB_BYTES}`)
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (err) {
    throw new Error(`the job is not JSON: ${errorMessage(err)}`)
  }
  if (raw == null || typeof raw !== 'object' || Array.isArray(raw)) throw new Error('the job must be a JSON object')
  const obj = raw as Record<string, unknown>
  if ('workflow' in obj) {
    if (obj.workflow == null || typeof obj.workflow !== 'object' || Array.isArray(obj.workflow)) throw new Error('"workflow" must be an object')
    return obj
  }
  // Refused now, not at every occurrence.
  parseJobInput(obj)
  return obj
}

/**
 * Whether a schedule's job runs shell commands: a job's tasks, or anywhere in a workflow (an
 * object with type "cmd" at any depth: a workflow's steps are not known here, so any is taken
 * for one).
 */
export function scheduleUsesCommands (job: Record<string, unknown>): boolean {
  if (!('workflow' in job)) return parseJobInput(job).tasks.some(t => t.type === CMD_TYPE)
  const seen = (v: unknown, depth: number): boolean => {
    if (v == null || typeof v !== 'object' || depth > 64) return false
    if (!Array.isArray(v) && (v as { type?: unknown }).type === CMD_TYPE) return true
    return Object.values(v).some(x => seen(x, depth + 1))
  }
  return seen(job.workflow, 0)
}

/** A schedule as the admin protocol lists it. */
export function scheduleInfo (name: string, s: ScheduleRecord | undefined, pending: number, now: number): AdminResult<'scheduleList'>['schedules'][number] | undefined {
  if (s == null) return undefined
  const next = s.paused ? undefined : nextOccurrence(cronOf(name, s), Math.max(now, s.since, s.lastFiredAt ?? -Infinity))
  return {
    name,
    cron: s.cron,
    tz: s.tz ?? '',
    misfire: s.misfire,
    catchUpMs: s.catchUpMs ?? DEFAULT_CATCH_UP_MS,
    paused: s.paused,
    ...(next != null ? { nextAt: next } : {}),
    ...(s.lastFiredAt != null ? { lastFiredAt: s.lastFiredAt } : {}),
    lastJobId: s.lastJobId ?? '',
    lastHome: s.lastHome ?? '',
    fired: s.fired,
    createdAt: s.createdAt,
    job: JSON.stringify(s.job),
    pending,
    by: s.by ?? ''
  }
}
