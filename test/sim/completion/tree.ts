// Random job shapes for the simulator: a few root tasks and a random spawn tree below them,
// with child ids derived from the parent id and spawn index as in the real task model, so
// a re-run spawns exactly the same ids.

import type { Rng } from '../../../src/prng.js'

export interface TaskTree {
  jobId: string
  roots: string[]
  /** Every task id of the job, roots first, breadth-first. */
  all: string[]
  children: Map<string, string[]>
  parent: Map<string, string>
}

/** Up to ~120 tasks, depth 1–5, fan-out 0–4 per task (the budget may cut a level short). */
export function randomTree (rng: Rng, jobId: string): TaskTree {
  const int = (n: number): number => Math.floor(rng() * n)
  const budget = 3 + int(120)
  const maxDepth = 1 + int(5)
  const maxFan = 1 + int(4)
  const roots = Array.from({ length: 1 + int(3) }, (_, i) => `${jobId}:${i}`)
  const all = [...roots]
  const children = new Map<string, string[]>()
  const parent = new Map<string, string>()
  const queue: Array<[string, number]> = roots.map((r) => [r, 0])
  for (let q = 0; q < queue.length && all.length < budget; q++) {
    const [id, depth] = queue[q] as [string, number]
    if (depth >= maxDepth) continue
    const fan = int(maxFan + 1)
    const kids: string[] = []
    for (let i = 0; i < fan && all.length < budget; i++) {
      const child = `${id}.${i}`
      kids.push(child)
      all.push(child)
      parent.set(child, id)
      queue.push([child, depth + 1])
    }
    if (kids.length > 0) children.set(id, kids)
  }
  return { jobId, roots, all, children, parent }
}
