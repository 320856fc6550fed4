// Node configuration: START_OPTIONS declares every `meshnode start` option once (flag, env
// variable, config-file key, default, help, validation); the CLI flags, env and config-file
// parsing and the NodeConfig type come from it. Resolution follows the precedence
// flags > MESHNODE_* environment > config file > defaults. Pure, so the precedence and the
// validation are unit-tested without starting anything.
import { multiaddr } from '@multiformats/multiaddr'
import { readFileSync } from 'node:fs'
import { availableParallelism, homedir, hostname } from 'node:os'
import { join, resolve } from 'node:path'
import { MESH_NAME_PATTERN } from '../wire/constants.js'
import { MeshError, errorMessage } from './errors.js'
import { LOG_LEVELS, type LogLevel } from './log.js'
import { isLoopbackHost, parseHttpOption } from './http/listen.js'
import { toMultiaddrString } from './transport/address.js'
import { didYouMean } from '../json-schema.js'
import { ISOLATION_MODES, type IsolationMode } from '../work/isolation/pool.js'

/** The most slots --concurrency (and its auto bounds) may give a node. */
export const MAX_SLOTS = 4096

/** --max-concurrency's default on a host with `cpus` CPUs. */
export function defaultMaxConcurrency (cpus: number): number {
  return Math.min(MAX_SLOTS, Math.max(64, 16 * cpus))
}

/** How many slots a node runs: fixed, or auto between min and max (starting at min). */
export interface SlotConfig {
  auto: boolean
  min: number
  max: number
}

/** The slots a resolved configuration asks for (a fixed count is min = max). */
export function slotConfig (config: Pick<NodeConfig, 'concurrency' | 'minConcurrency' | 'maxConcurrency'>): SlotConfig {
  if (config.concurrency !== 'auto') return { auto: false, min: config.concurrency, max: config.concurrency }
  return { auto: true, min: config.minConcurrency, max: config.maxConcurrency }
}

/** The fixed, documented default port: every node listens here unless told otherwise. */
export const DEFAULT_PORT = 7420

/** What an option's value is, and so how a flag, an env string or a JSON value is read. */
export type OptionKind = 'string' | 'list' | 'bool' | 'int' | 'addrs' | 'slots'

/** One `meshnode start` option. Its key in START_OPTIONS is its config-file key. */
export interface OptionSpec<V> {
  kind: OptionKind
  /** The commander flag with its argument, e.g. '--data-dir <dir>'; a bare switch for bool. */
  flag: string
  /** Each occurrence of the flag adds one item (list kinds only). */
  repeatable?: boolean
  env: string
  /** The value when no source sets it; a function when it depends on the host. */
  default: V | (() => V)
  /** How the default reads in --help and the README; needed only when it is not the value itself. */
  shown?: string
  /** One line for --help; the default, env var and "repeatable" are appended from the fields above. */
  help: string
  /** The only values allowed (checked here too: env and config file bypass commander). */
  choices?: readonly V[]
  /** A reason the value is out of bounds, or undefined when it is fine. */
  check? (value: V): string | undefined
}

const between = (min: number, max: number) => (v: number): string | undefined =>
  v >= min && v <= max ? undefined : `must be between ${min} and ${max}`

const text = <V extends string = string>(spec: Omit<OptionSpec<NoInfer<V>>, 'kind'>): OptionSpec<V> => ({ kind: 'string', ...spec })
const int = (spec: Omit<OptionSpec<number>, 'kind'>): OptionSpec<number> => ({ kind: 'int', ...spec })
/** A slot count or "auto" (--concurrency). */
const slots = (spec: Omit<OptionSpec<number | 'auto'>, 'kind'>): OptionSpec<number | 'auto'> => ({ kind: 'slots', ...spec })
const bool = (spec: Omit<OptionSpec<boolean>, 'kind'>): OptionSpec<boolean> => ({ kind: 'bool', ...spec })
const list = (spec: Omit<OptionSpec<string[]>, 'kind'>): OptionSpec<string[]> => ({ kind: 'list', ...spec })
const addrs = (spec: Omit<OptionSpec<string[]>, 'kind'>): OptionSpec<string[]> => ({ kind: 'addrs', ...spec })

