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
//
// Nodes that share a host must not trim together. With a fixed idle spell and a fixed gap,
// nodes that started together became idle together and then trimmed in step, every minute for
// good: 9 of 10 idle nodes within 2 s, each minute (BENCHMARKS.md, issue 14, stop 52). At 50
// processes on two cores that is seconds of CPU wanted at the same instant, every timer in the
// mesh late by that much, and a burst of false suspicions every minute. So both waits are drawn
// afresh for each trim: the idle spell from IDLE_MS to twice it, the gap from MIN_GAP_MS to
// twice it. And a node trims only in its own slot of a TRIM_CYCLE_MS cycle (a random phase drawn
// at start): nodes that become free to trim at the same instant — at start, or when a host short
// of CPU calms down (below) — still trim at most a slot's share of them at a time (23 of 50 in
// one 2-s window without it; stop 52).
//
// Nor may a node trim on a host that is short of CPU. At 50 processes on two cores each one
// used under 15 % of a core because it waited for one, so CPU alone called them idle: all 50
// trimmed within 6 s while the mesh formed, and a trim there took 2.3 s of wall time (a CPU
// burst stretched by the run queue), long enough for peers to suspect the node. So the main
// thread's time runnable but waiting for a CPU (/proc/self/schedstat) must stay under IDLE_WAIT
// of the window too. (A gate on this node's own timer lateness was tried first: every node's
// lateness clears together after a mesh-wide stall, so it released them together and kept
// them trimming in step; stop 52.)
import { readFileSync } from 'node:fs'
import v8 from 'node:v8'
import vm from 'node:vm'
import type { Rng } from '../../prng.js'

/** Process CPU below this share of one core over IDLE_MS counts as idle. */
export const IDLE_CPU = 0.15
/** Main thread runnable but waiting for a CPU at or above this share of IDLE_MS: a contended host. */
export const IDLE_WAIT = 0.05
export const IDLE_MS = 10_000
export const CHECK_MS = 2_000
export const MIN_GAP_MS = 60_000
/** A node trims only in its own slot of this cycle (TRIM_SLOTS slots of 2 × CHECK_MS, so a check lands in each). */
export const TRIM_SLOTS = 10
export const TRIM_CYCLE_MS = TRIM_SLOTS * 2 * CHECK_MS
/** New space at or below this is as small as V8 makes it: nothing to trim. */
export const SMALL_NEW_SPACE_BYTES = 2 * 1024 * 1024

/**
 * When to trim (pure: no clock, no V8; its randomness comes in as `rng`). Fed a sample every
 * CHECK_MS: the time, the process's CPU time so far, the new space's size and whether the node
 * held or did work since the last sample (workActivity); says whether to trim now. Never while
 * the node works, nor before it has done none for its idle spell (IDLE_MS to twice that, drawn
 * per trim), nor within its gap (MIN_GAP_MS to twice that, drawn per trim) of the last trim, nor
 * while it used IDLE_CPU of a core or waited IDLE_WAIT of the time for one over the last IDLE_MS,
 * and only in its own slot of each TRIM_CYCLE_MS.
 */
export class TrimPolicy {
  private readonly window: Array<{ at: number, cpuMs: number, waitMs: number }> = []
  private lastTrimAt = -Infinity
  private lastWorkAt = -Infinity
  /** The idle spell and gap the next trim waits for (drawn at start and after each trim). */
  private idleSpell: number
  private gap: number
  /** This node's slot of each TRIM_CYCLE_MS. */
  private readonly slot: number

  constructor (
    private readonly rng: Rng,
    private readonly opts = { idleCpu: IDLE_CPU, idleWait: IDLE_WAIT, idleMs: IDLE_MS, minGapMs: MIN_GAP_MS, smallBytes: SMALL_NEW_SPACE_BYTES }
  ) {
    this.idleSpell = this.draw(opts.idleMs)
    this.gap = this.draw(opts.minGapMs)
    this.slot = Math.min(TRIM_SLOTS - 1, Math.floor(rng() * TRIM_SLOTS))
  }

  /** Whether `at` falls in this node's slot of the cycle. */
  private inSlot (at: number): boolean {
    return Math.floor(at / (TRIM_CYCLE_MS / TRIM_SLOTS)) % TRIM_SLOTS === this.slot
  }

  /** A wait of `base` to twice `base`. */
  private draw (base: number): number {
    return base * (1 + this.rng())
  }

