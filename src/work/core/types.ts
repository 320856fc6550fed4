// The work core's types: its configuration, its inputs' and outputs' shapes, and the numbers
// (with their reasons) that the README's Jobs section promises. See ../core.ts for the contract.

import type { ApprovalDecision, ApprovalRequest } from '../workflows.js'
import type { JobEntry } from '../../consensus/control.js'
import type { Rng } from '../../prng.js'
import type { WorkError } from '../errors.js'
import type { WorkMsg, WorkReply } from '../messages.js'
import type { JobRecord, WorkWrite } from '../records.js'
import type { Task } from '../spec.js'

// ----- configuration and constants ----------------------------------------------------------

export interface WorkCoreConfig {
  self: string
  /** Distinguishes this process's batch ids from the previous run's. */
  incarnation: number
  concurrency: number
  /** Everything this node advertises: user capabilities, handler:<name>, commands. */
  capabilities: readonly string[]
  /** Jitter of retry backoff, steal choice and the job id prefix. */
  rng: Rng
  /** First re-send of an unsignalled batch (default 2 s); doubles up to MAX_RESEND_MS. */
  resendAfterMs?: number
  /** Retry backoff base for failed attempts (default 200 ms). */
  retryBaseMs?: number
  /** Tasks started back to back before the event loop must turn (default 512). */
  burst?: number
  /**
   * Copies of each job's definition kept in the mesh, the home's included (default 3): a
   * submit is acknowledged once the other copies are durable on that many live peers (as
   * many as the mesh has). 1 = the home alone (a job then dies with its home).
   */
  replicas?: number
  /** The escalation ladder and circuit breakers (README "Supervision"); defaults in ladder.ts and breakers.ts. */
  supervision?: SupervisionConfig
}

export interface SupervisionConfig {
  /** Failed attempts of a task on one node before it runs on another capable node (default 2). */
  localAttempts?: number
  /** Restarts of failed tasks per task type per hour on this node; 0 = no cap (default 100). */
  restartsPerTypePerHour?: number
  /** Consecutive failures that open a circuit; 0 = no breakers (default 5). */
  breakerFailures?: number
  /** How long an open circuit waits before a probe, ms (default 30 000). */
  breakerCoolDownMs?: number
}

export const DEFAULT_REPLICAS = 3
/** A replica whose job never reached the registry (its home died before registering) goes after this. */
export const ORPHAN_REPLICA_MS = 10 * 60_000
/**
 * How long a submit keeps asking peers that failed to store its replicas (a node that just
 * joined is refused by peers that have not yet applied its membership), and how often.
 * After that the job is registered with the holders it got.
 */
export const REPLICATE_PATIENCE_MS = 5_000
export const REPLICATE_RETRY_MS = 200
/** Replicas checked against the registry per maintenance (a rotating slice). */
export const REPLICA_SWEEP = 256

/** The control log's job registry, read-only. */
export interface RegistryView {
  entry: (jobId: string) => JobEntry | undefined
  /** Declared dead by quorum: never lend it work. */
  isDead: (peer: string) => boolean
  /** Members of the committed configuration (voters and learners), this node included; undefined if not known yet. */
  memberCount?: () => number | undefined
  /** The control log's record of a workflow approval (src/workflow/approvals.ts), if any. */
  approval?: (id: string) => ApprovalDecision | undefined
}

export interface PeerInfo {
  peerId: string
  /** Stealable tasks it advertised. */
  queued: number
  capabilities: readonly string[]
  /** It is draining (leaving the mesh): it takes no pushed work. */
  draining?: boolean
}

/**
 * Where a drain stands (WorkCore.drainProgress): what this node still holds or owes, and
 * what the drain did. `done` when nothing is held here, lent from here, engaged for others,
 * waiting to reach a home, in flight, or homed here and unfinished.
 */
export interface DrainProgress {
  done: boolean
  /** Tasks queued here (including retries waiting out a backoff). */
  queued: number
  running: number
  /** Batches lent from here and not signalled yet (pushed or stolen). */
  lent: number
  /** Batches others lent here that this node has not signalled yet. */
  engaged: number
  /** Outcomes waiting to reach their home. */
  outbox: number
  /** Unfinished jobs homed here. */
  homeJobs: number
  /** Messages (results, signals, batches) not answered yet, and registrations not applied. */
  inFlight: number
  /** Tasks pushed to peers since the drain began, and tasks that finished here meanwhile. */
  handedOff: number
  finished: number
}

export interface WorkCounters {
  tasksRun: number
  tasksFailed: number
  tasksRetried: number
  stealsSent: number
  stealsGranted: number
  /** Steal requests from thieves answered with nothing (nothing spare, fenced, or the thief is dead). */
  stealsRefused: number
  tasksStolen: number
  tasksLent: number
  batchesResent: number
  resultsSent: number
  orphanedHandlers: number
  rejectedMessages: number
  /** Tasks queued here again because the node they were lent to was declared dead. */
  tasksReclaimed: number
  /** Tasks given up because the node they came through was declared dead. */
  tasksAbandoned: number
}

/** How an attempt ended, as the shell measured it (taskFinished keeps none of the object). */
export interface AttemptEnd {
  ok: boolean
  /** JSON text of the result (the shell encodes and size-checks it): when ok, and for a failure that keeps one (a command's output). */
  result?: string | undefined
  error?: string | undefined
  /** Children the handler spawned (kept only if it succeeded). */
  children: readonly Task[]
  durationMs: number
  /** Aborted because the node is stopping: not a failure, the task runs again after restart. */
  stoppedByNode: boolean
}

/**
 * What the core made of an ended attempt (taskFinished's answer, for the shell's metrics):
 * `done` succeeded, `failed` for good, `retried` queued again after a backoff, `cancelled`
 * its job was cancelled, `dropped` its lineage was abandoned (healing) or it was unknown.
 */
