// The workflow commands of the CLI: `workflow run FILE` submits a workflow (src/workflow/) as
// one job and, with --wait, redraws its DAG until it ends; `workflow retry ID` submits it
// again from its failed step, reusing the outputs of the steps that succeeded. Both go
// through jobsSubmit/jobGet like `meshnode submit` and `meshnode job`.
import { readFile } from 'node:fs/promises'
import type { Command } from 'commander'
import type { Libp2p } from 'libp2p'
import { WorkflowRun, parseWorkflowText, renderView, type StepRecord, type WorkflowDef } from '../../workflow/index.js'
import { parseJobInput } from '../../work/spec.js'
import type { WorkflowView } from '../../work/workflows.js'
import { detailJson, type JobDetails } from '../client/jobs-json.js'
import { MeshError, errorMessage } from '../errors.js'
import { withTarget, type Admin, type CliOutput, type TargetOptions } from './target.js'
import { formatJob, readStdin } from './jobs.js'

interface RunOptions extends TargetOptions {
  input?: string[]
  name?: string
  keep?: string
  delay?: string
  at?: string
  wait?: boolean
}

interface RetryOptions extends TargetOptions {
  from?: string
  wait?: boolean
}

/** How often --wait asks for the workflow's state. */
const POLL_MS = 250
/**
 * How long --wait keeps asking a node that does not answer (it restarts: a rolling restart
 * restarts the very node the workflow was submitted to) before giving up.
 */
const UNAVAILABLE_GRACE_MS = 120_000
/** The codes of a node that is away for now (errors.ts: the "unavailable" exit code's). */
const AWAY = new Set(['NODE_NOT_RUNNING', 'UNREACHABLE', 'STARTING', 'STOPPING', 'NOT_A_MEMBER'])

export function addWorkflowCommands (program: Command, admin: Admin, io: CliOutput, setExit: (code: number) => void): void {
  const wf = program.command('workflow').description('run workflows: named steps with dependencies, output passing, conditions, fan-out, approvals (see README "Workflows")')

  withTarget(wf.command('run <file>'))
    .description('submit a workflow file (YAML or JSON) as one job; prints its id, or with --wait shows its steps live and exits 0 only if it completed')
    .option('--input <name=value>', 'a workflow input (repeatable); the value is a string, or JSON with --input name:=JSON', collect, [])
    .option('--name <name>', 'a label shown by `meshnode jobs` (default: the workflow\'s name)')
    .option('--keep <duration>', 'keep the job this long once finished, e.g. 12h, 30d')
    .option('--delay <duration>', 'start it this long from now, e.g. 30s, 2h')
    .option('--at <time>', 'start it at this time: ISO 8601 (2026-12-01T09:00:00Z) or ms since the epoch')
    .option('--wait', 'show the steps live until the workflow ends; exit 1 unless it completed')
    .action(async (file: string, opts: RunOptions) => {
      const def = await readWorkflow(file)
      const raw: Record<string, unknown> = { workflow: def, inputs: parseInputs(opts.input ?? []) }
      if (opts.name != null) raw.name = opts.name
      if (opts.keep != null) raw.keep = opts.keep
      if (opts.delay != null) raw.delay = opts.delay
      if (opts.at != null) raw.at = /^\d+$/.test(opts.at) ? Number(opts.at) : opts.at
      await submitAndWait(raw, opts, admin, io, setExit)
    })

  withTarget(wf.command('retry <id>'))
    .description('run a finished workflow again from its failed steps (or --from STEP), reusing the recorded outputs of every step that succeeded upstream; prints the new job id')
    .option('--from <step>', 'run again from this step: it and every step downstream of it')
    .option('--wait', 'show the steps live until the new run ends; exit 1 unless it completed')
    .action(async (id: string, opts: RetryOptions) => {
      const prev = detailJson(await admin(opts, 'jobGet', { id, results: false, limit: 0, after: '' }))
      if (prev.workflow == null) throw new MeshError('BAD_INPUT', `job ${id} is not a workflow: run it again with \`meshnode submit\``)
      if (!['completed', 'failed', 'cancelled'].includes(prev.state)) throw new MeshError('BAD_INPUT', `workflow ${id} is still ${prev.state}: retry it once it has ended (\`meshnode cancel ${id}\` ends it now)`)
      const def = prev.workflow.definition as WorkflowDef
      if (opts.from != null && !Object.hasOwn(def.steps, opts.from)) throw new MeshError('BAD_INPUT', `workflow ${id} has no step "${opts.from}"; its steps: ${Object.keys(def.steps).join(', ')}`)
      const previous: Record<string, StepRecord> = {}
      for (const s of prev.workflow.steps) {
        if (s.state === 'success' || s.state === 'failure' || s.state === 'skipped') {
          previous[s.name] = { outcome: s.state, ...(s.output !== undefined ? { output: s.output } : {}), ...(s.error != null ? { error: s.error } : {}) }
        }
      }
      const plan = WorkflowRun.retryPlan(def, previous, opts.from)
      if (plan.rerun.length === 0) throw new MeshError('BAD_INPUT', `workflow ${id} has no failed step to run again: give --from STEP`)
      if (opts.json !== true) io.err(`retrying ${id}: running again ${plan.rerun.join(', ')}; reusing ${Object.keys(plan.reuse).join(', ') || 'nothing'}\n`)
      const raw: Record<string, unknown> = { workflow: def, inputs: prev.workflow.inputs, reuse: plan.reuse, retryOf: id }
      if (prev.name != null) raw.name = prev.name
      await submitAndWait(raw, opts, admin, io, setExit)
    })
}

