// The job commands of the CLI: submit, jobs, job, cancel. They talk to a running node over
// the admin protocol (jobsSubmit, jobsList, jobGet, jobCancel in
// src/node/services/admin-commands.ts); any node accepts them.
import { SingleBar } from 'cli-progress'
import { readFile } from 'node:fs/promises'
import type { Command } from 'commander'
import type { Libp2p } from 'libp2p'
import { MAX_CAPABLE_WAIT_MS, parseJobInput, type JobInput } from '../../work/spec.js'
import { renderView } from '../../workflow/index.js'
import { detailJson, retentionJson, summaryJson, type JobDetails, type JobSummary } from '../client/jobs-json.js'
import { untilFinished } from '../client/job-wait.js'
import { MeshError, errorMessage } from '../errors.js'
import { formatDuration } from '../client/status-json.js'
import { withTarget, type Admin, type CliOutput, type TargetOptions } from './target.js'
import { MAX_SINCE_MS, csv, intArg, parseDuration, table } from './table.js'

export interface SubmitOptions extends TargetOptions {
  cmd?: string
  file?: string
  requires?: string
  attempts?: string
  timeoutMs?: string
  priority?: string
  name?: string
  queueUntilCapable?: boolean
  capableTimeout?: string
  keep?: string
  delay?: string
  at?: string
  wait?: boolean
  pollMs?: string
}

type IO = CliOutput

/** How long `submit --queue-until-capable` waits for a capable node by default. */
const DEFAULT_CAPABLE_WAIT_MS = 10 * 60_000

/**
 * `submit --wait` asks the job's home to answer when the job ends (a long poll): every BAR_MS
 * when it draws a progress bar, else every MAX_JOB_WAIT_MS; an older node, which answers at
 * once, is asked at most every POLL_MS.
 */
const BAR_MS = 500
const POLL_MS = 200