/**
 * Every `meshnode start` option, declared once: the CLI flags and their help, the env
 * variables, the config-file keys, the defaults, the validation and the NodeConfig type are
 * all generated from this table. The README's Configuration table is checked against it.
 */
export const START_OPTIONS = {
  dataDir: text({
    flag: '--data-dir <dir>',
    env: 'MESHNODE_DATA_DIR',
    default: () => join(homedir(), '.meshnode'),
    shown: '~/.meshnode',
    help: 'where the identity key and LevelDB live'
  }),
  listen: addrs({
    flag: '--listen <multiaddr>',
    repeatable: true,
    env: 'MESHNODE_LISTEN',
    // Closed by default: without a mesh key anyone who reaches the port could join the mesh,
    // so only a node with a key (or told --insecure) listens beyond loopback unasked.
    default: [`/ip4/0.0.0.0/tcp/${DEFAULT_PORT}`],
    shown: `/ip4/0.0.0.0/tcp/${DEFAULT_PORT} with a mesh key or --insecure, else /ip4/127.0.0.1/tcp/${DEFAULT_PORT}`,
    help: 'address to listen on'
  }),
  peers: addrs({
    flag: '--peer <multiaddr>',
    repeatable: true,
    env: 'MESHNODE_PEERS',
    default: [],
    help: 'bootstrap peer to dial; /p2p/<id> optional'
  }),
  name: text({
    flag: '--name <name>',
    env: 'MESHNODE_NAME',
    default: () => hostname(),
    shown: 'the hostname',
    help: 'node name shown to peers',
    check: v => v.length > 0 && v.length <= 128 ? undefined : 'must be 1 to 128 characters'
  }),
  mesh: text({
    flag: '--mesh <mesh>',
    env: 'MESHNODE_MESH',
    default: 'default',
    help: 'mesh name; nodes only join peers of the same mesh',
    check: v => MESH_NAME_PATTERN.test(v) ? undefined : 'must be 1 to 64 of A-Z a-z 0-9 . _ -'
  }),
  mdns: bool({
    flag: '--mdns',
    env: 'MESHNODE_MDNS',
    default: false,
    help: 'discover peers on the LAN with mDNS'
  }),
  capabilities: list({
    flag: '--capabilities <list>',
    env: 'MESHNODE_CAPABILITIES',
    default: [],
    help: 'comma-separated capabilities this node offers, e.g. gpu,python'
  }),
  logLevel: text<LogLevel>({
    flag: '--log-level <level>',
    env: 'MESHNODE_LOG_LEVEL',
    default: 'info',
    help: 'log verbosity on stderr',
    choices: LOG_LEVELS
  }),
  // A crash is caught through the closed connection and refused probes in ~150 ms whatever
  // these four are; they only bound how long a silent host (partition, SIGSTOP) goes unnoticed.
  // Each heartbeat costs every peer a signature check, so a 10-node mesh on 2 cores spent
  // ~17% of a core per node at 200 ms (BENCHMARKS.md); 1 s keeps that small. An idle node
  // heartbeats every 2 × this and its peers probe it that much later (quiet heartbeats,
  // src/node/services/membership.ts): a silent idle host goes unnoticed for up to
  // probe-after + heartbeat + dead-after of silence (with the defaults 7 s instead of 6 s).
  heartbeatMs: int({
    flag: '--heartbeat-ms <ms>',
    env: 'MESHNODE_HEARTBEAT_MS',
    default: 1_000,
    help: 'heartbeat interval',
    check: between(20, 60_000)
  }),
  probeAfterMs: int({
    flag: '--probe-after-ms <ms>',
    env: 'MESHNODE_PROBE_AFTER_MS',
    default: 3_000,
    help: 'silence before a peer is probed directly',
    check: between(50, 600_000)
  }),
  deadAfterMs: int({
    flag: '--dead-after-ms <ms>',
    env: 'MESHNODE_DEAD_AFTER_MS',
    default: 3_000,
    help: 'suspect time without sign of life before dead',
    check: between(50, 600_000)
  }),
  probeTimeoutMs: int({
    flag: '--probe-timeout-ms <ms>',
    env: 'MESHNODE_PROBE_TIMEOUT_MS',
    default: 500,
    help: 'how long a probe waits for an answer',
    check: between(10, 60_000)
  }),
  gossipRelay: text<'always' | 'when-needed'>({
    flag: '--gossip-relay <mode>',
    env: 'MESHNODE_GOSSIP_RELAY',
    default: 'when-needed',
    help: 'relay heartbeats (forward them to gossip mesh peers, and advertise them by IHAVE) only while some member may lack a direct link (when-needed), or always',
    choices: ['always', 'when-needed']
  }),
  expect: int({
    flag: '--expect <n>',
    env: 'MESHNODE_EXPECT',
    default: 1,
    help: 'found a new cluster once N nodes see each other; founders only, 1 = alone',
    check: between(1, 99)
  }),
  voterCap: int({
    flag: '--voter-cap <n>',
    env: 'MESHNODE_VOTER_CAP',
    default: 5,
    help: 'at most this many voters; further members are learners',
    check: between(1, 15)
  }),
  snapshotEvery: int({
    flag: '--snapshot-every <n>',
    env: 'MESHNODE_SNAPSHOT_EVERY',
    default: 10_000,
    help: 'compact the raft log after this many applied entries',
    check: between(2, 10_000_000)
  }),
  // auto: the slots follow the CPU and the queue between the two bounds below
  // (src/work/core/concurrency.ts); a number fixes them, as before auto existed.
  concurrency: slots({
    flag: '--concurrency <n>',
    env: 'MESHNODE_CONCURRENCY',
    default: 'auto',
    help: 'tasks run at once on this node: "auto" (adapts to CPU and queue between --min-concurrency and --max-concurrency) or a fixed number',
    check: v => v === 'auto' ? undefined : between(1, MAX_SLOTS)(v)
  }),
  // One task per core: a CPU-bound load never runs with fewer slots than the cores it can
  // use, and a burst starts where a fixed --concurrency used to be. Lower it (1) to let a
  // node saturated by other processes go below its core count.
  minConcurrency: int({
    flag: '--min-concurrency <n>',
    env: 'MESHNODE_MIN_CONCURRENCY',
    default: () => availableParallelism(),
    shown: 'number of CPUs (at most --max-concurrency)',
    help: 'with --concurrency auto: the fewest slots (where it starts, and shrinks to when idle)',
    check: between(1, MAX_SLOTS)
  }),
  // Enough for I/O-bound tasks (timers, network calls: slots ≈ rate × latency, 64 slots keep
  // ~1 600 tasks/s of 40 ms in flight), bounded so a node does not hoard a mesh's queue
  // (it keeps PREFETCH_PER_SLOT tasks per slot) nor start hundreds of handler workers.
  maxConcurrency: int({
    flag: '--max-concurrency <n>',
    env: 'MESHNODE_MAX_CONCURRENCY',
    default: () => defaultMaxConcurrency(availableParallelism()),
    shown: '16 × the number of CPUs, at least 64',
    help: 'with --concurrency auto: the most slots it grows to under queued work while the CPU allows',
    check: between(1, MAX_SLOTS)
  }),
  handlers: list({
    flag: '--handlers <path>',
    repeatable: true,
    env: 'MESHNODE_HANDLERS',
    default: [],
    shown: 'none (built-ins only)',
    help: 'a JS/TS module of task handlers (export default { name: async (payload, ctx) => result })'
  }),
  // Off the event loop by default: a handler stuck in a synchronous loop would otherwise stop
  // heartbeats, and its peers would declare this node dead (issue 10). Threads over processes:
  // a third of the per-task cost and a fifth of the memory (BENCHMARKS.md, handler isolation).
  handlerIsolation: text<IsolationMode>({
    flag: '--handler-isolation <mode>',
    env: 'MESHNODE_HANDLER_ISOLATION',
    default: 'worker',
    help: 'where --handlers modules run: worker threads, child processes, or none (the node\'s own event loop; a stuck handler stalls the node)',
    choices: ISOLATION_MODES
  }),
  meshKey: list({
    flag: '--mesh-key <file>',
    repeatable: true,
    env: 'MESHNODE_MESH_KEY_FILE',
    default: [],
    shown: 'none (loopback only)',
    help: 'private mesh key file (meshnode keygen); connections without it are refused. Repeat to also accept an old key while rotating: the first is used to connect'
  }),
  insecure: bool({
    flag: '--insecure',
    env: 'MESHNODE_INSECURE',
    default: false,
    help: 'listen beyond loopback without a mesh key: anyone who reaches the port can join the mesh'
  }),
  maxPendingJobs: int({
    flag: '--max-pending-jobs <n>',
    env: 'MESHNODE_MAX_PENDING_JOBS',
    default: 10_000,
    help: 'unfinished jobs one granted client key may have through this node; 0 = no cap (the local CLI is never capped)',
    check: between(0, 10_000_000)
  }),
  // Three copies: a job survives its home and one more node dying before it is re-homed,
  // and a 5-node mesh that keeps its majority (loses at most 2) always keeps one copy.
  replicas: int({
    flag: '--replicas <n>',
    env: 'MESHNODE_REPLICAS',
    default: 3,
    help: 'copies of each job submitted here kept in the mesh, this node\'s included; a submit is acknowledged once the others are durable on that many live peers (as many as the mesh has). 1 = a job dies with its home',
    check: between(1, 8)
  }),
  allowCommands: bool({
    flag: '--allow-commands',
    env: 'MESHNODE_ALLOW_COMMANDS',
    default: false,
    help: 'run shell-command tasks (submit --cmd) on this node'
  }),
  // The dashboard, /v1 API and /metrics. Loopback by default: the API reads job results and,
  // with a token, submits; a wider address needs the mesh secured like --listen does.
  http: text({
    flag: '--http <address>',
    env: 'MESHNODE_HTTP',
    default: 'auto',
    shown: '127.0.0.1:7421 (another free port if taken)',
    help: 'serve the web dashboard, the /v1 HTTP API and /metrics here; "off" to serve nothing',
    check: v => {
      try {
        parseHttpOption(v)
        return undefined
      } catch (err) {
        return errorMessage(err)
      }
    }
  }),
  // Long enough for queued work to move and for typical short tasks to finish; systemd's
  // TimeoutStopSec (90 s) and Kubernetes' terminationGracePeriodSeconds (30 s) sit above or at it.
  drainDeadlineMs: int({
    flag: '--drain-deadline-ms <ms>',
    env: 'MESHNODE_DRAIN_DEADLINE_MS',
    default: 30_000,
    help: 'on SIGTERM/SIGINT, drain for at most this long before leaving (0: stop without draining)',
    check: between(0, 3_600_000)
  }),
  // A minute: longer than a healthy job ever goes without an outcome, a first attempt, a
  // steal or a progress report unless its tasks run that long silently — and short enough
  // that a person waiting on the job hears why before giving up on it.
  'stuck.afterMs': int({
    flag: '--stuck-after-ms <ms>',
    env: 'MESHNODE_STUCK_AFTER_MS',
    default: 60_000,
    help: 'at a job\'s home, flag the job stuck (with a diagnosis) after this long without progress (0: off)',
    check: between(0, 7 * 86_400_000)
  }),
  // 0 = 85 % of the memory this process may use (its cgroup limit, else the host's RAM): the
  // OOM killer strikes at the limit, and the rest leaves room for running tasks to finish.
  'resources.maxRssBytes': int({
    flag: '--max-rss-bytes <bytes>',
    env: 'MESHNODE_MAX_RSS_BYTES',
    default: 0,
    shown: '0 (85 % of the cgroup memory limit, else of the host\'s memory)',
    help: 'above this resident memory the node takes no new work (stops stealing, refuses submits)'
  }),
  // 256 MiB: room for LevelDB to compact and for the results of the tasks still running.
  'resources.minFreeDiskBytes': int({
    flag: '--min-free-disk-bytes <bytes>',
    env: 'MESHNODE_MIN_FREE_DISK_BYTES',
    default: 256 * 1024 * 1024,
    help: 'below this free space on the data dir\'s file system the node takes no new work (0: off)'
  }),
  'supervision.localAttempts': int({
    flag: '--supervision-local-attempts <n>',
    env: 'MESHNODE_SUPERVISION_LOCAL_ATTEMPTS',
    default: 2,
    help: 'failed attempts of a task on one node before it runs on another capable node',
    check: between(1, 100)
  }),
  'supervision.restartsPerTypePerHour': int({
    flag: '--supervision-restarts-per-type-per-hour <n>',
    env: 'MESHNODE_SUPERVISION_RESTARTS_PER_TYPE_PER_HOUR',
    default: 100,
    help: 'restarts of failed tasks of one type per hour on this node; beyond it they fail at once (0: no cap)',
    check: between(0, 10_000_000)
  }),
  'supervision.breaker.failures': int({
    flag: '--supervision-breaker-failures <n>',
    env: 'MESHNODE_SUPERVISION_BREAKER_FAILURES',
    default: 5,
    help: 'consecutive failures that open a circuit (a peer at a lender, a handler on its node; 0: no breakers)',
    check: between(0, 1_000_000)
  }),
  'supervision.breaker.coolDownMs': int({
    flag: '--supervision-breaker-cool-down-ms <ms>',
    env: 'MESHNODE_SUPERVISION_BREAKER_COOL_DOWN_MS',
    default: 30_000,
    help: 'how long an open circuit waits before it lets one probe through',
    check: between(100, 86_400_000)
  }),
  // The incident log (src/node/observe/incident-log.ts): a month of incidents answers "what
  // happened last week"; records are a few KB, so 10 000 stay in the tens of MB.
  'incidents.maxAgeMs': int({
    flag: '--incidents-max-age-ms <ms>',
    env: 'MESHNODE_INCIDENTS_MAX_AGE_MS',
    default: 30 * 86_400_000,
    shown: '2592000000 (30 days)',
    help: 'incidents not updated for this long are deleted',
    check: between(60_000, 3_650 * 86_400_000)
  }),
  'incidents.max': int({
    flag: '--incidents-max <n>',
    env: 'MESHNODE_INCIDENTS_MAX',
    default: 10_000,
    help: 'at most this many incidents are kept; the oldest go first',
    check: between(1, 1_000_000)
  })
}

