// Registers jobs in the control log. Submits are group-committed: registrations that arrive
// while a proposal is in flight go out together in the next jobs.put entry, so fifty thousand
// one-task jobs cost a few dozen Raft entries, not fifty thousand. A follower forwards each
// batch to the leader over the internal protocol (one hop), as config writes are.
import { MAX_JOBS_PER_PUT, encodeCommand, type ControlCommand, type JobEntry } from '../../consensus/control.js'
import type { InternalResponse } from '../../wire/proto/internal.js'
import { LEADERSHIP_CHANGED, type ConsensusService } from './consensus.js'
import { MeshError, errorMessage, isMeshError } from '../errors.js'
import type { Host } from '../transport/host.js'
import { registerAt } from './internal.js'

interface Waiting {
  entries: Array<[string, JobEntry]>
  resolve: () => void
  reject: (err: Error) => void
}

/** Proposals in flight at once: enough to keep the log busy while one commits. */
const MAX_IN_FLIGHT = 4

/**
 * While the cluster is forming or electing a leader, a registration waits this long for a
 * leader before the submit fails: a client that submits right after start-up should not
 * need its own retry loop.
 */
const LEADER_WAIT_MS = 5_000

/**
 * Worth proposing again: no leader yet (forming, electing), or the leader lost leadership before
 * the entry committed (an election under load, here or at the leader a batch was forwarded
 * to). A jobs.put applied twice changes nothing the second time, so a retry is safe either way.
 */
function retryable (err: unknown): boolean {
  if (isMeshError(err, 'NOT_LEADER')) return err.leader == null
  return isMeshError(err, 'NO_QUORUM') && (/not part of a cluster|no leader/i.test(err.message) || err.message.includes(LEADERSHIP_CHANGED))
}

export class Registrar {
  private waiting: Waiting[] = []
  private inFlight = 0

  constructor (
    private readonly host: Host,
    private readonly consensus: ConsensusService
  ) {}

  async register (entries: Array<[string, JobEntry]>): Promise<void> {
    if (entries.length === 0) return
    await new Promise<void>((resolve, reject) => {
      this.waiting.push({ entries, resolve, reject })
      this.pump()
    })
  }

  /**
   * On the leader: a forwarded batch is proposed as it is, never forwarded again — as the
   * bytes it came in (`encoded`, validated by decodeCommand) when given.
   */
  async proposeHere (entries: Array<[string, JobEntry]>, encoded?: Uint8Array): Promise<void> {
    await this.propose(entries, false, encoded)
  }

  private pump (): void {
    while (this.inFlight < MAX_IN_FLIGHT && this.waiting.length > 0) {
      const group: Waiting[] = []
      let n = 0
      while (this.waiting.length > 0 && (group.length === 0 || n + this.waiting[0]!.entries.length <= MAX_JOBS_PER_PUT)) {
        const w = this.waiting.shift()!
        group.push(w)
        n += w.entries.length
      }
      this.inFlight++
      const entries = group.flatMap(w => w.entries)
      const chunks: Array<Array<[string, JobEntry]>> = []
      for (let i = 0; i < entries.length; i += MAX_JOBS_PER_PUT) chunks.push(entries.slice(i, i + MAX_JOBS_PER_PUT))
      Promise.all(chunks.map(async c => { await this.propose(c, true) })).then(
        () => { for (const w of group) w.resolve() },
        (err: Error) => { for (const w of group) w.reject(err) }
      ).finally(() => {
        this.inFlight--
        this.pump()
      })
    }
  }

  private async propose (jobs: Array<[string, JobEntry]>, mayForward: boolean, encoded?: Uint8Array): Promise<void> {
    const deadline = Date.now() + LEADER_WAIT_MS
    // Encoded once: proposed here, or forwarded to the leader, and again on a retry.
    const cmd: ControlCommand = { op: 'jobs.put', jobs }
    const bytes = encoded ?? encodeCommand(cmd)
    for (;;) {
      try {
        await this.proposeOnce(cmd, bytes, mayForward)
        return
      } catch (err) {
        if (!retryable(err) || Date.now() > deadline) throw err
        await new Promise(resolve => setTimeout(resolve, 100))
      }
    }
  }

  private async proposeOnce (cmd: ControlCommand, bytes: Uint8Array, mayForward: boolean): Promise<void> {
    try {
      const r = await this.consensus.propose(cmd, bytes)
      if (!r.ok) throw new MeshError('NO_QUORUM', r.message)
    } catch (err) {
      if (!mayForward || !isMeshError(err, 'NOT_LEADER') || err.leader == null) throw err
      let res: InternalResponse
      try {
        res = await registerAt(this.host, err.leader, bytes)
      } catch (e) {
        throw new MeshError('NO_QUORUM', `registration forwarded to leader ${err.leader} failed: ${errorMessage(e)}`)
      }
      // The leader moved since this node last heard: nothing was written there; ask again
      // (retryable: the next attempt forwards to whoever leads then).
      if (res.code === 'NOT_LEADER') throw new MeshError('NOT_LEADER', `${err.leader} is no longer the leader: ${res.error}`)
      if (res.code !== '') throw new MeshError('NO_QUORUM', `leader ${err.leader} could not register the jobs: ${res.error} [${res.code}]`)
    }
  }
}
