import { describe, expect, it } from 'vitest'
import { MemoryStorage, decodeConfChange, encodeConfChange, applyConfChange, confState, mulberry32 } from '../../../src/consensus/index.js'
import type { Entry } from '../../../src/consensus/index.js'
import { RaftLog } from '../../../src/consensus/log.js'

const e = (index: number, term: number, byte = 0): Entry => ({ index, term, type: 'normal', data: new Uint8Array([byte]) })
const snap = (index: number, term: number) => ({ metadata: { index, term, confState: confState(['a']) }, data: new Uint8Array([index]) })

describe('MemoryStorage', () => {
  it('appending over persisted entries discards the conflicting suffix', () => {
    const s = new MemoryStorage()
    s.append([e(1, 1), e(2, 1), e(3, 1)])
    s.append([e(2, 2, 9)])
    expect(s.lastIndex()).toBe(2)
    expect(s.term(2)).toBe(2)
    expect(s.entries(1, 3)?.map((x) => x.term)).toEqual([1, 2])
  })

  it('refuses an append that would leave a gap', () => {
    const s = new MemoryStorage()
    s.append([e(1, 1)])
    expect(() => s.append([e(3, 1)])).toThrow(RangeError)
  })

  it('compaction keeps the entries after the snapshot and answers compacted below it', () => {
    const s = new MemoryStorage()
    s.append([e(1, 1), e(2, 1), e(3, 2), e(4, 2)])
    expect(s.compact(snap(2, 1))).toBe(true)
    expect(s.firstIndex()).toBe(3)
    expect(s.lastIndex()).toBe(4)
    expect(s.term(2)).toBe(1)
    expect(s.term(1)).toBeUndefined()
    expect(s.entries(2, 4)).toBeUndefined()
    expect(s.entries(3, 5)?.map((x) => x.index)).toEqual([3, 4])
    expect(s.compact(snap(1, 1))).toBe(false)
  })

  it('a received snapshot replaces the whole log; an older one is refused', () => {
    const s = new MemoryStorage()
    s.append([e(1, 1), e(2, 1)])
    expect(s.applySnapshot(snap(10, 3))).toBe(true)
    expect(s.firstIndex()).toBe(11)
    expect(s.lastIndex()).toBe(10)
    expect(s.term(10)).toBe(3)
    expect(s.applySnapshot(snap(5, 2))).toBe(false)
  })

  it('bootstrap writes the founders as committed addVoter entries of term 1', () => {
    const s = MemoryStorage.bootstrap(['c', 'a', 'b'])
    expect(s.hardState()).toEqual({ term: 1, vote: null, commit: 3 })
    expect(s.entries(1, 4)?.map((x) => decodeConfChange(x.data))).toEqual([
      { type: 'addVoter', nodeId: 'a' },
      { type: 'addVoter', nodeId: 'b' },
      { type: 'addVoter', nodeId: 'c' }
    ])
  })

  it('bootstrap with learners writes the voters, then the learners, all committed', () => {
    const s = MemoryStorage.bootstrap(['b', 'a'], ['d', 'c', 'a'])
    expect(s.hardState()).toEqual({ term: 1, vote: null, commit: 4 })
    expect(s.entries(1, 5)?.map((x) => decodeConfChange(x.data))).toEqual([
      { type: 'addVoter', nodeId: 'a' },
      { type: 'addVoter', nodeId: 'b' },
      { type: 'addLearner', nodeId: 'c' },
      { type: 'addLearner', nodeId: 'd' }
    ])
  })
})

describe('RaftLog', () => {
  it('reads across persisted and unstable entries', () => {
    const s = new MemoryStorage()
    s.append([e(1, 1), e(2, 1)])
    const log = new RaftLog(s)
    log.append([e(3, 2), e(4, 2)])
    expect(log.lastIndex()).toBe(4)
    expect(log.slice(1, 5)?.map((x) => x.index)).toEqual([1, 2, 3, 4])
    expect(log.unstableEntries().map((x) => x.index)).toEqual([3, 4])
  })

  it('an append that overwrites persisted entries moves the unstable offset back', () => {
    const s = new MemoryStorage()
    s.append([e(1, 1), e(2, 1), e(3, 1)])
    const log = new RaftLog(s)
    log.append([e(2, 2, 5)])
    expect(log.lastIndex()).toBe(2)
    expect(log.term(2)).toBe(2)
    expect(log.unstable.offset).toBe(2)
  })

  it('finds the conflict by term, skipping a whole term at once', () => {
    const s = new MemoryStorage()
    s.append([e(1, 1), e(2, 1), e(3, 3), e(4, 3), e(5, 3)])
    const log = new RaftLog(s)
    expect(log.findConflictByTerm(5, 2)).toEqual({ index: 2, term: 1 })
    expect(log.findConflictByTerm(5, 3)).toEqual({ index: 5, term: 3 })
  })

  it('commits only an entry of the given term', () => {
    const s = new MemoryStorage()
    s.append([e(1, 1), e(2, 2)])
    const log = new RaftLog(s)
    expect(log.maybeCommit(1, 2)).toBe(false)
    expect(log.maybeCommit(2, 2)).toBe(true)
    expect(log.committed).toBe(2)
  })

  it('refuses to overwrite committed entries', () => {
    const s = new MemoryStorage()
    s.append([e(1, 1), e(2, 1)])
    const log = new RaftLog(s)
    log.commitTo(2)
    expect(() => log.append([e(2, 2)])).toThrow(RangeError)
  })
})

describe('membership change encoding', () => {
  it('round-trips every change type', () => {
    for (const type of ['addVoter', 'addLearner', 'promote', 'remove'] as const) {
      expect(decodeConfChange(encodeConfChange({ type, nodeId: '12D3KooWpeer' }))).toEqual({ type, nodeId: '12D3KooWpeer' })
    }
  })

  it('decodes garbage to undefined instead of throwing', () => {
    expect(decodeConfChange(new Uint8Array([]))).toBeUndefined()
    expect(decodeConfChange(new Uint8Array([1, 99, 65]))).toBeUndefined()
    expect(decodeConfChange(new Uint8Array([2, 1, 65]))).toBeUndefined()
    expect(decodeConfChange(new Uint8Array([1, 1, 0xff, 0xfe]))).toBeUndefined()
  })

  it('changes a configuration by at most one voter', () => {
    const conf = confState(['a', 'b'], ['c'])
    expect(applyConfChange(conf, { type: 'promote', nodeId: 'c' })).toEqual({ ok: true, next: confState(['a', 'b', 'c']) })
    expect(applyConfChange(conf, { type: 'remove', nodeId: 'a' })).toEqual({ ok: true, next: confState(['b'], ['c']) })
    expect(applyConfChange(confState(['a']), { type: 'remove', nodeId: 'a' }).ok).toBe(false)
    expect(applyConfChange(conf, { type: 'addLearner', nodeId: 'a' }).ok).toBe(false)
  })
})

describe('the injected PRNG', () => {
  it('replays the same sequence for the same seed', () => {
    const a = mulberry32(42)
    const b = mulberry32(42)
    const xs = Array.from({ length: 5 }, () => a())
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs)
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true)
  })
})
