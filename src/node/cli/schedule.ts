// `meshnode schedule add|list|remove|pause|resume`: schedules in the control log (admin
// scheduleAdd, scheduleList, scheduleRemove, schedulePause; src/node/services/schedules.ts
// fires them). The expression, time zone and job are checked here before anything is sent,
// and again by the node and by the control log.
import type { Command } from 'commander'
import { MAX_CATCH_UP_MS, MISFIRE_POLICIES, checkCron, checkScheduleName } from '../../workflow/schedule.js'
import { WorkflowError, parseWorkflowText } from '../../workflow/index.js'
import { scheduleJson, type ScheduleJson } from '../client/schedules-json.js'
import { MeshError, errorMessage } from '../errors.js'
import { buildJob, readJobText, type SubmitOptions } from './jobs.js'
import { withTarget, type Admin, type CliOutput, type TargetOptions } from './target.js'
import { parseDuration, table } from './table.js'

interface AddOptions extends SubmitOptions {
  cron?: string
  tz?: string
  misfire?: string
  catchUp?: string
  paused?: boolean
}

export function addScheduleCommands (program: Command, admin: Admin, io: CliOutput): void {
  const schedule = program.command('schedule')
    .description('run a job on a cron schedule: kept in the replicated control log, each occurrence fired once by the leader (across failovers)')

  withTarget(schedule.command('add <name> [type] [payload]'))
    .description('add (or replace) a schedule: its job is a handler TYPE with a JSON PAYLOAD, a --cmd, or a --file (a job.json, or {"workflow": ..., "inputs": ...})')
    .requiredOption('--cron <expr>', 'when: 5 fields "min hour day-of-month month day-of-week" (e.g. "0 9 * * *") or 6 with seconds first (e.g. "*/10 * * * * *")')
    .option('--tz <zone>', 'the IANA time zone the expression is read in (default UTC), e.g. Europe/Berlin')
    .option('--misfire <policy>', `${MISFIRE_POLICIES.join(' | ')}: what to do with occurrences missed while no leader could fire them (default once: the latest one)`)
    .option('--catch-up <duration>', 'never fire an occurrence older than this, whatever the policy (default 1h, at most 30d)')
    .option('--paused', 'add it paused (meshnode schedule resume starts it)')
    .option('--cmd <command>', 'a shell-command task (runs only on nodes started with --allow-commands)')
    .option('--file <path>', 'a job file: {"tasks": [...], ...}, or {"workflow": {...}, "inputs": {...}}; - reads stdin')
    .option('--requires <list>', 'comma-separated capabilities a node needs to run the task')
    .option('--attempts <n>', 'tries before the task fails (default 3)')
    .option('--timeout-ms <ms>', 'per-attempt limit, 0 = none (default 60000)')
    .option('--priority <n>', 'higher runs first (default 0)')
    .option('--name <name>', 'the label of each job it submits (default: the schedule\'s name)')
    .option('--keep <duration>', 'keep each job this long once finished, e.g. 12h, 30d')
    .action(async (name: string, type: string | undefined, payload: string | undefined, opts: AddOptions) => {
      try {
        checkScheduleName(name)
      } catch (err) {
        throw new MeshError('USAGE', errorMessage(err))
      }
      const cron = opts.cron!.trim()
      if (opts.misfire != null && !(MISFIRE_POLICIES as readonly string[]).includes(opts.misfire)) throw new MeshError('USAGE', `invalid --misfire "${opts.misfire}": use ${MISFIRE_POLICIES.join(', ')}`)
      try {
        checkCron({ name, cron, ...(opts.tz != null ? { tz: opts.tz } : {}) })
      } catch (err) {
        throw new MeshError('BAD_INPUT', errorMessage(err))
      }
      const catchUpMs = opts.catchUp == null ? undefined : parseDuration(opts.catchUp, '--catch-up', MAX_CATCH_UP_MS)
      const job = await scheduleJob(type, payload, opts)
      const res = await admin(opts, 'scheduleAdd', {
        name,
        cron,
        tz: opts.tz ?? '',
        misfire: opts.misfire ?? '',
        ...(catchUpMs != null ? { catchUpMs } : {}),
        job: JSON.stringify(job),
        paused: opts.paused === true
      })
      const next = res.nextAt != null ? new Date(Number(res.nextAt)).toISOString() : null
      if (opts.json === true) {
        io.out(JSON.stringify({ name, replaced: res.replaced, nextAt: res.nextAt != null ? Number(res.nextAt) : null }) + '\n')
        return
      }
      io.out(`${res.replaced ? 'replaced' : 'added'} schedule ${name}${opts.paused === true ? ' (paused)' : next != null ? `; next run ${next}` : ''}\n`)
    })

  withTarget(schedule.command('list'))
    .description('list the schedules: expression, zone, paused, next occurrence, last fired and its job')
    .action(async (opts: TargetOptions) => {
      const res = await admin(opts, 'scheduleList', {})
      const list = res.schedules.map(scheduleJson)
      if (opts.json === true) {
        io.out(JSON.stringify({ schedules: list }, null, 2) + '\n')
        return
      }
      io.out(formatSchedules(list))
    })

  withTarget(schedule.command('remove <name>'))
    .description('remove a schedule (its jobs already submitted run on)')
    .action(async (name: string, opts: TargetOptions) => {
      await admin(opts, 'scheduleRemove', { name })
      io.out(opts.json === true ? JSON.stringify({ name, removed: true }) + '\n' : `removed schedule ${name}\n`)
    })

  withTarget(schedule.command('pause <name>'))
    .description('stop firing a schedule until it is resumed')
    .action(async (name: string, opts: TargetOptions) => {
      await admin(opts, 'schedulePause', { name, paused: true })
      io.out(opts.json === true ? JSON.stringify({ name, paused: true }) + '\n' : `paused schedule ${name}\n`)
    })

  withTarget(schedule.command('resume <name>'))
    .description('fire a paused schedule again, from its next occurrence (those missed while paused are not fired)')
    .action(async (name: string, opts: TargetOptions) => {
      await admin(opts, 'schedulePause', { name, paused: false })
      io.out(opts.json === true ? JSON.stringify({ name, paused: false }) + '\n' : `resumed schedule ${name}\n`)
    })
}

