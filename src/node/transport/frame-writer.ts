// Writes the frames of one end of a long-lived stream (call channels, the work transport) one
// batch at a time: the frames pushed in one turn of the event loop go out in one writeV —
// one yamux frame and one Noise frame for all of them, where a write each cost a frame of each
// kind, an encryption and, at the other end, a decryption and a wake-up per message.
//
// A write never goes to a stream that has closed and always has a deadline (see
// raft-transport.ts for why a write on a closed stream can wait for ever).
import type { Stream } from '@libp2p/interface'
import type { ProtobufStream } from 'it-protobuf-stream'
import { MeshError } from '../errors.js'
import { StreamDeadline } from './deadline.js'
import { writable } from './stream-to.js'

/**
 * How long a write may wait for the muxer to take it. A live peer takes it within its window;
 * generous, so a large frame to a slow reader is not cut off.
 */
export const WRITE_TIMEOUT_MS = 10_000

/**
 * The frames of one end of a stream, written one batch at a time. A failed write aborts the
 * stream and drops what is queued; `onFail` hears of it once, and later pushes are dropped.
 */
export class FrameWriter<F> {
  private queue: F[] = []
  private scheduled = false
  private failed = false
  private readonly deadline = new StreamDeadline(WRITE_TIMEOUT_MS)
  private idle: Array<() => void> = []

  constructor (
    private readonly pb: ProtobufStream<Stream>,
    private readonly stream: Stream,
    private readonly codec: { encode: (frame: F) => Uint8Array },
    private readonly onFail: (err: Error) => void
  ) {}

  push (frame: F): void {
    if (this.failed) return
    this.queue.push(frame)
    if (this.scheduled) return
    this.scheduled = true
    // After the cascade that produced this frame: its neighbours go in the same write.
    process.nextTick(() => { void this.flush() })
  }

  /** Resolves once everything pushed so far was written (or the writer failed). */
  async drained (): Promise<void> {
    if (!this.scheduled) return
    await new Promise<void>(resolve => { this.idle.push(resolve) })
  }

  close (): void {
    this.deadline.close()
  }

  private async flush (): Promise<void> {
    try {
      while (this.queue.length > 0 && !this.failed) {
        if (!writable(this.stream)) throw new MeshError('UNREACHABLE', `stream ${this.stream.status}`)
        const batch = this.queue
        this.queue = []
        try {
          await this.pb.writeV(batch, this.codec, { signal: this.deadline.arm() })
        } finally {
          this.deadline.disarm()
        }
      }
    } catch (err) {
      this.failed = true
      this.queue = []
      const e = err instanceof Error ? err : new Error(String(err))
      this.stream.abort(e)
      this.onFail(e)
    } finally {
      this.scheduled = false
      const idle = this.idle
      this.idle = []
      for (const resolve of idle) resolve()
    }
  }
}
