// The libp2p host: TCP + Noise + Yamux + Identify + Ping + gossipsub (+ optional mDNS).
// Options live here so the daemon and the short-lived CLI client build hosts the same way.
import { GossipSub, gossipsub, type GossipsubEvents } from '@chainsafe/libp2p-gossipsub'
import { noise } from '@chainsafe/libp2p-noise'
import { coalescingWrites } from './coalesce.js'
import type { Traffic } from './traffic.js'
import { noiseCrypto } from './noise-keys.js'
import { yamux } from '@chainsafe/libp2p-yamux'
import { StreamState, YamuxStream } from '@chainsafe/libp2p-yamux/stream'
import { identify } from '@libp2p/identify'
import type { PeerDiscovery, PrivateKey, PubSub } from '@libp2p/interface'
import { mdns } from '@libp2p/mdns'
import { ping, type PingService } from '@libp2p/ping'
import { prometheusMetrics } from '@libp2p/prometheus-metrics'
import { tcp } from '@libp2p/tcp'
import { createLibp2p, type Libp2p } from 'libp2p'
import type { Registry } from 'prom-client'
import { MAX_HEARTBEAT_BYTES } from '../../wire/constants.js'
import { meshKeyProtector, type MeshKeyMismatch } from './mesh-key.js'
import { cacheEd25519Sign, cacheEd25519Verify, trustOwnChannel } from './verify-cache.js'
import { nativeUtf8Strings } from '../../wire/utf8-strings.js'
import { identifyOnOpen, type Identifier } from './identify-again.js'

export interface HostServices extends Record<string, unknown> {
  identify: unknown
  ping: PingService
  pubsub: PubSub
}

export type Host = Libp2p<HostServices>

export interface HostOptions {
  privateKey: PrivateKey
  listen: string[]
  mdns: boolean
  /**
   * Mesh keys, [primary, ...alsoAccepted] (32 bytes each): every connection must share one
   * with its peer or is refused before any protocol runs. None: connections are not protected.
   */
  meshKeys?: Uint8Array[]
  /** Told of each connection refused for its key; wrap it in mismatchLogger() for the log. */
  onMeshKeyMismatch?: (info: MeshKeyMismatch) => void
  /** The node's metrics registry: libp2p's own metrics (libp2p_*, nodejs_memory_*, ...) go into it. */
  registry?: Registry
  /** Counts each connection's Noise frames and socket writes (traffic.ts). */
  traffic?: Traffic
}

/**
 * libp2p's metrics in the node's registry. The process's default metrics are collected by
 * the node itself (ProcessMetrics), so not here. preserveExistingMetrics stays false: the
 * module keeps one cache of metric objects for the whole process, which a second node in
 * the same process would otherwise reuse, registered in the first node's registry. (The cost:
 * building a host clears prom-client's global default registry, which meshnode never uses.)
 * To count bytes per protocol it wraps every stream's sink in a generator, and the longer
 * chain makes a race of the stream libraries easy to lose: a second write in a row onto a
 * stream that closed never settles. src/node/transport/raft-transport.ts says how it avoids it.
 */
function metricsOption (registry: Registry | undefined): { metrics?: ReturnType<typeof prometheusMetrics> } {
  if (registry == null) return {}
  return { metrics: prometheusMetrics({ registry, collectDefaultMetrics: false, preserveExistingMetrics: false }) }
}

/** The connectionProtector option of createLibp2p, present only when keys are given. */
function protection (meshKeys: Uint8Array[] | undefined, onMismatch?: (info: MeshKeyMismatch) => void): { connectionProtector?: ReturnType<typeof meshKeyProtector> } {
  if (meshKeys == null || meshKeys.length === 0) return {}
  return { connectionProtector: meshKeyProtector({ keys: meshKeys, onMismatch }) }
}

/** Ping streams per connection each way: the connection monitor's, a probe's, and its retry's (see ping() below). */
export const PING_STREAMS = 3

/**
 * The least time libp2p's connection monitor waits for a ping before it aborts the connection
 * (see connectionMonitor below): well above what a live peer on a starved host takes, with both
 * loops at the lag cap (--probe-after-ms, 3 s).
 */
