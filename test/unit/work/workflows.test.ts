// Workflows run by real work shells on real LevelDB files (see harness.ts): a workflow is one
// job whose driver spawns each step when its needs have ended, passes outputs on, fans out a
// matrix across nodes, survives a restart of its home, continues past a tolerated failure,
// waits for approvals, and is cancelled like any job.
import { afterEach, describe, expect, it } from 'vitest'
import { parseJobInput, type JobInput } from '../../../src/work/spec.js'
import type { TaskContext } from '../../../src/work/executors.js'
import type { ApprovalDecision, ApprovalRequest } from '../../../src/work/workflows.js'
import { Mesh } from './harness.js'

let mesh: Mesh
afterEach(async () => { await mesh?.close() })

function wf (workflow: unknown, inputs: Record<string, unknown> = {}): JobInput {
  return parseJobInput({ workflow, inputs })
}

/** Records when each step task started and ended (ms, this process's clock). */
function timing (): { log: Map<string, { start: number, end: number, node: string }>, handlers: (node: string) => Record<string, (p: any, ctx: TaskContext) => Promise<unknown>> } {
  const log = new Map<string, { start: number, end: number, node: string }>()
  return {
    log,
    handlers: node => ({
      work: async (p: { name: string, ms?: number, value?: unknown }, ctx: TaskContext) => {
        const start = Date.now()
        await new Promise(resolve => setTimeout(resolve, p.ms ?? 5))
        log.set(`${p.name}:${ctx.taskId}`, { start, end: Date.now(), node })
        return { name: p.name, value: p.value ?? null, node }
      }
    })
  }
}

const DAG = {
  name: 'six',
  inputs: { n: { default: 3 } },
  steps: {
    build: { type: 'work', with: { name: 'build', value: { shards: [1, 2, 3, 4, 5, 6], path: '/tmp/out' } } },
    lint: { type: 'work', with: { name: 'lint' } },
    test: { needs: ['build'], type: 'work', matrix: '${{ steps.build.output.value.shards }}', with: { name: 'test', ms: 60, value: '${{ matrix.item }}' } },
    package: { needs: ['test', 'lint'], type: 'work', with: { name: 'package', value: '${{ steps.test.outputs }}' } },
    docs: { needs: ['build'], type: 'work', if: "${{ steps.build.outcome == 'success' }}", with: { name: 'docs', value: '${{ steps.build.output.value.path }}' } },
    never: { needs: ['lint'], type: 'work', if: "${{ steps.lint.outcome == 'failure' }}", with: { name: 'never' } }
  }
}

