// The chaos suite's checker: DESIGN.md's guarantees, verified against what the surviving hosts
// say after the run. Every acknowledged job ends completed, failed with a reason, or cancelled
// (only if the workload cancelled it), within 30 s of the final heal; none is reported final
// before its whole tree (the total the workload expects, every outcome recorded, each task id
// once, the job's end after its last task's); at most one leader per term, from status polls
// during the run and every node's "raft role change" log lines.
import { readFileSync } from 'node:fs'
import { errorMessage } from '../../../src/node/errors.js'
import type { ChaosClient } from './client.js'
import { sleep } from './faults.js'
import type { AckedJob } from './workload.js'

/** How long after the final heal every job must be done (issue 10). */
export const DONE_AFTER_HEAL_MS = 30_000

export interface Violation {
  text: string
  job?: string
  /** The job's home is the host killed for good: lost until jobs outlive their home (issue 10 item 3). */
  deadHome?: boolean
}

/** Who claimed or named a leader in which term, from any source. */
export class LeaderLog {
  private readonly byTerm = new Map<number, Map<string, string>>()

  /** `leader` led in `term`, as `source` saw it. */
  add (term: number, leader: string | null | undefined, source: string): void {
    if (leader == null || leader === '' || term <= 0) return
    let m = this.byTerm.get(term)
    if (m == null) this.byTerm.set(term, m = new Map())
    if (!m.has(leader)) m.set(leader, source)
  }

  /** Every "raft role change" line of a node's log (`self` is the node's peer id). */
  addLog (file: string, self: string, host: string): void {
    let text = ''
    try { text = readFileSync(file, 'utf8') } catch { return }
    for (const raw of text.split('\n')) {
      if (!raw.includes('"raft role change"')) continue
      try {
        const l = JSON.parse(raw) as { role?: string, leader?: string | null, term?: number }
        this.add(Number(l.term), l.role === 'leader' ? self : l.leader, `${host}'s log`)
      } catch { /* a partial line */ }
    }
  }

  terms (): number { return this.byTerm.size }

  violations (name: (peerId: string) => string): Violation[] {
    const out: Violation[] = []
    for (const [term, leaders] of [...this.byTerm].sort((a, b) => a[0] - b[0])) {
      if (leaders.size > 1) out.push({ text: `term ${term} had ${leaders.size} leaders: ${[...leaders].map(([id, src]) => `${name(id)} (per ${src})`).join(', ')}` })
    }
    return out
  }
}

/** What the home said about a job at the end. */
export interface JobFinal {
  job: AckedJob
  state?: string
  home?: string
  total?: number
  done?: number
  failed?: number
  error?: string
  finishedAt?: number
  /** Final but past DONE_AFTER_HEAL_MS: ms after the final heal. */
  afterHealMs?: number
}

export interface CheckInput {
  acked: AckedJob[]
  finalHealAt: number
  /** The host killed for good, if any. */
  dead?: number
  /** Hosts to ask (running, not paused). */
  hosts: number[]
  client: ChaosClient
  hostOf: (peerId: string) => number | undefined
  name: (peerId: string) => string
  say: (line: string) => void
  /** The run's start (epoch ms): times in messages are relative to it, as in the fault log. */
  t0: number
}

export interface CheckResult {
  violations: Violation[]
  /** Odd but allowed outcomes (a job meant to complete that failed with a reason, …). */
  notes: string[]
  finals: JobFinal[]
  /** The latest a job finished after the final heal, ms (0 when all finished before it). */
  maxAfterHealMs: number
}

const FINAL = new Set(['completed', 'failed', 'cancelled'])

interface Summary { id: string, home: string, state: string, total?: number, done?: number, failed?: number, finishedAt?: number }

/**
 * Waits (until DONE_AFTER_HEAL_MS past the final heal, plus a little for the asking) for
 * every acknowledged job to be final at its home, then reads each one's outcomes there.
 */
