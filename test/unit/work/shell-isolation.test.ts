// The work shell with pooled handlers (src/work/isolation): attempts of --handlers modules
// run in a worker thread; spawn and progress reach the engine; a handler that ignores its
// abort fails at its timeout and has its worker killed (never an orphan); stop kills the
// workers. One real LevelDB, no network; the workers run the build in dist/.
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import type { WorkShell } from '../../../src/node/services/work-shell.js'
import { BUILTIN_HANDLERS } from '../../../src/work/executors.js'
import { loadIsolatedHandlers, poolsOf } from '../../../src/work/isolation/index.js'
import type { JobRecord } from '../../../src/work/records.js'
import { until } from '../../until.js'
import { loneShell } from './lone-shell.js'

const SPIN = resolve(fileURLToPath(import.meta.url), '../../../fixtures/spin.mjs')

let cleanup: (() => Promise<void>) | undefined
afterEach(async () => {
  await cleanup?.()
  cleanup = undefined
})

async function setup (): Promise<{ shell: WorkShell, finished: (id: string) => Promise<JobRecord>, pool: ReturnType<typeof poolsOf>[number] }> {
  const handlers = { ...BUILTIN_HANDLERS, ...await loadIsolatedHandlers([SPIN], { isolation: 'worker', size: 2 }) }
  const { shell, close } = await loneShell('mn-shell-iso-', { concurrency: 2, handlers, retryBaseMs: 10 })
  const done = new Map<string, (j: JobRecord) => void>()
  shell.jobs.onFinished.push(job => { done.get(job.id)?.(job) })
  cleanup = close
  return {
    shell,
    pool: poolsOf(handlers)[0]!,
    finished: async id => await new Promise<JobRecord>(resolve => { done.set(id, resolve) })
  }
}

describe('work shell with pooled handlers', () => {
  it('runs a module handler in a worker, with its spawned children and its result', async () => {
    const { shell, finished } = await setup()
    const [job] = await shell.submit([{ tasks: [{ type: 'parent', payload: { n: 3 } }] }])
    const end = await finished(job!.id)
    expect(end).toMatchObject({ state: 'completed', total: 4, done: 4, failed: 0 })
    const results = await shell.results(job!.id, 10)
    expect(results.map(r => r.taskId)).toEqual([`${job!.id}/0`, `${job!.id}/0.0`, `${job!.id}/0.1`, `${job!.id}/0.2`])
    expect(JSON.parse(results[0]!.result!)).toMatchObject({ ids: [`${job!.id}/0.0`, `${job!.id}/0.1`, `${job!.id}/0.2`], node: 'A' })
  })

  it('fails a busy-looping handler at its timeout, kills its worker, and counts no orphan', async () => {
    const { shell, finished, pool } = await setup()
    // Each attempt would spin for ten minutes, far past the test's timeout: it ends only by the kill.
    const [job] = await shell.submit([{ tasks: [{ type: 'spin', payload: { ms: 600_000 }, timeoutMs: 300, attempts: 2 }] }])
    const end = await finished(job!.id)
    expect(end).toMatchObject({ state: 'failed', failed: 1 })
    expect(end.error).toContain('timed out after 300 ms')
    // Every worker out of the pool was killed, none crashed. (On a loaded machine the second
    // attempt may time out while its fresh worker still starts: then it never spun, and that
    // worker joins the pool instead.)
    await until('every spinning worker to be killed', () => pool.counters.killed >= 1 && pool.counters.killed === pool.counters.started - pool.size)
    expect(pool.counters.crashed).toBe(0)
    expect(shell.counters.orphanedHandlers).toBe(0)
  })

  it('kills the workers when it stops, a running handler\'s included', async () => {
    const { shell, pool } = await setup()
    // The spin would outlast the test's timeout: stop returns only by killing its worker.
    await shell.submit([{ tasks: [{ type: 'spin', payload: { ms: 600_000 } }] }])
    await until('the spin to run', () => shell.stats().running === 1)
    await shell.stop()
    expect(pool.size).toBe(0)
  })
})
