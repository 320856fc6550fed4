// Per-peer limits on inbound traffic, so one peer's flood is dropped and counted while the node
// keeps serving everyone else (the numbers, with their reasons, are in src/wire/constants.ts).
//
// PeerLimiter is a token bucket per peer, with the clock injected so tests need no wall clock.
// It is kept in the equivalent "theoretical arrival time" form (GCRA): one number per peer,
// the time at which its bucket will be full again. Taking n tokens pushes that time n
// intervals later; a take that would push it more than a burst's worth past now is refused.
// Unlike adding fractional tokens on every take, this does not drift: a peer asking every
// millisecond gets exactly the configured rate (summed fractional refills came up a hair short
// of a whole token each time, and cost such a peer about 9 % of a 100/s rate).
//
// Memory is bounded without a timer: peers are kept in a Map in order of last use (a take
// moves the peer to the end), so the idlest is first. A peer whose bucket is full again
// carries no state worth keeping (a new peer's bucket is full too), so such peers are
// forgotten from the front; beyond `maxPeers` the idlest is forgotten even if its bucket was
// not full yet, which at worst hands it a fresh burst.
import { MAX_LIMITED_PEERS, RATE_LIMIT_LOG_EVERY_MS, type RateLimit } from '../../wire/constants.js'
import type { Logger } from '../log.js'
import { countReject, type Metrics } from '../metrics.js'

export interface PeerLimiterInit extends RateLimit {
  /** Milliseconds; default Date.now. A clock going back refills nothing. */
  now?: () => number
  /** Peers tracked at most; default MAX_LIMITED_PEERS. */
  maxPeers?: number
}

/** Slack for floating-point sums of fractional intervals (rates that do not divide 1000). */
const EPSILON_MS = 1e-6

export class PeerLimiter {
  /** Per peer: when its bucket is full again (ms); in order of last use. */
  private readonly full = new Map<string, number>()
  /** Milliseconds per token. */
  private readonly interval: number
  /** How far past now a bucket's full time may be pushed: a whole burst. */
  private readonly tolerance: number
  private readonly now: () => number
  private readonly maxPeers: number

  constructor (init: PeerLimiterInit) {
    if (!(init.ratePerSec > 0) || !(init.burst >= 1)) throw new RangeError(`a rate limit needs ratePerSec > 0 and burst >= 1, not ${init.ratePerSec}/s burst ${init.burst}`)
    this.interval = 1000 / init.ratePerSec
    this.tolerance = init.burst * this.interval + EPSILON_MS
    this.now = init.now ?? Date.now
    this.maxPeers = Math.max(1, init.maxPeers ?? MAX_LIMITED_PEERS)
  }

  /**
   * Takes `n` tokens from `peer`'s bucket: true if it had them (go ahead), false if not (refuse;
   * nothing is taken, so a refused peer recovers at the full rate). More than a burst at
   * once is always refused.
   */
  take (peer: string, n = 1): boolean {
    const now = this.now()
    const prev = this.full.get(peer)
    const next = Math.max(prev ?? now, now) + n * this.interval
    const ok = next - now <= this.tolerance
    if (prev != null) this.full.delete(peer) // re-inserted: the Map stays in order of last use
    this.full.set(peer, ok ? next : prev ?? now)
    this.forget(now)
    return ok
  }

  /** Peers currently tracked. */
  get size (): number {
    return this.full.size
  }

  /** Drops peers whose buckets are full again from the front, and the idlest beyond the cap. */
  private forget (now: number): void {
    for (const [peer, full] of this.full) {
      if (this.full.size > this.maxPeers || full <= now) this.full.delete(peer)
      else break
    }
  }
}

/**
 * Refusals of one protocol: each is counted in rate_limited_total and logged at most once per
 * peer per RATE_LIMIT_LOG_EVERY_MS, so a flood does not become a flood of log lines.
 */
export class Refusals {
  /** One token per interval and peer: whether to log this refusal. */
  private readonly logs: PeerLimiter

  constructor (
    private readonly protocol: string,
    private readonly metrics: Metrics,
    private readonly log: Logger,
    now: () => number = Date.now
  ) {
    this.logs = new PeerLimiter({ ratePerSec: 1000 / RATE_LIMIT_LOG_EVERY_MS, burst: 1, now })
  }

  /** `why` completes "peer ...", e.g. "is over its rate limit". */
  count (peer: string, why: string): void {
    this.metrics.rateLimited.inc()
    countReject(this.metrics, this.protocol, 'rate_limited')
    if (this.logs.take(peer)) this.log.warn({ peer, protocol: this.protocol }, `peer ${why}: refusing its requests (logged once a minute per peer)`)
  }
}

/** A limiter as a protocol uses it: `admit(peer)` says whether to serve, and counts a refusal. */
export class RateGuard {
  private readonly limiter: PeerLimiter
  private readonly refusals: Refusals

  constructor (limit: RateLimit, protocol: string, metrics: Metrics, log: Logger, now: () => number = Date.now) {
    this.limiter = new PeerLimiter({ ...limit, now })
    this.refusals = new Refusals(protocol, metrics, log, now)
  }

  admit (peer: string): boolean {
    if (this.limiter.take(peer)) return true
    this.refusals.count(peer, 'is over its rate limit')
    return false
  }
}
