/* eslint-disable import/export */
/* eslint-disable complexity */
/* eslint-disable @typescript-eslint/no-namespace */
/* eslint-disable @typescript-eslint/no-unnecessary-boolean-literal-compare */
/* eslint-disable @typescript-eslint/no-empty-interface */
/* eslint-disable import/consistent-type-specifier-style */
/* eslint-disable @typescript-eslint/no-unused-vars */

import { decodeMessage, encodeMessage, MaxLengthError, message } from 'protons-runtime'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface StatusRequest {
  includePeers: boolean
}

export namespace StatusRequest {
  let _codec: Codec<StatusRequest>

  export const codec = (): Codec<StatusRequest> => {
    if (_codec == null) {
      _codec = message<StatusRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.includePeers != null && obj.includePeers !== false)) {
          w.uint32(8)
          w.bool(obj.includePeers)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          includePeers: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.includePeers = reader.bool()
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

  export const encode = (obj: Partial<StatusRequest>): Uint8Array => {
    return encodeMessage(obj, StatusRequest.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StatusRequest>): StatusRequest => {
    return decodeMessage(buf, StatusRequest.codec(), opts)
  }
}

export interface PeerStatus {
  peerId: string
  name: string
  state: string
  lastSeenMs: bigint
  addrs: string[]
  version: string
  load: number
  capabilities: string[]
  role: string
  term: bigint
  incarnation: bigint
  connected: boolean
  draining: boolean
}

export namespace PeerStatus {
  let _codec: Codec<PeerStatus>

  export const codec = (): Codec<PeerStatus> => {
    if (_codec == null) {
      _codec = message<PeerStatus>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.peerId != null && obj.peerId !== '')) {
          w.uint32(10)
          w.string(obj.peerId)
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(18)
          w.string(obj.name)
        }

        if ((obj.state != null && obj.state !== '')) {
          w.uint32(26)
          w.string(obj.state)
        }

        if ((obj.lastSeenMs != null && obj.lastSeenMs !== 0n)) {
          w.uint32(32)
          w.uint64(obj.lastSeenMs)
        }

        if (obj.addrs != null) {
          for (const value of obj.addrs) {
            w.uint32(42)
            w.string(value)
          }
        }

        if ((obj.version != null && obj.version !== '')) {
          w.uint32(50)
          w.string(obj.version)
        }

        if ((obj.load != null && obj.load !== 0)) {
          w.uint32(57)
          w.double(obj.load)
        }

        if (obj.capabilities != null) {
          for (const value of obj.capabilities) {
            w.uint32(66)
            w.string(value)
          }
        }

        if ((obj.role != null && obj.role !== '')) {
          w.uint32(74)
          w.string(obj.role)
        }

        if ((obj.term != null && obj.term !== 0n)) {
          w.uint32(80)
          w.uint64(obj.term)
        }

        if ((obj.incarnation != null && obj.incarnation !== 0n)) {
          w.uint32(88)
          w.uint64(obj.incarnation)
        }

        if ((obj.connected != null && obj.connected !== false)) {
          w.uint32(96)
          w.bool(obj.connected)
        }

        if ((obj.draining != null && obj.draining !== false)) {
          w.uint32(104)
          w.bool(obj.draining)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peerId: '',
          name: '',
          state: '',
          lastSeenMs: 0n,
          addrs: [],
          version: '',
          load: 0,
          capabilities: [],
          role: '',
          term: 0n,
          incarnation: 0n,
          connected: false,
          draining: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.peerId = reader.string()
              break
            }
            case 2: {
              obj.name = reader.string()
              break
            }
            case 3: {
              obj.state = reader.string()
              break
            }
            case 4: {
              obj.lastSeenMs = reader.uint64()
              break
            }
            case 5: {
              if (opts.limits?.addrs != null && obj.addrs.length === opts.limits.addrs) {
                throw new MaxLengthError('Decode error - map field "addrs" had too many elements')
              }

              obj.addrs.push(reader.string())
              break
            }
            case 6: {
              obj.version = reader.string()
              break
            }
            case 7: {
              obj.load = reader.double()
              break
            }
            case 8: {
              if (opts.limits?.capabilities != null && obj.capabilities.length === opts.limits.capabilities) {
                throw new MaxLengthError('Decode error - map field "capabilities" had too many elements')
              }

              obj.capabilities.push(reader.string())
              break
            }
            case 9: {
              obj.role = reader.string()
              break
            }
            case 10: {
              obj.term = reader.uint64()
              break
            }
            case 11: {
              obj.incarnation = reader.uint64()
              break
            }
            case 12: {
              obj.connected = reader.bool()
              break
            }
            case 13: {
              obj.draining = reader.bool()
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

  export const encode = (obj: Partial<PeerStatus>): Uint8Array => {
    return encodeMessage(obj, PeerStatus.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PeerStatus>): PeerStatus => {
    return decodeMessage(buf, PeerStatus.codec(), opts)
  }
}

export interface Counter {
  name: string
  value: bigint
}

export namespace Counter {
  let _codec: Codec<Counter>

  export const codec = (): Codec<Counter> => {
    if (_codec == null) {
      _codec = message<Counter>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(10)
          w.string(obj.name)
        }

        if ((obj.value != null && obj.value !== 0n)) {
          w.uint32(16)
          w.uint64(obj.value)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          name: '',
          value: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.name = reader.string()
              break
            }
            case 2: {
              obj.value = reader.uint64()
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

  export const encode = (obj: Partial<Counter>): Uint8Array => {
    return encodeMessage(obj, Counter.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Counter>): Counter => {
    return decodeMessage(buf, Counter.codec(), opts)
  }
}

export interface DeadPeer {
  peerId: string
  incarnation: bigint
  reason: string
  index: bigint
}

export namespace DeadPeer {
  let _codec: Codec<DeadPeer>

  export const codec = (): Codec<DeadPeer> => {
    if (_codec == null) {
      _codec = message<DeadPeer>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.peerId != null && obj.peerId !== '')) {
          w.uint32(10)
          w.string(obj.peerId)
        }

        if ((obj.incarnation != null && obj.incarnation !== 0n)) {
          w.uint32(16)
          w.uint64(obj.incarnation)
        }

        if ((obj.reason != null && obj.reason !== '')) {
          w.uint32(26)
          w.string(obj.reason)
        }

        if ((obj.index != null && obj.index !== 0n)) {
          w.uint32(32)
          w.uint64(obj.index)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peerId: '',
          incarnation: 0n,
          reason: '',
          index: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.peerId = reader.string()
              break
            }
            case 2: {
              obj.incarnation = reader.uint64()
              break
            }
            case 3: {
              obj.reason = reader.string()
              break
            }
            case 4: {
              obj.index = reader.uint64()
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

  export const encode = (obj: Partial<DeadPeer>): Uint8Array => {
    return encodeMessage(obj, DeadPeer.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DeadPeer>): DeadPeer => {
    return decodeMessage(buf, DeadPeer.codec(), opts)
  }
}

export interface Circuit {
  kind: string
  target: string
  state: string
  failures: number
  sinceMs: bigint
  retryAtMs: bigint
  reason: string
}

export namespace Circuit {
  let _codec: Codec<Circuit>

  export const codec = (): Codec<Circuit> => {
    if (_codec == null) {
      _codec = message<Circuit>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.kind != null && obj.kind !== '')) {
          w.uint32(10)
          w.string(obj.kind)
        }

        if ((obj.target != null && obj.target !== '')) {
          w.uint32(18)
          w.string(obj.target)
        }

        if ((obj.state != null && obj.state !== '')) {
          w.uint32(26)
          w.string(obj.state)
        }

        if ((obj.failures != null && obj.failures !== 0)) {
          w.uint32(32)
          w.uint32(obj.failures)
        }

        if ((obj.sinceMs != null && obj.sinceMs !== 0n)) {
          w.uint32(40)
          w.uint64(obj.sinceMs)
        }

        if ((obj.retryAtMs != null && obj.retryAtMs !== 0n)) {
          w.uint32(48)
          w.uint64(obj.retryAtMs)
        }

        if ((obj.reason != null && obj.reason !== '')) {
          w.uint32(58)
          w.string(obj.reason)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          kind: '',
          target: '',
          state: '',
          failures: 0,
          sinceMs: 0n,
          retryAtMs: 0n,
          reason: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.kind = reader.string()
              break
            }
            case 2: {
              obj.target = reader.string()
              break
            }
            case 3: {
              obj.state = reader.string()
              break
            }
            case 4: {
              obj.failures = reader.uint32()
              break
            }
            case 5: {
              obj.sinceMs = reader.uint64()
              break
            }
            case 6: {
              obj.retryAtMs = reader.uint64()
              break
            }
            case 7: {
              obj.reason = reader.string()
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

  export const encode = (obj: Partial<Circuit>): Uint8Array => {
    return encodeMessage(obj, Circuit.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Circuit>): Circuit => {
    return decodeMessage(buf, Circuit.codec(), opts)
  }
}

export interface StatusResponse {
  peerId: string
  name: string
  version: string
  addrs: string[]
  uptimeMs: bigint
  role: string
  term: bigint
  leader: string
  mesh: string
  incarnation: bigint
  load: number
  capabilities: string[]
  peers: PeerStatus[]
  counters: Counter[]
  commitIndex: bigint
  appliedIndex: bigint
  voters: string[]
  learners: string[]
  formation: string
  rssBytes: bigint
  heapUsedBytes: bigint
  security: string
  dead: DeadPeer[]
  quorum: string
  quorumLastContactMs?: bigint
  draining: boolean
  http: string
  circuits: Circuit[]
  resources?: ResourceStatus
  stuckJobs?: number
}

export namespace StatusResponse {
  let _codec: Codec<StatusResponse>

  export const codec = (): Codec<StatusResponse> => {
    if (_codec == null) {
      _codec = message<StatusResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.peerId != null && obj.peerId !== '')) {
          w.uint32(10)
          w.string(obj.peerId)
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(18)
          w.string(obj.name)
        }

        if ((obj.version != null && obj.version !== '')) {
          w.uint32(26)
          w.string(obj.version)
        }

        if (obj.addrs != null) {
          for (const value of obj.addrs) {
            w.uint32(34)
            w.string(value)
          }
        }

        if ((obj.uptimeMs != null && obj.uptimeMs !== 0n)) {
          w.uint32(40)
          w.uint64(obj.uptimeMs)
        }

        if ((obj.role != null && obj.role !== '')) {
          w.uint32(50)
          w.string(obj.role)
        }

        if ((obj.term != null && obj.term !== 0n)) {
          w.uint32(56)
          w.uint64(obj.term)
        }

        if ((obj.leader != null && obj.leader !== '')) {
          w.uint32(66)
          w.string(obj.leader)
        }

        if ((obj.mesh != null && obj.mesh !== '')) {
          w.uint32(74)
          w.string(obj.mesh)
        }

        if ((obj.incarnation != null && obj.incarnation !== 0n)) {
          w.uint32(80)
          w.uint64(obj.incarnation)
        }

        if ((obj.load != null && obj.load !== 0)) {
          w.uint32(89)
          w.double(obj.load)
        }

        if (obj.capabilities != null) {
          for (const value of obj.capabilities) {
            w.uint32(98)
            w.string(value)
          }
        }

        if (obj.peers != null) {
          for (const value of obj.peers) {
            w.uint32(106)
            PeerStatus.codec().encode(value, w)
          }
        }

        if (obj.counters != null) {
          for (const value of obj.counters) {
            w.uint32(114)
            Counter.codec().encode(value, w)
          }
        }

        if ((obj.commitIndex != null && obj.commitIndex !== 0n)) {
          w.uint32(120)
          w.uint64(obj.commitIndex)
        }

        if ((obj.appliedIndex != null && obj.appliedIndex !== 0n)) {
          w.uint32(128)
          w.uint64(obj.appliedIndex)
        }

        if (obj.voters != null) {
          for (const value of obj.voters) {
            w.uint32(138)
            w.string(value)
          }
        }

        if (obj.learners != null) {
          for (const value of obj.learners) {
            w.uint32(146)
            w.string(value)
          }
        }

        if ((obj.formation != null && obj.formation !== '')) {
          w.uint32(154)
          w.string(obj.formation)
        }

        if ((obj.rssBytes != null && obj.rssBytes !== 0n)) {
          w.uint32(160)
          w.uint64(obj.rssBytes)
        }

        if ((obj.heapUsedBytes != null && obj.heapUsedBytes !== 0n)) {
          w.uint32(168)
          w.uint64(obj.heapUsedBytes)
        }

        if ((obj.security != null && obj.security !== '')) {
          w.uint32(178)
          w.string(obj.security)
        }

        if (obj.dead != null) {
          for (const value of obj.dead) {
            w.uint32(186)
            DeadPeer.codec().encode(value, w)
          }
        }

        if ((obj.quorum != null && obj.quorum !== '')) {
          w.uint32(194)
          w.string(obj.quorum)
        }

        if (obj.quorumLastContactMs != null) {
          w.uint32(200)
          w.uint64(obj.quorumLastContactMs)
        }

        if ((obj.draining != null && obj.draining !== false)) {
          w.uint32(208)
          w.bool(obj.draining)
        }

        if ((obj.http != null && obj.http !== '')) {
          w.uint32(218)
          w.string(obj.http)
        }

        if (obj.circuits != null) {
          for (const value of obj.circuits) {
            w.uint32(242)
            Circuit.codec().encode(value, w)
          }
        }

        if (obj.resources != null) {
          w.uint32(266)
          ResourceStatus.codec().encode(obj.resources, w)
        }

        if (obj.stuckJobs != null) {
          w.uint32(272)
          w.uint32(obj.stuckJobs)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peerId: '',
          name: '',
          version: '',
          addrs: [],
          uptimeMs: 0n,
          role: '',
          term: 0n,
          leader: '',
          mesh: '',
          incarnation: 0n,
          load: 0,
          capabilities: [],
          peers: [],
          counters: [],
          commitIndex: 0n,
          appliedIndex: 0n,
          voters: [],
          learners: [],
          formation: '',
          rssBytes: 0n,
          heapUsedBytes: 0n,
          security: '',
          dead: [],
          quorum: '',
          draining: false,
          http: '',
          circuits: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.peerId = reader.string()
              break
            }
            case 2: {
              obj.name = reader.string()
              break
            }
            case 3: {
              obj.version = reader.string()
              break
            }
            case 4: {
              if (opts.limits?.addrs != null && obj.addrs.length === opts.limits.addrs) {
                throw new MaxLengthError('Decode error - map field "addrs" had too many elements')
              }

              obj.addrs.push(reader.string())
              break
            }
            case 5: {
              obj.uptimeMs = reader.uint64()
              break
            }
            case 6: {
              obj.role = reader.string()
              break
            }
            case 7: {
              obj.term = reader.uint64()
              break
            }
            case 8: {
              obj.leader = reader.string()
              break
            }
            case 9: {
              obj.mesh = reader.string()
              break
            }
            case 10: {
              obj.incarnation = reader.uint64()
              break
            }
            case 11: {
              obj.load = reader.double()
              break
            }
            case 12: {
              if (opts.limits?.capabilities != null && obj.capabilities.length === opts.limits.capabilities) {
                throw new MaxLengthError('Decode error - map field "capabilities" had too many elements')
              }

              obj.capabilities.push(reader.string())
              break
            }
            case 13: {
              if (opts.limits?.peers != null && obj.peers.length === opts.limits.peers) {
                throw new MaxLengthError('Decode error - map field "peers" had too many elements')
              }

              obj.peers.push(PeerStatus.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.peers$
              }))
              break
            }
            case 14: {
              if (opts.limits?.counters != null && obj.counters.length === opts.limits.counters) {
                throw new MaxLengthError('Decode error - map field "counters" had too many elements')
              }

              obj.counters.push(Counter.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.counters$
              }))
              break
            }
            case 15: {
              obj.commitIndex = reader.uint64()
              break
            }
            case 16: {
              obj.appliedIndex = reader.uint64()
              break
            }
            case 17: {
              if (opts.limits?.voters != null && obj.voters.length === opts.limits.voters) {
                throw new MaxLengthError('Decode error - map field "voters" had too many elements')
              }

              obj.voters.push(reader.string())
              break
            }
            case 18: {
              if (opts.limits?.learners != null && obj.learners.length === opts.limits.learners) {
                throw new MaxLengthError('Decode error - map field "learners" had too many elements')
              }

              obj.learners.push(reader.string())
              break
            }
            case 19: {
              obj.formation = reader.string()
              break
            }
            case 20: {
              obj.rssBytes = reader.uint64()
              break
            }
            case 21: {
              obj.heapUsedBytes = reader.uint64()
              break
            }
            case 22: {
              obj.security = reader.string()
              break
            }
            case 23: {
              if (opts.limits?.dead != null && obj.dead.length === opts.limits.dead) {
                throw new MaxLengthError('Decode error - map field "dead" had too many elements')
              }

              obj.dead.push(DeadPeer.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.dead$
              }))
              break
            }
            case 24: {
              obj.quorum = reader.string()
              break
            }
            case 25: {
              obj.quorumLastContactMs = reader.uint64()
              break
            }
            case 26: {
              obj.draining = reader.bool()
              break
            }
            case 27: {
              obj.http = reader.string()
              break
            }
            case 30: {
              if (opts.limits?.circuits != null && obj.circuits.length === opts.limits.circuits) {
                throw new MaxLengthError('Decode error - map field "circuits" had too many elements')
              }

              obj.circuits.push(Circuit.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.circuits$
              }))
              break
            }
            case 33: {
              obj.resources = ResourceStatus.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.resources
              })
              break
            }
            case 34: {
              obj.stuckJobs = reader.uint32()
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

  export const encode = (obj: Partial<StatusResponse>): Uint8Array => {
    return encodeMessage(obj, StatusResponse.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StatusResponse>): StatusResponse => {
    return decodeMessage(buf, StatusResponse.codec(), opts)
  }
}

export interface ResourceStatus {
  rssBytes: bigint
  maxRssBytes: bigint
  freeDiskBytes?: bigint
  minFreeDiskBytes: bigint
  pressure: string[]
  writeError?: string
}

export namespace ResourceStatus {
  let _codec: Codec<ResourceStatus>

  export const codec = (): Codec<ResourceStatus> => {
    if (_codec == null) {
      _codec = message<ResourceStatus>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.rssBytes != null && obj.rssBytes !== 0n)) {
          w.uint32(8)
          w.uint64(obj.rssBytes)
        }

        if ((obj.maxRssBytes != null && obj.maxRssBytes !== 0n)) {
          w.uint32(16)
          w.uint64(obj.maxRssBytes)
        }

        if (obj.freeDiskBytes != null) {
          w.uint32(24)
          w.uint64(obj.freeDiskBytes)
        }

        if ((obj.minFreeDiskBytes != null && obj.minFreeDiskBytes !== 0n)) {
          w.uint32(32)
          w.uint64(obj.minFreeDiskBytes)
        }

        if (obj.pressure != null) {
          for (const value of obj.pressure) {
            w.uint32(42)
            w.string(value)
          }
        }

        if (obj.writeError != null) {
          w.uint32(50)
          w.string(obj.writeError)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          rssBytes: 0n,
          maxRssBytes: 0n,
          minFreeDiskBytes: 0n,
          pressure: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.rssBytes = reader.uint64()
              break
            }
            case 2: {
              obj.maxRssBytes = reader.uint64()
              break
            }
            case 3: {
              obj.freeDiskBytes = reader.uint64()
              break
            }
            case 4: {
              obj.minFreeDiskBytes = reader.uint64()
              break
            }
            case 5: {
              if (opts.limits?.pressure != null && obj.pressure.length === opts.limits.pressure) {
                throw new MaxLengthError('Decode error - map field "pressure" had too many elements')
              }

              obj.pressure.push(reader.string())
              break
            }
            case 6: {
              obj.writeError = reader.string()
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

  export const encode = (obj: Partial<ResourceStatus>): Uint8Array => {
    return encodeMessage(obj, ResourceStatus.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ResourceStatus>): ResourceStatus => {
    return decodeMessage(buf, ResourceStatus.codec(), opts)
  }
}
