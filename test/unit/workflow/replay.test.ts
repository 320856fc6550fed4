// Order independence, checked over random workflows: whatever order the outcomes of step tasks
// and approvals arrive in — live, or replayed all at once after a restart (some before their
// step has even started) — the run ends with the same summary, and no step is started before
// every step it needs has ended. One seed replays one case (src/prng.ts).
import { describe, expect, it } from 'vitest'
import { mulberry32, randomInt, type Rng } from '../../../src/prng.js'
import { parseWorkflow, WorkflowRun, type StepDef, type WorkflowAction, type WorkflowDef, type WorkflowSummary } from '../../../src/workflow/index.js'

const SEEDS = 300


/** A random valid workflow: up to 12 steps, written in a shuffled order, with matrices, approvals, conditions and continueOnFailure. */
function randomWorkflow (rng: Rng): WorkflowDef {
  const n = 1 + randomInt(rng, 12)
  const names = Array.from({ length: n }, (_, i) => `s${i}`)
  const steps: Array<[string, StepDef]> = names.map((name, i) => {
    const needs = names.slice(0, i).filter(() => rng() < 0.3)
    const step: StepDef = {}
    if (needs.length > 0) step.needs = needs
    const need = needs.length > 0 ? needs[randomInt(rng, needs.length)]! : undefined
    if (rng() < 0.15) {
      step.approval = { prompt: need != null ? `after ${need}: \${{ steps.${need}.outcome }}` : 'go?' }
    } else {
      step.type = 'work'
      if (rng() < 0.3) {
        step.matrix = Array.from({ length: randomInt(rng, 4) }, (_, k) => k)
        step.with = { k: '${{ matrix.item }}', of: '${{ matrix.count }}' }
      }
      if (need != null) step.with = { ...(step.with as object ?? {}), from: `\${{ steps.${need}.output }}` }
    }
    if (rng() < 0.2) step.continueOnFailure = true
    if (rng() < 0.3) {
      const conds = ['always()', '${{ failure() }}', '!success()']
      if (need != null) conds.push(`steps.${need}.output.go || steps.${need}.output[0].go`, `steps.${need}.outcome != 'skipped'`)
      step.if = conds[randomInt(rng, conds.length)]!
    }
    return [name, step]
  })
  // Definition order need not be topological: needs may point at steps written later.
  for (let i = steps.length - 1; i > 0; i--) {
    const j = randomInt(rng, i + 1)
    ;[steps[i], steps[j]] = [steps[j]!, steps[i]!]
  }
  return parseWorkflow({ steps: Object.fromEntries(steps) })
}

/** Fixed outcomes per task key and per approval, drawn from the seed. */
function oracle (seed: number) {
  const draw = (what: string): Rng => {
    let h = seed >>> 0
    for (const c of what) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0
    return mulberry32(h)
  }
  return {
    task (key: string): { ok: boolean, result?: string, error?: string } {
      const r = draw(`task:${key}`)
      return r() < 0.75 ? { ok: true, result: JSON.stringify({ go: r() < 0.5, key }) } : { ok: false, error: `failed ${key}` }
    },
    approval (step: string): { approved: boolean, by: string } {
      const r = draw(`approval:${step}`)
      return { approved: r() < 0.7, by: `op${randomInt(r, 3)}` }
    }
  }
}

type Delivery = { kind: 'task', key: string } | { kind: 'approval', step: string }

/** Follows a run's actions and checks them as they come. */
class Observer {
  readonly ended = new Set<string>()
  readonly asked: Delivery[] = []
  summary: WorkflowSummary | undefined
  constructor (private readonly def: WorkflowDef) {}

  see (actions: WorkflowAction[]): void {
    for (const a of actions) {
      switch (a.kind) {
        case 'run':
          for (const t of a.tasks) {
            this.needsEnded(t.step)
            this.asked.push({ kind: 'task', key: t.key })
          }
          break
        case 'approval':
          this.needsEnded(a.ask.step)
          this.asked.push({ kind: 'approval', step: a.ask.step })
          break
        case 'step':
          expect(this.ended.has(a.step), `${a.step} ended twice`).toBe(false)
          this.needsEnded(a.step)
          this.ended.add(a.step)
          break
        case 'done':
          expect(this.summary, 'done twice').toBeUndefined()
          expect(this.ended.size).toBe(Object.keys(this.def.steps).length)
          this.summary = a.summary
      }
    }
  }

