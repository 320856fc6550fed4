// Consensus on real processes: one leader among five, failover after SIGKILL, a committed
// config value surviving its leader's death, persisted term across restart, leadership
// transfer on a graceful stop.
import type { ChildProcess } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ADMIN_CALL } from '../../src/wire/calls.js'
import { OPERATOR_KEY_FILE, loadKeyFile } from '../../src/node/store/identity.js'
import { call } from '../../src/node/transport/rpc.js'
import { fetchStatus } from '../../src/node/client/status.js'
import { agreedLeader, loadState, statusAll, waitUntil, type NodeStatus } from '../../scripts/cluster-lib.js'
import { cluster, meshnode, spawnMeshnode, tempDir } from './helpers.js'

function leaders (all: NodeStatus[]): NodeStatus[] {
  return all.filter(s => s.status?.role === 'leader')
}

describe('consensus on a 5-node cluster', () => {
  const dir = tempDir('raft5')

  beforeAll(async () => {
    await cluster(dir, ['up', '5', '--base-port', '19150'])
  })

  afterAll(async () => {
    await cluster(dir, ['down'])
  })

  it('elects exactly one leader that every node follows, with all five as voters', async () => {
    const leader = await agreedLeader(dir)
    const all = await statusAll(dir)
    expect(leaders(all)).toHaveLength(1)
    for (const s of all) {
      expect(s.status!.voters).toHaveLength(5)
      expect(s.status!.term).toBe(leader.status!.term)
    }
  })

  it('commits a config value through any node and survives the leader being SIGKILLed', async () => {
    const st = loadState(dir)
    const set = await meshnode(['config', 'set', 'answer', '42', '--data-dir', st.nodes[0]!.dataDir])
    expect(set.code, set.stderr).toBe(0)
    const old = await agreedLeader(dir)
    await cluster(dir, ['kill', String(old.entry.index)])
    const next = await agreedLeader(dir)
    expect(next.status!.peerId).not.toBe(old.status!.peerId)
    expect(next.status!.term).toBeGreaterThan(old.status!.term)
    const survivor = st.nodes.find(n => n.index !== old.entry.index)!
    const get = await meshnode(['config', 'get', 'answer', '--json', '--data-dir', survivor.dataDir])
    expect(get.code, get.stderr).toBe(0)
    expect(JSON.parse(get.stdout)).toEqual({ key: 'answer', value: '42', version: 1 })
    // A write after the failover commits under the new leader.
    const again = await meshnode(['config', 'set', 'answer', '43', '--expect-version', '1', '--data-dir', survivor.dataDir])
    expect(again.code, again.stderr).toBe(0)
  })

  it('restarts a killed node with its persisted term and catches it up', async () => {
    const dead = (await statusAll(dir)).find(s => s.status == null)!
    const termBefore = (await agreedLeader(dir)).status!.term
    await cluster(dir, ['restart', String(dead.entry.index)])
    await waitUntil(async () => {
      const s = (await statusAll(dir)).find(x => x.entry.index === dead.entry.index)?.status
      return s != null && s.term >= termBefore && s.appliedIndex > 0
    }, 20_000, 'restarted node to catch up', 100)
    const get = await meshnode(['config', 'get', 'answer', '--json', '--data-dir', dead.entry.dataDir])
    await waitUntil(async () => {
      const r = await meshnode(['config', 'get', 'answer', '--json', '--data-dir', dead.entry.dataDir])
      return r.code === 0 && JSON.parse(r.stdout).value === '43'
    }, 20_000, 'restarted node to apply the latest value', 200)
    expect(get.code).toBe(0)
  })

  it('hands leadership over on a graceful stop without waiting for an election timeout', async () => {
    const old = await agreedLeader(dir)
    await cluster(dir, ['stop', String(old.entry.index)])
    const next = await agreedLeader(dir)
    expect(next.status!.peerId).not.toBe(old.status!.peerId)
    // The old leader's log shows the transfer.
    expect(readFileSync(old.entry.log, 'utf8')).toContain('transferring leadership before stopping')
  })

  it('refuses a write with a clear error when no quorum is left', async () => {
    // Two of five are down after the tests above (one killed-and-restarted is back, one
    // stopped); stop two more so only two of five voters remain.
    const running = (await statusAll(dir)).filter(s => s.status != null)
    for (const s of running.slice(0, running.length - 2)) await cluster(dir, ['kill', String(s.entry.index)])
    const left = (await statusAll(dir)).filter(s => s.status != null)
    expect(left).toHaveLength(2)
    const r = await meshnode(['config', 'set', 'x', '1', '--data-dir', left[0]!.entry.dataDir], { timeoutMs: 30_000 })
    expect(r.code).not.toBe(0)
    expect(r.stderr).toMatch(/no quorum|not leader/i)
  })
})

