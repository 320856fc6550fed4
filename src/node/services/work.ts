// The work layer's node service: owns the WorkShell (work-shell.ts, which drives the sans-I/O
// WorkCore), serves /meshnode/work/1.0.0, gives the shell a libp2p WorkNet, the control log as
// its Registry and the heartbeats as its view of peers, and
// tells the mesh promptly when this node has work to steal (an extra heartbeat, throttled),
// so idle peers do not wait a whole heartbeat interval to find it.
import type { JobEntry } from '../../consensus/control.js'
import { mulberry32 } from '../../prng.js'
import type { Handlers } from '../../work/executors.js'
import { WorkStore } from '../store/work-store.js'
import type { ConsensusService } from './consensus.js'
import type { Metrics } from '../metrics.js'
import type { Host } from '../transport/host.js'
import type { Logger } from '../log.js'
import type { Membership } from './membership.js'
import { Registrar } from './registrar.js'
import { WorkShell, type AutoConcurrency, type PeerInfo, type WorkObserver } from './work-shell.js'
import type { SupervisionConfig } from '../../work/core.js'
import { WorkTransport } from '../transport/work-transport.js'
import type { Store } from '../store/store.js'
import type { LatencyHistory } from '../observe/history.js'
import type { Approvals } from './approvals.js'

export interface WorkServiceInit {
  incarnation: number
  concurrency: number
  /** --concurrency auto: the slots follow the CPU and queue between these bounds. */
  autoConcurrency?: AutoConcurrency
  capabilities: string[]
  handlers: Handlers
  allowCommands: boolean
  /** Copies of each job's definition in the mesh, this node's included. */
  replicas?: number
  /** The node's work metrics (WorkMetrics). */
  observer?: WorkObserver
  /** Where attempts and finished jobs are recorded (`meshnode stats`). */
  history?: LatencyHistory
  /** The escalation ladder and circuit breakers (supervision.* start options). */
  supervision?: SupervisionConfig
}

/**
 * Least time between two extra heartbeats announcing new stealable work. Every heartbeat
 * costs each peer a signature check, so a node whose queue flaps must not flood the mesh.
 */
const ANNOUNCE_EVERY_MS = 250
/** How long the engine's view of peers is reused: it is asked after every task. */
const PEERS_CACHE_MS = 50

/** What the work service uses of the node. */
export interface WorkComponents {
  host: Host
  store: Store
  membership: Membership
  consensus: ConsensusService
  log: Logger
  metrics: Metrics
  /** Workflow approval gates (src/node/services/approvals.ts), for the work shell's gate steps. */
  approvals?: Approvals
}

export class WorkService {
  /** The work core's shell: runs its executors, persists and sends for it. */
  readonly engine: WorkShell
  readonly registrar: Registrar
  /** Approval gates: `request(req)` when a gate step is reached, `onDecided(cb)` for the outcome. */
  readonly approvals?: Approvals
  private readonly transport: WorkTransport
  private peersCache: { at: number, peers: PeerInfo[] } = { at: -Infinity, peers: [] }
  private lastAnnounce = 0
  private advertised = 0

  private readonly membership: Membership
  private readonly consensus: ConsensusService

  constructor (components: WorkComponents, init: WorkServiceInit) {
    const { host, store, consensus, log, metrics } = components
    ;({ membership: this.membership, consensus: this.consensus } = components)
    if (components.approvals != null) this.approvals = components.approvals
    this.registrar = new Registrar(host, consensus)
    const self = host.peerId.toString()
    this.transport = new WorkTransport(host, log, metrics, async (from, req) => await this.engine.handle(from, req), peer => consensus.membershipOf(peer) === 'member')
    this.engine = new WorkShell(new WorkStore(store, self), {
      call: async (peer, req) => await this.transport.call(peer, req)
    }, {
      register: async entries => { await this.registrar.register(entries) },
      entry: jobId => consensus.control.jobs.get(jobId) as JobEntry | undefined,
      isDead: peer => consensus.control.dead.has(peer),
      memberCount: () => {
        const conf = consensus.status()?.conf
        return conf == null ? undefined : conf.voters.length + conf.learners.length
      },
      // Workflow gates: asked through the approval service, read from the control state.
      approval: id => consensus.control.approval(id),
      ...(this.approvals != null ? { requestApproval: req => { this.approvals!.request(req) } } : {})
    }, {
      self,
      incarnation: init.incarnation,
      concurrency: init.concurrency,
      ...(init.autoConcurrency != null ? { autoConcurrency: init.autoConcurrency } : {}),
      capabilities: init.capabilities,
      handlers: init.handlers,
      allowCommands: init.allowCommands,
      ...(init.replicas != null ? { replicas: init.replicas } : {}),
      ...(init.observer != null ? { observer: init.observer } : {}),
      ...(init.history != null ? { history: init.history } : {}),
      ...(init.supervision != null ? { supervision: init.supervision } : {}),
      peers: () => this.peers(),
      rng: mulberry32(Number.parseInt(self.slice(-8), 36) ^ Date.now()),
      now: Date.now,
      log
    })
  }

