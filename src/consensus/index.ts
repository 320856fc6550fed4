// Public face of meshnode's consensus: a sans-I/O Raft core with signed votes and quorum
// certificates, its storage contract, and the membership-change encoding. The node shell
// drives a RaftCore (see raft.ts for the persist → send → apply → advance contract).

export { RaftCore } from './raft.js'
export type { RaftConfig, RaftStatus } from './raft.js'
export { defaultRaftOptions } from './options.js'
export type { RaftOptions } from './options.js'
export { RaftError } from './errors.js'
export type { RaftErrorCode } from './errors.js'
export { MemoryStorage } from './storage.js'
export type { Storage } from './storage.js'
export { applyConfChange, confState, decodeConfChange, encodeConfChange, majority } from './confchange.js'
export {
  CONF_LINK_DOMAIN,
  VOTE_DOMAIN,
  ed25519Scheme,
  encodeConfLink,
  encodeVote,
  signConfLink,
  signVote,
  verifyCertificate,
  verifyConfLink,
  verifyVote
} from './votes.js'
export type {
  CertificateCheck,
  CertificateExpectation,
  CertificateRejection,
  ConfLinkBody,
  SignatureScheme,
  VoteBody,
  VoteKeys
} from './votes.js'
export { mulberry32, randomInt } from '../prng.js'
export { MAX_CONF_CHAIN, isWellFormedMessage } from './validate.js'
export type * from './types.js'
