// Carries the work protocol (/meshnode/work/1.0.0) between nodes over one long-lived stream
// per direction and peer, as the Raft transport does: requests and responses are
// length-prefixed WorkFrames matched by id, many in flight at once. Opening a libp2p stream
// per message cost about 1.4 ms of CPU across both ends (protocol negotiation, yamux and
// Noise frames, socket writes), more than the work itself for a short task; a frame on an
// open stream costs a small fraction of that. The frames of one turn of the event loop go out
// in one write (frame-writer.ts), requests in the order they were made.
//
// Inbound frames are size-limited; a malformed or oversize frame, or one that is not a
// request, is counted and the stream is closed (the peer reopens it). The sender is always
// the connection's authenticated peer.
//
// Member traffic is not rate limited (throughput is the point), but the requests one peer has
// being handled at once are capped (MAX_WORK_IN_FLIGHT_PER_PEER, over all its streams): beyond
// it a request is answered at once with a RATE_LIMITED failure, counted, and the requester's
// own retries (batch re-send, results re-send, the next steal) recover.
import type { Connection, Stream } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { pbStream, type ProtobufStream } from 'it-protobuf-stream'
import { MAX_WORK_FRAME_BYTES, MAX_WORK_IN_FLIGHT_PER_PEER, WORK_MAX_STREAMS, WORK_PROTOCOL, WORK_TIMEOUT_MS } from '../../wire/constants.js'
import { WorkFrame, WorkRequest, type WorkResponse } from '../../wire/proto/work.js'
import { countReject, type Metrics } from '../metrics.js'
import { MeshError, errorMessage } from '../errors.js'
import type { Host } from './host.js'
import type { Logger } from '../log.js'
import { deadline } from './deadline.js'
import { FrameWriter } from './frame-writer.js'
import { Refusals } from './limits.js'
import { fail } from '../../wire/work-codec.js'
import { streamTo } from './stream-to.js'

interface Pending {
  resolve: (res: WorkResponse) => void
  reject: (err: Error) => void
  timer: NodeJS.Timeout
}

interface RequestOut { id: bigint, request: WorkRequest }

/** One direction to one peer: our requests out, its responses back. */
interface Channel {
  opening?: Promise<void>
  pb?: ProtobufStream<Stream>
  stream?: Stream
  writer?: FrameWriter<RequestOut>
  /** Requests made while the stream opens, sent first once it is open. */
  backlog: RequestOut[]
  pending: Map<bigint, Pending>
  /** When a response last arrived on this channel (ms), to tell a slow peer from a dead stream. */
  lastReadAt: number
  /** Closed: a stream its open() still brings is aborted, not adopted (it would leak). */
  closed?: boolean
}

/** A peer whose work requests keep failing is reported this often (a warning). */
const FAILING_WARN_MS = 30_000

const OPEN_TIMEOUT_MS = 5_000

export class WorkTransport {
  private readonly out = new Map<string, Channel>()
  private readonly inbound = new Set<Stream>()
  /** Requests being handled per peer; a peer with none has no entry. */
  private readonly inFlight = new Map<string, number>()
  private readonly refusals: Refusals
  private seq = 0n
  private stopped = false
  /** Per peer whose requests fail: failures in a row, since when, last reported. */
  private readonly failing = new Map<string, { count: number, since: number, reportedAt: number }>()

  constructor (
    private readonly host: Host,
    private readonly log: Logger,
    private readonly metrics: Metrics,
    private readonly handle: (from: string, req: WorkRequest) => Promise<WorkResponse>,
    /** Whether to serve this peer at all: members of the committed configuration only. */
    private readonly admit: (peer: string) => boolean = () => true,
    /** Requests one peer may have being handled at once. */
    private readonly maxInFlight = MAX_WORK_IN_FLIGHT_PER_PEER
  ) {
    this.refusals = new Refusals(WORK_PROTOCOL, metrics, log)
  }

  async start (): Promise<void> {
    await this.host.handle(WORK_PROTOCOL, ({ stream, connection }) => { void this.serve(stream, connection) }, {
      maxInboundStreams: WORK_MAX_STREAMS,
      maxOutboundStreams: WORK_MAX_STREAMS
    })
  }

  async stop (): Promise<void> {
    this.stopped = true
    await this.host.unhandle(WORK_PROTOCOL).catch(() => {})
    for (const [peer, ch] of this.out) this.close(peer, ch, new MeshError('UNREACHABLE', 'node is stopping'))
    for (const s of this.inbound) s.abort(new Error('node is stopping'))
    this.inbound.clear()
  }

