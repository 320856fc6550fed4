// The HTTP JSON API, versioned under /v1 (README: "HTTP API"); /metrics is server.ts's. Each route is a
// thin translation onto an admin command (src/node/services/admin-commands.ts) run through
// the admin service, so a request over HTTP is authorized, rate-limited, forwarded and
// audited exactly as the same command over the admin protocol. Errors are
// `{"error": {"code", "message"}}` with an HTTP status that follows the code.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { AdminCommandName, AdminParams, AdminResult } from '../../wire/calls.js'
import { MAX_JOB_WAIT_MS } from '../../wire/constants.js'
import { adminError } from '../client/admin.js'
import { detailJson, summaryJson, type JobSummary } from '../client/jobs-json.js'
import { statusToJson } from '../client/status-json.js'
import { CodedError } from '../../errors.js'
import { MeshError, errorMessage } from '../errors.js'
import { check, type Principal, type Right } from '../access/policy.js'
import type { HttpComponents } from './server.js'
import { lastEventId, sseComment, sseFrame, sseRetry } from './sse.js'
import { statsJson } from '../observe/stats.js'
import { MAX_SINCE_MS, parseDuration } from '../cli/table.js'
import { registerDashboard } from './dashboard.js'
import { approvalJson } from '../client/approvals-json.js'
import { scheduleJson } from '../client/schedules-json.js'

export interface ApiContext extends HttpComponents {
  principal: (req: FastifyRequest) => Promise<Principal>
}

/** HTTP status per error code; anything not listed is a 500. */
const STATUS_OF: Record<string, number> = {
  USAGE: 400,
  BAD_REQUEST: 400,
  BAD_JOB: 400,
  BAD_COMMAND: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  VERSION_MISMATCH: 409,
  JOB_FINISHED: 409,
  ALREADY_DECIDED: 409,
  NO_CAPABLE_NODE: 422,
  RATE_LIMITED: 429,
  TOO_MANY_PENDING: 429,
  NOT_LEADER: 503,
  NO_QUORUM: 503,
  NOT_REGISTERED: 503,
  STARTING: 503,
  STOPPING: 503,
  DRAINING: 503,
  RESOURCE_EXHAUSTED: 507,
  UNREACHABLE: 504
}

/** The most jobs one /v1/jobs page returns, and how many a filtered listing looks through. */
const MAX_PAGE = 1_000
const MAX_SCANNED = 20_000
/** Concurrent /v1/events streams a node serves; more are refused with 503. */
export const MAX_EVENT_STREAMS = 64
/** A comment frame this often keeps idle streams open through proxies. */
const KEEPALIVE_MS = 15_000
/** Events replayed to a client that connects without Last-Event-ID (`?since=0` for all held). */
const REPLAY_ON_CONNECT = 50

export function httpStatusOf (code: string): number {
  return STATUS_OF[code] ?? 500
}

function sendError (reply: FastifyReply, err: unknown): FastifyReply {
  const code = err instanceof CodedError ? err.code : (err as any)?.statusCode === 400 ? 'BAD_REQUEST' : (err as any)?.statusCode === 413 ? 'PAYLOAD_TOO_LARGE' : 'INTERNAL'
  return reply.code(code === 'INTERNAL' && typeof (err as any)?.statusCode === 'number' ? (err as any).statusCode : httpStatusOf(code))
    .send({ error: { code, message: errorMessage(err).replace(/ \[[A-Z_]+\]$/, '') } })
}

