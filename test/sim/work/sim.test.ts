// The deterministic work simulator (./sim.ts) over many seeds: every seed draws its own mesh
// (2–5 nodes, 1–4 slots each), jobs, fault rates, crashes, partitions, cancels and nodes that
// die for good, some after draining (never a job's home: re-homing is not simulated yet), and the
// invariants of ./checkers.ts run after every event. A failure names its seed:
// MESHNODE_SIM_SEED=N replays exactly that run (MESHNODE_SIM_TRACE=1 prints its whole trace),
// MESHNODE_SIM_SEEDS=K runs seeds 1..K.
import { afterAll, describe, expect, it } from 'vitest'
import { fullTraceFromEnv, seedsFromEnv } from '../completion/seeds.js'
import { runSeed, type SimResult } from './sim.js'

const DEFAULT_SEEDS = 2000

/**
 * Seeds that hit a known, unfixed bug of the work core. They are skipped by the seed loop and
 * checked apart: each must still fail exactly so, and when the core is fixed that check fails
 * and the seed comes off the list.
 *
 * REGISTRY STAYS RUNNING (seed 1948, a notice in about 10% of seeds): the registration of a
 * job's final state failed (no quorum) and WorkCore.registered() only logs it — nothing
 * proposes it again — so the registry says `running` forever for a job that is completed on
 * its home's disk. Other nodes forget a job's Dijkstra–Scholten state (and refuse stale
 * re-sends) by the registry's final state, so they keep it forever, and listings show the job
 * running. Re-registration after a restart ('reregister', "will retry") is not retried
 * either. The same gap: a home that crashes between flushing a final record and advance()
 * never proposes the final state (restore only re-registers jobs still 'registering').
 * The invariant is a notice (not fatal) until this is fixed; the seed loop counts it.
 *
 * The three core bugs this simulator found first were fixed on work-core —
 *   - 8ab8fe4: a failed attempt waiting for its retry was still running for the DS core, so a
 *     steal that took it threw TASK_NOT_PENDING out of request() and stranded the taken tasks
 *     (seeds 950, 1550, 2000 at 7b2e175);
 *   - 8ab8fe4: a home down while its job was cancelled reported the job completed with tasks
 *     never run: the peers had dropped them as cancelled (seed 416 at 7b2e175);
 *   - ad25c7d: a task lent and then stolen back by its lender left no delegated record, so a
 *     lender restarted before the thief's signal never re-sent that batch and the job never
 *     finished (seed 352 at 029de78, seed 3049 at ceb1016).
 */
const KNOWN_CORE_BUGS: Record<number, { kind: string, detail: string, notice?: boolean }> = {
}
const replaying = (process.env.MESHNODE_SIM_SEED ?? '') !== ''
/** Seeds that breached an invariant a known core bug breaks (a notice, not a failure). */
const noticed: number[] = []
/** Nodes that died for good across the seeds run, and what the survivors did about it. */
const healing = { seeds: 0, deaths: 0, drains: 0, cleanDrains: 0, reclaimed: 0, abandoned: 0 }
/** Seeds per test case: one case per seed would spend more time in the runner than in the sim. */
const CHUNK = 50

function failure (r: SimResult): string {
  const trace = r.trace.slice(fullTraceFromEnv() ? 0 : -60).join('\n')
  return `MESHNODE_SIM_SEED=${r.seed} npx vitest run test/sim/work/sim.test.ts\n` +
    `params: ${JSON.stringify(r.params)}\n` +
    r.violations.map(v => `${v.kind}: ${v.detail}`).join('\n') +
    `\n--- trace (last lines; MESHNODE_SIM_TRACE=1 for all) ---\n${trace}`
}

