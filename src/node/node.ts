// MeshNode: one running meshnode. Opens the store, loads the identity, starts the libp2p host,
// builds the node's components and starts its services in the order they are listed; a stop
// runs every service's beforeStop (hand leadership over, announce leave), stops them in
// reverse (inbound traffic first), stops the host and closes the database last.
import type { PrivateKey } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { mkdir, access, constants as fsConstants } from 'node:fs/promises'
import { Registry } from 'prom-client'
import { VERSION } from '../version.js'
import type { StatusResponse } from '../wire/proto/status.js'
import type { NodeConfig } from './config.js'
import { Dialer } from './transport/dialer.js'
import { MeshError, errorMessage, isMeshError } from './errors.js'
import { createHost, type Host } from './transport/host.js'
import { Traffic } from './transport/traffic.js'
import { loadMeshKeyFile, mismatchLogger } from './transport/mesh-key.js'
import { loadOrCreateIdentity, loadOrCreateOperatorKey } from './store/identity.js'
import { AuditLog } from './access/audit.js'
import { trusted, type AccessView } from './access/policy.js'
import { SubmitQuota } from './access/quota.js'
import { securityOf, slotConfig } from './config.js'
import type { JobEntry } from '../consensus/control.js'
import { createLogger, type Logger } from './log.js'
import { AdminService } from './services/admin.js'
import { processCpuFull } from './services/cpu-sample.js'
import { ConsensusService, type ConsensusComponents } from './services/consensus.js'
import { Membership, type LocalState, type MembershipComponents } from './services/membership.js'
import { ProcessMetrics, SupervisionMetrics, WorkMetrics, createMetrics, registerEntries, registerNodeGauges, statusCounters, type Metrics } from './metrics.js'
import { removeRuntimeFile, writeRuntimeFile } from './store/runtime-file.js'
import { StatusService } from './services/status.js'
import { startAll, stopAll, type NamedService } from './services/startable.js'
import { Store } from './store/store.js'
import { InternalService } from './services/internal.js'
import { adminError } from './client/admin.js'
import { WorkService, type WorkComponents } from './services/work.js'
import { RetentionService } from './services/retention.js'
import { ApprovalService } from './services/approvals.js'
import { ScheduleService } from './services/schedules.js'
import { BUILTIN_HANDLERS, type Handlers } from '../work/executors.js'
import { closeHandlers, loadIsolatedHandlers } from '../work/isolation/index.js'
import { COMMANDS_CAPABILITY, capabilityOf } from '../work/spec.js'
import { HEARTBEAT_LIMITS } from '../wire/constants.js'
import type { DrainStatus } from '../wire/proto/admin.js'
import { Drain } from './drain.js'
import { EventLog } from './observe/events.js'
import { StuckWatch } from './services/stuck-watch.js'
import { ResourceMonitor } from './services/resource-monitor.js'
import { HeapTrim, workActivity } from './services/heap-trim.js'
import { watchMesh } from './observe/watch.js'
import { IncidentLog } from './observe/incident-log.js'
import { HttpService } from './http/server.js'
import { parseHttpOption } from './http/listen.js'
import { LatencyHistory } from './observe/history.js'
import { historyToWire } from './observe/stats.js'

const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

export interface StartOptions {
  logger?: Logger
  /** Handlers given in code (the library API), besides the built-ins and --handlers modules. */
  handlers?: Handlers
  /**
   * Give V8's young generation back once idle (src/node/services/heap-trim.ts). The CLI's
   * daemon only: it owns its process and started it with `--max-semi-space-size=16`; a
   * program that embeds a node keeps its own GC settings.
   */
  heapTrim?: boolean
}

/**
 * Everything a node is made of, built once in `MeshNode.start` (the js-libp2p components
 * pattern): each service takes the part of this it uses, so its dependencies are typed and
 * visible, and nothing is wired by hand through forward references.
 */
