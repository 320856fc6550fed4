// bench/workflow: how fast a workflow's steps follow each other across nodes, and what a
// 1 000-step DAG costs over its ideal, on a real local mesh, with BullMQ's FlowProducer on a
// private Redis beside it (same shapes, one worker process per node, same handler work).
// Prints figures and the machine; never fails on a time.
//
//   node dist/bench/workflow.js [--nodes 3,10] [--chains 20] [--steps 20] [--parallel 5]
//        [--isolation none] [--worker-isolation-nodes 3] [--dag-nodes 3] [--concurrency 4]
//        [--layers 10] [--width 100] [--step-ms 10] [--seed 1] [--no-bullmq] [--node-args "..."]
//
// 1. Step-to-step latency: chains of --steps no-op steps, step i pinned to node (i mod N)+1
//    (`requires: [nK]`, bench/lib/capable-node.ts), so each dependent starts on another node
//    than its need. The handler returns its own start and end (wall clock with sub-ms
//    precision, one clock on one machine); latency = start(i+1) − end(i). --chains chains one
//    at a time (an idle mesh: the headline), then --parallel chains at a time. Handlers run on
//    the node's event loop (--handler-isolation none: no thread hop) unless --isolation says
//    otherwise; on --worker-isolation-nodes the idle chains also run with worker threads (the
//    default). On the mesh, the home (node 1) runs every N-th step itself and every other one
//    is stolen from it: both are shown apart.
// 2. DAG: --layers × --width steps of --step-ms (a timer), each needing 1–3 steps of the layer
//    before (seeded), no requires, on --dag-nodes nodes × --concurrency slots. Makespan =
//    submit → the home records the workflow complete; ideal = max(critical path = layers ×
//    step-ms, total work / slots). The same steps as layer barriers (one matrix step per
//    layer) too: that is the shape BullMQ runs (bench/lib/bullmq-flow.ts says why).
// 3. BullMQ: chains as nested flows (a parent runs after its child), step i on queue
//    q((i mod N)+1) with worker process K consuming qK; the DAG as layer barriers.
import { Command } from 'commander'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROOT } from '../scripts/cluster-lib.js'
import { buildInfo, formatBuild } from './lib/build.js'
import { FlowBench, chainFlow, layerFlow, type Done } from './lib/bullmq-flow.js'
import { foreignCpu, formatMachine, loadavg, machineInfo, procCpuMs, settle } from './lib/machine.js'
import { freePortBlock } from './lib/ports.js'
import { markdownTable, max, num, quantile, sum } from './lib/stats.js'
import { chainDef, dagDef, dagNeeds, layersDef, readStamps, startWfCluster, submitWorkflow, waitJob, type ChainTag, type DagTag, type Isolation, type WfCluster } from './lib/wf-mesh.js'
import type { Stamp } from './lib/wf-handlers.js'

const program = new Command('bench/workflow')
  .option('--nodes <list>', 'cluster sizes for the chains (= BullMQ worker processes)', '3,10')
  .option('--chains <n>', 'chains per configuration', '20')
  .option('--steps <n>', 'steps per chain', '20')
  .option('--parallel <n>', 'chains at a time in the concurrent run (the idle run has one)', '5')
  .option('--isolation <mode>', 'handler isolation of the main runs: none, worker or process', 'none')
  .option('--worker-isolation-nodes <list>', 'sizes on which the idle chains also run with --handler-isolation worker (empty: none)', '3')
  .option('--dag-nodes <list>', 'sizes on which the DAG runs (empty: none)', '3')
  .option('--concurrency <n>', 'slots per node (meshnode --concurrency, BullMQ Worker concurrency)', '4')
  .option('--layers <n>', 'DAG layers', '10')
  .option('--width <n>', 'DAG steps per layer', '100')
  .option('--step-ms <ms>', 'duration of a DAG step (a timer)', '10')
  .option('--seed <n>', 'seed of the DAG\'s needs', '1')
  .option('--no-bullmq', 'skip BullMQ')
  .option('--node-args <flags>', 'extra flags for every meshnode node (diagnostics, e.g. "--heartbeat-ms 100")', '')
  .parse()
