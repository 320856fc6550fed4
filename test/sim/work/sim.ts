// A deterministic simulator of many work cores (src/work/core.ts, through ./core-adapter.ts)
// in one process, in virtual time only: one discrete-event queue ordered by (time, sequence),
// no timers, no LevelDB, no Date.now, and every random choice drawn from one seeded PRNG, so
// a seed replays a whole run and its trace hash is the same byte for byte.
//
// Each node is modelled as the real shell (src/node/work-shell.ts) drives its core:
//   drive():  ready() → its writes are staged (JSON text, as the store does at apply time),
//             aborts and task starts happen at once, accepted submissions are answered at once,
//             and the messages, replies, registrations and refusals are HELD;
//   commit:   one flush at a time; it takes everything staged and held so far and completes
//             after a seeded persist delay: the writes land on the node's "disk" (an in-memory
//             map of key → JSON text) atomically, then advance(upTo), then what was held is
//             sent — PERSIST, THEN SEND. A crash during the flush loses all of it.
//   timer:    ONE timer at the core's nextDeadline() (an earlier one is kept), tick(now).
// Tasks are simulated: a seeded duration, a seeded transient failure (never on the last
// attempt, so every tree completes), and children from a pure function of (tree seed, path).
// The control log is a real ControlState (src/consensus/control.ts) fed through encodeCommand:
// registrations (jobs.put) commit after a seeded delay or fail (NOT_REGISTERED; some failures
// are ambiguous: applied yet reported failed), cancels (job.cancel) and deaths (node.dead).
// Every node applies the log to ITS OWN copy, in order, after its own lag (the proposer at
// once, the others within APPLY_LAG_MS, a death within 60 ms), and its core reads that copy
// (RegistryView), so what a node knows and what it is told change at the same instant, as in
// src/node/services/work.ts: for each entry, jobsMoved() of the jobs it moved, then cancel(),
// peerDead() or declaredDead(). A node down at that moment replays the log silently when it
// restarts (before restore()). The checkers judge by the log as committed (`registry`).
// Peers learn each other's stealable work from heartbeats (lossy, expiring), as
// peers()/peerAdvertised(); the mesh ran before the run starts, so every node has heard every
// other at t=0 (a first submit finds peers to hold its replicas).
// The network drops, delays (so reorders) and duplicates requests and responses, and cuts
// nodes apart for a while (checked when sent and when due); a call with no answer gets a
// timeout error; a second answer to one call is dropped (the stream layer matches by id).
// Crashes drop a node's unpersisted writes, running attempts, calls and timers — plain ones
// at a random moment, torn ones while a flush is in flight, graceful ones after stop() and a
// last flush (calls fail locally) — and a restart rebuilds the core with restore() from its
// disk under a new incarnation. Faults stop at `faultsUntil`; then every acknowledged job
// must finish within LIVENESS_MS.
//
// Some nodes die for good (see scheduleDeaths): the others reclaim what they lent them and
// abandon what came through them once the death is committed (peerDead), and every job must
// still complete with each result recorded once. Most deaths strike a job's HOME when its jobs
// have copies (params.replicas >= 2; seeds with replicas 1 spare homes): killed outright, or a
// zombie — cut away (a pause, a partition), declared dead, reconnected for a while (its old run
// goes on, half of them catch up with the log and apply their own death), then killed. The
// committed death moves each running job to a replica holder (ControlState), which reads the
// replica from its disk (ready().adopt, after a seeded delay) and runs the job again from its
// roots in a new home generation (task ids `J/i@e`); each generation's true tree is computed
// apart, and the job must finish at its last home, in the log's generation.
//
// With SimOptions.workflows most submissions are workflows (./workflow-dag.ts): seeded DAGs
// whose step tasks are the sim's tasks, whose approvals the sim decides (standing in for the
// registry's approval records: each node's copy applied with its lag, told to its core), and
// some of which, once failed, are retried as `meshnode workflow retry` does. Off, nothing of a
// seed's run changes (workflow draws come from a PRNG of their own).
//
// The invariants (./checkers.ts) run after every event. Limits: a dead node never rejoins
// (no node.alive, no new incarnation), a node's log lag does not depend on the partitions (a
// cut-off follower still applies what the others commit; only a zombie stops), a death is
// committed by fiat 50–500 ms after it strikes (no failure detector, no quorum of opinions),
// an acknowledged job whose every copy died with its home is excused (it cannot finish, by
// design), and every node can run every task (no capability mismatch).

import { createHash, type Hash } from 'node:crypto'
import { ControlState, encodeCommand, type ControlCommand, type JobEntry, type JobMove } from '../../../src/consensus/control.js'
import { mulberry32, type Rng } from '../../../src/prng.js'
import { decideRetention } from '../../../src/consensus/retention.js'
import type { WorkMsg, WorkReply } from '../../../src/work/messages.js'
import { tasksWithEmbedded, type JobRecord, type JobReplica, type LoadedWork, type StoredTask, type TaskOutcome, type WorkWrite } from '../../../src/work/records.js'
import { WORKFLOW_TYPE, childTaskId, jobOfTask, makeTask, parseJobInput, rootTaskId, type Task } from '../../../src/work/spec.js'
import { isFinal } from '../../../src/work/jobs.js'
import { replicaSetIds } from '../../../src/work/core/replicas.js'
import { decodeWorkMsg, encodeWorkMsg, readReplicaSet } from '../../../src/wire/work-codec.js'
import { WorkRequest } from '../../../src/wire/proto/work.js'
import type { ApprovalDecision, ApprovalRequest, WorkflowResult } from '../../../src/work/workflows.js'
import { WorkflowRun } from '../../../src/workflow/index.js'
import { checkStep, checkFinished, checkFlush, checkEnd, checkStepStart, excused, type Violation } from './checkers.js'
import { makeCore, type PeerInfo, type Ready, type SimCore, type WorkCounters } from './core-adapter.js'
import { childPaths, treeIds, unit, type TreeShape } from './tree.js'
import { APPROVER, approves, expectWorkflow, failsForGood, randomWorkflow, stepKeyOf, stepOutput, workflowIds, type RetryOf, type WorkflowSpec, type WorkflowTruth } from './workflow-dag.js'

export type { JobMove }

export const TASK_TYPE = 'rtree'
const CAPABILITIES = [`handler:${TASK_TYPE}`]
/** A call with no answer by then fails with a timeout error (the RPC layer's deadline). */
const CALL_TIMEOUT_MS = 250
const HEARTBEAT_MS = 100
/** A peer not heard from for this long leaves the view (suspect). */
const PEER_EXPIRY_MS = 3 * HEARTBEAT_MS
/** After faults stop, every acknowledged job must finish within this much virtual time (the slowest of seeds 1..2000 takes 8.5 s: re-sends back off up to 5 s). */
export const LIVENESS_MS = 20_000
/** After the last job finished, nodes must hold nothing of finished jobs after this long. */
const QUIET_MS = 6_000
/** A node applies a committed control-log entry up to this long after its commit. */
const APPLY_LAG_MS = 20
/** The shell reads a re-homed job's replica from its disk within this long. */
const ADOPT_READ_MS = 5

export interface SimParams {
  seed: number
  nodes: number
  slots: number[]
  jobs: number
  /** Virtual time after which no new fault starts and every fault has ended. */
  faultsUntil: number
  dropRequest: number
  dropResponse: number
  duplicate: number
  maxDelayMs: number
  maxPersistMs: number
  registerFail: number
  taskFail: number
  maxTaskMs: number
  crashes: number
  partitions: number
  cancels: number
  maxDepth: number
  maxFanout: number
  /** Nodes that die for good (a job's home too, when its jobs have copies: replicas >= 2). */
  deaths: number
  /** Copies of each job's definition, the home's included (WorkCoreConfig.replicas). */
  replicas: number
}

