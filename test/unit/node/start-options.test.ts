// START_OPTIONS is the one declaration of the `meshnode start` options; these tests hold the
// README, the CLI, the env, the config file and the NodeConfig type to it.
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Command } from 'commander'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { addStartOptions } from '../../../src/node/cli/start-options.js'
import { main } from '../../../src/node/cli/main.js'
import {
  CONFIG_FILE_OPTION,
  START_OPTIONS,
  defaultConfig,
  describeDefault,
  flagName,
  resolveConfig,
  type NodeConfig,
  type OptionSpec,
  type StartOptionKey
} from '../../../src/node/config.js'
import type { LogLevel } from '../../../src/node/log.js'
import { tempDir } from '../../temp-dir.js'

const README = resolve(dirname(fileURLToPath(import.meta.url)), '../../../README.md')
const entries = Object.entries(START_OPTIONS) as Array<[StartOptionKey, OptionSpec<unknown>]>

interface ReadmeRow { flag: string, flagNote: string, env: string, envNote: string, key: string, default: string }

/** The rows of the markdown table under "## Configuration". */
function readmeConfigurationTable (): ReadmeRow[] {
  const text = readFileSync(README, 'utf8')
  const section = text.slice(text.indexOf('\n## Configuration\n'))
  const lines = section.split('\n')
  const first = lines.findIndex(l => l.startsWith('|'))
  const end = lines.findIndex((l, i) => i > first && !l.startsWith('|'))
  const table = lines.slice(first, end)
  expect(table[0]).toMatch(/^\| flag \| env \| config key \| default \|$/)
  const code = (cell: string): string => /`([^`]+)`/.exec(cell)?.[1] ?? cell.trim()
  const note = (cell: string): string => cell.replace(/^\s*`[^`]+`/, '').trim()
  return table.slice(2).map(line => {
    const cells = line.split('|').slice(1, -1)
    expect(cells).toHaveLength(4)
    const [flag, env, key, def] = cells as [string, string, string, string]
    return { flag: code(flag), flagNote: note(flag), env: code(env), envNote: note(env), key: code(key), default: def.replaceAll('`', '').trim() }
  })
}

/** A valid value for each option, as a command-line string. */
const SAMPLE: Record<StartOptionKey, string> = {
  dataDir: '/tmp/mn-sample',
  listen: '/ip4/127.0.0.1/tcp/7421',
  peers: '/ip4/127.0.0.1/tcp/7422',
  name: 'sample',
  mesh: 'samplemesh',
  mdns: 'true',
  capabilities: 'gpu',
  logLevel: 'debug',
  heartbeatMs: '250',
  probeAfterMs: '700',
  deadAfterMs: '900',
  probeTimeoutMs: '60',
  gossipRelay: 'always',
  expect: '3',
  voterCap: '7',
  snapshotEvery: '123',
  concurrency: '409',
  minConcurrency: '3',
  maxConcurrency: '99',
  handlers: '/tmp/mn-handlers.js',
  handlerIsolation: 'process',
  meshKey: '/tmp/mn-mesh.key',
  insecure: 'true',
  maxPendingJobs: '77',
  replicas: '2',
  allowCommands: 'true',
  drainDeadlineMs: '4500',
  http: '127.0.0.1:7499',
  'stuck.afterMs': '5000',
  'resources.maxRssBytes': '1073741824',
  'resources.minFreeDiskBytes': '1048576',
  'supervision.localAttempts': '3',
  'supervision.restartsPerTypePerHour': '50',
  'supervision.breaker.failures': '4',
  'supervision.breaker.coolDownMs': '2500',
  'incidents.maxAgeMs': '86400000',
  'incidents.max': '500'
}

