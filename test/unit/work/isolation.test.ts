// The handler pool (src/work/isolation): --handlers modules run in worker threads or child
// processes; ctx crosses the boundary; a task that outlives its abort has its worker killed,
// a synchronous loop included, and a worker that dies fails its task and is replaced.
// The workers run the compiled script in dist/, so `npm run build` comes first.
import { writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { WorkError } from '../../../src/work/errors.js'
import type { TaskContext } from '../../../src/work/executors.js'
import { HandlerPool, closeHandlers, isIsolated, loadIsolatedHandlers, poolsOf, type IsolationMode } from '../../../src/work/isolation/index.js'
import { childTaskId, makeTask, type Task } from '../../../src/work/spec.js'
import { tempDir } from '../../temp-dir.js'
import { until } from '../../until.js'

const FIXTURES = resolve(fileURLToPath(import.meta.url), '../../../fixtures')
const SPIN = join(FIXTURES, 'spin.mjs')
const HANDLERS = join(FIXTURES, 'handlers.mjs')

interface FakeContext extends TaskContext {
  controller: AbortController
  children: Task[]
  progressed: unknown[]
}

/** A context like the shell's: spawn builds the child task (and so may throw), progress records. */
function context (taskId = 'J/0'): FakeContext {
  const controller = new AbortController()
  const children: Task[] = []
  const progressed: unknown[] = []
  return {
    taskId,
    jobId: 'J',
    attempt: 2,
    node: 'self',
    signal: controller.signal,
    controller,
    children,
    progressed,
    spawn: (type, payload, options = {}) => {
      if (type === 'cmd') throw new WorkError('BAD_JOB', 'no cmd')
      const id = childTaskId(taskId, children.length)
      children.push(makeTask(id, 'J', 'home', { ...options, type, payload }))
      return id
    },
    progress: value => { progressed.push(value) }
  }
}

const pools: HandlerPool[] = []
afterEach(async () => {
  await Promise.all(pools.splice(0).map(async p => { await p.close() }))
})

async function pool (mode: Exclude<IsolationMode, 'none'>, size = 2, modules = [SPIN, HANDLERS]): Promise<HandlerPool> {
  const p = new HandlerPool({ mode, modules, size })
  pools.push(p)
  await p.start()
  return p
}

describe.each(['worker', 'process'] as const)('a %s pool', mode => {
  it('reports the handler names of every module when it starts', async () => {
    const p = new HandlerPool({ mode, modules: [SPIN, HANDLERS], size: 1 })
    pools.push(p)
    const names = await p.start()
    expect(names).toEqual(expect.arrayContaining(['spin', 'same', 'parent', 'nap', 'split']))
    expect(p.size).toBe(1)
  })

  it('returns a handler\'s result as the JSON it encodes to', async () => {
    const p = await pool(mode)
    expect(await p.run('same', { a: [1, 'x'], d: null }, context())).toEqual({ a: [1, 'x'], d: null })
  })

  it('gives the handler its task id, job id, attempt and node', async () => {
    const p = await pool(mode)
    expect(await p.run('parent', { n: 0 }, context('J/7'))).toMatchObject({ taskId: 'J/7', jobId: 'J', attempt: 2, node: 'self' })
  })

  it('spawns children through ctx.spawn with the deterministic ids, returned at once', async () => {
    const p = await pool(mode)
    const ctx = context()
    const result = await p.run('parent', { n: 3 }, ctx) as { ids: string[] }
    expect(result.ids).toEqual(['J/0.0', 'J/0.1', 'J/0.2'])
    expect(ctx.children.map(c => [c.id, c.type, JSON.parse(c.payload), c.priority])).toEqual([
      ['J/0.0', 'same', { i: 0 }, 1], ['J/0.1', 'same', { i: 1 }, 1], ['J/0.2', 'same', { i: 2 }, 1]
    ])
  })

  it('refuses a spawned shell command inside the handler, as in-process', async () => {
    const p = await pool(mode)
    const ctx = context()
    await expect(p.run('sneaky', {}, ctx)).rejects.toThrow(/cannot spawn shell-command/)
    expect(ctx.children).toEqual([])
  })

  it('forwards progress reports in order', async () => {
    const p = await pool(mode)
    const ctx = context()
    await p.run('parent', { n: 1 }, ctx)
    expect(ctx.progressed).toEqual([0.25, { at: 'end' }])
  })

  it('fails with the handler\'s error message', async () => {
    const p = await pool(mode)
    await expect(p.run('fail', { why: 'because' }, context())).rejects.toThrow('failed: because')
    await expect(p.run('boom', {}, context())).rejects.toThrow('boom: no reason')
  })

  it('fails a result JSON cannot encode', async () => {
    const p = await pool(mode)
    await expect(p.run('bigint', {}, context())).rejects.toThrow(/not JSON-serialisable/)
  })

  it('fails a task whose handler does not exist', async () => {
    const p = await pool(mode)
    await expect(p.run('nope', {}, context())).rejects.toThrow('no handler "nope" on this node')
  })

  it('kills a busy-looping handler soon after its abort, and runs the next task in a fresh worker', async () => {
    const p = new HandlerPool({ mode, modules: [SPIN], size: 1, abortGraceMs: 100 })
    pools.push(p)
    await p.start()
    const ctx = context()
    // It would spin for ten minutes, far past the test's timeout: it ends only by the kill.
    const running = p.run('spin', { ms: 600_000 }, ctx)
    setTimeout(() => { ctx.controller.abort(new Error('timed out after 300 ms')) }, 300)
    await expect(running).rejects.toThrow('timed out after 300 ms')
    // The main thread was free all along (the timer fired), and the worker is killed.
    await until('the spinning worker to be killed', () => p.counters.killed === 1)
    expect(await p.run('same', 'next', context())).toBe('next')
    expect(p.counters.started).toBe(2)
    expect(p.size).toBe(1)
  })

  it('lets a handler that honours its abort return, and keeps its worker', async () => {
    const p = await pool(mode, 1)
    const ctx = context()
    const running = p.run('polite', {}, ctx)
    setTimeout(() => { ctx.controller.abort(new Error('job cancelled')) }, 50)
    await expect(running).rejects.toThrow('job cancelled')
    // Back in the pool once it has returned, within its grace.
    await until('the polite worker back in the pool', () => p.size === 1)
    expect(await p.run('same', 1, context())).toBe(1)
    expect(p.counters).toEqual({ started: 1, killed: 0, crashed: 0 })
  })

  it('fails the task of a worker that dies, and replaces the worker', async () => {
    const p = await pool(mode, 1)
    await expect(p.run('die', {}, context())).rejects.toThrow(/handler worker died while running the task: exit code 3/)
    expect(p.counters.crashed).toBe(1)
    expect(await p.run('same', 'after', context())).toBe('after')
    expect(p.counters.started).toBe(2)
  })

  it('runs up to its size at once and queues the rest', async () => {
    const p = await pool(mode, 2)
    const t0 = Date.now()
    await Promise.all([1, 2, 3, 4].map(async () => await p.run('nap', { ms: 300 }, context())))
    const took = Date.now() - t0
    expect(took).toBeGreaterThanOrEqual(590)
    expect(p.counters.started).toBe(2)
  })

  it('counts the workers still starting (what --concurrency auto waits for)', async () => {
    const p = await pool(mode, 3)
    expect(p.starting).toBe(0)
    // Naps past the test's timeout: no worker frees itself for the queue, however slowly
    // workers start on a loaded machine.
    const runs = [1, 2, 3].map(async () => await p.run('nap', { ms: 600_000 }, context()).catch((e: unknown) => e))
    // One worker was ready and runs the first; the others wait a start's cost, then get
    // workers: no more starting at once than are busy.
    expect(p.starting).toBe(0)
    await until('one worker starting', () => p.starting === 1)
    await until('all three workers ready', () => p.size === 3 && p.starting === 0)
    expect(p.counters.started).toBe(3)
    await p.close()
    for (const r of await Promise.all(runs)) expect(r).toMatchObject({ code: 'STOPPING' })
  })

  it('does not start a worker per task for a burst of short ones: they queue behind the busy ones', async () => {
    const p = await pool(mode, 16)
    await p.run('same', 0, context())
    const results = await Promise.all(Array.from({ length: 40 }, async (_, i) => await p.run('same', i, context(`J/${i}`))))
    expect(results).toEqual(Array.from({ length: 40 }, (_, i) => i))
    // Before, all 16 started at once (one per queued task).
    expect(p.counters.started).toBeLessThan(16)
  })

  it('reaches its size for long tasks', async () => {
    // Naps far longer than any start, however loaded the machine: by the rent-or-buy rule a
    // 400 ms nap could end before a start that takes longer, and rightly start no more.
    const p = await pool(mode, 4)
    const naps = Array.from({ length: 8 }, async () => await p.run('nap', { ms: 600_000 }, context()).catch((e: unknown) => e))
    await until('four workers started', () => p.counters.started === 4 && p.size === 4 && p.starting === 0)
    await p.close()
    for (const r of await Promise.all(naps)) expect(r).toMatchObject({ code: 'STOPPING' })
    expect(p.counters.started).toBe(4)
  })

  it('starts no worker while the node\'s cores are full: the queue waits for the busy one', async () => {
    // The same tasks as above reach the pool's size (4 workers) with CPU to spare.
    const p = new HandlerPool({ mode, modules: [SPIN, HANDLERS], size: 4, cpuFull: () => true })
    pools.push(p)
    await p.start()
    await Promise.all(Array.from({ length: 6 }, async () => await p.run('nap', { ms: 100 }, context())))
    expect(p.counters.started).toBe(1)
  })

  it('with the cores full, starts workers for a queue whose head has waited a second (a busy worker stuck on something else)', async () => {
    // Naps far longer than the test: no worker frees itself for the queue, so only the
    // head's wait can start the others (however slowly workers start on a loaded machine).
    const p = new HandlerPool({ mode, modules: [SPIN, HANDLERS], size: 3, cpuFull: () => true })
    pools.push(p)
    await p.start()
    const naps = Array.from({ length: 3 }, async () => await p.run('nap', { ms: 600_000 }, context()).catch((e: unknown) => e))
    await until('three workers started', () => p.counters.started === 3)
    await until('all three naps running', () => p.size === 3 && p.starting === 0)
    await p.close()
    for (const r of await Promise.all(naps)) expect(r).toMatchObject({ code: 'STOPPING' })
  })

  it('fails running and queued tasks with STOPPING when closed, and kills its workers', async () => {
    const p = await pool(mode, 1)
    // The spin would outlast the test's timeout: close returns only by killing its worker.
    const a = p.run('spin', { ms: 600_000 }, context()).catch((e: unknown) => e)
    const b = p.run('same', 1, context()).catch((e: unknown) => e)
    await new Promise(resolve => setTimeout(resolve, 100))
    await p.close()
    expect(await a).toMatchObject({ code: 'STOPPING' })
    expect(await b).toMatchObject({ code: 'STOPPING' })
    expect(p.size).toBe(0)
  })

  /** A pool (not started) of one module written from `source` to a fresh directory. */
  async function poolOfModule (source: string, size: number): Promise<{ p: HandlerPool, path: string }> {
    const path = join(tempDir('iso'), 'module.mjs')
    await writeFile(path, source)
    const p = new HandlerPool({ mode, modules: [path], size })
    pools.push(p)
    return { p, path }
  }

  it('fails to start on a module that cannot be loaded, naming it', async () => {
    const { p } = await poolOfModule('export default { "x y": () => 1 }\n', 1)
    const err = await p.start().then(() => undefined, (e: unknown) => e)
    expect(err).toBeInstanceOf(WorkError)
    expect(err).toMatchObject({ code: 'BAD_HANDLERS' })
    expect((err as Error).message).toContain('handler name "x y"')
  })

  it('fails the task a later worker was started for when that worker cannot load the modules, and starts no more for it', async () => {
    const { p, path: mod } = await poolOfModule('export default { nap: ({ ms }) => new Promise(resolve => setTimeout(() => resolve(ms), ms)), same: x => x }\n', 2)
    await p.start()
    // The first worker naps past the test's timeout, so only a new worker can take the next
    // task, however long a start takes on a loaded machine.
    const long = p.run('nap', { ms: 600_000 }, context()).catch((e: unknown) => e)
    await writeFile(mod, 'throw new Error("broken now")\n')
    const err = await p.run('same', 1, context()).then(() => undefined, (e: unknown) => e)
    expect(err).toMatchObject({ code: 'BAD_HANDLERS' })
    expect((err as Error).message).toContain('broken now')
    expect(p.counters.started).toBe(2)
    // The worker that loaded the modules before they broke keeps its task.
    expect(p.size).toBe(1)
    await p.close()
    expect(await long).toMatchObject({ code: 'STOPPING' })
  })
})

describe('loadIsolatedHandlers', () => {
  it('gives pooled stand-ins for module handlers, closed with closeHandlers', async () => {
    const handlers = await loadIsolatedHandlers([SPIN], { isolation: 'worker', size: 1 })
    expect(isIsolated(handlers.same)).toBe(true)
    expect(await handlers.same!('x', context())).toBe('x')
    const [p] = poolsOf(handlers)
    await closeHandlers(handlers)
    expect(p!.size).toBe(0)
  })

  it('imports the modules in-process with isolation none', async () => {
    const handlers = await loadIsolatedHandlers([SPIN], { isolation: 'none', size: 1 })
    expect(isIsolated(handlers.same)).toBe(false)
    expect(handlers.same!('x', context())).toBe('x')
  })
})
