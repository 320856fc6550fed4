import { describe, expect, it } from 'vitest'
import { FORMING_PATIENCE, FailureDetector } from '../../../src/healing/failure-detector.js'

const opts = { probeAfterMs: 1_000, probeIntervalMs: 100, deadAfterMs: 2_000 }

function detector (): FailureDetector {
  return new FailureDetector(opts)
}

/** A detector whose peer 'a' was heard, lost its connection and refused two probes: dead by 201 ms. */
function deadByRefusals (): FailureDetector {
  const fd = detector()
  fd.heartbeat('a', 1n, 1n, 0)
  fd.disconnected('a', 10)
  fd.probeResult('a', false, 11)
  fd.tick(200)
  fd.probeResult('a', false, 201)
  expect(fd.get('a')?.state).toBe('dead')
  return fd
}

/** A detector whose connected peer 'a', heard at 0, is due a silence probe at 1 000 ms (asked for, not yet drained). */
function probedAt1000 (): FailureDetector {
  const fd = detector()
  fd.heartbeat('a', 1n, 1n, 0)
  fd.connected('a', 0)
  fd.ready()
  fd.tick(1_000)
  return fd
}

describe('failure detector', () => {
  it('marks a peer alive on its first heartbeat', () => {
    const fd = detector()
    fd.heartbeat('a', 1n, 1n, 0)
    expect(fd.get('a')?.state).toBe('alive')
    expect(fd.ready().transitions).toEqual([{ peerId: 'a', from: 'unknown', to: 'alive', reason: 'first heartbeat' }])
  })

  it('does not suspect a peer whose heartbeats keep arriving', () => {
    const fd = detector()
    for (let t = 0; t < 60_000; t += 200) {
      fd.heartbeat('a', 1n, BigInt(t + 1), t)
      fd.tick(t + 100)
    }
    expect(fd.get('a')?.state).toBe('alive')
    expect(fd.ready().probes).toEqual([])
    expect(fd.counters.suspicions).toBe(0)
  })

  it('probes a silent peer before suspecting it', () => {
    const fd = detector()
    fd.heartbeat('a', 1n, 1n, 0)
    fd.ready()
    fd.tick(999)
    expect(fd.ready().probes).toEqual([])
    fd.tick(1_000)
    const out = fd.ready()
    expect(out.probes).toEqual(['a'])
    expect(out.transitions).toEqual([])
    expect(fd.get('a')?.state).toBe('alive')
  })

  it('keeps a silent peer alive when its probe is answered', () => {
    const fd = detector()
    fd.heartbeat('a', 1n, 1n, 0)
    fd.tick(1_000)
    fd.ready()
    fd.probeResult('a', true, 1_010)
    fd.tick(1_500)
    expect(fd.get('a')?.state).toBe('alive')
    expect(fd.ready().probes).toEqual([])
  })

  it('suspects after one failed probe and declares death after a second', () => {
    const fd = detector()
    fd.heartbeat('a', 1n, 1n, 0)
    fd.tick(1_000)
    fd.ready()
    fd.probeResult('a', false, 1_010)
    expect(fd.get('a')?.state).toBe('suspect')
    fd.tick(1_050)
    expect(fd.ready().probes).toEqual([]) // probe interval not yet elapsed
    fd.tick(1_110)
    expect(fd.ready().probes).toEqual(['a'])
    fd.probeResult('a', false, 1_120)
    expect(fd.get('a')?.state).toBe('dead')
    expect(fd.counters.deaths).toBe(1)
  })

  it('probes at once when the last connection closes, so a crash is caught fast', () => {
    const fd = detector()
    fd.heartbeat('a', 1n, 1n, 0)
    fd.connected('a', 0)
    fd.ready()
    fd.disconnected('a', 50)
    expect(fd.ready().probes).toEqual(['a'])
    fd.probeResult('a', false, 52)
    fd.tick(152)
    expect(fd.ready().probes).toEqual(['a'])
    fd.probeResult('a', false, 153)
    expect(fd.get('a')?.state).toBe('dead')
  })

  it('does not suspect a peer whose connection closed but which answers the probe', () => {
    const fd = detector()
    fd.heartbeat('a', 1n, 1n, 0)
    fd.disconnected('a', 50)
    fd.ready()
    fd.probeResult('a', true, 55)
    expect(fd.get('a')?.state).toBe('alive')
    expect(fd.counters.suspicions).toBe(0)
  })

  it('declares a suspect dead when probes never answer', () => {
    const fd = detector()
    fd.heartbeat('a', 1n, 1n, 0)
    fd.tick(1_000)
    fd.ready()
    fd.probeResult('a', false, 1_100) // suspect at 1100; later probes hang (no result)
    fd.tick(1_300)
    fd.tick(3_099)
    expect(fd.get('a')?.state).toBe('suspect')
    fd.tick(3_100)
    expect(fd.get('a')?.state).toBe('dead')
  })

  it('refutes a suspicion with a heartbeat and counts the refutation', () => {
    const fd = detector()
    fd.heartbeat('a', 1n, 1n, 0)
    fd.tick(1_000)
    fd.probeResult('a', false, 1_010)
    fd.heartbeat('a', 1n, 2n, 1_020)
    expect(fd.get('a')?.state).toBe('alive')
    expect(fd.counters.refutedSuspicions).toBe(1)
  })

  it('ignores stale heartbeats', () => {
    const fd = detector()
    fd.heartbeat('a', 2n, 5n, 0)
    expect(fd.heartbeat('a', 2n, 5n, 10)).toBe(false)
    expect(fd.heartbeat('a', 2n, 4n, 10)).toBe(false)
    expect(fd.heartbeat('a', 1n, 99n, 10)).toBe(false)
    expect(fd.counters.staleHeartbeats).toBe(3)
    expect(fd.heartbeat('a', 2n, 6n, 10)).toBe(true)
  })

  it('marks a peer left on a leave announcement and ignores its later probes and disconnects', () => {
    const fd = detector()
    fd.heartbeat('a', 1n, 1n, 0)
    fd.heartbeat('a', 1n, 2n, 10, true)
    expect(fd.get('a')?.state).toBe('left')
    fd.disconnected('a', 20)
    fd.tick(10_000)
    expect(fd.ready().probes).toEqual([])
    expect(fd.get('a')?.state).toBe('left')
  })

  it('brings a left peer back only with a newer incarnation', () => {
    const fd = detector()
    fd.heartbeat('a', 1n, 1n, 0, true)
    expect(fd.heartbeat('a', 1n, 9n, 10)).toBe(false)
    expect(fd.get('a')?.state).toBe('left')
    expect(fd.heartbeat('a', 2n, 1n, 20)).toBe(true)
    expect(fd.get('a')?.state).toBe('alive')
  })

  it('revives a dead peer that heartbeats again after a restart', () => {
    const fd = deadByRefusals()
    fd.heartbeat('a', 2n, 1n, 5_000)
    expect(fd.get('a')?.state).toBe('alive')
  })

  it('keeps probing a dead peer, slowly, and revives it when a probe is answered', () => {
    const fd = deadByRefusals()
    fd.ready()
    fd.tick(1_000)
    expect(fd.ready().probes).toEqual([])
    fd.tick(200 + opts.deadAfterMs)
    expect(fd.ready().probes).toEqual(['a'])
    fd.probeResult('a', false, 201 + opts.deadAfterMs)
    expect(fd.get('a')?.state).toBe('dead')
    fd.tick(200 + 2 * opts.deadAfterMs)
    expect(fd.ready().probes).toEqual(['a'])
    fd.probeResult('a', true, 201 + 2 * opts.deadAfterMs)
    expect(fd.get('a')?.state).toBe('alive')
    expect(fd.ready().transitions.map(t => `${t.from}->${t.to} ${t.reason}`)).toEqual(['dead->alive probe answered'])
  })

  it('does not probe a peer twice while a probe is in flight', () => {
    const fd = detector()
    fd.heartbeat('a', 1n, 1n, 0)
    fd.tick(1_000)
    fd.disconnected('a', 1_001)
    fd.tick(2_000)
    expect(fd.ready().probes).toEqual(['a'])
  })

  it('restores a suspect that reconnects', () => {
    const fd = detector()
    fd.heartbeat('a', 1n, 1n, 0)
    fd.disconnected('a', 1)
    fd.probeResult('a', false, 2)
    expect(fd.get('a')?.state).toBe('suspect')
    fd.connected('a', 3)
    expect(fd.get('a')?.state).toBe('alive')
  })

  it('expects a configured member never heard from: probes it after the silence and holds it dead after two failed probes', () => {
    const fd = detector()
    fd.expect('gone', 3n, 0)
    expect(fd.ready().transitions).toEqual([{ peerId: 'gone', from: 'unknown', to: 'alive', reason: 'a member not heard from yet' }])
    fd.tick(999)
    expect(fd.ready().probes).toEqual([])
    fd.tick(1_000)
    expect(fd.ready().probes).toEqual(['gone'])
    fd.probeResult('gone', false, 1_010)
    fd.tick(1_200)
    expect(fd.ready().probes).toEqual(['gone'])
    fd.probeResult('gone', false, 1_210)
    expect(fd.get('gone')?.state).toBe('dead')
    // The death is about the incarnation last remembered.
    expect(fd.get('gone')?.incarnation).toBe(3n)
  })

  it('leaves an expected member alive once it heartbeats, and ignores expect for a peer it knows', () => {
    const fd = detector()
    fd.heartbeat('a', 2n, 5n, 0)
    fd.expect('a', 1n, 10)
    expect(fd.get('a')).toMatchObject({ incarnation: 2n, seq: 5n, lastHeardAt: 0 })
    fd.expect('b', 1n, 0)
    fd.heartbeat('b', 1n, 1n, 500)
    fd.tick(1_400)
    expect(fd.ready().probes).not.toContain('b')
    expect(fd.get('b')?.state).toBe('alive')
  })
})

