// Noise's ChaCha20-Poly1305 with each session key imported once, not per frame; its HKDF and
// X25519 through node:crypto.
//
// @chainsafe/libp2p-noise 16 encrypts and decrypts every transport frame of 1 200 bytes or
// more through node:crypto's createCipheriv / createDecipheriv with the raw 32-byte key, and
// node turns a raw key into a secret KeyObject on every call: ~11 µs a frame against ~3 µs
// with a KeyObject (node 24, this machine). From ~20 founders a heartbeat is above 1 200
// bytes (it carries the founding set), and in a 25-node profile preparing the key was ~6 % of
// a node's busy time (BENCHMARKS.md, issue 14, stop 29). A Noise session's two cipher keys
// never change, and the library passes the same Uint8Array for every frame of a session, so
// the KeyObject is kept per key array (a WeakMap: it goes with the session). Smaller frames
// go through the library's own choice (its WebAssembly cipher) unchanged.
//
// The handshake's key schedule and Diffie-Hellman go through node:crypto too, computing the
// same bytes as the library (issue 14, stop 40: a forming node makes ~10 handshakes at once):
// - HKDF: the library's defaultCrypto takes it from its pure-JS set (@noble/hashes' SHA-256):
//   four HKDFs a handshake (XX: ee, es, se, split) of four HMAC-SHA-256s each, run cold by the
//   interpreter and then optimised by TurboFan, the largest single compilation of a forming
//   node (stop 38). node:crypto's hkdfSync is the same RFC 5869 HKDF (salt ck, no info, 96 bytes).
// - X25519: the library wraps both keys in DER and imports both as KeyObjects for each of a
//   handshake's three DHs. Our own keys (the static key, every handshake; an ephemeral key,
//   once or twice) keep the KeyObject they were generated or first imported as; only the
//   peer's public key is imported per DH. The peer's ephemeral key comes as a Uint8ArrayList
//   (two of each side's three DHs): until stop 48 those went to the library's path, which
//   imported our private key from DER again each time (issue 14, stop 48, helper form25).
import { createPrivateKey, createPublicKey, createSecretKey, diffieHellman, generateKeyPairSync, hkdfSync, type KeyObject } from 'node:crypto'
import { defaultCrypto, nodeCrypto } from '@chainsafe/libp2p-noise/crypto'

/** The size from which the library uses node:crypto (its defaultCrypto). */
export const NODE_CIPHER_FROM_BYTES = 1200

const keys = new WeakMap<Uint8Array, KeyObject>()
/** KeyObjects built (tests). */
export const noiseKeyImports = { count: 0 }

/** The KeyObject kept for a raw key array, built (and counted) the first time it is seen. */
function kept (cache: WeakMap<Uint8Array, KeyObject>, raw: Uint8Array, imports: { count: number }, build: (raw: Uint8Array) => KeyObject): KeyObject {
  let key = cache.get(raw)
  if (key === undefined) {
    key = build(raw)
    imports.count++
    cache.set(raw, key)
  }
  return key
}

function keyObject (k: Uint8Array): KeyObject {
  return kept(keys, k, noiseKeyImports, createSecretKey)
}

type Crypto = typeof defaultCrypto

/** HKDF-SHA-256 with salt `ck`, no info, 96 bytes: Noise's HKDF(ck, ikm) as three 32-byte keys. */
function hkdf (ck: Uint8Array, ikm: Uint8Array): [Uint8Array, Uint8Array, Uint8Array] {
  const okm = new Uint8Array(hkdfSync('sha256', ikm, ck, NO_INFO, 96))
  return [okm.subarray(0, 32), okm.subarray(32, 64), okm.subarray(64, 96)]
}
const NO_INFO = new Uint8Array(0)

// DER around a raw X25519 key, as the library (and RFC 8410) writes it.
const PKCS8_PREFIX = Buffer.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20])
const SPKI_PREFIX = Buffer.from([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x03, 0x21, 0x00])
const X25519_KEY_BYTES = 32

/** Our X25519 private keys' KeyObjects, by the raw key array Noise keeps in its key pair. */
const x25519Keys = new WeakMap<Uint8Array, KeyObject>()
/** X25519 private keys imported from raw bytes (tests). */
export const x25519KeyImports = { count: 0 }

function x25519KeyPair (): { publicKey: Uint8Array, privateKey: Uint8Array } {
  const { publicKey, privateKey } = generateKeyPairSync('x25519')
  const raw = privateKey.export({ type: 'pkcs8', format: 'der' }).subarray(PKCS8_PREFIX.byteLength)
  x25519Keys.set(raw, privateKey)
  return { publicKey: publicKey.export({ type: 'spki', format: 'der' }).subarray(SPKI_PREFIX.byteLength), privateKey: raw }
}

function x25519PrivateKey (raw: Uint8Array): KeyObject {
  return kept(x25519Keys, raw, x25519KeyImports, r => createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, r]), format: 'der', type: 'pkcs8' }))
}

/** defaultCrypto, with node:crypto's cipher given a kept KeyObject instead of the raw key, and HKDF and X25519 through node:crypto. */
export const noiseCrypto: Crypto = {
  ...defaultCrypto,
  getHKDF: hkdf,
  generateX25519KeyPair: x25519KeyPair,
  generateX25519SharedKey (privateKey, publicKey) {
    // The peer's ephemeral key arrives as a Uint8ArrayList (the library keeps `re` as a sublist
    // of the received message); its static key as a Uint8Array. Both take this path.
    if (!(privateKey instanceof Uint8Array) || privateKey.byteLength !== X25519_KEY_BYTES || publicKey.byteLength !== X25519_KEY_BYTES) {
      return defaultCrypto.generateX25519SharedKey(privateKey, publicKey)
    }
    const peer = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey.subarray()]), format: 'der', type: 'spki' })
    return diffieHellman({ privateKey: x25519PrivateKey(privateKey), publicKey: peer })
  },
  chaCha20Poly1305Encrypt (plaintext, nonce, ad, k) {
    if (plaintext.byteLength < NODE_CIPHER_FROM_BYTES) return defaultCrypto.chaCha20Poly1305Encrypt(plaintext, nonce, ad, k)
    // createCipheriv takes a KeyObject wherever it takes key bytes
    return nodeCrypto.chaCha20Poly1305Encrypt(plaintext, nonce, ad, keyObject(k) as unknown as Uint8Array)
  },
  chaCha20Poly1305Decrypt (ciphertext, nonce, ad, k, dst) {
    if (ciphertext.byteLength < NODE_CIPHER_FROM_BYTES) return defaultCrypto.chaCha20Poly1305Decrypt(ciphertext, nonce, ad, k, dst)
    return nodeCrypto.chaCha20Poly1305Decrypt(ciphertext, nonce, ad, keyObject(k) as unknown as Uint8Array, dst)
  }
}
