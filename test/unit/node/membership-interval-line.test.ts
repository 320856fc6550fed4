// The debug line of each heartbeat interval (Membership.intervalLine): how late the interval's
// timer fired, and when this node last published a heartbeat — so a silent node's own log says
// whether its loop ran and whether it sent anything. Nothing at info.
import { describe, expect, it, vi } from 'vitest'
import { fakeHost, onFakeClock, quietMembership } from './membership-fixture.js'

function started (debug: boolean) {
  const lines: Array<Record<string, any>> = []
  const log = {
    debug (obj: Record<string, any>, msg: string) { if (msg === 'heartbeat interval') lines.push(obj) },
    info () {},
    warn () {},
    trace () {},
    isLevelEnabled: (level: string) => debug && level === 'debug'
  }
  const m = quietMembership(fakeHost(() => []), {}, { log })
  return { m, lines }
}

describe('Membership: a debug line each heartbeat interval', () => {
  onFakeClock()

  it('logs how late the interval fired and how long ago the last heartbeat went out', async () => {
    const { m, lines } = started(true)
    await m.start()
    await vi.advanceTimersByTimeAsync(3_000)
    expect(lines).toHaveLength(3)
    expect(lines[2]).toMatchObject({ lateMs: 0, pulses: 0 })
    expect(lines[2]!.heartbeatAgoMs).toBeGreaterThanOrEqual(0)
    expect(lines[2]!.heartbeatAgoMs).toBeLessThanOrEqual(3_000)
    expect(lines[2]!.seq).toBeGreaterThanOrEqual(1)
    m.stop()
  })

  it('logs nothing when debug is off', async () => {
    const { m, lines } = started(false)
    await m.start()
    await vi.advanceTimersByTimeAsync(3_000)
    expect(lines).toHaveLength(0)
    m.stop()
  })
})
