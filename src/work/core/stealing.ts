// The work core's stealing side (a layer of WorkCore, see src/work/core.ts): a lender grants
// batches to thieves and re-sends unsignalled ones, a thief asks where the trails lead and
// takes batches in, and a draining node pushes its queue to peers.

import { avoidedNodes } from './ladder.js'
import { DEFAULT_RESEND_MS, MAINTAIN_EVERY_MS, PREFETCH_PER_SLOT } from './types.js'
import { isFinal } from '../jobs.js'
import { JOB_LIMITS } from '../limits.js'
import { okReply, failReply, type WorkBatch, type WorkReply } from '../messages.js'
import type { StoredTask } from '../records.js'
import { epochOfTask, jobOfTask, type Task } from '../spec.js'
import { Results } from './results.js'

export abstract class Stealing extends Results {
  /**
   * Queued tasks beyond what this node keeps for itself (a few per slot, as a thief does):
   * what a thief may get. A node holding only its own prefetch advertises nothing, so thieves
   * do not churn small queues back and forth (and heartbeats do not flap) at the end of a job.
   * Tasks this node cannot run itself are all stealable.
   */
  get stealable (): number {
    if (this.fenced) return 0
    // A draining node keeps nothing for itself (retries pinned here are never granted).
    if (this.draining) return Math.max(0, this.queue.size - this.pinned.size)
    if (!this.lendable) return this.queue.size - this.queue.runnable
    const keep = Math.min(this.queue.runnable, Math.max(0, this.cfg.concurrency * PREFETCH_PER_SLOT - this.running.size))
    return Math.max(0, this.queue.size - keep)
  }

  /** Trails fade with the time elapsed: brought up to now before they are read, and at maintenance. */
  protected evaporate (now: number): void {
    if (now <= this.lastEvaporate) return
    this.thief.evaporate(now - this.lastEvaporate)
    this.lastEvaporate = now
  }

  /**
   * Re-sends now every batch lent to `peer` and not signalled (the stuck-job repair for a
   * peer that does not answer): a lost grant, batch or signal is recovered this way, and a
   * peer that answers again signals what it finished. Returns how many batches went.
   */
  resendTo (peer: string, now: number): number {
    this.now = now
    if (this.stopped || this.registry.isDead(peer)) return 0
    const batches: WorkBatch[] = []
    for (const [batchId, lent] of this.lent.dueFor(peer, now)) {
      const tasks: Task[] = []
      for (const id of lent.taskIds) {
        const t = this.tasks.get(id)?.task
        if (t != null) tasks.push(t)
      }
      batches.push({ jobId: lent.jobId, batchId, tasks })
    }
    if (batches.length === 0) return 0
    this.counters.batchesResent += batches.length
    this.send(peer, { op: 'deliver', batches }, { kind: 'deliver', to: peer })
    return batches.length
  }

  /**
   * The node is leaving the mesh: submits are refused (DRAINING), it steals no more, thieves
   * get all it holds, and its queued tasks are pushed to capable live peers — as batches
   * they engage for, exactly like steal grants, so the sender's ledger says what is still
   * out and a death of the receiver re-runs it here. Tasks no live peer can run, and retries
   * the completion core counts as running here, run here. Running tasks finish here.
   * Idempotent; the shell watches drainProgress() and decides when to leave.
   */
  drain (now: number): void {
    this.now = now
    if (this.stopped || this.draining) return
    this.draining = true
    this.changed = true
    this.event('info', 'draining: no new jobs or steals; queued work goes to peers', { queued: this.queue.size, running: this.running.size, lent: this.lent.size })
    this.pump()
  }

