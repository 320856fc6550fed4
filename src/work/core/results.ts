// The work core's results side (a layer of WorkCore, see src/work/core.ts): outcomes of
// other homes' tasks go out through the outbox with the Dijkstra–Scholten signals and
// covered notices that ride with them; a home records what arrives.

import { MAX_PROGRESS_BYTES } from './types.js'
import { JOB_LIMITS } from '../limits.js'
import { okReply, type BatchSignal, type CoveredSignal, type ProgressReport, type WorkReply } from '../messages.js'
import type { TaskOutcome } from '../records.js'
import { epochOfTask, jobOfTask } from '../spec.js'
import { Execution } from './execution.js'

export abstract class Results extends Execution {
  protected onSignals (from: string, signals: readonly BatchSignal[], covered?: readonly CoveredSignal[]): WorkReply {
    const accepted = this.acceptSignals(from, signals)
    if (covered == null || covered.length === 0) return okReply({ accepted: accepted.length })
    const early = this.acceptCovered(from, covered)
    return okReply({ accepted: accepted.length + early.length, ...(early.length > 0 ? { signalled: early } : {}) })
  }

  /** Applies signals from `from`; returns the batches they settled. */
  private acceptSignals (from: string, signals: readonly BatchSignal[]): string[] {
    const accepted: string[] = []
    let relent: Map<string, string> | undefined
    for (const s of signals) {
      // The home of the job, known from the lent batch (before it is released below).
      const home = this.lent.size > 0 ? this.homeOfLent(s.batchId) : undefined
      if (this.dscore.receiveSignal(s.jobId, s.batchId, from) !== 'accepted') continue
      accepted.push(s.batchId)
      // A batch whose tasks all ended well there (none came back failed) is a success.
      if (!this.failedBack.delete(s.batchId) && this.lent.batches.get(s.batchId)?.to === from) this.peerOutcome(from, undefined)
      this.releaseLent(s.batchId)
      if (home != null && home !== this.cfg.self) (relent ??= new Map()).set(s.jobId, home)
    }
    if (relent != null) for (const [jobId, home] of relent) this.signalCovered(jobId, home)
    return accepted
  }

  /** The home of the job of a batch lent from here (undefined when not known). */
  private homeOfLent (batchId: string): string | undefined {
    const lent = this.lent.batches.get(batchId)
    if (lent == null) return undefined
    for (const id of lent.taskIds) {
      const t = this.tasks.get(id)?.task
      if (t != null) return t.home
    }
    return undefined
  }

  /**
   * Covered signals from `from` for batches lent to it from here, the home of their jobs:
   * each settles its batch only if every task it covers has its outcome recorded here (the
   * batch's other outcomes were delivered, or came in the same message), so a covered signal
   * never settles a batch before its work is recorded. One that does not hold yet is not
   * taken: the sender signals again once its own results are answered. Returns the batches
   * settled.
   */
  private acceptCovered (from: string, covered: readonly CoveredSignal[]): string[] {
    const ok: BatchSignal[] = []
    let relent: Map<string, string> | undefined
    for (const c of covered) {
      if (this.jobs.get(c.jobId) == null) {
        // Not the job's home: a batch lent from here whose receiver vouches for it, but for
        // outcomes on their way to the home. Noted (in memory), and passed on towards the
        // home with the batches it finishes here; the batch stays lent until signalled.
        const lent = this.lent.batches.get(c.batchId)
        if (lent == null || lent.to !== from || lent.jobId !== c.jobId) continue
        const home = this.homeOfLent(c.batchId)
        if (home == null || home === this.cfg.self) continue
        this.coveredOut.set(c.batchId, c.covers)
        ;(relent ??= new Map()).set(c.jobId, home)
        continue
      }
      if (c.covers.every(t => jobOfTask(t) === c.jobId && this.jobs.isRecorded(c.jobId, t))) ok.push(c)
    }
    if (relent != null) for (const [jobId, home] of relent) this.signalCovered(jobId, home)
    return ok.length > 0 ? this.acceptSignals(from, ok) : []
  }

