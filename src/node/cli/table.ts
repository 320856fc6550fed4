// Plain-text helpers the CLI commands share: aligned tables and whole-number arguments.
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