export interface NodeComponents {
  config: NodeConfig
  log: Logger
  /** The one metrics registry; a /metrics endpoint serves `registry.metrics()`. */
  registry: Registry
  metrics: Metrics
  store: Store
  host: Host
  privateKey: PrivateKey
  incarnation: bigint
  /** Everything this node advertises: --capabilities, handler:<name> per handler, commands. */
  capabilities: string[]
  handlers: Handlers
  dialer: Dialer
  membership: Membership
  consensus: ConsensusService
  work: WorkService
  /** The peer id of operator.key in the data dir: the local CLI, which may do anything here. */
  operatorId: string
  /** Who may do what: the local operator key and the committed grants. */
  access: AccessView
  audit: AuditLog
  quota: SubmitQuota
  /** What happened on the mesh as this node saw it: the /v1/events stream. */
  events: EventLog
  /** Per-minute task and job latencies of the last hour (`meshnode stats`, the dashboard's charts). */
  history: LatencyHistory
  /** What went wrong and what the mesh did about it (`meshnode incidents`, /v1/incidents). */
  incidents: IncidentLog
  /** Flags and diagnoses jobs homed here that stop progressing (job.stuck events). */
  stuck: StuckWatch
  /** Memory and disk against their limits: over one, the node takes no new work. */
  resources: ResourceMonitor
  /** Workflow approval gates: request them, hear their decisions, expire them (leader). */
  approvals: ApprovalService
}

/**
 * After a drain, the node lingers this long before it stops, so the client that asked for
 * the drain (polling every 250 ms) reads the final summary.
 */
const DRAIN_LINGER_MS = 1_000

export class MeshNode {
  readonly startedAt = Date.now()
  private stopping?: Promise<void>
  private drainer?: Drain
  private resolveStopped!: () => void
  /** Resolves once the node has stopped, whoever stopped it (a signal, a drain, the API). */
  readonly stopped = new Promise<void>(resolve => { this.resolveStopped = resolve })

  private constructor (
    private readonly c: NodeComponents,
    /** In start order; stopped in reverse (see services/startable.ts). */
    private readonly services: readonly NamedService[],
    private readonly admin: AdminService,
    private readonly http: HttpService,
    private readonly unwatch: () => void
  ) {}

  get peerId (): string {
    return this.c.host.peerId.toString()
  }

  get addrs (): string[] {
    return this.c.host.getMultiaddrs().map(a => a.toString())
  }

  get config (): NodeConfig {
    return this.c.config
  }

  get log (): Logger {
    return this.c.log
  }

  get work (): WorkService {
    return this.c.work
  }

  get registry (): Registry {
    return this.c.registry
  }

  get events (): EventLog {
    return this.c.events
  }

  /** Workflow approval gates (also reachable as `work.approvals`). */
  get approvals (): ApprovalService {
    return this.c.approvals
  }

  /** Where the node serves HTTP (HOST:PORT), or undefined when it does not. */
  get httpAddress (): string | undefined {
    return this.http.address
  }

