// The schedule runner over a real ControlState and a fake work engine: the leader fires what
// is due under the occurrence's id, the named home submits it once, a follower fires nothing,
// a restarted home does not submit what it already holds, the leader takes over an
// occurrence from a home declared dead, and a job that cannot run is recorded failed.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ControlState, encodeCommand, type ApplyResult, type ControlCommand, type JobEntry } from '../../../src/consensus/control.js'
import { ScheduleService } from '../../../src/node/services/schedules.js'
import { WorkError } from '../../../src/work/errors.js'
import type { JobInput } from '../../../src/work/spec.js'
import { scheduleJobId } from '../../../src/workflow/schedule.js'

const T = Date.UTC(2026, 10, 29, 9, 0, 0)
const quiet = { info: () => {}, warn: () => {}, debug: () => {} }

function harness (self: string, role: 'leader' | 'follower', opts: { held?: string[], refuse?: WorkError } = {}) {
  const control = new ControlState()
  let index = 0
  const onApplied: Array<(cmd: ControlCommand, index: number) => void> = []
  control.onApplied = (cmd, i) => { for (const l of onApplied) l(cmd, i) }
  const apply = (cmd: ControlCommand): ApplyResult => control.apply(++index, encodeCommand(cmd))
  const submitted: JobInput[] = []
  let now = T
  const onRestored: Array<() => void> = []
  const onRoleChange: Array<(role: string, leader: string | null, term: number) => void> = []
  const consensus = {
    control,
    onApplied,
    onRestored,
    onRoleChange,
    status: () => ({ role, leader: 'L', applied: index, commit: index }) as any,
    propose: async (cmd: ControlCommand) => apply(cmd)
  }
  const register = async (entries: Array<[string, JobEntry]>): Promise<void> => { apply({ op: 'jobs.put', jobs: entries }) }
  const engine = {
    submit: async (inputs: readonly JobInput[]) => {
      if (opts.refuse != null) throw opts.refuse
      submitted.push(...inputs)
      await register(inputs.map(i => [i.jobId!, { home: self, createdAt: now, state: 'running' }]))
      return [] as any
    },
    jobRecord: async (id: string) => opts.held?.includes(id) === true ? { id } as any : undefined
  }
  const svc = new ScheduleService({ self, consensus, engine, register, log: quiet, now: () => now })
  return { control, apply, submitted, svc, onRestored, onRoleChange, setNow: (t: number) => { now = t } }
}

const put: ControlCommand = { op: 'schedule.put', name: 'tick', cron: '*/2 * * * * *', job: { tasks: [{ type: 'echo' }] }, paused: false, misfire: 'once', createdAt: T - 10_000 }

/** Lets the fire-and-forget submits finish. */
const settle = async (): Promise<void> => { for (let i = 0; i < 5; i++) await new Promise(resolve => setImmediate(resolve)) }

