// Dynamic concurrency (`--concurrency auto`): how many executor slots a node runs, adapted to
// its CPU and its queue. Pure — no clock, no I/O, no randomness: the shell samples the CPU
// every CONCURRENCY_TICK_MS and feeds each sample here; the answer is the slot count the
// work core should use (WorkCore.setConcurrency).
//
// The design is a hill climber on throughput behind two gates, like a worker-pool autoscaler
// (the .NET thread pool's hill climbing, TCP's additive increase / multiplicative decrease):
//
// - Grow only under demand: every slot busy AND runnable tasks waiting for one. Without
//   queued work more slots cannot add throughput, whatever the CPU does.
// - Grow only while the CPU allows: `cpu` is the busiest of what bounds a CPU-bound task on
//   this node (the machine's cores for worker-thread, process and command tasks; the node's
//   event loop for handlers that run on it). Far below the ceiling the step is ×2 (I/O-bound
//   work scales ~linearly with slots), near it +50 %.
// - Slow start (TCP's): a load starts with doublings, whatever the CPU reads (on a shared
//   machine it is often busy with other programs' work), for as long as each doubling buys
//   most (60 %) of its proportional gain; the first that does not, or is undone, ends it.
//   While the CPU reads under half busy a step may be bigger, up to ×4: as far as what a slot
//   costs in CPU (what the last step added per slot, or at first all the CPU read over the
//   slots) says the new level stays under the ceiling — a cold node with a deep queue of
//   mostly waiting tasks reaches its level in fewer probes. A step that paid is followed by the
//   next at once, its measurement the next one's yardstick. A cold node's first step (nothing
//   measured since it started or last idled; a queue deep enough to fill the step; the CPU
//   under half busy) goes after one tick instead of a full measurement: the minimum is the
//   slowest level of the climb, and the step is still judged. A step that took the CPU from
//   under the ceiling to none idle ends slow start even when it paid: its own slots filled the
//   CPU, and a doubling from there only adds threads (and their start-up cost).
// - Every step is a probe: after a tick to settle — longer while the step starts handler
//   workers (`warming`: each costs ~75 ms of CPU before it runs a task, and a level measured
//   then looks worse than it is; not from a level that left no CPU idle, where the workers'
//   start-up CPU is taken from the running tasks and is part of the step's cost, so a step
//   that only pays once they are up is undone in a few ticks rather than after a second or
//   more at a starved level) — throughput (completions per second) is measured and
//   compared with the level before. The measurement is as long as the step needs: a doubling
//   is a big effect, seen in a quarter of the completions a +50 % step needs (the count
//   scales with 1/step²). A window that fell short but whose last tick paid is measured once
//   more (a transient). Below the CPU ceiling, a step up that bought most (60 %) of its
//   proportional gain makes the next one a doubling too. A step that bought less than a
//   fifth (at a saturated CPU: half — less is mostly CPU taken from the other nodes on the
//   machine) of its proportional gain is undone, and that level is remembered as the plateau:
//   nothing above it is tried again until the back-off ends (doubling, up to
//   PROBE_BACKOFF_MAX_TICKS), so a steady load settles on one value instead of oscillating.
// - After slow start, at the CPU ceiling (machine or event loop saturated) it only takes steps up of +50 %
//   kept only when they pay — the CPU may be busy with another program's work while tasks
//   here wait on I/O — and undone (and not tried again for a while) when not; if the CPU stays
//   saturated for saturatedTicks (5 s), a step down (−25 %) is tried and kept when throughput
//   holds (within 5 %): the extra slots only added contention. An undone step down blocks
//   further ones the same way, so a saturated steady load settles too.
// - Whose CPU fills the machine: the half bar at a saturated CPU guards CPU that other
//   processes would lose. When the shell says whose CPU it is (`own`, `machine`) and everything
//   else used at most 15 % of the cores over the level before and over the step, the node is
//   alone: its step's gain cannot have come from anyone else in any quantity, and what a step
//   can still buy there — waits overlapped with the compute — is small and of the size of the
//   tick-to-tick noise. Such a step (up or down) is judged on the spread of per-tick rates
//   over ~1 s at each level instead of on a count of completions (see alone()): an up step is
//   kept when it bought more than a step down may lose, by two standard errors; a step down
//   only when it plainly cost less than that. A busy neighbour, or no word on whose CPU it is,
//   leaves the strict rules.
// - Idle — no task waiting and slots unused for IDLE_TICKS ticks — shrinks by a quarter per
//   tick down to the busy slots, and to `min` once nothing runs. The plateau is forgotten, but
//   the last level that paid is remembered: the next load jumps straight there, as a probe
//   judged against the rate that level had (a load like the last keeps it at once; one that
//   runs slower there — below 80 % — is undone and climbs afresh from where it was).
//
// Nothing here cancels work: a smaller target only stops the core starting new tasks until
// the running count falls under it.

