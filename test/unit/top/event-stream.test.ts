import { describe, expect, it } from 'vitest'
import { SseParser, followEvents, type SseItem } from '../../../src/node/client/event-stream.js'
import { sseComment, sseFrame, sseRetry } from '../../../src/node/http/sse.js'

function parseAll (chunks: string[]): SseItem[] {
  const p = new SseParser()
  return chunks.flatMap(c => p.push(c))
}

describe('the text/event-stream parser', () => {
  it('reads the frames a node writes back into events, comments and retry', () => {
    const text = sseRetry(1000) + sseFrame({ id: 3, type: 'job.completed', at: 9, data: { id: 'J' } }) + sseComment('connected; last event 3')
    expect(parseAll([text])).toEqual([
      { kind: 'retry', ms: 1000 },
      { kind: 'event', id: '3', event: 'job.completed', data: '{"seq":3,"event":"job.completed","at":9,"data":{"id":"J"}}' },
      { kind: 'comment', text: 'connected; last event 3' }
    ])
  })

  it('gives the same items whatever the chunks are cut at, CRLF split included', () => {
    const text = 'id: 1\r\nevent: a\r\ndata: x\r\n\r\n: note\r\nid: 2\rdata: y\r\rdata: z\n\n'
    const whole = parseAll([text])
    expect(whole).toEqual([
      { kind: 'event', id: '1', event: 'a', data: 'x' },
      { kind: 'comment', text: 'note' },
      { kind: 'event', id: '2', event: 'message', data: 'y' },
      { kind: 'event', id: '2', event: 'message', data: 'z' }
    ])
    for (let i = 1; i < text.length; i++) expect(parseAll([text.slice(0, i), text.slice(i)])).toEqual(whole)
    expect(parseAll([...text])).toEqual(whole)
  })

  it('joins multi-line data with newlines and drops one leading space only', () => {
    expect(parseAll(['data:  two spaces\ndata\ndata:last\n\n'])).toEqual([{ kind: 'event', id: '', event: 'message', data: ' two spaces\n\nlast' }])
  })

  it('dispatches nothing for a block without data, nor for an unfinished one', () => {
    const p = new SseParser()
    expect(p.push('event: a\nid: 5\n\n')).toEqual([])
    expect(p.lastEventId).toBe('5')
    expect(p.push('data: half')).toEqual([])
    expect(p.push('\n')).toEqual([])
    expect(p.push('\n')).toEqual([{ kind: 'event', id: '5', event: 'message', data: 'half' }])
  })

  it('ignores unknown fields, a bad retry and an id with NUL; strips a leading BOM', () => {
    expect(parseAll(['\uFEFFfoo: bar\nretry: soon\nid: a\0b\ndata: x\n\n'])).toEqual([{ kind: 'event', id: '', event: 'message', data: 'x' }])
    expect(parseAll(['retry: 2500\n'])).toEqual([{ kind: 'retry', ms: 2500 }])
  })
})

/** A fetch that answers each call with the next script entry: SSE text chunks, or a status. */
function fakeFetch (script: Array<{ status?: number, chunks?: string[], body?: string } | Error>): { fetch: typeof fetch, calls: Array<Record<string, string>> } {
  const calls: Array<Record<string, string>> = []
  const f = async (_url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    calls.push({ ...(init?.headers as Record<string, string>) })
    const next = script.shift()
    if (next == null) {
      return await new Promise<Response>((_resolve, reject) => {
        if (init?.signal?.aborted === true) reject(new Error('aborted'))
        init?.signal?.addEventListener('abort', () => { reject(new Error('aborted')) })
      })
    }
    if (next instanceof Error) throw next
    if (next.status != null && next.status !== 200) return new Response(next.body ?? '', { status: next.status })
    const enc = new TextEncoder()
    const stream = new ReadableStream<Uint8Array>({
      start (c) {
        for (const chunk of next.chunks ?? []) c.enqueue(enc.encode(chunk))
        c.close()
      }
    })
    return new Response(stream, { status: 200, headers: { 'content-type': 'text/event-stream' } })
  }
  return { fetch: f as typeof fetch, calls }
}

describe('following a stream', () => {
  it('reconnects after a drop with Last-Event-ID, after an error and a 503, and says so', async () => {
    const { fetch, calls } = fakeFetch([
      { chunks: ['retry: 5\n\n', 'id: 1\ndata: a\n\nid: 2\nda', 'ta: b\n\n'] },
      Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:1' } }),
      { status: 503, body: '{}' },
      { chunks: ['id: 3\ndata: c\n\n'] }
    ])
    const stop = new AbortController()
    const data: string[] = []
    const states: string[] = []
    let located = 0
    await followEvents({
      // Looked up for every connection (a restarted node may serve on another port).
      url: () => `http://x${++located}/v1/events`,
      signal: stop.signal,
      fetch,
      retryMs: 1,
      headers: () => ({ authorization: 'Bearer T' }),
      onState: (s, why) => { states.push(why == null ? s : `${s}: ${why}`) },
      onItem: item => {
        if (item.kind !== 'event') return
        data.push(item.data)
        if (item.data === 'c') stop.abort()
      }
    })
    expect(data).toEqual(['a', 'b', 'c'])
    expect(calls.map(c => c['last-event-id'])).toEqual([undefined, '2', '2', '2'])
    expect(located).toBe(4)
    expect(calls.every(c => c.authorization === 'Bearer T' && c.accept === 'text/event-stream')).toBe(true)
    expect(states).toEqual(['open', 'reconnecting: the node closed the stream', 'reconnecting: connect ECONNREFUSED 127.0.0.1:1', 'reconnecting: HTTP 503', 'open'])
  })

  it('stops with the refusal when the node answers 403', async () => {
    const { fetch } = fakeFetch([{ status: 403, body: '{"error":{"code":"FORBIDDEN","message":"no"}}' }])
    await expect(followEvents({ url: 'http://x/v1/events', signal: new AbortController().signal, fetch, onItem: () => {} })).rejects.toThrow(/HTTP 403/)
  })

  it('resolves when aborted while waiting', async () => {
    const { fetch } = fakeFetch([])
    const stop = new AbortController()
    const done = followEvents({ url: 'http://x/v1/events', signal: stop.signal, fetch, onItem: () => {} })
    stop.abort()
    await expect(done).resolves.toBeUndefined()
  })
})
