// The membership probe between two real libp2p hosts on loopback: what outcome it hands the
// failure detector. libp2p lists connections that have closed, and its own ping (a dial by peer
// id) was handed such a connection: the probe of a live peer then failed "refused" and the
// detector declared it dead (chaos suite, seed 2: a peer held dead and alive again in a loop).
import { generateKeyPair } from '@libp2p/crypto/keys'
import { Registry } from 'prom-client'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { ProbeOutcome } from '../../../src/healing/failure-detector.js'
import { createLogger } from '../../../src/node/log.js'
import { createMetrics } from '../../../src/node/metrics.js'
import type { Membership } from '../../../src/node/services/membership.js'
import { quietMembership } from './membership-fixture.js'
import { createHost, type Host } from '../../../src/node/transport/host.js'
import { PING_PROTOCOL } from '../../../src/node/transport/ping.js'

const PROBE_TIMEOUT_MS = 1_500
const hosts: Host[] = []
const memberships: Membership[] = []

async function host (): Promise<Host> {
  const h = await createHost({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false })
  await h.start()
  hosts.push(h)
  return h
}

/** A membership service on `h` that is only asked to probe (never started: no heartbeats). */
function membership (h: Host): Membership {
  const m = quietMembership(h, { name: 'a', deadAfterMs: 6000, probeTimeoutMs: PROBE_TIMEOUT_MS }, { log: createLogger('silent'), metrics: createMetrics(new Registry()) })
  memberships.push(m)
  return m
}

/** Probe `peer` from `m`: the outcome the detector was given. */
async function probe (m: Membership, peer: Host): Promise<ProbeOutcome> {
  const result = new Promise<ProbeOutcome>(resolve => {
    vi.spyOn(m.detector, 'probeResult').mockImplementationOnce((_peer, outcome) => { resolve(outcome as ProbeOutcome) })
  })
  m.probeNow(peer.peerId.toString())
  return await result
}

afterEach(async () => {
  vi.restoreAllMocks()
  for (const m of memberships.splice(0)) m.stop()
  for (const h of hosts.splice(0)) await h.stop()
})

describe('the membership probe', () => {
  it('gets an answer from a live peer while the connection libp2p still lists for it is closed', async () => {
    const b = await host()
    const a = await host()
    await a.dial(b.getMultiaddrs()[0]!)
    const stale = a.getConnections(b.peerId)[0]!
    ;(stale as { status: string }).status = 'closed'
    expect(await probe(membership(a), b)).toBe('answered')
    expect(a.getConnections(b.peerId).filter(c => c.status === 'open')).toHaveLength(1)
  })

  it('pings over the open connection, leaving no ping stream behind, probe after probe', async () => {
    const b = await host()
    const a = await host()
    await a.dial(b.getMultiaddrs()[0]!)
    const m = membership(a)
    for (let i = 0; i < 5; i++) expect(await probe(m, b)).toBe('answered')
    const conns = a.getConnections(b.peerId)
    expect(conns).toHaveLength(1)
    expect(conns[0]!.streams.filter(s => s.protocol === PING_PROTOCOL)).toHaveLength(0)
  })

  it('calls a peer whose process is gone refused, not timed out', async () => {
    const b = await host()
    const a = await host()
    await a.dial(b.getMultiaddrs()[0]!)
    const m = membership(a)
    await b.stop()
    expect(await probe(m, b)).toBe('refused')
  })

  it('tries again at once after a reset stream, and counts the answer to the second ping', async () => {
    const b = await host()
    let pings = 0
    await b.unhandle(PING_PROTOCOL)
    await b.handle(PING_PROTOCOL, ({ stream }) => {
      // The first ping's stream is reset (as a loaded peer's may be); later ones are echoed.
      if (pings++ === 0) stream.abort(new Error('reset under load'))
      else void stream.sink(stream.source)
    })
    const a = await host()
    await a.dial(b.getMultiaddrs()[0]!)
    expect(await probe(membership(a), b)).toBe('answered')
    expect(pings).toBe(2)
  })

  it('calls a peer whose ping streams are reset twice timed out, not refused', async () => {
    const b = await host()
    let pings = 0
    await b.unhandle(PING_PROTOCOL)
    await b.handle(PING_PROTOCOL, ({ stream }) => { pings++; stream.abort(new Error('reset under load')) })
    const a = await host()
    await a.dial(b.getMultiaddrs()[0]!)
    expect(await probe(membership(a), b)).toBe('timed-out')
    expect(pings).toBe(2)
  })

  it('calls a peer that holds the connection but never echoes timed out', async () => {
    const b = await host()
    // A host that takes the ping stream and never answers (as a paused process would not).
    await b.unhandle(PING_PROTOCOL)
    await b.handle(PING_PROTOCOL, () => {})
    const a = await host()
    await a.dial(b.getMultiaddrs()[0]!)
    expect(await probe(membership(a), b)).toBe('timed-out')
  })
})
