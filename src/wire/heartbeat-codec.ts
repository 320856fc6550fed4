// The heartbeat codec: decoding and validation, pure, so the gossip validator and the tests
// share it. It lives in src/wire with the schema it reads; the healing core never sees bytes.
// The outcome maps onto gossipsub's accept / ignore / reject, so a peer that sends garbage
// is penalised by gossipsub's peer scoring as well as counted here.
import { errorMessage } from '../errors.js'
import { HEARTBEAT_LIMITS, MAX_HEARTBEAT_BYTES } from './constants.js'
import { Heartbeat } from './proto/heartbeat.js'

export { Heartbeat }

export type HeartbeatVerdict =
  | { ok: true, heartbeat: Heartbeat }
  | { ok: false, reason: 'oversize' | 'malformed' | 'wrong-mesh', detail: string }

export function decodeHeartbeat (data: Uint8Array, mesh: string): HeartbeatVerdict {
  if (data.byteLength > MAX_HEARTBEAT_BYTES) {
    return { ok: false, reason: 'oversize', detail: `${data.byteLength} bytes > ${MAX_HEARTBEAT_BYTES}` }
  }
  let heartbeat: Heartbeat
  try {
    heartbeat = Heartbeat.decode(data, { limits: HEARTBEAT_LIMITS })
  } catch (err) {
    return { ok: false, reason: 'malformed', detail: errorMessage(err) }
  }
  if (heartbeat.mesh !== mesh) {
    return { ok: false, reason: 'wrong-mesh', detail: `mesh "${heartbeat.mesh}" on the topic of mesh "${mesh}"` }
  }
  if (heartbeat.incarnation === 0n) {
    return { ok: false, reason: 'malformed', detail: 'incarnation 0' }
  }
  if (!Number.isFinite(heartbeat.load) || heartbeat.load < 0) {
    return { ok: false, reason: 'malformed', detail: `load ${heartbeat.load}` }
  }
  return { ok: true, heartbeat }
}

export function encodeHeartbeat (hb: Heartbeat): Uint8Array {
  return Heartbeat.encode(hb)
}
