// The private mesh key: a 32-byte pre-shared key that every node of a mesh holds, without
// which no connection gets past its first bytes (the protector in mesh-key-protector.ts).
// This file is the key file: libp2p pnet's format, so keys are interchangeable with other
// libp2p tooling, parsed strictly so that a wrong file is named and explained at start
// rather than surfacing later as refused connections.
//
//   /key/swarm/psk/1.0.0/
//   /base16/
//   <64 hex digits>
import { randomBytes } from 'node:crypto'
import { open } from 'node:fs/promises'
import { MeshError, errorMessage } from '../errors.js'
import { writeSecretFile } from '../store/secret-file.js'

export { meshKeyProtector, mismatchLogger, isMeshKeyMismatch, meshKeyMismatchIn, MAX_MESH_KEYS } from './mesh-key-protector.js'
export type { MeshKeyProtectorInit, MeshKeyMismatch, MismatchLoggerOptions } from './mesh-key-protector.js'

export const MESH_KEY_LENGTH = 32
const HEADER = '/key/swarm/psk/1.0.0/'
const CODEC = '/base16/'
/** A key file is about 100 bytes; anything much larger is the wrong file, not a key. */
const MAX_FILE_BYTES = 4096

/** A new key file's bytes (with a trailing newline, which pnet's own parser also accepts). */
export function generateMeshKey (): Uint8Array {
  return new TextEncoder().encode(`${HEADER}\n${CODEC}\n${randomBytes(MESH_KEY_LENGTH).toString('hex')}\n`)
}

/**
 * The 32-byte key in a key file's bytes. `file` names the file in errors. The messages never
 * echo the file's content: it may be a key in the wrong format, and errors reach logs.
 */
export function parseMeshKey (bytes: Uint8Array, file: string): Uint8Array {
  const bad = (what: string): MeshError =>
    new MeshError('BAD_MESH_KEY', `mesh key ${file} ${what}. A mesh key file has three lines: ${HEADER}, ${CODEC} and 64 hex digits; create one with meshnode keygen --out FILE.`)
  const text = new TextDecoder().decode(bytes)
  if (text.trim() === '') throw bad('is empty')
  const lines = text.split(/\r?\n/).map(l => l.trimEnd())
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop()
  const [header, codec, hex, ...extra] = lines
  if (header !== HEADER) {
    // The commonest mistake: only the hex line, as some tools print it.
    if (/^[0-9a-fA-F]{64}$/.test(header?.trim() ?? '')) throw bad(`is a bare hex key without the ${HEADER} and ${CODEC} header lines`)
    throw bad(`does not start with the header line ${HEADER}`)
  }
  if (codec !== CODEC) throw bad(`has no ${CODEC} second line (only base16 keys are supported)`)
  if (hex == null || hex.trim() === '') throw bad('has no key on its third line')
  const digits = hex.trim()
  if (!/^[0-9a-fA-F]*$/.test(digits)) throw bad('has a third line that is not hex digits')
  if (digits.length !== 2 * MESH_KEY_LENGTH) throw bad(`has a key of ${digits.length} hex digits, not ${2 * MESH_KEY_LENGTH} (${MESH_KEY_LENGTH} bytes)`)
  if (extra.length > 0) throw bad('has more than three lines')
  return Uint8Array.from(Buffer.from(digits, 'hex'))
}

export interface LoadedMeshKey {
  /** The 32-byte pre-shared key. */
  psk: Uint8Array
  file: string
  /** The file's permission bits allow group or other users to read it. */
  readableByOthers: boolean
  /** A line for the log when readableByOthers, else undefined. */
  warning?: string
}

/** Read and parse a key file; an unreadable or malformed file is a BAD_MESH_KEY naming it. */
export async function loadMeshKeyFile (file: string): Promise<LoadedMeshKey> {
  let bytes: Uint8Array
  let mode: number
  try {
    const fh = await open(file, 'r')
    try {
      const st = await fh.stat()
      if (!st.isFile()) throw new Error('not a regular file')
      if (st.size > MAX_FILE_BYTES) throw new Error(`${st.size} bytes is too large for a mesh key file`)
      mode = st.mode & 0o777
      bytes = await fh.readFile()
    } finally {
      await fh.close()
    }
  } catch (err) {
    throw new MeshError('BAD_MESH_KEY', `cannot read mesh key ${file}: ${errorMessage(err)}. Check the path and its permissions, or create a key with meshnode keygen --out FILE.`, { cause: err })
  }
  const psk = parseMeshKey(bytes, file)
  const readableByOthers = (mode & 0o077) !== 0
  return {
    psk,
    file,
    readableByOthers,
    ...(readableByOthers ? { warning: `mesh key ${file} is readable by other users (mode ${mode.toString(8).padStart(4, '0')}); anyone who reads it can join the mesh. Run chmod 600 ${file}.` } : {})
  }
}

/** Write key file bytes with mode 0600; an existing file is kept unless `force`. */
export async function writeMeshKeyFile (file: string, bytes: Uint8Array, opts: { force?: boolean } = {}): Promise<void> {
  await writeSecretFile(file, bytes, { force: opts.force, what: 'mesh key' })
}