  /** Sends one request to `peer` and resolves with its response. */
  async call (peer: string, req: WorkRequest, timeoutMs = WORK_TIMEOUT_MS): Promise<WorkResponse> {
    if (this.stopped) throw new MeshError('UNREACHABLE', 'node is stopping')
    let ch = this.out.get(peer)
    if (ch == null) {
      ch = { pending: new Map(), backlog: [], lastReadAt: Date.now() }
      this.out.set(peer, ch)
    }
    const channel = ch
    const id = ++this.seq
    const sentAt = Date.now()
    const result = new Promise<WorkResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        channel.pending.delete(id)
        const err = new MeshError('UNREACHABLE', `${peer} did not answer a work request within ${timeoutMs} ms`)
        reject(err)
        // Nothing at all came back on the channel since this request went out: the stream is
        // wedged (a write stuck behind a peer that was paused or cut off, a reset that never
        // surfaced). Drop it, so the next call opens a fresh one instead of queueing behind a
        // write that never ends — otherwise results for that peer stall for good.
        if (channel.lastReadAt <= sentAt) this.close(peer, channel, err)
      }, timeoutMs)
      channel.pending.set(id, { resolve, reject, timer })
    })
    this.metrics.traffic.send(workKind(req.op))
    // A failed write closes the channel and fails its calls.
    if (channel.writer != null) {
      channel.writer.push({ id, request: req })
    } else {
      channel.backlog.push({ id, request: req })
      this.open(peer, channel).catch(err => { this.close(peer, channel, err) })
    }
    try {
      const res = await result
      this.failing.delete(peer)
      return res
    } catch (err) {
      this.noteFailure(peer, err)
      throw err
    }
  }

  /**
   * Work requests to a peer that keep failing hold up whatever depends on them (results for
   * its jobs, re-sends, steals) while the peer looks alive to membership: say so, with the
   * error and the streams open to it, once per FAILING_WARN_MS.
   */
  private noteFailure (peer: string, err: unknown): void {
    const now = Date.now()
    let f = this.failing.get(peer)
    if (f == null) {
      f = { count: 0, since: now, reportedAt: now }
      this.failing.set(peer, f)
    }
    f.count++
    if (now - f.reportedAt < FAILING_WARN_MS) return
    f.reportedAt = now
    let streams = 0
    let connections = 0
    try {
      for (const c of this.host.getConnections(peerIdFromString(peer))) {
        connections++
        streams += c.streams.filter(s => s.protocol === WORK_PROTOCOL && s.direction === 'outbound').length
      }
    } catch {}
    this.log.warn({ peer, failures: f.count, failingForMs: now - f.since, err: errorMessage(err), connections, outboundWorkStreams: streams }, 'work requests to a peer keep failing')
  }

  /** Opens the channel's stream, then sends its backlog; the calls fail with the channel if it cannot. */
  private async open (peer: string, ch: Channel): Promise<void> {
    if (ch.closed === true) throw new MeshError('UNREACHABLE', `work channel to ${peer} closed`)
    ch.opening ??= (async () => {
      const { signal, clear } = deadline(OPEN_TIMEOUT_MS)
      try {
        const pid = peerIdFromString(peer)
        const stream = await streamTo(this.host, pid, pid, WORK_PROTOCOL, { signal })
        // The channel was closed while the stream opened (a timeout, a failed write): nobody
        // would ever close this stream, and leaked streams count against the connection's
        // limit of WORK_MAX_STREAMS until the peer refuses new ones.
        if (ch.closed === true) {
          stream.abort(new Error('work channel closed while opening'))
          throw new MeshError('UNREACHABLE', `work channel to ${peer} closed while opening`)
        }
        ch.stream = stream
        ch.pb = pbStream(stream, { maxDataLength: MAX_WORK_FRAME_BYTES })
        ch.writer = new FrameWriter<RequestOut>(ch.pb, stream, RequestFrame, err => { this.close(peer, ch, err) })
        for (const r of ch.backlog) ch.writer.push(r)
        ch.backlog = []
        void this.readResponses(peer, ch, ch.pb)
      } finally {
        clear()
        ch.opening = undefined
      }
    })()
    return await ch.opening
  }

  private async readResponses (peer: string, ch: Channel, pb: ProtobufStream<Stream>): Promise<void> {
    try {
      while (!this.stopped && ch.pb === pb) {
        const frame = await pb.read(WorkFrame)
        ch.lastReadAt = Date.now()
        this.metrics.traffic.receive('work.response')
        const p = ch.pending.get(frame.id)
        if (p == null || frame.response == null) continue
        ch.pending.delete(frame.id)
        clearTimeout(p.timer)
        p.resolve(frame.response)
      }
    } catch (err) {
      if (ch.pb === pb) this.close(peer, ch, err)
    }
  }

  /** Fails every call waiting on the channel and forgets its stream; the next call reopens. */
  private close (peer: string, ch: Channel, err: unknown): void {
    const reason = err instanceof Error ? err : new Error(String(err))
    ch.closed = true
    ch.writer?.close()
    ch.stream?.abort(reason)
    ch.stream = undefined
    ch.pb = undefined
    ch.writer = undefined
    ch.backlog = []
    // A fresh channel for the next call: this one's write chain may be stuck on a write that
    // never settles.
    if (this.out.get(peer) === ch) this.out.delete(peer)
    for (const p of ch.pending.values()) {
      clearTimeout(p.timer)
      p.reject(new MeshError('UNREACHABLE', `work channel to ${peer} failed: ${errorMessage(reason)}`))
    }
    ch.pending.clear()
    this.log.trace({ peer, err: reason.message }, 'work channel closed')
  }

  private done (from: string): void {
    const n = (this.inFlight.get(from) ?? 1) - 1
    if (n > 0) this.inFlight.set(from, n)
    else this.inFlight.delete(from)
  }

  /** The responder side: each request is handled as it comes; responses go back in any order. */
  private async serve (stream: Stream, connection: Connection): Promise<void> {
    const from = connection.remotePeer.toString()
    if (!this.admit(from)) {
      this.metrics.workRejected.inc()
      this.metrics.strangersRefused.inc()
      countReject(this.metrics, 'work', 'stranger')
      this.log.debug({ from }, 'work stream from a non-member refused')
      stream.abort(new Error('not a member of this cluster'))
      return
    }
    const pb = pbStream(stream, { maxDataLength: MAX_WORK_FRAME_BYTES })
    // a failed write aborts the stream, which ends the read loop below
    const writer = new FrameWriter<WorkFrame>(pb, stream, WorkFrame, () => {})
    this.inbound.add(stream)
    try {
      while (!this.stopped) {
        const frame = await pb.read(WorkFrame)
        if (frame.request == null) throw new Error('a work frame from a requester must carry a request')
        const { id, request } = frame
        this.metrics.traffic.receive(workKind(request.op))
        // A member removed while its stream is open is cut off at its next request.
        if (!this.admit(from)) throw new Error(`${from} is no longer a member`)
        const busy = this.inFlight.get(from) ?? 0
        if (busy >= this.maxInFlight) {
          this.refusals.count(from, `has ${busy} work requests in flight`)
          writer.push({ id, response: fail(`RATE_LIMITED: ${busy} of this peer's work requests are still being handled here; retry later`) })
          continue
        }
        this.inFlight.set(from, busy + 1)
        void this.handle(from, request).then(response => {
          this.metrics.workServed.inc()
          this.metrics.traffic.send('work.response')
          writer.push({ id, response })
        }, err => {
          this.log.warn({ from, err: errorMessage(err) }, 'work request failed')
        }).finally(() => { this.done(from) })
      }
    } catch (err) {
      if (!this.stopped && (err as any)?.code !== 'ERR_STREAM_RESET' && !/end of input|ended|closed/i.test(errorMessage(err))) {
        this.metrics.workRejected.inc()
        countReject(this.metrics, 'work', 'malformed')
        this.log.debug({ from, err: errorMessage(err) }, 'work stream rejected')
      }
      stream.abort(err instanceof Error ? err : new Error(String(err)))
    } finally {
      writer.close()
      this.inbound.delete(stream)
    }
  }
}

