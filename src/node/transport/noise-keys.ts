// Noise's ChaCha20-Poly1305 with each session key imported once, not per frame.
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
import { createSecretKey, type KeyObject } from 'node:crypto'
import { defaultCrypto, nodeCrypto } from '@chainsafe/libp2p-noise/crypto'

/** The size from which the library uses node:crypto (its defaultCrypto). */
export const NODE_CIPHER_FROM_BYTES = 1200

const keys = new WeakMap<Uint8Array, KeyObject>()
/** KeyObjects built (tests). */
export const noiseKeyImports = { count: 0 }

function keyObject (k: Uint8Array): KeyObject {
  let key = keys.get(k)
  if (key === undefined) {
    key = createSecretKey(k)
    noiseKeyImports.count++
    keys.set(k, key)
  }
  return key
}

type Crypto = typeof defaultCrypto

/** defaultCrypto, with node:crypto's cipher given a kept KeyObject instead of the raw key. */
export const noiseCrypto: Crypto = {
  ...defaultCrypto,
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
