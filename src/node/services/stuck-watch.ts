// Stuck-job watch: the I/O shell of src/healing/stuck.ts. Every few seconds it asks the work
// core for the running jobs homed here that have not progressed for `stuck.afterMs`, adds
// what the node knows of its peers (membership, committed deaths, unanswered requests,
// quorum contact, open circuits when a breaker layer supplies them), lets the tracker
// diagnose them, emits `job.stuck` / `job.unstuck` into the event log, and carries out the
// repairs the tracker asks for: re-send the batches a silent peer holds, and probe it.
import { StuckTracker, type CircuitEvidence, type NodeEvidence, type PeerEvidence, type PeerState, type StuckState } from '../../healing/stuck.js'
import type { EventLog } from '../observe/events.js'
import type { Logger } from '../log.js'
import type { WorkShell } from './work-shell.js'

/** The default stall before a job is flagged stuck (stuck.afterMs). */
export const DEFAULT_STUCK_AFTER_MS = 60_000
/** Checks run every afterMs / CHECKS_PER_STALL, within these bounds: detection lags afterMs by at most one check. */
const CHECKS_PER_STALL = 4
const MIN_CHECK_MS = 250
const MAX_CHECK_MS = 5_000

/** What a job's view and listing show of a stuck job. */
export interface StuckView {
  /** How long the job has made no progress, ms. */
  sinceMs: number
  code: string
  text: string
  peers?: string[]
  capabilities?: string[]
}

export interface StuckWatchComponents {
  engine: Pick<WorkShell, 'started' | 'stuckEvidence' | 'resendTo' | 'unansweredSince' | 'isFenced' | 'capabilities'>
  membership: { view: () => Array<{ peerId: string, name: string, state: string, lastSeenMs: number, capabilities: string[] }>, probeNow?: (peerId: string) => void }
  isDead: (peer: string) => boolean
  quorumLastContactMs: () => number | null | undefined
  events: EventLog
  log: Pick<Logger, 'info' | 'warn'>
  self: string
  now: () => number
}

export interface StuckWatchInit {
  afterMs?: number
  /** Open circuit breakers, when the node has them (the breakers layer). */
  circuits?: () => CircuitEvidence | undefined
}

export class StuckWatch {
  readonly tracker: StuckTracker
  private readonly afterMs: number
  private timer?: NodeJS.Timeout
  /** Counters for status and metrics. */
  readonly counters = { flagged: 0, repairs: 0 }

  constructor (private readonly c: StuckWatchComponents, private readonly init: StuckWatchInit = {}) {
    this.afterMs = init.afterMs ?? DEFAULT_STUCK_AFTER_MS
    this.tracker = new StuckTracker(this.afterMs)
  }

  async start (): Promise<void> {
    if (this.afterMs <= 0) return
    const every = Math.min(MAX_CHECK_MS, Math.max(MIN_CHECK_MS, Math.floor(this.afterMs / CHECKS_PER_STALL)))
    this.timer = setInterval(() => {
      try {
        this.check()
      } catch (err) {
        this.c.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'stuck-job check failed')
      }
    }, every)
    this.timer.unref?.()
  }

  async stop (): Promise<void> {
    clearInterval(this.timer)
    this.timer = undefined
  }

  /** A job's stuck state as its view shows it, or undefined if it is not stuck. */
  view (jobId: string): StuckView | undefined {
    const s = this.tracker.get(jobId)
    return s == null ? undefined : viewOf(s, this.c.now())
  }

  /** Every job homed here that is stuck now. */
  all (): Array<[string, StuckView]> {
    const now = this.c.now()
    return [...this.tracker.all()].map(([id, s]) => [id, viewOf(s, now)])
  }

  /** One check (the timer's; tests call it directly). */
  check (): void {
    const { engine } = this.c
    if (!engine.started) return
    const now = this.c.now()
    const jobs = engine.stuckEvidence(now - this.afterMs)
    if (jobs.length === 0 && this.tracker.all().size === 0) return
    const { stuck, unstuck } = this.tracker.check(jobs, this.evidence(jobs.flatMap(j => j.lent.map(l => l.peer))), now)
    for (const id of unstuck) {
      this.c.events.emit('job.unstuck', { id, home: this.c.self })
      this.c.log.info({ job: id }, 'job progresses again')
    }
    for (const r of stuck) {
      const done: string[] = []
      if (r.repair != null) {
        for (const peer of r.repair.resendTo) {
          const n = engine.resendTo(peer)
          if (n > 0) done.push(`re-sent ${n} batch${n === 1 ? '' : 'es'} to ${peer}`)
        }
        for (const peer of r.repair.probe) {
          if (this.c.membership.probeNow == null) continue
          this.c.membership.probeNow(peer)
          done.push(`probed ${peer}`)
        }
        this.counters.repairs += done.length
      }
      const s = r.state
      const first = s.flaggedAt === now
      if (first) this.counters.flagged++
      this.c.events.emit('job.stuck', {
        id: r.jobId,
        home: this.c.self,
        stuckForMs: r.stuckForMs,
        code: s.code,
        text: s.text,
        ...(s.peers != null ? { peers: s.peers } : {}),
        ...(s.capabilities != null ? { capabilities: s.capabilities } : {}),
        ...(done.length > 0 ? { repairs: done } : {})
      })
      if (first || done.length === 0) this.c.log.warn({ job: r.jobId, code: s.code, stuckForMs: r.stuckForMs, why: s.text, ...(done.length > 0 ? { repairs: done } : {}) }, 'job stuck')
      else this.c.log.info({ job: r.jobId, code: s.code, repairs: done }, 'stuck job: repairs tried')
    }
  }

  private evidence (lentTo: readonly string[]): NodeEvidence {
    const { engine, membership } = this.c
    const peers: PeerEvidence[] = []
    const seen = new Set<string>()
    for (const p of membership.view()) {
      seen.add(p.peerId)
      peers.push(peerEvidence(p.peerId, p, this.c.isDead(p.peerId), engine.unansweredSince(p.peerId)))
    }
    for (const peer of lentTo) {
      if (seen.has(peer)) continue
      seen.add(peer)
      peers.push(peerEvidence(peer, undefined, this.c.isDead(peer), engine.unansweredSince(peer)))
    }
    const circuits = this.init.circuits?.()
    return {
      self: this.c.self,
      capabilities: engine.capabilities,
      fenced: engine.isFenced,
      quorumLastContactMs: this.c.quorumLastContactMs() ?? null,
      peers,
      ...(circuits != null ? { circuits } : {})
    }
  }
}

function peerEvidence (peerId: string, p: { name: string, state: string, lastSeenMs: number, capabilities: string[] } | undefined, declaredDead: boolean, unansweredSince: number | undefined): PeerEvidence {
  return {
    peerId,
    ...(p != null && p.name !== '' ? { name: p.name } : {}),
    ...(p != null ? { state: p.state as PeerState, lastSeenMs: p.lastSeenMs } : {}),
    declaredDead,
    ...(unansweredSince != null ? { unansweredSince } : {}),
    capabilities: p?.capabilities ?? []
  }
}

function viewOf (s: StuckState, now: number): StuckView {
  return {
    sinceMs: Math.max(0, now - s.since),
    code: s.code,
    text: s.text,
    ...(s.peers != null ? { peers: s.peers } : {}),
    ...(s.capabilities != null ? { capabilities: s.capabilities } : {})
  }
}
