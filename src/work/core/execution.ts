// The work core's running side (a layer of WorkCore, see src/work/core.ts): tasks start in
// this node's slots, end, retry with backoff, climb the escalation ladder, divert past open
// circuits, spawn workflow steps, and wait for a capable node.

import { ROOT_CHARGES } from '../../completion/index.js'
import { impliedBy } from './charges.js'
import { avoidedNodes, escalationStep, failuresOn, withFailure } from './ladder.js'
import { BURST, DEFAULT_RETRY_BASE_MS, MAX_PROGRESS_BYTES, MAX_RETRY_MS, type AttemptEnd, type AttemptOutcome } from './types.js'
import { WorkError } from '../errors.js'
import { JOB_LIMITS } from '../limits.js'
import type { TaskOutcome } from '../records.js'
import { CMD_TYPE, WORKFLOW_TYPE, canRun, type Task } from '../spec.js'
import { CoreState } from './state.js'

/** Failed attempts kept per home job as stuck-job evidence. */
const ERRORS_KEPT = 20

export abstract class Execution extends CoreState {
  /**
   * Changes the slots at run time (--concurrency auto, src/work/core/concurrency.ts). More
   * slots start queued tasks at once; fewer stop nothing that runs: new tasks start only
   * once the running ones fall under the new count. Prefetch, stealing and load follow it.
   */
  setConcurrency (slots: number, now: number): void {
    this.now = now
    if (!Number.isSafeInteger(slots) || slots < 1 || slots === this.cfg.concurrency) return
    this.cfg.concurrency = slots
    this.pump()
  }

  get concurrency (): number {
    return this.cfg.concurrency
  }

  /** Tasks running here, and runnable ones waiting for a slot (the concurrency controller's sample). */
  get slotUse (): { running: number, queued: number } {
    return { running: this.running.size, queued: this.queue.runnable }
  }

  /** An attempt started from ready().start ended; says what became of it (for metrics). */
  taskFinished (taskId: string, end: AttemptEnd, now: number): AttemptOutcome {
    this.now = now
    const run = this.running.get(taskId)
    if (run == null) return 'dropped'
    const { task } = run
    this.running.delete(taskId)
    const ms = end.durationMs
    this.taskMs = Number.isNaN(this.taskMs) ? ms : this.taskMs * 0.95 + ms * 0.05
    if (this.stopped) return 'dropped'
    this.changed = true
    if (this.abandonedRuns.size > 0 && this.abandonedRuns.delete(taskId)) {
      // Its lineage leads through a dead node, whose lender re-runs it: nothing of it stays.
      const again = this.requeueAfterAbandon.get(taskId)
      if (again != null) {
        this.requeueAfterAbandon.delete(taskId)
        this.queue.push(again)
      }
      this.pump()
      return 'dropped'
    }
    let outcome: AttemptOutcome
    if (this.cancelled.has(task.jobId)) {
      this.finishCancelled(task)
      outcome = 'cancelled'
    } else if (end.ok) {
      const children = end.children
      for (let i = 0; i < children.length; i++) {
        const child = children[i]!
        // A parent run again (reclaimed from a dead thief) spawns children this node may
        // already hold: lent out again (its thief runs it), or queued or running here (one
        // copy; the completion core adds the parent's lineage to it). Queued a second time,
        // it ran twice, or a steal handed over a running task (TASK_NOT_PENDING).
        const held = this.tasks.get(child.id)
        if (held?.state === 'delegated') continue
        const live = this.local.get(task.jobId)
        if (live != null) live.add(child.id)
        else if (!this.dscore.taskSpawned(task.jobId, task.id, child.id)) continue
        if (held != null || this.running.has(child.id)) continue
        // A child inherits its parent's charges (src/completion/job.ts).
        this.holdTask(child, true, this.tasks.get(task.id)?.charge)
        this.queue.push(child)
      }
      this.finishTask(task, true, end.result, undefined, false, children.length)
      this.handlerOutcome(task.type, undefined)
      outcome = 'done'
    } else if (!end.stoppedByNode) {
      this.handlerOutcome(task.type, end.error ?? 'failed')
      outcome = this.escalate(task, end.error ?? 'failed', end.result)
    } else {
      this.counters.tasksFailed++
      this.finishTask({ ...task, attempts: task.attempts + 1 }, false, end.result, end.error ?? 'failed', false, 0)
      outcome = 'failed'
    }
    this.pump()
    return outcome
  }

