// Back-pressure from a node's own lag (src/healing/lag.ts) and the failure detector's stretch:
// a node whose timers fire late probes and buries its peers later, never a crash's refusals.
import { describe, expect, it } from 'vitest'
import { FailureDetector } from '../../../src/healing/failure-detector.js'
import { LAG_FACTOR, LAG_FLOOR_MS, LAG_WINDOW_MS, LagAllowance } from '../../../src/healing/lag.js'

describe('LagAllowance', () => {
  it('allows nothing at rest: lateness under the floor leaves the thresholds as configured', () => {
    const lag = new LagAllowance(3_000)
    expect(lag.allowance(0)).toBe(0)
    for (let t = 0; t < 10_000; t += 1_000) lag.observe(LAG_FLOOR_MS - 1, t)
    expect(lag.allowance(10_000)).toBe(0)
  })

  it('allows LAG_FACTOR times the largest recent lateness, up to the cap', () => {
    const lag = new LagAllowance(3_000)
    lag.observe(400, 1_000)
    lag.observe(250, 2_000)
    expect(lag.allowance(2_000)).toBe(LAG_FACTOR * 400)
    lag.observe(2_500, 3_000)
    expect(lag.allowance(3_000)).toBe(3_000)
  })

  it('falls back to nothing within LAG_WINDOW_MS after the lag ends, and keeps it at least half as long', () => {
    const lag = new LagAllowance(3_000)
    lag.observe(500, 0)
    let t = 0
    for (; t <= LAG_WINDOW_MS / 2; t += 1_000) {
      lag.observe(10, t)
      expect(lag.allowance(t)).toBe(1_000)
    }
    for (; t < 2 * LAG_WINDOW_MS; t += 1_000) lag.observe(10, t)
    expect(lag.allowance(LAG_WINDOW_MS)).toBe(0)
    expect(lag.allowance(2 * LAG_WINDOW_MS)).toBe(0)
  })

  it('forgets a lag after a whole window with no sample', () => {
    const lag = new LagAllowance(3_000)
    lag.observe(1_000, 0)
    expect(lag.allowance(1)).toBe(2_000)
    expect(lag.allowance(LAG_WINDOW_MS + 1)).toBe(0)
  })
})

const opts = { probeAfterMs: 3_000, probeIntervalMs: 100, deadAfterMs: 3_000 }

describe('FailureDetector.stretch', () => {
  it('probes a silent peer the allowance later, and at the configured time again once it is 0', () => {
    const fd = new FailureDetector(opts)
    fd.heartbeat('a', 1n, 1n, 0)
    fd.stretch(2_000)
    expect(fd.nextDeadline()).toBe(5_000)
    fd.tick(4_999)
    expect(fd.ready().probes).toEqual([])
    fd.stretch(0)
    expect(fd.nextDeadline()).toBe(3_000)
    fd.tick(4_999)
    expect(fd.ready().probes).toEqual(['a'])
  })

  it('keeps a timed-out suspect the allowance longer, and probes it again no sooner than that', () => {
    const fd = new FailureDetector(opts)
    fd.heartbeat('a', 1n, 1n, 0)
    fd.tick(3_000)
    fd.ready()
    fd.stretch(1_000)
    fd.probeResult('a', 'timed-out', 3_500)
    expect(fd.get('a')?.state).toBe('suspect')
    expect(fd.nextDeadline()).toBe(3_000 + 100 + 1_000) // the next probe: interval + allowance after the last
    fd.tick(4_000)
    expect(fd.ready().probes).toEqual([])
    fd.tick(4_100)
    expect(fd.ready().probes).toEqual(['a'])
    fd.probeResult('a', 'timed-out', 4_600)
    // Dead after deadAfterMs + allowance of silence as a suspect, not deadAfterMs.
    fd.tick(3_500 + 3_000)
    expect(fd.ready().transitions).toEqual([])
    expect(fd.get('a')?.state).toBe('suspect')
    fd.tick(3_500 + 4_000)
    expect(fd.ready().transitions).toEqual([{ peerId: 'a', from: 'suspect', to: 'dead', reason: 'no sign of life while suspect' }])
  })

  it('never delays a crash: after a refused probe the second one follows at the configured interval', () => {
    const fd = new FailureDetector(opts)
    fd.heartbeat('a', 1n, 1n, 0)
    fd.connected('a', 0)
    fd.stretch(3_000)
    fd.disconnected('a', 1_000) // a closed connection: probed at once whatever the allowance
    expect(fd.ready().probes).toEqual(['a'])
    fd.probeResult('a', 'refused', 1_001)
    expect(fd.nextDeadline()).toBe(1_100)
    fd.tick(1_100)
    expect(fd.ready().probes).toEqual(['a'])
    fd.probeResult('a', 'refused', 1_101)
    expect(fd.get('a')?.state).toBe('dead')
  })
})
