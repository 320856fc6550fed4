// Access control on real processes, as a user meets it: a node with a mesh key refuses hosts
// without it; a stranger holding the key but no grant is refused on every protocol and
// changes nothing (scripts/probe-access tries them all); a submitter may submit but not
// write config or run shell commands without --commands; the local CLI needs no flags; a
// grant made on one node of a cluster holds on every node, and so does its revocation; the
// audit log shows who did what; a mesh key rotates through restarts without a split.
// Ports 19400-19419 are this file's.
import type { ChildProcess } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { agreedLeader, loadState, waitUntil } from '../../scripts/cluster-lib.js'
import type { ProbeReport } from '../../scripts/probe-access.js'
import type { StatusJson } from '../../src/node/client/status-json.js'
import { readRuntimeFile } from '../../src/node/store/runtime-file.js'
import { generateMeshKey } from '../../src/node/transport/mesh-key.js'
import { EXIT_FORBIDDEN } from '../../src/node/errors.js'
import { cluster, meshnode, NODE, ROOT, run, spawnMeshnode, tempDir, type RunResult } from './helpers.js'

const addr = (port: number): string => `/ip4/127.0.0.1/tcp/${port}`

function writeMeshKey (file: string): string {
  writeFileSync(file, generateMeshKey(), { mode: 0o600 })
  return file
}

/** A new client key; resolves with its peer id. */
async function clientKey (file: string): Promise<string> {
  const r = await meshnode(['keygen', '--client', '--out', file])
  expect(r.code, r.stderr).toBe(0)
  return r.stdout.trim()
}

async function ok (args: string[]): Promise<RunResult> {
  const r = await meshnode(args)
  expect(r.code, `meshnode ${args.join(' ')}: ${r.stderr}`).toBe(0)
  return r
}

async function json<T = any> (args: string[]): Promise<T> {
  return JSON.parse((await ok([...args, '--json'])).stdout)
}

async function status (dataDir: string): Promise<StatusJson> {
  return await json<StatusJson>(['status', '--data-dir', dataDir])
}

async function probe (target: string, args: string[]): Promise<ProbeReport> {
  const r = await run(NODE, [join(ROOT, 'dist', 'scripts', 'probe-access.js'), target, ...args])
  expect(r.code, r.stderr).toBe(0)
  return JSON.parse(r.stdout)
}

async function started (dataDir: string): Promise<void> {
  await waitUntil(async () => await readRuntimeFile(dataDir).then(() => true, () => false), 20_000, `the node of ${dataDir} to start`, 100)
}

async function stop (child: ChildProcess): Promise<void> {
  if (child.exitCode != null || child.signalCode != null) return
  const exited = new Promise(resolve => child.once('exit', resolve))
  child.kill('SIGTERM')
  await exited
}

