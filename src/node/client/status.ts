// The client side of /meshnode/status/1.0.0, used by `meshnode status` and by scripts/cluster.
// It finds the node (a --peer multiaddr, or the runtime file a running node writes into its
// data dir) and returns the stable JSON view.
import type { Libp2p } from 'libp2p'
import { STATUS_CALL } from '../../wire/calls.js'
import { STATUS_RATE } from '../../wire/constants.js'
import { MeshError, isMeshError } from '../errors.js'
import { call } from '../transport/rpc.js'
import { resolveClient, type ClientTarget } from './credentials.js'
import { statusToJson, type StatusJson } from './status-json.js'

export interface NodeTarget extends ClientTarget {
  timeoutMs?: number
}

/** Ask one node for its status; pass `client` to reuse one host across many calls. */
export async function fetchStatus (target: NodeTarget, client?: Libp2p): Promise<StatusJson> {
  const opts = target.timeoutMs != null ? { ...STATUS_CALL, timeoutMs: target.timeoutMs } : STATUS_CALL
  // A shared client host already carries its identity: only the address is needed then.
  const t = await resolveClient(target, client == null)
  let res
  try {
    res = await call(t.addr, { includePeers: true }, opts, client, t)
  } catch (err) {
    // A node over a client's status rate resets the stream without a word (an answer would
    // cost what the limit protects), so the one hint the client can give is here.
    if (!isMeshError(err, 'UNREACHABLE') || err.unanswered !== true) throw err
    throw new MeshError('UNREACHABLE', `${err.message} (a node also resets the status requests of a client asking more than ${STATUS_RATE.ratePerSec} a second: if this one polls that fast, slow down)`, { cause: err })
  }
  return statusToJson(res)
}
