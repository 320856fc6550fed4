// Seeded random workflows for the work simulator (./sim.ts), and what each must do — computed
// here from the definition, the seed and the simulated handler's rules, apart from the code
// under test (src/work/workflows.ts, src/workflow/run.ts), so the checkers can judge it.
//
// A generated workflow has 3–15 steps `s0`, `s1`, ... in definition order; a step needs only
// earlier ones (so definition order is a topological order). Task steps run the sim's task
// type; their payload (`with`) is
//   { s, step, from: { <need>: ${{ steps.<need>.output }} ... }, item?: ${{ matrix.item }}, fail? }
// so every step's payload carries its needs' outputs, and a wrong or missing output changes
// its own. Some steps are a matrix over 2–5 numbers, some `continueOnFailure`, some have an
// `if` on an earlier outcome (`always()`, `failure()`, `steps.X.outcome == / != '...'`), some
// are approvals (the sim decides them). A step with `fail` has one attempt and fails for good
// (every element for a plain step, even elements for a matrix) — in a first run only: a retry
// runs the same definition with the fault fixed, so retried steps succeed.
//
// The simulated handler's output for a step task is a pure function of the task id without
// its home generation (`J/0.3m1` for `J/0@2.3m1`) and of its payload: the same in every
// generation and attempt, so "recorded once" and "the same output" can be checked.

import type { Rng } from '../../../src/prng.js'
import type { StepDef, StepRecord, WorkflowDef } from '../../../src/workflow/index.js'
import { childPaths, hash32, rootPath, unit, type TreeShape } from './tree.js'

/** A workflow submission as the sim makes it (what `parseJobInput({workflow, inputs, reuse, retryOf})` takes). */
export interface WorkflowSpec {
  def: WorkflowDef
  inputs: Record<string, unknown>
  /** A retry: the steps taken from the run it retries (WorkflowRun.retryPlan). */
  reuse?: Record<string, StepRecord>
  retryOf?: string
}

/** What a retry was built from, to check it by. */
export interface RetryOf {
  jobId: string
  /** The retried run's step records (its driver's result). */
  previous: Record<string, StepRecord>
  from?: string
  /** WorkflowRun.retryPlan's answer. */
  rerun: string[]
}

/** One step as it must end. */
export interface StepTruth {
  name: string
  index: number
  kind: 'task' | 'approval'
  needs: number[]
  continueOnFailure: boolean
  /** Outcome and output (errors are not modelled: their text is the engine's). */
  record: StepRecord
  reused: boolean
  /** The step's tasks that run (keys `3`, or `3m0`.. for a matrix), with their payload and how each ends. */
  tasks: Array<{ key: string, payload: string, ok: boolean, output?: unknown }>
}

export interface WorkflowTruth {
  steps: StepTruth[]
  byName: Map<string, StepTruth>
  byKey: Map<string, StepTruth>
  ok: boolean
  failed: string[]
  skipped: string[]
}

/** Step names: `s0`, `s1`, ... */
const nameOf = (i: number): string => `s${i}`

