// Call channels: many calls of a one-request, one-response protocol (admin, internal) on one
// long-lived stream per caller, node and protocol, instead of a stream per call. Each request
// goes out as a CallFrame (channel.proto) with an id of the caller's choosing and the
// request's own encoding; the server handles requests as they come and answers each with a
// CallFrame of the same id, in whatever order they finish.
//
// Why: a stream per call cost the client and the node about a millisecond of CPU each on this
// machine — the multistream-select round trip, yamux's open and close frames, and closing:
// libp2p's close() aborts an AbortController, which builds a DOMException with its stack,
// plus two AbortErrors. With 32 control-log writes in flight that was more than the writes
// themselves (BENCHMARKS.md, issue 14, stop 45). The work transport settled the same question
// the same way for node-to-node work (work-transport.ts).
//
// What stays as it was: every request is authorized, rate limited and handled exactly as on
// the per-call protocol (the services pass the same handler); a caller's concurrency is capped
// as before (CHANNEL_MAX_IN_FLIGHT per connection, the per-call protocol's stream limit); a call
// that gets no answer fails with the same errors. A node that does not speak the channel
// protocol (an older one) is called the old way, and remembered for a minute, per client host.
//
// Frames finished in one turn of the event loop go out in one write of the stream, which never
// goes to a closed stream and always has a deadline (frame-writer.ts).
import type { PeerId, Stream } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { pbStream, type ProtobufStream } from 'it-protobuf-stream'
import type { Libp2p } from 'libp2p'
import { CHANNEL_CLIENT_IDLE_MS, CHANNEL_MAX_IN_FLIGHT, CHANNEL_SERVER_IDLE_MS } from '../../wire/constants.js'
import { CallFrame } from '../../wire/proto/channel.js'
import type { Codec } from '../../wire/calls.js'
import { MeshError } from '../errors.js'
import { deadline, StreamDeadline } from './deadline.js'
import { FrameWriter } from './frame-writer.js'
import { streamEnded, streamTo } from './stream-to.js'

/** What a CallFrame adds around a body: its tags, id and length (at most 1 + 5 + 1 + 5 bytes). */
const FRAME_OVERHEAD = 16

export interface ChannelServeOptions<Req, Res> {
  request: Codec<Req>
  response: Codec<Res>
  maxRequestBytes: number
  /**
   * Calls handled at once, over all the channel streams of `connection` of this protocol (of
   * this one stream without it); beyond it no frame is read until one is answered. Per
   * connection, so a caller opening more channels gets no more than the per-call protocol's
   * stream limit gave it.
   */
  maxInFlight?: number
  connection?: object
  /** A channel with nothing read for this long is closed. */
  idleTimeoutMs?: number
}

/** Calls being handled, and the readers waiting for one to finish. */
interface Budget {
  used: number
  waiting: Array<() => void>
}

/** Per connection and protocol: the calls its channel streams have being handled. */
const budgets = new WeakMap<object, Map<string, Budget>>()

function budgetOf (connection: object | undefined, protocol: string): Budget {
  if (connection == null) return { used: 0, waiting: [] }
  let m = budgets.get(connection)
  if (m == null) {
    m = new Map()
    budgets.set(connection, m)
  }
  let b = m.get(protocol)
  if (b == null) {
    b = { used: 0, waiting: [] }
    m.set(protocol, b)
  }
  return b
}

/**
 * Serves a channel stream until the caller closes it: each request is decoded and handled as
 * it comes, and answered with its id. `handle` must answer every request (a failure is an
 * answer with a code); `answered` is told of each answer as it is sent. A channel idle for
 * `idleTimeoutMs` is closed as if the caller had closed it. Throws, after aborting the
 * stream, on a frame it cannot read (oversize, undecodable): framing is lost, nothing more is
 * handled. A caller that closes its end is answered what it already asked, then the stream
 * closes.
 */
