import { statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { IDENTITY_FILE, loadOrCreateIdentity } from '../../../src/node/store/identity.js'
import { tempDir } from '../../temp-dir.js'

const dir = (): string => tempDir('id')

describe('identity', () => {
  it('creates an ed25519 key readable only by its owner', async () => {
    const d = dir()
    const { key, created } = await loadOrCreateIdentity(d)
    expect(created).toBe(true)
    expect(key.type).toBe('Ed25519')
    expect(statSync(join(d, IDENTITY_FILE)).mode & 0o777).toBe(0o600)
  })

  it('loads the same identity on the next start', async () => {
    const d = dir()
    const a = await loadOrCreateIdentity(d)
    const b = await loadOrCreateIdentity(d)
    expect(b.created).toBe(false)
    expect(peerIdFromPrivateKey(b.key).toString()).toBe(peerIdFromPrivateKey(a.key).toString())
  })

  it('refuses a corrupt key file instead of minting a new identity', async () => {
    const d = dir()
    writeFileSync(join(d, IDENTITY_FILE), 'garbage')
    await expect(loadOrCreateIdentity(d)).rejects.toMatchObject({ code: 'IDENTITY_CORRUPT', message: expect.stringMatching(/corrupt/) })
  })
})
