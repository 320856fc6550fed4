// The work core's healing side (a layer of WorkCore, see src/work/core.ts): committed deaths
// give work back to its lenders or re-run it, jobs of a dead home are adopted from replicas,
// and a node fences itself without quorum contact or near a resource limit.

import { type Reclaimed } from '../../completion/index.js'
import type { JobMove } from '../../consensus/control.js'
import { ORPHAN_REPLICA_MS, REQUEUED_IDS_LOGGED } from './types.js'
import { isFinal } from '../jobs.js'
import type { JobRecord, JobReplica } from '../records.js'
import { WORKFLOW_TYPE, epochOfTask, jobIdTime, rehomedRoots } from '../spec.js'
import { Submission } from './submission.js'
import { LiveTasks } from './live-tasks.js'

export abstract class Healing extends Submission {
  /**
   * The control log committed `peer`'s death (never call it on a mere suspicion): every
   * batch lent to it comes back here and is queued again; work here whose lineage leads
   * through it is given up (its lender re-runs it), running attempts of it are aborted;
   * requests to it fail now. Idempotent: the core also looks for committed deaths it was not
   * told of (on restore and at maintenance), through RegistryView.isDead.
   */
  peerDead (peer: string, now: number): void {
    this.now = now
    if (peer === this.cfg.self || this.stopped) return
    this.changed = true
    this.thief.advertised(peer)
    this.peerBreakers.forget(peer)
    for (const [id, p] of [...this.pending]) {
      if (p.to === peer) this.response(id, new Error(`${peer} was declared dead`), now)
    }
    if (this.remoteProgress.size > 0) for (const [taskId, p] of this.remoteProgress) if (p.node === peer) this.remoteProgress.delete(taskId)
    const report = this.dscore.peerDead(peer)
    let dropped = 0
    let droppedBatches = 0
    for (const a of report.abandoned) {
      dropped += a.droppedTasks.length
      this.abandonTasks(a.droppedTasks)
      for (const e of a.droppedBatches) {
        droppedBatches++
        this.releaseLent(e.batchId)
      }
    }
    const { requeued, requeuedIds } = this.rerun(report.reclaimed)
    this.counters.tasksAbandoned += dropped
    if (report.reclaimed.length + report.abandoned.length > 0) {
      const jobs = [...new Set([...report.reclaimed.map(r => r.jobId), ...report.abandoned.map(a => a.jobId)])].slice(0, REQUEUED_IDS_LOGGED)
      this.event('info', 'peer declared dead: its work is re-run here or given up', { peer, reclaimedBatches: report.reclaimed.length, requeued, abandonedBatches: report.abandoned.length, dropped, droppedBatches, requeuedIds, jobs }, 'work.reclaimed')
    }
    this.pump()
  }

  /**
   * A thief answered a re-send: it gave these batches up before — it was declared dead after
   * taking them (and dropped its pre-death work), or their lender was. Normally every lender
   * re-runs its batches when it applies that death; one that was down when the death
   * committed, and saw the thief alive again (a new incarnation) when it came back, never
   * does — the batch would wait for a signal forever. So the lender re-runs it now, as on a
   * death: the thief holds none of it any more, and results stay once (deduplicated by task
   * id at the home).
   */
  protected onAbandoned (peer: string, batchIds: readonly string[]): void {
    const reclaimed: Reclaimed[] = []
    for (const batchId of batchIds) {
      const lent = this.lent.batches.get(batchId)
      if (lent == null || lent.to !== peer) continue
      const r = this.dscore.reclaim(lent.jobId, batchId)
      if (r != null) reclaimed.push(r)
    }
    if (reclaimed.length === 0) return
    this.changed = true
    const { requeued, requeuedIds } = this.rerun(reclaimed)
    this.event('info', 'a thief had given up batches lent to it: they run here again', { peer, reclaimedBatches: reclaimed.length, requeued, requeuedIds })
    this.pump()
  }

