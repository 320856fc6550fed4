// Edits to dependencies' code in the bundle (scripts/bundle.mjs), each an exact replacement of
// text in one file: a build fails if the text is not there (a new version of the package), so
// an edit never silently stops applying. Each saves memory every node holds while idle
// (BENCHMARKS.md, issue 14, stop 35), and none changes what the code computes:
//
// - @chainsafe/libp2p-noise compiled and instantiated its WebAssembly ChaCha20-Poly1305 when
//   the bundle loaded: V8's WebAssembly decoder, Liftoff and the module's memory, ~9 MiB of RSS
//   in a bare `node`, in a node that never opens a Noise session too (a lone node). The module
//   is now required, compiled and instantiated at the first frame it encrypts or decrypts, and
//   instantiated once: the package's index instantiated it a second time, with a memory of its
//   own, for a stream cipher Noise does not use (stop 38).
// - @libp2p/peer-store and @libp2p/utils sort strings (protocols, metadata and tag keys,
//   multiaddrs) with localeCompare only to get a stable order. localeCompare builds an ICU
//   collator: ICU's collation code and data, ~2.7 MiB of RSS in a bare `node`, at the node's
//   first peer-store write. They now sort by UTF-16 code units (a stable order as well; the
//   order differs from the collator's only where the peer store's records are private to the
//   node and compared with records sorted the same way).
//
// Four more save CPU a forming node spends per stream and per gossip message (stop 41), and
// change neither the bytes on the wire nor a check:
//
// - libp2p's Connection merges a stream's protocol into the peer's record for every stream it
//   opens or accepts: the peer's lock, the record decoded from the datastore (its multiaddrs,
//   the base32 key), encoded and written back. The store now remembers, per peer, the
//   protocols of the record it last wrote and when; a connection skips the merge when that
//   record lists the protocol and was written less than a minute ago (the merge would change
//   nothing but the record's `updated` time, which the minute keeps fresh for the store's
//   expiry). A delete or an expiry forgets the peer; every save, patch and merge renews it.
// - the peer store built each record's datastore key from the peer id (a CID, base32) at every
//   operation: kept per peer id string (a small map, emptied when full).
// - gossipsub parsed the `from` of every message it validates into a new PeerId (its public
//   key, and later its base58 string for every map it keys by peer): kept by the `from` bytes
//   (a small map, emptied when full). The PeerId is what the same bytes parse to; the signature
//   is checked as before.
// - weald (libp2p's logger) asked `tty.isatty(2)`, a system call, for each debugger it created:
//   three per logger, and libp2p creates loggers per connection and per stream. Asked once.
//
// One more for formation (stop 48): identify answered every request by sealing a new signed
// peer record of this node's addresses (a protobuf encode, an ed25519 signature and the
// envelope's encode; ~0.5 ms each in a 10-node formation, one per connection), because
// nothing stores the node's own record in its peer store, where identify looks for it first.
// It now keeps the last envelope it sealed with the addresses it holds, and seals again when
// the addresses differ. A kept envelope's sequence number is its sealing time, as before; a
// peer that already stored it keeps it (equal sequence numbers), and new addresses get a new,
// higher one.

const byCodeUnits = (a, b) => `(${a} < ${b} ? -1 : ${a} > ${b} ? 1 : 0)`

