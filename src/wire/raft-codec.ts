// Maps the Raft core's messages onto the flat RaftMessage protobuf and back. Decoding is
// where untrusted bytes become core input, so it checks what protobuf cannot: a known type,
// non-empty ids, indexes that are safe integers. Anything else throws RaftDecodeError and the
// frame is dropped and counted by the transport.
import type {
  ConfLink, Entry, Message, QuorumCertificate, Snapshot, TransferProof, VoteKind as CoreVoteKind
} from '../consensus/types.js'
import { MAX_CONF_CHAIN } from '../consensus/validate.js'
import { MAX_RAFT_ENTRIES_PER_MESSAGE, MAX_RAFT_FRAME_BYTES } from './constants.js'
import {
  Certificate, type ConfLink as PbConfLink, type Entry as PbEntry, MessageType, RaftMessage, type Snapshot as PbSnapshot,
  type TransferProof as PbTransferProof, VoteKind
} from './proto/raft.js'

export class RaftDecodeError extends Error {
  override name = 'RaftDecodeError'
}

const TYPE_TO_WIRE: Record<Message['type'], MessageType> = {
  append: MessageType.APPEND,
  appendResp: MessageType.APPEND_RESP,
  heartbeat: MessageType.HEARTBEAT,
  heartbeatResp: MessageType.HEARTBEAT_RESP,
  snapshot: MessageType.SNAPSHOT,
  vote: MessageType.VOTE,
  prevote: MessageType.PREVOTE,
  voteResp: MessageType.VOTE_RESP,
  prevoteResp: MessageType.PREVOTE_RESP,
  timeoutNow: MessageType.TIMEOUT_NOW
}
const TYPE_FROM_WIRE = new Map(Object.entries(TYPE_TO_WIRE).map(([k, v]) => [v, k as Message['type']]))

const KIND_TO_WIRE: Record<CoreVoteKind, VoteKind> = { prevote: VoteKind.PREVOTE, vote: VoteKind.VOTE, ack: VoteKind.ACK, transfer: VoteKind.TRANSFER }
const KIND_FROM_WIRE = new Map(Object.entries(KIND_TO_WIRE).map(([k, v]) => [v, k as CoreVoteKind]))

export function encodeRaftMessage (m: Message): Uint8Array {
  return RaftMessage.encode(toWire(m))
}

export function decodeRaftMessage (bytes: Uint8Array): Message {
  let pb: RaftMessage
  try {
    pb = RaftMessage.decode(bytes, { limits: { entries: MAX_RAFT_ENTRIES_PER_MESSAGE, chain: MAX_CONF_CHAIN } })
  } catch (err) {
    throw new RaftDecodeError(`undecodable raft frame: ${(err as Error).message}`)
  }
  return fromWire(pb)
}

export function toWire (m: Message): RaftMessage {
  const pb: RaftMessage = {
    type: TYPE_TO_WIRE[m.type],
    from: m.from,
    to: m.to,
    term: m.term,
    prevIndex: 0,
    prevTerm: 0,
    entries: [],
    commit: 0,
    index: 0,
    reject: false,
    rejectHint: 0,
    hintTerm: 0,
    certRequired: false,
    lastLogIndex: 0,
    lastLogTerm: 0,
    transfer: false,
    chain: [],
    quiet: false
  }
  switch (m.type) {
    case 'append':
      Object.assign(pb, { prevIndex: m.prevIndex, prevTerm: m.prevTerm, entries: m.entries.map(entryToWire), commit: m.commit, certificate: certToWire(m.certificate), chain: chainToWire(m.chain) })
      break
    case 'appendResp':
      Object.assign(pb, { index: m.index, reject: m.reject, rejectHint: m.rejectHint, hintTerm: m.hintTerm, certRequired: m.certRequired === true, confIndex: m.confIndex })
      break
    case 'heartbeat':
      Object.assign(pb, { commit: m.commit, certificate: certToWire(m.certificate), chain: chainToWire(m.chain), ackRequest: m.ackRequest, quiet: m.quiet === true })
      break
    case 'heartbeatResp':
      Object.assign(pb, { certRequired: m.certRequired === true, confIndex: m.confIndex, ack: m.ack })
      break
    case 'snapshot':
      Object.assign(pb, { snapshot: snapshotToWire(m.snapshot), certificate: certToWire(m.certificate), chain: chainToWire(m.chain) })
      break
    case 'vote':
    case 'prevote':
      Object.assign(pb, { lastLogIndex: m.lastLogIndex, lastLogTerm: m.lastLogTerm, transfer: m.transfer, transferProof: m.transferProof })
      break
    case 'voteResp':
    case 'prevoteResp':
      Object.assign(pb, { reject: m.reject, lastLogIndex: m.lastLogIndex, lastLogTerm: m.lastLogTerm, signature: m.signature })
      break
    case 'timeoutNow':
      Object.assign(pb, { transferProof: m.transferProof })
      break
  }
  return pb
}

