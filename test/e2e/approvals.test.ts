// Approval gates on real processes: a 3-node cluster and a fourth node that asks for gates
// the way a workflow's home does (test/fixtures/approval-requester.mjs runs the built node and
// calls its ApprovalService). A gate requested there is listed by the CLI on another node,
// refused to a key it does not name, approved by the key it names (with no grant at all),
// heard by the requester, audited on every node with the comment, and served at
// GET /v1/approvals. A gate with a 3 s deadline expires after its requester is SIGKILLed: the
// leader of the others decides it, by "timeout". Then real workflows wait at gates: one
// approved, one rejected, one expired, and each ends as its gate was decided.
// Ports 19470–19490 (of this suite's 19450–19499; incidents.test.ts uses up to 19460); run with
// `flock /tmp/meshnode-e2e.lock npx vitest run test/e2e/approvals.test.ts`.
import { spawn, type ChildProcess } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadState, waitUntil } from '../../scripts/cluster-lib.js'
import { EXIT_FORBIDDEN, EXIT_NOT_FOUND } from '../../src/node/errors.js'
import { NODE, ROOT, cluster, meshnode, tempDir } from './helpers.js'

const HANDLERS = join(ROOT, 'test', 'fixtures', 'handlers.mjs')
const REQUESTER = join(ROOT, 'test', 'fixtures', 'approval-requester.mjs')
const BASE_PORT = 19470
const HTTP_BASE_PORT = 19480
const REQUESTER_PORT = 19490

interface Line { event: string, [k: string]: any }

/** The requester process: commands in on stdin, JSON lines out. */
class Requester {
  readonly lines: Line[] = []
  private buf = ''
  constructor (readonly proc: ChildProcess) {
    proc.stdout!.setEncoding('utf8')
    proc.stdout!.on('data', (chunk: string) => {
      this.buf += chunk
      let nl
      while ((nl = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, nl)
        this.buf = this.buf.slice(nl + 1)
        if (line.startsWith('{')) this.lines.push(JSON.parse(line))
      }
    })
  }

  send (cmd: object): void {
    this.proc.stdin!.write(JSON.stringify(cmd) + '\n')
  }

  async next (pred: (l: Line) => boolean, what: string, timeoutMs = 30_000): Promise<Line> {
    await waitUntil(async () => this.lines.some(pred), timeoutMs, what, 100)
    return this.lines.find(pred)!
  }
}

