// A deterministic discrete-event simulation of membership at scale: N nodes, each running the
// REAL FailureDetector (src/healing/failure-detector.ts) on simulated time, fed the way
// src/node/services/membership.ts feeds it, over a model of gossipsub as configured in
// src/node/transport/host.ts, with the dialer of src/node/transport/dialer.ts deciding which
// connections exist. One seed fixes every delay, loss, shuffle and start time, so a run
// replays exactly (MESHNODE_SIM_SEED); MESHNODE_SIM_TRACE=1 keeps an event trace.
//
// What is modelled (and from where):
//   - membership.ts: a heartbeat published at start and every heartbeatMs — or, with `quiet`
//     (the node's default), every QUIET_FACTOR x heartbeatMs while its content (here the
//     fully-connected claim) is unchanged, announcing quiet_ms to receivers; one more (a greeting)
//     when a peer's subscription to the topic arrives, as the Greeter (src/healing/greeting.ts)
//     says: at once, or deferred to GREET_GAP_MS after the last publish; every fresh
//     heartbeat goes to detector.heartbeat() and makes the dialer know the sender; the detector
//     ticks at its next deadline (one timer, Membership.arm: kept when a deadline only moves
//     later, at least 1 ms ahead); peer connect/disconnect go to detector.connected()/disconnected();
//     requested probes run and report probeResult(); a peer turning dead is hung up on.
//   - dialer.ts: bootstrap peers plus every peer learned from heartbeats are dialed in a round
//     every ROUND_MS until connected, with per-target backoff BACKOFF_MIN_MS doubling to
//     BACKOFF_MAX_MS after a failure.
//   - libp2p connection manager: an inbound connection is refused when the acceptor already
//     holds maxConnections (300 in host.ts) unless the dialer's address is allow-listed
//     (host.ts allow-lists loopback; `allowListed` models a one-machine cluster); outbound
//     dials are never refused locally.
//   - gossipsub 14 (defaults; host.ts sets floodPublish, gossipFactor 0): a new connection makes both sides
//     announce their subscription; the publisher sends its own message to every subscribed
//     connected peer (floodPublish) or to its mesh; a receiver drops a message whose id
//     (sender, seqno) it has seen, otherwise delivers it and forwards it to its mesh peers
//     except the one it came from — with relay 'when-needed' only while a relay is needed
//     (relayNeeded), and only to a mesh peer whose last heartbeat does not list the author
//     among the members it hears straight from (relayTo; a heartbeat lists the connected
//     peers a copy came straight from, but those it suspects, and goes out at the next
//     interval when one of them is lost).
//     Every gossipsub heartbeat (100 ms after start, then every
//     1 s) maintains the mesh (graft D - |mesh| random candidates below Dlo, prune down to D
//     above Dhi keeping Dout outbound peers, graft outbound peers when fewer than Dout), sends
//     IHAVE with the message ids of the last mcacheGossip windows to max(Dlazy, gossipFactor x
//     non-mesh peers) random non-mesh peers (with relay 'when-needed', only while a relay is
//     needed, as Membership's hook on emitGossip), coalescing GRAFT/PRUNE into the same frame, and
//     shifts the message cache. IHAVE handling: at most 10 IHAVE per peer per heartbeat and
//     5000 ids asked per peer; IWANT for the ids not seen; IWANT is answered from the
//     mcacheLength windows, at most 3 times per message and peer. GRAFT is refused (PRUNE)
//     while backing off or when the mesh is at Dhi and the peer is inbound; PRUNE sets a 60 s
//     backoff.
//
// Simplifications (each chosen because it does not change convergence or traffic much):
//   - Time is whole milliseconds. Each frame takes an independent delay in [minDelayMs,
//     maxDelayMs], so frames on one connection may reorder (TCP would not; the detector
//     orders heartbeats by seq, so a late one is just stale). Gossip frames may be lost
//     (lossRate: a model of a saturated send queue; TCP itself never loses); probes never are.
//   - A dial takes 3 one-way delays (TCP + Noise + Yamux) and is refused after one round trip
//     when nothing listens (a crashed or not yet started node). Connections are never pruned:
//     libp2p's pruner only closes connections without streams other than identify, and every
//     mesh connection carries gossipsub streams. Subscriptions are exchanged right at connect
//     (identify and stream set-up are folded into the dial time).
//   - A probe (libp2p ping) over an existing connection takes one round trip; a probe of an
//     unconnected peer dials first (and the connection stays, as libp2p's would). A probe of a
//     crashed peer fails after one round trip ('kill': the OS refuses; the detector is told
//     'refused') or after probeTimeoutMs ('hang': the host is silent, like a SIGSTOP or a cut
//     cable; 'timed-out', which kills only after deadAfterMs of silence). A dial refused by
//     a full peer (maxConnections) is reset by libp2p, tried again at once and reset again:
//     'timed-out' after two round trips (a reset is not a refusal, Membership.probe).
//   - Every peer score is 0: meshnode sets no topic scores and turns the IP-colocation
//     penalty off (host.ts; with it on, 15+ nodes on one address graylisted each other),
//     and behaviour penalties (broken IWANT promises) are not modelled: no opportunistic
//     grafting, no score-based pruning, no gossip promises; IDONTWANT is never sent (heartbeats are below
//     gossipsub's 512-byte threshold: a representative one encodes to 295 bytes).
//   - The seen-cache remembers, per (receiver, sender), the newest seqno and the 32 before it;
//     anything older counts as seen (gossipsub keeps ids for 2 minutes; at one heartbeat a
//     second a 32-heartbeat window is never the limit). The IWANT retransmission counters are
//     reset every mcacheLength heartbeats instead of expiring per message.
//   - The membership shell's per-heartbeat extras (peer store merge, LevelDB write, work-layer
//     listeners, consensus) cost nothing here; a heartbeat's content never changes the
//     detector (incarnation is 1, no restarts, no leaves).
//   - Frame sizes are computed, not measured: the real heartbeat encoding of a representative
//     heartbeat (plus 5 bytes for each member its `direct` list names), the gossipsub RPC protobuf around it (from, seqno, topic, 64-byte signature),
//     a length prefix and 30 bytes of Yamux header and Noise tag per frame. A message id is 46
//     bytes (from + seqno). A probe is ~110 bytes each way (a new stream's multistream
//     negotiation plus 32 bytes of ping).

import { FailureDetector, type MemberState, type ProbeOutcome, type Transition } from '../../../src/healing/failure-detector.js'
import { Greeter } from '../../../src/healing/greeting.js'
import { fullyConnected, relayNeeded, relayTo, type RelayMember } from '../../../src/healing/relay.js'
import { START_OPTIONS, optionDefault } from '../../../src/node/config.js'
import { HEARTBEAT_MESH } from '../../../src/node/transport/host.js'
import { GREET_GAP_MS, GREET_GAP_PER_PEER_MS, QUIET_FACTOR, TICK_MS, heartbeatDue } from '../../../src/node/services/membership.js'
import { BACKOFF_MAX_MS, BACKOFF_MIN_MS, ROUND_MS } from '../../../src/node/transport/dialer.js'
import { mulberry32, type Rng } from '../../../src/prng.js'
import { heartbeatTopic } from '../../../src/wire/constants.js'
import { encodeHeartbeat } from '../../../src/wire/heartbeat-codec.js'
import { VERSION } from '../../../src/version.js'

/** gossipsub's parameters; meshnode keeps the library defaults except floodPublish. */
export interface GossipParams {
  D: number
  Dlo: number
  Dhi: number
  Dout: number
  Dlazy: number
  gossipFactor: number
  heartbeatMs: number
  heartbeatInitialDelayMs: number
  /** Message-cache windows kept (answer IWANT) and advertised (IHAVE). */
  mcacheLength: number
  mcacheGossip: number
  maxIHaveLength: number
  maxIHaveMessages: number
  gossipRetransmission: number
  pruneBackoffMs: number
  floodPublish: boolean
}

