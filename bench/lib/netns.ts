// A bench's own small network of Linux network namespaces on one bridge (scripts/netns-lib.ts),
// so a host can be cut off for real. Its own names and subnet ("mnrec"), not the chaos tier's,
// so a bench and a chaos test never tear down each other's network; and the bridge has an
// address, so the bench process (in the host's namespace) reaches every node with
// cluster-lib's client. Needs root and iproute2.
import { BridgeNet, netnsUsable } from '../../scripts/netns-lib.js'

const net = new BridgeNet({ prefix: 'mnrec', subnet: '10.213.78', maxHosts: 8 })

export { netnsUsable }

/** Kills whatever runs in our namespaces and removes them, their links and the bridge. */
export function netnsCleanup (): void {
  net.cleanup()
}

/** Hosts 1..n on the bridge (the bridge itself at .1); returns what cluster-lib's `up` takes. */
export function netnsHosts (n: number): Array<{ netns: string, ip: string }> {
  net.build(n, { client: true })
  return Array.from({ length: n }, (_, k) => ({ netns: net.ns(k + 1), ip: net.ip(k + 1) }))
}

/** Cut host i off (its link down: silence both ways), or connect it again. */
export function setLink (i: number, up: boolean): void {
  net.setLink(i, up)
}