export interface ConcurrencyLimits {
  min: number
  max: number
  /** The first target (default: min). */
  initial?: number
}

/** One sample, taken every tick by the shell. */
export interface ConcurrencySample {
  /**
   * 0..1: the busiest of what bounds CPU-bound tasks here (machine CPU busy over all cores,
   * the node's event-loop utilisation). 1 = no CPU left for another slot.
   */
  cpu: number
  /** Runnable tasks queued here, waiting for a slot. */
  queued: number
  /** Tasks running now. */
  running: number
  /** Attempts that ended since the previous sample. */
  completed: number
  /** Time since the previous sample, ms (> 0). */
  elapsedMs: number
  /**
   * Per-slot resources starting now (handler workers: ~75 ms of CPU each before their first
   * task runs). While they start, the level is warming up and its throughput says little: a
   * probe waits for them before it measures.
   */
  warming?: number
  /**
   * Whose CPU it is, when the shell can tell (0..1 of the cores): `own`, this node's process
   * (event loop and worker threads); `machine`, all of the machine's cores. What the rest of
   * the machine uses (`machine - own`) says whether a step at a saturated CPU could have taken
   * its gain from someone else (see alone()). Absent: the strict bar, as if it could.
   */
  own?: number
  machine?: number
}

export interface ConcurrencyTuning {
  /** At or above this `cpu` the controller does not grow (default 0.85). */
  cpuCeiling: number
  /** Below this `cpu` a step up doubles the slots; above it, it adds 50 % (default 0.5). */
  cpuLow: number
  /** A step up is kept when throughput rose by at least this share of its proportional gain (default 0.2)... */
  keepShare: number
  /** ...this share when the CPU was at its ceiling as the step was taken (default 0.5). */
  saturatedKeepShare: number
  /** A step down is kept when throughput fell by at most this share (default 0.05). */
  dropShare: number
  /** Consecutive idle ticks before shrinking (default 4). */
  idleTicks: number
  /** Consecutive ticks at the CPU ceiling under demand, no step taken, before a step down is tried (default 50). */
  saturatedTicks: number
  /** Ticks after a change before throughput is measured (default 1)... */
  settleTicks: number
  /** ...more while the step starts resources (`warming`), up to this many in all (default 10). */
  maxSettleTicks: number
  /** Ticks throughput is measured over, at least (default 2)... */
  measureTicks: number
  /**
   * ...and until this many attempts ended in them (a rate worth comparing: ~±9 % noise at 120)
   * for a step of ±50 %; a bigger step is a bigger effect, seen through more noise: a doubling
   * needs a quarter of it (the count scales with 1/step², at least minCompletedFloor)...
   */
  minCompleted: number
  minCompletedFloor: number
  /** ...but no longer than this many ticks (long tasks: then the CPU gate decides alone). */
  maxMeasureTicks: number
  /** First back-off after an undone step, in ticks (default 20); doubles each time, up to max. */
  probeBackoffTicks: number
  probeBackoffMaxTicks: number
}

