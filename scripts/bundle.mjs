// Bundles the CLI and the library (and everything they import) into dist/meshnode.mjs. A node process then
// loads one file instead of resolving hundreds of small ESM modules: start-up CPU drops
// from ~250 ms to ~70 ms (BENCHMARKS.md), which is most of a 10-node cluster's formation
// time on two cores. classic-level stays external: it loads a native addon. ink and react
// (`meshnode top` only) stay external too and are imported dynamically where used: bundled,
// ink's static import of the optional react-devtools-core would be hoisted to the bundle's
// top and fail every command, and ink, React and yoga's WebAssembly would be parsed by all.
import { build as esbuild } from 'esbuild'
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { check, strip } from './strip-source.mjs'

// Fastify loads its JSON-schema compilers (ajv, fast-json-stringify) only for routes with
// schemas, and meshnode gives it factories of its own (src/node/http/server.ts) since none has
// any: left out of the bundle, their code is neither parsed nor held by any node.
const NEVER_LOADED = ['@fastify/ajv-compiler', '@fastify/fast-json-stringify-compiler']

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  sourcemap: 'linked',
  external: ['classic-level', 'ink', 'react', ...NEVER_LOADED],
  alias: { '@chainsafe/as-sha256': fileURLToPath(new URL('./sha256-node.mjs', import.meta.url)) },
  // src/lazy-require.ts loads dist/vendor/<package>.cjs (below) when this is defined.
  define: { MESHNODE_BUNDLE: 'true' },
  // Some bundled CommonJS dependencies call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __meshnodeCreateRequire } from 'node:module'; const require = __meshnodeCreateRequire(import.meta.url);" },
  logLevel: 'warning'
}

// esbuild escapes non-ASCII characters in code, but comments it keeps (JSDoc, "→", "≤", "𝑊")
// go out as they are, and one character beyond Latin-1 makes V8 hold the whole 5.5 MB source
// as a two-byte string: ~5.5 MiB more RSS in every node. Escaping them (only comments hold
// any) keeps the source one-byte; lines and the source map's line numbers stay as they were.
// U+2028/U+2029 end a line in JS, so they stay as they are (the bundle has none today).
// Then the indentation and comments go (scripts/strip-source.mjs: a 5.6 MB bundle becomes
// 4.0 MB, held by every node; lines stay, the source map's columns follow).
async function build (options) {
  await esbuild(options)
  const built = readFileSync(options.outfile, 'utf8')
  const mapFile = `${options.outfile}.map`
  const stripped = strip(built, JSON.parse(readFileSync(mapFile, 'utf8')))
  await check(built, stripped.code, options.outfile)
  writeFileSync(mapFile, JSON.stringify(stripped.map))
  const text = stripped.code
  const ascii = text.replace(/[^\x00-\x7f\u2028\u2029]/g, c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
  writeFileSync(options.outfile, ascii)
}

// One bundle for the CLI and the library (src/package.ts exports both): the package's
// "exports" and bin/meshnode.js load the same file.
await build({ ...common, entryPoints: ['dist/src/package.js'], outfile: 'dist/meshnode.mjs' })
// The handler workers' script (src/work/isolation/worker.ts): a file of its own, next to the
// CLI bundle, where the pool looks for it.
await build({ ...common, entryPoints: ['dist/src/work/isolation/worker.js'], outfile: 'dist/meshnode-worker.mjs' })
// Packages a node rarely needs (src/lazy-require.ts): each a CommonJS file of its own, which
// the bundle requires the first time it is needed.
for (const id of ['ajv', 'cron-parser', 'yaml']) {
  await build({
    stdin: { contents: `module.exports = require(${JSON.stringify(id)})`, resolveDir: fileURLToPath(new URL('..', import.meta.url)), sourcefile: `vendor-${id}.cjs`, loader: 'js' },
    bundle: true, platform: 'node', format: 'cjs', target: 'node22', sourcemap: 'linked', logLevel: 'warning',
    outfile: `dist/vendor/${id}.cjs`
  })
}
// The web dashboard (dashboard/ → dist/dashboard/), which every node serves at /.
await (await import('./build-dashboard.mjs')).buildDashboard(fileURLToPath(new URL('..', import.meta.url)))
