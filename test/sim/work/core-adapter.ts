// The one place where the work simulator meets the real WorkCore (src/work/core.ts). The
// simulator drives a SimCore and reads what it holds through `holdings()`; everything else in
// test/sim/work is independent of the core's exact API, so an API change is fixed here.
//
// `holdings()` uses the core's read-only views for checkers (heldTasks, isRunning,
// outboxEntries, isRecorded): the invariant "no task is lost while its holder lives" has to
// look inside every node.

import type { JobEntry, JobMove } from '../../../src/consensus/control.js'
import type { Rng } from '../../../src/prng.js'
import { WorkCore, type AttemptEnd, type DrainProgress, type PeerInfo, type Ready, type RegistryView, type WorkCoreConfig, type WorkCounters } from '../../../src/work/core.js'
import type { WorkMsg, WorkReply } from '../../../src/work/messages.js'
import type { JobRecord, JobReplica, LoadedWork, StoredTask, TaskOutcome } from '../../../src/work/records.js'
import type { JobInput } from '../../../src/work/spec.js'
import type { ApprovalDecision, WorkflowView } from '../../../src/work/workflows.js'

export type { AttemptEnd, PeerInfo, Ready, WorkCounters } from '../../../src/work/core.js'

/** What a node's core holds, for the checkers. */
export interface Holdings {
  /** Tasks in its table: queued (incl. waiting for a retry) or lent in an unsignalled batch. */
  tasks: ReadonlyMap<string, StoredTask>
  /** Attempts running now. */
  running: { has: (taskId: string) => boolean }
  /** Outcomes waiting to be sent to their home. */
  outbox: ReadonlyMap<string, TaskOutcome>
  /** At a home: whether this task's outcome is recorded (in memory, maybe not yet durable). */
  isRecorded: (jobId: string, taskId: string) => boolean
  activeJobs: () => JobRecord[]
  /** The Dijkstra–Scholten core's view of a job here, for failure messages. */
  completionView: (jobId: string) => string
  /** Jobs the Dijkstra–Scholten core holds state of, and a sample task id of each (its generation). */
  completionJobs: () => Array<{ jobId: string, sample?: string }>
  /** A workflow whose run this home holds (its steps as they stand), if any. */
  workflowView: (jobId: string) => WorkflowView | undefined
}

export interface SimRegistry {
  entry: (jobId: string) => JobEntry | undefined
  isDead: (peer: string) => boolean
  /** The registry's record of a workflow approval (the sim's stand-in for the approvals in the log). */
  approval?: (id: string) => ApprovalDecision | undefined
}

export interface SimCoreConfig {
  self: string
  incarnation: number
  concurrency: number
  capabilities: readonly string[]
  rng: Rng
  /** Copies of each job's definition, the home's included. */
  replicas: number
  /** The escalation ladder and circuit breakers. */
  supervision?: { restartsPerTypePerHour?: number }
}

/** The sans-I/O work core as the simulator drives it (see the contract in src/work/core.ts). */
export interface SimCore {
  submit: (inputs: readonly JobInput[], now: number) => { id: number, jobs: JobRecord[] }
  registered: (id: number, error: Error | undefined, now: number) => void
  request: (from: string, id: number, msg: WorkMsg, now: number) => void
  response: (id: number, res: WorkReply | Error, now: number) => void
  taskFinished: (taskId: string, end: AttemptEnd, now: number) => void
  taskProgress: (taskId: string, value: unknown, now: number) => void
  cancel: (jobId: string, now: number) => void
  /** Retention forgot these finished jobs (a committed jobs.delete). */
  forget: (jobIds: readonly string[], now: number) => void
  /** The control log committed `peer`'s death. */
  peerDead: (peer: string, now: number) => void
  /** The control log declared this node dead. */
  declaredDead: (now: number) => void
  /** The control log moved jobs to new homes (before the node.dead that moved them). */
  jobsMoved: (moves: readonly JobMove[], now: number) => void
  /** The control log decided a workflow approval. */
  approvalDecided: (d: ApprovalDecision, now: number) => void
  /** The replica of a job re-homed here, read from disk after ready().adopt. */
  adopt: (jobId: string, replica: JobReplica | undefined, now: number) => void
  peers: (view: readonly PeerInfo[], now: number) => void
  peerAdvertised: (peerId: string, now: number) => void
  tick: (now: number) => void
  /** The node is stopping: running attempts are aborted, nothing more is started or sent. */
  stop: (now: number) => void
  /** The node is leaving: no submits or steals, queued work pushed to peers. */
  drain: (now: number) => void
  drainProgress: () => DrainProgress
  readonly isDraining: boolean
  nextDeadline: () => number
  hasReady: () => boolean
  ready: () => Ready
  advance: (seq: number) => void
  readonly stealable: number
  /** What the node advertises: its capabilities without handlers whose circuit is open. */
  readonly capabilities: readonly string[]
  readonly counters: WorkCounters
  holdings: () => Holdings
}

