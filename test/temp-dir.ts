// Throwaway directories for tests (data dirs, LevelDB stores, node logs), one helper for the
// unit, e2e and chaos tiers. Under vitest, a file's directories are removed when the file
// ends (after its own afterAll hooks have stopped its processes) if the test that made them
// passed — a directory made outside a test (beforeAll, a describe body) if every test of the
// file passed — and kept otherwise, with their paths on stderr beside the failure. Outside
// vitest (`npm run chaos` runs the compiled suite) they are kept, as before: the suite prints
// where its logs are. KEEP_CLUSTER=1 keeps every one. A cluster in one of them is taken down
// with `--keep` (e2e/helpers.ts): whether it goes is decided here, not by `scripts/cluster down`.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { File, Suite, Task, Test } from 'vitest'

interface Made { dir: string, test?: Test }
const made: Made[] = []
let current: Test | undefined

/** A new directory `<tmpdir>/meshnode-NAME-XXXXXX`, removed after the test that made it passes. */
export function tempDir (name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `meshnode-${name}-`))
  made.push({ dir, test: current })
  return dir
}

const failed = (t: Task): boolean => t.result?.state === 'fail' || (t.type === 'suite' && t.tasks.some(failed))

/** Whether `dir` was made by tempDir() in this file (and not yet removed). */
export function isTempDir (dir: string): boolean {
  return made.some(m => m.dir === dir)
}

/** Removes the directories of the tests that passed; returns the ones kept. */
function tidy (file: Suite | File): string[] {
  const fileFailed = failed(file)
  const kept: string[] = []
  for (const m of made.splice(0)) {
    if (process.env.KEEP_CLUSTER != null || (m.test != null ? failed(m.test) : fileFailed)) kept.push(m.dir)
    else rmSync(m.dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 })
  }
  return kept
}

// A module is evaluated once per test file (vitest isolates files), while the file is being
// collected: these hooks are the file's own. `sequence.hooks` is 'stack' (vitest 3's
// default), so this afterAll, registered before any of the file's, runs after all of them.
if (process.env.VITEST != null) {
  const { afterAll, afterEach, beforeEach } = await import('vitest')
  beforeEach(ctx => { current = ctx.task })
  afterEach(() => { current = undefined })
  afterAll(file => {
    const kept = tidy(file)
    if (kept.length > 0) console.error(`${file.name}: temporary directories kept (${process.env.KEEP_CLUSTER != null ? 'KEEP_CLUSTER' : 'a test failed'}; node logs and data inside):\n  ${kept.join('\n  ')}`)
  })
}
