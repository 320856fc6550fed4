// Deterministic simulator for Dijkstra–Scholten completion detection: several nodes' cores
// in one process, each behind a minimal shell (persist, then send), a seeded network that
// delays, reorders, duplicates and drops messages, crashes that restore a core from its
// persisted records (also between persisting and sending), and optionally one node that
// crash-stops and is declared dead, whose work the survivors reclaim and re-run. A global
// oracle knows every job's whole task tree and which task ids have finished, and checks:
//
//  - safety, when a completion is reported: every task id of the tree has finished; and in
//    runs without a death, no node still holds a task or an unsignalled batch of the job;
//  - at most one report per job per core incarnation (a restore may report it again);
//  - persistence fidelity: a core restored from disk equals the live core;
//  - after every step, no lost work: each unfinished task, or one of its ancestors, is
//    still held as a local task or a ledger entry by a node that is not dead;
//  - liveness: once faults stop and messages drain, every job is detected complete and
//    every node is quiescent (no tasks, no ledger entries, no open engagements).
//
// Everything random comes from one seed, so a failing seed replays the same run.

import { CompletionCore, recordKey } from '../../../src/completion/index.js'
import type { CompletionRecord } from '../../../src/completion/index.js'
import { mulberry32 } from '../../../src/prng.js'
import type { Rng } from '../../../src/prng.js'
import { randomTree } from './tree.js'
import type { TaskTree } from './tree.js'

export interface SimOptions {
  seed: number
  /** Crash-stop one non-home node mid-run and have every survivor learn it is dead. */
  withDeath: boolean
  /** Check the lost-work invariant every this many steps (1: every step). */
  coverageEvery?: number
  /** Keep the whole trace instead of the last lines (for replaying one seed). */
  fullTrace?: boolean
}

export interface SimStats {
  steps: number
  tasks: number
  delivered: number
  duplicated: number
  dropped: number
  crashes: number
  deaths: number
  reclaimedBatches: number
  abandonedBatches: number
  /** Tasks that arrived while already held along another lineage (re-runs after a reclaim). */
  mergedTasks: number
}

export class SimFailure extends Error {
  readonly seed: number
  constructor (seed: number, violation: string, trace: string[]) {
    super(`seed=${seed}: ${violation}\n  replay with MESHNODE_SIM_SEED=${seed} (MESHNODE_SIM_TRACE=1 for the full trace)\n  last events:\n    ${trace.join('\n    ')}`)
    this.name = 'SimFailure'
    this.seed = seed
  }
}

/** A job: its task tree, its home node, and the step its submission arrives. */
interface Tree extends TaskTree {
  home: string
  startAt: number
}

type Msg =
  | { kind: 'batch', from: string, to: string, jobId: string, batchId: string, taskIds: string[] }
  | { kind: 'signal', from: string, to: string, jobId: string, batchId: string }

interface SimNode {
  id: string
  core: CompletionCore
  /** The node's persisted records, as its LevelDB would hold them. */
  disk: Map<string, CompletionRecord>
  /** Death verdicts the node has applied; durable (they come from the replicated log). */
  knownDead: Set<string>
  /** Bumped on every restore: a core incarnation may report a completion once. */
  incarnation: number
}

const TRACE_LINES = 40

export function simulate (opts: SimOptions): SimStats {
  return new World(opts).run()
}

class World {
  private readonly rng: Rng
  private readonly seed: number
  private readonly withDeath: boolean
  private readonly coverageEvery: number
  private readonly fullTrace: boolean
  private readonly nodes: SimNode[] = []
  private readonly trees: Tree[] = []
  private readonly treeOf = new Map<string, Tree>()
  private readonly finished = new Map<string, Set<string>>()
  private readonly reported = new Map<string, Set<string>>()
  private readonly dead = new Set<string>()
  private pendingLearn: Array<{ node: string, dead: string }> = []
  private net: Msg[] = []
  private trace: string[] = []
  private step = 0
  private chaos = true
  private batchSeq = 0
  private readonly stats: SimStats = { steps: 0, tasks: 0, delivered: 0, duplicated: 0, dropped: 0, crashes: 0, deaths: 0, reclaimedBatches: 0, abandonedBatches: 0, mergedTasks: 0 }

