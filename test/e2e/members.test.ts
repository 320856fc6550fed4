// Membership operations on real processes (issue 15, item 2), ports 29000-29499:
//  (a) a 2-voter mesh survives a graceful leave: the drained node leaves the voter set, the
//      other leads alone and completes a job; the drained node, started again, is added back;
//  (b) remove-peer of a dead voter in a 3-voter mesh: the dead voter stops counting, so a
//      replacement that joins makes three voters again and the mesh then survives losing
//      another node (without remove-peer, the replacement would be a fourth voter and two
//      of four would be no quorum);
//  (c) forced recovery of the lone survivor of a 3-voter mesh: status says "quorum lost
//      (1 of 3 voters reachable)", remove-peer cannot commit, recover --force-new-cluster
//      refuses while the node runs or a majority answers, and after it the node leads alone
//      with its jobs; a fresh node joins it.
import type { ChildProcess } from 'node:child_process'
import { afterAll, describe, expect, it } from 'vitest'
import type { StatusJson } from '../../src/node/client/status-json.js'
import { isRunning, kill, loadState, waitUntil } from '../../scripts/cluster-lib.js'
import { cluster, meshnode, spawnMeshnode, tempDir } from './helpers.js'

async function statusOf (dataDir: string): Promise<StatusJson> {
  const r = await meshnode(['status', '--json', '--data-dir', dataDir])
  if (r.code !== 0) throw new Error(`status failed (${r.code}): ${r.stderr}`)
  return JSON.parse(r.stdout)
}

async function waitStatus (dataDir: string, pred: (s: StatusJson) => boolean, what: string, timeoutMs = 30_000): Promise<StatusJson> {
  let last: StatusJson | undefined
  await waitUntil(async () => {
    last = await statusOf(dataDir).catch(() => undefined)
    return last != null && pred(last)
  }, timeoutMs, what, 200)
  return last!
}

/** A one-task job submitted and waited for at the node of `dataDir`. */
async function submitAndWait (dataDir: string, payload: unknown): Promise<{ id: string, state: string }> {
  const r = await meshnode(['submit', 'echo', JSON.stringify(payload), '--wait', '--json', '--data-dir', dataDir], { timeoutMs: 60_000 })
  expect(r.code, r.stderr + r.stdout).toBe(0)
  return JSON.parse(r.stdout)
}

describe('a 2-voter mesh that loses one node gracefully', () => {
  const dir = tempDir('members2')

  afterAll(async () => {
    await cluster(dir, ['down'])
  })

  it('keeps working: the drained node leaves the voter set and the other leads alone', async () => {
    await cluster(dir, ['up', '2', '--base-port', '29000'])
    const [n1, n2] = loadState(dir).nodes
    const s1 = await waitStatus(n1!.dataDir, s => s.voters.length === 2 && s.leader != null, 'two voters and a leader')
    // Drain the leader: the harder case (it hands leadership over first).
    const leaving = s1.leader === s1.peerId ? n1! : n2!
    const staying = leaving === n1 ? n2! : n1!
    const r = await meshnode(['drain', '--deadline', '20s', '--json', '--data-dir', leaving.dataDir], { timeoutMs: 90_000 })
    expect(r.code, r.stderr + r.stdout).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({ state: 'left', declaredDead: true, leftRaft: true })
    await waitUntil(() => !isRunning(leaving.pid), 15_000, 'the drained node to exit')

    const alone = await waitStatus(staying.dataDir, s => s.role === 'leader' && s.voters.length === 1 && s.quorum.contact, 'the survivor to lead a 1-voter cluster')
    expect(alone.voters).toEqual([alone.peerId])
    expect(alone.quorum).toMatchObject({ contact: true, reachableVoters: 1, voters: 1, needed: 1 })
    const job = await submitAndWait(staying.dataDir, { after: 'graceful leave' })
    expect(job.state).toBe('completed')

    const peers = await meshnode(['operator', 'raft', 'list-peers', '--json', '--data-dir', staying.dataDir])
    expect(peers.code, peers.stderr).toBe(0)
    expect(JSON.parse(peers.stdout)).toMatchObject({ leader: alone.peerId, quorum: 1, peers: [{ peerId: alone.peerId, suffrage: 'voter', leader: true }] })
  })

  it('adds the drained node back when it is started again with its data dir, as for a joiner', async () => {
    const [n1] = loadState(dir).nodes
    const staying = isRunning(n1!.pid) ? 1 : 2
    const leaving = staying === 1 ? 2 : 1
    await cluster(dir, ['restart', String(leaving)])
    const st = loadState(dir).nodes[staying - 1]!
    const back = await waitStatus(st.dataDir, s => s.voters.length === 2, 'the restarted node to be a voter again', 45_000)
    const members = await meshnode(['members', '--json', '--data-dir', st.dataDir])
    expect(members.code, members.stderr).toBe(0)
    const rows = JSON.parse(members.stdout) as Array<{ peerId: string, suffrage: string, state: string }>
    expect(rows.filter(m => m.suffrage === 'voter').map(m => m.peerId).sort()).toEqual([...back.voters].sort())
    expect((await submitAndWait(st.dataDir, { back: true })).state).toBe('completed')
  })
})

