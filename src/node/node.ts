// MeshNode: one running meshnode. Opens the store, loads the identity, starts the libp2p host
// and the services in order, and stops them in reverse: announce leave, stop inbound traffic,
// stop the host, close the database last.
import { mkdir, access, constants as fsConstants } from 'node:fs/promises'
import { VERSION } from '../version.js'
import type { StatusResponse } from '../wire/proto/status.js'
import type { NodeConfig } from './config.js'
import { Counters } from './counters.js'
import { Dialer } from './transport/dialer.js'
import { MeshError, errorMessage, isMeshError } from './errors.js'
import { createHost, type Host } from './transport/host.js'
import { loadOrCreateIdentity } from './store/identity.js'
import { createLogger, type Logger } from './log.js'
import { AdminService } from './services/admin.js'
import { ConsensusService } from './services/consensus.js'
import { Membership, type LocalState } from './services/membership.js'
import { removeRuntimeFile, writeRuntimeFile } from './store/runtime-file.js'
import { StatusService } from './services/status.js'
import { Store } from './store/store.js'
import { InternalService } from './services/internal.js'
import { adminError } from './client/admin.js'
import { WorkService } from './services/work.js'
import { BUILTIN_HANDLERS, loadHandlers, type Handlers } from '../work/executors.js'
import { COMMANDS_CAPABILITY, capabilityOf } from '../work/spec.js'
import { HEARTBEAT_LIMITS } from '../wire/constants.js'

export interface StartOptions {
  logger?: Logger
  /** Handlers given in code (the library API), besides the built-ins and --handlers modules. */
  handlers?: Handlers
}

/** How long a leaving node waits for its `leaving` heartbeat to be flushed to peers. */
const LEAVE_FLUSH_MS = 150

export class MeshNode {
  readonly startedAt = Date.now()
  private stopping?: Promise<void>

  private constructor (
    readonly config: NodeConfig,
    readonly counters: Counters,
    readonly log: Logger,
    readonly store: Store,
    readonly host: Host,
    readonly incarnation: bigint,
    readonly membership: Membership,
    readonly consensus: ConsensusService,
    readonly work: WorkService,
    private readonly dialer: Dialer,
    private readonly statusService: StatusService,
    private readonly adminService: AdminService,
    private readonly internalService: InternalService
  ) {}

  get peerId (): string {
    return this.host.peerId.toString()
  }

  static async start (config: NodeConfig, opts: StartOptions = {}): Promise<MeshNode> {
    const log = opts.logger ?? createLogger(config.logLevel, { name: config.name })
    const handlers: Handlers = { ...BUILTIN_HANDLERS, ...await loadHandlers(config.handlers), ...opts.handlers }
    const capabilities = [...new Set([
      ...config.capabilities,
      ...Object.keys(handlers).map(capabilityOf),
      ...(config.allowCommands ? [COMMANDS_CAPABILITY] : [])
    ])].sort()
    if (capabilities.length > HEARTBEAT_LIMITS.capabilities) {
      throw new MeshError('BAD_CONFIG', `this node would advertise ${capabilities.length} capabilities (handlers count as one each); at most ${HEARTBEAT_LIMITS.capabilities}`)
    }
    await prepareDataDir(config.dataDir)
    const store = await Store.open(config.dataDir)
    const counters = new Counters()
    let host: Host | undefined
    try {
      const { key, created } = await loadOrCreateIdentity(config.dataDir)
      const incarnation = await store.nextIncarnation()
      host = await createHost({ privateKey: key, listen: config.listen, mdns: config.mdns, probeTimeoutMs: config.probeTimeoutMs })
      log.info({ peerId: host.peerId.toString(), created, incarnation: Number(incarnation) }, created ? 'created a new identity' : 'loaded identity')
      try {
        await host.start()
      } catch (err) {
        throw listenError(err, config.listen)
      }
      const dialer = new Dialer(host, log, config.peers)
      const remembered = (await store.peers.entries()).length > 0
      let consensus: ConsensusService | undefined
      let work: WorkService | undefined
      // The work layer supplies load and stealable work; consensus supplies role, term, leader.
      const localState = (): LocalState => ({
        load: work?.engine.load ?? 0,
        queued: work?.engine.stealable ?? 0,
        slots: config.concurrency,
        ...(consensus?.localState() ?? { role: 'none', term: 0n, leader: '', bootstrapSet: [] })
      })
      let node: MeshNode | undefined
      const membership = new Membership(host, store, dialer, log, counters, {
        mesh: config.mesh,
        name: config.name,
        capabilities,
        incarnation,
        heartbeatMs: config.heartbeatMs,
        probeAfterMs: config.probeAfterMs,
        deadAfterMs: config.deadAfterMs,
        probeTimeoutMs: config.probeTimeoutMs,
        startedAt: Date.now(),
        localState
      })
      consensus = new ConsensusService(host, store, membership, key, log, counters, {
        expect: config.expect,
        voterCap: config.voterCap,
        snapshotEvery: config.snapshotEvery,
        hasPeers: config.peers.length > 0 || remembered
      })
      const status = new StatusService(host, log, counters, () => node!.statusSnapshot())
      const admin = new AdminService(host, log, counters, consensus)
      const internal = new InternalService(host, log, counters, {
        members: () => consensus?.status()?.conf,
        admin: async req => await admin.handle(req, true),
        register: async jobs => {
          if (work == null) throw new MeshError('STARTING', 'the node is still starting; retry in a moment')
          await work.registrar.proposeHere(jobs)
        }
      })
      work = new WorkService(host, store, membership, consensus, log, counters, {
        incarnation: Number(incarnation),
        concurrency: config.concurrency,
        capabilities,
        handlers,
        allowCommands: config.allowCommands
      })
      node = new MeshNode(config, counters, log, store, host, incarnation, membership, consensus, work, dialer, status, admin, internal)
      await status.start()
      await admin.start()
      await internal.start()
      await membership.start()
      await consensus.start()
      await work.start()
      admin.work = work
      dialer.start()
      await writeRuntimeFile(config.dataDir, {
        pid: process.pid,
        peerId: node.peerId,
        addrs: host.getMultiaddrs().map(a => a.toString()),
        startedAt: new Date(node.startedAt).toISOString(),
        version: VERSION
      })
      log.info({ addrs: host.getMultiaddrs().map(a => a.toString()), mesh: config.mesh }, 'meshnode started')
      return node
    } catch (err) {
      await Promise.resolve(host?.stop()).catch(() => {})
      await store.close().catch(() => {})
      throw err
    }
  }

