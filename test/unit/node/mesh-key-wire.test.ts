// The mesh key protector's wire format, as documented at the top of mesh-key-protector.ts,
// checked on an in-memory connection pair whose bytes the test can see.
import type { MultiaddrConnection } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { createCipheriv, hkdfSync, randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { isMeshError } from '../../../src/node/errors.js'
import { generateMeshKey, meshKeyProtector, parseMeshKey, type MeshKeyMismatch } from '../../../src/node/transport/mesh-key.js'

const HELLO_BYTES = 24 + 4 * 16
const TOKEN = Buffer.from('meshnode/psk/v1\n')
const newKey = (): Uint8Array => parseMeshKey(generateMeshKey(), 'test')

/** One direction of an in-memory connection. */
class Pipe {
  private readonly chunks: Uint8Array[] = []
  private ended = false
  private wake?: () => void

  push (chunk: Uint8Array): void { this.chunks.push(chunk); this.wake?.() }
  end (): void { this.ended = true; this.wake?.() }

  async * read (): AsyncGenerator<Uint8Array> {
    for (;;) {
      const next = this.chunks.shift()
      if (next != null) { yield next; continue }
      if (this.ended) return
      await new Promise<void>(resolve => { this.wake = resolve })
    }
  }
}

interface FakeConn extends MultiaddrConnection {
  /** Every byte this end put on the wire. */
  wire: () => Buffer
  aborted?: Error
}

function fakeConn (incoming: Pipe, outgoing: Pipe, remote: string): FakeConn {
  const sent: Uint8Array[] = []
  const log: any = Object.assign(() => {}, { error: () => {}, trace: () => {}, enabled: false, newScope: () => log })
  const conn: FakeConn = {
    source: incoming.read(),
    sink: async source => {
      for await (const chunk of source) {
        const bytes = chunk.subarray()
        sent.push(bytes)
        outgoing.push(bytes)
      }
      outgoing.end()
    },
    remoteAddr: multiaddr(remote),
    timeline: { open: Date.now() },
    log,
    close: async () => { outgoing.end() },
    abort: err => { conn.aborted = err; outgoing.end(); incoming.end() },
    wire: () => Buffer.concat(sent)
  }
  return conn
}

function pair (): [FakeConn, FakeConn] {
  const ab = new Pipe()
  const ba = new Pipe()
  return [fakeConn(ba, ab, '/ip4/10.0.0.2/tcp/7420'), fakeConn(ab, ba, '/ip4/10.0.0.1/tcp/50000')]
}

/** Protect both ends at once, a as the dialer. */
async function handshake (aKeys: Uint8Array[], bKeys: Uint8Array[]): Promise<{ a: MultiaddrConnection, b: MultiaddrConnection, rawA: FakeConn, rawB: FakeConn }> {
  const [rawA, rawB] = pair()
  const [a, b] = await Promise.all([
    meshKeyProtector({ keys: aKeys })().protect(rawA, { upgrader: {} } as any),
    meshKeyProtector({ keys: bKeys })().protect(rawB, {})
  ])
  return { a, b, rawA, rawB }
}

async function send (conn: MultiaddrConnection, text: string): Promise<void> {
  void conn.sink((async function * () { yield Buffer.from(text) })())
}

async function receive (conn: MultiaddrConnection, length: number): Promise<string> {
  const chunks: Buffer[] = []
  let n = 0
  for await (const chunk of conn.source) {
    chunks.push(Buffer.from(chunk.subarray()))
    n += chunk.subarray().length
    if (n >= length) break
  }
  return Buffer.concat(chunks).toString()
}

/** Decrypt what one end sent after its hello, by the documented construction. */
function decryptData (wire: Buffer, psk: Uint8Array): string {
  const nonce = wire.subarray(0, 24)
  const cipher = createCipheriv('chacha20', Buffer.from(hkdfSync('sha256', psk, nonce, 'meshnode/psk/v1', 32)), Buffer.alloc(16))
  cipher.update(Buffer.alloc(16))
  return cipher.update(wire.subarray(HELLO_BYTES)).toString()
}

/** Whether a hello slot is the check token under psk. */
function slotOpens (wire: Buffer, slot: number, psk: Uint8Array): boolean {
  const nonce = wire.subarray(0, 24)
  const cipher = createCipheriv('chacha20', Buffer.from(hkdfSync('sha256', psk, nonce, 'meshnode/psk/v1', 32)), Buffer.alloc(16))
  return cipher.update(wire.subarray(24 + slot * 16, 40 + slot * 16)).equals(TOKEN)
}

describe('mesh key wire', () => {
  it('sends a hello of nonce and four slots, the i-th slot opening under the i-th key', async () => {
    const [k1, k2] = [newKey(), newKey()]
    const { rawA } = await handshake([k1, k2], [k1])
    const hello = rawA.wire().subarray(0, HELLO_BYTES)
    expect(rawA.wire().length).toBe(HELLO_BYTES)
    expect(slotOpens(hello, 0, k1)).toBe(true)
    expect(slotOpens(hello, 1, k2)).toBe(true)
    expect(slotOpens(hello, 2, k1) || slotOpens(hello, 2, k2) || slotOpens(hello, 3, k1) || slotOpens(hello, 3, k2)).toBe(false)
  })

  it('carries data encrypted under the primary key when the peer holds it', async () => {
    const [neu, old] = [newKey(), newKey()]
    const { a, b, rawA, rawB } = await handshake([neu, old], [old, neu])
    await send(a, 'from a to b')
    await send(b, 'from b to a')
    expect(await receive(b, 11)).toBe('from a to b')
    expect(await receive(a, 11)).toBe('from b to a')
    // Each end uses its own primary: a's is new, b's is old, and each holds both.
    expect(decryptData(rawA.wire(), neu)).toBe('from a to b')
    expect(decryptData(rawB.wire(), old)).toBe('from b to a')
  })

  it('falls back to an older key for a peer that lacks the primary', async () => {
    const [neu, old] = [newKey(), newKey()]
    const { a, b, rawA } = await handshake([neu, old], [old])
    await send(a, 'rolling over')
    expect(await receive(b, 12)).toBe('rolling over')
    expect(decryptData(rawA.wire(), old)).toBe('rolling over')
  })

  it('puts no byte of data on the wire in clear', async () => {
    const k = newKey()
    const { a, b, rawA } = await handshake([k], [k])
    const text = 'meshnode/psk/v1\n' + 'plain text '.repeat(100)
    await send(a, text)
    expect(await receive(b, text.length)).toBe(text)
    expect(rawA.wire().includes(Buffer.from('plain text'))).toBe(false)
    expect(rawA.wire().includes(TOKEN)).toBe(false)
  })

  it('refuses on both ends and closes both connections when no key is shared', async () => {
    const [rawA, rawB] = pair()
    const seen: MeshKeyMismatch[] = []
    const [ra, rb] = await Promise.allSettled([
      meshKeyProtector({ keys: [newKey()], onMismatch: i => { seen.push(i) } })().protect(rawA, { upgrader: {} } as any),
      meshKeyProtector({ keys: [newKey(), newKey()], onMismatch: i => { seen.push(i) } })().protect(rawB, {})
    ])
    expect(ra.status === 'rejected' && isMeshError(ra.reason, 'MESH_KEY_MISMATCH')).toBe(true)
    expect(rb.status === 'rejected' && isMeshError(rb.reason, 'MESH_KEY_MISMATCH')).toBe(true)
    expect(seen.map(s => s.direction).sort()).toEqual(['inbound', 'outbound'])
    expect(seen[0]!.message).toContain('uses a different mesh key')
    expect(rawA.aborted).toBeDefined()
    expect(rawB.aborted).toBeDefined()
    // Each end's hello still left, so the other could tell why.
    expect(rawA.wire().length).toBe(HELLO_BYTES)
    expect(rawB.wire().length).toBe(HELLO_BYTES)
  })

  it('drops a silent peer after the handshake timeout', async () => {
    const [rawA] = pair()
    const err = await meshKeyProtector({ keys: [newKey()], handshakeTimeoutMs: 200 })().protect(rawA, {}).catch(e => e)
    expect(isMeshError(err, 'UNREACHABLE')).toBe(true)
    expect(err.message).toContain('the peer at /ip4/10.0.0.2/tcp/7420 did not complete the mesh key handshake within 200 ms')
    expect(rawA.aborted).toBe(err)
  })

  it('refuses a peer that speaks libp2p without a key at its first bytes', async () => {
    const [rawA, rawB] = pair()
    const seen: MeshKeyMismatch[] = []
    const protecting = meshKeyProtector({ keys: [newKey()], onMismatch: i => { seen.push(i) } })().protect(rawA, {})
    void rawB.sink((async function * () { yield Buffer.from('\x13/multistream/1.0.0\n') })())
    const err = await protecting.catch(e => e)
    expect(isMeshError(err, 'MESH_KEY_MISMATCH')).toBe(true)
    expect(err.message).toContain('the peer has no mesh key')
    expect(seen).toMatchObject([{ reason: 'no-key', direction: 'inbound' }])
  })

  it('refuses its own hello echoed back', async () => {
    const pipe = new Pipe()
    const conn = fakeConn(pipe, pipe, '/ip4/10.0.0.9/tcp/1')
    const err = await meshKeyProtector({ keys: [newKey()] })().protect(conn, {}).catch(e => e)
    expect(isMeshError(err, 'MESH_KEY_MISMATCH')).toBe(true)
    expect(err.message).toContain('echoed our mesh key handshake back')
  })

  it('reads a hello built by the documented construction, and data that comes in the same chunk', async () => {
    const k = newKey()
    const [rawA, rawB] = pair()
    const protecting = meshKeyProtector({ keys: [k] })().protect(rawA, {})
    const nonce = randomBytes(24)
    const cipher = createCipheriv('chacha20', Buffer.from(hkdfSync('sha256', k, nonce, 'meshnode/psk/v1', 32)), Buffer.alloc(16))
    // One chunk, as TCP may deliver a hello and what follows it together.
    void rawB.sink((async function * () {
      yield Buffer.concat([nonce, cipher.update(TOKEN), randomBytes(48), cipher.update(Buffer.from('together'))])
    })())
    const a = await protecting
    expect(await receive(a, 8)).toBe('together')
  })
})
