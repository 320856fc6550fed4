// HeldReplicas: a replicate message is one stored set, deleted once every job in it is over;
// a job adopted here moves to its own key and leaves its set.
import { describe, expect, it } from 'vitest'
import { HeldReplicas, packReplicaSet, replicaFromSet, replicaSetIds } from '../../../src/work/core/replicas.js'
import type { JobReplica } from '../../../src/work/records.js'
import type { Task } from '../../../src/work/spec.js'

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

describe('HeldReplicas against a model of sets of ids', () => {
  it('returns the same store deletions as one Set per replica set would, over random adds, adoptions and deletes', () => {
    let seed = 7
    const rnd = (n: number): number => { seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648; return seed % n }
    const h = new HeldReplicas()
    // The model: set key -> ids still in it; id -> its set (undefined: its own key).
    const sets = new Map<string, Set<string>>()
    const ids = new Map<string, string | undefined>()
    const leave = (set: string | undefined, id: string): unknown => {
      if (set == null) return undefined
      const m = sets.get(set)!
      m.delete(id)
      if (m.size > 0) return undefined
      sets.delete(set)
      return { bucket: 'replicaSets', key: set }
    }
    for (let step = 0; step < 5_000; step++) {
      const id = `j${rnd(60)}`
      const op = rnd(4)
      if (op === 0) {
        const key = `j${rnd(60)}`
        const jobIds = Array.from({ length: 1 + rnd(5) }, () => `j${rnd(60)}`)
        let added = false
        for (const j of jobIds) {
          if (ids.has(j)) continue
          if (!sets.has(key)) sets.set(key, new Set())
          sets.get(key)!.add(j)
          ids.set(j, key)
          added = true
        }
        expect(h.addSet(key, jobIds)).toBe(added)
      } else if (op === 1) {
        const set = ids.get(id)
        ids.set(id, undefined)
        expect(h.own(id)).toEqual(leave(set, id))
      } else {
        const want = !ids.has(id) ? undefined : ids.get(id) == null ? { bucket: 'replicas', key: id } : leave(ids.get(id), id)
        ids.delete(id)
        expect(h.delete(id)).toEqual(want)
      }
      expect(h.size).toBe(ids.size)
      expect(h.setOf(id)).toBe(ids.get(id))
    }
  })
})

describe('stored replica sets', () => {
  const HOME = '12D3KooWALaxZrHPd73Rm2exampleHomeNode'
  const one = (id: string, extra: Partial<Task> = {}): JobReplica => ({
    id,
    home: HOME,
    createdAt: 1_795_000_000_000,
    tasks: [{ id: `${id}/0`, jobId: id, type: 'echo', payload: 'null', requires: ['handler:echo'], maxAttempts: 3, attempts: 0, timeoutMs: 0, priority: 0, home: HOME, ...extra }]
  })

  it('reads back every job exactly, implied fields and all', () => {
    const odd: JobReplica = { ...one('c', { id: 'c/0@1', attempts: 2, timeoutMs: 60_000, priority: -3, notBefore: 5, failures: [{ node: 'n', attempt: 1, error: 'boom', at: 4 }] }), name: 'n', keepMs: 9 }
    const elsewhere: JobReplica = { ...one('d'), home: 'another-home' }
    const jobs = [one('a'), one('b', { payload: '{"x":1}' }), odd, elsewhere]
    const stored = JSON.parse(JSON.stringify(packReplicaSet(HOME, jobs)))
    expect(replicaSetIds(stored)).toEqual(['a', 'b', 'c', 'd'])
    for (const j of jobs) expect(replicaFromSet(stored, j.id)).toEqual(j)
    expect(replicaFromSet(stored, 'zz')).toBeUndefined()
  })

  it('is much smaller than the plain list', () => {
    const jobs = Array.from({ length: 100 }, (_, i) => one(`0mx2g0jf8-371418bb${String(i).padStart(4, '0')}`))
    expect(JSON.stringify(packReplicaSet(HOME, jobs)).length).toBeLessThan(JSON.stringify(jobs).length / 2)
  })

  it('reads sets written before (a plain JobReplica list)', () => {
    const old = JSON.parse(JSON.stringify([one('a'), one('b')]))
    expect(replicaSetIds(old)).toEqual(['a', 'b'])
    expect(replicaFromSet(old, 'b')).toEqual(one('b'))
    expect(replicaFromSet(undefined, 'b')).toBeUndefined()
  })
})