describe('remove-peer of a dead voter in a 3-voter mesh', () => {
  const dir = tempDir('members3')
  const freshDir = tempDir('members3-fresh')
  let fresh: ChildProcess | undefined

  afterAll(async () => {
    fresh?.kill('SIGKILL')
    await cluster(dir, ['down'])
  })

  it('takes the dead voter out of the quorum, so a replacement restores a 3-voter mesh that survives another loss', async () => {
    await cluster(dir, ['up', '3', '--base-port', '29010'])
    const [n1, n2, n3] = loadState(dir).nodes
    const before = await waitStatus(n1!.dataDir, s => s.voters.length === 3 && s.leader != null, 'three voters and a leader')
    const dead = (await statusOf(n3!.dataDir)).peerId
    await cluster(dir, ['kill', '3'])
    // Declared dead by a quorum (2 of 3 alive): status shows it among the committed deaths.
    const declared = await waitStatus(n1!.dataDir, s => s.dead.some(d => d.peerId === dead), 'node-3 declared dead')
    expect(declared.voters).toHaveLength(3)
    expect(declared.quorum).toMatchObject({ contact: true, reachableVoters: 2, voters: 3, needed: 2 })

    const r = await meshnode(['operator', 'raft', 'remove-peer', dead, '--json', '--data-dir', n2!.dataDir], { timeoutMs: 30_000 })
    expect(r.code, r.stderr + r.stdout).toBe(0)
    const removed = JSON.parse(r.stdout)
    expect(removed.voters).toHaveLength(2)
    expect(removed.voters).not.toContain(dead)
    const after = await waitStatus(n1!.dataDir, s => s.voters.length === 2, 'two voters on node-1')
    expect(after.quorum).toMatchObject({ contact: true, reachableVoters: 2, voters: 2, needed: 2 })
    expect((await submitAndWait(n1!.dataDir, { removed: true })).state).toBe('completed')
    expect(before.voters).toContain(dead)
    // The leader that committed it audited who asked.
    const leaderDir = after.leader === after.peerId ? n1!.dataDir : n2!.dataDir
    const audit = await meshnode(['audit', '--json', '--data-dir', leaderDir])
    expect(audit.code, audit.stderr).toBe(0)
    expect(JSON.parse(audit.stdout).entries).toContainEqual(expect.objectContaining({ action: 'raft.remove-peer', target: dead, outcome: 'ok' }))

    // A replacement joins as a learner and is promoted: three voters, two needed again.
    fresh = spawnMeshnode(['start', '--data-dir', freshDir, '--listen', '/ip4/127.0.0.1/tcp/29013', '--name', 'node-4', '--peer', '/ip4/127.0.0.1/tcp/29010', '--peer', '/ip4/127.0.0.1/tcp/29011', '--log-level', 'warn'])
    const four = await waitStatus(n1!.dataDir, s => s.voters.length === 3, 'the replacement to become a voter', 45_000)
    expect(four.voters).not.toContain(dead)
    // Now it survives losing one more node: node-2 dies, node-1 and node-4 are a majority.
    await cluster(dir, ['kill', '2'])
    await waitStatus(n1!.dataDir, s => s.quorum.contact && s.leader != null && s.peers.find(p => p.name === 'node-2')?.state === 'dead', 'a leader without node-2', 45_000)
    expect((await submitAndWait(n1!.dataDir, { survived: 'a second loss' })).state).toBe('completed')
  })
})

