// src/ed25519.ts against RFC 8032's test vectors (section 7.1), and what it does with bad input.
import { describe, expect, it } from 'vitest'
import { KeyObjectCache, publicKeyOf, sign, verify } from '../../src/ed25519.js'

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'))
const VECTORS = [
  {
    secret: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
    public: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    message: '',
    signature: 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b'
  },
  {
    secret: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
    public: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    message: '72',
    signature: '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00'
  }
]

describe('ed25519', () => {
  it('signs and derives public keys as RFC 8032 says, and verifies its vectors', () => {
    for (const v of VECTORS) {
      expect(Buffer.from(publicKeyOf(hex(v.secret))).toString('hex')).toBe(v.public)
      expect(Buffer.from(sign(hex(v.message), hex(v.secret))).toString('hex')).toBe(v.signature)
      expect(verify(hex(v.signature), hex(v.message), hex(v.public))).toBe(true)
    }
  })

  it('refuses a signature over another message, by another key, or altered', () => {
    const [a, b] = VECTORS
    expect(verify(hex(a!.signature), hex('01'), hex(a!.public))).toBe(false)
    expect(verify(hex(a!.signature), hex(a!.message), hex(b!.public))).toBe(false)
    const bent = hex(a!.signature)
    bent[10]! ^= 1
    expect(verify(bent, hex(a!.message), hex(a!.public))).toBe(false)
  })

  it('calls malformed keys and signatures invalid instead of throwing', () => {
    const v = VECTORS[0]!
    expect(verify(hex(v.signature).subarray(1), hex(v.message), hex(v.public))).toBe(false)
    expect(verify(hex(v.signature), hex(v.message), hex(v.public).subarray(1))).toBe(false)
    expect(() => sign(new Uint8Array(1), new Uint8Array(31))).toThrow(/32 bytes/)
  })

  it('imports each public key once, and drops the oldest beyond its size', () => {
    const cache = new KeyObjectCache(1)
    const [a, b] = VECTORS
    expect(cache.verify(hex(a!.public), hex(a!.message), hex(a!.signature))).toBe(true)
    expect(cache.verify(hex(a!.public), hex(a!.message), hex(a!.signature))).toBe(true)
    expect(cache.imports).toBe(1)
    expect(cache.verify(hex(b!.public), hex(b!.message), hex(b!.signature))).toBe(true)
    expect(cache.size).toBe(1)
    expect(cache.imports).toBe(2)
  })
})