  /** How long a running task waited in this node's queue before its attempt started, ms. */
  queueWaitMs (taskId: string): number {
    return this.running.get(taskId)?.waitMs ?? 0
  }

  /**
   * Tasks queued here (waiting for a slot or a thief) and running here, by type, added into
   * the maps given; for metrics, at collect time: O(tasks held).
   */
  countByType (queued: Map<string, number>, running: Map<string, number>): void {
    this.queue.forEach(t => { queued.set(t.type, (queued.get(t.type) ?? 0) + 1) })
    for (const r of this.running.values()) running.set(r.task.type, (running.get(r.task.type) ?? 0) + 1)
  }

  /** A running handler reported progress (any JSON; reports over 1 KiB are dropped). */
  taskProgress (taskId: string, value: unknown, now: number): void {
    this.now = now
    const run = this.running.get(taskId)
    if (run == null) return
    run.progress = value
    const task = run.task
    if (task.home === this.cfg.self) {
      this.progressed(task.jobId)
      return
    }
    let text: string
    try {
      text = JSON.stringify(value ?? null)
    } catch {
      return
    }
    if (text === undefined || text.length > MAX_PROGRESS_BYTES) return
    this.outbox.progress(task.id, task.home, task.jobId, text, now)
  }

  /** An attempt ended while its handler kept running (it ignored its abort signal). */
  handlerOrphaned (_taskId: string): void {
    this.counters.orphanedHandlers++
  }

  protected pump (): void {
    if (this.stopped) return
    // Draining: what a live peer can run goes to peers; only the rest runs here.
    if (this.draining && this.queue.size > 0) this.pushQueued()
    const burstMax = this.cfg.burst ?? BURST
    while (this.running.size < this.cfg.concurrency) {
      // Quick tasks finish in microtasks and start the next ones in microtasks: without a
      // break the event loop would never turn, and heartbeats, RPCs and commits would wait
      // for the whole queue. Every BURST tasks, the rest waits for the next tick.
      if (this.burst >= burstMax) {
        this.burstPending = true
        break
      }
      const task = this.queue.take()
      if (task == null) break
      this.burst++
      this.startTask(task)
    }
    if (this.divertTo.size > 0) this.flushDiverted()
    // Prefetch: ask for more while the tasks queued here outlast a steal's answer, so slots never wait on one.
    if (this.queue.runnable < this.lowWater) this.maybeSteal()
  }

  private startTask (task: Task): void {
    this.changed = true
    if (this.abandonedRuns.size > 0 && this.abandonedRuns.has(task.id)) {
      // Queued again (reclaimed) while its abandoned attempt is still ending: one attempt
      // of a task id at a time, so it waits for that one's end.
      this.requeueAfterAbandon.set(task.id, task)
      return
    }
    if ((task.failures != null || this.handlerBreakers.anyOpen) && this.diverts(task)) return
    if (!this.local.has(task.jobId) && !this.dscore.taskStarted(task.jobId, task.id)) {
      // Its lineage was abandoned (healing) or it is already finished: nothing to run.
      this.dropTask(task.id)
      return
    }
    this.running.set(task.id, { task, startedAt: this.now, waitMs: this.now - (this.tasks.get(task.id)?.queuedAt ?? this.now) })
    // A first attempt is progress; a retry is not (a task that keeps failing is how jobs stick).
    if (task.attempts === 0 && task.home === this.cfg.self) this.progressed(task.jobId)
    this.counters.tasksRun++
    this.out('start', task)
  }

