import Ajv from 'ajv'
import { describe, expect, it } from 'vitest'
import schema from '../../../src/node/client/status-schema.json' with { type: 'json' }
import { formatStatus, statusToJson } from '../../../src/node/client/status-json.js'
import { StatusResponse } from '../../../src/wire/proto/status.js'

const response: StatusResponse = {
  peerId: '12D3KooWA',
  name: 'a',
  version: '0.1.0',
  addrs: ['/ip4/127.0.0.1/tcp/1'],
  uptimeMs: 1234n,
  role: 'none',
  term: 0n,
  leader: '',
  commitIndex: 3n,
  appliedIndex: 2n,
  voters: ['12D3KooWA'],
  learners: [],
  formation: 'member',
  rssBytes: 90_000_000n,
  heapUsedBytes: 20_000_000n,
  mesh: 'default',
  security: 'loopback-only',
  incarnation: 2n,
  load: 0,
  capabilities: [],
  peers: [{ peerId: '12D3KooWB', name: 'b', state: 'dead', lastSeenMs: 800n, addrs: [], version: '0.1.0', load: 0, capabilities: [], role: 'none', term: 0n, incarnation: 1n, connected: false, draining: false }],
  counters: [{ name: 'gossip_rejected_total', value: 3n }],
  dead: [{ peerId: '12D3KooWB', incarnation: 1n, reason: '2 of 3 voters hold it dead', index: 7n }],
  quorum: 'contact',
  quorumLastContactMs: 12n,
  draining: true,
  http: '127.0.0.1:7421',
  circuits: [{ kind: 'peer', target: '12D3KooWB', state: 'open', failures: 5, sinceMs: 1_700_000_000_000n, retryAtMs: 1_700_000_030_000n, reason: '5 consecutive failures, the last: boom' }]
}