describe('workflows in the work engine', () => {
  it('runs a DAG across nodes: needs respected, outputs passed, a matrix fanned out and converged', async () => {
    mesh = new Mesh()
    const t = timing()
    const a = await mesh.add({ id: 'A', handlers: t.handlers('A'), concurrency: 1 })
    await mesh.add({ id: 'B', handlers: t.handlers('B'), concurrency: 2 })
    await mesh.add({ id: 'C', handlers: t.handlers('C'), concurrency: 2 })
    const [job] = await a.submit([wf(DAG)])
    const done = await mesh.waitFinal('A', job!.id)
    expect(done.state).toBe('completed')
    const view = await a.job(job!.id)
    const steps = Object.fromEntries(view!.workflow!.steps.map(s => [s.name, s]))
    expect(steps.never!.state).toBe('skipped')
    for (const name of ['build', 'lint', 'test', 'package', 'docs']) expect(steps[name]!.state).toBe('success')
    // The converge step got every element's output, in matrix order.
    expect((steps.package!.output as { value: Array<{ value: number }> }).value.map(o => o.value)).toEqual([1, 2, 3, 4, 5, 6])
    expect((steps.docs!.output as { value: string }).value).toBe('/tmp/out')
    // A step never started before its needs had ended.
    const entries = [...t.log.entries()]
    const ends = (name: string): number[] => entries.filter(([k]) => k.startsWith(name + ':')).map(([, v]) => v.end)
    const starts = (name: string): number[] => entries.filter(([k]) => k.startsWith(name + ':')).map(([, v]) => v.start)
    expect(Math.min(...starts('test'))).toBeGreaterThanOrEqual(Math.max(...ends('build')))
    expect(Math.min(...starts('package'))).toBeGreaterThanOrEqual(Math.max(...ends('test'), ...ends('lint')))
    // Each step task ran once, and the matrix ran on more than one node.
    expect(entries.filter(([k]) => k.startsWith('test:'))).toHaveLength(6)
    expect(new Set(entries.filter(([k]) => k.startsWith('test:')).map(([, v]) => v.node)).size).toBeGreaterThan(1)
    // Counted like any job: the driver and its 10 step tasks.
    expect(done).toMatchObject({ total: 11, done: 11, failed: 0 })
  })

  it('goes on after its home restarts mid-run, running no step twice', async () => {
    mesh = new Mesh()
    const runs = new Map<string, number>()
    let release!: () => void
    const gate = new Promise<void>(resolve => { release = resolve })
    const handlers = {
      step: async (p: { name: string }) => {
        runs.set(p.name, (runs.get(p.name) ?? 0) + 1)
        return p.name
      },
      hold: async () => { await gate; return 'held' }
    }
    const a = await mesh.add({ id: 'A', handlers })
    const [job] = await a.submit([wf({ steps: { one: { type: 'step', with: { name: 'one' } }, two: { needs: ['one'], type: 'hold' }, three: { needs: ['two'], type: 'step', with: { name: 'three:${{ steps.one.output }}' } } } })])
    for (let i = 0; i < 200 && (runs.get('one') ?? 0) === 0; i++) await new Promise(resolve => setTimeout(resolve, 10))
    await new Promise(resolve => setTimeout(resolve, 50))
    await mesh.restart('A')
    release()
    const done = await mesh.waitFinal('A', job!.id)
    expect(done.state).toBe('completed')
    expect(runs.get('one')).toBe(1)
    expect(runs.get('three:one')).toBe(1)
    // Counted across the restart: the driver and its three step tasks, each once.
    expect(done).toMatchObject({ total: 4, done: 4 })
    const view = await mesh.engine('A').job(job!.id)
    expect(view!.workflow!.steps.map(s => s.state)).toEqual(['success', 'success', 'success'])
  })

  it('a failed step fails the workflow and skips what needs it; continueOnFailure does not', async () => {
    mesh = new Mesh()
    const handlers = { boom: async () => { throw new Error('boom') }, fine: async () => 'fine' }
    const a = await mesh.add({ id: 'A', handlers })
    const [tolerant] = await a.submit([wf({ steps: { bad: { type: 'boom', attempts: 1, continueOnFailure: true }, after: { needs: ['bad'], type: 'fine' } } })])
    expect(await mesh.waitFinal('A', tolerant!.id)).toMatchObject({ state: 'completed', failed: 0 })
    const [strict] = await a.submit([wf({ steps: { bad: { type: 'boom', attempts: 1 }, after: { needs: ['bad'], type: 'fine' }, alone: { type: 'fine' } } })])
    const done = await mesh.waitFinal('A', strict!.id)
    expect(done.state).toBe('failed')
    const view = await a.job(strict!.id)
    expect(view!.workflow!.steps.map(s => [s.name, s.state])).toEqual([['bad', 'failure'], ['after', 'skipped'], ['alone', 'success']])
    expect(view!.error).toMatch(/boom/)
  })

  it('waits for an approval, asked once, and goes on as it is decided', async () => {
    mesh = new Mesh()
    const asked: ApprovalRequest[] = []
    const decided = new Map<string, ApprovalDecision>()
    mesh.registry.requestApproval = req => { asked.push(req) }
    mesh.registry.approval = id => decided.get(id)
    const a = await mesh.add({ id: 'A', handlers: { fine: async (p: unknown) => p } })
    const def = { steps: { prep: { type: 'fine', with: 1 }, gate: { needs: ['prep'], approval: { prompt: 'ship ${{ steps.prep.output }}?', timeoutMs: 60_000, onTimeout: 'reject' } }, ship: { needs: ['gate'], type: 'fine', with: '${{ steps.gate.output.approved }}' } } }
    const [yes] = await a.submit([wf(def)])
    const [no] = await a.submit([wf(def)])
    for (let i = 0; i < 200 && asked.length < 2; i++) await new Promise(resolve => setTimeout(resolve, 10))
    expect(asked.map(r => [r.id, r.prompt, r.onTimeout])).toEqual([[`${yes!.id}:gate`, 'ship 1?', 'reject'], [`${no!.id}:gate`, 'ship 1?', 'reject']])
    // A workflow waiting for a person is not stuck.
    expect((await a.job(yes!.id))!.workflow!.steps[1]!.state).toBe('waiting-approval')
    // Decided before the restart, told after it: the restarted home reads the registry.
    decided.set(`${no!.id}:gate`, { id: `${no!.id}:gate`, jobId: no!.id, step: 'gate', state: 'rejected', by: 'op' })
    await mesh.restart('A')
    const a2 = mesh.engine('A')
    a2.approvalDecided({ id: `${yes!.id}:gate`, jobId: yes!.id, step: 'gate', state: 'approved', by: 'op', comment: 'go' })
    expect(await mesh.waitFinal('A', yes!.id)).toMatchObject({ state: 'completed' })
    expect(await mesh.waitFinal('A', no!.id)).toMatchObject({ state: 'failed' })
    const yesView = await a2.job(yes!.id)
    expect(yesView!.workflow!.steps.find(s => s.name === 'ship')!.output).toBe(true)
    expect((await a2.job(no!.id))!.workflow!.steps.map(s => s.state)).toEqual(['success', 'failure', 'skipped'])
    // Asked once per gate, the restart included (the registry had the rejected one decided, and the home remembers nothing else).
    expect(asked.filter(r => r.id === `${no!.id}:gate`)).toHaveLength(1)
  })

  it('is cancelled like any job', async () => {
    mesh = new Mesh()
    const a = await mesh.add({ id: 'A', handlers: { nap: async (_p: unknown, ctx: TaskContext) => { await new Promise(resolve => setTimeout(resolve, 5_000)); return ctx.taskId } } })
    const [job] = await a.submit([wf({ steps: { one: { type: 'nap' }, two: { needs: ['one'], type: 'nap' } } })])
    await new Promise(resolve => setTimeout(resolve, 100))
    mesh.registry.apply({ op: 'job.cancel', jobId: job!.id })
    a.cancelJob(job!.id)
    expect((await mesh.waitFinal('A', job!.id)).state).toBe('cancelled')
  })

  it('refuses a bad workflow at submit, with every problem named, and writes nothing', async () => {
    expect(() => parseJobInput({ workflow: { steps: { a: { type: 'x', needs: ['b'] }, b: { type: 'x', needs: ['a'] }, c: { type: 'x', needs: ['nope'] } } } })).toThrow(/cycle[\s\S]*nope|nope[\s\S]*cycle/)
    expect(() => parseJobInput({ workflow: { steps: { a: { type: 'x' } } }, bogus: 1 })).toThrow(/no field "bogus"/)
    mesh = new Mesh()
    const a = await mesh.add({ id: 'A' })
    await expect(a.submit([wf({ steps: { a: { type: 'missing-handler' } } })])).rejects.toMatchObject({ code: 'NO_CAPABLE_NODE' })
    expect(a.stats()).toMatchObject({ queued: 0, activeJobs: 0 })
  })
})
