import { describe, expect, it } from 'vitest'
import { DeathTally, OpinionOutbox, declaredDead, majority, needsAlive, type Opinion, type TallyInput } from '../../../src/healing/death-quorum.js'

/** A fake clock: tests move it forward explicitly. */
class Clock {
  now = 1_000_000
  advance (ms: number): number {
    this.now += ms
    return this.now
  }
}

const VOTERS = ['a', 'b', 'c']

function dead (peerId: string, incarnation = 1, reason = 'second probe failed'): Opinion {
  return { peerId, incarnation, reason }
}

function input (clock: Clock, over: Partial<TallyInput> = {}): TallyInput {
  return { now: clock.now, self: 'a', voters: VOTERS, learners: [], dead: new Map(), known: new Map(), ...over }
}

function ops (ds: ReturnType<DeathTally['decide']>): string[] {
  return ds.map(d => `${d.op} ${d.peerId}@${d.incarnation}`)
}

describe('death tally: who may get a peer declared dead', () => {
  it('needs a majority of the voter set, counting the dead voter in the set', () => {
    expect(majority(3)).toBe(2)
    expect(majority(4)).toBe(3)
    expect(majority(5)).toBe(3)
  })

  it('does not declare a healthy peer dead on the word of one voter with a bad link', () => {
    const clock = new Clock()
    const t = new DeathTally()
    t.report('b', [dead('c')], clock.now)
    t.report('a', [], clock.now)
    expect(t.decide(input(clock))).toEqual([])
    // Nor later, while the others keep seeing it alive.
    clock.advance(500)
    t.report('b', [dead('c')], clock.now)
    expect(t.decide(input(clock))).toEqual([])
  })

  it('declares a peer dead once a majority of voters agree, the leader counting as one', () => {
    const clock = new Clock()
    const t = new DeathTally()
    t.report('a', [dead('c', 4)], clock.now)
    expect(t.decide(input(clock))).toEqual([])
    t.report('b', [dead('c', 4)], clock.now)
    const ds = t.decide(input(clock))
    expect(ops(ds)).toEqual(['node.dead c@4'])
    expect(ds[0]!.op === 'node.dead' && ds[0]!.reason).toContain('2 of 3 voters')
  })

  it('proposes a death once, and again only if it is not committed after reproposeMs', () => {
    const clock = new Clock()
    const t = new DeathTally({ reproposeMs: 2_000 })
    t.report('a', [dead('c')], clock.now)
    t.report('b', [dead('c')], clock.now)
    expect(ops(t.decide(input(clock)))).toEqual(['node.dead c@1'])
    clock.advance(500)
    t.report('b', [dead('c')], clock.now)
    t.report('a', [dead('c')], clock.now)
    expect(t.decide(input(clock))).toEqual([])
    clock.advance(1_600)
    t.report('b', [dead('c')], clock.now)
    t.report('a', [dead('c')], clock.now)
    expect(ops(t.decide(input(clock)))).toEqual(['node.dead c@1'])
  })

  it('proposes nothing for a death already committed at that incarnation or later', () => {
    const clock = new Clock()
    const t = new DeathTally()
    t.report('a', [dead('c', 3)], clock.now)
    t.report('b', [dead('c', 3)], clock.now)
    expect(t.decide(input(clock, { dead: new Map([['c', { incarnation: 3 }]]) }))).toEqual([])
  })

  it('ignores opinions about an incarnation older than the one the leader knows', () => {
    const clock = new Clock()
    const t = new DeathTally()
    t.report('a', [dead('c', 3)], clock.now)
    t.report('b', [dead('c', 3)], clock.now)
    expect(t.decide(input(clock, { known: new Map([['c', { incarnation: 4, alive: true }]]) }))).toEqual([])
  })

  it('counts opinions per incarnation: votes about two lives of a peer do not add up', () => {
    const clock = new Clock()
    const t = new DeathTally()
    t.report('a', [dead('c', 3)], clock.now)
    t.report('b', [dead('c', 4)], clock.now)
    expect(t.decide(input(clock))).toEqual([])
  })

  it('ignores opinions from non-voters and about non-members or the leader itself', () => {
    const clock = new Clock()
    const t = new DeathTally()
    t.report('l', [dead('c')], clock.now) // a learner
    t.report('a', [dead('c'), dead('x'), dead('a')], clock.now)
    t.report('b', [dead('x'), dead('a')], clock.now)
    expect(t.decide(input(clock, { learners: ['l'] }))).toEqual([])
  })

  it('lets opinions expire: a voter that stops refreshing them stops counting', () => {
    const clock = new Clock()
    const t = new DeathTally({ opinionTtlMs: 3_000 })
    t.report('b', [dead('c')], clock.now)
    clock.advance(3_001)
    t.report('a', [dead('c')], clock.now)
    expect(t.decide(input(clock))).toEqual([])
  })

  it('withdraws a voter\'s opinion when it reports the peer alive again (a set without it)', () => {
    const clock = new Clock()
    const t = new DeathTally()
    t.report('b', [dead('c')], clock.now)
    t.report('b', [], clock.now)
    t.report('a', [dead('c')], clock.now)
    expect(t.decide(input(clock))).toEqual([])
  })

  it('starts from nothing after a reset: a new leader rebuilds the tally from fresh opinions', () => {
    const clock = new Clock()
    const t = new DeathTally()
    t.report('b', [dead('c')], clock.now)
    t.reset()
    t.report('a', [dead('c')], clock.now)
    expect(t.decide(input(clock))).toEqual([])
    t.report('b', [dead('c')], clock.now)
    expect(ops(t.decide(input(clock)))).toEqual(['node.dead c@1'])
  })

  it('works on five voters: two opinions are not enough, three are', () => {
    const clock = new Clock()
    const t = new DeathTally()
    const voters = ['a', 'b', 'c', 'd', 'e']
    t.report('a', [dead('e')], clock.now)
    t.report('b', [dead('e')], clock.now)
    expect(t.decide(input(clock, { voters }))).toEqual([])
    t.report('d', [dead('e')], clock.now)
    expect(ops(t.decide(input(clock, { voters })))).toEqual(['node.dead e@1'])
  })
})

