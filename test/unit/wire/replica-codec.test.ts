// A replicate message leaves out what it already says (the sender is the home; a root task's
// job id, home and i-th root id are implied) and a holder fills it back in: the definition it
// stores is the one the home sent, and a full-form replica (a node before stop 25) reads the same.
// Since stop 26 the definitions travel sealed: the holder stores the bytes as they came and
// decodes and checks a job's only when it is re-homed there (openReplicaSet).
import { describe, expect, it } from 'vitest'
import { ReplicaSet, WorkFrame, type JobReplicaSpec } from '../../../src/wire/proto/work.js'
import { deflateRawSync } from 'node:zlib'
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
    const full: JobReplicaSpec = { jobId: job(1).id, name: '', home: HOME, createdAtMs: BigInt(job(1).createdAt), tasks: job(1).tasks.map(toSpec), payloads: [] }
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
    const full: JobReplicaSpec = { jobId: j.id, name: '', home: HOME, createdAtMs: BigInt(j.createdAt), tasks: j.tasks.map(toSpec), payloads: [] }
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

/** A job of `n` roots that differ only in their payloads (the usual wide job). */
function wide (n: number, i = 20): JobReplica {
  const j = job(i)
  j.tasks = Array.from({ length: n }, (_, k) => ({ ...j.tasks[0]!, id: `${j.id}/${k}`, type: 'sleep', requires: ['handler:sleep'], timeoutMs: 0, payload: `{"ms":${k % 7}}` }))
  return j
}

/** The form a home before stop 49 sent: every root a TaskSpec, the set not deflated. */
function oldFormSet (jobs: JobReplica[]): unknown {
  const full = jobs.map(j => ({ ...toReplica(j), tasks: j.tasks.map((t, k) => ({ ...toSpec(t), id: k === 0 ? t.id : '', jobId: '', home: '' })), payloads: [] }))
  delete (full[0] as Partial<JobReplicaSpec>).shared
  for (const f of full) delete (f as Partial<JobReplicaSpec>).shared
  const req = workRequest('replicate', { sealedReplicas: ReplicaSet.encode({ replicas: full }), replicaIds: jobs.map(j => j.id) })
  return stored(decodeWorkMsg(WorkFrame.decode(WorkFrame.encode({ id: 1n, request: req })).request!, HOME))
}

