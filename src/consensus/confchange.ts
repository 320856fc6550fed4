// Single-server membership changes: their byte encoding inside `conf` log entries and how one
// change turns a configuration into the next. A change alters the voter set by at most one
// node, so any majority of the old set overlaps any majority of the new one; that is what
// lets a change take effect as soon as it is appended (Raft dissertation §4.1).

import type { ConfChange, ConfChangeType, ConfState, NodeId } from './types.js'

const TYPE_CODES: Record<ConfChangeType, number> = {
  addVoter: 1,
  addLearner: 2,
  promote: 3,
  remove: 4
}

const TYPES_BY_CODE = new Map<number, ConfChangeType>(
  Object.entries(TYPE_CODES).map(([type, code]) => [code, type as ConfChangeType])
)

/** Node ids are libp2p PeerId strings (~52 chars); this bound only stops absurd input. */
export const MAX_NODE_ID_BYTES = 256

const utf8 = new TextEncoder()
const utf8Strict = new TextDecoder('utf-8', { fatal: true })

/** Layout: version byte 1, type code byte, then the node id as UTF-8 to the end. */
export function encodeConfChange (cc: ConfChange): Uint8Array {
  const id = utf8.encode(cc.nodeId)
  const out = new Uint8Array(2 + id.length)
  out[0] = 1
  out[1] = TYPE_CODES[cc.type]
  out.set(id, 2)
  return out
}

/** Returns undefined for bytes that are not a well-formed change (never throws). */
export function decodeConfChange (data: Uint8Array): ConfChange | undefined {
  if (data.length < 3 || data.length > 2 + MAX_NODE_ID_BYTES || data[0] !== 1) return undefined
  const type = TYPES_BY_CODE.get(data[1] ?? 0)
  if (type === undefined) return undefined
  let nodeId: string
  try {
    nodeId = utf8Strict.decode(data.subarray(2))
  } catch {
    return undefined
  }
  return { type, nodeId }
}

export type ConfChangeCheck =
  | { readonly ok: true, readonly next: ConfState }
  | { readonly ok: false, readonly reason: string }

/**
 * The configuration after `cc`, or why the change is refused. Refused changes are those that
 * would be no-ops or leave no voter; the leader refuses them at proposal time, and a refused
 * change that reaches the log anyway (a faulty leader) is ignored by every node alike.
 */
export function applyConfChange (conf: ConfState, cc: ConfChange): ConfChangeCheck {
  const isVoter = conf.voters.includes(cc.nodeId)
  const isLearner = conf.learners.includes(cc.nodeId)
  switch (cc.type) {
    case 'addVoter':
      if (isVoter) return { ok: false, reason: `${cc.nodeId} is already a voter` }
      if (isLearner) return { ok: false, reason: `${cc.nodeId} is a learner; promote it instead` }
      return { ok: true, next: confState([...conf.voters, cc.nodeId], conf.learners) }
    case 'addLearner':
      if (isVoter) return { ok: false, reason: `${cc.nodeId} is a voter; demotion is not supported` }
      if (isLearner) return { ok: false, reason: `${cc.nodeId} is already a learner` }
      return { ok: true, next: confState(conf.voters, [...conf.learners, cc.nodeId]) }
    case 'promote':
      if (!isLearner) return { ok: false, reason: `${cc.nodeId} is not a learner` }
      return {
        ok: true,
        next: confState([...conf.voters, cc.nodeId], conf.learners.filter((id) => id !== cc.nodeId))
      }
    case 'remove':
      if (!isVoter && !isLearner) return { ok: false, reason: `${cc.nodeId} is not a member` }
      if (isVoter && conf.voters.length === 1) {
        return { ok: false, reason: `${cc.nodeId} is the last voter` }
      }
      return {
        ok: true,
        next: confState(
          conf.voters.filter((id) => id !== cc.nodeId),
          conf.learners.filter((id) => id !== cc.nodeId)
        )
      }
  }
}

/** A configuration in canonical form (sorted, distinct, learners disjoint from voters). */
export function confState (voters: Iterable<NodeId>, learners: Iterable<NodeId> = []): ConfState {
  const v = [...new Set(voters)].sort()
  const l = [...new Set(learners)].filter((id) => !v.includes(id)).sort()
  return { voters: v, learners: l }
}

export function sameVoters (a: readonly NodeId[], b: readonly NodeId[]): boolean {
  if (a.length !== b.length) return false
  const set = new Set(a)
  return b.every((id) => set.has(id))
}

/** Number of nodes in one voter set but not the other. */
export function voterDistance (a: readonly NodeId[], b: readonly NodeId[]): number {
  const sa = new Set(a)
  const sb = new Set(b)
  let d = 0
  for (const id of sa) if (!sb.has(id)) d++
  for (const id of sb) if (!sa.has(id)) d++
  return d
}

/** The smallest number of voters that is a majority of `n`. */
export function majority (n: number): number {
  return Math.floor(n / 2) + 1
}