/** A random workflow: 3–15 steps with needs among earlier steps. `s` seeds its tasks (payloads, subtrees). */
export function randomWorkflow (rng: Rng, s: number): WorkflowDef {
  const n = 3 + Math.floor(rng() * 13)
  const steps: Record<string, StepDef> = {}
  for (let i = 0; i < n; i++) {
    const name = nameOf(i)
    const needs: string[] = []
    if (i > 0 && rng() >= 0.2) {
      const p = Math.min(0.6, 2 / i)
      for (let j = 0; j < i && needs.length < 3; j++) if (rng() < p) needs.push(nameOf(j))
      if (needs.length === 0) needs.push(nameOf(Math.floor(rng() * i)))
    }
    const step: StepDef = {}
    if (needs.length > 0) step.needs = needs
    if (needs.length > 0 && rng() < 0.3) {
      const x = needs[Math.floor(rng() * needs.length)]!
      const r = rng()
      step.if = r < 0.15 ? '${{ always() }}'
        : r < 0.3 ? '${{ failure() }}'
          : r < 0.55 ? `\${{ steps.${x}.outcome == 'success' }}`
            : r < 0.75 ? `\${{ steps.${x}.outcome != 'success' }}`
              : r < 0.9 ? `\${{ steps.${x}.outcome == 'failure' }}`
                : `\${{ steps.${x}.outcome == 'skipped' }}`
    }
    if (i > 0 && rng() < 0.12) {
      // An approval: the sim decides it (approve or reject) at a seeded time.
      step.approval = { prompt: `go on after ${needs.join(', ') || 'nothing'}?` }
    } else {
      step.type = 'rtree'
      const matrix = rng() < 0.25 ? Array.from({ length: 2 + Math.floor(rng() * 4) }, (_, k) => k) : undefined
      const fail = rng() < 0.1
      const withValue: Record<string, unknown> = { s, step: name, from: Object.fromEntries(needs.map(x => [x, `\${{ steps.${x}.output }}`])) }
      if (matrix != null) {
        step.matrix = matrix
        withValue.item = '${{ matrix.item }}'
      }
      if (fail) {
        withValue.fail = true
        step.attempts = 1
      }
      step.with = withValue
      if (rng() < 0.2) step.continueOnFailure = true
    }
    steps[name] = step
  }
  return { name: `sim-${s}`, steps }
}

/** The task id of a step task without its home generation: `J/0.3m1` for `J/0@2.3m1`. */
export function stepIdNoGen (taskId: string): string {
  return taskId.replace(/^([^/]*\/0)@\d+\./, '$1.')
}

/** The step-task key of a workflow task id (`3`, `3m1`), or undefined if it is not a step task. */
export function stepKeyOf (jobId: string, taskId: string): string | undefined {
  if (!taskId.startsWith(jobId + '/')) return undefined
  const m = /^0(?:@\d+)?\.(\d+(?:m\d+)?)$/.exec(taskId.slice(jobId.length + 1))
  return m?.[1]
}

/** What the simulated handler returns for a step task (JSON text): a function of the task id (without generation) and payload. */
export function stepOutput (taskId: string, payload: string): { t: string, h: number } {
  const t = stepIdNoGen(taskId)
  return { t, h: hash32(t, payload) }
}

/** Whether an attempt of a step task fails for good (a `fail` step in a first run; a matrix: its even elements). */
export function failsForGood (payload: string, retry: boolean): boolean {
  if (retry) return false
  const p = JSON.parse(payload) as { fail?: boolean, item?: number }
  return p.fail === true && (p.item === undefined || p.item % 2 === 0)
}

/** How the sim decides an approval of a job's step (the same whenever it is asked). */
export function approves (jobId: string, step: string): boolean {
  return unit(jobId, step, 'approve') < 0.75
}

/** The approver the sim names. */
export const APPROVER = 'sim'

/**
 * Every step's end, evaluated from the definition alone: a step is decided once its needs are;
 * without `if` it runs when every need succeeded (or failed with continueOnFailure), else
 * it is skipped; reused steps (a retry) are taken as they are.
 */