  // Per-seed fault profile, so the seeds together cover gentle and hostile networks.
  private readonly pDup: number
  private readonly pDrop: number
  private readonly pMidCrash: number
  private readonly crashWeight: number
  private readonly chaosSteps: number
  /** Earliest step of the death; it waits until some non-home node holds work. */
  private readonly killAt: number
  /** How quickly survivors learn of a death; slow learning keeps orphaned work alive longer. */
  private readonly learnWeight: number
  private readonly affinity: boolean
  private lastStart = 0

  constructor (opts: SimOptions) {
    this.seed = opts.seed
    this.withDeath = opts.withDeath
    this.coverageEvery = opts.coverageEvery ?? 1
    this.fullTrace = opts.fullTrace ?? false
    this.rng = mulberry32(opts.seed)
    const nodeCount = (this.withDeath ? 3 : 2) + this.int(4)
    for (let i = 0; i < nodeCount; i++) {
      const id = `n${i}`
      this.nodes.push({ id, core: new CompletionCore(id), disk: new Map(), knownDead: new Set(), incarnation: 0 })
    }
    this.pDup = this.pick([0, 0.05, 0.2])
    this.pDrop = this.pick([0, 0.02, 0.1])
    this.pMidCrash = this.pick([0, 0.01, 0.04])
    this.crashWeight = this.pick([0, 0.05, 0.3])
    this.chaosSteps = 150 + this.int(600)
    this.learnWeight = this.pick([0.03, 0.2, 1])
    this.affinity = this.rng() < 0.5
    this.killAt = this.withDeath ? 1 + this.int(Math.floor(this.chaosSteps * 0.6)) : -1
    const jobCount = 1 + this.int(3)
    // In runs with a death the last node is never a home, so there is always a victim.
    const homes = this.withDeath ? nodeCount - 1 : nodeCount
    for (let j = 0; j < jobCount; j++) {
      const home = `n${this.int(homes)}`
      const tree: Tree = { ...randomTree(this.rng, `j${j}`), home, startAt: this.int(Math.max(1, Math.floor(this.chaosSteps * 0.5))) }
      this.trees.push(tree)
      this.treeOf.set(tree.jobId, tree)
      this.finished.set(tree.jobId, new Set())
      this.stats.tasks += tree.all.length
    }
    this.lastStart = Math.max(...this.trees.map((t) => t.startAt))
    this.log(`nodes=${nodeCount} jobs=${this.trees.map((t) => `${t.jobId}@${t.home}:${t.all.length}`).join(',')} learnW=${this.learnWeight} affinity=${this.affinity} dup=${this.pDup} drop=${this.pDrop} midCrash=${this.pMidCrash} crashW=${this.crashWeight} chaosSteps=${this.chaosSteps} killAt=${this.killAt}`)
  }

  run (): SimStats {
    for (; this.step < this.chaosSteps; this.step++) {
      this.startDueJobs()
      if (this.withDeath && this.stats.deaths === 0 && this.step >= this.killAt) this.kill()
      this.chaosStep()
      this.checkCoverage()
      // Once every job is reported and nothing is in flight, further fault steps test nothing.
      if (this.step > this.lastStart && (!this.withDeath || this.stats.deaths > 0) && this.allReported() && this.net.length === 0) break
    }
    this.chaos = false
    this.log('--- faults stop; draining')
    this.drain()
    this.checkQuiescent()
    this.stats.steps = this.step
    return this.stats
  }

  // ----- the world's moves ----------------------------------------------------------------

  private chaosStep (): void {
    const moves: Array<[number, () => boolean]> = [
      [3, () => this.startTask()],
      [3, () => this.finishTask()],
      [3, () => this.delegate()],
      [5, () => this.deliver()],
      [0.2, () => this.retransmit(this.randomAlive())],
      [this.crashWeight, () => this.crash()],
      [this.pendingLearn.length > 0 ? this.learnWeight : 0, () => this.learn()]
    ]
    const total = moves.reduce((sum, [w]) => sum + w, 0)
    let point = this.rng() * total
    for (const [weight, move] of moves) {
      if (point < weight) {
        move()
        return
      }
      point -= weight
    }
  }