  /**
   * A failed attempt climbs the escalation ladder (src/work/core/ladder.ts): retried here,
   * then run on another capable node (see divert), then failed with every attempt's error;
   * past the type's restart cap it fails at once. Each step is a `task.escalated` notice.
   */
  private escalate (task: Task, error: string, result: string | undefined): AttemptOutcome {
    const attempt = task.attempts + 1
    const failures = withFailure(task.failures, { node: this.cfg.self, attempt, error, at: this.now })
    const capReached = this.restarts.reached(task.type, this.now)
    const step = escalationStep(failures, attempt, task.maxAttempts, this.cfg.self, this.ladder, capReached)
    const avoid = step === 'other-node' ? [...avoidedNodes(failures, this.ladder.localAttempts)] : undefined
    this.notice('task.escalated', { jobId: task.jobId, taskId: task.id, type: task.type, node: this.cfg.self, step, attempt, maxAttempts: task.maxAttempts, error: error.slice(0, 1_000), ...(avoid != null ? { avoid } : {}) })
    if (step === 'failed' || step === 'capped') {
      this.counters.tasksFailed++
      const why = step === 'capped'
        ? `restart cap reached: ${this.restarts.count(task.type, this.now)} restarts of "${task.type}" tasks on ${this.cfg.self} in the last hour (supervision.restartsPerTypePerHour = ${this.ladder.restartsPerTypePerHour}); its error: ${error}`
        : error
      this.finishTask({ ...task, attempts: attempt, failures }, false, result, why, false, 0)
      return 'failed'
    }
    this.restarts.record(task.type, this.now)
    if (step === 'other-node') this.event('info', 'task failed here too often; it runs on another capable node', { task: task.id, type: task.type, attempt, avoid })
    this.retry({ ...task, failures }, error)
    return 'retried'
  }

  /** An attempt of a handler type ended here: ok (error undefined) or failed. Feeds its breaker. */
  private handlerOutcome (type: string, error: string | undefined): void {
    if (error == null) this.handlerBreakers.success(type, this.now)
    else this.handlerBreakers.failure(type, this.now, error.slice(0, 200))
    if (this.handlerBreakers.changed) this.flushCircuits()
  }

  /** What a peer did with work lent to it: ok (error undefined) or failed. Feeds its breaker. */
  protected peerOutcome (peer: string, error: string | undefined): void {
    if (peer === this.cfg.self) return
    if (error == null) this.peerBreakers.success(peer, this.now)
    else this.peerBreakers.failure(peer, this.now, error.slice(0, 200))
    if (this.peerBreakers.changed) this.flushCircuits()
  }

  /** Circuit transitions become notices and log lines; a handler's changes what this node advertises. */
  protected flushCircuits (): void {
    for (const [kind, b] of [['peer', this.peerBreakers], ['handler', this.handlerBreakers]] as const) {
      const ts = b.transitions()
      if (ts.length === 0) continue
      for (const t of ts) {
        const type = t.to === 'open' ? 'circuit.opened' : t.to === 'half-open' ? 'circuit.half-open' : 'circuit.closed'
        this.notice(type, { kind, target: t.target, node: this.cfg.self, reason: t.reason, failures: t.failures, from: t.from })
        this.event(t.to === 'open' ? 'warn' : 'info', kind === 'peer' ? `circuit to peer ${t.to}` : `circuit of handler ${t.to}`, { kind, target: t.target, reason: t.reason })
      }
      if (kind === 'handler') {
        const open = new Set(b.openTargets().filter(t => b.state(t) === 'open').map(t => `handler:${t}`))
        this.advertised = open.size === 0 ? this.cfg.capabilities : this.cfg.capabilities.filter(c => !open.has(c))
      }
    }
  }

