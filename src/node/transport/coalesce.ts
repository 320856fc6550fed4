// Fewer, larger socket writes. Below Noise, every encrypted frame went to the TCP socket as a
// write of its own: a yamux header and its data, a Raft append and its neighbour's heartbeat
// answer, a submit's replicate frame and the status reply beside it — each a syscall, and on
// a machine where the nodes share the cores each a wake-up of the receiving process. Frames
// that the node produces in one turn of the event loop (one microtask cascade) now leave as
// one write. Nothing waits for a timer: the write goes out as soon as the cascade that
// produced its frames has settled (process.nextTick), so latency is unchanged.
import type { ConnectionEncrypter } from '@libp2p/interface'
import type { Uint8ArrayList } from 'uint8arraylist'
import type { SocketCounts, Traffic } from './traffic.js'

/** One coalesced write carries at most this much (Noise frames are ≤ 64 KiB each). */
export const MAX_COALESCED_BYTES = 256 * 1024

const SETTLED = Symbol('settled')

/** Resolves once the microtasks queued so far (and those they queue) have run. */
async function settled (): Promise<typeof SETTLED> {
  return await new Promise(resolve => { process.nextTick(resolve, SETTLED) })
}

function bytes (chunk: Uint8Array | Uint8ArrayList): Uint8Array {
  return chunk instanceof Uint8Array ? chunk : chunk.subarray()
}

/**
 * The chunks of `source`, with those that arrive in one turn of the event loop joined (up to
 * `maxBytes`). Order and content are unchanged; an error of the source is thrown after the
 * chunks before it.
 */
export async function * coalesce (source: AsyncIterable<Uint8Array | Uint8ArrayList> | Iterable<Uint8Array | Uint8ArrayList>, maxBytes = MAX_COALESCED_BYTES, counts?: SocketCounts): AsyncGenerator<Uint8Array, void, undefined> {
  const it: AsyncIterator<Uint8Array | Uint8ArrayList> | Iterator<Uint8Array | Uint8ArrayList> = Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]()
  let next = Promise.resolve(it.next())
  try {
    for (;;) {
      const first = await next
      if (first.done === true) return
      const parts = [bytes(first.value)]
      let size = parts[0]!.byteLength
      let ended = false
      for (;;) {
        next = Promise.resolve(it.next())
        if (size >= maxBytes) break
        // A rejection here is left in `next`: thrown at the top, after what was gathered.
        const r = await Promise.race([next, settled()]).catch((): typeof SETTLED => SETTLED)
        if (r === SETTLED) break
        if (r.done === true) {
          ended = true
          break
        }
        const b = bytes(r.value)
        parts.push(b)
        size += b.byteLength
      }
      if (counts != null) {
        counts.frames += parts.length
        counts.writes++
        counts.bytes += size
      }
      yield parts.length === 1 ? parts[0]! : Buffer.concat(parts, size)
      if (ended) return
    }
  } finally {
    if (counts != null) counts.closed = true
    // Never awaited: a pending next() of an idle source would hold the close up.
    void Promise.resolve(it.return?.()).catch(() => {})
  }
}

interface SinkOwner { sink: (source: AsyncIterable<Uint8Array | Uint8ArrayList>) => Promise<void> }

/**
 * An encrypter whose encrypted frames reach the connection through coalesce(). Wrapping the
 * encrypter is the one public place where libp2p hands over the raw (or mesh-key protected)
 * connection before anything is written on it encrypted. With `traffic`, each connection's
 * Noise frames and socket writes are counted there, under its remote peer once known.
 */
export function coalescingWrites<C> (inner: (components: C) => ConnectionEncrypter, traffic?: Traffic): (components: C) => ConnectionEncrypter {
  return components => {
    const enc = inner(components)
    const wrap = <T>(conn: T, counts: SocketCounts | undefined): T => {
      const owner = conn as unknown as SinkOwner
      const sink = owner.sink.bind(owner)
      owner.sink = async source => { await sink(coalesce(source, MAX_COALESCED_BYTES, counts)) }
      return conn
    }
    const secured = <R extends { remotePeer: { toString: () => string } }>(r: R, counts: SocketCounts | undefined): R => {
      if (counts != null) traffic?.connected(r.remotePeer.toString(), counts)
      return r
    }
    const wrapped: ConnectionEncrypter = Object.create(enc)
    wrapped.secureInbound = async (conn, opts) => {
      const counts = traffic?.socket()
      return secured(await enc.secureInbound(wrap(conn, counts), opts), counts)
    }
    wrapped.secureOutbound = async (conn, opts) => {
      const counts = traffic?.socket()
      return secured(await enc.secureOutbound(wrap(conn, counts), opts), counts)
    }
    return wrapped
  }
}