/** The config file itself: a flag and an env variable, but no key (a file cannot name a file). */
export const CONFIG_FILE_OPTION = {
  flag: '--config <file>',
  env: 'MESHNODE_CONFIG',
  shown: 'none',
  help: 'JSON config file; flags and env override it'
} as const

export type StartOptionKey = keyof typeof START_OPTIONS

type ValueOf<S> = S extends OptionSpec<infer V> ? V : never

/** The resolved configuration of a node: one field per START_OPTIONS entry, of its type. */
export type NodeConfig = { [K in StartOptionKey]: ValueOf<typeof START_OPTIONS[K]> }

const optionEntries = Object.entries(START_OPTIONS) as Array<[StartOptionKey, OptionSpec<unknown>]>

/** The long flag of an option, e.g. '--peer' for peers. */
export function flagName (spec: { flag: string }): string {
  return spec.flag.split(' ')[0]!
}

/** How an option's default reads in --help and the README. */
export function describeDefault (spec: OptionSpec<unknown>): string {
  if (spec.shown != null) return spec.shown
  const v = spec.default
  if (typeof v === 'function') throw new Error(`option ${spec.flag} has a computed default and needs "shown"`)
  if (typeof v === 'boolean') return v ? 'on' : 'off'
  if (Array.isArray(v)) return v.length === 0 ? 'none' : v.join(', ')
  return String(v)
}

