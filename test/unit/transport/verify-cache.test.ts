import { describe, expect, it } from 'vitest'
import { generateKeyPair, publicKeyFromRaw } from '@libp2p/crypto/keys'
import { Uint8ArrayList } from 'uint8arraylist'
import { KeyObjectCache, cacheEd25519Sign, cacheEd25519Verify, publicKeys } from '../../../src/node/transport/verify-cache.js'
import { privateKeyImports } from '../../../src/ed25519.js'

const text = (s: string): Uint8Array => new TextEncoder().encode(s)

describe('KeyObjectCache: ed25519 checks with each public key imported once', () => {
  it('accepts a good signature, refuses a wrong one, another message and another key', async () => {
    const a = await generateKeyPair('Ed25519')
    const b = await generateKeyPair('Ed25519')
    const cache = new KeyObjectCache()
    const msg = text('heartbeat 1')
    const sig = await a.sign(msg)
    expect(cache.verify(a.publicKey.raw, msg, sig)).toBe(true)
    expect(cache.verify(a.publicKey.raw, text('heartbeat 2'), sig)).toBe(false)
    const flipped = Uint8Array.from(sig)
    flipped[10]! ^= 1
    expect(cache.verify(a.publicKey.raw, msg, flipped)).toBe(false)
    // b's key is its own entry, not a's KeyObject under another name
    expect(cache.verify(b.publicKey.raw, msg, sig)).toBe(false)
    expect(cache.verify(b.publicKey.raw, msg, await b.sign(msg))).toBe(true)
    expect(cache.verify(a.publicKey.raw, msg, sig)).toBe(true)
    expect(cache.imports).toBe(2)
    expect(cache.size).toBe(2)
  })

  it('tells keys apart by their bytes, wherever they sit in a buffer', async () => {
    const a = await generateKeyPair('Ed25519')
    const b = await generateKeyPair('Ed25519')
    const cache = new KeyObjectCache()
    const both = new Uint8Array(64)
    both.set(a.publicKey.raw, 0)
    both.set(b.publicKey.raw, 32)
    const msg = text('x')
    const sigA = await a.sign(msg)
    const sigB = await b.sign(msg)
    expect(cache.verify(both.subarray(0, 32), msg, sigA)).toBe(true)
    expect(cache.verify(both.subarray(32), msg, sigA)).toBe(false)
    expect(cache.verify(both.subarray(32), msg, sigB)).toBe(true)
    // a key whose bytes changed in place is a new key, not the cached one
    both.set(b.publicKey.raw, 0)
    expect(cache.verify(both.subarray(0, 32), msg, sigA)).toBe(false)
    expect(cache.verify(both.subarray(0, 32), msg, sigB)).toBe(true)
  })

  it('holds at most max keys, dropping the oldest, and still checks a dropped key right', async () => {
    const pairs = await Promise.all([0, 1, 2].map(async () => await generateKeyPair('Ed25519')))
    const cache = new KeyObjectCache(2)
    const msg = text('m')
    const sigs = await Promise.all(pairs.map(async p => await p.sign(msg)))
    pairs.forEach((p, i) => expect(cache.verify(p.publicKey.raw, msg, sigs[i]!)).toBe(true))
    expect(cache.size).toBe(2)
    expect(cache.imports).toBe(3)
    expect(cache.verify(pairs[0]!.publicKey.raw, msg, sigs[0]!)).toBe(true)
    expect(cache.verify(pairs[0]!.publicKey.raw, msg, sigs[1]!)).toBe(false)
    expect(cache.imports).toBe(4)
    expect(cache.size).toBe(2)
  })
})

describe('cacheEd25519Verify: libp2p public keys verify through the cache', () => {
  it('keeps the library\'s answers, imports each key once, and throws on malformed input as before', async () => {
    cacheEd25519Verify()
    cacheEd25519Verify() // once only
    const a = await generateKeyPair('Ed25519')
    const msg = text('signed by a')
    const sig = await a.sign(msg)
    const before = publicKeys.imports
    // a fresh key instance per message, as gossipsub builds one from each message's sender
    for (let i = 0; i < 5; i++) {
      const pub = publicKeyFromRaw(a.publicKey.raw)
      expect(await pub.verify(msg, sig)).toBe(true)
      expect(await pub.verify(text('not signed by a'), sig)).toBe(false)
    }
    expect(publicKeys.imports - before).toBe(1)
    // a Uint8ArrayList message, as gossipsub may pass
    expect(await publicKeyFromRaw(a.publicKey.raw).verify(new Uint8ArrayList(msg.subarray(0, 3), msg.subarray(3)) as any, sig)).toBe(true)
    const other = await generateKeyPair('Ed25519')
    expect(await publicKeyFromRaw(other.publicKey.raw).verify(msg, sig)).toBe(false)
    expect(() => publicKeyFromRaw(a.publicKey.raw).verify(msg, sig.subarray(0, 63))).toThrow(/64 bytes/)
  })
})

describe('cacheEd25519Sign: the node\'s own key signs through a kept KeyObject', () => {
  it('gives the library\'s bytes for every message and key, imports each key once', async () => {
    const keys = [await generateKeyPair('Ed25519'), await generateKeyPair('Ed25519')]
    const msgs = [new Uint8Array(0), text('a heartbeat'), new Uint8Array(2000).fill(7)]
    // the library's own signatures, taken before the patch
    const expected = keys.map(k => msgs.map(m => Buffer.from(k.sign(m) as Uint8Array).toString('hex')))
    cacheEd25519Sign()
    cacheEd25519Sign() // once only
    const before = privateKeyImports()
    for (let round = 0; round < 3; round++) {
      keys.forEach((k, i) => msgs.forEach((m, j) => {
        const sig = k.sign(m) as Uint8Array
        expect(Buffer.from(sig).toString('hex')).toBe(expected[i]![j])
        expect(k.publicKey.verify(m, sig)).toBe(true)
      }))
    }
    expect(privateKeyImports() - before).toBe(2)
    // a Uint8ArrayList message, as gossipsub may pass
    const list = new Uint8ArrayList(msgs[1]!.subarray(0, 3), msgs[1]!.subarray(3))
    expect(Buffer.from(keys[0]!.sign(list as any) as Uint8Array).toString('hex')).toBe(expected[0]![1])
    // a key of the wrong length still goes to the library (which refuses it)
    const odd = Object.create(Object.getPrototypeOf(keys[0]), { raw: { value: new Uint8Array(10) } })
    expect(() => odd.sign(msgs[1])).toThrow()
  })
})
