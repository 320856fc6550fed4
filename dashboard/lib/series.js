// Per-minute percentile series for the latency charts: from samples the page observed
// ({at, ms}) and, when the node has it, from GET /v1/stats (mesh-wide histograms). Pure.

export const MINUTE_MS = 60_000

/** Nearest-rank quantile of sorted numbers. */
export function quantile (sorted, q) {
  if (sorted.length === 0) return null
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))
  return sorted[i]
}

/** Minute start (ms) → {p50, p95, p99} from raw samples. */
export function minutesOf (samples) {
  const by = new Map()
  for (const s of samples) {
    const at = Math.floor(s.at / MINUTE_MS) * MINUTE_MS
    let xs = by.get(at)
    if (xs == null) by.set(at, xs = [])
    xs.push(s.ms)
  }
  const out = new Map()
  for (const [at, xs] of by) {
    xs.sort((a, b) => a - b)
    out.set(at, { p50: quantile(xs, 0.5), p95: quantile(xs, 0.95), p99: quantile(xs, 0.99), n: xs.length })
  }
  return out
}

/**
 * GET /v1/stats's per-minute series, whatever of it is there: `{minutes: [{at, latencyMs:
 * {p50, p95, p99} | null, durationMs: …}]}`. Returns {latency, duration} maps (minute → p's),
 * empty when the answer has another shape.
 */
export function statsMinutes (json) {
  const latency = new Map()
  const duration = new Map()
  const minutes = Array.isArray(json?.minutes) ? json.minutes : []
  const pick = (p) => p != null && typeof p === 'object' && [p.p50, p.p95, p.p99].every(v => typeof v === 'number' && Number.isFinite(v)) ? { p50: p.p50, p95: p.p95, p99: p.p99 } : null
  for (const m of minutes) {
    const at = Number(m?.at)
    if (!Number.isFinite(at)) continue
    const minute = Math.floor(at / MINUTE_MS) * MINUTE_MS
    const l = pick(m.latencyMs ?? m.latency)
    const d = pick(m.durationMs ?? m.duration)
    if (l != null) latency.set(minute, l)
    if (d != null) duration.set(minute, d)
  }
  return { latency, duration }
}

/**
 * uPlot data for the last hour: [x seconds, p50, p95, p99], one point per minute with data;
 * `primary` (the mesh's stats) wins over `observed` (this page's samples) for a minute.
 */
export function chartData (now, primary, observed) {
  const from = Math.floor((now - 3_600_000) / MINUTE_MS) * MINUTE_MS
  const xs = []; const a = []; const b = []; const c = []
  for (let t = from; t <= now; t += MINUTE_MS) {
    const p = primary?.get(t) ?? observed?.get(t)
    xs.push(t / 1000)
    a.push(p?.p50 ?? null)
    b.push(p?.p95 ?? null)
    c.push(p?.p99 ?? null)
  }
  return [xs, a, b, c]
}
