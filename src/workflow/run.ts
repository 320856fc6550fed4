// The workflow engine: a pure state machine over one run of a definition. It is told what
// happened (a step task ended, an approval was decided) and answers with what to do next
// (run these tasks, ask for this approval, this step finished, the workflow is done). It never
// runs anything, reads no clock and keeps no timer: the work core (src/work) runs the tasks and
// the approval timeouts, and persists what it is told.
//
// Replay: after a restart the caller builds a new run, calls start() and feeds the recorded
// outcomes again in any order. An outcome that arrives before its step has started is kept
// and applied when the step starts; the first outcome per task key (and per approval) wins.
// A step is decided only once every need has ended, from the needs' records alone, so the
// final state does not depend on the order outcomes arrive in.

import { compileWorkflow, type CompiledStep, type Plan, type WorkflowDef } from './definition.js'
import { ExprError, parseTemplate, render, toText, truthy, type EvalContext, type Template } from './expr.js'
import { WORKFLOW_LIMITS } from './limits.js'
import { WorkflowError } from './errors.js'

export type StepOutcome = 'success' | 'failure' | 'skipped'

export interface StepRecord {
  outcome: StepOutcome
  /** The task's result (parsed JSON); for a matrix step the array of element results; for an approval {approved, by, comment}. */
  output?: unknown
  error?: string
  /** Taken from an earlier run (retry). */
  reused?: boolean
}

/** One task the engine wants run. `key` is stable: `${stepIndex}` or `${stepIndex}m${k}` for matrix element k. */
export interface StepTask {
  key: string
  step: string
  stepIndex: number
  element?: number
  task: { type: string, payload: unknown, requires?: string[], attempts?: number, timeoutMs?: number, priority?: number }
}

export interface ApprovalAsk {
  step: string
  prompt: string
  /** 0 = no timeout. */
  timeoutMs: number
  onTimeout: 'approve' | 'reject'
  approvers?: string[]
}

export type WorkflowAction =
  | { kind: 'run', tasks: StepTask[] }
  | { kind: 'approval', ask: ApprovalAsk }
  | { kind: 'step', step: string, record: StepRecord }
  | { kind: 'done', ok: boolean, summary: WorkflowSummary }

export interface WorkflowSummary {
  /** No step failed, except those with continueOnFailure. */
  ok: boolean
  /** Every step's record, in definition order. */
  steps: Record<string, StepRecord>
  failed: string[]
  skipped: string[]
}

export type StepState = 'pending' | 'running' | 'waiting-approval' | 'success' | 'failure' | 'skipped'

export interface StepView {
  name: string
  needs: string[]
  state: StepState
  elements?: { done: number, total: number }
  output?: unknown
  error?: string
  reused?: boolean
}

interface Ended { ok: boolean, result: string | undefined, error: string | undefined }
interface Decision { approved: boolean, by: string, comment: string | undefined }
type ElementResult = { ok: true, output: unknown } | { ok: false, error: string, output?: unknown }

interface Live {
  state: StepState
  record?: StepRecord
  /** Task keys, one per element (one for a plain task step). */
  keys?: string[]
  results?: Array<ElementResult | undefined>
  endedCount: number
  matrix: boolean
}

/** A task key: the step's index, then `m` and the element for a matrix element. */
export function taskKey (stepIndex: number, element?: number): string {
  return element == null ? String(stepIndex) : `${stepIndex}m${element}`
}

export class WorkflowRun {
  private readonly plan: Plan
  private readonly live: Live[]
  private readonly ended = new Map<string, Ended>()
  private readonly decisions = new Map<string, Decision>()
  /** Keys asked for, in order, and those of them not yet ended. */
  private readonly asked: string[] = []
  private readonly open = new Set<string>()
  /** What expressions see as `steps`: finished steps only. No prototype, so no inherited names. */
  private readonly stepsCtx: Record<string, unknown> = Object.create(null) as Record<string, unknown>
  private finished = 0
  private started = false
  private doneSent = false
  private readonly queue: number[] = []