  /**
   * Reclaimed batches: their tasks are queued here again (counted). Returns how many, and
   * which (the first REQUEUED_IDS_LOGGED), for the log line: how the recovery bench tells
   * when a dead node's lent work runs again, wherever it runs.
   */
  private rerun (reclaimed: readonly Reclaimed[]): { requeued: number, requeuedIds: string[] } {
    let requeued = 0
    const requeuedIds: string[] = []
    for (const r of reclaimed) {
      const fresh = new Set(r.newTasks)
      const lent = this.lent.signalled(r.batchId)
      for (const id of lent?.taskIds ?? r.newTasks) {
        const st = this.tasks.get(id)
        if (fresh.has(id)) {
          if (st == null) {
            // Cannot happen while delegated records are kept (see dropTask); say so if it does.
            this.event('warn', 'a reclaimed task has no record here; it cannot be re-run', { task: id, batch: r.batchId })
            continue
          }
          requeued++
          if (requeuedIds.length < REQUEUED_IDS_LOGGED) requeuedIds.push(id)
          if (this.cancelled.has(st.task.jobId) || this.registry.entry(st.task.jobId)?.state === 'cancelled') {
            this.finishCancelled(st.task)
            continue
          }
          this.holdTask(st.task)
          // At the front: these tasks already waited their turn once (bench/recovery: at the
          // back they waited ~2 s behind the rest of the job's queue before running again).
          this.queue.pushFront(st.task)
        } else if (st?.state === 'delegated' && st.batchId === r.batchId) {
          // Its lineage here is gone too (or it is held here again under another batch).
          this.dropTask(id)
        }
      }
    }
    this.counters.tasksReclaimed += requeued
    return { requeued, requeuedIds }
  }

  /**
   * The control log declared THIS node dead (it was paused or cut off long enough): every
   * lender has re-run, or will, what it lent here, so the work that reached this node from
   * others is given up — queued tasks dropped, running attempts aborted, and batches lent
   * onward for it dropped too. Jobs homed here that the same entry moved to a replica holder
   * go (sweepMoves); the others (no replica) are kept: nobody else holds them. Every node
   * that took a batch of them from this one gives that batch up on the same death (its
   * lineage leads through a dead node, whose lender re-runs it), and for a job homed here
   * that lender is this node: so those batches come back here and run again, as a lender
   * reclaims from a dead thief (late results of the first run are recorded once, by task
   * id). Then the node rejoins with a new incarnation (the membership layer's part).
   */
  declaredDead (now: number): void {
    this.now = now
    if (this.stopped) return
    this.changed = true
    let dropped = 0
    let batches = 0
    for (const jobId of this.dscore.jobIds()) {
      for (const e of this.dscore.engagements(jobId)) {
        if (e.from === this.cfg.self) continue
        const a = this.dscore.abandonBatch(jobId, e.batchId)
        if (a === undefined) continue
        batches++
        dropped += a.droppedTasks.length
        this.abandonTasks(a.droppedTasks)
        for (const lent of a.droppedBatches) this.releaseLent(lent.batchId)
      }
    }
    this.counters.tasksAbandoned += dropped
    // What is left in the ledger was lent for jobs homed here (the rest was dropped above).
    const reclaimed: Reclaimed[] = []
    for (const jobId of this.dscore.jobIds()) {
      for (const e of [...this.dscore.ledger(jobId)]) {
        const r = this.dscore.reclaim(jobId, e.batchId)
        if (r !== undefined) reclaimed.push(r)
      }
    }
    const { requeued } = this.rerun(reclaimed)
    this.event('warn', 'this node was declared dead: the work others lent it is given up (they re-run it), and what it lent for its own jobs runs here again', { batches, dropped, reclaimedBatches: reclaimed.length, requeued })
    // Its jobs with replicas were moved to other homes by the same entry: everything of
    // theirs (the work just queued again included) goes.
    this.sweepMoves()
    this.pump()
  }

