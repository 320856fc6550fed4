// The mesh key connection protector: every TCP connection starts with a short handshake that
// proves both ends hold a common mesh key, then runs encrypted under it, below Noise, so a
// host without the key never reaches multistream-select, Noise or any meshnode protocol.
// Like libp2p pnet (a stream cipher keyed by the pre-shared key, a random nonce per
// direction) but not wire-compatible with it: it accepts several keys so keys can rotate,
// and it says "wrong key" at once instead of failing later inside Noise.
//
// Wire, per direction, both ends sending at once (HELLO_BYTES = 24 + 4 × 16 = 88 bytes):
//
//   nonce      24 random bytes, the only cleartext
//   slot × 4   16 bytes each: slot i = TOKEN xor S(k_i, nonce)[0..16) for the sender's i-th
//              key (primary first); slots beyond the sender's key count are random bytes
//   data       everything after: plaintext xor S(k_out, nonce)[16..)
//
// S(k, nonce) is the ChaCha20 keystream under HKDF-SHA256(ikm = k, salt = nonce,
// info = "meshnode/psk/v1") with a zero counter and IV: a fresh key per direction and
// connection, so no keystream is ever reused (libp2p pnet gets the same from XSalsa20's
// 24-byte nonce; ChaCha20 is native in Node, XSalsa20 would be a JavaScript dependency).
//
// The receiver checks every slot against each of its own keys. Slot i matching its key j
// proves the sender holds k_j. Holding a common key is symmetric, so both ends reach the same
// verdict from the same two hellos: either both refuse (MESH_KEY_MISMATCH, onMismatch on each
// side) or both agree on the keys of the data phase. The sender encrypts data with the first
// of its own keys (in its order) that the receiver proved it holds; the receiver decrypts with
// the key of the first sender slot it can open, which is the same key. A node's primary key
// is therefore used towards every peer that holds it, and an older key only towards peers
// that do not have the primary yet: that is what lets a rotation roll through a live mesh.
//
// No integrity here (as in pnet): Noise above authenticates every byte; this layer only keeps
// strangers out and identifies the wrong-key case before anything else runs.
import type { AbortOptions, ConnectionProtector, MultiaddrConnection } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { createCipheriv, hkdfSync, randomBytes, timingSafeEqual, type Cipheriv } from 'node:crypto'
import { MeshError } from '../errors.js'

const NONCE_BYTES = 24
/** 16 bytes; a receiver that decrypts it to exactly this holds the sender's key. */
const TOKEN = Buffer.from('meshnode/psk/v1\n')
const ZERO_TOKEN = Buffer.alloc(TOKEN.length)
const HKDF_INFO = 'meshnode/psk/v1'
const ZERO_IV = Buffer.alloc(16)
/** A rotation needs two keys (new and old); four leaves room for an overlapping rollover. */
export const MAX_MESH_KEYS = 4
const HELLO_BYTES = NONCE_BYTES + MAX_MESH_KEYS * TOKEN.length
/** Long enough for a loaded host across a WAN, short enough that a silent peer is not kept. */
const HANDSHAKE_TIMEOUT_MS = 5_000
/** After a refusal, how long the hello may take to leave before the socket is destroyed. */
const FLUSH_MS = 250
/**
 * What a libp2p host without a mesh key sends first (multistream-select's header): seeing it
 * tells "the peer has no key" at once instead of waiting out the timeout for the rest of a
 * hello that never comes.
 */
const MSS_HEADER = Buffer.from('\x13/multistream/1.0.0\n')

export interface MeshKeyMismatch {
  remoteAddr: Multiaddr
  direction: 'inbound' | 'outbound'
  /** different-key: the peer holds keys, none of ours; no-key: the peer runs without one. */
  reason: 'different-key' | 'no-key'
  /** One line for the log, naming the peer and what to do. */
  message: string
}

export interface MeshKeyProtectorInit {
  /** 32-byte keys: [primary, ...alsoAccepted]. */
  keys: Uint8Array[]
  /** Called once per refused connection; rate-limit it with mismatchLogger(). */
  onMismatch?: (info: MeshKeyMismatch) => void
  /** Default HANDSHAKE_TIMEOUT_MS. */
  handshakeTimeoutMs?: number
}

