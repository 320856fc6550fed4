// The stable JSON of schedules, as `meshnode schedule list --json` prints it and the HTTP API
// (/v1/schedules) answers. Add fields freely; never rename or remove one.
import type { ScheduleInfo } from '../../wire/proto/admin.js'

export interface ScheduleJson {
  name: string
  cron: string
  /** IANA time zone the expression is read in. */
  tz: string
  misfire: string
  catchUpMs: number
  paused: boolean
  /** The next occurrence (ms since the epoch); null while paused. */
  nextAt: number | null
  /** The last occurrence fired, its job and the node that submits it; null before the first. */
  lastFiredAt: number | null
  lastJobId: string | null
  lastHome: string | null
  fired: number
  /** Occurrences fired whose job is not registered yet (normally 0; more while a home is lost). */
  pending: number
  createdAt: number
  createdBy: string | null
  job: unknown
}

export function scheduleJson (s: ScheduleInfo): ScheduleJson {
  return {
    name: s.name,
    cron: s.cron,
    tz: s.tz === '' ? 'UTC' : s.tz,
    misfire: s.misfire,
    catchUpMs: Number(s.catchUpMs),
    paused: s.paused,
    nextAt: s.nextAt != null ? Number(s.nextAt) : null,
    lastFiredAt: s.lastFiredAt != null ? Number(s.lastFiredAt) : null,
    lastJobId: s.lastJobId === '' ? null : s.lastJobId,
    lastHome: s.lastHome === '' ? null : s.lastHome,
    fired: Number(s.fired),
    pending: s.pending,
    createdAt: Number(s.createdAt),
    createdBy: s.by === '' ? null : s.by,
    job: JSON.parse(s.job) as unknown
  }
}