export function addJobCommands (program: Command, admin: Admin, io: IO, setExit: (code: number) => void): void {
  withTarget(program.command('submit [type] [payload]'))
    .description('submit a job: a handler task TYPE with a JSON PAYLOAD, a --cmd, or a --file job.json')
    .option('--cmd <command>', 'a shell-command task (runs only on nodes started with --allow-commands)')
    .option('--file <path>', 'a job file: {"tasks": [{"type": ..., "payload": ...}, ...], ...}; - reads stdin')
    .option('--requires <list>', 'comma-separated capabilities a node needs to run the task')
    .option('--attempts <n>', 'tries before the task fails (default 3)')
    .option('--timeout-ms <ms>', 'per-attempt limit, 0 = none (default 60000)')
    .option('--priority <n>', 'higher runs first (default 0)')
    .option('--name <name>', 'a label shown by `meshnode jobs`')
    .option('--queue-until-capable', 'queue the job even if no live node can run it yet, and wait for one to join (job field waitForCapableMs)')
    .option('--capable-timeout <duration>', 'with --queue-until-capable: how long to wait, e.g. 10m, 2h, 7d; 0 = for ever (default 10m)')
    .option('--keep <duration>', 'keep the job this long once finished, e.g. 12h, 30d (instead of retention.maxAgeMs; see `meshnode retention`)')
    .option('--delay <duration>', 'start the job\'s tasks this long from now, e.g. 30s, 2h (at most 30 days)')
    .option('--at <time>', 'start the job\'s tasks at this time: ISO 8601 (2026-12-01T09:00:00Z) or ms since the epoch')
    .option('--wait', 'show progress until the job finishes, then print its result; exit 1 unless it completed')
    .action(async (type: string | undefined, payload: string | undefined, opts: SubmitOptions) => {
      const job = await buildJob(type, payload, opts)
      const client = opts.wait === true ? await admin.openClient(opts) : undefined
      try {
        const res = await admin(opts, 'jobsSubmit', { jobs: [JSON.stringify(job)] }, client)
        const sub = res.jobs[0]!
        if (opts.wait !== true) {
          io.out(opts.json === true ? JSON.stringify(sub) + '\n' : `${sub.id}\n`)
          return
        }
        if (opts.json !== true) io.err(`submitted job ${sub.id} (${sub.tasks} task${sub.tasks === 1 ? '' : 's'})\n`)
        const final = await waitForJob(sub.id, opts, admin, client!, io)
        io.out(opts.json === true ? JSON.stringify(final, null, 2) + '\n' : formatJob(final))
        setExit(final.state === 'completed' ? 0 : 1)
      } finally {
        await client?.stop()
      }
    })

  withTarget(program.command('jobs'))
    .description('list the mesh\'s jobs, newest first: running ones and those finished within a day (--all: every job retained); with --since or --format, export every job of a window')
    .option('--limit <n>', 'at most this many (default 50; with --since/--format: all)')
    .option('--before <id>', 'only jobs older than this id (paging)')
    .option('--since <duration>', 'only jobs created in the last 30s, 15m, 1h, 2d, ...; pages through them all')
    .option('--format <format>', 'table, csv or json: every matching job, with its times and counts (see README)')
    .option('--all', 'also finished jobs older than a day: every job the mesh still retains')
    .option('--stuck', 'only jobs flagged stuck (no progress for stuck.afterMs), with the diagnosis of each; every home is asked')
    .action(async (opts: JobsOptions) => {
      if (opts.stuck === true) {
        if (opts.since != null || opts.format != null || opts.all === true || opts.before != null) throw new MeshError('USAGE', '--stuck lists the jobs stuck now: it goes with --limit and --json only')
        await listStuck(admin, opts, io)
        return
      }
      const format = opts.format
      if (format != null && !EXPORT_FORMATS.includes(format as ExportFormat)) throw new MeshError('USAGE', `unknown --format "${format}": use ${EXPORT_FORMATS.join(', ')}`)
      if (format != null && opts.json === true && format !== 'json') throw new MeshError('USAGE', `--json and --format ${format} contradict each other: give one`)
      const limit = opts.limit == null ? undefined : intArg(opts.limit, '--limit', 1)
      if (opts.since != null || format != null) {
        const since = opts.since == null ? 0 : Date.now() - parseDuration(opts.since, '--since', MAX_SINCE_MS)
        await exportJobs(admin, opts, io, { since, limit, format: (format ?? (opts.json === true ? 'json' : 'table')) as ExportFormat })
        return
      }
      const res = await admin(opts, 'jobsList', { limit: limit ?? 0, before: opts.before ?? '', ...(opts.all === true ? { all: true } : {}) })
      const hidden = res.hidden ?? 0
      const body = { jobs: res.jobs.map(summaryJson), ...(res.next !== '' ? { next: res.next } : {}), ...(hidden > 0 ? { hidden } : {}) }
      if (opts.json === true) {
        io.out(JSON.stringify(body, null, 2) + '\n')
        return
      }
      const more = hidden > 0 ? `(${hidden} job${hidden === 1 ? '' : 's'} finished over a day ago not shown: --all lists them)\n` : ''
      if (body.jobs.length === 0) {
        io.out('no jobs\n' + more)
        return
      }
      const rows = body.jobs.map(j => [j.id, j.state, j.total != null ? `${j.done ?? 0}/${j.total}` : '-', short(j.home), age(j.createdAt), j.name ?? ''])
      io.out(table([['JOB', 'STATE', 'DONE', 'HOME', 'AGE', 'NAME'], ...rows]) + more)
    })

  withTarget(program.command('retention'))
    .description('show the job retention policy in force and what the registry holds (set it with `meshnode config set retention.KEY VALUE`)')
    .action(async (opts: TargetOptions) => {
      const r = await admin(opts, 'retentionStatus', {})
      const body = retentionJson(r)
      if (opts.json === true) {
        io.out(JSON.stringify(body, null, 2) + '\n')
        return
      }
      const dflt = (key: string): string => r.defaults.includes(key) ? '  (default)' : ''
      const ms = (v: number | null): string => v == null ? 'off' : `${formatDuration(v)} (${v} ms)`
      io.out([
        `retention.maxAgeMs         ${ms(body.maxAgeMs)}${dflt('retention.maxAgeMs')}`,
        `retention.maxJobs          ${body.maxJobs == null ? 'off' : body.maxJobs}${dflt('retention.maxJobs')}`,
        `retention.resultsMaxAgeMs  ${ms(body.resultsMaxAgeMs)}${dflt('retention.resultsMaxAgeMs')}`,
        `registry  ${body.running} running, ${body.finished} finished retained${body.resultsExpired > 0 ? ` (${body.resultsExpired} with results expired)` : ''}`,
        `deleted   ${body.deletedTotal} jobs so far, results of ${body.resultsExpiredTotal} expired`
      ].join('\n') + '\n')
    })

  withTarget(program.command('job <id>'))
    .description('show one job: state, task counts, per-node breakdown, result')
    .option('--results', 'also list task outcomes, 1000 at a time in task id order')
    .option('--after <taskId>', 'with --results: the page after this task id (--json prints the next one as "next")')
    .option('--wait', 'show progress until the job finishes, then print it; exit 1 unless it completed')
    .action(async (id: string, opts: TargetOptions & { results?: boolean, after?: string, wait?: boolean }) => {
      if (opts.after != null && opts.results !== true) throw new MeshError('USAGE', '--after pages through task results: give it with --results')
      if (opts.wait === true) {
        const client = await admin.openClient(opts)
        try {
          await waitForJob(id, opts, admin, client, io)
        } finally {
          await client.stop()
        }
      }
      // With --wait, the view once the job is over (and a page of its results if asked).
      const view = detailJson(await admin(opts, 'jobGet', { id, results: opts.results === true, limit: 0, after: opts.after ?? '' }))
      io.out(opts.json === true ? JSON.stringify(view, null, 2) + '\n' : formatJob(view))
      if (opts.wait === true) setExit(view.state === 'completed' ? 0 : 1)
    })

  withTarget(program.command('cancel <id>'))
    .description('cancel a running job: queued tasks are dropped and running ones aborted, mesh-wide')
    .action(async (id: string, opts: TargetOptions) => {
      await admin(opts, 'jobCancel', { id })
      io.out(opts.json === true ? JSON.stringify({ id, cancelled: true }) + '\n' : `cancelled ${id}\n`)
    })
}

