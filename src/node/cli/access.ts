// The access-control commands of the CLI: `operator add|remove|list|whoami` (grants committed
// through Raft: grantSet, grantRemove, grantList, whoAmI) and `audit` (auditList). See
// src/node/access for what the roles allow.
import type { Command } from 'commander'
import { GRANT_ROLES } from '../../consensus/control.js'
import type { AuditEntry } from '../../wire/proto/admin.js'
import { MeshError } from '../errors.js'
import { withTarget, type Admin, type CliOutput, type TargetOptions } from './target.js'
import { intArg, table } from './table.js'

export function addAccessCommands (program: Command, admin: Admin, io: CliOutput): void {
  const operator = program.command('operator')
    .description('grant client keys the right to use the mesh (committed through Raft, enforced on every node)')
  withTarget(operator.command('add <peer-id>'))
    .description('grant a client key (its peer id, from `meshnode keygen --client`) a role; replaces its earlier grant')
    .option('--role <role>', `${GRANT_ROLES.join(' | ')}: a submitter submits and reads jobs; an operator also writes config, cancels and grants`, 'submitter')
    .option('--commands', 'also allow submitting shell-command (cmd) tasks')
    .action(async (peerId: string, opts: TargetOptions & { role: string, commands?: boolean }) => {
      if (!(GRANT_ROLES as readonly string[]).includes(opts.role)) throw new MeshError('USAGE', `invalid --role "${opts.role}": use ${GRANT_ROLES.join(' or ')}`)
      await admin(opts, 'grantSet', { peerId, role: opts.role, commands: opts.commands === true })
      io.out(opts.json === true ? JSON.stringify({ peerId, role: opts.role, commands: opts.commands === true }) + '\n' : `granted ${peerId}: ${opts.role}${opts.commands === true ? ' with commands' : ''}\n`)
    })
  withTarget(operator.command('remove <peer-id>'))
    .description('revoke a client key\'s grant on every node')
    .action(async (peerId: string, opts: TargetOptions) => {
      await admin(opts, 'grantRemove', { peerId })
      io.out(opts.json === true ? JSON.stringify({ peerId, removed: true }) + '\n' : `revoked ${peerId}\n`)
    })
  withTarget(operator.command('list'))
    .description('list the committed grants')
    .action(async (opts: TargetOptions) => {
      const { grants } = await admin(opts, 'grantList', {})
      const rows = grants.map(g => ({ peerId: g.peerId, role: g.role, commands: g.commands, index: g.index, ...(g.by !== '' ? { by: g.by } : {}), ...(g.at > 0 ? { at: new Date(g.at).toISOString() } : {}) }))
      if (opts.json === true) {
        io.out(JSON.stringify(rows, null, 2) + '\n')
        return
      }
      io.out(rows.length === 0 ? 'no grants (only each node\'s local CLI may act)\n' : table([['PEER ID', 'ROLE', 'COMMANDS', 'GRANTED'], ...rows.map(r => [r.peerId, r.role, r.commands ? 'yes' : 'no', r.at ?? `index ${r.index}`])]))
    })
  withTarget(operator.command('whoami'))
    .description('show the peer id and rights the node sees for this client')
    .action(async (opts: TargetOptions) => {
      const me = await admin(opts, 'whoAmI', {})
      io.out(opts.json === true ? JSON.stringify(me) + '\n' : `${me.peerId}  role ${me.role}  rights ${me.rights.length > 0 ? me.rights.join(', ') : 'none (status only)'}\n`)
    })

  withTarget(program.command('audit'))
    .description('print the audit log: config writes, grants, cancels, command jobs and refused requests, newest first')
    .option('--limit <n>', 'at most this many (default 100)')
    .option('--before <cursor>', 'only entries older than this cursor (paging)')
    .action(async (opts: TargetOptions & { limit?: string, before?: string }) => {
      const limit = opts.limit == null ? 0 : intArg(opts.limit, '--limit', 1)
      const res = await admin(opts, 'auditList', { limit, before: opts.before ?? '' })
      if (opts.json === true) {
        io.out(JSON.stringify({ entries: res.entries.map(auditJson), ...(res.next !== '' ? { next: res.next } : {}) }, null, 2) + '\n')
        return
      }
      if (res.entries.length === 0) {
        io.out('no audit entries\n')
        return
      }
      io.out(table([['TIME', 'WHO', 'ACTION', 'TARGET', 'OUTCOME', 'DETAIL'], ...res.entries.map(e => [e.at > 0 ? new Date(e.at).toISOString() : '-', e.who, e.action, e.target, e.outcome, e.detail])]))
      if (res.next !== '') io.err(`more: --before ${res.next}\n`)
    })
}

function auditJson (e: AuditEntry): Record<string, unknown> {
  return { cursor: e.cursor, at: e.at, who: e.who, action: e.action, target: e.target, outcome: e.outcome, detail: e.detail, node: e.node }
}
