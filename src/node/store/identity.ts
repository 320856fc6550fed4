// The node's long-lived ed25519 identity. Created once, on first start, in the data directory
// with mode 0600; loaded on every later start so the PeerId is stable across restarts. A key
// file that exists but cannot be read or decoded is an error: silently minting a new identity
// would make the mesh see a stranger where a known member should be.
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { open, readFile, rename, stat, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { MeshError, errorMessage } from '../errors.js'

export const IDENTITY_FILE = 'identity.key'

export async function loadOrCreateIdentity (dataDir: string): Promise<{ key: PrivateKey, created: boolean }> {
  const file = join(dataDir, IDENTITY_FILE)
  let bytes: Uint8Array | undefined
  try {
    bytes = await readFile(file)
  } catch (err: any) {
    if (err?.code !== 'ENOENT') {
      throw new MeshError('IDENTITY_CORRUPT', `cannot read identity key ${file}: ${errorMessage(err)}. Fix its permissions or restore it from a backup.`, { cause: err })
    }
  }
  if (bytes != null) return { key: decodeIdentity(bytes, file), created: false }

  const key = await generateKeyPair('Ed25519')
  await writePrivateFile(file, privateKeyToProtobuf(key))
  return { key, created: true }
}

export function decodeIdentity (bytes: Uint8Array, file: string): PrivateKey {
  let key: PrivateKey
  try {
    key = privateKeyFromProtobuf(bytes)
  } catch (err) {
    throw new MeshError('IDENTITY_CORRUPT', `identity key ${file} is corrupt (${errorMessage(err)}). Restore it from a backup, or delete it to start this node as a new member.`, { cause: err })
  }
  if (key.type !== 'Ed25519') {
    throw new MeshError('IDENTITY_CORRUPT', `identity key ${file} is a ${key.type} key; meshnode needs Ed25519. Restore the right file or delete it to start as a new member.`)
  }
  return key
}

/** Write atomically (temp file + rename) with mode 0600, so a crash never leaves half a key. */
async function writePrivateFile (file: string, data: Uint8Array): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`
  const fh = await open(tmp, 'wx', 0o600)
  try {
    await fh.writeFile(data)
    await fh.sync()
  } finally {
    await fh.close()
  }
  try {
    // Refuse to clobber a key another process created meanwhile.
    await stat(file)
    await unlink(tmp)
    throw new MeshError('IDENTITY_CORRUPT', `identity key ${file} appeared while creating it; is another meshnode starting with this data dir?`)
  } catch (err: any) {
    if (err?.code !== 'ENOENT') throw err
  }
  await rename(tmp, file)
}
