// The messages between a node and its handler workers (worker threads or child processes).
// Both directions are structured clones (postMessage, or fork's 'advanced' serialization);
// payloads cross as parsed values, results and spawned payloads as JSON text, encoded on
// the worker's side so a value JSON cannot carry fails there, synchronously, as in-process.

/** Node → worker. The first message to every worker is `init`. */
export type ToWorker =
  | { t: 'init', modules: readonly string[] }
  | { t: 'run', id: number, type: string, payload: unknown, ctx: RunContext }
  | { t: 'abort', id: number, reason: string }

/** What the worker rebuilds a TaskContext from. */
export interface RunContext {
  taskId: string
  jobId: string
  attempt: number
  node: string
}

/** Worker → node. */
export type FromWorker =
  | { t: 'ready', names: string[] }
  | { t: 'loadError', message: string }
  | { t: 'spawn', id: number, type: string, payload: string, options: Record<string, unknown> }
  | { t: 'progress', id: number, value: unknown }
  | { t: 'done', id: number, ok: true, result: string }
  | { t: 'done', id: number, ok: false, error: { name: string, message: string } }