export function registerApi (app: FastifyInstance, ctx: ApiContext): void {
  let streams = 0

  /** Run admin command `name` as the request's caller; throws its failure as a MeshError. */
  const run = async <K extends AdminCommandName>(req: FastifyRequest, name: K, params: AdminParams<K>): Promise<AdminResult<K>> => {
    const caller = await ctx.principal(req)
    const res = await ctx.admin({ [name]: params }, caller)
    if (res.code === 'FORBIDDEN' && caller.kind === 'none') throw anonymousRefused(caller)
    if (res.code !== '') throw adminError(res)
    return res[name] as AdminResult<K>
  }

  app.setErrorHandler((err, _req, reply) => sendError(reply, err))
  app.setNotFoundHandler((req, reply) => sendError(reply, new MeshError('NOT_FOUND', `no such endpoint: ${req.method} ${req.url.split('?')[0]!} (see the README's HTTP API section)`)))

  // GET /metrics (Prometheus text) is answered by node's own server before a request reaches
  // these routes (server.ts, HttpService.metrics): a scrape never loads them.

  app.get('/v1/status', async () => statusToJson(ctx.status()))

  // The web dashboard at / (dashboard.ts): static files, readable by anyone who reaches the port.
  registerDashboard(app)

  app.get('/v1/members', async req => {
    authorize(await ctx.principal(req), 'read', 'list members')
    const s = statusToJson(ctx.status())
    return { self: { peerId: s.peerId, name: s.name, role: s.role, load: s.load, addrs: s.addrs, capabilities: s.capabilities, draining: s.draining }, leader: s.leader, voters: s.voters, learners: s.learners, members: s.peers, dead: s.dead }
  })

  app.get('/v1/whoami', async req => {
    const p = await ctx.principal(req)
    return { peerId: p.peerId, kind: p.kind, ...(p.role != null ? { role: p.role } : {}), rights: [...p.rights].sort() }
  })

  app.get<{ Querystring: { limit?: string, before?: string, state?: string, home?: string, all?: string, stuck?: string } }>('/v1/jobs', async req => {
    const q = req.query
    // Like `meshnode jobs --stuck`: the stuck jobs of every home, each with its diagnosis.
    if (q.stuck === '1' || q.stuck === 'true') {
      const res = await run(req, 'jobsList', { limit: intParam(q.limit, 'limit', 1, MAX_PAGE) ?? 0, before: '', stuck: true })
      const unanswered = res.stuck?.unanswered ?? []
      return { jobs: res.jobs.map(summaryJson), ...(unanswered.length > 0 ? { unanswered: [...unanswered] } : {}) }
    }
    // Like `meshnode jobs --all`: without it, finished jobs older than a day are left out.
    const all = q.all === '1' || q.all === 'true' ? { all: true } : {}
    const limit = intParam(q.limit, 'limit', 1, MAX_PAGE) ?? 50
    const states = q.state == null || q.state === '' ? undefined : new Set(q.state.split(','))
    const home = q.home == null || q.home === '' ? undefined : q.home
    const wanted = (j: JobSummary): boolean => (states == null || states.has(j.state)) && (home == null || j.home === home)
    // Filters apply to the registry's pages in order, newest first: look through at most
    // MAX_SCANNED jobs, and say where to go on (`next`) when the page filled or the scan stopped.
    const jobs: JobSummary[] = []
    let before = q.before ?? ''
    let scanned = 0
    for (;;) {
      const page = await run(req, 'jobsList', { limit: Math.min(MAX_PAGE, states == null && home == null ? limit - jobs.length : MAX_PAGE), before, ...all })
      for (const w of page.jobs) {
        scanned++
        before = w.id
        const j = summaryJson(w)
        if (wanted(j)) jobs.push(j)
        if (jobs.length >= limit) break
      }
      if (jobs.length >= limit) return { jobs, next: before }
      if (page.next === '') return { jobs }
      if (scanned >= MAX_SCANNED) return { jobs, next: before }
    }
  })

  app.post<{ Body: unknown }>('/v1/jobs', async (req, reply) => {
    const body = req.body
    if (body == null || typeof body !== 'object') throw new MeshError('BAD_JOB', 'the body must be a JSON job (or task) object, or {"jobs": [...]}')
    const batch = Array.isArray((body as { jobs?: unknown }).jobs)
    const list = batch ? (body as { jobs: unknown[] }).jobs : [body]
    const res = await run(req, 'jobsSubmit', { jobs: list.map(j => JSON.stringify(j)) })
    const jobs = res.jobs.map(j => ({ id: j.id, home: j.home, tasks: j.tasks }))
    return await reply.code(201).send(batch ? { jobs } : jobs[0])
  })

  // ?wait=DURATION: a long poll — answered as soon as the job has finished, or after DURATION
  // (at most MAX_JOB_WAIT_MS) with the job as it stands.
  app.get<{ Params: { id: string }, Querystring: { wait?: string } }>('/v1/jobs/:id', async req => {
    const wait = req.query.wait == null || req.query.wait === '' ? 0 : Math.min(durationParam(req.query.wait, 'wait'), MAX_JOB_WAIT_MS)
    return detailJson(await run(req, 'jobGet', { id: req.params.id, results: false, limit: 0, after: '', ...(wait > 0 ? { waitMs: wait } : {}) }))
  })

  app.get<{ Params: { id: string }, Querystring: { after?: string, limit?: string } }>('/v1/jobs/:id/results', async req => {
    const limit = intParam(req.query.limit, 'limit', 1, 10_000) ?? 0
    const d = detailJson(await run(req, 'jobGet', { id: req.params.id, results: true, limit, after: req.query.after ?? '' }))
    return { id: d.id, results: d.results ?? [], ...(d.next != null ? { next: d.next } : {}) }
  })

  app.post<{ Params: { id: string } }>('/v1/jobs/:id/cancel', async req => {
    await run(req, 'jobCancel', { id: req.params.id })
    return { id: req.params.id, cancelled: true }
  })

  // The mesh's latency history (the same answer as `meshnode stats --json`).
  app.get<{ Querystring: { since?: string } }>('/v1/stats', async req => {
    const sinceMs = req.query.since == null || req.query.since === '' ? 3_600_000 : durationParam(req.query.since, 'since')
    return statsJson(await run(req, 'statsGet', { sinceMs }))
  })

  // The incident log (the same records as `meshnode incidents --json`): ?since= a duration
  // back from now or ms since the epoch, ?limit=, ?mesh=1 to merge every live member's.
  app.get<{ Querystring: { since?: string, limit?: string, mesh?: string } }>('/v1/incidents', async req => {
    const q = req.query
    const since = q.since == null || q.since === '' ? 0 : /^\d{10,}$/.test(q.since) ? Number(q.since) : Date.now() - durationParam(q.since, 'since')
    const limit = intParam(q.limit, 'limit', 1, 10_000) ?? 0
    const res = await run(req, 'incidentsList', { since, limit, mesh: q.mesh === '1' || q.mesh === 'true' })
    return { incidents: res.incidents.map(j => JSON.parse(j) as unknown), nodes: { answered: res.answered, missing: res.missing } }
  })

  app.get<{ Params: { id: string }, Querystring: { local?: string } }>('/v1/incidents/:id', async req => {
    const res = await run(req, 'incidentGet', { id: req.params.id, mesh: !(req.query.local === '1' || req.query.local === 'true') })
    return { ...(JSON.parse(res.incidents[0]!) as Record<string, unknown>), nodesAsked: { answered: res.answered, missing: res.missing } }
  })

  // Workflow approval gates (the same records as `meshnode approvals --json`): pending ones,
  // or ?all=1 for decided and cancelled ones too. Read only: decide with the CLI.
  app.get<{ Querystring: { all?: string } }>('/v1/approvals', async req => {
    const res = await run(req, 'approvalsList', { all: req.query.all === '1' || req.query.all === 'true' })
    return { approvals: res.approvals.map(approvalJson) }
  })

  // Schedules (the same as `meshnode schedule list --json`); read-only: change them with the CLI.
  app.get('/v1/schedules', async req => {
    const res = await run(req, 'scheduleList', {})
    return { schedules: res.schedules.map(scheduleJson) }
  })

  app.get('/v1/config', async req => {
    const res = await run(req, 'configList', {})
    return { entries: res.entries.map(e => ({ key: e.key, value: e.value, version: Number(e.version) })) }
  })

  app.get<{ Params: { key: string } }>('/v1/config/:key', async req => {
    const [e] = (await run(req, 'configGet', { key: req.params.key })).entries
    return { key: e!.key, value: e!.value, version: Number(e!.version) }
  })

  app.put<{ Params: { key: string }, Body: { value?: unknown, expectVersion?: unknown } }>('/v1/config/:key', async req => {
    const b = req.body
    if (b == null || typeof b.value !== 'string') throw new MeshError('BAD_REQUEST', 'the body must be {"value": "…"} (a string), with an optional "expectVersion" number')
    const expect = b.expectVersion == null ? undefined : intParam(String(b.expectVersion), 'expectVersion', 0, Number.MAX_SAFE_INTEGER)
    const res = await run(req, 'configSet', { key: req.params.key, value: b.value, ...(expect != null ? { expectVersion: BigInt(expect) } : {}) })
    return { key: req.params.key, version: Number(res.version) }
  })

  app.delete<{ Params: { key: string } }>('/v1/config/:key', async req => {
    const res = await run(req, 'configDelete', { key: req.params.key })
    return { key: req.params.key, deleted: true, version: Number(res.version) }
  })

  // Server-sent events: what happened on the mesh, as this node saw it (observe/events.ts).
  app.get<{ Querystring: { since?: string, types?: string } }>('/v1/events', async (req, reply) => {
    authorize(await ctx.principal(req), 'read', 'follow events')
    if (streams >= MAX_EVENT_STREAMS) throw new MeshError('RATE_LIMITED', `this node already serves ${MAX_EVENT_STREAMS} event streams; retry later`)
    const types = req.query.types == null || req.query.types === '' ? undefined : req.query.types.split(',')
    const pass = (type: string): boolean => types == null || types.some(t => t === type || (t.endsWith('.') && type.startsWith(t)) || (t.endsWith('*') && type.startsWith(t.slice(0, -1))))
    const from = lastEventId(req.headers['last-event-id'], req.query.since)
    const explicit = req.headers['last-event-id'] != null || req.query.since != null
    reply.hijack()
    const res = reply.raw
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no'
    })
    streams++
    res.write(sseRetry(1_000))
    const backlog = explicit ? ctx.events.since(from) : ctx.events.recent(REPLAY_ON_CONNECT)
    for (const e of backlog) if (pass(e.type)) res.write(sseFrame(e))
    res.write(sseComment(`connected; last event ${ctx.events.lastId}`))
    const unsubscribe = ctx.events.subscribe(e => { if (pass(e.type)) res.write(sseFrame(e)) })
    const keepalive = setInterval(() => { res.write(sseComment('keep-alive')) }, KEEPALIVE_MS)
    keepalive.unref()
    const close = (): void => {
      clearInterval(keepalive)
      unsubscribe()
      streams--
    }
    req.raw.once('close', close)
  })
}