/** The run's shape, drawn from the seed. Every ~50th seed is a big one. */
export function paramsFor (seed: number): SimParams {
  const rng = mulberry32(hashSeed(seed, 0x5eed))
  const big = seed % 50 === 0
  const nodes = 2 + Math.floor(rng() * 4)
  const calm = rng() < 0.15
  const f = (max: number): number => calm ? 0 : rng() * max
  const params: SimParams = {
    seed,
    nodes,
    slots: Array.from({ length: nodes }, () => 1 + Math.floor(rng() * 4)),
    jobs: 1 + Math.floor(rng() * (big ? 5 : 4)),
    faultsUntil: 500 + Math.floor(rng() * 3500),
    dropRequest: f(0.2),
    dropResponse: f(0.2),
    duplicate: f(0.15),
    maxDelayMs: 0.2 + rng() * 6,
    maxPersistMs: 0.05 + rng() * 3,
    registerFail: f(0.25),
    taskFail: f(0.3),
    maxTaskMs: 5 + rng() * 80,
    crashes: calm ? 0 : Math.floor(rng() * (big ? 6 : 4)),
    partitions: calm ? 0 : Math.floor(rng() * 4),
    cancels: rng() < 0.35 ? 1 : 0,
    maxDepth: big ? 5 : 2 + Math.floor(rng() * 3),
    maxFanout: big ? 4 : 2 + Math.floor(rng() * 3),
    // Drawn last, so the rest of a seed's shape is what it was before deaths were simulated.
    deaths: calm ? 0 : big ? Math.floor(rng() * 3) : rng() < 0.45 ? 1 : 0,
    // From a PRNG of its own, so the rest of a seed's shape is what it was before re-homing.
    replicas: 0
  }
  const rr = mulberry32(hashSeed(seed, 0x4e91))
  const r = rr()
  params.replicas = r < 0.1 ? 1 : r < 0.35 ? 2 : 3
  // A mesh must keep a node: deaths leave at least one.
  params.deaths = Math.min(params.deaths, nodes - 1)
  // A death matters when the dead node held lent work: give those seeds trees big and slow
  // enough that idle nodes steal (small trees mostly run where they were submitted).
  if (params.deaths > 0) {
    params.maxDepth = Math.max(params.maxDepth, 4)
    params.maxFanout = Math.max(params.maxFanout, 4)
    params.maxTaskMs = Math.max(params.maxTaskMs, 30)
  }
  return params
}

function hashSeed (seed: number, salt: number): number {
  return (Math.imul(seed ^ salt, 2654435761) ^ (seed >>> 7)) >>> 0
}

// ----- the event queue --------------------------------------------------------------------

interface Ev { t: number, seq: number, label: string, fn: () => void }

class EventQueue {
  private readonly heap: Ev[] = []
  private seq = 0

  get size (): number {
    return this.heap.length
  }

  push (t: number, label: string, fn: () => void): void {
    const ev: Ev = { t, seq: ++this.seq, label, fn }
    const h = this.heap
    h.push(ev)
    let i = h.length - 1
    while (i > 0) {
      const p = (i - 1) >> 1
      if (!before(h[i]!, h[p]!)) break
      ;[h[i], h[p]] = [h[p]!, h[i]!]
      i = p
    }
  }

  pop (): Ev | undefined {
    const h = this.heap
    if (h.length === 0) return undefined
    const top = h[0]!
    const last = h.pop()!
    if (h.length > 0) {
      h[0] = last
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < h.length && before(h[l]!, h[m]!)) m = l
        if (r < h.length && before(h[r]!, h[m]!)) m = r
        if (m === i) break
        ;[h[i], h[m]] = [h[m]!, h[i]!]
        i = m
      }
    }
    return top
  }
}

function before (a: Ev, b: Ev): boolean {
  return a.t < b.t || (a.t === b.t && a.seq < b.seq)
}

// ----- jobs as the test sees them ---------------------------------------------------------

export interface SimJob {
  id: string
  /** Its home in the current generation (the control log's, as committed). */
  home: string
  /** Its current home generation (0 where it was submitted, +1 per re-home). */
  epoch: number
  /** The home of each generation, oldest first (homes[epoch] === home). */
  homes: string[]
  roots: number
  shape: TreeShape
  /** Every task id of the true tree of the current generation. */
  ids: Set<string>
  /** The true tree of each generation seen so far. */
  idsByGen: Map<number, Set<string>>
  /** The submission was answered with the job (the client holds an id). */
  acked: boolean
  /** Answered NOT_REGISTERED. */
  refused: boolean
  cancelRequested: boolean
  /** Its final record of the current generation as reported by ready().finished at its home. */
  finished?: JobRecord
  finishedAt?: number
  /** Final records of older generations (a home that finished before its death was committed, or a zombie). */
  earlier: Array<{ node: string, rec: JobRecord }>
  /** A workflow job (SimOptions.workflows): its one root is the driver, its tree the steps that run and their subtrees. */
  wf?: SimWorkflow
}

/** A workflow job as the test sees it (./workflow-dag.ts). */
export interface SimWorkflow {
  spec: WorkflowSpec
  /** How every step must end, computed from the definition apart from the code under test. */
  truth: WorkflowTruth
  /** A retry: what it was built from. */
  retry?: RetryOf
  /** Its driver's result once it finished (read from its home's disk). */
  result?: WorkflowResult
  /** A retry of it was scheduled. */
  retried?: boolean
}

/** The true tree of generation `epoch` of a job. */
export function idsOf (job: SimJob, epoch: number): Set<string> {
  let ids = job.idsByGen.get(epoch)
  if (ids == null) {
    ids = new Set(job.wf != null ? workflowIds(job.id, job.wf.truth, job.shape, epoch) : treeIds(job.id, job.roots, job.shape, epoch))
    job.idsByGen.set(epoch, ids)
  }
  return ids
}

/** A finished workflow's driver result on `n`'s disk (its home of generation `epoch`), if recorded. */
export function workflowResultAt (n: SimNode, jobId: string, epoch: number): WorkflowResult | undefined {
  const text = n.disk.get(`results\u0000${rootTaskId(jobId, 0, epoch)}`)
  if (text == null) return undefined
  const o = JSON.parse(text) as TaskOutcome
  return o.result == null ? undefined : JSON.parse(o.result) as WorkflowResult
}

// ----- nodes ------------------------------------------------------------------------------

interface Staged { key: string, text: string | undefined, bucket: WorkWrite['bucket'], taskKey: string }

export class SimNode {
  up = true
  /** Died for good: it never restarts, and what it holds or wrote counts for nothing. */
  dead = false
  /** Cut off from everyone (a node about to be declared dead), whatever the partitions. */
  cut = false
  /** Applies no control-log entry (a zombie that has not learnt of its death). */
  deaf = false
  /** This node's copy of the control state, applied from the log with its own lag. */
  readonly control = new ControlState()
  /** Log entries applied to `control`. */
  applied = 0
  /** Whether applying an entry now tells the core (false while a restart replays the log). */
  live = false
  /** Re-homed jobs whose replica the shell is reading (ready().adopt, then adopt()). */
  readonly adopting = new Set<string>()
  /** Workflow approvals decided, as this node's copy of the registry has them (applied with its lag). */
  readonly approvals = new Map<string, ApprovalDecision>()
  /** The writes of the flush in flight. */
  inflight: Staged[] = []
  inc = 1
  core!: SimCore
  /** The node's "disk": bucket + NUL + key → JSON text, as LevelDB holds it. */
  readonly disk = new Map<string, string>()
  staged: Staged[] = []
  held: Ready[] = []
  lastSeq = 0
  flushing = false
  armedAt = Infinity
  timerGen = 0
  readonly runs = new Map<string, number>()
  readonly calls = new Map<number, { id: number }>()
  readonly inbound = new Map<number, { from: string, fromInc: number, callKey: number }>()
  inboundSeq = 0
  readonly view = new Map<string, { info: PeerInfo, until: number }>()
  readonly tickets = new Map<number, string[]>()
  group = 0
  /** A torn crash armed for this node's next flush. */
  tornCrash?: () => void
  /** Stopping gracefully: what to do once the last flush is done (exit). */
  stopping?: () => void

  constructor (readonly id: string, readonly slots: number) {}

  diskValues<V> (bucket: string): V[] {
    const prefix = bucket + '\u0000'
    const keys = [...this.disk.keys()].filter(k => k.startsWith(prefix)).sort()
    return keys.map(k => JSON.parse(this.disk.get(k)!) as V)
  }

  /** What the shell's WorkStore.loadForCore would read from this disk. */
  load (ignoreTasksInRecords = false): LoadedWork {
    const results = this.diskValues<TaskOutcome>('results')
    const stored = this.diskValues<JobRecord & { rootTask?: StoredTask, rootOutcome?: TaskOutcome }>('jobs').map(({ rootTask, rootOutcome: _o, ...job }) => ({ job, task: ignoreTasksInRecords ? undefined : rootTask }))
    const all = stored.map(s => s.job)
    const final = (j: JobRecord): boolean => j.state === 'completed' || j.state === 'failed' || j.state === 'cancelled'
    const active = stored.filter(s => !final(s.job)).map(({ job, task }) => ({ job, outcomes: results.filter(o => o.taskId.startsWith(job.id + '/')), task }))
    const { tasks, inRecord, rewrite } = tasksWithEmbedded(this.diskValues<StoredTask>('tasks'), active)
    const jobs = active.map(({ job, outcomes }) => ({ job, outcomes }))
    const replicas = [...this.disk.keys()].filter(k => k.startsWith('replicas\u0000')).sort().map(k => k.slice('replicas\u0000'.length))
    const replicaSets = [...this.disk.keys()].filter(k => k.startsWith('replicaSets\u0000')).sort().map(k => ({ key: k.slice('replicaSets\u0000'.length), jobIds: replicaSetIds(JSON.parse(this.disk.get(k)!)) }))
    return { tasks, outbox: this.diskValues<TaskOutcome>('outbox'), jobs, finished: all.filter(final), completion: this.diskValues('completion'), replicas, replicaSets, inRecord, rewrite }
  }

