// The retention policy (src/consensus/retention.ts) on a fake clock: which finished jobs a
// leader's sweep forgets, and the config values it accepts.
import { describe, expect, it } from 'vitest'
import type { JobEntry } from '../../../src/consensus/control.js'
import { MAX_JOBS_PER_DELETE } from '../../../src/consensus/control.js'
import { decideRetention, defaultRetentionPolicy, parseRetentionValue, retentionCounts, retentionPolicy, type RetentionPolicy } from '../../../src/consensus/retention.js'

const HOUR = 3_600_000
const DAY = 24 * HOUR
const T0 = 1_700_000_000_000

function finished (finishedAt: number, extra: Partial<JobEntry> = {}): JobEntry {
  return { home: 'h', createdAt: finishedAt - 1000, state: 'completed', finishedAt, ...extra }
}

function policy (p: Partial<RetentionPolicy>): RetentionPolicy {
  return { maxAgeMs: Infinity, maxJobs: Infinity, resultsMaxAgeMs: Infinity, ...p }
}

describe('retention policy', () => {
  it('forgets a finished job once it is older than maxAgeMs, counted from when it finished', () => {
    const jobs = new Map<string, JobEntry>([['a', finished(T0)], ['b', finished(T0 + HOUR)]])
    expect(decideRetention(jobs, policy({ maxAgeMs: DAY }), T0 + DAY - 1).delete).toEqual([])
    expect(decideRetention(jobs, policy({ maxAgeMs: DAY }), T0 + DAY).delete).toEqual(['a'])
    expect(decideRetention(jobs, policy({ maxAgeMs: DAY }), T0 + DAY + HOUR).delete).toEqual(['a', 'b'])
  })

  it('counts the age of an entry from before retention (no finishedAt) from its creation', () => {
    const jobs = new Map<string, JobEntry>([['old', { home: 'h', createdAt: T0, state: 'failed' }]])
    expect(decideRetention(jobs, policy({ maxAgeMs: HOUR }), T0 + HOUR).delete).toEqual(['old'])
  })

  it('never forgets a running job, however old and however many', () => {
    const jobs = new Map<string, JobEntry>([['r', { home: 'h', createdAt: T0 - 365 * DAY, state: 'running' }]])
    const d = decideRetention(jobs, policy({ maxAgeMs: 1, maxJobs: 0, resultsMaxAgeMs: 1 }), T0)
    expect(d).toEqual({ delete: [], expireResults: [], more: false })
  })

  it('forgets completed, failed and cancelled jobs alike', () => {
    const jobs = new Map<string, JobEntry>([
      ['c', finished(T0, { state: 'completed' })], ['f', finished(T0, { state: 'failed' })], ['x', finished(T0, { state: 'cancelled' })]
    ])
    expect(decideRetention(jobs, policy({ maxAgeMs: HOUR }), T0 + HOUR).delete.sort()).toEqual(['c', 'f', 'x'])
  })

  it('keeps at most maxJobs finished jobs, forgetting the oldest first', () => {
    const jobs = new Map<string, JobEntry>()
    for (let i = 0; i < 10; i++) jobs.set(`j${i}`, finished(T0 + (9 - i) * 1000))
    jobs.set('run', { home: 'h', createdAt: T0 - DAY, state: 'running' })
    const d = decideRetention(jobs, policy({ maxJobs: 7 }), T0 + 10_000)
    // j9 finished first, then j8, j7: they go; running jobs do not count.
    expect(d.delete).toEqual(['j9', 'j8', 'j7'])
  })

  it('applies whichever limit is hit first: age and count together', () => {
    const jobs = new Map<string, JobEntry>()
    for (let i = 0; i < 6; i++) jobs.set(`j${i}`, finished(T0 + i * HOUR))
    // Aged out: j0, j1 (older than 4 h at T0 + 5 h + 1). Of the 4 left, the count keeps 3: j2 goes.
    const d = decideRetention(jobs, policy({ maxAgeMs: 4 * HOUR, maxJobs: 3 }), T0 + 5 * HOUR + 1)
    expect(d.delete).toEqual(['j0', 'j1', 'j2'])
  })

  it('keeps a job with its own keep past maxAgeMs, and forgets it when its keep is over', () => {
    const jobs = new Map<string, JobEntry>([['long', finished(T0, { keepMs: 3 * DAY })], ['short', finished(T0, { keepMs: HOUR })], ['plain', finished(T0)]])
    expect(decideRetention(jobs, policy({ maxAgeMs: DAY }), T0 + HOUR).delete).toEqual(['short'])
    expect(decideRetention(jobs, policy({ maxAgeMs: DAY }), T0 + DAY).delete.sort()).toEqual(['plain', 'short'])
    expect(decideRetention(jobs, policy({ maxAgeMs: DAY }), T0 + 3 * DAY).delete.sort()).toEqual(['long', 'plain', 'short'])
  })

  it('still counts a job with its own keep against maxJobs (the operator bounds the registry)', () => {
    const jobs = new Map<string, JobEntry>([['a', finished(T0, { keepMs: 30 * DAY })], ['b', finished(T0 + 1)]])
    expect(decideRetention(jobs, policy({ maxJobs: 1 }), T0 + 2).delete).toEqual(['a'])
  })

  it('expires results sooner than the record: resultsMaxAgeMs, once per job, not for jobs with their own keep', () => {
    const jobs = new Map<string, JobEntry>([['a', finished(T0)], ['b', finished(T0, { resultsExpired: true })], ['k', finished(T0, { keepMs: DAY })], ['new', finished(T0 + 2 * HOUR)]])
    const d = decideRetention(jobs, policy({ maxAgeMs: DAY, resultsMaxAgeMs: HOUR }), T0 + 2 * HOUR)
    expect(d).toEqual({ delete: [], expireResults: ['a'], more: false })
  })

  it('never expires the results of a job it forgets in the same sweep', () => {
    const jobs = new Map<string, JobEntry>([['a', finished(T0)], ['b', finished(T0 + 1)]])
    const d = decideRetention(jobs, policy({ maxJobs: 1, resultsMaxAgeMs: 1 }), T0 + HOUR)
    expect(d.delete).toEqual(['a'])
    expect(d.expireResults).toEqual(['b'])
  })

  it('bounds a decision to one batch, oldest first, and says more is due', () => {
    const jobs = new Map<string, JobEntry>()
    for (let i = 0; i < 25; i++) jobs.set(`j${String(i).padStart(2, '0')}`, finished(T0 + i))
    const d = decideRetention(jobs, policy({ maxAgeMs: 1 }), T0 + DAY, 10)
    expect(d.delete).toEqual(Array.from({ length: 10 }, (_, i) => `j${String(i).padStart(2, '0')}`))
    expect(d.more).toBe(true)
    // Applied, the next sweep takes the next ten; the last one takes the rest.
    for (const id of d.delete) jobs.delete(id)
    expect(decideRetention(jobs, policy({ maxAgeMs: 1 }), T0 + DAY, 10).delete[0]).toBe('j10')
    for (let i = 10; i < 20; i++) jobs.delete(`j${i}`)
    expect(decideRetention(jobs, policy({ maxAgeMs: 1 }), T0 + DAY, 10)).toMatchObject({ more: false })
  })

  it('bounds the count limit\'s deletions to one batch too', () => {
    const jobs = new Map<string, JobEntry>()
    for (let i = 0; i < 30; i++) jobs.set(`j${i}`, finished(T0 + i))
    const d = decideRetention(jobs, policy({ maxJobs: 5 }), T0 + 100, 10)
    expect(d.delete).toHaveLength(10)
    expect(d.delete[0]).toBe('j0')
    expect(d.more).toBe(true)
  })

  it('decides at most one jobs.delete entry\'s worth by default', () => {
    const jobs = new Map<string, JobEntry>()
    for (let i = 0; i < MAX_JOBS_PER_DELETE + 5; i++) jobs.set(`j${i}`, finished(T0))
    const d = decideRetention(jobs, policy({ maxAgeMs: 1 }), T0 + 1)
    expect(d.delete).toHaveLength(MAX_JOBS_PER_DELETE)
    expect(d.more).toBe(true)
  })

  it('is deterministic: the same registry, policy and clock give the same decision, whatever the map order', () => {
    const entries: Array<[string, JobEntry]> = Array.from({ length: 50 }, (_, i) => [`j${i}`, finished(T0 + (i % 7))])
    const a = decideRetention(new Map(entries), policy({ maxJobs: 20 }), T0 + 10, 16)
    const b = decideRetention(new Map([...entries].reverse()), policy({ maxJobs: 20 }), T0 + 10, 16)
    expect(a).toEqual(b)
  })

  it('decides what a full sort of the registry decides, over random registries and policies (200 seeds)', () => {
    // The reference: every finished job sorted oldest first (ties by id), the aged ones first,
    // then the count limit's oldest of the rest, then the results due that are not deleted.
    const byAge = (a: [number, string], b: [number, string]): number => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0)
    function reference (jobs: Map<string, JobEntry>, p: RetentionPolicy, now: number, limit: number): { delete: string[], expireResults: string[] } {
      const done = [...jobs].filter(([, e]) => e.state !== 'running').map(([id, e]) => [e.finishedAt ?? e.createdAt, id, e] as const)
      const isAged = ([t, , e]: typeof done[number]): boolean => now - t >= (e.keepMs ?? p.maxAgeMs)
      const aged = done.filter(isAged).map(([t, id]) => [t, id] as [number, string]).sort(byAge).slice(0, limit)
      const rest = done.filter(d => !isAged(d))
      const over = Number.isFinite(p.maxJobs) ? Math.max(0, rest.length - p.maxJobs) : 0
      const byCount = rest.map(([t, id]) => [t, id] as [number, string]).sort(byAge).slice(0, Math.min(over, limit - aged.length))
      const deleting = new Set(byCount.map(([, id]) => id))
      const results = rest.filter(([t, , e]) => e.keepMs == null && e.resultsExpired !== true && now - t >= p.resultsMaxAgeMs)
        .map(([t, id]) => [t, id] as [number, string]).sort(byAge).slice(0, 2 * limit).filter(([, id]) => !deleting.has(id)).slice(0, limit)
      return { delete: [...aged, ...byCount].map(([, id]) => id), expireResults: results.map(([, id]) => id) }
    }
    for (let seed = 1; seed <= 200; seed++) {
      let x = seed
      const rnd = (n: number): number => { x = (x * 1103515245 + 12345) % 2147483648; return x % n }
      const jobs = new Map<string, JobEntry>()
      const count = rnd(60)
      for (let i = 0; i < count; i++) {
        const t = T0 + rnd(10) * HOUR
        jobs.set(`j${rnd(1000)}`, rnd(5) === 0
          ? { home: 'h', createdAt: t, state: 'running' }
          : finished(t, { ...(rnd(4) === 0 ? { keepMs: rnd(12) * HOUR } : {}), ...(rnd(6) === 0 ? { resultsExpired: true } : {}) }))
      }
      const p = policy({
        maxAgeMs: rnd(3) === 0 ? Infinity : rnd(12) * HOUR,
        maxJobs: rnd(3) === 0 ? Infinity : rnd(40),
        resultsMaxAgeMs: rnd(2) === 0 ? Infinity : rnd(12) * HOUR
      })
      const limit = 1 + rnd(20)
      const d = decideRetention(jobs, p, T0 + 8 * HOUR, limit)
      expect({ delete: d.delete, expireResults: d.expireResults }, `seed ${seed}`).toEqual(reference(jobs, p, T0 + 8 * HOUR, limit))
    }
  })

  it('counts what the registry holds', () => {
    const jobs = new Map<string, JobEntry>([['a', finished(T0)], ['b', finished(T0, { resultsExpired: true })], ['r', { home: 'h', createdAt: T0, state: 'running' }]])
    expect(retentionCounts(jobs)).toEqual({ running: 1, finished: 2, resultsExpired: 1 })
  })
})

