// The `${{ … }}` expressions of workflow files: a tokenizer, a recursive-descent parser and an
// evaluator over plain JSON values. Written by hand on purpose: a workflow file comes from a
// user, so nothing in it ever reaches eval/Function, and property access only sees a value's
// own data (`constructor`, `__proto__` and friends are null, like any missing path).
//
// Grammar (lowest precedence first):
//   or      := and ('||' and)*
//   and     := eq ('&&' eq)*
//   eq      := rel (('==' | '!=') rel)*
//   rel     := unary (('<' | '<=' | '>' | '>=') unary)*
//   unary   := '!' unary | postfix
//   postfix := primary ('.' name | '[' or ']')*
//   primary := number | string | true | false | null | '(' or ')' | fn '(' args ')' | context
// A name may contain '-' after its first character (step names do), since there is no minus.

import { WORKFLOW_LIMITS } from './limits.js'

/** The roots an expression may start from. */
export const CONTEXTS = ['inputs', 'steps', 'matrix', 'workflow'] as const
export type ContextName = typeof CONTEXTS[number]

/** Functions and how many arguments each takes. */
export const FUNCTIONS: Readonly<Record<string, number>> = {
  success: 0, failure: 0, always: 0, contains: 2, toJSON: 1, fromJSON: 1, length: 1
}

export type BinaryOp = '||' | '&&' | '==' | '!=' | '<' | '<=' | '>' | '>='

export type Expr =
  | { k: 'lit', v: unknown }
  | { k: 'ctx', name: ContextName, col: number }
  | { k: 'get', obj: Expr, key: Expr, col: number }
  | { k: 'not', e: Expr }
  | { k: 'bin', op: BinaryOp, l: Expr, r: Expr }
  | { k: 'call', fn: string, args: Expr[], col: number }

/** A string with `${{ }}` parts. `whole`: the string is exactly one expression (its raw value). */
export interface Template {
  parts: Array<string | { expr: Expr, col: number }>
  whole: boolean
}

/** A syntax or evaluation error; `column` is 1-based in the string the expression is in. */
export class ExprError extends Error {
  readonly column: number | undefined
  constructor (message: string, column?: number) {
    super(column != null ? `${message} (column ${column})` : message)
    this.column = column
  }
}

/** Deepest nesting of parentheses, brackets and `!` (a guard for the parser's stack). */
const MAX_DEPTH = 64

type Tok =
  | { t: 'num', v: number, col: number }
  | { t: 'str', v: string, col: number }
  | { t: 'name', v: string, col: number }
  | { t: 'op', v: string, col: number }
  | { t: 'end', col: number }

const OPS = ['||', '&&', '==', '!=', '<=', '>=', '<', '>', '!', '(', ')', '[', ']', '.', ',']

/**
 * Tokens from `text[from]` up to `}}` (when `closed`) or the end. Returns the tokens and the
 * index just past the closing `}}`.
 */
function tokenize (text: string, from: number, closed: boolean): { toks: Tok[], next: number } {
  const toks: Tok[] = []
  let i = from
  for (;;) {
    while (i < text.length && /\s/.test(text[i]!)) i++
    const col = i + 1
    if (i >= text.length) {
      if (closed) throw new ExprError('`${{` is not closed with `}}`', from - 2)
      toks.push({ t: 'end', col })
      return { toks, next: i }
    }
    const c = text[i]!
    if (closed && c === '}' && text[i + 1] === '}') {
      toks.push({ t: 'end', col })
      return { toks, next: i + 2 }
    }
    if (c === '\'' || c === '"') {
      let v = ''
      let j = i + 1
      for (;;) {
        if (j >= text.length) throw new ExprError('a string is not closed', col)
        const d = text[j]!
        if (d === c) {
          // A doubled quote inside single quotes is one quote (as in YAML and GitHub Actions).
          if (c === '\'' && text[j + 1] === '\'') { v += '\''; j += 2; continue }
          break
        }
        if (d === '\\' && c === '"') {
          const e = text[j + 1]
          const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\', '/': '/' }
          if (e == null || map[e] == null) throw new ExprError('unknown escape in a string', j + 1)
          v += map[e]
          j += 2
          continue
        }
        v += d
        j++
      }
      toks.push({ t: 'str', v, col })
      i = j + 1
      continue
    }
    const num = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 64))
    if (num != null && (c !== '-' || /\d/.test(text[i + 1] ?? ''))) {
      toks.push({ t: 'num', v: Number(num[0]), col })
      i += num[0].length
      continue
    }
    const name = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(text.slice(i, i + 256))
    if (name != null) {
      toks.push({ t: 'name', v: name[0], col })
      i += name[0].length
      continue
    }
    const op = OPS.find(o => text.startsWith(o, i))
    if (op != null) {
      toks.push({ t: 'op', v: op, col })
      i += op.length
      continue
    }
    throw new ExprError(`unexpected ${JSON.stringify(c)}`, col)
  }
}

