// Bad input never crashes a node or changes its state: bad flags, a busy port, unusable or
// corrupt data dirs, and a hostile peer sending malformed or oversize gossip and RPC frames.
import { gossipsub } from '@chainsafe/libp2p-gossipsub'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { identify } from '@libp2p/identify'
import type { PubSub } from '@libp2p/interface'
import { tcp } from '@libp2p/tcp'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p, type Libp2p } from 'libp2p'
import type { ChildProcess } from 'node:child_process'
import { readdirSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { encodeHeartbeat } from '../../src/wire/heartbeat-codec.js'
import { readRuntimeFile } from '../../src/node/store/runtime-file.js'
import type { StatusJson } from '../../src/node/client/status-json.js'
import { heartbeatTopic, MAX_HEARTBEAT_BYTES, STATUS_PROTOCOL, WORK_PROTOCOL } from '../../src/wire/constants.js'
import { pbStream } from 'it-protobuf-stream'
import { WorkFrame, type WorkRequest, type WorkResponse } from '../../src/wire/proto/work.js'
import { workRequest } from '../../src/wire/work-codec.js'
import { waitUntil } from '../../scripts/cluster-lib.js'
import { callWith } from '../../src/node/transport/rpc.js'
import { INTERNAL_CALL } from '../../src/wire/calls.js'
import { AdminRequest } from '../../src/wire/proto/admin.js'
import { meshnode, spawnMeshnode, tempDir } from './helpers.js'

function startNode (dataDir: string, port: number): ChildProcess {
  return spawnMeshnode(['start', '--data-dir', dataDir, '--listen', `/ip4/127.0.0.1/tcp/${port}`, '--name', 'target', '--log-level', 'warn'])
}

async function status (dataDir: string): Promise<StatusJson> {
  const r = await meshnode(['status', '--data-dir', dataDir, '--json'])
  if (r.code !== 0) throw new Error(r.stderr)
  return JSON.parse(r.stdout)
}

describe('start refuses bad environments with a clear error', () => {
  it('exits non-zero when the port is in use', async () => {
    const server = createServer()
    await new Promise<void>(resolve => server.listen(19301, '127.0.0.1', resolve))
    try {
      const r = await meshnode(['start', '--data-dir', tempDir('port'), '--listen', '/ip4/127.0.0.1/tcp/19301'])
      expect(r.code).toBe(1)
      expect(r.stderr).toMatch(/already in use.*--listen/)
    } finally {
      server.close()
    }
  })

  it('exits non-zero when the data dir cannot be created', async () => {
    const file = join(tempDir('notdir'), 'file')
    writeFileSync(file, 'x')
    const r = await meshnode(['start', '--data-dir', join(file, 'sub')])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/data dir .* is not usable/)
  })

  it('exits non-zero on a corrupt identity key instead of minting a new one', async () => {
    const dir = tempDir('badkey')
    writeFileSync(join(dir, 'identity.key'), 'not a key')
    const r = await meshnode(['start', '--data-dir', dir, '--listen', '/ip4/127.0.0.1/tcp/19302'])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/identity key .* is corrupt/)
  })

  it('exits non-zero on a corrupt database', async () => {
    const dir = tempDir('baddb')
    const node = startNode(dir, 19303)
    await waitUntil(async () => await readRuntimeFile(dir).then(() => true, () => false), 20_000, 'node to start')
    node.kill('SIGTERM')
    await new Promise(resolve => node.once('exit', resolve))
    for (const f of readdirSync(join(dir, 'db')).filter(f => f.startsWith('MANIFEST-'))) writeFileSync(join(dir, 'db', f), 'garbage garbage garbage')
    const r = await meshnode(['start', '--data-dir', dir, '--listen', '/ip4/127.0.0.1/tcp/19303'])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/database .* is corrupt/)
  })

  it('exits 2 with usage on an unknown flag', async () => {
    const r = await meshnode(['start', '--no-such-flag'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/unknown option '--no-such-flag'[\s\S]*Usage: meshnode start/)
  })
})

