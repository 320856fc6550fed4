/* eslint-disable import/export */
/* eslint-disable complexity */
/* eslint-disable @typescript-eslint/no-namespace */
/* eslint-disable @typescript-eslint/no-unnecessary-boolean-literal-compare */
/* eslint-disable @typescript-eslint/no-empty-interface */
/* eslint-disable import/consistent-type-specifier-style */
/* eslint-disable @typescript-eslint/no-unused-vars */

import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface Entry {
  index: number
  term: number
  conf: boolean
  data: Uint8Array
  link?: ConfLink
}

export namespace Entry {
  let _codec: Codec<Entry>

  export const codec = (): Codec<Entry> => {
    if (_codec == null) {
      _codec = message<Entry>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.index != null && obj.index !== 0)) {
          w.uint32(8)
          w.uint64Number(obj.index)
        }

        if ((obj.term != null && obj.term !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.term)
        }

        if ((obj.conf != null && obj.conf !== false)) {
          w.uint32(24)
          w.bool(obj.conf)
        }

        if ((obj.data != null && obj.data.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.data)
        }

        if (obj.link != null) {
          w.uint32(42)
          ConfLink.codec().encode(obj.link, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          index: 0,
          term: 0,
          conf: false,
          data: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.index = reader.uint64Number()
              break
            }
            case 2: {
              obj.term = reader.uint64Number()
              break
            }
            case 3: {
              obj.conf = reader.bool()
              break
            }
            case 4: {
              obj.data = reader.bytes()
              break
            }
            case 5: {
              obj.link = ConfLink.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.link
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      })
    }

    return _codec
  }

  export const encode = (obj: Partial<Entry>): Uint8Array => {
    return encodeMessage(obj, Entry.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Entry>): Entry => {
    return decodeMessage(buf, Entry.codec(), opts)
  }
}

export interface ConfLink {
  index: number
  term: number
  voters: string[]
  certificate?: Certificate
  signature: Uint8Array
}

export namespace ConfLink {
  let _codec: Codec<ConfLink>

  export const codec = (): Codec<ConfLink> => {
    if (_codec == null) {
      _codec = message<ConfLink>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.index != null && obj.index !== 0)) {
          w.uint32(8)
          w.uint64Number(obj.index)
        }

        if ((obj.term != null && obj.term !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.term)
        }

        if (obj.voters != null) {
          for (const value of obj.voters) {
            w.uint32(26)
            w.string(value)
          }
        }

        if (obj.certificate != null) {
          w.uint32(34)
          Certificate.codec().encode(obj.certificate, w)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.signature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          index: 0,
          term: 0,
          voters: [],
          signature: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.index = reader.uint64Number()
              break
            }
            case 2: {
              obj.term = reader.uint64Number()
              break
            }
            case 3: {
              if (opts.limits?.voters != null && obj.voters.length === opts.limits.voters) {
                throw new MaxLengthError('Decode error - map field "voters" had too many elements')
              }

              obj.voters.push(reader.string())
              break
            }
            case 4: {
              obj.certificate = Certificate.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.certificate
              })
              break
            }
            case 5: {
              obj.signature = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      })
    }

    return _codec
  }

  export const encode = (obj: Partial<ConfLink>): Uint8Array => {
    return encodeMessage(obj, ConfLink.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ConfLink>): ConfLink => {
    return decodeMessage(buf, ConfLink.codec(), opts)
  }
}

export interface TransferProof {
  term: number
  lastLogIndex: number
  lastLogTerm: number
  signature: Uint8Array
}

export namespace TransferProof {
  let _codec: Codec<TransferProof>

  export const codec = (): Codec<TransferProof> => {
    if (_codec == null) {
      _codec = message<TransferProof>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.term != null && obj.term !== 0)) {
          w.uint32(8)
          w.uint64Number(obj.term)
        }

        if ((obj.lastLogIndex != null && obj.lastLogIndex !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.lastLogIndex)
        }

        if ((obj.lastLogTerm != null && obj.lastLogTerm !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.lastLogTerm)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.signature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          term: 0,
          lastLogIndex: 0,
          lastLogTerm: 0,
          signature: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.term = reader.uint64Number()
              break
            }
            case 2: {
              obj.lastLogIndex = reader.uint64Number()
              break
            }
            case 3: {
              obj.lastLogTerm = reader.uint64Number()
              break
            }
            case 4: {
              obj.signature = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      })
    }

    return _codec
  }

  export const encode = (obj: Partial<TransferProof>): Uint8Array => {
    return encodeMessage(obj, TransferProof.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TransferProof>): TransferProof => {
    return decodeMessage(buf, TransferProof.codec(), opts)
  }
}

