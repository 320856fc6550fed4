// The wire counts (src/node/transport/traffic.ts): what a node sends and receives between nodes,
// by protocol and kind, and the Noise frames and socket writes under it, as /metrics shows them.
import { generateKeyPair } from '@libp2p/crypto/keys'
import { Registry } from 'prom-client'
import { pushable } from 'it-pushable'
import { afterEach, describe, expect, it } from 'vitest'
import type { Message } from '../../../src/consensus/types.js'
import { createLogger } from '../../../src/node/log.js'
import { createMetrics } from '../../../src/node/metrics.js'
import { coalesce } from '../../../src/node/transport/coalesce.js'
import { createHost, type Host } from '../../../src/node/transport/host.js'
import { RaftTransport } from '../../../src/node/transport/raft-transport.js'
import { Traffic } from '../../../src/node/transport/traffic.js'
import { until } from '../../until.js'

const silent = createLogger('silent')

async function node (): Promise<{ host: Host, registry: Registry, traffic: Traffic }> {
  const registry = new Registry()
  const traffic = new Traffic()
  const host = await createHost({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, registry, traffic })
  await host.start()
  return { host, registry, traffic }
}

/** A labelled counter's value for the given labels, as the registry reports it. */
async function labelled (registry: Registry, name: string, labels: Record<string, string>): Promise<number> {
  const m = (await registry.getMetricsAsJSON()).find(x => x.name === name)
  const v = (m?.values ?? []).find(x => Object.entries(labels).every(([k, l]) => (x.labels as Record<string, unknown>)[k] === l))
  return v?.value ?? 0
}

describe('traffic counts', () => {
  const stops: Array<() => Promise<void>> = []
  afterEach(async () => { for (const stop of stops.splice(0).reverse()) await stop() })

  it('count Raft messages by type at both ends, and the stream writes that carried them', async () => {
    const a = await node()
    const b = await node()
    const delivered: Message[] = []
    const sender = new RaftTransport(a.host, silent, createMetrics(a.registry, { traffic: a.traffic }), () => {})
    const receiver = new RaftTransport(b.host, silent, createMetrics(b.registry, { traffic: b.traffic }), msg => { delivered.push(msg) })
    await sender.start()
    await receiver.start()
    stops.push(async () => { await a.host.stop() }, async () => { await b.host.stop() }, async () => { await sender.stop() }, async () => { await receiver.stop() })
    const from = a.host.peerId.toString()
    const to = b.host.peerId.toString()
    await a.host.dial(b.host.getMultiaddrs()[0]!)
    sender.send({ type: 'heartbeat', from, to, term: 1, commit: 1 })
    sender.send({ type: 'append', from, to, term: 1, prevIndex: 0, prevTerm: 0, entries: [], commit: 1 })
    sender.pulse(to)
    await until('both messages', () => delivered.length === 2)
    expect(await labelled(a.registry, 'messages_sent_total', { kind: 'raft.heartbeat' })).toBe(1)
    expect(await labelled(a.registry, 'messages_sent_total', { kind: 'raft.append' })).toBe(1)
    expect(await labelled(a.registry, 'messages_sent_total', { kind: 'raft.pulse' })).toBe(1)
    // all three were queued while the stream opened: one write carried them
    expect(await labelled(a.registry, 'messages_sent_total', { kind: 'raft.write' })).toBe(1)
    await until('the pulse', async () => await labelled(b.registry, 'messages_received_total', { kind: 'raft.pulse' }) === 1)
    expect(await labelled(b.registry, 'messages_received_total', { kind: 'raft.heartbeat' })).toBe(1)
    expect(await labelled(b.registry, 'messages_received_total', { kind: 'raft.append' })).toBe(1)
  })

  it('count the socket writes and Noise frames of a connection under its remote peer, members apart from others', async () => {
    const a = await node()
    const b = await node()
    stops.push(async () => { await a.host.stop() }, async () => { await b.host.stop() })
    const bId = b.host.peerId.toString()
    a.traffic.isMember = peer => peer === bId
    await a.host.dial(b.host.getMultiaddrs()[0]!)
    const sender = new RaftTransport(a.host, silent, createMetrics(a.registry, { traffic: a.traffic }), () => {})
    stops.push(async () => { await sender.stop() })
    const receiver = new RaftTransport(b.host, silent, createMetrics(b.registry, { traffic: b.traffic }), () => {})
    await receiver.start()
    stops.push(async () => { await receiver.stop() })
    const before = a.traffic.socketTotals().members
    sender.pulse(bId)
    await until('a write to the member', () => a.traffic.socketTotals().members.writes > before.writes)
    const after = a.traffic.socketTotals()
    expect(after.members.frames).toBeGreaterThanOrEqual(after.members.writes)
    expect(after.members.bytes).toBeGreaterThan(before.bytes)
    expect(after.others).toEqual({ frames: 0, writes: 0, bytes: 0 })
    expect(await labelled(a.registry, 'socket_writes_total', { peers: 'members', what: 'writes' })).toBe(after.members.writes)
  })
})

describe('coalesce with counts', () => {
  it('counts each chunk it was given as a frame and each joined chunk it yields as a write', async () => {
    const p = pushable<Uint8Array>()
    const counts = new Traffic().socket()
    const out: number[] = []
    const done = (async () => { for await (const c of coalesce(p, 1024, counts)) out.push(c.byteLength) })()
    p.push(Uint8Array.of(1, 2))
    p.push(Uint8Array.of(3))
    await new Promise(resolve => setImmediate(resolve))
    p.push(Uint8Array.of(4))
    p.end()
    await done
    expect(out).toEqual([3, 1])
    // The connection's writes ended: its counts say so, for Traffic to fold them away.
    expect(counts).toEqual({ frames: 3, writes: 2, bytes: 4, closed: true })
  })
})

describe('Traffic: closed connections', () => {
  it('folds a closed connection into the totals and keeps no entry for it, however many peers came and went', () => {
    const t = new Traffic()
    t.isMember = peer => peer === 'member'
    const live = { ...t.socket(), frames: 2, writes: 1, bytes: 10 }
    t.connected('member', live)
    for (let i = 0; i < 1000; i++) {
      // A CLI call: a new client peer id, a connection, a few writes, closed.
      const c = { ...t.socket(), frames: 1, writes: 1, bytes: 5 }
      t.connected(`client-${i}`, c)
      c.closed = true
    }
    const totals = t.socketTotals()
    expect(totals.others).toEqual({ frames: 1000, writes: 1000, bytes: 5000 })
    expect(totals.members).toEqual({ frames: 2, writes: 1, bytes: 10 })
    expect(t.tracked).toBe(1)
    // The open one keeps counting; closing it moves its counts, not loses them.
    live.writes++
    live.closed = true
    expect(t.socketTotals().members).toEqual({ frames: 2, writes: 2, bytes: 10 })
    expect(t.tracked).toBe(0)
  })
})
