// Death by quorum on real processes (DESIGN.md "Healing"): a SIGKILLed node is declared dead
// through the log (node.dead) by the survivors, and cleared (node.alive) when it restarts; a
// paused node that was declared dead learns it on waking, renews its incarnation and is
// marked alive again. Timings are printed, never asserted.
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { agreedLeader, isRunning, loadState, statusAll, waitUntil, type NodeStatus } from '../../scripts/cluster-lib.js'
import { cluster, tempDir } from './helpers.js'
import { firstLogged as firstLoggedLine } from '../../bench/lib/node-logs.js'

/** The first time (ms since the epoch) any of these logs says `msg` about `peer`, or NaN. */
function firstLogged (logs: string[], msg: string, peer?: string): number {
  return firstLoggedLine(logs, msg, 0, line => peer == null || line.peer === peer)
}

function deadIn (s: NodeStatus, peerId: string): { incarnation: number } | undefined {
  return s.status?.dead?.find(d => d.peerId === peerId)
}

describe('death by quorum on a 3-node cluster', () => {
  const dir = tempDir('heal3')

  beforeAll(async () => {
    await cluster(dir, ['up', '3', '--base-port', '21200'])
    await agreedLeader(dir, { nodes: 3, allAlive: true, timeoutMs: 30_000 })
  })

  afterAll(async () => {
    // A paused node must be woken before it can be stopped.
    for (const e of loadState(dir).nodes) if (isRunning(e.pid)) { try { process.kill(e.pid, 'SIGCONT') } catch {} }
    await cluster(dir, ['down'])
  })

  it('commits node.dead on the survivors after a SIGKILL, and node.alive once the node restarts', async () => {
    const before = await statusAll(dir)
    const victim = before.find(s => s.entry.index === 3)!
    const { peerId, incarnation } = victim.status!
    const survivors = before.filter(s => s.entry.index !== 3)
    const t0 = Date.now()
    process.kill(victim.entry.pid, 'SIGKILL')
    await waitUntil(async () => (await statusAll(dir)).filter(s => s.entry.index !== 3).every(s => deadIn(s, peerId)?.incarnation === incarnation),
      10_000, 'node.dead for node 3 on both survivors', 50)
    const committed = firstLogged(survivors.map(s => s.entry.log), 'node declared dead (committed)', peerId)
    console.log(`[healing] SIGKILL of node 3 (was ${victim.status!.role}) -> node.dead committed: ${committed - t0} ms (from the nodes' logs); seen in status after ${Date.now() - t0} ms`)
    expect(committed).toBeGreaterThanOrEqual(t0)

    await cluster(dir, ['restart', '3'])
    await waitUntil(async () => {
      const all = await statusAll(dir)
      return all.every(s => s.status != null && (s.status.dead ?? []).length === 0) &&
        (all.find(s => s.entry.index === 3)?.status?.incarnation ?? 0) > incarnation
    }, 20_000, 'node.alive for the restarted node 3 on every node', 100)
    // The restarted node was never told it was dead: its new life is not the dead one.
    expect(readFileSync(victim.entry.log, 'utf8')).not.toContain('this node was declared dead by the cluster')
  })

  /** SIGSTOP node `index` until the others commit its death, SIGCONT it, and check that it rejoins. */
  async function pauseUntilDeclaredDead (index: number, what: string): Promise<void> {
    const all = await statusAll(dir)
    const victim = all.find(s => s.entry.index === index)!
    const others = all.filter(s => s.entry.index !== index)
    const { peerId, incarnation } = victim.status!
    const t0 = Date.now()
    process.kill(victim.entry.pid, 'SIGSTOP')
    try {
      // A short status timeout: the paused node never answers.
      await waitUntil(async () => (await statusAll(dir, 300)).filter(s => s.entry.index !== index).every(s => deadIn(s, peerId)?.incarnation === incarnation),
        30_000, `node.dead for the paused ${what} on the others`, 100)
    } finally {
      process.kill(victim.entry.pid, 'SIGCONT')
    }
    const committed = firstLogged(others.map(s => s.entry.log), 'node declared dead (committed)', peerId)
    console.log(`[healing] SIGSTOP of node ${index} (${what}) -> node.dead committed after ${committed - t0} ms (silence: --probe-after-ms, then a timed-out probe and --dead-after-ms as a suspect)`)
    const t1 = Date.now()
    await waitUntil(async () => {
      const now = await statusAll(dir)
      const me = now.find(s => s.entry.index === index)?.status
      return me != null && me.incarnation > incarnation && now.every(s => s.status != null && (s.status.dead ?? []).length === 0)
    }, 20_000, `the woken ${what} to rejoin with a new incarnation and node.alive to commit`, 100)
    console.log(`[healing] SIGCONT -> new incarnation and node.alive committed within ${Date.now() - t1} ms`)
    const log = readFileSync(victim.entry.log, 'utf8')
    expect(log).toContain('this node was declared dead by the cluster')
    expect(log).toContain('rejoining with a new incarnation')
    // Same process: it was never restarted.
    expect(isRunning(victim.entry.pid)).toBe(true)
    await agreedLeader(dir, { nodes: 3, allAlive: true, timeoutMs: 30_000 })
  }

  it('marks a paused follower dead, and on waking it learns so, renews its incarnation and is marked alive again', async () => {
    const leader = await agreedLeader(dir, { nodes: 3, allAlive: true, timeoutMs: 30_000 })
    await pauseUntilDeclaredDead([1, 2, 3].find(i => i !== leader.entry.index)!, 'follower')
  })

  it('does the same for a paused leader: the others elect a new one and declare the old one dead', async () => {
    const leader = await agreedLeader(dir, { nodes: 3, allAlive: true, timeoutMs: 30_000 })
    await pauseUntilDeclaredDead(leader.entry.index, 'leader')
  })
})

describe('a node dead for good while the others restart', () => {
  const dir = tempDir('heal-restart')

  beforeAll(async () => {
    await cluster(dir, ['up', '3', '--base-port', '19260'])
    await agreedLeader(dir, { nodes: 3, allAlive: true, timeoutMs: 30_000 })
  })

  afterAll(async () => {
    await cluster(dir, ['down'])
  })

  it('is held dead by the restarted majority, which never heard from it since starting, and its death commits', async () => {
    const before = await statusAll(dir)
    const gone = before.find(s => s.entry.index === 3)!
    const { peerId, incarnation } = gone.status!
    // All three go at once: nodes 1 and 2 never see node 3 die; node 3 never comes back.
    for (const s of before) process.kill(s.entry.pid, 'SIGKILL')
    await waitUntil(async () => before.every(s => !isRunning(s.entry.pid)), 10_000, 'all three processes to exit', 50)
    const t0 = Date.now()
    await cluster(dir, ['restart', '1'])
    await cluster(dir, ['restart', '2'])
    await waitUntil(async () => (await statusAll(dir, 500)).filter(s => s.entry.index !== 3).every(s => deadIn(s, peerId)?.incarnation === incarnation),
      30_000, 'node.dead for node 3 on the two restarted nodes', 100)
    console.log(`[healing] two voters restarted; node 3, gone for good, declared dead ${Date.now() - t0} ms after the restarts began`)
    const log = readFileSync(loadState(dir).nodes[0]!.log, 'utf8')
    expect(log).toContain('a member not heard from yet')
  })
})