const opts = program.opts<{ nodes: string, chains: string, steps: string, parallel: string, isolation: Isolation, workerIsolationNodes: string, dagNodes: string, concurrency: string, layers: string, width: string, stepMs: string, seed: string, bullmq: boolean, nodeArgs: string }>()
const list = (s: string): number[] => s.split(',').map(x => x.trim()).filter(Boolean).map(Number)

const CHAINS = Number(opts.chains)
const STEPS = Number(opts.steps)
const PARALLEL = Number(opts.parallel)
const SLOTS = Number(opts.concurrency)
const LAYERS = Number(opts.layers)
const WIDTH = Number(opts.width)
const STEP_MS = Number(opts.stepMs)
const NODE_ARGS = opts.nodeArgs.split(/\s+/).filter(Boolean)
/** This bench's ports (the brief's range): nodes from PORTS_FROM, Redis at the top. */
const PORTS_FROM = 19500
const REDIS_PORTS = { from: 19590, count: 10 }
/** The machine is shared: wait (at most this long) for a quiet second before each section. */
const SETTLE_MAX_MS = 10_000

// ----- figures --------------------------------------------------------------------------------

interface Hop { ms: number, toHome: boolean }

interface ChainFigures {
  hops: Hop[]
  /** Submit → the first step started, per chain. */
  firstMs: number[]
  /** Submit → the workflow recorded complete (BullMQ: the root's finishedOn), per chain. */
  wallMs: number[]
  /** Hops whose two steps ran in the same process (should be none). */
  sameProcess: number
  /** CPU used meanwhile by processes not of this run, % of one core. */
  othersPct?: number
}

function emptyChains (): ChainFigures {
  return { hops: [], firstMs: [], wallMs: [], sameProcess: 0 }
}

function addChain (f: ChainFigures, steps: Array<{ tag: ChainTag, start: number, end: number, pid: number, home: boolean }>, submitAt: number, endAt: number): void {
  const s = [...steps].sort((a, b) => a.tag.i - b.tag.i)
  if (s.length !== STEPS) throw new Error(`a chain reported ${s.length} of ${STEPS} steps`)
  for (let i = 1; i < s.length; i++) {
    f.hops.push({ ms: s[i]!.start - s[i - 1]!.end, toHome: s[i]!.home })
    if (s[i]!.pid === s[i - 1]!.pid) f.sameProcess++
  }
  f.firstMs.push(s[0]!.start - submitAt)
  f.wallMs.push(endAt - submitAt)
}

/** Runs `total` jobs `parallel` at a time. */
async function pool (total: number, parallel: number, one: (i: number) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(Array.from({ length: Math.min(parallel, total) }, async () => {
    while (next < total) await one(next++)
  }))
}

interface DagFigures {
  makespanMs: number
  idealMs: number
  /** Submit → first step start; last step end → recorded complete. */
  firstMs: number
  tailMs: number
  /** Per step with needs: start − the latest end among its needs. */
  depWait: number[]
  /** Mean measured step duration (timers overshoot). */
  meanStepMs: number
  /** Steps per process, min–max. */
  spread: string
  cpuPctOfCore?: number
  othersPct?: number
}

/** max(critical path, total work / slots) with nominal step durations. */
function idealMs (slots: number): number {
  return Math.max(LAYERS * STEP_MS, LAYERS * WIDTH * STEP_MS / slots)
}

function dagFigures (stamps: Array<{ tag: DagTag, start: number, end: number, pid: number }>, needs: (l: number, j: number) => number[], submitAt: number, doneAt: number, slots: number): DagFigures {
  if (stamps.length !== LAYERS * WIDTH) throw new Error(`the DAG reported ${stamps.length} of ${LAYERS * WIDTH} steps`)
  const at = new Map(stamps.map(s => [`${s.tag.l}_${s.tag.j}`, s]))
  const depWait: number[] = []
  for (const s of stamps) {
    if (s.tag.l === 0) continue
    const ends = needs(s.tag.l, s.tag.j).map(n => at.get(`${s.tag.l - 1}_${n}`)!.end)
    depWait.push(s.start - Math.max(...ends))
  }
  const byPid = new Map<number, number>()
  for (const s of stamps) byPid.set(s.pid, (byPid.get(s.pid) ?? 0) + 1)
  const counts = [...byPid.values()].sort((a, b) => a - b)
  return {
    makespanMs: doneAt - submitAt,
    idealMs: idealMs(slots),
    firstMs: Math.min(...stamps.map(s => s.start)) - submitAt,
    tailMs: doneAt - max(stamps.map(s => s.end)),
    depWait,
    meanStepMs: sum(stamps.map(s => s.end - s.start)) / stamps.length,
    spread: `${counts.length} × ${counts[0]}–${counts[counts.length - 1]}`
  }
}