describe('a node started with a mesh key', () => {
  const dir = tempDir('access1')
  const dataDir = join(dir, 'node')
  const meshKey = writeMeshKey(join(dir, 'mesh.key'))
  const target = addr(19400)
  let node: ChildProcess

  beforeAll(async () => {
    node = spawnMeshnode(['start', '--data-dir', dataDir, '--listen', target, '--name', 'keyed', '--mesh-key', meshKey, '--allow-commands', '--log-level', 'warn'])
    await started(dataDir)
    await waitUntil(async () => (await status(dataDir)).role === 'leader', 20_000, 'the node to lead its own cluster', 100)
  })

  afterAll(() => {
    node?.kill('SIGKILL')
  })

  it('refuses a client without the key or with a different key, naming the mesh key, and accepts one with it', async () => {
    // Exit 7: no node answered (the CLI's exit-code table).
    const none = await meshnode(['status', '--peer', target])
    expect(none.code).toBe(7)
    expect(none.stderr).toMatch(/requires a mesh key: connect with --mesh-key FILE/)
    const other = await meshnode(['status', '--peer', target, '--mesh-key', writeMeshKey(join(dir, 'other.key'))])
    expect(other.code).toBe(7)
    expect(other.stderr).toMatch(/wrong mesh key.*different mesh key/)
    const s = await json<StatusJson>(['status', '--peer', target, '--mesh-key', meshKey])
    expect(s.name).toBe('keyed')
    expect(s.security).toBe('mesh-key')
  })

  it('lets the local CLI do anything with --data-dir alone, shell commands included', async () => {
    await ok(['config', 'set', 'owner', 'local', '--data-dir', dataDir])
    const done = await json(['submit', '--cmd', 'echo local-ok', '--wait', '--data-dir', dataDir])
    expect(done.state).toBe('completed')
    expect(await json(['config', 'list', '--data-dir', dataDir])).toEqual([{ key: 'owner', value: 'local', version: 1 }])
  })

  it('keeps a failed command\'s stdout, stderr and exit code with the job', async () => {
    const failed = await meshnode(['submit', '--cmd', 'echo out; echo err >&2; exit 3', '--wait', '--json', '--data-dir', dataDir])
    expect(failed.code).toBe(1)
    const job = JSON.parse(failed.stdout)
    expect(job.state).toBe('failed')
    expect(job.error).toMatch(/code 3: err/)
    expect(job.result).toEqual({ code: 3, stdout: 'out\n', stderr: 'err\n' })
    const results = await json(['job', job.id, '--results', '--data-dir', dataDir])
    expect(results.results[0]).toMatchObject({ ok: false, error: expect.stringMatching(/code 3/), result: { code: 3, stdout: 'out\n' } })
  })

  it('refuses a stranger with the key but no grant on every protocol, and nothing changes', async () => {
    // A finished job for the stranger to aim at: a cancel, and a forged result for it.
    const job = await json(['submit', 'echo', '{"real":true}', '--wait', '--data-dir', dataDir])
    expect(job.state).toBe('completed')
    const before = { status: await status(dataDir), config: await json(['config', 'list', '--data-dir', dataDir]), jobs: await json(['jobs', '--data-dir', dataDir]), job: await json(['job', job.id, '--results', '--data-dir', dataDir]), grants: await json(['operator', 'list', '--data-dir', dataDir]) }

    const report = await probe(target, ['--mesh-key', meshKey, '--job', job.id])
    expect(report.connected).toBe(true)
    expect(report.node).toBe(before.status.peerId)
    expect(report.notRefused).toEqual([])
    const by = (name: string): ProbeReport['attempts'][number] => report.attempts.find(a => a.attempt === name)!
    for (const name of ['configSet', 'configDelete', 'jobsSubmit', 'jobsSubmit cmd', 'jobCancel', 'grantSet self operator --commands', 'auditList', 'configList', 'configSet (stream per call)']) {
      expect(by(name), name).toMatchObject({ outcome: 'refused', code: 'FORBIDDEN' })
    }
    for (const name of ['toLeader configSet', 'registerJobs forged', 'toLeader configSet (stream per call)']) expect(by(name), name).toMatchObject({ outcome: 'refused', code: 'NOT_A_MEMBER' })
    // On the call channels (one stream, many calls) and on a stream per call alike.
    expect(by('configSet').protocol).toBe('/meshnode/admin-channel/1.0.0')
    expect(by('configSet (stream per call)').protocol).toBe('/meshnode/admin/2.0.0')
    expect(by('toLeader configSet').protocol).toBe('/meshnode/internal-channel/1.0.0')
    expect(by('toLeader configSet (stream per call)').protocol).toBe('/meshnode/internal/1.0.0')
    for (const name of ['vote request at a huge term', 'leader heartbeat at a huge term', 'steal', 'deliver forged task', 'results forged']) expect(by(name).outcome, name).toBe('refused')
    expect(by('whoAmI')).toMatchObject({ outcome: 'accepted', detail: 'role none, rights []' })

    const after = await status(dataDir)
    expect(after.term).toBe(before.status.term)
    expect(after.leader).toBe(before.status.leader)
    expect(after.counters.work_tasks_run_total).toBe(before.status.counters.work_tasks_run_total)
    // 3 internal requests, 2 raft streams, 3 work streams; 9 admin commands.
    expect(after.counters.strangers_refused_total).toBeGreaterThanOrEqual((before.status.counters.strangers_refused_total ?? 0) + 8)
    expect(after.counters.admin_forbidden_total).toBeGreaterThanOrEqual((before.status.counters.admin_forbidden_total ?? 0) + 9)
    expect(await json(['config', 'list', '--data-dir', dataDir])).toEqual(before.config)
    expect(await json(['jobs', '--data-dir', dataDir])).toEqual(before.jobs)
    expect(await json(['job', job.id, '--results', '--data-dir', dataDir])).toEqual(before.job)
    expect(await json(['operator', 'list', '--data-dir', dataDir])).toEqual(before.grants)
    // Every refused admin command is in the audit log, under the stranger's peer id.
    const audit = await json(['audit', '--limit', '50', '--data-dir', dataDir])
    const refused = audit.entries.filter((e: any) => e.who === report.prober)
    expect(refused.map((e: any) => e.action).sort()).toEqual(['auditList', 'configDelete', 'configList', 'configSet', 'configSet', 'grantSet', 'jobCancel', 'jobsSubmit', 'jobsSubmit'])
    expect(refused.every((e: any) => e.outcome === 'FORBIDDEN')).toBe(true)
  })

  it('lets a submitter submit and read jobs, but not write config nor run shell commands until granted --commands', async () => {
    const keyFile = join(dir, 'submitter.key')
    const id = await clientKey(keyFile)
    await ok(['operator', 'add', id, '--role', 'submitter', '--data-dir', dataDir])
    const as = ['--peer', target, '--key', keyFile, '--mesh-key', meshKey]

    const done = await json(['submit', 'echo', '{"from":"submitter"}', '--wait', ...as])
    expect(done.state).toBe('completed')
    expect((await json(['job', done.id, ...as])).state).toBe('completed')
    expect((await json(['jobs', ...as])).jobs.map((j: any) => j.id)).toContain(done.id)

    const set = await meshnode(['config', 'set', 'owner', 'submitter', ...as])
    expect(set.code).toBe(EXIT_FORBIDDEN)
    expect(set.stderr).toMatch(/FORBIDDEN/)
    expect(set.stderr).toContain(`${id} may not set config`)
    const cmd = await meshnode(['submit', '--cmd', 'echo no', ...as])
    expect(cmd.code).toBe(EXIT_FORBIDDEN)
    expect(cmd.stderr).toContain(`${id} may not submit shell-command (cmd) tasks: that needs a grant with --commands`)
    expect(cmd.stderr).toContain('[FORBIDDEN]')

    await ok(['operator', 'add', id, '--role', 'submitter', '--commands', '--data-dir', dataDir])
    const ran = await json(['submit', '--cmd', 'echo yes', '--wait', ...as])
    expect(ran.state).toBe('completed')
    expect((await json(['config', 'get', 'owner', '--data-dir', dataDir])).value).toBe('local')
  })
})

