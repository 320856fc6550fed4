// Resource pressure: whether this node is near its memory or disk limit, from samples the
// node's monitor takes (src/node/services/resource-monitor.ts). Over a limit the node takes
// no new work (WorkCore.resourcePressure): it stops stealing and refuses submits. Pure: the
// samples and the clock are passed in.
//
// Hysteresis keeps a node that hovers at a limit from flapping in and out of pressure (and
// flooding the event log): memory is `ok` again only below RELIEF of its limit; disk only
// above its limit plus (1 - RELIEF) of it.

export type Resource = 'memory' | 'disk'

export interface ResourceLimits {
  /** Resident memory above this is pressure; 0 or Infinity = no limit. */
  maxRssBytes: number
  /** Free disk below this is pressure; 0 = no limit. */
  minFreeDiskBytes: number
}

export interface ResourceSample {
  rssBytes: number
  /** Free space of the data dir's file system for this user; undefined if it could not be read. */
  freeDiskBytes?: number
}

/** A change of state to report (a resource.pressure event). */
export interface PressureChange {
  resource: Resource
  state: 'over' | 'ok'
  value: number
  limit: number
}

/** Back to `ok` only this far inside the limit (95 %). */
export const RELIEF = 0.95

export class ResourcePressure {
  private readonly over = new Set<Resource>()
  private last: ResourceSample = { rssBytes: 0 }

  constructor (private readonly limits: ResourceLimits) {}

  /** Takes a sample; returns the resources whose state changed. */
  observe (sample: ResourceSample): PressureChange[] {
    this.last = sample
    const out: PressureChange[] = []
    const mem = this.limits.maxRssBytes
    if (mem > 0 && Number.isFinite(mem)) {
      const limit = this.over.has('memory') ? mem * RELIEF : mem
      this.set('memory', sample.rssBytes > limit, sample.rssBytes, mem, out)
    }
    const disk = this.limits.minFreeDiskBytes
    if (disk > 0 && sample.freeDiskBytes != null) {
      const limit = this.over.has('disk') ? disk / RELIEF : disk
      this.set('disk', sample.freeDiskBytes < limit, sample.freeDiskBytes, disk, out)
    }
    return out
  }

  /** Whether any resource is over its limit. */
  get active (): boolean {
    return this.over.size > 0
  }

  /** The resources over their limit now. */
  get resources (): Resource[] {
    return [...this.over].sort()
  }

  get sample (): ResourceSample {
    return this.last
  }

  get limitsInUse (): ResourceLimits {
    return this.limits
  }

  private set (resource: Resource, isOver: boolean, value: number, limit: number, out: PressureChange[]): void {
    if (isOver === this.over.has(resource)) return
    if (isOver) this.over.add(resource)
    else this.over.delete(resource)
    out.push({ resource, state: isOver ? 'over' : 'ok', value, limit })
  }
}

/** The memory limit when none is configured: 85 % of what this process may use (cgroup, else RAM). */
export function defaultMaxRss (constrained: number | undefined, total: number): number {
  const cap = constrained != null && constrained > 0 && constrained < total ? constrained : total
  return Math.floor(cap * 0.85)
}
