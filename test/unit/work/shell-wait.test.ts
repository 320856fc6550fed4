// A client's long poll (jobGet's waitMs) and the library's wait() rest on ShellJobs.whenFinished:
// it must answer once the job's final state is durable — not when the core has decided it, not
// only at the timeout — and let every waiter go when the node stops. One real LevelDB.
import { afterEach, describe, expect, it } from 'vitest'
import { GatedStore, loneShell, type LoneShell } from './lone-shell.js'

let cleanup: (() => Promise<void>) | undefined
afterEach(async () => {
  await cleanup?.()
  cleanup = undefined
})

async function setup (): Promise<LoneShell<GatedStore> & { finish: () => void }> {
  let finish!: () => void
  const gate = new Promise<void>(resolve => { finish = resolve })
  const lone = await loneShell('mn-wait-', { handlers: { gate: async () => { await gate; return 'ok' } } }, db => new GatedStore(db, 'A'))
  cleanup = async () => {
    lone.work.release()
    finish()
    await lone.close()
  }
  return { ...lone, finish }
}

const turns = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

describe('waiting for a job to finish (ShellJobs.whenFinished)', () => {
  it('answers with the final view once it is durable, and not before', async () => {
    const { shell, work, finish } = await setup()
    const [job] = await shell.submit([{ tasks: [{ type: 'gate' }] }])
    let view: { state: string } | undefined
    const waiting = shell.jobs.whenFinished(job!.id).then(v => { view = v })
    await turns(30)
    expect(view).toBeUndefined()
    // The task ends, but its outcome and the job's final state are not on disk yet.
    work.held = true
    finish()
    await turns(50)
    expect(view).toBeUndefined()
    work.release()
    await waiting
    expect(view).toMatchObject({ id: job!.id, state: 'completed', done: 1, result: 'ok' })
    // Asked again once it is over: answered at once.
    expect(await shell.jobs.whenFinished(job!.id)).toMatchObject({ state: 'completed' })
  })

  it('after its timeout, answers with the job as it stands', async () => {
    const { shell } = await setup()
    const [job] = await shell.submit([{ tasks: [{ type: 'gate' }] }])
    expect(await shell.jobs.whenFinished(job!.id, 20)).toMatchObject({ id: job!.id, state: 'running', done: 0 })
  })

  it('answers undefined for a job not homed here', async () => {
    const { shell } = await setup()
    expect(await shell.jobs.whenFinished('no-such-job', 1_000)).toBeUndefined()
  })

  it('lets every waiter go when the node stops', async () => {
    const { shell } = await setup()
    const [job] = await shell.submit([{ tasks: [{ type: 'gate' }] }])
    const waiting = shell.jobs.whenFinished(job!.id)
    await turns(10)
    await shell.stop()
    expect((await waiting)?.state).toBe('running')
  })
})
