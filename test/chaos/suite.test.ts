// The 5-host chaos suite, short: one seed's minute of faults (kills and restarts of the
// leader and of jobs' homes, one host killed for good, isolation, 2|3 splits both ways,
// pauses) under a workload, then every guarantee checked (suite/checker.ts). Seed 3 is the
// default because its one-minute plan draws every fault kind and both split directions
// (seeds 1 and 2 each miss some; the two together cost CI a minute more). A
// failure prints the seed and the command that replays it; `npm run chaos` runs longer
// soaks. Namespaces and processes go in afterAll and at process exit, whatever happened.
// MESHNODE_CHAOS_SEEDS=a,b picks other seeds, MESHNODE_CHAOS_FAULTS=kill,split,… another
// fault mix (default: every kind). Needs root and iproute2; skipped elsewhere.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { canUseNetns, cleanup } from './netns.js'
import { FAULT_KINDS, parseFaults } from './suite/faults.js'
import { runChaos } from './suite/run.js'

const SEEDS = (process.env.MESHNODE_CHAOS_SEEDS ?? '3').split(',').map(s => Number(s) >>> 0)
const FAULTS = process.env.MESHNODE_CHAOS_FAULTS != null ? parseFaults(process.env.MESHNODE_CHAOS_FAULTS) : FAULT_KINDS
const MINUTES = 1

describe.skipIf(!canUseNetns())('five hosts under seeded chaos', () => {
  beforeAll(() => {
    // A worker that dies mid-run still takes the namespaces and nodes with it.
    process.on('exit', cleanup)
  })

  afterAll(() => {
    cleanup()
  })

  for (const seed of SEEDS) {
    it(`keeps every guarantee under the faults of seed ${seed}`, async () => {
      const report = await runChaos({ seed, minutes: MINUTES, faults: FAULTS })
      expect(report.jobs.acked, 'the workload got jobs acknowledged').toBeGreaterThan(0)
      expect(report.violations.map(v => v.text), `seed ${seed} broke a guarantee; replay: ${report.replay}\n${report.summary}`).toEqual([])
    }, 5 * 60_000)
  }
})
