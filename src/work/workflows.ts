// Workflows at their home: the glue between the work core and the pure DAG engine
// (src/workflow/). A workflow is one job with one root task, its driver, of the reserved type
// WORKFLOW_TYPE. The driver never runs on an executor and never leaves its home: it stays
// live in the job's Dijkstra–Scholten state for as long as the workflow has steps to run, so
// the job cannot complete early, and every step task is spawned as one of its children. When
// the engine says the workflow is done, the driver finishes, and the job completes by the same
// completion detection as every other job once the last step's subtree has reported.
//
// Step task ids are `<driver>.<key>` with the engine's stable key (`3`, or `3m2` for element 2
// of a matrix step): a home that restarts rebuilds the run from the definition and the
// recorded outcomes, and spawns again only what is neither held here nor recorded.
//
// Pure: the host (the work core) brings the clock and does every write.

import { WorkflowRun, type ApprovalAsk, type StepTask, type StepView, type WorkflowAction, type WorkflowSummary } from '../workflow/index.js'
import type { TaskOutcome } from './records.js'
import { APPROVAL_LIMITS, approvalId, type ApprovalRecord, type ApprovalRequest } from '../workflow/approvals.js'
import { makeTask, type Task, type WorkflowPayload } from './spec.js'

export { WORKFLOW_TYPE, type WorkflowPayload } from './spec.js'

/** What the control log knows of an approval that the engine needs (an ApprovalRecord has it). */
export type ApprovalDecision = Pick<ApprovalRecord, 'id' | 'jobId' | 'step' | 'state' | 'by' | 'comment'>
export type { ApprovalRequest }

/**
 * Whether a task of a workflow job is one of its step tasks (`<job>/0.<key>`, `<job>/0@e.<key>`),
 * not a step's own child. The driver spawns them and its outcome, which comes last, counts
 * none, so a job record restored from its outcomes (which counts roots and what recorded
 * outcomes spawned) counts them again: the recorded ones at restore, the held ones when the
 * run is rebuilt (WorkflowBook.start).
 */
export function isStepTask (jobId: string, taskId: string): boolean {
  if (!taskId.startsWith(jobId + '/')) return false
  const rest = taskId.slice(jobId.length + 1)
  const dot = rest.indexOf('.')
  return dot > 0 && rest.indexOf('.', dot + 1) < 0
}

export interface WorkflowHost {
  readonly self: string
  now: () => number
  /** Whether a task is held here or its outcome recorded: then it is not spawned again. */
  known: (jobId: string, taskId: string) => boolean
  /** Spawns a step task as a child of the driver (held, queued, charged to the driver). */
  spawn: (driver: Task, task: Task) => void
  /** The workflow is over: the driver finishes with this outcome. */
  finish: (driver: Task, ok: boolean, result: WorkflowResult) => void
  requestApproval: (req: ApprovalRequest) => void
  /** The registry's record of an approval, if any. */
  approval: (id: string) => ApprovalDecision | undefined
  /** A notice for the event log. */
  notice: (type: string, data: Record<string, unknown>) => void
}

interface Live {
  driver: Task
  payload: WorkflowPayload
  run: WorkflowRun
  /** Every step task the engine asked for, by key (what a replay may have to spawn). */
  asked: Map<string, StepTask>
  /** Step names waiting for an approval, with the approval asked. */
  waiting: Map<string, ApprovalAsk>
  /** Approvals asked for in this run (asked once; the control log deduplicates across restarts). */
  requested: Set<string>
  /** Keys of the step tasks this run spawned (the others it waits for were there before it: a restart). */
  spawned: Set<string>
  stepNames: string[]
  summary?: WorkflowSummary
  finished: boolean
}

export class WorkflowBook {
  private readonly live = new Map<string, Live>()

  constructor (private readonly host: WorkflowHost) {}

  /** Whether the job is a workflow running here. */
  has (jobId: string): boolean {
    return this.live.has(jobId)
  }

