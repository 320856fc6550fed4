import { describe, expect, it } from 'vitest'
import { MemoryStorage, RaftCore, mulberry32, signConfLink, signVote } from '../../../src/consensus/index.js'
import type { AppendMessage, ConfLink, NodeId, QuorumCertificate } from '../../../src/consensus/index.js'
import { Cluster, cert as signedCert, keysFor, privateKeyOf } from './cluster.js'

/** A certificate of `kind` for `candidateId` in `term`, signed by `signers` with their own keys. */
function cert (candidateId: NodeId, term: number, signers: NodeId[], voters: NodeId[], kind: 'vote' | 'ack' = 'vote'): QuorumCertificate {
  return signedCert(candidateId, term, signers, { kind, voters, lastLogIndex: 50, lastLogTerm: term - 1 })
}

/** A link that `leader` signs, proven by `certificate`. */
function link (leader: NodeId, index: number, term: number, voters: NodeId[], certificate: QuorumCertificate): ConfLink {
  const signature = signConfLink({ index, term, leaderId: leader, voters }, privateKeyOf(leader))
  return { index, term, voters: [...voters].sort(), certificate, signature }
}

function ids (cert: QuorumCertificate | null): NodeId[] {
  return cert === null ? [] : cert.votes.map((v) => v.voterId)
}

/**
 * Five voters a..e (and spare nodes); e votes for b in term 2, a wins term 2 without e, and e
 * follows a. So e can never count its own vote for a in term 2: it must check a's certificate
 * by the signatures of others alone, as a voter must whenever it voted for a loser.
 */
function electAWhileEVotesForB (c: Cluster): void {
  const first = c.core('e').status()
  c.core('e').step({ type: 'vote', from: 'b', to: 'e', term: 2, lastLogIndex: first.lastIndex, lastLogTerm: first.lastTerm, transfer: false })
  c.settle()
  expect(c.core('e').status().vote).toBe('b')
  c.elect('a')
  expect(c.core('a').status()).toMatchObject({ role: 'leader', term: 2 })
  expect(ids(c.core('a').leaderCertificate())).not.toContain('e')
  c.tick(3)
  expect(c.core('e').status().leader).toBe('a')
}

/** Lets the leader see that `away` is gone (check-quorum resets who is active every election timeout). */
function forget (c: Cluster, away: NodeId): void {
  c.tick(12, [...c.nodes.keys()].filter((id) => id !== away))
}

function change (c: Cluster, leader: NodeId, cc: Parameters<RaftCore['proposeConfChange']>[0], away: NodeId): void {
  const r = c.core(leader).proposeConfChange(cc)
  expect(r).toMatchObject({ ok: true })
  // let the change commit and the voters acknowledge the leader over the new voter set
  c.tick(3, [...c.nodes.keys()].filter((id) => id !== away))
}

