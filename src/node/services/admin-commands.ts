// The admin command table: every command of /meshnode/admin/2.0.0 (admin.proto), with its
// handler, whether it reads or writes, and who may call it. The admin service dispatches
// through this table and nothing else; a command missing here does not compile, because the
// table's type has one entry per field of AdminRequest's oneof.
//
// A handler returns its typed result or throws a coded error (MeshError, WorkError); the
// code reaches the client unchanged. A write that reaches a follower is forwarded to the
// leader by the dispatcher (admin.ts), once; job.get forwards itself to the job's home.
import { peerIdFromString } from '@libp2p/peer-id'
import { RETENTION_KEYS, finishedTime, parseRetentionValue, retentionCounts, retentionPolicy } from '../../consensus/retention.js'
import { GRANT_ROLES, type ApplyResult, type ConfigValue, type ControlCommand, type Grant, type GrantRole, type JobEntry, type PendingOccurrence, type ScheduleRecord } from '../../consensus/control.js'
import { checkScheduleJob, scheduleInfo, scheduleSpec, scheduleUsesCommands } from './schedules.js'
import type { AdminCommandName as CommandName, AdminParams as Params, AdminResult as Result } from '../../wire/calls.js'
import { JOB_LIMITS, MAX_JOB_WAIT_MS } from '../../wire/constants.js'
import type { AdminRequest, AdminResponse, ApprovalEntry, ConfigEntry, DrainStatus, JobSummary } from '../../wire/proto/admin.js'
import type { ShellJobs, WorkShell } from './work-shell.js'
import type { JobRecord } from '../../work/records.js'
import { parseJobInput, shellCommandsOf, type JobInput } from '../../work/spec.js'
import { MeshError, errorMessage } from '../errors.js'
import { check, checkApprover, roleName, type Principal, type Right } from '../access/policy.js'
import { APPROVALS_WEBHOOK_KEY } from './approvals.js'
import { APPROVAL_LIMITS, describeDecision, parseApprovalRequest, type ApprovalRecord } from '../../workflow/approvals.js'
import type { AuditLog } from '../access/audit.js'
import type { SubmitQuota } from '../access/quota.js'
import { meshStats, type StatsSources } from '../observe/stats.js'
import { mergeById, mergeIncidents, type Incident } from '../../healing/incidents.js'

/** What a handler may use: narrow enough to fake in a unit test. */
export interface AdminContext {
  /** This node's peer id. */
  self: string
  consensus: {
    propose: (cmd: ControlCommand) => Promise<ApplyResult>
    control: {
      config: ReadonlyMap<string, ConfigValue>
      jobs: ReadonlyMap<string, unknown>
      grants: ReadonlyMap<string, Grant>
      retention?: { deleted: number, resultsExpired: number }
      /** Approval gates (ControlState.approval/approvals); absent in fakes that need none. */
      approval?: (id: string) => ApprovalRecord | undefined
      approvals?: (opts?: { pending?: boolean }) => ApprovalRecord[]
      schedules?: ReadonlyMap<string, ScheduleRecord>
      occurrences?: ReadonlyMap<string, PendingOccurrence>
      /** Committed deaths (ControlState.dead); absent in fakes that need none. */
      dead?: ReadonlyMap<string, unknown>
    }
    status: () => RaftStatusView | null
    /** Leader only: remove a voter or learner and wait for the commit (ConsensusService.removeMember). */
    removeMember?: (peerId: string) => Promise<{ index: number, conf: { voters: readonly string[], learners: readonly string[] } }>
    /** Hand leadership to a caught-up voter; true once another node leads. */
    transferLeadership?: () => Promise<boolean>
    /** The job's registry entry once applied here, or undefined after the wait (ConsensusService.whenJobRegistered). */
    whenJobRegistered?: (jobId: string, timeoutMs: number) => Promise<unknown>
  }
  /** This node's name (--name), for listings. */
  selfName?: string
  /** The membership table: every peer this node knows, as its failure detector sees it. */
  peers?: () => ReadonlyArray<{ peerId: string, name: string, state: string, addrs: readonly string[], lastSeenMs: number }>
  /** The work engine, once the work layer has started. */
  engine: () => JobsEngine | undefined
  /** Send an admin request to another node over the internal protocol, on behalf of `caller`; resolves with its answer as is. */
  forward: (to: string, via: 'leader' | 'home', req: AdminRequest, caller: string) => Promise<AdminResponse>
  /** The request came from another node (one hop at most: never forwarded again). */
  forwarded: boolean
  /** Who is asking (authorized by the dispatcher against the command's `needs`). */
  caller: Principal
  /** The wall clock, for the time a change is attributed to (audit). */
  now: () => number
  audit?: AuditLog
  /** Caps unfinished jobs per granted submitter. */
  quota?: SubmitQuota
  /** This node's drain: starts it (deadline in ms; 0 = the node's default) or says where it stands. */
  drain?: (deadlineMs: number) => DrainStatus
  /** This node's incarnation (the life a node.retire names). */
  incarnation?: () => number
  /** The mesh's latency histories (statsGet): this node's, and its members' over the internal protocol. */
  stats?: StatsSources
  /** This node's incident log, and whom to ask for theirs (incidentsList/incidentGet with mesh). */
  incidents?: IncidentSource
}

export interface IncidentSource {
  /** Incidents opened or updated at or after `since`, newest first, at most `limit`. */
  list: (since: number, limit: number) => Incident[]
  get: (id: string) => Incident | undefined
  /** Members of the committed configuration not declared dead, this node left out. */
  peers: () => string[]
}

