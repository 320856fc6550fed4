// A job's completion waits for no turn of the event loop (Ready.flushNow, WorkShell.commitNow):
// the ready that stages a job's final state is flushed in the turn its last task ended in, not
// after the callbacks already queued for the end of that turn.
import { describe, expect, it } from 'vitest'
import type { Store } from '../../../src/node/store/store.js'
import { WorkStore } from '../../../src/node/store/work-store.js'
import { loneShell } from './lone-shell.js'

class CountingStore extends WorkStore {
  flushes = 0
  override async flush (): Promise<void> {
    this.flushes++
    await super.flush()
  }
}

describe('a job\'s final state is flushed in the turn its last task ends', () => {
  it('before a callback its handler queued for the end of that turn runs', async () => {
    let store!: CountingStore
    const seen: Array<{ atEnd: number, atImmediate: number }> = []
    const { shell, close } = await loneShell('mn-flush-now-', {
      handlers: {
        last: () => {
          const s = { atEnd: store.flushes, atImmediate: -1 }
          seen.push(s)
          setImmediate(() => { s.atImmediate = store.flushes })
          return 'done'
        }
      }
    }, (db: Store) => (store = new CountingStore(db, 'A')))
    try {
      for (let i = 0; i < 5; i++) {
        const [job] = await shell.submit([{ tasks: [{ type: 'last' }] }])
        expect(await shell.jobs.whenFinished(job!.id)).toMatchObject({ state: 'completed' })
      }
      expect(seen).toHaveLength(5)
      for (const s of seen) expect(s.atImmediate).toBeGreaterThan(s.atEnd)
    } finally {
      await close()
    }
  })
})
