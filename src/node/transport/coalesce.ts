// Fewer, larger socket writes. Below Noise, every encrypted frame went to the TCP socket as a
// write of its own: a yamux header and its data, a Raft append and its neighbour's heartbeat
// answer, a submit's replicate frame and the status reply beside it — each a syscall, and on
// a machine where the nodes share the cores each a wake-up of the receiving process. Frames
// that the node produces in one turn of the event loop (one microtask cascade) now leave as
// one write. Nothing waits for a timer: the write goes out as soon as the cascade that
// produced its frames has settled (process.nextTick), so latency is unchanged.
import type { ConnectionEncrypter } from '@libp2p/interface'
import type { Uint8ArrayList } from 'uint8arraylist'

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
export async function * coalesce (source: AsyncIterable<Uint8Array | Uint8ArrayList> | Iterable<Uint8Array | Uint8ArrayList>, maxBytes = MAX_COALESCED_BYTES): AsyncGenerator<Uint8Array, void, undefined> {
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
      yield parts.length === 1 ? parts[0]! : Buffer.concat(parts, size)
      if (ended) return
    }
  } finally {
    // Never awaited: a pending next() of an idle source would hold the close up.
    void Promise.resolve(it.return?.()).catch(() => {})
  }
}

interface SinkOwner { sink: (source: AsyncIterable<Uint8Array | Uint8ArrayList>) => Promise<void> }

/**
 * An encrypter whose encrypted frames reach the connection through coalesce(). Wrapping the
 * encrypter is the one public place where libp2p hands over the raw (or mesh-key protected)
 * connection before anything is written on it encrypted.
 */
export function coalescingWrites<C> (inner: (components: C) => ConnectionEncrypter): (components: C) => ConnectionEncrypter {
  return components => {
    const enc = inner(components)
    const wrap = <T>(conn: T): T => {
      const owner = conn as unknown as SinkOwner
      const sink = owner.sink.bind(owner)
      owner.sink = async source => { await sink(coalesce(source)) }
      return conn
    }
    const wrapped: ConnectionEncrypter = Object.create(enc)
    wrapped.secureInbound = async (conn, opts) => await enc.secureInbound(wrap(conn), opts)
    wrapped.secureOutbound = async (conn, opts) => await enc.secureOutbound(wrap(conn), opts)
    return wrapped
  }
}
