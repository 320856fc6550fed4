// The node's resource monitor: every few seconds it samples the process's resident memory
// and the free space of the data dir's file system (statfs), lets ResourcePressure
// (src/healing/resources.ts) decide, and on a change tells the work layer (no new work while
// over a limit), logs it and emits a `resource.pressure` event.
import { statfs } from 'node:fs/promises'
import { totalmem } from 'node:os'
import { ResourcePressure, defaultMaxRss, type Resource } from '../../healing/resources.js'
import type { EventLog } from '../observe/events.js'
import type { Logger } from '../log.js'

/** Sampling interval: statfs and memoryUsage cost microseconds; a limit is noticed within this. */
export const RESOURCE_CHECK_MS = 2_000

export interface ResourceMonitorComponents {
  dataDir: string
  engine: { resourcePressure: (on: boolean) => void }
  events: EventLog
  log: Pick<Logger, 'info' | 'warn'>
  self: string
}

export interface ResourceMonitorInit {
  /** 0: the default (85 % of the cgroup limit, else of the host's memory). */
  maxRssBytes?: number
  /** 0: no disk limit. */
  minFreeDiskBytes?: number
  checkMs?: number
  /** Samples for tests; the real process and file system otherwise. */
  sample?: () => Promise<{ rssBytes: number, freeDiskBytes?: number }>
  /**
   * Also run on this timer, before each sample (the heap trim's check, HeapTrim.check): one
   * wake-up every checkMs for both instead of one each (BENCHMARKS.md, issue 14, stop 39).
   */
  also?: () => void
}

/** What status shows. */
export interface ResourceStatus {
  rssBytes: number
  maxRssBytes: number
  freeDiskBytes?: number
  minFreeDiskBytes: number
  /** Resources over their limit (the node takes no new work). */
  pressure: Resource[]
}

export class ResourceMonitor {
  readonly pressure: ResourcePressure
  private timer?: NodeJS.Timeout
  private sampling = false

  constructor (private readonly c: ResourceMonitorComponents, private readonly init: ResourceMonitorInit = {}) {
    const maxRss = init.maxRssBytes != null && init.maxRssBytes > 0 ? init.maxRssBytes : defaultMaxRss(process.constrainedMemory?.(), totalmem())
    this.pressure = new ResourcePressure({ maxRssBytes: maxRss, minFreeDiskBytes: init.minFreeDiskBytes ?? 256 * 1024 * 1024 })
  }

  async start (): Promise<void> {
    await this.check()
    this.timer = setInterval(() => {
      this.init.also?.()
      void this.check()
    }, this.init.checkMs ?? RESOURCE_CHECK_MS)
    this.timer.unref?.()
  }

  async stop (): Promise<void> {
    clearInterval(this.timer)
    this.timer = undefined
  }

  status (): ResourceStatus {
    const s = this.pressure.sample
    const l = this.pressure.limitsInUse
    return {
      rssBytes: s.rssBytes,
      maxRssBytes: l.maxRssBytes,
      ...(s.freeDiskBytes != null ? { freeDiskBytes: s.freeDiskBytes } : {}),
      minFreeDiskBytes: l.minFreeDiskBytes,
      pressure: this.pressure.resources
    }
  }

  /** One sample and decision (the timer's; tests call it). */
  async check (): Promise<void> {
    if (this.sampling) return
    this.sampling = true
    try {
      const sample = await (this.init.sample ?? this.sampleProcess)()
      const wasActive = this.pressure.active
      const changes = this.pressure.observe(sample)
      for (const ch of changes) {
        this.c.events.emit('resource.pressure', { node: this.c.self, resource: ch.resource, value: ch.value, limit: ch.limit, state: ch.state })
        if (ch.state === 'over') this.c.log.warn({ resource: ch.resource, value: ch.value, limit: ch.limit }, ch.resource === 'memory' ? 'memory over its limit: this node takes no new work until it drops' : 'disk nearly full: this node takes no new work until space is freed')
        else this.c.log.info({ resource: ch.resource, value: ch.value, limit: ch.limit }, `${ch.resource} back within its limit`)
      }
      if (wasActive !== this.pressure.active) this.c.engine.resourcePressure(this.pressure.active)
    } catch (err) {
      this.c.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'cannot sample memory and disk use')
    } finally {
      this.sampling = false
    }
  }

  private readonly sampleProcess = async (): Promise<{ rssBytes: number, freeDiskBytes?: number }> => {
    const rssBytes = process.memoryUsage.rss()
    try {
      const fs = await statfs(this.c.dataDir)
      return { rssBytes, freeDiskBytes: Number(fs.bavail) * Number(fs.bsize) }
    } catch {
      return { rssBytes }
    }
  }
}