export async function serveChannel<Req, Res> (stream: Stream, opts: ChannelServeOptions<Req, Res>, handle: (req: Req) => Promise<Res>, answered?: (res: Res) => void): Promise<void> {
  const pb = pbStream(stream, { maxDataLength: opts.maxRequestBytes + FRAME_OVERHEAD })
  const idle = new StreamDeadline(opts.idleTimeoutMs ?? CHANNEL_SERVER_IDLE_MS)
  const max = opts.maxInFlight ?? CHANNEL_MAX_IN_FLIGHT
  const budget = budgetOf(opts.connection, stream.protocol ?? '')
  let failure: Error | undefined
  const writer = new FrameWriter<CallFrame>(pb, stream, CallFrame, err => { failure = err })
  /** This stream's calls being handled. */
  let inFlight = 0
  let allDone: (() => void) | undefined
  /** Waits until the connection has a call slot free. */
  const slot = async (): Promise<void> => {
    while (budget.used >= max) await new Promise<void>(resolve => { budget.waiting.push(resolve) })
  }
  const finished = (): void => {
    inFlight--
    budget.used--
    budget.waiting.shift()?.()
    if (inFlight === 0) allDone?.()
  }
  try {
    for (;;) {
      await slot()
      if (failure != null) throw failure
      let frame: CallFrame
      try {
        frame = await pb.read(CallFrame, { signal: idle.arm() })
      } catch (err) {
        if (failure != null) throw failure
        // The caller hung up, or sent nothing for the idle time: no fault of its frames.
        if (!streamEnded(err) && !idle.signal.aborted) throw err
        break
      } finally {
        idle.disarm()
      }
      const req = opts.request.decode(frame.body)
      const id = frame.id
      // Another stream of the connection may have taken the last slot while this one read.
      await slot()
      inFlight++
      budget.used++
      handle(req).then(res => {
        writer.push({ id, body: opts.response.encode(res) })
        answered?.(res)
      }, (err: unknown) => {
        // The services answer every failure with a code; a throw here is a bug. The stream is
        // aborted: the caller's calls on it fail as unanswered, and its next call opens another.
        failure ??= err instanceof Error ? err : new Error(String(err))
        stream.abort(failure)
      }).finally(finished)
    }
    // The caller closed its end: answer what it asked, then close.
    if (inFlight > 0) await new Promise<void>(resolve => { allDone = resolve })
    await writer.drained()
    if (failure != null) throw failure
    await stream.close().catch(() => {})
  } catch (err) {
    stream.abort(err instanceof Error ? err : new Error(String(err)))
    throw err
  } finally {
    idle.close()
    writer.close()
  }
}

/** How a channel call is made: the per-call descriptor's codecs and limits, and the channel's protocol. */
export interface ChannelCall<Req, Res> {
  channel: string
  request: Codec<Req>
  response: Codec<Res>
  maxResponseBytes: number
  timeoutMs: number
}

interface Pending {
  resolve: (body: Uint8Array) => void
  reject: (err: Error) => void
  timer: NodeJS.Timeout
  sentAt: number
}

/** The caller's end of one channel: its stream, the calls waiting for answers. */
class ClientChannel {
  private stream?: Stream
  private writer?: FrameWriter<CallFrame>
  private opening?: Promise<FrameWriter<CallFrame>>
  private readonly pending = new Map<number, Pending>()
  private seq = 0
  private closed = false
  private lastReadAt = 0
  private idleTimer?: NodeJS.Timeout

  constructor (
    private readonly host: Libp2p,
    private readonly peer: PeerId,
    private readonly protocol: string,
    private readonly maxFrameBytes: number,
    private readonly forget: (ch: ClientChannel) => void
  ) {}

  get isClosed (): boolean {
    return this.closed
  }

  get isOpen (): boolean {
    return this.writer != null && !this.closed
  }

  /** The writer of an open stream, opening one if needed (its errors are the caller's to map). */
  async open (dialTarget: PeerId | Multiaddr, signal: AbortSignal): Promise<FrameWriter<CallFrame>> {
    if (this.writer != null) return this.writer
    this.opening ??= (async () => {
      try {
        const stream = await streamTo(this.host, this.peer, dialTarget, this.protocol, { signal })
        if (this.closed) {
          // Closed while opening (a failure of calls that went before): nobody would close it.
          stream.abort(new Error('channel closed while opening'))
          throw new MeshError('UNREACHABLE', 'channel closed while opening')
        }
        const pb = pbStream(stream, { maxDataLength: this.maxFrameBytes })
        this.stream = stream
        this.writer = new FrameWriter<CallFrame>(pb, stream, CallFrame, err => { this.close(err) })
        void this.read(pb)
        return this.writer
      } finally {
        this.opening = undefined
      }
    })()
    return await this.opening
  }

  /**
   * Sends `body` as call `id` on the open channel; resolves with the answer's body. Fails with
   * `unanswered` when the channel ends first, and after `timeoutMs` (then, if nothing at all
   * came back since the call went out, the stream is taken to be wedged and closed).
   */
  async send (body: Uint8Array, timeoutMs: number, unanswered: (reason: Error) => Error, late: () => Error): Promise<Uint8Array> {
    const writer = this.writer
    if (writer == null || this.closed) throw unanswered(new Error('channel closed'))
    const id = this.seq = (this.seq + 1) >>> 0
    clearTimeout(this.idleTimer)
    const sentAt = performance.now()
    const answer = new Promise<Uint8Array>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id)
        reject(late())
        if (this.lastReadAt <= sentAt) this.close(new Error(`no frame within ${timeoutMs} ms`))
        else this.idleSoon()
      }, timeoutMs)
      this.pending.set(id, {
        resolve,
        reject: err => { reject(unanswered(err)) },
        timer,
        sentAt
      })
    })
    writer.push({ id, body })
    return await answer
  }

  private async read (pb: ProtobufStream<Stream>): Promise<void> {
    try {
      for (;;) {
        const frame = await pb.read(CallFrame)
        this.lastReadAt = performance.now()
        const p = this.pending.get(frame.id)
        if (p == null) continue // answered after its call timed out
        this.pending.delete(frame.id)
        clearTimeout(p.timer)
        p.resolve(frame.body)
        this.idleSoon()
      }
    } catch (err) {
      this.close(err instanceof Error ? err : new Error(String(err)))
    }
  }

  /** With no call waiting, close the channel after CHANNEL_CLIENT_IDLE_MS unused. */
  private idleSoon (): void {
    if (this.pending.size > 0 || this.closed) return
    clearTimeout(this.idleTimer)
    this.idleTimer = setTimeout(() => {
      if (this.pending.size > 0 || this.closed) return
      this.closed = true
      this.forget(this)
      this.writer?.close()
      void this.stream?.close().catch(() => { this.stream?.abort(new Error('channel close failed')) })
    }, CHANNEL_CLIENT_IDLE_MS)
    // An idle channel never holds a process open (the CLI exits after its call).
    this.idleTimer.unref()
  }

  /** Fails every call waiting and forgets the stream; the next call opens a new channel. */
  close (reason: Error): void {
    if (this.closed && this.pending.size === 0) return
    this.closed = true
    this.forget(this)
    clearTimeout(this.idleTimer)
    this.writer?.close()
    this.stream?.abort(reason)
    for (const p of this.pending.values()) {
      clearTimeout(p.timer)
      p.reject(reason)
    }
    this.pending.clear()
  }
}

