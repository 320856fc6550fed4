// Chaos tier: a 4th host on the same bridge as a 3-host mesh (netns.ts), not a member of it.
// Without the mesh key it cannot reach any node; with the key but no grant it tries every
// protocol against every node (scripts/probe-access, run inside its namespace) and nothing on
// the mesh changes: same leader and term, same config, no job, no task run, and every
// refusal counted. Needs root and iproute2; skipped elsewhere.
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ProbeReport } from '../../scripts/probe-access.js'
import type { StatusJson } from '../../src/node/client/status-json.js'
import { ROOT } from '../e2e/helpers.js'
import { addrOf, canUseNetns, cleanup, startMesh, type NetnsMesh } from './netns.js'

const NODES = [1, 2, 3]
const STRANGER = 4
const PROBE = join(ROOT, 'dist', 'scripts', 'probe-access.js')

describe.skipIf(!canUseNetns())('a stranger host on the mesh\'s network', () => {
  let mesh: NetnsMesh

  const statuses = async (): Promise<StatusJson[]> => {
    const all = await Promise.all(NODES.map(async i => await mesh.status(i)))
    all.forEach((s, k) => { if (s == null) throw new Error(`h${k + 1} does not answer its own CLI`) })
    return all as StatusJson[]
  }
  const json = async (i: number, args: string[]): Promise<unknown> => {
    const r = await mesh.meshnode(i, [...args, '--json', '--data-dir', mesh.nodeDir(i)])
    expect(r.code, r.stderr).toBe(0)
    return JSON.parse(r.stdout)
  }
  const probe = async (i: number, args: string[]): Promise<ProbeReport> => {
    const r = await mesh.node(STRANGER, PROBE, [addrOf(i), ...args], 30_000)
    expect(r.code, r.stderr).toBe(0)
    return JSON.parse(r.stdout)
  }

  beforeAll(async () => {
    mesh = await startMesh({ nodes: NODES.length, spare: 1 })
  }, 90_000)

  afterAll(() => {
    mesh?.stop()
    cleanup()
  })

  it('cannot reach any node without the mesh key', async () => {
    for (const i of NODES) {
      const r = await mesh.meshnode(STRANGER, ['status', '--peer', addrOf(i), '--timeout-ms', '3000'])
      // 7: no node answered (the CLI exit-code table in the README).
      expect(r.code, `status of h${i} from the stranger`).toBe(7)
      expect(r.stderr).toMatch(/requires a mesh key/)
      const report = await probe(i, [])
      expect(report.connected).toBe(false)
      expect(report.attempts.every(a => a.outcome === 'unreachable')).toBe(true)
    }
  })

  it('with the key but no grant, is refused on every protocol by every node, and nothing on the mesh changes', async () => {
    const before = await statuses()
    const config = await json(1, ['config', 'list'])
    const jobs = await json(1, ['jobs'])

    for (const i of NODES) {
      const report = await probe(i, ['--mesh-key', mesh.meshKey])
      expect(report.connected, `h${i}: ${report.connectError}`).toBe(true)
      expect(report.node).toBe(before[i - 1]!.peerId)
      expect(report.notRefused, `h${i}`).toEqual([])
    }

    const after = await statuses()
    for (const k of NODES.map(i => i - 1)) {
      const [b, a] = [before[k]!, after[k]!]
      expect(a.term, a.name).toBe(b.term)
      expect(a.leader, a.name).toBe(b.leader)
      expect(a.counters.work_tasks_run_total, a.name).toBe(0)
      // 2 internal requests, 2 raft streams and 3 work streams per node; 8 admin commands.
      expect(a.counters.strangers_refused_total, a.name).toBeGreaterThanOrEqual((b.counters.strangers_refused_total ?? 0) + 7)
      expect(a.counters.admin_forbidden_total, a.name).toBeGreaterThanOrEqual((b.counters.admin_forbidden_total ?? 0) + 8)
    }
    for (const i of NODES) {
      expect(await json(i, ['config', 'list']), `config on h${i}`).toEqual(config)
      expect(await json(i, ['jobs']), `jobs on h${i}`).toEqual(jobs)
      expect(await json(i, ['operator', 'list']), `grants on h${i}`).toEqual([])
    }
    expect(jobs).toEqual({ jobs: [] })
  })
})
