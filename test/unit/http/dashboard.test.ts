// The dashboard's serving (src/node/http/dashboard.ts, through fastify's inject) and the
// pure parts of its browser code (dashboard/lib/*.js: the event model, the task tree, the
// latency series, the token in the address bar), which run in Node as they are.
import { mkdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { gzipSync, brotliCompressSync, gunzipSync } from 'node:zlib'
import Fastify from 'fastify'
import { describe, expect, it } from 'vitest'
import { DASHBOARD_CSP, findDashboardDir, pickEncoding, registerDashboard } from '../../../src/node/http/dashboard.js'
import { tempDir } from '../../temp-dir.js'

const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..', '..', '..')
const lib = async (name: string): Promise<any> => await import(pathToFileURL(join(ROOT, 'dashboard', 'lib', name)).href)

function fakeBuild (): string {
  const dir = tempDir('dash')
  mkdirSync(join(dir, 'assets'))
  const html = '<!doctype html><title>x</title><script type="module" src="./assets/app-ABC.js"></script>' + ' '.repeat(300)
  writeFileSync(join(dir, 'index.html'), html)
  writeFileSync(join(dir, 'index.html.gz'), gzipSync(html))
  const js = 'console.log(1)'.repeat(50)
  writeFileSync(join(dir, 'assets', 'app-ABC.js'), js)
  writeFileSync(join(dir, 'assets', 'app-ABC.js.br'), brotliCompressSync(js))
  writeFileSync(join(dir, 'assets', 'app-ABC.js.gz'), gzipSync(js))
  writeFileSync(join(dir, 'assets', 'style-X.css'), 'body{}')
  return dir
}

describe('serving the dashboard', () => {
  it('serves index.html revalidated, with the CSP, and assets immutable, compressed when accepted', async () => {
    const app = Fastify()
    registerDashboard(app, { dir: fakeBuild() })
    const index = await app.inject({ url: '/' })
    expect(index.statusCode).toBe(200)
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(index.headers['cache-control']).toBe('no-cache')
    expect(index.headers['content-security-policy']).toBe(DASHBOARD_CSP)
    expect(DASHBOARD_CSP).toContain("script-src 'self'")
    expect(DASHBOARD_CSP).not.toContain('unsafe-inline')
    expect(index.body).toContain('app-ABC.js')
    expect((await app.inject({ url: '/index.html' })).body).toBe(index.body)

    const gz = await app.inject({ url: '/', headers: { 'accept-encoding': 'gzip, deflate, br' } })
    expect(gz.headers['content-encoding']).toBe('gzip')
    expect(gunzipSync(gz.rawPayload).toString()).toBe(index.body)
    expect(gz.headers.vary).toBe('accept-encoding')

    const js = await app.inject({ url: '/assets/app-ABC.js', headers: { 'accept-encoding': 'gzip, br' } })
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8')
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable')
    expect(js.headers['content-encoding']).toBe('br')
    const plain = await app.inject({ url: '/assets/app-ABC.js' })
    expect(plain.headers['content-encoding']).toBeUndefined()
    expect(plain.body).toBe('console.log(1)'.repeat(50))
    expect((await app.inject({ url: '/assets/style-X.css' })).headers['content-type']).toBe('text/css; charset=utf-8')

    const again = await app.inject({ url: '/', headers: { 'if-none-match': index.headers.etag as string } })
    expect(again.statusCode).toBe(304)
    expect((await app.inject({ url: '/assets/nope.js' })).statusCode).toBe(404)
    expect((await app.inject({ url: '/assets/..%2Findex.html' })).statusCode).toBe(404)
    expect((await app.inject({ method: 'HEAD', url: '/' })).statusCode).toBe(200)
  })

  it('answers / with a clear 500 when the files are missing, and keeps serving', async () => {
    const app = Fastify()
    app.get('/v1/status', async () => ({ ok: true }))
    registerDashboard(app, { dir: join(tmpdir(), 'meshnode-no-such-dashboard') })
    const res = await app.inject({ url: '/' })
    expect(res.statusCode).toBe(500)
    expect(res.body).toMatch(/dashboard's files .* cannot be read .*npm run build/)
    expect((await app.inject({ url: '/v1/status' })).statusCode).toBe(200)
  })

  it('finds dist/dashboard from the bundle, from tsc output and from the sources', () => {
    const root = tempDir('find')
    expect(findDashboardDir(join(root, 'dist', 'meshnode.mjs'))).toBeUndefined()
    mkdirSync(join(root, 'dist', 'dashboard'), { recursive: true })
    writeFileSync(join(root, 'dist', 'dashboard', 'index.html'), '')
    const want = join(root, 'dist', 'dashboard')
    expect(findDashboardDir(join(root, 'dist', 'meshnode.mjs'))).toBe(want)
    expect(findDashboardDir(join(root, 'dist', 'src', 'node', 'http', 'dashboard.js'))).toBe(want)
    expect(findDashboardDir(join(root, 'src', 'node', 'http', 'dashboard.ts'))).toBe(want)
  })

  it('picks br, then gzip, honouring q=0', () => {
    const both = { br: 1, gz: 1 }
    expect(pickEncoding(undefined, both)).toBeUndefined()
    expect(pickEncoding('gzip, deflate, br', both)).toBe('br')
    expect(pickEncoding('gzip, deflate', both)).toBe('gzip')
    expect(pickEncoding('br;q=0, gzip', both)).toBe('gzip')
    expect(pickEncoding('*', both)).toBe('br')
    expect(pickEncoding('identity', both)).toBeUndefined()
    expect(pickEncoding('br', { gz: 1 })).toBeUndefined()
  })
})

describe('the dashboard\'s event model', () => {
  const ev = (seq: number, event: string, at: number, data: Record<string, unknown>): unknown => ({ seq, event, at, data })

  it('follows a job from submitted through progress to completed, never moving a bar back', async () => {
    const { createModel, applyEvent, progressOf, latencySamples, jobIdTime } = await lib('model.js')
    const m = createModel()
    const id = `${(1_800_000_000_000).toString(36).padStart(9, '0')}-abcd0001`
    expect(jobIdTime(id)).toBe(1_800_000_000_000)
    expect(applyEvent(m, ev(1, 'job.submitted', 1_800_000_000_050, { id, home: 'A' }))).toEqual({ job: id })
    expect(progressOf(m.jobs.get(id))).toBeNull()
    applyEvent(m, ev(2, 'job.progress', 1_800_000_000_200, { id, home: 'A', state: 'running', total: 10, done: 4, failed: 1, cancelled: 0 }))
    expect(progressOf(m.jobs.get(id))).toBeCloseTo(0.4)
    applyEvent(m, ev(3, 'job.progress', 1_800_000_000_100, { id, home: 'A', state: 'running', total: 10, done: 2, failed: 0, cancelled: 0 }))
    expect(m.jobs.get(id).done).toBe(4)
    const out = applyEvent(m, ev(4, 'job.progress', 1_800_000_000_900, { id, home: 'A', state: 'completed', total: 10, done: 10, failed: 1, cancelled: 0 }))
    expect(out).toMatchObject({ job: id, members: true })
    expect(m.jobs.get(id).state).toBe('completed')
    expect(progressOf(m.jobs.get(id))).toBe(1)
    // The control log's job.completed comes later; the earlier time stands.
    applyEvent(m, ev(5, 'job.completed', 1_800_000_001_000, { id, home: 'A', state: 'completed' }))
    expect(latencySamples(m, 1_800_000_002_000)).toEqual([{ at: 1_800_000_000_900, ms: 900 }])
    // A reconnect replays older progress of the finished job: its end stays where it was.
    applyEvent(m, ev(2, 'job.progress', 1_800_000_000_200, { id, home: 'A', state: 'running', total: 10, done: 4, failed: 1, cancelled: 0 }))
    expect(m.jobs.get(id)).toMatchObject({ state: 'completed', done: 10, finishedAt: 1_800_000_000_900 })
    expect(latencySamples(m, 1_800_000_000_900 + 3_600_001)).toEqual([])
  })

  it('keeps a final state, and fills the bar of a job homed elsewhere when it ends', async () => {
    const { createModel, applyEvent, applyJob, progressOf } = await lib('model.js')
    const m = createModel()
    applyEvent(m, ev(1, 'job.cancelled', 10, { id: 'J', home: 'B', state: 'cancelled' }))
    applyJob(m, { id: 'J', home: 'B', state: 'running', createdAt: 1 })
    expect(m.jobs.get('J').state).toBe('cancelled')
    applyEvent(m, ev(2, 'job.submitted', 5, { id: 'K', home: 'B' }))
    applyEvent(m, ev(3, 'job.failed', 20, { id: 'K', home: 'B', state: 'failed' }))
    expect(progressOf(m.jobs.get('K'))).toBe(1)
    applyEvent(m, ev(4, 'job.rehomed', 30, { id: 'K', from: 'B', to: 'C', epoch: 1 }))
    expect(m.jobs.get('K').home).toBe('C')
  })

  it('collects healing events as incidents, newest first, once each', async () => {
    const { createModel, applyEvent, applyMembers } = await lib('model.js')
    const m = createModel()
    applyMembers(m, { self: { peerId: 'A', name: 'a', load: 0 }, leader: 'A', members: [{ peerId: 'B', name: 'b', state: 'alive', load: 2, lastSeenMs: 100 }], dead: [] }, 1000)
    expect([...m.members.keys()].sort()).toEqual(['A', 'B'])
    expect(applyEvent(m, ev(1, 'member.dead', 50, { peerId: 'B', name: 'b', from: 'suspect', reason: 'timeout' }))).toEqual({ incident: true, members: true })
    expect(m.members.get('B').state).toBe('dead')
    applyEvent(m, ev(2, 'node.dead', 60, { peerId: 'B', incarnation: 1, reason: 'timeout' }))
    applyEvent(m, ev(3, 'task.failed', 70, { jobId: 'J', taskId: 'J/0', type: 'sleep', error: 'boom', node: 'A' }))
    applyEvent(m, ev(3, 'task.failed', 70, { jobId: 'J', taskId: 'J/0', type: 'sleep', error: 'boom', node: 'A' }))
    applyEvent(m, ev(4, 'leader.changed', 80, { leader: 'B', term: 3 }))
    expect(m.leader).toBe('B')
    expect(m.incidents.map((i: any) => i.type)).toEqual(['task.failed', 'node.dead', 'member.dead'])
  })
})

describe('the task tree from result ids', () => {
  it('nests children under parents, orders by index and generation, and fills gaps', async () => {
    const { buildTree, flatten, pathOf } = await lib('tree.js')
    expect(pathOf('J/0@1.2.3')).toEqual(['0@1', '2', '3'])
    expect(pathOf('nope')).toBeNull()
    const forest = buildTree(['J/10', 'J/2', 'J/2.1', 'J/2.0', 'J/0@1', 'J/0', 'J/3.4.1', 'J/0@1.0'].map(taskId => ({ taskId })))
    const rows = flatten(forest).map(({ depth, node }: any) => `${'  '.repeat(depth)}${node.seg}${node.item == null ? '?' : ''}`)
    expect(rows).toEqual(['0', '2', '  0', '  1', '3?', '  4?', '    1', '10', '0@1', '  0'])
    expect(flatten(forest, 3)).toHaveLength(3)
  })
})

describe('latency series', () => {
  it('buckets samples per minute, prefers the mesh\'s stats, and tolerates any stats shape', async () => {
    const { minutesOf, statsMinutes, chartData, quantile } = await lib('series.js')
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2)
    expect(quantile([], 0.5)).toBeNull()
    const now = 10 * 3_600_000
    const observed = minutesOf([{ at: now - 30_000, ms: 10 }, { at: now - 20_000, ms: 30 }, { at: now - 90_000, ms: 5 }])
    const minute = Math.floor((now - 30_000) / 60_000) * 60_000
    expect(observed.get(minute)).toMatchObject({ p50: 10, p99: 30, n: 2 })
    const stats = statsMinutes({ minutes: [{ at: minute, latencyMs: { p50: 1, p95: 2, p99: 3 }, durationMs: null }, { at: 'x' }] })
    expect(stats.latency.get(minute)).toEqual({ p50: 1, p95: 2, p99: 3 })
    expect(stats.duration.size).toBe(0)
    expect(statsMinutes(null).latency.size).toBe(0)
    expect(statsMinutes({ minutes: 'no' }).latency.size).toBe(0)
    const [xs, p50] = chartData(now, stats.latency, observed)
    expect(xs).toHaveLength(61)
    expect(p50[xs.indexOf(minute / 1000)]).toBe(1)
    expect(p50[xs.indexOf((minute - 60_000) / 1000)]).toBe(5)
  })
})

describe('the token in the address bar', () => {
  it('is taken out of the hash, keeping the route', async () => {
    const { splitTokenFromHash } = await lib('api.js')
    expect(splitTokenFromHash('#token=mn1.a.b')).toEqual({ token: 'mn1.a.b', hash: '' })
    expect(splitTokenFromHash('#/job/J&token=mn1.a.b')).toEqual({ token: 'mn1.a.b', hash: '#/job/J' })
    expect(splitTokenFromHash('#/')).toEqual({ token: null, hash: '#/' })
    expect(splitTokenFromHash('')).toEqual({ token: null, hash: '' })
  })
})
