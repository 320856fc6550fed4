// `meshnode top` as plain text: the lines it prints when stdout is not a terminal (one per
// event, a status line every 10 s), the `--once` snapshot, and the small formatters the
// terminal view shares. Pure: every function takes what it shows, the time included.
import { table } from '../cli/table.js'
import { describeEvent, type JobRow, type TopEvent, type TopView } from './model.js'

/** 2026-11-29T07:01:02Z: seconds are enough for a log line. */
export function isoSeconds (ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

/** One line for one event: `TIME TYPE DETAILS`. */
export function eventLine (e: TopEvent, nameOf?: (peerId: string) => string): string {
  return `${isoSeconds(e.at)} ${e.event} ${describeEvent(e, nameOf)}`
}

/** 0.3s, 12s, 4m, 2h. */
export function ago (ms: number): string {
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)}s`
  if (ms < 120_000) return `${Math.round(ms / 1000)}s`
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)}m`
  return `${Math.round(ms / 3_600_000)}h`
}

export function perSec (n: number): string {
  return n >= 100 ? n.toFixed(0) : n.toFixed(1)
}

export function percent (share: number): string {
  return `${Math.round(Math.max(0, share) * 100)}%`
}

/** A job's finished share, 0..1, or null while its counts are unknown. */
export function jobShare (j: JobRow): number | null {
  if (!j.counted || j.total == null || j.total <= 0) return null
  return Math.min(1, j.done / j.total)
}

/** `[####......]` `width` characters wide (brackets included); blank when unknown. */
export function bar (share: number | null, width: number, fill = '#', empty = '.'): string {
  const inner = Math.max(1, width - 2)
  if (share == null) return `[${' '.repeat(inner)}]`
  const full = Math.round(share * inner)
  return `[${fill.repeat(full)}${empty.repeat(inner - full)}]`
}

export function doneOfTotal (j: JobRow): string {
  if (!j.counted || j.total == null) return '?'
  return `${j.done}/${j.total}`
}

/** The header: mesh, nodes by state, leader, term, this node's role. */
export function headerLine (v: TopView): string {
  const c = v.counts
  const states = [`${c.alive} alive`, ...(c.suspect > 0 ? [`${c.suspect} suspect`] : []), ...(c.dead > 0 ? [`${c.dead} dead`] : []), ...(c.left > 0 ? [`${c.left} left`] : [])].join(', ')
  const leader = v.leader == null ? 'none' : v.nodes.find(n => n.peerId === v.leader)?.name ?? v.leader.slice(-6)
  return `mesh ${v.mesh} · ${v.nodes.length} node${v.nodes.length === 1 ? '' : 's'} (${states}) · leader ${leader} · term ${v.term} · ${v.self.name} is ${v.self.role}`
}

export function ratesLine (v: TopView): string {
  const f = v.jobsFinished
  return `${perSec(v.tasksPerSec)} tasks/s · ${perSec(v.failuresPerSec)} task failures/s · ${v.jobs.length} running jobs · finished since start: ${f.completed} completed, ${f.failed} failed, ${f.cancelled} cancelled`
}

/** The line non-TTY mode prints every 10 s. */
export function statusLine (v: TopView, now: number): string {
  return `${isoSeconds(now)} status ${headerLine(v)} · ${ratesLine(v)}${v.connection === 'reconnecting' ? ` · reconnecting${v.reason !== '' ? ` (${v.reason})` : ''}` : ''}`
}

export function nodesTable (v: TopView): string {
  return table([
    ['NAME', 'STATE', 'ROLE', 'LOAD', 'CAPABILITIES', 'LAST SEEN'],
    ...v.nodes.map(n => [
      `${n.name === '' ? n.peerId.slice(-6) : n.name}${n.self ? '*' : ''}`,
      `${n.state}${n.dead && n.state !== 'dead' ? ' (dead)' : ''}${n.draining ? ' draining' : ''}`,
      n.peerId === v.leader ? 'leader' : n.role,
      n.state === 'alive' || n.state === 'suspect' ? percent(n.load) : '-',
      n.capabilities.length > 0 ? n.capabilities.join(',') : '-',
      n.self ? 'self' : ago(n.lastSeenNowMs)
    ])
  ])
}

export function jobsTable (v: TopView, nameOf: (peerId: string) => string): string {
  if (v.jobs.length === 0) return 'no running jobs\n'
  return table([
    ['JOB', 'NAME', 'HOME', 'PROGRESS', 'DONE/TOTAL', 'FAILED'],
    ...v.jobs.map(j => {
      const share = jobShare(j)
      return [j.id, j.name ?? '-', nameOf(j.home), `${bar(share, 22)} ${share == null ? '' : percent(share)}`.trimEnd(), doneOfTotal(j), j.counted ? String(j.failed) : '?']
    })
  ])
}

/** `meshnode top --once`: the whole picture as plain text. */
export function snapshot (v: TopView, nameOf: (peerId: string) => string): string {
  const failures = v.failures.length === 0 ? 'none seen\n' : v.failures.map(f => `${isoSeconds(f.at)} ${f.type} ${f.text}`).join('\n') + '\n'
  return `${headerLine(v)}\n\n${nodesTable(v)}\n${jobsTable(v, nameOf)}\nRECENT FAILURES\n${failures}`
}
