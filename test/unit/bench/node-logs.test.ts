// bench/lib/node-logs.ts countLogged, firstLeaderAgreed and leaderAgreedInLogs: what bench/scale reports from the node logs.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { countLogged, firstLeaderAgreed, leaderAgreedInLogs, type LogLine } from '../../../bench/lib/node-logs.js'

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

describe('firstLeaderAgreed', () => {
  const role = (time: number, r: string, leader: string | null, term: number): LogLine => ({ time, msg: 'raft role change', role: r, leader, term })

  it('is the first moment every node names the same leader, counting the leaders elected until then', () => {
    const a = [role(10, 'candidate', null, 2), role(12, 'leader', 'A', 2), role(20, 'follower', null, 2), role(31, 'follower', 'B', 3)]
    const b = [role(13, 'follower', 'A', 2), role(25, 'candidate', null, 3), role(30, 'leader', 'B', 3)]
    const c = [{ time: 1, msg: 'meshnode started' }, role(14, 'follower', 'A', 2), role(29, 'follower', null, 3), role(33, 'follower', 'B', 3)]
    // every node named A at 14 (a leader that later stepped down still counts as known then)
    expect(firstLeaderAgreed([a, b, c])).toEqual({ time: 14, leader: 'A', term: 2, elected: 1 })
    // without c's first line, they agree only on B, at 33, after two leaders were elected
    expect(firstLeaderAgreed([a, b, c.filter(l => l.time !== 14)])).toEqual({ time: 33, leader: 'B', term: 3, elected: 2 })
  })

  it('is undefined while some node names no leader or another one', () => {
    expect(firstLeaderAgreed([[role(12, 'leader', 'A', 2)], [role(13, 'follower', null, 2)]])).toBeUndefined()
    expect(firstLeaderAgreed([[role(12, 'leader', 'A', 2)], []])).toBeUndefined()
  })
})

describe('leaderAgreedInLogs', () => {
  it('reads each log file whole, torn lines and other messages skipped', () => {
    const a = log([{ time: 1, msg: 'meshnode started' }, { time: 12, msg: 'raft role change', role: 'leader', leader: 'A', term: 2 }])
    const b = log([{ time: 13, msg: 'raft role change', role: 'follower', leader: null, term: 2 }, '{"time": 14, "msg": "raft ro', { time: 40, msg: 'raft role change', role: 'follower', leader: 'A', term: 2 }])
    expect(leaderAgreedInLogs([a, b])).toEqual({ time: 40, leader: 'A', term: 2, elected: 1 })
    expect(leaderAgreedInLogs([a, join(tmpdir(), 'no-such-node-log')])).toBeUndefined()
  })
})
