// The CLI prints a server's failure as `meshnode: error: <message> [CODE]` with the code the
// server answered, and exits 1 (3 for FORBIDDEN, 4 for NO_QUORUM and NOT_REGISTERED); its
// usage errors still exit 2. The server here is a bare
// libp2p host on loopback answering the admin protocol with a fixed failure.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { main } from '../../../src/node/cli/main.js'
import type { AdminRequest, AdminResponse } from '../../../src/wire/proto/admin.js'
import { captureIO as io, fakeAdminServer, type FakeAdmin } from './cli-fixture.js'

describe('the CLI facing a server failure', () => {
  let server: FakeAdmin
  let addr = ''
  let seen: AdminRequest[] = []
  let answer: AdminResponse = { code: '', error: '', leader: '' }

  beforeAll(async () => {
    server = await fakeAdminServer()
    server.answer = () => answer
    addr = server.addr
    seen = server.seen
  })

  afterAll(async () => {
    await server?.stop()
  })

  it('prints the server\'s message and code unchanged and exits 1', async () => {
    answer = { code: 'VERSION_MISMATCH', error: 'config "k" is at version 3, not 1', leader: '' }
    const o = io()
    expect(await main(['config', 'set', 'k', 'v', '--expect-version', '1', '--peer', addr], o)).toBe(1)
    expect(o.stderr).toBe('meshnode: error: config "k" is at version 3, not 1 [VERSION_MISMATCH]\n')
    expect(seen.at(-1)).toEqual({ configSet: { key: 'k', value: 'v', expectVersion: 1n } })
  })

  it('keeps a code the CLI has never heard of', async () => {
    answer = { code: 'SOME_FUTURE_CODE', error: 'something new went wrong', leader: '' }
    const o = io()
    expect(await main(['cancel', 'j1', '--peer', addr], o)).toBe(1)
    expect(o.stderr).toBe('meshnode: error: something new went wrong [SOME_FUTURE_CODE]\n')
    expect(seen.at(-1)).toEqual({ jobCancel: { id: 'j1' } })
  })

  it('reports a job command\'s code the same way', async () => {
    answer = { code: 'NO_CAPABLE_NODE', error: 'no live node can run task x/0 (type "gpu-thing")', leader: '' }
    const o = io()
    expect(await main(['submit', 'gpu-thing', '{"n": 1}', '--peer', addr], o)).toBe(1)
    expect(o.stderr).toContain('[NO_CAPABLE_NODE]')
    expect(JSON.parse(seen.at(-1)!.jobsSubmit!.jobs[0]!)).toEqual({ type: 'gpu-thing', payload: { n: 1 } })
  })

  it('exits 4 when the node has no quorum: a fenced submit, a registration that failed, a write not committed', async () => {
    answer = { code: 'NO_QUORUM', error: 'this node cannot reach a majority of the mesh, so it cannot register the job: nothing was accepted', leader: '' }
    const o = io()
    expect(await main(['submit', 'echo', '{}', '--peer', addr], o)).toBe(4)
    expect(o.stderr).toContain('cannot reach a majority')
    expect(o.stderr).toContain('[NO_QUORUM]')
    answer = { code: 'NOT_REGISTERED', error: 'the job could not be registered in the control log, so it was not accepted', leader: '' }
    expect(await main(['submit', 'echo', '{}', '--wait', '--peer', addr], io())).toBe(4)
    answer = { code: 'NO_QUORUM', error: 'no quorum: entry 9 not committed within 5000 ms', leader: '' }
    expect(await main(['config', 'set', 'k', 'v', '--peer', addr], io())).toBe(4)
  })

  it('prints a successful answer', async () => {
    answer = { code: '', error: '', leader: '', configList: { entries: [{ key: 'a', value: '1', version: 2n }] } }
    const o = io()
    expect(await main(['config', 'list', '--json', '--peer', addr], o)).toBe(0)
    expect(JSON.parse(o.stdout)).toEqual([{ key: 'a', value: '1', version: 2 }])
  })

  it('prints `jobs --json` in the same shape as before: counts only for jobs homed on the node asked', async () => {
    answer = {
      code: '',
      error: '',
      leader: '',
      jobsList: {
        jobs: [
          { id: 'j2', home: 'a', state: 'completed', createdAt: 2, name: 'n', total: 3, done: 3, failed: 0, finishedAt: 9 },
          { id: 'j1', home: 'b', state: 'running', createdAt: 1 }
        ],
        next: 'j1'
      }
    }
    const o = io()
    expect(await main(['jobs', '--json', '--limit', '2', '--peer', addr], o)).toBe(0)
    expect(JSON.parse(o.stdout)).toEqual({
      jobs: [
        { id: 'j2', home: 'a', state: 'completed', createdAt: 2, name: 'n', total: 3, done: 3, failed: 0, finishedAt: 9 },
        { id: 'j1', home: 'b', state: 'running', createdAt: 1 }
      ],
      next: 'j1'
    })
    expect(seen.at(-1)).toEqual({ jobsList: { limit: 2, before: '' } })
  })

  it('prints `job --results --json` as the view with its results and next cursor', async () => {
    const view = { id: 'j1', home: 'a', state: 'completed', createdAt: 1, total: 1, done: 1, failed: 0, cancelled: 0, roots: 1, byNode: { a: 1 }, result: 5, running: [] }
    answer = { code: '', error: '', leader: '', jobGet: { view: JSON.stringify(view), results: JSON.stringify([{ taskId: 'j1/0', ok: true, result: 5, node: 'a', attempts: 1, finishedAt: 3 }]), next: 'j1/0' } }
    const o = io()
    expect(await main(['job', 'j1', '--results', '--after', 'j0', '--json', '--peer', addr], o), o.stderr).toBe(0)
    expect(JSON.parse(o.stdout)).toEqual({ ...view, results: [{ taskId: 'j1/0', ok: true, result: 5, node: 'a', attempts: 1, finishedAt: 3 }], next: 'j1/0' })
    expect(seen.at(-1)).toEqual({ jobGet: { id: 'j1', results: true, limit: 0, after: 'j0' } })
  })

  it('still exits 2 on a usage error, without calling the server', async () => {
    const before = seen.length
    const o = io()
    expect(await main(['config', 'set', 'k', 'v', '--expect-version', 'x', '--peer', addr], o)).toBe(2)
    expect(o.stderr).toContain('invalid --expect-version "x"')
    expect(seen.length).toBe(before)
  })
})