describe('compact, deflated replica sets (stop 49)', () => {
  it('a wide job travels as its shared fields once and a payload a root, and reads back exactly', () => {
    const j = wide(500)
    const spec = toReplica(j)
    expect(spec.tasks).toEqual([])
    expect(spec.shared).toMatchObject({ id: '', jobId: '', home: '', type: 'sleep', payload: new Uint8Array(0) })
    expect(spec.payloads).toEqual(j.tasks.map(t => t.payload))
    const got = viaWire([j, job(1)])
    expect(got.unreadable).toBe(0)
    expect(got.jobs).toEqual([j, job(1)])
    // Named, kept, delayed (every root the same notBefore), with requirements and limits of its own.
    const w = wide(50, 22)
    const delayed: JobReplica = { ...w, name: 'batch', keepMs: 9000, tasks: w.tasks.map(t => ({ ...t, notBefore: 1_795_000_100_000, requires: ['handler:sleep', 'gpu'], maxAttempts: 5, timeoutMs: 1234, priority: -2 })) }
    expect(toReplica(delayed).shared).toBeDefined()
    expect(viaWire([delayed]).jobs).toEqual([delayed])
  })

  it('a job re-homed from a compact replica equals one re-homed from the old form', () => {
    const jobs = [wide(300), job(2), wide(40, 21)]
    const old = oldFormSet(jobs)
    expect((old as { deflated?: boolean }).deflated).toBeUndefined()
    const now = JSON.parse(JSON.stringify(sealedReplicaSet(HOME, (received(jobs) as { sealed: NonNullable<Extract<WorkMsg, { op: 'replicate' }>['sealed']> }).sealed)))
    expect(now.deflated).toBe(true)
    for (const j of jobs) {
      expect(readReplicaSet(now, j.id)).toEqual(j)
      expect(readReplicaSet(now, j.id)).toEqual(readReplicaSet(old, j.id))
    }
  })

  it('roots that differ in anything but their payload travel in full, as before', () => {
    const base = wide(4)
    const variants: Array<(t: JobReplica['tasks'][number], k: number) => JobReplica['tasks'][number]> = [
      (t, k) => ({ ...t, priority: k }),
      (t, k) => k === 2 ? { ...t, type: 'echo', requires: ['handler:echo'] } : t,
      (t, k) => k === 1 ? { ...t, requires: ['handler:sleep', 'gpu'] } : t,
      (t, k) => k === 3 ? { ...t, notBefore: 1_795_000_100_000 } : t,
      (t, k) => k === 1 ? { ...t, id: `${base.id}/1@2` } : t,
      (t, k) => k === 0 ? { ...t, maxAttempts: 1 } : t,
      (t, k) => k === 2 ? { ...t, failures: [{ node: OTHER, attempt: 1, error: 'boom', at: 1_795_000_000_500 }] } : t
    ]
    for (const v of variants) {
      const j = { ...base, tasks: base.tasks.map(v) }
      const spec = toReplica(j)
      expect(spec.shared).toBeUndefined()
      expect(spec.tasks).toHaveLength(4)
      expect(viaWire([j]).jobs).toEqual([j])
    }
  })

  it('a wide job\'s set is a few KB on the wire instead of hundreds', () => {
    const j = wide(10_000)
    const bytes = WorkFrame.encode({ id: 1n, request: encodeWorkMsg({ op: 'replicate', jobs: [j] }) }).byteLength
    expect(bytes).toBeLessThan(10_000)
    const old = JSON.stringify(oldFormSet([j])).length
    expect(old).toBeGreaterThan(100 * bytes)
  })

  it('drops a compact replica with tasks beside it, another home, or a malformed payload', () => {
    const j = wide(3)
    const spec = toReplica(j)
    expect(fromReplica(spec, HOME)).toEqual(j)
    expect(fromReplica({ ...spec, tasks: [toSpec(j.tasks[0]!)] }, HOME)).toBeUndefined()
    expect(fromReplica({ ...spec, shared: { ...spec.shared!, home: OTHER } }, HOME)).toBeUndefined()
    expect(fromReplica({ ...spec, payloads: ['{"ms":1}', '{not json', 'null'] }, HOME)).toBeUndefined()
    expect(fromReplica({ ...spec, payloads: [] }, HOME)).toBeUndefined()
  })

  it('refuses a message with both bodies; reads garbage or an oversized inflation as no replica, without throwing', () => {
    const body = ReplicaSet.encode({ replicas: [toReplica(job(1))] })
    expect(decodeWorkMsg(workRequest('replicate', { sealedReplicas: body, packedReplicas: deflateRawSync(body), replicaIds: [job(1).id] }), HOME)).toMatchObject({ jobs: [], rejected: 1 })
    const ok = decodeWorkMsg(workRequest('replicate', { packedReplicas: deflateRawSync(body), replicaIds: [job(1).id] }), HOME)
    expect(readReplicaSet(stored(ok), job(1).id)).toEqual(job(1))
    const garbage = { ...(stored(ok) as object), sealed: Buffer.from([0xff, 0xff, 0xff, 0x0f]).toString('base64') }
    expect(readReplicaSet(garbage, job(1).id)).toBeUndefined()
    // More than four work frames once inflated (a ReplicaSet of one huge field: far above any submit).
    const bomb = deflateRawSync(Buffer.concat([Buffer.from([0x0a]), Buffer.from([0x80, 0x80, 0x80, 0x28]), Buffer.alloc(80 * 1024 * 1024)]), { level: 1 })
    expect(readReplicaSet({ ...(stored(ok) as object), sealed: bomb.toString('base64') }, job(1).id)).toBeUndefined()
  })
})
