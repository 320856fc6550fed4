import { describe, expect, it } from 'vitest'
import type { ConfLink, Message, QuorumCertificate, TransferProof } from '../../../src/consensus/types.js'
import { decodeRaftMessage, encodeRaftMessage, RaftDecodeError } from '../../../src/wire/raft-codec.js'
import { MessageType, RaftMessage } from '../../../src/wire/proto/raft.js'

const sig = Uint8Array.from({ length: 64 }, (_, i) => i)
const cert: QuorumCertificate = {
  kind: 'vote', term: 7, candidateId: 'a', lastLogIndex: 10, lastLogTerm: 6, voters: ['a', 'b', 'c'],
  votes: [{ voterId: 'a', signature: sig }, { voterId: 'b', signature: sig }]
}
const base = { from: 'a', to: 'b', term: 7 }
const link: ConfLink = { index: 11, term: 7, voters: ['a', 'b', 'd'], certificate: cert, signature: sig }
const proof: TransferProof = { term: 6, lastLogIndex: 10, lastLogTerm: 6, signature: sig }

const samples: Message[] = [
  { ...base, type: 'append', prevIndex: 9, prevTerm: 6, entries: [{ index: 10, term: 7, type: 'normal', data: Uint8Array.from([1, 2]) }, { index: 11, term: 7, type: 'conf', data: Uint8Array.from([3]) }], commit: 9, certificate: cert },
  { ...base, type: 'append', prevIndex: 0, prevTerm: 0, entries: [], commit: 0 },
  { ...base, type: 'appendResp', index: 11, reject: true, rejectHint: 5, hintTerm: 3, certRequired: true },
  { ...base, type: 'heartbeat', commit: 4, certificate: { ...cert, kind: 'ack' }, ackRequest: { index: 3, term: 7 } },
  { ...base, type: 'heartbeatResp', ack: { index: 3, term: 7, signature: sig } },
  { ...base, type: 'snapshot', snapshot: { metadata: { index: 100, term: 6, confState: { voters: ['a', 'b'], learners: ['c'] } }, data: Uint8Array.from([9]) } },
  { ...base, type: 'vote', lastLogIndex: 10, lastLogTerm: 6, transfer: true },
  { ...base, type: 'prevote', lastLogIndex: 10, lastLogTerm: 6, transfer: false },
  { ...base, type: 'voteResp', reject: false, lastLogIndex: 10, lastLogTerm: 6, signature: sig },
  { ...base, type: 'prevoteResp', reject: true, lastLogIndex: 10, lastLogTerm: 6 },
  { ...base, type: 'timeoutNow' },
  { ...base, type: 'timeoutNow', transferProof: proof },
  { ...base, type: 'vote', lastLogIndex: 10, lastLogTerm: 6, transfer: true, transferProof: proof },
  { ...base, type: 'append', prevIndex: 10, prevTerm: 6, entries: [{ index: 11, term: 7, type: 'conf', data: Uint8Array.from([1, 3, 100]), link }], commit: 10, certificate: cert, chain: [link, { ...link, index: 12 }] },
  { ...base, type: 'heartbeat', commit: 4, certificate: cert, chain: [link] },
  { ...base, type: 'heartbeat', commit: 4, quiet: true },
  { ...base, type: 'appendResp', index: 0, reject: true, rejectHint: 0, hintTerm: 0, certRequired: true, confIndex: 5 },
  { ...base, type: 'heartbeatResp', certRequired: true, confIndex: 0 },
  { ...base, type: 'snapshot', snapshot: { metadata: { index: 100, term: 6, confState: { voters: ['a', 'b'], learners: [] }, chain: [link] }, data: Uint8Array.from([9]) }, chain: [link] }
]

describe('raft wire codec', () => {
  for (const m of samples) {
    it(`round-trips a ${m.type} message`, () => {
      expect(decodeRaftMessage(encodeRaftMessage(m))).toEqual(m)
    })
  }

  it('rejects bytes that are not a raft frame', () => {
    expect(() => decodeRaftMessage(Uint8Array.from([0xff, 0xff, 0xff]))).toThrow(RaftDecodeError)
  })

  it('rejects a frame without sender or recipient', () => {
    const bytes = RaftMessage.encode({ ...RaftMessage.decode(encodeRaftMessage(samples[6]!)), from: '' })
    expect(() => decodeRaftMessage(bytes)).toThrow(/without from\/to/)
  })

  it('rejects a frame carrying more configuration links than a chain may hold', () => {
    const long: Message = { ...base, type: 'heartbeat', commit: 0, chain: Array.from({ length: 17 }, (_, i) => ({ ...link, index: i + 1 })) }
    expect(() => decodeRaftMessage(encodeRaftMessage(long))).toThrow(RaftDecodeError)
  })

  it('rejects a snapshot message with no snapshot', () => {
    const bytes = RaftMessage.encode({ ...RaftMessage.decode(encodeRaftMessage(samples[6]!)), type: MessageType.SNAPSHOT })
    expect(() => decodeRaftMessage(bytes)).toThrow(/without a snapshot/)
  })
})
