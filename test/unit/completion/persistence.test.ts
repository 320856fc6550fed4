import { describe, expect, it } from 'vitest'
import { CompletionCore, CompletionError } from '../../../src/completion/index.js'
import type { CompletionRecord } from '../../../src/completion/index.js'
import { Mesh } from './harness.js'

describe('persistence and restore', () => {
  it('restoring from persisted state continues detection', () => {
    const mesh = new Mesh(['a', 'b', 'c'])
    mesh.core('a').startJob('j', ['t0', 't1'])
    mesh.hand('j', 'x', 'a', 'b', ['t0'])
    mesh.core('b').taskSpawned('j', 't0', 't0.0')
    mesh.hand('j', 'y', 'b', 'c', ['t0.0'])
    mesh.flush()
    const a = mesh.restart('a')
    const b = mesh.restart('b')
    expect(a.deficit('j')).toBe(1)
    expect(b.ledger('j')).toEqual([{ jobId: 'j', batchId: 'y', to: 'c', taskIds: ['t0.0'] }])
    b.taskFinished('j', 't0')
    mesh.core('c').taskFinished('j', 't0.0')
    a.taskFinished('j', 't1')
    mesh.flush()
    mesh.deliverSignals()
    expect(mesh.completed('j')).toBe(1)
  })

  it('the persisted records reproduce the live state exactly', () => {
    const mesh = new Mesh(['a', 'b'])
    mesh.core('a').startJob('j', ['t0', 't1', 't2'])
    mesh.hand('j', 'x', 'a', 'b', ['t0', 't1'])
    mesh.core('b').taskFinished('j', 't0')
    mesh.flush()
    for (const id of ['a', 'b']) {
      const live = mesh.core(id).snapshot()
      expect(CompletionCore.restore(id, [...(mesh.disks.get(id)?.values() ?? [])]).snapshot()).toEqual(live)
    }
  })

  it('restored tasks are pending, because nothing runs across a restart', () => {
    const mesh = new Mesh(['a'])
    mesh.core('a').startJob('j', ['t'])
    mesh.core('a').taskStarted('j', 't')
    mesh.flush()
    expect(mesh.restart('a').localTasks('j')).toEqual([{ taskId: 't', running: false }])
  })

  it('a completed job is reported again after a restart until it is forgotten', () => {
    const mesh = new Mesh(['a'])
    mesh.core('a').startJob('j', ['t'])
    mesh.core('a').taskFinished('j', 't')
    mesh.flush()
    mesh.restart('a')
    mesh.flush()
    expect(mesh.completed('j')).toBe(2)
    mesh.core('a').forget('j')
    mesh.flush()
    expect(mesh.disks.get('a')?.size).toBe(0)
    mesh.restart('a')
    mesh.flush()
    expect(mesh.completed('j')).toBe(2)
  })

  it('a received batch whose signal was lost in a crash is signalled again when re-sent', () => {
    const mesh = new Mesh(['a', 'b'])
    mesh.core('a').startJob('j', ['t'])
    mesh.hand('j', 'x', 'a', 'b', ['t'])
    mesh.core('b').taskFinished('j', 't')
    mesh.flush()
    mesh.signals = [] // b persisted, then crashed before sending
    const b = mesh.restart('b')
    expect(b.receiveBatch('j', 'x', 'a', ['t']).status).toBe('resignalled')
    mesh.flush()
    mesh.deliverSignals()
    expect(mesh.completed('j')).toBe(1)
  })

  it('ready() persists only what an input changed', () => {
    const core = new CompletionCore('a')
    core.startJob('j', ['t0', 't1'])
    core.ready()
    core.taskFinished('j', 't0')
    expect(core.ready().persist).toEqual([{ kind: 'task', jobId: 'j', id: 't0', record: null }])
    core.taskStarted('j', 't1')
    expect(core.hasReady()).toBe(false)
  })

  it('startJob reports no task record for the root tasks the caller stores itself', () => {
    const core = new CompletionCore('a')
    core.startJob('j', ['t0', 't1', 't2'], id => id !== 't2')
    expect(core.ready().persist.map(op => `${op.kind}:${op.id}`).sort()).toEqual(['engagement:', 'job:', 'task:t2'])
    // Still the job's live tasks: it completes only once all three have finished.
    expect(core.localTasks('j').map(t => t.taskId)).toEqual(['t0', 't1', 't2'])
    core.taskFinished('j', 't0')
    core.taskFinished('j', 't2')
    expect(core.ready().completed).toEqual([])
    core.taskFinished('j', 't1')
    expect(core.ready().completed).toEqual(['j'])
  })

  it('restore rejects records that refer to missing state', () => {
    const records: CompletionRecord[] = [
      { kind: 'job', jobId: 'j', home: false, completed: false },
      { kind: 'task', jobId: 'j', taskId: 't', charges: ['x'] }
    ]
    expect(() => CompletionCore.restore('a', records)).toThrow(CompletionError)
    expect(() => CompletionCore.restore('a', [{ kind: 'job', jobId: 'j' }])).toThrow(/home is not a boolean/)
    expect(() => CompletionCore.restore('a', [{ kind: 'task', jobId: 'j', taskId: 't', charges: [''] }])).toThrow(/has no job record/)
  })

  it('snapshots survive a JSON round trip', () => {
    const mesh = new Mesh(['a', 'b'])
    mesh.core('a').startJob('j', ['t0', 't1'])
    mesh.hand('j', 'x', 'a', 'b', ['t0'])
    const json = JSON.stringify(mesh.core('a'))
    const restored = CompletionCore.restore('a', JSON.parse(json) as unknown[])
    expect(restored.snapshot()).toEqual(mesh.core('a').snapshot())
  })
})
