#!/usr/bin/env node
// Entry point: check the runtime, enable V8's compile cache, then hand argv to the bundled
// CLI (dist/meshnode.mjs, built by `npm run build`; see scripts/bundle.mjs).
import module from 'node:module'

const [major] = process.versions.node.split('.').map(Number)
if (major < 22) {
  process.stderr.write(`meshnode needs Node.js >= 22 (this is ${process.version}). Run it through npm (npx meshnode), which uses the node from devDependencies, or install Node 22+.\n`)
  process.exit(1)
}
module.enableCompileCache?.()
const { main } = await import('../dist/meshnode.mjs')
process.exit(await main(process.argv.slice(2)))
