// What the core reads of the persisted state, and an in-memory implementation.
//
// The core only reads Storage; the shell writes it while handling a Ready (see Ready in
// types.ts) and before calling advance(). Reads are synchronous: a shell backed by LevelDB
// keeps a MemoryStorage as its in-memory mirror (the control log is small and compacted),
// loads it at start-up, and writes every Ready to disk first and to the mirror second.

import { encodeConfChange } from './confchange.js'
import type { ConfState, Entry, HardState, NodeId, Ready, Snapshot } from './types.js'

export interface Storage {
  /** The persisted term, vote and commit index; term 0 and no vote on a fresh node. */
  hardState (): HardState
  /** The latest snapshot; index 0 and an empty configuration on a fresh node. */
  snapshot (): Snapshot
  /** snapshot().metadata.index + 1: the first index that may hold an entry. */
  firstIndex (): number
  /** The last persisted index; the snapshot index when no entry follows it. */
  lastIndex (): number
  /** Term of entry i; the snapshot's term at its index; undefined below it or past lastIndex. */
  term (i: number): number | undefined
  /**
   * Entries [lo, hi), hi ≤ lastIndex() + 1. Undefined when lo ≤ the snapshot index: those
   * entries were compacted away and the caller needs the snapshot instead.
   */
  entries (lo: number, hi: number): Entry[] | undefined
}

const EMPTY_CONF: ConfState = { voters: [], learners: [] }

export class MemoryStorage implements Storage {
  private hs: HardState = { term: 0, vote: null, commit: 0 }
  private snap: Snapshot = { metadata: { index: 0, term: 0, confState: EMPTY_CONF }, data: new Uint8Array() }
  /** Entries after the snapshot; ents[i] has index snap.metadata.index + 1 + i. */
  private ents: Entry[] = []

  /**
   * The founding members' identical initial state: one addVoter entry per member at term 1,
   * already committed. Writing the configuration as entries, not as a snapshot, lets nodes
   * that join later learn it by plain replication.
   */
  static bootstrap (voters: readonly NodeId[], learners: readonly NodeId[] = []): MemoryStorage {
    const s = new MemoryStorage()
    const v = [...new Set(voters)].sort()
    const l = [...new Set(learners)].filter(id => !v.includes(id)).sort()
    const changes = [...v.map(nodeId => ({ type: 'addVoter' as const, nodeId })), ...l.map(nodeId => ({ type: 'addLearner' as const, nodeId }))]
    s.ents = changes.map((cc, i) => ({
      index: i + 1,
      term: 1,
      type: 'conf' as const,
      data: encodeConfChange(cc)
    }))
    s.hs = { term: 1, vote: null, commit: changes.length }
    return s
  }

  hardState (): HardState {
    return this.hs
  }

  snapshot (): Snapshot {
    return this.snap
  }

  firstIndex (): number {
    return this.snap.metadata.index + 1
  }

  lastIndex (): number {
    return this.snap.metadata.index + this.ents.length
  }

  term (i: number): number | undefined {
    const base = this.snap.metadata.index
    if (i === base) return this.snap.metadata.term
    if (i < base || i > this.lastIndex()) return undefined
    return this.ents[i - base - 1]?.term
  }

  entries (lo: number, hi: number): Entry[] | undefined {
    const base = this.snap.metadata.index
    if (lo <= base) return undefined
    if (hi > this.lastIndex() + 1) {
      throw new RangeError(`entries(${lo}, ${hi}) beyond last index ${this.lastIndex()}`)
    }
    return this.ents.slice(lo - base - 1, hi - base - 1)
  }

  setHardState (hs: HardState): void {
    this.hs = hs
  }

  /**
   * Appends entries, first discarding any persisted entries at or after entries[0].index (a
   * new leader overwrote a conflicting suffix). Entries already covered by the snapshot are
   * skipped.
   */
  append (entries: readonly Entry[]): void {
    const first = entries[0]
    if (first === undefined) return
    const base = this.snap.metadata.index
    const fresh = entries.filter((e) => e.index > base)
    const head = fresh[0]
    if (head === undefined) return
    if (head.index > this.lastIndex() + 1) {
      throw new RangeError(`append at ${head.index} leaves a gap after ${this.lastIndex()}`)
    }
    this.ents = this.ents.slice(0, head.index - base - 1).concat(fresh)
  }

  /** Replaces log and snapshot with a snapshot received from the leader; false if stale. */
  applySnapshot (snapshot: Snapshot): boolean {
    if (snapshot.metadata.index <= this.snap.metadata.index) return false
    this.snap = snapshot
    this.ents = []
    return true
  }

  /**
   * Persists a snapshot the application made of entries it applied, and discards the entries
   * it covers; entries after it stay. False if stale or beyond the log.
   */
  compact (snapshot: Snapshot): boolean {
    const base = this.snap.metadata.index
    const index = snapshot.metadata.index
    if (index <= base || index > this.lastIndex()) return false
    this.ents = this.ents.slice(index - base)
    this.snap = snapshot
    return true
  }

  /** Step 1 of handling a Ready, in the order the Ready contract requires. */
  save (rd: Ready): void {
    if (rd.snapshot !== undefined) this.applySnapshot(rd.snapshot)
    this.append(rd.entries)
    if (rd.hardState !== undefined) this.setHardState(rd.hardState)
    if (rd.compaction !== undefined) this.compact(rd.compaction)
  }
}
