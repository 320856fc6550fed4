// Supervision on real work shells (LevelDB, the wire codec) in an in-memory mesh: a poison
// task climbs the escalation ladder across nodes and fails with every attempt's error in
// the job's failure record; a node whose handler always fails gets its circuit opened at
// the home that lends to it, stops offering the handler, and the others finish the job.
import { afterEach, describe, expect, it } from 'vitest'
import type { WorkNotice } from '../../../src/work/core.js'
import type { TaskContext } from '../../../src/work/executors.js'
import { Mesh } from './harness.js'

let mesh: Mesh | undefined

afterEach(async () => {
  await mesh?.close()
  mesh = undefined
})

const poison = (): never => { throw new Error('poison: always fails') }

describe('supervision across nodes', () => {
  it('climbs the ladder: retried here, then run on another node, then failed with every attempt\'s error', async () => {
    mesh = new Mesh(3)
    const notices: WorkNotice[] = []
    for (const id of ['A', 'B', 'C']) {
      const e = await mesh.add({ id, handlers: { poison }, supervision: { localAttempts: 2 } })
      e.onNotice.push(n => { notices.push(n) })
    }
    const [job] = await mesh.engine('A').submit([{ tasks: [{ type: 'poison', attempts: 4 }] }])
    const final = await mesh.waitFinal('A', job!.id)
    expect(final.state).toBe('failed')
    const failures = final.failures!
    expect(failures.map(f => f.attempt)).toEqual([1, 2, 3, 4])
    expect(failures.every(f => f.error === 'poison: always fails' && f.taskId === `${job!.id}/0`)).toBe(true)
    // Two on the home, then two on one other node.
    expect(failures[0]!.node).toBe('A')
    expect(failures[1]!.node).toBe('A')
    expect(failures[2]!.node).not.toBe('A')
    expect(failures[3]!.node).toBe(failures[2]!.node)
    const steps = notices.filter(n => n.type === 'task.escalated').map(n => `${n.data.node as string}:${n.data.step as string}`)
    expect(steps).toEqual(['A:retry-here', 'A:other-node', `${failures[2]!.node}:retry-here`, `${failures[2]!.node}:failed`])
    const view = await mesh.engine('A').job(job!.id)
    expect(view?.failures).toHaveLength(4)
  })

  it('opens the circuit of a node whose handler always fails; the others finish the job', async () => {
    mesh = new Mesh(4)
    const notices: WorkNotice[] = []
    const work = async (_p: unknown, ctx: TaskContext): Promise<string> => {
      if (ctx.node === 'C') throw new Error('broken on C')
      await new Promise(resolve => setTimeout(resolve, 5))
      return ctx.node
    }
    for (const id of ['A', 'B', 'C']) {
      const e = await mesh.add({ id, concurrency: 2, handlers: { work }, supervision: { breakerFailures: 3, breakerCoolDownMs: 60_000 } })
      e.onNotice.push(n => { notices.push(n) })
    }
    const [job] = await mesh.engine('A').submit([{ tasks: Array.from({ length: 200 }, () => ({ type: 'work', attempts: 3 })) }])
    const final = await mesh.waitFinal('A', job!.id, 60_000)
    expect(final.state).toBe('completed')
    expect(final.failed).toBe(0)
    expect(final.byNode.C ?? 0).toBe(0)
    // C's handler circuit opened on C (it stopped offering it) and/or C's peer circuit at a lender.
    const opened = notices.filter(n => n.type === 'circuit.opened').map(n => `${n.data.node as string}:${n.data.kind as string}:${n.data.target as string}`)
    expect(opened).toContain('C:handler:work')
    expect(mesh.engine('C').capabilities).not.toContain('handler:work')
    const lenders = ['A', 'B'].filter(id => mesh!.engine(id).circuits().some(c => c.kind === 'peer' && c.target === 'C' && c.state === 'open'))
    expect(lenders.length).toBeGreaterThan(0)
  }, 90_000)
})