/** A core from a node's disk (or a fresh one when `loaded` is undefined). */
export function makeCore (cfg: SimCoreConfig, loaded: LoadedWork | undefined, registry: SimRegistry, now: number): SimCore {
  const core = loaded == null ? WorkCore.create(cfg, registry, now) : WorkCore.restore(cfg, loaded, registry, now)
  const running = { has: (id: string) => core.isRunning(id) }
  return {
    submit: (inputs, t) => core.submit(inputs, t),
    registered: (id, err, t) => { core.registered(id, err, t) },
    request: (from, id, msg, t) => { core.request(from, id, msg, t) },
    response: (id, res, t) => { core.response(id, res, t) },
    taskFinished: (taskId, end, t) => { core.taskFinished(taskId, end, t) },
    taskProgress: (taskId, value, t) => { core.taskProgress(taskId, value, t) },
    cancel: (jobId, t) => { core.cancel(jobId, t) },
    forget: (jobIds, t) => { core.forget(jobIds, t) },
    peerDead: (peer, t) => { core.peerDead(peer, t) },
    declaredDead: t => { core.declaredDead(t) },
    jobsMoved: (moves, t) => { core.jobsMoved(moves, t) },
    approvalDecided: (d, t) => { core.approvalDecided(d, t) },
    adopt: (jobId, replica, t) => { core.adopt(jobId, replica, t) },
    peers: (view, t) => { core.peers(view, t) },
    peerAdvertised: (peer, t) => { core.peerAdvertised(peer, t) },
    tick: t => { core.tick(t) },
    stop: t => { core.stop(t) },
    drain: t => { core.drain(t) },
    drainProgress: () => core.drainProgress(),
    get isDraining () { return core.isDraining },
    nextDeadline: () => core.nextDeadline(),
    hasReady: () => core.hasReady(),
    ready: () => core.ready(),
    advance: seq => { core.advance(seq) },
    get stealable () { return core.stealable },
    get capabilities () { return core.capabilities },
    get counters () { return core.counters },
    holdings: () => ({
      tasks: core.heldTasks,
      running,
      outbox: core.outboxEntries,
      isRecorded: (jobId, taskId) => core.isRecorded(jobId, taskId),
      activeJobs: () => core.activeJobs(),
      completionView: jobId => {
        const c = core.completion
        if (!c.jobIds().includes(jobId)) return 'not in the DS core'
        return JSON.stringify({ home: c.isHome(jobId), completed: c.isCompleted(jobId), deficit: c.deficit(jobId), ledger: c.ledger(jobId), local: c.localTasks(jobId), engagements: c.engagements(jobId) })
      },
      completionJobs: () => {
        const c = core.completion
        return c.jobIds().map(jobId => ({ jobId, sample: c.ledger(jobId)[0]?.taskIds[0] ?? c.localTasks(jobId)[0]?.taskId }))
      },
      workflowView: jobId => core.workflowView(jobId)
    })
  }
}
