// Stuck-job diagnosis on real processes: a job whose task needs "gpu" runs on the one node
// that offers it; that node is killed for good. The job's home flags the job stuck within
// stuck.afterMs (set to 3 s here) — first while the task is held by the silent node, then,
// once the mesh declared it dead and the task came back home, as waiting for a capability no
// live node offers, naming "gpu" — and `jobs --stuck` lists it from any node.
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadState, waitUntil } from '../../scripts/cluster-lib.js'
import { cluster, meshnode, spawnMeshnode, tempDir } from './helpers.js'
import type { ChildProcess } from 'node:child_process'

const BASE_PORT = 21300
const STUCK_AFTER_MS = 3_000

describe('a job whose capability leaves the mesh', () => {
  const dir = tempDir('stuck')
  let node1 = ''
  let node2 = ''
  let gpu: ChildProcess | undefined

  beforeAll(async () => {
    await cluster(dir, ['up', '2', '--base-port', String(BASE_PORT), '--', '--http', 'off', '--stuck-after-ms', String(STUCK_AFTER_MS)])
    node1 = loadState(dir).nodes[0]!.dataDir
    node2 = loadState(dir).nodes[1]!.dataDir
    gpu = spawnMeshnode(['start', '--data-dir', join(dir, 'gpu'), '--listen', `/ip4/127.0.0.1/tcp/${BASE_PORT + 10}`, '--peer', `127.0.0.1:${BASE_PORT}`, '--capabilities', 'gpu', '--http', 'off', '--name', 'gpu', '--stuck-after-ms', String(STUCK_AFTER_MS)])
    // Both nodes must have heard the gpu node: its death is declared by a majority of the
    // voters' own detectors, and a node that never heard a peer holds no opinion of it. (Killed
    // before node 2 heard it — it lived under a second in one CI run — the task came back only
    // when the leader removed the silent member after a minute.)
    await waitUntil(async () => {
      for (const dataDir of [node1, node2]) {
        const r = await meshnode(['status', '--json', '--data-dir', dataDir])
        if (r.code !== 0) return false
        const s = JSON.parse(r.stdout) as { voters: string[], learners: string[], peers: Array<{ name: string, state: string }> }
        if (s.voters.length + s.learners.length !== 3 || !s.peers.some(p => p.name === 'gpu' && p.state === 'alive')) return false
      }
      return true
    }, 60_000, 'the gpu node to join the mesh, heard by both nodes')
  }, 90_000)

  afterAll(async () => {
    gpu?.kill('SIGKILL')
    await cluster(dir, ['down'])
  })

  it('is flagged stuck with no-capable-node naming gpu, and listed by jobs --stuck', async () => {
    const sub = await meshnode(['submit', 'sleep', '{"ms":600000}', '--requires', 'gpu', '--queue-until-capable', '--capable-timeout', '10m', '--json', '--data-dir', node1])
    expect(sub.code, sub.stderr).toBe(0)
    const id = JSON.parse(sub.stdout).id as string
    // The gpu node takes the task (it is the only one that can run it).
    await waitUntil(async () => {
      const j = JSON.parse((await meshnode(['job', id, '--json', '--data-dir', node1])).stdout) as { waitingFor?: string[], running?: unknown[] }
      return j.waitingFor == null
    }, 30_000, 'the gpu node to take the task')

    gpu!.kill('SIGKILL')
    const killedAt = Date.now()
    let job: { state: string, stuck?: { sinceMs: number, code: string, text: string, capabilities?: string[] } } = { state: '' }
    const codes = new Set<string>()
    await waitUntil(async () => {
      job = JSON.parse((await meshnode(['job', id, '--json', '--data-dir', node1])).stdout)
      if (job.stuck != null) codes.add(job.stuck.code)
      return job.stuck?.code === 'no-capable-node'
    }, 60_000, 'the job to be diagnosed as waiting for a capability', 200)
    const detectedMs = Date.now() - killedAt
    expect(job.state).toBe('running')
    expect(job.stuck!.capabilities).toEqual(['gpu'])
    expect(job.stuck!.text).toContain('gpu, which no live node offers')
    expect(job.stuck!.sinceMs).toBeGreaterThanOrEqual(STUCK_AFTER_MS)
    console.log(`stuck e2e: no-capable-node diagnosed ${detectedMs} ms after the gpu node was killed; codes seen: ${[...codes].join(', ')}`)

    const human = await meshnode(['job', id, '--data-dir', node1])
    expect(human.stdout).toMatch(/stuck {4}for \S+: .*gpu, which no live node offers.*\[no-capable-node\]/)

    // Any node lists it: node 2 asks the job's home.
    const listed = await meshnode(['jobs', '--stuck', '--json', '--data-dir', node2])
    expect(listed.code, listed.stderr).toBe(0)
    const body = JSON.parse(listed.stdout) as { jobs: Array<{ id: string, stuck?: { code: string, capabilities?: string[] } }> }
    expect(body.jobs.map(j => j.id)).toEqual([id])
    expect(body.jobs[0]!.stuck).toMatchObject({ code: 'no-capable-node', capabilities: ['gpu'] })
    const table = await meshnode(['jobs', '--stuck', '--data-dir', node1])
    expect(table.stdout).toMatch(new RegExp(`${id}\\s+\\S+\\s+no-capable-node`))

    const status = JSON.parse((await meshnode(['status', '--json', '--data-dir', node1])).stdout) as { stuckJobs?: number, resources?: { pressure: string[] } }
    expect(status.stuckJobs).toBe(1)
    expect(status.resources?.pressure).toEqual([])
  }, 120_000)
})

describe('a node over its memory limit', () => {
  const dir = tempDir('pressure')
  let node: ChildProcess | undefined

  afterAll(() => { node?.kill('SIGKILL') })

  it('takes no new work: submits exit 8 with RESOURCE_EXHAUSTED, and status says why', async () => {
    const data = join(dir, 'n1')
    // 1 byte: every sample is over the limit.
    node = spawnMeshnode(['start', '--data-dir', data, '--listen', `/ip4/127.0.0.1/tcp/${BASE_PORT + 20}`, '--http', 'off', '--name', 'tight', '--max-rss-bytes', '1'])
    let status: { resources?: { pressure: string[], maxRssBytes: number, rssBytes: number }, formation: string } = { formation: '' }
    await waitUntil(async () => {
      const r = await meshnode(['status', '--json', '--data-dir', data])
      if (r.code !== 0) return false
      status = JSON.parse(r.stdout)
      return status.formation === 'member' && (status.resources?.pressure.length ?? 0) > 0
    }, 30_000, 'the node to start under memory pressure')
    expect(status.resources!.pressure).toEqual(['memory'])
    expect(status.resources!.maxRssBytes).toBe(1)
    const human = await meshnode(['status', '--data-dir', data])
    expect(human.stdout).toMatch(/RESOURCE PRESSURE: memory \d+ MiB over its limit 0 MiB: taking no new work/)
    const sub = await meshnode(['submit', 'echo', '1', '--data-dir', data])
    expect(sub.code).toBe(8)
    expect(sub.stderr).toContain('RESOURCE_EXHAUSTED')
    expect(sub.stderr).toContain('near its memory or disk limit')
  }, 60_000)
})
