// gossipsub as the daemon builds it (createHost) puts no penalty on many peers sharing one IP
// address (P6, IP colocation): with the library default, from 15 nodes on one machine (all
// 127.0.0.1) every peer scored below the graylist threshold, and gossipsub ignored all of them
// while the connections stayed up — 25 processes never formed a mesh (bench/scale, issue 14).
import { generateKeyPair } from '@libp2p/crypto/keys'
import { describe, expect, it } from 'vitest'
import { createHost } from '../../../src/node/transport/host.js'

describe('createHost: gossipsub peer scoring', () => {
  it('gives many peers on one address no colocation penalty', async () => {
    const host = await createHost({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false })
    const pubsub = host.services.pubsub as any
    expect(pubsub.score.params.IPColocationFactorWeight).toBe(0)
  })
})