describe('work cores in virtual time: loss, delay, duplication, partitions, crashes, cancels, deaths', () => {
  const seeds = seedsFromEnv(DEFAULT_SEEDS)
  afterAll(() => {
    if (!replaying) console.log(`work sim: ${healing.deaths} nodes died for good in ${healing.seeds} of ${seeds.length} seeds (${healing.drains} of them drained first, ${healing.cleanDrains} handing everything off before their deadline); survivors re-ran ${healing.reclaimed} reclaimed tasks and gave up ${healing.abandoned}`)
    if (noticed.length > 0) console.log(`work sim: ${noticed.length} of ${seeds.length} seeds hit a known core bug (a notice; see KNOWN_CORE_BUGS), e.g. MESHNODE_SIM_SEED=${noticed[0]}`)
  })
  for (let i = 0; i < seeds.length; i += CHUNK) {
    const chunk = seeds.slice(i, i + CHUNK)
    it(`seeds ${chunk[0]}..${chunk[chunk.length - 1]}`, async () => {
      // Give the worker's event loop a turn between chunks: the file runs for minutes on a
      // loaded machine, and vitest's worker RPC (onTaskUpdate) times out if it never gets one.
      await new Promise(resolve => setImmediate(resolve))
      for (const seed of chunk) {
        const r = runSeed(seed, { keepTrace: fullTraceFromEnv() })
        if (r.stats.deaths > 0) {
          healing.seeds++
          healing.deaths += r.stats.deaths
          healing.drains += r.stats.drains
          healing.cleanDrains += r.stats.cleanDrains
          healing.reclaimed += r.counters.tasksReclaimed
          healing.abandoned += r.counters.tasksAbandoned
        }
        if (!replaying && KNOWN_CORE_BUGS[seed] != null && KNOWN_CORE_BUGS[seed]!.notice !== true) continue
        if (r.notices.length > 0) noticed.push(seed)
        if (replaying && r.notices.length > 0) console.log(`MESHNODE_SIM_SEED=${seed} notices (known core bugs):\n${r.notices.map(v => `${v.kind}: ${v.detail}`).join('\n')}`)
        if (r.violations.length > 0) expect.fail(failure(r))
        // Every seed submits at least one job (at t=1, before any fault can stop it).
        expect(r.jobs.length, `MESHNODE_SIM_SEED=${seed}: jobs minted`).toBeGreaterThan(0)
      }
    })
  }
})

describe.skipIf(replaying || Object.keys(KNOWN_CORE_BUGS).length === 0)('known core bugs still reproduce', () => {
  for (const [seed, known] of Object.entries(KNOWN_CORE_BUGS)) {
    it(`MESHNODE_SIM_SEED=${seed}: ${known.kind}`, () => {
      const r = runSeed(Number(seed))
      const v = known.notice === true ? r.notices.find(n => n.kind === known.kind) : r.violations[0]
      if (v?.kind !== known.kind || !v.detail.includes(known.detail)) expect.fail(`MESHNODE_SIM_SEED=${seed} no longer fails with the known core bug (${known.kind}): remove it from KNOWN_CORE_BUGS if the core was fixed.\n${r.violations.length > 0 ? failure(r) : 'it passed'}`)
    })
  }
})

describe('the checkers are not vacuous', () => {
  it('a shell that sends before it persists is caught (torn crashes lose what it already sent)', () => {
    const caught: string[] = []
    for (let seed = 1; seed <= 200; seed++) {
      const r = runSeed(seed, { sendBeforePersist: true })
      if (r.violations.length > 0) caught.push(`${seed}: ${r.violations[0]!.kind}`)
    }
    expect(caught.length, 'no seed of 1..200 caught a shell that sends before it persists').toBeGreaterThan(0)
  })
})

describe('deaths are simulated', () => {
  // Giving up work that came through a dead node needs a thief of a thief, which this mesh
  // of small trees rarely grows (a few tasks over thousands of seeds): test/unit/work/reclaim.test.ts
  // covers it, and the seed loop above reports how often it happened.
  it('some nodes die for good holding lent work, and survivors re-run it', () => {
    let deaths = 0
    let reclaimed = 0
    for (let seed = 1; seed <= 40; seed++) {
      const r = runSeed(seed)
      deaths += r.stats.deaths
      reclaimed += r.counters.tasksReclaimed
    }
    expect(deaths, 'deaths in seeds 1..40').toBeGreaterThan(5)
    expect(reclaimed, 'tasks reclaimed in seeds 1..40').toBeGreaterThan(2)
  })

  it('some leave gracefully instead: they drain while holding work, most hand it all off before the deadline, and every job still completes', () => {
    let drains = 0
    let clean = 0
    for (let seed = 1; seed <= 80; seed++) {
      const r = runSeed(seed)
      drains += r.stats.drains
      clean += r.stats.cleanDrains
    }
    // The seed loop above checks every invariant (liveness: every job completes) on these.
    expect(drains, 'drains in seeds 1..80').toBeGreaterThan(2)
    expect(clean, 'drains done before their deadline in seeds 1..80').toBeGreaterThan(1)
  })
})

describe('determinism', () => {
  it('the same seed gives the same trace, byte for byte', () => {
    // 16 and 25 each kill a node holding lent work (25 a zombie that reconnects after its death).
    for (const seed of [7, 50, 123, 16, 25]) {
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
