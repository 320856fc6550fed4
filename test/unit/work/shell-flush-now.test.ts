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

  it('while a flush is in flight, completions wait for it and go together in the next (group commit)', async () => {
    let store!: SlowStore
    const { shell, close } = await loneShell('mn-flush-group-', { handlers: { last: () => 'done' } }, (db: Store) => (store = new SlowStore(db, 'A')))
    try {
      const jobs = await shell.submit(Array.from({ length: 60 }, () => ({ tasks: [{ type: 'last' }] })))
      const before = store.flushes
      for (const job of jobs) expect(await shell.jobs.whenFinished(job.id)).toMatchObject({ state: 'completed' })
      // one flush per finished job before; now the ones that end during a flush share the next
      expect(store.flushes - before).toBeLessThan(jobs.length / 2)
    } finally {
      await close()
    }
  })
})

/** A store whose flushes take 20 ms, and which counts how many run at once. */
class SlowStore extends WorkStore {
  flushes = 0
  inFlight = 0
  maxInFlight = 0
  override async flush (): Promise<void> {
    this.flushes++
    this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight)
    try {
      await new Promise(resolve => setTimeout(resolve, 20))
      await super.flush()
    } finally {
      this.inFlight--
    }
  }
}