  /** `reuse`: steps whose records are taken as they are (retry-from); `jobId` for workflow.id. */
  constructor (def: WorkflowDef, private readonly inputs: Record<string, unknown>, private readonly jobId: string, private readonly reuse: Record<string, StepRecord> = {}) {
    this.plan = compileWorkflow(def)
    this.live = this.plan.steps.map(s => ({ state: 'pending', endedCount: 0, matrix: s.matrix != null }))
  }

  /** The first actions (roots; reused steps count as finished at once). Call once. */
  start (): WorkflowAction[] {
    if (this.started) return []
    this.started = true
    const out: WorkflowAction[] = []
    for (const s of this.plan.steps) {
      if (Object.hasOwn(this.reuse, s.name)) this.finish(s.index, { ...this.reuse[s.name]!, reused: true }, out)
    }
    // Every step is then considered in definition order (not in the order reuse freed them).
    this.queue.length = 0
    for (const s of this.plan.steps) this.queue.push(s.index)
    this.drain(out)
    return out
  }

  /** A step task ended for good (`ok` false: failed after its attempts). `result` is the task's JSON result text. Idempotent per key. */
  taskEnded (key: string, ok: boolean, result: string | undefined, error: string | undefined): WorkflowAction[] {
    if (this.ended.has(key) || !this.isTaskKey(key)) return []
    this.ended.set(key, { ok, result, error })
    if (!this.open.has(key)) return []
    const out: WorkflowAction[] = []
    this.applyEnded(key, out)
    this.drain(out)
    return out
  }

  /** An approval was decided. Idempotent per step. */
  approvalDecided (step: string, approved: boolean, by: string, comment?: string): WorkflowAction[] {
    const i = this.plan.byName.get(step)
    if (i == null || this.plan.steps[i]!.kind !== 'approval' || this.decisions.has(step)) return []
    this.decisions.set(step, { approved, by, comment })
    if (this.live[i]!.state !== 'waiting-approval') return []
    const out: WorkflowAction[] = []
    this.applyDecision(i, out)
    this.drain(out)
    return out
  }

  get done (): boolean {
    return this.finished === this.plan.steps.length
  }

  view (): StepView[] {
    return this.plan.steps.map((s, i) => {
      const l = this.live[i]!
      const v: StepView = { name: s.name, needs: s.needs.map(j => this.plan.steps[j]!.name), state: l.state }
      if (l.matrix && l.keys != null) v.elements = { done: l.endedCount, total: l.keys.length }
      if (l.record?.output !== undefined) v.output = l.record.output
      if (l.record?.error != null) v.error = l.record.error
      if (l.record?.reused === true) v.reused = true
      return v
    })
  }

  /** Keys of tasks the engine asked to run that have not ended, in the order asked. */
  outstanding (): string[] {
    return this.asked.filter(k => this.open.has(k))
  }

  /** Every step's record so far (finished steps only), in definition order. */
  records (): Record<string, StepRecord> {
    const out: Record<string, StepRecord> = {}
    this.plan.steps.forEach((s, i) => { const r = this.live[i]!.record; if (r != null) out[s.name] = r })
    return out
  }

  /**
   * What a retry re-runs and what it keeps. With `from`: that step and everything downstream
   * of it, plus every step that did not succeed; without: every step that did not succeed
   * (failed, skipped or never run) and everything downstream of those. Only successful
   * records are reused, so a failed or skipped step always runs (or is decided) again.
   */
  static retryPlan (def: WorkflowDef, previous: Record<string, StepRecord>, from?: string): { rerun: string[], reuse: Record<string, StepRecord> } {
    const plan = compileWorkflow(def)
    const rerun = new Set<number>()
    const mark = (i: number): void => {
      const stack = [i]
      while (stack.length > 0) {
        const j = stack.pop()!
        if (rerun.has(j)) continue
        rerun.add(j)
        stack.push(...plan.steps[j]!.children)
      }
    }
    if (from != null) {
      const i = plan.byName.get(from)
      if (i == null) throw new WorkflowError(`retry from ${JSON.stringify(from)}: the workflow has no such step (its steps: ${plan.steps.map(s => s.name).join(', ')})`)
      mark(i)
    }
    for (const s of plan.steps) {
      const prev = Object.hasOwn(previous, s.name) ? previous[s.name] : undefined
      if (prev?.outcome !== 'success') mark(s.index)
    }
    const reuse: Record<string, StepRecord> = {}
    const names: string[] = []
    for (const s of plan.steps) {
      if (rerun.has(s.index)) names.push(s.name)
      else reuse[s.name] = { ...previous[s.name]!, reused: true }
    }
    return { rerun: names, reuse }
  }

