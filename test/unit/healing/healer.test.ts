import { describe, expect, it } from 'vitest'
import type { MemberState, Transition } from '../../../src/healing/failure-detector.js'
import { Healer, proposeFirst, type ConfChangeDecision, type HealingDecision, type PeerInput, type RaftView, type ReviewInput } from '../../../src/healing/healer.js'

const MINUTE = 60_000

/** A fake clock on the detector's time base: tests move it forward explicitly. */
class Clock {
  now = 1_000_000
  advance (ms: number): number {
    this.now += ms
    return this.now
  }
}

function leaderView (over: Partial<RaftView> = {}): RaftView {
  return { role: 'leader', leader: 'a', commit: 10, conf: { voters: ['a', 'b', 'c'], learners: [] }, leadTransferee: null, progress: new Map(), ...over }
}

function peer (peerId: string, state: MemberState, lastHeardAt: number, advertisesCluster: boolean | undefined = true): PeerInput {
  return { peerId, state, lastHeardAt, advertisesCluster }
}

function input (clock: Clock, raft: RaftView, peers: PeerInput[]): ReviewInput {
  return { now: clock.now, raft, peers, dead: new Map() }
}

function changes (ds: HealingDecision[]): string[] {
  return ds.map(d => d.type === 'confChange' ? `${d.change.type} ${d.change.nodeId}` : `${d.type} ${d.leader}`)
}

function dead (peerId: string): Transition {
  return { peerId, from: 'suspect', to: 'dead', reason: 'second failed probe' }
}

describe('healer: a dead leader', () => {
  const healer = new Healer('b')

  it('makes a follower drop the leader at once', () => {
    const raft = leaderView({ role: 'follower', leader: 'a' })
    expect(healer.transition(dead('a'), raft)).toEqual([{ type: 'leaderLost', leader: 'a' }])
  })

  it('makes a learner (a follower outside the voter set) drop the leader too', () => {
    const raft = leaderView({ role: 'follower', leader: 'a', conf: { voters: ['a', 'c', 'd'], learners: ['b'] } })
    expect(changes(healer.transition(dead('a'), raft))).toEqual(['leaderLost a'])
  })

  it('is ignored by the leader itself, even if a stale report names it', () => {
    const self = new Healer('a')
    expect(self.transition(dead('a'), leaderView({ role: 'leader', leader: 'a' }))).toEqual([])
  })

  it('only counts when the dead peer is the leader this node follows', () => {
    expect(healer.transition(dead('c'), leaderView({ role: 'follower', leader: 'a' }))).toEqual([])
  })

  it('needs a death, not a suspicion or a graceful leave', () => {
    const raft = leaderView({ role: 'follower', leader: 'a' })
    expect(healer.transition({ peerId: 'a', from: 'alive', to: 'suspect', reason: 'probe failed' }, raft)).toEqual([])
    expect(healer.transition({ peerId: 'a', from: 'alive', to: 'left', reason: 'leaving' }, raft)).toEqual([])
  })

  it('changes nothing on a node that belongs to no cluster yet', () => {
    expect(healer.transition(dead('a'), null)).toEqual([])
  })

  it('changes nothing for a candidate that has no leader', () => {
    expect(healer.transition(dead('a'), leaderView({ role: 'candidate', leader: null }))).toEqual([])
  })
})

describe('healer: membership review', () => {
  it('runs every tenth tick by default', () => {
    const healer = new Healer('a')
    expect([...Array(31).keys()].filter(t => healer.reviewDue(t))).toEqual([0, 10, 20, 30])
  })

  it('is the leader\'s job only', () => {
    const clock = new Clock()
    const healer = new Healer('b')
    const peers = [peer('a', 'alive', clock.now), peer('x', 'alive', clock.now, false)]
    for (const role of ['follower', 'candidate', 'pre-candidate'] as const) {
      expect(healer.review(input(clock, leaderView({ role, leader: 'a' }), peers))).toEqual([])
    }
  })

  it('proposes nothing while leadership is being transferred', () => {
    const clock = new Clock()
    const healer = new Healer('a')
    const peers = [peer('x', 'alive', clock.now, false)]
    expect(healer.review(input(clock, leaderView({ leadTransferee: 'b' }), peers))).toEqual([])
    expect(changes(healer.review(input(clock, leaderView(), peers)))).toEqual(['addLearner x'])
  })

  it('proposes nothing when every member is healthy and no one waits to join', () => {
    const clock = new Clock()
    const healer = new Healer('a')
    const peers = ['b', 'c'].map(id => peer(id, 'alive', clock.now))
    expect(healer.review(input(clock, leaderView(), peers))).toEqual([])
  })
})

