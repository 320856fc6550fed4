// The job book's once-per-task recording, and the one duplicate it must not drop: a re-run
// (after the node that held a task was declared dead) that fails for good, of a task whose
// first run succeeded and spawned children — those children went with the dead node, and
// without this the job would complete without them.
import { describe, expect, it } from 'vitest'
import { JobBook } from '../../../src/work/jobs.js'
import type { JobRecord, TaskOutcome } from '../../../src/work/records.js'

/** A book whose writes land in `results` and `inFinal` (outcomes inside final job records). */
function book (): { jobs: JobBook, results: Map<string, TaskOutcome>, inFinal: Map<string, TaskOutcome> } {
  const results = new Map<string, TaskOutcome>()
  const inFinal = new Map<string, TaskOutcome>()
  const jobs = new JobBook({
    put: (bucket, key, value, outcome) => {
      if (bucket === 'results') results.set(key, value as TaskOutcome)
      if (outcome !== undefined) inFinal.set(key, outcome)
    },
    del: () => {}
  })
  return { jobs, results, inFinal }
}

const JOB: JobRecord = { id: 'j', home: 'A', state: 'running', createdAt: 1, roots: 1, total: 1, done: 0, failed: 0, cancelled: 0, byNode: {} }
const out = (taskId: string, ok: boolean, spawned: number, node = 'B', error?: string): TaskOutcome => ({ jobId: 'j', taskId, ok, spawned, attempts: 1, node, finishedAt: 10, ...(error != null ? { error } : {}) })

describe('the job book', () => {
  it('keeps a one-task job\'s outcome for its final record when the job finishes in the same stage, else writes it to results', () => {
    const { jobs, results, inFinal } = book()
    jobs.add({ ...JOB })
    jobs.record(out('j/0', true, 0), 5)
    jobs.finish('j', 6)
    jobs.stage()
    expect([...results.keys()]).toEqual([])
    expect(inFinal.get('j')).toMatchObject({ taskId: 'j/0' })
    const other = book()
    other.jobs.add({ ...JOB })
    other.jobs.record(out('j/0', true, 0), 5)
    other.jobs.stage()
    expect([...other.results.keys()]).toEqual(['j/0'])
  })

  it('writes the outcomes of a one-root job\'s children that come before its root\'s, each to results', () => {
    // The root ran on a thief whose children ran on another, whose results reached home first:
    // the job's total still says one task. Only the root's own outcome may wait for the final record.
    const { jobs, results, inFinal } = book()
    jobs.add({ ...JOB })
    expect(jobs.record(out('j/0.0', true, 0, 'C'), 5)).toBe(true)
    expect(jobs.record(out('j/0.1', true, 0, 'C'), 5)).toBe(true)
    jobs.stage()
    expect([...results.keys()].sort()).toEqual(['j/0.0', 'j/0.1'])
    jobs.record(out('j/0', true, 2), 6)
    jobs.finish('j', 7)
    jobs.stage()
    expect([...results.keys()].sort()).toEqual(['j/0', 'j/0.0', 'j/0.1'])
    expect(inFinal.size).toBe(0)
  })

  it('never writes an active record over a final one staged and not yet durable', () => {
    const writes: string[] = []
    const jobs = new JobBook({ put: (bucket, key, value) => { if (bucket === 'jobs') writes.push((value as JobRecord).state) }, del: () => {} })
    jobs.add({ ...JOB, roots: 1, total: 3 }, false)
    jobs.record(out('j/0', true, 2), 5)
    jobs.record(out('j/0.0', true, 0), 5)
    jobs.record(out('j/0.1', true, 0), 5)
    jobs.stage()
    jobs.finish('j', 6)
    // A duplicate failed re-run of the root (it spawned children) touches the job.
    jobs.record(out('j/0', false, 0, 'C', 'boom'), 6)
    jobs.persist('j')
    jobs.stage()
    expect(writes).toEqual(['completed'])
  })

  it('drops a duplicate outcome of a task recorded once', () => {
    const { jobs } = book()
    jobs.add({ ...JOB })
    expect(jobs.record(out('j/0', true, 0), 5)).toBe(true)
    expect(jobs.record(out('j/0', false, 0, 'C', 'boom'), 6)).toBe(false)
    expect(jobs.get('j')).toMatchObject({ done: 1, failed: 0, total: 1 })
    expect(jobs.duplicates).toBe(1)
  })

  it('fails the job when the re-run of a task whose first run spawned children fails, keeping the totals exact after a restart', () => {
    const { jobs, results } = book()
    jobs.add({ ...JOB })
    jobs.record(out('j/0', true, 2), 5)
    jobs.record(out('j/0.0', true, 0), 6)
    // B died holding j/0.1; j/0 ran again on C and failed for good.
    expect(jobs.record(out('j/0', false, 0, 'C', 'boom'), 7)).toBe(false)
    const job = jobs.get('j')!
    expect(job).toMatchObject({ done: 2, failed: 1, total: 3 })
    expect(job.error).toContain('to re-create its 2 subtasks lost with that node, and failed: boom')
    expect(results.get('j/0')).toMatchObject({ ok: false, spawned: 2, node: 'C' })
    // A restart recounts from the results: the same counts.
    const again = book().jobs
    again.restore([{ job: { ...JOB }, outcomes: [...results.values()] }])
    expect(again.get('j')).toMatchObject({ done: 2, failed: 1, total: 3 })
    expect(jobs.finish('j', 9)?.state).toBe('failed')
  })

  it('keeps the first outcome when the re-run of a task without children fails, or a re-run succeeds', () => {
    const { jobs, results } = book()
    jobs.add({ ...JOB, roots: 2, total: 2 })
    jobs.record(out('j/0', true, 0), 5)
    jobs.record(out('j/1', true, 1), 5)
    jobs.record(out('j/0', false, 0, 'C', 'boom'), 6)
    jobs.record(out('j/1', true, 1, 'C'), 6)
    expect(jobs.get('j')).toMatchObject({ done: 2, failed: 0, total: 3 })
    expect(results.get('j/0')).toMatchObject({ ok: true, node: 'B' })
  })
})