export const MONITOR_PING_TIMEOUT_MS = 30_000

/**
 * How often libp2p's connection monitor pings all of a node's connections: drawn per host in
 * [MONITOR_INTERVAL_MS, MONITOR_INTERVAL_MS + MONITOR_INTERVAL_SPREAD_MS). The monitor pings
 * every connection at once, each on a new stream, on a timer that starts with the node. With
 * one interval for all, nodes started together pinged together for good (2 450 ping streams
 * opened within seconds, both ends): in six of seven 50-process holds (the seventh's connection
 * storm ran to 356 s), every event-loop stall over 1 s after the storm fell within the 5 s
 * before and the 20 s after each minute mark counted from the nodes' start, and so did the
 * mesh-wide suspicion bursts (BENCHMARKS.md, issue 14, stop 54). Drawn apart, the nodes'
 * monitors drift out of step within a few rounds.
 */
export const MONITOR_INTERVAL_MS = 60_000
export const MONITOR_INTERVAL_SPREAD_MS = 30_000

/** A host's monitor interval (MONITOR_INTERVAL_MS), from `rng` in [0, 1). */
export function monitorIntervalMs (rng: () => number = Math.random): number {
  return MONITOR_INTERVAL_MS + Math.floor(rng() * MONITOR_INTERVAL_SPREAD_MS)
}

/** Hosts built with a mesh key (libp2p does not say whether a host has a protector). */
const keyed = new WeakSet<Libp2p<any>>()

function remember<T extends Libp2p<any>> (host: T, meshKeys: Uint8Array[] | undefined): T {
  if (meshKeys != null && meshKeys.length > 0) keyed.add(host)
  return host
}

/**
 * Whether `host` connects through a mesh key. A host without one cannot tell a keyed node's
 * refusal from line noise (the node's hello garbles its protocol negotiation), so a caller
 * uses this to say what most likely went wrong.
 */
export function hasMeshKey (host: Libp2p<any>): boolean {
  return keyed.has(host)
}

/** Build (but do not start) the daemon's host. */
/**
 * The loopback ranges exempt from libp2p's inbound rate limit: IPv4's always, IPv6's only when
 * the node listens on an IPv6 address (no IPv6 connection can arrive otherwise). Parsing an
 * `/ip6/` multiaddr runs node's `isIPv6`, whose first call compiles a large regular
 * expression: 13–60 ms of a lone start's ~600 ms of CPU (BENCHMARKS.md, issue 14, stop 44).
 */
export function loopbackAllowList (listen: readonly string[]): string[] {
  const allow = ['/ip4/127.0.0.0/ipcidr/8']
  if (listen.some(a => a.startsWith('/ip6/'))) allow.push('/ip6/::1/ipcidr/128')
  return allow
}

