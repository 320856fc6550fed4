// Ed25519 through node:crypto (OpenSSL), with keys imported once: the one implementation the
// mesh's signed votes (src/consensus/votes.ts) and libp2p's message signatures
// (src/node/transport/verify-cache.ts) share.
//
// Signatures are deterministic (RFC 8032), so this signs exactly what any other Ed25519
// implementation signs. It replaced @noble/ed25519 for votes: the pure-JS curve took ~0.5 ms
// a signature and ~1.2 ms a check on this machine, node:crypto ~0.02 and ~0.07 ms — and a
// new leader's certificate holds a majority of signatures, each checked by every follower.
// The calls are synchronous, so the consensus core stays synchronous (and free of I/O).
import { createPrivateKey, createPublicKey, sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto'

export const PUBLIC_KEY_BYTES = 32
export const PRIVATE_KEY_BYTES = 32
export const SIGNATURE_BYTES = 64
/** DER prefix of an ed25519 SubjectPublicKeyInfo: the raw 32-byte key follows it (RFC 8410). */
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')
/** DER prefix of an ed25519 PKCS#8 private key: the raw 32-byte seed follows it (RFC 8410). */
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')

/** KeyObjects by raw key bytes, at most `max` of them (the oldest built is dropped first). */
class KeyMap {
  private readonly keys = new Map<string, KeyObject>()
  /** Keys imported (cache misses), for tests and curiosity. */
  imports = 0

  constructor (readonly max: number, private readonly make: (raw: Uint8Array) => KeyObject) {}

  get size (): number {
    return this.keys.size
  }

  get (raw: Uint8Array): KeyObject {
    const id = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('latin1')
    let key = this.keys.get(id)
    if (key === undefined) {
      key = this.make(raw)
      this.imports++
      if (this.keys.size >= this.max) this.keys.delete(this.keys.keys().next().value!)
      this.keys.set(id, key)
    }
    return key
  }
}

/** Public KeyObjects by raw key bytes: a peer's key is imported once, not per check. */
export class KeyObjectCache extends KeyMap {
  constructor (max = 1024) {
    super(max, raw => createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' }))
  }

  /** Does `sig` sign `data` under the raw ed25519 public key `raw`? Throws on a malformed key. */
  verify (raw: Uint8Array, data: Uint8Array, sig: Uint8Array): boolean {
    return cryptoVerify(null, data, this.get(raw), sig)
  }
}

/** The one cache of public keys the process shares (a mesh's members, its clients). */
export const publicKeys = new KeyObjectCache()

/** Private keys by seed: a node signs with its own key only, so a handful at most. */
const privateKeys = new KeyMap(16, seed => createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' }))

/** Private keys imported so far (cache misses): tests. */
export function privateKeyImports (): number {
  return privateKeys.imports
}

/** The signature of `message` by the 32-byte seed `privateKey`. */
export function sign (message: Uint8Array, privateKey: Uint8Array): Uint8Array {
  if (privateKey.byteLength !== PRIVATE_KEY_BYTES) throw new TypeError(`an ed25519 private key is ${PRIVATE_KEY_BYTES} bytes, not ${privateKey.byteLength}`)
  return new Uint8Array(cryptoSign(null, message, privateKeys.get(privateKey)))
}

/** Whether `signature` signs `message` under `publicKey`; never throws (malformed is invalid). */
export function verify (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.byteLength !== SIGNATURE_BYTES || publicKey.byteLength !== PUBLIC_KEY_BYTES) return false
  try {
    return publicKeys.verify(publicKey, message, signature)
  } catch {
    // a key that is not a curve point does not import: for us that is just a bad signature
    return false
  }
}

/** The 32-byte public key of the 32-byte seed `privateKey`. */
export function publicKeyOf (privateKey: Uint8Array): Uint8Array {
  if (privateKey.byteLength !== PRIVATE_KEY_BYTES) throw new TypeError(`an ed25519 private key is ${PRIVATE_KEY_BYTES} bytes, not ${privateKey.byteLength}`)
  const der = createPublicKey(privateKeys.get(privateKey)).export({ format: 'der', type: 'spki' })
  return new Uint8Array(der.subarray(der.byteLength - PUBLIC_KEY_BYTES))
}