  private drain (): void {
    const budget = this.step + 20_000 + 50 * this.stats.tasks
    for (; this.step < budget; this.step++) {
      this.startDueJobs()
      const moves: Array<() => boolean> = []
      if (this.pendingLearn.length > 0) moves.push(() => this.learn())
      if (this.anyTask(false)) moves.push(() => this.startTask())
      if (this.anyTask(true)) moves.push(() => this.finishTask())
      if (this.net.length > 0) moves.push(() => this.deliver())
      if (moves.length > 0) {
        this.pick(moves)()
      } else {
        // Nothing runs and nothing is in flight: only re-sending the ledgers (after a lost
        // batch or a lost signal) can make progress.
        let resent = false
        for (const node of this.alive()) resent = this.retransmit(node) || resent
        if (!resent) {
          if (this.allReported()) return
          this.fail('liveness: the mesh is idle with nothing in flight or owed, but not every job was detected complete')
        }
      }
      this.checkCoverage()
    }
    this.fail(`liveness: not every job was detected complete within ${budget} steps`)
  }

  private startDueJobs (): void {
    for (const tree of this.trees) {
      if (tree.startAt !== this.step) continue
      const home = this.node(tree.home)
      if (this.dead.has(home.id)) continue
      this.log(`${home.id} startJob ${tree.jobId} [${tree.roots.join(' ')}]`)
      home.core.startJob(tree.jobId, tree.roots)
      // A submission is acknowledged only once persisted; if the home crashed first, the
      // submitter tries again.
      if (!this.commit(home) && !home.core.isHome(tree.jobId)) tree.startAt++
    }
  }

  private startTask (): boolean {
    const choice = this.randomLocalTask(false)
    if (choice === undefined) return false
    const [node, jobId, taskId] = choice
    node.core.taskStarted(jobId, taskId)
    return true
  }

  private finishTask (): boolean {
    const choice = this.randomLocalTask(true)
    if (choice === undefined) return false
    const [node, jobId, taskId] = choice
    const tree = this.tree(jobId)
    const children = tree.children.get(taskId) ?? []
    this.log(`${node.id} finish ${taskId}${children.length > 0 ? ` spawning [${children.join(' ')}]` : ''}`)
    for (const child of children) {
      if (!node.core.taskSpawned(jobId, taskId, child)) this.fail(`${node.id}: taskSpawned refused a child of running task ${taskId}`)
    }
    if (!node.core.taskFinished(jobId, taskId)) this.fail(`${node.id}: taskFinished refused running task ${taskId}`)
    // The result is recorded before the core hears of it, so it counts even if a crash
    // makes the core forget the finish (the task then simply runs again).
    this.finishedSet(jobId).add(taskId)
    this.commit(node)
    return true
  }

  private delegate (): boolean {
    const node = this.randomAlive()
    if (node === undefined) return false
    const pendingByJob = new Map<string, string[]>()
    for (const jobId of node.core.jobIds()) {
      const pending = node.core.localTasks(jobId).filter((t) => !t.running).map((t) => t.taskId)
      if (pending.length > 0) pendingByJob.set(jobId, pending)
    }
    if (pendingByJob.size === 0) return false
    const jobId = this.pick([...pendingByJob.keys()])
    const pending = this.shuffle(pendingByJob.get(jobId) ?? [])
    const taskIds = pending.slice(0, 1 + this.int(Math.min(4, pending.length)))
    // A node does not hand work to a peer it knows is dead; it may to one that died unnoticed.
    const targets = this.nodes.filter((n) => n.id !== node.id && !node.knownDead.has(n.id))
    if (targets.length === 0) return false
    // Affinity routing sends a task where it went before, so after a reclaim the re-run
    // meets the stale copy still held along the dead node's lineage.
    const to = this.affinity ? this.affinityTarget(taskIds[0] ?? '', targets) : this.pick(targets).id
    const batchId = `b${this.batchSeq++}`
    this.log(`${node.id} delegate ${batchId} of ${jobId} -> ${to} [${taskIds.join(' ')}]`)
    node.core.delegate(jobId, batchId, to, taskIds)
    // Persist the ledger entry before the batch leaves; a crash in between loses only the send.
    if (this.commit(node)) this.net.push({ kind: 'batch', from: node.id, to, jobId, batchId, taskIds })
    return true
  }

