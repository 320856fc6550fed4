// The node's HTTP endpoint (`--http`, 127.0.0.1:7421 by default): Prometheus metrics at
// /metrics, the JSON API and event stream under /v1 (api.ts), and the web dashboard at /
// (dashboard.ts). Served by fastify: a small, widely used server with a tested router,
// body limits and JSON parsing, and `inject()`, which lets the unit tests call every route
// without a socket. Node's bare `http` would have meant hand-written routing and body
// handling; express is larger and slower and has no inject.
//
// Who is asking: a bearer token (token.ts) names a client key, whose rights come from the
// same grants the admin protocol uses. Without a token, a caller on loopback may read (the
// dashboard on the node's own host works with no set-up) and anyone else may read status and
// metrics only. Every command goes through the admin service's dispatch, so authorization,
// rate limits, forwarding to the leader and the audit log are the admin protocol's own.
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify'
import type { Registry } from 'prom-client'
import { MeshError, errorMessage } from '../errors.js'
import type { Logger } from '../log.js'
import { principalOf, type AccessView, type Principal } from '../access/policy.js'
import type { AdminRequest, AdminResponse } from '../../wire/proto/admin.js'
import type { StatusResponse } from '../../wire/proto/status.js'
import type { EventLog } from '../observe/events.js'
import { verifyToken } from './token.js'
import { registerApi } from './api.js'
import { isLoopbackHost, type HttpListen } from './listen.js'

/** Largest request body (a submit of many jobs); the admin protocol's own limit is larger. */
export const MAX_HTTP_BODY_BYTES = 4 * 1024 * 1024

export interface HttpComponents {
  log: Logger
  registry: Registry
  events: EventLog
  access: AccessView
  /** The mesh name, which a bearer token must name. */
  mesh: string
  status: () => StatusResponse
  /** The admin service's entry point: authorizes, rate-limits, dispatches, audits. */
  admin: (req: AdminRequest, caller: Principal) => Promise<AdminResponse>
  now?: () => number
}

/** The rights of a caller with no token. */
const READ_ONLY = new Set(['read'] as const)
const NOTHING = new Set<never>()

// No route declares a JSON schema (the API checks what it is given itself), so fastify needs no
// schema compilers; given these, it never loads its default ones (ajv, fast-json-stringify),
// which scripts/bundle.mjs leaves out of the bundle. A route given a schema fails to register
// with this error rather than failing later.
function noSchemaCompiler (): never {
  throw new Error('meshnode\'s HTTP server has no JSON-schema compiler: its routes check their input themselves (src/node/http/server.ts)')
}
const NO_SCHEMA_COMPILERS = { buildValidator: noSchemaCompiler, buildSerializer: noSchemaCompiler }

export class HttpService {
  private app?: FastifyInstance
  /** Where it listens once started ("127.0.0.1:7421"), or undefined (off, or not yet). */
  address?: string
  private readonly now: () => number

  constructor (private readonly c: HttpComponents, private readonly listen: HttpListen) {
    this.now = c.now ?? Date.now
  }

  /** The fastify instance with every route, not listening (tests call it through inject()). */
  build (): FastifyInstance {
    const app = Fastify({ logger: false, bodyLimit: MAX_HTTP_BODY_BYTES, return503OnClosing: true, forceCloseConnections: true, schemaController: { compilersFactory: NO_SCHEMA_COMPILERS } })
    registerApi(app, { ...this.c, principal: async req => await this.principal(req) })
    return app
  }

  async start (): Promise<void> {
    if (this.listen == null) return
    const app = this.build()
    const { host, port, fallback } = this.listen
    try {
      await app.listen({ host, port })
    } catch (err: any) {
      if (err?.code !== 'EADDRINUSE' || !fallback) {
        await app.close().catch(() => {})
        if (err?.code === 'EADDRINUSE') throw new MeshError('PORT_IN_USE', `cannot serve HTTP on ${host}:${port}: the address is already in use. Pick another with --http HOST:PORT, or --http off.`, { cause: err })
        throw new MeshError('LISTEN_FAILED', `cannot serve HTTP on ${host}:${port}: ${errorMessage(err)}`, { cause: err })
      }
      // The default port is taken (another node on this host): any free port, said in the
      // log, in node.json and in status, so the local CLI and `meshnode top` still find it.
      await app.listen({ host, port: 0 })
      this.c.log.info({ wanted: `${host}:${port}` }, 'the default HTTP port is taken; serving HTTP on a free port instead')
    }
    const a = app.server.address()
    if (a != null && typeof a === 'object') this.address = a.family === 'IPv6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`
    this.app = app
    this.c.log.info({ http: `http://${this.address}/` }, 'serving HTTP (dashboard, /v1 API, /metrics)')
  }

  async stop (): Promise<void> {
    await this.app?.close()
    this.app = undefined
  }

  /** Who the request is from: the token's key with its grants, or an anonymous caller. */
  async principal (req: FastifyRequest): Promise<Principal> {
    const auth = req.headers.authorization
    const fromQuery = (req.query as Record<string, unknown> | undefined)?.token
    const token = typeof auth === 'string' && /^bearer /i.test(auth) ? auth.slice(7).trim() : typeof fromQuery === 'string' ? fromQuery : undefined
    if (token != null && token !== '') {
      const peerId = await verifyToken(token, this.c.mesh, this.now())
      return principalOf(peerId, this.c.access)
    }
    const ip = req.socket.remoteAddress ?? 'unknown'
    return { peerId: `http:${ip}`, kind: 'none', rights: isLoopbackHost(ip) ? READ_ONLY : NOTHING }
  }
}

