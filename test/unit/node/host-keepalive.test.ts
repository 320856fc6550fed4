// Connections between daemon hosts (createHost) run no yamux keep-alive: members' heartbeats
// cross every connection every second and the failure detector probes a silent peer, so the
// pings every 30 s only woke both ends (BENCHMARKS.md, issue 14, stop 27).
import { generateKeyPair } from '@libp2p/crypto/keys'
import { afterEach, describe, expect, it } from 'vitest'
import { createHost, MONITOR_INTERVAL_MS, MONITOR_INTERVAL_SPREAD_MS, MONITOR_PING_TIMEOUT_MS, monitorIntervalMs, type Host } from '../../../src/node/transport/host.js'

describe('createHost: yamux keep-alive', () => {
  const hosts: Host[] = []
  afterEach(async () => { await Promise.all(hosts.splice(0).map(async h => await h.stop())) })

  it('is off on both ends of a connection', async () => {
    for (let i = 0; i < 2; i++) {
      const host = await createHost({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false })
      await host.start()
      hosts.push(host)
    }
    const [a, b] = hosts as [Host, Host]
    const out = await a.dial(b.getMultiaddrs()[0]!)
    await expect.poll(() => b.getConnections(a.peerId).length).toBe(1)
    const inbound = b.getConnections(a.peerId)[0]!
    for (const conn of [out, inbound]) {
      expect(conn.multiplexer).toBe('/yamux/1.0.0')
      expect((conn as any).muxer.config.enableKeepAlive).toBe(false)
    }
  })
})

describe('createHost: connection monitor', () => {
  const hosts: Host[] = []
  afterEach(async () => { await Promise.all(hosts.splice(0).map(async h => await h.stop())) })

  it('waits at least MONITOR_PING_TIMEOUT_MS for a ping before it aborts a connection', async () => {
    const host = await createHost({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false })
    hosts.push(host)
    const monitor = (host as any).components.connectionMonitor
    expect(monitor.pingIntervalMs).toBeGreaterThanOrEqual(MONITOR_INTERVAL_MS)
    expect(monitor.pingIntervalMs).toBeLessThan(MONITOR_INTERVAL_MS + MONITOR_INTERVAL_SPREAD_MS)
    expect(monitor.timeout.minTimeout).toBe(MONITOR_PING_TIMEOUT_MS)
    expect(MONITOR_PING_TIMEOUT_MS).toBeGreaterThan(5_000)
  })
})

describe('monitorIntervalMs', () => {
  it('draws each host its own interval, so nodes started together do not ping together for good', () => {
    expect(monitorIntervalMs(() => 0)).toBe(MONITOR_INTERVAL_MS)
    expect(monitorIntervalMs(() => 0.5)).toBe(MONITOR_INTERVAL_MS + MONITOR_INTERVAL_SPREAD_MS / 2)
    expect(monitorIntervalMs(() => 0.999999)).toBe(MONITOR_INTERVAL_MS + MONITOR_INTERVAL_SPREAD_MS - 1)
    const drawn = new Set(Array.from({ length: 20 }, () => monitorIntervalMs()))
    expect(drawn.size).toBeGreaterThan(1)
  })
})
