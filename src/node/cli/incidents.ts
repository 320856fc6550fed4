// `meshnode incidents` and `meshnode incident ID`: the incident log (admin incidentsList /
// incidentGet; src/node/observe/incident-log.ts). The list is this node's unless --mesh asks
// every live member and merges records by id; `incident ID` always asks the mesh (one record
// is cheap, and a death's reclaims are recorded on the nodes that did them) unless --local.
import type { Command } from 'commander'
import type { Incident } from '../../healing/incidents.js'
import { MeshError } from '../errors.js'
import { withTarget, type Admin, type CliOutput, type TargetOptions } from './target.js'
import { MAX_SINCE_MS, intArg, parseDuration, table } from './table.js'

interface ListOptions extends TargetOptions { since?: string, limit?: string, mesh?: boolean }
interface GetOptions extends TargetOptions { local?: boolean }

/** `--since`: a duration back from now (30s, 15m, 1h, 2d) or a time (ISO 8601, e.g. 2026-11-29T10:00:00Z). */
export function parseSince (text: string, now: number): number {
  if (/^\d+(\.\d+)?(ms|s|m|h|d)?$/.test(text.trim())) return now - parseDuration(text, '--since', MAX_SINCE_MS)
  const at = Date.parse(text)
  if (Number.isNaN(at)) throw new MeshError('USAGE', `invalid --since "${text}": expected a duration such as 30m or 2d, or a time such as 2026-11-29T10:00:00Z`)
  return at
}

export function addIncidentCommands (program: Command, admin: Admin, io: CliOutput): void {
  withTarget(program.command('incidents'))
    .description('what went wrong and what the mesh did about it: deaths and their reclaims, circuits, escalations, stuck jobs, resources (newest first)')
    .option('--since <duration|time>', 'only incidents opened or updated in the last 30m, 2d, ... or since a time (ISO 8601)')
    .option('--limit <n>', 'at most this many (default 100)')
    .option('--mesh', 'ask every live member and merge their records by id (default: this node\'s log)')
    .action(async (opts: ListOptions) => {
      const since = opts.since == null ? 0 : parseSince(opts.since, Date.now())
      const limit = opts.limit == null ? 0 : intArg(opts.limit, '--limit', 1)
      const res = await admin(opts, 'incidentsList', { since, limit, mesh: opts.mesh === true })
      const incidents = res.incidents.map(j => JSON.parse(j) as Incident)
      if (opts.json === true) {
        io.out(JSON.stringify({ incidents, nodes: { answered: res.answered, missing: res.missing } }, null, 2) + '\n')
        return
      }
      io.out(formatIncidents(incidents))
      for (const m of res.missing) io.err(`meshnode: ${m.peerId} did not answer: ${m.error}\n`)
    })

  withTarget(program.command('incident'))
    .description('one incident: its timeline and a summary in plain words (what happened, what the mesh did, what is left for you)')
    .argument('<id>', 'the incident id (meshnode incidents lists them)')
    .option('--local', 'only this node\'s record (default: merged from every live member)')
    .action(async (id: string, opts: GetOptions) => {
      const res = await admin(opts, 'incidentGet', { id, mesh: opts.local !== true })
      const r = JSON.parse(res.incidents[0]!) as Incident
      if (opts.json === true) {
        io.out(JSON.stringify({ ...r, nodesAsked: { answered: res.answered, missing: res.missing } }, null, 2) + '\n')
        return
      }
      io.out(formatIncident(r))
    })
}

export function formatIncidents (list: readonly Incident[]): string {
  if (list.length === 0) return 'no incidents\n'
  return table([['ID', 'OPENED', 'CAUSE', 'STATE', 'TITLE'], ...list.map(r => [r.id, time(r.opened), r.cause, r.state, r.title])])
}

export function formatIncident (r: Incident): string {
  const name = (p: string): string => r.names[p] ?? p
  const lines = [
    `${r.id}: ${r.title}`,
    `cause ${r.cause}, ${r.state}; opened ${time(r.opened)}${r.closed != null ? `, closed ${time(r.closed)}` : `, last update ${time(r.updated)}`}`,
    ...(r.nodes.length > 0 ? [`nodes: ${r.nodes.map(name).join(', ')}`] : []),
    ...(r.jobs.length > 0 ? [`jobs: ${r.jobs.join(', ')}`] : []),
    '',
    r.summary,
    '',
    'timeline:',
    ...r.timeline.map(t => `  ${time(t.at)}  ${t.text}`)
  ]
  return lines.join('\n') + '\n'
}

function time (at: number): string {
  return new Date(at).toISOString().replace('T', ' ').slice(0, 19)
}
