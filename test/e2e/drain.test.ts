// Graceful leave on real processes (issue 10, item 5): a node drained mid-job — by
// `meshnode drain` or by SIGTERM — hands its work to its peers, retires through the control
// log and stops; it is never started again, and the job still completes with every result
// recorded once. Ports 7700-7799.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isRunning, loadState, statusAll, waitUntil, type ClusterState } from '../../scripts/cluster-lib.js'
import { adminCall } from '../../src/node/client/admin.js'
import { OPERATOR_KEY_FILE, loadKeyFile } from '../../src/node/store/identity.js'
import { cluster, meshnode, tempDir } from './helpers.js'

interface JobJson { id: string, state: string, total: number, done: number, failed: number, byNode: Record<string, number> }

/**
 * 200 children of 200 ms on 3 nodes × 2 slots: about 7 s of work, long enough to drain
 * mid-job — and, on the two nodes left once the home drains, still running well past the
 * 2 s deadline of the test that needs its home retired while the job runs.
 */
const FANOUT = ['fanout', '{"n":200,"type":"sleep","payload":{"ms":200}}']

function harness (prefix: string, basePort: number): {
  dir: string
  state: () => ClusterState
  submit: () => Promise<string>
  job: (id: string, results?: boolean) => Promise<JobJson & { results?: Array<{ taskId: string, ok: boolean }> }>
  waitFinal: (id: string) => Promise<JobJson>
  waitForWorkOn: (index: number) => Promise<void>
} {
  const dir = tempDir(prefix)
  const state = (): ClusterState => loadState(dir)
  const submit = async (): Promise<string> => {
    const r = await meshnode(['submit', ...FANOUT, '--json', '--data-dir', state().nodes[0]!.dataDir])
    expect(r.code, r.stderr).toBe(0)
    return JSON.parse(r.stdout).id
  }
  const job = async (id: string, results = false): Promise<JobJson & { results?: Array<{ taskId: string, ok: boolean }> }> => {
    const home = state().nodes[0]!
    const d = await adminCall(`/ip4/127.0.0.1/tcp/${home.port}`, 'jobGet', { id, results, limit: 10_000, after: '' }, undefined, { key: await loadKeyFile(join(dir, OPERATOR_KEY_FILE)) })
    return { ...JSON.parse(d.view), ...(d.results !== '' ? { results: JSON.parse(d.results) } : {}) }
  }
  const waitFinal = async (id: string): Promise<JobJson> => {
    let last: JobJson | undefined
    await waitUntil(async () => {
      last = await job(id).catch(() => last)
      return last != null && ['completed', 'failed', 'cancelled'].includes(last.state)
    }, 120_000, `job ${id} to finish`, 250)
    return last!
  }
  // The node holds stolen work: some running, some queued (a thief prefetches 2 per slot).
  const waitForWorkOn = async (index: number): Promise<void> => {
    await waitUntil(async () => {
      const s = (await statusAll(dir)).find(n => n.entry.index === index)?.status
      return Number(s?.counters.work_tasks_stolen_total ?? 0) > 0 && Number(s?.counters.work_running ?? 0) > 0
    }, 30_000, `node-${index} to hold stolen work`, 100)
  }
  return { dir, state, submit, job, waitFinal, waitForWorkOn }
}

/** Every task once: the root and its 200 children, each with one recorded result. */
async function expectEveryResultOnce (h: ReturnType<typeof harness>, id: string): Promise<void> {
  const done = await h.waitFinal(id)
  expect(done).toMatchObject({ state: 'completed', total: 201, done: 201, failed: 0 })
  const full = await h.job(id, true)
  const ids = full.results!.map(r => r.taskId)
  expect(ids).toHaveLength(201)
  expect(new Set(ids).size).toBe(201)
  expect(full.results!.every(r => r.ok)).toBe(true)
}

/** The survivors see the drained node as left, and its retirement committed. */
async function expectRetired (h: ReturnType<typeof harness>, index: number): Promise<void> {
  const gone = h.state().nodes[index - 1]!
  await waitUntil(async () => {
    const all = (await statusAll(h.dir)).filter(s => s.status != null)
    return all.length === 2 && all.every(s => {
      const peer = s.status!.peers.find(p => p.name === gone.name)
      const dead = s.status!.dead.find(d => d.peerId === peer?.peerId)
      return peer?.state === 'left' && dead?.reason === 'drained'
    })
  }, 15_000, `${gone.name} left and retired on both survivors`, 200)
}

describe('meshnode drain', () => {
  const h = harness('drain', 7700)

  beforeAll(async () => {
    await cluster(h.dir, ['up', '3', '--base-port', '7700', '--', '--concurrency', '2'])
    await cluster(h.dir, ['wait'])
  })

  afterAll(async () => {
    await cluster(h.dir, ['down'])
  })

  it('hands a node\'s work to its peers mid-job; stopped for good, it strands nothing and the job completes with every result once', async () => {
    const id = await h.submit()
    await h.waitForWorkOn(3)
    const node3 = h.state().nodes[2]!
    const r = await meshnode(['drain', '--deadline', '60s', '--json', '--data-dir', node3.dataDir], { timeoutMs: 120_000 })
    expect(r.code, r.stderr + r.stdout).toBe(0)
    const summary = JSON.parse(r.stdout)
    expect(summary).toMatchObject({ state: 'left', clean: true, declaredDead: true, left: { queued: 0, running: 0, lent: 0, engaged: 0, outbox: 0, homeJobs: 0, inFlight: 0 } })
    // It held work when the drain began: handed to peers, or finished before it left.
    expect(summary.handedOff + summary.finished).toBeGreaterThan(0)
    // It stops by itself, and is never started again.
    await waitUntil(() => !isRunning(node3.pid), 15_000, 'node-3 to exit after its drain')
    await expectEveryResultOnce(h, id)
    await expectRetired(h, 3)
    // Nothing was re-run: no duplicate result reached the home.
    const home = (await statusAll(h.dir)).find(s => s.entry.index === 1)!.status!
    expect(home.counters.work_duplicate_results_total ?? 0).toBe(0)
  })

  it('refuses a drain request it cannot parse, with a usage error', async () => {
    const r = await meshnode(['drain', '--deadline', 'soon', '--data-dir', h.state().nodes[0]!.dataDir])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/invalid --deadline "soon"/)
  })
})