export interface ConfState {
  voters: string[]
  learners: string[]
}

export namespace ConfState {
  let _codec: Codec<ConfState>

  export const codec = (): Codec<ConfState> => {
    if (_codec == null) {
      _codec = message<ConfState>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.voters != null) {
          for (const value of obj.voters) {
            w.uint32(10)
            w.string(value)
          }
        }

        if (obj.learners != null) {
          for (const value of obj.learners) {
            w.uint32(18)
            w.string(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          voters: [],
          learners: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.voters != null && obj.voters.length === opts.limits.voters) {
                throw new MaxLengthError('Decode error - map field "voters" had too many elements')
              }

              obj.voters.push(reader.string())
              break
            }
            case 2: {
              if (opts.limits?.learners != null && obj.learners.length === opts.limits.learners) {
                throw new MaxLengthError('Decode error - map field "learners" had too many elements')
              }

              obj.learners.push(reader.string())
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      })
    }

    return _codec
  }

  export const encode = (obj: Partial<ConfState>): Uint8Array => {
    return encodeMessage(obj, ConfState.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ConfState>): ConfState => {
    return decodeMessage(buf, ConfState.codec(), opts)
  }
}

export interface Snapshot {
  index: number
  term: number
  confState?: ConfState
  data: Uint8Array
  chain: ConfLink[]
}

export namespace Snapshot {
  let _codec: Codec<Snapshot>

  export const codec = (): Codec<Snapshot> => {
    if (_codec == null) {
      _codec = message<Snapshot>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.index != null && obj.index !== 0)) {
          w.uint32(8)
          w.uint64Number(obj.index)
        }

        if ((obj.term != null && obj.term !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.term)
        }

        if (obj.confState != null) {
          w.uint32(26)
          ConfState.codec().encode(obj.confState, w)
        }

        if ((obj.data != null && obj.data.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.data)
        }

        if (obj.chain != null) {
          for (const value of obj.chain) {
            w.uint32(42)
            ConfLink.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          index: 0,
          term: 0,
          data: uint8ArrayAlloc(0),
          chain: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.index = reader.uint64Number()
              break
            }
            case 2: {
              obj.term = reader.uint64Number()
              break
            }
            case 3: {
              obj.confState = ConfState.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.confState
              })
              break
            }
            case 4: {
              obj.data = reader.bytes()
              break
            }
            case 5: {
              if (opts.limits?.chain != null && obj.chain.length === opts.limits.chain) {
                throw new MaxLengthError('Decode error - map field "chain" had too many elements')
              }

              obj.chain.push(ConfLink.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.chain$
              }))
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      })
    }

    return _codec
  }

  export const encode = (obj: Partial<Snapshot>): Uint8Array => {
    return encodeMessage(obj, Snapshot.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Snapshot>): Snapshot => {
    return decodeMessage(buf, Snapshot.codec(), opts)
  }
}

export interface SignedVote {
  voterId: string
  signature: Uint8Array
}

export namespace SignedVote {
  let _codec: Codec<SignedVote>

  export const codec = (): Codec<SignedVote> => {
    if (_codec == null) {
      _codec = message<SignedVote>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.voterId != null && obj.voterId !== '')) {
          w.uint32(10)
          w.string(obj.voterId)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.signature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          voterId: '',
          signature: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.voterId = reader.string()
              break
            }
            case 2: {
              obj.signature = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      })
    }

    return _codec
  }

  export const encode = (obj: Partial<SignedVote>): Uint8Array => {
    return encodeMessage(obj, SignedVote.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SignedVote>): SignedVote => {
    return decodeMessage(buf, SignedVote.codec(), opts)
  }
}

export interface Certificate {
  kind: VoteKind
  term: number
  candidateId: string
  lastLogIndex: number
  lastLogTerm: number
  voters: string[]
  votes: SignedVote[]
}

export namespace Certificate {
  let _codec: Codec<Certificate>

