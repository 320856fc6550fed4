import { defaultRaftOptions } from '../../../src/consensus/options.js'
import { describe, expect, it } from 'vitest'
import type { Message, Ready } from '../../../src/consensus/types.js'
import { Cluster, text } from './cluster.js'

describe('log replication', () => {
  it('a proposal at the leader commits and is applied by every node in order', () => {
    const c = new Cluster(['a', 'b', 'c'])
    c.elect('a')
    for (const s of ['one', 'two', 'three']) expect(c.propose('a', s).ok).toBe(true)
    c.tick(1)
    for (const id of ['a', 'b', 'c']) expect(c.node(id).applied).toEqual(['one', 'two', 'three'])
  })

  it('a proposal at a follower is refused with the leader to retry at', () => {
    const c = new Cluster(['a', 'b', 'c'])
    c.elect('a')
    const r = c.core('b').propose(text('x'))
    expect(r).toMatchObject({ ok: false, code: 'NOT_LEADER', leader: 'a' })
  })

  it('a lagging follower catches up through the consistency check', () => {
    const c = new Cluster(['a', 'b', 'c'])
    c.elect('a')
    c.isolate('c')
    for (let i = 0; i < 20; i++) c.propose('a', `e${i}`)
    expect(c.node('c').applied).toEqual([])
    c.heal()
    c.tick(2)
    expect(c.node('c').applied).toEqual(c.node('a').applied)
    expect(c.core('c').status().lastIndex).toBe(c.core('a').status().lastIndex)
  })

  it('a follower’s conflicting uncommitted suffix is overwritten by the new leader', () => {
    const c = new Cluster(['a', 'b', 'c'], { core: { checkQuorum: false } })
    c.elect('a')
    c.propose('a', 'base')
    // a appends entries only it holds
    c.isolate('a')
    for (let i = 0; i < 3; i++) c.propose('a', `orphan${i}`)
    c.elect('b')
    c.propose('b', 'winner')
    c.heal()
    c.tick(2, ['b'])
    c.tick(2)
    expect(c.node('a').applied).toEqual(['base', 'winner'])
    const truncating = c.node('a').readies.find((rd) => rd.truncateFrom !== undefined)
    expect(truncating).toBeDefined()
    expect(c.core('a').status().lastIndex).toBe(c.core('b').status().lastIndex)
  })

  it('a follower far behind receives a snapshot, then the entries after it', () => {
    const c = new Cluster(['a', 'b', 'c'])
    c.elect('a')
    c.isolate('c')
    for (let i = 0; i < 30; i++) c.propose('a', `e${i}`)
    c.tick(1, ['a', 'b'])
    const snap = c.snapshot('a')
    expect(c.node('a').storage.firstIndex()).toBe(snap.metadata.index + 1)
    c.propose('a', 'after')
    c.heal()
    c.tick(3)
    const cNode = c.node('c')
    expect(cNode.storage.snapshot().metadata.index).toBe(snap.metadata.index)
    expect(cNode.applied).toEqual(c.node('a').applied)
    expect(cNode.applied[cNode.applied.length - 1]).toBe('after')
    expect(cNode.readies.some((rd) => rd.snapshot !== undefined)).toBe(true)
  })

  it('a lost snapshot is sent again', () => {
    const c = new Cluster(['a', 'b', 'c'])
    c.elect('a')
    c.isolate('c')
    for (let i = 0; i < 10; i++) c.propose('a', `e${i}`)
    c.tick(1, ['a', 'b'])
    c.snapshot('a')
    c.heal()
    let dropped = 0
    c.filter = (m) => {
      if (m.type !== 'snapshot' || dropped > 0) return true
      dropped++
      return false
    }
    c.tick(30)
    expect(dropped).toBe(1)
    expect(c.node('c').applied).toEqual(c.node('a').applied)
  })

  it('a compaction is handed to the shell and leaves later entries in place', () => {
    const c = new Cluster(['a', 'b', 'c'])
    c.elect('a')
    for (let i = 0; i < 5; i++) c.propose('a', `e${i}`)
    const a = c.node('a')
    const before = a.storage.lastIndex()
    const r = a.core.createSnapshot(a.appliedIndex - 2, text('state'))
    expect(r.ok).toBe(true)
    c.settle()
    expect(a.readies.some((rd) => rd.compaction !== undefined)).toBe(true)
    expect(a.storage.firstIndex()).toBe(a.appliedIndex - 1)
    expect(a.storage.lastIndex()).toBe(before)
    const stale = a.core.createSnapshot(a.appliedIndex - 3, text('older'))
    expect(stale).toMatchObject({ ok: false, code: 'OUT_OF_DATE' })
    const future = a.core.createSnapshot(a.appliedIndex + 1, text('future'))
    expect(future).toMatchObject({ ok: false, code: 'NOT_APPLIED' })
  })
})

