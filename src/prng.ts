// A tiny seeded PRNG (mulberry32), shared by every sans-I/O core (election jitter, pheromone
// choice) and by the simulators and benchmarks:
// one 32-bit state word, fast, and identical on every platform, so a seed replays a run.
// Not for cryptography.

/** A source of uniform numbers in [0, 1). Cores take one instead of calling Math.random. */
export type Rng = () => number

export function mulberry32 (seed: number): Rng {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A uniform integer in [0, n). */
export function randomInt (rng: Rng, n: number): number {
  return Math.floor(rng() * n)
}
