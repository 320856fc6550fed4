// Addresses as people type them. A node's address is a multiaddr
// (/ip4/10.0.0.5/tcp/7420), but `--peer 10.0.0.5:7420`, `[::1]:7420` and
// `node-3.lan:7420` mean the same and are accepted everywhere an address is (`start --peer`,
// the clients' `--peer` and MESHNODE_ADDR).
import { multiaddr } from '@multiformats/multiaddr'

/** `host:port` as a multiaddr; anything starting with `/` is taken as a multiaddr already. */
export function toMultiaddrString (addr: string): string {
  const a = addr.trim()
  if (a.startsWith('/')) return a
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:/[\]\s]+)):(\d{1,5})$/.exec(a)
  if (m == null || Number(m[3]) > 65535) return a
  const host = m[1] ?? m[2]!
  const proto = m[1] != null ? 'ip6' : /^\d{1,3}(\.\d{1,3}){3}$/.test(host) ? 'ip4' : 'dns'
  return `/${proto}/${host}/tcp/${m[3]}`
}

/** Whether `addr` (after toMultiaddrString) parses as a multiaddr. */
export function isAddress (addr: string): boolean {
  try {
    multiaddr(toMultiaddrString(addr))
    return true
  } catch {
    return false
  }
}
