// A hand-driven mesh of completion cores for unit tests: each test moves every batch and
// signal itself, so a scenario reads as the exact sequence of events it specifies.

import { CompletionCore, recordKey } from '../../../src/completion/index.js'
import type { CompletionRecord, Ready, Signal } from '../../../src/completion/index.js'

export class Mesh {
  readonly cores = new Map<string, CompletionCore>()
  /** Each node's persisted records, as the shell would keep them in LevelDB. */
  readonly disks = new Map<string, Map<string, CompletionRecord>>()
  /** Signals emitted and not yet delivered, in emission order, with their sender. */
  signals: Array<Signal & { from: string }> = []
  /** Jobs reported complete, in order, with the reporting node. */
  readonly completions: Array<{ node: string, jobId: string }> = []

  constructor (ids: string[]) {
    for (const id of ids) {
      this.cores.set(id, new CompletionCore(id))
      this.disks.set(id, new Map())
    }
  }

  core (id: string): CompletionCore {
    const core = this.cores.get(id)
    if (core === undefined) throw new Error(`no node ${id}`)
    return core
  }

  /** Drains every node's ready(): persist, then queue signals, then record completions. */
  flush (): void {
    for (const [id, core] of this.cores) this.apply(id, core.ready())
  }

  /** Delegates from `from` to `to` and delivers the batch at once; returns the receipt. */
  hand (jobId: string, batchId: string, from: string, to: string, taskIds: string[]): ReturnType<CompletionCore['receiveBatch']> {
    this.core(from).delegate(jobId, batchId, to, taskIds)
    this.flush()
    const receipt = this.core(to).receiveBatch(jobId, batchId, from, taskIds)
    this.flush()
    return receipt
  }

  /** Delivers every queued signal (and any they cause), in order. */
  deliverSignals (): void {
    while (this.signals.length > 0) {
      const batch = this.signals
      this.signals = []
      for (const s of batch) this.core(s.to).receiveSignal(s.jobId, s.batchId, s.from)
      this.flush()
    }
  }

  /** Replaces a node's core with one restored from its persisted records. */
  restart (id: string): CompletionCore {
    const core = CompletionCore.restore(id, [...(this.disks.get(id) ?? new Map<string, CompletionRecord>()).values()])
    this.cores.set(id, core)
    return core
  }

  completed (jobId: string): number {
    return this.completions.filter((c) => c.jobId === jobId).length
  }

  private apply (id: string, ready: Ready): void {
    const disk = this.disks.get(id) as Map<string, CompletionRecord>
    for (const op of ready.persist) {
      const key = recordKey(op.kind, op.jobId, op.id)
      if (op.record === null) disk.delete(key)
      else disk.set(key, structuredClone(op.record))
    }
    for (const s of ready.signals) this.signals.push({ ...s, from: id })
    for (const jobId of ready.completed) this.completions.push({ node: id, jobId })
  }
}
