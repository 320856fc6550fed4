// Carries Raft messages over /meshnode/raft/1.0.0. Each direction between two nodes uses one
// long-lived stream of length-prefixed RaftMessage frames, so a heartbeat costs one frame,
// not a stream negotiation. Raft tolerates loss, so a send that cannot go out now is dropped
// (bounded queue per peer) rather than blocking the core. Inbound frames are decoded with a
// size limit, and a frame whose `from` is not the authenticated remote peer, or whose `to` is
// not us, is dropped and counted: a peer cannot speak for another. Each peer's frames are held
// to RAFT_FRAME_RATE; a frame over it is dropped unread (counted), which Raft tolerates.
//
// A write never goes to a stream that has closed, and every write has a deadline: on a stream
// closed under it, a write can wait forever. it-byte-stream's write resolves only when the
// stream's sink takes the bytes from its queueless pushable, and when the sink stops because
// the stream closed, the pushable's return() overwrites a value still waiting there without
// settling its write. Two writes in a row onto an already closed stream lose that race whenever
// the sink's chain is a few microtasks longer than the writer's, as it is with libp2p's
// Prometheus metrics wired in (their _track() wraps every stream's sink in an it-foreach
// generator); the first write "succeeds" into the void, the second never settles, and this
// peer's queue is stuck behind it for good. A paused node met exactly that on waking (its
// streams were closed by the peers that had declared it dead, and a burst of Raft replies was
// waiting): nothing it said reached the leader, so it never learned it had been declared dead.
//
// A stream is opened only on a connection that is open. With none, the transport does not dial
// the peer itself: it asks the dialer (`connect`), which dials under its congestion window
// (src/node/transport/dialer.ts), and drops what is queued — Raft retransmits, and the next
// frame after the connection opens goes out on it. Raft used to dial under its own 2 s abort:
// at 50 processes on 2 cores (load ~90) a Noise handshake takes longer than that, so every
// pre-vote request aborted a handshake half done, outside the dialer's window, and was lost —
// 95 % of them in one run, and no leader was ever elected (BENCHMARKS.md, issue 14, stop 42).
//
// Vouches (src/healing/liveness.ts) ride here too: a frame to a peer carries one at most every
// VOUCH_GAP_MS when `vouchFor` gives one (the consensus service: only as leader). An inbound
// frame's vouch is read after the frame itself was checked and delivered, and never reaches the
// Raft core: counted only from the leader this node follows, over its own member list
// (`followed`, readVouch), it goes to `onVouched`; a malformed or oversize one is dropped and
// counted, the frame and the stream go on. When a frame last came from each peer is kept for
// makeVouch.
import type { Connection, PeerId, Stream } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { performance } from 'node:perf_hooks'
import { pbStream, type ProtobufStream } from 'it-protobuf-stream'
import { openConnectionTo, streamTo, writable } from './stream-to.js'
import { DIAL_TIMEOUT_MS } from './dialer.js'
import type { Message } from '../../consensus/types.js'
import { MAX_RAFT_FRAME_BYTES, RAFT_FRAME_RATE, RAFT_MAX_STREAMS, RAFT_PROTOCOL } from '../../wire/constants.js'
import { MessageType, RaftMessage } from '../../wire/proto/raft.js'
import { fromWire, toWire } from '../../wire/raft-codec.js'
import type { Host } from './host.js'
import type { Logger } from '../log.js'
import { countReject, type Metrics } from '../metrics.js'
import { StreamDeadline } from './rpc.js'
import { RateGuard } from './limits.js'
import { VOUCH_GAP_MS, readVouch, type MemberList, type Vouch } from '../../healing/liveness.js'

/** A stream silent this long is closed; an active leader sends heartbeats far more often. */
const IDLE_TIMEOUT_MS = 30_000
/** Messages waiting for one peer's stream; beyond this the oldest are dropped. */
const MAX_QUEUE = 1024
/**
 * Opening a stream on an open connection (one multistream-select round trip). Generous: at load
 * ~90 it took 1.1–5.4 s (p10–p90), and an open aborted half done is lost with its frames while
 * the next one pays the round trip again (BENCHMARKS.md, issue 14, stop 42).
 */
const OPEN_TIMEOUT_MS = 10_000
/** A dial of our own, only for a peer the dialer has no address for (`connect` said no): as long as the dialer's. */
const DIAL_OPEN_TIMEOUT_MS = DIAL_TIMEOUT_MS
/**
 * A write waits for the muxer to take its bytes, which a live peer does within its flow-control
 * window; generous, so a 4 MiB frame to a slow peer is not cut off, and only a wedged stream
 * (see the module comment) ever reaches it.
 */
const WRITE_TIMEOUT_MS = 10_000