export function fromWire (pb: RaftMessage): Message {
  const type = TYPE_FROM_WIRE.get(pb.type)
  if (type == null) throw new RaftDecodeError(`unknown raft message type ${String(pb.type)}`)
  if (pb.from === '' || pb.to === '') throw new RaftDecodeError('raft message without from/to')
  const base = { from: pb.from, to: pb.to, term: num(pb.term, 'term') }
  switch (type) {
    case 'append':
      return { ...base, type, prevIndex: num(pb.prevIndex, 'prevIndex'), prevTerm: num(pb.prevTerm, 'prevTerm'), entries: pb.entries.map(entryFromWire), commit: num(pb.commit, 'commit'), ...optCert(pb.certificate), ...optChain(pb.chain) }
    case 'appendResp':
      return { ...base, type, index: num(pb.index, 'index'), reject: pb.reject, rejectHint: num(pb.rejectHint, 'rejectHint'), hintTerm: num(pb.hintTerm, 'hintTerm'), ...(pb.certRequired ? { certRequired: true } : {}), ...optConfIndex(pb.confIndex) }
    case 'heartbeat':
      return { ...base, type, commit: num(pb.commit, 'commit'), ...optCert(pb.certificate), ...optChain(pb.chain), ...(pb.ackRequest != null ? { ackRequest: { index: num(pb.ackRequest.index, 'ack index'), term: num(pb.ackRequest.term, 'ack term') } } : {}), ...(pb.quiet ? { quiet: true } : {}) }
    case 'heartbeatResp':
      return { ...base, type, ...(pb.certRequired ? { certRequired: true } : {}), ...optConfIndex(pb.confIndex), ...(pb.ack != null ? { ack: { index: num(pb.ack.index, 'ack index'), term: num(pb.ack.term, 'ack term'), signature: pb.ack.signature } } : {}) }
    case 'snapshot':
      if (pb.snapshot == null) throw new RaftDecodeError('snapshot message without a snapshot')
      return { ...base, type, snapshot: snapshotFromWire(pb.snapshot), ...optCert(pb.certificate), ...optChain(pb.chain) }
    case 'vote':
    case 'prevote':
      return { ...base, type, lastLogIndex: num(pb.lastLogIndex, 'lastLogIndex'), lastLogTerm: num(pb.lastLogTerm, 'lastLogTerm'), transfer: pb.transfer, ...optTransferProof(pb.transferProof) }
    case 'voteResp':
    case 'prevoteResp':
      return { ...base, type, reject: pb.reject, lastLogIndex: num(pb.lastLogIndex, 'lastLogIndex'), lastLogTerm: num(pb.lastLogTerm, 'lastLogTerm'), ...(pb.signature != null ? { signature: pb.signature } : {}) }
    case 'timeoutNow':
      return { ...base, type, ...optTransferProof(pb.transferProof) }
  }
}

