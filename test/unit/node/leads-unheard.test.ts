// Which heartbeats make a node connect to their sender first: a leader it has not heard over
// Raft (src/node/services/consensus.ts leadsUnheard).
import { describe, expect, it } from 'vitest'
import { leadsUnheard } from '../../../src/node/services/consensus.js'

const claim = (term: bigint, role = 'leader', leader = 'x'): { role: string, term: bigint, leader: string } => ({ role, term, leader })

describe('leadsUnheard: connect first to a leader not heard over Raft', () => {
  it('wants a leader of a later term than this node holds', () => {
    expect(leadsUnheard('x', claim(2n), () => ({ term: 1, leader: null }))).toBe(true)
    expect(leadsUnheard('x', claim(3n), () => ({ term: 2, leader: 'y' }))).toBe(true)
  })

  it('wants the leader of this node\'s own term when it knows none', () => {
    expect(leadsUnheard('x', claim(2n), () => ({ term: 2, leader: null }))).toBe(true)
  })

  it('wants it from a node with no Raft core yet (a joiner)', () => {
    expect(leadsUnheard('x', claim(2n), () => undefined)).toBe(true)
  })

  it('leaves a leader alone once this node follows it, or follows a later one', () => {
    expect(leadsUnheard('x', claim(2n), () => ({ term: 2, leader: 'x' }))).toBe(false)
    expect(leadsUnheard('x', claim(2n), () => ({ term: 3, leader: null }))).toBe(false)
  })

  it('takes only the sender\'s own claim: a follower naming its leader, or a claim for another, is no reason', () => {
    let read = 0
    const own = (): { term: number, leader: null } => { read++; return { term: 1, leader: null } }
    expect(leadsUnheard('x', claim(2n, 'follower', 'y'), own)).toBe(false)
    expect(leadsUnheard('x', claim(2n, 'leader', 'y'), own)).toBe(false)
    expect(leadsUnheard('x', claim(2n, 'learner', 'x'), own)).toBe(false)
    // This node's Raft status is read only for a claim to lead: not for every heartbeat.
    expect(read).toBe(0)
  })
})
