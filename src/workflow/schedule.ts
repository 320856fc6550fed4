// Schedules: when a cron expression's occurrences fall, and which of them are due. Pure: the
// clock is an argument. The replicated control log (src/consensus/control.ts) holds each
// schedule and its last fired occurrence; the leader's schedule service
// (src/node/services/schedules.ts) asks `dueOccurrences` what to fire and proposes one
// `schedule.fired` entry per occurrence, each with the job id `scheduleJobId` gives it.
//
// Expressions: 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first,
// in the syntax of cron-parser 5 (ranges, steps, names, L, #, and H for a value hashed from
// the schedule's name, so `H 9 * * *` spreads schedules over the hour the same way on every
// node), evaluated in an IANA time zone (UTC unless given).
//
// Misfires. An occurrence passes without being fired when no leader could fire it (the mesh
// was down, no quorum, an election), or while the schedule was paused. The policy says what
// the leader does once it can fire again:
//   once (default)  fire the most recent missed occurrence once, drop the older ones;
//   skip            drop every missed occurrence: fire only one at most MISFIRE_GRACE_MS late;
//   all             fire each missed occurrence, oldest first, the most recent MAX_CATCH_UP.
// Whatever the policy, an occurrence more than the schedule's catchUpMs (default an hour) in
// the past is never fired: yesterday's 09:00 run is not started at noon today. Occurrences
// missed while the schedule was paused are never fired (resuming counts from the resume).
import type * as CronParser from 'cron-parser'
import type { CronExpression } from 'cron-parser'
import { lazyRequire } from '../lazy-require.js'
import { formatJobId } from '../work/spec.js'

export type MisfirePolicy = 'once' | 'skip' | 'all'
export const MISFIRE_POLICIES: readonly MisfirePolicy[] = ['once', 'skip', 'all']
export const DEFAULT_MISFIRE: MisfirePolicy = 'once'

/** Occurrences older than this are never fired (a schedule's catchUpMs, unless it sets one). */
export const DEFAULT_CATCH_UP_MS = 3_600_000
/** The longest catchUpMs a schedule may set: 30 days. */
export const MAX_CATCH_UP_MS = 30 * 86_400_000
/** `all` fires at most this many missed occurrences (the most recent ones). */
export const MAX_CATCH_UP = 100
/**
 * `skip`: an occurrence fired at most this late is on time, not missed. The leader's timer
 * wakes at the occurrence; this covers a busy event loop and a short election.
 */
export const MISFIRE_GRACE_MS = 5_000
/** Schedule names: what `meshnode schedule` and job ids show; no spaces, at most 64 characters. */
export const SCHEDULE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/
export const MAX_CRON_LENGTH = 256
export const MAX_TZ_LENGTH = 64

/** What decides a schedule's occurrences. */
export interface CronSpec {
  /** The schedule's name: the seed of H fields. */
  name: string
  cron: string
  /** IANA time zone; UTC when absent. */
  tz?: string
}

/** A date far enough back that any valid expression has an occurrence after it. */
const PROBE_FROM = Date.UTC(2000, 0, 1)

/** Throws with a reason unless `name` can name a schedule. */
export function checkScheduleName (name: unknown): string {
  if (typeof name !== 'string' || !SCHEDULE_NAME.test(name)) {
    throw new Error(`invalid schedule name ${JSON.stringify(name)}: use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit`)
  }
  return name
}

/** Throws with a reason unless `tz` is an IANA time zone this runtime knows. */
export function checkTimeZone (tz: unknown): string {
  if (typeof tz !== 'string' || tz === '' || tz.length > MAX_TZ_LENGTH) throw new Error(`invalid time zone ${JSON.stringify(tz)}: give an IANA name such as UTC, Europe/Berlin or America/New_York`)
  try {
    // eslint-disable-next-line no-new
    new Intl.DateTimeFormat('en-US', { timeZone: tz })
  } catch {
    throw new Error(`unknown time zone "${tz}": give an IANA name such as UTC, Europe/Berlin or America/New_York`)
  }
  return tz
}

/**
 * Validates an expression (and its time zone): throws an error that says what is wrong and
 * what a valid one looks like. An expression that parses but never matches (30 February) is
 * refused too.
 */