// How a probe failed (issue 14, bench/scale): only refusals count toward the fast death; a
// timed-out probe (a slow process on a starved machine, or a host cut off) makes the peer
// suspect, and dead only after deadAfterMs of silence.
describe('failure detector: refused vs timed-out probes', () => {
  it('declares a peer dead fast after two refused probes', () => {
    const fd = detector()
    fd.heartbeat('a', 1n, 1n, 0)
    fd.connected('a', 0)
    fd.ready()
    fd.disconnected('a', 500)
    expect(fd.ready().probes).toEqual(['a'])
    fd.probeResult('a', 'refused', 501)
    expect(fd.get('a')?.state).toBe('suspect')
    fd.tick(600)
    const second = fd.ready()
    expect(second.probes).toEqual(['a'])
    fd.probeResult('a', 'refused', 601)
    expect(fd.get('a')?.state).toBe('dead')
    expect([...second.transitions, ...fd.ready().transitions].map(t => t.reason)).toEqual(['probe refused', 'second probe refused'])
  })

  it('keeps a peer whose probes time out suspect, and declares it dead only after deadAfterMs of silence', () => {
    const fd = detector()
    fd.heartbeat('a', 1n, 1n, 0)
    fd.ready()
    fd.tick(1_000)
    expect(fd.ready().probes).toEqual(['a'])
    fd.probeResult('a', 'timed-out', 1_500)
    expect(fd.get('a')?.state).toBe('suspect')
    expect(fd.get('a')?.stateSince).toBe(1_500)
    // Probes keep timing out: still suspect, however many.
    let t = 1_500
    for (let i = 0; i < 3; i++) {
      fd.tick(t + 100)
      expect(fd.ready().probes).toEqual(['a'])
      t += 600
      fd.probeResult('a', 'timed-out', t)
      expect(fd.get('a')?.state).toBe('suspect')
    }
    expect(t).toBeLessThan(1_500 + opts.deadAfterMs)
    // Dead once silent for deadAfterMs and suspect for deadAfterMs.
    fd.tick(1_500 + opts.deadAfterMs - 1)
    expect(fd.get('a')?.state).toBe('suspect')
    fd.tick(1_500 + opts.deadAfterMs)
    expect(fd.get('a')?.state).toBe('dead')
    expect(fd.ready().transitions.map(t => t.reason)).toEqual(['no sign of life while suspect'])
    expect(fd.counters).toMatchObject({ suspicions: 1, deaths: 1 })
    expect(fd.nextDeadline()).toBeGreaterThan(1_500 + opts.deadAfterMs)
  })

  it('clears a timed-out suspicion with a heartbeat or an answered probe', () => {
    const fd = detector()
    fd.heartbeat('a', 1n, 1n, 0)
    fd.heartbeat('b', 1n, 1n, 0)
    fd.tick(1_000)
    fd.ready()
    fd.probeResult('a', 'timed-out', 1_500)
    fd.probeResult('b', 'timed-out', 1_500)
    expect(fd.get('a')?.state).toBe('suspect')
    fd.heartbeat('a', 1n, 2n, 1_800)
    expect(fd.get('a')?.state).toBe('alive')
    fd.tick(1_600)
    fd.probeResult('b', 'answered', 1_900)
    expect(fd.get('b')?.state).toBe('alive')
    expect(fd.counters).toMatchObject({ suspicions: 2, refutedSuspicions: 2, deaths: 0 })
  })

  it('needs two refusals: a timeout and a refusal are not enough for the fast death, nor are two refusals with an answer between', () => {
    const fd = detector()
    fd.heartbeat('a', 1n, 1n, 0)
    fd.tick(1_000)
    fd.probeResult('a', 'timed-out', 1_500)
    fd.tick(1_600)
    fd.probeResult('a', 'refused', 1_601)
    expect(fd.get('a')?.state).toBe('suspect')
    fd.tick(1_701)
    fd.probeResult('a', 'refused', 1_702)
    expect(fd.get('a')?.state).toBe('dead')

    fd.heartbeat('b', 1n, 1n, 0)
    fd.disconnected('b', 10)
    fd.probeResult('b', 'refused', 11)
    fd.tick(200)
    fd.probeResult('b', 'answered', 201)
    expect(fd.get('b')?.state).toBe('alive')
    fd.disconnected('b', 300)
    fd.probeResult('b', 'refused', 301)
    expect(fd.get('b')?.state).toBe('suspect')
  })

  it('keeps probing a dead peer and revives it on an answer, whatever the failures were', () => {
    const fd = detector()
    fd.heartbeat('a', 1n, 1n, 0)
    fd.tick(1_000)
    fd.probeResult('a', 'timed-out', 1_500)
    fd.tick(1_500 + opts.deadAfterMs)
    expect(fd.get('a')?.state).toBe('dead')
    fd.ready()
    fd.tick(1_500 + 2 * opts.deadAfterMs)
    expect(fd.ready().probes).toEqual(['a'])
    fd.probeResult('a', 'timed-out', 2_000 + 2 * opts.deadAfterMs)
    expect(fd.get('a')?.state).toBe('dead')
    fd.tick(2_000 + 3 * opts.deadAfterMs)
    expect(fd.ready().probes).toEqual(['a'])
    fd.probeResult('a', 'answered', 2_001 + 3 * opts.deadAfterMs)
    expect(fd.get('a')?.state).toBe('alive')
  })

  it('treats true and false as answered and refused', () => {
    const fd = deadByRefusals()
    fd.tick(200 + opts.deadAfterMs)
    fd.probeResult('a', true, 300 + opts.deadAfterMs)
    expect(fd.get('a')?.state).toBe('alive')
  })

  it('probes a quiet peer only after probeAfterMs plus the quiet_ms it announced, at most twice probeAfterMs', () => {
    const fd = detector()
    fd.heartbeat('a', 1n, 1n, 0, false, 500)
    fd.tick(opts.probeAfterMs + 499)
    expect(fd.ready().probes).toEqual([])
    expect(fd.nextDeadline()).toBe(opts.probeAfterMs + 500)
    fd.tick(opts.probeAfterMs + 500)
    expect(fd.ready().probes).toEqual(['a'])

    // an older peer (no quiet_ms): the usual silence
    const old = detector()
    old.heartbeat('b', 1n, 1n, 0, false, 500)
    old.heartbeat('b', 1n, 2n, 100)
    old.tick(100 + opts.probeAfterMs)
    expect(old.ready().probes).toEqual(['b'])

    // a peer cannot buy itself unbounded silence
    const greedy = detector()
    greedy.heartbeat('c', 1n, 1n, 0, false, 3_600_000)
    expect(greedy.nextDeadline()).toBe(2 * opts.probeAfterMs)
  })

  it('does not suspect a peer heard from while its timed-out probe was out; a refused one still counts', () => {
    const fd = detector()
    fd.heartbeat('a', 1n, 1n, 0)
    fd.tick(1_000)
    expect(fd.ready().probes).toEqual(['a'])
    fd.heartbeat('a', 1n, 2n, 1_200)
    fd.probeResult('a', 'timed-out', 1_500)
    expect(fd.get('a')?.state).toBe('alive')
    expect(fd.counters).toMatchObject({ suspicions: 0, heardTimeouts: 1 })
    // silent again: the next probe is judged from the heartbeat at 1 200
    expect(fd.nextDeadline()).toBe(2_200)
    fd.tick(2_200)
    expect(fd.ready().probes).toEqual(['a'])
    fd.probeResult('a', 'timed-out', 2_700)
    expect(fd.get('a')?.state).toBe('suspect')

    // a crash right after a heartbeat: the refusal counts
    fd.heartbeat('b', 1n, 1n, 0)
    fd.disconnected('b', 100)
    fd.heartbeat('b', 1n, 2n, 101)
    fd.probeResult('b', 'refused', 102)
    expect(fd.get('b')?.state).toBe('suspect')

    // a probe the shell ran of its own (sentAt given): judged from when it was sent
    fd.heartbeat('c', 1n, 1n, 0)
    fd.probeResult('c', 'timed-out', 600, 500)
    expect(fd.get('c')?.state).toBe('suspect')
  })

  it('does not suspect a peer a leader vouched for while its timed-out probe was out, though the vouch is dated before the probe left; one dated back that came before it does not count', () => {
    const fd = detector()
    fd.heartbeat('a', 1n, 1n, 0)
    fd.tick(1_000)
    expect(fd.ready().probes).toEqual(['a'])
    // A vouch at 1 300 (the probe left at 1 000): the leader heard 'a' within the 500 ms before it.
    fd.signOfLife('a', 800, 1_300)
    expect(fd.get('a')?.lastHeardAt).toBe(800)
    fd.probeResult('a', 'timed-out', 1_500)
    expect(fd.get('a')?.state).toBe('alive')
    expect(fd.counters).toMatchObject({ suspicions: 0, heardTimeouts: 1 })
    // No vouch names it any more: the next probe, a second after the vouch's date, suspects it.
    expect(fd.nextDeadline()).toBe(1_800)
    fd.tick(1_800)
    expect(fd.ready().probes).toEqual(['a'])
    fd.probeResult('a', 'timed-out', 2_300)
    expect(fd.get('a')?.state).toBe('suspect')

    // A vouch that came before the probe left, however it is dated, is no news to the probe.
    fd.heartbeat('b', 1n, 1n, 0)
    fd.signOfLife('b', 200, 700)
    fd.tick(1_200)
    expect(fd.ready().probes).toEqual(['b'])
    fd.probeResult('b', 'timed-out', 1_700)
    expect(fd.get('b')?.state).toBe('suspect')
  })

  it('judges a peer that announces lag that much later: its silence, its probe\'s wait and its time as a suspect, at most probeAfterMs', () => {
    const fd = detector()
    fd.heartbeat('a', 1n, 1n, 0, false, 0, false, 700)
    fd.tick(opts.probeAfterMs + 699)
    expect(fd.ready().probes).toEqual([])
    expect(fd.nextDeadline()).toBe(opts.probeAfterMs + 700)
    fd.stretch(300)
    expect(fd.probeWaitMs('a', 500)).toBe(500 + 300 + 700)
    expect(fd.probeWaitMs('unknown', 500)).toBe(800)
    fd.stretch(0)
    fd.tick(opts.probeAfterMs + 700)
    expect(fd.ready().probes).toEqual(['a'])
    fd.probeResult('a', 'timed-out', 2_000)
    expect(fd.get('a')?.state).toBe('suspect')
    fd.tick(2_000 + opts.deadAfterMs + 699)
    expect(fd.get('a')?.state).toBe('suspect')
    fd.tick(2_000 + opts.deadAfterMs + 700)
    expect(fd.get('a')?.state).toBe('dead')

    // its next heartbeat without lag: the usual silence again
    fd.heartbeat('a', 1n, 2n, 10_000, false, 0, false, 0)
    fd.tick(10_000 + opts.probeAfterMs)
    expect(fd.ready().probes).toContain('a')

    // a peer cannot buy itself unbounded patience
    const greedy = detector()
    greedy.heartbeat('c', 1n, 1n, 0, false, 0, false, 3_600_000)
    expect(greedy.nextDeadline()).toBe(2 * opts.probeAfterMs)
    expect(greedy.probeWaitMs('c', 500)).toBe(500 + opts.probeAfterMs)
  })

  it('changes nothing on an inconclusive probe but probes the peer again after the gap', () => {
    const fd = probedAt1000()
    expect(fd.ready().probes).toEqual(['a'])
    fd.probeResult('a', 'inconclusive', 1_050)
    expect(fd.get('a')?.state).toBe('alive')
    expect(fd.ready().transitions).toEqual([])
    expect(fd.counters.inconclusiveProbes).toBe(1)
    expect(fd.nextDeadline()).toBe(1_000 + opts.probeIntervalMs)
    fd.tick(1_000 + opts.probeIntervalMs)
    expect(fd.ready().probes).toEqual(['a'])
  })

  it('takes a second inconclusive probe in a row as timed out, so a silent peer is still judged', () => {
    const fd = probedAt1000()
    fd.ready()
    fd.probeResult('a', 'inconclusive', 1_050)
    fd.tick(1_100)
    fd.probeResult('a', 'inconclusive', 1_150)
    expect(fd.get('a')?.state).toBe('suspect')
    expect(fd.ready().transitions.map(t => t.reason)).toEqual(['probe timed out'])
  })

  it('starts the count of inconclusive probes again after a sign of life or another outcome', () => {
    const fd = probedAt1000()
    fd.probeResult('a', 'inconclusive', 1_050)
    fd.heartbeat('a', 1n, 2n, 1_060)
    fd.tick(2_100)
    fd.probeResult('a', 'inconclusive', 2_150)
    expect(fd.get('a')?.state).toBe('alive')
    fd.tick(2_250)
    fd.probeResult('a', 'answered', 2_300)
    fd.tick(3_300)
    fd.probeResult('a', 'inconclusive', 3_350)
    expect(fd.get('a')?.state).toBe('alive')
    expect(fd.counters.inconclusiveProbes).toBe(3)
  })
})

