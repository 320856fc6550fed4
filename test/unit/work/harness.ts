// Several real work shells (src/node/services/work-shell.ts) with their WorkCores — each on its own LevelDB in a temp dir — joined by an in-memory
// network that round-trips every request and response through the wire codec, and one
// shared job registry standing in for the control log. The network can drop or delay
// messages and cut nodes off; nodes can be stopped and restarted on the same data dir.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ControlState, encodeCommand, type ControlCommand, type JobEntry } from '../../../src/consensus/control.js'
import { Store } from '../../../src/node/store/store.js'
import { mulberry32, type Rng } from '../../../src/prng.js'
import { WorkRequest, WorkResponse } from '../../../src/wire/proto/work.js'
import { WorkShell, type Registry } from '../../../src/node/services/work-shell.js'
import type { SupervisionConfig } from '../../../src/work/core.js'
import { BUILTIN_HANDLERS, type Handlers } from '../../../src/work/executors.js'
import { isFinal } from '../../../src/work/jobs.js'
import { COMMANDS_CAPABILITY, capabilityOf } from '../../../src/work/spec.js'
import { WorkStore, type JobRecord } from '../../../src/node/store/work-store.js'

/** The control log's registry: a real ControlState, applied in order, with no Raft around it. */
export class MemRegistry implements Registry {
  readonly control = new ControlState()
  failNext = 0
  /** Registrations that commit yet are reported failed (a proposal that timed out). */
  ambiguousNext = 0
  private index = 0

  get jobs (): Map<string, JobEntry> {
    return this.control.jobs as Map<string, JobEntry>
  }

  async register (entries: Array<[string, JobEntry]>): Promise<void> {
    await Promise.resolve()
    if (this.failNext > 0) {
      this.failNext--
      throw new Error('no quorum (test)')
    }
    this.apply({ op: 'jobs.put', jobs: entries })
    if (this.ambiguousNext > 0) {
      this.ambiguousNext--
      throw new Error('timed out (test)')
    }
  }

  /** Commits a command as the leader would; jobs it moves are reported to onJobsMoved. */
  apply (cmd: ControlCommand): void {
    this.control.apply(++this.index, encodeCommand(cmd))
  }

  entry (jobId: string): JobEntry | undefined {
    return this.jobs.get(jobId)
  }

  isDead (peer: string): boolean {
    return this.control.dead.has(peer)
  }

  /** The mesh's size, as the committed configuration would say (set by Mesh). */
  memberCount = (): number | undefined => undefined

  /** Workflow approvals: a test sets these to stand in for the control log's. */
  approval?: Registry['approval']
  requestApproval?: Registry['requestApproval']
}

export interface NodeSpec {
  id: string
  concurrency?: number
  capabilities?: string[]
  handlers?: Handlers
  allowCommands?: boolean
  replicas?: number
  /** The escalation ladder and circuit breakers. */
  supervision?: SupervisionConfig
}

interface Member {
  spec: NodeSpec
  dir: string
  store?: Store
  engine?: WorkShell
  incarnation: number
}

export interface NetFaults {
  /** Probability that a request is lost before delivery. */
  dropRequest?: number
  /** Probability that a response is lost after the receiver handled the request. */
  dropResponse?: number
  /** Extra delay per message, ms. */
  maxDelayMs?: number
}

export class Mesh {
  readonly registry = new MemRegistry()
  readonly members = new Map<string, Member>()
  readonly down = new Set<string>()
  /** Nodes that are seen (heartbeats) but refuse every request (e.g. not yet a member there). */
  readonly refusing = new Set<string>()
  faults: NetFaults = {}
  private readonly rng: Rng
  private poke?: NodeJS.Timeout

  constructor (seed = 1) {
    this.rng = mulberry32(seed)
    this.registry.memberCount = () => this.members.size
  }

  async add (spec: NodeSpec): Promise<WorkShell> {
    const dir = await mkdtemp(join(tmpdir(), `mn-work-${spec.id}-`))
    this.members.set(spec.id, { spec, dir, incarnation: 0 })
    return await this.start(spec.id)
  }

  engine (id: string): WorkShell {
    const e = this.members.get(id)?.engine
    if (e == null) throw new Error(`node ${id} is not running`)
    return e
  }