  // ---- the machine ----

  private isTaskKey (key: string): boolean {
    const m = /^(\d{1,6})(?:m(\d{1,6}))?$/.exec(key)
    if (m == null) return false
    const s = this.plan.steps[Number(m[1])]
    if (s == null || s.kind !== 'task' || String(Number(m[1])) !== m[1]) return false
    return (m[2] != null) === (s.matrix != null) && (m[2] == null || String(Number(m[2])) === m[2])
  }

  /** Decides every queued step whose needs have all ended, until nothing more can move. */
  private drain (out: WorkflowAction[]): void {
    while (this.queue.length > 0) {
      const i = this.queue.shift()!
      const s = this.plan.steps[i]!
      if (this.live[i]!.state !== 'pending') continue
      if (!s.needs.every(j => this.live[j]!.record != null)) continue
      this.activate(s, out)
    }
    if (this.done && !this.doneSent) {
      this.doneSent = true
      const summary = this.summary()
      out.push({ kind: 'done', ok: summary.ok, summary })
    }
  }

  private summary (): WorkflowSummary {
    const steps = this.records()
    const failed: string[] = []
    const skipped: string[] = []
    let ok = true
    for (const s of this.plan.steps) {
      const r = steps[s.name]!
      if (r.outcome === 'failure') {
        failed.push(s.name)
        if (!s.continueOnFailure) ok = false
      } else if (r.outcome === 'skipped') {
        skipped.push(s.name)
      }
    }
    return { ok, steps, failed, skipped }
  }

  private context (s: CompiledStep, matrix?: EvalContext['matrix']): EvalContext {
    let success = true
    let failure = false
    for (const j of s.needs) {
      const r = this.live[j]!.record!
      if (r.outcome === 'failure') failure = true
      if (!(r.outcome === 'success' || (r.outcome === 'failure' && this.plan.steps[j]!.continueOnFailure))) success = false
    }
    return {
      inputs: this.inputs,
      steps: this.stepsCtx,
      ...(matrix != null ? { matrix } : {}),
      workflow: { id: this.jobId, name: this.plan.def.name ?? null },
      success,
      failure
    }
  }

  private activate (s: CompiledStep, out: WorkflowAction[]): void {
    const ctx = this.context(s)
    let run: boolean
    if (s.cond == null) run = ctx.success
    else if (typeof s.cond === 'boolean') run = s.cond
    else {
      try {
        run = truthy(render(s.cond, ctx))
      } catch (err) {
        this.finish(s.index, { outcome: 'failure', error: `\`if\` could not be evaluated: ${errText(err)}` }, out)
        return
      }
    }
    if (!run) {
      this.finish(s.index, { outcome: 'skipped' }, out)
      return
    }
    if (s.kind === 'approval') this.askApproval(s, ctx, out)
    else this.runTasks(s, ctx, out)
  }

  private askApproval (s: CompiledStep, ctx: EvalContext, out: WorkflowAction[]): void {
    let prompt: string
    try {
      prompt = s.prompt != null ? toText(render(s.prompt, ctx)) : ''
    } catch (err) {
      this.finish(s.index, { outcome: 'failure', error: `\`approval.prompt\` could not be evaluated: ${errText(err)}` }, out)
      return
    }
    const a = s.approval!
    this.live[s.index]!.state = 'waiting-approval'
    out.push({ kind: 'approval', ask: { step: s.name, prompt, timeoutMs: a.timeoutMs, onTimeout: a.onTimeout, ...(a.approvers != null ? { approvers: [...a.approvers] } : {}) } })
    if (this.decisions.has(s.name)) this.applyDecision(s.index, out)
  }

