// Runs a node as a foreground daemon. SIGTERM and SIGINT drain the node (hand its work to
// peers, hand leadership over, retire, announce `left`; see src/node/drain.ts) within
// --drain-deadline-ms, then exit; with --drain-deadline-ms 0 they stop it without draining.
// SIGUSR2 stops it without draining (a restart: its work stays on disk and resumes). A second
// signal forces exit. An unexpected error is logged before the process dies. Started through
// npm, the node also stops as on SIGTERM when npm's process ends (launcher.ts), so signalling
// the pid `npx meshnode start` gave never leaves an orphaned node behind.
import type { NodeConfig } from './config.js'
import { createLogger } from './log.js'
import { MeshNode } from './node.js'
import { findLauncher, watchLauncher } from './launcher.js'

/** Exit code when a second signal forced the process out. */
export const EXIT_FORCED = 130

export async function runDaemon (config: NodeConfig, onStarted?: (node: MeshNode) => void): Promise<number> {
  // Before anything slow: npm may be killed while the node starts.
  const launcher = findLauncher()
  const log = createLogger(config.logLevel, { name: config.name })
  const node = await MeshNode.start(config, { logger: log, heapTrim: true })
  onStarted?.(node)
  return await new Promise<number>(resolve => {
    let signalled = false
    // However the node stops (a signal, `meshnode drain`), the process ends with it.
    node.stopped.then(() => { resolve(node.drainExitCode ?? 0) }, () => { resolve(1) })
    const onSignal = (sig: NodeJS.Signals): void => {
      if (signalled) {
        log.warn({ signal: sig }, 'second signal: forcing exit')
        process.exit(EXIT_FORCED)
      }
      signalled = true
      if (sig === 'SIGUSR2' || config.drainDeadlineMs === 0) {
        log.info({ signal: sig }, 'signal received: stopping without draining; the work held here resumes when the node starts again (send again to force)')
        node.stop().catch(err => {
          log.error({ err: String(err?.message ?? err) }, 'error while stopping')
          resolve(1)
        })
        return
      }
      log.info({ signal: sig, deadlineMs: config.drainDeadlineMs }, 'signal received: draining before leaving the mesh (send again to force exit)')
      node.drain(config.drainDeadlineMs)
    }
    process.on('SIGTERM', onSignal)
    process.on('SIGINT', onSignal)
    process.on('SIGUSR2', onSignal)
    const unwatch = watchLauncher(launcher, pid => {
      log.info({ npm: pid }, 'the npm process that started this node has ended: stopping as on SIGTERM')
      onSignal('SIGTERM')
    })
    void node.stopped.finally(unwatch)
  })
}
