// The node's event log: what `/v1/events` streams (server-sent events) to the dashboard,
// `meshnode top` and scripts. Every event has a sequence number, so a client that
// reconnects with Last-Event-ID gets what it missed while the log still holds it (a
// bounded ring: the newest EVENT_RING events). Pure: the clock is passed in.
//
// Event types (stable; add new ones freely, never rename):
//   member.alive | member.suspect | member.dead | member.left  {peerId, name?, from, reason}
//   leader.changed   {leader, term}                  this node's view of the leader
//   node.dead        {peerId, incarnation, reason}   a death committed through the log
//   node.alive       {peerId, incarnation}           a committed death cleared
//   job.submitted    {id, home, name?}               registered in the control log (every node)
//   job.completed | job.failed | job.cancelled  {id, home, state}   (every node)
//   job.rehomed      {id, from, to, epoch}           moved off a dead home (every node)
//   job.progress     {id, total, done, failed, cancelled}   at the job's home, at most every PROGRESS_MS
//   task.failed      {jobId, taskId, type, error, node}     on the node that ran it
//   task.timeout     {jobId, taskId, type, node, timeoutMs} an attempt killed at its timeout, on the node that ran it
//   work.reclaimed   {peerId, node, reclaimedBatches, requeued, abandonedBatches, dropped, jobs}
//                    a committed death of peerId made this node re-run what it lent it and give up what came from it
//   incident.opened | incident.updated  {id, kind, cause, state, title, opened, updated, nodes, jobs}
//                    the incident log (src/node/observe/incident-log.ts) opened or changed a record
//   member.alive also carries {incarnation, uptimeMs} of the life heard (the incident log's crash/pause evidence)
//   drain            {phase, ...}                    this node's drain
//   task.escalated   {jobId, taskId, type, node, step, attempt, maxAttempts, error, avoid?}
//                    a failed attempt's step on the escalation ladder, on the node that ran
//                    it: step retry-here | other-node (avoid: the nodes it failed on) |
//                    failed (attempts used up) | capped (restart cap reached)
//   circuit.opened | circuit.half-open | circuit.closed  {kind, target, node, reason, failures, from}
//                    a circuit breaker on `node` changed state: kind peer (target a peer id,
//                    at a lender) or handler (target a task type, on the node that runs it)
//   job.stuck        {id, home, stuckForMs, code, text, peers?, capabilities?, repairs?}
//                    at the job's home: no progress for stuck.afterMs, and why (src/healing/stuck.ts;
//                    code: held-by-dead | held-by-unreachable | no-capable-node | handler-timeouts |
//                    partition | circuit-open | results-undelivered | unknown); again when the
//                    diagnosis changes or a repair (`repairs`: re-sends, probes) was tried
//   job.unstuck      {id, home}                      it progresses again, or it is over
//   resource.pressure {node, resource: memory|disk, value, limit, state: over|ok}
//                    this node crossed a resource limit: over it, it takes no new work
//   approval.requested {id, job, step, prompt, home, deadline, onTimeout, approvers?}
//                    a workflow's approval gate was recorded in the control log (every node)
//   approval.decided {id, job, step, state: approved|rejected|cancelled, by?, comment?, decidedAt?}
//                    a gate was decided (by a key, or `by: "timeout"`) or cancelled with its job (every node)
//   schedule.fired   {name, at, jobId, home, lateMs}   on the leader that fired the occurrence
//   schedule.moved   {name, at, jobId, from, to}       on the leader that took an occurrence off a home declared dead
//   schedule.failed  {name, at, jobId, code, error}    at the home: the occurrence's job cannot run (recorded failed)
export interface MeshEvent {
  /** 1, 2, 3, … in the order this node saw them (resets when the node restarts). */
  id: number
  type: string
  /** Milliseconds since the epoch. */
  at: number
  data: Record<string, unknown>
}

export type EventListener = (e: MeshEvent) => void

export const EVENT_RING = 2_000

export class EventLog {
  /** A circular buffer: event `id` lives at `(id - 1) % capacity` (O(1) per event: 50 000 job events a run). */
  private readonly ring: Array<MeshEvent | undefined>
  private next = 1
  private readonly listeners = new Set<EventListener>()
  /** Listeners that want job.progress (a client of /v1/events); see `listening`. */
  private progressListeners = 0
  /** Told when `listening` turns true or false (the progress sampler runs only while it is true). */
  readonly onListening: Array<(listening: boolean) => void> = []

  constructor (private readonly now: () => number, private readonly capacity = EVENT_RING) {
    this.ring = new Array<MeshEvent | undefined>(capacity)
  }

  emit (type: string, data: Record<string, unknown>): MeshEvent {
    const e: MeshEvent = { id: this.next++, type, at: this.now(), data }
    this.ring[(e.id - 1) % this.capacity] = e
    if (this.listeners.size === 0) return e
    for (const fn of this.listeners) {
      try {
        fn(e)
      } catch {
        // A listener's failure (a closed socket) is its own; the others still hear.
      }
    }
    return e
  }

  /** Events after `id` still held, oldest first, at most `limit`. */
  since (id: number, limit = this.capacity): MeshEvent[] {
    const oldest = Math.max(1, this.next - this.capacity)
    const out: MeshEvent[] = []
    for (let i = Math.max(id + 1, oldest); i < this.next && out.length < limit; i++) out.push(this.ring[(i - 1) % this.capacity]!)
    return out
  }

  /** The newest `n` events, oldest first. */
  recent (n: number): MeshEvent[] {
    return this.since(Math.max(0, this.next - 1 - n))
  }

  get lastId (): number {
    return this.next - 1
  }

  /**
   * Whether anyone listens for job.progress (progress events are computed only then). A
   * node's own listeners that ignore progress (the incident log) do not count: they are always
   * subscribed, and computing progress for every active job every PROGRESS_MS and every
   * finished job cost a busy home ~3 % of its CPU in one-task jobs (issue 14).
   */
  get listening (): boolean {
    return this.progressListeners > 0
  }

  /** `progress: false`: this listener ignores job.progress, so it does not make it computed. */
  subscribe (fn: EventListener, opts: { progress?: boolean } = {}): () => void {
    if (this.listeners.has(fn)) return () => {}
    const counts = opts.progress !== false
    this.listeners.add(fn)
    if (counts && this.progressListeners++ === 0) this.tellListening(true)
    return () => {
      if (this.listeners.delete(fn) && counts && --this.progressListeners === 0) this.tellListening(false)
    }
  }

  private tellListening (listening: boolean): void {
    for (const fn of this.onListening) fn(listening)
  }
}
