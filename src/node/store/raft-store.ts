// Durable Raft state on the node's LevelDB, with an in-memory mirror the core reads
// synchronously. save() writes one atomic batch per Ready (snapshot, truncation, new entries,
// hard state, compaction) and only then updates the mirror: the shell calls it before it
// sends any message of that Ready, so nothing is promised that a crash could forget.
import { MemoryStorage } from '../../consensus/storage.js'
import type { Entry, HardState, Ready, Snapshot } from '../../consensus/types.js'
import { Entry as PbEntry, Snapshot as PbSnapshot } from '../../wire/proto/raft.js'
import { entryFromWire, entryToWire, snapshotFromWire, snapshotToWire } from '../../wire/raft-codec.js'
import { BUCKETS } from './buckets.js'
import type { Store } from './store.js'

const HARD_STATE_KEY = 'hs'
const SNAPSHOT_KEY = 'snap'
/** The founding set, kept for good so founders that are late can still join in. */
const FOUNDERS_KEY = 'founders'
/** How many of the founding set (its lowest ids) founded as voters; absent: all of them. */
const FOUNDING_VOTERS_KEY = 'founding-voters'

/** Big-endian hex so LevelDB's byte order is index order. */
export function entryKey (index: number): string {
  return `e${index.toString(16).padStart(16, '0')}`
}

type BatchOp = { type: 'put', key: string, value: Uint8Array } | { type: 'del', key: string }
/** What `save` persists of a Ready. */
type Persisted = Pick<Ready, 'snapshot' | 'entries' | 'hardState' | 'compaction' | 'truncateFrom'> & Partial<Ready>

export class RaftStore {
  private readonly sub
  /** The set this node founded the cluster with (voters and learners); empty if it joined or never founded. */
  founders: string[] = []
  /** How many of `founders` (the lowest ids) founded as voters. */
  foundingVoters = 0

  private constructor (private readonly store: Store, readonly mirror: MemoryStorage) {
    this.sub = store.db.sublevel<string, Uint8Array>(BUCKETS.raft.prefix, { valueEncoding: 'view' })
  }

  /** Load what is on disk; a fresh node gets an empty log (or `bootstrap`'s founding entries). */
  static async open (store: Store): Promise<RaftStore> {
    const rs = new RaftStore(store, new MemoryStorage())
    await rs.load()
    return rs
  }

  /** True when nothing was ever persisted: the node has not joined or founded a cluster. */
  get isEmpty (): boolean {
    return this.mirror.lastIndex() === 0 && this.mirror.hardState().term === 0
  }

  /** Persist a founding configuration (identical on every founding member) before first start. */
  async bootstrap (voters: string[], learners: string[] = []): Promise<void> {
    if (!this.isEmpty) throw new Error('raft log already initialised; cannot bootstrap again')
    const fresh = MemoryStorage.bootstrap(voters, learners)
    const entries = fresh.entries(1, fresh.lastIndex() + 1) ?? []
    const founders = [...new Set([...voters, ...learners])].sort()
    const voterCount = new Set(voters).size
    // One atomic batch with the founding entries: a crash cannot leave the founders on disk
    // without their voter count (which would read back as "all of them voters") or the log.
    const ops: BatchOp[] = [{ type: 'put', key: FOUNDERS_KEY, value: new TextEncoder().encode(JSON.stringify(founders)) }]
    if (voterCount < founders.length) ops.push({ type: 'put', key: FOUNDING_VOTERS_KEY, value: new TextEncoder().encode(String(voterCount)) })
    const rd: Persisted = { hardState: fresh.hardState(), entries, messages: [], committed: [] }
    await this.sub.batch([...ops, ...this.opsFor(rd)])
    this.mirror.save(rd as Ready)
    this.founders = founders
    this.foundingVoters = voterCount
  }

