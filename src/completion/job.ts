// One job's Dijkstra–Scholten state at one node, and the transitions on it.
//
// Engagement is per batch rather than classic DS's single parent per node: every received
// batch is its own engagement edge to its sender, signalled as soon as everything descending
// from it here is done. That keeps signals flowing while a node stays busy with other
// batches of the same job (classic DS would hold them all until the node is idle), and it
// makes a batch the unit of everything else: the ledger entry the healing layer re-runs, the
// key that deduplicates deliveries and signals, and the record that is persisted.
//
// A local task is charged to the engagements it descends from (a child inherits its
// parent's charges); an outgoing batch is charged to the union of its tasks' charges. An
// engagement is quiescent when nothing local and no outgoing batch is charged to it. A task
// normally has a single charge; it has several only when re-runs after a reclaim deliver the
// same deterministic task id here along two lineages, and then every lineage waits for it.
//
// Methods here trust their arguments (the core validates); they report what changed
// through JobEffects so the core can persist it and emit signals and completions.

import { ROOT_CHARGES, ROOT_ENGAGEMENT } from './types.js'
import type { BatchId, JobId, LedgerEntry, NodeId, RecordKind, TaskId } from './types.js'

export interface Engagement {
  readonly batchId: BatchId
  /** The sender to signal; null for the root engagement. */
  readonly from: NodeId | null
  readonly tasks: Set<TaskId>
  readonly outgoing: Set<BatchId>
}

export interface LocalTask {
  readonly charges: Set<BatchId>
  running: boolean
}

export interface OutgoingBatch {
  readonly batchId: BatchId
  readonly to: NodeId
  readonly taskIds: readonly TaskId[]
  readonly charges: Set<BatchId>
}

export interface ClosedBatch {
  readonly from: NodeId
  readonly outcome: 'signalled' | 'abandoned'
}

/** How a job tells its owner what it changed. */
export interface JobEffects {
  touch: (kind: RecordKind, id: string) => void
  signal: (to: NodeId, batchId: BatchId) => void
  complete: () => void
}

export class JobState {
  readonly jobId: JobId
  home = false
  completed = false
  readonly engagements = new Map<BatchId, Engagement>()
  readonly tasks = new Map<TaskId, LocalTask>()
  readonly ledger = new Map<BatchId, OutgoingBatch>()
  readonly closed = new Map<BatchId, ClosedBatch>()
  private readonly fx: JobEffects

  constructor (jobId: JobId, fx: JobEffects) {
    this.jobId = jobId
    this.fx = fx
  }

  /** The home node opens the root engagement with the job's first tasks (`stored`: see CompletionCore.startJob). */
  start (rootTaskIds: readonly TaskId[], stored?: (taskId: TaskId) => boolean): void {
    this.home = true
    this.fx.touch('job', '')
    this.engagements.set(ROOT_ENGAGEMENT, newEngagement(ROOT_ENGAGEMENT, null))
    this.fx.touch('engagement', ROOT_ENGAGEMENT)
    for (const taskId of rootTaskIds) this.addTask(taskId, ROOT_CHARGES, stored?.(taskId) !== true)
    // A job with no tasks at all is complete at once.
    this.checkCompletion()
  }

  /**
   * Makes `taskId` a local pending task charged to `charges` (merged if already local).
   * Returns whether it was not local before, i.e. whether the caller must schedule it.
   * `report`: whether its record is reported as changed (false: the caller keeps it).
   */
  addTask (taskId: TaskId, charges: Iterable<BatchId>, report = true): boolean {
    let task = this.tasks.get(taskId)
    const isNew = task === undefined
    if (task === undefined) {
      task = { charges: new Set(), running: false }
      this.tasks.set(taskId, task)
    }
    for (const charge of charges) {
      const engagement = this.engagements.get(charge)
      if (engagement === undefined) continue
      task.charges.add(charge)
      engagement.tasks.add(taskId)
    }
    if (task.charges.size === 0) {
      // Every lineage it came from is gone (abandoned): nobody waits for it, do not keep it.
      this.tasks.delete(taskId)
      return false
    }
    if (report) this.fx.touch('task', taskId)
    return isNew
  }

  finishTask (taskId: TaskId): boolean {
    const task = this.tasks.get(taskId)
    if (task === undefined) return false
    this.tasks.delete(taskId)
    this.fx.touch('task', taskId)
    for (const charge of task.charges) {
      this.engagements.get(charge)?.tasks.delete(taskId)
      this.settle(charge)
    }
    this.checkCompletion()
    return true
  }

  /** Moves local pending tasks into a new ledger entry; the caller has validated them. */
  delegate (batchId: BatchId, to: NodeId, taskIds: readonly TaskId[]): LedgerEntry {
    const charges = new Set<BatchId>()
    for (const taskId of taskIds) {
      const task = this.tasks.get(taskId)
      if (task === undefined) continue
      for (const charge of task.charges) {
        charges.add(charge)
        this.engagements.get(charge)?.tasks.delete(taskId)
      }
      this.tasks.delete(taskId)
      this.fx.touch('task', taskId)
    }
    // The batch is charged to every engagement any of its tasks came from, so each of them
    // stays open until the receiver signals. No settle is needed: every charged engagement
    // just gained an outgoing batch.
    for (const charge of charges) this.engagements.get(charge)?.outgoing.add(batchId)
    const entry: OutgoingBatch = { batchId, to, taskIds: [...taskIds], charges }
    this.ledger.set(batchId, entry)
    this.fx.touch('batch', batchId)
    return ledgerEntry(this.jobId, entry)
  }

