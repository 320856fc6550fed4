// The Raft shell's clock: a tick every tickMs while anything is in flight, and while the core
// is quiet (a quiet leader, or a follower of one: src/consensus/options.ts idle*) one wake-up
// every `batch` ticks that runs them together.
//
// A 30 ms interval woke every node 33 times a second at rest, the most frequent timer of an
// idle node (a third of its wake-ups; BENCHMARKS.md, issue 14, stop 25). A quiet core's
// deadlines are 20 ticks (the quiet heartbeat) and 50+ ticks (the quiet lease and election
// timeout) away, so running its ticks five at a time moves them by at most four ticks
// (120 ms): a lease or timeout may end up to that much earlier or later, against a 600 ms
// heartbeat and a 1.5 s timeout. Messages are handled as they arrive, never on a tick; the
// moment the core stops being quiet (an append, a proposal, a campaign) the shell calls
// wake() and ticks every tickMs again.

export class TickClock {
  private timer?: NodeJS.Timeout
  /** Ticks the armed timer stands for (1, or `batch` while quiet). */
  private armedFor = 0
  private stopped = true
  /** Inside fire(): it arms the next wake-up itself. */
  private firing = false

  /**
   * @param tickMs one tick
   * @param batch ticks per wake-up while quiet
   * @param quiet whether the core is quiet now
   * @param tick runs one tick
   */
  constructor (
    private readonly tickMs: number,
    private readonly batch: number,
    private readonly quiet: () => boolean,
    private readonly tick: () => void
  ) {}

  start (): void {
    this.stopped = false
    this.arm()
  }

  stop (): void {
    this.stopped = true
    clearTimeout(this.timer)
    this.timer = undefined
  }

  /** The core may have left quiet: if a batched wake-up is armed, tick every tickMs again from now. */
  wake (): void {
    if (this.stopped || this.firing || this.armedFor <= 1 || this.quiet()) return
    clearTimeout(this.timer)
    this.arm()
  }

  private arm (): void {
    this.armedFor = this.quiet() ? this.batch : 1
    this.timer = setTimeout(this.fire, this.armedFor * this.tickMs)
  }

  private readonly fire = (): void => {
    this.timer = undefined
    const n = this.armedFor
    this.firing = true
    try {
      for (let i = 0; i < n && !this.stopped; i++) {
        this.tick()
        // left quiet within the batch (a timeout fired): the rest would count against a new deadline
        if (n > 1 && !this.quiet()) break
      }
    } finally {
      this.firing = false
    }
    if (!this.stopped) this.arm()
  }
}