  /**
   * Whether a task taken from the queue goes to a peer instead of starting here: it failed
   * here `localAttempts` times (escalated), or its handler's circuit is open here. It goes
   * to a live capable peer it has not failed on (the node that lent it first); with none, it
   * runs here. A half-open handler lets one task through here as its probe.
   */
  private diverts (task: Task): boolean {
    const escalated = task.failures != null && failuresOn(task.failures, this.cfg.self) >= this.ladder.localAttempts
    const handlerOpen = this.handlerBreakers.anyOpen && this.handlerBreakers.state(task.type) !== 'closed'
    if (!escalated && !handlerOpen) return false
    if (!escalated && this.handlerBreakers.allow(task.type, this.now)) return false
    // Fenced (no quorum contact) it lends nothing: it runs what it holds.
    if (this.fenced) return false
    const peer = this.pickPeer(task)
    if (peer == null) return false
    if (!this.local.has(task.jobId)) {
      // Its failed attempt still counts as running in the completion core: pending again.
      if (!this.dscore.taskStopped(task.jobId, task.id)) return false
      this.pinned.delete(task.id)
    }
    this.divert(peer, task)
    return true
  }

  /** Hands a task to `peer` at the end of this pump (flushDiverted), as a batch it engages for. */
  private divert (peer: string, task: Task): void {
    this.peerBreakers.allow(peer, this.now)
    const list = this.divertTo.get(peer)
    if (list == null) this.divertTo.set(peer, [task])
    else list.push(task)
  }

  /** A live, non-draining peer that can run the task, that it has not failed on and whose circuit is not open. */
  private pickPeer (task: Task): string | undefined {
    const n = this.peerView.length
    if (n === 0) return undefined
    const avoid = avoidedNodes(task.failures, this.ladder.localAttempts)
    const origin = this.origin.get(task.id)
    let best: string | undefined
    let bestQueued = Infinity
    const first = this.batchSeq % n
    for (let i = 0; i < n; i++) {
      const p = this.peerView[(first + i) % n]!
      if (p.peerId === this.cfg.self || p.draining === true || avoid.has(p.peerId) || this.registry.isDead(p.peerId)) continue
      if (!canRun(p.capabilities, task.requires) || !this.peerBreakers.wouldAllow(p.peerId, this.now)) continue
      if (p.peerId === origin) return origin
      if (p.queued < bestQueued) {
        best = p.peerId
        bestQueued = p.queued
      }
    }
    return best
  }

  /** Sends the tasks diverted in this pump to their peers, as batches they engage for. */
  private flushDiverted (): void {
    if (this.divertTo.size === 0) return
    const all = this.divertTo
    this.divertTo = new Map()
    for (const [peer, tasks] of all) {
      for (let i = 0; i < tasks.length; i += JOB_LIMITS.batchTasks) {
        const chunk = tasks.slice(i, i + JOB_LIMITS.batchTasks)
        const batches = this.lend(peer, chunk)
        this.counters.tasksLent += chunk.length
        this.send(peer, { op: 'deliver', batches }, { kind: 'deliver', to: peer })
      }
      this.event('debug', 'tasks handed to a peer (escalated, their handler circuit open here, or workflow steps for a peer that can take them now)', { peer, tasks: tasks.length })
    }
  }

  private retry (task: Task, error: string): void {
    this.counters.tasksRetried++
    if (task.home === this.cfg.self && this.jobs.get(task.jobId) != null) {
      const list = this.attemptErrors.get(task.jobId) ?? []
      list.push({ taskId: task.id, type: task.type, error: error.slice(0, 300), at: this.now, timedOut: /^timed out after \d+ ms/.test(error) })
      if (list.length > ERRORS_KEPT) list.shift()
      this.attemptErrors.set(task.jobId, list)
    }
    const next: Task = { ...task, attempts: task.attempts + 1 }
    this.holdTask(next)
    const base = this.cfg.retryBaseMs ?? DEFAULT_RETRY_BASE_MS
    const delay = Math.min(MAX_RETRY_MS, base * 2 ** task.attempts) * (0.5 + this.cfg.rng() / 2)
    this.event('debug', 'task failed; retrying', { task: task.id, attempt: next.attempts, error, delay: Math.round(delay) })
    this.retries.add(next, this.now + delay)
    // The completion core still counts the attempt as running (it only learns of finished
    // tasks): such a task must not be lent, it runs here again.
    if (!this.local.has(task.jobId)) this.pinned.add(task.id)
  }