/** Each Raft message type's name in the traffic counts (transport/traffic.ts). */
const RAFT_KIND: Record<Message['type'], string> = {
  append: 'raft.append',
  appendResp: 'raft.appendResp',
  heartbeat: 'raft.heartbeat',
  heartbeatResp: 'raft.heartbeatResp',
  snapshot: 'raft.snapshot',
  vote: 'raft.vote',
  prevote: 'raft.prevote',
  voteResp: 'raft.voteResp',
  prevoteResp: 'raft.prevoteResp',
  timeoutNow: 'raft.timeoutNow'
}

/** A pulse queued for a peer (src/healing/liveness.ts): a frame with only from and to. */
const PULSE = Symbol('pulse')

interface Outbound {
  pb?: ProtobufStream<Stream>
  stream?: Stream
  /** The stream's write deadline (WRITE_TIMEOUT_MS), one for all its writes. */
  deadline?: StreamDeadline
  queue: Array<Message | typeof PULSE>
  flushing: boolean
}

export class RaftTransport {
  private readonly out = new Map<string, Outbound>()
  /** When a frame last went out to each peer (performance.now()): frames as liveness, src/healing/liveness.ts. */
  private readonly sentAt = new Map<string, number>()
  /** When an admitted frame last came from each peer (performance.now()): what a leader vouches for. */
  private readonly heardAt = new Map<string, number>()
  /** When a vouch last went out to each peer (performance.now()). */
  private readonly vouchedAt = new Map<string, number>()
  private stopped = false
  private readonly guard: RateGuard

  constructor (
    private readonly host: Host,
    private readonly log: Logger,
    private readonly metrics: Metrics,
    private readonly deliver: (msg: Message) => void,
    /** Whether to hear raft from this peer at all (members only: see ConsensusService). */
    private readonly admit: (peer: string) => boolean = () => true,
    /** The clock the per-peer frame rate reads. */
    now: () => number = Date.now
  ) {
    this.guard = new RateGuard(RAFT_FRAME_RATE, RAFT_PROTOCOL, metrics, log, now)
  }

  async start (): Promise<void> {
    await this.host.handle(RAFT_PROTOCOL, ({ stream, connection }) => { void this.receive(stream, connection) }, {
      maxInboundStreams: RAFT_MAX_STREAMS,
      maxOutboundStreams: RAFT_MAX_STREAMS
    })
  }

  async stop (): Promise<void> {
    this.stopped = true
    await this.host.unhandle(RAFT_PROTOCOL)
    for (const o of this.out.values()) {
      o.stream?.abort(new Error('transport stopped'))
      o.deadline?.close()
    }
    this.out.clear()
    this.sentAt.clear()
    this.heardAt.clear()
    this.vouchedAt.clear()
  }

  /** Told of each pulse from an admitted member (checked like a Raft frame); never reaches `deliver`. */
  onPulse?: (peer: string) => void

  /**
   * Asks for a connection to `peer` (the dialer's want()): true if one is being made, and then
   * the transport waits for it rather than dialling; false if it must dial the peer itself.
   */
  connect?: (peer: string) => boolean

  /** When a frame to `peer` was last handed to its stream (performance.now()), or undefined. */
  lastSentTo (peer: string): number | undefined {
    return this.sentAt.get(peer)
  }

  /** When an admitted, well-addressed frame (Raft or pulse) last came from `peer` (performance.now()), or undefined. */
  lastHeardFrom (peer: string): number | undefined {
    return this.heardAt.get(peer)
  }

  /** The vouch a frame to `peer` may carry now, if any (asked at most every VOUCH_GAP_MS per peer). */
  vouchFor?: (peer: string) => Vouch | undefined

  /** The leader this node follows and its member list, when it reads vouches at all. */
  followed?: () => { leader: string | null, list: MemberList } | undefined

  /** Told of the members each counted vouch names (`leader` is the peer it came from). */
  onVouched?: (leader: string, members: string[]) => void

  send (msg: Message): void {
    this.enqueue(msg.to, msg)
  }

  /**
   * A sign of life for `peer`, which counts frames as liveness (src/healing/liveness.ts): on the
   * same stream as Raft, dropped with it if the stream fails (the next one goes 2 s later).
   */
  pulse (peer: string): void {
    this.enqueue(peer, PULSE)
  }

  /** Whether a frame to `peer` goes out at once: its stream is open and writable, none is being opened. */
  ready (peer: string): boolean {
    const o = this.out.get(peer)
    return o?.pb != null && o.stream != null && writable(o.stream)
  }

  /**
   * Opens the stream to `peer`, sending nothing, if it has none and a connection is open (no
   * dial): what is queued next, a pulse say, then goes out at once (ready).
   */
  warm (peer: string): void {
    if (this.stopped || this.ready(peer)) return
    const o = this.outbound(peer)
    if (o.flushing) return
    let pid: PeerId
    try { pid = peerIdFromString(peer) } catch { return }
    if (openConnectionTo(this.host, pid) == null) return
    void this.flush(peer, o, true)
  }

