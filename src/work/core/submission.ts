// The work core's home side for new jobs (a layer of WorkCore, see src/work/core.ts): submit
// stages jobs, stores their replicas on holders, registers them in the control log, and
// runs them once registered; a cancel drops what is left of a job.

import type { JobEntry } from '../../consensus/control.js'
import { packReplicaSet, pickHolders, sealedReplicaSet, type ReplicaKey, type Replicating } from './replicas.js'
import { DEFAULT_REPLICAS, REPLICATE_PATIENCE_MS, REPLICATE_RETRY_MS, type SubmissionTicket } from './types.js'
import { WorkError } from '../errors.js'
import { okReply, type WorkReply } from '../messages.js'
import type { JobRecord, JobReplica, SealedReplicas } from '../records.js'
import { CMD_TYPE, makeTask, rootTasks, type JobInput, type Task } from '../spec.js'
import { Stealing } from './stealing.js'
import { LiveTasks } from './live-tasks.js'
import { entryOf } from './entries.js'
import { replicaOf } from './entries.js'

/** What a client is told when it submits at a node near its memory or disk limit (see WorkCore.resourcePressure). */
export const RESOURCE_SUBMIT = 'this node is near its memory or disk limit (`meshnode status` says which), so it takes no new jobs: nothing was accepted. Submit at another node, or free memory or disk here'

/** What a client is told when it submits at a fenced node (see WorkCore.quorumContact). */
export const FENCED_SUBMIT = 'this node cannot reach a majority of the mesh (a network partition, the mesh down to a minority, or a cluster not formed yet), so it cannot register the job: nothing was accepted. Submit at a node in the majority, or retry once this one is back in contact (`meshnode status` shows "quorum: ok")'

/**
 * Tasks standing for a workflow's task steps, for the capability check at submit: every
 * step's handler (or `cmd`) and requirements, as they will be asked for when it runs.
 */
function workflowProbes (jobId: string, home: string, input: JobInput): Task[] {
  const def = input.workflow!.def
  const d = def.defaults ?? {}
  const out: Task[] = []
  for (const [name, step] of Object.entries(def.steps)) {
    if (step.approval != null) continue
    const type = step.cmd != null ? CMD_TYPE : step.type
    if (type == null) continue
    out.push(makeTask(`${jobId}/step:${name}`, jobId, home, { type, ...(step.requires != null ? { requires: step.requires } : {}) }, d.requires != null ? { requires: d.requires } : {}))
  }
  return out
}

export abstract class Submission extends Stealing {
  /** Emits the final states of finished jobs for the registry (retried until it takes them). */
  protected registerFinal (entries: Array<[string, JobEntry]>): void {
    const id = ++this.nextId
    this.registrations.set(id, { kind: 'final', entries })
    this.out('register', { id, entries })
  }

  /**
   * Submits jobs with this node as home: stages them and emits their registration. Throws
   * (staging nothing) when no live node can run a task. The answer — the jobs, or
   * NOT_REGISTERED — comes in ready().submitted once registered() was called.
   */
  submit (inputs: readonly JobInput[], now: number): SubmissionTicket {
    this.now = now
    if (this.stopped) throw new WorkError('STOPPING', 'node is stopping')
    if (this.draining) throw new WorkError('DRAINING', 'this node is draining (it is leaving the mesh) and accepts no new jobs: submit to another node')
    if (this.fenced) throw new WorkError('NO_QUORUM', FENCED_SUBMIT)
    if (this.pressure) throw new WorkError('RESOURCE_EXHAUSTED', RESOURCE_SUBMIT)
    const capable = this.capabilityCheck()
    const prepared = inputs.map(input => {
      const id = input.jobId ?? this.newJobId(now)
      const tasks = rootTasks(id, this.cfg.self, input)
      // A job told to wait for a capable node is queued even if none is live now.
      const wait = input.waitForCapableMs
      if (wait == null) capable(input.workflow != null ? workflowProbes(id, this.cfg.self, input) : tasks)
      const notBefore = input.delayMs != null ? now + input.delayMs : input.at
      if (notBefore != null && notBefore > now) for (const t of tasks) t.notBefore = notBefore
      // Field by field, not with conditional spreads: each spread is a call and a temporary
      // object per job on the submit path (BENCHMARKS.md, issue 14, stop 42).
      const job: JobRecord = { id, home: this.cfg.self, state: 'registering', createdAt: now, roots: tasks.length, total: tasks.length, done: 0, failed: 0, cancelled: 0, byNode: {} }
      if (input.name != null) job.name = input.name
      if (wait != null) job.capableBy = wait === 0 ? 0 : now + wait
      if (input.keep != null) job.keepMs = input.keep
      if (notBefore != null && notBefore > now) job.notBefore = notBefore
      if (input.workflow != null) job.isWorkflow = true
      return { job, tasks }
    })
    // Held in memory only until its replicas are stored: the job record and its tasks are
    // written once, with the holders, in the ready that proposes the registration (see
    // registerSubmission). Nothing the replicate message depends on is on this node's disk,
    // and a crash before that write leaves only orphan replicas, which their holders drop.
    for (const { job, tasks } of prepared) {
      this.jobs.add(job, false)
      const live = new LiveTasks()
      for (const t of tasks) {
        live.add(t.id)
        this.holdTask(t, false)
      }
      this.local.set(job.id, live)
    }
    const id = ++this.nextId
    this.registrations.set(id, { kind: 'submit', jobs: prepared })
    // Replicas first: the registry entry names their holders, and the submit is answered
    // only once it is registered, so an acknowledged job is durable on every holder.
    const want = this.replicaTarget()
    if (want === 0) {
      this.registerSubmission(id, [])
    } else {
      const replicas: JobReplica[] = prepared.map(({ job, tasks }) => replicaOf(job, tasks))
      const r: Replicating = { replicas, want, holders: [], tried: new Set(), asking: 0, patience: now + REPLICATE_PATIENCE_MS, retry: [], retryAt: Infinity }
      this.replicating.set(id, r)
      this.askHolders(id, r)
    }
    this.changed = true
    return { id, jobs: prepared.map(p => p.job) }
  }

