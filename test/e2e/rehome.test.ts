// Jobs outlive their home (issue 10, item 3), on real processes: a job's definition is on two
// other nodes before its submit is acknowledged; SIGKILL the home and never restart it, and
// the mesh commits the death, moves the job to a replica holder, which runs it again from its
// roots — the job completes, each result recorded once, and `job ID` names the new home and
// the dead one.
//
// Ports 19900–19930; run with `flock /tmp/meshnode-e2e.lock npx vitest run test/e2e/rehome.test.ts`.
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { loadState, statusAll, waitUntil } from '../../scripts/cluster-lib.js'
import { adminCall } from '../../src/node/client/admin.js'
import { OPERATOR_KEY_FILE, loadKeyFile } from '../../src/node/store/identity.js'
import { cluster, meshnode, tempDir } from './helpers.js'

interface JobView { id: string, state: string, home: string, homes?: string[], replicas?: string[], epoch?: number, total: number, done: number, failed: number, results?: Array<{ taskId: string }> }

describe('a job whose home dies for good is re-homed to a replica holder and completes', () => {
  const dir = tempDir('rehome')
  afterAll(async () => {
    // A failure keeps the nodes' logs for the post-mortem (../temp-dir.ts).
    await cluster(dir, ['down']).catch(() => {})
  })

  async function job (via: number, id: string, results = false): Promise<JobView> {
    const node = loadState(dir).nodes[via - 1]!
    const d = await adminCall(`/ip4/127.0.0.1/tcp/${node.port}`, 'jobGet', { id, results, limit: 10_000, after: '' }, undefined, { key: await loadKeyFile(join(dir, OPERATOR_KEY_FILE)) })
    return { ...JSON.parse(d.view), ...(d.results !== '' ? { results: JSON.parse(d.results) } : {}) }
  }

  async function registered (via: number, id: string): Promise<{ state: string, home: string } | undefined> {
    const node = loadState(dir).nodes[via - 1]!
    const d = await adminCall(`/ip4/127.0.0.1/tcp/${node.port}`, 'jobsList', { all: true, limit: 100, before: '', since: 0 }, undefined, { key: await loadKeyFile(join(dir, OPERATOR_KEY_FILE)) })
    return d.jobs.find(j => j.id === id)
  }

  it('SIGKILL the home mid-fanout: the job completes at a new home, every result once', async () => {
    await cluster(dir, ['up', '4', '--base-port', '19900', '--', '--concurrency', '2'])
    const nodes = loadState(dir).nodes
    const peerIds = (await statusAll(dir)).map(n => n.status?.peerId)
    const home = nodes[0]!
    // A few long one-task jobs first (still running or queued when the home dies: each is
    // acknowledged only once replicated), then a fanout that spreads over the mesh.
    // One job finished before the home dies: its details live only there.
    const early = await meshnode(['submit', 'echo', '{"x":1}', '--wait', '--json', '--data-dir', home.dataDir])
    expect(early.code, early.stderr).toBe(0)
    const earlyId = JSON.parse(early.stdout).id as string
    const small: string[] = []
    for (let i = 0; i < 4; i++) {
      const r = await meshnode(['submit', 'sleep', '{"ms":8000}', '--json', '--data-dir', home.dataDir])
      expect(r.code, r.stderr).toBe(0)
      small.push(JSON.parse(r.stdout).id as string)
    }
    // Children of 2 s: the fanout must still be running when the kill lands, a CLI call or
    // two after it is seen running (with 200 ms children it finished first on a loaded CI
    // machine, and only the dead home held its details).
    const fanout = await meshnode(['submit', 'fanout', JSON.stringify({ n: 120, type: 'sleep', payload: { ms: 2000 } }), '--json', '--data-dir', home.dataDir])
    expect(fanout.code, fanout.stderr).toBe(0)
    const fanoutId = JSON.parse(fanout.stdout).id as string
    const before = await job(2, fanoutId)
    expect(before.home).toBe(peerIds[0])
    expect(before.replicas).toHaveLength(2)
    await waitUntil(async () => (await job(2, fanoutId)).done >= 10, 30_000, 'the fanout to make progress', 100)
    expect((await job(2, fanoutId)).state).toBe('running')
    await cluster(dir, ['kill', '1'])

    for (const id of [fanoutId, ...small]) {
      // The registry (any node's `jobs` listing) says when each job is over and where.
      let listed: { state: string, home: string } | undefined
      await waitUntil(async () => {
        listed = await registered(2, id).catch(() => undefined)
        return listed != null && ['completed', 'failed', 'cancelled'].includes(listed.state)
      }, 60_000, `job ${id} to finish after its home died`, 250)
      // A job that finished before the kill (a loaded machine can take the fanout's first ten
      // tasks longer than a sleep job's 8 s), its final state registered, stays where it is:
      // its home, the only node holding its details, is dead.
      if (listed!.home === peerIds[0]) {
        expect(listed!.state).toBe('completed')
        continue
      }
      const last = await job(2, id)
      expect(last, JSON.stringify(last)).toMatchObject({ state: 'completed', failed: 0, epoch: 1, homes: [peerIds[0]] })
      expect(peerIds.slice(1)).toContain(last.home)
    }
    const done = await job(3, fanoutId, true)
    expect(done).toMatchObject({ state: 'completed', total: 121, done: 121 })
    const ids = done.results!.map(r => r.taskId)
    expect(new Set(ids).size).toBe(121)
    // The re-run's ids carry the new home generation.
    expect(ids.every(id => id.startsWith(`${fanoutId}/0@1`))).toBe(true)
    // The CLI names the new home and the dead one.
    const shown = await meshnode(['job', fanoutId, '--data-dir', nodes[1]!.dataDir])
    expect(shown.code, shown.stderr).toBe(0)
    expect(shown.stdout).toMatch(/re-homed 1×/)
    // The job that finished before the death: the registry's view from any node, not a
    // question forwarded to the dead home for ever.
    const orphan = await meshnode(['job', earlyId, '--json', '--data-dir', nodes[2]!.dataDir])
    expect(orphan.code, orphan.stderr).toBe(0)
    expect(JSON.parse(orphan.stdout)).toMatchObject({ id: earlyId, state: 'completed', home: peerIds[0], homeDead: true })
    const orphanText = await meshnode(['job', earlyId, '--data-dir', nodes[1]!.dataDir])
    expect(orphanText.code, orphanText.stderr).toBe(0)
    expect(orphanText.stdout).toMatch(/lost {5}its home .* was declared dead after the job completed/)
  }, 180_000)
})
