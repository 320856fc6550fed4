// What the client commands share: the options that pick a node (--data-dir or --peer, and
// --json), and the one function they send admin commands with.
import type { Command } from 'commander'
import type { Libp2p } from 'libp2p'
import type { AdminCommandName, AdminParams, AdminResult } from '../../wire/calls.js'
import { adminCall } from '../client/admin.js'
import { resolveTarget } from '../client/status.js'
import { defaultDataDir } from '../config.js'
import { MeshError } from '../errors.js'

export interface TargetOptions {
  dataDir?: string
  peer?: string
  json?: boolean
}

/** Sends one admin command to the node the options pick; throws the server's code unchanged. */
export type Admin = <K extends AdminCommandName>(opts: TargetOptions, name: K, params: AdminParams<K>, client?: Libp2p) => Promise<AdminResult<K>>

export interface CliOutput {
  out: (text: string) => void
  err: (text: string) => void
  isTTY: boolean
}

/** Adds --data-dir, --peer and --json to a client command. */
export function withTarget (c: Command): Command {
  return c
    .option('--data-dir <dir>', 'ask the node running with this data dir (default ~/.meshnode)')
    .option('--peer <multiaddr>', 'ask the node at this address instead')
    .option('--json', 'print JSON')
}

export function adminClient (env: NodeJS.ProcessEnv): Admin {
  return async (opts, name, params, client) => {
    if (opts.dataDir != null && opts.peer != null) throw new MeshError('USAGE', 'give either --data-dir or --peer, not both')
    const addr = await resolveTarget({ peer: opts.peer, dataDir: opts.peer == null ? (opts.dataDir ?? defaultDataDir(env)) : undefined })
    return await adminCall(addr, name, params, client)
  }
}
