import { availableParallelism } from 'node:os'
import { defineConfig } from 'vitest/config'

// e2e files each run a cluster of real processes on their own ports, two files at a time:
// more would starve the clusters' heartbeats on two cores and turn timing into noise. Chaos
// files build network namespaces and run alone (npm test runs them in a vitest run of their own).
const e2e = process.argv.some(a => a.includes('test/e2e'))
const chaos = process.argv.some(a => a.includes('test/chaos'))

// Timeouts are generous: e2e tests spawn real node processes on shared cores.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Unit and simulation files use every core (vitest's default leaves one idle: on two
    // cores, one fork ran the whole tier, a third of CI's time).
    poolOptions: { forks: { singleFork: false, maxForks: chaos ? 1 : e2e ? 2 : availableParallelism() } },
    fileParallelism: !chaos,
    reporters: ['default']
  }
})
