// Forced recovery (meshnode operator raft recover --force-new-cluster) on a real LevelDB: the
// survivor's persisted Raft state becomes a one-voter cluster of itself, its whole log folded
// into the control state (config, grants, jobs — entries past the commit index it knew too),
// every other member declared dead for all its lives; and a Raft core started on the result
// leads alone and commits.
import { describe, expect, it } from 'vitest'
import { ControlState, encodeCommand, type ControlCommand } from '../../../src/consensus/control.js'
import { encodeConfChange } from '../../../src/consensus/confchange.js'
import { RaftCore } from '../../../src/consensus/raft.js'
import { mulberry32 } from '../../../src/prng.js'
import type { Entry } from '../../../src/consensus/types.js'
import { MeshError } from '../../../src/node/errors.js'
import { RECOVERY_INCARNATION, forceNewCluster, planRecovery } from '../../../src/node/store/raft-recover.js'
import { RaftStore } from '../../../src/node/store/raft-store.js'
import { Store } from '../../../src/node/store/store.js'
import { keysFor } from '../consensus/cluster.js'
import { tempDir } from '../../temp-dir.js'

const cmd = (index: number, term: number, c: ControlCommand): Entry => ({ index, term, type: 'normal', data: encodeCommand(c) })
const noReady = { messages: [], committed: [] }

/** A data dir whose node `a` was a voter of a, b, c (with learner l), with some history. */
async function survivor (): Promise<string> {
  const dir = tempDir('recover')
  const store = await Store.open(dir)
  const rs = await RaftStore.open(store)
  await rs.bootstrap(['a', 'b', 'c'])
  await rs.save({
    ...noReady,
    entries: [
      cmd(4, 2, { op: 'config.set', key: 'region', value: 'eu' }),
      cmd(5, 2, { op: 'jobs.put', jobs: [['job-on-a', { home: 'a', createdAt: 1, state: 'completed' }], ['job-on-b', { home: 'b', createdAt: 2, state: 'running', replicas: ['a', 'c'] }]] }),
      { index: 6, term: 2, type: 'conf', data: encodeConfChange({ type: 'addLearner', nodeId: 'l' }) },
      // Past the commit index this node knew: the lost majority may have committed it.
      cmd(7, 2, { op: 'grant.set', peerId: 'client', role: 'operator', commands: false })
    ],
    hardState: { term: 2, vote: 'b', commit: 6 }
  })
  await store.close()
  return dir
}

describe('forced recovery of a lost quorum', () => {
  it('plans without changing anything', async () => {
    const dir = await survivor()
    const store = await Store.open(dir)
    const plan = await planRecovery(store, 'a')
    expect(plan).toMatchObject({ self: 'a', conf: { voters: ['a', 'b', 'c'], learners: ['l'] }, lost: ['b', 'c', 'l'], lastIndex: 7, commit: 6, term: 2, jobs: 2 })
    expect((await RaftStore.open(store)).mirror.lastIndex()).toBe(7)
    await store.close()
  })

  it('rewrites the configuration to this node alone, keeping config, grants and jobs, and declaring the others dead for good', async () => {
    const dir = await survivor()
    let store = await Store.open(dir)
    const r = await forceNewCluster(store, 'a', 1234)
    expect(r).toMatchObject({ lost: ['b', 'c', 'l'], index: 10, newTerm: 3 })
    await store.close()

    store = await Store.open(dir)
    const rs = await RaftStore.open(store)
    const snap = rs.mirror.snapshot()
    expect(snap.metadata).toMatchObject({ index: 10, term: 3, confState: { voters: ['a'], learners: [] } })
    expect(rs.mirror.lastIndex()).toBe(10)
    expect(rs.mirror.hardState()).toEqual({ term: 3, vote: null, commit: 10 })
    expect(rs.founders).toEqual(['a'])
    const control = ControlState.restore(snap.data)
    expect(control.config.get('region')?.value).toBe('eu')
    expect(control.grants.get('client')?.role).toBe('operator')
    expect(control.jobs.get('job-on-a')).toMatchObject({ home: 'a', state: 'completed' })
    // The running job of a lost home moved to the survivor, which holds its definition.
    expect(control.jobs.get('job-on-b')).toMatchObject({ home: 'a', epoch: 1, homes: ['b'] })
    expect([...control.dead.keys()].sort()).toEqual(['b', 'c', 'l'])
    expect(control.dead.get('b')).toMatchObject({ incarnation: RECOVERY_INCARNATION })
    await store.close()
  })

  it('starts a core that leads alone and commits without the lost voters', async () => {
    const dir = await survivor()
    let store = await Store.open(dir)
    await forceNewCluster(store, 'a')
    await store.close()
    store = await Store.open(dir)
    const rs = await RaftStore.open(store)
    const core = new RaftCore({ storage: rs.mirror, keys: keysFor('a'), random: mulberry32(7) })
    const drain = async (): Promise<Entry[]> => {
      const committed: Entry[] = []
      while (core.hasReady()) {
        const rd = core.ready()
        await rs.save(rd)
        committed.push(...rd.committed)
        core.advance()
      }
      return committed
    }
    for (let i = 0; i < 100 && core.status().role !== 'leader'; i++) {
      core.tick()
      await drain()
    }
    expect(core.status()).toMatchObject({ role: 'leader', conf: { voters: ['a'], learners: [] } })
    const p = core.propose(encodeCommand({ op: 'config.set', key: 'after', value: 'recovery' }))
    expect(p.ok).toBe(true)
    const committed = await drain()
    expect(committed.map(e => e.index)).toContain((p as { index: number }).index)
    await store.close()
  })

  it('refuses a data dir that holds no cluster, and a node its cluster does not count as a member', async () => {
    const empty = await Store.open(tempDir('recover'))
    await expect(planRecovery(empty, 'a')).rejects.toThrow(MeshError)
    await expect(forceNewCluster(empty, 'a')).rejects.toThrow(/no cluster state/)
    await empty.close()
    const store = await Store.open(await survivor())
    await expect(forceNewCluster(store, 'z')).rejects.toThrow(/not a member/)
    expect((await RaftStore.open(store)).mirror.lastIndex()).toBe(7)
    await store.close()
  })
})
