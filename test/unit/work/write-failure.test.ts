// A store whose writes fail (a full disk): the submit that needed them fails with
// RESOURCE_EXHAUSTED and the underlying message, later submits are refused at once, nothing
// that depended on the failed writes is reported, and once writes succeed again memory and
// disk agree — the failed writes land first, in order. One real LevelDB whose batch() fails
// on demand.
import { afterEach, describe, expect, it } from 'vitest'
import type { JobEntry } from '../../../src/consensus/control.js'
import type { Store } from '../../../src/node/store/store.js'
import type { WorkShell } from '../../../src/node/services/work-shell.js'
import { WorkStore, type JobRecord } from '../../../src/node/store/work-store.js'
import { WorkError } from '../../../src/work/errors.js'
import { loneShell } from './lone-shell.js'
import { until } from '../../until.js'

const DISK_FULL = 'IO error: /data/000123.log: No space left on device'

let cleanup: (() => Promise<void>) | undefined
afterEach(async () => {
  await cleanup?.()
  cleanup = undefined
})

interface Setup { shell: WorkShell, store: Store, work: WorkStore, registry: Map<string, JobEntry>, failing: { on: boolean }, finished: string[], gate: { open: () => void } }

async function setup (): Promise<Setup> {
  const failing = { on: false }
  let release!: () => void
  let blocked = new Promise<void>(resolve => { release = resolve })
  const gate = { open: () => { release(); blocked = Promise.resolve() } }
  const { shell, store, work, registry, close } = await loneShell('mn-writefail-', { concurrency: 2, handlers: { echo: (p: unknown) => p, block: async () => { await blocked; return 'ok' } } }, db => {
    // The work store writes chained batches: fail their write() while `failing` is on.
    const batch = db.db.batch.bind(db.db) as (...args: unknown[]) => any
    ;(db.db as unknown as { batch: (...args: unknown[]) => unknown }).batch = (...args: unknown[]) => {
      const b = batch(...args)
      if (args.length > 0) return (async () => { if (failing.on) throw new Error(DISK_FULL); await b })()
      const write = b.write.bind(b)
      b.write = async () => {
        if (failing.on) {
          await b.close()
          throw new Error(DISK_FULL)
        }
        await write()
      }
      return b
    }
    return new WorkStore(db, 'A')
  })
  const finished: string[] = []
  shell.jobs.onFinished.push(j => { finished.push(`${j.id}:${j.state}`) })
  cleanup = async () => {
    failing.on = false
    gate.open()
    await close()
  }
  return { shell, store, work, registry, failing, finished, gate }
}

async function refusal (p: Promise<unknown>): Promise<WorkError> {
  try {
    await p
  } catch (err) {
    return err as WorkError
  }
  throw new Error('expected a refusal')
}

describe('work shell: store writes that fail', () => {
  it('fails the submit whose writes failed with RESOURCE_EXHAUSTED and the disk\'s message, leaving no job behind', async () => {
    const s = await setup()
    s.failing.on = true
    const err = await refusal(s.shell.submit([{ tasks: [{ type: 'echo', payload: 1 }] }]))
    expect(err).toBeInstanceOf(WorkError)
    expect(err.code).toBe('RESOURCE_EXHAUSTED')
    expect(err.message).toContain('No space left on device')
    expect(s.shell.jobs.activeJobs()).toEqual([])
    expect(s.shell.writeFailure?.error).toContain('No space left on device')
    // Nothing about the job is registered as running.
    expect([...s.registry.values()].filter(e => e.state === 'running')).toEqual([])
  })

  it('refuses further submits at once while writes fail, and takes them again once writes succeed', async () => {
    const s = await setup()
    s.failing.on = true
    await refusal(s.shell.submit([{ tasks: [{ type: 'echo', payload: 1 }] }]))
    const second = await refusal(s.shell.submit([{ tasks: [{ type: 'echo', payload: 2 }] }]))
    expect(second.code).toBe('RESOURCE_EXHAUSTED')
    expect(second.message).toMatch(/cannot write to its disk .*No space left on device.*nothing was accepted/)
    s.failing.on = false
    // The shell tries the store again by itself: the failed writes, then the undo, land.
    await until('the write failure to clear', () => s.shell.writeFailure == null)
    const [job] = await s.shell.submit([{ tasks: [{ type: 'echo', payload: 3 }] }])
    await until('the job to complete', () => s.finished.includes(`${job!.id}:completed`))
    expect(s.shell.writeFailure).toBeUndefined()
  })

  it('reports no job finished while the writes that finish it fail, and finishes it once they land', async () => {
    const s = await setup()
    const [job] = await s.shell.submit([{ tasks: [{ type: 'block' }, { type: 'block' }] }])
    s.failing.on = true
    s.gate.open()
    // Both tasks finish in memory; the job's final record cannot be written.
    await until('two tasks done', () => s.shell.jobs.get(job!.id)?.done === 2)
    await new Promise(resolve => setTimeout(resolve, 100))
    expect(s.finished).toEqual([])
    expect(await s.work.job(job!.id)).toMatchObject({ state: 'registering' })
    s.failing.on = false
    await until('the job to complete', () => s.finished.includes(`${job!.id}:completed`))
    // Disk agrees with memory: the final record and both outcomes, no task left.
    expect(await s.work.job(job!.id)).toMatchObject({ state: 'completed', done: 2 })
    expect(await s.work.jobResults(job!.id, 10)).toHaveLength(2)
    const loaded = await s.work.load()
    expect(loaded.tasks).toEqual([])
  })

  it('keeps the failed writes ahead of newer ones, so a put then a delete never ends resurrected', async () => {
    const s = await setup()
    s.failing.on = true
    const rec = (id: string): JobRecord => ({ id, home: 'A', state: 'running', createdAt: 1, roots: 1, total: 1, done: 0, failed: 0, cancelled: 0, byNode: {} })
    s.work.put('jobs', 'x', rec('x'))
    await expect(s.work.flush()).rejects.toThrow('No space left on device')
    s.work.del('jobs', 'x')
    s.work.put('jobs', 'y', rec('y'))
    s.failing.on = false
    await s.work.flush()
    expect(await s.work.job('x')).toBeUndefined()
    expect(await s.work.job('y')).toEqual(rec('y'))
  })
})