  static async start (config: NodeConfig, opts: StartOptions = {}): Promise<MeshNode> {
    const log = opts.logger ?? createLogger(config.logLevel, { name: config.name })
    const slots = slotConfig(config)
    // Modules' handlers run in a pool of workers (--handler-isolation); code-given ones are
    // closures and stay on this event loop.
    const handlers: Handlers = {
      ...BUILTIN_HANDLERS,
      ...await loadIsolatedHandlers(config.handlers, {
        isolation: config.handlerIsolation,
        // Workers start when tasks need them: as many as the slots can grow to.
        size: slots.max,
        // None starts while this process keeps every core busy: another thread would only
        // time-slice them, its start-up CPU taken from the running tasks.
        cpuFull: processCpuFull(),
        onWorkerExit: ({ reason, taskId, detail }) => { log.warn({ taskId, detail }, reason === 'killed' ? 'killed a handler worker: its task did not stop when aborted' : 'a handler worker died') }
      }),
      ...opts.handlers
    }
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
    let host: Host | undefined
    try {
      const { key, created } = await loadOrCreateIdentity(config.dataDir)
      const operatorId = peerIdFromPrivateKey((await loadOrCreateOperatorKey(config.dataDir)).key).toString()
      const incarnation = await store.nextIncarnation()
      const meshKeys = await Promise.all(config.meshKey.map(loadMeshKeyFile))
      for (const k of meshKeys) if (k.warning != null) log.warn(k.warning)
      // Before the host: libp2p registers its own metrics into it as it builds its components.
      const registry = new Registry()
      const traffic = new Traffic()
      host = await createHost({
        privateKey: key,
        registry,
        traffic,
        listen: config.listen,
        mdns: config.mdns,
        ...(meshKeys.length > 0 ? { meshKeys: meshKeys.map(k => k.psk), onMeshKeyMismatch: mismatchLogger(line => { log.warn(line) }) } : {})
      })
      log.info({ peerId: host.peerId.toString(), created, incarnation: Number(incarnation) }, created ? 'created a new identity' : 'loaded identity')
      try {
        await host.start()
      } catch (err) {
        throw listenError(err, config.listen)
      }
      const remembered = (await store.peers.entries()).length > 0
      // Services are created in dependency order below; closures that read a later one (the
      // heartbeat's local state, the registry's collect callbacks) run only once all exist.
      const c: Partial<NodeComponents> = { config, log, store, host, privateKey: key, incarnation, capabilities, handlers, operatorId }
      c.registry = registry
      c.metrics = createMetrics(registry, {
        traffic,
        detector: () => c.membership?.detector.counters,
        raft: () => c.consensus?.core?.counters
      })
      registerNodeGauges(registry, {
        members: () => c.membership?.detector.all(),
        slots: () => c.work?.engine.slots,
        raft: () => {
          const st = c.consensus?.status()
          if (st == null) return undefined
          return { role: c.consensus!.localState().role, term: st.term, commit: st.commit, applied: st.applied }
        }
      })
      const workMetrics = new WorkMetrics(registry, (queued, running) => { c.work?.engine.countByType(queued, running) })
      const supervisionMetrics = new SupervisionMetrics(registry, () => c.work?.engine.circuits() ?? [])
      const processMetrics = new ProcessMetrics(registry)
      c.dialer = new Dialer({ host, log, metrics: c.metrics }, config.peers, config.expect > 1)
      // The work layer supplies load and stealable work; consensus supplies role, term, leader.
      const localState = (): LocalState => ({
        load: c.work?.engine.load ?? 0,
        queued: c.work?.engine.stealable ?? 0,
        slots: c.work?.engine.slots.slots ?? slots.min,
        draining: c.work?.engine.draining ?? false,
        // Handlers whose circuit is open here are not advertised (see WorkCore.capabilities).
        capabilities: c.work?.engine.capabilities ?? capabilities,
        ...(c.consensus?.localState() ?? { role: 'none', term: 0n, leader: '', bootstrapSet: [] })
      })
      c.membership = new Membership(c as MembershipComponents, {
        mesh: config.mesh,
        name: config.name,
        capabilities,
        incarnation,
        heartbeatMs: config.heartbeatMs,
        probeAfterMs: config.probeAfterMs,
        deadAfterMs: config.deadAfterMs,
        probeTimeoutMs: config.probeTimeoutMs,
        startedAt: Date.now(),
        localState,
        relay: config.gossipRelay
      })
      // A dial's time limit stretches as a probe's does: by this node's lag and the peer's.
      // (A bootstrap address whose peer is not known yet: this node's allowance alone.)
      const detector = c.membership.detector
      c.dialer.stretch = peer => detector.probeWaitMs(peer ?? '', 0)
      c.consensus = new ConsensusService(c as ConsensusComponents, {
        expect: config.expect,
        voterCap: config.voterCap,
        snapshotEvery: config.snapshotEvery,
        hasPeers: config.peers.length > 0 || remembered
      })
      traffic.isMember = peer => c.consensus?.membershipOf(peer) === 'member'
      c.history = new LatencyHistory(Date.now())
      c.events = new EventLog(Date.now)
      // Before the work layer, which asks for gates; its requests go through the admin table
      // (built below) as this node's operator, so a follower's are forwarded to the leader.
      let adminService: AdminService | undefined
      c.approvals = new ApprovalService({
        consensus: c.consensus,
        log,
        events: c.events,
        admin: async req => {
          if (adminService == null) return { code: 'STARTING', error: 'the node is still starting', leader: '' }
          return await adminService.handle(req, trusted(operatorId))
        }
      })
      c.work = new WorkService(c as WorkComponents, {
        incarnation: Number(incarnation),
        concurrency: slots.min,
        ...(slots.auto ? { autoConcurrency: { min: slots.min, max: slots.max } } : {}),
        capabilities,
        handlers,
        allowCommands: config.allowCommands,
        replicas: config.replicas,
        observer: workMetrics,
        history: c.history,
        supervision: {
          localAttempts: config['supervision.localAttempts'],
          restartsPerTypePerHour: config['supervision.restartsPerTypePerHour'],
          breakerFailures: config['supervision.breaker.failures'],
          breakerCoolDownMs: config['supervision.breaker.coolDownMs']
        }
      })
      c.work.engine.onNotice.push(n => { supervisionMetrics.notice(n) })
      const localOperators = new Set([operatorId])
      c.access = { localOperators, get grants () { return c.consensus!.control.grants } }
      c.audit = new AuditLog(store, host.peerId.toString())
      c.quota = new SubmitQuota(config.maxPendingJobs, id => {
        const state = (c.consensus!.control.jobs.get(id) as JobEntry | undefined)?.state
        return state == null || state === 'running'
      })
      c.consensus.onApplied.push((cmd, index) => {
        c.audit!.applied(index, cmd).catch((err: unknown) => { log.warn({ err: errorMessage(err) }, 'cannot write the audit log') })
      })
      const self = host.peerId.toString()
      c.stuck = new StuckWatch({
        engine: c.work.engine,
        membership: c.membership,
        isDead: peer => c.consensus!.control.dead.has(peer),
        quorumLastContactMs: () => c.consensus!.quorumContact().lastContactMs,
        events: c.events,
        log,
        self,
        now: Date.now
      }, {
        afterMs: config['stuck.afterMs'],
        // Open breakers held here: peers this node does not lend to, handlers it does not run.
        // (A peer's open handler circuit shows as that peer not offering the handler.)
        circuits: () => {
          const open = c.work!.engine.circuits().filter(b => b.state === 'open')
          return {
            openPeers: open.filter(b => b.kind === 'peer').map(b => b.target),
            openHandlers: open.filter(b => b.kind === 'handler').map(b => ({ node: self, type: b.target }))
          }
        }
      })
      c.work.engine.stuckOf = id => c.stuck!.view(id)
      c.work.engine.stuckJobs = () => c.stuck!.all()
      // The heap trim samples on the resource monitor's timer (both every 2 s): one wake-up.
      const heapTrim = opts.heapTrim === true ? new HeapTrim({
        working: workActivity(c.work.engine),
        ownTimer: false,
        onTrim: t => { log.debug({ ms: Math.round(t.ms), newSpaceBefore: t.newSpaceBefore, newSpaceAfter: t.newSpaceAfter }, 'heap trimmed: the young generation given back while idle') }
      }) : undefined
      c.resources = new ResourceMonitor({ dataDir: config.dataDir, engine: c.work.engine, events: c.events, log, self }, {
        maxRssBytes: config['resources.maxRssBytes'],
        minFreeDiskBytes: config['resources.minFreeDiskBytes'],
        ...(heapTrim != null ? { also: () => { heapTrim.check() } } : {})
      })
      c.incidents = new IncidentLog({ store, events: c.events, log, registry }, { self: host.peerId.toString(), maxAgeMs: config['incidents.maxAgeMs'], max: config['incidents.max'] })
      const components = c as NodeComponents
      registerEntries(components.registry, () => components.work.counterEntries())
      let node: MeshNode | undefined
      const status = new StatusService(components, () => node!.statusSnapshot())
      const admin = new AdminService(components)
      adminService = admin
      const internal = new InternalService(components, {
        membershipOf: peer => components.consensus.membershipOf(peer),
        admin: async (req, caller) => await admin.handle(req, trusted(caller), true),
        register: async (jobs, encoded) => { await components.work.registrar.proposeHere(jobs, encoded) },
        deathOpinions: (from, opinions, aliveIncarnation) => { components.consensus.deathOpinions(from, opinions, aliveIncarnation) },
        history: from => historyToWire(components.history.snapshot(from, Date.now()))
      })
      // Listed once, in start order: what others depend on first, inbound protocols and
      // dialing last. Stopping runs the reverse, so inbound traffic stops first; the
      // beforeStop hooks (hand leadership over, announce leave) run before any stop.
      const http = new HttpService({
        log,
        registry: components.registry,
        events: components.events,
        access: components.access,
        mesh: config.mesh,
        status: () => node!.statusSnapshot(),
        admin: async (req, caller) => await admin.handle(req, caller)
      }, parseHttpOption(config.http))
      const unwatch = watchMesh({ membership: components.membership, consensus: components.consensus, engine: components.work.engine, self: host.peerId.toString() }, components.events)
      const services: NamedService[] = [
        { name: 'process-metrics', service: processMetrics },
        // Before anything emits events: a restart's replayed deaths find their stored incidents.
        { name: 'incidents', service: components.incidents },
        { name: 'membership', service: components.membership },
        { name: 'consensus', service: components.consensus },
        { name: 'work', service: components.work },
        { name: 'stuck-jobs', service: components.stuck },
        { name: 'resources', service: components.resources },
        ...(heapTrim != null ? [{ name: 'heap-trim', service: heapTrim }] : []),
        { name: 'retention', service: new RetentionService(components.consensus, log) },
        { name: 'approvals', service: components.approvals },
        { name: 'schedules', service: new ScheduleService({ self, consensus: components.consensus, engine: components.work.engine, register: async entries => { await components.work.registrar.register(entries) }, log, metrics: components.metrics, events: components.events }) },
        { name: 'status', service: status },
        { name: 'internal', service: internal },
        { name: 'admin', service: admin },
        { name: 'http', service: http },
        { name: 'dialer', service: components.dialer }
      ]
      node = new MeshNode(components, services, admin, http, unwatch)
      const drainable = node
      admin.drainer = deadlineMs => drainable.drain(deadlineMs > 0 ? deadlineMs : undefined)
      await startAll(services, (name, err) => log.warn({ service: name, err: errorMessage(err) }, 'service stop failed'))
      await writeRuntimeFile(config.dataDir, {
        pid: process.pid,
        peerId: node.peerId,
        addrs: node.addrs,
        startedAt: new Date(node.startedAt).toISOString(),
        version: VERSION,
        ...(config.meshKey.length > 0 ? { meshKeyFiles: config.meshKey } : {}),
        ...(http.address != null ? { http: http.address } : {})
      })
      log.info({ addrs: node.addrs, mesh: config.mesh, security: securityOf(config), ...(http.address != null ? { http: `http://${http.address}/` } : {}) }, 'meshnode started')
      if (securityOf(config) === 'loopback-only') log.warn('listening on 127.0.0.1 only: create a mesh key with `meshnode keygen` to accept other hosts')
      if (securityOf(config) === 'insecure') log.warn('INSECURE: listening beyond loopback without a mesh key (--insecure); anyone who can reach this port can join the mesh')
      return node
    } catch (err) {
      await Promise.resolve(host?.stop()).catch(() => {})
      await store.close().catch(() => {})
      await closeHandlers(handlers)
      throw err
    }
  }

