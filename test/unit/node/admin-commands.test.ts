// The admin command table and its dispatcher, driven with a fake consensus and work layer:
// every failure reaches the client side (encoded, decoded, turned into a MeshError by the
// client) with the code the server chose, unchanged.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import type { ApplyResult, ConfigValue, ControlCommand, Grant, JobEntry } from '../../../src/consensus/control.js'
import { trusted, type Principal } from '../../../src/node/access/policy.js'
import { adminError, unwrap } from '../../../src/node/client/admin.js'
import { detailJson } from '../../../src/node/client/jobs-json.js'
import { formatJob } from '../../../src/node/cli/jobs.js'
import { MeshError } from '../../../src/node/errors.js'
import { MeshNode } from '../../../src/node/node.js'
import { ADMIN_COMMANDS, commandOf, type AdminContext, type JobsEngine } from '../../../src/node/services/admin-commands.js'
import { dispatch, failure } from '../../../src/node/services/admin.js'
import type { AdminCommandName } from '../../../src/wire/calls.js'
import { MAX_JOB_WAIT_MS } from '../../../src/wire/constants.js'
import { AdminRequest, AdminResponse } from '../../../src/wire/proto/admin.js'
import { WorkError } from '../../../src/work/errors.js'
import { encodePayload, parseJobInput, type JobInput } from '../../../src/work/spec.js'

interface Fake {
  ctx: AdminContext
  proposed: ControlCommand[]
  forwards: Array<{ to: string, via: string, req: AdminRequest }>
  submitted: number
}

function fake (opts: {
  propose?: (cmd: ControlCommand) => Promise<ApplyResult>
  engine?: Partial<JobsEngine> | null
  forward?: (to: string, via: string, req: AdminRequest) => Promise<AdminResponse>
  forwarded?: boolean
  config?: Record<string, ConfigValue>
  jobs?: Record<string, JobEntry>
  grants?: Record<string, Grant>
  caller?: Principal
  whenJobRegistered?: (jobId: string, timeoutMs: number) => Promise<unknown>
  dead?: string[]
} = {}): Fake {
  const f: Fake = { proposed: [], forwards: [], submitted: 0, ctx: undefined as any }
  const engine: JobsEngine = {
    submit: async inputs => {
      // As the engine does while turning inputs into tasks.
      for (const [j, input] of inputs.entries()) for (const [i, t] of input.tasks.entries()) encodePayload(t.payload, `task j${j}/${i}`)
      f.submitted += inputs.length
      return inputs.map((_, i) => ({ id: `j${i}`, home: 'self', roots: 1 })) as any
    },
    job: async () => undefined,
    jobs: { whenFinished: async (id: string) => await engine.job(id) },
    jobRecord: async () => undefined,
    jobRecords: async (ids: readonly string[]) => ids.map(() => undefined),
    results: async () => [],
    runningTasks: () => [],
    ...opts.engine
  }
  f.ctx = {
    self: 'self',
    consensus: {
      propose: async cmd => {
        f.proposed.push(cmd)
        return await (opts.propose?.(cmd) ?? Promise.resolve({ ok: true, version: 1 }))
      },
      control: { config: new Map(Object.entries(opts.config ?? {})), jobs: new Map(Object.entries(opts.jobs ?? {})), grants: new Map(Object.entries(opts.grants ?? {})), dead: new Map((opts.dead ?? []).map(p => [p, { incarnation: 1, reason: 'test', index: 1 }])) },
      status: () => ({ leader: 'leader-id' }),
      ...(opts.whenJobRegistered != null ? { whenJobRegistered: opts.whenJobRegistered } : {})
    },
    engine: () => opts.engine === null ? undefined : engine,
    forward: async (to, via, req) => {
      f.forwards.push({ to, via, req })
      if (opts.forward == null) throw new Error('connection refused')
      return await opts.forward(to, via, req)
    },
    forwarded: opts.forwarded ?? false,
    caller: opts.caller ?? trusted('local-cli'),
    now: () => 1_000
  }
  return f
}

