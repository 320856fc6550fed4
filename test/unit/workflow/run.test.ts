// The workflow engine as a state machine: what it asks to run, when, with which payloads, and
// how outcomes, conditions, fan-out, approvals and retries shape the run.
import { describe, expect, it } from 'vitest'
import { parseWorkflow, WorkflowRun, WORKFLOW_LIMITS, type StepTask, type WorkflowAction, type WorkflowDef } from '../../../src/workflow/index.js'

const runs = (actions: WorkflowAction[]): StepTask[] => actions.flatMap(a => a.kind === 'run' ? a.tasks : [])
const keys = (actions: WorkflowAction[]): string[] => runs(actions).map(t => t.key)
const stepsDone = (actions: WorkflowAction[]): string[] => actions.flatMap(a => a.kind === 'step' ? [`${a.step}:${a.record.outcome}`] : [])
const doneOf = (actions: WorkflowAction[]) => actions.find(a => a.kind === 'done') as Extract<WorkflowAction, { kind: 'done' }> | undefined
const ok = (v: unknown): string => JSON.stringify(v)

function wf (steps: WorkflowDef['steps'], extra: Partial<WorkflowDef> = {}): WorkflowDef {
  return parseWorkflow({ ...extra, steps })
}

describe('workflow run: order and payloads', () => {
  it('starts the roots, then each step once its needs have ended', () => {
    const run = new WorkflowRun(wf({ a: { type: 't' }, b: { type: 't' }, c: { type: 't', needs: ['a', 'b'] } }), {}, 'j')
    expect(keys(run.start())).toEqual(['0', '1'])
    expect(run.outstanding()).toEqual(['0', '1'])
    expect(keys(run.taskEnded('0', true, '1', undefined))).toEqual([])
    const next = run.taskEnded('1', true, '2', undefined)
    expect(stepsDone(next)).toEqual(['b:success'])
    expect(keys(next)).toEqual(['2'])
    const end = run.taskEnded('2', true, '3', undefined)
    expect(doneOf(end)?.ok).toBe(true)
    expect(run.done).toBe(true)
    expect(run.outstanding()).toEqual([])
  })

  it('resolves with from inputs, earlier outputs and workflow.id; defaults fill task options', () => {
    const run = new WorkflowRun(wf({
      build: { type: 'compile', with: { ref: '${{ inputs.version }}' }, requires: ['linux'] },
      ship: { type: 'ship', needs: ['build'], with: { path: '${{ steps.build.output.path }}', job: '${{ workflow.id }}', n: 1 }, attempts: 5 }
    }, { inputs: { version: {} }, defaults: { requires: ['fast'], attempts: 2, timeoutMs: 1000, priority: 3 } }), { version: 'v1' }, 'job-9')
    expect(runs(run.start())).toEqual([{ key: '0', step: 'build', stepIndex: 0, task: { type: 'compile', payload: { ref: 'v1' }, requires: ['fast', 'linux'], attempts: 2, timeoutMs: 1000, priority: 3 } }])
    expect(runs(run.taskEnded('0', true, ok({ path: '/o' }), undefined))).toEqual([
      { key: '1', step: 'ship', stepIndex: 1, task: { type: 'ship', payload: { path: '/o', job: 'job-9', n: 1 }, requires: ['fast'], attempts: 5, timeoutMs: 1000, priority: 3 } }
    ])
  })

  it('a cmd step runs type cmd with payload {cmd} merged over its with', () => {
    const run = new WorkflowRun(wf({ a: { cmd: 'echo ${{ inputs.x }} ${{ toJSON(inputs) }}', with: { cwd: '/tmp' } } }, { inputs: { x: {} } }), { x: 'hi' }, 'j')
    expect(runs(run.start())[0]!.task).toEqual({ type: 'cmd', payload: { cwd: '/tmp', cmd: 'echo hi {"x":"hi"}' } })
  })

  it('a step without with gets a null payload', () => {
    const run = new WorkflowRun(wf({ a: { type: 't' } }), {}, 'j')
    expect(runs(run.start())[0]!.task.payload).toBe(null)
  })

  it('a result that is not JSON is kept as text', () => {
    const run = new WorkflowRun(wf({ a: { type: 't' } }), {}, 'j')
    run.start()
    expect(doneOf(run.taskEnded('0', true, 'plain words', undefined))?.summary.steps.a).toEqual({ outcome: 'success', output: 'plain words' })
  })

  it('taskEnded is idempotent per key and ignores keys it does not know', () => {
    const run = new WorkflowRun(wf({ a: { type: 't' }, b: { type: 't', needs: ['a'] } }), {}, 'j')
    run.start()
    expect(run.taskEnded('7', true, '1', undefined)).toEqual([])
    expect(run.taskEnded('0m1', true, '1', undefined)).toEqual([])
    expect(run.taskEnded('x', true, '1', undefined)).toEqual([])
    expect(keys(run.taskEnded('0', true, '1', undefined))).toEqual(['1'])
    expect(run.taskEnded('0', false, undefined, 'late')).toEqual([])
    expect(run.view()[0]!.state).toBe('success')
  })

  it('start() acts once', () => {
    const run = new WorkflowRun(wf({ a: { type: 't' } }), {}, 'j')
    expect(keys(run.start())).toEqual(['0'])
    expect(run.start()).toEqual([])
  })
})

