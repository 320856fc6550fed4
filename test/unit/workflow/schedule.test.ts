// The pure schedule module: expressions, occurrences on a fixed clock, misfire policies and
// the deterministic job id of an occurrence.
import { describe, expect, it } from 'vitest'
import { MAX_CATCH_UP, MISFIRE_GRACE_MS, checkCron, checkScheduleName, dueOccurrences, latestOccurrence, nextOccurrence, scheduleJobId } from '../../../src/workflow/schedule.js'
import { jobIdTime } from '../../../src/work/spec.js'

const T = Date.UTC(2026, 10, 29, 9, 0, 0) // 2026-11-29 09:00:00 UTC
const every2s = { name: 'tick', cron: '*/2 * * * * *' }
const daily9 = { name: 'daily', cron: '0 9 * * *' }

describe('cron expressions', () => {
  it('accepts 5 fields (minutes) and 6 fields (seconds first)', () => {
    expect(() => { checkCron(daily9) }).not.toThrow()
    expect(() => { checkCron(every2s) }).not.toThrow()
  })

  it('refuses a bad expression with the reason and what a good one looks like', () => {
    expect(() => { checkCron({ name: 'x', cron: '61 * * * *' }) }).toThrow(/invalid cron expression "61 \* \* \* \*".*0-59.*5 fields/)
    expect(() => { checkCron({ name: 'x', cron: 'every day' }) }).toThrow(/2 fields; expected 5 fields/)
    expect(() => { checkCron({ name: 'x', cron: '1 2 3 4 5 6 7' }) }).toThrow(/7 fields/)
    expect(() => { checkCron({ name: 'x', cron: '' }) }).toThrow(/empty cron expression/)
    expect(() => { checkCron({ name: 'x', cron: '0 0 30 2 *' }) }).toThrow(/invalid cron expression/)
  })

  it('refuses an unknown time zone', () => {
    expect(() => { checkCron({ name: 'x', cron: '0 9 * * *', tz: 'Mars/Olympus' }) }).toThrow(/unknown time zone "Mars\/Olympus"/)
    expect(() => { checkCron({ name: 'x', cron: '0 9 * * *', tz: 'Europe/Berlin' }) }).not.toThrow()
  })

  it('refuses schedule names with spaces or odd characters', () => {
    expect(checkScheduleName('nightly-build.v2')).toBe('nightly-build.v2')
    expect(() => checkScheduleName('two words')).toThrow(/invalid schedule name/)
    expect(() => checkScheduleName('')).toThrow(/invalid schedule name/)
    expect(() => checkScheduleName('x'.repeat(65))).toThrow(/invalid schedule name/)
  })
})

describe('occurrences', () => {
  it('finds the next occurrence strictly after a time, and the latest at or before one', () => {
    expect(nextOccurrence(daily9, T - 1)).toBe(T)
    expect(nextOccurrence(daily9, T)).toBe(T + 86_400_000)
    expect(latestOccurrence(daily9, T)).toBe(T)
    expect(latestOccurrence(daily9, T - 1)).toBe(T - 86_400_000)
    expect(nextOccurrence(every2s, T + 1)).toBe(T + 2000)
  })

  it('reads the expression in its time zone', () => {
    // 09:00 in Berlin is 08:00 UTC in winter.
    expect(nextOccurrence({ ...daily9, tz: 'Europe/Berlin' }, T - 2 * 3_600_000)).toBe(T - 3_600_000)
  })

  it('on a spring-forward day fires a time that does not exist once, an hour later; on a fall-back day, a time that exists twice once', () => {
    const spec = { name: 'dst', cron: '30 2 * * *', tz: 'Europe/Berlin' }
    // 2026-03-29: 02:00 CET jumps to 03:00 CEST; 02:30 does not exist.
    expect(new Date(nextOccurrence(spec, Date.UTC(2026, 2, 28, 12))!).toISOString()).toBe('2026-03-29T01:30:00.000Z')
    // 2026-10-25: 03:00 CEST falls back to 02:00 CET; 02:30 happens twice and fires once.
    const first = nextOccurrence(spec, Date.UTC(2026, 9, 24, 12))!
    expect(new Date(first).toISOString()).toBe('2026-10-25T00:30:00.000Z')
    expect(new Date(nextOccurrence(spec, first)!).toISOString()).toBe('2026-10-26T01:30:00.000Z')
  })

  it('hashes H fields from the schedule name, the same on every call', () => {
    const a = nextOccurrence({ name: 'a', cron: 'H 9 * * *' }, T - 3_600_000)
    expect(nextOccurrence({ name: 'a', cron: 'H 9 * * *' }, T - 3_600_000)).toBe(a)
  })
})

describe('due occurrences and the misfire policy', () => {
  it('fires the occurrence just passed, once', () => {
    expect(dueOccurrences(every2s, T - 2000, T + 5)).toEqual([T])
    expect(dueOccurrences(every2s, T, T + 5)).toEqual([])
  })

  it('never fires an occurrence at or before the time it counts from', () => {
    expect(dueOccurrences(daily9, T, T + 1000)).toEqual([])
    expect(dueOccurrences(daily9, T - 1, T + 1000)).toEqual([T])
  })

  it('once: fires only the most recent of several missed occurrences', () => {
    expect(dueOccurrences(every2s, T - 2000, T + 10_500, { misfire: 'once' })).toEqual([T + 10_000])
  })

  it('skip: drops a missed occurrence more than the grace late, fires one within it', () => {
    expect(dueOccurrences(daily9, T - 1, T + MISFIRE_GRACE_MS + 1, { misfire: 'skip' })).toEqual([])
    expect(dueOccurrences(daily9, T - 1, T + MISFIRE_GRACE_MS, { misfire: 'skip' })).toEqual([T])
  })

  it('all: fires every missed occurrence, oldest first', () => {
    expect(dueOccurrences(every2s, T - 2000, T + 6_100, { misfire: 'all' })).toEqual([T, T + 2000, T + 4000, T + 6000])
  })

  it('all: fires at most the most recent hundred', () => {
    const due = dueOccurrences(every2s, T - 2000, T + 1_000_000, { misfire: 'all' })
    expect(due).toHaveLength(MAX_CATCH_UP)
    expect(due.at(-1)).toBe(T + 1_000_000)
    expect(due[0]).toBe(T + 1_000_000 - 2000 * (MAX_CATCH_UP - 1))
  })

  it('never fires an occurrence older than the catch-up window, whatever the policy', () => {
    const noon = T + 3 * 3_600_000
    for (const misfire of ['once', 'skip', 'all'] as const) expect(dueOccurrences(daily9, T - 1, noon, { misfire })).toEqual([])
    expect(dueOccurrences(daily9, T - 1, noon, { misfire: 'once', catchUpMs: 4 * 3_600_000 })).toEqual([T])
  })
})

describe('occurrence job ids', () => {
  it('is the same for the same schedule and occurrence, and says when it was due', () => {
    expect(scheduleJobId('tick', T)).toBe(scheduleJobId('tick', T))
    expect(jobIdTime(scheduleJobId('tick', T))).toBe(T)
    expect(scheduleJobId('tick', T)).not.toBe(scheduleJobId('tock', T))
    expect(scheduleJobId('tick', T)).toMatch(/^[0-9a-z]{9}-[0-9a-z]{8}$/)
  })
})
