// The Raft membership commands of the admin table (operator raft list-peers, remove-peer),
// driven with a fake consensus: who answers, when they forward to the leader, what they
// refuse (the last voter, a stranger, a leader that cannot hand over), and what they audit.
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { trusted } from '../../../src/node/access/policy.js'
import { MeshError } from '../../../src/node/errors.js'
import type { AdminContext, RaftStatusView } from '../../../src/node/services/admin-commands.js'
import { dispatch } from '../../../src/node/services/admin.js'
import type { AdminRequest, AdminResponse } from '../../../src/wire/proto/admin.js'

const id = async (): Promise<string> => peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
const [A, B, C, L] = [await id(), await id(), await id(), await id()]
const ok = (r: Partial<AdminResponse>): AdminResponse => ({ code: '', error: '', leader: '', ...r })

interface Fake {
  ctx: AdminContext
  removed: string[]
  forwards: Array<{ to: string, via: string, req: AdminRequest }>
  audited: Array<{ action: string, target: string, who: string }>
  transfers: number
}

function fake (opts: {
  self?: string
  status?: RaftStatusView | null
  forward?: (to: string, via: string, req: AdminRequest) => Promise<AdminResponse>
  forwarded?: boolean
  transfer?: (f: Fake) => boolean
  peers?: Array<{ peerId: string, name: string, state: string }>
  remove?: (peerId: string) => Promise<{ index: number, conf: { voters: string[], learners: string[] } }>
} = {}): Fake {
  const f: Fake = { removed: [], forwards: [], audited: [], transfers: 0, ctx: undefined as any }
  let status = opts.status === undefined ? { leader: A, role: 'leader', term: 3, commit: 10, conf: { voters: [A, B, C], learners: [L] }, progress: new Map([[A, { match: 10 }], [B, { match: 10 }], [C, { match: 7 }], [L, { match: 9 }]]) } : opts.status
  f.ctx = {
    self: opts.self ?? A,
    consensus: {
      propose: async () => ({ ok: true }),
      control: { config: new Map(), jobs: new Map(), grants: new Map() },
      status: () => status,
      removeMember: async peerId => {
        f.removed.push(peerId)
        return await (opts.remove?.(peerId) ?? Promise.resolve({ index: 11, conf: { voters: [A, B, C].filter(v => v !== peerId), learners: [L].filter(v => v !== peerId) } }))
      },
      transferLeadership: async () => {
        f.transfers++
        const done = opts.transfer?.(f) ?? false
        if (done && status != null) status = { ...status, role: 'follower', leader: B, progress: undefined }
        return done
      }
    },
    selfName: 'node-1',
    peers: () => (opts.peers ?? [{ peerId: B, name: 'node-2', state: 'alive' }, { peerId: C, name: 'node-3', state: 'dead' }]).map(p => ({ ...p, addrs: ['/ip4/127.0.0.1/tcp/1'], lastSeenMs: 5 })),
    engine: () => undefined,
    forward: async (to, via, req) => {
      f.forwards.push({ to, via, req })
      if (opts.forward == null) throw new Error('unreachable')
      return await opts.forward(to, via, req)
    },
    forwarded: opts.forwarded ?? false,
    caller: trusted('operator-key'),
    now: () => 42,
    audit: { local: async (r: { action: string, target: string, who: string }) => { f.audited.push({ action: r.action, target: r.target, who: r.who }) } } as any
  }
  return f
}

describe('operator raft list-peers', () => {
  it('lists voters then learners with their state, the leader and each match index the leader knows', async () => {
    const res = await dispatch({ raftListPeers: {} }, fake().ctx)
    expect(res.code).toBe('')
    const r = res.raftListPeers!
    expect(r.peers.map(p => [p.peerId, p.suffrage, p.state, p.leader, p.matchIndex])).toEqual([
      ...[[A, 'voter', 'alive', true, 10], [B, 'voter', 'alive', false, 10], [C, 'voter', 'dead', false, 7]].sort((x, y) => (x[0] as string) < (y[0] as string) ? -1 : 1),
      [L, 'learner', 'unknown', false, 9]
    ])
    expect(r).toMatchObject({ leader: A, term: 3, commitIndex: 10, quorum: 2, answeredBy: A })
    expect(r.peers.find(p => p.peerId === A)!.name).toBe('node-1')
  })

  it('asks the leader from a follower, since only the leader knows the match indexes', async () => {
    const leaderView = ok({ raftListPeers: { peers: [], leader: B, term: 3, commitIndex: 10, answeredBy: B, quorum: 2 } })
    const f = fake({ status: { leader: B, role: 'follower', term: 3, commit: 10, conf: { voters: [A, B, C], learners: [] } }, forward: async () => leaderView })
    const res = await dispatch({ raftListPeers: {} }, f.ctx)
    expect(f.forwards).toEqual([{ to: B, via: 'home', req: { raftListPeers: {} } }])
    expect(res.raftListPeers!.answeredBy).toBe(B)
  })

  it('answers with its own view, without match indexes, when the leader does not answer', async () => {
    const f = fake({ status: { leader: B, role: 'follower', term: 3, commit: 10, conf: { voters: [A, B, C], learners: [] } } })
    const r = (await dispatch({ raftListPeers: {} }, f.ctx)).raftListPeers!
    expect(r.answeredBy).toBe(A)
    expect(r.peers.every(p => p.matchIndex == null)).toBe(true)
    expect(r.peers.find(p => p.peerId === B)!.leader).toBe(true)
  })
})

