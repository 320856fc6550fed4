// The meshnode command line. `main(argv)` returns an exit code instead of exiting, so tests
// call it directly; bin/meshnode.js is the only place that touches process.exit.
import { Command, CommanderError } from 'commander'
import { VERSION } from '../../version.js'
import { defaultDataDir, resolveConfig } from '../config.js'
import { EXIT_USAGE, MeshError, errorMessage, exitCodeOf, isMeshError } from '../errors.js'
import { addConfigCommands } from './config.js'
import { addJobCommands } from './jobs.js'
import { addWorkflowCommands } from './workflow.js'
import { addDrainCommand } from './drain.js'
import { addStatsCommand } from './stats.js'
import { addIncidentCommands } from './incidents.js'
import { addScheduleCommands } from './schedule.js'
import { addKeygenCommand } from './keygen.js'
import { addTokenCommand } from './token.js'
import { addCompletionCommand } from './completion.js'
import { addTopCommand } from './top.js'
import { addStartOptions } from './start-options.js'
import { adminClient, clientTarget, withTarget, type TargetOptions } from './target.js'
import { addAccessCommands } from './access.js'
import { addRaftCommands } from './raft.js'
import { addApprovalCommands } from './approvals.js'
import { fetchStatus } from '../client/status.js'
import { formatStatus } from '../client/status-json.js'

export interface CliIO {
  out: (text: string) => void
  err: (text: string) => void
  env: NodeJS.ProcessEnv
  /** Whether stderr is a terminal (progress bars only then). */
  isTTY?: boolean
  /** Whether stdout and stdin are a terminal (`top`'s full-screen view only then). */
  stdoutTTY?: boolean
}

const defaultIO: CliIO = {
  out: text => { process.stdout.write(text) },
  err: text => { process.stderr.write(text) },
  env: process.env,
  isTTY: process.stderr.isTTY,
  stdoutTTY: process.stdout.isTTY && process.stdin.isTTY
}

export async function main (argv: string[], io: CliIO = defaultIO): Promise<number> {
  let exitCode = 0
  const program = new Command('meshnode')
    .description('A peer-to-peer work mesh: gossip membership, consensus, jobs and work stealing. No broker.')
    .version(VERSION, '-V, --version')
    .exitOverride()
    .showHelpAfterError(true)
    .configureOutput({ writeOut: io.out, writeErr: io.err })

  const start = program.command('start')
    .description('run a node in the foreground; SIGTERM/SIGINT drain it and leave the mesh, SIGUSR2 stops it for a restart')
  const readStartOptions = addStartOptions(start)
  start.option('--json', 'once the node is up, print one JSON line on stdout: {peerId, addrs, http, dataDir, mesh, pid} (the logs on stderr are JSON lines either way)')
  start.action(async (opts: Record<string, unknown>) => {
    const { flags, configFile } = readStartOptions(opts)
    const config = resolveConfig({ flags, env: io.env, configFile })
    const { runDaemon } = await import('../daemon.js')
    exitCode = await runDaemon(config, opts.json === true
      ? node => { io.out(JSON.stringify({ event: 'started', peerId: node.peerId, addrs: node.addrs, http: node.httpAddress != null ? `http://${node.httpAddress}/` : null, dataDir: config.dataDir, mesh: config.mesh, pid: process.pid }) + '\n') }
      : undefined)
  })

  // A node's start builds only its own command: the other commands are ~60 commander objects
  // with their options and help text, built and parsed by nothing in a process that runs a node
  // (every node of a cluster pays it at start; BENCHMARKS.md, issue 14, stop 46).
  if (argv[0] !== 'start') addClientCommands(program, io, code => { exitCode = code })

  const json = argv.includes('--json')
  try {
    unknownCommand(program, argv)
    await program.parseAsync(argv, { from: 'user' })
    return exitCode
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0
      return EXIT_USAGE
    }
    const code = (err as { code?: unknown }).code
    if (json) {
      // Scripts that asked for JSON get their error as JSON too, on stderr.
      io.err(JSON.stringify({ error: { code: typeof code === 'string' ? code : 'INTERNAL', message: errorMessage(err).replace(/ \[[A-Z_]+\]$/, '') } }) + '\n')
    } else {
      io.err(`meshnode: error: ${errorMessage(err)}\n`)
    }
    // The usage goes with usage errors only (not a bad config file, not a refusal).
    if (isMeshError(err, 'USAGE') && !json) {
      const top = program.commands.find(c => c.name() === argv[0])
      const cmd = top?.commands.find(c => c.name() === argv[1]) ?? top ?? program
      io.err(`\n${cmd.helpInformation()}`)
    }
    return exitCodeOf(err)
  }
}

