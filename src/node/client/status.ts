// The client side of /meshnode/status/1.0.0, used by `meshnode status` and by scripts/cluster.
// It finds the node (a --peer multiaddr, or the runtime file a running node writes into its
// data dir) and returns the stable JSON view.
import type { Libp2p } from 'libp2p'
import { STATUS_CALL } from '../../wire/calls.js'
import { pickLocalAddr } from '../transport/addrs.js'
import { MeshError } from '../errors.js'
import { call } from '../transport/rpc.js'
import { readRuntimeFile } from '../store/runtime-file.js'
import { statusToJson, type StatusJson } from './status-json.js'

export interface NodeTarget {
  peer?: string
  dataDir?: string
  timeoutMs?: number
}

/** Resolve where to dial: an explicit --peer, else the running node of a data dir. */
export async function resolveTarget (target: NodeTarget): Promise<string> {
  if (target.peer != null) return target.peer
  if (target.dataDir == null) throw new MeshError('USAGE', 'give --data-dir DIR or --peer MULTIADDR')
  const rt = await readRuntimeFile(target.dataDir)
  const addr = pickLocalAddr(rt.addrs)
  if (addr == null) throw new MeshError('NODE_NOT_RUNNING', `the node of ${target.dataDir} (pid ${rt.pid}) advertises no address`)
  return addr
}

/** Ask one node for its status; pass `client` to reuse one host across many calls. */
export async function fetchStatus (target: NodeTarget, client?: Libp2p): Promise<StatusJson> {
  const opts = target.timeoutMs != null ? { ...STATUS_CALL, timeoutMs: target.timeoutMs } : STATUS_CALL
  const res = await call(await resolveTarget(target), { includePeers: true }, opts, client)
  return statusToJson(res)
}
