// The incident log's policy (src/healing/incidents.ts) on constructed events: grouping, cause
// tags, the summary's words, merging copies from several nodes, retention.
import { describe, expect, it } from 'vitest'
import { IncidentBook, countIncidents, mergeById, toPrune, type Incident, type IncidentEvent } from '../../../src/healing/incidents.js'

const A = '12D3KooWAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAnodeA001'
const B = '12D3KooWBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBnodeB002'
const C = '12D3KooWCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCnodeC003'
const T0 = Date.UTC(2026, 10, 29, 10, 2, 11)

const ev = (at: number, type: string, data: Record<string, unknown>): IncidentEvent => ({ at: T0 + at, type, data })

function feed (book: IncidentBook, events: IncidentEvent[]): void {
  for (const e of events) book.apply(e)
}

describe('a node\'s death', () => {
  const death = [
    ev(-3_000, 'member.suspect', { peerId: C, name: 'h3' }),
    ev(0, 'node.dead', { peerId: C, name: 'h3', incarnation: 2, reason: '2 of 3 voters hold it dead (no sign of life while suspect)' }),
    ev(5, 'work.reclaimed', { peerId: C, node: A, reclaimedBatches: 2, requeued: 14, abandonedBatches: 0, dropped: 0, jobs: ['j1'] }),
    ev(20, 'job.rehomed', { id: 'j2', from: C, to: B, epoch: 1 }),
    ev(21, 'job.rehomed', { id: 'j3', from: C, to: B, epoch: 1 })
  ]

  it('groups the death, its reclaims and its re-homes into one incident with an id from the peer and its life', () => {
    const book = new IncidentBook(A)
    feed(book, death)
    const list = book.list()
    expect(list).toHaveLength(1)
    const r = list[0]!
    expect(r.id).toBe('dead-nodeC003-2')
    expect(r.kind).toBe('death')
    expect(r.state).toBe('open')
    expect(r.cause).toBe('unknown')
    expect(r.jobs.sort()).toEqual(['j1', 'j2', 'j3'])
    expect(r.nodes).toContain(C)
    expect(r.timeline.map(t => t.type)).toEqual(['node.dead', 'work.reclaimed', 'job.rehomed', 'job.rehomed'])
  })

  it('joins reclaims and re-homes heard before the death itself to the death\'s incident', () => {
    const book = new IncidentBook(A)
    const [suspect, dead, ...rest] = death
    feed(book, [suspect!, ...rest, dead!])
    const list = book.list()
    expect(list.map(r => r.id)).toEqual(['dead-nodeC003-2'])
    expect(list[0]!.jobs.sort()).toEqual(['j1', 'j2', 'j3'])
  })

  it('gives a reclaim whose death never comes an incident of its own, once it has waited', () => {
    const book = new IncidentBook(A)
    feed(book, [death[2]!, ev(60_000, 'member.alive', { peerId: B })])
    expect(book.list().map(r => r.id)).toEqual(['dead-nodeC003-unknown'])
  })

  it('says in plain words what happened, what the mesh did and what is left', () => {
    const book = new IncidentBook(A)
    feed(book, [ev(-10, 'member.alive', { peerId: A, name: 'h1' }), ...death])
    const r = book.get('dead-nodeC003-2')!
    expect(r.title).toBe('h3 declared dead')
    expect(r.summary).toContain('h3 was declared dead at 10:02:11 (2 of 3 voters could not reach it).')
    expect(r.summary).toContain('re-ran 14 tasks it held')
    expect(r.summary).toContain('2 jobs moved to nodeB002')
    expect(r.summary).toContain('h3 has not come back: check the host')
    expect(r.summary).toContain(`meshnode operator raft remove-peer ${C}`)
  })

  it('tags a death whose node comes back in a new process as a crash, and resolves it', () => {
    const book = new IncidentBook(A)
    feed(book, [...death, ev(30_000, 'member.alive', { peerId: C, incarnation: 3, uptimeMs: 4_000 }), ev(30_100, 'node.alive', { peerId: C, incarnation: 3 })])
    const r = book.get('dead-nodeC003-2')!
    expect(r.cause).toBe('crash')
    expect(r.state).toBe('resolved')
    expect(r.summary).toContain('after a restart')
    expect(r.summary).toContain('Nothing is left for you.')
  })

  it('tags a death whose node comes back in the same process, lost by every voter and this node, as a pause', () => {
    const book = new IncidentBook(A)
    const all = death
    // Revived by a probe in its old life before it learns of its death: the uptime still tells.
    feed(book, [...all, ev(30_000, 'member.alive', { peerId: C, incarnation: 2, uptimeMs: 600_000 }), ev(30_100, 'node.alive', { peerId: C, incarnation: 3 })])
    const r = book.get('dead-nodeC003-2')!
    expect(r.cause).toBe('pause')
    expect(r.summary).toContain('in the same process (it was paused, not down)')
  })

  it('compares a returning process\'s start with when this node lost it, even on a young mesh', () => {
    const book = new IncidentBook(A)
    const all = death
    // Up 15 s when heard again 5 s after the death: it started 10 s before the death, 7 s before it went silent.
    feed(book, [...all, ev(5_000, 'member.alive', { peerId: C, incarnation: 2, uptimeMs: 15_000 })])
    expect(book.get('dead-nodeC003-2')!.cause).toBe('pause')
  })

  it('tags a death whose node comes back in the same process but that some voter could still reach as network', () => {
    const book = new IncidentBook(A)
    const some = death.map(e => e.type === 'node.dead' ? { ...e, data: { ...e.data, reason: '3 of 5 voters hold it dead (x)' } } : e)
    feed(book, [...some, ev(30_000, 'member.alive', { peerId: C, incarnation: 3, uptimeMs: 600_000 })])
    expect(book.get('dead-nodeC003-2')!.cause).toBe('network')
  })

  it('groups a drained node\'s leave apart from deaths', () => {
    const book = new IncidentBook(A)
    feed(book, [ev(0, 'node.dead', { peerId: C, incarnation: 1, reason: 'drained' }), ev(3, 'job.rehomed', { id: 'j9', from: C, to: A, epoch: 1 })])
    const [r] = book.list()
    expect(r!.id).toBe('drain-nodeC003-1')
    expect(r!.jobs).toEqual(['j9'])
    expect(r!.summary).toContain('Nothing is left for you.')
  })

  it('records the same death on two nodes under one id, and merges their reclaims', () => {
    const a = new IncidentBook(A)
    const b = new IncidentBook(B)
    feed(a, death.slice(1, 3))
    feed(b, [death[1]!, ev(7, 'work.reclaimed', { peerId: C, node: B, reclaimedBatches: 1, requeued: 5, abandonedBatches: 1, dropped: 2, jobs: ['j4'] })])
    const merged = mergeById([a.list(), b.list()])
    expect(merged).toHaveLength(1)
    const r = merged[0]!
    expect(r.jobs.sort()).toEqual(['j1', 'j4'])
    expect(r.timeline.filter(t => t.type === 'work.reclaimed')).toHaveLength(2)
    // The death itself, which every node applies, is one entry.
    expect(r.timeline.filter(t => t.type === 'node.dead')).toHaveLength(1)
    expect(r.summary).toContain('2 nodes re-ran 19 tasks it held')
    expect(r.summary).toContain('2 tasks that came from it were given up')
  })
})

