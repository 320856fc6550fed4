// Supervision on real processes (issue 11, items 1 and 2): `scripts/cluster up 3` with the
// test handlers. (a) A poison task climbs the escalation ladder: retried on its home, then
// run on another node, then failed with every attempt's error in `meshnode job ID --json`.
// (b) A node whose handler always fails gets its circuit opened — where it runs (the handler
// is no longer offered) and at the lender that lent to it — and work stops going to it: the
// other nodes finish the job, and `status --json` shows the open circuits.
// Ports 19500-19599; run with `flock /tmp/meshnode-e2e.lock npx vitest run test/e2e/supervision.test.ts`.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadState, waitUntil, type ClusterState } from '../../scripts/cluster-lib.js'
import type { StatusJson } from '../../src/node/client/status-json.js'
import { ROOT, cluster, meshnode, tempDir } from './helpers.js'

const HANDLERS = join(ROOT, 'test', 'fixtures', 'handlers.mjs')

interface Failure { taskId: string, node: string, attempt: number, error: string, at: number }
interface JobJson { id: string, state: string, total: number, done: number, failed: number, byNode: Record<string, number>, error?: string, failures?: Failure[] }

describe('supervision: the escalation ladder and circuit breakers', () => {
  const dir = tempDir('supervision')
  const state = (): ClusterState => loadState(dir)
  const dataDir = (i: number): string => state().nodes[i - 1]!.dataDir

  const job = async (id: string, at = 1): Promise<JobJson> => {
    const r = await meshnode(['job', id, '--json', '--data-dir', dataDir(at)])
    expect(r.code, r.stderr).toBe(0)
    return JSON.parse(r.stdout)
  }
  const waitFinal = async (id: string): Promise<JobJson> => {
    let last: JobJson | undefined
    await waitUntil(async () => {
      last = await job(id).catch(() => last)
      return last != null && ['completed', 'failed', 'cancelled'].includes(last.state)
    }, 120_000, `job ${id} to finish`, 250)
    return last!
  }
  const status = async (i: number): Promise<StatusJson> => {
    const r = await meshnode(['status', '--json', '--data-dir', dataDir(i)])
    expect(r.code, r.stderr).toBe(0)
    return JSON.parse(r.stdout)
  }

  beforeAll(async () => {
    await cluster(dir, ['up', '3', '--base-port', '19500', '--http-base-port', '19510', '--', '--concurrency', '2', '--handlers', HANDLERS,
      '--supervision-breaker-failures', '3', '--supervision-breaker-cool-down-ms', '600000'], 120_000)
    await cluster(dir, ['wait'])
  }, 180_000)

  afterAll(async () => {
    await cluster(dir, ['down']).catch(() => {})
  })

  it('(a) a poison task is retried here, then run on another node, then fails with every attempt\'s error', async () => {
    const r = await meshnode(['submit', 'boom', '{"why":"poison"}', '--attempts', '4', '--json', '--data-dir', dataDir(1)])
    expect(r.code, r.stderr).toBe(0)
    const id = JSON.parse(r.stdout).id as string
    const done = await waitFinal(id)
    expect(done.state).toBe('failed')
    const home = (await status(1)).peerId
    const failures = done.failures!
    expect(failures.map(f => f.attempt)).toEqual([1, 2, 3, 4])
    expect(failures.every(f => f.error === 'boom: poison' && f.taskId === `${id}/0` && f.at > 0)).toBe(true)
    // Two attempts on its home (localAttempts 2), then two on one other node.
    expect(failures[0]!.node).toBe(home)
    expect(failures[1]!.node).toBe(home)
    expect(failures[2]!.node).not.toBe(home)
    expect(failures[3]!.node).toBe(failures[2]!.node)
    // The human view lists them too.
    const text = await meshnode(['job', id, '--data-dir', dataDir(1)])
    expect(text.stdout).toMatch(/attempts that failed:/)
    expect(text.stdout.match(/attempt \d on /g)).toHaveLength(4)
  }, 120_000)

  it('(b) a node whose handler always fails is cut off by its circuits; the others finish the job', async () => {
    const broken = await status(3)
    const file = join(dir, 'broken-job.json')
    writeFileSync(file, JSON.stringify({ attempts: 3, tasks: Array.from({ length: 300 }, () => ({ type: 'brokenOn', payload: { on: broken.peerId, ms: 40 } })) }))
    const r = await meshnode(['submit', '--file', file, '--json', '--data-dir', dataDir(1)])
    expect(r.code, r.stderr).toBe(0)
    const id = JSON.parse(r.stdout).id as string
    const done = await waitFinal(id)
    expect(done).toMatchObject({ state: 'completed', total: 300, done: 300, failed: 0 })
    expect(done.byNode[broken.peerId] ?? 0).toBe(0)

    // Where it runs: the handler's circuit is open and node-3 no longer offers it.
    const s3 = await status(3)
    expect(s3.circuits).toContainEqual(expect.objectContaining({ kind: 'handler', target: 'brokenOn', state: 'open' }))
    expect(s3.capabilities).not.toContain('handler:brokenOn')
    // At the lender(s): the peer's circuit is open.
    const lenders = [await status(1), await status(2)].filter(s => s.circuits.some(c => c.kind === 'peer' && c.target === broken.peerId && c.state === 'open'))
    expect(lenders.length).toBeGreaterThan(0)
    const text = await meshnode(['status', '--data-dir', dataDir(lenders[0]!.name === 'node-1' ? 1 : 2)])
    expect(text.stdout).toMatch(/circuit breakers:\n\s+peer node-3 .*: OPEN/)
  }, 180_000)
})
