// The node's long-lived ed25519 identity. Created once, on first start, in the data directory
// with mode 0600; loaded on every later start so the PeerId is stable across restarts. A key
// file that exists but cannot be read or decoded is an error: silently minting a new identity
// would make the mesh see a stranger where a known member should be.
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { MeshError, errorMessage } from '../errors.js'
import { writeSecretFile } from './secret-file.js'

export const IDENTITY_FILE = 'identity.key'
/**
 * The local operator key: the CLI on this host signs in with it (see src/node/access). A
 * separate key from the identity, because a client cannot dial a node with the node's own id.
 */
export const OPERATOR_KEY_FILE = 'operator.key'

export async function loadOrCreateIdentity (dataDir: string): Promise<{ key: PrivateKey, created: boolean }> {
  return await loadOrCreateKey(join(dataDir, IDENTITY_FILE))
}

export async function loadOrCreateOperatorKey (dataDir: string): Promise<{ key: PrivateKey, created: boolean }> {
  return await loadOrCreateKey(join(dataDir, OPERATOR_KEY_FILE))
}

/** Load an ed25519 key file, creating it (mode 0600) if it does not exist. */
async function loadOrCreateKey (file: string): Promise<{ key: PrivateKey, created: boolean }> {
  const bytes = await readKeyFile(file, true)
  if (bytes != null) return { key: decodeIdentity(bytes, file), created: false }
  const key = await generateKeyPair('Ed25519')
  // Never clobbers: a key another process created meanwhile is an error, not replaced.
  await writeSecretFile(file, privateKeyToProtobuf(key), { what: keyName(file) })
  return { key, created: true }
}

/** Load an ed25519 key file that must exist (a client key, `meshnode keygen --client`). */
export async function loadKeyFile (file: string): Promise<PrivateKey> {
  const bytes = await readKeyFile(file, false)
  return decodeIdentity(bytes!, file)
}

async function readKeyFile (file: string, mayBeMissing: boolean): Promise<Uint8Array | undefined> {
  try {
    return await readFile(file)
  } catch (err: any) {
    if (err?.code === 'ENOENT' && mayBeMissing) return undefined
    throw new MeshError('IDENTITY_CORRUPT', `cannot read key ${file}: ${errorMessage(err)}. Fix its path or permissions, or restore it from a backup.`, { cause: err })
  }
}

export function decodeIdentity (bytes: Uint8Array, file: string): PrivateKey {
  let key: PrivateKey
  try {
    key = privateKeyFromProtobuf(bytes)
  } catch (err) {
    throw new MeshError('IDENTITY_CORRUPT', `${keyName(file)} ${file} is corrupt (${errorMessage(err)}). ${repair(file)}`, { cause: err })
  }
  if (key.type !== 'Ed25519') {
    throw new MeshError('IDENTITY_CORRUPT', `${keyName(file)} ${file} is a ${key.type} key; meshnode needs Ed25519. ${repair(file)}`)
  }
  return key
}

function keyName (file: string): string {
  return file.endsWith(IDENTITY_FILE) ? 'identity key' : file.endsWith(OPERATOR_KEY_FILE) ? 'operator key' : 'key'
}

function repair (file: string): string {
  if (file.endsWith(IDENTITY_FILE)) return 'Restore it from a backup, or delete it to start this node as a new member.'
  if (file.endsWith(OPERATOR_KEY_FILE)) return 'Delete it: the node writes a new one at start (grants made to the old one stop working).'
  return 'Restore it, or create a new one with: meshnode keygen --client --out FILE'
}
