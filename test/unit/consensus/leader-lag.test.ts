// A follower waits for its Raft leader by the leader's announced lag too (src/healing/lag.ts,
// raftStretchTicks), as the consensus shell computes it before every tick: the larger of its own
// allowance and its leader's lag_ms as its failure detector holds it, in ticks. Time is the
// cluster's ticks (a fake clock: TICK_MS each), the detectors are the real ones.
import { describe, expect, it } from 'vitest'
import { FailureDetector } from '../../../src/healing/failure-detector.js'
import { LAG_FLOOR_MS, LagAllowance, raftStretchTicks } from '../../../src/healing/lag.js'
import type { NodeId } from '../../../src/consensus/index.js'
import { Cluster } from './cluster.js'

const TICK_MS = 30
const PROBE_AFTER_MS = 3_000
/** The cap in ticks: no leader's lag stretches a follower more. */
const CAP_TICKS = PROBE_AFTER_MS / TICK_MS
/** The cluster's election timeout is drawn from [ELECTION, 2 × ELECTION) ticks. */
const ELECTION = 10

/** The shell's part: a detector a node, what each heard from the leader, the stretch before each tick. */
class Shell {
  readonly detectors = new Map<NodeId, FailureDetector>()
  private seq = 0n

  constructor (readonly c: Cluster, ids: readonly NodeId[]) {
    for (const id of ids) this.detectors.set(id, new FailureDetector({ probeAfterMs: PROBE_AFTER_MS, deadAfterMs: PROBE_AFTER_MS }))
  }

  /** `from`'s membership heartbeat, announcing `lagMs`, reaches every node in `to`. */
  announce (from: NodeId, lagMs: number, to: readonly NodeId[]): void {
    this.seq++
    for (const id of to) this.detectors.get(id)!.heartbeat(from, 1n, this.seq, 0, false, 0, false, lagMs)
  }

  /** What ConsensusService.tick() passes the core (src/node/services/consensus.ts). */
  stretchTicks (id: NodeId): number {
    return raftStretchTicks(this.detectors.get(id)!, id, this.c.core(id).leaderId(), TICK_MS)
  }

  /** `n` ticks of `ids`, each stretched first as the shell does. */
  tick (n: number, ids: readonly NodeId[]): void {
    for (let i = 0; i < n; i++) {
      for (const id of ids) this.c.core(id).stretchElection(this.stretchTicks(id))
      this.c.tick(1, ids)
    }
  }
}

/** a leads b and c; then a stops (SIGSTOP: no message from it, no tick, no closed connection). */
function stoppedLeader (seed = 1): { c: Cluster, shell: Shell, term: number } {
  const c = new Cluster(['a', 'b', 'c'], { seed })
  const shell = new Shell(c, ['b', 'c'])
  c.elect('a')
  const term = c.core('a').status().term
  c.tick(1)
  c.isolate('a')
  return { c, shell, term }
}

function newLeader (c: Cluster, term: number): NodeId | undefined {
  return c.leaders().find(n => n.id !== 'a' && n.core.status().term > term)?.id
}

