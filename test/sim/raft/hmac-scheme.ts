// A stand-in signature scheme for the simulator: HMAC-SHA256 with the "public key" equal to
// the private key. It is not a signature scheme — anyone who can verify can forge — but the
// simulator's nodes are honest and it tests the protocol, not the curve: what matters is that
// a statement signed by one key over one content verifies exactly for that key and content.
// It is ~500× cheaper than Ed25519, which is what lets thousands of seeded runs finish in
// seconds. A few seeds still run with real Ed25519 (see raft.test.ts).

import { createHmac, timingSafeEqual } from 'node:crypto'
import type { SignatureScheme } from '../../../src/consensus/index.js'

export const hmacScheme: SignatureScheme = {
  name: 'hmac-sha256 (simulation only)',
  sign (message, privateKey) {
    return new Uint8Array(createHmac('sha256', privateKey).update(message).digest())
  },
  verify (signature, message, publicKey) {
    if (signature.length !== 32) return false
    const expected = createHmac('sha256', publicKey).update(message).digest()
    return timingSafeEqual(expected, signature)
  },
  publicKey (privateKey) {
    return privateKey
  }
}
