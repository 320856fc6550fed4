// Workflow definitions at submit: the DAG, the fields and every expression are checked before
// anything is written, and every problem is listed at once with its step and field.
import { describe, expect, it } from 'vitest'
import { parseWorkflow, parseWorkflowText, resolveInputs, WorkflowError, type WorkflowDef } from '../../../src/workflow/index.js'

/** The problems a definition raises (fails the test if it raises none). */
function problems (raw: unknown): string[] {
  try {
    parseWorkflow(raw)
  } catch (err) {
    expect(err).toBeInstanceOf(WorkflowError)
    expect((err as WorkflowError).code).toBe('BAD_WORKFLOW')
    return (err as WorkflowError).problems
  }
  throw new Error('expected the workflow to be refused')
}

function textProblems (text: string, file = 'wf.yaml'): string[] {
  try {
    parseWorkflowText(text, file)
  } catch (err) {
    expect(err).toBeInstanceOf(WorkflowError)
    return (err as WorkflowError).problems
  }
  throw new Error('expected the workflow to be refused')
}

describe('workflow definitions: the DAG', () => {
  it('accepts the documented example and returns it unchanged', () => {
    const def: WorkflowDef = {
      name: 'release',
      inputs: { version: { required: true }, env: { default: 'staging' } },
      defaults: { attempts: 3 },
      steps: {
        build: { type: 'compile', with: { ref: '${{ inputs.version }}' } },
        shard: { needs: ['build'], type: 'test', matrix: [1, 2, 3, 4], with: { shard: '${{ matrix.item }}', of: '${{ matrix.count }}', artefact: '${{ steps.build.output.path }}' } },
        package: { needs: ['shard'], cmd: 'tar czf out.tgz ${{ steps.build.output.path }}', if: "${{ steps.shard.outcome == 'success' }}" },
        gate: { needs: ['package'], approval: { prompt: 'Deploy ${{ inputs.version }}?', timeoutMs: 3600000, onTimeout: 'reject', approvers: ['ops'] } },
        deploy: { needs: ['gate'], type: 'deploy', attempts: 5, timeoutMs: 120000, requires: ['prod'], continueOnFailure: true, with: { by: '${{ steps.gate.output.by }}' } }
      }
    }
    expect(parseWorkflow(def)).toBe(def)
  })

  it('names a cycle with its path', () => {
    expect(problems({ steps: { a: { type: 't', needs: ['c'] }, b: { type: 't', needs: ['a'] }, c: { type: 't', needs: ['b'] } } }))
      .toEqual(['steps form a cycle: a → c → b → a (each needs the next)'])
  })

  it('reports each separate cycle', () => {
    const p = problems({ steps: { a: { type: 't', needs: ['b'] }, b: { type: 't', needs: ['a'] }, c: { type: 't', needs: ['d'] }, d: { type: 't', needs: ['c'] }, e: { type: 't', needs: ['a'] } } })
    expect(p).toEqual(['steps form a cycle: a → b → a (each needs the next)', 'steps form a cycle: c → d → c (each needs the next)'])
  })

  it('refuses a step that needs itself, an unknown need (with the name meant) and a need given twice', () => {
    expect(problems({ steps: { build: { type: 't' }, a: { type: 't', needs: ['a'] }, b: { type: 't', needs: ['biuld'] }, c: { type: 't', needs: ['build', 'build'] } } })).toEqual([
      'step a: needs itself',
      'step b: needs "biuld", which is not a step (did you mean "build"?)',
      'step c: `needs` lists build twice'
    ])
  })

  it('refuses bad step names and names that reach a prototype', () => {
    const raw = JSON.parse('{"steps": {"1st": {"type": "t"}, "has space": {"type": "t"}, "__proto__": {"type": "t"}, "ok-name_2": {"type": "t"}}}') as unknown
    const p = problems(raw)
    expect(p).toHaveLength(3)
    expect(p[0]).toMatch(/^step "1st": not a valid step name/)
    expect(p[1]).toMatch(/^step "has space": not a valid step name/)
    expect(p[2]).toMatch(/^step "__proto__": not a valid step name/)
    expect(problems({ steps: { ['x'.repeat(65)]: { type: 't' } } })[0]).toMatch(/not a valid step name/)
  })

  it('refuses more steps than the limit', () => {
    const steps = Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`s${i}`, { type: 't' }]))
    expect(problems({ steps }).join('\n')).toMatch(/at most 1000/)
  })
})

