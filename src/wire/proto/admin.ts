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

export interface ConfigSet {
  key: string
  value: string
  expectVersion?: bigint
}

export namespace ConfigSet {
  let _codec: Codec<ConfigSet>

  export const codec = (): Codec<ConfigSet> => {
    if (_codec == null) {
      _codec = message<ConfigSet>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.key != null && obj.key !== '')) {
          w.uint32(10)
          w.string(obj.key)
        }

        if ((obj.value != null && obj.value !== '')) {
          w.uint32(18)
          w.string(obj.value)
        }

        if (obj.expectVersion != null) {
          w.uint32(24)
          w.uint64(obj.expectVersion)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          key: '',
          value: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.key = reader.string()
              break
            }
            case 2: {
              obj.value = reader.string()
              break
            }
            case 3: {
              obj.expectVersion = reader.uint64()
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

  export const encode = (obj: Partial<ConfigSet>): Uint8Array => {
    return encodeMessage(obj, ConfigSet.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ConfigSet>): ConfigSet => {
    return decodeMessage(buf, ConfigSet.codec(), opts)
  }
}

export interface ConfigGet {
  key: string
}

export namespace ConfigGet {
  let _codec: Codec<ConfigGet>

  export const codec = (): Codec<ConfigGet> => {
    if (_codec == null) {
      _codec = message<ConfigGet>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.key != null && obj.key !== '')) {
          w.uint32(10)
          w.string(obj.key)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          key: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.key = reader.string()
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

  export const encode = (obj: Partial<ConfigGet>): Uint8Array => {
    return encodeMessage(obj, ConfigGet.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ConfigGet>): ConfigGet => {
    return decodeMessage(buf, ConfigGet.codec(), opts)
  }
}

export interface ConfigList {}

export namespace ConfigList {
  let _codec: Codec<ConfigList>

  export const codec = (): Codec<ConfigList> => {
    if (_codec == null) {
      _codec = message<ConfigList>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {}

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
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

  export const encode = (obj: Partial<ConfigList>): Uint8Array => {
    return encodeMessage(obj, ConfigList.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ConfigList>): ConfigList => {
    return decodeMessage(buf, ConfigList.codec(), opts)
  }
}

export interface ConfigDelete {
  key: string
  expectVersion?: bigint
}

export namespace ConfigDelete {
  let _codec: Codec<ConfigDelete>

  export const codec = (): Codec<ConfigDelete> => {
    if (_codec == null) {
      _codec = message<ConfigDelete>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.key != null && obj.key !== '')) {
          w.uint32(10)
          w.string(obj.key)
        }

        if (obj.expectVersion != null) {
          w.uint32(16)
          w.uint64(obj.expectVersion)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          key: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.key = reader.string()
              break
            }
            case 2: {
              obj.expectVersion = reader.uint64()
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

  export const encode = (obj: Partial<ConfigDelete>): Uint8Array => {
    return encodeMessage(obj, ConfigDelete.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ConfigDelete>): ConfigDelete => {
    return decodeMessage(buf, ConfigDelete.codec(), opts)
  }
}

export interface JobsSubmit {
  jobs: string[]
}

export namespace JobsSubmit {
  let _codec: Codec<JobsSubmit>

  export const codec = (): Codec<JobsSubmit> => {
    if (_codec == null) {
      _codec = message<JobsSubmit>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.jobs != null) {
          for (const value of obj.jobs) {
            w.uint32(10)
            w.string(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          jobs: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.jobs != null && obj.jobs.length === opts.limits.jobs) {
                throw new MaxLengthError('Decode error - map field "jobs" had too many elements')
              }

              obj.jobs.push(reader.string())
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

  export const encode = (obj: Partial<JobsSubmit>): Uint8Array => {
    return encodeMessage(obj, JobsSubmit.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<JobsSubmit>): JobsSubmit => {
    return decodeMessage(buf, JobsSubmit.codec(), opts)
  }
}

export interface JobsList {
  limit: number
  before: string
  since?: number
  all?: boolean
  stuck?: boolean
  here?: boolean
}

export namespace JobsList {
  let _codec: Codec<JobsList>

  export const codec = (): Codec<JobsList> => {
    if (_codec == null) {
      _codec = message<JobsList>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.limit != null && obj.limit !== 0)) {
          w.uint32(8)
          w.uint32(obj.limit)
        }

        if ((obj.before != null && obj.before !== '')) {
          w.uint32(18)
          w.string(obj.before)
        }

        if (obj.since != null) {
          w.uint32(24)
          w.uint64Number(obj.since)
        }

        if (obj.all != null) {
          w.uint32(72)
          w.bool(obj.all)
        }

        if (obj.stuck != null) {
          w.uint32(240)
          w.bool(obj.stuck)
        }

        if (obj.here != null) {
          w.uint32(248)
          w.bool(obj.here)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          limit: 0,
          before: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.limit = reader.uint32()
              break
            }
            case 2: {
              obj.before = reader.string()
              break
            }
            case 3: {
              obj.since = reader.uint64Number()
              break
            }
            case 9: {
              obj.all = reader.bool()
              break
            }
            case 30: {
              obj.stuck = reader.bool()
              break
            }
            case 31: {
              obj.here = reader.bool()
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

  export const encode = (obj: Partial<JobsList>): Uint8Array => {
    return encodeMessage(obj, JobsList.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<JobsList>): JobsList => {
    return decodeMessage(buf, JobsList.codec(), opts)
  }
}

export interface JobGet {
  id: string
  results: boolean
  limit: number
  after: string
  waitMs?: number
}

export namespace JobGet {
  let _codec: Codec<JobGet>

  export const codec = (): Codec<JobGet> => {
    if (_codec == null) {
      _codec = message<JobGet>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.id != null && obj.id !== '')) {
          w.uint32(10)
          w.string(obj.id)
        }

        if ((obj.results != null && obj.results !== false)) {
          w.uint32(16)
          w.bool(obj.results)
        }

        if ((obj.limit != null && obj.limit !== 0)) {
          w.uint32(24)
          w.uint32(obj.limit)
        }

        if ((obj.after != null && obj.after !== '')) {
          w.uint32(34)
          w.string(obj.after)
        }

        if (obj.waitMs != null) {
          w.uint32(40)
          w.uint32(obj.waitMs)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: '',
          results: false,
          limit: 0,
          after: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.id = reader.string()
              break
            }
            case 2: {
              obj.results = reader.bool()
              break
            }
            case 3: {
              obj.limit = reader.uint32()
              break
            }
            case 4: {
              obj.after = reader.string()
              break
            }
            case 5: {
              obj.waitMs = reader.uint32()
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

  export const encode = (obj: Partial<JobGet>): Uint8Array => {
    return encodeMessage(obj, JobGet.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<JobGet>): JobGet => {
    return decodeMessage(buf, JobGet.codec(), opts)
  }
}

export interface JobCancel {
  id: string
}

export namespace JobCancel {
  let _codec: Codec<JobCancel>

  export const codec = (): Codec<JobCancel> => {
    if (_codec == null) {
      _codec = message<JobCancel>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.id != null && obj.id !== '')) {
          w.uint32(10)
          w.string(obj.id)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.id = reader.string()
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

  export const encode = (obj: Partial<JobCancel>): Uint8Array => {
    return encodeMessage(obj, JobCancel.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<JobCancel>): JobCancel => {
    return decodeMessage(buf, JobCancel.codec(), opts)
  }
}

export interface GrantSet {
  peerId: string
  role: string
  commands: boolean
}

export namespace GrantSet {
  let _codec: Codec<GrantSet>

  export const codec = (): Codec<GrantSet> => {
    if (_codec == null) {
      _codec = message<GrantSet>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.peerId != null && obj.peerId !== '')) {
          w.uint32(10)
          w.string(obj.peerId)
        }

        if ((obj.role != null && obj.role !== '')) {
          w.uint32(18)
          w.string(obj.role)
        }

        if ((obj.commands != null && obj.commands !== false)) {
          w.uint32(24)
          w.bool(obj.commands)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peerId: '',
          role: '',
          commands: false
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
              obj.role = reader.string()
              break
            }
            case 3: {
              obj.commands = reader.bool()
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

  export const encode = (obj: Partial<GrantSet>): Uint8Array => {
    return encodeMessage(obj, GrantSet.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<GrantSet>): GrantSet => {
    return decodeMessage(buf, GrantSet.codec(), opts)
  }
}

export interface GrantRemove {
  peerId: string
}

export namespace GrantRemove {
  let _codec: Codec<GrantRemove>

  export const codec = (): Codec<GrantRemove> => {
    if (_codec == null) {
      _codec = message<GrantRemove>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.peerId != null && obj.peerId !== '')) {
          w.uint32(10)
          w.string(obj.peerId)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peerId: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.peerId = reader.string()
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

  export const encode = (obj: Partial<GrantRemove>): Uint8Array => {
    return encodeMessage(obj, GrantRemove.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<GrantRemove>): GrantRemove => {
    return decodeMessage(buf, GrantRemove.codec(), opts)
  }
}

export interface GrantList {}

export namespace GrantList {
  let _codec: Codec<GrantList>

  export const codec = (): Codec<GrantList> => {
    if (_codec == null) {
      _codec = message<GrantList>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {}

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
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

  export const encode = (obj: Partial<GrantList>): Uint8Array => {
    return encodeMessage(obj, GrantList.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<GrantList>): GrantList => {
    return decodeMessage(buf, GrantList.codec(), opts)
  }
}

export interface WhoAmI {}

export namespace WhoAmI {
  let _codec: Codec<WhoAmI>

  export const codec = (): Codec<WhoAmI> => {
    if (_codec == null) {
      _codec = message<WhoAmI>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {}

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
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

  export const encode = (obj: Partial<WhoAmI>): Uint8Array => {
    return encodeMessage(obj, WhoAmI.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<WhoAmI>): WhoAmI => {
    return decodeMessage(buf, WhoAmI.codec(), opts)
  }
}

export interface AuditList {
  limit: number
  before: string
}

export namespace AuditList {
  let _codec: Codec<AuditList>

  export const codec = (): Codec<AuditList> => {
    if (_codec == null) {
      _codec = message<AuditList>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.limit != null && obj.limit !== 0)) {
          w.uint32(8)
          w.uint32(obj.limit)
        }

        if ((obj.before != null && obj.before !== '')) {
          w.uint32(18)
          w.string(obj.before)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          limit: 0,
          before: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.limit = reader.uint32()
              break
            }
            case 2: {
              obj.before = reader.string()
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

  export const encode = (obj: Partial<AuditList>): Uint8Array => {
    return encodeMessage(obj, AuditList.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AuditList>): AuditList => {
    return decodeMessage(buf, AuditList.codec(), opts)
  }
}

export interface NodeDrain {
  deadlineMs: number
}

export namespace NodeDrain {
  let _codec: Codec<NodeDrain>

  export const codec = (): Codec<NodeDrain> => {
    if (_codec == null) {
      _codec = message<NodeDrain>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.deadlineMs != null && obj.deadlineMs !== 0)) {
          w.uint32(8)
          w.uint64Number(obj.deadlineMs)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          deadlineMs: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.deadlineMs = reader.uint64Number()
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

  export const encode = (obj: Partial<NodeDrain>): Uint8Array => {
    return encodeMessage(obj, NodeDrain.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<NodeDrain>): NodeDrain => {
    return decodeMessage(buf, NodeDrain.codec(), opts)
  }
}

export interface NodeRetire {
  peerId: string
  incarnation: number
  reason: string
}

export namespace NodeRetire {
  let _codec: Codec<NodeRetire>

  export const codec = (): Codec<NodeRetire> => {
    if (_codec == null) {
      _codec = message<NodeRetire>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.peerId != null && obj.peerId !== '')) {
          w.uint32(10)
          w.string(obj.peerId)
        }

        if ((obj.incarnation != null && obj.incarnation !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.incarnation)
        }

        if ((obj.reason != null && obj.reason !== '')) {
          w.uint32(26)
          w.string(obj.reason)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peerId: '',
          incarnation: 0,
          reason: ''
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
              obj.incarnation = reader.uint64Number()
              break
            }
            case 3: {
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

  export const encode = (obj: Partial<NodeRetire>): Uint8Array => {
    return encodeMessage(obj, NodeRetire.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<NodeRetire>): NodeRetire => {
    return decodeMessage(buf, NodeRetire.codec(), opts)
  }
}

export interface StatsGet {
  sinceMs: number
}

export namespace StatsGet {
  let _codec: Codec<StatsGet>

  export const codec = (): Codec<StatsGet> => {
    if (_codec == null) {
      _codec = message<StatsGet>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.sinceMs != null && obj.sinceMs !== 0)) {
          w.uint32(8)
          w.uint64Number(obj.sinceMs)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          sinceMs: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.sinceMs = reader.uint64Number()
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

  export const encode = (obj: Partial<StatsGet>): Uint8Array => {
    return encodeMessage(obj, StatsGet.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StatsGet>): StatsGet => {
    return decodeMessage(buf, StatsGet.codec(), opts)
  }
}

export interface RaftListPeers {}

export namespace RaftListPeers {
  let _codec: Codec<RaftListPeers>

  export const codec = (): Codec<RaftListPeers> => {
    if (_codec == null) {
      _codec = message<RaftListPeers>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {}

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
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

  export const encode = (obj: Partial<RaftListPeers>): Uint8Array => {
    return encodeMessage(obj, RaftListPeers.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RaftListPeers>): RaftListPeers => {
    return decodeMessage(buf, RaftListPeers.codec(), opts)
  }
}

export interface RaftRemovePeer {
  peerId: string
}

export namespace RaftRemovePeer {
  let _codec: Codec<RaftRemovePeer>

  export const codec = (): Codec<RaftRemovePeer> => {
    if (_codec == null) {
      _codec = message<RaftRemovePeer>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.peerId != null && obj.peerId !== '')) {
          w.uint32(10)
          w.string(obj.peerId)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peerId: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.peerId = reader.string()
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

  export const encode = (obj: Partial<RaftRemovePeer>): Uint8Array => {
    return encodeMessage(obj, RaftRemovePeer.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RaftRemovePeer>): RaftRemovePeer => {
    return decodeMessage(buf, RaftRemovePeer.codec(), opts)
  }
}

export interface RetentionStatus {}

export namespace RetentionStatus {
  let _codec: Codec<RetentionStatus>

  export const codec = (): Codec<RetentionStatus> => {
    if (_codec == null) {
      _codec = message<RetentionStatus>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {}

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
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

  export const encode = (obj: Partial<RetentionStatus>): Uint8Array => {
    return encodeMessage(obj, RetentionStatus.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RetentionStatus>): RetentionStatus => {
    return decodeMessage(buf, RetentionStatus.codec(), opts)
  }
}

export interface IncidentsList {
  since?: number
  limit: number
  mesh: boolean
}

export namespace IncidentsList {
  let _codec: Codec<IncidentsList>

  export const codec = (): Codec<IncidentsList> => {
    if (_codec == null) {
      _codec = message<IncidentsList>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.since != null) {
          w.uint32(8)
          w.uint64Number(obj.since)
        }

        if ((obj.limit != null && obj.limit !== 0)) {
          w.uint32(16)
          w.uint32(obj.limit)
        }

        if ((obj.mesh != null && obj.mesh !== false)) {
          w.uint32(24)
          w.bool(obj.mesh)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          limit: 0,
          mesh: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.since = reader.uint64Number()
              break
            }
            case 2: {
              obj.limit = reader.uint32()
              break
            }
            case 3: {
              obj.mesh = reader.bool()
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

  export const encode = (obj: Partial<IncidentsList>): Uint8Array => {
    return encodeMessage(obj, IncidentsList.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<IncidentsList>): IncidentsList => {
    return decodeMessage(buf, IncidentsList.codec(), opts)
  }
}

export interface IncidentGet {
  id: string
  mesh: boolean
}

export namespace IncidentGet {
  let _codec: Codec<IncidentGet>

  export const codec = (): Codec<IncidentGet> => {
    if (_codec == null) {
      _codec = message<IncidentGet>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.id != null && obj.id !== '')) {
          w.uint32(10)
          w.string(obj.id)
        }

        if ((obj.mesh != null && obj.mesh !== false)) {
          w.uint32(16)
          w.bool(obj.mesh)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: '',
          mesh: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.id = reader.string()
              break
            }
            case 2: {
              obj.mesh = reader.bool()
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

  export const encode = (obj: Partial<IncidentGet>): Uint8Array => {
    return encodeMessage(obj, IncidentGet.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<IncidentGet>): IncidentGet => {
    return decodeMessage(buf, IncidentGet.codec(), opts)
  }
}

export interface ApprovalsList {
  all: boolean
}

export namespace ApprovalsList {
  let _codec: Codec<ApprovalsList>

  export const codec = (): Codec<ApprovalsList> => {
    if (_codec == null) {
      _codec = message<ApprovalsList>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.all != null && obj.all !== false)) {
          w.uint32(8)
          w.bool(obj.all)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          all: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.all = reader.bool()
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

  export const encode = (obj: Partial<ApprovalsList>): Uint8Array => {
    return encodeMessage(obj, ApprovalsList.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ApprovalsList>): ApprovalsList => {
    return decodeMessage(buf, ApprovalsList.codec(), opts)
  }
}

export interface ApprovalDecide {
  id: string
  approved: boolean
  comment: string
}

export namespace ApprovalDecide {
  let _codec: Codec<ApprovalDecide>

  export const codec = (): Codec<ApprovalDecide> => {
    if (_codec == null) {
      _codec = message<ApprovalDecide>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.id != null && obj.id !== '')) {
          w.uint32(10)
          w.string(obj.id)
        }

        if ((obj.approved != null && obj.approved !== false)) {
          w.uint32(16)
          w.bool(obj.approved)
        }

        if ((obj.comment != null && obj.comment !== '')) {
          w.uint32(26)
          w.string(obj.comment)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: '',
          approved: false,
          comment: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.id = reader.string()
              break
            }
            case 2: {
              obj.approved = reader.bool()
              break
            }
            case 3: {
              obj.comment = reader.string()
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

  export const encode = (obj: Partial<ApprovalDecide>): Uint8Array => {
    return encodeMessage(obj, ApprovalDecide.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ApprovalDecide>): ApprovalDecide => {
    return decodeMessage(buf, ApprovalDecide.codec(), opts)
  }
}

export interface ApprovalPropose {
  request: string
}

export namespace ApprovalPropose {
  let _codec: Codec<ApprovalPropose>

  export const codec = (): Codec<ApprovalPropose> => {
    if (_codec == null) {
      _codec = message<ApprovalPropose>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.request != null && obj.request !== '')) {
          w.uint32(10)
          w.string(obj.request)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          request: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.request = reader.string()
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

  export const encode = (obj: Partial<ApprovalPropose>): Uint8Array => {
    return encodeMessage(obj, ApprovalPropose.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ApprovalPropose>): ApprovalPropose => {
    return decodeMessage(buf, ApprovalPropose.codec(), opts)
  }
}

export interface ScheduleAdd {
  name: string
  cron: string
  tz: string
  misfire: string
  catchUpMs?: number
  job: string
  paused: boolean
}

export namespace ScheduleAdd {
  let _codec: Codec<ScheduleAdd>

  export const codec = (): Codec<ScheduleAdd> => {
    if (_codec == null) {
      _codec = message<ScheduleAdd>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(10)
          w.string(obj.name)
        }

        if ((obj.cron != null && obj.cron !== '')) {
          w.uint32(18)
          w.string(obj.cron)
        }

        if ((obj.tz != null && obj.tz !== '')) {
          w.uint32(26)
          w.string(obj.tz)
        }

        if ((obj.misfire != null && obj.misfire !== '')) {
          w.uint32(34)
          w.string(obj.misfire)
        }

        if (obj.catchUpMs != null) {
          w.uint32(40)
          w.uint64Number(obj.catchUpMs)
        }

        if ((obj.job != null && obj.job !== '')) {
          w.uint32(50)
          w.string(obj.job)
        }

        if ((obj.paused != null && obj.paused !== false)) {
          w.uint32(56)
          w.bool(obj.paused)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          name: '',
          cron: '',
          tz: '',
          misfire: '',
          job: '',
          paused: false
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
              obj.cron = reader.string()
              break
            }
            case 3: {
              obj.tz = reader.string()
              break
            }
            case 4: {
              obj.misfire = reader.string()
              break
            }
            case 5: {
              obj.catchUpMs = reader.uint64Number()
              break
            }
            case 6: {
              obj.job = reader.string()
              break
            }
            case 7: {
              obj.paused = reader.bool()
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

  export const encode = (obj: Partial<ScheduleAdd>): Uint8Array => {
    return encodeMessage(obj, ScheduleAdd.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ScheduleAdd>): ScheduleAdd => {
    return decodeMessage(buf, ScheduleAdd.codec(), opts)
  }
}

export interface ScheduleList {}

export namespace ScheduleList {
  let _codec: Codec<ScheduleList>

  export const codec = (): Codec<ScheduleList> => {
    if (_codec == null) {
      _codec = message<ScheduleList>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {}

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
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

  export const encode = (obj: Partial<ScheduleList>): Uint8Array => {
    return encodeMessage(obj, ScheduleList.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ScheduleList>): ScheduleList => {
    return decodeMessage(buf, ScheduleList.codec(), opts)
  }
}

export interface ScheduleRemove {
  name: string
}

export namespace ScheduleRemove {
  let _codec: Codec<ScheduleRemove>

  export const codec = (): Codec<ScheduleRemove> => {
    if (_codec == null) {
      _codec = message<ScheduleRemove>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(10)
          w.string(obj.name)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          name: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.name = reader.string()
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

  export const encode = (obj: Partial<ScheduleRemove>): Uint8Array => {
    return encodeMessage(obj, ScheduleRemove.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ScheduleRemove>): ScheduleRemove => {
    return decodeMessage(buf, ScheduleRemove.codec(), opts)
  }
}

export interface SchedulePause {
  name: string
  paused: boolean
}

export namespace SchedulePause {
  let _codec: Codec<SchedulePause>

  export const codec = (): Codec<SchedulePause> => {
    if (_codec == null) {
      _codec = message<SchedulePause>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(10)
          w.string(obj.name)
        }

        if ((obj.paused != null && obj.paused !== false)) {
          w.uint32(16)
          w.bool(obj.paused)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          name: '',
          paused: false
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
              obj.paused = reader.bool()
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

  export const encode = (obj: Partial<SchedulePause>): Uint8Array => {
    return encodeMessage(obj, SchedulePause.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SchedulePause>): SchedulePause => {
    return decodeMessage(buf, SchedulePause.codec(), opts)
  }
}

export interface AdminRequest {
  configSet?: ConfigSet
  configGet?: ConfigGet
  configList?: ConfigList
  configDelete?: ConfigDelete
  jobsSubmit?: JobsSubmit
  jobsList?: JobsList
  jobGet?: JobGet
  jobCancel?: JobCancel
  grantSet?: GrantSet
  grantRemove?: GrantRemove
  grantList?: GrantList
  whoAmI?: WhoAmI
  auditList?: AuditList
  nodeDrain?: NodeDrain
  nodeRetire?: NodeRetire
  statsGet?: StatsGet
  raftListPeers?: RaftListPeers
  raftRemovePeer?: RaftRemovePeer
  retentionStatus?: RetentionStatus
  incidentsList?: IncidentsList
  incidentGet?: IncidentGet
  approvalsList?: ApprovalsList
  approvalDecide?: ApprovalDecide
  approvalPropose?: ApprovalPropose
  scheduleAdd?: ScheduleAdd
  scheduleList?: ScheduleList
  scheduleRemove?: ScheduleRemove
  schedulePause?: SchedulePause
}

export namespace AdminRequest {
  let _codec: Codec<AdminRequest>

  export const codec = (): Codec<AdminRequest> => {
    if (_codec == null) {
      _codec = message<AdminRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        obj = { ...obj }

        if (obj.schedulePause != null) {
          obj.scheduleRemove = undefined
          obj.scheduleList = undefined
          obj.scheduleAdd = undefined
          obj.approvalPropose = undefined
          obj.approvalDecide = undefined
          obj.approvalsList = undefined
          obj.incidentGet = undefined
          obj.incidentsList = undefined
          obj.retentionStatus = undefined
          obj.raftRemovePeer = undefined
          obj.raftListPeers = undefined
          obj.statsGet = undefined
          obj.nodeRetire = undefined
          obj.nodeDrain = undefined
          obj.auditList = undefined
          obj.whoAmI = undefined
          obj.grantList = undefined
          obj.grantRemove = undefined
          obj.grantSet = undefined
          obj.jobCancel = undefined
          obj.jobGet = undefined
          obj.jobsList = undefined
          obj.jobsSubmit = undefined
          obj.configDelete = undefined
          obj.configList = undefined
          obj.configGet = undefined
          obj.configSet = undefined
        }

        if (obj.scheduleRemove != null) {
          obj.schedulePause = undefined
          obj.scheduleList = undefined
          obj.scheduleAdd = undefined
          obj.approvalPropose = undefined
          obj.approvalDecide = undefined
          obj.approvalsList = undefined
          obj.incidentGet = undefined
          obj.incidentsList = undefined
          obj.retentionStatus = undefined
          obj.raftRemovePeer = undefined
          obj.raftListPeers = undefined
          obj.statsGet = undefined
          obj.nodeRetire = undefined
          obj.nodeDrain = undefined
          obj.auditList = undefined
          obj.whoAmI = undefined
          obj.grantList = undefined
          obj.grantRemove = undefined
          obj.grantSet = undefined
          obj.jobCancel = undefined
          obj.jobGet = undefined
          obj.jobsList = undefined
          obj.jobsSubmit = undefined
          obj.configDelete = undefined
          obj.configList = undefined
          obj.configGet = undefined
          obj.configSet = undefined
        }

        if (obj.scheduleList != null) {
          obj.schedulePause = undefined
          obj.scheduleRemove = undefined
          obj.scheduleAdd = undefined
          obj.approvalPropose = undefined
          obj.approvalDecide = undefined
          obj.approvalsList = undefined
          obj.incidentGet = undefined
          obj.incidentsList = undefined
          obj.retentionStatus = undefined
          obj.raftRemovePeer = undefined
          obj.raftListPeers = undefined
          obj.statsGet = undefined
          obj.nodeRetire = undefined
          obj.nodeDrain = undefined
          obj.auditList = undefined
          obj.whoAmI = undefined
          obj.grantList = undefined
          obj.grantRemove = undefined
          obj.grantSet = undefined
          obj.jobCancel = undefined
          obj.jobGet = undefined
          obj.jobsList = undefined
          obj.jobsSubmit = undefined
          obj.configDelete = undefined
          obj.configList = undefined
          obj.configGet = undefined
          obj.configSet = undefined
        }

        if (obj.scheduleAdd != null) {
          obj.schedulePause = undefined
          obj.scheduleRemove = undefined
          obj.scheduleList = undefined
          obj.approvalPropose = undefined
          obj.approvalDecide = undefined
          obj.approvalsList = undefined
          obj.incidentGet = undefined
          obj.incidentsList = undefined
          obj.retentionStatus = undefined
          obj.raftRemovePeer = undefined
          obj.raftListPeers = undefined
          obj.statsGet = undefined
          obj.nodeRetire = undefined
          obj.nodeDrain = undefined
          obj.auditList = undefined
          obj.whoAmI = undefined
          obj.grantList = undefined
          obj.grantRemove = undefined
          obj.grantSet = undefined
          obj.jobCancel = undefined
          obj.jobGet = undefined
          obj.jobsList = undefined
          obj.jobsSubmit = undefined
          obj.configDelete = undefined
          obj.configList = undefined
          obj.configGet = undefined
          obj.configSet = undefined
        }

        if (obj.approvalPropose != null) {
          obj.schedulePause = undefined
          obj.scheduleRemove = undefined
          obj.scheduleList = undefined
          obj.scheduleAdd = undefined
          obj.approvalDecide = undefined
          obj.approvalsList = undefined
          obj.incidentGet = undefined
          obj.incidentsList = undefined
          obj.retentionStatus = undefined
          obj.raftRemovePeer = undefined
          obj.raftListPeers = undefined
          obj.statsGet = undefined
          obj.nodeRetire = undefined
          obj.nodeDrain = undefined
          obj.auditList = undefined
          obj.whoAmI = undefined
          obj.grantList = undefined
          obj.grantRemove = undefined
          obj.grantSet = undefined
          obj.jobCancel = undefined
          obj.jobGet = undefined
          obj.jobsList = undefined
          obj.jobsSubmit = undefined
          obj.configDelete = undefined
          obj.configList = undefined
          obj.configGet = undefined
          obj.configSet = undefined
        }

        if (obj.approvalDecide != null) {
          obj.schedulePause = undefined
          obj.scheduleRemove = undefined
          obj.scheduleList = undefined
          obj.scheduleAdd = undefined
          obj.approvalPropose = undefined
          obj.approvalsList = undefined
          obj.incidentGet = undefined
          obj.incidentsList = undefined
          obj.retentionStatus = undefined
          obj.raftRemovePeer = undefined
          obj.raftListPeers = undefined
          obj.statsGet = undefined
          obj.nodeRetire = undefined
          obj.nodeDrain = undefined
          obj.auditList = undefined
          obj.whoAmI = undefined
          obj.grantList = undefined
          obj.grantRemove = undefined
          obj.grantSet = undefined
          obj.jobCancel = undefined
          obj.jobGet = undefined
          obj.jobsList = undefined
          obj.jobsSubmit = undefined
          obj.configDelete = undefined
          obj.configList = undefined
          obj.configGet = undefined
          obj.configSet = undefined
        }

        if (obj.approvalsList != null) {
          obj.schedulePause = undefined
          obj.scheduleRemove = undefined
          obj.scheduleList = undefined
          obj.scheduleAdd = undefined
          obj.approvalPropose = undefined
          obj.approvalDecide = undefined
          obj.incidentGet = undefined
          obj.incidentsList = undefined
          obj.retentionStatus = undefined
          obj.raftRemovePeer = undefined
          obj.raftListPeers = undefined
          obj.statsGet = undefined
          obj.nodeRetire = undefined
          obj.nodeDrain = undefined
          obj.auditList = undefined
          obj.whoAmI = undefined
          obj.grantList = undefined
          obj.grantRemove = undefined
          obj.grantSet = undefined
          obj.jobCancel = undefined
          obj.jobGet = undefined
          obj.jobsList = undefined
          obj.jobsSubmit = undefined
          obj.configDelete = undefined
          obj.configList = undefined
          obj.configGet = undefined
          obj.configSet = undefined
        }

        if (obj.incidentGet != null) {
          obj.schedulePause = undefined
          obj.scheduleRemove = undefined
          obj.scheduleList = undefined
          obj.scheduleAdd = undefined
          obj.approvalPropose = undefined
          obj.approvalDecide = undefined
          obj.approvalsList = undefined
          obj.incidentsList = undefined
          obj.retentionStatus = undefined
          obj.raftRemovePeer = undefined
          obj.raftListPeers = undefined
          obj.statsGet = undefined
          obj.nodeRetire = undefined
          obj.nodeDrain = undefined
          obj.auditList = undefined
          obj.whoAmI = undefined
          obj.grantList = undefined
          obj.grantRemove = undefined
          obj.grantSet = undefined
          obj.jobCancel = undefined
          obj.jobGet = undefined
          obj.jobsList = undefined
          obj.jobsSubmit = undefined
          obj.configDelete = undefined
          obj.configList = undefined
          obj.configGet = undefined
          obj.configSet = undefined
        }

        if (obj.incidentsList != null) {
          obj.schedulePause = undefined
          obj.scheduleRemove = undefined
          obj.scheduleList = undefined
          obj.scheduleAdd = undefined
          obj.approvalPropose = undefined
          obj.approvalDecide = undefined
          obj.approvalsList = undefined
          obj.incidentGet = undefined
          obj.retentionStatus = undefined
          obj.raftRemovePeer = undefined
          obj.raftListPeers = undefined
          obj.statsGet = undefined
          obj.nodeRetire = undefined
          obj.nodeDrain = undefined
          obj.auditList = undefined
          obj.whoAmI = undefined
          obj.grantList = undefined
          obj.grantRemove = undefined
          obj.grantSet = undefined
          obj.jobCancel = undefined
          obj.jobGet = undefined
          obj.jobsList = undefined
          obj.jobsSubmit = undefined
          obj.configDelete = undefined
          obj.configList = undefined
          obj.configGet = undefined
          obj.configSet = undefined
        }

        if (obj.retentionStatus != null) {
          obj.schedulePause = undefined
          obj.scheduleRemove = undefined
          obj.scheduleList = undefined
          obj.scheduleAdd = undefined
          obj.approvalPropose = undefined
          obj.approvalDecide = undefined
          obj.approvalsList = undefined
          obj.incidentGet = undefined
          obj.incidentsList = undefined
          obj.raftRemovePeer = undefined
          obj.raftListPeers = undefined
          obj.statsGet = undefined
          obj.nodeRetire = undefined
          obj.nodeDrain = undefined
          obj.auditList = undefined
          obj.whoAmI = undefined
          obj.grantList = undefined
          obj.grantRemove = undefined
          obj.grantSet = undefined
          obj.jobCancel = undefined
          obj.jobGet = undefined
          obj.jobsList = undefined
          obj.jobsSubmit = undefined
          obj.configDelete = undefined
          obj.configList = undefined
          obj.configGet = undefined
          obj.configSet = undefined
        }

        if (obj.raftRemovePeer != null) {
          obj.schedulePause = undefined
          obj.scheduleRemove = undefined
          obj.scheduleList = undefined
          obj.scheduleAdd = undefined
          obj.approvalPropose = undefined
          obj.approvalDecide = undefined
          obj.approvalsList = undefined
          obj.incidentGet = undefined
          obj.incidentsList = undefined
          obj.retentionStatus = undefined
          obj.raftListPeers = undefined
          obj.statsGet = undefined
          obj.nodeRetire = undefined
          obj.nodeDrain = undefined
          obj.auditList = undefined
          obj.whoAmI = undefined
          obj.grantList = undefined
          obj.grantRemove = undefined
          obj.grantSet = undefined
          obj.jobCancel = undefined
          obj.jobGet = undefined
          obj.jobsList = undefined
          obj.jobsSubmit = undefined
          obj.configDelete = undefined
          obj.configList = undefined
          obj.configGet = undefined
          obj.configSet = undefined
        }

        if (obj.raftListPeers != null) {
          obj.schedulePause = undefined
          obj.scheduleRemove = undefined
          obj.scheduleList = undefined
          obj.scheduleAdd = undefined
          obj.approvalPropose = undefined
          obj.approvalDecide = undefined
          obj.approvalsList = undefined
          obj.incidentGet = undefined
          obj.incidentsList = undefined
          obj.retentionStatus = undefined
          obj.raftRemovePeer = undefined
          obj.statsGet = undefined
          obj.nodeRetire = undefined
          obj.nodeDrain = undefined
          obj.auditList = undefined
          obj.whoAmI = undefined
          obj.grantList = undefined
          obj.grantRemove = undefined
          obj.grantSet = undefined
          obj.jobCancel = undefined
          obj.jobGet = undefined
          obj.jobsList = undefined
          obj.jobsSubmit = undefined
          obj.configDelete = undefined
          obj.configList = undefined
          obj.configGet = undefined
          obj.configSet = undefined
        }

        if (obj.statsGet != null) {
          obj.schedulePause = undefined
          obj.scheduleRemove = undefined
          obj.scheduleList = undefined
          obj.scheduleAdd = undefined
          obj.approvalPropose = undefined
          obj.approvalDecide = undefined
          obj.approvalsList = undefined
          obj.incidentGet = undefined
          obj.incidentsList = undefined
          obj.retentionStatus = undefined
          obj.raftRemovePeer = undefined
          obj.raftListPeers = undefined
          obj.nodeRetire = undefined
          obj.nodeDrain = undefined
          obj.auditList = undefined
          obj.whoAmI = undefined
          obj.grantList = undefined
          obj.grantRemove = undefined
          obj.grantSet = undefined
          obj.jobCancel = undefined
          obj.jobGet = undefined
          obj.jobsList = undefined
          obj.jobsSubmit = undefined
          obj.configDelete = undefined
          obj.configList = undefined
          obj.configGet = undefined
          obj.configSet = undefined
        }

        if (obj.nodeRetire != null) {
          obj.schedulePause = undefined
          obj.scheduleRemove = undefined
          obj.scheduleList = undefined
          obj.scheduleAdd = undefined
          obj.approvalPropose = undefined
          obj.approvalDecide = undefined
          obj.approvalsList = undefined
          obj.incidentGet = undefined
          obj.incidentsList = undefined
          obj.retentionStatus = undefined
          obj.raftRemovePeer = undefined
          obj.raftListPeers = undefined
          obj.statsGet = undefined
          obj.nodeDrain = undefined
          obj.auditList = undefined
          obj.whoAmI = undefined
          obj.grantList = undefined
          obj.grantRemove = undefined
          obj.grantSet = undefined
          obj.jobCancel = undefined
          obj.jobGet = undefined
          obj.jobsList = undefined
          obj.jobsSubmit = undefined
          obj.configDelete = undefined
          obj.configList = undefined
          obj.configGet = undefined
          obj.configSet = undefined
        }

        if (obj.nodeDrain != null) {
          obj.schedulePause = undefined
          obj.scheduleRemove = undefined
          obj.scheduleList = undefined
          obj.scheduleAdd = undefined
          obj.approvalPropose = undefined
          obj.approvalDecide = undefined
          obj.approvalsList = undefined
          obj.incidentGet = undefined
          obj.incidentsList = undefined
          obj.retentionStatus = undefined
          obj.raftRemovePeer = undefined
          obj.raftListPeers = undefined
          obj.statsGet = undefined
          obj.nodeRetire = undefined
          obj.auditList = undefined
          obj.whoAmI = undefined
          obj.grantList = undefined
          obj.grantRemove = undefined
          obj.grantSet = undefined
          obj.jobCancel = undefined
          obj.jobGet = undefined
          obj.jobsList = undefined
          obj.jobsSubmit = undefined
          obj.configDelete = undefined
          obj.configList = undefined
          obj.configGet = undefined
          obj.configSet = undefined
        }

        if (obj.auditList != null) {
          obj.schedulePause = undefined
          obj.scheduleRemove = undefined
          obj.scheduleList = undefined
          obj.scheduleAdd = undefined
          obj.approvalPropose = undefined
          obj.approvalDecide = undefined
          obj.approvalsList = undefined
          obj.incidentGet = undefined
          obj.incidentsList = undefined
          obj.retentionStatus = undefined
          obj.raftRemovePeer = undefined
          obj.raftListPeers = undefined
          obj.statsGet = undefined
          obj.nodeRetire = undefined
          obj.nodeDrain = undefined
          obj.whoAmI = undefined
          obj.grantList = undefined
          obj.grantRemove = undefined
          obj.grantSet = undefined
          obj.jobCancel = undefined
          obj.jobGet = undefined
          obj.jobsList = undefined
          obj.jobsSubmit = undefined
          obj.configDelete = undefined
          obj.configList = undefined
          obj.configGet = undefined
          obj.configSet = undefined
        }

        if (obj.whoAmI != null) {
          obj.schedulePause = undefined
          obj.scheduleRemove = undefined
          obj.scheduleList = undefined
          obj.scheduleAdd = undefined
          obj.approvalPropose = undefined
          obj.approvalDecide = undefined
          obj.approvalsList = undefined
          obj.incidentGet = undefined
          obj.incidentsList = undefined
          obj.retentionStatus = undefined
          obj.raftRemovePeer = undefined
          obj.raftListPeers = undefined
          obj.statsGet = undefined
          obj.nodeRetire = undefined
          obj.nodeDrain = undefined
          obj.auditList = undefined
          obj.grantList = undefined
          obj.grantRemove = undefined
          obj.grantSet = undefined
          obj.jobCancel = undefined
          obj.jobGet = undefined
          obj.jobsList = undefined
          obj.jobsSubmit = undefined
          obj.configDelete = undefined
          obj.configList = undefined
          obj.configGet = undefined
          obj.configSet = undefined
        }

        if (obj.grantList != null) {
          obj.schedulePause = undefined
          obj.scheduleRemove = undefined
          obj.scheduleList = undefined
          obj.scheduleAdd = undefined
          obj.approvalPropose = undefined
          obj.approvalDecide = undefined
          obj.approvalsList = undefined
          obj.incidentGet = undefined
          obj.incidentsList = undefined
          obj.retentionStatus = undefined
          obj.raftRemovePeer = undefined
          obj.raftListPeers = undefined
          obj.statsGet = undefined
          obj.nodeRetire = undefined
          obj.nodeDrain = undefined
          obj.auditList = undefined
          obj.whoAmI = undefined
          obj.grantRemove = undefined
          obj.grantSet = undefined
          obj.jobCancel = undefined
          obj.jobGet = undefined
          obj.jobsList = undefined
          obj.jobsSubmit = undefined
          obj.configDelete = undefined
          obj.configList = undefined
          obj.configGet = undefined
          obj.configSet = undefined
        }

        if (obj.grantRemove != null) {
          obj.schedulePause = undefined
          obj.scheduleRemove = undefined
          obj.scheduleList = undefined
          obj.scheduleAdd = undefined
          obj.approvalPropose = undefined
          obj.approvalDecide = undefined
          obj.approvalsList = undefined
          obj.incidentGet = undefined
          obj.incidentsList = undefined
          obj.retentionStatus = undefined
          obj.raftRemovePeer = undefined
          obj.raftListPeers = undefined
          obj.statsGet = undefined
          obj.nodeRetire = undefined
          obj.nodeDrain = undefined
          obj.auditList = undefined
          obj.whoAmI = undefined
          obj.grantList = undefined
          obj.grantSet = undefined
          obj.jobCancel = undefined
          obj.jobGet = undefined
          obj.jobsList = undefined
          obj.jobsSubmit = undefined
          obj.configDelete = undefined
          obj.configList = undefined
          obj.configGet = undefined
          obj.configSet = undefined
        }

        if (obj.grantSet != null) {
          obj.schedulePause = undefined
          obj.scheduleRemove = undefined
          obj.scheduleList = undefined
          obj.scheduleAdd = undefined
          obj.approvalPropose = undefined
          obj.approvalDecide = undefined
          obj.approvalsList = undefined
          obj.incidentGet = undefined
          obj.incidentsList = undefined
          obj.retentionStatus = undefined
          obj.raftRemovePeer = undefined
          obj.raftListPeers = undefined
          obj.statsGet = undefined
          obj.nodeRetire = undefined
          obj.nodeDrain = undefined
          obj.auditList = undefined
          obj.whoAmI = undefined
          obj.grantList = undefined
          obj.grantRemove = undefined
          obj.jobCancel = undefined
          obj.jobGet = undefined
          obj.jobsList = undefined
          obj.jobsSubmit = undefined
          obj.configDelete = undefined
          obj.configList = undefined
          obj.configGet = undefined
          obj.configSet = undefined
        }

        if (obj.jobCancel != null) {
          obj.schedulePause = undefined
          obj.scheduleRemove = undefined
          obj.scheduleList = undefined
          obj.scheduleAdd = undefined
          obj.approvalPropose = undefined
          obj.approvalDecide = undefined
          obj.approvalsList = undefined
          obj.incidentGet = undefined
          obj.incidentsList = undefined
          obj.retentionStatus = undefined
          obj.raftRemovePeer = undefined
          obj.raftListPeers = undefined
          obj.statsGet = undefined
          obj.nodeRetire = undefined
          obj.nodeDrain = undefined
          obj.auditList = undefined
          obj.whoAmI = undefined
          obj.grantList = undefined
          obj.grantRemove = undefined
          obj.grantSet = undefined
          obj.jobGet = undefined
          obj.jobsList = undefined
          obj.jobsSubmit = undefined
          obj.configDelete = undefined
          obj.configList = undefined
          obj.configGet = undefined
          obj.configSet = undefined
        }

        if (obj.jobGet != null) {
          obj.schedulePause = undefined
          obj.scheduleRemove = undefined
          obj.scheduleList = undefined
          obj.scheduleAdd = undefined
          obj.approvalPropose = undefined
          obj.approvalDecide = undefined
          obj.approvalsList = undefined
          obj.incidentGet = undefined
          obj.incidentsList = undefined
          obj.retentionStatus = undefined
          obj.raftRemovePeer = undefined
          obj.raftListPeers = undefined
          obj.statsGet = undefined
          obj.nodeRetire = undefined
          obj.nodeDrain = undefined
          obj.auditList = undefined
          obj.whoAmI = undefined
          obj.grantList = undefined
          obj.grantRemove = undefined
          obj.grantSet = undefined
          obj.jobCancel = undefined
          obj.jobsList = undefined
          obj.jobsSubmit = undefined
          obj.configDelete = undefined
          obj.configList = undefined
          obj.configGet = undefined
          obj.configSet = undefined
        }

        if (obj.jobsList != null) {
          obj.schedulePause = undefined
          obj.scheduleRemove = undefined
          obj.scheduleList = undefined
          obj.scheduleAdd = undefined
          obj.approvalPropose = undefined
          obj.approvalDecide = undefined
          obj.approvalsList = undefined
          obj.incidentGet = undefined
          obj.incidentsList = undefined
          obj.retentionStatus = undefined
          obj.raftRemovePeer = undefined
          obj.raftListPeers = undefined
          obj.statsGet = undefined
          obj.nodeRetire = undefined
          obj.nodeDrain = undefined
          obj.auditList = undefined
          obj.whoAmI = undefined
          obj.grantList = undefined
          obj.grantRemove = undefined
          obj.grantSet = undefined
          obj.jobCancel = undefined
          obj.jobGet = undefined
          obj.jobsSubmit = undefined
          obj.configDelete = undefined
          obj.configList = undefined
          obj.configGet = undefined
          obj.configSet = undefined
        }

        if (obj.jobsSubmit != null) {
          obj.schedulePause = undefined
          obj.scheduleRemove = undefined
          obj.scheduleList = undefined
          obj.scheduleAdd = undefined
          obj.approvalPropose = undefined
          obj.approvalDecide = undefined
          obj.approvalsList = undefined
          obj.incidentGet = undefined
          obj.incidentsList = undefined
          obj.retentionStatus = undefined
          obj.raftRemovePeer = undefined
          obj.raftListPeers = undefined
          obj.statsGet = undefined
          obj.nodeRetire = undefined
          obj.nodeDrain = undefined
          obj.auditList = undefined
          obj.whoAmI = undefined
          obj.grantList = undefined
          obj.grantRemove = undefined
          obj.grantSet = undefined
          obj.jobCancel = undefined
          obj.jobGet = undefined
          obj.jobsList = undefined
          obj.configDelete = undefined
          obj.configList = undefined
          obj.configGet = undefined
          obj.configSet = undefined
        }

        if (obj.configDelete != null) {
          obj.schedulePause = undefined
          obj.scheduleRemove = undefined
          obj.scheduleList = undefined
          obj.scheduleAdd = undefined
          obj.approvalPropose = undefined
          obj.approvalDecide = undefined
          obj.approvalsList = undefined
          obj.incidentGet = undefined
          obj.incidentsList = undefined
          obj.retentionStatus = undefined
          obj.raftRemovePeer = undefined
          obj.raftListPeers = undefined
          obj.statsGet = undefined
          obj.nodeRetire = undefined
          obj.nodeDrain = undefined
          obj.auditList = undefined
          obj.whoAmI = undefined
          obj.grantList = undefined
          obj.grantRemove = undefined
          obj.grantSet = undefined
          obj.jobCancel = undefined
          obj.jobGet = undefined
          obj.jobsList = undefined
          obj.jobsSubmit = undefined
          obj.configList = undefined
          obj.configGet = undefined
          obj.configSet = undefined
        }

        if (obj.configList != null) {
          obj.schedulePause = undefined
          obj.scheduleRemove = undefined
          obj.scheduleList = undefined
          obj.scheduleAdd = undefined
          obj.approvalPropose = undefined
          obj.approvalDecide = undefined
          obj.approvalsList = undefined
          obj.incidentGet = undefined
          obj.incidentsList = undefined
          obj.retentionStatus = undefined
          obj.raftRemovePeer = undefined
          obj.raftListPeers = undefined
          obj.statsGet = undefined
          obj.nodeRetire = undefined
          obj.nodeDrain = undefined
          obj.auditList = undefined
          obj.whoAmI = undefined
          obj.grantList = undefined
          obj.grantRemove = undefined
          obj.grantSet = undefined
          obj.jobCancel = undefined
          obj.jobGet = undefined
          obj.jobsList = undefined
          obj.jobsSubmit = undefined
          obj.configDelete = undefined
          obj.configGet = undefined
          obj.configSet = undefined
        }

        if (obj.configGet != null) {
          obj.schedulePause = undefined
          obj.scheduleRemove = undefined
          obj.scheduleList = undefined
          obj.scheduleAdd = undefined
          obj.approvalPropose = undefined
          obj.approvalDecide = undefined
          obj.approvalsList = undefined
          obj.incidentGet = undefined
          obj.incidentsList = undefined
          obj.retentionStatus = undefined
          obj.raftRemovePeer = undefined
          obj.raftListPeers = undefined
          obj.statsGet = undefined
          obj.nodeRetire = undefined
          obj.nodeDrain = undefined
          obj.auditList = undefined
          obj.whoAmI = undefined
          obj.grantList = undefined
          obj.grantRemove = undefined
          obj.grantSet = undefined
          obj.jobCancel = undefined
          obj.jobGet = undefined
          obj.jobsList = undefined
          obj.jobsSubmit = undefined
          obj.configDelete = undefined
          obj.configList = undefined
          obj.configSet = undefined
        }

        if (obj.configSet != null) {
          obj.schedulePause = undefined
          obj.scheduleRemove = undefined
          obj.scheduleList = undefined
          obj.scheduleAdd = undefined
          obj.approvalPropose = undefined
          obj.approvalDecide = undefined
          obj.approvalsList = undefined
          obj.incidentGet = undefined
          obj.incidentsList = undefined
          obj.retentionStatus = undefined
          obj.raftRemovePeer = undefined
          obj.raftListPeers = undefined
          obj.statsGet = undefined
          obj.nodeRetire = undefined
          obj.nodeDrain = undefined
          obj.auditList = undefined
          obj.whoAmI = undefined
          obj.grantList = undefined
          obj.grantRemove = undefined
          obj.grantSet = undefined
          obj.jobCancel = undefined
          obj.jobGet = undefined
          obj.jobsList = undefined
          obj.jobsSubmit = undefined
          obj.configDelete = undefined
          obj.configList = undefined
          obj.configGet = undefined
        }

        if (obj.configSet != null) {
          w.uint32(10)
          ConfigSet.codec().encode(obj.configSet, w)
        }

        if (obj.configGet != null) {
          w.uint32(18)
          ConfigGet.codec().encode(obj.configGet, w)
        }

        if (obj.configList != null) {
          w.uint32(26)
          ConfigList.codec().encode(obj.configList, w)
        }

        if (obj.configDelete != null) {
          w.uint32(34)
          ConfigDelete.codec().encode(obj.configDelete, w)
        }

        if (obj.jobsSubmit != null) {
          w.uint32(42)
          JobsSubmit.codec().encode(obj.jobsSubmit, w)
        }

        if (obj.jobsList != null) {
          w.uint32(50)
          JobsList.codec().encode(obj.jobsList, w)
        }

        if (obj.jobGet != null) {
          w.uint32(58)
          JobGet.codec().encode(obj.jobGet, w)
        }

        if (obj.jobCancel != null) {
          w.uint32(66)
          JobCancel.codec().encode(obj.jobCancel, w)
        }

        if (obj.grantSet != null) {
          w.uint32(74)
          GrantSet.codec().encode(obj.grantSet, w)
        }

        if (obj.grantRemove != null) {
          w.uint32(82)
          GrantRemove.codec().encode(obj.grantRemove, w)
        }

        if (obj.grantList != null) {
          w.uint32(154)
          GrantList.codec().encode(obj.grantList, w)
        }

        if (obj.whoAmI != null) {
          w.uint32(162)
          WhoAmI.codec().encode(obj.whoAmI, w)
        }

        if (obj.auditList != null) {
          w.uint32(170)
          AuditList.codec().encode(obj.auditList, w)
        }

        if (obj.nodeDrain != null) {
          w.uint32(178)
          NodeDrain.codec().encode(obj.nodeDrain, w)
        }

        if (obj.nodeRetire != null) {
          w.uint32(186)
          NodeRetire.codec().encode(obj.nodeRetire, w)
        }

        if (obj.statsGet != null) {
          w.uint32(194)
          StatsGet.codec().encode(obj.statsGet, w)
        }

        if (obj.raftListPeers != null) {
          w.uint32(202)
          RaftListPeers.codec().encode(obj.raftListPeers, w)
        }

        if (obj.raftRemovePeer != null) {
          w.uint32(210)
          RaftRemovePeer.codec().encode(obj.raftRemovePeer, w)
        }

        if (obj.retentionStatus != null) {
          w.uint32(322)
          RetentionStatus.codec().encode(obj.retentionStatus, w)
        }

        if (obj.incidentsList != null) {
          w.uint32(330)
          IncidentsList.codec().encode(obj.incidentsList, w)
        }

        if (obj.incidentGet != null) {
          w.uint32(338)
          IncidentGet.codec().encode(obj.incidentGet, w)
        }

        if (obj.approvalsList != null) {
          w.uint32(346)
          ApprovalsList.codec().encode(obj.approvalsList, w)
        }

        if (obj.approvalDecide != null) {
          w.uint32(354)
          ApprovalDecide.codec().encode(obj.approvalDecide, w)
        }

        if (obj.approvalPropose != null) {
          w.uint32(362)
          ApprovalPropose.codec().encode(obj.approvalPropose, w)
        }

        if (obj.scheduleAdd != null) {
          w.uint32(378)
          ScheduleAdd.codec().encode(obj.scheduleAdd, w)
        }

        if (obj.scheduleList != null) {
          w.uint32(386)
          ScheduleList.codec().encode(obj.scheduleList, w)
        }

        if (obj.scheduleRemove != null) {
          w.uint32(394)
          ScheduleRemove.codec().encode(obj.scheduleRemove, w)
        }

        if (obj.schedulePause != null) {
          w.uint32(402)
          SchedulePause.codec().encode(obj.schedulePause, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {}

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.configSet = ConfigSet.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.configSet
              })
              break
            }
            case 2: {
              obj.configGet = ConfigGet.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.configGet
              })
              break
            }
            case 3: {
              obj.configList = ConfigList.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.configList
              })
              break
            }
            case 4: {
              obj.configDelete = ConfigDelete.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.configDelete
              })
              break
            }
            case 5: {
              obj.jobsSubmit = JobsSubmit.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.jobsSubmit
              })
              break
            }
            case 6: {
              obj.jobsList = JobsList.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.jobsList
              })
              break
            }
            case 7: {
              obj.jobGet = JobGet.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.jobGet
              })
              break
            }
            case 8: {
              obj.jobCancel = JobCancel.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.jobCancel
              })
              break
            }
            case 9: {
              obj.grantSet = GrantSet.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.grantSet
              })
              break
            }
            case 10: {
              obj.grantRemove = GrantRemove.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.grantRemove
              })
              break
            }
            case 19: {
              obj.grantList = GrantList.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.grantList
              })
              break
            }
            case 20: {
              obj.whoAmI = WhoAmI.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.whoAmI
              })
              break
            }
            case 21: {
              obj.auditList = AuditList.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.auditList
              })
              break
            }
            case 22: {
              obj.nodeDrain = NodeDrain.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.nodeDrain
              })
              break
            }
            case 23: {
              obj.nodeRetire = NodeRetire.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.nodeRetire
              })
              break
            }
            case 24: {
              obj.statsGet = StatsGet.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.statsGet
              })
              break
            }
            case 25: {
              obj.raftListPeers = RaftListPeers.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.raftListPeers
              })
              break
            }
            case 26: {
              obj.raftRemovePeer = RaftRemovePeer.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.raftRemovePeer
              })
              break
            }
            case 40: {
              obj.retentionStatus = RetentionStatus.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.retentionStatus
              })
              break
            }
            case 41: {
              obj.incidentsList = IncidentsList.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.incidentsList
              })
              break
            }
            case 42: {
              obj.incidentGet = IncidentGet.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.incidentGet
              })
              break
            }
            case 43: {
              obj.approvalsList = ApprovalsList.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.approvalsList
              })
              break
            }
            case 44: {
              obj.approvalDecide = ApprovalDecide.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.approvalDecide
              })
              break
            }
            case 45: {
              obj.approvalPropose = ApprovalPropose.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.approvalPropose
              })
              break
            }
            case 47: {
              obj.scheduleAdd = ScheduleAdd.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.scheduleAdd
              })
              break
            }
            case 48: {
              obj.scheduleList = ScheduleList.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.scheduleList
              })
              break
            }
            case 49: {
              obj.scheduleRemove = ScheduleRemove.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.scheduleRemove
              })
              break
            }
            case 50: {
              obj.schedulePause = SchedulePause.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.schedulePause
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        if (obj.schedulePause != null) {
          delete obj.scheduleRemove
          delete obj.scheduleList
          delete obj.scheduleAdd
          delete obj.approvalPropose
          delete obj.approvalDecide
          delete obj.approvalsList
          delete obj.incidentGet
          delete obj.incidentsList
          delete obj.retentionStatus
          delete obj.raftRemovePeer
          delete obj.raftListPeers
          delete obj.statsGet
          delete obj.nodeRetire
          delete obj.nodeDrain
          delete obj.auditList
          delete obj.whoAmI
          delete obj.grantList
          delete obj.grantRemove
          delete obj.grantSet
          delete obj.jobCancel
          delete obj.jobGet
          delete obj.jobsList
          delete obj.jobsSubmit
          delete obj.configDelete
          delete obj.configList
          delete obj.configGet
          delete obj.configSet
        }

        if (obj.scheduleRemove != null) {
          delete obj.schedulePause
          delete obj.scheduleList
          delete obj.scheduleAdd
          delete obj.approvalPropose
          delete obj.approvalDecide
          delete obj.approvalsList
          delete obj.incidentGet
          delete obj.incidentsList
          delete obj.retentionStatus
          delete obj.raftRemovePeer
          delete obj.raftListPeers
          delete obj.statsGet
          delete obj.nodeRetire
          delete obj.nodeDrain
          delete obj.auditList
          delete obj.whoAmI
          delete obj.grantList
          delete obj.grantRemove
          delete obj.grantSet
          delete obj.jobCancel
          delete obj.jobGet
          delete obj.jobsList
          delete obj.jobsSubmit
          delete obj.configDelete
          delete obj.configList
          delete obj.configGet
          delete obj.configSet
        }

        if (obj.scheduleList != null) {
          delete obj.schedulePause
          delete obj.scheduleRemove
          delete obj.scheduleAdd
          delete obj.approvalPropose
          delete obj.approvalDecide
          delete obj.approvalsList
          delete obj.incidentGet
          delete obj.incidentsList
          delete obj.retentionStatus
          delete obj.raftRemovePeer
          delete obj.raftListPeers
          delete obj.statsGet
          delete obj.nodeRetire
          delete obj.nodeDrain
          delete obj.auditList
          delete obj.whoAmI
          delete obj.grantList
          delete obj.grantRemove
          delete obj.grantSet
          delete obj.jobCancel
          delete obj.jobGet
          delete obj.jobsList
          delete obj.jobsSubmit
          delete obj.configDelete
          delete obj.configList
          delete obj.configGet
          delete obj.configSet
        }

        if (obj.scheduleAdd != null) {
          delete obj.schedulePause
          delete obj.scheduleRemove
          delete obj.scheduleList
          delete obj.approvalPropose
          delete obj.approvalDecide
          delete obj.approvalsList
          delete obj.incidentGet
          delete obj.incidentsList
          delete obj.retentionStatus
          delete obj.raftRemovePeer
          delete obj.raftListPeers
          delete obj.statsGet
          delete obj.nodeRetire
          delete obj.nodeDrain
          delete obj.auditList
          delete obj.whoAmI
          delete obj.grantList
          delete obj.grantRemove
          delete obj.grantSet
          delete obj.jobCancel
          delete obj.jobGet
          delete obj.jobsList
          delete obj.jobsSubmit
          delete obj.configDelete
          delete obj.configList
          delete obj.configGet
          delete obj.configSet
        }

        if (obj.approvalPropose != null) {
          delete obj.schedulePause
          delete obj.scheduleRemove
          delete obj.scheduleList
          delete obj.scheduleAdd
          delete obj.approvalDecide
          delete obj.approvalsList
          delete obj.incidentGet
          delete obj.incidentsList
          delete obj.retentionStatus
          delete obj.raftRemovePeer
          delete obj.raftListPeers
          delete obj.statsGet
          delete obj.nodeRetire
          delete obj.nodeDrain
          delete obj.auditList
          delete obj.whoAmI
          delete obj.grantList
          delete obj.grantRemove
          delete obj.grantSet
          delete obj.jobCancel
          delete obj.jobGet
          delete obj.jobsList
          delete obj.jobsSubmit
          delete obj.configDelete
          delete obj.configList
          delete obj.configGet
          delete obj.configSet
        }

        if (obj.approvalDecide != null) {
          delete obj.schedulePause
          delete obj.scheduleRemove
          delete obj.scheduleList
          delete obj.scheduleAdd
          delete obj.approvalPropose
          delete obj.approvalsList
          delete obj.incidentGet
          delete obj.incidentsList
          delete obj.retentionStatus
          delete obj.raftRemovePeer
          delete obj.raftListPeers
          delete obj.statsGet
          delete obj.nodeRetire
          delete obj.nodeDrain
          delete obj.auditList
          delete obj.whoAmI
          delete obj.grantList
          delete obj.grantRemove
          delete obj.grantSet
          delete obj.jobCancel
          delete obj.jobGet
          delete obj.jobsList
          delete obj.jobsSubmit
          delete obj.configDelete
          delete obj.configList
          delete obj.configGet
          delete obj.configSet
        }

        if (obj.approvalsList != null) {
          delete obj.schedulePause
          delete obj.scheduleRemove
          delete obj.scheduleList
          delete obj.scheduleAdd
          delete obj.approvalPropose
          delete obj.approvalDecide
          delete obj.incidentGet
          delete obj.incidentsList
          delete obj.retentionStatus
          delete obj.raftRemovePeer
          delete obj.raftListPeers
          delete obj.statsGet
          delete obj.nodeRetire
          delete obj.nodeDrain
          delete obj.auditList
          delete obj.whoAmI
          delete obj.grantList
          delete obj.grantRemove
          delete obj.grantSet
          delete obj.jobCancel
          delete obj.jobGet
          delete obj.jobsList
          delete obj.jobsSubmit
          delete obj.configDelete
          delete obj.configList
          delete obj.configGet
          delete obj.configSet
        }

        if (obj.incidentGet != null) {
          delete obj.schedulePause
          delete obj.scheduleRemove
          delete obj.scheduleList
          delete obj.scheduleAdd
          delete obj.approvalPropose
          delete obj.approvalDecide
          delete obj.approvalsList
          delete obj.incidentsList
          delete obj.retentionStatus
          delete obj.raftRemovePeer
          delete obj.raftListPeers
          delete obj.statsGet
          delete obj.nodeRetire
          delete obj.nodeDrain
          delete obj.auditList
          delete obj.whoAmI
          delete obj.grantList
          delete obj.grantRemove
          delete obj.grantSet
          delete obj.jobCancel
          delete obj.jobGet
          delete obj.jobsList
          delete obj.jobsSubmit
          delete obj.configDelete
          delete obj.configList
          delete obj.configGet
          delete obj.configSet
        }

        if (obj.incidentsList != null) {
          delete obj.schedulePause
          delete obj.scheduleRemove
          delete obj.scheduleList
          delete obj.scheduleAdd
          delete obj.approvalPropose
          delete obj.approvalDecide
          delete obj.approvalsList
          delete obj.incidentGet
          delete obj.retentionStatus
          delete obj.raftRemovePeer
          delete obj.raftListPeers
          delete obj.statsGet
          delete obj.nodeRetire
          delete obj.nodeDrain
          delete obj.auditList
          delete obj.whoAmI
          delete obj.grantList
          delete obj.grantRemove
          delete obj.grantSet
          delete obj.jobCancel
          delete obj.jobGet
          delete obj.jobsList
          delete obj.jobsSubmit
          delete obj.configDelete
          delete obj.configList
          delete obj.configGet
          delete obj.configSet
        }

        if (obj.retentionStatus != null) {
          delete obj.schedulePause
          delete obj.scheduleRemove
          delete obj.scheduleList
          delete obj.scheduleAdd
          delete obj.approvalPropose
          delete obj.approvalDecide
          delete obj.approvalsList
          delete obj.incidentGet
          delete obj.incidentsList
          delete obj.raftRemovePeer
          delete obj.raftListPeers
          delete obj.statsGet
          delete obj.nodeRetire
          delete obj.nodeDrain
          delete obj.auditList
          delete obj.whoAmI
          delete obj.grantList
          delete obj.grantRemove
          delete obj.grantSet
          delete obj.jobCancel
          delete obj.jobGet
          delete obj.jobsList
          delete obj.jobsSubmit
          delete obj.configDelete
          delete obj.configList
          delete obj.configGet
          delete obj.configSet
        }

        if (obj.raftRemovePeer != null) {
          delete obj.schedulePause
          delete obj.scheduleRemove
          delete obj.scheduleList
          delete obj.scheduleAdd
          delete obj.approvalPropose
          delete obj.approvalDecide
          delete obj.approvalsList
          delete obj.incidentGet
          delete obj.incidentsList
          delete obj.retentionStatus
          delete obj.raftListPeers
          delete obj.statsGet
          delete obj.nodeRetire
          delete obj.nodeDrain
          delete obj.auditList
          delete obj.whoAmI
          delete obj.grantList
          delete obj.grantRemove
          delete obj.grantSet
          delete obj.jobCancel
          delete obj.jobGet
          delete obj.jobsList
          delete obj.jobsSubmit
          delete obj.configDelete
          delete obj.configList
          delete obj.configGet
          delete obj.configSet
        }

        if (obj.raftListPeers != null) {
          delete obj.schedulePause
          delete obj.scheduleRemove
          delete obj.scheduleList
          delete obj.scheduleAdd
          delete obj.approvalPropose
          delete obj.approvalDecide
          delete obj.approvalsList
          delete obj.incidentGet
          delete obj.incidentsList
          delete obj.retentionStatus
          delete obj.raftRemovePeer
          delete obj.statsGet
          delete obj.nodeRetire
          delete obj.nodeDrain
          delete obj.auditList
          delete obj.whoAmI
          delete obj.grantList
          delete obj.grantRemove
          delete obj.grantSet
          delete obj.jobCancel
          delete obj.jobGet
          delete obj.jobsList
          delete obj.jobsSubmit
          delete obj.configDelete
          delete obj.configList
          delete obj.configGet
          delete obj.configSet
        }

        if (obj.statsGet != null) {
          delete obj.schedulePause
          delete obj.scheduleRemove
          delete obj.scheduleList
          delete obj.scheduleAdd
          delete obj.approvalPropose
          delete obj.approvalDecide
          delete obj.approvalsList
          delete obj.incidentGet
          delete obj.incidentsList
          delete obj.retentionStatus
          delete obj.raftRemovePeer
          delete obj.raftListPeers
          delete obj.nodeRetire
          delete obj.nodeDrain
          delete obj.auditList
          delete obj.whoAmI
          delete obj.grantList
          delete obj.grantRemove
          delete obj.grantSet
          delete obj.jobCancel
          delete obj.jobGet
          delete obj.jobsList
          delete obj.jobsSubmit
          delete obj.configDelete
          delete obj.configList
          delete obj.configGet
          delete obj.configSet
        }

        if (obj.nodeRetire != null) {
          delete obj.schedulePause
          delete obj.scheduleRemove
          delete obj.scheduleList
          delete obj.scheduleAdd
          delete obj.approvalPropose
          delete obj.approvalDecide
          delete obj.approvalsList
          delete obj.incidentGet
          delete obj.incidentsList
          delete obj.retentionStatus
          delete obj.raftRemovePeer
          delete obj.raftListPeers
          delete obj.statsGet
          delete obj.nodeDrain
          delete obj.auditList
          delete obj.whoAmI
          delete obj.grantList
          delete obj.grantRemove
          delete obj.grantSet
          delete obj.jobCancel
          delete obj.jobGet
          delete obj.jobsList
          delete obj.jobsSubmit
          delete obj.configDelete
          delete obj.configList
          delete obj.configGet
          delete obj.configSet
        }

        if (obj.nodeDrain != null) {
          delete obj.schedulePause
          delete obj.scheduleRemove
          delete obj.scheduleList
          delete obj.scheduleAdd
          delete obj.approvalPropose
          delete obj.approvalDecide
          delete obj.approvalsList
          delete obj.incidentGet
          delete obj.incidentsList
          delete obj.retentionStatus
          delete obj.raftRemovePeer
          delete obj.raftListPeers
          delete obj.statsGet
          delete obj.nodeRetire
          delete obj.auditList
          delete obj.whoAmI
          delete obj.grantList
          delete obj.grantRemove
          delete obj.grantSet
          delete obj.jobCancel
          delete obj.jobGet
          delete obj.jobsList
          delete obj.jobsSubmit
          delete obj.configDelete
          delete obj.configList
          delete obj.configGet
          delete obj.configSet
        }

        if (obj.auditList != null) {
          delete obj.schedulePause
          delete obj.scheduleRemove
          delete obj.scheduleList
          delete obj.scheduleAdd
          delete obj.approvalPropose
          delete obj.approvalDecide
          delete obj.approvalsList
          delete obj.incidentGet
          delete obj.incidentsList
          delete obj.retentionStatus
          delete obj.raftRemovePeer
          delete obj.raftListPeers
          delete obj.statsGet
          delete obj.nodeRetire
          delete obj.nodeDrain
          delete obj.whoAmI
          delete obj.grantList
          delete obj.grantRemove
          delete obj.grantSet
          delete obj.jobCancel
          delete obj.jobGet
          delete obj.jobsList
          delete obj.jobsSubmit
          delete obj.configDelete
          delete obj.configList
          delete obj.configGet
          delete obj.configSet
        }

        if (obj.whoAmI != null) {
          delete obj.schedulePause
          delete obj.scheduleRemove
          delete obj.scheduleList
          delete obj.scheduleAdd
          delete obj.approvalPropose
          delete obj.approvalDecide
          delete obj.approvalsList
          delete obj.incidentGet
          delete obj.incidentsList
          delete obj.retentionStatus
          delete obj.raftRemovePeer
          delete obj.raftListPeers
          delete obj.statsGet
          delete obj.nodeRetire
          delete obj.nodeDrain
          delete obj.auditList
          delete obj.grantList
          delete obj.grantRemove
          delete obj.grantSet
          delete obj.jobCancel
          delete obj.jobGet
          delete obj.jobsList
          delete obj.jobsSubmit
          delete obj.configDelete
          delete obj.configList
          delete obj.configGet
          delete obj.configSet
        }

        if (obj.grantList != null) {
          delete obj.schedulePause
          delete obj.scheduleRemove
          delete obj.scheduleList
          delete obj.scheduleAdd
          delete obj.approvalPropose
          delete obj.approvalDecide
          delete obj.approvalsList
          delete obj.incidentGet
          delete obj.incidentsList
          delete obj.retentionStatus
          delete obj.raftRemovePeer
          delete obj.raftListPeers
          delete obj.statsGet
          delete obj.nodeRetire
          delete obj.nodeDrain
          delete obj.auditList
          delete obj.whoAmI
          delete obj.grantRemove
          delete obj.grantSet
          delete obj.jobCancel
          delete obj.jobGet
          delete obj.jobsList
          delete obj.jobsSubmit
          delete obj.configDelete
          delete obj.configList
          delete obj.configGet
          delete obj.configSet
        }

        if (obj.grantRemove != null) {
          delete obj.schedulePause
          delete obj.scheduleRemove
          delete obj.scheduleList
          delete obj.scheduleAdd
          delete obj.approvalPropose
          delete obj.approvalDecide
          delete obj.approvalsList
          delete obj.incidentGet
          delete obj.incidentsList
          delete obj.retentionStatus
          delete obj.raftRemovePeer
          delete obj.raftListPeers
          delete obj.statsGet
          delete obj.nodeRetire
          delete obj.nodeDrain
          delete obj.auditList
          delete obj.whoAmI
          delete obj.grantList
          delete obj.grantSet
          delete obj.jobCancel
          delete obj.jobGet
          delete obj.jobsList
          delete obj.jobsSubmit
          delete obj.configDelete
          delete obj.configList
          delete obj.configGet
          delete obj.configSet
        }

        if (obj.grantSet != null) {
          delete obj.schedulePause
          delete obj.scheduleRemove
          delete obj.scheduleList
          delete obj.scheduleAdd
          delete obj.approvalPropose
          delete obj.approvalDecide
          delete obj.approvalsList
          delete obj.incidentGet
          delete obj.incidentsList
          delete obj.retentionStatus
          delete obj.raftRemovePeer
          delete obj.raftListPeers
          delete obj.statsGet
          delete obj.nodeRetire
          delete obj.nodeDrain
          delete obj.auditList
          delete obj.whoAmI
          delete obj.grantList
          delete obj.grantRemove
          delete obj.jobCancel
          delete obj.jobGet
          delete obj.jobsList
          delete obj.jobsSubmit
          delete obj.configDelete
          delete obj.configList
          delete obj.configGet
          delete obj.configSet
        }

        if (obj.jobCancel != null) {
          delete obj.schedulePause
          delete obj.scheduleRemove
          delete obj.scheduleList
          delete obj.scheduleAdd
          delete obj.approvalPropose
          delete obj.approvalDecide
          delete obj.approvalsList
          delete obj.incidentGet
          delete obj.incidentsList
          delete obj.retentionStatus
          delete obj.raftRemovePeer
          delete obj.raftListPeers
          delete obj.statsGet
          delete obj.nodeRetire
          delete obj.nodeDrain
          delete obj.auditList
          delete obj.whoAmI
          delete obj.grantList
          delete obj.grantRemove
          delete obj.grantSet
          delete obj.jobGet
          delete obj.jobsList
          delete obj.jobsSubmit
          delete obj.configDelete
          delete obj.configList
          delete obj.configGet
          delete obj.configSet
        }

        if (obj.jobGet != null) {
          delete obj.schedulePause
          delete obj.scheduleRemove
          delete obj.scheduleList
          delete obj.scheduleAdd
          delete obj.approvalPropose
          delete obj.approvalDecide
          delete obj.approvalsList
          delete obj.incidentGet
          delete obj.incidentsList
          delete obj.retentionStatus
          delete obj.raftRemovePeer
          delete obj.raftListPeers
          delete obj.statsGet
          delete obj.nodeRetire
          delete obj.nodeDrain
          delete obj.auditList
          delete obj.whoAmI
          delete obj.grantList
          delete obj.grantRemove
          delete obj.grantSet
          delete obj.jobCancel
          delete obj.jobsList
          delete obj.jobsSubmit
          delete obj.configDelete
          delete obj.configList
          delete obj.configGet
          delete obj.configSet
        }

        if (obj.jobsList != null) {
          delete obj.schedulePause
          delete obj.scheduleRemove
          delete obj.scheduleList
          delete obj.scheduleAdd
          delete obj.approvalPropose
          delete obj.approvalDecide
          delete obj.approvalsList
          delete obj.incidentGet
          delete obj.incidentsList
          delete obj.retentionStatus
          delete obj.raftRemovePeer
          delete obj.raftListPeers
          delete obj.statsGet
          delete obj.nodeRetire
          delete obj.nodeDrain
          delete obj.auditList
          delete obj.whoAmI
          delete obj.grantList
          delete obj.grantRemove
          delete obj.grantSet
          delete obj.jobCancel
          delete obj.jobGet
          delete obj.jobsSubmit
          delete obj.configDelete
          delete obj.configList
          delete obj.configGet
          delete obj.configSet
        }

        if (obj.jobsSubmit != null) {
          delete obj.schedulePause
          delete obj.scheduleRemove
          delete obj.scheduleList
          delete obj.scheduleAdd
          delete obj.approvalPropose
          delete obj.approvalDecide
          delete obj.approvalsList
          delete obj.incidentGet
          delete obj.incidentsList
          delete obj.retentionStatus
          delete obj.raftRemovePeer
          delete obj.raftListPeers
          delete obj.statsGet
          delete obj.nodeRetire
          delete obj.nodeDrain
          delete obj.auditList
          delete obj.whoAmI
          delete obj.grantList
          delete obj.grantRemove
          delete obj.grantSet
          delete obj.jobCancel
          delete obj.jobGet
          delete obj.jobsList
          delete obj.configDelete
          delete obj.configList
          delete obj.configGet
          delete obj.configSet
        }

        if (obj.configDelete != null) {
          delete obj.schedulePause
          delete obj.scheduleRemove
          delete obj.scheduleList
          delete obj.scheduleAdd
          delete obj.approvalPropose
          delete obj.approvalDecide
          delete obj.approvalsList
          delete obj.incidentGet
          delete obj.incidentsList
          delete obj.retentionStatus
          delete obj.raftRemovePeer
          delete obj.raftListPeers
          delete obj.statsGet
          delete obj.nodeRetire
          delete obj.nodeDrain
          delete obj.auditList
          delete obj.whoAmI
          delete obj.grantList
          delete obj.grantRemove
          delete obj.grantSet
          delete obj.jobCancel
          delete obj.jobGet
          delete obj.jobsList
          delete obj.jobsSubmit
          delete obj.configList
          delete obj.configGet
          delete obj.configSet
        }

        if (obj.configList != null) {
          delete obj.schedulePause
          delete obj.scheduleRemove
          delete obj.scheduleList
          delete obj.scheduleAdd
          delete obj.approvalPropose
          delete obj.approvalDecide
          delete obj.approvalsList
          delete obj.incidentGet
          delete obj.incidentsList
          delete obj.retentionStatus
          delete obj.raftRemovePeer
          delete obj.raftListPeers
          delete obj.statsGet
          delete obj.nodeRetire
          delete obj.nodeDrain
          delete obj.auditList
          delete obj.whoAmI
          delete obj.grantList
          delete obj.grantRemove
          delete obj.grantSet
          delete obj.jobCancel
          delete obj.jobGet
          delete obj.jobsList
          delete obj.jobsSubmit
          delete obj.configDelete
          delete obj.configGet
          delete obj.configSet
        }

        if (obj.configGet != null) {
          delete obj.schedulePause
          delete obj.scheduleRemove
          delete obj.scheduleList
          delete obj.scheduleAdd
          delete obj.approvalPropose
          delete obj.approvalDecide
          delete obj.approvalsList
          delete obj.incidentGet
          delete obj.incidentsList
          delete obj.retentionStatus
          delete obj.raftRemovePeer
          delete obj.raftListPeers
          delete obj.statsGet
          delete obj.nodeRetire
          delete obj.nodeDrain
          delete obj.auditList
          delete obj.whoAmI
          delete obj.grantList
          delete obj.grantRemove
          delete obj.grantSet
          delete obj.jobCancel
          delete obj.jobGet
          delete obj.jobsList
          delete obj.jobsSubmit
          delete obj.configDelete
          delete obj.configList
          delete obj.configSet
        }

        if (obj.configSet != null) {
          delete obj.schedulePause
          delete obj.scheduleRemove
          delete obj.scheduleList
          delete obj.scheduleAdd
          delete obj.approvalPropose
          delete obj.approvalDecide
          delete obj.approvalsList
          delete obj.incidentGet
          delete obj.incidentsList
          delete obj.retentionStatus
          delete obj.raftRemovePeer
          delete obj.raftListPeers
          delete obj.statsGet
          delete obj.nodeRetire
          delete obj.nodeDrain
          delete obj.auditList
          delete obj.whoAmI
          delete obj.grantList
          delete obj.grantRemove
          delete obj.grantSet
          delete obj.jobCancel
          delete obj.jobGet
          delete obj.jobsList
          delete obj.jobsSubmit
          delete obj.configDelete
          delete obj.configList
          delete obj.configGet
        }

        return obj
      })
    }

    return _codec
  }

  export const encode = (obj: Partial<AdminRequest>): Uint8Array => {
    return encodeMessage(obj, AdminRequest.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AdminRequest>): AdminRequest => {
    return decodeMessage(buf, AdminRequest.codec(), opts)
  }
}

export interface ConfigEntry {
  key: string
  value: string
  version: bigint
}

export namespace ConfigEntry {
  let _codec: Codec<ConfigEntry>

  export const codec = (): Codec<ConfigEntry> => {
    if (_codec == null) {
      _codec = message<ConfigEntry>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.key != null && obj.key !== '')) {
          w.uint32(10)
          w.string(obj.key)
        }

        if ((obj.value != null && obj.value !== '')) {
          w.uint32(18)
          w.string(obj.value)
        }

        if ((obj.version != null && obj.version !== 0n)) {
          w.uint32(24)
          w.uint64(obj.version)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          key: '',
          value: '',
          version: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.key = reader.string()
              break
            }
            case 2: {
              obj.value = reader.string()
              break
            }
            case 3: {
              obj.version = reader.uint64()
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

  export const encode = (obj: Partial<ConfigEntry>): Uint8Array => {
    return encodeMessage(obj, ConfigEntry.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ConfigEntry>): ConfigEntry => {
    return decodeMessage(buf, ConfigEntry.codec(), opts)
  }
}

export interface ConfigWritten {
  version: bigint
}

export namespace ConfigWritten {
  let _codec: Codec<ConfigWritten>

  export const codec = (): Codec<ConfigWritten> => {
    if (_codec == null) {
      _codec = message<ConfigWritten>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0n)) {
          w.uint32(8)
          w.uint64(obj.version)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.uint64()
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

  export const encode = (obj: Partial<ConfigWritten>): Uint8Array => {
    return encodeMessage(obj, ConfigWritten.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ConfigWritten>): ConfigWritten => {
    return decodeMessage(buf, ConfigWritten.codec(), opts)
  }
}

export interface ConfigEntries {
  entries: ConfigEntry[]
}

export namespace ConfigEntries {
  let _codec: Codec<ConfigEntries>

  export const codec = (): Codec<ConfigEntries> => {
    if (_codec == null) {
      _codec = message<ConfigEntries>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.entries != null) {
          for (const value of obj.entries) {
            w.uint32(10)
            ConfigEntry.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          entries: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.entries != null && obj.entries.length === opts.limits.entries) {
                throw new MaxLengthError('Decode error - map field "entries" had too many elements')
              }

              obj.entries.push(ConfigEntry.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.entries$
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

  export const encode = (obj: Partial<ConfigEntries>): Uint8Array => {
    return encodeMessage(obj, ConfigEntries.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ConfigEntries>): ConfigEntries => {
    return decodeMessage(buf, ConfigEntries.codec(), opts)
  }
}

export interface SubmittedJob {
  id: string
  home: string
  tasks: number
}

export namespace SubmittedJob {
  let _codec: Codec<SubmittedJob>

  export const codec = (): Codec<SubmittedJob> => {
    if (_codec == null) {
      _codec = message<SubmittedJob>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.id != null && obj.id !== '')) {
          w.uint32(10)
          w.string(obj.id)
        }

        if ((obj.home != null && obj.home !== '')) {
          w.uint32(18)
          w.string(obj.home)
        }

        if ((obj.tasks != null && obj.tasks !== 0)) {
          w.uint32(24)
          w.uint32(obj.tasks)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: '',
          home: '',
          tasks: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.id = reader.string()
              break
            }
            case 2: {
              obj.home = reader.string()
              break
            }
            case 3: {
              obj.tasks = reader.uint32()
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

  export const encode = (obj: Partial<SubmittedJob>): Uint8Array => {
    return encodeMessage(obj, SubmittedJob.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SubmittedJob>): SubmittedJob => {
    return decodeMessage(buf, SubmittedJob.codec(), opts)
  }
}

export interface JobsSubmitted {
  jobs: SubmittedJob[]
  home: string
}

export namespace JobsSubmitted {
  let _codec: Codec<JobsSubmitted>

  export const codec = (): Codec<JobsSubmitted> => {
    if (_codec == null) {
      _codec = message<JobsSubmitted>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.jobs != null) {
          for (const value of obj.jobs) {
            w.uint32(10)
            SubmittedJob.codec().encode(value, w)
          }
        }

        if ((obj.home != null && obj.home !== '')) {
          w.uint32(18)
          w.string(obj.home)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          jobs: [],
          home: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.jobs != null && obj.jobs.length === opts.limits.jobs) {
                throw new MaxLengthError('Decode error - map field "jobs" had too many elements')
              }

              obj.jobs.push(SubmittedJob.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.jobs$
              }))
              break
            }
            case 2: {
              obj.home = reader.string()
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

  export const encode = (obj: Partial<JobsSubmitted>): Uint8Array => {
    return encodeMessage(obj, JobsSubmitted.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<JobsSubmitted>): JobsSubmitted => {
    return decodeMessage(buf, JobsSubmitted.codec(), opts)
  }
}

export interface JobSummary {
  id: string
  home: string
  state: string
  createdAt: number
  name?: string
  total?: number
  done?: number
  failed?: number
  finishedAt?: number
  stuck?: StuckInfo
}

export namespace JobSummary {
  let _codec: Codec<JobSummary>

  export const codec = (): Codec<JobSummary> => {
    if (_codec == null) {
      _codec = message<JobSummary>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.id != null && obj.id !== '')) {
          w.uint32(10)
          w.string(obj.id)
        }

        if ((obj.home != null && obj.home !== '')) {
          w.uint32(18)
          w.string(obj.home)
        }

        if ((obj.state != null && obj.state !== '')) {
          w.uint32(26)
          w.string(obj.state)
        }

        if ((obj.createdAt != null && obj.createdAt !== 0)) {
          w.uint32(32)
          w.uint64Number(obj.createdAt)
        }

        if (obj.name != null) {
          w.uint32(42)
          w.string(obj.name)
        }

        if (obj.total != null) {
          w.uint32(48)
          w.uint32(obj.total)
        }

        if (obj.done != null) {
          w.uint32(56)
          w.uint32(obj.done)
        }

        if (obj.failed != null) {
          w.uint32(64)
          w.uint32(obj.failed)
        }

        if (obj.finishedAt != null) {
          w.uint32(72)
          w.uint64Number(obj.finishedAt)
        }

        if (obj.stuck != null) {
          w.uint32(242)
          StuckInfo.codec().encode(obj.stuck, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: '',
          home: '',
          state: '',
          createdAt: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.id = reader.string()
              break
            }
            case 2: {
              obj.home = reader.string()
              break
            }
            case 3: {
              obj.state = reader.string()
              break
            }
            case 4: {
              obj.createdAt = reader.uint64Number()
              break
            }
            case 5: {
              obj.name = reader.string()
              break
            }
            case 6: {
              obj.total = reader.uint32()
              break
            }
            case 7: {
              obj.done = reader.uint32()
              break
            }
            case 8: {
              obj.failed = reader.uint32()
              break
            }
            case 9: {
              obj.finishedAt = reader.uint64Number()
              break
            }
            case 30: {
              obj.stuck = StuckInfo.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.stuck
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

  export const encode = (obj: Partial<JobSummary>): Uint8Array => {
    return encodeMessage(obj, JobSummary.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<JobSummary>): JobSummary => {
    return decodeMessage(buf, JobSummary.codec(), opts)
  }
}

export interface StuckInfo {
  sinceMs: number
  code: string
  text: string
  peers: string[]
  capabilities: string[]
}

export namespace StuckInfo {
  let _codec: Codec<StuckInfo>

  export const codec = (): Codec<StuckInfo> => {
    if (_codec == null) {
      _codec = message<StuckInfo>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.sinceMs != null && obj.sinceMs !== 0)) {
          w.uint32(8)
          w.uint64Number(obj.sinceMs)
        }

        if ((obj.code != null && obj.code !== '')) {
          w.uint32(18)
          w.string(obj.code)
        }

        if ((obj.text != null && obj.text !== '')) {
          w.uint32(26)
          w.string(obj.text)
        }

        if (obj.peers != null) {
          for (const value of obj.peers) {
            w.uint32(34)
            w.string(value)
          }
        }

        if (obj.capabilities != null) {
          for (const value of obj.capabilities) {
            w.uint32(42)
            w.string(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          sinceMs: 0,
          code: '',
          text: '',
          peers: [],
          capabilities: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.sinceMs = reader.uint64Number()
              break
            }
            case 2: {
              obj.code = reader.string()
              break
            }
            case 3: {
              obj.text = reader.string()
              break
            }
            case 4: {
              if (opts.limits?.peers != null && obj.peers.length === opts.limits.peers) {
                throw new MaxLengthError('Decode error - map field "peers" had too many elements')
              }

              obj.peers.push(reader.string())
              break
            }
            case 5: {
              if (opts.limits?.capabilities != null && obj.capabilities.length === opts.limits.capabilities) {
                throw new MaxLengthError('Decode error - map field "capabilities" had too many elements')
              }

              obj.capabilities.push(reader.string())
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

  export const encode = (obj: Partial<StuckInfo>): Uint8Array => {
    return encodeMessage(obj, StuckInfo.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StuckInfo>): StuckInfo => {
    return decodeMessage(buf, StuckInfo.codec(), opts)
  }
}

export interface JobList {
  jobs: JobSummary[]
  next: string
  hidden?: number
  stuck?: StuckListing
}

export namespace JobList {
  let _codec: Codec<JobList>

  export const codec = (): Codec<JobList> => {
    if (_codec == null) {
      _codec = message<JobList>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.jobs != null) {
          for (const value of obj.jobs) {
            w.uint32(10)
            JobSummary.codec().encode(value, w)
          }
        }

        if ((obj.next != null && obj.next !== '')) {
          w.uint32(18)
          w.string(obj.next)
        }

        if (obj.hidden != null) {
          w.uint32(72)
          w.uint32(obj.hidden)
        }

        if (obj.stuck != null) {
          w.uint32(242)
          StuckListing.codec().encode(obj.stuck, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          jobs: [],
          next: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.jobs != null && obj.jobs.length === opts.limits.jobs) {
                throw new MaxLengthError('Decode error - map field "jobs" had too many elements')
              }

              obj.jobs.push(JobSummary.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.jobs$
              }))
              break
            }
            case 2: {
              obj.next = reader.string()
              break
            }
            case 9: {
              obj.hidden = reader.uint32()
              break
            }
            case 30: {
              obj.stuck = StuckListing.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.stuck
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

  export const encode = (obj: Partial<JobList>): Uint8Array => {
    return encodeMessage(obj, JobList.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<JobList>): JobList => {
    return decodeMessage(buf, JobList.codec(), opts)
  }
}

export interface StuckListing {
  unanswered: string[]
}

export namespace StuckListing {
  let _codec: Codec<StuckListing>

  export const codec = (): Codec<StuckListing> => {
    if (_codec == null) {
      _codec = message<StuckListing>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.unanswered != null) {
          for (const value of obj.unanswered) {
            w.uint32(10)
            w.string(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          unanswered: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.unanswered != null && obj.unanswered.length === opts.limits.unanswered) {
                throw new MaxLengthError('Decode error - map field "unanswered" had too many elements')
              }

              obj.unanswered.push(reader.string())
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

  export const encode = (obj: Partial<StuckListing>): Uint8Array => {
    return encodeMessage(obj, StuckListing.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StuckListing>): StuckListing => {
    return decodeMessage(buf, StuckListing.codec(), opts)
  }
}

export interface JobDetail {
  view: string
  results: string
  next: string
}

export namespace JobDetail {
  let _codec: Codec<JobDetail>

  export const codec = (): Codec<JobDetail> => {
    if (_codec == null) {
      _codec = message<JobDetail>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.view != null && obj.view !== '')) {
          w.uint32(10)
          w.string(obj.view)
        }

        if ((obj.results != null && obj.results !== '')) {
          w.uint32(18)
          w.string(obj.results)
        }

        if ((obj.next != null && obj.next !== '')) {
          w.uint32(26)
          w.string(obj.next)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          view: '',
          results: '',
          next: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.view = reader.string()
              break
            }
            case 2: {
              obj.results = reader.string()
              break
            }
            case 3: {
              obj.next = reader.string()
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

  export const encode = (obj: Partial<JobDetail>): Uint8Array => {
    return encodeMessage(obj, JobDetail.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<JobDetail>): JobDetail => {
    return decodeMessage(buf, JobDetail.codec(), opts)
  }
}

export interface JobCancelled {}

export namespace JobCancelled {
  let _codec: Codec<JobCancelled>

  export const codec = (): Codec<JobCancelled> => {
    if (_codec == null) {
      _codec = message<JobCancelled>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {}

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
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

  export const encode = (obj: Partial<JobCancelled>): Uint8Array => {
    return encodeMessage(obj, JobCancelled.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<JobCancelled>): JobCancelled => {
    return decodeMessage(buf, JobCancelled.codec(), opts)
  }
}

export interface GrantEntry {
  peerId: string
  role: string
  commands: boolean
  index: number
  by: string
  at: number
}

export namespace GrantEntry {
  let _codec: Codec<GrantEntry>

  export const codec = (): Codec<GrantEntry> => {
    if (_codec == null) {
      _codec = message<GrantEntry>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.peerId != null && obj.peerId !== '')) {
          w.uint32(10)
          w.string(obj.peerId)
        }

        if ((obj.role != null && obj.role !== '')) {
          w.uint32(18)
          w.string(obj.role)
        }

        if ((obj.commands != null && obj.commands !== false)) {
          w.uint32(24)
          w.bool(obj.commands)
        }

        if ((obj.index != null && obj.index !== 0)) {
          w.uint32(32)
          w.uint64Number(obj.index)
        }

        if ((obj.by != null && obj.by !== '')) {
          w.uint32(42)
          w.string(obj.by)
        }

        if ((obj.at != null && obj.at !== 0)) {
          w.uint32(48)
          w.uint64Number(obj.at)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peerId: '',
          role: '',
          commands: false,
          index: 0,
          by: '',
          at: 0
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
              obj.role = reader.string()
              break
            }
            case 3: {
              obj.commands = reader.bool()
              break
            }
            case 4: {
              obj.index = reader.uint64Number()
              break
            }
            case 5: {
              obj.by = reader.string()
              break
            }
            case 6: {
              obj.at = reader.uint64Number()
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

  export const encode = (obj: Partial<GrantEntry>): Uint8Array => {
    return encodeMessage(obj, GrantEntry.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<GrantEntry>): GrantEntry => {
    return decodeMessage(buf, GrantEntry.codec(), opts)
  }
}

export interface GrantWritten {}

export namespace GrantWritten {
  let _codec: Codec<GrantWritten>

  export const codec = (): Codec<GrantWritten> => {
    if (_codec == null) {
      _codec = message<GrantWritten>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {}

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
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

  export const encode = (obj: Partial<GrantWritten>): Uint8Array => {
    return encodeMessage(obj, GrantWritten.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<GrantWritten>): GrantWritten => {
    return decodeMessage(buf, GrantWritten.codec(), opts)
  }
}

export interface GrantEntries {
  grants: GrantEntry[]
}

export namespace GrantEntries {
  let _codec: Codec<GrantEntries>

  export const codec = (): Codec<GrantEntries> => {
    if (_codec == null) {
      _codec = message<GrantEntries>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.grants != null) {
          for (const value of obj.grants) {
            w.uint32(10)
            GrantEntry.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          grants: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.grants != null && obj.grants.length === opts.limits.grants) {
                throw new MaxLengthError('Decode error - map field "grants" had too many elements')
              }

              obj.grants.push(GrantEntry.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.grants$
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

  export const encode = (obj: Partial<GrantEntries>): Uint8Array => {
    return encodeMessage(obj, GrantEntries.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<GrantEntries>): GrantEntries => {
    return decodeMessage(buf, GrantEntries.codec(), opts)
  }
}

export interface Identity {
  peerId: string
  role: string
  rights: string[]
}

export namespace Identity {
  let _codec: Codec<Identity>

  export const codec = (): Codec<Identity> => {
    if (_codec == null) {
      _codec = message<Identity>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.peerId != null && obj.peerId !== '')) {
          w.uint32(10)
          w.string(obj.peerId)
        }

        if ((obj.role != null && obj.role !== '')) {
          w.uint32(18)
          w.string(obj.role)
        }

        if (obj.rights != null) {
          for (const value of obj.rights) {
            w.uint32(26)
            w.string(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peerId: '',
          role: '',
          rights: []
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
              obj.role = reader.string()
              break
            }
            case 3: {
              if (opts.limits?.rights != null && obj.rights.length === opts.limits.rights) {
                throw new MaxLengthError('Decode error - map field "rights" had too many elements')
              }

              obj.rights.push(reader.string())
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

  export const encode = (obj: Partial<Identity>): Uint8Array => {
    return encodeMessage(obj, Identity.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Identity>): Identity => {
    return decodeMessage(buf, Identity.codec(), opts)
  }
}

export interface AuditEntry {
  cursor: string
  at: number
  who: string
  action: string
  target: string
  outcome: string
  detail: string
  node: string
}

export namespace AuditEntry {
  let _codec: Codec<AuditEntry>

  export const codec = (): Codec<AuditEntry> => {
    if (_codec == null) {
      _codec = message<AuditEntry>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.cursor != null && obj.cursor !== '')) {
          w.uint32(10)
          w.string(obj.cursor)
        }

        if ((obj.at != null && obj.at !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.at)
        }

        if ((obj.who != null && obj.who !== '')) {
          w.uint32(26)
          w.string(obj.who)
        }

        if ((obj.action != null && obj.action !== '')) {
          w.uint32(34)
          w.string(obj.action)
        }

        if ((obj.target != null && obj.target !== '')) {
          w.uint32(42)
          w.string(obj.target)
        }

        if ((obj.outcome != null && obj.outcome !== '')) {
          w.uint32(50)
          w.string(obj.outcome)
        }

        if ((obj.detail != null && obj.detail !== '')) {
          w.uint32(58)
          w.string(obj.detail)
        }

        if ((obj.node != null && obj.node !== '')) {
          w.uint32(66)
          w.string(obj.node)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          cursor: '',
          at: 0,
          who: '',
          action: '',
          target: '',
          outcome: '',
          detail: '',
          node: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.cursor = reader.string()
              break
            }
            case 2: {
              obj.at = reader.uint64Number()
              break
            }
            case 3: {
              obj.who = reader.string()
              break
            }
            case 4: {
              obj.action = reader.string()
              break
            }
            case 5: {
              obj.target = reader.string()
              break
            }
            case 6: {
              obj.outcome = reader.string()
              break
            }
            case 7: {
              obj.detail = reader.string()
              break
            }
            case 8: {
              obj.node = reader.string()
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

  export const encode = (obj: Partial<AuditEntry>): Uint8Array => {
    return encodeMessage(obj, AuditEntry.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AuditEntry>): AuditEntry => {
    return decodeMessage(buf, AuditEntry.codec(), opts)
  }
}

export interface AuditEntries {
  entries: AuditEntry[]
  next: string
}

export namespace AuditEntries {
  let _codec: Codec<AuditEntries>

  export const codec = (): Codec<AuditEntries> => {
    if (_codec == null) {
      _codec = message<AuditEntries>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.entries != null) {
          for (const value of obj.entries) {
            w.uint32(10)
            AuditEntry.codec().encode(value, w)
          }
        }

        if ((obj.next != null && obj.next !== '')) {
          w.uint32(18)
          w.string(obj.next)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          entries: [],
          next: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.entries != null && obj.entries.length === opts.limits.entries) {
                throw new MaxLengthError('Decode error - map field "entries" had too many elements')
              }

              obj.entries.push(AuditEntry.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.entries$
              }))
              break
            }
            case 2: {
              obj.next = reader.string()
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

  export const encode = (obj: Partial<AuditEntries>): Uint8Array => {
    return encodeMessage(obj, AuditEntries.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AuditEntries>): AuditEntries => {
    return decodeMessage(buf, AuditEntries.codec(), opts)
  }
}

export interface DrainStatus {
  state: string
  startedAt: number
  deadlineAt: number
  elapsedMs: number
  queued: number
  running: number
  lent: number
  engaged: number
  outbox: number
  homeJobs: number
  inFlight: number
  handedOff: number
  finished: number
  clean: boolean
  declaredDead: boolean
  leadershipTransferred: boolean
  summary: string
  leftRaft: boolean
}

export namespace DrainStatus {
  let _codec: Codec<DrainStatus>

  export const codec = (): Codec<DrainStatus> => {
    if (_codec == null) {
      _codec = message<DrainStatus>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.state != null && obj.state !== '')) {
          w.uint32(10)
          w.string(obj.state)
        }

        if ((obj.startedAt != null && obj.startedAt !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.startedAt)
        }

        if ((obj.deadlineAt != null && obj.deadlineAt !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.deadlineAt)
        }

        if ((obj.elapsedMs != null && obj.elapsedMs !== 0)) {
          w.uint32(32)
          w.uint64Number(obj.elapsedMs)
        }

        if ((obj.queued != null && obj.queued !== 0)) {
          w.uint32(40)
          w.uint32(obj.queued)
        }

        if ((obj.running != null && obj.running !== 0)) {
          w.uint32(48)
          w.uint32(obj.running)
        }

        if ((obj.lent != null && obj.lent !== 0)) {
          w.uint32(56)
          w.uint32(obj.lent)
        }

        if ((obj.engaged != null && obj.engaged !== 0)) {
          w.uint32(64)
          w.uint32(obj.engaged)
        }

        if ((obj.outbox != null && obj.outbox !== 0)) {
          w.uint32(72)
          w.uint32(obj.outbox)
        }

        if ((obj.homeJobs != null && obj.homeJobs !== 0)) {
          w.uint32(80)
          w.uint32(obj.homeJobs)
        }

        if ((obj.inFlight != null && obj.inFlight !== 0)) {
          w.uint32(88)
          w.uint32(obj.inFlight)
        }

        if ((obj.handedOff != null && obj.handedOff !== 0)) {
          w.uint32(96)
          w.uint32(obj.handedOff)
        }

        if ((obj.finished != null && obj.finished !== 0)) {
          w.uint32(104)
          w.uint32(obj.finished)
        }

        if ((obj.clean != null && obj.clean !== false)) {
          w.uint32(112)
          w.bool(obj.clean)
        }

        if ((obj.declaredDead != null && obj.declaredDead !== false)) {
          w.uint32(120)
          w.bool(obj.declaredDead)
        }

        if ((obj.leadershipTransferred != null && obj.leadershipTransferred !== false)) {
          w.uint32(128)
          w.bool(obj.leadershipTransferred)
        }

        if ((obj.summary != null && obj.summary !== '')) {
          w.uint32(138)
          w.string(obj.summary)
        }

        if ((obj.leftRaft != null && obj.leftRaft !== false)) {
          w.uint32(144)
          w.bool(obj.leftRaft)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          state: '',
          startedAt: 0,
          deadlineAt: 0,
          elapsedMs: 0,
          queued: 0,
          running: 0,
          lent: 0,
          engaged: 0,
          outbox: 0,
          homeJobs: 0,
          inFlight: 0,
          handedOff: 0,
          finished: 0,
          clean: false,
          declaredDead: false,
          leadershipTransferred: false,
          summary: '',
          leftRaft: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.state = reader.string()
              break
            }
            case 2: {
              obj.startedAt = reader.uint64Number()
              break
            }
            case 3: {
              obj.deadlineAt = reader.uint64Number()
              break
            }
            case 4: {
              obj.elapsedMs = reader.uint64Number()
              break
            }
            case 5: {
              obj.queued = reader.uint32()
              break
            }
            case 6: {
              obj.running = reader.uint32()
              break
            }
            case 7: {
              obj.lent = reader.uint32()
              break
            }
            case 8: {
              obj.engaged = reader.uint32()
              break
            }
            case 9: {
              obj.outbox = reader.uint32()
              break
            }
            case 10: {
              obj.homeJobs = reader.uint32()
              break
            }
            case 11: {
              obj.inFlight = reader.uint32()
              break
            }
            case 12: {
              obj.handedOff = reader.uint32()
              break
            }
            case 13: {
              obj.finished = reader.uint32()
              break
            }
            case 14: {
              obj.clean = reader.bool()
              break
            }
            case 15: {
              obj.declaredDead = reader.bool()
              break
            }
            case 16: {
              obj.leadershipTransferred = reader.bool()
              break
            }
            case 17: {
              obj.summary = reader.string()
              break
            }
            case 18: {
              obj.leftRaft = reader.bool()
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

  export const encode = (obj: Partial<DrainStatus>): Uint8Array => {
    return encodeMessage(obj, DrainStatus.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DrainStatus>): DrainStatus => {
    return decodeMessage(buf, DrainStatus.codec(), opts)
  }
}

export interface NodeRetired {}

export namespace NodeRetired {
  let _codec: Codec<NodeRetired>

  export const codec = (): Codec<NodeRetired> => {
    if (_codec == null) {
      _codec = message<NodeRetired>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {}

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
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

  export const encode = (obj: Partial<NodeRetired>): Uint8Array => {
    return encodeMessage(obj, NodeRetired.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<NodeRetired>): NodeRetired => {
    return decodeMessage(buf, NodeRetired.codec(), opts)
  }
}

export interface Percentiles {
  p50: number
  p95: number
  p99: number
}

export namespace Percentiles {
  let _codec: Codec<Percentiles>

  export const codec = (): Codec<Percentiles> => {
    if (_codec == null) {
      _codec = message<Percentiles>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.p50 != null && obj.p50 !== 0)) {
          w.uint32(9)
          w.double(obj.p50)
        }

        if ((obj.p95 != null && obj.p95 !== 0)) {
          w.uint32(17)
          w.double(obj.p95)
        }

        if ((obj.p99 != null && obj.p99 !== 0)) {
          w.uint32(25)
          w.double(obj.p99)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          p50: 0,
          p95: 0,
          p99: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.p50 = reader.double()
              break
            }
            case 2: {
              obj.p95 = reader.double()
              break
            }
            case 3: {
              obj.p99 = reader.double()
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

  export const encode = (obj: Partial<Percentiles>): Uint8Array => {
    return encodeMessage(obj, Percentiles.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Percentiles>): Percentiles => {
    return decodeMessage(buf, Percentiles.codec(), opts)
  }
}

export interface TaskTypeStats {
  type: string
  count: number
  ok: number
  failed: number
  retried: number
  perSec: number
  duration?: Percentiles
  queueWait?: Percentiles
}

export namespace TaskTypeStats {
  let _codec: Codec<TaskTypeStats>

  export const codec = (): Codec<TaskTypeStats> => {
    if (_codec == null) {
      _codec = message<TaskTypeStats>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.type != null && obj.type !== '')) {
          w.uint32(10)
          w.string(obj.type)
        }

        if ((obj.count != null && obj.count !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.count)
        }

        if ((obj.ok != null && obj.ok !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.ok)
        }

        if ((obj.failed != null && obj.failed !== 0)) {
          w.uint32(32)
          w.uint64Number(obj.failed)
        }

        if ((obj.retried != null && obj.retried !== 0)) {
          w.uint32(40)
          w.uint64Number(obj.retried)
        }

        if ((obj.perSec != null && obj.perSec !== 0)) {
          w.uint32(49)
          w.double(obj.perSec)
        }

        if (obj.duration != null) {
          w.uint32(58)
          Percentiles.codec().encode(obj.duration, w)
        }

        if (obj.queueWait != null) {
          w.uint32(66)
          Percentiles.codec().encode(obj.queueWait, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          type: '',
          count: 0,
          ok: 0,
          failed: 0,
          retried: 0,
          perSec: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.type = reader.string()
              break
            }
            case 2: {
              obj.count = reader.uint64Number()
              break
            }
            case 3: {
              obj.ok = reader.uint64Number()
              break
            }
            case 4: {
              obj.failed = reader.uint64Number()
              break
            }
            case 5: {
              obj.retried = reader.uint64Number()
              break
            }
            case 6: {
              obj.perSec = reader.double()
              break
            }
            case 7: {
              obj.duration = Percentiles.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.duration
              })
              break
            }
            case 8: {
              obj.queueWait = Percentiles.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.queueWait
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

  export const encode = (obj: Partial<TaskTypeStats>): Uint8Array => {
    return encodeMessage(obj, TaskTypeStats.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskTypeStats>): TaskTypeStats => {
    return decodeMessage(buf, TaskTypeStats.codec(), opts)
  }
}

export interface JobStats {
  count: number
  completed: number
  failed: number
  cancelled: number
  latency?: Percentiles
}

export namespace JobStats {
  let _codec: Codec<JobStats>

  export const codec = (): Codec<JobStats> => {
    if (_codec == null) {
      _codec = message<JobStats>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.count != null && obj.count !== 0)) {
          w.uint32(8)
          w.uint64Number(obj.count)
        }

        if ((obj.completed != null && obj.completed !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.completed)
        }

        if ((obj.failed != null && obj.failed !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.failed)
        }

        if ((obj.cancelled != null && obj.cancelled !== 0)) {
          w.uint32(32)
          w.uint64Number(obj.cancelled)
        }

        if (obj.latency != null) {
          w.uint32(42)
          Percentiles.codec().encode(obj.latency, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          count: 0,
          completed: 0,
          failed: 0,
          cancelled: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.count = reader.uint64Number()
              break
            }
            case 2: {
              obj.completed = reader.uint64Number()
              break
            }
            case 3: {
              obj.failed = reader.uint64Number()
              break
            }
            case 4: {
              obj.cancelled = reader.uint64Number()
              break
            }
            case 5: {
              obj.latency = Percentiles.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.latency
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

  export const encode = (obj: Partial<JobStats>): Uint8Array => {
    return encodeMessage(obj, JobStats.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<JobStats>): JobStats => {
    return decodeMessage(buf, JobStats.codec(), opts)
  }
}

export interface StatsMinute {
  at: number
  tasks: number
  duration?: Percentiles
  jobs: number
  latency?: Percentiles
}

export namespace StatsMinute {
  let _codec: Codec<StatsMinute>

  export const codec = (): Codec<StatsMinute> => {
    if (_codec == null) {
      _codec = message<StatsMinute>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.at != null && obj.at !== 0)) {
          w.uint32(8)
          w.uint64Number(obj.at)
        }

        if ((obj.tasks != null && obj.tasks !== 0)) {
          w.uint32(16)
          w.uint32(obj.tasks)
        }

        if (obj.duration != null) {
          w.uint32(26)
          Percentiles.codec().encode(obj.duration, w)
        }

        if ((obj.jobs != null && obj.jobs !== 0)) {
          w.uint32(32)
          w.uint32(obj.jobs)
        }

        if (obj.latency != null) {
          w.uint32(42)
          Percentiles.codec().encode(obj.latency, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          at: 0,
          tasks: 0,
          jobs: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.at = reader.uint64Number()
              break
            }
            case 2: {
              obj.tasks = reader.uint32()
              break
            }
            case 3: {
              obj.duration = Percentiles.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.duration
              })
              break
            }
            case 4: {
              obj.jobs = reader.uint32()
              break
            }
            case 5: {
              obj.latency = Percentiles.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.latency
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

  export const encode = (obj: Partial<StatsMinute>): Uint8Array => {
    return encodeMessage(obj, StatsMinute.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StatsMinute>): StatsMinute => {
    return decodeMessage(buf, StatsMinute.codec(), opts)
  }
}

export interface StatsMissing {
  peerId: string
  error: string
}

export namespace StatsMissing {
  let _codec: Codec<StatsMissing>

  export const codec = (): Codec<StatsMissing> => {
    if (_codec == null) {
      _codec = message<StatsMissing>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.peerId != null && obj.peerId !== '')) {
          w.uint32(10)
          w.string(obj.peerId)
        }

        if ((obj.error != null && obj.error !== '')) {
          w.uint32(18)
          w.string(obj.error)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peerId: '',
          error: ''
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
              obj.error = reader.string()
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

  export const encode = (obj: Partial<StatsMissing>): Uint8Array => {
    return encodeMessage(obj, StatsMissing.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StatsMissing>): StatsMissing => {
    return decodeMessage(buf, StatsMissing.codec(), opts)
  }
}

export interface MeshStats {
  since: number
  until: number
  windowMs: number
  types: TaskTypeStats[]
  jobs?: JobStats
  minutes: StatsMinute[]
  asked: number
  answered: string[]
  missing: StatsMissing[]
  retentionMinutes: number
}

export namespace MeshStats {
  let _codec: Codec<MeshStats>

  export const codec = (): Codec<MeshStats> => {
    if (_codec == null) {
      _codec = message<MeshStats>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.since != null && obj.since !== 0)) {
          w.uint32(8)
          w.uint64Number(obj.since)
        }

        if ((obj.until != null && obj.until !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.until)
        }

        if ((obj.windowMs != null && obj.windowMs !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.windowMs)
        }

        if (obj.types != null) {
          for (const value of obj.types) {
            w.uint32(34)
            TaskTypeStats.codec().encode(value, w)
          }
        }

        if (obj.jobs != null) {
          w.uint32(42)
          JobStats.codec().encode(obj.jobs, w)
        }

        if (obj.minutes != null) {
          for (const value of obj.minutes) {
            w.uint32(50)
            StatsMinute.codec().encode(value, w)
          }
        }

        if ((obj.asked != null && obj.asked !== 0)) {
          w.uint32(56)
          w.uint32(obj.asked)
        }

        if (obj.answered != null) {
          for (const value of obj.answered) {
            w.uint32(66)
            w.string(value)
          }
        }

        if (obj.missing != null) {
          for (const value of obj.missing) {
            w.uint32(74)
            StatsMissing.codec().encode(value, w)
          }
        }

        if ((obj.retentionMinutes != null && obj.retentionMinutes !== 0)) {
          w.uint32(80)
          w.uint32(obj.retentionMinutes)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          since: 0,
          until: 0,
          windowMs: 0,
          types: [],
          minutes: [],
          asked: 0,
          answered: [],
          missing: [],
          retentionMinutes: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.since = reader.uint64Number()
              break
            }
            case 2: {
              obj.until = reader.uint64Number()
              break
            }
            case 3: {
              obj.windowMs = reader.uint64Number()
              break
            }
            case 4: {
              if (opts.limits?.types != null && obj.types.length === opts.limits.types) {
                throw new MaxLengthError('Decode error - map field "types" had too many elements')
              }

              obj.types.push(TaskTypeStats.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.types$
              }))
              break
            }
            case 5: {
              obj.jobs = JobStats.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.jobs
              })
              break
            }
            case 6: {
              if (opts.limits?.minutes != null && obj.minutes.length === opts.limits.minutes) {
                throw new MaxLengthError('Decode error - map field "minutes" had too many elements')
              }

              obj.minutes.push(StatsMinute.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.minutes$
              }))
              break
            }
            case 7: {
              obj.asked = reader.uint32()
              break
            }
            case 8: {
              if (opts.limits?.answered != null && obj.answered.length === opts.limits.answered) {
                throw new MaxLengthError('Decode error - map field "answered" had too many elements')
              }

              obj.answered.push(reader.string())
              break
            }
            case 9: {
              if (opts.limits?.missing != null && obj.missing.length === opts.limits.missing) {
                throw new MaxLengthError('Decode error - map field "missing" had too many elements')
              }

              obj.missing.push(StatsMissing.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.missing$
              }))
              break
            }
            case 10: {
              obj.retentionMinutes = reader.uint32()
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

  export const encode = (obj: Partial<MeshStats>): Uint8Array => {
    return encodeMessage(obj, MeshStats.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MeshStats>): MeshStats => {
    return decodeMessage(buf, MeshStats.codec(), opts)
  }
}

export interface RaftPeer {
  peerId: string
  name: string
  suffrage: string
  state: string
  leader: boolean
  matchIndex?: number
  addrs: string[]
  lastSeenMs: number
}

export namespace RaftPeer {
  let _codec: Codec<RaftPeer>

  export const codec = (): Codec<RaftPeer> => {
    if (_codec == null) {
      _codec = message<RaftPeer>((obj, w, opts = {}) => {
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

        if ((obj.suffrage != null && obj.suffrage !== '')) {
          w.uint32(26)
          w.string(obj.suffrage)
        }

        if ((obj.state != null && obj.state !== '')) {
          w.uint32(34)
          w.string(obj.state)
        }

        if ((obj.leader != null && obj.leader !== false)) {
          w.uint32(40)
          w.bool(obj.leader)
        }

        if (obj.matchIndex != null) {
          w.uint32(48)
          w.uint64Number(obj.matchIndex)
        }

        if (obj.addrs != null) {
          for (const value of obj.addrs) {
            w.uint32(58)
            w.string(value)
          }
        }

        if ((obj.lastSeenMs != null && obj.lastSeenMs !== 0)) {
          w.uint32(64)
          w.uint64Number(obj.lastSeenMs)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peerId: '',
          name: '',
          suffrage: '',
          state: '',
          leader: false,
          addrs: [],
          lastSeenMs: 0
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
              obj.suffrage = reader.string()
              break
            }
            case 4: {
              obj.state = reader.string()
              break
            }
            case 5: {
              obj.leader = reader.bool()
              break
            }
            case 6: {
              obj.matchIndex = reader.uint64Number()
              break
            }
            case 7: {
              if (opts.limits?.addrs != null && obj.addrs.length === opts.limits.addrs) {
                throw new MaxLengthError('Decode error - map field "addrs" had too many elements')
              }

              obj.addrs.push(reader.string())
              break
            }
            case 8: {
              obj.lastSeenMs = reader.uint64Number()
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

  export const encode = (obj: Partial<RaftPeer>): Uint8Array => {
    return encodeMessage(obj, RaftPeer.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RaftPeer>): RaftPeer => {
    return decodeMessage(buf, RaftPeer.codec(), opts)
  }
}

export interface RaftPeers {
  peers: RaftPeer[]
  leader: string
  term: number
  commitIndex: number
  answeredBy: string
  quorum: number
}

export namespace RaftPeers {
  let _codec: Codec<RaftPeers>

  export const codec = (): Codec<RaftPeers> => {
    if (_codec == null) {
      _codec = message<RaftPeers>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.peers != null) {
          for (const value of obj.peers) {
            w.uint32(10)
            RaftPeer.codec().encode(value, w)
          }
        }

        if ((obj.leader != null && obj.leader !== '')) {
          w.uint32(18)
          w.string(obj.leader)
        }

        if ((obj.term != null && obj.term !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.term)
        }

        if ((obj.commitIndex != null && obj.commitIndex !== 0)) {
          w.uint32(32)
          w.uint64Number(obj.commitIndex)
        }

        if ((obj.answeredBy != null && obj.answeredBy !== '')) {
          w.uint32(42)
          w.string(obj.answeredBy)
        }

        if ((obj.quorum != null && obj.quorum !== 0)) {
          w.uint32(48)
          w.uint32(obj.quorum)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peers: [],
          leader: '',
          term: 0,
          commitIndex: 0,
          answeredBy: '',
          quorum: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.peers != null && obj.peers.length === opts.limits.peers) {
                throw new MaxLengthError('Decode error - map field "peers" had too many elements')
              }

              obj.peers.push(RaftPeer.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.peers$
              }))
              break
            }
            case 2: {
              obj.leader = reader.string()
              break
            }
            case 3: {
              obj.term = reader.uint64Number()
              break
            }
            case 4: {
              obj.commitIndex = reader.uint64Number()
              break
            }
            case 5: {
              obj.answeredBy = reader.string()
              break
            }
            case 6: {
              obj.quorum = reader.uint32()
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

  export const encode = (obj: Partial<RaftPeers>): Uint8Array => {
    return encodeMessage(obj, RaftPeers.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RaftPeers>): RaftPeers => {
    return decodeMessage(buf, RaftPeers.codec(), opts)
  }
}

export interface RaftPeerRemoved {
  index: number
  voters: string[]
  learners: string[]
  leadershipTransferred: boolean
}

export namespace RaftPeerRemoved {
  let _codec: Codec<RaftPeerRemoved>

  export const codec = (): Codec<RaftPeerRemoved> => {
    if (_codec == null) {
      _codec = message<RaftPeerRemoved>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.index != null && obj.index !== 0)) {
          w.uint32(8)
          w.uint64Number(obj.index)
        }

        if (obj.voters != null) {
          for (const value of obj.voters) {
            w.uint32(18)
            w.string(value)
          }
        }

        if (obj.learners != null) {
          for (const value of obj.learners) {
            w.uint32(26)
            w.string(value)
          }
        }

        if ((obj.leadershipTransferred != null && obj.leadershipTransferred !== false)) {
          w.uint32(32)
          w.bool(obj.leadershipTransferred)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          index: 0,
          voters: [],
          learners: [],
          leadershipTransferred: false
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
              if (opts.limits?.voters != null && obj.voters.length === opts.limits.voters) {
                throw new MaxLengthError('Decode error - map field "voters" had too many elements')
              }

              obj.voters.push(reader.string())
              break
            }
            case 3: {
              if (opts.limits?.learners != null && obj.learners.length === opts.limits.learners) {
                throw new MaxLengthError('Decode error - map field "learners" had too many elements')
              }

              obj.learners.push(reader.string())
              break
            }
            case 4: {
              obj.leadershipTransferred = reader.bool()
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

  export const encode = (obj: Partial<RaftPeerRemoved>): Uint8Array => {
    return encodeMessage(obj, RaftPeerRemoved.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RaftPeerRemoved>): RaftPeerRemoved => {
    return decodeMessage(buf, RaftPeerRemoved.codec(), opts)
  }
}

export interface RetentionInfo {
  maxAgeMs?: number
  maxJobs?: number
  resultsMaxAgeMs?: number
  defaults: string[]
  running: number
  finished: number
  resultsExpired: number
  deletedTotal: number
  resultsExpiredTotal: number
}

export namespace RetentionInfo {
  let _codec: Codec<RetentionInfo>

  export const codec = (): Codec<RetentionInfo> => {
    if (_codec == null) {
      _codec = message<RetentionInfo>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.maxAgeMs != null) {
          w.uint32(8)
          w.uint64Number(obj.maxAgeMs)
        }

        if (obj.maxJobs != null) {
          w.uint32(16)
          w.uint64Number(obj.maxJobs)
        }

        if (obj.resultsMaxAgeMs != null) {
          w.uint32(24)
          w.uint64Number(obj.resultsMaxAgeMs)
        }

        if (obj.defaults != null) {
          for (const value of obj.defaults) {
            w.uint32(34)
            w.string(value)
          }
        }

        if ((obj.running != null && obj.running !== 0)) {
          w.uint32(40)
          w.uint64Number(obj.running)
        }

        if ((obj.finished != null && obj.finished !== 0)) {
          w.uint32(48)
          w.uint64Number(obj.finished)
        }

        if ((obj.resultsExpired != null && obj.resultsExpired !== 0)) {
          w.uint32(56)
          w.uint64Number(obj.resultsExpired)
        }

        if ((obj.deletedTotal != null && obj.deletedTotal !== 0)) {
          w.uint32(64)
          w.uint64Number(obj.deletedTotal)
        }

        if ((obj.resultsExpiredTotal != null && obj.resultsExpiredTotal !== 0)) {
          w.uint32(72)
          w.uint64Number(obj.resultsExpiredTotal)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          defaults: [],
          running: 0,
          finished: 0,
          resultsExpired: 0,
          deletedTotal: 0,
          resultsExpiredTotal: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.maxAgeMs = reader.uint64Number()
              break
            }
            case 2: {
              obj.maxJobs = reader.uint64Number()
              break
            }
            case 3: {
              obj.resultsMaxAgeMs = reader.uint64Number()
              break
            }
            case 4: {
              if (opts.limits?.defaults != null && obj.defaults.length === opts.limits.defaults) {
                throw new MaxLengthError('Decode error - map field "defaults" had too many elements')
              }

              obj.defaults.push(reader.string())
              break
            }
            case 5: {
              obj.running = reader.uint64Number()
              break
            }
            case 6: {
              obj.finished = reader.uint64Number()
              break
            }
            case 7: {
              obj.resultsExpired = reader.uint64Number()
              break
            }
            case 8: {
              obj.deletedTotal = reader.uint64Number()
              break
            }
            case 9: {
              obj.resultsExpiredTotal = reader.uint64Number()
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

  export const encode = (obj: Partial<RetentionInfo>): Uint8Array => {
    return encodeMessage(obj, RetentionInfo.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RetentionInfo>): RetentionInfo => {
    return decodeMessage(buf, RetentionInfo.codec(), opts)
  }
}

export interface AdminResponse {
  code: string
  error: string
  leader: string
  configSet?: ConfigWritten
  configGet?: ConfigEntries
  configList?: ConfigEntries
  configDelete?: ConfigWritten
  jobsSubmit?: JobsSubmitted
  jobsList?: JobList
  jobGet?: JobDetail
  jobCancel?: JobCancelled
  grantSet?: GrantWritten
  grantRemove?: GrantWritten
  grantList?: GrantEntries
  whoAmI?: Identity
  auditList?: AuditEntries
  nodeDrain?: DrainStatus
  nodeRetire?: NodeRetired
  statsGet?: MeshStats
  raftListPeers?: RaftPeers
  raftRemovePeer?: RaftPeerRemoved
  retentionStatus?: RetentionInfo
  incidentsList?: IncidentEntries
  incidentGet?: IncidentEntries
  approvalsList?: ApprovalEntries
  approvalDecide?: ApprovalEntry
  approvalPropose?: ApprovalProposed
  scheduleAdd?: ScheduleAdded
  scheduleList?: ScheduleEntries
  scheduleRemove?: ScheduleRemoved
  schedulePause?: SchedulePaused
}

export namespace AdminResponse {
  let _codec: Codec<AdminResponse>

  export const codec = (): Codec<AdminResponse> => {
    if (_codec == null) {
      _codec = message<AdminResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        obj = { ...obj }

        if (obj.schedulePause != null) {
          obj.scheduleRemove = undefined
          obj.scheduleList = undefined
          obj.scheduleAdd = undefined
          obj.approvalPropose = undefined
          obj.approvalDecide = undefined
          obj.approvalsList = undefined
          obj.incidentGet = undefined
          obj.incidentsList = undefined
          obj.retentionStatus = undefined
          obj.raftRemovePeer = undefined
          obj.raftListPeers = undefined
          obj.statsGet = undefined
          obj.nodeRetire = undefined
          obj.nodeDrain = undefined
          obj.auditList = undefined
          obj.whoAmI = undefined
          obj.grantList = undefined
          obj.grantRemove = undefined
          obj.grantSet = undefined
          obj.jobCancel = undefined
          obj.jobGet = undefined
          obj.jobsList = undefined
          obj.jobsSubmit = undefined
          obj.configDelete = undefined
          obj.configList = undefined
          obj.configGet = undefined
          obj.configSet = undefined
        }

        if (obj.scheduleRemove != null) {
          obj.schedulePause = undefined
          obj.scheduleList = undefined
          obj.scheduleAdd = undefined
          obj.approvalPropose = undefined
          obj.approvalDecide = undefined
          obj.approvalsList = undefined
          obj.incidentGet = undefined
          obj.incidentsList = undefined
          obj.retentionStatus = undefined
          obj.raftRemovePeer = undefined
          obj.raftListPeers = undefined
          obj.statsGet = undefined
          obj.nodeRetire = undefined
          obj.nodeDrain = undefined
          obj.auditList = undefined
          obj.whoAmI = undefined
          obj.grantList = undefined
          obj.grantRemove = undefined
          obj.grantSet = undefined
          obj.jobCancel = undefined
          obj.jobGet = undefined
          obj.jobsList = undefined
          obj.jobsSubmit = undefined
          obj.configDelete = undefined
          obj.configList = undefined
          obj.configGet = undefined
          obj.configSet = undefined
        }

        if (obj.scheduleList != null) {
          obj.schedulePause = undefined
          obj.scheduleRemove = undefined
          obj.scheduleAdd = undefined
          obj.approvalPropose = undefined
          obj.approvalDecide = undefined
          obj.approvalsList = undefined
          obj.incidentGet = undefined
          obj.incidentsList = undefined
          obj.retentionStatus = undefined
          obj.raftRemovePeer = undefined
          obj.raftListPeers = undefined
          obj.statsGet = undefined
          obj.nodeRetire = undefined
          obj.nodeDrain = undefined
          obj.auditList = undefined
          obj.whoAmI = undefined
          obj.grantList = undefined
          obj.grantRemove = undefined
          obj.grantSet = undefined
          obj.jobCancel = undefined
          obj.jobGet = undefined
          obj.jobsList = undefined
          obj.jobsSubmit = undefined
          obj.configDelete = undefined
          obj.configList = undefined
          obj.configGet = undefined
          obj.configSet = undefined
        }

        if (obj.scheduleAdd != null) {
          obj.schedulePause = undefined
          obj.scheduleRemove = undefined
          obj.scheduleList = undefined
          obj.approvalPropose = undefined
          obj.approvalDecide = undefined
          obj.approvalsList = undefined
          obj.incidentGet = undefined
          obj.incidentsList = undefined
          obj.retentionStatus = undefined
          obj.raftRemovePeer = undefined
          obj.raftListPeers = undefined
          obj.statsGet = undefined
          obj.nodeRetire = undefined
          obj.nodeDrain = undefined
          obj.auditList = undefined
          obj.whoAmI = undefined
          obj.grantList = undefined
          obj.grantRemove = undefined
          obj.grantSet = undefined
          obj.jobCancel = undefined
          obj.jobGet = undefined
          obj.jobsList = undefined
          obj.jobsSubmit = undefined
          obj.configDelete = undefined
          obj.configList = undefined
          obj.configGet = undefined
          obj.configSet = undefined
        }

        if (obj.approvalPropose != null) {
          obj.schedulePause = undefined
          obj.scheduleRemove = undefined
          obj.scheduleList = undefined
          obj.scheduleAdd = undefined
          obj.approvalDecide = undefined
          obj.approvalsList = undefined
          obj.incidentGet = undefined
          obj.incidentsList = undefined
          obj.retentionStatus = undefined
          obj.raftRemovePeer = undefined
          obj.raftListPeers = undefined
          obj.statsGet = undefined
          obj.nodeRetire = undefined
          obj.nodeDrain = undefined
          obj.auditList = undefined
          obj.whoAmI = undefined
          obj.grantList = undefined
          obj.grantRemove = undefined
          obj.grantSet = undefined
          obj.jobCancel = undefined
          obj.jobGet = undefined
          obj.jobsList = undefined
          obj.jobsSubmit = undefined
          obj.configDelete = undefined
          obj.configList = undefined
          obj.configGet = undefined
          obj.configSet = undefined
        }

        if (obj.approvalDecide != null) {
          obj.schedulePause = undefined
          obj.scheduleRemove = undefined
          obj.scheduleList = undefined
          obj.scheduleAdd = undefined
          obj.approvalPropose = undefined
          obj.approvalsList = undefined
          obj.incidentGet = undefined
          obj.incidentsList = undefined
          obj.retentionStatus = undefined
          obj.raftRemovePeer = undefined
          obj.raftListPeers = undefined
          obj.statsGet = undefined
          obj.nodeRetire = undefined
          obj.nodeDrain = undefined
          obj.auditList = undefined
          obj.whoAmI = undefined
          obj.grantList = undefined
          obj.grantRemove = undefined
          obj.grantSet = undefined
          obj.jobCancel = undefined
          obj.jobGet = undefined
          obj.jobsList = undefined
          obj.jobsSubmit = undefined
          obj.configDelete = undefined
          obj.configList = undefined
          obj.configGet = undefined
          obj.configSet = undefined
        }

        if (obj.approvalsList != null) {
          obj.schedulePause = undefined
          obj.scheduleRemove = undefined
          obj.scheduleList = undefined
          obj.scheduleAdd = undefined
          obj.approvalPropose = undefined
          obj.approvalDecide = undefined
          obj.incidentGet = undefined
          obj.incidentsList = undefined
          obj.retentionStatus = undefined
          obj.raftRemovePeer = undefined
          obj.raftListPeers = undefined
          obj.statsGet = undefined
          obj.nodeRetire = undefined
          obj.nodeDrain = undefined
          obj.auditList = undefined
          obj.whoAmI = undefined
          obj.grantList = undefined
          obj.grantRemove = undefined
          obj.grantSet = undefined
          obj.jobCancel = undefined
          obj.jobGet = undefined
          obj.jobsList = undefined
          obj.jobsSubmit = undefined
          obj.configDelete = undefined
          obj.configList = undefined
          obj.configGet = undefined
          obj.configSet = undefined
        }

        if (obj.incidentGet != null) {
          obj.schedulePause = undefined
          obj.scheduleRemove = undefined
          obj.scheduleList = undefined
          obj.scheduleAdd = undefined
          obj.approvalPropose = undefined
          obj.approvalDecide = undefined
          obj.approvalsList = undefined
          obj.incidentsList = undefined
          obj.retentionStatus = undefined
          obj.raftRemovePeer = undefined
          obj.raftListPeers = undefined
          obj.statsGet = undefined
          obj.nodeRetire = undefined
          obj.nodeDrain = undefined
          obj.auditList = undefined
          obj.whoAmI = undefined
          obj.grantList = undefined
          obj.grantRemove = undefined
          obj.grantSet = undefined
          obj.jobCancel = undefined
          obj.jobGet = undefined
          obj.jobsList = undefined
          obj.jobsSubmit = undefined
          obj.configDelete = undefined
          obj.configList = undefined
          obj.configGet = undefined
          obj.configSet = undefined
        }

        if (obj.incidentsList != null) {
          obj.schedulePause = undefined
          obj.scheduleRemove = undefined
          obj.scheduleList = undefined
          obj.scheduleAdd = undefined
          obj.approvalPropose = undefined
          obj.approvalDecide = undefined
          obj.approvalsList = undefined
          obj.incidentGet = undefined
          obj.retentionStatus = undefined
          obj.raftRemovePeer = undefined
          obj.raftListPeers = undefined
          obj.statsGet = undefined
          obj.nodeRetire = undefined
          obj.nodeDrain = undefined
          obj.auditList = undefined
          obj.whoAmI = undefined
          obj.grantList = undefined
          obj.grantRemove = undefined
          obj.grantSet = undefined
          obj.jobCancel = undefined
          obj.jobGet = undefined
          obj.jobsList = undefined
          obj.jobsSubmit = undefined
          obj.configDelete = undefined
          obj.configList = undefined
          obj.configGet = undefined
          obj.configSet = undefined
        }

        if (obj.retentionStatus != null) {
          obj.schedulePause = undefined
          obj.scheduleRemove = undefined
          obj.scheduleList = undefined
          obj.scheduleAdd = undefined
          obj.approvalPropose = undefined
          obj.approvalDecide = undefined
          obj.approvalsList = undefined
          obj.incidentGet = undefined
          obj.incidentsList = undefined
          obj.raftRemovePeer = undefined
          obj.raftListPeers = undefined
          obj.statsGet = undefined
          obj.nodeRetire = undefined
          obj.nodeDrain = undefined
          obj.auditList = undefined
          obj.whoAmI = undefined
          obj.grantList = undefined
          obj.grantRemove = undefined
          obj.grantSet = undefined
          obj.jobCancel = undefined
          obj.jobGet = undefined
          obj.jobsList = undefined
          obj.jobsSubmit = undefined
          obj.configDelete = undefined
          obj.configList = undefined
          obj.configGet = undefined
          obj.configSet = undefined
        }

        if (obj.raftRemovePeer != null) {
          obj.schedulePause = undefined
          obj.scheduleRemove = undefined
          obj.scheduleList = undefined
          obj.scheduleAdd = undefined
          obj.approvalPropose = undefined
          obj.approvalDecide = undefined
          obj.approvalsList = undefined
          obj.incidentGet = undefined
          obj.incidentsList = undefined
          obj.retentionStatus = undefined
          obj.raftListPeers = undefined
          obj.statsGet = undefined
          obj.nodeRetire = undefined
          obj.nodeDrain = undefined
          obj.auditList = undefined
          obj.whoAmI = undefined
          obj.grantList = undefined
          obj.grantRemove = undefined
          obj.grantSet = undefined
          obj.jobCancel = undefined
          obj.jobGet = undefined
          obj.jobsList = undefined
          obj.jobsSubmit = undefined
          obj.configDelete = undefined
          obj.configList = undefined
          obj.configGet = undefined
          obj.configSet = undefined
        }

        if (obj.raftListPeers != null) {
          obj.schedulePause = undefined
          obj.scheduleRemove = undefined
          obj.scheduleList = undefined
          obj.scheduleAdd = undefined
          obj.approvalPropose = undefined
          obj.approvalDecide = undefined
          obj.approvalsList = undefined
          obj.incidentGet = undefined
          obj.incidentsList = undefined
          obj.retentionStatus = undefined
          obj.raftRemovePeer = undefined
          obj.statsGet = undefined
          obj.nodeRetire = undefined
          obj.nodeDrain = undefined
          obj.auditList = undefined
          obj.whoAmI = undefined
          obj.grantList = undefined
          obj.grantRemove = undefined
          obj.grantSet = undefined
          obj.jobCancel = undefined
          obj.jobGet = undefined
          obj.jobsList = undefined
          obj.jobsSubmit = undefined
          obj.configDelete = undefined
          obj.configList = undefined
          obj.configGet = undefined
          obj.configSet = undefined
        }

        if (obj.statsGet != null) {
          obj.schedulePause = undefined
          obj.scheduleRemove = undefined
          obj.scheduleList = undefined
          obj.scheduleAdd = undefined
          obj.approvalPropose = undefined
          obj.approvalDecide = undefined
          obj.approvalsList = undefined
          obj.incidentGet = undefined
          obj.incidentsList = undefined
          obj.retentionStatus = undefined
          obj.raftRemovePeer = undefined
          obj.raftListPeers = undefined
          obj.nodeRetire = undefined
          obj.nodeDrain = undefined
          obj.auditList = undefined
          obj.whoAmI = undefined
          obj.grantList = undefined
          obj.grantRemove = undefined
          obj.grantSet = undefined
          obj.jobCancel = undefined
          obj.jobGet = undefined
          obj.jobsList = undefined
          obj.jobsSubmit = undefined
          obj.configDelete = undefined
          obj.configList = undefined
          obj.configGet = undefined
          obj.configSet = undefined
        }

        if (obj.nodeRetire != null) {
          obj.schedulePause = undefined
          obj.scheduleRemove = undefined
          obj.scheduleList = undefined
          obj.scheduleAdd = undefined
          obj.approvalPropose = undefined
          obj.approvalDecide = undefined
          obj.approvalsList = undefined
          obj.incidentGet = undefined
          obj.incidentsList = undefined
          obj.retentionStatus = undefined
          obj.raftRemovePeer = undefined
          obj.raftListPeers = undefined
          obj.statsGet = undefined
          obj.nodeDrain = undefined
          obj.auditList = undefined
          obj.whoAmI = undefined
          obj.grantList = undefined
          obj.grantRemove = undefined
          obj.grantSet = undefined
          obj.jobCancel = undefined
          obj.jobGet = undefined
          obj.jobsList = undefined
          obj.jobsSubmit = undefined
          obj.configDelete = undefined
          obj.configList = undefined
          obj.configGet = undefined
          obj.configSet = undefined
        }

        if (obj.nodeDrain != null) {
          obj.schedulePause = undefined
          obj.scheduleRemove = undefined
          obj.scheduleList = undefined
          obj.scheduleAdd = undefined
          obj.approvalPropose = undefined
          obj.approvalDecide = undefined
          obj.approvalsList = undefined
          obj.incidentGet = undefined
          obj.incidentsList = undefined
          obj.retentionStatus = undefined
          obj.raftRemovePeer = undefined
          obj.raftListPeers = undefined
          obj.statsGet = undefined
          obj.nodeRetire = undefined
          obj.auditList = undefined
          obj.whoAmI = undefined
          obj.grantList = undefined
          obj.grantRemove = undefined
          obj.grantSet = undefined
          obj.jobCancel = undefined
          obj.jobGet = undefined
          obj.jobsList = undefined
          obj.jobsSubmit = undefined
          obj.configDelete = undefined
          obj.configList = undefined
          obj.configGet = undefined
          obj.configSet = undefined
        }

        if (obj.auditList != null) {
          obj.schedulePause = undefined
          obj.scheduleRemove = undefined
          obj.scheduleList = undefined
          obj.scheduleAdd = undefined
          obj.approvalPropose = undefined
          obj.approvalDecide = undefined
          obj.approvalsList = undefined
          obj.incidentGet = undefined
          obj.incidentsList = undefined
          obj.retentionStatus = undefined
          obj.raftRemovePeer = undefined
          obj.raftListPeers = undefined
          obj.statsGet = undefined
          obj.nodeRetire = undefined
          obj.nodeDrain = undefined
          obj.whoAmI = undefined
          obj.grantList = undefined
          obj.grantRemove = undefined
          obj.grantSet = undefined
          obj.jobCancel = undefined
          obj.jobGet = undefined
          obj.jobsList = undefined
          obj.jobsSubmit = undefined
          obj.configDelete = undefined
          obj.configList = undefined
          obj.configGet = undefined
          obj.configSet = undefined
        }

        if (obj.whoAmI != null) {
          obj.schedulePause = undefined
          obj.scheduleRemove = undefined
          obj.scheduleList = undefined
          obj.scheduleAdd = undefined
          obj.approvalPropose = undefined
          obj.approvalDecide = undefined
          obj.approvalsList = undefined
          obj.incidentGet = undefined
          obj.incidentsList = undefined
          obj.retentionStatus = undefined
          obj.raftRemovePeer = undefined
          obj.raftListPeers = undefined
          obj.statsGet = undefined
          obj.nodeRetire = undefined
          obj.nodeDrain = undefined
          obj.auditList = undefined
          obj.grantList = undefined
          obj.grantRemove = undefined
          obj.grantSet = undefined
          obj.jobCancel = undefined
          obj.jobGet = undefined
          obj.jobsList = undefined
          obj.jobsSubmit = undefined
          obj.configDelete = undefined
          obj.configList = undefined
          obj.configGet = undefined
          obj.configSet = undefined
        }

        if (obj.grantList != null) {
          obj.schedulePause = undefined
          obj.scheduleRemove = undefined
          obj.scheduleList = undefined
          obj.scheduleAdd = undefined
          obj.approvalPropose = undefined
          obj.approvalDecide = undefined
          obj.approvalsList = undefined
          obj.incidentGet = undefined
          obj.incidentsList = undefined
          obj.retentionStatus = undefined
          obj.raftRemovePeer = undefined
          obj.raftListPeers = undefined
          obj.statsGet = undefined
          obj.nodeRetire = undefined
          obj.nodeDrain = undefined
          obj.auditList = undefined
          obj.whoAmI = undefined
          obj.grantRemove = undefined
          obj.grantSet = undefined
          obj.jobCancel = undefined
          obj.jobGet = undefined
          obj.jobsList = undefined
          obj.jobsSubmit = undefined
          obj.configDelete = undefined
          obj.configList = undefined
          obj.configGet = undefined
          obj.configSet = undefined
        }

        if (obj.grantRemove != null) {
          obj.schedulePause = undefined
          obj.scheduleRemove = undefined
          obj.scheduleList = undefined
          obj.scheduleAdd = undefined
          obj.approvalPropose = undefined
          obj.approvalDecide = undefined
          obj.approvalsList = undefined
          obj.incidentGet = undefined
          obj.incidentsList = undefined
          obj.retentionStatus = undefined
          obj.raftRemovePeer = undefined
          obj.raftListPeers = undefined
          obj.statsGet = undefined
          obj.nodeRetire = undefined
          obj.nodeDrain = undefined
          obj.auditList = undefined
          obj.whoAmI = undefined
          obj.grantList = undefined
          obj.grantSet = undefined
          obj.jobCancel = undefined
          obj.jobGet = undefined
          obj.jobsList = undefined
          obj.jobsSubmit = undefined
          obj.configDelete = undefined
          obj.configList = undefined
          obj.configGet = undefined
          obj.configSet = undefined
        }

        if (obj.grantSet != null) {
          obj.schedulePause = undefined
          obj.scheduleRemove = undefined
          obj.scheduleList = undefined
          obj.scheduleAdd = undefined
          obj.approvalPropose = undefined
          obj.approvalDecide = undefined
          obj.approvalsList = undefined
          obj.incidentGet = undefined
          obj.incidentsList = undefined
          obj.retentionStatus = undefined
          obj.raftRemovePeer = undefined
          obj.raftListPeers = undefined
          obj.statsGet = undefined
          obj.nodeRetire = undefined
          obj.nodeDrain = undefined
          obj.auditList = undefined
          obj.whoAmI = undefined
          obj.grantList = undefined
          obj.grantRemove = undefined
          obj.jobCancel = undefined
          obj.jobGet = undefined
          obj.jobsList = undefined
          obj.jobsSubmit = undefined
          obj.configDelete = undefined
          obj.configList = undefined
          obj.configGet = undefined
          obj.configSet = undefined
        }

        if (obj.jobCancel != null) {
          obj.schedulePause = undefined
          obj.scheduleRemove = undefined
          obj.scheduleList = undefined
          obj.scheduleAdd = undefined
          obj.approvalPropose = undefined
          obj.approvalDecide = undefined
          obj.approvalsList = undefined
          obj.incidentGet = undefined
          obj.incidentsList = undefined
          obj.retentionStatus = undefined
          obj.raftRemovePeer = undefined
          obj.raftListPeers = undefined
          obj.statsGet = undefined
          obj.nodeRetire = undefined
          obj.nodeDrain = undefined
          obj.auditList = undefined
          obj.whoAmI = undefined
          obj.grantList = undefined
          obj.grantRemove = undefined
          obj.grantSet = undefined
          obj.jobGet = undefined
          obj.jobsList = undefined
          obj.jobsSubmit = undefined
          obj.configDelete = undefined
          obj.configList = undefined
          obj.configGet = undefined
          obj.configSet = undefined
        }

        if (obj.jobGet != null) {
          obj.schedulePause = undefined
          obj.scheduleRemove = undefined
          obj.scheduleList = undefined
          obj.scheduleAdd = undefined
          obj.approvalPropose = undefined
          obj.approvalDecide = undefined
          obj.approvalsList = undefined
          obj.incidentGet = undefined
          obj.incidentsList = undefined
          obj.retentionStatus = undefined
          obj.raftRemovePeer = undefined
          obj.raftListPeers = undefined
          obj.statsGet = undefined
          obj.nodeRetire = undefined
          obj.nodeDrain = undefined
          obj.auditList = undefined
          obj.whoAmI = undefined
          obj.grantList = undefined
          obj.grantRemove = undefined
          obj.grantSet = undefined
          obj.jobCancel = undefined
          obj.jobsList = undefined
          obj.jobsSubmit = undefined
          obj.configDelete = undefined
          obj.configList = undefined
          obj.configGet = undefined
          obj.configSet = undefined
        }

        if (obj.jobsList != null) {
          obj.schedulePause = undefined
          obj.scheduleRemove = undefined
          obj.scheduleList = undefined
          obj.scheduleAdd = undefined
          obj.approvalPropose = undefined
          obj.approvalDecide = undefined
          obj.approvalsList = undefined
          obj.incidentGet = undefined
          obj.incidentsList = undefined
          obj.retentionStatus = undefined
          obj.raftRemovePeer = undefined
          obj.raftListPeers = undefined
          obj.statsGet = undefined
          obj.nodeRetire = undefined
          obj.nodeDrain = undefined
          obj.auditList = undefined
          obj.whoAmI = undefined
          obj.grantList = undefined
          obj.grantRemove = undefined
          obj.grantSet = undefined
          obj.jobCancel = undefined
          obj.jobGet = undefined
          obj.jobsSubmit = undefined
          obj.configDelete = undefined
          obj.configList = undefined
          obj.configGet = undefined
          obj.configSet = undefined
        }

        if (obj.jobsSubmit != null) {
          obj.schedulePause = undefined
          obj.scheduleRemove = undefined
          obj.scheduleList = undefined
          obj.scheduleAdd = undefined
          obj.approvalPropose = undefined
          obj.approvalDecide = undefined
          obj.approvalsList = undefined
          obj.incidentGet = undefined
          obj.incidentsList = undefined
          obj.retentionStatus = undefined
          obj.raftRemovePeer = undefined
          obj.raftListPeers = undefined
          obj.statsGet = undefined
          obj.nodeRetire = undefined
          obj.nodeDrain = undefined
          obj.auditList = undefined
          obj.whoAmI = undefined
          obj.grantList = undefined
          obj.grantRemove = undefined
          obj.grantSet = undefined
          obj.jobCancel = undefined
          obj.jobGet = undefined
          obj.jobsList = undefined
          obj.configDelete = undefined
          obj.configList = undefined
          obj.configGet = undefined
          obj.configSet = undefined
        }

        if (obj.configDelete != null) {
          obj.schedulePause = undefined
          obj.scheduleRemove = undefined
          obj.scheduleList = undefined
          obj.scheduleAdd = undefined
          obj.approvalPropose = undefined
          obj.approvalDecide = undefined
          obj.approvalsList = undefined
          obj.incidentGet = undefined
          obj.incidentsList = undefined
          obj.retentionStatus = undefined
          obj.raftRemovePeer = undefined
          obj.raftListPeers = undefined
          obj.statsGet = undefined
          obj.nodeRetire = undefined
          obj.nodeDrain = undefined
          obj.auditList = undefined
          obj.whoAmI = undefined
          obj.grantList = undefined
          obj.grantRemove = undefined
          obj.grantSet = undefined
          obj.jobCancel = undefined
          obj.jobGet = undefined
          obj.jobsList = undefined
          obj.jobsSubmit = undefined
          obj.configList = undefined
          obj.configGet = undefined
          obj.configSet = undefined
        }

        if (obj.configList != null) {
          obj.schedulePause = undefined
          obj.scheduleRemove = undefined
          obj.scheduleList = undefined
          obj.scheduleAdd = undefined
          obj.approvalPropose = undefined
          obj.approvalDecide = undefined
          obj.approvalsList = undefined
          obj.incidentGet = undefined
          obj.incidentsList = undefined
          obj.retentionStatus = undefined
          obj.raftRemovePeer = undefined
          obj.raftListPeers = undefined
          obj.statsGet = undefined
          obj.nodeRetire = undefined
          obj.nodeDrain = undefined
          obj.auditList = undefined
          obj.whoAmI = undefined
          obj.grantList = undefined
          obj.grantRemove = undefined
          obj.grantSet = undefined
          obj.jobCancel = undefined
          obj.jobGet = undefined
          obj.jobsList = undefined
          obj.jobsSubmit = undefined
          obj.configDelete = undefined
          obj.configGet = undefined
          obj.configSet = undefined
        }

        if (obj.configGet != null) {
          obj.schedulePause = undefined
          obj.scheduleRemove = undefined
          obj.scheduleList = undefined
          obj.scheduleAdd = undefined
          obj.approvalPropose = undefined
          obj.approvalDecide = undefined
          obj.approvalsList = undefined
          obj.incidentGet = undefined
          obj.incidentsList = undefined
          obj.retentionStatus = undefined
          obj.raftRemovePeer = undefined
          obj.raftListPeers = undefined
          obj.statsGet = undefined
          obj.nodeRetire = undefined
          obj.nodeDrain = undefined
          obj.auditList = undefined
          obj.whoAmI = undefined
          obj.grantList = undefined
          obj.grantRemove = undefined
          obj.grantSet = undefined
          obj.jobCancel = undefined
          obj.jobGet = undefined
          obj.jobsList = undefined
          obj.jobsSubmit = undefined
          obj.configDelete = undefined
          obj.configList = undefined
          obj.configSet = undefined
        }

        if (obj.configSet != null) {
          obj.schedulePause = undefined
          obj.scheduleRemove = undefined
          obj.scheduleList = undefined
          obj.scheduleAdd = undefined
          obj.approvalPropose = undefined
          obj.approvalDecide = undefined
          obj.approvalsList = undefined
          obj.incidentGet = undefined
          obj.incidentsList = undefined
          obj.retentionStatus = undefined
          obj.raftRemovePeer = undefined
          obj.raftListPeers = undefined
          obj.statsGet = undefined
          obj.nodeRetire = undefined
          obj.nodeDrain = undefined
          obj.auditList = undefined
          obj.whoAmI = undefined
          obj.grantList = undefined
          obj.grantRemove = undefined
          obj.grantSet = undefined
          obj.jobCancel = undefined
          obj.jobGet = undefined
          obj.jobsList = undefined
          obj.jobsSubmit = undefined
          obj.configDelete = undefined
          obj.configList = undefined
          obj.configGet = undefined
        }

        if ((obj.code != null && obj.code !== '')) {
          w.uint32(10)
          w.string(obj.code)
        }

        if ((obj.error != null && obj.error !== '')) {
          w.uint32(18)
          w.string(obj.error)
        }

        if ((obj.leader != null && obj.leader !== '')) {
          w.uint32(26)
          w.string(obj.leader)
        }

        if (obj.configSet != null) {
          w.uint32(90)
          ConfigWritten.codec().encode(obj.configSet, w)
        }

        if (obj.configGet != null) {
          w.uint32(98)
          ConfigEntries.codec().encode(obj.configGet, w)
        }

        if (obj.configList != null) {
          w.uint32(106)
          ConfigEntries.codec().encode(obj.configList, w)
        }

        if (obj.configDelete != null) {
          w.uint32(114)
          ConfigWritten.codec().encode(obj.configDelete, w)
        }

        if (obj.jobsSubmit != null) {
          w.uint32(122)
          JobsSubmitted.codec().encode(obj.jobsSubmit, w)
        }

        if (obj.jobsList != null) {
          w.uint32(130)
          JobList.codec().encode(obj.jobsList, w)
        }

        if (obj.jobGet != null) {
          w.uint32(138)
          JobDetail.codec().encode(obj.jobGet, w)
        }

        if (obj.jobCancel != null) {
          w.uint32(146)
          JobCancelled.codec().encode(obj.jobCancel, w)
        }

        if (obj.grantSet != null) {
          w.uint32(242)
          GrantWritten.codec().encode(obj.grantSet, w)
        }

        if (obj.grantRemove != null) {
          w.uint32(250)
          GrantWritten.codec().encode(obj.grantRemove, w)
        }

        if (obj.grantList != null) {
          w.uint32(258)
          GrantEntries.codec().encode(obj.grantList, w)
        }

        if (obj.whoAmI != null) {
          w.uint32(266)
          Identity.codec().encode(obj.whoAmI, w)
        }

        if (obj.auditList != null) {
          w.uint32(274)
          AuditEntries.codec().encode(obj.auditList, w)
        }

        if (obj.nodeDrain != null) {
          w.uint32(178)
          DrainStatus.codec().encode(obj.nodeDrain, w)
        }

        if (obj.nodeRetire != null) {
          w.uint32(186)
          NodeRetired.codec().encode(obj.nodeRetire, w)
        }

        if (obj.statsGet != null) {
          w.uint32(194)
          MeshStats.codec().encode(obj.statsGet, w)
        }

        if (obj.raftListPeers != null) {
          w.uint32(202)
          RaftPeers.codec().encode(obj.raftListPeers, w)
        }

        if (obj.raftRemovePeer != null) {
          w.uint32(210)
          RaftPeerRemoved.codec().encode(obj.raftRemovePeer, w)
        }

        if (obj.retentionStatus != null) {
          w.uint32(322)
          RetentionInfo.codec().encode(obj.retentionStatus, w)
        }

        if (obj.incidentsList != null) {
          w.uint32(330)
          IncidentEntries.codec().encode(obj.incidentsList, w)
        }

        if (obj.incidentGet != null) {
          w.uint32(338)
          IncidentEntries.codec().encode(obj.incidentGet, w)
        }

        if (obj.approvalsList != null) {
          w.uint32(346)
          ApprovalEntries.codec().encode(obj.approvalsList, w)
        }

        if (obj.approvalDecide != null) {
          w.uint32(354)
          ApprovalEntry.codec().encode(obj.approvalDecide, w)
        }

        if (obj.approvalPropose != null) {
          w.uint32(362)
          ApprovalProposed.codec().encode(obj.approvalPropose, w)
        }

        if (obj.scheduleAdd != null) {
          w.uint32(378)
          ScheduleAdded.codec().encode(obj.scheduleAdd, w)
        }

        if (obj.scheduleList != null) {
          w.uint32(386)
          ScheduleEntries.codec().encode(obj.scheduleList, w)
        }

        if (obj.scheduleRemove != null) {
          w.uint32(394)
          ScheduleRemoved.codec().encode(obj.scheduleRemove, w)
        }

        if (obj.schedulePause != null) {
          w.uint32(402)
          SchedulePaused.codec().encode(obj.schedulePause, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          code: '',
          error: '',
          leader: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.code = reader.string()
              break
            }
            case 2: {
              obj.error = reader.string()
              break
            }
            case 3: {
              obj.leader = reader.string()
              break
            }
            case 11: {
              obj.configSet = ConfigWritten.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.configSet
              })
              break
            }
            case 12: {
              obj.configGet = ConfigEntries.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.configGet
              })
              break
            }
            case 13: {
              obj.configList = ConfigEntries.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.configList
              })
              break
            }
            case 14: {
              obj.configDelete = ConfigWritten.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.configDelete
              })
              break
            }
            case 15: {
              obj.jobsSubmit = JobsSubmitted.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.jobsSubmit
              })
              break
            }
            case 16: {
              obj.jobsList = JobList.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.jobsList
              })
              break
            }
            case 17: {
              obj.jobGet = JobDetail.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.jobGet
              })
              break
            }
            case 18: {
              obj.jobCancel = JobCancelled.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.jobCancel
              })
              break
            }
            case 30: {
              obj.grantSet = GrantWritten.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.grantSet
              })
              break
            }
            case 31: {
              obj.grantRemove = GrantWritten.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.grantRemove
              })
              break
            }
            case 32: {
              obj.grantList = GrantEntries.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.grantList
              })
              break
            }
            case 33: {
              obj.whoAmI = Identity.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.whoAmI
              })
              break
            }
            case 34: {
              obj.auditList = AuditEntries.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.auditList
              })
              break
            }
            case 22: {
              obj.nodeDrain = DrainStatus.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.nodeDrain
              })
              break
            }
            case 23: {
              obj.nodeRetire = NodeRetired.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.nodeRetire
              })
              break
            }
            case 24: {
              obj.statsGet = MeshStats.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.statsGet
              })
              break
            }
            case 25: {
              obj.raftListPeers = RaftPeers.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.raftListPeers
              })
              break
            }
            case 26: {
              obj.raftRemovePeer = RaftPeerRemoved.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.raftRemovePeer
              })
              break
            }
            case 40: {
              obj.retentionStatus = RetentionInfo.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.retentionStatus
              })
              break
            }
            case 41: {
              obj.incidentsList = IncidentEntries.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.incidentsList
              })
              break
            }
            case 42: {
              obj.incidentGet = IncidentEntries.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.incidentGet
              })
              break
            }
            case 43: {
              obj.approvalsList = ApprovalEntries.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.approvalsList
              })
              break
            }
            case 44: {
              obj.approvalDecide = ApprovalEntry.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.approvalDecide
              })
              break
            }
            case 45: {
              obj.approvalPropose = ApprovalProposed.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.approvalPropose
              })
              break
            }
            case 47: {
              obj.scheduleAdd = ScheduleAdded.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.scheduleAdd
              })
              break
            }
            case 48: {
              obj.scheduleList = ScheduleEntries.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.scheduleList
              })
              break
            }
            case 49: {
              obj.scheduleRemove = ScheduleRemoved.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.scheduleRemove
              })
              break
            }
            case 50: {
              obj.schedulePause = SchedulePaused.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.schedulePause
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        if (obj.schedulePause != null) {
          delete obj.scheduleRemove
          delete obj.scheduleList
          delete obj.scheduleAdd
          delete obj.approvalPropose
          delete obj.approvalDecide
          delete obj.approvalsList
          delete obj.incidentGet
          delete obj.incidentsList
          delete obj.retentionStatus
          delete obj.raftRemovePeer
          delete obj.raftListPeers
          delete obj.statsGet
          delete obj.nodeRetire
          delete obj.nodeDrain
          delete obj.auditList
          delete obj.whoAmI
          delete obj.grantList
          delete obj.grantRemove
          delete obj.grantSet
          delete obj.jobCancel
          delete obj.jobGet
          delete obj.jobsList
          delete obj.jobsSubmit
          delete obj.configDelete
          delete obj.configList
          delete obj.configGet
          delete obj.configSet
        }

        if (obj.scheduleRemove != null) {
          delete obj.schedulePause
          delete obj.scheduleList
          delete obj.scheduleAdd
          delete obj.approvalPropose
          delete obj.approvalDecide
          delete obj.approvalsList
          delete obj.incidentGet
          delete obj.incidentsList
          delete obj.retentionStatus
          delete obj.raftRemovePeer
          delete obj.raftListPeers
          delete obj.statsGet
          delete obj.nodeRetire
          delete obj.nodeDrain
          delete obj.auditList
          delete obj.whoAmI
          delete obj.grantList
          delete obj.grantRemove
          delete obj.grantSet
          delete obj.jobCancel
          delete obj.jobGet
          delete obj.jobsList
          delete obj.jobsSubmit
          delete obj.configDelete
          delete obj.configList
          delete obj.configGet
          delete obj.configSet
        }

        if (obj.scheduleList != null) {
          delete obj.schedulePause
          delete obj.scheduleRemove
          delete obj.scheduleAdd
          delete obj.approvalPropose
          delete obj.approvalDecide
          delete obj.approvalsList
          delete obj.incidentGet
          delete obj.incidentsList
          delete obj.retentionStatus
          delete obj.raftRemovePeer
          delete obj.raftListPeers
          delete obj.statsGet
          delete obj.nodeRetire
          delete obj.nodeDrain
          delete obj.auditList
          delete obj.whoAmI
          delete obj.grantList
          delete obj.grantRemove
          delete obj.grantSet
          delete obj.jobCancel
          delete obj.jobGet
          delete obj.jobsList
          delete obj.jobsSubmit
          delete obj.configDelete
          delete obj.configList
          delete obj.configGet
          delete obj.configSet
        }

        if (obj.scheduleAdd != null) {
          delete obj.schedulePause
          delete obj.scheduleRemove
          delete obj.scheduleList
          delete obj.approvalPropose
          delete obj.approvalDecide
          delete obj.approvalsList
          delete obj.incidentGet
          delete obj.incidentsList
          delete obj.retentionStatus
          delete obj.raftRemovePeer
          delete obj.raftListPeers
          delete obj.statsGet
          delete obj.nodeRetire
          delete obj.nodeDrain
          delete obj.auditList
          delete obj.whoAmI
          delete obj.grantList
          delete obj.grantRemove
          delete obj.grantSet
          delete obj.jobCancel
          delete obj.jobGet
          delete obj.jobsList
          delete obj.jobsSubmit
          delete obj.configDelete
          delete obj.configList
          delete obj.configGet
          delete obj.configSet
        }

        if (obj.approvalPropose != null) {
          delete obj.schedulePause
          delete obj.scheduleRemove
          delete obj.scheduleList
          delete obj.scheduleAdd
          delete obj.approvalDecide
          delete obj.approvalsList
          delete obj.incidentGet
          delete obj.incidentsList
          delete obj.retentionStatus
          delete obj.raftRemovePeer
          delete obj.raftListPeers
          delete obj.statsGet
          delete obj.nodeRetire
          delete obj.nodeDrain
          delete obj.auditList
          delete obj.whoAmI
          delete obj.grantList
          delete obj.grantRemove
          delete obj.grantSet
          delete obj.jobCancel
          delete obj.jobGet
          delete obj.jobsList
          delete obj.jobsSubmit
          delete obj.configDelete
          delete obj.configList
          delete obj.configGet
          delete obj.configSet
        }

        if (obj.approvalDecide != null) {
          delete obj.schedulePause
          delete obj.scheduleRemove
          delete obj.scheduleList
          delete obj.scheduleAdd
          delete obj.approvalPropose
          delete obj.approvalsList
          delete obj.incidentGet
          delete obj.incidentsList
          delete obj.retentionStatus
          delete obj.raftRemovePeer
          delete obj.raftListPeers
          delete obj.statsGet
          delete obj.nodeRetire
          delete obj.nodeDrain
          delete obj.auditList
          delete obj.whoAmI
          delete obj.grantList
          delete obj.grantRemove
          delete obj.grantSet
          delete obj.jobCancel
          delete obj.jobGet
          delete obj.jobsList
          delete obj.jobsSubmit
          delete obj.configDelete
          delete obj.configList
          delete obj.configGet
          delete obj.configSet
        }

        if (obj.approvalsList != null) {
          delete obj.schedulePause
          delete obj.scheduleRemove
          delete obj.scheduleList
          delete obj.scheduleAdd
          delete obj.approvalPropose
          delete obj.approvalDecide
          delete obj.incidentGet
          delete obj.incidentsList
          delete obj.retentionStatus
          delete obj.raftRemovePeer
          delete obj.raftListPeers
          delete obj.statsGet
          delete obj.nodeRetire
          delete obj.nodeDrain
          delete obj.auditList
          delete obj.whoAmI
          delete obj.grantList
          delete obj.grantRemove
          delete obj.grantSet
          delete obj.jobCancel
          delete obj.jobGet
          delete obj.jobsList
          delete obj.jobsSubmit
          delete obj.configDelete
          delete obj.configList
          delete obj.configGet
          delete obj.configSet
        }

        if (obj.incidentGet != null) {
          delete obj.schedulePause
          delete obj.scheduleRemove
          delete obj.scheduleList
          delete obj.scheduleAdd
          delete obj.approvalPropose
          delete obj.approvalDecide
          delete obj.approvalsList
          delete obj.incidentsList
          delete obj.retentionStatus
          delete obj.raftRemovePeer
          delete obj.raftListPeers
          delete obj.statsGet
          delete obj.nodeRetire
          delete obj.nodeDrain
          delete obj.auditList
          delete obj.whoAmI
          delete obj.grantList
          delete obj.grantRemove
          delete obj.grantSet
          delete obj.jobCancel
          delete obj.jobGet
          delete obj.jobsList
          delete obj.jobsSubmit
          delete obj.configDelete
          delete obj.configList
          delete obj.configGet
          delete obj.configSet
        }

        if (obj.incidentsList != null) {
          delete obj.schedulePause
          delete obj.scheduleRemove
          delete obj.scheduleList
          delete obj.scheduleAdd
          delete obj.approvalPropose
          delete obj.approvalDecide
          delete obj.approvalsList
          delete obj.incidentGet
          delete obj.retentionStatus
          delete obj.raftRemovePeer
          delete obj.raftListPeers
          delete obj.statsGet
          delete obj.nodeRetire
          delete obj.nodeDrain
          delete obj.auditList
          delete obj.whoAmI
          delete obj.grantList
          delete obj.grantRemove
          delete obj.grantSet
          delete obj.jobCancel
          delete obj.jobGet
          delete obj.jobsList
          delete obj.jobsSubmit
          delete obj.configDelete
          delete obj.configList
          delete obj.configGet
          delete obj.configSet
        }

        if (obj.retentionStatus != null) {
          delete obj.schedulePause
          delete obj.scheduleRemove
          delete obj.scheduleList
          delete obj.scheduleAdd
          delete obj.approvalPropose
          delete obj.approvalDecide
          delete obj.approvalsList
          delete obj.incidentGet
          delete obj.incidentsList
          delete obj.raftRemovePeer
          delete obj.raftListPeers
          delete obj.statsGet
          delete obj.nodeRetire
          delete obj.nodeDrain
          delete obj.auditList
          delete obj.whoAmI
          delete obj.grantList
          delete obj.grantRemove
          delete obj.grantSet
          delete obj.jobCancel
          delete obj.jobGet
          delete obj.jobsList
          delete obj.jobsSubmit
          delete obj.configDelete
          delete obj.configList
          delete obj.configGet
          delete obj.configSet
        }

        if (obj.raftRemovePeer != null) {
          delete obj.schedulePause
          delete obj.scheduleRemove
          delete obj.scheduleList
          delete obj.scheduleAdd
          delete obj.approvalPropose
          delete obj.approvalDecide
          delete obj.approvalsList
          delete obj.incidentGet
          delete obj.incidentsList
          delete obj.retentionStatus
          delete obj.raftListPeers
          delete obj.statsGet
          delete obj.nodeRetire
          delete obj.nodeDrain
          delete obj.auditList
          delete obj.whoAmI
          delete obj.grantList
          delete obj.grantRemove
          delete obj.grantSet
          delete obj.jobCancel
          delete obj.jobGet
          delete obj.jobsList
          delete obj.jobsSubmit
          delete obj.configDelete
          delete obj.configList
          delete obj.configGet
          delete obj.configSet
        }

        if (obj.raftListPeers != null) {
          delete obj.schedulePause
          delete obj.scheduleRemove
          delete obj.scheduleList
          delete obj.scheduleAdd
          delete obj.approvalPropose
          delete obj.approvalDecide
          delete obj.approvalsList
          delete obj.incidentGet
          delete obj.incidentsList
          delete obj.retentionStatus
          delete obj.raftRemovePeer
          delete obj.statsGet
          delete obj.nodeRetire
          delete obj.nodeDrain
          delete obj.auditList
          delete obj.whoAmI
          delete obj.grantList
          delete obj.grantRemove
          delete obj.grantSet
          delete obj.jobCancel
          delete obj.jobGet
          delete obj.jobsList
          delete obj.jobsSubmit
          delete obj.configDelete
          delete obj.configList
          delete obj.configGet
          delete obj.configSet
        }

        if (obj.statsGet != null) {
          delete obj.schedulePause
          delete obj.scheduleRemove
          delete obj.scheduleList
          delete obj.scheduleAdd
          delete obj.approvalPropose
          delete obj.approvalDecide
          delete obj.approvalsList
          delete obj.incidentGet
          delete obj.incidentsList
          delete obj.retentionStatus
          delete obj.raftRemovePeer
          delete obj.raftListPeers
          delete obj.nodeRetire
          delete obj.nodeDrain
          delete obj.auditList
          delete obj.whoAmI
          delete obj.grantList
          delete obj.grantRemove
          delete obj.grantSet
          delete obj.jobCancel
          delete obj.jobGet
          delete obj.jobsList
          delete obj.jobsSubmit
          delete obj.configDelete
          delete obj.configList
          delete obj.configGet
          delete obj.configSet
        }

        if (obj.nodeRetire != null) {
          delete obj.schedulePause
          delete obj.scheduleRemove
          delete obj.scheduleList
          delete obj.scheduleAdd
          delete obj.approvalPropose
          delete obj.approvalDecide
          delete obj.approvalsList
          delete obj.incidentGet
          delete obj.incidentsList
          delete obj.retentionStatus
          delete obj.raftRemovePeer
          delete obj.raftListPeers
          delete obj.statsGet
          delete obj.nodeDrain
          delete obj.auditList
          delete obj.whoAmI
          delete obj.grantList
          delete obj.grantRemove
          delete obj.grantSet
          delete obj.jobCancel
          delete obj.jobGet
          delete obj.jobsList
          delete obj.jobsSubmit
          delete obj.configDelete
          delete obj.configList
          delete obj.configGet
          delete obj.configSet
        }

        if (obj.nodeDrain != null) {
          delete obj.schedulePause
          delete obj.scheduleRemove
          delete obj.scheduleList
          delete obj.scheduleAdd
          delete obj.approvalPropose
          delete obj.approvalDecide
          delete obj.approvalsList
          delete obj.incidentGet
          delete obj.incidentsList
          delete obj.retentionStatus
          delete obj.raftRemovePeer
          delete obj.raftListPeers
          delete obj.statsGet
          delete obj.nodeRetire
          delete obj.auditList
          delete obj.whoAmI
          delete obj.grantList
          delete obj.grantRemove
          delete obj.grantSet
          delete obj.jobCancel
          delete obj.jobGet
          delete obj.jobsList
          delete obj.jobsSubmit
          delete obj.configDelete
          delete obj.configList
          delete obj.configGet
          delete obj.configSet
        }

        if (obj.auditList != null) {
          delete obj.schedulePause
          delete obj.scheduleRemove
          delete obj.scheduleList
          delete obj.scheduleAdd
          delete obj.approvalPropose
          delete obj.approvalDecide
          delete obj.approvalsList
          delete obj.incidentGet
          delete obj.incidentsList
          delete obj.retentionStatus
          delete obj.raftRemovePeer
          delete obj.raftListPeers
          delete obj.statsGet
          delete obj.nodeRetire
          delete obj.nodeDrain
          delete obj.whoAmI
          delete obj.grantList
          delete obj.grantRemove
          delete obj.grantSet
          delete obj.jobCancel
          delete obj.jobGet
          delete obj.jobsList
          delete obj.jobsSubmit
          delete obj.configDelete
          delete obj.configList
          delete obj.configGet
          delete obj.configSet
        }

        if (obj.whoAmI != null) {
          delete obj.schedulePause
          delete obj.scheduleRemove
          delete obj.scheduleList
          delete obj.scheduleAdd
          delete obj.approvalPropose
          delete obj.approvalDecide
          delete obj.approvalsList
          delete obj.incidentGet
          delete obj.incidentsList
          delete obj.retentionStatus
          delete obj.raftRemovePeer
          delete obj.raftListPeers
          delete obj.statsGet
          delete obj.nodeRetire
          delete obj.nodeDrain
          delete obj.auditList
          delete obj.grantList
          delete obj.grantRemove
          delete obj.grantSet
          delete obj.jobCancel
          delete obj.jobGet
          delete obj.jobsList
          delete obj.jobsSubmit
          delete obj.configDelete
          delete obj.configList
          delete obj.configGet
          delete obj.configSet
        }

        if (obj.grantList != null) {
          delete obj.schedulePause
          delete obj.scheduleRemove
          delete obj.scheduleList
          delete obj.scheduleAdd
          delete obj.approvalPropose
          delete obj.approvalDecide
          delete obj.approvalsList
          delete obj.incidentGet
          delete obj.incidentsList
          delete obj.retentionStatus
          delete obj.raftRemovePeer
          delete obj.raftListPeers
          delete obj.statsGet
          delete obj.nodeRetire
          delete obj.nodeDrain
          delete obj.auditList
          delete obj.whoAmI
          delete obj.grantRemove
          delete obj.grantSet
          delete obj.jobCancel
          delete obj.jobGet
          delete obj.jobsList
          delete obj.jobsSubmit
          delete obj.configDelete
          delete obj.configList
          delete obj.configGet
          delete obj.configSet
        }

        if (obj.grantRemove != null) {
          delete obj.schedulePause
          delete obj.scheduleRemove
          delete obj.scheduleList
          delete obj.scheduleAdd
          delete obj.approvalPropose
          delete obj.approvalDecide
          delete obj.approvalsList
          delete obj.incidentGet
          delete obj.incidentsList
          delete obj.retentionStatus
          delete obj.raftRemovePeer
          delete obj.raftListPeers
          delete obj.statsGet
          delete obj.nodeRetire
          delete obj.nodeDrain
          delete obj.auditList
          delete obj.whoAmI
          delete obj.grantList
          delete obj.grantSet
          delete obj.jobCancel
          delete obj.jobGet
          delete obj.jobsList
          delete obj.jobsSubmit
          delete obj.configDelete
          delete obj.configList
          delete obj.configGet
          delete obj.configSet
        }

        if (obj.grantSet != null) {
          delete obj.schedulePause
          delete obj.scheduleRemove
          delete obj.scheduleList
          delete obj.scheduleAdd
          delete obj.approvalPropose
          delete obj.approvalDecide
          delete obj.approvalsList
          delete obj.incidentGet
          delete obj.incidentsList
          delete obj.retentionStatus
          delete obj.raftRemovePeer
          delete obj.raftListPeers
          delete obj.statsGet
          delete obj.nodeRetire
          delete obj.nodeDrain
          delete obj.auditList
          delete obj.whoAmI
          delete obj.grantList
          delete obj.grantRemove
          delete obj.jobCancel
          delete obj.jobGet
          delete obj.jobsList
          delete obj.jobsSubmit
          delete obj.configDelete
          delete obj.configList
          delete obj.configGet
          delete obj.configSet
        }

        if (obj.jobCancel != null) {
          delete obj.schedulePause
          delete obj.scheduleRemove
          delete obj.scheduleList
          delete obj.scheduleAdd
          delete obj.approvalPropose
          delete obj.approvalDecide
          delete obj.approvalsList
          delete obj.incidentGet
          delete obj.incidentsList
          delete obj.retentionStatus
          delete obj.raftRemovePeer
          delete obj.raftListPeers
          delete obj.statsGet
          delete obj.nodeRetire
          delete obj.nodeDrain
          delete obj.auditList
          delete obj.whoAmI
          delete obj.grantList
          delete obj.grantRemove
          delete obj.grantSet
          delete obj.jobGet
          delete obj.jobsList
          delete obj.jobsSubmit
          delete obj.configDelete
          delete obj.configList
          delete obj.configGet
          delete obj.configSet
        }

        if (obj.jobGet != null) {
          delete obj.schedulePause
          delete obj.scheduleRemove
          delete obj.scheduleList
          delete obj.scheduleAdd
          delete obj.approvalPropose
          delete obj.approvalDecide
          delete obj.approvalsList
          delete obj.incidentGet
          delete obj.incidentsList
          delete obj.retentionStatus
          delete obj.raftRemovePeer
          delete obj.raftListPeers
          delete obj.statsGet
          delete obj.nodeRetire
          delete obj.nodeDrain
          delete obj.auditList
          delete obj.whoAmI
          delete obj.grantList
          delete obj.grantRemove
          delete obj.grantSet
          delete obj.jobCancel
          delete obj.jobsList
          delete obj.jobsSubmit
          delete obj.configDelete
          delete obj.configList
          delete obj.configGet
          delete obj.configSet
        }

        if (obj.jobsList != null) {
          delete obj.schedulePause
          delete obj.scheduleRemove
          delete obj.scheduleList
          delete obj.scheduleAdd
          delete obj.approvalPropose
          delete obj.approvalDecide
          delete obj.approvalsList
          delete obj.incidentGet
          delete obj.incidentsList
          delete obj.retentionStatus
          delete obj.raftRemovePeer
          delete obj.raftListPeers
          delete obj.statsGet
          delete obj.nodeRetire
          delete obj.nodeDrain
          delete obj.auditList
          delete obj.whoAmI
          delete obj.grantList
          delete obj.grantRemove
          delete obj.grantSet
          delete obj.jobCancel
          delete obj.jobGet
          delete obj.jobsSubmit
          delete obj.configDelete
          delete obj.configList
          delete obj.configGet
          delete obj.configSet
        }

        if (obj.jobsSubmit != null) {
          delete obj.schedulePause
          delete obj.scheduleRemove
          delete obj.scheduleList
          delete obj.scheduleAdd
          delete obj.approvalPropose
          delete obj.approvalDecide
          delete obj.approvalsList
          delete obj.incidentGet
          delete obj.incidentsList
          delete obj.retentionStatus
          delete obj.raftRemovePeer
          delete obj.raftListPeers
          delete obj.statsGet
          delete obj.nodeRetire
          delete obj.nodeDrain
          delete obj.auditList
          delete obj.whoAmI
          delete obj.grantList
          delete obj.grantRemove
          delete obj.grantSet
          delete obj.jobCancel
          delete obj.jobGet
          delete obj.jobsList
          delete obj.configDelete
          delete obj.configList
          delete obj.configGet
          delete obj.configSet
        }

        if (obj.configDelete != null) {
          delete obj.schedulePause
          delete obj.scheduleRemove
          delete obj.scheduleList
          delete obj.scheduleAdd
          delete obj.approvalPropose
          delete obj.approvalDecide
          delete obj.approvalsList
          delete obj.incidentGet
          delete obj.incidentsList
          delete obj.retentionStatus
          delete obj.raftRemovePeer
          delete obj.raftListPeers
          delete obj.statsGet
          delete obj.nodeRetire
          delete obj.nodeDrain
          delete obj.auditList
          delete obj.whoAmI
          delete obj.grantList
          delete obj.grantRemove
          delete obj.grantSet
          delete obj.jobCancel
          delete obj.jobGet
          delete obj.jobsList
          delete obj.jobsSubmit
          delete obj.configList
          delete obj.configGet
          delete obj.configSet
        }

        if (obj.configList != null) {
          delete obj.schedulePause
          delete obj.scheduleRemove
          delete obj.scheduleList
          delete obj.scheduleAdd
          delete obj.approvalPropose
          delete obj.approvalDecide
          delete obj.approvalsList
          delete obj.incidentGet
          delete obj.incidentsList
          delete obj.retentionStatus
          delete obj.raftRemovePeer
          delete obj.raftListPeers
          delete obj.statsGet
          delete obj.nodeRetire
          delete obj.nodeDrain
          delete obj.auditList
          delete obj.whoAmI
          delete obj.grantList
          delete obj.grantRemove
          delete obj.grantSet
          delete obj.jobCancel
          delete obj.jobGet
          delete obj.jobsList
          delete obj.jobsSubmit
          delete obj.configDelete
          delete obj.configGet
          delete obj.configSet
        }

        if (obj.configGet != null) {
          delete obj.schedulePause
          delete obj.scheduleRemove
          delete obj.scheduleList
          delete obj.scheduleAdd
          delete obj.approvalPropose
          delete obj.approvalDecide
          delete obj.approvalsList
          delete obj.incidentGet
          delete obj.incidentsList
          delete obj.retentionStatus
          delete obj.raftRemovePeer
          delete obj.raftListPeers
          delete obj.statsGet
          delete obj.nodeRetire
          delete obj.nodeDrain
          delete obj.auditList
          delete obj.whoAmI
          delete obj.grantList
          delete obj.grantRemove
          delete obj.grantSet
          delete obj.jobCancel
          delete obj.jobGet
          delete obj.jobsList
          delete obj.jobsSubmit
          delete obj.configDelete
          delete obj.configList
          delete obj.configSet
        }

        if (obj.configSet != null) {
          delete obj.schedulePause
          delete obj.scheduleRemove
          delete obj.scheduleList
          delete obj.scheduleAdd
          delete obj.approvalPropose
          delete obj.approvalDecide
          delete obj.approvalsList
          delete obj.incidentGet
          delete obj.incidentsList
          delete obj.retentionStatus
          delete obj.raftRemovePeer
          delete obj.raftListPeers
          delete obj.statsGet
          delete obj.nodeRetire
          delete obj.nodeDrain
          delete obj.auditList
          delete obj.whoAmI
          delete obj.grantList
          delete obj.grantRemove
          delete obj.grantSet
          delete obj.jobCancel
          delete obj.jobGet
          delete obj.jobsList
          delete obj.jobsSubmit
          delete obj.configDelete
          delete obj.configList
          delete obj.configGet
        }

        return obj
      })
    }

    return _codec
  }

  export const encode = (obj: Partial<AdminResponse>): Uint8Array => {
    return encodeMessage(obj, AdminResponse.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AdminResponse>): AdminResponse => {
    return decodeMessage(buf, AdminResponse.codec(), opts)
  }
}

export interface ApprovalEntry {
  id: string
  jobId: string
  step: string
  prompt: string
  home: string
  requestedAt: number
  deadline: number
  onTimeout: string
  approvers: string[]
  state: string
  decidedAt: number
  by: string
  comment: string
  index: number
  decidedIndex: number
}

export namespace ApprovalEntry {
  let _codec: Codec<ApprovalEntry>

  export const codec = (): Codec<ApprovalEntry> => {
    if (_codec == null) {
      _codec = message<ApprovalEntry>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.id != null && obj.id !== '')) {
          w.uint32(10)
          w.string(obj.id)
        }

        if ((obj.jobId != null && obj.jobId !== '')) {
          w.uint32(18)
          w.string(obj.jobId)
        }

        if ((obj.step != null && obj.step !== '')) {
          w.uint32(26)
          w.string(obj.step)
        }

        if ((obj.prompt != null && obj.prompt !== '')) {
          w.uint32(34)
          w.string(obj.prompt)
        }

        if ((obj.home != null && obj.home !== '')) {
          w.uint32(42)
          w.string(obj.home)
        }

        if ((obj.requestedAt != null && obj.requestedAt !== 0)) {
          w.uint32(48)
          w.uint64Number(obj.requestedAt)
        }

        if ((obj.deadline != null && obj.deadline !== 0)) {
          w.uint32(56)
          w.uint64Number(obj.deadline)
        }

        if ((obj.onTimeout != null && obj.onTimeout !== '')) {
          w.uint32(66)
          w.string(obj.onTimeout)
        }

        if (obj.approvers != null) {
          for (const value of obj.approvers) {
            w.uint32(74)
            w.string(value)
          }
        }

        if ((obj.state != null && obj.state !== '')) {
          w.uint32(82)
          w.string(obj.state)
        }

        if ((obj.decidedAt != null && obj.decidedAt !== 0)) {
          w.uint32(88)
          w.uint64Number(obj.decidedAt)
        }

        if ((obj.by != null && obj.by !== '')) {
          w.uint32(98)
          w.string(obj.by)
        }

        if ((obj.comment != null && obj.comment !== '')) {
          w.uint32(106)
          w.string(obj.comment)
        }

        if ((obj.index != null && obj.index !== 0)) {
          w.uint32(112)
          w.uint64Number(obj.index)
        }

        if ((obj.decidedIndex != null && obj.decidedIndex !== 0)) {
          w.uint32(120)
          w.uint64Number(obj.decidedIndex)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: '',
          jobId: '',
          step: '',
          prompt: '',
          home: '',
          requestedAt: 0,
          deadline: 0,
          onTimeout: '',
          approvers: [],
          state: '',
          decidedAt: 0,
          by: '',
          comment: '',
          index: 0,
          decidedIndex: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.id = reader.string()
              break
            }
            case 2: {
              obj.jobId = reader.string()
              break
            }
            case 3: {
              obj.step = reader.string()
              break
            }
            case 4: {
              obj.prompt = reader.string()
              break
            }
            case 5: {
              obj.home = reader.string()
              break
            }
            case 6: {
              obj.requestedAt = reader.uint64Number()
              break
            }
            case 7: {
              obj.deadline = reader.uint64Number()
              break
            }
            case 8: {
              obj.onTimeout = reader.string()
              break
            }
            case 9: {
              if (opts.limits?.approvers != null && obj.approvers.length === opts.limits.approvers) {
                throw new MaxLengthError('Decode error - map field "approvers" had too many elements')
              }

              obj.approvers.push(reader.string())
              break
            }
            case 10: {
              obj.state = reader.string()
              break
            }
            case 11: {
              obj.decidedAt = reader.uint64Number()
              break
            }
            case 12: {
              obj.by = reader.string()
              break
            }
            case 13: {
              obj.comment = reader.string()
              break
            }
            case 14: {
              obj.index = reader.uint64Number()
              break
            }
            case 15: {
              obj.decidedIndex = reader.uint64Number()
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

  export const encode = (obj: Partial<ApprovalEntry>): Uint8Array => {
    return encodeMessage(obj, ApprovalEntry.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ApprovalEntry>): ApprovalEntry => {
    return decodeMessage(buf, ApprovalEntry.codec(), opts)
  }
}

export interface ApprovalEntries {
  approvals: ApprovalEntry[]
  now: number
}

export namespace ApprovalEntries {
  let _codec: Codec<ApprovalEntries>

  export const codec = (): Codec<ApprovalEntries> => {
    if (_codec == null) {
      _codec = message<ApprovalEntries>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.approvals != null) {
          for (const value of obj.approvals) {
            w.uint32(10)
            ApprovalEntry.codec().encode(value, w)
          }
        }

        if ((obj.now != null && obj.now !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.now)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          approvals: [],
          now: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.approvals != null && obj.approvals.length === opts.limits.approvals) {
                throw new MaxLengthError('Decode error - map field "approvals" had too many elements')
              }

              obj.approvals.push(ApprovalEntry.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.approvals$
              }))
              break
            }
            case 2: {
              obj.now = reader.uint64Number()
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

  export const encode = (obj: Partial<ApprovalEntries>): Uint8Array => {
    return encodeMessage(obj, ApprovalEntries.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ApprovalEntries>): ApprovalEntries => {
    return decodeMessage(buf, ApprovalEntries.codec(), opts)
  }
}

export interface ApprovalProposed {
  created: boolean
}

export namespace ApprovalProposed {
  let _codec: Codec<ApprovalProposed>

  export const codec = (): Codec<ApprovalProposed> => {
    if (_codec == null) {
      _codec = message<ApprovalProposed>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.created != null && obj.created !== false)) {
          w.uint32(8)
          w.bool(obj.created)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          created: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.created = reader.bool()
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

  export const encode = (obj: Partial<ApprovalProposed>): Uint8Array => {
    return encodeMessage(obj, ApprovalProposed.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ApprovalProposed>): ApprovalProposed => {
    return decodeMessage(buf, ApprovalProposed.codec(), opts)
  }
}

export interface ScheduleAdded {
  replaced: boolean
  nextAt?: number
}

export namespace ScheduleAdded {
  let _codec: Codec<ScheduleAdded>

  export const codec = (): Codec<ScheduleAdded> => {
    if (_codec == null) {
      _codec = message<ScheduleAdded>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.replaced != null && obj.replaced !== false)) {
          w.uint32(8)
          w.bool(obj.replaced)
        }

        if (obj.nextAt != null) {
          w.uint32(16)
          w.uint64Number(obj.nextAt)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          replaced: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.replaced = reader.bool()
              break
            }
            case 2: {
              obj.nextAt = reader.uint64Number()
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

  export const encode = (obj: Partial<ScheduleAdded>): Uint8Array => {
    return encodeMessage(obj, ScheduleAdded.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ScheduleAdded>): ScheduleAdded => {
    return decodeMessage(buf, ScheduleAdded.codec(), opts)
  }
}

export interface ScheduleInfo {
  name: string
  cron: string
  tz: string
  misfire: string
  catchUpMs: number
  paused: boolean
  nextAt?: number
  lastFiredAt?: number
  lastJobId: string
  lastHome: string
  fired: number
  createdAt: number
  job: string
  pending: number
  by: string
}

export namespace ScheduleInfo {
  let _codec: Codec<ScheduleInfo>

  export const codec = (): Codec<ScheduleInfo> => {
    if (_codec == null) {
      _codec = message<ScheduleInfo>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(10)
          w.string(obj.name)
        }

        if ((obj.cron != null && obj.cron !== '')) {
          w.uint32(18)
          w.string(obj.cron)
        }

        if ((obj.tz != null && obj.tz !== '')) {
          w.uint32(26)
          w.string(obj.tz)
        }

        if ((obj.misfire != null && obj.misfire !== '')) {
          w.uint32(34)
          w.string(obj.misfire)
        }

        if ((obj.catchUpMs != null && obj.catchUpMs !== 0)) {
          w.uint32(40)
          w.uint64Number(obj.catchUpMs)
        }

        if ((obj.paused != null && obj.paused !== false)) {
          w.uint32(48)
          w.bool(obj.paused)
        }

        if (obj.nextAt != null) {
          w.uint32(56)
          w.uint64Number(obj.nextAt)
        }

        if (obj.lastFiredAt != null) {
          w.uint32(64)
          w.uint64Number(obj.lastFiredAt)
        }

        if ((obj.lastJobId != null && obj.lastJobId !== '')) {
          w.uint32(74)
          w.string(obj.lastJobId)
        }

        if ((obj.lastHome != null && obj.lastHome !== '')) {
          w.uint32(82)
          w.string(obj.lastHome)
        }

        if ((obj.fired != null && obj.fired !== 0)) {
          w.uint32(88)
          w.uint64Number(obj.fired)
        }

        if ((obj.createdAt != null && obj.createdAt !== 0)) {
          w.uint32(96)
          w.uint64Number(obj.createdAt)
        }

        if ((obj.job != null && obj.job !== '')) {
          w.uint32(106)
          w.string(obj.job)
        }

        if ((obj.pending != null && obj.pending !== 0)) {
          w.uint32(112)
          w.uint32(obj.pending)
        }

        if ((obj.by != null && obj.by !== '')) {
          w.uint32(122)
          w.string(obj.by)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          name: '',
          cron: '',
          tz: '',
          misfire: '',
          catchUpMs: 0,
          paused: false,
          lastJobId: '',
          lastHome: '',
          fired: 0,
          createdAt: 0,
          job: '',
          pending: 0,
          by: ''
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
              obj.cron = reader.string()
              break
            }
            case 3: {
              obj.tz = reader.string()
              break
            }
            case 4: {
              obj.misfire = reader.string()
              break
            }
            case 5: {
              obj.catchUpMs = reader.uint64Number()
              break
            }
            case 6: {
              obj.paused = reader.bool()
              break
            }
            case 7: {
              obj.nextAt = reader.uint64Number()
              break
            }
            case 8: {
              obj.lastFiredAt = reader.uint64Number()
              break
            }
            case 9: {
              obj.lastJobId = reader.string()
              break
            }
            case 10: {
              obj.lastHome = reader.string()
              break
            }
            case 11: {
              obj.fired = reader.uint64Number()
              break
            }
            case 12: {
              obj.createdAt = reader.uint64Number()
              break
            }
            case 13: {
              obj.job = reader.string()
              break
            }
            case 14: {
              obj.pending = reader.uint32()
              break
            }
            case 15: {
              obj.by = reader.string()
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

  export const encode = (obj: Partial<ScheduleInfo>): Uint8Array => {
    return encodeMessage(obj, ScheduleInfo.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ScheduleInfo>): ScheduleInfo => {
    return decodeMessage(buf, ScheduleInfo.codec(), opts)
  }
}

export interface ScheduleEntries {
  schedules: ScheduleInfo[]
}

export namespace ScheduleEntries {
  let _codec: Codec<ScheduleEntries>

  export const codec = (): Codec<ScheduleEntries> => {
    if (_codec == null) {
      _codec = message<ScheduleEntries>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.schedules != null) {
          for (const value of obj.schedules) {
            w.uint32(10)
            ScheduleInfo.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          schedules: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.schedules != null && obj.schedules.length === opts.limits.schedules) {
                throw new MaxLengthError('Decode error - map field "schedules" had too many elements')
              }

              obj.schedules.push(ScheduleInfo.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.schedules$
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

  export const encode = (obj: Partial<ScheduleEntries>): Uint8Array => {
    return encodeMessage(obj, ScheduleEntries.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ScheduleEntries>): ScheduleEntries => {
    return decodeMessage(buf, ScheduleEntries.codec(), opts)
  }
}

export interface ScheduleRemoved {}

export namespace ScheduleRemoved {
  let _codec: Codec<ScheduleRemoved>

  export const codec = (): Codec<ScheduleRemoved> => {
    if (_codec == null) {
      _codec = message<ScheduleRemoved>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {}

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
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

  export const encode = (obj: Partial<ScheduleRemoved>): Uint8Array => {
    return encodeMessage(obj, ScheduleRemoved.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ScheduleRemoved>): ScheduleRemoved => {
    return decodeMessage(buf, ScheduleRemoved.codec(), opts)
  }
}

export interface SchedulePaused {}

export namespace SchedulePaused {
  let _codec: Codec<SchedulePaused>

  export const codec = (): Codec<SchedulePaused> => {
    if (_codec == null) {
      _codec = message<SchedulePaused>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {}

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
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

  export const encode = (obj: Partial<SchedulePaused>): Uint8Array => {
    return encodeMessage(obj, SchedulePaused.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SchedulePaused>): SchedulePaused => {
    return decodeMessage(buf, SchedulePaused.codec(), opts)
  }
}

export interface IncidentEntries {
  incidents: string[]
  answered: string[]
  missing: StatsMissing[]
}

export namespace IncidentEntries {
  let _codec: Codec<IncidentEntries>

  export const codec = (): Codec<IncidentEntries> => {
    if (_codec == null) {
      _codec = message<IncidentEntries>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.incidents != null) {
          for (const value of obj.incidents) {
            w.uint32(10)
            w.string(value)
          }
        }

        if (obj.answered != null) {
          for (const value of obj.answered) {
            w.uint32(18)
            w.string(value)
          }
        }

        if (obj.missing != null) {
          for (const value of obj.missing) {
            w.uint32(26)
            StatsMissing.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          incidents: [],
          answered: [],
          missing: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.incidents != null && obj.incidents.length === opts.limits.incidents) {
                throw new MaxLengthError('Decode error - map field "incidents" had too many elements')
              }

              obj.incidents.push(reader.string())
              break
            }
            case 2: {
              if (opts.limits?.answered != null && obj.answered.length === opts.limits.answered) {
                throw new MaxLengthError('Decode error - map field "answered" had too many elements')
              }

              obj.answered.push(reader.string())
              break
            }
            case 3: {
              if (opts.limits?.missing != null && obj.missing.length === opts.limits.missing) {
                throw new MaxLengthError('Decode error - map field "missing" had too many elements')
              }

              obj.missing.push(StatsMissing.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.missing$
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

  export const encode = (obj: Partial<IncidentEntries>): Uint8Array => {
    return encodeMessage(obj, IncidentEntries.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<IncidentEntries>): IncidentEntries => {
    return decodeMessage(buf, IncidentEntries.codec(), opts)
  }
}
