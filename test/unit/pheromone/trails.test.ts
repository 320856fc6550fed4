import { describe, expect, it } from 'vitest'
import { mulberry32, TrailTable } from '../../../src/pheromone/index.js'
import type { Candidate } from '../../../src/pheromone/index.js'

function frequencies (table: TrailTable, candidates: Candidate[], draws: number, seed = 1): Map<string, number> {
  const rng = mulberry32(seed)
  const counts = new Map<string, number>()
  for (let i = 0; i < draws; i++) {
    const peer = table.choose(candidates, rng)
    if (peer !== undefined) counts.set(peer, (counts.get(peer) ?? 0) + 1)
  }
  return counts
}

describe('pheromone trails', () => {
  it('a deposit strengthens a peer\'s trail, up to the cap', () => {
    const table = new TrailTable({ maxTrail: 5 })
    table.deposit('p', 2)
    table.deposit('p', 1)
    expect(table.strength('p')).toBe(3)
    table.deposit('p', 100)
    expect(table.strength('p')).toBe(5)
  })

  it('a trail halves every half-life', () => {
    const table = new TrailTable({ halfLifeMs: 1000 })
    table.deposit('p', 8)
    table.evaporate(1000)
    expect(table.strength('p')).toBeCloseTo(4)
    table.evaporate(2000)
    expect(table.strength('p')).toBeCloseTo(1)
  })

  it('evaporation in small steps equals one step of the same total time', () => {
    const a = new TrailTable({ halfLifeMs: 1000 })
    const b = new TrailTable({ halfLifeMs: 1000 })
    a.deposit('p', 10)
    b.deposit('p', 10)
    for (let i = 0; i < 10; i++) a.evaporate(150)
    b.evaporate(1500)
    expect(a.strength('p')).toBeCloseTo(b.strength('p'), 10)
  })

  it('a trail that fades below the floor is forgotten', () => {
    const table = new TrailTable({ halfLifeMs: 1000, floor: 0.5 })
    table.deposit('p', 1)
    table.evaporate(1500)
    expect(table.strength('p')).toBe(0)
    expect(table.toJSON()).toEqual({ trails: [] })
  })

  it('non-positive or non-finite deposits and elapsed times change nothing', () => {
    const table = new TrailTable()
    table.deposit('p', 1)
    table.deposit('p', -3)
    table.deposit('p', Number.NaN)
    table.deposit('p', Infinity)
    table.evaporate(-10)
    table.evaporate(Number.NaN)
    expect(table.strength('p')).toBe(1)
  })

  it('a penalty scales a peer\'s trail down', () => {
    const table = new TrailTable()
    table.deposit('p', 4)
    table.penalize('p', 0.25)
    expect(table.strength('p')).toBe(1)
  })

  it('peers are chosen in proportion to trail times heuristic', () => {
    const table = new TrailTable({ floor: 0.1 })
    table.deposit('strong', 3)
    table.deposit('weak', 1)
    const counts = frequencies(table, [{ peer: 'strong', heuristic: 1 }, { peer: 'weak', heuristic: 2 }], 30_000)
    // Weights 3×1 and 1×2: strong is picked 60% of the time.
    expect((counts.get('strong') ?? 0) / 30_000).toBeCloseTo(0.6, 1)
  })

  it('alpha and beta set how much trail and heuristic matter', () => {
    const table = new TrailTable({ alpha: 2, beta: 0 })
    table.deposit('a', 2)
    table.deposit('b', 1)
    expect(table.weights([{ peer: 'a', heuristic: 100 }, { peer: 'b', heuristic: 1 }])).toEqual([4, 1])
  })

  it('an unexplored peer is still chosen thanks to the floor', () => {
    const table = new TrailTable({ floor: 0.1, maxTrail: 50 })
    table.deposit('known', 50)
    const counts = frequencies(table, [{ peer: 'known', heuristic: 1 }, { peer: 'new', heuristic: 1 }], 50_000)
    expect(counts.get('new') ?? 0).toBeGreaterThan(0)
  })

  it('a candidate with a zero heuristic is never chosen while others qualify', () => {
    const table = new TrailTable()
    table.deposit('empty', 40)
    const counts = frequencies(table, [{ peer: 'empty', heuristic: 0 }, { peer: 'busy', heuristic: 3 }], 1000)
    expect(counts.get('empty')).toBeUndefined()
  })

  it('if every candidate is ruled out the choice is uniform, and an empty list chooses nobody', () => {
    const table = new TrailTable()
    const counts = frequencies(table, [{ peer: 'a', heuristic: 0 }, { peer: 'b', heuristic: -1 }], 1000)
    expect((counts.get('a') ?? 0) + (counts.get('b') ?? 0)).toBe(1000)
    expect(counts.get('a')).toBeGreaterThan(0)
    expect(table.choose([], mulberry32(1))).toBeUndefined()
  })

  it('the same seed makes the same choices', () => {
    const table = new TrailTable()
    table.deposit('a', 1)
    table.deposit('b', 2)
    const cands = [{ peer: 'a', heuristic: 1 }, { peer: 'b', heuristic: 1 }, { peer: 'c', heuristic: 1 }]
    const draw = (seed: number): Array<string | undefined> => {
      const rng = mulberry32(seed)
      return Array.from({ length: 20 }, () => table.choose(cands, rng))
    }
    expect(draw(42)).toEqual(draw(42))
  })

  it('a snapshot round-trips', () => {
    const table = new TrailTable()
    table.deposit('b', 2)
    table.deposit('a', 1.5)
    const copy = TrailTable.fromJSON(JSON.parse(JSON.stringify(table)) as ReturnType<TrailTable['toJSON']>)
    expect(copy.toJSON()).toEqual({ trails: [{ peer: 'a', strength: 1.5 }, { peer: 'b', strength: 2 }] })
  })

  it('forgetting a peer drops its trail', () => {
    const table = new TrailTable()
    table.deposit('p', 2)
    table.forget('p')
    expect(table.strength('p')).toBe(0)
  })

  it('invalid options are refused', () => {
    expect(() => new TrailTable({ halfLifeMs: 0 })).toThrow(RangeError)
    expect(() => new TrailTable({ floor: 0 })).toThrow(RangeError)
    expect(() => new TrailTable({ floor: 2, maxTrail: 1 })).toThrow(RangeError)
  })
})
