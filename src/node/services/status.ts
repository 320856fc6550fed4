// Serves /meshnode/status/1.0.0: read one StatusRequest (bounded size, deadline), answer one
// StatusResponse, close. A malformed or oversize request is counted and the stream aborted;
// it never reaches the node's state.
import { MAX_STATUS_REQUEST_BYTES, STATUS_PROTOCOL, STATUS_TIMEOUT_MS } from '../../wire/constants.js'
import { StatusRequest, StatusResponse } from '../../wire/proto/status.js'
import type { Host } from '../transport/host.js'
import type { Logger } from '../log.js'
import type { Metrics } from '../metrics.js'
import { serveOnce } from '../transport/rpc.js'

/** What the status service uses of the node. */
export interface StatusComponents {
  host: Host
  log: Logger
  metrics: Metrics
}

export class StatusService {
  private readonly host: Host
  private readonly log: Logger
  private readonly metrics: Metrics

  constructor (components: StatusComponents, private readonly snapshot: () => StatusResponse) {
    ({ host: this.host, log: this.log, metrics: this.metrics } = components)
  }

  async start (): Promise<void> {
    await this.host.handle(STATUS_PROTOCOL, ({ stream }) => {
      serveOnce(stream, { request: StatusRequest, response: StatusResponse, maxRequestBytes: MAX_STATUS_REQUEST_BYTES, timeoutMs: STATUS_TIMEOUT_MS }, () => this.snapshot())
        .then(() => { this.metrics.rpcServed.inc() }, (err: any) => {
          this.metrics.rpcRejected.inc()
          this.log.debug({ err: err?.message, protocol: STATUS_PROTOCOL }, 'status request rejected')
        })
    }, {
      // Status is cheap but unauthenticated; cap concurrent requests per connection.
      maxInboundStreams: 8,
      maxOutboundStreams: 1
    })
  }

  async stop (): Promise<void> {
    await this.host.unhandle(STATUS_PROTOCOL)
  }
}
