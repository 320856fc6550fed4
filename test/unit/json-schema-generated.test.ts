// The job and workflow schemas are compiled ahead of time (scripts/gen-validators.mjs): a schema
// edited without `npm run schemas` would leave nodes checking jobs against the old one.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
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
})
