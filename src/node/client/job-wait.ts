// Waiting for a job to finish, as a client: long polls (jobGet's waitMs), which the job's home
// answers the moment the job's final state is durable, or after waitMs with the job as it
// stands. One request per waitMs instead of one every few milliseconds, and no poll interval
// added to the time a client takes to see the end. `meshnode submit --wait`, `meshnode job ID
// --wait` and the benchmarks use it.
import { MAX_JOB_WAIT_MS } from '../../wire/constants.js'
import { isFinal } from '../../work/jobs.js'

export interface UntilFinishedOptions<V> {
  /** Each ask's wait (the home answers sooner if the job ends); default MAX_JOB_WAIT_MS. */
  waitMs?: number
  /**
   * Shortest gap between two asks while the job runs: a node from before waitMs existed
   * answers at once, and is then polled at this pace rather than hammered (default 200 ms).
   */
  minGapMs?: number
  /** Give up (throw) after this long; default never. */
  timeoutMs?: number
  /** Told of every answer (a progress bar). */
  onView?: (view: V) => void
}

/** Asks `ask(waitMs)` until its answer's state is final; resolves with that answer. */
export async function untilFinished<V extends { state: string }> (ask: (waitMs: number) => Promise<V>, opts: UntilFinishedOptions<V> = {}): Promise<V> {
  const waitMs = opts.waitMs ?? MAX_JOB_WAIT_MS
  const minGapMs = opts.minGapMs ?? 200
  const giveUpAt = opts.timeoutMs != null ? Date.now() + opts.timeoutMs : Infinity
  for (;;) {
    const asked = Date.now()
    const view = await ask(Math.max(1, Math.min(waitMs, giveUpAt - asked)))
    opts.onView?.(view)
    if (isFinal(view.state)) return view
    const now = Date.now()
    if (now >= giveUpAt) throw new Error(`the job had not finished after ${opts.timeoutMs} ms (state ${view.state})`)
    const gap = asked + minGapMs - now
    if (gap > 0) await new Promise(resolve => setTimeout(resolve, gap))
  }
}