/**
 * @chainsafe/libp2p-gossipsub 14 defaults (src/constants.ts) with what host.ts changes:
 * floodPublish and gossipFactor 0 (keep in step with createHost).
 */
export const GOSSIPSUB_AS_CONFIGURED: GossipParams = {
  // The mesh degrees host.ts gives gossipsub (HEARTBEAT_MESH), read from there.
  D: HEARTBEAT_MESH.D,
  Dlo: HEARTBEAT_MESH.Dlo,
  Dhi: HEARTBEAT_MESH.Dhi,
  Dout: HEARTBEAT_MESH.Dout,
  Dlazy: HEARTBEAT_MESH.Dlazy,
  gossipFactor: HEARTBEAT_MESH.gossipFactor,
  heartbeatMs: 1000,
  heartbeatInitialDelayMs: 100,
  mcacheLength: 5,
  mcacheGossip: 3,
  maxIHaveLength: 5000,
  maxIHaveMessages: 10,
  gossipRetransmission: 3,
  pruneBackoffMs: 60_000,
  floodPublish: true
}

export type CrashMode = 'kill' | 'hang'

export interface MembershipSimConfig {
  seed: number
  nodes: number
  /** Every node is started knowing the first `bootstrap` nodes (itself excluded). */
  bootstrap: number
  /** Nodes start at seeded times in [0, startSpreadMs). */
  startSpreadMs: number
  minDelayMs: number
  maxDelayMs: number
  /** Probability that a gossip frame is lost. */
  lossRate: number
  heartbeatMs: number
  /**
   * Quiet heartbeats, as Membership sends them: while a node's heartbeat would say what its last
   * one said (here: the fully-connected claim), it publishes every QUIET_FACTOR × heartbeatMs
   * and receivers judge its silence that much later. False: every heartbeatMs (an older node).
   */
  quiet: boolean
  probeAfterMs: number
  deadAfterMs: number
  probeTimeoutMs: number
  /** The old detector tick period (TICK_MS): the shell now fires at each deadline; kept as slack in bounds. */
  tickMs: number
  /** Membership greets a newly subscribed peer at most once per this gap (GREET_GAP_MS). */
  greetGapMs: number
  /** ...and this much more per peer known (GREET_GAP_PER_PEER_MS). */
  greetGapPerPeerMs: number
  maxConnections: number
  /** All dialers allow-listed at every acceptor (loopback on one machine): no inbound cap. */
  allowListed: boolean
  crashMode: CrashMode
  gossip: GossipParams
  /** Mesh relays as Membership's `relay` option: 'when-needed' (src/healing/relay.ts) or 'always'. */
  relay: 'always' | 'when-needed'
  /**
   * While relaying, forward a heartbeat only to mesh peers whose last heartbeat does not list its
   * author as heard straight from (relayTo, src/healing/relay.ts), as Membership does; false: to
   * every mesh peer (before issue 14, stop 54).
   */
  directRelays: boolean
  trace: boolean
}

export function defaultSimConfig (over: Partial<MembershipSimConfig> & { seed: number, nodes: number }): MembershipSimConfig {
  return {
    bootstrap: 3,
    startSpreadMs: 2000,
    minDelayMs: 1,
    maxDelayMs: 5,
    lossRate: 0,
    heartbeatMs: optionDefault(START_OPTIONS.heartbeatMs),
    quiet: true,
    probeAfterMs: optionDefault(START_OPTIONS.probeAfterMs),
    deadAfterMs: optionDefault(START_OPTIONS.deadAfterMs),
    probeTimeoutMs: optionDefault(START_OPTIONS.probeTimeoutMs),
    tickMs: TICK_MS,
    greetGapMs: GREET_GAP_MS,
    greetGapPerPeerMs: GREET_GAP_PER_PEER_MS,
    maxConnections: 300,
    allowListed: false,
    crashMode: 'kill',
    gossip: GOSSIPSUB_AS_CONFIGURED,
    relay: 'when-needed',
    directRelays: true,
    trace: false,
    ...over
  }
}

// ---- frame sizes ---------------------------------------------------------------------------

const PEER_ID_TEXT = '12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo'
/** An Ed25519 peer id as bytes (identity multihash of the protobuf public key). */
const FROM_BYTES = 38
const SEQNO_BYTES = 8
const SIGNATURE_BYTES = 64
const MSG_ID_BYTES = FROM_BYTES + SEQNO_BYTES
/** Yamux header (12) + Noise length (2) + Noise tag (16) per frame. */
const TRANSPORT_BYTES = 30
const PROBE_BYTES = 110
/** A `direct` entry: a fixed32 field's tag and value (protons writes repeated scalars unpacked). */
const DIRECT_ENTRY_BYTES = 5
const MESH = 'default'
const TOPIC = heartbeatTopic(MESH)

function varintLen (n: number): number {
  let len = 1
  while (n >= 0x80) { n = Math.floor(n / 128); len++ }
  return len
}
/** A length-delimited protobuf field of `n` bytes. */
const field = (n: number): number => 1 + varintLen(n) + n
/** A gossipsub RPC of `inner` bytes, length-prefixed on the stream, in one transport frame. */
const frame = (inner: number): number => varintLen(inner) + inner + TRANSPORT_BYTES

/** A representative heartbeat of a clustered node, encoded with the real codec. */
export function heartbeatDataBytes (): number {
  const bytes = encodeHeartbeat({
    mesh: MESH,
    name: 'node-417',
    version: VERSION,
    addrs: [`/ip4/10.20.31.117/tcp/7420/p2p/${PEER_ID_TEXT}`, `/ip4/127.0.0.1/tcp/7420/p2p/${PEER_ID_TEXT}`],
    incarnation: 3n,
    seq: 123456n,
    load: 0.25,
    queued: 0,
    slots: 2,
    draining: false,
    capabilities: ['shell', 'http'],
    role: 'follower',
    term: 12n,
    leader: PEER_ID_TEXT,
    uptimeMs: 3_600_000n,
    leaving: false,
    bootstrapSet: [],
    fullyConnected: true,
    quietMs: 1000,
    framesAlive: true,
    direct: []
  })
  return bytes.byteLength
}

export interface FrameSizes {
  heartbeatData: number
  message: number
  sub: number
  graftPrune: number
  ihaveBase: number
  perId: number
}

export function frameSizes (): FrameSizes {
  const data = heartbeatDataBytes()
  const message = field(FROM_BYTES) + field(data) + field(SEQNO_BYTES) + field(TOPIC.length) + field(SIGNATURE_BYTES)
  return {
    heartbeatData: data,
    message: frame(field(message)),
    sub: frame(field(2 + field(TOPIC.length))),
    graftPrune: frame(field(field(field(TOPIC.length) + 2))),
    ihaveBase: frame(6 + field(TOPIC.length)),
    perId: field(MSG_ID_BYTES)
  }
}

// ---- the simulation ------------------------------------------------------------------------

/** Traffic categories. */
export const CATEGORIES = ['heartbeat', 'ihave', 'iwant', 'graft/prune', 'subscribe', 'probe'] as const
const C_MSG = 0
const C_IHAVE = 1
const C_IWANT = 2
const C_CTRL = 3
const C_SUB = 4
const C_PROBE = 5
const NCAT = CATEGORIES.length

