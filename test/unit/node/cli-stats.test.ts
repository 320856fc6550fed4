// `meshnode stats` and `meshnode jobs --since/--format` against a bare libp2p host answering
// the admin protocol with canned answers; and the small pieces they are made of: duration
// flags and RFC 4180 CSV fields.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { main } from '../../../src/node/cli/main.js'
import { MAX_SINCE_MS, csv, csvField, parseDuration } from '../../../src/node/cli/table.js'
import type { AdminRequest, AdminResponse, JobSummary, MeshStats } from '../../../src/wire/proto/admin.js'
import { OK, captureIO as io, fakeAdminServer, type FakeAdmin } from './cli-fixture.js'

const MIN = 60_000
const T0 = 1_764_000_000_000

const STATS: MeshStats = {
  since: T0,
  until: T0 + 10 * MIN,
  windowMs: 10 * MIN,
  types: [
    { type: 'resize', count: 1200, ok: 1190, failed: 10, retried: 4, perSec: 2, duration: { p50: 12.5, p95: 80, p99: 1500 }, queueWait: { p50: 0.25, p95: 3, p99: 9 } },
    { type: 'upload', count: 3, ok: 3, failed: 0, retried: 0, perSec: 0.005 }
  ],
  jobs: { count: 40, completed: 38, failed: 1, cancelled: 1, latency: { p50: 900, p95: 2500, p99: 61_000 } },
  minutes: [{ at: T0, tasks: 1203, jobs: 40, duration: { p50: 12.5, p95: 80, p99: 1500 } }],
  asked: 3,
  answered: ['peer-a', 'peer-b'],
  missing: [{ peerId: 'peer-c', error: 'cannot reach meshnode: timed out' }],
  retentionMinutes: 60
}

function job (id: string, createdAt: number, extra: Partial<JobSummary> = {}): JobSummary {
  return { id, home: 'home-1', state: 'completed', createdAt, ...extra }
}