  /** Records the outcome at home (directly here, or via the outbox) and retires the task. */
  protected override finishTask (task: Task, ok: boolean, result: string | undefined, error: string | undefined, cancelled: boolean, spawned: number): void {
    // Field by field, in the order the spreads gave (one per task on the hot path).
    const outcome: TaskOutcome = { jobId: task.jobId, taskId: task.id, ok } as TaskOutcome
    if (result !== undefined) outcome.result = result
    if (error !== undefined) outcome.error = error
    if (cancelled) outcome.cancelled = true
    outcome.spawned = spawned
    outcome.attempts = task.attempts + (ok ? 1 : 0)
    outcome.node = this.cfg.self
    outcome.finishedAt = this.now
    if (!ok && !cancelled && task.failures != null && task.failures.length > 0) outcome.failures = task.failures
    const charge = this.tasks.get(task.id)?.charge
    this.dropTask(task.id, task.home === this.cfg.self)
    if (this.draining) this.drained.finished++
    if (task.home === this.cfg.self || cancelled) {
      // Cancelled work elsewhere needs no result at home: the job's state already says why.
      if (task.home === this.cfg.self) {
        const wf = this.jobs.get(task.jobId)?.isWorkflow === true
        if (wf && this.workflows.tolerated(outcome)) outcome.tolerated = true
        if (this.jobs.record(outcome, this.now) && wf) this.workflows.outcome(outcome)
      }
      this.localFinished(task.jobId, task.id)
      if (task.home === this.cfg.self) this.allRecorded(task.jobId)
      return
    }
    outcome.home = task.home
    if (charge != null) outcome.charge = charge
    this.outbox.add(outcome)
    this.put('outbox', task.id, outcome)
    this.scheduleResults(task.home, task.jobId)
  }

  protected finishCancelled (task: Task): void {
    this.finishTask(task, false, undefined, 'cancelled', true, 0)
  }

  /**
   * A job that left home is complete once its home has recorded the outcome of every task of
   * its tree (JobBook.allRecorded) and holds none of its tasks: the signals still on their way
   * (a batch's lender signals it once its results are answered; a re-lent batch's signal goes
   * up a chain of lenders) can only say what the outcomes already prove. So the home does
   * not wait for them: it finishes the job now, its final record durable with the last
   * outcomes, and the ledger it still holds goes once that is durable (advance). Workflows
   * (their home spawns steps as outcomes arrive) and cancelled jobs wait for the signals.
   */
  protected allRecorded (jobId: string): void {
    if (this.local.has(jobId) || !this.dscore.isHome(jobId)) return
    const job = this.jobs.get(jobId)
    if (job == null || job.state !== 'running' || job.isWorkflow === true || this.cancelled.has(jobId) || this.awaitingCancel.has(jobId)) return
    if (!this.jobs.allRecorded(jobId) || this.dscore.localTasks(jobId).length > 0) return
    this.localDone.push(jobId)
  }

  /** A task finished here with its outcome recorded: tell whichever tracks its job. */
  private localFinished (jobId: string, taskId: string): void {
    const live = this.local.get(jobId)
    if (live == null) {
      this.dscore.taskFinished(jobId, taskId)
      return
    }
    live.delete(taskId)
    if (live.size === 0) {
      this.local.delete(jobId)
      this.localDone.push(jobId)
    }
  }

