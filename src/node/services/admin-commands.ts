// The admin command table: every command of /meshnode/admin/2.0.0 (admin.proto), with its
// handler, whether it reads or writes, and who may call it. The admin service dispatches
// through this table and nothing else; a command missing here does not compile, because the
// table's type has one entry per field of AdminRequest's oneof.
//
// A handler returns its typed result or throws a coded error (MeshError, WorkError); the
// code reaches the client unchanged. A write that reaches a follower is forwarded to the
// leader by the dispatcher (admin.ts), once; job.get forwards itself to the job's home.
import type { ApplyResult, ConfigValue, ControlCommand, JobEntry } from '../../consensus/control.js'
import type { AdminCommandName as CommandName, AdminParams as Params, AdminResult as Result } from '../../wire/calls.js'
import { JOB_LIMITS } from '../../wire/constants.js'
import type { AdminRequest, AdminResponse, ConfigEntry, JobSummary } from '../../wire/proto/admin.js'
import type { WorkShell } from './work-shell.js'
import { parseJobInput, type JobInput } from '../../work/spec.js'
import { MeshError, errorMessage } from '../errors.js'

/**
 * Who may call a command, for access control to enforce (today every client may call every
 * admin command; this only declares it):
 * - `client`: anyone who can open the admin protocol (reads);
 * - `submitter`: a key granted to submit and cancel jobs;
 * - `operator`: a key granted to change the cluster (config); the CLI on a node's own host;
 * - `member`: a node of the committed configuration (none of the admin commands; members
 *   talk over the internal protocol).
 */
export type Caller = 'client' | 'submitter' | 'operator' | 'member'

/** What a handler may use: narrow enough to fake in a unit test. */
export interface AdminContext {
  /** This node's peer id. */
  self: string
  consensus: {
    propose: (cmd: ControlCommand) => Promise<ApplyResult>
    control: { config: ReadonlyMap<string, ConfigValue>, jobs: ReadonlyMap<string, unknown> }
    status: () => { leader: string | null } | null
  }
  /** The work engine, once the work layer has started. */
  engine: () => JobsEngine | undefined
  /** Send an admin request to another node over the internal protocol; resolves with its answer as is. */
  forward: (to: string, via: 'leader' | 'home', req: AdminRequest) => Promise<AdminResponse>
  /** The request came from another node (one hop at most: never forwarded again). */
  forwarded: boolean
}

/** The part of the work engine the job commands use. */
export type JobsEngine = Pick<WorkShell, 'submit' | 'job' | 'jobRecord' | 'results' | 'runningTasks'>

export interface AdminCommand<K extends CommandName> {
  /**
   * `write` changes the mesh and is served by the leader: on a follower that answers
   * NOT_LEADER the dispatcher forwards it to the leader, once. `read` is answered here.
   */
  kind: 'read' | 'write'
  who: Caller
  handler: (params: Params<K>, ctx: AdminContext) => Promise<Result<K>>
}

export type CommandTable = { [K in CommandName]: AdminCommand<K> }

const DEFAULT_LIST = 50
const DEFAULT_RESULTS = 1_000
const MAX_LIST = 10_000

