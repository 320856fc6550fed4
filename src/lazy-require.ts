// Packages a node rarely needs load on first use instead of at start: yaml (workflow files),
// cron-parser with luxon (schedules), ajv (job and workflow files). In the one bundle their
// source and their module-level objects sat in every node's memory from start-up on
// (BENCHMARKS.md, issue 14, helper "rss2"). scripts/bundle.mjs bundles each into a file of its
// own, dist/vendor/<id>.cjs, which the bundle (where MESHNODE_BUNDLE is defined) loads the first
// time it is needed; unbundled (tests, dist/src) the package loads from node_modules.
// Synchronous, so the callers (Raft's apply among them) stay synchronous.
import { createRequire } from 'node:module'

declare const MESHNODE_BUNDLE: boolean | undefined

const load = createRequire(import.meta.url)
const bundled = typeof MESHNODE_BUNDLE !== 'undefined'

/** The packages scripts/bundle.mjs writes to dist/vendor/ (keep the two lists alike). */
export type LazyPackage = 'ajv' | 'cron-parser' | 'yaml'

/** A function that returns package `id`, loading it the first time; `what` says what needs it. */
export function lazyRequire<T> (id: LazyPackage, what: string): () => T {
  let mod: T | undefined
  return () => {
    if (mod !== undefined) return mod
    const path = bundled ? `./vendor/${id}.cjs` : id
    try {
      mod = load(path) as T
    } catch (err) {
      throw new Error(`meshnode could not load ${path} (${what}): ${(err as Error).message}`, { cause: err })
    }
    return mod
  }
}