  /**
   * The control log moved jobs to new homes (their home was declared dead): work of their
   * earlier home generations is given up everywhere — queued and running tasks, batches lent
   * and engaged in, outcomes owed to the dead home — and a job moved here is adopted from the
   * replica this node holds (the shell reads it: ready().adopt, then adopt()).
   */
  jobsMoved (moves: readonly JobMove[], now: number): void {
    this.now = now
    if (this.stopped || moves.length === 0) return
    this.changed = true
    const generation = new Map<string, number>()
    for (const m of moves) generation.set(m.jobId, m.epoch)
    this.dropOlderGenerations(generation, true)
    let here = 0
    for (const m of moves) {
      if (m.to !== this.cfg.self) continue
      here++
      this.requestAdopt(m.jobId)
    }
    this.event('info', 'jobs re-homed after their home was declared dead', { jobs: moves.length, from: [...new Set(moves.map(m => m.from))], toHere: here })
    this.pump()
  }

  /**
   * A job re-homed here, with the replica this node stored (undefined if it has none): it
   * becomes a job of this home and runs again from its roots, in the registry's generation.
   * `finishedHere`: the shell found this generation's final record on disk (the registry has
   * not recorded it yet), so the job is not run twice.
   */
  adopt (jobId: string, replica: JobReplica | undefined, now: number, finishedHere = false): void {
    this.now = now
    this.adopting.delete(jobId)
    // Finished here already (its final state on its way to the registry): nothing to run.
    if (this.stopped || finishedHere) return
    // Adopted here in this generation already (and over, or lost with a restart): not again.
    if (replica?.adoptedEpoch != null && replica.adoptedEpoch >= (this.registry.entry(jobId)?.epoch ?? 0)) return
    const entry = this.registry.entry(jobId)
    // Moved on again, over, or already adopted.
    if (entry == null || entry.home !== this.cfg.self || entry.state !== 'running' || this.jobs.get(jobId) != null) return
    if (replica == null || replica.tasks.length === 0) {
      this.event('warn', 'a job was re-homed here, but this node has no replica of it: it cannot run', { job: jobId })
      return
    }
    const epoch = entry.epoch ?? 0
    this.dropOlderGenerations(new Map([[jobId, epoch]]), true)
    const tasks = rehomedRoots(replica.tasks, this.cfg.self, epoch)
    const job: JobRecord = {
      id: jobId,
      ...(replica.name != null ? { name: replica.name } : {}),
      home: this.cfg.self,
      state: 'running',
      createdAt: replica.createdAt,
      roots: tasks.length,
      total: tasks.length,
      done: 0,
      failed: 0,
      cancelled: 0,
      byNode: {},
      epoch,
      homes: [...(entry.homes ?? [])],
      replicas: [...(entry.replicas ?? [])],
      ...(replica.keepMs != null ? { keepMs: replica.keepMs } : {}),
      ...(tasks[0]?.notBefore != null ? { notBefore: tasks[0].notBefore } : {}),
      ...(tasks[0]?.type === WORKFLOW_TYPE ? { isWorkflow: true } : {})
    }
    this.jobs.add(job)
    // Re-homed: its stall clock starts here and now (stuck-job detection).
    this.progressAt.set(jobId, now)
    // The replica stays until the job is over (checkReplica): if this node is declared dead
    // and the job moves on, and later no other holder is left, the control log moves it back
    // here (ControlState.moveIfHomeDead) and this copy is what runs it again. It records the
    // generation adopted, written in the same ready as the job: a restart or a maintenance
    // sweep before the registry has the final state must not adopt it again in that one.
    this.put('replicas', jobId, { ...replica, adoptedEpoch: epoch })
    this.dropReplica(this.held.own(jobId))
    this.local.set(jobId, new LiveTasks(tasks.map(t => t.id)))
    for (const t of tasks) this.holdTask(t)
    for (const t of tasks) this.makeRunnable(t)
    this.event('info', 'adopted a job whose home was declared dead: running it again from its roots', { job: jobId, epoch, from: job.homes?.at(-1), tasks: tasks.length })
    this.pump()
  }

