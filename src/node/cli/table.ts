// Plain-text helpers the CLI commands share: aligned tables, whole-number and duration
// arguments, and CSV fields.
import { MeshError } from '../errors.js'

/** Rows as aligned columns, two spaces apart; the first row is the header. */
export function table (rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map(r => (r[i] ?? '').length)))
  return rows.map(r => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n'
}

/** A whole-number flag value of at least `min`, or a USAGE error naming the flag. */
export function intArg (v: string, flag: string, min: number): number {
  const n = Number(v)
  if (!Number.isSafeInteger(n) || n < min) throw new MeshError('USAGE', `invalid ${flag} "${v}": expected a whole number ≥ ${min}`)
  return n
}

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/** The longest --since a command takes (nodes keep an hour of stats; the job registry more). */
export const MAX_SINCE_MS = 30 * 86_400_000

/**
 * A duration flag in ms: a number with a unit — "500ms", "30s", "15m", "1h", "2d", "1.5s" —
 * or a bare number of seconds; between 1 ms and `maxMs` (default 1 h), or a USAGE error
 * naming the flag.
 */
export function parseDuration (text: string, flag: string, maxMs = UNIT_MS.h!): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim())
  if (m == null) throw new MeshError('USAGE', `invalid ${flag} "${text}": expected a duration such as 30s, 15m, 1h or 2d`)
  const ms = Number(m[1]) * UNIT_MS[m[2] ?? 's']!
  if (!(ms >= 1 && ms <= maxMs)) throw new MeshError('USAGE', `invalid ${flag} "${text}": must be between 1 ms and ${formatSpan(maxMs)}`)
  return Math.round(ms)
}

/** A whole span in its largest exact unit: "1 h", "30 d", "90 s". */
function formatSpan (ms: number): string {
  for (const [unit, size] of [['d', UNIT_MS.d!], ['h', UNIT_MS.h!], ['min', UNIT_MS.m!], ['s', UNIT_MS.s!]] as const) {
    if (ms % size === 0) return `${ms / size} ${unit}`
  }
  return `${ms} ms`
}

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, a double quote, a line break or
 * leading/trailing space, with its double quotes doubled; as is otherwise.
 */
export function csvField (value: string | number | undefined | null): string {
  if (value == null) return ''
  const text = String(value)
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

/** Rows as CSV: fields joined by commas, records ended by CRLF (RFC 4180). */
export function csv (rows: ReadonlyArray<ReadonlyArray<string | number | undefined | null>>): string {
  return rows.map(r => r.map(csvField).join(',') + '\r\n').join('')
}
