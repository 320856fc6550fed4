// The job and workflow schemas are compiled ahead of time (scripts/gen-validators.mjs): a schema
// edited without `npm run schemas` would leave nodes checking jobs against the old one.
import AjvModule from 'ajv'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import jobSchema from '../../schemas/job.schema.json' with { type: 'json' }
import workflowSchema from '../../schemas/workflow.schema.json' with { type: 'json' }
import { schemaCheck, type Validate } from '../../src/json-schema.js'
import { lazyRequire } from '../../src/lazy-require.js'

const root = fileURLToPath(new URL('../..', import.meta.url))

describe('generated schema validators', () => {
  it('are what scripts/gen-validators.mjs makes of schemas/ now', () => {
    // --check exits 1 (execFileSync throws, with the file named on stderr) when one is stale.
    expect(() => execFileSync(process.execPath, ['scripts/gen-validators.mjs', '--check'], { cwd: root, stdio: 'pipe' })).not.toThrow()
  })

  it('carry the schema itself, so errors can name the known fields', () => {
    const text = readFileSync(`${root}src/generated/job-validate.cjs`, 'utf8')
    expect(text).toContain(JSON.parse(readFileSync(`${root}schemas/job.schema.json`, 'utf8')).$id)
    expect(schemaCheck(lazyRequire<Validate>('job-validate', 'the test'))({ tasks: [{ type: 'echo', attempt: 2 }] })).toEqual(['tasks[0]: unknown field "attempt" (did you mean "attempts"?)'])
  })

  it('load no ajv at run time, only its small runtime helpers', () => {
    for (const name of ['job', 'workflow']) {
      const text = readFileSync(`${root}src/generated/${name}-validate.cjs`, 'utf8')
      const required = [...text.matchAll(/require\("([^"]+)"\)/g)].map(m => m[1])
      for (const r of required) expect(r).toMatch(/^ajv\/dist\/runtime\//)
    }
  })

  // Cases from helper mk27's version of this change (stop 50): the compiled-ahead check must judge
  // every job, and word every error, as ajv compiling the schema at run time would.
  const runTime = (schema: object): Validate => new AjvModule.default({ allErrors: true, verbose: true, strict: false }).compile(schema)
  const jobs: Array<[string, unknown]> = [
    ['a one-task job', { type: 'echo', payload: { x: 1 } }],
    ['a wide job', { tasks: Array.from({ length: 50 }, (_, i) => ({ type: 'sleep', payload: { ms: i } })) }],
    ['every field', { $schema: 'x', name: 'n', tasks: [{ type: 'a.b:c-d_e', payload: null, requires: ['gpu/x'], attempts: 3, timeoutMs: 0, priority: -5 }], requires: ['r'], attempts: 100, timeoutMs: 604_800_000, priority: 1000, waitForCapableMs: 0, keep: '12h', delay: '30s' }],
    ['a start time', { type: 'echo', at: '2026-12-01T09:00:00Z' }],
    ['no tasks', { tasks: [] }],
    ['tasks not an array', { tasks: { type: 'echo' } }],
    ['a misspelt task field', { tasks: [{ type: 'echo', atempts: 2 }] }],
    ['a misspelt job field', { tasks: [{ type: 'echo' }], priorty: 2 }],
    ['a bad type', { tasks: [{ type: 'no spaces' }, { type: '' }, { type: 5 }] }],
    ['numbers out of range', { tasks: [{ type: 'echo', attempts: 0, timeoutMs: -1, priority: 1001 }] }],
    ['a fraction', { type: 'echo', attempts: 1.5 }],
    ['a long name (astral characters count once)', { type: 'echo', name: '😀'.repeat(200) }],
    ['a too long name', { type: 'echo', name: '😀'.repeat(201) }],
    ['bad keep and delay', { type: 'echo', keep: '3 weeks', delay: -1 }],
    ['too many requires', { type: 'echo', requires: Array.from({ length: 17 }, (_, i) => `c${i}`) }],
    ['a task without a type', { tasks: [{ payload: 1 }] }],
    ['not an object', ['echo']]
  ]
  it.each(jobs)('judge %s as a run-time compile of the job schema does', (_, job) => {
    const atRunTime = runTime(jobSchema)
    expect(schemaCheck(lazyRequire<Validate>('job-validate', 'the test'))(job)).toEqual(schemaCheck(() => atRunTime)(job))
  })

  const workflows: Array<[string, unknown]> = [
    ['a two-step workflow', { name: 'w', steps: { a: { type: 'echo' }, b: { type: 'echo', needs: ['a'], with: { x: '${{ steps.a.output }}' } } } }],
    ['steps as a list', { name: 'w', steps: [{ type: 'echo' }] }],
    ['a misspelt step field', { name: 'w', steps: { a: { type: 'echo', neds: ['b'] } } }],
    ['a misspelt workflow field', { name: 'w', stepz: {} }],
    ['not an object', 'w']
  ]
  it.each(workflows)('judge %s as a run-time compile of the workflow schema does', (_, wf) => {
    const atRunTime = runTime(workflowSchema)
    expect(schemaCheck(lazyRequire<Validate>('workflow-validate', 'the test'))(wf)).toEqual(schemaCheck(() => atRunTime)(wf))
  })
})
