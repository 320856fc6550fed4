// scripts/strip-source.mjs (the bundle loses its indentation and comments, never a line): text
// inside strings, templates and regular expressions stays as it was, legal comments and
// pragmas stay, and the source map's columns follow each line's removed prefix.
import { SourceMap } from 'node:module'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

interface Map3 { version: 3, sources: string[], names: string[], mappings: string }
interface Strip {
  strip: (src: string, map: Map3) => { code: string, map: Map3 }
  check: (a: string, b: string, what: string) => Promise<void>
}
const { strip, check } = await import(join(import.meta.dirname, '..', '..', '..', 'scripts', 'strip-source.mjs')) as Strip

const SRC = [
  '/*! keep: a legal notice */',
  'function f (a, b) {',
  '    // a comment line',
  '    const t = `line one',
  '    indented inside a template ${a /* in code */ + 1}',
  '      and more`;',
  '    const r = /  [/ ]+\\/\\//g; /* trailing */',
  '    const s = "a \\',
  '    continued";',
  '    return a++ / 2 + b-- / 2 + t + s + r.source',
  '}',
  '//# sourceMappingURL=x.js.map',
  ''
].join('\n')

describe('strip-source', () => {
  it('keeps every line, strings, templates and regular expressions; drops indentation and comments', async () => {
    const empty: Map3 = { version: 3, sources: [], names: [], mappings: '' }
    const { code } = strip(SRC, empty)
    expect(code.split('\n')).toHaveLength(SRC.split('\n').length)
    expect(code).toContain('/*! keep: a legal notice */')
    expect(code).toContain('//# sourceMappingURL=x.js.map')
    expect(code).not.toContain('a comment line')
    expect(code).not.toContain('trailing')
    expect(code).toContain('`line one\n    indented inside a template ${a /* in code */ + 1}\n      and more`')
    expect(code).toContain('"a \\\n    continued"')
    expect(code).toContain('/  [/ ]+\\/\\//g')
    expect(code.split('\n')[1]).toBe('function f (a, b) {')
    expect(code.split('\n')[9]).toBe('return a++ / 2 + b-- / 2 + t + s + r.source')
    await check(SRC, code, 'the test source')
    // eslint-disable-next-line no-new-func
    const run = (text: string): unknown => new Function(`${text}; return f(4, 6)`)()
    expect(run(code)).toEqual(run(SRC))
  })

  it('moves each mapping left by its line\'s removed prefix', () => {
    // line 0: col 4 -> (src 0, line 0, col 0); line 1: cols 4 and 10 -> line 1 cols 0 and 6.
    const map: Map3 = { version: 3, sources: ['a.ts'], names: [], mappings: 'IAAA;IACA,MAAM' }
    const src = '    x = 1\n    y = 2; z = 3\n'
    const out = strip(src, map)
    expect(out.code).toBe('x = 1\ny = 2; z = 3\n')
    const before = new SourceMap(map as any)
    const after = new SourceMap(out.map as any)
    expect(after.findEntry(0, 0)).toMatchObject({ originalLine: (before.findEntry(0, 4) as { originalLine: number }).originalLine, originalColumn: 0 })
    expect(after.findEntry(1, 0)).toMatchObject({ originalLine: 1, originalColumn: 0 })
    expect(after.findEntry(1, 6)).toMatchObject({ originalLine: 1, originalColumn: 6 })
  })

  it('refuses a change of program', async () => {
    await check('a = b\n/c/g', 'a = b / c / g', 'division across a line')
    await expect(check('x = `a\n  b`', 'x = `a\nb`', 'a template')).rejects.toThrow(/changed the program/)
  })
})
