// src/workflow is a pure core like those test/unit/architecture.test.ts checks: no I/O module,
// no node shell or wire import, no timer, clock or ambient randomness, and no eval.
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../src/workflow')
const files = readdirSync(DIR).filter(f => f.endsWith('.ts')).sort()
const code = (f: string): string => readFileSync(join(DIR, f), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1')
const imports = (f: string): string[] => [...code(f).matchAll(/\b(?:import|export)\b[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g)].map(m => m[1]!)

describe('src/workflow is pure', () => {
  it('has source files', () => { expect(files.length).toBeGreaterThan(3) })

  it('imports no I/O module and nothing from src/node or src/wire', () => {
    const bad = files.flatMap(f => imports(f).filter(s => /^(node:)?(fs|fs\/promises|net|http|https|child_process|worker_threads|timers|perf_hooks)$|^(level|classic-level|libp2p)$|\.\.\/(node|wire)\//.test(s)).map(s => `${f} imports ${s}`))
    expect(bad).toEqual([])
  })

  it('uses no timer, clock, randomness, eval or Function', () => {
    // `new Date(ms)` formats a given time and Buffer.byteLength counts bytes: neither reads the world.
    const bad = files.flatMap(f => [...code(f).matchAll(/\b(setTimeout|setInterval|setImmediate|queueMicrotask|Date\.now|new Date\(\)|performance\.now|Math\.random|eval|new Function|Buffer\.(?!byteLength\b)\w+)(?!\w)/g)].map(m => `${f} uses ${m[1]}`))
    expect(bad).toEqual([])
  })
})
