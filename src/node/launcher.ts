// The process model when a node is started through npm (`npx meshnode start`, `npm start`):
// npm runs the bin through a shell, so the pid a user or a supervisor holds is npm's, two
// levels above the node. A SIGTERM or SIGKILL to npm ends npm but reaches neither the shell
// nor the node, which would run on under PID 1. So a node started by npm finds that npm
// process among its ancestors and, once it is gone, stops as on SIGTERM (a drain within
// --drain-deadline-ms). A node started directly (node_modules/.bin/meshnode, systemd,
// a container) has no npm ancestor and watches nothing. Linux only (/proc); elsewhere a no-op.
import { readFileSync } from 'node:fs'

/** How often the launcher's liveness is checked. */
export const LAUNCHER_POLL_MS = 500
/** How far up the process tree to look for npm (npm → sh → node is two). */
const MAX_DEPTH = 4

export interface ProcView {
  /** The parent pid of `pid`, or undefined when it cannot be read. */
  parentOf: (pid: number) => number | undefined
  /** The command line of `pid` (arguments joined by spaces), or undefined. */
  cmdlineOf: (pid: number) => string | undefined
}

/** Whether this process was started by npm (npm exec / npx, or a package script). */
export function startedByNpm (env: NodeJS.ProcessEnv): boolean {
  return env.npm_command != null || env.npm_lifecycle_event != null || env.npm_execpath != null
}

/** The pid of the nearest npm ancestor of `pid`, or undefined. */
export function findNpmAncestor (pid: number, proc: ProcView): number | undefined {
  let at = pid
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const parent = proc.parentOf(at)
    if (parent == null || parent <= 1) return undefined
    const cmd = proc.cmdlineOf(parent) ?? ''
    // npm's process title is "npm exec …" / "npm run …"; otherwise node running npm-cli.js.
    if (/^npm(\s|$)/.test(cmd) || /(^|\/)npm(-cli\.js)?(\s|$)/.test(cmd) || /\bnpx(-cli\.js)?(\s|$)/.test(cmd)) return parent
    at = parent
  }
  return undefined
}

export const linuxProc: ProcView = {
  parentOf: pid => {
    try {
      // /proc/PID/stat: "pid (comm) state ppid …"; comm may hold spaces and parentheses.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      return Number.isInteger(ppid) ? ppid : undefined
    } catch {
      return undefined
    }
  },
  cmdlineOf: pid => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ')
    } catch {
      return undefined
    }
  }
}

function alive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err: any) {
    return err?.code === 'EPERM'
  }
}

/**
 * The npm process that started this one, if npm did. Look it up as early as possible: once
 * npm is gone the shell between it and the node is re-parented and the link is lost.
 */
export function findLauncher (env: NodeJS.ProcessEnv = process.env, proc: ProcView = linuxProc): number | undefined {
  return startedByNpm(env) ? findNpmAncestor(process.pid, proc) : undefined
}

/**
 * Calls `onGone` once the launcher `npm` (from findLauncher) has ended, killed or exited —
 * at the first check if it already has; returns the function that stops watching.
 */
export function watchLauncher (npm: number | undefined, onGone: (pid: number) => void, proc: ProcView = linuxProc): () => void {
  if (npm == null) return () => {}
  // A pid still alive but no longer our ancestor was reused: npm is gone all the same.
  const gone = (): boolean => !(alive(npm) && isAncestor(npm, proc))
  if (gone()) {
    queueMicrotask(() => { onGone(npm) })
    return () => {}
  }
  const timer = setInterval(() => {
    if (!gone()) return
    clearInterval(timer)
    onGone(npm)
  }, LAUNCHER_POLL_MS)
  timer.unref()
  return () => { clearInterval(timer) }
}

function isAncestor (pid: number, proc: ProcView): boolean {
  let at = process.pid
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const parent = proc.parentOf(at)
    if (parent == null) return false
    if (parent === pid) return true
    at = parent
  }
  return false
}
