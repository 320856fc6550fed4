// scripts/dependency-edits.mjs: the bundle's edits to dependencies apply to the installed
// versions, a build fails when one no longer does, and the edited code does what it did
// without the memory: Noise's WebAssembly cipher is compiled at its first frame, not at load,
// and the peer store sorts without an ICU collator (String.prototype.localeCompare); a stream
// merges its protocol into the peer's record only when the record does not list it yet (or
// was written over a minute ago); gossipsub parses a sender's bytes into one PeerId; weald asks
// isatty once; identify seals this node's signed peer record once per set of addresses. The built bundle (`npm run build` comes first) compiles no WebAssembly at import.
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { readFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { build } from 'esbuild'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id'
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

/**
 * `entry` (a file under node_modules, or `{ code }`: a module's text resolved from the package
 * root) bundled as the build bundles it, with or without the edits; its exports.
 */
async function bundled (entry: string | { code: string }, edits: boolean): Promise<any> {
  const outfile = join(tempDir('dep-edits'), 'out.mjs')
  await build({
    ...(typeof entry === 'string' ? { entryPoints: [join(ROOT, 'node_modules', entry)] } : { stdin: { contents: entry.code, resolveDir: ROOT, loader: 'js' } }),
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
  /** A libp2p of the bundle's parts, bundled with or without the edits; nodes started from it stop after each test. */
  const LIBP2P = {
    code: "export { createLibp2p } from 'libp2p'; export { tcp } from '@libp2p/tcp'; export { identify } from '@libp2p/identify'; " +
      "export { noise } from '@chainsafe/libp2p-noise'; export { yamux } from '@chainsafe/libp2p-yamux'"
  }
  const nodes: any[] = []
  afterEach(async () => { await Promise.all(nodes.splice(0).map(async n => await n.stop())) })

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

  describe('a stream\'s protocol in the peer store', () => {

    /** Two nodes of the bundled libp2p; `b` opens `streams` streams of one protocol to `a`: the protocol merges each side made. */
    async function streams (edits: boolean, count: number, between?: (a: any, b: any) => Promise<void>): Promise<{ outbound: number, inbound: number, listed: boolean }> {
      const { createLibp2p, tcp, noise, yamux } = await bundled(LIBP2P, edits)
      const make = async (): Promise<any> => await createLibp2p({ addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] }, transports: [tcp()], connectionEncrypters: [noise()], streamMuxers: [yamux()] })
      const a = await make()
      const b = await make()
      nodes.push(a, b)
      const merges = (n: any): { n: number } => {
        const c = { n: 0 }
        const merge = n.peerStore.merge.bind(n.peerStore)
        // (a node also merges its own protocols into its own record, on `handle`: not counted)
        n.peerStore.merge = async (id: any, data: { protocols?: string[] }, o: unknown) => { if (!n.peerId.equals(id) && data.protocols?.includes('/t/1') === true) c.n++; return await merge(id, data, o) }
        return c
      }
      const outbound = merges(b)
      const inbound = merges(a)
      await a.handle('/t/1', ({ stream }: any) => { void stream.close() })
      for (let i = 0; i < count; i++) {
        if (i === 1) await between?.(a, b)
        const s = await b.dialProtocol(a.getMultiaddrs()[0], '/t/1')
        await s.close()
      }
      // the last inbound stream's handler runs after its negotiation, on a's side
      await new Promise(resolve => setTimeout(resolve, 100))
      return { outbound: outbound.n, inbound: inbound.n, listed: (await b.peerStore.get(a.peerId)).protocols.includes('/t/1') }
    }

    it('is merged by the first stream only, and stays listed', async () => {
      expect(await streams(true, 4)).toEqual({ outbound: 1, inbound: 1, listed: true })
    })

    it('is merged again once something else wrote a record without it', async () => {
      const dropped = async (a: any, b: any): Promise<void> => {
        await b.peerStore.patch(a.peerId, { protocols: ['/other/1'] })
        await a.peerStore.patch(b.peerId, { protocols: ['/other/1'] })
      }
      expect(await streams(true, 3, dropped)).toEqual({ outbound: 2, inbound: 2, listed: true })
    })

    it('is merged again a minute after the record was written (its `updated` time kept fresh)', async () => {
      const now = Date.now
      const later = async (): Promise<void> => { Date.now = () => now() + 61_000 }
      try {
        expect(await streams(true, 3, later)).toEqual({ outbound: 2, inbound: 2, listed: true })
      } finally {
        Date.now = now
      }
    })

    it('was merged by every stream without the edit', async () => {
      expect(await streams(false, 4)).toEqual({ outbound: 4, inbound: 4, listed: true })
    })
  })

  describe('identify\'s signed peer record', () => {

    /** `b` identifies `a` `count` times, `between` run after the first: each answer's record (sequence number, addresses). */
    async function records (edits: boolean, count: number, between?: (a: any) => Promise<void>): Promise<Array<{ seq: bigint, addresses: string[] }>> {
      const { createLibp2p, tcp, identify, noise, yamux } = await bundled(LIBP2P, edits)
      const make = async (): Promise<any> => await createLibp2p({
        addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
        transports: [tcp()],
        connectionEncrypters: [noise()],
        streamMuxers: [yamux()],
        services: { identify: identify({ runOnConnectionOpen: false }) }
      })
      const a = await make()
      const b = await make()
      nodes.push(a, b)
      const connection = await b.dial(a.getMultiaddrs()[0])
      const out: Array<{ seq: bigint, addresses: string[] }> = []
      for (let i = 0; i < count; i++) {
        if (i === 1) await between?.(a)
        const { signedPeerRecord } = await b.services.identify.identify(connection)
        out.push({ seq: signedPeerRecord.seq, addresses: signedPeerRecord.addresses.map(String).sort() })
        await new Promise(resolve => setTimeout(resolve, 5)) // a new seal has a later sequence number
      }
      return out
    }

    it('is sealed once for the same addresses, and again when they change', async () => {
      const same = await records(true, 3)
      expect(new Set(same.map(r => r.seq)).size).toBe(1)
      expect(same[0]!.addresses).toHaveLength(1)
      expect(same[2]).toEqual(same[0])
      // a second listener: one address more
      const moved = await records(true, 3, async a => { await a.components.transportManager.listen([multiaddr('/ip4/127.0.0.1/tcp/0')]) })
      expect(moved[1]!.seq).toBeGreaterThan(moved[0]!.seq)
      expect(moved[1]!.addresses).toHaveLength(2)
      expect(moved[1]!.addresses).toEqual(expect.arrayContaining(moved[0]!.addresses))
      expect(moved[2]).toEqual(moved[1])
    })

    it('was sealed for every answer without the edit', async () => {
      const plain = await records(false, 3)
      expect(plain[1]!.seq).toBeGreaterThan(plain[0]!.seq)
      expect(plain[2]!.seq).toBeGreaterThan(plain[1]!.seq)
    })
  })

  describe('the peer store\'s datastore key', () => {
    it('is the key it was, kept per peer id', async () => {
      const edited = await bundled('@libp2p/peer-store/dist/src/utils/peer-id-to-datastore-key.js', true)
      const plain = await bundled('@libp2p/peer-store/dist/src/utils/peer-id-to-datastore-key.js', false)
      for (let i = 0; i < 3; i++) {
        const id = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
        const key = edited.peerIdToDatastoreKey(id)
        expect(key.toString()).toBe(plain.peerIdToDatastoreKey(id).toString())
        expect(edited.peerIdToDatastoreKey(peerIdFromString(id.toString()))).toBe(key)
      }
      expect(() => edited.peerIdToDatastoreKey('not a peer id')).toThrow('Invalid PeerId')
    })
  })

  describe('gossipsub\'s sender of a message', () => {
    async function signed (key: any, seq: number, topic = 't'): Promise<any> {
      const { RPC } = await import('@chainsafe/libp2p-gossipsub/message')
      const seqno = new Uint8Array(8)
      new DataView(seqno.buffer).setBigUint64(0, BigInt(seq))
      const unsigned = { from: peerIdFromPrivateKey(key).toMultihash().bytes, data: new Uint8Array([seq]), seqno, topic }
      const signature = await key.sign(Buffer.concat([Buffer.from('libp2p-pubsub:'), RPC.Message.encode(unsigned)]))
      return { ...unsigned, signature }
    }

    it('is one PeerId per sender\'s bytes, and every signature is still checked', async () => {
      const { validateToRawMessage } = await bundled('@chainsafe/libp2p-gossipsub/dist/src/utils/buildRawMessage.js', true)
      const key = await generateKeyPair('Ed25519')
      const first = await validateToRawMessage('StrictSign', await signed(key, 1))
      const second = await validateToRawMessage('StrictSign', await signed(key, 2))
      expect(first.valid && second.valid).toBe(true)
      expect(second.message.from).toBe(first.message.from)
      expect(first.message.from.toString()).toBe(peerIdFromPrivateKey(key).toString())
      // a copy of the bytes (another frame) finds the same PeerId
      const copy = await signed(key, 3)
      copy.from = Uint8Array.from(copy.from)
      expect((await validateToRawMessage('StrictSign', copy)).message.from).toBe(first.message.from)
      // a known sender's bad signature, and bytes that are no peer id, are refused as before
      const forged = { ...(await signed(key, 4)), data: new Uint8Array([9]) }
      expect(await validateToRawMessage('StrictSign', forged)).toEqual({ valid: false, error: 'invalid_signature' })
      const other = await signed(await generateKeyPair('Ed25519'), 5)
      expect(await validateToRawMessage('StrictSign', { ...other, from: copy.from })).toEqual({ valid: false, error: 'invalid_signature' })
      expect(await validateToRawMessage('StrictSign', { ...copy, from: new Uint8Array([1, 2, 3]) })).toEqual({ valid: false, error: 'invalid_peerid' })
    })
  })

  it('let weald ask whether stderr is a terminal once, not per debugger', async () => {
    const tty = (await import('node:tty')).default as { isatty: (fd: number) => boolean }
    const isatty = tty.isatty // eslint-disable-line @typescript-eslint/unbound-method
    let calls = 0
    tty.isatty = (fd: number) => { calls++; return isatty(fd) }
    const debuggers = async (edits: boolean): Promise<number> => {
      const { default: weald } = await bundled({ code: "export { default } from 'weald'" }, edits)
      calls = 0
      for (let i = 0; i < 5; i++) weald(`test:${i}`)
      return calls
    }
    try {
      expect(await debuggers(true)).toBeLessThanOrEqual(1)
      expect(await debuggers(false)).toBe(5)
    } finally {
      tty.isatty = isatty
    }
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