/** The request as the server decodes it, the answer as the client decodes it. */
async function roundTrip (req: AdminRequest, f: Fake): Promise<AdminResponse> {
  const res = await dispatch(AdminRequest.decode(AdminRequest.encode(req)), f.ctx)
  return AdminResponse.decode(AdminResponse.encode(res))
}

/** What the CLI and bench clients get: the server's failure as a MeshError. */
async function clientError (req: AdminRequest, f: Fake): Promise<MeshError> {
  const res = await roundTrip(req, f)
  try {
    unwrap(res, commandOf(req) ?? 'configList')
  } catch (err) {
    if (err instanceof MeshError) return err
    throw err
  }
  throw new Error(`expected a failure, got ${JSON.stringify(res, (_, v) => typeof v === 'bigint' ? String(v) : v)}`)
}

const notLeader = (leader: string | null) => async (): Promise<ApplyResult> => { throw new MeshError('NOT_LEADER', `not leader (leader is ${leader ?? 'unknown'})`, { leader }) }
const SCHEMA = readFileSync(fileURLToPath(new URL('../../../src/wire/proto/admin.proto', import.meta.url)), 'utf8')
const TASK = JSON.stringify({ type: 'echo', payload: 1 })

describe('the command table', () => {
  it('has an entry with a kind and a caller for every command of the schema, and a result of the same name', () => {
    const oneof = (name: string): string[] => {
      const block = /oneof (\w+) \{([^}]*)\}/g
      for (const m of SCHEMA.matchAll(block)) if (m[1] === name) return [...m[2]!.matchAll(/^\s*\w+ (\w+) = \d+;/gm)].map(f => f[1]!.replace(/_(\w)/g, (_, c: string) => c.toUpperCase())).sort()
      throw new Error(`no oneof ${name} in admin.proto`)
    }
    const names = Object.keys(ADMIN_COMMANDS).sort()
    expect(names).toEqual(oneof('command'))
    expect(names).toEqual(oneof('result'))
    for (const name of names as AdminCommandName[]) {
      expect(['read', 'write']).toContain(ADMIN_COMMANDS[name].kind)
      expect(['none', 'read', 'submit', 'operate']).toContain(ADMIN_COMMANDS[name].needs)
    }
  })

  it('declares config changes, submit and cancel as writes, and the rest of today\'s commands as reads', () => {
    for (const name of ['configSet', 'configDelete', 'jobsSubmit', 'jobCancel'] as const) expect(ADMIN_COMMANDS[name].kind).toBe('write')
    for (const name of ['configGet', 'configList', 'jobsList', 'jobGet'] as const) expect(ADMIN_COMMANDS[name].kind).toBe('read')
  })
})

describe('the admin dispatcher answers', () => {
  it('a config write with the new version, proposed through consensus', async () => {
    const f = fake({ propose: async () => ({ ok: true, version: 4 }) })
    const res = await roundTrip({ configSet: { key: 'color', value: 'blue', expectVersion: 3n } }, f)
    expect(res.code).toBe('')
    expect(res.configSet?.version).toBe(4n)
    expect(f.proposed).toEqual([{ op: 'config.set', key: 'color', value: 'blue', expectVersion: 3, by: 'local-cli', at: 1_000 }])
  })

  it('a config listing sorted by key', async () => {
    const f = fake({ config: { b: { value: '2', version: 1, index: 5 }, a: { value: '1', version: 2, index: 6 } } })
    const res = await roundTrip({ configList: {} }, f)
    expect(res.configList?.entries.map(e => e.key)).toEqual(['a', 'b'])
  })

  it('a submission with the ids the engine gave', async () => {
    const f = fake()
    const res = await roundTrip({ jobsSubmit: { jobs: [TASK, TASK] } }, f)
    expect(res.code).toBe('')
    expect(res.jobsSubmit?.jobs.map(j => j.id)).toEqual(['j0', 'j1'])
  })

  it('a submission repeating a job text with one job per text, each as if parsed alone', async () => {
    let seen: readonly JobInput[] = []
    const f = fake({ engine: { submit: async inputs => { seen = inputs; return inputs.map((_, i) => ({ id: `j${i}`, home: 'self', roots: 1 })) as any } } })
    const other = JSON.stringify({ type: 'echo', payload: { n: 2 }, attempts: 2 })
    const texts = [TASK, TASK, other, other, TASK]
    const res = await roundTrip({ jobsSubmit: { jobs: texts } }, f)
    expect(res.code).toBe('')
    expect(res.jobsSubmit?.jobs.map(j => j.id)).toEqual(['j0', 'j1', 'j2', 'j3', 'j4'])
    expect(seen).toEqual(texts.map(t => parseJobInput(JSON.parse(t))))
  })

  it('BAD_JOB for a repeated invalid job text, naming the first of them', async () => {
    const f = fake()
    const bad = JSON.stringify({ type: 'echo', attempts: 0 })
    const err = await clientError({ jobsSubmit: { jobs: [TASK, TASK, bad, bad] } }, f)
    expect(err.code).toBe('BAD_JOB')
    expect(err.message).toMatch(/^job 2: /)
    expect(f.submitted).toBe(0)
  })
})