describe('workflow run: matrix fan-out and converge', () => {
  const def = wf({
    build: { type: 'b' },
    shard: { type: 'test', needs: ['build'], matrix: '${{ steps.build.output.shards }}', with: { shard: '${{ matrix.item }}', i: '${{ matrix.index }}', of: '${{ matrix.count }}' } },
    report: { type: 'r', needs: ['shard'], with: { all: '${{ steps.shard.outputs }}', same: '${{ steps.shard.output }}', outcome: '${{ steps.shard.outcome }}' } }
  })

  it('runs one task per item, with matrix.item, index and count', () => {
    const run = new WorkflowRun(def, {}, 'j')
    run.start()
    expect(runs(run.taskEnded('0', true, ok({ shards: ['a', 'b', 'c'] }), undefined))).toEqual([0, 1, 2].map(k => ({
      key: `1m${k}`, step: 'shard', stepIndex: 1, element: k, task: { type: 'test', payload: { shard: 'abc'[k], i: k, of: 3 } }
    })))
    expect(run.view()[1]).toMatchObject({ state: 'running', elements: { done: 0, total: 3 } })
  })

  it('the converge step receives every output in matrix order, whatever order they end in', () => {
    const run = new WorkflowRun(def, {}, 'j')
    run.start()
    run.taskEnded('0', true, ok({ shards: [1, 2, 3] }), undefined)
    expect(run.taskEnded('1m2', true, '"c"', undefined)).toEqual([])
    expect(run.view()[1]!.elements).toEqual({ done: 1, total: 3 })
    run.taskEnded('1m0', true, '"a"', undefined)
    const last = run.taskEnded('1m1', true, '"b"', undefined)
    expect(stepsDone(last)).toEqual(['shard:success'])
    expect(runs(last)[0]!.task.payload).toEqual({ all: ['a', 'b', 'c'], same: ['a', 'b', 'c'], outcome: 'success' })
  })

  it('a failed element fails the step (after all elements end); the converge step is skipped', () => {
    const run = new WorkflowRun(def, {}, 'j')
    run.start()
    run.taskEnded('0', true, ok({ shards: [1, 2, 3] }), undefined)
    run.taskEnded('1m1', false, undefined, 'flaky')
    expect(run.view()[1]!.state).toBe('running')
    run.taskEnded('1m0', false, undefined, 'broken')
    const last = run.taskEnded('1m2', true, '3', undefined)
    expect(stepsDone(last)).toEqual(['shard:failure', 'report:skipped'])
    expect(doneOf(last)?.summary.steps.shard).toEqual({ outcome: 'failure', output: [null, null, 3], error: 'element 0 failed: broken (2 of 3 elements failed)' })
  })

  it('a literal matrix resolves its items; an empty matrix succeeds with no output', () => {
    const run = new WorkflowRun(wf({ m: { type: 't', matrix: ['${{ inputs.a }}', 2], with: '${{ matrix.item }}' }, e: { type: 't', matrix: [] }, after: { type: 't', needs: ['e'], with: '${{ steps.e.outputs }}' } }, { inputs: { a: {} } }), { a: 'x' }, 'j')
    const first = run.start()
    expect(runs(first).map(t => [t.key, t.task.payload])).toEqual([['0m0', 'x'], ['0m1', 2], ['2', []]])
    expect(stepsDone(first)).toEqual(['e:success'])
  })

  it('a matrix expression that is not an array fails the step with the reason', () => {
    const run = new WorkflowRun(def, {}, 'j')
    run.start()
    const a = run.taskEnded('0', true, ok({ shards: 'abc' }), undefined)
    expect(doneOf(a)?.summary.steps.shard).toEqual({ outcome: 'failure', error: '`matrix` must give an array, and gave string "abc"' })
  })

  it('a matrix over the limit fails the step', () => {
    const run = new WorkflowRun(def, {}, 'j')
    run.start()
    const a = run.taskEnded('0', true, ok({ shards: Array.from({ length: WORKFLOW_LIMITS.matrix + 1 }, (_, i) => i) }), undefined)
    expect(doneOf(a)?.summary.steps.shard?.error).toBe('`matrix` gave 1001 items; at most 1000')
  })
})

