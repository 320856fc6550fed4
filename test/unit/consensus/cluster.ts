// A small in-process cluster for scripted Raft scenarios, in the manner of etcd-io/raft's
// raft_test.go `network`: every node is a RaftCore over a MemoryStorage, the shell loop is
// the real contract (persist → send → apply → advance), and the test decides which links
// are cut and when time passes. Keys are real Ed25519 keys derived from the node ids.

import { createHash } from 'node:crypto'
import { MemoryStorage, RaftCore, confState, ed25519Scheme, mulberry32, signVote } from '../../../src/consensus/index.js'
import type { Entry, Message, NodeId, QuorumCertificate, RaftConfig, Ready, Snapshot, VoteKeys, VoteKind } from '../../../src/consensus/index.js'

const utf8 = new TextEncoder()
const fromUtf8 = new TextDecoder()

/** Deterministic Ed25519 seed for a test node id. */
export function privateKeyOf (id: NodeId): Uint8Array {
  return new Uint8Array(createHash('sha256').update(`meshnode-test-key:${id}`).digest())
}

const publicKeys = new Map<NodeId, Uint8Array>()
export function publicKeyOf (id: NodeId): Uint8Array {
  let key = publicKeys.get(id)
  if (key === undefined) {
    key = ed25519Scheme.publicKey(privateKeyOf(id))
    publicKeys.set(id, key)
  }
  return key
}

export function keysFor (id: NodeId): VoteKeys {
  return { self: { id, privateKey: privateKeyOf(id) }, publicKeyOf }
}

export interface TestNode {
  readonly id: NodeId
  storage: MemoryStorage
  core: RaftCore
  /** Texts of applied normal entries (empty ones skipped), in order; the "state machine". */
  applied: string[]
  appliedIndex: number
  /** Every Ready this node produced, for assertions on what was persisted or sent. */
  readies: Ready[]
  running: boolean
}

/**
 * Scenarios are scripted tick by tick, as in etcd-io/raft's tests: a leader heartbeats on
 * every tick, so one tick is enough to see its followers answer. The node itself runs with
 * defaultRaftOptions (3 ticks between heartbeats).
 */
const SCENARIO_TICKS = { heartbeatTicks: 1 }

export interface ClusterOptions {
  /** Founding voters; default: all ids. Others start empty and must be added. */
  readonly voters?: readonly NodeId[]
  readonly core?: Partial<Omit<RaftConfig, 'storage' | 'keys' | 'random'>>
  readonly seed?: number
}

export class Cluster {
  readonly nodes = new Map<NodeId, TestNode>()
  /** Messages sent and not yet delivered, FIFO. */
  readonly inFlight: Message[] = []
  private readonly blocked = new Set<string>()
  private readonly options: ClusterOptions
  private seed: number
  /** Optional interceptor: return false to drop a message. */
  filter: ((m: Message) => boolean) | undefined

  constructor (ids: readonly NodeId[], options: ClusterOptions = {}) {
    this.options = options
    this.seed = options.seed ?? 1
    const voters = options.voters ?? ids
    for (const id of ids) {
      const storage = voters.includes(id) ? MemoryStorage.bootstrap(voters) : new MemoryStorage()
      this.nodes.set(id, this.makeNode(id, storage))
    }
  }

  private makeNode (id: NodeId, storage: MemoryStorage): TestNode {
    const snap = storage.snapshot()
    const node: TestNode = {
      id,
      storage,
      core: new RaftCore({ ...SCENARIO_TICKS, ...this.options.core, storage, keys: keysFor(id), random: mulberry32(this.seed++) }),
      applied: decodeState(snap.data),
      appliedIndex: snap.metadata.index,
      readies: [],
      running: true
    }
    return node
  }

  node (id: NodeId): TestNode {
    const n = this.nodes.get(id)
    if (n === undefined) throw new Error(`no node ${id}`)
    return n
  }

  core (id: NodeId): RaftCore {
    return this.node(id).core
  }

  /** Adds a node with empty storage (a joiner that the leader must add to the configuration). */
  addNode (id: NodeId): TestNode {
    const n = this.makeNode(id, new MemoryStorage())
    this.nodes.set(id, n)
    return n
  }

  isolate (id: NodeId): void {
    for (const other of this.nodes.keys()) {
      if (other === id) continue
      this.blocked.add(`${id}>${other}`)
      this.blocked.add(`${other}>${id}`)
    }
  }

  cut (a: NodeId, b: NodeId): void {
    this.blocked.add(`${a}>${b}`)
    this.blocked.add(`${b}>${a}`)
  }

  heal (): void {
    this.blocked.clear()
  }

