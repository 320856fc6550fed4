// A tiny seeded PRNG (mulberry32) for the core's randomized election timeout and for the
// simulator. The core never calls Math.random(): the randomness it needs is injected, so a
// seed replays a whole run. Not for cryptography.

/** Returns a function yielding uniformly distributed floats in [0, 1). */
export function mulberry32 (seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A uniformly distributed integer in [0, n). */
export function randomInt (random: () => number, n: number): number {
  return Math.floor(random() * n)
}
