// A seeded, discrete-time network for deterministic simulations of any message-passing core
// (Raft here; a Dijkstra–Scholten simulator can reuse it). Time is a step counter. Every
// message gets a random delay (so messages reorder), may be dropped or duplicated, and
// never crosses a partition — checked both when sent and when due, so a partition also
// cuts what was already in flight. All randomness comes from the injected PRNG, so one
// seed replays one run exactly.

export interface NetworkFaults {
  /** Probability that a message is lost. */
  readonly dropRate: number
  /** Probability that a message is delivered twice (independently delayed). */
  readonly duplicateRate: number
  /** Delay in steps, uniform in [minDelay, maxDelay]; minDelay ≥ 1 keeps a step finite. */
  readonly minDelay: number
  readonly maxDelay: number
}

export const CALM: NetworkFaults = { dropRate: 0, duplicateRate: 0, minDelay: 1, maxDelay: 1 }

export interface Envelope<M> {
  readonly from: string
  readonly to: string
  readonly msg: M
}

export interface NetworkStats {
  sent: number
  delivered: number
  dropped: number
  duplicated: number
  cut: number
}

export class SimNetwork<M> {
  faults: NetworkFaults
  readonly stats: NetworkStats = { sent: 0, delivered: 0, dropped: 0, duplicated: 0, cut: 0 }
  private readonly random: () => number
  /** due step → envelopes, in send order (shuffled when delivered). */
  private readonly queue = new Map<number, Array<Envelope<M>>>()
  /** node → partition group; nodes in different groups cannot talk. Absent = group 0. */
  private readonly group = new Map<string, number>()
  private now = 0

  constructor (random: () => number, faults: NetworkFaults = CALM) {
    this.random = random
    this.faults = faults
  }

  get time (): number {
    return this.now
  }

  connected (a: string, b: string): boolean {
    return (this.group.get(a) ?? 0) === (this.group.get(b) ?? 0)
  }

  /** Splits the listed nodes into groups; unlisted nodes join the first group. */
  partition (groups: ReadonlyArray<readonly string[]>): void {
    this.group.clear()
    groups.forEach((g, i) => { for (const id of g) this.group.set(id, i) })
  }

  isolate (id: string): void {
    this.group.set(id, -1 - this.group.size)
  }

  heal (): void {
    this.group.clear()
  }

  isPartitioned (): boolean {
    return this.group.size > 0
  }

  send (from: string, to: string, msg: M): void {
    this.stats.sent++
    if (!this.connected(from, to)) {
      this.stats.cut++
      return
    }
    if (this.random() < this.faults.dropRate) {
      this.stats.dropped++
      return
    }
    this.enqueue({ from, to, msg })
    if (this.random() < this.faults.duplicateRate) {
      this.stats.duplicated++
      this.enqueue({ from, to, msg })
    }
  }

  private enqueue (env: Envelope<M>): void {
    const { minDelay, maxDelay } = this.faults
    const due = this.now + minDelay + Math.floor(this.random() * (maxDelay - minDelay + 1))
    let bucket = this.queue.get(due)
    if (bucket === undefined) {
      bucket = []
      this.queue.set(due, bucket)
    }
    bucket.push(env)
  }

  /** Advances time one step and returns the messages due now, in random order. */
  advance (): Array<Envelope<M>> {
    this.now++
    const bucket = this.queue.get(this.now)
    if (bucket === undefined) return []
    this.queue.delete(this.now)
    // Fisher–Yates with the seeded PRNG: same-step messages arrive in any order
    for (let i = bucket.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1))
      const t = bucket[i]!
      bucket[i] = bucket[j]!
      bucket[j] = t
    }
    const out: Array<Envelope<M>> = []
    for (const env of bucket) {
      if (this.connected(env.from, env.to)) {
        out.push(env)
        this.stats.delivered++
      } else {
        this.stats.cut++
      }
    }
    return out
  }

  inFlight (): number {
    let n = 0
    for (const b of this.queue.values()) n += b.length
    return n
  }
}
