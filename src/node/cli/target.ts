// What the client commands share: the options that pick a node (--data-dir or --peer, and
// --json), and the one function they send admin commands with.
import type { Command } from 'commander'
import type { Libp2p } from 'libp2p'
import type { AdminCommandName, AdminParams, AdminResult } from '../../wire/calls.js'
import { adminCall } from '../client/admin.js'
import { resolveClient, targetFromEnv, type ClientTarget } from '../client/credentials.js'
import { defaultDataDir } from '../config.js'
import { createCaller } from '../transport/rpc.js'
import { toMultiaddrString } from '../transport/address.js'

/** The environment variable a client reads for the node to ask (HOST:PORT or a multiaddr). */
export const CLIENT_ADDR_ENV = 'MESHNODE_ADDR'

export interface TargetOptions {
  dataDir?: string
  peer?: string
  key?: string
  meshKey?: string[]
  json?: boolean
}

/**
 * Sends one admin command to the node the options pick; throws the server's code unchanged.
 * `openClient` makes a client host, with the same credentials, for a series of calls.
 */
export type Admin = (<K extends AdminCommandName>(opts: TargetOptions, name: K, params: AdminParams<K>, client?: Libp2p) => Promise<AdminResult<K>>) & {
  openClient: (opts: TargetOptions) => Promise<Libp2p>
}

export interface CliOutput {
  out: (text: string) => void
  err: (text: string) => void
  isTTY: boolean
}

/** Adds the options that pick a node and say who the client is, and --json. */
export function withTarget (c: Command, json = true): Command {
  c.option('--data-dir <dir>', 'ask the node running with this data dir, as its local operator (default ~/.meshnode)')
    .option('--peer <address>', 'ask the node at this address instead: HOST:PORT or a multiaddr (env MESHNODE_ADDR)')
    .option('--key <file>', 'sign in with this client key (meshnode keygen --client; env MESHNODE_KEY_FILE)')
    .option('--mesh-key <file>', 'the mesh key to connect with (env MESHNODE_MESH_KEY_FILE; default with --data-dir: the node\'s own)', collect, undefined)
  if (json) c.option('--json', 'print JSON')
  return c
}

function collect (value: string, prev: string[] | undefined): string[] {
  return [...(prev ?? []), value]
}

/** The node a client command's options pick, and the client's credentials. */
export function clientTarget (opts: TargetOptions, env: NodeJS.ProcessEnv): ClientTarget {
  // MESHNODE_ADDR (like NOMAD_ADDR) picks a node when neither --peer nor --data-dir does.
  const envAddr = opts.dataDir == null && env[CLIENT_ADDR_ENV] != null && env[CLIENT_ADDR_ENV] !== '' ? env[CLIENT_ADDR_ENV] : undefined
  const peer = opts.peer ?? envAddr
  return targetFromEnv({
    ...(peer != null ? { peer: toMultiaddrString(peer) } : {}),
    ...(peer == null || opts.dataDir != null ? { dataDir: opts.dataDir ?? defaultDataDir(env) } : {}),
    ...(opts.key != null ? { keyFile: opts.key } : {}),
    ...(opts.meshKey != null ? { meshKeyFiles: opts.meshKey } : {})
  }, env)
}

export function adminClient (env: NodeJS.ProcessEnv): Admin {
  const send = async <K extends AdminCommandName>(opts: TargetOptions, name: K, params: AdminParams<K>, client?: Libp2p): Promise<AdminResult<K>> => {
    const t = await resolveClient(clientTarget(opts, env))
    return await adminCall(t.addr, name, params, client, t)
  }
  return Object.assign(send, {
    openClient: async (opts: TargetOptions) => await createCaller(await resolveClient(clientTarget(opts, env)))
  })
}
