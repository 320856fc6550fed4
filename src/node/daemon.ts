// Runs a node as a foreground daemon: signals are handled once (graceful stop), a second
// signal forces exit, and an unexpected error is logged before the process dies.
import type { NodeConfig } from './config.js'
import { createLogger } from './log.js'
import { MeshNode } from './node.js'

export async function runDaemon (config: NodeConfig): Promise<number> {
  const log = createLogger(config.logLevel, { name: config.name })
  const node = await MeshNode.start(config, { logger: log })
  return await new Promise<number>(resolve => {
    let signalled = false
    const onSignal = (sig: NodeJS.Signals): void => {
      if (signalled) {
        log.warn({ signal: sig }, 'second signal: forcing exit')
        process.exit(130)
      }
      signalled = true
      log.info({ signal: sig }, 'signal received: stopping gracefully (send again to force)')
      node.stop().then(() => { resolve(0) }, err => {
        log.error({ err: String(err?.message ?? err) }, 'error while stopping')
        resolve(1)
      })
    }
    process.on('SIGTERM', onSignal)
    process.on('SIGINT', onSignal)
  })
}
