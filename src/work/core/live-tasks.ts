// The live tasks of a home job that has not left home (WorkCore's `local`): which of its
// tasks are still queued or running here, so its home knows when the last one ends.

/**
 * A job's live task ids. Most jobs have one task, so one id is held without a Set: a Set per
 * job (its hash table made at submit, one add, one delete) was ~1 % of a busy home's main
 * thread in a run of one-task jobs, and its garbage (BENCHMARKS.md, issue 14, stop 46). A
 * second id makes the Set, kept for the job's life.
 */
export class LiveTasks {
  private one: string | undefined
  private many: Set<string> | undefined

  constructor (ids: Iterable<string> = []) {
    for (const id of ids) this.add(id)
  }

  get size (): number {
    return this.many != null ? this.many.size : this.one === undefined ? 0 : 1
  }

  add (id: string): void {
    if (this.many != null) this.many.add(id)
    else if (this.one === undefined || this.one === id) this.one = id
    else {
      this.many = new Set([this.one, id])
      this.one = undefined
    }
  }

  delete (id: string): boolean {
    if (this.many != null) return this.many.delete(id)
    if (this.one !== id) return false
    this.one = undefined
    return true
  }

  has (id: string): boolean {
    return this.many != null ? this.many.has(id) : this.one === id
  }

  /** The ids, in the order they were added. */
  ids (): string[] {
    if (this.many != null) return [...this.many]
    return this.one === undefined ? [] : [this.one]
  }
}
