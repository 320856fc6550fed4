// The addresses a heartbeat advertises (Membership.ownAddrs): read from the host once per
// ADDRS_REREAD_MS, not once per heartbeat, and again at once when libp2p says they changed.
import { describe, expect, it, vi } from 'vitest'
import { ADDRS_REREAD_MS } from '../../../src/node/services/membership.js'
import { fakeHost, onFakeClock, quietMembership } from './membership-fixture.js'

function membership () {
  let addrs = ['/ip4/127.0.0.1/tcp/1/p2p/self']
  const host = fakeHost(() => addrs)
  const m = quietMembership(host, { relay: 'always' })
  return { m, host, reads: host.reads, published: host.published, setAddrs: (a: string[]) => { addrs = a } }
}

describe('Membership: the addresses a heartbeat advertises', () => {
  onFakeClock()

  it('reads them once per ADDRS_REREAD_MS, at once after self:peer:update, and not while empty', async () => {
    const { m, host, reads, published, setAddrs } = membership()
    await m.start()
    await vi.advanceTimersByTimeAsync(5_000)
    // the first heartbeat at start, then (nothing changes: quiet) one every 2 s: all carry the
    // address, read once
    expect(published.length).toBe(3)
    expect(published.every(h => h.addrs.join() === '/ip4/127.0.0.1/tcp/1/p2p/self')).toBe(true)
    expect(reads.count).toBe(1)

    // libp2p announces new addresses: the next heartbeat carries them
    setAddrs(['/ip4/127.0.0.1/tcp/2/p2p/self'])
    host.dispatchEvent(new Event('self:peer:update'))
    await vi.advanceTimersByTimeAsync(1_000)
    expect(published.at(-1)?.addrs).toEqual(['/ip4/127.0.0.1/tcp/2/p2p/self'])
    expect(reads.count).toBe(2)

    // a change libp2p did not announce shows within ADDRS_REREAD_MS
    setAddrs(['/ip4/127.0.0.1/tcp/3/p2p/self'])
    await vi.advanceTimersByTimeAsync(ADDRS_REREAD_MS)
    expect(published.at(-1)?.addrs).toEqual(['/ip4/127.0.0.1/tcp/3/p2p/self'])

    // no address yet (not listening): asked again for every heartbeat until there is one
    setAddrs([])
    host.dispatchEvent(new Event('self:peer:update'))
    const before = reads.count
    await vi.advanceTimersByTimeAsync(3_000)
    expect(reads.count - before).toBe(3)
    setAddrs(['/ip4/127.0.0.1/tcp/4/p2p/self'])
    await vi.advanceTimersByTimeAsync(1_000)
    expect(published.at(-1)?.addrs).toEqual(['/ip4/127.0.0.1/tcp/4/p2p/self'])

    // stopped: the listener is gone
    m.stop()
    const after = reads.count
    host.dispatchEvent(new Event('self:peer:update'))
    await vi.advanceTimersByTimeAsync(3_000)
    expect(reads.count).toBe(after)
  })
})