describe('workflow run: conditions, skips and continueOnFailure', () => {
  it('a failed step skips what needs it, transitively, and the workflow fails', () => {
    const run = new WorkflowRun(wf({ a: { type: 't' }, b: { type: 't', needs: ['a'] }, c: { type: 't', needs: ['b'] }, d: { type: 't' } }), {}, 'j')
    run.start()
    expect(stepsDone(run.taskEnded('0', false, undefined, 'exit 2'))).toEqual(['a:failure', 'b:skipped', 'c:skipped'])
    const end = run.taskEnded('3', true, '1', undefined)
    expect(doneOf(end)).toMatchObject({ ok: false, summary: { failed: ['a'], skipped: ['b', 'c'] } })
    expect(doneOf(end)?.summary.steps.a).toEqual({ outcome: 'failure', error: 'exit 2' })
  })

  it('continueOnFailure: the failure counts as success for what needs it and does not fail the workflow', () => {
    const run = new WorkflowRun(wf({ lint: { type: 't', continueOnFailure: true }, build: { type: 't', needs: ['lint'], with: { lint: '${{ steps.lint.outcome }}', err: '${{ steps.lint.error }}' } } }), {}, 'j')
    run.start()
    const a = run.taskEnded('0', false, undefined, 'style')
    expect(runs(a)[0]!.task.payload).toEqual({ lint: 'failure', err: 'style' })
    expect(doneOf(run.taskEnded('1', true, '1', undefined))).toMatchObject({ ok: true, summary: { failed: ['lint'] } })
  })

  it('a failed task that left a result (a command\'s exit code and output) keeps it as the output', () => {
    const run = new WorkflowRun(wf({ test: { cmd: 'make test', continueOnFailure: true }, report: { type: 'r', needs: ['test'], with: { code: '${{ steps.test.output.code }}', err: '${{ steps.test.output.stderr }}' } } }), {}, 'j')
    run.start()
    const a = run.taskEnded('0', false, ok({ code: 2, stdout: '', stderr: 'red' }), 'command exited with code 2: red')
    expect(a[0]).toEqual({ kind: 'step', step: 'test', record: { outcome: 'failure', output: { code: 2, stdout: '', stderr: 'red' }, error: 'command exited with code 2: red' } })
    expect(runs(a)[0]!.task.payload).toEqual({ code: 2, err: 'red' })
  })

  it('a skipped need skips by default, and an explicit if can run anyway', () => {
    const run = new WorkflowRun(wf({
      a: { type: 't' },
      b: { type: 't', needs: ['a'] },
      byDefault: { type: 't', needs: ['b'] },
      cleanup: { type: 't', needs: ['b'], if: 'always()' },
      onFail: { type: 't', needs: ['a'], if: '${{ failure() }}' },
      onSkip: { type: 't', needs: ['b'], if: "steps.b.outcome == 'skipped' && steps.a.error == 'x'" }
    }), {}, 'j')
    run.start()
    const a = run.taskEnded('0', false, undefined, 'x')
    expect(stepsDone(a)).toEqual(['a:failure', 'b:skipped', 'byDefault:skipped'])
    expect(keys(a)).toEqual(['4', '3', '5'])
  })

  it('an if false skips the step and its dependants, and the workflow still succeeds', () => {
    const run = new WorkflowRun(wf({ a: { type: 't', if: false }, b: { type: 't', needs: ['a'] }, c: { type: 't', if: '${{ inputs.go }}' } }, { inputs: { go: { default: true } } }), { go: true }, 'j')
    const first = run.start()
    expect(stepsDone(first)).toEqual(['a:skipped', 'b:skipped'])
    expect(doneOf(run.taskEnded('2', true, '1', undefined))).toMatchObject({ ok: true, summary: { skipped: ['a', 'b'], failed: [] } })
  })

  it('an if that fails to evaluate fails the step with the reason, it does not throw', () => {
    const run = new WorkflowRun(wf({ a: { type: 't' }, b: { type: 't', needs: ['a'], if: "fromJSON(steps.a.output.text).ok" } }), {}, 'j')
    run.start()
    const a = run.taskEnded('0', true, ok({ text: '{nope' }), undefined)
    expect(stepsDone(a)).toEqual(['a:success', 'b:failure'])
    expect(doneOf(a)?.summary.steps.b?.error).toMatch(/^`if` could not be evaluated: fromJSON\(\): .*\(column 1\)$/)
  })

  it('a with that fails to evaluate fails the step naming the field', () => {
    const run = new WorkflowRun(wf({ a: { type: 't' }, b: { type: 't', needs: ['a'], with: { n: '${{ length(steps.a.output) }}' } } }), {}, 'j')
    run.start()
    expect(doneOf(run.taskEnded('0', true, '5', undefined))?.summary.steps.b?.error).toBe('`with.n` could not be evaluated: length() needs a string, an array or an object, not number 5 (column 5)')
  })

  it('a cmd that resolves to nothing fails the step', () => {
    const run = new WorkflowRun(wf({ a: { cmd: '${{ inputs.c }}' } }, { inputs: { c: {} } }), {}, 'j')
    expect(doneOf(run.start())?.summary.steps.a?.error).toBe('`cmd` resolved to an empty command')
  })
})

