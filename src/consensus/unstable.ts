// The tail of the log that exists only in memory: entries appended (by this leader or from a
// leader's AppendEntries) and a snapshot received, that the shell has not yet persisted.
// ready() hands them out, advance() marks them stable. `offset` is the index of entries[0];
// everything before it is in Storage. Mirrors etcd-io/raft log_unstable.go.

import type { Entry, Snapshot } from './types.js'

export class Unstable {
  snapshot: Snapshot | undefined
  entries: Entry[] = []
  offset: number

  constructor (offset: number) {
    this.offset = offset
  }

  /** The first index of the log if a pending snapshot redefines it. */
  maybeFirstIndex (): number | undefined {
    return this.snapshot === undefined ? undefined : this.snapshot.metadata.index + 1
  }

  /** The last index of the log if unstable state defines it. */
  maybeLastIndex (): number | undefined {
    if (this.entries.length > 0) return this.offset + this.entries.length - 1
    return this.snapshot?.metadata.index
  }

  maybeTerm (i: number): number | undefined {
    if (i < this.offset) {
      const s = this.snapshot
      return s !== undefined && s.metadata.index === i ? s.metadata.term : undefined
    }
    const last = this.maybeLastIndex()
    if (last === undefined || i > last) return undefined
    return this.entries[i - this.offset]?.term
  }

  /**
   * Entries up to (i, t) are persisted. Ignored when the entry at i changed meanwhile (a
   * newer leader overwrote it): those new entries still need persisting.
   */
  stableTo (i: number, t: number): void {
    const gt = this.maybeTerm(i)
    if (gt === undefined || gt !== t || i < this.offset) return
    this.entries = this.entries.slice(i + 1 - this.offset)
    this.offset = i + 1
  }

  stableSnapTo (i: number): void {
    if (this.snapshot !== undefined && this.snapshot.metadata.index === i) this.snapshot = undefined
  }

  restore (s: Snapshot): void {
    this.offset = s.metadata.index + 1
    this.entries = []
    this.snapshot = s
  }

  /** Appends ents, first dropping every entry at or after ents[0].index. */
  truncateAndAppend (ents: readonly Entry[]): void {
    const first = ents[0]
    if (first === undefined) return
    const after = first.index
    if (after === this.offset + this.entries.length) {
      this.entries = this.entries.concat(ents)
    } else if (after <= this.offset) {
      // the new entries replace persisted ones too: Ready will say truncateFrom
      this.offset = after
      this.entries = [...ents]
    } else {
      this.entries = this.entries.slice(0, after - this.offset).concat(ents)
    }
  }

  /** Entries [lo, hi), which the caller guarantees lie within the unstable range. */
  slice (lo: number, hi: number): Entry[] {
    return this.entries.slice(lo - this.offset, hi - this.offset)
  }
}