describe('meshnode stats and jobs --since/--format', () => {
  let server: FakeAdmin
  let addr = ''
  let seen: AdminRequest[] = []
  let answer: (req: AdminRequest) => AdminResponse = () => OK

  beforeAll(async () => {
    server = await fakeAdminServer()
    server.answer = req => answer(req)
    addr = server.addr
    seen = server.seen
  })

  afterAll(async () => {
    await server?.stop()
  })

  beforeEach(() => {
    seen.length = 0
    answer = () => OK
  })

  it('stats --json asks for the window and prints the stable JSON', async () => {
    answer = () => ({ ...OK, statsGet: STATS })
    const o = io()
    expect(await main(['stats', '--since', '10m', '--json', '--peer', addr], o)).toBe(0)
    expect(seen).toEqual([{ statsGet: { sinceMs: 600_000 } }])
    const s = JSON.parse(o.stdout)
    expect(s.types[0]).toEqual({ type: 'resize', count: 1200, ok: 1190, failed: 10, retried: 4, perSec: 2, durationMs: { p50: 12.5, p95: 80, p99: 1500 }, queueWaitMs: { p50: 0.25, p95: 3, p99: 9 } })
    expect(s.types[1].durationMs).toBeNull()
    expect(s.jobs).toEqual({ count: 40, completed: 38, failed: 1, cancelled: 1, latencyMs: { p50: 900, p95: 2500, p99: 61_000 } })
    expect(s.minutes[0]).toEqual({ at: T0, tasks: 1203, durationMs: { p50: 12.5, p95: 80, p99: 1500 }, jobs: 40, latencyMs: null })
    expect(s.nodes).toEqual({ asked: 3, answered: ['peer-a', 'peer-b'], missing: [{ peerId: 'peer-c', error: 'cannot reach meshnode: timed out' }] })
  })

  it('stats prints a table per task type, then jobs, then who answered (default window: 1h)', async () => {
    answer = () => ({ ...OK, statsGet: STATS })
    const o = io()
    expect(await main(['stats', '--peer', addr], o)).toBe(0)
    expect(seen).toEqual([{ statsGet: { sinceMs: 3_600_000 } }])
    const lines = o.stdout.split('\n')
    expect(lines[2]).toMatch(/^TYPE\s+TASKS\s+FAILED\s+TASKS\/S\s+P50\s+P95\s+P99\s+WAIT P50\s+WAIT P95\s+WAIT P99$/)
    expect(lines[3]!.split(/\s+/)).toEqual(['resize', '1200', '10', '2.0', '12.5ms', '80.0ms', '1.50s', '0.25ms', '3.0ms', '9.0ms'])
    expect(lines[4]!.split(/\s+/)).toEqual(['upload', '3', '0', '0.005', '-', '-', '-', '-', '-', '-'])
    expect(o.stdout).toContain('(4 failed attempts retried, not counted as tasks)')
    expect(o.stdout).toContain('jobs: 40 finished (38 completed, 1 failed, 1 cancelled), submit to done p50 900ms, p95 2.50s, p99 1.0m')
    expect(o.stdout).toContain('nodes answered 2 of 3\n  missing peer-c: cannot reach meshnode: timed out\n')
  })

  it('stats refuses a bad --since with exit 2, without asking the node', async () => {
    const o = io()
    expect(await main(['stats', '--since', 'a while', '--peer', addr], o)).toBe(2)
    expect(o.stderr).toContain('invalid --since "a while": expected a duration such as 30s, 15m, 1h or 2d')
    expect(seen).toEqual([])
  })

  it('stats and jobs have --help', async () => {
    const a = io()
    expect(await main(['stats', '--help'], a)).toBe(0)
    expect(a.stdout).toContain('--since <duration>')
    const b = io()
    expect(await main(['jobs', '--help'], b)).toBe(0)
    expect(b.stdout).toContain('--format <format>')
    expect(b.stdout).toContain('--since <duration>')
  })

  it('jobs --since --format csv pages through the window and asks homes for counts they alone hold', async () => {
    const now = Date.now()
    answer = req => {
      if (req.jobsList != null) {
        const all = [
          job('j4', now - 1_000, { name: 'says "hi", twice', total: 3, done: 3, failed: 0, finishedAt: now - 500 }),
          job('j3', now - 2_000, { total: 1, done: 1, failed: 1, state: 'failed', finishedAt: now - 1_900 }),
          job('j2', now - 3_000, { home: 'home-2', state: 'running' })
        ]
        const page = all.filter(j => req.jobsList!.before === '' || j.id < req.jobsList!.before).slice(0, 2)
        return { ...OK, jobsList: { jobs: page, next: page.length === 2 ? page[1]!.id : '' } }
      }
      if (req.jobGet != null) return { ...OK, jobGet: { view: JSON.stringify({ id: 'j2', home: 'home-2', state: 'running', createdAt: now - 3_000, total: 5, done: 2, failed: 0, name: 'multi\nline' }), results: '', next: '' } }
      return OK
    }
    const o = io()
    expect(await main(['jobs', '--since', '1h', '--format', 'csv', '--peer', addr], o)).toBe(0)
    const lists = seen.filter(r => r.jobsList != null).map(r => r.jobsList!)
    expect(lists.length).toBe(2)
    expect(lists.every(l => l.since! >= now - 3_600_000 - 5_000 && l.since! <= Date.now() - 3_600_000)).toBe(true)
    expect(lists.map(l => l.before)).toEqual(['', 'j3'])
    expect(seen.filter(r => r.jobGet != null).map(r => r.jobGet!.id)).toEqual(['j2'])
    const iso = (ms: number): string => new Date(ms).toISOString()
    expect(o.stdout).toBe(
      'id,name,home,state,createdAt,finishedAt,durationMs,total,done,failed\r\n' +
      `j4,"says ""hi"", twice",home-1,completed,${iso(now - 1_000)},${iso(now - 500)},500,3,3,0\r\n` +
      `j3,,home-1,failed,${iso(now - 2_000)},${iso(now - 1_900)},100,1,1,1\r\n` +
      `j2,"multi\nline",home-2,running,${iso(now - 3_000)},,,5,2,0\r\n`)
  })

  it('jobs --format json prints one object per job with every column', async () => {
    answer = req => req.jobsList != null ? { ...OK, jobsList: { jobs: [job('j1', 5, { total: 1, done: 1, failed: 0, finishedAt: 9 })], next: '' } } : OK
    const o = io()
    expect(await main(['jobs', '--format', 'json', '--peer', addr], o)).toBe(0)
    expect(seen[0]).toEqual({ jobsList: { limit: 1000, before: '', since: 0, all: true } })
    expect(JSON.parse(o.stdout)).toEqual([{ id: 'j1', name: null, home: 'home-1', state: 'completed', createdAt: 5, finishedAt: 9, durationMs: 4, total: 1, done: 1, failed: 0 }])
  })

  it('jobs refuses an unknown --format with exit 2, without asking the node', async () => {
    const o = io()
    expect(await main(['jobs', '--since', '1h', '--format', 'xml', '--peer', addr], o)).toBe(2)
    expect(o.stderr).toContain('unknown --format "xml": use table, csv, json')
    expect(seen).toEqual([])
    const p = io()
    expect(await main(['jobs', '--format', 'csv', '--json', '--peer', addr], p)).toBe(2)
    expect(p.stderr).toContain('--json and --format csv contradict each other')
  })
})

