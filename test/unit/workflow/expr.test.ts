// The `${{ }}` expression language: syntax, evaluation over plain JSON, and that nothing in an
// expression can reach past a value's own data.
import { describe, expect, it } from 'vitest'
import { ExprError, parseCondition, parseTemplate, references, render, type EvalContext, type Expr } from '../../../src/workflow/expr.js'

const ctx: EvalContext = {
  inputs: { version: '1.2', n: 3, list: ['a', 'b'], obj: { 'my-key': 7 } },
  steps: Object.assign(Object.create(null) as Record<string, unknown>, {
    build: { output: { path: '/out', shards: [1, 2, 3], nested: { a: [{ b: 'deep' }] } }, outputs: null, outcome: 'success', error: null },
    'lint-js': { output: null, outputs: null, outcome: 'failure', error: 'boom' }
  }),
  matrix: { item: 'x', index: 1, count: 4 },
  workflow: { id: 'job-1', name: 'release' },
  success: true,
  failure: false
}

const ev = (text: string): unknown => render(parseTemplate(text), ctx)
const cond = (text: string): unknown => render(parseCondition(text), ctx)

describe('expressions', () => {
  it('a string that is exactly one expression yields the raw JSON value', () => {
    expect(ev('${{ steps.build.output.shards }}')).toEqual([1, 2, 3])
    expect(ev('${{ inputs.n }}')).toBe(3)
    expect(ev('  ${{ inputs.n }}')).toBe('  3')
  })

  it('interpolates several expressions as text, objects as JSON and null as nothing', () => {
    expect(ev('v${{ inputs.version }}-${{ matrix.index }} ${{ inputs.list }}|${{ inputs.missing }}|')).toBe('v1.2-1 ["a","b"]||')
  })

  it('reads paths with dots, indices and quoted keys, and names with hyphens', () => {
    expect(ev("${{ steps.build.output.nested.a[0].b }}")).toBe('deep')
    expect(ev("${{ inputs.obj['my-key'] }}")).toBe(7)
    expect(ev('${{ steps.lint-js.error }}')).toBe('boom')
    expect(ev('${{ steps.build.output.shards[inputs.list[0] == \'a\' && 1] }}')).toBe(2)
    // There is no arithmetic: a '-' after a space is not a name's hyphen.
    expect(() => parseTemplate('${{ inputs.n - 1 }}')).toThrow(/unexpected "-"/)
  })

  it('missing paths are null, not errors', () => {
    expect(ev('${{ steps.build.output.nope.deeper[3] }}')).toBe(null)
    expect(ev('${{ steps.nosuch.output }}')).toBe(null)
    expect(ev('${{ inputs.list[9] }}')).toBe(null)
  })

  it('prototype names read as missing: constructor, __proto__, toString', () => {
    expect(ev('${{ inputs.constructor }}')).toBe(null)
    expect(ev('${{ inputs.__proto__ }}')).toBe(null)
    expect(ev("${{ inputs['__proto__'] }}")).toBe(null)
    expect(ev('${{ inputs.list.constructor.constructor }}')).toBe(null)
    expect(ev('${{ steps.build.output.path.length }}')).toBe(null)
    expect(ev('${{ inputs.toString }}')).toBe(null)
    expect(ev('${{ steps.constructor }}')).toBe(null)
  })

  it('an own "__proto__" key of parsed JSON is data like any other', () => {
    expect(render(parseTemplate("${{ fromJSON('{\"__proto__\": {\"x\": 1}}').__proto__.x }}"), ctx)).toBe(1)
  })

  it('compares without coercion and orders only numbers with numbers and strings with strings', () => {
    expect(ev("${{ steps.build.outcome == 'success' }}")).toBe(true)
    expect(ev("${{ inputs.n == '3' }}")).toBe(false)
    expect(ev('${{ inputs.n >= 3 && inputs.n < 4 }}')).toBe(true)
    expect(ev("${{ 'b' > 'a' }}")).toBe(true)
    expect(ev("${{ inputs.n > '1' }}")).toBe(false)
    expect(ev("${{ inputs.list == fromJSON('[\"a\",\"b\"]') }}")).toBe(true)
    expect(ev('${{ null == inputs.missing }}')).toBe(true)
    expect(ev('${{ 1.5e1 == 15 }}')).toBe(true)
    expect(ev('${{ -2 < 0 }}')).toBe(true)
  })

  it('&& and || return an operand, ! a boolean, parentheses group', () => {
    expect(ev("${{ inputs.missing || 'fallback' }}")).toBe('fallback')
    expect(ev("${{ inputs.version && 'yes' }}")).toBe('yes')
    expect(ev('${{ !inputs.missing }}')).toBe(true)
    expect(ev('${{ !(true || false) && true }}')).toBe(false)
    expect(ev('${{ false || true && false }}')).toBe(false)
  })

  it('string literals take both quotes, doubled single quotes and JSON escapes', () => {
    expect(ev("${{ 'it''s' }}")).toBe("it's")
    expect(ev('${{ "a\\"b\\n" }}')).toBe('a"b\n')
    expect(ev("${{ '}}' }}")).toBe('}}')
  })

  it('functions: success, failure, always, contains, toJSON, fromJSON, length', () => {
    expect(ev('${{ success() && !failure() && always() }}')).toBe(true)
    expect(ev("${{ contains(inputs.list, 'b') }}")).toBe(true)
    expect(ev("${{ contains(inputs.version, '.2') }}")).toBe(true)
    expect(ev('${{ contains(inputs.n, 3) }}')).toBe(false)
    expect(ev('${{ toJSON(inputs.list) }}')).toBe('["a","b"]')
    expect(ev("${{ fromJSON('{\"a\": [1]}').a[0] }}")).toBe(1)
    expect(ev('${{ length(inputs.list) }}')).toBe(2)
    expect(ev("${{ length('abc') }}")).toBe(3)
    expect(ev('${{ length(inputs.obj) }}')).toBe(1)
    expect(ev('${{ length(inputs.missing) }}')).toBe(0)
  })

  it('evaluation errors name the function and the column', () => {
    expect(() => ev("${{ fromJSON('{bad') }}")).toThrow(ExprError)
    expect(() => ev("${{ fromJSON('{bad') }}")).toThrow(/fromJSON\(\).*column 5/)
    expect(() => ev('${{ length(inputs.n) }}')).toThrow(/length\(\) needs a string, an array or an object, not number 3/)
  })

  it('a condition without ${{ }} is one bare expression', () => {
    expect(cond("steps.build.outcome == 'success'")).toBe(true)
    expect(cond("${{ steps.build.outcome }} == 'success'")).toBe("success == 'success'")
  })

  it('reports syntax errors with the column in the string', () => {
    const col = (text: string): number | undefined => {
      try { parseTemplate(text) } catch (err) { return (err as ExprError).column }
      return undefined
    }
    expect(() => parseTemplate('x ${{ inputs.version == }}')).toThrow(/the expression ends too early \(column 25\)/)
    expect(col('ab ${{ inputs.a')).toBe(4)
    expect(() => parseTemplate('${{ inputs.a')).toThrow(/not closed/)
    expect(() => parseTemplate('${{ }}')).toThrow(/empty expression/)
    expect(() => parseTemplate('${{ foo.bar }}')).toThrow(/unknown name `foo` .*column 5/)
    expect(() => parseTemplate('${{ eval(1) }}')).toThrow(/unknown function `eval`/)
    expect(() => parseTemplate('${{ contains(1) }}')).toThrow(/contains\(\) takes 2 arguments, not 1/)
    expect(() => parseTemplate("${{ 'open }}")).toThrow(/string is not closed/)
    expect(() => parseTemplate('${{ inputs.a ; inputs.b }}')).toThrow(/unexpected ";"/)
    expect(() => parseTemplate('${{ inputs. }}')).toThrow(/expected a name after `.`/)
    expect(() => parseTemplate('${{ (inputs.a }}')).toThrow(/expected `\)`/)
  })

  it('no JavaScript gets through: assignments, calls on values, templates and this are syntax errors', () => {
    for (const bad of [
      '${{ inputs.a = 1 }}',
      '${{ inputs.constructor.constructor("return process")() }}',
      '${{ `x` }}',
      '${{ this }}',
      '${{ process.exit(1) }}',
      '${{ inputs.a; require("fs") }}',
      '${{ [1,2] }}',
      '${{ {a: 1} }}'
    ]) expect(() => parseTemplate(bad), bad).toThrow(ExprError)
  })

  it('refuses an over-long or too deeply nested expression', () => {
    expect(() => parseTemplate('${{ ' + "'" + 'x'.repeat(5000) + "'" + ' }}')).toThrow(/at most 4096/)
    expect(() => parseTemplate('${{ ' + '('.repeat(100) + '1' + ')'.repeat(100) + ' }}')).toThrow(/nested more than 64 deep/)
    expect(() => parseTemplate('${{ ' + '!'.repeat(100) + 'true }}')).toThrow(/nested more than 64 deep/)
  })

  it('lists the context paths an expression reads, stopping at a computed key', () => {
    const refs = references((parseTemplate('${{ steps.build.output[inputs.k].x || matrix.item || steps[inputs.s] }}').parts[0] as { expr: Expr }).expr)
    expect(refs.map(r => [r.root, r.path.join('.'), r.dynamic])).toEqual([
      ['inputs', 'k', false],
      ['steps', 'build.output', false],
      ['matrix', 'item', false],
      ['inputs', 's', false],
      ['steps', '', true]
    ])
  })
})