export async function checkJobs (input: CheckInput): Promise<CheckResult> {
  const { client, acked } = input
  const violations: Violation[] = []
  const notes: string[] = []
  const latest = new Map<string, Summary>()
  const registered = new Set<string>()
  const deadline = input.finalHealAt + DONE_AFTER_HEAL_MS + 5_000
  for (;;) {
    // Each host lists the whole registry; counts only for the jobs it is home to.
    await Promise.all(input.hosts.map(async i => {
      try {
        const res = await client.admin(i, 'jobsList', { limit: 10_000, before: '' }, 5_000)
        for (const j of res.jobs) {
          registered.add(j.id)
          if (j.total != null) latest.set(j.id, { id: j.id, home: j.home, state: j.state, total: j.total, done: j.done ?? 0, failed: j.failed ?? 0, ...(j.finishedAt != null ? { finishedAt: Number(j.finishedAt) } : {}) })
          else if (!latest.has(j.id) || latest.get(j.id)!.total == null) latest.set(j.id, { id: j.id, home: j.home, state: j.state })
        }
      } catch { /* asked again next round */ }
    }))
    // A job whose home is dead for good can only be final in the registry.
    const open = acked.filter(j => {
      const s = latest.get(j.id)
      return !FINAL.has(s?.state ?? '') || (s!.total == null && input.hostOf(s!.home) !== input.dead)
    })
    if (open.length === 0 || Date.now() > deadline) break
    await sleep(1_000)
  }

  const finals: JobFinal[] = []
  const finalBeforeDeath: string[] = []
  const homeLabel = (j: AckedJob, home: string): string => {
    const h = input.hostOf(home)
    return h == null ? input.name(home) : `h${h}${h === input.dead ? ', dead for good' : ''}`
  }
  for (const job of acked) {
    const s = latest.get(job.id)
    const home = s?.home ?? job.home
    const hostOfHome = input.hostOf(home)
    const deadHome = hostOfHome != null && hostOfHome === input.dead
    const tag = `job ${job.id} (${job.kind}, acknowledged by h${job.host} at ${((job.ackedAt - input.t0) / 1000).toFixed(1)}s, home ${homeLabel(job, home)})`
    const final: JobFinal = { job, home, ...(s != null ? { state: s.state, total: s.total, done: s.done, failed: s.failed, finishedAt: s.finishedAt } : {}) }
    finals.push(final)
    if (!registered.has(job.id)) {
      violations.push({ text: `${tag} was acknowledged but no surviving host knows it`, job: job.id, deadHome })
      continue
    }
    if (s != null && FINAL.has(s.state) && s.total == null && deadHome) {
      // Final before its home died: the registry says how it ended; its outcomes went with the home.
      finalBeforeDeath.push(`${job.id} ${s.state}`)
      continue
    }
    if (s == null || !FINAL.has(s.state) || s.total == null) {
      violations.push({ text: `${tag} never finished: ${s == null ? 'not found' : s.total == null ? `registry says ${s.state}; its home did not answer` : `${s.state}, ${s.done}/${s.total} done`} ${DONE_AFTER_HEAL_MS / 1000} s after the final heal`, job: job.id, deadHome })
      continue
    }
    // The home's full record and every outcome, page by page.
    const at = hostOfHome != null && input.hosts.includes(hostOfHome) ? hostOfHome : input.hosts[0]!
    let view: { state: string, total: number, done: number, failed: number, cancelled: number, error?: string, finishedAt?: number, workflow?: { steps: Array<{ name: string, state: string, output?: unknown }> } }
    const results: Array<{ taskId: string, ok: boolean, error?: string, cancelled?: boolean, finishedAt?: number }> = []
    try {
      let after = ''
      for (;;) {
        const d = await client.admin(at, 'jobGet', { id: job.id, results: true, limit: 0, after }, 10_000)
        view = JSON.parse(d.view)
        if (d.results !== '') results.push(...JSON.parse(d.results))
        if (d.next === '') break
        after = d.next
      }
    } catch (err) {
      violations.push({ text: `${tag} is ${s.state} but its outcomes cannot be read at h${at}: ${errorMessage(err)}`, job: job.id, deadHome })
      continue
    }
    view = view!
    final.error = view.error
    const bad = (what: string): void => { violations.push({ text: `${tag} ${view.state}: ${what}`, job: job.id }) }
    if (view.state === 'cancelled' && job.cancelSentAt == null) bad('cancelled, though the workload never cancelled it')
    if (view.state === 'failed' && (view.error == null || view.error === '')) bad('failed without a reason')
    if (view.state === 'failed' && job.kind !== 'fail') notes.push(`${tag} failed: ${view.error ?? ''}`)
    if (view.state === 'completed' && job.kind === 'fail') notes.push(`${tag} completed, though its one attempt should have timed out`)
    if (view.state !== 'cancelled') {
      // Not early: the whole tree, every outcome recorded, the end after the last task.
      if (view.total !== job.expectTotal) bad(`total ${view.total}, but its tree has ${job.expectTotal} tasks`)
      if (view.done !== view.total) bad(`only ${view.done}/${view.total} tasks done`)
      if (results.length !== view.total) bad(`${results.length} outcomes recorded for ${view.total} tasks`)
      const last = Math.max(0, ...results.map(r => r.finishedAt ?? 0))
      if (view.finishedAt != null && last > view.finishedAt) bad(`reported done at ${view.finishedAt}, before its last task finished (${last})`)
    }
    if (view.state === 'completed' && view.failed > 0) bad(`${view.failed} failed tasks`)
    if (job.kind === 'workflow' && view.state === 'completed') {
      // Every step ran, in order, and the converge step received every element's output.
      const steps = view.workflow?.steps ?? []
      const states = steps.map(st => `${st.name}:${st.state}`).join(' ')
      if (states !== 'first:success each:success last:success') bad(`workflow steps ${states || 'missing'}`)
      const got = (steps.find(st => st.name === 'last')?.output as { got?: unknown[] } | undefined)?.got
      if (!Array.isArray(got) || got.length !== job.matrix) bad(`its converge step received ${Array.isArray(got) ? got.length : 'no'} outputs of ${job.matrix ?? '?'}`)
      const doneAt = (suffix: RegExp): number[] => results.filter(r => suffix.test(r.taskId)).map(r => r.finishedAt ?? 0)
      if (Math.min(...doneAt(/\.1m\d+$/)) < Math.max(...doneAt(/\.0$/)) || Math.min(...doneAt(/\.2$/)) < Math.max(...doneAt(/\.1m\d+$/))) bad('a step finished before a step it needs')
    }
    const seen = new Set<string>()
    const dups = new Set<string>()
    for (const r of results) (seen.has(r.taskId) ? dups : seen).add(r.taskId)
    if (dups.size > 0) bad(`task results recorded more than once: ${[...dups].slice(0, 5).join(', ')}`)
    const foreign = results.filter(r => !r.taskId.startsWith(`${job.id}/`))
    if (foreign.length > 0) bad(`outcomes of other jobs' tasks: ${foreign.slice(0, 3).map(r => r.taskId).join(', ')}`)
    if (view.finishedAt != null) {
      const after = view.finishedAt - input.finalHealAt
      if (after > 0) final.afterHealMs = after
      if (after > DONE_AFTER_HEAL_MS) bad(`done ${(after / 1000).toFixed(1)} s after the final heal (limit ${DONE_AFTER_HEAL_MS / 1000} s)`)
    }
  }
  if (finalBeforeDeath.length > 0) notes.push(`${finalBeforeDeath.length} jobs homed on h${input.dead} were final (per the registry) before it was killed for good; their outcomes went with it: ${finalBeforeDeath.join(', ')}`)
  const maxAfterHealMs = Math.max(0, ...finals.map(f => f.afterHealMs ?? 0))
  return { violations, notes, finals, maxAfterHealMs }
}