export type AttemptOutcome = 'done' | 'failed' | 'retried' | 'cancelled' | 'dropped'

export interface OutMessage { to: string, id: number, msg: WorkMsg }
export interface OutReply { id: number, reply: WorkReply }
export interface Registration { id: number, entries: Array<[string, JobEntry]> }
export interface SubmitAnswer { id: number, jobs?: JobRecord[], error?: WorkError }
/** `abandoned`: its lineage leads through a node declared dead, whose lender re-runs it. */
export interface TaskAbort { taskId: string, reason: 'cancelled' | 'stopping' | 'abandoned' }
/** A structured event for the node's event log (/v1/events): `task.escalated`, `circuit.*`. */
export interface WorkNotice { type: string, data: Record<string, unknown> }
export interface WorkEvent {
  level: 'debug' | 'info' | 'warn'
  msg: string
  fields: Record<string, unknown>
  /** Set on the lines that are also events of the node's event stream (the shell passes them on). */
  tag?: 'work.reclaimed'
}
export interface SubmissionTicket { id: number, jobs: JobRecord[] }
/** A job re-homed here: the shell reads its replica and calls adopt(). */
export interface AdoptRequest {
  jobId: string
  /** The replica set holding its definition (WorkStore.replica); absent: under its own key. */
  set?: string
}

export interface Ready {
  /** advance(seq) once this ready's writes (and every earlier one's) are durable. */
  seq: number
  writes: WorkWrite[]
  messages: OutMessage[]
  replies: OutReply[]
  register: Registration[]
  submitted: SubmitAnswer[]
  start: Task[]
  abort: TaskAbort[]
  finished: JobRecord[]
  adopt: AdoptRequest[]
  events: WorkEvent[]
  notices: WorkNotice[]
  /** Approvals a workflow homed here asks the mesh for (src/work/workflows.ts): proposed by the shell. */
  approvals: ApprovalRequest[]
  /**
   * A job's completion waits for this ready's flush: it holds a job's last outcomes for their
   * home (nothing more held here for it), or stages a job's final state. The shell flushes it
   * at once instead of at the end of the event loop's turn.
   */
  flushNow: boolean
}

export interface RunningTaskView { taskId: string, node: string, type?: string, startedAt?: number, progress?: unknown }

/**
 * Re-sends of an unsignalled batch back off up to this. A re-send is how a lost grant, a lost
 * signal, or a batch a thief lost in a crash is recovered, so its interval bounds how long
 * such a loss can hold a job back; it costs one message per lent batch per interval.
 */
export const MAX_RESEND_MS = 5_000
export const DEFAULT_RESEND_MS = 2_000
/** Remote progress reports go to the home at most this often, and are at most this large. */
export const PROGRESS_EVERY_MS = 500
export const MAX_PROGRESS_BYTES = 1024
/** Tasks quicker than this on average are not lent (see lendable). */
export const STEAL_MIN_TASK_MS = 0.5
/** Tasks started back to back before the event loop gets a turn (see pump). */
export const BURST = 512
/**
 * How long outcomes bound to a home wait for others once they are a share of the work held
 * here for it (RESULTS_SHARE; see Outbox.schedule), and how long a thief's ended tasks wait
 * for a flush (the work shell's LAZY_FLUSH_MS).
 */
export const RESULTS_LINGER_MS = 10
/**
 * Longest an outcome waits for others bound to the same home while this node holds much more
 * work for it (see Outbox.schedule): a home then hears from a thief working through its grants
 * about ten times a second, far inside the lender's re-send interval (DEFAULT_RESEND_MS).
 */
export const RESULTS_MAX_LINGER_MS = 100
/** Outcomes waiting go within RESULTS_LINGER_MS once they number this part of the work still held for their home. */
export const RESULTS_SHARE = 4
/** How long an empty steal answer rules a victim out (unless a heartbeat says otherwise). */
export const EMPTY_HINT_MS = 100
/**
 * How long a thief whose steal found nothing asks no other peer (unless a heartbeat advertises
 * work): at a job's end, thieves asking every peer their stale heartbeats named in turn sent
 * ~80 empty steals per job among ten nodes (see Thief.answered).
 */
export const EMPTY_QUIET_MS = 50
/** The 'peer declared dead' log line names at most this many of the tasks it requeued. */
export const REQUEUED_IDS_LOGGED = 1_000
/** A thief keeps at least this many tasks per slot queued, stealing again when it drops below (more when steals take longer: Thief.lowWater). */
export const PREFETCH_PER_SLOT = 2
/** Batch re-sends, results retries, trail evaporation and missed cancels, this often. */
export const MAINTAIN_EVERY_MS = 500
/** Retry backoff: base × 2^attempt, at most this, times a jitter in [0.5, 1). */
export const MAX_RETRY_MS = 30_000
export const DEFAULT_RETRY_BASE_MS = 200

/**
 * The empty list every field of a fresh Ready starts with: shared and frozen, replaced by a
 * list of its own on the first push, so a ready() that holds little allocates little.
 */
export const EMPTY: readonly never[] = Object.freeze([])

/** The list-valued fields of a Ready. */
export type ReadyList = Exclude<keyof Ready, 'seq' | 'flushNow'>

/** What ready() returns when nothing changed: shared, never to be modified. */
export const NO_READY: Ready = Object.freeze(newReady())

export function newReady (): Ready {
  const e = EMPTY as never[]
  return { seq: 0, flushNow: false, writes: e, messages: e, replies: e, register: e, submitted: e, start: e, abort: e, finished: e, adopt: e, events: e, notices: e, approvals: e }
}
