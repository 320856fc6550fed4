// ed25519 signature checks with the peer's public KeyObject kept, not rebuilt per check.
//
// gossipsub checks the signature of every new message (StrictSign), and with it every peer's
// heartbeat once a second. @libp2p/crypto 5's Ed25519PublicKey.verify builds a fresh
// node:crypto KeyObject from a JWK (`crypto.createPublicKey`) for each check, then verifies:
// the import is about as costly as the check itself (BENCHMARKS.md, issue 14, stop 25). The
// KeyObject of a peer's key never changes, so it is built once per key and kept in a small
// map (keyed by the raw 32 bytes, oldest dropped first), and the check itself is the same
// `crypto.verify(null, data, key, sig)` as before.
import { createPublicKey, verify as edVerify, type KeyObject } from 'node:crypto'
import { publicKeyFromRaw } from '@libp2p/crypto/keys'

const PUBLIC_KEY_BYTES = 32
const SIGNATURE_BYTES = 64
/** DER prefix of an ed25519 SubjectPublicKeyInfo: the raw 32-byte key follows it (RFC 8410). */
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')

/** Public KeyObjects by raw key bytes, at most `max` of them (the oldest built is dropped first). */
export class KeyObjectCache {
  private readonly keys = new Map<string, KeyObject>()
  /** Keys imported (cache misses), for tests and curiosity. */
  imports = 0

  constructor (readonly max = 1024) {}

  get size (): number {
    return this.keys.size
  }

  /** The KeyObject of a raw 32-byte ed25519 public key. */
  get (raw: Uint8Array): KeyObject {
    const id = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('latin1')
    let key = this.keys.get(id)
    if (key === undefined) {
      key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' })
      this.imports++
      if (this.keys.size >= this.max) this.keys.delete(this.keys.keys().next().value!)
      this.keys.set(id, key)
    }
    return key
  }

  /** Does `sig` sign `data` under the raw ed25519 public key `raw`? */
  verify (raw: Uint8Array, data: Uint8Array, sig: Uint8Array): boolean {
    return edVerify(null, data, this.get(raw), sig)
  }
}

/** The one cache the process's libp2p keys share (a mesh's members, its clients). */
export const publicKeys = new KeyObjectCache()

/**
 * Make every @libp2p/crypto ed25519 public key verify through `publicKeys`. Keys or
 * signatures of the wrong length go to the library's own check, which throws as it did.
 */
export function cacheEd25519Verify (cache: KeyObjectCache = publicKeys): void {
  const proto = Object.getPrototypeOf(publicKeyFromRaw(new Uint8Array(PUBLIC_KEY_BYTES))) as {
    verify: (data: Uint8Array | { subarray: () => Uint8Array }, sig: Uint8Array, options?: { signal?: AbortSignal }) => boolean | Promise<boolean>
    __meshnodeCached?: boolean
  }
  if (proto.__meshnodeCached === true) return
  const verify = proto.verify
  proto.verify = function (this: { raw: Uint8Array }, data, sig, options) {
    if (this.raw?.byteLength !== PUBLIC_KEY_BYTES || !(sig instanceof Uint8Array) || sig.byteLength !== SIGNATURE_BYTES) {
      return verify.call(this, data, sig, options)
    }
    options?.signal?.throwIfAborted()
    return cache.verify(this.raw, data instanceof Uint8Array ? data : data.subarray(), sig)
  }
  proto.__meshnodeCached = true
}
