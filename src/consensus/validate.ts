// Structural checks on messages from peers, before the core acts on them. The wire layer
// already enforces types and sizes; these checks cover what a schema cannot say (entries
// contiguous after prevIndex, terms never ahead of the message's term, ...), so that no
// peer can drive the core into an impossible state or an exception.

import type { ConfLink, ConfState, Entry, Message, NodeId, QuorumCertificate, Snapshot, TransferProof } from './types.js'

/**
 * The most configuration links a message or snapshot carries: a node that missed more voter
 * changes than this (while its leader compacted them away) must be removed and added again.
 */
export const MAX_CONF_CHAIN = 16

function isCount (n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0
}

function isId (s: unknown): s is NodeId {
  return typeof s === 'string' && s.length > 0
}

function isBytes (b: unknown): b is Uint8Array {
  return b instanceof Uint8Array
}

function isIdList (a: unknown): a is NodeId[] {
  return Array.isArray(a) && a.every(isId)
}

function isConfState (c: unknown): c is ConfState {
  if (typeof c !== 'object' || c === null) return false
  const conf = c as ConfState
  return isIdList(conf.voters) && isIdList(conf.learners)
}

function isCertificate (c: unknown): c is QuorumCertificate {
  if (typeof c !== 'object' || c === null) return false
  const cert = c as QuorumCertificate
  return typeof cert.kind === 'string' && isCount(cert.term) && isId(cert.candidateId) &&
    isCount(cert.lastLogIndex) && isCount(cert.lastLogTerm) && isIdList(cert.voters) &&
    Array.isArray(cert.votes) &&
    cert.votes.every((v) => typeof v === 'object' && v !== null && isId(v.voterId) && isBytes(v.signature))
}

function optionalCertificate (c: unknown): boolean {
  return c === undefined || isCertificate(c)
}

function isLink (l: unknown): l is ConfLink {
  if (typeof l !== 'object' || l === null) return false
  const link = l as ConfLink
  return isCount(link.index) && link.index > 0 && isCount(link.term) && isIdList(link.voters) &&
    isCertificate(link.certificate) && isBytes(link.signature)
}

function optionalChain (c: unknown): boolean {
  return c === undefined || (Array.isArray(c) && c.length <= MAX_CONF_CHAIN && c.every(isLink))
}

function optionalTransferProof (p: unknown): boolean {
  if (p === undefined) return true
  if (typeof p !== 'object' || p === null) return false
  const proof = p as TransferProof
  return isCount(proof.term) && isCount(proof.lastLogIndex) && isCount(proof.lastLogTerm) && isBytes(proof.signature)
}

function optionalCount (n: unknown): boolean {
  return n === undefined || isCount(n)
}

/** Entries must follow prevIndex without gaps, with terms in [prevTerm, term] never decreasing. */
function entriesFit (entries: unknown, prevIndex: number, prevTerm: number, term: number): boolean {
  if (!Array.isArray(entries)) return false
  let lastTerm = prevTerm
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i] as Entry
    if (typeof e !== 'object' || e === null) return false
    if (e.index !== prevIndex + 1 + i || !isCount(e.term)) return false
    if (e.term < lastTerm || e.term > term) return false
    if (e.type !== 'normal' && e.type !== 'conf') return false
    if (!isBytes(e.data)) return false
    if (e.link !== undefined && (e.type !== 'conf' || !isLink(e.link))) return false
    lastTerm = e.term
  }
  return Number.isSafeInteger(prevIndex + entries.length)
}

function isSnapshot (s: unknown, term: number): s is Snapshot {
  if (typeof s !== 'object' || s === null) return false
  const snap = s as Snapshot
  const md = snap.metadata
  return typeof md === 'object' && md !== null && isCount(md.index) && md.index > 0 &&
    isCount(md.term) && md.term > 0 && md.term <= term && isConfState(md.confState) && isBytes(snap.data) &&
    optionalChain(md.chain)
}

/** True if `m` is a structurally sound message for `self` from another node. */
export function isWellFormedMessage (m: Message, self: NodeId): boolean {
  if (typeof m !== 'object' || m === null) return false
  if (!isId(m.from) || m.to !== self || m.from === self || !isCount(m.term)) return false
  switch (m.type) {
    case 'append':
      return isCount(m.prevIndex) && isCount(m.prevTerm) && m.prevTerm <= m.term && isCount(m.commit) &&
        entriesFit(m.entries, m.prevIndex, m.prevTerm, m.term) && optionalCertificate(m.certificate) &&
        optionalChain(m.chain)
    case 'appendResp':
      return typeof m.reject === 'boolean' && isCount(m.index) && isCount(m.rejectHint) && isCount(m.hintTerm) &&
        (m.certRequired === undefined || typeof m.certRequired === 'boolean') && optionalCount(m.confIndex)
    case 'heartbeat':
      return isCount(m.commit) && optionalCertificate(m.certificate) && optionalChain(m.chain) &&
        (m.ackRequest === undefined || (isCount(m.ackRequest.index) && isCount(m.ackRequest.term))) &&
        (m.quiet === undefined || typeof m.quiet === 'boolean')
    case 'heartbeatResp':
      return (m.certRequired === undefined || typeof m.certRequired === 'boolean') && optionalCount(m.confIndex) &&
        (m.ack === undefined || (isCount(m.ack.index) && isCount(m.ack.term) && isBytes(m.ack.signature)))
    case 'snapshot':
      return isSnapshot(m.snapshot, m.term) && optionalCertificate(m.certificate) && optionalChain(m.chain)
    case 'vote':
    case 'prevote':
      return m.term > 0 && isCount(m.lastLogIndex) && isCount(m.lastLogTerm) && m.lastLogTerm < m.term &&
        typeof m.transfer === 'boolean' && optionalTransferProof(m.transferProof)
    case 'voteResp':
    case 'prevoteResp':
      return typeof m.reject === 'boolean' && isCount(m.lastLogIndex) && isCount(m.lastLogTerm) &&
        (m.signature === undefined || isBytes(m.signature))
    case 'timeoutNow':
      return optionalTransferProof(m.transferProof)
    default:
      return false
  }
}