const chainRows: string[][] = []
/** One line per idle-mesh meshnode row against the target. */
const summary: string[] = []
/** The target for the idle-mesh step-to-step p50 on loopback. */
const TARGET_P50_MS = 10
const dagRows: string[][] = []
const notes: string[] = []

function chainRow (system: string, nodes: number, isolation: string, parallel: number, f: ChainFigures): void {
  const ms = f.hops.map(h => h.ms)
  const home = f.hops.filter(h => h.toHome).map(h => h.ms)
  const away = f.hops.filter(h => !h.toHome).map(h => h.ms)
  const split = system === 'meshnode' ? `${num(quantile(home, 0.5), 1)} / ${num(quantile(away, 0.5), 1)}` : '-'
  chainRows.push([system, String(nodes), isolation, String(parallel), String(ms.length), num(quantile(ms, 0.5), 1), num(quantile(ms, 0.9), 1), num(quantile(ms, 0.99), 1), num(max(ms), 1), split, num(quantile(f.firstMs, 0.5)), num(quantile(f.wallMs, 0.5)), num(f.othersPct)])
  if (system === 'meshnode' && parallel === 1) {
    const p50 = quantile(ms, 0.5)
    summary.push(`${nodes} nodes, handlers ${isolation}: p50 ${num(p50, 1)} ms (target < ${TARGET_P50_MS} ms: ${p50 < TARGET_P50_MS ? 'met' : 'not met'}); a dependent stolen from the home p50 ${num(quantile(away, 0.5), 1)} ms, run by the home itself ${num(quantile(home, 0.5), 1)} ms`)
  }
  if (f.sameProcess > 0) notes.push(`${system}, ${nodes} nodes, ${parallel} at a time: ${f.sameProcess} hops ran in the same process (expected none)`)
}

function dagRow (system: string, shape: string, nodes: number, f: DagFigures): void {
  dagRows.push([system, shape, `${nodes} × ${SLOTS}`, num(f.makespanMs), num(f.idealMs), num((f.makespanMs / f.idealMs - 1) * 100), num(f.firstMs), num(Math.max(0, f.tailMs), 1), num(quantile(f.depWait, 0.5), 1), num(quantile(f.depWait, 0.99), 1), num(f.meanStepMs, 1), f.spread, f.cpuPctOfCore != null ? num(f.cpuPctOfCore) : '-', num(f.othersPct)])
}

// ----- meshnode ---------------------------------------------------------------------------------

async function meshChains (c: WfCluster, parallel: number, chains = CHAINS): Promise<ChainFigures> {
  const f = emptyChains()
  const home = c.peerIds[0]!
  const others = foreignCpu(c.pids)
  await pool(chains, parallel, async k => {
    const t0 = Date.now()
    const id = await submitWorkflow(c, chainDef(c.nodes, STEPS, k))
    const view = await waitJob(c, id, parallel > 1 ? 100 : 50)
    const stamps = await readStamps<ChainTag>(c, id)
    addChain(f, stamps.map(s => ({ ...s, home: s.node === home })), t0, view.finishedAt)
  })
  return { ...f, othersPct: others() }
}

