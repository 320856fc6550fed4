// The node's HTTP endpoint (`--http`, 127.0.0.1:7421 by default): Prometheus metrics at
// /metrics, the JSON API and event stream under /v1 (api.ts), and the web dashboard at /
// (dashboard.ts). Served by fastify: a small, widely used server with a tested router,
// body limits and JSON parsing, and `inject()`, which lets the unit tests call every route
// without a socket. Node's bare `http` would have meant hand-written routing and body
// handling; express is larger and slower and has no inject. Node's own server listens from
// start-up; fastify and the routes (app.ts) load at the first request (HttpService), except a
// scrape of /metrics, which node's server answers itself (HttpService.metrics).
//
// Who is asking: a bearer token (token.ts) names a client key, whose rights come from the
// same grants the admin protocol uses. Without a token, a caller on loopback may read (the
// dashboard on the node's own host works with no set-up) and anyone else may read status and
// metrics only. Every command goes through the admin service's dispatch, so authorization,
// rate limits, forwarding to the leader and the audit log are the admin protocol's own.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Registry } from 'prom-client'
import { MeshError, errorMessage } from '../errors.js'
import type { Logger } from '../log.js'
import { principalOf, type AccessView, type Principal } from '../access/policy.js'
import type { AdminRequest, AdminResponse } from '../../wire/proto/admin.js'
import type { StatusResponse } from '../../wire/proto/status.js'
import type { EventLog } from '../observe/events.js'
import { verifyToken } from './token.js'
import { isLoopbackHost, type HttpListen } from './listen.js'

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

type Handler = (req: IncomingMessage, res: ServerResponse) => void

/** A Prometheus scrape: GET or HEAD of /metrics (a query string is ignored). */
function isScrape (req: IncomingMessage): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false
  const url = req.url ?? ''
  return url === '/metrics' || url.startsWith('/metrics?')
}

/** `server.listen(port, host)` as a promise: rejects with the listen error (EADDRINUSE …). */
async function listenOn (server: Server, host: string, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const failed = (err: Error): void => { server.off('listening', listening); reject(err) }
    const listening = (): void => { server.off('error', failed); resolve() }
    server.once('error', failed).once('listening', listening)
    server.listen({ host, port })
  })
}

/** Stop accepting, end every open connection (event streams among them), wait for the close. */
async function closeServer (server: Server): Promise<void> {
  await new Promise<void>(resolve => {
    server.close(() => resolve())
    server.closeAllConnections()
  })
}

/**
 * The HTTP endpoint. Start-up binds node's own HTTP server on the address (so a port in use
 * fails start-up as it always did), and the routes (app.ts: fastify, the API, the dashboard)
 * load when the first request arrives: a node nobody asks over HTTP never parses them.
 */
export class HttpService {
  private app?: FastifyInstance
  private servers: Server[] = []
  private handler?: Handler
  private loading?: Promise<Handler>
  /** Where it listens once started ("127.0.0.1:7421"), or undefined (off, or not yet). */
  address?: string
  private readonly now: () => number

  constructor (private readonly c: HttpComponents, private readonly listen: HttpListen) {
    this.now = c.now ?? Date.now
  }

  /** The fastify instance with every route, not listening (tests call it through inject()). */
  async build (serverFactory?: (handler: Handler) => Server): Promise<FastifyInstance> {
    const { buildApp } = await import('./app.js')
    return buildApp({ ...this.c, principal: async req => await this.principal(req) }, serverFactory)
  }

  async start (): Promise<void> {
    if (this.listen == null) return
    const { host, port, fallback } = this.listen
    const server = this.server()
    try {
      await listenOn(server, host, port)
    } catch (err: any) {
      if (err?.code !== 'EADDRINUSE' || !fallback) {
        if (err?.code === 'EADDRINUSE') throw new MeshError('PORT_IN_USE', `cannot serve HTTP on ${host}:${port}: the address is already in use. Pick another with --http HOST:PORT, or --http off.`, { cause: err })
        throw new MeshError('LISTEN_FAILED', `cannot serve HTTP on ${host}:${port}: ${errorMessage(err)}`, { cause: err })
      }
      // The default port is taken (another node on this host): any free port, said in the
      // log, in node.json and in status, so the local CLI and `meshnode top` still find it.
      await listenOn(server, host, 0)
      this.c.log.info({ wanted: `${host}:${port}` }, 'the default HTTP port is taken; serving HTTP on a free port instead')
    }
    this.servers.push(server)
    const a = server.address()
    if (a != null && typeof a === 'object') this.address = a.family === 'IPv6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`
    // "localhost" may name 127.0.0.1 and ::1: serve on each (as fastify's listen did); an
    // address that cannot be bound is left out, the first one is enough.
    if (host === 'localhost' && a != null && typeof a === 'object') {
      const { lookup } = await import('node:dns/promises')
      const others = await lookup(host, { all: true }).catch(() => [])
      for (const other of others.filter(o => o.address !== a.address)) {
        const more = this.server()
        await listenOn(more, other.address, a.port).then(() => this.servers.push(more), () => {})
      }
    }
    this.c.log.info({ http: `http://${this.address}/` }, 'serving HTTP (dashboard, /v1 API, /metrics)')
  }

  async stop (): Promise<void> {
    await this.loading?.catch(() => {})
    await this.app?.close()
    this.app = undefined
    const servers = this.servers
    this.servers = []
    await Promise.all(servers.map(closeServer))
  }

  /** Node's HTTP server with fastify's defaults; a request goes to the routes, loaded at the first. */
  private server (): Server {
    const server = createServer((req, res) => {
      if (isScrape(req)) void this.metrics(req, res)
      else if (this.handler != null) this.handler(req, res)
      else void this.routes().then(handler => handler(req, res), err => this.unavailable(res, err))
    })
    server.keepAliveTimeout = 72_000
    server.requestTimeout = 0
    return server
  }

  /** The routes' request handler, loading them once; every server of this service shares it. */
  private async routes (): Promise<Handler> {
    this.loading ??= (async () => {
      let handler: Handler | undefined
      const app = await this.build(h => { handler = h; return this.servers[0]! })
      await app.ready()
      this.app = app
      this.handler = handler
      return handler!
    })()
    this.loading.catch(() => { this.loading = undefined })
    return await this.loading
  }

  /**
   * GET or HEAD /metrics, answered here rather than by the routes: Prometheus scrapes every node
   * every few seconds, and loading fastify for a scrape would give back the ~6 MB of RSS the lazy
   * routes save (BENCHMARKS.md, issue 14, stop 34). Open to whoever reaches the port, as a
   * scrape target is. Any other method on /metrics goes to the routes (which answer 404).
   */
  private async metrics (req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const body = await this.c.registry.metrics()
      res.writeHead(200, { 'content-type': this.c.registry.contentType, 'content-length': Buffer.byteLength(body) })
      res.end(req.method === 'HEAD' ? undefined : body)
    } catch (err) {
      this.c.log.error({ err: errorMessage(err) }, 'could not collect the metrics')
      if (res.headersSent) { res.destroy(); return }
      res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' })
      res.end(JSON.stringify({ error: { code: 'INTERNAL', message: `the metrics could not be collected: ${errorMessage(err)}` } }))
    }
  }

  private unavailable (res: ServerResponse, err: unknown): void {
    this.c.log.error({ err: errorMessage(err) }, 'could not load the HTTP routes')
    if (res.headersSent) { res.destroy(); return }
    res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' })
    res.end(JSON.stringify({ error: { code: 'INTERNAL', message: `the HTTP routes did not load: ${errorMessage(err)}` } }))
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

