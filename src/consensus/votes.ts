// Signed votes and quorum certificates. A vote is a signature over a canonical byte string,
// so any node can check later that a majority really backed a leader in a term: a follower
// accepts a leader only with such a certificate, which stops a node from claiming leadership
// it never won. Ed25519 through node:crypto (src/ed25519.ts) is synchronous, so the core stays so.

import * as ed from '../ed25519.js'
import { majority } from './confchange.js'
import type { ConfLink, NodeId, QuorumCertificate, VoteKind } from './types.js'

/** Domain separation: a vote signature can never be mistaken for any other signed message. */
export const VOTE_DOMAIN = 'meshnode/vote/v1'

const KIND_CODES: Record<VoteKind, number> = { prevote: 1, vote: 2, ack: 3, transfer: 4 }

/** Ed25519 signatures are 64 bytes; anything else is malformed. */
export const SIGNATURE_BYTES = 64

/** Ids are written with a u16 length; libp2p PeerIds are far shorter. */
const MAX_ID_BYTES = 0xffff

/** The statement a voter signs. */
export interface VoteBody {
  readonly kind: VoteKind
  readonly term: number
  readonly candidateId: NodeId
  readonly lastLogIndex: number
  readonly lastLogTerm: number
  readonly voterId: NodeId
}

/** The node's own signing key and a way to find any member's public key. */
export interface VoteKeys {
  readonly self: { readonly id: NodeId, readonly privateKey: Uint8Array }
  /** The 32-byte Ed25519 public key of `id` (derivable from an Ed25519 PeerId), if known. */
  publicKeyOf (id: NodeId): Uint8Array | undefined
}

/**
 * A signature scheme. Production uses ed25519Scheme; the simulator may inject a cheaper one
 * because it tests the protocol, not the curve, and runs thousands of elections.
 */
