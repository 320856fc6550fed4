// The meshnode command line. `main(argv)` returns an exit code instead of exiting, so tests
// call it directly; bin/meshnode.js is the only place that touches process.exit.
import { Command, CommanderError } from 'commander'
import { VERSION } from '../../version.js'
import { resolveConfig } from '../config.js'
import { EXIT_FORBIDDEN, EXIT_NO_QUORUM, EXIT_USAGE, MeshError, errorMessage, isMeshError } from '../errors.js'
import { addConfigCommands } from './config.js'
import { addJobCommands } from './jobs.js'
import { addDrainCommand } from './drain.js'
import { addKeygenCommand } from './keygen.js'
import { addTokenCommand } from './token.js'
import { addTopCommand } from './top.js'
import { addStartOptions } from './start-options.js'
import { adminClient, clientTarget, withTarget, type TargetOptions } from './target.js'
import { addAccessCommands } from './access.js'
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
  start.action(async (opts: Record<string, unknown>) => {
    const { flags, configFile } = readStartOptions(opts)
    const config = resolveConfig({ flags, env: io.env, configFile })
    const { runDaemon } = await import('../daemon.js')
    exitCode = await runDaemon(config)
  })

  withTarget(program.command('status'), false)
    .description('show a running node\'s view of the mesh')
    .option('--json', 'print the stable JSON form (see README)')
    .option('--timeout-ms <ms>', 'give up after this long (default 5000)')
    .action(async (opts: TargetOptions & { timeoutMs?: string }) => {
      const timeoutMs = opts.timeoutMs == null ? undefined : Number(opts.timeoutMs)
      if (timeoutMs != null && !(Number.isInteger(timeoutMs) && timeoutMs > 0)) throw new MeshError('USAGE', `invalid --timeout-ms "${opts.timeoutMs}": expected a positive whole number`)
      const status = await fetchStatus({ ...clientTarget(opts, io.env), ...(timeoutMs != null ? { timeoutMs } : {}) })
      io.out((opts.json === true ? JSON.stringify(status, null, 2) : formatStatus(status)) + '\n')
    })

  const admin = adminClient(io.env)
  const output = { out: io.out, err: io.err, isTTY: io.isTTY === true }
  addConfigCommands(program, admin, output)
  addJobCommands(program, admin, output, code => { exitCode = code })
  addAccessCommands(program, admin, output)
  addDrainCommand(program, admin, output, code => { exitCode = code })
  addKeygenCommand(program, output)
  addTokenCommand(program, output, io.env)
  addTopCommand(program, { out: io.out, err: io.err, env: io.env, tty: io.stdoutTTY === true, ...(io === defaultIO ? { stdout: process.stdout } : {}) })

  try {
    await program.parseAsync(argv, { from: 'user' })
    return exitCode
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0
      return EXIT_USAGE
    }
    io.err(`meshnode: error: ${errorMessage(err)}\n`)
    if (isMeshError(err, 'FORBIDDEN')) return EXIT_FORBIDDEN
    if (isMeshError(err, 'NO_QUORUM') || isMeshError(err, 'NOT_REGISTERED')) return EXIT_NO_QUORUM
    if (isMeshError(err, 'INSECURE') || isMeshError(err, 'BAD_MESH_KEY')) return EXIT_USAGE
    if (isMeshError(err, 'USAGE') || isMeshError(err, 'BAD_CONFIG')) {
      const top = program.commands.find(c => c.name() === argv[0])
      const cmd = top?.commands.find(c => c.name() === argv[1]) ?? top ?? program
      io.err(`\n${cmd.helpInformation()}`)
      return EXIT_USAGE
    }
    return 1
  }
}
