// The HTTP API on real processes: a 3-node cluster, each node serving HTTP on its own port.
// A job submitted over HTTP at one node (with a bearer token from `meshnode token`) is
// followed to completion on another node's /v1/events stream, and a third node's
// /v1/jobs/ID answers exactly what `meshnode job ID --json` prints. Writes without a token
// and with a bad one are refused.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadState, waitUntil } from '../../scripts/cluster-lib.js'
import { cluster, meshnode, tempDir } from './helpers.js'

async function getJson (url: string): Promise<any> {
  return await (await fetch(url)).json()
}

const BASE_PORT = 26100

describe('the HTTP API on a 3-node cluster', () => {
  const dir = tempDir('http3')
  let urls: string[] = []
  let dataDirs: string[] = []

  beforeAll(async () => {
    await cluster(dir, ['up', '3', '--base-port', String(BASE_PORT), '--', '--http', '127.0.0.1:0', '--concurrency', '2'])
    const nodes = loadState(dir).nodes
    dataDirs = nodes.map(n => n.dataDir)
    urls = dataDirs.map(d => `http://${JSON.parse(readFileSync(join(d, 'node.json'), 'utf8')).http as string}`)
  })

  afterAll(async () => {
    await cluster(dir, ['down'])
  })

  it('serves status, members and metrics on every node', async () => {
    for (const url of urls) {
      const s = await getJson(`${url}/v1/status`)
      expect(s.http).toBe(`${url}/`)
      let m: { members: Array<{ state: string }>, leader: string | null } = { members: [], leader: null }
      await waitUntil(async () => {
        m = await getJson(`${url}/v1/members`)
        return m.leader != null && m.members.filter(p => p.state === 'alive').length === 2
      }, 10_000, 'a leader and two alive peers')
      expect(m.leader).toMatch(/^12D3/)
      const metrics = await fetch(`${url}/metrics`)
      expect(metrics.headers.get('content-type')).toMatch(/text\/plain/)
      expect(await metrics.text()).toMatch(/^heartbeats_received_total \d+$/m)
    }
  })

  it('submits over HTTP with a token, streams job.completed elsewhere, and agrees with `meshnode job --json`', async () => {
    const token = await meshnode(['token', '--data-dir', dataDirs[1]!])
    expect(token.code, token.stderr).toBe(0)
    const auth = { authorization: `Bearer ${token.stdout.trim()}`, 'content-type': 'application/json' }

    // Follow node 3's stream before submitting, so the event cannot be missed.
    const abort = new AbortController()
    const stream = await fetch(`${urls[2]}/v1/events?types=job.`, { signal: abort.signal })
    expect(stream.headers.get('content-type')).toMatch(/text\/event-stream/)
    const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader()
    let buffered = ''
    const completed = async (id: string): Promise<{ event: string, data: { id: string, state: string } }> => {
      for (;;) {
        const frames = buffered.split('\n\n')
        buffered = frames.pop()!
        for (const f of frames) {
          const data = f.split('\n').find(l => l.startsWith('data: '))
          if (data == null) continue
          const e = JSON.parse(data.slice(6))
          if (e.event === 'job.completed' && e.data.id === id) return e
        }
        const { value, done } = await reader.read()
        if (done === true) throw new Error('the event stream ended')
        buffered += value
      }
    }

    const res = await fetch(`${urls[1]}/v1/jobs`, { method: 'POST', headers: auth, body: JSON.stringify({ name: 'http-e2e', tasks: Array.from({ length: 40 }, (_, i) => ({ type: 'sleep', payload: { ms: 20 + i } })) }) })
    expect(res.status).toBe(201)
    const sub = await res.json() as { id: string, home: string, tasks: number }
    expect(sub).toMatchObject({ tasks: 40 })
    // A long poll at the job's home (the node it was submitted to; another node knows the job
    // once its registration is applied there): answered when the job ends (a loaded machine
    // may need a second wait of 5 s).
    let polled = await getJson(`${urls[1]}/v1/jobs/${sub.id}?wait=5s`)
    for (let i = 0; i < 3 && polled.state === 'running'; i++) polled = await getJson(`${urls[1]}/v1/jobs/${sub.id}?wait=5000`)
    expect(polled).toMatchObject({ state: 'completed', done: 40 })
    const badWait = await fetch(`${urls[0]}/v1/jobs/${sub.id}?wait=soon`)
    expect(badWait.status).toBe(400)
    expect(await badWait.text()).toMatch(/wait/)
    const event = await completed(sub.id)
    abort.abort()
    expect(event.data).toMatchObject({ id: sub.id, state: 'completed' })

    const viaHttp = await getJson(`${urls[0]}/v1/jobs/${sub.id}`)
    const viaCli = await meshnode(['job', sub.id, '--json', '--data-dir', dataDirs[0]!])
    expect(viaCli.code, viaCli.stderr).toBe(0)
    expect(viaHttp).toEqual(JSON.parse(viaCli.stdout))
    expect(viaHttp).toMatchObject({ state: 'completed', total: 40, done: 40, name: 'http-e2e' })

    const page = await getJson(`${urls[2]}/v1/jobs/${sub.id}/results?limit=25`)
    expect(page.results).toHaveLength(25)
    expect(page.next).toBeDefined()
    const rest = await getJson(`${urls[2]}/v1/jobs/${sub.id}/results?after=${encodeURIComponent(page.next)}`)
    expect(rest.results).toHaveLength(15)

    const listed = await getJson(`${urls[2]}/v1/jobs?state=completed&home=${sub.home}`)
    expect(listed.jobs.map((j: { id: string }) => j.id)).toContain(sub.id)
  })

  it('refuses writes without a token or with a bad one, and says how to get one', async () => {
    const anon = await fetch(`${urls[0]}/v1/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"type":"echo"}' })
    expect(anon.status).toBe(403)
    expect(((await anon.json()) as { error: { message: string } }).error.message).toMatch(/meshnode token/)
    const bad = await fetch(`${urls[0]}/v1/config`, { headers: { authorization: 'Bearer mn1.e30.AAAA' } })
    expect(bad.status).toBe(401)
    const badBody = await fetch(`${urls[0]}/v1/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"type":' })
    expect(badBody.status).toBe(400)
  })
})