export const DEFAULT_TUNING: ConcurrencyTuning = {
  cpuCeiling: 0.85,
  cpuLow: 0.5,
  keepShare: 0.2,
  saturatedKeepShare: 0.5,
  dropShare: 0.05,
  idleTicks: 4,
  saturatedTicks: 50,
  settleTicks: 1,
  maxSettleTicks: 10,
  measureTicks: 2,
  minCompleted: 120,
  minCompletedFloor: 20,
  maxMeasureTicks: 10,
  probeBackoffTicks: 20,
  probeBackoffMaxTicks: 320
}

/** What the controller decided at a tick, and why (status, logs, tests). */
export type ConcurrencyReason = 'hold' | 'grow' | 'shrink' | 'keep' | 'undo' | 'cpu' | 'idle' | 'measuring'

interface Probe {
  /** The level before the step, and its throughput (completions/s). */
  from: number
  fromRate: number
  up: boolean
  /** Ticks left before measuring, then what was measured so far. */
  settle: number
  w: Window
  /** Attempts the measurement needs (by the step's size). */
  need: number
  /** Judged once more after a failed window whose last tick paid (a transient, e.g. new workers starting). */
  retried: boolean
  /** Ticks settled so far. */
  settled: number
  /** The rate to beat, when not the proportional-gain rule (a warm start's: that level's last rate). */
  bar?: number
  /** The share of its proportional gain a step up must buy to be kept. */
  keepShare: number
  /** The mean `cpu` at the level before (over its measurement). */
  fromCpu: number
  /**
   * Taken from a level that left no CPU idle (HOT_CPU over its measurement, and at the ceiling
   * as it was taken): the workers it starts take their CPU from the running tasks, so the
   * probe does not wait for them — their cost is part of what it is judged on.
   */
  hot: boolean
  /** Taken at the CPU ceiling (up or down): judged by alone() when the node is alone there. */
  saturated: boolean
  /** The level before's per-tick rates and mean `machine - own` (undefined: not told). */
  fromRates: number[]
  fromOthers?: number
}

/**
 * What a run of ticks measured — a level's (its yardstick) or a probe's: attempts ended, time
 * and ticks, the sum of `cpu`, the last ALONE_TICKS per-tick rates, and the sum and count of
 * `machine - own` over the ticks that said.
 */
interface Window {
  completed: number
  elapsedMs: number
  ticks: number
  cpu: number
  rates: number[]
  others: number
  othersTicks: number
}

function freshWindow (): Window {
  return { completed: 0, elapsedMs: 0, ticks: 0, cpu: 0, rates: [], others: 0, othersTicks: 0 }
}

function addTick (w: Window, s: ConcurrencySample): void {
  w.completed += s.completed
  w.elapsedMs += s.elapsedMs
  w.ticks++
  w.cpu += s.cpu
  w.rates.push(s.completed * 1000 / s.elapsedMs)
  if (w.rates.length > ALONE_TICKS) w.rates.shift()
  const others = othersOf(s)
  if (others != null) {
    w.others += others
    w.othersTicks++
  }
}

/** Steps that were undone: no step that way is tried again for a while. */
interface Block {
  level: number
  ticks: number
  backoff: number
}

export class ConcurrencyController {
  private _target: number
  private readonly t: ConcurrencyTuning
  /** Throughput at the current level, measured over the last ticks under demand. */
  private level: Window = freshWindow()
  private probe?: Probe
  /** Above `up.level` (below `down.level`) nothing is tried while its ticks last. */
  private readonly up: Block
  private readonly down: Block
  private idle = 0
  private saturated = 0
  /** The last kept step up bought nearly its proportional gain: the next one may be bigger. */
  private linear = false
  /**
   * Slow start (TCP's): from the start, and after each idle spell, every step is a doubling,
   * whatever the CPU says (on a shared machine it is often busy with others' work), for as
   * long as each doubling buys most of its proportional gain; the first that does not, or is
   * undone, ends it and the climb goes on in the small steps below.
   */
  private slow = true
  /** Nothing measured yet in this busy spell (since the start, or the last idle spell). */
  private cold = true
  /**
   * The last step of slow start that paid linearly, and the mean CPU before and after it: what
   * one more slot costs in CPU, to size the next step by the headroom left.
   */
  private lastStep?: { from: number, to: number, fromCpu: number, cpu: number }
  /** The last level measured to pay under demand, and its throughput... */
  private good?: { level: number, rate: number }
  /** ...remembered when the load ends: where the next load starts. */
  private warm?: { level: number, rate: number }
  private _reason: ConcurrencyReason = 'hold'

