// Server-sent events framing (the WHATWG EventSource format): one event is `id:`, `event:`
// and `data:` lines ended by a blank line. Data is JSON on one line, so it never needs the
// multi-line `data:` form. The data is `{seq, event, at, data}`: the event's own fields stay
// under `data`, so a job's `id` or a task's `type` never collides with the envelope. A comment line (`: ...`) keeps idle connections from timing out
// in proxies.
import type { MeshEvent } from '../observe/events.js'

export function sseFrame (e: MeshEvent): string {
  return `id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify({ seq: e.id, event: e.type, at: e.at, data: e.data })}\n\n`
}

/** A comment frame: ignored by EventSource, keeps the connection warm. */
export function sseComment (text: string): string {
  return `: ${text.replace(/[\r\n]+/g, ' ')}\n\n`
}

/** How long a browser waits before reconnecting after the stream drops (ms). */
export function sseRetry (ms: number): string {
  return `retry: ${Math.max(0, Math.floor(ms))}\n\n`
}

/** The id a reconnecting EventSource sends back (Last-Event-ID header or ?since=), or 0. */
export function lastEventId (header: unknown, query: unknown): number {
  const raw = typeof header === 'string' && header !== '' ? header : typeof query === 'string' ? query : ''
  const n = Number(raw)
  return Number.isSafeInteger(n) && n > 0 ? n : 0
}
