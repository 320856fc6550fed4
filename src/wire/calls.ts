// Client-side descriptors of the one-request, one-response protocols: protocol id, codecs,
// the most a reply may be, and how long a call may take. Callers (the CLI, scripts, benches,
// nodes calling each other) import these, never the server modules.
import { ADMIN_CHANNEL_PROTOCOL, ADMIN_PROTOCOL, ADMIN_TIMEOUT_MS, HISTORY_TIMEOUT_MS, INTERNAL_CHANNEL_PROTOCOL, INTERNAL_PROTOCOL, INTERNAL_TIMEOUT_MS, MAX_ADMIN_RESPONSE_BYTES, MAX_HISTORY_BYTES, MAX_INTERNAL_FRAME_BYTES, MAX_STATUS_FRAME_BYTES, STATUS_PROTOCOL, STATUS_TIMEOUT_MS } from './constants.js'
import { AdminRequest, type AdminResponse } from './proto/admin.js'
import { AdminResponseWire } from './admin-codec.js'
import { InternalRequest, InternalResponse } from './proto/internal.js'
import { StatusRequest, StatusResponse } from './proto/status.js'

export interface Codec<T> {
  encode: (value: T) => Uint8Array
  decode: (bytes: Uint8Array | any) => T
}

/** How to make one call: what `callWith` in src/node/transport/rpc.ts takes. */
export interface CallDescriptor<Req, Res> {
  protocol: string
  request: Codec<Req>
  response: Codec<Res>
  maxResponseBytes: number
  timeoutMs: number
  /**
   * The protocol of the same calls on a call channel (src/node/transport/channel.ts), if the
   * server offers one: many calls on one long-lived stream. Callers use it when the node speaks
   * it, `protocol` otherwise.
   */
  channel?: string
}

/** An admin command's name: its field in the oneofs of AdminRequest and AdminResponse. */
export type AdminCommandName = keyof AdminRequest
/** What a command takes, and what it answers (the response field of the same name). */
export type AdminParams<K extends AdminCommandName> = NonNullable<AdminRequest[K]>
export type AdminResult<K extends AdminCommandName> = NonNullable<AdminResponse[K]>

export const ADMIN_CALL: CallDescriptor<AdminRequest, AdminResponse> = {
  protocol: ADMIN_PROTOCOL,
  channel: ADMIN_CHANNEL_PROTOCOL,
  request: AdminRequest,
  response: AdminResponseWire,
  maxResponseBytes: MAX_ADMIN_RESPONSE_BYTES,
  timeoutMs: ADMIN_TIMEOUT_MS
}

export const STATUS_CALL: CallDescriptor<StatusRequest, StatusResponse> = {
  protocol: STATUS_PROTOCOL,
  request: StatusRequest,
  response: StatusResponse,
  maxResponseBytes: MAX_STATUS_FRAME_BYTES,
  timeoutMs: STATUS_TIMEOUT_MS
}

export const INTERNAL_CALL: CallDescriptor<InternalRequest, InternalResponse> = {
  protocol: INTERNAL_PROTOCOL,
  channel: INTERNAL_CHANNEL_PROTOCOL,
  request: InternalRequest,
  response: InternalResponse,
  maxResponseBytes: MAX_INTERNAL_FRAME_BYTES,
  timeoutMs: INTERNAL_TIMEOUT_MS
}

/** A member's latency history: the internal protocol, with a short deadline and its own size cap. */
export const HISTORY_CALL: CallDescriptor<InternalRequest, InternalResponse> = {
  ...INTERNAL_CALL,
  maxResponseBytes: MAX_HISTORY_BYTES + 64 * 1024,
  timeoutMs: HISTORY_TIMEOUT_MS
}