  constructor (readonly limits: ConcurrencyLimits, tuning: Partial<ConcurrencyTuning> = {}) {
    if (!(Number.isSafeInteger(limits.min) && Number.isSafeInteger(limits.max) && limits.min >= 1 && limits.max >= limits.min)) {
      throw new RangeError(`concurrency limits must be whole numbers with 1 <= min <= max (got min ${limits.min}, max ${limits.max})`)
    }
    this.t = { ...DEFAULT_TUNING, ...tuning }
    this._target = clamp(limits.initial ?? limits.min, limits.min, limits.max)
    this.up = { level: Infinity, ticks: 0, backoff: this.t.probeBackoffTicks }
    this.down = { level: 0, ticks: 0, backoff: this.t.probeBackoffTicks }
  }

  get target (): number {
    return this._target
  }

  /** What the last tick decided. */
  get reason (): ConcurrencyReason {
    return this._reason
  }

  /** Feed one sample; returns the new target. */
  tick (s: ConcurrencySample): number {
    const { min, max } = this.limits
    const cur = this._target
    if (this.up.ticks > 0 && --this.up.ticks === 0) this.up.level = Infinity
    if (this.down.ticks > 0 && --this.down.ticks === 0) this.down.level = 0
    const demand = s.queued > 0 && s.running >= cur

    if (!demand) {
      this.probe = undefined
      this.saturated = 0
      this.resetRate()
      if (s.queued > 0 || s.running >= cur) {
        // Work waits but a slot is free (it was just started), or every slot is busy with
        // nothing behind: neither grow nor shrink.
        this.idle = 0
        return this.decide(cur, 'hold')
      }
      if (++this.idle < this.t.idleTicks) return this.decide(cur, 'hold')
      // Idle: down towards what is busy, by a quarter per tick; a new load starts where the
      // last one paid and is probed from there.
      if (this.good != null && this.good.level > min) this.warm = this.good
      this.good = undefined
      this.slow = true
      this.cold = true
      this.lastStep = undefined
      this.unblock()
      const next = Math.max(min, s.running, Math.floor(cur * 0.75))
      return this.decide(next, next < cur ? 'idle' : 'hold')
    }
    this.idle = 0

    if (this.probe != null) return this.judge(this.probe, s)

    // Work is back after an idle spell: straight to the level that paid last time, as a probe
    // judged against the rate it had there (scaled down to here): a load like the last one
    // keeps it at once, another one (slower per slot) is undone and climbs afresh.
    const warm = this.warm
    this.warm = undefined
    if (warm != null && warm.level > cur) {
      const next = Math.min(max, this.up.level, warm.level, Math.max(cur + 1, s.running + s.queued))
      if (next > cur) {
        this.slow = false
        this.start(cur, warm.rate * cur / warm.level, s.cpu, next, true, 'grow')
        this.probe!.bar = warm.rate * next / warm.level * WARM_SHARE
        return this._target
      }
    }

    // Measure the current level's throughput before any step from it, as precisely as the
    // step it is the yardstick for needs.
    addTick(this.level, s)
    if (s.cpu >= this.t.cpuCeiling) this.saturated++
    else this.saturated = 0
    const plan = this.plan(cur, s, this.level.cpu / this.level.ticks)
    const need = plan != null ? this.need(cur, plan.next) : this.t.minCompleted
    // A cold node's first step (nothing measured since it last idled), with a queue deep
    // enough to fill it and the CPU under half busy, goes after one tick that saw attempts
    // end: the slowest level of the climb is the first, and the step is still judged.
    const cold = this.cold && plan != null && plan.up && s.cpu < this.t.cpuLow && s.queued >= plan.next - cur && this.level.completed > 0
    // A step up at the ceiling from a level where the node is alone is judged on the spread of
    // per-tick rates (see alone()): the level's own needs that many ticks first.
    if (plan != null && this.aloneTooShort(s)) return this.decide(cur, 'measuring')
    if (!cold && !this.measured(this.level.ticks, this.level.completed, need)) return this.decide(cur, 'measuring')
    const rate = this.level.completed * 1000 / this.level.elapsedMs
    this.good = { level: cur, rate }
    // Keep the window short, so the rate follows the load: shed the oldest half once it
    // holds twice what a measurement needs.
    if (this.level.ticks >= 2 * this.t.measureTicks && this.level.completed >= 2 * this.t.minCompleted) {
      this.level.completed /= 2
      this.level.elapsedMs /= 2
      this.level.cpu *= Math.floor(this.level.ticks / 2) / this.level.ticks
      this.level.ticks = Math.floor(this.level.ticks / 2)
    }
    if (plan == null) return this.decide(cur, s.cpu >= this.t.cpuCeiling ? 'cpu' : 'hold')
    return this.start(cur, rate, this.level.cpu / this.level.ticks, plan.next, plan.up, plan.up ? 'grow' : 'shrink', s.cpu)
  }