  /**
   * Holders a submission wants: `--replicas` − 1, but no more than the other members of the
   * mesh (a mesh of one keeps no copy and waits for nobody).
   */
  private replicaTarget (): number {
    const want = Math.max(1, this.cfg.replicas ?? DEFAULT_REPLICAS) - 1
    const members = this.registry.memberCount?.()
    return members == null ? want : Math.max(0, Math.min(want, members - 1))
  }

  /**
   * Asks fresh live peers for the slots still open; with none left, the peers that failed are
   * asked again shortly (one that just met this node may not know it is a member yet), and a
   * slot no peer can fill waits for one to appear — both until the submit's patience runs
   * out. Then the jobs are registered with the holders they got.
   */
  private askHolders (ticket: number, r: Replicating): void {
    const open = r.want - r.holders.length - r.asking - r.retry.length
    if (open > 0) {
      for (const to of pickHolders(this.peerView, this.cfg.self, this.isDead, r.tried, open, this.cfg.rng)) {
        r.tried.add(to)
        r.asking++
        this.send(to, { op: 'replicate', jobs: r.replicas }, { kind: 'replicate', to, ticket, jobs: r.replicas.length })
      }
    }
    if (r.holders.length >= r.want || (r.asking === 0 && this.now >= r.patience)) {
      if (r.asking > 0) return
      this.replicating.delete(ticket)
      if (r.holders.length < r.want) this.event('info', 'fewer job replicas than configured: not enough live peers stored them', { holders: r.holders.length, wanted: r.want, jobs: r.replicas.length })
      this.registerSubmission(ticket, r.holders)
      return
    }
    if (r.asking + r.holders.length < r.want && r.retryAt === Infinity) r.retryAt = this.now + REPLICATE_RETRY_MS
  }

  /** Retries due: failed holders are asked again, open slots looked for again. */
  protected retryReplicas (now: number): void {
    for (const [ticket, r] of [...this.replicating]) {
      if (r.retryAt > now) continue
      r.retryAt = Infinity
      const again = r.retry
      r.retry = []
      // A failed peer becomes a candidate again (unless it was declared dead meanwhile).
      for (const to of again) r.tried.delete(to)
      this.askHolders(ticket, r)
    }
  }

  /** The earliest replicate retry due (Infinity if none). */
  protected get replicaRetryAt (): number {
    let d = Infinity
    if (this.replicating.size > 0) for (const r of this.replicating.values()) if (r.retryAt < d) d = r.retryAt
    return d
  }

  /** A submission's replicas are stored (on `holders`): register its jobs. */
  private registerSubmission (id: number, holders: string[]): void {
    const reg = this.registrations.get(id)
    if (reg?.kind !== 'submit') return
    for (const { job, tasks } of reg.jobs) {
      // A one-task job's root task is written inside its record (StoredJob), set before the
      // record is staged so that write carries it.
      if (tasks.length === 1 && job.isWorkflow !== true && this.tasks.has(tasks[0]!.id)) this.inRecord.set(job.id, tasks[0]!.id)
      else {
        for (const t of tasks) {
          const st = this.tasks.get(t.id)
          if (st != null) this.put('tasks', t.id, st)
        }
      }
      if (holders.length > 0) this.jobs.update(job.id, { replicas: holders })
      else this.jobs.persist(job.id)
    }
    this.out('register', { id, entries: reg.jobs.map(({ job }) => [job.id, entryOf(job, 'running')]) })
  }

  /** A holder answered (or failed to). */
  protected onReplicateAnswer (ticket: number, to: string, err: Error | undefined): void {
    const r = this.replicating.get(ticket)
    if (r == null) return
    r.asking--
    if (err == null) r.holders.push(to)
    else {
      this.event('debug', 'a peer did not store job replicas; asking another', { peer: to, err: err.message })
      if (this.now < r.patience && !this.isDead(to)) r.retry.push(to)
    }
    this.askHolders(ticket, r)
  }

