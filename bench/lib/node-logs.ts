// Reading meshnode's pino logs (one JSON object per line, "time" in epoch ms) incrementally.
// Each node logs every membership transition ("msg":"membership change", with peer/from/to/
// reason), so the exact moment a node changed its mind about a peer is in its log, on the
// same wall clock as the benchmark's Date.now().
import { closeSync, fstatSync, openSync, readFileSync, readSync, statSync } from 'node:fs'

export interface LogLine {
  time: number
  msg: string
  [key: string]: unknown
}

export interface MembershipChange {
  time: number
  peer: string
  from: string
  to: string
  reason: string
}

/** Follows one log file from a byte offset, returning whole parsed lines as they appear. */
export class LogTail {
  private offset: number
  private rest = ''

  constructor (readonly file: string, fromOffset?: number) {
    this.offset = fromOffset ?? 0
  }

  /** Start at the current end of the file (only lines written from now on). */
  static atEnd (file: string): LogTail {
    let size = 0
    try { size = statSync(file).size } catch {}
    return new LogTail(file, size)
  }

  read (): LogLine[] {
    let fd: number
    try { fd = openSync(this.file, 'r') } catch { return [] }
    let text = ''
    try {
      const size = fstatSync(fd).size
      if (size < this.offset) { this.offset = 0; this.rest = '' }
      const len = size - this.offset
      if (len > 0) {
        const buf = Buffer.alloc(len)
        const n = readSync(fd, buf, 0, len, this.offset)
        this.offset += n
        text = buf.subarray(0, n).toString('utf8')
      }
    } finally {
      closeSync(fd)
    }
    if (text === '') return []
    const parts = (this.rest + text).split('\n')
    this.rest = parts.pop() ?? ''
    const out: LogLine[] = []
    for (const p of parts) {
      if (p.length === 0 || p[0] !== '{') continue
      try {
        const obj = JSON.parse(p)
        if (typeof obj.time === 'number') out.push(obj)
      } catch {}
    }
    return out
  }
}

export function membershipChanges (lines: LogLine[]): MembershipChange[] {
  return lines
    .filter(l => l.msg === 'membership change' && typeof l.peer === 'string')
    .map(l => ({ time: l.time, peer: l.peer as string, from: String(l.from), to: String(l.to), reason: String(l.reason ?? '') }))
}

/** The node's own peer id, from its "created a new identity" / "loaded identity" line. */
export function ownPeerId (lines: LogLine[]): string | undefined {
  return lines.find(l => typeof l.peerId === 'string' && /identity/.test(l.msg))?.peerId as string | undefined
}

/**
 * Replays every node's membership changes in time order and returns the first instant at
 * which every node saw every other node alive (undefined if that never happened).
 * `events` maps an observer's peer id to its changes.
 */
export function firstAllAlive (events: Map<string, MembershipChange[]>, peerIds: string[]): number | undefined {
  const want = peerIds.length * (peerIds.length - 1)
  const ids = new Set(peerIds)
  const merged: Array<MembershipChange & { observer: string }> = []
  for (const [observer, evs] of events) {
    if (!ids.has(observer)) continue
    for (const e of evs) if (ids.has(e.peer) && e.peer !== observer) merged.push({ ...e, observer })
  }
  merged.sort((a, b) => a.time - b.time)
  const alive = new Set<string>()
  for (const e of merged) {
    const key = `${e.observer}>${e.peer}`
    if (e.to === 'alive') alive.add(key)
    else alive.delete(key)
    if (alive.size === want) return e.time
  }
  return undefined
}

/** When every node first named the same leader, and what it took (firstLeaderAgreed). */
export interface LeaderAgreed {
  time: number
  leader: string
  term: number
  /** "raft role change" lines to leader up to then, over every node: 1 when the first election stood. */
  elected: number
}

/**
 * Replays every node's "raft role change" lines (role, leader, term) in time order and returns
 * the first instant at which every node of `lines` named the same leader — the leader itself
 * included, which names itself —, or undefined if that has not happened (yet).
 */
export function firstLeaderAgreed (lines: readonly LogLine[][]): LeaderAgreed | undefined {
  const merged: Array<{ node: number, line: LogLine }> = []
  lines.forEach((ls, node) => { for (const line of ls) if (line.msg === 'raft role change') merged.push({ node, line }) })
  merged.sort((a, b) => a.line.time - b.line.time)
  const leaderOf: Array<string | null> = lines.map(() => null)
  let elected = 0
  for (const { node, line } of merged) {
    if (line.role === 'leader') elected++
    leaderOf[node] = typeof line.leader === 'string' && line.leader !== '' ? line.leader : null
    const first = leaderOf[0]
    if (first != null && leaderOf.every(l => l === first)) return { time: line.time, leader: first, term: Number(line.term), elected }
  }
  return undefined
}

/** firstLeaderAgreed over the whole of each log file (read once, after the fact). */
export function leaderAgreedInLogs (logs: readonly string[]): LeaderAgreed | undefined {
  return firstLeaderAgreed(logs.map(log => new LogTail(log, 0).read()))
}

/**
 * The earliest time (epoch ms) at or after `since` that any of `logs` says `msg` on a line
 * `match` accepts, or NaN if none does yet. Reads the files whole: for tests and benches that
 * ask once per event, not for tailing.
 */
export function firstLogged (logs: readonly string[], msg: string, since = 0, match: (line: LogLine) => boolean = () => true): number {
  let first = NaN
  for (const file of logs) {
    let text = ''
    try { text = readFileSync(file, 'utf8') } catch { continue }
    for (const raw of text.split('\n')) {
      if (!raw.includes(`"${msg}"`)) continue
      try {
        const line = JSON.parse(raw) as LogLine
        if (line.time >= since && match(line) && !(first <= line.time)) first = line.time
      } catch { /* a partial line */ }
    }
  }
  return first
}

/** What the nodes' own logs say happened in a window (bench/scale's hold). */
export interface LoggedEvents {
  /** A node came to suspect a peer ("membership change" to suspect). */
  suspicions: number
  /** A node declared a peer dead on its own ("membership change" to dead). */
  deaths: number
  /** A node started an election ("raft role change" to candidate). */
  campaigns: number
  /** A node became leader. */
  leaders: number
}

/**
 * Counts, over every log, the lines from `from` to `to` (epoch ms) that record a suspicion, a
 * local death, a campaign or a new leader. The logs hold every one of them, where status
 * counters read at the end miss the nodes that do not answer in time (a saturated mesh).
 */
export function countLogged (logs: readonly string[], from: number, to: number): LoggedEvents {
  const out: LoggedEvents = { suspicions: 0, deaths: 0, campaigns: 0, leaders: 0 }
  for (const file of logs) {
    let text = ''
    try { text = readFileSync(file, 'utf8') } catch { continue }
    for (const raw of text.split('\n')) {
      if (!raw.includes('"membership change"') && !raw.includes('"raft role change"')) continue
      let line: LogLine
      try { line = JSON.parse(raw) as LogLine } catch { continue }
      if (line.time < from || line.time > to) continue
      if (line.msg === 'membership change') {
        if (line.to === 'suspect') out.suspicions++
        else if (line.to === 'dead') out.deaths++
      } else if (line.msg === 'raft role change') {
        if (line.role === 'candidate') out.campaigns++
        else if (line.role === 'leader') out.leaders++
      }
    }
  }
  return out
}