  /**
   * The driver of a job homed here became runnable (registered, adopted, or restored after a
   * restart with `recorded`, the job's outcomes so far): start or rebuild its run. Returns how
   * many of its step tasks are held here and not recorded: a restart counts them in the job's
   * total again (see isStepTask).
   */
  start (driver: Task, recorded: readonly TaskOutcome[] = []): number {
    const old = this.live.get(driver.jobId)
    if (old != null && old.driver.id === driver.id) return 0
    const payload = JSON.parse(driver.payload) as WorkflowPayload
    const run = new WorkflowRun(payload.def, payload.inputs, driver.jobId, payload.reuse)
    const w: Live = { driver, payload, run, asked: new Map(), waiting: new Map(), requested: new Set(), spawned: new Set(), stepNames: Object.keys(payload.def.steps), finished: false }
    this.live.set(driver.jobId, w)
    // Replay: feed everything already recorded before acting, then act on what is left, so
    // nothing recorded is spawned again and nothing finished is asked again.
    const pending: WorkflowAction[] = [...run.start()]
    const mine = recorded.filter(o => this.keyOf(w, o.taskId) != null).sort((a, b) => a.taskId < b.taskId ? -1 : a.taskId > b.taskId ? 1 : 0)
    for (const o of mine) pending.push(...run.taskEnded(this.keyOf(w, o.taskId)!, o.ok, o.result, o.error))
    this.note(w, pending)
    this.settle(w)
    // Rebuilt, the run has asked again for every step task spawned before (their needs are
    // recorded, their approvals in the registry): those not recorded are held here.
    return run.outstanding().filter(key => !w.spawned.has(key) && this.host.known(driver.jobId, `${driver.id}.${key}`)).length
  }

  /** A recorded outcome of a task of a job homed here: a step task ending moves the run on. */
  outcome (o: TaskOutcome): void {
    const w = this.live.get(o.jobId)
    if (w == null || w.finished || o.cancelled === true) return
    const key = this.keyOf(w, o.taskId)
    if (key == null) return
    this.note(w, w.run.taskEnded(key, o.ok, o.result, o.error))
    this.settle(w)
  }

  /** Whether a failed outcome is of a step that continues on failure (the job does not fail for it). */
  tolerated (o: TaskOutcome): boolean {
    if (o.ok || o.cancelled === true) return false
    const w = this.live.get(o.jobId)
    if (w == null) return false
    const key = this.keyOf(w, o.taskId)
    if (key == null) return false
    const name = w.stepNames[Number.parseInt(key, 10)]
    return name != null && w.payload.def.steps[name]?.continueOnFailure === true
  }

  /** The control log decided an approval (or cancelled it). */
  approvalDecided (d: ApprovalDecision): void {
    const w = this.live.get(d.jobId)
    if (w == null || w.finished || !w.waiting.has(d.step)) return
    if (d.state !== 'approved' && d.state !== 'rejected') return
    w.waiting.delete(d.step)
    this.note(w, w.run.approvalDecided(d.step, d.state === 'approved', d.by ?? 'unknown', d.comment))
    this.settle(w)
  }

  /** Whether the workflow waits for a person (an approval): not a stuck job. */
  waitingForApproval (jobId: string): boolean {
    const w = this.live.get(jobId)
    return w != null && !w.finished && w.waiting.size > 0
  }

  /** A workflow running here, for `meshnode job ID`. */
  view (jobId: string): WorkflowView | undefined {
    const w = this.live.get(jobId)
    if (w == null) return undefined
    return viewOf(w.payload, w.run.view())
  }

  /** The job is over here, cancelled, or moved away: forget its run. */
  drop (jobId: string): Task | undefined {
    const w = this.live.get(jobId)
    this.live.delete(jobId)
    return w?.driver
  }

  /** The step-task key of a task id, if it is a step task of this run (not a step's own child). */
  private keyOf (w: Live, taskId: string): string | undefined {
    const prefix = w.driver.id + '.'
    if (!taskId.startsWith(prefix)) return undefined
    const key = taskId.slice(prefix.length)
    return key.includes('.') ? undefined : key
  }