  /**
   * Replace the whole persisted Raft state with `snapshot` and `hardState`: every log entry
   * goes, the snapshot stands for them (a forced recovery, src/node/store/raft-recover.ts).
   * One atomic batch; the mirror follows.
   */
  async replace (snapshot: Snapshot, hardState: HardState, founders: string[]): Promise<void> {
    const ops: BatchOp[] = []
    for await (const key of this.sub.keys({ gte: 'e', lt: 'f' })) ops.push({ type: 'del', key })
    ops.push({ type: 'put', key: SNAPSHOT_KEY, value: encodeSnapshot(snapshot) })
    ops.push({ type: 'put', key: HARD_STATE_KEY, value: encodeHardState(hardState) })
    ops.push({ type: 'put', key: FOUNDERS_KEY, value: new TextEncoder().encode(JSON.stringify(founders)) })
    ops.push({ type: 'del', key: FOUNDING_VOTERS_KEY })
    await this.sub.batch(ops)
    this.mirror.applySnapshot(snapshot)
    this.mirror.setHardState(hardState)
    this.founders = founders
    this.foundingVoters = founders.length
  }

  async save (rd: Persisted): Promise<void> {
    const ops = this.opsFor(rd)
    if (ops.length > 0) await this.sub.batch(ops)
    this.mirror.save(rd as Ready)
  }

  /** The writes that persist `rd` against what the mirror holds now (the mirror is not touched). */
  private opsFor (rd: Persisted): BatchOp[] {
    const ops: BatchOp[] = []
    const m = this.mirror
    if (rd.snapshot !== undefined && rd.snapshot.metadata.index > m.snapshot().metadata.index) {
      for (let i = m.firstIndex(); i <= m.lastIndex(); i++) ops.push({ type: 'del', key: entryKey(i) })
      ops.push({ type: 'put', key: SNAPSHOT_KEY, value: encodeSnapshot(rd.snapshot) })
    }
    const first = rd.entries[0]
    if (first !== undefined) {
      // Entries from first.index on replace whatever the log held there (a conflicting suffix).
      const lastBefore = rd.snapshot !== undefined ? rd.snapshot.metadata.index : m.lastIndex()
      for (let i = first.index; i <= lastBefore; i++) ops.push({ type: 'del', key: entryKey(i) })
      for (const e of rd.entries) ops.push({ type: 'put', key: entryKey(e.index), value: encodeEntry(e) })
    }
    if (rd.hardState !== undefined) ops.push({ type: 'put', key: HARD_STATE_KEY, value: encodeHardState(rd.hardState) })
    if (rd.compaction !== undefined) {
      const upTo = rd.compaction.metadata.index
      for (let i = m.firstIndex(); i <= upTo; i++) ops.push({ type: 'del', key: entryKey(i) })
      ops.push({ type: 'put', key: SNAPSHOT_KEY, value: encodeSnapshot(rd.compaction) })
    }
    return ops
  }

  private async load (): Promise<void> {
    const snap = await this.sub.get(SNAPSHOT_KEY)
    if (snap != null) this.mirror.applySnapshot(decodeSnapshot(snap))
    const entries: Entry[] = []
    for await (const [, value] of this.sub.iterator({ gte: 'e', lt: 'f' })) entries.push(decodeEntry(value))
    const base = this.mirror.snapshot().metadata.index
    this.mirror.append(entries.filter(e => e.index > base))
    const hs = await this.sub.get(HARD_STATE_KEY)
    if (hs != null) this.mirror.setHardState(decodeHardState(hs))
    const founders = await this.sub.get(FOUNDERS_KEY)
    if (founders != null) this.founders = JSON.parse(new TextDecoder().decode(founders))
    const voters = await this.sub.get(FOUNDING_VOTERS_KEY)
    this.foundingVoters = voters != null ? Number(new TextDecoder().decode(voters)) : this.founders.length
  }
}

function encodeEntry (e: Entry): Uint8Array {
  return PbEntry.encode(entryToWire(e))
}

/** LevelDB hands back Buffers; decode from a plain view so entry data is a plain Uint8Array. */
function plain (b: Uint8Array): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength)
}

function decodeEntry (b: Uint8Array): Entry {
  return entryFromWire(PbEntry.decode(plain(b)))
}

function encodeSnapshot (s: Snapshot): Uint8Array {
  return PbSnapshot.encode(snapshotToWire(s))
}

function decodeSnapshot (b: Uint8Array): Snapshot {
  return snapshotFromWire(PbSnapshot.decode(plain(b)))
}

function encodeHardState (hs: HardState): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(hs))
}

function decodeHardState (b: Uint8Array): HardState {
  const hs = JSON.parse(new TextDecoder().decode(b))
  return { term: hs.term, vote: hs.vote ?? null, commit: hs.commit }
}
