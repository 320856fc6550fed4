// Bundles the CLI and the library (and everything they import) into dist/meshnode.mjs. A node process then
// loads one file instead of resolving hundreds of small ESM modules: start-up CPU drops
// from ~250 ms to ~70 ms (BENCHMARKS.md), which is most of a 10-node cluster's formation
// time on two cores. classic-level's native addon stays external (CLASSIC_LEVEL_BINDING). ink and react
// (`meshnode top` only) stay external too and are imported dynamically where used: bundled,
// ink's static import of the optional react-devtools-core would be hoisted to the bundle's
// top and fail every command, and ink, React and yoga's WebAssembly would be parsed by all.
import { build as esbuild } from 'esbuild'
import { execFileSync } from 'node:child_process'
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { isBuiltin } from 'node:module'
import { fileURLToPath } from 'node:url'
import { DEPENDENCY_EDITS } from './dependency-edits.mjs'
import { check, strip } from './strip-source.mjs'

// Fastify loads its JSON-schema compilers (ajv, fast-json-stringify) only for routes with
// schemas, and meshnode gives it factories of its own (src/node/http/server.ts) since none has
// any: left out of the bundle, their code is neither parsed nor held by any node.
const NEVER_LOADED = ['@fastify/ajv-compiler', '@fastify/fast-json-stringify-compiler']

// prom-client's index requires its Pushgateway (node's http, https and zlib, and with https tls)
// and its cluster AggregatorRegistry (node's cluster) at load; meshnode uses neither. With the
// HTTP routes loaded lazily (src/node/http/app.ts) nothing else loads https, tls or zlib at
// start: with this and BUILTINS_BY_REQUIRE below, importing the bundle takes 55-65 ms of CPU and
// 72 MiB instead of 80-94 ms and 78 MiB (BENCHMARKS.md, issue 14, stop 34). In the bundle both
// are a class that says so when constructed.
const PROM_CLIENT_UNUSED = {
  name: 'prom-client-unused',
  setup (b) {
    b.onResolve({ filter: /^\.\/lib\/(pushgateway|cluster)$/ }, args => /[\\/]prom-client[\\/]index\.js$/.test(args.importer) ? { path: args.path, namespace: 'prom-client-unused' } : undefined)
    // processCpuTotal reads the OpenTelemetry span only for exemplars, which meshnode never
    // enables (src/node/metrics.ts); the API's ~40 CommonJS files ran at every load for that
    // (~5 ms of a node's start, BENCHMARKS.md, issue 14, stop 46). In the bundle it is an object
    // that says so when used.
    b.onResolve({ filter: /^@opentelemetry\/api$/ }, args => /[\\/]prom-client[\\/]/.test(args.importer) ? { path: args.path, namespace: 'prom-client-no-otel' } : undefined)
    b.onLoad({ filter: /.*/, namespace: 'prom-client-no-otel' }, () => ({
      loader: 'js',
      contents: `const no = () => { throw new Error("prom-client's exemplars need @opentelemetry/api, which is not in meshnode's bundle (scripts/bundle.mjs)") }\nmodule.exports = { trace: { getSpan: no }, context: { active: no } }`
    }))
    b.onLoad({ filter: /.*/, namespace: 'prom-client-unused' }, args => ({
      loader: 'js',
      contents: `module.exports = class { constructor () { throw new Error(${JSON.stringify(`prom-client's ${args.path.slice(6)} is not in meshnode's bundle (scripts/bundle.mjs)`)}) } }`
    }))
  }
}

// An ESM import of a node built-in module makes node build its ES module facade, which reads
// every export, and so runs every lazy getter: `import … from 'node:http'` alone loads tls,
// http2, zlib, worker_threads and perf_hooks (112 built-in modules, against 39 for
// require('node:http')); node:util, node:fs and node:process load 30–40 more each. In the bundle
// an import statement of a built-in becomes a require() (the banner's), which reads an export
// only when the code uses it. The code's view is the same: esbuild's interop gives the named
// and default imports from module.exports.
const BUILTINS_BY_REQUIRE = {
  name: 'builtins-by-require',
  setup (b) {
    b.onResolve({ filter: /^[a-z_:/]+$/ }, args => args.kind === 'import-statement' && isBuiltin(args.path) ? { path: args.path, namespace: 'builtin-by-require' } : undefined)
    b.onLoad({ filter: /.*/, namespace: 'builtin-by-require' }, args => ({ loader: 'js', contents: `module.exports = require(${JSON.stringify(args.path)})` }))
  }
}

