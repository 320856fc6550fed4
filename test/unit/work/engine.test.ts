// The work engine end to end on real LevelDB files, several engines over an in-memory
// network (see harness.ts): jobs complete with every result recorded once, failures retry
// and then fail with the error kept, work is stolen across nodes and only by capable ones,
// cancel reaches every node, and restarts and lost messages lose nothing.
import { afterEach, describe, expect, it } from 'vitest'
import type { TaskContext } from '../../../src/work/executors.js'
import { Mesh } from './harness.js'
import { workRequest } from '../../../src/wire/work-codec.js'

let mesh: Mesh
afterEach(async () => { await mesh?.close() })

const sleepy = { nap: async (p: { ms: number }) => { await new Promise(resolve => setTimeout(resolve, p.ms)); return p.ms } }

/** Spawns a full binary tree of the given depth: 2^(depth+1) - 1 tasks in all. */
const tree = {
  tree: (p: { depth: number }, ctx: TaskContext) => {
    if (p.depth > 0) {
      ctx.spawn('tree', { depth: p.depth - 1 })
      ctx.spawn('tree', { depth: p.depth - 1 })
    }
    return ctx.taskId
  }
}

async function allResults (m: Mesh, home: string, jobId: string): Promise<string[]> {
  const ids: string[] = []
  let after = ''
  for (;;) {
    const page = await m.engine(home).results(jobId, 1000, after)
    ids.push(...page.map(o => o.taskId))
    if (page.length < 1000) return ids
    after = page[page.length - 1]!.taskId
  }
}

describe('work engine on one node', () => {
  it('runs a one-task job and keeps its result', async () => {
    mesh = new Mesh()
    const a = await mesh.add({ id: 'A' })
    const [job] = await a.submit([{ tasks: [{ type: 'echo', payload: { x: 1 } }] }])
    const done = await mesh.waitFinal('A', job!.id)
    expect(done).toMatchObject({ state: 'completed', done: 1, total: 1, failed: 0 })
    expect((await a.job(job!.id))?.result).toEqual({ x: 1 })
    expect(mesh.registry.entry(job!.id)?.state).toBe('completed')
  })

  it('counts a spawned tree and records every task once', async () => {
    mesh = new Mesh()
    const a = await mesh.add({ id: 'A', handlers: tree })
    const [job] = await a.submit([{ tasks: [{ type: 'tree', payload: { depth: 8 } }] }])
    const done = await mesh.waitFinal('A', job!.id)
    expect(done).toMatchObject({ state: 'completed', total: 511, done: 511 })
    const ids = await allResults(mesh, 'A', job!.id)
    expect(new Set(ids).size).toBe(511)
  })

  it('retries a failing task, then fails the job with the error kept', async () => {
    mesh = new Mesh()
    const tries = new Map<string, number>()
    const a = await mesh.add({
      id: 'A',
      handlers: {
        flaky: (_p: unknown, ctx: TaskContext) => {
          const n = (tries.get(ctx.taskId) ?? 0) + 1
          tries.set(ctx.taskId, n)
          if (n < 3) throw new Error(`flake ${n}`)
          return n
        },
        broken: () => { throw new Error('always broken') }
      }
    })
    const [ok] = await a.submit([{ tasks: [{ type: 'flaky' }], attempts: 3 }])
    expect(await mesh.waitFinal('A', ok!.id)).toMatchObject({ state: 'completed', failed: 0 })
    const [bad] = await a.submit([{ tasks: [{ type: 'broken', attempts: 2 }] }])
    const failed = await mesh.waitFinal('A', bad!.id)
    expect(failed.state).toBe('failed')
    expect(failed.error).toContain('always broken')
    const [outcome] = await a.results(bad!.id, 10)
    expect(outcome).toMatchObject({ ok: false, attempts: 2 })
  })

  it('times out a handler that hangs and counts it as orphaned', async () => {
    mesh = new Mesh()
    const a = await mesh.add({ id: 'A', handlers: { hang: async () => await new Promise(() => {}) } })
    const [job] = await a.submit([{ tasks: [{ type: 'hang', timeoutMs: 30, attempts: 1 }] }])
    const done = await mesh.waitFinal('A', job!.id)
    expect(done.state).toBe('failed')
    expect(done.error).toContain('timed out after 30 ms')
    expect(a.counters.orphanedHandlers).toBe(1)
  })

  it('times out an attempt whose timeout is earlier than one already running, each at its own time', async () => {
    mesh = new Mesh()
    const a = await mesh.add({ id: 'A', concurrency: 2, handlers: { hang: async () => await new Promise(() => {}) } })
    const [slow] = await a.submit([{ tasks: [{ type: 'hang', timeoutMs: 60_000, attempts: 1 }] }])
    const [quick] = await a.submit([{ tasks: [{ type: 'hang', timeoutMs: 40, attempts: 1 }] }])
    const done = await mesh.waitFinal('A', quick!.id)
    expect(done.error).toContain('timed out after 40 ms')
    expect((await a.job(slow!.id))?.state).toBe('running')
  })

  it('tells its listeners of an attempt killed at its timeout, and not of one that failed otherwise', async () => {
    mesh = new Mesh()
    const a = await mesh.add({ id: 'A', handlers: { hang: async () => await new Promise(() => {}), bad: () => { throw new Error('no') } } })
    const timedOut: string[] = []
    const failed: string[] = []
    a.onTaskTimeout.push(t => { timedOut.push(t.type) })
    a.onTaskFailed.push(t => { failed.push(t.type) })
    const [job] = await a.submit([{ tasks: [{ type: 'hang', timeoutMs: 30, attempts: 1 }, { type: 'bad', attempts: 1 }] }])
    await mesh.waitFinal('A', job!.id)
    expect(timedOut).toEqual(['hang'])
    expect(failed.sort()).toEqual(['bad', 'hang'])
  })

  it('refuses a job no node can run and writes nothing', async () => {
    mesh = new Mesh()
    const a = await mesh.add({ id: 'A' })
    await expect(a.submit([{ tasks: [{ type: 'nosuch' }] }])).rejects.toMatchObject({ code: 'NO_CAPABLE_NODE' })
    await expect(a.submit([{ tasks: [{ type: 'cmd', payload: { cmd: 'true' } }] }])).rejects.toThrow(/--allow-commands/)
    expect(a.jobs.activeJobs()).toHaveLength(0)
    expect(mesh.registry.jobs.size).toBe(0)
  })

  it('leaves nothing behind when the registration fails', async () => {
    mesh = new Mesh()
    const a = await mesh.add({ id: 'A' })
    mesh.registry.failNext = 1
    await expect(a.submit([{ tasks: [{ type: 'echo' }] }])).rejects.toMatchObject({ code: 'NOT_REGISTERED' })
    expect(a.stats()).toMatchObject({ queued: 0, activeJobs: 0 })
    await mesh.restart('A')
    expect(mesh.engine('A').stats()).toMatchObject({ queued: 0, activeJobs: 0 })
  })

  it('runs higher-priority jobs first', async () => {
    mesh = new Mesh()
    const order: number[] = []
    const a = await mesh.add({ id: 'A', concurrency: 1, handlers: { note: (p: number) => { order.push(p) } } })
    // The first task occupies the only slot while the rest queue up.
    const [blocker] = await a.submit([{ tasks: [{ type: 'sleep', payload: { ms: 50 } }] }])
    const [low] = await a.submit([{ tasks: [{ type: 'note', payload: 1 }], priority: -5 }])
    const [high] = await a.submit([{ tasks: [{ type: 'note', payload: 2 }], priority: 5 }])
    for (const j of [blocker, low, high]) await mesh.waitFinal('A', j!.id)
    expect(order).toEqual([2, 1])
  })
})

