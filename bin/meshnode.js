#!/usr/bin/env -S node --max-semi-space-size=1
// Entry point: check the runtime, enable V8's compile cache, then hand argv to the bundled
// CLI (dist/meshnode.mjs, built by `npm run build`; see scripts/bundle.mjs).
import module from 'node:module'

const [major] = process.versions.node.split('.').map(Number)
if (major < 22) {
  process.stderr.write(`meshnode needs Node.js >= 22 (this is ${process.version}). Run it through npm (npx meshnode), which uses the node from devDependencies, or install Node 22+.\n`)
  process.exit(1)
}
// The shebang's --max-semi-space-size=1: a node is mostly idle with a ~20 MiB heap, and V8's
// default young generation reserves far more; 1 MiB semi-spaces cut idle RSS by ~12 MiB
// (BENCHMARKS.md). Letting them grow to 8 MiB under load was measured in issue 14: 10–30 % less
// CPU per one-task job on a loaded machine, within noise on a quiet one, ~10 MiB more idle RSS. It must be a process flag (V8 ignores it once running); scripts that
// spawn this file with `node` pass it too (NODE_FLAGS in scripts/cluster-lib.ts).
module.enableCompileCache?.()
const { main } = await import('../dist/meshnode.mjs')
const code = await main(process.argv.slice(2))
// Exit only once stdout and stderr are flushed: a pipe takes 64 KiB at once, and exiting
// with more queued would cut `meshnode job --results --json | jq` short.
let pending = 2
const done = () => { if (--pending === 0) process.exit(code) }
process.stdout.write('', done)
process.stderr.write('', done)