  export const codec = (): Codec<Certificate> => {
    if (_codec == null) {
      _codec = message<Certificate>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.kind != null && __VoteKindValues[obj.kind] !== 0) {
          w.uint32(8)
          VoteKind.codec().encode(obj.kind, w)
        }

        if ((obj.term != null && obj.term !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.term)
        }

        if ((obj.candidateId != null && obj.candidateId !== '')) {
          w.uint32(26)
          w.string(obj.candidateId)
        }

        if ((obj.lastLogIndex != null && obj.lastLogIndex !== 0)) {
          w.uint32(32)
          w.uint64Number(obj.lastLogIndex)
        }

        if ((obj.lastLogTerm != null && obj.lastLogTerm !== 0)) {
          w.uint32(40)
          w.uint64Number(obj.lastLogTerm)
        }

        if (obj.voters != null) {
          for (const value of obj.voters) {
            w.uint32(50)
            w.string(value)
          }
        }

        if (obj.votes != null) {
          for (const value of obj.votes) {
            w.uint32(58)
            SignedVote.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          kind: VoteKind.PREVOTE,
          term: 0,
          candidateId: '',
          lastLogIndex: 0,
          lastLogTerm: 0,
          voters: [],
          votes: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.kind = VoteKind.codec().decode(reader)
              break
            }
            case 2: {
              obj.term = reader.uint64Number()
              break
            }
            case 3: {
              obj.candidateId = reader.string()
              break
            }
            case 4: {
              obj.lastLogIndex = reader.uint64Number()
              break
            }
            case 5: {
              obj.lastLogTerm = reader.uint64Number()
              break
            }
            case 6: {
              if (opts.limits?.voters != null && obj.voters.length === opts.limits.voters) {
                throw new MaxLengthError('Decode error - map field "voters" had too many elements')
              }

              obj.voters.push(reader.string())
              break
            }
            case 7: {
              if (opts.limits?.votes != null && obj.votes.length === opts.limits.votes) {
                throw new MaxLengthError('Decode error - map field "votes" had too many elements')
              }

              obj.votes.push(SignedVote.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.votes$
              }))
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      })
    }

    return _codec
  }

  export const encode = (obj: Partial<Certificate>): Uint8Array => {
    return encodeMessage(obj, Certificate.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Certificate>): Certificate => {
    return decodeMessage(buf, Certificate.codec(), opts)
  }
}

export enum VoteKind {
  PREVOTE = 'PREVOTE',
  VOTE = 'VOTE',
  ACK = 'ACK',
  TRANSFER = 'TRANSFER'
}

enum __VoteKindValues {
  PREVOTE = 0,
  VOTE = 1,
  ACK = 2,
  TRANSFER = 3
}

export namespace VoteKind {
  export const codec = (): Codec<VoteKind> => {
    return enumeration<VoteKind>(__VoteKindValues)
  }
}

export interface AckRequest {
  index: number
  term: number
}

export namespace AckRequest {
  let _codec: Codec<AckRequest>

  export const codec = (): Codec<AckRequest> => {
    if (_codec == null) {
      _codec = message<AckRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.index != null && obj.index !== 0)) {
          w.uint32(8)
          w.uint64Number(obj.index)
        }

        if ((obj.term != null && obj.term !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.term)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          index: 0,
          term: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.index = reader.uint64Number()
              break
            }
            case 2: {
              obj.term = reader.uint64Number()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      })
    }

    return _codec
  }

  export const encode = (obj: Partial<AckRequest>): Uint8Array => {
    return encodeMessage(obj, AckRequest.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AckRequest>): AckRequest => {
    return decodeMessage(buf, AckRequest.codec(), opts)
  }
}

export interface Ack {
  index: number
  term: number
  signature: Uint8Array
}

export namespace Ack {
  let _codec: Codec<Ack>

  export const codec = (): Codec<Ack> => {
    if (_codec == null) {
      _codec = message<Ack>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.index != null && obj.index !== 0)) {
          w.uint32(8)
          w.uint64Number(obj.index)
        }

        if ((obj.term != null && obj.term !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.term)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.signature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          index: 0,
          term: 0,
          signature: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.index = reader.uint64Number()
              break
            }
            case 2: {
              obj.term = reader.uint64Number()
              break
            }
            case 3: {
              obj.signature = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      })
    }

    return _codec
  }

  export const encode = (obj: Partial<Ack>): Uint8Array => {
    return encodeMessage(obj, Ack.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Ack>): Ack => {
    return decodeMessage(buf, Ack.codec(), opts)
  }
}

