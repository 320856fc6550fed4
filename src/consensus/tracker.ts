// The leader's and candidate's view of the configuration: one Progress per member, the votes
// of the current election, and the majority arithmetic over voters (learners never count).
// Mirrors etcd-io/raft tracker/tracker.go for a single (non-joint) majority configuration.

import { majority } from './confchange.js'
import { Progress } from './progress.js'
import type { ConfState, NodeId } from './types.js'

export type VoteResult = 'won' | 'lost' | 'pending'

export class ProgressTracker {
  conf: ConfState = { voters: [], learners: [] }
  readonly progress = new Map<NodeId, Progress>()
  private readonly votes = new Map<NodeId, boolean>()
  private voterSet = new Set<NodeId>()
  private readonly maxInflight: number

  constructor (maxInflight: number) {
    this.maxInflight = maxInflight
  }

  isVoter (id: NodeId): boolean {
    return this.voterSet.has(id)
  }

  isMember (id: NodeId): boolean {
    return this.voterSet.has(id) || this.conf.learners.includes(id)
  }

  /** Adopts a configuration: new members start probing just past our last index. */
  setConf (conf: ConfState, lastIndex: number): void {
    this.conf = conf
    this.voterSet = new Set(conf.voters)
    const members = new Set([...conf.voters, ...conf.learners])
    for (const id of this.progress.keys()) {
      if (!members.has(id)) this.progress.delete(id)
    }
    for (const id of members) {
      const isLearner = !this.voterSet.has(id)
      const pr = this.progress.get(id)
      if (pr === undefined) {
        this.progress.set(id, new Progress(lastIndex + 1, isLearner, this.maxInflight))
      } else {
        pr.isLearner = isLearner
      }
    }
  }

  /** Forgets what a previous leadership knew: every member is probed afresh. */
  resetProgress (selfId: NodeId, lastIndex: number): void {
    for (const [id, old] of this.progress) {
      const pr = new Progress(lastIndex + 1, old.isLearner, this.maxInflight)
      pr.recentActive = false
      if (id === selfId) {
        pr.match = lastIndex
        pr.recentActive = true
      }
      this.progress.set(id, pr)
    }
  }

  /** The highest index replicated on a majority of voters. */
  committedIndex (): number {
    const n = this.conf.voters.length
    if (n === 0) return 0
    const matches = this.conf.voters.map((id) => this.progress.get(id)?.match ?? 0).sort((a, b) => b - a)
    return matches[majority(n) - 1] ?? 0
  }

  /** Has a majority of voters (counting ourselves) been heard from since the last reset? */
  quorumActive (selfId: NodeId): boolean {
    let active = 0
    for (const id of this.conf.voters) {
      if (id === selfId || this.progress.get(id)?.recentActive === true) active++
    }
    return active >= majority(this.conf.voters.length)
  }

  resetRecentActive (selfId: NodeId): void {
    for (const [id, pr] of this.progress) pr.recentActive = id === selfId
  }

  resetVotes (): void {
    this.votes.clear()
  }

  /** Records a voter's answer; only its first answer in an election counts. */
  recordVote (id: NodeId, granted: boolean): void {
    if (!this.votes.has(id)) this.votes.set(id, granted)
  }

  tally (): { result: VoteResult, granted: number, rejected: number } {
    let granted = 0
    let rejected = 0
    for (const id of this.conf.voters) {
      const v = this.votes.get(id)
      if (v === true) granted++
      else if (v === false) rejected++
    }
    const n = this.conf.voters.length
    const q = majority(n)
    const result: VoteResult = granted >= q ? 'won' : (n - rejected < q ? 'lost' : 'pending')
    return { result, granted, rejected }
  }
}
