import { describe, expect, it } from 'vitest'
import type { ConfLink, Entry } from '../../../src/consensus/types.js'
import { entryKey, RaftStore } from '../../../src/node/store/raft-store.js'
import { Store } from '../../../src/node/store/store.js'
import { tempDir } from '../../temp-dir.js'

const e = (index: number, term: number, byte = index): Entry => ({ index, term, type: 'normal', data: Uint8Array.from([byte]) })
const noReady = { messages: [], committed: [] }

async function reopen (dir: string, store: Store): Promise<{ store: Store, rs: RaftStore }> {
  await store.close()
  const s = await Store.open(dir)
  return { store: s, rs: await RaftStore.open(s) }
}

describe('raft store', () => {
  it('orders entry keys by index', () => {
    expect([entryKey(255), entryKey(16), entryKey(4096)].sort()).toEqual([entryKey(16), entryKey(255), entryKey(4096)])
  })

  it('persists entries and hard state across a restart', async () => {
    const dir = tempDir('raft')
    let store = await Store.open(dir)
    let rs = await RaftStore.open(store)
    expect(rs.isEmpty).toBe(true)
    await rs.save({ ...noReady, entries: [e(1, 1), e(2, 1), e(3, 2)], hardState: { term: 2, vote: 'me', commit: 2 } })
    ;({ store, rs } = await reopen(dir, store))
    expect(rs.mirror.lastIndex()).toBe(3)
    expect(rs.mirror.hardState()).toEqual({ term: 2, vote: 'me', commit: 2 })
    expect(rs.mirror.entries(1, 4)).toEqual([e(1, 1), e(2, 1), e(3, 2)])
    await store.close()
  })

  it('replaces a conflicting suffix on disk, not only in memory', async () => {
    const dir = tempDir('raft')
    let store = await Store.open(dir)
    let rs = await RaftStore.open(store)
    await rs.save({ ...noReady, entries: [e(1, 1), e(2, 1), e(3, 1), e(4, 1)] })
    await rs.save({ ...noReady, entries: [e(2, 3, 20)] })
    ;({ store, rs } = await reopen(dir, store))
    expect(rs.mirror.lastIndex()).toBe(2)
    expect(rs.mirror.entries(1, 3)).toEqual([e(1, 1), e(2, 3, 20)])
    await store.close()
  })

  it('persists a compaction and an installed snapshot', async () => {
    const dir = tempDir('raft')
    let store = await Store.open(dir)
    let rs = await RaftStore.open(store)
    await rs.save({ ...noReady, entries: [e(1, 1), e(2, 1), e(3, 1)] })
    const conf = { voters: ['a', 'b'], learners: [] }
    await rs.save({ ...noReady, entries: [], compaction: { metadata: { index: 2, term: 1, confState: conf }, data: Uint8Array.from([7]) } })
    ;({ store, rs } = await reopen(dir, store))
    expect(rs.mirror.firstIndex()).toBe(3)
    expect(rs.mirror.entries(3, 4)).toEqual([e(3, 1)])
    expect(rs.mirror.snapshot().data).toEqual(Uint8Array.from([7]))
    await rs.save({ ...noReady, entries: [], snapshot: { metadata: { index: 10, term: 4, confState: conf }, data: Uint8Array.from([8]) } })
    ;({ store, rs } = await reopen(dir, store))
    expect(rs.mirror.lastIndex()).toBe(10)
    expect(rs.mirror.term(10)).toBe(4)
    expect(rs.mirror.snapshot().metadata.confState).toEqual(conf)
    await store.close()
  })

  it('persists configuration links on entries and the chain of a snapshot', async () => {
    const dir = tempDir('raft')
    let store = await Store.open(dir)
    let rs = await RaftStore.open(store)
    const sig = Uint8Array.from({ length: 64 }, (_, i) => i)
    const link: ConfLink = {
      index: 2,
      term: 3,
      voters: ['a', 'c'],
      certificate: { kind: 'ack', term: 3, candidateId: 'a', lastLogIndex: 1, lastLogTerm: 3, voters: ['a', 'b'], votes: [{ voterId: 'a', signature: sig }, { voterId: 'b', signature: sig }] },
      signature: sig
    }
    const conf: Entry = { index: 2, term: 3, type: 'conf', data: Uint8Array.from([1, 4, 98]), link }
    await rs.save({ ...noReady, entries: [e(1, 3), conf, e(3, 3)] })
    ;({ store, rs } = await reopen(dir, store))
    expect(rs.mirror.entries(2, 3)).toEqual([conf])
    const snapshot = { metadata: { index: 3, term: 3, confState: { voters: ['a', 'c'], learners: [] }, chain: [link] }, data: Uint8Array.from([7]) }
    await rs.save({ ...noReady, entries: [], compaction: snapshot })
    ;({ store, rs } = await reopen(dir, store))
    expect(rs.mirror.snapshot()).toEqual(snapshot)
    await store.close()
  })

  it('bootstraps the founding configuration once', async () => {
    const dir = tempDir('raft')
    let store = await Store.open(dir)
    let rs = await RaftStore.open(store)
    await rs.bootstrap(['b', 'a'])
    await expect(rs.bootstrap(['a'])).rejects.toThrow(/already initialised/)
    ;({ store, rs } = await reopen(dir, store))
    expect(rs.mirror.lastIndex()).toBe(2)
    expect(rs.mirror.hardState().commit).toBe(2)
    expect(rs.founders).toEqual(['a', 'b'])
    expect(rs.foundingVoters).toBe(2)
    await store.close()
  })

  it('bootstraps in one atomic write: a crash cannot leave the founders without their voter count or their log', async () => {
    const dir = tempDir('raft')
    let store = await Store.open(dir)
    let rs = await RaftStore.open(store)
    // Every write after the first fails, as a crash between writes would cut them off.
    const sub = (rs as unknown as { sub: { put: (...a: unknown[]) => Promise<void>, batch: (...a: unknown[]) => Promise<void> } }).sub
    let writes = 0
    for (const method of ['put', 'batch'] as const) {
      const original = sub[method].bind(sub)
      sub[method] = async (...args: unknown[]) => {
        if (++writes > 1) throw new Error('crashed')
        await original(...args)
      }
    }
    await rs.bootstrap(['b', 'a'], ['d', 'c'])
    expect(writes).toBe(1)
    ;({ store, rs } = await reopen(dir, store))
    expect(rs.founders).toEqual(['a', 'b', 'c', 'd'])
    expect(rs.foundingVoters).toBe(2)
    expect(rs.mirror.lastIndex()).toBe(4)
    await store.close()
  })

  it('keeps how many founders founded as voters, for the founders that come late', async () => {
    const dir = tempDir('raft')
    let store = await Store.open(dir)
    let rs = await RaftStore.open(store)
    await rs.bootstrap(['b', 'a'], ['d', 'c'])
    ;({ store, rs } = await reopen(dir, store))
    expect(rs.founders).toEqual(['a', 'b', 'c', 'd'])
    expect(rs.foundingVoters).toBe(2)
    expect(rs.mirror.lastIndex()).toBe(4)
    await store.close()
  })
})