// classic-level's JavaScript (and abstract-level's, ~30 small CommonJS files) is bundled; only its
// native addon's loader, classic-level/binding.js (node-gyp-build finding the .node file beside
// it), stays outside and is required from the installed package. Resolving, reading and
// compiling those files one by one was ~10 ms of every node's start (BENCHMARKS.md, issue 14,
// stop 46).
const CLASSIC_LEVEL_BINDING = {
  name: 'classic-level-binding',
  setup (b) {
    b.onResolve({ filter: /^\.\/binding(\.js)?$/ }, args => /[\\/]classic-level[\\/][^\\/]+\.js$/.test(args.importer) ? { path: 'classic-level/binding.js', external: true } : undefined)
  }
}

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  sourcemap: 'linked',
  external: ['ink', 'react', ...NEVER_LOADED],
  alias: { '@chainsafe/as-sha256': fileURLToPath(new URL('./sha256-node.mjs', import.meta.url)) },
  // src/lazy-require.ts loads dist/vendor/<package>.cjs (below) when this is defined.
  define: { MESHNODE_BUNDLE: 'true' },
  // Some bundled CommonJS dependencies call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __meshnodeCreateRequire } from 'node:module'; const require = __meshnodeCreateRequire(import.meta.url);" },
  // DEPENDENCY_EDITS: scripts/dependency-edits.mjs (code that a node ran at load or at its first
  // peer, that cost idle memory for nothing)
  plugins: [PROM_CLIENT_UNUSED, BUILTINS_BY_REQUIRE, CLASSIC_LEVEL_BINDING, DEPENDENCY_EDITS],
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
  const result = await esbuild({ ...options, metafile: true })
  for (const file of Object.keys(result.metafile.outputs).filter(f => /\.(mjs|js|cjs)$/.test(f))) await tidy(file)
}

async function tidy (file) {
  const built = readFileSync(file, 'utf8')
  const mapFile = `${file}.map`
  const stripped = strip(built, JSON.parse(readFileSync(mapFile, 'utf8')))
  await check(built, stripped.code, file)
  writeFileSync(mapFile, JSON.stringify(stripped.map))
  const text = stripped.code
  const ascii = text.replace(/[^\x00-\x7f\u2028\u2029]/g, c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
  writeFileSync(file, ascii)
}

// One bundle for the CLI and the library (src/package.ts exports both): the package's
// "exports" and bin/meshnode.js load the same file. What the code imports with `import()` (the
// HTTP routes and fastify: src/node/http/app.ts) goes to chunks beside it, dist/meshnode-*.mjs,
// loaded when first needed; code both use goes to a shared chunk the bundle imports. The chunks
// sit in dist/ itself: code in them finds dist/vendor/ and dist/meshnode-worker.mjs relative to
// import.meta.url, as the bundle does. A build removes the chunks of the builds before it
// (and the worker's file, written again below).
for (const f of readdirSync('dist')) if (/^meshnode-.*\.mjs(\.map)?$/.test(f)) rmSync(`dist/${f}`)
await build({ ...common, entryPoints: { meshnode: 'dist/src/package.js' }, outdir: 'dist', splitting: true, outExtension: { '.js': '.mjs' }, chunkNames: 'meshnode-[name]-[hash]' })
// The handler workers' script (src/work/isolation/worker.ts): a file of its own, next to the
// CLI bundle, where the pool looks for it.
await build({ ...common, entryPoints: ['dist/src/work/isolation/worker.js'], outfile: 'dist/meshnode-worker.mjs' })
// Code a node rarely needs (src/lazy-require.ts): each a CommonJS file of its own, which the
// bundle requires the first time it is needed — packages, and the schema validators compiled
// ahead of time (src/generated/), which dist/src (unbundled) finds copied beside it.
const generated = ['job-validate', 'workflow-validate']
for (const id of ['cron-parser', 'yaml', ...generated]) {
  const entry = generated.includes(id) ? `./src/generated/${id}.cjs` : id
  await build({
    stdin: { contents: `module.exports = require(${JSON.stringify(entry)})`, resolveDir: fileURLToPath(new URL('..', import.meta.url)), sourcefile: `vendor-${id}.cjs`, loader: 'js' },
    bundle: true, platform: 'node', format: 'cjs', target: 'node22', sourcemap: 'linked', logLevel: 'warning',
    outfile: `dist/vendor/${id}.cjs`
  })
}
mkdirSync('dist/src/generated', { recursive: true })
for (const id of generated) copyFileSync(`src/generated/${id}.cjs`, `dist/src/generated/${id}.cjs`)
// The web dashboard (dashboard/ → dist/dashboard/), which every node serves at /.
await (await import('./build-dashboard.mjs')).buildDashboard(fileURLToPath(new URL('..', import.meta.url)))
// The compile cache (bin/meshnode.js keeps it in dist/.cache): emptied, since every entry of
// the last build names a chunk that is gone, then written by loading the new bundle once, so a
// node started from this build (or a copy of it) does not compile the bundle first.
rmSync('dist/.cache', { recursive: true, force: true })
execFileSync(process.execPath, ['bin/meshnode.js', '--version'], { stdio: 'ignore' })
