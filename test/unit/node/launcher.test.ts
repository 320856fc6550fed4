import { describe, expect, it } from 'vitest'
import { findNpmAncestor, startedByNpm, type ProcView } from '../../../src/node/launcher.js'

function tree (rows: Record<number, [number, string]>): ProcView {
  return { parentOf: pid => rows[pid]?.[0], cmdlineOf: pid => rows[pid]?.[1] }
}

describe('the npm launcher of a node', () => {
  it('is found through the shell npm runs the bin with', () => {
    const proc = tree({
      30: [20, 'node --max-semi-space-size=1 /x/bin/meshnode.js start'],
      20: [10, 'sh -c meshnode start'],
      10: [5, 'npm exec meshnode start'],
      5: [1, 'bash']
    })
    expect(findNpmAncestor(30, proc)).toBe(10)
    expect(findNpmAncestor(30, tree({ 30: [20, ''], 20: [10, 'sh -c x'], 10: [1, '/usr/bin/node /usr/lib/node_modules/npm/bin/npm-cli.js start'] }))).toBe(10)
  })

  it('is not found when nothing above the node is npm, or the tree cannot be read', () => {
    expect(findNpmAncestor(30, tree({ 30: [20, ''], 20: [1, 'systemd'] }))).toBeUndefined()
    expect(findNpmAncestor(30, tree({ 30: [20, ''], 20: [19, 'bash'], 19: [18, 'bash'], 18: [17, 'bash'], 17: [16, 'bash'], 16: [2, 'npm exec'] }))).toBeUndefined()
    expect(findNpmAncestor(30, tree({}))).toBeUndefined()
    expect(findNpmAncestor(30, tree({ 30: [20, ''], 20: [1, 'npmish-daemon'] }))).toBeUndefined()
  })

  it('is looked for only when npm started the process', () => {
    expect(startedByNpm({ npm_command: 'exec' })).toBe(true)
    expect(startedByNpm({ npm_lifecycle_event: 'start' })).toBe(true)
    expect(startedByNpm({ PATH: '/bin' })).toBe(false)
  })
})
