// Retention on real processes: a 3-node cluster where an operator shortens retention through
// the replicated config. Finished jobs first lose their results (retention.resultsMaxAgeMs),
// then leave the registry on every node and their home's LevelDB (retention.maxAgeMs); a
// running job and a job submitted with --keep stay. Ports 29500-29502.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { kill, loadState, restart, waitUntil } from '../../scripts/cluster-lib.js'
import { EXIT_NOT_FOUND } from '../../src/node/errors.js'
import { RUNTIME_FILE, type RuntimeInfo } from '../../src/node/store/runtime-file.js'
import { Store } from '../../src/node/store/store.js'
import { WorkStore } from '../../src/node/store/work-store.js'
import { cluster, meshnode, ROOT, tempDir } from './helpers.js'

const HANDLERS = join(ROOT, 'test', 'fixtures', 'handlers.mjs')
const BASE_PORT = 29500

describe('retention on a 3-node cluster', () => {
  const dir = tempDir('retention3')
  let dataDirs: string[] = []
  const finished: string[] = []
  let kept = ''
  let running = ''

  beforeAll(async () => {
    await cluster(dir, ['up', '3', '--base-port', String(BASE_PORT), '--', '--handlers', HANDLERS, '--concurrency', '2'])
    dataDirs = loadState(dir).nodes.map(n => n.dataDir)
  }, 90_000)

  afterAll(async () => {
    await cluster(dir, ['down'])
  })

  async function cli (args: string[], node = 0): Promise<{ code: number, stdout: string, stderr: string }> {
    return await meshnode([...args, '--data-dir', dataDirs[node]!], { timeoutMs: 60_000 })
  }

  async function submit (args: string[], node: number): Promise<string> {
    const r = await cli(['submit', ...args, '--json'], node)
    expect(r.code, r.stderr).toBe(0)
    return JSON.parse(r.stdout).id
  }

  async function jobOn (id: string, node: number, results = false): Promise<{ code: number, json?: any, stderr: string }> {
    const r = await cli(['job', id, '--json', ...(results ? ['--results'] : [])], node)
    return { code: r.code, stderr: r.stderr, ...(r.code === 0 ? { json: JSON.parse(r.stdout) } : {}) }
  }

  it('runs jobs homed on two nodes to the end, one with --keep, and one that keeps running', async () => {
    for (let i = 0; i < 4; i++) finished.push(await submit(['echo', JSON.stringify({ i }), '--wait'], 0))
    finished.push(await submit(['echo', '"second home"', '--wait'], 1))
    kept = await submit(['echo', '"keep me"', '--keep', '1h', '--wait'], 0)
    running = await submit(['nap', '{"ms": 600000}', '--timeout-ms', '0', '--attempts', '1'], 2)
    for (const id of [...finished, kept]) expect((await jobOn(id, 2)).json).toMatchObject({ state: 'completed' })
    expect((await jobOn(kept, 0)).json.keepMs).toBe(3_600_000)
  })

  it('refuses a bad retention value at config set, with a clear error', async () => {
    const bad = await cli(['config', 'set', 'retention.maxAgeMs', 'a while'])
    expect(bad.code).not.toBe(0)
    expect(bad.stderr).toContain('retention.maxAgeMs must be a duration')
    const unknown = await cli(['config', 'set', 'retention.maxage', '1d'])
    expect(unknown.code).not.toBe(0)
    expect(unknown.stderr).toContain('unknown retention key')
    const status = JSON.parse((await cli(['retention', '--json'])).stdout)
    expect(status).toMatchObject({ maxAgeMs: 7 * 86_400_000, maxJobs: 100_000, resultsMaxAgeMs: null, running: 1, finished: 6, deletedTotal: 0 })
    expect(status.defaults).toHaveLength(3)
  })

  it('expires results first: the record stays and says its results are gone', async () => {
    const set = await cli(['config', 'set', 'retention.resultsMaxAgeMs', '1s'], 1)
    expect(set.code, set.stderr).toBe(0)
    const home = 0
    await waitUntil(async () => (await jobOn(finished[0]!, home)).json?.resultsExpired === true, 30_000, 'the results of a finished job to expire', 250)
    const withResults = await jobOn(finished[0]!, 2, true)
    expect(withResults.json).toMatchObject({ state: 'completed', resultsExpired: true })
    expect(withResults.json.results ?? []).toEqual([])
    const text = await cli(['job', finished[0]!, '--results'], 1)
    expect(text.stdout).toContain('results  expired')
    // A job with its own keep keeps its results.
    expect((await jobOn(kept, 1, true)).json.results).toHaveLength(1)
  })

  it('forgets finished jobs on every node and at their homes; the running job and the kept job stay', async () => {
    const set = await cli(['config', 'set', 'retention.maxAgeMs', '2000'], 2)
    expect(set.code, set.stderr).toBe(0)
    for (let node = 0; node < 3; node++) {
      for (const id of finished) {
        // The answer that ended the wait is the one checked: one CLI call fewer per job and node.
        let gone = { code: 0, stderr: '' }
        await waitUntil(async () => (gone = await jobOn(id, node)).code !== 0, 30_000, `job ${id} to be forgotten on node ${node + 1}`, 250)
        expect(gone.code).toBe(EXIT_NOT_FOUND)
        expect(JSON.parse(gone.stderr).error.code).toBe('NOT_FOUND')
      }
      expect((await jobOn(running, node)).json).toMatchObject({ state: 'running' })
      expect((await jobOn(kept, node)).json).toMatchObject({ state: 'completed' })
      const all = JSON.parse((await cli(['jobs', '--all', '--json'], node)).stdout).jobs.map((j: { id: string }) => j.id).sort()
      expect(all).toEqual([kept, running].sort())
    }
    const status = JSON.parse((await cli(['retention', '--json'], 1)).stdout)
    expect(status).toMatchObject({ maxAgeMs: 2000, resultsMaxAgeMs: 1000, running: 1, finished: 1, deletedTotal: 5 })
  })

  it('leaves nothing of a forgotten job in its home\'s LevelDB', async () => {
    // The home of the first four is node 1: stop it (without draining), read its store.
    const self = (JSON.parse(readFileSync(join(dataDirs[0]!, RUNTIME_FILE), 'utf8')) as RuntimeInfo).peerId
    await kill(1, 'SIGUSR2', dir)
    const store = await Store.open(dataDirs[0]!)
    try {
      const work = new WorkStore(store, self)
      for (const id of finished.slice(0, 4)) {
        expect(await work.job(id)).toBeUndefined()
        expect(await work.jobResults(id, 10)).toEqual([])
      }
      expect(await work.job(kept)).toMatchObject({ state: 'completed', keepMs: 3_600_000 })
    } finally {
      await store.close()
    }
    await restart(1, dir)
    await cluster(dir, ['wait'])
    // Back up, it does not bring the forgotten jobs back.
    for (const id of finished) expect((await jobOn(id, 0)).code).toBe(EXIT_NOT_FOUND)
    expect(JSON.parse((await cli(['jobs', '--all', '--json'], 0)).stdout).jobs).toHaveLength(2)
  }, 90_000)
})
