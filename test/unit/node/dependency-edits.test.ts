// scripts/dependency-edits.mjs: the bundle's edits to dependencies apply to the installed
// versions, a build fails when one no longer does, and the edited code does what it did
// without the memory: Noise's WebAssembly cipher is compiled at its first frame, not at load,
// and the peer store sorts without an ICU collator (String.prototype.localeCompare). The built
// bundle (`npm run build` comes first) compiles no WebAssembly at import.
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { readFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { build } from 'esbuild'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { afterEach, describe, expect, it } from 'vitest'
import { tempDir } from '../../temp-dir.js'

const ROOT = join(import.meta.dirname, '..', '..', '..')
type Edit = [string, string, number]
const { EDITS, applyEdits, DEPENDENCY_EDITS } = await import(join(ROOT, 'scripts', 'dependency-edits.mjs')) as {
  EDITS: Record<string, Edit[]>
  applyEdits: (path: string, text: string, edits?: Edit[]) => string
  DEPENDENCY_EDITS: unknown
}

/** `entry` (a file under node_modules) bundled as the build bundles it, with or without the edits; its exports. */
async function bundled (entry: string, edits: boolean): Promise<any> {
  const outfile = join(tempDir('dep-edits'), 'out.mjs')
  await build({
    entryPoints: [join(ROOT, 'node_modules', entry)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    logLevel: 'silent',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    alias: { '@chainsafe/as-sha256': join(ROOT, 'scripts', 'sha256-node.mjs') },
    plugins: edits ? [DEPENDENCY_EDITS as any] : []
  })
  return await import(pathToFileURL(outfile).href)
}

describe('dependency edits', () => {
  it('apply to the installed packages, and a build fails when a text is not found', () => {
    for (const [file, edits] of Object.entries(EDITS)) {
      const path = join(ROOT, 'node_modules', file)
      const edited = applyEdits(path, readFileSync(path, 'utf8'))
      expect(edited).not.toContain('localeCompare')
      for (const [from, , times] of edits) if (times > 0 && !edits.some(([, to]) => to.includes(from))) expect(edited).not.toContain(from)
    }
    expect(() => applyEdits('/x/node_modules/@libp2p/utils/dist/src/array-equals.js', 'const sort = (a, b) => 0;')).toThrow(/expected 1 × .* found 0/)
  })

  describe('Noise\'s WebAssembly cipher', () => {
    // WebAssembly is a global of node's, not in the ES library the types use
    const wasm = (globalThis as any).WebAssembly as { Module: new (bytes: Uint8Array) => unknown, Instance: new (m: unknown, i: unknown) => unknown }
    const { Module, Instance } = wasm
    let compiled = 0
    let instances = 0
    afterEach(() => { wasm.Module = Module; wasm.Instance = Instance })
    const counting = (): void => {
      compiled = 0
      instances = 0
      wasm.Module = new Proxy(Module, { construct (t, a) { compiled++; return Reflect.construct(t, a) } })
      wasm.Instance = new Proxy(Instance, { construct (t, a) { instances++; return Reflect.construct(t, a) } })
    }

    it('is compiled at the first frame, not when the code loads, and encrypts as before', async () => {
      counting()
      const { defaultCrypto } = await bundled('@chainsafe/libp2p-noise/dist/src/crypto/index.js', true)
      expect(compiled).toBe(0)
      const k = new Uint8Array(32).fill(7)
      const nonce = new Uint8Array(12)
      const ad = new Uint8Array([1, 2, 3])
      const plain = new TextEncoder().encode('a small frame, under 1 200 bytes')
      const sealed = defaultCrypto.chaCha20Poly1305Encrypt(plain, nonce, ad, k)
      expect(compiled).toBe(1)
      // one instance (one memory): not a second one for the package's unused chacha20StreamXOR
      expect(instances).toBe(1)
      expect(Buffer.from(defaultCrypto.chaCha20Poly1305Decrypt(sealed, nonce, ad, k))).toEqual(Buffer.from(plain))
      // the same bytes as node:crypto's ChaCha20-Poly1305 (the library's cipher for large frames)
      const { nodeCrypto } = await bundled('@chainsafe/libp2p-noise/dist/src/crypto/index.js', true)
      expect(Buffer.from(nodeCrypto.chaCha20Poly1305Encrypt(plain, nonce, ad, k))).toEqual(Buffer.from(sealed))
      defaultCrypto.chaCha20Poly1305Encrypt(plain, nonce, ad, k)
      expect(compiled).toBe(1)
      expect(instances).toBe(1)
    })

    it('was compiled at load without the edit (what the test above guards)', async () => {
      counting()
      await bundled('@chainsafe/libp2p-noise/dist/src/crypto/index.js', false)
      expect(compiled).toBe(1)
      expect(instances).toBe(2)
    })
  })

  describe('the peer store\'s record', () => {
    const localeCompare = String.prototype.localeCompare // eslint-disable-line @typescript-eslint/unbound-method
    afterEach(() => { String.prototype.localeCompare = localeCompare }) // eslint-disable-line no-extend-native

    async function record (edits: boolean): Promise<any> {
      const { toPeerPB } = await bundled('@libp2p/peer-store/dist/src/utils/to-peer-pb.js', edits)
      const peerId = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
      String.prototype.localeCompare = () => { throw new Error('localeCompare called') } // eslint-disable-line no-extend-native
      return await toPeerPB(peerId, {
        multiaddrs: [multiaddr('/ip4/127.0.0.1/tcp/20002'), multiaddr('/ip4/127.0.0.1/tcp/20001'), multiaddr('/ip4/10.0.0.1/tcp/1')],
        protocols: ['/meshnode/work/1', '/ipfs/id/1.0.0', '/meshnode/admin/1'],
        metadata: { zeta: new Uint8Array([1]), alpha: new Uint8Array([2]) },
        tags: { b: { value: 1 }, a: { value: 2 } }
      }, 'patch', {})
    }

    it('sorts addresses, protocols, metadata and tags without localeCompare', async () => {
      const pb = await record(true)
      expect(pb.addresses.map((a: any) => multiaddr(a.multiaddr).toString())).toEqual(['/ip4/10.0.0.1/tcp/1', '/ip4/127.0.0.1/tcp/20001', '/ip4/127.0.0.1/tcp/20002'])
      expect(pb.protocols).toEqual(['/ipfs/id/1.0.0', '/meshnode/admin/1', '/meshnode/work/1'])
      expect([...pb.metadata.keys()]).toEqual(['alpha', 'zeta'])
      expect([...pb.tags.keys()]).toEqual(['a', 'b'])
    })

    it('called localeCompare without the edit', async () => {
      await expect(record(false)).rejects.toThrow('localeCompare called')
    })
  })

  it('leave the built bundle compiling no WebAssembly at import', async () => {
    const script = [
      'let wasm = 0; const M = WebAssembly.Module; WebAssembly.Module = new Proxy(M, { construct (t, a) { wasm++; return Reflect.construct(t, a) } })',
      `await import(${JSON.stringify(pathToFileURL(join(ROOT, 'dist', 'meshnode.mjs')).href)})`,
      'console.log(JSON.stringify({ wasm }))'
    ].join('\n')
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })
    expect(JSON.parse(out)).toEqual({ wasm: 0 })
  })
})