describe('every failure reaches the client with its code unchanged', () => {
  it('NOT_LEADER when the leader is unknown', async () => {
    const err = await clientError({ configSet: { key: 'k', value: 'v' } }, fake({ propose: notLeader(null) }))
    expect(err.code).toBe('NOT_LEADER')
    expect(err.message).toContain('[NOT_LEADER]')
  })

  it('NOT_LEADER naming the leader when forwarding to it fails', async () => {
    const f = fake({ propose: notLeader('L') })
    const err = await clientError({ configDelete: { key: 'k' } }, f)
    expect(err.code).toBe('NOT_LEADER')
    expect(err.leader).toBe('L')
    expect(err.message).toMatch(/forwarding failed: connection refused/)
    expect(f.forwards).toMatchObject([{ to: 'L', via: 'leader' }])
  })

  it('the leader\'s own answer to a forwarded write, code and message as the leader gave them', async () => {
    const leaderSays = failure('VERSION_MISMATCH', 'config "k" is at version 3, not 1', 'L')
    const f = fake({ propose: notLeader('L'), forward: async () => leaderSays })
    const req: AdminRequest = { configSet: { key: 'k', value: 'v', expectVersion: 1n } }
    const err = await clientError(req, f)
    expect(err.code).toBe('VERSION_MISMATCH')
    expect(err.message).toBe('config "k" is at version 3, not 1 [VERSION_MISMATCH]')
    expect(f.forwards[0]!.req).toEqual(req)
  })

  it('NOT_LEADER, not a second hop, for a request that was itself forwarded', async () => {
    const f = fake({ propose: notLeader('L'), forwarded: true, forward: async () => failure('INTERNAL', 'must not be called') })
    expect((await clientError({ jobCancel: { id: 'j' } }, f)).code).toBe('NOT_LEADER')
    expect(f.forwards).toEqual([])
  })

  it('NO_QUORUM when the write is not committed', async () => {
    const err = await clientError({ configSet: { key: 'k', value: 'v' } }, fake({ propose: async () => { throw new MeshError('NO_QUORUM', 'no quorum: entry 7 not committed within 5000 ms') } }))
    expect(err.code).toBe('NO_QUORUM')
    expect(err.message).toMatch(/^no quorum: entry 7/)
  })

  it('VERSION_MISMATCH from the control state machine', async () => {
    const err = await clientError({ configSet: { key: 'k', value: 'v', expectVersion: 0n } }, fake({ propose: async () => ({ ok: false, code: 'VERSION_MISMATCH', message: 'config "k" is at version 2, not 0' }) }))
    expect(err.code).toBe('VERSION_MISMATCH')
  })

  it('NOT_FOUND for a config key that is not set', async () => {
    const err = await clientError({ configGet: { key: 'nope' } }, fake())
    expect(err.code).toBe('NOT_FOUND')
    expect(err.message).toContain('config key "nope" is not set')
  })

  it('NOT_FOUND for deleting a key that is not set, decided by the leader', async () => {
    const leading = fake()
    leading.ctx = { ...leading.ctx, self: 'leader-id' }
    expect((await clientError({ configDelete: { key: 'nope' } }, leading)).code).toBe('NOT_FOUND')
    expect(leading.proposed).toEqual([])
    // A follower does not judge by its own (possibly lagging) state: it proposes, and so forwards.
    const follower = fake({ propose: notLeader('L'), forward: async () => failure('NOT_FOUND', 'config key "nope" is not set', 'L') })
    expect((await clientError({ configDelete: { key: 'nope' } }, follower)).code).toBe('NOT_FOUND')
    expect(follower.forwards).toHaveLength(1)
  })

  it('NOT_FOUND for a job the registry does not know', async () => {
    expect((await clientError({ jobGet: { id: 'j9', results: false, limit: 0, after: '' } }, fake())).code).toBe('NOT_FOUND')
  })

  it('JOB_FINISHED when cancelling a job that is over', async () => {
    const err = await clientError({ jobCancel: { id: 'j1' } }, fake({ propose: async () => ({ ok: false, code: 'JOB_FINISHED', message: 'job j1 is already cancelled' }) }))
    expect(err.code).toBe('JOB_FINISHED')
    expect(err.message).toContain('already cancelled')
  })

  it('BAD_REQUEST for a request without a command (an empty one, or a newer client\'s)', async () => {
    const res = await roundTrip({}, fake())
    expect(res.code).toBe('BAD_REQUEST')
    expect(adminError(res).code).toBe('BAD_REQUEST')
  })

  it('BAD_REQUEST for a missing key, and nothing is proposed', async () => {
    const f = fake()
    expect((await clientError({ configSet: { key: '', value: 'v' } }, f)).code).toBe('BAD_REQUEST')
    expect(f.proposed).toEqual([])
  })

  it('BAD_REQUEST for a submitted job that is not JSON, and nothing is submitted', async () => {
    const f = fake()
    expect((await clientError({ jobsSubmit: { jobs: ['{"tasks": ['] } }, f)).code).toBe('BAD_REQUEST')
    expect(f.submitted).toBe(0)
  })

  it('BAD_JOB for an invalid job, naming which one in a batch', async () => {
    const f = fake()
    const err = await clientError({ jobsSubmit: { jobs: [TASK, JSON.stringify({ type: 'echo', attempts: 0 })] } }, f)
    expect(err.code).toBe('BAD_JOB')
    expect(err.message).toMatch(/^job 1: /)
    expect(f.submitted).toBe(0)
  })

  it('BAD_JOB for an empty submission', async () => {
    expect((await clientError({ jobsSubmit: { jobs: [] } }, fake())).code).toBe('BAD_JOB')
  })

  it('PAYLOAD_TOO_LARGE for a payload over the limit, from the engine', async () => {
    const err = await clientError({ jobsSubmit: { jobs: [JSON.stringify({ type: 'echo', payload: 'x'.repeat(300 * 1024) })] } }, fake())
    expect(err.code).toBe('PAYLOAD_TOO_LARGE')
    expect(err.message).toMatch(/payload is \d+ bytes; the limit is/)
  })

  it('NO_CAPABLE_NODE from the engine', async () => {
    const f = fake({ engine: { submit: async () => { throw new WorkError('NO_CAPABLE_NODE', 'no live node can run task x/0 (type "gpu")') } } })
    expect((await clientError({ jobsSubmit: { jobs: [TASK] } }, f)).code).toBe('NO_CAPABLE_NODE')
  })

  it('NOT_REGISTERED from the engine', async () => {
    const f = fake({ engine: { submit: async () => { throw new WorkError('NOT_REGISTERED', 'the job could not be registered in the control log') } } })
    expect((await clientError({ jobsSubmit: { jobs: [TASK] } }, f)).code).toBe('NOT_REGISTERED')
  })

  it('UNREACHABLE when a job\'s home cannot be reached', async () => {
    const f = fake({ jobs: { j1: { home: 'other', createdAt: 1, state: 'running' } } })
    const err = await clientError({ jobGet: { id: 'j1', results: false, limit: 0, after: '' } }, f)
    expect(err.code).toBe('UNREACHABLE')
    expect(err.message).toContain('lives on other')
    expect(f.forwards).toMatchObject([{ to: 'other', via: 'home' }])
  })

  it('a job that finished before its home was declared dead: the registry\'s view, not UNREACHABLE', async () => {
    const f = fake({
      dead: ['gone'],
      jobs: {
        j1: { home: 'gone', createdAt: 1, state: 'completed', finishedAt: 5, replicas: ['r1'], epoch: 1, homes: ['older'] },
        j2: { home: 'gone', createdAt: 2, state: 'running' }
      }
    })
    for (const results of [false, true]) {
      const res = await roundTrip({ jobGet: { id: 'j1', results, limit: 10, after: '' } }, f)
      const detail = detailJson(unwrap(res, 'jobGet'))
      expect(detail).toEqual({ id: 'j1', home: 'gone', state: 'completed', createdAt: 1, finishedAt: 5, epoch: 1, homes: ['older'], homeDead: true })
      expect(formatJob(detail)).toMatch(/tasks {4}unknown: counted only at its home\n[^]*lost {5}its home gone was declared dead after the job completed/)
    }
    expect(f.forwards).toEqual([])
    // Still running at a dead home: the same log entry moved it, so it is asked of a live home.
    expect((await clientError({ jobGet: { id: 'j2', results: false, limit: 0, after: '' } }, f)).code).toBe('UNREACHABLE')
    // A home alive (not in the committed deaths) is asked, whatever the job's state.
    const alive = fake({ jobs: { j1: { home: 'other', createdAt: 1, state: 'completed', finishedAt: 5 } } })
    expect((await clientError({ jobGet: { id: 'j1', results: false, limit: 0, after: '' } }, alive)).code).toBe('UNREACHABLE')
  })

  it('the home\'s own failure for a job read forwarded to it', async () => {
    const f = fake({ jobs: { j1: { home: 'other', createdAt: 1, state: 'running' } }, forward: async () => failure('NOT_FOUND', 'job j1 is registered with home other, which does not have it') })
    expect((await clientError({ jobGet: { id: 'j1', results: false, limit: 0, after: '' } }, f)).code).toBe('NOT_FOUND')
  })

  it('a jobGet with waitMs waits at the job\'s home for it to finish, never longer than MAX_JOB_WAIT_MS', async () => {
    const waits: Array<number | undefined> = []
    const f = fake({
      jobs: { j1: { home: 'self', createdAt: 1, state: 'running' } },
      engine: {
        job: async () => { throw new Error('read without waiting') },
        jobs: { whenFinished: async (id: string, ms?: number) => { waits.push(ms); return { id, state: 'completed' } as any } }
      }
    })
    const res = await roundTrip({ jobGet: { id: 'j1', results: false, limit: 0, after: '', waitMs: 60_000 } }, f)
    expect(res.code).toBe('')
    expect(JSON.parse(res.jobGet!.view)).toMatchObject({ id: 'j1', state: 'completed' })
    expect(waits).toEqual([MAX_JOB_WAIT_MS])
    // Without waitMs (an older client) it reads at once.
    const g = fake({ jobs: { j1: { home: 'self', createdAt: 1, state: 'running' } }, engine: { job: async id => ({ id, state: 'running' }) as any, jobs: { whenFinished: async () => { throw new Error('waited') } } } })
    expect(JSON.parse((await roundTrip({ jobGet: { id: 'j1', results: false, limit: 0, after: '' } }, g)).jobGet!.view).state).toBe('running')
  })

  it('a waiting jobGet for a job homed elsewhere goes to the home with its wait, and waits there', async () => {
    const f = fake({ jobs: { j1: { home: 'other', createdAt: 1, state: 'running' } }, forward: async () => ({ code: '', error: '', jobGet: { view: JSON.stringify({ id: 'j1', state: 'completed' }), results: '', next: '' } }) as any })
    const res = await roundTrip({ jobGet: { id: 'j1', results: false, limit: 0, after: '', waitMs: 2_000 } }, f)
    expect(JSON.parse(res.jobGet!.view).state).toBe('completed')
    expect(f.forwards).toHaveLength(1)
    expect(f.forwards[0]!.req.jobGet?.waitMs).toBe(2_000)
  })

  it('a waiting jobGet at a node that has not applied the job\'s registration yet waits for it, then goes to the home', async () => {
    const asked: Array<[string, number]> = []
    const f = fake({
      whenJobRegistered: async (id, ms) => { asked.push([id, ms]); return { home: 'other', createdAt: 1, state: 'running' } },
      forward: async () => ({ code: '', error: '', jobGet: { view: JSON.stringify({ id: 'j1', state: 'completed' }), results: '', next: '' } }) as any
    })
    const res = await roundTrip({ jobGet: { id: 'j1', results: false, limit: 0, after: '', waitMs: 3_000 } }, f)
    expect(JSON.parse(res.jobGet!.view).state).toBe('completed')
    expect(asked).toEqual([['j1', 3_000]])
    expect(f.forwards.map(x => x.to)).toEqual(['other'])
    // What is left of the wait goes with it.
    expect(f.forwards[0]!.req.jobGet!.waitMs).toBeGreaterThan(0)
    expect(f.forwards[0]!.req.jobGet!.waitMs).toBeLessThanOrEqual(3_000)
  })

  it('NOT_FOUND for a waiting jobGet whose registration never comes; no wait for one that does not ask to wait or is homed here', async () => {
    const asked: number[] = []
    const never = fake({ whenJobRegistered: async (_id, ms) => { asked.push(ms); return undefined } })
    expect((await clientError({ jobGet: { id: 'j9', results: false, limit: 0, after: '', waitMs: 1_000 } }, never)).code).toBe('NOT_FOUND')
    expect(asked).toEqual([1_000])
    expect((await clientError({ jobGet: { id: 'j9', results: false, limit: 0, after: '' } }, never)).code).toBe('NOT_FOUND')
    expect(asked).toEqual([1_000])
    // Homed here (the engine has its record): it waits for the job, not for the registry.
    const home = fake({
      whenJobRegistered: async () => { throw new Error('waited for the registry') },
      engine: { jobRecord: async id => ({ id }) as any, jobs: { whenFinished: async (id: string) => ({ id, state: 'completed' }) as any } }
    })
    expect(JSON.parse((await roundTrip({ jobGet: { id: 'j2', results: false, limit: 0, after: '', waitMs: 1_000 } }, home)).jobGet!.view).state).toBe('completed')
  })

  it('STARTING while the work layer is not up', async () => {
    expect((await clientError({ jobsList: { limit: 0, before: '' } }, fake({ jobs: { j1: { home: 'self', createdAt: 1, state: 'running' } }, engine: null }))).code).toBe('STARTING')
    expect((await clientError({ jobsSubmit: { jobs: [TASK] } }, fake({ engine: null }))).code).toBe('STARTING')
  })

  it('INTERNAL for an error without a code', async () => {
    const f = fake({ engine: { job: async () => { throw new TypeError('boom') } } })
    const err = await clientError({ jobGet: { id: 'j1', results: false, limit: 0, after: '' } }, f)
    expect(err.code).toBe('INTERNAL')
    expect(err.message).toBe('boom [INTERNAL]')
  })

  it('through the library API: cancelJob throws a MeshError with the server\'s code', async () => {
    const fakeNode = { c: { operatorId: 'local-cli' }, admin: { handle: async (req: AdminRequest) => await dispatch(req, fake({ propose: async () => ({ ok: false, code: 'JOB_FINISHED', message: 'job j1 is already completed' }) }).ctx) } }
    const err = await MeshNode.prototype.cancelJob.call(fakeNode as any, 'j1').then(() => undefined, (e: unknown) => e)
    expect(err).toBeInstanceOf(MeshError)
    expect((err as MeshError).code).toBe('JOB_FINISHED')
    expect((err as MeshError).message).toBe('cannot cancel j1: job j1 is already completed [JOB_FINISHED]')
  })
})