describe('healer: removing a dead voter', () => {
  it('removes a voter dead for over a minute, with how long as the reason', () => {
    const clock = new Clock()
    const healer = new Healer('a')
    const lastHeard = clock.now
    clock.advance(MINUTE + 1)
    const ds = healer.review(input(clock, leaderView(), [peer('b', 'dead', lastHeard), peer('c', 'alive', clock.now)]))
    expect(ds).toEqual([{ type: 'confChange', change: { type: 'remove', nodeId: 'b' }, reason: 'dead for 60001 ms' }])
  })

  it('waits until the voter has been silent for longer than the threshold', () => {
    const clock = new Clock()
    const healer = new Healer('a')
    const lastHeard = clock.now
    const peers = (): PeerInput[] => [peer('b', 'dead', lastHeard), peer('c', 'alive', clock.now)]
    clock.advance(MINUTE)
    expect(healer.review(input(clock, leaderView(), peers()))).toEqual([])
    clock.advance(1)
    expect(changes(healer.review(input(clock, leaderView(), peers())))).toEqual(['remove b'])
  })

  it('removes a voter that left gracefully the same way', () => {
    const clock = new Clock()
    const healer = new Healer('a')
    const lastHeard = clock.now
    clock.advance(2 * MINUTE)
    const ds = healer.review(input(clock, leaderView(), [peer('b', 'left', lastHeard), peer('c', 'alive', clock.now)]))
    expect(ds).toEqual([{ type: 'confChange', change: { type: 'remove', nodeId: 'b' }, reason: `left for ${2 * MINUTE} ms` }])
  })

  it('never removes a voter that is only suspect, however long', () => {
    const clock = new Clock()
    const healer = new Healer('a')
    const lastHeard = clock.now
    clock.advance(10 * MINUTE)
    expect(healer.review(input(clock, leaderView(), [peer('b', 'suspect', lastHeard), peer('c', 'alive', clock.now)]))).toEqual([])
  })

  it('never removes a voter the membership table does not know', () => {
    const clock = new Clock()
    const healer = new Healer('a')
    clock.advance(10 * MINUTE)
    expect(healer.review(input(clock, leaderView(), [peer('c', 'alive', clock.now)]))).toEqual([])
  })

  it('never removes the leader itself', () => {
    const clock = new Clock()
    const healer = new Healer('a')
    const lastHeard = clock.now
    clock.advance(10 * MINUTE)
    expect(healer.review(input(clock, leaderView(), [peer('a', 'dead', lastHeard)]))).toEqual([])
  })

  it('honours a configured threshold', () => {
    const clock = new Clock()
    const healer = new Healer('a', { removeDeadVoterAfterMs: 5_000 })
    const lastHeard = clock.now
    clock.advance(5_001)
    expect(changes(healer.review(input(clock, leaderView(), [peer('b', 'dead', lastHeard)])))).toEqual(['remove b'])
  })
})

