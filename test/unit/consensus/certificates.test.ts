import { defaultRaftOptions } from '../../../src/consensus/options.js'
import { describe, expect, it } from 'vitest'
import type { AppendMessage, NodeId, QuorumCertificate } from '../../../src/consensus/index.js'
import { signVote } from '../../../src/consensus/index.js'
import { Cluster, cert, privateKeyOf } from './cluster.js'

/** A three-node cluster led by a, and an AppendEntries in which c claims the next term. */
function setup (): { c: Cluster, term: number, claim: (certificate?: QuorumCertificate, term?: number) => AppendMessage } {
  const c = new Cluster(['a', 'b', 'c'])
  c.elect('a')
  c.propose('a', 'real')
  const term = c.core('a').status().term
  const last = c.core('b').status()
  const claim = (certificate?: QuorumCertificate, t = term + 1): AppendMessage => ({
    type: 'append',
    from: 'c',
    to: 'b',
    term: t,
    prevIndex: last.lastIndex,
    prevTerm: last.lastTerm,
    entries: [{ index: last.lastIndex + 1, term: t, type: 'normal', data: new TextEncoder().encode('evil') }],
    commit: last.lastIndex + 1,
    ...(certificate === undefined ? {} : { certificate })
  })
  return { c, term, claim }
}

function expectUnchanged (c: Cluster, term: number): void {
  const b = c.core('b').status()
  expect(b.term).toBe(term)
  expect(b.leader).toBe('a')
  c.settle()
  expect(c.node('b').applied).toEqual(['real'])
  expect(c.core('a').status().role).toBe('leader')
}

describe('leader certificates', () => {
  it('a follower ignores a leader whose certificate carries a forged signature', () => {
    const { c, term, claim } = setup()
    c.core('b').step(claim(cert('c', term + 1, ['c', ['a', 'c'], ['b', 'c']])))
    expect(c.core('b').counters.rejectedCertificates).toBe(1)
    expect(c.core('b').lastCertificateRejection).toMatchObject({ reason: 'BAD_SIGNATURE' })
    expectUnchanged(c, term)
  })

  it('a certificate replayed from an older term is rejected', () => {
    const { c, term, claim } = setup()
    // a's genuine certificate, presented again for a later term
    const old = c.core('a').leaderCertificate()!
    const replay: AppendMessage = { ...claim(undefined), from: 'a', certificate: old }
    c.core('b').step(replay)
    expect(c.core('b').lastCertificateRejection).toMatchObject({ reason: 'WRONG_TERM' })
    expectUnchanged(c, term)
  })

  it('a certificate for another candidate is rejected', () => {
    const { c, term, claim } = setup()
    c.core('b').step(claim(cert('a', term + 1, ['a', 'b', 'c'])))
    expect(c.core('b').lastCertificateRejection).toMatchObject({ reason: 'WRONG_CANDIDATE' })
    expectUnchanged(c, term)
  })

  it('a certificate with too few signers is rejected', () => {
    const { c, term, claim } = setup()
    c.core('b').step(claim(cert('c', term + 1, ['c'])))
    expect(c.core('b').lastCertificateRejection).toMatchObject({ reason: 'TOO_FEW_SIGNERS' })
    expectUnchanged(c, term)
  })

  it('a certificate listing the same signer twice is rejected', () => {
    const { c, term, claim } = setup()
    c.core('b').step(claim(cert('c', term + 1, ['c', 'c', 'c'], { voters: ['c'] })))
    expect(c.core('b').counters.rejectedCertificates).toBe(1)
    expectUnchanged(c, term)
  })

  it('a certificate that needs a non-voter’s signature for its majority is rejected', () => {
    const { c, term, claim } = setup()
    c.core('b').step(claim(cert('c', term + 1, ['c', 'x'], { voters: ['a', 'b', 'c'] })))
    expect(c.core('b').lastCertificateRejection).toMatchObject({ reason: 'TOO_FEW_SIGNERS' })
    expectUnchanged(c, term)
  })

  it('a certificate whose declared voter set is two changes away is not trusted', () => {
    const { c, term, claim } = setup()
    // c and x form "a majority of {c, x}" — a voter set nobody ever agreed on
    c.core('b').step(claim(cert('c', term + 1, ['c', 'x'], { voters: ['c', 'x'] })))
    expect(c.core('b').counters.rejectedCertificates).toBe(1)
    expectUnchanged(c, term)
  })

  it('a certificate of pre-votes does not prove leadership', () => {
    const { c, term, claim } = setup()
    c.core('b').step(claim(cert('c', term + 1, ['a', 'b', 'c'], { kind: 'prevote' })))
    expect(c.core('b').lastCertificateRejection).toMatchObject({ reason: 'WRONG_KIND' })
    expectUnchanged(c, term)
  })

  it('a leader message without a certificate is answered with a request for it and changes nothing', () => {
    const { c, term, claim } = setup()
    c.core('b').step(claim(undefined))
    const rd = c.core('b').ready()
    expect(rd.messages).toEqual([expect.objectContaining({ type: 'appendResp', to: 'c', term: term + 1, certRequired: true })])
    expect(rd.hardState).toBeUndefined()
    expect(rd.entries).toEqual([])
    c.core('b').advance()
    expectUnchanged(c, term)
  })

  it('a second node claiming an already verified term is rejected', () => {
    const { c, term } = setup()
    // even with a (hypothetically equivocated) valid certificate for the same term
    const m: AppendMessage = {
      type: 'append', from: 'c', to: 'b', term, prevIndex: 0, prevTerm: 0, entries: [], commit: 0,
      certificate: cert('c', term, ['a', 'b', 'c'])
    }
    c.core('b').step(m)
    expect(c.core('b').counters.rejectedCertificates).toBe(1)
    expectUnchanged(c, term)
  })

  it('a genuine certificate is verified once per term and then served from the cache', () => {
    const c = new Cluster(['a', 'b', 'c'])
    c.elect('a')
    // a quiet leader heartbeats every idleHeartbeatTicks: at least 10 of them
    c.tick(11 * defaultRaftOptions.idleHeartbeatTicks)
    const b = c.core('b').counters
    expect(b.certificatesVerified).toBe(1)
    expect(b.certificateCacheHits).toBeGreaterThan(10)
    expect(b.rejectedCertificates).toBe(0)
  })

  it('the leader stops attaching its certificate once a follower has acknowledged it', () => {
    const c = new Cluster(['a', 'b', 'c'])
    c.elect('a')
    c.tick(3)
    const later = c.node('a').readies.slice(-2).flatMap((rd) => rd.messages)
    expect(later.length).toBeGreaterThan(0)
    expect(later.every((m) => !('certificate' in m) || m.certificate === undefined)).toBe(true)
  })
})

