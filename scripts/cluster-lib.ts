// A local mesh of real meshnode processes on loopback, each with its own data dir and port,
// all bootstrapped to each other. Used by scripts/cluster, the e2e tests and the benchmarks.
// State lives in <dir>/cluster.json so separate invocations (up, kill, restart) share it.
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Libp2p } from 'libp2p'
import { generateKeyPair, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { copyFileSync } from 'node:fs'
import { createCaller } from '../src/node/transport/rpc.js'
import { OPERATOR_KEY_FILE, loadKeyFile } from '../src/node/store/identity.js'
import { fetchStatus } from '../src/node/client/status.js'
import { loadMeshKeyFile } from '../src/node/transport/mesh-key.js'
import type { StatusJson } from '../src/node/client/status-json.js'

export const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..', ...(fileURLToPath(import.meta.url).includes('/dist/') ? ['..'] : []))
export const BIN = join(ROOT, 'bin', 'meshnode.js')
export const DEFAULT_DIR = join(ROOT, '.cluster')
export const DEFAULT_BASE_PORT = 17420
/** The flags bin/meshnode.js's shebang gives node; pass them when spawning it via `node`. */
export const NODE_FLAGS = ['--max-semi-space-size=16']

/**
 * The node flags in a bin/meshnode.js's own shebang (`#!/usr/bin/env -S node FLAGS`), so that
 * another build (UpOptions.bin, e.g. a worktree of an older commit) runs with its own flags.
 */
export function shebangFlags (bin: string): string[] | undefined {
  try {
    const first = readFileSync(bin, 'utf8').split('\n', 1)[0] ?? ''
    const m = /^#!\S*env -S node((?: --?\S+)*)\s*$/.exec(first)
    return m == null ? undefined : m[1]!.trim().split(/\s+/).filter(f => f !== '')
  } catch {
    return undefined
  }
}

export interface NodeEntry {
  index: number
  name: string
  dataDir: string
  port: number
  pid: number
  log: string
  /** The network namespace the node runs in (`ip netns exec`), when not the host's. */
  netns?: string
  /** The address it listens on (default 127.0.0.1). */
  ip?: string
  /** Its HTTP port (`--http IP:PORT`), when the cluster was started with httpBasePort. */
  httpPort?: number
}

export interface ClusterState {
  dir: string
  basePort: number
  extraArgs: string[]
  /** The bin/meshnode.js the nodes run, when not this checkout's BIN. */
  bin?: string
  nodes: NodeEntry[]
}

export interface UpOptions {
  dir?: string
  basePort?: number
  /** Extra flags passed to every `meshnode start`. */
  extraArgs?: string[]
  /** The bin/meshnode.js to run (default BIN): another build, e.g. a worktree of an older commit. */
  bin?: string
  /**
   * Node i runs in hosts[i-1]: its own network namespace and address (the benches' cut-link
   * mode; needs root). Nodes beyond loopback need a mesh key in extraArgs.
   */
  hosts?: Array<{ netns: string, ip: string }>
  /** Node i serves HTTP (dashboard, /v1, /metrics) on httpBasePort+i-1 (default: --http's own default). */
  httpBasePort?: number
}

export function loadState (dir = DEFAULT_DIR): ClusterState {
  const file = join(dir, 'cluster.json')
  if (!existsSync(file)) throw new Error(`no cluster in ${dir}; start one with: scripts/cluster up N`)
  return JSON.parse(readFileSync(file, 'utf8'))
}

function saveState (state: ClusterState): void {
  writeFileSync(join(state.dir, 'cluster.json'), JSON.stringify(state, null, 2) + '\n')
}

/**
 * Whether `pid` is a live process. A node whose process has exited but was not reaped yet (a
 * zombie: a detached node's parent is init, which may reap only every second or so) has
 * already closed its port and data dir, so it counts as stopped.
 */
export function isRunning (pid: number): boolean {
  if (pid <= 0) return false
  try {
    process.kill(pid, 0)
  } catch (err: any) {
    return err?.code === 'EPERM'
  }
  return !isZombie(pid)
}

function isZombie (pid: number): boolean {
  try {
    // /proc/PID/stat: "pid (comm) state ..."; comm may hold spaces and parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return /^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2))
  } catch {
    // Reaped meanwhile (gone), or no /proc at all (not Linux: kill(pid, 0) is the answer).
    return existsSync('/proc/self/stat')
  }
}

function addr (e: NodeEntry): string {
  return `/ip4/${e.ip ?? '127.0.0.1'}/tcp/${e.port}`
}

function spawnNode (state: ClusterState, entry: NodeEntry): number {
  const peers = state.nodes.filter(n => n.index !== entry.index).flatMap(n => ['--peer', addr(n)])
  const bin = state.bin ?? BIN
  const flags = state.bin != null ? shebangFlags(state.bin) ?? NODE_FLAGS : NODE_FLAGS
  const args = [...flags, bin, 'start', '--data-dir', entry.dataDir, '--listen', addr(entry), '--name', entry.name, ...peers, ...(entry.httpPort != null ? ['--http', `${entry.ip ?? '127.0.0.1'}:${entry.httpPort}`] : []), ...state.extraArgs]
  const fd = openSync(entry.log, 'a')
  try {
    // Detached: the mesh outlives this script; each node leads its own process group.
    // `ip netns exec` execs node in place: the pid is the node's.
    const [file, argv] = entry.netns != null ? ['ip', ['netns', 'exec', entry.netns, process.execPath, ...args]] : [process.execPath, args]
    const child = spawn(file, argv, { detached: true, stdio: ['ignore', fd, fd], cwd: dirname(dirname(bin)) })
    child.unref()
    return child.pid ?? -1
  } finally {
    closeSync(fd)
  }
}

export async function up (n: number, opts: UpOptions = {}): Promise<ClusterState> {
  const dir = resolve(opts.dir ?? DEFAULT_DIR)
  if (existsSync(join(dir, 'cluster.json'))) {
    const old = loadState(dir)
    if (old.nodes.some(e => isRunning(e.pid))) throw new Error(`a cluster is already running in ${dir}; run: scripts/cluster down`)
    rmSync(dir, { recursive: true, force: true })
  }
  mkdirSync(dir, { recursive: true })
  const basePort = opts.basePort ?? DEFAULT_BASE_PORT
  // Every node of a fresh local cluster is a founder: they form one cluster of N.
  const state: ClusterState = { dir, basePort, extraArgs: ['--expect', String(n), ...(opts.extraArgs ?? [])], ...(opts.bin != null ? { bin: resolve(opts.bin) } : {}), nodes: [] }
  for (let i = 1; i <= n; i++) {
    const host = opts.hosts?.[i - 1]
    state.nodes.push({ index: i, name: `node-${i}`, dataDir: join(dir, `node-${i}`), port: basePort + i - 1, pid: -1, log: join(dir, `node-${i}.log`), ...(host != null ? { netns: host.netns, ip: host.ip } : {}), ...(opts.httpBasePort != null ? { httpPort: opts.httpBasePort + i - 1 } : {}) })
  }
  // One operator key for the whole local cluster, copied into every node's data dir before
  // it starts: a node trusts the operator key in its data dir, so one client (the CLI with
  // any node's --data-dir, clusterCaller, the benches) may act on every node.
  writeFileSync(join(dir, OPERATOR_KEY_FILE), privateKeyToProtobuf(await generateKeyPair('Ed25519')), { mode: 0o600 })
  for (const e of state.nodes) {
    mkdirSync(e.dataDir, { recursive: true, mode: 0o700 })
    copyFileSync(join(dir, OPERATOR_KEY_FILE), join(e.dataDir, OPERATOR_KEY_FILE))
  }
  for (const e of state.nodes) e.pid = spawnNode(state, e)
  saveState(state)
  return state
}

/**
 * A client host signed in with the cluster's operator key: every node lets it do anything.
 * It connects through the cluster's mesh key when the nodes have one.
 */
export async function clusterCaller (dir = DEFAULT_DIR): Promise<Libp2p> {
  const meshKeys = existsSync(join(resolve(dir), 'cluster.json')) ? await meshKeysOf(loadState(dir)) : undefined
  return await createCaller({ key: await loadKeyFile(join(resolve(dir), OPERATOR_KEY_FILE)), ...(meshKeys != null ? { meshKeys } : {}) })
}

/**
 * The mesh keys the nodes were started with (`up N -- --mesh-key FILE`), primary first, or
 * undefined: a client host reaching them needs the same key, or every call is refused.
 */
async function meshKeysOf (state: ClusterState): Promise<Uint8Array[] | undefined> {
  const files = state.extraArgs.flatMap((a, i) => a === '--mesh-key' ? [state.extraArgs[i + 1] ?? ''] : a.startsWith('--mesh-key=') ? [a.slice('--mesh-key='.length)] : []).filter(f => f !== '')
  if (files.length === 0) return undefined
  // Nodes run with cwd ROOT, so a relative path means the same file to them.
  return await Promise.all(files.map(async f => (await loadMeshKeyFile(resolve(ROOT, f))).psk))
}

export function entry (state: ClusterState, index: number): NodeEntry {
  const e = state.nodes.find(n => n.index === index)
  if (e == null) throw new Error(`no node ${index}; this cluster has nodes 1..${state.nodes.length}`)
  return e
}

/**
 * SIGKILL (crash), SIGTERM (drain: hand work to peers and leave the mesh for good, within
 * --drain-deadline-ms) or SIGUSR2 (stop without draining, as for a restart) one node.
 */
export async function kill (index: number, signal: NodeJS.Signals = 'SIGKILL', dir = DEFAULT_DIR): Promise<NodeEntry> {
  const state = loadState(dir)
  const e = entry(state, index)
  if (isRunning(e.pid)) process.kill(e.pid, signal)
  // A drain may take its whole deadline (30 s by default).
  await waitUntil(() => !isRunning(e.pid), signal === 'SIGTERM' ? 90_000 : 15_000, `node ${index} (pid ${e.pid}) to exit`)
  return e
}

/** Start a node again with the same data dir, port and flags; stops it first if running. */
export async function restart (index: number, dir = DEFAULT_DIR): Promise<NodeEntry> {
  const state = loadState(dir)
  const e = entry(state, index)
  // A restart keeps the node's work: stop without draining.
  if (isRunning(e.pid)) await kill(index, 'SIGUSR2', dir)
  e.pid = spawnNode(state, e)
  saveState(state)
  return e
}

export async function down (dir = DEFAULT_DIR, keep = false): Promise<void> {
  if (!existsSync(join(dir, 'cluster.json'))) return
  const state = loadState(dir)
  // Everyone stops at once: there is no one to drain to (SIGUSR2: stop without draining).
  for (const e of state.nodes) if (isRunning(e.pid)) process.kill(e.pid, 'SIGUSR2')
  try {
    await waitUntil(() => state.nodes.every(e => !isRunning(e.pid)), 10_000, 'nodes to stop')
  } catch {
    for (const e of state.nodes) if (isRunning(e.pid)) process.kill(e.pid, 'SIGKILL')
  }
  if (!keep) rmSync(dir, { recursive: true, force: true })
}

export type NodeStatus = { entry: NodeEntry, status?: StatusJson, error?: string }

/** Every node's status, asked from one client host (a host per call costs a node real CPU). */
export async function statusAll (dir = DEFAULT_DIR, timeoutMs = 2_000, reuse?: Libp2p): Promise<NodeStatus[]> {
  const state = loadState(dir)
  const meshKeys = reuse == null ? await meshKeysOf(state) : undefined
  const client = reuse ?? await createCaller(meshKeys != null ? { meshKeys } : {})
  try {
    return await Promise.all(state.nodes.map(async e => {
      if (!isRunning(e.pid)) return { entry: e, error: 'not running' }
      try {
        return { entry: e, status: await fetchStatus({ dataDir: e.dataDir, timeoutMs }, client) }
      } catch (err: any) {
        return { entry: e, error: String(err?.message ?? err) }
      }
    }))
  } finally {
    if (reuse == null) await client.stop()
  }
}

export async function waitUntil (pred: () => boolean | Promise<boolean>, timeoutMs: number, what: string, everyMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await pred()) return
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise(r => setTimeout(r, everyMs))
  }
}

