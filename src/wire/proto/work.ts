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

export interface TaskSpec {
  id: string
  jobId: string
  type: string
  payload: Uint8Array
  requires: string[]
  maxAttempts: number
  attempts: number
  timeoutMs: number
  priority: number
  home: string
  failures: AttemptFailure[]
  notBeforeMs?: number
}

export namespace TaskSpec {
  let _codec: Codec<TaskSpec>

  export const codec = (): Codec<TaskSpec> => {
    if (_codec == null) {
      _codec = message<TaskSpec>((obj, w, opts = {}) => {
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

        if ((obj.type != null && obj.type !== '')) {
          w.uint32(26)
          w.string(obj.type)
        }

        if ((obj.payload != null && obj.payload.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.payload)
        }

        if (obj.requires != null) {
          for (const value of obj.requires) {
            w.uint32(42)
            w.string(value)
          }
        }

        if ((obj.maxAttempts != null && obj.maxAttempts !== 0)) {
          w.uint32(48)
          w.uint32(obj.maxAttempts)
        }

        if ((obj.attempts != null && obj.attempts !== 0)) {
          w.uint32(56)
          w.uint32(obj.attempts)
        }

        if ((obj.timeoutMs != null && obj.timeoutMs !== 0)) {
          w.uint32(64)
          w.uint32(obj.timeoutMs)
        }

        if ((obj.priority != null && obj.priority !== 0)) {
          w.uint32(72)
          w.sint32(obj.priority)
        }

        if ((obj.home != null && obj.home !== '')) {
          w.uint32(82)
          w.string(obj.home)
        }

        if (obj.failures != null) {
          for (const value of obj.failures) {
            w.uint32(90)
            AttemptFailure.codec().encode(value, w)
          }
        }

        if (obj.notBeforeMs != null) {
          w.uint32(96)
          w.uint64Number(obj.notBeforeMs)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: '',
          jobId: '',
          type: '',
          payload: uint8ArrayAlloc(0),
          requires: [],
          maxAttempts: 0,
          attempts: 0,
          timeoutMs: 0,
          priority: 0,
          home: '',
          failures: []
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
              obj.type = reader.string()
              break
            }
            case 4: {
              obj.payload = reader.bytes()
              break
            }
            case 5: {
              if (opts.limits?.requires != null && obj.requires.length === opts.limits.requires) {
                throw new MaxLengthError('Decode error - map field "requires" had too many elements')
              }

              obj.requires.push(reader.string())
              break
            }
            case 6: {
              obj.maxAttempts = reader.uint32()
              break
            }
            case 7: {
              obj.attempts = reader.uint32()
              break
            }
            case 8: {
              obj.timeoutMs = reader.uint32()
              break
            }
            case 9: {
              obj.priority = reader.sint32()
              break
            }
            case 10: {
              obj.home = reader.string()
              break
            }
            case 11: {
              if (opts.limits?.failures != null && obj.failures.length === opts.limits.failures) {
                throw new MaxLengthError('Decode error - map field "failures" had too many elements')
              }

              obj.failures.push(AttemptFailure.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.failures$
              }))
              break
            }
            case 12: {
              obj.notBeforeMs = reader.uint64Number()
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

  export const encode = (obj: Partial<TaskSpec>): Uint8Array => {
    return encodeMessage(obj, TaskSpec.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskSpec>): TaskSpec => {
    return decodeMessage(buf, TaskSpec.codec(), opts)
  }
}

export interface AttemptFailure {
  node: string
  attempt: number
  error: string
  atMs: bigint
}

export namespace AttemptFailure {
  let _codec: Codec<AttemptFailure>

  export const codec = (): Codec<AttemptFailure> => {
    if (_codec == null) {
      _codec = message<AttemptFailure>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.node != null && obj.node !== '')) {
          w.uint32(10)
          w.string(obj.node)
        }

        if ((obj.attempt != null && obj.attempt !== 0)) {
          w.uint32(16)
          w.uint32(obj.attempt)
        }

        if ((obj.error != null && obj.error !== '')) {
          w.uint32(26)
          w.string(obj.error)
        }

        if ((obj.atMs != null && obj.atMs !== 0n)) {
          w.uint32(32)
          w.uint64(obj.atMs)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          node: '',
          attempt: 0,
          error: '',
          atMs: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.node = reader.string()
              break
            }
            case 2: {
              obj.attempt = reader.uint32()
              break
            }
            case 3: {
              obj.error = reader.string()
              break
            }
            case 4: {
              obj.atMs = reader.uint64()
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

  export const encode = (obj: Partial<AttemptFailure>): Uint8Array => {
    return encodeMessage(obj, AttemptFailure.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AttemptFailure>): AttemptFailure => {
    return decodeMessage(buf, AttemptFailure.codec(), opts)
  }
}

export interface Batch {
  jobId: string
  batchId: string
  tasks: TaskSpec[]
}

export namespace Batch {
  let _codec: Codec<Batch>

  export const codec = (): Codec<Batch> => {
    if (_codec == null) {
      _codec = message<Batch>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.jobId != null && obj.jobId !== '')) {
          w.uint32(10)
          w.string(obj.jobId)
        }

        if ((obj.batchId != null && obj.batchId !== '')) {
          w.uint32(18)
          w.string(obj.batchId)
        }

        if (obj.tasks != null) {
          for (const value of obj.tasks) {
            w.uint32(26)
            TaskSpec.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          jobId: '',
          batchId: '',
          tasks: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.jobId = reader.string()
              break
            }
            case 2: {
              obj.batchId = reader.string()
              break
            }
            case 3: {
              if (opts.limits?.tasks != null && obj.tasks.length === opts.limits.tasks) {
                throw new MaxLengthError('Decode error - map field "tasks" had too many elements')
              }

              obj.tasks.push(TaskSpec.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.tasks$
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

  export const encode = (obj: Partial<Batch>): Uint8Array => {
    return encodeMessage(obj, Batch.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Batch>): Batch => {
    return decodeMessage(buf, Batch.codec(), opts)
  }
}

export interface TaskResult {
  jobId: string
  taskId: string
  ok: boolean
  result: Uint8Array
  error: string
  spawned: number
  attempts: number
  finishedAtMs: bigint
  cancelled: boolean
  failures: AttemptFailure[]
}

export namespace TaskResult {
  let _codec: Codec<TaskResult>

  export const codec = (): Codec<TaskResult> => {
    if (_codec == null) {
      _codec = message<TaskResult>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.jobId != null && obj.jobId !== '')) {
          w.uint32(10)
          w.string(obj.jobId)
        }

        if ((obj.taskId != null && obj.taskId !== '')) {
          w.uint32(18)
          w.string(obj.taskId)
        }

        if ((obj.ok != null && obj.ok !== false)) {
          w.uint32(24)
          w.bool(obj.ok)
        }

        if ((obj.result != null && obj.result.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.result)
        }

        if ((obj.error != null && obj.error !== '')) {
          w.uint32(42)
          w.string(obj.error)
        }

        if ((obj.spawned != null && obj.spawned !== 0)) {
          w.uint32(48)
          w.uint32(obj.spawned)
        }

        if ((obj.attempts != null && obj.attempts !== 0)) {
          w.uint32(56)
          w.uint32(obj.attempts)
        }

        if ((obj.finishedAtMs != null && obj.finishedAtMs !== 0n)) {
          w.uint32(64)
          w.uint64(obj.finishedAtMs)
        }

        if ((obj.cancelled != null && obj.cancelled !== false)) {
          w.uint32(72)
          w.bool(obj.cancelled)
        }

        if (obj.failures != null) {
          for (const value of obj.failures) {
            w.uint32(82)
            AttemptFailure.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          jobId: '',
          taskId: '',
          ok: false,
          result: uint8ArrayAlloc(0),
          error: '',
          spawned: 0,
          attempts: 0,
          finishedAtMs: 0n,
          cancelled: false,
          failures: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.jobId = reader.string()
              break
            }
            case 2: {
              obj.taskId = reader.string()
              break
            }
            case 3: {
              obj.ok = reader.bool()
              break
            }
            case 4: {
              obj.result = reader.bytes()
              break
            }
            case 5: {
              obj.error = reader.string()
              break
            }
            case 6: {
              obj.spawned = reader.uint32()
              break
            }
            case 7: {
              obj.attempts = reader.uint32()
              break
            }
            case 8: {
              obj.finishedAtMs = reader.uint64()
              break
            }
            case 9: {
              obj.cancelled = reader.bool()
              break
            }
            case 10: {
              if (opts.limits?.failures != null && obj.failures.length === opts.limits.failures) {
                throw new MaxLengthError('Decode error - map field "failures" had too many elements')
              }

              obj.failures.push(AttemptFailure.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.failures$
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

  export const encode = (obj: Partial<TaskResult>): Uint8Array => {
    return encodeMessage(obj, TaskResult.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskResult>): TaskResult => {
    return decodeMessage(buf, TaskResult.codec(), opts)
  }
}

export interface SignalMsg {
  jobId: string
  batchId: string
}

export namespace SignalMsg {
  let _codec: Codec<SignalMsg>

  export const codec = (): Codec<SignalMsg> => {
    if (_codec == null) {
      _codec = message<SignalMsg>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.jobId != null && obj.jobId !== '')) {
          w.uint32(10)
          w.string(obj.jobId)
        }

        if ((obj.batchId != null && obj.batchId !== '')) {
          w.uint32(18)
          w.string(obj.batchId)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          jobId: '',
          batchId: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.jobId = reader.string()
              break
            }
            case 2: {
              obj.batchId = reader.string()
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

  export const encode = (obj: Partial<SignalMsg>): Uint8Array => {
    return encodeMessage(obj, SignalMsg.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SignalMsg>): SignalMsg => {
    return decodeMessage(buf, SignalMsg.codec(), opts)
  }
}

export interface CoveredSignal {
  jobId: string
  batchId: string
  covers: string[]
}

export namespace CoveredSignal {
  let _codec: Codec<CoveredSignal>

  export const codec = (): Codec<CoveredSignal> => {
    if (_codec == null) {
      _codec = message<CoveredSignal>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.jobId != null && obj.jobId !== '')) {
          w.uint32(10)
          w.string(obj.jobId)
        }

        if ((obj.batchId != null && obj.batchId !== '')) {
          w.uint32(18)
          w.string(obj.batchId)
        }

        if (obj.covers != null) {
          for (const value of obj.covers) {
            w.uint32(26)
            w.string(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          jobId: '',
          batchId: '',
          covers: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.jobId = reader.string()
              break
            }
            case 2: {
              obj.batchId = reader.string()
              break
            }
            case 3: {
              if (opts.limits?.covers != null && obj.covers.length === opts.limits.covers) {
                throw new MaxLengthError('Decode error - map field "covers" had too many elements')
              }

              obj.covers.push(reader.string())
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

  export const encode = (obj: Partial<CoveredSignal>): Uint8Array => {
    return encodeMessage(obj, CoveredSignal.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CoveredSignal>): CoveredSignal => {
    return decodeMessage(buf, CoveredSignal.codec(), opts)
  }
}

export interface Progress {
  jobId: string
  taskId: string
  value: Uint8Array
}

export namespace Progress {
  let _codec: Codec<Progress>

  export const codec = (): Codec<Progress> => {
    if (_codec == null) {
      _codec = message<Progress>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.jobId != null && obj.jobId !== '')) {
          w.uint32(10)
          w.string(obj.jobId)
        }

        if ((obj.taskId != null && obj.taskId !== '')) {
          w.uint32(18)
          w.string(obj.taskId)
        }

        if ((obj.value != null && obj.value.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.value)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          jobId: '',
          taskId: '',
          value: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.jobId = reader.string()
              break
            }
            case 2: {
              obj.taskId = reader.string()
              break
            }
            case 3: {
              obj.value = reader.bytes()
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

  export const encode = (obj: Partial<Progress>): Uint8Array => {
    return encodeMessage(obj, Progress.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Progress>): Progress => {
    return decodeMessage(buf, Progress.codec(), opts)
  }
}

export interface JobReplicaSpec {
  jobId: string
  name: string
  home: string
  createdAtMs: bigint
  tasks: TaskSpec[]
  keepMs?: number
  shared?: TaskSpec
  payloads: string[]
}

export namespace JobReplicaSpec {
  let _codec: Codec<JobReplicaSpec>

  export const codec = (): Codec<JobReplicaSpec> => {
    if (_codec == null) {
      _codec = message<JobReplicaSpec>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.jobId != null && obj.jobId !== '')) {
          w.uint32(10)
          w.string(obj.jobId)
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(18)
          w.string(obj.name)
        }

        if ((obj.home != null && obj.home !== '')) {
          w.uint32(26)
          w.string(obj.home)
        }

        if ((obj.createdAtMs != null && obj.createdAtMs !== 0n)) {
          w.uint32(32)
          w.uint64(obj.createdAtMs)
        }

        if (obj.tasks != null) {
          for (const value of obj.tasks) {
            w.uint32(42)
            TaskSpec.codec().encode(value, w)
          }
        }

        if (obj.keepMs != null) {
          w.uint32(48)
          w.uint64Number(obj.keepMs)
        }

        if (obj.shared != null) {
          w.uint32(58)
          TaskSpec.codec().encode(obj.shared, w)
        }

        if (obj.payloads != null) {
          for (const value of obj.payloads) {
            w.uint32(66)
            w.string(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          jobId: '',
          name: '',
          home: '',
          createdAtMs: 0n,
          tasks: [],
          payloads: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.jobId = reader.string()
              break
            }
            case 2: {
              obj.name = reader.string()
              break
            }
            case 3: {
              obj.home = reader.string()
              break
            }
            case 4: {
              obj.createdAtMs = reader.uint64()
              break
            }
            case 5: {
              if (opts.limits?.tasks != null && obj.tasks.length === opts.limits.tasks) {
                throw new MaxLengthError('Decode error - map field "tasks" had too many elements')
              }

              obj.tasks.push(TaskSpec.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.tasks$
              }))
              break
            }
            case 6: {
              obj.keepMs = reader.uint64Number()
              break
            }
            case 7: {
              obj.shared = TaskSpec.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.shared
              })
              break
            }
            case 8: {
              if (opts.limits?.payloads != null && obj.payloads.length === opts.limits.payloads) {
                throw new MaxLengthError('Decode error - map field "payloads" had too many elements')
              }

              obj.payloads.push(reader.string())
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

  export const encode = (obj: Partial<JobReplicaSpec>): Uint8Array => {
    return encodeMessage(obj, JobReplicaSpec.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<JobReplicaSpec>): JobReplicaSpec => {
    return decodeMessage(buf, JobReplicaSpec.codec(), opts)
  }
}

export interface ReplicaSet {
  replicas: JobReplicaSpec[]
}

export namespace ReplicaSet {
  let _codec: Codec<ReplicaSet>

  export const codec = (): Codec<ReplicaSet> => {
    if (_codec == null) {
      _codec = message<ReplicaSet>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.replicas != null) {
          for (const value of obj.replicas) {
            w.uint32(10)
            JobReplicaSpec.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          replicas: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.replicas != null && obj.replicas.length === opts.limits.replicas) {
                throw new MaxLengthError('Decode error - map field "replicas" had too many elements')
              }

              obj.replicas.push(JobReplicaSpec.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.replicas$
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

  export const encode = (obj: Partial<ReplicaSet>): Uint8Array => {
    return encodeMessage(obj, ReplicaSet.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ReplicaSet>): ReplicaSet => {
    return decodeMessage(buf, ReplicaSet.codec(), opts)
  }
}

export interface WorkRequest {
  op: string
  capabilities: string[]
  want: number
  batches: Batch[]
  signals: SignalMsg[]
  results: TaskResult[]
  progress: Progress[]
  replicas: JobReplicaSpec[]
  covered: CoveredSignal[]
  sealedReplicas: Uint8Array
  replicaIds: string[]
  packedReplicas: Uint8Array
}

export namespace WorkRequest {
  let _codec: Codec<WorkRequest>

  export const codec = (): Codec<WorkRequest> => {
    if (_codec == null) {
      _codec = message<WorkRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.op != null && obj.op !== '')) {
          w.uint32(10)
          w.string(obj.op)
        }

        if (obj.capabilities != null) {
          for (const value of obj.capabilities) {
            w.uint32(18)
            w.string(value)
          }
        }

        if ((obj.want != null && obj.want !== 0)) {
          w.uint32(24)
          w.uint32(obj.want)
        }

        if (obj.batches != null) {
          for (const value of obj.batches) {
            w.uint32(34)
            Batch.codec().encode(value, w)
          }
        }

        if (obj.signals != null) {
          for (const value of obj.signals) {
            w.uint32(42)
            SignalMsg.codec().encode(value, w)
          }
        }

        if (obj.results != null) {
          for (const value of obj.results) {
            w.uint32(50)
            TaskResult.codec().encode(value, w)
          }
        }

        if (obj.progress != null) {
          for (const value of obj.progress) {
            w.uint32(58)
            Progress.codec().encode(value, w)
          }
        }

        if (obj.replicas != null) {
          for (const value of obj.replicas) {
            w.uint32(66)
            JobReplicaSpec.codec().encode(value, w)
          }
        }

        if (obj.covered != null) {
          for (const value of obj.covered) {
            w.uint32(74)
            CoveredSignal.codec().encode(value, w)
          }
        }

        if ((obj.sealedReplicas != null && obj.sealedReplicas.byteLength > 0)) {
          w.uint32(82)
          w.bytes(obj.sealedReplicas)
        }

        if (obj.replicaIds != null) {
          for (const value of obj.replicaIds) {
            w.uint32(90)
            w.string(value)
          }
        }

        if ((obj.packedReplicas != null && obj.packedReplicas.byteLength > 0)) {
          w.uint32(98)
          w.bytes(obj.packedReplicas)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          op: '',
          capabilities: [],
          want: 0,
          batches: [],
          signals: [],
          results: [],
          progress: [],
          replicas: [],
          covered: [],
          sealedReplicas: uint8ArrayAlloc(0),
          replicaIds: [],
          packedReplicas: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.op = reader.string()
              break
            }
            case 2: {
              if (opts.limits?.capabilities != null && obj.capabilities.length === opts.limits.capabilities) {
                throw new MaxLengthError('Decode error - map field "capabilities" had too many elements')
              }

              obj.capabilities.push(reader.string())
              break
            }
            case 3: {
              obj.want = reader.uint32()
              break
            }
            case 4: {
              if (opts.limits?.batches != null && obj.batches.length === opts.limits.batches) {
                throw new MaxLengthError('Decode error - map field "batches" had too many elements')
              }

              obj.batches.push(Batch.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.batches$
              }))
              break
            }
            case 5: {
              if (opts.limits?.signals != null && obj.signals.length === opts.limits.signals) {
                throw new MaxLengthError('Decode error - map field "signals" had too many elements')
              }

              obj.signals.push(SignalMsg.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.signals$
              }))
              break
            }
            case 6: {
              if (opts.limits?.results != null && obj.results.length === opts.limits.results) {
                throw new MaxLengthError('Decode error - map field "results" had too many elements')
              }

              obj.results.push(TaskResult.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.results$
              }))
              break
            }
            case 7: {
              if (opts.limits?.progress != null && obj.progress.length === opts.limits.progress) {
                throw new MaxLengthError('Decode error - map field "progress" had too many elements')
              }

              obj.progress.push(Progress.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.progress$
              }))
              break
            }
            case 8: {
              if (opts.limits?.replicas != null && obj.replicas.length === opts.limits.replicas) {
                throw new MaxLengthError('Decode error - map field "replicas" had too many elements')
              }

              obj.replicas.push(JobReplicaSpec.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.replicas$
              }))
              break
            }
            case 9: {
              if (opts.limits?.covered != null && obj.covered.length === opts.limits.covered) {
                throw new MaxLengthError('Decode error - map field "covered" had too many elements')
              }

              obj.covered.push(CoveredSignal.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.covered$
              }))
              break
            }
            case 10: {
              obj.sealedReplicas = reader.bytes()
              break
            }
            case 11: {
              if (opts.limits?.replicaIds != null && obj.replicaIds.length === opts.limits.replicaIds) {
                throw new MaxLengthError('Decode error - map field "replicaIds" had too many elements')
              }

              obj.replicaIds.push(reader.string())
              break
            }
            case 12: {
              obj.packedReplicas = reader.bytes()
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

  export const encode = (obj: Partial<WorkRequest>): Uint8Array => {
    return encodeMessage(obj, WorkRequest.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<WorkRequest>): WorkRequest => {
    return decodeMessage(buf, WorkRequest.codec(), opts)
  }
}

export interface WorkResponse {
  ok: boolean
  error: string
  batches: Batch[]
  remaining: number
  accepted: number
  abandoned: string[]
  signalled: string[]
}

export namespace WorkResponse {
  let _codec: Codec<WorkResponse>

  export const codec = (): Codec<WorkResponse> => {
    if (_codec == null) {
      _codec = message<WorkResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.ok != null && obj.ok !== false)) {
          w.uint32(8)
          w.bool(obj.ok)
        }

        if ((obj.error != null && obj.error !== '')) {
          w.uint32(18)
          w.string(obj.error)
        }

        if (obj.batches != null) {
          for (const value of obj.batches) {
            w.uint32(26)
            Batch.codec().encode(value, w)
          }
        }

        if ((obj.remaining != null && obj.remaining !== 0)) {
          w.uint32(32)
          w.uint32(obj.remaining)
        }

        if ((obj.accepted != null && obj.accepted !== 0)) {
          w.uint32(40)
          w.uint32(obj.accepted)
        }

        if (obj.abandoned != null) {
          for (const value of obj.abandoned) {
            w.uint32(50)
            w.string(value)
          }
        }

        if (obj.signalled != null) {
          for (const value of obj.signalled) {
            w.uint32(58)
            w.string(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          ok: false,
          error: '',
          batches: [],
          remaining: 0,
          accepted: 0,
          abandoned: [],
          signalled: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.ok = reader.bool()
              break
            }
            case 2: {
              obj.error = reader.string()
              break
            }
            case 3: {
              if (opts.limits?.batches != null && obj.batches.length === opts.limits.batches) {
                throw new MaxLengthError('Decode error - map field "batches" had too many elements')
              }

              obj.batches.push(Batch.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.batches$
              }))
              break
            }
            case 4: {
              obj.remaining = reader.uint32()
              break
            }
            case 5: {
              obj.accepted = reader.uint32()
              break
            }
            case 6: {
              if (opts.limits?.abandoned != null && obj.abandoned.length === opts.limits.abandoned) {
                throw new MaxLengthError('Decode error - map field "abandoned" had too many elements')
              }

              obj.abandoned.push(reader.string())
              break
            }
            case 7: {
              if (opts.limits?.signalled != null && obj.signalled.length === opts.limits.signalled) {
                throw new MaxLengthError('Decode error - map field "signalled" had too many elements')
              }

              obj.signalled.push(reader.string())
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

  export const encode = (obj: Partial<WorkResponse>): Uint8Array => {
    return encodeMessage(obj, WorkResponse.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<WorkResponse>): WorkResponse => {
    return decodeMessage(buf, WorkResponse.codec(), opts)
  }
}

export interface WorkFrame {
  id: bigint
  request?: WorkRequest
  response?: WorkResponse
}

export namespace WorkFrame {
  let _codec: Codec<WorkFrame>

  export const codec = (): Codec<WorkFrame> => {
    if (_codec == null) {
      _codec = message<WorkFrame>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.id != null && obj.id !== 0n)) {
          w.uint32(8)
          w.uint64(obj.id)
        }

        if (obj.request != null) {
          w.uint32(18)
          WorkRequest.codec().encode(obj.request, w)
        }

        if (obj.response != null) {
          w.uint32(26)
          WorkResponse.codec().encode(obj.response, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.id = reader.uint64()
              break
            }
            case 2: {
              obj.request = WorkRequest.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.request
              })
              break
            }
            case 3: {
              obj.response = WorkResponse.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.response
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

  export const encode = (obj: Partial<WorkFrame>): Uint8Array => {
    return encodeMessage(obj, WorkFrame.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<WorkFrame>): WorkFrame => {
    return decodeMessage(buf, WorkFrame.codec(), opts)
  }
}