export function defaultDataDir (env: NodeJS.ProcessEnv = process.env): string {
  return env[START_OPTIONS.dataDir.env] ?? optionDefault(START_OPTIONS.dataDir)
}

/** An option's default value (a fresh copy, computed now if it depends on the host). */
export function optionDefault<V> (spec: OptionSpec<V>): V {
  const v = spec.default
  if (typeof v === 'function') return (v as () => V)()
  return Array.isArray(v) ? [...v] as V : v
}

export function defaultConfig (): NodeConfig {
  return Object.fromEntries(optionEntries.map(([key, spec]) => [key, optionDefault(spec)])) as NodeConfig
}

export type RawValues = Partial<Record<StartOptionKey, unknown>>

export interface ConfigSources {
  /** Values from command-line flags (already split into arrays where repeatable). */
  flags?: RawValues
  env?: NodeJS.ProcessEnv
  /** Path of a JSON config file (from --config or MESHNODE_CONFIG). */
  configFile?: string
}

/** Resolve the final configuration. Throws MeshError USAGE/BAD_CONFIG naming the bad value. */
export function resolveConfig (sources: ConfigSources): NodeConfig {
  const env = sources.env ?? {}
  const config = defaultConfig()
  const layers: Array<[string, RawValues]> = []
  const explicit = new Set<string>()
  /** Where each explicitly set option came from, as errors name it. */
  const from = new Map<string, { label: string, code: 'USAGE' | 'BAD_CONFIG' }>()
  const file = sources.configFile ?? env[CONFIG_FILE_OPTION.env]
  if (file != null && file !== '') layers.push([`config file ${file}`, readConfigFile(file)])
  layers.push(['environment', fromEnv(env)])
  layers.push(['flag', sources.flags ?? {}])

  for (const [origin, values] of layers) {
    for (const [key, raw] of Object.entries(values)) {
      if (raw === undefined) continue
      explicit.add(key)
      const spec = Object.hasOwn(START_OPTIONS, key) ? START_OPTIONS[key as StartOptionKey] as OptionSpec<unknown> : undefined
      if (spec == null) {
        const near = didYouMean(key, Object.keys(START_OPTIONS))
        throw new MeshError('BAD_CONFIG', `${origin}: unknown option "${key}" (${near != null ? `did you mean "${near}"? ` : ''}known: ${Object.keys(START_OPTIONS).join(', ')})`)
      }
      const label = origin === 'environment' ? spec.env : origin === 'flag' ? flagName(spec) : `${origin}: "${key}"`
      const code = origin === 'flag' ? 'USAGE' : 'BAD_CONFIG'
      from.set(key, { label, code })
      ;(config as Record<StartOptionKey, unknown>)[key as StartOptionKey] = coerce(spec, raw, label, code)
    }
  }
  config.dataDir = resolve(config.dataDir)
  // A bound left at its default gives way to the one set (--max-concurrency 1 on 8 CPUs
  // means 1..1); two set the wrong way round are an error.
  if (config.minConcurrency > config.maxConcurrency) {
    const min = from.get('minConcurrency')
    const max = from.get('maxConcurrency')
    if (min == null) config.minConcurrency = config.maxConcurrency
    else if (max == null) config.maxConcurrency = config.minConcurrency
    else {
      const code = min.code === 'USAGE' || max.code === 'USAGE' ? 'USAGE' : 'BAD_CONFIG'
      throw new MeshError(code, `invalid ${min.label} ${config.minConcurrency}: it is above ${max.label} ${config.maxConcurrency}; the fewest slots cannot exceed the most`)
    }
  }
  config.handlers = config.handlers.map(h => resolve(h))
  config.meshKey = config.meshKey.map(k => resolve(k))
  if (!explicit.has('listen') && !secured(config)) config.listen = [`/ip4/127.0.0.1/tcp/${DEFAULT_PORT}`]
  const open = config.listen.filter(a => !isLoopback(a))
  if (open.length > 0 && !secured(config)) {
    throw new MeshError('INSECURE', `refusing to listen on ${open.join(', ')} without a mesh key: anyone who can reach it could join the mesh and run work on it. ` +
      'Create a key with `meshnode keygen --out mesh.key`, copy it to every node and start them with --mesh-key mesh.key; ' +
      'or listen on loopback only (/ip4/127.0.0.1/tcp/PORT); or, on a network you trust completely, add --insecure.')
  }
  const http = parseHttpOption(config.http)
  if (http != null && !isLoopbackHost(http.host) && !secured(config)) {
    throw new MeshError('INSECURE', `refusing to serve HTTP on ${config.http} without a mesh key: the API and dashboard would be reachable from other hosts on a mesh anyone can join. ` +
      'Secure the mesh (--mesh-key) first, or keep --http on loopback (127.0.0.1:PORT).')
  }
  return config
}

