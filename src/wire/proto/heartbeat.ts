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

export interface Heartbeat {
  mesh: string
  name: string
  version: string
  addrs: string[]
  incarnation: bigint
  seq: bigint
  load: number
  capabilities: string[]
  role: string
  term: bigint
  leader: string
  uptimeMs: bigint
  leaving: boolean
  bootstrapSet: string[]
  queued: number
  slots: number
  draining: boolean
  fullyConnected: boolean
  quietMs?: number
  framesAlive: boolean
  vouchMembers?: number
  bootstrapVoters?: number
  lagMs?: number
  direct: number[]
}

export namespace Heartbeat {
  let _codec: Codec<Heartbeat>

  export const codec = (): Codec<Heartbeat> => {
    if (_codec == null) {
      _codec = message<Heartbeat>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.mesh != null && obj.mesh !== '')) {
          w.uint32(10)
          w.string(obj.mesh)
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

        if ((obj.incarnation != null && obj.incarnation !== 0n)) {
          w.uint32(40)
          w.uint64(obj.incarnation)
        }

        if ((obj.seq != null && obj.seq !== 0n)) {
          w.uint32(48)
          w.uint64(obj.seq)
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

        if ((obj.leader != null && obj.leader !== '')) {
          w.uint32(90)
          w.string(obj.leader)
        }

        if ((obj.uptimeMs != null && obj.uptimeMs !== 0n)) {
          w.uint32(96)
          w.uint64(obj.uptimeMs)
        }

        if ((obj.leaving != null && obj.leaving !== false)) {
          w.uint32(104)
          w.bool(obj.leaving)
        }

        if (obj.bootstrapSet != null) {
          for (const value of obj.bootstrapSet) {
            w.uint32(114)
            w.string(value)
          }
        }

        if ((obj.queued != null && obj.queued !== 0)) {
          w.uint32(120)
          w.uint32(obj.queued)
        }

        if ((obj.slots != null && obj.slots !== 0)) {
          w.uint32(128)
          w.uint32(obj.slots)
        }

        if ((obj.draining != null && obj.draining !== false)) {
          w.uint32(136)
          w.bool(obj.draining)
        }

        if ((obj.fullyConnected != null && obj.fullyConnected !== false)) {
          w.uint32(144)
          w.bool(obj.fullyConnected)
        }

        if (obj.quietMs != null) {
          w.uint32(152)
          w.uint32(obj.quietMs)
        }

        if ((obj.framesAlive != null && obj.framesAlive !== false)) {
          w.uint32(160)
          w.bool(obj.framesAlive)
        }

        if (obj.vouchMembers != null) {
          w.uint32(173)
          w.fixed32(obj.vouchMembers)
        }

        if (obj.bootstrapVoters != null) {
          w.uint32(176)
          w.uint32(obj.bootstrapVoters)
        }

        if (obj.lagMs != null) {
          w.uint32(184)
          w.uint32(obj.lagMs)
        }

        if (obj.direct != null) {
          for (const value of obj.direct) {
            w.uint32(197)
            w.fixed32(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          mesh: '',
          name: '',
          version: '',
          addrs: [],
          incarnation: 0n,
          seq: 0n,
          load: 0,
          capabilities: [],
          role: '',
          term: 0n,
          leader: '',
          uptimeMs: 0n,
          leaving: false,
          bootstrapSet: [],
          queued: 0,
          slots: 0,
          draining: false,
          fullyConnected: false,
          framesAlive: false,
          direct: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.mesh = reader.string()
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
              obj.incarnation = reader.uint64()
              break
            }
            case 6: {
              obj.seq = reader.uint64()
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
              obj.leader = reader.string()
              break
            }
            case 12: {
              obj.uptimeMs = reader.uint64()
              break
            }
            case 13: {
              obj.leaving = reader.bool()
              break
            }
            case 14: {
              if (opts.limits?.bootstrapSet != null && obj.bootstrapSet.length === opts.limits.bootstrapSet) {
                throw new MaxLengthError('Decode error - map field "bootstrapSet" had too many elements')
              }

              obj.bootstrapSet.push(reader.string())
              break
            }
            case 15: {
              obj.queued = reader.uint32()
              break
            }
            case 16: {
              obj.slots = reader.uint32()
              break
            }
            case 17: {
              obj.draining = reader.bool()
              break
            }
            case 18: {
              obj.fullyConnected = reader.bool()
              break
            }
            case 19: {
              obj.quietMs = reader.uint32()
              break
            }
            case 20: {
              obj.framesAlive = reader.bool()
              break
            }
            case 21: {
              obj.vouchMembers = reader.fixed32()
              break
            }
            case 22: {
              obj.bootstrapVoters = reader.uint32()
              break
            }
            case 23: {
              obj.lagMs = reader.uint32()
              break
            }
            case 24: {
              if (opts.limits?.direct != null && obj.direct.length === opts.limits.direct) {
                throw new MaxLengthError('Decode error - map field "direct" had too many elements')
              }

              obj.direct.push(reader.fixed32())
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

  export const encode = (obj: Partial<Heartbeat>): Uint8Array => {
    return encodeMessage(obj, Heartbeat.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Heartbeat>): Heartbeat => {
    return decodeMessage(buf, Heartbeat.codec(), opts)
  }
}