describe('admin commands: retention', () => {
  const DAY = 86_400_000
  it('refuses a bad retention value at config set, with what the key takes, and proposes nothing', async () => {
    const f = fake()
    const err = await clientError({ configSet: { key: 'retention.maxAgeMs', value: 'a week' } }, f)
    expect(err.code).toBe('BAD_REQUEST')
    expect(err.message).toMatch(/retention\.maxAgeMs must be a duration: whole milliseconds \(86400000\) or a number with a unit/)
    expect((await clientError({ configSet: { key: 'retention.maxjobs', value: '5' } }, f)).message).toMatch(/unknown retention key "retention.maxjobs"/)
    expect(f.proposed).toEqual([])
  })

  it('accepts a good retention value and proposes it as given', async () => {
    const f = fake()
    const res = await roundTrip({ configSet: { key: 'retention.maxAgeMs', value: '86400000' } }, f)
    expect(res.code).toBe('')
    expect(f.proposed).toMatchObject([{ op: 'config.set', key: 'retention.maxAgeMs', value: '86400000' }])
  })

  it('lists the jobs homed here with their records, read together, and the others from the registry', async () => {
    const asked: string[][] = []
    const f = fake({
      jobs: {
        a: { home: 'self', createdAt: 1, state: 'running' },
        b: { home: 'x', createdAt: 2, state: 'running' },
        c: { home: 'self', createdAt: 3, state: 'running' }
      },
      engine: { jobRecords: async ids => { asked.push([...ids]); return ids.map(id => id === 'c' ? { id, home: 'self', state: 'completed', createdAt: 3, total: 1, done: 1, failed: 0, finishedAt: 9 } as any : undefined) } }
    })
    const list = await roundTrip({ jobsList: { limit: 0, before: '', all: true } }, f)
    expect(asked).toEqual([['c', 'a']])
    expect(list.jobsList?.jobs.map(j => [j.id, j.home, j.state, j.done ?? 0])).toEqual([['c', 'self', 'completed', 1], ['b', 'x', 'running', 0], ['a', 'self', 'running', 0]])
  })

  it('lists running jobs and jobs finished within a day by default, every retained job with all', async () => {
    const now = 10 * DAY
    const f = fake({
      jobs: {
        old: { home: 'x', createdAt: 1, state: 'completed', finishedAt: now - 2 * DAY },
        legacy: { home: 'x', createdAt: now - 3 * DAY, state: 'failed' },
        recent: { home: 'x', createdAt: 1, state: 'completed', finishedAt: now - 1000 },
        run: { home: 'x', createdAt: 1, state: 'running' }
      }
    })
    f.ctx.now = () => now
    const short = await roundTrip({ jobsList: { limit: 0, before: '' } }, f)
    expect(short.jobsList?.jobs.map(j => j.id)).toEqual(['run', 'recent'])
    expect(short.jobsList?.hidden).toBe(2)
    const all = await roundTrip({ jobsList: { limit: 0, before: '', all: true } }, f)
    expect(all.jobsList?.jobs.map(j => j.id)).toEqual(['run', 'recent', 'old', 'legacy'])
    expect(all.jobsList?.hidden ?? 0).toBe(0)
    // another home's finished job carries the finish time its registry entry holds
    expect(all.jobsList?.jobs.map(j => [j.id, j.finishedAt])).toEqual([['run', undefined], ['recent', now - 1000], ['old', now - 2 * DAY], ['legacy', undefined]])
  })

  it('reports the policy in force, which keys are defaults, and the counts', async () => {
    const f = fake({
      config: { 'retention.maxJobs': { value: '500', version: 1, index: 1 }, 'retention.maxAgeMs': { value: 'off', version: 1, index: 2 } },
      jobs: { a: { home: 'x', createdAt: 1, state: 'completed', resultsExpired: true }, r: { home: 'x', createdAt: 1, state: 'running' } }
    })
    ;(f.ctx.consensus.control as any).retention = { deleted: 7, resultsExpired: 3 }
    const res = await roundTrip({ retentionStatus: {} }, f)
    expect(res.retentionStatus).toEqual({ maxJobs: 500, defaults: ['retention.resultsMaxAgeMs'], running: 1, finished: 1, resultsExpired: 1, deletedTotal: 7, resultsExpiredTotal: 3 })
  })
})
