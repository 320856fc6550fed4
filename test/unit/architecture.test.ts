// The layering of DESIGN.md, checked on the source text: the sans-I/O cores depend on neither
// the wire format nor the node shell and never reach for a clock, a timer or randomness of
// their own; src/wire depends on no part of the node shell. Imports are resolved to files, so
// `../wire`, `../../node/x.js` and `export … from` are all caught whatever their depth.
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const SRC = join(ROOT, 'src')

/** The deterministic cores: inputs are messages and ticks, the clock and PRNG are injected. */
const CORES = ['consensus', 'completion', 'healing', 'pheromone', 'work', 'workflow'] as const

/**
 * Files in a core folder allowed to do I/O or read a clock, each with the reason. A core that
 * needs time takes `now` as an argument, one that needs randomness takes an `Rng`; these are
 * the executor side DESIGN.md puts beside the work core, and the shell alone calls them.
 */
const IO_EXCEPTIONS: Readonly<Record<string, string>> = {
  'src/work/attempt.ts': 'runs one task attempt: races the handler against its timeout and aborts it',
  'src/work/executors.ts': 'runs handlers and shell commands (child processes), loads handler modules',
  'src/work/isolation/pool.ts': 'runs --handlers modules in worker threads or child processes, kills those that outlive their abort',
  'src/work/isolation/worker.ts': 'the inside of a handler worker: its message channel to the node'
}

/** Packages that mean I/O; a core importing one is a shell in disguise. */
const IO_MODULES = /^(node:)?(fs|fs\/promises|net|dgram|http|https|http2|child_process|worker_threads|timers|timers\/promises|perf_hooks)$|^(level|classic-level|libp2p|it-.*)$|^@libp2p\/|^@chainsafe\//

const AMBIENT_EFFECTS = /\b(setTimeout|setInterval|setImmediate|queueMicrotask|Date\.now|performance\.now|Math\.random)\b/g

function tsFiles (dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter(e => e.isFile() && e.name.endsWith('.ts'))
    .map(e => join(e.parentPath, e.name))
    .sort()
}

/** The source without comments, so a comment that names Date.now() is not a finding. */
function code (file: string): string {
  return stripComments(readFileSync(file, 'utf8'))
}

function stripComments (text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1')
}

/** Every module specifier a file imports or re-exports, statically or dynamically. */
function specifiers (file: string): string[] {
  return specifiersIn(readFileSync(file, 'utf8'))
}

function specifiersIn (source: string): string[] {
  const text = stripComments(source)
  const found: string[] = []
  for (const re of [/\b(?:import|export)\b[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g, /\bimport\s*['"]([^'"]+)['"]/g, /\b(?:import|require)\s*\(\s*['"]([^'"]+)['"]\s*\)/g]) {
    for (const m of text.matchAll(re)) found.push(m[1]!)
  }
  return found
}

/** The folder under src/ a relative import lands in ('wire', 'node', …), or null for a package. */
function srcFolder (file: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null
  const target = relative(SRC, resolve(dirname(file), spec))
  if (target.startsWith('..')) return '(outside src)'
  return target.includes(sep) ? target.split(sep)[0]! : '(src root)'
}

const rel = (file: string): string => relative(ROOT, file).split(sep).join('/')

describe('architecture', () => {
  for (const core of CORES) {
    const files = tsFiles(join(SRC, core))

    it(`src/${core} has source files to check`, () => {
      expect(files.length).toBeGreaterThan(0)
    })

    it(`src/${core} imports nothing from src/wire or src/node`, () => {
      const bad = files.flatMap(f => specifiers(f)
        .filter(s => ['wire', 'node'].includes(srcFolder(f, s) ?? ''))
        .map(s => `${rel(f)} imports ${s}`))
      expect(bad).toEqual([])
    })

    it(`src/${core} imports no I/O module`, () => {
      const bad = files.filter(f => IO_EXCEPTIONS[rel(f)] == null).flatMap(f => specifiers(f)
        .filter(s => IO_MODULES.test(s))
        .map(s => `${rel(f)} imports ${s}`))
      expect(bad).toEqual([])
    })

    it(`src/${core} uses no timer, wall clock or ambient randomness`, () => {
      const bad = files.filter(f => IO_EXCEPTIONS[rel(f)] == null).flatMap(f =>
        [...code(f).matchAll(AMBIENT_EFFECTS)].map(m => `${rel(f)} uses ${m[1]}`))
      expect(bad).toEqual([])
    })
  }

  it('every I/O exception names an existing core file', () => {
    for (const file of Object.keys(IO_EXCEPTIONS)) {
      expect(CORES.some(c => file.startsWith(`src/${c}/`))).toBe(true)
      expect(() => readFileSync(join(ROOT, file))).not.toThrow()
    }
  })

  it('src/wire imports nothing from src/node', () => {
    const bad = tsFiles(join(SRC, 'wire')).flatMap(f => specifiers(f)
      .filter(s => srcFolder(f, s) === 'node')
      .map(s => `${rel(f)} imports ${s}`))
    expect(bad).toEqual([])
  })

  it('the import scanner sees relative imports at any depth, re-exports and dynamic imports', () => {
    const f = join(SRC, 'healing', 'x.ts')
    expect(srcFolder(f, '../wire/constants.js')).toBe('wire')
    expect(srcFolder(f, '../../src/node/errors.js')).toBe('node')
    expect(srcFolder(f, './failure-detector.js')).toBe('healing')
    expect(srcFolder(f, '@libp2p/interface')).toBeNull()
    expect(specifiersIn([
      "import { a } from '../wire/a.js'",
      'import type {',
      '  B',
      "} from '../../node/b.js'",
      "export { c } from '../wire/c.js'",
      "export * from './d.js'",
      "import './e.js'",
      "const f = await import('../node/f.js')",
      "// import { g } from '../wire/g.js'"
    ].join('\n')).sort()).toEqual(['../../node/b.js', '../node/f.js', '../wire/a.js', '../wire/c.js', './d.js', './e.js'])
  })
})