  /** The step the climber would take from `cur` now, if any. */
  private plan (cur: number, s: ConcurrencySample, levelCpu: number): { next: number, up: boolean } | undefined {
    const { min, max } = this.limits
    const ceiling = Math.min(max, this.up.level)
    if (this.slow) {
      const next = Math.min(ceiling, this.slowFactor(cur, levelCpu) * cur, Math.max(cur + 1, s.running + s.queued))
      return next > cur ? { next, up: true } : undefined
    }
    if (s.cpu >= this.t.cpuCeiling) {
      // Saturated: more slots cannot add CPU. After a while, try fewer: if throughput holds,
      // the extra slots were only adding contention.
      const floor = Math.max(min, this.down.level)
      const down = Math.max(floor, Math.floor(cur * 0.75))
      if (this.saturated >= this.t.saturatedTicks && down < cur) return { next: down, up: false }
      // The CPU may be busy with someone else's work while tasks here wait on I/O: a step
      // up, kept only if it pays (and, undone, not tried again for a while).
      const up = Math.min(ceiling, cur + Math.max(1, Math.ceil(cur / 2)), Math.max(cur + 1, s.running + s.queued))
      return up > cur ? { next: up, up: true } : undefined
    }
    if (cur >= ceiling) return undefined
    // Doubling while the CPU is far from its ceiling, unless a step up from here was undone
    // before: then the next probe is a small one.
    const step = (s.cpu < this.t.cpuLow && this.up.backoff === this.t.probeBackoffTicks) || this.linear ? cur : Math.max(1, Math.ceil(cur / 2))
    const next = Math.min(ceiling, cur + step, Math.max(cur + 1, s.running + s.queued))
    return next > cur ? { next, up: true } : undefined
  }

  /**
   * Slow start's next factor: ×2, or up to ×SLOW_MAX_FACTOR while the CPU is far from its
   * ceiling (under cpuLow, where a step up doubles after slow start too) and what a slot costs
   * in CPU says the bigger level still fits under the ceiling. A cold node with a deep queue of
   * mostly waiting tasks gets to its level in fewer probes; one whose slots cost CPU, or a
   * machine busy with other work, keeps doubling.
   */
  private slowFactor (cur: number, cpu: number): number {
    if (!(cpu < this.t.cpuLow)) return 2
    // What one more slot costs: what the step that led here added per slot; before any step,
    // all of the CPU read here, as if the slots used it all (an upper bound: part of it is
    // the node's own upkeep, or someone else's).
    const l = this.lastStep
    const perSlot = l != null && l.to === cur ? (l.cpu - l.fromCpu) / (l.to - l.from) : cpu / cur
    const fits = perSlot > 0 ? cur + (this.t.cpuCeiling - cpu) / perSlot : Infinity
    return Math.max(2, Math.min(SLOW_MAX_FACTOR, Math.floor(fits / cur)))
  }