export async function createHost (opts: HostOptions): Promise<Host> {
  const peerDiscovery: Array<(components: any) => PeerDiscovery> = []
  if (opts.mdns) peerDiscovery.push(mdns({ interval: 5_000 }))
  const host = await createLibp2p({
    privateKey: opts.privateKey,
    start: false,
    ...protection(opts.meshKeys, opts.onMeshKeyMismatch),
    ...metricsOption(opts.registry),
    addresses: { listen: opts.listen },
    transports: [tcp()],
    connectionEncrypters: [coalescingWrites(noise({ crypto: noiseCrypto }), opts.traffic)],
    // No yamux keep-alive pings (@chainsafe/libp2p-yamux pings every connection every 30 s
    // by default, and only to keep it from idling out: it closes nothing when a ping goes
    // unanswered). Between members a signed heartbeat crosses every connection every second,
    // and a silent peer is probed by the failure detector; the connection monitor (below)
    // still pings each connection every 60–90 s. On an idle 10-node mesh the keep-alive was
    // ~1 of a node's ~15 frames a second, each a wake-up at both ends (BENCHMARKS.md, issue
    // 14, stop 27).
    streamMuxers: [yamux({ enableKeepAlive: false })],
    peerDiscovery,
    // libp2p pings every connection on a new stream every 10 s by default, and aborts it when
    // a ping fails. Members are already watched closer than that by the failure detector (a
    // silent peer is probed, a dead one's connection closed and redialled), and those pings
    // were ~6 of an idle node's ~21 socket writes a second on a 10-node mesh (CPU per node
    // ~2.7 % -> ~2.2 % with the monitor off; BENCHMARKS.md, issue 14, stop 26). Every 60–90 s
    // it still reaps a half-open connection nobody else watches. It aborts the connection when
    // its ping is not answered within an adaptive timeout of at least 5 s by default, and it
    // pings all of a node's connections at once (so each node's interval is drawn apart,
    // monitorIntervalMs): at 50 processes on two cores, where every
    // loop runs seconds late, ~400 connections a minute were aborted 5–15 s after each node's
    // minute, a third of the mesh's pairs; 377 of 398 false suspicions after the election were
    // of a peer this node held no connection to, silent for 9–28 s while the dialer redialled
    // (BENCHMARKS.md, issue 14, stop 44). A half-open connection answers no ping however long
    // it waits, so a longer floor only reaps it later (within ~2 minutes, not 65–95 s).
    connectionMonitor: { pingInterval: monitorIntervalMs(), pingTimeout: { minTimeout: MONITOR_PING_TIMEOUT_MS } },
    connectionManager: {
      // A mesh of a few hundred nodes stays fully connected; beyond that libp2p prunes.
      maxConnections: 300,
      // Loopback and LAN dials finish in milliseconds; a long timeout only delays probes.
      dialTimeout: 5_000,
      // Local CLI calls and local clusters all come from loopback; libp2p's default of five
      // inbound connections per second per host would refuse them.
      allow: loopbackAllowList(opts.listen),
      // A whole fleet reconnecting after a restart may share a NAT address.
      inboundConnectionThreshold: 50,
      maxIncomingPendingConnections: 50
    },
    services: {
      // Run by identifyOnOpen (below), which tries again when it times out on a loaded host.
      identify: identify({ runOnConnectionOpen: false }),
      // Answers peers' pings (membership probes, libp2p's connection monitor) with the library's
      // own 10 s limit. It was the probe timeout (500 ms), but the answering side's limit runs
      // from the stream's arrival and aborts the stream when it fires, even after the echo went
      // back, if the asker has not closed it yet. The connection monitor pings every connection
      // at once each minute and aborts the *connection* when its ping fails: at 25 processes on
      // two cores, exchanges slower than 500 ms under that burst reset hundreds of connections
      // a minute, and each reset was ~3 s without heartbeats on that link, then a probe, a
      // suspicion (1 090 in a 2-minute hold; BENCHMARKS.md, issue 14, stop 29). A probe's own
      // timeout is on the asking side (pingPeer, membership.ts), unchanged.
      // Streams: the library allows one outbound ping stream per connection, and libp2p's
      // connection monitor pings on the same protocol as the membership probe. Whichever came
      // second failed TooManyOutboundProtocolStreams — a probe with no outcome, or the monitor
      // aborting the whole *connection* (it aborts on any failed ping), which reset every
      // stream on it, gossip's and Raft's with the probe's: ~200 a 50-process run (BENCHMARKS.md,
      // issue 14, stops 43 and 44). Room for the monitor's ping, a probe and a probe's retry
      // after a reset while the reset stream is still being removed; the answering side allows
      // as many from each peer.
      ping: ping({ maxOutboundStreams: PING_STREAMS, maxInboundStreams: PING_STREAMS }),
      pubsub: scoreOnHeartbeat(gossipsub({
        // A lone node must still be able to publish its heartbeat.
        allowPublishToZeroTopicPeers: true,
        // Heartbeats go to every subscribed peer at once, not only mesh peers: detection
        // and formation times then do not wait for the gossip mesh to settle.
        floodPublish: true,
        emitSelf: false,
        fallbackToFloodsub: false,
        // Frames larger than any valid message are refused by the RPC decoder itself.
        maxInboundDataLength: 4 * MAX_HEARTBEAT_BYTES,
        // Recognise a copy we already have before checking its signature: in a full mesh
        // every heartbeat arrives several times (flood publish plus mesh forwarding), and the
        // ed25519 check of each copy was a fifth of an idle node's CPU (BENCHMARKS.md).
        fastMsgIdFn: fastMsgId,
        // The same base64 as gossipsub's default (uint8arrays': unpadded), through node's Buffer
        // instead of a JavaScript encoder: once per new message (stop 41).
        msgIdToStrFn: base64,
        // No penalty for many peers on one IP (gossipsub's P6, default -5 × (peers - 10)²):
        // every node of a one-machine cluster is 127.0.0.1, and a fleet behind one NAT shares an
        // address too. From 15 such peers each one scored below the graylist threshold (-80),
        // and gossipsub dropped every RPC from it and published nothing to it: 25 processes on
        // this machine never formed a mesh, their heartbeats ignored while the connections
        // stayed up (bench/scale; issue 14). Peers here are members behind the mesh key, not
        // strangers on an open network, which is what P6 defends against.
        scoreParams: { IPColocationFactorWeight: 0 },
        ...HEARTBEAT_MESH
      }))
    }
  }) as Host
  identifyOnOpen(host, () => host.services.identify as Identifier)
  return remember(host, opts.meshKeys)
}