  private applyDecision (i: number, out: WorkflowAction[]): void {
    const d = this.decisions.get(this.plan.steps[i]!.name)!
    const output = { approved: d.approved, by: d.by, comment: d.comment ?? null }
    this.finish(i, d.approved
      ? { outcome: 'success', output }
      : { outcome: 'failure', output, error: `rejected by ${d.by}${d.comment != null && d.comment !== '' ? `: ${d.comment}` : ''}` }, out)
  }

  private runTasks (s: CompiledStep, ctx: EvalContext, out: WorkflowAction[]): void {
    let tasks: StepTask[]
    try {
      tasks = this.tasksOf(s, ctx)
    } catch (err) {
      this.finish(s.index, { outcome: 'failure', error: errText(err) }, out)
      return
    }
    const l = this.live[s.index]!
    if (tasks.length === 0) {
      // An empty matrix: nothing to run, nothing failed.
      l.keys = []
      this.finish(s.index, { outcome: 'success', output: [] }, out)
      return
    }
    l.state = 'running'
    l.keys = tasks.map(t => t.key)
    l.results = tasks.map(() => undefined)
    for (const t of tasks) {
      this.asked.push(t.key)
      this.open.add(t.key)
    }
    out.push({ kind: 'run', tasks })
    for (const k of l.keys) {
      if (this.ended.has(k) && this.open.has(k)) this.applyEnded(k, out)
    }
  }

  /** The tasks of a step that is to run: its matrix expanded, every expression resolved. */
  private tasksOf (s: CompiledStep, ctx: EvalContext): StepTask[] {
    const base = { type: s.type, ...(s.requires != null ? { requires: [...s.requires] } : {}), ...pick(s, ['attempts', 'timeoutMs', 'priority']) }
    const one = (element: number | undefined, c: EvalContext): StepTask => {
      const at = element != null ? `element ${element}: ` : ''
      let payload = s.def.with !== undefined ? this.resolve(s.def.with, c, 'with', at) : null
      if (s.cmd != null) {
        let cmd: string
        try {
          cmd = toText(render(s.cmd, c))
        } catch (err) {
          throw new ExprError(`${at}\`cmd\` could not be evaluated: ${errText(err)}`)
        }
        if (cmd.trim() === '') throw new ExprError(`${at}\`cmd\` resolved to an empty command`)
        payload = { ...(payload as Record<string, unknown> | null ?? {}), cmd }
      }
      const size = utf8Bytes(JSON.stringify(payload) ?? 'null')
      if (size > WORKFLOW_LIMITS.outputBytes) throw new ExprError(`${at}the resolved payload is ${size} bytes, over the ${WORKFLOW_LIMITS.outputBytes}-byte limit for a task payload`)
      return { key: taskKey(s.index, element), step: s.name, stepIndex: s.index, ...(element != null ? { element } : {}), task: { ...base, payload } }
    }
    if (s.matrix == null) return [one(undefined, ctx)]
    let items: unknown
    if ('list' in s.matrix) items = s.matrix.list.map((x, k) => this.resolve(x, ctx, `matrix[${k}]`, ''))
    else {
      try {
        items = render(s.matrix.expr, ctx)
      } catch (err) {
        throw new ExprError(`\`matrix\` could not be evaluated: ${errText(err)}`)
      }
    }
    if (!Array.isArray(items)) throw new ExprError(`\`matrix\` must give an array, and gave ${items === null ? 'null' : typeof items === 'object' ? 'an object' : `${typeof items} ${JSON.stringify(items)}`}`)
    if (items.length > WORKFLOW_LIMITS.matrix) throw new ExprError(`\`matrix\` gave ${items.length} items; at most ${WORKFLOW_LIMITS.matrix}`)
    const count = items.length
    return items.map((item: unknown, index) => one(index, { ...ctx, matrix: { item, index, count } }))
  }

