// A young generation sized to the load: large while the node is busy, small once it is idle.
//
// V8 allocates new objects in the young generation (two semi-spaces) and scavenges it when it
// fills. A busy node allocates fast (one-task jobs: ~30 KB per job on the home), and with the
// semi-spaces capped at 1 MiB it scavenged ~180 times a second: 20–36 % of every node's CPU
// on 3 nodes (BENCHMARKS.md, issue 14, stop 23). With a 16 MiB cap (bin/meshnode.js) V8 grows
// the young generation under load and scavenges a tenth as often. But V8 does not give that
// memory back by itself while a node's idle traffic (heartbeats, Raft) keeps allocating: an
// idle node would keep ~11 MiB more RSS than with the 1 MiB cap.
//
// So this trims it: once the process has used less than IDLE_CPU of a core over IDLE_MS, has
// held no work over IDLE_MS either, and V8's new space has grown past its starting size, one
// memory-reducing GC shrinks it back (measured: ~40–60 ms of CPU on a lone node, after which it
// stays small while idle). At most once per MIN_GAP_MS, so a node that hovers around the
// threshold pays ≤ ~0.1 % of a core.
//
// Low CPU alone does not mean idle: a node running a few slots of I/O-bound tasks among ten on
// two cores used under 15 % of a core, and every such node of bench/completion trimmed 8 s into
// the run, all within 0.6 s — a last-resort GC is two full collections, 130–445 ms of wall time
// each at that load, with the outcome of a job's last task waiting behind it (a job's completion
// took 404 ms; BENCHMARKS.md, issue 14, stop 32). So the work engine must be idle too (workActivity).
import v8 from 'node:v8'
import vm from 'node:vm'

/** Process CPU below this share of one core over IDLE_MS counts as idle. */
export const IDLE_CPU = 0.15
export const IDLE_MS = 10_000
export const CHECK_MS = 2_000
export const MIN_GAP_MS = 60_000
/** New space at or below this is as small as V8 makes it: nothing to trim. */
export const SMALL_NEW_SPACE_BYTES = 2 * 1024 * 1024

/**
 * When to trim (pure: no clock, no V8). Fed a sample every CHECK_MS: the time, the process's
 * CPU time so far, the new space's size and whether the node held or did work since the last
 * sample (workActivity); says whether to trim now. Never while the node works, nor before it
 * has done none for IDLE_MS.
 */
export class TrimPolicy {
  private readonly window: Array<{ at: number, cpuMs: number }> = []
  private lastTrimAt = -Infinity
  private lastWorkAt = -Infinity

  constructor (private readonly opts = { idleCpu: IDLE_CPU, idleMs: IDLE_MS, minGapMs: MIN_GAP_MS, smallBytes: SMALL_NEW_SPACE_BYTES }) {}

  sample (at: number, cpuMs: number, newSpaceBytes: number, working = false): boolean {
    this.window.push({ at, cpuMs })
    while (this.window.length > 1 && at - this.window[1]!.at >= this.opts.idleMs) this.window.shift()
    if (working) this.lastWorkAt = at
    if (at - this.lastWorkAt < this.opts.idleMs) return false
    const first = this.window[0]!
    const span = at - first.at
    if (span < this.opts.idleMs) return false
    if (newSpaceBytes <= this.opts.smallBytes) return false
    if (at - this.lastTrimAt < this.opts.minGapMs) return false
    if ((cpuMs - first.cpuMs) / span >= this.opts.idleCpu) return false
    this.lastTrimAt = at
    return true
  }
}

function newSpaceBytes (): number {
  return v8.getHeapSpaceStatistics().find(s => s.space_name === 'new_space')?.space_size ?? 0
}

/** What workActivity reads of the work engine (WorkShell). */
export interface WorkEngineView {
  stats: () => { queued: number, running: number, lent: number, outbox: number, activeJobs: number, replicas?: number }
  readonly counters: { tasksRun: number, tasksLent: number }
}