  private outbound (to: string): Outbound {
    let o = this.out.get(to)
    if (o == null) {
      o = { queue: [], flushing: false }
      this.out.set(to, o)
    }
    return o
  }

  private enqueue (to: string, item: Message | typeof PULSE): void {
    if (this.stopped) return
    const o = this.outbound(to)
    o.queue.push(item)
    if (o.queue.length > MAX_QUEUE) {
      o.queue.splice(0, o.queue.length - MAX_QUEUE)
      this.metrics.raftDropped.inc()
    }
    if (!o.flushing) void this.flush(to, o)
  }

  /** Sends what is queued for `to`; `open`: open its stream even with nothing queued (warm). */
  private async flush (to: string, o: Outbound, open = false): Promise<void> {
    o.flushing = true
    /** When the stream being opened started opening (for the logs). */
    let opening: number | undefined
    try {
      while ((o.queue.length > 0 || (open && o.pb == null)) && !this.stopped) {
        if (o.stream != null && !writable(o.stream)) {
          // Closed since the last write (the peer hung up, or the connection dropped): a
          // write to it may never settle. Open a fresh one; what is queued goes out on it.
          this.log.trace({ peer: to, status: o.stream.status }, 'raft stream closed; reopening')
          o.stream.abort(new Error('raft stream closed'))
          dropStream(o)
        }
        if (o.pb == null) {
          opening = performance.now()
          const pid = peerIdFromString(to)
          const connected = openConnectionTo(this.host, pid) != null
          if (!connected && this.connect?.(to) === true) {
            // The dialer connects it; Raft retransmits what is dropped here.
            this.metrics.raftDropped.inc(o.queue.length)
            o.queue.length = 0
            break
          }
          const stream = await streamTo(this.host, pid, pid, RAFT_PROTOCOL, { signal: AbortSignal.timeout(connected ? OPEN_TIMEOUT_MS : DIAL_OPEN_TIMEOUT_MS) })
          o.stream = stream
          o.pb = pbStream(stream, { maxDataLength: MAX_RAFT_FRAME_BYTES })
          o.deadline = new StreamDeadline(WRITE_TIMEOUT_MS)
          this.log.debug({ peer: to, openMs: Math.round(performance.now() - opening), connected }, 'raft stream opened')
          opening = undefined
          if (o.queue.length === 0) break
        }
        const batch = o.queue.splice(0, o.queue.length)
        const self = this.host.peerId.toString()
        let pulses = 0
        const frames = batch.map(m => {
          if (m !== PULSE) return toWire(m)
          pulses++
          return pulseFrame(self, to)
        })
        this.attachVouch(to, frames)
        const deadline = o.deadline!
        try {
          await o.pb.writeV(frames, RaftMessage, { signal: deadline.arm() })
        } finally {
          deadline.disarm()
        }
        this.metrics.raftSent.inc(batch.length - pulses)
        this.metrics.pulsesSent.inc(pulses)
        const traffic = this.metrics.traffic
        traffic.send('raft.write')
        for (const m of batch) traffic.send(m === PULSE ? 'raft.pulse' : RAFT_KIND[m.type])
        this.sentAt.set(to, performance.now())
      }
    } catch (err: any) {
      // The peer is down or the stream broke: drop what is queued; Raft retransmits.
      this.log.debug({ peer: to, err: err?.message, openMs: opening == null ? undefined : Math.round(performance.now() - opening), dropped: o.queue.map(m => m === PULSE ? 'pulse' : m.type).join(',') }, 'raft send failed')
      this.metrics.raftDropped.inc(o.queue.length)
      o.queue.length = 0
      o.stream?.abort(err instanceof Error ? err : new Error(String(err)))
      dropStream(o)
    } finally {
      o.flushing = false
    }
  }

  /** Puts a vouch on the first Raft frame of a batch to `to`, at most every VOUCH_GAP_MS. */
  private attachVouch (to: string, frames: RaftMessage[]): void {
    if (this.vouchFor == null) return
    const first = frames.find(f => f.type !== MessageType.PULSE)
    if (first == null) return
    const now = performance.now()
    if (now - (this.vouchedAt.get(to) ?? -Infinity) < VOUCH_GAP_MS) return
    const vouch = this.vouchFor(to)
    if (vouch == null) return
    first.vouch = vouch
    this.vouchedAt.set(to, now)
    this.metrics.vouchesSent.inc()
  }

