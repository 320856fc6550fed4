// Failed attempts waiting out their backoff: a deadline per task instead of a timer. Pure.

import type { Task } from '../spec.js'

export class Retries {
  private readonly waiting = new Map<string, { at: number, task: Task }>()
  /** Earliest deadline; -1 when it must be recomputed. */
  private min = Infinity

  get size (): number {
    return this.waiting.size
  }

  add (task: Task, at: number): void {
    this.waiting.set(task.id, { at, task })
    if (this.min !== -1 && at < this.min) this.min = at
  }

  get next (): number {
    if (this.min === -1) {
      let m = Infinity
      for (const v of this.waiting.values()) if (v.at < m) m = v.at
      this.min = m
    }
    return this.min
  }

  /** How many tasks of a job wait out a backoff (stuck-job evidence: O(waiting)). */
  countJob (jobId: string): number {
    let n = 0
    for (const r of this.waiting.values()) if (r.task.jobId === jobId) n++
    return n
  }

  /** Removes and returns the waiting tasks of a job (cancelled). */
  dropJob (jobId: string): Task[] {
    const out: Task[] = []
    for (const [id, r] of this.waiting) {
      if (r.task.jobId !== jobId) continue
      this.waiting.delete(id)
      out.push(r.task)
    }
    if (out.length > 0) this.min = -1
    return out
  }

  /** Removes the waiting tasks with these ids (their lineage was abandoned). */
  drop (ids: ReadonlySet<string>): void {
    let any = false
    for (const id of ids) if (this.waiting.delete(id)) any = true
    if (any) this.min = -1
  }

  /** Removes and returns the tasks whose backoff is over. */
  due (now: number): Task[] {
    if (this.next > now) return []
    const out: Task[] = []
    for (const [id, r] of this.waiting) {
      if (r.at > now) continue
      this.waiting.delete(id)
      out.push(r.task)
    }
    this.min = -1
    return out
  }
}
