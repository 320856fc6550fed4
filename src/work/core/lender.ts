// The lender side of work stealing: batches this node lent and that are not signalled yet,
// and when each is re-sent. A re-send recovers a lost grant, a lost signal, or a batch a thief
// lost in a crash before persisting it; the interval starts at resendAfterMs (2 s) and doubles
// up to MAX_RESEND_MS (5 s). Pure.

import { MAX_RESEND_MS } from './types.js'

export interface Lent { jobId: string, to: string, taskIds: string[], sentAt: number, resendAfter: number }

export class LentBatches {
  readonly batches = new Map<string, Lent>()

  get size (): number {
    return this.batches.size
  }

  add (batchId: string, lent: Lent): void {
    this.batches.set(batchId, lent)
  }

  /** After a restart: a delegated task back into its batch (re-sent at the next maintenance). */
  restoreTask (batchId: string, jobId: string, to: string, taskId: string): void {
    let lent = this.batches.get(batchId)
    if (lent == null) {
      lent = { jobId, to, taskIds: [], sentAt: 0, resendAfter: 0 }
      this.batches.set(batchId, lent)
    }
    lent.taskIds.push(taskId)
  }

  /** The thief signalled the batch: returns it (its tasks are done with here). */
  signalled (batchId: string): Lent | undefined {
    const lent = this.batches.get(batchId)
    this.batches.delete(batchId)
    return lent
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
}