async function meshDag (c: WfCluster, shape: 'dag' | 'layers'): Promise<DagFigures> {
  const needs = dagNeeds(LAYERS, WIDTH, Number(opts.seed))
  const def = shape === 'dag' ? dagDef(needs, STEP_MS) : layersDef(LAYERS, WIDTH, STEP_MS)
  const cpu0 = c.pids.map(p => procCpuMs(p) ?? 0)
  const others = foreignCpu(c.pids)
  const t0 = Date.now()
  const id = await submitWorkflow(c, def)
  const view = await waitJob(c, id, 20)
  const cpuMs = c.pids.reduce((a, p, i) => a + (procCpuMs(p) ?? 0) - cpu0[i]!, 0)
  const othersPct = others()
  const stamps = await readStamps<DagTag>(c, id)
  const all = Array.from({ length: WIDTH }, (_, j) => j)
  const f = dagFigures(stamps, (l, j) => shape === 'dag' ? needs[l]![j]! : all, t0, view.finishedAt, c.nodes * SLOTS)
  return { ...f, cpuPctOfCore: cpuMs / (view.finishedAt - t0) * 100, othersPct }
}

async function meshSize (nodes: number, isolation: Isolation, runs: { parallel: boolean, dag: boolean }): Promise<void> {
  console.error(`meshnode, ${nodes} nodes, handler isolation ${isolation}: starting (${await settle(10, SETTLE_MAX_MS)})`)
  const dir = join(tmpdir(), `meshnode-bench-workflow-${process.pid}`)
  // Node ports below Redis's: bases PORTS_FROM, +10, … while the block still fits.
  const basePort = await freePortBlock(PORTS_FROM, nodes, 10, Math.floor((REDIS_PORTS.from - nodes - PORTS_FROM) / 10) + 1)
  const c = await startWfCluster(nodes, dir, basePort, SLOTS, isolation, NODE_ARGS)
  try {
    // One chain first, not counted: the first steal of a node pays for opening its streams.
    await meshChains(c, 1, 1)
    console.error(`  chains one at a time (${loadavg()})`)
    chainRow('meshnode', nodes, isolation, 1, await meshChains(c, 1))
    if (runs.parallel) {
      console.error(`  chains ${PARALLEL} at a time (${loadavg()})`)
      chainRow('meshnode', nodes, isolation, PARALLEL, await meshChains(c, PARALLEL))
    }
    if (runs.dag) {
      console.error(`  DAG (${loadavg()})`)
      dagRow('meshnode', 'DAG, 1–3 needs each', nodes, await meshDag(c, 'dag'))
      console.error(`  layer barriers (${loadavg()})`)
      dagRow('meshnode', 'layer barriers (matrix)', nodes, await meshDag(c, 'layers'))
    }
  } finally {
    await c.stop()
  }
}

// ----- BullMQ -----------------------------------------------------------------------------------

async function bullChains (b: FlowBench, nodes: number, parallel: number, chains = CHAINS): Promise<ChainFigures> {
  const f = emptyChains()
  const others = foreignCpu(b.pids())
  await pool(chains, parallel, async k => {
    const isMine = (d: Done): boolean => d.name === 'step' && (d.stamp.tag as ChainTag | null)?.c === k && typeof (d.stamp.tag as ChainTag).i === 'number'
    const root = b.waitFor(d => isMine(d) && (d.stamp.tag as ChainTag).i === STEPS - 1)
    const t0 = Date.now()
    await b.add(chainFlow(nodes, STEPS, k))
    const last = await root
    // Each worker process reports over its own channel: a step's report may arrive after its parent's.
    await b.until(() => b.done.filter(isMine).length >= STEPS)
    const steps = b.done.filter(isMine).map(d => ({ ...(d.stamp as Stamp & { tag: ChainTag }), home: false }))
    addChain(f, steps, t0, last.finishedOn)
  })
  // The chains' stamps are not needed again: the next run reuses the chain numbers.
  b.done.length = 0
  return { ...f, othersPct: others() }
}

async function bullLayers (b: FlowBench, nodes: number): Promise<DagFigures> {
  b.done.length = 0
  const shape = { layers: LAYERS, width: WIDTH, ms: STEP_MS }
  const last = b.waitFor(d => d.name === 'barrier' && (d.stamp.tag as { l: number }).l === LAYERS - 1)
  const others = foreignCpu(b.pids())
  const t0 = Date.now()
  await b.add(layerFlow(0, shape))
  const end = await last
  await b.until(() => b.done.filter(d => d.name === 'step').length >= LAYERS * WIDTH)
  const othersPct = others()
  const stamps = b.done.filter(d => d.name === 'step').map(d => d.stamp as Stamp & { tag: DagTag })
  const all = Array.from({ length: WIDTH }, (_, j) => j)
  b.done.length = 0
  return { ...dagFigures(stamps, () => all, t0, end.finishedOn, nodes * SLOTS), othersPct }
}

