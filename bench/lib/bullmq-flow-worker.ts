// One BullMQ worker process for bench/lib/bullmq-flow.ts: a `Worker` per queue it is given
// (its own `qK` for chains, and the shared `dag` queue), running the same work as the mesh's
// `stamp` handler (bench/lib/wf-handlers.ts): wait {ms}, return its own start and end stamps.
// A `barrier` job (the DAG mapped to layer barriers) adds the next layer's flow when it runs.
// Each completed job's stamp goes to the parent over IPC from the 'completed' listener, which
// BullMQ calls after the job is moved to completed (and its parent, if any, made runnable),
// so the report never delays a dependent. Exits by itself if the parent goes away.
//
//   node dist/bench/lib/bullmq-flow-worker.js '{"port":19595,"queues":["q1","dag"],"concurrency":4}'
import { setTimeout as sleep } from 'node:timers/promises'
import { FlowProducer, Worker, type Job } from 'bullmq'
import { layerFlow, type FlowWorkerConfig, type FlowWorkerMessage, type LayerShape, type ToFlowWorker } from './bullmq-flow.js'
import type { Stamp } from './wf-handlers.js'

const send = (m: FlowWorkerMessage): void => { process.send?.(m) }
const wallMs = (): number => performance.timeOrigin + performance.now()

const cfg = JSON.parse(process.argv[2] ?? '{}') as FlowWorkerConfig
if (process.send == null || !(cfg.port > 0) || !Array.isArray(cfg.queues) || !(cfg.concurrency > 0)) {
  console.error('bullmq-flow-worker: must be spawned by bench/lib/bullmq-flow.ts with an IPC channel and a JSON config')
  process.exit(2)
}
const connection = { host: '127.0.0.1', port: cfg.port }
const flow = new FlowProducer({ connection })

async function run (job: Job): Promise<Stamp> {
  const start = wallMs()
  const ms = Number(job.data?.ms ?? 0)
  if (ms > 0) await sleep(ms)
  if (job.name === 'barrier') {
    const { l, shape } = job.data as { l: number, shape: LayerShape }
    if (l + 1 < shape.layers) await flow.add(layerFlow(l + 1, shape))
  }
  return { tag: job.data?.tag ?? null, start, end: wallMs(), pid: process.pid }
}

// Everything else at BullMQ's defaults, as in bench/lib/bullmq-worker.ts.
const workers = cfg.queues.map(q => {
  const w = new Worker(q, run, { connection, concurrency: cfg.concurrency })
  w.on('completed', (job: Job) => { send({ type: 'done', name: job.name, stamp: job.returnvalue as Stamp, finishedOn: job.finishedOn ?? NaN }) })
  w.on('error', err => { send({ type: 'error', message: String(err?.message ?? err) }) })
  w.on('failed', (_job, err) => { send({ type: 'error', message: `job failed: ${err.message}` }) })
  return w
})

let closing = false
async function stop (code: number): Promise<void> {
  if (closing) return
  closing = true
  await Promise.race([Promise.all([...workers.map(async w => await w.close()), flow.close()]), sleep(2_000)]).catch(() => {})
  process.exit(code)
}
process.on('message', (m: ToFlowWorker) => { if (m.type === 'stop') void stop(0) })
process.on('disconnect', () => { void stop(0) })

await Promise.all([...workers.map(async w => await w.waitUntilReady()), flow.waitUntilReady()])
send({ type: 'ready' })
