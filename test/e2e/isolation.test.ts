// A node stays alive while its handlers work (issue 10, item 6): on a 3-node cluster whose
// nodes load test/fixtures/spin.mjs, a task busy-waiting 8 s on one node does not make the
// others suspect it, and a task that ignores its abort is killed at its timeout — the job
// fails with the timeout error, the node answers status throughout, and its CPU comes back.
// Ports 19800-19820. Serialize with: flock /tmp/meshnode-e2e.lock npx vitest run test/e2e/isolation.test.ts
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { clusterCaller, converged, loadState, statusAll, waitUntil } from '../../scripts/cluster-lib.js'
import { cluster, meshnode, ROOT, tempDir } from './helpers.js'

const SPIN = join(ROOT, 'test', 'fixtures', 'spin.mjs')

/** CPU seconds (user + system) a process has used, all its threads included. */
function cpuSeconds (pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return (Number(f[11]) + Number(f[12])) / 100
}

describe('handlers off the event loop, on a 3-node cluster', () => {
  const dir = tempDir('isolation')
  let node1 = ''

  beforeAll(async () => {
    await cluster(dir, ['up', '3', '--base-port', '19800', '--', '--handlers', SPIN, '--concurrency', '2'])
    node1 = loadState(dir).nodes[0]!.dataDir
    await waitUntil(async () => converged(await statusAll(dir)), 20_000, 'full membership', 100)
  })

  afterAll(async () => {
    await cluster(dir, ['down'])
  })

  it('keeps a node alive in its peers\' eyes while one of its handlers busy-waits 8 s', async () => {
    const client = await clusterCaller(dir)
    try {
      const before = await statusAll(dir, 2_000, client)
      const self = before.find(s => s.entry.index === 1)!.status!.peerId
      const t0 = Date.now()
      const submitted = await meshnode(['submit', 'spin', '{"ms": 8000}', '--json', '--data-dir', node1])
      expect(submitted.code, submitted.stderr).toBe(0)
      const id = JSON.parse(submitted.stdout).id as string
      // The answer did not wait for the 8 s task (in-process, it would have): the job still runs.
      const early = await meshnode(['job', id, '--json', '--data-dir', node1])
      expect(JSON.parse(early.stdout).state).not.toBe('completed')
      const seen = new Set<string>()
      let polls = 0
      let finished: { state: string, byNode: Record<string, number>, result?: unknown } | undefined
      while (finished == null && Date.now() - t0 < 30_000) {
        const all = await statusAll(dir, 2_000, client)
        polls++
        // The spinning node answers, and the others see it alive, every time.
        expect(all.find(s => s.entry.index === 1)!.status, 'node-1 answers status').toBeDefined()
        for (const s of all.filter(s => s.entry.index !== 1)) seen.add(s.status?.peers.find(p => p.peerId === self)?.state ?? 'no answer')
        const r = await meshnode(['job', id, '--json', '--data-dir', node1])
        const view = JSON.parse(r.stdout)
        if (['completed', 'failed', 'cancelled'].includes(view.state)) finished = view
        else await new Promise(resolve => setTimeout(resolve, 200))
      }
      expect(finished).toMatchObject({ state: 'completed', result: { spun: 8000 } })
      // It ran on node-1, the node whose liveness was watched.
      expect(Object.keys(finished!.byNode)).toEqual([self])
      expect(Date.now() - t0).toBeGreaterThanOrEqual(7_500)
      expect(polls).toBeGreaterThan(5)
      expect([...seen]).toEqual(['alive'])
      const after = await statusAll(dir, 2_000, client)
      for (const s of after.filter(s => s.entry.index !== 1)) {
        const b = before.find(x => x.entry.index === s.entry.index)!.status!
        expect(Number(s.status!.counters.suspicions_total ?? 0), `suspicions seen by node-${s.entry.index}`).toBe(Number(b.counters.suspicions_total ?? 0))
      }
    } finally {
      await client.stop()
    }
  })

  it('kills a handler that ignores its abort at its timeout: the job fails with the timeout, the node keeps answering', async () => {
    const pid = loadState(dir).nodes[0]!.pid
    let answering = true
    let slowest = 0
    let polls = 0
    const watch = (async () => {
      const client = await clusterCaller(dir)
      try {
        while (answering) {
          const t = Date.now()
          const s = (await statusAll(dir, 2_000, client)).find(n => n.entry.index === 1)
          expect(s?.status, 'node-1 answers status').toBeDefined()
          slowest = Math.max(slowest, Date.now() - t)
          polls++
          await new Promise(resolve => setTimeout(resolve, 100))
        }
      } finally {
        await client.stop()
      }
    })()
    const t0 = Date.now()
    const r = await meshnode(['submit', 'spin', '{"ms": 60000}', '--timeout-ms', '1000', '--attempts', '2', '--wait', '--json', '--data-dir', node1], { timeoutMs: 30_000 })
    const took = Date.now() - t0
    answering = false
    await watch
    expect(r.code).toBe(1)
    const view = JSON.parse(r.stdout)
    expect(view).toMatchObject({ state: 'failed', failed: 1 })
    expect(view.error).toContain('timed out after 1000 ms')
    // Two attempts of 1 s and a retry backoff, not 60 s of spinning.
    expect(took).toBeLessThan(8_000)
    expect(polls).toBeGreaterThan(5)
    expect(slowest).toBeLessThan(2_000)
    // Both spinning workers are gone: the node is back to idle CPU, not two busy threads.
    await new Promise(resolve => setTimeout(resolve, 500))
    const c0 = cpuSeconds(pid)
    await new Promise(resolve => setTimeout(resolve, 2_000))
    expect(cpuSeconds(pid) - c0).toBeLessThan(0.8)
  })

  it('still runs tasks in fresh workers after its workers were killed', async () => {
    const r = await meshnode(['submit', 'same', '{"after": "kill"}', '--wait', '--json', '--data-dir', node1], { timeoutMs: 30_000 })
    expect(r.code, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({ state: 'completed', result: { after: 'kill' } })
  })
})