interface JobsOptions extends TargetOptions { limit?: string, before?: string, since?: string, format?: string, all?: boolean, stuck?: boolean }

/** `jobs --stuck`: the stuck jobs of every home, each with its diagnosis. */
async function listStuck (admin: Admin, opts: JobsOptions, io: IO): Promise<void> {
  const limit = opts.limit == null ? 0 : intArg(opts.limit, '--limit', 1)
  const res = await admin(opts, 'jobsList', { limit, before: '', stuck: true })
  const unanswered = res.stuck?.unanswered ?? []
  const body = { jobs: res.jobs.map(summaryJson), ...(unanswered.length > 0 ? { unanswered: [...unanswered] } : {}) }
  if (opts.json === true) {
    io.out(JSON.stringify(body, null, 2) + '\n')
    return
  }
  const note = unanswered.length > 0 ? `(homes not answering, their stuck jobs not shown: ${unanswered.map(short).join(', ')})\n` : ''
  if (body.jobs.length === 0) {
    io.out('no stuck jobs\n' + note)
    return
  }
  const rows = body.jobs.map(j => [j.id, j.stuck != null ? formatDuration(j.stuck.sinceMs) : '-', j.stuck?.code ?? '-', j.total != null ? `${j.done ?? 0}/${j.total}` : '-', short(j.home), j.name ?? ''])
  const why = body.jobs.filter(j => j.stuck != null).map(j => `${j.id}: ${j.stuck!.text}`)
  io.out(table([['JOB', 'STUCK FOR', 'CAUSE', 'DONE', 'HOME', 'NAME'], ...rows]) + '\n' + why.join('\n') + '\n' + note)
}

const EXPORT_FORMATS = ['table', 'csv', 'json'] as const
type ExportFormat = typeof EXPORT_FORMATS[number]
/** The columns of `jobs --format csv|json`, in order. */
export const EXPORT_COLUMNS = ['id', 'name', 'home', 'state', 'createdAt', 'finishedAt', 'durationMs', 'total', 'done', 'failed'] as const
/** Jobs per jobsList page while exporting. */
const EXPORT_PAGE = 1_000
/** Jobs homed elsewhere whose counts are asked of their homes (jobGet) at once. */
const FILL_CONCURRENCY = 16

