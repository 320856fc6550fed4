import { describe, expect, it } from 'vitest'
import { signVote } from '../../../src/consensus/index.js'
import type { NodeId, TimeoutNowMessage, TransferProof, VoteRequest } from '../../../src/consensus/index.js'
import { Cluster, privateKeyOf } from './cluster.js'

/** A hand-over statement signed by `signer`'s key, as if `signer` led `term`. */
function proof (signer: NodeId, term: number, transferee: NodeId, lastLogIndex: number, lastLogTerm: number): TransferProof {
  const signature = signVote({ kind: 'transfer', term, candidateId: transferee, lastLogIndex, lastLogTerm, voterId: signer }, privateKeyOf(signer))
  return { term, lastLogIndex, lastLogTerm, signature }
}

/** A three-node cluster led by a, and c's vote request for the next term marked `transfer`. */
function setup (): { c: Cluster, term: number, request: (p?: TransferProof, term?: number) => VoteRequest } {
  const c = new Cluster(['a', 'b', 'c'])
  c.elect('a')
  c.propose('a', 'x')
  const term = c.core('a').status().term
  const last = c.core('c').status()
  const request = (p?: TransferProof, t = term + 1): VoteRequest => ({
    type: 'vote',
    from: 'c',
    to: 'b',
    term: t,
    lastLogIndex: last.lastIndex,
    lastLogTerm: last.lastTerm,
    transfer: true,
    ...(p === undefined ? {} : { transferProof: p })
  })
  return { c, term, request }
}

function expectLeaderKept (c: Cluster, term: number): void {
  c.settle()
  expect(c.core('b').status().term).toBe(term)
  expect(c.core('b').status().leader).toBe('a')
  expect(c.core('b').status().vote).not.toBe('c')
  expect(c.core('a').status().role).toBe('leader')
  expect(c.core('a').status().term).toBe(term)
}

describe('leadership transfer proofs', () => {
  it('an unsigned transfer vote request does not depose a leader within its lease and is counted', () => {
    const { c, term, request } = setup()
    c.core('b').step(request())
    expect(c.core('b').counters.rejectedTransfers).toBe(1)
    expect(c.core('b').counters.votesIgnoredInLease).toBe(1)
    expectLeaderKept(c, term)
  })

  it('a transfer signed by a node that is not the leader of the term is rejected', () => {
    const { c, term, request } = setup()
    const s = c.core('c').status()
    // c vouches for itself, and b's key is used for a's statement: neither is the leader's
    c.core('b').step(request(proof('c', term, 'c', s.lastIndex, s.lastTerm)))
    c.core('b').step(request({ ...proof('b', term, 'c', s.lastIndex, s.lastTerm) }))
    expect(c.core('b').counters.rejectedTransfers).toBe(2)
    expect(c.core('b').counters.votesIgnoredInLease).toBe(2)
    expectLeaderKept(c, term)
  })

  it('a genuine hand-over does not let another node or another term campaign with it', () => {
    const { c, term, request } = setup()
    const s = c.core('c').status()
    const forC = proof('a', term, 'c', s.lastIndex, s.lastTerm)
    // b carrying c's proof: the proof names c
    c.core('a').step({ ...request(forC), from: 'b', to: 'a' })
    // c using it for a later term than the one right after the leader's
    c.core('b').step(request(forC, term + 2))
    // a statement over a log position the candidate has not reached
    c.core('b').step(request(proof('a', term, 'c', s.lastIndex + 5, s.lastTerm)))
    expect(c.core('a').counters.rejectedTransfers + c.core('b').counters.rejectedTransfers).toBe(3)
    expectLeaderKept(c, term)
  })

  it('a transfer replayed from an older term does not depose the next leader', () => {
    const c = new Cluster(['a', 'b', 'c'])
    c.elect('a')
    const term = c.core('a').status().term
    // a hands over to c: capture the signed TimeoutNow on its way
    let handOver: TimeoutNowMessage | undefined
    c.filter = (m) => {
      if (m.type === 'timeoutNow') handOver = m
      return true
    }
    expect(c.core('a').transferLeadership('c').ok).toBe(true)
    c.settle()
    c.filter = undefined
    expect(c.core('c').status().role).toBe('leader')
    expect(handOver?.transferProof).toBeDefined()
    c.tick(2)
    // the old proof, presented again by c's successor-to-be in the following term
    const s = c.core('a').status()
    const replay: VoteRequest = {
      type: 'vote', from: 'c', to: 'b', term: term + 2, lastLogIndex: s.lastIndex, lastLogTerm: s.lastTerm, transfer: true, transferProof: handOver!.transferProof!
    }
    c.core('b').step(replay)
    // and a proof for this term signed by a, who no longer leads it
    c.core('b').step({ ...replay, from: 'a', transferProof: proof('a', term + 1, 'a', s.lastIndex, s.lastTerm) })
    expect(c.core('b').counters.rejectedTransfers).toBe(2)
    c.settle()
    expect(c.core('b').status().term).toBe(term + 1)
    expect(c.core('b').status().leader).toBe('c')
    expect(c.core('c').status().role).toBe('leader')
  })

  it('a genuine transfer carries the leader’s signed hand-over and is not counted as rejected', () => {
    const c = new Cluster(['a', 'b', 'c'])
    c.elect('a')
    const term = c.core('a').status().term
    const requests: VoteRequest[] = []
    c.filter = (m) => {
      if (m.type === 'vote') requests.push(m)
      return true
    }
    expect(c.core('a').transferLeadership('b').ok).toBe(true)
    c.settle()
    expect(c.core('b').status().role).toBe('leader')
    expect(c.core('b').status().term).toBe(term + 1)
    expect(requests.length).toBeGreaterThan(0)
    expect(requests.every((m) => m.transfer && m.transferProof?.term === term)).toBe(true)
    for (const id of ['a', 'b', 'c']) expect(c.core(id).counters.rejectedTransfers).toBe(0)
  })

  it('a node whose voters are within their lease still follows a transfer to a node that just caught up', () => {
    const c = new Cluster(['a', 'b', 'c'])
    c.elect('a')
    c.isolate('c')
    for (let i = 0; i < 3; i++) c.propose('a', `e${i}`)
    c.heal()
    expect(c.core('a').transferLeadership('c').ok).toBe(true)
    c.settle()
    expect(c.core('c').status().role).toBe('leader')
    expect(c.core('b').status().leader).toBe('c')
    expect(c.core('b').counters.rejectedTransfers).toBe(0)
  })
})
