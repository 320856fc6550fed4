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

describe('createHost: gossipsub peer scores decay on the gossip heartbeat', () => {
  it('runs no score timer of its own, and decays the scores at every gossip heartbeat', async () => {
    const host = await createHost({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false })
    try {
      const pubsub = host.services.pubsub as any
      expect(pubsub.score._backgroundInterval).toBeUndefined()
      let decays = 0
      const background = pubsub.score.background.bind(pubsub.score)
      pubsub.score.background = () => { decays++; background() }
      await pubsub.heartbeat()
      await pubsub.heartbeat()
      expect(decays).toBe(2)
    } finally {
      await host.stop()
    }
  })

  it('still decays a behaviour penalty once a second (P7: 0.2 per decay)', async () => {
    const host = await createHost({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false })
    try {
      const pubsub = host.services.pubsub as any
      pubsub.score.addPeer('peer')
      pubsub.score.addPenalty('peer', 5, 'test')
      await pubsub.heartbeat()
      expect(pubsub.score.peerStats.get('peer').behaviourPenalty).toBeCloseTo(1, 9)
    } finally {
      await host.stop()
    }
  })
})