  private deliver (): boolean {
    if (this.net.length === 0) return false
    const index = this.int(this.net.length)
    const msg = this.net[index] as Msg
    if (this.chaos && this.rng() < this.pDup) {
      this.stats.duplicated++ // leave a copy in flight for a later, duplicate delivery
    } else {
      this.net[index] = this.net[this.net.length - 1] as Msg
      this.net.pop()
    }
    if (this.dead.has(msg.to) || (this.chaos && this.rng() < this.pDrop)) {
      this.stats.dropped++
      this.log(`drop ${describe(msg)}`)
      return true
    }
    this.stats.delivered++
    const node = this.node(msg.to)
    if (msg.kind === 'batch') {
      const receipt = node.core.receiveBatch(msg.jobId, msg.batchId, msg.from, msg.taskIds)
      this.log(`deliver ${describe(msg)}: ${receipt.status}`)
      if (receipt.status === 'engaged') this.stats.mergedTasks += new Set(msg.taskIds).size - receipt.newTasks.length
      if (receipt.status === 'rejected') this.fail(`${node.id} rejected a well-formed batch ${msg.batchId}`)
    } else {
      const receipt = node.core.receiveSignal(msg.jobId, msg.batchId, msg.from)
      this.log(`deliver ${describe(msg)}: ${receipt}`)
      if (receipt === 'rejected') this.fail(`${node.id} rejected a signal from the receiver of ${msg.batchId}`)
    }
    this.commit(node)
    return true
  }

  /** The sender's recovery path for lost batches and lost signals: re-send the ledger. */
  private retransmit (node: SimNode | undefined): boolean {
    if (node === undefined) return false
    let sent = false
    for (const jobId of node.core.jobIds()) {
      for (const entry of node.core.ledger(jobId)) {
        this.net.push({ kind: 'batch', from: node.id, to: entry.to, jobId, batchId: entry.batchId, taskIds: [...entry.taskIds] })
        sent = true
      }
    }
    if (sent) this.log(`${node.id} re-sends its ledger`)
    return sent
  }

  private crash (): boolean {
    const node = this.randomAlive()
    if (node === undefined) return false
    this.log(`crash ${node.id} (idle moment)`)
    this.restart(node, true)
    return true
  }

  private kill (): void {
    // The death that tests most is one that strands work: wait until some non-home node
    // holds received batches, and kill the one holding the most.
    const homes = new Set(this.trees.map((t) => t.home))
    const load = (n: SimNode): number => n.core.jobIds().reduce((sum, j) => sum + n.core.engagements(j).length + n.core.ledger(j).length, 0)
    const victims = this.alive().filter((n) => !homes.has(n.id) && load(n) > 0)
    if (victims.length === 0 && this.step < this.chaosSteps - 1 && !this.allReported()) return
    const candidates = victims.length > 0 ? victims : this.alive().filter((n) => !homes.has(n.id))
    if (candidates.length === 0) return
    const most = Math.max(...candidates.map(load))
    const victim = this.pick(candidates.filter((n) => load(n) === most))
    this.dead.add(victim.id)
    this.stats.deaths++
    for (const n of this.alive()) this.pendingLearn.push({ node: n.id, dead: victim.id })
    this.log(`KILL ${victim.id}: it stops for good; survivors will learn it is dead`)
  }

  private learn (): boolean {
    if (this.pendingLearn.length === 0) return false
    const index = this.int(this.pendingLearn.length)
    const [verdict] = this.pendingLearn.splice(index, 1)
    if (verdict === undefined) return false
    const node = this.node(verdict.node)
    node.knownDead.add(verdict.dead)
    const report = node.core.peerDead(verdict.dead)
    this.stats.reclaimedBatches += report.reclaimed.length
    this.stats.abandonedBatches += report.abandoned.length
    this.log(`${node.id} learns ${verdict.dead} is dead: reclaimed [${report.reclaimed.map((r) => r.batchId).join(' ')}] abandoned [${report.abandoned.map((a) => a.batchId).join(' ')}]`)
    this.commit(node)
    return true
  }

