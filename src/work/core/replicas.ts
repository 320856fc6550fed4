// Job replicas, so that a job outlives its home (DESIGN.md "Healing"). Before a submit is
// acknowledged, the home writes each job's definition (its root tasks) to a few live peers;
// the registry entry names them, and when the home is declared dead the control state moves
// the job to the first of them still alive, which runs it again from its roots in a new home
// generation. This file holds the bookkeeping of both sides; the work core sends, persists
// and decides. Pure: no I/O, no clock, randomness only through the rng it is given.

import type { Rng } from '../../prng.js'
import type { JobReplica, SealedReplicas } from '../records.js'
import { rootTaskId, type Task } from '../spec.js'
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
  /**
   * Set key → how many of its jobs are still held in it. A count, not a Set of ids: `ids` says
   * which set a job is in, and a job joins a set once (addSet skips a job held already) and
   * leaves it once (own, delete), so the count is what a Set's size would be, without a Set
   * entry per job beside the Map entry (stop 33: addSet was 5–8 % of a holder's CPU).
   */
  private readonly sets = new Map<string, number>()
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
    const ids = this.ids
    let added = 0
    for (const id of jobIds) {
      if (ids.has(id)) continue
      ids.set(id, key)
      added++
    }
    if (added > 0) this.sets.set(key, (this.sets.get(key) ?? 0) + added)
    return added > 0
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
    if (members > 1) {
      this.sets.set(set, members - 1)
      return undefined
    }
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

/**
 * A replica set as stored: one value per replicate message, each job's definition without
 * what the set already says — the home once for all; a root task's job id, home and (when it
 * is the job's i-th root id) its id; zero attempts, timeouts and priorities. A one-task job
 * takes ~110 bytes instead of ~380, and that is most of what a holder writes and stringifies
 * per job (BENCHMARKS.md, issue 14, stop 25). Lossless: a field that differs from what is
 * implied is kept. Sets written before this form are plain JobReplica arrays; both read back.
 */
export interface StoredReplicaSet {
  home: string
  jobs: StoredReplica[]
}

type StoredReplica = Omit<JobReplica, 'home' | 'tasks'> & { home?: string, tasks: StoredRoot[] }
type StoredRoot = Omit<Task, 'id' | 'jobId' | 'home' | 'attempts' | 'timeoutMs' | 'priority'> & Partial<Pick<Task, 'id' | 'jobId' | 'home' | 'attempts' | 'timeoutMs' | 'priority'>>

/** The value stored for a replicate message from `home`. */
export function packReplicaSet (home: string, jobs: readonly JobReplica[]): StoredReplicaSet {
  return { home, jobs: jobs.map(j => packReplica(j, home)) }
}

function packReplica (j: JobReplica, home: string): StoredReplica {
  const { home: own, tasks, ...rest } = j
  const out: StoredReplica = { ...rest, tasks: tasks.map((t, i) => packRoot(t, j, i)) }
  if (own !== home) out.home = own
  return out
}

function packRoot (t: Task, j: JobReplica, i: number): StoredRoot {
  const { id, jobId, home, attempts, timeoutMs, priority, ...rest } = t
  const out: StoredRoot = rest
  if (id !== rootTaskId(j.id, i)) out.id = id
  if (jobId !== j.id) out.jobId = jobId
  if (home !== j.home) out.home = home
  if (attempts !== 0) out.attempts = attempts
  if (timeoutMs !== 0) out.timeoutMs = timeoutMs
  if (priority !== 0) out.priority = priority
  return out
}

function unpackReplica (s: StoredReplica, setHome: string): JobReplica {
  const { home: own, tasks, ...rest } = s
  const home = own ?? setHome
  return {
    ...rest,
    home,
    tasks: tasks.map((t, i): Task => {
      const { id, jobId, home: taskHome, attempts, timeoutMs, priority, type, payload, requires, maxAttempts, ...more } = t
      return { id: id ?? rootTaskId(s.id, i), jobId: jobId ?? s.id, type, payload, requires, maxAttempts, attempts: attempts ?? 0, timeoutMs: timeoutMs ?? 0, priority: priority ?? 0, home: taskHome ?? home, ...more }
    })
  }
}

/**
 * A replica set as stored since stop 26: the replicate message's definitions as they came,
 * still encoded (SealedReplicas), with the home that sent them. A holder's cost per submit is
 * then a copy of the bytes, whatever the jobs and tasks in them (a 10 000-task job cost each
 * holder ~20–65 ms to decode, check, build and pack before; BENCHMARKS.md, issue 14, stop 26).
 * Only a job re-homed here is decoded, and checked as a decoded replica always was
 * (src/wire/work-codec.ts readReplicaSet).
 */
export interface SealedReplicaSet {
  home: string
  ids: string[]
  sealed: string
  /** `sealed` is raw-deflated (since stop 49; store schema 6: an older meshnode would read it as no replica). */
  deflated?: true
}

export function sealedReplicaSet (home: string, sealed: SealedReplicas): SealedReplicaSet {
  const set: SealedReplicaSet = { home, ids: sealed.ids, sealed: sealed.body }
  if (sealed.deflated === true) set.deflated = true
  return set
}

export function isSealedReplicaSet (value: unknown): value is SealedReplicaSet {
  return value != null && typeof (value as SealedReplicaSet).sealed === 'string'
}

/** The job ids of a stored replica set (any form). */
export function replicaSetIds (value: unknown): string[] {
  if (isSealedReplicaSet(value)) return value.ids
  const jobs = Array.isArray(value) ? value as JobReplica[] : (value as StoredReplicaSet).jobs
  return jobs.map(j => j.id)
}

/**
 * One job's definition out of a stored replica set of a decoded form (packed, or a JobReplica
 * array before stop 25); undefined if not in it. A sealed set needs the wire decoder: read
 * any set through readReplicaSet (src/wire/work-codec.ts).
 */
export function replicaFromSet (value: unknown, jobId: string): JobReplica | undefined {
  if (value == null || isSealedReplicaSet(value)) return undefined
  if (Array.isArray(value)) return (value as JobReplica[]).find(j => j.id === jobId)
  const set = value as StoredReplicaSet
  const s = set.jobs.find(j => j.id === jobId)
  return s != null ? unpackReplica(s, set.home) : undefined
}
