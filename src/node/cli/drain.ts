// `meshnode drain`: ask a node to leave the mesh for good (src/node/drain.ts) and follow it
// until it has: progress on stderr, the final summary (or its JSON) on stdout. Over the admin
// protocol (nodeDrain), which every call answers with where the drain stands.
import type { Command } from 'commander'
import type { Libp2p } from 'libp2p'
import type { DrainStatus } from '../../wire/proto/admin.js'
import { EXIT_DRAINED, EXIT_DRAIN_DEADLINE } from '../drain.js'
import { MeshError, errorMessage } from '../errors.js'
import { withTarget, type Admin, type CliOutput, type TargetOptions } from './target.js'
import { parseDuration } from './table.js'

/** The default --deadline of `meshnode drain` (SIGTERM uses --drain-deadline-ms, 30 s). */
export const DEFAULT_DRAIN_DEADLINE_MS = 60_000
/** How often the client asks where the drain stands (the node lingers 1 s once it has left). */
const POLL_MS = 250
/** Progress lines at most this often. */
const PROGRESS_EVERY_MS = 1_000
/** Beyond the deadline: time to hand leadership over and commit the retirement. */
const LEAVE_GRACE_MS = 30_000

export function addDrainCommand (program: Command, admin: Admin, io: CliOutput, setExit: (code: number) => void): void {
  withTarget(program.command('drain'))
    .description('hand a node\'s work to its peers and retire it from the mesh for good; it then stops')
    .option('--deadline <duration>', 'longest the node waits for its work to be handed off or finished, e.g. 60s, 2m, 500ms (default 60s)')
    .action(async (opts: TargetOptions & { deadline?: string }) => {
      const deadlineMs = opts.deadline == null ? DEFAULT_DRAIN_DEADLINE_MS : parseDuration(opts.deadline, '--deadline')
      const client = await admin.openClient(opts)
      try {
        const final = await follow(admin, opts, client, deadlineMs, io)
        io.out(opts.json === true ? JSON.stringify(drainJson(final), null, 2) + '\n' : `${final.summary}\n`)
        setExit(drainExitCode(final))
      } finally {
        await client.stop()
      }
    })
}

async function follow (admin: Admin, opts: TargetOptions, client: Libp2p, deadlineMs: number, io: CliOutput): Promise<DrainStatus> {
  let status = await admin(opts, 'nodeDrain', { deadlineMs }, client)
  const giveUpAt = Date.now() + Math.max(0, status.deadlineAt - status.startedAt) + LEAVE_GRACE_MS
  let printedAt = 0
  let printed = ''
  for (;;) {
    if (status.state === 'left') return status
    if (opts.json !== true && Date.now() - printedAt >= PROGRESS_EVERY_MS && status.summary !== printed) {
      printedAt = Date.now()
      printed = status.summary
      io.err(`${status.summary}\n`)
    }
    if (Date.now() > giveUpAt) throw new MeshError('UNREACHABLE', `the node did not finish leaving ${LEAVE_GRACE_MS / 1000} s after its deadline; last seen: ${status.summary}`)
    await new Promise(resolve => setTimeout(resolve, POLL_MS))
    try {
      status = await admin(opts, 'nodeDrain', { deadlineMs }, client)
    } catch (err) {
      throw new MeshError('UNREACHABLE', `the node stopped answering while it was ${status.state} (${errorMessage(err)}); last seen: ${status.summary}`)
    }
  }
}

/** 0 drained cleanly; 4 the deadline passed and peers re-run what was left; 1 it could not retire. */
export function drainExitCode (s: DrainStatus): number {
  if (s.state !== 'left' || !s.declaredDead) return 1
  return s.clean ? EXIT_DRAINED : EXIT_DRAIN_DEADLINE
}

/** The stable JSON of `meshnode drain --json`. */
export function drainJson (s: DrainStatus): Record<string, unknown> {
  return {
    state: s.state,
    clean: s.clean,
    declaredDead: s.declaredDead,
    leftRaft: s.leftRaft,
    leadershipTransferred: s.leadershipTransferred,
    startedAt: s.startedAt,
    deadlineAt: s.deadlineAt,
    elapsedMs: s.elapsedMs,
    handedOff: s.handedOff,
    finished: s.finished,
    left: { queued: s.queued, running: s.running, lent: s.lent, engaged: s.engaged, outbox: s.outbox, homeJobs: s.homeJobs, inFlight: s.inFlight },
    summary: s.summary
  }
}
