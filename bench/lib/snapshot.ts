// A private, frozen copy of the build for a long benchmark. scripts/cluster-lib spawns every
// node (and every restart) from <ROOT>/bin/meshnode.js with ROOT derived from its own file
// location, so importing cluster-lib from a copy of bin/ + dist/ makes every node of the run
// use that copy, however often the working tree is rebuilt meanwhile.
import { cpSync, existsSync, mkdirSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { buildInfo, sameBuild } from './build.js'

export type ClusterLib = typeof import('../../scripts/cluster-lib.js')

/**
 * Copy bin/, dist/ (without dist/bench) and package.json into `into`; link node_modules. The copy
 * brings the build's compile cache (dist/.cache, portable: bin/meshnode.js), so its nodes start
 * warm, as an installed package's do after its first start.
 */
export function snapshotBuild (root: string, into: string): void {
  for (let attempt = 1; ; attempt++) {
    const before = buildInfo(root)
    mkdirSync(into, { recursive: true })
    cpSync(join(root, 'bin'), join(into, 'bin'), { recursive: true })
    cpSync(join(root, 'dist'), join(into, 'dist'), { recursive: true, filter: src => !src.startsWith(join(root, 'dist', 'bench')) })
    cpSync(join(root, 'package.json'), join(into, 'package.json'))
    if (!existsSync(join(into, 'node_modules'))) symlinkSync(join(root, 'node_modules'), join(into, 'node_modules'), 'dir')
    // A rebuild that raced the copy shows up as a changed fingerprint: copy again.
    if (sameBuild(before, buildInfo(root)) && sameBuild(before, buildInfo(into))) return
    if (attempt >= 5) throw new Error(`the build in ${root} kept changing while it was being copied`)
  }
}

export async function importClusterLib (root: string): Promise<ClusterLib> {
  return await import(pathToFileURL(join(root, 'dist', 'scripts', 'cluster-lib.js')).href) as ClusterLib
}
