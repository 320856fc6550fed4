import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { Registry } from 'prom-client'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import { resolveConfig } from '../../../src/node/config.js'
import { createLogger } from '../../../src/node/log.js'
import { parseHttpOption, type HttpListen } from '../../../src/node/http/listen.js'
import { HttpService } from '../../../src/node/http/server.js'
import { httpStatusOf } from '../../../src/node/http/api.js'
import { lastEventId, sseComment, sseFrame } from '../../../src/node/http/sse.js'
import { mintToken, verifyToken } from '../../../src/node/http/token.js'
import { EventLog } from '../../../src/node/observe/events.js'
import type { Grant } from '../../../src/consensus/control.js'
import type { AdminRequest, AdminResponse } from '../../../src/wire/proto/admin.js'
import type { Principal } from '../../../src/node/access/policy.js'
import type { StatusResponse } from '../../../src/wire/proto/status.js'

const NOW = 1_800_000_000_000

describe('bearer tokens', () => {
  it('prove the signer\'s peer id for their mesh until they expire', async () => {
    const key = await generateKeyPair('Ed25519')
    const token = await mintToken(key, 'prod', 3_600_000, NOW)
    expect(token).toMatch(/^mn1\.[\w-]+\.[\w-]+$/)
    expect(await verifyToken(token, 'prod', NOW + 1000)).toBe(peerIdFromPrivateKey(key).toString())
    await expect(verifyToken(token, 'staging', NOW)).rejects.toThrow(/for mesh "prod"/)
    await expect(verifyToken(token, 'prod', NOW + 3_600_001)).rejects.toThrow(/expired/)
  })

  it('refuse a tampered, foreign or malformed token with UNAUTHORIZED', async () => {
    const key = await generateKeyPair('Ed25519')
    const other = await generateKeyPair('Ed25519')
    const token = await mintToken(key, 'prod', 60_000, NOW)
    const [p, body, sig] = token.split('.')
    const claims = JSON.parse(Buffer.from(body!, 'base64url').toString())
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: peerIdFromPrivateKey(other).toString() })).toString('base64url')
    await expect(verifyToken(`${p}.${forged}.${sig}`, 'prod', NOW)).rejects.toMatchObject({ code: 'UNAUTHORIZED', message: /signature does not verify/ })
    await expect(verifyToken('mn1.x.y', 'prod', NOW)).rejects.toMatchObject({ code: 'UNAUTHORIZED' })
    await expect(verifyToken('hello', 'prod', NOW)).rejects.toThrow(/not a meshnode token/)
    await expect(verifyToken('mn1.' + 'a'.repeat(5000) + '.b', 'prod', NOW)).rejects.toThrow(/too long/)
    await expect(mintToken(key, 'prod', 365 * 86_400_000, NOW)).rejects.toThrow(/between 1 s and 90 days/)
  })
})

describe('server-sent events', () => {
  it('frames one event per blank-line-ended block, its fields under data', () => {
    const f = sseFrame({ id: 7, type: 'task.failed', at: 5, data: { id: 'J', type: 'echo', error: 'a\nb' } })
    expect(f).toBe('id: 7\nevent: task.failed\ndata: {"seq":7,"event":"task.failed","at":5,"data":{"id":"J","type":"echo","error":"a\\nb"}}\n\n')
    expect(f.slice(0, -2)).not.toContain('\n\n')
    expect(sseComment('a\nb')).toBe(': a b\n\n')
    expect(lastEventId('12', undefined)).toBe(12)
    expect(lastEventId(undefined, '5')).toBe(5)
    expect(lastEventId('x', '5')).toBe(0)
  })

  it('keeps a bounded ring and replays what a reconnecting client missed', () => {
    let t = 0
    const log = new EventLog(() => ++t, 3)
    const heard: number[] = []
    const off = log.subscribe(e => heard.push(e.id))
    for (let i = 0; i < 5; i++) log.emit('x', { i })
    off()
    log.emit('x', {})
    expect(heard).toEqual([1, 2, 3, 4, 5])
    expect(log.since(3).map(e => e.id)).toEqual([4, 5, 6])
    expect(log.since(0).map(e => e.id)).toEqual([4, 5, 6])
    expect(log.recent(2).map(e => e.id)).toEqual([5, 6])
    expect(log.listening).toBe(false)
  })

  it('computes progress only for listeners that want it: the incident log always listens but ignores it', () => {
    const log = new EventLog(() => 1)
    const heard: string[] = []
    const offQuiet = log.subscribe(e => heard.push(`quiet:${e.type}`), { progress: false })
    expect(log.listening).toBe(false)
    const offClient = log.subscribe(e => heard.push(`client:${e.type}`))
    expect(log.listening).toBe(true)
    log.emit('job.submitted', {})
    expect(heard).toEqual(['quiet:job.submitted', 'client:job.submitted'])
    offClient()
    offClient()
    expect(log.listening).toBe(false)
    offQuiet()
    expect(log.listening).toBe(false)
  })
})

