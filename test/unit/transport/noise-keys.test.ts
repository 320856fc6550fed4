import { randomBytes } from 'node:crypto'
import { defaultCrypto, pureJsCrypto } from '@chainsafe/libp2p-noise/crypto'
import { Uint8ArrayList } from 'uint8arraylist'
import { describe, expect, it, vi } from 'vitest'
import { NODE_CIPHER_FROM_BYTES, noiseCrypto, noiseKeyImports, x25519KeyImports } from '../../../src/node/transport/noise-keys.js'

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

describe('noiseCrypto: the handshake\'s HKDF and X25519 through node:crypto', () => {
  it('derives the same three keys as the library\'s HKDF, an empty input included', () => {
    for (const size of [0, 32, 64]) {
      const ck = new Uint8Array(randomBytes(32))
      const ikm = new Uint8Array(randomBytes(size))
      expect(noiseCrypto.getHKDF(ck, ikm).map(bytes)).toEqual(pureJsCrypto.getHKDF(ck, ikm).map(bytes))
    }
  })

  it('agrees on the shared secret with the library, both ways, for generated and seeded keys', () => {
    const ours = noiseCrypto.generateX25519KeyPair()
    const theirs = defaultCrypto.generateX25519KeyPair()
    const seeded = noiseCrypto.generateX25519KeyPairFromSeed(new Uint8Array(randomBytes(32)))
    for (const a of [ours, seeded]) {
      const secret = bytes(noiseCrypto.generateX25519SharedKey(a.privateKey, theirs.publicKey))
      expect(secret).toEqual(bytes(defaultCrypto.generateX25519SharedKey(theirs.privateKey, a.publicKey)))
      expect(secret).toEqual(bytes(pureJsCrypto.generateX25519SharedKey(a.privateKey, theirs.publicKey)))
      expect(bytes(noiseCrypto.generateX25519SharedKey(theirs.privateKey, a.publicKey))).toEqual(secret)
    }
  })

  it('imports a private key once however many handshakes use it, and a generated one never', () => {
    const before = x25519KeyImports.count
    const ephemeral = noiseCrypto.generateX25519KeyPair()
    const peer = defaultCrypto.generateX25519KeyPair()
    noiseCrypto.generateX25519SharedKey(ephemeral.privateKey, peer.publicKey)
    expect(x25519KeyImports.count).toBe(before)
    const staticKey = defaultCrypto.generateX25519KeyPair()
    for (let i = 0; i < 5; i++) noiseCrypto.generateX25519SharedKey(staticKey.privateKey, defaultCrypto.generateX25519KeyPair().publicKey)
    expect(x25519KeyImports.count - before).toBe(1)
  })

  it('takes the peer\'s ephemeral key as Noise hands it over (a sublist of the message) without the library\'s import of our key', () => {
    const library = vi.spyOn(defaultCrypto, 'generateX25519SharedKey')
    try {
      const ours = noiseCrypto.generateX25519KeyPair()
      const theirs = defaultCrypto.generateX25519KeyPair()
      const expected = bytes(defaultCrypto.generateX25519SharedKey(theirs.privateKey, ours.publicKey))
      library.mockClear()
      // readE: `re = message.sublist(offset, offset + 32)`, the message itself a list of chunks
      const message = new Uint8ArrayList(theirs.publicKey.subarray(0, 7), theirs.publicKey.subarray(7), new Uint8Array(randomBytes(48)))
      for (const re of [message.sublist(0, 32), new Uint8ArrayList(theirs.publicKey)]) {
        const before = x25519KeyImports.count
        expect(bytes(noiseCrypto.generateX25519SharedKey(ours.privateKey, re))).toEqual(expected)
        expect(x25519KeyImports.count).toBe(before)
      }
      expect(library).not.toHaveBeenCalled()
    } finally {
      library.mockRestore()
    }
  })

  it('refuses a peer key that is not an X25519 key, as the library does', () => {
    const ours = noiseCrypto.generateX25519KeyPair()
    expect(() => noiseCrypto.generateX25519SharedKey(ours.privateKey, new Uint8Array(31))).toThrow()
    expect(() => noiseCrypto.generateX25519SharedKey(ours.privateKey, new Uint8ArrayList(new Uint8Array(31)))).toThrow()
  })
})