describe('death tally: coming back', () => {
  it('proposes node.alive for a dead-recorded peer the leader sees alive at a newer incarnation', () => {
    const clock = new Clock()
    const t = new DeathTally()
    const recorded = new Map([['c', { incarnation: 3 }]])
    expect(t.decide(input(clock, { dead: recorded, known: new Map([['c', { incarnation: 3, alive: true }]]) }))).toEqual([])
    expect(t.decide(input(clock, { dead: recorded, known: new Map([['c', { incarnation: 4, alive: false }]]) }))).toEqual([])
    expect(ops(t.decide(input(clock, { dead: recorded, known: new Map([['c', { incarnation: 4, alive: true }]]) })))).toEqual(['node.alive c@4'])
    // Once, until reproposeMs passes.
    expect(t.decide(input(clock, { dead: recorded, known: new Map([['c', { incarnation: 4, alive: true }]]) }))).toEqual([])
  })

  it('proposes node.alive on the node\'s own claim of a newer incarnation, even before gossip shows it', () => {
    const clock = new Clock()
    const t = new DeathTally()
    const recorded = new Map([['c', { incarnation: 3 }]])
    t.claimAlive('c', 3, clock.now)
    expect(t.decide(input(clock, { dead: recorded, known: new Map([['c', { incarnation: 3, alive: false }]]) }))).toEqual([])
    t.claimAlive('c', 4, clock.now)
    expect(ops(t.decide(input(clock, { dead: recorded, known: new Map([['c', { incarnation: 3, alive: false }]]) })))).toEqual(['node.alive c@4'])
  })

  it('lets a leader that was itself declared dead clear its own record once it renewed', () => {
    const clock = new Clock()
    const t = new DeathTally()
    const recorded = new Map([['a', { incarnation: 3 }]])
    expect(ops(t.decide(input(clock, { dead: recorded, known: new Map([['a', { incarnation: 4, alive: true }]]) })))).toEqual(['node.alive a@4'])
  })
})

describe('opinion outbox: what a member sends the leader', () => {
  const set = (opinions: Opinion[], aliveIncarnation = 0): { opinions: Opinion[], aliveIncarnation: number } => ({ opinions, aliveIncarnation })

  it('sends a new opinion at once, then refreshes it every resendMs', () => {
    const clock = new Clock()
    const o = new OpinionOutbox({ resendMs: 1_000 })
    expect(o.due('L', clock.now)).toBeNull()
    o.update([dead('c')])
    const first = o.due('L', clock.now)
    expect(first).toEqual(set([dead('c')]))
    o.sent('L', first!, clock.now)
    clock.advance(999)
    expect(o.due('L', clock.now)).toBeNull()
    clock.advance(1)
    expect(o.due('L', clock.now)).toEqual(set([dead('c')]))
  })

  it('sends the empty set once when the peer comes back (withdrawal), then nothing', () => {
    const clock = new Clock()
    const o = new OpinionOutbox()
    o.update([dead('c')])
    o.sent('L', o.due('L', clock.now)!, clock.now)
    o.update([])
    expect(o.due('L', clock.now)).toEqual(set([]))
    o.sent('L', set([]), clock.now)
    clock.advance(10_000)
    expect(o.due('L', clock.now)).toBeNull()
  })

  it('sends its opinions to a new leader at once', () => {
    const clock = new Clock()
    const o = new OpinionOutbox()
    o.update([dead('c')])
    o.sent('L', o.due('L', clock.now)!, clock.now)
    expect(o.due('M', clock.now)).toEqual(set([dead('c')]))
    expect(o.due(null, clock.now)).toBeNull()
  })

  it('retries after a failed send', () => {
    const clock = new Clock()
    const o = new OpinionOutbox()
    o.update([dead('c')])
    o.sent('L', o.due('L', clock.now)!, clock.now)
    o.failed()
    expect(o.due('L', clock.now)).toEqual(set([dead('c')]))
  })

  it('claims its new incarnation, with no opinions, until the record clears', () => {
    const clock = new Clock()
    const o = new OpinionOutbox({ resendMs: 1_000 })
    o.update([], 7)
    o.sent('L', o.due('L', clock.now)!, clock.now)
    clock.advance(1_000)
    expect(o.due('L', clock.now)).toEqual(set([], 7))
    o.update([], 0)
    expect(o.due('L', clock.now)).toEqual(set([]))
  })
})

describe('dead self', () => {
  it('is declared dead when the record names its current incarnation (a pause or a partition)', () => {
    expect(declaredDead('a', 5, new Map([['a', { incarnation: 5 }]]))).toBe(true)
    expect(needsAlive('a', 5, new Map([['a', { incarnation: 5 }]]))).toBe(false)
  })

  it('is not dead after a restart: a newer incarnation than the record only needs node.alive', () => {
    expect(declaredDead('a', 6, new Map([['a', { incarnation: 5 }]]))).toBe(false)
    expect(needsAlive('a', 6, new Map([['a', { incarnation: 5 }]]))).toBe(true)
    expect(declaredDead('a', 6, new Map([['b', { incarnation: 9 }]]))).toBe(false)
  })
})
