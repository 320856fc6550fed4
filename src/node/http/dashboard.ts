// The web dashboard at / (README: "Dashboard"): static files built from dashboard/ into
// dist/dashboard/ at `npm run build` (scripts/build-dashboard.mjs). Nothing is built or
// rendered here: the node reads the files once, on the first request, and serves them from
// memory — index.html revalidated on every load (no-cache, ETag), the content-hashed assets
// as immutable, each as its precompressed .br or .gz twin when the browser accepts it. A
// Content-Security-Policy allows scripts, styles and connections from this origin only (the
// dashboard has no inline script or style). A node without the files answers / with a 500
// that says how to build them; the API and metrics are unaffected.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { basename, dirname, extname, join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

/** The dashboard's policy: everything from this origin, nothing inline, no framing. */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'"
].join('; ')

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8'
}

interface StaticFile {
  type: string
  body: Buffer
  br?: Buffer
  gz?: Buffer
  etag: string
  /** Content-hashed (under assets/): cacheable for good. */
  immutable: boolean
}

/**
 * Where the built dashboard is: `dist/dashboard/` found by walking up from this module —
 * dist/meshnode.mjs (the bundle), dist/src/node/http/ (tsc output) and src/node/http/ (the
 * sources, as the tests run them) all reach it.
 */
export function findDashboardDir (from: string = fileURLToPath(import.meta.url)): string | undefined {
  let dir = dirname(from)
  for (;;) {
    if (basename(dir) === 'dist' && existsSync(join(dir, 'dashboard', 'index.html'))) return join(dir, 'dashboard')
    if (existsSync(join(dir, 'dist', 'dashboard', 'index.html'))) return join(dir, 'dist', 'dashboard')
    const up = dirname(dir)
    if (up === dir) return undefined
    dir = up
  }
}

/** Reads every servable file under `dir` (keys like "index.html", "assets/app-X.js"). */
export function loadDashboard (dir: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>()
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name)
      if (statSync(p).isDirectory()) {
        walk(p)
        continue
      }
      const type = TYPES[extname(name)]
      if (type == null) continue
      const key = relative(dir, p).split(sep).join('/')
      const body = readFileSync(p)
      const twin = (ext: string): Buffer | undefined => existsSync(p + ext) ? readFileSync(p + ext) : undefined
      const br = twin('.br')
      const gz = twin('.gz')
      files.set(key, {
        type,
        body,
        ...(br != null ? { br } : {}),
        ...(gz != null ? { gz } : {}),
        etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
        immutable: key.startsWith('assets/')
      })
    }
  }
  walk(dir)
  if (!files.has('index.html')) throw new Error(`${dir} has no index.html`)
  return files
}

/** The encoding to send: br, then gzip, when the request accepts it (q=0 refuses). */
export function pickEncoding (accept: string | undefined, has: { br?: unknown, gz?: unknown }): 'br' | 'gzip' | undefined {
  if (accept == null || accept === '') return undefined
  const q = new Map<string, number>()
  for (const part of accept.toLowerCase().split(',')) {
    const [name, ...params] = part.trim().split(';')
    const qp = params.map(s => s.trim()).find(s => s.startsWith('q='))
    const v = qp == null ? 1 : Number(qp.slice(2))
    q.set(name!.trim(), Number.isFinite(v) ? v : 0)
  }
  const ok = (e: string): boolean => (q.get(e) ?? q.get('*') ?? 0) > 0
  if (has.br != null && ok('br')) return 'br'
  if (has.gz != null && ok('gzip')) return 'gzip'
  return undefined
}

export interface DashboardOptions {
  /** The built dashboard (default: found from this module, see findDashboardDir). */
  dir?: string
}

export function registerDashboard (app: FastifyInstance, opts: DashboardOptions = {}): void {
  let files: Map<string, StaticFile> | undefined
  const load = (): Map<string, StaticFile> | string => {
    if (files != null) return files
    const dir = opts.dir ?? findDashboardDir()
    if (dir == null) return 'the dashboard\'s files (dist/dashboard/) are missing from this installation: build them with `npm run build`'
    try {
      files = loadDashboard(dir)
      return files
    } catch (err) {
      return `the dashboard's files in ${dir} cannot be read (${(err as Error).message}): rebuild them with \`npm run build\``
    }
  }

  const serve = async (req: FastifyRequest, reply: FastifyReply, key: string): Promise<FastifyReply> => {
    const all = load()
    if (typeof all === 'string') {
      return await reply.code(500).type('text/plain; charset=utf-8').header('cache-control', 'no-store')
        .send(`meshnode: ${all}. The /v1 API and /metrics still work.\n`)
    }
    const f = all.get(key)
    if (f == null) return await reply.code(404).type('text/plain; charset=utf-8').send(`no such dashboard file: /${key}\n`)
    reply.header('content-type', f.type)
      .header('cache-control', f.immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
      .header('etag', f.etag)
      .header('vary', 'accept-encoding')
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
    if (f.type.startsWith('text/html')) reply.header('content-security-policy', DASHBOARD_CSP).header('x-frame-options', 'DENY')
    if (req.headers['if-none-match'] === f.etag) return await reply.code(304).send()
    const enc = pickEncoding(req.headers['accept-encoding'] as string | undefined, f)
    if (enc != null) reply.header('content-encoding', enc)
    return await reply.send(enc === 'br' ? f.br : enc === 'gzip' ? f.gz : f.body)
  }

  app.get('/', async (req, reply) => await serve(req, reply, 'index.html'))
  app.get('/index.html', async (req, reply) => await serve(req, reply, 'index.html'))
  app.get('/favicon.svg', async (req, reply) => await serve(req, reply, 'favicon.svg'))
  app.get<{ Params: { file: string } }>('/assets/:file', async (req, reply) => await serve(req, reply, `assets/${req.params.file}`))
}
