// Frames as liveness (src/healing/liveness.ts): which peers a quiet heartbeat may leave out.
import { describe, expect, it } from 'vitest'
import { heartbeatSkips, type FrameLivenessPeer } from '../../../src/healing/liveness.js'
import { FailureDetector } from '../../../src/healing/failure-detector.js'

const peer = (peerId: string, lastFrameSentAt: number | undefined, framesAlive = true): FrameLivenessPeer => ({ peerId, framesAlive, lastFrameSentAt })

describe('heartbeatSkips', () => {
  const all = new Set(['a', 'b', 'c', 'd', 'e'])

  it('leaves out a peer that counts frames, got the last full heartbeat and was sent a frame within the window', () => {
    const peers = [peer('a', 9_500), peer('b', 9_000), peer('c', 8_999), peer('d', undefined), peer('e', 9_900, false)]
    expect([...heartbeatSkips(peers, all, 10_000, 1_000, true)].sort()).toEqual(['a', 'b'])
  })

  it('leaves out nobody while the mesh is not settled (a relay may be needed)', () => {
    expect(heartbeatSkips([peer('a', 9_999)], all, 10_000, 1_000, false).size).toBe(0)
  })

  it('never leaves out a peer that was not sent the content it repeats', () => {
    expect(heartbeatSkips([peer('x', 9_999)], all, 10_000, 1_000, true).size).toBe(0)
  })

  it('never leaves out an older peer, which does not count frames', () => {
    expect(heartbeatSkips([peer('a', 9_999, false)], all, 10_000, 1_000, true).size).toBe(0)
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
