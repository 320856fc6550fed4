// The HTTP server's routes on fastify (api.ts, dashboard.ts). server.ts imports this module the
// first time a request arrives (or a test asks for the app): fastify, its router and the node
// modules it pulls in (https, http2, tls, dns) are then parsed and held only by a node someone
// asks over HTTP, not by every node from start-up on (BENCHMARKS.md, issue 14, stop 34). The
// bundle (scripts/bundle.mjs) puts this module and what only it needs in a chunk of its own.
import Fastify, { type FastifyInstance, type FastifyServerFactory } from 'fastify'
import { registerApi, type ApiContext } from './api.js'

/** Largest request body (a submit of many jobs); the admin protocol's own limit is larger. */
export const MAX_HTTP_BODY_BYTES = 4 * 1024 * 1024

// No route declares a JSON schema (the API checks what it is given itself), so fastify needs no
// schema compilers; given these, it never loads its default ones (ajv, fast-json-stringify),
// which scripts/bundle.mjs leaves out of the bundle. A route given a schema fails to register
// with this error rather than failing later.
function noSchemaCompiler (): never {
  throw new Error('meshnode\'s HTTP server has no JSON-schema compiler: its routes check their input themselves (src/node/http/server.ts)')
}
const NO_SCHEMA_COMPILERS = { buildValidator: noSchemaCompiler, buildSerializer: noSchemaCompiler }

/**
 * The fastify instance with every route, not listening. With `serverFactory` it serves the
 * server that returns (server.ts: one already listening); without, tests call it through inject().
 */
export function buildApp (ctx: ApiContext, serverFactory?: FastifyServerFactory): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: MAX_HTTP_BODY_BYTES, return503OnClosing: true, forceCloseConnections: true, schemaController: { compilersFactory: NO_SCHEMA_COMPILERS }, ...(serverFactory != null ? { serverFactory } : {}) })
  registerApi(app, ctx)
  return app
}
