// Thousands of seeded runs of the completion simulator over a hostile network with crashes:
// no early completion, no lost work, and every job detected once faults stop.

import { describe, expect, it } from 'vitest'
import { fullTraceFromEnv, seedsFromEnv } from './seeds.js'
import { simulate } from './simulator.js'

const DEFAULT_SEEDS = 4000

describe('completion under delay, reorder, duplication, loss and crashes', () => {
  const seeds = seedsFromEnv(DEFAULT_SEEDS)

  // Large seed counts for soak runs get proportionally more time than the default timeout.
  it('never reports a job early and always detects it once faults stop', () => {
    let steps = 0
    for (const seed of seeds) {
      steps += simulate({ seed, withDeath: false, fullTrace: fullTraceFromEnv() }).steps
    }
    expect(steps).toBeGreaterThan(0)
  }, Math.max(60_000, seeds.length * 25))
})
