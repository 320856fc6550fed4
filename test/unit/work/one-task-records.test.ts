// A one-task job's root task and outcome kept inside its job record (StoredJob in
// src/work/records.ts): the work core driven by hand on a fake clock over a real WorkStore
// on LevelDB, restarted from what that store loads.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { mulberry32 } from '../../../src/prng.js'
import { Store } from '../../../src/node/store/store.js'
import { WorkStore } from '../../../src/node/store/work-store.js'
import { WorkCore, type AttemptEnd, type Ready, type WorkCoreConfig } from '../../../src/work/core.js'
import type { WorkWrite } from '../../../src/work/records.js'
import type { JobInput } from '../../../src/work/spec.js'
import { FakeRegistry } from './fake-registry.js'

const CFG: WorkCoreConfig = { self: 'A', incarnation: 1, concurrency: 1, capabilities: ['handler:echo'], rng: mulberry32(7) }
const ok: AttemptEnd = { ok: true, result: '"done"', children: [], durationMs: 5, stoppedByNode: false }

let dir: string
let store: Store
let work: WorkStore
let written: WorkWrite[]

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mn-one-task-'))
  store = await Store.open(dir)
  work = new WorkStore(store, 'A')
  written = []
})

afterEach(async () => {
  await store.close()
  await rm(dir, { recursive: true, force: true })
})

/** ready(), its writes made durable in the store, then advance(). */
async function commit (core: WorkCore): Promise<Ready> {
  const rd = core.ready()
  written.push(...rd.writes)
  work.apply(rd.writes)
  await work.flush()
  if (rd.seq > 0) core.advance(rd.seq)
  return rd
}

/** Submits and registers; returns the job ids and what started. */
async function submit (core: WorkCore, reg: FakeRegistry, inputs: JobInput[], now: number): Promise<{ ids: string[], started: string[] }> {
  const ticket = core.submit(inputs, now)
  const rd = await commit(core)
  for (const r of rd.register) for (const [id, e] of r.entries) reg.jobs.set(id, e)
  core.registered(ticket.id, undefined, now)
  const after = await commit(core)
  return { ids: ticket.jobs.map(j => j.id), started: after.start.map(t => t.id) }
}

/** What the store holds under its own keys, as `bucket/key`. */
async function keys (): Promise<string[]> {
  const out: string[] = []
  for (const b of ['jobs', 'tasks', 'results'] as const) {
    for await (const k of store.sublevel(b).keys()) out.push(`${b}/${k as string}`)
  }
  return out
}

describe('a one-task job kept inside its job record', () => {
  it('costs two writes at its home: the record with the task at registration, the final record with the outcome', async () => {
    const reg = new FakeRegistry()
    const core = WorkCore.create(CFG, reg, 1000)
    const { ids: [jobId], started } = await submit(core, reg, [{ tasks: [{ type: 'echo' }] }], 1000)
    expect(started).toEqual([`${jobId}/0`])
    core.taskFinished(`${jobId}/0`, ok, 1005)
    await commit(core)
    // Reported finished once its final record is durable (the ready after).
    expect((await commit(core)).finished.map(j => j.state)).toEqual(['completed'])
    expect(written.map(w => `${w.type} ${w.bucket}${w.task != null ? ' +task' : ''}${w.outcome != null ? ' +outcome' : ''}`)).toEqual(['put jobs +task', 'put jobs +outcome'])
    expect(await keys()).toEqual([`jobs/${jobId!}`])
    expect(await work.job(jobId!)).toMatchObject({ state: 'completed', done: 1 })
    expect(await work.result(`${jobId!}/0`)).toMatchObject({ ok: true, result: '"done"', node: 'A' })
    expect(await work.jobResults(jobId!, 10)).toHaveLength(1)
  })

  it('is held again from its record after a crash, runs, and completes', async () => {
    const reg = new FakeRegistry()
    const core = WorkCore.create(CFG, reg, 1000)
    const { ids: [jobId], started } = await submit(core, reg, [{ tasks: [{ type: 'echo' }] }], 1000)
    expect(started).toEqual([`${jobId}/0`])
    // Crash while it runs: nothing more is written.
    const loaded = await new WorkStore(store, 'A').loadForCore()
    expect(loaded.tasks.map(t => t.task.id)).toEqual([`${jobId}/0`])
    expect(loaded.inRecord).toEqual([`${jobId}/0`])
    const again = WorkCore.restore(CFG, loaded, reg, 2000)
    const rd = await commit(again)
    expect(rd.start.map(t => t.id)).toEqual([`${jobId}/0`])
    again.taskFinished(`${jobId}/0`, ok, 2005)
    await commit(again)
    expect((await commit(again)).finished.map(j => j.id)).toEqual([jobId])
    expect(await keys()).toEqual([`jobs/${jobId!}`])
    expect(await work.result(`${jobId!}/0`)).toMatchObject({ ok: true })
    // Nothing is held after a second restart.
    expect((await new WorkStore(store, 'A').loadForCore()).tasks).toEqual([])
  })

  it('leaves the record when it is lent: written under its own key, the record rewritten without it in the same ready', async () => {
    const reg = new FakeRegistry()
    const core = WorkCore.create(CFG, reg, 1000)
    const { ids } = await submit(core, reg, Array.from({ length: 8 }, () => ({ tasks: [{ type: 'echo' }] })), 1000)
    written = []
    core.request('B', 1, { op: 'steal', capabilities: ['handler:echo'], want: 4 }, 1001)
    await commit(core)
    // The last job's task is among those lent (a steal takes from the back of the queue).
    const second = ids[ids.length - 1]
    const mine = written.filter(w => w.key.startsWith(second!))
    expect(mine.map(w => `${w.type} ${w.bucket} ${w.key}${w.task != null ? ' +task' : ''}`)).toEqual([`put tasks ${second!}/0`, `put jobs ${second!}`])
    const loaded = await new WorkStore(store, 'A').loadForCore()
    expect(loaded.tasks.find(t => t.task.id === `${second!}/0`)).toMatchObject({ state: 'delegated', to: 'B' })
    expect(loaded.inRecord).not.toContain(`${second!}/0`)
    expect(loaded.inRecord).toContain(`${ids[1]!}/0`)
    expect(loaded.rewrite).toEqual([])
  })

  it('a task with children or a job of several tasks writes its tasks and outcomes under their own keys', async () => {
    const reg = new FakeRegistry()
    const core = WorkCore.create({ ...CFG, concurrency: 2 }, reg, 1000)
    const { ids: [jobId], started } = await submit(core, reg, [{ tasks: [{ type: 'echo' }, { type: 'echo' }] }], 1000)
    expect(written.filter(w => w.task != null)).toEqual([])
    expect(await keys()).toEqual([`jobs/${jobId!}`, `tasks/${jobId!}/0`, `tasks/${jobId!}/1`])
    for (const id of started) core.taskFinished(id, ok, 1005)
    await commit(core)
    expect(written.filter(w => w.outcome != null)).toEqual([])
    expect(await keys()).toEqual([`jobs/${jobId!}`, `results/${jobId!}/0`, `results/${jobId!}/1`])
  })
})