describe('SIGTERM', () => {
  const h = harness('drainterm', 7710)

  beforeAll(async () => {
    await cluster(h.dir, ['up', '3', '--base-port', '7710', '--', '--concurrency', '2'])
    await cluster(h.dir, ['wait'])
  })

  afterAll(async () => {
    await cluster(h.dir, ['down'])
  })

  it('drains the node the same way before it exits; the job completes with every result once', async () => {
    const id = await h.submit()
    await h.waitForWorkOn(3)
    const node3 = h.state().nodes[2]!
    // scripts/cluster stop: SIGTERM, then wait for the process to exit.
    await cluster(h.dir, ['stop', '3'], 120_000)
    expect(isRunning(node3.pid)).toBe(false)
    const log = readFileSync(node3.log, 'utf8')
    expect(log).toContain('signal received: draining before leaving the mesh')
    expect(log).toMatch(/drained after [\d.]+ s: .*nothing was left.*retired through the control log/)
    await expectEveryResultOnce(h, id)
    await expectRetired(h, 3)
  })
})

describe('draining a job\'s home within its deadline', () => {
  const h = harness('drainhome1', 7740)

  beforeAll(async () => {
    await cluster(h.dir, ['up', '3', '--base-port', '7740', '--', '--concurrency', '2'])
    await cluster(h.dir, ['wait'])
  })

  afterAll(async () => {
    await cluster(h.dir, ['down'])
  })

  it('refuses new jobs, hands its queue to peers, and leaves only once its job completed', async () => {
    const id = await h.submit()
    await h.waitForWorkOn(2)
    const home = h.state().nodes[0]!
    const drain = meshnode(['drain', '--deadline', '90s', '--json', '--data-dir', home.dataDir], { timeoutMs: 150_000 })
    // While it drains, a submit there is refused with DRAINING, and status says it drains.
    await waitUntil(async () => {
      const s = (await statusAll(h.dir)).find(n => n.entry.index === 1)?.status
      return s?.draining === true
    }, 10_000, 'node-1 to report draining', 50)
    const refused = await meshnode(['submit', 'echo', '1', '--data-dir', home.dataDir])
    expect(refused.code).toBe(7)
    expect(refused.stderr).toContain('DRAINING')
    const r = await drain
    expect(r.code, r.stderr + r.stdout).toBe(0)
    const summary = JSON.parse(r.stdout)
    expect(summary).toMatchObject({ state: 'left', clean: true, declaredDead: true })
    // The home held most of the fan-out's queue: it went to the peers.
    expect(summary.handedOff).toBeGreaterThan(0)
    // Its job had completed before it left: the registry says so on the survivors.
    const node2 = h.state().nodes[1]!
    const list = JSON.parse((await meshnode(['jobs', '--json', '--data-dir', node2.dataDir])).stdout) as { jobs: Array<{ id: string, state: string }> }
    expect(list.jobs.find(j => j.id === id)?.state).toBe('completed')
    await waitUntil(() => !isRunning(home.pid), 15_000, 'node-1 to exit after its drain')
  })
})

describe('draining a job\'s home past its deadline', () => {
  // The home drains with a short deadline while its job still runs, retires (node.dead,
  // reason "drain deadline passed"), and the same log entry re-homes the job to a replica
  // holder, which runs it again from its roots and finishes it.
  const h = harness('drainhome', 7720)

  it('retires the home at its deadline (exit 5) and the job completes on a replica holder with every result once', async () => {
    await cluster(h.dir, ['up', '3', '--base-port', '7720', '--', '--concurrency', '2'])
    try {
      await cluster(h.dir, ['wait'])
      const id = await h.submit()
      await h.waitForWorkOn(2)
      const home = h.state().nodes[0]!
      const r = await meshnode(['drain', '--deadline', '2s', '--json', '--data-dir', home.dataDir], { timeoutMs: 120_000 })
      expect(r.code, r.stderr).toBe(5)
      expect(JSON.parse(r.stdout)).toMatchObject({ state: 'left', clean: false, declaredDead: true })
      await waitUntil(() => !isRunning(home.pid), 15_000, 'the home to exit after its drain')
      // Ask a survivor: the job's registry entry names its new home.
      const node2 = h.state().nodes[1]!
      await waitUntil(async () => {
        const j = await meshnode(['job', id, '--json', '--data-dir', node2.dataDir])
        return j.code === 0 && JSON.parse(j.stdout).state === 'completed'
      }, 120_000, 'the re-homed job to complete', 500)
      const done = await meshnode(['job', id, '--json', '--results', '--data-dir', node2.dataDir])
      const view = JSON.parse(done.stdout) as { home: string, homes: string[], epoch: number, total: number, done: number, results: Array<{ taskId: string }> }
      expect(view.epoch).toBe(1)
      expect(view.done).toBe(view.total)
      expect(new Set(view.results.map(r => r.taskId)).size).toBe(Math.min(view.total, view.results.length))
    } finally {
      await cluster(h.dir, ['down'])
    }
  })
})
