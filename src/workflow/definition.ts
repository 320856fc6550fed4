// Workflow definitions: their shape, the checks made at submit and the compiled plan the engine
// (run.ts) walks. A definition stays the plain JSON the user wrote (so it can be stored and
// replicated as it is); every check is made before anything is written, and every problem is
// reported at once, each naming its step and field: the schema (schemas/workflow.schema.json,
// through src/json-schema.ts) for shapes and unknown fields, then the DAG (unknown needs,
// cycles with their path) and every `${{ }}` expression (syntax with the column, contexts, and
// that a step reads only the steps it needs, directly or not).

import type * as Yaml from 'yaml'
import { didYouMean as nearest, schemaCheck, type Validate } from '../json-schema.js'
import { WorkflowError } from './errors.js'
import { ExprError, parseCondition, parseTemplate, templateReferences, type Template } from './expr.js'
import { DEFAULT_APPROVAL_TIMEOUT_MS, WORKFLOW_LIMITS } from './limits.js'
import { lazyRequire } from '../lazy-require.js'

// yaml loads with the first YAML workflow file parsed (src/lazy-require.ts).
const yaml = lazyRequire<typeof Yaml>('yaml', 'to read YAML workflow files')

/** The built-in task type of shell commands (src/work/spec.ts CMD_TYPE). */
const CMD_TYPE = 'cmd'

export interface InputDecl {
  required?: boolean
  /** Any JSON value. */
  default?: unknown
  description?: string
}

export interface ApprovalDef {
  /** May use `${{ }}`. */
  prompt: string
  /** 0 = wait for ever; default one day. */
  timeoutMs?: number
  /** Default 'reject'. */
  onTimeout?: 'approve' | 'reject'
  /** Peer ids or key names allowed to decide; absent = any operator. */
  approvers?: string[]
}

export interface StepDef {
  /** A handler name, or "cmd". */
  type?: string
  /** A shell command (type "cmd"); may use `${{ }}`. */
  cmd?: string
  /** The task's payload; its strings may use `${{ }}`. For `cmd`, an object merged into {cmd}. */
  with?: unknown
  needs?: string[]
  /** A condition: `${{ expr }}` or a bare expression; evaluated when every need has ended. */
  if?: string | boolean
  /** Fan-out: a list, or an expression that gives one. */
  matrix?: unknown[] | string
  approval?: ApprovalDef
  requires?: string[]
  attempts?: number
  timeoutMs?: number
  priority?: number
  continueOnFailure?: boolean
  description?: string
}

export interface WorkflowDefaults {
  requires?: string[]
  attempts?: number
  timeoutMs?: number
  priority?: number
}

export interface WorkflowDef {
  name?: string
  description?: string
  inputs?: Record<string, InputDecl>
  defaults?: WorkflowDefaults
  /** Step name → step, in the order written. */
  steps: Record<string, StepDef>
}

/** What a step name (and an input name) may be. */
export const STEP_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/
/** Names that would reach an object's prototype: never a step or an input. */
const RESERVED = new Set(['__proto__', 'constructor', 'prototype'])
const STEP_FIELDS = ['output', 'outputs', 'outcome', 'error']
const MATRIX_FIELDS = ['item', 'index', 'count']
const WORKFLOW_FIELDS = ['id', 'name']

/** A step ready for the engine: names resolved to indices, expressions parsed. */
export interface CompiledStep {
  name: string
  index: number
  def: StepDef
  /** Indices of the steps it needs, in the order written (deduplicated). */
  needs: number[]
  /** Indices of the steps that need it, ascending. */
  children: number[]
  kind: 'task' | 'approval'
  /** The task type ('cmd' for a cmd step). */
  type: string
  cmd?: Template
  cond?: Template | boolean
  matrix?: { list: unknown[] } | { expr: Template }
  prompt?: Template
  continueOnFailure: boolean
  requires?: string[]
  attempts?: number
  timeoutMs?: number
  priority?: number
  approval?: { timeoutMs: number, onTimeout: 'approve' | 'reject', approvers?: string[] }
}

export interface Plan {
  def: WorkflowDef
  steps: CompiledStep[]
  byName: ReadonlyMap<string, number>
  /** Every template string of the definition, parsed once. */
  templates: ReadonlyMap<string, Template>
}

const checkSchema = schemaCheck(lazyRequire<Validate>('workflow-validate', 'to check workflow files'))