  /** Attempts a measurement around a step from `from` to `to` needs: fewer for a bigger step. */
  private need (from: number, to: number): number {
    const step = Math.abs(to / from - 1)
    const n = Math.ceil(this.t.minCompleted * (0.5 / Math.max(step, 1e-9)) ** 2)
    return Math.max(this.t.minCompletedFloor, Math.min(this.t.minCompleted, n))
  }

  private start (from: number, fromRate: number, fromCpu: number, next: number, up: boolean, reason: ConcurrencyReason, cpu = 0): number {
    next = clamp(next, this.limits.min, this.limits.max)
    // At a saturated CPU a step up that buys little mostly takes CPU from someone else (the
    // other nodes on the machine, another program): it has to buy half its proportional gain.
    const keepShare = cpu >= this.t.cpuCeiling ? Math.max(this.t.keepShare, this.t.saturatedKeepShare) : this.t.keepShare
    const fromOthers = this.levelOthers()
    this.probe = {
      from, fromRate, up, settle: this.t.settleTicks, w: freshWindow(), need: this.need(from, next), retried: false, settled: 0, keepShare, fromCpu,
      hot: up && cpu >= this.t.cpuCeiling && fromCpu >= HOT_CPU,
      saturated: cpu >= this.t.cpuCeiling,
      fromRates: this.level.rates,
      ...(fromOthers != null ? { fromOthers } : {})
    }
    this.saturated = 0
    this.linear = false
    this.cold = false
    this.resetRate()
    return this.decide(next, reason)
  }

  /** A step is measured, then kept or undone. */
  private judge (p: Probe, s: ConcurrencySample): number {
    const cur = this._target
    if ((s.warming ?? 0) > 0 && (!p.hot || this.aloneFrom(p)) && p.settled < this.t.maxSettleTicks) {
      // Still warming up (workers starting): what was measured so far does not count. (Alone
      // on the machine, a hot step too: its workers' start-up is paid once, whether the step
      // is kept or a later one finds them up; what decides is the level once they are.)
      p.settle = Math.max(p.settle, 1)
      p.w = freshWindow()
    }
    if (p.settle > 0) {
      p.settle--
      p.settled++
      return this.decide(cur, 'measuring')
    }
    addTick(p.w, s)
    const alone = this.alone(p, (s.warming ?? 0) > 0)
    if (alone === 'measuring') return this.decide(cur, 'measuring')
    if (alone == null && !this.measured(p.w.ticks, p.w.completed, p.need)) return this.decide(cur, 'measuring')
    const rate = p.w.completed * 1000 / p.w.elapsedMs
    const wanted = alone != null ? (alone === 'keep' ? rate : Infinity) : p.bar != null ? p.bar : p.up ? p.fromRate * (1 + p.keepShare * (cur / p.from - 1)) : p.fromRate * (1 - this.t.dropShare)
    if (alone == null && rate < wanted && p.up && !p.retried && s.completed * 1000 / s.elapsedMs >= wanted) {
      // The window fell short but its last tick paid: the level was still warming up (new
      // handler workers cost ~75 ms of CPU each to start). Measure it once more, afresh.
      p.retried = true
      p.w = freshWindow()
      return this.decide(cur, 'measuring')
    }
    this.probe = undefined
    if (rate >= wanted) {
      this.good = { level: cur, rate }
      // It paid (or, down, cost nothing): the new level, and its rate the next step's yardstick.
      this.level = p.w
      const b = p.up ? this.up : this.down
      b.backoff = this.t.probeBackoffTicks
      // The level it came from is known to be worse (up) or no better (down): no step back
      // there for a while.
      const other = p.up ? this.down : this.up
      other.level = cur
      other.ticks = other.backoff
      if (p.up) this.linear = p.bar == null && p.fromRate > 0 && (rate / p.fromRate - 1) >= LINEAR_SHARE * (cur / p.from - 1)
      // Slow start ends where its own slots filled the CPU (from under the ceiling to no CPU
      // idle): a doubling from there only adds threads and their start-up cost; the climb goes
      // on in the saturated rule's small, hot-judged steps. (A CPU that read full from the
      // start is someone else's: the doublings go on.)
      if (!this.linear || (p.up && p.fromCpu < this.t.cpuCeiling && p.w.cpu / p.w.ticks >= HOT_CPU)) this.slow = false
      this.lastStep = this.slow && p.up ? { from: p.from, to: cur, fromCpu: p.fromCpu, cpu: p.w.cpu / p.w.ticks } : undefined
      if (this.slow) {
        // Slow start goes on: the window just measured is the next step's yardstick, so the
        // next step starts now rather than after another tick at this level.
        const plan = this.plan(cur, s, p.w.cpu / p.w.ticks)
        // Not a step judged alone at the ceiling: that needs ALONE_MIN_TICKS at this level
        // first (tick() measures them); a doubling there from a 2-tick yardstick would be
        // judged by the strict bar, which no doubling at a full CPU can clear.
        if (plan != null && !this.aloneTooShort(s)) return this.start(cur, rate, p.w.cpu / p.w.ticks, plan.next, plan.up, 'grow', s.cpu)
      }
      return this.decide(cur, 'keep')
    }
    if (p.bar != null) {
      // A warm start that did not pay: another load. Back, and climb afresh (slow start).
      this.resetRate()
      this.slow = true
      return this.decide(p.from, 'undo')
    }
    // It did not: back to the level before, and no step that way for a while (longer each time).
    this.slow = false
    this.lastStep = undefined
    const b = p.up ? this.up : this.down
    b.level = p.from
    b.ticks = b.backoff
    b.backoff = Math.min(b.backoff * 2, this.t.probeBackoffMaxTicks)
    this.resetRate()
    return this.decide(p.from, 'undo')
  }

