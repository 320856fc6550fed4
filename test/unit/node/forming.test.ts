// Which heartbeats say their node's cluster is still forming (the failure detector's forming
// rules: src/healing/failure-detector.ts).
import { describe, expect, it } from 'vitest'
import { forming } from '../../../src/node/services/membership.js'

describe('forming: a cluster forms until its first leader', () => {
  it('holds a node of no cluster (term 0) as forming', () => {
    expect(forming(0n, '')).toBe(true)
  })

  it('holds a founded cluster that has never elected a leader (term 1, no leader) as forming', () => {
    expect(forming(1n, '')).toBe(true)
  })

  it('holds a node that names a leader as formed', () => {
    expect(forming(1n, 'peer-a')).toBe(false)
  })

  it('holds a node past its first election as formed, with or without a leader now', () => {
    expect(forming(2n, '')).toBe(false)
    expect(forming(7n, 'peer-a')).toBe(false)
  })
})
