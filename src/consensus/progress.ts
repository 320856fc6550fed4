// What a leader knows about each follower's log, and how it paces replication to it.
// Mirrors etcd-io/raft tracker/progress.go:
//   probe     — we do not know where the follower's log diverges; send one AppendEntries
//               and wait for its answer (or a heartbeat response) before the next.
//   replicate — the follower is in sync; stream entries optimistically, at most
//               `inflights` messages unacknowledged.
//   snapshot  — the entries it needs are compacted; a snapshot is on its way.

export type ProgressState = 'probe' | 'replicate' | 'snapshot'

/** A bounded window of AppendEntries in flight, identified by their last index. */
export class Inflights {
  private readonly size: number
  private readonly queue: number[] = []

  constructor (size: number) {
    this.size = size
  }

  add (lastIndex: number): void {
    this.queue.push(lastIndex)
  }

  /** Frees every message whose last index is ≤ index (acknowledged). */
  freeLE (index: number): void {
    let n = 0
    while (n < this.queue.length && (this.queue[n] ?? Infinity) <= index) n++
    this.queue.splice(0, n)
  }

  freeFirstOne (): void {
    this.queue.shift()
  }

  full (): boolean {
    return this.queue.length >= this.size
  }

  count (): number {
    return this.queue.length
  }

  reset (): void {
    this.queue.length = 0
  }
}

export class Progress {
  /** Highest index known to be replicated on the follower. */
  match = 0
  /** Next index to send. */
  next: number
  state: ProgressState = 'probe'
  /** In probe state: an AppendEntries is outstanding; wait for an answer. */
  probeSent = false
  /** In snapshot state: the index of the snapshot sent. */
  pendingSnapshot = 0
  /** Leader ticks spent in snapshot state; a lost snapshot is retried after a while. */
  snapshotTicks = 0
  /** Heard from since the last check-quorum round. */
  recentActive = true
  /** The follower has verified this leader's certificate in this term; stop attaching it. */
  certAcked = false
  /**
   * The follower could not check our certificate against the voter set it trusts, set at this
   * index: attach the configuration links after it to the next message. Null: none.
   */
  chainFrom: number | null = null
  isLearner: boolean
  readonly inflights: Inflights

  constructor (next: number, isLearner: boolean, maxInflight: number) {
    this.next = next
    this.isLearner = isLearner
    this.inflights = new Inflights(maxInflight)
  }

  private resetState (state: ProgressState): void {
    this.probeSent = false
    this.pendingSnapshot = 0
    this.snapshotTicks = 0
    this.state = state
    this.inflights.reset()
  }

  becomeProbe (): void {
    if (this.state === 'snapshot') {
      // the snapshot may have been installed: probe just after it
      const pending = this.pendingSnapshot
      this.resetState('probe')
      this.next = Math.max(this.match + 1, pending + 1)
    } else {
      this.resetState('probe')
      this.next = this.match + 1
    }
  }

  becomeReplicate (): void {
    this.resetState('replicate')
    this.next = this.match + 1
  }

  becomeSnapshot (snapshotIndex: number): void {
    this.resetState('snapshot')
    this.pendingSnapshot = snapshotIndex
    this.next = snapshotIndex + 1
  }

  /** An acknowledgement up to n; false if it tells us nothing new (stale or duplicate). */
  maybeUpdate (n: number): boolean {
    let updated = false
    if (this.match < n) {
      this.match = n
      updated = true
      this.probeSent = false
    }
    this.next = Math.max(this.next, n + 1)
    return updated
  }

  /**
   * A rejection of the AppendEntries whose prevIndex was `rejected`; `matchHint` is where
   * the logs may match. False if the rejection is stale (answers an older message).
   */
  maybeDecrTo (rejected: number, matchHint: number): boolean {
    if (this.state === 'replicate') {
      if (rejected <= this.match) return false
      this.next = this.match + 1
      return true
    }
    // probes go one at a time, so a fresh rejection is always of next - 1
    if (this.next - 1 !== rejected) return false
    this.next = Math.max(Math.min(rejected, matchHint + 1), this.match + 1)
    this.probeSent = false
    return true
  }

  /** Bookkeeping after sending entries up to lastIndex (or an empty probe). */
  sentEntries (count: number, lastIndex: number): void {
    if (this.state === 'replicate') {
      if (count > 0) {
        this.next = lastIndex + 1
        this.inflights.add(lastIndex)
      }
    } else if (this.state === 'probe') {
      this.probeSent = true
    }
  }

  isPaused (): boolean {
    switch (this.state) {
      case 'probe': return this.probeSent
      case 'replicate': return this.inflights.full()
      case 'snapshot': return true
    }
  }
}
