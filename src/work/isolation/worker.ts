// The inside of a handler worker: a worker thread or a child process that loads the node's
// --handlers modules once and runs one task at a time for the pool (pool.ts). It rebuilds the
// handler's ctx: spawn checks and numbers children here (so it answers at once, as
// in-process) and forwards them; progress is forwarded; signal aborts on the node's word.
// The node kills this worker when a task outlives its abort, so nothing here must survive.
import { parentPort } from 'node:worker_threads'
import { WorkError } from '../errors.js'
import { loadHandlers, type Handlers, type TaskContext } from '../executors.js'
import { CMD_TYPE, childTaskId, encodePayload, makeTask } from '../spec.js'
import type { FromWorker, RunContext, ToWorker } from './protocol.js'

type Send = (msg: FromWorker) => void

function channel (): { send: Send, listen: (fn: (msg: ToWorker) => void) => void } {
  if (parentPort != null) {
    const port = parentPort
    return { send: msg => { port.postMessage(msg) }, listen: fn => { port.on('message', fn) } }
  }
  if (process.send != null) {
    // The parent is gone: nothing left to work for.
    process.on('disconnect', () => { process.exit(0) })
    return { send: msg => { process.send!(msg) }, listen: fn => { process.on('message', fn as (m: unknown) => void) } }
  }
  throw new Error('the handler worker runs only as a worker thread or a forked child process')
}

const { send, listen } = channel()
let handlers: Promise<Handlers> | undefined
const controllers = new Map<number, AbortController>()

listen(msg => {
  if (msg.t === 'init') {
    handlers = loadHandlers(msg.modules)
    handlers.then(h => { send({ t: 'ready', names: Object.keys(h) }) }, (err: unknown) => { send({ t: 'loadError', message: errorText(err) }) })
  } else if (msg.t === 'run') {
    void run(msg.id, msg.type, msg.payload, msg.ctx)
  } else if (msg.t === 'abort') {
    controllers.get(msg.id)?.abort(new Error(msg.reason))
  }
})

async function run (id: number, type: string, payload: unknown, rc: RunContext): Promise<void> {
  const controller = new AbortController()
  controllers.set(id, controller)
  let spawned = 0
  const ctx: TaskContext = {
    ...rc,
    signal: controller.signal,
    spawn: (childType, childPayload, options = {}) => {
      if (childType === CMD_TYPE) throw new WorkError('BAD_JOB', 'a handler cannot spawn shell-command ("cmd") tasks: submit them as tasks of a job, where the right to run commands is checked')
      const childId = childTaskId(rc.taskId, spawned)
      // The node builds the same task again; building it here makes a bad child throw in the
      // handler, where it was spawned, as it does in-process.
      makeTask(childId, rc.jobId, '', { ...options, type: childType, payload: childPayload })
      spawned++
      send({ t: 'spawn', id, type: childType, payload: encodePayload(childPayload, `task ${childId}`), options: { ...options } })
      return childId
    },
    progress: value => { send({ t: 'progress', id, value }) }
  }
  try {
    const handler = (await handlers!)[type]
    if (handler == null) throw new Error(`no handler "${type}" on this node`)
    const result = await handler(payload, ctx)
    send({ t: 'done', id, ok: true, result: encodePayload(result, `result of ${rc.taskId}`) })
  } catch (err) {
    send({ t: 'done', id, ok: false, error: { name: err instanceof Error ? err.name : 'Error', message: errorText(err) } })
  } finally {
    controllers.delete(id)
  }
}

function errorText (err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