/** The job a schedule submits: a workflow file kept as it is, or a job built as `submit` builds it. */
async function scheduleJob (type: string | undefined, payload: string | undefined, opts: AddOptions): Promise<Record<string, unknown>> {
  let text: string | undefined
  const read = async (file: string): Promise<string> => (text ??= await readJobText(file))
  if (opts.file != null && type == null && opts.cmd == null) {
    let raw: unknown
    try {
      raw = JSON.parse(await read(opts.file))
    } catch {
      // Not JSON: a workflow file in YAML (`workflow run` takes the same files), else buildJob says what is wrong.
      try {
        raw = { workflow: parseWorkflowText(await read(opts.file), opts.file) }
      } catch (err) {
        if (err instanceof WorkflowError && /^\s*(name|inputs|defaults|steps|description)\s*:/m.test(await read(opts.file))) throw new MeshError('BAD_INPUT', errorMessage(err))
        raw = undefined
      }
    }
    if (raw != null && typeof raw === 'object' && !Array.isArray(raw) && 'workflow' in raw) {
      const wf = (raw as { workflow: unknown }).workflow
      if (wf == null || typeof wf !== 'object' || Array.isArray(wf)) throw new MeshError('BAD_INPUT', `job file ${opts.file}: "workflow" must be an object`)
      return raw as Record<string, unknown>
    }
  }
  return await buildJob(type, payload, opts, read)
}

export function formatSchedules (list: readonly ScheduleJson[]): string {
  if (list.length === 0) return 'no schedules\n'
  const time = (t: number | null): string => t == null ? '-' : new Date(t).toISOString().replace('T', ' ').slice(0, 19)
  return table([
    ['NAME', 'CRON', 'TZ', 'STATE', 'NEXT (UTC)', 'LAST FIRED (UTC)', 'LAST JOB', 'FIRED'],
    ...list.map(s => [s.name, s.cron, s.tz, s.paused ? 'paused' : s.pending > 0 ? `active, ${s.pending} pending` : 'active', time(s.nextAt), time(s.lastFiredAt), s.lastJobId ?? '-', String(s.fired)])
  ])
}
