import { describe, expect, it } from 'vitest'
import { REFERENCE_LATENCY_MS, serviceQuality } from '../../../src/pheromone/index.js'

describe('service quality', () => {
  it('more tasks deposit more pheromone', () => {
    expect(serviceQuality({ tasks: 10, latencyMs: 50 })).toBeGreaterThan(serviceQuality({ tasks: 5, latencyMs: 50 }))
  })

  it('a batch served at the reference latency deposits half its task count', () => {
    expect(serviceQuality({ tasks: 8, latencyMs: REFERENCE_LATENCY_MS })).toBe(4)
  })

  it('an instant batch deposits its task count', () => {
    expect(serviceQuality({ tasks: 3, latencyMs: 0 })).toBe(3)
  })

  it('an empty or malformed sample deposits nothing', () => {
    expect(serviceQuality({ tasks: 0, latencyMs: 10 })).toBe(0)
    expect(serviceQuality({ tasks: Number.NaN, latencyMs: 10 })).toBe(0)
    expect(serviceQuality({ tasks: 4, latencyMs: Infinity })).toBe(0)
  })
})
