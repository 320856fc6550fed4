import { describe, expect, it } from 'vitest'
import { Cluster } from './cluster.js'

describe('elections', () => {
  it('a single voter elects itself once its election timeout passes', () => {
    const c = new Cluster(['a'])
    c.tick(9)
    expect(c.core('a').status().role).toBe('follower')
    c.tick(11)
    const s = c.core('a').status()
    expect(s.role).toBe('leader')
    expect(s.term).toBe(2)
  })

  it('three voters elect exactly one leader, which proves itself with a certificate', () => {
    const c = new Cluster(['a', 'b', 'c'])
    c.tick(25)
    const leaders = c.leaders()
    expect(leaders).toHaveLength(1)
    const leader = leaders[0]!
    const cert = leader.core.leaderCertificate()!
    expect(cert.term).toBe(leader.core.status().term)
    expect(cert.votes.length).toBeGreaterThanOrEqual(2)
    for (const id of ['a', 'b', 'c']) {
      expect(c.core(id).status().leader).toBe(leader.id)
      expect(c.core(id).status().term).toBe(leader.core.status().term)
    }
  })

  it('counts the elections and pre-vote rounds a node starts (for raft_elections_started_total)', () => {
    const c = new Cluster(['a'])
    c.tick(20)
    expect(c.core('a').status().role).toBe('leader')
    // One pre-vote round, then one election for term 2.
    expect(c.core('a').counters.preVotesStarted).toBe(1)
    expect(c.core('a').counters.electionsStarted).toBe(1)
  })

  it('a stale leader steps down when it sees a higher term', () => {
    const c = new Cluster(['a', 'b', 'c'], { core: { checkQuorum: false } })
    c.elect('a')
    c.isolate('a')
    c.elect('b')
    expect(c.core('b').status().role).toBe('leader')
    expect(c.core('a').status().role).toBe('leader')
    // the old leader keeps accepting proposals it can never commit
    expect(c.propose('a', 'lost').ok).toBe(true)
    const staleIndex = c.core('a').status().lastIndex
    c.heal()
    c.tick(1, ['b'])
    const a = c.core('a').status()
    expect(a.role).toBe('follower')
    expect(a.term).toBe(c.core('b').status().term)
    expect(a.leader).toBe('b')
    // and its uncommitted entry is overwritten by the new leader's log
    expect(c.propose('b', 'kept').ok).toBe(true)
    expect(c.node('a').applied).toEqual(['kept'])
    expect(c.core('a').status().lastIndex).toBe(c.core('b').status().lastIndex)
    expect(c.core('a').status().lastIndex).toBeGreaterThan(staleIndex)
  })

  it('a split vote resolves in a later term', () => {
    const c = new Cluster(['a', 'b', 'c', 'd'], { core: { preVote: false } })
    // a can only reach c, b can only reach d: each gets two of four votes
    c.cut('a', 'b')
    c.cut('a', 'd')
    c.cut('b', 'c')
    c.core('a').campaign()
    c.core('b').campaign()
    c.settle()
    expect(c.leaders()).toHaveLength(0)
    expect(c.core('a').status().role).toBe('candidate')
    expect(c.core('b').status().role).toBe('candidate')
    const splitTerm = c.core('a').status().term
    c.heal()
    c.tick(40)
    const leaders = c.leaders()
    expect(leaders).toHaveLength(1)
    expect(leaders[0]!.core.status().term).toBeGreaterThan(splitTerm)
  })

  it('a partitioned leader steps down by check-quorum', () => {
    const c = new Cluster(['a', 'b', 'c'])
    c.elect('a')
    c.isolate('a')
    // the first check finds the answers from before the cut; the second finds none
    c.tick(10, ['a'])
    expect(c.core('a').status().role).toBe('leader')
    c.tick(10, ['a'])
    expect(c.core('a').status().role).toBe('follower')
    expect(c.core('a').status().leader).toBeNull()
  })

  it('a new leader counts the voters that elected it at its first check-quorum, and steps down at the second if none answers after', () => {
    const c = new Cluster(['a', 'b', 'c'])
    // b and c grant a's votes but answer none of its appends or heartbeats (slow to check the
    // certificate, say): the votes are all a has heard from them
    c.filter = m => m.to !== 'a' || (m.type !== 'appendResp' && m.type !== 'heartbeatResp')
    c.elect('a')
    expect(c.core('a').status().role).toBe('leader')
    c.tick(10, ['a'])
    expect(c.core('a').status().role).toBe('leader')
    c.tick(10, ['a'])
    expect(c.core('a').status().role).toBe('follower')
  })

  it('a follower told to postpone its election campaigns one election timeout later, once', () => {
    const c = new Cluster(['a'])
    c.core('a').postponeElection(10)
    // the timeout is drawn from [10, 20) ticks: postponed, from [20, 30)
    c.tick(19)
    expect(c.core('a').status().role).toBe('follower')
    c.tick(11)
    expect(c.core('a').status().role).toBe('leader')
  })

  it('a follower whose loop runs late (stretchElection) campaigns that many ticks later, and as configured once it is not', () => {
    const c = new Cluster(['a'])
    c.core('a').stretchElection(30)
    // the timeout is drawn from [10, 20) ticks: stretched, from [40, 50)
    c.tick(39)
    expect(c.core('a').status().role).toBe('follower')
    c.tick(11)
    expect(c.core('a').status().role).toBe('leader')
    const d = new Cluster(['d'])
    d.core('d').stretchElection(30)
    d.core('d').stretchElection(0)
    d.tick(20)
    expect(d.core('d').status().role).toBe('leader')
  })

  it('a leader whose loop runs late keeps leading without acknowledgements for the stretched lease, then steps down', () => {
    const c = new Cluster(['a', 'b', 'c'])
    c.filter = m => m.to !== 'a' || (m.type !== 'appendResp' && m.type !== 'heartbeatResp')
    c.elect('a')
    c.core('a').stretchElection(20)
    // check-quorum every 10 + 20 ticks: the votes count for the first, nothing for the second
    c.tick(30, ['a'])
    expect(c.core('a').status().role).toBe('leader')
    c.tick(30, ['a'])
    expect(c.core('a').status().role).toBe('follower')
  })

  it('a rejoining node does not disrupt the leader under pre-vote', () => {
    const c = new Cluster(['a', 'b', 'c'])
    c.elect('a')
    const term = c.core('a').status().term
    c.isolate('c')
    // c times out again and again, but pre-votes fail, so its term never moves
    c.tick(100)
    expect(c.core('c').status().term).toBe(term)
    c.heal()
    c.tick(5)
    expect(c.core('a').status().role).toBe('leader')
    expect(c.core('a').status().term).toBe(term)
    expect(c.core('c').status().leader).toBe('a')
  })

  it('followers that hear their leader ignore vote requests with a higher term', () => {
    const c = new Cluster(['a', 'b', 'c'])
    c.elect('a')
    const term = c.core('a').status().term
    c.core('b').step({ type: 'vote', from: 'c', to: 'b', term: term + 5, lastLogIndex: 100, lastLogTerm: term, transfer: false })
    c.settle()
    expect(c.core('b').status().term).toBe(term)
    expect(c.core('b').counters.votesIgnoredInLease).toBe(1)
    expect(c.core('a').status().role).toBe('leader')
  })

  it('a node with a stale log cannot win, even with pre-vote off', () => {
    const c = new Cluster(['a', 'b', 'c'], { core: { preVote: false, checkQuorum: false } })
    c.elect('a')
    c.isolate('c')
    c.propose('a', 'x')
    c.heal()
    c.elect('c')
    expect(c.core('c').status().role).not.toBe('leader')
    // c keeps campaigning and keeps losing; eventually a or b outruns it
    for (let i = 0; i < 500 && c.leaders().length === 0; i++) c.tick(1)
    const leader = c.leaders()[0]!
    expect(['a', 'b']).toContain(leader.id)
    expect(c.node('c').applied).toContain('x')
  })
})

