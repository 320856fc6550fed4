// Deciding how a node with an empty Raft log becomes a member: found a cluster, wait, or
// ask to join an existing one. Pure, so every rule is unit-tested.
//
// Founding follows Consul's bootstrap_expect: with --expect N, a node waits until it sees
// N not-yet-clustered nodes (itself included), proposes the N lowest ids as the founding set,
// and advertises that set in its heartbeat. It founds only when every other member of the set
// advertises exactly the same set, so founders agree on the configuration before any of them
// writes it. The founding configuration makes the lowest ids of the set voters — all N, or the
// voter cap's worth when N is larger (--voter-cap, 5) — and the others learners, all in the
// same founding entries, so every founder has its Raft core at once and none waits to be
// added one change at a time. The founders agree on that count as on the set (it rides in the
// heartbeat beside it): two founders with different caps would otherwise write different
// entries at the same log indexes. 50 founders as 50 voters never elected a leader on two
// cores (a pre-vote needs 26 answers over direct connections from starved processes), and
// five voters with 45 learners added one by one took minutes (BENCHMARKS.md, issue 14, stops
// 41–42). A node alone with no peers to look for founds a
// single-node cluster at once (the embedded default). Founders keep advertising their set
// after founding while some founder is not seen in a cluster (alive, heartbeat term > 0),
// so one that saw the agreement late (its peers already hold a term) still founds with the
// identical set instead of waiting to be added as a learner (advertiseFounders). Once every
// founder is seen clustered nobody needs the set: heartbeats carry an empty one, instead of
// N ids from each of N nodes to N receivers forever (issue 14). A founder that comes back
// unclustered under its old id (it is no longer seen clustered) brings the set back. A wiped
// data dir holds a new identity: that node is no founder and joins as a learner (`join`),
// whatever is advertised. A node that knows peers never founds
// alone with N = 1: it waits for a cluster to join, so `--peer` cannot split the mesh.

export interface PeerView {
  id: string
  alive: boolean
  /** The peer advertises a Raft term > 0: it belongs to a cluster. */
  clustered: boolean
  /**
   * Unclustered peers: the founding set they propose (empty if none). Clustered peers: the
   * set they founded with (empty if they joined), so a founder that is late still founds.
   */
  bootstrapSet: readonly string[]
  /**
   * How many of bootstrapSet (its lowest ids) found as voters; 0 or absent (an older node, or
   * a cap at least the set's size): all of them.
   */
  bootstrapVoters?: number
}

export interface BootstrapInput {
  self: string
  expect: number
  /** At most this many founding voters (--voter-cap); the other founders found as learners. */
  voterCap?: number
  /** Whether this node was given bootstrap peers or remembers any. */
  hasPeers: boolean
  peers: readonly PeerView[]
}

export type BootstrapDecision =
  /** Found with this configuration: `voters` and `learners` are the founding set, split. */
  | { action: 'found', voters: string[], learners: string[] }
  /** Wait; advertise `proposal` (possibly empty) meanwhile, `proposalVoters` of it voters (0: all). */
  | { action: 'wait', proposal: string[], proposalVoters?: number, why: string }
  /** A cluster exists: wait for its leader to add this node as a learner. */
  | { action: 'join', via: string[] }

export function decideBootstrap (input: BootstrapInput): BootstrapDecision {
  const alive = input.peers.filter(p => p.alive)
  const clustered = alive.filter(p => p.clustered)
  // Founders agreed on a set that includes us and some already wrote it: write the same.
  const founded = clustered.find(p => p.bootstrapSet.includes(input.self))
  if (founded != null) return foundWith(founded.bootstrapSet, votersOf(founded))
  if (clustered.length > 0) return { action: 'join', via: clustered.map(p => p.id).sort() }
  if (input.expect <= 1) {
    if (!input.hasPeers) return { action: 'found', voters: [input.self], learners: [] }
    return { action: 'wait', proposal: [], why: 'no cluster found among known peers yet; to found a new one, start its founders with --expect N' }
  }
  const candidates = [input.self, ...alive.map(p => p.id)].sort()
  if (candidates.length < input.expect) {
    return { action: 'wait', proposal: [], why: `sees ${candidates.length} of ${input.expect} expected founders` }
  }
  const proposal = candidates.slice(0, input.expect)
  if (!proposal.includes(input.self)) {
    return { action: 'wait', proposal: [], why: 'not among the founders; will join once they form a cluster' }
  }
  const voters = foundingVoters(proposal.length, input.voterCap)
  const agreed = proposal.every(id => {
    if (id === input.self) return true
    const p = alive.find(q => q.id === id)
    return p != null && sameSet(p.bootstrapSet, proposal) && votersOf(p) === voters
  })
  if (agreed) return foundWith(proposal, voters)
  return { action: 'wait', proposal, proposalVoters: voters < proposal.length ? voters : 0, why: 'waiting for the other founders to agree on the founding set' }
}

/** How many of a founding set of `size` found as voters under `cap` (--voter-cap). */
export function foundingVoters (size: number, cap: number | undefined): number {
  return cap == null || cap <= 0 ? size : Math.min(size, cap)
}

/** The voters a peer's advertised founding set names (0 or absent: all of it). */
function votersOf (p: PeerView): number {
  const n = p.bootstrapVoters ?? 0
  return n > 0 && n < p.bootstrapSet.length ? n : p.bootstrapSet.length
}

/** The founding configuration of `set`: its `voters` lowest ids vote, the others learn. */
function foundWith (set: readonly string[], voters: number): BootstrapDecision {
  const sorted = [...new Set(set)].sort()
  return { action: 'found', voters: sorted.slice(0, voters), learners: sorted.slice(voters) }
}

/**
 * The founding set a clustered node advertises: `founders` while some founder other than
 * `self` is not seen clustered (alive, heartbeat term > 0) — it may still be waiting to found
 * with exactly this set — and empty once every founder is. A founder that never came up, or
 * is dead or suspect, keeps the set advertised. A node that joined has no founders: empty.
 */
export function advertiseFounders (self: string, founders: readonly string[], peers: readonly PeerView[]): string[] {
  const settled = founders.every(id => id === self || peers.some(p => p.id === id && p.alive && p.clustered))
  return settled ? [] : [...founders]
}

/**
 * The founder that campaigns at founding (campaignAtFounding): the one that sorts first. Every
 * founder computes the same one, so only one campaigns early and no two split the vote; the
 * others wait an election timeout longer than usual for their first campaign (the shell
 * postpones it), so that theirs do not race it.
 */
export function firstFounder (founders: readonly string[]): string | undefined {
  return [...founders].sort()[0]
}

/**
 * Whether `self`, having just founded with `founders`, should campaign now instead of after an
 * election timeout (300–600 ms from its own founding): it is the first founder, and a majority
 * of the founders (itself included) is seen founded — alive, heartbeat term > 0 —, so a
 * majority has a Raft core to answer its pre-vote and vote (a founder that has none yet drops
 * them). Its own election timeout still runs, so if the campaign stalls it campaigns again
 * then, as before. The campaign is the one a timeout starts — pre-vote, signed votes,
 * check-quorum —: only its moment moves.
 */
export function campaignAtFounding (self: string, founders: readonly string[], peers: readonly PeerView[]): boolean {
  if (firstFounder(founders) !== self) return false
  const founded = founders.filter(id => id === self || peers.some(p => p.id === id && p.alive && p.clustered)).length
  return founded >= Math.floor(founders.length / 2) + 1
}

function sameSet (a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false
  const sa = [...a].sort()
  const sb = [...b].sort()
  return sa.every((v, i) => v === sb[i])
}