/** For createLibp2p's `connectionProtector` option. */
export function meshKeyProtector (init: MeshKeyProtectorInit): () => ConnectionProtector {
  const keys = distinct(init.keys)
  if (keys.length === 0) throw new MeshError('BAD_MESH_KEY', 'a mesh key protector needs at least one key')
  if (keys.length > MAX_MESH_KEYS) throw new MeshError('BAD_MESH_KEY', `at most ${MAX_MESH_KEYS} mesh keys can be accepted at once, got ${keys.length}; drop the keys no node uses any more`)
  for (const k of keys) {
    if (k.length !== 32) throw new MeshError('BAD_MESH_KEY', `a mesh key is 32 bytes, got ${k.length}`)
  }
  return () => new MeshKeyProtector(keys, init.onMismatch, init.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS)
}

type SinkSource = Parameters<MultiaddrConnection['sink']>[0]

class MeshKeyProtector implements ConnectionProtector {
  readonly [Symbol.toStringTag] = 'meshnode/mesh-key'

  constructor (
    private readonly keys: Uint8Array[],
    private readonly onMismatch: ((info: MeshKeyMismatch) => void) | undefined,
    private readonly timeoutMs: number
  ) {}

  async protect (conn: MultiaddrConnection, options: AbortOptions = {}): Promise<MultiaddrConnection> {
    // libp2p's transport manager adds `upgrader` to the options of a dial and of nothing
    // else; the protector is given no other hint of which end it is.
    const direction = 'upgrader' in options ? 'outbound' : 'inbound'
    const peer = conn.remoteAddr.toString()

    const localNonce = randomBytes(NONCE_BYTES)
    const sending = this.keys.map(k => keystream(k, localNonce))
    const hello = Buffer.concat([localNonce, ...sending.map(c => c.update(TOKEN)), randomBytes((MAX_MESH_KEYS - sending.length) * TOKEN.length)])

    // The connection's sink can be called once: it gets the hello now and, if the handshake
    // succeeds, the data of whoever calls our sink, encrypted under the agreed key.
    let out: Cipheriv | undefined
    let giveSource!: (source: SinkSource | null) => void
    const upper = new Promise<SinkSource | null>(resolve => { giveSource = resolve })
    const sinkDone: Promise<unknown> = Promise.resolve(conn.sink((async function * () {
      yield hello
      const source = await upper
      if (source == null || out == null) return
      for await (const chunk of source) yield out.update(chunk.subarray())
    })()))
    sinkDone.catch(() => {})

    const reader = conn.source[Symbol.asyncIterator]()
    const { signal, clear } = handshakeSignal(this.timeoutMs, peer, options.signal)
    let received: Buffer
    try {
      received = await readHello(reader, signal)
    } catch (err) {
      clear()
      if (err instanceof NoKeyPeer || (err instanceof HelloEnded && err.received > 0)) {
        throw await this.refuse(conn, direction, 'no-key', err instanceof NoKeyPeer
          ? `refused the connection ${direction === 'inbound' ? 'from' : 'to'} ${peer}: the peer has no mesh key. Give every node of the mesh the same --mesh-key file.`
          : `the peer at ${peer} closed the connection during the mesh key handshake: it probably runs without a mesh key. Give every node of the mesh the same --mesh-key file.`,
        giveSource, sinkDone)
      }
      if (err instanceof HelloEnded) {
        // Not a word, then a close: a port probe, or a host refusing connections (libp2p's
        // connection limits close a socket at once); a host without the key usually waits.
        err = new MeshError('UNREACHABLE', `the peer at ${peer} closed the connection before the mesh key handshake (it may run without a mesh key, or be refusing connections)`)
      }
      conn.abort(err instanceof Error ? err : new Error(String(err)))
      throw err
    }
    clear()

    const remoteNonce = received.subarray(0, NONCE_BYTES)
    if (timingSafeEqual(remoteNonce, localNonce)) {
      // Our own hello came back: someone without the key is reflecting our bytes.
      const err = new MeshError('MESH_KEY_MISMATCH', `the peer at ${peer} echoed our mesh key handshake back; refusing the connection`)
      conn.abort(err)
      throw err
    }
    const receiving = this.keys.map(k => keystream(k, remoteNonce))
    const masks = receiving.map(c => c.update(ZERO_TOKEN))
    const peerHolds = this.keys.map(() => false)
    let inIndex = -1
    for (let slot = 0; slot < MAX_MESH_KEYS; slot++) {
      const start = NONCE_BYTES + slot * TOKEN.length
      const box = received.subarray(start, start + TOKEN.length)
      for (let j = 0; j < masks.length; j++) {
        if (!timingSafeEqual(xor(box, masks[j]!), TOKEN)) continue
        peerHolds[j] = true
        if (inIndex < 0) inIndex = j
      }
    }
    const outIndex = peerHolds.indexOf(true)
    if (inIndex < 0 || outIndex < 0) {
      throw await this.refuse(conn, direction, 'different-key',
        `refused the connection ${direction === 'inbound' ? 'from' : 'to'} ${peer}: the peer uses a different mesh key. Every node of a mesh needs the same --mesh-key file; during a key rotation, nodes hold both the old and the new key.`,
        giveSource, sinkDone)
    }

    out = sending[outIndex]!
    const inbound = receiving[inIndex]!
    const rest = received.subarray(HELLO_BYTES)
    return {
      ...conn,
      source: (async function * () {
        try {
          if (rest.length > 0) yield inbound.update(rest)
          for (;;) {
            const next = await reader.next()
            if (next.done === true) return
            yield inbound.update(next.value.subarray())
          }
        } finally {
          // A reader that stops early (the muxer closing) releases the socket's source too.
          await reader.return?.(undefined)
        }
      })(),
      sink: async (source: SinkSource) => {
        giveSource(source)
        await sinkDone
      }
    }
  }

