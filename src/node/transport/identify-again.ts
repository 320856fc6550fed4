// Identify on every new connection, and again while identify times out on a connection that is
// still open.
//
// Why: libp2p's identify runs once per connection (runOnConnectionOpen) within its own 5 s
// limit, and a failure is only logged. The peer's protocols are then never known, so gossipsub's
// topology never fires for that connection, and neither end opens its gossip stream unless the
// other one does: the connection stays up and carries no heartbeat, ever — each end counts
// itself connected, so nothing redials and no relay is turned on for it. At 50 processes
// starting together on two cores identify timed out on ~50 connections, and after 3 minutes
// 15 % of the pairs had still never heard each other, so no founder ever saw all 50 (BENCHMARKS.md,
// issue 14, stop 39). A timeout on a starved peer says nothing about the next try; any other
// failure (the peer does not speak identify, the connection closed, a wrong key) would give the
// same answer again, so only a timeout is tried again.
import type { Connection } from '@libp2p/interface'

/**
 * Tries per connection, each within identify's own limit (5 s): about a minute, about as long as
 * libp2p's connection monitor (monitorIntervalMs, host.ts: 60–90 s, then its ping timeout) lets
 * a connection that does not answer its ping stay open.
 */
export const IDENTIFY_ATTEMPTS = 12

/** What this uses of libp2p's identify service. */
export interface Identifier {
  identify: (connection: Connection) => Promise<unknown>
}

/** Whether identify failed only for lack of time (its signal's timeout, or an abort). */
function timedOut (err: any): boolean {
  return err?.name === 'TimeoutError' || err?.name === 'AbortError'
}

/**
 * Identify `connection` until it succeeds, fails otherwise than by a timeout, the connection is
 * no longer open, or `attempts` tries timed out. Resolves true once identified. A successful
 * identify updates the peer store and emits 'peer:identify' (libp2p does that), which is what
 * makes gossipsub open its stream to the peer.
 */
export async function identifyAgain (service: Identifier, connection: Connection, attempts = IDENTIFY_ATTEMPTS): Promise<boolean> {
  for (let i = 0; i < attempts; i++) {
    if (connection.status !== 'open') return false
    try {
      await service.identify(connection)
      return true
    } catch (err: any) {
      if (!timedOut(err)) return false
    }
  }
  return false
}

/** The host events this uses. */
interface ConnectionEvents {
  addEventListener: (type: 'connection:open', listener: (evt: CustomEvent<Connection>) => void) => void
}

/** Run identifyAgain on every connection `host` opens (identify's own runOnConnectionOpen off). */
export function identifyOnOpen (host: ConnectionEvents, service: () => Identifier | undefined): void {
  host.addEventListener('connection:open', evt => {
    const s = service()
    if (s != null) void identifyAgain(s, evt.detail)
  })
}