export function expectWorkflow (jobId: string, spec: WorkflowSpec): WorkflowTruth {
  const names = Object.keys(spec.def.steps)
  const index = new Map(names.map((n, i) => [n, i]))
  const retry = spec.retryOf != null
  const steps: StepTruth[] = []
  const outputOf = (name: string): unknown => steps[index.get(name)!]!.record.output ?? null
  for (const [i, name] of names.entries()) {
    const def = spec.def.steps[name]!
    const needs = (def.needs ?? []).map(n => index.get(n)!)
    if (needs.some(j => j >= i)) throw new Error(`workflow-dag: step ${name} needs a later step`)
    const truth: StepTruth = { name, index: i, kind: def.approval != null ? 'approval' : 'task', needs, continueOnFailure: def.continueOnFailure === true, record: { outcome: 'skipped' }, reused: false, tasks: [] }
    steps.push(truth)
    const reuse = spec.reuse?.[name]
    if (reuse != null) {
      truth.reused = true
      truth.record = { outcome: reuse.outcome, ...(reuse.output !== undefined ? { output: reuse.output } : {}), reused: true }
      continue
    }
    const needRecords = needs.map(j => steps[j]!)
    const success = needRecords.every(r => r.record.outcome === 'success' || (r.record.outcome === 'failure' && r.continueOnFailure))
    const failure = needRecords.some(r => r.record.outcome === 'failure')
    let run = success
    if (def.if != null) run = condition(String(def.if), success, failure, x => steps[index.get(x)!]!.record.outcome)
    if (!run) continue
    if (truth.kind === 'approval') {
      const approved = approves(jobId, name)
      const output = { approved, by: APPROVER, comment: null }
      truth.record = approved ? { outcome: 'success', output } : { outcome: 'failure', output }
      continue
    }
    const w = def.with as { s: number, step: string, from: Record<string, string>, item?: string, fail?: boolean }
    const elements = Array.isArray(def.matrix) ? def.matrix as number[] : undefined
    const payloadOf = (item: number | undefined): string => JSON.stringify({
      s: w.s,
      step: w.step,
      from: Object.fromEntries(Object.keys(w.from).map(x => [x, outputOf(x)])),
      ...(item !== undefined ? { item } : {}),
      ...(w.fail === true ? { fail: true } : {})
    })
    const keys = elements == null ? [{ key: String(i), item: undefined }] : elements.map((item, k) => ({ key: `${i}m${k}`, item }))
    for (const { key, item } of keys) {
      const payload = payloadOf(item)
      const ok = !failsForGood(payload, retry)
      truth.tasks.push({ key, payload, ok, ...(ok ? { output: stepOutput(`${jobId}/0.${key}`, payload) } : {}) })
    }
    const allOk = truth.tasks.every(t => t.ok)
    if (elements == null) truth.record = allOk ? { outcome: 'success', output: truth.tasks[0]!.output } : { outcome: 'failure' }
    else truth.record = { outcome: allOk ? 'success' : 'failure', output: truth.tasks.map(t => t.output ?? null) }
  }
  const failed = steps.filter(s => s.record.outcome === 'failure')
  return {
    steps,
    byName: new Map(steps.map(s => [s.name, s])),
    byKey: new Map(steps.flatMap(s => s.tasks.map(t => [t.key, s] as const))),
    ok: failed.every(s => s.continueOnFailure),
    failed: failed.map(s => s.name),
    skipped: steps.filter(s => s.record.outcome === 'skipped').map(s => s.name)
  }
}

/** The `if` forms randomWorkflow writes. */
function condition (text: string, success: boolean, failure: boolean, outcome: (step: string) => string): boolean {
  if (text === '${{ always() }}') return true
  if (text === '${{ failure() }}') return failure
  const m = /^\$\{\{ steps\.(\w+)\.outcome (==|!=) '(\w+)' \}\}$/.exec(text)
  if (m == null) throw new Error(`workflow-dag: no rule for the condition ${text}`)
  void success
  return (outcome(m[1]!) === m[3]) === (m[2] === '==')
}

/**
 * Every task id of the workflow's run in home generation `epoch`: its driver (`J/0`, or
 * `J/0@e`), the step tasks that run, and each successful step task's subtree (children from
 * the tree shape, as the simulated handler spawns them).
 */
export function workflowIds (jobId: string, truth: WorkflowTruth, shape: TreeShape, epoch: number): string[] {
  const driver = `${jobId}/${rootPath(0, epoch)}`
  const out = [driver]
  const walk = (path: string): void => {
    out.push(`${jobId}/${path}`)
    for (const c of childPaths(shape, path)) walk(c)
  }
  for (const s of truth.steps) {
    for (const t of s.tasks) {
      const path = `${rootPath(0, epoch)}.${t.key}`
      if (t.ok) walk(path)
      else out.push(`${jobId}/${path}`)
    }
  }
  return out
}

/** JSON with object keys sorted, to compare records whatever order their fields were written in. */
export function canonical (v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => x != null && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)) : x)
}