// event kinds
const K_START = 0
const K_PUBLISH = 1
const K_GOSSIP_HB = 2
const K_TICK = 3
const K_ROUND = 4
const K_MSG = 5
const K_MSGS = 6
const K_CTRL = 7
const K_IWANT = 8
const K_SUB = 9
const K_DIAL_DONE = 10
const K_CLOSED = 11
const K_PROBE_DONE = 12
const K_GREET = 13

const RING_MS = 1 << 16

/**
 * The events due in one millisecond, as flat integers (kind, node, peer, value) plus an
 * optional list: a large run delivers hundreds of millions of frames, and an object per frame
 * made the garbage collector a fifth of the time. Buckets are reused round the ring.
 */
class Bucket {
  n = 0
  ev = new Int32Array(64)
  xs: Array<number[] | null> = []
  push (k: number, a: number, b: number, c: number, x: number[] | null): void {
    const at = this.n * 4
    if (at + 4 > this.ev.length) {
      const grown = new Int32Array(this.ev.length * 2)
      grown.set(this.ev)
      this.ev = grown
    }
    this.ev[at] = k
    this.ev[at + 1] = a
    this.ev[at + 2] = b
    this.ev[at + 3] = c
    this.xs[this.n] = x
    this.n++
  }
}

/** GRAFT / PRUNE flags of a control frame. */
const F_GRAFT = 1
const F_PRUNE = 2

interface Target {
  nextAt: number
  backoff: number
  dialing: boolean
  active: boolean
}

const NOT_STARTED = 0
const RUNNING = 1
const CRASHED = 2

class SimNode {
  state = NOT_STARTED
  startAt = 0
  det: FailureDetector | null = null
  /** When this node's one detector timer fires (Membership.arm); Infinity: none armed. */
  armedAt = Infinity
  seq = 0
  /** The last heartbeat's fully-connected claim and when it went out (quiet heartbeats). */
  lastFull: boolean | null = null
  lastPublishAt = -Infinity
  greeter: Greeter | null = null
  readonly conns = new Set<number>()
  readonly outbound = new Set<number>()
  readonly topic = new Set<number>()
  readonly mesh = new Set<number>()
  readonly backoff = new Map<number, number>()
  readonly targets = new Map<number, Target>()
  /** Targets without a connection: the only ones a dial round can act on. */
  readonly unconnected = new Set<number>()
  mcache: number[][] = []
  readonly retrans = new Map<number, number>()
  readonly peerhave = new Map<number, number>()
  readonly iasked = new Map<number, number>()
  gossipTicks = 0
  /** Peers this node's view gets wrong (see MembershipSim.wrong). */
  wrong = 0
  readonly txMsgs = new Float64Array(NCAT)
  readonly txBytes = new Float64Array(NCAT)
  readonly rxMsgs = new Float64Array(NCAT)
  readonly rxBytes = new Float64Array(NCAT)
  duplicates = 0
  fresh = 0
  dials = 0
  refusedDials = 0
  /** Until then the process is stopped (stall()): every event for it waits, probes to it time out. */
  stalledUntil = 0
  /** What each member's last fresh heartbeat said of itself (`fully_connected`). */
  readonly claims = new Map<number, boolean>()
  /** The detector's last transition here (relayNeeded's "recent change"). */
  lastChangeAt = -Infinity
  /** Fresh messages not forwarded because no relay was needed. */
  relaysSkipped = 0
  /** Copies not forwarded to a mesh peer that listed the author as heard straight from (relayTo). */
  relaysUnneeded = 0
  /** Peers a heartbeat came straight from over the connection open now (Membership.hookDirect). */
  readonly heardDirect = new Set<number>()
  /** What the last heartbeat listed as heard straight from (`direct`): heardDirect but the suspected. */
  lastDirect: number[] = []
  /** What the next would list (Membership.directTags), kept until the topic's subscribers or the detector's view change. */
  direct: number[] = []
  directStale = true
  /** What each member's last fresh heartbeat listed as heard straight from (`direct`). */
  readonly directClaims = new Map<number, number[]>()
  constructor (readonly i: number, readonly id: string) {}
}

export interface TrafficWindow {
  /** Per node per second, averaged over live nodes, by category. */
  txMsgs: number[]
  txBytes: number[]
  rxMsgs: number[]
  rxBytes: number[]
  /** Duplicate copies received per distinct message delivered. */
  duplicatesPerMessage: number
  /** Relayed copies not sent to a mesh peer that hears the author straight from it (relayTo). */
  relaysUnneededPerNodePerSecond: number
  dialsPerNodePerSecond: number
  refusedDialsPerNodePerSecond: number
  meshSize: { min: number, mean: number, max: number }
  connections: { min: number, mean: number, max: number }
}

export class MembershipSim {
  readonly cfg: MembershipSimConfig
  readonly nodes: SimNode[] = []
  readonly events: string[] = []
  readonly sizes: FrameSizes
  now = 0
  /** Sum of `wrong` over running nodes: 0 when every live view is exactly right. */
  wrongTotal = 0
  falseSuspicions = 0
  falseDeaths = 0
  /**
   * Deaths of a live node declared by a peer that had heard from it — a fresh heartbeat, an
   * answered probe, a new connection — less than the detector's own tolerance
   * (silenceToleranceMs) before: each breaks the detector's contract, whatever the network lost.
   */
  earlyDeaths = 0
  lost = 0
  /** heard[observer * N + peer]: when the observer last had a sign of life from the peer. */
  private readonly heard: Float64Array
  private readonly rng: Rng
  /** A ring of per-millisecond buckets; nothing is ever scheduled RING_MS or more ahead. */
  private readonly queue: Array<Bucket | undefined> = new Array(RING_MS).fill(undefined)
  private readonly byId = new Map<string, number>()
  private readonly ids: string[]
  private readonly seqBig: bigint[] = [0n]
  private readonly msgOrigin: number[] = []
  private readonly msgSeq: number[] = []
  /** The publisher's `fully_connected` claim in each message. */
  private readonly msgFull: boolean[] = []
  /** Each message's `direct` list (shared with its publisher's lastDirect while unchanged). */
  private readonly msgDirect: number[][] = []
  /**
   * Per message, how many nodes have marked it seen (less those that crashed, counted
   * generously). A message every running node has seen cannot be wanted by anyone, so an
   * IHAVE carries, for the receiver to check, only the ids below that count; its size still
   * counts every id. This is what makes a 1000-node run affordable; it changes no outcome.
   */
  private readonly seenBy: number[] = []
  private runningCount = 0
  /** Per (receiver, sender): newest seqno seen and a bitmask of the 32 before it. */
  private readonly seenMax: Int32Array
  private readonly seenMask: Uint32Array
  private started = 0
  lastStartAt = 0

  constructor (cfg: MembershipSimConfig) {
    this.cfg = cfg
    this.rng = mulberry32(cfg.seed)
    this.sizes = frameSizes()
    const n = cfg.nodes
    this.ids = Array.from({ length: n }, (_, i) => `n${i}`)
    this.ids.forEach((id, i) => { this.byId.set(id, i); this.nodes.push(new SimNode(i, id)) })
    this.seenMax = new Int32Array(n * n)
    this.seenMask = new Uint32Array(n * n)
    this.heard = new Float64Array(n * n).fill(-Infinity)
    for (const node of this.nodes) {
      node.startAt = Math.floor(this.rng() * cfg.startSpreadMs)
      this.lastStartAt = Math.max(this.lastStartAt, node.startAt)
      this.at(node.startAt, K_START, node.i, 0, 0, null)
    }
  }

  // ---- queue

  private at (t: number, k: number, a: number, b: number, c: number, x: number[] | null): void {
    if (t - this.now >= RING_MS) throw new Error(`event ${t - this.now} ms ahead`)
    const slot = t % RING_MS
    let bucket = this.queue[slot]
    if (bucket === undefined) { bucket = new Bucket(); this.queue[slot] = bucket }
    bucket.push(k, a, b, c, x)
  }

