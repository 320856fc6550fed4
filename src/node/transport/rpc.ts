// One-request, one-response stream RPC over libp2p, shared by every such protocol (status,
// admin, internal): length-prefixed protobuf, a size limit on what is read, a deadline on the whole
// exchange, abort on error, close when done. Where the protocol has a call channel (admin,
// internal: channel.ts), callWith makes the call on it instead, and on a stream of its own only
// with a node that does not speak the channel.
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PeerId, PrivateKey, Stream } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { isMultiaddr, multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { pbStream } from 'it-protobuf-stream'
import type { Libp2p } from 'libp2p'
import type { CallDescriptor, Codec } from '../../wire/calls.js'
import { MeshError, errorMessage } from '../errors.js'
import { createClientHost, hasMeshKey, type ClientHostOptions } from './host.js'
import { meshKeyMismatchIn } from './mesh-key.js'
import { streamEnded, streamTo } from './stream-to.js'
import { deadline } from './deadline.js'
import { callOnChannel, lacksChannel, type ChannelErrors } from './channel.js'

export { deadline, StreamDeadline } from './deadline.js'

export type { Codec }

export interface ServeOptions<Req, Res> {
  request: Codec<Req>
  response: Codec<Res>
  maxRequestBytes: number
  timeoutMs: number
}

/** Serve one exchange on an inbound stream. Throws (after aborting the stream) on bad input. */
export async function serveOnce<Req, Res> (stream: Stream, opts: ServeOptions<Req, Res>, handle: (req: Req) => Promise<Res> | Res): Promise<void> {
  const { signal, clear } = deadline(opts.timeoutMs)
  const pb = pbStream(stream, { maxDataLength: opts.maxRequestBytes })
  try {
    const req = await pb.read(opts.request, { signal })
    const res = await handle(req)
    await pb.write(res, opts.response, { signal })
    await stream.close({ signal })
  } catch (err) {
    stream.abort(err instanceof Error ? err : new Error(String(err)))
    throw err
  } finally {
    clear()
  }
}

/** Whether libp2p gave up negotiating encryption: what a key-less dial to a keyed node gets. */
function encryptionFailed (err: unknown, depth = 0): boolean {
  if (err == null || typeof err !== 'object' || depth > 4) return false
  if ((err as Error).name === 'EncryptionFailedError') return true
  const e = err as { cause?: unknown, errors?: unknown }
  return encryptionFailed(e.cause, depth + 1) || (Array.isArray(e.errors) && e.errors.some(x => encryptionFailed(x, depth + 1)))
}

/** What to call and how (the descriptors are in src/wire/calls.ts). */
export type CallOptions<Req, Res> = CallDescriptor<Req, Res>

/**
 * The peer `target` names: its own id, or for an address without one the peer behind an open
 * connection of `host` to that address. libp2p reuses connections only when it knows the
 * peer, so a caller that names a node by its address (the CLI, the benches, `cluster status`)
 * would otherwise open a new connection, with its Noise handshake and identify exchange on
 * both ends, for every call.
 */
function peerOf (host: Libp2p, target: Multiaddr | PeerId): PeerId | undefined {
  if (!isMultiaddr(target)) return target
  const named = namedPeers.get(target)
  if (named != null) return named
  const id = target.getPeerId()
  if (id != null) {
    const peer = peerIdFromString(id)
    namedPeers.set(target, peer)
    return peer
  }
  const want = target.toString()
  for (const c of host.getConnections()) {
    if (c.status === 'open' && c.remoteAddr.decapsulateCode(P2P_CODE).toString() === want) return c.remotePeer
  }
  return undefined
}

/**
 * The peer an address names in its /p2p part, per address object: a caller that makes many
 * calls to one address (a bench, a library client) decoded the id, and its call channel's key
 * encoded it again, on every call — ~40 % of such a client's CPU (BENCHMARKS.md, issue 14,
 * stop 45). A PeerId keeps its string once made.
 */
const namedPeers = new WeakMap<Multiaddr, PeerId>()

/** The multicodec of /p2p/<peer id>. */
const P2P_CODE = 421

/** Why a call could not reach `target`, in the words an operator can act on. */
function unreachable (host: Libp2p, target: Multiaddr | PeerId, err: unknown): MeshError {
  const refusal = meshKeyMismatchIn(err)
  if (refusal != null) {
    // "Is it running?" would send the operator the wrong way: it runs, and refused us.
    return new MeshError('UNREACHABLE', `cannot reach meshnode at ${target.toString()}: wrong mesh key; ${refusal.message}`, { cause: err })
  }
  if (!hasMeshKey(host) && encryptionFailed(err)) {
    // A keyed node answers with its mesh key hello, which a host without a key reads as a
    // garbled negotiation ("Missing newline", "unexpected end of input"): say what it means.
    return new MeshError('UNREACHABLE', `cannot reach meshnode at ${target.toString()}: the connection failed before encryption started (${errorMessage(err)}); ` +
      'the node most likely requires a mesh key: connect with --mesh-key FILE (or MESHNODE_MESH_KEY_FILE)', { cause: err })
  }
  return new MeshError('UNREACHABLE', `cannot reach meshnode at ${target.toString()}: ${errorMessage(err)}. Is it running?`, { cause: err })
}

/**
 * The node ended the call without a word: it is stopping or restarting (its connections close
 * under calls in flight), or it refused this caller's pace. Either way the call may be tried
 * again later, as with a node that cannot be reached at all: exit 7, and a client riding out a
 * restart (workflow --wait) keeps asking.
 */
function unanswered (target: Multiaddr | PeerId, err: unknown): MeshError {
  return new MeshError('UNREACHABLE', `meshnode at ${target.toString()} ended the call without an answer (${errorMessage(err)}): it may be stopping or restarting; try again`, { cause: err, unanswered: true })
}

function badAnswer (target: Multiaddr | PeerId, err: unknown): MeshError {
  return new MeshError('BAD_RESPONSE', `meshnode at ${target.toString()} sent no valid answer: ${errorMessage(err)}`, { cause: err })
}

/**
 * Make one call from `host` to `target`: on a call channel (channel.ts) when the descriptor
 * names one and the node speaks it, else on a stream of its own.
 */
export async function callWith<Req, Res> (host: Libp2p, target: Multiaddr | PeerId, req: Req, opts: CallOptions<Req, Res>): Promise<Res> {
  if (opts.channel != null) {
    let peer = peerOf(host, target)
    if (peer == null) {
      // An address without a peer id and no connection to it yet: connect, to learn the peer.
      const { signal, clear } = deadline(opts.timeoutMs)
      try {
        peer = (await host.dial(target, { signal })).remotePeer
      } catch (err) {
        throw unreachable(host, target, err)
      } finally {
        clear()
      }
    }
    if (!lacksChannel(host, peer, opts.channel)) {
      const errors: ChannelErrors = {
        unreachable: err => unreachable(host, target, err),
        unanswered: err => unanswered(target, err),
        late: () => badAnswer(target, new Error(`no answer within ${opts.timeoutMs} ms`)),
        badAnswer: err => badAnswer(target, err)
      }
      const answered = await callOnChannel(host, peer, target, req, { ...opts, channel: opts.channel }, errors)
      if (answered != null) return answered.res
    }
  }
  return await callOnStream(host, target, req, opts)
}

/** One call on a stream of its own. */
async function callOnStream<Req, Res> (host: Libp2p, target: Multiaddr | PeerId, req: Req, opts: CallOptions<Req, Res>): Promise<Res> {
  const { signal, clear } = deadline(opts.timeoutMs)
  try {
    let stream: Stream
    try {
      const peer = peerOf(host, target)
      stream = peer != null ? await streamTo(host, peer, target, opts.protocol, { signal }) : await host.dialProtocol(target, opts.protocol, { signal })
    } catch (err) {
      throw unreachable(host, target, err)
    }
    const pb = pbStream(stream, { maxDataLength: opts.maxResponseBytes })
    try {
      await pb.write(req, opts.request, { signal })
      const res = await pb.read(opts.response, { signal })
      await stream.close({ signal }).catch(() => {})
      return res
    } catch (err) {
      stream.abort(err instanceof Error ? err : new Error(String(err)))
      if (!signal.aborted && streamEnded(err)) throw unanswered(target, err)
      throw badAnswer(target, err)
    }
  } finally {
    clear()
  }
}

/** Who a client host is, and the mesh key it connects through (see client/credentials.ts). */
export interface CallerIdentity extends ClientHostOptions {
  /** Absent: a throwaway identity, which the node treats as anonymous. */
  key?: PrivateKey
}

/**
 * Make one call, from `client` if given (a caller polling many nodes reuses one host), else
 * from a host made for this call with `identity` (the CLI's case).
 */
export async function call<Req, Res> (addr: string, req: Req, opts: CallOptions<Req, Res>, client?: Libp2p, identity: CallerIdentity = {}): Promise<Res> {
  let ma: Multiaddr
  try {
    ma = multiaddr(addr)
  } catch (err) {
    throw new MeshError('USAGE', `${addr} is not a multiaddr (${errorMessage(err)})`)
  }
  if (client != null) return await callWith(client, ma, req, opts)
  const own = await createCaller(identity)
  try {
    return await callWith(own, ma, req, opts)
  } finally {
    await own.stop()
  }
}

/** A client host for a series of calls; stop it when done. */
export async function createCaller (identity: CallerIdentity = {}): Promise<Libp2p> {
  const { key, ...opts } = identity
  return await createClientHost(key ?? await generateKeyPair('Ed25519'), opts)
}
