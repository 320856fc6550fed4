import { availableParallelism } from 'node:os'
import { defineConfig } from 'vitest/config'

// e2e files each run a cluster of real processes; running them side by side on two cores
// starves heartbeats and turns timing into noise, so they go one at a time.
const e2e = process.argv.some(a => a.includes('test/e2e') || a.includes('test/chaos'))

// Timeouts are generous: e2e tests spawn real node processes on shared cores.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Unit and simulation files use every core (vitest's default leaves one idle: on two
    // cores, one fork ran the whole tier, a third of CI's time).
    poolOptions: { forks: { singleFork: false, ...(e2e ? {} : { maxForks: availableParallelism() }) } },
    fileParallelism: !e2e,
    reporters: ['default']
  }
})
