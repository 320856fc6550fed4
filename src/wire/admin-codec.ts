// The admin answer as it goes on the wire. A submit's answer names the home of each of its
// jobs, and a node is the home of every job it is asked to submit: 1 000 one-task jobs in one
// request repeated the home's 52-character peer id 1 000 times. Encoding those strings was
// about half of the answer's cost on a busy home, and decoding them the same in the client
// (BENCHMARKS.md, issue 14, stop 48). So the answer says the home once (JobsSubmitted.home)
// and leaves it out of each job that has it; decode puts it back, so both ends see every
// job's home as before. A client older than this reads those homes as empty.
import type { Codec } from './calls.js'
import { AdminResponse, type JobsSubmitted } from './proto/admin.js'

/** A submit answer with the home said once and left out of each job that has it. */
function compact (s: JobsSubmitted): JobsSubmitted {
  const home = s.home !== '' ? s.home : s.jobs[0]?.home ?? ''
  if (home === '') return s
  return { home, jobs: s.jobs.map(j => j.home === home ? { id: j.id, home: '', tasks: j.tasks } : j) }
}

export const AdminResponseWire: Codec<AdminResponse> = {
  encode (res: AdminResponse): Uint8Array {
    const s = res.jobsSubmit
    if (s == null) return AdminResponse.encode(res)
    // One job: its own home says it; the answer's would only say it again.
    if (s.jobs.length < 2) return AdminResponse.encode(s.home === '' ? res : { ...res, jobsSubmit: { jobs: s.jobs, home: '' } })
    return AdminResponse.encode({ ...res, jobsSubmit: compact(s) })
  },
  decode (bytes: Uint8Array): AdminResponse {
    const res = AdminResponse.decode(bytes)
    const s = res.jobsSubmit
    if (s != null && s.home !== '') for (const j of s.jobs) if (j.home === '') j.home = s.home
    return res
  }
}
