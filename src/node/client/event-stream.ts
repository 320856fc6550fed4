// The client side of a node's `/v1/events` (server-sent events), for `meshnode top` and
// scripts. SseParser reads the text/event-stream format (the WHATWG EventSource rules) from
// chunks cut anywhere — mid-line, mid-CRLF — and followEvents keeps a stream open over
// Node's fetch, reconnecting with Last-Event-ID when it drops, so the node replays what was
// missed while it still holds it. No package: the format is a dozen rules, tested here.

/** What a stream yields: an event, a comment line (`: text`), or a new reconnection delay. */
export type SseItem =
  | { kind: 'event', id: string, event: string, data: string }
  | { kind: 'comment', text: string }
  | { kind: 'retry', ms: number }

/** An incremental text/event-stream parser: push chunks of text, get back whole items. */
export class SseParser {
  /** The id of the last event dispatched (what Last-Event-ID sends back). */
  lastEventId = ''
  private buffer = ''
  /** The previous chunk ended in CR: a LF at the start of the next one belongs to it. */
  private afterCR = false
  private started = false
  private data: string[] = []
  private event = ''
  private id: string | undefined

  push (chunk: string): SseItem[] {
    const out: SseItem[] = []
    let text = chunk
    if (!this.started && text.length > 0) {
      this.started = true
      if (text.charCodeAt(0) === 0xFEFF) text = text.slice(1)
    }
    if (this.afterCR && text.startsWith('\n')) text = text.slice(1)
    this.afterCR = false
    this.buffer += text
    let start = 0
    for (let i = 0; i < this.buffer.length; i++) {
      const c = this.buffer.charCodeAt(i)
      if (c !== 10 && c !== 13) continue
      this.line(this.buffer.slice(start, i), out)
      if (c === 13) {
        if (i + 1 < this.buffer.length) {
          if (this.buffer.charCodeAt(i + 1) === 10) i++
        } else {
          this.afterCR = true
        }
      }
      start = i + 1
    }
    this.buffer = this.buffer.slice(start)
    return out
  }

  private line (line: string, out: SseItem[]): void {
    if (line === '') {
      this.dispatch(out)
      return
    }
    if (line.startsWith(':')) {
      out.push({ kind: 'comment', text: line.slice(1).replace(/^ /, '') })
      return
    }
    const colon = line.indexOf(':')
    const field = colon < 0 ? line : line.slice(0, colon)
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '')
    switch (field) {
      case 'data': this.data.push(value); break
      case 'event': this.event = value; break
      case 'id': if (!value.includes('\0')) this.id = value; break
      case 'retry': if (/^\d+$/.test(value)) out.push({ kind: 'retry', ms: Number(value) }); break
      default: break // unknown fields are ignored, as the format says
    }
  }

  private dispatch (out: SseItem[]): void {
    if (this.id != null) this.lastEventId = this.id
    this.id = undefined
    if (this.data.length > 0) out.push({ kind: 'event', id: this.lastEventId, event: this.event === '' ? 'message' : this.event, data: this.data.join('\n') })
    this.data = []
    this.event = ''
  }
}

export interface FollowOptions {
  /** The stream's full URL (…/v1/events, with any query), or how to find it for each connection. */
  url: string | (() => string | Promise<string>)
  /** Sent on every (re)connection; a function so an expiring token can be renewed. */
  headers?: () => Record<string, string> | Promise<Record<string, string>>
  signal: AbortSignal
  onItem: (item: SseItem) => void
  /** 'open' once a stream answers 200; 'reconnecting' (with the reason) after a drop. */
  onState?: (state: 'open' | 'reconnecting', reason?: string) => void
  /**
   * Decides about a refusal (any non-200 answer): return true to retry after the delay, or
   * throw to stop following. Default: 4xx stops, 5xx retries.
   */
  onRefused?: (status: number, body: string) => boolean | Promise<boolean>
  /** Resume after this event id (the first connection too). */
  lastEventId?: string
  /** First reconnection delay (the server's `retry:` replaces it); doubled up to 10 s while it keeps failing. */
  retryMs?: number
  fetch?: typeof fetch
}

const MAX_RETRY_MS = 10_000

/** Follows the stream until `signal` aborts (then resolves), or onRefused throws (then rejects). */
export async function followEvents (o: FollowOptions): Promise<void> {
  const doFetch = o.fetch ?? fetch
  let lastEventId = o.lastEventId ?? ''
  let retryMs = o.retryMs ?? 1_000
  let failures = 0
  while (!o.signal.aborted) {
    let reason = 'the stream dropped'
    let res: Response | undefined
    try {
      const headers: Record<string, string> = { accept: 'text/event-stream', ...(await o.headers?.()) }
      if (lastEventId !== '') headers['last-event-id'] = lastEventId
      res = await doFetch(typeof o.url === 'string' ? o.url : await o.url(), { headers, signal: o.signal })
    } catch (err) {
      if (o.signal.aborted) return
      reason = describeFetchError(err)
    }
    if (res != null && (res.status !== 200 || res.body == null)) {
      const body = await res.text().catch(() => '')
      // A refusal is the caller's to judge: it may throw (stop) or ask for a retry.
      if (!await (o.onRefused ?? defaultRefused)(res.status, body)) return
      reason = `HTTP ${res.status}`
    } else if (res != null) {
      o.onState?.('open')
      failures = 0
      const parser = new SseParser()
      parser.lastEventId = lastEventId
      const decoder = new TextDecoder()
      try {
        for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
          for (const item of parser.push(decoder.decode(chunk, { stream: true }))) {
            if (item.kind === 'retry') retryMs = item.ms
            if (item.kind === 'event') lastEventId = item.id
            o.onItem(item)
          }
        }
        reason = 'the node closed the stream'
      } catch (err) {
        if (o.signal.aborted) return
        reason = describeFetchError(err)
      }
    }
    if (o.signal.aborted) return
    o.onState?.('reconnecting', reason)
    const delay = Math.min(MAX_RETRY_MS, retryMs * 2 ** Math.min(failures, 4))
    failures++
    await sleep(delay, o.signal)
  }
}

function defaultRefused (status: number, body: string): boolean {
  if (status >= 500) return true
  throw new Error(`the event stream was refused: HTTP ${status} ${body.slice(0, 200)}`)
}

/** "connect ECONNREFUSED 127.0.0.1:7421" rather than fetch's bare "fetch failed". */
export function describeFetchError (err: unknown): string {
  const cause = (err as { cause?: { code?: string, message?: string } })?.cause
  if (cause?.message != null && cause.message !== '') return cause.message
  if (cause?.code != null) return cause.code
  return err instanceof Error ? err.message : String(err)
}

async function sleep (ms: number, signal: AbortSignal): Promise<void> {
  await new Promise<void>(resolve => {
    const t = setTimeout(done, ms)
    function done (): void {
      clearTimeout(t)
      signal.removeEventListener('abort', done)
      resolve()
    }
    signal.addEventListener('abort', done, { once: true })
  })
}