describe('--http', () => {
  it('takes HOST:PORT, auto or off, and refuses a wider address on an open mesh', () => {
    expect(parseHttpOption('off')).toBeNull()
    expect(parseHttpOption('auto')).toEqual({ host: '127.0.0.1', port: 7421, fallback: true })
    expect(parseHttpOption('[::1]:80')).toEqual({ host: '::1', port: 80, fallback: false })
    expect(() => parseHttpOption('7421')).toThrow(/HOST:PORT/)
    expect(() => parseHttpOption('a:99999')).toThrow(/HOST:PORT/)
    expect(() => resolveConfig({ flags: { http: '0.0.0.0:7421' } })).toThrow(/refusing to serve HTTP/)
    expect(() => resolveConfig({ flags: { http: 'nope' } })).toThrow(/--http/)
    expect(resolveConfig({ flags: { http: '0.0.0.0:7421', insecure: true } }).http).toBe('0.0.0.0:7421')
  })
})

describe('HTTP API', () => {
  const status = { peerId: 'P', name: 'a', version: '1', addrs: [], uptimeMs: 1n, role: 'leader', term: 2n, leader: 'P', commitIndex: 1n, appliedIndex: 1n, voters: ['P'], learners: [], formation: 'member', rssBytes: 1n, heapUsedBytes: 1n, mesh: 'prod', security: 'mesh-key', incarnation: 1n, load: 0, capabilities: [], peers: [], counters: [], dead: [], quorum: 'contact', draining: false, http: '127.0.0.1:1', circuits: [] } as StatusResponse

  async function setup (listen: HttpListen = null): Promise<{ svc: HttpService, seen: Array<{ req: AdminRequest, caller: Principal }>, grants: Map<string, Grant>, key: Awaited<ReturnType<typeof generateKeyPair>> }> {
    const seen: Array<{ req: AdminRequest, caller: Principal }> = []
    const grants = new Map<string, Grant>()
    const key = await generateKeyPair('Ed25519')
    const admin = async (req: AdminRequest, caller: Principal): Promise<AdminResponse> => {
      seen.push({ req, caller })
      if (req.jobsSubmit != null) {
        if (!caller.rights.has('submit')) return { code: 'FORBIDDEN', error: 'no', leader: '' }
        return { code: '', error: '', leader: '', jobsSubmit: { jobs: req.jobsSubmit.jobs.map((_j, i) => ({ id: `J${i}`, home: 'P', tasks: 1 })) } } as AdminResponse
      }
      if (req.jobsList?.stuck === true) {
        return { code: '', error: '', leader: '', jobsList: { jobs: [{ id: 'J2', home: 'P', state: 'running', createdAt: 2, total: 3, done: 1, failed: 0, stuck: { sinceMs: 72_000, code: 'no-capable-node', text: 'needs gpu', peers: [], capabilities: ['gpu'] } }], next: '', stuck: { unanswered: ['Q'] } } } as unknown as AdminResponse
      }
      if (req.jobsList != null) {
        const all = [3, 2, 1].map(n => ({ id: `J${n}`, home: 'P', state: n === 2 ? 'failed' : 'completed', createdAt: n }))
        const from = req.jobsList.before === '' ? 0 : all.findIndex(j => j.id === req.jobsList!.before) + 1
        const page = all.slice(from, from + (req.jobsList.limit || 50))
        return { code: '', error: '', leader: '', jobsList: { jobs: page, next: from + page.length < all.length ? page.at(-1)!.id : '' } } as unknown as AdminResponse
      }
      if (req.jobGet != null) return { code: 'NOT_FOUND', error: `no job ${req.jobGet.id}`, leader: '' }
      return { code: 'INTERNAL', error: 'unexpected', leader: '' }
    }
    const registry = new Registry()
    const svc = new HttpService({ log: createLogger('silent'), registry, events: new EventLog(() => NOW), access: { localOperators: new Set(), grants }, mesh: 'prod', status: () => status, admin, now: () => NOW }, listen)
    return { svc, seen, grants, key }
  }

  it('serves status to anyone, and reads to an anonymous caller on loopback only', async () => {
    const { svc } = await setup()
    const app = await svc.build()
    const s = await app.inject({ url: '/v1/status' })
    expect(s.statusCode).toBe(200)
    expect(s.json()).toMatchObject({ peerId: 'P', mesh: 'prod', http: 'http://127.0.0.1:1/' })
    expect((await app.inject({ url: '/v1/members' })).statusCode).toBe(200)
    const remote = await app.inject({ url: '/v1/members', remoteAddress: '10.0.0.9' })
    expect(remote.statusCode).toBe(403)
    expect(remote.json().error.message).toMatch(/Bearer TOKEN/)
  })

  it('submits as the token\'s key with its grant, and refuses anonymous writes', async () => {
    const { svc, seen, grants, key } = await setup()
    const app = await svc.build()
    const anon = await app.inject({ method: 'POST', url: '/v1/jobs', payload: { type: 'echo' } })
    expect(anon.statusCode).toBe(403)
    expect(anon.json()).toMatchObject({ error: { code: 'FORBIDDEN' } })
    const token = await mintToken(key, 'prod', 60_000, NOW)
    const id = peerIdFromPrivateKey(key).toString()
    const ungranted = await app.inject({ method: 'POST', url: '/v1/jobs', payload: { type: 'echo' }, headers: { authorization: `Bearer ${token}` } })
    expect(ungranted.statusCode).toBe(403)
    grants.set(id, { role: 'submitter', commands: false, index: 1 } as Grant)
    const ok = await app.inject({ method: 'POST', url: '/v1/jobs', payload: { type: 'echo', payload: 1 }, headers: { authorization: `Bearer ${token}` } })
    expect(ok.statusCode).toBe(201)
    expect(ok.json()).toEqual({ id: 'J0', home: 'P', tasks: 1 })
    expect(seen.at(-1)!.caller).toMatchObject({ peerId: id, kind: 'granted' })
    expect(JSON.parse(seen.at(-1)!.req.jobsSubmit!.jobs[0]!)).toEqual({ type: 'echo', payload: 1 })
    const batch = await app.inject({ method: 'POST', url: '/v1/jobs', payload: { jobs: [{ type: 'a' }, { type: 'b' }] }, headers: { authorization: `Bearer ${token}` } })
    expect(batch.json().jobs).toHaveLength(2)
    const expired = await mintToken(key, 'other', 60_000, NOW)
    const bad = await app.inject({ url: '/v1/jobs', headers: { authorization: `Bearer ${expired}` } })
    expect(bad.statusCode).toBe(401)
    expect(bad.json().error.code).toBe('UNAUTHORIZED')
  })

  it('lists the stuck jobs of every home with their diagnosis (?stuck=true)', async () => {
    const { svc, seen } = await setup()
    const app = await svc.build()
    const res = await app.inject({ url: '/v1/jobs?stuck=true' })
    expect(res.json()).toEqual({
      jobs: [{ id: 'J2', home: 'P', state: 'running', createdAt: 2, total: 3, done: 1, failed: 0, stuck: { sinceMs: 72_000, code: 'no-capable-node', text: 'needs gpu', capabilities: ['gpu'] } }],
      unanswered: ['Q']
    })
    expect(seen.at(-1)!.req.jobsList).toMatchObject({ stuck: true })
  })

  it('lists jobs with a state filter across pages, and maps codes to HTTP statuses', async () => {
    const { svc } = await setup()
    const app = await svc.build()
    const all = await app.inject({ url: '/v1/jobs?limit=2' })
    expect(all.json()).toEqual({ jobs: [expect.objectContaining({ id: 'J3' }), expect.objectContaining({ id: 'J2' })], next: 'J2' })
    const done = await app.inject({ url: '/v1/jobs?state=completed&limit=5' })
    expect(done.json().jobs.map((j: { id: string }) => j.id)).toEqual(['J3', 'J1'])
    expect((await app.inject({ url: '/v1/jobs?limit=0' })).statusCode).toBe(400)
    expect((await app.inject({ url: '/v1/jobs/J9' })).json()).toEqual({ error: { code: 'NOT_FOUND', message: 'no job J9' } })
    expect((await app.inject({ url: '/v1/nothing' })).statusCode).toBe(404)
    const malformed = await app.inject({ method: 'POST', url: '/v1/jobs', payload: '{nope', headers: { 'content-type': 'application/json' } })
    expect(malformed.statusCode).toBe(400)
    expect(malformed.json().error.code).toBe('BAD_REQUEST')
    expect(httpStatusOf('NO_QUORUM')).toBe(503)
    expect(httpStatusOf('RESOURCE_EXHAUSTED')).toBe(507)
    expect(httpStatusOf('WHATEVER')).toBe(500)
  })
  it('listens from start() and serves every route from the first request on, over a socket', async () => {
    const { svc } = await setup({ host: '127.0.0.1', port: 0, fallback: false })
    await svc.start()
    const base = `http://${svc.address!}`
    try {
      // The first requests arrive together, before the routes are loaded: each is answered.
      const [s, m, d] = await Promise.all([fetch(`${base}/v1/status`), fetch(`${base}/metrics`), fetch(`${base}/`)])
      expect(s.status).toBe(200)
      expect(await s.json()).toMatchObject({ peerId: 'P', mesh: 'prod' })
      expect(m.headers.get('content-type')).toMatch(/text\/plain/)
      await m.text()
      expect([d.status, d.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8'])
      await d.text()
      const missing = await fetch(`${base}/v1/nothing`)
      expect([missing.status, (await missing.json() as { error: { code: string } }).error.code]).toEqual([404, 'NOT_FOUND'])
    } finally {
      await svc.stop()
    }
    await expect(fetch(`${base}/v1/status`)).rejects.toThrow()
  })

  it('answers a scrape of /metrics without loading the routes', async () => {
    const { svc } = await setup({ host: '127.0.0.1', port: 0, fallback: false })
    const loaded = (): boolean => (svc as unknown as { handler?: unknown }).handler != null
    await svc.start()
    const base = `http://${svc.address!}`
    try {
      const m = await fetch(`${base}/metrics`)
      expect([m.status, m.headers.get('content-type')]).toEqual([200, 'text/plain; version=0.0.4; charset=utf-8'])
      await m.text()
      const head = await fetch(`${base}/metrics?x=1`, { method: 'HEAD' })
      expect([head.status, await head.text()]).toEqual([200, ''])
      expect(loaded()).toBe(false)
      // Anything else loads them: another method on /metrics is theirs to refuse.
      const post = await fetch(`${base}/metrics`, { method: 'POST' })
      expect(post.status).toBe(404)
      await post.text()
      expect(loaded()).toBe(true)
    } finally {
      await svc.stop()
    }
  })

  it('fails start() with PORT_IN_USE when its port is taken, unless it may fall back to a free one', async () => {
    const blocker = createServer()
    await new Promise<void>(resolve => blocker.listen(0, '127.0.0.1', resolve))
    const port = (blocker.address() as AddressInfo).port
    try {
      const { svc } = await setup({ host: '127.0.0.1', port, fallback: false })
      await expect(svc.start()).rejects.toMatchObject({ code: 'PORT_IN_USE', message: expect.stringMatching(/127\.0\.0\.1:\d+: the address is already in use\. Pick another with --http/) })
      await svc.stop()
      const auto = (await setup({ host: '127.0.0.1', port, fallback: true })).svc
      await auto.start()
      try {
        expect(auto.address).toMatch(/^127\.0\.0\.1:\d+$/)
        expect(auto.address).not.toBe(`127.0.0.1:${port}`)
        expect((await fetch(`http://${auto.address!}/v1/status`)).status).toBe(200)
      } finally {
        await auto.stop()
      }
    } finally {
      blocker.close()
    }
  })

  it('ends an open event stream when it stops', async () => {
    const { svc } = await setup({ host: '127.0.0.1', port: 0, fallback: false })
    await svc.start()
    const res = await fetch(`http://${svc.address!}/v1/events`)
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/)
    const reader = res.body!.getReader()
    expect(new TextDecoder().decode((await reader.read()).value)).toMatch(/connected/)
    await svc.stop()
    const end = await reader.read().then(r => r.done, () => true)
    expect(end).toBe(true)
  })
})