  /**
   * A step taken at the CPU ceiling, judged when the node is (nearly) alone on the machine:
   * everything else used at most ALONE_OTHERS of the cores over the level before and over the
   * step. Then the step's gain cannot have been taken from someone else in any quantity, and
   * the strict bar (half the proportional gain: more slots at a full CPU mostly take CPU from
   * other nodes) does not apply. What the step can still buy is wait overlapped with compute —
   * small (a +50 % step at a full CPU buys ~+5–10 % on the bench's mix), and of the size of the
   * tick-to-tick noise of a busy machine. So the step is judged on that noise rather than on a
   * count of completions: it is kept when its mean per-tick rate beats the level before's by
   * more than a step down may lose (dropShare — no step back and forth between two levels)
   * and by ALONE_Z standard errors of the difference (the pooled spread of both windows' per-tick
   * rates), after ALONE_TICKS ticks; it is undone as soon as the gain plus ALONE_Z standard errors
   * falls short of dropShare (a step that plainly does not pay costs little; not while its
   * workers start — judge() waits for them, up to maxSettleTicks, hot step or not), or at the
   * end. A step down is the mirror image (see below).
   * Returns undefined where the strict rules apply (not saturated, not told whose CPU it is,
   * someone else busy, too few ticks at the level before), 'measuring' while it waits.
   */
  private alone (p: Probe, warming: boolean): 'keep' | 'undo' | 'measuring' | undefined {
    if (!this.aloneFrom(p)) return undefined
    if (p.w.othersTicks < p.w.ticks) return undefined
    if (p.w.ticks < this.t.measureTicks) return 'measuring'
    // Whether the rest of the machine stayed light is read over the whole window (a worker
    // starting, a neighbour's burst, move one tick): a window that was not is judged by the
    // strict rules at its end.
    const light = p.w.others / p.w.othersTicks <= ALONE_OTHERS
    const a = p.fromRates
    const b = p.w.rates
    const ma = mean(a)
    if (!(ma > 0)) return undefined
    const gain = mean(b) / ma - 1
    const pooled = (sq(a) + sq(b)) / Math.max(1, a.length + b.length - 2)
    const se = Math.sqrt(pooled * (1 / a.length + 1 / b.length)) / ma
    const floor = this.t.dropShare
    if (p.up) {
      if (light && gain + ALONE_Z * se < floor && !warming) return 'undo'
      if (p.w.ticks < ALONE_TICKS) return 'measuring'
      if (!light) return undefined
      return gain >= floor && gain >= ALONE_Z * se ? 'keep' : 'undo'
    }
    // A step down (after a while at the ceiling) is kept when it plainly costs less than a step
    // up must buy: the slots it gives back cost little when nobody else wants the CPU, and a
    // step down kept on noise would walk the level down a plateau that pays.
    const loss = -gain
    if (light && loss - ALONE_Z * se > floor) return 'undo'
    if (p.w.ticks < ALONE_TICKS) return 'measuring'
    if (!light) return undefined
    return loss + ALONE_Z * se <= floor ? 'keep' : 'undo'
  }

