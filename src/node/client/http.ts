// A client of a node's HTTP API (src/node/http), for commands that follow the mesh live
// (`meshnode top`). It finds the node — `--url` (MESHNODE_HTTP_URL), or the `http` field of
// node.json in `--data-dir` — and signs a bearer token with the client's key (the data
// dir's operator key, or `--key`), or sends the `--token` it was given (MESHNODE_TOKEN).
// Reading needs no token on loopback; one is still sent when there is one, so the same
// command works against a node on another host.
import type { PrivateKey } from '@libp2p/interface'
import { join } from 'node:path'
import { MeshError, errorMessage, type MeshErrorCode } from '../errors.js'
import { DEFAULT_TOKEN_TTL_MS, mintToken } from '../http/token.js'
import { OPERATOR_KEY_FILE, loadKeyFile } from '../store/identity.js'
import { readRuntimeFile } from '../store/runtime-file.js'
import { describeFetchError } from './event-stream.js'
import { exists, nonEmpty } from './credentials.js'

export const HTTP_ENV = { url: 'MESHNODE_HTTP_URL', token: 'MESHNODE_TOKEN', keyFile: 'MESHNODE_KEY_FILE' } as const

export interface HttpTargetOptions {
  dataDir?: string
  url?: string
  key?: string
  token?: string
}

/** One request's longest wait: the API answers from memory, or forwards once. */
const REQUEST_TIMEOUT_MS = 10_000
/** A minted token is renewed this long before it expires. */
const RENEW_BEFORE_MS = 3_600_000

export class HttpClient {
  private token: string | undefined
  private tokenExpires = 0

  /**
   * `base` is `http://HOST:PORT` with no trailing slash. `locate` finds it again (node.json
   * of a data dir: a node restarted on `auto` may serve on another port).
   */
  constructor (public base: string, private readonly auth: { token?: string, key?: PrivateKey }, private readonly doFetch: typeof fetch = fetch, private readonly locate?: () => Promise<string>) {
    this.token = auth.token
  }

  /** Looks the address up again where it came from (a no-op for --url); throws NODE_NOT_RUNNING. */
  async relocate (): Promise<void> {
    if (this.locate != null) this.base = await this.locate()
  }

  /** GET a JSON endpoint; a refusal becomes a MeshError with the server's code and message. */
  async get<T> (path: string): Promise<T> {
    return await this.request<T>(path, await this.headers())
  }

  /** The Authorization header (none without a token or key); a minted token is renewed before it expires. */
  async headers (): Promise<Record<string, string>> {
    if (this.auth.key != null && this.auth.token == null && Date.now() > this.tokenExpires - RENEW_BEFORE_MS) {
      // The token names the mesh, which /v1/status tells anyone.
      const status = await this.request<{ mesh: string }>('/v1/status', {})
      const now = Date.now()
      this.token = await mintToken(this.auth.key, status.mesh, DEFAULT_TOKEN_TTL_MS, now)
      this.tokenExpires = now + DEFAULT_TOKEN_TTL_MS
    }
    return this.token != null ? { authorization: `Bearer ${this.token}` } : {}
  }

  private async request<T> (path: string, headers: Record<string, string>): Promise<T> {
    let res: Response
    try {
      res = await this.doFetch(this.base + path, { headers, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) })
    } catch (err) {
      throw new MeshError('UNREACHABLE', `cannot reach meshnode at ${this.base}: ${describeFetchError(err)}. Is it running?`, { cause: err })
    }
    const text = await res.text()
    let body: any
    try {
      body = JSON.parse(text)
    } catch {
      throw new MeshError('BAD_RESPONSE', `${this.base}${path} answered HTTP ${res.status} with something that is not JSON: ${text.slice(0, 120)}`)
    }
    if (res.ok) return body as T
    const code = (typeof body?.error?.code === 'string' ? body.error.code : 'BAD_RESPONSE') as MeshErrorCode
    throw new MeshError(code, `${this.base}${path}: ${body?.error?.message ?? `HTTP ${res.status}`}`)
  }
}

/** The client the options pick: `--url`/MESHNODE_HTTP_URL, else the node of `--data-dir`. */
export async function httpClient (o: HttpTargetOptions, env: NodeJS.ProcessEnv, defaultDataDir: string, doFetch: typeof fetch = fetch): Promise<HttpClient> {
  const url = o.url ?? nonEmpty(env[HTTP_ENV.url])
  if (o.url != null && o.dataDir != null) throw new MeshError('USAGE', 'give either --data-dir or --url, not both')
  const token = o.token ?? nonEmpty(env[HTTP_ENV.token])
  let keyFile = o.key ?? nonEmpty(env[HTTP_ENV.keyFile])
  let base: string
  let locate: (() => Promise<string>) | undefined
  if (url != null && o.dataDir == null) {
    base = parseBaseUrl(url)
  } else {
    const dataDir = o.dataDir ?? defaultDataDir
    locate = async () => await baseOfDataDir(dataDir)
    base = await locate()
    if (keyFile == null && await exists(join(dataDir, OPERATOR_KEY_FILE))) keyFile = join(dataDir, OPERATOR_KEY_FILE)
  }
  const key = token == null && keyFile != null ? await loadKeyFile(keyFile) : undefined
  return new HttpClient(base, { ...(token != null ? { token } : {}), ...(key != null ? { key } : {}) }, doFetch, locate)
}

/** Where the node of `dataDir` serves HTTP, from its node.json. */
async function baseOfDataDir (dataDir: string): Promise<string> {
  const rt = await readRuntimeFile(dataDir)
  if (rt.http == null || rt.http === '') throw new MeshError('NODE_NOT_RUNNING', `the meshnode of ${dataDir} (pid ${rt.pid}) serves no HTTP (started with --http off, or older than the HTTP API); restart it with --http HOST:PORT, or give --url`)
  return parseBaseUrl(`http://${rt.http.replace(/^0\.0\.0\.0:/, '127.0.0.1:').replace(/^\[::\]:/, '[::1]:')}`)
}

/** `http://host:port` from what a user typed (a trailing slash or path is dropped), or USAGE. */
export function parseBaseUrl (raw: string): string {
  let u: URL
  try {
    u = new URL(/^[a-z]+:\/\//i.test(raw) ? raw : `http://${raw}`)
  } catch (err) {
    throw new MeshError('USAGE', `invalid --url "${raw}": ${errorMessage(err)} (expected http://HOST:PORT)`)
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new MeshError('USAGE', `invalid --url "${raw}": expected http://HOST:PORT`)
  return `${u.protocol}//${u.host}`
}