/**
 * gossipsub's peer scores decay at the start of each gossip heartbeat instead of on a timer of
 * their own. Both run every second (decayInterval and heartbeatInterval, 1 s by default), each
 * a wake-up of an idle node: 2 of its ~16 timer fires a second (BENCHMARKS.md, issue 14, stop
 * 38). The scores still matter here — with no topic scored and P6 off, what is left is P7, the
 * behaviour penalty (broken IWANT promises, GRAFTs during a backoff) that graylists a peer at
 * -80 and decays by 0.2 a second — so they keep decaying once a second, right before the
 * heartbeat's mesh maintenance reads them; the same background() also forgets the delivery
 * records of messages past the seen-cache time and the scores of peers gone for retainScore.
 */
export function scoreOnHeartbeat<C> (factory: (components: C) => PubSub<GossipsubEvents>): (components: C) => PubSub<GossipsubEvents> {
  return components => {
    const gs = factory(components) as GossipSub
    const score = gs.score
    score.start = () => {}
    const heartbeat = gs.heartbeat.bind(gs)
    gs.heartbeat = async () => {
      score.background()
      await heartbeat()
    }
    return gs
  }
}

/**
 * The gossip mesh for a topic whose every message is flood-published to every connected
 * subscriber (heartbeats, above). Each node is directly connected to every other one (up to
 * maxConnections), so flood publishing alone delivers a heartbeat once to everyone; the mesh
 * is only the relay across a link that is down (a cut link, a peer not yet dialled). With
 * gossipsub's defaults (D = 6) every node also forwarded every heartbeat to ~6 mesh peers, so
 * each heartbeat arrived ~7 times at every node: a 10-node idle mesh moved ~80 KB/s of gossip
 * per node in each direction (libp2p_data_transfer_bytes_total), decrypting and decoding
 * copies it then dropped (BENCHMARKS.md "Where idle CPU goes"). Two relaying mesh peers still
 * bridge any single broken link (each of them got the message straight from its publisher),
 * and the lazy IHAVE/IWANT gossip fills the rest within a gossip heartbeat.
 *  - D 2 / Dlo 2 / Dhi 4: two forwarded copies instead of six; Dout 1 (must be < Dlo, ≤ D/2)
 *    and Dscore 1 (≤ Dhi) keep gossipsub's invariants.
 *  - Dlazy 2, gossipFactor 0: IHAVE to two non-mesh peers per gossip heartbeat, not to a
 *    quarter of all of them (at 50 nodes, 12 IHAVEs of ~150 message ids each every second; in
 *    a fully connected mesh of 250 the IHAVE lists were 60 % of a node's gossip bytes,
 *    bench:membership-sim).
 *  - No IDONTWANT: every received heartbeat made each node send one to each mesh peer, a
 *    socket write and a Noise frame each, to save at most one small copy apiece.
 */
