// Membership operations of the CLI, in the manner of `nomad operator raft` / `etcdctl member`:
//   meshnode members                        every node a node knows: state, voter/learner/none
//   meshnode operator raft list-peers       the Raft configuration, who leads, match indexes
//   meshnode operator raft remove-peer ID   a single-server change through the leader
//   meshnode operator raft recover --force-new-cluster
//                                           unsafe: a stopped survivor becomes a cluster of one
// `members` reads the status protocol (anyone may); list-peers and remove-peer are admin
// commands (raftListPeers, raftRemovePeer); recover works on a stopped node's data dir.
import type { Command } from 'commander'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { join } from 'node:path'
import type { Libp2p } from 'libp2p'
import { majority } from '../../consensus/confchange.js'
import type { RaftPeers } from '../../wire/proto/admin.js'
import { fetchStatus } from '../client/status.js'
import { formatDuration, type StatusJson } from '../client/status-json.js'
import { CLIENT_ENV } from '../client/credentials.js'
import { defaultDataDir } from '../config.js'
import { MeshError, errorMessage } from '../errors.js'
import { IDENTITY_FILE, loadKeyFile } from '../store/identity.js'
import { forceNewCluster, planRecovery, type RecoveryPlan } from '../store/raft-recover.js'
import { readRuntimeFile } from '../store/runtime-file.js'
import { Store } from '../store/store.js'
import { loadMeshKeyFile } from '../transport/mesh-key.js'
import { createCaller } from '../transport/rpc.js'
import { table } from './table.js'
import { clientTarget, withTarget, type Admin, type CliOutput, type TargetOptions } from './target.js'

/** One row of `meshnode members --json` (stable: add fields, never rename). */
export interface MemberJson {
  peerId: string
  name: string
  addrs: string[]
  state: string
  /** voter | learner | none (not in the Raft configuration: a client-less joiner, a removed or foreign node). */
  suffrage: 'voter' | 'learner' | 'none'
  leader: boolean
  /** The node that answered. */
  self: boolean
  lastSeenMs: number
  draining: boolean
}

/** Every node the answering node knows (itself first), from its status. */
export function membersOf (s: StatusJson): MemberJson[] {
  const suffrage = (id: string): MemberJson['suffrage'] => s.voters.includes(id) ? 'voter' : s.learners.includes(id) ? 'learner' : 'none'
  const self: MemberJson = { peerId: s.peerId, name: s.name, addrs: s.addrs, state: 'alive', suffrage: suffrage(s.peerId), leader: s.leader === s.peerId, self: true, lastSeenMs: 0, draining: s.draining }
  const rows: MemberJson[] = s.peers.map(p => ({ peerId: p.peerId, name: p.name, addrs: p.addrs, state: p.state, suffrage: suffrage(p.peerId), leader: s.leader === p.peerId, self: false, lastSeenMs: p.lastSeenMs, draining: p.draining }))
  // Members of the configuration this node never heard from still belong on the list.
  const known = new Set([s.peerId, ...s.peers.map(p => p.peerId)])
  for (const id of [...s.voters, ...s.learners]) {
    if (!known.has(id)) rows.push({ peerId: id, name: '', addrs: [], state: 'unknown', suffrage: suffrage(id), leader: s.leader === id, self: false, lastSeenMs: 0, draining: false })
  }
  return [self, ...rows]
}

export function formatMembers (rows: MemberJson[]): string {
  return table([
    ['NAME', 'STATE', 'RAFT', 'LAST SEEN', 'ADDRESS', 'PEER ID'],
    ...rows.map(r => [
      `${r.name || '?'}${r.self ? ' (this node)' : ''}`,
      `${r.state}${r.draining && r.state === 'alive' ? ' (draining)' : ''}`,
      `${r.suffrage}${r.leader ? ' (leader)' : ''}`,
      r.self ? '-' : r.state === 'unknown' ? 'never' : formatDuration(r.lastSeenMs),
      r.addrs[0] ?? '-',
      r.peerId
    ])
  ])
}

/** The stable JSON of `operator raft list-peers --json`. */
export function raftPeersJson (r: RaftPeers): Record<string, unknown> {
  return {
    leader: r.leader === '' ? null : r.leader,
    term: r.term,
    commitIndex: r.commitIndex,
    quorum: r.quorum,
    answeredBy: r.answeredBy,
    peers: r.peers.map(p => ({ peerId: p.peerId, name: p.name, suffrage: p.suffrage, state: p.state, leader: p.leader, matchIndex: p.matchIndex ?? null, addrs: p.addrs, lastSeenMs: p.lastSeenMs }))
  }
}