/**
 * The name meant by a misspelt step, input or field name: src/json-schema.ts's suggestion,
 * kept to names of about the same length (its prefix rule would offer "b" for "biuld").
 */
function didYouMean (word: string, known: readonly string[]): string | undefined {
  if (word.length < 3) return undefined
  return nearest(word, known.filter(k => Math.abs(k.length - word.length) <= 2))
}
const PLANS = new WeakMap<object, Plan>()

/** Validates a definition (already parsed from JSON or YAML); throws WorkflowError listing every problem. */
export function parseWorkflow (raw: unknown): WorkflowDef {
  return compileWorkflow(raw).def
}

/** The engine's view of a definition; throws WorkflowError listing every problem. Cached per object. */
export function compileWorkflow (raw: unknown): Plan {
  if (raw != null && typeof raw === 'object') {
    const cached = PLANS.get(raw)
    if (cached != null) return cached
  }
  if (raw == null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new WorkflowError('a workflow must be an object with a "steps" map (step name -> step)')
  }
  const problems = checkSchema(raw).map(stepWise)
  const plan = check(raw as Record<string, unknown>, problems)
  if (problems.length > 0) throw new WorkflowError([...new Set(problems)])
  PLANS.set(raw, plan)
  return plan
}

/** `steps.deploy.attempts: must be …` → "step deploy: `attempts` must be …". */
function stepWise (problem: string): string {
  if (problem.startsWith('the job:')) return 'the workflow:' + problem.slice('the job:'.length)
  const m = /^steps\.([^.[\s:]+)((?:[.[][^:]*)?): (.*)$/s.exec(problem)
  if (m == null) return problem
  const field = m[2]!.replace(/^\./, '')
  if (field === '') return `step ${m[1]}: ${m[3]}`
  return m[3]!.startsWith('must ') ? `step ${m[1]}: \`${field}\` ${m[3]}` : `step ${m[1]}: \`${field}\`: ${m[3]}`
}

const isObject = (v: unknown): v is Record<string, unknown> => v != null && typeof v === 'object' && !Array.isArray(v)

/** The checks beyond the schema. Guards every access: the schema may have failed. */
function check (raw: Record<string, unknown>, problems: string[]): Plan {
  const def = raw as unknown as WorkflowDef
  const stepsRaw = isObject(raw.steps) ? raw.steps : {}
  const names = Object.keys(stepsRaw)
  const byName = new Map(names.map((n, i) => [n, i]))
  const inputs = isObject(raw.inputs) ? raw.inputs : {}
  const inputNames = Object.keys(inputs)
  const defaults = isObject(raw.defaults) ? raw.defaults : {}
  const templates = new Map<string, Template>()

  if (names.length > WORKFLOW_LIMITS.steps) problems.push(`the workflow has ${names.length} steps; at most ${WORKFLOW_LIMITS.steps}`)
  for (const n of inputNames) {
    if (!STEP_NAME.test(n) || RESERVED.has(n)) problems.push(`input ${JSON.stringify(n)}: not a valid name (a letter or _, then letters, digits, _ or -; at most 64; not ${[...RESERVED].join(', ')})`)
  }

  // Names and needs.
  const needs: number[][] = names.map(() => [])
  names.forEach((name, i) => {
    if (!STEP_NAME.test(name) || RESERVED.has(name)) problems.push(`step ${JSON.stringify(name)}: not a valid step name (a letter or _, then letters, digits, _ or -; at most 64; not ${[...RESERVED].join(', ')})`)
    const s = stepsRaw[name]
    if (!isObject(s) || !Array.isArray(s.needs)) return
    const seen = new Set<string>()
    for (const n of s.needs) {
      if (typeof n !== 'string') continue
      if (seen.has(n)) { problems.push(`step ${name}: \`needs\` lists ${n} twice`); continue }
      seen.add(n)
      if (n === name) { problems.push(`step ${name}: needs itself`); continue }
      const j = byName.get(n)
      if (j == null) {
        const near = didYouMean(n, names)
        problems.push(`step ${name}: needs ${JSON.stringify(n)}, which is not a step${near != null ? ` (did you mean "${near}"?)` : ''}`)
        continue
      }
      needs[i]!.push(j)
    }
  })
  for (const cycle of cycles(needs)) problems.push(`steps form a cycle: ${cycle.map(i => names[i]).join(' → ')} (each needs the next)`)

  const ancestorsMemo = new Map<number, Set<number>>()
  const ancestors = (i: number): Set<number> => {
    let a = ancestorsMemo.get(i)
    if (a != null) return a
    a = new Set()
    const stack = [...needs[i]!]
    while (stack.length > 0) {
      const j = stack.pop()!
      if (a.has(j)) continue
      a.add(j)
      stack.push(...needs[j]!)
    }
    ancestorsMemo.set(i, a)
    return a
  }

  const steps: CompiledStep[] = names.map((name, i) => {
    const s = isObject(stepsRaw[name]) ? stepsRaw[name] as Record<string, unknown> : {}
    const where = `step ${name}`
    const isMatrix = s.matrix !== undefined
    /** Parses one template field and checks what it reads. */
    const template = (text: string, field: string, opts: { condition?: boolean, matrix?: boolean } = {}): Template | undefined => {
      let t: Template
      try {
        t = opts.condition === true ? parseCondition(text) : templates.get(text) ?? parseTemplate(text)
      } catch (err) {
        problems.push(`${where}: \`${field}\`: ${err instanceof ExprError ? `syntax error: ${err.message}` : String(err)}`)
        return undefined
      }
      if (opts.condition !== true) templates.set(text, t)
      for (const ref of templateReferences(t)) {
        const at = `${where}: \`${field}\``
        const key = ref.path[0]
        switch (ref.root) {
          case 'steps': {
            if (ref.dynamic || key == null) { problems.push(`${at} uses steps without naming a step (write steps.NAME; column ${ref.col})`); break }
            const j = byName.get(key)
            if (j == null) {
              const near = didYouMean(key, names)
              problems.push(`${at} references steps.${key}, which is not a step${near != null ? ` (did you mean "${near}"?)` : ''}`)
            } else if (j === i) {
              problems.push(`${at} references steps.${key}, its own step (a step reads only the steps it needs)`)
            } else if (!ancestors(i).has(j)) {
              problems.push(`${at} references steps.${key}, which is not among its needs (add it to needs)`)
            }
            const f = ref.path[1]
            if (f != null && !STEP_FIELDS.includes(f)) problems.push(`${at} reads steps.${key}.${f}; a step has ${STEP_FIELDS.join(', ')}${didYouMean(f, STEP_FIELDS) != null ? ` (did you mean "${didYouMean(f, STEP_FIELDS)}"?)` : ''}`)
            break
          }
          case 'inputs':
            if (key != null && !inputNames.includes(key)) {
              const near = didYouMean(key, inputNames)
              problems.push(`${at} references inputs.${key}, which is not declared in inputs${near != null ? ` (did you mean "${near}"?)` : ''}`)
            }
            break
          case 'matrix':
            if (opts.matrix !== true) problems.push(`${at} uses matrix, which only the \`with\` and \`cmd\` of a matrix step can read (column ${ref.col})`)
            else if (key != null && !MATRIX_FIELDS.includes(key)) problems.push(`${at} reads matrix.${key}; a matrix has ${MATRIX_FIELDS.join(', ')}`)
            break
          case 'workflow':
            if (key != null && !WORKFLOW_FIELDS.includes(key)) problems.push(`${at} reads workflow.${key}; a workflow has ${WORKFLOW_FIELDS.join(', ')}`)
            break
        }
      }
      return t
    }
    /** Every string inside a JSON value, with its path. */
    const templatesIn = (v: unknown, field: string, depth = 0): void => {
      if (depth > 64) { problems.push(`${where}: \`${field}\` is nested more than 64 deep`); return }
      if (typeof v === 'string') template(v, field, { matrix: isMatrix })
      else if (Array.isArray(v)) v.forEach((x, k) => templatesIn(x, `${field}[${k}]`, depth + 1))
      else if (isObject(v)) for (const [k, x] of Object.entries(v)) templatesIn(x, /^[A-Za-z_][\w-]*$/.test(k) ? `${field}.${k}` : `${field}[${JSON.stringify(k)}]`, depth + 1)
    }

    const approval = isObject(s.approval) ? s.approval : undefined
    const kind: 'task' | 'approval' = approval != null ? 'approval' : 'task'
    const type = typeof s.type === 'string' ? s.type : s.cmd !== undefined ? CMD_TYPE : ''
    if (approval != null) {
      const extra = ['type', 'cmd', 'with', 'matrix', 'requires', 'attempts', 'timeoutMs', 'priority'].filter(f => s[f] !== undefined)
      if (extra.length > 0) problems.push(`${where}: an approval step takes no ${extra.map(f => `\`${f}\``).join(', ')} (a step is a task or an approval, not both)`)
    } else if (s.approval === undefined && s.type === undefined && s.cmd === undefined) {
      problems.push(`${where}: needs a \`type\` (a handler name), a \`cmd\` (a shell command) or an \`approval\``)
    }
    if (typeof s.type === 'string' && s.cmd !== undefined && s.type !== CMD_TYPE) problems.push(`${where}: has both \`type\` (${s.type}) and \`cmd\`; a \`cmd\` step is of type cmd, so drop one`)
    if (s.cmd !== undefined && s.with !== undefined && !isObject(s.with)) problems.push(`${where}: \`with\` of a \`cmd\` step must be an object (merged into {cmd}: cwd, env)`)
    if (s.cmd !== undefined && isObject(s.with) && s.with.cmd !== undefined) problems.push(`${where}: the command is given twice, in \`cmd\` and in \`with.cmd\`; keep one`)
    if (s.type === CMD_TYPE && s.cmd === undefined && approval == null && !(isObject(s.with) && typeof s.with.cmd === 'string' && s.with.cmd.trim() !== '')) {
      problems.push(`${where}: a step of type cmd needs a \`cmd\` (or \`with.cmd\`): the shell command`)
    }
    if (Array.isArray(s.matrix) && s.matrix.length > WORKFLOW_LIMITS.matrix) problems.push(`${where}: \`matrix\` has ${s.matrix.length} items; at most ${WORKFLOW_LIMITS.matrix}`)

    const c: CompiledStep = {
      name,
      index: i,
      def: s as StepDef,
      needs: needs[i]!,
      children: [],
      kind,
      type,
      continueOnFailure: s.continueOnFailure === true
    }
    if (s.with !== undefined && approval == null) templatesIn(s.with, 'with')
    if (typeof s.cmd === 'string') c.cmd = template(s.cmd, 'cmd', { matrix: isMatrix })
    if (typeof s.if === 'boolean') c.cond = s.if
    else if (typeof s.if === 'string') c.cond = template(s.if, 'if', { condition: true })
    if (Array.isArray(s.matrix)) {
      c.matrix = { list: s.matrix }
      s.matrix.forEach((x, k) => templatesIn(x, `matrix[${k}]`))
      // An item of a literal matrix is resolved without the matrix itself in scope.
    } else if (typeof s.matrix === 'string') {
      const t = template(s.matrix, 'matrix')
      if (t != null) c.matrix = { expr: t }
    }
    if (approval != null) {
      if (typeof approval.prompt === 'string') c.prompt = template(approval.prompt, 'approval.prompt')
      c.approval = {
        timeoutMs: typeof approval.timeoutMs === 'number' ? approval.timeoutMs : DEFAULT_APPROVAL_TIMEOUT_MS,
        onTimeout: approval.onTimeout === 'approve' ? 'approve' : 'reject',
        ...(Array.isArray(approval.approvers) ? { approvers: approval.approvers as string[] } : {})
      }
    }
    const reqs = [...(Array.isArray(defaults.requires) ? defaults.requires as string[] : []), ...(Array.isArray(s.requires) ? s.requires as string[] : [])]
    if (reqs.length > 0) c.requires = [...new Set(reqs)]
    for (const f of ['attempts', 'timeoutMs', 'priority'] as const) {
      const v = s[f] ?? defaults[f]
      if (typeof v === 'number') c[f] = v
    }
    return c
  })
  for (const s of steps) for (const j of s.needs) steps[j]!.children.push(s.index)
  for (const s of steps) s.children.sort((a, b) => a - b)
  return { def, steps, byName, templates }
}

