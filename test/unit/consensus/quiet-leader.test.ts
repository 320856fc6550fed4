// A quiet leader (RaftOptions.idleHeartbeatTicks): with nothing in flight it heartbeats every
// IDLE ticks and says so, its followers then wait IDLE_ELECTION (+ jitter) before they
// campaign, and the first proposal brings the busy rate back at once. Ticks are the fake clock.
import { describe, expect, it } from 'vitest'
import type { Message } from '../../../src/consensus/index.js'
import { Cluster } from './cluster.js'

const ELECTION = 10
const IDLE = 20
const IDLE_ELECTION = 50
const core = { heartbeatTicks: 1, electionTicks: ELECTION, idleHeartbeatTicks: IDLE, idleElectionTicks: IDLE_ELECTION }

/**
 * A 3-node cluster whose leader `a` has just sent its first quiet round (at the last tick);
 * `sent` records every message from then on.
 */
function quietCluster (): { c: Cluster, sent: Message[] } {
  const c = new Cluster(['a', 'b', 'c'], { core })
  c.elect('a')
  for (let i = 0; i < 5 && !c.core('a').isQuiet(); i++) c.tick(1)
  expect(c.core('a').isQuiet()).toBe(true)
  const sent: Message[] = []
  c.filter = (m) => { sent.push(m); return true }
  return { c, sent }
}

const heartbeatsFrom = (sent: readonly Message[], id: string): Message[] => sent.filter((m) => m.type === 'heartbeat' && m.from === id)

describe('a quiet leader', () => {
  it('goes quiet once every follower holds and was told the whole log, and says so', () => {
    const c = new Cluster(['a', 'b', 'c'], { core })
    const sent: Message[] = []
    c.filter = (m) => { sent.push(m); return true }
    c.elect('a')
    expect(c.core('a').isQuiet()).toBe(false)
    c.tick(3)
    const quiet = heartbeatsFrom(sent, 'a').filter((m) => m.type === 'heartbeat' && m.quiet === true)
    // one round, carrying the final commit index
    expect(quiet.length).toBe(2)
    for (const m of quiet) expect(m.type === 'heartbeat' && m.commit).toBe(c.core('a').status().commit)
  })

  it('arms no heartbeat before IDLE ticks, then one round every IDLE ticks', () => {
    const { c, sent } = quietCluster()
    c.tick(IDLE - 1)
    expect(heartbeatsFrom(sent, 'a')).toHaveLength(0)
    c.tick(1)
    expect(heartbeatsFrom(sent, 'a')).toHaveLength(2)
    c.tick(5 * IDLE)
    expect(heartbeatsFrom(sent, 'a')).toHaveLength(12)
    expect(heartbeatsFrom(sent, 'a').every((m) => m.type === 'heartbeat' && m.quiet === true)).toBe(true)
  })

  it('sends an append at once, without waiting for a tick, and is busy until it is committed everywhere', () => {
    const { c, sent } = quietCluster()
    c.tick(5)
    expect(c.propose('a', 'x').ok).toBe(true)
    c.settle()
    const appends = sent.filter((m) => m.type === 'append' && m.from === 'a' && m.entries.length > 0)
    expect(appends.map((m) => m.to).sort()).toEqual(['b', 'c'])
    for (const id of ['a', 'b', 'c']) expect(c.node(id).applied).toEqual(['x'])
    // the next tick is busy (a plain heartbeat with the busy interval)...
    sent.length = 0
    c.tick(1)
    expect(c.core('a').isQuiet()).toBe(true)
    // ...which already finds everything settled: the round it sends is quiet again
    expect(heartbeatsFrom(sent, 'a').every((m) => m.type === 'heartbeat' && m.quiet === true)).toBe(true)
    expect(heartbeatsFrom(sent, 'a')).toHaveLength(2)
  })

  it('stays busy while a follower lags behind', () => {
    const { c, sent } = quietCluster()
    c.isolate('c')
    expect(c.propose('a', 'x').ok).toBe(true)
    c.settle()
    sent.length = 0
    c.tick(IDLE)
    expect(c.core('a').isQuiet()).toBe(false)
    // busy: a heartbeat every tick (heartbeatTicks 1) to each follower
    expect(heartbeatsFrom(sent, 'a').filter((m) => m.to === 'b').length).toBe(IDLE)
    expect(heartbeatsFrom(sent, 'a').some((m) => m.type === 'heartbeat' && m.quiet === true)).toBe(false)
    c.heal()
    c.tick(2)
    expect(c.node('c').applied).toEqual(['x'])
    c.tick(2)
    expect(c.core('a').isQuiet()).toBe(true)
  })

  it('keeps its followers from campaigning between quiet heartbeats, over many rounds', () => {
    const { c } = quietCluster()
    const term = c.core('a').status().term
    c.tick(20 * IDLE)
    expect(c.core('a').status().role).toBe('leader')
    for (const id of ['a', 'b', 'c']) expect(c.core(id).status().term).toBe(term)
    expect(c.core('b').counters.preVotesStarted + c.core('c').counters.preVotesStarted).toBe(0)
    expect(c.core('b').hasQuorumContact()).toBe(true)
  })
})