export interface SignatureScheme {
  readonly name: string
  sign (message: Uint8Array, privateKey: Uint8Array): Uint8Array
  /** Never throws: malformed keys or signatures are simply invalid. */
  verify (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean
  publicKey (privateKey: Uint8Array): Uint8Array
}

export const ed25519Scheme: SignatureScheme = {
  name: 'ed25519',
  sign: ed.sign,
  verify: ed.verify,
  publicKey: ed.publicKeyOf
}

const utf8 = new TextEncoder()
const DOMAIN_BYTES = utf8.encode(VOTE_DOMAIN)

function isCount (n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0
}

/**
 * The canonical encoding, fixed layout, big-endian:
 *   "meshnode/vote/v1" (16 bytes) | kind u8 | term u64 | lastLogIndex u64 | lastLogTerm u64 |
 *   candidateId: u16 length + UTF-8 | voterId: u16 length + UTF-8
 * Lengths make the two ids unambiguous. Throws RangeError on values it cannot encode.
 */
export function encodeVote (v: VoteBody): Uint8Array {
  const kind = KIND_CODES[v.kind]
  if (kind === undefined) throw new RangeError(`unknown vote kind ${String(v.kind)}`)
  if (!isCount(v.term) || !isCount(v.lastLogIndex) || !isCount(v.lastLogTerm)) {
    throw new RangeError('vote term and log position must be non-negative safe integers')
  }
  const candidate = utf8.encode(v.candidateId)
  const voter = utf8.encode(v.voterId)
  if (candidate.length > MAX_ID_BYTES || voter.length > MAX_ID_BYTES) {
    throw new RangeError('node id too long to encode')
  }
  const out = new Uint8Array(DOMAIN_BYTES.length + 1 + 24 + 2 + candidate.length + 2 + voter.length)
  const view = new DataView(out.buffer)
  let at = 0
  out.set(DOMAIN_BYTES, at)
  at += DOMAIN_BYTES.length
  view.setUint8(at, kind)
  at += 1
  view.setBigUint64(at, BigInt(v.term))
  at += 8
  view.setBigUint64(at, BigInt(v.lastLogIndex))
  at += 8
  view.setBigUint64(at, BigInt(v.lastLogTerm))
  at += 8
  view.setUint16(at, candidate.length)
  at += 2
  out.set(candidate, at)
  at += candidate.length
  view.setUint16(at, voter.length)
  at += 2
  out.set(voter, at)
  return out
}

export function signVote (
  body: VoteBody,
  privateKey: Uint8Array,
  scheme: SignatureScheme = ed25519Scheme
): Uint8Array {
  return scheme.sign(encodeVote(body), privateKey)
}

/** False for a bad signature and for a body that cannot be encoded; never throws. */
export function verifyVote (
  body: VoteBody,
  signature: Uint8Array,
  publicKey: Uint8Array,
  scheme: SignatureScheme = ed25519Scheme
): boolean {
  let message: Uint8Array
  try {
    message = encodeVote(body)
  } catch {
    return false
  }
  return scheme.verify(signature, message, publicKey)
}

export type CertificateRejection =
  /** Fields missing, of the wrong type, or out of range. */
  | 'MALFORMED'
  /** Signed statements of a kind that does not prove leadership (e.g. pre-votes). */
  | 'WRONG_KIND'
  /** For another term than the one it is presented for (e.g. replayed from an older term). */
  | 'WRONG_TERM'
  /** For another candidate than the node presenting it. */
  | 'WRONG_CANDIDATE'
  /** The same voter listed twice (would inflate the count). */
  | 'DUPLICATE_SIGNER'
  /** A signer outside the voter set. */
  | 'NON_VOTER_SIGNER'
  /** Fewer distinct signers than a majority of the voter set. */
  | 'TOO_FEW_SIGNERS'
  /** A voter whose public key is unknown, so its signature cannot be checked. */
  | 'UNKNOWN_KEY'
  /** A signature that does not verify (forged, or over different content). */
  | 'BAD_SIGNATURE'

export type CertificateCheck =
  | { readonly ok: true }
  | {
    readonly ok: false
    readonly reason: CertificateRejection
    readonly message: string
    /** The offending signer, where there is one. */
    readonly voterId?: NodeId
  }

export interface CertificateExpectation {
  /** The term the certificate must be for. */
  readonly term?: number
  /** The node that must have been elected. */
  readonly candidateId?: NodeId
  /** Kinds that prove leadership here; default ['vote']. */
  readonly kinds?: readonly VoteKind[]
}

function reject (reason: CertificateRejection, message: string, voterId?: NodeId): CertificateCheck {
  return voterId === undefined ? { ok: false, reason, message } : { ok: false, reason, message, voterId }
}

function wellFormed (cert: QuorumCertificate): boolean {
  return typeof cert === 'object' && cert !== null &&
    typeof cert.kind === 'string' && KIND_CODES[cert.kind] !== undefined &&
    isCount(cert.term) && isCount(cert.lastLogIndex) && isCount(cert.lastLogTerm) &&
    typeof cert.candidateId === 'string' && Array.isArray(cert.votes) &&
    cert.votes.every((v) => typeof v === 'object' && v !== null &&
      typeof v.voterId === 'string' && v.signature instanceof Uint8Array)
}

/**
 * Checks that `cert` proves a majority of `voterSet` (voter id → public key, undefined when
 * unknown) signed the certificate's statement. Cheap structural checks run before any
 * signature is verified, so garbage costs no curve arithmetic.
 */
export function verifyCertificate (
  cert: QuorumCertificate,
  voterSet: ReadonlyMap<NodeId, Uint8Array | undefined>,
  expect: CertificateExpectation = {},
  scheme: SignatureScheme = ed25519Scheme
): CertificateCheck {
  if (!wellFormed(cert)) return reject('MALFORMED', 'certificate is not well formed')
  const kinds = expect.kinds ?? ['vote']
  if (!kinds.includes(cert.kind)) {
    return reject('WRONG_KIND', `certificate of ${cert.kind}s does not prove leadership`)
  }
  if (expect.term !== undefined && cert.term !== expect.term) {
    return reject('WRONG_TERM', `certificate is for term ${cert.term}, expected ${expect.term}`)
  }
  if (expect.candidateId !== undefined && cert.candidateId !== expect.candidateId) {
    return reject('WRONG_CANDIDATE', `certificate elects ${cert.candidateId}, not ${expect.candidateId}`)
  }
  const seen = new Set<NodeId>()
  for (const v of cert.votes) {
    if (seen.has(v.voterId)) return reject('DUPLICATE_SIGNER', `${v.voterId} signed twice`, v.voterId)
    seen.add(v.voterId)
    if (!voterSet.has(v.voterId)) return reject('NON_VOTER_SIGNER', `${v.voterId} is not a voter`, v.voterId)
  }
  const needed = majority(voterSet.size)
  if (seen.size < needed) {
    return reject('TOO_FEW_SIGNERS', `${seen.size} signers, a majority of ${voterSet.size} voters needs ${needed}`)
  }
  for (const v of cert.votes) {
    const key = voterSet.get(v.voterId)
    if (key === undefined) return reject('UNKNOWN_KEY', `no public key for ${v.voterId}`, v.voterId)
    const body: VoteBody = {
      kind: cert.kind,
      term: cert.term,
      candidateId: cert.candidateId,
      lastLogIndex: cert.lastLogIndex,
      lastLogTerm: cert.lastLogTerm,
      voterId: v.voterId
    }
    if (!verifyVote(body, v.signature, key, scheme)) {
      return reject('BAD_SIGNATURE', `signature of ${v.voterId} does not verify`, v.voterId)
    }
  }
  return { ok: true }
}

/** Domain separation for configuration links: never confusable with a vote. */
export const CONF_LINK_DOMAIN = 'meshnode/conflink/v1'
const CONF_LINK_DOMAIN_BYTES = utf8.encode(CONF_LINK_DOMAIN)

/** Voter sets are small (a voter cap of a handful); this bound only stops absurd input. */
export const MAX_LINK_VOTERS = 255

/** The statement a leader signs for a configuration link: index, term and new voter set. */
export interface ConfLinkBody {
  readonly index: number
  readonly term: number
  readonly leaderId: NodeId
  readonly voters: readonly NodeId[]
}

/**
 * The canonical encoding, big-endian:
 *   "meshnode/conflink/v1" | term u64 | index u64 | leaderId: u16 length + UTF-8 |
 *   voter count u8 | each voter (sorted): u16 length + UTF-8
 * Throws RangeError on values it cannot encode.
 */
export function encodeConfLink (b: ConfLinkBody): Uint8Array {
  if (!isCount(b.term) || !isCount(b.index)) throw new RangeError('link term and index must be non-negative safe integers')
  if (b.voters.length > MAX_LINK_VOTERS) throw new RangeError('too many voters in a link')
  const leader = utf8.encode(b.leaderId)
  const voters = [...b.voters].sort().map((id) => utf8.encode(id))
  if ([leader, ...voters].some((id) => id.length > MAX_ID_BYTES)) throw new RangeError('node id too long to encode')
  const size = CONF_LINK_DOMAIN_BYTES.length + 16 + 2 + leader.length + 1 + voters.reduce((n, id) => n + 2 + id.length, 0)
  const out = new Uint8Array(size)
  const view = new DataView(out.buffer)
  let at = 0
  const put = (id: Uint8Array): void => {
    view.setUint16(at, id.length)
    at += 2
    out.set(id, at)
    at += id.length
  }
  out.set(CONF_LINK_DOMAIN_BYTES, at)
  at += CONF_LINK_DOMAIN_BYTES.length
  view.setBigUint64(at, BigInt(b.term))
  at += 8
  view.setBigUint64(at, BigInt(b.index))
  at += 8
  put(leader)
  view.setUint8(at, voters.length)
  at += 1
  for (const id of voters) put(id)
  return out
}

export function signConfLink (b: ConfLinkBody, privateKey: Uint8Array, scheme: SignatureScheme = ed25519Scheme): Uint8Array {
  return scheme.sign(encodeConfLink(b), privateKey)
}

/**
 * Checks a configuration link against the voter set the checker already trusts (voter id →
 * public key): the link's certificate must prove a majority of that set backed its leader in
 * the link's term (signers outside the set are ignored), and the leader must have signed the
 * link. Never throws.
 */
export function verifyConfLink (
  link: ConfLink,
  trusted: ReadonlyMap<NodeId, Uint8Array | undefined>,
  leaderKey: Uint8Array | undefined,
  scheme: SignatureScheme = ed25519Scheme
): CertificateCheck {
  const cert = link.certificate
  if (typeof cert !== 'object' || cert === null || !Array.isArray(cert.votes)) {
    return reject('MALFORMED', 'link without a certificate')
  }
  const votes = cert.votes.filter((v) => typeof v === 'object' && v !== null && trusted.has(v.voterId))
  const check = verifyCertificate({ ...cert, votes }, trusted, { term: link.term, kinds: ['vote', 'ack'] }, scheme)
  if (!check.ok) return check
  if (leaderKey === undefined) return reject('UNKNOWN_KEY', `no public key for ${cert.candidateId}`, cert.candidateId)
  let message: Uint8Array
  try {
    message = encodeConfLink({ index: link.index, term: link.term, leaderId: cert.candidateId, voters: link.voters })
  } catch {
    return reject('MALFORMED', 'link cannot be encoded')
  }
  if (!scheme.verify(link.signature, message, leaderKey)) {
    return reject('BAD_SIGNATURE', `link signature of ${cert.candidateId} does not verify`, cert.candidateId)
  }
  return { ok: true }
}
