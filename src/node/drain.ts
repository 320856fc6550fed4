// A node leaving the mesh for good (`meshnode drain`, SIGTERM): the steps and their order,
// and where they stand for the operator. The work core does the handing off (WorkCore.drain:
// no submits, no steals, queued tasks pushed to peers as batches they engage for); this waits
// until it holds nothing — or the deadline — then hands leadership over and retires the node
// through the control log, so that nothing it held can be stranded:
//
//   draining  the work layer hands off; running tasks finish here; jobs homed here run to
//             their end (a re-home would re-run them from their roots, so it is the last resort)
//   leaving   leadership goes to a caught-up voter; then node.dead(self, incarnation,
//             'drained' | 'drain deadline passed') is committed. A peer that still counts
//             anything as lent here (a signal lost at the last moment, a push that raced the
//             drain) re-runs it, as for any committed death, and jobs still homed here are
//             re-homed to a replica holder. A node that only announced `left` would never be
//             declared dead, and such work would wait for it forever.
//             Then the node leaves the Raft configuration: the leader commits a single-server
//             change removing it, so the voters left keep a majority without it (a 2-voter
//             mesh that loses one gracefully becomes a 1-voter mesh that keeps working).
//   left      the node announces `left` (membership) and stops.
import type { DrainProgress } from '../work/core.js'
import type { DrainStatus } from '../wire/proto/admin.js'
import { errorMessage } from './errors.js'

export type DrainState = 'draining' | 'leaving' | 'left'

/** What a drain uses of the node: narrow, so a unit test can fake it. */
export interface DrainHost {
  /** Starts the work layer's drain (idempotent) and says where it stands. */
  work: { drain: () => void, drainProgress: () => DrainProgress | undefined }
  /** Heartbeat now, so peers learn at once that this node takes no pushed work. */
  announce: () => void
  /** Live peers (alive in membership): with none, there is no one to hand work to. */
  livePeers: () => number
  /** Hands leadership to a caught-up voter if this node leads; true if it did. */
  transferLeadership: () => Promise<boolean>
  /** Commits node.dead(self) through the control log (forwarded to the leader). */
  retire: (reason: string) => Promise<void>
  /** Has the leader remove this node from the Raft configuration and waits for the commit. */
  leaveRaft?: () => Promise<void>
  now: () => number
  sleep: (ms: number) => Promise<void>
  log: { info: (o: object, m: string) => void, warn: (o: object, m: string) => void }
}

/** How often the drain looks at the work layer. */
export const DRAIN_POLL_MS = 100
/** How often a drain under way is logged. */
const DRAIN_LOG_EVERY_MS = 5_000

const NOTHING: DrainProgress = { done: true, queued: 0, running: 0, lent: 0, engaged: 0, outbox: 0, homeJobs: 0, inFlight: 0, handedOff: 0, finished: 0 }

/** Exit codes of `meshnode drain` and of `meshnode start` after a drain (README, Commands). */
export const EXIT_DRAINED = 0
/** The deadline passed: the node retired anyway, and its peers re-run what it still held. */
export const EXIT_DRAIN_DEADLINE = 5

export class Drain {
  readonly startedAt: number
  readonly deadlineAt: number
  state: DrainState = 'draining'
  /** Resolves with the final status once the node has retired (or failed to). */
  readonly done: Promise<DrainStatus>
  private leftover: DrainProgress = NOTHING
  private clean = false
  private declaredDead = false
  private transferred = false
  private leftRaft = false
  private retireError?: string
  private leaveError?: string
  private last: DrainProgress = NOTHING
  private endedAt?: number
  /** No live peer when the drain began: the node stopped without draining. */
  private alone = false

  constructor (private readonly host: DrainHost, readonly deadlineMs: number) {
    this.startedAt = host.now()
    this.deadlineAt = this.startedAt + deadlineMs
    this.done = this.run()
  }

  /** The exit code this drain ends the process with (see EXIT_DRAINED). */
  get exitCode (): number {
    if (this.state !== 'left') return 1
    if (this.alone) return EXIT_DRAINED
    if (!this.declaredDead) return 1
    return this.clean ? EXIT_DRAINED : EXIT_DRAIN_DEADLINE
  }

  status (): DrainStatus {
    const p = this.state === 'draining' ? (this.host.work.drainProgress() ?? NOTHING) : this.state === 'left' ? this.leftover : this.last
    const handed = this.state === 'draining' ? p : this.last
    return {
      state: this.state,
      startedAt: this.startedAt,
      deadlineAt: this.deadlineAt,
      elapsedMs: Math.max(0, (this.endedAt ?? this.host.now()) - this.startedAt),
      queued: p.queued,
      running: p.running,
      lent: p.lent,
      engaged: p.engaged,
      outbox: p.outbox,
      homeJobs: p.homeJobs,
      inFlight: p.inFlight,
      handedOff: handed.handedOff,
      finished: handed.finished,
      clean: this.state === 'left' && this.clean,
      declaredDead: this.declaredDead,
      leadershipTransferred: this.transferred,
      leftRaft: this.leftRaft,
      summary: this.summary()
    }
  }

