// The library API: run a meshnode inside your own program, with handlers given as
// functions, and submit and await jobs without the CLI. It is the same node `meshnode
// start` runs — same store, protocols and guarantees — with an in-process front door.
import type { DrainStatus } from '../wire/proto/admin.js'
import type { StatusResponse } from '../wire/proto/status.js'
import { WorkError } from '../work/errors.js'
import type { Handlers } from '../work/executors.js'
import { isFinal, type JobView } from '../work/jobs.js'
import { parseJobInput, type JobInput, type TaskInput } from '../work/spec.js'
import { parseWorkflowText, type WorkflowDef } from '../workflow/index.js'
import { resolveConfig, type NodeConfig, type RawValues } from './config.js'
import type { Logger } from './log.js'
import { MeshNode } from './node.js'
import { requireSupportedNode } from '../runtime.js'

export interface StartNodeOptions extends Partial<Omit<NodeConfig, 'handlers'>> {
  /** Task handlers by type name: `(payload, ctx) => result`. */
  handlers?: Handlers
  /** Handler modules to load too, as `--handlers` does. */
  handlerModules?: string[]
  /** A pino logger; by default one at `logLevel` (default "warn" when embedded) on stderr. */
  logger?: Logger
}

/**
 * Starts a node in this process. Options are the `meshnode start` options (camelCase, see
 * the README's configuration table); environment variables are not read.
 */
export async function startNode (options: StartNodeOptions = {}): Promise<EmbeddedNode> {
  requireSupportedNode()
  const { handlers, handlerModules, logger, ...rest } = options
  // An embedding program serves its own HTTP; the node's endpoint is opt-in here (`http`).
  const flags: RawValues = { logLevel: 'warn', http: 'off', ...rest, ...(handlerModules != null ? { handlers: handlerModules } : {}) }
  const config = resolveConfig({ flags, env: {} })
  const node = await MeshNode.start(config, { ...(logger != null ? { logger } : {}), ...(handlers != null ? { handlers } : {}) })
  return new EmbeddedNode(node)
}

/**
 * A node running in this process. Its public face is these methods only: the node's
 * internals (services, store, host) stay private, so they can change without breaking
 * programs that embed it.
 */
/** Options of EmbeddedNode.workflow(): its inputs, and the job fields a workflow takes. */
export interface WorkflowOptions {
  inputs?: Record<string, unknown>
  name?: string
  /** Keep it this long once finished (ms, or "12h", "30d"). */
  keep?: number | string
  /** Start it this long from now (ms, or "30s"), or at this time (ms since the epoch, or ISO 8601). */
  delay?: number | string
  at?: number | string
}

export class EmbeddedNode {
  readonly #node: MeshNode

  /** @internal Use startNode(). */
  constructor (node: MeshNode) {
    this.#node = node
  }

  get peerId (): string {
    return this.#node.peerId
  }

  /** Addresses other nodes can dial (`--peer`). */
  get addrs (): string[] {
    return this.#node.addrs
  }

  /**
   * Submits a job (or a single task) with this node as its home; resolves with the job id
   * once the job is durable and registered in the control log.
   */
  async submit (job: JobInput | TaskInput): Promise<string> {
    const [rec] = await this.#node.work.engine.submit([parseJobInput(job)])
    return rec!.id
  }

  /**
   * Submits a workflow (src/workflow/: named steps with needs, outputs, conditions, matrix
   * fan-out, approvals) as one job homed here; the definition is an object or the text of a
   * YAML/JSON workflow file. Same validation and semantics as `meshnode workflow run`.
   */
  async workflow (definition: WorkflowDef | string, opts: WorkflowOptions = {}): Promise<string> {
    const def = typeof definition === 'string' ? parseWorkflowText(definition) : definition
    return await this.submit({ ...opts, workflow: def, inputs: opts.inputs ?? {} } as unknown as JobInput)
  }

  /** A job homed here: state, counts, per-node breakdown, result (one-task jobs). */
  async job (jobId: string): Promise<JobView | undefined> {
    return await this.#node.work.engine.job(jobId)
  }

  /** Resolves once the job is completed, failed or cancelled (and durable). */
  async wait (jobId: string): Promise<JobView> {
    const view = await this.#node.work.engine.jobs.whenFinished(jobId)
    if (view == null) throw new WorkError('NOT_FOUND', `no job ${jobId} is homed on this node`)
    if (!isFinal(view.state)) throw new WorkError('STOPPING', `the node stopped before job ${jobId} finished`)
    return view
  }

  /** Submit and wait: the job's final view. */
  async run (job: JobInput | TaskInput): Promise<JobView> {
    return await this.wait(await this.submit(job))
  }

  async cancel (jobId: string): Promise<void> {
    await this.#node.cancelJob(jobId)
  }

  status (): StatusResponse {
    return this.#node.statusSnapshot()
  }

  /** The node's metrics in the Prometheus text format: what `GET /metrics` serves. */
  async metrics (): Promise<string> {
    return await this.#node.registry.metrics()
  }

  async stop (): Promise<void> {
    await this.#node.stop()
  }

  /**
   * Leaves the mesh for good, as `meshnode drain` does: hands this node's work to its peers
   * (within `deadlineMs`, default --drain-deadline-ms), retires it and stops it. Resolves
   * with the final summary once the node has stopped.
   */
  async drain (deadlineMs?: number): Promise<DrainStatus> {
    this.#node.drain(deadlineMs)
    await this.#node.stopped
    return this.#node.drain()
  }
}
