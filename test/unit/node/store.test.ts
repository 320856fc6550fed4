import { describe, expect, it } from 'vitest'
import { BUCKETS, RESERVED_PREFIXES } from '../../../src/node/store/buckets.js'
import { STORE_SCHEMA_VERSION, Store } from '../../../src/node/store/store.js'
import { tempDir } from '../../temp-dir.js'

const dir = (): string => tempDir('store')

describe('store', () => {
  it('gives every bucket a distinct prefix that no reserved one shadows', () => {
    const prefixes = Object.values(BUCKETS).map(b => b.prefix)
    expect(new Set([...prefixes, ...RESERVED_PREFIXES]).size).toBe(prefixes.length + RESERVED_PREFIXES.length)
  })

  it('persists values across reopen and counts incarnations up', async () => {
    const d = dir()
    let s = await Store.open(d)
    expect(await s.nextIncarnation()).toBe(1n)
    await s.peers.put('p1', { peerId: 'p1', name: 'a', addrs: ['/ip4/127.0.0.1/tcp/1'], lastSeen: 1 })
    await s.close()
    s = await Store.open(d)
    expect(await s.nextIncarnation()).toBe(2n)
    expect(await s.peers.entries()).toEqual([['p1', { peerId: 'p1', name: 'a', addrs: ['/ip4/127.0.0.1/tcp/1'], lastSeen: 1 }]])
    await s.close()
  })

  it('refuses a data dir already open in another store', async () => {
    const d = dir()
    const s = await Store.open(d)
    await expect(Store.open(d)).rejects.toMatchObject({ code: 'DATA_DIR_LOCKED' })
    await s.close()
  })

  it('reads a database of an older schema and marks it with this one', async () => {
    const d = dir()
    const s = await Store.open(d)
    await s.meta.put('schemaVersion', 1)
    await s.close()
    const again = await Store.open(d)
    expect(await again.meta.get('schemaVersion')).toBe(STORE_SCHEMA_VERSION)
    await again.close()
  })

  it('refuses a database written by a newer schema', async () => {
    const d = dir()
    const s = await Store.open(d)
    await s.meta.put('schemaVersion', STORE_SCHEMA_VERSION + 1)
    await s.close()
    await expect(Store.open(d)).rejects.toMatchObject({ code: 'STORE_CORRUPT' })
  })
})