describe('healer: adding joiners', () => {
  it('adds an alive peer that advertises no cluster as a learner', () => {
    const clock = new Clock()
    const healer = new Healer('a')
    const ds = healer.review(input(clock, leaderView(), [peer('x', 'alive', clock.now, false)]))
    expect(ds).toEqual([{ type: 'confChange', change: { type: 'addLearner', nodeId: 'x' }, reason: 'new node' }])
  })

  it('leaves alone a peer that advertises another cluster', () => {
    const clock = new Clock()
    const healer = new Healer('a')
    expect(healer.review(input(clock, leaderView(), [peer('x', 'alive', clock.now, true)]))).toEqual([])
  })

  it('waits for a peer\'s first heartbeat before adding it', () => {
    const clock = new Clock()
    const healer = new Healer('a')
    expect(healer.review(input(clock, leaderView(), [peer('x', 'alive', clock.now, undefined)]))).toEqual([])
  })

  it('does not add a peer that is not alive', () => {
    const clock = new Clock()
    const healer = new Healer('a')
    const peers = (['suspect', 'dead', 'left'] as const).map((s, i) => peer(`x${i}`, s, clock.now, false))
    expect(healer.review(input(clock, leaderView(), peers))).toEqual([])
  })

  it('does not add a peer that is already a voter or a learner', () => {
    const clock = new Clock()
    const healer = new Healer('a')
    const raft = leaderView({ conf: { voters: ['a', 'b', 'c', 'd', 'e'], learners: ['l'] } })
    expect(healer.review(input(clock, raft, [peer('b', 'alive', clock.now, false), peer('l', 'alive', clock.now, false)]))).toEqual([])
  })

  it('offers joiners in the membership table\'s order', () => {
    const clock = new Clock()
    const healer = new Healer('a')
    const peers = [peer('y', 'alive', clock.now, false), peer('x', 'alive', clock.now, false)]
    expect(changes(healer.review(input(clock, leaderView(), peers)))).toEqual(['addLearner y', 'addLearner x'])
  })
})

describe('healer: members removed earlier that come back', () => {
  const back = (peerId: string, over: Partial<PeerInput> = {}): PeerInput => ({ peerId, state: 'alive', lastHeardAt: 0, advertisesCluster: true, incarnation: 4, ...over })
  const review = (peers: PeerInput[], dead: ReviewInput['dead'] = new Map(), removed = new Map([['x', 30]])): HealingDecision[] =>
    new Healer('a').review({ now: 0, raft: leaderView(), peers, dead, removed })

  it('adds a node a committed change removed (a drain, remove-peer) again as a learner once it is back', () => {
    expect(review([back('x')])).toEqual([{ type: 'confChange', change: { type: 'addLearner', nodeId: 'x' }, reason: 'removed earlier; back' }])
  })

  it('adds it back once it lives in an incarnation newer than the one declared dead', () => {
    expect(changes(review([back('x', { incarnation: 3 })], new Map([['x', { incarnation: 3 }]])))).toEqual([])
    expect(changes(review([back('x', { incarnation: 4 })], new Map([['x', { incarnation: 3 }]])))).toEqual(['addLearner x'])
  })

  it('does not add back a node that is draining (it is on its way out)', () => {
    expect(review([back('x', { draining: true })])).toEqual([])
  })

  it('does not add a draining joiner either', () => {
    expect(review([back('y', { advertisesCluster: false, draining: true })])).toEqual([])
  })

  it('still leaves alone a peer of another cluster: it was never removed from this one', () => {
    expect(review([back('y')])).toEqual([])
  })
})

describe('healer: promoting a learner', () => {
  it('promotes the most caught-up alive learner while voters are below the cap', () => {
    const clock = new Clock()
    const healer = new Healer('a')
    const raft = leaderView({ commit: 10, conf: { voters: ['a', 'b', 'c'], learners: ['l1', 'l2', 'l3'] }, progress: new Map([['l1', { match: 10 }], ['l2', { match: 12 }], ['l3', { match: 15 }]]) })
    const peers = [peer('l1', 'alive', clock.now), peer('l2', 'alive', clock.now), peer('l3', 'dead', clock.now)]
    expect(healer.review(input(clock, raft, peers))).toEqual([{ type: 'confChange', change: { type: 'promote', nodeId: 'l2' }, reason: 'caught up; voters below the cap' }])
  })

  it('does not promote a learner that has not caught up with the commit index', () => {
    const clock = new Clock()
    const healer = new Healer('a')
    const raft = leaderView({ commit: 10, conf: { voters: ['a'], learners: ['l'] }, progress: new Map([['l', { match: 9 }]]) })
    expect(healer.review(input(clock, raft, [peer('l', 'alive', clock.now)]))).toEqual([])
  })

  it('treats a learner without progress as not caught up', () => {
    const clock = new Clock()
    const healer = new Healer('a')
    const raft = leaderView({ commit: 1, conf: { voters: ['a'], learners: ['l'] }, progress: undefined })
    expect(healer.review(input(clock, raft, [peer('l', 'alive', clock.now)]))).toEqual([])
  })

  it('keeps learners as learners once voters reach the cap', () => {
    const clock = new Clock()
    const healer = new Healer('a')
    const raft = leaderView({ commit: 10, conf: { voters: ['a', 'b', 'c', 'd', 'e'], learners: ['l'] }, progress: new Map([['l', { match: 10 }]]) })
    expect(healer.review(input(clock, raft, [peer('l', 'alive', clock.now)]))).toEqual([])
  })

  it('honours a configured voter cap', () => {
    const clock = new Clock()
    const raft = leaderView({ commit: 10, conf: { voters: ['a', 'b', 'c'], learners: ['l'] }, progress: new Map([['l', { match: 10 }]]) })
    const peers = [peer('l', 'alive', clock.now)]
    expect(new Healer('a', { voterCap: 3 }).review(input(clock, raft, peers))).toEqual([])
    expect(changes(new Healer('a', { voterCap: 4 }).review(input(clock, raft, peers)))).toEqual(['promote l'])
  })

  it('offers a single promotion, never a second-best learner', () => {
    const clock = new Clock()
    const healer = new Healer('a')
    const raft = leaderView({ commit: 10, conf: { voters: ['a'], learners: ['l1', 'l2'] }, progress: new Map([['l1', { match: 11 }], ['l2', { match: 10 }]]) })
    expect(changes(healer.review(input(clock, raft, [peer('l1', 'alive', clock.now), peer('l2', 'alive', clock.now)])))).toEqual(['promote l1'])
  })
})

