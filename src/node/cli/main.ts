// The meshnode command line. `main(argv)` returns an exit code instead of exiting, so tests
// call it directly; bin/meshnode.js is the only place that touches process.exit.
import { Command, CommanderError, Option } from 'commander'
import { VERSION } from '../../version.js'
import { DEFAULT_PORT, defaultDataDir, resolveConfig, type RawValues } from '../config.js'
import { EXIT_USAGE, MeshError, errorMessage, isMeshError } from '../errors.js'
import { LOG_LEVELS } from '../log.js'
import { addConfigCommands } from './config.js'
import { addJobCommands } from './jobs.js'
import { adminClient } from './target.js'
import { fetchStatus } from '../client/status.js'
import { formatStatus } from '../client/status-json.js'

export interface CliIO {
  out: (text: string) => void
  err: (text: string) => void
  env: NodeJS.ProcessEnv
  /** Whether stderr is a terminal (progress bars only then). */
  isTTY?: boolean
}

const defaultIO: CliIO = {
  out: text => { process.stdout.write(text) },
  err: text => { process.stderr.write(text) },
  env: process.env,
  isTTY: process.stderr.isTTY
}

const collect = (value: string, prev: string[] | undefined): string[] => [...(prev ?? []), value]

export async function main (argv: string[], io: CliIO = defaultIO): Promise<number> {
  let exitCode = 0
  const program = new Command('meshnode')
    .description('A peer-to-peer work mesh: gossip membership, consensus, jobs and work stealing. No broker.')
    .version(VERSION, '-V, --version')
    .exitOverride()
    .showHelpAfterError(true)
    .configureOutput({ writeOut: io.out, writeErr: io.err })

  program.command('start')
    .description('run a node in the foreground until SIGTERM/SIGINT')
    .option('--data-dir <dir>', 'where the identity key and LevelDB live (default ~/.meshnode, env MESHNODE_DATA_DIR)')
    .option('--listen <multiaddr>', `address to listen on, repeatable (default /ip4/0.0.0.0/tcp/${DEFAULT_PORT})`, collect)
    .option('--peer <multiaddr>', 'bootstrap peer to dial, repeatable; /p2p/<id> optional', collect)
    .option('--name <name>', 'node name shown to peers (default: hostname)')
    .option('--mesh <mesh>', 'mesh name; nodes only join peers of the same mesh (default "default")')
    .option('--mdns', 'discover peers on the LAN with mDNS')
    .option('--capabilities <list>', 'comma-separated capabilities this node offers, e.g. gpu,python')
    .addOption(new Option('--log-level <level>', 'log verbosity on stderr (default info)').choices(LOG_LEVELS))
    .option('--config <file>', 'JSON config file (env MESHNODE_CONFIG); flags and env override it')
    .option('--heartbeat-ms <ms>', 'heartbeat interval (default 1000)')
    .option('--probe-after-ms <ms>', 'silence before a peer is probed directly (default 3000)')
    .option('--dead-after-ms <ms>', 'suspect time without sign of life before dead (default 3000)')
    .option('--probe-timeout-ms <ms>', 'how long a probe waits for an answer (default 500)')
    .option('--expect <n>', 'found a new cluster once N nodes see each other (founders only; default 1 = alone)')
    .option('--voter-cap <n>', 'at most this many voters; further members are learners (default 5)')
    .option('--snapshot-every <n>', 'compact the raft log after this many applied entries (default 10000)')
    .option('--concurrency <n>', 'tasks run at once on this node (default: number of CPUs)')
    .option('--handlers <path>', 'a JS/TS module of task handlers (export default { name: async (payload, ctx) => result }); repeatable', collect)
    .option('--allow-commands', 'run shell-command tasks (submit --cmd) on this node')
    .action(async (opts: Record<string, unknown>) => {
      const flags: RawValues = {
        dataDir: opts.dataDir,
        listen: opts.listen,
        peers: opts.peer,
        name: opts.name,
        mesh: opts.mesh,
        mdns: opts.mdns,
        capabilities: opts.capabilities,
        logLevel: opts.logLevel,
        heartbeatMs: opts.heartbeatMs,
        probeAfterMs: opts.probeAfterMs,
        deadAfterMs: opts.deadAfterMs,
        probeTimeoutMs: opts.probeTimeoutMs,
        expect: opts.expect,
        voterCap: opts.voterCap,
        snapshotEvery: opts.snapshotEvery,
        concurrency: opts.concurrency,
        handlers: opts.handlers,
        allowCommands: opts.allowCommands
      }
      const config = resolveConfig({ flags, env: io.env, configFile: opts.config as string | undefined })
      const { runDaemon } = await import('../daemon.js')
      exitCode = await runDaemon(config)
    })

  program.command('status')
    .description('show a running node\'s view of the mesh')
    .option('--data-dir <dir>', 'ask the node running with this data dir (default ~/.meshnode)')
    .option('--peer <multiaddr>', 'ask the node at this address instead')
    .option('--json', 'print the stable JSON form (see README)')
    .option('--timeout-ms <ms>', 'give up after this long (default 5000)')
    .action(async (opts: { dataDir?: string, peer?: string, json?: boolean, timeoutMs?: string }) => {
      if (opts.dataDir != null && opts.peer != null) throw new MeshError('USAGE', 'give either --data-dir or --peer, not both')
      const timeoutMs = opts.timeoutMs == null ? undefined : Number(opts.timeoutMs)
      if (timeoutMs != null && !(Number.isInteger(timeoutMs) && timeoutMs > 0)) throw new MeshError('USAGE', `invalid --timeout-ms "${opts.timeoutMs}": expected a positive whole number`)
      const status = await fetchStatus({
        peer: opts.peer,
        dataDir: opts.peer == null ? (opts.dataDir ?? defaultDataDir(io.env)) : undefined,
        timeoutMs
      })
      io.out((opts.json === true ? JSON.stringify(status, null, 2) : formatStatus(status)) + '\n')
    })

  const admin = adminClient(io.env)
  const output = { out: io.out, err: io.err, isTTY: io.isTTY === true }
  addConfigCommands(program, admin, output)
  addJobCommands(program, admin, output, code => { exitCode = code })

  try {
    await program.parseAsync(argv, { from: 'user' })
    return exitCode
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0
      return EXIT_USAGE
    }
    io.err(`meshnode: error: ${errorMessage(err)}\n`)
    if (isMeshError(err, 'USAGE') || isMeshError(err, 'BAD_CONFIG')) {
      const top = program.commands.find(c => c.name() === argv[0])
      const cmd = top?.commands.find(c => c.name() === argv[1]) ?? top ?? program
      io.err(`\n${cmd.helpInformation()}`)
      return EXIT_USAGE
    }
    return 1
  }
}
