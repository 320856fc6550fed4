import { defaultRaftOptions } from '../../../src/consensus/options.js'
import { describe, expect, it } from 'vitest'
import { Cluster } from './cluster.js'

function settleConf (c: Cluster): void {
  c.tick(2)
}

describe('membership changes', () => {
  it('a joiner with empty storage is added as a learner and learns the log', () => {
    const c = new Cluster(['a', 'b', 'c'])
    c.elect('a')
    c.propose('a', 'before')
    c.addNode('d')
    expect(c.core('a').proposeConfChange({ type: 'addLearner', nodeId: 'd' }).ok).toBe(true)
    settleConf(c)
    const d = c.core('d').status()
    expect(d.conf).toEqual({ voters: ['a', 'b', 'c'], learners: ['d'] })
    expect(d.leader).toBe('a')
    expect(c.node('d').applied).toEqual(['before'])
  })

  it('a learner replicates the log but neither votes nor campaigns', () => {
    const c = new Cluster(['a', 'b', 'c'])
    c.elect('a')
    c.addNode('l')
    c.core('a').proposeConfChange({ type: 'addLearner', nodeId: 'l' })
    settleConf(c)
    // no vote requests ever go to a learner
    const asked: string[] = []
    c.filter = (m) => {
      if (m.type === 'vote' || m.type === 'prevote') asked.push(m.to)
      return true
    }
    c.isolate('a')
    c.tick(60, ['b', 'c', 'l'])
    expect(asked).not.toContain('l')
    expect(c.core('l').status().role).toBe('follower')
    // b and c alone (2 of 3 voters) elected a new leader without the learner
    const newLeader = c.leaders().find((n) => n.id !== 'a')
    expect(newLeader).toBeDefined()
    expect(['b', 'c']).toContain(newLeader!.id)
  })

  it('a learner’s acknowledgement does not count toward commitment', () => {
    const c = new Cluster(['a', 'b', 'c'])
    c.elect('a')
    c.addNode('l')
    c.core('a').proposeConfChange({ type: 'addLearner', nodeId: 'l' })
    settleConf(c)
    const commitBefore = c.core('a').status().commit
    c.isolate('b')
    c.isolate('c')
    c.cut('b', 'l')
    c.propose('a', 'needs-a-voter')
    expect(c.core('l').status().lastIndex).toBe(c.core('a').status().lastIndex)
    expect(c.core('a').status().commit).toBe(commitBefore)
  })

  it('only one membership change may be pending at a time', () => {
    const c = new Cluster(['a', 'b', 'c'])
    c.elect('a')
    c.addNode('d')
    c.addNode('e')
    c.isolate('b')
    c.isolate('c')
    expect(c.core('a').proposeConfChange({ type: 'addLearner', nodeId: 'd' }).ok).toBe(true)
    const second = c.core('a').proposeConfChange({ type: 'addLearner', nodeId: 'e' })
    expect(second).toMatchObject({ ok: false, code: 'CONF_CHANGE_PENDING' })
    c.heal()
    settleConf(c)
    expect(c.core('a').proposeConfChange({ type: 'addLearner', nodeId: 'e' }).ok).toBe(true)
  })

  it('a new leader must commit an entry of its term before a membership change', () => {
    const c = new Cluster(['a', 'b', 'c'])
    c.isolate('b')
    c.isolate('c')
    c.elect('a')
    // a cannot win alone, so try with a reachable majority but block its first append
    c.heal()
    c.filter = (m) => m.type !== 'append'
    c.elect('a')
    expect(c.core('a').status().role).toBe('leader')
    const r = c.core('a').proposeConfChange({ type: 'addLearner', nodeId: 'd' })
    expect(r).toMatchObject({ ok: false, code: 'CONF_CHANGE_PENDING' })
    c.filter = undefined
    c.tick(2)
    expect(c.core('a').proposeConfChange({ type: 'addLearner', nodeId: 'd' }).ok).toBe(true)
  })

  it('invalid changes are refused with a reason', () => {
    const c = new Cluster(['a', 'b', 'c'])
    c.elect('a')
    expect(c.core('a').proposeConfChange({ type: 'addVoter', nodeId: 'b' })).toMatchObject({ ok: false, code: 'INVALID_CONF_CHANGE' })
    expect(c.core('a').proposeConfChange({ type: 'promote', nodeId: 'z' })).toMatchObject({ ok: false, code: 'INVALID_CONF_CHANGE' })
    expect(c.core('a').proposeConfChange({ type: 'remove', nodeId: 'z' })).toMatchObject({ ok: false, code: 'INVALID_CONF_CHANGE' })
  })

  it('a promoted learner becomes a voter whose acknowledgement counts', () => {
    const c = new Cluster(['a', 'b'])
    c.elect('a')
    c.addNode('c')
    c.core('a').proposeConfChange({ type: 'addLearner', nodeId: 'c' })
    settleConf(c)
    expect(c.core('a').proposeConfChange({ type: 'promote', nodeId: 'c' }).ok).toBe(true)
    settleConf(c)
    expect(c.core('a').status().conf.voters).toEqual(['a', 'b', 'c'])
    // with b gone, a and c are a majority of three
    c.isolate('b')
    c.propose('a', 'with-c')
    c.tick(1, ['a', 'c'])
    expect(c.node('c').applied).toEqual(['with-c'])
    expect(c.node('a').applied).toEqual(['with-c'])
  })

  it('a configuration takes effect when appended, before it commits', () => {
    const c = new Cluster(['a', 'b', 'c'])
    c.elect('a')
    c.addNode('d')
    c.isolate('b')
    c.isolate('c')
    c.core('a').proposeConfChange({ type: 'addLearner', nodeId: 'd' })
    c.settle()
    expect(c.core('a').status().conf.learners).toEqual(['d'])
    expect(c.core('d').status().conf.learners).toEqual(['d'])
  })

  it('a configuration in an overwritten suffix is rolled back', () => {
    const c = new Cluster(['a', 'b', 'c'], { core: { checkQuorum: false } })
    c.elect('a')
    c.isolate('a')
    c.addNode('d')
    c.core('a').proposeConfChange({ type: 'remove', nodeId: 'c' })
    c.settle()
    expect(c.core('a').status().conf.voters).toEqual(['a', 'b'])
    c.elect('b')
    c.propose('b', 'b-rules')
    c.heal()
    c.tick(2)
    expect(c.core('a').status().conf.voters).toEqual(['a', 'b', 'c'])
    expect(c.node('a').applied).toEqual(['b-rules'])
  })

  it('a leader removing itself steps down once the removal commits', () => {
    const c = new Cluster(['a', 'b', 'c'])
    c.elect('a')
    expect(c.core('a').proposeConfChange({ type: 'remove', nodeId: 'a' }).ok).toBe(true)
    c.settle()
    c.tick(3)
    expect(c.core('a').status().role).toBe('follower')
    const leaders = c.leaders()
    expect(leaders).toHaveLength(1)
    expect(['b', 'c']).toContain(leaders[0]!.id)
    expect(leaders[0]!.core.status().conf.voters).toEqual(['b', 'c'])
    // the removed node never campaigns again
    c.tick(60)
    expect(c.core('a').status().role).toBe('follower')
  })

  it('after two voter changes in one term a restarted follower still accepts the leader', () => {
    const c = new Cluster(['a', 'b', 'c', 'd', 'e'], { voters: ['a', 'b', 'c', 'd'] })
    // a wins with the votes of a, b and d
    c.isolate('c')
    c.elect('a')
    c.heal()
    expect(c.core('a').leaderCertificate()!.votes.map((v) => v.voterId)).toEqual(['a', 'b', 'd'])
    c.core('a').proposeConfChange({ type: 'remove', nodeId: 'd' })
    settleConf(c)
    c.core('a').proposeConfChange({ type: 'addVoter', nodeId: 'e' })
    settleConf(c)
    c.tick(2)
    const cert = c.core('a').leaderCertificate()!
    expect(cert.kind).toBe('ack')
    expect(cert.voters).toEqual(['a', 'b', 'c', 'e'])
    // the election certificate alone would not convince e any more: of its voters a, b, c, e
    // only a and b signed, and {a,b,c,d} is two changes away from {a,b,c,e}
    c.stop('e')
    c.start('e')
    c.tick(defaultRaftOptions.idleHeartbeatTicks)
    expect(c.core('e').status().leader).toBe('a')
    expect(c.core('e').counters.rejectedCertificates).toBe(0)
    expect(c.core('e').counters.certificatesVerified).toBe(1)
  })

  it('a voter change waits until every voter holds the previous one', () => {
    const c = new Cluster(['a', 'b', 'c', 'd', 'e'], { voters: ['a', 'b', 'c'] })
    c.elect('a')
    for (const id of ['d', 'e']) {
      c.core('a').proposeConfChange({ type: 'addLearner', nodeId: id })
      settleConf(c)
    }
    expect(c.core('a').proposeConfChange({ type: 'promote', nodeId: 'd' }).ok).toBe(true)
    c.isolate('c')
    c.tick(2, ['a', 'b', 'd', 'e'])
    // c missed the promotion of d: another voter change would leave it two behind
    const r = c.core('a').proposeConfChange({ type: 'promote', nodeId: 'e' })
    expect(r).toMatchObject({ ok: false, code: 'VOTERS_LAGGING' })
    if (!r.ok) expect(r.message).toContain('c has not caught up')
    c.heal()
    c.tick(2)
    expect(c.core('a').proposeConfChange({ type: 'promote', nodeId: 'e' }).ok).toBe(true)
  })

  it('a learner is promoted only once it holds the latest voter change', () => {
    const c = new Cluster(['a', 'b', 'c', 'd'], { voters: ['a', 'b', 'c'] })
    c.elect('a')
    c.core('a').proposeConfChange({ type: 'addLearner', nodeId: 'd' })
    c.settle()
    c.isolate('d')
    c.core('a').proposeConfChange({ type: 'remove', nodeId: 'c' })
    c.tick(2, ['a', 'b', 'c'])
    const r = c.core('a').proposeConfChange({ type: 'promote', nodeId: 'd' })
    expect(r).toMatchObject({ ok: false, code: 'VOTERS_LAGGING' })
    c.heal()
    c.tick(2)
    expect(c.core('a').proposeConfChange({ type: 'promote', nodeId: 'd' }).ok).toBe(true)
  })

  it('the leader’s certificate grows to hold every voter’s acknowledgement', () => {
    const c = new Cluster(['a', 'b', 'c', 'd', 'e'])
    c.isolate('d')
    c.isolate('e')
    c.elect('a')
    expect(c.core('a').leaderCertificate()!.votes.map((v) => v.voterId)).toEqual(['a', 'b', 'c'])
    c.heal()
    c.tick(3)
    const cert = c.core('a').leaderCertificate()!
    expect(cert.kind).toBe('ack')
    expect(cert.votes.map((v) => v.voterId)).toEqual(['a', 'b', 'c', 'd', 'e'])
  })

  it('a voter that was away while two others were removed counts its own vote to accept the leader', () => {
    const c = new Cluster(['a', 'b', 'c', 'd', 'e'])
    c.elect('a')
    c.tick(3)
    c.isolate('e')
    // e stops answering; removals only wait for voters that answer
    c.tick(25, ['a', 'b', 'c', 'd'])
    expect(c.core('a').proposeConfChange({ type: 'remove', nodeId: 'c' }).ok).toBe(true)
    c.tick(3, ['a', 'b', 'c', 'd'])
    expect(c.core('a').proposeConfChange({ type: 'remove', nodeId: 'd' }).ok).toBe(true)
    c.tick(3, ['a', 'b', 'c', 'd'])
    expect(c.core('a').status().conf.voters).toEqual(['a', 'b', 'e'])
    // e restarts (forgetting whom it followed) still believing in voters a, b, c, d, e
    c.stop('e')
    c.start('e')
    expect(c.core('e').status().conf.voters).toEqual(['a', 'b', 'c', 'd', 'e'])
    c.heal()
    c.tick(25, ['a', 'b', 'e'])
    // a and b signed; with its own vote e sees three of its five voters
    expect(c.core('e').status().leader).toBe('a')
    expect(c.core('e').status().vote).toBe('a')
    expect(c.core('e').status().conf.voters).toEqual(['a', 'b', 'e'])
  })
})
