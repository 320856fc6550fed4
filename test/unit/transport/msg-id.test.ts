// gossipsub's message ids as the daemon builds them (src/node/transport/host.ts): the fast id of
// a copy and the string of a message id are the strings they were before stop 41 (uint8arrays'
// unpadded base64 and base16), now encoded by node's Buffer.
import { toString } from 'uint8arrays/to-string'
import { describe, expect, it } from 'vitest'
import { base64, fastMsgId } from '../../../src/node/transport/host.js'

/** `n` bytes of a fixed pattern, at an offset inside a larger buffer (a decoded frame's view). */
function bytes (n: number, offset = 3): Uint8Array {
  const buf = new Uint8Array(n + offset + 5)
  for (let i = 0; i < buf.length; i++) buf[i] = (i * 37 + 11) & 0xff
  return buf.subarray(offset, offset + n)
}

describe('message ids', () => {
  it('base64 is uint8arrays\' unpadded base64, for every padding and for views into a larger buffer', () => {
    for (let n = 0; n <= 50; n++) {
      expect(base64(bytes(n))).toBe(toString(bytes(n), 'base64'))
      expect(base64(bytes(n, 0))).toBe(toString(bytes(n, 0), 'base64'))
    }
  })

  it('the fast id is sender and sequence number as before, absent fields empty', () => {
    const old = (m: { from?: Uint8Array, seqno?: Uint8Array }): string =>
      `${m.from == null ? '' : toString(m.from, 'base64')}:${m.seqno == null ? '' : toString(m.seqno, 'base16')}`
    const cases = [{ from: bytes(38), seqno: bytes(8, 1) }, { from: bytes(38) }, { seqno: bytes(8) }, {}, { from: bytes(37), seqno: bytes(8, 0) }]
    for (const m of cases) expect(fastMsgId(m)).toBe(old(m))
    expect(fastMsgId({ from: bytes(38), seqno: bytes(8, 1) })).not.toBe(fastMsgId({ from: bytes(38), seqno: bytes(8, 2) }))
  })
})