describe('a running node facing a hostile peer', () => {
  const dataDir = tempDir('hostile')
  const port = 19310
  let node: ChildProcess
  let rogue: Libp2p<{ pubsub: PubSub, identify: unknown }>
  let target: string

  beforeAll(async () => {
    node = startNode(dataDir, port)
    await waitUntil(async () => await readRuntimeFile(dataDir).then(() => true, () => false), 20_000, 'node to start')
    target = (await readRuntimeFile(dataDir)).addrs[0]!
    rogue = await createLibp2p({
      privateKey: await generateKeyPair('Ed25519'),
      addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      services: { identify: identify(), pubsub: gossipsub({ allowPublishToZeroTopicPeers: true, floodPublish: true }) }
    }) as any
    rogue.services.pubsub.subscribe(heartbeatTopic('default'))
    await rogue.dial(multiaddr(target))
    await waitUntil(() => rogue.services.pubsub.getSubscribers(heartbeatTopic('default')).length > 0, 10_000, 'node to subscribe')
  })

  afterAll(async () => {
    await rogue?.stop()
    node?.kill('SIGKILL')
  })

  it('drops and counts malformed, oversize and wrong-mesh heartbeats and keeps running', async () => {
    const topic = heartbeatTopic('default')
    const liar = encodeHeartbeat({
      mesh: 'some-other-mesh', name: 'liar', version: '0', addrs: [], incarnation: 1n, seq: 1n, load: 0, capabilities: [], role: '', term: 0n, leader: '', uptimeMs: 0n, leaving: false, bootstrapSet: [], queued: 0, slots: 1, draining: false, fullyConnected: false, framesAlive: false, direct: []
    })
    // The rogue learns of the node's subscription over the node's stream, but its own outbound
    // gossip stream may open a moment later, and gossipsub drops what it publishes before then
    // (it has nowhere to send it). So publish again until the node has counted each kind.
    await waitUntil(async () => {
      const c = (await status(dataDir)).counters
      if (c.gossip_malformed_total! >= 1 && c.gossip_oversize_total! >= 1 && c.gossip_wrong_mesh_total! >= 1) return true
      await rogue.services.pubsub.publish(topic, new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f]))
      await rogue.services.pubsub.publish(topic, new Uint8Array(MAX_HEARTBEAT_BYTES + 100))
      await rogue.services.pubsub.publish(topic, liar)
      return false
    }, 20_000, 'rejections to be counted', 500)
    const s = await status(dataDir)
    expect(s.counters.gossip_rejected_total).toBeGreaterThanOrEqual(3)
    expect(s.counters.gossip_malformed_total).toBeGreaterThanOrEqual(1)
    expect(s.counters.gossip_oversize_total).toBeGreaterThanOrEqual(1)
    expect(s.counters.gossip_wrong_mesh_total).toBeGreaterThanOrEqual(1)
    // None of it touched the membership table.
    expect(s.peers.find(p => p.peerId === rogue.peerId.toString())).toBeUndefined()
  })

  it('rejects and counts an oversize status request and keeps serving', async () => {
    const stream = await rogue.dialProtocol(multiaddr(target), STATUS_PROTOCOL)
    // A varint length prefix announcing 100 MiB, then some bytes.
    await stream.sink([Uint8Array.from([0x80, 0x80, 0x80, 0x32]), new Uint8Array(1024)])
    await waitUntil(async () => (await status(dataDir)).counters.rpc_rejected_total! >= 1, 10_000, 'rpc rejection to be counted', 100)
  })

  it('rejects and counts a malformed status request and keeps serving', async () => {
    const before = (await status(dataDir)).counters.rpc_rejected_total ?? 0
    const stream = await rogue.dialProtocol(multiaddr(target), STATUS_PROTOCOL)
    await stream.sink([Uint8Array.from([4, 0xff, 0xff, 0xff, 0xff])])
    await waitUntil(async () => (await status(dataDir)).counters.rpc_rejected_total! > before, 10_000, 'rpc rejection to be counted', 100)
    expect((await status(dataDir)).peerId).toBeTruthy()
  })

  it('refuses work streams from a non-member before reading a frame: oversize, garbage or a forged delivery all run nothing', async () => {
    await waitUntil(async () => (await status(dataDir)).role === 'leader', 20_000, 'the node to lead its own cluster', 100)
    const before = (await status(dataDir)).counters.strangers_refused_total ?? 0
    const sendAll = async (chunks: Uint8Array[]): Promise<void> => {
      const stream = await rogue.dialProtocol(multiaddr(target), WORK_PROTOCOL)
      // The node aborts the stream as soon as it sees who opened it; writing may fail then.
      await stream.sink(chunks).catch(() => {})
    }
    await sendAll([Uint8Array.from([0x80, 0x80, 0x80, 0x40]), new Uint8Array(1024)])
    await sendAll([Uint8Array.from([4, 0xff, 0xff, 0xff, 0xff])])
    // A well-formed delivery of a task and a steal: the stream is refused, nothing answers.
    const stream = await rogue.dialProtocol(multiaddr(target), WORK_PROTOCOL)
    const pb = pbStream(stream)
    const asked = (async () => {
      await pb.write({ id: 1n, request: workRequest('deliver', {
        batches: [{ jobId: 'j1', batchId: 'b1', tasks: [{ id: 'j1/0', jobId: 'j1', type: 'echo', payload: new TextEncoder().encode('{}'), requires: [], maxAttempts: 1, attempts: 0, timeoutMs: 0, priority: 0, home: 'x', failures: [] }] }]
      }) }, WorkFrame)
      return (await pb.read(WorkFrame)).response
    })()
    await expect(asked).rejects.toThrow()
    await waitUntil(async () => ((await status(dataDir)).counters.strangers_refused_total ?? 0) >= before + 3, 10_000, 'work refusals to be counted', 100)
    const s = await status(dataDir)
    expect(s.counters.work_rejected_total).toBeGreaterThanOrEqual(3)
    expect(s.counters.work_tasks_run_total).toBe(0)
  })

  it('refuses the internal protocol to a non-member, counts it, and changes nothing', async () => {
    await waitUntil(async () => (await status(dataDir)).role === 'leader', 20_000, 'the node to lead its own cluster', 100)
    const before = (await status(dataDir)).counters.rpc_rejected_total ?? 0
    const register = await callWith(rogue, multiaddr(target), {
      registerJobs: { jobs: [{ id: 'rogue-job', home: rogue.peerId.toString(), createdAt: 1, state: 'running', replicas: [], epoch: 0 }] }
    }, INTERNAL_CALL)
    expect(register.code).toBe('NOT_A_MEMBER')
    expect(register.error).toContain('not a member')
    const write = await callWith(rogue, multiaddr(target), {
      toLeader: { request: AdminRequest.encode({ configSet: { key: 'owned', value: 'yes' } }), caller: '' }
    }, INTERNAL_CALL)
    expect(write.code).toBe('NOT_A_MEMBER')
    expect((await status(dataDir)).counters.rpc_rejected_total).toBeGreaterThanOrEqual(before + 2)
    const jobs = await meshnode(['jobs', '--json', '--data-dir', dataDir])
    expect(jobs.code, jobs.stderr).toBe(0)
    expect(JSON.parse(jobs.stdout).jobs).toEqual([])
    const config = await meshnode(['config', 'list', '--json', '--data-dir', dataDir])
    expect(JSON.parse(config.stdout)).toEqual([])
  })
})
