// Chaos tier: three real hosts in Linux network namespaces on a bridge. Cutting a host's link
// gives no TCP close and no refused probe — only silence — so this exercises the slow path of
// the failure detector and Raft's check-quorum, which loopback tests cannot. Needs root and
// iproute2; skipped elsewhere. Every namespace, link and process is removed in afterAll, and
// leftovers of an earlier crashed run are removed before starting.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { generateMeshKey } from '../../src/node/transport/mesh-key.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { StatusJson } from '../../src/node/client/status-json.js'
import { NODE_FLAGS, waitUntil } from '../../scripts/cluster-lib.js'
import { NODE, ROOT, run, tempDir } from '../e2e/helpers.js'

const HOSTS = 3
const BRIDGE = 'mnchaos0'
const SUBNET = '10.213.77'
const ns = (i: number): string => `mnchaos${i}`
const ip = (i: number): string => `${SUBNET}.${i + 10}`

function sh (...args: string[]): void {
  execFileSync('ip', args, { stdio: 'ignore' })
}

function tryIp (...args: string[]): void {
  try { sh(...args) } catch { /* already gone */ }
}

function canUseNetns (): boolean {
  if (process.getuid?.() !== 0) return false
  try {
    execFileSync('ip', ['-V'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

function cleanup (): void {
  for (let i = 1; i <= HOSTS; i++) {
    try { execFileSync('ip', ['netns', 'pids', ns(i)], { encoding: 'utf8' }).split('\n').filter(Boolean).forEach(pid => { try { process.kill(Number(pid), 'SIGKILL') } catch {} }) } catch {}
    tryIp('netns', 'del', ns(i))
    tryIp('link', 'del', `veth-${ns(i)}`)
  }
  tryIp('link', 'del', BRIDGE)
}

describe.skipIf(!canUseNetns())('three hosts in network namespaces', () => {
  const dataDir = tempDir('chaos')
  const meshKey = join(dataDir, 'mesh.key')
  const procs: ChildProcess[] = []

  const status = async (i: number): Promise<StatusJson | undefined> => {
    const r = await run('ip', ['netns', 'exec', ns(i), NODE, ...NODE_FLAGS, join(ROOT, 'bin', 'meshnode.js'), 'status', '--json', '--timeout-ms', '1500', '--data-dir', join(dataDir, `h${i}`)], { timeoutMs: 10_000 })
    return r.code === 0 ? JSON.parse(r.stdout) : undefined
  }

  const peerState = (s: StatusJson | undefined, name: string): string | undefined => s?.peers.find(p => p.name === name)?.state

  beforeAll(async () => {
    cleanup()
    sh('link', 'add', BRIDGE, 'type', 'bridge')
    sh('link', 'set', BRIDGE, 'up')
    for (let i = 1; i <= HOSTS; i++) {
      sh('netns', 'add', ns(i))
      sh('link', 'add', `veth-${ns(i)}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns(i))
      sh('link', 'set', `veth-${ns(i)}`, 'master', BRIDGE, 'up')
      sh('-n', ns(i), 'addr', 'add', `${ip(i)}/24`, 'dev', 'eth0')
      sh('-n', ns(i), 'link', 'set', 'eth0', 'up')
      sh('-n', ns(i), 'link', 'set', 'lo', 'up')
    }
    // Hosts on a real network need a mesh key (a node refuses to listen beyond loopback
    // without one); the CLI with --data-dir uses the node's.
    writeFileSync(meshKey, generateMeshKey(), { mode: 0o600 })
    for (let i = 1; i <= HOSTS; i++) {
      const peers = Array.from({ length: HOSTS }, (_, k) => k + 1).filter(k => k !== i).flatMap(k => ['--peer', `/ip4/${ip(k)}/tcp/7420`])
      procs.push(spawn('ip', ['netns', 'exec', ns(i), NODE, ...NODE_FLAGS, join(ROOT, 'bin', 'meshnode.js'), 'start',
        '--data-dir', join(dataDir, `h${i}`), '--listen', `/ip4/${ip(i)}/tcp/7420`, '--name', `h${i}`, '--expect', String(HOSTS), '--mesh-key', meshKey, ...peers], { stdio: 'ignore' }))
    }
    await waitUntil(async () => {
      const all = await Promise.all([1, 2, 3].map(status))
      return all.every(s => s != null && s.peers.filter(p => p.state === 'alive').length === HOSTS - 1 && s.leader != null)
    }, 60_000, 'three hosts to converge with a leader', 250)
  }, 90_000)

  afterAll(() => {
    for (const p of procs) p.kill('SIGKILL')
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
    const writes = await run('ip', ['netns', 'exec', ns(li), NODE, ...NODE_FLAGS, join(ROOT, 'bin', 'meshnode.js'), 'config', 'set', 'k', 'v', '--data-dir', join(dataDir, `h${li}`)], { timeoutMs: 20_000 })
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
