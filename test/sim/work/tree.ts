// The simulated jobs' task trees: how many children a task spawns is a pure function of the
// job's tree seed and the task's path (its id without the job id), so the true tree — every
// task id it will ever have — is computed here independently of the code under test.

/** Shape limits of one job's tree. */
export interface TreeShape {
  /** Tree seed (carried in every task's payload). */
  s: number
  maxDepth: number
  /** Children per task in [0, maxFanout) (roots: one more). */
  maxFanout: number
}

export function hash32 (...parts: Array<number | string>): number {
  let h = 0x811c9dc5
  for (const p of parts) {
    const text = typeof p === 'number' ? String(p) : p
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619)
    h = Math.imul(h ^ 0x7c, 16777619)
  }
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  return h >>> 0
}

/** A uniform number in [0, 1) from the parts. */
export function unit (...parts: Array<number | string>): number {
  return hash32(...parts) / 4294967296
}

/** Children of the task at `path` ('0', '0.2', '1.0.3', ...). */
export function fanout (shape: TreeShape, path: string): number {
  let depth = 0
  for (let i = 0; i < path.length; i++) if (path.charCodeAt(i) === 46) depth++
  if (depth >= shape.maxDepth) return 0
  return hash32(shape.s, path) % (depth === 0 ? shape.maxFanout + 1 : shape.maxFanout)
}

/**
 * Every task id of the job's tree in home generation `epoch`: roots `${jobId}/0` ..
 * `${jobId}/${roots - 1}` (generation 0) or `${jobId}/${i}@${epoch}` (a re-homed job runs
 * again from its roots), children `${parent}.${k}`. A generation's path includes its `@e`,
 * so each generation grows a tree of its own (as deterministic as the first).
 */
export function treeIds (jobId: string, roots: number, shape: TreeShape, epoch = 0): string[] {
  const out: string[] = []
  const walk = (path: string): void => {
    out.push(`${jobId}/${path}`)
    const n = fanout(shape, path)
    for (let k = 0; k < n; k++) walk(`${path}.${k}`)
  }
  for (let r = 0; r < roots; r++) walk(rootPath(r, epoch))
  return out
}

/** The path of root `r` in home generation `epoch` (its task id without the job id). */
export function rootPath (r: number, epoch: number): string {
  return epoch === 0 ? String(r) : `${r}@${epoch}`
}

/** Paths of a task's children, as the simulated handler spawns them. */
export function childPaths (shape: TreeShape, path: string): string[] {
  const n = fanout(shape, path)
  const out: string[] = []
  for (let k = 0; k < n; k++) out.push(`${path}.${k}`)
  return out
}
