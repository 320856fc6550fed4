import { describe, expect, it } from 'vitest'
import { ControlState, MAX_JOBS_PER_DELETE, decodeCommand, encodeCommand, type JobEntry, type JobMove } from '../../../src/consensus/control.js'

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

  it('moves a job back to a holder that was its home before and is alive again when no other holder is left', () => {
    const s = new ControlState()
    const moved: JobMove[] = []
    s.onJobsMoved = m => moved.push(...m)
    s.apply(1, enc({ op: 'jobs.put', jobs: [running('a', ['b', 'c'])] }))
    s.apply(2, enc({ op: 'node.dead', peerId: 'a', incarnation: 1, reason: 'quorum' }))
    s.apply(3, enc({ op: 'node.dead', peerId: 'b', incarnation: 1, reason: 'quorum' }))
    expect(moved).toEqual([{ jobId: 'j1', from: 'a', to: 'b', epoch: 1 }, { jobId: 'j1', from: 'b', to: 'c', epoch: 2 }])
    // b comes back (a new incarnation), then c dies for good: the job goes back to b.
    s.apply(4, enc({ op: 'node.alive', peerId: 'b', incarnation: 2 }))
    s.apply(5, enc({ op: 'node.dead', peerId: 'c', incarnation: 1, reason: 'quorum' }))
    expect(moved[2]).toEqual({ jobId: 'j1', from: 'c', to: 'b', epoch: 3 })
    expect(s.jobs.get('j1')).toMatchObject({ home: 'b', epoch: 3, homes: ['a', 'b', 'c'] })
    // a, the submit's home, holds no copy: it is never a target, even alive again.
    s.apply(6, enc({ op: 'node.alive', peerId: 'a', incarnation: 2 }))
    s.apply(7, enc({ op: 'node.dead', peerId: 'b', incarnation: 2, reason: 'quorum' }))
    expect(moved).toHaveLength(3)
    expect(s.jobs.get('j1')).toMatchObject({ home: 'b', epoch: 3 })
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

describe('jobs.delete (retention)', () => {
  const entry = (state: JobEntry['state'], extra: Partial<JobEntry> = {}): JobEntry => ({ home: 'h', createdAt: 1, state, ...extra })
  const registered = (): ControlState => {
    const s = new ControlState()
    s.apply(1, enc({ op: 'jobs.put', jobs: [['a', entry('completed', { finishedAt: 5, keepMs: 60_000 })], ['b', entry('failed')], ['c', entry('cancelled')], ['r', entry('running')]] }))
    return s
  }

  it('carries finishedAt and keepMs through a jobs.put', () => {
    expect(registered().jobs.get('a')).toEqual(entry('completed', { finishedAt: 5, keepMs: 60_000 }))
  })

  it('forgets finished jobs and counts them; a running job named in it is kept', () => {
    const s = registered()
    expect(s.apply(2, enc({ op: 'jobs.delete', jobIds: ['a', 'b', 'r', 'unknown'] }))).toEqual({ ok: true })
    expect([...s.jobs.keys()].sort()).toEqual(['c', 'r'])
    expect(s.retention).toEqual({ deleted: 2, resultsExpired: 0 })
  })

  it('is idempotent: a second delete of the same jobs changes nothing', () => {
    const s = registered()
    s.apply(2, enc({ op: 'jobs.delete', jobIds: ['a'] }))
    s.apply(3, enc({ op: 'jobs.delete', jobIds: ['a'] }))
    expect(s.retention.deleted).toBe(1)
  })

  it('results only: keeps the entries, marks them resultsExpired once, never a running one', () => {
    const s = registered()
    s.apply(2, enc({ op: 'jobs.delete', jobIds: ['a', 'r'], resultsOnly: true }))
    s.apply(3, enc({ op: 'jobs.delete', jobIds: ['a'], resultsOnly: true }))
    expect(s.jobs.get('a')).toMatchObject({ state: 'completed', resultsExpired: true })
    expect(s.jobs.get('r')).toEqual(entry('running'))
    expect(s.retention).toEqual({ deleted: 0, resultsExpired: 1 })
    // A later final-state put (a home re-proposing it) keeps the mark.
    s.apply(4, enc({ op: 'jobs.put', jobs: [['a', entry('completed', { finishedAt: 5 })]] }))
    expect(s.jobs.get('a')).toMatchObject({ resultsExpired: true })
  })

  it('tells the listeners what it applied', () => {
    const s = registered()
    const seen: unknown[] = []
    s.onApplied = cmd => seen.push(cmd)
    s.apply(2, enc({ op: 'jobs.delete', jobIds: ['a'], by: 'leader', at: 9 }))
    expect(seen).toEqual([{ op: 'jobs.delete', jobIds: ['a'], by: 'leader', at: 9 }])
  })

  it('validates the command: 1 to MAX_JOBS_PER_DELETE string ids, resultsOnly a boolean', () => {
    expect(() => decodeCommand(enc({ op: 'jobs.delete', jobIds: [] }))).toThrow(/1 to 10000 job ids/)
    expect(() => decodeCommand(enc({ op: 'jobs.delete', jobIds: Array.from({ length: MAX_JOBS_PER_DELETE + 1 }, (_, i) => `j${i}`) }))).toThrow(/1 to 10000/)
    expect(() => decodeCommand(new TextEncoder().encode('{"v":1,"op":"jobs.delete","jobIds":[""]}'))).toThrow(/non-empty string/)
    expect(() => decodeCommand(new TextEncoder().encode('{"v":1,"op":"jobs.delete","jobIds":["a"],"resultsOnly":"yes"}'))).toThrow(/true or false/)
    expect(() => decodeCommand(new TextEncoder().encode('{"v":1,"op":"jobs.put","jobs":[["a",{"home":"h","createdAt":1,"state":"completed","finishedAt":-1}]]}'))).toThrow(/bad finishedAt/)
    expect(decodeCommand(enc({ op: 'jobs.delete', jobIds: ['a'], resultsOnly: false }))).toEqual({ op: 'jobs.delete', jobIds: ['a'] })
  })

  it('a snapshot after deletion no longer carries the jobs, keeps the counters, and is smaller', () => {
    const s = new ControlState()
    const many: Array<[string, JobEntry]> = Array.from({ length: 200 }, (_, i) => [`job-${String(i).padStart(4, '0')}`, entry('completed', { finishedAt: 10 + i })])
    s.apply(1, enc({ op: 'jobs.put', jobs: many }))
    const before = s.snapshot().byteLength
    s.apply(2, enc({ op: 'jobs.delete', jobIds: many.slice(0, 150).map(([id]) => id) }))
    s.apply(3, enc({ op: 'jobs.delete', jobIds: ['job-0199'], resultsOnly: true }))
    const snap = s.snapshot()
    expect(snap.byteLength).toBeLessThan(before / 3)
    const copy = ControlState.restore(snap)
    expect(copy.jobs.size).toBe(50)
    expect(copy.jobs.has('job-0000')).toBe(false)
    expect(copy.jobs.get('job-0199')).toMatchObject({ resultsExpired: true })
    expect(copy.retention).toEqual({ deleted: 150, resultsExpired: 1 })
    expect(copy.snapshot()).toEqual(snap)
  })

  it('restores a snapshot from before retention (no counters) and replays an old log', () => {
    const old = new TextEncoder().encode(JSON.stringify({ v: 1, appliedIndex: 3, config: [], dead: [], alive: [], jobs: [['x', entry('completed')]], grants: [] }))
    const s = ControlState.restore(old)
    expect(s.retention).toEqual({ deleted: 0, resultsExpired: 0 })
    expect(s.apply(4, new TextEncoder().encode('{"v":1,"op":"jobs.put","jobs":[["y",{"home":"h","createdAt":2,"state":"completed"}]]}'))).toEqual({ ok: true })
    expect(s.apply(5, enc({ op: 'jobs.delete', jobIds: ['x', 'y'] }))).toEqual({ ok: true })
    expect(s.jobs.size).toBe(0)
  })
})

describe('jobs.put on the wire', () => {
  const P = (n: number): string => `12D3KooW${String(n).padStart(44, 'x')}`
  const jobs: Array<[string, JobEntry]> = [
    ['j1', { home: P(1), createdAt: 1_700_000_000_000, state: 'running', replicas: [P(2), P(3)] }],
    ['j2', { home: P(1), createdAt: 1_700_000_000_001, state: 'completed', replicas: [P(3), P(2)], epoch: 2, finishedAt: 1_700_000_000_500, keepMs: 60_000 }],
    ['j3', { home: P(4), createdAt: 7, state: 'failed', finishedAt: 9 }],
    ['j4', { home: P(2), createdAt: 8, state: 'cancelled', replicas: [] }],
    ['j5', { home: P(2), createdAt: 8, state: 'running', keepMs: 5 }]
  ]

  it('round-trips every field, naming each peer once', () => {
    const bytes = encodeCommand({ op: 'jobs.put', jobs })
    const raw = JSON.parse(new TextDecoder().decode(bytes))
    expect(raw.peers).toEqual([P(1), P(2), P(3), P(4)])
    expect(raw.jobs).toBeUndefined()
    expect(decodeCommand(bytes)).toEqual({ op: 'jobs.put', jobs })
  })

  it('is several times smaller than naming the peers in every row', () => {
    const many: Array<[string, JobEntry]> = Array.from({ length: 1000 }, (_, i) => [`job-${i}`, { home: P(1), createdAt: 1_700_000_000_000 + i, state: 'running', replicas: [P(2), P(3)] }])
    const compact = encodeCommand({ op: 'jobs.put', jobs: many }).byteLength
    const long = new TextEncoder().encode(JSON.stringify({ v: 1, op: 'jobs.put', jobs: many })).byteLength
    expect(compact * 3).toBeLessThan(long)
  })

  it('still reads the long form that older logs and snapshots hold, and applies both alike', () => {
    const long = new TextEncoder().encode(JSON.stringify({ v: 1, op: 'jobs.put', jobs }))
    expect(decodeCommand(long)).toEqual({ op: 'jobs.put', jobs })
    const a = new ControlState()
    const b = new ControlState()
    a.apply(1, long)
    b.apply(1, encodeCommand({ op: 'jobs.put', jobs }))
    expect([...b.jobs]).toEqual([...a.jobs])
  })

  it('refuses rows that name a peer or a state it does not have', () => {
    const raw = (rows: unknown, peers: unknown = [P(1), P(2)]): Uint8Array => new TextEncoder().encode(JSON.stringify({ v: 1, op: 'jobs.put', peers, rows }))
    expect(() => decodeCommand(raw([['j', 1, 0, 5]]))).toThrow(/bad entry for job j/)
    expect(() => decodeCommand(raw([['j', 1, 9, 0]]))).toThrow(/bad entry for job j/)
    expect(() => decodeCommand(raw([['j', 1, 0, 0, [0, 7]]]))).toThrow(/bad replicas for job j/)
    expect(() => decodeCommand(raw([['j', 1, 0, 0, null, -1]]))).toThrow(/bad epoch/)
    expect(() => decodeCommand(raw(['j']))).toThrow(/job id must be/)
    expect(() => decodeCommand(raw([['j', 1, 0, 0]], 'p'))).toThrow(/"peers"/)
    expect(() => decodeCommand(raw([]))).toThrow(/1 to/)
    expect(decodeCommand(raw([['j', 1, 0, 1, [0]]]))).toEqual({ op: 'jobs.put', jobs: [['j', { home: P(2), createdAt: 1, state: 'running', replicas: [P(1)] }]] })
  })

  it('writes a submit request\'s registrations as one group: the shared fields once, then the ids', () => {
    const reps = [P(2), P(3)]
    const submit: Array<[string, JobEntry]> = Array.from({ length: 1000 }, (_, i) => [`mt7x0abcd-k${String(i).padStart(4, '0')}`, { home: P(1), createdAt: 1_700_000_000_000, state: 'running', replicas: [...reps] }])
    const bytes = encodeCommand({ op: 'jobs.put', jobs: submit })
    const raw = JSON.parse(new TextDecoder().decode(bytes))
    expect(raw.rows).toBeUndefined()
    expect(raw.groups).toEqual([[0, 0, [1, 2], null, null, 1_700_000_000_000, submit.map(([id]) => id), null]])
    // A job costs its quoted id and a comma: ~18 bytes here, against ~50 as a stop-24 row.
    expect(bytes.byteLength).toBeLessThan(1000 * 20 + 300)
    const back = decodeCommand(bytes)
    expect(back).toEqual({ op: 'jobs.put', jobs: submit })
    // The group's entries share one replica list.
    const got = (back as { jobs: Array<[string, JobEntry]> }).jobs
    expect(got[999]![1].replicas).toBe(got[0]![1].replicas)
  })

  it('starts a new group wherever a shared field changes, keeping the order and each finish time', () => {
    const finals: Array<[string, JobEntry]> = [
      ['a', { home: P(1), createdAt: 5, state: 'completed', replicas: [P(2)], finishedAt: 10 }],
      ['b', { home: P(1), createdAt: 5, state: 'completed', replicas: [P(2)], finishedAt: 11 }],
      ['c', { home: P(1), createdAt: 5, state: 'failed', replicas: [P(2)], finishedAt: 11 }],
      ['d', { home: P(1), createdAt: 5, state: 'failed', replicas: [P(3)], finishedAt: 12 }],
      ['e', { home: P(1), createdAt: 5, state: 'failed', replicas: [P(3)] }],
      ['f', { home: P(1), createdAt: 5, state: 'failed', replicas: [P(3)], epoch: 1, finishedAt: 13 }],
      ['g', { home: P(2), createdAt: 6, state: 'completed', keepMs: 9, finishedAt: 14 }],
      ['h', { home: P(2), createdAt: 6, state: 'completed', keepMs: 9, finishedAt: 14 }],
      ['i', { home: P(2), createdAt: 6, state: 'completed', finishedAt: 14 }]
    ]
    const bytes = encodeCommand({ op: 'jobs.put', jobs: finals })
    const raw = JSON.parse(new TextDecoder().decode(bytes))
    expect(raw.groups.map((g: unknown[]) => g[6])).toEqual([['a', 'b'], ['c'], ['d'], ['e'], ['f'], ['g', 'h'], ['i']])
    expect(raw.groups[0][7]).toEqual([10, 11])
    expect(raw.groups[3][7]).toBeNull()
    expect(decodeCommand(bytes)).toEqual({ op: 'jobs.put', jobs: finals })
    const a = new ControlState()
    const b = new ControlState()
    a.apply(1, new TextEncoder().encode(JSON.stringify({ v: 1, op: 'jobs.put', jobs: finals })))
    b.apply(1, bytes)
    expect([...b.jobs]).toEqual([...a.jobs])
  })

  it('merges a final state into a registration as the spread did: the put\'s fields win, the rest stay', () => {
    const s = new ControlState()
    s.apply(1, encodeCommand({ op: 'jobs.put', jobs: [['x', { home: P(1), createdAt: 5, state: 'running', replicas: [P(2)], keepMs: 7 }]] }))
    s.apply(2, encodeCommand({ op: 'jobs.put', jobs: [['x', { home: P(1), createdAt: 5, state: 'completed', finishedAt: 9 }]] }))
    expect(s.jobs.get('x')).toEqual({ home: P(1), createdAt: 5, state: 'completed', replicas: [P(2)], keepMs: 7, finishedAt: 9 })
    s.apply(3, encodeCommand({ op: 'jobs.delete', jobIds: ['x'], resultsOnly: true }))
    s.apply(4, encodeCommand({ op: 'jobs.put', jobs: [['x', { home: P(1), createdAt: 5, state: 'completed', replicas: [P(3)], finishedAt: 9 }]] }))
    expect(s.jobs.get('x')).toEqual({ home: P(1), createdAt: 5, state: 'completed', replicas: [P(3)], keepMs: 7, finishedAt: 9, resultsExpired: true })
  })

  it('keeps every field a put carries through the merge (a field JobEntry gains must be merged too)', () => {
    // Required<…>: a field added to JobEntry fails to compile here until it is listed, then
    // fails below until decodeCommand and mergeEntry (which lists fields one by one, for
    // speed) carry it. homes and resultsExpired are the state's own (a move, a results-only
    // delete), never a put's: the test above and the moves' tests keep them.
    const full: Required<JobEntry> = { home: P(1), createdAt: 5, state: 'completed', replicas: [P(2)], epoch: 3, homes: [P(4)], finishedAt: 9, keepMs: 7, resultsExpired: true }
    const { homes: _homes, resultsExpired: _expired, ...put } = full
    const s = new ControlState()
    s.apply(1, encodeCommand({ op: 'jobs.put', jobs: [['x', { home: P(1), createdAt: 5, state: 'running' }]] }))
    s.apply(2, encodeCommand({ op: 'jobs.put', jobs: [['x', put]] }))
    expect(s.jobs.get('x')).toEqual(put)
  })

  it('refuses groups that are malformed, with the reason', () => {
    const raw = (groups: unknown, peers: unknown = [P(1), P(2)]): Uint8Array => new TextEncoder().encode(JSON.stringify({ v: 1, op: 'jobs.put', peers, groups }))
    const g = (over: Record<number, unknown>): unknown[] => Object.assign([0, 0, null, null, null, 5, ['j'], null], over)
    expect(decodeCommand(raw([g({})]))).toEqual({ op: 'jobs.put', jobs: [['j', { home: P(1), createdAt: 5, state: 'running' }]] })
    expect(() => decodeCommand(raw([]))).toThrow(/"groups" must list 1 to/)
    expect(() => decodeCommand(raw('x'))).toThrow(/"groups" must list 1 to/)
    expect(() => decodeCommand(raw([[0, 0, null]]))).toThrow(/a group must be/)
    expect(() => decodeCommand(raw([g({ 0: 9 })]))).toThrow(/bad group/)
    expect(() => decodeCommand(raw([g({ 1: 5 })]))).toThrow(/bad group/)
    expect(() => decodeCommand(raw([g({ 5: -1 })]))).toThrow(/bad group/)
    expect(() => decodeCommand(raw([g({ 2: [0, 7] })]))).toThrow(/bad replicas/)
    expect(() => decodeCommand(raw([g({ 2: [0, 0, 0, 0, 0, 0, 0, 0, 0] })]))).toThrow(/bad replicas/)
    expect(() => decodeCommand(raw([g({ 3: 'x' })]))).toThrow(/bad epoch/)
    expect(() => decodeCommand(raw([g({ 4: -3 })]))).toThrow(/bad keepMs/)
    expect(() => decodeCommand(raw([g({ 6: [] })]))).toThrow(/1 to/)
    expect(() => decodeCommand(raw([g({ 6: [''] })]))).toThrow(/job id must be/)
    expect(() => decodeCommand(raw([g({ 6: [3] })]))).toThrow(/job id must be/)
    expect(() => decodeCommand(raw([g({ 7: [1, 2] })]))).toThrow(/finish times must match/)
    expect(() => decodeCommand(raw([g({ 7: [-1] })]))).toThrow(/bad finishedAt for job j/)
    expect(() => decodeCommand(raw([g({})], [P(1), 3]))).toThrow(/"peers"/)
    const many = Array.from({ length: 10_001 }, (_, i) => `j${i}`)
    expect(() => decodeCommand(raw([g({ 6: many.slice(0, 5001) }), g({ 6: many.slice(5001) })]))).toThrow(/1 to 10000 jobs/)
  })

  it('keeps the attribution of an attributed put', () => {
    expect(decodeCommand(encodeCommand({ op: 'jobs.put', jobs: jobs.slice(0, 1), by: 'alice', at: 3 }))).toEqual({ op: 'jobs.put', jobs: jobs.slice(0, 1), by: 'alice', at: 3 })
  })
})