  /** A step taken at the ceiling from a level where the node was alone, measured long enough. */
  private aloneFrom (p: Probe): boolean {
    return p.saturated && p.bar == null && p.fromOthers != null && p.fromOthers <= ALONE_OTHERS && p.fromRates.length >= ALONE_MIN_TICKS
  }

  /** A step from here now would be judged alone (see alone()), but the level has too few ticks for it. */
  private aloneTooShort (s: ConcurrencySample): boolean {
    const others = this.levelOthers()
    return s.cpu >= this.t.cpuCeiling && others != null && others <= ALONE_OTHERS && this.level.rates.length < ALONE_MIN_TICKS
  }

  /** The current level's mean `machine - own`, when every tick of its window said. */
  private levelOthers (): number | undefined {
    return this.level.othersTicks > 0 && this.level.othersTicks >= this.level.rates.length ? this.level.others / this.level.othersTicks : undefined
  }

  /** Whether a window of `ticks` holding `completed` ends is a measurement. */
  private measured (ticks: number, completed: number, need: number): boolean {
    return ticks >= this.t.measureTicks && (completed >= need || ticks >= this.t.maxMeasureTicks)
  }

  private unblock (): void {
    for (const b of [this.up, this.down]) {
      b.ticks = 0
      b.backoff = this.t.probeBackoffTicks
    }
    this.up.level = Infinity
    this.down.level = 0
  }

  private resetRate (): void {
    this.level = freshWindow()
  }

  private decide (target: number, reason: ConcurrencyReason): number {
    this._target = clamp(target, this.limits.min, this.limits.max)
    this._reason = reason
    return this._target
  }
}

/**
 * A level whose CPU read at least this over its measurement has none idle: a step up from it
 * that starts workers is judged with their start-up cost (see Probe.hot).
 */
const HOT_CPU = 0.95

/** A warm start is kept when the level gives at least this share of the rate it had last time. */
const WARM_SHARE = 0.8

/** A step up that bought this share of its proportional gain or more: the next step doubles. */
const LINEAR_SHARE = 0.6

/** Slow start's biggest step, when the CPU a slot costs leaves room for it (see slowFactor). */
const SLOW_MAX_FACTOR = 4

/** A node whose machine's other users took at most this share of the cores is alone there (see alone()). */
const ALONE_OTHERS = 0.15

/** An alone step is judged over this many ticks at each level (~1 s at the shell's tick)... */
const ALONE_TICKS = 10
/** ...with at least this many at the level before... */
const ALONE_MIN_TICKS = 5
/** ...and kept when its gain is this many standard errors of the difference above zero. */
const ALONE_Z = 2

function othersOf (s: ConcurrencySample): number | undefined {
  return s.own != null && s.machine != null ? Math.max(0, s.machine - s.own) : undefined
}

function mean (xs: number[]): number {
  let sum = 0
  for (const x of xs) sum += x
  return xs.length > 0 ? sum / xs.length : 0
}

/** The sum of squared deviations from the mean. */
function sq (xs: number[]): number {
  const m = mean(xs)
  let sum = 0
  for (const x of xs) sum += (x - m) ** 2
  return sum
}

function clamp (v: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, Math.round(v)))
}