  /** The control log applied registration `id` (error: it could not). */
  registered (id: number, error: Error | undefined, now: number): void {
    this.now = now
    const reg = this.registrations.get(id)
    if (reg == null) return
    this.registrations.delete(id)
    if (reg.kind === 'final') {
      if (error != null) {
        // The registry must learn that the job is over, or every node keeps its completion
        // state and listings show it running: retry at the next maintenance.
        this.event('warn', 'could not record finished jobs in the registry; will retry', { err: error.message, jobs: reg.entries.length })
        this.registerRetry.push(reg)
      }
      return
    }
    if (reg.kind === 'reregister') {
      if (error != null) {
        this.event('warn', 'could not re-register interrupted jobs; will retry', { err: error.message })
        this.registerRetry.push(reg)
        return
      }
      for (const j of reg.jobIds) this.jobs.setState(j, 'running')
      return
    }
    if (error != null) {
      for (const { job, tasks } of reg.jobs) {
        this.local.delete(job.id)
        for (const t of tasks) this.dropTask(t.id)
        this.jobs.remove(job.id)
      }
      // A proposal reported failed may have committed all the same (it timed out): the
      // registry would then name a running job nobody runs — until its home dies and a
      // replica holder runs the job the client was told was not accepted. Record it failed
      // (retried like any final state; a late 'running' never revives a final one).
      this.registerFinal(reg.jobs.map(({ job }) => [job.id, entryOf(job, 'failed')]))
      // A write that failed here (disk full) is the node's fault, not the control log's: say so.
      const refusal = error instanceof WorkError && error.code === 'RESOURCE_EXHAUSTED'
        ? new WorkError('RESOURCE_EXHAUSTED', `the job could not be written to this node's disk, so it was not accepted: ${error.message}`, { cause: error })
        : new WorkError('NOT_REGISTERED', `the job could not be registered in the control log, so it was not accepted: ${error.message}`, { cause: error })
      this.out('submitted', { id, error: refusal })
      return
    }
    for (const { job, tasks } of reg.jobs) {
      this.jobs.setState(job.id, 'running')
      for (const t of tasks) {
        // Runnable only now that it is registered: its queue wait starts here.
        const st = this.tasks.get(t.id)
        if (st != null) st.queuedAt = this.now
        this.makeRunnable(t)
      }
    }
    this.out('submitted', { id, jobs: reg.jobs.map(p => p.job) })
    this.pump()
  }

  /** The control log applied a cancel: drop this job's queued tasks, abort running ones. */
  override cancel (jobId: string, now: number): void {
    this.now = now
    if (this.cancelled.has(jobId)) return
    this.cancelled.add(jobId)
    this.changed = true
    this.jobs.setState(jobId, 'cancelled')
    if (this.awaitingCancel.delete(jobId)) this.localDone.push(jobId)
    for (const t of this.queue.drop(t => t.jobId === jobId)) this.finishCancelled(t)
    for (const t of this.retries.dropJob(jobId)) if (this.tasks.has(t.id)) this.finishCancelled(t)
    // A workflow's driver is in neither: it ends with its run.
    const driver = this.workflows.drop(jobId)
    if (driver != null && this.tasks.has(driver.id)) this.finishCancelled(driver)
    for (const r of this.running.values()) if (r.task.jobId === jobId) this.out('abort', { taskId: r.task.id, reason: 'cancelled' })
  }

  /** Stores job definitions for their home (answered once written: persist, then reply). */
  protected onReplicate (from: string, jobs: readonly JobReplica[], rejected: number): WorkReply {
    this.counters.rejectedMessages += rejected
    const accepted: JobReplica[] = []
    for (const j of jobs) {
      if (j.home !== from) {
        this.counters.rejectedMessages++
        continue
      }
      accepted.push(j)
    }
    // One value for the whole message (see HeldReplicas); a re-sent message writes it again.
    const key = accepted[0]?.id
    if (key != null && this.held.addSet(key, accepted.map(j => j.id))) this.put('replicaSets', key, packReplicaSet(from, accepted))
    return okReply({ accepted: accepted.length })
  }

  /**
   * Stores a replicate message's definitions as they came (sealed: see SealedReplicaSet), one
   * value under its first job id like a decoded set (not again for a re-sent message).
   */
  protected onSealedReplicas (from: string, sealed: SealedReplicas): WorkReply {
    const key = sealed.ids[0]!
    if (this.held.addSet(key, sealed.ids)) this.put('replicaSets', key, sealedReplicaSet(from, sealed))
    return okReply({ accepted: sealed.ids.length })
  }

  /** Deletes a replica's stored value, or its set's once empty (HeldReplicas.delete/own). */
  protected dropReplica (k: ReplicaKey | undefined): void {
    if (k != null) this.del(k.bucket, k.key)
  }
}