describe('work engine across nodes', () => {
  it('spreads a wide job over three nodes by stealing; every result recorded once', async () => {
    mesh = new Mesh()
    const a = await mesh.add({ id: 'A', handlers: sleepy })
    await mesh.add({ id: 'B', handlers: sleepy })
    await mesh.add({ id: 'C', handlers: sleepy })
    const tasks = Array.from({ length: 600 }, () => ({ type: 'nap', payload: { ms: 2 } }))
    const [job] = await a.submit([{ tasks }])
    const done = await mesh.waitFinal('A', job!.id)
    expect(done).toMatchObject({ state: 'completed', done: 600, total: 600 })
    expect(Object.keys(done.byNode).sort()).toEqual(['A', 'B', 'C'])
    expect(new Set(await allResults(mesh, 'A', job!.id)).size).toBe(600)
  })

  it('only lends a task to a node with the capabilities it requires', async () => {
    mesh = new Mesh()
    const a = await mesh.add({ id: 'A' })
    await mesh.add({ id: 'B' })
    await mesh.add({ id: 'C', capabilities: ['gpu'] })
    const [job] = await a.submit([{ tasks: Array.from({ length: 50 }, () => ({ type: 'echo', requires: ['gpu'] })) }])
    const done = await mesh.waitFinal('A', job!.id)
    expect(done.byNode).toEqual({ C: 50 })
  })

  it('shows at the home the progress of a task running elsewhere', async () => {
    mesh = new Mesh()
    let release!: () => void
    const gate = new Promise<void>(resolve => { release = resolve })
    const slow = {
      slow: async (_p: unknown, ctx: TaskContext) => {
        ctx.progress({ done: 1, of: 2 })
        await gate
        return 'ok'
      }
    }
    const a = await mesh.add({ id: 'A', handlers: slow })
    await mesh.add({ id: 'B', handlers: slow, capabilities: ['gpu'] })
    const [job] = await a.submit([{ tasks: [{ type: 'slow', requires: ['gpu'] }] }])
    const deadline = Date.now() + 10_000
    let seen: Array<{ node: string, progress?: unknown }> = []
    while (Date.now() < deadline) {
      seen = a.runningTasks(job!.id)
      if (seen.length > 0) break
      await new Promise(resolve => setTimeout(resolve, 20))
    }
    expect(seen).toEqual([{ taskId: `${job!.id}/0`, node: 'B', progress: { done: 1, of: 2 } }])
    release()
    await mesh.waitFinal('A', job!.id)
    expect(a.runningTasks(job!.id)).toEqual([])
  })

  it('cancels a job on every node', async () => {
    mesh = new Mesh()
    const a = await mesh.add({ id: 'A' })
    await mesh.add({ id: 'B' })
    const [job] = await a.submit([{ tasks: Array.from({ length: 200 }, () => ({ type: 'sleep', payload: { ms: 20 } })) }])
    await new Promise(resolve => setTimeout(resolve, 100))
    await mesh.registry.register([[job!.id, { ...mesh.registry.entry(job!.id)!, state: 'cancelled' }]])
    for (const id of ['A', 'B']) mesh.engine(id).cancelJob(job!.id)
    const done = await mesh.waitFinal('A', job!.id)
    expect(done.state).toBe('cancelled')
    expect(done.done).toBeLessThan(200)
  })

  it('finishes a job when a thief and then the home restart mid-job', async () => {
    mesh = new Mesh()
    const a = await mesh.add({ id: 'A', handlers: sleepy })
    await mesh.add({ id: 'B', handlers: sleepy })
    await mesh.add({ id: 'C', handlers: sleepy })
    const [job] = await a.submit([{ tasks: Array.from({ length: 400 }, () => ({ type: 'nap', payload: { ms: 3 } })) }])
    await new Promise(resolve => setTimeout(resolve, 80))
    await mesh.restart('B')
    await new Promise(resolve => setTimeout(resolve, 80))
    await mesh.restart('A')
    const done = await mesh.waitFinal('A', job!.id)
    expect(done).toMatchObject({ state: 'completed', done: 400, total: 400 })
    expect(new Set(await allResults(mesh, 'A', job!.id)).size).toBe(400)
  })

  // Random loss of requests and responses (grants, deliveries, signals, results) and random
  // delays: re-sent batches and results recover everything, and nothing completes early.
  it.each(Array.from({ length: 12 }, (_, i) => i + 1))('survives lost and delayed messages (seed %i)', async seed => {
    mesh = new Mesh(seed)
    mesh.faults = { dropRequest: 0.15, dropResponse: 0.15, maxDelayMs: 3 }
    const slowTree = {
      tree: async (p: { depth: number }, ctx: TaskContext) => {
        await new Promise(resolve => setTimeout(resolve, 1))
        return tree.tree(p, ctx)
      }
    }
    const a = await mesh.add({ id: 'A', handlers: slowTree })
    await mesh.add({ id: 'B', handlers: slowTree })
    await mesh.add({ id: 'C', handlers: slowTree })
    const [job] = await a.submit([{ tasks: [{ type: 'tree', payload: { depth: 7 } }] }])
    const done = await mesh.waitFinal('A', job!.id)
    expect(done).toMatchObject({ state: 'completed', total: 255, done: 255 })
    expect(new Set(await allResults(mesh, 'A', job!.id)).size).toBe(255)
    expect(Object.keys(done.byNode).length).toBeGreaterThan(1)
  })

  it('rejects malformed tasks from a peer and acknowledges results it cannot place', async () => {
    mesh = new Mesh()
    const a = await mesh.add({ id: 'A' })
    const bad = await a.handle('X', workRequest('deliver', {
      batches: [{ jobId: 'j1', batchId: 'b1', tasks: [{ id: 'other/0', jobId: 'j1', type: 'echo', payload: new TextEncoder().encode('{}'), requires: [], maxAttempts: 1, attempts: 0, timeoutMs: 0, priority: 0, home: 'X', failures: [] }] }]
    }))
    expect(bad).toMatchObject({ ok: true, accepted: 0 })
    expect(a.counters.rejectedMessages).toBe(1)
    const res = await a.handle('X', workRequest('results', { results: [{ jobId: 'nope', taskId: 'nope/0', ok: true, result: new Uint8Array(), error: '', spawned: 0, attempts: 1, finishedAtMs: 0n, cancelled: false, failures: [] }] }))
    expect(res.ok).toBe(true)
    expect((await a.handle('X', workRequest('bogus'))).ok).toBe(false)
  })
})
