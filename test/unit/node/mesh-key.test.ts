// The mesh key file (libp2p pnet format) and `meshnode keygen`.
import { privateKeyFromProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { main } from '../../../src/node/cli/main.js'
import { captureIO as io } from './cli-fixture.js'
import { isMeshError } from '../../../src/node/errors.js'
import { generateMeshKey, loadMeshKeyFile, parseMeshKey, writeMeshKeyFile } from '../../../src/node/transport/mesh-key.js'

const HEX = '0123456789abcdef'.repeat(4)
const enc = (s: string): Uint8Array => new TextEncoder().encode(s)

let dir: string
beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'meshnode-key-')) })
afterEach(async () => { await rm(dir, { recursive: true, force: true }) })

function parseError (text: string | Uint8Array): Error {
  try {
    parseMeshKey(typeof text === 'string' ? enc(text) : text, '/etc/mesh.key')
  } catch (err) {
    expect(isMeshError(err, 'BAD_MESH_KEY')).toBe(true)
    expect((err as Error).message).toContain('mesh key /etc/mesh.key')
    return err as Error
  }
  throw new Error('parsed')
}

describe('parseMeshKey', () => {
  it('reads the 32-byte key of a pnet key file', () => {
    const psk = parseMeshKey(enc(`/key/swarm/psk/1.0.0/\n/base16/\n${HEX}\n`), 'k')
    expect(Buffer.from(psk).toString('hex')).toBe(HEX)
  })

  it('accepts no trailing newline (as pnet generateKey writes), CRLF and upper-case hex', () => {
    expect(Buffer.from(parseMeshKey(enc(`/key/swarm/psk/1.0.0/\n/base16/\n${HEX}`), 'k')).toString('hex')).toBe(HEX)
    expect(Buffer.from(parseMeshKey(enc(`/key/swarm/psk/1.0.0/\r\n/base16/\r\n${HEX.toUpperCase()}\r\n`), 'k')).toString('hex')).toBe(HEX)
  })

  it('refuses an empty file', () => {
    expect(parseError('').message).toContain('is empty')
    expect(parseError('\n \n').message).toContain('is empty')
  })

  it('refuses a wrong header', () => {
    expect(parseError(`/key/swarm/psk/2.0.0/\n/base16/\n${HEX}\n`).message).toContain('does not start with the header line /key/swarm/psk/1.0.0/')
    expect(parseError(new Uint8Array([0xff, 0x00, 0x13, 0x37])).message).toContain('does not start with the header line')
  })

  it('recognises a bare hex key and says what is missing', () => {
    expect(parseError(`${HEX}\n`).message).toContain('is a bare hex key without the /key/swarm/psk/1.0.0/ and /base16/ header lines')
  })

  it('refuses an encoding other than base16', () => {
    expect(parseError(`/key/swarm/psk/1.0.0/\n/base64/\n${HEX}\n`).message).toContain('has no /base16/ second line')
  })

  it('refuses a missing key line', () => {
    expect(parseError('/key/swarm/psk/1.0.0/\n/base16/\n').message).toContain('has no key on its third line')
  })

  it('refuses a key that is not hex', () => {
    expect(parseError(`/key/swarm/psk/1.0.0/\n/base16/\n${'zz' + HEX.slice(2)}\n`).message).toContain('not hex digits')
  })

  it('refuses a key of the wrong length', () => {
    expect(parseError(`/key/swarm/psk/1.0.0/\n/base16/\n${HEX.slice(2)}\n`).message).toContain('has a key of 62 hex digits, not 64 (32 bytes)')
    expect(parseError(`/key/swarm/psk/1.0.0/\n/base16/\n${HEX}00\n`).message).toContain('66 hex digits')
  })

  it('refuses content after the key', () => {
    expect(parseError(`/key/swarm/psk/1.0.0/\n/base16/\n${HEX}\nmore\n`).message).toContain('more than three lines')
  })

  it('never echoes the file content in its errors', () => {
    expect(parseError(`${HEX}\n`).message).not.toContain(HEX)
    expect(parseError(`/key/swarm/psk/1.0.0/\n/base16/\n${HEX.slice(2)}\n`).message).not.toContain(HEX.slice(2))
  })

  it('says how to make a good file', () => {
    expect(parseError('nonsense').message).toContain('meshnode keygen --out FILE')
  })
})

describe('generateMeshKey', () => {
  it('writes the pnet format, which parses back to a 32-byte key', () => {
    const bytes = generateMeshKey()
    expect(new TextDecoder().decode(bytes)).toMatch(/^\/key\/swarm\/psk\/1\.0\.0\/\n\/base16\/\n[0-9a-f]{64}\n$/)
    expect(parseMeshKey(bytes, 'k')).toHaveLength(32)
  })

  it('makes a different key each time', () => {
    expect(Buffer.from(generateMeshKey()).equals(Buffer.from(generateMeshKey()))).toBe(false)
  })
})

