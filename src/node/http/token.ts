// Bearer tokens for the HTTP API. A token is a short statement signed with a client's own
// ed25519 key — the same key the admin protocol authenticates through Noise — so the HTTP
// API honours exactly the grants the admin protocol does, and a node stores no secret:
//
//   mn1.<base64url(JSON {sub, aud, exp})>.<base64url(signature over the middle part)>
//
// `sub` is the signer's peer id (an ed25519 peer id embeds its public key, so the signature
// is checked without a lookup), `aud` the mesh name (a token for one mesh is refused by
// another), `exp` the expiry in seconds since the epoch. Why not signed requests: a token
// is one header a browser, curl or Prometheus can send; it expires, and revoking the
// key's grant (`meshnode operator remove`) takes effect at once because rights are looked
// up per request. Why not a random secret kept by the node: every node would have to share
// it, and it would be one more thing to rotate. Pure: the clock is passed in.
import type { PrivateKey } from '@libp2p/interface'
import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id'
import { MeshError } from '../errors.js'

const PREFIX = 'mn1'
/** The longest lifetime a node accepts, whatever a token claims. */
export const MAX_TOKEN_TTL_MS = 90 * 24 * 3600_000
export const DEFAULT_TOKEN_TTL_MS = 24 * 3600_000
/** A bearer header longer than this is refused unread. */
const MAX_TOKEN_CHARS = 2048

interface Claims {
  sub: string
  aud: string
  exp: number
}

export async function mintToken (key: PrivateKey, mesh: string, ttlMs: number, now: number): Promise<string> {
  if (!(ttlMs > 0) || ttlMs > MAX_TOKEN_TTL_MS) throw new MeshError('USAGE', `a token lives between 1 s and ${MAX_TOKEN_TTL_MS / 86_400_000} days`)
  const claims: Claims = { sub: peerIdFromPrivateKey(key).toString(), aud: mesh, exp: Math.floor((now + ttlMs) / 1000) }
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url')
  const sig = await key.sign(Buffer.from(`${PREFIX}.${body}`))
  return `${PREFIX}.${body}.${Buffer.from(sig).toString('base64url')}`
}

/**
 * The peer id a token proves, or a MeshError UNAUTHORIZED saying what is wrong with it
 * (malformed, another mesh, expired, bad signature).
 */
export async function verifyToken (token: string, mesh: string, now: number): Promise<string> {
  const bad = (why: string): MeshError => new MeshError('UNAUTHORIZED', `bearer token refused: ${why}`)
  if (token.length > MAX_TOKEN_CHARS) throw bad('too long')
  const parts = token.split('.')
  if (parts.length !== 3 || parts[0] !== PREFIX) throw bad('not a meshnode token (make one with: meshnode token)')
  let claims: Claims
  try {
    claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'))
  } catch {
    throw bad('its claims are not JSON')
  }
  if (typeof claims?.sub !== 'string' || typeof claims.aud !== 'string' || typeof claims.exp !== 'number') throw bad('its claims lack sub, aud or exp')
  if (claims.aud !== mesh) throw bad(`it is for mesh "${claims.aud}", this node is in "${mesh}"`)
  if (claims.exp * 1000 <= now) throw bad(`it expired at ${new Date(claims.exp * 1000).toISOString()}`)
  if (claims.exp * 1000 > now + MAX_TOKEN_TTL_MS + 60_000) throw bad('it claims a lifetime longer than this node accepts')
  let ok = false
  try {
    const pub = peerIdFromString(claims.sub).publicKey
    if (pub == null) throw new Error('no public key')
    ok = await pub.verify(Buffer.from(`${PREFIX}.${parts[1]}`), Buffer.from(parts[2]!, 'base64url'))
  } catch {
    throw bad('its subject is not an ed25519 peer id')
  }
  if (!ok) throw bad('the signature does not verify')
  return claims.sub
}
