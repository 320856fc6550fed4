// Node configuration: one table of options, resolved with the precedence
// flags > MESHNODE_* environment > config file > defaults. Pure, so the precedence and the
// validation are unit-tested without starting anything.
import { multiaddr } from '@multiformats/multiaddr'
import { readFileSync } from 'node:fs'
import { availableParallelism, homedir, hostname } from 'node:os'
import { join, resolve } from 'node:path'
import { MESH_NAME_PATTERN } from '../wire/constants.js'
import { MeshError, errorMessage } from './errors.js'
import { LOG_LEVELS, type LogLevel } from './log.js'

/** The fixed, documented default port: every node listens here unless told otherwise. */
export const DEFAULT_PORT = 7420

export interface NodeConfig {
  dataDir: string
  listen: string[]
  peers: string[]
  name: string
  mesh: string
  mdns: boolean
  logLevel: LogLevel
  capabilities: string[]
  heartbeatMs: number
  probeAfterMs: number
  deadAfterMs: number
  probeTimeoutMs: number
  expect: number
  voterCap: number
  snapshotEvery: number
  concurrency: number
  handlers: string[]
  allowCommands: boolean
}

type Kind = 'string' | 'list' | 'bool' | 'int' | 'addrs'

interface OptionSpec {
  kind: Kind
  env: string
  check?: (value: any) => string | undefined
}

const positive = (min: number, max: number) => (v: number): string | undefined =>
  v >= min && v <= max ? undefined : `must be between ${min} and ${max}`

/** Every start option: its type, its environment variable and its validation. */
export const OPTIONS: Record<keyof NodeConfig, OptionSpec> = {
  dataDir: { kind: 'string', env: 'MESHNODE_DATA_DIR' },
  listen: { kind: 'addrs', env: 'MESHNODE_LISTEN' },
  peers: { kind: 'addrs', env: 'MESHNODE_PEERS' },
  name: { kind: 'string', env: 'MESHNODE_NAME', check: v => v.length > 0 && v.length <= 128 ? undefined : 'must be 1 to 128 characters' },
  mesh: { kind: 'string', env: 'MESHNODE_MESH', check: v => MESH_NAME_PATTERN.test(v) ? undefined : 'must be 1 to 64 of A-Z a-z 0-9 . _ -' },
  mdns: { kind: 'bool', env: 'MESHNODE_MDNS' },
  logLevel: { kind: 'string', env: 'MESHNODE_LOG_LEVEL', check: v => (LOG_LEVELS as readonly string[]).includes(v) ? undefined : `must be one of ${LOG_LEVELS.join(', ')}` },
  capabilities: { kind: 'list', env: 'MESHNODE_CAPABILITIES' },
  heartbeatMs: { kind: 'int', env: 'MESHNODE_HEARTBEAT_MS', check: positive(20, 60_000) },
  probeAfterMs: { kind: 'int', env: 'MESHNODE_PROBE_AFTER_MS', check: positive(50, 600_000) },
  deadAfterMs: { kind: 'int', env: 'MESHNODE_DEAD_AFTER_MS', check: positive(50, 600_000) },
  probeTimeoutMs: { kind: 'int', env: 'MESHNODE_PROBE_TIMEOUT_MS', check: positive(10, 60_000) },
  expect: { kind: 'int', env: 'MESHNODE_EXPECT', check: positive(1, 99) },
  voterCap: { kind: 'int', env: 'MESHNODE_VOTER_CAP', check: positive(1, 15) },
  snapshotEvery: { kind: 'int', env: 'MESHNODE_SNAPSHOT_EVERY', check: positive(2, 10_000_000) },
  concurrency: { kind: 'int', env: 'MESHNODE_CONCURRENCY', check: positive(1, 4096) },
  handlers: { kind: 'list', env: 'MESHNODE_HANDLERS' },
  allowCommands: { kind: 'bool', env: 'MESHNODE_ALLOW_COMMANDS' }
}

export function defaultDataDir (env: NodeJS.ProcessEnv = process.env): string {
  return env.MESHNODE_DATA_DIR ?? join(homedir(), '.meshnode')
}

export function defaultConfig (): NodeConfig {
  return {
    dataDir: join(homedir(), '.meshnode'),
    listen: [`/ip4/0.0.0.0/tcp/${DEFAULT_PORT}`],
    peers: [],
    name: hostname(),
    mesh: 'default',
    mdns: false,
    logLevel: 'info',
    capabilities: [],
    // A crash is caught through the closed connection and refused probes in ~150 ms whatever
    // these are; they only bound how long a silent host (partition, SIGSTOP) goes unnoticed.
    // Each heartbeat costs every peer a signature check, so a 10-node mesh on 2 cores spent
    // ~17% of a core per node at 200 ms (BENCHMARKS.md); 1 s keeps that small.
    heartbeatMs: 1_000,
    probeAfterMs: 3_000,
    deadAfterMs: 3_000,
    probeTimeoutMs: 500,
    expect: 1,
    voterCap: 5,
    snapshotEvery: 10_000,
    // One task per core: handlers are usually CPU-bound or spawn processes.
    concurrency: availableParallelism(),
    handlers: [],
    allowCommands: false
  }
}

export type RawValues = Partial<Record<keyof NodeConfig, unknown>>

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
  const file = sources.configFile ?? env.MESHNODE_CONFIG
  if (file != null && file !== '') layers.push([`config file ${file}`, readConfigFile(file)])
  layers.push(['environment', fromEnv(env)])
  layers.push(['flag', sources.flags ?? {}])

  for (const [origin, values] of layers) {
    for (const [key, raw] of Object.entries(values)) {
      if (raw === undefined) continue
      const spec = OPTIONS[key as keyof NodeConfig]
      if (spec == null) {
        throw new MeshError('BAD_CONFIG', `${origin}: unknown option "${key}" (known: ${Object.keys(OPTIONS).join(', ')})`)
      }
      const label = origin === 'environment' ? spec.env : origin === 'flag' ? `--${kebab(key)}` : `${origin}: "${key}"`
      ;(config as any)[key] = coerce(spec, raw, label, origin === 'flag' ? 'USAGE' : 'BAD_CONFIG')
    }
  }
  config.dataDir = resolve(config.dataDir)
  config.handlers = config.handlers.map(h => resolve(h))
  return config
}

function fromEnv (env: NodeJS.ProcessEnv): RawValues {
  const out: RawValues = {}
  for (const [key, spec] of Object.entries(OPTIONS)) {
    const v = env[spec.env]
    if (v != null && v !== '') out[key as keyof NodeConfig] = v
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

function coerce (spec: OptionSpec, raw: unknown, label: string, code: 'USAGE' | 'BAD_CONFIG'): unknown {
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
    case 'list':
    case 'addrs': {
      const items = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : fail('expected a list')
      const list = items.map(i => typeof i === 'string' ? i.trim() : fail('expected strings')).filter(i => i !== '')
      if (spec.kind === 'addrs') {
        for (const a of list) {
          try {
            multiaddr(a)
          } catch (err) {
            fail(`not a multiaddr (${errorMessage(err)}); example: /ip4/127.0.0.1/tcp/${DEFAULT_PORT}`, a)
          }
        }
      }
      value = list
      break
    }
  }
  const why = spec.check?.(value)
  if (why != null) fail(why)
  return value
}

function kebab (key: string): string {
  return key.replace(/[A-Z]/g, c => `-${c.toLowerCase()}`)
}
