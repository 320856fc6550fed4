// The meshnode side of bench/workflow: a local cluster whose node K offers capability `nK`
// (bench/lib/capable-node.ts) and runs the `stamp` handler (bench/lib/wf-handlers.ts);
// workflows submitted to node 1 through the admin protocol exactly as `meshnode workflow run`
// sends them (jobsSubmit with {"workflow": def, "inputs": {}}), and every step's own start and
// end read back from the home's job record (each step's result is its stamp).
//
// Shapes, built here as workflow definitions:
// - chain(N, len): steps s0 → s1 → … each needing the one before, step i `requires: [n((i mod
//   N)+1)]`, so every dependent runs on another node than its need (the home, node 1, runs
//   every N-th step itself; the others are stolen from it).
// - dag(layers, width, seed): `width` steps per layer, each needing 1–3 distinct steps of the
//   layer before (seeded), no requires: any node may run any step.
// - layers(layers, width): one matrix step of `width` elements per layer, each layer needing
//   the one before: layer barriers (BullMQ's mapping of the DAG, bench/lib/bullmq-flow.ts).
import { fileURLToPath } from 'node:url'
import { statusAll, waitUntil, converged } from '../../scripts/cluster-lib.js'
import type { WorkflowDef } from '../../src/workflow/index.js'
import { jobDetail, startBenchCluster, type BenchCluster } from './mesh-jobs.js'
import { mulberry32 } from './stats.js'
import type { Stamp } from './wf-handlers.js'

const HANDLERS = fileURLToPath(new URL('./wf-handlers.js', import.meta.url))
const LAUNCHER = fileURLToPath(new URL('./capable-node.js', import.meta.url))

export type Isolation = 'none' | 'worker' | 'process'

export interface WfCluster extends BenchCluster {
  nodes: number
  /** Node K's peer id at index K-1. */
  peerIds: string[]
}

/** N nodes, node K with capability nK, the stamp handler, --concurrency slots, HTTP off (its ports are not ours), and `extraArgs`. */
export async function startWfCluster (nodes: number, dir: string, basePort: number, concurrency: number, isolation: Isolation, extraArgs: string[] = []): Promise<WfCluster> {
  const c = await startBenchCluster(nodes, dir, basePort, [
    '--handlers', HANDLERS, '--handler-isolation', isolation, '--concurrency', String(concurrency), '--http', 'off', ...extraArgs
  ], LAUNCHER)
  try {
    // Every node must have heard every other's heartbeat (its capabilities) before the home
    // is asked to place steps that require them.
    let peerIds: string[] = []
    await waitUntil(async () => {
      const all = await statusAll(dir, 2_000, c.client)
      if (!converged(all) || all.some(s => s.status == null)) return false
      peerIds = all.sort((a, b) => a.entry.index - b.entry.index).map(s => s.status!.peerId)
      return true
    }, 60_000, 'every node to see every other alive')
    return { ...c, nodes, peerIds }
  } catch (err) {
    await c.stop()
    throw err
  }
}

/** What a step's payload names it: a chain step, or a DAG step (layer, position). */
export interface ChainTag { c: number, i: number }
export interface DagTag { l: number, j: number }

export function chainDef (nodes: number, len: number, c: number, ms = 0): WorkflowDef {
  const steps: WorkflowDef['steps'] = {}
  for (let i = 0; i < len; i++) {
    steps[`s${i}`] = { type: 'stamp', with: { ms, tag: { c, i } }, requires: [`n${(i % nodes) + 1}`], ...(i > 0 ? { needs: [`s${i - 1}`] } : {}) }
  }
  return { name: `chain-${c}`, defaults: { attempts: 1 }, steps }
}

/** Step (l, j)'s needs: 1–3 distinct positions in layer l-1, the same for a given seed. */
export function dagNeeds (layers: number, width: number, seed: number): number[][][] {
  const rng = mulberry32(seed)
  const out: number[][][] = [Array.from({ length: width }, () => [])]
  for (let l = 1; l < layers; l++) {
    out.push(Array.from({ length: width }, () => {
      const k = 1 + Math.floor(rng() * 3)
      const picks = new Set<number>()
      while (picks.size < Math.min(k, width)) picks.add(Math.floor(rng() * width))
      return [...picks].sort((a, b) => a - b)
    }))
  }
  return out
}

export function dagDef (needs: number[][][], ms: number): WorkflowDef {
  const steps: WorkflowDef['steps'] = {}
  needs.forEach((layer, l) => layer.forEach((ns, j) => {
    steps[`L${l}_${j}`] = { type: 'stamp', with: { ms, tag: { l, j } }, ...(ns.length > 0 ? { needs: ns.map(n => `L${l - 1}_${n}`) } : {}) }
  }))
  return { name: 'dag', defaults: { attempts: 1 }, steps }
}

export function layersDef (layers: number, width: number, ms: number): WorkflowDef {
  const steps: WorkflowDef['steps'] = {}
  for (let l = 0; l < layers; l++) {
    steps[`L${l}`] = {
      type: 'stamp',
      matrix: Array.from({ length: width }, (_, j) => j),
      with: { ms, tag: { l, j: '${{ matrix.index }}' } },
      ...(l > 0 ? { needs: [`L${l - 1}`] } : {})
    }
  }
  return { name: 'layers', defaults: { attempts: 1 }, steps }
}

/** Submits a workflow to node 1 (its home); returns the job id. */
export async function submitWorkflow (c: BenchCluster, def: WorkflowDef): Promise<string> {
  // waitForCapableMs: a safety net only (every node's capabilities are known by now).
  const res = await c.admin('jobsSubmit', { jobs: [JSON.stringify({ workflow: def, inputs: {}, waitForCapableMs: 30_000 })] })
  return res.jobs[0]!.id
}

export interface Finished { state: string, finishedAt: number, createdAt: number }

/** Polls the home every `everyMs` until the job has ended. */
export async function waitJob (c: BenchCluster, id: string, everyMs = 50, timeoutMs = 300_000): Promise<Finished> {
  let view: Finished = { state: 'running', finishedAt: NaN, createdAt: NaN }
  await waitUntil(async () => {
    view = jobDetail(await c.admin('jobGet', { id, results: false, limit: 0, after: '' }))
    return view.state !== 'running' && view.state !== 'registering'
  }, timeoutMs, `workflow ${id} to end`, everyMs)
  if (view.state !== 'completed') throw new Error(`workflow ${id} ended ${view.state}`)
  return view
}

export interface StepStamp<T> extends Omit<Stamp, 'tag'> {
  tag: T
  /** The peer id of the node that ran it. */
  node: string
}

/** Every step's stamp (the driver and anything that is not a stamp left out). */
export async function readStamps<T> (c: BenchCluster, id: string): Promise<Array<StepStamp<T>>> {
  const out: Array<StepStamp<T>> = []
  let after = ''
  for (;;) {
    const page = jobDetail(await c.admin('jobGet', { id, results: true, limit: 10_000, after })) as { results: Array<{ result?: unknown, node: string }>, next?: string }
    for (const r of page.results) {
      const v = (typeof r.result === 'string' ? JSON.parse(r.result) : r.result) as Partial<Stamp> | null
      if (v != null && typeof v === 'object' && typeof v.start === 'number' && v.tag != null) out.push({ ...(v as Stamp), tag: v.tag as T, node: r.node })
    }
    if (page.next == null) break
    after = page.next
  }
  return out
}