describe('operator raft remove-peer', () => {
  it('removes a dead voter through the leader, waits for the commit and audits who asked', async () => {
    const f = fake()
    const res = await dispatch({ raftRemovePeer: { peerId: C } }, f.ctx)
    expect(res.code, res.error).toBe('')
    expect(f.removed).toEqual([C])
    expect(res.raftRemovePeer).toEqual({ index: 11, voters: [A, B], learners: [L], leadershipTransferred: false })
    expect(f.audited).toEqual([{ action: 'raft.remove-peer', target: C, who: 'operator-key' }])
  })

  it('removes a learner', async () => {
    const f = fake()
    expect((await dispatch({ raftRemovePeer: { peerId: L } }, f.ctx)).code).toBe('')
    expect(f.removed).toEqual([L])
  })

  it('is forwarded to the leader from a follower, like every write', async () => {
    const f = fake({ status: { leader: B, role: 'follower', conf: { voters: [A, B, C], learners: [] } }, forward: async () => ok({ raftRemovePeer: { index: 12, voters: [A, B], learners: [], leadershipTransferred: false } }) })
    const res = await dispatch({ raftRemovePeer: { peerId: C } }, f.ctx)
    expect(res.code).toBe('')
    expect(f.forwards).toEqual([{ to: B, via: 'leader', req: { raftRemovePeer: { peerId: C } } }])
    expect(f.removed).toEqual([])
  })

  it('refuses without a leader, saying the quorum is lost (k of n) and what to run', async () => {
    const f = fake({ self: A, status: { leader: null, role: 'pre-candidate', conf: { voters: [A, B, C], learners: [] } }, peers: [{ peerId: B, name: 'b', state: 'dead' }, { peerId: C, name: 'c', state: 'dead' }] })
    const res = await dispatch({ raftRemovePeer: { peerId: C } }, f.ctx)
    expect(res.code).toBe('NO_QUORUM')
    expect(res.error).toContain('quorum lost (1 of 3 voters reachable, 2 needed)')
    expect(res.error).toContain('meshnode operator raft recover --force-new-cluster')
    expect(f.removed).toEqual([])
  })

  it('refuses to remove the last voter', async () => {
    const f = fake({ status: { leader: A, role: 'leader', conf: { voters: [A], learners: [] } } })
    const res = await dispatch({ raftRemovePeer: { peerId: A } }, f.ctx)
    expect(res.code).toBe('BAD_REQUEST')
    expect(res.error).toContain('is the last voter')
    expect(f.transfers).toBe(0)
    expect(f.removed).toEqual([])
  })

  it('refuses a node that is neither voter nor learner, and text that is not a peer id', async () => {
    const stranger = await id()
    const f = fake()
    expect((await dispatch({ raftRemovePeer: { peerId: stranger } }, f.ctx)).code).toBe('NOT_FOUND')
    expect((await dispatch({ raftRemovePeer: { peerId: 'node-3' } }, f.ctx)).code).toBe('BAD_REQUEST')
    expect((await dispatch({ raftRemovePeer: { peerId: '' } }, f.ctx)).code).toBe('BAD_REQUEST')
    expect(f.removed).toEqual([])
  })

  it('removes the leader itself only after handing leadership over, then asks the new leader', async () => {
    const f = fake({ transfer: () => true, forward: async () => ok({ raftRemovePeer: { index: 13, voters: [B, C], learners: [L], leadershipTransferred: false } }) })
    const res = await dispatch({ raftRemovePeer: { peerId: A } }, f.ctx)
    expect(res.code, res.error).toBe('')
    expect(f.transfers).toBe(1)
    expect(f.forwards).toEqual([{ to: B, via: 'leader', req: { raftRemovePeer: { peerId: A } } }])
    expect(res.raftRemovePeer).toMatchObject({ index: 13, leadershipTransferred: true })
    expect(f.removed).toEqual([])
  })

  it('refuses to remove the leader when no voter can take over', async () => {
    const f = fake({ transfer: () => false })
    const res = await dispatch({ raftRemovePeer: { peerId: A } }, f.ctx)
    expect(res.code).toBe('BAD_REQUEST')
    expect(res.error).toContain('could not hand leadership to another voter')
    expect(f.removed).toEqual([])
  })

  it('passes on a commit that times out as NO_QUORUM', async () => {
    const f = fake({ remove: async () => { throw new MeshError('NO_QUORUM', 'no quorum: entry 11 not committed within 5000 ms') } })
    const res = await dispatch({ raftRemovePeer: { peerId: C } }, f.ctx)
    expect(res.code).toBe('NO_QUORUM')
    expect(f.audited).toEqual([])
  })
})
