// RaftCore.hasQuorumContact: the core's own verdict on whether this node reaches a majority,
// which partition fencing builds on (src/healing/quorum-contact.ts).
import { describe, expect, it } from 'vitest'
import { defaultRaftOptions } from '../../../src/consensus/options.js'
import { Cluster } from './cluster.js'

const ELECTION = defaultRaftOptions.electionTicks

describe('quorum contact in the Raft core', () => {
  it('a leader and followers that hear it have contact', () => {
    const c = new Cluster(['a', 'b', 'c'])
    c.elect('a')
    c.tick(3)
    for (const id of ['a', 'b', 'c']) expect(c.core(id).hasQuorumContact(), id).toBe(true)
  })

  it('a follower cut off loses contact within an election timeout, and has it back at its leader\'s next heartbeat', () => {
    const c = new Cluster(['a', 'b', 'c'])
    c.elect('a')
    c.isolate('c')
    c.tick(ELECTION - 1)
    expect(c.core('c').hasQuorumContact()).toBe(true)
    c.tick(1)
    expect(c.core('c').hasQuorumContact()).toBe(false)
    // campaigning alone (pre-candidate, then a follower with no leader) never brings it back
    c.tick(4 * ELECTION)
    expect(c.core('c').status().role).not.toBe('leader')
    expect(c.core('c').hasQuorumContact()).toBe(false)
    expect(c.core('a').hasQuorumContact()).toBe(true)
    c.heal()
    c.tick(2)
    expect(c.core('c').status().leader).toBe('a')
    expect(c.core('c').hasQuorumContact()).toBe(true)
  })

  it('a leader cut off from the majority loses contact when check-quorum makes it step down', () => {
    const c = new Cluster(['a', 'b', 'c'])
    c.elect('a')
    c.isolate('a')
    c.tick(2 * ELECTION, ['a'])
    expect(c.core('a').status().role).toBe('follower')
    expect(c.core('a').hasQuorumContact()).toBe(false)
  })

  it('a learner cut off loses contact too, though it never campaigns', () => {
    const c = new Cluster(['a', 'b', 'c'])
    c.elect('a')
    c.addNode('l')
    c.core('a').proposeConfChange({ type: 'addLearner', nodeId: 'l' })
    c.tick(2)
    expect(c.core('l').hasQuorumContact()).toBe(true)
    c.isolate('l')
    // the leader is quiet by now, so the learner's lease is the quiet one
    c.tick(defaultRaftOptions.idleElectionTicks)
    expect(c.core('l').status().leader).toBe('a')
    expect(c.core('l').hasQuorumContact()).toBe(false)
  })
})
