// Ant-colony trail table for choosing which peer to steal from (or push to). Peers that
// served work well get pheromone deposited; all trails evaporate exponentially with time;
// a choice is a weighted random draw on trail^alpha × heuristic^beta. Pure: the caller
// supplies elapsed time and the random source, so the same inputs always choose the same.

import { defaultTrailOptions } from './options.js'
import type { TrailOptions } from './options.js'
import type { Rng } from '../prng.js'

export interface Candidate {
  peer: string
  /**
   * The caller's a-priori desirability, > 0 (ACO's eta): for stealing, e.g. 1 + the peer's
   * advertised queue length; for pushing, 1 / (1 + its load). Zero or less rules it out.
   */
  heuristic: number
}

/** Serialized form: the trails that are above the floor. */
export interface TrailSnapshot {
  trails: Array<{ peer: string, strength: number }>
}

export class TrailTable {
  private readonly options: TrailOptions
  private readonly trails = new Map<string, number>()

  constructor (init: Partial<TrailOptions> = {}) {
    this.options = { ...defaultTrailOptions, ...init }
    const { halfLifeMs, alpha, beta, floor, maxTrail } = this.options
    if (!(halfLifeMs > 0) || !(alpha >= 0) || !(beta >= 0) || !(floor > 0) || !(maxTrail >= floor)) {
      throw new RangeError(`invalid trail options ${JSON.stringify(this.options)}: need halfLifeMs > 0, alpha >= 0, beta >= 0, floor > 0 and maxTrail >= floor`)
    }
  }

  /** Reinforce a peer after a successful exchange; see serviceQuality for the amount. */
  deposit (peer: string, amount: number): void {
    if (!(amount > 0) || !Number.isFinite(amount)) return
    this.set(peer, Math.min(this.options.maxTrail, this.strength(peer) + amount))
  }

  /** Weaken a peer after a failed or empty exchange: its trail is multiplied by `factor`. */
  penalize (peer: string, factor = 0.5): void {
    const current = this.trails.get(peer)
    if (current === undefined) return
    this.set(peer, current * Math.min(1, Math.max(0, factor)))
  }

  /** Let every trail decay for `elapsedMs`: strength × 2^(−elapsed / halfLife). */
  evaporate (elapsedMs: number): void {
    if (!(elapsedMs > 0)) return
    const factor = Math.pow(0.5, elapsedMs / this.options.halfLifeMs)
    for (const [peer, strength] of [...this.trails]) this.set(peer, strength * factor)
  }

  /** The peer's raw trail strength; 0 when it has none. */
  strength (peer: string): number {
    return this.trails.get(peer) ?? 0
  }

  /** Forget a peer that left the mesh or was declared dead. */
  forget (peer: string): void {
    this.trails.delete(peer)
  }

  /** The unnormalized choice weight of each candidate, in order. */
  weights (candidates: readonly Candidate[]): number[] {
    const { alpha, beta, floor } = this.options
    return candidates.map(({ peer, heuristic }) => {
      if (!(heuristic > 0) || !Number.isFinite(heuristic)) return 0
      return Math.pow(Math.max(floor, this.strength(peer)), alpha) * Math.pow(heuristic, beta)
    })
  }

  /**
   * Draws one candidate with probability proportional to its weight. If every candidate is
   * ruled out by its heuristic the draw is uniform, so a caller that has candidates always
   * gets one. Returns undefined only for an empty list.
   */
  choose (candidates: readonly Candidate[], rng: Rng): string | undefined {
    if (candidates.length === 0) return undefined
    const weights = this.weights(candidates)
    let total = 0
    for (const w of weights) total += w
    if (!(total > 0) || !Number.isFinite(total)) {
      return candidates[Math.min(candidates.length - 1, Math.floor(rng() * candidates.length))]?.peer
    }
    let point = rng() * total
    for (let i = 0; i < candidates.length; i++) {
      const w = weights[i] ?? 0
      if (point < w) return candidates[i]?.peer
      point -= w
    }
    // Rounding can leave the point a hair past the last weight: take the last eligible one.
    for (let i = candidates.length - 1; i >= 0; i--) if ((weights[i] ?? 0) > 0) return candidates[i]?.peer
    return undefined
  }

  toJSON (): TrailSnapshot {
    return { trails: [...this.trails].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([peer, strength]) => ({ peer, strength })) }
  }

  static fromJSON (snapshot: TrailSnapshot, init: Partial<TrailOptions> = {}): TrailTable {
    const table = new TrailTable(init)
    for (const { peer, strength } of snapshot.trails) {
      if (typeof peer === 'string' && Number.isFinite(strength)) table.set(peer, Math.min(table.options.maxTrail, strength))
    }
    return table
  }

  /**
   * Trails that fade below the floor are dropped: they already weigh exactly as much as an
   * unexplored peer, and dropping them keeps the table as small as the set of useful peers.
   */
  private set (peer: string, strength: number): void {
    if (strength < this.options.floor) this.trails.delete(peer)
    else this.trails.set(peer, strength)
  }
}
