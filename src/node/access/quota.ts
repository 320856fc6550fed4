// A cap on unfinished jobs per granted submitter, so one client key cannot fill a node with
// work (issue: limits against abuse). Counted at the node the jobs came in through: the ids it
// accepted for each caller, dropped once the registry says they are over. The node's own
// operator key (the local CLI, scripts, benchmarks) is not capped.
import { MeshError } from '../errors.js'
import type { Principal } from './policy.js'

export class SubmitQuota {
  private readonly pending = new Map<string, Set<string>>()

  constructor (
    /** Unfinished jobs one caller may have; 0 = no cap. */
    private readonly max: number,
    /** Whether a job is still unfinished (registered running, or not yet registered). */
    private readonly unfinished: (jobId: string) => boolean
  ) {}

  /** Throws TOO_MANY_PENDING if `n` more jobs would take `caller` over the cap. */
  admit (caller: Principal, n: number): void {
    if (this.max === 0 || caller.kind === 'local') return
    const ids = this.pending.get(caller.peerId)
    if (ids == null || ids.size + n <= this.max) return
    // Only when the cap is near: forget the jobs that have finished since.
    for (const id of ids) if (!this.unfinished(id)) ids.delete(id)
    if (ids.size === 0) this.pending.delete(caller.peerId)
    if (ids.size + n > this.max) {
      throw new MeshError('TOO_MANY_PENDING', `${caller.peerId} has ${ids.size} unfinished jobs through this node; at most ${this.max} (--max-pending-jobs). Wait for some to finish.`)
    }
  }

  submitted (caller: Principal, jobIds: readonly string[]): void {
    if (this.max === 0 || caller.kind === 'local') return
    let ids = this.pending.get(caller.peerId)
    if (ids == null) this.pending.set(caller.peerId, ids = new Set())
    for (const id of jobIds) ids.add(id)
  }
}