  private async run (): Promise<DrainStatus> {
    const { host } = this
    if (host.livePeers() === 0) {
      // Alone: nobody could take its work or re-home its jobs. It stops as for a restart —
      // its work stays on disk and resumes when it starts again.
      this.alone = true
      this.last = host.work.drainProgress() ?? NOTHING
      this.leftover = this.last
      this.endedAt = host.now()
      this.state = 'left'
      const final = this.status()
      host.log.warn({}, final.summary)
      return final
    }
    host.work.drain()
    host.announce()
    host.log.info({ deadlineMs: this.deadlineMs }, 'draining: handing work to peers before leaving the mesh')
    let loggedAt = this.startedAt
    for (;;) {
      const p = host.work.drainProgress() ?? NOTHING
      this.last = p
      if (p.done) break
      const now = host.now()
      if (now >= this.deadlineAt) break
      if (now - loggedAt >= DRAIN_LOG_EVERY_MS) {
        loggedAt = now
        host.log.info({ ...p }, 'draining')
      }
      await host.sleep(DRAIN_POLL_MS)
    }
    this.clean = this.last.done
    this.endedAt = host.now()
    this.leftover = this.clean ? { ...NOTHING, handedOff: this.last.handedOff, finished: this.last.finished } : this.last
    this.state = 'leaving'
    if (!this.clean) host.log.warn({ ...this.last }, 'drain deadline passed: retiring anyway; peers re-run what is left here and jobs homed here are re-homed')
    try {
      this.transferred = await host.transferLeadership()
    } catch (err) {
      host.log.warn({ err: errorMessage(err) }, 'could not hand leadership over')
    }
    try {
      await host.retire(this.clean ? 'drained' : 'drain deadline passed')
      this.declaredDead = true
    } catch (err) {
      this.retireError = errorMessage(err)
      host.log.warn({ err: this.retireError }, 'could not record the leave in the control log: what this node holds stays on its disk and resumes if it starts again')
    }
    if (this.declaredDead && host.leaveRaft != null) {
      try {
        await host.leaveRaft()
        this.leftRaft = true
      } catch (err) {
        this.leaveError = errorMessage(err)
        host.log.warn({ err: this.leaveError }, 'could not leave the Raft configuration: this node still counts as a voter (remove it with: meshnode operator raft remove-peer)')
      }
    }
    this.state = 'left'
    const final = this.status()
    host.log.info({ clean: final.clean, handedOff: final.handedOff, finished: final.finished, declaredDead: final.declaredDead }, final.summary)
    return final
  }

  private summary (): string {
    const secs = (ms: number): string => `${(ms / 1000).toFixed(1)} s`
    if (this.alone) return `no live peer to hand work to: stopped without draining; ${describe(this.leftover) || 'nothing'} stays on this node's disk and resumes when it starts again`
    const moved = `${this.last.handedOff} task${this.last.handedOff === 1 ? '' : 's'} handed off to peers, ${this.last.finished} finished here`
    if (this.state === 'draining') {
      return `draining for ${secs(this.host.now() - this.startedAt)} of ${secs(this.deadlineMs)}: ${moved}; still ${describe(this.host.work.drainProgress() ?? NOTHING) || 'nothing'} here`
    }
    if (this.state === 'leaving') return `${this.clean ? 'drained' : 'deadline passed'}: ${moved}; handing leadership over and retiring`
    const left = this.clean ? 'nothing was left' : `the deadline (${secs(this.deadlineMs)}) passed with ${describe(this.leftover)} still here`
    const fate = this.declaredDead
      ? (this.clean
          ? 'retired through the control log; it can be stopped for good'
          : 'retired through the control log (node.dead): peers re-run what it held and its jobs are re-homed to replica holders')
      : `could not retire through the control log (${this.retireError ?? 'unknown error'}): what it holds stays on its disk and runs again if it is started again`
    const raft = !this.declaredDead || this.host.leaveRaft == null
      ? ''
      : this.leftRaft ? '; removed from the voters' : `; still a voter (${this.leaveError ?? 'unknown error'}): remove it with meshnode operator raft remove-peer`
    return `${this.clean ? 'drained' : 'drain incomplete'} after ${secs((this.endedAt ?? this.host.now()) - this.startedAt)}: ${moved}; ${left}${this.transferred ? '; leadership handed over' : ''}; ${fate}${raft}`
  }
}

/** "3 queued, 1 running, 2 lent batches, 1 job homed here", leaving out zeros. */
export function describe (p: DrainProgress): string {
  const parts: string[] = []
  const n = (v: number, one: string, many = `${one}s`): void => { if (v > 0) parts.push(`${v} ${v === 1 ? one : many}`) }
  n(p.queued, 'queued task')
  n(p.running, 'running task')
  n(p.lent, 'lent batch', 'lent batches')
  n(p.engaged, 'batch taken from a peer', 'batches taken from peers')
  n(p.outbox, 'result not yet at its home', 'results not yet at their home')
  n(p.homeJobs, 'unfinished job homed here', 'unfinished jobs homed here')
  n(p.inFlight, 'message in flight', 'messages in flight')
  return parts.join(', ')
}