describe('followers of a quiet leader', () => {
  it('campaign only after IDLE_ELECTION (+ jitter) ticks of silence, and then win', () => {
    const { c } = quietCluster()
    const term = c.core('a').status().term
    c.stop('a')
    c.tick(IDLE_ELECTION - 1, ['b', 'c'])
    expect(c.core('b').counters.preVotesStarted + c.core('c').counters.preVotesStarted).toBe(0)
    expect(c.core('b').hasQuorumContact()).toBe(true)
    c.tick(ELECTION + 2, ['b', 'c'])
    const leaders = c.leaders().filter((n) => n.id !== 'a')
    expect(leaders).toHaveLength(1)
    expect(leaders[0]!.core.status().term).toBeGreaterThan(term)
  })

  it('drop the quiet lease at once when the failure detector saw the leader die (leaderLost)', () => {
    const { c } = quietCluster()
    c.stop('a')
    c.core('b').leaderLost()
    c.core('c').leaderLost()
    c.tick(4, ['b', 'c'])
    expect(c.leaders().filter((n) => n.id !== 'a')).toHaveLength(1)
  })

  it('lose quorum contact after the quiet lease, not the busy one', () => {
    const { c } = quietCluster()
    c.isolate('b')
    c.tick(ELECTION + 1, ['b'])
    expect(c.core('b').hasQuorumContact()).toBe(true)
    c.tick(IDLE_ELECTION, ['b'])
    expect(c.core('b').hasQuorumContact()).toBe(false)
  })

  it('go back to the busy timeout with the next append', () => {
    const { c } = quietCluster()
    c.propose('a', 'x')
    c.settle()
    // b heard an append last: busy lease (ELECTION), so cut off now it would campaign soon
    c.isolate('b')
    c.tick(2 * ELECTION, ['b'])
    expect(c.core('b').counters.preVotesStarted).toBeGreaterThan(0)
  })
})

describe('a quiet leader cut off from its followers', () => {
  it('steps down by check-quorum within two quiet leases', () => {
    const { c } = quietCluster()
    c.isolate('a')
    c.tick(2 * IDLE_ELECTION, ['a'])
    expect(c.core('a').status().role).toBe('follower')
    expect(c.core('a').hasQuorumContact()).toBe(false)
  })

  it('is replaced by the others while it still believes it leads: terms keep Raft safe', () => {
    const { c } = quietCluster()
    const term = c.core('a').status().term
    c.isolate('a')
    c.tick(IDLE_ELECTION + 2 * ELECTION)
    const others = c.leaders().filter((n) => n.id !== 'a')
    expect(others).toHaveLength(1)
    expect(others[0]!.core.status().term).toBeGreaterThan(term)
    // the old leader cannot commit anything in its term any more
    const before = c.core('a').status().commit
    c.core('a').propose(new TextEncoder().encode('lost'))
    c.tick(1, ['a'])
    expect(c.core('a').status().commit).toBe(before)
    c.heal()
    c.tick(3)
    expect(c.leaders()).toHaveLength(1)
    expect(c.node('a').applied).not.toContain('lost')
  })
})
