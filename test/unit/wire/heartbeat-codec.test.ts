import { describe, expect, it } from 'vitest'
import { decodeHeartbeat, encodeHeartbeat, type Heartbeat } from '../../../src/wire/heartbeat-codec.js'
import { HEARTBEAT_LIMITS, MAX_HEARTBEAT_BYTES } from '../../../src/wire/constants.js'
import { START_OPTIONS } from '../../../src/node/config.js'

const hb: Heartbeat = {
  mesh: 'm',
  name: 'n1',
  version: '0.1.0',
  addrs: ['/ip4/127.0.0.1/tcp/1'],
  incarnation: 3n,
  seq: 7n,
  load: 0.5,
  capabilities: ['gpu'],
  role: 'follower',
  term: 4n,
  leader: 'x',
  uptimeMs: 100n,
  leaving: false,
  bootstrapSet: ['a', 'b'],
  queued: 12,
  slots: 2,
  draining: true,
  fullyConnected: true,
  framesAlive: true,
  direct: [0xdeadbeef, 7]
}

describe('heartbeat codec', () => {
  it('round-trips every field', () => {
    const v = decodeHeartbeat(encodeHeartbeat(hb), 'm')
    expect(v).toEqual({ ok: true, heartbeat: hb })
  })

  it('rejects an oversize frame before decoding it', () => {
    const v = decodeHeartbeat(new Uint8Array(MAX_HEARTBEAT_BYTES + 1), 'm')
    expect(v).toMatchObject({ ok: false, reason: 'oversize' })
  })

  it('rejects bytes that are not a heartbeat', () => {
    expect(decodeHeartbeat(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff]), 'm')).toMatchObject({ ok: false, reason: 'malformed' })
  })

  it('rejects a heartbeat of another mesh', () => {
    expect(decodeHeartbeat(encodeHeartbeat(hb), 'other')).toMatchObject({ ok: false, reason: 'wrong-mesh' })
  })

  it('carries a founding set of the largest --expect (99 founders), and refuses a longer one', () => {
    const ids = Array.from({ length: 99 }, (_, i) => `12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCV${String(i).padStart(4, '0')}`)
    expect(START_OPTIONS.expect.check?.(99)).toBeUndefined()
    const bytes = encodeHeartbeat({ ...hb, bootstrapSet: ids })
    expect(bytes.byteLength).toBeLessThan(MAX_HEARTBEAT_BYTES)
    expect(decodeHeartbeat(bytes, 'm')).toEqual({ ok: true, heartbeat: { ...hb, bootstrapSet: ids } })
    expect(decodeHeartbeat(encodeHeartbeat({ ...hb, bootstrapSet: [...ids, 'one more'] }), 'm').ok).toBe(false)
  })

  it('carries the largest direct list beside the largest founding set, and refuses a longer one', () => {
    const ids = Array.from({ length: HEARTBEAT_LIMITS.bootstrapSet }, (_, i) => `12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCV${String(i).padStart(4, '0')}`)
    const direct = Array.from({ length: HEARTBEAT_LIMITS.direct }, (_, i) => (0xffffffff - i) >>> 0)
    const bytes = encodeHeartbeat({ ...hb, bootstrapSet: ids, direct })
    expect(bytes.byteLength).toBeLessThan(MAX_HEARTBEAT_BYTES)
    expect(decodeHeartbeat(bytes, 'm')).toEqual({ ok: true, heartbeat: { ...hb, bootstrapSet: ids, direct } })
    expect(decodeHeartbeat(encodeHeartbeat({ ...hb, direct: [...direct, 1] }), 'm')).toMatchObject({ ok: false, reason: 'malformed' })
  })

  it('rejects too many addresses', () => {
    const many = { ...hb, addrs: Array.from({ length: 100 }, (_, i) => `/ip4/10.0.0.${i}/tcp/1`) }
    expect(decodeHeartbeat(encodeHeartbeat(many), 'm')).toMatchObject({ ok: false, reason: 'malformed' })
  })

  it('rejects incarnation zero and a negative or non-finite load', () => {
    expect(decodeHeartbeat(encodeHeartbeat({ ...hb, incarnation: 0n }), 'm')).toMatchObject({ ok: false })
    expect(decodeHeartbeat(encodeHeartbeat({ ...hb, load: -1 }), 'm')).toMatchObject({ ok: false })
    expect(decodeHeartbeat(encodeHeartbeat({ ...hb, load: Number.NaN }), 'm')).toMatchObject({ ok: false })
  })
})