describe('status JSON', () => {
  it('survives the protobuf round trip and matches the published schema', () => {
    const json = statusToJson(StatusResponse.decode(StatusResponse.encode(response)))
    const validate = new Ajv.default({ allErrors: true }).compile(schema)
    expect(validate(json), JSON.stringify(validate.errors)).toBe(true)
    expect(json.leader).toBeNull()
    expect(json.peers[0]).toMatchObject({ peerId: '12D3KooWB', state: 'dead', lastSeenMs: 800 })
    expect(json.counters).toEqual({ gossip_rejected_total: 3 })
    expect(json.draining).toBe(true)
    expect(json.peers[0]!.draining).toBe(false)
    expect(json.dead).toEqual([{ peerId: '12D3KooWB', incarnation: 1, reason: '2 of 3 voters hold it dead', index: 7 }])
    expect(json.quorum).toEqual({ contact: true, lastContactMs: 12, reachableVoters: 1, voters: 1, needed: 1 })
    expect(json.http).toBe('http://127.0.0.1:7421/')
    expect(statusToJson({ ...response, http: '' }).http).toBeNull()
  })

  it('shows a node without quorum contact, and one that never had it, in JSON and in the summary', () => {
    const validate = new Ajv.default({ allErrors: true }).compile(schema)
    const lost = statusToJson(StatusResponse.decode(StatusResponse.encode({ ...response, quorum: 'lost', quorumLastContactMs: 3_200n })))
    expect(validate(lost), JSON.stringify(validate.errors)).toBe(true)
    expect(lost.quorum).toEqual({ contact: false, lastContactMs: 3_200, reachableVoters: 1, voters: 1, needed: 1 })
    expect(formatStatus(lost)).toContain('quorum: lost (no leader heard for 3.2s): refusing submits, not stealing; running the work it holds')
    const never = statusToJson(StatusResponse.decode(StatusResponse.encode({ ...response, quorum: 'lost', quorumLastContactMs: undefined })))
    expect(validate(never), JSON.stringify(validate.errors)).toBe(true)
    expect(never.quorum).toEqual({ contact: false, lastContactMs: null, reachableVoters: 1, voters: 1, needed: 1 })
    expect(formatStatus(never)).toContain('quorum: lost (no leader heard since start)')
    expect(formatStatus(statusToJson(response))).toContain('quorum: ok')
  })

  it('reads a node older than fencing (no quorum field) as in contact: such nodes never fence', () => {
    const { quorum, quorumLastContactMs, ...old } = response
    expect(statusToJson(StatusResponse.decode(StatusResponse.encode({ ...old, quorum: '' }))).quorum).toMatchObject({ contact: true, lastContactMs: null })
  })

  it('says "quorum lost (k of n voters reachable)" with the recovery command when a majority of voters is out of reach', () => {
    const validate = new Ajv.default({ allErrors: true }).compile(schema)
    const peer = (peerId: string, state: string): StatusResponse['peers'][number] => ({ ...response.peers[0]!, peerId, name: peerId, state })
    const lost = statusToJson(StatusResponse.decode(StatusResponse.encode({
      ...response,
      quorum: 'lost',
      quorumLastContactMs: 4_000n,
      voters: ['12D3KooWA', '12D3KooWB', '12D3KooWC'],
      peers: [peer('12D3KooWB', 'dead'), peer('12D3KooWC', 'suspect')]
    })))
    expect(validate(lost), JSON.stringify(validate.errors)).toBe(true)
    expect(lost.quorum).toEqual({ contact: false, lastContactMs: 4_000, reachableVoters: 1, voters: 3, needed: 2 })
    const text = formatStatus(lost, '/var/lib/meshnode')
    expect(text).toContain('quorum: quorum lost (1 of 3 voters reachable, 2 needed; no leader heard for 4.0s)')
    expect(text).toContain('Start the missing voters again')
    expect(text).toContain('meshnode operator raft recover --force-new-cluster --data-dir /var/lib/meshnode --yes-i-know')
    // Without a data dir (asked with --peer) the command names a placeholder.
    expect(formatStatus(lost)).toContain('--data-dir DIR')
  })

  it('keeps the plain "lost" wording while a majority of voters is reachable (an election under way)', () => {
    const peer = (peerId: string, state: string): StatusResponse['peers'][number] => ({ ...response.peers[0]!, peerId, name: peerId, state })
    const electing = statusToJson({ ...response, quorum: 'lost', quorumLastContactMs: 500n, voters: ['12D3KooWA', '12D3KooWB', '12D3KooWC'], peers: [peer('12D3KooWB', 'alive'), peer('12D3KooWC', 'dead')] })
    expect(electing.quorum).toMatchObject({ reachableVoters: 2, voters: 3, needed: 2 })
    expect(formatStatus(electing)).toContain('quorum: lost (no leader heard for 500ms)')
    expect(formatStatus(electing)).not.toContain('quorum lost (')
  })

  it('prints a readable summary with every peer and rejected input', () => {
    const text = formatStatus(statusToJson(response))
    expect(text).toContain('peers: 0 alive, 0 suspect, 1 dead, 0 left')
    expect(text).toMatch(/b\s+dead/)
    expect(text).toContain('gossip_rejected_total=3')
  })

  it('lists the circuit breakers the node holds, in JSON and in the summary', () => {
    const json = statusToJson(StatusResponse.decode(StatusResponse.encode({
      ...response,
      circuits: [
        { kind: 'peer', target: '12D3KooWB', state: 'open', failures: 5, sinceMs: 1_000n, retryAtMs: 31_000n, reason: '5 consecutive failures, the last: boom' },
        { kind: 'handler', target: 'resize', state: 'half-open', failures: 0, sinceMs: 2_000n, retryAtMs: 0n, reason: 'cool-down of 30000 ms over: one probe goes through' }
      ]
    })))
    expect(json.circuits).toEqual([
      { kind: 'peer', target: '12D3KooWB', state: 'open', failures: 5, since: 1_000, retryAt: 31_000, reason: '5 consecutive failures, the last: boom' },
      { kind: 'handler', target: 'resize', state: 'half-open', failures: 0, since: 2_000, retryAt: null, reason: 'cool-down of 30000 ms over: one probe goes through' }
    ])
    const text = formatStatus(json)
    expect(text).toMatch(/circuit breakers:\n\s+peer b \(…3KooWB\): OPEN \(5 consecutive failures, probe in 0ms\) — 5 consecutive failures, the last: boom/)
    expect(text).toContain('handler resize: HALF-OPEN — cool-down of 30000 ms over')
  })
})
