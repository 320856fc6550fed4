import { describe, expect, it } from 'vitest'
import { ControlState, decodeCommand, encodeCommand, type JobEntry, type JobMove } from '../../../src/consensus/control.js'

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

describe('control state: jobs outlive their home', () => {
  const running = (home: string, replicas?: string[]): [string, JobEntry] => ['j1', { home, createdAt: 5, state: 'running', ...(replicas != null ? { replicas } : {}) }]

  it('moves a running job to its first replica holder not declared dead when its home dies, in a new generation', () => {
    const s = new ControlState()
    const moved: JobMove[] = []
    s.onJobsMoved = m => moved.push(...m)
    s.apply(1, enc({ op: 'node.dead', peerId: 'b', incarnation: 1, reason: 'quorum' }))
    s.apply(2, enc({ op: 'jobs.put', jobs: [running('a', ['b', 'c'])] }))
    expect(moved).toEqual([])
    s.apply(3, enc({ op: 'node.dead', peerId: 'a', incarnation: 1, reason: 'quorum' }))
    expect(moved).toEqual([{ jobId: 'j1', from: 'a', to: 'c', epoch: 1 }])
    expect(s.jobs.get('j1')).toEqual({ home: 'c', createdAt: 5, state: 'running', epoch: 1, homes: ['a'], replicas: ['b'] })
    // The old home's late final state is of an older generation: ignored.
    s.apply(4, enc({ op: 'jobs.put', jobs: [['j1', { home: 'a', createdAt: 5, state: 'completed' }]] }))
    expect((s.jobs.get('j1') as JobEntry).state).toBe('running')
    // The new home's final state keeps the history.
    s.apply(5, enc({ op: 'jobs.put', jobs: [['j1', { home: 'c', createdAt: 5, state: 'completed', epoch: 1 }]] }))
    expect(s.jobs.get('j1')).toMatchObject({ home: 'c', state: 'completed', epoch: 1, homes: ['a'] })
  })

  it('moves a job registered after its home was declared dead at once; leaves one without a live replica where it is', () => {
    const s = new ControlState()
    const moved: JobMove[] = []
    s.onJobsMoved = m => moved.push(...m)
    s.apply(1, enc({ op: 'node.dead', peerId: 'a', incarnation: 1, reason: 'quorum' }))
    s.apply(2, enc({ op: 'jobs.put', jobs: [running('a', ['b'])] }))
    expect(moved).toEqual([{ jobId: 'j1', from: 'a', to: 'b', epoch: 1 }])
    // b dies too and no replica is left: the job waits for a home that may come back.
    s.apply(3, enc({ op: 'node.dead', peerId: 'b', incarnation: 1, reason: 'quorum' }))
    expect(moved).toHaveLength(1)
    expect(s.jobs.get('j1')).toMatchObject({ home: 'b', state: 'running', replicas: [] })
    // A job without replicas (a mesh of one at submit) is never moved.
    s.apply(4, enc({ op: 'jobs.put', jobs: [['j2', { home: 'c', createdAt: 6, state: 'running' }]] }))
    s.apply(5, enc({ op: 'node.dead', peerId: 'c', incarnation: 1, reason: 'quorum' }))
    expect(s.jobs.get('j2')).toMatchObject({ home: 'c', state: 'running' })
  })

  it('moves the same way on a node restored from a snapshot as on one that applied the log', () => {
    const a = new ControlState()
    a.apply(1, enc({ op: 'jobs.put', jobs: [['j2', { home: 'x', createdAt: 1, state: 'running', replicas: ['y', 'z'] }], ['j1', { home: 'x', createdAt: 2, state: 'running', replicas: ['z', 'y'] }]] }))
    const b = ControlState.restore(a.snapshot())
    for (const s of [a, b]) s.apply(2, enc({ op: 'node.dead', peerId: 'x', incarnation: 1, reason: 'quorum' }))
    expect(new TextDecoder().decode(b.snapshot())).toBe(new TextDecoder().decode(a.snapshot()))
    expect(a.jobs.get('j1')).toMatchObject({ home: 'z' })
    expect(a.jobs.get('j2')).toMatchObject({ home: 'y' })
  })

  it('rejects a registration with malformed replicas or epoch', () => {
    expect(() => decodeCommand(new TextEncoder().encode(JSON.stringify({ v: 1, op: 'jobs.put', jobs: [['j', { home: 'a', createdAt: 1, state: 'running', replicas: 'b' }]] })))).toThrow(/replicas/)
    expect(() => decodeCommand(new TextEncoder().encode(JSON.stringify({ v: 1, op: 'jobs.put', jobs: [['j', { home: 'a', createdAt: 1, state: 'running', epoch: -1 }]] })))).toThrow(/epoch/)
  })
})

describe('control state: members removed from the configuration', () => {
  it('remembers who a committed change removed, forgets them when added again, and keeps that in snapshots', () => {
    const s = new ControlState()
    s.confApplied(4, { type: 'remove', nodeId: 'b' })
    s.confApplied(5, { type: 'remove', nodeId: 'c' })
    s.confApplied(6, { type: 'addLearner', nodeId: 'c' })
    expect([...s.removed]).toEqual([['b', 4]])
    const copy = ControlState.restore(s.snapshot())
    expect([...copy.removed]).toEqual([['b', 4]])
    // Replaying an entry after a restart changes nothing.
    copy.confApplied(4, { type: 'remove', nodeId: 'b' })
    expect(Buffer.from(copy.snapshot()).equals(Buffer.from(s.snapshot()))).toBe(true)
  })
})
