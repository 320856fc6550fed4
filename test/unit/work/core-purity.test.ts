// The sans-I/O cores stay sans-I/O: no timers, no clock, no randomness of their own, and no
// dependency on the node (I/O) or the wire (protobuf). A failure names the file, the line and
// what it uses, so the fix is to inject it (clock, Rng) or move the code to the shell.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

const SRC = join(import.meta.dirname, '../../../src')

/** Files of the work core: everything in src/work but the I/O side (attempts, executors, store). */
const WORK_IO_SIDE = new Set(['attempt.ts', 'executors.ts', 'store.ts', 'job-id.ts', 'index.ts'])
/** Every .ts file under a folder of src, recursively, as paths relative to src. */
function tsFiles (dir: string): string[] {
  return (readdirSync(join(SRC, dir), { recursive: true }) as string[]).filter(f => f.endsWith('.ts')).map(f => `${dir}/${f}`)
}

const workCore = tsFiles('work').filter(f => !WORK_IO_SIDE.has(f.slice('work/'.length)))

export const CORE_FILES = [
  ...workCore,
  ...tsFiles('consensus'),
  ...tsFiles('completion'),
  ...tsFiles('pheromone'),
  'healing/failure-detector.ts'
]

const FORBIDDEN = /setTimeout|setInterval|setImmediate|queueMicrotask|Date\.now|performance\.now|Math\.random|from '\.\.\/node|from '\.\.\/wire/

/** Lines that use something forbidden, ignoring comments. */
function offences (file: string): string[] {
  const out: string[] = []
  readFileSync(join(SRC, file), 'utf8').split('\n').forEach((line, i) => {
    const code = line.replace(/\/\/.*$/, '').replace(/^\s*\*.*$/, '').replace(/\/\*.*?\*\//g, '')
    if (FORBIDDEN.test(code)) out.push(`${file}:${i + 1}: ${line.trim()}`)
  })
  return out
}

describe('sans-I/O cores', () => {
  it('cover the work core files', () => {
    expect(workCore).toEqual(expect.arrayContaining(['work/core.ts', 'work/core/types.ts', 'work/core/thief.ts', 'work/core/lender.ts', 'work/core/outbox.ts', 'work/core/retries.ts', 'work/messages.ts', 'work/jobs.ts', 'work/queue.ts', 'work/spec.ts']))
  })

  for (const file of CORE_FILES) {
    it(`${file} uses no timer, clock, randomness, node or wire import`, () => {
      expect(offences(file)).toEqual([])
    })
  }
})
