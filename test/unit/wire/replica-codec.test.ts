// A replicate message leaves out what it already says (the sender is the home; a root task's
// job id, home and i-th root id are implied) and a holder fills it back in: the definition it
// stores is the one the home sent, and a full-form replica (a node before stop 25) reads the same.
import { describe, expect, it } from 'vitest'
import { WorkFrame, type JobReplicaSpec } from '../../../src/wire/proto/work.js'
import { decodeWorkMsg, encodeWorkMsg, fromReplica, toReplica, toSpec } from '../../../src/wire/work-codec.js'
import type { JobReplica } from '../../../src/work/records.js'

const HOME = '12D3KooWALaxZrHPd73Rm2exampleHomeNode'
const OTHER = '12D3KooWBvq1exampleOtherNodeOfTheMesh'

function job (i: number, extra: Partial<JobReplica['tasks'][number]> = {}): JobReplica {
  return {
    id: `0mx2g0jf8-371418bb${String(i).padStart(4, '0')}`,
    home: HOME,
    createdAt: 1_795_000_000_000 + i,
    tasks: [{ id: `0mx2g0jf8-371418bb${String(i).padStart(4, '0')}/0`, jobId: `0mx2g0jf8-371418bb${String(i).padStart(4, '0')}`, type: 'echo', payload: 'null', requires: ['handler:echo'], maxAttempts: 3, attempts: 0, timeoutMs: 60_000, priority: 0, home: HOME, ...extra }]
  }
}

function viaWire (jobs: JobReplica[], from = HOME): { op: string, jobs?: JobReplica[], rejected?: number } {
  const bytes = WorkFrame.encode({ id: 1n, request: encodeWorkMsg({ op: 'replicate', jobs }) })
  return decodeWorkMsg(WorkFrame.decode(bytes).request!, from) as any
}

describe('replica wire form', () => {
  it('round-trips one-task jobs, named, delayed and multi-root ones exactly', () => {
    const multi: JobReplica = { ...job(9), name: 'nightly', keepMs: 5000 }
    multi.tasks = [0, 1, 2].map(k => ({ ...multi.tasks[0]!, id: `${multi.id}/${k}`, priority: k, notBefore: 1_795_000_100_000 }))
    const jobs = [job(1), job(2, { payload: '{"x":1}', requires: [], timeoutMs: 0 }), multi]
    const got = viaWire(jobs)
    expect(got.rejected).toBeUndefined()
    expect(got.jobs).toEqual(jobs)
  })

  it('leaves the implied fields out, so a one-task replica is about half the bytes', () => {
    const spec = toReplica(job(1))
    expect(spec.home).toBe('')
    expect(spec.tasks[0]).toMatchObject({ id: '', jobId: '', home: '' })
    const full: JobReplicaSpec = { jobId: job(1).id, name: '', home: HOME, createdAtMs: BigInt(job(1).createdAt), tasks: job(1).tasks.map(toSpec) }
    const size = (r: JobReplicaSpec): number => WorkFrame.encode({ id: 1n, request: { ...encodeWorkMsg({ op: 'replicate', jobs: [] }), replicas: [r] } }).byteLength
    expect(size(spec)).toBeLessThan(size(full) * 0.6)
  })

  it('a task id that is not the implied root id travels in full', () => {
    const odd = job(3, { id: `${job(3).id}/0@2` })
    expect(toReplica(odd).tasks[0]!.id).toBe(`${odd.id}/0@2`)
    expect(viaWire([odd]).jobs).toEqual([odd])
  })

  it('reads a full-form replica (home and task fields named) the same', () => {
    const j = job(4)
    const full: JobReplicaSpec = { jobId: j.id, name: '', home: HOME, createdAtMs: BigInt(j.createdAt), tasks: j.tasks.map(toSpec) }
    expect(fromReplica(full, HOME)).toEqual(j)
  })

  it('drops a replica that names another home than its sender, or a task of another job or home', () => {
    const j = job(5)
    expect(fromReplica({ ...toReplica(j), home: OTHER }, HOME)).toBeUndefined()
    expect(fromReplica({ ...toReplica(j), tasks: [{ ...toSpec(j.tasks[0]!), home: OTHER }] }, HOME)).toBeUndefined()
    expect(fromReplica({ ...toReplica(j), tasks: [{ ...toSpec(j.tasks[0]!), id: 'other/0', jobId: 'other' }] }, HOME)).toBeUndefined()
    // Sent by another node, the implied home is that node: every task is homed there, never at HOME.
    expect(viaWire([j], OTHER).jobs?.[0]?.home).toBe(OTHER)
    expect(viaWire([j], OTHER).jobs?.[0]?.tasks[0]?.home).toBe(OTHER)
  })
})
