// The mesh's stats (admin statsGet, src/node/observe/stats.ts) with fake members: every
// member's history is merged, a member that does not answer (or keeps another bucket layout)
// is listed as missing without failing the rest, the window is capped by the retention, and
// the answer survives the wire and prints as the stable JSON.
import { describe, expect, it } from 'vitest'
import { trusted } from '../../../src/node/access/policy.js'
import { LAYOUT_VERSION, LatencyHistory, type HistorySnapshot } from '../../../src/node/observe/history.js'
import { meshStats, statsJson, type StatsSources } from '../../../src/node/observe/stats.js'
import type { AdminContext } from '../../../src/node/services/admin-commands.js'
import { dispatch } from '../../../src/node/services/admin.js'
import { AdminRequest, AdminResponse } from '../../../src/wire/proto/admin.js'

const MIN = 60_000
const T0 = 1_764_000_000_000
const NOW = T0 + 10 * MIN + 15_000

function node (tasks: Array<[string, number]>, jobs = 0): LatencyHistory {
  const h = new LatencyHistory(T0)
  let i = 0
  for (const [type, n] of tasks) for (let k = 0; k < n; k++) h.recordTask(type, 'ok', 10 + k, 1, T0 + 5 * MIN + (i++ % 1000))
  for (let k = 0; k < jobs; k++) h.recordJob('completed', 100, T0 + 6 * MIN)
  return h
}

function sources (histories: Record<string, LatencyHistory | Error | HistorySnapshot>, asked: string[] = []): StatsSources {
  return {
    self: 'a',
    members: () => Object.keys(histories),
    local: (from, now) => (histories.a as LatencyHistory).snapshot(from, now),
    fetch: async (peer, from) => {
      asked.push(`${peer}@${from}`)
      const h = histories[peer]!
      if (h instanceof Error) throw h
      if (h instanceof LatencyHistory) return h.snapshot(from, NOW)
      return h
    },
    retentionMinutes: 60,
    now: () => NOW
  }
}

describe('the mesh\'s stats', () => {
  it('merge every member\'s history: counts add up across nodes', async () => {
    const s = statsJson(await meshStats(10 * MIN, sources({ a: node([['x', 5], ['y', 1]], 2), b: node([['x', 7]], 1), c: node([['y', 3]]) })))
    expect(s.types.map(t => [t.type, t.count, t.ok, t.failed])).toEqual([['x', 12, 12, 0], ['y', 4, 4, 0]])
    expect(s.jobs).toMatchObject({ count: 3, completed: 3 })
    expect(s.jobs.latencyMs).toEqual({ p50: 100, p95: 100, p99: 100 })
    expect(s.nodes).toEqual({ asked: 3, answered: ['a', 'b', 'c'], missing: [] })
    expect(s.minutes.reduce((n, m) => n + m.tasks, 0)).toBe(16)
    expect(s.minutes.find(m => m.at === T0 + 5 * MIN)?.tasks).toBe(16)
  })

  it('list a member that does not answer as missing, and answer with the rest', async () => {
    const s = statsJson(await meshStats(10 * MIN, sources({ a: node([['x', 5]]), b: new Error('cannot reach meshnode: timed out'), c: node([['x', 1]]) })))
    expect(s.types[0]!.count).toBe(6)
    expect(s.nodes.answered).toEqual(['a', 'c'])
    expect(s.nodes.missing).toEqual([{ peerId: 'b', error: 'cannot reach meshnode: timed out' }])
  })

  it('leave out a member with another bucket layout instead of mixing its buckets in', async () => {
    const other: HistorySnapshot = { ...node([['x', 9]]).snapshot(0, NOW), layout: LAYOUT_VERSION + 1 }
    const s = statsJson(await meshStats(10 * MIN, sources({ a: node([['x', 5]]), b: other })))
    expect(s.types[0]!.count).toBe(5)
    expect(s.nodes.missing[0]!.error).toMatch(/bucket layout/)
  })

  it('ask members for the same window, capped by the retention; 0 means all of it', async () => {
    const asked: string[] = []
    await meshStats(10 * MIN, sources({ a: node([]), b: node([]) }, asked))
    await meshStats(48 * 60 * MIN, sources({ a: node([]), b: node([]) }, asked))
    await meshStats(0, sources({ a: node([]), b: node([]) }, asked))
    expect(asked).toEqual([`b@${NOW - 10 * MIN}`, `b@${NOW - 60 * MIN}`, `b@${NOW - 60 * MIN}`])
  })

  it('window only minutes in the window, and throughput over it', async () => {
    const s = statsJson(await meshStats(2 * MIN, sources({ a: node([['x', 60]]) })))
    expect(s.types).toEqual([]) // recorded at minute 5, the window starts at minute 8
    expect(s.minutes.map(m => m.at)).toEqual([T0 + 8 * MIN, T0 + 9 * MIN, T0 + 10 * MIN])
    const w = statsJson(await meshStats(10 * MIN, sources({ a: node([['x', 60]]) })))
    expect(w.since).toBe(T0)
    expect(w.types[0]!.perSec).toBeCloseTo(60 / ((NOW - T0) / 1000), 3)
  })
})

describe('admin statsGet', () => {
  function ctx (stats?: StatsSources): AdminContext {
    return {
      self: 'a',
      consensus: { propose: async () => ({ ok: true }), control: { config: new Map(), jobs: new Map(), grants: new Map() }, status: () => ({ leader: 'a' }) },
      engine: () => undefined,
      forward: async () => { throw new Error('no forwarding') },
      forwarded: false,
      caller: trusted('local-cli'),
      now: () => NOW,
      ...(stats != null ? { stats } : {})
    }
  }

  it('answers the merged stats through the wire, in the JSON the CLI prints', async () => {
    const req = AdminRequest.decode(AdminRequest.encode({ statsGet: { sinceMs: 10 * MIN } }))
    const res = AdminResponse.decode(AdminResponse.encode(await dispatch(req, ctx(sources({ a: node([['x', 3]]), b: new Error('down') })))))
    expect(res.code).toBe('')
    const s = statsJson(res.statsGet!)
    expect(s.types[0]).toMatchObject({ type: 'x', count: 3, ok: 3, failed: 0, retried: 0 })
    // 10, 11 and 12 ms: the median read from its bucket (within 5 %), the top one clamped to the exact max.
    expect(Math.abs(s.types[0]!.durationMs!.p50 - 11) / 11).toBeLessThan(0.05)
    expect(s.types[0]!.durationMs).toMatchObject({ p95: 12, p99: 12 })
    expect(s.types[0]!.queueWaitMs).toEqual({ p50: 1, p95: 1, p99: 1 })
    expect(s.nodes).toEqual({ asked: 2, answered: ['a'], missing: [{ peerId: 'b', error: 'down' }] })
    expect(s.retentionMinutes).toBe(60)
    expect(s.minutes.every(m => m.durationMs === null || m.tasks > 0)).toBe(true)
  })

  it('is STARTING before the node keeps a history', async () => {
    expect((await dispatch({ statsGet: { sinceMs: 0 } }, ctx())).code).toBe('STARTING')
  })
})