/**
 * Whether the work engine holds work now (tasks queued or running here, batches lent, outcomes
 * to deliver, jobs of this home still active) or ran or lent a task since the last call (work
 * that came and went between two samples), or the job replicas it holds changed since then.
 * The first call says yes.
 *
 * Replicas: a node that only holds other homes' replicas runs nothing, but while jobs are being
 * submitted it stores and drops replicas by the thousand a second. Starved of CPU on a shared
 * machine it can read under IDLE_CPU, and it trimmed in the middle of a 3-node one-task run: a
 * last-resort GC with the registry of 100 000 jobs in its heap (11.7 % of that node's main
 * thread in a 5-s profile — the leader, which ran no task; BENCHMARKS.md, issue 14, stop 40).
 * A replica count that holds still (an idle mesh, or a long job's replicas) says nothing.
 */
export function workActivity (engine: WorkEngineView): () => boolean {
  let seen = -1
  let seenReplicas = -1
  return () => {
    const c = engine.counters
    const done = c.tasksRun + c.tasksLent
    const s = engine.stats()
    const replicas = s.replicas ?? 0
    const moved = done !== seen || replicas !== seenReplicas
    seen = done
    seenReplicas = replicas
    return moved || s.queued + s.running + s.lent + s.outbox + s.activeJobs > 0
  }
}

type Gc = (opts: { type: 'major', execution: 'sync', flavor: 'last-resort' }) => void

/**
 * V8's gc() without exposing it to the program: --expose-gc set at run time only adds `gc` to
 * contexts created afterwards, so it is taken from a fresh vm context and handlers never see it.
 */
function memoryReducingGc (): Gc | undefined {
  try {
    v8.setFlagsFromString('--expose-gc')
    const gc = vm.runInNewContext('gc') as Gc | undefined
    return typeof gc === 'function' ? gc : undefined
  } catch {
    return undefined
  }
}

export class HeapTrim {
  private timer: NodeJS.Timeout | undefined
  private readonly policy = new TrimPolicy()
  private gc: Gc | undefined
  /** Trims done, and the CPU they took (ms): in status counters. */
  trims = 0
  trimMs = 0

  /**
   * `working`: whether the node held or did work since it was last asked (workActivity).
   * `ownTimer` false: another timer calls check() every CHECK_MS (the resource monitor's, in
   * the node: one wake-up for both).
   */
  constructor (private readonly working: () => boolean = () => false, private readonly ownTimer = true) {}

  async start (): Promise<void> {
    // Isolates created from now on — handler worker threads (--handler-isolation worker) —
    // get the 1 MiB semi-spaces they always had: this process's own cap stays 16 MiB (V8 read
    // it when the main isolate was set up), but a pool can hold dozens of workers that this
    // never trims, each of which could otherwise keep up to 32 MiB of young generation.
    // (Handler child processes inherit the 16 MiB flag and size their young generation to
    // their own load.)
    v8.setFlagsFromString('--max-semi-space-size=1')
    this.gc = memoryReducingGc()
    if (this.gc == null || !this.ownTimer) return
    this.timer = setInterval(() => { this.check() }, CHECK_MS)
    this.timer.unref()
  }

  async stop (): Promise<void> {
    clearInterval(this.timer)
    this.timer = undefined
  }

  /** One sample, and a trim if the policy says so (nothing before start() or without gc). */
  check (): void {
    if (this.gc == null) return
    const u = process.cpuUsage()
    const now = performance.now()
    if (!this.policy.sample(now, (u.user + u.system) / 1000, newSpaceBytes(), this.working())) return
    const t0 = performance.now()
    // 'last-resort' is the flavour that shrinks the young generation (V8's
    // CollectAllAvailableGarbage with a memory-reducing flag); a plain major GC keeps it.
    this.gc({ type: 'major', execution: 'sync', flavor: 'last-resort' })
    this.trims++
    this.trimMs += performance.now() - t0
  }
}
