// Keeps a TopModel current from one node's HTTP API: the first snapshot (/v1/status,
// /v1/members, /v1/jobs?state=running), then /v1/events for everything live. It asks the
// API again only for what the events do not carry:
// - /v1/status and /v1/members after a member.*, leader.changed or node.* event (debounced);
// - /v1/status every STATUS_REFRESH_MS (3 s), for load and last-seen, which no event carries;
// - /v1/jobs/ID every STATUS_REFRESH_MS for at most DETAIL_LIMIT running jobs homed on other
//   nodes, whose progress only their home streams;
// - /v1/jobs?state=running after the stream reconnects, for jobs that finished meanwhile.
import type { JobSummary } from '../client/jobs-json.js'
import type { StatusJson } from '../client/status-json.js'
import { followEvents, type SseItem } from '../client/event-stream.js'
import type { HttpClient } from '../client/http.js'
import { MeshError, errorMessage, isMeshError, type MeshErrorCode } from '../errors.js'
import { TopModel, type MembersJson, type TopEvent } from './model.js'

/** Load and last-seen are re-read this often (no event carries them). */
export const STATUS_REFRESH_MS = 3_000
/** Membership is re-read this long after the first of a burst of member/leader events. */
const MEMBERS_DEBOUNCE_MS = 300
/** Running jobs homed elsewhere whose counts are re-read per refresh. */
const DETAIL_LIMIT = 8
/** The running jobs listed at start (newest first). */
const JOBS_LIMIT = 1_000
/** How long --once waits for the node's replay of recent events. */
const BACKLOG_WAIT_MS = 3_000

const REFRESH_ON = /^(member\.|leader\.changed$|node\.)/

export interface FeedHooks {
  /** Every event, as it arrives (`replay`: from the backlog a first connection starts with). */
  onEvent?: (e: TopEvent, replay: boolean) => void
  /** The model changed (an event, a refresh, the connection). */
  onChange?: () => void
  /** The stream dropped (once per outage, with why) or is live again after one. */
  onConnection?: (state: 'reconnecting' | 'live', reason: string) => void
}

export class TopFeed {
  readonly model = new TopModel()
  /** /v1/members is readable (an anonymous caller from another host may read status only). */
  private members = true
  private membersTimer: NodeJS.Timeout | undefined

  constructor (private readonly client: HttpClient, private readonly hooks: FeedHooks = {}, private readonly now: () => number = Date.now) {}

  /** The first picture. Throws what the node refuses (not running, FORBIDDEN) as a MeshError. */
  async snapshot (): Promise<void> {
    this.model.status(await this.client.get<StatusJson>('/v1/status'), this.now())
    await this.refreshMembers()
    const askedAt = this.now()
    const list = await this.client.get<{ jobs: JobSummary[], next?: string }>(`/v1/jobs?state=running&limit=${JOBS_LIMIT}`)
    this.model.runningJobs(list.jobs, askedAt, list.next == null)
    this.changed()
  }

  /** --once: the events the node replays to a new stream (recent failures), then stop. */
  async backlog (): Promise<void> {
    const stop = new AbortController()
    const timer = setTimeout(() => { stop.abort() }, BACKLOG_WAIT_MS)
    try {
      await this.follow(stop.signal, () => { stop.abort() })
    } finally {
      clearTimeout(timer)
    }
  }

  /** Follows /v1/events until `signal` aborts; a refusal (401, 403) rejects. */
  async run (signal: AbortSignal): Promise<void> {
    const timer = setInterval(() => { void this.periodic() }, STATUS_REFRESH_MS)
    try {
      await this.follow(signal)
    } finally {
      clearInterval(timer)
      clearTimeout(this.membersTimer)
    }
  }

