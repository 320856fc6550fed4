// How the membership shell classifies a failed libp2p ping (probeFailure): the errors below are
// the ones measured on loopback (a killed process, a ping in flight when it died, a dead
// connection's Noise read, a SIGSTOPped process) and at 50 processes on two cores (resets of
// live peers' streams, our own ping stream limit).
import { describe, expect, it } from 'vitest'
import { probeFailure } from '../../../src/node/services/membership.js'

function err (name: string, message: string, code?: string, extra: Record<string, unknown> = {}): Error {
  const e: any = new Error(message)
  e.name = name
  if (code != null) e.code = code
  return Object.assign(e, extra)
}

describe('probeFailure', () => {
  it('calls a refused dial refused: no process listens at the address', () => {
    expect(probeFailure(err('Error', 'connection error 127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1', 'ECONNREFUSED'))).toBe('refused')
    expect(probeFailure(new AggregateError([err('Error', 'x', 'ECONNREFUSED')], 'all dials failed'))).toBe('refused')
    expect(probeFailure(err('DialError', 'dial failed', undefined, { cause: err('Error', 'connect ECONNREFUSED') }))).toBe('refused')
  })

  it('calls a connection or stream reset under the ping a reset, not a refusal', () => {
    expect(probeFailure(err('UnexpectedEOFError', 'unexpected end of input', 'ERR_UNEXPECTED_EOF'))).toBe('reset')
    expect(probeFailure(err('EncryptionFailedError', 'read ECONNRESET'))).toBe('reset')
    expect(probeFailure(err('StreamResetError', 'stream reset'))).toBe('reset')
    expect(probeFailure(err('ConnectionClosedError', 'the connection is closed'))).toBe('reset')
    expect(probeFailure(err('Error', 'write EPIPE', 'EPIPE'))).toBe('reset')
  })

  it('calls a refusal anywhere among the causes refused, even beside a reset', () => {
    expect(probeFailure(new AggregateError([err('StreamResetError', 'stream reset'), err('Error', 'x', 'ECONNREFUSED')], 'all dials failed'))).toBe('refused')
  })

  it('calls our own ping stream limit inconclusive: the peer was never asked', () => {
    expect(probeFailure(err('TooManyOutboundProtocolStreamsError', 'Too many outbound protocol streams for protocol "/ipfs/ping/1.0.0" - 1/1'))).toBe('inconclusive')
  })

  it('calls a timeout, or an error that proves nothing, timed out', () => {
    expect(probeFailure(err('TimeoutError', 'The operation was aborted due to timeout', '23'))).toBe('timed-out')
    expect(probeFailure(err('AbortError', 'aborted'))).toBe('timed-out')
    expect(probeFailure(err('NoValidAddressesError', 'no valid addresses'))).toBe('timed-out')
    expect(probeFailure(err('Error', ''))).toBe('timed-out')
    expect(probeFailure(undefined)).toBe('timed-out')
    expect(probeFailure('weird')).toBe('timed-out')
  })
})