/** A work request's name in the traffic counts: its op if one this node knows (the label stays bounded). */
function workKind (op: string): string {
  return WORK_KINDS.get(op) ?? 'work.other'
}

const WORK_KINDS = new Map(['steal', 'deliver', 'signal', 'results', 'progress', 'replicate'].map(op => [op, `work.${op}`]))

/**
 * Replicate requests encoded once: the same WorkRequest object goes to every holder of a
 * submit's jobs (encodeWorkMsg), and its ~250 KB per 1 000 jobs were encoded once per holder.
 */
const encodedReplicas = new WeakMap<WorkRequest, Uint8Array>()

/**
 * A requester's frame (WorkFrame fields 1 and 2), with the request's bytes encoded once per
 * replicate request object. Decodes as any WorkFrame (test/unit/transport/work-frame.test.ts).
 */
export const RequestFrame = {
  encode ({ id, request }: { id: bigint, request: WorkRequest }): Uint8Array {
    let body = request.op === 'replicate' ? encodedReplicas.get(request) : undefined
    if (body == null) {
      body = WorkRequest.encode(request)
      if (request.op === 'replicate') encodedReplicas.set(request, body)
    }
    const head: number[] = [0x08]
    pushVarint(head, id)
    head.push(0x12)
    pushVarint(head, BigInt(body.length))
    const out = new Uint8Array(head.length + body.length)
    out.set(head, 0)
    out.set(body, head.length)
    return out
  }
}

/** Appends a protobuf base-128 varint. */
function pushVarint (to: number[], v: bigint): void {
  while (v >= 0x80n) {
    to.push(Number(v & 0x7fn) | 0x80)
    v >>= 7n
  }
  to.push(Number(v))
}