  /** Remembers what the engine asked for; nothing is acted on until settle(). */
  private note (w: Live, actions: readonly WorkflowAction[]): void {
    for (const a of actions) {
      if (a.kind === 'run') for (const t of a.tasks) w.asked.set(t.key, t)
      else if (a.kind === 'approval') w.waiting.set(a.ask.step, a.ask)
      else if (a.kind === 'done') w.summary = a.summary
      else if (a.kind === 'step') {
        w.waiting.delete(a.step)
        this.host.notice('workflow.step', { job: w.driver.jobId, step: a.step, outcome: a.record.outcome, ...(a.record.error != null ? { error: a.record.error } : {}) })
      }
    }
  }

  /** Acts on the run's state: spawns what it waits for, asks for approvals, finishes when done. */
  private settle (w: Live): void {
    for (;;) {
      if (w.finished) return
      // The engine's `done` action, sent once after its last step, carries the summary.
      if (w.summary != null) {
        w.finished = true
        this.host.finish(w.driver, w.summary.ok, { ...w.summary, workflow: w.payload })
        return
      }
      const outstanding = w.run.outstanding()
      for (const key of outstanding) {
        const st = w.asked.get(key)
        if (st == null) continue
        const id = `${w.driver.id}.${key}`
        if (this.host.known(w.driver.jobId, id)) continue
        w.spawned.add(key)
        this.host.spawn(w.driver, this.stepTask(w, id, st))
      }
      // Approvals already decided (a restart, a re-home, a decision that came first) are fed
      // back at once; the rest are asked for (idempotent in the control log).
      let decided = false
      for (const [step, ask] of w.waiting) {
        const id = approvalId(w.driver.jobId, step)
        const rec = this.host.approval(id)
        if (rec != null && (rec.state === 'approved' || rec.state === 'rejected')) {
          w.waiting.delete(step)
          this.note(w, w.run.approvalDecided(step, rec.state === 'approved', rec.by ?? 'unknown', rec.comment))
          decided = true
          break
        }
        if (rec == null && !w.requested.has(step)) {
          w.requested.add(step)
          this.host.requestApproval({
            id, jobId: w.driver.jobId, step, prompt: ask.prompt, home: this.host.self, requestedAt: this.host.now(),
            deadline: this.host.now() + (ask.timeoutMs > 0 ? Math.min(ask.timeoutMs, APPROVAL_LIMITS.maxTimeoutMs) : APPROVAL_LIMITS.maxTimeoutMs), onTimeout: ask.onTimeout, ...(ask.approvers != null ? { approvers: ask.approvers } : {})
          })
        }
      }
      if (!decided) return
    }
  }

  private stepTask (w: Live, id: string, st: StepTask): Task {
    const d = w.payload.def.defaults ?? {}
    return makeTask(id, w.driver.jobId, w.driver.home, st.task, { ...(d.requires != null ? { requires: d.requires } : {}), ...(d.attempts != null ? { attempts: d.attempts } : {}), ...(d.timeoutMs != null ? { timeoutMs: d.timeoutMs } : {}), ...(d.priority != null ? { priority: d.priority } : {}) })
  }
}

/** A finished workflow's result (its driver's): every step's record, and what it ran. */
export interface WorkflowResult extends WorkflowSummary {
  workflow: WorkflowPayload
}

/** What `meshnode job ID` shows of a workflow (JSON `workflow`). */
export interface WorkflowView {
  name?: string
  steps: StepView[]
  definition: WorkflowPayload['def']
  inputs: Record<string, unknown>
  retryOf?: string
}

function viewOf (payload: WorkflowPayload, steps: StepView[]): WorkflowView {
  return { ...(payload.def.name != null ? { name: payload.def.name } : {}), steps, definition: payload.def, inputs: payload.inputs, ...(payload.retryOf != null ? { retryOf: payload.retryOf } : {}) }
}

/** The view of a finished workflow, from its driver's result. */
export function finishedView (result: WorkflowResult): WorkflowView {
  const steps: StepView[] = Object.entries(result.workflow.def.steps).map(([name, def]) => {
    const r = result.steps[name]
    return {
      name,
      needs: [...(def.needs ?? [])],
      state: r?.outcome ?? 'skipped',
      ...(r?.output !== undefined ? { output: r.output } : {}),
      ...(r?.error != null ? { error: r.error } : {}),
      ...(r?.reused === true ? { reused: true } : {})
    }
  })
  return viewOf(result.workflow, steps)
}