describe('configuration chains', () => {
  it('a voter that was down through two voter changes verifies the leader through the chain and follows it', () => {
    const c = new Cluster(['a', 'b', 'c', 'd', 'e'])
    electAWhileEVotesForB(c)
    c.stop('e')
    forget(c, 'e')
    change(c, 'a', { type: 'remove', nodeId: 'c' }, 'e')
    change(c, 'a', { type: 'remove', nodeId: 'd' }, 'e')
    expect(c.core('a').status().conf.voters).toEqual(['a', 'b', 'e'])
    // a's certificate over {a, b, e} is signed by a and b: two of the five voters e remembers,
    // and e cannot add its own vote (it voted for b in this term)
    expect(ids(c.core('a').leaderCertificate())).toEqual(['a', 'b'])
    c.start('e')
    expect(c.core('e').status().conf.voters).toEqual(['a', 'b', 'c', 'd', 'e'])
    c.tick(3, ['a', 'b', 'e'])
    const e = c.core('e')
    expect(e.status().leader).toBe('a')
    expect(e.counters.chainsFollowed).toBe(1)
    expect(e.status().conf.voters).toEqual(['a', 'b', 'e'])
    // and it is a voter again: a and e commit without b
    c.isolate('b')
    c.propose('a', 'with-e')
    c.tick(1, ['a', 'e'])
    expect(c.node('e').applied).toEqual(['with-e'])
    expect(c.node('a').applied).toEqual(['with-e'])
  })

  it('a voter that was down through three voter changes (one of them an addition) follows the leader', () => {
    const c = new Cluster(['a', 'b', 'c', 'd', 'e', 'f'], { voters: ['a', 'b', 'c', 'd', 'e'] })
    electAWhileEVotesForB(c)
    change(c, 'a', { type: 'addLearner', nodeId: 'f' }, '')
    c.stop('e')
    forget(c, 'e')
    change(c, 'a', { type: 'promote', nodeId: 'f' }, 'e')
    change(c, 'a', { type: 'remove', nodeId: 'c' }, 'e')
    change(c, 'a', { type: 'remove', nodeId: 'd' }, 'e')
    expect(c.core('a').status().conf.voters).toEqual(['a', 'b', 'e', 'f'])
    c.start('e')
    c.tick(3, ['a', 'b', 'e', 'f'])
    expect(c.core('e').status().leader).toBe('a')
    expect(c.core('e').counters.chainsFollowed).toBe(1)
    expect(c.core('e').status().conf.voters).toEqual(['a', 'b', 'e', 'f'])
  })

  it('a voter partitioned through four voter changes and a change of leader follows the new leader once healed', () => {
    const c = new Cluster(['a', 'b', 'c', 'd', 'e', 'f'], { voters: ['a', 'b', 'c', 'd', 'e'] })
    c.elect('a')
    change(c, 'a', { type: 'addLearner', nodeId: 'f' }, '')
    c.isolate('e')
    forget(c, 'e')
    change(c, 'a', { type: 'promote', nodeId: 'f' }, 'e')
    change(c, 'a', { type: 'remove', nodeId: 'b' }, 'e')
    change(c, 'a', { type: 'remove', nodeId: 'c' }, 'e')
    change(c, 'a', { type: 'remove', nodeId: 'd' }, 'e')
    expect(c.core('a').status().conf.voters).toEqual(['a', 'e', 'f'])
    expect(c.core('a').transferLeadership('f').ok).toBe(true)
    c.tick(3, ['a', 'f'])
    expect(c.core('f').status().role).toBe('leader')
    // of the five voters e knows only a signed f's certificate: with e's own vote, two of five
    expect(c.core('e').status().conf.voters).toEqual(['a', 'b', 'c', 'd', 'e'])
    c.heal()
    c.tick(5)
    const e = c.core('e')
    expect(e.status().leader).toBe('f')
    expect(e.counters.chainsFollowed).toBe(1)
    expect(e.status().conf.voters).toEqual(['a', 'e', 'f'])
  })

  it('links survive compaction: a voter that missed the changes catches up from the snapshot’s chain', () => {
    const c = new Cluster(['a', 'b', 'c', 'd', 'e'])
    electAWhileEVotesForB(c)
    c.stop('e')
    forget(c, 'e')
    change(c, 'a', { type: 'remove', nodeId: 'c' }, 'e')
    change(c, 'a', { type: 'remove', nodeId: 'd' }, 'e')
    c.propose('a', 'after')
    const snap = c.snapshot('a')
    expect(snap.metadata.chain?.length).toBe(2)
    expect(c.node('a').storage.entries(1, 2)).toBeUndefined()
    c.start('e')
    c.tick(5, ['a', 'b', 'e'])
    expect(c.core('e').status().leader).toBe('a')
    expect(c.node('e').applied).toEqual(['after'])
  })

  it('a chain whose links are not proven by the voters a node trusts does not help a pretender', () => {
    const c = new Cluster(['a', 'b', 'c'])
    c.elect('a')
    c.tick(2)
    const term = c.core('b').status().term
    // x and y "elected" x under voter set {x, y, b}, reached from {a, b, c} by links x signed
    const fakeVoters = ['b', 'x', 'y']
    const l1 = link('x', 100, term, ['a', 'b', 'c', 'x'], cert('x', term, ['x', 'y'], ['a', 'b', 'c']))
    const l2 = link('x', 101, term, ['b', 'c', 'x'], cert('x', term, ['x', 'y'], ['a', 'b', 'c', 'x']))
    const m: AppendMessage = {
      type: 'append', from: 'x', to: 'b', term: term + 1, prevIndex: 0, prevTerm: 0, entries: [], commit: 0,
      certificate: cert('x', term + 1, ['x', 'y'], fakeVoters), chain: [l1, l2]
    }
    c.core('b').step(m)
    expect(c.core('b').counters.rejectedCertificates).toBe(1)
    expect(c.core('b').counters.chainsFollowed).toBe(0)
    expect(c.core('b').status()).toMatchObject({ term, leader: 'a' })
  })
})