export const HEARTBEAT_MESH = {
  D: 2,
  Dlo: 2,
  Dhi: 4,
  Dout: 1,
  Dscore: 1,
  Dlazy: 2,
  gossipFactor: 0,
  idontwantMinDataSize: Number.MAX_SAFE_INTEGER
}

/**
 * Window updates in batches. @chainsafe/libp2p-yamux 7 sends a WINDOW_UPDATE frame after every
 * chunk a stream's reader consumes, so each message received costs a second, header-only
 * frame back: a Noise encryption and a socket write here, a read, decryption and decode at the
 * sender. At rest that was half of a node's socket writes (docs-idle2.md). As go-yamux does,
 * give credit back only once half the receive window is used up; frames carrying flags (the
 * SYN/ACK of a new stream) still go at once. Flow control stays sound: the sender always has
 * at least half a window of credit, and a reader that stops reading stops the updates, as
 * before.
 */
function batchWindowUpdates (): void {
  const proto = YamuxStream.prototype as unknown as {
    sendWindowUpdate: () => void
    __meshnodeBatched?: boolean
  }
  if (proto.__meshnodeBatched === true) return
  const send = proto.sendWindowUpdate
  proto.sendWindowUpdate = function (this: { state: StreamState, recvWindow: number, recvWindowCapacity: number }) {
    // (getSendFlags would tell, but it moves the stream's state: read the state instead)
    const flagged = this.state === StreamState.Init || this.state === StreamState.SYNReceived
    if (!flagged && this.recvWindowCapacity > this.recvWindow / 2) return
    send.call(this)
  }
  proto.__meshnodeBatched = true
}
batchWindowUpdates()
// Every gossip message's signature check imported its sender's key afresh (verify-cache.ts).
cacheEd25519Verify()
// ...and each heartbeat this node signs imported its own private key afresh (verify-cache.ts).
cacheEd25519Sign()
// A heartbeat that comes straight from its author needs no signature check: Noise already
// authenticated that peer (verify-cache.ts). Relayed copies are still checked.
trustOwnChannel(GossipSub.prototype)
// Every decoded protobuf string (gossipsub's RPC, heartbeats, Raft, work) went through a
// JavaScript UTF-8 loop that allocated ~30 bytes per character (src/wire/utf8-strings.ts).
nativeUtf8Strings()

/** sender + sequence number: unique per published message, and free to compute. */
export function fastMsgId (msg: { from?: Uint8Array, seqno?: Uint8Array }): string {
  return `${msg.from == null ? '' : base64(msg.from)}:${msg.seqno == null ? '' : bufferOf(msg.seqno).toString('hex')}`
}

/**
 * `bytes` in base64 without padding: the string uint8arrays' `toString(bytes, 'base64')` gives,
 * encoded by node's Buffer instead of multiformats' JavaScript encoder (every gossip message
 * copy went through it twice, here and in gossipsub's message id; stop 41).
 */
export function base64 (bytes: Uint8Array): string {
  const s = bufferOf(bytes).toString('base64')
  return s.endsWith('==') ? s.slice(0, -2) : s.endsWith('=') ? s.slice(0, -1) : s
}

function bufferOf (bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

export interface ClientHostOptions {
  /** As HostOptions.meshKeys: needed to reach a mesh that has a key. */
  meshKeys?: Uint8Array[]
  onMeshKeyMismatch?: (info: MeshKeyMismatch) => void
}

/** A minimal, non-listening host for one-shot CLI requests (status, later submit/jobs). */
export async function createClientHost (privateKey: PrivateKey, opts: ClientHostOptions = {}): Promise<Libp2p> {
  return remember(await createLibp2p({
    privateKey,
    ...protection(opts.meshKeys, opts.onMeshKeyMismatch),
    addresses: { listen: [] },
    transports: [tcp()],
    connectionEncrypters: [coalescingWrites(noise({ crypto: noiseCrypto }))],
    streamMuxers: [yamux()]
  }), opts.meshKeys)
}