describe('mesh key files', () => {
  it('are written with mode 0600 and read back', async () => {
    const file = join(dir, 'mesh.key')
    const bytes = generateMeshKey()
    await writeMeshKeyFile(file, bytes)
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    const loaded = await loadMeshKeyFile(file)
    expect(loaded.psk).toEqual(parseMeshKey(bytes, file))
    expect(loaded.readableByOthers).toBe(false)
    expect(loaded.warning).toBeUndefined()
  })

  it('are not overwritten unless forced', async () => {
    const file = join(dir, 'mesh.key')
    const first = generateMeshKey()
    await writeMeshKeyFile(file, first)
    const err = await writeMeshKeyFile(file, generateMeshKey()).catch(e => e)
    expect(isMeshError(err, 'KEY_FILE_EXISTS')).toBe(true)
    expect(err.message).toContain(`${file} already exists`)
    expect(new Uint8Array(await readFile(file))).toEqual(first)

    const second = generateMeshKey()
    await writeMeshKeyFile(file, second, { force: true })
    expect(new Uint8Array(await readFile(file))).toEqual(second)
    expect((await stat(file)).mode & 0o777).toBe(0o600)
  })

  it('leave no temporary file behind', async () => {
    const file = join(dir, 'mesh.key')
    await writeMeshKeyFile(file, generateMeshKey())
    await writeMeshKeyFile(file, generateMeshKey()).catch(() => {})
    const { readdir } = await import('node:fs/promises')
    expect(await readdir(dir)).toEqual(['mesh.key'])
  })

  it('that others can read load with a warning naming the file', async () => {
    const file = join(dir, 'mesh.key')
    await writeMeshKeyFile(file, generateMeshKey())
    await chmod(file, 0o644)
    const loaded = await loadMeshKeyFile(file)
    expect(loaded.readableByOthers).toBe(true)
    expect(loaded.warning).toBe(`mesh key ${file} is readable by other users (mode 0644); anyone who reads it can join the mesh. Run chmod 600 ${file}.`)
  })

  it('that are missing fail with an error naming the file', async () => {
    const file = join(dir, 'nope.key')
    const err = await loadMeshKeyFile(file).catch(e => e)
    expect(isMeshError(err, 'BAD_MESH_KEY')).toBe(true)
    expect(err.message).toMatch(new RegExp(`^cannot read mesh key ${file}: .*ENOENT`))
  })

  it('that are a directory or far too large fail with an error naming the file', async () => {
    expect((await loadMeshKeyFile(dir).catch(e => e)).message).toContain(`cannot read mesh key ${dir}: not a regular file`)
    const big = join(dir, 'big.key')
    await writeFile(big, Buffer.alloc(10_000))
    expect((await loadMeshKeyFile(big).catch(e => e)).message).toContain('too large for a mesh key file')
  })

  it('that are malformed fail with BAD_MESH_KEY naming the file', async () => {
    const file = join(dir, 'bad.key')
    await writeFile(file, 'hello\n', { mode: 0o600 })
    const err = await loadMeshKeyFile(file).catch(e => e)
    expect(isMeshError(err, 'BAD_MESH_KEY')).toBe(true)
    expect(err.message).toContain(`mesh key ${file} does not start with the header line`)
  })
})

describe('meshnode keygen', () => {
  it('prints a new mesh key to stdout without --out', async () => {
    const o = io()
    expect(await main(['keygen'], o)).toBe(0)
    expect(parseMeshKey(enc(o.stdout), 'stdout')).toHaveLength(32)
    expect(o.stderr).toBe('')
  })

  it('writes a mesh key file with mode 0600 with --out, and says so on stderr only', async () => {
    const o = io()
    const file = join(dir, 'mesh.key')
    expect(await main(['keygen', '--out', file], o)).toBe(0)
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    expect((await loadMeshKeyFile(file)).psk).toHaveLength(32)
    expect(o.stdout).toBe('')
    expect(o.stderr).toContain(`wrote a new mesh key to ${file} (mode 0600)`)
  })

  it('refuses to overwrite a file without --force, and replaces it with', async () => {
    const file = join(dir, 'mesh.key')
    await main(['keygen', '--out', file], io())
    const before = await readFile(file)
    const o = io()
    expect(await main(['keygen', '--out', file], o)).toBe(1)
    expect(o.stderr).toContain(`meshnode: error: ${file} already exists; refusing to overwrite a mesh key. Choose another file or pass --force to replace it.`)
    expect(await readFile(file)).toEqual(before)
    expect(await main(['keygen', '--out', file, '--force'], io())).toBe(0)
    expect(await readFile(file)).not.toEqual(before)
  })

  it('exits 2 on --force without --out', async () => {
    const o = io()
    expect(await main(['keygen', '--force'], o)).toBe(2)
    expect(o.stderr).toContain('--force only applies with --out FILE')
  })

  it('fails with a message naming the file when it cannot write it', async () => {
    const o = io()
    expect(await main(['keygen', '--out', join(dir, 'no/such/dir/mesh.key')], o)).toBe(1)
    expect(o.stderr).toContain(`cannot write mesh key ${join(dir, 'no/such/dir/mesh.key')}`)
  })

  it('writes a client identity key with --client and prints its peer id', async () => {
    const o = io()
    const file = join(dir, 'client.key')
    expect(await main(['keygen', '--client', '--out', file], o)).toBe(0)
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    const key = privateKeyFromProtobuf(await readFile(file))
    expect(key.type).toBe('Ed25519')
    expect(o.stdout).toBe(`${peerIdFromPrivateKey(key).toString()}\n`)
  })

  it('refuses --client without --out rather than print a private key', async () => {
    const o = io()
    expect(await main(['keygen', '--client'], o)).toBe(2)
    expect(o.stdout).toBe('')
    expect(o.stderr).toContain('keygen --client needs --out FILE')
  })

  it('is listed in the help', async () => {
    const o = io()
    expect(await main(['--help'], o)).toBe(0)
    expect(o.stdout).toContain('keygen')
  })
})
