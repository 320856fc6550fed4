// Seeded runs in which a node crash-stops mid-job and is declared dead: senders reclaim the
// batches in their ledgers and re-run them, holders of work that came from the dead node
// abandon it, and every job still completes exactly once with every task id finished.

import { describe, expect, it } from 'vitest'
import { fullTraceFromEnv, seedsFromEnv } from './seeds.js'
import { simulate } from './simulator.js'

const DEFAULT_SEEDS = 3000

describe('completion when a node is declared dead', () => {
  const seeds = seedsFromEnv(DEFAULT_SEEDS)

  // Large seed counts for soak runs get proportionally more time than the default timeout.
  it('reclaimed work is re-run and every job completes once with every task finished', () => {
    let deaths = 0
    let reclaimed = 0
    for (const seed of seeds) {
      const stats = simulate({ seed, withDeath: true, fullTrace: fullTraceFromEnv() })
      deaths += stats.deaths
      reclaimed += stats.reclaimedBatches
    }
    expect(deaths).toBe(seeds.length)
    // Across many seeds the dead node must have held work that had to be taken back.
    if (seeds.length >= 50) expect(reclaimed).toBeGreaterThan(0)
  }, Math.max(60_000, seeds.length * 25))
})