  private requestAdopt (jobId: string): void {
    if (this.adopting.has(jobId) || this.jobs.get(jobId) != null) return
    if (!this.held.has(jobId)) {
      this.event('warn', 'a job was re-homed here, but this node holds no replica of it', { job: jobId })
      return
    }
    this.adopting.add(jobId)
    const set = this.held.setOf(jobId)
    this.out('adopt', set != null ? { jobId, set } : { jobId })
  }

  /**
   * Gives up everything of the given jobs that belongs to a home generation older than the
   * one given: such work can only reach a dead home, and the new home runs the job again.
   * `moved`: the move to that generation is being applied now (or the job adopted), so every
   * piece of completion state held here is older — even one with no task to tell its
   * generation by (a thief's closed or open engagements only).
   */
  private dropOlderGenerations (generation: ReadonlyMap<string, number>, moved = false): void {
    const stale = (jobId: string, taskId: string): boolean => {
      const g = generation.get(jobId)
      return g != null && epochOfTask(taskId) < g
    }
    let dropped = 0
    for (const [jobId, g] of generation) {
      const job = this.jobs.get(jobId)
      if (job != null && (job.epoch ?? 0) < g) {
        // This node was the job's home and was declared dead: the job lives elsewhere now.
        this.jobs.remove(jobId)
        this.workflows.drop(jobId)
        this.local.delete(jobId)
        this.localDone = this.localDone.filter(id => id !== jobId)
        this.awaitingCancel.delete(jobId)
      }
      // The completion core only ever holds one generation of a job (receive refuses the
      // others); it is the old one if any of its tasks is, and always when the move is being
      // applied: until then receive() took only older generations, and a new generation's
      // tasks exist only once its home adopted the job. (Kept, a thief's engagements of the
      // lost run made the new home's restart take the job's tasks for that run's, and drop
      // them: the job never finished.)
      const ledger = this.dscore.ledger(jobId)
      const sample = ledger[0]?.taskIds[0] ?? this.dscore.localTasks(jobId)[0]?.taskId
      if (moved || (sample != null && epochOfTask(sample) < g)) {
        this.dscore.forget(jobId)
        for (const e of ledger) this.releaseLent(e.batchId)
      }
      if (this.remoteProgress.size > 0) for (const [taskId, p] of this.remoteProgress) if (p.jobId === jobId && stale(jobId, taskId)) this.remoteProgress.delete(taskId)
    }
    const gone: string[] = []
    for (const [id, st] of this.tasks) if (stale(st.task.jobId, id)) gone.push(id)
    for (const [id, r] of this.running) if (stale(r.task.jobId, id) && !this.tasks.has(id)) gone.push(id)
    dropped += gone.length
    this.abandonTasks(gone)
    for (const id of gone) if (this.tasks.get(id)?.state === 'delegated') this.dropTask(id)
    for (const o of [...this.outbox.entries.values()]) {
      if (!stale(o.jobId, o.taskId)) continue
      this.outbox.drop(o.taskId)
      this.del('outbox', o.taskId)
    }
    this.counters.tasksAbandoned += dropped
  }

  /**
   * Moves this node may have missed (it was down, or installed a snapshot): work of a home
   * generation older than the registry's goes, and jobs the registry moved here are adopted.
   */
  protected sweepMoves (): void {
    const generation = new Map<string, number>()
    const check = (jobId: string, epoch: number): void => {
      const e = this.registry.entry(jobId)
      if (e != null && (e.epoch ?? 0) > epoch) generation.set(jobId, e.epoch ?? 0)
    }
    for (const job of this.jobs.activeJobs()) check(job.id, job.epoch ?? 0)
    for (const [id, st] of this.tasks) check(st.task.jobId, epochOfTask(id))
    for (const o of this.outbox.entries.values()) check(o.jobId, epochOfTask(o.taskId))
    if (generation.size > 0) this.dropOlderGenerations(generation)
    for (const id of this.held.slice(this.held.size)) this.checkReplica(id)
  }

