// Code a node rarely needs loads on first use instead of at start: yaml (workflow files),
// cron-parser with luxon (schedules), and the job and workflow schemas' validators, compiled
// ahead of time (src/generated/, scripts/gen-validators.mjs). In the one bundle their source
// and their module-level objects sat in every node's memory from start-up on (BENCHMARKS.md,
// issue 14, helper "rss2"). scripts/bundle.mjs bundles each into a file of its own,
// dist/vendor/<id>.cjs, which the bundle (where MESHNODE_BUNDLE is defined) loads the first
// time it is needed; unbundled (tests, dist/src) a package loads from node_modules and a
// validator from generated/ beside this file (bundle.mjs copies them into dist/src/generated/).
// Synchronous, so the callers (Raft's apply among them) stay synchronous.
import { createRequire } from 'node:module'

declare const MESHNODE_BUNDLE: boolean | undefined

const load = createRequire(import.meta.url)
const bundled = typeof MESHNODE_BUNDLE !== 'undefined'

/** What scripts/bundle.mjs writes to dist/vendor/ (keep the two lists alike). */
export type LazyPackage = 'cron-parser' | 'yaml' | 'job-validate' | 'workflow-validate'

const GENERATED: ReadonlySet<LazyPackage> = new Set(['job-validate', 'workflow-validate'])

/** A function that returns package `id`, loading it the first time; `what` says what needs it. */
export function lazyRequire<T> (id: LazyPackage, what: string): () => T {
  let mod: T | undefined
  return () => {
    if (mod !== undefined) return mod
    const path = bundled ? `./vendor/${id}.cjs` : GENERATED.has(id) ? `./generated/${id}.cjs` : id
    try {
      mod = load(path) as T
    } catch (err) {
      throw new Error(`meshnode could not load ${path} (${what}): ${(err as Error).message}`, { cause: err })
    }
    return mod
  }
}