describe('workflow run: output size', () => {
  it('a result over the limit fails its step with the size and the limit', () => {
    const run = new WorkflowRun(wf({ a: { type: 't' }, b: { type: 't', needs: ['a'] } }), {}, 'j')
    run.start()
    const big = JSON.stringify('x'.repeat(WORKFLOW_LIMITS.outputBytes))
    const a = run.taskEnded('0', true, big, undefined)
    expect(stepsDone(a)).toEqual(['a:failure', 'b:skipped'])
    expect(doneOf(a)?.summary.steps.a?.error).toBe(`output is ${WORKFLOW_LIMITS.outputBytes + 2} bytes, over the 262144-byte limit for a step output`)
  })

  it('counts bytes, not characters', () => {
    const run = new WorkflowRun(wf({ a: { type: 't' } }), {}, 'j')
    run.start()
    const text = JSON.stringify('é'.repeat(WORKFLOW_LIMITS.outputBytes / 2))
    expect(doneOf(run.taskEnded('0', true, text, undefined))?.summary.steps.a?.error).toBe('output is 262146 bytes, over the 262144-byte limit for a step output')
  })

  it('a resolved payload over the limit fails the step before it runs', () => {
    const run = new WorkflowRun(wf({ a: { type: 't' }, b: { type: 't', needs: ['a'], with: { x: '${{ steps.a.output }}', y: '${{ steps.a.output }}' } } }), {}, 'j')
    run.start()
    const a = run.taskEnded('0', true, JSON.stringify('x'.repeat(200_000)), undefined)
    expect(keys(a)).toEqual([])
    expect(doneOf(a)?.summary.steps.b?.error).toMatch(/^the resolved payload is \d+ bytes, over the 262144-byte limit for a task payload$/)
  })
})

