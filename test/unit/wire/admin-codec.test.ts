// The admin answer on the wire (src/wire/admin-codec.ts): a submit answer says its home once;
// both ends see every job's home as before.
import { describe, expect, it } from 'vitest'
import { AdminResponseWire } from '../../../src/wire/admin-codec.js'
import { AdminResponse } from '../../../src/wire/proto/admin.js'

const HOME = '12D3KooWHomeHomeHomeHomeHomeHomeHomeHomeHomeHomeHome1'
const OTHER = '12D3KooWOtherOtherOtherOtherOtherOtherOtherOtherOther'

function answer (jobs: Array<{ id: string, home: string, tasks: number }>, home = HOME): AdminResponse {
  return { code: '', error: '', leader: '', jobsSubmit: { home, jobs } } as unknown as AdminResponse
}

describe('AdminResponseWire', () => {
  it('says a submit answer\'s home once and gives it back to every job', () => {
    const jobs = Array.from({ length: 100 }, (_, i) => ({ id: `job-${i}`, home: HOME, tasks: 1 }))
    const bytes = AdminResponseWire.encode(answer(jobs))
    const plain = AdminResponse.encode(answer(jobs))
    // The home's 52 characters once, not 100 times.
    expect(bytes.byteLength).toBeLessThan(plain.byteLength - 99 * HOME.length)
    const back = AdminResponseWire.decode(bytes)
    expect(back.jobsSubmit?.jobs).toEqual(jobs)
    // The answer's own object is not changed by encoding it.
    expect(jobs.every(j => j.home === HOME)).toBe(true)
  })

  it('keeps a job\'s own home when it differs', () => {
    const jobs = [{ id: 'a', home: HOME, tasks: 1 }, { id: 'b', home: OTHER, tasks: 2 }, { id: 'c', home: HOME, tasks: 3 }]
    expect(AdminResponseWire.decode(AdminResponseWire.encode(answer(jobs))).jobsSubmit?.jobs).toEqual(jobs)
  })

  it('reads an answer from a node that names every job\'s home (older nodes)', () => {
    const jobs = [{ id: 'a', home: HOME, tasks: 1 }, { id: 'b', home: HOME, tasks: 1 }]
    const old = AdminResponse.encode({ ...answer(jobs), jobsSubmit: { jobs, home: '' } })
    expect(AdminResponseWire.decode(old).jobsSubmit?.jobs).toEqual(jobs)
  })

  it('is what a plain decoder reads as the home once, and empty homes in the jobs', () => {
    const jobs = [{ id: 'a', home: HOME, tasks: 1 }, { id: 'b', home: HOME, tasks: 1 }]
    const plain = AdminResponse.decode(AdminResponseWire.encode(answer(jobs)))
    expect(plain.jobsSubmit?.home).toBe(HOME)
    expect(plain.jobsSubmit?.jobs.map(j => j.home)).toEqual(['', ''])
  })

  it('leaves other answers as they are', () => {
    const res = { code: 'NOT_FOUND', error: 'no job x', leader: '' } as unknown as AdminResponse
    expect(AdminResponseWire.encode(res)).toEqual(AdminResponse.encode(res))
    const one = answer([{ id: 'a', home: HOME, tasks: 1 }])
    expect(AdminResponseWire.decode(AdminResponseWire.encode(one)).jobsSubmit?.jobs).toEqual(one.jobsSubmit?.jobs)
    // A one-job answer is the bytes it was before the answer had a home of its own.
    expect(AdminResponseWire.encode(one)).toEqual(AdminResponse.encode({ ...one, jobsSubmit: { jobs: one.jobsSubmit!.jobs, home: '' } }))
  })
})