/** Whether a node may listen beyond loopback: it has a mesh key, or was told --insecure. */
export function secured (config: Pick<NodeConfig, 'meshKey' | 'insecure'>): boolean {
  return config.meshKey.length > 0 || config.insecure
}

/** How the node is protected, as `status` shows it. */
export function securityOf (config: Pick<NodeConfig, 'meshKey' | 'insecure' | 'listen'>): 'mesh-key' | 'loopback-only' | 'insecure' {
  if (config.meshKey.length > 0) return 'mesh-key'
  return config.listen.every(isLoopback) ? 'loopback-only' : 'insecure'
}

/** A listen address only this host can reach. */
export function isLoopback (addr: string): boolean {
  try {
    const host = multiaddr(addr).toOptions().host
    return /^127\./.test(host) || host === '::1' || host === 'localhost'
  } catch {
    return false
  }
}

function fromEnv (env: NodeJS.ProcessEnv): RawValues {
  const out: RawValues = {}
  for (const [key, spec] of optionEntries) {
    const v = env[spec.env]
    if (v != null && v !== '') out[key] = v
  }
  return out
}

function readConfigFile (file: string): RawValues {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    throw new MeshError('BAD_CONFIG', `cannot read config file ${file}: ${errorMessage(err)}`)
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (err) {
    throw new MeshError('BAD_CONFIG', `config file ${file} is not valid JSON: ${errorMessage(err)}`)
  }
  if (parsed == null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new MeshError('BAD_CONFIG', `config file ${file} must hold a JSON object of options`)
  }
  return parsed as RawValues
}