  /** Report, let our hello leave (so the peer can tell why), close, and return the error. */
  private async refuse (conn: MultiaddrConnection, direction: 'inbound' | 'outbound', reason: MeshKeyMismatch['reason'], message: string,
    giveSource: (s: null) => void, sinkDone: Promise<unknown>): Promise<MeshError> {
    const err = new MeshError('MESH_KEY_MISMATCH', message)
    try {
      this.onMismatch?.({ remoteAddr: conn.remoteAddr, direction, reason, message })
    } catch {}
    giveSource(null)
    let timer: NodeJS.Timeout | undefined
    await Promise.race([sinkDone.catch(() => {}), new Promise(resolve => { timer = setTimeout(resolve, FLUSH_MS) })])
    clearTimeout(timer)
    conn.abort(err)
    return err
  }
}

class HelloEnded extends Error {
  constructor (readonly received: number) { super('the connection ended during the mesh key handshake') }
}

class NoKeyPeer extends Error {}

/** The peer's whole hello (and whatever came with it); throws on end, abort or a key-less peer. */
async function readHello (reader: AsyncIterator<Uint8Array | { subarray: () => Uint8Array }>, signal: AbortSignal): Promise<Buffer> {
  const chunks: Uint8Array[] = []
  let n = 0
  while (n < HELLO_BYTES) {
    const next = reader.next()
    // If the race is lost to the signal, the read still settles later; nobody awaits it.
    next.catch(() => {})
    const r = await raceSignal(next, signal)
    if (r.done === true) throw new HelloEnded(n)
    const bytes = r.value.subarray()
    chunks.push(bytes)
    n += bytes.length
    if (n >= MSS_HEADER.length && Buffer.concat(chunks).subarray(0, MSS_HEADER.length).equals(MSS_HEADER)) throw new NoKeyPeer()
  }
  return Buffer.concat(chunks)
}

async function raceSignal<T> (p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) throw signal.reason
  let onAbort!: () => void
  const aborted = new Promise<never>((_resolve, reject) => { onAbort = () => { reject(signal.reason) } })
  signal.addEventListener('abort', onAbort, { once: true })
  try {
    return await Promise.race([p, aborted])
  } finally {
    signal.removeEventListener('abort', onAbort)
  }
}

