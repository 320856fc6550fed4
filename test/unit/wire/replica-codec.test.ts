// A replicate message leaves out what it already says (the sender is the home; a root task's
// job id, home and i-th root id are implied) and a holder fills it back in: the definition it
// stores is the one the home sent, and a full-form replica (a node before stop 25) reads the same.
// Since stop 26 the definitions travel sealed: the holder stores the bytes as they came and
// decodes and checks a job's only when it is re-homed there (openReplicaSet).
import { describe, expect, it } from 'vitest'
import { ReplicaSet, WorkFrame, type JobReplicaSpec } from '../../../src/wire/proto/work.js'
import { decodeWorkMsg, encodeWorkMsg, fromReplica, openReplicaSet, readReplicaSet, toReplica, toSpec, workRequest } from '../../../src/wire/work-codec.js'
import { JOB_LIMITS } from '../../../src/work/limits.js'
import { packReplicaSet, replicaSetIds, sealedReplicaSet } from '../../../src/work/core/replicas.js'
import type { JobReplica } from '../../../src/work/records.js'
import type { WorkMsg } from '../../../src/work/messages.js'

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

function received (jobs: JobReplica[], from = HOME): WorkMsg {
  const bytes = WorkFrame.encode({ id: 1n, request: encodeWorkMsg({ op: 'replicate', jobs }) })
  return decodeWorkMsg(WorkFrame.decode(bytes).request!, from)
}

/** What a holder stores (a JSON value, as the store writes it). */
function stored (msg: WorkMsg, from = HOME): unknown {
  if (msg.op !== 'replicate' || msg.sealed == null) throw new Error(`not a sealed replicate message: ${JSON.stringify(msg)}`)
  return JSON.parse(JSON.stringify(sealedReplicaSet(from, msg.sealed)))
}

/** Sent, stored by a holder, and each job read back as a re-home would read it. */
function viaWire (jobs: JobReplica[], from = HOME): { jobs: JobReplica[], unreadable: number } {
  const msg = received(jobs, from)
  const value = stored(msg, from)
  const read = replicaSetIds(value).map(openReplicaSet(value))
  return { jobs: read.filter(j => j != null), unreadable: read.filter(j => j == null).length }
}

describe('replica wire form', () => {
  it('round-trips one-task jobs, named, delayed and multi-root ones exactly', () => {
    const multi: JobReplica = { ...job(9), name: 'nightly', keepMs: 5000 }
    multi.tasks = [0, 1, 2].map(k => ({ ...multi.tasks[0]!, id: `${multi.id}/${k}`, priority: k, notBefore: 1_795_000_100_000 }))
    const jobs = [job(1), job(2, { payload: '{"x":1}', requires: [], timeoutMs: 0 }), multi]
    const got = viaWire(jobs)
    expect(got.unreadable).toBe(0)
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
    expect(viaWire([j], OTHER).jobs[0]?.home).toBe(OTHER)
    expect(viaWire([j], OTHER).jobs[0]?.tasks[0]?.home).toBe(OTHER)
  })
})

describe('sealed replica sets', () => {
  it('the holder keeps the bytes unread: ids beside them, nothing decoded', () => {
    const jobs = [job(1), job(2), job(3)]
    const msg = received(jobs)
    expect(msg).toMatchObject({ op: 'replicate', jobs: [], sealed: { ids: jobs.map(j => j.id) } })
    expect(replicaSetIds(stored(msg))).toEqual(jobs.map(j => j.id))
    // One job out of the set, and one the set does not name.
    expect(readReplicaSet(stored(msg), job(2).id)).toEqual(job(2))
    expect(readReplicaSet(stored(msg), job(7).id)).toBeUndefined()
  })

  it('a malformed definition is stored, and reads as no replica when its job is re-homed', () => {
    const bad = { ...toReplica(job(1)), tasks: [{ ...toSpec(job(1).tasks[0]!), payload: new TextEncoder().encode('{not json') }] }
    const good = toReplica(job(2))
    const req = workRequest('replicate', { sealedReplicas: ReplicaSet.encode({ replicas: [bad, good] }), replicaIds: [job(1).id, job(2).id] })
    const msg = decodeWorkMsg(WorkFrame.decode(WorkFrame.encode({ id: 1n, request: req })).request!, HOME)
    const value = stored(msg)
    expect(readReplicaSet(value, job(1).id)).toBeUndefined()
    expect(readReplicaSet(value, job(2).id)).toEqual(job(2))
    // Bytes that are not a ReplicaSet at all: every job reads as none, nothing throws.
    const garbage = { ...(value as object), sealed: Buffer.from([0xff, 0xff, 0xff, 0x0f]).toString('base64') }
    expect(readReplicaSet(garbage, job(2).id)).toBeUndefined()
    // A job the ids do not name is not read out of the bytes either.
    const unnamed = { ...(value as object), ids: [job(1).id] }
    expect(readReplicaSet(unnamed, job(2).id)).toBeUndefined()
  })

  it('refuses a sealed message without ids or bytes, with an empty or oversized id, or too many ids', () => {
    const body = ReplicaSet.encode({ replicas: [toReplica(job(1))] })
    const refused = (fields: Parameters<typeof workRequest>[1]): WorkMsg => decodeWorkMsg(workRequest('replicate', fields), HOME)
    expect(refused({ sealedReplicas: body })).toMatchObject({ jobs: [], rejected: 1 })
    expect(refused({ replicaIds: [job(1).id] })).toMatchObject({ jobs: [], rejected: 1 })
    expect(refused({ sealedReplicas: body, replicaIds: [''] })).toMatchObject({ jobs: [], rejected: 1 })
    expect(refused({ sealedReplicas: body, replicaIds: ['x'.repeat(300)] })).toMatchObject({ jobs: [], rejected: 1 })
    const many = Array.from({ length: JOB_LIMITS.jobsPerSubmit + 1 }, (_, i) => `j${i}`)
    expect(refused({ sealedReplicas: body, replicaIds: many })).toMatchObject({ jobs: [], rejected: many.length })
    for (const m of [refused({ sealedReplicas: body }), refused({ sealedReplicas: body, replicaIds: [''] })]) expect((m as { sealed?: unknown }).sealed).toBeUndefined()
  })

  it('a replicate message of a node before stop 26 (decoded definitions) is still read', () => {
    const jobs = [job(1), job(2)]
    const msg = decodeWorkMsg(workRequest('replicate', { replicas: jobs.map(toReplica) }), HOME)
    expect(msg).toMatchObject({ op: 'replicate', jobs })
    expect((msg as { sealed?: unknown }).sealed).toBeUndefined()
    // And a set stored by stop 25 (packed) reads through the same function.
    const packed = JSON.parse(JSON.stringify(packReplicaSet(HOME, jobs)))
    expect(readReplicaSet(packed, job(2).id)).toEqual(job(2))
    expect(replicaSetIds(packed)).toEqual(jobs.map(j => j.id))
  })
})
