#!/usr/bin/env -S node --max-semi-space-size=16
// Entry point: check the runtime, enable V8's compile cache, then hand argv to the bundled
// CLI (dist/meshnode.mjs, built by `npm run build`; see scripts/bundle.mjs).
import module from 'node:module'
import { fileURLToPath } from 'node:url'

const [major] = process.versions.node.split('.').map(Number)
if (major < 22) {
  process.stderr.write(`meshnode needs Node.js >= 22 (this is ${process.version}). Run it through npm (npx meshnode), which uses the node from devDependencies, or install Node 22+.\n`)
  process.exit(1)
}
// The shebang's --max-semi-space-size=16: V8 grows the young generation up to 2 × 16 MiB
// under load, so a busy node scavenges a tenth as often as with the 1 MiB cap used before (GC
// was 20–36 % of every node's CPU in one-task jobs on 3 nodes; BENCHMARKS.md, issue 14). A
// node gives that memory back once it is idle (src/node/services/heap-trim.ts), so idle RSS
// stays what the 1 MiB cap gave. It must be a process flag (V8 reads it once, at start);
// scripts that spawn this file with `node` pass it too (NODE_FLAGS in scripts/cluster-lib.ts).
// The compile cache lives in the package, dist/.cache (written by `npm run build` and by any
// start that can write there), not in node's default os.tmpdir(): a fresh tmp (systemd's
// PrivateTmp, a container, bench/scale's fresh copies) made every start compile the bundle
// again, 50-110 ms of CPU a process (BENCHMARKS.md, issue 14, stop 36). Portable: entries are
// keyed by their path relative to the cache, so a copied or moved package stays warm. Node
// checks every entry against its source and rejects a stale or damaged one; a package it cannot
// write (a root-owned global install) falls back to the tmp dir, and NODE_COMPILE_CACHE (a
// directory) or NODE_DISABLE_COMPILE_CACHE=1 override both.
enableCompileCache()
const { main } = await import('../dist/meshnode.mjs')
const code = await main(process.argv.slice(2))
// Exit only once stdout and stderr are flushed: a pipe takes 64 KiB at once, and exiting
// with more queued would cut `meshnode job --results --json | jq` short.
let pending = 2
const done = () => { if (--pending === 0) process.exit(code) }
process.stdout.write('', done)
process.stderr.write('', done)

function enableCompileCache () {
  if (module.enableCompileCache == null) return
  const { FAILED } = module.constants.compileCacheStatus
  let result
  // An older Node (before the options object, 24.12) takes only a directory string: it throws here.
  try { result = module.enableCompileCache({ directory: fileURLToPath(new URL('../dist/.cache', import.meta.url)), portable: true }) } catch {}
  if (result == null || result.status === FAILED) module.enableCompileCache()
}