describe('appends between two Readies', () => {
  /** Drains one Ready of `id` by hand (persisted, applied, advanced) and returns its messages. */
  function drain (c: Cluster, id: string): readonly Message[] {
    const n = c.node(id)
    const rd: Ready = n.core.ready()
    n.storage.save(rd)
    n.core.advance()
    return rd.messages
  }
  const appendsTo = (msgs: readonly Message[], to: string): Array<Extract<Message, { type: 'append' }>> =>
    msgs.filter((m): m is Extract<Message, { type: 'append' }> => m.type === 'append' && m.to === to)

  it('proposals made before the leader\'s next Ready go to each follower as one append carrying them all', () => {
    const c = new Cluster(['a', 'b', 'c'])
    c.elect('a')
    const a = c.core('a')
    const last = a.status().lastIndex
    for (let i = 0; i < 5; i++) expect(a.propose(text(`p${i}`)).ok).toBe(true)
    const msgs = drain(c, 'a')
    for (const f of ['b', 'c']) {
      const appends = appendsTo(msgs, f)
      expect(appends).toHaveLength(1)
      expect(appends[0]!.entries.map((e) => e.index)).toEqual([1, 2, 3, 4, 5].map((i) => last + i))
    }
    for (const m of msgs) c.core(m.to).step(m)
    c.settle()
    for (const id of ['a', 'b', 'c']) expect(c.node(id).applied).toEqual(['p0', 'p1', 'p2', 'p3', 'p4'])
  })

  it('answers that advance the commit index step by step cost one append a follower, with the latest commit', () => {
    const c = new Cluster(['a', 'b', 'c'])
    c.elect('a')
    const a = c.core('a')
    const last = a.status().lastIndex
    // two appends to b, one entry each, answered separately
    a.propose(text('x'))
    const first = appendsTo(drain(c, 'a'), 'b')
    a.propose(text('y'))
    const second = appendsTo(drain(c, 'a'), 'b')
    const answers: Message[] = []
    for (const m of [...first, ...second]) {
      c.core('b').step(m)
      answers.push(...drain(c, 'b').filter((r) => r.type === 'appendResp'))
    }
    expect(answers).toHaveLength(2)
    for (const r of answers) a.step(r)
    const msgs = drain(c, 'a')
    for (const f of ['b', 'c']) expect(appendsTo(msgs, f)).toHaveLength(1)
    expect(appendsTo(msgs, 'b')[0]).toMatchObject({ commit: last + 2, entries: [] })
    expect(a.status().commit).toBe(last + 2)
  })

  it('appends owed by a leader that stepped down before its Ready are not sent', () => {
    const c = new Cluster(['a', 'b', 'c'], { core: { checkQuorum: false } })
    c.elect('a')
    c.isolate('a')
    c.elect('b')
    c.heal()
    const a = c.core('a')
    expect(a.propose(text('x')).ok).toBe(true)
    // b's heartbeat of the newer term reaches a before a drains its Ready
    c.core('b').tick()
    const heartbeat = drain(c, 'b').find((m) => m.type === 'heartbeat' && m.to === 'a')
    expect(heartbeat).toBeDefined()
    a.step(heartbeat!)
    expect(a.status()).toMatchObject({ role: 'follower', leader: 'b' })
    expect(drain(c, 'a').filter((m) => m.type === 'append')).toEqual([])
  })
})

describe('restart', () => {
  it('a node restarted from its storage keeps its term, vote and log', () => {
    const c = new Cluster(['a', 'b', 'c'])
    c.elect('a')
    c.propose('a', 'x')
    c.tick(1)
    const before = c.core('b').status()
    c.stop('b')
    c.start('b')
    const after = c.core('b').status()
    expect(after.term).toBe(before.term)
    expect(after.vote).toBe(before.vote)
    expect(after.lastIndex).toBe(before.lastIndex)
    expect(after.commit).toBe(before.commit)
    expect(after.role).toBe('follower')
    expect(after.conf.voters).toEqual(['a', 'b', 'c'])
  })

  it('a restarted node re-applies committed entries its state machine lost', () => {
    const c = new Cluster(['a', 'b', 'c'])
    c.elect('a')
    c.propose('a', 'x')
    c.propose('a', 'y')
    c.tick(1)
    c.stop('b')
    c.start('b')
    c.settle()
    expect(c.node('b').applied).toEqual(['x', 'y'])
  })

  it('a restarted follower asks the leader for its certificate and follows it again', () => {
    const c = new Cluster(['a', 'b', 'c'])
    c.elect('a')
    c.tick(2)
    c.stop('b')
    c.start('b')
    // the leader is quiet: its next heartbeat comes within idleHeartbeatTicks
    c.tick(defaultRaftOptions.idleHeartbeatTicks)
    expect(c.core('b').counters.certificatesRequested).toBeGreaterThan(0)
    expect(c.core('b').status().leader).toBe('a')
    c.propose('a', 'z')
    c.tick(1)
    expect(c.node('b').applied).toEqual(['z'])
  })
})