  async start (id: string): Promise<WorkShell> {
    const m = this.members.get(id)!
    m.incarnation++
    m.store = await Store.open(m.dir)
    const handlers = { ...BUILTIN_HANDLERS, ...m.spec.handlers }
    const capabilities = [...new Set([...(m.spec.capabilities ?? []), ...Object.keys(handlers).map(capabilityOf), ...(m.spec.allowCommands === true ? [COMMANDS_CAPABILITY] : [])])]
    const engine = new WorkShell(new WorkStore(m.store, id), { call: async (to, req) => await this.call(id, to, req) }, this.registry, {
      self: id,
      incarnation: m.incarnation,
      concurrency: m.spec.concurrency ?? 2,
      capabilities,
      handlers,
      allowCommands: m.spec.allowCommands === true,
      peers: () => [...this.members.entries()]
        .filter(([pid, o]) => pid !== id && o.engine != null && !this.down.has(pid))
        .map(([pid, o]) => ({ peerId: pid, queued: o.engine!.stealable, capabilities: o.engine!.capabilities })),
      rng: mulberry32(m.incarnation * 7919 + id.length),
      now: Date.now,
      log: { info: () => {}, warn: () => {}, debug: () => {} },
      resendAfterMs: 200,
      retryBaseMs: 5,
      ...(m.spec.replicas != null ? { replicas: m.spec.replicas } : {}),
      ...(m.spec.supervision != null ? { supervision: m.spec.supervision } : {})
    })
    await engine.start()
    m.engine = engine
    // Stands in for heartbeats: idle nodes hear promptly that a peer has work.
    this.poke ??= setInterval(() => {
      for (const [pid, o] of this.members) {
        if (o.engine == null || o.engine.stealable === 0) continue
        for (const [other, p] of this.members) if (other !== pid && p.engine != null) p.engine.peerAdvertised(pid)
      }
    }, 20)
    return engine
  }

  async stop (id: string): Promise<void> {
    const m = this.members.get(id)!
    const engine = m.engine
    m.engine = undefined
    await stage(`engine ${id} stop`, engine?.stop())
    await stage(`store ${id} close`, m.store?.close())
  }

  async restart (id: string): Promise<WorkShell> {
    await this.stop(id)
    return await this.start(id)
  }

  /** Stops every node and removes the data dirs; a step that hung is reported after cleanup. */
  async close (): Promise<void> {
    clearInterval(this.poke)
    const errors: Error[] = []
    for (const id of this.members.keys()) await this.stop(id).catch((err: Error) => { errors.push(err) })
    for (const m of this.members.values()) await rm(m.dir, { recursive: true, force: true })
    const hung = errors.filter(e => e.message.includes('did not finish'))
    if (hung.length > 0) throw new Error(hung.map(e => e.message).join('; '))
  }

  /**
   * Commits `id`'s death as the work service wires it (src/node/services/work.ts): jobs it
   * moves go to every running engine's jobsMoved, then every engine hears peerDead.
   */
  declareDead (id: string, incarnation = 1): void {
    this.registry.control.onJobsMoved = moves => { for (const m of this.members.values()) m.engine?.jobsMoved(moves) }
    this.registry.apply({ op: 'node.dead', peerId: id, incarnation, reason: 'test' })
    for (const [pid, m] of this.members) if (pid !== id) m.engine?.peerDead(id)
  }

  /** Resolves with the job's record at its home once it is final. */
  async waitFinal (home: string, jobId: string, timeoutMs = 30_000): Promise<JobRecord> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const job = await this.members.get(home)?.engine?.job(jobId)
      if (job != null && isFinal(job.state)) return job
      if (Date.now() > deadline) throw new Error(`job ${jobId} not final within ${timeoutMs} ms: ${JSON.stringify(job)}`)
      await new Promise(resolve => setTimeout(resolve, 10))
    }
  }

  private async call (from: string, to: string, req: WorkRequest): Promise<WorkResponse> {
    const f = this.faults
    if (f.maxDelayMs != null) await new Promise(resolve => setTimeout(resolve, this.rng() * f.maxDelayMs!))
    const target = this.members.get(to)?.engine
    if (target == null || this.down.has(to) || this.down.has(from)) throw new Error(`${to} unreachable`)
    if (this.refusing.has(to)) throw new Error('stream reset')
    if (this.rng() < (f.dropRequest ?? 0)) throw new Error('request lost')
    const res = await target.handle(from, WorkRequest.decode(WorkRequest.encode(req)))
    if (this.rng() < (f.dropResponse ?? 0)) throw new Error('response lost')
    return WorkResponse.decode(WorkResponse.encode(res))
  }
}

/** Fails loudly, naming the step, if a shutdown step hangs (instead of a silent hook timeout). */
async function stage (what: string, p: Promise<void> | undefined): Promise<void> {
  if (p == null) return
  let timer: NodeJS.Timeout | undefined
  try {
    await Promise.race([p, new Promise<never>((_resolve, reject) => { timer = setTimeout(() => { reject(new Error(`${what} did not finish within 10 s`)) }, 10_000) })])
  } finally {
    clearTimeout(timer)
  }
}