  /** Graceful stop; idempotent, so a second caller awaits the first stop. */
  async stop (): Promise<void> {
    this.stopping ??= this.doStop().finally(() => { this.resolveStopped() })
    await this.stopping
  }

  /**
   * Leave the mesh for good (src/node/drain.ts): hand work to peers, hand leadership over,
   * retire through the control log, announce `left` and stop. Starts the drain if none is
   * under way (deadline: --drain-deadline-ms unless given); answers where it stands.
   */
  drain (deadlineMs?: number): DrainStatus {
    if (this.drainer == null) {
      const { work, membership, consensus, log, host, operatorId } = this.c
      const self = host.peerId.toString()
      this.drainer = new Drain({
        work: work.engine,
        announce: () => { membership.announce() },
        livePeers: () => membership.view().filter(p => p.state === 'alive').length,
        transferLeadership: async () => await consensus.transferLeadership(2_000),
        retire: async reason => {
          if (consensus.status() == null) throw new Error('this node belongs to no cluster yet')
          consensus.retiring()
          // Right after a leadership transfer the new leader may not be known yet: retry briefly.
          const until = Date.now() + 10_000
          for (;;) {
            const res = await this.admin.handle({ nodeRetire: { peerId: self, incarnation: consensus.currentIncarnation, reason } }, trusted(operatorId))
            if (res.code === '') return
            if (Date.now() > until || !(res.code === 'NOT_LEADER' || res.code === 'NO_QUORUM')) throw adminError(res, 'cannot retire: ')
            await sleep(200)
          }
        },
        leaveRaft: async () => {
          // Out of the voter set through the log, so the voters left keep a majority without
          // this node. A leader hands leadership over first (the remove-peer command does).
          const until = Date.now() + 10_000
          for (;;) {
            const conf = consensus.status()?.conf
            if (conf != null && !conf.voters.includes(self) && !conf.learners.includes(self)) return
            const res = await this.admin.handle({ raftRemovePeer: { peerId: self } }, trusted(operatorId))
            if (res.code === '' || (res.code === 'NOT_FOUND' && consensus.status()?.role !== 'leader')) return
            if (Date.now() > until || !(res.code === 'NOT_LEADER' || res.code === 'NO_QUORUM')) throw adminError(res, 'cannot leave the voter set: ')
            await sleep(200)
          }
        },
        now: Date.now,
        sleep,
        log
      }, deadlineMs ?? this.c.config.drainDeadlineMs)
      void this.drainer.done.then(async () => {
        await sleep(DRAIN_LINGER_MS)
        await this.stop()
      })
    }
    return this.drainer.status()
  }

