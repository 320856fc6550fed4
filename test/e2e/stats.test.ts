// `meshnode stats` and `meshnode jobs --since --format` on real processes: a 3-node cluster
// runs jobs of a few task types submitted at different nodes, their tasks spread over all
// three by stealing; the mesh's stats count exactly the tasks that ran, gathered from every
// node, and the CSV export has one row per job with its counts from its home. With a node
// killed, stats still answer, naming the missing node.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadState, waitUntil } from '../../scripts/cluster-lib.js'
import { cluster, meshnode, ROOT, tempDir } from './helpers.js'

const HANDLERS = join(ROOT, 'test', 'fixtures', 'handlers.mjs')

interface StatsJson {
  types: Array<{ type: string, count: number, ok: number, failed: number, retried: number, perSec: number, durationMs: { p50: number, p95: number, p99: number } | null, queueWaitMs: unknown }>
  jobs: { count: number, completed: number, failed: number, cancelled: number, latencyMs: { p50: number, p95: number, p99: number } | null }
  minutes: Array<{ at: number, tasks: number }>
  nodes: { asked: number, answered: string[], missing: Array<{ peerId: string, error: string }> }
}

describe('stats and job export on a 3-node cluster', () => {
  const dir = tempDir('stats3')
  const dataDir = (i: number): string => loadState(dir).nodes[i]!.dataDir
  const jobs: string[] = []

  beforeAll(async () => {
    await cluster(dir, ['up', '3', '--base-port', '27500', '--', '--handlers', HANDLERS, '--concurrency', '4', '--http', '127.0.0.1:0'])
  })

  afterAll(async () => {
    await cluster(dir, ['down'])
  })

  async function submit (node: number, body: unknown): Promise<string> {
    const file = join(dir, `job-${jobs.length}.json`)
    writeFileSync(file, JSON.stringify(body))
    const r = await meshnode(['submit', '--file', file, '--json', '--data-dir', dataDir(node)])
    expect(r.code, r.stderr).toBe(0)
    const id = JSON.parse(r.stdout).id as string
    jobs.push(id)
    return id
  }

  async function jobJson (id: string): Promise<{ state: string, total: number, done: number, byNode: Record<string, number> }> {
    const r = await meshnode(['job', id, '--json', '--data-dir', dataDir(0)])
    expect(r.code, r.stderr).toBe(0)
    return JSON.parse(r.stdout)
  }

  async function stats (args: string[] = []): Promise<StatsJson> {
    const r = await meshnode(['stats', '--since', '10m', '--json', '--data-dir', dataDir(0), ...args])
    expect(r.code, r.stderr).toBe(0)
    return JSON.parse(r.stdout)
  }

  it('counts exactly the tasks that ran, across nodes, by type; and every job', async () => {
    // 600 naps at node 1, a split into 200 naps at node 2, a task that fails at node 3.
    const naps = await submit(0, { tasks: Array.from({ length: 600 }, () => ({ type: 'nap', payload: { ms: 5 } })) })
    await submit(1, { tasks: [{ type: 'split', payload: { n: 200, ms: 5 } }], name: 'split, "quoted"' })
    await submit(2, { tasks: [{ type: 'boom', payload: { why: 'e2e' }, attempts: 1 }] })
    await waitUntil(async () => {
      const states = await Promise.all(jobs.map(async id => (await jobJson(id)).state))
      return states.every(s => ['completed', 'failed', 'cancelled'].includes(s))
    }, 120_000, 'every job to finish', 250)
    // The naps ran on all three nodes: stats must have gathered every node's history to count them.
    expect(Object.keys((await jobJson(naps)).byNode).length).toBe(3)

    let s: StatsJson | undefined
    // A job's final state reaches the history when it is durable, a moment after it shows.
    await waitUntil(async () => {
      s = await stats()
      return s.jobs.count >= 3
    }, 10_000, 'the stats to show every job', 200)
    const byType = Object.fromEntries(s!.types.map(t => [t.type, t]))
    expect(byType.nap).toMatchObject({ count: 800, ok: 800, failed: 0, retried: 0 })
    expect(byType.split).toMatchObject({ count: 1, ok: 1, failed: 0 })
    expect(byType.boom).toMatchObject({ count: 1, ok: 0, failed: 1, retried: 0 })
    expect(s!.types.map(t => t.type).sort()).toEqual(['boom', 'nap', 'split'])
    expect(s!.jobs).toMatchObject({ count: 3, completed: 2, failed: 1, cancelled: 0 })
    expect(s!.nodes.asked).toBe(3)
    expect(s!.nodes.answered.length).toBe(3)
    expect(s!.nodes.missing).toEqual([])
    // A nap sleeps 5 ms: its median run time is read back within the bucket error (and timer slack).
    expect(byType.nap!.durationMs!.p50).toBeGreaterThanOrEqual(4.5)
    expect(byType.nap!.durationMs!.p99).toBeGreaterThanOrEqual(byType.nap!.durationMs!.p50)
    expect(byType.nap!.perSec).toBeGreaterThan(0)
    expect(s!.jobs.latencyMs).not.toBeNull()
    expect(s!.minutes.reduce((n, m) => n + m.tasks, 0)).toBe(802)

    // GET /v1/stats (anonymous reads are open on loopback) answers the same JSON.
    const http = JSON.parse(readFileSync(join(dataDir(2), 'node.json'), 'utf8')).http as string
    const viaHttp = await (await fetch(`http://${http}/v1/stats?since=10m`)).json() as StatsJson
    expect(viaHttp.types.map(t => [t.type, t.count, t.failed])).toEqual(s!.types.map(t => [t.type, t.count, t.failed]))
    expect(viaHttp.jobs.count).toBe(3)

    // The table form says the same.
    const table = await meshnode(['stats', '--since', '10m', '--data-dir', dataDir(1)])
    expect(table.code, table.stderr).toBe(0)
    expect(table.stdout).toMatch(/^nap\s+800\s+0\s/m)
    expect(table.stdout).toContain('jobs: 3 finished (2 completed, 1 failed, 0 cancelled)')
    expect(table.stdout).toContain('nodes answered 3 of 3')
  })

  it('exports one CSV row per job of the window, with counts from each job\'s home', async () => {
    const r = await meshnode(['jobs', '--since', '10m', '--format', 'csv', '--data-dir', dataDir(0)])
    expect(r.code, r.stderr).toBe(0)
    const lines = r.stdout.split('\r\n')
    expect(lines.at(-1)).toBe('')
    expect(lines[0]).toBe('id,name,home,state,createdAt,finishedAt,durationMs,total,done,failed')
    const rows = lines.slice(1, -1)
    expect(rows.length).toBe(3)
    expect(rows.map(l => l.split(',')[0]).sort()).toEqual([...jobs].sort())
    const split = rows.find(l => l.includes('"split, ""quoted"""'))!
    expect(split).toMatch(/,completed,[^,]+,[^,]+,\d+,201,201,0$/)
    expect(rows.find(l => l.startsWith(jobs[0]!))).toMatch(/,completed,[^,]+,[^,]+,\d+,600,600,0$/)
    expect(rows.find(l => l.startsWith(jobs[2]!))).toMatch(/,failed,[^,]+,[^,]+,\d+,1,1,1$/)

    const json = await meshnode(['jobs', '--since', '10m', '--format', 'json', '--data-dir', dataDir(2)])
    expect(json.code, json.stderr).toBe(0)
    expect(JSON.parse(json.stdout).map((j: { id: string }) => j.id).sort()).toEqual([...jobs].sort())

    const bad = await meshnode(['jobs', '--since', '10m', '--format', 'xml', '--data-dir', dataDir(0)])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('unknown --format "xml"')
  })

  it('still answers with a node down, naming it as missing', async () => {
    const gone = loadState(dir).nodes[2]!
    await cluster(dir, ['kill', String(gone.index)])
    const s = await stats()
    expect(s.nodes.asked).toBe(3)
    expect(s.nodes.answered.length).toBe(2)
    expect(s.nodes.missing.length).toBe(1)
    expect(s.nodes.missing[0]!.error).not.toBe('')
  })
})
