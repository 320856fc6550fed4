// The task tree, as far as a page of results gives it. Task ids are hierarchical:
// `JOB/0` is a root, `JOB/0.1` its second child, `JOB/0.1.2` a grandchild; a job re-homed
// after its home died runs again with the generation in the root's index (`JOB/0@1`,
// `JOB/0@1.3`). Tasks a page does not hold but whose descendants it does appear as
// placeholders, so the shape stays right. Pure.

/** `JOB/0@1.2.3` → ['0@1', '2', '3']; null when it is not a task id. */
export function pathOf (taskId) {
  const slash = String(taskId).indexOf('/')
  if (slash < 0) return null
  const rest = String(taskId).slice(slash + 1)
  return rest === '' ? null : rest.split('.')
}

function compareSeg (a, b) {
  const [ai, ae] = a.split('@').map(Number)
  const [bi, be] = b.split('@').map(Number)
  return (ae || 0) - (be || 0) || (ai || 0) - (bi || 0) || a.localeCompare(b)
}

/**
 * A forest from `items` ({taskId, ...}): [{seg, id, item?, children}], roots and children in
 * index order, generation 0 first.
 */
export function buildTree (items) {
  const roots = []
  const byId = new Map()
  for (const item of items) {
    const path = pathOf(item.taskId)
    if (path == null) continue
    const job = item.taskId.slice(0, item.taskId.indexOf('/'))
    let level = roots
    let id = `${job}/`
    path.forEach((seg, i) => {
      id = i === 0 ? id + seg : `${id}.${seg}`
      let node = byId.get(id)
      if (node == null) {
        node = { seg, id, children: [] }
        byId.set(id, node)
        level.push(node)
      }
      if (i === path.length - 1) node.item = item
      level = node.children
    })
  }
  const sort = (nodes) => {
    nodes.sort((x, y) => compareSeg(x.seg, y.seg))
    for (const n of nodes) sort(n.children)
  }
  sort(roots)
  return roots
}

/** Depth-first rows {depth, node} for rendering as an indented list, at most `limit`. */
export function flatten (forest, limit = 1000) {
  const rows = []
  const walk = (nodes, depth) => {
    for (const n of nodes) {
      if (rows.length >= limit) return
      rows.push({ depth, node: n })
      walk(n.children, depth + 1)
    }
  }
  walk(forest, 0)
  return rows
}
