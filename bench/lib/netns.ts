// A bench's own small network of Linux network namespaces on one bridge, so a host can be cut
// off for real: its link down gives silence (no TCP reset, no refused probe), which loopback
// cannot. Same shape as the chaos tier's test/chaos/netns.ts, but under its own names and
// subnet ("mnrec"), so a bench and a chaos test never tear down each other's network; and the
// bridge has an address, so the bench process (in the host's namespace) reaches every node
// with cluster-lib's client. Needs root and iproute2.
import { execFileSync } from 'node:child_process'

const PREFIX = 'mnrec'
const BRIDGE = `${PREFIX}0`
const SUBNET = '10.213.78'
/** Every namespace this file may make: cleanup removes them all. */
const MAX_HOSTS = 8

export const hostNs = (i: number): string => `${PREFIX}${i}`
export const hostIp = (i: number): string => `${SUBNET}.${i + 10}`

function ip (...args: string[]): void {
  execFileSync('ip', args, { stdio: 'ignore' })
}

function tryIp (...args: string[]): void {
  try { ip(...args) } catch { /* already gone */ }
}

export function netnsUsable (): boolean {
  if (process.getuid?.() !== 0) return false
  try {
    execFileSync('ip', ['-V'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

/** Kills whatever runs in our namespaces and removes them, their links and the bridge. */
export function netnsCleanup (): void {
  for (let i = 1; i <= MAX_HOSTS; i++) {
    try {
      execFileSync('ip', ['netns', 'pids', hostNs(i)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
        .split('\n').filter(Boolean).forEach(pid => { try { process.kill(Number(pid), 'SIGKILL') } catch {} })
    } catch {}
    tryIp('netns', 'del', hostNs(i))
    tryIp('link', 'del', `veth-${hostNs(i)}`)
  }
  tryIp('link', 'del', BRIDGE)
}

/** Hosts 1..n on the bridge (the bridge itself at .1); returns what cluster-lib's `up` takes. */
export function netnsHosts (n: number): Array<{ netns: string, ip: string }> {
  if (n > MAX_HOSTS) throw new Error(`at most ${MAX_HOSTS} hosts`)
  netnsCleanup()
  ip('link', 'add', BRIDGE, 'type', 'bridge')
  ip('addr', 'add', `${SUBNET}.1/24`, 'dev', BRIDGE)
  ip('link', 'set', BRIDGE, 'up')
  for (let i = 1; i <= n; i++) {
    ip('netns', 'add', hostNs(i))
    ip('link', 'add', `veth-${hostNs(i)}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', hostNs(i))
    ip('link', 'set', `veth-${hostNs(i)}`, 'master', BRIDGE, 'up')
    ip('-n', hostNs(i), 'addr', 'add', `${hostIp(i)}/24`, 'dev', 'eth0')
    ip('-n', hostNs(i), 'link', 'set', 'eth0', 'up')
    ip('-n', hostNs(i), 'link', 'set', 'lo', 'up')
  }
  return Array.from({ length: n }, (_, k) => ({ netns: hostNs(k + 1), ip: hostIp(k + 1) }))
}

/** Cut host i off (its link down: silence both ways), or connect it again. */
export function setLink (i: number, up: boolean): void {
  ip('-n', hostNs(i), 'link', 'set', 'eth0', up ? 'up' : 'down')
}
