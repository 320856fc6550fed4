// The dialer's duplicate-connection avoidance: of two nodes that list each other, the one
// whose address sorts first yields; a bootstrap address that identified itself (before or
// after the dialer started) is dialled only while its peer is not connected.
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { BACKOFF_MAX_MS, DIAL_TIMEOUT_MS, Dialer, INITIAL_DIAL_WINDOW, YIELD_MS } from '../../../src/node/transport/dialer.js'

const OWN = '/ip4/127.0.0.1/tcp/20001'
const LOWER = '/ip4/127.0.0.1/tcp/20000'
const HIGHER = '/ip4/127.0.0.1/tcp/20002'

function fakeHost () {
  const listeners = new Map<string, (evt: any) => void>()
  const connected = new Set<string>()
  /** Peers for which libp2p lists only a connection that closed. */
  const stale = new Set<string>()
  const dials: string[] = []
  const forced: boolean[] = []
  const host = {
    peerId: { toString: () => 'self' },
    getMultiaddrs: () => [multiaddr(OWN)],
    addEventListener: (name: string, fn: (evt: any) => void) => { listeners.set(name, fn) },
    removeEventListener: (name: string) => { listeners.delete(name) },
    getConnections: (pid: { toString: () => string }) => connected.has(pid.toString()) ? [{ status: 'open' }] : stale.has(pid.toString()) ? [{ status: 'closed' }] : [],
    dial: async (target: any, opts?: { force?: boolean }) => {
      dials.push(String(target))
      forced.push(opts?.force === true)
      return await new Promise(() => {}) // never settles: one dial per target is enough here
    }
  }
  const log = { trace () {}, debug () {}, info () {}, warn () {} }
  return { host, log, listeners, connected, stale, dials, forced }
}