/**
 * Every cycle of the needs graph, each once, as the path of step indices from its first step
 * back to it. Iterative DFS in definition order, so the report is deterministic.
 */
function cycles (needs: number[][]): number[][] {
  const n = needs.length
  const color = new Uint8Array(n) // 0 new, 1 on the stack, 2 done
  const found: number[][] = []
  const seen = new Set<string>()
  for (let root = 0; root < n; root++) {
    if (color[root] !== 0) continue
    const path: number[] = [root]
    const next: number[] = [0]
    color[root] = 1
    while (path.length > 0) {
      const v = path[path.length - 1]!
      const k = next[next.length - 1]!
      if (k >= needs[v]!.length) {
        color[v] = 2
        path.pop()
        next.pop()
        continue
      }
      next[next.length - 1] = k + 1
      const w = needs[v]![k]!
      if (color[w] === 1) {
        const cycle = path.slice(path.indexOf(w))
        const key = [...cycle].sort((a, b) => a - b).join(',')
        if (!seen.has(key) && found.length < 10) {
          seen.add(key)
          found.push([...cycle, w])
        }
      } else if (color[w] === 0) {
        color[w] = 1
        path.push(w)
        next.push(0)
      }
    }
  }
  return found
}

/**
 * A workflow file's text: JSON when it starts with `{`, else YAML (duplicate keys refused).
 * Syntax errors carry `file:line:column`; for a YAML file, a problem in a step also names the
 * line the step starts on.
 */