/** What the admin commands read of the Raft status (a subset of RaftStatus). */
export interface RaftStatusView {
  leader: string | null
  role?: string
  term?: number
  commit?: number
  conf?: { voters: readonly string[], learners: readonly string[] }
  /** Leader only: each member's replication progress. */
  progress?: ReadonlyMap<string, { match: number }>
}

/** The part of the work engine the job commands use. */
export type JobsEngine = Pick<WorkShell, 'submit' | 'job' | 'jobRecord' | 'jobRecords' | 'results' | 'runningTasks' | 'stuckJobs'> & { jobs: Pick<ShellJobs, 'whenFinished'> }

export interface AdminCommand<K extends CommandName> {
  /**
   * `write` changes the mesh and is served by the leader: on a follower that answers
   * NOT_LEADER the dispatcher forwards it to the leader, once. `read` is answered here.
   */
  kind: 'read' | 'write'
  /** The right a caller needs (src/node/access/policy.ts); checked before the handler runs. */
  needs: Exclude<Right, 'commands'> | 'none'
  /** What the caller is refused, in words ("set config"), for the FORBIDDEN message. */
  what: string
  handler: (params: Params<K>, ctx: AdminContext) => Promise<Result<K>>
}

export type CommandTable = { [K in CommandName]: AdminCommand<K> }

const DEFAULT_LIST = 50
const DEFAULT_RESULTS = 1_000
const MAX_LIST = 10_000
const DEFAULT_AUDIT = 100
/** `meshnode jobs` without --all: finished jobs older than this are left out (a day: today's work). */
export const LIST_FINISHED_WITHIN_MS = 86_400_000
const RETENTION_PREFIX = 'retention.'

