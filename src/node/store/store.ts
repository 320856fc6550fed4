// The node's LevelDB: one database per data directory, split into typed buckets (sublevels)
// from the registry in buckets.ts. Opening maps LevelDB's failure codes to errors that tell the
// operator what to do; a locked database means another meshnode owns this data directory.
import { Level } from 'level'
import { join } from 'node:path'
import { BUCKETS, type BucketName } from './buckets.js'
import { MeshError, errorMessage } from '../errors.js'

/**
 * Bumped when the on-disk layout changes so that an older meshnode could misread it; checked on
 * open. A database at an older version is read as it is (every version reads the ones before)
 * and marked with this one, after which an older meshnode refuses it instead of misreading it.
 * 2: tasks, outcomes and job records leave out what their key or the node says (record-codec.ts).
 * 3: the Raft log's jobs.put entries may be in groups (control.ts, compactJobsPut), which a
 *    schema-2 meshnode cannot decode: it would replay its log without those jobs.
 * 4: a one-task job's root task and outcome may be inside its job record (records.ts,
 *    StoredJob), which a schema-3 meshnode would not read: it would lose the task.
 * 5: a finished job record may say its end times once (`at`), and a task or outcome inside a
 *    job record may leave out the record's times (record-codec.ts), which a schema-4 meshnode
 *    would read as missing.
 * 6: a held replica set may be stored deflated (replicas.ts, SealedReplicaSet.deflated), which
 *    a schema-5 meshnode would read as no replica: a job whose home died would not be re-homed
 *    there.
 */
export const STORE_SCHEMA_VERSION = 6

export interface KnownPeer {
  peerId: string
  name: string
  addrs: string[]
  lastSeen: number
  /** The incarnation its last remembered heartbeat carried (a bigint, as a decimal string). */
  incarnation?: string
}

export interface MetaValues {
  schemaVersion: number
  incarnation: number
}

/** The slice of a level sublevel that buckets use; keeps the generic soup out of callers. */
interface Sub {
  get: (key: string) => Promise<unknown>
  put: (key: string, value: unknown) => Promise<void>
  del: (key: string) => Promise<void>
  iterator: () => AsyncIterable<[string, unknown]>
}

/** A typed view of one bucket. */
export class Bucket<V> {
  constructor (readonly db: Sub) {}

  async get (key: string): Promise<V | undefined> {
    return await this.db.get(key) as V | undefined
  }

  async put (key: string, value: V): Promise<void> {
    await this.db.put(key, value)
  }

  async del (key: string): Promise<void> {
    await this.db.del(key)
  }

  async entries (): Promise<Array<[string, V]>> {
    const out: Array<[string, V]> = []
    for await (const [k, v] of this.db.iterator()) out.push([k, v as V])
    return out
  }
}

export class Store {
  readonly meta: Bucket<MetaValues[keyof MetaValues]>
  readonly peers: Bucket<KnownPeer>

  private constructor (readonly db: Level<string, unknown>, readonly location: string) {
    this.meta = this.bucket('meta')
    this.peers = this.bucket('peers')
  }

  static async open (dataDir: string): Promise<Store> {
    const location = join(dataDir, 'db')
    const db = new Level<string, unknown>(location, { valueEncoding: 'json' })
    try {
      await db.open()
    } catch (err: any) {
      const code: string | undefined = err?.cause?.code ?? err?.code
      if (code === 'LEVEL_LOCKED') {
        throw new MeshError('DATA_DIR_LOCKED', `data dir ${dataDir} is in use by another meshnode process; stop it or pick another --data-dir`, { cause: err })
      }
      if (code === 'LEVEL_CORRUPTION') {
        throw new MeshError('STORE_CORRUPT', `database ${location} is corrupt (${errorMessage(err.cause ?? err)}); restore the data dir from a backup or move it aside to start empty`, { cause: err })
      }
      throw new MeshError('DATA_DIR_UNUSABLE', `cannot open database ${location}: ${errorMessage(err.cause ?? err)}`, { cause: err })
    }
    const store = new Store(db, location)
    try {
      await store.checkSchema()
    } catch (err) {
      await db.close()
      throw err
    }
    return store
  }

  /** Increment and persist the incarnation counter; each process start gets a fresh one. */
  async nextIncarnation (): Promise<bigint> {
    const prev = Number(await this.meta.get('incarnation') ?? 0)
    const next = prev + 1
    await this.meta.put('incarnation', next)
    return BigInt(next)
  }

  async close (): Promise<void> {
    await this.db.close()
  }

  private bucket<V> (name: BucketName): Bucket<V> {
    return new Bucket<V>(this.sublevel(name) as unknown as Sub)
  }

  /** The raw JSON sublevel of a bucket, for modules that write several buckets in one batch. */
  sublevel (name: BucketName): ReturnType<Level<string, unknown>['sublevel']> {
    return this.db.sublevel(BUCKETS[name].prefix, { valueEncoding: 'json' })
  }

  private async checkSchema (): Promise<void> {
    const found = await this.meta.get('schemaVersion')
    if (found != null && (typeof found !== 'number' || found > STORE_SCHEMA_VERSION)) {
      throw new MeshError('STORE_CORRUPT', `database ${this.location} has schema version ${String(found)}, newer than this meshnode understands (${STORE_SCHEMA_VERSION}); upgrade meshnode`)
    }
    if (found !== STORE_SCHEMA_VERSION) await this.meta.put('schemaVersion', STORE_SCHEMA_VERSION)
  }
}
