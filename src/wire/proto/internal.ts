/* eslint-disable import/export */
/* eslint-disable complexity */
/* eslint-disable @typescript-eslint/no-namespace */
/* eslint-disable @typescript-eslint/no-unnecessary-boolean-literal-compare */
/* eslint-disable @typescript-eslint/no-empty-interface */
/* eslint-disable import/consistent-type-specifier-style */
/* eslint-disable @typescript-eslint/no-unused-vars */

import { decodeMessage, encodeMessage, MaxLengthError, message } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface ForwardedCommand {
  request: Uint8Array
  caller: string
}

export namespace ForwardedCommand {
  let _codec: Codec<ForwardedCommand>

  export const codec = (): Codec<ForwardedCommand> => {
    if (_codec == null) {
      _codec = message<ForwardedCommand>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.request != null && obj.request.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.request)
        }

        if ((obj.caller != null && obj.caller !== '')) {
          w.uint32(18)
          w.string(obj.caller)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          request: uint8ArrayAlloc(0),
          caller: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.request = reader.bytes()
              break
            }
            case 2: {
              obj.caller = reader.string()
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

  export const encode = (obj: Partial<ForwardedCommand>): Uint8Array => {
    return encodeMessage(obj, ForwardedCommand.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ForwardedCommand>): ForwardedCommand => {
    return decodeMessage(buf, ForwardedCommand.codec(), opts)
  }
}

export interface JobRegistration {
  id: string
  home: string
  createdAt: number
  state: string
  replicas: string[]
  epoch: number
  finishedAt?: number
  keepMs?: number
}

export namespace JobRegistration {
  let _codec: Codec<JobRegistration>

  export const codec = (): Codec<JobRegistration> => {
    if (_codec == null) {
      _codec = message<JobRegistration>((obj, w, opts = {}) => {
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

        if ((obj.createdAt != null && obj.createdAt !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.createdAt)
        }

        if ((obj.state != null && obj.state !== '')) {
          w.uint32(34)
          w.string(obj.state)
        }

        if (obj.replicas != null) {
          for (const value of obj.replicas) {
            w.uint32(42)
            w.string(value)
          }
        }

        if ((obj.epoch != null && obj.epoch !== 0)) {
          w.uint32(48)
          w.uint32(obj.epoch)
        }

        if (obj.finishedAt != null) {
          w.uint32(56)
          w.uint64Number(obj.finishedAt)
        }

        if (obj.keepMs != null) {
          w.uint32(64)
          w.uint64Number(obj.keepMs)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: '',
          home: '',
          createdAt: 0,
          state: '',
          replicas: [],
          epoch: 0
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
              obj.createdAt = reader.uint64Number()
              break
            }
            case 4: {
              obj.state = reader.string()
              break
            }
            case 5: {
              if (opts.limits?.replicas != null && obj.replicas.length === opts.limits.replicas) {
                throw new MaxLengthError('Decode error - map field "replicas" had too many elements')
              }

              obj.replicas.push(reader.string())
              break
            }
            case 6: {
              obj.epoch = reader.uint32()
              break
            }
            case 7: {
              obj.finishedAt = reader.uint64Number()
              break
            }
            case 8: {
              obj.keepMs = reader.uint64Number()
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

  export const encode = (obj: Partial<JobRegistration>): Uint8Array => {
    return encodeMessage(obj, JobRegistration.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<JobRegistration>): JobRegistration => {
    return decodeMessage(buf, JobRegistration.codec(), opts)
  }
}

export interface RegisterJobs {
  jobs: JobRegistration[]
  command?: Uint8Array
}

export namespace RegisterJobs {
  let _codec: Codec<RegisterJobs>

  export const codec = (): Codec<RegisterJobs> => {
    if (_codec == null) {
      _codec = message<RegisterJobs>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.jobs != null) {
          for (const value of obj.jobs) {
            w.uint32(10)
            JobRegistration.codec().encode(value, w)
          }
        }

        if (obj.command != null) {
          w.uint32(18)
          w.bytes(obj.command)
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

              obj.jobs.push(JobRegistration.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.jobs$
              }))
              break
            }
            case 2: {
              obj.command = reader.bytes()
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

  export const encode = (obj: Partial<RegisterJobs>): Uint8Array => {
    return encodeMessage(obj, RegisterJobs.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RegisterJobs>): RegisterJobs => {
    return decodeMessage(buf, RegisterJobs.codec(), opts)
  }
}

export interface DeathOpinion {
  peerId: string
  incarnation: number
  reason: string
}

export namespace DeathOpinion {
  let _codec: Codec<DeathOpinion>

  export const codec = (): Codec<DeathOpinion> => {
    if (_codec == null) {
      _codec = message<DeathOpinion>((obj, w, opts = {}) => {
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

  export const encode = (obj: Partial<DeathOpinion>): Uint8Array => {
    return encodeMessage(obj, DeathOpinion.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DeathOpinion>): DeathOpinion => {
    return decodeMessage(buf, DeathOpinion.codec(), opts)
  }
}

export interface DeathOpinions {
  opinions: DeathOpinion[]
  aliveIncarnation: number
}

export namespace DeathOpinions {
  let _codec: Codec<DeathOpinions>

  export const codec = (): Codec<DeathOpinions> => {
    if (_codec == null) {
      _codec = message<DeathOpinions>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.opinions != null) {
          for (const value of obj.opinions) {
            w.uint32(10)
            DeathOpinion.codec().encode(value, w)
          }
        }

        if ((obj.aliveIncarnation != null && obj.aliveIncarnation !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.aliveIncarnation)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          opinions: [],
          aliveIncarnation: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.opinions != null && obj.opinions.length === opts.limits.opinions) {
                throw new MaxLengthError('Decode error - map field "opinions" had too many elements')
              }

              obj.opinions.push(DeathOpinion.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.opinions$
              }))
              break
            }
            case 2: {
              obj.aliveIncarnation = reader.uint64Number()
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

  export const encode = (obj: Partial<DeathOpinions>): Uint8Array => {
    return encodeMessage(obj, DeathOpinions.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DeathOpinions>): DeathOpinions => {
    return decodeMessage(buf, DeathOpinions.codec(), opts)
  }
}

export interface HistoryGet {
  from: number
}

export namespace HistoryGet {
  let _codec: Codec<HistoryGet>

  export const codec = (): Codec<HistoryGet> => {
    if (_codec == null) {
      _codec = message<HistoryGet>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.from != null && obj.from !== 0)) {
          w.uint32(8)
          w.uint64Number(obj.from)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          from: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.from = reader.uint64Number()
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

  export const encode = (obj: Partial<HistoryGet>): Uint8Array => {
    return encodeMessage(obj, HistoryGet.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HistoryGet>): HistoryGet => {
    return decodeMessage(buf, HistoryGet.codec(), opts)
  }
}

export interface HistogramData {
  buckets: number[]
  counts: number[]
  min: number
  max: number
  sum: number
}

export namespace HistogramData {
  let _codec: Codec<HistogramData>

  export const codec = (): Codec<HistogramData> => {
    if (_codec == null) {
      _codec = message<HistogramData>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.buckets != null) {
          for (const value of obj.buckets) {
            w.uint32(8)
            w.uint32(value)
          }
        }

        if (obj.counts != null) {
          for (const value of obj.counts) {
            w.uint32(16)
            w.uint64Number(value)
          }
        }

        if ((obj.min != null && obj.min !== 0)) {
          w.uint32(25)
          w.double(obj.min)
        }

        if ((obj.max != null && obj.max !== 0)) {
          w.uint32(33)
          w.double(obj.max)
        }

        if ((obj.sum != null && obj.sum !== 0)) {
          w.uint32(41)
          w.double(obj.sum)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          buckets: [],
          counts: [],
          min: 0,
          max: 0,
          sum: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.buckets != null && obj.buckets.length === opts.limits.buckets) {
                throw new MaxLengthError('Decode error - map field "buckets" had too many elements')
              }

              obj.buckets.push(reader.uint32())
              break
            }
            case 2: {
              if (opts.limits?.counts != null && obj.counts.length === opts.limits.counts) {
                throw new MaxLengthError('Decode error - map field "counts" had too many elements')
              }

              obj.counts.push(reader.uint64Number())
              break
            }
            case 3: {
              obj.min = reader.double()
              break
            }
            case 4: {
              obj.max = reader.double()
              break
            }
            case 5: {
              obj.sum = reader.double()
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

  export const encode = (obj: Partial<HistogramData>): Uint8Array => {
    return encodeMessage(obj, HistogramData.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HistogramData>): HistogramData => {
    return decodeMessage(buf, HistogramData.codec(), opts)
  }
}

export interface TypeMinute {
  type: string
  ok: number
  failed: number
  retried: number
  duration?: HistogramData
  wait?: HistogramData
}

export namespace TypeMinute {
  let _codec: Codec<TypeMinute>

  export const codec = (): Codec<TypeMinute> => {
    if (_codec == null) {
      _codec = message<TypeMinute>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.type != null && obj.type !== '')) {
          w.uint32(10)
          w.string(obj.type)
        }

        if ((obj.ok != null && obj.ok !== 0)) {
          w.uint32(16)
          w.uint32(obj.ok)
        }

        if ((obj.failed != null && obj.failed !== 0)) {
          w.uint32(24)
          w.uint32(obj.failed)
        }

        if ((obj.retried != null && obj.retried !== 0)) {
          w.uint32(32)
          w.uint32(obj.retried)
        }

        if (obj.duration != null) {
          w.uint32(42)
          HistogramData.codec().encode(obj.duration, w)
        }

        if (obj.wait != null) {
          w.uint32(50)
          HistogramData.codec().encode(obj.wait, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          type: '',
          ok: 0,
          failed: 0,
          retried: 0
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
              obj.ok = reader.uint32()
              break
            }
            case 3: {
              obj.failed = reader.uint32()
              break
            }
            case 4: {
              obj.retried = reader.uint32()
              break
            }
            case 5: {
              obj.duration = HistogramData.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.duration
              })
              break
            }
            case 6: {
              obj.wait = HistogramData.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.wait
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

  export const encode = (obj: Partial<TypeMinute>): Uint8Array => {
    return encodeMessage(obj, TypeMinute.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TypeMinute>): TypeMinute => {
    return decodeMessage(buf, TypeMinute.codec(), opts)
  }
}

export interface HistoryMinute {
  at: number
  types: TypeMinute[]
  completed: number
  failed: number
  cancelled: number
  latency?: HistogramData
}

export namespace HistoryMinute {
  let _codec: Codec<HistoryMinute>

  export const codec = (): Codec<HistoryMinute> => {
    if (_codec == null) {
      _codec = message<HistoryMinute>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.at != null && obj.at !== 0)) {
          w.uint32(8)
          w.uint64Number(obj.at)
        }

        if (obj.types != null) {
          for (const value of obj.types) {
            w.uint32(18)
            TypeMinute.codec().encode(value, w)
          }
        }

        if ((obj.completed != null && obj.completed !== 0)) {
          w.uint32(24)
          w.uint32(obj.completed)
        }

        if ((obj.failed != null && obj.failed !== 0)) {
          w.uint32(32)
          w.uint32(obj.failed)
        }

        if ((obj.cancelled != null && obj.cancelled !== 0)) {
          w.uint32(40)
          w.uint32(obj.cancelled)
        }

        if (obj.latency != null) {
          w.uint32(50)
          HistogramData.codec().encode(obj.latency, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          at: 0,
          types: [],
          completed: 0,
          failed: 0,
          cancelled: 0
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
              if (opts.limits?.types != null && obj.types.length === opts.limits.types) {
                throw new MaxLengthError('Decode error - map field "types" had too many elements')
              }

              obj.types.push(TypeMinute.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.types$
              }))
              break
            }
            case 3: {
              obj.completed = reader.uint32()
              break
            }
            case 4: {
              obj.failed = reader.uint32()
              break
            }
            case 5: {
              obj.cancelled = reader.uint32()
              break
            }
            case 6: {
              obj.latency = HistogramData.codec().decode(reader, reader.uint32(), {
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

  export const encode = (obj: Partial<HistoryMinute>): Uint8Array => {
    return encodeMessage(obj, HistoryMinute.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HistoryMinute>): HistoryMinute => {
    return decodeMessage(buf, HistoryMinute.codec(), opts)
  }
}

export interface History {
  layout: number
  startedAt: number
  now: number
  minutes: HistoryMinute[]
  truncated: boolean
}

export namespace History {
  let _codec: Codec<History>

  export const codec = (): Codec<History> => {
    if (_codec == null) {
      _codec = message<History>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.layout != null && obj.layout !== 0)) {
          w.uint32(8)
          w.uint32(obj.layout)
        }

        if ((obj.startedAt != null && obj.startedAt !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.startedAt)
        }

        if ((obj.now != null && obj.now !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.now)
        }

        if (obj.minutes != null) {
          for (const value of obj.minutes) {
            w.uint32(34)
            HistoryMinute.codec().encode(value, w)
          }
        }

        if ((obj.truncated != null && obj.truncated !== false)) {
          w.uint32(40)
          w.bool(obj.truncated)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          layout: 0,
          startedAt: 0,
          now: 0,
          minutes: [],
          truncated: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.layout = reader.uint32()
              break
            }
            case 2: {
              obj.startedAt = reader.uint64Number()
              break
            }
            case 3: {
              obj.now = reader.uint64Number()
              break
            }
            case 4: {
              if (opts.limits?.minutes != null && obj.minutes.length === opts.limits.minutes) {
                throw new MaxLengthError('Decode error - map field "minutes" had too many elements')
              }

              obj.minutes.push(HistoryMinute.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.minutes$
              }))
              break
            }
            case 5: {
              obj.truncated = reader.bool()
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

  export const encode = (obj: Partial<History>): Uint8Array => {
    return encodeMessage(obj, History.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<History>): History => {
    return decodeMessage(buf, History.codec(), opts)
  }
}

export interface InternalRequest {
  toLeader?: ForwardedCommand
  registerJobs?: RegisterJobs
  toHome?: ForwardedCommand
  deathOpinions?: DeathOpinions
  history?: HistoryGet
}

export namespace InternalRequest {
  let _codec: Codec<InternalRequest>

  export const codec = (): Codec<InternalRequest> => {
    if (_codec == null) {
      _codec = message<InternalRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        obj = { ...obj }

        if (obj.history != null) {
          obj.deathOpinions = undefined
          obj.toHome = undefined
          obj.registerJobs = undefined
          obj.toLeader = undefined
        }

        if (obj.deathOpinions != null) {
          obj.history = undefined
          obj.toHome = undefined
          obj.registerJobs = undefined
          obj.toLeader = undefined
        }

        if (obj.toHome != null) {
          obj.history = undefined
          obj.deathOpinions = undefined
          obj.registerJobs = undefined
          obj.toLeader = undefined
        }

        if (obj.registerJobs != null) {
          obj.history = undefined
          obj.deathOpinions = undefined
          obj.toHome = undefined
          obj.toLeader = undefined
        }

        if (obj.toLeader != null) {
          obj.history = undefined
          obj.deathOpinions = undefined
          obj.toHome = undefined
          obj.registerJobs = undefined
        }

        if (obj.toLeader != null) {
          w.uint32(10)
          ForwardedCommand.codec().encode(obj.toLeader, w)
        }

        if (obj.registerJobs != null) {
          w.uint32(18)
          RegisterJobs.codec().encode(obj.registerJobs, w)
        }

        if (obj.toHome != null) {
          w.uint32(26)
          ForwardedCommand.codec().encode(obj.toHome, w)
        }

        if (obj.deathOpinions != null) {
          w.uint32(34)
          DeathOpinions.codec().encode(obj.deathOpinions, w)
        }

        if (obj.history != null) {
          w.uint32(42)
          HistoryGet.codec().encode(obj.history, w)
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
              obj.toLeader = ForwardedCommand.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.toLeader
              })
              break
            }
            case 2: {
              obj.registerJobs = RegisterJobs.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.registerJobs
              })
              break
            }
            case 3: {
              obj.toHome = ForwardedCommand.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.toHome
              })
              break
            }
            case 4: {
              obj.deathOpinions = DeathOpinions.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.deathOpinions
              })
              break
            }
            case 5: {
              obj.history = HistoryGet.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.history
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        if (obj.history != null) {
          delete obj.deathOpinions
          delete obj.toHome
          delete obj.registerJobs
          delete obj.toLeader
        }

        if (obj.deathOpinions != null) {
          delete obj.history
          delete obj.toHome
          delete obj.registerJobs
          delete obj.toLeader
        }

        if (obj.toHome != null) {
          delete obj.history
          delete obj.deathOpinions
          delete obj.registerJobs
          delete obj.toLeader
        }

        if (obj.registerJobs != null) {
          delete obj.history
          delete obj.deathOpinions
          delete obj.toHome
          delete obj.toLeader
        }

        if (obj.toLeader != null) {
          delete obj.history
          delete obj.deathOpinions
          delete obj.toHome
          delete obj.registerJobs
        }

        return obj
      })
    }

    return _codec
  }

  export const encode = (obj: Partial<InternalRequest>): Uint8Array => {
    return encodeMessage(obj, InternalRequest.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<InternalRequest>): InternalRequest => {
    return decodeMessage(buf, InternalRequest.codec(), opts)
  }
}

export interface InternalResponse {
  code: string
  error: string
  leader: string
  response: Uint8Array
  history?: History
}

export namespace InternalResponse {
  let _codec: Codec<InternalResponse>

  export const codec = (): Codec<InternalResponse> => {
    if (_codec == null) {
      _codec = message<InternalResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
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

        if ((obj.response != null && obj.response.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.response)
        }

        if (obj.history != null) {
          w.uint32(42)
          History.codec().encode(obj.history, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          code: '',
          error: '',
          leader: '',
          response: uint8ArrayAlloc(0)
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
            case 4: {
              obj.response = reader.bytes()
              break
            }
            case 5: {
              obj.history = History.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.history
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

  export const encode = (obj: Partial<InternalResponse>): Uint8Array => {
    return encodeMessage(obj, InternalResponse.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<InternalResponse>): InternalResponse => {
    return decodeMessage(buf, InternalResponse.codec(), opts)
  }
}
