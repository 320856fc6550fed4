// How much a thief asks for: a fair share of what its victim advertises, reached by doubling
// from an eighth of it, so that many thieves starting on one new job are each served a small
// first grant at once instead of queueing behind each other's fair shares.
import { describe, expect, it } from 'vitest'
import { mulberry32 } from '../../../src/prng.js'
import { ANSWER_DECAY, RAMP_FIRST_PART, Thief } from '../../../src/work/core/thief.js'
import { EMPTY_HINT_MS, EMPTY_QUIET_MS, PREFETCH_PER_SLOT, type PeerInfo } from '../../../src/work/core/types.js'
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

describe('Thief: when to ask again', () => {
  const SLOTS = 4

  it('keeps enough queued to cover its slowest recent steal, at least a few tasks per slot', () => {
    const thief = new Thief()
    // Nothing timed yet: PREFETCH_PER_SLOT per slot.
    expect(thief.lowWater(SLOTS, Number.NaN)).toBe(SLOTS * PREFETCH_PER_SLOT)
    expect(thief.lowWater(SLOTS, 10)).toBe(SLOTS * PREFETCH_PER_SLOT)
    const rng = mulberry32(4)
    thief.plan(mesh(10_000), SELF, alive, SLOTS, 0, rng, 10)
    // A grant that took 100 ms to come back: ten rounds of 10 ms tasks on every slot.
    thief.answered('home', 125, 9_000, 100, 100)
    expect(thief.lowWater(SLOTS, 10)).toBe(SLOTS * 10)
    // Tasks of 50 ms: two rounds cover it, and never less than PREFETCH_PER_SLOT per slot.
    expect(thief.lowWater(SLOTS, 50)).toBe(SLOTS * PREFETCH_PER_SLOT)
    // A quick answer does not forget the slow one at once, only a quarter of it per answer.
    thief.plan(mesh(9_000), SELF, alive, SLOTS, 100, rng, 10)
    thief.answered('home', 250, 8_000, 5, 105)
    expect(thief.lowWater(SLOTS, 10)).toBe(SLOTS * Math.ceil(100 * ANSWER_DECAY / 10))
    // An empty answer says nothing about how long a grant takes.
    thief.plan(mesh(8_000), SELF, alive, SLOTS, 200, rng, 10)
    thief.answered('home', 0, 0, 500, 700)
    expect(thief.lowWater(SLOTS, 10)).toBe(SLOTS * Math.ceil(100 * ANSWER_DECAY / 10))
    // Asked for: above the mark, by a few tasks per slot at least.
    thief.advertised('home')
    expect(thief.plan(mesh(50), SELF, alive, SLOTS, 800, rng, 10)?.want).toBe(SLOTS * Math.ceil(100 * ANSWER_DECAY / 10) + SLOTS * PREFETCH_PER_SLOT)
  })

  it('asks early only a peer that holds more than twice its own queue, so two thieves never trade tasks back and forth', () => {
    const thief = new Thief()
    const rng = mulberry32(5)
    const peers = (home: number, other: number): PeerInfo[] => [{ peerId: 'home', queued: home, capabilities: [] }, { peerId: 'other', queued: other, capabilities: [] }, { peerId: SELF, queued: 0, capabilities: [] }]
    // Holding 20 (more than PREFETCH_PER_SLOT per slot): a peer advertising 30 is not asked...
    expect(thief.plan(peers(0, 30), SELF, alive, SLOTS, 0, rng, 10, 20)).toBeUndefined()
    // ...and no retry is set for it: the ordinary steal comes when the queue runs low.
    expect(thief.retryAt).toBe(Infinity)
    expect(thief.plan(peers(0, 40), SELF, alive, SLOTS, 0, rng, 10, 20)).toBeUndefined()
    // A peer advertising more than twice that is.
    expect(thief.plan(peers(0, 41), SELF, alive, SLOTS, 0, rng, 10, 20)?.victim).toBe('other')
    thief.answered('other', 0, 0, 5, 0)
    // Below PREFETCH_PER_SLOT per slot, any peer with work is asked, as before.
    thief.advertised('other')
    expect(thief.plan(peers(0, 3), SELF, alive, SLOTS, 1, rng, 10, SLOTS * PREFETCH_PER_SLOT - 1)?.victim).toBe('other')
  })
})

describe('Thief: after a steal that found nothing', () => {
  const SLOTS = 4
  /** The end of a job: three peers still advertise work in their last heartbeats. */
  const stale: PeerInfo[] = [{ peerId: 'home', queued: 100, capabilities: [] }, { peerId: 'p1', queued: 50, capabilities: [] }, { peerId: 'p2', queued: 50, capabilities: [] }, { peerId: SELF, queued: 0, capabilities: [] }]

  /** A thief whose first steal (at 0) was answered empty at 2. */
  function foundNothing (seed: number): { thief: Thief, rng: ReturnType<typeof mulberry32>, first: string } {
    const thief = new Thief()
    const rng = mulberry32(seed)
    const first = thief.plan(stale, SELF, alive, SLOTS, 0, rng)!.victim
    thief.answered(first, 0, 0, 2, 2)
    return { thief, rng, first }
  }

  it('asks no other peer for EMPTY_QUIET_MS, then the next one', () => {
    const { thief, rng, first } = foundNothing(6)
    expect(thief.plan(stale, SELF, alive, SLOTS, 3, rng)).toBeUndefined()
    expect(thief.plan(stale, SELF, alive, SLOTS, 2 + EMPTY_QUIET_MS - 1, rng)).toBeUndefined()
    // Looked at again when the quiet ends.
    expect(thief.retryAt).toBe(2 + EMPTY_QUIET_MS)
    const next = thief.plan(stale, SELF, alive, SLOTS, 2 + EMPTY_QUIET_MS, rng)
    expect(next).toBeDefined()
    // The empty victim is still ruled out (EMPTY_HINT_MS > EMPTY_QUIET_MS).
    expect(EMPTY_HINT_MS).toBeGreaterThan(EMPTY_QUIET_MS)
    expect(next!.victim).not.toBe(first)
  })

  it('asks at once when a heartbeat advertises work meanwhile', () => {
    const { thief, rng } = foundNothing(7)
    thief.advertised('p2')
    expect(thief.plan(stale, SELF, alive, SLOTS, 3, rng)).toBeDefined()
  })

  it('is not quiet after a steal that brought tasks', () => {
    const { thief, rng } = foundNothing(8)
    thief.advertised('home')
    const second = thief.plan(stale, SELF, alive, SLOTS, 3, rng)!
    thief.answered(second.victim, 10, 40, 2, 5)
    expect(thief.plan(stale, SELF, alive, SLOTS, 6, rng)).toBeDefined()
  })
})