describe('workflow run: approvals', () => {
  const def = wf({
    build: { type: 'b' },
    gate: { needs: ['build'], approval: { prompt: 'Ship ${{ steps.build.output.v }}?', timeoutMs: 60_000, onTimeout: 'approve', approvers: ['ops'] } },
    ship: { type: 's', needs: ['gate'], with: { by: '${{ steps.gate.output.by }}', note: '${{ steps.gate.output.comment }}' } }
  })

  it('asks once its needs succeed, then runs what follows an approval', () => {
    const run = new WorkflowRun(def, {}, 'j')
    run.start()
    const a = run.taskEnded('0', true, ok({ v: '2.0' }), undefined)
    expect(a.filter(x => x.kind === 'approval')).toEqual([{ kind: 'approval', ask: { step: 'gate', prompt: 'Ship 2.0?', timeoutMs: 60_000, onTimeout: 'approve', approvers: ['ops'] } }])
    expect(run.view()[1]!.state).toBe('waiting-approval')
    const b = run.approvalDecided('gate', true, 'alice', 'lgtm')
    expect(stepsDone(b)).toEqual(['gate:success'])
    expect(runs(b)[0]!.task.payload).toEqual({ by: 'alice', note: 'lgtm' })
    expect(run.approvalDecided('gate', false, 'bob')).toEqual([])
  })

  it('a rejection fails the gate and skips what follows', () => {
    const run = new WorkflowRun(def, {}, 'j')
    run.start()
    run.taskEnded('0', true, ok({ v: '2.0' }), undefined)
    const b = run.approvalDecided('gate', false, 'bob', 'not today')
    expect(stepsDone(b)).toEqual(['gate:failure', 'ship:skipped'])
    expect(doneOf(b)?.summary.steps.gate).toEqual({ outcome: 'failure', output: { approved: false, by: 'bob', comment: 'not today' }, error: 'rejected by bob: not today' })
  })

  it('defaults: one day, reject on timeout; decisions for unknown or task steps are ignored', () => {
    const run = new WorkflowRun(wf({ gate: { approval: { prompt: 'ok?' } }, t: { type: 't' } }), {}, 'j')
    expect(run.start().find(a => a.kind === 'approval')).toEqual({ kind: 'approval', ask: { step: 'gate', prompt: 'ok?', timeoutMs: 86_400_000, onTimeout: 'reject' } })
    expect(run.approvalDecided('t', true, 'x')).toEqual([])
    expect(run.approvalDecided('nope', true, 'x')).toEqual([])
  })

  it('a decision that arrives before the gate is reached (replay) applies when it is', () => {
    const run = new WorkflowRun(def, {}, 'j')
    run.start()
    expect(run.approvalDecided('gate', true, 'alice')).toEqual([])
    const a = run.taskEnded('0', true, ok({ v: '1' }), undefined)
    expect(a.map(x => x.kind)).toEqual(['step', 'approval', 'step', 'run'])
  })
})

