// A launcher for bench clusters whose nodes need different capabilities: scripts/cluster-lib
// gives every node the same flags, so this stands in for bin/meshnode.js (UpOptions.bin),
// reads the `--name node-K` the cluster gives node K and adds `--capabilities nK` before
// handing over to the real bin/meshnode.js in the same process. bench/workflow uses it to
// pin each step of a chain to a given node (step i `requires: [n…]`).
import { fileURLToPath } from 'node:url'

/** This file is dist/bench/lib/capable-node.js; the real entry point is <root>/bin/meshnode.js. */
const REAL_BIN = fileURLToPath(new URL('../../../bin/meshnode.js', import.meta.url))

const at = process.argv.indexOf('--name')
const index = /^node-(\d+)$/.exec(process.argv[at + 1] ?? '')?.[1]
if (at < 0 || index == null) {
  console.error('capable-node: expected --name node-K (spawned by scripts/cluster-lib for bench/workflow)')
  process.exit(2)
}
process.argv.push('--capabilities', `n${index}`)
await import(REAL_BIN)