function coerce (spec: OptionSpec<unknown>, raw: unknown, label: string, code: 'USAGE' | 'BAD_CONFIG'): unknown {
  const fail = (why: string, shown: unknown = raw): never => { throw new MeshError(code, `invalid ${label} ${JSON.stringify(shown)}: ${why}`) }
  let value: unknown
  switch (spec.kind) {
    case 'string':
      if (typeof raw !== 'string') fail('expected a string')
      value = raw
      break
    case 'bool':
      if (typeof raw === 'boolean') value = raw
      else if (raw === 'true' || raw === '1') value = true
      else if (raw === 'false' || raw === '0') value = false
      else fail('expected true or false')
      break
    case 'int': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : NaN
      if (!Number.isSafeInteger(n)) fail('expected a whole number')
      value = n
      break
    }
    case 'slots': {
      if (typeof raw === 'string' && raw.trim().toLowerCase() === 'auto') {
        value = 'auto'
        break
      }
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw) : NaN
      if (!Number.isSafeInteger(n)) fail('expected "auto" or a whole number')
      value = n
      break
    }
    case 'list':
    case 'addrs': {
      const items = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : fail('expected a list')
      let list = items.map(i => typeof i === 'string' ? i.trim() : fail('expected strings')).filter(i => i !== '')
      if (spec.kind === 'addrs') {
        list = list.map(toMultiaddrString)
        for (const a of list) {
          try {
            multiaddr(a)
          } catch (err) {
            fail(`not an address (${errorMessage(err)}); examples: /ip4/127.0.0.1/tcp/${DEFAULT_PORT}, 127.0.0.1:${DEFAULT_PORT}`, a)
          }
        }
      }
      value = list
      break
    }
  }
  if (spec.choices != null && !spec.choices.includes(value)) fail(`must be one of ${spec.choices.join(', ')}`)
  const why = spec.check?.(value)
  if (why != null) fail(why)
  return value
}
