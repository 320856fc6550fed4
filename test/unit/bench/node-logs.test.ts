// bench/lib/node-logs.ts countLogged: what bench/scale reports for its hold, from the node logs.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { countLogged } from '../../../bench/lib/node-logs.js'

const dirs: string[] = []
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }) })

function log (lines: Array<Record<string, unknown> | string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'node-logs-'))
  dirs.push(dir)
  const file = join(dir, 'node.log')
  writeFileSync(file, lines.map(l => typeof l === 'string' ? l : JSON.stringify(l)).join('\n') + '\n')
  return file
}

describe('countLogged', () => {
  it('counts suspicions, local deaths, campaigns and new leaders inside the window only, over every log', () => {
    const a = log([
      { time: 5, msg: 'membership change', peer: 'P', from: 'alive', to: 'suspect' }, // before the window
      { time: 10, msg: 'membership change', peer: 'P', from: 'alive', to: 'suspect' },
      { time: 11, msg: 'membership change', peer: 'P', from: 'suspect', to: 'alive' },
      { time: 12, msg: 'membership change', peer: 'Q', from: 'suspect', to: 'dead' },
      { time: 13, msg: 'raft role change', role: 'pre-candidate' },
      { time: 14, msg: 'raft role change', role: 'candidate', term: 3 },
      '{"time": 15, "msg": "membership change", "to": "sus', // a torn line
      { time: 30, msg: 'membership change', peer: 'P', from: 'alive', to: 'suspect' } // after it
    ])
    const b = log([
      { time: 20, msg: 'raft role change', role: 'leader', term: 3 },
      { time: 20, msg: 'raft role change', role: 'follower', term: 3 },
      { time: 21, msg: 'membership change', peer: 'R', from: 'alive', to: 'suspect' }
    ])
    expect(countLogged([a, b, join(tmpdir(), 'no-such-meshnode-log')], 10, 25)).toEqual({ suspicions: 2, deaths: 1, campaigns: 1, leaders: 1 })
  })
})
