// The incident log (issue 11, item 3), on real processes: `scripts/cluster up 3`, a fanout at
// node 1 that node 3 steals from, and a job homed at node 3; node 3 is SIGKILLed and never
// restarted. On a survivor, `meshnode incidents --json` shows ONE incident for that death, with
// the reclaims (its lent work run again) and the re-home of its job grouped in it, cause crash
// or unknown; `meshnode incident ID` prints a summary that names node 3 and what was re-run.
// The record survives the survivor's restart. Then, on a second cluster, the cause tags on real
// processes: a SIGSTOPped node resumed is a `pause`, a SIGKILLed node restarted a `crash`.
//
// Ports 21000–21060; run with `flock /tmp/meshnode-e2e.lock npx vitest run test/e2e/incidents.test.ts`.
import { afterAll, describe, expect, it } from 'vitest'
import { agreedLeader, kill, loadState, restart, statusAll, waitUntil } from '../../scripts/cluster-lib.js'
import type { Incident } from '../../src/healing/incidents.js'
import { cluster, meshnode, tempDir } from './helpers.js'

const FANOUT = { n: 300, type: 'sleep', payload: { ms: 200 } }

describe('the incident log: a node killed for good while it holds stolen work', () => {
  const dir = tempDir('incidents3')
  afterAll(async () => {
    await cluster(dir, ['down']).catch(() => {})
  })

  async function incidents (dataDir: string, mesh = false): Promise<Incident[]> {
    const r = await meshnode(['incidents', '--json', '--data-dir', dataDir, ...(mesh ? ['--mesh'] : [])])
    if (r.code !== 0) throw new Error(r.stderr)
    return (JSON.parse(r.stdout) as { incidents: Incident[] }).incidents
  }

  it('records one incident for the death, with its reclaims and re-homes grouped, and a summary naming the node and what was re-run', async () => {
    await cluster(dir, ['up', '3', '--base-port', '21000', '--http-base-port', '21050', '--', '--concurrency', '2'])
    const [node1, node2, node3] = loadState(dir).nodes as [ReturnType<typeof loadState>['nodes'][number], ReturnType<typeof loadState>['nodes'][number], ReturnType<typeof loadState>['nodes'][number]]
    const victimId = (await statusAll(dir)).find(n => n.entry.index === 3)!.status!.peerId

    const a = await meshnode(['submit', 'fanout', JSON.stringify(FANOUT), '--json', '--data-dir', node1.dataDir])
    expect(a.code, a.stderr).toBe(0)
    // A job homed at node 3: its death moves the job to a survivor (a re-home).
    const b = await meshnode(['submit', 'sleep', JSON.stringify({ ms: 20_000 }), '--json', '--data-dir', node3.dataDir])
    expect(b.code, b.stderr).toBe(0)
    const homedAt3 = JSON.parse(b.stdout).id as string
    // Node 3 must hold stolen work when it dies (its own job's one task aside), or node 1 has
    // nothing lent to it to reclaim: having run stolen tasks is not enough, they may all be
    // done and signalled by the kill (a CI run found exactly that).
    await waitUntil(async () => {
      const s = (await statusAll(dir)).find(n => n.entry.index === 3)?.status
      const c = s?.counters ?? {}
      return Number(c.work_tasks_stolen_total ?? 0) > 0 && (Number(c.work_running ?? 0) >= 2 || Number(c.work_queued ?? 0) > 0)
    }, 30_000, 'node 3 to hold stolen tasks', 50)
    await cluster(dir, ['kill', '3'])

    let mine: Incident[] = []
    await waitUntil(async () => {
      mine = (await incidents(node1.dataDir)).filter(r => r.facts.peer === victimId)
      return mine.length > 0 && mine[0]!.timeline.some(t => t.type === 'work.reclaimed') && mine[0]!.jobs.includes(homedAt3)
    }, 90_000, 'node 1 to record the death with its reclaim and the re-home', 500)
    expect(mine).toHaveLength(1)
    const r = mine[0]!
    expect(r.kind).toBe('death')
    expect(r.id).toBe(`dead-${victimId.slice(-8)}-${r.facts.incarnation}`)
    expect(['crash', 'unknown']).toContain(r.cause)
    expect(r.state).toBe('open')
    const types = r.timeline.map(t => t.type)
    expect(types.filter(t => t === 'node.dead')).toHaveLength(1)
    expect(types).toContain('work.reclaimed')
    expect(types).toContain('job.rehomed')
    expect(r.nodes).toContain(victimId)

    // Merged from every live member: still one incident for the death.
    const merged = (await incidents(node2.dataDir, true)).filter(x => x.facts.peer === victimId)
    expect(merged.map(x => x.id)).toEqual([r.id])

    const shown = await meshnode(['incident', r.id, '--data-dir', node2.dataDir])
    expect(shown.code, shown.stderr).toBe(0)
    expect(shown.stdout).toContain('node-3 was declared dead at')
    expect(shown.stdout).toMatch(/re-ran \d+ tasks? it held/)
    expect(shown.stdout).toContain('node-3 has not come back')
    expect(shown.stdout).toContain(`job ${homedAt3} re-homed from node-3`)

    const missing = await meshnode(['incident', 'dead-nosuchid-1', '--data-dir', node1.dataDir])
    expect(missing.code).toBe(6)

    // The HTTP API serves the same records (node 2 serves HTTP on 21051).
    const res = await fetch(`http://127.0.0.1:${node2.httpPort!}/v1/incidents/${r.id}`)
    expect(res.status).toBe(200)
    const body = await res.json() as Incident
    expect(body.id).toBe(r.id)
    expect(body.summary).toContain('node-3')

    // Kept in LevelDB: node 1 restarted still has it.
    await cluster(dir, ['kill', '1'])
    await cluster(dir, ['restart', '1'])
    await waitUntil(async () => (await incidents(node1.dataDir).catch(() => [])).some(x => x.id === r.id), 30_000, 'node 1 to answer after its restart', 250)
    const again = (await incidents(node1.dataDir)).filter(x => x.facts.peer === victimId)
    expect(again).toHaveLength(1)
    expect(again[0]!.timeline.filter(t => t.type === 'node.dead')).toHaveLength(1)
  }, 240_000)
})

