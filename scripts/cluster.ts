// scripts/cluster: up N | status | kill I | stop I | restart I | wait | down — see README.
import { Command, CommanderError } from 'commander'
import { converged, DEFAULT_BASE_PORT, DEFAULT_DIR, down, kill, loadState, restart, statusAll, up, waitUntil } from './cluster-lib.js'

const program = new Command('scripts/cluster')
  .description('run a local mesh of real meshnode processes on loopback')
  .option('--dir <dir>', 'where data dirs, logs and cluster.json live (env MESHNODE_CLUSTER_DIR)', process.env.MESHNODE_CLUSTER_DIR ?? DEFAULT_DIR)
  .exitOverride()
  .showHelpAfterError(true)

const dir = (): string => program.opts().dir as string
const index = (v: string): number => {
  const n = Number(v)
  if (!Number.isInteger(n) || n < 1) throw new Error(`node index must be a whole number from 1, got "${v}"`)
  return n
}

program.command('up <n>')
  .description('start N nodes (node-1..node-N), each bootstrapped to all others')
  .option('--base-port <port>', 'node-1 listens here, node-i on base+i-1', String(process.env.MESHNODE_CLUSTER_PORT ?? DEFAULT_BASE_PORT))
  .option('--http-base-port <port>', 'node-i serves HTTP (dashboard, /v1, /metrics) on 127.0.0.1:base+i-1 (default: each takes 7421 or a free port)')
  .option('--no-wait', 'return at once instead of waiting until every node sees all others alive')
  .option('--timeout-ms <ms>', 'how long to wait for convergence', '30000')
  .allowExcessArguments(false)
  .argument('[nodeArgs...]', 'extra flags for every `meshnode start`, after --')
  .action(async (n: string, nodeArgs: string[], opts: { basePort: string, httpBasePort?: string, wait: boolean, timeoutMs: string }) => {
    const count = index(n)
    const state = await up(count, { dir: dir(), basePort: Number(opts.basePort), extraArgs: nodeArgs, ...(opts.httpBasePort != null ? { httpBasePort: Number(opts.httpBasePort) } : {}) })
    for (const e of state.nodes) console.log(`${e.name}  pid ${e.pid}  ${`/ip4/127.0.0.1/tcp/${e.port}`}  ${e.dataDir}${e.httpPort != null ? `  http://127.0.0.1:${e.httpPort}/` : ''}`)
    if (opts.wait) {
      await waitUntil(async () => converged(await statusAll(dir())), Number(opts.timeoutMs), 'full membership', 200)
      console.log(`converged: ${count} nodes see each other alive`)
    }
  })

program.command('status')
  .description('one line per node: pid, peer id, and how many peers it sees in each state')
  .option('--json', 'print every node\'s status JSON as an array')
  .action(async (opts: { json?: boolean }) => {
    const all = await statusAll(dir())
    if (opts.json === true) {
      console.log(JSON.stringify(all.map(s => ({ index: s.entry.index, name: s.entry.name, pid: s.entry.pid, status: s.status ?? null, error: s.error ?? null })), null, 2))
      return
    }
    for (const s of all) {
      if (s.status == null) {
        console.log(`${s.entry.name}  pid ${s.entry.pid}  DOWN (${s.error})`)
        continue
      }
      const c: Record<string, number> = { alive: 0, suspect: 0, dead: 0, left: 0 }
      for (const p of s.status.peers) c[p.state] = (c[p.state] ?? 0) + 1
      console.log(`${s.entry.name}  pid ${s.entry.pid}  ${s.status.peerId}  role ${s.status.role}  peers alive ${c.alive} suspect ${c.suspect} dead ${c.dead} left ${c.left}`)
    }
  })

program.command('kill <i>').description('SIGKILL node I (a crash)')
  .action(async (i: string) => { const e = await kill(index(i), 'SIGKILL', dir()); console.log(`killed ${e.name} (pid ${e.pid})`) })

program.command('stop <i>').description('SIGTERM node I (drain: its work goes to peers, it retires and leaves; peers see it as left)')
  .action(async (i: string) => { const e = await kill(index(i), 'SIGTERM', dir()); console.log(`stopped ${e.name} (pid ${e.pid})`) })

program.command('restart <i>').description('start node I again with its data dir, port and flags')
  .action(async (i: string) => { const e = await restart(index(i), dir()); console.log(`restarted ${e.name} (pid ${e.pid})`) })

program.command('wait').description('wait until every running node sees every other running node alive')
  .option('--timeout-ms <ms>', 'give up after this long', '30000')
  .action(async (opts: { timeoutMs: string }) => {
    loadState(dir())
    await waitUntil(async () => converged(await statusAll(dir())), Number(opts.timeoutMs), 'full membership', 200)
    console.log('converged')
  })

program.command('down').description('stop every node and remove the cluster dir')
  .option('--keep', 'keep data dirs and logs')
  .action(async (opts: { keep?: boolean }) => { await down(dir(), opts.keep === true); console.log('down') })

try {
  await program.parseAsync(process.argv.slice(2), { from: 'user' })
  process.exit(0)
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.code === 'commander.helpDisplayed' || err.code === 'commander.help' ? 0 : 2)
  console.error(`scripts/cluster: error: ${(err as Error).message}`)
  process.exit(1)
}
