// The deterministic work simulator (./sim.ts) over many seeds: every seed draws its own mesh
// (2–5 nodes, 1–4 slots each), jobs, fault rates, crashes, partitions and cancels, and the
// invariants of ./checkers.ts run after every event. A failure names its seed:
// MESHNODE_SIM_SEED=N replays exactly that run (MESHNODE_SIM_TRACE=1 prints its whole trace),
// MESHNODE_SIM_SEEDS=K runs seeds 1..K.
import { afterAll, describe, expect, it } from 'vitest'
import { fullTraceFromEnv, seedsFromEnv } from '../completion/seeds.js'
import { runSeed, type SimResult } from './sim.js'

const DEFAULT_SEEDS = 2000

/**
 * Seeds that hit a known, unfixed bug of the work core (see the simulator's report on branch
 * work-sim). They are checked apart from the seed loop and must still fail exactly so: when
 * the core is fixed that check fails, and the seed comes off the list.
 *
 * TASK BOUNCES BACK (seed 3049; seed 352 at commit 029de78): a node lends task T (home N1
 * lends T to N0 in batch N1:3.4), and T comes back to it in another grant (N0:1.2). The core keeps one record per task id (`tasks`, and
 * the `tasks/<id>` key on disk), so receiving T overwrites N1's `delegated` record with a
 * `queued` one, and running T deletes it. The Dijkstra–Scholten ledger still has N1:3.4,
 * but after N1 restarts, LentBatches is rebuilt from the task records only, so N1:3.4 is
 * never re-sent; N0's one signal for it was lost in a partition, and N0 only signals again
 * when the batch is re-sent. The home's deficit stays 1 with every outcome recorded: the
 * job never finishes (done=45 total=45, "running" 40 s after faults stopped).
 *
 * The same bug is usually harmless (before a restart the re-send is rebuilt from memory), so
 * the invariant that shows it at once — every unsignalled batch in a node's ledger is held
 * there as `delegated` in that batch — is recorded as a notice, not a failure, until it is
 * fixed: about 8% of seeds breach it (first: seed 463), and the seed loop reports how many.
 * A signal for the batch has the same root: it drops the task record, which may now be the
 * bounced-back copy still waiting in the queue, so a crash then loses that task from disk.
 *
 * Found and fixed on work-core (8ab8fe4): a retry lent while the DS core counts it running
 * (TASK_NOT_PENDING thrown out of request(); seeds 56, 68, 75, ... at 7be8965's parameters),
 * and a home that missed a cancel reporting the job completed with tasks never run.
 */
const KNOWN_CORE_BUGS: Record<number, { kind: string, detail: string, notice?: boolean }> = {
  463: { kind: 'lent work recoverable', detail: 'after a restart the batch cannot be re-sent', notice: true },
  3049: { kind: 'liveness', detail: 'not finished' }
}
const replaying = (process.env.MESHNODE_SIM_SEED ?? '') !== ''
const noticed: number[] = []
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
  afterAll(() => {
    if (noticed.length > 0) console.log(`work sim: ${noticed.length} of ${seeds.length} seeds breached the known-bug invariant "lent work recoverable" (e.g. MESHNODE_SIM_SEED=${noticed[0]})`)
  })
  for (let i = 0; i < seeds.length; i += CHUNK) {
    const chunk = seeds.slice(i, i + CHUNK)
    it(`seeds ${chunk[0]}..${chunk[chunk.length - 1]}`, () => {
      for (const seed of chunk) {
        const r = runSeed(seed, { keepTrace: fullTraceFromEnv() })
        if (!replaying && KNOWN_CORE_BUGS[seed]?.notice !== true && KNOWN_CORE_BUGS[seed] != null) continue
        if (r.notices.length > 0) noticed.push(seed)
        if (r.violations.length > 0) expect.fail(failure(r))
        // Every seed must have acknowledged at least one job... unless every submission was refused.
        expect(r.jobs.length, `MESHNODE_SIM_SEED=${seed}: jobs minted`).toBeGreaterThan(0)
      }
    })
  }
})

describe.skipIf(replaying)('known core bugs still reproduce', () => {
  for (const [seed, known] of Object.entries(KNOWN_CORE_BUGS)) {
    it(`MESHNODE_SIM_SEED=${seed}: ${known.kind}`, () => {
      const r = runSeed(Number(seed))
      const v = known.notice === true ? r.notices[0] : r.violations[0]
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