describe('every outcome of the tree recorded (allRecorded)', () => {
  it('holds once the roots and every child of a spawning outcome are recorded, and not before', () => {
    const { jobs } = book()
    jobs.add({ ...JOB, roots: 2, total: 2 })
    jobs.record({ ...out('j/0', true, 2) }, 5)
    jobs.record(out('j/0.0', true, 0), 6)
    jobs.record(out('j/1', true, 0), 7)
    expect(jobs.allRecorded('j')).toBe(false)
    jobs.record(out('j/0.1', true, 0), 8)
    expect(jobs.get('j')).toMatchObject({ done: 4, total: 4 })
    expect(jobs.allRecorded('j')).toBe(true)
  })

  it('does not hold when the counts meet with a parent missing: a child recorded before its parent', () => {
    const { jobs } = book()
    // Roots j/0 (spawns j/0.0, whose outcome overtakes j/0's) and j/1, j/2.
    jobs.add({ ...JOB, roots: 3, total: 3 })
    jobs.record(out('j/0.0', true, 0), 5)
    jobs.record(out('j/1', true, 0), 6)
    jobs.record(out('j/2', true, 0), 7)
    // done = total = 3, yet j/0 is not recorded.
    expect(jobs.get('j')).toMatchObject({ done: 3, total: 3 })
    expect(jobs.allRecorded('j')).toBe(false)
    jobs.record(out('j/0', true, 1), 8)
    expect(jobs.allRecorded('j')).toBe(true)
  })

  it('does not hold for a child beyond what its parent spawned, nor for a root beyond the roots', () => {
    const { jobs } = book()
    jobs.add({ ...JOB, roots: 1, total: 1 })
    jobs.record(out('j/0.1', true, 0), 5)
    expect(jobs.get('j')).toMatchObject({ done: 1, total: 1 })
    expect(jobs.allRecorded('j')).toBe(false)
    const other = book().jobs
    other.add({ ...JOB, roots: 1, total: 1 })
    other.record(out('j/1', true, 0), 5)
    expect(other.allRecorded('j')).toBe(false)
  })
})
