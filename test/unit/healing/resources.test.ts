// Resource pressure decisions: over a limit, back under it with hysteresis, limits off.
import { describe, expect, it } from 'vitest'
import { RELIEF, ResourcePressure, defaultMaxRss } from '../../../src/healing/resources.js'

const MiB = 1024 * 1024

describe('resource pressure', () => {
  it('reports memory over its limit once, and ok again only below RELIEF of it', () => {
    const p = new ResourcePressure({ maxRssBytes: 1000 * MiB, minFreeDiskBytes: 0 })
    expect(p.observe({ rssBytes: 900 * MiB })).toEqual([])
    expect(p.observe({ rssBytes: 1001 * MiB })).toEqual([{ resource: 'memory', state: 'over', value: 1001 * MiB, limit: 1000 * MiB }])
    expect(p.active).toBe(true)
    expect(p.observe({ rssBytes: 1100 * MiB })).toEqual([])
    // Just under the limit is not relief: no flapping.
    expect(p.observe({ rssBytes: 990 * MiB })).toEqual([])
    expect(p.observe({ rssBytes: 1000 * MiB * RELIEF - 1 })).toEqual([{ resource: 'memory', state: 'ok', value: 1000 * MiB * RELIEF - 1, limit: 1000 * MiB }])
    expect(p.active).toBe(false)
  })

  it('reports the disk when free space drops under its minimum, ok again with headroom', () => {
    const p = new ResourcePressure({ maxRssBytes: 0, minFreeDiskBytes: 256 * MiB })
    expect(p.observe({ rssBytes: 1, freeDiskBytes: 300 * MiB })).toEqual([])
    expect(p.observe({ rssBytes: 1, freeDiskBytes: 100 * MiB })).toEqual([{ resource: 'disk', state: 'over', value: 100 * MiB, limit: 256 * MiB }])
    expect(p.resources).toEqual(['disk'])
    expect(p.observe({ rssBytes: 1, freeDiskBytes: 260 * MiB })).toEqual([])
    expect(p.observe({ rssBytes: 1, freeDiskBytes: 300 * MiB }).map(c => c.state)).toEqual(['ok'])
  })

  it('tracks memory and disk apart', () => {
    const p = new ResourcePressure({ maxRssBytes: 100, minFreeDiskBytes: 100 })
    expect(p.observe({ rssBytes: 200, freeDiskBytes: 50 }).map(c => c.resource)).toEqual(['memory', 'disk'])
    expect(p.observe({ rssBytes: 10, freeDiskBytes: 50 }).map(c => `${c.resource}:${c.state}`)).toEqual(['memory:ok'])
    expect(p.active).toBe(true)
  })

  it('ignores a limit of 0 and a disk it could not read', () => {
    const p = new ResourcePressure({ maxRssBytes: 0, minFreeDiskBytes: 100 })
    expect(p.observe({ rssBytes: Number.MAX_SAFE_INTEGER })).toEqual([])
    expect(p.active).toBe(false)
  })

  it('defaults the memory limit to 85 % of the cgroup limit, else of the host memory', () => {
    expect(defaultMaxRss(1000, 8000)).toBe(850)
    expect(defaultMaxRss(undefined, 8000)).toBe(6800)
    expect(defaultMaxRss(0, 8000)).toBe(6800)
    // No cgroup limit reads as a huge number on some kernels.
    expect(defaultMaxRss(2 ** 62, 8000)).toBe(6800)
  })
})
