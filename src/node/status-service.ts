// Serves /meshnode/status/1.0.0: read one StatusRequest (bounded size, deadline), answer one
// StatusResponse, close. A malformed or oversize request is counted and the stream aborted;
// it never reaches the node's state.
import type { Stream } from '@libp2p/interface'
import { pbStream } from 'it-protobuf-stream'
import { MAX_STATUS_REQUEST_BYTES, STATUS_PROTOCOL, STATUS_TIMEOUT_MS } from '../wire/constants.js'
import { StatusRequest, StatusResponse } from '../wire/proto/status.js'
import type { Counters } from './counters.js'
import type { Host } from './host.js'
import type { Logger } from './log.js'

export class StatusService {
  constructor (
    private readonly host: Host,
    private readonly log: Logger,
    private readonly counters: Counters,
    private readonly snapshot: () => StatusResponse
  ) {}

  async start (): Promise<void> {
    await this.host.handle(STATUS_PROTOCOL, ({ stream }) => { void this.serve(stream) }, {
      // Status is cheap but unauthenticated; cap concurrent requests per connection.
      maxInboundStreams: 8,
      maxOutboundStreams: 1
    })
  }

  async stop (): Promise<void> {
    await this.host.unhandle(STATUS_PROTOCOL)
  }

  private async serve (stream: Stream): Promise<void> {
    const signal = AbortSignal.timeout(STATUS_TIMEOUT_MS)
    // The read limit is the request's: a 4 MiB "request" is hostile, not big.
    const pb = pbStream(stream, { maxDataLength: MAX_STATUS_REQUEST_BYTES })
    try {
      await pb.read(StatusRequest, { signal })
      await pb.write(this.snapshot(), StatusResponse, { signal })
      await stream.close({ signal })
      this.counters.inc('rpc_served_total')
    } catch (err: any) {
      this.counters.inc('rpc_rejected_total')
      this.log.debug({ err: err?.message, protocol: STATUS_PROTOCOL }, 'status request rejected')
      stream.abort(err instanceof Error ? err : new Error(String(err)))
    }
  }
}