class Parser {
  private pos = 0
  private depth = 0
  constructor (private readonly toks: Tok[]) {}

  parse (): Expr {
    if (this.peek().t === 'end') throw new ExprError('empty expression', this.peek().col)
    const e = this.or()
    const t = this.peek()
    if (t.t !== 'end') throw new ExprError(`unexpected ${describeTok(t)}`, t.col)
    return e
  }

  private peek (): Tok { return this.toks[this.pos]! }
  private next (): Tok { return this.toks[this.pos++]! }
  private isOp (v: string): boolean { const t = this.peek(); return t.t === 'op' && t.v === v }
  private expect (v: string): void {
    const t = this.next()
    if (t.t !== 'op' || t.v !== v) throw new ExprError(`expected \`${v}\`, found ${describeTok(t)}`, t.col)
  }

  private nest<T> (col: number, f: () => T): T {
    if (++this.depth > MAX_DEPTH) throw new ExprError(`nested more than ${MAX_DEPTH} deep`, col)
    try { return f() } finally { this.depth-- }
  }

  private binary (ops: readonly string[], sub: () => Expr): Expr {
    let l = sub()
    for (;;) {
      const t = this.peek()
      if (t.t !== 'op' || !ops.includes(t.v)) return l
      this.pos++
      l = { k: 'bin', op: t.v as BinaryOp, l, r: sub() }
    }
  }

  private or (): Expr { return this.binary(['||'], () => this.and()) }
  private and (): Expr { return this.binary(['&&'], () => this.eq()) }
  private eq (): Expr { return this.binary(['==', '!='], () => this.rel()) }
  private rel (): Expr { return this.binary(['<', '<=', '>', '>='], () => this.unary()) }

  private unary (): Expr {
    const t = this.peek()
    if (t.t === 'op' && t.v === '!') {
      this.pos++
      return this.nest(t.col, () => ({ k: 'not', e: this.unary() }))
    }
    return this.postfix()
  }

  private postfix (): Expr {
    let e = this.primary()
    for (;;) {
      const t = this.peek()
      if (t.t === 'op' && t.v === '.') {
        this.pos++
        const n = this.next()
        if (n.t !== 'name') throw new ExprError(`expected a name after \`.\`, found ${describeTok(n)}`, n.col)
        e = { k: 'get', obj: e, key: { k: 'lit', v: n.v }, col: n.col }
      } else if (t.t === 'op' && t.v === '[') {
        this.pos++
        const key = this.nest(t.col, () => this.or())
        this.expect(']')
        e = { k: 'get', obj: e, key, col: t.col }
      } else {
        return e
      }
    }
  }

  private primary (): Expr {
    const t = this.next()
    switch (t.t) {
      case 'num': return { k: 'lit', v: t.v }
      case 'str': return { k: 'lit', v: t.v }
      case 'op':
        if (t.v === '(') {
          const e = this.nest(t.col, () => this.or())
          this.expect(')')
          return e
        }
        throw new ExprError(`unexpected ${describeTok(t)}`, t.col)
      case 'end': throw new ExprError('the expression ends too early', t.col)
      case 'name': {
        if (t.v === 'true') return { k: 'lit', v: true }
        if (t.v === 'false') return { k: 'lit', v: false }
        if (t.v === 'null') return { k: 'lit', v: null }
        if (this.isOp('(')) {
          const arity = Object.hasOwn(FUNCTIONS, t.v) ? FUNCTIONS[t.v] : undefined
          if (arity == null) throw new ExprError(`unknown function \`${t.v}\` (known: ${Object.keys(FUNCTIONS).join(', ')})`, t.col)
          this.pos++
          const args: Expr[] = []
          if (!this.isOp(')')) {
            for (;;) {
              args.push(this.nest(t.col, () => this.or()))
              if (!this.isOp(',')) break
              this.pos++
            }
          }
          this.expect(')')
          if (args.length !== arity) throw new ExprError(`${t.v}() takes ${arity} argument${arity === 1 ? '' : 's'}, not ${args.length}`, t.col)
          return { k: 'call', fn: t.v, args, col: t.col }
        }
        if ((CONTEXTS as readonly string[]).includes(t.v)) return { k: 'ctx', name: t.v as ContextName, col: t.col }
        throw new ExprError(`unknown name \`${t.v}\` (an expression starts from ${CONTEXTS.join(', ')}, a literal or a function)`, t.col)
      }
    }
  }
}

