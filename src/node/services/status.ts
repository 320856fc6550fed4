// Serves /meshnode/status/1.0.0: read one StatusRequest (bounded size, deadline), answer one
// StatusResponse, close. A malformed or oversize request is counted and the stream aborted;
// it never reaches the node's state. Status is open to anyone, so each peer but the local
// operator is held to STATUS_RATE: a stream over it is aborted unread, and counted.
import { MAX_STATUS_REQUEST_BYTES, STATUS_MAX_STREAMS, STATUS_PROTOCOL, STATUS_RATE, STATUS_TIMEOUT_MS } from '../../wire/constants.js'
import { StatusRequest, StatusResponse } from '../../wire/proto/status.js'
import type { Host } from '../transport/host.js'
import type { Logger } from '../log.js'
import { countReject, type Metrics } from '../metrics.js'
import { serveOnce } from '../transport/rpc.js'
import { RateGuard } from '../transport/limits.js'
import type { AccessView } from '../access/policy.js'

/** What the status service uses of the node. */
export interface StatusComponents {
  host: Host
  log: Logger
  metrics: Metrics
  /** Whose requests are never limited (the local operator); absent: everyone is limited. */
  access?: AccessView
  /** The clock the rate limit reads; default Date.now. */
  now?: () => number
}

export class StatusService {
  private readonly host: Host
  private readonly log: Logger
  private readonly metrics: Metrics
  private readonly access?: AccessView
  private readonly guard: RateGuard

  constructor (components: StatusComponents, private readonly snapshot: () => StatusResponse) {
    ({ host: this.host, log: this.log, metrics: this.metrics, access: this.access } = components)
    this.guard = new RateGuard(STATUS_RATE, STATUS_PROTOCOL, this.metrics, this.log, components.now)
  }

  async start (): Promise<void> {
    await this.host.handle(STATUS_PROTOCOL, ({ stream, connection }) => {
      const from = connection.remotePeer.toString()
      if (this.access?.localOperators.has(from) !== true && !this.guard.admit(from)) {
        // No answer at all: a reply would cost the snapshot the limit is there to protect.
        stream.abort(new Error('rate limited: too many status requests from this peer; retry in a moment'))
        return
      }
      serveOnce(stream, { request: StatusRequest, response: StatusResponse, maxRequestBytes: MAX_STATUS_REQUEST_BYTES, timeoutMs: STATUS_TIMEOUT_MS }, () => this.snapshot())
        .then(() => { this.metrics.rpcServed.inc() }, (err: any) => {
          this.metrics.rpcRejected.inc()
          countReject(this.metrics, 'status', 'failed')
          this.log.debug({ err: err?.message, protocol: STATUS_PROTOCOL }, 'status request rejected')
        })
    }, {
      maxInboundStreams: STATUS_MAX_STREAMS,
      maxOutboundStreams: 1
    })
  }

  async stop (): Promise<void> {
    await this.host.unhandle(STATUS_PROTOCOL)
  }
}
