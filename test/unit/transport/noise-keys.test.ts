import { randomBytes } from 'node:crypto'
import { defaultCrypto } from '@chainsafe/libp2p-noise/crypto'
import { Uint8ArrayList } from 'uint8arraylist'
import { describe, expect, it } from 'vitest'
import { NODE_CIPHER_FROM_BYTES, noiseCrypto, noiseKeyImports } from '../../../src/node/transport/noise-keys.js'

const bytes = (u: Uint8Array | Uint8ArrayList): Uint8Array => new Uint8Array(u.subarray())

describe('noiseCrypto: ChaCha20-Poly1305 with the session key imported once', () => {
  const k = new Uint8Array(randomBytes(32))
  const ad = new Uint8Array(randomBytes(32))
  const nonce = new Uint8Array(12)

  it('seals and opens exactly as the library does, below and above the node:crypto size', () => {
    for (const size of [0, 100, NODE_CIPHER_FROM_BYTES - 1, NODE_CIPHER_FROM_BYTES, 5000, 65_519]) {
      const plain = new Uint8Array(randomBytes(size))
      nonce[0] = size & 0xff
      const ours = bytes(noiseCrypto.chaCha20Poly1305Encrypt(plain, nonce, ad, k))
      expect(ours).toEqual(bytes(defaultCrypto.chaCha20Poly1305Encrypt(plain, nonce, ad, k)))
      expect(bytes(noiseCrypto.chaCha20Poly1305Decrypt(ours, nonce, ad, k))).toEqual(plain)
      expect(bytes(defaultCrypto.chaCha20Poly1305Decrypt(ours, nonce, ad, k))).toEqual(plain)
      // a list of chunks, as Noise may hand over
      const list = new Uint8ArrayList(plain.subarray(0, size >> 1), plain.subarray(size >> 1))
      expect(bytes(noiseCrypto.chaCha20Poly1305Encrypt(list, nonce, ad, k))).toEqual(ours)
      expect(bytes(noiseCrypto.chaCha20Poly1305Decrypt(new Uint8ArrayList(ours), nonce, ad, k))).toEqual(plain)
    }
  })

  it('refuses a frame that was altered, sealed under another key or another nonce', () => {
    const plain = new Uint8Array(randomBytes(3000))
    const sealed = bytes(noiseCrypto.chaCha20Poly1305Encrypt(plain, nonce, ad, k))
    const altered = Uint8Array.from(sealed)
    altered[100]! ^= 1
    expect(() => noiseCrypto.chaCha20Poly1305Decrypt(altered, nonce, ad, k)).toThrow()
    expect(() => noiseCrypto.chaCha20Poly1305Decrypt(sealed, nonce, ad, new Uint8Array(randomBytes(32)))).toThrow()
    const other = Uint8Array.from(nonce)
    other[11] = 1
    expect(() => noiseCrypto.chaCha20Poly1305Decrypt(sealed, other, ad, k)).toThrow()
  })

  it('builds one KeyObject per session key, not one per frame', () => {
    const a = new Uint8Array(randomBytes(32))
    const b = new Uint8Array(randomBytes(32))
    const before = noiseKeyImports.count
    const plain = new Uint8Array(randomBytes(2000))
    for (let i = 0; i < 20; i++) {
      nonce[4] = i
      for (const key of [a, b]) {
        const sealed = noiseCrypto.chaCha20Poly1305Encrypt(plain, nonce, ad, key)
        expect(bytes(noiseCrypto.chaCha20Poly1305Decrypt(sealed, nonce, ad, key))).toEqual(plain)
      }
    }
    expect(noiseKeyImports.count - before).toBe(2)
  })
})
