// Job replicas, so that a job outlives its home (DESIGN.md "Healing"). Before a submit is
// acknowledged, the home writes each job's definition (its root tasks) to a few live peers;
// the registry entry names them, and when the home is declared dead the control state moves
// the job to the first of them still alive, which runs it again from its roots in a new home
// generation. This file holds the bookkeeping of both sides; the work core sends, persists
// and decides. Pure: no I/O, no clock, randomness only through the rng it is given.

import type { Rng } from '../../prng.js'
import type { JobReplica } from '../records.js'
import type { PeerInfo } from './types.js'

/** A submission waiting for its replicas before it is registered. */
export interface Replicating {
  replicas: JobReplica[]
  /** Holders wanted. */
  want: number
  /** Peers that stored every replica. */
  holders: string[]
  /** Peers asked (answered or not) and not to be picked again for now. */
  tried: Set<string>
  /** Requests in flight. */
  asking: number
  /** Until when failed holders are asked again and open slots looked for. */
  patience: number
  /** Failed holders to ask again at `retryAt` (Infinity: no retry armed). */
  retry: string[]
  retryAt: number
}

/**
 * Up to `n` live peers, at random, to hold replicas: any member may become a job's home, and
 * spreading the copies spreads the re-homed jobs when a busy home dies.
 */
export function pickHolders (peers: readonly PeerInfo[], self: string, isDead: (peer: string) => boolean, exclude: ReadonlySet<string>, n: number, rng: Rng): string[] {
  if (n <= 0) return []
  const pool: string[] = []
  for (const p of peers) if (p.peerId !== self && !exclude.has(p.peerId) && !isDead(p.peerId)) pool.push(p.peerId)
  // A partial Fisher–Yates shuffle: the first n of a random permutation.
  const k = Math.min(n, pool.length)
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rng() * (pool.length - i))
    const t = pool[i]!
    pool[i] = pool[j]!
    pool[j] = t
  }
  return pool.slice(0, k)
}

/**
 * The replicas this node holds for other homes (ids only: the definitions stay in LevelDB
 * until a re-home needs one). Maintenance checks a rotating slice of them against the
 * registry, so a mesh with many running jobs pays a bounded cost per round.
 */
export class HeldReplicas {
  private readonly ids = new Set<string>()
  private cursor?: Iterator<string>

  constructor (ids: Iterable<string> = []) {
    for (const id of ids) this.ids.add(id)
  }

  get size (): number {
    return this.ids.size
  }

  has (jobId: string): boolean {
    return this.ids.has(jobId)
  }

  add (jobId: string): boolean {
    if (this.ids.has(jobId)) return false
    this.ids.add(jobId)
    return true
  }

  delete (jobId: string): boolean {
    return this.ids.delete(jobId)
  }

  /** The next `n` ids of the rotation (deleting the current one while iterating is safe). */
  * slice (n: number): Generator<string> {
    for (let i = 0; i < n && this.ids.size > 0; i++) {
      this.cursor ??= this.ids.values()
      const next = this.cursor.next()
      if (next.done === true) {
        this.cursor = undefined
        return
      }
      yield next.value
    }
  }
}
