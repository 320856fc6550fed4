// Shared plumbing for end-to-end tests: run the real CLI and scripts/cluster as child
// processes (the compiled build, as a user would); throwaway directories come from ../temp-dir.ts.
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { NODE_FLAGS, ROOT } from '../../scripts/cluster-lib.js'
import { isTempDir, tempDir } from '../temp-dir.js'

// ROOT is the checkout's root from the sources and from their build in dist/ alike (the
// chaos suite runs compiled, as `npm run chaos`).
export { NODE_FLAGS, ROOT, tempDir }
export const NODE = process.execPath

export interface RunResult { code: number, stdout: string, stderr: string }

export async function run (file: string, args: string[], opts: { env?: NodeJS.ProcessEnv, timeoutMs?: number } = {}): Promise<RunResult> {
  return await new Promise(resolve => {
    execFile(file, args, { cwd: ROOT, env: { ...process.env, ...opts.env }, timeout: opts.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err == null ? 0 : typeof (err as any).code === 'number' ? (err as any).code : 1
      resolve({ code, stdout, stderr })
    })
  })
}

/** `meshnode ARGS` through bin/meshnode.js, as `npx meshnode` runs it. */
export async function meshnode (args: string[], opts: { env?: NodeJS.ProcessEnv, timeoutMs?: number } = {}): Promise<RunResult> {
  return await run(NODE, [...NODE_FLAGS, join(ROOT, 'bin', 'meshnode.js'), ...args], opts)
}

/** A long-running `meshnode ARGS` (e.g. start), output discarded; the caller kills it. */
export function spawnMeshnode (args: string[]): ChildProcess {
  return spawn(NODE, [...NODE_FLAGS, join(ROOT, 'bin', 'meshnode.js'), ...args], { stdio: 'ignore' })
}

/**
 * `scripts/cluster --dir DIR ARGS`. `down` in a tempDir() keeps the directory: it goes at the
 * end of the file if its tests passed, and stays (named on stderr) if one failed.
 */
export async function cluster (dir: string, args: string[], timeoutMs = 60_000): Promise<RunResult> {
  const keep = args[0] === 'down' && isTempDir(dir) && !args.includes('--keep') ? ['--keep'] : []
  const r = await run(join(ROOT, 'scripts', 'cluster'), ['--dir', dir, ...args, ...keep], { timeoutMs })
  if (r.code !== 0) throw new Error(`scripts/cluster ${args.join(' ')} failed (${r.code}): ${r.stderr}${r.stdout}`)
  return r
}
