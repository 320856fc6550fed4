// The work transport between two real libp2p hosts on loopback: one long-lived stream per
// direction, and no stream left behind when calls fail. A stream the transport stops using
// but never closes counts against the connection's WORK_MAX_STREAMS until the peer refuses
// new ones — and then every work request to that peer fails while it looks alive.
import { generateKeyPair } from '@libp2p/crypto/keys'
import { Registry } from 'prom-client'
import { afterEach, describe, expect, it } from 'vitest'
import { createLogger } from '../../../src/node/log.js'
import { createMetrics, type Metrics } from '../../../src/node/metrics.js'
import { createHost, type Host } from '../../../src/node/transport/host.js'
import { WorkTransport } from '../../../src/node/transport/work-transport.js'
import { WORK_MAX_STREAMS, WORK_PROTOCOL } from '../../../src/wire/constants.js'
import type { WorkRequest, WorkResponse } from '../../../src/wire/proto/work.js'
import { workRequest } from '../../../src/wire/work-codec.js'

const hosts: Host[] = []
const transports: WorkTransport[] = []

async function node (handle: (from: string, req: WorkRequest) => Promise<WorkResponse>): Promise<{ host: Host, work: WorkTransport, metrics: Metrics }> {
  const metrics = createMetrics(new Registry())
  const host = await createHost({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, traffic: metrics.traffic })
  await host.start()
  const work = new WorkTransport(host, createLogger('silent'), metrics, handle)
  await work.start()
  hosts.push(host)
  transports.push(work)
  return { host, work, metrics }
}

/** Noise frames this node has sent on all its connections. */
function framesSent (metrics: Metrics): number {
  const t = metrics.traffic.socketTotals()
  return t.members.frames + t.others.frames
}

const ok: WorkResponse = { ok: true, error: '', batches: [], remaining: 0, accepted: 1, abandoned: [], signalled: [] }
const REQ: WorkRequest = workRequest('results')

function outboundWorkStreams (host: Host, peer: Host): number {
  let n = 0
  for (const c of host.getConnections(peer.peerId)) n += c.streams.filter(s => s.protocol === WORK_PROTOCOL && s.direction === 'outbound').length
  return n
}

afterEach(async () => {
  for (const t of transports.splice(0)) await t.stop()
  for (const h of hosts.splice(0)) await h.stop()
})

describe('the work transport', () => {
  it('answers many calls over one stream', async () => {
    const b = await node(async () => ok)
    const a = await node(async () => ok)
    await a.host.dial(b.host.getMultiaddrs()[0]!)
    const peer = b.host.peerId.toString()
    const answers = await Promise.all(Array.from({ length: 50 }, async () => await a.work.call(peer, REQ)))
    expect(answers.every(r => r.ok)).toBe(true)
    expect(outboundWorkStreams(a.host, b.host)).toBe(1)
  })

  it('sends the requests of one turn in one frame, in the order they were made, and answers them in one frame', async () => {
    const seen: number[] = []
    const b = await node(async (_from, req) => { seen.push(req.want); return ok })
    const a = await node(async () => ok)
    await a.host.dial(b.host.getMultiaddrs()[0]!)
    const peer = b.host.peerId.toString()
    // the first calls open the stream: they wait for it and then go out together, in order
    await Promise.all(Array.from({ length: 10 }, async (_, i) => await a.work.call(peer, workRequest('results', { want: i }))))
    const aBefore = framesSent(a.metrics)
    const bBefore = framesSent(b.metrics)
    await Promise.all(Array.from({ length: 50 }, async (_, i) => await a.work.call(peer, workRequest('results', { want: 10 + i }))))
    expect(seen).toEqual(Array.from({ length: 60 }, (_, i) => i))
    // 50 frames of their own before; a window update or two may go beside them
    expect(framesSent(a.metrics) - aBefore).toBeLessThanOrEqual(4)
    expect(framesSent(b.metrics) - bBefore).toBeLessThanOrEqual(4)
  })

  it('leaves no stream open for calls that timed out, even while their stream was still opening', async () => {
    // The peer never answers: every call times out. A timeout shorter than the stream's open
    // closes the channel before its stream arrives; that stream must be closed, not leaked.
    const b = await node(async () => await new Promise<WorkResponse>(() => {}))
    const a = await node(async () => ok)
    await a.host.dial(b.host.getMultiaddrs()[0]!)
    const peer = b.host.peerId.toString()
    for (let i = 0; i < WORK_MAX_STREAMS + 16; i++) {
      await expect(a.work.call(peer, REQ, i % 2 === 0 ? 1 : 20)).rejects.toThrow(/did not answer|failed|closed/)
    }
    await new Promise(resolve => setTimeout(resolve, 200))
    expect(outboundWorkStreams(a.host, b.host)).toBeLessThanOrEqual(1)
  })

  it('dials a new connection when the one libp2p still lists for the peer is closed', async () => {
    // libp2p hands a dial by peer id the first connection it lists, whatever its state: one
    // that closed without leaving the list failed every work request (the chaos suite saw it).
    const b = await node(async () => ok)
    const a = await node(async () => ok)
    await a.host.dial(b.host.getMultiaddrs()[0]!)
    const peer = b.host.peerId.toString()
    const stale = a.host.getConnections(b.host.peerId)[0]!
    ;(stale as { status: string }).status = 'closed'
    const res = await a.work.call(peer, REQ, 5_000)
    expect(res.ok).toBe(true)
    expect(a.host.getConnections(b.host.peerId).filter(c => c.status === 'open')).toHaveLength(1)
  })

  it('works again once a peer that did not answer answers', async () => {
    let answer = false
    const b = await node(async () => answer ? ok : await new Promise<WorkResponse>(() => {}))
    const a = await node(async () => ok)
    await a.host.dial(b.host.getMultiaddrs()[0]!)
    const peer = b.host.peerId.toString()
    for (let i = 0; i < WORK_MAX_STREAMS + 16; i++) await expect(a.work.call(peer, REQ, 1)).rejects.toThrow()
    answer = true
    const res = await a.work.call(peer, REQ, 5_000)
    expect(res.ok).toBe(true)
  })
})
