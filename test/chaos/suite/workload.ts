// The chaos suite's workload: jobs submitted throughout the run at random responsive hosts
// (cut-off ones included: they must refuse what they cannot register), drawn from the seed.
// Kinds: one-task echo and sleep jobs, several roots, fanouts whose sleeping children are
// stolen across hosts, two-level fanout trees, a job meant to fail (its one attempt times
// out), long fanouts cancelled soon after, and workflows (a step, a matrix of sleeping steps
// stolen across hosts, a converge step that must receive every element's output). Only a submit the node answered with a job id
// is acknowledged and recorded; every other outcome is counted by its error code.
import { randomInt, type Rng } from '../../../src/prng.js'
import { errorMessage } from '../../../src/node/errors.js'
import type { ChaosClient } from './client.js'
import { sleep } from './faults.js'

export type JobKind = 'echo' | 'sleep' | 'roots' | 'fanout' | 'tree' | 'fail' | 'cancel' | 'workflow'

export interface AckedJob {
  id: string
  kind: JobKind
  /** The host it was submitted to, and the home the node answered with (a peer id). */
  host: number
  home: string
  /** Tasks the whole tree has once done: roots plus every child spawned. */
  expectTotal: number
  submittedAt: number
  ackedAt: number
  /** When a cancel was sent (acknowledged or not: it may have been committed either way). */
  cancelSentAt?: number
  cancelAcked?: boolean
  /** A workflow: its matrix step's element count (its converge step must receive that many outputs). */
  matrix?: number
}

interface Drawn { kind: JobKind, job: unknown, expectTotal: number, matrix?: number }

const between = (rng: Rng, lo: number, hi: number): number => lo + randomInt(rng, hi - lo + 1)

/** One job drawn from `rng`, with the number of tasks its tree will have. */
export function drawJob (rng: Rng, k: number): Drawn {
  const r = rng()
  if (r < 0.12) return { kind: 'echo', job: { type: 'echo', payload: { k } }, expectTotal: 1 }
  if (r < 0.24) return { kind: 'sleep', job: { type: 'sleep', payload: { ms: between(rng, 100, 800) } }, expectTotal: 1 }
  if (r < 0.32) {
    const n = between(rng, 2, 5)
    return { kind: 'roots', job: { name: `roots-${k}`, tasks: Array.from({ length: n }, () => ({ type: 'sleep', payload: { ms: between(rng, 50, 400) } })) }, expectTotal: n }
  }
  if (r < 0.64) {
    const n = between(rng, 5, 30)
    return { kind: 'fanout', job: { type: 'fanout', payload: { n, type: 'sleep', payload: { ms: between(rng, 50, 300) } } }, expectTotal: 1 + n }
  }
  if (r < 0.72) {
    const n = between(rng, 2, 8)
    const ms = between(rng, 50, 300)
    const workflow = {
      name: `wf-${k}`,
      steps: {
        first: { type: 'echo', with: { items: Array.from({ length: n }, (_, i) => i) } },
        each: { needs: ['first'], type: 'sleep', matrix: '${{ steps.first.output.items }}', with: { ms } },
        last: { needs: ['each'], type: 'echo', with: { got: '${{ steps.each.outputs }}' } }
      }
    }
    // The driver, then its step tasks: first, one per element, last.
    return { kind: 'workflow', job: { workflow }, expectTotal: 1 + 1 + n + 1, matrix: n }
  }
  if (r < 0.88) {
    const a = between(rng, 2, 4)
    const b = between(rng, 2, 6)
    return { kind: 'tree', job: { type: 'fanout', payload: { n: a, type: 'fanout', payload: { n: b, type: 'sleep', payload: { ms: between(rng, 20, 150) } } } }, expectTotal: 1 + a + a * b }
  }
  if (r < 0.94) return { kind: 'fail', job: { type: 'sleep', payload: { ms: 5_000 }, timeoutMs: 200, attempts: 1 }, expectTotal: 1 }
  const n = between(rng, 10, 20)
  return { kind: 'cancel', job: { type: 'fanout', payload: { n, type: 'sleep', payload: { ms: 1_000 } } }, expectTotal: 1 + n }
}

export interface WorkloadOptions {
  rng: Rng
  client: ChaosClient
  /** Hosts to submit to right now (running and not paused). */
  targets: () => number[]
  /** Host index of a peer id (the hosts' ids are known after the mesh formed). */
  hostOf: (peerId: string) => number | undefined
  say: (line: string) => void
  /** Submits in flight at most. */
  inFlight?: number
  /** Pause between submits, ms (drawn in this range). */
  intervalMs?: [number, number]
}

export class Workload {
  readonly acked: AckedJob[] = []
  submitted = 0
  /** Submits not acknowledged, by error code (or message when there is none). */
  readonly refused = new Map<string, number>()
  private running = false
  private loop: Promise<void> | undefined
  private readonly pending = new Set<Promise<void>>()

  constructor (private readonly opts: WorkloadOptions) {}

  start (): void {
    this.running = true
    this.loop = this.run()
  }

  /** Stops submitting and waits for the submits and cancels in flight. */
  async stop (): Promise<void> {
    this.running = false
    await this.loop
    await Promise.all([...this.pending])
  }

  /** The home host of the newest acknowledged job (a target for faults). */
  recentHome (): number | undefined {
    const j = this.acked[this.acked.length - 1]
    return j == null ? undefined : this.opts.hostOf(j.home)
  }

  private async run (): Promise<void> {
    const { rng } = this.opts
    const [lo, hi] = this.opts.intervalMs ?? [300, 1_200]
    while (this.running) {
      if (this.pending.size < (this.opts.inFlight ?? 2)) {
        const targets = this.opts.targets()
        // Drawn whether or not a host is free, so the job sequence depends on the seed alone.
        const drawn = drawJob(rng, this.submitted)
        const pick = rng()
        const cancelAfter = between(rng, 300, 2_000)
        if (targets.length > 0) {
          const host = targets[Math.floor(pick * targets.length)]!
          this.track(this.submit(host, drawn, cancelAfter))
        }
      }
      await sleep(between(rng, lo, hi))
    }
  }

  private track (p: Promise<void>): void {
    this.pending.add(p)
    void p.finally(() => this.pending.delete(p))
  }

  private async submit (host: number, d: Drawn, cancelAfter: number): Promise<void> {
    this.submitted++
    const submittedAt = Date.now()
    let res
    try {
      res = await this.opts.client.admin(host, 'jobsSubmit', { jobs: [JSON.stringify(d.job)] }, 15_000)
    } catch (err) {
      const code = (err as { code?: string }).code ?? errorMessage(err).slice(0, 60)
      this.refused.set(code, (this.refused.get(code) ?? 0) + 1)
      return
    }
    const sub = res.jobs[0]!
    const job: AckedJob = { id: sub.id, kind: d.kind, host, home: sub.home, expectTotal: d.expectTotal, submittedAt, ackedAt: Date.now(), ...(d.matrix != null ? { matrix: d.matrix } : {}) }
    this.acked.push(job)
    if (d.kind !== 'cancel') return
    await sleep(cancelAfter)
    const targets = this.opts.targets()
    const at = targets.includes(host) ? host : targets[0]
    if (at == null) return
    job.cancelSentAt = Date.now()
    try {
      await this.opts.client.admin(at, 'jobCancel', { id: job.id }, 15_000)
      job.cancelAcked = true
    } catch (err) {
      job.cancelAcked = false
      this.opts.say(`cancel of ${job.id} at h${at} not acknowledged: ${errorMessage(err)}`)
    }
  }
}
