// Forced recovery of a cluster whose majority of voters is lost for good, in the manner of
// etcd's --force-new-cluster: on one stopped survivor, rewrite the persisted Raft state so
// that this node is the only voter. Everything it holds is kept: its log is folded into the
// control state (config, grants, job registry, deaths), exactly as a leader elected with this
// log would commit it, and saved as one snapshot. Every other member is declared dead for all
// its lives (node.dead at RECOVERY_INCARNATION): their lent work is re-run and their jobs
// re-homed where a replica exists, and none of them is ever let back in with its old data
// (an old member would carry the old configuration). Unsafe by nature: an entry committed
// only by the lost majority is gone. The CLI (src/node/cli/raft.ts) checks first that the
// node is stopped and that no old member answers.
import { applyConfChange, confState, decodeConfChange } from '../../consensus/confchange.js'
import { ControlState, encodeCommand } from '../../consensus/control.js'
import type { ConfState, Snapshot } from '../../consensus/types.js'
import { MeshError } from '../errors.js'
import { RaftStore } from './raft-store.js'
import type { Store } from './store.js'

/**
 * The incarnation the lost members are declared dead at: every life they could come back in,
 * so a member restarted with its old data is fenced instead of rejoining (it must rejoin with
 * a fresh data dir, as a new node).
 */
export const RECOVERY_INCARNATION = Number.MAX_SAFE_INTEGER
export const RECOVERY_REASON = 'lost: removed by a forced recovery (meshnode operator raft recover --force-new-cluster)'

/** What the persisted state says before a recovery. */
export interface RecoveryPlan {
  self: string
  /** The configuration the log puts in force (the snapshot's, then every conf entry). */
  conf: ConfState
  /** Every member but this node: removed and declared dead by the recovery. */
  lost: string[]
  /** Last index and term of this node's log, and how far it knew entries committed. */
  lastIndex: number
  lastTerm: number
  commit: number
  term: number
  /** Jobs in the registry after folding the whole log in. */
  jobs: number
}

export interface RecoveryResult extends RecoveryPlan {
  /** The snapshot the state was rewritten to: its index and term. */
  index: number
  newTerm: number
}

interface Folded {
  plan: RecoveryPlan
  control: ControlState
  rs: RaftStore
}

async function fold (store: Store, self: string): Promise<Folded> {
  const rs = await RaftStore.open(store)
  if (rs.isEmpty) throw new MeshError('NOT_FOUND', 'this data dir holds no cluster state: the node never founded or joined a cluster, so there is nothing to recover')
  const m = rs.mirror
  const snap = m.snapshot()
  const control = ControlState.restore(snap.data)
  let conf = confState(snap.metadata.confState.voters, snap.metadata.confState.learners)
  for (const e of m.entries(m.firstIndex(), m.lastIndex() + 1) ?? []) {
    if (e.type === 'conf') {
      const cc = decodeConfChange(e.data)
      if (cc == null) continue
      const next = applyConfChange(conf, cc)
      if (!next.ok) continue
      conf = next.next
      control.confApplied(e.index, cc)
    } else if (e.index > control.appliedIndex) {
      // Entries past the commit index this node knew are folded in too: a leader elected
      // with this log would commit them, and the lost majority may well have.
      control.apply(e.index, e.data)
    }
  }
  const hs = m.hardState()
  if (!conf.voters.includes(self) && !conf.learners.includes(self)) {
    throw new MeshError('NOT_FOUND', `this node (${self}) is not a member of the cluster its data dir remembers (voters ${conf.voters.join(', ') || 'none'}): recover on a node that is`)
  }
  const lost = [...conf.voters, ...conf.learners].filter(id => id !== self).sort()
  return {
    rs,
    control,
    plan: { self, conf, lost, lastIndex: m.lastIndex(), lastTerm: m.term(m.lastIndex()) ?? 0, commit: hs.commit, term: hs.term, jobs: control.jobs.size }
  }
}

/** What a recovery would do, without changing anything. */
export async function planRecovery (store: Store, self: string): Promise<RecoveryPlan> {
  return (await fold(store, self)).plan
}

/**
 * Rewrite this node's Raft state to a one-voter cluster of itself (see the top of the file).
 * The node must be stopped: the caller holds the store, which only one process can open.
 */
export async function forceNewCluster (store: Store, self: string, now: number = Date.now()): Promise<RecoveryResult> {
  const { plan, control, rs } = await fold(store, self)
  let index = Math.max(plan.lastIndex, control.appliedIndex)
  for (const peerId of plan.lost) {
    control.apply(++index, encodeCommand({ op: 'node.dead', peerId, incarnation: RECOVERY_INCARNATION, reason: RECOVERY_REASON, by: self, at: now }))
  }
  // Always one index past the log, so the snapshot never reuses a (term, index) pair.
  if (index === plan.lastIndex) control.apply(++index, new Uint8Array())
  const newTerm = Math.max(plan.term, plan.lastTerm) + 1
  const snapshot: Snapshot = { metadata: { index, term: newTerm, confState: { voters: [self], learners: [] } }, data: control.snapshot() }
  await rs.replace(snapshot, { term: newTerm, vote: null, commit: index }, [self])
  return { ...plan, jobs: control.jobs.size, index, newTerm }
}