describe('a follower stretches its election timeout by its leader\'s announced lag', () => {
  it('does not time out a leader that announced lag within the stretched window, and does after it', () => {
    const { c, shell, term } = stoppedLeader()
    shell.announce('a', 2_400, ['b', 'c'])
    expect(shell.stretchTicks('b')).toBe(80)
    // the earliest timeout: ELECTION + 80 ticks after the last heartbeat
    shell.tick(ELECTION + 80 - 1, ['b', 'c'])
    for (const id of ['b', 'c']) {
      expect(c.core(id).status().role).toBe('follower')
      expect(c.core(id).status().leader).toBe('a')
      expect(c.core(id).status().term).toBe(term)
    }
    // the latest: 2 × ELECTION + 80, and a pre-vote and a vote round after it
    shell.tick(ELECTION + 3, ['b', 'c'])
    expect(newLeader(c, term)).toBeDefined()
  })

  it('replaces a leader that stops heartbeating within the election timeout plus the cap, however much lag it announced', () => {
    const untilReplaced = (lagMs: number | null, seed: number): number => {
      const { c, shell, term } = stoppedLeader(seed)
      if (lagMs !== null) shell.announce('a', lagMs, ['b', 'c'])
      let ticks = 0
      while (newLeader(c, term) === undefined && ticks < 10 * CAP_TICKS) {
        shell.tick(1, ['b', 'c'])
        ticks++
      }
      return ticks
    }
    const greedy = stoppedLeader()
    greedy.shell.announce('a', 600_000, ['b'])
    expect(greedy.shell.stretchTicks('b')).toBe(CAP_TICKS)
    for (let seed = 1; seed <= 50; seed++) {
      const plain = untilReplaced(null, seed)
      const lagged = untilReplaced(600_000, seed)
      expect(plain).toBeLessThan(10 * CAP_TICKS)
      expect(lagged).toBeGreaterThanOrEqual(ELECTION + CAP_TICKS)
      expect(lagged).toBeLessThanOrEqual(plain + CAP_TICKS)
    }
  })

  it('with no lag (a leader at rest, lateness under the floor) runs exactly as with no stretch at all', () => {
    const atRest = new LagAllowance(PROBE_AFTER_MS)
    for (let t = 0; t < 5_000; t += 1_000) atRest.observe(LAG_FLOOR_MS - 1, t)
    const lagMs = atRest.allowance(5_000)
    expect(lagMs).toBe(0)
    for (let seed = 1; seed <= 10; seed++) {
      const stretched = stoppedLeader(seed)
      stretched.shell.announce('a', lagMs, ['b', 'c'])
      const plain = stoppedLeader(seed)
      for (let i = 0; i < 3 * ELECTION; i++) {
        stretched.shell.tick(1, ['b', 'c'])
        plain.c.tick(1, ['b', 'c'])
        for (const id of ['b', 'c']) expect(stretched.c.core(id).status()).toEqual(plain.c.core(id).status())
      }
      expect(newLeader(plain.c, plain.term)).toBeDefined()
    }
  })

  it('only ever delays: its own larger allowance stands, and the leader stretches by its own alone', () => {
    const { c, shell } = stoppedLeader()
    shell.announce('a', 600, ['b', 'c'])
    shell.detectors.get('b')!.stretch(1_500)
    expect(shell.stretchTicks('b')).toBe(50)
    expect(shell.stretchTicks('c')).toBe(20)
    // a leader hears no leader but itself
    const lead = new Shell(c, ['a'])
    lead.detectors.get('a')!.heartbeat('b', 1n, 1n, 0, false, 0, false, 3_000)
    expect(c.core('a').leaderId()).toBe('a')
    expect(lead.stretchTicks('a')).toBe(0)
  })

  it('forgets a dead leader\'s lag: a follower that knows no leader waits its own timeout', () => {
    const { c, shell } = stoppedLeader()
    shell.announce('a', 3_000, ['b'])
    const d = shell.detectors.get('b')!
    expect(d.lagOf('a')).toBe(3_000)
    d.probeResult('a', 'refused', 10)
    d.probeResult('a', 'refused', 20)
    d.tick(30)
    expect(d.get('a')?.state).toBe('dead')
    expect(d.lagOf('a')).toBe(0)
    expect(d.lagOf('nobody')).toBe(0)
    c.core('b').leaderLost()
    expect(c.core('b').leaderId()).toBeNull()
    expect(shell.stretchTicks('b')).toBe(0)
  })

  it('is as fast after a crash: leaderLost drops the leader at once, whatever lag it announced', () => {
    const { c, shell, term } = stoppedLeader()
    shell.announce('a', 3_000, ['b', 'c'])
    for (const id of ['b', 'c']) c.core(id).leaderLost()
    shell.tick(4, ['b', 'c'])
    expect(newLeader(c, term)).toBeDefined()
  })

  it('the pre-vote lease follows: a voter that holds its leader\'s lag refuses a pre-vote for the stretched lease', () => {
    // b holds a's lag, c never heard it (no membership heartbeat from a): c times out first,
    // and b, still in its stretched lease, refuses c's pre-votes until that lease ends
    const { c, shell, term } = stoppedLeader()
    shell.announce('a', 3_000, ['b'])
    shell.tick(2 * ELECTION + 2, ['b', 'c'])
    expect(c.core('c').status().role).toBe('pre-candidate')
    expect(c.core('b').counters.votesIgnoredInLease).toBeGreaterThan(0)
    shell.tick(ELECTION + CAP_TICKS - (2 * ELECTION + 2) - 1, ['b', 'c'])
    expect(newLeader(c, term)).toBeUndefined()
    expect(c.core('c').status().term).toBe(term)
    // the lease ends (ELECTION + CAP_TICKS): c's next pre-vote round wins
    shell.tick(2 * ELECTION + 3, ['b', 'c'])
    expect(newLeader(c, term)).toBe('c')

    // without the leader's lag b grants it as soon as c asks after its own timeout
    const plain = stoppedLeader()
    plain.shell.tick(2 * ELECTION + 3, ['b', 'c'])
    expect(newLeader(plain.c, plain.term)).toBeDefined()
  })
})
