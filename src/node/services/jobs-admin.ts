// The job operations of /meshnode/admin/1.0.0, bodies in JSON (the `json` fields):
//
//   jobs.submit   {"jobs": [JobInput, ...]}            -> {"jobs": [{id, home, tasks}]}
//   job.get       key=ID, {"results"?: bool, "limit"?, "after"?}  -> JobView (+ running, results, next)
//   jobs.list     {"limit"?, "before"?}                -> {"jobs": [summary...], "next"?}
//   jobs.register {"jobs": [[id, JobEntry], ...]}      (node to leader: group-committed registration)
//
// Any node answers: job.get for a job homed elsewhere is forwarded to its home once.
import { peerIdFromString } from '@libp2p/peer-id'
import type { JobEntry } from '../../consensus/control.js'
import { JOB_LIMITS } from '../../wire/constants.js'
import type { AdminRequest, AdminResponse } from '../../wire/proto/admin.js'
import { WorkError } from '../../work/errors.js'
import { parseJobInput, type JobInput } from '../../work/spec.js'
import { ADMIN_CALL, type JobsAdmin } from './admin.js'
import type { ConsensusService } from './consensus.js'
import { errorMessage } from '../errors.js'
import type { Host } from '../transport/host.js'
import { callWith } from '../transport/rpc.js'
import type { WorkService } from './work.js'

const DEFAULT_LIST = 50
const MAX_LIST = 10_000

export class JobsAdminService implements JobsAdmin {
  constructor (
    private readonly host: Host,
    private readonly consensus: ConsensusService,
    private readonly work: WorkService
  ) {}

  async handle (req: AdminRequest): Promise<AdminResponse> {
    let body: any
    try {
      body = req.json === '' ? {} : JSON.parse(req.json)
    } catch (err) {
      return failure('BAD_REQUEST', `the request body is not JSON: ${errorMessage(err)}`)
    }
    try {
      switch (req.op) {
        case 'jobs.submit': return ok(await this.submit(body))
        case 'job.get': return await this.get(req, body)
        case 'jobs.list': return ok(await this.list(body))
        case 'jobs.register': {
          if (!req.forwarded) return failure('BAD_REQUEST', 'jobs.register is for nodes forwarding registrations')
          await this.work.registrar.proposeHere(body as Array<[string, JobEntry]>)
          return ok({})
        }
        default: return failure('BAD_REQUEST', `unknown admin operation "${req.op}"`)
      }
    } catch (err) {
      const code = typeof (err as any)?.code === 'string' ? (err as any).code : 'INTERNAL'
      return failure(code, errorMessage(err))
    }
  }

  private async submit (body: any): Promise<unknown> {
    const list: unknown[] = Array.isArray(body?.jobs) ? body.jobs : []
    if (list.length === 0) throw new WorkError('BAD_JOB', 'jobs.submit needs {"jobs": [job, ...]}')
    if (list.length > JOB_LIMITS.jobsPerSubmit) throw new WorkError('BAD_JOB', `at most ${JOB_LIMITS.jobsPerSubmit} jobs per request`)
    const inputs: JobInput[] = list.map((raw, i) => {
      try {
        return parseJobInput(raw)
      } catch (err) {
        throw list.length > 1 ? new WorkError((err as WorkError).code ?? 'BAD_JOB', `job ${i}: ${errorMessage(err)}`) : err
      }
    })
    const jobs = await this.work.engine.submit(inputs)
    return { jobs: jobs.map(j => ({ id: j.id, home: j.home, tasks: j.roots })) }
  }

  private async get (req: AdminRequest, body: any): Promise<AdminResponse> {
    const id = req.key
    if (id === '') return failure('BAD_REQUEST', 'a job id is required')
    const engine = this.work.engine
    const view = await engine.job(id)
    if (view != null) {
      const out: Record<string, unknown> = { ...view, running: engine.runningTasks(id) }
      if (body?.results === true) {
        const limit = clamp(body.limit, 1_000, MAX_LIST)
        const page = await engine.results(id, limit, typeof body.after === 'string' ? body.after : '')
        out.results = page.map(o => ({ taskId: o.taskId, ok: o.ok, ...(o.ok ? { result: o.result != null ? JSON.parse(o.result) : null } : { error: o.error }), ...(o.cancelled === true ? { cancelled: true } : {}), node: o.node, attempts: o.attempts, finishedAt: o.finishedAt }))
        if (page.length === limit) out.next = page[page.length - 1]!.taskId
      }
      return ok(out)
    }
    const entry = this.consensus.control.jobs.get(id) as JobEntry | undefined
    if (entry == null) return failure('NOT_FOUND', `no job ${id} in the mesh's registry`)
    if (req.forwarded || entry.home === this.host.peerId.toString()) {
      return failure('NOT_FOUND', `job ${id} is registered with home ${entry.home}, which does not have it`)
    }
    try {
      return await callWith(this.host, peerIdFromString(entry.home), { ...req, forwarded: true }, ADMIN_CALL)
    } catch (err) {
      return failure('UNREACHABLE', `job ${id} lives on ${entry.home}, which cannot be reached: ${errorMessage(err)}`)
    }
  }

  /** Jobs the registry knows (every home), newest first, with counts for the ones homed here. */
  private async list (body: any): Promise<unknown> {
    const limit = clamp(body?.limit, DEFAULT_LIST, MAX_LIST)
    const before = typeof body?.before === 'string' ? body.before : ''
    const ids = [...this.consensus.control.jobs.keys()].filter(id => before === '' || id < before).sort().reverse().slice(0, limit)
    const self = this.host.peerId.toString()
    const jobs = []
    for (const id of ids) {
      const e = this.consensus.control.jobs.get(id) as JobEntry
      const local = e.home === self ? await this.work.engine.jobRecord(id) : undefined
      jobs.push(local != null
        ? { id, home: e.home, state: local.state, createdAt: local.createdAt, ...(local.name != null ? { name: local.name } : {}), total: local.total, done: local.done, failed: local.failed, ...(local.finishedAt != null ? { finishedAt: local.finishedAt } : {}) }
        : { id, home: e.home, state: e.state, createdAt: e.createdAt })
    }
    return { jobs, ...(ids.length === limit ? { next: ids[ids.length - 1] } : {}) }
  }
}

function clamp (v: unknown, dflt: number, max: number): number {
  return Number.isSafeInteger(v) && (v as number) > 0 ? Math.min(v as number, max) : dflt
}

function ok (body: unknown): AdminResponse {
  return { ok: true, code: '', error: '', leader: '', entries: [], version: 0n, json: JSON.stringify(body) }
}

function failure (code: string, error: string): AdminResponse {
  return { ok: false, code, error, leader: '', entries: [], version: 0n, json: '' }
}
