// The job.progress sampler of watchMesh runs only while a listener wants progress: an idle node
// with nobody on /v1/events has no timer for it (issue 14, stop 31: it woke every node 5 times a
// second for nothing).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { EventLog } from '../../../src/node/observe/events.js'
import { PROGRESS_MS, watchMesh } from '../../../src/node/observe/watch.js'

function setup () {
  let reads = 0
  let done = 0
  const jobs = { onFinished: [] as Array<(j: any) => void>, activeJobs: () => { reads++; return [{ id: 'j1', total: 10, done, failed: 0, cancelled: 0, state: 'running' }] } }
  const events = new EventLog(() => 0)
  const stop = watchMesh({
    membership: { onTransition: [], view: () => [] },
    consensus: { onApplied: [], onJobsMoved: [], onNodeDead: [], onNodeAlive: [], onRoleChange: [] },
    engine: { onTaskFailed: [], onNotice: [], jobs } as any,
    self: 'me'
  }, events)
  return { events, stop, reads: () => reads, advance: () => { done++ } }
}

describe('watchMesh progress sampler', () => {
  beforeEach(() => { vi.useFakeTimers() })
  afterEach(() => { vi.useRealTimers() })

  it('has no timer while nobody listens for progress, even with a listener that ignores it', () => {
    const t = setup()
    expect(vi.getTimerCount()).toBe(0)
    t.events.subscribe(() => {}, { progress: false })
    vi.advanceTimersByTime(10 * PROGRESS_MS)
    expect(vi.getTimerCount()).toBe(0)
    expect(t.reads()).toBe(0)
    t.stop()
  })

  it('samples while a progress listener is subscribed, and stops when the last one leaves', () => {
    const t = setup()
    const seen: string[] = []
    const off1 = t.events.subscribe(e => { if (e.type === 'job.progress') seen.push(`${String(e.data.done)}`) })
    const off2 = t.events.subscribe(() => {})
    expect(vi.getTimerCount()).toBe(1)
    vi.advanceTimersByTime(PROGRESS_MS)
    expect(seen).toEqual(['0'])
    vi.advanceTimersByTime(PROGRESS_MS)
    expect(seen).toEqual(['0']) // unchanged: not sent again
    t.advance()
    vi.advanceTimersByTime(PROGRESS_MS)
    expect(seen).toEqual(['0', '1'])
    off2()
    expect(vi.getTimerCount()).toBe(1)
    off1()
    expect(vi.getTimerCount()).toBe(0)
    const reads = t.reads()
    vi.advanceTimersByTime(10 * PROGRESS_MS)
    expect(t.reads()).toBe(reads)
    // A new listener gets the current progress again, not only later changes.
    const again: string[] = []
    t.events.subscribe(e => { if (e.type === 'job.progress') again.push(`${String(e.data.done)}`) })
    vi.advanceTimersByTime(PROGRESS_MS)
    expect(again).toEqual(['1'])
    t.stop()
    expect(vi.getTimerCount()).toBe(0)
  })

  it('starts sampling at once for a listener that was there before the watch', () => {
    const events = new EventLog(() => 0)
    events.subscribe(() => {})
    const stop = watchMesh({
      membership: { onTransition: [], view: () => [] },
      consensus: { onApplied: [], onJobsMoved: [], onNodeDead: [], onNodeAlive: [], onRoleChange: [] },
      engine: { onTaskFailed: [], onNotice: [], jobs: { onFinished: [], activeJobs: () => [] } } as any,
      self: 'me'
    }, events)
    expect(vi.getTimerCount()).toBe(1)
    stop()
    expect(vi.getTimerCount()).toBe(0)
  })
})
