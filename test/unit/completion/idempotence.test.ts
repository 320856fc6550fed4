import { describe, expect, it } from 'vitest'
import { Mesh } from './harness.js'

describe('duplicated, reordered and forged messages', () => {
  it('a duplicate signal is ignored', () => {
    const mesh = new Mesh(['a', 'b'])
    const a = mesh.core('a')
    a.startJob('j', ['t0', 't1'])
    mesh.hand('j', 'x', 'a', 'b', ['t0'])
    mesh.hand('j', 'y', 'a', 'b', ['t1'])
    mesh.core('b').taskFinished('j', 't0')
    mesh.flush()
    expect(a.receiveSignal('j', 'x', 'b')).toBe('accepted')
    expect(a.receiveSignal('j', 'x', 'b')).toBe('unknown')
    expect(a.deficit('j')).toBe(1)
    mesh.flush()
    expect(mesh.completed('j')).toBe(0)
  })

  it('a duplicate batch delivery is ignored while the batch is in progress', () => {
    const mesh = new Mesh(['a', 'b'])
    const b = mesh.core('b')
    mesh.core('a').startJob('j', ['t'])
    mesh.hand('j', 'x', 'a', 'b', ['t'])
    b.taskSpawned('j', 't', 't.0')
    b.taskFinished('j', 't')
    expect(b.receiveBatch('j', 'x', 'a', ['t'])).toEqual({ status: 'duplicate', newTasks: [] })
    // The finished task did not come back.
    expect(b.localTasks('j').map((t) => t.taskId)).toEqual(['t.0'])
  })

  it('a duplicate batch delivery after the signal re-sends the signal and re-runs nothing', () => {
    const mesh = new Mesh(['a', 'b'])
    const b = mesh.core('b')
    mesh.core('a').startJob('j', ['t'])
    mesh.hand('j', 'x', 'a', 'b', ['t'])
    b.taskFinished('j', 't')
    mesh.flush()
    mesh.signals = [] // the signal is lost
    expect(b.receiveBatch('j', 'x', 'a', ['t'])).toEqual({ status: 'resignalled', newTasks: [] })
    expect(b.localTasks('j')).toEqual([])
    mesh.flush()
    mesh.deliverSignals()
    expect(mesh.completed('j')).toBe(1)
  })

  it('a signal for a batch this node never sent is ignored', () => {
    const mesh = new Mesh(['a'])
    mesh.core('a').startJob('j', ['t'])
    expect(mesh.core('a').receiveSignal('j', 'never-sent', 'b')).toBe('unknown')
    expect(mesh.core('a').receiveSignal('other-job', 'x', 'b')).toBe('unknown')
  })

  it('a signal from a node other than the batch receiver is rejected', () => {
    const mesh = new Mesh(['a', 'b', 'c'])
    const a = mesh.core('a')
    a.startJob('j', ['t'])
    mesh.hand('j', 'x', 'a', 'b', ['t'])
    expect(a.receiveSignal('j', 'x', 'c')).toBe('rejected')
    expect(a.deficit('j')).toBe(1)
  })

  it('a batch claiming to come from this node, or reusing its own batch id, is rejected', () => {
    const mesh = new Mesh(['a', 'b'])
    const a = mesh.core('a')
    a.startJob('j', ['t0', 't1'])
    a.delegate('j', 'x', 'b', ['t0'])
    expect(a.receiveBatch('j', 'y', 'a', ['t9']).status).toBe('rejected')
    expect(a.receiveBatch('j', 'x', 'b', ['t0']).status).toBe('rejected')
    expect(a.receiveBatch('j', '', 'b', ['t0']).status).toBe('rejected')
    expect(a.localTasks('j').map((t) => t.taskId)).toEqual(['t1'])
  })

  it('an empty batch is signalled on arrival', () => {
    const mesh = new Mesh(['b'])
    expect(mesh.core('b').receiveBatch('j', 'x', 'a', [])).toEqual({ status: 'engaged', newTasks: [] })
    mesh.flush()
    expect(mesh.signals).toEqual([{ to: 'a', jobId: 'j', batchId: 'x', from: 'b' }])
  })

  it('two deliveries that each trigger a re-signal send it once per ready', () => {
    const mesh = new Mesh(['a', 'b'])
    const b = mesh.core('b')
    mesh.core('a').startJob('j', ['t'])
    mesh.hand('j', 'x', 'a', 'b', ['t'])
    b.taskFinished('j', 't')
    mesh.flush()
    mesh.signals = []
    b.receiveBatch('j', 'x', 'a', ['t'])
    b.receiveBatch('j', 'x', 'a', ['t'])
    mesh.flush()
    expect(mesh.signals).toHaveLength(1)
  })
})