export const ADMIN_COMMANDS: CommandTable = {
  configSet: {
    kind: 'write',
    who: 'operator',
    handler: async (p, ctx) => {
      requireField(p.key, 'a config key is required')
      const r = await ctx.consensus.propose({ op: 'config.set', key: p.key, value: p.value, ...(p.expectVersion != null ? { expectVersion: Number(p.expectVersion) } : {}) })
      return { version: BigInt(applied(r).version ?? 0) }
    }
  },
  configGet: {
    kind: 'read',
    who: 'client',
    handler: async (p, ctx) => {
      const v = ctx.consensus.control.config.get(p.key)
      if (v == null) throw new MeshError('NOT_FOUND', `config key "${p.key}" is not set`)
      return { entries: [{ key: p.key, value: v.value, version: BigInt(v.version) }] }
    }
  },
  configList: {
    kind: 'read',
    who: 'client',
    handler: async (_p, ctx) => {
      const entries: ConfigEntry[] = [...ctx.consensus.control.config.entries()]
        .sort(([a], [b]) => a < b ? -1 : 1)
        .map(([key, v]) => ({ key, value: v.value, version: BigInt(v.version) }))
      return { entries }
    }
  },
  configDelete: {
    kind: 'write',
    who: 'operator',
    handler: async (p, ctx) => {
      requireField(p.key, 'a config key is required')
      const r = await ctx.consensus.propose({ op: 'config.delete', key: p.key, ...(p.expectVersion != null ? { expectVersion: Number(p.expectVersion) } : {}) })
      return { version: BigInt(applied(r).version ?? 0) }
    }
  },
  jobsSubmit: {
    kind: 'write',
    who: 'submitter',
    handler: async (p, ctx) => {
      const list = p.jobs
      if (list.length === 0) throw new MeshError('BAD_JOB', 'a submission needs at least one job')
      if (list.length > JOB_LIMITS.jobsPerSubmit) throw new MeshError('BAD_JOB', `at most ${JOB_LIMITS.jobsPerSubmit} jobs per request`)
      const inputs: JobInput[] = list.map((text, i) => {
        const what = list.length > 1 ? `job ${i}: ` : ''
        let raw: unknown
        try {
          raw = JSON.parse(text)
        } catch (err) {
          throw new MeshError('BAD_REQUEST', `${what}the job is not JSON: ${errorMessage(err)}`)
        }
        try {
          return parseJobInput(raw)
        } catch (err) {
          if (what === '') throw err
          throw new MeshError((err as MeshError).code ?? 'BAD_JOB', `${what}${errorMessage(err)}`)
        }
      })
      const jobs = await engine(ctx).submit(inputs)
      return { jobs: jobs.map(j => ({ id: j.id, home: j.home, tasks: j.roots })) }
    }
  },
  jobsList: {
    kind: 'read',
    who: 'client',
    handler: async (p, ctx) => {
      const limit = clamp(p.limit, DEFAULT_LIST)
      const ids = [...ctx.consensus.control.jobs.keys()].filter(id => p.before === '' || id < p.before).sort().reverse().slice(0, limit)
      const jobs: JobSummary[] = []
      for (const id of ids) {
        const e = ctx.consensus.control.jobs.get(id) as JobEntry
        const local = e.home === ctx.self ? await engine(ctx).jobRecord(id) : undefined
        jobs.push(local != null
          ? { id, home: e.home, state: local.state, createdAt: local.createdAt, name: local.name, total: local.total, done: local.done, failed: local.failed, finishedAt: local.finishedAt }
          : { id, home: e.home, state: e.state, createdAt: e.createdAt })
      }
      return { jobs, next: ids.length === limit ? ids[ids.length - 1]! : '' }
    }
  },
  jobGet: {
    kind: 'read',
    who: 'client',
    handler: async (p, ctx) => {
      requireField(p.id, 'a job id is required')
      const eng = engine(ctx)
      const view = await eng.job(p.id)
      if (view != null) {
        const detail = { view: JSON.stringify({ ...view, running: eng.runningTasks(p.id) }), results: '', next: '' }
        if (p.results) {
          const limit = clamp(p.limit, DEFAULT_RESULTS)
          const page = await eng.results(p.id, limit, p.after)
          detail.results = JSON.stringify(page.map(o => ({ taskId: o.taskId, ok: o.ok, ...(o.ok ? { result: o.result != null ? JSON.parse(o.result) : null } : { error: o.error }), ...(o.cancelled === true ? { cancelled: true } : {}), node: o.node, attempts: o.attempts, finishedAt: o.finishedAt })))
          if (page.length === limit) detail.next = page[page.length - 1]!.taskId
        }
        return detail
      }
      const entry = ctx.consensus.control.jobs.get(p.id) as JobEntry | undefined
      if (entry == null) throw new MeshError('NOT_FOUND', `no job ${p.id} in the mesh's registry`)
      if (ctx.forwarded || entry.home === ctx.self) throw new MeshError('NOT_FOUND', `job ${p.id} is registered with home ${entry.home}, which does not have it`)
      let res: AdminResponse
      try {
        res = await ctx.forward(entry.home, 'home', { jobGet: p })
      } catch (err) {
        throw new MeshError('UNREACHABLE', `job ${p.id} lives on ${entry.home}, which cannot be reached: ${errorMessage(err)}`)
      }
      return resultOf(res, 'jobGet')
    }
  },
  jobCancel: {
    kind: 'write',
    who: 'submitter',
    handler: async (p, ctx) => {
      requireField(p.id, 'a job id is required')
      applied(await ctx.consensus.propose({ op: 'job.cancel', jobId: p.id }))
      return {}
    }
  }
}

/** The command a request carries (a decoded oneof has at most one field set). */
export function commandOf (req: AdminRequest): CommandName | undefined {
  return (Object.keys(ADMIN_COMMANDS) as CommandName[]).find(name => req[name] != null)
}

/** A forwarded command's answer: its result, or its failure rethrown with the same code. */
export function resultOf<K extends CommandName> (res: AdminResponse, name: K): Result<K> {
  if (res.code !== '') throw new MeshError(res.code as MeshError['code'], res.error, { leader: res.leader === '' ? null : res.leader })
  const result = res[name]
  if (result == null) throw new MeshError('INTERNAL', `the answer to ${name} carried no result`)
  return result as Result<K>
}

function applied (r: ApplyResult): { version?: number } {
  if (!r.ok) throw new MeshError(r.code, r.message)
  return r
}

function engine (ctx: AdminContext): JobsEngine {
  const e = ctx.engine()
  if (e == null) throw new MeshError('STARTING', 'the node is still starting; retry in a moment')
  return e
}

function requireField (value: string, message: string): void {
  if (value === '') throw new MeshError('BAD_REQUEST', message)
}

function clamp (v: number, dflt: number): number {
  return v > 0 ? Math.min(v, MAX_LIST) : dflt
}

// The schema and the table must name the same commands: a result field per request field.
type Same<A, B> = [A] extends [B] ? [B] extends [A] ? true : false : false
const schemaMatches: Same<CommandName, Exclude<keyof AdminResponse, 'code' | 'error' | 'leader'>> = true
void schemaMatches