/** True when every running node sees every other running node alive. */
export function converged (statuses: NodeStatus[]): boolean {
  const live = statuses.filter(s => s.status != null)
  if (live.length !== statuses.filter(s => isRunning(s.entry.pid)).length) return false
  const ids = new Set(live.map(s => s.status!.peerId))
  return live.every(s => {
    const alive = new Set(s.status!.peers.filter(p => p.state === 'alive').map(p => p.peerId))
    return [...ids].every(id => id === s.status!.peerId || alive.has(id))
  })
}

export interface AgreedLeaderOptions {
  timeoutMs?: number
  everyMs?: number
  /** Also require this many nodes to answer (default: every running node that answers). */
  nodes?: number
  /**
   * Also require every answering node to see all its peers alive (and, with `nodes`, to have
   * met the other nodes - 1: a node restarted a moment ago may not have heard of them yet).
   */
  allAlive?: boolean
}

/** Wait until exactly one node is leader and every answering node names it; return it. */
export async function agreedLeader (dir = DEFAULT_DIR, opts: AgreedLeaderOptions = {}): Promise<NodeStatus> {
  let found: NodeStatus | undefined
  await waitUntil(async () => {
    const all = (await statusAll(dir, 1_000)).filter(s => s.status != null)
    const leaders = all.filter(s => s.status!.role === 'leader')
    if (leaders.length !== 1 || (opts.nodes != null && all.length !== opts.nodes)) return false
    const id = leaders[0]!.status!.peerId
    const met = (s: NodeStatus): boolean => opts.nodes == null || s.status!.peers.length >= opts.nodes - 1
    if (!all.every(s => s.status!.leader === id && (opts.allAlive !== true || (met(s) && s.status!.peers.every(p => p.state === 'alive'))))) return false
    found = leaders[0]
    return true
  }, opts.timeoutMs ?? 20_000, 'one leader agreed by every node', opts.everyMs ?? 100)
  return found!
}