  /**
   * Outcomes from `from` for jobs homed here, and the signals of batches lent to `from` that
   * they finish: applied after the outcomes are recorded (in the same ready, so durable
   * together), so no signal settles a batch before its work is recorded here.
   */
  protected onResults (from: string, results: readonly TaskOutcome[], rejected: number, signals?: readonly BatchSignal[], covered?: readonly CoveredSignal[]): WorkReply {
    this.counters.rejectedMessages += rejected
    for (const r of results) {
      if (jobOfTask(r.taskId) !== r.jobId) {
        this.counters.rejectedMessages++
        continue
      }
      // Unknown jobs are acknowledged too (so the sender stops), just not recorded; so are
      // outcomes of an earlier home generation (this home runs the job again).
      const job = this.jobs.get(r.jobId)
      if (job != null && epochOfTask(r.taskId) !== (job.epoch ?? 0)) continue
      this.remoteProgress.delete(r.taskId)
      // The thief is working through the batch that holds this task: no need to re-send it
      // yet (a re-send carries every task of the batch again; see LentBatches.heard).
      if (this.lent.size > 0) this.lent.heard(r.taskId, from, this.now)
      const wf = job?.isWorkflow === true
      if (wf && this.workflows.tolerated(r)) r.tolerated = true
      const recorded = this.jobs.record(r, this.now)
      if (recorded && wf) this.workflows.outcome(r)
      if (recorded && job!.done === job!.total) this.allRecorded(r.jobId)
      if (recorded && r.cancelled !== true) {
        // Outcomes of work run elsewhere feed that node's circuit (a task that also failed on
        // other nodes is a poison task, not that node's fault).
        if (r.ok) this.peerOutcome(r.node, undefined)
        else if (r.failures == null || r.failures.every(f => f.node === r.node)) this.peerOutcome(r.node, r.error ?? 'failed')
      }
    }
    // Step tasks a workflow spawned for these outcomes run now, not at the next pump.
    if (this.workflowSpawned) {
      this.workflowSpawned = false
      this.pump()
    }
    let signalled = signals != null && signals.length > 0 ? this.acceptSignals(from, signals) : undefined
    if (covered != null && covered.length > 0) {
      const early = this.acceptCovered(from, covered)
      if (early.length > 0) signalled = signalled != null ? [...signalled, ...early] : early
    }
    return okReply({ accepted: results.length, ...(signalled != null && signalled.length > 0 ? { signalled } : {}) })
  }

  protected onProgress (from: string, progress: readonly ProgressReport[]): WorkReply {
    let accepted = 0
    for (const p of progress) {
      if (this.jobs.get(p.jobId) == null || jobOfTask(p.taskId) !== p.jobId || p.value.length > MAX_PROGRESS_BYTES) continue
      if (this.jobs.isRecorded(p.jobId, p.taskId)) continue
      let value: unknown
      try {
        value = JSON.parse(p.value)
      } catch {
        this.counters.rejectedMessages++
        continue
      }
      this.remoteProgress.set(p.taskId, { jobId: p.jobId, node: from, value })
      this.progressed(p.jobId)
      accepted++
    }
    return okReply({ accepted })
  }

  /** `jobId`: the job of an outcome just added (its last here goes at once: Outbox.schedule). */
  protected override scheduleResults (home: string, jobId?: string): void {
    const jobHeld = jobId != null ? this.workForJob.get(jobId) ?? 0 : undefined
    if (this.outbox.schedule(home, this.workFor.get(home) ?? 0, this.now, jobHeld)) this.sendResults(home, jobHeld === 0)
  }

  /**
   * Sends the outcomes waiting for `home`, with the signals of
   * the batches `home` lent here that they finish: the home records the outcomes, then
   * settles those batches, in one step — the signal does not wait for the results' answer,
   * a LevelDB batch here and a message of its own (the last outcome of a job reaches its
   * home, and the home detects completion, one message after the task finished).
   */
  protected sendResults (home: string, jobLast = false): void {
    // A dead home's results wait here: they are of no use to it (re-homing decides their fate).
    if (this.stopped || this.registry.isDead(home)) return
    const last = !this.workFor.has(home)
    // The last outcomes held here for the home, or for one of its jobs.
    const urgent = last || jobLast || this.outbox.hasUrgent(home)
    const batch = this.outbox.take(home, last)
    if (batch == null) return
    // The home may be waiting for these outcomes alone to complete a job.
    if (urgent) this.rd.flushNow = true
    let signals: BatchSignal[] | undefined
    let covered: CoveredSignal[] | undefined
    let byJob: Map<string, Set<string>> | undefined
    for (const o of batch) {
      byJob ??= new Map()
      let ids = byJob.get(o.jobId)
      if (ids == null) byJob.set(o.jobId, ids = new Set())
      ids.add(o.taskId)
    }
    if (byJob != null) {
      for (const [jobId, ids] of byJob) {
        // A batch lent by the home whose outcomes are all in this message is signalled with
        // them (CompletionCore.coveredBy). One whose other outcomes are in a batch in flight,
        // or whose re-lent parts their receivers vouched for, is signalled now as well,
        // covered by the outcomes still on their way: the home applies it once it has
        // recorded them. Batches from other lenders go to them covered the same way; they
        // pass it on towards the home.
        for (const q of this.dscore.quiescentWith(jobId, undefined, t => ids.has(t) || this.inFlightTo(t, home), b => this.coveredOut.has(b))) {
          // The home sees the outcomes in this message; another lender needs them named.
          const covers = this.coversOf(q, q.from !== home ? () => true : t => !ids.has(t))
          if (covers == null) continue
          if (q.from !== home) this.passCovered(q.from, { jobId, batchId: q.batchId, covers })
          else if (covers.length === 0) (signals ??= []).push({ jobId, batchId: q.batchId })
          else (covered ??= []).push({ jobId, batchId: q.batchId, covers })
        }
      }
    }
    this.send(home, { op: 'results', results: batch, ...(signals != null ? { signals } : {}), ...(covered != null ? { covered } : {}) }, { kind: 'results', to: home, batch })
  }