describe('failure detector: while the cluster is forming', () => {
  /**
   * A peer heard once at 0 (forming as given; `reached`: connected to at 0, closed at once and
   * its probe answered), silent since, probed at 1 000 and timed out at 1 500.
   */
  function timedOutOnce (peerForming: boolean, selfForming: boolean, reached = true): FailureDetector {
    const fd = detector()
    fd.forming(selfForming)
    fd.heartbeat('a', 1n, 1n, 0, false, 0, peerForming)
    if (reached) {
      fd.connected('a', 0)
      fd.disconnected('a', 0)
      fd.probeResult('a', 'answered', 0)
      fd.ready()
    }
    fd.tick(1_000)
    expect(fd.ready().probes).toEqual(['a'])
    fd.probeResult('a', 'timed-out', 1_500)
    return fd
  }

  it('does not suspect a peer that belongs to no cluster yet when its probe times out', () => {
    const fd = timedOutOnce(true, false)
    expect(fd.get('a')?.state).toBe('alive')
    expect(fd.ready().transitions).toEqual([])
    expect(fd.counters.suspicions).toBe(0)
    expect(fd.counters.formingTimeouts).toBe(1)
  })

  it('does not suspect any peer on a timed-out probe while this node belongs to no cluster yet', () => {
    const fd = timedOutOnce(false, true)
    expect(fd.get('a')?.state).toBe('alive')
    expect(fd.counters.suspicions).toBe(0)
  })

  it('suspects a peer whose probe times out once both belong to the cluster', () => {
    const fd = timedOutOnce(false, false)
    expect(fd.get('a')?.state).toBe('suspect')
    expect(fd.counters.formingTimeouts).toBe(0)
  })

  it('keeps a silent forming peer alive through its patience, probing it again only after another probeAfterMs', () => {
    const fd = timedOutOnce(true, true)
    fd.ready()
    expect(fd.nextDeadline()).toBe(1_000 + opts.probeAfterMs)
    fd.tick(1_999)
    expect(fd.ready().probes).toEqual([])
    fd.tick(2_000)
    expect(fd.ready().probes).toEqual(['a'])
    fd.probeResult('a', 'timed-out', 2_500)
    // Patience: FORMING_PATIENCE × (probeAfterMs + deadAfterMs) = 30 s of silence.
    const patience = FORMING_PATIENCE * (opts.probeAfterMs + opts.deadAfterMs)
    fd.tick(patience - 1_000)
    expect(fd.ready().probes).toEqual(['a'])
    fd.probeResult('a', 'timed-out', patience - 1)
    expect(fd.get('a')?.state).toBe('alive')
    expect(fd.counters.suspicions).toBe(0)
  })

  it('suspects a forming peer silent past its patience, which then dies as any silent suspect (a peer stopped for good is not shown alive for ever)', () => {
    const fd = timedOutOnce(true, true)
    const patience = FORMING_PATIENCE * (opts.probeAfterMs + opts.deadAfterMs)
    fd.tick(patience)
    expect(fd.ready().probes).toEqual(['a'])
    fd.probeResult('a', 'timed-out', patience + 500)
    expect(fd.get('a')?.state).toBe('suspect')
    fd.tick(patience + 500 + opts.deadAfterMs)
    expect(fd.get('a')?.state).toBe('dead')
  })

  /** A forming peer heard at 0, relayed: never connected to, never probed. */
  function unreached (): FailureDetector {
    const fd = detector()
    fd.forming(true)
    fd.heartbeat('a', 1n, 1n, 0, false, 0, true)
    fd.ready()
    return fd
  }

  it('does not probe a silent forming peer it never reached directly, and keeps it alive past any patience', () => {
    const fd = unreached()
    const patience = FORMING_PATIENCE * (opts.probeAfterMs + opts.deadAfterMs)
    expect(fd.nextDeadline()).toBe(Infinity)
    fd.tick(10 * patience)
    expect(fd.ready()).toEqual({ probes: [], transitions: [] })
    expect(fd.get('a')?.state).toBe('alive')
  })

  it('probes a forming peer for silence once a connection to it opened, and runs its patience from then on', () => {
    const fd = unreached()
    fd.connected('a', 500)
    expect(fd.nextDeadline()).toBe(500 + opts.probeAfterMs)
    const patience = FORMING_PATIENCE * (opts.probeAfterMs + opts.deadAfterMs)
    fd.tick(500 + patience)
    expect(fd.ready().probes).toEqual(['a'])
    fd.probeResult('a', 'timed-out', 500 + patience + 500)
    expect(fd.get('a')?.state).toBe('suspect')
  })

  it('probes every silent peer once this node and the peer belong to the cluster, reached or not', () => {
    const fd = detector()
    fd.heartbeat('a', 1n, 1n, 0)
    fd.tick(opts.probeAfterMs)
    expect(fd.ready().probes).toEqual(['a'])
  })

  it('stretches the patience by this node\'s lag allowance', () => {
    const fd = timedOutOnce(true, true)
    fd.stretch(5_000)
    const patience = FORMING_PATIENCE * (opts.probeAfterMs + opts.deadAfterMs)
    fd.tick(patience + 1_000)
    fd.ready()
    fd.probeResult('a', 'timed-out', patience + 4_000)
    expect(fd.get('a')?.state).toBe('alive')
  })

  it('still declares a forming peer dead at its second refused probe, as fast as any peer', () => {
    const fd = detector()
    fd.forming(true)
    fd.heartbeat('a', 1n, 1n, 0, false, 0, true)
    fd.disconnected('a', 10)
    expect(fd.ready().probes).toEqual(['a'])
    fd.probeResult('a', 'refused', 11)
    expect(fd.get('a')?.state).toBe('suspect')
    fd.tick(111)
    expect(fd.ready().probes).toEqual(['a'])
    fd.probeResult('a', 'refused', 112)
    expect(fd.get('a')?.state).toBe('dead')
  })

  it('judges a peer by the usual rules once its heartbeat says it joined a cluster', () => {
    const fd = timedOutOnce(true, false)
    fd.heartbeat('a', 1n, 2n, 1_600, false, 0, false)
    fd.tick(2_600)
    expect(fd.ready().probes).toEqual(['a'])
    fd.probeResult('a', 'timed-out', 3_100)
    expect(fd.get('a')?.state).toBe('suspect')
  })

  it('judges every peer by the usual rules once this node has joined a cluster', () => {
    const fd = timedOutOnce(false, true)
    fd.forming(false)
    fd.tick(2_000)
    expect(fd.ready().probes).toEqual(['a'])
    fd.probeResult('a', 'timed-out', 2_500)
    expect(fd.get('a')?.state).toBe('suspect')
  })
})