  /** Crash: the core and everything in memory is gone; storage survives. */
  stop (id: NodeId): void {
    const n = this.node(id)
    n.running = false
  }

  /** Restart from persisted state, as the node shell does after kill -9. */
  start (id: NodeId): void {
    const old = this.node(id)
    const fresh = this.makeNode(id, old.storage)
    this.nodes.set(id, fresh)
  }

  /** Runs one node's shell loop over its pending Ready. */
  private process (n: TestNode): boolean {
    if (!n.running || !n.core.hasReady()) return false
    const rd = n.core.ready()
    n.readies.push(rd)
    n.storage.save(rd)
    for (const m of rd.messages) {
      if (this.blocked.has(`${m.from}>${m.to}`)) continue
      if (this.filter !== undefined && !this.filter(m)) continue
      this.inFlight.push(m)
    }
    if (rd.snapshot !== undefined) {
      n.applied = decodeState(rd.snapshot.data)
      n.appliedIndex = rd.snapshot.metadata.index
    }
    for (const e of rd.committed) this.apply(n, e)
    n.core.advance()
    return true
  }

  private apply (n: TestNode, e: Entry): void {
    if (e.index !== n.appliedIndex + 1) throw new Error(`${n.id} applied ${e.index} after ${n.appliedIndex}`)
    n.appliedIndex = e.index
    if (e.type === 'normal' && e.data.length > 0) n.applied.push(fromUtf8.decode(e.data))
  }

  /** Processes readies and delivers messages until nothing moves. */
  settle (maxSteps = 100_000): void {
    for (let i = 0; i < maxSteps; i++) {
      let moved = false
      for (const n of this.nodes.values()) moved = this.process(n) || moved
      const m = this.inFlight.shift()
      if (m !== undefined) {
        moved = true
        const to = this.nodes.get(m.to)
        if (to !== undefined && to.running && !this.blocked.has(`${m.from}>${m.to}`)) to.core.step(m)
      }
      if (!moved) return
    }
    throw new Error('cluster did not settle')
  }

  /** Ticks the given nodes (default all running) n times, settling after each tick. */
  tick (n = 1, ids?: readonly NodeId[]): void {
    for (let i = 0; i < n; i++) {
      for (const node of this.nodes.values()) {
        if (node.running && (ids === undefined || ids.includes(node.id))) node.core.tick()
      }
      this.settle()
    }
  }

  /** Makes `id` campaign and lets the election run to its end. */
  elect (id: NodeId): void {
    this.core(id).campaign()
    this.settle()
  }

  /** Running leaders, newest term first. */
  leaders (): TestNode[] {
    return [...this.nodes.values()]
      .filter((n) => n.running && n.core.status().role === 'leader')
      .sort((a, b) => b.core.status().term - a.core.status().term)
  }

  propose (id: NodeId, text: string): ReturnType<RaftCore['propose']> {
    const r = this.core(id).propose(utf8.encode(text))
    this.settle()
    return r
  }

  /** Makes node `id` snapshot its state machine at its applied index (and so compact). */
  snapshot (id: NodeId): Snapshot {
    const n = this.node(id)
    const r = n.core.createSnapshot(n.appliedIndex, encodeState(n.applied))
    if (!r.ok) throw new Error(r.message)
    this.settle()
    return r.snapshot
  }
}

export function text (s: string): Uint8Array {
  return utf8.encode(s)
}

function encodeState (applied: string[]): Uint8Array {
  return utf8.encode(JSON.stringify(applied))
}

function decodeState (data: Uint8Array): string[] {
  return data.length === 0 ? [] : JSON.parse(fromUtf8.decode(data)) as string[]
}

export { confState }

/** Signs a certificate for `candidateId`; each signer as [voterId, key owner] to allow forgeries. */
export function cert (
  candidateId: NodeId,
  term: number,
  signers: Array<NodeId | [NodeId, NodeId]>,
  opts: { kind?: VoteKind, voters?: NodeId[], lastLogIndex?: number, lastLogTerm?: number } = {}
): QuorumCertificate {
  const kind = opts.kind ?? 'vote'
  const lastLogIndex = opts.lastLogIndex ?? 10
  const lastLogTerm = opts.lastLogTerm ?? 2
  return {
    kind,
    term,
    candidateId,
    lastLogIndex,
    lastLogTerm,
    voters: opts.voters ?? ['a', 'b', 'c'],
    votes: signers.map((s) => {
      const [voterId, owner] = typeof s === 'string' ? [s, s] : s
      return { voterId, signature: signVote({ kind, term, candidateId, lastLogIndex, lastLogTerm, voterId }, privateKeyOf(owner)) }
    })
  }
}
