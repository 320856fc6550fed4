// The retention runner: on the leader, every few seconds, it asks the retention policy
// (src/consensus/retention.ts) which finished jobs are due and proposes them as `jobs.delete`
// entries, one entry in flight at a time. Every node applies the entry (ControlState drops
// the jobs from the registry) and the work layer deletes its local records of them
// (WorkShell.forgetJobs). A follower does nothing: a new leader picks up where the last one
// stopped, since the decision reads only the replicated registry, config and the clock.
import { MAX_JOBS_PER_DELETE, decideRetention, retentionPolicy, type RetentionDecision } from '../../consensus/retention.js'
import type { ConsensusService } from './consensus.js'
import type { Logger } from '../log.js'

export interface RetentionOptions {
  /** How often the leader sweeps the registry: retention is about days, not milliseconds. */
  sweepEveryMs: number
  /** A sweep that found nothing is skipped while nothing was applied and this little time passed. */
  idleSweepMs: number
  /** Job ids per jobs.delete entry (at most MAX_JOBS_PER_DELETE). */
  batch: number
  /** Entries one scan of the registry may decide: a big backlog costs fewer full scans. */
  batchesPerScan: number
}

export const defaultRetentionOptions: RetentionOptions = {
  sweepEveryMs: 5_000,
  // A registry of a million entries takes tens of ms to scan: not every 5 s for nothing.
  idleSweepMs: 60_000,
  // MAX_JOBS_PER_DELETE: ~250 KB per entry, well under a raft frame; fewer sweeps over a big registry.
  batch: 10_000,
  // A scan of a million entries costs ~0.3 s: decide ten entries' worth from each.
  batchesPerScan: 10
}

export type RetentionConsensus = Pick<ConsensusService, 'status' | 'control' | 'propose'>

export class RetentionService {
  private timer?: NodeJS.Timeout
  private busy = false
  private stopped = false
  private idleAt = { index: -1, at: -Infinity }
  private readonly opts: RetentionOptions

  constructor (private readonly consensus: RetentionConsensus, private readonly log: Pick<Logger, 'info' | 'warn'>, opts: Partial<RetentionOptions> = {}, private readonly now: () => number = Date.now) {
    this.opts = { ...defaultRetentionOptions, ...opts }
  }

  async start (): Promise<void> {
    this.timer = setInterval(() => { void this.sweep() }, this.opts.sweepEveryMs)
    this.timer.unref?.()
  }

  async stop (): Promise<void> {
    this.stopped = true
    clearInterval(this.timer)
  }

  /** One sweep (leader only), repeated at once while more is due. Exposed for tests. */
  async sweep (): Promise<void> {
    if (this.busy || this.stopped) return
    this.busy = true
    try {
      for (;;) {
        if (this.consensus.status()?.role !== 'leader') return
        const control = this.consensus.control
        const now = this.now()
        if (control.appliedIndex === this.idleAt.index && now - this.idleAt.at < this.opts.idleSweepMs) return
        const batch = Math.max(1, Math.min(this.opts.batch, MAX_JOBS_PER_DELETE))
        const d = decideRetention(control.jobs, retentionPolicy(control.config), now, batch * Math.max(1, this.opts.batchesPerScan))
        if (d.delete.length === 0 && d.expireResults.length === 0) {
          this.idleAt = { index: control.appliedIndex, at: now }
          return
        }
        if (!await this.carryOut(d, batch)) return
        if (!d.more) return
      }
    } finally {
      this.busy = false
    }
  }

  /** Proposes the decision as jobs.delete entries of at most `batch` ids, one at a time. */
  private async carryOut (d: RetentionDecision, batch: number): Promise<boolean> {
    try {
      for (let i = 0; i < d.delete.length; i += batch) {
        if (this.stopped || this.consensus.status()?.role !== 'leader') return false
        const jobIds = d.delete.slice(i, i + batch)
        const r = await this.consensus.propose({ op: 'jobs.delete', jobIds })
        if (!r.ok) throw new Error(`${r.code}: ${r.message}`)
        this.log.info({ jobs: jobIds.length, first: jobIds[0], more: d.more || i + batch < d.delete.length }, 'retention: finished jobs forgotten')
      }
      for (let i = 0; i < d.expireResults.length; i += batch) {
        if (this.stopped || this.consensus.status()?.role !== 'leader') return false
        const jobIds = d.expireResults.slice(i, i + batch)
        const r = await this.consensus.propose({ op: 'jobs.delete', jobIds, resultsOnly: true })
        if (!r.ok) throw new Error(`${r.code}: ${r.message}`)
        this.log.info({ jobs: jobIds.length, more: d.more || i + batch < d.expireResults.length }, 'retention: results of finished jobs expired')
      }
      return true
    } catch (err: any) {
      // The next sweep decides again from the registry as it then is.
      this.log.warn({ err: err?.message }, 'retention: could not commit a jobs.delete; will retry')
      return false
    }
  }
}
