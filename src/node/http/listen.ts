// What `--http` accepts: HOST:PORT, "auto" (the default address, or a free port beside it
// when another node on this host holds it) or "off". Apart from server.ts so the config
// module can validate it without loading the server.
import { MeshError } from '../errors.js'

/** The address a node serves HTTP on by default; another free port if that one is taken. */
export const DEFAULT_HTTP = '127.0.0.1:7421'
/** Where to listen: a host and port, or off. `auto` is the default address with a fallback. */
export type HttpListen = { host: string, port: number, fallback: boolean } | null

export function parseHttpOption (value: string): HttpListen {
  if (value === 'off') return null
  if (value === 'auto') return { ...parseHostPort(DEFAULT_HTTP), fallback: true }
  return { ...parseHostPort(value), fallback: false }
}

function parseHostPort (value: string): { host: string, port: number } {
  const m = /^(?:\[([0-9a-fA-F:]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(value)
  const port = m == null ? NaN : Number(m[3])
  if (m == null || port > 65535) throw new MeshError('USAGE', `--http must be HOST:PORT (e.g. 127.0.0.1:7421), "auto" or "off"; got "${value}"`)
  return { host: m[1] ?? m[2]!, port }
}

export function isLoopbackHost (host: string): boolean {
  return /^127\./.test(host) || host === '::1' || host === 'localhost' || host === '::ffff:127.0.0.1'
}

