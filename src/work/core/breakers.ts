// Circuit breakers: a pure state machine per target (a peer, or a handler type), fed with
// outcomes and the time. The work core keeps two sets: per peer at a lender (stop lending to
// a peer whose delegated tasks keep failing) and per handler type on the executing node (stop
// offering a handler that fails every call). No clock of its own: every input takes `now`.
//
//   closed ──(N consecutive failures, or ≥ RATIO of the last WINDOW outcomes failed)──▶ open
//   open ──(cool-down over; tick)──▶ half-open: one probe is let through (allow())
//   half-open ──(probe succeeds)──▶ closed      half-open ──(probe fails)──▶ open (again)
//
// A probe that never reports (its batch lost with a dead peer) is given up after another
// cool-down, and a new probe is let through.

export type CircuitState = 'closed' | 'half-open' | 'open'

export interface BreakerConfig {
  /** Consecutive failures that open a closed circuit (0 = breakers off). */
  failures: number
  /** How long an open circuit stays open before it lets a probe through, ms. */
  coolDownMs: number
  /** Outcomes in the ratio window (default 20) and the failed share that opens (default 0.8). */
  window?: number
  ratio?: number
}

export const DEFAULT_BREAKER_FAILURES = 5
export const DEFAULT_BREAKER_COOL_DOWN_MS = 30_000
const DEFAULT_WINDOW = 20
const DEFAULT_RATIO = 0.8

export interface CircuitTransition {
  target: string
  from: CircuitState
  to: CircuitState
  reason: string
  /** Consecutive failures when it opened. */
  failures: number
  at: number
}

export interface CircuitView {
  target: string
  state: CircuitState
  /** Consecutive failures now. */
  failures: number
  /** When it last changed state (ms since the epoch). */
  since: number
  /** Open: when it lets a probe through. */
  retryAt?: number
  reason: string
}

interface Circuit {
  state: CircuitState
  consecutive: number
  /** The last outcomes, true = failed (a ring of at most `window`). */
  recent: boolean[]
  since: number
  openedAt: number
  /** Half-open: when the probe was let through (0 = not yet). */
  probeAt: number
  reason: string
}

export class Breakers {
  private readonly circuits = new Map<string, Circuit>()
  private readonly out: CircuitTransition[] = []
  /** Targets whose circuit is not closed (allow() is a map lookup when empty). */
  private notClosed = 0

  constructor (private readonly cfg: BreakerConfig) {}

  get enabled (): boolean {
    return this.cfg.failures > 0
  }

  /** Whether transitions wait to be taken (transitions()). */
  get changed (): boolean {
    return this.out.length > 0
  }

  /** Whether any circuit is open or half-open. */
  get anyOpen (): boolean {
    return this.notClosed > 0
  }

  state (target: string): CircuitState {
    return this.circuits.get(target)?.state ?? 'closed'
  }

  /** Whether work may go to (or run on) `target` now; in half-open, lets one probe through. */
  allow (target: string, now: number): boolean {
    if (this.notClosed === 0) return true
    const c = this.circuits.get(target)
    if (c == null || c.state === 'closed') return true
    if (c.state === 'open') return false
    if (c.probeAt === 0 || now - c.probeAt >= this.cfg.coolDownMs) {
      c.probeAt = now
      return true
    }
    return false
  }

  /** Whether work may go to `target` now, without taking the probe. */
  wouldAllow (target: string, now: number): boolean {
    const c = this.circuits.get(target)
    if (c == null || c.state === 'closed') return true
    if (c.state === 'open') return false
    return c.probeAt === 0 || now - c.probeAt >= this.cfg.coolDownMs
  }

  success (target: string, now: number): void {
    const c = this.circuits.get(target)
    if (c == null) return
    c.consecutive = 0
    this.note(c, false)
    if (c.state === 'half-open') this.move(target, c, 'closed', 'probe succeeded', now)
    else if (c.state === 'closed' && !c.recent.includes(true)) this.circuits.delete(target)
  }

  failure (target: string, now: number, reason: string): void {
    if (!this.enabled) return
    let c = this.circuits.get(target)
    if (c == null) {
      c = { state: 'closed', consecutive: 0, recent: [], since: now, openedAt: 0, probeAt: 0, reason: '' }
      this.circuits.set(target, c)
    }
    c.consecutive++
    this.note(c, true)
    c.reason = reason
    if (c.state === 'half-open') {
      this.move(target, c, 'open', `probe failed: ${reason}`, now)
      return
    }
    if (c.state !== 'closed') return
    const window = this.cfg.window ?? DEFAULT_WINDOW
    const failed = c.recent.filter(Boolean).length
    if (c.consecutive >= this.cfg.failures) {
      this.move(target, c, 'open', `${c.consecutive} consecutive failures, the last: ${reason}`, now)
    } else if (c.recent.length >= window && failed / c.recent.length >= (this.cfg.ratio ?? DEFAULT_RATIO)) {
      this.move(target, c, 'open', `${failed} of the last ${c.recent.length} failed, the last: ${reason}`, now)
    }
  }

  /** Open circuits whose cool-down is over go half-open. */
  tick (now: number): void {
    if (this.notClosed === 0) return
    for (const [target, c] of this.circuits) {
      if (c.state === 'open' && now - c.openedAt >= this.cfg.coolDownMs) this.move(target, c, 'half-open', `cool-down of ${this.cfg.coolDownMs} ms over: one probe goes through`, now)
    }
  }

  /** Forget a target (a peer declared dead): its circuit closes silently. */
  forget (target: string): void {
    const c = this.circuits.get(target)
    if (c == null) return
    if (c.state !== 'closed') this.notClosed--
    this.circuits.delete(target)
  }

  /** Transitions since the last call. */
  transitions (): CircuitTransition[] {
    return this.out.length === 0 ? [] : this.out.splice(0)
  }

  /** Circuits not closed, or closed with recent failures. */
  list (): CircuitView[] {
    const out: CircuitView[] = []
    for (const [target, c] of this.circuits) {
      out.push({ target, state: c.state, failures: c.consecutive, since: c.since, ...(c.state === 'open' ? { retryAt: c.openedAt + this.cfg.coolDownMs } : {}), reason: c.reason })
    }
    return out.sort((a, b) => a.target < b.target ? -1 : a.target > b.target ? 1 : 0)
  }

  /** Targets whose circuit is open or half-open. */
  openTargets (): string[] {
    if (this.notClosed === 0) return []
    const out: string[] = []
    for (const [target, c] of this.circuits) if (c.state !== 'closed') out.push(target)
    return out
  }

  private note (c: Circuit, failed: boolean): void {
    c.recent.push(failed)
    if (c.recent.length > (this.cfg.window ?? DEFAULT_WINDOW)) c.recent.shift()
  }

  private move (target: string, c: Circuit, to: CircuitState, reason: string, now: number): void {
    const from = c.state
    if (from === to) return
    if (from === 'closed') this.notClosed++
    if (to === 'closed') this.notClosed--
    c.state = to
    c.since = now
    c.reason = reason
    if (to === 'open') {
      c.openedAt = now
      c.probeAt = 0
    }
    if (to === 'half-open') c.probeAt = 0
    if (to === 'closed') {
      c.consecutive = 0
      c.recent = []
    }
    this.out.push({ target, from, to, reason, failures: c.consecutive, at: now })
  }
}
