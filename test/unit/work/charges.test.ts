// Completion task records implied by the queued task records (src/work/core/charges.ts): a
// task charged to one engagement has no completion record of its own on disk, and a node
// restarted from its disk rebuilds exactly the completion state it had. Fake clock, no LevelDB.
import { describe, expect, it } from 'vitest'
import { ROOT_ENGAGEMENT, type CompletionRecord } from '../../../src/completion/index.js'
import { impliedBy, withImpliedTasks } from '../../../src/work/core/charges.js'
import type { StoredTask } from '../../../src/work/records.js'
import { makeTask } from '../../../src/work/spec.js'
import { FakeRegistry } from './fake-registry.js'
import { Node, ok, steal, submit } from './node-harness.js'

/** The completion task records on a node's disk. */
function taskRecords (n: Node): CompletionRecord[] {
  return n.bucket<CompletionRecord>('completion').filter(r => r.kind === 'task')
}

/** What the node's completion core holds, as records, in a stable order. */
function state (n: Node): string {
  return JSON.stringify(n.core.completion.snapshot())
}

describe('completion task records implied by queued tasks', () => {
  it('a home lending for the first time writes no record for the tasks it keeps, and restores them', () => {
    const reg = new FakeRegistry()
    const a = new Node('A', reg)
    const b = new Node('B', reg, { concurrency: 2 })
    const jobId = submit(a, 50)
    steal(b, a, 1001)
    a.persist()
    const kept = a.core.completion.localTasks(jobId)
    expect(kept.length).toBeGreaterThan(10)
    expect(taskRecords(a)).toEqual([])
    const before = state(a)
    a.restart(1100)
    expect(state(a)).toBe(before)
    expect(a.core.completion.localTasks(jobId).map(t => t.taskId).sort()).toEqual(kept.map(t => t.taskId).sort())
  })

  it('a thief writes no record for the tasks it received, and restores them charged to their batch', () => {
    const reg = new FakeRegistry()
    const a = new Node('A', reg)
    const b = new Node('B', reg, { concurrency: 2 })
    const jobId = submit(a, 50)
    const [batchId] = steal(b, a, 1001)
    const held = b.core.completion.localTasks(jobId)
    expect(held.length).toBeGreaterThan(0)
    expect(taskRecords(b)).toEqual([])
    // One of them ran and finished: its task record goes, the rest stay implied.
    const first = b.started.shift()!
    b.core.taskFinished(first.id, ok(), 1002)
    b.persist()
    expect(taskRecords(b)).toEqual([])
    const before = state(b)
    b.restart(1100)
    expect(state(b)).toBe(before)
    for (const r of b.core.completion.snapshot(jobId)) if (r.kind === 'task') expect(r.charges).toEqual([batchId])
  })

  it('a child spawned on a thief inherits its parent\'s charge on disk', () => {
    const reg = new FakeRegistry()
    const a = new Node('A', reg)
    const b = new Node('B', reg, { concurrency: 1 })
    const jobId = submit(a, 50)
    const [batchId] = steal(b, a, 1001)
    const parent = b.started.shift()!
    const child = makeTask(`${parent.id}.0`, jobId, parent.home, { type: 'echo' })
    b.core.taskFinished(parent.id, { ...ok(), children: [child] }, 1002)
    b.persist()
    const stored = b.bucket<StoredTask>('tasks').find(st => st.task.id === child.id)
    expect(stored?.charge).toBe(batchId)
    expect(taskRecords(b)).toEqual([])
    const before = state(b)
    b.restart(1100)
    expect(state(b)).toBe(before)
  })
})

describe('impliedBy and withImpliedTasks', () => {
  const task = (id: string, charge?: string): StoredTask => ({ task: makeTask(id, id.split('/')[0]!, 'H', { type: 'echo' }), state: 'queued', ...(charge != null ? { charge } : {}) })

  it('implies a record only for one charge that the queued task names', () => {
    expect(impliedBy(task('J/1'), undefined, 'J', [ROOT_ENGAGEMENT])).toBe(true)
    expect(impliedBy(task('J/1', 'b1'), undefined, 'J', ['b1'])).toBe(true)
    expect(impliedBy(task('J/1', 'b1'), undefined, 'J', ['b2'])).toBe(false)
    expect(impliedBy(task('J/1', 'b1'), undefined, 'J', ['b1', 'b2'])).toBe(false)
    expect(impliedBy(task('J/1'), undefined, 'K', [ROOT_ENGAGEMENT])).toBe(false)
    expect(impliedBy({ ...task('J/1'), state: 'delegated', batchId: 'b9', to: 'X' }, undefined, 'J', [ROOT_ENGAGEMENT])).toBe(false)
    expect(impliedBy(undefined, undefined, 'J', [ROOT_ENGAGEMENT])).toBe(false)
  })

  it('derives records only where the job and the engagement are known and none is on disk', () => {
    const disk: CompletionRecord[] = [
      { kind: 'job', jobId: 'J', home: false, completed: false },
      { kind: 'engagement', jobId: 'J', batchId: 'b1', from: 'H' },
      { kind: 'task', jobId: 'J', taskId: 'J/3', charges: ['b1', 'b2'] }
    ]
    const { records, explicit } = withImpliedTasks(disk, [
      task('J/1', 'b1'), // derived
      task('J/2', 'gone'), // its engagement is over here: not derived
      task('J/3', 'b1'), // has its own record
      task('K/1', 'b1'), // a job the completion core does not track
      { ...task('J/4', 'b1'), state: 'delegated', batchId: 'b7', to: 'X' }
    ], [
      { jobId: 'J', taskId: 'J/4', ok: true, spawned: 0, attempts: 1, node: 'B', finishedAt: 1, home: 'H', charge: 'b1' }, // derived: no queued record
      { jobId: 'J', taskId: 'J/1', ok: true, spawned: 0, attempts: 1, node: 'B', finishedAt: 1, home: 'H', charge: 'b1' } // the queued record stands
    ])
    expect(records.slice(disk.length)).toEqual([{ kind: 'task', jobId: 'J', taskId: 'J/1', charges: ['b1'] }, { kind: 'task', jobId: 'J', taskId: 'J/4', charges: ['b1'] }])
    expect([...explicit]).toHaveLength(1)
  })
})
