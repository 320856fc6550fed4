// Chaos tier: three real hosts in Linux network namespaces on a bridge (netns.ts). Cutting a
// host's link gives no TCP close and no refused probe — only silence — so this exercises the
// slow path of the failure detector and Raft's check-quorum, which loopback tests cannot.
// Needs root and iproute2; skipped elsewhere.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { StatusJson } from '../../src/node/client/status-json.js'
import { waitUntil } from '../../scripts/cluster-lib.js'
import { canUseNetns, cleanup, ns, sh, startMesh, type NetnsMesh } from './netns.js'

const HOSTS = 3

describe.skipIf(!canUseNetns())('three hosts in network namespaces', () => {
  let mesh: NetnsMesh
  const status = async (i: number): Promise<StatusJson | undefined> => await mesh.status(i)

  const peerState = (s: StatusJson | undefined, name: string): string | undefined => s?.peers.find(p => p.name === name)?.state

  beforeAll(async () => {
    mesh = await startMesh({ nodes: HOSTS })
  }, 90_000)

  afterAll(() => {
    mesh?.stop()
    cleanup()
  })

  it('detects a host cut off by link-down as dead, by silence alone', async () => {
    sh('-n', ns(3), 'link', 'set', 'eth0', 'down')
    await waitUntil(async () => {
      const [a, b] = await Promise.all([status(1), status(2)])
      return peerState(a, 'h3') === 'dead' && peerState(b, 'h3') === 'dead'
    }, 30_000, 'h3 dead on h1 and h2', 250)
    sh('-n', ns(3), 'link', 'set', 'eth0', 'up')
    await waitUntil(async () => {
      const all = await Promise.all([1, 2, 3].map(status))
      return all.every(s => s != null && s.peers.filter(p => p.state === 'alive').length === HOSTS - 1)
    }, 30_000, 'h3 back alive everywhere', 250)
  }, 90_000)

  it('keeps one leader in the majority when the leader is partitioned, and reconverges after', async () => {
    const s1 = await status(1)
    const leaderName = s1!.peers.find(p => p.peerId === s1!.leader)?.name ?? s1!.name
    const li = Number(leaderName.slice(1))
    const oldTerm = s1!.term
    sh('-n', ns(li), 'link', 'set', 'eth0', 'down')
    const others = [1, 2, 3].filter(i => i !== li)
    // The majority elects a new leader in a higher term.
    await waitUntil(async () => {
      const ss = await Promise.all(others.map(status))
      return ss.every(s => s != null && s.term > oldTerm && s.leader != null && s.leader === ss[0]!.leader && s.leader !== s1!.leader)
    }, 30_000, 'a new leader in the majority', 250)
    // The cut-off old leader loses quorum contact and steps down (check-quorum).
    await waitUntil(async () => (await status(li))?.role !== 'leader', 30_000, 'the isolated leader to step down', 250)
    const writes = await mesh.meshnode(li, ['config', 'set', 'k', 'v', '--data-dir', mesh.nodeDir(li)], 20_000)
    expect(writes.code).not.toBe(0)
    sh('-n', ns(li), 'link', 'set', 'eth0', 'up')
    let last: unknown
    await waitUntil(async () => {
      const ss = await Promise.all([1, 2, 3].map(status))
      last = ss.map(s => s == null ? null : { name: s.name, role: s.role, term: s.term, leader: s.leader?.slice(-6), peers: s.peers.map(p => `${p.name}:${p.state}`) })
      return ss.every(s => s != null && s.leader != null && s.leader === ss[0]!.leader && s.peers.every(p => p.state === 'alive')) &&
        ss.filter(s => s!.role === 'leader').length === 1
    }, 30_000, 'one leader agreed by all three after healing', 250).catch(err => { throw new Error(`${(err as Error).message}; last seen: ${JSON.stringify(last)}`) })
  }, 120_000)
})