  /** Whether the outcome of `taskId` is in a results batch in flight to `home`. */
  private inFlightTo (taskId: string, home: string): boolean {
    return this.outbox.isSending(taskId) && this.outbox.entries.get(taskId)?.home === home
  }

  /**
   * The outcomes a covered signal for `q` must name: its tasks that `keep` selects, and what
   * the receivers of its outgoing batches named for theirs; undefined when too many to send.
   */
  private coversOf (q: { tasks: string[], outgoing: string[] }, keep: (taskId: string) => boolean): string[] | undefined {
    const covers = q.tasks.filter(keep)
    for (const b of q.outgoing) covers.push(...this.coveredOut.get(b)!)
    return covers.length <= JOB_LIMITS.results ? covers : undefined
  }

  /** A covered signal to a lender that is not the job's home (it passes it on). */
  private passCovered (to: string, c: CoveredSignal): void {
    if (this.registry.isDead(to) || !this.firstCovered(c.jobId, c.batchId)) return
    this.send(to, { op: 'signal', signals: [], covered: [c] }, { kind: 'signal', to })
  }

  /**
   * Whether no covered signal for this received batch was passed on before: each goes once
   * (lending can go back and forth between two nodes, and each pass would trigger the next);
   * if the home does not take it, the plain signals follow as always.
   */
  private firstCovered (jobId: string, batchId: string): boolean {
    let set = this.coveredPassed.get(jobId)
    if (set == null) this.coveredPassed.set(jobId, set = new Set())
    if (set.has(batchId)) return false
    set.add(batchId)
    return true
  }

  /**
   * A batch lent from here was signalled, or its receiver vouched for it with a covered
   * signal: the batches it was charged to may now be finished but for outcomes on their way
   * to the job's home (the re-lent part of a batch often finishes last). Their signal goes
   * now, covered by those outcomes, instead of after the answers to the results in flight
   * (and, up a chain of lenders, after each one's own results and signal).
   */
  private signalCovered (jobId: string, home: string): void {
    if (home === this.cfg.self || this.registry.isDead(home)) return
    if (this.outbox.inFlight(home) === 0 && this.coveredOut.size === 0) return
    let covered: CoveredSignal[] | undefined
    for (const q of this.dscore.quiescentWith(jobId, undefined, t => this.inFlightTo(t, home), b => this.coveredOut.has(b))) {
      const covers = this.coversOf(q, () => true)
      if (covers == null) continue
      if (q.from !== home) this.passCovered(q.from, { jobId, batchId: q.batchId, covers })
      else if (this.firstCovered(jobId, q.batchId)) (covered ??= []).push({ jobId, batchId: q.batchId, covers })
    }
    if (covered != null) this.send(home, { op: 'signal', signals: [], covered }, { kind: 'signal', to: home })
  }

  protected onResultsAnswer (home: string, batch: TaskOutcome[], reply: WorkReply | undefined, err: Error | undefined): void {
    if (err == null) {
      // Batches whose signal the home took with these outcomes: not signalled again when
      // they settle here below.
      if (reply?.signalled != null) for (const b of reply.signalled) this.signalledEarly.add(b)
      const gone = this.outbox.delivered(home, batch)
      this.counters.resultsSent += gone.length
      for (const o of gone) {
        this.del('outbox', o.taskId)
        this.dscore.taskFinished(o.jobId, o.taskId)
      }
    } else {
      const { backoff, failingForMs } = this.outbox.failed(home, batch, this.now)
      this.event('debug', 'results not delivered; will retry', { home, err: err.message, backoff })
      // A home that is alive (not declared dead) yet takes no results holds its jobs up.
      if (failingForMs > 0) this.event('warn', 'results still not delivered to their home; retrying', { home, failingForMs, waiting: this.outbox.size, err: err.message })
    }
    // More may have been written meanwhile; maintenance retries after failures.
    if (!this.outbox.backingOff(home)) this.scheduleResults(home)
  }

  protected sendProgress (): void {
    for (const [home, progress] of this.outbox.takeProgress()) this.send(home, { op: 'progress', progress }, { kind: 'progress', to: home })
  }

  protected sendSignals (signals: ReadonlyArray<{ to: string, jobId: string, batchId: string }>): void {
    const byPeer = new Map<string, BatchSignal[]>()
    for (const s of signals) {
      // Already delivered with the outcomes that finished the batch (see sendResults).
      if (this.signalledEarly.size > 0 && this.signalledEarly.delete(s.batchId)) continue
      const list = byPeer.get(s.to) ?? []
      list.push({ jobId: s.jobId, batchId: s.batchId })
      byPeer.set(s.to, list)
    }
    for (const [peer, list] of byPeer) {
      // Its own lender re-runs what it lent here: a signal would reach no one.
      if (this.registry.isDead(peer)) continue
      this.send(peer, { op: 'signal', signals: list }, { kind: 'signal', to: peer })
    }
  }
}