  async start (): Promise<void> {
    await this.engine.start()
    // Decisions (and those taken while this node was down) move the workflows homed here on.
    this.approvals?.onDecided(rec => { this.engine.approvalDecided(rec) })
    await this.transport.start()
    this.membership.onHeartbeat.push((peerId, hb) => {
      if (hb.queued > 0) this.engine.peerAdvertised(peerId)
    })
    this.consensus.onApplied.push((cmd, index) => {
      if (cmd.op === 'job.cancel') this.engine.cancelJob(cmd.jobId)
      // Retention: delete the local records of the jobs the registry forgot (off the apply path).
      else if (cmd.op === 'jobs.delete') void this.engine.forgetJobs(cmd.jobIds, cmd.resultsOnly === true)
      // Only a declaration that took effect (not a stale one about an older incarnation).
      // Deaths committed before this start, or installed with a snapshot, the work core finds
      // itself through the registry (on restore and at maintenance).
      else if (cmd.op === 'node.dead' && this.consensus.control.dead.get(cmd.peerId)?.index === index) this.engine.peerDead(cmd.peerId)
    })
    // Jobs whose home was declared dead, moved to a replica holder (maybe this node).
    this.consensus.onJobsMoved.push(moves => { this.engine.jobsMoved(moves) })
    // Declared dead ourselves (a pause, a cut): the lenders re-run what they lent us.
    this.consensus.onDeclaredDead.push(() => { this.engine.declaredDead() })
    // Cut off from a majority: fenced (no submits, no stealing or lending) until back.
    this.engine.quorumContact(this.consensus.quorumContact().contact)
    this.consensus.onQuorumContact.push(has => { this.engine.quorumContact(has) })
    // Checked after every change of the core instead of every 50 ms: an idle node never looks.
    this.engine.onDriven.push(() => { this.maybeAnnounce() })
  }

  async stop (): Promise<void> {
    await this.transport.stop()
    await this.engine.stop()
  }

  /** Counters for status: the engine's, named like the node's. */
  counterEntries (): Array<[string, number]> {
    const c = this.engine.counters
    const s = this.engine.stats()
    return [
      ['work_tasks_run_total', c.tasksRun],
      ['work_tasks_failed_total', c.tasksFailed],
      ['work_tasks_retried_total', c.tasksRetried],
      ['work_steals_sent_total', c.stealsSent],
      ['work_steals_granted_total', c.stealsGranted],
      ['work_steals_refused_total', c.stealsRefused],
      ['work_tasks_stolen_total', c.tasksStolen],
      ['work_tasks_lent_total', c.tasksLent],
      ['work_batches_resent_total', c.batchesResent],
      ['work_results_sent_total', c.resultsSent],
      ['work_orphaned_handlers_total', c.orphanedHandlers],
      ['work_rejected_messages_total', c.rejectedMessages],
      ['work_tasks_reclaimed_total', c.tasksReclaimed],
      ['work_tasks_abandoned_total', c.tasksAbandoned],
      ['work_duplicate_results_total', this.engine.jobs.duplicates],
      ['work_queued', s.queued],
      ['work_running', s.running],
      ['work_lent_batches', s.lent],
      ['work_outbox', s.outbox],
      ['work_active_jobs', s.activeJobs],
      ['work_replicas_held', s.replicas]
    ]
  }

  /** A node that just got stealable work says so at once instead of at the next heartbeat. */
  private maybeAnnounce (): void {
    const stealable = this.engine.stealable
    const now = Date.now()
    if (stealable > 0 && this.advertised === 0 && now - this.lastAnnounce >= ANNOUNCE_EVERY_MS) {
      this.lastAnnounce = now
      this.membership.announce()
    }
    this.advertised = stealable
  }

  private peers (): PeerInfo[] {
    const now = Date.now()
    if (now - this.peersCache.at < PEERS_CACHE_MS) return this.peersCache.peers
    const peers: PeerInfo[] = []
    // The detector's members, not view(): view() builds every PeerView with a connection lookup
    // per peer, and this runs on every work timer (maintenance twice a second at rest).
    for (const p of this.membership.detector.all()) {
      if (p.state !== 'alive') continue
      const hb = this.membership.heartbeatOf(p.peerId)
      peers.push({ peerId: p.peerId, queued: hb?.queued ?? 0, capabilities: hb?.capabilities ?? [], draining: hb?.draining ?? false })
    }
    this.peersCache = { at: now, peers }
    return peers
  }
}