describe('the schedule runner', () => {
  it('fires a due occurrence as leader and submits its job once, under the occurrence\'s id', async () => {
    const h = harness('L', 'leader')
    h.apply(put)
    h.setNow(T + 10)
    await h.svc.run()
    await settle()
    const id = scheduleJobId('tick', T)
    expect(h.control.schedules.get('tick')).toMatchObject({ lastFiredAt: T, lastHome: 'L', fired: 1 })
    expect(h.submitted.map(i => i.jobId)).toEqual([id])
    expect(h.submitted[0]!.name).toBe('tick')
    expect(h.control.jobs.get(id)).toMatchObject({ home: 'L' })
    await h.svc.run()
    await settle()
    expect(h.submitted).toHaveLength(1)
  })

  it('fires nothing as a follower', async () => {
    const h = harness('F', 'follower')
    h.apply(put)
    h.setNow(T + 10)
    await h.svc.run()
    expect(h.control.schedules.get('tick')!.fired).toBe(0)
  })

  it('submits an occurrence naming it, unless it already holds the job (submitted before a restart)', async () => {
    const id = scheduleJobId('tick', T)
    const held = harness('F', 'follower', { held: [id] })
    held.apply(put)
    held.apply({ op: 'schedule.fired', name: 'tick', at: T, jobId: id, home: 'F' })
    await held.svc.run()
    await settle()
    expect(held.submitted).toEqual([])
    const fresh = harness('F', 'follower')
    fresh.apply(put)
    fresh.apply({ op: 'schedule.fired', name: 'tick', at: T, jobId: id, home: 'F' })
    await fresh.svc.run()
    await settle()
    expect(fresh.submitted.map(i => i.jobId)).toEqual([id])
  })

  it('takes over, as leader, an occurrence whose home was declared dead before registering its job', async () => {
    const h = harness('L', 'leader')
    h.apply(put)
    const id = scheduleJobId('tick', T)
    h.apply({ op: 'schedule.fired', name: 'tick', at: T, jobId: id, home: 'A' })
    h.apply({ op: 'node.dead', peerId: 'A', incarnation: 1, reason: 'quorum' })
    h.setNow(T + 10)
    await h.svc.run()
    await settle()
    expect(h.control.jobs.get(id)).toMatchObject({ home: 'L' })
    expect(h.submitted.map(i => i.jobId)).toEqual([id])
  })

  it('records an occurrence whose job cannot run as failed, so it is not tried for ever', async () => {
    const h = harness('L', 'leader', { refuse: new WorkError('NO_CAPABLE_NODE', 'no live node offers handler:echo') })
    h.apply(put)
    h.setNow(T + 10)
    await h.svc.run()
    await settle()
    const id = scheduleJobId('tick', T)
    expect(h.control.jobs.get(id)).toMatchObject({ home: 'L', state: 'failed' })
    expect(h.control.occurrences.size).toBe(0)
  })

  it('retries a passing refusal', async () => {
    const h = harness('L', 'leader', { refuse: new WorkError('NO_QUORUM', 'fenced') })
    h.apply(put)
    h.setNow(T + 10)
    await h.svc.run()
    await settle()
    expect(h.control.occurrences.size).toBe(1)
    expect(h.control.jobs.size).toBe(0)
  })
})

describe('the schedule runner at rest', () => {
  afterEach(() => { vi.useRealTimers() })

  /** Runs the timers due within `ms` and lets the passes they start finish. */
  const pass = async (ms: number): Promise<void> => {
    await vi.advanceTimersByTimeAsync(ms)
    await settle()
  }

  /** A started runner on fake timers, after its first pass; `runs` counts its passes. */
  const started = async (self: string, role: 'leader' | 'follower') => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const h = harness(self, role)
    const runs = vi.spyOn(h.svc, 'run')
    await h.svc.start()
    await pass(0)
    return { ...h, runs }
  }

  it('sets no timer while there is no schedule and no pending occurrence', async () => {
    const h = await started('L', 'leader')
    const runs = h.runs
    expect(runs).toHaveBeenCalledTimes(1)
    expect(vi.getTimerCount()).toBe(0)
    await pass(10_000)
    expect(runs).toHaveBeenCalledTimes(1)
    await h.svc.stop()
  })

  it('wakes when a schedule is applied, and re-checks every second while there is one', async () => {
    const h = await started('F', 'follower')
    const runs = h.runs
    h.apply(put)
    await pass(10)
    expect(runs).toHaveBeenCalledTimes(2)
    await pass(3_000)
    expect(runs).toHaveBeenCalledTimes(5)
    h.apply({ op: 'schedule.remove', name: 'tick' } as ControlCommand)
    await pass(1_010)
    const after = runs.mock.calls.length
    await pass(5_000)
    expect(runs).toHaveBeenCalledTimes(after)
    expect(vi.getTimerCount()).toBe(0)
    await h.svc.stop()
  })

  it('wakes when a snapshot is installed and when this node is elected leader', async () => {
    const h = await started('L', 'leader')
    const runs = h.runs
    for (const l of h.onRestored) l()
    await pass(10)
    expect(runs).toHaveBeenCalledTimes(2)
    for (const l of h.onRoleChange) l('follower', 'X', 2)
    await pass(10)
    expect(runs).toHaveBeenCalledTimes(2)
    for (const l of h.onRoleChange) l('leader', 'L', 3)
    await pass(10)
    expect(runs).toHaveBeenCalledTimes(3)
    expect(vi.getTimerCount()).toBe(0)
    await h.svc.stop()
  })
})