/** One exported job: a listed job, with counts and times from its home. */
export interface ExportRow { id: string, name?: string, home: string, state: string, createdAt: number, finishedAt?: number, durationMs?: number, total?: number, done?: number, failed?: number }

/**
 * Every job created at or after `since` (ms; 0 = all), newest first, paged through jobsList;
 * a job homed on another node than the one asked gets its counts from its home (jobGet).
 */
async function exportJobs (admin: Admin, opts: JobsOptions, io: IO, o: { since: number, limit: number | undefined, format: ExportFormat }): Promise<void> {
  const client = await admin.openClient(opts)
  try {
    const rows: ExportRow[] = []
    let before = opts.before ?? ''
    for (;;) {
      const want = o.limit == null ? EXPORT_PAGE : Math.min(EXPORT_PAGE, o.limit - rows.length)
      if (want <= 0) break
      // An export covers every job retained in its window, finished long ago or not.
      const page = await admin(opts, 'jobsList', { limit: want, before, since: o.since, all: true }, client)
      for (const j of page.jobs) rows.push(exportRow(summaryJson(j)))
      if (page.next === '' || page.jobs.length === 0) break
      before = page.next
    }
    const missing = rows.filter(r => r.total == null)
    for (let i = 0; i < missing.length; i += FILL_CONCURRENCY) {
      await Promise.all(missing.slice(i, i + FILL_CONCURRENCY).map(async r => {
        try {
          const view = detailJson(await admin(opts, 'jobGet', { id: r.id, results: false, limit: 0, after: '' }, client))
          Object.assign(r, exportRow({ id: r.id, home: view.home, state: view.state, createdAt: view.createdAt, ...(view.name != null ? { name: view.name } : {}), total: view.total, done: view.done, failed: view.failed, ...(view.finishedAt != null ? { finishedAt: view.finishedAt } : {}) }))
        } catch (err) {
          // Its home is unreachable: the row keeps what the registry knows.
          io.err(`meshnode: warning: no counts for job ${r.id} (${errorMessage(err)})\n`)
        }
      }))
    }
    io.out(formatExport(rows, o.format))
  } finally {
    await client.stop()
  }
}

function exportRow (j: JobSummary): ExportRow {
  return {
    id: j.id,
    ...(j.name != null ? { name: j.name } : {}),
    home: j.home,
    state: j.state,
    createdAt: j.createdAt,
    ...(j.finishedAt != null ? { finishedAt: j.finishedAt, durationMs: j.finishedAt - j.createdAt } : {}),
    ...(j.total != null ? { total: j.total, done: j.done ?? 0, failed: j.failed ?? 0 } : {})
  }
}

/** Exported jobs as CSV (a header, ISO 8601 times), a JSON array (ms times), or a table. */
export function formatExport (rows: readonly ExportRow[], format: ExportFormat): string {
  if (format === 'json') {
    if (rows.length === 0) return '[]\n'
    return '[\n' + rows.map(r => '  ' + JSON.stringify(Object.fromEntries(EXPORT_COLUMNS.map(c => [c, r[c] ?? null])))).join(',\n') + '\n]\n'
  }
  if (format === 'csv') {
    return csv([[...EXPORT_COLUMNS], ...rows.map(r => [r.id, r.name, r.home, r.state, iso(r.createdAt), iso(r.finishedAt), r.durationMs, r.total, r.done, r.failed])])
  }
  if (rows.length === 0) return 'no jobs\n'
  return table([['JOB', 'STATE', 'DONE', 'FAILED', 'HOME', 'CREATED', 'DURATION', 'NAME'], ...rows.map(r => [
    r.id, r.state, r.total != null ? `${r.done ?? 0}/${r.total}` : '-', r.failed != null ? String(r.failed) : '-', short(r.home), iso(r.createdAt) ?? '', r.durationMs != null ? formatDuration(r.durationMs) : '-', r.name ?? ''
  ])])
}

function iso (ms: number | undefined): string | undefined {
  return ms == null ? undefined : new Date(ms).toISOString()
}

/**
 * The job a submit sends, as the JSON a node takes (checked here with parseJobInput first, so
 * a bad one fails before anything is sent): the parsed JobInput is not that JSON (its fields
 * are normalised: a delay in ms, a workflow's checked payload).
 */
