// A libp2p ping (/ipfs/ping/1.0.0: 32 random bytes, echoed back) on a stream opened through
// streamTo. @libp2p/ping's own ping() dials by peer id, and libp2p hands such a dial the first
// connection it lists for the peer whatever its state: a connection that closed without leaving
// the list made every probe of a live peer fail "the connection is being closed" — 'refused' —
// and the failure detector declared the peer dead, again and again (chaos suite, seed 2).
// The host's ping service (host.ts) still answers peers' pings; only the asking side is here.
import { randomBytes } from '@libp2p/crypto'
import { ProtocolError, type PeerId } from '@libp2p/interface'
import { PING_PROTOCOL } from '@libp2p/ping'
import { byteStream } from 'it-byte-stream'
import type { Libp2p } from 'libp2p'
import { equals } from 'uint8arrays/equals'
import { streamTo } from './stream-to.js'

/** The ping service's protocol: host.ts registers ping() without a protocol prefix. */
export { PING_PROTOCOL }
const PING_BYTES = 32

/** Ping `peer` once; resolves when its echo arrives, throws as the exchange failed. */
export async function pingPeer (host: Libp2p, peer: PeerId, opts: { signal: AbortSignal }): Promise<void> {
  const stream = await streamTo(host, peer, peer, PING_PROTOCOL, opts)
  try {
    const data = randomBytes(PING_BYTES)
    const bytes = byteStream(stream)
    const [, echo] = await Promise.all([bytes.write(data, opts), bytes.read({ ...opts, bytes: PING_BYTES })])
    if (!equals(data, echo.subarray())) throw new ProtocolError('wrong ping echo')
  } catch (err: any) {
    stream.abort(err instanceof Error ? err : new Error(String(err)))
    throw err
  }
  // Answered. Closing waits for the peer's side (the ping service allows one outbound ping
  // stream per connection, so the next probe must not find this one still open); a close that
  // fails after the echo came back does not make the peer any less alive.
  await stream.close(opts).catch((err: Error) => { stream.abort(err) })
}

/**
 * An AbortSignal that aborts (a TimeoutError, as AbortSignal.timeout's) `ms` after now — but only
 * once this node has read the I/O that arrived meanwhile. Node runs timers before it polls its
 * sockets, so after a loop turn that ran late a plain timeout fires before the answer already
 * waiting in the socket is read, and a probe of a live peer reads as timed out — the common case
 * at 50 processes on two cores, where turns run seconds late. Here the timer only queues the
 * abort for the check phase (setImmediate), which comes after the poll phase has read what is
 * there; an answer that has arrived wins.
 */
export function timeoutAfterPoll (ms: number): AbortSignal {
  const controller = new AbortController()
  setTimeout(() => {
    setImmediate(() => { controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')) }).unref()
  }, ms).unref()
  return controller.signal
}
