import { describe, expect, it } from 'vitest'
import { MemoryStorage, RaftCore, RaftError, mulberry32 } from '../../../src/consensus/index.js'
import type { Ready } from '../../../src/consensus/index.js'
import { keysFor } from './cluster.js'

function single (): { core: RaftCore, storage: MemoryStorage } {
  const storage = MemoryStorage.bootstrap(['a'])
  const core = new RaftCore({ storage, keys: keysFor('a'), random: mulberry32(1) })
  return { core, storage }
}

/** One turn of the shell loop: persist, (send), apply, advance. */
function turn (core: RaftCore, storage: MemoryStorage): Ready {
  const rd = core.ready()
  storage.save(rd)
  core.advance()
  return rd
}

describe('the Ready contract', () => {
  it('a fresh core hands out the bootstrap configuration entries as committed', () => {
    const { core, storage } = single()
    const rd = turn(core, storage)
    expect(rd.committed.map((e) => e.type)).toEqual(['conf'])
    expect(rd.entries).toEqual([])
    expect(core.hasReady()).toBe(false)
  })

  it('a new leader’s Ready carries its term and vote to persist, its entry, and its role', () => {
    const { core, storage } = single()
    turn(core, storage)
    core.campaign()
    const rd = turn(core, storage)
    expect(rd.hardState).toEqual({ term: 2, vote: 'a', commit: 2 })
    expect(rd.softState).toEqual({ role: 'leader', leader: 'a', term: 2 })
    expect(rd.entries).toHaveLength(1)
    expect(rd.truncateFrom).toBeUndefined()
    // the entry commits at once (a single voter) and is applied after it is persisted
    expect(rd.committed.map((e) => e.index)).toEqual([2])
    expect(storage.hardState().term).toBe(2)
  })

  it('hard state is only handed out when it changed', () => {
    const { core, storage } = single()
    turn(core, storage)
    core.campaign()
    turn(core, storage)
    core.tick()
    expect(core.hasReady()).toBe(false)
    const r = core.propose(new Uint8Array([7]))
    expect(r.ok).toBe(true)
    const rd = turn(core, storage)
    expect(rd.hardState).toEqual({ term: 2, vote: 'a', commit: 3 })
    expect(rd.softState).toBeUndefined()
  })

  it('calling ready() twice without advance() is a caller bug', () => {
    const { core } = single()
    core.ready()
    expect(() => core.ready()).toThrow(RaftError)
    try {
      core.ready()
    } catch (err) {
      expect((err as RaftError).code).toBe('READY_OUTSTANDING')
    }
  })

  it('advance() without a Ready is a caller bug', () => {
    const { core } = single()
    expect(() => core.advance()).toThrow(expect.objectContaining({ code: 'NO_READY' }))
  })

  it('inputs between ready() and advance() show up in the next Ready', () => {
    const { core, storage } = single()
    turn(core, storage)
    core.campaign()
    const rd = core.ready()
    const r = core.propose(new Uint8Array([1]))
    expect(r.ok).toBe(true)
    storage.save(rd)
    core.advance()
    const next = turn(core, storage)
    expect(next.entries.map((e) => e.data)).toEqual([new Uint8Array([1])])
  })

  it('a core restarted with an applied index does not hand out those entries again', () => {
    const { core, storage } = single()
    turn(core, storage)
    core.campaign()
    turn(core, storage)
    core.propose(new Uint8Array([1]))
    turn(core, storage)
    const restarted = new RaftCore({ storage, keys: keysFor('a'), random: mulberry32(2), applied: 2 })
    const rd = restarted.ready()
    expect(rd.committed.map((e) => e.index)).toEqual([3])
  })

  it('storage whose commit index lies beyond its log is refused at start', () => {
    const storage = MemoryStorage.bootstrap(['a'])
    storage.setHardState({ term: 1, vote: null, commit: 5 })
    expect(() => new RaftCore({ storage, keys: keysFor('a'), random: mulberry32(1) }))
      .toThrow(expect.objectContaining({ code: 'CORRUPT_STATE' }))
  })

  it('options that cannot work are refused', () => {
    const storage = MemoryStorage.bootstrap(['a'])
    expect(() => new RaftCore({ storage, keys: keysFor('a'), random: mulberry32(1), electionTicks: 2, heartbeatTicks: 2 }))
      .toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }))
  })
})
