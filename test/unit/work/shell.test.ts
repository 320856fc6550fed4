// The work shell's side of "persist, then send": with LevelDB writes held back, nothing that
// depends on them leaves — an inbound steal is answered only once the delegation it grants is
// on disk. One real LevelDB, no network.
import { afterEach, describe, expect, it } from 'vitest'
import type { WorkShell } from '../../../src/node/services/work-shell.js'
import { workRequest } from '../../../src/wire/work-codec.js'
import { GatedStore, loneShell } from './lone-shell.js'

let cleanup: (() => Promise<void>) | undefined
afterEach(async () => {
  await cleanup?.()
  cleanup = undefined
})

async function setup (): Promise<{ shell: WorkShell, work: GatedStore }> {
  let release!: () => void
  const blocked = new Promise<void>(resolve => { release = resolve })
  const lone = await loneShell('mn-shell-', { handlers: { block: async () => { await blocked } } }, db => new GatedStore(db, 'A'))
  const work = lone.work
  cleanup = async () => {
    work.release()
    release()
    await lone.close()
  }
  return { shell: lone.shell, work }
}

describe('work shell: persist, then send', () => {
  it('answers a steal only once the delegation it grants is durable', async () => {
    const { shell, work } = await setup()
    await shell.submit([{ tasks: Array.from({ length: 20 }, () => ({ type: 'block' })) }])
    work.held = true
    let answered = false
    const reply = shell.handle('B', workRequest('steal', { capabilities: ['handler:block'], want: 8 })).then(r => { answered = true; return r })
    await new Promise(resolve => setTimeout(resolve, 50))
    expect(answered).toBe(false)
    const onDisk = (await work.load()).tasks.filter(t => t.state === 'delegated')
    expect(onDisk).toEqual([])
    work.release()
    const res = await reply
    expect(res.ok).toBe(true)
    const granted = res.batches.flatMap(b => b.tasks.map(t => t.id)).sort()
    expect(granted.length).toBeGreaterThan(0)
    const delegated = (await work.load()).tasks.filter(t => t.state === 'delegated').map(t => t.task.id).sort()
    expect(delegated).toEqual(granted)
  })
})
