// `meshnode members` and `operator raft list-peers`, as text and JSON: every node with its
// Raft standing (voter, learner, none), members never heard from included.
import { describe, expect, it } from 'vitest'
import { statusToJson } from '../../../src/node/client/status-json.js'
import { formatMembers, formatRaftPeers, membersOf, raftPeersJson } from '../../../src/node/cli/raft.js'
import type { StatusResponse } from '../../../src/wire/proto/status.js'

const peer = (peerId: string, name: string, state: string): StatusResponse['peers'][number] => ({ peerId, name, state, lastSeenMs: 1500n, addrs: [`/ip4/127.0.0.1/tcp/${name.length}`], version: '0.1.0', load: 0, capabilities: [], role: '', term: 2n, incarnation: 1n, connected: true, draining: name === 'd' })

const status = statusToJson({
  peerId: 'A', name: 'a', version: '0.1.0', addrs: ['/ip4/127.0.0.1/tcp/1'], uptimeMs: 1n, role: 'leader', term: 2n, leader: 'A',
  commitIndex: 9n, appliedIndex: 9n, voters: ['A', 'B', 'Z'], learners: ['C'], formation: 'member', rssBytes: 0n, heapUsedBytes: 0n,
  mesh: 'm', security: 'loopback-only', incarnation: 1n, load: 0, capabilities: [],
  peers: [peer('B', 'b', 'alive'), peer('C', 'c', 'dead'), peer('D', 'd', 'alive')],
  counters: [], dead: [], quorum: 'contact', draining: false, http: '', circuits: []
})

describe('meshnode members', () => {
  it('lists this node first, then every peer with voter, learner or none, and voters never heard from', () => {
    const rows = membersOf(status)
    expect(rows.map(r => [r.peerId, r.state, r.suffrage, r.leader, r.self])).toEqual([
      ['A', 'alive', 'voter', true, true],
      ['B', 'alive', 'voter', false, false],
      ['C', 'dead', 'learner', false, false],
      ['D', 'alive', 'none', false, false],
      ['Z', 'unknown', 'voter', false, false]
    ])
    expect(rows[1]).toMatchObject({ name: 'b', addrs: ['/ip4/127.0.0.1/tcp/1'], lastSeenMs: 1500 })
    const text = formatMembers(rows)
    expect(text).toMatch(/a \(this node\)\s+alive\s+voter \(leader\)\s+-/)
    expect(text).toMatch(/d\s+alive \(draining\)\s+none\s+1\.5s/)
    expect(text).toMatch(/\?\s+unknown\s+voter\s+never/)
  })
})

describe('meshnode operator raft list-peers', () => {
  const peers = {
    leader: 'A', term: 2, commitIndex: 9, answeredBy: 'A', quorum: 2,
    peers: [
      { peerId: 'A', name: 'a', suffrage: 'voter', state: 'alive', leader: true, matchIndex: 9, addrs: [], lastSeenMs: 0 },
      { peerId: 'B', name: 'b', suffrage: 'voter', state: 'dead', leader: false, matchIndex: 4, addrs: [], lastSeenMs: 9000 },
      { peerId: 'C', name: '', suffrage: 'learner', state: 'unknown', leader: false, addrs: [], lastSeenMs: 0 }
    ]
  }

  it('prints who leads, each match index and how many voters a quorum needs', () => {
    const text = formatRaftPeers(peers)
    expect(text).toMatch(/a\s+A\s+voter\s+alive\s+yes\s+9/)
    expect(text).toMatch(/\?\s+C\s+learner\s+unknown\s+-/)
    expect(text).toContain('term 2, commit 9; 2 voters, 2 needed for a quorum, 1 alive')
  })

  it('says the quorum is lost when there is no leader and too few voters are alive', () => {
    const lost = { ...peers, leader: '', peers: peers.peers.map(p => ({ ...p, leader: false, matchIndex: undefined, state: p.peerId === 'A' ? 'alive' : 'dead' })) }
    expect(formatRaftPeers(lost)).toContain('NO LEADER — quorum lost (1 of 2 voters alive): see meshnode status')
  })

  it('has a stable JSON form, with null for a match index nobody knows', () => {
    const json = raftPeersJson(peers) as { leader: string, peers: Array<{ matchIndex: number | null }> }
    expect(json.leader).toBe('A')
    expect(json.peers.map(p => p.matchIndex)).toEqual([9, 4, null])
    expect(raftPeersJson({ ...peers, leader: '' }).leader).toBeNull()
  })
})