  /** Whether the outcome of task `id` is recorded on this disk: under `results`, or inside its final job record (StoredJob). */
  outcomeOnDisk (id: string): boolean {
    if (this.disk.has(`results\u0000${id}`)) return true
    return this.recordOnDisk(jobOfTask(id))?.rootOutcome?.taskId === id
  }

  /** The ids of the outcomes of `jobId` on this disk: under `results`, and inside its record. */
  outcomesOnDisk (jobId: string): string[] {
    const prefix = `results\u0000${jobId}/`
    const out: string[] = []
    for (const key of this.disk.keys()) if (key.startsWith(prefix)) out.push(key.slice('results\u0000'.length))
    const inside = this.recordOnDisk(jobId)?.rootOutcome?.taskId
    if (inside != null) out.push(inside)
    return out
  }

  /** A job record on this disk, with what it holds inside. */
  recordOnDisk (jobId: string): (JobRecord & { rootTask?: StoredTask, rootOutcome?: TaskOutcome }) | undefined {
    const text = this.disk.get(`jobs\u0000${jobId}`)
    return text == null ? undefined : JSON.parse(text)
  }

  /**
   * Whether restore would hold task `id` from this disk: its own record, or a copy inside its
   * active job's record that nothing superseded (tasksWithEmbedded).
   */
  holdsOnDisk (id: string): boolean {
    if (this.disk.has(`tasks\u0000${id}`)) return true
    const rec = this.recordOnDisk(jobOfTask(id))
    return rec?.rootTask?.task.id === id && !isFinal(rec.state) && !this.disk.has(`results\u0000${id}`)
  }

  /** What the shell's store reads for `key` after a flush: staged, then in flight, then disk. */
  read (key: string): string | undefined {
    for (const batch of [this.staged, this.inflight]) {
      for (let i = batch.length - 1; i >= 0; i--) if (batch[i]!.key === key) return batch[i]!.text
    }
    return this.disk.get(key)
  }
}

export interface SimResult {
  seed: number
  params: SimParams
  hash: string
  events: number
  virtualMs: number
  violations: Violation[]
  notices: Violation[]
  /** The last trace lines (all of them with keepTrace). */
  trace: string[]
  jobs: SimJob[]
  stats: { crashes: number, partitions: number, dropped: number, duplicated: number, timeouts: number, refused: number, cancelled: number, retries: number, deaths: number, homeDeaths: number, moved: number, adopted: number, excused: number, unrecoverable: number, forgotten: number, escalated: number, circuitsOpened: number, workflows: number, stepTasks: number, approvals: number, workflowRetries: number, workflowsFinished: number, workflowsFailed: number, workflowsRehomed: number, retriesFinished: number }
  /** The cores' counters, summed over every node and incarnation. */
  counters: WorkCounters
}

export interface SimOptions {
  keepTrace?: boolean
  /**
   * Model a WRONG shell that sends a ready's messages and replies before its writes are
   * durable (for the test that the checkers catch what the persist-then-send rule prevents).
   */
  sendBeforePersist?: boolean
  /**
   * Model a WRONG store that does not read back the root tasks kept inside job records (for
   * the test that the checkers catch a restart losing a one-task job's task).
   */
  ignoreTasksInRecords?: boolean
  /** Model a WRONG store that writes a final job record without the outcome it carries. */
  dropOutcomesInRecords?: boolean
  /**
   * The share of jobs made one-root jobs, half of them one-task jobs (no children): those whose
   * root task and outcome are kept inside their job records (StoredJob). Drawn from a PRNG of
   * their own.
   */
  oneTaskShare?: number
  /** Stop after this many events (a runaway guard). */
  maxEvents?: number
  /** A node (e.g. 'N0') on which every attempt fails but a task's last (a broken handler there). */
  brokenNode?: string
  /**
   * Submit workflows too (./workflow-dag.ts): most submissions become a seeded random DAG,
   * approvals are decided by the sim, and some failed workflows are retried as the CLI does.
   * Off, a seed runs exactly as before (its trace hash is unchanged).
   */
  workflows?: boolean
  /**
   * A node dies in every seed, jobs have copies (replicas >= 2), and deaths strike a job's home
   * whenever one can: re-homing in most seeds.
   */
  homeDeaths?: boolean
}

export class WorkSim {
  readonly params: SimParams
  readonly nodes: SimNode[]
  readonly byId = new Map<string, SimNode>()
  /** The control log as committed (each node applies it to its own copy, with its own lag). */
  readonly control = new ControlState()
  private readonly log: Uint8Array[] = []
  readonly jobs = new Map<string, SimJob>()
  readonly violations: Violation[] = []
  /** Breaches of an invariant a known core bug breaks: recorded (first per kind), not fatal. */
  readonly notices: Violation[] = []
  now = 0
  private readonly q = new EventQueue()
  /** Deaths waiting for their victim to hold work (see scheduleDeaths). */
  private armed: Array<{ victim: SimNode, lentOn: boolean, home: boolean, until: number, die: () => void }> = []
  private readonly rng: Rng
  private readonly hash: Hash
  private readonly trace: string[] = []
  private events = 0
  private nextCall = 0
  private allDoneAt = Infinity
  private readonly counters: Record<string, number> = {}
  /** Workflows: their own PRNG, so the draws of a seed's faults stay where they were. */
  private readonly wfRng: Rng
  /** One-task jobs (SimOptions.oneTaskShare): their own PRNG, likewise. */
  private readonly oneRng: Rng
  /** Jobs the seed drew (params.jobs before the one-task mode adds its own). */
  private readonly drawnJobs: number
  /** Workflow approvals decided (the registry's records, as committed). */
  readonly approvals = new Map<string, ApprovalDecision>()
  /** Submissions scheduled and not made yet (retries): the run is not settled before them. */
  private pendingSubmits = 0
  /** Approval ids asked for (the registry deduplicates asks). */
  private readonly approvalAsked = new Set<string>()
  readonly stats = { crashes: 0, partitions: 0, dropped: 0, duplicated: 0, timeouts: 0, refused: 0, cancelled: 0, retries: 0, deaths: 0, homeDeaths: 0, moved: 0, adopted: 0, excused: 0, unrecoverable: 0, forgotten: 0, escalated: 0, circuitsOpened: 0, workflows: 0, stepTasks: 0, approvals: 0, workflowRetries: 0, workflowsFinished: 0, workflowsFailed: 0, workflowsRehomed: 0, retriesFinished: 0 }

  constructor (params: SimParams, private readonly opts: SimOptions = {}) {
    // Home deaths: a node dies in every seed, and jobs have copies so their homes can.
    this.params = opts.homeDeaths === true ? { ...params, deaths: Math.max(1, params.deaths), replicas: Math.max(2, params.replicas) } : params
    // One-task jobs are over fast: more of them, so crashes find some queued or running. The
    // extra ones are all one-task jobs (see run), so the trees' work stays what the seed drew:
    // a lone survivor with one slot still finishes it within the liveness window.
    this.drawnJobs = this.params.jobs
    if (opts.oneTaskShare != null) this.params = { ...this.params, jobs: this.params.jobs * 4 }
    this.rng = mulberry32(hashSeed(params.seed, 0xface))
    this.wfRng = mulberry32(hashSeed(params.seed, 0xf10f))
    this.oneRng = mulberry32(hashSeed(params.seed, 0x1a5c))
    this.hash = createHash('sha256')
    this.nodes = params.slots.map((s, i) => new SimNode(`N${i}`, s))
    for (const n of this.nodes) {
      this.byId.set(n.id, n)
      // As src/node/services/work.ts wires them: the moves of an entry, then the entry.
      n.control.onJobsMoved = moves => { if (n.live) n.core.jobsMoved(moves, this.now) }
      n.control.onApplied = (cmd, index) => {
        if (!n.live) return
        if (cmd.op === 'job.cancel') n.core.cancel(cmd.jobId, this.now)
        else if (cmd.op === 'node.dead' && n.control.dead.get(cmd.peerId)?.index === index) {
          if (cmd.peerId === n.id) n.core.declaredDead(this.now)
          else n.core.peerDead(cmd.peerId, this.now)
        }
      }
    }
    this.control.onJobsMoved = moves => { for (const m of moves) this.onMoved(m) }
  }