export const ADMIN_COMMANDS: CommandTable = {
  configSet: {
    kind: 'write',
    needs: 'operate',
    what: 'set config',
    handler: async (p, ctx) => {
      requireField(p.key, 'a config key is required')
      if (p.key.startsWith(RETENTION_PREFIX)) {
        try {
          parseRetentionValue(p.key, p.value)
        } catch (err) {
          throw new MeshError('BAD_REQUEST', errorMessage(err))
        }
      }
      if (p.key === APPROVALS_WEBHOOK_KEY && p.value !== '' && !isHttpUrl(p.value)) throw new MeshError('BAD_REQUEST', `${APPROVALS_WEBHOOK_KEY} must be an http:// or https:// URL, not "${p.value}"`)
      const r = await ctx.consensus.propose({ op: 'config.set', key: p.key, value: p.value, ...(p.expectVersion != null ? { expectVersion: Number(p.expectVersion) } : {}), ...attribution(ctx) })
      return { version: BigInt(applied(r).version ?? 0) }
    }
  },
  configGet: {
    kind: 'read',
    needs: 'read',
    what: 'read config',
    handler: async (p, ctx) => {
      const v = ctx.consensus.control.config.get(p.key)
      if (v == null) throw new MeshError('NOT_FOUND', `config key "${p.key}" is not set`)
      return { entries: [{ key: p.key, value: v.value, version: BigInt(v.version) }] }
    }
  },
  configList: {
    kind: 'read',
    needs: 'read',
    what: 'read config',
    handler: async (_p, ctx) => {
      const entries: ConfigEntry[] = [...ctx.consensus.control.config.entries()]
        .sort(([a], [b]) => a < b ? -1 : 1)
        .map(([key, v]) => ({ key, value: v.value, version: BigInt(v.version) }))
      return { entries }
    }
  },
  configDelete: {
    kind: 'write',
    needs: 'operate',
    what: 'delete config',
    handler: async (p, ctx) => {
      requireField(p.key, 'a config key is required')
      // Deleting what is not there is an error a script can see (NOT_FOUND), not a silent success.
      // Checked on the leader's applied state, where the write is served (a follower forwards it).
      if (ctx.consensus.status()?.leader === ctx.self && !ctx.consensus.control.config.has(p.key) && p.expectVersion == null) throw new MeshError('NOT_FOUND', `config key "${p.key}" is not set`)
      const r = await ctx.consensus.propose({ op: 'config.delete', key: p.key, ...(p.expectVersion != null ? { expectVersion: Number(p.expectVersion) } : {}), ...attribution(ctx) })
      return { version: BigInt(applied(r).version ?? 0) }
    }
  },
  jobsSubmit: {
    kind: 'write',
    needs: 'submit',
    what: 'submit jobs',
    handler: async (p, ctx) => {
      const list = p.jobs
      if (list.length === 0) throw new MeshError('BAD_JOB', 'a submission needs at least one job')
      if (list.length > JOB_LIMITS.jobsPerSubmit) throw new MeshError('BAD_JOB', `at most ${JOB_LIMITS.jobsPerSubmit} jobs per request`)
      // A request of many jobs often repeats one job text (a batch of the same task): it is
      // parsed and checked once, and its jobs share the parsed input, which nothing after this
      // changes (each job's record and tasks are built from it afresh). Parsing and the schema
      // check were ~4 % of a lone home's main thread in a run of one-task jobs (BENCHMARKS.md,
      // issue 14, stop 46).
      let lastText: string | undefined
      let lastInput: JobInput | undefined
      let commands = false
      const inputs: JobInput[] = list.map((text, i) => {
        if (text === lastText) return lastInput!
        lastText = text
        lastInput = parseSubmitted(text, list.length > 1 ? `job ${i}: ` : '')
        commands ||= usesCommands(lastInput)
        return lastInput
      })
      if (commands) check(ctx.caller, 'commands', 'submit shell-command (cmd) tasks')
      ctx.quota?.admit(ctx.caller, inputs.length)
      const jobs = await engine(ctx).submit(inputs)
      ctx.quota?.submitted(ctx.caller, jobs.map(j => j.id))
      if (commands) {
        for (let i = 0; i < jobs.length; i++) {
          if (usesCommands(inputs[i]!)) await ctx.audit?.local({ at: ctx.now(), who: ctx.caller.peerId, action: 'job.submit', target: jobs[i]!.id, outcome: 'ok', detail: `shell commands: ${shellCommandsOf(inputs[i]!).map(c => JSON.stringify(c)).join(', ').slice(0, 512)}` })
        }
      }
      return { home: ctx.self, jobs: jobs.map(j => ({ id: j.id, home: j.home, tasks: j.roots })) }
    }
  },
  jobsList: {
    kind: 'read',
    needs: 'read',
    what: 'list jobs',
    handler: async (p, ctx) => {
      if (p.stuck === true) return await stuckJobs(p, ctx)
      const limit = clamp(p.limit, DEFAULT_LIST)
      const since = p.since ?? 0
      // By default a listing is short: running jobs and those finished within a day. `all`
      // (or a `since` window the caller chose) lists every job retained in range
      // (src/consensus/retention.ts decides how long that is).
      const all = p.all === true || since > 0
      const recent = ctx.now() - LIST_FINISHED_WITHIN_MS
      let hidden = 0
      const ids = [...(ctx.consensus.control.jobs as ReadonlyMap<string, JobEntry>).entries()].filter(([id, e]) => {
        if (p.before !== '' && id >= p.before) return false
        if (since > 0 && e.createdAt < since) return false
        if (all || e.state === 'running' || finishedTime(e) >= recent) return true
        hidden++
        return false
      }).map(([id]) => id).sort().reverse().slice(0, limit)
      const jobs: JobSummary[] = []
      const entries = ids.map(id => ctx.consensus.control.jobs.get(id) as JobEntry)
      const homed = ids.filter((_id, i) => entries[i]!.home === ctx.self)
      const records = new Map<string, JobRecord | undefined>()
      if (homed.length > 0) (await engine(ctx).jobRecords(homed)).forEach((r, i) => records.set(homed[i]!, r))
      for (let i = 0; i < ids.length; i++) {
        const id = ids[i]!
        const e = entries[i]!
        const local = records.get(id)
        jobs.push(local != null
          ? { id, home: e.home, state: local.state, createdAt: local.createdAt, name: local.name, total: local.total, done: local.done, failed: local.failed, finishedAt: local.finishedAt }
          // Another home's job: the registry's state, and its finish time once final (the home
          // registers the one its record holds), so a listing on any node says when it ended.
          : { id, home: e.home, state: e.state, createdAt: e.createdAt, ...(e.finishedAt !== undefined ? { finishedAt: e.finishedAt } : {}) })
      }
      return { jobs, next: ids.length === limit ? ids[ids.length - 1]! : '', ...(hidden > 0 ? { hidden } : {}) }
    }
  },
  jobGet: {
    kind: 'read',
    needs: 'read',
    what: 'read jobs',
    handler: async (p, ctx) => {
      requireField(p.id, 'a job id is required')
      const eng = engine(ctx)
      // The registry's home answers: a home declared dead that came back may still hold a
      // record of the job's earlier generation.
      let registered = ctx.consensus.control.jobs.get(p.id) as JobEntry | undefined
      // A long poll waits here, at the home, for the job to finish (a forwarded one waits at
      // the home it was forwarded to): one request instead of a client's poll every few ms.
      let wait = Math.min(p.waitMs ?? 0, MAX_JOB_WAIT_MS)
      if (registered == null && !ctx.forwarded && wait > 0 && ctx.consensus.whenJobRegistered != null && await eng.jobRecord(p.id) == null) {
        // Submitted elsewhere a moment ago: the registration may not have reached this node.
        const since = ctx.now()
        registered = await ctx.consensus.whenJobRegistered(p.id, wait) as JobEntry | undefined
        wait = Math.max(0, wait - (ctx.now() - since))
      }
      const here = ctx.forwarded || registered == null || registered.home === ctx.self
      const view = !here ? undefined : wait > 0 ? await eng.jobs.whenFinished(p.id, wait) : await eng.job(p.id)
      if (view != null) {
        const detail = { view: JSON.stringify({ ...view, running: eng.runningTasks(p.id) }), results: '', next: '' }
        if (p.results) {
          const limit = clamp(p.limit, DEFAULT_RESULTS)
          const page = await eng.results(p.id, limit, p.after)
          detail.results = JSON.stringify(page.map(o => ({ taskId: o.taskId, ok: o.ok, ...(o.ok ? { result: o.result != null ? JSON.parse(o.result) : null } : { error: o.error, ...(o.result != null ? { result: JSON.parse(o.result) } : {}) }), ...(o.cancelled === true ? { cancelled: true } : {}), node: o.node, attempts: o.attempts, finishedAt: o.finishedAt })))
          if (page.length === limit) detail.next = page[page.length - 1]!.taskId
        }
        return detail
      }
      const entry = registered
      if (entry == null) throw new MeshError('NOT_FOUND', `no job ${p.id} in the mesh's registry`)
      if (ctx.forwarded || entry.home === ctx.self) throw new MeshError('NOT_FOUND', `job ${p.id} is registered with home ${entry.home}, which does not have it`)
      const orphan = finishedAtDeadHome(p.id, entry, ctx.consensus.control.dead)
      if (orphan != null) return { view: JSON.stringify(orphan), results: '', next: '' }
      let res: AdminResponse
      try {
        res = await ctx.forward(entry.home, 'home', { jobGet: { ...p, waitMs: wait } }, ctx.caller.peerId)
      } catch (err) {
        throw new MeshError('UNREACHABLE', `job ${p.id} lives on ${entry.home}, which cannot be reached: ${errorMessage(err)}`)
      }
      return resultOf(res, 'jobGet')
    }
  },
  jobCancel: {
    kind: 'write',
    needs: 'operate',
    what: 'cancel jobs',
    handler: async (p, ctx) => {
      requireField(p.id, 'a job id is required')
      applied(await ctx.consensus.propose({ op: 'job.cancel', jobId: p.id, ...attribution(ctx) }))
      return {}
    }
  },
  grantSet: {
    kind: 'write',
    needs: 'operate',
    what: 'grant access',
    handler: async (p, ctx) => {
      const peerId = clientId(p.peerId)
      if (!GRANT_ROLES.includes(p.role as GrantRole)) throw new MeshError('BAD_REQUEST', `unknown role "${p.role}": use ${GRANT_ROLES.join(' or ')}`)
      // No one grants more than they hold: running commands on other hosts is its own right.
      if (p.commands) check(ctx.caller, 'commands', 'grant the right to run commands')
      applied(await ctx.consensus.propose({ op: 'grant.set', peerId, role: p.role as GrantRole, commands: p.commands, ...attribution(ctx) }))
      return {}
    }
  },
  grantRemove: {
    kind: 'write',
    needs: 'operate',
    what: 'revoke access',
    handler: async (p, ctx) => {
      const peerId = clientId(p.peerId)
      applied(await ctx.consensus.propose({ op: 'grant.remove', peerId, ...attribution(ctx) }))
      return {}
    }
  },
  grantList: {
    kind: 'read',
    needs: 'operate',
    what: 'list grants',
    handler: async (_p, ctx) => {
      const grants = [...ctx.consensus.control.grants.entries()]
        .sort(([a], [b]) => a < b ? -1 : 1)
        .map(([peerId, g]) => ({ peerId, role: g.role, commands: g.commands, index: g.index, by: g.by ?? '', at: g.at ?? 0 }))
      return { grants }
    }
  },
  whoAmI: {
    kind: 'read',
    // Anyone may ask who they are; it is how a new client finds its peer id and rights.
    needs: 'none',
    what: 'ask who it is',
    handler: async (_p, ctx) => ({ peerId: ctx.caller.peerId, role: roleName(ctx.caller), rights: [...ctx.caller.rights] })
  },
  nodeDrain: {
    // Acts on the node the client called, never forwarded (a drain is of one node).
    kind: 'read',
    needs: 'operate',
    what: 'drain a node',
    handler: async (p, ctx) => {
      if (ctx.drain == null) throw new MeshError('STARTING', 'the node is still starting; retry in a moment')
      return ctx.drain(Number(p.deadlineMs))
    }
  },
  nodeRetire: {
    kind: 'write',
    needs: 'operate',
    what: 'retire a node',
    handler: async (p, ctx) => {
      requireField(p.peerId, 'a peer id is required')
      // A client retires only the node it called (which then forwards its own retirement to
      // the leader); declaring another node dead is the death quorum's decision alone.
      if (!ctx.forwarded && p.peerId !== ctx.self) throw new MeshError('BAD_REQUEST', 'a node retires only itself: ask the node to drain (meshnode drain) instead')
      if (!ctx.forwarded && ctx.incarnation != null && Number(p.incarnation) !== ctx.incarnation()) throw new MeshError('BAD_REQUEST', `this node lives in incarnation ${ctx.incarnation()}, not ${p.incarnation}`)
      applied(await ctx.consensus.propose({ op: 'node.dead', peerId: p.peerId, incarnation: Number(p.incarnation), reason: p.reason === '' ? 'retired' : p.reason.slice(0, 200), ...attribution(ctx) }))
      return {}
    }
  },
  statsGet: {
    // Answered here from every member's history (src/node/observe/stats.ts); never forwarded.
    kind: 'read',
    needs: 'read',
    what: 'read the mesh\'s stats',
    handler: async (p, ctx) => {
      if (ctx.stats == null) throw new MeshError('STARTING', 'the node is still starting; retry in a moment')
      const sinceMs = Number(p.sinceMs)
      if (!Number.isSafeInteger(sinceMs) || sinceMs < 0) throw new MeshError('BAD_REQUEST', `since_ms must be a whole number of ms ≥ 0, not ${p.sinceMs}`)
      return await meshStats(sinceMs, ctx.stats)
    }
  },
  raftListPeers: {
    kind: 'read',
    needs: 'read',
    what: 'list the raft peers',
    handler: async (_p, ctx) => {
      const st = ctx.consensus.status()
      // Only the leader knows how far each member's log matches: ask it when there is one.
      if (st != null && st.role !== 'leader' && st.leader != null && !ctx.forwarded) {
        try {
          return resultOf(await ctx.forward(st.leader, 'home', { raftListPeers: {} }, ctx.caller.peerId), 'raftListPeers')
        } catch {
          // The leader did not answer: this node's own view, without match indexes.
        }
      }
      return raftPeers(ctx)
    }
  },
  raftRemovePeer: {
    kind: 'write',
    needs: 'operate',
    what: 'remove a raft peer',
    handler: async (p, ctx) => {
      const peerId = memberId(p.peerId)
      const st = ctx.consensus.status()
      if (st == null || st.conf == null || st.conf.voters.length === 0) throw new MeshError('NO_QUORUM', 'this node belongs to no cluster yet')
      if (st.role !== 'leader') {
        if (st.leader == null) throw new MeshError('NO_QUORUM', `no leader is known: ${quorumHint(ctx)}`)
        throw new MeshError('NOT_LEADER', `not leader (leader is ${st.leader})`, { leader: st.leader })
      }
      const { voters, learners } = st.conf
      if (!voters.includes(peerId) && !learners.includes(peerId)) throw new MeshError('NOT_FOUND', `${peerId} is neither a voter nor a learner of this cluster (meshnode operator raft list-peers shows who is)`)
      if (voters.length === 1 && voters[0] === peerId) throw new MeshError('BAD_REQUEST', `${peerId} is the last voter: a cluster cannot go on without one (to retire the whole mesh, stop its nodes)`)
      if (ctx.consensus.removeMember == null) throw new MeshError('STARTING', 'the node is still starting; retry in a moment')
      if (peerId === ctx.self) {
        // The leader leaves last: it hands leadership to a caught-up voter, which removes it.
        if (ctx.consensus.transferLeadership == null || !await ctx.consensus.transferLeadership()) {
          throw new MeshError('BAD_REQUEST', `${peerId} leads and could not hand leadership to another voter (none alive and caught up): it cannot remove itself; bring another voter up, or remove a dead one first`)
        }
        const next = ctx.consensus.status()?.leader
        if (next == null || next === ctx.self) throw new MeshError('NOT_LEADER', 'leadership was handed over; retry in a moment', { leader: null })
        // One more hop, bounded: the new leader never removes itself here.
        const r = resultOf(await ctx.forward(next, 'leader', { raftRemovePeer: { peerId } }, ctx.caller.peerId), 'raftRemovePeer')
        return { ...r, leadershipTransferred: true }
      }
      const { index, conf } = await ctx.consensus.removeMember(peerId)
      await ctx.audit?.local({ at: ctx.now(), who: ctx.caller.peerId, action: 'raft.remove-peer', target: peerId, outcome: 'ok', detail: `${voters.includes(peerId) ? 'voter' : 'learner'} removed at log index ${index}; voters now ${conf.voters.length}` })
      return { index, voters: [...conf.voters], learners: [...conf.learners], leadershipTransferred: false }
    }
  },
  retentionStatus: {
    kind: 'read',
    needs: 'read',
    what: 'read the retention policy',
    handler: async (_p, ctx) => {
      const control = ctx.consensus.control
      const policy = retentionPolicy(control.config)
      const counts = retentionCounts(control.jobs)
      // A limit that is off is left out (proto3 optional: absent = no limit).
      return {
        ...(Number.isFinite(policy.maxAgeMs) ? { maxAgeMs: policy.maxAgeMs } : {}),
        ...(Number.isFinite(policy.maxJobs) ? { maxJobs: policy.maxJobs } : {}),
        ...(Number.isFinite(policy.resultsMaxAgeMs) ? { resultsMaxAgeMs: policy.resultsMaxAgeMs } : {}),
        defaults: Object.values(RETENTION_KEYS).filter(k => !control.config.has(k)),
        running: counts.running,
        finished: counts.finished,
        resultsExpired: counts.resultsExpired,
        deletedTotal: control.retention?.deleted ?? 0,
        resultsExpiredTotal: control.retention?.resultsExpired ?? 0
      }
    }
  },
  incidentsList: {
    // This node's incident log; with `mesh`, every live member's, merged by id (each asked
    // with a forwarded incidentsList without `mesh`, so never more than one hop).
    kind: 'read',
    needs: 'read',
    what: 'read the incident log',
    handler: async (p, ctx) => {
      const src = incidentSource(ctx)
      const since = Number(p.since ?? 0)
      const limit = clamp(p.limit, DEFAULT_INCIDENTS)
      const local = src.list(since, limit)
      if (!p.mesh || ctx.forwarded) return { incidents: local.map(r => JSON.stringify(r)), answered: [ctx.self], missing: [] }
      const asked = await askMembers(ctx, src.peers(), { incidentsList: { since, limit, mesh: false } }, 'incidentsList')
      const lists = [local, ...asked.answers.map(a => a.incidents.map(parseIncident))]
      return { incidents: mergeById(lists).slice(0, limit).map(r => JSON.stringify(r)), answered: [ctx.self, ...asked.answered], missing: asked.missing }
    }
  },
  incidentGet: {
    kind: 'read',
    needs: 'read',
    what: 'read the incident log',
    handler: async (p, ctx) => {
      requireField(p.id, 'an incident id is required (meshnode incidents lists them)')
      const src = incidentSource(ctx)
      const local = src.get(p.id)
      const copies = local != null ? [local] : []
      let answered = [ctx.self]
      let missing: Array<{ peerId: string, error: string }> = []
      if (p.mesh && !ctx.forwarded) {
        const asked = await askMembers(ctx, src.peers(), { incidentGet: { id: p.id, mesh: false } }, 'incidentGet', true)
        for (const a of asked.answers) for (const r of a.incidents) copies.push(parseIncident(r))
        answered = [...answered, ...asked.answered]
        missing = asked.missing
      }
      if (copies.length === 0) throw new MeshError('NOT_FOUND', `no incident "${p.id}" ${p.mesh ? 'on any node that answered' : 'on this node'} (meshnode incidents${p.mesh ? ' --mesh' : ''} lists them)`)
      return { incidents: [JSON.stringify(copies.length === 1 ? copies[0] : mergeIncidents(copies))], answered, missing }
    }
  },
  approvalsList: {
    kind: 'read',
    needs: 'read',
    what: 'list approvals',
    handler: async (p, ctx) => {
      const list = gates(ctx).approvals?.(p.all ? {} : { pending: true }) ?? []
      list.sort((a, b) => a.deadline - b.deadline || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      return { approvals: list.map(approvalEntry), now: ctx.now() }
    }
  },
  approvalDecide: {
    // Authorized in the handler: an operator, or a key the gate names (src/node/access/policy.ts
    // checkApprover), which may hold no grant at all. The leader runs a forwarded decision
    // without checking again (the member that forwarded it did).
    kind: 'write',
    needs: 'none',
    what: 'decide approvals',
    handler: async (p, ctx) => {
      requireField(p.id, 'an approval id is required (`meshnode approvals` lists pending ones)')
      if (Buffer.byteLength(p.comment) > APPROVAL_LIMITS.commentBytes) throw new MeshError('BAD_REQUEST', `the comment is ${Buffer.byteLength(p.comment)} bytes; at most ${APPROVAL_LIMITS.commentBytes}`)
      const rec = gates(ctx).approval?.(p.id)
      if (!ctx.forwarded) {
        if (rec == null) {
          // Not in this node's copy of the log. A key that may read learns it does not exist;
          // one that may not read learns nothing more than that it may not decide it.
          if (!ctx.caller.rights.has('read')) checkApprover(ctx.caller, { id: p.id })
          throw new MeshError('NOT_FOUND', `no approval ${p.id}: \`meshnode approvals\` lists pending ones`)
        }
        checkApprover(ctx.caller, rec)
        // Decided already as far as this node knows: say so without writing a log entry.
        if (rec.state !== 'pending') throw new MeshError('ALREADY_DECIDED', `approval ${p.id} was already ${describeDecision(rec)}`)
      }
      applied(await ctx.consensus.propose({ op: 'approval.decide', id: p.id, approved: p.approved, ...(p.comment !== '' ? { comment: p.comment } : {}), ...attribution(ctx) }))
      const after = gates(ctx).approval?.(p.id)
      if (after == null) throw new MeshError('NOT_FOUND', `no approval ${p.id}: \`meshnode approvals\` lists pending ones`)
      return approvalEntry(after)
    }
  },
  approvalPropose: {
    // A workflow's home asking for a gate (ApprovalService.request, through this table so a
    // follower's request is forwarded to the leader like any write).
    kind: 'write',
    needs: 'operate',
    what: 'request approvals',
    handler: async (p, ctx) => {
      let raw: unknown
      try {
        raw = JSON.parse(p.request)
      } catch (err) {
        throw new MeshError('BAD_REQUEST', `the approval request is not JSON: ${errorMessage(err)}`)
      }
      let req
      try {
        req = parseApprovalRequest(raw)
      } catch (err) {
        throw new MeshError('BAD_REQUEST', errorMessage(err))
      }
      const control = gates(ctx)
      const existed = control.approval?.(req.id) != null
      // On the leader (where the write is served), a request for a missing or finished job is
      // refused before anything is written to the log. A follower's view may lag: it proposes,
      // and the leader answers.
      if (!existed && ctx.consensus.status()?.leader === ctx.self) {
        const job = control.jobs.get(req.jobId) as JobEntry | undefined
        if (job == null) throw new MeshError('NOT_FOUND', `no job ${req.jobId} in the mesh's registry: an approval gate needs a running workflow`)
        if (job.state !== 'running') throw new MeshError('JOB_FINISHED', `job ${req.jobId} is already ${job.state}: its gates need no approval`)
      }
      applied(await ctx.consensus.propose({ op: 'approval.request', ...req }))
      return { created: !existed }
    }
  },
  scheduleAdd: {
    kind: 'write',
    needs: 'operate',
    what: 'add schedules',
    handler: async (p, ctx) => {
      const control = ctx.consensus.control
      let spec
      let job: Record<string, unknown>
      try {
        spec = scheduleSpec(p)
        job = checkScheduleJob(p.job)
      } catch (err) {
        throw new MeshError('BAD_REQUEST', errorMessage(err))
      }
      // The leader submits the occurrences in the node's name: who schedules shell commands
      // needs the right to run them.
      if (scheduleUsesCommands(job)) check(ctx.caller, 'commands', 'schedule shell-command (cmd) tasks')
      const replaced = control.schedules?.has(spec.name) === true
      applied(await ctx.consensus.propose({ op: 'schedule.put', ...spec, job, paused: p.paused, createdAt: ctx.now(), ...attribution(ctx) }))
      const info = scheduleInfo(spec.name, ctx.consensus.control.schedules?.get(spec.name), 0, ctx.now())
      return { replaced, ...(info?.nextAt != null ? { nextAt: info.nextAt } : {}) }
    }
  },
  scheduleList: {
    kind: 'read',
    needs: 'read',
    what: 'list schedules',
    handler: async (_p, ctx) => {
      const control = ctx.consensus.control
      const pending = new Map<string, number>()
      for (const o of control.occurrences?.values() ?? []) pending.set(o.schedule, (pending.get(o.schedule) ?? 0) + 1)
      const now = ctx.now()
      const schedules = [...(control.schedules ?? new Map<string, ScheduleRecord>()).entries()]
        .sort(([a], [b]) => a < b ? -1 : 1)
        .map(([name, rec]) => scheduleInfo(name, rec, pending.get(name) ?? 0, now)!)
      return { schedules }
    }
  },
  scheduleRemove: {
    kind: 'write',
    needs: 'operate',
    what: 'remove schedules',
    handler: async (p, ctx) => {
      requireField(p.name, 'a schedule name is required (meshnode schedule list shows them)')
      const r = await ctx.consensus.propose({ op: 'schedule.remove', name: p.name, ...attribution(ctx) })
      if (!r.ok && r.code === 'NOT_FOUND') throw new MeshError('NOT_FOUND', `no schedule "${p.name}" (meshnode schedule list shows them)`)
      applied(r)
      return {}
    }
  },
  schedulePause: {
    kind: 'write',
    needs: 'operate',
    what: 'pause or resume schedules',
    handler: async (p, ctx) => {
      requireField(p.name, 'a schedule name is required (meshnode schedule list shows them)')
      const r = await ctx.consensus.propose({ op: 'schedule.pause', name: p.name, paused: p.paused, time: ctx.now(), ...attribution(ctx) })
      if (!r.ok && r.code === 'NOT_FOUND') throw new MeshError('NOT_FOUND', `no schedule "${p.name}" (meshnode schedule list shows them)`)
      applied(r)
      return {}
    }
  },
  auditList: {
    kind: 'read',
    needs: 'operate',
    what: 'read the audit log',
    handler: async (p, ctx) => {
      if (ctx.audit == null) throw new MeshError('STARTING', 'the node is still starting; retry in a moment')
      return await ctx.audit.list(p.limit > 0 ? Math.min(p.limit, MAX_LIST) : DEFAULT_AUDIT, p.before)
    }
  }
}

/** The Raft configuration as this node sees it, with match indexes when it leads. */
function raftPeers (ctx: AdminContext): Result<'raftListPeers'> {
  const st = ctx.consensus.status()
  const conf = st?.conf ?? { voters: [], learners: [] }
  const seen = new Map((ctx.peers?.() ?? []).map(p => [p.peerId, p]))
  const row = (id: string, suffrage: 'voter' | 'learner'): Result<'raftListPeers'>['peers'][number] => {
    const p = seen.get(id)
    const match = st?.progress?.get(id)?.match
    return {
      peerId: id,
      name: id === ctx.self ? ctx.selfName ?? '' : p?.name ?? '',
      suffrage,
      state: id === ctx.self ? 'alive' : p?.state ?? 'unknown',
      leader: st?.leader === id,
      ...(match != null ? { matchIndex: match } : {}),
      addrs: [...(p?.addrs ?? [])],
      lastSeenMs: id === ctx.self ? 0 : p?.lastSeenMs ?? 0
    }
  }
  return {
    peers: [...[...conf.voters].sort().map(id => row(id, 'voter')), ...[...conf.learners].sort().map(id => row(id, 'learner'))],
    leader: st?.leader ?? '',
    term: st?.term ?? 0,
    commitIndex: st?.commit ?? 0,
    answeredBy: ctx.self,
    quorum: conf.voters.length === 0 ? 0 : Math.floor(conf.voters.length / 2) + 1
  }
}

/** Why there is no leader, in words, with what to do (remove-peer needs a quorum). */
function quorumHint (ctx: AdminContext): string {
  const voters = ctx.consensus.status()?.conf?.voters ?? []
  const seen = new Map((ctx.peers?.() ?? []).map(p => [p.peerId, p.state]))
  const reachable = voters.filter(v => v === ctx.self || seen.get(v) === 'alive').length
  const needed = Math.floor(voters.length / 2) + 1
  if (voters.length > 0 && reachable < needed) {
    return `quorum lost (${reachable} of ${voters.length} voters reachable, ${needed} needed): a membership change cannot commit without a majority. ` +
      'Start the missing voters again; if they are gone for good, stop this node and run meshnode operator raft recover --force-new-cluster on it (README: Recovering from a lost quorum)'
  }
  return 'an election is under way or just lost; retry in a moment'
}

/** A member's peer id (a node's libp2p id, as status and list-peers print it). */
function memberId (text: string): string {
  requireField(text, 'a peer id is required (meshnode operator raft list-peers shows them)')
  try {
    return peerIdFromString(text).toString()
  } catch (err) {
    throw new MeshError('BAD_REQUEST', `"${text}" is not a peer id (${errorMessage(err)}); meshnode operator raft list-peers shows the members' ids`)
  }
}

/** Who asked, and when, carried by a control command into every node's audit log. */
function attribution (ctx: AdminContext): { by: string, at: number } {
  return { by: ctx.caller.peerId, at: ctx.now() }
}

/**
 * The view of a job that finished before its home was declared dead: the registry's record of
 * it (state, times, homes), since its counts, results and error were kept only at that home.
 * Without it every node would forward the question to the dead home and answer UNREACHABLE
 * for ever. A job still running there is moved to a holder by the same log entry, and asked
 * of its new home; a home that comes back (a new incarnation) is no longer dead and is asked.
 */
function finishedAtDeadHome (id: string, e: JobEntry, dead: ReadonlyMap<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (e.state === 'running' || dead?.has(e.home) !== true) return undefined
  return {
    id,
    home: e.home,
    state: e.state,
    createdAt: e.createdAt,
    ...(e.finishedAt != null ? { finishedAt: e.finishedAt } : {}),
    ...(e.epoch != null ? { epoch: e.epoch } : {}),
    ...((e.homes?.length ?? 0) > 0 ? { homes: e.homes } : {}),
    ...(e.keepMs != null ? { keepMs: e.keepMs } : {}),
    homeDead: true
  }
}

/** A client key's peer id, as `meshnode keygen --client` printed it. */
function clientId (text: string): string {
  requireField(text, 'a peer id (the client key\'s public id) is required')
  try {
    return peerIdFromString(text).toString()
  } catch (err) {
    throw new MeshError('BAD_REQUEST', `"${text}" is not a peer id (${errorMessage(err)}); \`meshnode keygen --client\` prints a client key's id`)
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

function isHttpUrl (text: string): boolean {
  try {
    const u = new URL(text)
    return u.protocol === 'http:' || u.protocol === 'https:'
  } catch {
    return false
  }
}

function gates (ctx: AdminContext): AdminContext['consensus']['control'] {
  return ctx.consensus.control
}

/** A gate as the admin protocol carries it. */
export function approvalEntry (r: ApprovalRecord): ApprovalEntry {
  return {
    id: r.id,
    jobId: r.jobId,
    step: r.step,
    prompt: r.prompt,
    home: r.home,
    requestedAt: r.requestedAt,
    deadline: r.deadline,
    onTimeout: r.onTimeout,
    approvers: [...r.approvers ?? []],
    state: r.state,
    decidedAt: r.decidedAt ?? 0,
    by: r.by ?? '',
    comment: r.comment ?? '',
    index: r.index,
    decidedIndex: r.decidedIndex ?? 0
  }
}

/** One job text of a submission, parsed and checked; `what` names it in a batch's errors ("job 3: "). */
function parseSubmitted (text: string, what: string): JobInput {
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
}

function usesCommands (job: JobInput): boolean {
  return shellCommandsOf(job).length > 0
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

const DEFAULT_INCIDENTS = 100
/** A member that does not answer an incident query within this long is listed as missing. */
const INCIDENT_ASK_MS = 3_000

function incidentSource (ctx: AdminContext): IncidentSource {
  if (ctx.incidents == null) throw new MeshError('STARTING', 'the node is still starting; retry in a moment')
  return ctx.incidents
}

function parseIncident (json: string): Incident {
  return JSON.parse(json) as Incident
}

/** Ask each peer the same read (forwarded, one hop), at most INCIDENT_ASK_MS each; NOT_FOUND counts as an empty answer. */
async function askMembers<K extends 'incidentsList' | 'incidentGet'> (ctx: AdminContext, peers: string[], req: AdminRequest, name: K, notFoundIsEmpty = false): Promise<{ answers: Array<Result<K>>, answered: string[], missing: Array<{ peerId: string, error: string }> }> {
  const answers: Array<Result<K>> = []
  const answered: string[] = []
  const missing: Array<{ peerId: string, error: string }> = []
  await Promise.all(peers.map(async peer => {
    let timer: NodeJS.Timeout | undefined
    try {
      const res = await Promise.race([
        ctx.forward(peer, 'home', req, ctx.caller.peerId),
        new Promise<never>((_resolve, reject) => { timer = setTimeout(() => { reject(new Error(`no answer within ${INCIDENT_ASK_MS} ms`)) }, INCIDENT_ASK_MS) })
      ])
      if (res.code === 'NOT_FOUND' && notFoundIsEmpty) {
        answered.push(peer)
        return
      }
      answers.push(resultOf(res, name))
      answered.push(peer)
    } catch (err) {
      missing.push({ peerId: peer, error: errorMessage(err) })
    } finally {
      clearTimeout(timer)
    }
  }))
  return { answers, answered, missing }
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

/** How long `jobs --stuck` waits for each home's answer. */
const STUCK_ASK_MS = 3_000

/**
 * `jobs --stuck`: stuck jobs live at their homes (each home's stuck-job watch), so the node
 * asked lists its own and asks every other home of a running job for theirs, in parallel;
 * homes that do not answer are named (`stuck.unanswered`).
 */
async function stuckJobs (p: { limit: number, here?: boolean }, ctx: AdminContext): Promise<{ jobs: JobSummary[], next: string, stuck?: { unanswered: string[] } }> {
  const limit = clamp(p.limit, DEFAULT_LIST)
  const eng = ctx.engine()
  const jobs: JobSummary[] = []
  for (const [id, s] of eng?.stuckJobs?.() ?? []) {
    const rec = await eng!.jobRecord(id)
    if (rec == null) continue
    jobs.push({ id, home: rec.home, state: rec.state, createdAt: rec.createdAt, name: rec.name, total: rec.total, done: rec.done, failed: rec.failed, stuck: { sinceMs: s.sinceMs, code: s.code, text: s.text, peers: s.peers ?? [], capabilities: s.capabilities ?? [] } })
  }
  if (p.here === true || ctx.forwarded) return { jobs: jobs.slice(0, limit), next: '' }
  const homes = new Set<string>()
  for (const e of (ctx.consensus.control.jobs as ReadonlyMap<string, JobEntry>).values()) if (e.state === 'running' && e.home !== ctx.self) homes.add(e.home)
  const unanswered: string[] = []
  await Promise.all([...homes].map(async home => {
    let timer: NodeJS.Timeout | undefined
    try {
      const res = await Promise.race([
        ctx.forward(home, 'home', { jobsList: { limit, before: '', stuck: true, here: true } }, ctx.caller.peerId),
        new Promise<never>((_resolve, reject) => { timer = setTimeout(() => { reject(new Error('timed out')) }, STUCK_ASK_MS) })
      ])
      jobs.push(...resultOf(res, 'jobsList').jobs)
    } catch {
      unanswered.push(home)
    } finally {
      clearTimeout(timer)
    }
  }))
  jobs.sort((a, b) => a.id < b.id ? 1 : a.id > b.id ? -1 : 0)
  return { jobs: jobs.slice(0, limit), next: '', ...(unanswered.length > 0 ? { stuck: { unanswered: unanswered.sort() } } : {}) }
}