function describeTok (t: Tok): string {
  switch (t.t) {
    case 'end': return 'the end of the expression'
    case 'str': return `the string ${JSON.stringify(t.v)}`
    case 'num': return `the number ${t.v}`
    default: return `\`${t.v}\``
  }
}

/** Parses a string with `${{ }}` parts. Throws ExprError (with the column) on bad syntax. */
export function parseTemplate (text: string): Template {
  const parts: Template['parts'] = []
  let i = 0
  let lit = ''
  for (;;) {
    const open = text.indexOf('${{', i)
    if (open < 0) break
    lit += text.slice(i, open)
    const { toks, next } = tokenize(text, open + 3, true)
    const size = next - open
    if (size > WORKFLOW_LIMITS.exprBytes) throw new ExprError(`an expression is ${size} characters long; at most ${WORKFLOW_LIMITS.exprBytes}`, open + 1)
    const expr = new Parser(toks).parse()
    if (lit !== '') parts.push(lit)
    lit = ''
    parts.push({ expr, col: open + 1 })
    i = next
  }
  lit += text.slice(i)
  if (lit !== '') parts.push(lit)
  return { parts, whole: parts.length === 1 && typeof parts[0] !== 'string' }
}

/** A condition: a template, or (with no `${{`) the whole string as one expression. */
export function parseCondition (text: string): Template {
  if (text.includes('${{')) return parseTemplate(text)
  if (text.length > WORKFLOW_LIMITS.exprBytes) throw new ExprError(`the condition is ${text.length} characters long; at most ${WORKFLOW_LIMITS.exprBytes}`, 1)
  const { toks } = tokenize(text, 0, false)
  return { parts: [{ expr: new Parser(toks).parse(), col: 1 }], whole: true }
}

/** A context path an expression reads: `steps.build.output` → root steps, path ['build', 'output']. */
export interface Reference {
  root: ContextName
  /** The literal keys that follow the root, up to the first computed one. */
  path: string[]
  /** The key right after the root was computed (`steps[x]`), so it cannot be checked. */
  dynamic: boolean
  col: number
}

/** Every context path in an expression, for checking at submit. */
export function references (e: Expr): Reference[] {
  const out: Reference[] = []
  const walk = (x: Expr): void => {
    switch (x.k) {
      case 'ctx': out.push({ root: x.name, path: [], dynamic: false, col: x.col }); return
      case 'get': {
        // Unwind a chain of gets down to its root.
        const keys: Expr[] = []
        let o: Expr = x
        while (o.k === 'get') { keys.unshift(o.key); o = o.obj }
        for (const k of keys) walk(k)
        if (o.k !== 'ctx') { walk(o); return }
        const path: string[] = []
        let dynamic = false
        for (const k of keys) {
          if (k.k === 'lit' && typeof k.v === 'string') path.push(k.v)
          else { dynamic = path.length === 0; break }
        }
        out.push({ root: o.name, path, dynamic, col: o.col })
        return
      }
      case 'not': walk(x.e); return
      case 'bin': walk(x.l); walk(x.r); return
      case 'call': x.args.forEach(walk); return
      case 'lit': return
    }
  }
  walk(e)
  return out
}

export function templateReferences (t: Template): Reference[] {
  return t.parts.flatMap(p => typeof p === 'string' ? [] : references(p.expr))
}

/** What an expression can see while it is evaluated. */
export interface EvalContext {
  inputs: Record<string, unknown>
  /** Finished steps by name: {output, outputs, outcome, error}. */
  steps: Record<string, unknown>
  matrix?: { item: unknown, index: number, count: number }
  workflow: { id: string, name: string | null }
  /** success(): every need succeeded (continueOnFailure failures count as success). */
  success: boolean
  /** failure(): some need failed. */
  failure: boolean
}

