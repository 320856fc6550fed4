// Builds the web dashboard (dashboard/ → dist/dashboard/), run by scripts/bundle.mjs at
// `npm run build`. The sources are plain ES modules, HTML and CSS; esbuild bundles and
// minifies them with uPlot (the charting library) into one script and one stylesheet whose
// names carry a content hash, so the node can serve them as immutable. index.html is
// rewritten to name them, and every file gets .br and .gz twins (node:zlib, best
// compression) that the node serves when the browser accepts them. Nothing runs at serve
// time but reading these files.
import { build } from 'esbuild'
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { basename, join, relative } from 'node:path'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'

/** Builds ROOT/dashboard into ROOT/dist/dashboard; returns the files written. */
export async function buildDashboard (root) {
  const src = join(root, 'dashboard')
  const out = join(root, 'dist', 'dashboard')
  rmSync(out, { recursive: true, force: true })
  mkdirSync(join(out, 'assets'), { recursive: true })

  const result = await build({
    absWorkingDir: root,
    entryPoints: { app: join(src, 'app.js'), style: join(src, 'style.css') },
    bundle: true,
    minify: true,
    format: 'esm',
    // Browsers of the last few years: ES modules, optional chaining, top-level await.
    target: ['es2022', 'chrome100', 'firefox100', 'safari15'],
    outdir: join(out, 'assets'),
    entryNames: '[name]-[hash]',
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning'
  })
  const names = {}
  for (const [file, meta] of Object.entries(result.metafile.outputs)) {
    if (meta.entryPoint == null) continue
    names[meta.entryPoint.endsWith('.css') ? 'style.css' : 'app.js'] = `assets/${basename(file)}`
  }
  if (names['app.js'] == null || names['style.css'] == null) throw new Error('dashboard build: esbuild produced no app or style bundle')

  let html = readFileSync(join(src, 'index.html'), 'utf8')
  for (const [from, to] of Object.entries(names)) {
    if (!html.includes(`"./${from}"`)) throw new Error(`dashboard/index.html must reference "./${from}"`)
    html = html.replaceAll(`"./${from}"`, `"./${to}"`)
  }
  writeFileSync(join(out, 'index.html'), html)
  copyFileSync(join(src, 'favicon.svg'), join(out, 'favicon.svg'))

  const files = walk(out)
  for (const f of files) {
    if (f.endsWith('.map')) continue
    const body = readFileSync(f)
    if (body.length < 256) continue
    const gz = gzipSync(body, { level: 9 })
    const br = brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } })
    if (gz.length < body.length) writeFileSync(f + '.gz', gz)
    if (br.length < body.length) writeFileSync(f + '.br', br)
  }
  return walk(out).map(f => relative(out, f))
}

function walk (dir) {
  return readdirSync(dir).flatMap(n => {
    const p = join(dir, n)
    return statSync(p).isDirectory() ? walk(p) : [p]
  })
}