export function formatRaftPeers (r: RaftPeers): string {
  const voters = r.peers.filter(p => p.suffrage === 'voter')
  const alive = voters.filter(p => p.state === 'alive').length
  return table([
    ['NAME', 'PEER ID', 'RAFT', 'STATE', 'LEADER', 'MATCH'],
    ...r.peers.map(p => [p.name || '?', p.peerId, p.suffrage, p.state, p.leader ? 'yes' : '', p.matchIndex != null ? String(p.matchIndex) : '-'])
  ]) + `term ${r.term}, commit ${r.commitIndex}; ${voters.length} voters, ${r.quorum} needed for a quorum, ${alive} alive` +
    `${r.leader === '' ? `; NO LEADER${alive < r.quorum ? ` — quorum lost (${alive} of ${voters.length} voters alive): see meshnode status` : ''}` : ''}${r.peers.some(p => p.matchIndex != null) ? '' : ' (match indexes: only the leader knows them, and it did not answer)'}\n`
}

export interface RecoverOptions {
  dataDir?: string
  forceNewCluster?: boolean
  yesIKnow?: boolean
  dryRun?: boolean
  meshKey?: string[]
  probeTimeoutMs?: string
  json?: boolean
}

/** How long recover waits for each old member's status answer. */
const PROBE_TIMEOUT_MS = 3_000

export function addRaftCommands (program: Command, admin: Admin, io: CliOutput, env: NodeJS.ProcessEnv): void {
  withTarget(program.command('members'), false)
    .description('list every node the mesh knows: id, name, addresses, state, voter/learner/none, last seen')
    .option('--json', 'print JSON (an array, this node first)')
    .action(async (opts: TargetOptions) => {
      const rows = membersOf(await fetchStatus(clientTarget(opts, env)))
      io.out(opts.json === true ? JSON.stringify(rows, null, 2) + '\n' : formatMembers(rows))
    })

  const operator = program.commands.find(c => c.name() === 'operator') ?? program.command('operator')
  const raft = operator.command('raft')
    .description('Raft membership: list the voters and learners, remove a peer, recover from a lost quorum')
  withTarget(raft.command('list-peers'))
    .description('list the voters and learners with their state, the leader, and each one\'s match index (from the leader)')
    .action(async (opts: TargetOptions) => {
      const r = await admin(opts, 'raftListPeers', {})
      io.out(opts.json === true ? JSON.stringify(raftPeersJson(r), null, 2) + '\n' : formatRaftPeers(r))
    })
  withTarget(raft.command('remove-peer <peer-id>'))
    .description('remove a voter or learner from the Raft configuration through the log (operator right); for nodes gone for good — a live one is added again, drain it instead')
    .action(async (peerId: string, opts: TargetOptions) => {
      const r = await admin(opts, 'raftRemovePeer', { peerId })
      const out = { peerId, index: r.index, voters: r.voters, learners: r.learners, leadershipTransferred: r.leadershipTransferred }
      io.out(opts.json === true
        ? JSON.stringify(out, null, 2) + '\n'
        : `removed ${peerId} at log index ${r.index}${r.leadershipTransferred ? ' (it led: leadership was handed over first)' : ''}; ` +
          `voters now ${r.voters.length} (${majority(r.voters.length)} needed for a quorum): ${r.voters.join(', ')}\n`)
    })
  raft.command('recover')
    .description('UNSAFE: make this stopped node the only voter of a new cluster, keeping its log, jobs, config and grants; for a majority of voters lost for good (README: Recovering from a lost quorum)')
    .option('--force-new-cluster', 'required: rewrite the Raft configuration to this node alone')
    .option('--data-dir <dir>', 'the stopped node\'s data dir (default ~/.meshnode)')
    .option('--yes-i-know', 'required: confirm that entries only the lost voters held are lost, and that they must never start again with their old data')
    .option('--dry-run', 'print what would change and probe the old members; change nothing')
    .option('--mesh-key <file>', 'the mesh key to probe the old members with (env MESHNODE_MESH_KEY_FILE)', (v: string, prev: string[] | undefined) => [...(prev ?? []), v], undefined)
    .option('--probe-timeout-ms <ms>', `how long to wait for each old member's answer (default ${PROBE_TIMEOUT_MS})`)
    .option('--json', 'print JSON')
    .action(async (opts: RecoverOptions) => {
      await recover(opts, io, env)
    })
}

