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
