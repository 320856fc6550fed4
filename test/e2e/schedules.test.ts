// Schedules on real processes (issue 13, item 5): a schedule fires once per occurrence across
// a leader kill. Three nodes; a schedule every second with `misfire: all`; SIGKILL the leader
// after a few occurrences; a new leader carries on (and fires what was missed during the
// election); pause it; then the registry holds exactly one job per occurrence — no
// occurrence twice (job ids encode it), none missing — and every one of them completes. Also:
// a bad cron expression is refused at submit with exit 2 and nothing is written.
//
// Ports 21100–21102; run with `flock /tmp/meshnode-e2e.lock npx vitest run test/e2e/schedules.test.ts`.
import { afterAll, describe, expect, it } from 'vitest'
import { agreedLeader, loadState, waitUntil } from '../../scripts/cluster-lib.js'
import { jobIdTime } from '../../src/work/spec.js'
import { scheduleJobId } from '../../src/workflow/schedule.js'
import { cluster, meshnode, tempDir } from './helpers.js'

interface Listed { id: string, state: string, home: string, name?: string }
interface Sched { name: string, fired: number, lastFiredAt: number | null, pending: number, paused: boolean, nextAt: number | null }

describe('a schedule fires once per occurrence across a leader kill', () => {
  const dir = tempDir('schedules')
  afterAll(async () => {
    // A failure keeps the nodes' logs for the post-mortem (../temp-dir.ts).
    await cluster(dir, ['down']).catch(() => {})
  })

  async function schedules (dataDir: string): Promise<Sched[]> {
    const r = await meshnode(['schedule', 'list', '--json', '--data-dir', dataDir])
    expect(r.code, r.stderr).toBe(0)
    return JSON.parse(r.stdout).schedules as Sched[]
  }

  async function scheduledJobs (dataDir: string): Promise<Listed[]> {
    const r = await meshnode(['jobs', '--all', '--limit', '10000', '--json', '--data-dir', dataDir])
    expect(r.code, r.stderr).toBe(0)
    // The registry names no job's schedule, but its id does (the same 8 characters after the time).
    const tail = scheduleJobId('tick', 0).slice(9)
    return (JSON.parse(r.stdout).jobs as Listed[]).filter(j => j.id.endsWith(tail))
  }

  it('refuses a bad cron expression at submit: exit 2, a clear message, nothing written', async () => {
    await cluster(dir, ['up', '3', '--base-port', '21100'])
    await agreedLeader(dir, { nodes: 3, allAlive: true })
    const node = loadState(dir).nodes[0]!
    const bad = await meshnode(['schedule', 'add', 'bad', '--cron', '61 * * * *', 'echo', '{}', '--data-dir', node.dataDir])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/invalid cron expression "61 \* \* \* \*".*expected 5 fields/)
    const zone = await meshnode(['schedule', 'add', 'bad', '--cron', '0 9 * * *', '--tz', 'Mars/Olympus', 'echo', '{}', '--data-dir', node.dataDir])
    expect(zone.code).toBe(2)
    expect(zone.stderr).toMatch(/unknown time zone/)
    const missing = await meshnode(['schedule', 'remove', 'nosuch', '--data-dir', node.dataDir])
    expect(missing.code).toBe(6)
    expect(await schedules(node.dataDir)).toEqual([])
  }, 120_000)

  it('SIGKILL the leader between occurrences: one job per occurrence, no gap, each completes', async () => {
    const nodes = loadState(dir).nodes
    const add = await meshnode(['schedule', 'add', 'tick', '--cron', '* * * * * *', '--misfire', 'all', 'echo', '{"hi":1}', '--data-dir', nodes[0]!.dataDir])
    expect(add.code, add.stderr).toBe(0)
    await waitUntil(async () => (await schedules(nodes[0]!.dataDir))[0]!.fired >= 3, 30_000, 'three occurrences fired', 250)
    const old = await agreedLeader(dir)
    await cluster(dir, ['kill', String(old.entry.index)])
    const next = await agreedLeader(dir)
    expect(next.status!.peerId).not.toBe(old.status!.peerId)
    const survivor = nodes.find(n => n.index !== old.entry.index)!
    const firedAtKill = (await schedules(survivor.dataDir))[0]!.fired
    await waitUntil(async () => (await schedules(survivor.dataDir))[0]!.fired >= firedAtKill + 4, 60_000, 'four more occurrences under the new leader', 250)
    // Paused, it fires no more: what it fired is final.
    const pause = await meshnode(['schedule', 'pause', 'tick', '--data-dir', survivor.dataDir])
    expect(pause.code, pause.stderr).toBe(0)
    const [final] = await schedules(survivor.dataDir)
    expect(final).toMatchObject({ paused: true, nextAt: null })

    // Every occurrence fired is registered (a home killed before registering one has it
    // taken over by the leader once its death commits), once, and runs to completion.
    let jobs: Listed[] = []
    await waitUntil(async () => {
      jobs = await scheduledJobs(survivor.dataDir)
      return jobs.length >= final!.fired && jobs.every(j => j.state === 'completed')
    }, 60_000, `all ${final!.fired} scheduled jobs to be registered and complete`, 500)
    const times = jobs.map(j => jobIdTime(j.id)).sort((a, b) => a - b)
    expect(times).toHaveLength(final!.fired)
    expect(new Set(times).size, JSON.stringify(jobs)).toBe(times.length)
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!, `gap after ${new Date(times[i - 1]!).toISOString()}`).toBe(1000)
    expect(times.at(-1)).toBe(final!.lastFiredAt)
    expect(times.length).toBeGreaterThanOrEqual(firedAtKill + 4)
    expect(await schedules(survivor.dataDir)).toMatchObject([{ pending: 0 }])

    const rm = await meshnode(['schedule', 'remove', 'tick', '--data-dir', survivor.dataDir])
    expect(rm.code, rm.stderr).toBe(0)
    expect(await schedules(survivor.dataDir)).toEqual([])
  }, 180_000)
})
