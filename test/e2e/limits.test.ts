// Limits against abuse on a real node process: one client host flooding status or admin
// requests is throttled, and `meshnode status --json` shows it in rate_limited_total, while
// another client is still answered and the local CLI (the node's operator key) is never
// limited.
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import type { Libp2p } from 'libp2p'
import type { ChildProcess } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { waitUntil } from '../../scripts/cluster-lib.js'
import type { StatusJson } from '../../src/node/client/status-json.js'
import { readRuntimeFile } from '../../src/node/store/runtime-file.js'
import { callWith, createCaller } from '../../src/node/transport/rpc.js'
import { ADMIN_CALL, STATUS_CALL } from '../../src/wire/calls.js'
import { ADMIN_ANONYMOUS_RATE, STATUS_RATE } from '../../src/wire/constants.js'
import { meshnode, spawnMeshnode, tempDir } from './helpers.js'

const PORT = 19320

async function status (dataDir: string): Promise<StatusJson> {
  const r = await meshnode(['status', '--data-dir', dataDir, '--json'])
  if (r.code !== 0) throw new Error(r.stderr)
  return JSON.parse(r.stdout)
}

/** Runs `n` calls, `width` at a time; resolves with how many succeeded and what the rest threw. */
async function flood<T> (n: number, width: number, one: () => Promise<T>): Promise<{ results: T[], failures: number }> {
  const results: T[] = []
  let failures = 0
  for (let i = 0; i < n; i += width) {
    await Promise.all(Array.from({ length: Math.min(width, n - i) }, async () => {
      await one().then(r => { results.push(r) }, () => { failures++ })
    }))
  }
  return { results, failures }
}

describe('a node flooded by one client host', () => {
  const dataDir = tempDir('limits')
  let node: ChildProcess
  let target: Multiaddr
  const clients: Libp2p[] = []

  beforeAll(async () => {
    node = spawnMeshnode(['start', '--data-dir', dataDir, '--listen', `/ip4/127.0.0.1/tcp/${PORT}`, '--name', 'limits', '--log-level', 'warn'])
    await waitUntil(async () => await readRuntimeFile(dataDir).then(() => true, () => false), 20_000, 'node to start')
    target = multiaddr((await readRuntimeFile(dataDir)).addrs[0]!)
  })

  afterAll(async () => {
    await Promise.all(clients.map(async c => { await c.stop() }))
    node?.kill('SIGKILL')
  })

  async function client (): Promise<Libp2p> {
    const c = await createCaller()
    clients.push(c)
    return c
  }

  it('throttles a status flood and counts it, while another client and the local CLI are answered', async () => {
    const before = (await status(dataDir)).counters.rate_limited_total ?? 0
    const flooder = await client()
    // Far more than a burst, four streams at a time (under status's eight per connection, so
    // no stream is refused for that instead); no machine is slow enough to refill them all.
    const n = 10 * STATUS_RATE.burst
    const { results, failures } = await flood(n, 4, async () => await callWith(flooder, target, { includePeers: false }, STATUS_CALL))
    expect(failures).toBeGreaterThan(0)
    expect(results.length).toBeGreaterThanOrEqual(STATUS_RATE.burst)
    expect(results.length).toBeLessThan(n)
    // Another client host is answered at once.
    const other = await client()
    expect((await callWith(other, target, { includePeers: true }, STATUS_CALL)).peerId).toBeTruthy()
    // The local CLI is answered too, and shows every refusal counted.
    const s = await status(dataDir)
    expect((s.counters.rate_limited_total ?? 0) - before).toBe(failures)
  })

  it('answers an anonymous admin flood with RATE_LIMITED, and still answers another client', async () => {
    const before = (await status(dataDir)).counters.rate_limited_total ?? 0
    const flooder = await client()
    const n = 10 * ADMIN_ANONYMOUS_RATE.burst
    const { results, failures } = await flood(n, 32, async () => await callWith(flooder, target, { whoAmI: {} }, ADMIN_CALL))
    expect(failures).toBe(0)
    const limited = results.filter(r => r.code === 'RATE_LIMITED')
    expect(limited.length).toBeGreaterThan(0)
    expect(limited[0]!.error).toMatch(/retry in a moment/)
    expect(results.filter(r => r.code === '').length).toBeGreaterThanOrEqual(ADMIN_ANONYMOUS_RATE.burst)
    const other = await callWith(await client(), target, { whoAmI: {} }, ADMIN_CALL)
    expect(other.code).toBe('')
    expect((await status(dataDir)).counters.rate_limited_total! - before).toBe(limited.length)
    // The local CLI holds the node's operator key: never limited.
    const whoami = await meshnode(['operator', 'whoami', '--data-dir', dataDir])
    expect(whoami.code, whoami.stderr).toBe(0)
  })
})