/** Our handshake deadline joined with the caller's signal (libp2p's upgrade timeout, shutdown). */
function handshakeSignal (ms: number, peer: string, outer?: AbortSignal): { signal: AbortSignal, clear: () => void } {
  const controller = new AbortController()
  const timer = setTimeout(() => {
    controller.abort(new MeshError('UNREACHABLE', `the peer at ${peer} did not complete the mesh key handshake within ${ms} ms: it may run without a mesh key, or be overloaded`))
  }, ms)
  const onOuter = (): void => { controller.abort(outer?.reason) }
  if (outer?.aborted === true) onOuter()
  else outer?.addEventListener('abort', onOuter, { once: true })
  return {
    signal: controller.signal,
    clear: () => {
      clearTimeout(timer)
      outer?.removeEventListener('abort', onOuter)
    }
  }
}

function keystream (psk: Uint8Array, nonce: Uint8Array): Cipheriv {
  const key = Buffer.from(hkdfSync('sha256', psk, nonce, HKDF_INFO, 32))
  return createCipheriv('chacha20', key, ZERO_IV)
}

function xor (a: Uint8Array, b: Uint8Array): Buffer {
  const r = Buffer.alloc(a.length)
  for (let i = 0; i < a.length; i++) r[i] = a[i]! ^ b[i]!
  return r
}

function distinct (keys: Uint8Array[]): Uint8Array[] {
  const seen = new Set<string>()
  return keys.filter(k => {
    const hex = Buffer.from(k).toString('hex')
    if (seen.has(hex)) return false
    seen.add(hex)
    return true
  })
}

/** The mesh key refusal inside an error, as libp2p wraps dial errors (AggregateError, cause). */
export function meshKeyMismatchIn (err: unknown, depth = 0): Error | undefined {
  if (err == null || typeof err !== 'object' || depth > 4) return undefined
  if ((err as { code?: unknown }).code === 'MESH_KEY_MISMATCH' && err instanceof Error) return err
  const e = err as { cause?: unknown, errors?: unknown }
  const inCause = meshKeyMismatchIn(e.cause, depth + 1)
  if (inCause != null) return inCause
  if (!Array.isArray(e.errors)) return undefined
  for (const x of e.errors) {
    const found = meshKeyMismatchIn(x, depth + 1)
    if (found != null) return found
  }
  return undefined
}

export function isMeshKeyMismatch (err: unknown): boolean {
  return meshKeyMismatchIn(err) != null
}

export interface MismatchLoggerOptions {
  /** At most one line per remote host per interval (default one minute). */
  intervalMs?: number
  now?: () => number
  /** Hosts remembered at once; a scan from many addresses cannot grow the map without end. */
  maxHosts?: number
}

/**
 * An onMismatch that writes one line per remote host per interval: a peer with the wrong key
 * retries every few seconds, and an inbound connection comes from a new port each time, so
 * the key is the host, not the full address. Later lines say how many refusals were not
 * logged in between.
 */
export function mismatchLogger (write: (line: string, info: MeshKeyMismatch) => void, opts: MismatchLoggerOptions = {}): (info: MeshKeyMismatch) => void {
  const intervalMs = opts.intervalMs ?? 60_000
  const now = opts.now ?? Date.now
  const maxHosts = opts.maxHosts ?? 1024
  const hosts = new Map<string, { last: number, suppressed: number }>()
  return info => {
    const t = now()
    const host = hostOf(info.remoteAddr)
    const seen = hosts.get(host)
    if (seen != null && t - seen.last < intervalMs) {
      seen.suppressed++
      return
    }
    const suppressed = seen?.suppressed ?? 0
    hosts.delete(host)
    hosts.set(host, { last: t, suppressed: 0 })
    if (hosts.size > maxHosts) {
      // Map order is insertion order and a logged host is re-inserted: the first is the stalest.
      hosts.delete(hosts.keys().next().value!)
    }
    write(suppressed > 0 ? `${info.message} (${suppressed} more refused from this host since the last report)` : info.message, info)
  }
}

function hostOf (ma: Multiaddr): string {
  try {
    return ma.toOptions().host
  } catch {
    return ma.toString()
  }
}
