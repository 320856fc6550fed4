// The membership service's options and stand-in components for unit tests that build one
// Membership around a host of their own (real or fake): one place for the defaults.
import { performance } from 'node:perf_hooks'
import { afterEach, beforeEach, vi } from 'vitest'
import { Membership, type MembershipInit } from '../../../src/node/services/membership.js'
import { decodeHeartbeat, type Heartbeat } from '../../../src/wire/heartbeat-codec.js'

/** An idle follower with no cluster yet: what localState() says in these tests. */
export const idleState = (): ReturnType<MembershipInit['localState']> => ({ role: 'follower', term: 0n, leader: '', load: 0, queued: 0, slots: 1, draining: false, bootstrapSet: [] })

/** The node's defaults (1 s heartbeats, probe after 3 s, dead after 3 more), `over` on top. */
export function membershipInit (over: Partial<MembershipInit> = {}): MembershipInit {
  return { mesh: 'test', name: 'n', capabilities: [], incarnation: 1n, heartbeatMs: 1000, probeAfterMs: 3000, deadAfterMs: 3000, probeTimeoutMs: 500, startedAt: 0, localState: idleState, ...over }
}

/** A Membership on `host` whose store, dialer, log and metrics do nothing (unless given). */
export function quietMembership (host: unknown, over: Partial<MembershipInit> = {}, components: Record<string, unknown> = {}): Membership {
  const counter = { inc () {}, set () {}, labels: () => counter }
  const metrics = new Proxy({}, { get: () => counter })
  const store = { peers: { entries: async () => [], put: async () => {} } }
  const dialer = { know () {}, forgetUntilSeen () {} }
  const log = { debug () {}, info () {}, warn () {}, trace () {}, isLevelEnabled () { return true } }
  return new Membership({ host, store, dialer, log, metrics, ...components } as any, membershipInit(over))
}

/**
 * Every test of the calling block on vitest's fake clock, node:perf_hooks' performance.now
 * included (the shell reads that one, not the global vitest fakes).
 */
export function onFakeClock (): void {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] })
    vi.spyOn(performance, 'now').mockImplementation(() => Date.now())
  })
  afterEach(() => {
    vi.restoreAllMocks()
    vi.useRealTimers()
  })
}

/**
 * A host with no peers for a started Membership: `addrs()` is what getMultiaddrs lists (each
 * call counted in `reads`), and every heartbeat it publishes is decoded into `published`.
 */
export function fakeHost (addrs: () => string[]): EventTarget & { reads: { count: number }, published: Heartbeat[] } {
  const reads = { count: 0 }
  const published: Heartbeat[] = []
  return Object.assign(new EventTarget(), {
    reads,
    published,
    peerId: { toString: () => 'self' },
    getMultiaddrs: () => { reads.count++; return addrs().map(a => ({ toString: () => a })) },
    getConnections: () => [],
    services: {
      pubsub: {
        topicValidators: new Map(),
        addEventListener () {},
        removeEventListener () {},
        subscribe () {},
        publish: async (_topic: string, data: Uint8Array) => {
          const v = decodeHeartbeat(data, 'test')
          if (v.ok) published.push(v.heartbeat)
        }
      }
    }
  })
}
