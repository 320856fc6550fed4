// The leader-side retention runner (src/node/services/retention.ts) over a real ControlState
// and a fake clock: it proposes what the policy decides, as jobs.delete entries every node
// applies, in bounded batches; a follower proposes nothing.
import { describe, expect, it } from 'vitest'
import { ControlState, encodeCommand, type ApplyResult, type ControlCommand, type JobEntry } from '../../../src/consensus/control.js'
import { RetentionService } from '../../../src/node/services/retention.js'

const DAY = 86_400_000
const T0 = 1_700_000_000_000

function mesh (jobs: number, role = 'leader'): { control: ControlState, proposed: ControlCommand[], service: (now: number, fail?: () => boolean) => RetentionService } {
  const control = new ControlState()
  let index = 0
  const entries: Array<[string, JobEntry]> = Array.from({ length: jobs }, (_, i) => [`j${String(i).padStart(5, '0')}`, { home: 'h', createdAt: T0 + i, state: 'completed', finishedAt: T0 + i }])
  if (entries.length > 0) control.apply(++index, encodeCommand({ op: 'jobs.put', jobs: entries }))
  control.apply(++index, encodeCommand({ op: 'jobs.put', jobs: [['running', { home: 'h', createdAt: 0, state: 'running' }]] }))
  const proposed: ControlCommand[] = []
  return {
    control,
    proposed,
    service: (now, fail = () => false) => new RetentionService({
      status: () => ({ role }) as any,
      control,
      propose: async (cmd): Promise<ApplyResult> => {
        if (fail()) throw new Error('no quorum')
        proposed.push(cmd)
        return control.apply(control.appliedIndex + 1, encodeCommand(cmd))
      }
    }, { info: () => {}, warn: () => {} }, { batch: 100, batchesPerScan: 2 }, () => now)
  }
}

describe('retention runner', () => {
  it('forgets every finished job past the default week, in bounded entries, and never the running one', async () => {
    const m = mesh(250)
    await m.service(T0 + 8 * DAY).sweep()
    // Two entries per scan of the registry, then what is left.
    expect(m.proposed.map(c => c.op === 'jobs.delete' ? c.jobIds.length : 0)).toEqual([100, 100, 50])
    expect(m.proposed.every(c => c.op === 'jobs.delete' && c.jobIds.length <= 100)).toBe(true)
    expect([...m.control.jobs.keys()]).toEqual(['running'])
    expect(m.control.retention.deleted).toBe(250)
  })

  it('keeps what the policy keeps: nothing is proposed inside the week', async () => {
    const m = mesh(10)
    await m.service(T0 + DAY).sweep()
    expect(m.proposed).toEqual([])
  })

  it('reads the policy from the replicated config', async () => {
    const m = mesh(10)
    m.control.apply(m.control.appliedIndex + 1, encodeCommand({ op: 'config.set', key: 'retention.maxJobs', value: '4' }))
    await m.service(T0 + DAY).sweep()
    expect(m.control.jobs.size).toBe(5)
    expect(m.control.jobs.has('j00009')).toBe(true)
    m.control.apply(m.control.appliedIndex + 1, encodeCommand({ op: 'config.set', key: 'retention.resultsMaxAgeMs', value: '1h' }))
    await m.service(T0 + DAY).sweep()
    expect(m.proposed.at(-1)).toMatchObject({ op: 'jobs.delete', resultsOnly: true })
    expect([...m.control.jobs.values()].filter(e => (e as JobEntry).resultsExpired === true)).toHaveLength(4)
  })

  it('does nothing on a follower', async () => {
    const m = mesh(10, 'follower')
    await m.service(T0 + 30 * DAY).sweep()
    expect(m.proposed).toEqual([])
    expect(m.control.jobs.size).toBe(11)
  })

  it('stops at a failed proposal and decides again at the next sweep', async () => {
    const m = mesh(150)
    let failing = true
    const s = m.service(T0 + 8 * DAY, () => failing)
    await s.sweep()
    expect(m.control.jobs.size).toBe(151)
    failing = false
    await s.sweep()
    expect(m.control.jobs.size).toBe(1)
  })
})
