// WorkShell.onDriven: told after every drive of the core, so the work service learns that
// stealable work appeared (and announces it) without polling the queue on a timer.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { JobEntry } from '../../../src/consensus/control.js'
import { Store } from '../../../src/node/store/store.js'
import { WorkShell } from '../../../src/node/services/work-shell.js'
import { WorkStore } from '../../../src/node/store/work-store.js'
import { mulberry32 } from '../../../src/prng.js'

describe('work shell: onDriven', () => {
  it('tells its listeners when submitted work becomes stealable', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mn-shell-driven-'))
    const store = await Store.open(dir)
    const registry = new Map<string, JobEntry>()
    let release!: () => void
    const blocked = new Promise<void>(resolve => { release = resolve })
    const shell = new WorkShell(new WorkStore(store), { call: async () => { throw new Error('no peers') } }, {
      register: async (entries: Array<[string, JobEntry]>) => { for (const [id, e] of entries) registry.set(id, e) },
      entry: (id: string) => registry.get(id),
      isDead: () => false,
      memberCount: () => 1
    }, {
      self: 'A',
      incarnation: 1,
      concurrency: 1,
      capabilities: ['handler:block'],
      handlers: { block: async () => { await blocked } },
      allowCommands: false,
      peers: () => [],
      rng: mulberry32(1),
      now: Date.now,
      log: { info: () => {}, warn: () => {}, debug: () => {} }
    })
    await shell.start()
    try {
      const seen: number[] = []
      shell.onDriven.push(() => { seen.push(shell.stealable) })
      expect(shell.stealable).toBe(0)
      await shell.submit([{ tasks: Array.from({ length: 20 }, () => ({ type: 'block' })) }])
      expect(shell.stealable).toBeGreaterThan(0)
      // The listener saw the change when it happened: no timer had to look.
      expect(seen.some(s => s > 0)).toBe(true)
    } finally {
      release()
      await shell.stop()
      await store.close()
      await rm(dir, { recursive: true, force: true })
    }
  })
})
