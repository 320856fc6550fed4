// ed25519 signature checks with the peer's public KeyObject kept, not rebuilt per check.
//
// gossipsub checks the signature of every new message (StrictSign), and with it every peer's
// heartbeat once a second. @libp2p/crypto 5's Ed25519PublicKey.verify builds a fresh
// node:crypto KeyObject from a JWK (`crypto.createPublicKey`) for each check, then verifies:
// the import is about as costly as the check itself (BENCHMARKS.md, issue 14, stop 25). The
// KeyObject of a peer's key never changes, so it is built once per key and kept in a small
// map (keyed by the raw 32 bytes, oldest dropped first), and the check itself is the same
// `crypto.verify(null, data, key, sig)` as before.
//
// A message that arrives straight from its author is not checked at all (`trustOwnChannel`).
// The node's own signatures (every heartbeat it publishes) go through a kept private KeyObject
// too (`cacheEd25519Sign`).
import { privateKeyFromRaw, publicKeyFromRaw } from '@libp2p/crypto/keys'
import type { PeerId } from '@libp2p/interface'
import { equals } from 'uint8arrays/equals'
import { KeyObjectCache, PRIVATE_KEY_BYTES, PUBLIC_KEY_BYTES, SIGNATURE_BYTES, publicKeys, sign as signWithSeed } from '../../ed25519.js'

export { KeyObjectCache, publicKeys }

/**
 * The raw ed25519 key of the peer whose own gossip message is being validated right now, or
 * undefined: set by `trustOwnChannel` for the synchronous part of one validation only.
 */
let channelAuthor: Uint8Array | undefined

/** Signature checks skipped because the message came straight from its author (tests, metrics). */
export const ownChannel = { skipped: 0 }

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
    if (channelAuthor !== undefined && equals(this.raw, channelAuthor)) {
      ownChannel.skipped++
      return true
    }
    return cache.verify(this.raw, data instanceof Uint8Array ? data : data.subarray(), sig)
  }
  proto.__meshnodeCached = true
}

/**
 * Make every @libp2p/crypto ed25519 private key sign through a kept KeyObject (src/ed25519.ts).
 * @libp2p/crypto 5's Ed25519PrivateKey.sign imports the key from a JWK (`crypto.createPrivateKey`,
 * two base64url encodings) for every signature; gossipsub signs each heartbeat this node
 * publishes, once a second. Ed25519 signatures are deterministic (RFC 8032): the bytes are the
 * library's. A key whose raw form is not seed + public key (64 bytes) goes to the library.
 */
export function cacheEd25519Sign (): void {
  const proto = Object.getPrototypeOf(privateKeyFromRaw(new Uint8Array(PRIVATE_KEY_BYTES + PUBLIC_KEY_BYTES))) as {
    sign: (data: Uint8Array | { subarray: () => Uint8Array }, options?: { signal?: AbortSignal }) => Uint8Array | Promise<Uint8Array>
    __meshnodeCached?: boolean
  }
  if (proto.__meshnodeCached === true) return
  const sign = proto.sign
  proto.sign = function (this: { raw: Uint8Array }, data, options) {
    if (this.raw?.byteLength !== PRIVATE_KEY_BYTES + PUBLIC_KEY_BYTES) return sign.call(this, data, options)
    options?.signal?.throwIfAborted()
    return signWithSeed(data instanceof Uint8Array ? data : data.subarray(), this.raw.subarray(0, PRIVATE_KEY_BYTES))
  }
  proto.__meshnodeCached = true
}

interface GossipValidator {
  validateReceivedMessage: (propagationSource: PeerId, rpcMsg: { from?: Uint8Array }) => Promise<unknown>
  __meshnodeOwnChannel?: boolean
}

/**
 * Skip gossipsub's signature check of a message that its author sent us itself.
 *
 * gossipsub (StrictSign) checks the ed25519 signature of every new message, relayed or not.
 * With flood publishing each heartbeat reaches every peer straight from its author, over a
 * connection whose remote peer Noise has already authenticated (the handshake proves the
 * peer holds the key its peer id names): a message on it whose `from` is that same peer was
 * sent by that peer, and the signature can only repeat what the channel proves. A copy
 * relayed by anyone else — `from` names a peer other than the one on the connection — is
 * still checked in full, so no peer can inject a message authored by another unsigned.
 *
 * How: for the synchronous part of `validateReceivedMessage` (which runs
 * `validateToRawMessage` up to and including the key's `verify` call, before its first
 * await), the propagation source's key is `channelAuthor`, and the patched `verify` above
 * answers true for that key alone. A later gossipsub that awaited before the check would
 * only make the check run again (the flag is cleared when the call returns), never skip one
 * for another key. The author's key is the one its peer id embeds (ed25519 peer ids are the
 * key itself), which is also the only key gossipsub accepts for `from`.
 */
export function trustOwnChannel (proto: object): void {
  const p = proto as GossipValidator
  if (p.__meshnodeOwnChannel === true) return
  const validate = p.validateReceivedMessage
  p.validateReceivedMessage = function (this: unknown, propagationSource, rpcMsg) {
    const key = propagationSource.publicKey
    const fromAuthor = key?.type === 'Ed25519' && rpcMsg.from != null && equals(rpcMsg.from, propagationSource.toMultihash().bytes)
    channelAuthor = fromAuthor ? key.raw : undefined
    try {
      return validate.call(this, propagationSource, rpcMsg)
    } finally {
      channelAuthor = undefined
    }
  }
  p.__meshnodeOwnChannel = true
}
