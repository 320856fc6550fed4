// `meshnode approvals`, `meshnode approve ID`, `meshnode reject ID`: workflow approval gates
// (admin approvalsList / approvalDecide; src/workflow/approvals.ts). A gate is decided by an
// operator or by a key it names among its approvers; the decision is in the control log and
// in every node's audit log.
import type { Command } from 'commander'
import type { ApprovalEntry } from '../../wire/proto/admin.js'
import { withTarget, type Admin, type CliOutput, type TargetOptions } from './target.js'
import { table } from './table.js'
import { approvalJson } from '../client/approvals-json.js'

interface ListOptions extends TargetOptions { all?: boolean }
interface DecideOptions extends TargetOptions { comment?: string }

export function addApprovalCommands (program: Command, admin: Admin, io: CliOutput): void {
  withTarget(program.command('approvals'))
    .description('list the approval gates of workflows waiting for a decision (earliest deadline first)')
    .option('--all', 'also list decided and cancelled gates (kept until retention forgets their job)')
    .addHelpText('after', '\nDecide one with `meshnode approve ID` or `meshnode reject ID` (an operator, or a key the gate names among its approvers).')
    .action(async (opts: ListOptions) => {
      const res = await admin(opts, 'approvalsList', { all: opts.all === true })
      if (opts.json === true) {
        io.out(JSON.stringify({ approvals: res.approvals.map(approvalJson) }, null, 2) + '\n')
        return
      }
      io.out(formatApprovals(res.approvals, res.now, opts.all === true))
    })

  for (const verb of ['approve', 'reject'] as const) {
    withTarget(program.command(verb))
      .description(verb === 'approve'
        ? 'approve a pending approval gate: its workflow goes on'
        : 'reject a pending approval gate: its step fails')
      .argument('<id>', 'the gate\'s id (JOB:STEP; `meshnode approvals` lists pending ones)')
      .option('--comment <text>', 'a note recorded with the decision (in the audit log too)')
      .addHelpText('after', '\nAllowed for an operator, or for a key the gate names among its approvers (even one with no grant).')
      .action(async (id: string, opts: DecideOptions) => {
        const rec = await admin(opts, 'approvalDecide', { id, approved: verb === 'approve', comment: opts.comment ?? '' })
        if (opts.json === true) {
          io.out(JSON.stringify(approvalJson(rec)) + '\n')
          return
        }
        io.out(`${rec.id}: ${rec.state}${rec.comment !== '' ? ` (${rec.comment})` : ''}\n`)
      })
  }
}

export function formatApprovals (list: readonly ApprovalEntry[], now: number, all: boolean): string {
  if (list.length === 0) return all ? 'no approval gates\n' : 'no approvals pending\n'
  const header = ['ID', 'JOB', 'STEP', 'PROMPT', 'REQUESTED', 'EXPIRES IN', 'APPROVERS', ...(all ? ['STATE', 'BY'] : [])]
  return table([header, ...list.map(a => [
    a.id,
    a.jobId,
    a.step,
    oneLine(a.prompt, 60),
    time(a.requestedAt),
    a.state === 'pending' ? `${span(a.deadline - now)} (then ${a.onTimeout === 'approve' ? 'approved' : 'rejected'})` : '-',
    a.approvers.length > 0 ? a.approvers.join(',') : 'operators',
    ...(all ? [a.state, a.by === '' ? '-' : a.by] : [])
  ])])
}

function oneLine (text: string, max: number): string {
  const t = text.replace(/\s+/g, ' ').trim()
  return t.length > max ? `${t.slice(0, max - 1)}…` : t
}

function time (at: number): string {
  return new Date(at).toISOString().replace('T', ' ').slice(0, 19)
}

/** "2h 5m", "40s", "due" for a deadline passed (the leader expires it at once). */
export function span (ms: number): string {
  if (ms <= 0) return 'due'
  const s = Math.ceil(ms / 1000)
  if (s < 60) return `${s}s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m}m ${s % 60}s`
  const h = Math.floor(m / 60)
  if (h < 48) return `${h}h ${m % 60}m`
  return `${Math.floor(h / 24)}d ${h % 24}h`
}
