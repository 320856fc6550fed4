// The ready queue of one node: tasks waiting for a slot, by priority then arrival. The owner
// takes from the front of the highest priority (oldest first); thieves take from the back
// of the lowest priority (newest, least urgent), so stealing never jumps the local line for
// urgent work. Tasks this node cannot run (a capability it lacks) wait in the same queue
// for a capable thief; take() skips them. Pure and synchronous.

import { canRun } from './spec.js'

export interface Queued {
  id: string
  priority: number
  requires: readonly string[]
}

/** A FIFO with O(1) push/shift/pop that compacts as it drains. */
class Deque<T> {
  private items: Array<T | undefined> = []
  private head = 0

  get length (): number {
    return this.items.length - this.head
  }

  push (x: T): void {
    this.items.push(x)
  }

  /** In front of the oldest. */
  unshift (x: T): void {
    if (this.head > 0) this.items[--this.head] = x
    else this.items.unshift(x)
  }

  /** Oldest first. */
  * [Symbol.iterator] (): IterableIterator<T> {
    for (let i = this.head; i < this.items.length; i++) yield this.items[i] as T
  }

  /** Newest first. */
  * reversed (): IterableIterator<T> {
    for (let i = this.items.length - 1; i >= this.head; i--) yield this.items[i] as T
  }

  /** Removes the given items (identity), keeping order. */
  remove (gone: ReadonlySet<T>): void {
    if (gone.size === 0) return
    this.items = this.items.slice(this.head).filter(x => !gone.has(x as T))
    this.head = 0
  }

  shift (): T | undefined {
    if (this.head >= this.items.length) return undefined
    const x = this.items[this.head]
    this.items[this.head++] = undefined
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head)
      this.head = 0
    }
    return x
  }
}

export class ReadyQueue<T extends Queued> {
  private readonly byPriority = new Map<number, Deque<T>>()
  /** Priorities present, highest first. */
  private priorities: number[] = []
  private count = 0
  /** How many queued tasks this node cannot run itself. */
  private foreign = 0

  constructor (private readonly local: ReadonlySet<string>) {}

  get size (): number {
    return this.count
  }

  /** Tasks this node could start now (the rest wait for a thief). */
  get runnable (): number {
    return this.count - this.foreign
  }

  push (task: T): void {
    this.lane(task.priority).push(task)
    this.count++
    if (!canRun(this.local, task.requires)) this.foreign++
  }

  /**
   * Queues a task ahead of every other of its priority: work that already waited its turn
   * once (reclaimed from a node declared dead) does not wait behind the whole queue again.
   */
  pushFront (task: T): void {
    this.lane(task.priority).unshift(task)
    this.count++
    if (!canRun(this.local, task.requires)) this.foreign++
  }

  private lane (priority: number): Deque<T> {
    let q = this.byPriority.get(priority)
    if (q == null) {
      q = new Deque<T>()
      this.byPriority.set(priority, q)
      this.priorities.push(priority)
      this.priorities.sort((a, b) => b - a)
    }
    return q
  }

  /** The next task this node can run: highest priority, oldest first. */
  take (): T | undefined {
    if (this.runnable === 0) return undefined
    for (const p of this.priorities) {
      const q = this.byPriority.get(p)!
      // Fast path: the front is runnable here (the common case: no capability mismatch).
      const front = q.length > 0 ? q[Symbol.iterator]().next().value as T : undefined
      if (front == null) continue
      if (canRun(this.local, front.requires)) {
        q.shift()
        this.afterRemove(p, q, 1, 0)
        return front
      }
      for (const t of q) {
        if (canRun(this.local, t.requires)) {
          q.remove(new Set([t]))
          this.afterRemove(p, q, 1, 0)
          return t
        }
      }
    }
    return undefined
  }

  /**
   * Up to `max` tasks a node advertising `thief` can run, lowest priority and newest first;
   * removed from the queue. `foreignOnly`: only tasks this node cannot run itself.
   */
  steal (thief: ReadonlySet<string>, max: number, foreignOnly = false): T[] {
    const out: T[] = []
    const pred = foreignOnly
      ? (t: T) => canRun(thief, t.requires) && !canRun(this.local, t.requires)
      : (t: T) => canRun(thief, t.requires)
    for (const p of [...this.priorities].reverse()) {
      if (out.length >= max) break
      this.removeFrom(p, this.byPriority.get(p)!.reversed(), pred, out, max)
    }
    return out
  }

  /** How many queued tasks a node advertising `thief` could take. */
  stealable (thief?: ReadonlySet<string>): number {
    if (thief == null) return this.count
    let n = 0
    for (const q of this.byPriority.values()) for (const t of q) if (canRun(thief, t.requires)) n++
    return n
  }

  /** Calls `f` for every queued task (metrics read the queue by type this way, at collect time). */
  forEach (f: (t: T) => void): void {
    for (const q of this.byPriority.values()) for (const t of q) f(t)
  }

  /** Removes every task matching `pred` (e.g. a cancelled job's) and returns them. */
  drop (pred: (t: T) => boolean): T[] {
    const out: T[] = []
    for (const p of [...this.priorities]) this.removeFrom(p, this.byPriority.get(p)!, pred, out, Infinity)
    return out
  }

  /** Moves the tasks of priority `p` that match, in `order`, into `out` until it holds `max`. */
  private removeFrom (p: number, order: Iterable<T>, pred: (t: T) => boolean, out: T[], max: number): void {
    const q = this.byPriority.get(p)!
    const gone = new Set<T>()
    let foreign = 0
    for (const t of order) {
      if (out.length >= max) break
      if (!pred(t)) continue
      gone.add(t)
      out.push(t)
      if (!canRun(this.local, t.requires)) foreign++
    }
    q.remove(gone)
    this.afterRemove(p, q, gone.size, foreign)
  }

  private afterRemove (p: number, q: Deque<T>, n: number, foreign: number): void {
    this.count -= n
    this.foreign -= foreign
    if (q.length === 0) {
      this.byPriority.delete(p)
      this.priorities = this.priorities.filter(x => x !== p)
    }
  }
}
