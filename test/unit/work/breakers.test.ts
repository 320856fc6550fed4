// The circuit breaker state machine (src/work/core/breakers.ts) on a fake clock: closed →
// open after N consecutive failures or a failing share of the window → half-open after the
// cool-down → closed on a probe's success, open again on its failure.
import { describe, expect, it } from 'vitest'
import { Breakers } from '../../../src/work/core/breakers.js'

const T0 = 1_000_000

describe('circuit breakers', () => {
  it('opens after N consecutive failures, and a success in between starts the count again', () => {
    const b = new Breakers({ failures: 3, coolDownMs: 10_000 })
    b.failure('p', T0, 'boom')
    b.failure('p', T0 + 1, 'boom')
    b.success('p', T0 + 2)
    b.failure('p', T0 + 3, 'boom')
    b.failure('p', T0 + 4, 'boom')
    expect(b.state('p')).toBe('closed')
    expect(b.allow('p', T0 + 4)).toBe(true)
    b.failure('p', T0 + 5, 'boom')
    expect(b.state('p')).toBe('open')
    expect(b.allow('p', T0 + 6)).toBe(false)
    expect(b.transitions()).toEqual([expect.objectContaining({ target: 'p', from: 'closed', to: 'open', failures: 3, at: T0 + 5 })])
    expect(b.transitions()).toEqual([])
    expect(b.list()).toEqual([expect.objectContaining({ target: 'p', state: 'open', failures: 3, retryAt: T0 + 5 + 10_000 })])
  })

  it('goes half-open after the cool-down, lets exactly one probe through, and closes when it succeeds', () => {
    const b = new Breakers({ failures: 2, coolDownMs: 10_000 })
    b.failure('p', T0, 'x')
    b.failure('p', T0, 'x')
    b.transitions()
    b.tick(T0 + 9_999)
    expect(b.state('p')).toBe('open')
    b.tick(T0 + 10_000)
    expect(b.state('p')).toBe('half-open')
    expect(b.transitions().map(t => t.to)).toEqual(['half-open'])
    expect(b.wouldAllow('p', T0 + 10_001)).toBe(true)
    expect(b.allow('p', T0 + 10_001)).toBe(true)
    expect(b.allow('p', T0 + 10_002)).toBe(false)
    b.success('p', T0 + 10_500)
    expect(b.state('p')).toBe('closed')
    expect(b.anyOpen).toBe(false)
    expect(b.transitions()).toEqual([expect.objectContaining({ from: 'half-open', to: 'closed', reason: 'probe succeeded' })])
  })

  it('opens again when the probe fails, for another cool-down', () => {
    const b = new Breakers({ failures: 1, coolDownMs: 5_000 })
    b.failure('h', T0, 'x')
    b.tick(T0 + 5_000)
    expect(b.allow('h', T0 + 5_000)).toBe(true)
    b.failure('h', T0 + 5_100, 'still broken')
    expect(b.state('h')).toBe('open')
    expect(b.list()[0]!.retryAt).toBe(T0 + 5_100 + 5_000)
    b.tick(T0 + 10_000)
    expect(b.state('h')).toBe('open')
    b.tick(T0 + 10_100)
    expect(b.state('h')).toBe('half-open')
    expect(b.transitions().map(t => t.to)).toEqual(['open', 'half-open', 'open', 'half-open'])
  })

  it('lets another probe through when one never reports within a cool-down', () => {
    const b = new Breakers({ failures: 1, coolDownMs: 1_000 })
    b.failure('p', T0, 'x')
    b.tick(T0 + 1_000)
    expect(b.allow('p', T0 + 1_000)).toBe(true)
    expect(b.allow('p', T0 + 1_999)).toBe(false)
    expect(b.allow('p', T0 + 2_000)).toBe(true)
  })

  it('opens on a failing share of the window even without N in a row', () => {
    const b = new Breakers({ failures: 5, coolDownMs: 1_000, window: 10, ratio: 0.6 })
    // fail, fail, ok, repeated: never 5 in a row, but 2/3 fail.
    for (let i = 0; i < 9; i++) {
      if (i % 3 === 2) b.success('p', T0 + i)
      else b.failure('p', T0 + i, 'x')
    }
    expect(b.state('p')).toBe('closed')
    b.failure('p', T0 + 9, 'x')
    expect(b.state('p')).toBe('open')
    expect(b.transitions()[0]!.reason).toMatch(/7 of the last 10 failed/)
  })

  it('is off with failures = 0, and forgets a target silently', () => {
    const off = new Breakers({ failures: 0, coolDownMs: 1_000 })
    for (let i = 0; i < 100; i++) off.failure('p', T0, 'x')
    expect(off.state('p')).toBe('closed')
    expect(off.list()).toEqual([])
    const b = new Breakers({ failures: 1, coolDownMs: 1_000 })
    b.failure('p', T0, 'x')
    expect(b.anyOpen).toBe(true)
    b.forget('p')
    expect(b.anyOpen).toBe(false)
    expect(b.state('p')).toBe('closed')
  })

  it('keeps targets apart', () => {
    const b = new Breakers({ failures: 2, coolDownMs: 1_000 })
    b.failure('a', T0, 'x')
    b.failure('b', T0, 'x')
    b.failure('a', T0, 'x')
    expect(b.state('a')).toBe('open')
    expect(b.state('b')).toBe('closed')
    expect(b.openTargets()).toEqual(['a'])
  })
})
