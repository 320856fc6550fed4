// The chaos tier's network: hosts in Linux network namespaces on one bridge, each with its
// own address, and a mesh of real meshnode processes on the first few of them (the others
// stay empty, for a stranger to run from). Cutting a host's link gives only silence, which
// loopback tests cannot. Needs root and iproute2 (canUseNetns). Every namespace, link and
// process goes in stop(), and leftovers of an earlier crashed run before starting.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { closeSync, openSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { StatusJson } from '../../src/node/client/status-json.js'
import { generateMeshKey } from '../../src/node/transport/mesh-key.js'
import { NODE_FLAGS, waitUntil } from '../../scripts/cluster-lib.js'
import { NODE, ROOT, run, tempDir, type RunResult } from '../e2e/helpers.js'

const BRIDGE = 'mnchaos0'
const SUBNET = '10.213.77'
/** Every namespace any chaos file may make: cleanup removes them all, whoever made them. */
const MAX_HOSTS = 4
export const PORT = 7420

export const ns = (i: number): string => `mnchaos${i}`
export const ip = (i: number): string => `${SUBNET}.${i + 10}`
export const addrOf = (i: number): string => `/ip4/${ip(i)}/tcp/${PORT}`

export function sh (...args: string[]): void {
  execFileSync('ip', args, { stdio: 'ignore' })
}

function tryIp (...args: string[]): void {
  try { sh(...args) } catch { /* already gone */ }
}

export function canUseNetns (): boolean {
  if (process.getuid?.() !== 0) return false
  try {
    execFileSync('ip', ['-V'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

/** Kills whatever runs in our namespaces and removes them, their links and the bridge. */
export function cleanup (): void {
  for (let i = 1; i <= MAX_HOSTS; i++) {
    try { execFileSync('ip', ['netns', 'pids', ns(i)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n').filter(Boolean).forEach(pid => { try { process.kill(Number(pid), 'SIGKILL') } catch {} }) } catch {}
    tryIp('netns', 'del', ns(i))
    tryIp('link', 'del', `veth-${ns(i)}`)
  }
  tryIp('link', 'del', BRIDGE)
}

export interface NetnsMesh {
  dataDir: string
  /** The mesh key every node holds. */
  meshKey: string
  /** Node i's data dir (hosts 1..nodes). */
  nodeDir: (i: number) => string
  /** `meshnode ARGS` run inside host i's namespace. */
  meshnode: (i: number, args: string[], timeoutMs?: number) => Promise<RunResult>
  /** `node FILE ARGS` inside host i's namespace (e.g. a script from dist/). */
  node: (i: number, file: string, args: string[], timeoutMs?: number) => Promise<RunResult>
  /** Node i's status, asked from its own host with its data dir; undefined if it does not answer. */
  status: (i: number) => Promise<StatusJson | undefined>
  stop: () => void
}

export interface MeshOptions {
  /** Hosts running a node, founding one cluster: 1..nodes. */
  nodes: number
  /** Further hosts on the bridge with nothing running: nodes+1..nodes+spare. */
  spare?: number
  /** Extra `meshnode start` flags for every node (e.g. --concurrency 2). */
  flags?: string[]
}

/** Builds the network, starts the nodes with a mesh key, and waits for one cluster with a leader. */
export async function startMesh (opts: MeshOptions): Promise<NetnsMesh> {
  const hosts = opts.nodes + (opts.spare ?? 0)
  if (hosts > MAX_HOSTS) throw new Error(`at most ${MAX_HOSTS} hosts`)
  const dataDir = tempDir('chaos')
  const meshKey = join(dataDir, 'mesh.key')
  const procs: ChildProcess[] = []
  const nodeDir = (i: number): string => join(dataDir, `h${i}`)
  const inNs = async (i: number, args: string[], timeoutMs = 10_000): Promise<RunResult> => await run('ip', ['netns', 'exec', ns(i), NODE, ...args], { timeoutMs })
  const mesh: NetnsMesh = {
    dataDir,
    meshKey,
    nodeDir,
    meshnode: async (i, args, timeoutMs) => await inNs(i, [...NODE_FLAGS, join(ROOT, 'bin', 'meshnode.js'), ...args], timeoutMs),
    node: async (i, file, args, timeoutMs) => await inNs(i, [file, ...args], timeoutMs),
    status: async i => {
      const r = await mesh.meshnode(i, ['status', '--json', '--timeout-ms', '1500', '--data-dir', nodeDir(i)])
      return r.code === 0 ? JSON.parse(r.stdout) : undefined
    },
    stop: () => {
      for (const p of procs) p.kill('SIGKILL')
      cleanup()
    }
  }
  cleanup()
  try {
    sh('link', 'add', BRIDGE, 'type', 'bridge')
    sh('link', 'set', BRIDGE, 'up')
    for (let i = 1; i <= hosts; i++) {
      sh('netns', 'add', ns(i))
      sh('link', 'add', `veth-${ns(i)}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns(i))
      sh('link', 'set', `veth-${ns(i)}`, 'master', BRIDGE, 'up')
      sh('-n', ns(i), 'addr', 'add', `${ip(i)}/24`, 'dev', 'eth0')
      sh('-n', ns(i), 'link', 'set', 'eth0', 'up')
      sh('-n', ns(i), 'link', 'set', 'lo', 'up')
    }
    // Hosts on a real network need a mesh key (a node refuses to listen beyond loopback
    // without one); the CLI with --data-dir uses the node's.
    writeFileSync(meshKey, generateMeshKey(), { mode: 0o600 })
    for (let i = 1; i <= opts.nodes; i++) {
      const peers = Array.from({ length: opts.nodes }, (_, k) => k + 1).filter(k => k !== i).flatMap(k => ['--peer', addrOf(k)])
      // Each node's log stays next to its data dir: a failed chaos run is read from there.
      const log = openSync(join(dataDir, `h${i}.log`), 'a')
      try {
        procs.push(spawn('ip', ['netns', 'exec', ns(i), NODE, ...NODE_FLAGS, join(ROOT, 'bin', 'meshnode.js'), 'start',
          '--data-dir', nodeDir(i), '--listen', addrOf(i), '--name', `h${i}`, '--expect', String(opts.nodes), '--mesh-key', meshKey, ...peers, ...(opts.flags ?? [])], { stdio: ['ignore', log, log] }))
      } finally {
        closeSync(log)
      }
    }
    const all = Array.from({ length: opts.nodes }, (_, k) => k + 1)
    await waitUntil(async () => {
      const ss = await Promise.all(all.map(mesh.status))
      return ss.every(s => s != null && s.peers.filter(p => p.state === 'alive').length === opts.nodes - 1 && s.leader != null)
    }, 60_000, `${opts.nodes} hosts to converge with a leader`, 250)
  } catch (err) {
    // The caller's afterAll runs too, but a half-built network must not outlive a failed start.
    mesh.stop()
    throw err
  }
  return mesh
}
