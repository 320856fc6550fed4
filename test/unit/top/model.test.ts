import { describe, expect, it } from 'vitest'
import type { PeerJson, StatusJson } from '../../../src/node/client/status-json.js'
import { MAX_FAILURES, RateWindow, TopModel, type TopEvent } from '../../../src/node/top/model.js'

const T0 = 1_800_000_000_000

function peer (name: string, over: Partial<PeerJson> = {}): PeerJson {
  return { peerId: `12D3Koo${name}`, name, state: 'alive', lastSeenMs: 100, addrs: [], version: '0.1.0', load: 0.5, capabilities: ['gpu'], role: 'follower', term: 2, incarnation: 1, connected: true, draining: false, ...over }
}

function status (over: Partial<StatusJson> = {}): StatusJson {
  return {
    peerId: '12D3Koonode-1', name: 'node-1', version: '0.1.0', mesh: 'prod', security: 'loopback-only', addrs: [], uptimeMs: 1, incarnation: 1,
    role: 'leader', term: 2, leader: '12D3Koonode-1', commitIndex: 1, appliedIndex: 1, voters: [], learners: [], formation: 'member',
    memory: { rssBytes: 0, heapUsedBytes: 0 }, load: 0.25, capabilities: [], peers: [peer('node-2'), peer('node-3')], counters: {},
    dead: [], quorum: { contact: true, lastContactMs: 0, reachableVoters: 1, voters: 1, needed: 1 }, draining: false, http: null, circuits: [], ...over
  }
}

let seq = 0
function ev (event: string, data: Record<string, unknown>, at = T0): TopEvent {
  return { seq: ++seq, event, at, data }
}

describe('the rate window', () => {
  it('averages over the last 10 s, or the time watched while that is shorter', () => {
    const w = new RateWindow(10_000)
    w.add(T0, 50)
    w.add(T0 + 4_000, 50)
    expect(w.rate(T0 + 5_000, T0)).toBe(20) // 100 in 5 s of watching
    expect(w.rate(T0 + 9_999, T0 - 60_000)).toBe(10) // 100 in the 10 s window
    expect(w.rate(T0 + 10_000, T0 - 60_000)).toBe(5) // the first 50 left the window
    expect(w.rate(T0 + 20_000, T0 - 60_000)).toBe(0)
    expect(w.rate(T0 + 100, T0)).toBe(0) // less than a second watched counts as one
  })
})