  /**
   * After the run: retention forgets every finished job (src/consensus/retention.ts with no
   * age to keep, in small batches, as the leader's sweep commits them) and every node that is
   * up applies the jobs.delete entries and tells its core (forget()). Running jobs must stay,
   * every finished one must go, and every node's copy of the control state must encode to the
   * same bytes as the log's (what a snapshot carries). Outside the trace hash: seeds replay
   * as before.
   */
  private retentionEpilogue (): void {
    const running = [...this.control.jobs].filter(([, e]) => (e as JobEntry).state === 'running').map(([id]) => id).sort()
    const policy = { maxAgeMs: 0, maxJobs: Infinity, resultsMaxAgeMs: Infinity }
    for (let round = 0; round < 10_000; round++) {
      const d = decideRetention(this.control.jobs, policy, this.now, 7)
      if (d.delete.length === 0) break
      this.commit({ op: 'jobs.delete', jobIds: d.delete })
    }
    for (const n of this.nodes) {
      if (!n.up || n.dead || n.deaf) continue
      const before = n.control.onApplied
      n.control.onApplied = (cmd, index) => {
        if (cmd.op === 'jobs.delete') n.core.forget(cmd.jobIds, this.now)
        else before?.(cmd, index)
      }
      this.applyLog(n, true)
      n.control.onApplied = before
      const mine = Buffer.from(n.control.snapshot())
      if (!mine.equals(Buffer.from(this.control.snapshot()))) this.violation('retention', `${n.id}'s control state differs from the log's after jobs.delete (${mine.byteLength} vs ${this.control.snapshot().byteLength} bytes)`)
    }
    const left = [...this.control.jobs.keys()].sort()
    if (left.join() !== running.join()) this.violation('retention', `after forgetting every finished job the registry holds ${left.length} jobs, not the ${running.length} running ones`)
    this.stats.forgotten = this.control.retention.deleted
  }

  /** The job registry as committed (the truth the checkers judge by). */
  get registry (): ReadonlyMap<string, JobEntry> {
    return this.control.jobs as ReadonlyMap<string, JobEntry>
  }

  /** Commits a control command (applied to the log's state now; nodes apply it later). */
  private commit (cmd: ControlCommand): void {
    const data = encodeCommand(cmd)
    this.log.push(data)
    const res = this.control.apply(this.log.length, data)
    if (!res.ok && res.code === 'BAD_COMMAND') throw new Error(`the simulator committed a bad command: ${res.message}`)
  }

  /** Every node that is up and hears the log applies what was committed so far, after its own lag. */
  private spreadLog (delays: (n: SimNode, i: number) => number, except?: SimNode): void {
    const upTo = this.log.length
    this.nodes.forEach((n, i) => {
      if (n === except || !n.up || n.deaf) return
      this.at(this.now + delays(n, i), `apply ${n.id} @${upTo}`, () => { if (n.up && !n.deaf && n.applied < upTo) this.applyLog(n, true) })
    })
  }

  /** `n` applies every committed entry it has not (live: its core is told, as work.ts does). */
  private applyLog (n: SimNode, live: boolean): void {
    n.live = live
    try {
      while (n.applied < this.log.length) {
        const index = ++n.applied
        n.control.apply(index, this.log[index - 1]!)
      }
    } finally {
      n.live = false
    }
    if (live) this.drive(n)
  }

  /** The log moved a job to a new home (committed; nodes learn it when they apply it). */
  private onMoved (m: JobMove): void {
    this.stats.moved++
    const job = this.jobs.get(m.jobId)
    if (job == null) return
    job.epoch = m.epoch
    job.home = m.to
    job.homes[m.epoch] = m.to
    job.ids = idsOf(job, m.epoch)
    if (job.finished != null) {
      job.earlier.push({ node: job.homes[m.epoch - 1] ?? '?', rec: job.finished })
      job.finished = undefined
      job.finishedAt = undefined
    }
  }

  get faulty (): boolean {
    return this.now < this.params.faultsUntil
  }

  // ----- running ----------------------------------------------------------------------------

  run (): SimResult {
    const p = this.params
    // The mesh ran before the simulation starts: every node has heard every other (a submit
    // at t=1 finds peers to hold its replicas).
    for (const n of this.nodes) for (const m of this.nodes) if (m !== n) n.view.set(m.id, { info: { peerId: m.id, queued: 0, capabilities: CAPABILITIES }, until: PEER_EXPIRY_MS })
    for (const n of this.nodes) this.boot(n, undefined)
    for (const n of this.nodes) this.at(this.rng() * HEARTBEAT_MS, `hb ${n.id}`, () => { this.heartbeat(n) })
    const submitted: Array<{ node: SimNode, t: number }> = []
    for (let j = 0; j < p.jobs; j++) {
      const t = j === 0 ? 1 : this.rng() * p.faultsUntil * 0.8
      const node = this.nodes[Math.floor(this.rng() * this.nodes.length)]!
      submitted.push({ node, t })
      let roots = 1 + Math.floor(this.rng() * 4)
      const shape: TreeShape = { s: Math.floor(this.rng() * 0x7fffffff), maxDepth: p.maxDepth, maxFanout: p.maxFanout }
      if (this.opts.oneTaskShare != null && (j >= this.drawnJobs || this.oneRng() < this.opts.oneTaskShare)) {
        // One root: the extra jobs and half of the others with no children (their outcome goes
        // inside the final record), the rest with a tree (children's outcomes may reach home
        // before the root's).
        roots = 1
        if (j >= this.drawnJobs || this.oneRng() < 0.5) shape.maxDepth = 0
      }
      if (this.opts.workflows === true && this.wfRng() < 0.75) {
        // A workflow: step tasks spawn small subtrees of their own (some stealing under the DAG).
        const wfShape: TreeShape = { s: shape.s, maxDepth: this.wfRng() < 0.3 ? 3 : 2, maxFanout: 3 }
        const spec: WorkflowSpec = { def: randomWorkflow(this.wfRng, shape.s), inputs: {} }
        this.at(t, `submit ${node.id} workflow steps=${Object.keys(spec.def.steps).length} s=${shape.s}`, () => { this.submitWorkflow(node, spec, wfShape) })
        continue
      }
      this.at(t, `submit ${node.id} roots=${roots} s=${shape.s}`, () => { this.submit(node, roots, shape) })
    }
    for (let c = 0; c < p.crashes; c++) {
      const t = this.rng() * p.faultsUntil * 0.9
      const node = this.nodes[Math.floor(this.rng() * this.nodes.length)]!
      const down = 5 + this.rng() * 400
      // Some crashes are followed by a cancel of one of the crashed node's jobs: the home
      // misses it while down, which is how a restarted home learns of cancels late.
      const cancelAfter = this.rng() < 0.3 ? 1 + this.rng() * 50 : undefined
      const pick = this.rng()
      // A third of the crashes are torn: they strike while the node's next flush is in flight,
      // so what that flush carries (and whatever waited to be sent after it) is lost. A fifth
      // are graceful stops (stop(), the last flush, then exit), the rest strike at once.
      const r = this.rng()
      const how = r < 0.35 ? 'torn' : r < 0.55 ? 'graceful' : 'crash'
      const crashNow = (): void => {
        if (!node.up) return
        this.crash(node)
        if (cancelAfter != null) this.at(this.now + cancelAfter, `cancel homed at ${node.id}`, () => { this.cancelOne(pick, node.id) })
        this.at(Math.min(this.now + down, p.faultsUntil), `restart ${node.id}`, () => { this.boot(node, node.load(this.opts.ignoreTasksInRecords === true)) })
      }
      this.at(t, `${how === 'torn' ? 'torn-crash armed' : how === 'graceful' ? 'stop' : 'crash'} ${node.id}`, () => {
        if (!node.up || node.stopping != null || node.dead) return
        if (how === 'crash') crashNow()
        else if (how === 'torn') node.tornCrash = crashNow
        else this.stopNode(node, crashNow)
      })
    }
    for (let c = 0; c < p.partitions; c++) {
      const t = this.rng() * p.faultsUntil * 0.9
      const groups = this.nodes.map(() => this.rng() < 0.5 ? 1 : 0)
      const len = 20 + this.rng() * 600
      this.at(t, `partition ${groups.join('')}`, () => {
        this.stats.partitions++
        this.nodes.forEach((n, i) => { n.group = groups[i]! })
        this.at(Math.min(this.now + len, p.faultsUntil), 'heal', () => { for (const n of this.nodes) n.group = 0 })
      })
    }
    for (let c = 0; c < p.cancels; c++) {
      const t = 5 + this.rng() * p.faultsUntil
      const pick = this.rng()
      this.at(t, 'cancel', () => { this.cancelOne(pick) })
    }
    this.scheduleDeaths(submitted)

    const end = p.faultsUntil + LIVENESS_MS
    const maxEvents = this.opts.maxEvents ?? 400_000
    for (;;) {
      const ev = this.q.pop()
      if (ev == null) break
      if (ev.t > end) break
      if (this.allDoneAt + QUIET_MS < ev.t) break
      if (++this.events > maxEvents) {
        this.violations.push({ kind: 'runaway', detail: `more than ${maxEvents} events by t=${this.now}` })
        break
      }
      this.now = ev.t
      const line = `${ev.t.toFixed(3)} ${ev.label}`
      this.hash.update(line + '\n')
      if (this.opts.keepTrace === true) this.trace.push(line)
      else {
        this.trace.push(line)
        if (this.trace.length > 400) this.trace.splice(0, 200)
      }
      try {
        ev.fn()
      } catch (err) {
        this.violation('core threw', `${ev.label}: ${err instanceof Error ? err.stack ?? err.message : String(err)}`)
        break
      }
      if (this.armed.length > 0) this.strikeArmed()
      checkStep(this)
      if (this.violations.length > 0) break
      if (this.allDoneAt === Infinity && this.now >= p.faultsUntil && this.settled()) this.allDoneAt = this.now
    }
    if (this.violations.length === 0) checkEnd(this, this.allDoneAt !== Infinity)
    if (this.violations.length === 0) this.retentionEpilogue()
    for (const j of this.jobs.values()) {
      const why = j.acked && j.finished == null ? excused(this, j) : undefined
      if (why == null) continue
      this.stats.excused++
      if (why.includes('no replica holder')) this.stats.unrecoverable++
    }
    for (const n of this.nodes) if (n.up) this.count(n)
    return {
      seed: p.seed,
      params: p,
      hash: this.hash.digest('hex'),
      events: this.events,
      virtualMs: this.now,
      violations: this.violations,
      notices: this.notices,
      trace: this.trace,
      jobs: [...this.jobs.values()],
      stats: this.stats,
      counters: this.counters as unknown as WorkCounters
    }
  }