describe('duration flags', () => {
  it('read 30s, 15m, 1h, 2d, milliseconds, fractions and bare seconds', () => {
    expect(parseDuration('30s', '--since')).toBe(30_000)
    expect(parseDuration('15m', '--since')).toBe(900_000)
    expect(parseDuration('1h', '--since')).toBe(3_600_000)
    expect(parseDuration('2d', '--since', MAX_SINCE_MS)).toBe(172_800_000)
    expect(parseDuration('250ms', '--since')).toBe(250)
    expect(parseDuration('1.5h', '--since', MAX_SINCE_MS)).toBe(5_400_000)
    expect(parseDuration(' 45 ', '--since')).toBe(45_000)
  })

  it('refuse anything else, naming the flag and the range', () => {
    expect(() => parseDuration('1w', '--since')).toThrow(/invalid --since "1w": expected a duration such as 30s, 15m, 1h or 2d/)
    expect(() => parseDuration('-5m', '--since')).toThrow(/invalid --since/)
    expect(() => parseDuration('0s', '--since', MAX_SINCE_MS)).toThrow(/between 1 ms and 30 d/)
    expect(() => parseDuration('31d', '--since', MAX_SINCE_MS)).toThrow(/between 1 ms and 30 d/)
    expect(() => parseDuration('2h', '--ttl')).toThrow(/between 1 ms and 1 h/) // the default cap
    expect(() => parseDuration('2h', '--deadline', 3_600_000)).toThrow(/between 1 ms and 1 h/)
  })
})

describe('CSV fields (RFC 4180)', () => {
  it('leave plain text and numbers as they are, and empty for nothing', () => {
    expect(csvField('abc-1')).toBe('abc-1')
    expect(csvField(42)).toBe('42')
    expect(csvField(undefined)).toBe('')
    expect(csvField(null)).toBe('')
    expect(csvField('')).toBe('')
  })

  it('quote commas, double quotes (doubled), line breaks and edge spaces', () => {
    expect(csvField('a,b')).toBe('"a,b"')
    expect(csvField('say "hi"')).toBe('"say ""hi"""')
    expect(csvField('two\nlines')).toBe('"two\nlines"')
    expect(csvField('cr\rhere')).toBe('"cr\rhere"')
    expect(csvField(' padded')).toBe('" padded"')
    expect(csvField('"')).toBe('""""')
  })

  it('end every record with CRLF', () => {
    expect(csv([['a', 'b'], ['1', 'x,y']])).toBe('a,b\r\n1,"x,y"\r\n')
  })
})
