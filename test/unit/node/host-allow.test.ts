// Loopback is exempt from libp2p's inbound connection rate limit (local CLI calls and local
// clusters all come from it). The IPv6 range is listed only for a node that listens on IPv6:
// parsing it compiles node's isIPv6 regular expression, a cost every start paid for nothing.
import { generateKeyPair } from '@libp2p/crypto/keys'
import { afterEach, describe, expect, it } from 'vitest'
import { createHost, loopbackAllowList, type Host } from '../../../src/node/transport/host.js'

describe('loopbackAllowList', () => {
  it('lists IPv4 loopback for a node listening on IPv4 only', () => {
    expect(loopbackAllowList(['/ip4/127.0.0.1/tcp/7420'])).toEqual(['/ip4/127.0.0.0/ipcidr/8'])
    expect(loopbackAllowList(['/ip4/0.0.0.0/tcp/7420', '/ip4/10.0.0.1/tcp/7421'])).toEqual(['/ip4/127.0.0.0/ipcidr/8'])
    expect(loopbackAllowList([])).toEqual(['/ip4/127.0.0.0/ipcidr/8'])
  })

  it('adds IPv6 loopback once any listen address is IPv6', () => {
    expect(loopbackAllowList(['/ip4/0.0.0.0/tcp/7420', '/ip6/::/tcp/7420'])).toEqual(['/ip4/127.0.0.0/ipcidr/8', '/ip6/::1/ipcidr/128'])
    expect(loopbackAllowList(['/ip6/::1/tcp/0'])).toEqual(['/ip4/127.0.0.0/ipcidr/8', '/ip6/::1/ipcidr/128'])
  })
})

describe('createHost on IPv6 loopback', () => {
  const hosts: Host[] = []
  afterEach(async () => { await Promise.all(hosts.splice(0).map(async h => await h.stop())) })

  it('accepts a connection over ::1', async () => {
    const server = await createHost({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip6/::1/tcp/0'], mdns: false })
    const client = await createHost({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false })
    hosts.push(server, client)
    await server.start()
    await client.start()
    const addr = server.getMultiaddrs().find(a => a.toString().startsWith('/ip6/::1/'))
    expect(addr).toBeDefined()
    const conn = await client.dial(addr!)
    expect(conn.remotePeer.equals(server.peerId)).toBe(true)
  })
})