describe('Dialer', () => {
  beforeEach(() => { vi.useFakeTimers() })
  afterEach(() => { vi.useRealTimers() })

  it('dials an address that sorts before its own at once and yields to one that sorts after', () => {
    const f = fakeHost()
    const d = new Dialer({ host: f.host as any, log: f.log as any }, [LOWER, HIGHER], true)
    d.start()
    expect(f.dials).toEqual([LOWER])
    vi.advanceTimersByTime(YIELD_MS + 100)
    expect(f.dials).toEqual([LOWER, HIGHER])
    d.stop()
  })

  it('yields longer than the other founder waits between its dials, so a reachable one gets there first', () => {
    const f = fakeHost()
    const d = new Dialer({ host: f.host as any, log: f.log as any }, [HIGHER], true)
    d.start()
    // The higher founder dialled us before we listened, was refused, and retries at its
    // longest backoff; its handshake then takes a while on a loaded machine.
    vi.advanceTimersByTime(BACKOFF_MAX_MS + 1_000)
    expect(f.dials).toEqual([])
    d.stop()
  })

  it('does not dial a peer learnt by heartbeat while it yields to that peer\'s bootstrap address', async () => {
    const f = fakeHost()
    const peer = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    const d = new Dialer({ host: f.host as any, log: f.log as any }, [HIGHER], true)
    d.start()
    // Its heartbeat arrives relayed by a third node before its own dial to us has finished.
    d.know(peer.toString(), [`${HIGHER}/p2p/${peer.toString()}`])
    await vi.advanceTimersByTimeAsync(YIELD_MS - 100)
    expect(f.dials).toEqual([])
    // It never connected: the yield ends and the address is dialled, once.
    await vi.advanceTimersByTimeAsync(200)
    expect(f.dials).toEqual([HIGHER])
    d.stop()
  })

  it('does not dial a peer learnt by heartbeat a second time while its bootstrap address is being dialled', async () => {
    const f = fakeHost()
    const peer = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    const d = new Dialer({ host: f.host as any, log: f.log as any }, [LOWER], true)
    d.start()
    expect(f.dials).toEqual([LOWER]) // in flight (the fake's dials never settle)
    d.know(peer.toString(), [`${LOWER}/p2p/${peer.toString()}`])
    await vi.advanceTimersByTimeAsync(1_000)
    expect(f.dials).toEqual([LOWER])
    d.stop()
  })

  it('dials a peer learnt by heartbeat at all its addresses once its bootstrap address has failed', async () => {
    const f = fakeHost()
    const peer = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    const other = `/ip4/10.0.0.2/tcp/20000/p2p/${peer.toString()}`
    // The bootstrap address never answers from here; the peer's other address would.
    f.host.dial = async (target: any) => {
      f.dials.push(String(target))
      if (String(target) === LOWER) throw new Error('connection refused')
      return await new Promise(() => {})
    }
    const d = new Dialer({ host: f.host as any, log: f.log as any }, [LOWER], true)
    d.know(peer.toString(), [`${LOWER}/p2p/${peer.toString()}`, other])
    d.start()
    await vi.advanceTimersByTimeAsync(500)
    expect(f.dials.filter(x => x.includes(other))).toHaveLength(1)
    d.stop()
  })

  it('dials a peer that moved away from its bootstrap address at its new address, whatever the old one does', async () => {
    const f = fakeHost()
    const peer = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    const d = new Dialer({ host: f.host as any, log: f.log as any }, [LOWER], false)
    d.start()
    expect(f.dials).toEqual([LOWER]) // in flight, and it never settles
    d.know(peer.toString(), [`${LOWER}/p2p/${peer.toString()}`])
    // Restarted elsewhere: its heartbeat names a new address.
    d.know(peer.toString(), [`${HIGHER}/p2p/${peer.toString()}`])
    await vi.advanceTimersByTimeAsync(100)
    expect(f.dials).toEqual([LOWER, `${HIGHER}/p2p/${peer.toString()}`])
    d.stop()
  })

  it('does not dial a bootstrap address whose peer identified itself and is connected', async () => {
    const f = fakeHost()
    const peer = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    const d = new Dialer({ host: f.host as any, log: f.log as any }, [HIGHER], true)
    d.start()
    expect(f.dials).toEqual([])
    // The higher node dialled us first: its identify lists the address we were given.
    f.connected.add(peer.toString())
    f.listeners.get('peer:identify')!({ detail: { peerId: peer, listenAddrs: [multiaddr(`${HIGHER}/p2p/${peer.toString()}`)] } })
    vi.advanceTimersByTime(5_000)
    expect(f.dials).toEqual([])
    // The connection goes: the address is dialled again (bootstrap targets are dialled forever).
    f.connected.delete(peer.toString())
    f.listeners.get('peer:disconnect')!({ detail: peer })
    vi.advanceTimersByTime(100)
    expect(f.dials).toEqual([HIGHER])
    d.stop()
  })

  it('dials a peer whose only listed connection closed, forcing a new connection past it', async () => {
    const f = fakeHost()
    const peer = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    const d = new Dialer({ host: f.host as any, log: f.log as any }, [], false)
    f.stale.add(peer.toString())
    d.know(peer.toString(), [HIGHER])
    d.start()
    await vi.advanceTimersByTimeAsync(100)
    expect(f.dials).toEqual([HIGHER])
    expect(f.forced).toEqual([true])
    d.stop()
  })

  it('learns a bootstrap address of a peer that connected (and identified) before the dialer started', async () => {
    const f = fakeHost()
    const peer = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    f.connected.add(peer.toString())
    const host: any = {
      ...f.host,
      getConnections: (pid?: { toString: () => string }) => pid == null ? [{ remotePeer: peer }] : f.host.getConnections(pid),
      peerStore: { get: async () => ({ addresses: [{ multiaddr: multiaddr(LOWER) }] }) }
    }
    const d = new Dialer({ host, log: f.log as any }, [LOWER], false)
    d.start()
    await vi.advanceTimersByTimeAsync(5_000)
    expect(f.dials).toEqual([])
    d.stop()
  })

  it('watches identify from construction: a founder that dials in before the dialer starts is not dialled back', async () => {
    const f = fakeHost()
    const peer = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    const d = new Dialer({ host: f.host as any, log: f.log as any }, [LOWER], true)
    f.connected.add(peer.toString())
    f.listeners.get('peer:identify')!({ detail: { peerId: peer, listenAddrs: [multiaddr(LOWER)] } })
    d.start()
    await vi.advanceTimersByTimeAsync(5_000)
    expect(f.dials).toEqual([])
    d.stop()
  })

  it('does not yield when joining (not founding) or restarting (peers remembered)', () => {
    const f = fakeHost()
    const d = new Dialer({ host: f.host as any, log: f.log as any }, [HIGHER], false)
    d.start()
    expect(f.dials).toEqual([HIGHER])
    d.stop()
    const g = fakeHost()
    const e = new Dialer({ host: g.host as any, log: g.log as any }, [HIGHER], true)
    e.know('12D3KooWABArgaqujmXD69QCMbQxmBosZgQ4Ug1X27xADG6rm98h', ['/ip4/127.0.0.1/tcp/20003'])
    e.start()
    expect(g.dials).toContain(HIGHER)
    e.stop()
  })

  it('learns the PeerId of a bootstrap address from a heartbeat as well', async () => {
    const f = fakeHost()
    const peer = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    const d = new Dialer({ host: f.host as any, log: f.log as any }, [HIGHER], true)
    d.start()
    f.connected.add(peer.toString())
    d.know(peer.toString(), [HIGHER])
    vi.advanceTimersByTime(5_000)
    expect(f.dials).toEqual([])
    d.stop()
  })

  it('arms no timer while every target is connected, and runs a round on a disconnect', async () => {
    const f = fakeHost()
    let settle: (v: any) => void = () => {}
    f.host.dial = async (target: any) => {
      f.dials.push(String(target))
      return await new Promise(resolve => { settle = resolve })
    }
    const peer = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    const d = new Dialer({ host: f.host as any, log: f.log as any }, [HIGHER], false)
    d.start()
    expect(f.dials).toEqual([HIGHER])
    f.connected.add(peer.toString())
    settle({ remotePeer: peer })
    await vi.advanceTimersByTimeAsync(200) // one round after the dial settles finds it connected
    expect(vi.getTimerCount()).toBe(0)
    await vi.advanceTimersByTimeAsync(60_000)
    expect(f.dials).toEqual([HIGHER])
    // The peer's last connection closes: dialled again, by the round the event brings.
    f.connected.delete(peer.toString())
    f.listeners.get('peer:disconnect')!({ detail: peer })
    expect(vi.getTimerCount()).toBe(1)
    await vi.advanceTimersByTimeAsync(100)
    expect(f.dials).toEqual([HIGHER, HIGHER])
    d.stop()
    expect(vi.getTimerCount()).toBe(0)
  })

  it('does nothing for a heartbeat of a known peer at the same addresses, but reactivates one that left', async () => {
    const f = fakeHost()
    const peer = '12D3KooWABArgaqujmXD69QCMbQxmBosZgQ4Ug1X27xADG6rm98h'
    const d = new Dialer({ host: f.host as any, log: f.log as any }, [], false)
    d.start()
    f.connected.add(peer)
    d.know(peer, ['/ip4/127.0.0.1/tcp/20003'])
    expect(vi.getTimerCount()).toBe(1) // a round for the new peer
    await vi.advanceTimersByTimeAsync(100)
    expect(vi.getTimerCount()).toBe(0)
    for (let i = 0; i < 10; i++) d.know(peer, ['/ip4/127.0.0.1/tcp/20003'])
    expect(vi.getTimerCount()).toBe(0)
    d.know(peer, ['/ip4/127.0.0.1/tcp/20004']) // moved: a round
    expect(vi.getTimerCount()).toBe(1)
    await vi.advanceTimersByTimeAsync(100)
    d.forgetUntilSeen(peer)
    f.connected.delete(peer)
    d.know(peer, ['/ip4/127.0.0.1/tcp/20004']) // back after a leave: dialled again
    await vi.advanceTimersByTimeAsync(100)
    expect(f.dials).toEqual(['/ip4/127.0.0.1/tcp/20004'])
    d.stop()
  })

  it('retries a refused target at its backoff, and a peer learnt through gossip at once', async () => {
    const f = fakeHost()
    const at: number[] = []
    f.host.dial = async (target: any) => {
      f.dials.push(String(target))
      at.push(Date.now())
      throw new Error('connection refused')
    }
    const d = new Dialer({ host: f.host as any, log: f.log as any }, [HIGHER], false)
    d.start()
    await vi.advanceTimersByTimeAsync(1_000)
    // 50, 100, 200, 400 ms backoffs: 0, 50, 150, 350, 750
    expect(at.map(t => t - at[0]!)).toEqual([0, 50, 150, 350, 750])
    const before = f.dials.length
    d.know('12D3KooWABArgaqujmXD69QCMbQxmBosZgQ4Ug1X27xADG6rm98h', ['/ip4/127.0.0.1/tcp/20003'])
    await vi.advanceTimersByTimeAsync(60)
    expect(f.dials.slice(before)).toContain('/ip4/127.0.0.1/tcp/20003')
    d.stop()
  })
})