  private delay (): number {
    const { minDelayMs, maxDelayMs } = this.cfg
    return minDelayMs + Math.floor(this.rng() * (maxDelayMs - minDelayMs + 1))
  }

  /** Runs every event up to and including `until`, or until `stop()` holds after a millisecond. */
  runUntil (until: number, stop?: () => boolean): boolean {
    while (this.now <= until) {
      const slot = this.now % RING_MS
      const bucket = this.queue[slot]
      if (bucket !== undefined) {
        // events handled here may add to this very bucket: re-read n and ev every time
        for (let j = 0; j < bucket.n; j++) {
          const ev = bucket.ev
          const at = j * 4
          const x = bucket.xs[j] ?? null
          bucket.xs[j] = null
          this.handle(ev[at]!, ev[at + 1]!, ev[at + 2]!, ev[at + 3]!, x)
        }
        bucket.n = 0
      }
      this.now++
      if (stop?.() === true) return true
    }
    return false
  }

  private trace (s: string): void {
    if (this.cfg.trace) this.events.push(`${this.now} ${s}`)
  }

  private handle (k: number, a: number, b: number, c: number, x: number[] | null): void {
    const node = this.nodes[a]!
    if (k === K_START) { this.start(node); return }
    if (node.state !== RUNNING) return
    // A stalled process handles nothing until it runs again, then everything in order.
    if (this.now < node.stalledUntil) { this.at(node.stalledUntil, k, a, b, c, x); return }
    switch (k) {
      case K_MSG: if (node.conns.has(b)) { this.count(node, false, C_MSG, this.msgBytes(c)); this.heardFrom(node, b, c); this.receive(node, b, c) } break
      case K_MSGS: if (node.conns.has(b)) this.receiveMany(node, b, x!); break
      case K_CTRL: if (node.conns.has(b)) this.control(node, b, c, x); break
      case K_IWANT: if (node.conns.has(b)) this.iwant(node, b, x!); break
      case K_SUB: if (node.conns.has(b)) this.subscribed(node, b); break
      case K_PUBLISH: this.periodicPublish(node); this.at(this.now + this.cfg.heartbeatMs, K_PUBLISH, node.i, 0, 0, null); break
      case K_GOSSIP_HB: this.gossipHeartbeat(node); this.at(this.now + this.cfg.gossip.heartbeatMs, K_GOSSIP_HB, node.i, 0, 0, null); break
      case K_TICK:
        // A timer superseded by an earlier one (or from a previous life) does nothing.
        if (this.now < node.armedAt) break
        node.armedAt = Infinity
        node.det!.tick(this.now)
        this.drain(node)
        break
      case K_ROUND: this.dialRound(node); this.at(this.now + ROUND_MS, K_ROUND, node.i, 0, 0, null); break
      case K_DIAL_DONE: this.dialDone(node, b, c === 1); break
      case K_CLOSED: if (node.conns.has(b)) this.disconnect(node, b); break
      case K_PROBE_DONE: this.probeDone(node, b, c === 1 ? 'answered' : c === 2 ? 'timed-out' : 'refused'); break
      case K_GREET: if (node.greeter!.due()) this.publish(node); break
    }
  }

  // ---- lifecycle

  private start (node: SimNode): void {
    node.state = RUNNING
    node.det = new FailureDetector({ probeAfterMs: this.cfg.probeAfterMs, deadAfterMs: this.cfg.deadAfterMs })
    node.armedAt = Infinity
    node.greeter = new Greeter(this.cfg.greetGapMs, this.cfg.greetGapPerPeerMs)
    node.mcache = Array.from({ length: this.cfg.gossip.mcacheLength }, () => [])
    for (let b = 0; b < Math.min(this.cfg.bootstrap, this.cfg.nodes); b++) {
      if (b !== node.i) { node.targets.set(b, { nextAt: 0, backoff: BACKOFF_MIN_MS, dialing: false, active: true }); node.unconnected.add(b) }
    }
    node.wrong = this.cfg.nodes - 1
    this.wrongTotal += node.wrong
    this.started++
    this.runningCount++
    this.trace(`start ${node.id}`)
    // membership.start(): publish now and every heartbeatMs (the detector's timer is armed by
    // drain() once it has a deadline); dialer round now
    this.at(this.now, K_PUBLISH, node.i, 0, 0, null)
    this.at(this.now, K_ROUND, node.i, 0, 0, null)
    this.at(this.now + this.cfg.gossip.heartbeatInitialDelayMs, K_GOSSIP_HB, node.i, 0, 0, null)
  }

  get allStarted (): boolean {
    return this.started === this.cfg.nodes
  }

  /** Crash a node: it stops at once; with 'kill' its peers see the connections close. */
  crash (i: number): void {
    const node = this.nodes[i]!
    if (node.state !== RUNNING) throw new Error(`crash: ${node.id} is not running`)
    this.trace(`crash ${node.id} (${this.cfg.crashMode})`)
    this.wrongTotal -= node.wrong
    node.state = CRASHED
    this.runningCount--
    // uncount what it saw; seen() may say yes to a message it never marked (older than its
    // 32-seqno window), which only undercounts: a receiver then checks more ids, not fewer
    for (let m = 0; m < this.seenBy.length; m++) if (this.seen(node, m)) this.seenBy[m]!--
    for (const other of this.nodes) {
      if (other.state !== RUNNING) continue
      const st = other.det!.get(node.id)?.state
      if (st === 'alive') { other.wrong++; this.wrongTotal++ }
      if (st === 'dead') { other.wrong--; this.wrongTotal-- }
    }
    if (this.cfg.crashMode === 'kill') {
      for (const p of node.conns) this.at(this.now + this.delay(), K_CLOSED, p, i, 0, null)
    }
  }

  // ---- accounting

  private count (node: SimNode, tx: boolean, cat: number, bytes: number): void {
    if (tx) { node.txMsgs[cat]!++; node.txBytes[cat]! += bytes } else { node.rxMsgs[cat]!++; node.rxBytes[cat]! += bytes }
  }

  private expectedOk (peer: number, state: MemberState | 'unknown'): boolean {
    return this.nodes[peer]!.state === CRASHED ? state === 'dead' : state === 'alive'
  }

  private transition (node: SimNode, t: Transition): void {
    const peer = this.byId.get(t.peerId)!
    const before = this.expectedOk(peer, t.from)
    const after = this.expectedOk(peer, t.to)
    if (before && !after) { node.wrong++; this.wrongTotal++ }
    if (!before && after) { node.wrong--; this.wrongTotal-- }
    if (this.nodes[peer]!.state !== CRASHED) {
      if (t.to === 'suspect') this.falseSuspicions++
      if (t.to === 'dead') {
        this.falseDeaths++
        if (this.now - this.heard[node.i * this.nodes.length + peer]! < this.silenceToleranceMs) this.earlyDeaths++
      }
    }
    this.trace(`${node.id} sees ${t.peerId} ${t.from}->${t.to} (${t.reason})`)
  }

  // ---- membership shell

  /** Membership.drain(): apply transitions (hang up on the dead), run the probes asked for. */
  private drain (node: SimNode): void {
    const { probes, transitions } = node.det!.ready()
    if (transitions.length > 0) { node.lastChangeAt = this.now; node.directStale = true }
    for (const t of transitions) {
      this.transition(node, t)
      if (t.to === 'dead') this.hangUp(node, this.byId.get(t.peerId)!)
    }
    for (const p of probes) this.probe(node, this.byId.get(p)!)
    // Membership.arm(): one timer at the detector's next deadline, kept if already earlier.
    const at = node.det!.nextDeadline()
    if (at >= node.armedAt) return
    node.armedAt = at
    if (at !== Infinity) this.at(Math.max(this.now + 1, Math.ceil(at)), K_TICK, node.i, 0, 0, null)
  }