describe('a node started alone', () => {
  const dir = tempDir('solo')
  const joinerDir = tempDir('joiner')
  let joiner: ChildProcess | undefined

  afterAll(async () => {
    joiner?.kill('SIGKILL')
    await cluster(dir, ['down'])
  })

  it('founds a single-node cluster and leads it', async () => {
    await cluster(dir, ['up', '1', '--base-port', '19170'])
    await agreedLeader(dir)
    const set = await meshnode(['config', 'set', 'k', 'v', '--data-dir', loadState(dir).nodes[0]!.dataDir])
    expect(set.code, set.stderr).toBe(0)
  })

  it('adds a joiner as a learner, catches it up and promotes it to voter', async () => {
    joiner = spawnMeshnode(['start', '--data-dir', joinerDir, '--listen', '/ip4/127.0.0.1/tcp/19171', '--name', 'joiner', '--peer', '/ip4/127.0.0.1/tcp/19170', '--log-level', 'warn'])
    const solo = loadState(dir).nodes[0]!
    await waitUntil(async () => {
      const s = await fetchStatus({ dataDir: solo.dataDir }).catch(() => null)
      return s != null && s.voters.length === 2
    }, 20_000, 'joiner to become a voter', 200)
    await waitUntil(async () => {
      const r = await meshnode(['config', 'get', 'k', '--json', '--data-dir', joinerDir])
      return r.code === 0 && JSON.parse(r.stdout).value === 'v'
    }, 20_000, 'joiner to apply the log', 200)
  })
})

describe('log compaction', () => {
  const dir = tempDir('snap')

  afterAll(async () => {
    await cluster(dir, ['down'])
  })

  it('compacts past --snapshot-every and brings a lagging follower up to date with a snapshot', async () => {
    await cluster(dir, ['up', '3', '--base-port', '19180', '--', '--snapshot-every', '20'])
    const leader = await agreedLeader(dir)
    const lagger = loadState(dir).nodes.find(n => n.index !== leader.entry.index)!
    await cluster(dir, ['kill', String(lagger.index)])
    const addr = leader.status!.addrs.find(a => a.includes('/127.0.0.1/'))!
    const operator = { key: await loadKeyFile(join(dir, OPERATOR_KEY_FILE)) }
    for (let i = 0; i < 60; i++) {
      const r = await call(addr, { configSet: { key: `k${i}`, value: String(i) } }, ADMIN_CALL, undefined, operator)
      expect(r.code, r.error).toBe('')
    }
    expect(readFileSync(leader.entry.log, 'utf8')).toContain('compacted the raft log')
    await cluster(dir, ['restart', String(lagger.index)])
    await waitUntil(async () => {
      const r = await meshnode(['config', 'list', '--json', '--data-dir', lagger.dataDir])
      return r.code === 0 && JSON.parse(r.stdout).length === 60
    }, 30_000, 'the lagging follower to hold all 60 keys', 250)
    expect(readFileSync(lagger.log, 'utf8')).toContain('installed a snapshot from the leader')
  })
})
