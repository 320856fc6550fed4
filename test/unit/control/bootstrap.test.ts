import { describe, expect, it } from 'vitest'
import { decideBootstrap, type PeerView } from '../../../src/consensus/bootstrap.js'

const peer = (id: string, over: Partial<PeerView> = {}): PeerView => ({ id, alive: true, clustered: false, bootstrapSet: [], ...over })

describe('bootstrap decision', () => {
  it('founds a single-node cluster at once when alone with no peers to look for', () => {
    expect(decideBootstrap({ self: 'a', expect: 1, hasPeers: false, peers: [] })).toEqual({ action: 'found', voters: ['a'] })
  })

  it('never founds alone when it knows peers and expects one node', () => {
    expect(decideBootstrap({ self: 'a', expect: 1, hasPeers: true, peers: [peer('b')] })).toMatchObject({ action: 'wait', proposal: [] })
  })

  it('joins when any alive peer already belongs to a cluster', () => {
    expect(decideBootstrap({ self: 'a', expect: 3, hasPeers: true, peers: [peer('c', { clustered: true }), peer('b')] })).toEqual({ action: 'join', via: ['c'] })
  })

  it('ignores dead clustered peers', () => {
    expect(decideBootstrap({ self: 'a', expect: 1, hasPeers: true, peers: [peer('c', { clustered: true, alive: false })] }).action).toBe('wait')
  })

  it('waits until it sees the expected number of founders', () => {
    expect(decideBootstrap({ self: 'a', expect: 3, hasPeers: true, peers: [peer('b')] })).toMatchObject({ action: 'wait', proposal: [] })
  })

  it('proposes the lowest ids and founds only when every founder proposes the same set', () => {
    const peers = [peer('b'), peer('c')]
    expect(decideBootstrap({ self: 'a', expect: 3, hasPeers: true, peers })).toEqual({ action: 'wait', proposal: ['a', 'b', 'c'], why: expect.any(String) })
    const agreeing = [peer('b', { bootstrapSet: ['c', 'a', 'b'] }), peer('c', { bootstrapSet: ['a', 'b', 'c'] })]
    expect(decideBootstrap({ self: 'a', expect: 3, hasPeers: true, peers: agreeing })).toEqual({ action: 'found', voters: ['a', 'b', 'c'] })
  })

  it('does not found while a founder proposes a different set', () => {
    const peers = [peer('b', { bootstrapSet: ['a', 'b', 'c'] }), peer('c', { bootstrapSet: ['a', 'c', 'd'] })]
    expect(decideBootstrap({ self: 'a', expect: 3, hasPeers: true, peers }).action).toBe('wait')
  })

  it('stays out of the founding set when its id is not among the lowest', () => {
    expect(decideBootstrap({ self: 'z', expect: 2, hasPeers: true, peers: [peer('a'), peer('b')] })).toMatchObject({ action: 'wait', proposal: [] })
  })
})

describe('bootstrap decision for a late founder', () => {
  it('founds with the set a clustered founder advertises when that set includes it', () => {
    const peers = [peer('b', { clustered: true, bootstrapSet: ['a', 'b', 'c'] }), peer('c')]
    expect(decideBootstrap({ self: 'a', expect: 3, hasPeers: true, peers })).toEqual({ action: 'found', voters: ['a', 'b', 'c'] })
  })

  it('joins as a learner when the clustered peers founded without it', () => {
    const peers = [peer('b', { clustered: true, bootstrapSet: ['b', 'c', 'd'] })]
    expect(decideBootstrap({ self: 'a', expect: 3, hasPeers: true, peers })).toEqual({ action: 'join', via: ['b'] })
  })
})