  private count (n: SimNode): void {
    for (const [k, v] of Object.entries(n.core.counters)) this.counters[k] = (this.counters[k] ?? 0) + v
  }

  /** Every acknowledged job finished, and no submission is still unanswered. */
  private settled (): boolean {
    if (this.pendingSubmits > 0) return false
    for (const j of this.jobs.values()) if (j.acked && j.finished == null && excused(this, j) == null) return false
    for (const n of this.nodes) if (n.up && n.tickets.size > 0) return false
    return true
  }

  notice (kind: string, detail: string): void {
    if (!this.notices.some(n => n.kind === kind)) this.notices.push({ kind, detail: `t=${this.now.toFixed(3)}: ${detail}` })
  }

  violation (kind: string, detail: string): void {
    this.violations.push({ kind, detail: `t=${this.now.toFixed(3)}: ${detail}` })
  }

  private at (t: number, label: string, fn: () => void): void {
    this.q.push(Math.max(t, this.now), label, fn)
  }

  /** An event for a node's current life only: dropped if it crashed meanwhile. */
  private forNode (n: SimNode, t: number, label: string, fn: () => void): void {
    const inc = n.inc
    this.at(t, label, () => { if (n.up && n.inc === inc) fn() })
  }

  private delay (): number {
    return this.rng() * this.params.maxDelayMs
  }

  private connected (a: SimNode, b: SimNode): boolean {
    return a.group === b.group && !a.cut && !b.cut
  }

  // ----- deaths -----------------------------------------------------------------------------

  /**
   * Nodes that die for good, drawn from a PRNG of their own (so the rest of a seed's run is
   * what it was without deaths), mostly soon after a job was submitted. When jobs have copies
   * (replicas >= 2) most deaths strike a job's home, whose running jobs the control log then
   * moves to a replica holder (a new home generation that runs them again from their roots);
   * with no copies a home is spared (its jobs would die with it). Half are killed outright;
   * the other half are zombies: cut off from everyone, declared dead, then reconnected for a
   * while (a pause or a partition that ends), so their late results, signals, re-sent batches,
   * steals — and, for a home, its own run of the old generation — reach the others, and only
   * then killed. Half the zombies catch up with the log while reconnected (they apply the
   * moves and their own death: declaredDead), the others never learn of it. The control log
   * commits each death 50–500 ms after it strikes; every live node applies it (jobsMoved,
   * then peerDead) after its own delay, and a node down at that moment finds it on restart.
   */
  private scheduleDeaths (submitted: ReadonlyArray<{ node: SimNode, t: number }>): void {
    const p = this.params
    if (p.deaths === 0) return
    const rng = mulberry32(hashSeed(p.seed, 0xdead))
    const homes = new Set(submitted.map(s => s.node))
    const candidates = this.nodes.filter(n => p.replicas >= 2 || !homes.has(n))
    for (let d = 0; d < p.deaths && candidates.length > 0; d++) {
      const homeCandidates = candidates.filter(n => homes.has(n))
      const home = homeCandidates.length > 0 && (this.opts.homeDeaths === true || rng() < 0.6)
      const pool = home ? homeCandidates : candidates
      const victim = pool[Math.floor(rng() * pool.length)]!
      candidates.splice(candidates.indexOf(victim), 1)
      const near = home ? submitted.filter(s => s.node === victim) : submitted
      // Mostly while a job is young (its tree is spreading), sometimes at any moment.
      const t = rng() < 0.8 ? near[Math.floor(rng() * near.length)]!.t + rng() * 150 : rng() * p.faultsUntil * 0.9
      const zombie = rng() < 0.5
      const commitAfter = 50 + rng() * 450
      const applyDelays = this.nodes.map(() => rng() * 60)
      const releaseAfter = rng() * 200
      const zombieMs = 20 + rng() * 800
      const learnAfter = rng() < 0.5 ? rng() * zombieMs : Infinity
      // Armed at t, it strikes as soon as the victim holds work for others, or (a home) runs a
      // job of its own — checked after every event, for at most 1.5 s: a node that holds
      // nothing dies without anyone noticing. Some wait until it has lent such work on, so
      // its thieves must give it up.
      const lender = rng() < 0.5
      this.at(t, `death armed ${victim.id}${home ? ' (a home)' : ''}`, () => { this.armed.push({ victim, lentOn: lender, home, until: this.now + 1500, die }) })
      const die = (): void => this.at(this.now, `${zombie ? 'cut (to be declared dead)' : 'kill for good'} ${victim.id}`, () => {
        this.stats.deaths++
        if (homes.has(victim)) this.stats.homeDeaths++
        victim.dead = true
        victim.deaf = true
        if (zombie && victim.up) victim.cut = true
        else if (victim.up) this.crash(victim)
        this.at(this.now + commitAfter, `dead-commit ${victim.id}`, () => {
          this.commit({ op: 'node.dead', peerId: victim.id, incarnation: 1, reason: 'simulated death' })
          this.spreadLog((_, i) => applyDelays[i]!, victim)
          if (!zombie) return
          this.at(this.now + releaseAfter, `zombie ${victim.id} reconnects`, () => {
            victim.cut = false
            if (learnAfter < zombieMs) {
              this.at(this.now + learnAfter, `zombie ${victim.id} applies the log`, () => {
                victim.deaf = false
                if (victim.up) this.applyLog(victim, true)
              })
            }
            this.at(this.now + zombieMs, `zombie ${victim.id} killed`, () => {
              victim.deaf = true
              if (victim.up) this.crash(victim)
            })
          })
        })
      })
    }
  }

  private strikeArmed (): void {
    const keep: typeof this.armed = []
    for (const a of this.armed) {
      if (a.victim.up && this.now < a.until && !this.holdsWork(a.victim, a.lentOn, a.home)) keep.push(a)
      else a.die()
    }
    this.armed = keep
  }

