// The Raft log as the core sees it: persisted entries (Storage) followed by unstable ones
// (Unstable), plus the commit and apply cursors. Mirrors etcd-io/raft log.go. Terms are
// `undefined` where unknown — compacted into a snapshot or beyond the last index — so every
// caller decides explicitly what an unknown term means for it.

import type { Storage } from './storage.js'
import { Unstable } from './unstable.js'
import type { Entry, Snapshot } from './types.js'

export class RaftLog {
  readonly storage: Storage
  readonly unstable: Unstable
  /** Highest index known to be committed. */
  committed: number
  /** Highest index the application has applied (acknowledged through advance()). */
  applied: number

  constructor (storage: Storage) {
    this.storage = storage
    this.unstable = new Unstable(storage.lastIndex() + 1)
    const first = storage.firstIndex()
    this.committed = first - 1
    this.applied = first - 1
  }

  firstIndex (): number {
    return this.unstable.maybeFirstIndex() ?? this.storage.firstIndex()
  }

  lastIndex (): number {
    return this.unstable.maybeLastIndex() ?? this.storage.lastIndex()
  }

  term (i: number): number | undefined {
    // the entry just before firstIndex is the snapshot's, whose term is still known
    if (i < this.firstIndex() - 1 || i > this.lastIndex()) return undefined
    return this.unstable.maybeTerm(i) ?? this.storage.term(i)
  }

  lastTerm (): number {
    return this.term(this.lastIndex()) ?? 0
  }

  matchTerm (i: number, t: number): boolean {
    return this.term(i) === t
  }

  /** Raft's election restriction (§5.4.1): is a log ending at (lasti, term) at least as new as ours? */
  isUpToDate (lasti: number, term: number): boolean {
    const ourTerm = this.lastTerm()
    return term > ourTerm || (term === ourTerm && lasti >= this.lastIndex())
  }

  /** Index of the first entry of ents that is missing or differs here; 0 if all match. */
  findConflict (ents: readonly Entry[]): number {
    for (const e of ents) {
      if (!this.matchTerm(e.index, e.term)) return e.index
    }
    return 0
  }

  /**
   * The largest index ≤ `index` whose term is ≤ `term`, with that term. Used on both sides of a
   * rejected AppendEntries to skip a whole term of mismatching entries per round trip instead
   * of one entry. An unknown term (compacted) stops the search: that is as far as we can tell.
   */
  findConflictByTerm (index: number, term: number): { index: number, term: number } {
    for (let i = index; i > 0; i--) {
      const ourTerm = this.term(i)
      if (ourTerm === undefined) return { index: i, term: 0 }
      if (ourTerm <= term) return { index: i, term: ourTerm }
    }
    return { index: 0, term: 0 }
  }

  /** Appends (truncating any suffix from ents[0].index); never below the commit index. */
  append (ents: readonly Entry[]): number {
    const first = ents[0]
    if (first === undefined) return this.lastIndex()
    if (first.index - 1 < this.committed) {
      throw new RangeError(`append at ${first.index} would overwrite committed ${this.committed}`)
    }
    this.unstable.truncateAndAppend(ents)
    return this.lastIndex()
  }

  /** Entries [lo, hi); undefined if lo was compacted. */
  slice (lo: number, hi: number): Entry[] | undefined {
    if (lo < this.firstIndex()) return undefined
    if (hi > this.lastIndex() + 1) throw new RangeError(`slice(${lo}, ${hi}) beyond ${this.lastIndex()}`)
    if (lo >= hi) return []
    const out: Entry[] = []
    const offset = this.unstable.offset
    if (lo < offset) {
      const stored = this.storage.entries(lo, Math.min(hi, offset))
      if (stored === undefined) return undefined
      out.push(...stored)
    }
    if (hi > offset) out.push(...this.unstable.slice(Math.max(lo, offset), hi))
    return out
  }

  /** Up to `max` entries from lo; undefined if lo was compacted. */
  entriesFrom (lo: number, max: number): Entry[] | undefined {
    return this.slice(lo, Math.min(this.lastIndex() + 1, lo + max))
  }

  commitTo (i: number): void {
    if (i <= this.committed) return
    if (i > this.lastIndex()) throw new RangeError(`commit ${i} beyond last index ${this.lastIndex()}`)
    this.committed = i
  }

  /** Commits up to maxIndex only if that entry is of `term` — a leader counts only its own term (§5.4.2). */
  maybeCommit (maxIndex: number, term: number): boolean {
    if (maxIndex > this.committed && this.term(maxIndex) === term) {
      this.commitTo(maxIndex)
      return true
    }
    return false
  }

  appliedTo (i: number): void {
    if (i > this.applied) this.applied = Math.min(i, this.committed)
  }

  restore (s: Snapshot): void {
    this.committed = s.metadata.index
    this.unstable.restore(s)
  }

  /** The newest snapshot: a received one not yet persisted, else the persisted one. */
  snapshot (): Snapshot {
    return this.unstable.snapshot ?? this.storage.snapshot()
  }

  hasPendingSnapshot (): boolean {
    return this.unstable.snapshot !== undefined
  }

  unstableEntries (): Entry[] {
    return [...this.unstable.entries]
  }

  /** Committed entries not yet applied; none while a received snapshot awaits restoring. */
  nextCommittedEntries (max: number): Entry[] {
    if (this.hasPendingSnapshot()) return []
    const lo = Math.max(this.applied + 1, this.firstIndex())
    const hi = Math.min(this.committed + 1, lo + max)
    if (lo >= hi) return []
    return this.slice(lo, hi) ?? []
  }

  stableTo (i: number, t: number): void {
    this.unstable.stableTo(i, t)
  }

  stableSnapTo (i: number): void {
    this.unstable.stableSnapTo(i)
  }
}