describe('the incident log: cause tags on real processes', () => {
  const dir = tempDir('incidents-causes')
  afterAll(async () => {
    await cluster(dir, ['down']).catch(() => {})
  })

  async function incidentOf (dataDir: string, peerId: string): Promise<Incident | undefined> {
    const r = await meshnode(['incidents', '--json', '--data-dir', dataDir])
    if (r.code !== 0) return undefined
    return (JSON.parse(r.stdout) as { incidents: Incident[] }).incidents.find(x => x.facts.peer === peerId)
  }

  it('tags a node paused and resumed as a pause, and a node killed and restarted as a crash, once each is back', async () => {
    await cluster(dir, ['up', '3', '--base-port', '21010', '--http-base-port', '21060'])
    // `up` returns once the nodes see each other; a node paused before the Raft cluster has
    // formed leaves the other two without a quorum to declare it dead.
    await agreedLeader(dir, { nodes: 3 })
    const all = await statusAll(dir)
    const id = (i: number): string => all.find(n => n.entry.index === i)!.status!.peerId
    const node1 = loadState(dir).nodes[0]!
    const node3 = loadState(dir).nodes[2]!

    process.kill(node3.pid, 'SIGSTOP')
    await waitUntil(async () => (await incidentOf(node1.dataDir, id(3))) != null, 30_000, 'the death of the paused node 3', 250)
    process.kill(node3.pid, 'SIGCONT')
    let paused: Incident | undefined
    await waitUntil(async () => {
      paused = await incidentOf(node1.dataDir, id(3))
      return paused?.state === 'resolved' && paused.cause !== 'unknown'
    }, 30_000, 'node 3 back, its incident resolved', 250)
    expect(paused!.cause).toBe('pause')
    expect(paused!.summary).toContain('in the same process')

    await kill(2, 'SIGKILL', dir)
    await waitUntil(async () => (await incidentOf(node1.dataDir, id(2))) != null, 30_000, 'the death of the killed node 2', 250)
    await restart(2, dir)
    let crashed: Incident | undefined
    await waitUntil(async () => {
      crashed = await incidentOf(node1.dataDir, id(2))
      return crashed?.state === 'resolved' && crashed.cause !== 'unknown'
    }, 30_000, 'node 2 back, its incident resolved', 250)
    expect(crashed!.cause).toBe('crash')
    expect(crashed!.summary).toContain('after a restart')
  }, 150_000)
})