  /** A JSON value with every string's `${{ }}` resolved. */
  private resolve (v: unknown, ctx: EvalContext, field: string, at: string): unknown {
    if (typeof v === 'string') {
      const t = this.template(v)
      try {
        return render(t, ctx)
      } catch (err) {
        throw new ExprError(`${at}\`${field}\` could not be evaluated: ${errText(err)}`)
      }
    }
    if (Array.isArray(v)) return v.map((x, k) => this.resolve(x, ctx, `${field}[${k}]`, at))
    if (v != null && typeof v === 'object') {
      const o: Record<string, unknown> = {}
      for (const [k, x] of Object.entries(v)) {
        Object.defineProperty(o, k, { value: this.resolve(x, ctx, `${field}.${k}`, at), enumerable: true, writable: true, configurable: true })
      }
      return o
    }
    return v
  }

  private template (text: string): Template {
    return this.plan.templates.get(text) ?? parseTemplate(text)
  }

  private applyEnded (key: string, out: WorkflowAction[]): void {
    this.open.delete(key)
    const e = this.ended.get(key)!
    const m = /^(\d+)(?:m(\d+))?$/.exec(key)!
    const i = Number(m[1])
    const k = m[2] != null ? Number(m[2]) : 0
    const l = this.live[i]!
    l.results![k] = elementResult(e)
    l.endedCount++
    if (l.endedCount < l.keys!.length) return
    const results = l.results as ElementResult[]
    if (!l.matrix) {
      const r = results[0]!
      this.finish(i, r.ok ? { outcome: 'success', output: r.output } : { outcome: 'failure', ...(r.output !== undefined ? { output: r.output } : {}), error: r.error }, out)
      return
    }
    const output = results.map(r => r.output ?? null)
    const failed = results.flatMap((r, idx) => r.ok ? [] : [{ idx, error: r.error }])
    if (failed.length === 0) this.finish(i, { outcome: 'success', output }, out)
    else {
      const first = failed[0]!
      const more = failed.length > 1 ? ` (${failed.length} of ${results.length} elements failed)` : ''
      this.finish(i, { outcome: 'failure', output, error: `element ${first.idx} failed: ${first.error}${more}` }, out)
    }
  }

  private finish (i: number, record: StepRecord, out: WorkflowAction[]): void {
    const l = this.live[i]!
    if (l.record != null) return
    const s = this.plan.steps[i]!
    l.record = record
    l.state = record.outcome
    this.finished++
    this.stepsCtx[s.name] = {
      output: record.output ?? null,
      outputs: l.matrix ? (record.output ?? null) : null,
      outcome: record.outcome,
      error: record.error ?? null
    }
    out.push({ kind: 'step', step: s.name, record })
    this.queue.push(...s.children)
  }
}

/**
 * One task's outcome as the step sees it. A failed task may still have a result (a command
 * that exited non-zero keeps its code and output): it is kept as the output.
 */
function elementResult (e: Ended): ElementResult {
  if (e.result == null) return e.ok ? { ok: true, output: null } : { ok: false, error: e.error ?? 'the task failed' }
  const size = utf8Bytes(e.result)
  if (size > WORKFLOW_LIMITS.outputBytes) {
    const over = `output is ${size} bytes, over the ${WORKFLOW_LIMITS.outputBytes}-byte limit for a step output`
    return { ok: false, error: e.ok ? over : `${e.error ?? 'the task failed'} (and its ${over})` }
  }
  let output: unknown
  try {
    output = JSON.parse(e.result) as unknown
  } catch {
    // Not JSON (a handler that returned text through another path): the text itself.
    output = e.result
  }
  return e.ok ? { ok: true, output } : { ok: false, error: e.error ?? 'the task failed', output }
}

function errText (err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

function pick<T extends object, K extends keyof T> (o: T, keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {}
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k]
  return out
}

/** UTF-8 length of a string, without a Buffer (this core does no I/O). */
export function utf8Bytes (s: string): number {
  let n = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x80) n += 1
    else if (c < 0x800) n += 2
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) { n += 4; i++ } else n += 3
  }
  return n
}