function num (v: number, field: string): number {
  if (!Number.isSafeInteger(v) || v < 0) throw new RaftDecodeError(`raft field ${field} out of range: ${v}`)
  return v
}

export function entryToWire (e: Entry): PbEntry {
  return { index: e.index, term: e.term, conf: e.type === 'conf', data: e.data, ...(e.link === undefined ? {} : { link: linkToWire(e.link) }) }
}

export function entryFromWire (e: PbEntry): Entry {
  return {
    index: num(e.index, 'entry index'),
    term: num(e.term, 'entry term'),
    type: e.conf ? 'conf' : 'normal',
    data: e.data,
    ...(e.link == null ? {} : { link: linkFromWire(e.link) })
  }
}

export function snapshotToWire (s: Snapshot): PbSnapshot {
  return {
    index: s.metadata.index,
    term: s.metadata.term,
    confState: { voters: [...s.metadata.confState.voters], learners: [...s.metadata.confState.learners] },
    data: s.data,
    chain: chainToWire(s.metadata.chain)
  }
}

export function snapshotFromWire (s: PbSnapshot): Snapshot {
  return {
    metadata: {
      index: num(s.index, 'snapshot index'),
      term: num(s.term, 'snapshot term'),
      confState: { voters: s.confState?.voters ?? [], learners: s.confState?.learners ?? [] },
      ...optChain(s.chain)
    },
    data: s.data
  }
}

function linkToWire (l: ConfLink): PbConfLink {
  return { index: l.index, term: l.term, voters: [...l.voters], certificate: certToWire(l.certificate), signature: l.signature }
}

function linkFromWire (l: PbConfLink): ConfLink {
  const { certificate } = optCert(l.certificate)
  if (certificate == null) throw new RaftDecodeError('configuration link without a certificate')
  return { index: num(l.index, 'link index'), term: num(l.term, 'link term'), voters: l.voters, certificate, signature: l.signature }
}

function chainToWire (c: readonly ConfLink[] | undefined): PbConfLink[] {
  return c == null ? [] : c.map(linkToWire)
}

function optChain (c: PbConfLink[]): { chain?: ConfLink[] } {
  return c.length === 0 ? {} : { chain: c.map(linkFromWire) }
}

function optConfIndex (n: number | undefined): { confIndex?: number } {
  return n == null ? {} : { confIndex: num(n, 'confIndex') }
}

function optTransferProof (p: PbTransferProof | undefined): { transferProof?: TransferProof } {
  if (p == null) return {}
  return {
    transferProof: {
      term: num(p.term, 'transfer term'),
      lastLogIndex: num(p.lastLogIndex, 'transfer lastLogIndex'),
      lastLogTerm: num(p.lastLogTerm, 'transfer lastLogTerm'),
      signature: p.signature
    }
  }
}

function certToWire (c: QuorumCertificate | undefined): Certificate | undefined {
  if (c == null) return undefined
  return { kind: KIND_TO_WIRE[c.kind], term: c.term, candidateId: c.candidateId, lastLogIndex: c.lastLogIndex, lastLogTerm: c.lastLogTerm, voters: [...c.voters], votes: c.votes.map(v => ({ voterId: v.voterId, signature: v.signature })) }
}

function optCert (c: Certificate | undefined): { certificate?: QuorumCertificate } {
  if (c == null) return {}
  const kind = KIND_FROM_WIRE.get(c.kind)
  if (kind == null) throw new RaftDecodeError(`unknown vote kind ${String(c.kind)}`)
  return {
    certificate: {
      kind,
      term: num(c.term, 'certificate term'),
      candidateId: c.candidateId,
      lastLogIndex: num(c.lastLogIndex, 'certificate lastLogIndex'),
      lastLogTerm: num(c.lastLogTerm, 'certificate lastLogTerm'),
      voters: c.voters,
      votes: c.votes.map(v => ({ voterId: v.voterId, signature: v.signature }))
    }
  }
}

export { MAX_RAFT_FRAME_BYTES }