/** Per file (a path suffix under node_modules): [text, replacement, times it occurs]. */
export const EDITS = {
  '@chainsafe/libp2p-noise/dist/src/crypto/index.js': [
    ["import { newInstance, ChaCha20Poly1305 } from '@chainsafe/as-chacha20poly1305';\n", '', 1],
    ['const ctx = newInstance();\nconst asImpl = new ChaCha20Poly1305(ctx);\n',
      'let asInstance;\n' +
      'function asCipher() {\n' +
      // its two files, not its index: the index also loads chacha20.js, which instantiates the
      // module a second time (a memory of its own) for chacha20StreamXOR, which Noise never calls
      "    if (asInstance === undefined) {\n        const { newInstance } = require('@chainsafe/as-chacha20poly1305/lib/src/wasm.js');\n" +
      "        const { ChaCha20Poly1305 } = require('@chainsafe/as-chacha20poly1305/lib/src/chacha20poly1305.js');\n" +
      '        asInstance = new ChaCha20Poly1305(newInstance());\n    }\n    return asInstance;\n}\n', 1],
    ['asImpl.seal(', 'asCipher().seal(', 1],
    ['asImpl.open(', 'asCipher().open(', 1]
  ],
  '@libp2p/peer-store/dist/src/utils/to-peer-pb.js': [
    ['return a.localeCompare(b);', `return ${byCodeUnits('a', 'b')};`, 2]
  ],
  '@libp2p/peer-store/dist/src/utils/dedupe-addresses.js': [
    ['return a.multiaddr.toString().localeCompare(b.multiaddr.toString());',
      `{ const x = a.multiaddr.toString(); const y = b.multiaddr.toString(); return ${byCodeUnits('x', 'y')}; }`, 1]
  ],
  'libp2p/dist/src/connection.js': [
    ['            await this.components.peerStore.merge(this.remotePeer, {\n                protocols: [protocol]\n            });\n',
      '            if (this.components.peerStore.listsProtocol?.(this.remotePeer, protocol) !== true) {\n' +
      '            await this.components.peerStore.merge(this.remotePeer, {\n                protocols: [protocol]\n            });\n' +
      '            }\n', 1],
    ['            await this.components.peerStore.merge(this.remotePeer, {\n                protocols: [protocol]\n            }, {\n                signal\n            });\n',
      '            if (this.components.peerStore.listsProtocol?.(this.remotePeer, protocol) !== true) {\n' +
      '            await this.components.peerStore.merge(this.remotePeer, {\n                protocols: [protocol]\n            }, {\n                signal\n            });\n' +
      '            }\n            else {\n                signal.throwIfAborted();\n            }\n', 1]
  ],
  '@libp2p/peer-store/dist/src/index.js': [
    ['    async merge(id, data, options) {\n',
      '    listsProtocol(id, protocol) {\n        return this.store.listsProtocol(id, protocol);\n    }\n    async merge(id, data, options) {\n', 1]
  ],
  '@libp2p/peer-store/dist/src/store.js': [
    ['    maxPeerAge;\n    constructor(components, init = {}) {\n',
      '    maxPeerAge;\n    written = new Map();\n    constructor(components, init = {}) {\n', 1],
    ['    async has(peerId, options) {\n',
      '    listsProtocol(peerId, protocol) {\n' +
      '        const w = this.written.get(peerId.toString());\n' +
      '        return w !== undefined && w.protocols.has(protocol) && Date.now() - w.at < 60000;\n' +
      '    }\n    async has(peerId, options) {\n', 1],
    ['        await this.datastore.delete(peerIdToDatastoreKey(peerId), options);\n',
      '        this.written.delete(peerId.toString());\n        await this.datastore.delete(peerIdToDatastoreKey(peerId), options);\n', 1],
    ['{\n            await this.datastore.delete(key, options);\n',
      '{\n            this.written.delete(peerId.toString());\n            await this.datastore.delete(key, options);\n', 1],
    ['{\n                await this.datastore.delete(key, options);\n',
      '{\n                this.written.delete(peerId.toString());\n                await this.datastore.delete(key, options);\n', 2],
    ['        await this.datastore.put(peerIdToDatastoreKey(peerId), buf, options);\n',
      '        this.written.delete(peerId.toString());\n        await this.datastore.put(peerIdToDatastoreKey(peerId), buf, options);\n' +
      '        this.written.set(peerId.toString(), { protocols: new Set(peer.protocols), at: peer.updated });\n', 1]
  ],
  '@libp2p/peer-store/dist/src/utils/peer-id-to-datastore-key.js': [
    ['    const b32key = peerId.toCID().toString();\n    return new Key(`${NAMESPACE_COMMON}${b32key}`);\n',
      '    const id = peerId.toString();\n    let key = keys.get(id);\n    if (key === undefined) {\n' +
      '        key = new Key(`${NAMESPACE_COMMON}${peerId.toCID().toString()}`);\n' +
      '        if (keys.size >= 1024)\n            keys.clear();\n        keys.set(id, key);\n    }\n    return key;\n', 1],
    ["export const NAMESPACE_COMMON = '/peers/';\n", "export const NAMESPACE_COMMON = '/peers/';\nconst keys = new Map();\n", 1]
  ],
  '@chainsafe/libp2p-gossipsub/dist/src/utils/buildRawMessage.js': [
    ['                fromPeerId = peerIdFromMultihash(Digest.decode(msg.from));\n', '                fromPeerId = peerIdOfFrom(msg.from);\n', 1],
    ["export const SignPrefix = uint8ArrayFromString('libp2p-pubsub:');\n",
      "export const SignPrefix = uint8ArrayFromString('libp2p-pubsub:');\n" +
      'const fromPeerIds = new Map();\n' +
      'function peerIdOfFrom(from) {\n' +
      '    const key = String.fromCharCode.apply(null, from);\n' +
      '    let id = fromPeerIds.get(key);\n' +
      '    if (id === undefined) {\n' +
      '        id = peerIdFromMultihash(Digest.decode(from));\n' +
      '        if (fromPeerIds.size >= 1024)\n            fromPeerIds.clear();\n' +
      '        fromPeerIds.set(key, id);\n    }\n    return id;\n}\n', 1]
  ],
  'weald/dist/src/node.js': [
    ['        : tty.isatty(process.stderr.fd);\n', '        : (stderrIsTty ??= tty.isatty(process.stderr.fd));\n', 1],
    ['function useColors() {\n', 'let stderrIsTty;\nfunction useColors() {\n', 1]
  ],
  '@libp2p/identify/dist/src/identify.js': [
    ['            if (multiaddrs.length > 0 && signedPeerRecord == null) {\n' +
      '                const peerRecord = new PeerRecord({\n                    peerId: this.peerId,\n                    multiaddrs\n                });\n' +
      '                const envelope = await RecordEnvelope.seal(peerRecord, this.privateKey);\n' +
      '                signedPeerRecord = envelope.marshal().subarray();\n            }\n',
    '            if (multiaddrs.length > 0 && signedPeerRecord == null) {\n' +
      "                const sealedFor = multiaddrs.map(ma => ma.toString()).join(' ');\n" +
      '                if (this.sealedRecord?.addrs !== sealedFor) {\n' +
      '                const peerRecord = new PeerRecord({\n                    peerId: this.peerId,\n                    multiaddrs\n                });\n' +
      '                const envelope = await RecordEnvelope.seal(peerRecord, this.privateKey);\n' +
      '                this.sealedRecord = { addrs: sealedFor, envelope: envelope.marshal().subarray() };\n                }\n' +
      '                signedPeerRecord = this.sealedRecord.envelope;\n            }\n', 1]
  ],
  '@libp2p/utils/dist/src/array-equals.js': [
    ['const sort = (a, b) => a.toString().localeCompare(b.toString());',
      `const sort = (a, b) => { const x = a.toString(); const y = b.toString(); return ${byCodeUnits('x', 'y')}; };`, 1]
  ]
}