export function checkCron (spec: CronSpec): void {
  const expr = spec.cron
  const hint = 'expected 5 fields (minute hour day-of-month month day-of-week, e.g. "0 9 * * *") or 6 with seconds first (e.g. "*/10 * * * * *")'
  if (typeof expr !== 'string' || expr.trim() === '') throw new Error(`empty cron expression: ${hint}`)
  if (expr.length > MAX_CRON_LENGTH) throw new Error(`cron expression too long (${expr.length} characters; at most ${MAX_CRON_LENGTH})`)
  const fields = expr.trim().split(/\s+/)
  if (!expr.trim().startsWith('@') && (fields.length < 5 || fields.length > 6)) throw new Error(`invalid cron expression "${expr}": ${fields.length} field${fields.length === 1 ? '' : 's'}; ${hint}`)
  if (spec.tz !== undefined) checkTimeZone(spec.tz)
  try {
    parse(spec, PROBE_FROM).next()
  } catch (err) {
    throw new Error(`invalid cron expression "${expr}": ${(err as Error).message}; ${hint}`)
  }
}

// cron-parser (and luxon under it) loads with the first cron expression read (src/lazy-require.ts).
const cronParser = lazyRequire<typeof CronParser>('cron-parser', 'to read cron expressions')

function parse (spec: CronSpec, currentDate: number): CronExpression {
  return cronParser().CronExpressionParser.parse(spec.cron.trim(), { currentDate, tz: spec.tz ?? 'UTC', hashSeed: spec.name })
}

/** The first occurrence strictly after `afterMs`, or undefined when there is none. */
export function nextOccurrence (spec: CronSpec, afterMs: number): number | undefined {
  try {
    return parse(spec, Math.floor(afterMs)).next().getTime()
  } catch {
    return undefined
  }
}

/** The last occurrence at or before `atMs`, or undefined. */
export function latestOccurrence (spec: CronSpec, atMs: number): number | undefined {
  try {
    return parse(spec, Math.floor(atMs) + 1).prev().getTime()
  } catch {
    return undefined
  }
}

export interface DueOptions {
  misfire?: MisfirePolicy
  /** Occurrences older than now − catchUpMs are never fired. */
  catchUpMs?: number
}

/**
 * The occurrences to fire now, oldest first: those after `since` (exclusive: the last fired
 * occurrence, or the time the schedule was created, replaced or resumed) and at or before
 * `now`, as the misfire policy picks them (see the top of this file).
 */
export function dueOccurrences (spec: CronSpec, since: number, now: number, opts: DueOptions = {}): number[] {
  const misfire = opts.misfire ?? DEFAULT_MISFIRE
  const floor = Math.max(since + 1, now - (opts.catchUpMs ?? DEFAULT_CATCH_UP_MS))
  const latest = latestOccurrence(spec, now)
  if (latest == null || latest < floor) return []
  if (misfire === 'once') return [latest]
  if (misfire === 'skip') return now - latest <= MISFIRE_GRACE_MS ? [latest] : []
  const out = [latest]
  let expr: CronExpression
  try {
    expr = parse(spec, latest)
    while (out.length < MAX_CATCH_UP) {
      const t = expr.prev().getTime()
      if (t < floor) break
      out.push(t)
    }
  } catch {
    // No earlier occurrence: what was found is all there is.
  }
  return out.reverse()
}

/**
 * The job id of a schedule's occurrence: the occurrence time first (so the id says when it was
 * due and sorts with other jobs), then 8 base-36 characters hashed from the schedule's name
 * (as formatJobId's prefix and counter). Deterministic: every node, and a leader firing the
 * same occurrence again after a failover, names the same job, and the registry refuses a
 * second one. Two schedules whose hashes collide at the same instant are told apart by the
 * control log (the second fire is refused, never run under the first's id).
 */
export function scheduleJobId (name: string, at: number): string {
  const h = fnv1a64(name)
  const prefix = (h % 1_679_616n).toString(36).padStart(4, '0')
  const counter = Number((h / 1_679_616n) % 1_679_616n)
  return formatJobId(at, prefix, counter)
}

/** FNV-1a, 64 bits: a stable hash (not a secret) of a short string. */
function fnv1a64 (text: string): bigint {
  let h = 0xcbf29ce484222325n
  for (const byte of new TextEncoder().encode(text)) {
    h ^= BigInt(byte)
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn
  }
  return h
}
