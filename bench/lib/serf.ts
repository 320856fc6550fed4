// A local cluster of HashiCorp Serf agents on loopback, for comparing crash-detection time
// with meshnode's. Agents run as children with stdout piped to us, so every log line
// ("serf: EventMemberFailed: s3 127.0.0.1", "EventMemberJoin: ...") is timestamped with
// Date.now() as it arrives: Serf's own log timestamps only have one-second resolution.
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { appendFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

export interface SerfEvent {
  time: number
  kind: 'join' | 'failed' | 'leave' | 'update' | 'reap'
  member: string
}

export function serfVersion (): string | undefined {
  const r = spawnSync('serf', ['version'], { encoding: 'utf8' })
  if (r.error != null || r.status !== 0) return undefined
  return r.stdout.split('\n')[0]?.trim()
}

interface Agent {
  index: number
  name: string
  bindPort: number
  rpcPort: number
  child?: ChildProcess
  events: SerfEvent[]
  log: string
}

export class SerfCluster {
  readonly agents: Agent[] = []

  constructor (readonly n: number, readonly dir: string, basePort: number, readonly profile = 'lan') {
    mkdirSync(dir, { recursive: true })
    for (let i = 1; i <= n; i++) {
      this.agents.push({ index: i, name: `s${i}`, bindPort: basePort + i - 1, rpcPort: basePort + n + i - 1, events: [], log: join(dir, `serf-${i}.log`) })
    }
  }

  agent (i: number): Agent {
    return this.agents[i - 1]!
  }

  running (): Agent[] {
    return this.agents.filter(a => a.child != null && a.child.exitCode == null && a.child.signalCode == null)
  }

  /** Start agent i, joining `joinTo` (an agent index) if given. */
  start (i: number, joinTo?: number): void {
    const a = this.agent(i)
    const args = ['agent', `-node=${a.name}`, `-bind=127.0.0.1:${a.bindPort}`, `-rpc-addr=127.0.0.1:${a.rpcPort}`, `-profile=${this.profile}`, '-log-level=info']
    if (joinTo != null) args.push(`-join=127.0.0.1:${this.agent(joinTo).bindPort}`)
    const child = spawn('serf', args, { stdio: ['ignore', 'pipe', 'pipe'] })
    a.child = child
    let rest = ''
    const onData = (buf: Buffer): void => {
      const now = Date.now()
      const parts = (rest + buf.toString('utf8')).split('\n')
      rest = parts.pop() ?? ''
      for (const line of parts) {
        appendFileSync(a.log, `${now} ${line}\n`)
        const m = /serf: Event(MemberJoin|MemberFailed|MemberLeave|MemberUpdate|MemberReap): (\S+)/.exec(line)
        if (m == null) continue
        const kind = ({ MemberJoin: 'join', MemberFailed: 'failed', MemberLeave: 'leave', MemberUpdate: 'update', MemberReap: 'reap' } as const)[m[1] as 'MemberJoin']
        a.events.push({ time: now, kind, member: m[2]! })
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
  }

  async startAll (): Promise<void> {
    this.start(1)
    await this.waitRpc(1, 10_000)
    for (let i = 2; i <= this.n; i++) this.start(i, 1)
  }

  /** Wait until agent i answers on its RPC port. */
  async waitRpc (i: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      try { await this.members(i); return } catch {}
      if (Date.now() > deadline) throw new Error(`serf agent ${i} did not answer RPC within ${timeoutMs} ms`)
      await new Promise(resolve => setTimeout(resolve, 20))
    }
  }

  async members (i: number): Promise<Array<{ name: string, status: string }>> {
    const { stdout } = await run('serf', ['members', `-rpc-addr=127.0.0.1:${this.agent(i).rpcPort}`, '-format=json'], { timeout: 5_000 })
    return (JSON.parse(stdout).members ?? []).map((m: any) => ({ name: String(m.name), status: String(m.status) }))
  }

  /** True when every running agent lists every running agent as alive. */
  async converged (): Promise<boolean> {
    const live = this.running()
    const names = new Set(live.map(a => a.name))
    try {
      const views = await Promise.all(live.map(async a => await this.members(a.index)))
      return views.every(v => [...names].every(nm => v.some(m => m.name === nm && m.status === 'alive')))
    } catch {
      return false
    }
  }

  kill (i: number, signal: NodeJS.Signals = 'SIGKILL'): void {
    this.agent(i).child?.kill(signal)
  }

  async waitExit (i: number, timeoutMs = 10_000): Promise<void> {
    const c = this.agent(i).child
    if (c == null || c.exitCode != null || c.signalCode != null) return
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`serf agent ${i} did not exit`)), timeoutMs)
      c.once('exit', () => { clearTimeout(t); resolve() })
    })
  }

  pid (i: number): number | undefined {
    return this.agent(i).child?.pid
  }

  async stopAll (): Promise<void> {
    for (const a of this.running()) a.child!.kill('SIGKILL')
    await Promise.all(this.agents.map(async a => await this.waitExit(a.index).catch(() => {})))
  }
}