  /** What every heartbeat announces (quiet_ms). */
  private get quietMs (): number {
    return this.cfg.quiet ? (QUIET_FACTOR - 1) * this.cfg.heartbeatMs : 0
  }

  /** The heartbeat timer: Membership.publish(false, true), which skips a quiet one that is not due. */
  private periodicPublish (node: SimNode): void {
    const full = fullyConnected(this.relayMembers(node))
    // Membership: a member listed as heard straight from and no longer so makes the heartbeat due.
    const direct = this.directOf(node)
    const unlinked = node.lastDirect.some(p => !direct.includes(p))
    if (this.cfg.quiet && !heartbeatDue(full !== node.lastFull || unlinked, this.now - node.lastPublishAt, this.cfg.heartbeatMs)) return
    this.publish(node, full)
  }

  /** Membership.publish() through gossipsub.publish(). */
  private publish (node: SimNode, full = fullyConnected(this.relayMembers(node))): void {
    node.seq++
    node.lastFull = full
    node.lastPublishAt = this.now
    node.greeter!.published(this.now)
    const m = this.msgOrigin.length
    this.msgOrigin.push(node.i)
    this.msgSeq.push(node.seq)
    this.msgFull.push(full)
    node.lastDirect = this.directOf(node)
    this.msgDirect.push(node.lastDirect)
    this.seenBy.push(1)
    if (this.seqBig.length <= node.seq) this.seqBig.push(BigInt(node.seq))
    this.markSeen(node, m)
    node.mcache[0]!.push(m)
    const g = this.cfg.gossip
    if (g.floodPublish) {
      for (const p of node.topic) this.sendMsg(node, p, m)
    } else {
      for (const p of node.mesh) this.sendMsg(node, p, m)
      if (node.mesh.size < g.D) {
        const extra = this.shuffle([...node.topic].filter(p => !node.mesh.has(p))).slice(0, g.D - node.mesh.size)
        for (const p of extra) this.sendMsg(node, p, m)
      }
    }
  }

  /** Membership.hookDirect: a copy (fresh or not) that came straight from its author. */
  private heardFrom (node: SimNode, from: number, m: number): void {
    if (this.msgOrigin[m] === from && !node.heardDirect.has(from)) { node.heardDirect.add(from); node.directStale = true }
  }

  /** Membership.directTags(): heardDirect, but those the detector suspects or holds dead. */
  private directOf (node: SimNode): number[] {
    if (node.directStale) {
      node.direct = [...node.heardDirect].filter(p => {
        const state = node.det!.get(this.ids[p]!)?.state
        return state !== 'suspect' && state !== 'dead'
      })
      node.directStale = false
    }
    return node.direct
  }

  /** Membership.onMessage() after gossipsub accepted a fresh message. */
  private deliver (node: SimNode, m: number): void {
    const origin = this.msgOrigin[m]!
    if (origin === node.i) return
    const peerId = this.ids[origin]!
    const fresh = node.det!.heartbeat(peerId, 1n, this.seqBig[this.msgSeq[m]!]!, this.now, false, this.quietMs)
    if (fresh) {
      this.heard[node.i * this.nodes.length + origin] = this.now
      node.claims.set(origin, this.msgFull[m]!)
      node.directClaims.set(origin, this.msgDirect[m]!)
      this.know(node, origin)
    }
    this.drain(node)
  }

  /** Membership.onSubscriptionChange(): greet a peer that joined the topic (Greeter decides when). */
  private subscribed (node: SimNode, from: number): void {
    node.topic.add(from)
    const wait = node.greeter!.subscribed(this.now, node.det!.all().length)
    if (wait === 0) this.publish(node)
    else if (wait !== null) this.at(this.now + Math.ceil(wait), K_GREET, node.i, 0, 0, null)
  }

  private probe (node: SimNode, peer: number): void {
    const target = this.nodes[peer]!
    this.count(node, true, C_PROBE, PROBE_BYTES)
    const rtt = this.delay() + this.delay()
    if (target.state === RUNNING && target.stalledUntil > this.now) {
      // The kernel holds the connection; the pong comes when the process runs again.
      const answerAt = target.stalledUntil + rtt
      if (answerAt - this.now < this.cfg.probeTimeoutMs) this.at(answerAt, K_PROBE_DONE, node.i, peer, 1, null)
      else this.at(this.now + this.cfg.probeTimeoutMs, K_PROBE_DONE, node.i, peer, 2, null)
      return
    }
    if (target.state === RUNNING) {
      if (node.conns.has(peer)) {
        this.count(target, false, C_PROBE, PROBE_BYTES)
        this.count(target, true, C_PROBE, PROBE_BYTES)
        this.at(this.now + rtt, K_PROBE_DONE, node.i, peer, 1, null)
        return
      }
      // ping dials first; the connection stays (as libp2p's would)
      if (this.accepts(target)) {
        this.count(target, false, C_PROBE, PROBE_BYTES)
        this.count(target, true, C_PROBE, PROBE_BYTES)
        node.dials++
        this.connect(node, target)
        this.at(this.now + rtt + 3 * this.cfg.maxDelayMs, K_PROBE_DONE, node.i, peer, 1, null)
      } else {
        // libp2p resets it; the shell tries again at once and calls a second reset timed out.
        target.refusedDials++
        this.at(this.now + 2 * rtt, K_PROBE_DONE, node.i, peer, 2, null)
      }
      return
    }
    if (target.state === CRASHED && this.cfg.crashMode === 'hang') {
      this.at(this.now + this.cfg.probeTimeoutMs, K_PROBE_DONE, node.i, peer, 2, null)
    } else {
      this.at(this.now + rtt, K_PROBE_DONE, node.i, peer, 0, null)
    }
  }

  private probeDone (node: SimNode, peer: number, outcome: ProbeOutcome): void {
    if (outcome === 'answered') {
      this.count(node, false, C_PROBE, PROBE_BYTES)
      this.heard[node.i * this.nodes.length + peer] = this.now
    }
    node.det!.probeResult(this.ids[peer]!, outcome, this.now)
    this.drain(node)
  }

  // ---- dialer and connections

  /** Dialer.know(). */
  private know (node: SimNode, peer: number): void {
    const t = node.targets.get(peer)
    if (t === undefined) {
      node.targets.set(peer, { nextAt: 0, backoff: BACKOFF_MIN_MS, dialing: false, active: true })
      if (!node.conns.has(peer)) node.unconnected.add(peer)
    } else {
      t.active = true
    }
  }

  /**
   * Dialer.round(), over the unconnected targets only: a connected target is skipped by the
   * real round too (its backoff reset, which disconnect() does here).
   */
  private dialRound (node: SimNode): void {
    for (const peer of node.unconnected) {
      const t = node.targets.get(peer)!
      if (!t.active || t.dialing || this.now < t.nextAt) continue
      t.dialing = true
      node.dials++
      const target = this.nodes[peer]!
      if (target.state === RUNNING) {
        this.at(this.now + 3 * this.delay(), K_DIAL_DONE, node.i, peer, 1, null)
      } else if (target.state === CRASHED && this.cfg.crashMode === 'hang') {
        this.at(this.now + 5_000, K_DIAL_DONE, node.i, peer, 0, null)
      } else {
        this.at(this.now + this.delay() + this.delay(), K_DIAL_DONE, node.i, peer, 0, null)
      }
    }
  }

