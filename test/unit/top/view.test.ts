import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { main, type CliIO } from '../../../src/node/cli/main.js'
import { TopModel, type TopView } from '../../../src/node/top/model.js'
import { bar, eventLine, snapshot, statusLine } from '../../../src/node/top/plain.js'
import { clip, fit, layout, loadView, screenLines } from '../../../src/node/top/view.js'
import { tempDir } from '../../temp-dir.js'

const T0 = Date.UTC(2026, 10, 29, 7, 1, 2)

/** A busy mesh: more nodes, jobs and failures than 24 rows hold, long names everywhere. */
function busy (): TopView {
  const m = new TopModel()
  const peers = Array.from({ length: 12 }, (_, i) => ({
    peerId: `12D3KooWpeer${i}`, name: `worker-with-a-long-name-${i}`, state: i === 3 ? 'suspect' as const : 'alive' as const, lastSeenMs: 300, addrs: [], version: '0.1.0',
    load: i / 12, capabilities: ['gpu', 'handler:echo', 'handler:transcode-video-4k'], role: 'follower', term: 4, incarnation: 1, connected: true, draining: false
  }))
  m.status({
    peerId: '12D3KooWself', name: 'node-1', version: '0.1.0', mesh: 'production-eu-west', security: 'mesh-key', addrs: [], uptimeMs: 1, incarnation: 1, role: 'leader', term: 4,
    leader: '12D3KooWself', commitIndex: 1, appliedIndex: 1, voters: [], learners: [], formation: 'member', memory: { rssBytes: 0, heapUsedBytes: 0 }, load: 1,
    capabilities: ['handler:echo'], peers, counters: {}, dead: [], quorum: { contact: true, lastContactMs: 0, reachableVoters: 1, voters: 1, needed: 1 }, draining: false, http: null, circuits: []
  }, T0)
  m.connectionState('live', T0)
  for (let i = 0; i < 30; i++) {
    m.event({ seq: i, event: 'job.submitted', at: T0 + i, data: { id: `0mx1gygjj-2f70c27500${String(i).padStart(2, '0')}`, home: '12D3KooWself', name: 'a-very-long-job-name' } }, T0)
    m.event({ seq: 100 + i, event: 'job.progress', at: T0 + i, data: { id: `0mx1gygjj-2f70c27500${String(i).padStart(2, '0')}`, home: '12D3KooWself', state: 'running', total: 100_000, done: i * 3000, failed: i, cancelled: 0 } }, T0 + 1_000)
    m.event({ seq: 200 + i, event: 'task.failed', at: T0 + i, data: { jobId: 'J', taskId: `J/${i}`, type: 'transcode', error: 'ffmpeg exited with code 1: '.repeat(10), node: '12D3KooWpeer1' } }, T0 + 1_000)
  }
  return m.view(T0 + 2_000)
}

