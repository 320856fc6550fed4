import { describe, expect, it } from 'vitest'
import { Greeter } from '../../../src/healing/greeting.js'

describe('Greeter', () => {
  it('greets at once when nothing went out within the gap', () => {
    const g = new Greeter(20)
    expect(g.subscribed(0)).toBe(0)
    g.published(0)
    expect(g.subscribed(25)).toBe(0)
  })

  it('defers a subscription inside the gap to its end, once for all of them', () => {
    const g = new Greeter(20)
    g.published(100) // the start-up heartbeat, which may have reached nobody
    expect(g.subscribed(106)).toBe(14)
    expect(g.subscribed(110)).toBeNull()
    expect(g.due()).toBe(true)
    g.published(120)
    expect(g.subscribed(121)).toBe(19)
  })

  it('drops the deferred greeting when a heartbeat went out meanwhile', () => {
    const g = new Greeter(20)
    g.published(0)
    expect(g.subscribed(5)).toBe(15)
    g.published(10) // the periodic heartbeat reached the new peer too
    expect(g.due()).toBe(false)
  })
})
