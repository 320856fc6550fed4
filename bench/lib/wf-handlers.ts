// The step handler of bench/workflow, loaded by every node with --handlers (compiled to
// dist/bench/lib/wf-handlers.js): `stamp` waits {ms} (a timer, no CPU; 0 = none) and returns
// its own start and end as wall-clock ms with sub-ms precision, plus what the payload names
// it, so the bench can pair a step's end with its dependent's start across processes on one
// machine. performance.timeOrigin + performance.now(): one clock per machine, comparable
// across processes and threads (unlike performance.now() alone).
import { setTimeout as sleep } from 'node:timers/promises'

export interface Stamp {
  /** What the step's payload said it is (chain and index, or layer and position). */
  tag: unknown
  start: number
  end: number
  pid: number
}

const wallMs = (): number => performance.timeOrigin + performance.now()

export default {
  stamp: async (payload: { ms?: number, tag?: unknown } | null): Promise<Stamp> => {
    const start = wallMs()
    const ms = Number(payload?.ms ?? 0)
    if (ms > 0) await sleep(ms)
    return { tag: payload?.tag ?? null, start, end: wallMs(), pid: process.pid }
  }
}