  protected onSteal (from: string, capabilities: readonly string[], want: number): WorkReply {
    if (this.registry.isDead(from)) {
      this.counters.stealsRefused++
      return failReply('you were declared dead; rejoin with a new incarnation')
    }
    // Fenced: lend nothing (see quorumContact); an empty grant rules this node out until its next heartbeat.
    if (this.fenced) {
      this.counters.stealsRefused++
      return okReply({ remaining: 0 })
    }
    // A thief whose circuit is open here gets nothing; half-open, one task (its probe).
    const probe = this.peerBreakers.anyOpen && this.peerBreakers.state(from) !== 'closed'
    if (probe && !this.peerBreakers.allow(from, this.now)) {
      this.counters.stealsRefused++
      return okReply({ remaining: 0 })
    }
    // Half of what this node will not start itself right away; all of it when this node
    // cannot run any of it (tasks waiting here for a capable thief).
    const spare = this.stealable
    const n = Math.min(probe ? 1 : want, JOB_LIMITS.batchTasks, this.queue.runnable === 0 || !this.lendable || this.draining ? spare : Math.ceil(spare / 2))
    if (n <= 0) {
      this.counters.stealsRefused++
      return okReply({ remaining: spare })
    }
    let taken = this.queue.steal(new Set(capabilities), n, !this.lendable)
    // Tasks that failed on the thief (escalated away from it) stay.
    if (taken.some(t => t.failures != null)) {
      const back = taken.filter(t => t.failures != null && avoidedNodes(t.failures, this.ladder.localAttempts).has(from))
      if (back.length > 0) {
        for (const t of back) this.queue.push(t)
        taken = taken.filter(t => !back.includes(t))
        if (taken.length === 0) {
          this.counters.stealsRefused++
          return okReply({ remaining: this.stealable })
        }
      }
    }
    if (this.pinned.size > 0) {
      // Retries of attempts the completion core counts as running here stay here.
      const keep = taken.filter(t => this.pinned.has(t.id))
      if (keep.length > 0) {
        for (const t of keep) this.queue.push(t)
        taken = taken.filter(t => !this.pinned.has(t.id))
        if (taken.length === 0) {
          this.counters.stealsRefused++
          return okReply({ remaining: this.stealable })
        }
      }
    }
    const batches = this.lend(from, taken)
    this.counters.stealsGranted++
    this.counters.tasksLent += taken.length
    if (this.draining) this.drained.handedOff += taken.length
    return okReply({ batches, remaining: this.stealable })
  }

  /** Delegates queued tasks to `to`, one batch per job; sent after the writes are durable. */
  protected override lend (to: string, taken: Task[]): WorkBatch[] {
    const byJob = new Map<string, Task[]>()
    for (const t of taken) {
      const list = byJob.get(t.jobId)
      if (list == null) byJob.set(t.jobId, [t])
      else list.push(t)
    }
    const batches: WorkBatch[] = []
    for (const [jobId, list] of byJob) {
      const batchId = `${this.cfg.self}:${this.cfg.incarnation}.${++this.batchSeq}`
      const ids = list.map(t => t.id)
      this.startInCore(jobId)
      this.dscore.delegate(jobId, batchId, to, ids)
      for (const t of list) {
        this.countWork(this.tasks.get(t.id), -1)
        const st: StoredTask = { task: t, state: 'delegated', batchId, to }
        this.tasks.set(t.id, st)
        this.put('tasks', t.id, st)
      }
      this.lent.add(batchId, { jobId, to, taskIds: ids, sentAt: this.now, resendAfter: this.cfg.resendAfterMs ?? DEFAULT_RESEND_MS })
      this.progressed(jobId)
      batches.push({ jobId, batchId, tasks: list })
    }
    return batches
  }

  /**
   * Draining: hands queued tasks to live, non-draining peers that can run them, spread evenly
   * (each peer gets its share of what it can run, at most a batch limit per job and push),
   * and sends them as `deliver` batches (re-sent until signalled, like every lent batch).
   */
  protected override pushQueued (): void {
    const peers: Array<{ peerId: string, caps: Set<string> }> = []
    for (const p of this.peerView) {
      if (p.peerId === this.cfg.self || p.draining === true || this.registry.isDead(p.peerId)) continue
      if (!this.peerBreakers.wouldAllow(p.peerId, this.now)) continue
      peers.push({ peerId: p.peerId, caps: new Set(p.capabilities) })
    }
    if (peers.length === 0) return
    // Rotate the starting peer so that pushes of a few tasks at a time spread too.
    const first = this.batchSeq % peers.length
    let progress = true
    while (progress && this.queue.size > 0) {
      progress = false
      const share = Math.max(1, Math.ceil(this.queue.size / peers.length))
      for (let i = 0; i < peers.length; i++) {
        const peer = peers[(first + i) % peers.length]!
        let taken = this.queue.steal(peer.caps, Math.min(share, JOB_LIMITS.batchTasks))
        if (this.pinned.size > 0) {
          const keep = taken.filter(t => this.pinned.has(t.id))
          for (const t of keep) this.queue.push(t)
          if (keep.length > 0) taken = taken.filter(t => !this.pinned.has(t.id))
        }
        if (taken.length === 0) continue
        progress = true
        const batches = this.lend(peer.peerId, taken)
        this.counters.tasksLent += taken.length
        this.drained.handedOff += taken.length
        this.send(peer.peerId, { op: 'deliver', batches }, { kind: 'deliver', to: peer.peerId })
      }
    }
  }