  // ----- the shell around each core -------------------------------------------------------

  /**
   * Drains the core's outputs as a real shell would: persist, then send, then report. In
   * the fault phase a crash may strike before persisting (the input is lost) or between
   * persisting and sending (the outputs are lost). Returns whether the outputs went out.
   */
  private commit (node: SimNode, mayCrash = true): boolean {
    const ready = node.core.ready()
    if (mayCrash && this.chaos && this.pMidCrash > 0 && this.rng() < this.pMidCrash) {
      const afterPersist = this.rng() < 0.5
      if (afterPersist) this.persist(node, ready.persist)
      this.log(`crash ${node.id} ${afterPersist ? 'after persisting, before sending' : 'before persisting'}`)
      this.restart(node, afterPersist)
      return false
    }
    this.persist(node, ready.persist)
    for (const s of ready.signals) this.net.push({ kind: 'signal', from: node.id, to: s.to, jobId: s.jobId, batchId: s.batchId })
    for (const jobId of ready.completed) this.onCompleted(node, jobId)
    return true
  }

  private persist (node: SimNode, ops: ReturnType<CompletionCore['ready']>['persist']): void {
    for (const op of ops) {
      const key = recordKey(op.kind, op.jobId, op.id)
      if (op.record === null) node.disk.delete(key)
      else node.disk.set(key, structuredClone(op.record))
    }
  }

  /** Replaces a node's core with one restored from disk, and re-applies its death verdicts. */
  private restart (node: SimNode, diskIsCurrent: boolean): void {
    this.stats.crashes++
    const restored = CompletionCore.restore(node.id, node.disk.values())
    if (diskIsCurrent) {
      const live = JSON.stringify(node.core.snapshot())
      const back = JSON.stringify(restored.snapshot())
      if (live !== back) this.fail(`persistence: ${node.id} restored from disk differs from its live state\n live: ${live}\n disk: ${back}`)
    }
    node.core = restored
    node.incarnation++
    for (const deadId of node.knownDead) node.core.peerDead(deadId)
    this.commit(node, false)
  }

  // ----- the oracle -----------------------------------------------------------------------

  private onCompleted (node: SimNode, jobId: string): void {
    const tree = this.tree(jobId)
    this.log(`${node.id} reports ${jobId} COMPLETE`)
    if (node.id !== tree.home) this.fail(`${node.id} reported ${jobId} complete but ${tree.home} is its home`)
    const reports = this.reported.get(jobId)
    const incarnation = `${node.id}#${node.incarnation}`
    if (reports !== undefined) {
      if (reports.has(incarnation)) this.fail(`${jobId} reported complete twice by the same core incarnation`)
      reports.add(incarnation)
      return
    }
    const done = this.finishedSet(jobId)
    const missing = tree.all.filter((t) => !done.has(t))
    if (missing.length > 0) {
      this.fail(`early completion: ${jobId} reported complete with ${missing.length} of ${tree.all.length} tasks never finished, e.g. ${missing.slice(0, 5).join(' ')}`)
    }
    if (!this.withDeath) {
      // Without deaths there are no re-runs or orphans: nothing of the job may remain.
      for (const n of this.alive()) {
        const held = n.core.localTasks(jobId).map((t) => t.taskId)
        const owed = n.core.ledger(jobId).map((e) => e.batchId)
        if (held.length > 0 || owed.length > 0) {
          this.fail(`early completion: ${jobId} reported complete while ${n.id} holds tasks [${held.join(' ')}] and unsignalled batches [${owed.join(' ')}]`)
        }
      }
    }
    this.reported.set(jobId, new Set([incarnation]))
  }

  /** No lost work: every unfinished task, or an ancestor of it, is held by a live node. */
  private checkCoverage (): void {
    if (this.step % this.coverageEvery !== 0) return
    for (const tree of this.trees) {
      if (tree.startAt > this.step || this.reported.has(tree.jobId)) continue
      const held = new Set<string>()
      for (const n of this.alive()) {
        for (const t of n.core.localTasks(tree.jobId)) held.add(t.taskId)
        for (const e of n.core.ledger(tree.jobId)) for (const t of e.taskIds) held.add(t)
      }
      const done = this.finishedSet(tree.jobId)
      for (const taskId of tree.all) {
        if (done.has(taskId)) continue
        let a: string | undefined = taskId
        while (a !== undefined && !held.has(a)) a = tree.parent.get(a)
        if (a === undefined) this.fail(`lost work: task ${taskId} of ${tree.jobId} is unfinished, and neither it nor any ancestor is held by a live node`)
      }
    }
  }

