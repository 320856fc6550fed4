// Deadlines for stream operations: one per exchange (deadline), or one for the many
// operations of a long-lived stream (StreamDeadline).
import { MeshError } from '../errors.js'

/**
 * An abort signal that fires after `ms`, with a way to cancel it. AbortSignal.timeout()
 * cannot be cancelled: on a busy node every finished call would leave a timer behind that
 * later fires, builds a DOMException and dispatches an abort nobody listens to any more.
 */
export function deadline (ms: number): { signal: AbortSignal, clear: () => void } {
  const controller = new AbortController()
  const timer = setTimeout(() => { controller.abort(new MeshError('UNREACHABLE', `no answer within ${ms} ms`)) }, ms)
  return { signal: controller.signal, clear: () => { clearTimeout(timer) } }
}

/**
 * One deadline for the operations of a long-lived stream, one after another (a Raft stream's
 * writes, or its reads): arm() before each and disarm() after; its signal aborts when an armed
 * operation has lasted `ms`. deadline() per frame made an AbortController and a timer, and
 * cleared them, for every Raft frame: ~29 a second on an idle 10-node mesh's leader
 * (BENCHMARKS.md, issue 14, stop 38). Here the controller lasts until it fires, and arm()
 * refreshes one timer (Timeout.refresh: no allocation); a timer that fires while nothing is
 * armed does nothing. A stream used more often than every `ms` never fires it at all.
 * close() when the stream is done with; after the signal fired, the stream is (make another).
 */
export class StreamDeadline {
  private readonly controller = new AbortController()
  private timer?: NodeJS.Timeout
  private armed = false

  constructor (private readonly ms: number) {}

  get signal (): AbortSignal {
    return this.controller.signal
  }

  arm (): AbortSignal {
    this.armed = true
    if (this.timer == null) {
      this.timer = setTimeout(this.fire, this.ms)
      // What is waited for holds the process: a socket.
      this.timer.unref()
    } else {
      this.timer.refresh()
    }
    return this.controller.signal
  }

  disarm (): void {
    this.armed = false
  }

  close (): void {
    this.armed = false
    clearTimeout(this.timer)
  }

  private readonly fire = (): void => {
    if (this.armed) this.controller.abort(new MeshError('UNREACHABLE', `no answer within ${this.ms} ms`))
  }
}