  /**
   * Whether `n` holds tasks of jobs homed elsewhere (queued, running or lent on; lent on
   * only), or, `home`, runs a job of its own (that has lent work on).
   */
  private holdsWork (n: SimNode, lentOn: boolean, home: boolean): boolean {
    const h = n.core.holdings()
    if (home) {
      if (!h.activeJobs().some(r => r.state === 'running')) return false
      if (!lentOn) return true
      for (const st of h.tasks.values()) if (st.task.home === n.id && st.state === 'delegated') return true
      return false
    }
    for (const st of h.tasks.values()) if (st.task.home !== n.id && (!lentOn || st.state === 'delegated')) return true
    return false
  }

  // ----- node lifecycle ---------------------------------------------------------------------

  private boot (n: SimNode, loaded: LoadedWork | undefined): void {
    // A dead node never comes back (rejoining with a new incarnation is not simulated).
    if (n.dead) return
    if (loaded != null) n.inc++
    n.up = true
    // The restarted node replays its log before the work core restores (what it applies
    // now, its core finds through the registry: sweepDeaths, sweepMoves, cancels).
    this.applyLog(n, false)
    const control = n.control
    // No restart cap: simulated tasks never fail for good (the last attempt succeeds), and a
    // capped task would (the cap has unit tests: test/unit/work/ladder.test.ts).
    n.core = makeCore({ self: n.id, incarnation: n.inc, concurrency: n.slots, capabilities: CAPABILITIES, replicas: this.params.replicas, supervision: { restartsPerTypePerHour: 0 }, rng: mulberry32(hashSeed(this.params.seed, n.inc * 7919 + Number(n.id.slice(1)))) }, loaded, { entry: id => control.jobs.get(id) as JobEntry | undefined, isDead: peer => control.dead.has(peer), approval: id => n.approvals.get(id) }, this.now)
    this.refreshPeers(n)
    this.drive(n)
  }

  private crash (n: SimNode): void {
    this.stats.crashes++
    this.count(n)
    n.up = false
    n.inc++ // every event of the old life is now stale
    n.staged = []
    n.inflight = []
    n.adopting.clear()
    n.held = []
    n.lastSeq = 0
    n.flushing = false
    n.armedAt = Infinity
    n.runs.clear()
    n.calls.clear()
    n.inbound.clear()
    n.view.clear()
    n.tickets.clear()
    n.group = 0
    n.tornCrash = undefined
    n.stopping = undefined
  }

  /** The shell's stop(): the core stops (running attempts are aborted), one last flush, exit. */
  private stopNode (n: SimNode, exit: () => void): void {
    n.stopping = exit
    n.core.stop(this.now)
    this.drive(n)
    if (!n.flushing) exit()
  }

  // ----- the shell: drive, commit, timer ----------------------------------------------------

  drive (n: SimNode): void {
    const core = n.core
    while (core.hasReady()) {
      const rd = core.ready()
      for (const w of rd.writes) {
        // A job record with its root task or its outcome inside is stored as WorkStore stores
        // it: one value (StoredJob); the checkers find outcomes there too (outcomeOnDisk).
        const outcome = this.opts.dropOutcomesInRecords === true ? undefined : w.outcome
        const value = w.task != null || outcome != null ? { ...(w.value as JobRecord), ...(w.task != null ? { rootTask: w.task } : {}), ...(outcome != null ? { rootOutcome: outcome } : {}) } : w.value
        n.staged.push({ key: `${w.bucket}\u0000${w.key}`, text: w.type === 'put' ? JSON.stringify(value) : undefined, bucket: w.bucket, taskKey: w.key })
      }
      n.lastSeq = rd.seq
      for (const e of rd.notices) {
        if (e.type === 'task.escalated' && e.data.step === 'other-node') this.stats.escalated++
        else if (e.type === 'circuit.opened') this.stats.circuitsOpened++
      }
      for (const job of rd.finished) this.onFinished(n, job)
      for (const a of rd.adopt) this.readReplica(n, a.jobId, a.set)
      for (const a of rd.abort) this.abortRun(n, a.taskId)
      let refused = false
      for (const s of rd.submitted) {
        if (s.error != null) refused = true
        else this.answerSubmit(n, s.id, s.jobs ?? [], undefined)
      }
      if (this.opts.sendBeforePersist === true) {
        // The wrong shell: messages and replies leave now, registrations still wait.
        for (const m of rd.messages) this.call(n, m.to, m.id, m.msg)
        for (const r of rd.replies) this.reply(n, r.id, r.reply)
        if (rd.register.length > 0 || rd.approvals.length > 0 || refused) n.held.push({ ...rd, messages: [], replies: [] })
      } else if (rd.messages.length > 0 || rd.replies.length > 0 || rd.register.length > 0 || rd.approvals.length > 0 || refused) n.held.push(rd)
      for (const t of rd.start) this.startTask(n, t)
    }
    this.requestCommit(n)
    this.arm(n)
  }

  private requestCommit (n: SimNode): void {
    if (n.flushing || (n.staged.length === 0 && n.held.length === 0)) return
    n.flushing = true
    const batch = n.staged
    const held = n.held
    const upTo = n.lastSeq
    n.staged = []
    n.held = []
    n.inflight = batch
    const persistMs = this.rng() * this.params.maxPersistMs
    const torn = n.tornCrash
    if (torn != null) {
      n.tornCrash = undefined
    n.stopping = undefined
      this.forNode(n, this.now + persistMs * this.rng() * 0.99, `crash ${n.id} (torn: a flush of ${batch.length} writes in flight)`, torn)
    }
    this.forNode(n, this.now + persistMs, `persist ${n.id} writes=${batch.length} held=${held.length} upTo=${upTo}`, () => {
      n.flushing = false
      n.inflight = []
      checkFlush(this, n, batch)
      for (const w of batch) {
        if (w.text === undefined) n.disk.delete(w.key)
        else n.disk.set(w.key, w.text)
      }
      n.core.advance(upTo)
      for (const rd of held) this.send(n, rd)
      this.drive(n)
      // Stopping: that was the shell's last commit (its drive still reports finished jobs;
      // what it staged is never flushed, the shell is closed): the process exits.
      if (n.stopping != null) n.stopping()
    })
  }

  /** ready().adopt: the shell reads the job's replica (after a flush) and hands it to the core. */
  private readReplica (n: SimNode, jobId: string, set: string | undefined): void {
    n.adopting.add(jobId)
    this.forNode(n, this.now + this.rng() * ADOPT_READ_MS, `adopt ${n.id} ${jobId}`, () => {
      n.adopting.delete(jobId)
      const text = n.read(set == null ? `replicas\u0000${jobId}` : `replicaSets\u0000${set}`)
      const parsed = text == null ? undefined : JSON.parse(text)
      const replica: JobReplica | undefined = set == null ? parsed : readReplicaSet(parsed, jobId)
      const before = n.core.holdings().activeJobs().some(r => r.id === jobId)
      n.core.adopt(jobId, replica, this.now)
      if (!before && n.core.holdings().activeJobs().some(r => r.id === jobId)) this.stats.adopted++
      this.drive(n)
    })
  }

  private arm (n: SimNode): void {
    const d = n.core.nextDeadline()
    if (d >= n.armedAt) return
    if (d === Infinity) return
    n.armedAt = d
    const gen = ++n.timerGen
    this.forNode(n, Math.max(d, this.now), `tick ${n.id}`, () => {
      if (n.timerGen !== gen) return
      n.armedAt = Infinity
      this.refreshPeers(n)
      n.core.tick(this.now)
      this.drive(n)
    })
  }

  private send (n: SimNode, rd: Ready): void {
    for (const m of rd.messages) {
      // The shell sends nothing once stopping: the call fails at once.
      if (n.stopping != null) n.core.response(m.id, new Error('node is stopping'), this.now)
      else this.call(n, m.to, m.id, m.msg)
    }
    for (const r of rd.replies) this.reply(n, r.id, r.reply)
    for (const reg of rd.register) this.register(n, reg.id, reg.entries)
    for (const s of rd.submitted) if (s.error != null) this.answerSubmit(n, s.id, undefined, s.error)
    for (const a of rd.approvals) this.askApproval(n, a)
  }

  // ----- submissions, the registry, cancels -------------------------------------------------

