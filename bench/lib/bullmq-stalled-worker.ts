// One BullMQ worker process for bench/lib/bullmq-stalled.ts: a Worker on each of several
// queues, with the stalled-job settings under test. Its processor appends a start line
// (time, queue, job, pid) to a shared file, then sleeps, so a SIGKILL catches it mid-job and
// the start of the same job in another process is visible.
//
//   node dist/bench/lib/bullmq-stalled-worker.js '{"port":7580,"queues":["q1"],"log":"/tmp/x","ms":60000}'
import { appendFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { Worker } from 'bullmq'

interface Config {
  port: number
  queues: string[]
  log: string
  ms: number
  stalledInterval?: number
  lockDuration?: number
  /** Start the Worker of queue i after i × staggerMs, so their stalled checks run out of phase. */
  staggerMs?: number
}

const cfg = JSON.parse(process.argv[2] ?? '{}') as Config
const workers: Worker[] = []
for (const [i, q] of cfg.queues.entries()) {
  if (i > 0 && cfg.staggerMs != null) await sleep(cfg.staggerMs)
  workers.push(makeWorker(q))
}
function makeWorker (q: string): Worker {
  return new Worker(q, async job => {
  appendFileSync(cfg.log, JSON.stringify({ t: Date.now(), queue: q, job: job.id, pid: process.pid }) + '\n')
  await sleep(cfg.ms)
}, {
  connection: { host: '127.0.0.1', port: cfg.port },
  concurrency: 1,
  ...(cfg.stalledInterval != null ? { stalledInterval: cfg.stalledInterval } : {}),
  ...(cfg.lockDuration != null ? { lockDuration: cfg.lockDuration } : {})
  })
}
await Promise.all(workers.map(async w => await w.waitUntilReady()))
process.send?.({ type: 'ready' })
// Gone with the parent: a crashed benchmark leaves no worker behind.
process.on('disconnect', () => process.exit(0))