  /**
   * Retention forgot these finished jobs (a committed jobs.delete): replicas held for them
   * go now instead of at a later maintenance. Their records and outcomes at the home are the
   * shell's to delete (they are on disk, not here); a job still active here is not touched.
   */
  forget (jobIds: readonly string[], now: number): void {
    this.now = now
    for (const id of jobIds) {
      if (this.held.has(id)) {
        this.dropReplica(this.held.delete(id))
        this.changed = true
      }
      if (this.jobs.get(id) == null) this.cancelled.delete(id)
    }
  }

  /** A replica held here: adopt its job if it was moved here, delete it once it is of no use. */
  protected checkReplica (jobId: string): void {
    const e = this.registry.entry(jobId)
    const useless = e == null ? this.now - jobIdTime(jobId) > ORPHAN_REPLICA_MS : isFinal(e.state)
    if (useless) {
      this.dropReplica(this.held.delete(jobId))
    } else if (e?.home === this.cfg.self && e.state === 'running') {
      this.requestAdopt(jobId)
    }
  }

  /** Drops tasks whose lineage was abandoned: unqueued, their retries and running attempts ended. */
  private abandonTasks (ids: readonly string[]): void {
    if (ids.length === 0) return
    const gone = new Set(ids)
    this.queue.drop(t => gone.has(t.id))
    this.retries.drop(gone)
    for (const id of ids) {
      if (this.running.has(id)) {
        this.abandonedRuns.add(id)
        this.out('abort', { taskId: id, reason: 'abandoned' })
      }
      if (this.tasks.get(id)?.state === 'queued') this.dropTask(id)
    }
  }

  /** Committed deaths this node was not told of: act on every dead peer it still deals with. */
  protected sweepDeaths (): void {
    let dead: Set<string> | undefined
    for (const lent of this.lent.batches.values()) {
      if (this.registry.isDead(lent.to)) (dead ??= new Set()).add(lent.to)
    }
    for (const jobId of this.dscore.jobIds()) {
      for (const e of this.dscore.engagements(jobId)) if (this.registry.isDead(e.from)) (dead ??= new Set()).add(e.from)
    }
    if (dead != null) for (const peer of dead) this.peerDead(peer, this.now)
  }

  /**
   * Whether this node reaches a majority of the mesh (consensus decides: a leader confirmed by
   * check-quorum, or a leader heard within an election timeout; src/healing/quorum-contact.ts).
   * Without it the node is FENCED, on the minority side of a partition as far as it can tell:
   *  - submit() throws NO_QUORUM at once: the job could not be registered in the control log,
   *    and the client is better told now, to submit elsewhere, than after a timeout;
   *  - the thief stays idle: peers across the cut do not answer, and work taken from a peer
   *    on this side would only move within the minority;
   *  - it lends nothing (no grant, nothing advertised as stealable): a thief that still
   *    reaches a fenced node straddles the cut or shares the minority, and the majority is
   *    about to declare this node dead, whereupon every holder of work that came through it
   *    abandons that work (Dijkstra–Scholten lineage) — a batch lent now would be run for
   *    nothing. Work is re-assigned only on deaths the control log committed (peerDead),
   *    which a fenced node cannot learn of; so it reassigns nothing either;
   *  - everything it holds runs on: queued and running tasks, retries, results sent to their
   *    homes (retried until the cut heals), re-sends of batches already lent.
   * On regained contact stealing resumes at once.
   */
  quorumContact (has: boolean, now: number): void {
    this.now = now
    if (this.fenced === !has || this.stopped) return
    this.fenced = !has
    this.changed = true
    if (has) this.pump()
  }

  /**
   * Whether this node is near its memory or disk limit (the node's resource monitor decides).
   * Under pressure it takes no new work — submits are refused (RESOURCE_EXHAUSTED) and the
   * thief stays idle — while everything it holds runs on and it still lends to thieves
   * (which only relieves it). Pushes from a draining peer are still taken: refusing a batch
   * would leave it in its lender's ledger for ever.
   */
  resourcePressure (on: boolean, now: number): void {
    this.now = now
    if (this.pressure === on || this.stopped) return
    this.pressure = on
    this.changed = true
    if (!on) this.pump()
  }

  get underPressure (): boolean {
    return this.pressure
  }
}