  /** Engages with `from` for a new batch. Returns the tasks that were not local before. */
  engage (batchId: BatchId, from: NodeId, taskIds: readonly TaskId[]): TaskId[] {
    this.engagements.set(batchId, newEngagement(batchId, from))
    this.fx.touch('engagement', batchId)
    const newTasks: TaskId[] = []
    for (const taskId of taskIds) {
      if (this.addTask(taskId, [batchId])) newTasks.push(taskId)
    }
    // An empty batch is finished on arrival.
    this.settle(batchId)
    return newTasks
  }

  /** The receiver of an outgoing batch signalled: nothing of it is left anywhere. */
  settleOutgoing (batchId: BatchId): void {
    const entry = this.ledger.get(batchId)
    if (entry === undefined) return
    this.ledger.delete(batchId)
    this.fx.touch('batch', batchId)
    for (const charge of entry.charges) {
      this.engagements.get(charge)?.outgoing.delete(batchId)
      this.settle(charge)
    }
    this.checkCompletion()
  }

  /**
   * The receiver of an outgoing batch is dead: its tasks become local pending tasks again,
   * charged to the same engagements, so the lineage above still waits for them.
   */
  reclaim (batchId: BatchId): TaskId[] | undefined {
    const entry = this.ledger.get(batchId)
    if (entry === undefined) return undefined
    this.ledger.delete(batchId)
    this.fx.touch('batch', batchId)
    const newTasks: TaskId[] = []
    for (const taskId of entry.taskIds) {
      if (this.addTask(taskId, entry.charges)) newTasks.push(taskId)
    }
    // Only now drop the outgoing edges, so no charged engagement is empty in between.
    for (const charge of entry.charges) {
      this.engagements.get(charge)?.outgoing.delete(batchId)
      this.settle(charge)
    }
    this.checkCompletion()
    return newTasks
  }

  /**
   * The sender of a received batch is dead: the work descending from it here is given up,
   * because the dead node's own sender reclaims the whole batch and re-runs it. Tasks and
   * outgoing batches that another lineage still waits for are kept for that lineage.
   */
  abandon (batchId: BatchId): { from: NodeId, droppedTasks: TaskId[], droppedBatches: LedgerEntry[] } | undefined {
    const engagement = this.engagements.get(batchId)
    if (engagement === undefined || engagement.from === null) return undefined
    this.engagements.delete(batchId)
    this.fx.touch('engagement', batchId)
    const droppedTasks: TaskId[] = []
    for (const taskId of engagement.tasks) {
      const task = this.tasks.get(taskId)
      if (task === undefined) continue
      task.charges.delete(batchId)
      if (task.charges.size === 0) {
        this.tasks.delete(taskId)
        droppedTasks.push(taskId)
      }
      this.fx.touch('task', taskId)
    }
    const droppedBatches: LedgerEntry[] = []
    for (const outId of engagement.outgoing) {
      const entry = this.ledger.get(outId)
      if (entry === undefined) continue
      entry.charges.delete(batchId)
      if (entry.charges.size === 0) {
        this.ledger.delete(outId)
        droppedBatches.push(ledgerEntry(this.jobId, entry))
      }
      this.fx.touch('batch', outId)
    }
    this.closed.set(batchId, { from: engagement.from, outcome: 'abandoned' })
    this.fx.touch('closed', batchId)
    this.checkCompletion()
    return { from: engagement.from, droppedTasks, droppedBatches }
  }

  /** A received engagement with nothing left charged to it is closed and signalled. */
  settle (batchId: BatchId): void {
    const engagement = this.engagements.get(batchId)
    if (engagement === undefined || engagement.from === null) return
    if (engagement.tasks.size > 0 || engagement.outgoing.size > 0) return
    this.engagements.delete(batchId)
    this.fx.touch('engagement', batchId)
    this.closed.set(batchId, { from: engagement.from, outcome: 'signalled' })
    this.fx.touch('closed', batchId)
    this.fx.signal(engagement.from, batchId)
  }

  /**
   * The root detects termination when it is idle in the job and its deficit is zero. That
   * is at least as strict as "the root engagement is quiescent": it also waits for batches
   * this node received from others, which can only delay detection, never hasten it.
   */
  checkCompletion (): void {
    if (!this.home || this.completed) return
    if (this.tasks.size > 0 || this.ledger.size > 0) return
    this.completed = true
    this.fx.touch('job', '')
    if (this.engagements.delete(ROOT_ENGAGEMENT)) this.fx.touch('engagement', ROOT_ENGAGEMENT)
    this.fx.complete()
  }
}

export function newEngagement (batchId: BatchId, from: NodeId | null): Engagement {
  return { batchId, from, tasks: new Set(), outgoing: new Set() }
}

export function ledgerEntry (jobId: JobId, entry: OutgoingBatch): LedgerEntry {
  return { jobId, batchId: entry.batchId, to: entry.to, taskIds: [...entry.taskIds] }
}
