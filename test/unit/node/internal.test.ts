// The internal protocol serves members only: a voter or learner of the committed
// configuration, by authenticated peer id. Anyone else is refused with NOT_A_MEMBER, counted,
// and nothing happens.
import { describe, expect, it } from 'vitest'
import { encodeCommand, type JobEntry } from '../../../src/consensus/control.js'
import { Registry } from 'prom-client'
import { createMetrics, statusCounters } from '../../../src/node/metrics.js'
import { createLogger } from '../../../src/node/log.js'
import { failure } from '../../../src/node/services/admin.js'
import { InternalService } from '../../../src/node/services/internal.js'
import type { Host } from '../../../src/node/transport/host.js'
import { AdminRequest, AdminResponse } from '../../../src/wire/proto/admin.js'
import { InternalRequest } from '../../../src/wire/proto/internal.js'
import { INTERNAL_RATE } from '../../../src/wire/constants.js'
import type { Opinion } from '../../../src/healing/death-quorum.js'
import { membershipIn } from '../../../src/node/services/consensus.js'

function service (conf: { voters: string[], learners: string[] } | undefined, now = (): number => 0): { svc: InternalService, counters: { get: (name: string) => number | undefined }, admin: AdminRequest[], registered: Array<Array<[string, JobEntry]>>, opinions: Array<[string, Opinion[], number]> } {
  const registry = new Registry()
  const metrics = createMetrics(registry)
  const counters = { get: (name: string) => statusCounters(registry).find(([n]) => n === name)?.[1] }
  const admin: AdminRequest[] = []
  const registered: Array<Array<[string, JobEntry]>> = []
  const opinions: Array<[string, Opinion[], number]> = []
  const svc = new InternalService({ host: {} as Host, log: createLogger('silent'), metrics, now }, {
    membershipOf: peer => membershipIn(conf, peer),
    admin: async req => {
      admin.push(req)
      return failure('VERSION_MISMATCH', 'config "k" is at version 2, not 1', 'v1')
    },
    register: async jobs => { registered.push(jobs) },
    deathOpinions: (from, set, aliveIncarnation) => { opinions.push([from, set, aliveIncarnation]) }
  })
  return { svc, counters, admin, registered, opinions }
}

const CONF = { voters: ['v1', 'v2'], learners: ['l1'] }
const REGISTER: InternalRequest = { registerJobs: { jobs: [{ id: 'j1', home: 'v2', createdAt: 5, state: 'running', replicas: [], epoch: 0 }] } }
const WRITE: InternalRequest = { toLeader: { request: AdminRequest.encode({ configSet: { key: 'k', value: 'v' } }), caller: '' } }

