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
//   drain            {phase, ...}                    this node's drain
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
  private readonly ring: MeshEvent[] = []
  private next = 1
  private readonly listeners = new Set<EventListener>()

  constructor (private readonly now: () => number, private readonly capacity = EVENT_RING) {}

  emit (type: string, data: Record<string, unknown>): MeshEvent {
    const e: MeshEvent = { id: this.next++, type, at: this.now(), data }
    this.ring.push(e)
    if (this.ring.length > this.capacity) this.ring.splice(0, this.ring.length - this.capacity)
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
    const first = this.ring.findIndex(e => e.id > id)
    return first < 0 ? [] : this.ring.slice(first, first + limit)
  }

  /** The newest `n` events, oldest first. */
  recent (n: number): MeshEvent[] {
    return this.ring.slice(-n)
  }

  get lastId (): number {
    return this.next - 1
  }

  /** Whether anyone is listening (progress events are computed only then). */
  get listening (): boolean {
    return this.listeners.size > 0
  }

  subscribe (fn: EventListener): () => void {
    this.listeners.add(fn)
    return () => { this.listeners.delete(fn) }
  }
}
