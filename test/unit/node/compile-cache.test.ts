// Where bin/meshnode.js keeps V8's compile cache: in the package (dist/.cache), portable, so a
// package copied or moved elsewhere, or started with an empty tmp dir (systemd's PrivateTmp, a
// container, bench/scale's fresh copies), does not compile its bundle again; and where it
// cannot write there, in the tmp dir as before. Runs the built package (npm run build).
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { tempDir } from '../../temp-dir.js'

const ROOT = join(import.meta.dirname, '..', '..', '..')

/** The runtime part of the built package in `dir` (no cache), as npm would install it. */
function installAt (dir: string): string {
  cpSync(join(ROOT, 'bin'), join(dir, 'bin'), { recursive: true })
  for (const f of readdirSync(join(ROOT, 'dist'))) {
    if (/^meshnode.*\.mjs$/.test(f) || f === 'vendor') cpSync(join(ROOT, 'dist', f), join(dir, 'dist', f), { recursive: true })
  }
  cpSync(join(ROOT, 'package.json'), join(dir, 'package.json'))
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir')
  return dir
}

/** `meshnode --version` from the package in `dir`, with node's compile-cache trace on stderr. */
function version (dir: string, tmp: string): { status: number | null, stdout: string, trace: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: tmp, NODE_DEBUG_NATIVE: 'COMPILE_CACHE' }
  delete env.NODE_COMPILE_CACHE
  delete env.NODE_COMPILE_CACHE_PORTABLE
  delete env.NODE_DISABLE_COMPILE_CACHE
  const r = spawnSync(process.execPath, [join(dir, 'bin', 'meshnode.js'), '--version'], { env, encoding: 'utf8' })
  return { status: r.status, stdout: r.stdout.trim(), trace: r.stderr }
}

const bundleAccepted = (dir: string, trace: string): boolean =>
  trace.includes(`V8 code cache for ESM file://${join(dir, 'dist', 'meshnode.mjs')} was accepted`)

describe('the compile cache', () => {
  it('lives in the package and stays valid when the package is copied elsewhere', () => {
    const tmp = tempDir('cc-tmp')
    const first = installAt(tempDir('cc-a'))
    const cold = version(first, tmp)
    expect(cold.status).toBe(0)
    expect(bundleAccepted(first, cold.trace)).toBe(false)
    expect(readdirSync(join(first, 'dist', '.cache')).length).toBe(1)
    expect(existsSync(join(tmp, 'node-compile-cache'))).toBe(false)

    // A copy at another path (bench/scale's frozen copy, a container layer, a moved install)
    // finds the bundle's code in the cache it brought along.
    const moved = tempDir('cc-b')
    cpSync(join(first, 'bin'), join(moved, 'bin'), { recursive: true })
    cpSync(join(first, 'dist'), join(moved, 'dist'), { recursive: true })
    cpSync(join(first, 'package.json'), join(moved, 'package.json'))
    symlinkSync(join(ROOT, 'node_modules'), join(moved, 'node_modules'), 'dir')
    const warm = version(moved, tmp)
    expect(warm.status).toBe(0)
    expect(warm.stdout).toBe(cold.stdout)
    expect(bundleAccepted(moved, warm.trace)).toBe(true)
  }, 60_000)

  it('goes to the tmp dir where the package has no room for it', () => {
    const tmp = tempDir('cc-tmp')
    const dir = installAt(tempDir('cc-ro'))
    // A file where the cache directory would be: node cannot make the directory, as in a
    // read-only install.
    writeFileSync(join(dir, 'dist', '.cache'), '')
    const r = version(dir, tmp)
    expect(r.status).toBe(0)
    expect(readdirSync(join(tmp, 'node-compile-cache')).length).toBe(1)
    expect(bundleAccepted(dir, version(dir, tmp).trace)).toBe(true)
  }, 60_000)

  it('is only an optimisation: damaged entries are compiled afresh', () => {
    const tmp = tempDir('cc-tmp')
    const dir = installAt(tempDir('cc-bad'))
    expect(version(dir, tmp).status).toBe(0)
    const [sub] = readdirSync(join(dir, 'dist', '.cache'))
    const entries = readdirSync(join(dir, 'dist', '.cache', sub!))
    expect(entries.length).toBeGreaterThan(5)
    for (const e of entries) writeFileSync(join(dir, 'dist', '.cache', sub!, e), 'not a code cache')
    const r = version(dir, tmp)
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/^\d+\.\d+\.\d+/)
    expect(bundleAccepted(dir, r.trace)).toBe(false)
    // ...and written again: the next start uses them.
    expect(bundleAccepted(dir, version(dir, tmp).trace)).toBe(true)
  }, 60_000)
})