describe('circuits, tasks, stuck jobs and resources', () => {
  it('follows a circuit from opened through half-open to closed, as one handler incident', () => {
    const book = new IncidentBook(A)
    feed(book, [
      ev(0, 'circuit.opened', { kind: 'handler', target: 'resize', node: A, reason: 'failed 5 calls in a row', failures: 5 }),
      ev(30_000, 'circuit.half-open', { kind: 'handler', target: 'resize', node: A }),
      ev(30_500, 'circuit.closed', { kind: 'handler', target: 'resize', node: A })
    ])
    const [r] = book.list()
    expect(r!.id).toBe(`circuit-handler-resize-nodeA001-${T0}`)
    expect(r!.cause).toBe('handler')
    expect(r!.state).toBe('resolved')
    expect(r!.timeline).toHaveLength(3)
  })

  it('tags a peer circuit opened for timeouts as network', () => {
    const book = new IncidentBook(A)
    feed(book, [ev(0, 'circuit.opened', { kind: 'peer', target: B, node: A, reason: 'delegated tasks timed out' })])
    expect(book.list()[0]!.cause).toBe('network')
  })

  it('gathers a task\'s failures, timeouts and escalation steps, and tags one that fails every attempt as a poison task', () => {
    const book = new IncidentBook(A)
    feed(book, [
      ev(0, 'task.failed', { jobId: 'j1', taskId: 't1', type: 'bad', error: 'boom', node: A }),
      ev(10, 'task.escalated', { jobId: 'j1', taskId: 't1', type: 'bad', node: A, step: 'retry-here', attempt: 2, error: 'boom' }),
      ev(20, 'task.timeout', { jobId: 'j1', taskId: 't1', type: 'bad', node: A, timeoutMs: 1_000 }),
      ev(30, 'task.escalated', { jobId: 'j1', taskId: 't1', type: 'bad', node: B, step: 'other-node', attempt: 3, error: 'timed out' }),
      ev(40, 'task.escalated', { jobId: 'j1', taskId: 't1', type: 'bad', node: B, step: 'failed', attempt: 3, error: 'boom' })
    ])
    const list = book.list()
    expect(list).toHaveLength(1)
    const r = list[0]!
    expect(r.id).toBe('task-t1')
    expect(r.opened).toBe(T0)
    expect(r.cause).toBe('poison-task')
    expect(r.state).toBe('resolved')
    expect(r.timeline.map(t => t.type)).toEqual(['task.failed', 'task.escalated', 'task.timeout', 'task.escalated', 'task.escalated'])
    expect(r.summary).toContain('failed every attempt')
    expect(r.summary).toContain('resubmit')
  })

  it('does not make an incident of a task failure alone', () => {
    const book = new IncidentBook(A)
    book.apply(ev(0, 'task.failed', { jobId: 'j1', taskId: 't1', type: 'x', error: 'once', node: A }))
    expect(book.size).toBe(0)
  })

  it('closes a timed-out task\'s incident when its job finishes', () => {
    const book = new IncidentBook(A)
    feed(book, [ev(0, 'task.timeout', { jobId: 'j1', taskId: 't1', type: 'slow', node: A, timeoutMs: 500 }), ev(900, 'job.completed', { id: 'j1', state: 'completed' })])
    const r = book.get('task-t1')!
    expect(r.cause).toBe('handler')
    expect(r.state).toBe('resolved')
  })

  it('passes over the registry\'s per-job events that concern no incident, and still acts on those that do', () => {
    const book = new IncidentBook(A)
    for (let i = 0; i < 3; i++) {
      expect(book.apply(ev(i, 'job.submitted', { id: `q${i}`, home: A }))).toEqual([])
      expect(book.apply(ev(i, 'job.completed', { id: `q${i}`, home: A, state: 'completed' }))).toEqual([])
    }
    expect(book.size).toBe(0)
    // A finished job with an open stuck incident closes it.
    feed(book, [ev(10, 'job.stuck', { id: 'j6', home: A, stuckForMs: 60_000, code: 'partition', text: 'its tasks sit beyond a network cut' })])
    const changed = book.apply(ev(20, 'job.failed', { id: 'j6', home: A, state: 'failed' }))
    expect(changed.map(c => c.incident.state)).toEqual(['resolved'])
    // A reclaim waiting for its death is still let go by a later per-job event.
    const other = new IncidentBook(A)
    other.apply(ev(0, 'work.reclaimed', { peerId: C, node: A, reclaimedBatches: 1, requeued: 3, abandonedBatches: 0, dropped: 0, jobs: ['j7'] }))
    expect(other.size).toBe(0)
    expect(other.apply(ev(31_000, 'job.submitted', { id: 'q9', home: A }))).toHaveLength(1)
    expect(other.size).toBe(1)
  })

  it('opens a stuck-job incident with a cause from its diagnosis and closes it when the job moves', () => {
    const book = new IncidentBook(A)
    feed(book, [
      ev(0, 'job.stuck', { id: 'j5', home: A, stuckForMs: 60_000, code: 'partition', text: 'its tasks sit beyond a network cut' }),
      ev(5_000, 'job.unstuck', { id: 'j5', home: A })
    ])
    const [r] = book.list()
    expect(r!.cause).toBe('network')
    expect(r!.state).toBe('resolved')
    expect(r!.summary).toContain('beyond a network cut')
  })

  it('opens a resource incident when a node goes over its limit and resolves it when it is back under', () => {
    const book = new IncidentBook(A)
    feed(book, [
      ev(0, 'resource.pressure', { node: A, resource: 'memory', value: 900 << 20, limit: 800 << 20, state: 'over' }),
      ev(60_000, 'resource.pressure', { node: A, resource: 'memory', value: 700 << 20, limit: 800 << 20, state: 'ok' })
    ])
    const [r] = book.list()
    expect(r!.cause).toBe('resource')
    expect(r!.state).toBe('resolved')
    expect(countIncidents(book.list())).toEqual({ open: 0, byCause: { network: 0, crash: 0, pause: 0, resource: 1, handler: 0, 'poison-task': 0, unknown: 0 } })
  })

  it('rebuilds its indexes from stored records, so a later event joins the stored incident', () => {
    const a = new IncidentBook(A)
    a.apply(ev(0, 'circuit.opened', { kind: 'handler', target: 'x', node: A, reason: 'r' }))
    const stored = JSON.parse(JSON.stringify(a.list())) as Incident[]
    const b = new IncidentBook(A)
    b.load(stored)
    b.apply(ev(1_000, 'circuit.closed', { kind: 'handler', target: 'x', node: A }))
    expect(b.list()).toHaveLength(1)
    expect(b.list()[0]!.state).toBe('resolved')
  })
})

describe('retention', () => {
  const rec = (id: string, opened: number, updated = opened): Pick<Incident, 'id' | 'opened' | 'updated'> => ({ id, opened, updated })

  it('prunes incidents not updated within the age limit', () => {
    expect(toPrune([rec('a', 0), rec('b', 500), rec('c', 100, 900)], 1_000, 600, 10)).toEqual(['a'])
  })

  it('prunes the oldest opened beyond the count limit', () => {
    expect(toPrune([rec('c', 30), rec('a', 10), rec('b', 20)], 40, 1_000, 2)).toEqual(['a'])
  })
})