/** Per client host: its open channels by peer, protocol and frame limit, and when peers were found to speak no channel. */
interface HostChannels {
  open: Map<string, ClientChannel>
  unsupported: Map<string, number>
}

/**
 * A peer found not to speak a channel protocol is called the old way for this long, then asked
 * again: it may have been upgraded in place, or have been starting (its services register their
 * protocols one after another), and a node calls its peers for as long as it runs.
 */
const UNSUPPORTED_RECHECK_MS = 60_000

const hosts = new WeakMap<Libp2p, HostChannels>()

function channelsOf (host: Libp2p): HostChannels {
  let h = hosts.get(host)
  if (h == null) {
    h = { open: new Map(), unsupported: new Map() }
    hosts.set(host, h)
  }
  return h
}

/** Whether `host` found, within UNSUPPORTED_RECHECK_MS, that `peer` does not speak `protocol` (an older node). */
export function lacksChannel (host: Libp2p, peer: PeerId, protocol: string): boolean {
  const h = hosts.get(host)
  if (h == null || h.unsupported.size === 0) return false
  const key = `${peer.toString()} ${protocol}`
  const at = h.unsupported.get(key)
  if (at == null) return false
  if (performance.now() - at < UNSUPPORTED_RECHECK_MS) return true
  h.unsupported.delete(key)
  return false
}

/** Whether opening a stream failed because the peer does not speak the protocol. */
function unsupported (err: unknown, depth = 0): boolean {
  if (err == null || typeof err !== 'object' || depth > 4) return false
  if ((err as Error).name === 'UnsupportedProtocolError') return true
  return unsupported((err as { cause?: unknown }).cause, depth + 1)
}

/** What a channel call needs to fail the way a per-call one does (rpc.ts builds them). */
export interface ChannelErrors {
  /** The stream could not be opened. */
  unreachable: (err: unknown) => Error
  /** The channel ended before the answer came. */
  unanswered: (err: Error) => Error
  /** No answer within the call's time. */
  late: () => Error
  /** The answer could not be decoded. */
  badAnswer: (err: unknown) => Error
}

/**
 * One call to `peer` on a channel of `host`'s, opened if needed. Resolves undefined, without
 * sending anything, when the peer does not speak the channel protocol: the caller then makes
 * the call the old way (and lacksChannel says so for UNSUPPORTED_RECHECK_MS).
 */
export async function callOnChannel<Req, Res> (host: Libp2p, peer: PeerId, dialTarget: PeerId | Multiaddr, req: Req, d: ChannelCall<Req, Res>, errors: ChannelErrors): Promise<{ res: Res } | undefined> {
  const h = channelsOf(host)
  const key = `${peer.toString()} ${d.channel} ${d.maxResponseBytes}`
  let ch = h.open.get(key)
  if (ch == null || ch.isClosed) {
    const made = new ClientChannel(host, peer, d.channel, d.maxResponseBytes + FRAME_OVERHEAD, c => { if (h.open.get(key) === c) h.open.delete(key) })
    h.open.set(key, made)
    ch = made
  }
  const started = performance.now()
  if (!ch.isOpen) {
    const { signal, clear } = deadline(d.timeoutMs)
    try {
      await ch.open(dialTarget, signal)
    } catch (err) {
      if (unsupported(err)) {
        h.unsupported.set(`${peer.toString()} ${d.channel}`, performance.now())
        ch.close(new Error('the peer does not speak the channel protocol'))
        return undefined
      }
      if (signal.aborted) throw errors.late()
      throw errors.unreachable(err)
    } finally {
      clear()
    }
  }
  const left = Math.max(1, d.timeoutMs - (performance.now() - started))
  const body = await ch.send(d.request.encode(req), left, errors.unanswered, errors.late)
  try {
    return { res: d.response.decode(body) }
  } catch (err) {
    throw errors.badAnswer(err)
  }
}
