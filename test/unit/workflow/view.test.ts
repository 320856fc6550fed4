// The terminal view of a workflow's DAG: one line per step in topological order.
import { describe, expect, it } from 'vitest'
import { renderView, type StepView } from '../../../src/workflow/index.js'

const steps: StepView[] = [
  { name: 'deploy', needs: ['gate'], state: 'pending' },
  { name: 'build', needs: [], state: 'success', output: { path: '/o' } },
  { name: 'shard', needs: ['build'], state: 'running', elements: { done: 2, total: 4 } },
  { name: 'gate', needs: ['shard', 'lint'], state: 'waiting-approval' },
  { name: 'lint', needs: [], state: 'failure', error: 'eslint found 3 problems\nin src/a.ts and more text that goes on and on and on past the limit' },
  { name: 'old', needs: [], state: 'success', reused: true }
]

describe('renderView', () => {
  it('draws one line per step in topological order, earliest defined first among the ready', () => {
    expect(renderView(steps)).toEqual([
      '✓ build  success',
      '▶ shard  running          2/4       ← build',
      '✗ lint   failure  eslint found 3 problems in src/a.ts and more text that goes…',
      '? gate   waiting-approval           ← shard, lint',
      '· deploy pending                    ← gate',
      '✓ old    success (reused)'
    ])
  })

  it('colours lines by state when asked', () => {
    const lines = renderView(steps, { color: true })
    expect(lines[0]).toBe('\x1b[32m✓ build  success\x1b[0m')
    expect(lines[2]!.startsWith('\x1b[31m')).toBe(true)
  })

  it('draws nothing for no steps', () => {
    expect(renderView([])).toEqual([])
  })
})
