// One work shell alone on a real LevelDB: no peers, a Map standing in for the control log's
// job registry (a put merges into the entry, as ControlState does). The shell tests that
// differ only in their handlers, slots, clock or store build it here.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { JobEntry } from '../../../src/consensus/control.js'
import { WorkShell, type WorkShellOptions } from '../../../src/node/services/work-shell.js'
import { Store } from '../../../src/node/store/store.js'
import { WorkStore } from '../../../src/node/store/work-store.js'
import { mulberry32 } from '../../../src/prng.js'

export interface LoneShell<W extends WorkStore = WorkStore> {
  shell: WorkShell
  store: Store
  work: W
  registry: Map<string, JobEntry>
  /** Stops the shell, closes the store and deletes its directory. */
  close: () => Promise<void>
}

/**
 * A started shell named 'A' with `opts` over the defaults (one slot, handlers given, no
 * commands, Date.now, a seeded rng, a silent log); `store` wraps the LevelDB when the test
 * needs a store of its own (one that fails or gates writes).
 */
export async function loneShell<W extends WorkStore = WorkStore> (prefix: string, opts: Partial<WorkShellOptions> & Pick<WorkShellOptions, 'handlers'>, store?: (db: Store) => W): Promise<LoneShell<W>> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  const db = await Store.open(dir)
  const work = store != null ? store(db) : new WorkStore(db, 'A') as W
  const registry = new Map<string, JobEntry>()
  const shell = new WorkShell(work, { call: async () => { throw new Error('no peers') } }, {
    register: async (entries: Array<[string, JobEntry]>) => { for (const [id, e] of entries) registry.set(id, { ...registry.get(id), ...e }) },
    entry: (id: string) => registry.get(id),
    isDead: () => false,
    memberCount: () => 1
  }, {
    self: 'A',
    incarnation: 1,
    concurrency: 1,
    capabilities: Object.keys(opts.handlers).map(h => `handler:${h}`),
    allowCommands: false,
    peers: () => [],
    rng: mulberry32(1),
    now: Date.now,
    log: { info: () => {}, warn: () => {}, debug: () => {} },
    ...opts
  })
  await shell.start()
  const close = async (): Promise<void> => {
    await shell.stop()
    await db.close()
    await rm(dir, { recursive: true, force: true })
  }
  return { shell, store: db, work, registry, close }
}

/** A WorkStore whose flushes wait while `held` is set. */
export class GatedStore extends WorkStore {
  held = false
  private waiting: Array<() => void> = []

  override async flush (): Promise<void> {
    if (this.held) await new Promise<void>(resolve => this.waiting.push(resolve))
    await super.flush()
  }

  release (): void {
    this.held = false
    for (const w of this.waiting.splice(0)) w()
  }
}