  private accepts (target: SimNode): boolean {
    return this.cfg.allowListed || target.conns.size < this.cfg.maxConnections
  }

  private dialDone (node: SimNode, peer: number, reachable: boolean): void {
    const t = node.targets.get(peer)!
    t.dialing = false
    const target = this.nodes[peer]!
    let ok = reachable && target.state === RUNNING
    if (ok && !node.conns.has(peer)) {
      if (this.accepts(target)) this.connect(node, target)
      else { ok = false; target.refusedDials++ }
    }
    if (ok) {
      t.backoff = BACKOFF_MIN_MS
      t.nextAt = this.now + BACKOFF_MIN_MS
    } else {
      t.nextAt = this.now + t.backoff
      t.backoff = Math.min(BACKOFF_MAX_MS, t.backoff * 2)
    }
  }

  private connect (dialer: SimNode, acceptor: SimNode): void {
    dialer.conns.add(acceptor.i)
    dialer.outbound.add(acceptor.i)
    acceptor.conns.add(dialer.i)
    dialer.unconnected.delete(acceptor.i)
    acceptor.unconnected.delete(dialer.i)
    this.trace(`connect ${dialer.id} -> ${acceptor.id}`)
    for (const [a, b] of [[dialer, acceptor], [acceptor, dialer]] as const) {
      // gossipsub addPeer: announce our subscription
      this.count(a, true, C_SUB, this.sizes.sub)
      this.count(b, false, C_SUB, this.sizes.sub)
      this.at(this.now + this.delay(), K_SUB, b.i, a.i, 0, null)
      // membership onConnect
      a.det!.connected(b.id, this.now)
      this.heard[a.i * this.nodes.length + b.i] = this.now
      this.drain(a)
    }
  }

  /** host.hangUp(): our side closes now; the peer sees the close one delay later. */
  private hangUp (node: SimNode, peer: number): void {
    if (!node.conns.has(peer)) return
    this.at(this.now, K_CLOSED, node.i, peer, 0, null)
    if (this.nodes[peer]!.state === RUNNING) this.at(this.now + this.delay(), K_CLOSED, peer, node.i, 0, null)
  }

  /** The connection to `peer` closed: gossipsub removePeer, membership onDisconnect. */
  private disconnect (node: SimNode, peer: number): void {
    node.conns.delete(peer)
    node.outbound.delete(peer)
    node.topic.delete(peer)
    if (node.heardDirect.delete(peer)) node.directStale = true
    node.mesh.delete(peer)
    const t = node.targets.get(peer)
    if (t !== undefined) { t.backoff = BACKOFF_MIN_MS; node.unconnected.add(peer) }
    this.trace(`${node.id} lost connection to ${this.ids[peer]}`)
    node.det!.disconnected(this.ids[peer]!, this.now)
    this.drain(node)
  }

  // ---- gossipsub

  private seen (node: SimNode, m: number): boolean {
    const k = node.i * this.cfg.nodes + this.msgOrigin[m]!
    const d = this.seenMax[k]! - this.msgSeq[m]!
    if (d < 0) return false
    if (d >= 32) return true
    return (this.seenMask[k]! & (1 << d)) !== 0
  }

  private markSeen (node: SimNode, m: number): void {
    const k = node.i * this.cfg.nodes + this.msgOrigin[m]!
    const s = this.msgSeq[m]!
    const d = this.seenMax[k]! - s
    if (d < 0) {
      const shift = -d
      this.seenMask[k] = shift >= 32 ? 1 : ((this.seenMask[k]! << shift) | 1) >>> 0
      this.seenMax[k] = s
    } else if (d < 32) {
      this.seenMask[k] = (this.seenMask[k]! | (1 << d)) >>> 0
    }
  }

  /** A heartbeat frame's bytes: the representative one, plus 5 bytes a member its `direct` lists. */
  private msgBytes (m: number): number {
    return this.sizes.message + DIRECT_ENTRY_BYTES * this.msgDirect[m]!.length
  }

  private sendMsg (node: SimNode, to: number, m: number): void {
    this.count(node, true, C_MSG, this.msgBytes(m))
    if (this.cfg.lossRate > 0 && this.rng() < this.cfg.lossRate) { this.lost++; return }
    this.at(this.now + this.delay(), K_MSG, to, node.i, m, null)
  }

  /** handleReceivedMessage: drop duplicates, deliver, forward to the mesh. */
  private receive (node: SimNode, from: number, m: number): void {
    if (this.seen(node, m)) { node.duplicates++; return }
    this.markSeen(node, m)
    this.seenBy[m]!++
    node.fresh++
    node.mcache[0]!.push(m)
    this.deliver(node, m)
    if (node.state !== RUNNING) return
    if (!this.relaying(node)) {
      node.relaysSkipped++
      return
    }
    const origin = this.msgOrigin[m]!
    for (const p of node.mesh) {
      if (p === from) continue
      if (this.cfg.directRelays && this.cfg.relay === 'when-needed' && !relayTo(origin, node.directClaims.get(p))) { node.relaysUnneeded++; continue }
      this.sendMsg(node, p, m)
    }
  }

  /** Membership's relay hook: mesh forwarding and IHAVE both go only while a relay is needed. */
  private relaying (node: SimNode): boolean {
    return this.cfg.relay === 'always' || relayNeeded(this.relayMembers(node), this.now - node.lastChangeAt)
  }

  /** Membership.relayMembers(): the detector's members, connections and what they claim. */
  private * relayMembers (node: SimNode): Generator<RelayMember> {
    for (const m of node.det!.all()) {
      const peer = this.byId.get(m.peerId)!
      yield { state: m.state, connected: node.conns.has(peer), fullyConnected: node.claims.get(peer) === true }
    }
  }

  private receiveMany (node: SimNode, from: number, ms: number[]): void {
    this.count(node, false, C_MSG, frame(0) + ms.reduce((a, m) => a + this.msgBytes(m) - TRANSPORT_BYTES, 0))
    for (const m of ms) { this.heardFrom(node, from, m); this.receive(node, from, m) }
  }

  private backedOff (node: SimNode, peer: number): boolean {
    const until = node.backoff.get(peer)
    if (until === undefined) return false
    if (until <= this.now) { node.backoff.delete(peer); return false }
    return true
  }

