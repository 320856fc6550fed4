// The job commands of the CLI: submit, jobs, job, cancel. They talk to a running node over
// the admin protocol (jobsSubmit, jobsList, jobGet, jobCancel in
// src/node/services/admin-commands.ts); any node accepts them.
import { SingleBar } from 'cli-progress'
import { readFile } from 'node:fs/promises'
import type { Command } from 'commander'
import type { Libp2p } from 'libp2p'
import { MAX_CAPABLE_WAIT_MS, parseJobInput, type JobInput } from '../../work/spec.js'
import { parseDuration } from './drain.js'
import { detailJson, summaryJson, type JobDetails } from '../client/jobs-json.js'
import { MeshError, errorMessage } from '../errors.js'
import { formatDuration } from '../client/status-json.js'
import { withTarget, type Admin, type CliOutput, type TargetOptions } from './target.js'
import { intArg, table } from './table.js'

interface SubmitOptions extends TargetOptions {
  cmd?: string
  file?: string
  requires?: string
  attempts?: string
  timeoutMs?: string
  priority?: string
  name?: string
  queueUntilCapable?: boolean
  capableTimeout?: string
  wait?: boolean
  pollMs?: string
}

type IO = CliOutput

/** How long `submit --queue-until-capable` waits for a capable node by default. */
const DEFAULT_CAPABLE_WAIT_MS = 10 * 60_000

/** How often `submit --wait` asks for progress. */
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
    .description('list the mesh\'s jobs, newest first')
    .option('--limit <n>', 'at most this many (default 50)')
    .option('--before <id>', 'only jobs older than this id (paging)')
    .action(async (opts: TargetOptions & { limit?: string, before?: string }) => {
      const limit = opts.limit == null ? undefined : intArg(opts.limit, '--limit', 1)
      const res = await admin(opts, 'jobsList', { limit: limit ?? 0, before: opts.before ?? '' })
      const body = { jobs: res.jobs.map(summaryJson), ...(res.next !== '' ? { next: res.next } : {}) }
      if (opts.json === true) {
        io.out(JSON.stringify(body, null, 2) + '\n')
        return
      }
      if (body.jobs.length === 0) {
        io.out('no jobs\n')
        return
      }
      const rows = body.jobs.map(j => [j.id, j.state, j.total != null ? `${j.done ?? 0}/${j.total}` : '-', short(j.home), age(j.createdAt), j.name ?? ''])
      io.out(table([['JOB', 'STATE', 'DONE', 'HOME', 'AGE', 'NAME'], ...rows]))
    })

  withTarget(program.command('job <id>'))
    .description('show one job: state, task counts, per-node breakdown, result')
    .option('--results', 'also list task outcomes, 1000 at a time in task id order')
    .option('--after <taskId>', 'with --results: the page after this task id (--json prints the next one as "next")')
    .action(async (id: string, opts: TargetOptions & { results?: boolean, after?: string }) => {
      if (opts.after != null && opts.results !== true) throw new MeshError('USAGE', '--after pages through task results: give it with --results')
      const view = detailJson(await admin(opts, 'jobGet', { id, results: opts.results === true, limit: 0, after: opts.after ?? '' }))
      io.out(opts.json === true ? JSON.stringify(view, null, 2) + '\n' : formatJob(view))
    })

  withTarget(program.command('cancel <id>'))
    .description('cancel a running job: queued tasks are dropped and running ones aborted, mesh-wide')
    .action(async (id: string, opts: TargetOptions) => {
      await admin(opts, 'jobCancel', { id })
      io.out(opts.json === true ? JSON.stringify({ id, cancelled: true }) + '\n' : `cancelled ${id}\n`)
    })
}

async function buildJob (type: string | undefined, payload: string | undefined, opts: SubmitOptions): Promise<JobInput> {
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
  let raw: unknown
  if (opts.file != null) {
    let text: string
    try {
      text = opts.file === '-' ? await readStdin() : await readFile(opts.file, 'utf8')
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
    return parseJobInput(raw)
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
    for (;;) {
      const view = detailJson(await admin(opts, 'jobGet', { id, results: false, limit: 0, after: '' }, client))
      bar?.setTotal(Math.max(1, view.total))
      bar?.update(view.done, { state: view.state })
      if (['completed', 'failed', 'cancelled'].includes(view.state)) return view
      await new Promise(resolve => setTimeout(resolve, POLL_MS))
    }
  } finally {
    bar?.stop()
  }
}

export function formatJob (j: JobDetails): string {
  const lines = [
    `job      ${j.id}${j.name != null ? `  (${j.name})` : ''}`,
    `state    ${j.state}${(j.waitingFor?.length ?? 0) > 0 ? `, waiting for capability ${j.waitingFor!.join(', ')}${j.capableBy != null && j.capableBy > 0 ? ` (until ${new Date(j.capableBy).toISOString()}, then those tasks fail)` : ' (no live node offers it yet)'}` : ''}`,
    `tasks    ${j.done}/${j.total} done, ${j.failed} failed${j.cancelled > 0 ? `, ${j.cancelled} cancelled` : ''}`,
    `home     ${j.home}${(j.homes?.length ?? 0) > 0 ? ` (re-homed ${j.homes!.length}×: earlier ${j.homes!.map(short).join(' → ')} declared dead; ran again from its roots)` : ''}`,
    ...((j.replicas?.length ?? 0) > 0 ? [`replicas ${j.replicas!.map(short).join(', ')}`] : []),
    `created  ${new Date(j.createdAt).toISOString()}${j.finishedAt != null ? `, finished after ${j.finishedAt - j.createdAt} ms` : ''}`
  ]
  const nodes = Object.entries(j.byNode ?? {}).sort((a, b) => b[1] - a[1])
  if (nodes.length > 0) lines.push('by node  ' + nodes.map(([n, c]) => `${short(n)}: ${c}`).join(', '))
  if (j.error != null) lines.push(`error    ${j.error}`)
  if (j.result !== undefined) lines.push(`result   ${JSON.stringify(j.result)}`)
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

async function readStdin (): Promise<string> {
  const chunks: Buffer[] = []
  for await (const c of process.stdin) chunks.push(c as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}
