import { describe, expect, it } from 'vitest'
import { mulberry32, randomInt } from '../../src/prng.js'

describe('seeded prng', () => {
  it('the same seed yields the same sequence', () => {
    const a = mulberry32(7)
    const b = mulberry32(7)
    expect(Array.from({ length: 5 }, a)).toEqual(Array.from({ length: 5 }, b))
  })

  it('different seeds yield different sequences', () => {
    expect(mulberry32(1)()).not.toBe(mulberry32(2)())
  })

  it('values lie in [0, 1) and integers in [0, n)', () => {
    const rng = mulberry32(3)
    for (let i = 0; i < 10_000; i++) {
      const x = rng()
      expect(x >= 0 && x < 1).toBe(true)
      const k = randomInt(rng, 5)
      expect(Number.isInteger(k) && k >= 0 && k < 5).toBe(true)
    }
  })
})