describe('leadership transfer', () => {
  it('hands leadership to a caught-up voter', () => {
    const c = new Cluster(['a', 'b', 'c'])
    c.elect('a')
    const term = c.core('a').status().term
    expect(c.core('a').transferLeadership('c')).toEqual({ ok: true })
    c.settle()
    expect(c.core('c').status().role).toBe('leader')
    expect(c.core('c').status().term).toBe(term + 1)
    expect(c.core('a').status().leader).toBe('c')
  })

  it('catches a lagging target up before telling it to campaign', () => {
    const c = new Cluster(['a', 'b', 'c'])
    c.elect('a')
    c.isolate('c')
    for (let i = 0; i < 5; i++) c.propose('a', `e${i}`)
    c.heal()
    expect(c.core('a').transferLeadership('c').ok).toBe(true)
    // proposals are refused while the transfer is under way
    const during = c.core('a').propose(new Uint8Array([1]))
    expect(during.ok).toBe(false)
    c.settle()
    expect(c.core('c').status().role).toBe('leader')
    expect(c.node('c').applied.slice(0, 5)).toEqual(['e0', 'e1', 'e2', 'e3', 'e4'])
  })

  it('is aborted when the target does not take over within an election timeout', () => {
    const c = new Cluster(['a', 'b', 'c'])
    c.elect('a')
    c.isolate('c')
    expect(c.core('a').transferLeadership('c').ok).toBe(true)
    expect(c.core('a').status().leadTransferee).toBe('c')
    c.heal()
    c.isolate('c')
    c.tick(10, ['a', 'b'])
    expect(c.core('a').status().leadTransferee).toBeNull()
    expect(c.core('a').status().role).toBe('leader')
  })

  it('refuses a target that is not a voter', () => {
    const c = new Cluster(['a', 'b', 'c'])
    c.elect('a')
    const r = c.core('a').transferLeadership('z')
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.code).toBe('NOT_A_VOTER')
  })
})
