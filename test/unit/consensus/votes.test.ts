import { describe, expect, it } from 'vitest'
import { CONF_LINK_DOMAIN, VOTE_DOMAIN, encodeConfLink, encodeVote, signConfLink, signVote, verifyCertificate, verifyConfLink, verifyVote } from '../../../src/consensus/index.js'
import type { ConfLink, NodeId, QuorumCertificate, VoteBody, VoteKind } from '../../../src/consensus/index.js'
import { privateKeyOf, publicKeyOf } from './cluster.js'

const body: VoteBody = { kind: 'vote', term: 7, candidateId: 'a', lastLogIndex: 42, lastLogTerm: 6, voterId: 'b' }

const voterSet = (ids: NodeId[]): Map<NodeId, Uint8Array | undefined> => new Map(ids.map((id) => [id, publicKeyOf(id)]))

/** A certificate whose votes are signed with the keys of `signedBy` (default: the voter's own). */
function certificate (
  signers: Array<NodeId | [voterId: NodeId, signedBy: NodeId]>,
  over: { kind?: VoteKind, term?: number, candidateId?: NodeId } = {}
): QuorumCertificate {
  const kind = over.kind ?? 'vote'
  const term = over.term ?? 7
  const candidateId = over.candidateId ?? 'a'
  return {
    kind,
    term,
    candidateId,
    lastLogIndex: 42,
    lastLogTerm: 6,
    voters: ['a', 'b', 'c', 'd', 'e'],
    votes: signers.map((s) => {
      const [voterId, signedBy] = typeof s === 'string' ? [s, s] : s
      const sig = signVote({ kind, term, candidateId, lastLogIndex: 42, lastLogTerm: 6, voterId }, privateKeyOf(signedBy))
      return { voterId, signature: sig }
    })
  }
}

const five = voterSet(['a', 'b', 'c', 'd', 'e'])

describe('vote encoding', () => {
  it('starts with the domain prefix and writes numbers big-endian', () => {
    const bytes = encodeVote(body)
    const prefix = new TextDecoder().decode(bytes.subarray(0, VOTE_DOMAIN.length))
    expect(prefix).toBe('meshnode/vote/v1')
    const at = VOTE_DOMAIN.length
    expect(bytes[at]).toBe(2) // kind: vote
    const view = new DataView(bytes.buffer, bytes.byteOffset)
    expect(view.getBigUint64(at + 1)).toBe(7n)
    expect(view.getBigUint64(at + 9)).toBe(42n)
    expect(view.getBigUint64(at + 17)).toBe(6n)
    expect(view.getUint16(at + 25)).toBe(1)
    expect(String.fromCharCode(bytes[at + 27]!)).toBe('a')
  })

  it('is unambiguous between the candidate and voter ids', () => {
    const x = encodeVote({ ...body, candidateId: 'ab', voterId: 'c' })
    const y = encodeVote({ ...body, candidateId: 'a', voterId: 'bc' })
    expect(Buffer.from(x).equals(Buffer.from(y))).toBe(false)
  })

  it('refuses values it cannot encode', () => {
    expect(() => encodeVote({ ...body, term: -1 })).toThrow(RangeError)
    expect(() => encodeVote({ ...body, lastLogIndex: 1.5 })).toThrow(RangeError)
  })
})

describe('signed votes', () => {
  it('a vote verifies under its voter’s public key', () => {
    const sig = signVote(body, privateKeyOf('b'))
    expect(sig).toHaveLength(64)
    expect(verifyVote(body, sig, publicKeyOf('b'))).toBe(true)
  })

  it('a forged vote signed with another key does not verify', () => {
    const forged = signVote(body, privateKeyOf('z'))
    expect(verifyVote(body, forged, publicKeyOf('b'))).toBe(false)
  })

  it('a vote for another term does not verify for this term', () => {
    const sig = signVote({ ...body, term: 6 }, privateKeyOf('b'))
    expect(verifyVote(body, sig, publicKeyOf('b'))).toBe(false)
  })

  it('a pre-vote signature is not a vote signature', () => {
    const sig = signVote({ ...body, kind: 'prevote' }, privateKeyOf('b'))
    expect(verifyVote(body, sig, publicKeyOf('b'))).toBe(false)
  })

  it('a garbage signature is invalid rather than an exception', () => {
    expect(verifyVote(body, new Uint8Array(64).fill(0xff), publicKeyOf('b'))).toBe(false)
    expect(verifyVote(body, new Uint8Array(3), publicKeyOf('b'))).toBe(false)
  })
})

