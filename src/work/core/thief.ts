// The thief side of work stealing: which loaded peer to ask, how much to ask for, and what the
// last answers taught (hints fresher than heartbeats, pheromone trails). Pure: the work core
// sends the request and feeds the answer back.

import { TrailTable, serviceQuality } from '../../pheromone/index.js'
import type { Rng } from '../../prng.js'
import { JOB_LIMITS } from '../limits.js'
import { EMPTY_HINT_MS, EMPTY_QUIET_MS, PREFETCH_PER_SLOT, type PeerInfo } from './types.js'

export interface StealPlan { victim: string, want: number }

/** A thief's first steal, and its first after one that found nothing, asks for this part of its fair share (see Thief.ramp). */
export const RAMP_FIRST_PART = 8

/** Each answered steal takes a quarter off what the slowest earlier one counts for (see Thief.lowWater). */
export const ANSWER_DECAY = 0.75

export class Thief {
  private readonly trails = new TrailTable()
  /** What a victim told us it still holds, fresher than its last heartbeat. */
  private readonly hints = new Map<string, { queued: number, at: number }>()
  /** One steal at a time. */
  stealing = false
  /** When to look again after every loaded peer just answered empty (Infinity: not set). */
  retryAt = Infinity
  /** Until when no peer is asked after a steal that found nothing (see answered). */
  private quietUntil = 0
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
   * How long steals that brought tasks took to be answered, the slowest recent one counting
   * most: each answer takes a quarter off what the earlier ones count for (ANSWER_DECAY). See lowWater.
   */
  private answerMs = 0

  /**
   * Queued tasks below which this node asks for more: enough to keep every slot busy while a
   * steal is answered. At least PREFETCH_PER_SLOT per slot; more when recent answers took
   * longer than that many rounds of its slots (`taskMs`: a task's mean run time here). A
   * fixed two per slot (~20 ms of 10 ms tasks) ran thieves dry: a grant of a few hundred
   * tasks from a home busy with a new job took 30-180 ms to come back (BENCHMARKS.md, issue
   * 14, stop 31). Above PREFETCH_PER_SLOT per slot a steal is early, and plan() asks only a
   * victim that holds far more (see there); what a node keeps for itself out of reach of
   * thieves (WorkCore.stealable) stays PREFETCH_PER_SLOT per slot, so the end of a job is
   * still shared out to the last few tasks per slot.
   */
  lowWater (concurrency: number, taskMs: number): number {
    const rounds = taskMs > 0 && this.answerMs > 0 ? Math.ceil(this.answerMs / taskMs) : 0
    return Math.min(JOB_LIMITS.batchTasks / 2, concurrency * Math.max(PREFETCH_PER_SLOT, rounds))
  }

  /**
   * The peer to ask and how much to ask for, or undefined (then maybe retryAt is set: peers
   * that advertise work but just answered empty are looked at again shortly). `queued`: the
   * runnable tasks this node holds. An early steal — this node still holds more than
   * PREFETCH_PER_SLOT per slot, below its lowWater — asks only a peer that advertises more
   * than twice that: two thieves each below their marks at the end of a job would otherwise
   * take the same tasks back and forth (after a grant of half the victim's spare, the thief
   * holds more than the victim has left to advertise, so the victim cannot steal it back early).
   */
  plan (peers: readonly PeerInfo[], self: string, isDead: (peer: string) => boolean, concurrency: number, now: number, rng: Rng, taskMs = Number.NaN, queued = 0): StealPlan | undefined {
    if (this.stealing) return undefined
    if (now < this.quietUntil) {
      if (this.retryAt > this.quietUntil) this.retryAt = this.quietUntil
      return undefined
    }
    const candidates: Array<{ peer: string, heuristic: number }> = []
    const least = queued >= concurrency * PREFETCH_PER_SLOT ? 2 * queued : 0
    let anyQueued = false
    for (const p of peers) {
      if (p.queued > 0) anyQueued = true
      if (p.peerId === self || isDead(p.peerId)) continue
      const heuristic = this.hint(p.peerId, p.queued, now)
      if (heuristic > least) candidates.push({ peer: p.peerId, heuristic })
    }
    if (candidates.length === 0) {
      // (An early steal that found no peer far richer waits for the ordinary one.)
      if (this.retryAt === Infinity && anyQueued && least === 0) this.retryAt = now + EMPTY_HINT_MS
      return undefined
    }
    const victim = this.trails.choose(candidates, rng)
    if (victim == null) return undefined
    // Ask for a fair share of what the victim advertises (it grants at most half its spare
    // queue), no more than the ramp allows, and never less than a few tasks per slot above
    // the low-water mark so small queues still move.
    const advertised = candidates.find(c => c.peer === victim)?.heuristic ?? 0
    const share = Math.ceil(advertised / (peers.length + 1))
    const fair = Math.min(share, this.ramp === 0 ? Math.ceil(share / RAMP_FIRST_PART) : this.ramp)
    const want = Math.min(JOB_LIMITS.batchTasks, Math.max(this.lowWater(concurrency, taskMs) + concurrency * PREFETCH_PER_SLOT, fair))
    this.stealing = true
    return { victim, want }
  }

  /**
   * The victim answered with `got` new tasks. An empty grant (nothing this node may run, or
   * the victim drained meanwhile) rules the victim out until its next heartbeat, so a thief
   * never spins on it, and keeps this thief from asking anyone for EMPTY_QUIET_MS unless a
   * heartbeat advertises work meanwhile (advertised). At a job's end heartbeats are stale:
   * every peer that held work a moment ago still advertises it, and a thief that asked them
   * one after another at once sent ~80 steals per job of 200 tasks among ten nodes, nearly
   * all empty — each a stream, a decode, a flush's turn and a reply on two of ten processes
   * sharing two cores, just as the job's last outcomes travelled to its home (half of them,
   * and a job's completion p50 10 → 3–4 ms: BENCHMARKS.md, issue 14, stop 35).
   */
  answered (victim: string, got: number, remaining: number, latencyMs: number, now: number): void {
    this.stealing = false
    this.quietUntil = got > 0 ? 0 : now + EMPTY_QUIET_MS
    this.hints.set(victim, { queued: got > 0 ? remaining : 0, at: now })
    this.ramp = got > 0 ? Math.min(JOB_LIMITS.batchTasks, Math.max(this.ramp, got) * 2) : 0
    if (got > 0) this.answerMs = Math.max(latencyMs, this.answerMs * ANSWER_DECAY)
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
    this.quietUntil = 0
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