  /** The job leaves home for the first time: hand every task it has here to the core. */
  protected startInCore (jobId: string): void {
    const live = this.local.get(jobId)
    if (live == null) return
    this.local.delete(jobId)
    // Their queued task records here name the root charge: no completion record of their own.
    this.dscore.startJob(jobId, live.ids(), id => impliedBy(this.tasks.get(id), this.outbox.entries.get(id), jobId, ROOT_CHARGES))
    for (const id of this.running.keys()) if (live.has(id)) this.dscore.taskStarted(jobId, id)
  }

  /**
   * The capabilities that queued tasks of a job homed here wait for: those no live node
   * advertises (or, for a task whose needs no single node covers, its whole list).
   */
  waitingFor (jobId: string): string[] {
    // Every view of a live job asks (a client polling a job of 10 000 tasks asks many times
    // a second). A queued task waits either in the queue or out its retry backoff; when every
    // task in the queue can run here and none is backing off, nothing waits for a capability.
    if (this.queue.runnable === this.queue.size && this.retries.size === 0) return []
    // Otherwise walk them, allocating nothing per task: tasks that need only their handler
    // share one requirement list, judged once while the lists repeat; and forEach allocates no
    // iterator result per task as for…of over a Map does.
    const nodes = [this.cfg.capabilities, ...this.peerView.map(p => p.capabilities)]
    const missing = new Set<string>()
    let judged: readonly string[] | undefined
    let runnable = false
    this.tasks.forEach(st => {
      if (st.state !== 'queued' || st.task.jobId !== jobId) return
      const req = st.task.requires
      if (req !== judged) {
        judged = req
        runnable = nodes.some(n => canRun(n, req))
      }
      if (runnable) return
      const absent = req.filter(r => !nodes.some(n => n.includes(r)))
      for (const r of absent.length > 0 ? absent : req) missing.add(r)
    })
    return [...missing].sort()
  }

  /**
   * Jobs that waited for a capable node past their deadline: their queued tasks that no live
   * node can run fail with NO_CAPABLE_NODE (as a submit without waiting would have).
   */
  protected expireCapabilityWaits (now: number): void {
    if (this.capableWaitOver.size > 1_000) for (const id of this.capableWaitOver) if (this.jobs.get(id) == null) this.capableWaitOver.delete(id)
    for (const job of this.jobs.activeJobs()) {
      if (job.capableBy == null || job.capableBy === 0 || now < job.capableBy || job.state !== 'running' || this.capableWaitOver.has(job.id)) continue
      const nodes = [this.cfg.capabilities, ...this.peerView.map(p => p.capabilities)]
      const stuck = new Set<string>()
      for (const st of this.tasks.values()) {
        if (st.state === 'queued' && st.task.jobId === job.id && !nodes.some(n => canRun(n, st.task.requires))) stuck.add(st.task.id)
      }
      const dropped = this.queue.drop(t => stuck.has(t.id))
      for (const t of dropped) {
        this.counters.tasksFailed++
        this.finishTask({ ...t, attempts: t.attempts + 1 }, false, undefined, `NO_CAPABLE_NODE: no live node could run it within the job's waitForCapableMs: it needs ${t.requires.join(', ')}`, false, 0)
      }
      // Past its deadline a job is like any other: tasks wait for a capable node that leaves.
      this.capableWaitOver.add(job.id)
    }
  }

  /** A checker for one submit: every distinct requirement is checked once against live nodes. */
  protected capabilityCheck (): (tasks: readonly Task[]) => void {
    const nodes = [{ peerId: this.cfg.self, capabilities: this.cfg.capabilities }, ...this.peerView]
    const seen = new Set<string>()
    // Tasks that need only their handler share one requirement list: skip those by identity.
    const seenLists = new Set<readonly string[]>()
    return tasks => {
      for (const t of tasks) {
        if (seenLists.has(t.requires)) continue
        seenLists.add(t.requires)
        const key = t.requires.join(',')
        if (seen.has(key)) continue
        seen.add(key)
        if (nodes.some(n => canRun(n.capabilities, t.requires))) continue
        const missing = t.requires.filter(r => !nodes.some(n => n.capabilities.includes(r)))
        throw new WorkError('NO_CAPABLE_NODE', `no live node can run task ${t.id} (type "${t.type}"): it needs ${t.requires.join(', ')}${missing.length > 0 ? `, and no node advertises ${missing.join(', ')}` : ', which no single node has'}. ` +
          (t.type === CMD_TYPE ? 'Start a node with --allow-commands.' : 'Load the handler with --handlers, or start a node with the capability (--capabilities).'))
      }
    }
  }

