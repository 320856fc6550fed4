// `meshnode top` against a real 3-node cluster (ports 28500-28502; HTTP on each node's
// `auto` address, found through node.json): --once lists every node and the leader; piped
// (not a terminal) it prints a job.completed line for a job submitted while it runs, and
// --json one JSON event per line; SIGTERM stops it with exit 0; under a pseudo-terminal
// (`script` from util-linux) the full-screen view draws and `q` quits with exit 0.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadState, waitUntil } from '../../scripts/cluster-lib.js'
import { cluster, meshnode, NODE, NODE_FLAGS, ROOT, tempDir } from './helpers.js'

const HANDLERS = join(ROOT, 'test', 'fixtures', 'handlers.mjs')
const BIN = join(ROOT, 'bin', 'meshnode.js')
const HAS_SCRIPT = spawnSync('script', ['--version']).status === 0

interface Watched { child: ChildProcess, out: () => string, exited: Promise<{ code: number | null, signal: NodeJS.Signals | null }> }

function watch (cmd: string, args: string[]): Watched {
  const child = spawn(cmd, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] })
  let out = ''
  child.stdout!.on('data', (b: Buffer) => { out += b.toString() })
  child.stderr!.on('data', (b: Buffer) => { out += b.toString() })
  const exited = new Promise<{ code: number | null, signal: NodeJS.Signals | null }>(resolve => { child.on('exit', (code, signal) => { resolve({ code, signal }) }) })
  return { child, out: () => out, exited }
}

describe('meshnode top on a 3-node cluster', () => {
  const dir = tempDir('top3')
  let node1 = ''
  let node2 = ''
  const running: ChildProcess[] = []

  beforeAll(async () => {
    await cluster(dir, ['up', '3', '--base-port', '28500', '--', '--handlers', HANDLERS, '--concurrency', '2'])
    node1 = loadState(dir).nodes[0]!.dataDir
    node2 = loadState(dir).nodes[1]!.dataDir
  })

  afterAll(async () => {
    for (const c of running) if (c.exitCode == null) c.kill('SIGKILL')
    // `script` runs top on a pseudo-terminal of its own session: make sure it is gone too.
    spawnSync('pkill', ['-KILL', '-f', `top --data-dir ${node1}`])
    await cluster(dir, ['down'])
  })

  async function submit (): Promise<string> {
    const r = await meshnode(['submit', 'nap', '{"ms":100}', '--json', '--data-dir', node2])
    expect(r.code, r.stderr).toBe(0)
    return JSON.parse(r.stdout).id
  }

  it('--once lists every node and the leader, and exits 0', async () => {
    let r = await meshnode(['top', '--once', '--data-dir', node1])
    // The cluster is up; the leader may still be elected.
    await waitUntil(async () => {
      r = await meshnode(['top', '--once', '--data-dir', node1])
      return r.code === 0 && /leader node-\d/.test(r.stdout)
    }, 30_000, 'top --once to show a leader', 250)
    expect(r.stdout).toMatch(/^mesh default · 3 nodes \(3 alive\) · leader node-\d · term \d+ · node-1 is \w+/)
    for (const name of ['node-1*', 'node-2', 'node-3']) expect(r.stdout).toMatch(new RegExp(`^${name.replace('*', '\\*')} +alive `, 'm'))
    expect(r.stdout.match(/^node-\d\*? +alive +leader /gm)).toHaveLength(1)
    expect(r.stdout).toContain('RECENT FAILURES')
    const j = await meshnode(['top', '--once', '--json', '--data-dir', node1])
    expect(j.code, j.stderr).toBe(0)
    expect(JSON.parse(j.stdout).nodes.map((n: { name: string }) => n.name)).toEqual(['node-1', 'node-2', 'node-3'])
  })

  it('piped, prints a job.completed line for a job submitted while it runs; SIGTERM stops it with exit 0', async () => {
    const top = watch(NODE, [...NODE_FLAGS, BIN, 'top', '--data-dir', node1])
    running.push(top.child)
    await waitUntil(() => / status mesh default · 3 nodes/.test(top.out()), 20_000, 'the first status line')
    const id = await submit()
    await waitUntil(() => top.out().includes(`job.completed ${id} home node-2`), 30_000, `a job.completed line for ${id}`)
    expect(top.out()).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ job.submitted ${id} home node-2$`, 'm'))
    top.child.kill('SIGTERM')
    expect(await top.exited).toEqual({ code: 0, signal: null })
  })

  it('--json piped prints one JSON event per line', async () => {
    const top = watch(NODE, [...NODE_FLAGS, BIN, 'top', '--json', '--data-dir', node1])
    running.push(top.child)
    // The stream is open once the node's replay (or nothing, on a quiet node) has come:
    // give it a moment, then submit.
    await new Promise(resolve => setTimeout(resolve, 1_500))
    const id = await submit()
    const events = (): Array<{ seq: number, event: string, at: number, data: Record<string, unknown> }> => top.out().split('\n').filter(l => l !== '').map(l => JSON.parse(l))
    await waitUntil(() => events().some(e => e.event === 'job.completed' && e.data.id === id), 30_000, 'a job.completed JSON line')
    top.child.kill('SIGTERM')
    expect((await top.exited).code).toBe(0)
    expect(events().find(e => e.event === 'job.completed' && e.data.id === id)).toMatchObject({ seq: expect.any(Number), at: expect.any(Number), data: { state: 'completed' } })
  })

  it.skipIf(!HAS_SCRIPT)('in a terminal, draws the view and quits on q with exit 0', async () => {
    const cmd = [NODE, ...NODE_FLAGS, BIN, 'top', '--data-dir', node1].map(a => `'${a}'`).join(' ')
    // A person's terminal, not a CI job: ink draws only a final frame when CI is set (is-in-ci),
    // and CI runs this suite with CI=true.
    const top = watch('env', ['-u', 'CI', '-u', 'CONTINUOUS_INTEGRATION', 'script', '-qfec', `stty cols 80 rows 24; ${cmd}`, '/dev/null'])
    running.push(top.child)
    // The rates line ends in `live` once the event stream is open (colour codes between).
    // eslint-disable-next-line no-control-regex
    await waitUntil(() => top.out().includes('RUNNING JOBS') && /· (\x1b\[\d+m)?live/.test(top.out()), 20_000, 'the view to draw, live')
    top.child.stdin!.write('q')
    const exit = await top.exited
    expect(exit).toEqual({ code: 0, signal: null })
    // It switched to the alternate screen and back, so the shell's screen is restored.
    expect(top.out()).toContain('\x1b[?1049h')
    expect(top.out()).toContain('\x1b[?1049l')
    expect(top.out()).toMatch(/mesh default · 3 nodes \(3 alive\)/)
  })
})