  /** `waitMs`: the main thread's time runnable but waiting for a CPU so far (0 where unknown). */
  sample (at: number, cpuMs: number, newSpaceBytes: number, working = false, waitMs = 0): boolean {
    this.window.push({ at, cpuMs, waitMs })
    while (this.window.length > 1 && at - this.window[1]!.at >= this.opts.idleMs) this.window.shift()
    // The first sample starts the idle spell, as work seen then would (workActivity says yes first).
    if (working || this.lastWorkAt === -Infinity) this.lastWorkAt = at
    if (at - this.lastWorkAt < this.idleSpell) return false
    const first = this.window[0]!
    const span = at - first.at
    if (span < this.opts.idleMs) return false
    if (newSpaceBytes <= this.opts.smallBytes) return false
    if (at - this.lastTrimAt < this.gap) return false
    if (!this.inSlot(at)) return false
    if ((cpuMs - first.cpuMs) / span >= this.opts.idleCpu) return false
    if ((waitMs - first.waitMs) / span >= this.opts.idleWait) return false
    this.lastTrimAt = at
    this.idleSpell = this.draw(this.opts.idleMs)
    this.gap = this.draw(this.opts.minGapMs)
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

/** What HeapTrim is told of each trim: its wall time, and the new space before and after. */
export type TrimReport = (t: { ms: number, newSpaceBefore: number, newSpaceAfter: number }) => void

/**
 * What check() reads: the time (ms, monotonic), the process's CPU time so far (ms), V8's new
 * space (bytes) and the main thread's time runnable but waiting for a CPU so far (ms; 0 where
 * the OS does not say).
 */
export interface TrimSample { at: number, cpuMs: number, newSpaceBytes: number, waitMs: number }

/** /proc/self/schedstat: the main thread's ns on a CPU, ns waiting in a run queue, timeslices. Linux only. */
let schedstat = process.platform === 'linux'
function waitingMs (): number {
  if (!schedstat) return 0
  try {
    return Number(readFileSync('/proc/self/schedstat', 'utf8').split(' ')[1]) / 1e6 || 0
  } catch {
    schedstat = false
    return 0
  }
}

function sampleProcess (): TrimSample {
  const u = process.cpuUsage()
  return { at: performance.now(), cpuMs: (u.user + u.system) / 1000, newSpaceBytes: newSpaceBytes(), waitMs: waitingMs() }
}

export interface HeapTrimOptions {
  /** Whether the node held or did work since it was last asked (workActivity). Default: never. */
  working?: () => boolean
  /** false: another timer calls check() every CHECK_MS (the resource monitor's, in the node: one wake-up for both). */
  ownTimer?: boolean
  /** Draws each trim's idle spell and gap (see TrimPolicy). Default: Math.random. */
  rng?: Rng
  /** Told of each trim (the node logs it at debug). */
  onTrim?: TrimReport
  /** What each check reads (tests); default: this process. */
  sample?: () => TrimSample
}

export class HeapTrim {
  private timer: NodeJS.Timeout | undefined
  private readonly policy: TrimPolicy
  private readonly working: () => boolean
  private readonly sample: () => TrimSample
  private readonly ownTimer: boolean
  private readonly onTrim?: TrimReport
  private gc: Gc | undefined
  /** Trims done, and the wall time they took (ms). */
  trims = 0
  trimMs = 0

  constructor (opts: HeapTrimOptions = {}) {
    this.working = opts.working ?? (() => false)
    this.sample = opts.sample ?? sampleProcess
    this.ownTimer = opts.ownTimer ?? true
    this.policy = new TrimPolicy(opts.rng ?? Math.random)
    if (opts.onTrim != null) this.onTrim = opts.onTrim
  }

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
    const { at, cpuMs, newSpaceBytes: before, waitMs } = this.sample()
    if (!this.policy.sample(at, cpuMs, before, this.working(), waitMs)) return
    const t0 = performance.now()
    // 'last-resort' is the flavour that shrinks the young generation (V8's
    // CollectAllAvailableGarbage with a memory-reducing flag); a plain major GC keeps it.
    this.gc({ type: 'major', execution: 'sync', flavor: 'last-resort' })
    const ms = performance.now() - t0
    this.trims++
    this.trimMs += ms
    this.onTrim?.({ ms, newSpaceBefore: before, newSpaceAfter: newSpaceBytes() })
  }
}
