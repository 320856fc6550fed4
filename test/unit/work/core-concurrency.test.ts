// WorkCore.setConcurrency: the slots change at run time (--concurrency auto). Growing starts
// queued tasks at once; shrinking stops no running task, only the start of new ones; every
// task still runs exactly once and the job completes.
import { describe, expect, it } from 'vitest'
import { mulberry32 } from '../../../src/prng.js'
import { WorkCore, type AttemptEnd, type Ready } from '../../../src/work/core.js'
import type { JobInput, Task } from '../../../src/work/spec.js'
import { FakeRegistry } from './fake-registry.js'

function persist (core: WorkCore): Ready {
  const rd = core.ready()
  if (rd.seq > 0) core.advance(rd.seq)
  return rd
}

const ok: AttemptEnd = { ok: true, result: '"done"', children: [], durationMs: 5, stoppedByNode: false }

function submit (core: WorkCore, registry: FakeRegistry, input: JobInput, now: number): { jobId: string, started: Task[] } {
  const ticket = core.submit([input], now)
  const rd = persist(core)
  for (const reg of rd.register) for (const [id, e] of reg.entries) registry.jobs.set(id, e)
  core.registered(ticket.id, undefined, now)
  return { jobId: ticket.jobs[0]!.id, started: persist(core).start }
}

describe('WorkCore.setConcurrency', () => {
  it('grows: starts queued tasks at once; shrinks: cancels nothing, starts nothing until under it; nothing lost', () => {
    const reg = new FakeRegistry()
    const core = WorkCore.create({ self: 'A', incarnation: 1, concurrency: 2, capabilities: ['handler:echo'], rng: mulberry32(7) }, reg, 1000)
    const { jobId, started } = submit(core, reg, { tasks: Array.from({ length: 40 }, () => ({ type: 'echo' })) }, 1000)
    expect(started).toHaveLength(2)
    expect(core.concurrency).toBe(2)
    expect(core.slotUse).toEqual({ running: 2, queued: 38 })
    expect(core.load).toBe(1)

    const running = new Set(started.map(t => t.id))
    const ran: string[] = [...running]
    const startAll = (rd: Ready): void => {
      for (const t of rd.start) {
        expect(running.has(t.id)).toBe(false)
        running.add(t.id)
        ran.push(t.id)
      }
    }

    // Grow to 10: eight more start in the same ready.
    core.setConcurrency(10, 1001)
    startAll(persist(core))
    expect(running.size).toBe(10)
    expect(core.slotUse).toEqual({ running: 10, queued: 30 })
    expect(core.load).toBe(1)

    // Shrink to 3: the ten keep running (no abort), nothing new starts.
    core.setConcurrency(3, 1002)
    const rd = persist(core)
    expect(rd.abort).toEqual([])
    expect(rd.start).toEqual([])
    expect(core.slotUse.running).toBe(10)
    expect(core.load).toBeCloseTo(10 / 3)

    // Finishing seven of them starts nothing: still at or over three.
    const ids = [...running]
    for (const id of ids.slice(0, 7)) {
      core.taskFinished(id, ok, 1003)
      running.delete(id)
      expect(persist(core).start).toEqual([])
    }
    expect(core.slotUse.running).toBe(3)
    // The eighth frees a slot under three: one starts.
    core.taskFinished(ids[7]!, ok, 1004)
    running.delete(ids[7]!)
    const next = persist(core)
    expect(next.start).toHaveLength(1)
    startAll(next)
    expect(core.slotUse.running).toBe(3)

    // Bad values are ignored.
    core.setConcurrency(0, 1005)
    core.setConcurrency(2.5, 1005)
    core.setConcurrency(Number.NaN, 1005)
    expect(core.concurrency).toBe(3)

    // Run the rest with the slots moving up and down; every task runs exactly once.
    let now = 1006
    let k = 0
    let final: string | undefined
    while (running.size > 0) {
      const id = running.values().next().value!
      core.taskFinished(id, ok, ++now)
      running.delete(id)
      if (++k % 5 === 0) core.setConcurrency(1 + (k % 7), now)
      const r = persist(core)
      for (const w of r.writes) if (w.type === 'put' && w.bucket === 'jobs' && w.key === jobId) final = (w.value as { state: string }).state
      startAll(r)
    }
    expect(ran).toHaveLength(40)
    expect(new Set(ran).size).toBe(40)
    expect(final).toBe('completed')
    expect(core.slotUse).toEqual({ running: 0, queued: 0 })
  })

  it('prefetch and what a thief may take follow the slots', () => {
    const reg = new FakeRegistry()
    const core = WorkCore.create({ self: 'A', incarnation: 1, concurrency: 1, capabilities: ['handler:echo'], rng: mulberry32(7) }, reg, 1000)
    submit(core, reg, { tasks: Array.from({ length: 40 }, () => ({ type: 'echo' })) }, 1000)
    const before = core.stealable
    core.setConcurrency(8, 1001)
    persist(core)
    // More slots: more running, and more kept back for them (a thief may take less).
    expect(core.stealable).toBeLessThan(before)
    // Kept: PREFETCH_PER_SLOT (2) per slot, the running ones included.
    expect(core.stealable).toBe(40 - 8 * 2)
  })
})
