// Schedules in the control state machine: create, replace, pause, remove; a fired occurrence
// applies once (monotone), moves off a home only when that home is declared dead before
// registering the job; only the named home registers the occurrence's job; snapshots keep it
// all; bad commands are refused at decode.
import { describe, expect, it } from 'vitest'
import { ControlState, decodeCommand, encodeCommand, type ControlCommand } from '../../../src/consensus/control.js'
import { scheduleJobId } from '../../../src/workflow/schedule.js'

const T = Date.UTC(2026, 10, 29, 9, 0, 0)
const job = { tasks: [{ type: 'echo', payload: 1 }] }
const put = (over: Partial<Extract<ControlCommand, { op: 'schedule.put' }>> = {}): ControlCommand =>
  ({ op: 'schedule.put', name: 'tick', cron: '*/2 * * * * *', job, paused: false, misfire: 'once', createdAt: T - 10_000, by: 'op', at: T - 10_000, ...over })
const fired = (at: number, home: string, name = 'tick'): ControlCommand => ({ op: 'schedule.fired', name, at, jobId: scheduleJobId(name, at), home })

class Log {
  readonly s = new ControlState()
  private i = 0
  apply (cmd: ControlCommand): ReturnType<ControlState['apply']> {
    return this.s.apply(++this.i, encodeCommand(cmd))
  }
}