  private shuffle<T> (xs: T[]): T[] {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = Math.floor(this.rng() * (i + 1))
      const t = xs[i]!
      xs[i] = xs[j]!
      xs[j] = t
    }
    return xs
  }

  /** gossipsub heartbeat(): mesh maintenance, IHAVE emission, coalesced GRAFT/PRUNE, cache shift. */
  private gossipHeartbeat (node: SimNode): void {
    const g = this.cfg.gossip
    node.gossipTicks++
    node.peerhave.clear()
    node.iasked.clear()
    if (node.gossipTicks % g.mcacheLength === 0) node.retrans.clear()
    const candidates = this.shuffle([...node.topic].filter(p => !node.mesh.has(p)))
    const meshCandidates = candidates.filter(p => !this.backedOff(node, p))
    const toGossip = new Set(candidates)
    const flags = new Map<number, number>()
    const graft = (p: number): void => {
      node.mesh.add(p)
      toGossip.delete(p)
      flags.set(p, (flags.get(p) ?? 0) | F_GRAFT)
    }
    const prune = (p: number): void => {
      node.backoff.set(p, this.now + g.pruneBackoffMs)
      node.mesh.delete(p)
      toGossip.add(p)
      flags.set(p, (flags.get(p) ?? 0) | F_PRUNE)
    }
    let next = 0
    if (node.mesh.size < g.Dlo) {
      const ineed = g.D - node.mesh.size
      for (; next < meshCandidates.length && node.mesh.size < g.D && next < ineed; next++) graft(meshCandidates[next]!)
    }
    if (node.mesh.size > g.Dhi) {
      const peers = this.shuffle([...node.mesh])
      // keep D, Dout of them outbound if there are that many
      const keep = peers.slice(0, g.D)
      let out = keep.filter(p => node.outbound.has(p)).length
      for (let j = g.D; j < peers.length && out < g.Dout; j++) {
        const p = peers[j]!
        if (!node.outbound.has(p)) continue
        const inIdx = keep.findIndex(q => !node.outbound.has(q))
        if (inIdx < 0) break
        keep[inIdx] = p
        out++
      }
      const kept = new Set(keep)
      for (const p of peers) if (!kept.has(p)) prune(p)
    }
    if (node.mesh.size >= g.Dlo) {
      let out = 0
      for (const p of node.mesh) if (node.outbound.has(p)) out++
      for (let j = next; j < meshCandidates.length && out < g.Dout; j++) {
        const p = meshCandidates[j]!
        if (node.outbound.has(p) && !node.mesh.has(p)) { graft(p); out++ }
      }
    }
    // emitGossip
    let count = 0
    const pending: number[] = []
    for (let w = 0; w < g.mcacheGossip; w++) {
      const window = node.mcache[w]!
      count += window.length
      for (const m of window) if (this.seenBy[m]! < this.runningCount) pending.push(m)
    }
    const ihave = new Map<number, number[]>()
    if (count > 0 && toGossip.size > 0 && this.relaying(node)) {
      let target = Math.max(g.Dlazy, g.gossipFactor * toGossip.size)
      let peers = [...toGossip]
      if (target >= peers.length) target = peers.length
      else peers = this.shuffle(peers).slice(0, target)
      // Over maxIHaveLength ids gossipsub sends each peer its own random subset; here each
      // id goes in independently with the same probability (only pending ids need drawing).
      const p = count > g.maxIHaveLength ? g.maxIHaveLength / count : 1
      for (const peer of peers) ihave.set(peer, p === 1 ? pending : pending.filter(() => this.rng() < p))
    }
    const idsSent = Math.min(count, g.maxIHaveLength)
    for (const [p, list] of ihave) this.sendControl(node, p, flags.get(p) ?? 0, list, idsSent)
    for (const [p, f] of flags) if (!ihave.has(p)) this.sendControl(node, p, f, null, 0)
    node.mcache.pop()
    node.mcache.unshift([])
  }

  /** A control frame; `ihave` lists the pending ids of an IHAVE of `idsSent` ids. */
  private sendControl (node: SimNode, to: number, flags: number, ihave: number[] | null, idsSent: number): void {
    const s = this.sizes
    let bytes = 0
    let cat = C_CTRL
    if (ihave !== null) { bytes += s.ihaveBase + idsSent * s.perId; cat = C_IHAVE }
    if ((flags & F_GRAFT) !== 0) bytes += s.graftPrune - (bytes > 0 ? TRANSPORT_BYTES : 0)
    if ((flags & F_PRUNE) !== 0) bytes += s.graftPrune - (bytes > 0 ? TRANSPORT_BYTES : 0)
    this.count(node, true, cat, bytes)
    if (this.cfg.lossRate > 0 && this.rng() < this.cfg.lossRate) { this.lost++; return }
    this.at(this.now + this.delay(), K_CTRL, to, node.i, flags + 256 * bytes, ihave)
  }

  private control (node: SimNode, from: number, c: number, ihave: number[] | null): void {
    const flags = c & 0xff
    const bytes = Math.floor(c / 256)
    this.count(node, false, ihave !== null ? C_IHAVE : C_CTRL, bytes)
    const g = this.cfg.gossip
    if (ihave !== null) {
      const have = (node.peerhave.get(from) ?? 0) + 1
      node.peerhave.set(from, have)
      const asked = node.iasked.get(from) ?? 0
      if (have <= g.maxIHaveMessages && asked < g.maxIHaveLength) {
        let want: number[] = []
        // seen(), inlined: this loop is most of a large simulation's time
        const base = node.i * this.cfg.nodes
        const origin = this.msgOrigin
        const seq = this.msgSeq
        const max = this.seenMax
        const mask = this.seenMask
        for (let j = 0; j < ihave.length; j++) {
          const m = ihave[j]!
          const k = base + origin[m]!
          const d = max[k]! - seq[m]!
          if (d < 0 || (d < 32 && (mask[k]! & (1 << d)) === 0)) want.push(m)
        }
        if (want.length > 0) {
          const iask = Math.min(want.length, g.maxIHaveLength - asked)
          want = this.shuffle(want).slice(0, iask)
          node.iasked.set(from, asked + iask)
          const b = this.sizes.ihaveBase + want.length * this.sizes.perId
          this.count(node, true, C_IWANT, b)
          if (!(this.cfg.lossRate > 0 && this.rng() < this.cfg.lossRate)) this.at(this.now + this.delay(), K_IWANT, from, node.i, b, want)
          else this.lost++
        }
      }
    }
    if ((flags & F_GRAFT) !== 0 && !node.mesh.has(from)) {
      if (this.backedOff(node, from)) {
        node.backoff.set(from, this.now + g.pruneBackoffMs)
        this.sendControl(node, from, F_PRUNE, null, 0)
      } else if (node.mesh.size >= g.Dhi && !node.outbound.has(from)) {
        node.backoff.set(from, this.now + g.pruneBackoffMs)
        this.sendControl(node, from, F_PRUNE, null, 0)
      } else {
        node.mesh.add(from)
      }
    }
    if ((flags & F_PRUNE) !== 0) {
      node.mesh.delete(from)
      node.backoff.set(from, this.now + g.pruneBackoffMs)
    }
  }

  private iwant (node: SimNode, from: number, ids: number[]): void {
    this.count(node, false, C_IWANT, this.sizes.ihaveBase + ids.length * this.sizes.perId)
    const g = this.cfg.gossip
    const out: number[] = []
    for (const m of ids) {
      let cached = false
      for (const w of node.mcache) if (w.includes(m)) { cached = true; break }
      if (!cached) continue
      const key = m * this.cfg.nodes + from
      const n = (node.retrans.get(key) ?? 0) + 1
      node.retrans.set(key, n)
      if (n > g.gossipRetransmission) continue
      out.push(m)
    }
    if (out.length === 0) return
    this.count(node, true, C_MSG, frame(0) + out.reduce((a, m) => a + this.msgBytes(m) - TRANSPORT_BYTES, 0))
    if (this.cfg.lossRate > 0 && this.rng() < this.cfg.lossRate) { this.lost++; return }
    this.at(this.now + this.delay(), K_MSGS, from, node.i, 0, out)
  }

  // ---- measurements

  running (): SimNode[] {
    return this.nodes.filter(n => n.state === RUNNING)
  }

  /** Counters of every running node, to diff against later. */
  /** Every running node's counters now, or (`zero`) as they were before anything ran. */
  snapshot (zero = false): Map<number, { tx: number[], txb: number[], rx: number[], rxb: number[], dup: number, fresh: number, dials: number, refused: number, unneeded: number }> {
    const out = new Map<number, { tx: number[], txb: number[], rx: number[], rxb: number[], dup: number, fresh: number, dials: number, refused: number, unneeded: number }>()
    const none = CATEGORIES.map(() => 0)
    for (const n of this.running()) {
      out.set(n.i, zero
        ? { tx: none, txb: none, rx: none, rxb: none, dup: 0, fresh: 0, dials: 0, refused: 0, unneeded: 0 }
        : { tx: [...n.txMsgs], txb: [...n.txBytes], rx: [...n.rxMsgs], rxb: [...n.rxBytes], dup: n.duplicates, fresh: n.fresh, dials: n.dials, refused: n.refusedDials, unneeded: n.relaysUnneeded })
    }
    return out
  }

  /** Traffic per live node per second between `since` (a snapshot) and now. */
  traffic (since: ReturnType<MembershipSim['snapshot']>, windowMs: number): TrafficWindow {
    const live = this.running().filter(n => since.has(n.i))
    const per = (f: (n: SimNode, s: NonNullable<ReturnType<typeof since.get>>) => number): number =>
      live.reduce((a, n) => a + f(n, since.get(n.i)!), 0) / live.length / (windowMs / 1000)
    const cat = (pick: (n: SimNode) => Float64Array, base: 'tx' | 'txb' | 'rx' | 'rxb'): number[] =>
      CATEGORIES.map((_, c) => per((n, s) => pick(n)[c]! - s[base][c]!))
    let dup = 0
    let fresh = 0
    for (const n of live) { dup += n.duplicates - since.get(n.i)!.dup; fresh += n.fresh - since.get(n.i)!.fresh }
    const stat = (xs: number[]): { min: number, mean: number, max: number } =>
      ({ min: Math.min(...xs), mean: xs.reduce((a, b) => a + b, 0) / xs.length, max: Math.max(...xs) })
    return {
      txMsgs: cat(n => n.txMsgs, 'tx'),
      txBytes: cat(n => n.txBytes, 'txb'),
      rxMsgs: cat(n => n.rxMsgs, 'rx'),
      rxBytes: cat(n => n.rxBytes, 'rxb'),
      duplicatesPerMessage: fresh === 0 ? 0 : dup / fresh,
      relaysUnneededPerNodePerSecond: per((n, s) => n.relaysUnneeded - s.unneeded),
      dialsPerNodePerSecond: per((n, s) => n.dials - s.dials),
      refusedDialsPerNodePerSecond: per((n, s) => n.refusedDials - s.refused),
      meshSize: stat(live.map(n => n.mesh.size)),
      connections: stat(live.map(n => n.conns.size))
    }
  }

  /**
   * Stop a node's process for `ms` (a SIGSTOP, or an event loop starved by a loaded machine):
   * it sends nothing and handles nothing, connections stay open, probes to it time out; then
   * it handles everything that arrived meanwhile. Its peers must suspect it at most: a
   * timed-out probe is not a refusal, and the stall is shorter than probeAfterMs +
   * probeTimeoutMs + deadAfterMs.
   */
  /**
   * The least silence after which a detector may declare a peer dead that refuses nothing: a
   * probe after --probe-after-ms (plus quiet_ms with quiet heartbeats), its timeout making the
   * peer suspect, then --dead-after-ms with no sign of life.
   */
  get silenceToleranceMs (): number {
    return this.cfg.probeAfterMs + this.quietMs + this.cfg.probeTimeoutMs + this.cfg.deadAfterMs
  }

  stall (i: number, ms: number): void {
    const node = this.nodes[i]!
    if (node.state !== RUNNING) throw new Error(`stall: ${node.id} is not running`)
    if (ms >= RING_MS) throw new Error(`stall: at most ${RING_MS - 1} ms`)
    this.trace(`stall ${node.id} for ${ms} ms`)
    node.stalledUntil = this.now + ms
  }

  /** A random running node. */
  pickRunning (): number {
    const live = this.running()
    return live[Math.floor(this.rng() * live.length)]!.i
  }
}