  private submit (n: SimNode, roots: number, shape: TreeShape): void {
    if (!n.up) return
    const tasks = Array.from({ length: roots }, () => ({ type: TASK_TYPE, payload: { s: shape.s } }))
    const ticket = n.core.submit([{ tasks }], this.now)
    const ids: string[] = []
    for (const job of ticket.jobs) {
      ids.push(job.id)
      if (this.jobs.has(job.id)) this.violation('duplicate job id', `${job.id} minted twice`)
      const tree = new Set(treeIds(job.id, roots, shape))
      this.jobs.set(job.id, { id: job.id, home: n.id, epoch: 0, homes: [n.id], roots, shape, ids: tree, idsByGen: new Map([[0, tree]]), acked: false, refused: false, cancelRequested: false, earlier: [] })
    }
    n.tickets.set(ticket.id, ids)
    this.drive(n)
  }

  /** A workflow submission, as `meshnode workflow run` (or, with `retry`, `workflow retry`) makes it. */
  private submitWorkflow (n: SimNode, spec: WorkflowSpec, shape: TreeShape, retry?: RetryOf): void {
    if (!n.up || n.stopping != null) return
    const input = parseJobInput({ workflow: spec.def, inputs: spec.inputs, ...(spec.reuse != null ? { reuse: spec.reuse } : {}), ...(spec.retryOf != null ? { retryOf: spec.retryOf } : {}) })
    const ticket = n.core.submit([input], this.now)
    const ids: string[] = []
    for (const job of ticket.jobs) {
      ids.push(job.id)
      if (this.jobs.has(job.id)) this.violation('duplicate job id', `${job.id} minted twice`)
      this.stats.workflows++
      const sim: SimJob = { id: job.id, home: n.id, epoch: 0, homes: [n.id], roots: 1, shape, ids: new Set(), idsByGen: new Map(), acked: false, refused: false, cancelRequested: false, earlier: [], wf: { spec, truth: expectWorkflow(job.id, spec), ...(retry != null ? { retry } : {}) } }
      sim.ids = idsOf(sim, 0)
      this.jobs.set(job.id, sim)
    }
    n.tickets.set(ticket.id, ids)
    this.drive(n)
  }

  /**
   * A workflow failed: retry it as `meshnode workflow retry` does, from its driver's result
   * (WorkflowRun.retryPlan: what failed and what follows it, or from a step that succeeded),
   * submitted to a live node a moment later.
   */
  private retryWorkflow (job: SimJob, result: WorkflowResult): void {
    const wf = job.wf!
    wf.retried = true
    const ok = Object.entries(result.steps).filter(([, r]) => r.outcome === 'success').map(([name]) => name)
    const from = ok.length > 0 && this.wfRng() < 0.5 ? ok[Math.floor(this.wfRng() * ok.length)] : undefined
    const plan = WorkflowRun.retryPlan(wf.spec.def, result.steps, from)
    const spec: WorkflowSpec = { def: wf.spec.def, inputs: wf.spec.inputs, reuse: plan.reuse, retryOf: job.id }
    const retry: RetryOf = { jobId: job.id, previous: result.steps, ...(from != null ? { from } : {}), rerun: plan.rerun }
    this.pendingSubmits++
    this.stats.workflowRetries++
    this.at(this.now + this.wfRng() * 50, `retry workflow ${job.id}${from != null ? ` from ${from}` : ''} rerun=${plan.rerun.join(',')}`, () => {
      this.pendingSubmits--
      const live = this.nodes.filter(m => m.up && !m.dead && m.stopping == null)
      if (live.length === 0) return
      this.submitWorkflow(live[Math.floor(this.wfRng() * live.length)]!, spec, job.shape, retry)
    })
  }

  /**
   * A home asks for an approval (after its flush, as the shell proposes it). The sim stands in
   * for the registry's approval records and for the person: the first ask of an id is decided
   * (./workflow-dag.ts approves) a seeded while later, committed, and applied by every node
   * that hears the log after its own lag, which tells its core (approvalDecided) — a node
   * down then finds the decision in its registry when it restarts. A zombie's ask commits nothing.
   */
  private askApproval (n: SimNode, req: ApprovalRequest): void {
    if (n.deaf || this.approvalAsked.has(req.id)) return
    this.approvalAsked.add(req.id)
    this.stats.approvals++
    const d: ApprovalDecision = { id: req.id, jobId: req.jobId, step: req.step, state: approves(req.jobId, req.step) ? 'approved' : 'rejected', by: APPROVER }
    this.at(this.now + 1 + this.wfRng() * 300, `approval ${req.id} ${d.state}`, () => {
      this.approvals.set(req.id, d)
      for (const m of this.nodes) {
        if (m.deaf) continue
        this.at(this.now + this.wfRng() * APPLY_LAG_MS, `apply approval ${m.id} ${req.id}`, () => {
          if (m.deaf || m.approvals.has(req.id)) return
          m.approvals.set(req.id, d)
          if (!m.up) return
          m.core.approvalDecided(d, this.now)
          this.drive(m)
        })
      }
    })
  }

  private answerSubmit (n: SimNode, id: number, jobs: JobRecord[] | undefined, error: Error | undefined): void {
    const ids = n.tickets.get(id)
    if (ids == null) return
    n.tickets.delete(id)
    for (const jobId of ids) {
      const job = this.jobs.get(jobId)!
      if (error != null) {
        job.refused = true
        this.stats.refused++
        if (job.acked) this.violation('acked then refused', jobId)
      } else {
        if (job.acked) this.violation('duplicate acknowledged job id', jobId)
        job.acked = true
        if (!(jobs ?? []).some(j => j.id === jobId)) this.violation('answer without the job', jobId)
      }
    }
  }

  private register (n: SimNode, id: number, entries: Array<[string, JobEntry]>): void {
    const fail = this.faulty && this.rng() < this.params.registerFail
    // Some failures are ambiguous, as a proposal that timed out can still commit: applied,
    // yet reported failed.
    const applied = !fail || this.rng() < 0.3
    // The entry as the log carries it (its clock in whole ms).
    const copy = entries.map(([k, e]) => [k, { ...e, createdAt: Math.floor(e.createdAt) }] as [string, JobEntry])
    const inc = n.inc
    this.at(this.now + 1 + this.rng() * 20, `register ${n.id} #${id} ${fail ? (applied ? 'FAIL (applied)' : 'FAIL') : 'ok'} ${copy.map(([k, e]) => `${k}:${e.state}${e.epoch != null ? `@${e.epoch}` : ''}`).join(',')}`, () => {
      // A node that does not hear the log (a zombie) cannot get anything committed either.
      const deaf = n.deaf
      if (applied && !deaf) {
        this.commit({ op: 'jobs.put', jobs: copy })
        this.spreadLog(() => this.rng() * APPLY_LAG_MS, n)
      }
      if (!n.up || n.inc !== inc) return
      // The proposer learns the outcome when it applies the entry itself.
      if (applied && !deaf) this.applyLog(n, true)
      n.core.registered(id, fail || deaf ? new Error('simulated: no quorum') : undefined, this.now)
      this.drive(n)
    })
  }

  private cancelOne (pick: number, home?: string): void {
    const running = [...this.jobs.values()].filter(j => this.registry.get(j.id)?.state === 'running' && (home == null || j.home === home))
    if (running.length === 0) return
    const job = running[Math.floor(pick * running.length)]!
    job.cancelRequested = true
    this.stats.cancelled++
    this.commit({ op: 'job.cancel', jobId: job.id })
    this.spreadLog(() => this.rng() * 10)
  }

  private onFinished (n: SimNode, rec: JobRecord): void {
    const job = this.jobs.get(rec.id)
    if (job == null) {
      this.violation('unknown job finished', `${rec.id} at ${n.id}`)
      return
    }
    const epoch = rec.epoch ?? 0
    if (epoch > job.epoch) {
      this.violation('never early', `${rec.id} finished at ${n.id} in generation ${epoch}, the log is at ${job.epoch}`)
      return
    }
    checkFinished(this, n, job, rec)
    if (epoch < job.epoch) {
      // A home declared dead finished its own run of the job (a zombie): that generation was
      // complete, but the job lives on at its new home.
      job.earlier.push({ node: n.id, rec })
      return
    }
    if (job.finished != null) {
      this.violation('job finished twice', `${rec.id} (${job.finished.state} then ${rec.state}) in generation ${epoch}`)
      return
    }
    job.finished = rec
    job.finishedAt = this.now
    const wf = job.wf
    if (wf != null && rec.state !== 'cancelled') {
      wf.result = workflowResultAt(n, job.id, epoch)
      this.stats.workflowsFinished++
      if (rec.state === 'failed') this.stats.workflowsFailed++
      if (epoch > 0) this.stats.workflowsRehomed++
      if (wf.retry != null) this.stats.retriesFinished++
    }
    if (wf?.result != null && rec.state === 'failed' && wf.retry == null && wf.retried !== true && !job.cancelRequested && this.wfRng() < 0.7) this.retryWorkflow(job, wf.result)
  }

