// Seeded runs of the real work engine (test/unit/work/harness.ts: engines on LevelDB, an
// in-memory network through the wire codec): random spawn trees, stealing between three or
// four nodes with random slot counts, random loss and delay of every kind of message, and in
// some seeds a node restarted mid-job. Every job must be detected complete exactly when its
// whole tree has finished: never early (the home's count of recorded outcomes equals the
// tree's true size, computed independently from the seed) and always (it finishes).
//
// This complements test/sim/completion, which runs the Dijkstra–Scholten core alone over
// thousands of seeds; here the engine's own wiring (lazy start, results before finish,
// re-sent batches, outbox) is what is under test. MESHNODE_SIM_SEEDS=K runs K seeds and
// MESHNODE_SIM_SEED=N replays one.
import { afterEach, describe, expect, it } from 'vitest'
import { mulberry32 } from '../../../src/prng.js'
import type { TaskContext } from '../../../src/work/executors.js'
import { Mesh } from '../../unit/work/harness.js'
import { seedsFromEnv } from '../completion/seeds.js'

const DEFAULT_SEEDS = 80
const MAX_DEPTH = 5

/** Children of the task at `path` (its id without the job id): a pure function of seed and path. */
function fanout (seed: number, path: string): number {
  let h = seed * 2654435761
  for (let i = 0; i < path.length; i++) h = Math.imul(h ^ path.charCodeAt(i), 16777619)
  const depth = path.split('.').length - 1
  return depth >= MAX_DEPTH ? 0 : (h >>> 0) % (depth === 0 ? 6 : 4)
}

function treeSize (seed: number, path = '0'): number {
  let n = 1
  for (let k = 0; k < fanout(seed, path); k++) n += treeSize(seed, `${path}.${k}`)
  return n
}

let mesh: Mesh | undefined
afterEach(async () => {
  await mesh?.close()
  mesh = undefined
})

describe('work engine under random trees, stealing, loss, delay and restarts', () => {
  for (const seed of seedsFromEnv(DEFAULT_SEEDS)) {
    it(`seed ${seed}`, async () => {
      const rng = mulberry32(seed)
      const m = mesh = new Mesh(seed)
      m.faults = { dropRequest: rng() * 0.2, dropResponse: rng() * 0.2, maxDelayMs: rng() * 4 }
      const handlers = {
        rtree: async (p: { seed: number }, ctx: TaskContext) => {
          // Some tasks take a moment, so queues build up and thieves find work.
          if (ctx.taskId.length % 3 === 0) await new Promise(resolve => setTimeout(resolve, 1))
          const path = ctx.taskId.slice(ctx.jobId.length + 1)
          for (let k = 0; k < fanout(p.seed, path); k++) ctx.spawn('rtree', p)
          return path
        }
      }
      const nodes = 3 + Math.floor(rng() * 2)
      for (let i = 0; i < nodes; i++) await m.add({ id: `N${i}`, concurrency: 1 + Math.floor(rng() * 4), handlers })
      const expected = treeSize(seed)
      let atFinish: number | undefined
      m.engine('N0').jobs.onFinished.push(j => { atFinish = j.done })
      const [job] = await m.engine('N0').submit([{ tasks: [{ type: 'rtree', payload: { seed } }] }])
      if (rng() < 0.3) {
        await new Promise(resolve => setTimeout(resolve, 5 + rng() * 20))
        await m.restart(`N${1 + Math.floor(rng() * (nodes - 1))}`)
      }
      const done = await m.waitFinal('N0', job!.id, 60_000)
      expect(done.state, `seed=${seed}`).toBe('completed')
      expect(done.total, `seed=${seed}: tree size`).toBe(expected)
      expect(done.done, `seed=${seed}: outcomes recorded`).toBe(expected)
      if (atFinish !== undefined) expect(atFinish, `seed=${seed}: outcomes when completion was reported`).toBe(expected)
      const ids = new Set<string>()
      let after = ''
      for (;;) {
        const page = await m.engine('N0').results(job!.id, 1000, after)
        for (const o of page) ids.add(o.taskId)
        if (page.length < 1000) break
        after = page[page.length - 1]!.taskId
      }
      expect(ids.size, `seed=${seed}: distinct results`).toBe(expected)
    })
  }
})
