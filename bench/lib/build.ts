// Which meshnode build a benchmark ran against. Nodes are spawned (and restarted) from
// bin/meshnode.js and whatever it loads from dist/ at that moment, so a rebuild in the middle
// of a long run silently mixes two builds; fingerprint the files at the start and compare.
import { createHash } from 'node:crypto'
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'

export interface BuildInfo {
  gitHead: string
  /** Modified or untracked paths under src/, scripts/ and bin/ (the working tree is what runs). */
  gitDirty: number
  /** sha256 (first 12 hex) of each part of what the node runs. */
  parts: Record<string, string>
  /** Newest mtime among those files. */
  builtAt: string
}

function jsFiles (dir: string): string[] {
  if (!existsSync(dir)) return []
  const out: string[] = []
  for (const ent of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, ent.name)
    if (ent.isDirectory()) out.push(...jsFiles(p))
    else if (/\.(m?js)$/.test(ent.name)) out.push(p)
  }
  return out.sort()
}

/** The bundle and its chunks (scripts/bundle.mjs): dist/meshnode.mjs and dist/meshnode-*.mjs. */
function bundleFiles (dist: string): string[] {
  if (!existsSync(dist)) return []
  return readdirSync(dist).filter(f => /^meshnode(-[\w-]+)?\.mjs$/.test(f)).sort().map(f => join(dist, f))
}

export function buildInfo (root: string): BuildInfo {
  let gitHead = 'unknown'
  let gitDirty = NaN
  try {
    const opts = { cwd: root, encoding: 'utf8' as const, stdio: ['ignore', 'pipe', 'ignore'] as Array<'ignore' | 'pipe'> }
    gitHead = execFileSync('git', ['rev-parse', '--short', 'HEAD'], opts).trim()
    gitDirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'scripts', 'bin'], opts).split('\n').filter(Boolean).length
  } catch {}
  // Only what bin/meshnode.js actually loads: the esbuild bundle, or the tsc output.
  const bin = join(root, 'bin', 'meshnode.js')
  const usesBundle = existsSync(bin) && readFileSync(bin, 'utf8').includes('meshnode.mjs')
  const groups: Record<string, string[]> = usesBundle
    ? { 'bin/meshnode.js': [bin], 'dist/meshnode.mjs': bundleFiles(join(root, 'dist')) }
    : { 'bin/meshnode.js': [bin], 'dist/src': jsFiles(join(root, 'dist', 'src')) }
  const parts: Record<string, string> = {}
  let newest = 0
  for (const [name, files] of Object.entries(groups)) {
    const present = files.filter(f => existsSync(f))
    if (present.length === 0) continue
    const h = createHash('sha256')
    for (const f of present) {
      h.update(relative(root, f)).update(readFileSync(f))
      newest = Math.max(newest, statSync(f).mtimeMs)
    }
    parts[name] = h.digest('hex').slice(0, 12)
  }
  return { gitHead, gitDirty, parts, builtAt: newest > 0 ? new Date(newest).toISOString() : 'unknown' }
}

export function formatBuild (b: BuildInfo): string {
  const parts = Object.entries(b.parts).map(([k, v]) => `${k} ${v}`).join(', ')
  return `git ${b.gitHead}${b.gitDirty > 0 ? ` + ${b.gitDirty} uncommitted change(s) in src/scripts/bin` : ''}; newest build file ${b.builtAt}; ${parts}`
}

export function sameBuild (a: BuildInfo, b: BuildInfo): boolean {
  const keys = new Set([...Object.keys(a.parts), ...Object.keys(b.parts)])
  return [...keys].every(k => a.parts[k] === b.parts[k])
}
