// A small network of Linux network namespaces on one bridge: hosts 1..n, each with its own
// address on a /24, so a host can be cut off for real (its link down gives silence — no TCP
// reset, no refused probe — which loopback cannot). The chaos tier (test/chaos/netns.ts) and the
// recovery bench (bench/lib/netns.ts) each make one under their own prefix and subnet, so the
// two never tear down each other's network. Needs root and iproute2.
import { execFileSync } from 'node:child_process'

export interface BridgeNetOptions {
  /** Names: namespaces PREFIX1..PREFIXn, the bridge PREFIX0, host links veth-PREFIXi. */
  prefix: string
  /** The /24's first three octets; host i is .(i + 10), the bridge's own address .1. */
  subnet: string
  /** Every namespace this network may make: cleanup removes them all, whoever made them. */
  maxHosts: number
}

/** `ip ARGS`, quiet; throws if it fails. */
export function sh (...args: string[]): void {
  execFileSync('ip', args, { stdio: 'ignore' })
}

function tryIp (...args: string[]): void {
  try { sh(...args) } catch { /* already gone */ }
}

/** Root and iproute2: what a namespace network needs. */
export function netnsUsable (): boolean {
  if (process.getuid?.() !== 0) return false
  try {
    execFileSync('ip', ['-V'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

export class BridgeNet {
  readonly bridge: string
  /** The bridge's own address, for a process in the root namespace that talks to the hosts. */
  readonly clientIp: string

  constructor (private readonly opts: BridgeNetOptions) {
    this.bridge = `${opts.prefix}0`
    this.clientIp = `${opts.subnet}.1`
  }

  readonly ns = (i: number): string => `${this.opts.prefix}${i}`
  readonly ip = (i: number): string => `${this.opts.subnet}.${i + 10}`

  /** Kills whatever runs in the namespaces and removes them, their links and the bridge. */
  cleanup (): void {
    for (let i = 1; i <= this.opts.maxHosts; i++) {
      try {
        execFileSync('ip', ['netns', 'pids', this.ns(i)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
          .split('\n').filter(Boolean).forEach(pid => { try { process.kill(Number(pid), 'SIGKILL') } catch {} })
      } catch {}
      tryIp('netns', 'del', this.ns(i))
      tryIp('link', 'del', `veth-${this.ns(i)}`)
    }
    tryIp('link', 'del', this.bridge)
  }

  /**
   * Hosts 1..n on the bridge, after removing what an earlier run left. With `client`, the
   * bridge takes clientIp, so the root namespace reaches every host.
   */
  build (n: number, opts: { client: boolean }): void {
    if (n > this.opts.maxHosts) throw new Error(`at most ${this.opts.maxHosts} hosts`)
    this.cleanup()
    sh('link', 'add', this.bridge, 'type', 'bridge')
    if (opts.client) sh('addr', 'add', `${this.clientIp}/24`, 'dev', this.bridge)
    sh('link', 'set', this.bridge, 'up')
    for (let i = 1; i <= n; i++) {
      const ns = this.ns(i)
      sh('netns', 'add', ns)
      sh('link', 'add', `veth-${ns}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns)
      sh('link', 'set', `veth-${ns}`, 'master', this.bridge, 'up')
      sh('-n', ns, 'addr', 'add', `${this.ip(i)}/24`, 'dev', 'eth0')
      sh('-n', ns, 'link', 'set', 'eth0', 'up')
      sh('-n', ns, 'link', 'set', 'lo', 'up')
    }
  }

  /** Cut host i off (its link down: silence both ways), or connect it again. */
  setLink (i: number, up: boolean): void {
    sh('-n', this.ns(i), 'link', 'set', 'eth0', up ? 'up' : 'down')
  }
}
