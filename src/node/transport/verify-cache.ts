// ed25519 signature checks with the peer's public KeyObject kept, not rebuilt per check.
//
// gossipsub checks the signature of every new message (StrictSign), and with it every peer's
// heartbeat once a second. @libp2p/crypto 5's Ed25519PublicKey.verify builds a fresh
// node:crypto KeyObject from a JWK (`crypto.createPublicKey`) for each check, then verifies:
// the import is about as costly as the check itself (BENCHMARKS.md, issue 14, stop 25). The
// KeyObject of a peer's key never changes, so it is built once per key and kept in a small
// map (keyed by the raw 32 bytes, oldest dropped first), and the check itself is the same
// `crypto.verify(null, data, key, sig)` as before.
import { publicKeyFromRaw } from '@libp2p/crypto/keys'
import { KeyObjectCache, PUBLIC_KEY_BYTES, SIGNATURE_BYTES, publicKeys } from '../../ed25519.js'

export { KeyObjectCache, publicKeys }

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