async function submitAndWait (raw: Record<string, unknown>, opts: TargetOptions & { wait?: boolean }, admin: Admin, io: CliOutput, setExit: (code: number) => void): Promise<void> {
  try {
    parseJobInput(raw)
  } catch (err) {
    throw new MeshError('BAD_INPUT', errorMessage(err))
  }
  const client = opts.wait === true ? await admin.openClient(opts) : undefined
  try {
    const res = await admin(opts, 'jobsSubmit', { jobs: [JSON.stringify(raw)] }, client)
    const sub = res.jobs[0]!
    if (opts.wait !== true) {
      io.out(opts.json === true ? JSON.stringify(sub) + '\n' : `${sub.id}\n`)
      return
    }
    if (opts.json !== true) io.err(`submitted workflow ${sub.id}\n`)
    const final = await watch(sub.id, opts, admin, client!, io)
    io.out(opts.json === true ? JSON.stringify(final, null, 2) + '\n' : formatJob(final))
    setExit(final.state === 'completed' ? 0 : 1)
  } finally {
    await client?.stop()
  }
}

/** Polls the workflow until it ends, redrawing its steps (a TTY) or printing each change (a log). */
async function watch (id: string, opts: TargetOptions, admin: Admin, client: Libp2p, io: CliOutput): Promise<JobDetails> {
  const live = io.isTTY && opts.json !== true
  let drawn = 0
  let last = ''
  let awaySince: number | undefined
  for (;;) {
    let answer
    try {
      answer = await admin(opts, 'jobGet', { id, results: false, limit: 0, after: '' }, client)
    } catch (err) {
      if (!(err instanceof MeshError && AWAY.has(err.code))) throw err
      if (awaySince == null) {
        awaySince = Date.now()
        if (opts.json !== true) io.err(`the node does not answer (${err.code}): asking again for up to ${UNAVAILABLE_GRACE_MS / 1000} s\n`)
        drawn = 0
      }
      if (Date.now() - awaySince > UNAVAILABLE_GRACE_MS) throw err
      await new Promise(resolve => setTimeout(resolve, 1_000))
      continue
    }
    awaySince = undefined
    const view = detailJson(answer)
    const done = ['completed', 'failed', 'cancelled'].includes(view.state)
    if (opts.json !== true && view.workflow != null) {
      const lines = renderView(view.workflow.steps, { color: live })
      const text = lines.join('\n')
      if (live) {
        // Redraw in place: up over what was drawn, clear it, draw again.
        io.err((drawn > 0 ? `\x1b[${drawn}A\x1b[J` : '') + text + '\n')
        drawn = lines.length
      } else if (text !== last) {
        io.err(text + '\n\n')
      }
      last = text
    }
    if (done) return view
    await new Promise(resolve => setTimeout(resolve, POLL_MS))
  }
}

async function readWorkflow (file: string): Promise<WorkflowDef> {
  let text: string
  try {
    text = file === '-' ? await readStdin() : await readFile(file, 'utf8')
  } catch (err) {
    throw new MeshError('BAD_INPUT', `cannot read workflow file ${file}: ${errorMessage(err)}`)
  }
  try {
    return parseWorkflowText(text, file)
  } catch (err) {
    throw new MeshError('BAD_INPUT', errorMessage(err))
  }
}

/** `--input name=value` (a string) and `--input name:=JSON` (any JSON value). */
export function parseInputs (pairs: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const p of pairs) {
    const json = /^([A-Za-z_][A-Za-z0-9_-]*):=(.*)$/s.exec(p)
    const str = /^([A-Za-z_][A-Za-z0-9_-]*)=(.*)$/s.exec(p)
    if (json != null) {
      try {
        out[json[1]!] = JSON.parse(json[2]!)
      } catch (err) {
        throw new MeshError('USAGE', `--input ${json[1]!}:= takes JSON: ${errorMessage(err)}`)
      }
    } else if (str != null) {
      out[str[1]!] = str[2]!
    } else {
      throw new MeshError('USAGE', `--input takes name=value (a string) or name:=JSON, not ${JSON.stringify(p)}`)
    }
  }
  return out
}

function collect (value: string, previous: string[]): string[] {
  return [...previous, value]
}
