import { defineConfig } from 'vitest/config'

// Unit and simulation tests are pure and fast; e2e tests spawn real node processes and
// share two cores, so they run one file at a time with generous timeouts.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    poolOptions: { forks: { singleFork: false } },
    // e2e files each run a cluster of real processes; running them side by side on two
    // cores starves heartbeats and turns timing into noise, so they go one at a time.
    fileParallelism: !process.argv.some(a => a.includes('test/e2e') || a.includes('test/chaos')),
    reporters: ['default']
  }
})