  /** The exit code of a process whose node drained (0 clean; see src/node/drain.ts), or undefined. */
  get drainExitCode (): number | undefined {
    return this.drainer?.exitCode
  }

  private async doStop (): Promise<void> {
    const { log, host, config, store } = this.c
    log.info('stopping: handing over leadership and announcing leave')
    this.unwatch()
    await stopAll(this.services, (name, err) => log.warn({ service: name, err: errorMessage(err) }, 'service stop failed'))
    await Promise.resolve(host.stop()).catch((err: unknown) => log.warn({ err: errorMessage(err) }, 'host stop failed'))
    await removeRuntimeFile(config.dataDir)
    // The database closes last: every service above may still write while it stops.
    await store.close()
    log.info('stopped')
  }

  /** Cancel a job mesh-wide (a control-log command; forwarded to the leader if need be). */
  async cancelJob (jobId: string): Promise<void> {
    const res = await this.admin.handle({ jobCancel: { id: jobId } }, trusted(this.c.operatorId))
    if (res.code !== '') throw adminError(res, `cannot cancel ${jobId}: `)
  }

  statusSnapshot (): StatusResponse {
    const raft = this.c.consensus.status()
    const local = this.c.consensus.localState()
    const quorum = this.c.consensus.quorumContact()
    return {
      peerId: this.peerId,
      name: this.c.config.name,
      version: VERSION,
      addrs: this.c.host.getMultiaddrs().map(a => a.toString()),
      uptimeMs: BigInt(Date.now() - this.startedAt),
      role: local.role,
      term: local.term,
      leader: local.leader,
      commitIndex: BigInt(raft?.commit ?? 0),
      appliedIndex: BigInt(raft?.applied ?? 0),
      voters: [...(raft?.conf.voters ?? [])],
      learners: [...(raft?.conf.learners ?? [])],
      formation: this.c.consensus.formation(),
      rssBytes: BigInt(process.memoryUsage.rss()),
      heapUsedBytes: BigInt(process.memoryUsage().heapUsed),
      mesh: this.c.config.mesh,
      security: securityOf(this.c.config),
      incarnation: this.c.membership.incarnation,
      load: this.c.work.engine.load,
      capabilities: [...this.c.work.engine.capabilities],
      peers: this.c.membership.view().map(p => ({ ...p, lastSeenMs: BigInt(p.lastSeenMs) })),
      counters: statusCounters(this.c.registry).map(([name, value]) => ({ name, value: BigInt(value) })),
      dead: [...this.c.consensus.deadPeers()].map(([peerId, d]) => ({ peerId, incarnation: BigInt(d.incarnation), reason: d.reason, index: BigInt(d.index) })),
      quorum: quorum.contact ? 'contact' : 'lost',
      ...(quorum.lastContactMs != null ? { quorumLastContactMs: BigInt(quorum.lastContactMs) } : {}),
      draining: this.c.work.engine.draining,
      http: this.http.address ?? '',
      circuits: this.c.work.engine.circuits().map(c => ({ kind: c.kind, target: c.target, state: c.state, failures: c.failures, sinceMs: BigInt(Math.floor(c.since)), retryAtMs: BigInt(Math.floor(c.retryAt ?? 0)), reason: c.reason })),
      resources: resourceStatus(this.c.resources.status(), this.c.work.engine.writeFailure?.error),
      stuckJobs: this.c.stuck.tracker.all().size
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

function resourceStatus (r: ReturnType<ResourceMonitor['status']>, writeError: string | undefined): NonNullable<StatusResponse['resources']> {
  return {
    ...(writeError != null ? { writeError } : {}),
    rssBytes: BigInt(r.rssBytes),
    maxRssBytes: BigInt(Number.isFinite(r.maxRssBytes) ? r.maxRssBytes : 0),
    ...(r.freeDiskBytes != null ? { freeDiskBytes: BigInt(Math.floor(r.freeDiskBytes)) } : {}),
    minFreeDiskBytes: BigInt(r.minFreeDiskBytes),
    pressure: [...r.pressure]
  }
}
