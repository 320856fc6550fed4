// /metrics on real processes: a 3-node cluster, each node serving HTTP on its own port, is
// scraped before, during and after a job of N tasks. Across the nodes the tasks-done counter
// grows by exactly N (wherever stealing ran them), and only the job's home counts the job:
// its job-duration and completion-detection histograms grow by one.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadState, waitUntil } from '../../scripts/cluster-lib.js'
import { parseExposition, sum, type Family } from '../fixtures/prom-text.js'
import { cluster, meshnode, tempDir } from './helpers.js'

/** This file's ports (the metrics helper's range is 27000-27499). */
const BASE_PORT = 27010
const N = 60

async function getJson (url: string): Promise<any> {
  return await (await fetch(url)).json()
}

async function scrape (url: string): Promise<Map<string, Family>> {
  const res = await fetch(`${url}/metrics`)
  expect(res.status).toBe(200)
  return parseExposition(await res.text())
}

interface Reading { done: number, doneSleep: number, started: number, jobs: number, detections: number }

function read (f: Map<string, Family>): Reading {
  return {
    done: sum(f, 'tasks_done_total'),
    doneSleep: sum(f, 'tasks_done_total', { type: 'sleep' }),
    started: sum(f, 'tasks_started_total'),
    jobs: sum(f, 'job_duration_seconds', {}, 'job_duration_seconds_count'),
    detections: sum(f, 'completion_detection_seconds', {}, 'completion_detection_seconds_count')
  }
}

describe('/metrics on a 3-node cluster under a job', () => {
  const dir = tempDir('metrics3')
  let urls: string[] = []
  let peers: string[] = []
  let dataDirs: string[] = []

  beforeAll(async () => {
    await cluster(dir, ['up', '3', '--base-port', String(BASE_PORT), '--', '--http', '127.0.0.1:0', '--concurrency', '2'])
    dataDirs = loadState(dir).nodes.map(n => n.dataDir)
    urls = dataDirs.map(d => `http://${JSON.parse(readFileSync(join(d, 'node.json'), 'utf8')).http as string}`)
    for (const url of urls) {
      await waitUntil(async () => {
        const m = await getJson(`${url}/v1/members`)
        return m.leader != null && m.members.filter((p: { state: string }) => p.state === 'alive').length === 2
      }, 15_000, 'a leader and two alive peers')
    }
    peers = await Promise.all(urls.map(async u => (await getJson(`${u}/v1/status`)).peerId as string))
  })

  afterAll(async () => {
    await cluster(dir, ['down'])
  })

  it('shows the mesh: three alive members and one leader, seen from every node', async () => {
    const scrapes = await Promise.all(urls.map(scrape))
    for (const f of scrapes) expect(sum(f, 'members', { state: 'alive' })).toBe(3)
    expect(scrapes.map(f => sum(f, 'raft_role', { role: 'leader' })).reduce((a, b) => a + b)).toBe(1)
    expect(new Set(scrapes.map(f => sum(f, 'raft_term'))).size).toBe(1)
  })

  it('grows tasks_done_total by exactly the job\'s size across nodes, and the home\'s job histograms by one', async () => {
    const before = (await Promise.all(urls.map(scrape))).map(read)

    const token = await meshnode(['token', '--data-dir', dataDirs[1]!])
    expect(token.code, token.stderr).toBe(0)
    const res = await fetch(`${urls[1]}/v1/jobs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token.stdout.trim()}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'metrics-e2e', tasks: Array.from({ length: N }, () => ({ type: 'sleep', payload: { ms: 40 } })) })
    })
    expect(res.status).toBe(201)
    const sub = await res.json() as { id: string, home: string }
    const home = peers.indexOf(sub.home)
    expect(home).toBe(1)

    // While it runs: counters only move up.
    const during = (await Promise.all(urls.map(scrape))).map(read)
    await waitUntil(async () => (await getJson(`${urls[home]}/v1/jobs/${sub.id}`)).state === 'completed', 30_000, 'the job completed')
    const after = (await Promise.all(urls.map(scrape))).map(read)

    const total = (rs: Reading[], k: keyof Reading): number => rs.reduce((a, r) => a + r[k], 0)
    for (let i = 0; i < urls.length; i++) {
      expect(during[i]!.done).toBeGreaterThanOrEqual(before[i]!.done)
      expect(after[i]!.done).toBeGreaterThanOrEqual(during[i]!.done)
    }
    expect(total(after, 'done') - total(before, 'done')).toBe(N)
    expect(total(after, 'doneSleep') - total(before, 'doneSleep')).toBe(N)
    expect(total(after, 'started') - total(before, 'started')).toBe(N)
    for (let i = 0; i < urls.length; i++) {
      expect(after[i]!.jobs - before[i]!.jobs, `job_duration_seconds_count on node ${i}`).toBe(i === home ? 1 : 0)
      expect(after[i]!.detections - before[i]!.detections, `completion_detection_seconds_count on node ${i}`).toBe(i === home ? 1 : 0)
    }
    const ranOn = after.map((r, i) => r.done - before[i]!.done)
    console.log(`tasks of the ${N}-task job done per node: ${ranOn.join(' / ')} (home: node ${home})`)
  })
})
