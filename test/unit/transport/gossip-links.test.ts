import type { Connection, PeerId } from '@libp2p/interface'
import { describe, expect, it } from 'vitest'
import { GossipLinks, RETRY_GAP_MS, type GossipRouter, type LinkHost } from '../../../src/node/transport/gossip-links.js'

const MESHSUB = '/meshsub/1.1.0'

function conn (id: string, status = 'open'): Connection {
  return { status, remotePeer: { toString: () => id } as unknown as PeerId } as unknown as Connection
}

function world (conns: Connection[], protocols: Record<string, string[]>): { host: LinkHost, router: GossipRouter & { handed: string[] } } {
  const host: LinkHost = {
    getConnections: () => conns,
    peerStore: {
      get: async (pid: PeerId) => {
        const p = protocols[pid.toString()]
        if (p == null) throw new Error('not found')
        return { protocols: p }
      }
    }
  }
  const router = { multicodecs: [MESHSUB], streamsOutbound: new Map() as GossipRouter['streamsOutbound'], handed: [] as string[], onPeerConnected: (pid: PeerId) => { router.handed.push(pid.toString()) } }
  return { host, router }
}

describe('gossip links', () => {
  it('hands gossipsub a connected gossip peer it holds no stream to', async () => {
    const { host, router } = world([conn('a'), conn('b')], { a: [MESHSUB], b: [MESHSUB] })
    router.streamsOutbound.set('a', {})
    expect(await new GossipLinks(host, router).check(0)).toBe(1)
    expect(router.handed).toEqual(['b'])
  })

  it('leaves alone peers that do not speak gossipsub, or whose identify has not said yet', async () => {
    const { host, router } = world([conn('cli'), conn('new')], { cli: ['/meshnode/status/1'] })
    expect(await new GossipLinks(host, router).check(0)).toBe(0)
    expect(router.handed).toEqual([])
  })

  it('skips connections that are not open', async () => {
    const { host, router } = world([conn('a', 'closing')], { a: [MESHSUB] })
    expect(await new GossipLinks(host, router).check(0)).toBe(0)
  })

  it('tries a peer again only after the retry gap', async () => {
    const { host, router } = world([conn('a')], { a: [MESHSUB] })
    const links = new GossipLinks(host, router)
    await links.check(0)
    await links.check(RETRY_GAP_MS - 1)
    expect(router.handed).toEqual(['a'])
    await links.check(RETRY_GAP_MS)
    expect(router.handed).toEqual(['a', 'a'])
  })
})

describe('gossip links: a young connection', () => {
  it('leaves a connection with no outbound stream alone for its first retry gap (gossipsub may still have it queued)', async () => {
    const young = { ...conn('a'), timeline: { open: 50_000 } } as unknown as Connection
    const { host, router } = world([young], { a: [MESHSUB] })
    const links = new GossipLinks(host, router)
    expect(await links.check(0, 50_000 + RETRY_GAP_MS - 1)).toBe(0)
    expect(await links.check(1, 50_000 + RETRY_GAP_MS)).toBe(1)
    expect(router.handed).toEqual(['a'])
  })

  it('still reopens an ended stream on a young connection', async () => {
    const young = { ...conn('a'), timeline: { open: 50_000 } } as unknown as Connection
    const { host, router } = world([young], { a: [MESHSUB] })
    router.streamsOutbound.set('a', { rawStream: { status: 'reset', writeStatus: 'closed' } })
    expect(await new GossipLinks(host, router).check(0, 50_001)).toBe(1)
  })
})

describe('gossip links: a stream that ended', () => {
  it('drops an outbound stream that is no longer open and hands the peer to gossipsub again', async () => {
    const { host, router } = world([conn('a'), conn('b')], { a: [MESHSUB], b: [MESHSUB] })
    router.streamsOutbound.set('a', { rawStream: { status: 'reset', writeStatus: 'closed' } })
    router.streamsOutbound.set('b', { rawStream: { status: 'open', writeStatus: 'writing' } })
    expect(await new GossipLinks(host, router).check(0)).toBe(1)
    expect(router.handed).toEqual(['a'])
    expect(router.streamsOutbound.has('a')).toBe(false)
  })
})
