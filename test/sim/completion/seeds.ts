// How simulator suites pick their seeds from the environment, so any failure replays:
// MESHNODE_SIM_SEED=N runs just seed N, MESHNODE_SIM_SEEDS=K runs seeds 1..K, and
// MESHNODE_SIM_TRACE=1 keeps the whole event trace in the failure message.
// MESHNODE_SIM_LONG=1 (`npm run test:sim:long`) gives the suites that run a shorter default
// in `npm test` their long default instead (defaultSeeds).

/** `ci` seeds in the default run, `long` with MESHNODE_SIM_LONG=1 (`npm run test:sim:long`). */
export function defaultSeeds (ci: number, long: number): number {
  return process.env.MESHNODE_SIM_LONG === '1' ? long : ci
}

export function seedsFromEnv (defaultCount: number): number[] {
  const one = process.env.MESHNODE_SIM_SEED
  if (one !== undefined && one !== '') return [Number(one)]
  const count = Number(process.env.MESHNODE_SIM_SEEDS ?? defaultCount)
  return Array.from({ length: Number.isInteger(count) && count > 0 ? count : defaultCount }, (_, i) => i + 1)
}

export function fullTraceFromEnv (): boolean {
  return process.env.MESHNODE_SIM_TRACE === '1'
}
