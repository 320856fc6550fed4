// One BullMQ worker process for bench/lib/bullmq.ts: a `Worker` with a no-op processor on the
// benchmark's private Redis. Separate OS processes (not several Workers in one process) so
// that N workers really get N event loops, as N meshnode nodes do.
//
//   node dist/bench/lib/bullmq-worker.js '{"queue":"bench","port":16379,"concurrency":100}'
//
// Talks to the parent over the IPC channel: sends {type:'ready'} once connected, answers
// {type:'poll'} with how many jobs it has completed (and, when asked, every task's latency),
// forgets them on {type:'reset'} (after a warm-up round), closes on {type:'stop'}, and exits by itself if the parent goes away (so a crashed benchmark
// does not leave workers behind).
//
// Latency is recorded here, from the job as BullMQ hands it to the 'completed' listener:
// `timestamp` is what the producer stored in the job hash when it built the job, `finishedOn`
// is the very value the worker has just written to the hash when moving the job to completed
// (both Date.now() on this machine). Recording it here rather than reading the hashes back
// lets the jobs be removed on completion, which is BullMQ's faster setting.
import { Worker } from 'bullmq'

export interface WorkerConfig {
  queue: string
  port: number
  concurrency: number
  /** Name of the flow's parent job (one-job mode): counted, but it is not a task. */
  parentName?: string
}

export type ToWorker =
  | { type: 'poll', latencies: boolean }
  | { type: 'reset' }
  | { type: 'stop' }

export type WorkerMessage =
  | { type: 'ready', pid: number }
  | { type: 'error', message: string }
  | { type: 'count', completed: number, lastFinishedOn: number, parentFinishedOn?: number, latencies?: number[] }

const send = (m: WorkerMessage): void => { process.send?.(m) }

const cfg = JSON.parse(process.argv[2] ?? '{}') as WorkerConfig
if (process.send == null || typeof cfg.queue !== 'string' || !(cfg.port > 0) || !(cfg.concurrency > 0)) {
  console.error('bullmq-worker: must be spawned by bench/lib/bullmq.ts with an IPC channel and a JSON config')
  process.exit(2)
}

// Everything else stays at BullMQ's defaults (lock renewal, stalled checks, event stream): they
// are what a BullMQ user pays for, and with no-op jobs none of them is a timer that fires
// during a run. Retention is decided by the producer's job options.
const worker = new Worker(cfg.queue, async () => {}, {
  connection: { host: '127.0.0.1', port: cfg.port },
  concurrency: cfg.concurrency
})
let completed = 0
let lastFinishedOn = 0
let parentFinishedOn: number | undefined
const latencies: number[] = []
worker.on('completed', job => {
  completed++
  const fin = job.finishedOn ?? NaN
  if (cfg.parentName != null && job.name === cfg.parentName) { parentFinishedOn = fin; return }
  latencies.push(fin - job.timestamp)
  if (fin > lastFinishedOn) lastFinishedOn = fin
})
worker.on('error', err => { send({ type: 'error', message: String(err?.message ?? err) }) })
worker.on('failed', (_job, err) => { send({ type: 'error', message: `job failed: ${err.message}` }) })

let closing = false
async function stop (code: number): Promise<void> {
  if (closing) return
  closing = true
  // A short grace for close(): the parent SIGKILLs us anyway if this hangs.
  await Promise.race([worker.close(), new Promise(resolve => setTimeout(resolve, 2_000))]).catch(() => {})
  process.exit(code)
}
process.on('message', (m: ToWorker) => {
  if (m.type === 'stop') void stop(0)
  else if (m.type === 'reset') {
    // After a warm-up round: count and time only what follows.
    completed = 0
    lastFinishedOn = 0
    parentFinishedOn = undefined
    latencies.length = 0
  } else if (m.type === 'poll') send({ type: 'count', completed, lastFinishedOn, parentFinishedOn, latencies: m.latencies ? latencies : undefined })
})
process.on('disconnect', () => { void stop(0) })

await worker.waitUntilReady()
send({ type: 'ready', pid: process.pid })
