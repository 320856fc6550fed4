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

/** Where a held replica is stored: its own key, or a set stored under one key per replicate message. */
export interface ReplicaKey { bucket: 'replicas' | 'replicaSets', key: string }

/**
 * The replicas this node holds for other homes (ids only: the definitions stay in LevelDB
 * until a re-home needs one). Maintenance checks a rotating slice of them against the
 * registry, so a mesh with many running jobs pays a bounded cost per round.
 *
 * A replicate message (one submit request: up to thousands of jobs) is stored as ONE value, a
 * replica set keyed by its first job id, and deleted once every job in it is over: one put
 * and one delete per submit instead of per job (issue 14: per-job keys cost each holder
 * ~40 µs per one-task job). A job adopted here gets its own key (it carries the adopted
 * generation) and leaves its set.
 */
export class HeldReplicas {
  /** jobId → the set holding it, or undefined for a replica under its own key. */
  private readonly ids = new Map<string, string | undefined>()
  /** Set key → the jobs of it still held. */
  private readonly sets = new Map<string, Set<string>>()
  private cursor?: Iterator<string>

  constructor (ids: Iterable<string> = [], sets: Iterable<{ key: string, jobIds: readonly string[] }> = []) {
    for (const s of sets) this.addSet(s.key, s.jobIds)
    // A job with its own key (adopted here) is no longer its set's.
    for (const id of ids) this.own(id)
  }

  get size (): number {
    return this.ids.size
  }

  has (jobId: string): boolean {
    return this.ids.has(jobId)
  }

  /** The set a held job is stored in (undefined: its own key, or not held). */
  setOf (jobId: string): string | undefined {
    return this.ids.get(jobId)
  }

  /** Jobs of a replicate message, stored under `key`: those not held yet join the set. False if none is new. */
  addSet (key: string, jobIds: readonly string[]): boolean {
    let members = this.sets.get(key)
    let added = false
    for (const id of jobIds) {
      if (this.ids.has(id)) continue
      if (members == null) this.sets.set(key, members = new Set())
      members.add(id)
      this.ids.set(id, key)
      added = true
    }
    return added
  }

  /**
   * The job's replica is now stored under its own key (adopted here): it leaves its set. Returns
   * the set's key when that left it empty (delete it).
   */
  own (jobId: string): ReplicaKey | undefined {
    const set = this.ids.get(jobId)
    this.ids.set(jobId, undefined)
    return set != null ? this.leave(set, jobId) : undefined
  }

  /** Stops holding the job: what to delete from the store (its own key, or its set once empty). */
  delete (jobId: string): ReplicaKey | undefined {
    if (!this.ids.has(jobId)) return undefined
    const set = this.ids.get(jobId)
    this.ids.delete(jobId)
    return set == null ? { bucket: 'replicas', key: jobId } : this.leave(set, jobId)
  }

  private leave (set: string, jobId: string): ReplicaKey | undefined {
    const members = this.sets.get(set)
    if (members == null) return undefined
    members.delete(jobId)
    if (members.size > 0) return undefined
    this.sets.delete(set)
    return { bucket: 'replicaSets', key: set }
  }

  /** The next `n` ids of the rotation (deleting the current one while iterating is safe). */
  * slice (n: number): Generator<string> {
    for (let i = 0; i < n && this.ids.size > 0; i++) {
      this.cursor ??= this.ids.keys()
      const next = this.cursor.next()
      if (next.done === true) {
        this.cursor = undefined
        return
      }
      yield next.value
    }
  }
}
