// `meshnode token`: a bearer token for the HTTP API and dashboard (src/node/http/token.ts),
// signed with the client's key — the node's operator key with --data-dir, or a client key
// with --key — so it carries exactly that key's rights, and expires.
import type { Command } from 'commander'
import { fetchStatus } from '../client/status.js'
import { resolveClient } from '../client/credentials.js'
import { MeshError } from '../errors.js'
import { DEFAULT_TOKEN_TTL_MS, MAX_TOKEN_TTL_MS, mintToken } from '../http/token.js'
import { parseDuration } from './table.js'
import { clientTarget, withTarget, type CliOutput, type TargetOptions } from './target.js'

export function addTokenCommand (program: Command, io: CliOutput, env: NodeJS.ProcessEnv): void {
  withTarget(program.command('token'))
    .description('print a bearer token for the HTTP API and dashboard, signed with your key (its grants are its rights)')
    .option('--ttl <duration>', 'how long it is valid: 30m, 24h, 7d (default 24h, at most 90d)')
    .option('--url', 'print the node\'s dashboard address with the token in it instead')
    .action(async (opts: TargetOptions & { ttl?: string, url?: boolean }) => {
      const ttlMs = opts.ttl == null ? DEFAULT_TOKEN_TTL_MS : parseDuration(opts.ttl, '--ttl', MAX_TOKEN_TTL_MS)
      const target = clientTarget(opts, env)
      const { key } = await resolveClient(target)
      if (key == null) throw new MeshError('USAGE', 'a token is signed with a key: give --key FILE (meshnode keygen --client, then an operator grants it), or run on the node\'s host with --data-dir')
      // The mesh name goes into the token (a token for one mesh is refused by another), and
      // the node says where its dashboard is.
      const status = await fetchStatus(target)
      const now = Date.now()
      const token = await mintToken(key, status.mesh, ttlMs, now)
      const url = status.http != null ? `${status.http}#token=${token}` : undefined
      if (opts.url === true && url == null) throw new MeshError('USAGE', 'that node serves no HTTP (started with --http off)')
      if (opts.json === true) {
        io.out(JSON.stringify({ token, mesh: status.mesh, expiresAt: new Date(now + ttlMs).toISOString(), ...(url != null ? { url } : {}) }) + '\n')
        return
      }
      io.out(`${opts.url === true ? url! : token}\n`)
    })
}
