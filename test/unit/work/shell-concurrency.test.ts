// --concurrency auto in the work shell: it samples (a fake CPU here), feeds the controller and
// moves the core's slots; I/O-like tasks with the CPU free make it grow, idle makes it shrink
// back to min, and every task runs once. One real LevelDB, no network; no time is asserted.
import { afterEach, describe, expect, it } from 'vitest'
import { waitUntil as waitFor } from '../../../scripts/cluster-lib.js'
import { loneShell } from './lone-shell.js'

let cleanup: (() => Promise<void>) | undefined
afterEach(async () => {
  await cleanup?.()
  cleanup = undefined
})

describe('work shell: --concurrency auto', () => {
  it('grows under queued I/O-bound work, shrinks to min when idle, runs every task once', async () => {
    const ran: string[] = []
    let peak = 0
    let running = 0
    const { shell, close } = await loneShell('mn-shell-auto-', {
      autoConcurrency: { min: 1, max: 32, tickMs: 20, cpu: () => 0.05 },
      handlers: {
        io: async (_p: unknown, ctx: { taskId: string }) => {
          running++
          peak = Math.max(peak, running)
          await new Promise(resolve => setTimeout(resolve, 15))
          running--
          ran.push(ctx.taskId)
        }
      }
    })
    cleanup = close
    expect(shell.slots).toMatchObject({ auto: true, slots: 1, min: 1, max: 32 })
    const [job] = await shell.submit([{ tasks: Array.from({ length: 600 }, () => ({ type: 'io' })) }])
    await waitFor(() => shell.slots.slots >= 8, 20_000, 'the slots to grow')
    await waitFor(() => shell.jobs.get(job!.id) == null || shell.jobs.get(job!.id)?.state === 'completed', 60_000, 'the job to finish')
    expect(peak).toBeGreaterThanOrEqual(8)
    expect(peak).toBeLessThanOrEqual(32)
    expect(ran).toHaveLength(600)
    expect(new Set(ran).size).toBe(600)
    await waitFor(() => shell.slots.slots === 1, 20_000, 'the slots to shrink back to min')
    // Idle at min the ticks pause; the next load resumes them and the slots grow again.
    const before = peak
    peak = 0
    const [again] = await shell.submit([{ tasks: Array.from({ length: 600 }, () => ({ type: 'io' })) }])
    await waitFor(() => shell.slots.slots >= 8, 20_000, 'the slots to grow again after an idle spell')
    await waitFor(() => shell.jobs.get(again!.id) == null || shell.jobs.get(again!.id)?.state === 'completed', 60_000, 'the second job to finish')
    expect(before).toBeGreaterThanOrEqual(8)
    expect(peak).toBeGreaterThanOrEqual(8)
    expect(ran).toHaveLength(1200)
  })
})