export async function buildJob (type: string | undefined, payload: string | undefined, opts: SubmitOptions, readText: (file: string) => Promise<string> = readJobText): Promise<Record<string, unknown>> {
  const given = [type != null, opts.cmd != null, opts.file != null].filter(Boolean).length
  if (given !== 1) throw new MeshError('USAGE', 'give exactly one of: a handler TYPE (with an optional JSON PAYLOAD), --cmd COMMAND, or --file job.json')
  const overrides: Record<string, unknown> = {}
  if (opts.requires != null) overrides.requires = opts.requires.split(',').map(s => s.trim()).filter(s => s !== '')
  if (opts.attempts != null) overrides.attempts = intArg(opts.attempts, '--attempts', 1)
  if (opts.timeoutMs != null) overrides.timeoutMs = intArg(opts.timeoutMs, '--timeout-ms', 0)
  if (opts.priority != null) overrides.priority = intArg(opts.priority, '--priority', -1000)
  if (opts.name != null) overrides.name = opts.name
  if (opts.capableTimeout != null && opts.queueUntilCapable !== true) throw new MeshError('USAGE', '--capable-timeout goes with --queue-until-capable')
  if (opts.queueUntilCapable === true) overrides.waitForCapableMs = opts.capableTimeout == null ? DEFAULT_CAPABLE_WAIT_MS : opts.capableTimeout.trim() === '0' ? 0 : parseDuration(opts.capableTimeout, '--capable-timeout', MAX_CAPABLE_WAIT_MS)
  if (opts.keep != null) overrides.keep = opts.keep
  if (opts.delay != null && opts.at != null) throw new MeshError('USAGE', 'give --delay or --at, not both')
  if (opts.delay != null) overrides.delay = opts.delay
  if (opts.at != null) overrides.at = /^\d+$/.test(opts.at) ? Number(opts.at) : opts.at
  let raw: unknown
  if (opts.file != null) {
    let text: string
    try {
      text = await readText(opts.file)
    } catch (err) {
      throw new MeshError('BAD_INPUT', `cannot read job file ${opts.file}: ${errorMessage(err)}`)
    }
    try {
      raw = JSON.parse(text)
    } catch (err) {
      throw new MeshError('BAD_INPUT', `job file ${opts.file} is not valid JSON: ${errorMessage(err)}`)
    }
    if (raw != null && typeof raw === 'object' && !Array.isArray(raw)) raw = { ...raw, ...overrides }
  } else if (opts.cmd != null) {
    raw = { type: 'cmd', payload: { cmd: opts.cmd }, ...overrides }
  } else {
    let value: unknown = null
    if (payload != null) {
      try {
        value = JSON.parse(payload)
      } catch (err) {
        throw new MeshError('BAD_INPUT', `the payload must be JSON (quote strings: '"text"'): ${errorMessage(err)}`)
      }
    }
    raw = { type, payload: value, ...overrides }
  }
  try {
    parseJobInput(raw)
    return raw as Record<string, unknown>
  } catch (err) {
    throw new MeshError('BAD_INPUT', errorMessage(err))
  }
}

async function waitForJob (id: string, opts: TargetOptions, admin: Admin, client: Libp2p, io: IO): Promise<JobDetails> {
  const bar = io.isTTY && opts.json !== true
    ? new SingleBar({ format: ' {bar} {value}/{total} tasks  {state}', hideCursor: true, stream: process.stderr, clearOnComplete: false })
    : undefined
  bar?.start(1, 0, { state: 'running' })
  try {
    // Long polls: the home answers as the job ends; a bar is redrawn at least every BAR_MS.
    return await untilFinished(async waitMs => detailJson(await admin(opts, 'jobGet', { id, results: false, limit: 0, after: '', waitMs }, client)), {
      ...(bar != null ? { waitMs: BAR_MS } : {}),
      minGapMs: POLL_MS,
      onView: view => {
        bar?.setTotal(Math.max(1, view.total ?? 1))
        bar?.update(view.done ?? (view.total == null && view.state !== 'running' ? 1 : 0), { state: view.state })
      }
    })
  } finally {
    bar?.stop()
  }
}

