import { describe, expect, it } from 'vitest'
import { advertiseFounders, campaignAtFounding, decideBootstrap, firstFounder, type PeerView } from '../../../src/consensus/bootstrap.js'

const peer = (id: string, over: Partial<PeerView> = {}): PeerView => ({ id, alive: true, clustered: false, bootstrapSet: [], ...over })

describe('bootstrap decision', () => {
  it('founds a single-node cluster at once when alone with no peers to look for', () => {
    expect(decideBootstrap({ self: 'a', expect: 1, hasPeers: false, peers: [] })).toEqual({ action: 'found', voters: ['a'], learners: [] })
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
    expect(decideBootstrap({ self: 'a', expect: 3, hasPeers: true, peers })).toEqual({ action: 'wait', proposal: ['a', 'b', 'c'], proposalVoters: 0, why: expect.any(String) })
    const agreeing = [peer('b', { bootstrapSet: ['c', 'a', 'b'] }), peer('c', { bootstrapSet: ['a', 'b', 'c'] })]
    expect(decideBootstrap({ self: 'a', expect: 3, hasPeers: true, peers: agreeing })).toEqual({ action: 'found', voters: ['a', 'b', 'c'], learners: [] })
  })

  it('does not found while a founder proposes a different set', () => {
    const peers = [peer('b', { bootstrapSet: ['a', 'b', 'c'] }), peer('c', { bootstrapSet: ['a', 'c', 'd'] })]
    expect(decideBootstrap({ self: 'a', expect: 3, hasPeers: true, peers }).action).toBe('wait')
  })

  it('founds every expected founder at once: the voter cap\'s lowest as voters, the others as learners', () => {
    const ids = ['a', 'b', 'c', 'd', 'e', 'f', 'g']
    const view = (self: string, sets: Record<string, string[]> = {}, voters = 3): PeerView[] => ids.filter(id => id !== self).map(id => peer(id, { bootstrapSet: sets[id] ?? [], bootstrapVoters: voters }))
    // Every founder proposes all seven, and says three of them vote.
    expect(decideBootstrap({ self: 'a', expect: 7, voterCap: 3, hasPeers: true, peers: view('a') })).toEqual({ action: 'wait', proposal: ids, proposalVoters: 3, why: expect.any(String) })
    const agreed = Object.fromEntries(ids.map(id => [id, [...ids].reverse()]))
    const config = { action: 'found', voters: ['a', 'b', 'c'], learners: ['d', 'e', 'f', 'g'] }
    expect(decideBootstrap({ self: 'a', expect: 7, voterCap: 3, hasPeers: true, peers: view('a', agreed) })).toEqual(config)
    // A founder beyond the cap founds the same configuration, as a learner.
    expect(decideBootstrap({ self: 'e', expect: 7, voterCap: 3, hasPeers: true, peers: view('e', agreed) })).toEqual(config)
    // A late one follows a founded peer's set and count, whatever its own cap.
    const founded = view('e').map(p => p.id === 'a' ? { ...p, clustered: true, bootstrapSet: ids } : p)
    expect(decideBootstrap({ self: 'e', expect: 7, voterCap: 5, hasPeers: true, peers: founded })).toEqual(config)
    // Waiting for all seven still: six seen are not enough, whatever the cap.
    expect(decideBootstrap({ self: 'a', expect: 7, voterCap: 3, hasPeers: true, peers: view('a').slice(1) })).toMatchObject({ action: 'wait', proposal: [] })
  })

  it('does not found while a founder proposes another number of voters: the log would fork', () => {
    const ids = ['a', 'b', 'c', 'd']
    const others = (voters: Record<string, number | undefined>): PeerView[] => ids.slice(1).map(id => peer(id, { bootstrapSet: ids, bootstrapVoters: voters[id] }))
    // a has --voter-cap 3; d another cap, or an older meshnode that sends no count (all vote).
    expect(decideBootstrap({ self: 'a', expect: 4, voterCap: 3, hasPeers: true, peers: others({ b: 3, c: 3, d: 2 }) }).action).toBe('wait')
    expect(decideBootstrap({ self: 'a', expect: 4, voterCap: 3, hasPeers: true, peers: others({ b: 3, c: 3 }) }).action).toBe('wait')
    // With the older one founded (every founder a voter), a follows its configuration.
    const oldFounded = others({ b: 3, c: 3 }).map(p => p.id === 'd' ? { ...p, clustered: true } : p)
    expect(decideBootstrap({ self: 'a', expect: 4, voterCap: 3, hasPeers: true, peers: oldFounded })).toEqual({ action: 'found', voters: ids, learners: [] })
    // A count of 0, or one at least the set's size, means every founder votes.
    expect(decideBootstrap({ self: 'a', expect: 4, voterCap: 9, hasPeers: true, peers: others({ b: 0, c: 4, d: 7 }) })).toEqual({ action: 'found', voters: ids, learners: [] })
  })

  it('founds with every expected founder as a voter when they are no more than the cap', () => {
    const peers = [peer('b', { bootstrapSet: ['a', 'b', 'c'] }), peer('c', { bootstrapSet: ['a', 'b', 'c'] })]
    expect(decideBootstrap({ self: 'a', expect: 3, voterCap: 5, hasPeers: true, peers })).toEqual({ action: 'found', voters: ['a', 'b', 'c'], learners: [] })
  })

  it('stays out of the founding set when its id is not among the lowest', () => {
    expect(decideBootstrap({ self: 'z', expect: 2, hasPeers: true, peers: [peer('a'), peer('b')] })).toMatchObject({ action: 'wait', proposal: [] })
  })
})