describe('Dialer: dials in flight (congestion window)', () => {
  beforeEach(() => { vi.useFakeTimers() })
  afterEach(() => { vi.useRealTimers() })

  const port = (p: number): string => `/ip4/127.0.0.1/tcp/${p}`

  /** A host whose dials settle only when told to, or fail when their signal aborts (the dialer's timeout). */
  function slowHost () {
    const f = fakeHost()
    const pending = new Map<string, { connect: () => void }>()
    let n = 0
    f.host.dial = async (target: any, opts?: any) => {
      f.dials.push(String(target))
      return await new Promise((resolve, reject) => {
        const id = `peer-${n++}`
        pending.set(String(target), { connect: () => resolve({ remotePeer: { toString: () => id } }) })
        opts?.signal?.addEventListener('abort', () => reject(opts.signal.reason))
      })
    }
    return { ...f, pending }
  }

  /** Twelve addresses below OWN (20001). */
  const lower = Array.from({ length: 12 }, (_, i) => port(10_000 + i))

  it('starts INITIAL_DIAL_WINDOW dials, and one more as each connects and opens the window (slow start)', async () => {
    const f = slowHost()
    const d = new Dialer({ host: f.host as any, log: f.log as any }, lower, false)
    d.start()
    await vi.advanceTimersByTimeAsync(10)
    expect(f.dials).toEqual(lower.slice(12 - INITIAL_DIAL_WINDOW).reverse()) // the ring's order: nearest below its own first
    expect(d.dialWindow).toBe(INITIAL_DIAL_WINDOW)
    // Two connect: each frees its place and widens the window by one, so four more start.
    f.pending.get(f.dials[0]!)!.connect()
    f.pending.get(f.dials[1]!)!.connect()
    await vi.advanceTimersByTimeAsync(100)
    expect(d.dialWindow).toBe(INITIAL_DIAL_WINDOW + 2)
    expect(f.dials).toHaveLength(12)
    d.stop()
  })

  it('halves the dials in flight once when the dials of one window time out, and starts the rest as dials settle', async () => {
    const f = slowHost()
    const d = new Dialer({ host: f.host as any, log: f.log as any }, lower, false)
    d.start()
    await vi.advanceTimersByTimeAsync(10)
    // All eight in flight time out together: one cut, to half of eight, not one cut per dial.
    f.dials.length = 0
    await vi.advanceTimersByTimeAsync(DIAL_TIMEOUT_MS)
    expect(d.dialWindow).toBe(4)
    // The four places go at once to the four that have waited since the start: a dial that
    // settles while others wait runs the next round at once, not at its own backoff's end.
    expect(f.dials.sort()).toEqual(lower.slice(0, 4))
    // Nothing more while those four are in flight, past the others' backoff.
    await vi.advanceTimersByTimeAsync(500)
    expect(f.dials).toHaveLength(4)
    // One of those connects: the window grows by one, and two of the eight start again.
    f.pending.get(f.dials[0]!)!.connect()
    await vi.advanceTimersByTimeAsync(100)
    expect(d.dialWindow).toBe(5)
    expect(f.dials).toHaveLength(6)
    expect(lower.slice(4)).toEqual(expect.arrayContaining(f.dials.slice(4)))
    d.stop()
  })

  it('waits longer for a handshake while this node or the peer runs late (stretch), and counts each dial that times out', async () => {
    const f = slowHost()
    let timedOut = 0
    const metrics = { dialsTimedOut: { inc: () => { timedOut++ } } }
    const d = new Dialer({ host: f.host as any, log: f.log as any, metrics }, [], false)
    const asked: Array<string | undefined> = []
    d.stretch = peer => { asked.push(peer); return peer === 'slow-peer' ? 2_000 : 0 }
    d.know('slow-peer', [port(30_000)])
    d.know('quick-peer', [port(30_001)])
    d.start()
    await vi.advanceTimersByTimeAsync(10)
    expect(f.dials).toHaveLength(2)
    expect(asked.sort()).toEqual(['quick-peer', 'slow-peer'])
    // At DIAL_TIMEOUT_MS only the dial of the peer with no lag is aborted; the other one has 2 s more.
    await vi.advanceTimersByTimeAsync(DIAL_TIMEOUT_MS)
    expect(timedOut).toBe(1)
    f.pending.get(port(30_000))!.connect()
    await vi.advanceTimersByTimeAsync(2_000)
    expect(timedOut).toBe(1)
    d.stop()
  })

  /** A dialer of the twelve lower addresses whose dials time out until its window is down to one. */
  async function cutToOne (f: ReturnType<typeof slowHost>): Promise<Dialer> {
    const d = new Dialer({ host: f.host as any, log: f.log as any }, lower, false)
    d.start()
    for (let i = 0; i < 6; i++) await vi.advanceTimersByTimeAsync(DIAL_TIMEOUT_MS + 10)
    return d
  }

  it('halves the window again when a dial started under the cut one times out, down to MIN_DIAL_WINDOW', async () => {
    const d = await cutToOne(slowHost())
    expect(d.dialWindow).toBe(1)
    d.stop()
  })

  it('gives each place in a narrow window to the target that has waited longest, round every target in turn', async () => {
    const f = slowHost()
    const d = await cutToOne(f)
    expect(d.dialWindow).toBe(1)
    // Every dial keeps timing out, one at a time: the twelve targets take turns, not the few at
    // the top of the ring whose backoff ends first.
    f.dials.length = 0
    for (let i = 0; i < 12; i++) await vi.advanceTimersByTimeAsync(DIAL_TIMEOUT_MS + 60)
    expect(f.dials).toHaveLength(12)
    expect(new Set(f.dials)).toEqual(new Set(lower))
    d.stop()
  })

  it('does not dial a peer learnt by heartbeat beside its bootstrap address when the window is short of room', async () => {
    const f = fakeHost()
    const peer = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    // Six below its own address dialled at once (never settling): two places left. The two above
    // it wait YIELD_MS; meanwhile the peer at 20003 is learnt by heartbeat, earlier than its
    // bootstrap address will be due, so the longest-waiting order would put it first.
    const d = new Dialer({ host: f.host as any, log: f.log as any }, [...lower.slice(0, 6), port(20_002), port(20_003)], true)
    d.start()
    d.know(peer.toString(), [`${port(20_003)}/p2p/${peer.toString()}`])
    await vi.advanceTimersByTimeAsync(YIELD_MS + 100)
    expect(f.dials.filter(x => x.includes('/tcp/20003'))).toEqual([port(20_003)])
    expect(f.dials).toContain(port(20_002))
    d.stop()
  })

  it('dials first the bootstrap address that speaks for a peer a service wants', async () => {
    const f = slowHost()
    const peer = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    const d = new Dialer({ host: f.host as any, log: f.log as any }, lower, false)
    // Learnt by heartbeat at the lowest bootstrap address, the last in the ring: that target
    // speaks for it, and the heartbeat-learnt one waits for it.
    d.know(peer.toString(), [`${lower[0]!}/p2p/${peer.toString()}`])
    d.start()
    await vi.advanceTimersByTimeAsync(10)
    expect(f.dials).toHaveLength(INITIAL_DIAL_WINDOW)
    expect(d.want(peer.toString())).toBe(true)
    // A place frees (and the window grows): the wanted peer's address goes first.
    f.pending.get(f.dials[0]!)!.connect()
    await vi.advanceTimersByTimeAsync(100)
    expect(f.dials[INITIAL_DIAL_WINDOW]).toBe(lower[0])
    expect(f.dials.filter(x => x.includes(lower[0]!))).toHaveLength(1)
    d.stop()
  })

  it('does not narrow the window for a dial that is refused, and gives its place to a target that waited', async () => {
    const f = fakeHost()
    f.host.dial = async (target: any) => {
      f.dials.push(String(target))
      throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })
    }
    const d = new Dialer({ host: f.host as any, log: f.log as any }, lower, false)
    d.start()
    // The next round dials the four that did not fit first, then four of the refused ones.
    await vi.advanceTimersByTimeAsync(60)
    expect(f.dials.slice(8, 12).sort()).toEqual(lower.slice(0, 4))
    await vi.advanceTimersByTimeAsync(1_000)
    expect(d.dialWindow).toBe(INITIAL_DIAL_WINDOW)
    d.stop()
  })

  it('dials a peer a service wants before every other target, inside the window', async () => {
    const f = slowHost()
    const d = await cutToOne(f)
    expect(d.dialWindow).toBe(1)
    // Learnt by heartbeat at an address that sorts after all the others: the ring dials it last.
    d.know('wanted-peer', [port(30_000)])
    expect(d.want('wanted-peer')).toBe(true)
    f.dials.length = 0
    await vi.advanceTimersByTimeAsync(DIAL_TIMEOUT_MS + 10)
    expect(f.dials[0]).toBe(port(30_000))
    d.stop()
  })

  it('says no when asked for a peer it has no address for', () => {
    const f = fakeHost()
    const d = new Dialer({ host: f.host as any, log: f.log as any }, lower, false)
    d.start()
    expect(d.want('unknown-peer')).toBe(false)
    d.stop()
  })

  it('dials the addresses just below its own first, then round the ring from the top', async () => {
    const f = fakeHost()
    // Listed as every founder lists them: in address order, its own (20001) among them.
    const d = new Dialer({ host: f.host as any, log: f.log as any }, [port(19_998), port(19_999), port(20_000), port(20_005), port(20_006)], false)
    d.start()
    await vi.advanceTimersByTimeAsync(10)
    expect(f.dials).toEqual([port(20_000), port(19_999), port(19_998), port(20_006), port(20_005)])
    d.stop()
  })
})
