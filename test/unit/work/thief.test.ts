// How much a thief asks for: a fair share of what its victim advertises, reached by doubling
// from an eighth of it, so that many thieves starting on one new job are each served a small
// first grant at once instead of queueing behind each other's fair shares.
import { describe, expect, it } from 'vitest'
import { mulberry32 } from '../../../src/prng.js'
import { RAMP_FIRST_PART, Thief } from '../../../src/work/core/thief.js'
import { PREFETCH_PER_SLOT, type PeerInfo } from '../../../src/work/core/types.js'
import { JOB_LIMITS } from '../../../src/work/limits.js'

const SELF = 'thief'
const alive = (): boolean => false

/** The home advertises `queued` tasks; nine other peers (the thief among them) hold none. */
function mesh (queued: number): PeerInfo[] {
  return [{ peerId: 'home', queued, capabilities: [] }, ...Array.from({ length: 9 }, (_, i) => ({ peerId: i === 0 ? SELF : `p${i}`, queued: 0, capabilities: [] }))]
}

describe('Thief: how much to ask for', () => {
  const SLOTS = 4
  const least = SLOTS * PREFETCH_PER_SLOT * 2
  const share = Math.ceil(10_000 / 11)

  it('asks first for an eighth of its fair share, then twice what it got, up to the fair share', () => {
    const thief = new Thief()
    const rng = mulberry32(1)
    const wants: number[] = []
    for (let i = 0; i < 6; i++) {
      const plan = thief.plan(mesh(10_000), SELF, alive, SLOTS, i, rng)
      expect(plan?.victim).toBe('home')
      wants.push(plan!.want)
      thief.answered('home', plan!.want, 10_000, 5, i)
    }
    const first = Math.ceil(share / RAMP_FIRST_PART)
    expect(wants).toEqual([first, first * 2, first * 4, share, share, share])
  })

  it('never asks for less than a few tasks per slot, nor more than a batch', () => {
    const small = new Thief()
    expect(small.plan(mesh(50), SELF, alive, SLOTS, 0, mulberry32(1))?.want).toBe(least)
    const big = new Thief()
    const rng = mulberry32(2)
    let want = 0
    for (let i = 0; i < 12; i++) {
      want = big.plan(mesh(1_000_000), SELF, alive, SLOTS, i, rng)!.want
      big.answered('home', want, 1_000_000, 5, i)
    }
    expect(want).toBe(JOB_LIMITS.batchTasks)
  })

  it('starts again from an eighth after a steal found nothing (the next job is new work)', () => {
    const thief = new Thief()
    const rng = mulberry32(3)
    for (let i = 0; i < 4; i++) {
      const plan = thief.plan(mesh(10_000), SELF, alive, SLOTS, i, rng)!
      thief.answered('home', plan.want, 10_000, 5, i)
    }
    expect(thief.plan(mesh(10_000), SELF, alive, SLOTS, 10, rng)?.want).toBe(share)
    thief.answered('home', 0, 0, 5, 10)
    // The empty answer rules the home out briefly; its next heartbeat advertises a new job.
    thief.advertised('home')
    expect(thief.plan(mesh(10_000), SELF, alive, SLOTS, 11, rng)?.want).toBe(Math.ceil(share / RAMP_FIRST_PART))
  })
})
