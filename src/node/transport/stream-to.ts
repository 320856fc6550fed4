// Opening a protocol stream to a peer on a connection that is actually open.
//
// libp2p's dial by peer id hands back the first connection its connection manager lists for
// the peer, whatever that connection's state. A connection that closed without leaving the
// list (seen once in the chaos suite: `connections: 2` to a restarted peer, every work request
// failing with "the connection is closed" for 30 s after the heal) would then be handed back
// for every call, and every call would fail. So: use an open connection when there is one;
// otherwise dial, forcing a new connection past the stale ones; and if a connection that looked
// open dies under the attempt (the peer restarted behind it unseen), dial afresh.
import type { AbortOptions, Connection, PeerId, Stream } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Libp2p } from 'libp2p'

/** A connection to `peer` that is open: not one libp2p still lists after it closed, nor a limited (relayed) one. */
export function openConnectionTo (host: Pick<Libp2p, 'getConnections'>, peer: PeerId): Connection | undefined {
  return host.getConnections(peer).find(c => c.status === 'open' && c.limits == null)
}

/** `dialTarget`: what to dial when no connection to `peer` is open (its address, or `peer`). */
export async function streamTo (host: Libp2p, peer: PeerId, dialTarget: PeerId | Multiaddr, protocol: string, opts: AbortOptions): Promise<Stream> {
  const open = openConnectionTo(host, peer)
  if (open != null) {
    try {
      return await open.newStream(protocol, opts)
    } catch (err) {
      // Only a connection that died under the attempt calls for another: a refusal on a live
      // one (a stream limit, an unsupported protocol) is the caller's answer.
      if (opts.signal?.aborted === true || open.status === 'open') throw err
    }
    return await (await host.dial(dialTarget, { ...opts, force: true })).newStream(protocol, opts)
  }
  return await (await host.dial(dialTarget, { ...opts, force: host.getConnections(peer).length > 0 })).newStream(protocol, opts)
}

/**
 * Whether a write on `stream` can still reach its muxer. On a stream that closed, a write can
 * wait for ever (see raft-transport.ts), so long-lived streams check before each write.
 */
export function writable (stream: Stream): boolean {
  return stream.status === 'open' && (stream.writeStatus === 'ready' || stream.writeStatus === 'writing')
}

/**
 * Whether a stream operation failed because the other end closed or reset the stream, or its
 * connection closed: not because of anything that was read.
 */
export function streamEnded (err: unknown): boolean {
  const name = (err as { name?: unknown } | null)?.name
  return typeof name === 'string' && ENDED.has(name)
}

const ENDED = new Set(['UnexpectedEOFError', 'StreamResetError', 'StreamStateError', 'ConnectionClosedError', 'ConnectionClosingError', 'MuxerClosedError'])
