// The deterministic work simulator (./sim.ts) over many seeds: every seed draws its own mesh
// (2–5 nodes, 1–4 slots each), jobs, fault rates, crashes, partitions and cancels, and the
// invariants of ./checkers.ts run after every event. A failure names its seed:
// MESHNODE_SIM_SEED=N replays exactly that run (MESHNODE_SIM_TRACE=1 prints its whole trace),
// MESHNODE_SIM_SEEDS=K runs seeds 1..K.
import { describe, expect, it } from 'vitest'
import { fullTraceFromEnv, seedsFromEnv } from '../completion/seeds.js'
import { runSeed, type SimResult } from './sim.js'

const DEFAULT_SEEDS = 2000

/**
 * Seeds of the default run that hit a known bug of the work core (see the simulator's report
 * on branch work-sim). They must still fail exactly so: when the core is fixed, this fails
 * and the seed comes off the list.
 *
 * TASK_NOT_PENDING: a task whose attempt failed is queued again for its retry while the
 * Dijkstra–Scholten core still counts it running (nothing tells it the attempt ended); once
 * its job has been lent (so it is in the DS core), a thief's steal can take that task and
 * CompletionCore.delegate throws out of WorkCore.request — after queue.steal removed the
 * taken tasks from the queue, so they sit unrun until a restart.
 *
 * MISSED CANCEL: a job is cancelled while its home is down; the other nodes apply the cancel.
 * The restarted home does not know (nothing re-applies a cancel it missed, except maintenance
 * for jobs already in its DS core, up to 500 ms later). It lends a batch; the thief, which
 * knows the job is cancelled, drops the tasks without an outcome ("the job's state already
 * says why" — not at this home) and signals at once; the home then finishes the job as
 * `completed` although those tasks (and their subtrees) never ran.
 */
const KNOWN_CORE_BUGS: Record<number, { kind: string, detail: string }> = {
  1550: { kind: 'core threw', detail: 'is not a pending task on this node (already running)' },
  2000: { kind: 'never early', detail: 'cancelled job reported completed' }
}
const replaying = (process.env.MESHNODE_SIM_SEED ?? '') !== ''
/** Seeds per test case: one case per seed would spend more time in the runner than in the sim. */
const CHUNK = 50

function failure (r: SimResult): string {
  const trace = r.trace.slice(fullTraceFromEnv() ? 0 : -60).join('\n')
  return `MESHNODE_SIM_SEED=${r.seed} npx vitest run test/sim/work/sim.test.ts\n` +
    `params: ${JSON.stringify(r.params)}\n` +
    r.violations.map(v => `${v.kind}: ${v.detail}`).join('\n') +
    `\n--- trace (last lines; MESHNODE_SIM_TRACE=1 for all) ---\n${trace}`
}

describe('work cores in virtual time: loss, delay, duplication, partitions, crashes, cancels', () => {
  const seeds = seedsFromEnv(DEFAULT_SEEDS)
  for (let i = 0; i < seeds.length; i += CHUNK) {
    const chunk = seeds.slice(i, i + CHUNK)
    it(`seeds ${chunk[0]}..${chunk[chunk.length - 1]}`, () => {
      for (const seed of chunk) {
        const r = runSeed(seed, { keepTrace: fullTraceFromEnv() })
        const known = replaying ? undefined : KNOWN_CORE_BUGS[seed]
        if (known != null) {
          const v = r.violations[0]
          if (v?.kind !== known.kind || !v.detail.includes(known.detail)) expect.fail(`MESHNODE_SIM_SEED=${seed} no longer fails with the known core bug "${known.detail}": remove it from KNOWN_CORE_BUGS if the core was fixed.\n${r.violations.length > 0 ? failure(r) : 'it passed'}`)
          continue
        }
        if (r.violations.length > 0) expect.fail(failure(r))
        // Every seed must have acknowledged at least one job... unless every submission was refused.
        expect(r.jobs.length, `MESHNODE_SIM_SEED=${seed}: jobs minted`).toBeGreaterThan(0)
      }
    })
  }
})

describe('determinism', () => {
  it('the same seed gives the same trace, byte for byte', () => {
    for (const seed of [7, 50, 123]) {
      const a = runSeed(seed, { keepTrace: true })
      const b = runSeed(seed, { keepTrace: true })
      expect(b.events).toBe(a.events)
      expect(b.trace.join('\n')).toBe(a.trace.join('\n'))
      expect(b.hash).toBe(a.hash)
    }
  })

  it('different seeds give different traces', () => {
    expect(runSeed(11).hash).not.toBe(runSeed(12).hash)
  })
})
