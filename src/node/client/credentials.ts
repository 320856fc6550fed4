// Who a client is and how it gets in. Every CLI command (and scripts/cluster, the benches)
// resolves a target here into an address to dial plus the credentials to dial it with:
// - `--data-dir DIR` (the default, ~/.meshnode): the node running there, signed in with the
//   operator key that node wrote into DIR (so the CLI on a node's own host may do anything
//   there, by holding the data directory), through the mesh key that node uses;
// - `--peer MULTIADDR`: any node, as the client key in `--key FILE` (MESHNODE_KEY_FILE;
//   `meshnode keygen --client` makes one; an operator grants it with `meshnode operator
//   add`), through the mesh key in `--mesh-key FILE` (MESHNODE_MESH_KEY_FILE). With no
//   client key the client is anonymous: it may read status and nothing else.
import type { PrivateKey } from '@libp2p/interface'
import { access } from 'node:fs/promises'
import { join } from 'node:path'
import { MeshError } from '../errors.js'
import { pickLocalAddr } from '../transport/addrs.js'
import { OPERATOR_KEY_FILE, loadKeyFile } from '../store/identity.js'
import { readRuntimeFile } from '../store/runtime-file.js'
import { loadMeshKeyFile } from '../transport/mesh-key.js'

export interface ClientTarget {
  peer?: string
  dataDir?: string
  /** A client key file (`--key`); overrides the data dir's operator key. */
  keyFile?: string
  /** Mesh key files (`--mesh-key`); the first is used. Overrides the running node's. */
  meshKeyFiles?: string[]
}

export interface Credentials {
  /** The client's identity; a throwaway one (anonymous) when absent. */
  key?: PrivateKey
  /** The mesh key to connect through, when the mesh has one. */
  meshKeys?: Uint8Array[]
}

export interface ResolvedTarget extends Credentials {
  addr: string
}

/** The environment variables a client reads when no flag says otherwise. */
export const CLIENT_ENV = { keyFile: 'MESHNODE_KEY_FILE', meshKeyFile: 'MESHNODE_MESH_KEY_FILE' } as const

export function targetFromEnv (t: ClientTarget, env: NodeJS.ProcessEnv): ClientTarget {
  const keyFile = t.keyFile ?? nonEmpty(env[CLIENT_ENV.keyFile])
  const meshKey = nonEmpty(env[CLIENT_ENV.meshKeyFile])
  return {
    ...t,
    ...(keyFile != null ? { keyFile } : {}),
    ...(t.meshKeyFiles == null && meshKey != null ? { meshKeyFiles: meshKey.split(',') } : {})
  }
}

/** Where to dial and (unless `credentials` is false: the caller has a host) as whom. */
export async function resolveClient (t: ClientTarget, credentials = true): Promise<ResolvedTarget> {
  if (t.peer != null && t.dataDir != null) throw new MeshError('USAGE', 'give either --data-dir or --peer, not both')
  let addr: string
  let keyFile = t.keyFile
  let meshKeyFiles = t.meshKeyFiles
  if (t.peer != null) {
    addr = t.peer
  } else {
    if (t.dataDir == null) throw new MeshError('USAGE', 'give --data-dir DIR or --peer MULTIADDR')
    const rt = await readRuntimeFile(t.dataDir)
    const found = pickLocalAddr(rt.addrs)
    if (found == null) throw new MeshError('NODE_NOT_RUNNING', `the node of ${t.dataDir} (pid ${rt.pid}) advertises no address`)
    addr = found
    if (keyFile == null) {
      const own = join(t.dataDir, OPERATOR_KEY_FILE)
      if (await exists(own)) keyFile = own
    }
    meshKeyFiles ??= rt.meshKeyFiles
  }
  if (!credentials) return { addr }
  return {
    addr,
    ...(keyFile != null ? { key: await loadKeyFile(keyFile) } : {}),
    ...(meshKeyFiles != null && meshKeyFiles.length > 0 ? { meshKeys: await Promise.all(meshKeyFiles.map(async f => (await loadMeshKeyFile(f)).psk)) } : {})
  }
}

export async function exists (file: string): Promise<boolean> {
  try {
    await access(file)
    return true
  } catch {
    return false
  }
}

export function nonEmpty (v: string | undefined): string | undefined {
  return v == null || v === '' ? undefined : v
}

