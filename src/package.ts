// The package's single build output (scripts/bundle.mjs bundles this into dist/meshnode.mjs):
// the library API (src/index.ts) and the CLI's `main`, which bin/meshnode.js calls. One
// bundle serves both, so the package ships no second copy of the code.
export * from './index.js'
export { main } from './node/cli/main.js'
