import { describe, expect, it } from 'vitest'
import { ControlState, decodeCommand, encodeCommand } from '../../../src/consensus/control.js'

const enc = (c: Parameters<typeof encodeCommand>[0]): Uint8Array => encodeCommand(c)

describe('control state machine', () => {
  it('sets config values with increasing versions', () => {
    const s = new ControlState()
    expect(s.apply(1, enc({ op: 'config.set', key: 'a', value: 'x' }))).toEqual({ ok: true, version: 1 })
    expect(s.apply(2, enc({ op: 'config.set', key: 'a', value: 'y' }))).toEqual({ ok: true, version: 2 })
    expect(s.config.get('a')).toEqual({ value: 'y', version: 2, index: 2 })
  })

  it('refuses a compare-and-set against a stale version and changes nothing', () => {
    const s = new ControlState()
    s.apply(1, enc({ op: 'config.set', key: 'a', value: 'x' }))
    expect(s.apply(2, enc({ op: 'config.set', key: 'a', value: 'y', expectVersion: 0 }))).toMatchObject({ ok: false, code: 'VERSION_MISMATCH' })
    expect(s.config.get('a')?.value).toBe('x')
    expect(s.appliedIndex).toBe(2)
    expect(s.apply(3, enc({ op: 'config.set', key: 'a', value: 'z', expectVersion: 1 }))).toEqual({ ok: true, version: 2 })
  })

  it('keeps the newest death declaration and clears it only for a newer incarnation', () => {
    const s = new ControlState()
    s.apply(1, enc({ op: 'node.dead', peerId: 'p', incarnation: 3, reason: 'quorum' }))
    s.apply(2, enc({ op: 'node.dead', peerId: 'p', incarnation: 2, reason: 'stale' }))
    expect(s.dead.get('p')).toMatchObject({ incarnation: 3, reason: 'quorum' })
    s.apply(3, enc({ op: 'node.alive', peerId: 'p', incarnation: 3 }))
    expect(s.dead.has('p')).toBe(true)
    s.apply(4, enc({ op: 'node.alive', peerId: 'p', incarnation: 4 }))
    expect(s.dead.has('p')).toBe(false)
  })

  it('ignores a death about an incarnation older than one already vouched alive (proposed before the comeback, committed after)', () => {
    const s = new ControlState()
    s.apply(1, enc({ op: 'node.dead', peerId: 'p', incarnation: 3, reason: 'quorum' }))
    s.apply(2, enc({ op: 'node.alive', peerId: 'p', incarnation: 4 }))
    expect(s.dead.has('p')).toBe(false)
    s.apply(3, enc({ op: 'node.dead', peerId: 'p', incarnation: 3, reason: 'late' }))
    expect(s.dead.has('p')).toBe(false)
    // The snapshot keeps what node.alive vouched for.
    const copy = ControlState.restore(s.snapshot())
    copy.apply(4, enc({ op: 'node.dead', peerId: 'p', incarnation: 3, reason: 'later still' }))
    expect(copy.dead.has('p')).toBe(false)
    // A death of the incarnation that came back is a real one.
    copy.apply(5, enc({ op: 'node.dead', peerId: 'p', incarnation: 4, reason: 'quorum' }))
    expect(copy.dead.get('p')).toMatchObject({ incarnation: 4 })
  })

  it('treats an empty entry as a no-op and a garbage entry as a failed command', () => {
    const s = new ControlState()
    expect(s.apply(1, new Uint8Array())).toEqual({ ok: true })
    expect(s.apply(2, new TextEncoder().encode('{"v":1,"op":"launch.missiles"}'))).toMatchObject({ ok: false, code: 'BAD_COMMAND' })
    expect(s.apply(3, Uint8Array.from([0xff, 0xfe]))).toMatchObject({ ok: false, code: 'BAD_COMMAND' })
    expect(s.appliedIndex).toBe(3)
  })

  it('rejects oversize keys and values at decode time', () => {
    expect(() => decodeCommand(enc({ op: 'config.set', key: 'k'.repeat(300), value: '' }))).toThrow(/at most 256 bytes/)
    expect(() => decodeCommand(enc({ op: 'config.set', key: 'k', value: 'v'.repeat(70_000) }))).toThrow(/at most 65536/)
  })

  it('snapshots deterministically and restores the same state', () => {
    const a = new ControlState()
    const b = new ControlState()
    const cmds = [enc({ op: 'config.set', key: 'z', value: '1' }), enc({ op: 'config.set', key: 'a', value: '2' }), enc({ op: 'job.put', jobId: 'j1', record: { n: 1 } })]
    cmds.forEach((c, i) => a.apply(i + 1, c))
    cmds.forEach((c, i) => b.apply(i + 1, c))
    expect(Buffer.from(a.snapshot()).equals(Buffer.from(b.snapshot()))).toBe(true)
    const r = ControlState.restore(a.snapshot())
    expect(r.appliedIndex).toBe(3)
    expect(r.config.get('a')?.value).toBe('2')
    expect(r.jobs.get('j1')).toEqual({ n: 1 })
    expect(Buffer.from(r.snapshot()).equals(Buffer.from(a.snapshot()))).toBe(true)
  })
})
