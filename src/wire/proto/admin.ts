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

export interface AdminRequest {
  op: string
  key: string
  value: string
  expectVersion?: bigint
  forwarded: boolean
  json: string
}

export namespace AdminRequest {
  let _codec: Codec<AdminRequest>

  export const codec = (): Codec<AdminRequest> => {
    if (_codec == null) {
      _codec = message<AdminRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.op != null && obj.op !== '')) {
          w.uint32(10)
          w.string(obj.op)
        }

        if ((obj.key != null && obj.key !== '')) {
          w.uint32(18)
          w.string(obj.key)
        }

        if ((obj.value != null && obj.value !== '')) {
          w.uint32(26)
          w.string(obj.value)
        }

        if (obj.expectVersion != null) {
          w.uint32(32)
          w.uint64(obj.expectVersion)
        }

        if ((obj.forwarded != null && obj.forwarded !== false)) {
          w.uint32(40)
          w.bool(obj.forwarded)
        }

        if ((obj.json != null && obj.json !== '')) {
          w.uint32(50)
          w.string(obj.json)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          op: '',
          key: '',
          value: '',
          forwarded: false,
          json: ''
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
              obj.key = reader.string()
              break
            }
            case 3: {
              obj.value = reader.string()
              break
            }
            case 4: {
              obj.expectVersion = reader.uint64()
              break
            }
            case 5: {
              obj.forwarded = reader.bool()
              break
            }
            case 6: {
              obj.json = reader.string()
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

export interface AdminResponse {
  ok: boolean
  error: string
  code: string
  leader: string
  entries: ConfigEntry[]
  version: bigint
  json: string
}

export namespace AdminResponse {
  let _codec: Codec<AdminResponse>

  export const codec = (): Codec<AdminResponse> => {
    if (_codec == null) {
      _codec = message<AdminResponse>((obj, w, opts = {}) => {
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

        if ((obj.code != null && obj.code !== '')) {
          w.uint32(26)
          w.string(obj.code)
        }

        if ((obj.leader != null && obj.leader !== '')) {
          w.uint32(34)
          w.string(obj.leader)
        }

        if (obj.entries != null) {
          for (const value of obj.entries) {
            w.uint32(42)
            ConfigEntry.codec().encode(value, w)
          }
        }

        if ((obj.version != null && obj.version !== 0n)) {
          w.uint32(48)
          w.uint64(obj.version)
        }

        if ((obj.json != null && obj.json !== '')) {
          w.uint32(58)
          w.string(obj.json)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          ok: false,
          error: '',
          code: '',
          leader: '',
          entries: [],
          version: 0n,
          json: ''
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
              obj.code = reader.string()
              break
            }
            case 4: {
              obj.leader = reader.string()
              break
            }
            case 5: {
              if (opts.limits?.entries != null && obj.entries.length === opts.limits.entries) {
                throw new MaxLengthError('Decode error - map field "entries" had too many elements')
              }

              obj.entries.push(ConfigEntry.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.entries$
              }))
              break
            }
            case 6: {
              obj.version = reader.uint64()
              break
            }
            case 7: {
              obj.json = reader.string()
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

  export const encode = (obj: Partial<AdminResponse>): Uint8Array => {
    return encodeMessage(obj, AdminResponse.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AdminResponse>): AdminResponse => {
    return decodeMessage(buf, AdminResponse.codec(), opts)
  }
}