describe('workflow definitions: fields', () => {
  it('names the step and the field, with the field meant for a typo', () => {
    expect(problems({ steps: { deploy: { type: 'd', atempts: 3, timeoutMs: -1, approvall: {} } } })).toEqual([
      'step deploy: unknown field "atempts" (did you mean "attempts"?)',
      'step deploy: unknown field "approvall" (did you mean "approval"?)',
      'step deploy: `timeoutMs` must be >= 0'
    ])
  })

  it('checks approvals, inputs and defaults', () => {
    expect(problems({
      inputs: { v: { requried: true } },
      defaults: { attempt: 2 },
      steps: { gate: { approval: { promt: 'go?', onTimeout: 'maybe' } } }
    })).toEqual([
      'inputs.v: unknown field "requried" (did you mean "required"?)',
      'defaults: unknown field "attempt" (did you mean "attempts"?)',
      'step gate: `approval`: "prompt" is required',
      'step gate: `approval`: unknown field "promt" (did you mean "prompt"?)',
      'step gate: `approval.onTimeout` must be one of "reject", "approve"'
    ])
  })

  it('a step is a task or an approval, and has one of type, cmd or approval', () => {
    expect(problems({
      steps: {
        both: { type: 'x', approval: { prompt: 'ok?' } },
        none: { needs: [] },
        twice: { type: 'build', cmd: 'make' },
        cmdwith: { cmd: 'make', with: { cmd: 'make all' } },
        cmdtype: { type: 'cmd' },
        matrixgate: { matrix: [1], approval: { prompt: 'p' } }
      }
    })).toEqual([
      'step both: an approval step takes no `type` (a step is a task or an approval, not both)',
      'step none: needs a `type` (a handler name), a `cmd` (a shell command) or an `approval`',
      'step twice: has both `type` (build) and `cmd`; a `cmd` step is of type cmd, so drop one',
      'step cmdwith: the command is given twice, in `cmd` and in `with.cmd`; keep one',
      'step cmdtype: a step of type cmd needs a `cmd` (or `with.cmd`): the shell command',
      'step matrixgate: an approval step takes no `matrix` (a step is a task or an approval, not both)'
    ])
  })

  it('refuses what is not an object with steps', () => {
    expect(() => parseWorkflow(null)).toThrow(/must be an object with a "steps" map/)
    expect(() => parseWorkflow([])).toThrow(WorkflowError)
    expect(problems({ name: 'x' })).toEqual(['the workflow: "steps" is required'])
    expect(problems({ steps: {} })[0]).toMatch(/^steps: /)
  })

  it('refuses a literal matrix over the limit', () => {
    expect(problems({ steps: { m: { type: 't', matrix: Array.from({ length: 1001 }, (_, i) => i) } } }).join('\n')).toMatch(/at most 1000/)
  })
})

describe('workflow definitions: expressions', () => {
  it('a step may read only its ancestors through needs', () => {
    expect(problems({
      steps: {
        build: { type: 'b' },
        test: { type: 't', needs: ['build'] },
        deploy: { type: 'd', with: { ref: '${{ steps.build.output }}' } }
      }
    })).toEqual(['step deploy: `with.ref` references steps.build, which is not among its needs (add it to needs)'])
  })

  it('an ancestor of an ancestor is fine', () => {
    expect(() => parseWorkflow({
      steps: {
        build: { type: 'b' },
        test: { type: 't', needs: ['build'] },
        deploy: { type: 'd', needs: ['test'], with: { ref: '${{ steps.build.output.path }}' }, if: "steps.build.outcome == 'success'" }
      }
    })).not.toThrow()
  })

  it('lists every expression problem at once, each with its step and field', () => {
    const p = problems({
      inputs: { version: {} },
      steps: {
        a: { type: 'x', with: { list: ['${{ inputs.verison }}', '${{ steps.a.output }}'] } },
        b: { needs: ['a'], cmd: 'echo ${{ matrix.item }}', if: '${{ steps.a.result }}' },
        c: { type: 'x', needs: ['b'], with: '${{ steps.zz.output }} ${{ steps[inputs.version] }}' },
        d: { type: 'x', needs: ['c'], with: { x: 'a ${{ inputs.version == }}' }, matrix: '${{ matrix.item }}' },
        e: { needs: ['d'], approval: { prompt: '${{ workflow.owner }} ${{ nothing }}' } }
      }
    })
    expect(p).toEqual([
      'step a: `with.list[0]` references inputs.verison, which is not declared in inputs (did you mean "version"?)',
      'step a: `with.list[1]` references steps.a, its own step (a step reads only the steps it needs)',
      'step b: `cmd` uses matrix, which only the `with` and `cmd` of a matrix step can read (column 10)',
      'step b: `if` reads steps.a.result; a step has output, outputs, outcome, error',
      'step c: `with` references steps.zz, which is not a step',
      'step c: `with` uses steps without naming a step (write steps.NAME; column 28)',
      'step d: `with.x`: syntax error: the expression ends too early (column 25)',
      'step d: `matrix` uses matrix, which only the `with` and `cmd` of a matrix step can read (column 5)',
      'step e: `approval.prompt`: syntax error: unknown name `nothing` (an expression starts from inputs, steps, matrix, workflow, a literal or a function) (column 27)'
    ])
  })

  it('matrix.* is fine in the with and cmd of a matrix step, not in its if', () => {
    expect(() => parseWorkflow({ steps: { m: { type: 't', matrix: [1], with: '${{ matrix.index }}' }, n: { matrix: '${{ fromJSON(\'[1]\') }}', cmd: 'echo ${{ matrix.item }}' } } })).not.toThrow()
    expect(problems({ steps: { m: { type: 't', matrix: [1], if: 'matrix.item' } } })[0]).toMatch(/step m: `if` uses matrix/)
    expect(problems({ steps: { m: { type: 't', matrix: [1], with: '${{ matrix.size }}' } } })).toEqual(['step m: `with` reads matrix.size; a matrix has item, index, count'])
  })

  it('reports schema, DAG and expression problems together', () => {
    const p = problems({ steps: { a: { type: 't', needs: ['b'], atempts: 1 }, b: { type: 't', needs: ['a'], with: '${{ steps.c.output }}' }, c: { type: 't' } } })
    expect(p).toEqual([
      'step a: unknown field "atempts" (did you mean "attempts"?)',
      'steps form a cycle: a → b → a (each needs the next)',
      'step b: `with` references steps.c, which is not among its needs (add it to needs)'
    ])
  })

  it('the error message lists all problems', () => {
    expect(() => parseWorkflow({ steps: { a: { type: 't', needs: ['x'] }, b: { type: 't', needs: ['y'] } } }))
      .toThrow('2 problems: step a: needs "x", which is not a step; step b: needs "y", which is not a step')
  })
})