export function formatJob (j: JobDetails): string {
  const lines = [
    `job      ${j.id}${j.name != null ? `  (${j.name})` : ''}`,
    `state    ${j.state}${(j.waitingFor?.length ?? 0) > 0 ? `, waiting for capability ${j.waitingFor!.join(', ')}${j.capableBy != null && j.capableBy > 0 ? ` (until ${new Date(j.capableBy).toISOString()}, then those tasks fail)` : ' (no live node offers it yet)'}` : ''}`,
    j.total != null
      ? `tasks    ${j.done ?? 0}/${j.total} done, ${j.failed ?? 0} failed${(j.cancelled ?? 0) > 0 ? `, ${j.cancelled!} cancelled` : ''}`
      : 'tasks    unknown: counted only at its home',
    `home     ${j.home}${(j.homes?.length ?? 0) > 0 ? ` (re-homed ${j.homes!.length}×: earlier ${j.homes!.map(short).join(' → ')} declared dead; ran again from its roots)` : ''}`,
    ...((j.replicas?.length ?? 0) > 0 ? [`replicas ${j.replicas!.map(short).join(', ')}`] : []),
    ...(j.stuck != null ? [`stuck    for ${formatDuration(j.stuck.sinceMs)}: ${j.stuck.text} [${j.stuck.code}]`] : []),
    `created  ${new Date(j.createdAt).toISOString()}${j.finishedAt != null ? `, finished after ${j.finishedAt - j.createdAt} ms` : ''}`
  ]
  const nodes = Object.entries(j.byNode ?? {}).sort((a, b) => b[1] - a[1])
  if (nodes.length > 0) lines.push('by node  ' + nodes.map(([n, c]) => `${short(n)}: ${c}`).join(', '))
  if (j.error != null) lines.push(`error    ${j.error}`)
  if ((j.failures?.length ?? 0) > 0) {
    // The failure record: every failed attempt of its failed tasks (the escalation ladder).
    lines.push('attempts that failed:')
    for (const f of j.failures!) lines.push(`  ${f.taskId}  attempt ${f.attempt} on ${short(f.node)} at ${new Date(f.at).toISOString()}: ${f.error}`)
  }
  if (j.keepMs != null) lines.push(`keep     ${formatDuration(j.keepMs)} once finished`)
  if (j.homeDead === true) lines.push(`lost     its home ${short(j.home)} was declared dead after the job ${j.state === 'completed' ? 'completed' : `ended (${j.state})`}; its counts, results and error were kept only there`)
  if (j.resultsExpired === true) lines.push('results  expired: deleted by retention (retention.resultsMaxAgeMs); the job record is kept')
  if (j.notBefore != null && j.state === 'running' && j.notBefore > Date.now()) lines.push(`starts   ${new Date(j.notBefore).toISOString()} (delayed)`)
  if (j.workflow != null) {
    lines.push(`workflow ${j.workflow.name ?? ''}${j.workflow.retryOf != null ? ` (retry of ${j.workflow.retryOf})` : ''}`)
    for (const l of renderView(j.workflow.steps)) lines.push('  ' + l)
  }
  if (j.result !== undefined && j.workflow == null) lines.push(`result   ${JSON.stringify(j.result)}`)
  for (const r of j.running ?? []) lines.push(`running  ${r.taskId}${r.type != null ? ` (${r.type})` : ''} on ${short(r.node)}${r.progress !== undefined ? `, progress ${JSON.stringify(r.progress)}` : ''}`)
  for (const r of j.results ?? []) lines.push(`  ${r.taskId}  ${r.ok ? JSON.stringify(r.result) : `FAILED: ${r.error ?? ''}`}  [${short(r.node)}]`)
  return lines.join('\n') + '\n'
}

function short (peerId: string): string {
  return peerId.length > 12 ? `…${peerId.slice(-8)}` : peerId
}

function age (createdAt: number): string {
  return formatDuration(Math.max(0, Date.now() - createdAt))
}

/** A job file's text (`-`: stdin). */
export async function readJobText (file: string): Promise<string> {
  return file === '-' ? await readStdin() : await readFile(file, 'utf8')
}

export async function readStdin (): Promise<string> {
  const chunks: Buffer[] = []
  for await (const c of process.stdin) chunks.push(c as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}
