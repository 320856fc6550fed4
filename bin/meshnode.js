#!/usr/bin/env node
// Entry point: check the runtime, then hand argv to the compiled CLI.
const [major] = process.versions.node.split('.').map(Number)
if (major < 22) {
  process.stderr.write(`meshnode needs Node.js >= 22 (this is ${process.version}). Run it through npm (npx meshnode), which uses the node from devDependencies, or install Node 22+.\n`)
  process.exit(1)
}
const { main } = await import('../dist/src/node/cli.js')
process.exit(await main(process.argv.slice(2)))