  private async receive (stream: Stream, connection: Connection): Promise<void> {
    const remote: PeerId = connection.remotePeer
    const peer = remote.toString()
    const self = this.host.peerId.toString()
    if (!this.admit(remote.toString())) {
      this.metrics.raftRejected.inc()
      this.metrics.strangersRefused.inc()
      countReject(this.metrics, 'raft', 'stranger')
      this.log.debug({ peer: remote.toString() }, 'raft stream from a non-member refused')
      stream.abort(new Error('not a member of this cluster'))
      return
    }
    const pb = pbStream(stream, { maxDataLength: MAX_RAFT_FRAME_BYTES })
    const idle = new StreamDeadline(IDLE_TIMEOUT_MS)
    try {
      while (!this.stopped) {
        let frame: RaftMessage
        try {
          frame = await pb.read(RaftMessage, { signal: idle.arm() })
        } finally {
          idle.disarm()
        }
        // Before the frame is checked and handed to the core, where a flood would cost the most.
        if (!this.guard.admit(peer)) continue
        if (frame.type === MessageType.PULSE) {
          // Only from and to: a sign of life from the connection's own peer, to this node.
          if (frame.from !== peer || frame.to !== self) {
            this.metrics.raftRejected.inc()
            countReject(this.metrics, 'raft', 'misaddressed')
            continue
          }
          this.metrics.pulsesReceived.inc()
          this.metrics.traffic.receive('raft.pulse')
          this.heardAt.set(peer, performance.now())
          this.onPulse?.(peer)
          continue
        }
        let msg: Message
        try {
          msg = fromWire(frame)
        } catch (err: any) {
          this.metrics.raftRejected.inc()
          countReject(this.metrics, 'raft', 'malformed')
          this.log.warn({ peer: remote.toString(), err: err?.message }, 'rejected raft frame')
          continue
        }
        // Membership can change while a stream is open: a removed member is cut off here.
        if (!this.admit(msg.from)) {
          this.metrics.raftRejected.inc()
          this.metrics.strangersRefused.inc()
          countReject(this.metrics, 'raft', 'stranger')
          stream.abort(new Error('not a member of this cluster'))
          return
        }
        if (msg.from !== remote.toString() || msg.to !== self) {
          this.metrics.raftRejected.inc()
          countReject(this.metrics, 'raft', 'misaddressed')
          this.log.warn({ peer: remote.toString(), from: msg.from, to: msg.to }, 'rejected raft frame from a peer speaking for another')
          continue
        }
        this.metrics.raftReceived.inc()
        this.metrics.traffic.receive(RAFT_KIND[msg.type])
        this.heardAt.set(peer, performance.now())
        this.deliver(msg)
        // After the frame: a new leader's first heartbeat makes it the leader this node follows.
        if (frame.vouch != null) this.vouched(peer, frame.vouch)
      }
    } catch (err: any) {
      // End of stream, idle timeout, or an oversize/undecodable frame (which ends the stream:
      // framing is lost). Only the last is hostile; count it.
      if (err?.name === 'InvalidDataLengthError' || err?.name === 'InvalidDataLengthLengthError' || /decode|length/i.test(err?.message ?? '')) {
        this.metrics.raftRejected.inc()
        countReject(this.metrics, 'raft', 'malformed')
      }
      stream.abort(err instanceof Error ? err : new Error(String(err)))
    } finally {
      idle.close()
    }
  }

  /** Reads a vouch from `peer` (readVouch) and hands on what it names; whatever happens, the stream goes on. */
  private vouched (peer: string, vouch: Vouch): void {
    try {
      const f = this.followed?.()
      const reading = f == null ? { ok: false as const, reason: 'not-leader' as const } : readVouch(peer, f.leader, vouch, f.list)
      if (!reading.ok) {
        if (reading.reason === 'malformed' || reading.reason === 'oversize') {
          this.metrics.vouchesRejected.inc()
          this.metrics.raftRejected.inc()
          countReject(this.metrics, 'raft', 'malformed')
          this.log.debug({ peer, reason: reading.reason }, 'rejected vouch')
        } else {
          this.metrics.vouchesIgnored.inc()
        }
        return
      }
      this.metrics.vouchesReceived.inc()
      this.metrics.membersVouched.inc(reading.vouched.length)
      this.onVouched?.(peer, reading.vouched)
    } catch (err: any) {
      this.log.warn({ peer, err: err?.message }, 'vouch not read')
    }
  }
}

/** Forgets a peer's outbound stream (aborted by the caller) and its write deadline. */
function dropStream (o: Outbound): void {
  o.deadline?.close()
  o.stream = undefined
  o.pb = undefined
  o.deadline = undefined
}

/** A pulse on the wire: a RaftMessage of type PULSE with from and to, every other field empty. */
function pulseFrame (from: string, to: string): RaftMessage {
  return { type: MessageType.PULSE, from, to, term: 0, prevIndex: 0, prevTerm: 0, entries: [], commit: 0, index: 0, reject: false, rejectHint: 0, hintTerm: 0, certRequired: false, lastLogIndex: 0, lastLogTerm: 0, transfer: false, chain: [], quiet: false }
}
