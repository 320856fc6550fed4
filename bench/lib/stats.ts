// Small statistics and formatting helpers for the benchmarks. Percentiles use the
// nearest-rank method: p(q) is the ceil(q*n)-th smallest sample, so with 20 samples p99 is
// the maximum (there is no interpolation that would invent a value nobody measured).

export function sorted (xs: number[]): number[] {
  return [...xs].sort((a, b) => a - b)
}

export function quantile (xs: number[], q: number): number {
  if (xs.length === 0) return NaN
  const s = sorted(xs)
  const rank = Math.max(1, Math.ceil(q * s.length))
  return s[Math.min(s.length, rank) - 1]!
}

export const median = (xs: number[]): number => quantile(xs, 0.5)
export const max = (xs: number[]): number => xs.length === 0 ? NaN : Math.max(...xs)
export const min = (xs: number[]): number => xs.length === 0 ? NaN : Math.min(...xs)
export const mean = (xs: number[]): number => xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length
export const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0)

/** "123 ms", or "n/a" for NaN / undefined. */
export function ms (v: number | undefined, digits = 0): string {
  if (v == null || !Number.isFinite(v)) return 'n/a'
  return `${v.toFixed(digits)} ms`
}

/** Bare number with fixed digits, or "n/a". */
export function num (v: number | undefined, digits = 0): string {
  if (v == null || !Number.isFinite(v)) return 'n/a'
  return v.toFixed(digits)
}

/** One-line summary: n, p50, p90, p99, max. */
export function summary (xs: number[], digits = 0): string {
  if (xs.length === 0) return 'n=0'
  return `n=${xs.length}  min ${num(min(xs), digits)}  p50 ${num(median(xs), digits)}  p90 ${num(quantile(xs, 0.9), digits)}  p99 ${num(quantile(xs, 0.99), digits)}  max ${num(max(xs), digits)} ms`
}

/** The project's seeded PRNG, so a run's kill sequence can be replayed with --seed. */
export { mulberry32 } from '../../src/prng.js'

/** A markdown table from a header row and body rows. */
export function markdownTable (header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map(r => (r[i] ?? '').length)))
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`
  return [line(header), `| ${widths.map(w => '-'.repeat(w)).join(' | ')} |`, ...rows.map(line)].join('\n')
}

export const sleep = async (msec: number): Promise<void> => await new Promise(resolve => setTimeout(resolve, msec))
