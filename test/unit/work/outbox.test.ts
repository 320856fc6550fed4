// The results outbox (src/work/core/outbox.ts): outcomes for a home linger while more work for
// it is held here, at most MAX_IN_FLIGHT batches go at once, and the last outcomes — nothing
// more held for that home, or for the outcome's job — go at once whatever is in flight, since
// the home completes a job when its last outcome is recorded (WorkCore.allRecorded).
import { describe, expect, it } from 'vitest'
import { MAX_IN_FLIGHT, Outbox } from '../../../src/work/core/outbox.js'
import { RESULTS_LINGER_MS, RESULTS_MAX_LINGER_MS, RESULTS_SHARE } from '../../../src/work/core/types.js'
import type { TaskOutcome } from '../../../src/work/records.js'

const out = (i: number): TaskOutcome => ({ jobId: 'j', taskId: `j/${i}`, ok: true, spawned: 0, attempts: 1, node: 'B', finishedAt: 10, home: 'A' })

describe('the results outbox', () => {
  it('lingers while more work for the home is held, and holds back a batch beyond MAX_IN_FLIGHT', () => {
    const ob = new Outbox()
    const flying: TaskOutcome[][] = []
    for (let i = 0; i < MAX_IN_FLIGHT; i++) {
      ob.add(out(i))
      // Holding as much as the outcomes waiting: they are a share of it, and linger briefly.
      expect(ob.schedule('A', 1, 0)).toBe(false)
      expect(ob.dueLingers(RESULTS_LINGER_MS)).toEqual(i === 0 ? ['A'] : [])
      flying.push(ob.take('A')!)
    }
    expect(ob.inFlight('A')).toBe(MAX_IN_FLIGHT)
    ob.add(out(9))
    expect(ob.schedule('A', 1, 0)).toBe(false)
    expect(ob.take('A')).toBeUndefined()
    // An answer frees a place: the waiting outcome goes.
    ob.delivered('A', flying[0]!)
    expect(ob.take('A')!.map(o => o.taskId)).toEqual(['j/9'])
  })

  it('sends the last outcomes for a home at once, beside MAX_IN_FLIGHT batches in flight, without repeating theirs', () => {
    const ob = new Outbox()
    for (let i = 0; i < MAX_IN_FLIGHT; i++) {
      ob.add(out(i))
      ob.take('A')
    }
    ob.add(out(7))
    ob.add(out(8))
    // Nothing more is held for A here: no linger, no wait for an answer.
    expect(ob.schedule('A', 0, 0)).toBe(true)
    expect(ob.take('A', true)!.map(o => o.taskId)).toEqual(['j/7', 'j/8'])
    expect(ob.inFlight('A')).toBe(MAX_IN_FLIGHT + 1)
    expect(ob.take('A', true)).toBeUndefined()
  })

  it('sends a job\'s last outcome held here at once though more is held for its home, beside batches in flight up to MAX_IN_FLIGHT, else with the first answer', () => {
    const ob = new Outbox()
    ob.add(out(0))
    // More of the same job held here: it lingers.
    expect(ob.schedule('A', 300, 0, 1)).toBe(false)
    ob.add(out(1))
    // The last of its job held here, while 300 tasks of the home's other jobs are: at once.
    expect(ob.schedule('A', 300, 0, 0)).toBe(true)
    const flying = [ob.take('A', true)!]
    expect(flying[0]!.map(o => o.taskId)).toEqual(['j/0', 'j/1'])
    for (let i = 1; i < MAX_IN_FLIGHT; i++) {
      ob.add(out(1 + i))
      expect(ob.schedule('A', 300, 0, 0)).toBe(true)
      flying.push(ob.take('A')!)
    }
    // MAX_IN_FLIGHT batches in flight: the next job's last outcome waits for an answer, and
    // no linger — it goes when the first answer schedules the home's results.
    ob.add(out(8))
    expect(ob.schedule('A', 300, 0, 0)).toBe(false)
    expect(ob.hasUrgent('A')).toBe(true)
    ob.add(out(9))
    expect(ob.schedule('A', 300, 1, 1)).toBe(false)
    expect(ob.nextLinger).toBe(Infinity)
    ob.delivered('A', flying[0]!)
    expect(ob.schedule('A', 300, 2)).toBe(true)
    const third = ob.take('A')!
    expect(third.map(o => o.taskId)).toEqual(['j/8', 'j/9'])
    expect(ob.hasUrgent('A')).toBe(false)
    // Nothing of a job's last waiting: the per-home linger again.
    ob.delivered('A', flying[1]!)
    ob.delivered('A', third)
    ob.add(out(10))
    expect(ob.schedule('A', 300, 3)).toBe(false)
    expect(ob.nextLinger).toBe(3 + RESULTS_MAX_LINGER_MS)
  })

  it('lets outcomes linger longer while they are a small part of the work held for their home, and briefly once they are a share of it', () => {
    const ob = new Outbox()
    const held = 100
    let i = 0
    // A first outcome of a grant of a hundred: it may wait for others.
    ob.add(out(i++))
    expect(ob.schedule('A', held, 0)).toBe(false)
    expect(ob.nextLinger).toBe(RESULTS_MAX_LINGER_MS)
    // More outcomes, not yet a share: the linger set by the first one stands.
    while ((i + 1) * RESULTS_SHARE < held) {
      ob.add(out(i++))
      expect(ob.schedule('A', held, i)).toBe(false)
      expect(ob.nextLinger).toBe(RESULTS_MAX_LINGER_MS)
    }
    // One more makes them a share of what is held: they go within RESULTS_LINGER_MS.
    ob.add(out(i++))
    expect(ob.schedule('A', held, 20)).toBe(false)
    expect(ob.nextLinger).toBe(20 + RESULTS_LINGER_MS)
    expect(ob.dueLingers(20 + RESULTS_LINGER_MS - 1)).toEqual([])
    expect(ob.dueLingers(20 + RESULTS_LINGER_MS)).toEqual(['A'])
    expect(ob.take('A')).toHaveLength(i)
  })

  it('sends no later than RESULTS_MAX_LINGER_MS after the first outcome waiting, however much is held', () => {
    const ob = new Outbox()
    ob.add(out(0))
    expect(ob.schedule('A', 4_000, 0)).toBe(false)
    ob.add(out(1))
    expect(ob.schedule('A', 4_000, RESULTS_MAX_LINGER_MS - 1)).toBe(false)
    expect(ob.dueLingers(RESULTS_MAX_LINGER_MS - 1)).toEqual([])
    expect(ob.dueLingers(RESULTS_MAX_LINGER_MS)).toEqual(['A'])
    expect(ob.take('A')!.map(o => o.taskId)).toEqual(['j/0', 'j/1'])
  })
})
