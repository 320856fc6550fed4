// A daemon host (createHost) answers a ping and leaves the stream to its asker for as long as
// libp2p's own ping limit (10 s), not the membership probe's 500 ms. libp2p's connection
// monitor pings every connection once a minute, closes its stream after the echo, and aborts
// the whole connection if any of that fails: when the answering side reset streams 500 ms
// after they arrived, a burst of slow exchanges (25 processes on two cores) cut hundreds of
// connections a minute and every cut was a false suspicion (BENCHMARKS.md, issue 14, stop 29).
import { generateKeyPair } from '@libp2p/crypto/keys'
import { byteStream } from 'it-byte-stream'
import { afterEach, describe, expect, it } from 'vitest'
import { createHost, type Host } from '../../../src/node/transport/host.js'
import { PING_PROTOCOL } from '../../../src/node/transport/ping.js'

describe('createHost: answering pings', () => {
  const hosts: Host[] = []
  afterEach(async () => { await Promise.all(hosts.splice(0).map(async h => await h.stop())) })

  it('does not reset a ping stream its asker closes more than a probe timeout after the echo', async () => {
    for (let i = 0; i < 2; i++) {
      const host = await createHost({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false })
      await host.start()
      hosts.push(host)
    }
    const [a, b] = hosts as [Host, Host]
    const conn = await a.dial(b.getMultiaddrs()[0]!)
    // as libp2p's connection monitor asks: one ping, then close the stream
    const stream = await conn.newStream(PING_PROTOCOL)
    const bytes = byteStream(stream)
    const data = crypto.getRandomValues(new Uint8Array(32))
    const [, echo] = await Promise.all([bytes.write(data), bytes.read({ bytes: 32 })])
    expect(new Uint8Array(echo.subarray())).toEqual(data)
    // a loaded asker: its close comes well after the 500 ms a probe waits
    await new Promise(resolve => setTimeout(resolve, 1_200))
    expect(stream.status).toBe('open')
    await bytes.unwrap().close()
    expect(stream.status).toBe('closed')
    expect(conn.status).toBe('open')
  })
})