/** What SAMPLE resolves to. */
const SAMPLE_VALUE: NodeConfig = {
  dataDir: '/tmp/mn-sample',
  listen: ['/ip4/127.0.0.1/tcp/7421'],
  peers: ['/ip4/127.0.0.1/tcp/7422'],
  name: 'sample',
  mesh: 'samplemesh',
  mdns: true,
  capabilities: ['gpu'],
  logLevel: 'debug',
  heartbeatMs: 250,
  probeAfterMs: 700,
  deadAfterMs: 900,
  probeTimeoutMs: 60,
  gossipRelay: 'always',
  expect: 3,
  voterCap: 7,
  snapshotEvery: 123,
  concurrency: 409,
  minConcurrency: 3,
  maxConcurrency: 99,
  handlers: ['/tmp/mn-handlers.js'],
  handlerIsolation: 'process',
  meshKey: ['/tmp/mn-mesh.key'],
  insecure: true,
  maxPendingJobs: 77,
  replicas: 2,
  allowCommands: true,
  drainDeadlineMs: 4500,
  http: '127.0.0.1:7499',
  'stuck.afterMs': 5000,
  'resources.maxRssBytes': 1073741824,
  'resources.minFreeDiskBytes': 1048576,
  'supervision.localAttempts': 3,
  'supervision.restartsPerTypePerHour': 50,
  'supervision.breaker.failures': 4,
  'supervision.breaker.coolDownMs': 2500,
  'incidents.maxAgeMs': 86_400_000,
  'incidents.max': 500
}

/** Parses `argv` as the start command would and returns what it hands to resolveConfig. */
function parseStart (argv: string[]): ReturnType<ReturnType<typeof addStartOptions>> {
  const command = new Command('start').exitOverride()
  const read = addStartOptions(command)
  command.parse(argv, { from: 'user' })
  return read(command.opts())
}

