// Writes a secret (a mesh key, a client identity key) to a file an operator named. The file is
// created with mode 0600 from the first byte, written whole or not at all (temp file, then
// link or rename), and an existing file is kept unless the caller says to replace it: a key
// overwritten by mistake locks its holders out of the mesh.
import { randomBytes } from 'node:crypto'
import { link, open, rename, unlink } from 'node:fs/promises'
import { MeshError, errorMessage } from '../errors.js'

export interface WriteSecretOptions {
  /** Replace an existing file (default false: refuse with KEY_FILE_EXISTS). */
  force?: boolean
  /** What the file holds, for error messages ("mesh key", "client key"). */
  what?: string
}

export async function writeSecretFile (file: string, data: Uint8Array, opts: WriteSecretOptions = {}): Promise<void> {
  const what = opts.what ?? 'key'
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
  try {
    const fh = await open(tmp, 'wx', 0o600)
    try {
      await fh.writeFile(data)
      await fh.sync()
    } finally {
      await fh.close()
    }
  } catch (err) {
    await unlink(tmp).catch(() => {})
    throw new MeshError('KEY_FILE_UNWRITABLE', `cannot write ${what} ${file}: ${errorMessage(err)}`, { cause: err })
  }
  try {
    // link() fails if the name exists, so two writers (or an old key) are never clobbered;
    // rename() replaces atomically when asked to.
    if (opts.force === true) await rename(tmp, file)
    else await link(tmp, file)
  } catch (err: any) {
    if (err?.code === 'EEXIST') {
      throw new MeshError('KEY_FILE_EXISTS', `${file} already exists; refusing to overwrite a ${what}. Choose another file or pass --force to replace it.`)
    }
    throw new MeshError('KEY_FILE_UNWRITABLE', `cannot write ${what} ${file}: ${errorMessage(err)}`, { cause: err })
  } finally {
    await unlink(tmp).catch(() => {})
  }
}
