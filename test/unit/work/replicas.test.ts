// HeldReplicas: a replicate message is one stored set, deleted once every job in it is over;
// a job adopted here moves to its own key and leaves its set.
import { describe, expect, it } from 'vitest'
import { HeldReplicas } from '../../../src/work/core/replicas.js'

describe('HeldReplicas', () => {
  it('deletes a set only when its last job is dropped', () => {
    const h = new HeldReplicas()
    expect(h.addSet('a', ['a', 'b', 'c'])).toBe(true)
    expect(h.size).toBe(3)
    expect(h.setOf('b')).toBe('a')
    expect(h.delete('a')).toBeUndefined()
    expect(h.delete('c')).toBeUndefined()
    expect(h.delete('c')).toBeUndefined()
    expect(h.delete('b')).toEqual({ bucket: 'replicaSets', key: 'a' })
    expect(h.size).toBe(0)
  })

  it('takes a re-sent message once, and only its jobs not held yet', () => {
    const h = new HeldReplicas()
    h.addSet('a', ['a', 'b'])
    expect(h.addSet('a', ['a', 'b'])).toBe(false)
    h.delete('a')
    // The message came again after `a` was over: `a` is held again (the sweep drops it), `b` stays in its set.
    expect(h.addSet('a', ['a', 'b'])).toBe(true)
    expect(h.delete('b')).toBeUndefined()
    expect(h.delete('a')).toEqual({ bucket: 'replicaSets', key: 'a' })
  })

  it('an adopted job leaves its set and is deleted under its own key', () => {
    const h = new HeldReplicas()
    h.addSet('a', ['a', 'b'])
    expect(h.own('a')).toBeUndefined()
    expect(h.setOf('a')).toBeUndefined()
    expect(h.own('b')).toEqual({ bucket: 'replicaSets', key: 'a' })
    expect(h.delete('a')).toEqual({ bucket: 'replicas', key: 'a' })
    expect(h.delete('b')).toEqual({ bucket: 'replicas', key: 'b' })
  })

  it('restores sets and own keys, an own key taking a job out of its set', () => {
    const h = new HeldReplicas(['b', 'x'], [{ key: 'a', jobIds: ['a', 'b'] }])
    expect(h.size).toBe(3)
    expect(h.setOf('a')).toBe('a')
    expect(h.setOf('b')).toBeUndefined()
    expect(h.delete('a')).toEqual({ bucket: 'replicaSets', key: 'a' })
    expect([...h.slice(10)].sort()).toEqual(['b', 'x'])
  })
})
