// The README's embedding example runs as written: the library API starts a real node in
// the process, runs a one-task job, a spawned tree and a workflow, and stops cleanly.
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { NODE, ROOT, run } from './helpers.js'

describe('library API', () => {
  it('runs examples/embedded.mjs', async () => {
    const r = await run(NODE, [join(ROOT, 'examples', 'embedded.mjs')], { timeoutMs: 60_000 })
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain('square(12): completed, result 144')
    expect(r.stdout).toContain('squares: completed, 5/5 tasks')
    expect(r.stdout).toContain('workflow: completed, outputs [9,[1,4,81],9]')
  })
})
