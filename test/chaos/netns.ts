// The chaos tier's network: hosts in Linux network namespaces on one bridge, each with its
// own address, and a mesh of real meshnode processes on the first few of them (the others
// stay empty, for a stranger to run from). Cutting a host's link gives only silence, which
// loopback tests cannot. Needs root and iproute2 (canUseNetns). Every namespace, link and
// process goes in stop(), and leftovers of an earlier crashed run before starting.
// The chaos suite (suite/) also kills, restarts and pauses single hosts' nodes, cuts links
// and splits the bridge with blackhole routes, and talks to the nodes from the root
// namespace through an address of its own on the bridge (MeshOptions.client).
import { spawn, type ChildProcess } from 'node:child_process'
import { closeSync, copyFileSync, mkdirSync, openSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { generateKeyPair, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { OPERATOR_KEY_FILE } from '../../src/node/store/identity.js'
import type { StatusJson } from '../../src/node/client/status-json.js'
import { generateMeshKey } from '../../src/node/transport/mesh-key.js'
import { NODE_FLAGS, waitUntil } from '../../scripts/cluster-lib.js'
import { BridgeNet, netnsUsable, sh } from '../../scripts/netns-lib.js'
import { NODE, ROOT, run, tempDir, type RunResult } from '../e2e/helpers.js'

/** Every namespace any chaos file may make: cleanup removes them all, whoever made them. */
const net = new BridgeNet({ prefix: 'mnchaos', subnet: '10.213.77', maxHosts: 5 })
export const PORT = 7420

export const ns = net.ns
export const ip = net.ip
/** The root namespace's address on the bridge (MeshOptions.client). */
export const CLIENT_IP = net.clientIp
export const addrOf = (i: number): string => `/ip4/${ip(i)}/tcp/${PORT}`
export { sh, netnsUsable as canUseNetns }

/** Kills whatever runs in our namespaces and removes them, their links and the bridge. */
export function cleanup (): void {
  net.cleanup()
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
  /** Node i's log file (every start of it appends). */
  logOf: (i: number) => string
  /** Whether node i's process is running (it may be stopped by SIGSTOP). */
  running: (i: number) => boolean
  /** Sends node i's process a signal (SIGKILL, SIGSTOP, SIGCONT); false when it is not running. */
  signal: (i: number, sig: NodeJS.Signals) => boolean
  /** SIGKILLs node i and waits until its process is gone. */
  kill: (i: number) => Promise<void>
  /** Starts node i again with the same data dir, address and flags (it must not be running). */
  restart: (i: number) => void
  /** When MeshOptions.operatorKey: the operator key file every node trusts. */
  operatorKey?: string
  stop: () => void
}

export interface MeshOptions {
  /** Hosts running a node, founding one cluster: 1..nodes. */
  nodes: number
  /** Further hosts on the bridge with nothing running: nodes+1..nodes+spare. */
  spare?: number
  /** Give the root namespace CLIENT_IP on the bridge, so this process can dial the nodes. */
  client?: boolean
  /** Write one operator key into every node's data dir before it starts (as scripts/cluster does). */
  operatorKey?: boolean
  /** Extra flags for every `meshnode start`. */
  extraArgs?: string[]
}

/** Builds the network, starts the nodes with a mesh key, and waits for one cluster with a leader. */
export async function startMesh (opts: MeshOptions): Promise<NetnsMesh> {
  const hosts = opts.nodes + (opts.spare ?? 0)
  const dataDir = tempDir('chaos')
  const meshKey = join(dataDir, 'mesh.key')
  const procs = new Map<number, ChildProcess>()
  const nodeDir = (i: number): string => join(dataDir, `h${i}`)
  const logOf = (i: number): string => join(dataDir, `h${i}.log`)
  const running = (i: number): boolean => { const p = procs.get(i); return p != null && p.exitCode == null && p.signalCode == null }
  const spawnNode = (i: number): void => {
    const peers = Array.from({ length: opts.nodes }, (_, k) => k + 1).filter(k => k !== i).flatMap(k => ['--peer', addrOf(k)])
    // Each node's log stays next to its data dir: a failed chaos run is read from there.
    const log = openSync(logOf(i), 'a')
    try {
      // `ip netns exec` execs the command: the child's pid is the node's, so signals reach it.
      procs.set(i, spawn('ip', ['netns', 'exec', ns(i), NODE, ...NODE_FLAGS, join(ROOT, 'bin', 'meshnode.js'), 'start',
        '--data-dir', nodeDir(i), '--listen', addrOf(i), '--name', `h${i}`, '--expect', String(opts.nodes), '--mesh-key', meshKey, ...peers, ...(opts.extraArgs ?? [])], { stdio: ['ignore', log, log] }))
    } finally {
      closeSync(log)
    }
  }
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
    logOf,
    running,
    signal: (i, sig) => running(i) && procs.get(i)!.kill(sig),
    kill: async i => {
      const p = procs.get(i)
      if (p == null || !running(i)) return
      const gone = new Promise(resolve => p.once('exit', resolve))
      p.kill('SIGKILL')
      await gone
    },
    restart: i => {
      if (running(i)) throw new Error(`h${i} is still running`)
      spawnNode(i)
    },
    stop: () => {
      for (const p of procs.values()) p.kill('SIGKILL')
      cleanup()
    }
  }
  try {
    net.build(hosts, { client: opts.client === true })
    // Hosts on a real network need a mesh key (a node refuses to listen beyond loopback
    // without one); the CLI with --data-dir uses the node's.
    writeFileSync(meshKey, generateMeshKey(), { mode: 0o600 })
    if (opts.operatorKey === true) {
      // One operator key that every node trusts (a node keeps the one it finds in its data
      // dir), so one client host may act on all of them.
      const key = join(dataDir, OPERATOR_KEY_FILE)
      writeFileSync(key, privateKeyToProtobuf(await generateKeyPair('Ed25519')), { mode: 0o600 })
      for (let i = 1; i <= opts.nodes; i++) {
        mkdirSync(nodeDir(i), { recursive: true, mode: 0o700 })
        copyFileSync(key, join(nodeDir(i), OPERATOR_KEY_FILE))
      }
      mesh.operatorKey = key
    }
    for (let i = 1; i <= opts.nodes; i++) spawnNode(i)
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
