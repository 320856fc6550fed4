// The Raft shell's clock (src/node/services/tick-clock.ts): every tick while busy, batched
// wake-ups while the core is quiet, back to every tick the moment it is not.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { TickClock } from '../../../src/node/services/tick-clock.js'

const TICK = 30
const BATCH = 5

function clock (quietAtStart = false) {
  const state = { quiet: quietAtStart, ticks: [] as number[], quietAfterTicks: Infinity, busyAfterTicks: Infinity }
  const c = new TickClock(TICK, BATCH, () => state.quiet, () => {
    state.ticks.push(Date.now())
    if (state.ticks.length >= state.quietAfterTicks) state.quiet = true
    if (state.ticks.length >= state.busyAfterTicks) state.quiet = false
  })
  return { c, state }
}

describe('TickClock', () => {
  beforeEach(() => { vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] }) })
  afterEach(() => { vi.useRealTimers() })

  it('ticks every tickMs while the core is busy', () => {
    const { c, state } = clock()
    c.start()
    vi.advanceTimersByTime(TICK * 10)
    expect(state.ticks).toHaveLength(10)
    expect(vi.getTimerCount()).toBe(1)
    c.stop()
    expect(vi.getTimerCount()).toBe(0)
  })

  it('while quiet, wakes once per batch and runs the batch: as many ticks, a fifth of the wake-ups', () => {
    const { c, state } = clock(true)
    const t0 = Date.now()
    c.start()
    vi.advanceTimersByTime(TICK * BATCH - 1)
    expect(state.ticks).toHaveLength(0)
    vi.advanceTimersByTime(1)
    expect(state.ticks).toEqual(Array(BATCH).fill(t0 + TICK * BATCH))
    vi.advanceTimersByTime(TICK * BATCH * 9)
    expect(state.ticks).toHaveLength(BATCH * 10)
    expect(new Set(state.ticks).size).toBe(10)
    c.stop()
  })

  it('goes to batches once the core turns quiet, and back to every tick when a tick ends quiet', () => {
    const { c, state } = clock()
    state.quietAfterTicks = 3
    c.start()
    vi.advanceTimersByTime(TICK * 3)
    expect(state.ticks).toHaveLength(3)
    expect(state.quiet).toBe(true)
    state.quietAfterTicks = Infinity
    state.busyAfterTicks = 3 + BATCH + 2 // the 2nd tick of the 2nd batch ends quiet (a timeout)
    vi.advanceTimersByTime(TICK * BATCH)
    expect(state.ticks).toHaveLength(3 + BATCH)
    vi.advanceTimersByTime(TICK * BATCH)
    // the rest of that batch is dropped: they would count against the new deadline
    expect(state.ticks).toHaveLength(3 + BATCH + 2)
    expect(state.quiet).toBe(false)
    const at = state.ticks.length
    vi.advanceTimersByTime(TICK * 4)
    expect(state.ticks).toHaveLength(at + 4)
    c.stop()
  })

  it('wake(): leaving quiet between wake-ups brings the next tick within tickMs', () => {
    const { c, state } = clock(true)
    c.start()
    vi.advanceTimersByTime(TICK)
    c.wake() // still quiet: nothing changes
    expect(vi.getTimerCount()).toBe(1)
    state.quiet = false // e.g. a proposal at the leader, an append at a follower
    c.wake()
    expect(vi.getTimerCount()).toBe(1)
    vi.advanceTimersByTime(TICK)
    expect(state.ticks).toHaveLength(1)
    vi.advanceTimersByTime(TICK * 3)
    expect(state.ticks).toHaveLength(4)
    c.stop()
    c.wake()
    expect(vi.getTimerCount()).toBe(0)
  })

  it('a wake() from inside a tick arms no second timer', () => {
    let c!: TickClock
    let quiet = true
    let ticks = 0
    c = new TickClock(TICK, BATCH, () => quiet, () => { ticks++; quiet = false; c.wake() })
    c.start()
    vi.advanceTimersByTime(TICK * BATCH)
    expect(ticks).toBe(1)
    expect(vi.getTimerCount()).toBe(1)
    vi.advanceTimersByTime(TICK * 2)
    expect(ticks).toBe(3)
    c.stop()
  })
})
