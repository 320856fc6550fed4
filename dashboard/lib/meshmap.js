// The mesh map, drawn by hand in SVG: nodes on a circle (this node at the top), coloured by
// state, the leader ringed, the load inside each node, and lines from this node to each
// peer (solid: connected now; dashed: not). A few dozen shapes need no graph library.
import { clear, s, shortId } from './dom.js'

const W = 320
const H = 280

/** Positions on a circle, the first at the top; one node sits in the middle. */
export function layout (n, w = W, h = H) {
  const cx = w / 2
  const cy = h / 2 - 6
  const r = Math.min(w, h) / 2 - 46
  if (n === 1) return [{ x: cx, y: cy }]
  return Array.from({ length: n }, (_, i) => {
    const a = -Math.PI / 2 + (2 * Math.PI * i) / n
    return { x: cx + r * Math.cos(a), y: cy + r * Math.sin(a) }
  })
}

export function drawMeshMap (svg, model) {
  clear(svg)
  const nodes = [...model.members.values()].sort((a, b) => (b.self ? 1 : 0) - (a.self ? 1 : 0) || (a.name ?? '').localeCompare(b.name ?? '') || a.peerId.localeCompare(b.peerId))
  if (nodes.length === 0) {
    svg.append(s('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle', class: 'map-empty' }, 'no members yet'))
    return
  }
  const pos = layout(nodes.length)
  const selfAt = pos[0]
  const edges = s('g', { class: 'edges' })
  const dots = s('g', { class: 'nodes' })
  nodes.forEach((n, i) => {
    const p = pos[i]
    if (!n.self && nodes[0].self) {
      const live = n.state === 'alive' || n.state === 'suspect'
      edges.append(s('line', { x1: selfAt.x, y1: selfAt.y, x2: p.x, y2: p.y, class: `edge ${n.connected && live ? 'up' : 'down'}` }))
    }
    const load = Number(n.load) || 0
    const r = 16 + Math.min(10, Math.log2(1 + load) * 2.5)
    const g = s('g', { class: `node ${n.state}${n.self ? ' self' : ''}`, 'data-peer': n.peerId, transform: `translate(${p.x.toFixed(1)},${p.y.toFixed(1)})` })
    g.append(s('title', {}, `${n.name || shortId(n.peerId)} (${n.peerId}): ${n.state}${n.peerId === model.leader ? ', leader' : ''}, load ${load}`))
    if (n.peerId === model.leader) g.append(s('circle', { r: r + 6, class: 'leader-ring' }))
    g.append(s('circle', { r, class: 'dot' }))
    g.append(s('text', { class: 'load', 'text-anchor': 'middle', dy: '0.35em' }, String(load)))
    const below = p.y > H / 2 - 6 || nodes.length === 1
    g.append(s('text', { class: 'label', 'text-anchor': 'middle', y: below ? r + 16 : -r - 9 }, `${n.name || shortId(n.peerId)}${n.peerId === model.leader ? ' ★' : ''}`))
    dots.append(g)
  })
  svg.append(edges, dots)
}