/** check(), with a refusal that tells an anonymous HTTP caller how to send a token. */
function authorize (caller: Principal, right: Right, what: string): void {
  if (caller.kind === 'none' && !caller.rights.has(right)) throw anonymousRefused(caller)
  check(caller, right, what)
}

function anonymousRefused (caller: Principal): MeshError {
  return new MeshError('FORBIDDEN', `an anonymous HTTP caller ${caller.rights.has('read') ? 'may only read' : 'from another host may only read status and metrics'}: ` +
    'send "Authorization: Bearer TOKEN" with a token of a key that holds a grant (meshnode token --key FILE; on the node\'s host: meshnode token --data-dir DIR)')
}

/** A duration query parameter (`30s`, `15m`, `1h`, `2d`, or ms as a bare number). */
function durationParam (raw: string, name: string): number {
  if (/^\d+$/.test(raw)) return intParam(raw, name, 1, MAX_SINCE_MS)!
  try {
    return parseDuration(raw, name, MAX_SINCE_MS)
  } catch (err) {
    throw new MeshError('BAD_REQUEST', errorMessage(err))
  }
}

function intParam (raw: string | undefined, name: string, min: number, max: number): number | undefined {
  if (raw == null || raw === '') return undefined
  const n = Number(raw)
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new MeshError('BAD_REQUEST', `${name} must be an integer between ${min} and ${max}; got "${raw}"`)
  return n
}
