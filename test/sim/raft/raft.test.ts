// Seeded simulation of Raft under faults. Every seed is a different world (see harness.ts);
// the checkers run after every step. Tunables:
//   MESHNODE_SIM_SEEDS=N   how many seeds (default 1000; 2000 with MESHNODE_SIM_LONG=1,
//                          which `npm run test:sim:long` sets)
//   MESHNODE_SIM_STEPS=N   chaos steps per seed (default 300)
//   MESHNODE_SIM_SEED=N    replay one seed, with its event trace printed on failure
// A failure prints `seed=N` and the command that replays it.

import { describe, expect, it } from 'vitest'
import { ed25519Scheme } from '../../../src/consensus/index.js'
import type { SignatureScheme } from '../../../src/consensus/index.js'
import { RaftSim } from './harness.js'
import type { SimResult } from './harness.js'
import { hmacScheme } from './hmac-scheme.js'
import { defaultSeeds } from '../completion/seeds.js'

const SEEDS = Number(process.env.MESHNODE_SIM_SEEDS ?? defaultSeeds(1000, 2000))
const STEPS = Number(process.env.MESHNODE_SIM_STEPS ?? 300)
const ONE_SEED = process.env.MESHNODE_SIM_SEED
const CHUNK = 100
/** Seeds that also run with real Ed25519 signatures (slower: ~2 ms per verification). */
const ED25519_SEEDS = [1, 2, 3, 4]

function simulate (seed: number, scheme: SignatureScheme, trace: boolean): SimResult {
  const initialVoters = seed % 2 === 0 ? 5 : 3
  const sim = new RaftSim({
    seed,
    nodes: initialVoters + 2,
    initialVoters,
    steps: STEPS,
    livenessBound: 300,
    scheme,
    trace
  })
  try {
    return sim.run()
  } catch (err) {
    if (trace) {
      // eslint-disable-next-line no-console
      console.error(`seed=${seed} trace (last events; MESHNODE_SIM_TRACE_LINES=N for more):\n${sim.events.slice(-(Number(process.env.MESHNODE_SIM_TRACE_LINES ?? 120))).join('\n')}`)
    }
    throw err
  }
}

/** Runs seeds and returns one line per failure, each naming its seed. */
function runSeeds (seeds: readonly number[], scheme: SignatureScheme): { failures: string[], results: SimResult[] } {
  const failures: string[] = []
  const results: SimResult[] = []
  for (const seed of seeds) {
    try {
      results.push(simulate(seed, scheme, false))
    } catch (err) {
      failures.push(`seed=${seed}: ${(err as Error).message}\n  replay: MESHNODE_SIM_SEED=${seed} npx vitest run test/sim/raft`)
    }
  }
  return { failures, results }
}

function summary (results: readonly SimResult[]): string {
  const sum = (f: (r: SimResult) => number): number => results.reduce((a, r) => a + f(r), 0)
  const maxLive = Math.max(0, ...results.map((r) => r.livenessSteps))
  const stragglers = results.filter((r) => r.straggler !== undefined)
  return `${results.length} seeds: ${sum((r) => r.steps)} steps, ${sum((r) => r.leaders)} leaders, ` +
    `${sum((r) => r.commits)} commits checked, ${sum((r) => r.crashes)} crashes, ${sum((r) => r.confChanges)} conf changes, ` +
    `${sum((r) => r.snapshots)} snapshots, slowest recovery ${maxLive} steps, ` +
    `${sum((r) => r.rejectedCertificates)} certificates rejected, ${results.filter((r) => r.stranded.length > 0).length} runs with stranded members, ` +
    `${stragglers.length} stragglers (${stragglers.filter((r) => (r.straggler?.missedVoterChanges ?? 0) >= 2).length} away through 2+ voter changes, ` +
    `up to ${Math.max(0, ...stragglers.map((r) => r.straggler?.missedVoterChanges ?? 0))}), ` +
    `${results.filter((r) => r.quietSteps > 0).length} runs with a quiet leader (${sum((r) => r.quietSteps)} quiet steps), ` +
    `${results.filter((r) => r.leaderLagTicks > 0).length} runs stretched by a leader's lag (${sum((r) => r.leaderLagTicks)} ticks)`
}

describe('raft under simulated faults', () => {
  if (ONE_SEED !== undefined) {
    const seed = Number(ONE_SEED)
    it(`seed=${seed} keeps every safety property and recovers after faults`, () => {
      const result = simulate(seed, hmacScheme, true)
      // eslint-disable-next-line no-console
      console.log(summary([result]))
    })
    return
  }

  for (let from = 1; from <= SEEDS; from += CHUNK) {
    const seeds = Array.from({ length: Math.min(CHUNK, SEEDS - from + 1) }, (_, i) => from + i)
    it(`seeds ${from}–${from + seeds.length - 1} keep every safety property and recover after faults`, () => {
      const { failures, results } = runSeeds(seeds, hmacScheme)
      if (failures.length > 0) {
        // eslint-disable-next-line no-console
        console.error(failures.join('\n'))
      } else if (from === 1) {
        // eslint-disable-next-line no-console
        console.log(summary(results))
      }
      expect(failures).toEqual([])
      // the quiet leader is exercised, not just allowed
      expect(results.filter((r) => r.quietSteps > 0).length).toBeGreaterThan(0)
    })
  }

  it('seeds with real Ed25519 signatures behave the same', () => {
    const { failures } = runSeeds(ED25519_SEEDS, ed25519Scheme)
    expect(failures).toEqual([])
  })
})