// ---- the scenario the tests and the bench run ------------------------------------------------

export interface ScenarioOptions {
  /** Give up on convergence this long after the last start / the crash. */
  limitMs: number
  /** Wait after convergence before measuring: the greetings of the join leave the caches. */
  settleMs: number
  /** Steady-state window over which traffic is measured. */
  steadyMs: number
  /** Crash one random node after the steady window and time its detection. */
  crash: boolean
  /** Before the crash, stall one random node this long (MembershipSim.stall) and wait for every view to be right again. */
  stallMs?: number
}

export interface ScenarioResult {
  seed: number
  nodes: number
  lastStartAt: number
  /** From the last node's start until every live node sees every other alive; null if never. */
  joinConvergenceMs: number | null
  /** Traffic from the first start until the join converged (or gave up), per live node per second. */
  join: TrafficWindow
  steady: TrafficWindow
  /** From the crash until every survivor sees the victim dead and the rest alive. */
  crashDetectionMs: number | null
  crashed: string | null
  falseSuspicions: number
  falseDeaths: number
  /** Of the run's end; 0 when converged. */
  wrongViews: number
  /** With stallMs: the node stalled, suspicions and deaths of it (or anyone) from the stall on until the probes sent during it resolved, and from its resumption until every view was right (null: never). */
  stall?: { node: string, suspicions: number, deaths: number, earlyDeaths: number, recoveredMs: number | null }
}

export function runScenario (cfg: MembershipSimConfig, opts: ScenarioOptions): { sim: MembershipSim, result: ScenarioResult } {
  const sim = new MembershipSim(cfg)
  const doneJoin = (): boolean => sim.allStarted && sim.wrongTotal === 0
  const joined = sim.runUntil(sim.lastStartAt + opts.limitMs, doneJoin)
  const joinConvergenceMs = joined ? sim.now - sim.lastStartAt : null
  const join = sim.traffic(sim.snapshot(true), Math.max(1, sim.now))
  sim.runUntil(sim.now + opts.settleMs - 1)
  const before = sim.snapshot()
  const steadyFrom = sim.now
  sim.runUntil(sim.now + opts.steadyMs - 1)
  const steady = sim.traffic(before, sim.now - steadyFrom)
  let stall: ScenarioResult['stall']
  if (opts.stallMs != null && opts.stallMs > 0) {
    const victim = sim.pickRunning()
    const s0 = sim.falseSuspicions
    const d0 = sim.falseDeaths
    const e0 = sim.earlyDeaths
    sim.stall(victim, opts.stallMs)
    const resumeAt = sim.now + opts.stallMs
    sim.runUntil(resumeAt)
    const recovered = sim.runUntil(resumeAt + opts.limitMs, () => sim.wrongTotal === 0)
    const recoveredMs = recovered ? sim.now - resumeAt : null
    // A probe sent while the victim was stopped may time out just after it resumed, and make
    // it suspect once more (never dead): that suspicion is the stall's too. Its count closes
    // once every such probe has resolved.
    sim.runUntil(resumeAt + cfg.probeTimeoutMs)
    stall = { node: sim.nodes[victim]!.id, suspicions: sim.falseSuspicions - s0, deaths: sim.falseDeaths - d0, earlyDeaths: sim.earlyDeaths - e0, recoveredMs }
  }
  let crashDetectionMs: number | null = null
  let crashed: string | null = null
  if (opts.crash) {
    const victim = sim.pickRunning()
    crashed = sim.nodes[victim]!.id
    const crashAt = sim.now
    sim.crash(victim)
    const detected = sim.runUntil(crashAt + opts.limitMs, () => sim.wrongTotal === 0)
    crashDetectionMs = detected ? sim.now - crashAt : null
  }
  return {
    sim,
    result: {
      seed: cfg.seed,
      nodes: cfg.nodes,
      lastStartAt: sim.lastStartAt,
      joinConvergenceMs,
      join,
      steady,
      crashDetectionMs,
      crashed,
      // the stall's suspicions are its own figure
      falseSuspicions: sim.falseSuspicions - (stall?.suspicions ?? 0),
      falseDeaths: sim.falseDeaths - (stall?.deaths ?? 0),
      wrongViews: sim.wrongTotal,
      ...(stall != null ? { stall } : {})
    }
  }
}
