// node.json in the data dir: written once the node listens, removed on a clean stop. It lets
// `meshnode status --data-dir DIR` find a node without knowing its port, and tells a stale
// file (its pid is gone after a crash) from a live node.
import { readFile, rename, unlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { MeshError, errorMessage } from '../errors.js'

export const RUNTIME_FILE = 'node.json'

export interface RuntimeInfo {
  pid: number
  peerId: string
  addrs: string[]
  startedAt: string
  version: string
  /** The mesh key files the node connects with (paths, never keys), so the local CLI can too. */
  meshKeyFiles?: string[]
  /** Where it serves HTTP (HOST:PORT), when it does: how `meshnode top` and `token` find it. */
  http?: string
}

export async function writeRuntimeFile (dataDir: string, info: RuntimeInfo): Promise<void> {
  const file = join(dataDir, RUNTIME_FILE)
  await writeFile(`${file}.tmp`, JSON.stringify(info, null, 2) + '\n', { mode: 0o600 })
  await rename(`${file}.tmp`, file)
}

export async function removeRuntimeFile (dataDir: string): Promise<void> {
  await unlink(join(dataDir, RUNTIME_FILE)).catch(() => {})
}

export async function readRuntimeFile (dataDir: string): Promise<RuntimeInfo> {
  const file = join(dataDir, RUNTIME_FILE)
  let info: RuntimeInfo
  try {
    info = JSON.parse(await readFile(file, 'utf8'))
  } catch (err: any) {
    if (err?.code === 'ENOENT') {
      throw new MeshError('NODE_NOT_RUNNING', `no meshnode is running with data dir ${dataDir} (no ${RUNTIME_FILE}); start one with: meshnode start --data-dir ${dataDir}`)
    }
    throw new MeshError('NODE_NOT_RUNNING', `cannot read ${file}: ${errorMessage(err)}`)
  }
  if (!isAlive(info.pid)) {
    throw new MeshError('NODE_NOT_RUNNING', `the meshnode of ${dataDir} is not running (pid ${info.pid} is gone; it did not stop cleanly)`)
  }
  return info
}

function isAlive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err: any) {
    return err?.code === 'EPERM'
  }
}
