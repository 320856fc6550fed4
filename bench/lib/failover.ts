// Leader failover on a running local cluster (scripts/cluster's library): SIGKILL the agreed
// leader, time until a survivor becomes leader, restart the victim, repeat. Shared by
// bench/failover.ts and bench/access.ts.
//
// Failover time = SIGKILL of the leader → the first surviving node logs that it became leader
// (exact, from the nodes' JSON logs, so the nodes must log at info); "reported" = until a
// status poll of a survivor shows a new leader (what a client sees; includes poll granularity).
import { readFileSync } from 'node:fs'
import { agreedLeader, kill, loadState, restart, statusAll, waitUntil, type NodeStatus } from '../../scripts/cluster-lib.js'

export interface RoleChange { time: number, role: string, term: number }

/** The "raft role change" lines of a node's JSON log. */
export function roleChanges (logFile: string): RoleChange[] {
  const out: RoleChange[] = []
  let text = ''
  try { text = readFileSync(logFile, 'utf8') } catch { return out }
  for (const line of text.split('\n')) {
    if (!line.includes('"raft role change"')) continue
    try {
      const j = JSON.parse(line)
      out.push({ time: j.time, role: j.role, term: j.term })
    } catch { /* partial line */ }
  }
  return out
}

/** One leader that all `nodes` nodes answer for and agree on, with every peer alive. */
export async function agreedFullLeader (dir: string, nodes: number): Promise<NodeStatus> {
  return await agreedLeader(dir, { nodes, allAlive: true, timeoutMs: 30_000, everyMs: 50 })
}

export interface FailoverKill {
  victim: number
  oldTerm: number
  /** Exact failover time from the logs, ms (NaN if no survivor logged it). */
  exactMs: number
  /** Until a status poll showed the new leader, ms. */
  reportedMs: number
}

/** `kills` leader kills on the cluster in `dir` of `nodes` nodes; each victim is restarted. */
export async function measureFailover (dir: string, nodes: number, kills: number, onKill?: (k: number, r: FailoverKill) => void): Promise<FailoverKill[]> {
  const out: FailoverKill[] = []
  for (let k = 1; k <= kills; k++) {
    const leader = await agreedFullLeader(dir, nodes)
    const victim = leader.entry.index
    const oldTerm = leader.status!.term
    const t0 = Date.now()
    await kill(victim, 'SIGKILL', dir)
    let seen = NaN
    await waitUntil(async () => {
      const all = await statusAll(dir, 500)
      const nl = all.find(s => s.entry.index !== victim && s.status?.role === 'leader' && s.status.term > oldTerm)
      if (nl == null) return false
      seen = Date.now() - t0
      return true
    }, 30_000, 'a new leader', 10)
    const st = loadState(dir)
    const firstLeader = st.nodes
      .filter(n => n.index !== victim)
      .flatMap(n => roleChanges(n.log))
      .filter(c => c.role === 'leader' && c.time >= t0 && c.term > oldTerm)
      .map(c => c.time - t0)
      .sort((a, b) => a - b)[0]
    const r: FailoverKill = { victim, oldTerm, exactMs: firstLeader ?? NaN, reportedMs: seen }
    out.push(r)
    onKill?.(k, r)
    await restart(victim, dir)
  }
  await agreedFullLeader(dir, nodes)
  return out
}