export function parseWorkflowText (text: string, fileName = 'workflow'): WorkflowDef {
  const trimmed = text.trimStart()
  if (trimmed === '') throw new WorkflowError(`${fileName}: the file is empty; a workflow needs a "steps" map`)
  if (trimmed.startsWith('{')) {
    let raw: unknown
    try {
      raw = JSON.parse(text)
    } catch (err) {
      throw new WorkflowError(`${fileName}: not valid JSON: ${(err as Error).message}`)
    }
    return parseWorkflow(raw)
  }
  const { LineCounter, parseDocument, isMap, isScalar } = yaml()
  const lines = new LineCounter()
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false })
  if (doc.errors.length > 0) {
    throw new WorkflowError(doc.errors.map(e => {
      const pos = e.linePos?.[0] ?? lines.linePos(e.pos[0])
      const what = e.code === 'DUPLICATE_KEY' ? 'a key is given twice in the same map (two steps or fields with one name?)' : e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')
      return `${fileName}:${pos.line}:${pos.col}: ${what}`
    }))
  }
  let raw: unknown
  try {
    raw = doc.toJS({ maxAliasCount: 100 })
  } catch (err) {
    throw new WorkflowError(`${fileName}: ${(err as Error).message}`)
  }
  try {
    return parseWorkflow(raw)
  } catch (err) {
    if (!(err instanceof WorkflowError)) throw err
    // Point each step's problems at the line the step starts on.
    const stepLine = new Map<string, number>()
    const steps = isMap(doc.contents) ? doc.contents.get('steps', true) : undefined
    if (isMap(steps)) {
      for (const pair of steps.items) {
        if (isScalar(pair.key) && pair.key.range != null) stepLine.set(String(pair.key.value), lines.linePos(pair.key.range[0]).line)
      }
    }
    throw new WorkflowError(err.problems.map(p => {
      const m = /^step ([^\s:]+)/.exec(p)
      const line = m != null ? stepLine.get(m[1]!.replace(/^"(.*)"$/, '$1')) : undefined
      return line != null ? `${fileName}:${line}: ${p}` : p
    }))
  }
}

/**
 * The inputs a run gets: `given` checked against the declared ones (an unknown or a missing
 * required one is an error naming it) and defaults filled in. Values given on the command line
 * are strings; through the library they may be any JSON.
 */
export function resolveInputs (def: WorkflowDef, given: Record<string, unknown>): Record<string, unknown> {
  const decls = def.inputs ?? {}
  const names = Object.keys(decls)
  const problems: string[] = []
  for (const k of Object.keys(given)) {
    if (Object.hasOwn(decls, k)) continue
    const near = didYouMean(k, names)
    problems.push(`input ${JSON.stringify(k)} is not declared by the workflow${near != null ? ` (did you mean "${near}"?)` : names.length > 0 ? ` (it takes: ${names.join(', ')})` : ' (it takes no inputs)'}`)
  }
  const out: Record<string, unknown> = {}
  for (const k of names) {
    const d = decls[k]!
    if (Object.hasOwn(given, k) && given[k] !== undefined) out[k] = given[k]
    else if (d.default !== undefined) out[k] = d.default
    else if (d.required === true) problems.push(`input ${k} is required${d.description != null ? ` (${d.description})` : ''}: give it with --input ${k}=VALUE`)
  }
  if (problems.length > 0) throw new WorkflowError(problems)
  return out
}