describe('retention config', () => {
  it('defaults to a week and 100 000 finished jobs, results kept with their job', () => {
    expect(retentionPolicy(new Map())).toEqual(defaultRetentionPolicy)
    expect(defaultRetentionPolicy).toEqual({ maxAgeMs: 7 * DAY, maxJobs: 100_000, resultsMaxAgeMs: Infinity })
  })

  it('reads the replicated config: milliseconds, durations with a unit, and off', () => {
    const config = new Map([['retention.maxAgeMs', { value: '86400000' }], ['retention.maxJobs', { value: 'off' }], ['retention.resultsMaxAgeMs', { value: '12h' }]])
    expect(retentionPolicy(config)).toEqual({ maxAgeMs: DAY, maxJobs: Infinity, resultsMaxAgeMs: 12 * HOUR })
  })

  it('refuses bad values with a message naming the key and what it takes', () => {
    expect(() => parseRetentionValue('retention.maxAgeMs', 'soon')).toThrow(/retention\.maxAgeMs must be a duration/)
    expect(() => parseRetentionValue('retention.maxAgeMs', '-5')).toThrow(/retention\.maxAgeMs/)
    expect(() => parseRetentionValue('retention.maxAgeMs', '0')).toThrow(/between 1 ms and 10 years/)
    expect(() => parseRetentionValue('retention.maxJobs', '1.5')).toThrow(/whole number/)
    expect(() => parseRetentionValue('retention.maxAge', '1d')).toThrow(/unknown retention key "retention.maxAge": the keys are retention.maxAgeMs/)
    expect(parseRetentionValue('retention.maxJobs', '0')).toBe(0)
    expect(parseRetentionValue('retention.maxAgeMs', '90s')).toBe(90_000)
  })

  it('falls back to the default for a value that does not parse (set before validation existed)', () => {
    expect(retentionPolicy(new Map([['retention.maxJobs', { value: 'lots' }]])).maxJobs).toBe(100_000)
  })
})
