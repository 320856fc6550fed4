// The deterministic work simulator (./sim.ts) over many seeds: every seed draws its own mesh
// (2–5 nodes, 1–4 slots each), jobs, fault rates, crashes, partitions, cancels, copies per job
// (1–3) and nodes that die for good — mostly a job's home when its jobs have copies, so the
// control log re-homes them — and the invariants of ./checkers.ts run after every event. A failure names its seed:
// MESHNODE_SIM_SEED=N replays exactly that run (MESHNODE_SIM_TRACE=1 prints its whole trace),
// MESHNODE_SIM_SEEDS=K runs seeds 1..K. `npm test` runs 1 000 seeds (about 20 s of CPU);
// `npm run test:sim:long` (MESHNODE_SIM_LONG=1) runs 2 000, the default before CI had to fit 15 min.
import { afterAll, describe, expect, it } from 'vitest'
import { defaultSeeds, fullTraceFromEnv, seedsFromEnv } from '../completion/seeds.js'
import { WorkSim, paramsFor, runSeed, type SimResult } from './sim.js'

const DEFAULT_SEEDS = defaultSeeds(1000, 2000)

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
 * Re-homing (simrehome), fixed with unit tests in test/unit/work/rehome.test.ts and core.test.ts —
 *   - an adopted job kept its replica, so once it finished at its new home (record retired)
 *     and before the registry took the final state, the replica sweep adopted it again and it
 *     ran twice in one generation (seeds 26, 56);
 *   - applying a move forgot a job's completion state only if a task told its generation, so a
 *     new home's closed engagement of the lost run survived and, after a restart, made it drop
 *     the job's new tasks (seed 389);
 *   - a home behind in the log detected its job's completion after a thief, which had applied
 *     a cancel first, dropped its share without outcomes, and called the job completed (seed 658);
 *   - a submit refused after its registration committed all the same left a running entry
 *     with replicas: once its home died the job ran elsewhere (now recorded failed).
 *
 * REFUSED JOB RE-HOMED (a notice, seed 3289; 3 of seeds 3001..10000): the correction above is
 * proposed by the home alone and is not durable, so a home cut away (or crashing) before it
 * commits leaves the ambiguous 'running' entry, and the job the client was told was refused
 * is re-homed and run. Closing it needs the refusal to survive the home (e.g. the replica
 * holders, or the registry itself, expiring an entry no home claims).
 */
// Seed 3289 pinned 'refused job re-homed' (a submit answered NOT_REGISTERED whose entry
// committed all the same, its home dying before its 'failed' correction committed) until the
// replication wait changed its trace; the checker still reports that case as a notice in any
// seed (see `noticed`), and the gap is open (the closing note of issue 10 says so).
const KNOWN_CORE_BUGS: Record<number, { kind: string, detail: string, notice?: boolean }> = {}
const replaying = (process.env.MESHNODE_SIM_SEED ?? '') !== ''
/** Seeds that breached an invariant a known core bug breaks (a notice, not a failure). */
const noticed: number[] = []
/** Nodes that died for good across the seeds run, and what the survivors did about it. */
const healing = { seeds: 0, deaths: 0, reclaimed: 0, abandoned: 0, homeDeaths: 0, moved: 0, adopted: 0, excused: 0, unrecoverable: 0 }
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
    if (!replaying) console.log(`work sim: ${healing.deaths} nodes died for good in ${healing.seeds} of ${seeds.length} seeds (${healing.homeDeaths} of them a job's home); survivors re-ran ${healing.reclaimed} reclaimed tasks and gave up ${healing.abandoned}; the log re-homed ${healing.moved} jobs (${healing.adopted} adoptions); ${healing.excused} acknowledged jobs never finished, as excused: cancelled after their home died, or (${healing.unrecoverable}) every copy lost`)
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
          healing.reclaimed += r.counters.tasksReclaimed
          healing.abandoned += r.counters.tasksAbandoned
          healing.homeDeaths += r.stats.homeDeaths
          healing.moved += r.stats.moved
          healing.adopted += r.stats.adopted
          healing.excused += r.stats.excused
          healing.unrecoverable += r.stats.unrecoverable
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

  it('a store that loses the root tasks kept inside job records across a restart is caught', () => {
    const caught: string[] = []
    for (let seed = 1; seed <= 300 && caught.length === 0; seed++) {
      const r = runSeed(seed, { oneTaskShare: 0.7, ignoreTasksInRecords: true })
      if (r.violations.length > 0) caught.push(`${seed}: ${r.violations[0]!.kind}`)
    }
    expect(caught.length, 'no seed of 1..300 caught a restart that loses one-task jobs\' tasks').toBeGreaterThan(0)
  })

  it('a store that drops the outcome a final job record carries is caught', () => {
    const r = runSeed(1, { oneTaskShare: 0.7, dropOutcomesInRecords: true })
    expect(r.violations.map(v => v.kind)).toContain('never early')
  })
})