  /**
   * A root task of a job homed here may run: queued, or — for a delayed job — waiting for its
   * start time like a retry waits out its backoff; a workflow's driver starts its run instead
   * (`recorded`: the job's outcomes so far, after a restart).
   */
  protected makeRunnable (t: Task, recorded?: readonly TaskOutcome[]): void {
    if (t.type === WORKFLOW_TYPE) {
      // Cancelled while this node was down (or before its cancel was durable here): the run
      // is not rebuilt — it would spawn steps of a cancelled job — and the driver ends now.
      if (this.cancelled.has(t.jobId) || this.registry.entry(t.jobId)?.state === 'cancelled') {
        this.cancel(t.jobId, this.now)
        if (this.tasks.has(t.id)) this.finishCancelled(t)
        return
      }
      // Step tasks a restart finds held here count in the total again (see isStepTask).
      this.jobs.addTotal(t.jobId, this.workflows.start(t, recorded))
      this.workflowSpawned = false
      return
    }
    if (t.notBefore != null && t.notBefore > this.now) this.retries.add(t, t.notBefore)
    else this.queue.push(t)
  }

  /** A workflow's step task: a child of its driver, held and queued here like a spawned child. */
  protected override spawnStep (driver: Task, task: Task): void {
    if (this.cancelled.has(driver.jobId)) return
    const live = this.local.get(driver.jobId)
    if (live != null) live.add(task.id)
    else if (!this.dscore.taskSpawned(driver.jobId, driver.id, task.id)) return
    this.holdTask(task, true, this.tasks.get(driver.id)?.charge)
    this.jobs.addTotal(driver.jobId, 1)
    this.workflowSpawned = true
    this.changed = true
    // A step nobody would take from here soon — this node cannot run it, or its slots are
    // full — goes at once to a capable peer (an idle one, for the second) instead of waiting
    // in the queue for a steal: a steal comes only after a heartbeat or a retry says there is
    // work, tens of ms that would sit between every two steps of a workflow.
    if (!this.fenced && !this.draining) {
      const here = canRun(this.advertised, task.requires)
      if (!here || this.running.size + this.queue.size >= this.cfg.concurrency) {
        const peer = this.stepPeer(task, here)
        if (peer != null) {
          this.divert(peer, task)
          return
        }
      }
    }
    this.queue.push(task)
  }

  /**
   * The capable peer a new workflow step goes to: the least loaded by what it advertised
   * queued plus what this burst already handed it. When this node could run the step later
   * (`here`), only a peer with less than this node's slot count, or than this node has queued,
   * takes it: a wide matrix spreads evenly over the mesh instead of landing whole on the first
   * idle peer or waiting at the home for steals.
   */
  private stepPeer (task: Task, here: boolean): string | undefined {
    let best: string | undefined
    let bestLoad = Infinity
    for (const p of this.peerView) {
      if (p.peerId === this.cfg.self || p.draining === true || this.registry.isDead(p.peerId)) continue
      if (!canRun(p.capabilities, task.requires) || !this.peerBreakers.wouldAllow(p.peerId, this.now)) continue
      const load = p.queued + (this.divertTo.get(p.peerId)?.length ?? 0)
      if (load < bestLoad) {
        best = p.peerId
        bestLoad = load
      }
    }
    return best != null && (!here || bestLoad < Math.max(this.cfg.concurrency, this.queue.size)) ? best : undefined
  }
}
