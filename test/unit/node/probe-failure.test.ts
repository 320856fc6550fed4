// How the membership shell classifies a failed libp2p ping (probeFailure): the errors below are
// the ones measured on loopback (a killed process, a ping in flight when it died, a dead
// connection's Noise read, a SIGSTOPped process).
import { describe, expect, it } from 'vitest'
import { probeFailure } from '../../../src/node/services/membership.js'

function err (name: string, message: string, code?: string, extra: Record<string, unknown> = {}): Error {
  const e: any = new Error(message)
  e.name = name
  if (code != null) e.code = code
  return Object.assign(e, extra)
}

describe('probeFailure', () => {
  it('calls a refused or reset connection, or a stream ended under the ping, refused', () => {
    expect(probeFailure(err('Error', 'connection error 127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1', 'ECONNREFUSED'))).toBe('refused')
    expect(probeFailure(err('UnexpectedEOFError', 'unexpected end of input', 'ERR_UNEXPECTED_EOF'))).toBe('refused')
    expect(probeFailure(err('EncryptionFailedError', 'read ECONNRESET'))).toBe('refused')
    expect(probeFailure(err('StreamResetError', 'stream reset'))).toBe('refused')
    expect(probeFailure(new AggregateError([err('Error', 'x', 'ECONNREFUSED')], 'all dials failed'))).toBe('refused')
    expect(probeFailure(err('DialError', 'dial failed', undefined, { cause: err('Error', 'connect ECONNREFUSED') }))).toBe('refused')
  })

  it('calls a timeout, or an error that proves nothing, timed out', () => {
    expect(probeFailure(err('TimeoutError', 'The operation was aborted due to timeout', '23'))).toBe('timed-out')
    expect(probeFailure(err('AbortError', 'aborted'))).toBe('timed-out')
    expect(probeFailure(err('NoValidAddressesError', 'no valid addresses'))).toBe('timed-out')
    expect(probeFailure(undefined)).toBe('timed-out')
    expect(probeFailure('weird')).toBe('timed-out')
  })
})
