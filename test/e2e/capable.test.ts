// A job that waits for a capability: submitted with --queue-until-capable to a mesh where no
// node offers "gpu", it is accepted and shows what it waits for; when a node with the
// capability joins, it runs there and completes. Without the flag the same submit is refused.
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadState, waitUntil } from '../../scripts/cluster-lib.js'
import { cluster, meshnode, spawnMeshnode, tempDir } from './helpers.js'
import type { ChildProcess } from 'node:child_process'

const BASE_PORT = 26300

describe('a job waiting for a capable node', () => {
  const dir = tempDir('capable')
  let node1 = ''
  let gpu: ChildProcess | undefined

  beforeAll(async () => {
    await cluster(dir, ['up', '2', '--base-port', String(BASE_PORT), '--', '--http', 'off'])
    node1 = loadState(dir).nodes[0]!.dataDir
  })

  afterAll(async () => {
    gpu?.kill('SIGKILL')
    await cluster(dir, ['down'])
  })

  it('is refused without --queue-until-capable, queued with it, and completes once a gpu node joins', async () => {
    const refused = await meshnode(['submit', 'echo', '1', '--requires', 'gpu', '--data-dir', node1])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('NO_CAPABLE_NODE')

    const sub = await meshnode(['submit', 'echo', '{"on":"gpu"}', '--requires', 'gpu', '--queue-until-capable', '--capable-timeout', '5m', '--json', '--data-dir', node1])
    expect(sub.code, sub.stderr).toBe(0)
    const id = JSON.parse(sub.stdout).id as string
    const waiting = await meshnode(['job', id, '--data-dir', node1])
    expect(waiting.stdout).toMatch(/state {4}running, waiting for capability gpu \(until .*, then those tasks fail\)/)
    expect(JSON.parse((await meshnode(['job', id, '--json', '--data-dir', node1])).stdout).waitingFor).toEqual(['gpu'])

    gpu = spawnMeshnode(['start', '--data-dir', join(dir, 'gpu'), '--listen', `/ip4/127.0.0.1/tcp/${BASE_PORT + 10}`, '--peer', `127.0.0.1:${BASE_PORT}`, '--capabilities', 'gpu', '--http', 'off', '--name', 'gpu'])
    let job: { state: string, byNode: Record<string, number>, result?: unknown } = { state: '', byNode: {} }
    await waitUntil(async () => {
      job = JSON.parse((await meshnode(['job', id, '--json', '--data-dir', node1])).stdout)
      return job.state !== 'running'
    }, 60_000, 'the waiting job to finish once a gpu node joined')
    expect(job.state).toBe('completed')
    expect(job.result).toEqual({ on: 'gpu' })
    expect(Object.keys(job.byNode)).toHaveLength(1)
  }, 90_000)
})