describe('the internal protocol', () => {
  it('refuses a stranger with NOT_A_MEMBER, counts it, and registers nothing', async () => {
    const { svc, counters, registered, admin } = service(CONF)
    const res = await svc.handle('stranger', REGISTER)
    expect(res.code).toBe('NOT_A_MEMBER')
    expect(res.error).toContain('stranger is not a member')
    expect((await svc.handle('stranger', WRITE)).code).toBe('NOT_A_MEMBER')
    expect(counters.get('rpc_rejected_total')).toBe(2)
    expect(registered).toEqual([])
    expect(admin).toEqual([])
  })

  it('hands a member\'s death opinions to the tally and refuses a stranger\'s', async () => {
    const { svc, opinions } = service(CONF)
    const req: InternalRequest = { deathOpinions: { opinions: [{ peerId: 'v1', incarnation: 3, reason: 'second probe failed' }], aliveIncarnation: 0 } }
    expect((await svc.handle('stranger', req)).code).toBe('NOT_A_MEMBER')
    expect((await svc.handle('v2', req)).code).toBe('')
    expect(opinions).toEqual([['v2', [{ peerId: 'v1', incarnation: 3, reason: 'second probe failed' }], 0]])
    expect((await svc.handle('v2', { deathOpinions: { opinions: [{ peerId: '', incarnation: 3, reason: '' }], aliveIncarnation: 0 } })).code).toBe('BAD_REQUEST')
  })

  it('refuses everyone while this node is in no cluster', async () => {
    const { svc, registered } = service(undefined)
    const res = await svc.handle('v1', REGISTER)
    expect(res.code).toBe('NOT_A_MEMBER')
    expect(res.error).toContain('not part of a cluster yet')
    expect(registered).toEqual([])
  })

  it('proposes a voter\'s or a learner\'s registrations as they are', async () => {
    const { svc, registered } = service(CONF)
    expect((await svc.handle('v2', REGISTER)).code).toBe('')
    expect((await svc.handle('l1', REGISTER)).code).toBe('')
    expect(registered).toEqual([[['j1', { home: 'v2', createdAt: 5, state: 'running' }]], [['j1', { home: 'v2', createdAt: 5, state: 'running' }]]])
  })

  it('carries what retention reads (finishedAt, keepMs) through a forwarded registration', async () => {
    const { svc, registered } = service(CONF)
    const req = InternalRequest.decode(InternalRequest.encode({ registerJobs: { jobs: [{ id: 'j1', home: 'v2', createdAt: 5, state: 'completed', replicas: [], epoch: 0, finishedAt: 9, keepMs: 3_600_000 }] } }))
    expect((await svc.handle('v2', req)).code).toBe('')
    expect(registered).toEqual([[['j1', { home: 'v2', createdAt: 5, state: 'completed', finishedAt: 9, keepMs: 3_600_000 }]]])
  })

  it('proposes a batch forwarded in the compact form, and refuses anything else in its place', async () => {
    const { svc, registered } = service(CONF)
    const jobs: Array<[string, JobEntry]> = [['j1', { home: 'v2', createdAt: 5, state: 'running', replicas: ['v1', 'l1'] }], ['j2', { home: 'v2', createdAt: 6, state: 'completed', finishedAt: 9 }]]
    const compact = (cmd: Parameters<typeof encodeCommand>[0]): InternalRequest => InternalRequest.decode(InternalRequest.encode({ registerJobs: { jobs: [], command: encodeCommand(cmd) } }))
    expect((await svc.handle('v2', compact({ op: 'jobs.put', jobs }))).code).toBe('')
    expect(registered).toEqual([jobs])
    for (const bad of [compact({ op: 'job.cancel', jobId: 'j1' }), compact({ op: 'jobs.put', jobs, by: 'someone' }), { registerJobs: { jobs: [], command: new TextEncoder().encode('{"v":1,"op":"jobs.put","peers":[],"rows":[["j",1,0,0]]}') } }]) {
      expect((await svc.handle('v2', bad)).code).toBe('BAD_REQUEST')
    }
    expect(registered).toHaveLength(1)
  })

  it('refuses a registration with an unknown state and proposes nothing', async () => {
    const { svc, registered } = service(CONF)
    const res = await svc.handle('v2', { registerJobs: { jobs: [{ id: 'j1', home: 'v2', createdAt: 5, state: 'exploded', replicas: [], epoch: 0 }] } })
    expect(res.code).toBe('BAD_REQUEST')
    expect(registered).toEqual([])
  })

  it('runs a member\'s forwarded write and returns the answer unchanged', async () => {
    const { svc, admin } = service(CONF)
    const res = await svc.handle('v2', WRITE)
    expect(res.code).toBe('')
    expect(admin).toEqual([{ configSet: { key: 'k', value: 'v' } }])
    expect(AdminResponse.decode(res.response)).toEqual({ code: 'VERSION_MISMATCH', error: 'config "k" is at version 2, not 1', leader: 'v1' })
  })

  it('forwards only writes to the leader and only reads to a home', async () => {
    const { svc, admin } = service(CONF)
    expect((await svc.handle('v2', { toLeader: { request: AdminRequest.encode({ configList: {} }), caller: '' } })).code).toBe('BAD_REQUEST')
    expect((await svc.handle('v2', { toHome: { request: AdminRequest.encode({ jobCancel: { id: 'j1' } }), caller: '' } })).code).toBe('BAD_REQUEST')
    expect(admin).toEqual([])
  })

  it('answers RATE_LIMITED to a peer over its rate, counts it, and still serves other members', async () => {
    const { svc, counters, registered } = service(CONF)
    const codes: string[] = []
    for (let i = 0; i < INTERNAL_RATE.burst + 5; i++) codes.push((await svc.handle('v2', REGISTER)).code)
    expect(codes.filter(c => c === '').length).toBe(INTERNAL_RATE.burst)
    expect(codes.filter(c => c === 'RATE_LIMITED').length).toBe(5)
    expect(registered.length).toBe(INTERNAL_RATE.burst)
    expect(counters.get('rate_limited_total')).toBe(5)
    expect((await svc.handle('l1', REGISTER)).code).toBe('')
  })
})