describe('grants on a 3-node cluster with a mesh key', () => {
  const dir = tempDir('access3')
  const meshKey = writeMeshKey(join(tempDir('access3-key'), 'mesh.key'))
  const base = 19405
  const node = (i: number): string => loadState(dir).nodes[i - 1]!.dataDir
  const operatorKey = join(dir, 'operator-client.key')
  const submitterKey = join(dir, 'submitter-client.key')
  let operatorId = ''
  let submitterId = ''

  beforeAll(async () => {
    await cluster(dir, ['up', '3', '--base-port', String(base), '--', '--mesh-key', meshKey], 90_000)
    await agreedLeader(dir, { nodes: 3 })
    operatorId = await clientKey(operatorKey)
    submitterId = await clientKey(submitterKey)
    // Granted through node 1's local CLI; every test below uses them through other nodes.
    await ok(['operator', 'add', operatorId, '--role', 'operator', '--data-dir', node(1)])
    await ok(['operator', 'add', submitterId, '--role', 'submitter', '--data-dir', node(1)])
  }, 120_000)

  afterAll(async () => {
    await cluster(dir, ['down'])
  })

  const via = (i: number, key: string): string[] => ['--peer', addr(base + i - 1), '--key', key, '--mesh-key', meshKey]

  it('a grant made through node 1 lets the client work through node 3, and read through node 2', async () => {
    await ok(['config', 'set', 'color', 'blue', ...via(3, operatorKey)])
    expect(await json(['config', 'get', 'color', ...via(2, operatorKey)])).toEqual({ key: 'color', value: 'blue', version: 1 })
    const job = await json(['submit', 'echo', '{"via":3}', '--wait', ...via(3, submitterKey)])
    expect(job.state).toBe('completed')
    // Homed on node 3, read through node 2 (forwarded to the home).
    expect((await json(['job', job.id, ...via(2, submitterKey)])).state).toBe('completed')
  })

  it('the audit log of another node shows the grant and the config write with the client\'s peer id; a refusal only on the node that refused it', async () => {
    const denied = await meshnode(['config', 'set', 'color', 'red', ...via(3, submitterKey)])
    expect(denied.code).toBe(EXIT_FORBIDDEN)
    const audit2 = (await json(['audit', '--data-dir', node(2)])).entries
    expect(audit2).toEqual(expect.arrayContaining([
      expect.objectContaining({ action: 'config.set', target: 'color', who: operatorId, outcome: 'ok', node: 'log' }),
      expect.objectContaining({ action: 'grant.set', target: operatorId, outcome: 'ok', node: 'log' }),
      expect.objectContaining({ action: 'grant.set', target: submitterId, outcome: 'ok', node: 'log' })
    ]))
    const refusal = expect.objectContaining({ action: 'configSet', target: 'color', who: submitterId, outcome: 'FORBIDDEN' })
    expect((await json(['audit', '--data-dir', node(3)])).entries).toEqual(expect.arrayContaining([refusal]))
    expect(audit2).not.toEqual(expect.arrayContaining([refusal]))
    // An operator may read the audit log remotely too.
    expect((await json(['audit', ...via(1, operatorKey)])).entries.length).toBeGreaterThan(0)
  })

  it('revoking a grant on one node takes effect on every node within seconds', async () => {
    for (const i of [1, 2, 3]) await ok(['config', 'list', ...via(i, submitterKey)])
    await ok(['operator', 'remove', submitterId, '--data-dir', node(2)])
    for (const i of [1, 2, 3]) {
      let last: RunResult | undefined
      await waitUntil(async () => {
        last = await meshnode(['config', 'list', ...via(i, submitterKey)])
        return last.code === EXIT_FORBIDDEN
      }, 5_000, `node ${i} to refuse the revoked key`, 100)
      expect(last!.stderr).toMatch(/FORBIDDEN/)
    }
    expect((await json(['operator', 'list', '--data-dir', node(3)])).map((g: any) => g.peerId)).toEqual([operatorId])
  })
})