describe('nodes outside their own configuration', () => {
  /** Node x's log: the founders' entries, then a leader's entry of term 2 that removed d. */
  function removedNode (): RaftCore {
    const c = new Cluster(['a', 'b', 'c', 'd'])
    c.elect('a')
    change(c, 'a', { type: 'remove', nodeId: 'd' }, '')
    const a = c.node('a').storage
    const storage = new MemoryStorage()
    storage.append(a.entries(1, a.lastIndex() + 1)!)
    storage.setHardState({ term: 2, vote: null, commit: a.lastIndex() })
    const x = new RaftCore({ storage, keys: keysFor('x'), random: mulberry32(7) })
    expect(x.status().conf.voters).toEqual(['a', 'b', 'c'])
    return x
  }

  function claim (x: RaftCore, certificate: QuorumCertificate, chain?: ConfLink[]): AppendMessage {
    const s = x.status()
    return {
      type: 'append', from: certificate.candidateId, to: 'x', term: certificate.term, prevIndex: s.lastIndex, prevTerm: s.lastTerm,
      entries: [{ index: s.lastIndex + 1, term: certificate.term, type: 'normal', data: new TextEncoder().encode('evil') }],
      commit: s.lastIndex + 1,
      certificate,
      ...(chain === undefined ? {} : { chain })
    }
  }

  it('refuses a leader whose certificate only proves the voter set it declares', () => {
    const x = removedNode()
    // p and q are "a majority of {p, q, r}": consistent, but nothing x knows ever agreed to it
    x.step(claim(x, cert('p', 5, ['p', 'q'], ['p', 'q', 'r'])))
    expect(x.counters.rejectedCertificates).toBe(1)
    expect(x.status().leader).toBeNull()
    expect(x.status().term).toBe(2)
    // x asks for the chain from the voter set it trusts…
    const rd = x.ready()
    expect(rd.messages).toEqual([expect.objectContaining({ type: 'appendResp', to: 'p', certRequired: true, confIndex: x.status().lastIndex })])
    expect(rd.entries).toEqual([])
    x.advance()
    // …and a chain that does not start from it changes nothing
    const fake = link('p', 100, 4, ['p', 'q', 'r'], cert('p', 4, ['p', 'q'], ['p', 'q']))
    x.step(claim(x, cert('p', 5, ['p', 'q'], ['p', 'q', 'r']), [fake]))
    expect(x.counters.rejectedCertificates).toBe(2)
    expect(x.status().leader).toBeNull()
  })

  it('still follows a genuine leader of the configuration it knows', () => {
    const x = removedNode()
    x.step(claim(x, cert('a', 5, ['a', 'b'], ['a', 'b', 'c'])))
    expect(x.status().leader).toBe('a')
    expect(x.status().term).toBe(5)
  })

  it('a brand-new node trusts its first leader, then refuses another lineage that does not chain from it', () => {
    const x = new RaftCore({ storage: new MemoryStorage(), keys: keysFor('x'), random: mulberry32(7) })
    const first: AppendMessage = {
      type: 'append', from: 'a', to: 'x', term: 3, prevIndex: 0, prevTerm: 0, entries: [], commit: 0,
      certificate: cert('a', 3, ['a', 'b'], ['a', 'b', 'c'])
    }
    x.step(first)
    // trust on first use: nothing to check against yet
    expect(x.status().leader).toBe('a')
    x.ready()
    x.advance()
    // a later claimant with a voter set of its own is refused
    x.step({ ...first, from: 'p', term: 4, certificate: cert('p', 4, ['p', 'q'], ['p', 'q', 'r']) })
    expect(x.counters.rejectedCertificates).toBe(1)
    expect(x.status()).toMatchObject({ term: 3, leader: 'a' })
    // while the next leader of the pinned voter set is followed
    x.step({ ...first, from: 'b', term: 5, certificate: cert('b', 5, ['b', 'c'], ['a', 'b', 'c']) })
    expect(x.status()).toMatchObject({ term: 5, leader: 'b' })
  })
})