  /** Graceful stop; idempotent, so a second caller awaits the first stop. */
  async stop (): Promise<void> {
    this.stopping ??= this.doStop()
    await this.stopping
  }

  private async doStop (): Promise<void> {
    this.log.info('stopping: handing over leadership and announcing leave')
    await this.consensus.transferLeadership().catch(() => {})
    await this.membership.leave().catch(() => {})
    await new Promise(resolve => setTimeout(resolve, LEAVE_FLUSH_MS))
    this.dialer.stop()
    this.membership.stop()
    await this.adminService.stop().catch(() => {})
    await this.internalService.stop().catch(() => {})
    await this.work.stop().catch((err: unknown) => this.log.warn({ err: errorMessage(err) }, 'work stop failed'))
    await this.statusService.stop().catch(() => {})
    await this.consensus.stop().catch(() => {})
    await Promise.resolve(this.host.stop()).catch((err: unknown) => this.log.warn({ err: errorMessage(err) }, 'host stop failed'))
    await removeRuntimeFile(this.config.dataDir)
    await this.store.close()
    this.log.info('stopped')
  }

  /** Cancel a job mesh-wide (a control-log command; forwarded to the leader if need be). */
  async cancelJob (jobId: string): Promise<void> {
    const res = await this.adminService.handle({ jobCancel: { id: jobId } })
    if (res.code !== '') throw adminError(res, `cannot cancel ${jobId}: `)
  }

  statusSnapshot (): StatusResponse {
    const raft = this.consensus.status()
    const local = this.consensus.localState()
    return {
      peerId: this.peerId,
      name: this.config.name,
      version: VERSION,
      addrs: this.host.getMultiaddrs().map(a => a.toString()),
      uptimeMs: BigInt(Date.now() - this.startedAt),
      role: local.role,
      term: local.term,
      leader: local.leader,
      commitIndex: BigInt(raft?.commit ?? 0),
      appliedIndex: BigInt(raft?.applied ?? 0),
      voters: [...(raft?.conf.voters ?? [])],
      learners: [...(raft?.conf.learners ?? [])],
      formation: this.consensus.formation(),
      rssBytes: BigInt(process.memoryUsage.rss()),
      heapUsedBytes: BigInt(process.memoryUsage().heapUsed),
      mesh: this.config.mesh,
      incarnation: this.incarnation,
      load: this.work.engine.load,
      capabilities: [...this.work.engine.capabilities],
      peers: this.membership.view().map(p => ({ ...p, lastSeenMs: BigInt(p.lastSeenMs) })),
      counters: [...this.counters.entries(), ...this.consensus.counterEntries(), ...this.work.counterEntries()].map(([name, value]) => ({ name, value: BigInt(value) }))
    }
  }
}

async function prepareDataDir (dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 })
    await access(dir, fsConstants.R_OK | fsConstants.W_OK)
  } catch (err) {
    throw new MeshError('DATA_DIR_UNUSABLE', `data dir ${dir} is not usable: ${errorMessage(err)}. Pick another with --data-dir or fix its permissions.`, { cause: err })
  }
}

function listenError (err: unknown, listen: string[]): MeshError {
  if (isMeshError(err)) return err
  const text = errorMessage(err)
  const code = (err as any)?.code
  if (code === 'EADDRINUSE' || /EADDRINUSE|address already in use/i.test(text)) {
    return new MeshError('PORT_IN_USE', `cannot listen on ${listen.join(', ')}: the address is already in use. Stop the other process or pick another port with --listen.`, { cause: err })
  }
  return new MeshError('LISTEN_FAILED', `cannot listen on ${listen.join(', ')}: ${text}`, { cause: err })
}