/** Every command but `start`: the client side of the CLI. */
function addClientCommands (program: Command, io: CliIO, setExit: (code: number) => void): void {
  withTarget(program.command('status'), false)
    .description('show a running node\'s view of the mesh')
    .option('--json', 'print the stable JSON form (see README)')
    .option('--timeout-ms <ms>', 'give up after this long (default 5000)')
    .action(async (opts: TargetOptions & { timeoutMs?: string }) => {
      const timeoutMs = opts.timeoutMs == null ? undefined : Number(opts.timeoutMs)
      if (timeoutMs != null && !(Number.isInteger(timeoutMs) && timeoutMs > 0)) throw new MeshError('USAGE', `invalid --timeout-ms "${opts.timeoutMs}": expected a positive whole number`)
      const status = await fetchStatus({ ...clientTarget(opts, io.env), ...(timeoutMs != null ? { timeoutMs } : {}) })
      io.out((opts.json === true ? JSON.stringify(status, null, 2) : formatStatus(status, opts.peer == null ? opts.dataDir ?? defaultDataDir(io.env) : undefined)) + '\n')
    })

  const admin = adminClient(io.env)
  const output = { out: io.out, err: io.err, isTTY: io.isTTY === true }
  addConfigCommands(program, admin, output)
  addJobCommands(program, admin, output, setExit)
  addWorkflowCommands(program, admin, output, setExit)
  addStatsCommand(program, admin, output)
  addIncidentCommands(program, admin, output)
  addScheduleCommands(program, admin, output)
  addAccessCommands(program, admin, output)
  addApprovalCommands(program, admin, output)
  addRaftCommands(program, admin, output, io.env)
  addDrainCommand(program, admin, output, setExit)
  addKeygenCommand(program, output)
  addTokenCommand(program, output, io.env)
  addCompletionCommand(program, output)
  addTopCommand(program, { out: io.out, err: io.err, env: io.env, tty: io.stdoutTTY === true, ...(io === defaultIO ? { stdout: process.stdout } : {}) })
}

/**
 * Commander shows the main help for `meshnode nosuch --help` and exits 0, so a typo looks
 * like success; an unknown command is a usage error whatever follows it.
 */
function unknownCommand (program: Command, argv: readonly string[]): void {
  let cmd: Command = program
  for (const word of argv) {
    if (word.startsWith('-')) return
    if (cmd.commands.length === 0) return
    const next = cmd.commands.find(c => c.name() === word || c.aliases().includes(word))
    if (next == null) {
      if (word === 'help' && cmd === program) return
      const known = cmd.commands.map(c => c.name()).join(', ')
      throw new MeshError('USAGE', `unknown command "${[...commandPath(cmd), word].join(' ')}" (${cmd === program ? 'commands' : `subcommands of ${commandPath(cmd).join(' ')}`}: ${known})`)
    }
    cmd = next
  }
}

function commandPath (cmd: Command): string[] {
  const path: string[] = []
  for (let c: Command | null = cmd; c?.parent != null; c = c.parent) path.unshift(c.name())
  return path
}
