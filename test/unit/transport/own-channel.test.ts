// gossipsub as the daemon builds it (createHost) skips the ed25519 check of a message whose
// propagation source is its author (Noise authenticated that peer), and checks every other
// copy in full: a peer must not be able to pass off a message authored by someone else with a
// bad signature. The messages are fed to the real gossipsub instance's receive-side validation.
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { RPC } from '@chainsafe/libp2p-gossipsub/message'
import { concat } from 'uint8arrays/concat'
import { fromString } from 'uint8arrays/from-string'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHost, type Host } from '../../../src/node/transport/host.js'
import { ownChannel, publicKeys } from '../../../src/node/transport/verify-cache.js'

const topic = 'own-channel-test'
let seq = 0
let checks = 0

/** A gossipsub RPC message authored by `author`, signed by `signer` (the author when honest). */
async function message (author: PrivateKey, signer: PrivateKey, data: string): Promise<RPC.Message> {
  const seqno = new Uint8Array(8)
  new DataView(seqno.buffer).setBigUint64(0, BigInt(++seq))
  const unsigned = { from: peerIdFromPrivateKey(author).toMultihash().bytes, data: fromString(data), seqno, topic }
  const signature = await signer.sign(concat([fromString('libp2p-pubsub:'), RPC.Message.encode(unsigned)]))
  return { ...unsigned, signature }
}

describe('gossipsub: no signature check for a message straight from its author', () => {
  let host: Host
  let validate: (from: unknown, msg: RPC.Message) => Promise<{ code: string }>
  let a: PrivateKey, b: PrivateKey, c: PrivateKey

  beforeAll(async () => {
    host = await createHost({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false })
    const pubsub = host.services.pubsub as any
    validate = async (from, msg) => await pubsub.validateReceivedMessage(from, msg)
    a = await generateKeyPair('Ed25519')
    b = await generateKeyPair('Ed25519')
    c = await generateKeyPair('Ed25519')
    // count the signature checks that reach the crypto
    const verify = publicKeys.verify
    publicKeys.verify = function (this: typeof publicKeys, ...args: Parameters<typeof verify>) {
      checks++
      return verify.apply(this, args)
    }
  })
  afterAll(async () => { await host?.stop() })

  it('accepts a relayed copy with a good signature, checking it', async () => {
    const before = checks
    const skipped = ownChannel.skipped
    // authored and signed by a, relayed to us by b
    expect((await validate(peerIdFromPrivateKey(b), await message(a, a, 'relayed'))).code).toBe('valid')
    expect(ownChannel.skipped).toBe(skipped)
    expect(checks).toBe(before + 1)
  })

  it('refuses a relayed copy whose signature is not its author\'s', async () => {
    const skipped = ownChannel.skipped
    // claims a as author, signed by b, relayed by b: b must not pass off a message as a's
    expect((await validate(peerIdFromPrivateKey(b), await message(a, b, 'forged by b'))).code).toBe('invalid')
    // the same, relayed by a third peer
    expect((await validate(peerIdFromPrivateKey(c), await message(a, b, 'forged, relayed by c'))).code).toBe('invalid')
    // a signature corrupted on the way
    const msg = await message(a, a, 'corrupted')
    msg.signature![5]! ^= 1
    expect((await validate(peerIdFromPrivateKey(b), msg)).code).toBe('invalid')
    expect(ownChannel.skipped).toBe(skipped)
  })

  it('accepts its author\'s own copy without checking the signature', async () => {
    const skipped = ownChannel.skipped
    const before = checks
    expect((await validate(peerIdFromPrivateKey(a), await message(a, a, 'from a itself'))).code).toBe('valid')
    expect(ownChannel.skipped).toBe(skipped + 1)
    expect(checks).toBe(before)
    // the channel is the proof: even a bad signature from the author itself is not checked
    expect((await validate(peerIdFromPrivateKey(a), await message(a, b, 'a, badly signed'))).code).toBe('valid')
    expect(ownChannel.skipped).toBe(skipped + 2)
  })

  it('checks again once the author\'s own message is done', async () => {
    // a's own message, then a copy forged as a's arriving from b at once: the second is checked
    const own = validate(peerIdFromPrivateKey(a), await message(a, a, 'own, then forged'))
    const forged = validate(peerIdFromPrivateKey(b), await message(a, c, 'forged after own'))
    expect((await own).code).toBe('valid')
    expect((await forged).code).toBe('invalid')
  })
})
