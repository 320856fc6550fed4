// When a node counts as cut off from the majority (partition fencing): after the Raft core
// has had no contact for a while, not at the first election.
import { describe, expect, it } from 'vitest'
import { QuorumContact } from '../../../src/healing/quorum-contact.js'

const opts = { lostAfterMs: 1_000, startGraceMs: 5_000 }

describe('quorum contact', () => {
  it('counts as in contact at start until the start grace runs out without a leader', () => {
    const q = new QuorumContact(0, opts)
    expect(q.observe(false, 4_999)).toBe(false)
    expect(q.contact).toBe(true)
    expect(q.view(4_999)).toEqual({ contact: true, lastContactMs: null })
    expect(q.observe(false, 5_000)).toBe(true)
    expect(q.contact).toBe(false)
    expect(q.view(5_100)).toEqual({ contact: false, lastContactMs: null })
  })

  it('rides out a gap shorter than lostAfterMs (an ordinary election)', () => {
    const q = new QuorumContact(0, opts)
    q.observe(true, 100)
    for (let t = 130; t < 1_100; t += 30) expect(q.observe(false, t), `at ${t}`).toBe(false)
    expect(q.contact).toBe(true)
    q.observe(true, 1_090)
    expect(q.observe(false, 2_000)).toBe(false)
    expect(q.contact).toBe(true)
  })

  it('is lost after lostAfterMs without contact, and says since when', () => {
    const q = new QuorumContact(0, opts)
    q.observe(true, 100)
    expect(q.observe(false, 1_099)).toBe(false)
    expect(q.observe(false, 1_100)).toBe(true)
    expect(q.view(3_300)).toEqual({ contact: false, lastContactMs: 3_200 })
  })

  it('is regained at the first contact', () => {
    const q = new QuorumContact(0, opts)
    q.observe(true, 100)
    q.observe(false, 5_000)
    expect(q.contact).toBe(false)
    expect(q.observe(true, 5_030)).toBe(true)
    expect(q.view(5_030)).toEqual({ contact: true, lastContactMs: 0 })
  })
})
