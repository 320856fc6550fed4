// Jobs on real processes: a 3-node cluster with the test handlers loaded. Ten thousand
// tasks submitted to one node run on all three (stealing) and every result is recorded
// once; a thief and then the home killed with SIGKILL mid-job and restarted resume and the
// job completes; bad submissions get clear errors; cancel stops a job mesh-wide.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadState, statusAll, waitUntil } from '../../scripts/cluster-lib.js'
import { adminCall } from '../../src/node/client/admin.js'
import { OPERATOR_KEY_FILE, loadKeyFile } from '../../src/node/store/identity.js'
import { cluster, meshnode, ROOT, tempDir } from './helpers.js'

const HANDLERS = join(ROOT, 'test', 'fixtures', 'handlers.mjs')

interface JobJson { id: string, state: string, total: number, done: number, failed: number, byNode: Record<string, number>, error?: string }

describe('jobs on a 3-node cluster', () => {
  const dir = tempDir('jobs3')
  let node1 = ''

  beforeAll(async () => {
    await cluster(dir, ['up', '3', '--base-port', '21400', '--', '--handlers', HANDLERS, '--concurrency', '4'])
    node1 = loadState(dir).nodes[0]!.dataDir
  })

  afterAll(async () => {
    await cluster(dir, ['down'])
  })

  async function submitFile (tasks: unknown[], extra: string[] = []): Promise<string> {
    const file = join(dir, `job-${Date.now()}.json`)
    writeFileSync(file, JSON.stringify({ tasks }))
    const r = await meshnode(['submit', '--file', file, '--json', '--data-dir', node1, ...extra])
    expect(r.code, r.stderr).toBe(0)
    return JSON.parse(r.stdout).id
  }

  async function job (id: string, results = false): Promise<JobJson & { results?: Array<{ taskId: string, ok: boolean }> }> {
    const addr = loadState(dir).nodes[0]!
    const d = await adminCall(`/ip4/127.0.0.1/tcp/${addr.port}`, 'jobGet', { id, results, limit: 10_000, after: '' }, undefined, { key: await loadKeyFile(join(dir, OPERATOR_KEY_FILE)) })
    return { ...JSON.parse(d.view), ...(d.results !== '' ? { results: JSON.parse(d.results) } : {}) }
  }

  async function waitFinal (id: string): Promise<JobJson> {
    let last: JobJson | undefined
    await waitUntil(async () => {
      // The home may be restarting: an unreachable node is just not finished yet.
      last = await job(id).catch(() => last)
      return last != null && ['completed', 'failed', 'cancelled'].includes(last.state)
    }, 120_000, `job ${id} to finish`, 250)
    return last!
  }

  it('runs 10 000 tasks submitted to one node on all three, recording every result once', async () => {
    const id = await submitFile(Array.from({ length: 10_000 }, () => ({ type: 'nap', payload: { ms: 1 } })))
    const done = await waitFinal(id)
    expect(done).toMatchObject({ state: 'completed', total: 10_000, done: 10_000, failed: 0 })
    expect(Object.keys(done.byNode)).toHaveLength(3)
    const full = await job(id, true)
    const ids = full.results!.map(r => r.taskId)
    expect(ids).toHaveLength(10_000)
    expect(new Set(ids).size).toBe(10_000)
    expect(full.results!.every(r => r.ok)).toBe(true)
  })

  it('answers a long poll (waitMs) when the job ends, also through a node that is not its home', async () => {
    const id = await submitFile([{ type: 'nap', payload: { ms: 1_500 } }])
    const other = loadState(dir).nodes[1]!
    const key = await loadKeyFile(join(dir, OPERATOR_KEY_FILE))
    const ask = async (waitMs: number): Promise<JobJson> => JSON.parse((await adminCall(`/ip4/127.0.0.1/tcp/${other.port}`, 'jobGet', { id, results: false, limit: 0, after: '', waitMs }, undefined, { key })).view)
    // A short wait ends with the job as it stands.
    expect(await ask(100)).toMatchObject({ state: 'running', done: 0 })
    // A long one is answered by the home once the job's end is durable, not after the wait.
    let answered = await ask(5_000)
    if (answered.state === 'running') answered = await ask(5_000) // a loaded machine: once more
    expect(answered).toMatchObject({ state: 'completed', total: 1, done: 1 })
    // `meshnode job ID --wait` on a running job: prints it once over; exit 0 only if it completed.
    // Asked at once of a node that is not the home: one that has not applied the registration
    // yet waits for it instead of answering NOT_FOUND.
    const later = await submitFile([{ type: 'nap', payload: { ms: 500 } }])
    const waited = await meshnode(['job', later, '--wait', '--json', '--data-dir', loadState(dir).nodes[2]!.dataDir], { timeoutMs: 60_000 })
    expect(waited.code, waited.stderr).toBe(0)
    expect(JSON.parse(waited.stdout)).toMatchObject({ id: later, state: 'completed', done: 1 })
    const failing = await submitFile([{ type: 'boom', payload: { why: 'test' }, attempts: 1 }])
    const failed = await meshnode(['job', failing, '--wait', '--json', '--data-dir', node1], { timeoutMs: 60_000 })
    expect(failed.code, failed.stderr).toBe(1)
    expect(JSON.parse(failed.stdout)).toMatchObject({ id: failing, state: 'failed' })
  })

  it('resumes after a thief and then the home are killed mid-job', async () => {
    const id = await submitFile(Array.from({ length: 3000 }, () => ({ type: 'nap', payload: { ms: 4 } })))
    const thief = loadState(dir).nodes[1]!
    await waitUntil(async () => {
      const s = (await statusAll(dir)).find(n => n.entry.index === thief.index)?.status
      return Number(s?.counters.work_tasks_stolen_total ?? 0) > 0
    }, 30_000, 'node-2 to steal work', 50)
    await cluster(dir, ['kill', String(thief.index)])
    await cluster(dir, ['restart', String(thief.index)])
    await cluster(dir, ['kill', '1'])
    await cluster(dir, ['restart', '1'])
    const done = await waitFinal(id)
    expect(done).toMatchObject({ state: 'completed', total: 3000, done: 3000, failed: 0 })
    const ids = (await job(id, true)).results!.map(r => r.taskId)
    expect(new Set(ids).size).toBe(3000)
    await cluster(dir, ['wait'])
  })

  it('keeps the error of a task that keeps failing, and times out one that hangs', async () => {
    const boom = await meshnode(['submit', 'boom', '{"why":"test"}', '--attempts', '2', '--wait', '--json', '--data-dir', node1], { timeoutMs: 60_000 })
    expect(boom.code, boom.stderr).toBe(1)
    expect(JSON.parse(boom.stdout)).toMatchObject({ state: 'failed', failed: 1 })
    expect(JSON.parse(boom.stdout).error).toContain('boom: test')
    const hang = await meshnode(['submit', 'hang', '--attempts', '1', '--timeout-ms', '200', '--wait', '--json', '--data-dir', node1], { timeoutMs: 60_000 })
    expect(hang.code).toBe(1)
    expect(JSON.parse(hang.stdout).error).toContain('timed out after 200 ms')
  })

  it('spawns children from a handler and reports the tree, to any node', async () => {
    const r = await meshnode(['submit', 'split', '{"n":500}', '--wait', '--json', '--data-dir', node1], { timeoutMs: 60_000 })
    expect(r.code, r.stderr).toBe(0)
    const done = JSON.parse(r.stdout)
    expect(done).toMatchObject({ state: 'completed', total: 501, done: 501, result: { children: 500 } })
    // Another node answers for it: `job` is forwarded to the home, `jobs` reads the registry.
    const node3 = loadState(dir).nodes[2]!.dataDir
    const remote = await meshnode(['job', done.id, '--json', '--data-dir', node3])
    expect(remote.code, remote.stderr).toBe(0)
    expect(JSON.parse(remote.stdout)).toMatchObject({ id: done.id, state: 'completed', done: 501 })
    await waitUntil(async () => {
      const list = JSON.parse((await meshnode(['jobs', '--json', '--data-dir', node3])).stdout) as { jobs: Array<{ id: string, state: string }> }
      return list.jobs.some(j => j.id === done.id && j.state === 'completed')
    }, 10_000, 'the registry to show the job completed on node 3', 200)
  })

  it('accepts a job at a follower, whose registration goes to the leader over the internal protocol', async () => {
    const follower = (await statusAll(dir)).find(s => s.status != null && s.status.role === 'follower')!
    const r = await meshnode(['submit', 'echo', '{"via": "follower"}', '--wait', '--json', '--data-dir', follower.entry.dataDir], { timeoutMs: 60_000 })
    expect(r.code, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({ state: 'completed', home: follower.status!.peerId, result: { via: 'follower' } })
  })

  it('holds a delayed job until its start time, then runs it (submit --delay)', async () => {
    const before = Date.now()
    const r = await meshnode(['submit', 'echo', '"later"', '--delay', '2s', '--json', '--data-dir', node1])
    expect(r.code, r.stderr).toBe(0)
    const id = JSON.parse(r.stdout).id as string
    const waiting = await job(id)
    expect(waiting.state).toBe('running')
    expect((waiting as { notBefore?: number }).notBefore).toBeGreaterThanOrEqual(before + 2_000)
    const shown = await meshnode(['job', id, '--data-dir', node1])
    expect(shown.stdout).toMatch(/starts +\d{4}-\d\d-\d\dT.* \(delayed\)/)
    const done = await waitFinal(id)
    expect(done.state).toBe('completed')
    // Its task started no earlier than the start time (by the home's clock, this machine's).
    expect((done as { lastTaskAt?: number }).lastTaskAt).toBeGreaterThanOrEqual((waiting as { notBefore?: number }).notBefore!)
    const both = await meshnode(['submit', 'echo', '--delay', '1s', '--at', '2030-01-01T00:00:00Z', '--data-dir', node1])
    expect(both.code).toBe(2)
    expect(both.stderr).toContain('--delay or --at, not both')
  })

  it('rejects bad submissions with clear errors and accepts nothing', async () => {
    const before = JSON.parse((await meshnode(['jobs', '--json', '--limit', '1000', '--data-dir', node1])).stdout).jobs.length
    const unknown = await meshnode(['submit', 'no-such-handler', '--data-dir', node1])
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toContain('NO_CAPABLE_NODE')
    const cmd = await meshnode(['submit', '--cmd', 'true', '--data-dir', node1])
    expect(cmd.stderr).toContain('--allow-commands')
    const bigFile = join(dir, 'big.json')
    writeFileSync(bigFile, JSON.stringify({ type: 'nap', payload: { pad: 'x'.repeat(300 * 1024) } }))
    const big = await meshnode(['submit', '--file', bigFile, '--data-dir', node1])
    expect(big.code).not.toBe(0)
    expect(big.stderr).toMatch(/payload is \d+ bytes; the limit is/)
    const notJson = join(dir, 'bad.json')
    writeFileSync(notJson, '{"tasks": [')
    const file = await meshnode(['submit', '--file', notJson, '--data-dir', node1])
    expect(file.code).toBe(2)
    expect(file.stderr).toContain('not valid JSON')
    writeFileSync(notJson, JSON.stringify({ tasks: [{ type: 'nap', attempts: 0 }] }))
    const field = await meshnode(['submit', '--file', notJson, '--data-dir', node1])
    expect(field.code).toBe(2)
    expect(field.stderr).toContain('tasks[0].attempts: must be >= 1')
    writeFileSync(notJson, JSON.stringify({ tasks: [{ type: 'nap', atempts: 5 }], priorty: 3 }))
    const misspelt = await meshnode(['submit', '--file', notJson, '--data-dir', node1])
    expect(misspelt.code).toBe(2)
    expect(misspelt.stderr).toContain('tasks[0]: unknown field "atempts" (did you mean "attempts"?)')
    expect(misspelt.stderr).toContain('unknown field "priorty" (did you mean "priority"?)')
    const after = JSON.parse((await meshnode(['jobs', '--json', '--limit', '1000', '--data-dir', node1])).stdout).jobs.length
    expect(after).toBe(before)
  })

  it('cancels a running job on every node', async () => {
    // Long enough (400 × 1 s on 12 slots: ~34 s) that the cancel lands while it runs even on a
    // loaded CI machine, where each CLI call below can take seconds; a cancel stops what runs.
    const id = await submitFile(Array.from({ length: 400 }, () => ({ type: 'nap', payload: { ms: 1000 } })))
    await waitUntil(async () => (await job(id)).done > 0, 30_000, 'the job to start', 50)
    const node3 = loadState(dir).nodes[2]!.dataDir
    const c = await meshnode(['cancel', id, '--data-dir', node3])
    expect(c.code, c.stderr).toBe(0)
    const done = await waitFinal(id)
    expect(done.state).toBe('cancelled')
    expect(done.done).toBeLessThan(400)
    const again = await meshnode(['cancel', id, '--data-dir', node1])
    expect(again.code).toBe(1)
    expect(again.stderr).toContain('already cancelled')
  })
})
