// One deadline for a long-lived stream's operations one after another (src/node/transport/rpc.ts,
// StreamDeadline; the Raft transport's writes and reads): an operation armed for longer than the
// deadline is aborted, time spent disarmed between operations never counts, and however many
// operations there are, one controller and one timer serve them all.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { StreamDeadline } from '../../../src/node/transport/rpc.js'

describe('StreamDeadline', () => {
  beforeEach(() => { vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }) })
  afterEach(() => { vi.useRealTimers() })

  it('aborts an operation armed for longer than its deadline, with UNREACHABLE', () => {
    const d = new StreamDeadline(1_000)
    const signal = d.arm()
    vi.advanceTimersByTime(999)
    expect(signal.aborted).toBe(false)
    vi.advanceTimersByTime(1)
    expect(signal.aborted).toBe(true)
    expect(signal.reason).toMatchObject({ code: 'UNREACHABLE' })
  })

  it('gives each operation its full deadline from when it was armed', () => {
    const d = new StreamDeadline(1_000)
    for (let i = 0; i < 10; i++) {
      d.arm()
      vi.advanceTimersByTime(900)
      d.disarm()
    }
    const signal = d.arm()
    vi.advanceTimersByTime(999)
    expect(signal.aborted).toBe(false)
    vi.advanceTimersByTime(1)
    expect(signal.aborted).toBe(true)
  })

  it('never fires for the time between operations, however long', () => {
    const d = new StreamDeadline(1_000)
    d.arm()
    vi.advanceTimersByTime(10)
    d.disarm()
    vi.advanceTimersByTime(60_000)
    expect(d.signal.aborted).toBe(false)
    d.arm()
    vi.advanceTimersByTime(999)
    expect(d.signal.aborted).toBe(false)
    d.disarm()
    d.close()
  })

  it('serves every operation with one signal and at most one timer', () => {
    const d = new StreamDeadline(1_000)
    const first = d.arm()
    d.disarm()
    for (let i = 0; i < 100; i++) {
      expect(d.arm()).toBe(first)
      vi.advanceTimersByTime(5)
      d.disarm()
    }
    expect(vi.getTimerCount()).toBe(1)
    d.close()
    expect(vi.getTimerCount()).toBe(0)
  })
})