describe('signed votes in elections', () => {
  it('a vote response with a bad signature does not count toward the election', () => {
    const c = new Cluster(['a', 'b', 'c'], { core: { preVote: false } })
    c.isolate('a')
    c.core('a').campaign()
    c.settle()
    const s = c.core('a').status()
    expect(s.role).toBe('candidate')
    const forged = signVote({ kind: 'vote', term: s.term, candidateId: 'a', lastLogIndex: s.lastIndex, lastLogTerm: s.lastTerm, voterId: 'b' }, privateKeyOf('a'))
    c.core('a').step({ type: 'voteResp', from: 'b', to: 'a', term: s.term, reject: false, lastLogIndex: s.lastIndex, lastLogTerm: s.lastTerm, signature: forged })
    expect(c.core('a').counters.rejectedVotes).toBe(1)
    expect(c.core('a').status().role).toBe('candidate')
    // an unsigned grant is just as worthless
    c.core('a').step({ type: 'voteResp', from: 'c', to: 'a', term: s.term, reject: false, lastLogIndex: s.lastIndex, lastLogTerm: s.lastTerm })
    expect(c.core('a').counters.rejectedVotes).toBe(2)
    expect(c.core('a').status().role).toBe('candidate')
    // the genuine vote wins it
    const genuine = signVote({ kind: 'vote', term: s.term, candidateId: 'a', lastLogIndex: s.lastIndex, lastLogTerm: s.lastTerm, voterId: 'b' }, privateKeyOf('b'))
    c.core('a').step({ type: 'voteResp', from: 'b', to: 'a', term: s.term, reject: false, lastLogIndex: s.lastIndex, lastLogTerm: s.lastTerm, signature: genuine })
    expect(c.core('a').status().role).toBe('leader')
    expect(c.core('a').leaderCertificate()!.votes.map((v) => v.voterId)).toEqual(['a', 'b'])
  })

  it('a vote signed for another term does not count', () => {
    const c = new Cluster(['a', 'b', 'c'], { core: { preVote: false } })
    c.isolate('a')
    c.core('a').campaign()
    c.settle()
    const s = c.core('a').status()
    const stale = signVote({ kind: 'vote', term: s.term - 1, candidateId: 'a', lastLogIndex: s.lastIndex, lastLogTerm: s.lastTerm, voterId: 'b' }, privateKeyOf('b'))
    c.core('a').step({ type: 'voteResp', from: 'b', to: 'a', term: s.term, reject: false, lastLogIndex: s.lastIndex, lastLogTerm: s.lastTerm, signature: stale })
    expect(c.core('a').counters.rejectedVotes).toBe(1)
    expect(c.core('a').status().role).toBe('candidate')
  })

  it('a grant from a non-voter does not count', () => {
    const c = new Cluster(['a', 'b', 'c'], { core: { preVote: false } })
    c.isolate('a')
    c.core('a').campaign()
    c.settle()
    const s = c.core('a').status()
    const sig = signVote({ kind: 'vote', term: s.term, candidateId: 'a', lastLogIndex: s.lastIndex, lastLogTerm: s.lastTerm, voterId: 'x' }, privateKeyOf('x'))
    c.core('a').step({ type: 'voteResp', from: 'x', to: 'a', term: s.term, reject: false, lastLogIndex: s.lastIndex, lastLogTerm: s.lastTerm, signature: sig })
    expect(c.core('a').status().role).toBe('candidate')
  })

  it('malformed messages are counted and change nothing', () => {
    const c = new Cluster(['a', 'b', 'c'])
    c.elect('a')
    const term = c.core('b').status().term
    const b = c.core('b')
    b.step({ type: 'append', from: 'a', to: 'b', term, prevIndex: 3, prevTerm: 1, entries: [{ index: 9, term, type: 'normal', data: new Uint8Array() }], commit: 0 })
    b.step({ type: 'append', from: 'a', to: 'zz', term, prevIndex: 0, prevTerm: 0, entries: [], commit: 0 })
    b.step({ type: 'heartbeat', from: 'a', to: 'b', term: -1, commit: 0 })
    b.step({ type: 'nonsense' } as never)
    expect(b.counters.rejectedMessages).toBe(4)
    expect(b.status().term).toBe(term)
  })
})