describe('forced recovery of the lone survivor of a 3-voter mesh', () => {
  const dir = tempDir('members-recover')
  const freshDir = tempDir('members-recover-fresh')
  let fresh: ChildProcess | undefined

  afterAll(async () => {
    fresh?.kill('SIGKILL')
    await cluster(dir, ['down'])
  })

  it('refuses while a majority of the voters answers', async () => {
    await cluster(dir, ['up', '3', '--base-port', '29020'])
    const n1 = loadState(dir).nodes[0]!
    await waitStatus(n1.dataDir, s => s.voters.length === 3 && s.leader != null, 'three voters and a leader')
    // Running: the data dir is locked.
    const running = await meshnode(['operator', 'raft', 'recover', '--force-new-cluster', '--yes-i-know', '--data-dir', n1.dataDir])
    expect(running.code).toBe(1)
    expect(running.stderr).toContain('is running')
    // Without the confirmation: a usage error, nothing changed.
    const unconfirmed = await meshnode(['operator', 'raft', 'recover', '--force-new-cluster', '--data-dir', n1.dataDir])
    expect(unconfirmed.code).toBe(2)
    expect(unconfirmed.stderr).toContain('--yes-i-know')
    // Stopped while the two others run: they answer, so the quorum is not lost.
    await kill(1, 'SIGUSR2', dir)
    const reachable = await meshnode(['operator', 'raft', 'recover', '--force-new-cluster', '--yes-i-know', '--data-dir', n1.dataDir], { timeoutMs: 30_000 })
    expect(reachable.code).toBe(1)
    expect(reachable.stderr).toMatch(/3 of 3 voters answer .*the quorum is not lost/)
    await cluster(dir, ['restart', '1'])
    await waitStatus(n1.dataDir, s => s.voters.length === 3 && s.leader != null && s.quorum.contact, 'node-1 back in the cluster')
  })

  it('brings back a working mesh with its jobs after the other two are lost for good', async () => {
    const n1 = loadState(dir).nodes[0]!
    const before = await submitAndWait(n1.dataDir, { before: 'the loss' })
    expect(before.state).toBe('completed')
    await cluster(dir, ['kill', '2'])
    await cluster(dir, ['kill', '3'])

    // status names the loss and the way out.
    await waitStatus(n1.dataDir, s => !s.quorum.contact && s.quorum.reachableVoters === 1, 'node-1 to lose its quorum', 30_000)
    const text = await meshnode(['status', '--data-dir', n1.dataDir])
    expect(text.stdout).toContain('quorum lost (1 of 3 voters reachable, 2 needed')
    expect(text.stdout).toContain(`meshnode operator raft recover --force-new-cluster --data-dir ${n1.dataDir} --yes-i-know`)
    // A membership change cannot commit without a majority: remove-peer says so (exit 4).
    const mine = await statusOf(n1.dataDir)
    const lost = mine.voters.find(v => v !== mine.peerId)!
    const rm = await meshnode(['operator', 'raft', 'remove-peer', lost, '--data-dir', n1.dataDir], { timeoutMs: 30_000 })
    expect(rm.code).toBe(4)
    expect(rm.stderr).toMatch(/quorum lost \(1 of 3 voters reachable|no quorum/)

    await kill(1, 'SIGUSR2', dir)
    const dry = await meshnode(['operator', 'raft', 'recover', '--force-new-cluster', '--dry-run', '--json', '--data-dir', n1.dataDir], { timeoutMs: 30_000 })
    expect(dry.code, dry.stderr).toBe(0)
    expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, self: mine.peerId })
    expect(JSON.parse(dry.stdout).votersBefore).toHaveLength(3)
    expect(JSON.parse(dry.stdout).lost).toHaveLength(2)
    const rec = await meshnode(['operator', 'raft', 'recover', '--force-new-cluster', '--yes-i-know', '--json', '--data-dir', n1.dataDir], { timeoutMs: 30_000 })
    expect(rec.code, rec.stderr).toBe(0)
    const out = JSON.parse(rec.stdout)
    expect(out).toMatchObject({ recovered: true })
    expect(out.lost).toHaveLength(2)

    await cluster(dir, ['restart', '1'])
    const led = await waitStatus(n1.dataDir, s => s.role === 'leader' && s.quorum.contact, 'the survivor to lead alone', 30_000)
    expect(led.voters).toEqual([led.peerId])
    expect(led.dead.map(d => d.peerId).sort()).toEqual([...out.lost].sort())
    const jobs = await meshnode(['jobs', '--json', '--data-dir', n1.dataDir])
    expect(jobs.code, jobs.stderr).toBe(0)
    expect(JSON.parse(jobs.stdout).jobs.map((j: { id: string }) => j.id)).toContain(before.id)
    expect((await submitAndWait(n1.dataDir, { after: 'recovery' })).state).toBe('completed')

    // Others join it again with a fresh data dir.
    fresh = spawnMeshnode(['start', '--data-dir', freshDir, '--listen', '/ip4/127.0.0.1/tcp/29023', '--name', 'node-new', '--peer', '/ip4/127.0.0.1/tcp/29020', '--log-level', 'warn'])
    await waitStatus(n1.dataDir, s => s.voters.length === 2, 'a fresh node to join and become a voter', 45_000)
  })
})