describe('workflow run: replayed outcomes', () => {
  it('an outcome that arrives before its step starts is applied when the step starts', () => {
    const run = new WorkflowRun(wf({ a: { type: 't' }, b: { type: 't', needs: ['a'] } }), {}, 'j')
    run.start()
    expect(run.taskEnded('1', true, '"b"', undefined)).toEqual([])
    const a = run.taskEnded('0', true, '"a"', undefined)
    expect(a.map(x => x.kind)).toEqual(['step', 'run', 'step', 'done'])
    expect(keys(a)).toEqual(['1'])
    expect(run.outstanding()).toEqual([])
  })
})

describe('workflow run: view and reuse', () => {
  it('view lists every step with its state, needs, output and error', () => {
    const run = new WorkflowRun(wf({ a: { type: 't' }, b: { type: 't', needs: ['a'] } }), {}, 'j')
    run.start()
    run.taskEnded('0', false, undefined, 'bad')
    expect(run.view()).toEqual([
      { name: 'a', needs: [], state: 'failure', error: 'bad' },
      { name: 'b', needs: ['a'], state: 'skipped' }
    ])
  })

  it('reused steps count as finished at once and their outputs feed later steps', () => {
    const def = wf({ a: { type: 't' }, b: { type: 't', needs: ['a'], with: '${{ steps.a.output }}' } })
    const run = new WorkflowRun(def, {}, 'j', { a: { outcome: 'success', output: 42 } })
    const first = run.start()
    expect(first[0]).toEqual({ kind: 'step', step: 'a', record: { outcome: 'success', output: 42, reused: true } })
    expect(runs(first)).toEqual([{ key: '1', step: 'b', stepIndex: 1, task: { type: 't', payload: 42 } }])
    expect(run.view()[0]!.reused).toBe(true)
  })
})

describe('retryPlan', () => {
  const def = wf({
    build: { type: 'b' },
    lint: { type: 'l', continueOnFailure: true },
    test: { type: 't', needs: ['build'] },
    pack: { type: 'p', needs: ['test', 'lint'] },
    docs: { type: 'd', needs: ['build'] }
  })
  const previous = {
    build: { outcome: 'success' as const, output: 1 },
    lint: { outcome: 'failure' as const, error: 'style' },
    test: { outcome: 'failure' as const, error: 'red' },
    pack: { outcome: 'skipped' as const },
    docs: { outcome: 'success' as const, output: 'd' }
  }

  it('without from: the steps that did not succeed and everything downstream of them', () => {
    expect(WorkflowRun.retryPlan(def, previous)).toEqual({
      rerun: ['lint', 'test', 'pack'],
      reuse: { build: { outcome: 'success', output: 1, reused: true }, docs: { outcome: 'success', output: 'd', reused: true } }
    })
  })

  it('from a step: it and its descendants re-run even if they succeeded; other successes are reused', () => {
    const all = { ...previous, lint: { outcome: 'success' as const }, test: { outcome: 'success' as const }, pack: { outcome: 'success' as const } }
    const plan = WorkflowRun.retryPlan(def, all, 'build')
    expect(plan.rerun).toEqual(['build', 'test', 'pack', 'docs'])
    expect(Object.keys(plan.reuse)).toEqual(['lint'])
  })

  it('a step missing from the previous records runs again', () => {
    expect(WorkflowRun.retryPlan(def, { build: previous.build }).rerun).toEqual(['lint', 'test', 'pack', 'docs'])
  })

  it('refuses an unknown from step, naming the steps', () => {
    expect(() => WorkflowRun.retryPlan(def, previous, 'tset')).toThrow('retry from "tset": the workflow has no such step (its steps: build, lint, test, pack, docs)')
  })

  it('a retry run reuses the successes and re-runs only the rest', () => {
    const plan = WorkflowRun.retryPlan(def, previous)
    const run = new WorkflowRun(def, {}, 'j2', plan.reuse)
    const first = run.start()
    expect(stepsDone(first)).toEqual(['build:success', 'docs:success'])
    expect(runs(first).map(t => t.step)).toEqual(['lint', 'test'])
  })
})