describe('one-task jobs (their root task and outcome inside their job records) in virtual time', () => {
  // Most jobs one task, none with children: kept inside their records from registration to
  // the end, through the same crashes, cancels, partitions and deaths.
  const seeds = seedsFromEnv(defaultSeeds(150, 1000))
  for (let i = 0; i < seeds.length; i += CHUNK) {
    const chunk = seeds.slice(i, i + CHUNK)
    it(`seeds ${chunk[0]}..${chunk[chunk.length - 1]}`, async () => {
      await new Promise(resolve => setImmediate(resolve))
      for (const seed of chunk) {
        const r = runSeed(seed, { oneTaskShare: 0.7, keepTrace: fullTraceFromEnv() })
        if (r.violations.length > 0) expect.fail(`(oneTaskShare 0.7) ${failure(r)}`)
      }
    })
  }
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
})

describe('supervision is simulated', () => {
  // Failed attempts climb the escalation ladder under every fault the simulator injects:
  // after two failures on a node a task is handed to another (a batch like any other).
  it('tasks failing twice on a node run on another, and the checkers stay clean', () => {
    let escalated = 0
    for (let seed = 1; seed <= 40; seed++) escalated += runSeed(seed).stats.escalated
    expect(escalated, 'other-node escalations in seeds 1..40').toBeGreaterThan(5)
  })

  it('a node whose every attempt fails has its handler circuit opened; the jobs still complete', () => {
    let opened = 0
    let escalated = 0
    for (let seed = 1; seed <= 30; seed++) {
      const r = new WorkSim(paramsFor(seed), { brokenNode: 'N1' }).run()
      expect(r.violations, `seed ${seed}`).toEqual([])
      opened += r.stats.circuitsOpened
      escalated += r.stats.escalated
    }
    expect(escalated).toBeGreaterThan(10)
    expect(opened).toBeGreaterThan(0)
  })
})

describe('regressions beyond the default seeds', () => {
  // A child lent back and forth between its home and a thief, reclaimed when the thief died,
  // ran at the home again while its parent, reclaimed too, spawned it once more: the home
  // queued it a second time and a steal handed over a running task (TASK_NOT_PENDING thrown
  // out of request()). Fixed in WorkCore.taskFinished: a child already held is not queued again.
  it('MESHNODE_SIM_SEED=19169 runs clean (a reclaimed parent re-spawning a child that runs)', () => {
    const r = runSeed(19169)
    expect(r.violations).toEqual([])
  })
})

describe('re-homing is simulated', () => {
  it('homes die holding running jobs, the log moves them, and their new homes finish them in a new generation', () => {
    let moved = 0
    let rehomedFinished = 0
    let zombiesLearnt = 0
    for (let seed = 1; seed <= 40; seed++) {
      const r = runSeed(seed, { keepTrace: true })
      moved += r.stats.moved
      rehomedFinished += r.jobs.filter(j => (j.finished?.epoch ?? 0) > 0).length
      if (r.trace.some(l => l.includes('applies the log'))) zombiesLearnt++
    }
    expect(moved, 'jobs re-homed in seeds 1..40').toBeGreaterThan(5)
    expect(rehomedFinished, 're-homed jobs finished in seeds 1..40').toBeGreaterThan(5)
    expect(zombiesLearnt, 'zombies that applied their own death in seeds 1..40').toBeGreaterThan(0)
  })
})

describe('retention is simulated', () => {
  it('after each run every finished job is forgotten through the log, running ones stay, and every node encodes the same control state', () => {
    let forgotten = 0
    for (let seed = 1; seed <= 20; seed++) {
      const r = runSeed(seed)
      expect(r.violations, `seed ${seed}`).toEqual([])
      forgotten += r.stats.forgotten
    }
    expect(forgotten, 'jobs forgotten in seeds 1..20').toBeGreaterThan(20)
  })
})

describe('determinism', () => {
  it('the same seed gives the same trace, byte for byte', () => {
    // 16 kills a node for good (a home: its job is re-homed); 25 a zombie that reconnects and
    // applies its own death; 19 and 23 a home as a zombie whose jobs are re-homed (23's learns
    // of its death, 19's never does).
    for (const seed of [7, 50, 123, 16, 25, 19, 23]) {
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
