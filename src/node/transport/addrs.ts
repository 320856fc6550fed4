// Multiaddr helpers shared by the dialer, membership and the CLI client.
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'

/** Parse what a peer advertised, skipping junk: a lying peer must not break our dialing. */
export function parseAddrs (addrs: string[]): Multiaddr[] {
  const out: Multiaddr[] = []
  for (const a of addrs) {
    try { out.push(multiaddr(a)) } catch { /* not a multiaddr: ignore it */ }
  }
  return out
}

/** Prefer a loopback address when talking to a node on this host. */
export function pickLocalAddr (addrs: string[]): string | undefined {
  return addrs.find(a => a.startsWith('/ip4/127.')) ?? addrs.find(a => a.startsWith('/ip6/::1/')) ?? addrs[0]
}