describe('the top model', () => {
  it('builds the header and the node table from /v1/status', () => {
    const m = new TopModel()
    m.status(status(), T0)
    const v = m.view(T0 + 2_000)
    expect(v).toMatchObject({ mesh: 'prod', leader: '12D3Koonode-1', term: 2, self: { name: 'node-1', role: 'leader' }, counts: { alive: 3, suspect: 0, dead: 0, left: 0 } })
    expect(v.nodes.map(n => [n.name, n.self, n.lastSeenNowMs])).toEqual([['node-1', true, 0], ['node-2', false, 100], ['node-3', false, 100]])
    // A silent peer's silence grows while top watches.
    m.event(ev('member.suspect', { peerId: '12D3Koonode-3', name: 'node-3', from: 'alive', reason: 'no heartbeat' }), T0 + 1_000)
    expect(m.view(T0 + 3_000).nodes[2]).toMatchObject({ state: 'suspect', lastSeenNowMs: 2_100 })
  })

  it('follows membership and leader events, and lists deaths as failures', () => {
    const m = new TopModel()
    m.status(status(), T0)
    m.event(ev('member.suspect', { peerId: '12D3Koonode-3', name: 'node-3', from: 'alive', reason: 'no heartbeat' }), T0)
    m.event(ev('member.dead', { peerId: '12D3Koonode-3', name: 'node-3', from: 'suspect', reason: 'probe failed' }, T0 + 1), T0)
    m.event(ev('node.dead', { peerId: '12D3Koonode-3', incarnation: 1, reason: 'quorum' }, T0 + 2), T0)
    m.event(ev('leader.changed', { leader: '12D3Koonode-2', term: 3, role: 'follower' }, T0 + 3), T0)
    const v = m.view(T0)
    expect(v.counts).toEqual({ alive: 2, suspect: 0, dead: 1, left: 0 })
    expect(v.nodes.find(n => n.name === 'node-3')).toMatchObject({ state: 'dead', dead: true })
    expect(v).toMatchObject({ leader: '12D3Koonode-2', term: 3, self: { role: 'follower' } })
    expect(v.failures.map(f => [f.type, f.text])).toEqual([
      ['node.dead', 'node-3 incarnation 1: quorum'],
      ['member.dead', 'node-3 suspect -> dead: probe failed']
    ])
  })

  it('tracks a job from submitted through progress to completed, with tasks/s from the deltas', () => {
    const m = new TopModel()
    m.status(status(), T0)
    m.connectionState('live', T0)
    m.event(ev('job.submitted', { id: 'J1', home: '12D3Koonode-1' }), T0)
    m.event(ev('job.progress', { id: 'J1', home: '12D3Koonode-1', state: 'running', total: 100, done: 20, failed: 1, cancelled: 0 }), T0 + 1_000)
    m.event(ev('job.progress', { id: 'J1', home: '12D3Koonode-1', state: 'running', total: 100, done: 60, failed: 2, cancelled: 0 }), T0 + 2_000)
    let v = m.view(T0 + 2_000)
    expect(v.jobs).toMatchObject([{ id: 'J1', total: 100, done: 60, failed: 2, counted: true }])
    expect(v.tasksPerSec).toBe(30) // 60 outcomes in 2 s of watching
    m.event(ev('job.progress', { id: 'J1', home: '12D3Koonode-1', state: 'completed', total: 100, done: 100, failed: 2, cancelled: 0 }), T0 + 3_000)
    m.event(ev('job.completed', { id: 'J1', home: '12D3Koonode-1', state: 'completed' }), T0 + 3_000)
    // A late progress sample does not bring a finished job back.
    m.event(ev('job.progress', { id: 'J1', home: '12D3Koonode-1', state: 'completed', total: 100, done: 100, failed: 2, cancelled: 0 }), T0 + 3_100)
    v = m.view(T0 + 10_000)
    expect(v.jobs).toEqual([])
    expect(v.jobsFinished).toEqual({ completed: 1, failed: 0, cancelled: 0 })
    expect(v.tasksPerSec).toBe(10) // 100 outcomes, within the last 10 s
    expect(m.view(T0 + 13_500).tasksPerSec).toBe(0)
  })

  it('takes a job first seen mid-way as the baseline, not as a burst', () => {
    const m = new TopModel()
    m.connectionState('live', T0)
    m.event(ev('job.progress', { id: 'J2', home: 'h', state: 'running', total: 1000, done: 900, failed: 0, cancelled: 0 }), T0 + 1_000)
    m.event(ev('job.progress', { id: 'J2', home: 'h', state: 'running', total: 1000, done: 950, failed: 0, cancelled: 0 }), T0 + 2_000)
    expect(m.view(T0 + 2_000).tasksPerSec).toBe(25)
  })

  it('adds replayed events to the lists but not to the rates', () => {
    const m = new TopModel()
    m.event(ev('job.submitted', { id: 'J3', home: 'h' }), T0, true)
    m.event(ev('job.progress', { id: 'J3', home: 'h', state: 'running', total: 10, done: 10, failed: 3, cancelled: 0 }), T0, true)
    m.event(ev('task.failed', { jobId: 'J3', taskId: 'J3/1', type: 'boom', error: 'bad\nthing', node: 'h' }), T0, true)
    m.event(ev('job.failed', { id: 'J3', home: 'h', state: 'failed' }), T0, true)
    m.connectionState('live', T0)
    const v = m.view(T0 + 1_000)
    expect(v.tasksPerSec).toBe(0)
    expect(v.failuresPerSec).toBe(0)
    expect(v.jobsFinished.failed).toBe(0)
    expect(v.failures.map(f => f.type)).toEqual(['job.failed', 'task.failed'])
    expect(v.failures[1]!.text).toBe('J3 task J3/1 (boom) on h: bad thing')
  })

  it('counts task failures per second and keeps the newest failures first, at most MAX_FAILURES', () => {
    const m = new TopModel()
    m.connectionState('live', T0)
    for (let i = 0; i < MAX_FAILURES + 10; i++) m.event(ev('task.failed', { jobId: 'J', taskId: `J/${i}`, type: 't', error: 'x', node: 'n' }, T0 + i), T0 + 5_000)
    const v = m.view(T0 + 5_000)
    expect(v.failuresPerSec).toBe((MAX_FAILURES + 10) / 5)
    expect(v.failures).toHaveLength(MAX_FAILURES)
    expect(v.failures[0]!.text).toContain(`J/${MAX_FAILURES + 9} `)
  })

  it('takes running jobs from the listing, and drops those a complete listing no longer has', () => {
    const m = new TopModel()
    m.runningJobs([
      { id: 'A', home: 'h1', state: 'running', createdAt: T0, total: 10, done: 4, failed: 0 },
      { id: 'B', home: 'h2', state: 'running', createdAt: T0 + 1, name: 'nightly' }
    ], T0)
    expect(m.view(T0).jobs.map(j => [j.id, j.counted, j.name ?? null])).toEqual([['B', false, 'nightly'], ['A', true, null]])
    m.event(ev('job.submitted', { id: 'C', home: 'h1' }, T0 + 2_000), T0 + 2_000)
    m.runningJobs([{ id: 'B', home: 'h2', state: 'running', createdAt: T0 + 1 }], T0 + 1_000)
    expect(m.view(T0).jobs.map(j => j.id)).toEqual(['C', 'B'])
  })

  it('reads counts of jobs homed elsewhere from their detail, into tasks/s after the first look', () => {
    const m = new TopModel()
    m.connectionState('live', T0)
    m.runningJobs([{ id: 'B', home: 'h2', state: 'running', createdAt: T0 }], T0)
    m.jobDetail({ id: 'B', home: 'h2', state: 'running', total: 50, done: 10, failed: 0, cancelled: 0 }, T0 + 1_000)
    m.jobDetail({ id: 'B', home: 'h2', state: 'running', total: 50, done: 30, failed: 1, cancelled: 0 }, T0 + 2_000)
    expect(m.view(T0 + 2_000)).toMatchObject({ tasksPerSec: 10, jobs: [{ id: 'B', done: 30, failed: 1, total: 50 }] })
    m.jobDetail({ id: 'B', home: 'h2', state: 'completed', total: 50, done: 50, failed: 1, cancelled: 0 }, T0 + 3_000)
    expect(m.view(T0 + 3_000).jobs).toEqual([])
  })

  it('moves a re-homed job and lists the move', () => {
    const m = new TopModel()
    m.status(status(), T0)
    m.event(ev('job.submitted', { id: 'J', home: '12D3Koonode-2' }), T0)
    m.event(ev('job.rehomed', { id: 'J', from: '12D3Koonode-2', to: '12D3Koonode-3', epoch: 1 }), T0)
    const v = m.view(T0)
    expect(v.jobs[0]!.home).toBe('12D3Koonode-3')
    expect(v.failures[0]).toMatchObject({ type: 'job.rehomed', text: 'J from node-2 to node-3' })
  })
})
