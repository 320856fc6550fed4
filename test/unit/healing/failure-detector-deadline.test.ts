// The failure detector's next deadline (nextDeadline): the membership shell arms one timer for
// it instead of ticking every 25 ms, so it must name every moment at which tick() would act.
import { describe, expect, it } from 'vitest'
import { FailureDetector, type ProbeOutcome } from '../../../src/healing/failure-detector.js'
import { mulberry32 } from '../../../src/prng.js'

const opts = { probeAfterMs: 1_000, probeIntervalMs: 100, deadAfterMs: 2_000 }

describe('failure detector deadlines', () => {
  it('has no deadline with no members, and none for a peer that left', () => {
    const fd = new FailureDetector(opts)
    expect(fd.nextDeadline()).toBe(Infinity)
    fd.heartbeat('a', 1n, 1n, 0, true)
    expect(fd.get('a')?.state).toBe('left')
    expect(fd.nextDeadline()).toBe(Infinity)
  })

  it('is probeAfterMs after the last heartbeat, and moves with each heartbeat', () => {
    const fd = new FailureDetector(opts)
    fd.heartbeat('a', 1n, 1n, 0)
    expect(fd.nextDeadline()).toBe(1_000)
    fd.heartbeat('a', 1n, 2n, 400)
    expect(fd.nextDeadline()).toBe(1_400)
    fd.heartbeat('b', 1n, 1n, 300)
    expect(fd.nextDeadline()).toBe(1_300)
    fd.tick(1_299)
    expect(fd.ready().probes).toEqual([])
    fd.tick(1_300)
    expect(fd.ready().probes).toEqual(['b'])
  })

  it('waits on the probe result, not on time, while a live or dead peer is probed', () => {
    const fd = new FailureDetector(opts)
    fd.heartbeat('a', 1n, 1n, 0)
    fd.tick(1_000)
    expect(fd.ready().probes).toEqual(['a'])
    expect(fd.nextDeadline()).toBe(Infinity)
    fd.probeResult('a', false, 1_200) // suspect: a second probe probeIntervalMs after the first, dead after deadAfterMs
    expect(fd.get('a')?.state).toBe('suspect')
    expect(fd.nextDeadline()).toBe(1_100) // already past: due at once
    fd.tick(1_200)
    expect(fd.ready().probes).toEqual(['a'])
    expect(fd.nextDeadline()).toBe(1_200 + 2_000) // suspect since 1 200 (silent since 0)
    fd.probeResult('a', false, 1_400)
    expect(fd.get('a')?.state).toBe('dead')
    expect(fd.nextDeadline()).toBe(1_200 + 2_000) // dead: probed again deadAfterMs after the last probe
  })

  it('names every moment tick() acts: a detector ticked only at its deadlines matches one ticked every millisecond', () => {
    const seen = { suspicions: 0, deaths: 0, refuted: 0 }
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const rng = mulberry32(seed)
      const fine = new FailureDetector(opts)
      const lazy = new FailureDetector(opts)
      const peers = ['a', 'b', 'c', 'd']
      const seq = new Map<string, bigint>()
      const pending: Array<{ at: number, peer: string, ok: ProbeOutcome }> = []
      let lazyTicks = 0
      const both = (fn: (fd: FailureDetector) => void): void => { fn(fine); fn(lazy) }
      for (let t = 0; t < 30_000; t++) {
        // Inputs, identical for both: heartbeats that stop and resume, connection events, probe results.
        const r = rng()
        const peer = peers[Math.floor(rng() * peers.length)]!
        const quiet = Math.floor(t / 4_000) % peers.length === peers.indexOf(peer) // each peer goes silent in turn
        if (r < 0.004 && !quiet) {
          const s = (seq.get(peer) ?? 0n) + 1n
          seq.set(peer, s)
          both(fd => fd.heartbeat(peer, 1n, s, t))
        } else if (r < 0.0045) {
          both(fd => fd.connected(peer, t))
        } else if (r < 0.005) {
          both(fd => fd.disconnected(peer, t))
        } else if (r < 0.0052) {
          both(fd => fd.expect(peer, 1n, t))
        }
        for (let i = pending.length - 1; i >= 0; i--) {
          const p = pending[i]!
          if (p.at !== t) continue
          pending.splice(i, 1)
          both(fd => fd.probeResult(p.peer, p.ok, t))
        }
        fine.tick(t)
        if (t >= lazy.nextDeadline()) {
          lazy.tick(t)
          lazyTicks++
        }
        const a = fine.ready()
        const b = lazy.ready()
        expect({ t, ...b }).toEqual({ t, ...a })
        for (const p of a.probes) {
          const silent = Math.floor(t / 4_000) % peers.length === peers.indexOf(p)
          const x = rng()
          pending.push({ at: t + 1 + Math.floor(rng() * 600), peer: p, ok: x < 0.5 && !silent ? 'answered' : x < 0.75 ? 'refused' : 'timed-out' })
        }
      }
      expect(fine.counters).toEqual(lazy.counters)
      expect(lazyTicks).toBeLessThan(3_000) // vs 30 000 ticks for the fine one
      seen.suspicions += lazy.counters.suspicions
      seen.deaths += lazy.counters.deaths
      seen.refuted += lazy.counters.refutedSuspicions
    }
    // The inputs reach every state: suspicion, refutation and death.
    expect(seen.suspicions).toBeGreaterThan(0)
    expect(seen.deaths).toBeGreaterThan(0)
    expect(seen.refuted).toBeGreaterThan(0)
  })
})