  private checkQuiescent (): void {
    for (const tree of this.trees) {
      if (!this.reported.has(tree.jobId)) this.fail(`liveness: ${tree.jobId} was never detected complete`)
    }
    for (const n of this.alive()) {
      for (const jobId of n.core.jobIds()) {
        const open = [
          ...n.core.localTasks(jobId).map((t) => `task ${t.taskId}`),
          ...n.core.ledger(jobId).map((e) => `batch ${e.batchId}`),
          ...n.core.engagements(jobId).map((e) => `engagement ${e.batchId}`)
        ]
        if (open.length > 0) this.fail(`liveness: after draining, ${n.id} still has open state for ${jobId}: ${open.join(', ')}`)
      }
    }
  }

  // ----- helpers --------------------------------------------------------------------------

  /** The first eligible node at or after the task's hashed place in the global node order. */
  private affinityTarget (taskId: string, eligible: SimNode[]): string {
    const start = hash(taskId) % this.nodes.length
    for (let i = 0; i < this.nodes.length; i++) {
      const candidate = this.nodes[(start + i) % this.nodes.length] as SimNode
      if (eligible.includes(candidate)) return candidate.id
    }
    return this.pick(eligible).id
  }

  private randomLocalTask (running: boolean): [SimNode, string, string] | undefined {
    const found: Array<[SimNode, string, string]> = []
    for (const node of this.alive()) {
      for (const jobId of node.core.jobIds()) {
        for (const t of node.core.localTasks(jobId)) if (t.running === running) found.push([node, jobId, t.taskId])
      }
    }
    return found.length === 0 ? undefined : this.pick(found)
  }

  private anyTask (running: boolean): boolean {
    for (const node of this.alive()) {
      for (const jobId of node.core.jobIds()) {
        if (node.core.localTasks(jobId).some((t) => t.running === running)) return true
      }
    }
    return false
  }

  private allReported (): boolean {
    return this.trees.every((t) => this.reported.has(t.jobId))
  }

  private alive (): SimNode[] {
    return this.nodes.filter((n) => !this.dead.has(n.id))
  }

  private randomAlive (): SimNode | undefined {
    const alive = this.alive()
    return alive.length === 0 ? undefined : this.pick(alive)
  }

  private node (id: string): SimNode {
    const node = this.nodes.find((n) => n.id === id)
    if (node === undefined) throw new Error(`no node ${id}`)
    return node
  }

  private tree (jobId: string): Tree {
    const tree = this.treeOf.get(jobId)
    if (tree === undefined) this.fail(`a core reported unknown job ${jobId}`)
    return tree
  }

  private finishedSet (jobId: string): Set<string> {
    const set = this.finished.get(jobId)
    if (set === undefined) this.fail(`unknown job ${jobId}`)
    return set
  }

  private int (n: number): number {
    return Math.floor(this.rng() * n)
  }

  private pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T
  }

  private shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1)
      const tmp = items[i] as T
      items[i] = items[j] as T
      items[j] = tmp
    }
    return items
  }

  private log (line: string): void {
    this.trace.push(`[${this.step}] ${line}`)
    if (!this.fullTrace && this.trace.length > TRACE_LINES * 2) this.trace = this.trace.slice(-TRACE_LINES)
  }

  private fail (violation: string): never {
    throw new SimFailure(this.seed, violation, this.fullTrace ? this.trace : this.trace.slice(-TRACE_LINES))
  }
}

function describe (msg: Msg): string {
  return msg.kind === 'batch'
    ? `batch ${msg.batchId} of ${msg.jobId} ${msg.from}->${msg.to} [${msg.taskIds.join(' ')}]`
    : `signal ${msg.batchId} of ${msg.jobId} ${msg.from}->${msg.to}`
}

function hash (text: string): number {
  let h = 2166136261
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619)
  return h >>> 0
}
