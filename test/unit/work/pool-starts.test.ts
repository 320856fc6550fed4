// When the handler pool starts a worker (workersToStart, src/work/isolation/pool.ts): only when
// it pays — rent or buy: when the waiting done by queued tasks since the last start reaches
// a start's cost, at once when nothing would serve the queue or long tasks would make it wait
// that long anyway. The rule is pure; isolation.test.ts runs it in real pools.
import { describe, expect, it } from 'vitest'
import { workersToStart, type StartState } from '../../../src/work/isolation/pool.js'

const base: StartState = { queued: 0, busy: 2, starting: 0, startMs: 80, owed: 0 }

describe('workersToStart', () => {
  it('starts nothing for an empty queue, and forgets what was owed', () => {
    expect(workersToStart({ ...base, owed: 500 })).toEqual({ want: 0, owed: 0, recheckInMs: Infinity })
  })

  it('lets a burst of short tasks queue behind the busy workers, and looks again when their waiting pays for a start', () => {
    expect(workersToStart({ ...base, queued: 30, runMs: 3, owed: 20 })).toEqual({ want: 0, owed: 20, recheckInMs: 60 / 30 })
  })

  it('starts a worker once the waiting reaches a start\'s cost, and carries the rest over', () => {
    expect(workersToStart({ ...base, queued: 30, runMs: 3, owed: 100 })).toEqual({ want: 1, owed: 20, recheckInMs: 60 / 29 })
  })

  it('starts no more at once than are busy (at least one), and looks again when those are ready', () => {
    expect(workersToStart({ ...base, queued: 30, runMs: 3, owed: 800 })).toMatchObject({ want: 2, recheckInMs: 80 })
    expect(workersToStart({ ...base, queued: 30, busy: 5, starting: 1, runMs: 3, owed: 800 }).want).toBe(5)
    expect(workersToStart({ ...base, queued: 3, busy: 5, runMs: 3, owed: 800 }).want).toBe(3)
  })

  it('counts the workers already starting against the queue', () => {
    expect(workersToStart({ ...base, queued: 2, starting: 2, owed: 500 })).toEqual({ want: 2, owed: 0, recheckInMs: Infinity })
  })

  it('starts workers at once for tasks that would wait longer than a start behind long ones', () => {
    // 4 busy, runs of 50 ms: places 0–3 wait ~50 ms (less than a start), places 4–6 ~100 ms.
    expect(workersToStart({ ...base, queued: 7, busy: 4, runMs: 50 }).want).toBe(3)
    // Runs of a second: every queued task would wait too long; as many start as are busy.
    expect(workersToStart({ ...base, queued: 7, busy: 4, runMs: 1_000 }).want).toBe(4)
    // Before any run has ended there is no estimate: the rent decides.
    expect(workersToStart({ ...base, queued: 7, busy: 4 }).want).toBe(0)
  })

  it('starts one when nothing is busy or starting', () => {
    expect(workersToStart({ ...base, queued: 2, busy: 0 }).want).toBe(1)
    expect(workersToStart({ ...base, queued: 2, busy: 0, starting: 1 }).want).toBe(1)
  })

  it('starts none while the node\'s own threads keep every core busy and a worker is busy, owes nothing for the waiting, and looks again soon', () => {
    // Rent that would buy two starts, long runs that would buy as many as are busy: with the
    // cores full, the queue waits for the busy workers.
    expect(workersToStart({ ...base, queued: 30, runMs: 3, owed: 800, cpuFull: true, headWaitMs: 10 })).toEqual({ want: 0, owed: 0, recheckInMs: 100 })
    expect(workersToStart({ ...base, queued: 7, busy: 4, runMs: 1_000, cpuFull: true, headWaitMs: 10 }).want).toBe(0)
    // Those already starting are kept; the look comes when the head's wait reaches its bound.
    expect(workersToStart({ ...base, queued: 7, starting: 1, runMs: 3, cpuFull: true, headWaitMs: 950 })).toEqual({ want: 1, owed: 0, recheckInMs: 50 })
  })

  it('with the cores full still starts one when nothing is busy, and decides as usual once the queue\'s head has waited a second', () => {
    expect(workersToStart({ ...base, queued: 2, busy: 0, cpuFull: true, headWaitMs: 0 }).want).toBe(1)
    expect(workersToStart({ ...base, queued: 7, busy: 4, runMs: 1_000, cpuFull: true, headWaitMs: 1_000 }).want).toBe(4)
    expect(workersToStart({ ...base, queued: 30, runMs: 3, owed: 100, cpuFull: true, headWaitMs: 1_200 }).want).toBe(1)
  })

  it('never lets a task wait unboundedly: with every worker busy for ever, each task is served a few starts after it queued', () => {
    // Tasks keep arriving, no worker ever finishes one: each needs a worker of its own. The
    // pool integrates the rent between looks, as HandlerPool.pump does, and looks again when
    // the rule said, a task arrives or a worker gets ready.
    let seed = 7
    const rand = (): number => { seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31; return seed / 2 ** 31 }
    const startMs = 40
    const queuedAt: number[] = []
    const readyAt: number[] = []
    let busy = 1
    let now = 0
    let nextArrival = 0
    let recheck = Infinity
    let owed = 0
    let uncovered = 0
    let longest = 0
    let served = 0
    for (let step = 0; step < 5_000; step++) {
      const next = Math.min(recheck, nextArrival, ...readyAt)
      owed += (next - now) * uncovered
      now = next
      if (now === nextArrival) {
        queuedAt.push(now)
        nextArrival = now + rand() * 20
      }
      // Workers ready now take the queue's head and stay busy for ever.
      for (let i = readyAt.length - 1; i >= 0; i--) {
        if (readyAt[i]! > now) continue
        readyAt.splice(i, 1)
        busy++
        const at = queuedAt.shift()
        if (at != null) {
          longest = Math.max(longest, now - at)
          served++
        }
      }
      const d = workersToStart({ queued: queuedAt.length, busy, starting: readyAt.length, startMs, runMs: 1, owed })
      expect(d.want).toBeGreaterThanOrEqual(readyAt.length)
      while (readyAt.length < d.want) readyAt.push(now + startMs)
      owed = d.owed
      uncovered = Math.max(0, queuedAt.length - readyAt.length)
      recheck = now + d.recheckInMs
    }
    expect(served).toBeGreaterThan(500)
    // Each waits at most a start's cost of rent, then its worker's start.
    expect(longest).toBeLessThanOrEqual(3 * startMs)
  })
})