async function recover (opts: RecoverOptions, io: CliOutput, env: NodeJS.ProcessEnv): Promise<void> {
  if (opts.forceNewCluster !== true) throw new MeshError('USAGE', 'recover needs --force-new-cluster: the only recovery it offers is to make this node a cluster of one')
  if (opts.dryRun !== true && opts.yesIKnow !== true) {
    throw new MeshError('USAGE', 'recover --force-new-cluster is unsafe: entries only the lost voters held are lost, and they must never start again with their old data. ' +
      'Read README "Recovering from a lost quorum", try --dry-run, then add --yes-i-know')
  }
  const probeTimeoutMs = opts.probeTimeoutMs == null ? PROBE_TIMEOUT_MS : Number(opts.probeTimeoutMs)
  if (!(Number.isInteger(probeTimeoutMs) && probeTimeoutMs > 0)) throw new MeshError('USAGE', `invalid --probe-timeout-ms "${opts.probeTimeoutMs}": expected a positive whole number`)
  const dataDir = opts.dataDir ?? defaultDataDir(env)
  const self = peerIdFromPrivateKey(await loadKeyFile(join(dataDir, IDENTITY_FILE)).catch((err: unknown) => {
    throw new MeshError('NOT_FOUND', `no node identity in ${dataDir} (${errorMessage(err)}): is this a meshnode data dir?`)
  })).toString()
  const runtime = await readRuntimeFile(dataDir).catch(() => undefined)
  let store: Store
  try {
    store = await Store.open(dataDir)
  } catch (err) {
    if (err instanceof MeshError && err.code === 'DATA_DIR_LOCKED') {
      throw new MeshError('DATA_DIR_LOCKED', `the node of ${dataDir} is running${runtime != null ? ` (pid ${runtime.pid})` : ''}: stop it first (kill -USR2 PID stops it without draining), then recover`, { cause: err })
    }
    throw err
  }
  try {
    const plan = await planRecovery(store, self)
    const known = new Map((await store.peers.entries()).map(([id, p]) => [id, p.addrs]))
    const probes = await probeMembers(plan, known, await meshKeys(opts.meshKey ?? (env[CLIENT_ENV.meshKeyFile] != null && env[CLIENT_ENV.meshKeyFile] !== '' ? env[CLIENT_ENV.meshKeyFile]!.split(',') : runtime?.meshKeyFiles)), probeTimeoutMs)
    const answered = probes.filter(p => p.answered)
    const voters = plan.conf.voters
    const answeringVoters = answered.filter(p => voters.includes(p.peerId)).length + (voters.includes(self) ? 1 : 0)
    for (const p of probes) io.err(`old member ${p.peerId}: ${p.answered ? 'ANSWERS' : 'no answer'} (${p.detail})\n`)
    if (answeringVoters >= majority(voters.length)) {
      throw new MeshError('QUORUM_REACHABLE', `${answeringVoters} of ${voters.length} voters answer (this node included): the quorum is not lost. Start this node again; to drop a dead voter use meshnode operator raft remove-peer`)
    }
    if (answered.length > 0) {
      throw new MeshError('MEMBERS_RUNNING', `old members still answer (${answered.map(p => p.peerId).join(', ')}): they would go on with the old configuration. ` +
        'Stop them first; after the recovery they rejoin only with a fresh data dir')
    }
    const summary = { dataDir, self, votersBefore: voters, learnersBefore: plan.conf.learners, lost: plan.lost, lastIndex: plan.lastIndex, commitIndex: plan.commit, jobs: plan.jobs }
    if (opts.dryRun === true) {
      io.out(opts.json === true
        ? JSON.stringify({ dryRun: true, ...summary }, null, 2) + '\n'
        : `dry run: ${self} would become the only voter; ${plan.lost.length} member(s) removed and declared dead: ${plan.lost.join(', ') || 'none'}; ` +
          `its log to index ${plan.lastIndex} (commit ${plan.commit}) kept with ${plan.jobs} job(s). Nothing was changed.\n`)
      return
    }
    const r = await forceNewCluster(store, self)
    io.out(opts.json === true
      ? JSON.stringify({ recovered: true, ...summary, jobs: r.jobs, index: r.index, term: r.newTerm }, null, 2) + '\n'
      : `recovered: ${self} is now the only voter (snapshot at index ${r.index}, term ${r.newTerm}); ` +
        `removed and declared dead: ${plan.lost.join(', ') || 'none'}; kept ${r.jobs} job(s), config and grants.\n` +
        `Next: start this node (meshnode start --data-dir ${dataDir} ...). It leads alone; other nodes join it with FRESH data dirs, never their old ones.\n`)
  } finally {
    await store.close()
  }
}

interface Probe { peerId: string, answered: boolean, detail: string }

/** Ask every old member for its status at the addresses this node remembers. */
async function probeMembers (plan: RecoveryPlan, known: Map<string, string[]>, keys: Uint8Array[] | undefined, timeoutMs: number): Promise<Probe[]> {
  if (plan.lost.length === 0) return []
  const client: Libp2p = await createCaller(keys != null ? { meshKeys: keys } : {})
  try {
    return await Promise.all(plan.lost.map(async (peerId): Promise<Probe> => {
      const addrs = known.get(peerId) ?? []
      if (addrs.length === 0) return { peerId, answered: false, detail: 'no address known' }
      const errors: string[] = []
      for (const addr of addrs) {
        try {
          const s = await fetchStatus({ peer: addr.includes('/p2p/') ? addr : `${addr}/p2p/${peerId}`, timeoutMs }, client)
          return { peerId, answered: true, detail: `${s.name} at ${addr}, role ${s.role}` }
        } catch (err) {
          const text = errorMessage(err)
          // A node that refuses our mesh key is running all the same.
          if (/mesh key/i.test(text)) return { peerId, answered: true, detail: `refuses the mesh key at ${addr}: pass --mesh-key` }
          errors.push(text)
        }
      }
      return { peerId, answered: false, detail: errors[0] ?? 'no answer' }
    }))
  } finally {
    await client.stop()
  }
}

async function meshKeys (files: string[] | undefined): Promise<Uint8Array[] | undefined> {
  if (files == null || files.length === 0) return undefined
  return await Promise.all(files.map(async f => (await loadMeshKeyFile(f)).psk))
}