describe('healer: order and one change at a time', () => {
  function busyCluster (clock: Clock): ReviewInput {
    const lastHeard = clock.now
    clock.advance(2 * MINUTE)
    const raft = leaderView({ commit: 10, conf: { voters: ['a', 'b', 'c'], learners: ['l'] }, progress: new Map([['l', { match: 10 }]]) })
    return input(clock, raft, [peer('b', 'dead', lastHeard), peer('c', 'alive', clock.now), peer('l', 'alive', clock.now), peer('x', 'alive', clock.now, false)])
  }

  it('ranks removing a dead voter before adding a joiner before promoting a learner', () => {
    const clock = new Clock()
    expect(changes(new Healer('a').review(busyCluster(clock)))).toEqual(['remove b', 'addLearner x', 'promote l'])
  })

  it('proposes only the first change the core accepts', () => {
    const clock = new Clock()
    const tried: string[] = []
    const done = proposeFirst(new Healer('a').review(busyCluster(clock)), d => { tried.push(d.change.nodeId); return true })
    expect(done?.change).toEqual({ type: 'remove', nodeId: 'b' })
    expect(tried).toEqual(['b'])
  })

  it('falls through to the next change when the core refuses one', () => {
    const clock = new Clock()
    const tried: string[] = []
    const done = proposeFirst(new Healer('a').review(busyCluster(clock)), d => { tried.push(d.change.nodeId); return d.change.type !== 'remove' })
    expect(done?.change).toEqual({ type: 'addLearner', nodeId: 'x' })
    expect(tried).toEqual(['b', 'x'])
  })

  it('proposes nothing when the core refuses every change (one is already pending)', () => {
    const clock = new Clock()
    const refuse = (_: ConfChangeDecision): boolean => false
    expect(proposeFirst(new Healer('a').review(busyCluster(clock)), refuse)).toBeUndefined()
  })

  it('is a pure function of its inputs', () => {
    const clock = new Clock()
    const healer = new Healer('a')
    const snapshot = busyCluster(clock)
    expect(healer.review(snapshot)).toEqual(healer.review(snapshot))
  })
})

describe('healer: a sans-I/O core', () => {
  it('imports nothing from the I/O shell or the wire, and reads no clock or randomness', async () => {
    const { readFile } = await import('node:fs/promises')
    const src = await readFile(new URL('../../../src/healing/healer.ts', import.meta.url), 'utf8')
    const imports = [...src.matchAll(/from '([^']+)'/g)].map(m => m[1])
    expect(imports.filter(i => i!.includes('/node/') || i!.includes('/wire/') || !i!.startsWith('.'))).toEqual([])
    expect(src).not.toMatch(/Date\.now|performance\.|Math\.random|setTimeout|setInterval/)
  })
})