describe('the start option table', () => {
  it('is what the README Configuration table lists: same flags, env vars, config keys and defaults', () => {
    const rows = readmeConfigurationTable()
    const documented = rows.map(r => ({ flag: r.flag, env: r.env, key: r.key, default: r.default }))
    const declared = [
      ...entries.map(([key, spec]) => ({ flag: flagName(spec), env: spec.env, key, default: describeDefault(spec) })),
      { flag: flagName(CONFIG_FILE_OPTION), env: CONFIG_FILE_OPTION.env, key: '—', default: CONFIG_FILE_OPTION.shown }
    ]
    expect(documented).toEqual(declared)
  })

  it('matches the README on which flags repeat, which env vars take lists and which take true/false', () => {
    const byKey = new Map(readmeConfigurationTable().map(r => [r.key, r]))
    for (const [key, spec] of entries) {
      const row = byKey.get(key)!
      expect(row.flagNote.includes('(repeatable)'), `${key}: flag`).toBe(spec.repeatable === true)
      expect(row.envNote.includes('(comma-separated)'), `${key}: env`).toBe(spec.kind === 'list' || spec.kind === 'addrs')
      expect(row.envNote.includes('(`true`/`false`)'), `${key}: env`).toBe(spec.kind === 'bool')
    }
  })

  it('gives every computed default a description, and shows literal defaults as they are', () => {
    for (const [key, spec] of entries) {
      if (typeof spec.default === 'function') expect(spec.shown, key).toBeDefined()
      expect(() => describeDefault(spec), key).not.toThrow()
    }
    expect(describeDefault(START_OPTIONS.heartbeatMs)).toBe(String(defaultConfig().heartbeatMs))
  })

  it('is what the README Commands synopsis of start lists', () => {
    const text = readFileSync(README, 'utf8')
    const commands = text.slice(text.indexOf('\n## Commands\n'))
    const synopsis = /```\n(meshnode start[\s\S]*?)\nmeshnode status/.exec(commands)?.[1] ?? ''
    const listed = [...synopsis.matchAll(/\[(--[a-z-]+)/g)].map(m => m[1])
    // --json is start's own output switch, not a node option.
    expect(listed.sort()).toEqual([...entries.map(([, s]) => flagName(s)), flagName(CONFIG_FILE_OPTION), '--json'].sort())
  })

  it('gives an argument to every flag but the switches, and repeats only lists', () => {
    for (const [key, spec] of entries) {
      expect(/^--[a-z-]+ <[a-z]+>$/.test(spec.flag), key).toBe(spec.kind !== 'bool')
      if (spec.repeatable === true) expect(['list', 'addrs'], key).toContain(spec.kind)
    }
  })

  it('declares flags, env vars and config keys that are all distinct', () => {
    const flags = [...entries.map(([, s]) => flagName(s)), flagName(CONFIG_FILE_OPTION)]
    const envs = [...entries.map(([, s]) => s.env), CONFIG_FILE_OPTION.env]
    expect(new Set(flags).size).toBe(flags.length)
    expect(new Set(envs).size).toBe(envs.length)
    expect(envs.every(e => e.startsWith('MESHNODE_'))).toBe(true)
  })

  it('lists every option with its default and env var in start --help', async () => {
    let out = ''
    const io = { out: (t: string) => { out += t }, err: (t: string) => { out += t }, env: {} }
    expect(await main(['start', '--help'], io)).toBe(0)
    const help = out.replace(/\s+/g, ' ')
    for (const spec of [...entries.map(([, s]) => s), CONFIG_FILE_OPTION]) {
      expect(help).toContain(spec.flag)
      expect(help).toContain(`env: ${spec.env}`)
    }
    expect(help).toContain('default: /ip4/0.0.0.0/tcp/7420')
  })

  it('maps every flag to its config key', () => {
    const argv = entries.flatMap(([key, spec]) => spec.kind === 'bool' ? [flagName(spec)] : [flagName(spec), SAMPLE[key]])
    const { flags } = parseStart(argv)
    expect(resolveConfig({ flags, env: {} })).toEqual(SAMPLE_VALUE)
  })

  it('leaves absent flags undefined, so env and config file still apply', () => {
    const { flags, configFile } = parseStart([])
    expect(Object.values(flags).every(v => v === undefined)).toBe(true)
    expect(configFile).toBeUndefined()
    expect(parseStart(['--config', '/x.json']).configFile).toBe('/x.json')
  })

  it('collects a repeated flag into a list', () => {
    const { flags } = parseStart(['--peer', '/ip4/127.0.0.1/tcp/1', '--peer', '/ip4/127.0.0.1/tcp/2'])
    expect(flags.peers).toEqual(['/ip4/127.0.0.1/tcp/1', '/ip4/127.0.0.1/tcp/2'])
  })

  it('reads every option from its env variable', () => {
    const env = Object.fromEntries(entries.map(([key, spec]) => [spec.env, SAMPLE[key]]))
    expect(resolveConfig({ env })).toEqual(SAMPLE_VALUE)
  })

  it('reads every option from its config-file key', () => {
    const file = join(tempDir('options'), 'meshnode.json')
    writeFileSync(file, JSON.stringify(SAMPLE_VALUE))
    expect(resolveConfig({ configFile: file })).toEqual(SAMPLE_VALUE)
  })

  it('has the NodeConfig type the nodes are written against', () => {
    expectTypeOf<NodeConfig>().toEqualTypeOf<{
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
      gossipRelay: 'always' | 'when-needed'
      expect: number
      voterCap: number
      snapshotEvery: number
      concurrency: number | 'auto'
      minConcurrency: number
      maxConcurrency: number
      handlers: string[]
      handlerIsolation: 'worker' | 'process' | 'none'
      meshKey: string[]
      insecure: boolean
      maxPendingJobs: number
      replicas: number
      allowCommands: boolean
      drainDeadlineMs: number
      http: string
      'stuck.afterMs': number
      'resources.maxRssBytes': number
      'resources.minFreeDiskBytes': number
      'supervision.localAttempts': number
      'supervision.restartsPerTypePerHour': number
      'supervision.breaker.failures': number
      'supervision.breaker.coolDownMs': number
      'incidents.maxAgeMs': number
      'incidents.max': number
    }>()
  })
})
