// The BullMQ side of bench/workflow: the same shapes as bench/lib/wf-mesh.ts as FlowProducer
// flows on a private Redis (bench/lib/bullmq.ts starts it), with one worker process
// (bench/lib/bullmq-flow-worker.ts) per meshnode node and the same handler work: each job
// returns its own start and end stamps, and the workers send them here as jobs complete.
//
// In a BullMQ flow a parent runs once all its children have completed, and a job has at most
// one parent: flows are trees.
// - chain(N, len): a nested flow: step len-1 is the root, step i's only child is step i-1, so
//   step 0 runs first. Step i goes to queue `q((i mod N)+1)`, and worker process K consumes
//   only `qK`: every dependent runs in another process than its need, as on the mesh.
// - layers(layers, width): a DAG is not a tree, and expressing one as a tree (each step the
//   parent of its needs) duplicates every shared need, exponentially over 10 layers. So the
//   DAG is mapped to layer barriers: layer l is one flow, a `barrier` parent with the layer's
//   `width` steps as children; when the barrier runs (its whole layer is done) its processor
//   adds layer l+1's flow. Every step of a layer thus waits for the whole layer before it,
//   which is stricter than the DAG (1–3 needs each) and costs one extra job per layer; the
//   mesh runs the same barrier shape too (wf-mesh.ts layersDef), for a like-for-like row.
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { FlowProducer, type FlowJob } from 'bullmq'
import { Resources, bullmqVersion, startRedis, stopChild } from './bullmq.js'
import type { Stamp } from './wf-handlers.js'

const WORKER_JS = fileURLToPath(new URL('./bullmq-flow-worker.js', import.meta.url))
export const DAG_QUEUE = 'dag'
const JOB_OPTS = { attempts: 1 }

export const chainQueue = (nodes: number, i: number): string => `q${(i % nodes) + 1}`

export function chainFlow (nodes: number, len: number, c: number, ms = 0): FlowJob {
  let job: FlowJob = { name: 'step', queueName: chainQueue(nodes, 0), data: { ms, tag: { c, i: 0 } }, opts: JOB_OPTS }
  for (let i = 1; i < len; i++) job = { name: 'step', queueName: chainQueue(nodes, i), data: { ms, tag: { c, i } }, opts: JOB_OPTS, children: [job] }
  return job
}

export interface LayerShape { layers: number, width: number, ms: number }

/** Layer l as one flow: a barrier whose children are the layer's steps (see the top). */
export function layerFlow (l: number, shape: LayerShape): FlowJob {
  return {
    name: 'barrier',
    queueName: DAG_QUEUE,
    data: { l, shape, tag: { l, barrier: true } },
    opts: JOB_OPTS,
    children: Array.from({ length: shape.width }, (_, j) => ({ name: 'step', queueName: DAG_QUEUE, data: { ms: shape.ms, tag: { l, j } }, opts: JOB_OPTS }))
  }
}

export interface FlowWorkerConfig {
  port: number
  queues: string[]
  concurrency: number
}

export type ToFlowWorker = { type: 'stop' }
export type FlowWorkerMessage =
  | { type: 'ready' }
  | { type: 'error', message: string }
  | { type: 'done', name: string, stamp: Stamp, finishedOn: number }

export interface Done { name: string, stamp: Stamp, finishedOn: number, worker: number }

/** A Redis, N worker processes (process K consumes `qK` and `dag`) and a FlowProducer. */
export class FlowBench {
  private readonly res = new Resources()
  private readonly children: ChildProcess[] = []
  private flow?: FlowProducer
  private waiters: Array<{ want: (d: Done) => boolean, resolve: (d: Done) => void }> = []
  readonly done: Done[] = []
  redisVersion = 'unknown'
  readonly bullmqVersion = bullmqVersion()

  static async start (workers: number, concurrency: number, redisPorts: { from: number, count: number }): Promise<FlowBench> {
    const b = new FlowBench()
    try {
      await b.init(workers, concurrency, redisPorts)
      return b
    } catch (err) {
      await b.stop()
      throw err
    }
  }

  private async init (workers: number, concurrency: number, redisPorts: { from: number, count: number }): Promise<void> {
    const port = await startRedis(this.res, redisPorts)
    const flow = new FlowProducer({ connection: { host: '127.0.0.1', port } })
    this.flow = flow
    this.res.closers.push(async () => { await flow.close() })
    await flow.waitUntilReady()
    const info = await (await flow.client).info()
    this.redisVersion = /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown'
    const ready: Array<Promise<void>> = []
    for (let k = 1; k <= workers; k++) {
      const cfg: FlowWorkerConfig = { port, queues: [`q${k}`, DAG_QUEUE], concurrency }
      const child = spawn(process.execPath, [WORKER_JS, JSON.stringify(cfg)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
      this.children.push(child)
      this.res.closers.push(async () => { await stopChild(child, () => { if (child.connected) child.send({ type: 'stop' } satisfies ToFlowWorker) }, 3_000) })
      ready.push(new Promise<void>((resolve, reject) => {
        child.on('message', (m: FlowWorkerMessage) => {
          if (m.type === 'ready') resolve()
          else if (m.type === 'done') this.record({ name: m.name, stamp: m.stamp, finishedOn: m.finishedOn, worker: k })
          else if (m.type === 'error') { console.error(`bullmq flow worker ${k}: ${m.message}`); reject(new Error(m.message)) }
        })
        child.once('exit', code => reject(new Error(`bullmq flow worker ${k} exited (${code})`)))
      }))
    }
    let timer: NodeJS.Timeout | undefined
    await Promise.race([
      Promise.all(ready),
      new Promise((_resolve, reject) => { timer = setTimeout(() => reject(new Error('bullmq flow workers not ready within 20 s')), 20_000) })
    ]).finally(() => clearTimeout(timer))
  }

  private record (d: Done): void {
    this.done.push(d)
    this.waiters = this.waiters.filter(w => {
      if (!w.want(d)) return true
      w.resolve(d)
      return false
    })
  }

  /** Resolves with the first completed job (from now on) that `want` accepts. */
  waitFor (want: (d: Done) => boolean, timeoutMs = 120_000): Promise<Done> {
    return new Promise<Done>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('a BullMQ flow did not finish in time')), timeoutMs)
      this.waiters.push({ want, resolve: d => { clearTimeout(timer); resolve(d) } })
    })
  }

  /** Waits (up to 10 s) until `cond` holds: reports from other worker processes still on their way. */
  async until (cond: () => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (!cond() && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 5))
  }

  /** redis-server's and the worker processes' pids (for CPU accounting). */
  pids (): number[] {
    return [this.res.redis?.pid ?? -1, ...this.children.map(c => c.pid ?? -1)].filter(p => p > 0)
  }

  async add (job: FlowJob): Promise<void> {
    await this.flow!.add(job)
  }

  async stop (): Promise<void> {
    await this.res.release()
  }
}