export enum MessageType {
  APPEND = 'APPEND',
  APPEND_RESP = 'APPEND_RESP',
  HEARTBEAT = 'HEARTBEAT',
  HEARTBEAT_RESP = 'HEARTBEAT_RESP',
  SNAPSHOT = 'SNAPSHOT',
  VOTE = 'VOTE',
  PREVOTE = 'PREVOTE',
  VOTE_RESP = 'VOTE_RESP',
  PREVOTE_RESP = 'PREVOTE_RESP',
  TIMEOUT_NOW = 'TIMEOUT_NOW',
  PULSE = 'PULSE'
}

enum __MessageTypeValues {
  APPEND = 0,
  APPEND_RESP = 1,
  HEARTBEAT = 2,
  HEARTBEAT_RESP = 3,
  SNAPSHOT = 4,
  VOTE = 5,
  PREVOTE = 6,
  VOTE_RESP = 7,
  PREVOTE_RESP = 8,
  TIMEOUT_NOW = 9,
  PULSE = 10
}

export namespace MessageType {
  export const codec = (): Codec<MessageType> => {
    return enumeration<MessageType>(__MessageTypeValues)
  }
}

export interface Vouch {
  members: number
  heard: Uint8Array
}

export namespace Vouch {
  let _codec: Codec<Vouch>

  export const codec = (): Codec<Vouch> => {
    if (_codec == null) {
      _codec = message<Vouch>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.members != null && obj.members !== 0)) {
          w.uint32(13)
          w.fixed32(obj.members)
        }

        if ((obj.heard != null && obj.heard.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.heard)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          members: 0,
          heard: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.members = reader.fixed32()
              break
            }
            case 2: {
              obj.heard = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      })
    }

    return _codec
  }

  export const encode = (obj: Partial<Vouch>): Uint8Array => {
    return encodeMessage(obj, Vouch.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Vouch>): Vouch => {
    return decodeMessage(buf, Vouch.codec(), opts)
  }
}

export interface RaftMessage {
  type: MessageType
  from: string
  to: string
  term: number
  prevIndex: number
  prevTerm: number
  entries: Entry[]
  commit: number
  certificate?: Certificate
  index: number
  reject: boolean
  rejectHint: number
  hintTerm: number
  certRequired: boolean
  ackRequest?: AckRequest
  ack?: Ack
  snapshot?: Snapshot
  lastLogIndex: number
  lastLogTerm: number
  transfer: boolean
  signature?: Uint8Array
  transferProof?: TransferProof
  chain: ConfLink[]
  confIndex?: number
  quiet: boolean
  vouch?: Vouch
}

export namespace RaftMessage {
  let _codec: Codec<RaftMessage>

