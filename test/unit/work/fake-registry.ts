// The control log's job registry as a single work core sees it, for unit tests of the core
// alone (test/unit/work/*): jobs and committed deaths set by hand, and a mesh of one, so a
// submit keeps no replicas and waits for no holder (replication has its own tests:
// rehome.test.ts, on real shells).
import type { JobEntry } from '../../../src/consensus/control.js'

export class FakeRegistry {
  readonly jobs = new Map<string, JobEntry>()
  readonly dead = new Set<string>()
  entry (id: string): JobEntry | undefined { return this.jobs.get(id) }
  isDead (peer: string): boolean { return this.dead.has(peer) }
  memberCount (): number { return 1 }
}
