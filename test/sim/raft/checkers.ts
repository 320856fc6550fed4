// Raft's safety properties (Raft paper, Figure 3), checked against the simulated nodes'
// persisted and applied state after every step. Each check is incremental — it looks only
// at what changed — so it can run after every step of thousands of runs.
//
//   election safety      at most one leader per term, ever
//   log matching         two logs holding an entry with the same index and term hold the
//                        same entry, preceded by the same term (hence, by induction, the
//                        same prefix)
//   leader completeness  an entry committed in term U is in the log of every leader of a
//                        term after U
//   state machine safety no two nodes commit or apply different entries at one index, and
//                        their state machines agree after every index (snapshots included)
// plus commit durability: when a leader commits an index, a majority of its voters hold
// that entry on disk — the reason committed entries survive crashes.

import type { Entry, MemoryStorage, NodeId, RaftStatus } from '../../../src/consensus/index.js'

export class Violation extends Error {
  override readonly name = 'Violation'
}

export function entryKey (e: Entry): string {
  return `${e.type}:${Buffer.from(e.data).toString('hex')}`
}

/** What the checkers may look at on one simulated node. */
export interface CheckedNode {
  readonly id: NodeId
  readonly storage: MemoryStorage
  /** undefined while the node is down */
  status (): RaftStatus | undefined
}

interface Committed {
  readonly term: number
  readonly key: string
  /** A term by which the entry was committed (the observing node's term; ≥ the true one). */
  readonly inTerm: number
  readonly by: NodeId
}

function storedTerm (s: MemoryStorage, i: number): number | undefined {
  return s.term(i)
}

export class RaftCheckers {
  /** term → leader */
  private readonly leaders = new Map<number, NodeId>()
  /** "index:term" → the entry's content key and the term before it */
  private readonly entries = new Map<string, { key: string, prevTerm: number | undefined }>()
  private readonly committed = new Map<number, Committed>()
  /** index → content applied there and the state machine hash after it */
  private readonly applied = new Map<number, { key: string, hash: number }>()
  private readonly seenCommit = new Map<NodeId, number>()
  /** Leaders first seen this step, checked for completeness once their Ready is persisted. */
  private newLeaders: Array<{ id: NodeId, term: number }> = []
  leadersSeen = 0
  commitsChecked = 0

  /** After every input to a node: catches even a leadership that lasts less than a step. */
  observe (id: NodeId, s: RaftStatus): void {
    if (s.role !== 'leader') return
    const known = this.leaders.get(s.term)
    if (known === undefined) {
      this.leaders.set(s.term, id)
      this.newLeaders.push({ id, term: s.term })
      this.leadersSeen++
    } else if (known !== id) {
      throw new Violation(`election safety: ${known} and ${id} are both leaders of term ${s.term}`)
    }
  }

  /** After a node persisted a Ready's entries. */
  onPersist (id: NodeId, storage: MemoryStorage, entries: readonly Entry[]): void {
    for (const e of entries) {
      const prevTerm = storedTerm(storage, e.index - 1)
      const k = `${e.index}:${e.term}`
      const key = entryKey(e)
      const known = this.entries.get(k)
      if (known === undefined) {
        this.entries.set(k, { key, prevTerm })
        continue
      }
      if (known.key !== key) {
        throw new Violation(`log matching: ${id} holds a different entry at index ${e.index} term ${e.term}`)
      }
      if (known.prevTerm !== undefined && prevTerm !== undefined && known.prevTerm !== prevTerm) {
        throw new Violation(`log matching: ${id}'s entry ${e.index}/${e.term} follows term ${prevTerm}, elsewhere ${known.prevTerm}`)
      }
    }
  }

  /** After a node applied entry `e`, its state machine hash becoming `hash`. */
  onApply (id: NodeId, e: Entry, hash: number): void {
    const key = `${e.term}:${entryKey(e)}`
    const known = this.applied.get(e.index)
    if (known === undefined) {
      this.applied.set(e.index, { key, hash })
      return
    }
    if (known.key !== key) throw new Violation(`state machine safety: ${id} applied a different entry at index ${e.index}`)
    if (known.hash !== hash) throw new Violation(`state machine safety: ${id}'s state differs after index ${e.index}`)
  }

  /** After a node restored its state machine from a snapshot taken at `index`. */
  onRestore (id: NodeId, index: number, hash: number): void {
    const known = this.applied.get(index)
    if (known !== undefined && known.hash !== hash) {
      throw new Violation(`state machine safety: ${id} restored a snapshot at ${index} that differs from the applied state`)
    }
  }

  /** Once per step, after every node's Ready was handled. */
  endOfStep (nodes: readonly CheckedNode[]): void {
    const byId = new Map(nodes.map((n) => [n.id, n]))
    for (const n of nodes) {
      const s = n.status()
      if (s === undefined) continue
      const prev = this.seenCommit.get(n.id) ?? 0
      if (s.commit <= prev) continue
      const base = n.storage.snapshot().metadata.index
      for (let i = Math.max(prev, base) + 1; i <= s.commit; i++) {
        const e = n.storage.entries(i, i + 1)?.[0]
        if (e === undefined) throw new Violation(`${n.id} committed ${i} but has not persisted it`)
        this.recordCommitted(n.id, i, e, s.term)
        if (s.role === 'leader') this.checkDurable(n.id, s, i, e.term, byId)
      }
      this.seenCommit.set(n.id, s.commit)
    }
    for (const { id, term } of this.newLeaders) {
      const n = byId.get(id)
      if (n !== undefined) this.checkComplete(n, term)
    }
    this.newLeaders = []
  }

  private recordCommitted (id: NodeId, index: number, e: Entry, term: number): void {
    this.commitsChecked++
    const key = entryKey(e)
    const known = this.committed.get(index)
    if (known === undefined) {
      this.committed.set(index, { term: e.term, key, inTerm: term, by: id })
      return
    }
    if (known.term !== e.term || known.key !== key) {
      throw new Violation(`state machine safety: index ${index} committed as ${known.term} on ${known.by} and ${e.term} on ${id}`)
    }
  }

  /** A leader's commit of index i must rest on a majority of its voters holding the entry. */
  private checkDurable (id: NodeId, s: RaftStatus, index: number, term: number, byId: ReadonlyMap<NodeId, CheckedNode>): void {
    let holders = 0
    for (const v of s.conf.voters) {
      const storage = byId.get(v)?.storage
      if (storage === undefined) continue
      if (storage.snapshot().metadata.index >= index || storage.term(index) === term) holders++
    }
    if (holders < Math.floor(s.conf.voters.length / 2) + 1) {
      throw new Violation(`commit durability: leader ${id} committed ${index} held by ${holders} of ${s.conf.voters.length} voters`)
    }
  }

  /** Leader completeness for a leader of `term`, against everything committed in earlier terms. */
  private checkComplete (n: CheckedNode, term: number): void {
    const base = n.storage.snapshot().metadata.index
    for (const [index, c] of this.committed) {
      if (c.inTerm >= term || index <= base) continue
      if (n.storage.term(index) !== c.term) {
        throw new Violation(`leader completeness: ${n.id}, leader of term ${term}, lacks entry ${index} (term ${c.term}) committed by term ${c.inTerm}`)
      }
    }
  }
}