describe('approval gates on a 3-node cluster and a requesting node', () => {
  const dir = tempDir('approvals')
  let dataDirs: string[] = []
  let requester: Requester
  let stderr = ''
  let approverKey = ''
  let approverId = ''
  let otherKey = ''
  let jobId = ''

  beforeAll(async () => {
    await cluster(dir, ['up', '3', '--base-port', String(BASE_PORT), '--http-base-port', String(HTTP_BASE_PORT), '--', '--handlers', HANDLERS])
    dataDirs = loadState(dir).nodes.map(n => n.dataDir)
    const proc = spawn(NODE, [REQUESTER, join(dir, 'requester'), `/ip4/127.0.0.1/tcp/${REQUESTER_PORT}`, `/ip4/127.0.0.1/tcp/${BASE_PORT}`, HANDLERS], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] })
    proc.stderr!.setEncoding('utf8')
    proc.stderr!.on('data', (c: string) => { stderr += c })
    requester = new Requester(proc)
    await requester.next(l => l.event === 'member', `the requester to join the mesh (stderr: ${stderr})`, 60_000)
    approverKey = join(dir, 'approver.key')
    otherKey = join(dir, 'other.key')
    for (const f of [approverKey, otherKey]) {
      const r = await meshnode(['keygen', '--client', '--out', f])
      expect(r.code, r.stderr).toBe(0)
      if (f === approverKey) approverId = r.stdout.trim()
    }
  }, 120_000)

  afterAll(async () => {
    if (requester?.proc.exitCode == null) requester?.proc.kill('SIGKILL')
    await cluster(dir, ['down'])
  })

  async function cli (args: string[], node = 0): Promise<{ code: number, stdout: string, stderr: string }> {
    return await meshnode([...args, '--data-dir', dataDirs[node]!], { timeoutMs: 60_000 })
  }

  /** As a client key over the network, not as a node's local operator. */
  async function asKey (key: string, args: string[], node = 1): Promise<{ code: number, stdout: string, stderr: string }> {
    return await meshnode([...args, '--peer', `127.0.0.1:${BASE_PORT + node}`, '--key', key], { timeoutMs: 60_000 })
  }

  async function gates (node: number, all = true): Promise<any[]> {
    const r = await cli(['approvals', '--json', ...(all ? ['--all'] : [])], node)
    expect(r.code, r.stderr).toBe(0)
    return JSON.parse(r.stdout).approvals
  }

  it('records a gate a running job\'s home asks for, and lists it on another node', async () => {
    requester.send({ cmd: 'submit', job: { name: 'gated', tasks: [{ type: 'nap', payload: { ms: 600_000 }, timeoutMs: 0, attempts: 1 }] } })
    jobId = (await requester.next(l => l.event === 'submitted', 'the job to be submitted')).id
    requester.send({ cmd: 'request', jobId, step: 'deploy', prompt: 'Deploy build 42 to production?', timeoutMs: 600_000, onTimeout: 'reject', approvers: [approverId] })
    await requester.next(l => l.event === 'requested' && l.id === `${jobId}:deploy`, 'the gate to be recorded')
    await waitUntil(async () => (await gates(1, false)).some(g => g.id === `${jobId}:deploy`), 10_000, 'node 2 to list the gate', 200)
    const [g] = (await gates(1, false)).filter(x => x.id === `${jobId}:deploy`)
    expect(g).toMatchObject({ job: jobId, step: 'deploy', prompt: 'Deploy build 42 to production?', state: 'pending', onTimeout: 'reject', approvers: [approverId] })
    const text = await cli(['approvals'], 1)
    expect(text.stdout).toContain(`${jobId}:deploy`)
    expect(text.stdout).toContain('Deploy build 42 to production?')
    expect(text.stdout).toMatch(/EXPIRES IN/)
  })

  it('refuses a key the gate does not name, and lets the named key approve it with a comment', async () => {
    const id = `${jobId}:deploy`
    const refused = await asKey(otherKey, ['approve', id])
    expect(refused.code).toBe(EXIT_FORBIDDEN)
    expect(refused.stderr).toContain('needs an operator grant, or a key named among its approvers')
    const ok = await asKey(approverKey, ['approve', id, '--comment', 'lgtm, ship it', '--json'])
    expect(ok.code, ok.stderr).toBe(0)
    expect(JSON.parse(ok.stdout)).toMatchObject({ id, state: 'approved', by: approverId, comment: 'lgtm, ship it' })
    // The home hears the decision.
    const heard = await requester.next(l => l.event === 'decided' && l.record.id === id, 'the requester to hear the decision')
    expect(heard.record).toMatchObject({ state: 'approved', by: approverId, comment: 'lgtm, ship it' })
  })

  it('says who decided a gate already, and that an unknown one does not exist, with their exit codes', async () => {
    const again = await cli(['reject', `${jobId}:deploy`], 2)
    expect(again.code).toBe(1)
    expect(again.stderr).toContain(`was already approved by ${approverId} at `)
    expect(again.stderr).toContain('[ALREADY_DECIDED]')
    const unknown = await cli(['approve', 'no-such-job:step'], 2)
    expect(unknown.code).toBe(EXIT_NOT_FOUND)
    expect(unknown.stderr).toContain('no approval no-such-job:step: `meshnode approvals` lists pending ones')
  })

  it('has the decision in every node\'s audit log, with its comment, and serves it at GET /v1/approvals', async () => {
    for (let node = 0; node < 3; node++) {
      await waitUntil(async () => {
        const audit = JSON.parse((await cli(['audit', '--json'], node)).stdout).entries as any[]
        return audit.some(e => e.action === 'approval.decide' && e.target === `${jobId}:deploy` && e.who === approverId && e.detail.includes('"lgtm, ship it"'))
      }, 10_000, `node ${node + 1}'s audit log to hold the decision`, 250)
    }
    const res = await fetch(`http://127.0.0.1:${HTTP_BASE_PORT}/v1/approvals?all=1`)
    expect(res.status).toBe(200)
    const body = await res.json() as { approvals: any[] }
    expect(body.approvals.find(a => a.id === `${jobId}:deploy`)).toMatchObject({ state: 'approved', by: approverId, comment: 'lgtm, ship it' })
    const pending = await (await fetch(`http://127.0.0.1:${HTTP_BASE_PORT}/v1/approvals`)).json() as { approvals: any[] }
    expect(pending.approvals.some(a => a.id === `${jobId}:deploy`)).toBe(false)
  })

  it('expires a gate at its deadline after the node that asked for it was killed', async () => {
    const id = `${jobId}:canary`
    requester.send({ cmd: 'request', jobId, step: 'canary', prompt: 'Promote the canary?', timeoutMs: 3_000, onTimeout: 'reject' })
    await requester.next(l => l.event === 'requested' && l.id === id, 'the short gate to be recorded')
    requester.proc.kill('SIGKILL')
    await waitUntil(async () => (await gates(0)).find(g => g.id === id)?.state === 'rejected', 30_000, 'the others to expire the gate', 250)
    const g = (await gates(2)).find(x => x.id === id)
    expect(g).toMatchObject({ state: 'rejected', by: 'timeout' })
    expect(g.decidedAt).toBeGreaterThanOrEqual(g.deadline)
    await waitUntil(async () => {
      const audit = JSON.parse((await cli(['audit', '--json'], 1)).stdout).entries as any[]
      return audit.some(e => e.action === 'approval.decide' && e.target === id && e.who === 'timeout' && e.detail.startsWith('rejected at its deadline'))
    }, 10_000, 'the expiry in the audit log', 250)
  }, 60_000)

  it('gates real workflows: one approved, one rejected, one expired; each workflow ends as its gate was decided', async () => {
    const file = join(dir, 'gated.yaml')
    await writeFile(file, [
      'name: gated',
      'steps:',
      '  build: { type: echo, with: { artefact: build-7 } }',
      '  gate:',
      '    needs: [build]',
      '    approval: { prompt: "Ship ${{ steps.build.output.artefact }}?", timeoutMs: 600000, onTimeout: reject }',
      '  ship: { needs: [gate], type: echo, with: { by: "${{ steps.gate.output.by }}", comment: "${{ steps.gate.output.comment }}" } }',
      ''
    ].join('\n'))
    const short = join(dir, 'gated-short.yaml')
    await writeFile(short, (await readFile(file, 'utf8')).replace('timeoutMs: 600000', 'timeoutMs: 3000'))
    const ids: string[] = []
    for (const [f, node] of [[file, 0], [file, 1], [short, 2]] as const) {
      const r = await cli(['workflow', 'run', f], node)
      expect(r.code, r.stderr).toBe(0)
      ids.push(r.stdout.trim())
    }
    const [yes, no, late] = ids as [string, string, string]
    await waitUntil(async () => (await gates(2)).filter(g => ids.map(i => `${i}:gate`).includes(g.id)).length === 3, 30_000, 'the three gates to be asked for', 250)
    expect((await gates(1)).find(g => g.id === `${yes}:gate`)).toMatchObject({ prompt: 'Ship build-7?', state: 'pending' })
    const approved = await cli(['approve', `${yes}:gate`, '--comment', 'go'], 2)
    expect(approved.code, approved.stderr).toBe(0)
    const rejected = await cli(['reject', `${no}:gate`, '--comment', 'not today'], 0)
    expect(rejected.code, rejected.stderr).toBe(0)
    const job = async (id: string): Promise<any> => JSON.parse((await cli(['job', id, '--json'], 1)).stdout)
    await waitUntil(async () => (await Promise.all(ids.map(job))).every(j => ['completed', 'failed'].includes(j.state)), 60_000, 'the three workflows to end', 500)
    const [y, n, l] = await Promise.all(ids.map(job))
    expect(y.state).toBe('completed')
    expect(y.workflow.steps.find((s: any) => s.name === 'ship').output).toMatchObject({ comment: 'go' })
    expect(n.state).toBe('failed')
    expect(n.workflow.steps.map((s: any) => s.state)).toEqual(['success', 'failure', 'skipped'])
    expect(n.error).toContain('not today')
    expect(l.state).toBe('failed')
    expect((await gates(0)).find(g => g.id === `${late}:gate`)).toMatchObject({ state: 'rejected', by: 'timeout' })
  }, 120_000)
})
