// The config commands of the CLI: set, get, list, delete of the replicated configuration,
// over the admin protocol (configSet, configGet, configList, configDelete).
import type { Command } from 'commander'
import type { ConfigEntry } from '../../wire/proto/admin.js'
import { MeshError } from '../errors.js'
import { withTarget, type Admin, type CliOutput, type TargetOptions } from './target.js'

export function addConfigCommands (program: Command, admin: Admin, io: CliOutput): void {
  const config = program.command('config')
    .description('read and write the replicated cluster configuration')
  const printEntries = (entries: ConfigEntry[], json: boolean | undefined): void => {
    const rows = entries.map(e => ({ key: e.key, value: e.value, version: Number(e.version) }))
    io.out(json === true ? JSON.stringify(rows, null, 2) + '\n' : rows.map(r => `${r.key}=${r.value}  (v${r.version})`).join('\n') + (rows.length > 0 ? '\n' : ''))
  }
  withTarget(config.command('set <key> <value>').description('set a key (committed through Raft before it returns)'))
    .option('--expect-version <n>', 'compare-and-set: only if the key is at this version (0 = unset)')
    .action(async (key: string, value: string, opts: TargetOptions & { expectVersion?: string }) => {
      const ev = opts.expectVersion == null ? undefined : Number(opts.expectVersion)
      if (ev !== undefined && !(Number.isInteger(ev) && ev >= 0)) throw new MeshError('USAGE', `invalid --expect-version "${opts.expectVersion}"`)
      const res = await admin(opts, 'configSet', { key, value, ...(ev !== undefined ? { expectVersion: BigInt(ev) } : {}) })
      io.out(opts.json === true ? JSON.stringify({ key, value, version: Number(res.version) }) + '\n' : `${key}=${value}  (v${res.version})\n`)
    })
  withTarget(config.command('get <key>').description('print one key as this node has applied it'))
    .action(async (key: string, opts: TargetOptions) => {
      const [e] = (await admin(opts, 'configGet', { key })).entries
      if (e == null) throw new MeshError('NOT_FOUND', `config key "${key}" is not set`)
      // One key, one object (list prints an array).
      io.out(opts.json === true ? JSON.stringify({ key: e.key, value: e.value, version: Number(e.version) }) + '\n' : `${e.key}=${e.value}  (v${e.version})\n`)
    })
  withTarget(config.command('list').description('print every key as this node has applied it'))
    .action(async (opts: TargetOptions) => {
      printEntries((await admin(opts, 'configList', {})).entries, opts.json)
    })
  withTarget(config.command('delete <key>').description('delete a key'))
    .action(async (key: string, opts: TargetOptions) => {
      await admin(opts, 'configDelete', { key })
      io.out(opts.json === true ? JSON.stringify({ key, deleted: true }) + '\n' : `deleted ${key}\n`)
    })
}
