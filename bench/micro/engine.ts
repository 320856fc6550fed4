// Engine-only throughput: one work shell and its WorkCore on a real LevelDB, an in-memory
// registry, no network. Separates the engine's and the store's cost from libp2p's and Raft's.
//   node dist/bench/micro/engine.js [many-jobs|one-job] [tasks]
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Store } from '../../src/node/store/store.js'
import { mulberry32 } from '../../src/prng.js'
import { WorkShell } from '../../src/node/services/work-shell.js'
import { BUILTIN_HANDLERS } from '../../src/work/executors.js'
import { WorkStore } from '../../src/node/store/work-store.js'
import type { JobEntry } from '../../src/consensus/control.js'

const mode = process.argv[2] ?? process.env.MODE ?? 'many-jobs'
const tasks = Number(process.argv[3] ?? 50_000)
const dir = await mkdtemp(join(tmpdir(), 'mn-micro-'))
const store = await Store.open(dir)
const registry = new Map<string, JobEntry>()
const engine = new WorkShell(new WorkStore(store, 'self'), { call: async () => { throw new Error('no peers') } }, {
  register: async (entries: Array<[string, JobEntry]>) => { for (const [id, e] of entries) registry.set(id, e) },
  entry: (id: string) => registry.get(id),
  isDead: () => false,
  // a mesh of one: a submit waits for no replica holders
  memberCount: () => 1
}, {
  self: 'self', incarnation: 1, concurrency: 64, capabilities: ['handler:echo'], handlers: BUILTIN_HANDLERS, allowCommands: false,
  peers: () => [], rng: mulberry32(1), now: Date.now, log: { info: () => {}, warn: () => {}, debug: () => {} }
})
await engine.start()
let finished = 0
const done = new Promise<void>(resolve => engine.jobs.onFinished.push(() => { if (++finished === (mode === 'one-job' ? 1 : tasks)) resolve() }))
const t0 = performance.now()
const cpu0 = process.cpuUsage()
if (mode === 'one-job') {
  await engine.submit([{ tasks: Array.from({ length: tasks }, () => ({ type: 'echo' })) }])
} else {
  let next = 0
  await Promise.all(Array.from({ length: 4 }, async () => {
    while (next < tasks) {
      const n = Math.min(1000, tasks - next)
      next += n
      await engine.submit(Array.from({ length: n }, () => ({ tasks: [{ type: 'echo' }] })))
    }
  }))
}
const tSubmit = performance.now() - t0
await done
const el = performance.now() - t0
const cpu = process.cpuUsage(cpu0)
console.log(JSON.stringify({ mode, tasks, tasksPerSec: Math.round(tasks / (el / 1000)), submitMs: Math.round(tSubmit), elapsedMs: Math.round(el), cpuUserMs: Math.round(cpu.user / 1000), cpuSysMs: Math.round(cpu.system / 1000) }))
await engine.stop()
await store.close()
await rm(dir, { recursive: true, force: true })