describe('quorum certificates', () => {
  it('a majority of distinct voters with valid signatures is accepted', () => {
    expect(verifyCertificate(certificate(['a', 'b', 'c']), five, { term: 7, candidateId: 'a' })).toEqual({ ok: true })
  })

  it('a certificate with too few signers is rejected', () => {
    expect(verifyCertificate(certificate(['a', 'b']), five)).toMatchObject({ ok: false, reason: 'TOO_FEW_SIGNERS' })
  })

  it('a certificate listing a signer twice is rejected', () => {
    expect(verifyCertificate(certificate(['a', 'b', 'b']), five)).toMatchObject({ ok: false, reason: 'DUPLICATE_SIGNER', voterId: 'b' })
  })

  it('a certificate with a non-voter’s signature is rejected', () => {
    expect(verifyCertificate(certificate(['a', 'b', 'x']), five)).toMatchObject({ ok: false, reason: 'NON_VOTER_SIGNER', voterId: 'x' })
  })

  it('a certificate with a forged signature is rejected', () => {
    expect(verifyCertificate(certificate(['a', 'b', ['c', 'x']]), five)).toMatchObject({ ok: false, reason: 'BAD_SIGNATURE', voterId: 'c' })
  })

  it('a certificate replayed from an older term is rejected', () => {
    expect(verifyCertificate(certificate(['a', 'b', 'c'], { term: 6 }), five, { term: 7 })).toMatchObject({ ok: false, reason: 'WRONG_TERM' })
  })

  it('a certificate whose fields were changed after signing is rejected', () => {
    const cert = { ...certificate(['a', 'b', 'c'], { term: 6 }), term: 7 }
    expect(verifyCertificate(cert, five, { term: 7 })).toMatchObject({ ok: false, reason: 'BAD_SIGNATURE' })
  })

  it('a certificate electing someone else is rejected', () => {
    expect(verifyCertificate(certificate(['a', 'b', 'c']), five, { candidateId: 'b' })).toMatchObject({ ok: false, reason: 'WRONG_CANDIDATE' })
  })

  it('a certificate of pre-votes is rejected', () => {
    expect(verifyCertificate(certificate(['a', 'b', 'c'], { kind: 'prevote' }), five)).toMatchObject({ ok: false, reason: 'WRONG_KIND' })
  })

  it('a voter whose key is unknown cannot be counted', () => {
    const unknown = new Map(five)
    unknown.set('c', undefined)
    expect(verifyCertificate(certificate(['a', 'b', 'c']), unknown)).toMatchObject({ ok: false, reason: 'UNKNOWN_KEY', voterId: 'c' })
  })

  it('a malformed certificate is rejected without throwing', () => {
    const bad = { ...certificate(['a', 'b', 'c']), term: -3 }
    expect(verifyCertificate(bad, five)).toMatchObject({ ok: false, reason: 'MALFORMED' })
    const noVotes = { ...certificate([]), votes: 'nope' } as unknown as QuorumCertificate
    expect(verifyCertificate(noVotes, five)).toMatchObject({ ok: false, reason: 'MALFORMED' })
  })
})

describe('configuration links', () => {
  /** a, leader of term 7 by the votes of a, b and c, sets the voters to a..f at index 50. */
  function link (over: Partial<ConfLink> = {}, signedBy: NodeId = 'a'): ConfLink {
    const base = { index: 50, term: 7, voters: ['a', 'b', 'c', 'd', 'e', 'f'], ...over }
    const signature = signConfLink({ index: base.index, term: base.term, leaderId: 'a', voters: base.voters }, privateKeyOf(signedBy))
    return { certificate: certificate(['a', 'b', 'c']), signature, ...base, ...over }
  }

  it('the statement starts with its own domain, never a vote’s, and does not depend on voter order', () => {
    const bytes = encodeConfLink({ index: 1, term: 2, leaderId: 'a', voters: ['b', 'a'] })
    expect(new TextDecoder().decode(bytes.subarray(0, CONF_LINK_DOMAIN.length))).toBe(CONF_LINK_DOMAIN)
    expect(CONF_LINK_DOMAIN).not.toBe(VOTE_DOMAIN)
    expect(bytes).toEqual(encodeConfLink({ index: 1, term: 2, leaderId: 'a', voters: ['a', 'b'] }))
  })

  it('a link proven by a majority of the trusted voter set and signed by its leader verifies', () => {
    expect(verifyConfLink(link(), five, publicKeyOf('a'))).toEqual({ ok: true })
  })

  it('a link whose voters were changed after signing does not verify', () => {
    const l = link()
    expect(verifyConfLink({ ...l, voters: ['a', 'b', 'c', 'd', 'x'] }, five, publicKeyOf('a'))).toMatchObject({ ok: false, reason: 'BAD_SIGNATURE' })
  })

  it('a link signed by someone other than the certified leader does not verify', () => {
    expect(verifyConfLink(link({}, 'b'), five, publicKeyOf('a'))).toMatchObject({ ok: false, reason: 'BAD_SIGNATURE' })
  })

  it('a link whose certificate is for another term does not verify', () => {
    expect(verifyConfLink(link({ term: 8 }), five, publicKeyOf('a'))).toMatchObject({ ok: false, reason: 'WRONG_TERM' })
  })

  it('a link whose certificate is not a majority of the trusted voters does not verify', () => {
    const l = { ...link(), certificate: certificate(['a', 'b']) }
    expect(verifyConfLink(l, five, publicKeyOf('a'))).toMatchObject({ ok: false, reason: 'TOO_FEW_SIGNERS' })
    // signers outside the trusted set are not counted, but do not spoil the link either
    expect(verifyConfLink(link(), voterSet(['a', 'b', 'x']), publicKeyOf('a'))).toEqual({ ok: true })
    expect(verifyConfLink(link(), voterSet(['a', 'x', 'y']), publicKeyOf('a'))).toMatchObject({ ok: false, reason: 'TOO_FEW_SIGNERS' })
  })
})