export function evaluate (e: Expr, ctx: EvalContext): unknown {
  switch (e.k) {
    case 'lit': return e.v
    case 'ctx':
      switch (e.name) {
        case 'inputs': return ctx.inputs
        case 'steps': return ctx.steps
        case 'matrix': return ctx.matrix ?? null
        case 'workflow': return ctx.workflow
      }
      return null
    case 'get': return member(evaluate(e.obj, ctx), evaluate(e.key, ctx))
    case 'not': return !truthy(evaluate(e.e, ctx))
    case 'bin': {
      const l = evaluate(e.l, ctx)
      if (e.op === '&&') return truthy(l) ? evaluate(e.r, ctx) : l
      if (e.op === '||') return truthy(l) ? l : evaluate(e.r, ctx)
      const r = evaluate(e.r, ctx)
      switch (e.op) {
        case '==': return deepEqual(l, r)
        case '!=': return !deepEqual(l, r)
        default: return compare(e.op, l, r)
      }
    }
    case 'call': return call(e, ctx)
  }
}

function call (e: Extract<Expr, { k: 'call' }>, ctx: EvalContext): unknown {
  switch (e.fn) {
    case 'success': return ctx.success
    case 'failure': return ctx.failure
    case 'always': return true
    case 'contains': {
      const [a, b] = e.args.map(x => evaluate(x, ctx))
      if (typeof a === 'string') return a.includes(toText(b))
      if (Array.isArray(a)) return a.some(x => deepEqual(x, b))
      return false
    }
    case 'toJSON': return JSON.stringify(evaluate(e.args[0]!, ctx) ?? null)
    case 'fromJSON': {
      const s = evaluate(e.args[0]!, ctx)
      if (typeof s !== 'string') throw new ExprError(`fromJSON() needs a string, not ${kindOf(s)}`, e.col)
      try {
        return JSON.parse(s) as unknown
      } catch (err) {
        throw new ExprError(`fromJSON(): ${(err as Error).message}`, e.col)
      }
    }
    case 'length': {
      const v = evaluate(e.args[0]!, ctx)
      if (v == null) return 0
      if (typeof v === 'string' || Array.isArray(v)) return v.length
      if (typeof v === 'object') return Object.keys(v).length
      throw new ExprError(`length() needs a string, an array or an object, not ${kindOf(v)}`, e.col)
    }
  }
  throw new ExprError(`unknown function ${e.fn}`, e.col)
}

/** A value's own field or element; anything else (prototype names included) is null. */
export function member (obj: unknown, key: unknown): unknown {
  if (obj == null || typeof obj !== 'object') return null
  if (Array.isArray(obj)) {
    const i = typeof key === 'number' ? key : typeof key === 'string' && /^\d+$/.test(key) ? Number(key) : NaN
    return Number.isInteger(i) && i >= 0 && i < obj.length ? (obj[i] ?? null) : null
  }
  const k = typeof key === 'string' ? key : typeof key === 'number' ? String(key) : undefined
  if (k == null || !Object.hasOwn(obj, k)) return null
  return (obj as Record<string, unknown>)[k] ?? null
}

/** null, false, 0, NaN and '' are false; everything else (empty arrays and objects too) is true. */
export function truthy (v: unknown): boolean {
  return !(v == null || v === false || v === 0 || v === '' || (typeof v === 'number' && Number.isNaN(v)))
}

/** Equality of JSON values without coercion: 1 == '1' is false; arrays and objects by content. */
export function deepEqual (a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (a == null || b == null) return (a ?? null) === (b ?? null)
  if (typeof a !== 'object' || typeof b !== 'object') return false
  if (Array.isArray(a) !== Array.isArray(b)) return false
  if (Array.isArray(a)) {
    const bb = b as unknown[]
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]))
  }
  const ka = Object.keys(a)
  const kb = Object.keys(b)
  return ka.length === kb.length && ka.every(k => Object.hasOwn(b, k) && deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
}

/** Orders two numbers or two strings; any other pair compares false. */
function compare (op: BinaryOp, l: unknown, r: unknown): boolean {
  if (!((typeof l === 'number' && typeof r === 'number') || (typeof l === 'string' && typeof r === 'string'))) return false
  switch (op) {
    case '<': return l < r
    case '<=': return l <= r
    case '>': return l > r
    case '>=': return l >= r
    default: return false
  }
}

/** A value as text inside a longer string: null is empty, strings as they are, the rest JSON. */
export function toText (v: unknown): string {
  if (v == null) return ''
  if (typeof v === 'string') return v
  return JSON.stringify(v) ?? ''
}

function kindOf (v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'an array'
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`
}

/** A template's value: the raw value of a lone expression, else the interpolated text. */
export function render (t: Template, ctx: EvalContext): unknown {
  if (t.whole) return evaluate((t.parts[0] as { expr: Expr }).expr, ctx) ?? null
  let s = ''
  for (const p of t.parts) s += typeof p === 'string' ? p : toText(evaluate(p.expr, ctx))
  return s
}
