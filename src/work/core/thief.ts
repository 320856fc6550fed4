// The thief side of work stealing: which loaded peer to ask, how much to ask for, and what the
// last answers taught (hints fresher than heartbeats, pheromone trails). Pure: the work core
// sends the request and feeds the answer back.

import { TrailTable, serviceQuality } from '../../pheromone/index.js'
import type { Rng } from '../../prng.js'
import { JOB_LIMITS } from '../limits.js'
import { EMPTY_HINT_MS, PREFETCH_PER_SLOT, type PeerInfo } from './types.js'

export interface StealPlan { victim: string, want: number }

/** A thief's first steal, and its first after one that found nothing, asks for this part of its fair share (see Thief.ramp). */
export const RAMP_FIRST_PART = 8

export class Thief {
  private readonly trails = new TrailTable()
  /** What a victim told us it still holds, fresher than its last heartbeat. */
  private readonly hints = new Map<string, { queued: number, at: number }>()
  /** One steal at a time. */
  stealing = false
  /** When to look again after every loaded peer just answered empty (Infinity: not set). */
  retryAt = Infinity
  /**
   * The most the next steal asks for (0: an eighth of a fair share). A thief asks for an
   * eighth of its fair share first, then twice what it last got, up to the fair share, and
   * starts again from an eighth after a steal found nothing (a job's end: the next job is
   * new work). Nine thieves that each asked a fair share (~900 tasks) of a new job at once
   * waited for the victim to persist and send ~900 tasks to each thief before them (~40 ms
   * each: the last one started ~300–400 ms after the first). BENCHMARKS.md, issue 14, stop 26.
   */
  private ramp = 0

  /**
   * The peer to ask and how much to ask for, or undefined (then maybe retryAt is set: peers
   * that advertise work but just answered empty are looked at again shortly).
   */
  plan (peers: readonly PeerInfo[], self: string, isDead: (peer: string) => boolean, concurrency: number, now: number, rng: Rng): StealPlan | undefined {
    if (this.stealing) return undefined
    const candidates: Array<{ peer: string, heuristic: number }> = []
    let anyQueued = false
    for (const p of peers) {
      if (p.queued > 0) anyQueued = true
      if (p.peerId === self || isDead(p.peerId)) continue
      const heuristic = this.hint(p.peerId, p.queued, now)
      if (heuristic > 0) candidates.push({ peer: p.peerId, heuristic })
    }
    if (candidates.length === 0) {
      if (this.retryAt === Infinity && anyQueued) this.retryAt = now + EMPTY_HINT_MS
      return undefined
    }
    const victim = this.trails.choose(candidates, rng)
    if (victim == null) return undefined
    // Ask for a fair share of what the victim advertises (it grants at most half its spare
    // queue), no more than the ramp allows, and never less than a few tasks per slot so small
    // queues still move.
    const advertised = candidates.find(c => c.peer === victim)?.heuristic ?? 0
    const share = Math.ceil(advertised / (peers.length + 1))
    const fair = Math.min(share, this.ramp === 0 ? Math.ceil(share / RAMP_FIRST_PART) : this.ramp)
    const want = Math.min(JOB_LIMITS.batchTasks, Math.max(concurrency * PREFETCH_PER_SLOT * 2, fair))
    this.stealing = true
    return { victim, want }
  }

  /**
   * The victim answered with `got` new tasks. An empty grant (nothing this node may run, or
   * the victim drained meanwhile) rules the victim out until its next heartbeat, so a thief
   * never spins on it.
   */
  answered (victim: string, got: number, remaining: number, latencyMs: number, now: number): void {
    this.stealing = false
    this.hints.set(victim, { queued: got > 0 ? remaining : 0, at: now })
    this.ramp = got > 0 ? Math.min(JOB_LIMITS.batchTasks, Math.max(this.ramp, got) * 2) : 0
    if (got > 0) this.trails.deposit(victim, serviceQuality({ tasks: got, latencyMs }))
    else this.trails.penalize(victim)
  }

  failed (victim: string, now: number): void {
    this.stealing = false
    this.hints.set(victim, { queued: 0, at: now })
    this.trails.penalize(victim)
  }

  /** A fresh heartbeat replaces what the last grant told us about that peer. */
  advertised (peer: string): void {
    this.hints.delete(peer)
  }

  evaporate (elapsedMs: number): void {
    this.trails.evaporate(elapsedMs)
  }

  /**
   * How much a peer holds, as far as this node knows: what its last answer said, for a
   * short while, else what its last heartbeat advertised. An empty answer is not trusted
   * for long: heartbeats are a second apart, and a thief that waited for the next one after
   * every empty grant would idle through the end of every job.
   */
  private hint (peer: string, advertised: number, now: number): number {
    const h = this.hints.get(peer)
    if (h == null) return advertised
    if (h.queued === 0 && now - h.at > EMPTY_HINT_MS) {
      this.hints.delete(peer)
      return advertised
    }
    return h.queued
  }
}