async function bullSize (nodes: number, dag: boolean): Promise<string> {
  console.error(`BullMQ, ${nodes} worker processes: starting (${await settle(10, SETTLE_MAX_MS)})`)
  const b = await FlowBench.start(nodes, SLOTS, REDIS_PORTS)
  try {
    // One chain first, not counted, as on the mesh.
    await bullChains(b, nodes, 1, 1)
    console.error(`  chains one at a time (${loadavg()})`)
    chainRow('BullMQ', nodes, 'process', 1, await bullChains(b, nodes, 1))
    console.error(`  chains ${PARALLEL} at a time (${loadavg()})`)
    chainRow('BullMQ', nodes, 'process', PARALLEL, await bullChains(b, nodes, PARALLEL))
    if (dag) {
      console.error(`  layer barriers (${loadavg()})`)
      dagRow('BullMQ', 'layer barriers (flow per layer)', nodes, await bullLayers(b, nodes))
    }
    return `BullMQ ${b.bullmqVersion} on Redis ${b.redisVersion} (no persistence)`
  } finally {
    await b.stop()
  }
}

// ----- main -----------------------------------------------------------------------------------

async function main (): Promise<void> {
  const started = Date.now()
  console.log(formatMachine(machineInfo()))
  console.log(`Build:   ${formatBuild(buildInfo(ROOT))}`)
  console.log(`Load:    ${loadavg()} (1/5/15 min) at the start`)
  const sizes = list(opts.nodes)
  const dagSizes = new Set(list(opts.dagNodes))
  const workerSizes = new Set(list(opts.workerIsolationNodes))
  for (const n of sizes) {
    await meshSize(n, opts.isolation, { parallel: true, dag: dagSizes.has(n) })
    if (workerSizes.has(n) && opts.isolation !== 'worker') await meshSize(n, 'worker', { parallel: false, dag: false })
  }
  let bull = ''
  if (opts.bullmq) {
    for (const n of sizes) {
      try {
        bull = await bullSize(n, dagSizes.has(n))
      } catch (err) {
        console.error(`BullMQ run failed (is redis-server installed?): ${(err as Error).message}`)
      }
    }
  }

  console.log(`\nStep-to-step latency: ${CHAINS} chains × ${STEPS} no-op steps per row, step i on node (i mod N)+1; ms from a step's end to its dependent's start` +
    (bull !== '' ? `; ${bull}, one worker process per node` : ''))
  console.log('(home / stolen p50: meshnode hops whose dependent ran on the home, node 1, vs on another node)\n')
  console.log(markdownTable(['system', 'nodes', 'handlers', 'chains at once', 'hops', 'p50', 'p90', 'p99', 'max', 'home / stolen p50', 'submit → 1st step p50', 'chain wall p50', 'others CPU %'], chainRows))
  if (dagRows.length > 0) {
    console.log(`\n${LAYERS * WIDTH}-step DAG: ${LAYERS} layers × ${WIDTH} steps of ${STEP_MS} ms (a timer), seed ${opts.seed}; ideal = max(critical path ${LAYERS * STEP_MS} ms, work / slots); ms\n`)
    console.log(markdownTable(['system', 'shape', 'nodes × slots', 'makespan', 'ideal', 'overhead %', 'submit → 1st step', 'last step → done', 'need → start p50', 'p99', 'mean step', 'steps per process', 'nodes CPU % of a core', 'others CPU %'], dagRows))
  }
  console.log('\n"others CPU %": CPU used during the row by processes not of this run (other work on a shared machine), % of one core.')
  if (summary.length > 0) console.log('\nIdle mesh, step-to-step:\n' + summary.join('\n'))
  for (const n of notes) console.log(n)
  console.log(`\nLoad at the end: ${loadavg()}; whole run ${num((Date.now() - started) / 1000)} s`)
}

process.once('SIGINT', () => process.exit(130))
await main()
process.exit(0)