  private needsEnded (step: string): void {
    for (const n of this.def.steps[step]!.needs ?? []) expect(this.ended.has(n), `${step} acted on before its need ${n} ended`).toBe(true)
  }
}

function deliver (run: WorkflowRun, d: Delivery, o: ReturnType<typeof oracle>): WorkflowAction[] {
  if (d.kind === 'task') {
    const r = o.task(d.key)
    return run.taskEnded(d.key, r.ok, r.result, r.error)
  }
  const r = o.approval(d.step)
  return run.approvalDecided(d.step, r.approved, r.by)
}

/** A live run: outcomes arrive one at a time, for whatever is outstanding, in a random order. */
function liveRun (def: WorkflowDef, o: ReturnType<typeof oracle>, order: Rng): { summary: WorkflowSummary, asked: Delivery[] } {
  const run = new WorkflowRun(def, {}, 'job')
  const obs = new Observer(def)
  obs.see(run.start())
  const pending: Delivery[] = [...obs.asked]
  let seen = obs.asked.length
  while (pending.length > 0) {
    const [d] = pending.splice(randomInt(order, pending.length), 1)
    obs.see(deliver(run, d!, o))
    pending.push(...obs.asked.slice(seen))
    seen = obs.asked.length
  }
  expect(run.done).toBe(true)
  expect(run.outstanding()).toEqual([])
  expect(obs.summary).toBeDefined()
  return { summary: obs.summary!, asked: obs.asked }
}

describe('workflow replay (property, seeded)', () => {
  it(`any delivery order gives the same summary, and no step starts before its needs end (${SEEDS} random workflows)`, () => {
    for (let seed = 1; seed <= SEEDS; seed++) {
      const rng = mulberry32(seed)
      const def = randomWorkflow(rng)
      const o = oracle(seed)
      const first = liveRun(def, o, mulberry32(seed * 7919))
      const ctx = `seed ${seed}: ${JSON.stringify(def)}`

      // Another live order.
      expect(liveRun(def, o, mulberry32(seed * 104729)).summary, ctx).toEqual(first.summary)

      // A replay after a restart: start(), then every recorded outcome, shuffled.
      const replay = new WorkflowRun(def, {}, 'job')
      const obs = new Observer(def)
      obs.see(replay.start())
      const all = [...first.asked]
      for (let i = all.length - 1; i > 0; i--) {
        const j = randomInt(rng, i + 1)
        ;[all[i], all[j]] = [all[j]!, all[i]!]
      }
      for (const d of all) obs.see(deliver(replay, d, o))
      // Delivering everything twice changes nothing.
      for (const d of all) expect(deliver(replay, d, o), ctx).toEqual([])
      expect(replay.done, ctx).toBe(true)
      expect(obs.summary, ctx).toEqual(first.summary)
      // The replay asked for exactly what the live run did.
      expect(obs.asked.map(d => JSON.stringify(d)).sort(), ctx).toEqual(first.asked.map(d => JSON.stringify(d)).sort())
    }
  })

  it('the same calls give the same actions (determinism)', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const def = randomWorkflow(mulberry32(seed))
      const o = oracle(seed)
      const transcript = (): WorkflowAction[][] => {
        const run = new WorkflowRun(def, {}, 'job')
        const out = [run.start()]
        const order = mulberry32(seed)
        const obs = new Observer(def)
        obs.see(out[0]!)
        const pending = [...obs.asked]
        let seen = obs.asked.length
        while (pending.length > 0) {
          const [d] = pending.splice(randomInt(order, pending.length), 1)
          const a = deliver(run, d!, o)
          out.push(a)
          obs.see(a)
          pending.push(...obs.asked.slice(seen))
          seen = obs.asked.length
        }
        return out
      }
      expect(transcript()).toEqual(transcript())
    }
  })
})
