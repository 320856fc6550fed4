// --concurrency auto, end to end: a node started without flags runs auto and says so in
// status (JSON and summary), grows its slots under queued I/O-bound work, a number still fixes
// them, and bad --concurrency / --min-concurrency / --max-concurrency values are refused with
// a clear error and exit code 2 (README, exit codes). Ports 20540–20549.
import type { ChildProcess } from 'node:child_process'
import { availableParallelism } from 'node:os'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { waitUntil } from '../../scripts/cluster-lib.js'
import type { StatusJson } from '../../src/node/client/status-json.js'
import { readRuntimeFile } from '../../src/node/store/runtime-file.js'
import { meshnode, spawnMeshnode, tempDir } from './helpers.js'

const started: ChildProcess[] = []
afterAll(() => {
  for (const p of started) p.kill('SIGKILL')
})

async function startNode (name: string, port: number, extra: string[] = []): Promise<string> {
  const dataDir = tempDir(`conc-${name}`)
  started.push(spawnMeshnode(['start', '--data-dir', dataDir, '--listen', `/ip4/127.0.0.1/tcp/${port}`, '--name', name, '--http', 'off', '--log-level', 'warn', ...extra]))
  await waitUntil(async () => await readRuntimeFile(dataDir).then(() => true, () => false), 20_000, 'node to start')
  return dataDir
}

async function status (dataDir: string): Promise<StatusJson> {
  const r = await meshnode(['status', '--data-dir', dataDir, '--json'])
  if (r.code !== 0) throw new Error(r.stderr)
  return JSON.parse(r.stdout)
}

describe('--concurrency auto', () => {
  it('is the default: status shows auto with its bounds, and the slots grow under queued I/O-bound work', async () => {
    const cpus = availableParallelism()
    const dataDir = await startNode('auto', 20540)
    const s = await status(dataDir)
    expect(s.concurrency).toEqual({ mode: 'auto', slots: cpus, min: cpus, max: Math.max(64, 16 * cpus) })
    const table = await meshnode(['status', '--data-dir', dataDir])
    expect(table.stdout).toContain(`slots ${cpus} (auto, ${cpus}–${Math.max(64, 16 * cpus)})`)
    // Timers only: every slot added adds throughput, so auto grows past its minimum.
    const job = join(dataDir, 'job.json')
    writeFileSync(job, JSON.stringify({ tasks: Array.from({ length: 3000 }, () => ({ type: 'sleep', payload: { ms: 50 } })) }))
    const sub = await meshnode(['submit', '--data-dir', dataDir, '--file', job, '--json'])
    expect(sub.code, sub.stderr).toBe(0)
    await waitUntil(async () => (await status(dataDir)).concurrency!.slots > cpus, 60_000, 'the slots to grow', 250)
    const grown = (await status(dataDir)).concurrency!
    expect(grown.mode).toBe('auto')
    expect(grown.slots).toBeLessThanOrEqual(grown.max)
  })

  it('a number still fixes the slots', async () => {
    const dataDir = await startNode('fixed', 20541, ['--concurrency', '3'])
    expect((await status(dataDir)).concurrency).toEqual({ mode: 'fixed', slots: 3, min: 3, max: 3 })
    expect((await meshnode(['status', '--data-dir', dataDir])).stdout).toContain('slots 3 (fixed)')
  })

  it('refuses bad values with a clear error and exit code 2', async () => {
    const start = async (args: string[], env?: NodeJS.ProcessEnv): Promise<{ code: number, stderr: string }> =>
      await meshnode(['start', '--data-dir', tempDir('conc-bad'), '--listen', '/ip4/127.0.0.1/tcp/20542', '--http', 'off', ...args], env != null ? { env } : {})
    const minOverMax = await start(['--min-concurrency', '8', '--max-concurrency', '4'])
    expect(minOverMax.code).toBe(2)
    expect(minOverMax.stderr).toMatch(/--min-concurrency 8: it is above --max-concurrency 4/)
    const word = await start(['--concurrency', 'lots'])
    expect(word.code).toBe(2)
    expect(word.stderr).toMatch(/--concurrency "lots": expected "auto" or a whole number/)
    const notNumber = await start(['--max-concurrency', 'many'])
    expect(notNumber.code).toBe(2)
    expect(notNumber.stderr).toMatch(/--max-concurrency "many": expected a whole number/)
    const zero = await start(['--min-concurrency', '0'])
    expect(zero.code).toBe(2)
    expect(zero.stderr).toMatch(/--min-concurrency.*between 1 and 4096/)
    const env = await start([], { MESHNODE_MIN_CONCURRENCY: '9', MESHNODE_MAX_CONCURRENCY: '3' })
    expect(env.code).toBe(2)
    expect(env.stderr).toMatch(/MESHNODE_MIN_CONCURRENCY 9: it is above MESHNODE_MAX_CONCURRENCY 3/)
  })
})
