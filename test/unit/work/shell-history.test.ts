// The work shell feeds the latency history (src/node/observe/history.ts): every attempt that
// ends on this node, by task type, as ok, failed or retried, with its queue wait; every job
// of this home once its final state is durable, with its submit→done latency. One real
// LevelDB, no network, a fake wall clock that the handlers move.
import { afterEach, describe, expect, it } from 'vitest'
import { LatencyHistory } from '../../../src/node/observe/history.js'
import { loneShell } from './lone-shell.js'

const T0 = 1_764_000_000_000

let cleanup: (() => Promise<void>) | undefined
afterEach(async () => {
  await cleanup?.()
  cleanup = undefined
})

describe('work shell: the latency history', () => {
  it('records attempts by type with their queue wait, and jobs with their latency', async () => {
    let clock = T0
    const history = new LatencyHistory(T0)
    const { shell, close } = await loneShell('mn-history-', {
      // Each attempt takes 10 ms of the wall clock, so the next one in line waited that long more.
      handlers: {
        step: () => { clock += 10; return 'ok' },
        flaky: () => { clock += 10; throw new Error('no luck') }
      },
      retryBaseMs: 1,
      now: () => clock,
      history
    })
    cleanup = close
    const finished: string[] = []
    shell.jobs.onFinished.push(j => finished.push(j.state))
    await shell.submit([
      { tasks: [{ type: 'step' }, { type: 'step' }, { type: 'step' }] },
      { tasks: [{ type: 'flaky', attempts: 2 }] }
    ])
    for (let i = 0; i < 200 && finished.length < 2; i++) {
      clock += 1 // lets the retry's backoff pass
      await new Promise(resolve => setTimeout(resolve, 5))
    }
    expect(finished.sort()).toEqual(['completed', 'failed'])

    const snap = history.snapshot(0, clock)
    const types = Object.fromEntries(snap.minutes.flatMap(m => m.types).map(t => [t.type, t]))
    expect(types.step).toMatchObject({ ok: 3, failed: 0, retried: 0 })
    expect(types.flaky).toMatchObject({ ok: 0, failed: 1, retried: 1 })
    // One slot: the three steps waited 0, 10 and 20 ms (+ the flaky attempt ahead of some).
    const waits = types.step!.wait
    expect(waits.counts.reduce((a, b) => a + b)).toBe(3)
    expect(waits.min).toBe(0)
    expect(waits.max).toBeGreaterThanOrEqual(20)
    const jobs = snap.minutes.map(m => m.jobs).reduce((a, b) => ({ ...a, completed: a.completed + b.completed, failed: a.failed + b.failed }))
    expect(jobs).toMatchObject({ completed: 1, failed: 1, cancelled: 0 })
    expect(snap.minutes.flatMap(m => m.jobs.latency.counts).reduce((a, b) => a + b)).toBe(2)
    expect(Math.max(...snap.minutes.map(m => m.jobs.latency.max))).toBeGreaterThanOrEqual(30)
  })
})