  private async follow (signal: AbortSignal, onBacklogDone?: () => void): Promise<void> {
    let first = true
    let inBacklog = true
    await followEvents({
      // A reconnection looks the node up again: restarted, it may serve on another port.
      url: async () => {
        if (this.model.connection === 'reconnecting') await this.client.relocate()
        return `${this.client.base}/v1/events`
      },
      headers: async () => await this.client.headers(),
      signal,
      onState: (state, reason) => {
        if (state === 'open') {
          inBacklog = true
          return
        }
        first = false
        if (this.model.connection !== 'reconnecting') this.hooks.onConnection?.('reconnecting', reason ?? '')
        this.model.connectionState('reconnecting', this.now(), reason)
        this.changed()
      },
      onRefused: async (status, body) => {
        if (status === 429 || status >= 500) return true
        let err: { code?: string, message?: string } = {}
        try {
          err = JSON.parse(body).error ?? {}
        } catch {}
        throw new MeshError((err.code ?? 'BAD_RESPONSE') as MeshErrorCode, `${this.client.base}/v1/events: ${err.message ?? `HTTP ${status}`}`)
      },
      onItem: item => { this.item(item, first && inBacklog, () => { inBacklog = false; onBacklogDone?.() }) }
    })
  }

  private item (item: SseItem, replay: boolean, backlogDone: () => void): void {
    if (item.kind === 'comment') {
      // The node ends its replay of held events with this comment: what follows is live.
      if (item.text.startsWith('connected')) {
        backlogDone()
        const wasLive = this.model.connection
        this.model.connectionState('live', this.now())
        if (wasLive === 'reconnecting') {
          this.hooks.onConnection?.('live', '')
          void this.afterReconnect()
        }
        this.changed()
      }
      return
    }
    if (item.kind !== 'event') return
    let e: TopEvent
    try {
      const parsed = JSON.parse(item.data)
      e = { seq: Number(parsed.seq ?? item.id), event: String(parsed.event ?? item.event), at: Number(parsed.at ?? this.now()), data: parsed.data ?? {} }
    } catch {
      return // not one of ours; a later node may send more
    }
    this.model.event(e, this.now(), replay)
    this.hooks.onEvent?.(e, replay)
    if (REFRESH_ON.test(e.event) && !replay) this.scheduleMembers()
    this.changed()
  }

  private scheduleMembers (): void {
    if (this.membersTimer != null) return
    this.membersTimer = setTimeout(() => {
      this.membersTimer = undefined
      void this.quietly(async () => {
        this.model.status(await this.client.get<StatusJson>('/v1/status'), this.now())
        await this.refreshMembers()
      })
    }, MEMBERS_DEBOUNCE_MS)
    this.membersTimer.unref()
  }

  private async refreshMembers (): Promise<void> {
    if (!this.members) return
    try {
      this.model.members(await this.client.get<MembersJson>('/v1/members'), this.now())
    } catch (err) {
      // An anonymous caller from another host may read status only: its peers serve.
      if (!isMeshError(err, 'FORBIDDEN')) throw err
      this.members = false
    }
  }

  private async periodic (): Promise<void> {
    await this.quietly(async () => {
      this.model.status(await this.client.get<StatusJson>('/v1/status'), this.now())
      const self = this.model.self.peerId
      const elsewhere = [...this.model.jobs.values()].filter(j => j.home !== self).slice(0, DETAIL_LIMIT)
      for (const j of elsewhere) {
        try {
          this.model.jobDetail(await this.client.get(`/v1/jobs/${encodeURIComponent(j.id)}`), this.now())
        } catch (err) {
          if (isMeshError(err, 'NOT_FOUND')) this.model.jobs.delete(j.id)
        }
      }
    })
  }

  private async afterReconnect (): Promise<void> {
    await this.quietly(async () => { await this.snapshot() })
  }

  /** A refresh that fails leaves the picture as it was: the stream says when the node is gone. */
  private async quietly (fn: () => Promise<void>): Promise<void> {
    try {
      await fn()
    } catch (err) {
      if (this.model.connection !== 'live') this.model.reason = errorMessage(err)
    }
    this.changed()
  }

  private changed (): void {
    this.hooks.onChange?.()
  }
}
