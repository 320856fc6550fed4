// Retention at a home (a real shell on a real LevelDB, no network): what a finished job's
// registry entry carries for the policy, and what a committed jobs.delete removes from disk.
import { afterEach, describe, expect, it } from 'vitest'
import type { JobEntry } from '../../../src/consensus/control.js'
import type { WorkShell } from '../../../src/node/services/work-shell.js'
import type { WorkStore } from '../../../src/node/store/work-store.js'
import { loneShell } from './lone-shell.js'
import { until } from '../../until.js'

let cleanup: (() => Promise<void>) | undefined
afterEach(async () => {
  await cleanup?.()
  cleanup = undefined
})

async function setup (): Promise<{ shell: WorkShell, work: WorkStore, registry: Map<string, JobEntry>, release: () => void }> {
  let release!: () => void
  const blocked = new Promise<void>(resolve => { release = resolve })
  const { shell, work, registry, close } = await loneShell('mn-retention-', { concurrency: 2, handlers: { echo: (p: unknown) => p, block: async () => { await blocked } } })
  cleanup = async () => {
    release()
    await close()
  }
  return { shell, work, registry, release }
}

describe('work shell: retention', () => {
  it('registers a finished job with when it finished and the keep it was submitted with', async () => {
    const { shell, registry } = await setup()
    const [job] = await shell.submit([{ tasks: [{ type: 'echo', payload: 1 }], keep: 60_000 }])
    expect(registry.get(job!.id)).toMatchObject({ state: 'running', keepMs: 60_000 })
    await until('the final state', () => registry.get(job!.id)?.state === 'completed')
    const e = registry.get(job!.id)!
    expect(e.keepMs).toBe(60_000)
    expect(e.finishedAt).toBeGreaterThanOrEqual(e.createdAt)
    expect((await shell.job(job!.id))?.keepMs).toBe(60_000)
  })

  it('forgets a finished job: record and outcomes leave the store', async () => {
    const { shell, work, registry } = await setup()
    const [job] = await shell.submit([{ tasks: [{ type: 'echo', payload: 1 }, { type: 'echo', payload: 2 }] }])
    await until('the final state', () => registry.get(job!.id)?.state === 'completed')
    expect(await work.jobResults(job!.id, 10)).toHaveLength(2)
    await shell.forgetJobs([job!.id], false)
    expect(await shell.job(job!.id)).toBeUndefined()
    expect(await work.jobResults(job!.id, 10)).toEqual([])
    expect(shell.forgotten).toEqual({ jobs: 1, results: 2 })
  })

  it('expires only the results: the record stays, marked resultsExpired', async () => {
    const { shell, registry } = await setup()
    const [job] = await shell.submit([{ tasks: [{ type: 'echo', payload: 'x' }] }])
    await until('the final state', () => registry.get(job!.id)?.state === 'completed')
    expect((await shell.job(job!.id))?.result).toBe('x')
    await shell.forgetJobs([job!.id], true)
    const view = await shell.job(job!.id)
    expect(view).toMatchObject({ state: 'completed', resultsExpired: true })
    expect(view?.result).toBeUndefined()
    expect(await shell.results(job!.id, 10)).toEqual([])
  })

  it('never deletes a job still running here, even if told to', async () => {
    const { shell, work } = await setup()
    const [job] = await shell.submit([{ tasks: [{ type: 'block' }] }])
    await shell.forgetJobs([job!.id], false)
    expect((await shell.job(job!.id))?.state).toBe('running')
    expect(await work.job(job!.id)).toBeDefined()
  })
})