  /**
   * Engages with received batches (`pushed`: delivered by the sender, not a steal grant);
   * returns how many tasks are new here. Ids of batches given up here before go into `abandoned`.
   */
  protected receive (from: string, batches: readonly WorkBatch[], pushed = false, abandoned?: string[]): number {
    // A dead node's batches (a re-send, or a grant answered late) are re-run by its lender.
    if (this.registry.isDead(from)) return 0
    let fresh = 0
    for (const b of batches) {
      if (b.rejected != null && b.rejected > 0) this.counters.rejectedMessages += b.rejected
      const tasks: Task[] = []
      const entry = this.registry.entry(b.jobId)
      // Only the registry's home generation of a job: an older one's work can reach only a
      // dead home; a newer one means this node has not applied the move yet (the lender
      // re-sends the batch, and it is taken then).
      const generation = entry?.epoch ?? 0
      let otherGeneration = false
      for (const t of b.tasks) {
        if (t.jobId !== b.jobId || jobOfTask(t.id) !== b.jobId) {
          this.counters.rejectedMessages++
          continue
        }
        if (epochOfTask(t.id) !== generation) {
          otherGeneration = true
          continue
        }
        tasks.push(t)
      }
      if (otherGeneration) continue
      // A job the registry knows is over cannot have an unsignalled batch: a stale re-send.
      if (entry != null && isFinal(entry.state) && entry.state !== 'cancelled') continue
      let receipt
      try {
        receipt = this.dscore.receiveBatch(b.jobId, b.batchId, from, tasks.map(t => t.id))
      } catch {
        this.counters.rejectedMessages++
        continue
      }
      if (receipt.status === 'ignored') abandoned?.push(b.batchId)
      if (receipt.status !== 'engaged') continue
      const isNew = new Set(receipt.newTasks)
      for (const t of tasks) {
        if (!isNew.has(t.id)) continue
        fresh++
        // Pushed back by the node it was lent to (not stolen back from it): it could not run it.
        if (pushed && this.lent.size > 0) this.handedBack(from, t)
        this.origin.set(t.id, from)
        if (this.cancelled.has(t.jobId) || entry?.state === 'cancelled') {
          this.finishCancelled(t)
          continue
        }
        this.holdTask(t, true, b.batchId)
        this.queue.push(t)
      }
    }
    this.counters.tasksStolen += fresh
    return fresh
  }

  /**
   * A task this node lent to `from` came back from it: it failed there (escalated away), or
   * was handed back unrun (its handler's circuit is open there). It counts against `from`'s
   * circuit, and that batch's signal is no success — unless the task failed on other nodes
   * too (a poison task, not the peer's fault) or `from` is draining (it hands everything on).
   */
  private handedBack (from: string, t: Task): void {
    const st = this.tasks.get(t.id)
    if (st?.state !== 'delegated' || st.to !== from || st.batchId == null) return
    if (t.failures != null && t.failures.some(f => f.node !== from)) return
    if (this.peerView.some(p => p.peerId === from && p.draining === true)) return
    this.failedBack.add(st.batchId)
    const last = t.failures?.[t.failures.length - 1]
    this.peerOutcome(from, last != null ? `task ${t.id} came back failed: ${last.error}` : `task ${t.id} came back unrun (its handler's circuit is open there)`)
  }

  protected override maybeSteal (): void {
    if (this.stopped || this.fenced || this.draining || this.pressure) return
    // (Maintenance evaporates every MAINTAIN_EVERY_MS while it runs; after a quiet spell the
    // first steal catches the trails up.)
    if (this.now - this.lastEvaporate >= MAINTAIN_EVERY_MS) this.evaporate(this.now)
    const plan = this.thief.plan(this.peerView, this.cfg.self, this.isDead, this.cfg.concurrency, this.now, this.cfg.rng, this.taskMs, this.queue.runnable)
    if (plan == null) return
    this.counters.stealsSent++
    this.send(plan.victim, { op: 'steal', capabilities: this.advertised, want: plan.want }, { kind: 'steal', to: plan.victim, started: this.now })
  }

  protected onStealAnswer (victim: string, started: number, res: WorkReply | undefined, err: Error | undefined): void {
    if (res != null) {
      const got = this.receive(victim, res.batches)
      this.thief.answered(victim, got, res.remaining, this.now - started, this.now)
    } else {
      this.thief.failed(victim, this.now)
      this.event('debug', 'steal failed', { victim, err: err?.message })
    }
    this.pump()
  }
}
