// The node's incident log: subscribes to the event log (events.ts), lets the incident policy
// (src/healing/incidents.ts) turn events into incident records, stores every record it opens
// or changes in the LevelDB bucket `incidents`, and emits `incident.opened` /
// `incident.updated` back into the event log for the dashboard and scripts. Records survive a
// restart (loaded on start); retention deletes records not updated within `maxAgeMs` and the
// oldest beyond `max`, at start and every PRUNE_EVERY_MS.
import { IncidentBook, INCIDENT_CAUSES, countIncidents, toPrune, type Incident } from '../../healing/incidents.js'
import { Bucket, type Store } from '../store/store.js'
import { registerIncidentMetrics, type IncidentMetrics } from '../metrics.js'
import { errorMessage } from '../errors.js'
import type { Logger } from '../log.js'
import type { EventLog, MeshEvent } from './events.js'
import type { Registry } from 'prom-client'

/** How often retention runs (and at start). */
export const PRUNE_EVERY_MS = 60_000

export interface IncidentLogComponents {
  store: Store
  events: EventLog
  log: Logger
  registry: Registry
}

export interface IncidentLogOptions {
  self: string
  maxAgeMs: number
  max: number
  now?: () => number
}

/** The fields of an incident that incident.opened / incident.updated events carry. */
export function incidentHeader (r: Incident): Record<string, unknown> {
  return { id: r.id, kind: r.kind, cause: r.cause, state: r.state, title: r.title, opened: r.opened, updated: r.updated, nodes: r.nodes, jobs: r.jobs }
}

export class IncidentLog {
  private readonly book: IncidentBook
  private readonly bucket: Bucket<Incident>
  private readonly metrics: IncidentMetrics
  private unsubscribe?: () => void
  private timer?: NodeJS.Timeout
  /** Writes in order, one at a time; stop() waits for the last. */
  private writes: Promise<void> = Promise.resolve()
  private readonly now: () => number

  constructor (private readonly c: IncidentLogComponents, private readonly opts: IncidentLogOptions) {
    this.book = new IncidentBook(opts.self)
    this.bucket = new Bucket<Incident>(c.store.sublevel('incidents') as unknown as ConstructorParameters<typeof Bucket<Incident>>[0])
    this.now = opts.now ?? Date.now
    this.metrics = registerIncidentMetrics(c.registry, INCIDENT_CAUSES, () => countIncidents(this.book.list()).open)
  }

  async start (): Promise<void> {
    const stored = await this.bucket.entries()
    this.book.load(stored.map(([, r]) => r))
    await this.prune()
    // It ignores job.progress (onEvent), so it does not make the node compute it.
    this.unsubscribe = this.c.events.subscribe(e => { this.onEvent(e) }, { progress: false })
    this.timer = setInterval(() => { void this.prune() }, PRUNE_EVERY_MS)
    this.timer.unref()
  }

  async stop (): Promise<void> {
    this.unsubscribe?.()
    clearInterval(this.timer)
    await this.writes
  }

  /** Incidents opened at or after `since` (ms since the epoch), newest first, at most `limit`. */
  list (since = 0, limit = Infinity): Incident[] {
    const out: Incident[] = []
    for (const r of this.book.list()) {
      if (r.opened < since && r.updated < since) continue
      out.push(r)
      if (out.length >= limit) break
    }
    return out
  }

  get (id: string): Incident | undefined {
    return this.book.get(id)
  }

  private onEvent (e: MeshEvent): void {
    if (e.type.startsWith('incident.') || e.type === 'job.progress') return
    const changed = this.book.apply(e)
    for (const { incident, opened } of changed) {
      if (opened) this.metrics.opened(incident.cause)
      const copy = structuredClone(incident)
      this.write(async () => { await this.bucket.put(copy.id, copy) })
      this.c.events.emit(opened ? 'incident.opened' : 'incident.updated', incidentHeader(incident))
    }
  }

  private write (fn: () => Promise<void>): void {
    this.writes = this.writes.then(fn).catch((err: unknown) => { this.c.log.warn({ err: errorMessage(err) }, 'cannot write the incident log') })
  }

  private async prune (): Promise<void> {
    const ids = toPrune(this.book.list(), this.now(), this.opts.maxAgeMs, this.opts.max)
    if (ids.length === 0) return
    this.book.forget(ids)
    for (const id of ids) this.write(async () => { await this.bucket.del(id) })
    await this.writes
    this.c.log.info({ deleted: ids.length }, 'incident log pruned (retention)')
  }
}