describe('bootstrap decision for a late founder', () => {
  it('founds with the set a clustered founder advertises when that set includes it', () => {
    const peers = [peer('b', { clustered: true, bootstrapSet: ['a', 'b', 'c'] }), peer('c')]
    expect(decideBootstrap({ self: 'a', expect: 3, hasPeers: true, peers })).toEqual({ action: 'found', voters: ['a', 'b', 'c'], learners: [] })
  })

  it('joins as a learner when the clustered peers founded without it', () => {
    const peers = [peer('b', { clustered: true, bootstrapSet: ['b', 'c', 'd'] })]
    expect(decideBootstrap({ self: 'a', expect: 3, hasPeers: true, peers })).toEqual({ action: 'join', via: ['b'] })
  })
})

describe('founding set a clustered node advertises', () => {
  const founders = ['a', 'b', 'c']

  it('advertises the set while a founder is not seen clustered: unclustered, dead, suspect or never seen', () => {
    const b = peer('b', { clustered: true, bootstrapSet: founders })
    expect(advertiseFounders('a', founders, [b, peer('c')])).toEqual(founders)
    expect(advertiseFounders('a', founders, [b, peer('c', { clustered: true, alive: false })])).toEqual(founders)
    expect(advertiseFounders('a', founders, [b])).toEqual(founders)
  })

  it('advertises nothing once every other founder is seen clustered, whatever non-founders do', () => {
    const peers = [peer('b', { clustered: true }), peer('c', { clustered: true }), peer('d')]
    expect(advertiseFounders('a', founders, peers)).toEqual([])
  })

  it('advertises nothing for a node that joined (no founders) or founded alone', () => {
    expect(advertiseFounders('d', [], [peer('a', { clustered: true })])).toEqual([])
    expect(advertiseFounders('a', ['a'], [])).toEqual([])
  })

  it('a late founder still founds with the identical set, after which the set is withdrawn', () => {
    // a and b founded; c saw the agreement late.
    const cAsSeenByB = peer('c')
    const fromA = advertiseFounders('a', founders, [peer('b', { clustered: true }), cAsSeenByB])
    const fromB = advertiseFounders('b', founders, [peer('a', { clustered: true }), cAsSeenByB])
    const late = decideBootstrap({ self: 'c', expect: 3, hasPeers: true, peers: [peer('a', { clustered: true, bootstrapSet: fromA }), peer('b', { clustered: true, bootstrapSet: fromB })] })
    expect(late).toEqual({ action: 'found', voters: founders, learners: [] })
    expect(advertiseFounders('a', founders, [peer('b', { clustered: true }), peer('c', { clustered: true })])).toEqual([])
  })

  it('a founder back unclustered under its old id gets the set again; a wiped one (new id) joins', () => {
    const settled = [peer('a', { clustered: true, bootstrapSet: [] }), peer('b', { clustered: true, bootstrapSet: [] })]
    expect(decideBootstrap({ self: 'e', expect: 3, hasPeers: true, peers: settled })).toEqual({ action: 'join', via: ['a', 'b'] })
    const fromA = advertiseFounders('a', founders, [peer('b', { clustered: true }), peer('c')])
    expect(fromA).toEqual(founders)
    const back = [peer('a', { clustered: true, bootstrapSet: fromA }), peer('b', { clustered: true, bootstrapSet: [] })]
    expect(decideBootstrap({ self: 'c', expect: 3, hasPeers: true, peers: back })).toEqual({ action: 'found', voters: founders, learners: [] })
    expect(decideBootstrap({ self: 'e', expect: 3, hasPeers: true, peers: back })).toEqual({ action: 'join', via: ['a', 'b'] })
  })
})

describe('the first campaign of a new cluster', () => {
  const founders = ['c', 'a', 'd', 'b', 'e']
  const founded = (id: string): PeerView => peer(id, { clustered: true })

  it('is left to the founder that sorts first, whichever order the set is in', () => {
    expect(firstFounder(founders)).toBe('a')
    expect(firstFounder(['b', 'a'])).toBe('a')
    const peers = ['a', 'b', 'c', 'd', 'e'].map(founded)
    expect(campaignAtFounding('a', founders, peers)).toBe(true)
    for (const other of ['b', 'c', 'd', 'e']) expect(campaignAtFounding(other, founders, peers)).toBe(false)
  })

  it('starts once a majority of the founders, itself included, is seen founded', () => {
    expect(campaignAtFounding('a', founders, [founded('b'), peer('c'), peer('d')])).toBe(false)
    expect(campaignAtFounding('a', founders, [founded('b'), founded('c'), peer('d')])).toBe(true)
  })

  it('does not count founders that are dead or suspect, nor peers outside the set', () => {
    const dead = (id: string): PeerView => peer(id, { clustered: true, alive: false })
    expect(campaignAtFounding('a', founders, [founded('b'), dead('c'), founded('x'), founded('y')])).toBe(false)
  })

  it('starts at once for a node that founded alone', () => {
    expect(campaignAtFounding('a', ['a'], [])).toBe(true)
  })
})
