// The client side of /meshnode/status/1.0.0, used by `meshnode status` and by scripts/cluster.
// It finds the node (a --peer multiaddr, or the runtime file a running node writes into its
// data dir), dials it from a throwaway identity, and returns the stable JSON view.
import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import { pbStream } from 'it-protobuf-stream'
import { MAX_STATUS_FRAME_BYTES, STATUS_PROTOCOL, STATUS_TIMEOUT_MS } from '../wire/constants.js'
import { StatusRequest, StatusResponse } from '../wire/proto/status.js'
import { pickLocalAddr } from './addrs.js'
import { MeshError, errorMessage } from './errors.js'
import { createClientHost } from './host.js'
import { readRuntimeFile } from './runtime-file.js'
import { statusToJson, type StatusJson } from './status-json.js'

export interface StatusTarget {
  peer?: string
  dataDir?: string
  timeoutMs?: number
}

/** Resolve where to dial: an explicit --peer, else the running node of a data dir. */
export async function resolveTarget (target: StatusTarget): Promise<string> {
  if (target.peer != null) return target.peer
  if (target.dataDir == null) throw new MeshError('USAGE', 'give --data-dir DIR or --peer MULTIADDR')
  const rt = await readRuntimeFile(target.dataDir)
  const addr = pickLocalAddr(rt.addrs)
  if (addr == null) throw new MeshError('NODE_NOT_RUNNING', `the node of ${target.dataDir} (pid ${rt.pid}) advertises no address`)
  return addr
}

export async function fetchStatus (target: StatusTarget): Promise<StatusJson> {
  const addr = await resolveTarget(target)
  let ma
  try {
    ma = multiaddr(addr)
  } catch (err) {
    throw new MeshError('USAGE', `--peer ${addr} is not a multiaddr (${errorMessage(err)})`)
  }
  const client = await createClientHost(await generateKeyPair('Ed25519'))
  const signal = AbortSignal.timeout(target.timeoutMs ?? STATUS_TIMEOUT_MS)
  try {
    let stream
    try {
      stream = await client.dialProtocol(ma, STATUS_PROTOCOL, { signal })
    } catch (err) {
      throw new MeshError('UNREACHABLE', `cannot reach meshnode at ${addr}: ${errorMessage(err)}. Is it running?`, { cause: err })
    }
    const pb = pbStream(stream, { maxDataLength: MAX_STATUS_FRAME_BYTES })
    try {
      await pb.write({ includePeers: true }, StatusRequest, { signal })
      const res = await pb.read(StatusResponse, { signal })
      await stream.close({ signal }).catch(() => {})
      return statusToJson(res)
    } catch (err) {
      stream.abort(err instanceof Error ? err : new Error(String(err)))
      throw new MeshError('BAD_RESPONSE', `meshnode at ${addr} sent no valid status: ${errorMessage(err)}`, { cause: err })
    }
  } finally {
    await client.stop()
  }
}