  export const codec = (): Codec<RaftMessage> => {
    if (_codec == null) {
      _codec = message<RaftMessage>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.type != null && __MessageTypeValues[obj.type] !== 0) {
          w.uint32(8)
          MessageType.codec().encode(obj.type, w)
        }

        if ((obj.from != null && obj.from !== '')) {
          w.uint32(18)
          w.string(obj.from)
        }

        if ((obj.to != null && obj.to !== '')) {
          w.uint32(26)
          w.string(obj.to)
        }

        if ((obj.term != null && obj.term !== 0)) {
          w.uint32(32)
          w.uint64Number(obj.term)
        }

        if ((obj.prevIndex != null && obj.prevIndex !== 0)) {
          w.uint32(40)
          w.uint64Number(obj.prevIndex)
        }

        if ((obj.prevTerm != null && obj.prevTerm !== 0)) {
          w.uint32(48)
          w.uint64Number(obj.prevTerm)
        }

        if (obj.entries != null) {
          for (const value of obj.entries) {
            w.uint32(58)
            Entry.codec().encode(value, w)
          }
        }

        if ((obj.commit != null && obj.commit !== 0)) {
          w.uint32(64)
          w.uint64Number(obj.commit)
        }

        if (obj.certificate != null) {
          w.uint32(74)
          Certificate.codec().encode(obj.certificate, w)
        }

        if ((obj.index != null && obj.index !== 0)) {
          w.uint32(80)
          w.uint64Number(obj.index)
        }

        if ((obj.reject != null && obj.reject !== false)) {
          w.uint32(88)
          w.bool(obj.reject)
        }

        if ((obj.rejectHint != null && obj.rejectHint !== 0)) {
          w.uint32(96)
          w.uint64Number(obj.rejectHint)
        }

        if ((obj.hintTerm != null && obj.hintTerm !== 0)) {
          w.uint32(104)
          w.uint64Number(obj.hintTerm)
        }

        if ((obj.certRequired != null && obj.certRequired !== false)) {
          w.uint32(112)
          w.bool(obj.certRequired)
        }

        if (obj.ackRequest != null) {
          w.uint32(122)
          AckRequest.codec().encode(obj.ackRequest, w)
        }

        if (obj.ack != null) {
          w.uint32(130)
          Ack.codec().encode(obj.ack, w)
        }

        if (obj.snapshot != null) {
          w.uint32(138)
          Snapshot.codec().encode(obj.snapshot, w)
        }

        if ((obj.lastLogIndex != null && obj.lastLogIndex !== 0)) {
          w.uint32(144)
          w.uint64Number(obj.lastLogIndex)
        }

        if ((obj.lastLogTerm != null && obj.lastLogTerm !== 0)) {
          w.uint32(152)
          w.uint64Number(obj.lastLogTerm)
        }

        if ((obj.transfer != null && obj.transfer !== false)) {
          w.uint32(160)
          w.bool(obj.transfer)
        }

        if (obj.signature != null) {
          w.uint32(170)
          w.bytes(obj.signature)
        }

        if (obj.transferProof != null) {
          w.uint32(178)
          TransferProof.codec().encode(obj.transferProof, w)
        }

        if (obj.chain != null) {
          for (const value of obj.chain) {
            w.uint32(186)
            ConfLink.codec().encode(value, w)
          }
        }

        if (obj.confIndex != null) {
          w.uint32(192)
          w.uint64Number(obj.confIndex)
        }

        if ((obj.quiet != null && obj.quiet !== false)) {
          w.uint32(200)
          w.bool(obj.quiet)
        }

        if (obj.vouch != null) {
          w.uint32(210)
          Vouch.codec().encode(obj.vouch, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          type: MessageType.APPEND,
          from: '',
          to: '',
          term: 0,
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

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.type = MessageType.codec().decode(reader)
              break
            }
            case 2: {
              obj.from = reader.string()
              break
            }
            case 3: {
              obj.to = reader.string()
              break
            }
            case 4: {
              obj.term = reader.uint64Number()
              break
            }
            case 5: {
              obj.prevIndex = reader.uint64Number()
              break
            }
            case 6: {
              obj.prevTerm = reader.uint64Number()
              break
            }
            case 7: {
              if (opts.limits?.entries != null && obj.entries.length === opts.limits.entries) {
                throw new MaxLengthError('Decode error - map field "entries" had too many elements')
              }

              obj.entries.push(Entry.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.entries$
              }))
              break
            }
            case 8: {
              obj.commit = reader.uint64Number()
              break
            }
            case 9: {
              obj.certificate = Certificate.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.certificate
              })
              break
            }
            case 10: {
              obj.index = reader.uint64Number()
              break
            }
            case 11: {
              obj.reject = reader.bool()
              break
            }
            case 12: {
              obj.rejectHint = reader.uint64Number()
              break
            }
            case 13: {
              obj.hintTerm = reader.uint64Number()
              break
            }
            case 14: {
              obj.certRequired = reader.bool()
              break
            }
            case 15: {
              obj.ackRequest = AckRequest.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.ackRequest
              })
              break
            }
            case 16: {
              obj.ack = Ack.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.ack
              })
              break
            }
            case 17: {
              obj.snapshot = Snapshot.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.snapshot
              })
              break
            }
            case 18: {
              obj.lastLogIndex = reader.uint64Number()
              break
            }
            case 19: {
              obj.lastLogTerm = reader.uint64Number()
              break
            }
            case 20: {
              obj.transfer = reader.bool()
              break
            }
            case 21: {
              obj.signature = reader.bytes()
              break
            }
            case 22: {
              obj.transferProof = TransferProof.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.transferProof
              })
              break
            }
            case 23: {
              if (opts.limits?.chain != null && obj.chain.length === opts.limits.chain) {
                throw new MaxLengthError('Decode error - map field "chain" had too many elements')
              }

              obj.chain.push(ConfLink.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.chain$
              }))
              break
            }
            case 24: {
              obj.confIndex = reader.uint64Number()
              break
            }
            case 25: {
              obj.quiet = reader.bool()
              break
            }
            case 26: {
              obj.vouch = Vouch.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.vouch
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      })
    }

    return _codec
  }

  export const encode = (obj: Partial<RaftMessage>): Uint8Array => {
    return encodeMessage(obj, RaftMessage.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RaftMessage>): RaftMessage => {
    return decodeMessage(buf, RaftMessage.codec(), opts)
  }
}
