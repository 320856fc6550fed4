// The audit log: who changed what, when, and what was refused. Two sources feed it:
// - the control log: every committed config write, grant, cancel, schedule change and approval
//   decision (a person's, or a gate's deadline: who is then 'timeout') carries who asked and
//   when (Attribution in consensus/control.ts), and every node records it as it applies the
//   entry, keyed by the entry's index, so re-applying after a restart writes the same record
//   and every node's log holds every mesh-wide change;
// - this node's admin service: job submissions with shell commands, and every refused
//   mutation (FORBIDDEN and friends), which never reach the log.
// Kept in LevelDB (bucket `audit`), newest first, pruned to a bounded number of records.
import type { ControlCommand } from '../../consensus/control.js'
import type { AuditEntry } from '../../wire/proto/admin.js'
import type { Store } from '../store/store.js'

export type AuditRecord = Omit<AuditEntry, 'cursor'>

/** Records kept; the oldest go first. ~300 bytes each, so about 30 MB at most. */
export const AUDIT_RETENTION = 100_000

type Sublevel = ReturnType<Store['sublevel']>

export class AuditLog {
  private readonly db: Sublevel
  private seq = 0
  /** Records put by this process (a put rewriting a key, as re-applying an entry does, counts too). */
  private puts = 0
  /**
   * Records held as the last prune counted them, and `puts` when it began: `held` plus the puts
   * since is never below what the log holds. Unknown until the first prune, which the first put
   * runs.
   */
  private counted?: { held: number, puts: number }
  private pruning?: Promise<void>
  /**
   * Records beyond the retention a prune waits for: a prune walks the newest `retention` keys,
   * so pruning every 1 000 records cost ~100 key reads a record at the default retention
   * (BENCHMARKS.md, issue 14, stop 46); a tenth of the retention makes it ~10.
   */
  private readonly slack: number
  /** Records waiting for the next batch, and that batch's write (see put). */
  private queue: Array<{ type: 'put', key: string, value: AuditRecord }> = []
  private batch?: Promise<void>

  constructor (store: Store, private readonly node: string, private readonly retention = AUDIT_RETENTION) {
    this.db = store.sublevel('audit')
    this.slack = Math.max(1, Math.floor(retention / 10))
  }

  /** A record for a committed control command, if it is one a client caused. */
  static fromCommand (index: number, cmd: ControlCommand): { cursor: string, record: Omit<AuditRecord, 'node'> } | undefined {
    let target = 'key' in cmd ? cmd.key : 'peerId' in cmd ? cmd.peerId : 'jobId' in cmd ? cmd.jobId : 'name' in cmd ? cmd.name : ''
    let detail = ''
    switch (cmd.op) {
      case 'config.set': detail = `${Buffer.byteLength(cmd.value)} bytes${cmd.expectVersion != null ? `, if at version ${cmd.expectVersion}` : ''}`; break
      case 'config.delete': break
      case 'grant.set': detail = `role ${cmd.role}${cmd.commands ? ' with commands' : ''}`; break
      case 'grant.remove': break
      case 'job.cancel': break
      case 'approval.decide':
        target = cmd.id
        detail = `${cmd.approved ? 'approved' : 'rejected'}${cmd.timeout === true ? ' at its deadline' : ''}${cmd.comment != null ? `; comment ${JSON.stringify(cmd.comment.slice(0, 512))}` : ''}`
        break
      case 'schedule.put': detail = `cron "${cmd.cron}"${cmd.tz != null ? ` in ${cmd.tz}` : ''}, misfire ${cmd.misfire}${cmd.paused ? ', paused' : ''}`; break
      case 'schedule.remove': break
      case 'schedule.pause': detail = cmd.paused ? 'paused' : 'resumed'; break
      default: return undefined
    }
    const at = cmd.at ?? 0
    return { cursor: `${hex16(at)}:i${hex16(index)}`, record: { at, who: cmd.by ?? '', action: cmd.op, target, outcome: 'ok', detail: `${detail}${detail !== '' ? '; ' : ''}log index ${index}` } }
  }

  /** Record a committed command (idempotent: the same index writes the same key). */
  async applied (index: number, cmd: ControlCommand): Promise<void> {
    const r = AuditLog.fromCommand(index, cmd)
    if (r == null) return
    await this.put(r.cursor, { ...r.record, node: 'log' })
  }

  /** Record something this node decided (a refusal, a command-job submission). */
  async local (record: Omit<AuditRecord, 'node'>): Promise<void> {
    await this.put(`${hex16(record.at)}:l${this.node.slice(-8)}${hex16(this.seq++)}`, { ...record, node: this.node })
  }

  /** Newest first; `before` is a cursor from an earlier page. */
  async list (limit: number, before = ''): Promise<{ entries: AuditEntry[], next: string }> {
    const entries: AuditEntry[] = []
    const opts = before !== '' ? { reverse: true, lt: before, limit } : { reverse: true, limit }
    for await (const [cursor, value] of this.db.iterator(opts)) entries.push({ cursor, ...(value as AuditRecord) })
    return { entries, next: entries.length === limit ? entries[entries.length - 1]!.cursor : '' }
  }

  /**
   * Records put in one turn of the event loop are written in one LevelDB batch: a Raft Ready
   * applies many entries at once, and a put each was ~6 % of every node's CPU under a stream of
   * config writes (BENCHMARKS.md, issue 14, stop 45). Resolves once the record is written.
   */
  private async put (cursor: string, record: AuditRecord): Promise<void> {
    this.queue.push({ type: 'put', key: cursor, value: record })
    this.batch ??= new Promise<void>(resolve => { setImmediate(resolve) }).then(async () => {
      const ops = this.queue
      this.queue = []
      this.batch = undefined
      await this.db.batch(ops)
    })
    await this.batch
    this.puts++
    const c = this.counted
    if (this.pruning === undefined && (c === undefined || c.held + this.puts - c.puts > this.retention + this.slack)) {
      this.pruning = this.prune().finally(() => { this.pruning = undefined })
      await this.pruning
    }
  }

  /** Drop the oldest records beyond the retention limit. */
  async prune (): Promise<void> {
    const puts = this.puts
    let n = 0
    let cut: string | undefined
    for await (const key of this.db.keys({ reverse: true }) as AsyncIterable<string>) {
      if (++n > this.retention) {
        cut = key
        break
      }
    }
    if (cut != null) await this.db.clear({ lte: cut })
    // puts made during the walk count again from here, whether the walk saw them or not
    this.counted = { held: Math.min(n, this.retention), puts }
  }
}

function hex16 (n: number): string {
  return n.toString(16).padStart(16, '0')
}