describe('workflow files', () => {
  it('reads YAML and JSON, chosen by content', () => {
    const yaml = 'name: w\nsteps:\n  a:\n    type: t\n    with: { x: 1 }\n'
    expect(parseWorkflowText(yaml)).toEqual({ name: 'w', steps: { a: { type: 't', with: { x: 1 } } } })
    expect(parseWorkflowText('  {"steps": {"a": {"type": "t"}}}', 'w.json')).toEqual({ steps: { a: { type: 't' } } })
  })

  it('refuses duplicate step names in YAML with the line', () => {
    expect(textProblems('steps:\n  build:\n    type: a\n  build:\n    type: b\n')).toEqual([
      'wf.yaml:4:3: a key is given twice in the same map (two steps or fields with one name?)'
    ])
  })

  it('YAML syntax errors carry line and column', () => {
    const p = textProblems('steps:\n  a:\n    type: t\n    with: [1, 2\n')
    expect(p[0]).toMatch(/^wf\.yaml:\d+:\d+: /)
    expect(textProblems('steps:\n  a: {type: t\n  b: 1\n', 'x.yml')[0]).toMatch(/^x\.yml:\d+:\d+: /)
  })

  it('points a step\'s problems at the line the step starts on', () => {
    expect(textProblems('steps:\n  a:\n    type: t\n\n  deploy:\n    type: d\n    atempts: 2\n')).toEqual([
      'wf.yaml:5: step deploy: unknown field "atempts" (did you mean "attempts"?)'
    ])
  })

  it('JSON syntax errors say where', () => {
    expect(textProblems('{"steps": {', 'w.json')[0]).toMatch(/^w\.json: not valid JSON: /)
  })

  it('refuses an empty file', () => {
    expect(textProblems('  \n')).toEqual(['wf.yaml: the file is empty; a workflow needs a "steps" map'])
  })

  it('expands YAML aliases but refuses an alias bomb', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]', 'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]', 'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]', 'steps: {s: {type: t}}'].join('\n')
    expect(() => parseWorkflowText(bomb)).toThrow(WorkflowError)
  })
})

describe('workflow inputs', () => {
  const def = parseWorkflow({ inputs: { version: { required: true, description: 'the tag' }, env: { default: 'staging' }, note: {} }, steps: { a: { type: 't' } } })

  it('fills defaults and keeps what is given', () => {
    expect(resolveInputs(def, { version: '1.0' })).toEqual({ version: '1.0', env: 'staging' })
    expect(resolveInputs(def, { version: { tag: 1 }, env: 'prod', note: 'n' })).toEqual({ version: { tag: 1 }, env: 'prod', note: 'n' })
  })

  it('names a missing required input and an unknown one, together', () => {
    expect(() => resolveInputs(def, { verison: '1' })).toThrow(new WorkflowError([
      'input "verison" is not declared by the workflow (did you mean "version"?)',
      'input version is required (the tag): give it with --input version=VALUE'
    ]))
  })

  it('a workflow without inputs takes none', () => {
    const bare = parseWorkflow({ steps: { a: { type: 't' } } })
    expect(resolveInputs(bare, {})).toEqual({})
    expect(() => resolveInputs(bare, { x: 1 })).toThrow(/takes no inputs/)
  })
})
