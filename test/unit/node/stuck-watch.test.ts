// The stuck-job watch (the shell of src/healing/stuck.ts): it turns the tracker's decisions
// into job.stuck / job.unstuck events and carries out the repairs — a re-send and a probe —
// recording them in the event. A fake engine and membership, a fake clock.
import { describe, expect, it } from 'vitest'
import type { JobEvidence } from '../../../src/healing/stuck.js'
import { EventLog } from '../../../src/node/observe/events.js'
import { StuckWatch } from '../../../src/node/services/stuck-watch.js'

function setup (evidence: () => JobEvidence[], peers: Array<{ peerId: string, name: string, state: string, lastSeenMs: number, capabilities: string[] }>) {
  let now = 100_000
  const resent: string[] = []
  const probed: string[] = []
  const events = new EventLog(() => now)
  const watch = new StuckWatch({
    engine: {
      started: true,
      stuckEvidence: (before: number) => evidence().filter(j => j.lastProgressAt < before),
      resendTo: (peer: string) => { resent.push(peer); return 2 },
      unansweredSince: () => undefined,
      isFenced: false,
      capabilities: ['handler:work']
    } as never,
    membership: { view: () => peers, probeNow: (p: string) => { probed.push(p) } },
    isDead: () => false,
    quorumLastContactMs: () => 0,
    events,
    log: { info: () => {}, warn: () => {} },
    self: 'home',
    now: () => now
  }, { afterMs: 5_000 })
  return { watch, events, resent, probed, tick: (ms: number) => { now += ms } }
}

const job = (over: Partial<JobEvidence>): JobEvidence => ({ jobId: 'j1', createdAt: 90_000, lastProgressAt: 90_000, total: 3, done: 1, queued: [], waitingFor: [], running: [], retrying: 0, lent: [], recentErrors: [], ...over })

describe('the stuck-job watch', () => {
  it('emits job.stuck with the diagnosis, shows it in the job view, and job.unstuck once the job progresses', () => {
    let ev = [job({ waitingFor: ['gpu'], queued: [{ type: 'x', requires: ['gpu'], count: 2 }] })]
    const s = setup(() => ev, [])
    s.watch.check()
    const stuck = s.events.recent(10).filter(e => e.type === 'job.stuck')
    expect(stuck).toHaveLength(1)
    expect(stuck[0]!.data).toMatchObject({ id: 'j1', home: 'home', stuckForMs: 10_000, code: 'no-capable-node', capabilities: ['gpu'] })
    expect(s.watch.view('j1')).toMatchObject({ sinceMs: 10_000, code: 'no-capable-node' })
    s.tick(1_000)
    expect(s.watch.view('j1')?.sinceMs).toBe(11_000)
    s.watch.check()
    expect(s.events.recent(10).filter(e => e.type === 'job.stuck')).toHaveLength(1)
    ev = []
    s.watch.check()
    expect(s.events.recent(10).map(e => e.type)).toEqual(['job.stuck', 'job.unstuck'])
    expect(s.watch.view('j1')).toBeUndefined()
  })

  it('re-sends to and probes a suspect holder, and records that in the event', () => {
    const s = setup(() => [job({ lent: [{ peer: 'b', batches: 2, tasks: 4, lentAt: 90_000 }] })], [{ peerId: 'b', name: 'B', state: 'suspect', lastSeenMs: 8_000, capabilities: [] }])
    s.watch.check()
    expect(s.resent).toEqual(['b'])
    expect(s.probed).toEqual(['b'])
    const e = s.events.recent(1)[0]!
    expect(e.type).toBe('job.stuck')
    expect(e.data).toMatchObject({ code: 'held-by-unreachable', peers: ['b'], repairs: ['re-sent 2 batches to b', 'probed b'] })
  })
})
