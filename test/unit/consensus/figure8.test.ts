import { describe, expect, it } from 'vitest'
import type { AppendMessage } from '../../../src/consensus/index.js'
import { Cluster } from './cluster.js'

// Raft paper, Figure 8: a leader must not commit an entry of an earlier term by counting
// replicas, because a node with a later-term entry at that index can still win an election
// and overwrite it. Only once an entry of its own term is on a majority is it committed —
// and everything before it with it.
describe('commitment of entries from earlier terms (Raft figure 8)', () => {
  it('an entry from an earlier term on a majority is not committed until an entry of the current term is', () => {
    const ids = ['a', 'b', 'c', 'd', 'e']
    const c = new Cluster(ids, { core: { preVote: false, checkQuorum: false, maxEntriesPerMessage: 1 } })
    c.elect('a')
    const base = c.core('a').status().lastIndex
    // (a) a, leader of term 2, gets x onto b only
    for (const id of ['c', 'd', 'e']) c.cut('a', id)
    expect(c.propose('a', 'x').ok).toBe(true)
    const xIndex = base + 1
    expect(c.core('b').status().lastIndex).toBe(xIndex)
    // (b) a stops; e wins term 3 with c and d, but its own entry at xIndex reaches nobody
    c.stop('a')
    c.heal()
    c.filter = (m) => !(m.from === 'e' && m.type === 'append')
    c.elect('e')
    expect(c.core('e').status().role).toBe('leader')
    expect(c.core('e').status().lastIndex).toBe(xIndex)
    c.stop('e')
    // (c) a restarts and wins term 4; its own no-op (xIndex + 1) is held back, so x alone
    // spreads: to c, making x present on a majority (a, b, c)
    c.start('a')
    // (entries after x are dropped whenever the receiver would accept them)
    c.filter = (m) => !(m.type === 'append' &&
      (m as AppendMessage).entries.some((e) => e.index > xIndex) &&
      c.node(m.to).storage.lastIndex() >= (m as AppendMessage).prevIndex)
    for (let i = 0; i < 3 && c.core('a').status().role !== 'leader'; i++) c.elect('a')
    expect(c.core('a').status().role).toBe('leader')
    c.tick(3, ['a', 'b', 'c', 'd'])
    expect(c.node('c').storage.term(xIndex)).toBe(c.node('a').storage.term(xIndex))
    // x is on a majority, but it is from term 2: not committed
    expect(c.core('a').status().commit).toBeLessThan(xIndex)
    // (d) a stops; e, holding a term-3 entry at xIndex, can legitimately win and overwrite it
    c.stop('a')
    c.filter = undefined
    c.start('e')
    for (let i = 0; i < 5 && c.core('e').status().role !== 'leader'; i++) c.elect('e')
    expect(c.core('e').status().role).toBe('leader')
    c.propose('e', 'y')
    c.tick(2, ['b', 'c', 'd', 'e'])
    // no node ever applied x, so nothing committed was lost
    for (const id of ids) expect(c.node(id).applied).not.toContain('x')
    expect(c.node('b').applied).toEqual(['y'])
  })

  it('once an entry of the current term reaches a majority, the earlier entries commit with it', () => {
    const c = new Cluster(['a', 'b', 'c'], { core: { preVote: false, checkQuorum: false, maxEntriesPerMessage: 1 } })
    c.elect('a')
    c.cut('a', 'c')
    c.propose('a', 'x')
    c.stop('a')
    c.heal()
    c.start('a')
    c.elect('a')
    c.tick(3)
    expect(c.core('a').status().role).toBe('leader')
    for (const id of ['a', 'b', 'c']) expect(c.node(id).applied).toEqual(['x'])
  })
})