describe('schedules in the control state', () => {
  it('creates a schedule and fires an occurrence once: a second fired entry for it (a racing leader) fails and changes nothing', () => {
    const l = new Log()
    expect(l.apply(put())).toEqual({ ok: true })
    expect(l.apply(fired(T, 'A'))).toEqual({ ok: true })
    expect(l.apply(fired(T, 'B'))).toMatchObject({ ok: false, code: 'VERSION_MISMATCH' })
    expect(l.s.schedules.get('tick')).toMatchObject({ lastFiredAt: T, lastHome: 'A', fired: 1 })
    expect(l.s.occurrences.get(scheduleJobId('tick', T))).toEqual({ schedule: 'tick', at: T, home: 'A', moves: 0 })
  })

  it('fires only forward: an earlier occurrence after a later one fails', () => {
    const l = new Log()
    l.apply(put())
    l.apply(fired(T + 2000, 'A'))
    expect(l.apply(fired(T, 'A'))).toMatchObject({ ok: false })
    expect(l.s.schedules.get('tick')!.lastFiredAt).toBe(T + 2000)
  })

  it('refuses to fire an unknown, a paused schedule, or an occurrence before its creation', () => {
    const l = new Log()
    expect(l.apply(fired(T, 'A'))).toMatchObject({ ok: false, code: 'NOT_FOUND' })
    l.apply(put())
    expect(l.apply(fired(T - 20_000, 'A'))).toMatchObject({ ok: false })
    l.apply({ op: 'schedule.pause', name: 'tick', paused: true, time: T })
    expect(l.apply(fired(T, 'A'))).toMatchObject({ ok: false })
  })

  it('resuming counts from the resume: no occurrence missed while paused fires', () => {
    const l = new Log()
    l.apply(put())
    l.apply({ op: 'schedule.pause', name: 'tick', paused: true, time: T })
    l.apply({ op: 'schedule.pause', name: 'tick', paused: false, time: T + 60_000 })
    expect(l.s.schedules.get('tick')).toMatchObject({ paused: false, since: T + 60_000 })
    expect(l.apply(fired(T + 30_000, 'A'))).toMatchObject({ ok: false })
    expect(l.apply(fired(T + 62_000, 'A'))).toEqual({ ok: true })
  })

  it('replacing a schedule keeps what it fired', () => {
    const l = new Log()
    l.apply(put())
    l.apply(fired(T, 'A'))
    l.apply(put({ cron: '0 9 * * *', createdAt: T + 1000 }))
    expect(l.s.schedules.get('tick')).toMatchObject({ cron: '0 9 * * *', lastFiredAt: T, fired: 1, createdAt: T - 10_000, since: T + 1000 })
    expect(l.apply(fired(T, 'B'))).toMatchObject({ ok: false })
  })

  it('removes a schedule, keeping the job of an occurrence fired but not yet registered; removing an unknown one is NOT_FOUND', () => {
    const l = new Log()
    l.apply(put())
    l.apply(fired(T, 'A'))
    expect(l.apply({ op: 'schedule.remove', name: 'tick' })).toEqual({ ok: true })
    expect(l.s.schedules.size).toBe(0)
    expect(l.s.occurrences.get(scheduleJobId('tick', T))).toMatchObject({ home: 'A', job })
    // It still moves off a dead home, and registers.
    l.apply({ op: 'node.dead', peerId: 'A', incarnation: 1, reason: 'quorum' })
    expect(l.apply(fired(T, 'B'))).toEqual({ ok: true })
    l.apply({ op: 'jobs.put', jobs: [[scheduleJobId('tick', T), { home: 'B', createdAt: T, state: 'running' }]] })
    expect(l.s.occurrences.size).toBe(0)
    expect(l.apply({ op: 'schedule.remove', name: 'tick' })).toMatchObject({ ok: false, code: 'NOT_FOUND' })
    expect(l.apply({ op: 'schedule.pause', name: 'tick', paused: true, time: T })).toMatchObject({ ok: false, code: 'NOT_FOUND' })
  })

  it('clears the occurrence when its home registers the job', () => {
    const l = new Log()
    l.apply(put())
    l.apply(fired(T, 'A'))
    const id = scheduleJobId('tick', T)
    l.apply({ op: 'jobs.put', jobs: [[id, { home: 'A', createdAt: T, state: 'running' }]] })
    expect(l.s.occurrences.size).toBe(0)
    expect(l.s.jobs.get(id)).toMatchObject({ home: 'A' })
  })

  it('moves an occurrence off its home only when that home is declared dead and the job is not registered', () => {
    const l = new Log()
    l.apply(put())
    l.apply(fired(T, 'A'))
    const id = scheduleJobId('tick', T)
    expect(l.apply(fired(T, 'B'))).toMatchObject({ ok: false })
    l.apply({ op: 'node.dead', peerId: 'A', incarnation: 1, reason: 'quorum' })
    expect(l.apply(fired(T, 'B'))).toEqual({ ok: true })
    expect(l.s.occurrences.get(id)).toMatchObject({ home: 'B', moves: 1 })
    expect(l.s.schedules.get('tick')).toMatchObject({ lastHome: 'B', fired: 1 })
    // The dead home's late registration is refused; the new home's is taken.
    l.apply({ op: 'jobs.put', jobs: [[id, { home: 'A', createdAt: T, state: 'running' }]] })
    expect(l.s.jobs.has(id)).toBe(false)
    l.apply({ op: 'jobs.put', jobs: [[id, { home: 'B', createdAt: T, state: 'running' }]] })
    expect(l.s.jobs.get(id)).toMatchObject({ home: 'B' })
    // And once registered, the dead home's put cannot take it over either.
    l.apply({ op: 'jobs.put', jobs: [[id, { home: 'A', createdAt: T, state: 'completed' }]] })
    expect(l.s.jobs.get(id)).toMatchObject({ home: 'B', state: 'running' })
  })

  it('does not move an occurrence whose job the dead home registered in time (the registry re-homes that job)', () => {
    const l = new Log()
    l.apply(put())
    l.apply(fired(T, 'A'))
    const id = scheduleJobId('tick', T)
    l.apply({ op: 'jobs.put', jobs: [[id, { home: 'A', createdAt: T, state: 'running', replicas: ['R'] }]] })
    l.apply({ op: 'node.dead', peerId: 'A', incarnation: 1, reason: 'quorum' })
    expect(l.apply(fired(T, 'B'))).toMatchObject({ ok: false })
    expect(l.s.jobs.get(id)).toMatchObject({ home: 'R', epoch: 1 })
  })

  it('keeps schedules and pending occurrences in its snapshot, and loads a snapshot from before schedules', () => {
    const l = new Log()
    l.apply(put())
    l.apply(fired(T, 'A'))
    const copy = ControlState.restore(l.s.snapshot())
    expect([...copy.schedules]).toEqual([...l.s.schedules])
    expect([...copy.occurrences]).toEqual([...l.s.occurrences])
    const old = JSON.parse(new TextDecoder().decode(l.s.snapshot()))
    delete old.schedules
    delete old.occurrences
    const restored = ControlState.restore(new TextEncoder().encode(JSON.stringify(old)))
    expect(restored.schedules.size).toBe(0)
  })

  it('refuses malformed schedule commands at decode', () => {
    const bad = (o: Record<string, unknown>): Uint8Array => new TextEncoder().encode(JSON.stringify({ v: 1, ...o }))
    const base = { op: 'schedule.put', name: 'tick', cron: '0 9 * * *', job, paused: false, misfire: 'once', createdAt: T }
    expect(() => decodeCommand(bad(base))).not.toThrow()
    expect(() => decodeCommand(bad({ ...base, cron: '61 * * * *' }))).toThrow(/schedule.put: invalid cron expression/)
    expect(() => decodeCommand(bad({ ...base, tz: 'Mars/Olympus' }))).toThrow(/unknown time zone/)
    expect(() => decodeCommand(bad({ ...base, name: 'two words' }))).toThrow(/invalid schedule name/)
    expect(() => decodeCommand(bad({ ...base, misfire: 'sometimes' }))).toThrow(/misfire/)
    expect(() => decodeCommand(bad({ ...base, job: [1] }))).toThrow(/"job" must be a JSON object/)
    expect(() => decodeCommand(bad({ ...base, job: { x: 'y'.repeat(70_000) } }))).toThrow(/over 65536 bytes/)
    expect(() => decodeCommand(bad({ ...base, catchUpMs: 0 }))).toThrow(/catchUpMs/)
    // A fired entry must carry the occurrence's own job id.
    expect(() => decodeCommand(bad({ op: 'schedule.fired', name: 'tick', at: T, jobId: 'someone-elses', home: 'A' }))).toThrow(/is not occurrence/)
    const s = new ControlState()
    expect(s.apply(1, bad({ ...base, cron: 'nope' }))).toMatchObject({ ok: false, code: 'BAD_COMMAND' })
    expect(s.schedules.size).toBe(0)
  })

  it('keeps the attribution of a put (the audit log records who scheduled what)', () => {
    const l = new Log()
    l.apply(put({ by: 'alice', at: T - 10_000 }))
    expect(l.s.schedules.get('tick')).toMatchObject({ by: 'alice', at: T - 10_000 })
  })
})