  // ----- heartbeats -------------------------------------------------------------------------

  private heartbeat (n: SimNode): void {
    this.at(this.now + HEARTBEAT_MS * (0.8 + this.rng() * 0.4), `hb ${n.id}`, () => { this.heartbeat(n) })
    if (!n.up) return
    // What a real node advertises: its capabilities without handlers whose circuit is open
    // (two nodes with the same circuit open would otherwise hand a task back and forth).
    const info: PeerInfo = { peerId: n.id, queued: n.core.stealable, capabilities: [...n.core.capabilities] }
    for (const m of this.nodes) {
      if (m === n || !m.up || !this.connected(n, m)) continue
      if (this.faulty && this.rng() < this.params.dropRequest) continue
      this.forNode(m, this.now + this.delay(), `hb-in ${m.id}<${n.id} q=${info.queued}`, () => {
        if (!this.connected(n, m)) return
        m.view.set(n.id, { info, until: this.now + PEER_EXPIRY_MS })
        this.refreshPeers(m)
        m.core.peerAdvertised(n.id, this.now)
        this.drive(m)
      })
    }
  }

  private refreshPeers (n: SimNode): void {
    const view: PeerInfo[] = []
    for (const [id, v] of n.view) {
      if (v.until < this.now) n.view.delete(id)
      else view.push(v.info)
    }
    n.core.peers(view, this.now)
  }

  // ----- the network ------------------------------------------------------------------------

  private call (n: SimNode, to: string, id: number, msg: WorkMsg): void {
    const dest = this.byId.get(to)!
    const callKey = ++this.nextCall
    n.calls.set(callKey, { id })
    const what = describe(msg)
    this.forNode(n, this.now + CALL_TIMEOUT_MS, `deadline ${n.id}->${to} #${id}`, () => {
      if (!n.calls.delete(callKey)) return
      this.stats.timeouts++
      n.core.response(id, new Error(`simulated: no answer from ${to} within ${CALL_TIMEOUT_MS} ms`), this.now)
      this.drive(n)
    })
    if (!this.connected(n, dest) || (this.faulty && this.rng() < this.params.dropRequest)) {
      this.stats.dropped++
      return
    }
    // Replicas travel as the real codec sends them (sealed, stored unread by the holder); the
    // rest as JSON copies.
    const text = msg.op === 'replicate' ? undefined : JSON.stringify(msg)
    const wire = msg.op === 'replicate' ? WorkRequest.encode(encodeWorkMsg(msg)) : undefined
    const copies = this.faulty && this.rng() < this.params.duplicate ? 2 : 1
    if (copies === 2) this.stats.duplicated++
    const fromInc = n.inc
    for (let c = 0; c < copies; c++) {
      this.forNode(dest, this.now + this.delay(), `req ${n.id}->${to} #${id} ${what}${c > 0 ? ' dup' : ''}`, () => {
        if (!this.connected(n, dest)) return
        const inId = ++dest.inboundSeq
        dest.inbound.set(inId, { from: n.id, fromInc, callKey })
        const m = text != null ? JSON.parse(text) as WorkMsg : decodeWorkMsg(WorkRequest.decode(wire!), n.id)
        // The codec: an outcome's executor is the authenticated sender, whatever it says.
        if (m.op === 'results') for (const o of m.results) o.node = n.id
        dest.core.request(n.id, inId, m, this.now)
        this.drive(dest)
      })
    }
  }

  private reply (n: SimNode, inId: number, reply: WorkReply): void {
    const route = n.inbound.get(inId)
    if (route == null) return
    n.inbound.delete(inId)
    const caller = this.byId.get(route.from)!
    if (!this.connected(n, caller) || (this.faulty && this.rng() < this.params.dropResponse)) {
      this.stats.dropped++
      return
    }
    const text = JSON.stringify(reply)
    const copies = this.faulty && this.rng() < this.params.duplicate ? 2 : 1
    if (copies === 2) this.stats.duplicated++
    for (let c = 0; c < copies; c++) {
      this.at(this.now + this.delay(), `res ${n.id}->${caller.id} ok=${String(reply.ok)}${reply.batches.length > 0 ? ` grant ${reply.batches.map(b => `${b.batchId}[${b.tasks.map(t => t.id.slice(t.jobId.length + 1)).join(' ')}]`).join(',')}` : ''}${c > 0 ? ' dup' : ''}`, () => {
        if (!caller.up || caller.inc !== route.fromInc || !this.connected(n, caller)) return
        // One answer per call: the stream layer matches by id, a late or second copy is dropped.
        const pending = caller.calls.get(route.callKey)
        if (pending == null) return
        caller.calls.delete(route.callKey)
        caller.core.response(pending.id, JSON.parse(text) as WorkReply, this.now)
        this.drive(caller)
      })
    }
  }

  // ----- simulated task attempts ------------------------------------------------------------

  private startTask (n: SimNode, task: Task): void {
    const job = this.jobs.get(task.jobId)
    if (task.type === WORKFLOW_TYPE) this.violation('workflow', `${n.id} started ${task.id}, a workflow's driver, on an executor`)
    const step = job?.wf != null ? stepKeyOf(job.id, task.id) : undefined
    if (step != null) {
      this.stats.stepTasks++
      checkStepStart(this, n, job!, task.id, step)
    }
    const path = task.id.slice(task.jobId.length + 1)
    const shape: TreeShape = job?.shape ?? { s: (JSON.parse(task.payload) as { s: number }).s, maxDepth: this.params.maxDepth, maxFanout: this.params.maxFanout }
    const ms = 0.5 + unit(shape.s, path, task.attempts, 'ms') * this.params.maxTaskMs
    // A step of a workflow's first run marked `fail` fails for good (it has one attempt).
    const fails = (step != null && failsForGood(task.payload, job!.wf!.retry != null)) ||
      (task.attempts + 1 < task.maxAttempts && (n.id === this.opts.brokenNode || unit(shape.s, path, task.attempts, 'fail') < this.params.taskFail))
    const token = (n.runs.get(task.id) ?? 0) + 1
    n.runs.set(task.id, token)
    if (unit(shape.s, path, task.attempts, 'progress') < 0.3) {
      // Some handlers report progress half way (it goes to the home when run elsewhere).
      this.forNode(n, this.now + ms / 2, `progress ${n.id} ${task.id}`, () => {
        if (n.runs.get(task.id) !== token) return
        n.core.taskProgress(task.id, { path, half: true }, this.now)
        this.drive(n)
      })
    }
    this.forNode(n, this.now + ms, `done ${n.id} ${task.id}#${task.attempts} ${fails ? 'FAIL' : 'ok'}`, () => {
      if (n.runs.get(task.id) !== token) return
      n.runs.delete(task.id)
      if (fails) {
        this.stats.retries++
        n.core.taskFinished(task.id, { ok: false, error: 'simulated failure', children: [], durationMs: ms, stoppedByNode: false }, this.now)
      } else {
        const children = childPaths(shape, path).map((_, k) => makeTask(childTaskId(task.id, k), task.jobId, task.home, { type: TASK_TYPE, payload: { s: shape.s } }))
        const result = step != null ? JSON.stringify(stepOutput(task.id, task.payload)) : JSON.stringify(path)
        n.core.taskFinished(task.id, { ok: true, result, children, durationMs: ms, stoppedByNode: false }, this.now)
      }
      this.drive(n)
    })
  }

  /** The shell aborts the attempt: it ends at once as failed ("job cancelled"). */
  private abortRun (n: SimNode, taskId: string): void {
    if (!n.runs.has(taskId)) return
    n.runs.delete(taskId)
    this.forNode(n, this.now, `aborted ${n.id} ${taskId}`, () => {
      n.core.taskFinished(taskId, { ok: false, error: 'job cancelled', children: [], durationMs: 0, stoppedByNode: false }, this.now)
      this.drive(n)
    })
  }
}

function describe (msg: WorkMsg): string {
  switch (msg.op) {
    case 'steal': return `steal want=${msg.want}`
    case 'deliver': return `deliver ${msg.batches.map(b => `${b.batchId}[${b.tasks.length}]`).join(',')}`
    case 'signal': return `signal ${msg.signals.map(s => s.batchId).join(',')}`
    case 'results': return `results ${msg.results.map(r => r.taskId).join(',')}`
    case 'progress': return `progress ${msg.progress.length}`
    default: return msg.op
  }
}

export function runSeed (seed: number, opts: SimOptions = {}): SimResult {
  return new WorkSim(paramsFor(seed), opts).run()
}
