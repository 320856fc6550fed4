// The lender side of work stealing: batches this node lent and that are not signalled yet,
// and when each is re-sent. A re-send recovers a lost grant, a lost signal, or a batch a thief
// lost in a crash before persisting it; the interval starts at resendAfterMs (2 s) and doubles
// up to MAX_RESEND_MS (5 s). It also knows which unsignalled batches hold a task, because a
// task lent and then stolen back (and finished) here must keep its delegated record while
// its first batch is outstanding: that record is what is re-sent, and re-run if the thief
// is declared dead. Pure.

import { MAX_RESEND_MS } from './types.js'

export interface Lent {
  jobId: string
  to: string
  taskIds: string[]
  sentAt: number
  resendAfter: number
  /** When it was first lent (absent for batches restored after a restart): stuck-job evidence. */
  lentAt?: number
}

export class LentBatches {
  readonly batches = new Map<string, Lent>()
  /** Task id → the unsignalled batches that hold it (almost always one). */
  private readonly byTask = new Map<string, string[]>()

  get size (): number {
    return this.batches.size
  }

  add (batchId: string, lent: Lent): void {
    if (lent.lentAt == null && lent.sentAt > 0) lent.lentAt = lent.sentAt
    this.batches.set(batchId, lent)
    for (const id of lent.taskIds) this.index(id, batchId)
  }

  /** After a restart: a delegated task back into its batch (re-sent at the next maintenance). */
  restoreTask (batchId: string, jobId: string, to: string, taskId: string): void {
    let lent = this.batches.get(batchId)
    if (lent == null) {
      lent = { jobId, to, taskIds: [], sentAt: 0, resendAfter: 0 }
      this.batches.set(batchId, lent)
    }
    lent.taskIds.push(taskId)
    this.index(taskId, batchId)
  }

  /** The thief signalled the batch (or it was reclaimed or dropped): returns it. */
  signalled (batchId: string): Lent | undefined {
    const lent = this.batches.get(batchId)
    if (lent == null) return undefined
    this.batches.delete(batchId)
    for (const id of lent.taskIds) {
      const list = this.byTask.get(id)
      if (list == null) continue
      const rest = list.filter(b => b !== batchId)
      if (rest.length === 0) this.byTask.delete(id)
      else this.byTask.set(id, rest)
    }
    return lent
  }

  /** The latest unsignalled batch that holds `taskId`, with its receiver, or undefined. */
  holding (taskId: string): { batchId: string, to: string } | undefined {
    if (this.byTask.size === 0) return undefined
    const list = this.byTask.get(taskId)
    if (list == null) return undefined
    const batchId = list[list.length - 1]!
    return { batchId, to: this.batches.get(batchId)!.to }
  }

  /**
   * An outcome of `taskId` came from `from`: if an unsignalled batch lent to `from` holds the
   * task, the thief has that batch (it persisted it before running any of it) and is working
   * through it, so its re-send waits another interval from now. Re-sends recover a lost
   * grant, a lost signal or a thief that lost the batch; none of these is the case while its
   * outcomes keep coming, and a re-send carries every task of the batch again.
   */
  heard (taskId: string, from: string, now: number): void {
    const list = this.byTask.get(taskId)
    if (list == null) return
    for (const batchId of list) {
      const lent = this.batches.get(batchId)
      if (lent != null && lent.to === from && lent.sentAt < now) lent.sentAt = now
    }
  }

  /** Unsignalled batches lent to `peer`. */
  to (peer: string): string[] {
    const out: string[] = []
    for (const [batchId, lent] of this.batches) if (lent.to === peer) out.push(batchId)
    return out
  }

  /** Batches to re-send now, their next re-send backed off. */
  due (now: number): Array<[string, Lent]> {
    const out: Array<[string, Lent]> = []
    for (const [batchId, lent] of this.batches) {
      if (now - lent.sentAt < lent.resendAfter) continue
      lent.sentAt = now
      lent.resendAfter = Math.min(MAX_RESEND_MS, lent.resendAfter * 2)
      out.push([batchId, lent])
    }
    return out
  }

  /**
   * Unsignalled batches lent to `peer`, to re-send now (the stuck-job repair): their
   * periodic re-send starts over from now, its back-off kept.
   */
  dueFor (peer: string, now: number): Array<[string, Lent]> {
    const out: Array<[string, Lent]> = []
    for (const [batchId, lent] of this.batches) {
      if (lent.to !== peer) continue
      lent.sentAt = now
      out.push([batchId, lent])
    }
    return out
  }

  private index (taskId: string, batchId: string): void {
    const list = this.byTask.get(taskId)
    if (list == null) this.byTask.set(taskId, [batchId])
    else if (!list.includes(batchId)) list.push(batchId)
  }
}