/** The edits of the file at `path` (any separator), or undefined if none is for it. */
export function editsFor (path) {
  const p = path.replaceAll('\\', '/')
  const key = Object.keys(EDITS).find(k => p.endsWith(`/node_modules/${k}`))
  return key === undefined ? undefined : EDITS[key]
}

/** `text` with every edit applied; throws if an edit's text does not occur as often as it says. */
export function applyEdits (path, text, edits = editsFor(path)) {
  let out = text
  for (const [from, to, times] of edits ?? []) {
    const found = out.split(from).length - 1
    if (found !== times) throw new Error(`scripts/dependency-edits.mjs: expected ${times} × ${JSON.stringify(from)} in ${path}, found ${found} (has the package changed?)`)
    out = out.replaceAll(from, to)
  }
  return out
}

/** The esbuild plugin: files with edits load edited. */
export const DEPENDENCY_EDITS = {
  name: 'dependency-edits',
  setup (b) {
    const files = Object.keys(EDITS).map(k => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replaceAll('/', '[\\\\/]'))
    b.onLoad({ filter: new RegExp(`[\\\\/]node_modules[\\\\/](${files.join('|')})$`) }, async args => {
      const edits = editsFor(args.path)
      if (edits === undefined) return undefined
      const { readFile } = await import('node:fs/promises')
      return { contents: applyEdits(args.path, await readFile(args.path, 'utf8'), edits), loader: 'js' }
    })
  }
}