describe('the terminal view', () => {
  it('fits a busy mesh into 80×24: no line longer than the width, no more lines than the height', () => {
    const v = busy()
    for (const [cols, rows] of [[80, 23], [120, 40], [40, 10]] as const) {
      const lines = screenLines(v, cols, rows, 0, T0 + 2_000)
      expect(lines.length).toBeLessThanOrEqual(rows)
      for (const l of lines) expect(l.map(s => s.text).join('').length).toBeLessThanOrEqual(cols)
    }
    const text = screenLines(v, 80, 23, 0, T0 + 2_000).map(l => l.map(s => s.text).join(''))
    expect(text).toHaveLength(23)
    expect(text[0]).toContain('mesh production-eu-west · 13 nodes (12 alive, 1 suspect)')
    expect(text.some(l => l.includes('RUNNING JOBS 30 (1-'))).toBe(true)
    expect(text.some(l => l.includes('RECENT FAILURES 30'))).toBe(true)
    expect(text.at(-1)).toContain('q quit')
  })

  it('scrolls the jobs, and renders through ink to at most 80 columns', async () => {
    const v = busy()
    const first = screenLines(v, 80, 23, 0, T0).map(l => l.map(s => s.text).join('')).join('\n')
    const scrolled = screenLines(v, 80, 23, 5, T0).map(l => l.map(s => s.text).join('')).join('\n')
    expect(first).toContain(v.jobs[0]!.id)
    expect(scrolled).not.toContain(v.jobs[0]!.id)
    expect(scrolled).toContain(v.jobs[5]!.id)
    const { Screen, renderToString } = await loadView()
    const out = renderToString(Screen({ view: v, columns: 80, rows: 23, scroll: 0, now: T0 }), { columns: 80 })
    // eslint-disable-next-line no-control-regex
    const plain = out.replace(/\x1b\[[0-9;]*m/g, '').split('\n')
    expect(plain.length).toBeLessThanOrEqual(23)
    for (const l of plain) expect([...l].length).toBeLessThanOrEqual(80)
  })

  it('shares the height: failures a quarter, nodes half the rest, jobs the remainder', () => {
    expect(layout({ nodes: new Array(3), jobs: [], failures: [] } as any, 23)).toEqual({ nodes: 3, jobs: 13, failures: 1 })
    expect(layout({ nodes: new Array(20), jobs: [], failures: new Array(9) } as any, 23)).toEqual({ nodes: 6, jobs: 7, failures: 4 })
  })

  it('cuts text with an ellipsis and pads to width', () => {
    expect(fit('abcdef', 4)).toBe('abc…')
    expect(fit('ab', 4)).toBe('ab  ')
    expect(clip([{ text: 'abc' }, { text: 'defg', color: 'red' }], 5).map(s => s.text)).toEqual(['abc', 'd…'])
    expect(bar(0.5, 12)).toBe('[#####.....]')
    expect(bar(null, 6)).toBe('[    ]')
  })
})

describe('plain output', () => {
  it('prints one line per event with a UTC time to the second', () => {
    expect(eventLine({ seq: 1, event: 'job.completed', at: T0 + 345, data: { id: 'J1', home: '12D3KooWabcdefgh' } })).toBe('2026-11-29T07:01:02Z job.completed J1 home …cdefgh')
    expect(eventLine({ seq: 2, event: 'custom.thing', at: T0, data: { x: 1 } })).toBe('2026-11-29T07:01:02Z custom.thing {"x":1}')
  })

  it('prints a status line and a snapshot with every node and the leader', () => {
    const v = busy()
    expect(statusLine(v, T0)).toMatch(/^2026-11-29T07:01:02Z status mesh production-eu-west · 13 nodes .* leader node-1 · term 4 · node-1 is leader · [\d.]+ tasks\/s/)
    const s = snapshot(v, id => id)
    expect(s).toMatch(/^NAME +STATE +ROLE +LOAD +CAPABILITIES +LAST SEEN$/m)
    expect(s).toMatch(/^node-1\* +alive +leader +100%/m)
    for (let i = 0; i < 12; i++) expect(s).toContain(`worker-with-a-long-name-${i} `)
    expect(s).toContain('RECENT FAILURES')
  })
})

describe('meshnode top, its errors', () => {
  function io (): CliIO & { stdout: string, stderr: string } {
    const o = { stdout: '', stderr: '', env: {}, out: (t: string) => { o.stdout += t }, err: (t: string) => { o.stderr += t } }
    return o
  }

  it('exits 2 on a bad flag or URL', async () => {
    let o = io()
    expect(await main(['top', '--bogus'], o)).toBe(2)
    expect(o.stderr).toContain("unknown option '--bogus'")
    o = io()
    expect(await main(['top', '--url', 'ftp://x'], o)).toBe(2)
    expect(o.stderr).toContain('invalid --url "ftp://x"')
    o = io()
    expect(await main(['top', '--url', 'http://127.0.0.1:28999', '--data-dir', '/tmp'], o)).toBe(2)
  })

  it('exits 7 (unavailable) saying so when no node runs there', async () => {
    let o = io()
    expect(await main(['top', '--once', '--data-dir', '/nonexistent/meshnode'], o)).toBe(7)
    expect(o.stderr).toContain('no meshnode is running with data dir /nonexistent/meshnode')
    o = io()
    expect(await main(['top', '--once', '--url', 'http://127.0.0.1:28999'], o)).toBe(7)
    expect(o.stderr).toMatch(/cannot reach meshnode at http:\/\/127\.0\.0\.1:28999: .*ECONNREFUSED.* Is it running\?/)
    const dir = tempDir('top')
    writeFileSync(join(dir, 'node.json'), JSON.stringify({ pid: process.pid, peerId: 'x', addrs: [], startedAt: '', version: '0.1.0' }))
    o = io()
    expect(await main(['top', '--once', '--data-dir', dir], o)).toBe(7)
    expect(o.stderr).toContain('serves no HTTP')
  })
})
