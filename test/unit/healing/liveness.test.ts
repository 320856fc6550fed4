// Frames as liveness (src/healing/liveness.ts): which peers a quiet heartbeat may leave out.
import { describe, expect, it } from 'vitest'
import { quietPlan, type FrameLivenessPeer } from '../../../src/healing/liveness.js'
import { FailureDetector } from '../../../src/healing/failure-detector.js'

const peer = (peerId: string, lastFrameSentAt: number | undefined, framesAlive = true, pulsable = true): FrameLivenessPeer => ({ peerId, framesAlive, lastFrameSentAt, pulsable })
const sorted = (s: Set<string>): string[] => [...s].sort()

describe('quietPlan', () => {
  const all = new Set(['a', 'b', 'c', 'd', 'e'])
  const peers = [peer('a', 9_500), peer('b', 9_000), peer('c', 8_999), peer('d', undefined), peer('e', 9_900, false)]

  it('leaves out a peer that counts frames and got the last full heartbeat; one sent no frame within the window gets a pulse', () => {
    const plan = quietPlan(peers, all, 10_000, 1_000, true)
    expect(sorted(plan.leaveOut)).toEqual(['a', 'b', 'c', 'd'])
    expect(sorted(plan.pulse)).toEqual(['c', 'd'])
  })

  it('leaves out a peer a pulse cannot reach (not a member) only if it was just sent a frame', () => {
    const plan = quietPlan(peers.map(p => ({ ...p, pulsable: false })), all, 10_000, 1_000, true)
    expect(sorted(plan.leaveOut)).toEqual(['a', 'b'])
    expect(plan.pulse.size).toBe(0)
  })

  it('leaves out nobody while the mesh is not settled (a relay may be needed)', () => {
    const plan = quietPlan(peers, all, 10_000, 1_000, false)
    expect(plan.leaveOut.size + plan.pulse.size).toBe(0)
  })

  it('never leaves out a peer that was not sent the content it repeats', () => {
    const plan = quietPlan([peer('x', 9_999), peer('y', undefined)], all, 10_000, 1_000, true)
    expect(plan.leaveOut.size + plan.pulse.size).toBe(0)
  })

  it('never leaves out an older peer, which does not count frames', () => {
    const plan = quietPlan([peer('a', 9_999, false), peer('b', undefined, false)], all, 10_000, 1_000, true)
    expect(plan.leaveOut.size + plan.pulse.size).toBe(0)
  })

  it('pulses only go to peers it leaves out', () => {
    for (const settled of [true, false]) {
      for (const pulsable of [true, false]) {
        const plan = quietPlan(peers.map(p => ({ ...p, pulsable })), all, 10_000, 1_000, settled)
        for (const p of plan.pulse) expect(plan.leaveOut.has(p)).toBe(true)
      }
    }
  })
})

describe('FailureDetector.signOfLife', () => {
  const opts = { probeAfterMs: 3_000, deadAfterMs: 3_000 }

  it('keeps a live peer from being probed for silence, as heartbeats do', () => {
    const d = new FailureDetector(opts)
    d.heartbeat('p', 1n, 1n, 0, false, 1_000)
    d.ready()
    for (let t = 600; t <= 20_000; t += 600) {
      d.signOfLife('p', t)
      d.tick(t)
      expect(d.ready().probes).toEqual([])
    }
    expect(d.get('p')!.state).toBe('alive')
    // The frames stop: silence is judged from the last one, with the quiet margin.
    expect(d.nextDeadline()).toBe(19_800 + 3_000 + 1_000)
    d.tick(19_800 + 4_000)
    expect(d.ready().probes).toEqual(['p'])
  })

  it('clears no suspicion and revives no dead or departed peer', () => {
    const d = new FailureDetector(opts)
    d.heartbeat('s', 1n, 1n, 0)
    d.heartbeat('x', 1n, 1n, 0)
    d.heartbeat('l', 1n, 1n, 0, true)
    d.probeResult('s', 'timed-out', 10)
    d.probeResult('x', 'refused', 10)
    d.probeResult('x', 'refused', 20)
    expect([d.get('s')!.state, d.get('x')!.state, d.get('l')!.state]).toEqual(['suspect', 'dead', 'left'])
    for (const p of ['s', 'x', 'l', 'unknown']) d.signOfLife(p, 100)
    expect([d.get('s')!.state, d.get('x')!.state, d.get('l')!.state]).toEqual(['suspect', 'dead', 'left'])
    expect(d.get('s')!.lastHeardAt).toBe(0)
    expect(d.get('unknown')).toBeUndefined()
    // the suspect still dies after dead-after of silence
    d.ready()
    d.tick(10 + 3_000)
    expect(d.ready().transitions.map(t => `${t.peerId}:${t.to}`)).toEqual(['s:dead'])
  })
})