describe('a mesh key rotation on real processes', () => {
  const dir = tempDir('rotate')
  const OLD = writeMeshKey(join(dir, 'old.key'))
  const NEW = writeMeshKey(join(dir, 'new.key'))
  const nodes = [
    { name: 'a', port: 19410, dataDir: join(dir, 'a'), peer: 19411, child: undefined as ChildProcess | undefined },
    { name: 'b', port: 19411, dataDir: join(dir, 'b'), peer: 19410, child: undefined as ChildProcess | undefined }
  ]
  const [a, b] = nodes as [typeof nodes[0], typeof nodes[0]]

  async function start (n: typeof a, keys: string[]): Promise<void> {
    if (n.child != null) await stop(n.child)
    n.child = spawnMeshnode(['start', '--data-dir', n.dataDir, '--listen', addr(n.port), '--name', n.name, '--expect', '2', '--peer', addr(n.peer), ...keys.flatMap(k => ['--mesh-key', k]), '--log-level', 'warn'])
    await waitUntil(async () => await readRuntimeFile(n.dataDir).then(rt => rt.pid === n.child!.pid, () => false), 20_000, `${n.name} to start`, 100)
  }

  /** Both see the other alive in its current incarnation (so over a connection made since its restart), with one leader. */
  async function connected (): Promise<void> {
    let last: unknown
    await waitUntil(async () => {
      const [sa, sb] = await Promise.all([status(a.dataDir), status(b.dataDir)]).catch(() => [undefined, undefined])
      if (sa == null || sb == null) return false
      const seen = (s: StatusJson, other: StatusJson): boolean => s.peers.some(p => p.peerId === other.peerId && p.state === 'alive' && p.incarnation === other.incarnation)
      last = { a: sa.peers.map(p => `${p.name}:${p.state}:${p.incarnation}`), ai: sa.incarnation, b: sb.peers.map(p => `${p.name}:${p.state}:${p.incarnation}`), bi: sb.incarnation }
      return seen(sa, sb) && seen(sb, sa) && sa.leader != null && sa.leader === sb.leader
    }, 30_000, 'a and b to see each other alive with one leader', 200).catch(err => { throw new Error(`${(err as Error).message}; last: ${JSON.stringify(last)}`) })
  }

  afterAll(() => {
    for (const n of nodes) n.child?.kill('SIGKILL')
  })

  it('rolls from [old] to [new] in restarts without the two nodes ever losing each other', async () => {
    await Promise.all([start(a, [OLD]), start(b, [OLD])])
    await connected()
    await start(a, [NEW, OLD])
    await connected()
    await start(b, [NEW, OLD])
    await connected()
    await start(a, [NEW])
    await connected()
    const old = await meshnode(['status', '--peer', addr(a.port), '--mesh-key', OLD])
    expect(old.code).toBe(7)
    expect(old.stderr).toMatch(/wrong mesh key/)
    await ok(['status', '--peer', addr(a.port), '--mesh-key', NEW])
    // b still holds the old key as a second one: a client not yet switched reaches it.
    await ok(['status', '--peer', addr(b.port), '--mesh-key', OLD])
  }, 150_000)
})
