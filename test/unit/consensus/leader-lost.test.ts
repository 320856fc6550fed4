import { describe, expect, it } from 'vitest'
import { Cluster } from './cluster.js'

describe('leader lost (failure detector fast path)', () => {
  it('followers told their leader died elect a new one within a few ticks, not an election timeout', () => {
    const c = new Cluster(['a', 'b', 'c'])
    c.elect('a')
    const term = c.core('a').status().term
    c.stop('a')
    c.core('b').leaderLost()
    c.core('c').leaderLost()
    c.tick(4, ['b', 'c'])
    const leaders = c.leaders().filter(n => n.id !== 'a')
    expect(leaders).toHaveLength(1)
    expect(leaders[0]!.core.status().term).toBeGreaterThan(term)
  })

  it('is as fast on a node whose loop runs late: the stretch does not delay it', () => {
    const c = new Cluster(['a', 'b', 'c'])
    c.elect('a')
    c.stop('a')
    for (const id of ['b', 'c']) {
      c.core(id).stretchElection(100)
      c.core(id).leaderLost()
    }
    c.tick(4, ['b', 'c'])
    expect(c.leaders().filter(n => n.id !== 'a')).toHaveLength(1)
  })

  it('a wrong verdict does not depose a live leader the others still hear', () => {
    const c = new Cluster(['a', 'b', 'c'])
    c.elect('a')
    const term = c.core('a').status().term
    c.core('b').leaderLost()
    c.tick(5)
    expect(c.core('a').status().role).toBe('leader')
    expect(c.core('a').status().term).toBe(term)
    expect(c.core('b').status().leader).toBe('a')
  })

  it('is ignored by a node that is not a follower with a known leader', () => {
    const c = new Cluster(['a', 'b', 'c'])
    c.elect('a')
    c.core('a').leaderLost()
    expect(c.core('a').status().role).toBe('leader')
  })
})
